/*
 * bench_sites: the control-plane costs of the WAF service on a real SQLite
 * store: creating sites (one transaction each, with the quota), what a WAF
 * node's heartbeat pays for the bundle version, the signed bundle with
 * decrypted keys, and the intake of waf.attack events. Prints figures and
 * ratios; never fails on a time.
 *
 *   bench_sites [SITES] [EVENTS]     (defaults 1000 sites, 20000 events)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "crypto.h"
#include "db.h"
#include "log.h"
#include "nodebench.h"
#include "nodes.h"
#include "orders.h"
#include "sitecert.h"
#include "sites.h"
#include "store.h"

#define PER_TENANT 50

static void
die(const char *what, const struct ys_err *e)
{
	fprintf(stderr, "bench_sites: %s: %s\n", what, e ? e->msg : "");
	exit(1);
}

/* A self-signed P-256 certificate for *.t<n>.example.cn. */
static void
make_cert(int n, char **cert, char **key)
{
	EVP_PKEY *k = EVP_EC_gen("P-256");
	X509 *x = X509_new();
	X509V3_CTX v3;
	X509_EXTENSION *ext;
	BIO *b = BIO_new(BIO_s_mem());
	char san[96], *data;
	long len;

	ASN1_INTEGER_set(X509_get_serialNumber(x), n + 1);
	X509_gmtime_adj(X509_getm_notBefore(x), 0);
	X509_gmtime_adj(X509_getm_notAfter(x), 90L * 86400);
	X509_set_pubkey(x, k);
	X509V3_set_ctx(&v3, x, x, NULL, NULL, 0);
	snprintf(san, sizeof(san), "DNS:*.t%d.example.cn", n);
	ext = X509V3_EXT_conf_nid(NULL, &v3, NID_subject_alt_name, san);
	X509_add_ext(x, ext, -1);
	X509_EXTENSION_free(ext);
	X509_sign(x, k, EVP_sha256());
	PEM_write_bio_X509(b, x);
	len = BIO_get_mem_data(b, &data);
	*cert = strndup(data, (size_t)len);
	BIO_reset(b);
	PEM_write_bio_PrivateKey(b, k, NULL, NULL, 0, NULL, NULL);
	len = BIO_get_mem_data(b, &data);
	*key = strndup(data, (size_t)len);
	BIO_free(b);
	X509_free(x);
	EVP_PKEY_free(k);
}

static void
tx(struct db *db, int rc, const char *what, struct ys_err *e)
{
	if (rc < 0) {
		db_rollback(db);
		die(what, e);
	}
	db_commit(db);
}

int
main(int argc, char **argv)
{
	long nsites = argc > 1 ? atol(argv[1]) : 1000, nevents = argc > 2 ? atol(argv[2]) : 20000;
	char dir[] = "/tmp/ys-bench-sites-XXXXXX", cmd[300];
	long ntenants = (nsites + PER_TENANT - 1) / PER_TENANT;
	struct principal *who;
	struct node_principal node;
	struct ys_err e = { 0 };
	struct db *db;
	EVP_PKEY *key;
	double t0, t_create, t_ingest;
	struct nb_costs costs;
	int64_t plan;
	json_t *out = NULL;

	log_init("bench_sites", LOG_LVL_WARN, NULL);
	if (nsites <= 0 || nevents <= 0 || mkdtemp(dir) == NULL)
		return 2;
	nb_store(dir, "waf", &db, &key, &node);
	db_run(db, "INSERT INTO plans (service, name, price_fen, created_at) VALUES"
	    " ('waf', 'b', 100, 0)", "");
	plan = db_last_id(db);
	who = calloc((size_t)ntenants, sizeof(*who));
	for (long t = 0; t < ntenants; t++) {
		char *cert, *pem;
		json_t *in;

		who[t] = nb_tenant(db, t, "waf", plan, PER_TENANT);
		make_cert((int)t, &cert, &pem);
		in = json_pack("{s:s, s:s, s:s}", "name", "c", "certificate", cert, "key", pem);
		if (sitecert_upload(db, dir, &who[t], in, &out, &e) < 0)
			die("certificate", &e);
		json_decref(in);
		json_decref(out);
		free(cert);
		free(pem);
	}
	t0 = nb_now();
	for (long i = 0; i < nsites; i++) {
		long t = i / PER_TENANT;
		char d[64];
		json_t *in;

		snprintf(d, sizeof(d), "s%ld.t%ld.example.cn", i, t);
		in = json_pack("{s:s, s:[s], s:i, s:i, s:[s]}", "name", d, "domains", d,
		    "cert_id", (int)(t + 1), "cc_ip_rps", 100, "deny_ips", "198.51.100.0/24");
		db_begin(db);
		tx(db, sites_create(db, "waf.example.net", &who[t], in, &out, &e), "site", &e);
		json_decref(in);
		json_decref(out);
		in = json_pack("{s:s, s:s}", "address", "203.0.113.10", "scheme", "https");
		db_begin(db);
		tx(db, sites_origin_add(db, &who[t], i + 1, in, &out, &e), "origin", &e);
		json_decref(in);
		json_decref(out);
		in = json_pack("{s:s, s:s, s:s, s:s}", "field", "path", "operator", "prefix",
		    "value", "/admin", "action", "block");
		db_begin(db);
		tx(db, sites_rule_add(db, &who[t], i + 1, in, &out, &e), "rule", &e);
		json_decref(in);
		json_decref(out);
	}
	t_create = nb_now() - t0;

	/* What every heartbeat of a WAF node pays (the version), and the bundle. */
	costs = nb_node_costs(db, key, dir, &node);

	t0 = nb_now();
	for (long done = 0; done < nevents;) {
		json_t *batch = json_pack("{s:[]}", "events");

		for (int k = 0; k < 1000 && done < nevents; k++, done++) {
			char ip[32], rid[32];

			snprintf(ip, sizeof(ip), "198.51.%ld.%ld", (done / 250) % 256, done % 250 + 1);
			snprintf(rid, sizeof(rid), "r%ld", done);
			json_array_append_new(json_object_get(batch, "events"), json_pack(
			    "{s:I, s:I, s:s, s:s, s:{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}}",
			    "seq", (json_int_t)done + 1, "time_ms", (json_int_t)time(NULL) * 1000,
			    "module", "waf", "type", "waf.attack", "payload",
			    "site_id", (json_int_t)(done % nsites + 1), "rule_id", "sqli-942100",
			    "category", done % 3 ? "sqli" : "xss", "severity", "medium",
			    "action", "block", "client_ip", ip, "method", "GET",
			    "uri", "/search?q=1%27%20or%201%3D1", "excerpt", "1' or 1=1",
			    "request_id", rid));
		}
		db_begin(db);
		if (nodes_events_ingest(db, &node, batch, &out, &e) < 0)
			die("ingest", &e);
		db_commit(db);
		json_decref(out);
		json_decref(batch);
	}
	t_ingest = nb_now() - t0;

	printf("WAF sites on SQLite: %ld sites of %ld tenants (origin, custom rule, shared "
	    "certificate each)\n", nsites, ntenants);
	printf("  create site + origin + rule (3 transactions) %8.3f ms per site\n",
	    t_create * 1000 / nsites);
	printf("  heartbeat with bundle version (hash)         %8.2f ms  (version %lld)\n",
	    costs.heartbeat_s * 1000, (long long)costs.version);
	printf("  signed bundle with %ld keys, %zu bytes      %8.2f ms  (%.1f x the heartbeat)\n",
	    ntenants, costs.bundle_bytes, costs.bundle_s * 1000, costs.bundle_s / costs.heartbeat_s);
	printf("  waf.attack intake, batches of 1000           %8.0f events/s\n",
	    nevents / t_ingest);
	db_close(db);
	EVP_PKEY_free(key);
	free(who);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : 1;
}
