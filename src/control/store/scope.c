/*
 * scope: scoped reads for every tenant-owned table. The table descriptors
 * below are the whole list of what the API may show of each table and
 * which column carries its tenant; changing what a tenant can see means
 * changing a row here and nowhere else.
 */
#include "store.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "log.h"

struct table_desc {
	const char *from;
	const char *key;		/* ordering and id column */
	const char *columns;
	const char *tenant_col;		/* NULL: not tenant-owned (catalogue) */
	const char *filterable[8];
};

static const struct table_desc tables[STORE_TABLE_COUNT] = {
	[STORE_TENANTS] = { "tenants", "id",
		"id, name, credit_code, contact_name, contact_email, contact_phone, status, reason,"
		" created_at, approved_by, approved_at",
		"id", { "status", "id", "name" } },
	[STORE_USERS] = { "users", "id",
		"id, username, role, tenant_id, status, mfa_enabled AS \"mfa_enabled:b\","
		" must_change_password AS \"must_change_password:b\", created_at, last_login_at",
		"tenant_id", { "tenant_id", "role", "status", "id", "username" } },
	[STORE_API_KEYS] = { "api_keys", "id",
		"id, user_id, tenant_id, name, prefix, created_at, expires_at, last_used_at,"
		" revoked_at", "tenant_id", { "user_id", "id" } },
	[STORE_PLANS] = { "plans", "id",
		"id, service, name, price_fen, description, bandwidth_mbps, status, created_at",
		NULL, { "service", "status", "id" } },
	[STORE_ORDERS] = { "orders", "id",
		"id, tenant_id, kind, plan_id, service, quantity, months, total_fen, status,"
		" offline AS \"offline:b\", contract_ref, subscription_id, created_by, created_at,"
		" decided_by, decided_at, reason", "tenant_id", { "status", "tenant_id", "service", "id" } },
	[STORE_SUBSCRIPTIONS] = { "subscriptions_v", "id",
		"id, tenant_id, service, plan_id, quantity, starts_at, ends_at, status, cancelled_at,"
		" order_id", "tenant_id", { "status", "service", "tenant_id", "id" } },
	[STORE_AUDIT] = { "audit_log", "seq",
		"seq, time_ms AS \"time:ms\", actor, actor_id, tenant_id, source, action, target,"
		" result, detail, hash AS \"hash:hex\"", "tenant_id",
		{ "seq", "time_ms", "actor", "tenant_id", "action", "result" } },
	[STORE_ENROLMENT_TOKENS] = { "enrolment_tokens", "id",
		"id, tenant_id, kind, created_by, created_at, expires_at, used_at, node_id",
		"tenant_id", { "kind", "id" } },
	[STORE_NODES] = { "nodes", "id",
		"id, tenant_id, kind, hostname, cert_serial, cert_fingerprint, version, enrolled_at,"
		" last_heartbeat_at, policy_version, module_status, revoked_at, revoked_by",
		"tenant_id", { "kind", "id", "tenant_id" } },
	/* Qualification registers: operator routes only (admin, auditor). */
	[STORE_QUAL_STAFF] = { "qual_staff", "id",
		"id, name, role, full_time AS \"full_time:b\", support_only AS \"support_only:b\","
		" nda_signed_on, nda_document, left_on, created_at", NULL, { "id" } },
	[STORE_QUAL_STAFF_CERTS] = { "qual_staff_certs", "id",
		"id, staff_id, kind, number, issued_on, expires_on, created_at", NULL,
		{ "id", "staff_id", "kind" } },
	[STORE_QUAL_TRAINING] = { "qual_training", "id",
		"id, staff_id, course, taken_on, hours, created_at", NULL, { "id", "staff_id" } },
	[STORE_QUAL_ENGAGEMENTS] = { "qual_engagements", "id",
		"id, tenant_id, name, plan, started_on, acceptance, accepted_on, customer_signoff,"
		" created_at", "tenant_id", { "id", "tenant_id", "acceptance" } },
	[STORE_QUAL_MILESTONES] = { "qual_milestones", "id",
		"id, engagement_id, title, due_on, done_on, created_at", NULL,
		{ "id", "engagement_id" } },
	[STORE_QUAL_ASSIGNMENTS] = { "qual_assignments", "id",
		"id, engagement_id, staff_id, role, created_at", NULL,
		{ "id", "engagement_id", "staff_id" } },
	[STORE_QUAL_RISKS] = { "qual_risks", "id",
		"id, engagement_id, description, likelihood, impact, likelihood * impact AS score,"
		" owner, treatment, created_at", NULL, { "id", "engagement_id" } },
	[STORE_QUAL_REVIEWS] = { "qual_reviews", "id",
		"id, engagement_id, reviewed_on, reviewer, result, notes, created_at", NULL,
		{ "id", "engagement_id" } },
	[STORE_QUAL_SUPPLIERS] = { "qual_suppliers", "id",
		"id, name, supplies, contract_ref, contract_ends_on, created_at", NULL, { "id" } },
	[STORE_QUAL_ASSESSMENTS] = { "qual_assessments", "id",
		"id, supplier_id, assessed_on, result, next_due_on, notes, created_at", NULL,
		{ "id", "supplier_id" } },
	[STORE_QUAL_COMPLAINTS] = { "qual_complaints", "id",
		"id, received_on, complainant, subject, tenant_id, handling, closed_on, created_at",
		NULL, { "id", "tenant_id" } },
	[STORE_QUAL_DOCUMENTS] = { "qual_documents", "id",
		"id, requirement_id, title, sha256, reviewer, reviewed_on, expires_on, created_by,"
		" created_at", NULL, { "id", "requirement_id" } },
	[STORE_QUAL_FEES] = { "qual_fees", "id",
		"id, kind, amount_fen, paid_on, note, created_at", NULL, { "id", "kind" } },
	[STORE_QUAL_APPLICATIONS] = { "qual_applications", "id",
		"id, kind, level, submitted_on, created_at", NULL, { "id" } },
	[STORE_QUAL_STAGES] = { "qual_stages", "id",
		"id, application_id, stage, completed_on, findings, created_at", NULL,
		{ "id", "application_id" } },
	[STORE_QUAL_RECTIFICATIONS] = { "qual_rectifications", "id",
		"id, application_id, stage, item, deadline_on, verified_on, created_at", NULL,
		{ "id", "application_id" } },
	[STORE_QUAL_CERTS] = { "qual_certs", "id",
		"id, number, level, issued_on, expires_on, application_id, created_at", NULL,
		{ "id" } },
	[STORE_QUAL_FILINGS] = { "qual_filings", "id",
		"id, kind, certificate_id, for_on, filed_on, subject, created_at", NULL,
		{ "id", "kind", "certificate_id" } },
	[STORE_QUAL_SANCTIONS] = { "qual_sanctions", "id",
		"id, kind, certificate_id, received_on, reason, handling, closed_on, created_at",
		NULL, { "id", "certificate_id" } },
	[STORE_ALERTS] = { "alerts", "id",
		"id, tenant_id, node_id, module, type, dedupe_key AS key, severity, title_zh, title_en,"
		" first_seen_ms AS \"first_seen:ms\", last_seen_ms AS \"last_seen:ms\", count, status,"
		" sample, note, created_at, acknowledged_by, acknowledged_at, resolved_by, resolved_at",
		"tenant_id", { "status", "severity", "node_id", "module", "type", "id" } },
	[STORE_EVENTS] = { "node_events", "id",
		"id, node_id, seq, tenant_id, time_ms AS \"time:ms\", module, type, payload,"
		" received_at", "tenant_id", { "node_id", "module", "type", "id" } },
	[STORE_NODE_COMMANDS] = { "node_commands", "id",
		"id, node_id, tenant_id, module, type, args, status, created_by, created_at, done_at,"
		" result", "tenant_id", { "node_id", "status", "type", "id" } },
	[STORE_MALWARE_EVENTS] = { "node_events_malware", "id",
		"id, node_id, seq, tenant_id, time_ms AS \"time:ms\", type, payload", "tenant_id",
		{ "node_id", "type", "id" } },
	[STORE_VULN_FEEDS] = { "vuln_feeds", "id",
		"id, kind, source, sha256, size, packages, advisories, entries, active AS \"active:b\","
		" imported_by, imported_at", NULL, { "kind", "id" } },
	[STORE_VULN_FINDINGS] = { "vuln_findings_v", "id",
		"id, tenant_id, node_id, cve, cnnvd, cnvd, package, installed_version, fixed_version,"
		" feed, advisory, urgency, cvss, severity, severity_zh, status, reason, expires_on,"
		" decided_by, decided_at, first_seen_at, last_seen_at, fixed_at", "tenant_id",
		{ "node_id", "severity", "status", "cve", "package", "tenant_id", "id" } },
	[STORE_SCAN_TARGETS] = { "scan_targets_v", "id",
		"id, tenant_id, target, kind, addresses, ports, rate, status, authorization,"
		" authorized_by, authorization_ref, decided_at, note, created_by, created_at",
		"tenant_id", { "status", "kind", "tenant_id", "id" } },
	[STORE_SCAN_JOBS] = { "scan_jobs", "id",
		"id, tenant_id, target_id, status, ports, rate, hosts_total, hosts_done, ports_total,"
		" ports_done, open_ports, findings, cancel_requested AS \"cancel_requested:b\", method,"
		" previous_job_id AS previous_scan_id, error, created_by, created_at, started_at,"
		" finished_at", "tenant_id", { "target_id", "status", "tenant_id", "id" } },
	/* WAF sites. waf_certs.key_enc (the wrapped private key) is in no
	 * descriptor: no API answer can carry it. */
	[STORE_WAF_SITES] = { "waf_sites", "id",
		"id, tenant_id, name, domains, mode, cname, cert_id, cc_ip_rps, cc_ip_burst,"
		" cc_url_rps, cc_url_burst, cc_block_seconds, allow_ips, deny_ips, status, created_by,"
		" created_at, updated_at", "tenant_id", { "id", "tenant_id", "status", "cert_id" } },
	[STORE_WAF_CERTS] = { "waf_certs", "id",
		"id, tenant_id, name, subject, sans, not_before AS not_before_at,"
		" not_after AS not_after_at, fingerprint, created_by, created_at", "tenant_id",
		{ "id", "tenant_id", "name" } },
	[STORE_WAF_ORIGINS] = { "waf_origins", "id",
		"id, site_id, tenant_id, address, port, scheme, health_path, weight, created_at",
		"tenant_id", { "id", "site_id" } },
	[STORE_WAF_EXCEPTIONS] = { "waf_exceptions", "id",
		"id, site_id, tenant_id, rule_id, category, path_prefix, field, note, created_at",
		"tenant_id", { "id", "site_id" } },
	[STORE_WAF_RULES] = { "waf_rules", "id",
		"id, site_id, tenant_id, name, field, operator, value, action, created_at",
		"tenant_id", { "id", "site_id" } },
	[STORE_WAF_EVENTS] = { "waf_events", "id",
		"id, site_id, tenant_id, node_id, seq, time_ms AS \"time:ms\", rule_id, category,"
		" severity, action, client_ip, method, uri, excerpt, request_id, received_at",
		"tenant_id", { "id", "site_id", "category", "time_ms", "tenant_id" } },
	/* anti-DDoS (ddos.c) */
	[STORE_DDOS_OBJECTS] = { "ddos_objects", "id",
		"id, tenant_id, name, ips, thresholds, status, created_by, created_at, updated_at",
		"tenant_id", { "id", "tenant_id", "status", "name" } },
	[STORE_DDOS_DOMAINS] = { "ddos_domains", "id",
		"id, tenant_id, object_id, label, name, origins, mode, created_by, created_at,"
		" updated_at", "tenant_id", { "id", "tenant_id", "object_id" } },
	[STORE_DDOS_RULES] = { "ddos_rules", "id",
		"id, tenant_id, object_id, action, cidr, pps, bps, expires_at, note, created_by,"
		" created_at", "tenant_id", { "id", "tenant_id", "object_id", "action" } },
	[STORE_DDOS_ATTACKS] = { "ddos_attacks", "id",
		"id, tenant_id, object_id, node_id, ip, start_ms, end_ms, status, vectors, triggers, mitigations, baseline_p95_pps,"
		" peak_pps, peak_bps, dropped_pkts, dropped_bytes, vector_pkts, top_sources, timeline,"
		" created_at, updated_at", "tenant_id",
		{ "id", "tenant_id", "object_id", "status" } },
};

static const struct {
	const char *newest, *insert;
} version_sql[] = {
	[STORE_VERSIONS_WAF] = { "SELECT id, sha256 FROM waf_bundle_versions ORDER BY id DESC LIMIT 1",
		"INSERT INTO waf_bundle_versions (sha256, created_at) VALUES (?, ?)" },
	[STORE_VERSIONS_DDOS] = { "SELECT id, sha256 FROM ddos_bundle_versions ORDER BY id DESC LIMIT 1",
		"INSERT INTO ddos_bundle_versions (sha256, created_at) VALUES (?, ?)" },
};

int64_t
store_content_version(struct db *db, enum store_version_table t, const char *sha256_hex)
{
	struct db_stmt *st = db_q(db, version_sql[t].newest, "");
	int64_t id = 0;
	bool same = false;

	if (st && db_step(st) == DB_ROW) {
		id = db_col_int(st, 0);
		same = strcmp(db_col_text(st, 1), sha256_hex) == 0;
	}
	db_done(st);
	if (same)
		return id;
	if (db_run(db, version_sql[t].insert, "sl", sha256_hex, (int64_t)time(NULL)) != 1)
		return id > 0 ? id : 1;
	return db_last_id(db);
}

size_t
store_filters_from(const json_t *in, const char *const *names, struct store_filter *f,
    size_t max)
{
	size_t n = 0;

	for (size_t i = 0; names[i] && n < max; i++) {
		json_t *v = json_object_get(in, names[i]);

		if (json_is_string(v))
			f[n++] = (struct store_filter){ names[i], "=", json_string_value(v), 0 };
		else if (json_is_integer(v))
			f[n++] = (struct store_filter){ names[i], "=", NULL, json_integer_value(v) };
	}
	return n;
}

static bool
is_filterable(const struct table_desc *d, const char *col)
{
	for (size_t i = 0; i < 8 && d->filterable[i]; i++)
		if (strcmp(d->filterable[i], col) == 0)
			return true;
	return false;
}

static bool
is_op(const char *op)
{
	static const char *const ops[] = { "=", ">", ">=", "<", "<=" };

	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (strcmp(op, ops[i]) == 0)
			return true;
	return false;
}

json_t *
store_get(struct db *db, struct scope sc, enum store_table t, int64_t id)
{
	struct store_filter f = { tables[t].key, "=", NULL, id };
	json_t *rows = store_list(db, sc, t, &f, 1, 1), *row = NULL;

	if (rows && json_array_size(rows) == 1)
		row = json_incref(json_array_get(rows, 0));
	json_decref(rows);
	return row;
}

json_t *
store_find(struct db *db, struct scope sc, enum store_table t, int64_t id, const char *what,
    struct ys_err *e)
{
	json_t *row = store_get(db, sc, t, id);

	if (row == NULL)
		ys_fail(e, "not_found", "no %s %lld", what, (long long)id);
	return row;
}

bool
store_exists(struct db *db, struct scope sc, enum store_table t, int64_t id)
{
	json_t *row = store_get(db, sc, t, id);

	json_decref(row);
	return row != NULL;
}

json_t *
store_list(struct db *db, struct scope sc, enum store_table t,
    const struct store_filter *f, size_t nf, int64_t limit)
{
	const struct table_desc *d;
	struct db_stmt *st;
	char sql[1024];
	size_t n;
	int idx = 1;

	if ((unsigned)t >= STORE_TABLE_COUNT || nf > 8)
		return NULL;
	d = &tables[t];
	n = (size_t)snprintf(sql, sizeof(sql), "SELECT %s FROM %s WHERE 1=1", d->columns, d->from);
	if (sc.tenant_id != 0) {
		if (d->tenant_col != NULL)
			n += (size_t)snprintf(sql + n, sizeof(sql) - n, " AND %s = ?", d->tenant_col);
	}
	for (size_t i = 0; i < nf; i++) {
		if (!is_filterable(d, f[i].column) || !is_op(f[i].op)) {
			log_err("store: refused filter %s %s on %s", f[i].column, f[i].op, d->from);
			return NULL;
		}
		n += (size_t)snprintf(sql + n, sizeof(sql) - n, " AND %s %s ?", f[i].column, f[i].op);
	}
	n += (size_t)snprintf(sql + n, sizeof(sql) - n, " ORDER BY %s LIMIT ?", d->key);
	if (n >= sizeof(sql))
		return NULL;
	st = db_q(db, sql, "");
	if (st == NULL)
		return NULL;
	/* The parameter list varies with the filters, so bind one by one. */
	if (sc.tenant_id != 0 && d->tenant_col != NULL)
		db_bind_int64(st, idx++, sc.tenant_id);
	for (size_t i = 0; i < nf; i++) {
		if (f[i].text)
			db_bind_text(st, idx++, f[i].text);
		else
			db_bind_int64(st, idx++, f[i].num);
	}
	db_bind_int64(st, idx, limit > 0 ? limit : 1000);
	return db_rows_json(st);
}
