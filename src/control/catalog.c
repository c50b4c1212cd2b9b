/*
 * catalog: services (fixed) and plans (operator-managed).
 */
#include "catalog.h"

#include <string.h>
#include <time.h>

#include "jsonv.h"
#include "store.h"

json_t *
catalog_services(struct db *db)
{
	return db_rows_json(db_q(db, "SELECT code, name_zh, name_en, unit, unit_zh FROM services"
	    " ORDER BY sort", ""));
}

json_t *
catalog_plans(struct db *db, const char *service, bool include_retired)
{
	struct store_filter f[2];
	size_t n = 0;

	if (service)
		f[n++] = (struct store_filter){ "service", "=", service, 0 };
	if (!include_retired)
		f[n++] = (struct store_filter){ "status", "=", "active", 0 };
	return store_list(db, scope_all(), STORE_PLANS, f, n, 1000);
}

json_t *
catalog_plan_get(struct db *db, int64_t id)
{
	json_t *p = store_get(db, scope_all(), STORE_PLANS, id);
	const char *st = json_string_value(json_object_get(p, "status"));

	if (p && (st == NULL || strcmp(st, "active") != 0)) {
		json_decref(p);
		return NULL;
	}
	return p;
}

int
catalog_plan_create(struct db *db, const json_t *in, json_t **out, struct ys_err *e)
{
	const char *service = jsonv_str(in, "service", ""), *name = jsonv_str(in, "name", "");
	long long bw = jsonv_int(in, "bandwidth_mbps", 0);

	if (db_int(db, 0, "SELECT count(*) FROM services WHERE code = ?", "s", service) == 0)
		return ys_fail(e, "invalid_field", "service: unknown service '%s' (see service list)",
		    service);
	if (bw != 0 && strcmp(service, "anti-ddos") != 0)
		return ys_fail(e, "invalid_field", "bandwidth_mbps: only anti-ddos plans have "
		    "bandwidth tiers");
	if (db_int(db, 0, "SELECT count(*) FROM plans WHERE service = ? AND name = ?", "ss",
	    service, name) > 0)
		return ys_fail(e, "conflict", "service %s already has a plan named %s", service, name);
	if (db_run(db, "INSERT INTO plans (service, name, price_fen, description, bandwidth_mbps,"
	    " created_at) VALUES (?, ?, ?, ?, ?, ?)", "sslsLl", service, name,
	    (int64_t)jsonv_int(in, "price_fen", 0), jsonv_str(in, "description", ""), (int64_t)bw,
	    (int64_t)time(NULL)) != 1)
		return ys_fail(e, "internal", "cannot store the plan");
	*out = store_get(db, scope_all(), STORE_PLANS, db_last_id(db));
	return 0;
}

int
catalog_plan_retire(struct db *db, int64_t id, json_t **out, struct ys_err *e)
{
	if (db_run(db, "UPDATE plans SET status = 'retired' WHERE id = ?", "l", id) != 1)
		return ys_fail(e, "not_found", "no plan %lld", (long long)id);
	*out = store_get(db, scope_all(), STORE_PLANS, id);
	return 0;
}
