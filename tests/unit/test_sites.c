/*
 * test_sites: WAF sites against a real store — the subscription and quota
 * rules, tenant isolation, certificate checks (and that the key never
 * leaves through the API), and what a WAF node gets: a signed bundle with
 * every served site whose version changes with any site, and attack
 * events attributed to the site's tenant.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/ec.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "crypto.h"
#include "fixture.h"
#include "nodes.h"
#include "orders.h"
#include "sitecert.h"
#include "sites.h"

struct ctx {
	struct fx *fx;
	struct db *db;
	struct principal a, b, admin;
	int64_t plan;
	int64_t waf_node;
};

static int
setup(void **state)
{
	struct ctx *c = calloc(1, sizeof(*c));

	if (c == NULL || (c->fx = fx_new(1)) == NULL)
		return -1;
	c->db = c->fx->db;
	fx_two_tenants(c->fx, &c->a, &c->b, &c->admin);
	c->plan = fx_plan(c->fx, "waf", "site", 10000);
	if (db_run(c->db, "INSERT INTO nodes (tenant_id, kind, hostname, enrolled_at)"
	    " VALUES (NULL, 'waf', 'waf-1', 0)", "") != 1)
		return -1;
	c->waf_node = db_last_id(c->db);
	*state = c;
	return 0;
}

static int
teardown(void **state)
{
	struct ctx *c = *state;

	fx_free(c->fx);
	free(c);
	return 0;
}

/* An offline order by the admin: an active waf subscription of n sites. */
static void
subscribe(struct ctx *c, int64_t tenant, int n)
{
	json_t *in = json_pack("{s:I, s:i, s:i, s:I, s:s}", "plan_id", (json_int_t)c->plan,
	    "quantity", n, "months", 12, "tenant_id", (json_int_t)tenant, "contract_ref", "HT-1");
	json_t *out = NULL;
	struct ys_err e = { 0 };

	assert_int_equal(orders_create(c->db, &c->admin, in, &out, &e), 0);
	json_decref(in);
	json_decref(out);
}

static json_t *
site_in(const char *name, const char *domain)
{
	return json_pack("{s:s, s:[s], s:i}", "name", name, "domains", domain, "cc_ip_rps", 20);
}

static int
create(struct ctx *c, struct principal *p, const char *name, const char *domain,
    json_t **out, struct ys_err *e)
{
	json_t *in = site_in(name, domain);
	int rc;

	memset(e, 0, sizeof(*e));
	if (db_begin(c->db) < 0)
		return -1;
	rc = sites_create(c->db, "waf.example.net", p, in, out, e);
	if (rc == 0)
		db_commit(c->db);
	else
		db_rollback(c->db);
	json_decref(in);
	return rc;
}

static void
test_subscription_and_quota(void **state)
{
	struct ctx *c = *state;
	struct ys_err e;
	json_t *s1 = NULL, *s2 = NULL, *x = NULL;

	assert_int_equal(create(c, &c->a, "shop", "shop.example.cn", &x, &e), -1);
	assert_string_equal(e.code, "forbidden");
	assert_non_null(strstr(e.msg, "no active waf subscription"));
	subscribe(c, c->a.tenant_id, 2);
	assert_int_equal(create(c, &c->a, "shop", "shop.example.cn", &s1, &e), 0);
	assert_string_equal(json_string_value(json_object_get(s1, "cname")),
	    "site-1.waf.example.net");
	assert_string_equal(json_string_value(json_object_get(json_object_get(s1, "dns"),
	    "target")), "site-1.waf.example.net");
	/* defaults filled in: burst = rate, 60 s block */
	assert_int_equal(json_integer_value(json_object_get(s1, "cc_ip_burst")), 20);
	assert_int_equal(json_integer_value(json_object_get(s1, "cc_block_seconds")), 60);
	assert_int_equal(create(c, &c->a, "shop2", "SHOP.example.cn", &x, &e), -1);
	assert_string_equal(e.code, "conflict");	/* a host name is one site's */
	assert_int_equal(create(c, &c->a, "api", "api.example.cn", &s2, &e), 0);
	assert_int_equal(create(c, &c->a, "third", "www.example.cn", &x, &e), -1);
	assert_string_equal(e.code, "quota_exceeded");
	assert_int_equal(orders_quota_used(c->db, c->a.tenant_id, "waf"), 2);
	/* nothing of the refused attempts remains */
	assert_int_equal(db_int(c->db, -1, "SELECT count(*) FROM waf_sites", ""), 2);
	assert_int_equal(db_int(c->db, -1, "SELECT count(*) FROM waf_site_domains", ""), 2);
	/* deleting frees the unit */
	assert_int_equal(db_begin(c->db), 0);
	json_decref(x);
	x = NULL;
	assert_int_equal(sites_delete(c->db, &c->a, json_integer_value(json_object_get(s2, "id")),
	    &x, &e), 0);
	assert_int_equal(db_commit(c->db), 0);
	assert_int_equal(orders_quota_used(c->db, c->a.tenant_id, "waf"), 1);
	json_decref(x);
	assert_int_equal(create(c, &c->a, "third", "www.example.cn", &x, &e), 0);
	json_decref(x);
	json_decref(s1);
	json_decref(s2);
}

static void
test_isolation(void **state)
{
	struct ctx *c = *state;
	struct ys_err e = { 0 };
	json_t *s = NULL, *x = NULL, *in;
	int64_t id, other;

	subscribe(c, c->a.tenant_id, 1);
	subscribe(c, c->b.tenant_id, 1);
	assert_int_equal(create(c, &c->a, "shop", "shop.example.cn", &s, &e), 0);
	id = json_integer_value(json_object_get(s, "id"));
	assert_int_equal(create(c, &c->b, "mine", "b.example.cn", &x, &e), 0);
	other = json_integer_value(json_object_get(x, "id"));
	json_decref(x);
	/* tenant B cannot see, change, extend or delete A's site: 404 as if absent */
	assert_null(sites_get(c->db, &c->b, id, &e));
	assert_string_equal(e.code, "not_found");
	in = json_pack("{s:s}", "mode", "monitor");
	assert_int_equal(sites_update(c->db, &c->b, id, in, &x, &e), -1);
	assert_string_equal(e.code, "not_found");
	json_decref(in);
	in = json_pack("{s:s}", "address", "203.0.113.5");
	assert_int_equal(sites_origin_add(c->db, &c->b, id, in, &x, &e), -1);
	assert_string_equal(e.code, "not_found");
	assert_int_equal(sites_origin_add(c->db, &c->a, id, in, &x, &e), 0);
	json_decref(in);
	{
		int64_t site = 0, oid = json_integer_value(json_object_get(x, "id"));
		json_t *y = NULL;

		assert_int_equal(sites_part_delete(c->db, &c->b, SITES_ORIGIN, oid, &site, &y, &e),
		    -1);
		assert_string_equal(e.code, "not_found");
	}
	json_decref(x);
	assert_int_equal(sites_delete(c->db, &c->b, id, &x, &e), -1);
	assert_null(sites_stats(c->db, &c->b, id, &e));
	/* lists are scoped; the operator sees both */
	x = sites_list(c->db, &c->b);
	assert_int_equal(json_array_size(x), 1);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(x, 0), "id")), other);
	json_decref(x);
	x = sites_list(c->db, &c->admin);
	assert_int_equal(json_array_size(x), 2);
	json_decref(x);
	/* operators read, tenant admins write */
	in = json_pack("{s:s}", "mode", "monitor");
	assert_int_equal(sites_update(c->db, &c->admin, id, in, &x, &e), -1);
	assert_string_equal(e.code, "forbidden");
	json_decref(in);
	json_decref(s);
}

/* A self-signed certificate for host with key; expired when days < 0. */
static void
make_cert(const char *host, int days, EVP_PKEY **keyp, char **cert_pem, char **key_pem)
{
	EVP_PKEY *k = EVP_EC_gen("P-256");
	X509 *x = X509_new();
	X509V3_CTX v3;
	X509_EXTENSION *ext;
	BIO *b = BIO_new(BIO_s_mem());
	char san[300], *data;
	long n;

	assert_non_null(k);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 7);
	X509_gmtime_adj(X509_getm_notBefore(x), days < 0 ? (long)(days - 10) * 86400 : 0);
	X509_gmtime_adj(X509_getm_notAfter(x), (long)days * 86400);
	X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN", MBSTRING_ASC,
	    (const unsigned char *)host, -1, -1, 0);
	X509_set_issuer_name(x, X509_get_subject_name(x));
	X509_set_pubkey(x, k);
	X509V3_set_ctx(&v3, x, x, NULL, NULL, 0);
	snprintf(san, sizeof(san), "DNS:%s", host);
	ext = X509V3_EXT_conf_nid(NULL, &v3, NID_subject_alt_name, san);
	X509_add_ext(x, ext, -1);
	X509_EXTENSION_free(ext);
	assert_true(X509_sign(x, k, EVP_sha256()) > 0);
	PEM_write_bio_X509(b, x);
	n = BIO_get_mem_data(b, &data);
	*cert_pem = strndup(data, (size_t)n);
	BIO_reset(b);
	PEM_write_bio_PrivateKey(b, k, NULL, NULL, 0, NULL, NULL);
	n = BIO_get_mem_data(b, &data);
	*key_pem = strndup(data, (size_t)n);
	BIO_free(b);
	X509_free(x);
	if (keyp)
		*keyp = k;
	else
		EVP_PKEY_free(k);
}

static int
upload(struct ctx *c, struct principal *p, const char *name, const char *cert, const char *key,
    json_t **out, struct ys_err *e)
{
	json_t *in = json_pack("{s:s, s:s, s:s}", "name", name, "certificate", cert, "key", key);
	int rc;

	memset(e, 0, sizeof(*e));
	rc = sitecert_upload(c->db, c->fx->dir, p, in, out, e);
	json_decref(in);
	return rc;
}

static void
test_certificates(void **state)
{
	struct ctx *c = *state;
	struct ys_err e;
	char *cert, *key, *cert2, *key2, *old, *oldkey, *text;
	json_t *out = NULL, *s = NULL, *in;
	int64_t cid;

	make_cert("shop.example.cn", 90, NULL, &cert, &key);
	make_cert("shop.example.cn", 90, NULL, &cert2, &key2);
	make_cert("shop.example.cn", -1, NULL, &old, &oldkey);
	assert_int_equal(upload(c, &c->a, "mismatch", cert, key2, &out, &e), -1);
	assert_string_equal(e.code, "invalid_field");
	assert_non_null(strstr(e.msg, "does not match"));
	assert_int_equal(upload(c, &c->a, "old", old, oldkey, &out, &e), -1);
	assert_non_null(strstr(e.msg, "expired"));
	assert_int_equal(upload(c, &c->a, "junk", "not a cert", key, &out, &e), -1);
	assert_non_null(strstr(e.msg, "no PEM certificate"));
	assert_int_equal(upload(c, &c->a, "nokey", cert, "-----BEGIN PRIVATE KEY-----\nAAAA\n"
	    "-----END PRIVATE KEY-----\n", &out, &e), -1);
	assert_non_null(strstr(e.msg, "not a PEM private key"));
	assert_int_equal(db_int(c->db, -1, "SELECT count(*) FROM waf_certs", ""), 0);
	assert_int_equal(upload(c, &c->a, "shop", cert, key, &out, &e), 0);
	cid = json_integer_value(json_object_get(out, "id"));
	assert_string_equal(json_string_value(json_array_get(json_object_get(out, "sans"), 0)),
	    "shop.example.cn");
	assert_string_equal(json_string_value(json_object_get(out, "expiry")), "valid");
	assert_true(json_integer_value(json_object_get(out, "days_left")) >= 89);
	/* the key is in no answer and not in the store in clear */
	text = json_dumps(out, 0);
	assert_null(strstr(text, "PRIVATE KEY"));
	free(text);
	json_decref(out);
	out = sitecert_list(c->db, &c->a);
	text = json_dumps(out, 0);
	assert_null(strstr(text, "PRIVATE KEY"));
	assert_null(strstr(text, "key_enc"));
	free(text);
	json_decref(out);
	assert_int_equal(db_int(c->db, -1, "SELECT count(*) FROM waf_certs WHERE key_enc LIKE"
	    " '%PRIVATE%' OR key_enc NOT LIKE 'aesgcm1:%'", ""), 0);
	/* another tenant can neither list, use nor delete it */
	out = sitecert_list(c->db, &c->b);
	assert_int_equal(json_array_size(out), 0);
	json_decref(out);
	subscribe(c, c->a.tenant_id, 2);
	subscribe(c, c->b.tenant_id, 1);
	in = json_pack("{s:s, s:[s], s:I}", "name", "b", "domains", "b.example.cn", "cert_id",
	    (json_int_t)cid);
	assert_int_equal(sites_create(c->db, "z.example.net", &c->b, in, &out, &e), -1);
	assert_string_equal(e.code, "not_found");
	json_decref(in);
	assert_int_equal(sitecert_delete(c->db, &c->b, cid, &out, &e), -1);
	assert_string_equal(e.code, "not_found");
	/* attached only where it covers the domains; then in use */
	in = json_pack("{s:s, s:[s], s:I}", "name", "w", "domains", "www.example.cn", "cert_id",
	    (json_int_t)cid);
	assert_int_equal(sites_create(c->db, "z.example.net", &c->a, in, &out, &e), -1);
	assert_non_null(strstr(e.msg, "does not cover www.example.cn"));
	json_decref(in);
	in = json_pack("{s:s, s:[s], s:I}", "name", "s", "domains", "shop.example.cn", "cert_id",
	    (json_int_t)cid);
	assert_int_equal(sites_create(c->db, "z.example.net", &c->a, in, &s, &e), 0);
	json_decref(in);
	assert_int_equal(sitecert_delete(c->db, &c->a, cid, &out, &e), -1);
	assert_string_equal(e.code, "conflict");
	/* a certificate close to its end says so */
	{
		char *soon, *soonkey;
		json_t *x = NULL;

		make_cert("shop.example.cn", 10, NULL, &soon, &soonkey);
		assert_int_equal(upload(c, &c->a, "soon", soon, soonkey, &x, &e), 0);
		assert_string_equal(json_string_value(json_object_get(x, "expiry")), "expiring");
		json_decref(x);
		free(soon);
		free(soonkey);
	}
	json_decref(s);
	free(cert);
	free(key);
	free(cert2);
	free(key2);
	free(old);
	free(oldkey);
}

/* The payload of a bundle after checking its signature. */
static json_t *
bundle(struct ctx *c, EVP_PKEY *sk, int64_t *version)
{
	struct node_principal n = { .node_id = c->waf_node, .tenant_id = 0 };
	struct ys_err e = { 0 };
	json_t *out = NULL, *payload;
	unsigned char sig[64];
	char path[200], err[200];
	const char *text, *sig64;
	EVP_PKEY *pk;
	size_t siglen = 0;

	snprintf(n.kind, sizeof(n.kind), "waf");
	assert_int_equal(nodes_policy_bundle(c->db, sk, c->fx->dir, &n, &out, &e), 0);
	text = json_string_value(json_object_get(out, "payload"));
	sig64 = json_string_value(json_object_get(out, "signature"));
	assert_non_null(text);
	/* base64url decode via OpenSSL: pad and translate */
	{
		char b64[120];
		size_t l = strlen(sig64), i;
		unsigned char raw[100];
		int m;

		for (i = 0; i < l && i < sizeof(b64) - 4; i++)
			b64[i] = sig64[i] == '-' ? '+' : sig64[i] == '_' ? '/' : sig64[i];
		while (i % 4)
			b64[i++] = '=';
		b64[i] = '\0';
		m = EVP_DecodeBlock(raw, (const unsigned char *)b64, (int)i);
		assert_true(m >= 64);
		memcpy(sig, raw, 64);
		siglen = 64;
	}
	snprintf(path, sizeof(path), "%s/pub.pem", c->fx->dir);
	pk = crypto_ed25519_load_public(path, err, sizeof(err));
	assert_non_null(pk);
	assert_int_equal(siglen, 64);
	assert_int_equal(crypto_ed25519_verify(pk, text, strlen(text), sig), 0);
	EVP_PKEY_free(pk);
	payload = json_loads(text, 0, NULL);
	*version = json_integer_value(json_object_get(payload, "version"));
	json_decref(out);
	return payload;
}

static void
test_bundle_and_events(void **state)
{
	struct ctx *c = *state;
	struct ys_err e = { 0 };
	char path[200], pub[200], err[200], *cert, *key, *text;
	json_t *s = NULL, *x = NULL, *p, *site, *in, *batch, *stats, *evs;
	int64_t v1, v2, v3, id;
	EVP_PKEY *sk;
	struct node_principal n = { .node_id = c->waf_node, .tenant_id = 0 };

	snprintf(n.kind, sizeof(n.kind), "waf");
	snprintf(path, sizeof(path), "%s/sign.key", c->fx->dir);
	snprintf(pub, sizeof(pub), "%s/pub.pem", c->fx->dir);
	assert_int_equal(crypto_ed25519_generate(path, pub, err, sizeof(err)), 0);
	sk = crypto_ed25519_load_private(path, err, sizeof(err));
	assert_non_null(sk);
	subscribe(c, c->a.tenant_id, 1);
	make_cert("shop.example.cn", 30, NULL, &cert, &key);
	assert_int_equal(upload(c, &c->a, "shop", cert, key, &x, &e), 0);
	in = json_pack("{s:s, s:[s], s:I, s:[s]}", "name", "shop", "domains", "shop.example.cn",
	    "cert_id", json_integer_value(json_object_get(x, "id")), "deny_ips", "198.51.100.0/24");
	json_decref(x);
	assert_int_equal(sites_create(c->db, "waf.example.net", &c->a, in, &s, &e), 0);
	json_decref(in);
	id = json_integer_value(json_object_get(s, "id"));
	in = json_pack("{s:s, s:s, s:i}", "address", "203.0.113.5", "scheme", "https", "port", 8443);
	assert_int_equal(sites_origin_add(c->db, &c->a, id, in, &x, &e), 0);
	json_decref(in);
	json_decref(x);

	p = bundle(c, sk, &v1);
	site = json_array_get(json_object_get(json_object_get(p, "policy"), "sites"), 0);
	assert_int_equal(json_integer_value(json_object_get(site, "id")), id);
	assert_string_equal(json_string_value(json_object_get(site, "mode")), "block");
	assert_string_equal(json_string_value(json_object_get(json_array_get(
	    json_object_get(site, "origins"), 0), "scheme")), "https");
	assert_string_equal(json_string_value(json_array_get(json_object_get(site, "deny_ips"), 0)),
	    "198.51.100.0/24");
	/* the WAF node gets the key (decrypted) for TLS termination */
	text = json_dumps(json_object_get(json_object_get(p, "policy"), "certificates"), 0);
	assert_non_null(strstr(text, "PRIVATE KEY"));
	free(text);
	json_decref(p);
	/* an agent's bundle (a tenant's node) carries none of it */
	{
		struct node_principal agent = n;
		json_t *ab = NULL;

		agent.tenant_id = c->a.tenant_id;
		snprintf(agent.kind, sizeof(agent.kind), "agent");
		assert_int_equal(nodes_policy_bundle(c->db, sk, c->fx->dir, &agent, &ab, &e), 0);
		assert_null(strstr(json_string_value(json_object_get(ab, "payload")), "PRIVATE KEY"));
		assert_null(strstr(json_string_value(json_object_get(ab, "payload")), "\"sites\""));
		json_decref(ab);
	}
	/* unchanged content: same version; any change: a higher one */
	json_decref(bundle(c, sk, &v2));
	assert_int_equal(v1, v2);
	in = json_pack("{s:s, s:s}", "field", "path", "operator", "prefix");
	json_object_set_new(in, "value", json_string("/admin"));
	json_object_set_new(in, "action", json_string("block"));
	assert_int_equal(sites_rule_add(c->db, &c->a, id, in, &x, &e), 0);
	json_decref(in);
	json_decref(x);
	p = bundle(c, sk, &v3);
	assert_true(v3 > v2);
	site = json_array_get(json_object_get(json_object_get(p, "policy"), "sites"), 0);
	assert_string_equal(json_string_value(json_object_get(json_array_get(
	    json_object_get(site, "custom_rules"), 0), "value")), "/admin");
	json_decref(p);

	/* attack and stats events: attributed to tenant A, counted, alerted */
	batch = json_loads("{\"events\":[{\"seq\":1,\"time_ms\":1,\"module\":\"waf\","
	    "\"type\":\"waf.attack\",\"payload\":{\"site_id\":1,\"rule_id\":\"sqli-1\","
	    "\"category\":\"sqli\",\"severity\":\"critical\",\"action\":\"block\","
	    "\"client_ip\":\"198.51.100.9\",\"method\":\"GET\",\"uri\":\"/?id=1\","
	    "\"excerpt\":\"1 OR 1=1\",\"request_id\":\"r1\"}},{\"seq\":2,\"time_ms\":2,"
	    "\"module\":\"waf\",\"type\":\"waf.stats\",\"payload\":{\"site_id\":1,"
	    "\"requests\":100,\"blocked\":3}},{\"seq\":3,\"time_ms\":3,\"module\":\"waf\","
	    "\"type\":\"waf.stats\",\"payload\":{\"site_id\":999,\"requests\":5,\"blocked\":0}}]}",
	    0, NULL);
	assert_non_null(batch);
	json_object_set_new(json_object_get(json_array_get(json_object_get(batch, "events"), 0),
	    "payload"), "site_id", json_integer(id));
	json_object_set_new(json_object_get(json_array_get(json_object_get(batch, "events"), 1),
	    "payload"), "site_id", json_integer(id));
	assert_int_equal(nodes_events_ingest(c->db, &n, batch, &x, &e), 0);
	assert_int_equal(json_integer_value(json_object_get(x, "accepted")), 3);
	assert_int_equal(json_integer_value(json_object_get(x, "unattributed")), 1);
	json_decref(x);
	/* a retry is a duplicate and counts nothing twice */
	assert_int_equal(nodes_events_ingest(c->db, &n, batch, &x, &e), 0);
	assert_int_equal(json_integer_value(json_object_get(x, "duplicates")), 3);
	json_decref(x);
	stats = sites_stats(c->db, &c->a, id, &e);
	assert_int_equal(json_integer_value(json_object_get(stats, "requests")), 100);
	assert_int_equal(json_integer_value(json_object_get(stats, "blocked")), 3);
	assert_int_equal(json_integer_value(json_object_get(stats, "attacks")), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(
	    json_object_get(stats, "top_sources"), 0), "client_ip")), "198.51.100.9");
	json_decref(stats);
	x = json_object();
	evs = sites_events_list(c->db, &c->a, x, &e);
	assert_int_equal(json_array_size(evs), 1);
	json_decref(evs);
	evs = sites_events_list(c->db, &c->b, x, &e);
	assert_int_equal(json_array_size(evs), 0);
	json_decref(evs);
	json_decref(x);
	assert_int_equal(db_int(c->db, -1, "SELECT count(*) FROM alerts WHERE tenant_id = ? AND"
	    " module = 'waf' AND dedupe_key = ?", "ls", c->a.tenant_id, "site-1"), 1);
	/* 50 attacks on one site within a minute: one burst alert for its tenant */
	{
		json_t *flood = json_pack("{s:[]}", "events");
		int64_t t = (int64_t)time(NULL) * 1000;

		for (int i = 0; i < SITES_BURST_EVENTS + 5; i++) {
			char rid[16];

			snprintf(rid, sizeof(rid), "f%d", i);
			json_array_append_new(json_object_get(flood, "events"), json_pack(
			    "{s:i, s:I, s:s, s:s, s:{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s,"
			    " s:s}}", "seq", 100 + i, "time_ms", (json_int_t)t, "module", "waf", "type",
			    "waf.attack", "payload", "site_id", (json_int_t)id, "rule_id", "xss-1",
			    "category", "xss", "severity", "medium", "action", "block", "client_ip",
			    "2001:DB8::0:7", "method", "POST", "uri", "/c", "excerpt", "<script>",
			    "request_id", rid));
		}
		assert_int_equal(nodes_events_ingest(c->db, &n, flood, &x, &e), 0);
		json_decref(x);
		json_decref(flood);
		assert_int_equal(db_int(c->db, -1, "SELECT count FROM alerts WHERE tenant_id = ? AND"
		    " type = 'waf.attack_burst'", "l", c->a.tenant_id), 6);	/* the 50th..55th */
		/* medium attacks alone raise no per-attack alert; sources are canonical */
		assert_int_equal(db_int(c->db, -1, "SELECT count FROM alerts WHERE tenant_id = ? AND"
		    " type = 'waf.attack'", "l", c->a.tenant_id), 1);
		assert_int_equal(db_int(c->db, -1, "SELECT count FROM waf_stat_counts WHERE kind ="
		    " 'source' AND key = '2001:db8::7'", ""), SITES_BURST_EVENTS + 5);
	}
	/* an agent cannot send waf events; malformed ones refuse the batch */
	{
		struct node_principal agent = n;
		json_t *bad;

		snprintf(agent.kind, sizeof(agent.kind), "agent");
		assert_int_equal(nodes_events_ingest(c->db, &agent, batch, &x, &e), -1);
		assert_string_equal(e.code, "forbidden");
		bad = json_loads("{\"events\":[{\"seq\":9,\"time_ms\":1,\"module\":\"waf\","
		    "\"type\":\"waf.stats\",\"payload\":{\"site_id\":1,\"requests\":\"many\","
		    "\"blocked\":0}}]}", 0, NULL);
		assert_int_equal(nodes_events_ingest(c->db, &n, bad, &x, &e), -1);
		assert_string_equal(e.code, "invalid_field");
		json_decref(bad);
	}
	json_decref(batch);
	/* a disabled site leaves the bundle: a new version without it */
	in = json_pack("{s:s}", "status", "disabled");
	assert_int_equal(sites_update(c->db, &c->a, id, in, &x, &e), 0);
	json_decref(in);
	json_decref(x);
	p = bundle(c, sk, &v2);
	assert_true(v2 > v3);
	assert_int_equal(json_array_size(json_object_get(json_object_get(p, "policy"), "sites")),
	    0);
	json_decref(p);
	/* back in service, then the tenant suspended: a new version each time */
	in = json_pack("{s:s}", "status", "active");
	assert_int_equal(sites_update(c->db, &c->a, id, in, &x, &e), 0);
	json_decref(in);
	json_decref(x);
	p = bundle(c, sk, &v3);
	assert_true(v3 > v2);
	assert_int_equal(json_array_size(json_object_get(json_object_get(p, "policy"), "sites")),
	    1);
	json_decref(p);
	assert_int_equal(db_run(c->db, "UPDATE tenants SET status = 'suspended' WHERE id = ?", "l",
	    c->a.tenant_id), 1);
	p = bundle(c, sk, &v2);
	assert_true(v2 > v3);
	assert_int_equal(json_array_size(json_object_get(json_object_get(p, "policy"), "sites")),
	    0);
	json_decref(p);
	EVP_PKEY_free(sk);
	json_decref(s);
	free(cert);
	free(key);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_subscription_and_quota, setup, teardown),
		cmocka_unit_test_setup_teardown(test_isolation, setup, teardown),
		cmocka_unit_test_setup_teardown(test_certificates, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bundle_and_events, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
