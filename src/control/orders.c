/*
 * orders: orders, subscriptions and quota. All writes to orders,
 * subscriptions and quota_usage happen here.
 */
#include "orders.h"

#include <string.h>
#include <time.h>

#include "catalog.h"
#include "jsonv.h"
#include "store.h"

/* Calendar months: 31 January + 1 month = 28 (or 29) February. */
static int64_t
add_months(int64_t t, long long months)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	time_t tt = (time_t)t;
	struct tm tm;
	int y, m, dim;

	gmtime_r(&tt, &tm);
	m = tm.tm_mon + (int)months;
	y = tm.tm_year + 1900 + m / 12;
	m %= 12;
	dim = mdays[m] + (m == 1 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0));
	tm.tm_year = y - 1900;
	tm.tm_mon = m;
	if (tm.tm_mday > dim)
		tm.tm_mday = dim;
	return (int64_t)timegm(&tm);
}

static int64_t
jint(const json_t *o, const char *k)
{
	return (int64_t)json_integer_value(json_object_get(o, k));
}

static const char *
jstr(const json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));

	return s ? s : "";
}

static bool
tenant_is_active(struct db *db, int64_t tenant)
{
	return db_int(db, 0, "SELECT count(*) FROM tenants WHERE id = ? AND status = 'active'",
	    "l", tenant) == 1;
}

static int
insert_order(struct db *db, int64_t tenant, const char *kind, const json_t *plan,
    long long quantity, long long months, int64_t total, bool offline, const char *contract,
    int64_t sub_id, const char *by, int64_t *id, struct ys_err *e)
{
	if (db_run(db, "INSERT INTO orders (tenant_id, kind, plan_id, service, quantity, months,"
	    " total_fen, status, offline, contract_ref, subscription_id, created_by, created_at)"
	    " VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?, ?, ?)", "lslslllisLsl", tenant, kind,
	    jint(plan, "id"), jstr(plan, "service"), (int64_t)quantity, (int64_t)months, total,
	    offline ? 1 : 0, contract, sub_id, by, (int64_t)time(NULL)) != 1)
		return ys_fail(e, "internal", "cannot store the order");
	*id = db_last_id(db);
	return 0;
}

/* Apply an approved order to subscriptions. */
static int
fulfil(struct db *db, const json_t *order, int64_t *sub_id, struct ys_err *e)
{
	int64_t now = time(NULL), tenant = jint(order, "tenant_id");
	const char *kind = jstr(order, "kind");

	if (strcmp(kind, "new") == 0) {
		if (db_run(db, "INSERT INTO subscriptions (tenant_id, service, plan_id, quantity,"
		    " starts_at, ends_at, order_id) VALUES (?, ?, ?, ?, ?, ?, ?)", "lslllll", tenant,
		    jstr(order, "service"), jint(order, "plan_id"), jint(order, "quantity"), now,
		    add_months(now, jint(order, "months")), jint(order, "id")) != 1)
			return ys_fail(e, "internal", "cannot create the subscription");
		*sub_id = db_last_id(db);
		return 0;
	}
	*sub_id = jint(order, "subscription_id");
	{
		json_t *sub = store_get(db, scope_tenant(tenant), STORE_SUBSCRIPTIONS, *sub_id);
		const char *st = sub ? jstr(sub, "status") : "missing";
		int64_t ends, rc;

		if (sub == NULL || strcmp(st, "cancelled") == 0) {
			json_decref(sub);
			return ys_fail(e, "conflict", "subscription %lld is %s", (long long)*sub_id, st);
		}
		/* The JSON row carries ends_at as text; read the number. */
		ends = db_int(db, 0, "SELECT ends_at FROM subscriptions WHERE id = ?", "l", *sub_id);
		json_decref(sub);
		if (strcmp(kind, "renewal") == 0) {
			rc = db_run(db, "UPDATE subscriptions SET ends_at = ? WHERE id = ?", "ll",
			    add_months(ends > now ? ends : now, jint(order, "months")), *sub_id);
		} else {
			int64_t used = orders_quota_used(db, tenant, jstr(order, "service"));
			int64_t others = orders_quota_limit(db, tenant, jstr(order, "service")) -
			    db_int(db, 0, "SELECT quantity FROM subscriptions_v WHERE id = ? AND"
			    " status = 'active'", "l", *sub_id);

			if (others + jint(order, "quantity") < used)
				return ys_fail(e, "conflict", "%lld units of %s are in use; release "
				    "some before lowering the quantity", (long long)used,
				    jstr(order, "service"));
			rc = db_run(db, "UPDATE subscriptions SET quantity = ? WHERE id = ?", "ll",
			    jint(order, "quantity"), *sub_id);
		}
		if (rc != 1)
			return ys_fail(e, "internal", "cannot update the subscription");
	}
	return 0;
}

static int
decide(struct db *db, const char *by, int64_t id, bool approve, const char *reason,
    struct ys_err *e)
{
	json_t *order = store_get(db, scope_all(), STORE_ORDERS, id);
	int64_t sub = 0;
	int rc = 0;

	if (order == NULL)
		return ys_fail(e, "not_found", "no order %lld", (long long)id);
	if (strcmp(jstr(order, "status"), "pending") != 0) {
		ys_fail(e, "conflict", "order %lld is already %s", (long long)id,
		    jstr(order, "status"));
		json_decref(order);
		return -1;
	}
	if (approve && !tenant_is_active(db, jint(order, "tenant_id")))
		rc = ys_fail(e, "conflict", "the tenant of order %lld is not active", (long long)id);
	else if (approve)
		rc = fulfil(db, order, &sub, e);
	json_decref(order);
	if (rc < 0)
		return -1;
	if (db_run(db, "UPDATE orders SET status = ?, decided_by = ?, decided_at = ?, reason = ?,"
	    " subscription_id = ? WHERE id = ?", "sslsLl", approve ? "approved" : "rejected", by,
	    (int64_t)time(NULL), reason, sub, id) != 1)
		return ys_fail(e, "internal", "cannot update the order");
	return 0;
}

int
orders_create(struct db *db, const struct principal *by, const json_t *in, json_t **out,
    struct ys_err *e)
{
	bool offline = by->role == ROLE_ADMIN;
	int64_t tenant = offline ? jsonv_int(in, "tenant_id", 0) : by->tenant_id, id;
	const char *contract = jsonv_str(in, "contract_ref", NULL);
	long long qty = jsonv_int(in, "quantity", 0), months = jsonv_int(in, "months", 0);
	json_t *plan;
	int rc;

	if (offline && (tenant == 0 || contract == NULL))
		return ys_fail(e, "missing_field", "offline orders need tenant_id and contract_ref");
	if (!offline && (json_object_get(in, "tenant_id") || contract))
		return ys_fail(e, "invalid_field", "tenant_id and contract_ref are for offline "
		    "orders entered by an operator");
	if (!store_exists(db, principal_scope(by), STORE_TENANTS, tenant))
		return ys_fail(e, "not_found", "no tenant %lld", (long long)tenant);
	if (!tenant_is_active(db, tenant))
		return ys_fail(e, "conflict", "tenant %lld is not active", (long long)tenant);
	plan = catalog_plan_get(db, jsonv_int(in, "plan_id", 0));
	if (plan == NULL)
		return ys_fail(e, "invalid_field", "plan_id: no orderable plan %lld",
		    jsonv_int(in, "plan_id", 0));
	rc = insert_order(db, tenant, "new", plan, qty, months,
	    jint(plan, "price_fen") * qty * months, offline, contract, 0, by->username, &id, e);
	json_decref(plan);
	if (rc < 0 || (offline && decide(db, by->username, id, true, NULL, e) < 0))
		return -1;
	*out = store_get(db, scope_all(), STORE_ORDERS, id);
	return 0;
}

int
orders_decide(struct db *db, const struct principal *by, int64_t id, bool approve,
    const char *reason, json_t **out, struct ys_err *e)
{
	if (!approve && (reason == NULL || *reason == '\0'))
		return ys_fail(e, "missing_field", "reason: is required to reject an order");
	if (decide(db, by->username, id, approve, reason, e) < 0)
		return -1;
	*out = store_get(db, scope_all(), STORE_ORDERS, id);
	return 0;
}

json_t *
orders_list(struct db *db, const struct principal *p, const char *status)
{
	struct store_filter f = { "status", "=", status, 0 };

	return store_list(db, principal_scope(p), STORE_ORDERS, &f, status ? 1 : 0, 1000);
}

json_t *
orders_get(struct db *db, const struct principal *p, int64_t id, struct ys_err *e)
{
	return store_find(db, principal_scope(p), STORE_ORDERS, id, "order", e);
}

json_t *
subscriptions_list(struct db *db, const struct principal *p, const char *service,
    const char *status)
{
	struct store_filter f[2];
	size_t n = 0;

	if (service)
		f[n++] = (struct store_filter){ "service", "=", service, 0 };
	if (status)
		f[n++] = (struct store_filter){ "status", "=", status, 0 };
	return store_list(db, principal_scope(p), STORE_SUBSCRIPTIONS, f, n, 1000);
}

json_t *
subscriptions_get(struct db *db, const struct principal *p, int64_t id, struct ys_err *e)
{
	return store_find(db, principal_scope(p), STORE_SUBSCRIPTIONS, id, "subscription", e);
}

int
subscriptions_amend(struct db *db, const struct principal *by, int64_t id, long long months,
    long long quantity, json_t **out, struct ys_err *e)
{
	json_t *sub = store_get(db, principal_scope(by), STORE_SUBSCRIPTIONS, id), *plan;
	int64_t tenant, oid, total, now = time(NULL), ends, old_qty;
	long long remaining;
	int rc;

	if (sub == NULL)
		return ys_fail(e, "not_found", "no subscription %lld", (long long)id);
	tenant = jint(sub, "tenant_id");
	old_qty = jint(sub, "quantity");
	if (strcmp(jstr(sub, "status"), "cancelled") == 0 ||
	    (quantity > 0 && strcmp(jstr(sub, "status"), "active") != 0)) {
		ys_fail(e, "conflict", "subscription %lld is %s", (long long)id, jstr(sub, "status"));
		json_decref(sub);
		return -1;
	}
	plan = store_get(db, scope_all(), STORE_PLANS, jint(sub, "plan_id"));
	json_decref(sub);
	if (plan == NULL)
		return ys_fail(e, "internal", "the subscription's plan is missing");
	if (months > 0) {
		total = jint(plan, "price_fen") * old_qty * months;
		rc = insert_order(db, tenant, "renewal", plan, old_qty, months, total,
		    by->role == ROLE_ADMIN, NULL, id, by->username, &oid, e);
	} else {
		ends = db_int(db, 0, "SELECT ends_at FROM subscriptions WHERE id = ?", "l", id);
		remaining = (long long)((ends - now + 30 * 86400 - 1) / (30 * 86400));
		if (quantity == old_qty) {
			json_decref(plan);
			return ys_fail(e, "conflict", "the subscription already has quantity %lld",
			    quantity);
		}
		if (quantity < orders_quota_used(db, tenant, jstr(plan, "service")) -
		    (orders_quota_limit(db, tenant, jstr(plan, "service")) - old_qty)) {
			json_decref(plan);
			return ys_fail(e, "conflict", "more units are in use than quantity %lld allows",
			    quantity);
		}
		total = quantity > old_qty ? jint(plan, "price_fen") * (quantity - old_qty) * remaining
		    : 0;
		rc = insert_order(db, tenant, "change", plan, quantity, remaining, total,
		    by->role == ROLE_ADMIN, NULL, id, by->username, &oid, e);
	}
	json_decref(plan);
	if (rc < 0 || (by->role == ROLE_ADMIN && decide(db, by->username, oid, true, NULL, e) < 0))
		return -1;
	*out = store_get(db, scope_all(), STORE_ORDERS, oid);
	return 0;
}

int
subscriptions_cancel(struct db *db, const struct principal *by, int64_t id, const char *reason,
    json_t **out, struct ys_err *e)
{
	json_t *sub = store_get(db, principal_scope(by), STORE_SUBSCRIPTIONS, id);

	(void)reason;	/* kept in the audit entry by the caller */
	if (sub == NULL)
		return ys_fail(e, "not_found", "no subscription %lld", (long long)id);
	if (strcmp(jstr(sub, "status"), "cancelled") == 0) {
		json_decref(sub);
		return ys_fail(e, "conflict", "subscription %lld is already cancelled", (long long)id);
	}
	json_decref(sub);
	if (db_run(db, "UPDATE subscriptions SET cancelled_at = ? WHERE id = ?", "ll",
	    (int64_t)time(NULL), id) != 1)
		return ys_fail(e, "internal", "cannot cancel the subscription");
	*out = store_get(db, scope_all(), STORE_SUBSCRIPTIONS, id);
	return 0;
}

int64_t
orders_quota_limit(struct db *db, int64_t tenant_id, const char *service)
{
	return db_int(db, 0, "SELECT coalesce(sum(quantity), 0) FROM subscriptions_v"
	    " WHERE tenant_id = ? AND service = ? AND status = 'active'", "ls", tenant_id, service);
}

int64_t
orders_quota_used(struct db *db, int64_t tenant_id, const char *service)
{
	return db_int(db, 0, "SELECT count(*) FROM quota_usage WHERE tenant_id = ? AND service = ?",
	    "ls", tenant_id, service);
}

json_t *
orders_quota_report(struct db *db, int64_t tenant_id)
{
	json_t *svc = db_rows_json(db_q(db, "SELECT code FROM services ORDER BY sort", ""));
	json_t *out = json_array(), *v;
	size_t i;

	json_array_foreach(svc, i, v) {
		const char *code = jstr(v, "code");

		json_array_append_new(out, json_pack("{s:I, s:s, s:I, s:I}", "tenant_id",
		    (json_int_t)tenant_id, "service", code,
		    "limit", (json_int_t)orders_quota_limit(db, tenant_id, code),
		    "used", (json_int_t)orders_quota_used(db, tenant_id, code)));
	}
	json_decref(svc);
	return out;
}

int
orders_quota_acquire(struct db *db, int64_t tenant_id, const char *service,
    const char *resource, struct ys_err *e)
{
	int rc = -1;

	if (db_begin(db) < 0)
		return ys_fail(e, "internal", "cannot start a transaction");
	if (db_int(db, 0, "SELECT count(*) FROM quota_usage WHERE tenant_id = ? AND service = ?"
	    " AND resource = ?", "lss", tenant_id, service, resource) > 0) {
		rc = 0;
	} else if (orders_quota_used(db, tenant_id, service) >=
	    orders_quota_limit(db, tenant_id, service)) {
		ys_fail(e, "quota_exceeded", "no %s quota left: %lld of %lld in use; order more",
		    service, (long long)orders_quota_used(db, tenant_id, service),
		    (long long)orders_quota_limit(db, tenant_id, service));
	} else if (db_run(db, "INSERT INTO quota_usage (tenant_id, service, resource, created_at)"
	    " VALUES (?, ?, ?, ?)", "lssl", tenant_id, service, resource, (int64_t)time(NULL)) == 1) {
		rc = 0;
	} else {
		ys_fail(e, "internal", "cannot record quota use");
	}
	if (rc == 0 && db_commit(db) == 0)
		return 0;
	db_rollback(db);
	return -1;
}

int
orders_quota_release(struct db *db, int64_t tenant_id, const char *service, const char *resource)
{
	return db_run(db, "DELETE FROM quota_usage WHERE tenant_id = ? AND service = ? AND"
	    " resource = ?", "lss", tenant_id, service, resource) < 0 ? -1 : 0;
}
