/*
 * inventory: collecting the host's inventory, diffing two inventories by
 * key (package name and arch, port proto/addr/port, user name), cutting
 * snapshots and diffs into event-sized parts, and the agent module.
 */
#include "inventory.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "hostfs.h"
#include "log.h"
#include "module.h"
#include "packages.h"
#include "periodic.h"
#include "sockets.h"
#include "statefile.h"

#define STATE_FILE "inventory.json"

static json_t *
os_info(const char *root)
{
	static const char *const keys[][2] = {
		{ "ID", "id" }, { "ID_LIKE", "id_like" }, { "VERSION_ID", "version_id" },
		{ "VERSION_CODENAME", "version_codename" }, { "PRETTY_NAME", "pretty_name" },
	};
	json_t *rel = hostfs_os_release(root), *out = json_object();

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		json_t *v = json_object_get(rel, keys[i][0]);

		json_object_set(out, keys[i][1], v ? v : json_null());
	}
	json_decref(rel);
	return out;
}

/* The kernel from root's /proc/sys/kernel (what uname reports on "/"). */
static json_t *
kernel_info(const char *root)
{
	static const char *const files[][2] = {
		{ "/proc/sys/kernel/ostype", "name" }, { "/proc/sys/kernel/osrelease", "release" },
		{ "/proc/sys/kernel/version", "version" },
	};
	json_t *out = json_object();
	struct utsname u;

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char *text = hostfs_read(root, files[i][0], 4096, NULL);

		if (text) {
			text[strcspn(text, "\n")] = '\0';
			json_object_set_new(out, files[i][1], json_string(text));
			free(text);
		}
	}
	if (uname(&u) == 0) {
		if (!json_object_get(out, "name"))
			json_object_set_new(out, "name", json_string(u.sysname));
		if (!json_object_get(out, "release"))
			json_object_set_new(out, "release", json_string(u.release));
		json_object_set_new(out, "machine", json_string(u.machine));
	}
	return out;
}

json_t *
inventory_collect(const char *root, char *err, size_t errlen)
{
	const char *format = "none";
	json_t *pkgs = packages_read(root, &format, err, errlen), *ports, *users, *s;
	size_t i;

	if (pkgs == NULL)
		return NULL;
	ports = sockets_listening(root, true);
	if (ports == NULL)
		ports = json_array();
	json_array_foreach(ports, i, s)
		json_object_del(s, "inode");	/* new on every restart of the service */
	users = hostfs_users(root);
	return json_pack("{s:o, s:o, s:s, s:o, s:o, s:o}", "os", os_info(root),
	    "kernel", kernel_info(root), "package_format", format, "packages", pkgs,
	    "ports", ports, "users", users ? users : json_array());
}

/* ---- diff ---- */

typedef void (*key_fn)(const json_t *item, char *out, size_t outlen);

static void
key_package(const json_t *p, char *out, size_t outlen)
{
	snprintf(out, outlen, "%s:%s", json_string_value(json_object_get(p, "name")),
	    json_string_value(json_object_get(p, "arch")));
}

static void
key_port(const json_t *p, char *out, size_t outlen)
{
	snprintf(out, outlen, "%s %s %lld", json_string_value(json_object_get(p, "proto")),
	    json_string_value(json_object_get(p, "addr")),
	    (long long)json_integer_value(json_object_get(p, "port")));
}

static void
key_user(const json_t *u, char *out, size_t outlen)
{
	snprintf(out, outlen, "%s", json_string_value(json_object_get(u, "name")));
}

static json_t *
index_by(const json_t *list, key_fn key)
{
	json_t *idx = json_object(), *v;
	char k[768];
	size_t i;

	json_array_foreach(list, i, v) {
		key(v, k, sizeof(k));
		json_object_set(idx, k, v);
	}
	return idx;
}

/* Whether two items differ in the fields that matter (ignore: NULL-ended). */
static bool
differs(const json_t *a, const json_t *b, const char *const *compare)
{
	for (size_t i = 0; compare[i]; i++)
		if (!json_equal(json_object_get(a, compare[i]), json_object_get(b, compare[i])) &&
		    (json_object_get(a, compare[i]) || json_object_get(b, compare[i])))
			return true;
	return false;
}

/* added/removed items and changed (old, new) pairs between two lists. */
static void
keyed_diff(const json_t *old, const json_t *cur, key_fn key, const char *const *compare,
    json_t *added, json_t *removed, json_t *changed_old, json_t *changed_new)
{
	json_t *io = index_by(old, key), *in = index_by(cur, key), *v;
	char k[768];
	size_t i;

	json_array_foreach(cur, i, v) {
		json_t *was;

		key(v, k, sizeof(k));
		if ((was = json_object_get(io, k)) == NULL)
			json_array_append(added, v);
		else if (differs(was, v, compare)) {
			json_array_append(changed_old, was);
			json_array_append(changed_new, v);
		}
	}
	json_array_foreach(old, i, v) {
		key(v, k, sizeof(k));
		if (json_object_get(in, k) == NULL)
			json_array_append(removed, v);
	}
	json_decref(io);
	json_decref(in);
}

static const char *const package_fields[] = { "version", "source", "source_version", NULL };
static const char *const port_fields[] = { "process", NULL };
static const char *const user_fields[] = {
	"uid", "gid", "home", "shell", "can_login", "password", NULL,
};

json_t *
inventory_diff(const json_t *old, const json_t *cur)
{
	json_t *out = json_object(), *a, *r, *co, *cn, *up, *v;
	bool any = false;
	size_t i;

	for (size_t f = 0; f < 2; f++) {
		const char *name = f ? "kernel" : "os";
		json_t *x = json_object_get(old, name), *y = json_object_get(cur, name);

		if (!json_equal(x, y)) {
			json_object_set_new(out, name, json_pack("{s:O?, s:O?}", "old", x, "new", y));
			any = true;
		}
	}
	/* packages */
	a = json_array(), r = json_array(), co = json_array(), cn = json_array(), up = json_array();
	keyed_diff(json_object_get(old, "packages"), json_object_get(cur, "packages"),
	    key_package, package_fields, a, r, co, cn);
	json_array_foreach(co, i, v) {
		json_t *n = json_array_get(cn, i);

		json_array_append_new(up, json_pack("{s:O, s:O, s:O, s:O, s:O, s:O, s:O, s:O}",
		    "name", json_object_get(n, "name"), "arch", json_object_get(n, "arch"),
		    "old_version", json_object_get(v, "version"),
		    "new_version", json_object_get(n, "version"),
		    "old_source", json_object_get(v, "source"),
		    "new_source", json_object_get(n, "source"),
		    "old_source_version", json_object_get(v, "source_version"),
		    "new_source_version", json_object_get(n, "source_version")));
	}
	any |= json_array_size(a) || json_array_size(r) || json_array_size(up);
	json_object_set_new(out, "packages", json_pack("{s:o, s:o, s:o}", "added", a,
	    "removed", r, "upgraded", up));
	json_decref(co);
	json_decref(cn);
	/* ports and users: changed items as {old, new} pairs */
	for (size_t f = 0; f < 2; f++) {
		json_t *pairs = json_array();

		a = json_array(), r = json_array(), co = json_array(), cn = json_array();
		keyed_diff(json_object_get(old, f ? "users" : "ports"),
		    json_object_get(cur, f ? "users" : "ports"), f ? key_user : key_port,
		    f ? user_fields : port_fields, a, r, co, cn);
		json_array_foreach(co, i, v)
			json_array_append_new(pairs, json_pack("{s:O, s:O}", "old", v,
			    "new", json_array_get(cn, i)));
		any |= json_array_size(a) || json_array_size(r) || json_array_size(pairs);
		json_object_set_new(out, f ? "users" : "ports", json_pack("{s:o, s:o, s:o}",
		    f ? "added" : "opened", a, f ? "removed" : "closed", r, "changed", pairs));
		json_decref(co);
		json_decref(cn);
	}
	if (!any) {
		json_decref(out);
		return NULL;
	}
	return out;
}

/* ---- parts ---- */

static json_t *
slice(const json_t *list, size_t from, size_t n)
{
	json_t *out = json_array();

	for (size_t i = from; i < from + n && i < json_array_size(list); i++)
		json_array_append(out, json_array_get(list, i));
	return out;
}

json_t *
inventory_snapshot_parts(const json_t *inv, const char *snapshot_id, size_t page)
{
	const json_t *pkgs = json_object_get(inv, "packages");
	size_t n = json_array_size(pkgs), parts = n ? (n + page - 1) / page : 1;
	json_t *out = json_array();

	for (size_t p = 0; p < parts; p++) {
		json_t *part = json_pack("{s:s, s:I, s:I, s:I, s:o}", "snapshot_id", snapshot_id,
		    "part", (json_int_t)p + 1, "parts", (json_int_t)parts,
		    "package_count", (json_int_t)n, "packages", slice(pkgs, p * page, page));

		if (p == 0) {
			static const char *const first[] = {
				"os", "kernel", "package_format", "ports", "users", NULL,
			};

			for (size_t f = 0; first[f]; f++)
				json_object_set(part, first[f], json_object_get(inv, first[f]));
		}
		json_array_append_new(out, part);
	}
	return out;
}

json_t *
inventory_changed_parts(const json_t *diff, const char *snapshot_id, const char *base_id,
    size_t page)
{
	static const char *const kinds[] = { "added", "removed", "upgraded" };
	const json_t *pk = json_object_get(diff, "packages");
	size_t total = 0, parts;
	json_t *out = json_array();

	for (size_t k = 0; k < 3; k++)
		total += json_array_size(json_object_get(pk, kinds[k]));
	parts = total ? (total + page - 1) / page : 1;
	for (size_t p = 0; p < parts; p++) {
		json_t *part = json_pack("{s:s, s:s?, s:I, s:I}", "snapshot_id", snapshot_id,
		    "base_snapshot_id", base_id, "part", (json_int_t)p + 1,
		    "parts", (json_int_t)parts), *pp = json_object();
		size_t start = p * page, end = start + page, before = 0;

		/* This part's window [start, end) over added, removed, upgraded in turn. */
		for (size_t k = 0; k < 3; k++) {
			const json_t *l = json_object_get(pk, kinds[k]);
			size_t len = json_array_size(l);
			size_t lo = start > before ? start - before : 0;
			size_t hi = end > before ? end - before : 0;

			if (hi > len)
				hi = len;
			if (lo > hi)
				lo = hi;
			json_object_set_new(pp, kinds[k], slice(l, lo, hi - lo));
			before += len;
		}
		json_object_set_new(part, "packages", pp);
		if (p == 0) {
			static const char *const first[] = { "os", "kernel", "ports", "users", NULL };

			for (size_t f = 0; first[f]; f++)
				if (json_object_get(diff, first[f]))
					json_object_set(part, first[f], json_object_get(diff, first[f]));
		}
		json_array_append_new(out, part);
	}
	return out;
}

/* ---- the agent module ---- */

/* The full snapshot goes out once per agent process; restarts of the
 * module on a new policy send only what changed. */
static atomic_bool snapshot_sent;

struct inventory {
	struct agent_ctx *ctx;
	char root[512];
	struct periodic *job;
};

static void
new_id(char *out, size_t outlen)
{
	unsigned char r[4] = { 0 };

	if (getentropy(r, sizeof(r)) < 0)
		memset(r, 0, sizeof(r));
	snprintf(out, outlen, "%lld-%02x%02x%02x%02x", (long long)time(NULL), r[0], r[1], r[2],
	    r[3]);
}

static void
emit_all(struct inventory *iv, const char *type, json_t *parts)
{
	size_t i;
	json_t *p;

	json_array_foreach(parts, i, p)
		agent_emit(iv->ctx, "inventory", type, json_incref(p));
	agent_flush(iv->ctx);
}

static void
run_once(void *arg, struct periodic *job)
{
	struct inventory *iv = arg;
	json_t *inv, *prev, *diff = NULL, *parts;
	const char *base;
	char err[512], id[40];

	(void)job;
	if ((inv = inventory_collect(iv->root, err, sizeof(err))) == NULL) {
		log_err("inventory: %s", err);
		agent_module_status(iv->ctx, "inventory", "failed: cannot read the package database");
		return;
	}
	new_id(id, sizeof(id));
	prev = statefile_load(iv->ctx->paths->dir, STATE_FILE);
	base = json_string_value(json_object_get(prev, "snapshot_id"));
	if (!atomic_load(&snapshot_sent) || prev == NULL) {
		parts = inventory_snapshot_parts(inv, id, INVENTORY_PAGE);
		emit_all(iv, "inventory.snapshot", parts);
		log_info("inventory: snapshot %s: %zu packages, %zu ports, %zu users in %zu parts", id,
		    json_array_size(json_object_get(inv, "packages")),
		    json_array_size(json_object_get(inv, "ports")),
		    json_array_size(json_object_get(inv, "users")), json_array_size(parts));
		json_decref(parts);
		atomic_store(&snapshot_sent, true);
	} else if ((diff = inventory_diff(json_object_get(prev, "inventory"), inv)) != NULL) {
		parts = inventory_changed_parts(diff, id, base, INVENTORY_PAGE);
		emit_all(iv, "inventory.changed", parts);
		json_decref(parts);
	} else {
		snprintf(id, sizeof(id), "%s", base ? base : "");	/* unchanged: keep the old id */
	}
	{
		json_t *st = json_pack("{s:s, s:O}", "snapshot_id", id, "inventory", inv);

		if (statefile_save(iv->ctx->paths->dir, STATE_FILE, st, err, sizeof(err)) < 0)
			log_err("inventory: %s", err);
		json_decref(st);
	}
	agent_module_status(iv->ctx, "inventory", "running");
	json_decref(diff);
	json_decref(prev);
	json_decref(inv);
}

int
inventory_start(struct agent_ctx *ctx, const json_t *policy, void **state)
{
	struct inventory *iv = calloc(1, sizeof(*iv));
	json_int_t minutes = json_integer_value(json_object_get(policy, "interval_minutes"));

	if (iv == NULL)
		return -1;
	iv->ctx = ctx;
	/* The host's file system root: "/" unless the host's administrator runs
	 * the agent in a container with the host mounted elsewhere. Never from
	 * the policy (the control plane must not choose what the agent reads). */
	snprintf(iv->root, sizeof(iv->root), "%s",
	    getenv("YUNSHOU_HOST_ROOT") && *getenv("YUNSHOU_HOST_ROOT") ?
	    getenv("YUNSHOU_HOST_ROOT") : "/");
	iv->job = periodic_start(minutes > 0 ? (long)minutes * 60 : 3600, run_once, iv);
	if (iv->job == NULL) {
		free(iv);
		return -1;
	}
	*state = iv;
	return 0;
}

void
inventory_stop(struct agent_ctx *ctx, void *state)
{
	struct inventory *iv = state;

	(void)ctx;
	if (iv == NULL)
		return;
	periodic_stop(iv->job);
	free(iv);
}
