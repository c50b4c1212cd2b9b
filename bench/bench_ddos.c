/*
 * bench_ddos: the control-plane costs of the anti-DDoS service on a real
 * SQLite store: protecting addresses (one transaction each, with the
 * quota), what a scrubber node's heartbeat pays for the bundle version, the
 * signed bundle, and the intake of attack records as yunshou-scrubber
 * writes them (put into the envelope, checked, folded into attack records).
 * Prints figures and ratios; never fails on a time.
 *
 *   bench_ddos [OBJECTS] [EVENTS]     (defaults 1000 objects, 20000 events)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "crypto.h"
#include "db.h"
#include "ddos.h"
#include "log.h"
#include "nodebench.h"
#include "nodes.h"
#include "store.h"

#define PER_TENANT 50

static void
die(const char *what, const struct ys_err *e)
{
	fprintf(stderr, "bench_ddos: %s: %s\n", what, e ? e->msg : "");
	exit(1);
}

#define PROVIDER "{\"scrubbing\": [\"198.51.100.10\"], \"dns\": {\"server\": \"192.0.2.53\"," \
	" \"zone\": \"ddos.example.net.\", \"tsig_key\": \"k\", \"tsig_secret\": \"env:TSIG\"}," \
	" \"thresholds\": {\"pps\": 200000}}"

/* An attack record of object n as yunshou-scrubber writes it. */
static json_t *
record(long seq, long n, long attack, double peak)
{
	char obj[32], ip[32], start[40];

	snprintf(obj, sizeof(obj), "obj-%ld", n + 1);
	snprintf(ip, sizeof(ip), "100.%ld.%ld.%ld", 64 + n / 65536 % 64, n / 256 % 256, n % 256);
	snprintf(start, sizeof(start), "2026-11-24T%02ld:%02ld:%02ld.000Z", attack / 3600 % 24,
	    attack / 60 % 60, attack % 60);
	return json_pack("{s:I, s:s, s:s, s:s, s:i, s:s, s:[s], s:[s], s:s, s:f, s:f, s:f, s:I,"
	    " s:I, s:s, s:i, s:[{s:s, s:I}]}", "seq", (json_int_t)seq, "event", "attack_update", "time", start,
	    "object", obj, "tenant", 1, "ip", ip, "vectors", "syn-flood", "triggers", "pps",
	    "start", start, "baseline_p95_pps", 100.0, "peak_pps", peak, "peak_bps", peak * 480,
	    "dropped_pkts", (json_int_t)peak, "dropped_bytes", (json_int_t)peak * 60,
	    "mitigations", "syn-cookies", "mitigation_us", 300, "top_sources", "addr",
	    "192.0.2.66", "pkts_estimate", (json_int_t)peak / 2);
}

int
main(int argc, char **argv)
{
	long nobj = argc > 1 ? atol(argv[1]) : 1000, nevents = argc > 2 ? atol(argv[2]) : 20000;
	char dir[] = "/tmp/ys-bench-ddos-XXXXXX", cmd[300];
	long ntenants = (nobj + PER_TENANT - 1) / PER_TENANT;
	struct principal admin = { .role = ROLE_ADMIN, .username = "root" }, *who;
	struct node_principal node;
	struct ys_err e = { 0 };
	struct db *db;
	EVP_PKEY *key;
	double t0, t_create, t_ingest;
	struct nb_costs costs;
	int64_t plan;
	json_t *out = NULL, *pol;

	log_init("bench_ddos", LOG_LVL_WARN, NULL);
	if (nobj <= 0 || nobj > 4096 * 4 || nevents <= 0 || mkdtemp(dir) == NULL)
		return 2;
	nb_store(dir, "scrubber", &db, &key, &node);
	db_run(db, "INSERT INTO plans (service, name, price_fen, bandwidth_mbps, created_at)"
	    " VALUES ('anti-ddos', 'b', 100, 1000, 0)", "");
	plan = db_last_id(db);
	pol = json_loads(PROVIDER, 0, NULL);
	if (nodes_policy_set(db, &admin, "scrubber", 0, pol, &out, &e) < 0)
		die("provider policy", &e);
	json_decref(pol);
	json_decref(out);
	who = calloc((size_t)ntenants, sizeof(*who));
	for (long t = 0; t < ntenants; t++)
		who[t] = nb_tenant(db, t, DDOS_SERVICE, plan, PER_TENANT);
	/* one object per address, in 100.64.0.0/10 (ddos_allow_private) */
	t0 = nb_now();
	for (long i = 0; i < nobj; i++) {
		char name[32], ip[32];
		json_t *in;

		snprintf(name, sizeof(name), "o%ld", i);
		snprintf(ip, sizeof(ip), "100.%ld.%ld.%ld", 64 + i / 65536 % 64, i / 256 % 256,
		    i % 256);
		in = json_pack("{s:s, s:[{s:s, s:[{s:s, s:[i, i]}, {s:s, s:[s]}]}]}", "name", name,
		    "ips", "addr", ip, "services", "proto", "tcp", "ports", 80, 443, "proto", "udp",
		    "ports", "3000-3010");
		db_begin(db);
		if (ddos_object_create(db, true, &who[i / PER_TENANT], in, &out, &e) < 0) {
			db_rollback(db);
			die("object", &e);
		}
		db_commit(db);
		json_decref(in);
		json_decref(out);
	}
	t_create = nb_now() - t0;

	/* What every heartbeat of a scrubber pays (the version only), and the
	 * bundle. */
	costs = nb_node_costs(db, key, dir, &node);

	/* attack_update records: 20 updates per attack, attacks spread over the
	 * objects */
	t0 = nb_now();
	for (long done = 0; done < nevents;) {
		json_t *batch = json_pack("{s:[]}", "events");

		for (int k = 0; k < 1000 && done < nevents; k++, done++)
			json_array_append_new(json_object_get(batch, "events"), record(done + 1,
			    done / 20 % nobj, done / 20, 1000.0 + (double)(done % 20) * 1000));
		db_begin(db);
		if (nodes_events_ingest(db, &node, batch, &out, &e) < 0)
			die("ingest", &e);
		db_commit(db);
		json_decref(out);
		json_decref(batch);
	}
	t_ingest = nb_now() - t0;

	printf("anti-DDoS on SQLite: %ld protected objects (one address, tcp 80/443 + udp range "
	    "each) of %ld tenants\n", nobj, ntenants);
	printf("  protect an address (1 transaction, quota)   %8.3f ms per object\n",
	    t_create * 1000 / nobj);
	printf("  scrubber heartbeat with bundle version      %8.2f ms  (version %lld)\n",
	    costs.heartbeat_s * 1000, (long long)costs.version);
	printf("  signed scrubber bundle, %zu bytes       %8.2f ms  (%.1f x the heartbeat)\n",
	    costs.bundle_bytes, costs.bundle_s * 1000, costs.bundle_s / costs.heartbeat_s);
	printf("  attack records intake, batches of 1000      %8.0f events/s (%lld attacks)\n",
	    nevents / t_ingest, (long long)db_int(db, 0, "SELECT count(*) FROM ddos_attacks", ""));
	db_close(db);
	EVP_PKEY_free(key);
	free(who);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : 1;
}
