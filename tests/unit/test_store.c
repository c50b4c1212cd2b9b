/*
 * test_store: the store as operators and tenants meet it. A fresh store
 * reaches the latest schema; an older store keeps its data through an
 * upgrade; a store from a newer yunshoud is refused with a message that
 * says what to do. Scoped reads never show one tenant another's rows, and
 * never show secrets; rows come out as JSON with the documented naming
 * conventions; time filters parse strictly; nested transactions undo only
 * the inner work.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "audit.h"
#include "fixture.h"

static int
latest_version(void)
{
	size_t n;
	const struct store_migration *m = store_migrations(&n);

	return m[n - 1].version;
}

static int
setup_empty(void **state)
{
	return (*state = fx_new(0)) != NULL ? 0 : -1;
}

static void
test_fresh_store_is_latest(void **state)
{
	struct fx *f = *state;
	size_t n;
	const struct store_migration *m = store_migrations(&n);
	char err[256];

	assert_true(n >= 2);
	for (size_t i = 1; i < n; i++)
		assert_true(m[i].version > m[i - 1].version);
	assert_int_equal(store_schema_version(f->db), latest_version());
	assert_int_equal(db_int(f->db, -1, "SELECT count(*) FROM schema_migrations", ""), (int)n);
	/* Migrating again is a no-op. */
	assert_int_equal(store_migrate(f->db, err, sizeof(err)), 0);
	assert_int_equal(store_schema_version(f->db), latest_version());
	assert_int_equal(db_int(f->db, -1, "SELECT count(*) FROM services", ""), 5);
}

static void
test_upgrade_older_store_keeps_data(void **state)
{
	struct fx *f = *state;
	char err[256];
	int64_t t, u;
	json_t *row;
	struct audit_verify_result r;
	struct audit_entry e = { .actor = "root", .action = "tenant.approve", .target = "tenant/1" };

	assert_int_equal(store_schema_version(f->db), 0);
	assert_int_equal(store_migrate_to(f->db, 1, err, sizeof(err)), 0);
	assert_int_equal(store_schema_version(f->db), 1);
	assert_int_equal(db_int(f->db, -1, "SELECT count(*) FROM sqlite_master WHERE name = 'orders'",
	    ""), 0);
	/* A version-1 store in use: a tenant, its admin, a session, an audit entry. */
	t = fx_tenant(f, "old-tenant", "active");
	assert_true(t > 0);
	u = fx_user(f, "oldadmin", ROLE_TENANT_ADMIN, t, false);
	assert_true(u > 0);
	assert_int_equal(audit_append(f->db, &e), 1);
	/* The operator installs the new binary: close, reopen, migrate. */
	db_close(f->db);
	f->db = NULL;
	assert_int_equal(fx_open_db(f), 0);
	assert_int_equal(store_schema_version(f->db), 1);
	assert_int_equal(store_migrate(f->db, err, sizeof(err)), 0);
	assert_int_equal(store_schema_version(f->db), latest_version());
	row = store_get(f->db, scope_all(), STORE_TENANTS, t);
	assert_non_null(row);
	assert_string_equal(json_string_value(json_object_get(row, "name")), "old-tenant");
	json_decref(row);
	row = store_get(f->db, scope_tenant(t), STORE_USERS, u);
	assert_non_null(row);
	assert_string_equal(json_string_value(json_object_get(row, "username")), "oldadmin");
	json_decref(row);
	assert_int_equal(audit_verify(f->db, NULL, &r), 0);
	assert_true(r.ok);
	assert_int_equal(r.entries, 1);
	/* And the new tables work for the old tenant. */
	assert_true(fx_plan(f, "waf", "basic", 100) > 0);
	assert_int_equal(db_int(f->db, -1, "SELECT count(*) FROM services", ""), 5);
}

static void
test_newer_store_refused(void **state)
{
	struct fx *f = *state;
	char err[256] = "";

	assert_int_equal(db_run(f->db, "INSERT INTO schema_migrations (version, name, applied_at)"
	    " VALUES (?, 'from the future', 0)", "i", latest_version() + 1), 1);
	assert_int_equal(store_migrate(f->db, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "newer than this yunshoud"));
	assert_non_null(strstr(err, "upgrade yunshoud"));
}

/* --- tenant scope -------------------------------------------------------- */

struct two {
	int64_t tenant[2];
	int64_t user[2], key[2], order[2], sub[2], audit[2];
	int64_t plan;
};

static void
add_rows(struct fx *f, int i, int64_t tenant, struct two *w)
{
	char name[32], hash[32], secret[32];
	unsigned char keyhash[32];
	struct audit_entry e = { .actor = "x", .action = "order.create", .tenant_id = tenant };

	snprintf(name, sizeof(name), "user%c", 'a' + i);
	snprintf(hash, sizeof(hash), "SECRET-HASH-%d", i);
	snprintf(secret, sizeof(secret), "SECRETMFA%d", i);
	memset(keyhash, 'K' + i, sizeof(keyhash));
	assert_int_equal(db_run(f->db, "INSERT INTO users (tenant_id, username, role, password_hash,"
	    " mfa_secret, mfa_pending_secret, created_at) VALUES (?, ?, 'tenant_admin', ?, ?, ?, 1)",
	    "lssss", tenant, name, hash, secret, secret), 1);
	w->user[i] = db_last_id(f->db);
	assert_int_equal(db_run(f->db, "INSERT INTO api_keys (user_id, tenant_id, name, prefix,"
	    " key_hash, created_at) VALUES (?, ?, 'ci', 'ysk_abc', ?, 1)", "llb", w->user[i],
	    tenant, keyhash, sizeof(keyhash)), 1);
	w->key[i] = db_last_id(f->db);
	assert_int_equal(db_run(f->db, "INSERT INTO orders (tenant_id, kind, plan_id, service,"
	    " quantity, months, total_fen, status, created_by, created_at)"
	    " VALUES (?, 'new', ?, 'waf', 1, 1, 100, 'approved', 'x', 1)", "ll", tenant, w->plan), 1);
	w->order[i] = db_last_id(f->db);
	assert_int_equal(db_run(f->db, "INSERT INTO subscriptions (tenant_id, service, plan_id,"
	    " quantity, starts_at, ends_at, order_id) VALUES (?, 'waf', ?, 1, 1, 4102444800, ?)",
	    "lll", tenant, w->plan, w->order[i]), 1);
	w->sub[i] = db_last_id(f->db);
	w->audit[i] = audit_append(f->db, &e);
	assert_true(w->audit[i] > 0);
}

static void
make_two(struct fx *f, struct two *w)
{
	struct audit_entry op = { .actor = "root", .action = "plan.create" };

	w->plan = fx_plan(f, "waf", "basic", 100);
	w->tenant[0] = fx_tenant(f, "tenant-a", "active");
	w->tenant[1] = fx_tenant(f, "tenant-b", "active");
	add_rows(f, 0, w->tenant[0], w);
	add_rows(f, 1, w->tenant[1], w);
	assert_true(audit_append(f->db, &op) > 0);	/* an operator's entry, no tenant */
}

static const struct {
	enum store_table t;
	const char *name;
	const char *key;
	const char *tenant_key;
} owned[] = {
	{ STORE_TENANTS, "tenants", "id", "id" },
	{ STORE_USERS, "users", "id", "tenant_id" },
	{ STORE_API_KEYS, "api_keys", "id", "tenant_id" },
	{ STORE_ORDERS, "orders", "id", "tenant_id" },
	{ STORE_SUBSCRIPTIONS, "subscriptions", "id", "tenant_id" },
	{ STORE_AUDIT, "audit", "seq", "tenant_id" },
};

static int64_t
id_of(const struct two *w, enum store_table t, int i)
{
	switch (t) {
	case STORE_TENANTS: return w->tenant[i];
	case STORE_USERS: return w->user[i];
	case STORE_API_KEYS: return w->key[i];
	case STORE_ORDERS: return w->order[i];
	case STORE_SUBSCRIPTIONS: return w->sub[i];
	case STORE_AUDIT: return w->audit[i];
	default: return 0;
	}
}

static void
test_scope_isolates_tenants(void **state)
{
	struct fx *f = *state;
	struct two w;

	make_two(f, &w);
	for (size_t k = 0; k < sizeof(owned) / sizeof(owned[0]); k++) {
		for (int i = 0; i < 2; i++) {
			struct scope sc = scope_tenant(w.tenant[i]);
			json_t *rows = store_list(f->db, sc, owned[k].t, NULL, 0, 0), *row, *v;
			size_t j;

			assert_non_null(rows);
			if (json_array_size(rows) != 1)
				fprintf(stderr, "%s: %zu rows\n", owned[k].name, json_array_size(rows));
			assert_int_equal(json_array_size(rows), 1);
			json_array_foreach(rows, j, v) {
				assert_int_equal(json_integer_value(json_object_get(v,
				    owned[k].tenant_key)), w.tenant[i]);
				assert_int_equal(json_integer_value(json_object_get(v, owned[k].key)),
				    id_of(&w, owned[k].t, i));
			}
			json_decref(rows);
			/* Own row by id: yes; the other tenant's: absent. */
			row = store_get(f->db, sc, owned[k].t, id_of(&w, owned[k].t, i));
			assert_non_null(row);
			json_decref(row);
			assert_null(store_get(f->db, sc, owned[k].t, id_of(&w, owned[k].t, 1 - i)));
			assert_false(store_exists(f->db, sc, owned[k].t, id_of(&w, owned[k].t, 1 - i)));
		}
		/* Operators see everyone's. */
		{
			json_t *all = store_list(f->db, scope_all(), owned[k].t, NULL, 0, 0);

			assert_non_null(all);
			assert_int_equal(json_array_size(all), owned[k].t == STORE_AUDIT ? 3 : 2);
			json_decref(all);
			for (int i = 0; i < 2; i++)
				assert_true(store_exists(f->db, scope_all(), owned[k].t,
				    id_of(&w, owned[k].t, i)));
		}
	}
}

static void
test_scope_filter_cannot_widen(void **state)
{
	struct fx *f = *state;
	struct two w;
	struct store_filter by_b = { "tenant_id", "=", NULL, 0 };
	struct store_filter gt = { "id", ">", NULL, 0 };
	json_t *rows;

	make_two(f, &w);
	by_b.num = w.tenant[1];
	rows = store_list(f->db, scope_tenant(w.tenant[0]), STORE_USERS, &by_b, 1, 0);
	assert_non_null(rows);
	assert_int_equal(json_array_size(rows), 0);
	json_decref(rows);
	rows = store_list(f->db, scope_tenant(w.tenant[0]), STORE_ORDERS, &gt, 1, 0);
	assert_int_equal(json_array_size(rows), 1);
	json_decref(rows);
	/* Plans are the shared catalogue: every tenant sees them. */
	rows = store_list(f->db, scope_tenant(w.tenant[0]), STORE_PLANS, NULL, 0, 0);
	assert_int_equal(json_array_size(rows), 1);
	json_decref(rows);
}

static void
test_secrets_never_in_json(void **state)
{
	static const char *const hidden[] = { "password_hash", "mfa_secret", "mfa_pending_secret",
		"key_hash", "failed_logins", "locked_until", "mfa_last_step", "token_hash" };
	struct fx *f = *state;
	struct two w;

	make_two(f, &w);
	for (enum store_table t = 0; t < STORE_TABLE_COUNT; t++) {
		json_t *rows = store_list(f->db, scope_all(), t, NULL, 0, 0), *v;
		char *text = json_dumps(rows, 0);
		size_t j;

		assert_non_null(text);
		assert_null(strstr(text, "SECRET"));
		assert_null(strstr(text, "KKKK"));
		assert_null(strstr(text, "4b4b4b4b"));	/* the key hash as hex */
		json_array_foreach(rows, j, v)
			for (size_t h = 0; h < sizeof(hidden) / sizeof(hidden[0]); h++)
				assert_null(json_object_get(v, hidden[h]));
		free(text);
		json_decref(rows);
	}
}

static void
test_bad_filter_refused(void **state)
{
	struct fx *f = *state;
	struct store_filter bad_col = { "password_hash", "=", "x", 0 };
	struct store_filter inject = { "id = id OR 1", "=", NULL, 1 };
	struct store_filter bad_op = { "id", "LIKE", "%", 0 };
	struct store_filter ok = { "status", "=", "active", 0 };
	struct store_filter many[9];
	json_t *rows;

	assert_null(store_list(f->db, scope_all(), STORE_USERS, &bad_col, 1, 0));
	assert_null(store_list(f->db, scope_all(), STORE_TENANTS, &inject, 1, 0));
	assert_null(store_list(f->db, scope_all(), STORE_ORDERS, &bad_op, 1, 0));
	for (size_t i = 0; i < 9; i++)
		many[i] = ok;
	assert_null(store_list(f->db, scope_all(), STORE_TENANTS, many, 9, 0));
	assert_null(store_list(f->db, scope_all(), STORE_TABLE_COUNT, NULL, 0, 0));
	rows = store_list(f->db, scope_all(), STORE_TENANTS, many, 8, 0);
	assert_non_null(rows);
	json_decref(rows);
}

static void
test_row_json_conventions(void **state)
{
	struct fx *f = *state;
	json_t *rows, *o;
	struct db_stmt *st;

	st = db_q(f->db, "SELECT 1795420800 AS created_at, NULL AS decided_at, 12345 AS price_fen,"
	    " -5 AS refund_fen, 1 AS \"offline:b\", 0 AS \"mfa_enabled:b\","
	    " 1795420800123 AS \"time:ms\", x'00ff10' AS \"hash:hex\", x'01' AS raw_blob,"
	    " 'text' AS name, 7 AS n", "");
	assert_non_null(st);
	rows = db_rows_json(st);
	assert_non_null(rows);
	assert_int_equal(json_array_size(rows), 1);
	o = json_array_get(rows, 0);
	assert_string_equal(json_string_value(json_object_get(o, "created_at")),
	    "2026-11-23T08:00:00Z");
	assert_true(json_is_null(json_object_get(o, "decided_at")));
	assert_int_equal(json_integer_value(json_object_get(o, "price_fen")), 12345);
	assert_string_equal(json_string_value(json_object_get(o, "price_cny")), "123.45");
	assert_string_equal(json_string_value(json_object_get(o, "refund_cny")), "-0.05");
	assert_true(json_is_true(json_object_get(o, "offline")));
	assert_true(json_is_false(json_object_get(o, "mfa_enabled")));
	assert_null(json_object_get(o, "offline:b"));
	assert_string_equal(json_string_value(json_object_get(o, "time")),
	    "2026-11-23T08:00:00.123Z");
	assert_string_equal(json_string_value(json_object_get(o, "hash")), "00ff10");
	assert_null(json_object_get(o, "raw_blob"));
	assert_string_equal(json_string_value(json_object_get(o, "name")), "text");
	assert_int_equal(json_integer_value(json_object_get(o, "n")), 7);
	json_decref(rows);
}

static void
test_time_parse(void **state)
{
	static const struct {
		const char *text;
		int64_t want;
	} good[] = {
		{ "2026-11-23", 1795392000 },
		{ "2026-11-23T08:00:00Z", 1795420800 },
		{ "2026-11-23t08:00:00z", 1795420800 },
		{ "2026-11-23 08:00:00Z", 1795420800 },
		{ "2026-11-23T08:00:00.123Z", 1795420800 },
		{ "2026-11-23T16:00:00+08:00", 1795420800 },
		{ "2026-11-23T03:30:00-04:30", 1795420800 },
		{ "2028-02-29", 1835395200 },
		{ "1970-01-01T00:00:00Z", 0 },
	};
	static const char *const bad[] = {
		"", "garbage", "2026-02-30", "2027-02-29", "2026-13-01", "2026-00-10",
		"2026-11-00", "2026-11-32", "2026-11-23T24:00:00Z", "2026-11-23T08:60:00Z",
		"2026-11-23T08:00:00", "2026-11-23T08:00Z", "2026-11-23T08:00:00+8", "2026-11-23T08:00:00+24:00",
		"2026-11-23T08:00:00.Z", "2026-11-23Z", "2026-11-23T08:00:00Z ", " 2026-11-23",
		"26-11-23", "2026/11/23", "2026-1-23", "1795420800",
	};
	int64_t t;

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		t = -1;
		if (db_time_parse(good[i].text, &t) != 0 || t != good[i].want)
			fprintf(stderr, "db_time_parse(%s) = %lld\n", good[i].text, (long long)t);
		assert_int_equal(db_time_parse(good[i].text, &t), 0);
		assert_int_equal(t, good[i].want);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (db_time_parse(bad[i], &t) == 0)
			fprintf(stderr, "db_time_parse accepted '%s'\n", bad[i]);
		assert_int_equal(db_time_parse(bad[i], &t), -1);
	}
	assert_int_equal(db_time_parse(NULL, &t), -1);
}

static int64_t
count_tenants(struct fx *f)
{
	return db_int(f->db, -1, "SELECT count(*) FROM tenants", "");
}

static void
test_nested_transactions(void **state)
{
	struct fx *f = *state;

	assert_false(db_in_tx(f->db));
	/* Inner rollback undoes only the inner work. */
	assert_int_equal(db_begin(f->db), 0);
	assert_true(fx_tenant(f, "outer", "active") > 0);
	assert_int_equal(db_begin(f->db), 0);
	assert_true(fx_tenant(f, "inner", "active") > 0);
	assert_int_equal(count_tenants(f), 2);
	db_rollback(f->db);
	assert_true(db_in_tx(f->db));
	assert_int_equal(count_tenants(f), 1);
	assert_true(fx_tenant(f, "after-inner", "active") > 0);
	assert_int_equal(db_commit(f->db), 0);
	assert_false(db_in_tx(f->db));
	assert_int_equal(count_tenants(f), 2);
	assert_int_equal(db_int(f->db, -1, "SELECT count(*) FROM tenants WHERE name = 'inner'", ""), 0);

	/* Outer rollback undoes a committed inner level too. */
	assert_int_equal(db_begin(f->db), 0);
	assert_int_equal(db_begin(f->db), 0);
	assert_true(fx_tenant(f, "inner2", "active") > 0);
	assert_int_equal(db_commit(f->db), 0);
	assert_true(db_in_tx(f->db));
	db_rollback(f->db);
	assert_false(db_in_tx(f->db));
	assert_int_equal(count_tenants(f), 2);

	/* Three levels; rolling back the middle keeps the outer. */
	assert_int_equal(db_begin(f->db), 0);
	assert_true(fx_tenant(f, "l1", "active") > 0);
	assert_int_equal(db_begin(f->db), 0);
	assert_true(fx_tenant(f, "l2", "active") > 0);
	assert_int_equal(db_begin(f->db), 0);
	assert_true(fx_tenant(f, "l3", "active") > 0);
	assert_int_equal(db_commit(f->db), 0);
	db_rollback(f->db);
	assert_int_equal(db_commit(f->db), 0);
	assert_int_equal(count_tenants(f), 3);
	assert_int_equal(db_commit(f->db), -1);		/* nothing open */
}

static void
test_conflict_detected(void **state)
{
	struct fx *f = *state;

	assert_true(fx_tenant(f, "dup", "active") > 0);
	assert_int_equal(fx_tenant(f, "dup", "active"), -1);
	assert_true(db_is_conflict(f->db));
	assert_int_equal(db_run(f->db, "INSERT INTO tenants (name, credit_code, contact_name,"
	    " contact_email, contact_phone, status, created_at) VALUES ('x', 'y', 'z', 'e', 'p',"
	    " 'nonsense', 0)", ""), -1);
	assert_false(db_is_conflict(f->db));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_fresh_store_is_latest, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_upgrade_older_store_keeps_data, setup_empty,
		    fx_teardown),
		cmocka_unit_test_setup_teardown(test_newer_store_refused, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_scope_isolates_tenants, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_scope_filter_cannot_widen, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_secrets_never_in_json, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_bad_filter_refused, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_row_json_conventions, fx_setup, fx_teardown),
		cmocka_unit_test(test_time_parse),
		cmocka_unit_test_setup_teardown(test_nested_transactions, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_conflict_detected, fx_setup, fx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
