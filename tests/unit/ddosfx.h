/*
 * ddosfx: a store with two tenant admins (alpha, beta), an operator, an
 * anti-ddos plan, a scrubber node and the provider's scrubber policy, plus
 * helpers that run ddos.c calls in a transaction and fetch the scrubber's
 * signed bundle verified with the agent's own policy_verify(). Shared by
 * test_ddos.c and test_ddos_bundle.c (the latter runs the scrubber's
 * parser, src/scrubber/bundle.c, on the same bundle).
 */
#ifndef YS_TEST_DDOSFX_H
#define YS_TEST_DDOSFX_H

#include "crypto.h"
#include "ddos.h"
#include "fixture.h"
#include "nodes.h"
#include "orders.h"
#include "policy.h"

struct dctx {
	struct fx *fx;
	struct db *db;
	struct principal a, b, admin;
	int64_t plan, node;
	EVP_PKEY *sk, *pk;
	char dir[200];
};

#define DFX_PROVIDER "{\"scrubbing\": [\"198.51.100.10\", \"2001:db8:53::10\"]," \
	" \"dns\": {\"server\": \"192.0.2.53\", \"zone\": \"ddos.example.net.\"," \
	" \"tsig_key\": \"yunshou-ddos\", \"tsig_secret\": \"file:/etc/yunshou/ddos-tsig.key\"," \
	" \"ttl\": 30, \"hold_down_s\": 300}," \
	" \"thresholds\": {\"pps\": 200000, \"syn_pps\": 20000}}"

static inline int
dfx_setup(void **state)
{
	struct dctx *c = calloc(1, sizeof(*c));
	struct ys_err e = { 0 };
	char path[300], pub[300], err[200];
	json_t *pol, *out = NULL;

	if (c == NULL || (c->fx = fx_new(1)) == NULL)
		return -1;
	c->db = c->fx->db;
	fx_two_tenants(c->fx, &c->a, &c->b, &c->admin);
	c->plan = fx_plan(c->fx, "anti-ddos", "pro", 50000);
	if (db_run(c->db, "UPDATE plans SET bandwidth_mbps = 2000 WHERE id = ?", "l", c->plan) != 1)
		return -1;
	if (db_run(c->db, "INSERT INTO nodes (tenant_id, kind, hostname, enrolled_at)"
	    " VALUES (NULL, 'scrubber', 'scrub-1', 0)", "") != 1)
		return -1;
	c->node = db_last_id(c->db);
	pol = json_loads(DFX_PROVIDER, 0, NULL);
	if (pol == NULL || nodes_policy_set(c->db, &c->admin, "scrubber", 0, pol, &out, &e) < 0)
		return -1;
	json_decref(pol);
	json_decref(out);
	snprintf(path, sizeof(path), "%s/sign.key", c->fx->dir);
	snprintf(pub, sizeof(pub), "%s/sign.pub", c->fx->dir);
	if (crypto_ed25519_generate(path, pub, err, sizeof(err)) < 0 ||
	    (c->sk = crypto_ed25519_load_private(path, err, sizeof(err))) == NULL ||
	    (c->pk = crypto_ed25519_load_public(pub, err, sizeof(err))) == NULL)
		return -1;
	*state = c;
	return 0;
}

static inline int
dfx_teardown(void **state)
{
	struct dctx *c = *state;

	EVP_PKEY_free(c->sk);
	EVP_PKEY_free(c->pk);
	fx_free(c->fx);
	free(c);
	return 0;
}

/* An offline order by the operator: n protected IPs for tenant. */
static inline void
dfx_subscribe(struct dctx *c, int64_t tenant, int n)
{
	json_t *in = json_pack("{s:I, s:i, s:i, s:I, s:s}", "plan_id", (json_int_t)c->plan,
	    "quantity", n, "months", 12, "tenant_id", (json_int_t)tenant, "contract_ref", "HT-9");
	json_t *out = NULL;
	struct ys_err e = { 0 };

	assert_int_equal(orders_create(c->db, &c->admin, in, &out, &e), 0);
	json_decref(in);
	json_decref(out);
}

/* Create a protected object from JSON text inside a transaction. */
static inline int
dfx_object(struct dctx *c, const struct principal *p, const char *json, json_t **out,
    struct ys_err *e)
{
	json_t *in = json_loads(json, 0, NULL);
	int rc;

	assert_non_null(in);
	memset(e, 0, sizeof(*e));
	*out = NULL;
	assert_int_equal(db_begin(c->db), 0);
	rc = ddos_object_create(c->db, false, p, in, out, e);
	if (rc == 0)
		db_commit(c->db);
	else
		db_rollback(c->db);
	json_decref(in);
	return rc;
}

/* The scrubber's bundle as the node receives it, verified with the agent's
 * policy_verify(): the full bundle in *signed_out (may be NULL), the
 * payload's policy returned, the version in *version. */
static inline json_t *
dfx_bundle(struct dctx *c, int64_t *version, json_t **signed_out)
{
	struct node_principal n = { .node_id = c->node, .tenant_id = 0 };
	struct ys_err e = { 0 };
	struct policy p = { 0 };
	char err[256];
	json_t *out = NULL, *body;

	snprintf(n.kind, sizeof(n.kind), "scrubber");
	assert_int_equal(nodes_policy_bundle(c->db, c->sk, c->fx->dir, &n, &out, &e), 0);
	if (policy_verify(c->pk, out, c->node, &p, err, sizeof(err)) < 0)
		fail_msg("bundle does not verify: %s", err);
	*version = p.version;
	body = json_incref(p.body);
	policy_clear(&p);
	if (signed_out)
		*signed_out = out;
	else
		json_decref(out);
	return body;
}

#endif
