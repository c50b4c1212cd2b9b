/*
 * migrations: the store's schema as an ordered list of numbered steps. A
 * store records which steps it has applied (schema_migrations); opening an
 * older store applies the missing ones, each in its own transaction, so an
 * upgrade is either complete or not started. Steps are never edited once
 * released: a change is a new step.
 */
#include "store.h"

#include <stdio.h>
#include <time.h>

#include "log.h"

static const struct store_migration migrations[] = {
	{ 1, "core schema: tenants, users, sessions, api keys, audit trail",
"CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
"CREATE TABLE tenants ("
"  id INTEGER PRIMARY KEY,"
"  name TEXT NOT NULL UNIQUE,"
"  credit_code TEXT NOT NULL UNIQUE,"
"  contact_name TEXT NOT NULL,"
"  contact_email TEXT NOT NULL,"
"  contact_phone TEXT NOT NULL,"
"  status TEXT NOT NULL CHECK (status IN ('pending','active','rejected','suspended')),"
"  reason TEXT,"
"  created_at INTEGER NOT NULL,"
"  approved_by TEXT,"
"  approved_at INTEGER);"
"CREATE TABLE users ("
"  id INTEGER PRIMARY KEY,"
"  tenant_id INTEGER REFERENCES tenants(id),"
"  username TEXT NOT NULL UNIQUE,"
"  role TEXT NOT NULL CHECK (role IN ('admin','analyst','auditor','tenant_admin','tenant_user')),"
"  password_hash TEXT NOT NULL,"
"  status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active','disabled')),"
"  must_change_password INTEGER NOT NULL DEFAULT 0,"
"  mfa_enabled INTEGER NOT NULL DEFAULT 0,"
"  mfa_secret TEXT,"
"  mfa_pending_secret TEXT,"
"  mfa_last_step INTEGER NOT NULL DEFAULT -1,"
"  failed_logins INTEGER NOT NULL DEFAULT 0,"
"  locked_until INTEGER NOT NULL DEFAULT 0,"
"  created_at INTEGER NOT NULL,"
"  last_login_at INTEGER,"
"  CHECK ((tenant_id IS NULL) = (role IN ('admin','analyst','auditor'))));"
"CREATE INDEX users_tenant ON users(tenant_id);"
"CREATE TABLE sessions ("
"  id INTEGER PRIMARY KEY,"
"  token_hash BLOB NOT NULL UNIQUE,"
"  user_id INTEGER NOT NULL REFERENCES users(id),"
"  source TEXT,"
"  created_at INTEGER NOT NULL,"
"  last_seen_at INTEGER NOT NULL,"
"  expires_at INTEGER NOT NULL,"
"  revoked INTEGER NOT NULL DEFAULT 0);"
"CREATE INDEX sessions_user ON sessions(user_id);"
"CREATE TABLE api_keys ("
"  id INTEGER PRIMARY KEY,"
"  user_id INTEGER NOT NULL REFERENCES users(id),"
"  tenant_id INTEGER REFERENCES tenants(id),"
"  name TEXT NOT NULL,"
"  prefix TEXT NOT NULL,"
"  key_hash BLOB NOT NULL UNIQUE,"
"  created_at INTEGER NOT NULL,"
"  expires_at INTEGER,"
"  last_used_at INTEGER,"
"  revoked_at INTEGER);"
"CREATE INDEX api_keys_user ON api_keys(user_id);"
"CREATE TABLE audit_log ("
"  seq INTEGER PRIMARY KEY,"
"  time_ms INTEGER NOT NULL,"
"  actor TEXT NOT NULL,"
"  actor_id INTEGER,"
"  tenant_id INTEGER,"
"  source TEXT NOT NULL,"
"  action TEXT NOT NULL,"
"  target TEXT NOT NULL,"
"  result TEXT NOT NULL,"
"  detail TEXT NOT NULL,"
"  hash BLOB NOT NULL);"
"CREATE INDEX audit_tenant ON audit_log(tenant_id, seq);"
"CREATE INDEX audit_time ON audit_log(time_ms);"
"CREATE TABLE audit_checkpoints ("
"  seq INTEGER PRIMARY KEY,"
"  hash BLOB NOT NULL,"
"  time_ms INTEGER NOT NULL,"
"  signature BLOB NOT NULL,"
"  next_due INTEGER NOT NULL);"
	},
	{ 2, "service catalogue, plans, orders, subscriptions, quota usage",
"CREATE TABLE services ("
"  code TEXT PRIMARY KEY,"
"  name_zh TEXT NOT NULL,"
"  name_en TEXT NOT NULL,"
"  unit TEXT NOT NULL,"
"  unit_zh TEXT NOT NULL,"
"  sort INTEGER NOT NULL);"
"INSERT INTO services VALUES"
"  ('host-protection','主机安全防护','Cloud host protection','hosts','台主机',1),"
"  ('vuln-scan','漏洞扫描','Vulnerability scanning','scan targets','个扫描目标',2),"
"  ('anti-ddos','流量清洗/抗DDoS','Traffic scrubbing / anti-DDoS','protected IPs','个防护IP',3),"
"  ('waf','网站攻击防护','Website attack protection (WAF)','sites','个站点',4),"
"  ('dlp','数据防泄漏','Data leak prevention','data sources','个数据源',5);"
"CREATE TABLE plans ("
"  id INTEGER PRIMARY KEY,"
"  service TEXT NOT NULL REFERENCES services(code),"
"  name TEXT NOT NULL,"
"  price_fen INTEGER NOT NULL CHECK (price_fen >= 0),"
"  description TEXT NOT NULL DEFAULT '',"
"  bandwidth_mbps INTEGER,"
"  status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active','retired')),"
"  created_at INTEGER NOT NULL,"
"  UNIQUE (service, name));"
"CREATE TABLE orders ("
"  id INTEGER PRIMARY KEY,"
"  tenant_id INTEGER NOT NULL REFERENCES tenants(id),"
"  kind TEXT NOT NULL CHECK (kind IN ('new','renewal','change')),"
"  plan_id INTEGER NOT NULL REFERENCES plans(id),"
"  service TEXT NOT NULL,"
"  quantity INTEGER NOT NULL,"
"  months INTEGER NOT NULL,"
"  total_fen INTEGER NOT NULL,"
"  status TEXT NOT NULL CHECK (status IN ('pending','approved','rejected')),"
"  offline INTEGER NOT NULL DEFAULT 0,"
"  contract_ref TEXT,"
"  subscription_id INTEGER,"
"  created_by TEXT NOT NULL,"
"  created_at INTEGER NOT NULL,"
"  decided_by TEXT,"
"  decided_at INTEGER,"
"  reason TEXT);"
"CREATE INDEX orders_tenant ON orders(tenant_id, id);"
"CREATE TABLE subscriptions ("
"  id INTEGER PRIMARY KEY,"
"  tenant_id INTEGER NOT NULL REFERENCES tenants(id),"
"  service TEXT NOT NULL REFERENCES services(code),"
"  plan_id INTEGER NOT NULL REFERENCES plans(id),"
"  quantity INTEGER NOT NULL CHECK (quantity > 0),"
"  starts_at INTEGER NOT NULL,"
"  ends_at INTEGER NOT NULL,"
"  cancelled_at INTEGER,"
"  order_id INTEGER NOT NULL REFERENCES orders(id));"
"CREATE INDEX subscriptions_tenant ON subscriptions(tenant_id, service);"
/* status is derived, never stored: an expired subscription needs no job. */
"CREATE VIEW subscriptions_v AS SELECT *, CASE"
"  WHEN cancelled_at IS NOT NULL THEN 'cancelled'"
"  WHEN ends_at <= CAST(strftime('%s','now') AS INTEGER) THEN 'expired'"
"  ELSE 'active' END AS status FROM subscriptions;"
"CREATE TABLE quota_usage ("
"  tenant_id INTEGER NOT NULL REFERENCES tenants(id),"
"  service TEXT NOT NULL REFERENCES services(code),"
"  resource TEXT NOT NULL,"
"  created_at INTEGER NOT NULL,"
"  PRIMARY KEY (tenant_id, service, resource));"
	},
	{ 4, "node life cycle: enrolment tokens, nodes, policies, events",
"CREATE TABLE enrolment_tokens ("
"  id INTEGER PRIMARY KEY,"
"  tenant_id INTEGER REFERENCES tenants(id),"
"  kind TEXT NOT NULL CHECK (kind IN ('agent','waf','scrubber')),"
"  token_hash BLOB NOT NULL UNIQUE,"
"  created_by TEXT NOT NULL,"
"  created_at INTEGER NOT NULL,"
"  expires_at INTEGER NOT NULL,"
"  used_at INTEGER,"
"  node_id INTEGER);"
"CREATE TABLE nodes ("
"  id INTEGER PRIMARY KEY,"
"  tenant_id INTEGER REFERENCES tenants(id),"
"  kind TEXT NOT NULL CHECK (kind IN ('agent','waf','scrubber')),"
"  hostname TEXT NOT NULL,"
"  cert_serial TEXT UNIQUE,"
"  cert_fingerprint TEXT,"
"  version TEXT NOT NULL DEFAULT '',"
"  enrolled_at INTEGER NOT NULL,"
"  last_heartbeat_at INTEGER,"
"  policy_version INTEGER NOT NULL DEFAULT 0,"
"  module_status TEXT NOT NULL DEFAULT '{}',"
"  revoked_at INTEGER,"
"  revoked_by TEXT);"
"CREATE INDEX nodes_tenant ON nodes(tenant_id);"
"CREATE TABLE node_policies ("
"  id INTEGER PRIMARY KEY,"
"  tenant_id INTEGER REFERENCES tenants(id),"
"  kind TEXT NOT NULL,"
"  version INTEGER NOT NULL,"
"  body TEXT NOT NULL,"
"  created_by TEXT NOT NULL,"
"  created_at INTEGER NOT NULL);"
"CREATE INDEX node_policies_scope ON node_policies(kind, tenant_id, version);"
"CREATE TABLE node_events ("
"  node_id INTEGER NOT NULL REFERENCES nodes(id),"
"  seq INTEGER NOT NULL,"
"  tenant_id INTEGER,"
"  time_ms INTEGER NOT NULL,"
"  module TEXT NOT NULL,"
"  type TEXT NOT NULL,"
"  payload TEXT NOT NULL,"
"  received_at INTEGER NOT NULL,"
"  PRIMARY KEY (node_id, seq));"
"CREATE INDEX node_events_tenant ON node_events(tenant_id, time_ms);"
	},
	{ 5, "node commands; malware events view for the quarantine",
"CREATE TABLE node_commands ("
"  id INTEGER PRIMARY KEY,"
"  node_id INTEGER NOT NULL REFERENCES nodes(id),"
"  tenant_id INTEGER REFERENCES tenants(id),"
"  module TEXT NOT NULL,"
"  type TEXT NOT NULL,"
"  args TEXT NOT NULL,"
"  status TEXT NOT NULL CHECK (status IN ('pending','done','failed')),"
"  created_by TEXT NOT NULL,"
"  created_at INTEGER NOT NULL,"
"  done_at INTEGER,"
"  result TEXT);"
"CREATE INDEX node_commands_node ON node_commands(node_id, status);"
/* Only malware events are indexed (partial index), so ingestion of every
 * other event pays nothing; the view's literal module = 'malware' lets
 * SQLite use it. */
"CREATE INDEX node_events_malware_type ON node_events(node_id, type) WHERE module = 'malware';"
"CREATE VIEW node_events_malware AS SELECT rowid AS id, node_id, seq, tenant_id, time_ms,"
"  type, payload FROM node_events WHERE module = 'malware';"
	},
};

const struct store_migration *
store_migrations(size_t *count)
{
	*count = sizeof(migrations) / sizeof(migrations[0]);
	return migrations;
}

int
store_schema_version(struct db *db)
{
	if (db_int(db, 0, "SELECT count(*) FROM sqlite_master WHERE name = 'schema_migrations'",
	    "") == 0)
		return 0;
	return (int)db_int(db, 0, "SELECT max(version) FROM schema_migrations", "");
}

int
store_migrate_to(struct db *db, int target, char *err, size_t errlen)
{
	size_t n;
	const struct store_migration *m = store_migrations(&n);
	int have;

	if (db_exec(db, "CREATE TABLE IF NOT EXISTS schema_migrations ("
	    "version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)") < 0) {
		snprintf(err, errlen, "cannot create schema_migrations: %s", db_errmsg(db));
		return -1;
	}
	have = store_schema_version(db);
	if (have > (int)m[n - 1].version) {
		snprintf(err, errlen, "store schema version %d is newer than this yunshoud (%d); "
		    "upgrade yunshoud", have, m[n - 1].version);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		if (m[i].version <= have || (target > 0 && m[i].version > target))
			continue;
		if (db_begin(db) < 0 || db_exec(db, m[i].sql) < 0 ||
		    db_run(db, "INSERT INTO schema_migrations (version, name, applied_at) "
		    "VALUES (?, ?, ?)", "isl", m[i].version, m[i].name, (int64_t)time(NULL)) != 1 ||
		    db_commit(db) < 0) {
			snprintf(err, errlen, "migration %d (%s) failed: %s", m[i].version, m[i].name,
			    db_errmsg(db));
			db_rollback(db);
			return -1;
		}
		log_info("store: applied migration %d: %s", m[i].version, m[i].name);
	}
	return 0;
}

int
store_migrate(struct db *db, char *err, size_t errlen)
{
	return store_migrate_to(db, 0, err, errlen);
}
