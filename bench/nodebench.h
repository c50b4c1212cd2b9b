/*
 * nodebench: what the control-plane benchmarks of provider nodes share
 * (bench_sites, bench_ddos): a clock, tenants with an approved
 * subscription, and the costs a node pays — a heartbeat (the bundle
 * version) and the signed bundle.
 */
#ifndef YS_BENCH_NODEBENCH_H
#define YS_BENCH_NODEBENCH_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "auth.h"
#include "crypto.h"
#include "db.h"
#include "nodes.h"
#include "store.h"

static inline double
nb_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* In the fresh directory dir: a signing key, a migrated store, a provider
 * node of kind (its principal in *node); exits on an error. */
static inline void
nb_store(const char *dir, const char *kind, struct db **db, EVP_PKEY **key,
    struct node_principal *node)
{
	char path[256], pub[256], err[256];

	snprintf(path, sizeof(path), "%s/signing.key", dir);
	snprintf(pub, sizeof(pub), "%s/signing.pub", dir);
	if (crypto_ed25519_generate(path, pub, err, sizeof(err)) < 0 ||
	    (*key = crypto_ed25519_load_private(path, err, sizeof(err))) == NULL)
		goto fail;
	snprintf(path, sizeof(path), "%s/yunshoud.db", dir);
	if (db_open(path, db, err, sizeof(err)) < 0 || store_migrate(*db, err, sizeof(err)) < 0)
		goto fail;
	db_run(*db, "INSERT INTO nodes (tenant_id, kind, hostname, enrolled_at) VALUES"
	    " (NULL, ?, 'n', 0)", "s", kind);
	*node = (struct node_principal){ .node_id = db_last_id(*db), .tenant_id = 0 };
	snprintf(node->kind, sizeof(node->kind), "%s", kind);
	return;
fail:
	fprintf(stderr, "bench: %s\n", err);
	exit(1);
}

/* An active tenant t<n> with an approved subscription of quantity units of
 * service on plan; its tenant admin as a principal. */
static inline struct principal
nb_tenant(struct db *db, long n, const char *service, int64_t plan, int64_t quantity)
{
	struct principal p;
	char name[32];

	snprintf(name, sizeof(name), "t%ld", n);
	db_run(db, "INSERT INTO tenants (name, credit_code, contact_name, contact_email,"
	    " contact_phone, status, created_at) VALUES (?, ?, 'x', 'x@x.cn', '13800138000',"
	    " 'active', 0)", "ss", name, name);
	p = (struct principal){ .user_id = n + 1, .tenant_id = db_last_id(db),
	    .role = ROLE_TENANT_ADMIN };
	snprintf(p.username, sizeof(p.username), "admin-%ld", n);
	db_run(db, "INSERT INTO orders (tenant_id, kind, plan_id, service, quantity, months,"
	    " total_fen, status, created_by, created_at) VALUES (?, 'new', ?, ?, ?, 12, 0,"
	    " 'approved', 'b', 0)", "llsl", p.tenant_id, plan, service, quantity);
	db_run(db, "INSERT INTO subscriptions (tenant_id, service, plan_id, quantity,"
	    " starts_at, ends_at, order_id) VALUES (?, ?, ?, ?, 0, 4000000000, ?)", "lslll",
	    p.tenant_id, service, plan, quantity, db_last_id(db));
	return p;
}

struct nb_costs {
	double heartbeat_s, bundle_s;	/* each, averaged */
	int64_t version;
	size_t bundle_bytes;
};

/* 10 heartbeats and 5 signed bundles of node; exits on an error. */
static inline struct nb_costs
nb_node_costs(struct db *db, EVP_PKEY *key, const char *state_dir,
    const struct node_principal *node)
{
	struct nb_costs c = { 0 };
	struct ys_err e = { 0 };
	json_t *out = NULL;
	double t0 = nb_now();

	for (int i = 0; i < 10; i++) {
		json_t *hb = json_object();

		if (nodes_heartbeat(db, node, hb, &out, &e) < 0) {
			fprintf(stderr, "heartbeat: %s\n", e.msg);
			exit(1);
		}
		c.version = json_integer_value(json_object_get(out, "policy_version"));
		json_decref(out);
		json_decref(hb);
	}
	c.heartbeat_s = (nb_now() - t0) / 10;
	t0 = nb_now();
	for (int i = 0; i < 5; i++) {
		if (nodes_policy_bundle(db, key, state_dir, node, &out, &e) < 0) {
			fprintf(stderr, "bundle: %s\n", e.msg);
			exit(1);
		}
		c.bundle_bytes = strlen(json_string_value(json_object_get(out, "payload")));
		json_decref(out);
	}
	c.bundle_s = (nb_now() - t0) / 5;
	return c;
}

#endif
