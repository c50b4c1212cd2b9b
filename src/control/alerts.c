/*
 * alerts: the detection rule table, grouping, and the alert life cycle
 * (open -> acknowledged -> resolved). All writes to the alerts table
 * happen here.
 */
#include "alerts.h"

#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store.h"

static const char *const severities[] = { "info", "low", "medium", "high", "critical" };

int
alerts_severity_rank(const char *s)
{
	for (size_t i = 0; s && i < sizeof(severities) / sizeof(severities[0]); i++)
		if (strcmp(s, severities[i]) == 0)
			return (int)i;
	return -1;
}

/*
 * Detection rules, first match wins. type is an fnmatch pattern; severity
 * is the default when the event does not carry one; min is the lowest
 * severity that raises an alert (events below it are kept, not alerted).
 */
static const struct rule {
	const char *module;
	const char *type;
	const char *severity;
	const char *min;
	const char *title_zh;
	const char *title_en;
} rules[] = {
	{ "fim", "fim.added", "low", "low", "文件新增", "File added" },
	{ "fim", "fim.modified", "medium", "low", "文件内容被修改", "File content modified" },
	{ "fim", "fim.attributes", "low", "low", "文件属性被修改", "File attributes changed" },
	{ "fim", "fim.deleted", "medium", "low", "文件被删除", "File deleted" },
	{ "malware", "malware.detected", "high", "low", "发现恶意文件", "Malware detected" },
	{ "malware", "malware.quarantined", "info", "critical", "恶意文件已隔离", "File quarantined" },
	{ "ids", "ids.brute_force", "high", "low", "SSH 暴力破解", "SSH brute force" },
	{ "ids", "ids.login_after_failures", "critical", "low", "多次失败后登录成功",
	  "Successful login after repeated failures" },
	{ "ids", "ids.new_source", "medium", "low", "来自新来源的登录", "Login from a new source" },
	{ "ids", "ids.blocked", "medium", "low", "已封禁攻击来源", "Attack source blocked" },
	{ "baseline", "baseline.failed", "medium", "low", "基线检查未通过", "Baseline check failed" },
	{ "vuln", "vuln.finding", "high", "high", "发现超危/高危漏洞",
	  "Critical or high vulnerability found" },
	{ "scan", "scan.finding", "high", "high", "网络扫描发现超危/高危问题",
	  "Network scan found a critical/high issue" },
	{ "agent", "*", "medium", "medium", "代理异常", "Agent problem" },
	{ "qual", "qual.deadline", "medium", "low", "资质期限提醒（年度确认/换证/整改）",
	  "Qualification deadline (annual confirmation, renewal, rectification)" },
	{ "waf", "waf.attack_burst", "high", "low", "网站遭受集中攻击", "Website attack burst" },
	{ "waf", "waf.attack", "medium", "high", "网站遭受高危攻击", "High-severity website attack" },
	{ "ddos", "ddos.attack", "high", "high", "防护IP遭受DDoS攻击", "DDoS attack on a protected address" },
	{ "*", "*", "info", "high", "安全事件", "Security event" },
};

static const struct rule *
rule_for(const char *module, const char *type)
{
	for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++)
		if (fnmatch(rules[i].module, module, 0) == 0 && fnmatch(rules[i].type, type, 0) == 0)
			return &rules[i];
	return NULL;
}

int
alerts_observe(struct db *db, int64_t tenant_id, int64_t node_id, const char *module,
    const char *type, int64_t time_ms, const json_t *payload)
{
	const struct rule *r = rule_for(module, type);
	const char *sev = json_string_value(json_object_get(payload, "severity"));
	const char *key = json_string_value(json_object_get(payload, "key"));
	json_t *count_v = json_object_get(payload, "count");
	int64_t count = json_is_integer(count_v) && json_integer_value(count_v) > 0 ?
	    json_integer_value(count_v) : 1;
	int64_t id, now_ms = (int64_t)time(NULL) * 1000;
	char *sample;
	int64_t rc;

	if (r == NULL)
		return 0;
	if (alerts_severity_rank(sev) < 0)
		sev = r->severity;
	if (alerts_severity_rank(sev) < alerts_severity_rank(r->min))
		return 0;
	if (key == NULL)
		key = "";
	if (time_ms <= 0 || time_ms > now_ms + 86400000LL)
		time_ms = now_ms;
	/* Provider-wide alerts (node 0, stored as NULL) group like the others. */
	id = db_int(db, 0, "SELECT id FROM alerts WHERE coalesce(node_id, 0) = ? AND module = ?"
	    " AND type = ? AND dedupe_key = ? AND status != 'resolved' AND last_seen_ms >= ?"
	    " ORDER BY id DESC LIMIT 1", "lsssl", node_id, module, type, key,
	    time_ms - (int64_t)ALERTS_GROUP_WINDOW_S * 1000);
	sample = json_dumps(payload, JSON_COMPACT);
	if (sample == NULL)
		return -1;
	if (id > 0) {
		int rank = alerts_severity_rank(sev);

		rc = db_run(db, "UPDATE alerts SET count = count + ?,"
		    " last_seen_ms = CASE WHEN ? > last_seen_ms THEN ? ELSE last_seen_ms END,"
		    " severity = CASE WHEN ? > severity_rank THEN ? ELSE severity END,"
		    " severity_rank = CASE WHEN ? > severity_rank THEN ? ELSE severity_rank END,"
		    " sample = ? WHERE id = ?", "lllisiisl", count, time_ms, time_ms, rank, sev, rank,
		    rank, sample, id);
	} else {
		rc = db_run(db, "INSERT INTO alerts (tenant_id, node_id, module, type, dedupe_key,"
		    " severity, severity_rank, title_zh, title_en, first_seen_ms, last_seen_ms, count,"
		    " status, sample, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'open', ?, ?)",
		    "LLssssissllls" "l", tenant_id, node_id, module, type, key, sev,
		    alerts_severity_rank(sev), r->title_zh, r->title_en, time_ms, time_ms, count, sample,
		    (int64_t)time(NULL));
	}
	free(sample);
	return rc == 1 ? 0 : -1;
}

/* Columns kept as JSON text are handed back as JSON. */
static void
decode(json_t *row, const char *field)
{
	json_t *v = json_loads(json_string_value(json_object_get(row, field)), 0, NULL);

	json_object_set_new(row, field, v ? v : json_object());
}

json_t *
alerts_list(struct db *db, const struct principal *p, const json_t *filters)
{
	static const char *const names[] = { "status", "severity", "node_id", "module", "type",
		NULL };
	struct store_filter f[8];
	size_t n = store_filters_from(filters, names, f, 6);

	if (json_is_integer(json_object_get(filters, "after")))
		f[n++] = (struct store_filter){ "id", ">", NULL,
		    json_integer_value(json_object_get(filters, "after")) };
	json_t *rows = store_list(db, principal_scope(p), STORE_ALERTS, f, (size_t)n,
	    json_is_integer(json_object_get(filters, "limit")) ?
	    json_integer_value(json_object_get(filters, "limit")) : 500), *a;
	size_t i;

	json_array_foreach(rows, i, a)
		decode(a, "sample");
	return rows;
}

json_t *
alerts_get(struct db *db, const struct principal *p, int64_t id, struct ys_err *e)
{
	json_t *a = store_find(db, principal_scope(p), STORE_ALERTS, id, "alert", e);

	if (a)
		decode(a, "sample");
	return a;
}

int
alerts_transition(struct db *db, const struct principal *by, int64_t id, const char *to,
    const char *note, json_t **out, struct ys_err *e)
{
	json_t *a = store_get(db, principal_scope(by), STORE_ALERTS, id);
	const char *cur;
	bool ack = strcmp(to, "acknowledged") == 0;
	int64_t now = time(NULL), rc;

	if (a == NULL)
		return ys_fail(e, "not_found", "no alert %lld", (long long)id);
	cur = json_string_value(json_object_get(a, "status"));
	if (cur == NULL || strcmp(cur, "resolved") == 0 || (ack && strcmp(cur, "acknowledged") == 0)) {
		ys_fail(e, "conflict", "alert %lld is already %s", (long long)id, cur ? cur : "?");
		json_decref(a);
		return -1;
	}
	json_decref(a);
	if (ack)
		rc = db_run(db, "UPDATE alerts SET status = 'acknowledged', acknowledged_by = ?,"
		    " acknowledged_at = ?, note = coalesce(?, note) WHERE id = ?", "slsl",
		    by->username, now, note, id);
	else
		rc = db_run(db, "UPDATE alerts SET status = 'resolved', resolved_by = ?,"
		    " resolved_at = ?, note = coalesce(?, note) WHERE id = ?", "slsl",
		    by->username, now, note, id);
	if (rc != 1)
		return ys_fail(e, "internal", "cannot update the alert");
	*out = store_get(db, scope_all(), STORE_ALERTS, id);
	if (*out)
		decode(*out, "sample");
	return 0;
}

json_t *
events_list(struct db *db, const struct principal *p, const json_t *filters)
{
	static const char *const names[] = { "node_id", "module", "type", NULL };
	struct store_filter f[8];
	size_t n = store_filters_from(filters, names, f, 4);
	json_t *rows, *ev;
	size_t i;

	if (json_is_integer(json_object_get(filters, "after")))
		f[n++] = (struct store_filter){ "id", ">", NULL,
		    json_integer_value(json_object_get(filters, "after")) };
	rows = store_list(db, principal_scope(p), STORE_EVENTS, f, (size_t)n,
	    json_is_integer(json_object_get(filters, "limit")) ?
	    json_integer_value(json_object_get(filters, "limit")) : 500);
	/* The payload is stored as text; hand it back as JSON. */
	json_array_foreach(rows, i, ev)
		decode(ev, "payload");
	return rows;
}
