/*
 * hostview: assembles the views from the node's stored events. A snapshot
 * may arrive in several parts (packages in pages); it is complete when all
 * its parts are stored.
 */
#include "hostview.h"

#include <string.h>

#include "store.h"

static int
node_in_scope(struct db *db, const struct principal *p, int64_t node_id, struct ys_err *e)
{
	if (!store_exists(db, principal_scope(p), STORE_NODES, node_id))
		return ys_fail(e, "not_found", "no node %lld", (long long)node_id);
	return 0;
}

int
hostview_baseline(struct db *db, const struct principal *p, int64_t node_id, json_t **out,
    struct ys_err *e)
{
	struct db_stmt *st;
	json_t *res = NULL;
	char when[40] = "";

	if (node_in_scope(db, p, node_id, e) < 0)
		return -1;
	st = db_q(db, "SELECT payload, received_at FROM node_events WHERE node_id = ? AND"
	    " type = 'baseline.result' ORDER BY id DESC LIMIT 1", "l", node_id);
	if (st && db_step(st) == DB_ROW) {
		res = json_loads(db_col_text(st, 0), 0, NULL);
		db_time_text(db_col_int(st, 1), when, sizeof(when));
	}
	db_done(st);
	if (res == NULL)
		return ys_fail(e, "not_found", "node %lld has not reported baseline results yet",
		    (long long)node_id);
	*out = json_pack("{s:I, s:s, s:O, s:O, s:O, s:O}", "node_id", (json_int_t)node_id,
	    "time", when, "family", json_object_get(res, "family") ?: json_null(),
	    "os", json_object_get(res, "os") ?: json_null(),
	    "summary", json_object_get(res, "summary") ?: json_null(),
	    "items", json_object_get(res, "checks") ?: json_array());
	json_decref(res);
	return *out ? 0 : ys_fail(e, "internal", "out of memory");
}

int
hostview_inventory(struct db *db, const struct principal *p, int64_t node_id, json_t **out,
    struct ys_err *e)
{
	struct db_stmt *st;
	json_t *packages = json_array(), *first = NULL, *changes = json_array();
	char sid[128] = "", when[40] = "";
	int64_t parts = 0, have = 0, last_id = 0;

	if (node_in_scope(db, p, node_id, e) < 0) {
		json_decref(packages);
		json_decref(changes);
		return -1;
	}
	/* Newest first: the newest snapshot id, then its parts. */
	st = db_q(db, "SELECT id, payload, received_at FROM node_events WHERE node_id = ? AND"
	    " type = 'inventory.snapshot' ORDER BY id DESC LIMIT 10000", "l", node_id);
	while (st && db_step(st) == DB_ROW) {
		json_t *part = json_loads(db_col_text(st, 1), 0, NULL);
		const char *id = json_string_value(json_object_get(part, "snapshot_id"));

		if (id && sid[0] == '\0') {
			snprintf(sid, sizeof(sid), "%s", id);
			parts = json_integer_value(json_object_get(part, "parts"));
			db_time_text(db_col_int(st, 2), when, sizeof(when));
		}
		if (id && strcmp(id, sid) == 0) {
			if (db_col_int(st, 0) > last_id)
				last_id = db_col_int(st, 0);
			json_array_extend(packages, json_object_get(part, "packages"));
			if (json_integer_value(json_object_get(part, "part")) == 1) {
				json_decref(first);
				first = json_incref(part);
			}
			have++;
		}
		json_decref(part);
		if (have >= parts && parts > 0)
			break;
	}
	db_done(st);
	if (sid[0] == '\0') {
		json_decref(packages);
		json_decref(changes);
		return ys_fail(e, "not_found", "node %lld has not reported its inventory yet",
		    (long long)node_id);
	}
	st = db_q(db, "SELECT payload FROM node_events WHERE node_id = ? AND"
	    " type = 'inventory.changed' AND id > ? ORDER BY id LIMIT 1000", "ll", node_id, last_id);
	while (st && db_step(st) == DB_ROW) {
		json_t *c = json_loads(db_col_text(st, 0), 0, NULL);

		if (c)
			json_array_append_new(changes, c);
	}
	db_done(st);
	*out = json_pack("{s:I, s:s, s:s, s:b, s:O, s:O, s:O, s:O, s:o, s:o}",
	    "node_id", (json_int_t)node_id, "snapshot_id", sid, "time", when,
	    "complete", have == parts,
	    "os", json_object_get(first, "os") ?: json_null(),
	    "kernel", json_object_get(first, "kernel") ?: json_null(),
	    "ports", json_object_get(first, "ports") ?: json_array(),
	    "users", json_object_get(first, "users") ?: json_array(),
	    "changes", changes, "items", packages);
	json_decref(first);
	return *out ? 0 : ys_fail(e, "internal", "out of memory");
}
