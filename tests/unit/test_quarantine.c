/*
 * Unit tests of the control plane's quarantine and node commands: the list
 * is what agents quarantined minus what they restored, per tenant; a
 * restore becomes a pending command that the node's heartbeat answer
 * carries until the node reports the outcome (done or failed); another
 * tenant can neither see nor restore, and another node cannot close the
 * command; the routes carry the roles and the audit action of docs/API.md.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>

#include <cmocka.h>

#include "api.h"
#include "fixture.h"
#include "nodes.h"
#include "quarantine.h"

#define ITEM1 "q0123456789abcdef"
#define ITEM2 "qfedcba9876543210"

struct w {
	struct fx *f;
	int64_t ta, tb;
	struct principal admin_a, admin_b, op;
	struct node_principal na, nb;
	int64_t seq_a, seq_b;
};

static int64_t
add_node(struct fx *f, int64_t tenant, const char *host)
{
	assert_int_equal(db_run(f->db, "INSERT INTO nodes (tenant_id, kind, hostname, enrolled_at,"
	    " cert_serial) VALUES (?, 'agent', ?, ?, ?)", "lsls", tenant, host, (int64_t)time(NULL),
	    host), 1);
	return db_last_id(f->db);
}

static int
setup(void **state)
{
	struct w *w = calloc(1, sizeof(*w));

	w->f = fx_new(1);
	assert_non_null(w->f);
	w->ta = fx_tenant(w->f, "a", "active");
	w->tb = fx_tenant(w->f, "b", "active");
	w->admin_a = fx_principal(1, "admin-a", ROLE_TENANT_ADMIN, w->ta);
	w->admin_b = fx_principal(2, "admin-b", ROLE_TENANT_ADMIN, w->tb);
	w->op = fx_principal(3, "ops", ROLE_ADMIN, 0);
	w->na = (struct node_principal){ add_node(w->f, w->ta, "web-a"), w->ta, "agent", "web-a" };
	w->nb = (struct node_principal){ add_node(w->f, w->tb, "web-b"), w->tb, "agent", "web-b" };
	*state = w;
	return 0;
}

static int
teardown(void **state)
{
	struct w *w = *state;

	fx_free(w->f);
	free(w);
	return 0;
}

static void
ingest(struct w *w, const struct node_principal *n, const char *type, json_t *payload)
{
	int64_t *seq = n == &w->na ? &w->seq_a : &w->seq_b;
	json_t *in = json_pack("{s:[{s:I, s:I, s:s, s:s, s:o}]}", "events", "seq",
	    (json_int_t)++*seq, "time_ms", (json_int_t)1700000000000LL, "module",
	    strcmp(type, "command.failed") == 0 ? "agent" : "malware", "type", type, "payload",
	    payload), *out = NULL;
	struct ys_err e = { 0 };

	assert_int_equal(nodes_events_ingest(w->f->db, n, in, &out, &e), 0);
	json_decref(in);
	json_decref(out);
}

static void
quarantined(struct w *w, const struct node_principal *n, const char *item, const char *path)
{
	ingest(w, n, "malware.quarantined", json_pack("{s:s, s:s, s:s, s:s, s:i, s:s, s:[s]}",
	    "id", item, "path", path, "key", path, "sha256", "ab12", "size", 68, "severity", "low",
	    "rules", "test_files:test_eicar"));
}

static size_t
count(json_t *items)
{
	size_t n = json_array_size(items);

	json_decref(items);
	return n;
}

static json_t *
heartbeat_commands(struct w *w, const struct node_principal *n)
{
	json_t *in = json_pack("{s:s, s:i}", "version", "0.1.0", "policy_version", 1), *out = NULL;
	json_t *c;
	struct ys_err e = { 0 };

	assert_int_equal(nodes_heartbeat(w->f->db, n, in, &out, &e), 0);
	json_decref(in);
	c = json_incref(json_object_get(out, "commands"));
	assert_true(json_is_array(c));
	json_decref(out);
	return c;
}

static const char *
command_status(struct w *w, int64_t id, char *buf, size_t len)
{
	json_t *c = store_get(w->f->db, scope_all(), STORE_NODE_COMMANDS, id);

	snprintf(buf, len, "%s", json_string_value(json_object_get(c, "status")));
	json_decref(c);
	return buf;
}

static void
test_list_and_restore(void **state)
{
	struct w *w = *state;
	struct ys_err e = { 0 };
	json_t *items, *cmd = NULL, *cmds;
	int64_t cid;
	char st[16];

	quarantined(w, &w->na, ITEM1, "/var/www/html/x.php");
	quarantined(w, &w->na, ITEM2, "/tmp/kworkerds");
	quarantined(w, &w->nb, ITEM1, "/srv/b.jsp");	/* same id, other node */

	items = quarantine_items(w->f->db, &w->admin_a, 0, &e);
	assert_int_equal(json_array_size(items), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(items, 0), "path")),
	    "/var/www/html/x.php");
	assert_non_null(json_string_value(json_object_get(json_array_get(items, 0),
	    "quarantined_at")));
	assert_true(json_is_false(json_object_get(json_array_get(items, 0), "restore_pending")));
	json_decref(items);
	assert_int_equal(count(quarantine_items(w->f->db, &w->admin_b, 0, &e)), 1);
	assert_int_equal(count(quarantine_items(w->f->db, &w->op, 0, &e)), 3);
	assert_int_equal(count(quarantine_items(w->f->db, &w->op, w->na.node_id, &e)), 2);
	/* Another tenant's node does not exist for B. */
	assert_null(quarantine_items(w->f->db, &w->admin_b, w->na.node_id, &e));
	assert_string_equal(e.code, "not_found");
	assert_int_equal(quarantine_restore_request(w->f->db, &w->admin_b, w->na.node_id, ITEM2,
	    &cmd, &e), -1);
	assert_string_equal(e.code, "not_found");
	assert_int_equal(quarantine_restore_request(w->f->db, &w->admin_a, w->na.node_id,
	    "q1111111111111111", &cmd, &e), -1);
	assert_string_equal(e.code, "not_found");

	assert_int_equal(quarantine_restore_request(w->f->db, &w->admin_a, w->na.node_id, ITEM1,
	    &cmd, &e), 0);
	cid = json_integer_value(json_object_get(cmd, "id"));
	assert_string_equal(json_string_value(json_object_get(cmd, "status")), "pending");
	assert_string_equal(json_string_value(json_object_get(json_object_get(cmd, "args"),
	    "item")), ITEM1);
	assert_int_equal(json_integer_value(json_object_get(cmd, "tenant_id")), w->ta);
	json_decref(cmd);
	assert_int_equal(quarantine_restore_request(w->f->db, &w->admin_a, w->na.node_id, ITEM1,
	    &cmd, &e), -1);
	assert_string_equal(e.code, "conflict");
	items = quarantine_items(w->f->db, &w->admin_a, w->na.node_id, &e);
	assert_true(json_is_true(json_object_get(json_array_get(items, 0), "restore_pending")));
	json_decref(items);

	/* The node's heartbeat answer carries it; the other node's does not. */
	cmds = heartbeat_commands(w, &w->na);
	assert_int_equal(json_array_size(cmds), 1);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(cmds, 0), "id")), cid);
	assert_string_equal(json_string_value(json_object_get(json_array_get(cmds, 0), "type")),
	    "quarantine.restore");
	assert_string_equal(json_string_value(json_object_get(json_array_get(cmds, 0), "module")),
	    "malware");
	assert_string_equal(json_string_value(json_object_get(json_array_get(cmds, 0), "item")),
	    ITEM1);
	json_decref(cmds);
	assert_int_equal(json_array_size(cmds = heartbeat_commands(w, &w->nb)), 0);
	json_decref(cmds);

	/* Node B cannot close node A's command. */
	ingest(w, &w->nb, "malware.restored", json_pack("{s:s, s:I}", "id", ITEM1, "command_id",
	    (json_int_t)cid));
	assert_string_equal(command_status(w, cid, st, sizeof(st)), "pending");
	assert_int_equal(count(quarantine_items(w->f->db, &w->admin_b, 0, &e)), 0);

	/* Node A reports the restore: done, off the list, off the heartbeat. */
	ingest(w, &w->na, "malware.restored", json_pack("{s:s, s:s, s:I}", "id", ITEM1, "path",
	    "/var/www/html/x.php", "command_id", (json_int_t)cid));
	assert_string_equal(command_status(w, cid, st, sizeof(st)), "done");
	items = quarantine_items(w->f->db, &w->admin_a, 0, &e);
	assert_int_equal(json_array_size(items), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(items, 0), "item")),
	    ITEM2);
	json_decref(items);
	assert_int_equal(json_array_size(cmds = heartbeat_commands(w, &w->na)), 0);
	json_decref(cmds);

	/* A failed restore: command failed, item still quarantined. */
	assert_int_equal(quarantine_restore_request(w->f->db, &w->op, w->na.node_id, ITEM2, &cmd,
	    &e), 0);
	cid = json_integer_value(json_object_get(cmd, "id"));
	json_decref(cmd);
	ingest(w, &w->na, "command.failed", json_pack("{s:I, s:s, s:s}", "command_id",
	    (json_int_t)cid, "type", "quarantine.restore", "error", "/tmp/kworkerds exists now"));
	assert_string_equal(command_status(w, cid, st, sizeof(st)), "failed");
	assert_int_equal(count(quarantine_items(w->f->db, &w->admin_a, 0, &e)), 1);
}

static void
test_revoked_node_takes_no_commands(void **state)
{
	struct w *w = *state;
	struct ys_err e = { 0 };
	json_t *cmd = NULL;

	quarantined(w, &w->na, ITEM1, "/tmp/a");
	assert_int_equal(db_run(w->f->db, "UPDATE nodes SET revoked_at = 1 WHERE id = ?", "l",
	    w->na.node_id), 1);
	assert_int_equal(quarantine_restore_request(w->f->db, &w->admin_a, w->na.node_id, ITEM1,
	    &cmd, &e), -1);
	assert_string_equal(e.code, "conflict");
}

static void
test_routes(void **state)
{
	const struct route *rt;
	int64_t id;
	int status;

	(void)state;
	rt = api_route_find("POST", "/v1/quarantine/12/restore", &id, &status);
	assert_non_null(rt);
	assert_int_equal(id, 12);
	assert_int_equal(rt->roles, ROLE_ADMIN | ROLE_TENANT_ADMIN);
	assert_string_equal(rt->action, "quarantine.restore");
	rt = api_route_find("GET", "/v1/quarantine", &id, &status);
	assert_non_null(rt);
	assert_null(rt->action);
	assert_true(rt->roles & ROLE_TENANT_USER);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_list_and_restore, setup, teardown),
		cmocka_unit_test_setup_teardown(test_revoked_node_takes_no_commands, setup,
		    teardown),
		cmocka_unit_test(test_routes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
