/*
 * scope: scoped reads for every tenant-owned table. The table descriptors
 * below are the whole list of what the API may show of each table and
 * which column carries its tenant; changing what a tenant can see means
 * changing a row here and nowhere else.
 */
#include "store.h"

#include <stdio.h>
#include <string.h>

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
	[STORE_NODE_COMMANDS] = { "node_commands", "id",
		"id, node_id, tenant_id, module, type, args, status, created_by, created_at, done_at,"
		" result", "tenant_id", { "node_id", "status", "type", "id" } },
	[STORE_MALWARE_EVENTS] = { "node_events_malware", "id",
		"id, node_id, seq, tenant_id, time_ms AS \"time:ms\", type, payload", "tenant_id",
		{ "node_id", "type", "id" } },
};

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
