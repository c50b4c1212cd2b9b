/*
 * routes: the whole REST API in one table — method, path, handler, who may
 * call it, flags, the audit action of a state change, and the schemas of
 * body and query. Authorisation lives here and nowhere else; docs/API.md
 * repeats it for readers.
 */
#include "api.h"

#define ID_MAX (1LL << 53)
#define STR(n, req, lo, hi) { n, JSONV_STR, req, lo, hi }
#define INT(n, req, lo, hi) { n, JSONV_INT, req, lo, hi }
#define BOOL(n) { n, JSONV_BOOL, false, 0, 0 }
#define OBJ(n, req) { n, JSONV_OBJ, req, 0, 0 }
#define ARR(n, req, max) { n, JSONV_ARR, req, 0, max }
#define END { NULL, JSONV_STR, false, 0, 0 }

/* handlers (api/h_*.c) */
int h_health(struct api_req *), h_login(struct api_req *), h_logout(struct api_req *);
int h_whoami(struct api_req *), h_password(struct api_req *), h_mfa_setup(struct api_req *);
int h_mfa_enable(struct api_req *), h_mfa_disable(struct api_req *);
int h_apikey_create(struct api_req *), h_apikey_list(struct api_req *);
int h_apikey_revoke(struct api_req *), h_register(struct api_req *);
int h_user_create(struct api_req *), h_user_list(struct api_req *);
int h_user_disable(struct api_req *), h_user_enable(struct api_req *);
int h_tenant_list(struct api_req *), h_tenant_get(struct api_req *);
int h_tenant_approve(struct api_req *), h_tenant_reject(struct api_req *);
int h_tenant_suspend(struct api_req *), h_tenant_resume(struct api_req *);
int h_service_list(struct api_req *), h_plan_list(struct api_req *);
int h_plan_create(struct api_req *), h_plan_retire(struct api_req *);
int h_order_create(struct api_req *), h_order_list(struct api_req *);
int h_order_get(struct api_req *), h_order_approve(struct api_req *);
int h_order_reject(struct api_req *), h_sub_list(struct api_req *), h_sub_get(struct api_req *);
int h_sub_renew(struct api_req *), h_sub_change(struct api_req *), h_sub_cancel(struct api_req *);
int h_quota_list(struct api_req *), h_audit_list(struct api_req *);
int h_audit_export(struct api_req *), h_audit_verify(struct api_req *);
int h_ca(struct api_req *), h_token_create(struct api_req *), h_token_list(struct api_req *);
int h_enroll(struct api_req *), h_node_list(struct api_req *), h_node_get(struct api_req *);
int h_node_revoke(struct api_req *), h_policy_set(struct api_req *);
int h_node_heartbeat(struct api_req *), h_node_policy(struct api_req *);
int h_node_events(struct api_req *);
int h_quarantine_list(struct api_req *), h_quarantine_restore(struct api_req *);

static const struct jsonv_field none[] = { END };
static const struct jsonv_field login_body[] = {
	STR("username", true, 1, 64), STR("password", true, 1, 256), STR("otp", false, 0, 16), END };
static const struct jsonv_field password_body[] = {
	STR("old_password", true, 1, 256), STR("new_password", true, 1, 256), END };
static const struct jsonv_field code_body[] = { STR("code", true, 6, 8), END };
static const struct jsonv_field apikey_body[] = {
	STR("name", true, 1, 64), INT("expires_days", false, 1, 3650), END };
static const struct jsonv_field register_body[] = {
	STR("tenant_name", true, 2, 128), STR("credit_code", true, 18, 18),
	STR("contact_name", true, 1, 64), STR("contact_email", true, 3, 254),
	STR("contact_phone", true, 5, 20), STR("username", true, 3, 64),
	STR("password", true, 1, 256), END };
static const struct jsonv_field user_body[] = {
	STR("username", true, 3, 64), STR("password", true, 1, 256), STR("role", true, 1, 32),
	INT("tenant_id", false, 1, ID_MAX), END };
static const struct jsonv_field note_body[] = { STR("note", false, 0, 512), END };
static const struct jsonv_field reason_body[] = { STR("reason", true, 1, 512), END };
static const struct jsonv_field opt_reason_body[] = { STR("reason", false, 0, 512), END };
static const struct jsonv_field plan_body[] = {
	STR("service", true, 1, 32), STR("name", true, 1, 64),
	INT("price_fen", true, 0, 100000000), STR("description", false, 0, 1024),
	INT("bandwidth_mbps", false, 1, 10000000), END };
static const struct jsonv_field order_body[] = {
	INT("plan_id", true, 1, ID_MAX), INT("quantity", true, 1, 100000),
	INT("months", true, 1, 60), INT("tenant_id", false, 1, ID_MAX),
	STR("contract_ref", false, 1, 128), END };
static const struct jsonv_field renew_body[] = { INT("months", true, 1, 60), END };
static const struct jsonv_field change_body[] = { INT("quantity", true, 1, 100000), END };

static const struct jsonv_field token_body[] = {
	STR("kind", true, 1, 16), INT("expires_minutes", false, 1, 7 * 24 * 60), END };
static const struct jsonv_field enroll_body[] = {
	STR("token", true, 8, 128), STR("csr", true, 100, 65536), STR("hostname", true, 1, 128),
	STR("version", false, 0, 64), END };
static const struct jsonv_field policy_body[] = {
	STR("kind", true, 1, 16), INT("tenant_id", false, 1, ID_MAX), OBJ("policy", true), END };
static const struct jsonv_field heartbeat_body[] = {
	STR("version", false, 0, 64), INT("policy_version", false, 0, ID_MAX),
	OBJ("modules", false), STR("hostname", false, 0, 128), END };
static const struct jsonv_field events_body[] = { ARR("events", true, 1000), END };
static const struct jsonv_field restore_body[] = { STR("item", true, 1, 64), END };
static const struct jsonv_field quarantine_q[] = { INT("node_id", false, 1, ID_MAX), END };
static const struct jsonv_field kind_q[] = { STR("kind", false, 1, 16), END };
static const struct jsonv_field status_q[] = { STR("status", false, 1, 32), END };
static const struct jsonv_field tenant_q[] = { INT("tenant_id", false, 1, ID_MAX), END };
static const struct jsonv_field plan_q[] = { STR("service", false, 1, 32), BOOL("all"), END };
static const struct jsonv_field sub_q[] = {
	STR("service", false, 1, 32), STR("status", false, 1, 32), END };
static const struct jsonv_field audit_q[] = {
	STR("since", false, 1, 40), STR("until", false, 1, 40), STR("actor", false, 1, 64),
	INT("tenant_id", false, 1, ID_MAX), STR("action", false, 1, 64),
	STR("result", false, 1, 64), INT("after", false, 0, ID_MAX),
	INT("limit", false, 1, 1000), STR("format", false, 1, 8), END };

#define ANY ROLES_ANY
#define OPS ROLES_OPERATORS
#define ADMIN ROLE_ADMIN
#define TADMIN ROLE_TENANT_ADMIN
#define READERS (ROLES_OPERATORS | ROLES_TENANT)
#define PUB ROUTE_PUBLIC
#define RST ROUTE_RESTRICTED_OK

const struct route api_routes[] = {
	{ "GET", "/v1/health", h_health, 0, PUB, NULL, none, none },
	{ "POST", "/v1/auth/login", h_login, 0, PUB | ROUTE_RATE_LOGIN, "auth.login", login_body, none },
	{ "POST", "/v1/auth/logout", h_logout, ANY, RST, "auth.logout", none, none },
	{ "GET", "/v1/auth/whoami", h_whoami, ANY, RST, NULL, none, none },
	{ "POST", "/v1/auth/password", h_password, ANY, RST, "auth.password", password_body, none },
	{ "POST", "/v1/mfa/setup", h_mfa_setup, ANY, RST, "mfa.setup", none, none },
	{ "POST", "/v1/mfa/enable", h_mfa_enable, ANY, RST, "mfa.enable", code_body, none },
	{ "POST", "/v1/mfa/disable", h_mfa_disable, ROLES_TENANT, 0, "mfa.disable", code_body, none },
	{ "POST", "/v1/registrations", h_register, 0, PUB | ROUTE_RATE_REGISTER, "tenant.register",
	  register_body, none },
	{ "GET", "/v1/tenants", h_tenant_list, READERS, 0, NULL, none, status_q },
	{ "GET", "/v1/tenants/{id}", h_tenant_get, READERS, 0, NULL, none, none },
	{ "POST", "/v1/tenants/{id}/approve", h_tenant_approve, ADMIN, 0, "tenant.approve", note_body, none },
	{ "POST", "/v1/tenants/{id}/reject", h_tenant_reject, ADMIN, 0, "tenant.reject", reason_body, none },
	{ "POST", "/v1/tenants/{id}/suspend", h_tenant_suspend, ADMIN, 0, "tenant.suspend", reason_body, none },
	{ "POST", "/v1/tenants/{id}/resume", h_tenant_resume, ADMIN, 0, "tenant.resume", none, none },
	{ "GET", "/v1/users", h_user_list, ADMIN | ROLE_AUDITOR | TADMIN, 0, NULL, none, tenant_q },
	{ "POST", "/v1/users", h_user_create, ADMIN | TADMIN, 0, "user.create", user_body, none },
	{ "POST", "/v1/users/{id}/disable", h_user_disable, ADMIN | TADMIN, 0, "user.disable", none, none },
	{ "POST", "/v1/users/{id}/enable", h_user_enable, ADMIN | TADMIN, 0, "user.enable", none, none },
	{ "GET", "/v1/services", h_service_list, ANY, 0, NULL, none, none },
	{ "GET", "/v1/plans", h_plan_list, ANY, 0, NULL, none, plan_q },
	{ "POST", "/v1/plans", h_plan_create, ADMIN, 0, "plan.create", plan_body, none },
	{ "POST", "/v1/plans/{id}/retire", h_plan_retire, ADMIN, 0, "plan.retire", none, none },
	{ "POST", "/v1/orders", h_order_create, ADMIN | TADMIN, 0, "order.create", order_body, none },
	{ "GET", "/v1/orders", h_order_list, READERS, 0, NULL, none, status_q },
	{ "GET", "/v1/orders/{id}", h_order_get, READERS, 0, NULL, none, none },
	{ "POST", "/v1/orders/{id}/approve", h_order_approve, ADMIN, 0, "order.approve", none, none },
	{ "POST", "/v1/orders/{id}/reject", h_order_reject, ADMIN, 0, "order.reject", reason_body, none },
	{ "GET", "/v1/subscriptions", h_sub_list, READERS, 0, NULL, none, sub_q },
	{ "GET", "/v1/subscriptions/{id}", h_sub_get, READERS, 0, NULL, none, none },
	{ "POST", "/v1/subscriptions/{id}/renew", h_sub_renew, ADMIN | TADMIN, 0,
	  "subscription.renew", renew_body, none },
	{ "POST", "/v1/subscriptions/{id}/change", h_sub_change, ADMIN | TADMIN, 0,
	  "subscription.change", change_body, none },
	{ "POST", "/v1/subscriptions/{id}/cancel", h_sub_cancel, ADMIN | TADMIN, 0,
	  "subscription.cancel", opt_reason_body, none },
	{ "GET", "/v1/quotas", h_quota_list, READERS, 0, NULL, none, tenant_q },
	{ "POST", "/v1/apikeys", h_apikey_create, ANY, 0, "apikey.create", apikey_body, none },
	{ "GET", "/v1/apikeys", h_apikey_list, ANY, 0, NULL, none, none },
	{ "DELETE", "/v1/apikeys/{id}", h_apikey_revoke, ANY, 0, "apikey.revoke", none, none },
	{ "GET", "/v1/audit", h_audit_list, ADMIN | ROLE_AUDITOR | TADMIN, 0, NULL, none, audit_q },
	{ "GET", "/v1/audit/export", h_audit_export, ADMIN | ROLE_AUDITOR | TADMIN, 0, NULL, none,
	  audit_q },
	{ "GET", "/v1/audit/verify", h_audit_verify, ADMIN | ROLE_AUDITOR, 0, NULL, none, none },
	{ "GET", "/v1/ca", h_ca, 0, PUB, NULL, none, none },
	{ "POST", "/v1/enrolment-tokens", h_token_create, ADMIN | TADMIN, 0, "node.token.create",
	  token_body, none },
	{ "GET", "/v1/enrolment-tokens", h_token_list, ADMIN | TADMIN | ROLE_AUDITOR, 0, NULL, none, none },
	{ "POST", "/v1/nodes/enroll", h_enroll, 0, PUB | ROUTE_RATE_REGISTER, "node.enroll",
	  enroll_body, none },
	{ "GET", "/v1/nodes", h_node_list, READERS, 0, NULL, none, kind_q },
	{ "GET", "/v1/nodes/{id}", h_node_get, READERS, 0, NULL, none, none },
	{ "POST", "/v1/nodes/{id}/revoke", h_node_revoke, ADMIN | TADMIN, 0, "node.revoke", none, none },
	{ "POST", "/v1/policies", h_policy_set, ADMIN | TADMIN, 0, "policy.set", policy_body, none },
	{ "GET", "/v1/quarantine", h_quarantine_list, READERS, 0, NULL, none, quarantine_q },
	{ "POST", "/v1/quarantine/{id}/restore", h_quarantine_restore, ADMIN | TADMIN, 0,
	  "quarantine.restore", restore_body, none },
	{ "POST", "/v1/node/heartbeat", h_node_heartbeat, 0, ROUTE_NODE | ROUTE_TELEMETRY, NULL,
	  heartbeat_body, none },
	{ "GET", "/v1/node/policy", h_node_policy, 0, ROUTE_NODE, NULL, none, none },
	{ "POST", "/v1/node/events", h_node_events, 0, ROUTE_NODE | ROUTE_TELEMETRY, NULL,
	  events_body, none },
	{ NULL, NULL, NULL, 0, 0, NULL, NULL, NULL },
};
