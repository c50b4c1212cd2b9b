/*
 * bench_vuln: host vulnerability matching (issue: vulnerability scanning).
 * This machine's real dpkg inventory is matched against a SYNTHETIC Debian
 * Security Tracker feed of realistic size (no full-size real feed is on the
 * machine, and nothing may be downloaded): every installed source package
 * plus generated ones up to PACKAGES packages, each with CVES_PER advisories
 * whose bookworm entries are fixed above or below the installed version,
 * not affected ("0") or unfixed, and entries for other releases. Prints the
 * feed size, the load (parse + store) time and the match time. Prints
 * figures; never fails on a time.
 *
 *   bench_vuln [PACKAGES] [CVES_PER]      (defaults 30000 and 6)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "db.h"
#include "feeds.h"
#include "log.h"
#include "packages.h"
#include "store.h"
#include "vulnmatch.h"

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* One package's advisories; i picks which kind each one is. */
static void
write_package(FILE *f, const char *name, const char *installed, long i, int cves, int *first)
{
	fprintf(f, "%s\"%s\":{", *first ? "" : ",", name);
	*first = 0;
	for (int k = 0; k < cves; k++) {
		long n = i * cves + k;
		const char *status = "resolved", *urg = (n % 3 == 0) ? "high" : (n % 3 == 1) ?
		    "medium" : "low";
		char fixed[200];

		switch (n % 4) {
		case 0:		/* fixed in a later version: affected */
			snprintf(fixed, sizeof(fixed), "\"fixed_version\":\"%s+deb12u9\",", installed);
			break;
		case 1:		/* fixed long ago: not affected */
			snprintf(fixed, sizeof(fixed), "\"fixed_version\":\"0.1-1\",");
			break;
		case 2:		/* never affected this release */
			snprintf(fixed, sizeof(fixed), "\"fixed_version\":\"0\",");
			break;
		default:	/* no fix yet */
			fixed[0] = '\0';
			status = "open";
		}
		fprintf(f, "%s\"CVE-%ld-%05ld\":{\"description\":\"synthetic advisory %ld for %s,"
		    " written by bench_vuln to size the feed like the real tracker\",\"scope\":"
		    "\"local\",\"releases\":{\"bookworm\":{\"status\":\"%s\",%s\"urgency\":\"%s\","
		    "\"repositories\":{\"bookworm\":\"%s\"}},\"bullseye\":{\"status\":\"resolved\","
		    "\"fixed_version\":\"1.0-1\",\"urgency\":\"low\",\"repositories\":{\"bullseye\":"
		    "\"1.0-1\"}},\"trixie\":{\"status\":\"resolved\",\"fixed_version\":\"0\","
		    "\"urgency\":\"unimportant\",\"repositories\":{\"trixie\":\"2.0-1\"}}}}",
		    k ? "," : "", 2000 + n % 25, n % 100000, n, name, status, fixed, urg, installed);
	}
	fputc('}', f);
}

int
main(int argc, char **argv)
{
	long packages = argc > 1 ? atol(argv[1]) : 30000;
	int cves = argc > 2 ? atoi(argv[2]) : 6;
	char dir[] = "/tmp/ys-bench-vuln-XXXXXX", path[256], err[256], cmd[300];
	const char *format = NULL;
	json_t *inv, *pkg, *snap, *out = NULL, *seen;
	struct ys_err e = { 0 };
	struct db *db;
	struct stat st;
	double t0, t1, t2;
	int64_t tenant, node, found = 0;
	size_t i;
	int first = 1;
	char *text;
	FILE *f;

	log_init("bench_vuln", LOG_LVL_WARN, NULL);
	if (mkdtemp(dir) == NULL)
		return 2;
	inv = packages_read("/", &format, err, sizeof(err));
	if (inv == NULL) {
		fprintf(stderr, "bench_vuln: %s\n", err);
		return 1;
	}
	/* The feed: every installed source package once, then generated ones. */
	snprintf(path, sizeof(path), "%s/tracker.json", dir);
	f = fopen(path, "w");
	fputc('{', f);
	seen = json_object();
	json_array_foreach(inv, i, pkg) {
		const char *src = json_string_value(json_object_get(pkg, "source"));
		const char *ver = json_string_value(json_object_get(pkg, "source_version"));

		if (src == NULL || ver == NULL || json_object_get(seen, src))
			continue;
		json_object_set_new(seen, src, json_true());
		write_package(f, src, ver, (long)json_object_size(seen), cves, &first);
	}
	for (long k = (long)json_object_size(seen); k < packages; k++) {
		char name[64];

		snprintf(name, sizeof(name), "synthetic-package-%ld", k);
		write_package(f, name, "1.2.3-4", k, cves, &first);
	}
	fputc('}', f);
	fclose(f);
	stat(path, &st);
	/* A store with one Debian 12 host holding this machine's packages. */
	snprintf(cmd, sizeof(cmd), "%s/yunshoud.db", dir);
	if (db_open(cmd, &db, err, sizeof(err)) < 0 || store_migrate(db, err, sizeof(err)) < 0) {
		fprintf(stderr, "bench_vuln: %s\n", err);
		return 1;
	}
	db_run(db, "INSERT INTO tenants (name, credit_code, contact_name, contact_email,"
	    " contact_phone, status, created_at) VALUES ('bench', 'bench', 'b', 'b@example.cn',"
	    " '13800138000', 'active', 1)", "");
	tenant = db_last_id(db);
	db_run(db, "INSERT INTO nodes (tenant_id, kind, hostname, enrolled_at) VALUES (?, 'agent',"
	    " 'bench', 1)", "l", tenant);
	node = db_last_id(db);
	snap = json_pack("{s:s, s:i, s:i, s:I, s:{s:s, s:s, s:s}, s:O}", "snapshot_id", "bench",
	    "part", 1, "parts", 1, "package_count", (json_int_t)json_array_size(inv), "os", "id",
	    "debian", "version_id", "12", "version_codename", "bookworm", "packages", inv);
	text = json_dumps(snap, JSON_COMPACT);
	db_run(db, "INSERT INTO node_events (node_id, seq, tenant_id, time_ms, module, type,"
	    " payload, received_at) VALUES (?, 1, ?, 1, 'inventory', 'inventory.snapshot', ?, 1)",
	    "lls", node, tenant, text);
	free(text);
	json_decref(snap);
	t0 = now();
	if (feeds_import(db, "debian-tracker", path, "bench", &out, &e) < 0) {
		fprintf(stderr, "bench_vuln: import failed: %s\n", e.msg);
		return 1;
	}
	t1 = now();
	found = vulnmatch_node(db, node);
	t2 = now();
	printf("vuln feed: synthetic Debian tracker JSON, %.1f MB, %ld packages x %d CVEs "
	    "(%zu of them this machine's source packages)\n", (double)st.st_size / 1e6,
	    packages > (long)json_object_size(seen) ? packages : (long)json_object_size(seen), cves,
	    json_object_size(seen));
	printf("vuln feed load (parse + store, one transaction): %.2f s\n", t1 - t0);
	printf("vuln match: %zu installed packages against it: %.1f ms, %lld findings\n",
	    json_array_size(inv), (t2 - t1) * 1000, (long long)found);
	t1 = now();
	found = vulnmatch_node(db, node);
	t2 = now();
	printf("vuln re-match (unchanged inventory): %.1f ms, %lld findings\n", (t2 - t1) * 1000,
	    (long long)found);
	json_decref(out);
	json_decref(seen);
	json_decref(inv);
	db_close(db);
	if (getenv("BENCH_VULN_KEEP")) { printf("kept %s\n", dir); return 0; }
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : 1;
}
