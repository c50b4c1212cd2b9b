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
"  signature BLOB NOT NULL);"
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
	{ 3, "qualification readiness: staff, engagements, suppliers, complaints, documents, fees,"
	  " application, certificate, filings, sanctions",
/* Dates are calendar dates as "YYYY-MM-DD" text (columns ending _on),
 * validated by qual.c; text comparison orders them. */
"CREATE TABLE qual_staff ("
"  id INTEGER PRIMARY KEY,"
"  name TEXT NOT NULL,"
"  role TEXT NOT NULL,"
"  full_time INTEGER NOT NULL DEFAULT 0,"
"  support_only INTEGER NOT NULL DEFAULT 0,"
"  nda_signed_on TEXT,"
"  nda_document TEXT,"
"  left_on TEXT,"
"  created_at INTEGER NOT NULL);"
"CREATE TABLE qual_staff_certs ("
"  id INTEGER PRIMARY KEY,"
"  staff_id INTEGER NOT NULL REFERENCES qual_staff(id),"
"  kind TEXT NOT NULL,"
"  number TEXT NOT NULL,"
"  issued_on TEXT NOT NULL,"
"  expires_on TEXT,"
"  created_at INTEGER NOT NULL,"
"  UNIQUE (kind, number));"
"CREATE INDEX qual_staff_certs_staff ON qual_staff_certs(staff_id);"
"CREATE TABLE qual_training ("
"  id INTEGER PRIMARY KEY,"
"  staff_id INTEGER NOT NULL REFERENCES qual_staff(id),"
"  course TEXT NOT NULL,"
"  taken_on TEXT NOT NULL,"
"  hours INTEGER NOT NULL CHECK (hours > 0),"
"  created_at INTEGER NOT NULL);"
"CREATE INDEX qual_training_staff ON qual_training(staff_id);"
"CREATE TABLE qual_engagements ("
"  id INTEGER PRIMARY KEY,"
"  tenant_id INTEGER NOT NULL REFERENCES tenants(id),"
"  name TEXT NOT NULL,"
"  plan TEXT NOT NULL,"
"  started_on TEXT NOT NULL,"
"  acceptance TEXT CHECK (acceptance IN ('passed','failed')),"
"  accepted_on TEXT,"
"  customer_signoff TEXT,"
"  created_at INTEGER NOT NULL);"
"CREATE INDEX qual_engagements_tenant ON qual_engagements(tenant_id);"
"CREATE TABLE qual_milestones ("
"  id INTEGER PRIMARY KEY,"
"  engagement_id INTEGER NOT NULL REFERENCES qual_engagements(id),"
"  title TEXT NOT NULL,"
"  due_on TEXT NOT NULL,"
"  done_on TEXT,"
"  created_at INTEGER NOT NULL);"
"CREATE INDEX qual_milestones_eng ON qual_milestones(engagement_id);"
"CREATE TABLE qual_assignments ("
"  id INTEGER PRIMARY KEY,"
"  engagement_id INTEGER NOT NULL REFERENCES qual_engagements(id),"
"  staff_id INTEGER NOT NULL REFERENCES qual_staff(id),"
"  role TEXT,"
"  created_at INTEGER NOT NULL,"
"  UNIQUE (engagement_id, staff_id));"
"CREATE TABLE qual_risks ("
"  id INTEGER PRIMARY KEY,"
"  engagement_id INTEGER NOT NULL REFERENCES qual_engagements(id),"
"  description TEXT NOT NULL,"
"  likelihood INTEGER NOT NULL CHECK (likelihood BETWEEN 1 AND 5),"
"  impact INTEGER NOT NULL CHECK (impact BETWEEN 1 AND 5),"
"  owner TEXT NOT NULL,"
"  treatment TEXT NOT NULL,"
"  created_at INTEGER NOT NULL);"
"CREATE INDEX qual_risks_eng ON qual_risks(engagement_id);"
"CREATE TABLE qual_reviews ("
"  id INTEGER PRIMARY KEY,"
"  engagement_id INTEGER NOT NULL REFERENCES qual_engagements(id),"
"  reviewed_on TEXT NOT NULL,"
"  reviewer TEXT NOT NULL,"
"  result TEXT NOT NULL CHECK (result IN ('pass','issues','fail')),"
"  notes TEXT,"
"  created_at INTEGER NOT NULL);"
"CREATE INDEX qual_reviews_eng ON qual_reviews(engagement_id);"
"CREATE TABLE qual_suppliers ("
"  id INTEGER PRIMARY KEY,"
"  name TEXT NOT NULL UNIQUE,"
"  supplies TEXT NOT NULL CHECK (supplies IN"
"    ('software','hardware','rule_feed','data_centre','other')),"
"  contract_ref TEXT,"
"  contract_ends_on TEXT,"
"  created_at INTEGER NOT NULL);"
"CREATE TABLE qual_assessments ("
"  id INTEGER PRIMARY KEY,"
"  supplier_id INTEGER NOT NULL REFERENCES qual_suppliers(id),"
"  assessed_on TEXT NOT NULL,"
"  result TEXT NOT NULL CHECK (result IN ('pass','conditional','fail')),"
"  next_due_on TEXT NOT NULL,"
"  notes TEXT,"
"  created_at INTEGER NOT NULL);"
"CREATE INDEX qual_assessments_supplier ON qual_assessments(supplier_id);"
"CREATE TABLE qual_complaints ("
"  id INTEGER PRIMARY KEY,"
"  received_on TEXT NOT NULL,"
"  complainant TEXT NOT NULL,"
"  subject TEXT NOT NULL,"
"  tenant_id INTEGER REFERENCES tenants(id),"
"  handling TEXT,"
"  closed_on TEXT,"
"  created_at INTEGER NOT NULL);"
"CREATE TABLE qual_documents ("
"  id INTEGER PRIMARY KEY,"
"  requirement_id TEXT NOT NULL,"
"  title TEXT NOT NULL,"
"  sha256 TEXT NOT NULL,"
"  reviewer TEXT,"
"  reviewed_on TEXT,"
"  expires_on TEXT,"
"  created_by TEXT NOT NULL,"
"  created_at INTEGER NOT NULL);"
"CREATE INDEX qual_documents_req ON qual_documents(requirement_id);"
"CREATE TABLE qual_fees ("
"  id INTEGER PRIMARY KEY,"
"  kind TEXT NOT NULL CHECK (kind IN ('first_application','maintenance','implementation')),"
"  amount_fen INTEGER NOT NULL CHECK (amount_fen >= 0),"
"  paid_on TEXT NOT NULL,"
"  note TEXT,"
"  created_at INTEGER NOT NULL);"
"CREATE TABLE qual_applications ("
"  id INTEGER PRIMARY KEY,"
"  kind TEXT NOT NULL CHECK (kind IN ('first','maintenance')),"
"  level INTEGER NOT NULL DEFAULT 1,"
"  submitted_on TEXT NOT NULL,"
"  created_at INTEGER NOT NULL);"
"CREATE TABLE qual_stages ("
"  id INTEGER PRIMARY KEY,"
"  application_id INTEGER NOT NULL REFERENCES qual_applications(id),"
"  stage TEXT NOT NULL,"
"  seq INTEGER NOT NULL,"
"  completed_on TEXT NOT NULL,"
"  findings TEXT,"
"  created_at INTEGER NOT NULL,"
"  UNIQUE (application_id, stage));"
"CREATE TABLE qual_rectifications ("
"  id INTEGER PRIMARY KEY,"
"  application_id INTEGER NOT NULL REFERENCES qual_applications(id),"
"  stage TEXT NOT NULL,"
"  item TEXT NOT NULL,"
"  deadline_on TEXT NOT NULL,"
"  verified_on TEXT,"
"  created_at INTEGER NOT NULL);"
"CREATE TABLE qual_certs ("
"  id INTEGER PRIMARY KEY,"
"  number TEXT NOT NULL UNIQUE,"
"  level INTEGER NOT NULL DEFAULT 1,"
"  issued_on TEXT NOT NULL,"
"  expires_on TEXT NOT NULL,"
"  application_id INTEGER REFERENCES qual_applications(id),"
"  created_at INTEGER NOT NULL);"
"CREATE TABLE qual_filings ("
"  id INTEGER PRIMARY KEY,"
"  kind TEXT NOT NULL CHECK (kind IN"
"    ('annual_survey','renewal_application','change_notification','transfer_request')),"
"  certificate_id INTEGER REFERENCES qual_certs(id),"
"  for_on TEXT,"
"  filed_on TEXT NOT NULL,"
"  subject TEXT NOT NULL,"
"  created_at INTEGER NOT NULL);"
"CREATE TABLE qual_sanctions ("
"  id INTEGER PRIMARY KEY,"
"  kind TEXT NOT NULL CHECK (kind IN ('warning','rectification','suspension','revocation')),"
"  certificate_id INTEGER REFERENCES qual_certs(id),"
"  received_on TEXT NOT NULL,"
"  reason TEXT NOT NULL,"
"  handling TEXT,"
"  closed_on TEXT,"
"  created_at INTEGER NOT NULL);"
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
