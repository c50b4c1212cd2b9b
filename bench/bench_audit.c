/*
 * bench_audit: append rate of the audit trail and the time to verify it end
 * to end (hash chain + signed checkpoints), on a real SQLite store. Prints
 * figures; never fails on a time.
 *
 *   bench_audit [ENTRIES] [BATCH]
 *
 * ENTRIES defaults to 1,000,000. Appends run BATCH per transaction (default
 * 1: one transaction per entry, as the API does; larger batches show the
 * cost of the chain itself without the commit).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "audit.h"
#include "crypto.h"
#include "db.h"
#include "log.h"
#include "store.h"

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int
main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 1000000, batch = argc > 2 ? atol(argv[2]) : 1;
	char dir[] = "/tmp/ys-bench-audit-XXXXXX", path[256], pub[256], err[256], cmd[300];
	struct audit_verify_result r;
	struct db *db;
	EVP_PKEY *key;
	double t0, t1, t2;

	log_init("bench_audit", LOG_LVL_WARN, NULL);
	if (n <= 0 || batch <= 0 || mkdtemp(dir) == NULL)
		return 2;
	snprintf(path, sizeof(path), "%s/signing.key", dir);
	snprintf(pub, sizeof(pub), "%s/signing.pub", dir);
	if (crypto_ed25519_generate(path, pub, err, sizeof(err)) < 0 ||
	    (key = crypto_ed25519_load_private(path, err, sizeof(err))) == NULL) {
		fprintf(stderr, "bench_audit: %s\n", err);
		return 1;
	}
	snprintf(path, sizeof(path), "%s/yunshoud.db", dir);
	if (db_open(path, &db, err, sizeof(err)) < 0 || store_migrate(db, err, sizeof(err)) < 0) {
		fprintf(stderr, "bench_audit: %s\n", err);
		return 1;
	}
	audit_configure(key, 1000);
	t0 = now();
	for (long i = 0; i < n; i++) {
		char target[32], detail[96];
		struct audit_entry e = { .actor = "bench-user", .actor_id = 7, .tenant_id = 3,
			.source = "127.0.0.1", .action = "order.create", .target = target,
			.result = "ok", .detail = detail };

		snprintf(target, sizeof(target), "order/%ld", i + 1);
		snprintf(detail, sizeof(detail), "kind=new service=waf quantity=%ld months=12", i % 7 + 1);
		if (i % batch == 0 && batch > 1)
			db_begin(db);
		if (audit_append(db, &e) < 0) {
			fprintf(stderr, "bench_audit: append %ld failed\n", i);
			return 1;
		}
		if ((i % batch == batch - 1 || i == n - 1) && batch > 1)
			db_commit(db);
	}
	t1 = now();
	audit_checkpoint(db);
	t2 = now();
	if (audit_verify(db, key, &r) < 0 || !r.ok) {
		fprintf(stderr, "bench_audit: verify failed: %s\n", r.reason);
		return 1;
	}
	t2 = now() - t2;
	printf("audit append: %ld entries, %ld per transaction: %.2f s, %.0f entries/s\n",
	    n, batch, t1 - t0, (double)n / (t1 - t0));
	printf("audit verify: %lld entries, %lld checkpoints: %.3f s (%.0f entries/s)\n",
	    (long long)r.entries, (long long)r.checkpoints, t2, (double)r.entries / t2);
	db_close(db);
	EVP_PKEY_free(key);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : 1;
}
