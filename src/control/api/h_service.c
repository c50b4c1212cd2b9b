/*
 * h_service: handlers for tenants, the catalogue, orders, subscriptions and
 * quotas.
 */
#include <stdio.h>
#include <string.h>

#include "api.h"
#include "catalog.h"
#include "orders.h"
#include "tenants.h"

int
h_tenant_list(struct api_req *r)
{
	return api_items(r, tenants_list(r->ctx->db, &r->who, api_qstr(r, "status")));
}

int
h_tenant_get(struct api_req *r)
{
	json_t *t = tenants_get(r->ctx->db, &r->who, r->id, &r->err);

	return t ? api_ok(r, 200, t) : -1;
}

static int
tenant_action(struct api_req *r, const char *action, const char *field)
{
	const char *note = field ? jsonv_str(r->body, field, NULL) : NULL;
	json_t *out = NULL;

	api_target(r, "tenant", r->id);
	r->audit_tenant = r->id;
	if (note)
		snprintf(r->detail, sizeof(r->detail), "%s=%s", field, note);
	if (tenants_transition(r->ctx->db, &r->who, r->id, action, note, &out, &r->err) < 0)
		return -1;
	return api_ok(r, 200, out);
}

int h_tenant_approve(struct api_req *r) { return tenant_action(r, "approve", "note"); }
int h_tenant_reject(struct api_req *r) { return tenant_action(r, "reject", "reason"); }
int h_tenant_suspend(struct api_req *r) { return tenant_action(r, "suspend", "reason"); }
int h_tenant_resume(struct api_req *r) { return tenant_action(r, "resume", NULL); }

int
h_service_list(struct api_req *r)
{
	return api_items(r, catalog_services(r->ctx->db));
}

int
h_plan_list(struct api_req *r)
{
	bool all = jsonv_bool(r->query, "all", false) && role_is_operator(r->who.role);

	return api_items(r, catalog_plans(r->ctx->db, api_qstr(r, "service"), all));
}

int
h_plan_create(struct api_req *r)
{
	json_t *out = NULL;

	snprintf(r->detail, sizeof(r->detail), "service=%s name=%s price_fen=%lld",
	    jsonv_str(r->body, "service", ""), jsonv_str(r->body, "name", ""),
	    jsonv_int(r->body, "price_fen", 0));
	if (catalog_plan_create(r->ctx->db, r->body, &out, &r->err) < 0)
		return -1;
	api_target(r, "plan", json_integer_value(json_object_get(out, "id")));
	return api_ok(r, 201, out);
}

int
h_plan_retire(struct api_req *r)
{
	json_t *out = NULL;

	api_target(r, "plan", r->id);
	if (catalog_plan_retire(r->ctx->db, r->id, &out, &r->err) < 0)
		return -1;
	return api_ok(r, 200, out);
}

static void
order_audit(struct api_req *r, const json_t *o)
{
	api_target(r, "order", json_integer_value(json_object_get(o, "id")));
	r->audit_tenant = json_integer_value(json_object_get(o, "tenant_id"));
	snprintf(r->detail, sizeof(r->detail), "kind=%s service=%s quantity=%lld months=%lld "
	    "total_fen=%lld status=%s%s%s", json_string_value(json_object_get(o, "kind")),
	    json_string_value(json_object_get(o, "service")),
	    (long long)json_integer_value(json_object_get(o, "quantity")),
	    (long long)json_integer_value(json_object_get(o, "months")),
	    (long long)json_integer_value(json_object_get(o, "total_fen")),
	    json_string_value(json_object_get(o, "status")),
	    json_is_string(json_object_get(o, "contract_ref")) ? " contract=" : "",
	    json_is_string(json_object_get(o, "contract_ref")) ?
	    json_string_value(json_object_get(o, "contract_ref")) : "");
}

int
h_order_create(struct api_req *r)
{
	json_t *out = NULL;

	if (orders_create(r->ctx->db, &r->who, r->body, &out, &r->err) < 0)
		return -1;
	order_audit(r, out);
	return api_ok(r, 201, out);
}

int
h_order_list(struct api_req *r)
{
	return api_items(r, orders_list(r->ctx->db, &r->who, api_qstr(r, "status")));
}

int
h_order_get(struct api_req *r)
{
	json_t *o = orders_get(r->ctx->db, &r->who, r->id, &r->err);

	return o ? api_ok(r, 200, o) : -1;
}

static int
order_decide(struct api_req *r, bool approve)
{
	json_t *out = NULL;

	api_target(r, "order", r->id);
	if (orders_decide(r->ctx->db, &r->who, r->id, approve, jsonv_str(r->body, "reason", NULL),
	    &out, &r->err) < 0)
		return -1;
	order_audit(r, out);
	return api_ok(r, 200, out);
}

int h_order_approve(struct api_req *r) { return order_decide(r, true); }
int h_order_reject(struct api_req *r) { return order_decide(r, false); }

int
h_sub_list(struct api_req *r)
{
	return api_items(r, subscriptions_list(r->ctx->db, &r->who, api_qstr(r, "service"),
	    api_qstr(r, "status")));
}

int
h_sub_get(struct api_req *r)
{
	json_t *s = subscriptions_get(r->ctx->db, &r->who, r->id, &r->err);

	return s ? api_ok(r, 200, s) : -1;
}

static int
sub_amend(struct api_req *r, long long months, long long quantity)
{
	json_t *out = NULL;

	api_target(r, "subscription", r->id);
	if (subscriptions_amend(r->ctx->db, &r->who, r->id, months, quantity, &out, &r->err) < 0)
		return -1;
	order_audit(r, out);
	return api_ok(r, 201, out);
}

int h_sub_renew(struct api_req *r) { return sub_amend(r, jsonv_int(r->body, "months", 0), 0); }
int h_sub_change(struct api_req *r) { return sub_amend(r, 0, jsonv_int(r->body, "quantity", 0)); }

int
h_sub_cancel(struct api_req *r)
{
	json_t *out = NULL;
	const char *reason = jsonv_str(r->body, "reason", NULL);

	api_target(r, "subscription", r->id);
	if (reason)
		snprintf(r->detail, sizeof(r->detail), "reason=%s", reason);
	if (subscriptions_cancel(r->ctx->db, &r->who, r->id, reason, &out, &r->err) < 0)
		return -1;
	r->audit_tenant = json_integer_value(json_object_get(out, "tenant_id"));
	return api_ok(r, 200, out);
}

int
h_quota_list(struct api_req *r)
{
	int64_t tenant = r->who.tenant_id;
	json_t *ids, *out, *t;
	size_t i;

	if (role_is_operator(r->who.role)) {
		tenant = api_qint(r, "tenant_id", 0);
		if (tenant == 0) {
			/* Every active tenant's quotas. */
			ids = tenants_list(r->ctx->db, &r->who, "active");
			out = json_array();
			json_array_foreach(ids, i, t) {
				json_t *rep = orders_quota_report(r->ctx->db,
				    json_integer_value(json_object_get(t, "id")));

				json_array_extend(out, rep);
				json_decref(rep);
			}
			json_decref(ids);
			return api_items(r, out);
		}
	} else if (api_qint(r, "tenant_id", tenant) != tenant) {
		return ys_fail(&r->err, "not_found", "no tenant %lld",
		    (long long)api_qint(r, "tenant_id", 0));
	}
	if (!store_exists(r->ctx->db, principal_scope(&r->who), STORE_TENANTS, tenant))
		return ys_fail(&r->err, "not_found", "no tenant %lld", (long long)tenant);
	return api_items(r, orders_quota_report(r->ctx->db, tenant));
}
