/*
 * quarantine: quarantined items from the malware events in the caller's
 * scope (store_list on the node_events_malware view), and restore
 * requests as node commands.
 */
#include "quarantine.h"

#include <stdbool.h>
#include <string.h>

#include "nodes.h"
#include "store.h"

#define EVENTS_MAX 100000

static json_t *
events_of(struct db *db, struct scope sc, int64_t node_id, const char *type)
{
	struct store_filter f[2] = { { "type", "=", type, 0 }, { "node_id", "=", NULL, node_id } };

	return store_list(db, sc, STORE_MALWARE_EVENTS, f, node_id ? 2 : 1, EVENTS_MAX);
}

static json_t *
payload_of(const json_t *row)
{
	json_t *p = json_loads(json_string_value(json_object_get(row, "payload")), 0, NULL);

	if (!json_is_object(p)) {
		json_decref(p);
		return NULL;
	}
	return p;
}

/* Is (node, item) among rows (events of one type)? */
static bool
has_item(const json_t *rows, int64_t node, const char *item)
{
	json_t *row;
	size_t i;

	json_array_foreach(rows, i, row) {
		json_t *p;
		bool same;

		if (json_integer_value(json_object_get(row, "node_id")) != node)
			continue;
		p = payload_of(row);
		same = p && json_is_string(json_object_get(p, "id")) &&
		    strcmp(json_string_value(json_object_get(p, "id")), item) == 0;
		json_decref(p);
		if (same)
			return true;
	}
	return false;
}

static bool
restore_pending(const json_t *cmds, int64_t node, const char *item)
{
	json_t *c;
	size_t i;

	json_array_foreach(cmds, i, c) {
		json_t *a = json_loads(json_string_value(json_object_get(c, "args")), 0, NULL);
		const char *it = json_string_value(json_object_get(a, "item"));
		bool same = json_integer_value(json_object_get(c, "node_id")) == node && it &&
		    strcmp(it, item) == 0;

		json_decref(a);
		if (same)
			return true;
	}
	return false;
}

json_t *
quarantine_items(struct db *db, const struct principal *by, int64_t node_id, struct ys_err *e)
{
	struct scope sc = principal_scope(by);
	struct store_filter cf[2] = { { "status", "=", "pending", 0 },
		{ "type", "=", "quarantine.restore", 0 } };
	json_t *q, *r, *cmds, *out, *row;
	size_t i;

	if (node_id && !store_exists(db, sc, STORE_NODES, node_id)) {
		ys_fail(e, "not_found", "no node %lld", (long long)node_id);
		return NULL;
	}
	q = events_of(db, sc, node_id, "malware.quarantined");
	r = events_of(db, sc, node_id, "malware.restored");
	cmds = store_list(db, sc, STORE_NODE_COMMANDS, cf, 2, EVENTS_MAX);
	if (q == NULL || r == NULL || cmds == NULL) {
		json_decref(q);
		json_decref(r);
		json_decref(cmds);
		ys_fail(e, "internal", "cannot read the quarantine events");
		return NULL;
	}
	out = json_array();
	json_array_foreach(q, i, row) {
		int64_t node = json_integer_value(json_object_get(row, "node_id"));
		json_t *p = payload_of(row);
		const char *item = json_string_value(json_object_get(p, "id"));

		if (item && !has_item(r, node, item))
			json_array_append_new(out, json_pack("{s:I, s:s, s:O?, s:O?, s:O?, s:O?,"
			    " s:O?, s:O, s:b}", "node_id", (json_int_t)node, "item", item,
			    "path", json_object_get(p, "path"), "sha256", json_object_get(p, "sha256"),
			    "size", json_object_get(p, "size"), "severity",
			    json_object_get(p, "severity"), "rules", json_object_get(p, "rules"),
			    "quarantined_at", json_object_get(row, "time"),
			    "restore_pending", restore_pending(cmds, node, item)));
		json_decref(p);
	}
	json_decref(q);
	json_decref(r);
	json_decref(cmds);
	return out;
}

int
quarantine_restore_request(struct db *db, const struct principal *by, int64_t node_id,
    const char *item, json_t **out, struct ys_err *e)
{
	json_t *items = quarantine_items(db, by, node_id, e), *it, *args;
	bool found = false;
	size_t i;
	int rc;

	if (items == NULL)
		return -1;
	json_array_foreach(items, i, it)
		found = found || strcmp(json_string_value(json_object_get(it, "item")), item) == 0;
	json_decref(items);
	if (!found)
		return ys_fail(e, "not_found", "no quarantined item %s on node %lld", item,
		    (long long)node_id);
	args = json_pack("{s:s}", "item", item);
	rc = nodes_command_create(db, by, node_id, "malware", "quarantine.restore", args, out, e);
	json_decref(args);
	return rc;
}
