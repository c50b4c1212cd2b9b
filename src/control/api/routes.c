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
int h_node_events(struct api_req *), h_node_baseline(struct api_req *);
int h_node_inventory(struct api_req *), h_node_scan(struct api_req *);
int h_qual_requirements(struct api_req *), h_qual_checklist(struct api_req *);
int h_qual_deadlines(struct api_req *), h_qual_export(struct api_req *);
int h_qual_staff_list(struct api_req *), h_qual_staff_add(struct api_req *);
int h_qual_staff_cert(struct api_req *), h_qual_staff_nda(struct api_req *);
int h_qual_staff_training(struct api_req *), h_qual_staff_leave(struct api_req *);
int h_qual_engagement_list(struct api_req *), h_qual_engagement_get(struct api_req *);
int h_qual_engagement_add(struct api_req *), h_qual_engagement_milestone(struct api_req *);
int h_qual_milestone_done(struct api_req *), h_qual_engagement_assign(struct api_req *);
int h_qual_engagement_risk(struct api_req *), h_qual_engagement_review(struct api_req *);
int h_qual_engagement_accept(struct api_req *);
int h_qual_supplier_list(struct api_req *), h_qual_supplier_add(struct api_req *);
int h_qual_supplier_assess(struct api_req *);
int h_qual_complaint_list(struct api_req *), h_qual_complaint_add(struct api_req *);
int h_qual_complaint_close(struct api_req *);
int h_qual_document_list(struct api_req *), h_qual_document_add(struct api_req *);
int h_qual_document_review(struct api_req *);
int h_qual_fee_list(struct api_req *), h_qual_fee_add(struct api_req *);
int h_qual_application_list(struct api_req *), h_qual_application_add(struct api_req *);
int h_qual_application_stage(struct api_req *);
int h_qual_application_rectification(struct api_req *);
int h_qual_rectification_verify(struct api_req *);
int h_qual_certificate_list(struct api_req *), h_qual_certificate_add(struct api_req *);
int h_qual_filing_list(struct api_req *), h_qual_filing_add(struct api_req *);
int h_qual_sanction_list(struct api_req *), h_qual_sanction_add(struct api_req *);
int h_qual_sanction_handle(struct api_req *);
int h_alert_list(struct api_req *), h_alert_get(struct api_req *), h_alert_ack(struct api_req *);
int h_alert_resolve(struct api_req *), h_event_list(struct api_req *);
int h_quarantine_list(struct api_req *), h_quarantine_restore(struct api_req *);
int h_vuln_feed_import(struct api_req *), h_vuln_feed_list(struct api_req *);
int h_vuln_xref_import(struct api_req *), h_vuln_finding_list(struct api_req *);
int h_vuln_finding_get(struct api_req *), h_vuln_finding_accept(struct api_req *);
int h_vuln_finding_false_positive(struct api_req *), h_vuln_finding_export(struct api_req *);
int h_scan_target_create(struct api_req *), h_scan_target_list(struct api_req *);
int h_scan_target_get(struct api_req *), h_scan_target_approve(struct api_req *);
int h_scan_target_reject(struct api_req *), h_scan_target_delete(struct api_req *);
int h_scan_create(struct api_req *), h_scan_list(struct api_req *), h_scan_get(struct api_req *);
int h_scan_cancel(struct api_req *), h_scan_results(struct api_req *);
/* WAF sites (h_sites.c) */
int h_site_create(struct api_req *), h_site_list(struct api_req *), h_site_get(struct api_req *);
int h_site_update(struct api_req *), h_site_delete(struct api_req *);
int h_site_origin_add(struct api_req *), h_site_origin_delete(struct api_req *);
int h_site_exception_add(struct api_req *), h_site_exception_delete(struct api_req *);
int h_site_rule_add(struct api_req *), h_site_rule_delete(struct api_req *);
int h_site_stats(struct api_req *), h_cert_upload(struct api_req *), h_cert_list(struct api_req *);
int h_cert_delete(struct api_req *), h_waf_events(struct api_req *);
/* anti-DDoS (h_ddos.c) */
int h_ddos_object_create(struct api_req *), h_ddos_object_list(struct api_req *);
int h_ddos_object_get(struct api_req *), h_ddos_object_update(struct api_req *);
int h_ddos_object_delete(struct api_req *), h_ddos_domain_create(struct api_req *);
int h_ddos_domain_list(struct api_req *), h_ddos_domain_get(struct api_req *);
int h_ddos_domain_update(struct api_req *), h_ddos_domain_delete(struct api_req *);
int h_ddos_rule_create(struct api_req *), h_ddos_rule_list(struct api_req *);
int h_ddos_rule_delete(struct api_req *), h_ddos_attack_list(struct api_req *);
int h_ddos_attack_get(struct api_req *);

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
	OBJ("modules", false), STR("hostname", false, 0, 128), ARR("addresses", false, 64), END };
static const struct jsonv_field events_body[] = { ARR("events", true, 1000), END };
static const struct jsonv_field restore_body[] = { STR("item", true, 1, 64), END };
static const struct jsonv_field quarantine_q[] = { INT("node_id", false, 1, ID_MAX), END };
static const struct jsonv_field kind_q[] = { STR("kind", false, 1, 16), END };
static const struct jsonv_field alert_q[] = {
	STR("status", false, 1, 16), STR("severity", false, 1, 16), INT("node_id", false, 1, ID_MAX),
	STR("module", false, 1, 32), STR("type", false, 1, 64), INT("after", false, 0, ID_MAX),
	INT("limit", false, 1, 1000), END };
static const struct jsonv_field event_q[] = {
	INT("node_id", false, 1, ID_MAX), STR("module", false, 1, 32), STR("type", false, 1, 64),
	INT("after", false, 0, ID_MAX), INT("limit", false, 1, 1000), END };
static const struct jsonv_field vuln_feed_body[] = {
	STR("kind", true, 1, 32), STR("path", false, 1, 4096), STR("url", false, 1, 4096), END };
static const struct jsonv_field vuln_xref_body[] = { STR("path", true, 1, 4096), END };
static const struct jsonv_field vuln_accept_body[] = {
	STR("reason", true, 1, 512), STR("expires_on", true, 10, 10), END };
static const struct jsonv_field vuln_finding_q[] = {
	INT("node_id", false, 1, ID_MAX), STR("severity", false, 1, 16), STR("status", false, 1, 16),
	STR("cve", false, 1, 64), STR("package", false, 1, 128), STR("format", false, 1, 8), END };
static const struct jsonv_field scan_target_body[] = {
	STR("target", true, 1, 255), STR("ports", false, 1, 511), INT("rate", false, 0, 100000),
	STR("note", false, 0, 512), END };
static const struct jsonv_field scan_target_q[] = {
	STR("status", false, 1, 16), STR("kind", false, 1, 8), INT("tenant_id", false, 1, ID_MAX),
	END };
static const struct jsonv_field scan_approve_body[] = { STR("reference", true, 1, 512), END };
static const struct jsonv_field scan_body[] = {
	STR("ports", false, 1, 511), INT("rate", false, 0, 100000), END };
static const struct jsonv_field scan_q[] = {
	INT("target_id", false, 1, ID_MAX), STR("status", false, 1, 16),
	INT("tenant_id", false, 1, ID_MAX), END };
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

/* WAF sites (sitecfg.c checks domains, addresses, CIDRs, rules). */
#define SITE_COMMON \
	STR("mode", false, 1, 16), INT("cert_id", false, 0, ID_MAX), \
	INT("cc_ip_rps", false, 0, 1000000), INT("cc_ip_burst", false, 0, 10000000), \
	INT("cc_url_rps", false, 0, 1000000), INT("cc_url_burst", false, 0, 10000000), \
	INT("cc_block_seconds", false, 0, 86400), ARR("allow_ips", false, 256), \
	ARR("deny_ips", false, 256)
static const struct jsonv_field site_body[] = {
	STR("name", true, 1, 64), ARR("domains", true, 32), SITE_COMMON, END };
static const struct jsonv_field site_update_body[] = {
	STR("name", false, 1, 64), ARR("domains", false, 32), STR("status", false, 1, 16),
	SITE_COMMON, END };
static const struct jsonv_field origin_body[] = {
	STR("address", true, 1, 253), INT("port", false, 1, 65535), STR("scheme", false, 1, 8),
	STR("health_path", false, 1, 256), INT("weight", false, 1, 100), END };
static const struct jsonv_field exception_body[] = {
	STR("rule_id", false, 1, 31), STR("category", false, 1, 23),
	STR("path_prefix", false, 1, 256), STR("field", false, 1, 80), STR("note", false, 0, 256),
	END };
static const struct jsonv_field rule_body[] = {
	STR("name", false, 1, 64), STR("field", true, 1, 80), STR("operator", true, 1, 16),
	STR("value", true, 1, 1024), STR("action", true, 1, 8), END };
static const struct jsonv_field cert_body[] = {
	STR("name", true, 1, 64), STR("certificate", true, 1, 65536), STR("key", true, 1, 16384),
	END };
static const struct jsonv_field waf_event_q[] = {
	INT("site_id", false, 1, ID_MAX), STR("category", false, 1, 23), STR("since", false, 1, 40),
	INT("after", false, 0, ID_MAX), INT("limit", false, 1, 1000), END };

/* anti-DDoS (ddos.c checks addresses, services, thresholds, CIDRs). */
static const struct jsonv_field ddos_object_body[] = {
	STR("name", true, 1, 64), ARR("ips", true, 256), OBJ("thresholds", false), END };
static const struct jsonv_field ddos_object_update_body[] = {
	STR("name", false, 1, 64), ARR("ips", false, 256), OBJ("thresholds", false),
	STR("status", false, 1, 16), END };
static const struct jsonv_field ddos_domain_body[] = {
	INT("object_id", true, 1, ID_MAX), STR("label", true, 1, 63), ARR("origins", true, 16),
	STR("mode", false, 1, 16), END };
static const struct jsonv_field ddos_domain_update_body[] = {
	ARR("origins", false, 16), STR("mode", false, 1, 16), END };
static const struct jsonv_field ddos_rule_body[] = {
	INT("object_id", true, 1, ID_MAX), STR("action", true, 1, 16), STR("cidr", false, 1, 64),
	INT("pps", false, 1, 1000000000000000LL), INT("bps", false, 1, 1000000000000000LL),
	INT("expires_in_seconds", false, 60, 366 * 86400), STR("note", false, 0, 256), END };
static const struct jsonv_field ddos_object_q[] = { INT("object_id", false, 1, ID_MAX), END };
static const struct jsonv_field ddos_attack_q[] = {
	INT("object_id", false, 1, ID_MAX), BOOL("active"), INT("limit", false, 1, 1000), END };

/* Qualification registers (qual.c checks dates, enumerations and references;
 * fields ending _on are dates YYYY-MM-DD). */
#define DATE(n, req) STR(n, req, 10, 10)
#define TEXT(n, req) STR(n, req, 1, 2000)
#define NAME(n, req) STR(n, req, 1, 128)
static const struct jsonv_field today_q[] = { DATE("today", false), END };
static const struct jsonv_field q_staff_body[] = {
	NAME("name", true), NAME("role", true), BOOL("full_time"), BOOL("support_only"),
	DATE("nda_signed_on", false), NAME("nda_document", false), END };
static const struct jsonv_field q_cert_body[] = {
	STR("kind", true, 1, 32), NAME("number", true), DATE("issued_on", true),
	DATE("expires_on", false), END };
static const struct jsonv_field q_nda_body[] = {
	DATE("nda_signed_on", true), NAME("nda_document", true), END };
static const struct jsonv_field q_training_body[] = {
	NAME("course", true), DATE("taken_on", true), INT("hours", true, 1, 2000), END };
static const struct jsonv_field q_leave_body[] = { DATE("left_on", true), END };
static const struct jsonv_field q_engagement_body[] = {
	INT("tenant_id", true, 1, ID_MAX), NAME("name", true), TEXT("plan", true),
	DATE("started_on", true), END };
static const struct jsonv_field q_milestone_body[] = {
	NAME("title", true), DATE("due_on", true), DATE("done_on", false), END };
static const struct jsonv_field q_done_body[] = { DATE("done_on", true), END };
static const struct jsonv_field q_assign_body[] = {
	INT("staff_id", true, 1, ID_MAX), NAME("role", false), END };
static const struct jsonv_field q_risk_body[] = {
	TEXT("description", true), INT("likelihood", true, 1, 5), INT("impact", true, 1, 5),
	NAME("owner", true), TEXT("treatment", true), END };
static const struct jsonv_field q_review_body[] = {
	DATE("reviewed_on", true), NAME("reviewer", true), STR("result", true, 1, 16),
	TEXT("notes", false), END };
static const struct jsonv_field q_accept_body[] = {
	STR("acceptance", true, 1, 16), DATE("accepted_on", true), NAME("customer_signoff", true),
	END };
static const struct jsonv_field q_supplier_body[] = {
	NAME("name", true), STR("supplies", true, 1, 16), NAME("contract_ref", false),
	DATE("contract_ends_on", false), END };
static const struct jsonv_field q_assess_body[] = {
	DATE("assessed_on", true), STR("result", true, 1, 16), DATE("next_due_on", true),
	TEXT("notes", false), END };
static const struct jsonv_field q_complaint_body[] = {
	DATE("received_on", true), NAME("complainant", true), TEXT("subject", true),
	INT("tenant_id", false, 1, ID_MAX), END };
static const struct jsonv_field q_close_body[] = {
	TEXT("handling", true), DATE("closed_on", true), END };
static const struct jsonv_field q_document_body[] = {
	STR("requirement_id", true, 1, 16), NAME("title", true), STR("sha256", true, 1, 64),
	NAME("reviewer", false), DATE("reviewed_on", false), DATE("expires_on", false), END };
static const struct jsonv_field q_review_doc_body[] = {
	NAME("reviewer", true), DATE("reviewed_on", true), DATE("expires_on", false), END };
static const struct jsonv_field q_fee_body[] = {
	STR("kind", true, 1, 32), INT("amount_fen", true, 0, 100000000000LL),
	DATE("paid_on", true), TEXT("note", false), END };
static const struct jsonv_field q_application_body[] = {
	STR("kind", true, 1, 16), DATE("submitted_on", true), END };
static const struct jsonv_field q_stage_body[] = {
	STR("stage", true, 1, 32), DATE("completed_on", true), TEXT("findings", false), END };
static const struct jsonv_field q_rect_body[] = {
	STR("stage", true, 1, 32), TEXT("item", true), DATE("deadline_on", true), END };
static const struct jsonv_field q_verify_body[] = { DATE("verified_on", true), END };
static const struct jsonv_field q_certificate_body[] = {
	NAME("number", true), INT("level", false, 1, 1), DATE("issued_on", true),
	INT("application_id", false, 1, ID_MAX), END };
static const struct jsonv_field q_filing_body[] = {
	STR("kind", true, 1, 32), INT("certificate_id", false, 1, ID_MAX), DATE("for_on", false),
	DATE("filed_on", true), TEXT("subject", true), END };
static const struct jsonv_field q_sanction_body[] = {
	STR("kind", true, 1, 16), INT("certificate_id", false, 1, ID_MAX),
	DATE("received_on", true), TEXT("reason", true), END };
static const struct jsonv_field q_sanction_body_handle[] = {
	TEXT("handling", true), DATE("closed_on", true), END };

#define ANY ROLES_ANY
#define OPS ROLES_OPERATORS
#define ADMIN ROLE_ADMIN
#define TADMIN ROLE_TENANT_ADMIN
#define READERS (ROLES_OPERATORS | ROLES_TENANT)
#define SCANNERS (ROLE_ADMIN | ROLE_ANALYST | ROLES_TENANT)
#define PUB ROUTE_PUBLIC
#define RST ROUTE_RESTRICTED_OK
#define QREAD (ROLE_ADMIN | ROLE_AUDITOR)

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
	{ "GET", "/v1/nodes/{id}/baseline", h_node_baseline, READERS, 0, NULL, none, none },
	{ "GET", "/v1/nodes/{id}/inventory", h_node_inventory, READERS, 0, NULL, none, none },
	{ "POST", "/v1/nodes/{id}/scan", h_node_scan, ADMIN | TADMIN, 0, "malware.scan.request",
	  none, none },
	{ "POST", "/v1/nodes/{id}/revoke", h_node_revoke, ADMIN | TADMIN, 0, "node.revoke", none, none },
	{ "POST", "/v1/policies", h_policy_set, ADMIN | TADMIN, 0, "policy.set", policy_body, none },
	{ "GET", "/v1/alerts", h_alert_list, READERS, 0, NULL, none, alert_q },
	{ "GET", "/v1/alerts/{id}", h_alert_get, READERS, 0, NULL, none, none },
	{ "POST", "/v1/alerts/{id}/acknowledge", h_alert_ack, ADMIN | ROLE_ANALYST | TADMIN, 0,
	  "alert.acknowledge", note_body, none },
	{ "POST", "/v1/alerts/{id}/resolve", h_alert_resolve, ADMIN | ROLE_ANALYST | TADMIN, 0,
	  "alert.resolve", note_body, none },
	{ "GET", "/v1/events", h_event_list, READERS, 0, NULL, none, event_q },
	{ "GET", "/v1/quarantine", h_quarantine_list, READERS, 0, NULL, none, quarantine_q },
	{ "POST", "/v1/quarantine/{id}/restore", h_quarantine_restore, ADMIN | TADMIN, 0,
	  "quarantine.restore", restore_body, none },
	/* host vulnerabilities (feeds.c, vulnmatch.c, findings.c) */
	{ "POST", "/v1/vuln/feeds", h_vuln_feed_import, ADMIN, ROUTE_OWN_TX, "vuln.feed.import",
	  vuln_feed_body, none },
	{ "GET", "/v1/vuln/feeds", h_vuln_feed_list, OPS, 0, NULL, none, none },
	{ "POST", "/v1/vuln/xref", h_vuln_xref_import, ADMIN, 0, "vuln.xref.import",
	  vuln_xref_body, none },
	{ "GET", "/v1/vuln/findings", h_vuln_finding_list, READERS, 0, NULL, none, vuln_finding_q },
	{ "GET", "/v1/vuln/findings/export", h_vuln_finding_export, READERS, ROUTE_RAW_BODY, NULL,
	  none, vuln_finding_q },
	{ "GET", "/v1/vuln/findings/{id}", h_vuln_finding_get, READERS, 0, NULL, none, none },
	{ "POST", "/v1/vuln/findings/{id}/accept", h_vuln_finding_accept,
	  ADMIN | ROLE_ANALYST | TADMIN, 0, "vuln.finding.accept", vuln_accept_body, none },
	{ "POST", "/v1/vuln/findings/{id}/false-positive", h_vuln_finding_false_positive,
	  ADMIN | ROLE_ANALYST | TADMIN, 0, "vuln.finding.false_positive", reason_body, none },
	/* network scans (scans.c, scanworker.c): tenants register targets,
	 * operators authorise the ones the tenant's agents do not report */
	{ "POST", "/v1/scan-targets", h_scan_target_create, TADMIN, ROUTE_OWN_TX,
	  "scan.target.create", scan_target_body, none },
	{ "GET", "/v1/scan-targets", h_scan_target_list, READERS, 0, NULL, none, scan_target_q },
	{ "GET", "/v1/scan-targets/{id}", h_scan_target_get, READERS, 0, NULL, none, none },
	{ "POST", "/v1/scan-targets/{id}/approve", h_scan_target_approve, ADMIN, 0,
	  "scan.target.approve", scan_approve_body, none },
	{ "POST", "/v1/scan-targets/{id}/reject", h_scan_target_reject, ADMIN, 0,
	  "scan.target.reject", reason_body, none },
	{ "DELETE", "/v1/scan-targets/{id}", h_scan_target_delete, ADMIN | TADMIN, 0,
	  "scan.target.delete", none, none },
	{ "POST", "/v1/scan-targets/{id}/scans", h_scan_create, SCANNERS, 0, "scan.create",
	  scan_body, none },
	{ "GET", "/v1/scans", h_scan_list, READERS, 0, NULL, none, scan_q },
	{ "GET", "/v1/scans/{id}", h_scan_get, READERS, 0, NULL, none, none },
	{ "GET", "/v1/scans/{id}/results", h_scan_results, READERS, 0, NULL, none, none },
	{ "POST", "/v1/scans/{id}/cancel", h_scan_cancel, SCANNERS, 0, "scan.cancel", none, none },
	/* WAF sites (sites.c): tenant admins write, readers read */
	{ "POST", "/v1/sites", h_site_create, TADMIN, 0, "site.create", site_body, none },
	{ "GET", "/v1/sites", h_site_list, READERS, 0, NULL, none, none },
	{ "GET", "/v1/sites/{id}", h_site_get, READERS, 0, NULL, none, none },
	{ "POST", "/v1/sites/{id}/update", h_site_update, TADMIN, 0, "site.update",
	  site_update_body, none },
	{ "DELETE", "/v1/sites/{id}", h_site_delete, TADMIN, 0, "site.delete", none, none },
	{ "POST", "/v1/sites/{id}/origins", h_site_origin_add, TADMIN, 0, "site.origin.add",
	  origin_body, none },
	{ "DELETE", "/v1/sites/origins/{id}", h_site_origin_delete, TADMIN, 0,
	  "site.origin.delete", none, none },
	{ "POST", "/v1/sites/{id}/exceptions", h_site_exception_add, TADMIN, 0,
	  "site.exception.add", exception_body, none },
	{ "DELETE", "/v1/sites/exceptions/{id}", h_site_exception_delete, TADMIN, 0,
	  "site.exception.delete", none, none },
	{ "POST", "/v1/sites/{id}/rules", h_site_rule_add, TADMIN, 0, "site.rule.add", rule_body,
	  none },
	{ "DELETE", "/v1/sites/rules/{id}", h_site_rule_delete, TADMIN, 0, "site.rule.delete",
	  none, none },
	{ "GET", "/v1/sites/{id}/stats", h_site_stats, READERS, 0, NULL, none, none },
	{ "POST", "/v1/certificates", h_cert_upload, TADMIN, 0, "certificate.upload", cert_body,
	  none },
	{ "GET", "/v1/certificates", h_cert_list, READERS, 0, NULL, none, none },
	{ "DELETE", "/v1/certificates/{id}", h_cert_delete, TADMIN, 0, "certificate.delete", none,
	  none },
	{ "GET", "/v1/waf/events", h_waf_events, READERS, 0, NULL, none, waf_event_q },
	/* anti-DDoS (ddos.c): tenant admins write, readers read */
	{ "POST", "/v1/ddos/objects", h_ddos_object_create, TADMIN, 0, "ddos.object.create",
	  ddos_object_body, none },
	{ "GET", "/v1/ddos/objects", h_ddos_object_list, READERS, 0, NULL, none, none },
	{ "GET", "/v1/ddos/objects/{id}", h_ddos_object_get, READERS, 0, NULL, none, none },
	{ "POST", "/v1/ddos/objects/{id}/update", h_ddos_object_update, TADMIN, 0,
	  "ddos.object.update", ddos_object_update_body, none },
	{ "DELETE", "/v1/ddos/objects/{id}", h_ddos_object_delete, TADMIN, 0, "ddos.object.delete",
	  none, none },
	{ "POST", "/v1/ddos/domains", h_ddos_domain_create, TADMIN, 0, "ddos.domain.create",
	  ddos_domain_body, none },
	{ "GET", "/v1/ddos/domains", h_ddos_domain_list, READERS, 0, NULL, none, ddos_object_q },
	{ "GET", "/v1/ddos/domains/{id}", h_ddos_domain_get, READERS, 0, NULL, none, none },
	{ "POST", "/v1/ddos/domains/{id}/update", h_ddos_domain_update, TADMIN, 0,
	  "ddos.domain.update", ddos_domain_update_body, none },
	{ "DELETE", "/v1/ddos/domains/{id}", h_ddos_domain_delete, TADMIN, 0, "ddos.domain.delete",
	  none, none },
	{ "POST", "/v1/ddos/rules", h_ddos_rule_create, TADMIN, 0, "ddos.rule.create",
	  ddos_rule_body, none },
	{ "GET", "/v1/ddos/rules", h_ddos_rule_list, READERS, 0, NULL, none, ddos_object_q },
	{ "DELETE", "/v1/ddos/rules/{id}", h_ddos_rule_delete, TADMIN, 0, "ddos.rule.delete", none,
	  none },
	{ "GET", "/v1/ddos/attacks", h_ddos_attack_list, READERS, 0, NULL, none, ddos_attack_q },
	{ "GET", "/v1/ddos/attacks/{id}", h_ddos_attack_get, READERS, 0, NULL, none, none },
	{ "POST", "/v1/node/heartbeat", h_node_heartbeat, 0, ROUTE_NODE | ROUTE_TELEMETRY, NULL,
	  heartbeat_body, none },
	{ "GET", "/v1/node/policy", h_node_policy, 0, ROUTE_NODE, NULL, none, none },
	{ "POST", "/v1/node/events", h_node_events, 0, ROUTE_NODE | ROUTE_TELEMETRY, NULL,
	  events_body, none },
	/* qualification readiness: operators only */
	{ "GET", "/v1/qual/requirements", h_qual_requirements, QREAD, 0, NULL, none, none },
	{ "GET", "/v1/qual/checklist", h_qual_checklist, QREAD, 0, NULL, none, today_q },
	{ "GET", "/v1/qual/deadlines", h_qual_deadlines, QREAD, 0, NULL, none, today_q },
	{ "POST", "/v1/qual/exports", h_qual_export, QREAD, 0, "qual.export", none, none },
	{ "GET", "/v1/qual/staff", h_qual_staff_list, QREAD, 0, NULL, none, today_q },
	{ "POST", "/v1/qual/staff", h_qual_staff_add, ADMIN, 0, "qual.staff.add", q_staff_body, none },
	{ "POST", "/v1/qual/staff/{id}/certificates", h_qual_staff_cert, ADMIN, 0,
	  "qual.staff.certificate", q_cert_body, none },
	{ "POST", "/v1/qual/staff/{id}/nda", h_qual_staff_nda, ADMIN, 0, "qual.staff.nda",
	  q_nda_body, none },
	{ "POST", "/v1/qual/staff/{id}/training", h_qual_staff_training, ADMIN, 0,
	  "qual.staff.training", q_training_body, none },
	{ "POST", "/v1/qual/staff/{id}/leave", h_qual_staff_leave, ADMIN, 0, "qual.staff.leave",
	  q_leave_body, none },
	{ "GET", "/v1/qual/engagements", h_qual_engagement_list, QREAD, 0, NULL, none, today_q },
	{ "POST", "/v1/qual/engagements", h_qual_engagement_add, ADMIN, 0, "qual.engagement.add",
	  q_engagement_body, none },
	{ "GET", "/v1/qual/engagements/{id}", h_qual_engagement_get, QREAD, 0, NULL, none, today_q },
	{ "POST", "/v1/qual/engagements/{id}/milestones", h_qual_engagement_milestone, ADMIN, 0,
	  "qual.engagement.milestone", q_milestone_body, none },
	{ "POST", "/v1/qual/milestones/{id}/done", h_qual_milestone_done, ADMIN, 0,
	  "qual.milestone.done", q_done_body, none },
	{ "POST", "/v1/qual/engagements/{id}/staff", h_qual_engagement_assign, ADMIN, 0,
	  "qual.engagement.assign", q_assign_body, none },
	{ "POST", "/v1/qual/engagements/{id}/risks", h_qual_engagement_risk, ADMIN, 0,
	  "qual.engagement.risk", q_risk_body, none },
	{ "POST", "/v1/qual/engagements/{id}/reviews", h_qual_engagement_review, ADMIN, 0,
	  "qual.engagement.review", q_review_body, none },
	{ "POST", "/v1/qual/engagements/{id}/acceptance", h_qual_engagement_accept, ADMIN, 0,
	  "qual.engagement.accept", q_accept_body, none },
	{ "GET", "/v1/qual/suppliers", h_qual_supplier_list, QREAD, 0, NULL, none, today_q },
	{ "POST", "/v1/qual/suppliers", h_qual_supplier_add, ADMIN, 0, "qual.supplier.add",
	  q_supplier_body, none },
	{ "POST", "/v1/qual/suppliers/{id}/assessments", h_qual_supplier_assess, ADMIN, 0,
	  "qual.supplier.assess", q_assess_body, none },
	{ "GET", "/v1/qual/complaints", h_qual_complaint_list, QREAD, 0, NULL, none, none },
	{ "POST", "/v1/qual/complaints", h_qual_complaint_add, ADMIN, 0, "qual.complaint.add",
	  q_complaint_body, none },
	{ "POST", "/v1/qual/complaints/{id}/close", h_qual_complaint_close, ADMIN, 0,
	  "qual.complaint.close", q_close_body, none },
	{ "GET", "/v1/qual/documents", h_qual_document_list, QREAD, 0, NULL, none, today_q },
	{ "POST", "/v1/qual/documents", h_qual_document_add, ADMIN, 0, "qual.document.add",
	  q_document_body, none },
	{ "POST", "/v1/qual/documents/{id}/review", h_qual_document_review, ADMIN, 0,
	  "qual.document.review", q_review_doc_body, none },
	{ "GET", "/v1/qual/fees", h_qual_fee_list, QREAD, 0, NULL, none, none },
	{ "POST", "/v1/qual/fees", h_qual_fee_add, ADMIN, 0, "qual.fee.add", q_fee_body, none },
	{ "GET", "/v1/qual/applications", h_qual_application_list, QREAD, 0, NULL, none, none },
	{ "POST", "/v1/qual/applications", h_qual_application_add, ADMIN, 0,
	  "qual.application.add", q_application_body, none },
	{ "POST", "/v1/qual/applications/{id}/stages", h_qual_application_stage, ADMIN, 0,
	  "qual.application.stage", q_stage_body, none },
	{ "POST", "/v1/qual/applications/{id}/rectifications", h_qual_application_rectification,
	  ADMIN, 0, "qual.application.rectification", q_rect_body, none },
	{ "POST", "/v1/qual/rectifications/{id}/verify", h_qual_rectification_verify, ADMIN, 0,
	  "qual.rectification.verify", q_verify_body, none },
	{ "GET", "/v1/qual/certificates", h_qual_certificate_list, QREAD, 0, NULL, none, today_q },
	{ "POST", "/v1/qual/certificates", h_qual_certificate_add, ADMIN, 0,
	  "qual.certificate.add", q_certificate_body, none },
	{ "GET", "/v1/qual/filings", h_qual_filing_list, QREAD, 0, NULL, none, none },
	{ "POST", "/v1/qual/filings", h_qual_filing_add, ADMIN, 0, "qual.filing.add",
	  q_filing_body, none },
	{ "GET", "/v1/qual/sanctions", h_qual_sanction_list, QREAD, 0, NULL, none, none },
	{ "POST", "/v1/qual/sanctions", h_qual_sanction_add, ADMIN, 0, "qual.sanction.add",
	  q_sanction_body, none },
	{ "POST", "/v1/qual/sanctions/{id}/handle", h_qual_sanction_handle, ADMIN, 0,
	  "qual.sanction.handle", q_sanction_body_handle, none },
	{ NULL, NULL, NULL, 0, 0, NULL, NULL, NULL },
};
