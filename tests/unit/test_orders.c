/*
 * test_orders: what a tenant gets for an order. Quota exists only while an
 * approved, uncancelled, unexpired subscription grants it; each resource
 * takes one unit, idempotently; a change cannot take away units in use;
 * renewals add calendar months; totals are price x quantity x months; only
 * active tenants can order; another tenant's orders do not exist.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fixture.h"
#include "orders.h"

#define SVC "host-protection"
#define PRICE 10000		/* fen per unit per month */

struct ctx {
	struct fx *fx;
	struct db *db;
	int64_t tenant, other, pending, suspended, plan;
	struct principal admin, tadmin, tother, tpending, tsuspended;
};

static int
setup(void **state)
{
	struct ctx *c = calloc(1, sizeof(*c));

	if (c == NULL || (c->fx = fx_new(1)) == NULL)
		return -1;
	c->db = c->fx->db;
	c->tenant = fx_tenant(c->fx, "acme", "active");
	c->other = fx_tenant(c->fx, "globex", "active");
	c->pending = fx_tenant(c->fx, "newco", "pending");
	c->suspended = fx_tenant(c->fx, "badco", "suspended");
	c->plan = fx_plan(c->fx, SVC, "standard", PRICE);
	if (c->tenant < 0 || c->other < 0 || c->pending < 0 || c->suspended < 0 || c->plan < 0)
		return -1;
	c->admin = fx_principal(1, "root", ROLE_ADMIN, 0);
	c->tadmin = fx_principal(2, "acme-admin", ROLE_TENANT_ADMIN, c->tenant);
	c->tother = fx_principal(3, "globex-admin", ROLE_TENANT_ADMIN, c->other);
	c->tpending = fx_principal(4, "newco-admin", ROLE_TENANT_ADMIN, c->pending);
	c->tsuspended = fx_principal(5, "badco-admin", ROLE_TENANT_ADMIN, c->suspended);
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

static int64_t
jint(const json_t *o, const char *k)
{
	return (int64_t)json_integer_value(json_object_get(o, k));
}

static const char *
jstr(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

/* An order by p; tenant_id and contract_ref are added for admins. Returns
 * the order JSON, or NULL with e filled. */
static json_t *
order(struct ctx *c, const struct principal *p, int64_t tenant, int64_t plan, int qty,
    int months, struct ys_err *e)
{
	json_t *in = json_pack("{s:I, s:i, s:i}", "plan_id", (json_int_t)plan, "quantity", qty,
	    "months", months), *out = NULL;

	if (p->role == ROLE_ADMIN) {
		json_object_set_new(in, "tenant_id", json_integer(tenant));
		json_object_set_new(in, "contract_ref", json_string("HT-2026-001"));
	}
	memset(e, 0, sizeof(*e));
	if (orders_create(c->db, p, in, &out, e) < 0)
		out = NULL;
	json_decref(in);
	return out;
}

/* An approved subscription of qty units for c->tenant; returns its id. */
static int64_t
subscribe(struct ctx *c, int qty, int months)
{
	struct ys_err e;
	json_t *o = order(c, &c->admin, c->tenant, c->plan, qty, months, &e);
	int64_t sub;

	assert_non_null(o);
	sub = jint(o, "subscription_id");
	assert_true(sub > 0);
	json_decref(o);
	return sub;
}

static int
acquire(struct ctx *c, const char *resource, const char **code)
{
	struct ys_err e = { 0 };
	int rc = orders_quota_acquire(c->db, c->tenant, SVC, resource, &e);

	*code = e.code;
	return rc;
}

static int64_t
limit(struct ctx *c)
{
	return orders_quota_limit(c->db, c->tenant, SVC);
}

static int64_t
used(struct ctx *c)
{
	return orders_quota_used(c->db, c->tenant, SVC);
}

static int64_t
ends_at(struct ctx *c, int64_t sub)
{
	return db_int(c->db, 0, "SELECT ends_at FROM subscriptions WHERE id = ?", "l", sub);
}

static void
set_ends_at(struct ctx *c, int64_t sub, const char *when)
{
	int64_t t;

	assert_int_equal(db_time_parse(when, &t), 0);
	assert_int_equal(db_run(c->db, "UPDATE subscriptions SET ends_at = ? WHERE id = ?", "ll", t,
	    sub), 1);
}

static void
assert_ends(struct ctx *c, int64_t sub, const char *when)
{
	int64_t t;

	assert_int_equal(db_time_parse(when, &t), 0);
	if (ends_at(c, sub) != t) {
		char got[32];

		db_time_text(ends_at(c, sub), got, sizeof(got));
		fprintf(stderr, "ends_at %s, want %s\n", got, when);
	}
	assert_int_equal(ends_at(c, sub), t);
}

static void
test_no_subscription_no_quota(void **state)
{
	struct ctx *c = *state;
	const char *code;
	json_t *report, *v;
	size_t i;

	assert_int_equal(limit(c), 0);
	assert_int_equal(acquire(c, "node/1", &code), -1);
	assert_string_equal(code, "quota_exceeded");
	assert_int_equal(used(c), 0);
	report = orders_quota_report(c->db, c->tenant);
	assert_int_equal(json_array_size(report), 5);
	json_array_foreach(report, i, v) {
		assert_int_equal(jint(v, "limit"), 0);
		assert_int_equal(jint(v, "used"), 0);
	}
	json_decref(report);
}

static void
test_quota_counts_resources(void **state)
{
	struct ctx *c = *state;
	const char *code;
	struct ys_err e = { 0 };

	subscribe(c, 3, 12);
	assert_int_equal(limit(c), 3);
	assert_int_equal(acquire(c, "node/1", &code), 0);
	assert_int_equal(acquire(c, "node/2", &code), 0);
	assert_int_equal(acquire(c, "node/3", &code), 0);
	assert_int_equal(acquire(c, "node/4", &code), -1);
	assert_string_equal(code, "quota_exceeded");
	/* The same resource again takes nothing more. */
	assert_int_equal(acquire(c, "node/1", &code), 0);
	assert_int_equal(used(c), 3);
	/* Releasing frees a slot for another resource. */
	assert_int_equal(orders_quota_release(c->db, c->tenant, SVC, "node/2"), 0);
	assert_int_equal(used(c), 2);
	assert_int_equal(acquire(c, "node/4", &code), 0);
	assert_int_equal(acquire(c, "node/5", &code), -1);
	/* Quota is per service and per tenant. */
	assert_int_equal(orders_quota_limit(c->db, c->tenant, "waf"), 0);
	assert_int_equal(orders_quota_acquire(c->db, c->tenant, "waf", "site/1", &e), -1);
	assert_int_equal(orders_quota_limit(c->db, c->other, SVC), 0);
	assert_int_equal(orders_quota_acquire(c->db, c->other, SVC, "node/1", &e), -1);
	/* Inside a caller's transaction a refused acquire leaves it usable. */
	assert_int_equal(db_begin(c->db), 0);
	assert_int_equal(acquire(c, "node/6", &code), -1);
	assert_true(db_in_tx(c->db));
	assert_int_equal(db_commit(c->db), 0);
	assert_int_equal(used(c), 3);
}

static void
test_offline_order_approved_at_once(void **state)
{
	struct ctx *c = *state;
	struct ys_err e;
	json_t *o = order(c, &c->admin, c->tenant, c->plan, 2, 6, &e), *sub;
	struct ys_err e2 = { 0 };

	assert_non_null(o);
	assert_string_equal(jstr(o, "status"), "approved");
	assert_true(json_is_true(json_object_get(o, "offline")));
	assert_string_equal(jstr(o, "contract_ref"), "HT-2026-001");
	assert_string_equal(jstr(o, "decided_by"), "root");
	assert_string_equal(jstr(o, "kind"), "new");
	sub = subscriptions_get(c->db, &c->tadmin, jint(o, "subscription_id"), &e2);
	assert_non_null(sub);
	assert_string_equal(jstr(sub, "status"), "active");
	assert_int_equal(jint(sub, "quantity"), 2);
	assert_int_equal(jint(sub, "order_id"), jint(o, "id"));
	json_decref(sub);
	json_decref(o);
}

static void
test_tenant_order_needs_approval(void **state)
{
	struct ctx *c = *state;
	struct ys_err e;
	json_t *o = order(c, &c->tadmin, 0, c->plan, 2, 6, &e), *d = NULL;
	int64_t id;

	assert_non_null(o);
	id = jint(o, "id");
	assert_string_equal(jstr(o, "status"), "pending");
	assert_true(json_is_false(json_object_get(o, "offline")));
	assert_true(json_is_null(json_object_get(o, "subscription_id")));
	assert_int_equal(jint(o, "tenant_id"), c->tenant);
	json_decref(o);
	assert_int_equal(limit(c), 0);

	memset(&e, 0, sizeof(e));
	assert_int_equal(orders_decide(c->db, &c->admin, id, true, NULL, &d, &e), 0);
	assert_string_equal(jstr(d, "status"), "approved");
	assert_true(jint(d, "subscription_id") > 0);
	json_decref(d);
	assert_int_equal(limit(c), 2);
	/* Decided once. */
	assert_int_equal(orders_decide(c->db, &c->admin, id, true, NULL, &d, &e), -1);
	assert_string_equal(e.code, "conflict");
	assert_int_equal(limit(c), 2);

	/* A rejection needs a reason and grants nothing. */
	o = order(c, &c->tadmin, 0, c->plan, 5, 1, &e);
	id = jint(o, "id");
	json_decref(o);
	assert_int_equal(orders_decide(c->db, &c->admin, id, false, NULL, &d, &e), -1);
	assert_string_equal(e.code, "missing_field");
	assert_int_equal(orders_decide(c->db, &c->admin, id, false, "no budget", &d, &e), 0);
	assert_string_equal(jstr(d, "status"), "rejected");
	assert_string_equal(jstr(d, "reason"), "no budget");
	json_decref(d);
	assert_int_equal(limit(c), 2);
	assert_int_equal(orders_decide(c->db, &c->admin, 999, true, NULL, &d, &e), -1);
	assert_string_equal(e.code, "not_found");
}

static void
test_order_totals(void **state)
{
	struct ctx *c = *state;
	int64_t cheap = fx_plan(c->fx, "waf", "odd", 1999);
	struct ys_err e;
	json_t *o;

	o = order(c, &c->tadmin, 0, c->plan, 3, 12, &e);
	assert_int_equal(jint(o, "total_fen"), (int64_t)PRICE * 3 * 12);
	assert_string_equal(jstr(o, "total_cny"), "3600.00");
	json_decref(o);
	o = order(c, &c->admin, c->tenant, cheap, 7, 5, &e);
	assert_int_equal(jint(o, "total_fen"), 1999 * 7 * 5);
	assert_string_equal(jstr(o, "total_cny"), "699.65");
	assert_string_equal(jstr(o, "service"), "waf");
	json_decref(o);
	/* The largest order the API accepts does not overflow. */
	o = order(c, &c->tadmin, 0, c->plan, ORDERS_MAX_QUANTITY, ORDERS_MAX_MONTHS, &e);
	assert_int_equal(jint(o, "total_fen"), (int64_t)PRICE * ORDERS_MAX_QUANTITY *
	    ORDERS_MAX_MONTHS);
	json_decref(o);
}

static void
test_cancelled_grants_nothing(void **state)
{
	struct ctx *c = *state;
	int64_t sub = subscribe(c, 3, 12);
	struct ys_err e = { 0 };
	const char *code;
	json_t *out = NULL;

	assert_int_equal(acquire(c, "node/1", &code), 0);
	assert_int_equal(subscriptions_cancel(c->db, &c->tadmin, sub, "moving", &out, &e), 0);
	assert_string_equal(jstr(out, "status"), "cancelled");
	json_decref(out);
	assert_int_equal(limit(c), 0);
	assert_int_equal(acquire(c, "node/2", &code), -1);
	assert_string_equal(code, "quota_exceeded");
	assert_int_equal(subscriptions_cancel(c->db, &c->tadmin, sub, NULL, &out, &e), -1);
	assert_string_equal(e.code, "conflict");
	assert_int_equal(subscriptions_amend(c->db, &c->admin, sub, 1, 0, &out, &e), -1);
	assert_string_equal(e.code, "conflict");
}

static void
test_expired_grants_nothing(void **state)
{
	struct ctx *c = *state;
	int64_t sub = subscribe(c, 3, 12);
	struct ys_err e = { 0 };
	const char *code;
	json_t *s;

	assert_int_equal(db_run(c->db, "UPDATE subscriptions SET ends_at = ? WHERE id = ?", "ll",
	    (int64_t)time(NULL) - 1, sub), 1);
	assert_int_equal(limit(c), 0);
	assert_int_equal(acquire(c, "node/1", &code), -1);
	s = subscriptions_get(c->db, &c->tadmin, sub, &e);
	assert_string_equal(jstr(s, "status"), "expired");
	json_decref(s);
	/* A quantity change needs an active subscription. */
	assert_int_equal(subscriptions_amend(c->db, &c->admin, sub, 0, 5, &s, &e), -1);
	assert_string_equal(e.code, "conflict");
}

static void
test_change_below_usage_refused(void **state)
{
	struct ctx *c = *state;
	int64_t sub = subscribe(c, 3, 12), oid;
	struct ys_err e = { 0 };
	const char *code;
	json_t *o = NULL;

	assert_int_equal(acquire(c, "node/1", &code), 0);
	assert_int_equal(acquire(c, "node/2", &code), 0);
	assert_int_equal(acquire(c, "node/3", &code), 0);
	assert_int_equal(subscriptions_amend(c->db, &c->admin, sub, 0, 2, &o, &e), -1);
	assert_string_equal(e.code, "conflict");
	assert_int_equal(subscriptions_amend(c->db, &c->admin, sub, 0, 3, &o, &e), -1);
	assert_string_equal(e.code, "conflict");
	assert_int_equal(limit(c), 3);
	/* Up is fine, and approved at once for an admin. */
	assert_int_equal(subscriptions_amend(c->db, &c->admin, sub, 0, 5, &o, &e), 0);
	assert_string_equal(jstr(o, "kind"), "change");
	assert_string_equal(jstr(o, "status"), "approved");
	json_decref(o);
	assert_int_equal(limit(c), 5);
	/* Down to what is in use, once resources are released. */
	orders_quota_release(c->db, c->tenant, SVC, "node/3");
	orders_quota_release(c->db, c->tenant, SVC, "node/2");
	assert_int_equal(subscriptions_amend(c->db, &c->admin, sub, 0, 1, &o, &e), 0);
	json_decref(o);
	assert_int_equal(limit(c), 1);

	/* Usage that grows while a tenant's change waits is checked again at
	 * approval. */
	assert_int_equal(subscriptions_amend(c->db, &c->admin, sub, 0, 4, &o, &e), 0);
	json_decref(o);
	assert_int_equal(subscriptions_amend(c->db, &c->tadmin, sub, 0, 1, &o, &e), 0);
	assert_string_equal(jstr(o, "status"), "pending");
	oid = jint(o, "id");
	json_decref(o);
	assert_int_equal(acquire(c, "node/2", &code), 0);
	assert_int_equal(orders_decide(c->db, &c->admin, oid, true, NULL, &o, &e), -1);
	assert_string_equal(e.code, "conflict");
	assert_int_equal(limit(c), 4);
}

/* Renew sub by months through a tenant's order and an admin's approval. */
static void
renew(struct ctx *c, int64_t sub, int months)
{
	struct ys_err e = { 0 };
	json_t *o = NULL, *d = NULL;

	assert_int_equal(subscriptions_amend(c->db, &c->tadmin, sub, months, 0, &o, &e), 0);
	assert_string_equal(jstr(o, "kind"), "renewal");
	assert_string_equal(jstr(o, "status"), "pending");
	assert_int_equal(jint(o, "total_fen"), (int64_t)PRICE * 2 * months);
	assert_int_equal(orders_decide(c->db, &c->admin, jint(o, "id"), true, NULL, &d, &e), 0);
	assert_int_equal(jint(d, "subscription_id"), sub);
	json_decref(o);
	json_decref(d);
}

static void
test_renewal_adds_calendar_months(void **state)
{
	struct ctx *c = *state;
	int64_t sub = subscribe(c, 2, 1), now, end;

	set_ends_at(c, sub, "2027-01-31T00:00:00Z");
	renew(c, sub, 1);
	assert_ends(c, sub, "2027-02-28T00:00:00Z");
	set_ends_at(c, sub, "2027-12-31T10:20:30Z");
	renew(c, sub, 2);
	assert_ends(c, sub, "2028-02-29T10:20:30Z");
	renew(c, sub, 12);
	assert_ends(c, sub, "2029-02-28T10:20:30Z");
	set_ends_at(c, sub, "2027-03-15T00:00:00Z");
	renew(c, sub, 11);
	assert_ends(c, sub, "2028-02-15T00:00:00Z");
	assert_int_equal(limit(c), 2);

	/* An expired subscription renews from now, not from its old end. */
	now = time(NULL);
	assert_int_equal(db_run(c->db, "UPDATE subscriptions SET ends_at = ? WHERE id = ?", "ll",
	    now - 40 * 86400, sub), 1);
	assert_int_equal(limit(c), 0);
	renew(c, sub, 1);
	end = ends_at(c, sub);
	assert_true(end >= now + 28 * 86400 && end <= now + 31 * 86400 + 5);
	assert_int_equal(limit(c), 2);
}

static void
test_inactive_tenant_cannot_order(void **state)
{
	struct ctx *c = *state;
	struct ys_err e;
	json_t *o;

	assert_null(order(c, &c->tpending, 0, c->plan, 1, 1, &e));
	assert_string_equal(e.code, "conflict");
	assert_null(order(c, &c->tsuspended, 0, c->plan, 1, 1, &e));
	assert_string_equal(e.code, "conflict");
	assert_null(order(c, &c->admin, c->pending, c->plan, 1, 1, &e));
	assert_string_equal(e.code, "conflict");
	assert_null(order(c, &c->admin, 999, c->plan, 1, 1, &e));
	assert_string_equal(e.code, "not_found");
	assert_int_equal(db_int(c->db, -1, "SELECT count(*) FROM orders", ""), 0);

	/* A pending order is not approved for a tenant suspended meanwhile. */
	o = order(c, &c->tadmin, 0, c->plan, 1, 1, &e);
	assert_non_null(o);
	assert_int_equal(db_run(c->db, "UPDATE tenants SET status = 'suspended' WHERE id = ?", "l",
	    c->tenant), 1);
	{
		json_t *d = NULL;

		assert_int_equal(orders_decide(c->db, &c->admin, jint(o, "id"), true, NULL, &d, &e),
		    -1);
		assert_string_equal(e.code, "conflict");
	}
	json_decref(o);
	assert_int_equal(limit(c), 0);
}

static void
test_order_input_rules(void **state)
{
	struct ctx *c = *state;
	struct ys_err e = { 0 };
	json_t *in, *out = NULL;
	int64_t retired = fx_plan(c->fx, SVC, "old", 500);

	/* Tenants may not name a tenant or a contract. */
	in = json_pack("{s:I, s:i, s:i, s:I}", "plan_id", (json_int_t)c->plan, "quantity", 1,
	    "months", 1, "tenant_id", (json_int_t)c->other);
	assert_int_equal(orders_create(c->db, &c->tadmin, in, &out, &e), -1);
	assert_string_equal(e.code, "invalid_field");
	json_decref(in);
	/* Offline orders need a contract reference. */
	in = json_pack("{s:I, s:i, s:i, s:I}", "plan_id", (json_int_t)c->plan, "quantity", 1,
	    "months", 1, "tenant_id", (json_int_t)c->tenant);
	assert_int_equal(orders_create(c->db, &c->admin, in, &out, &e), -1);
	assert_string_equal(e.code, "missing_field");
	json_decref(in);
	/* Retired plans cannot be ordered. */
	assert_int_equal(db_run(c->db, "UPDATE plans SET status = 'retired' WHERE id = ?", "l",
	    retired), 1);
	assert_null(order(c, &c->tadmin, 0, retired, 1, 1, &e));
	assert_string_equal(e.code, "invalid_field");
	assert_null(order(c, &c->tadmin, 0, 4242, 1, 1, &e));
	assert_string_equal(e.code, "invalid_field");
}

static void
test_other_tenants_orders_invisible(void **state)
{
	struct ctx *c = *state;
	int64_t sub = subscribe(c, 1, 1);
	struct ys_err e = { 0 };
	json_t *o = NULL, *list;
	int64_t oid = db_int(c->db, 0, "SELECT order_id FROM subscriptions WHERE id = ?", "l", sub);

	assert_null(orders_get(c->db, &c->tother, oid, &e));
	assert_string_equal(e.code, "not_found");
	assert_null(subscriptions_get(c->db, &c->tother, sub, &e));
	assert_string_equal(e.code, "not_found");
	assert_int_equal(subscriptions_amend(c->db, &c->tother, sub, 1, 0, &o, &e), -1);
	assert_string_equal(e.code, "not_found");
	assert_int_equal(subscriptions_cancel(c->db, &c->tother, sub, "x", &o, &e), -1);
	assert_string_equal(e.code, "not_found");
	list = orders_list(c->db, &c->tother, NULL);
	assert_int_equal(json_array_size(list), 0);
	json_decref(list);
	list = subscriptions_list(c->db, &c->tadmin, SVC, "active");
	assert_int_equal(json_array_size(list), 1);
	json_decref(list);
	assert_int_equal(limit(c), 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_no_subscription_no_quota, setup, teardown),
		cmocka_unit_test_setup_teardown(test_quota_counts_resources, setup, teardown),
		cmocka_unit_test_setup_teardown(test_offline_order_approved_at_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tenant_order_needs_approval, setup, teardown),
		cmocka_unit_test_setup_teardown(test_order_totals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cancelled_grants_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_expired_grants_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_change_below_usage_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_renewal_adds_calendar_months, setup, teardown),
		cmocka_unit_test_setup_teardown(test_inactive_tenant_cannot_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_order_input_rules, setup, teardown),
		cmocka_unit_test_setup_teardown(test_other_tenants_orders_invisible, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
