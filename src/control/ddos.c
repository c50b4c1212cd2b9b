/*
 * ddos: protected objects, domains and manual rules, the scrubber bundle
 * and attack records. Every read of a tenant's row goes through
 * store_get()/store_list() with the caller's scope, and every write follows
 * such a read, so another tenant's id is a 404 like a missing one.
 */
#include "ddos.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "alerts.h"
#include "crypto.h"
#include "ddosev.h"
#include "jsonv.h"
#include "log.h"
#include "orders.h"
#include "sitecfg.h"
#include "store.h"

static int64_t jint(const json_t *o, const char *k) { return jsonv_int(o, k, 0); }
static const char *jstr(const json_t *o, const char *k) { return jsonv_str(o, k, NULL); }

/* Columns kept as JSON text are handed back as JSON. */
static void
decode(json_t *row, const char *field, bool object)
{
	json_t *v = json_loads(jsonv_str(row, field, ""), 0, NULL);

	json_object_set_new(row, field, v ? v : object ? json_object() : json_array());
}

static bool
can_write(const struct principal *by, struct ys_err *e)
{
	if (by->role != ROLE_TENANT_ADMIN || by->tenant_id == 0) {
		ys_fail(e, "forbidden", "protected objects belong to a tenant; its tenant admin "
		    "manages them");
		return false;
	}
	return true;
}

/* A platform limit of the scrubber bundle (DDOS_MAX_*): count rows of sql
 * (one parameter, id) against max. */
static int
room(struct db *db, const char *sql, int64_t id, int64_t max, const char *what,
    struct ys_err *e)
{
	if (db_int(db, max, sql, "l", id) < max)
		return 0;
	return ys_fail(e, "quota_exceeded", "%s: the scrubbers carry at most %lld; ask the "
	    "provider", what, (long long)max);
}

static int
need_subscription(struct db *db, const struct principal *by, struct ys_err *e)
{
	if (orders_quota_limit(db, by->tenant_id, DDOS_SERVICE) > 0)
		return 0;
	return ys_fail(e, "forbidden", "your tenant has no active anti-ddos subscription; order "
	    "an anti-DDoS plan first (yunshou plan list --service anti-ddos; yunshou order create)");
}

/* Every change scrubber nodes must see raises the generation. */
static int
bump(struct db *db, struct ys_err *e)
{
	if (db_run(db, "UPDATE ddos_generation SET value = value + 1 WHERE id = 1", "") != 1)
		return ys_fail(e, "internal", "cannot record the change for the scrubber nodes");
	return 0;
}

/* ---- addresses ------------------------------------------------------ */

/* Protected addresses are cloud tenants' public service addresses. Besides
 * what sitecfg_origin_address refuses (loopback, unspecified, link-local
 * and metadata addresses, multicast, broadcast), these are never a
 * tenant's to protect; private-use ranges only with ddos_allow_private. */
static const struct {
	const char *cidr;
	const char *why;
	bool private_use;
} refused[] = {
	{ "0.0.0.0/8", "in \"this network\" (0.0.0.0/8)", false },
	{ "240.0.0.0/4", "reserved (240.0.0.0/4)", false },
	{ "::ffff:0:0/96", "IPv4-mapped; give the IPv4 address", false },
	{ "10.0.0.0/8", "private-use (10.0.0.0/8)", true },
	{ "172.16.0.0/12", "private-use (172.16.0.0/12)", true },
	{ "192.168.0.0/16", "private-use (192.168.0.0/16)", true },
	{ "100.64.0.0/10", "shared address space (100.64.0.0/10)", true },
	{ "fc00::/7", "unique-local (fc00::/7)", true },
};

static int
protected_addr(const char *s, bool allow_private, const char *what, char *out, size_t outsz,
    struct ys_err *e)
{
	unsigned char a[16];
	char why[200];

	if (s == NULL || (inet_pton(AF_INET, s, a) != 1 && inet_pton(AF_INET6, s, a) != 1))
		return ys_fail(e, "invalid_field", "%s: \"%.64s\" is not an IPv4 or IPv6 address",
		    what, s ? s : "");
	if (sitecfg_origin_address(s, out, outsz, why, sizeof(why)) < 0)
		return ys_fail(e, "invalid_field", "%s: %s", what, why);
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++)
		if ((!refused[i].private_use || !allow_private) &&
		    sitecfg_cidr_contains(refused[i].cidr, out))
			return ys_fail(e, "invalid_field", "%s: %s is %s: not a public service "
			    "address", what, out, refused[i].why);
	return 0;
}

static int
family_of(const char *addr)
{
	return strchr(addr, ':') ? AF_INET6 : AF_INET;
}

/* ---- thresholds and services ------------------------------------------ */

#define BIG 1000000000000000LL
static const struct jsonv_field threshold_fields[] = {
	{ "pps", JSONV_INT, false, 0, BIG },
	{ "bps", JSONV_INT, false, 0, BIG },
	{ "syn_pps", JSONV_INT, false, 0, BIG },
	{ "baseline_pct", JSONV_INT, false, 110, 100000 },
	{ "min_pps", JSONV_INT, false, 0, BIG },
	{ "consecutive", JSONV_INT, false, 1, 100 },
	{ "quiet_ms", JSONV_INT, false, 100, 3600000 },
	{ NULL, 0, false, 0, 0 },
};

static int
checked(const json_t *v, const struct jsonv_field *f, const char *path, struct ys_err *e)
{
	struct jsonv_error je;

	if (!json_is_object(v))
		return ys_fail(e, "invalid_field", "%s: must be an object", path);
	if (jsonv_check(v, f, &je) < 0)
		return ys_fail(e, "invalid_field", "%s.%s", path, je.message);
	return 0;
}

static const struct jsonv_field service_fields[] = {
	{ "proto", JSONV_STR, true, 1, 8 },
	{ "ports", JSONV_ARR, true, 1, DDOS_MAX_PORTS },
	{ NULL, 0, false, 0, 0 },
};

/* A port: an integer 1-65535 or "lo-hi" (lo <= hi), kept as given. */
static bool
good_port(const json_t *v)
{
	unsigned lo, hi;
	int n = 0;
	const char *s = json_string_value(v);

	if (json_is_integer(v))
		return json_integer_value(v) >= 1 && json_integer_value(v) <= 65535;
	if (s == NULL || strspn(s, "0123456789-") != strlen(s) || s[0] == '0' ||
	    sscanf(s, "%5u-%5u%n", &lo, &hi, &n) != 2 || (size_t)n != strlen(s))
		return false;
	return lo >= 1 && hi <= 65535 && lo <= hi && strchr(strchr(s, '-') + 1, '0') !=
	    strchr(s, '-') + 1;
}

static json_t *
services_of(const json_t *in, const char *path, struct ys_err *e)
{
	json_t *sv, *pv;
	size_t i, j;
	char p[96];

	if (!json_is_array(in) || json_array_size(in) == 0 ||
	    json_array_size(in) > DDOS_MAX_SERVICES) {
		ys_fail(e, "invalid_field", "%s.services: 1 to %d services {proto, ports}", path,
		    DDOS_MAX_SERVICES);
		return NULL;
	}
	json_array_foreach(in, i, sv) {
		const char *proto;

		snprintf(p, sizeof(p), "%s.services[%zu]", path, i);
		if (checked(sv, service_fields, p, e) < 0)
			return NULL;
		proto = jstr(sv, "proto");
		if (strcmp(proto, "tcp") != 0 && strcmp(proto, "udp") != 0) {
			ys_fail(e, "invalid_field", "%s.proto: tcp or udp", p);
			return NULL;
		}
		json_array_foreach(json_object_get(sv, "ports"), j, pv)
			if (!good_port(pv)) {
				ys_fail(e, "invalid_field", "%s.ports[%zu]: a port is 1-65535 or "
				    "\"lo-hi\"", p, j);
				return NULL;
			}
	}
	return json_deep_copy(in);
}

static const struct jsonv_field ip_fields[] = {
	{ "addr", JSONV_STR, true, 2, 45 },
	{ "origin", JSONV_STR, false, 2, 45 },
	{ "services", JSONV_ARR, true, 1, DDOS_MAX_SERVICES },
	{ NULL, 0, false, 0, 0 },
};

/* The object's addresses, canonical: [{addr, origin?, services}]. */
static json_t *
ips_of(const json_t *in, bool allow_private, struct ys_err *e)
{
	json_t *out = json_array(), *iv;
	size_t i;

	if (!json_is_array(in) || json_array_size(in) == 0 || json_array_size(in) > DDOS_MAX_IPS) {
		json_decref(out);
		ys_fail(e, "invalid_field", "ips: 1 to %d addresses {addr, services[, origin]}",
		    DDOS_MAX_IPS);
		return NULL;
	}
	json_array_foreach(in, i, iv) {
		char p[32], addr[SITECFG_DOMAIN_MAX + 1], origin[SITECFG_DOMAIN_MAX + 1], w[48];
		json_t *sv, *x, *o;
		size_t k;

		snprintf(p, sizeof(p), "ips[%zu]", i);
		if (checked(iv, ip_fields, p, e) < 0)
			goto fail;
		snprintf(w, sizeof(w), "%s.addr", p);
		if (protected_addr(jstr(iv, "addr"), allow_private, w, addr, sizeof(addr), e) < 0)
			goto fail;
		json_array_foreach(out, k, x)
			if (strcmp(jstr(x, "addr"), addr) == 0) {
				ys_fail(e, "invalid_field", "%s.addr: %s is given twice", p, addr);
				goto fail;
			}
		if ((sv = services_of(json_object_get(iv, "services"), p, e)) == NULL)
			goto fail;
		o = json_pack("{s:s, s:o}", "addr", addr, "services", sv);
		json_array_append_new(out, o);
		if (jstr(iv, "origin")) {
			unsigned char a[16];
			char why[200];

			snprintf(w, sizeof(w), "%s.origin", p);
			if (inet_pton(AF_INET, jstr(iv, "origin"), a) != 1 &&
			    inet_pton(AF_INET6, jstr(iv, "origin"), a) != 1) {
				ys_fail(e, "invalid_field", "%s: an IPv4 or IPv6 address", w);
				goto fail;
			}
			if (sitecfg_origin_address(jstr(iv, "origin"), origin, sizeof(origin), why,
			    sizeof(why)) < 0) {
				ys_fail(e, "invalid_field", "%s: %s", w, why);
				goto fail;
			}
			if (family_of(origin) != family_of(addr)) {
				ys_fail(e, "invalid_field", "%s.origin: must be of the same family as "
				    "addr", p);
				goto fail;
			}
			json_object_set_new(o, "origin", json_string(origin));
		}
	}
	return out;
fail:
	json_decref(out);
	return NULL;
}

/* ---- objects -------------------------------------------------------- */

static char *
resource(const char *addr)
{
	static __thread char r[80];

	snprintf(r, sizeof(r), "ddos-ip/%s", addr);
	return r;
}

/* Claim the addresses of ips for the object (releasing those it had and
 * no longer has), one quota unit each. */
static int
claim_ips(struct db *db, int64_t tenant, int64_t id, const json_t *old, const json_t *ips,
    struct ys_err *e)
{
	json_t *x, *y;
	size_t i, k;

	json_array_foreach(old, i, x) {
		bool kept = false;

		json_array_foreach(ips, k, y)
			kept |= strcmp(jstr(x, "addr"), jstr(y, "addr")) == 0;
		if (kept)
			continue;
		if (db_run(db, "DELETE FROM ddos_object_ips WHERE addr = ? AND object_id = ?", "sl",
		    jstr(x, "addr"), id) < 0 ||
		    orders_quota_release(db, tenant, DDOS_SERVICE, resource(jstr(x, "addr"))) < 0)
			return ys_fail(e, "internal", "cannot release %s", jstr(x, "addr"));
	}
	json_array_foreach(ips, i, y) {
		const char *a = jstr(y, "addr");

		if (db_int(db, 0, "SELECT count(*) FROM ddos_object_ips WHERE addr = ? AND"
		    " object_id = ?", "sl", a, id) == 1)
			continue;
		if (db_run(db, "INSERT INTO ddos_object_ips (addr, object_id, tenant_id) VALUES"
		    " (?, ?, ?)", "sll", a, id, tenant) != 1)
			return db_is_conflict(db) ? ys_fail(e, "conflict", "%s is already protected "
			    "(by you or another tenant)", a) : ys_fail(e, "internal", "cannot claim %s",
			    a);
		if (orders_quota_acquire(db, tenant, DDOS_SERVICE, resource(a), e) < 0)
			return -1;
	}
	return 0;
}

static void
decode_object(json_t *o)
{
	decode(o, "ips", false);
	decode(o, "thresholds", true);
}

static char *
dump(const json_t *v)
{
	return json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS);
}

int
ddos_object_create(struct db *db, bool allow_private, const struct principal *by,
    const json_t *in, json_t **out, struct ys_err *e)
{
	const char *name = jstr(in, "name");
	json_t *ips = NULL, *th = json_object_get(in, "thresholds");
	char *ips_t = NULL, *th_t = NULL;
	int64_t now = time(NULL), id;
	int rc = -1;

	if (!can_write(by, e) || need_subscription(db, by, e) < 0 ||
	    room(db, "SELECT count(*) FROM ddos_objects WHERE id > ?", 0, DDOS_MAX_OBJECTS,
	    "protected objects on the platform", e) < 0)
		return -1;
	if (name == NULL || !sitecfg_name_ok(name, e) ||
	    (th && checked(th, threshold_fields, "thresholds", e) < 0) ||
	    (ips = ips_of(json_object_get(in, "ips"), allow_private, e)) == NULL)
		goto fail;
	ips_t = dump(ips);
	th_t = th ? dump(th) : strdup("{}");
	if (ips_t == NULL || th_t == NULL) {
		ys_fail(e, "internal", "out of memory");
		goto fail;
	}
	if (db_run(db, "INSERT INTO ddos_objects (tenant_id, name, ips, thresholds, status,"
	    " created_by, created_at, updated_at) VALUES (?, ?, ?, ?, 'active', ?, ?, ?)", "lssssll",
	    by->tenant_id, name, ips_t, th_t, by->username, now, now) != 1) {
		if (db_is_conflict(db))
			ys_fail(e, "conflict", "you already have a protected object named %s", name);
		else
			ys_fail(e, "internal", "cannot store the protected object");
		goto fail;
	}
	id = db_last_id(db);
	if (claim_ips(db, by->tenant_id, id, NULL, ips, e) < 0 || bump(db, e) < 0)
		goto fail;
	*out = ddos_object_get(db, by, id, e);
	rc = *out ? 0 : -1;
fail:
	json_decref(ips);
	free(ips_t);
	free(th_t);
	return rc;
}

json_t *
ddos_object_list(struct db *db, const struct principal *p)
{
	json_t *rows = store_list(db, principal_scope(p), STORE_DDOS_OBJECTS, NULL, 0, 1000), *o;
	size_t i;

	json_array_foreach(rows, i, o)
		decode_object(o);
	return rows;
}

json_t *
ddos_object_get(struct db *db, const struct principal *p, int64_t id, struct ys_err *e)
{
	json_t *o = store_find(db, principal_scope(p), STORE_DDOS_OBJECTS, id, "protected object",
	    e);
	json_t *filter;

	if (o == NULL)
		return NULL;
	decode_object(o);
	filter = json_pack("{s:I}", "object_id", (json_int_t)id);
	json_object_set_new(o, "domains", ddos_domain_list(db, p, filter));
	json_object_set_new(o, "rules", ddos_rule_list(db, p, filter));
	json_decref(filter);
	return o;
}

int
ddos_object_update(struct db *db, bool allow_private, const struct principal *by, int64_t id,
    const json_t *in, json_t **out, struct ys_err *e)
{
	json_t *cur, *ips = NULL, *th = json_object_get(in, "thresholds");
	const char *name = jstr(in, "name"), *status = jstr(in, "status");
	char *ips_t = NULL, *th_t = NULL;
	int rc = -1;

	if (!can_write(by, e))
		return -1;
	if ((cur = ddos_object_get(db, by, id, e)) == NULL)
		return -1;
	if (json_object_size(in) == 0) {
		ys_fail(e, "invalid_field", "give at least one of name, ips, thresholds, status");
		goto fail;
	}
	if ((name && !sitecfg_name_ok(name, e)) ||
	    (th && checked(th, threshold_fields, "thresholds", e) < 0))
		goto fail;
	if (status && strcmp(status, "active") != 0 && strcmp(status, "disabled") != 0) {
		ys_fail(e, "invalid_field", "status: active or disabled");
		goto fail;
	}
	if (json_object_get(in, "ips")) {
		if (need_subscription(db, by, e) < 0 ||
		    (ips = ips_of(json_object_get(in, "ips"), allow_private, e)) == NULL ||
		    claim_ips(db, by->tenant_id, id, json_object_get(cur, "ips"), ips, e) < 0)
			goto fail;
	}
	ips_t = ips ? dump(ips) : NULL;
	th_t = th ? dump(th) : NULL;
	if (db_run(db, "UPDATE ddos_objects SET name = coalesce(?, name), ips = coalesce(?, ips),"
	    " thresholds = coalesce(?, thresholds), status = coalesce(?, status), updated_at = ?"
	    " WHERE id = ?", "sssslL", name, ips_t, th_t, status, (int64_t)time(NULL), id) != 1) {
		if (db_is_conflict(db))
			ys_fail(e, "conflict", "you already have a protected object named %s", name);
		else
			ys_fail(e, "internal", "cannot update the protected object");
		goto fail;
	}
	if (bump(db, e) < 0)
		goto fail;
	*out = ddos_object_get(db, by, id, e);
	rc = *out ? 0 : -1;
fail:
	json_decref(cur);
	json_decref(ips);
	free(ips_t);
	free(th_t);
	return rc;
}

int
ddos_object_delete(struct db *db, const struct principal *by, int64_t id, json_t **out,
    struct ys_err *e)
{
	json_t *cur;
	int rc = -1;

	if (!can_write(by, e) || (cur = ddos_object_get(db, by, id, e)) == NULL)
		return -1;
	if (claim_ips(db, by->tenant_id, id, json_object_get(cur, "ips"), NULL, e) < 0)
		goto fail;
	if (db_run(db, "DELETE FROM ddos_domains WHERE object_id = ?", "l", id) < 0 ||
	    db_run(db, "DELETE FROM ddos_rules WHERE object_id = ?", "l", id) < 0 ||
	    db_run(db, "DELETE FROM ddos_objects WHERE id = ?", "l", id) != 1) {
		ys_fail(e, "internal", "cannot delete the protected object");
		goto fail;
	}
	if (bump(db, e) < 0)
		goto fail;
	*out = json_pack("{s:I, s:b}", "id", (json_int_t)id, "deleted", 1);
	rc = 0;
fail:
	json_decref(cur);
	return rc;
}

/* ---- domains -------------------------------------------------------- */

static const char *
mode_of(const json_t *in, const char *def, struct ys_err *e)
{
	const char *m = jstr(in, "mode");

	if (m == NULL)
		return def;
	if (strcmp(m, "on-demand") != 0 && strcmp(m, "always-on") != 0) {
		ys_fail(e, "invalid_field", "mode: on-demand or always-on");
		return NULL;
	}
	return m;
}

/* Origins a diverted name falls back to: addresses only (the scrubber
 * writes them into A/AAAA records). */
static json_t *
origins_of(const json_t *in, struct ys_err *e)
{
	json_t *out = json_array(), *v;
	size_t i;

	if (!json_is_array(in) || json_array_size(in) == 0 ||
	    json_array_size(in) > DDOS_MAX_ORIGINS) {
		json_decref(out);
		ys_fail(e, "invalid_field", "origins: 1 to %d IPv4/IPv6 addresses", DDOS_MAX_ORIGINS);
		return NULL;
	}
	json_array_foreach(in, i, v) {
		char c[SITECFG_DOMAIN_MAX + 1], why[200];
		unsigned char a[16];
		const char *s = json_string_value(v);

		if (s == NULL || (inet_pton(AF_INET, s, a) != 1 && inet_pton(AF_INET6, s, a) != 1)) {
			json_decref(out);
			ys_fail(e, "invalid_field", "origins[%zu]: an IPv4 or IPv6 address", i);
			return NULL;
		}
		if (sitecfg_origin_address(s, c, sizeof(c), why, sizeof(why)) < 0) {
			json_decref(out);
			ys_fail(e, "invalid_field", "origins[%zu]: %s", i, why);
			return NULL;
		}
		json_array_append_new(out, json_string(c));
	}
	return out;
}

static void
decode_domain(json_t *d)
{
	decode(d, "origins", false);
}

int
ddos_domain_create(struct db *db, const char *zone, const struct principal *by,
    const json_t *in, json_t **out, struct ys_err *e)
{
	const char *label = jstr(in, "label"), *mode;
	char name[SITECFG_DOMAIN_MAX + 2], canon[SITECFG_DOMAIN_MAX + 1], why[200], *ot = NULL;
	int64_t obj = jint(in, "object_id"), now = time(NULL), id;
	json_t *o, *origins = NULL;
	int rc = -1;

	if (!can_write(by, e) || need_subscription(db, by, e) < 0)
		return -1;
	if ((o = store_find(db, principal_scope(by), STORE_DDOS_OBJECTS, obj, "protected object",
	    e)) == NULL)
		return -1;
	json_decref(o);
	if (room(db, "SELECT count(*) FROM ddos_domains WHERE object_id = ?", obj,
	    DDOS_MAX_DOMAINS, "domains of one object", e) < 0)
		return -1;
	if (label == NULL || strchr(label, '.') || strchr(label, '*')) {
		ys_fail(e, "invalid_field", "label: one DNS label (letters, digits, '-')");
		return -1;
	}
	snprintf(name, sizeof(name), "%s.%s", label, zone);
	if (sitecfg_domain(name, false, canon, sizeof(canon), why, sizeof(why)) < 0)
		return ys_fail(e, "invalid_field", "label: %s", why);
	if ((mode = mode_of(in, "on-demand", e)) == NULL ||
	    (origins = origins_of(json_object_get(in, "origins"), e)) == NULL)
		goto fail;
	if ((ot = dump(origins)) == NULL) {
		ys_fail(e, "internal", "out of memory");
		goto fail;
	}
	if (db_run(db, "INSERT INTO ddos_domains (tenant_id, object_id, label, name, origins, mode,"
	    " created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", "llsssssll",
	    by->tenant_id, obj, label, canon, ot, mode, by->username, now, now) != 1) {
		if (db_is_conflict(db))
			ys_fail(e, "conflict", "%s is already taken", canon);
		else
			ys_fail(e, "internal", "cannot store the protected domain");
		goto fail;
	}
	id = db_last_id(db);
	if (bump(db, e) < 0)
		goto fail;
	*out = ddos_domain_get(db, by, id, e);
	rc = *out ? 0 : -1;
fail:
	json_decref(origins);
	free(ot);
	return rc;
}

int
ddos_domain_update(struct db *db, const struct principal *by, int64_t id, const json_t *in,
    json_t **out, struct ys_err *e)
{
	json_t *cur, *origins = NULL;
	const char *mode;
	char *ot = NULL;
	int rc = -1;

	if (!can_write(by, e) || (cur = ddos_domain_get(db, by, id, e)) == NULL)
		return -1;
	if (json_object_size(in) == 0) {
		ys_fail(e, "invalid_field", "give mode and/or origins");
		goto fail;
	}
	if ((mode = mode_of(in, jstr(cur, "mode"), e)) == NULL ||
	    (json_object_get(in, "origins") &&
	    (origins = origins_of(json_object_get(in, "origins"), e)) == NULL))
		goto fail;
	ot = origins ? dump(origins) : NULL;
	if (db_run(db, "UPDATE ddos_domains SET mode = ?, origins = coalesce(?, origins),"
	    " updated_at = ? WHERE id = ?", "ssll", mode, ot, (int64_t)time(NULL), id) != 1) {
		ys_fail(e, "internal", "cannot update the protected domain");
		goto fail;
	}
	if (bump(db, e) < 0)
		goto fail;
	*out = ddos_domain_get(db, by, id, e);
	rc = *out ? 0 : -1;
fail:
	json_decref(cur);
	json_decref(origins);
	free(ot);
	return rc;
}

/* Rows of a part table inside the caller's scope, filtered by object_id
 * when filters has one. */
static json_t *
part_list(struct db *db, const struct principal *p, enum store_table t, const json_t *filters)
{
	static const char *const names[] = { "object_id", NULL };
	struct store_filter f[1];
	size_t nf = store_filters_from(filters, names, f, 1);
	json_t *rows = store_list(db, principal_scope(p), t, f, nf, 1000), *r;
	size_t i;

	json_array_foreach(rows, i, r)
		if (t == STORE_DDOS_DOMAINS)
			decode_domain(r);
	return rows;
}

json_t *
ddos_domain_list(struct db *db, const struct principal *p, const json_t *filters)
{
	return part_list(db, p, STORE_DDOS_DOMAINS, filters);
}

json_t *
ddos_domain_get(struct db *db, const struct principal *p, int64_t id, struct ys_err *e)
{
	json_t *d = store_find(db, principal_scope(p), STORE_DDOS_DOMAINS, id, "protected domain",
	    e);

	if (d)
		decode_domain(d);
	return d;
}

/* ---- manual rules --------------------------------------------------- */

int
ddos_rule_create(struct db *db, const struct principal *by, const json_t *in, json_t **out,
    struct ys_err *e)
{
	const char *action = jstr(in, "action"), *cidr = jstr(in, "cidr");
	int64_t obj = jint(in, "object_id"), pps = jint(in, "pps"), bps = jint(in, "bps");
	int64_t expires = jint(in, "expires_in_seconds"), now = time(NULL);
	char c[SITECFG_CIDR_MAX], why[200];
	bool rate;
	json_t *o;

	if (!can_write(by, e) || need_subscription(db, by, e) < 0)
		return -1;
	if ((o = store_find(db, principal_scope(by), STORE_DDOS_OBJECTS, obj, "protected object",
	    e)) == NULL)
		return -1;
	json_decref(o);
	if (room(db, "SELECT count(*) FROM ddos_rules WHERE id > ?", 0, DDOS_MAX_RULES,
	    "manual rules on the platform", e) < 0)
		return -1;
	if (action == NULL || (strcmp(action, "block") != 0 && strcmp(action, "allow") != 0 &&
	    strcmp(action, "ratelimit") != 0))
		return ys_fail(e, "invalid_field", "action: block, allow or ratelimit");
	rate = strcmp(action, "ratelimit") == 0;
	if (rate && cidr)
		return ys_fail(e, "invalid_field", "cidr: not used by ratelimit (it limits every "
		    "source of the object)");
	if (!rate && cidr == NULL)
		return ys_fail(e, "invalid_field", "cidr: required for %s", action);
	if (cidr && sitecfg_cidr(cidr, c, sizeof(c), why, sizeof(why)) < 0)
		return ys_fail(e, "invalid_field", "cidr: %s", why);
	if (rate && pps == 0 && bps == 0)
		return ys_fail(e, "invalid_field", "ratelimit needs pps or bps");
	if (!rate && (pps || bps))
		return ys_fail(e, "invalid_field", "pps/bps only apply to ratelimit");
	if (db_run(db, "INSERT INTO ddos_rules (tenant_id, object_id, action, cidr, pps, bps,"
	    " expires_at, note, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
	    "llssLLLssl", by->tenant_id, obj, action, cidr ? c : NULL, pps, bps,
	    expires ? now + expires : 0, jstr(in, "note") ? jstr(in, "note") : "", by->username,
	    now) != 1)
		return ys_fail(e, "internal", "cannot store the rule");
	obj = db_last_id(db);
	if (bump(db, e) < 0)
		return -1;
	*out = ddos_rule_get(db, by, obj, e);
	return *out ? 0 : -1;
}

json_t *
ddos_rule_list(struct db *db, const struct principal *p, const json_t *filters)
{
	return part_list(db, p, STORE_DDOS_RULES, filters);
}

json_t *
ddos_rule_get(struct db *db, const struct principal *p, int64_t id, struct ys_err *e)
{
	return store_find(db, principal_scope(p), STORE_DDOS_RULES, id, "rule", e);
}

int
ddos_part_delete(struct db *db, const struct principal *by, enum ddos_part part, int64_t id,
    json_t **out, struct ys_err *e)
{
	static const struct {
		enum store_table t;
		const char *what, *sql;
	} parts[] = {
		[DDOS_DOMAIN] = { STORE_DDOS_DOMAINS, "protected domain",
		    "DELETE FROM ddos_domains WHERE id = ?" },
		[DDOS_RULE] = { STORE_DDOS_RULES, "rule", "DELETE FROM ddos_rules WHERE id = ?" },
	};
	json_t *row;

	if (!can_write(by, e) ||
	    (row = store_find(db, principal_scope(by), parts[part].t, id, parts[part].what, e)) ==
	    NULL)
		return -1;
	json_decref(row);
	if (db_run(db, parts[part].sql, "l", id) != 1)
		return ys_fail(e, "internal", "cannot delete the %s", parts[part].what);
	if (bump(db, e) < 0)
		return -1;
	*out = json_pack("{s:I, s:b}", "id", (json_int_t)id, "deleted", 1);
	return 0;
}

/* ---- attacks -------------------------------------------------------- */

static void
decode_attack(json_t *a, bool full)
{
	static const char *const arrays[] = { "vectors", "triggers", "top_sources", "timeline" };
	char t[32];

	for (size_t i = 0; i < sizeof(arrays) / sizeof(arrays[0]); i++)
		decode(a, arrays[i], false);
	decode(a, "vector_pkts", true);
	if (!full)
		json_object_del(a, "timeline");
	db_time_text(jint(a, "start_ms") / 1000, t, sizeof(t));
	json_object_set_new(a, "start", json_string(t));
	if (json_is_integer(json_object_get(a, "end_ms"))) {
		db_time_text(jint(a, "end_ms") / 1000, t, sizeof(t));
		json_object_set_new(a, "end", json_string(t));
		json_object_set_new(a, "duration_s", json_real((double)(jint(a, "end_ms") -
		    jint(a, "start_ms")) / 1000.0));
	} else {
		json_object_set_new(a, "end", json_null());
	}
}

json_t *
ddos_attack_list(struct db *db, const struct principal *p, const json_t *filters)
{
	struct store_filter f[2];
	size_t nf = 0, i;
	json_t *rows, *a;

	if (json_is_integer(json_object_get(filters, "object_id")))
		f[nf++] = (struct store_filter){ "object_id", "=", NULL,
		    jint(filters, "object_id") };
	if (jsonv_bool(filters, "active", false))
		f[nf++] = (struct store_filter){ "status", "=", "active", 0 };
	rows = store_list(db, principal_scope(p), STORE_DDOS_ATTACKS, f, nf,
	    jsonv_int(filters, "limit", 1000));
	json_array_foreach(rows, i, a)
		decode_attack(a, false);
	return rows;
}

json_t *
ddos_attack_get(struct db *db, const struct principal *p, int64_t id, struct ys_err *e)
{
	json_t *a = store_find(db, principal_scope(p), STORE_DDOS_ATTACKS, id, "attack", e);

	if (a)
		decode_attack(a, true);
	return a;
}

/* ---- scrubber bundle ------------------------------------------------- */

static const struct jsonv_field provider_fields[] = {
	{ "scrubbing", JSONV_ARR, true, 1, 2 },
	{ "dns", JSONV_OBJ, false, 0, 0 },
	{ "thresholds", JSONV_OBJ, false, 0, 0 },
	{ NULL, 0, false, 0, 0 },
};

static const struct jsonv_field dns_fields[] = {
	{ "server", JSONV_STR, true, 2, 45 },
	{ "port", JSONV_INT, false, 1, 65535 },
	{ "zone", JSONV_STR, true, 1, 254 },
	{ "tsig_key", JSONV_STR, true, 1, 254 },
	{ "tsig_secret", JSONV_STR, true, 5, 511 },
	{ "ttl", JSONV_INT, false, 1, 86400 },
	{ "hold_down_s", JSONV_INT, false, 0, 604800 },
	{ "timeout_ms", JSONV_INT, false, 100, 60000 },
	{ NULL, 0, false, 0, 0 },
};

static bool
is_ip(const char *s)
{
	unsigned char a[16];

	return s && (inet_pton(AF_INET, s, a) == 1 || inet_pton(AF_INET6, s, a) == 1);
}

/* A zone or key name as the scrubber takes it: a domain name, maybe
 * absolute. */
static int
dns_name(const json_t *dns, const char *k, struct ys_err *e)
{
	char buf[SITECFG_DOMAIN_MAX + 2], out[SITECFG_DOMAIN_MAX + 1], why[200];
	const char *s = jstr(dns, k);
	size_t n = strlen(s);

	snprintf(buf, sizeof(buf), "%s", s);
	if (n > 1 && buf[n - 1] == '.')
		buf[n - 1] = '\0';
	if (sitecfg_domain(buf, false, out, sizeof(out), why, sizeof(why)) < 0)
		return ys_fail(e, "invalid_field", "policy.dns.%s: %s", k, why);
	return 0;
}

/* A TSIG key name: labels of letters, digits, '-' and '_' (one label is
 * usual: "yunshou-ddos"), maybe absolute. */
static bool
key_name(const char *s)
{
	size_t label = 0, n = strlen(s);

	if (n == 0 || n > 253)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '.') {
			if (label == 0)
				return false;
			label = 0;
		} else if ((!isalnum((unsigned char)s[i]) && s[i] != '-' && s[i] != '_') ||
		    ++label > 63) {
			return false;
		}
	}
	return true;
}

int
ddos_provider_check(const json_t *policy, struct ys_err *e)
{
	const json_t *dns = json_object_get(policy, "dns"), *th;
	const char *ref;
	json_t *v;
	size_t i;
	int fam[2] = { 0, 0 };

	if (checked(policy, provider_fields, "policy", e) < 0)
		return -1;
	if (json_array_size(json_object_get(policy, "scrubbing")) == 0)
		return ys_fail(e, "invalid_field", "policy.scrubbing: one or two scrubbing addresses");
	json_array_foreach(json_object_get(policy, "scrubbing"), i, v) {
		if (!is_ip(json_string_value(v)))
			return ys_fail(e, "invalid_field", "policy.scrubbing[%zu]: an IPv4 or IPv6 "
			    "address", i);
		fam[i] = family_of(json_string_value(v));
	}
	if (fam[1] && fam[0] == fam[1])
		return ys_fail(e, "invalid_field", "policy.scrubbing: one address per family");
	if ((th = json_object_get(policy, "thresholds")) &&
	    checked(th, threshold_fields, "policy.thresholds", e) < 0)
		return -1;
	if (dns == NULL)
		return 0;
	if (checked(dns, dns_fields, "policy.dns", e) < 0)
		return -1;
	if (!is_ip(jstr(dns, "server")))
		return ys_fail(e, "invalid_field", "policy.dns.server: an IPv4 or IPv6 address");
	if (dns_name(dns, "zone", e) < 0)
		return -1;
	if (!key_name(jstr(dns, "tsig_key")))
		return ys_fail(e, "invalid_field", "policy.dns.tsig_key: labels of letters, digits, "
		    "'-' and '_'");
	ref = jstr(dns, "tsig_secret");
	if (strncmp(ref, "file:/", 6) != 0 && (strncmp(ref, "env:", 4) != 0 || ref[4] == '\0'))
		return ys_fail(e, "invalid_field", "policy.dns.tsig_secret: a reference "
		    "\"file:/path\" or \"env:NAME\" on the scrubber host, never the secret itself");
	return 0;
}

/* Objects served: active, of an active tenant with an active anti-ddos
 * subscription. */
#define SERVED_OBJECTS \
	"ddos_objects o JOIN tenants t ON t.id = o.tenant_id WHERE o.status = 'active'"	\
	" AND t.status = 'active' AND EXISTS (SELECT 1 FROM subscriptions_v v"		\
	" WHERE v.tenant_id = o.tenant_id AND v.service = 'anti-ddos'"			\
	" AND v.status = 'active')"

static bool
has_family(const json_t *scrubbing, int family)
{
	json_t *v;
	size_t i;

	json_array_foreach(scrubbing, i, v)
		if (family_of(json_string_value(v)) == family)
			return true;
	return false;
}

/* name (stored without the final dot) is inside zone and not its apex. */
static bool
in_zone(const char *name, const char *zone)
{
	size_t n = strlen(name), z = strlen(zone);

	if (z && zone[z - 1] == '.')
		z--;
	return n > z + 1 && strncasecmp(name + n - z, zone, z) == 0 && name[n - z - 1] == '.';
}

/* The object's domains the scrubber can serve: inside the bundle's zone,
 * origins of a family with a scrubbing address. */
static json_t *
bundle_domains(struct db *db, int64_t obj, const json_t *dns, const json_t *scrubbing)
{
	struct db_stmt *st = db_q(db, "SELECT name, mode, origins FROM ddos_domains WHERE"
	    " object_id = ? ORDER BY id", "l", obj);
	const char *zone = jstr(dns, "zone");
	json_t *out = json_array();

	while (dns && zone && st && db_step(st) == DB_ROW) {
		json_t *all = json_loads(db_col_text(st, 2), 0, NULL), *keep = json_array(), *v;
		size_t i;

		json_array_foreach(all, i, v)
			if (has_family(scrubbing, family_of(json_string_value(v))))
				json_array_append(keep, v);
		json_decref(all);
		if (json_array_size(keep) == 0 || !in_zone(db_col_text(st, 0), zone)) {
			log_warn("ddos: domain %s is left out of the scrubber bundle (outside the "
			    "zone %s or no scrubbing address of its origins' family)",
			    db_col_text(st, 0), zone);
			json_decref(keep);
			continue;
		}
		json_array_append_new(out, json_pack("{s:s, s:s, s:o}", "name", db_col_text(st, 0),
		    "mode", db_col_text(st, 1), "origin", keep));
	}
	db_done(st);
	return out;
}

static json_t *
bundle_rules(struct db *db)
{
	struct db_stmt *st = db_q(db, "SELECT r.object_id, r.action, r.cidr, r.pps, r.bps,"
	    " r.expires_at FROM ddos_rules r WHERE (r.expires_at IS NULL OR r.expires_at > ?) AND"
	    " r.object_id IN (SELECT o.id FROM " SERVED_OBJECTS ") ORDER BY r.id", "l",
	    (int64_t)time(NULL));
	json_t *out = json_array();

	while (st && db_step(st) == DB_ROW) {
		char id[32];
		json_t *r;

		snprintf(id, sizeof(id), "obj-%lld", (long long)db_col_int(st, 0));
		r = json_pack("{s:s, s:s}", "action", db_col_text(st, 1), "object", id);
		if (!db_col_is_null(st, 2))
			json_object_set_new(r, "cidr", json_string(db_col_text(st, 2)));
		if (!db_col_is_null(st, 3))
			json_object_set_new(r, "pps", json_integer(db_col_int(st, 3)));
		if (!db_col_is_null(st, 4))
			json_object_set_new(r, "bps", json_integer(db_col_int(st, 4)));
		if (!db_col_is_null(st, 5))
			json_object_set_new(r, "expires", json_integer(db_col_int(st, 5)));
		json_array_append_new(out, r);
	}
	db_done(st);
	return out;
}

json_t *
ddos_scrubber_content(struct db *db, const json_t *provider)
{
	const json_t *scrubbing = json_object_get(provider, "scrubbing");
	const json_t *dns = json_object_get(provider, "dns");
	struct db_stmt *st;
	json_t *policy, *objects = json_array();

	if (!json_is_array(scrubbing) || json_array_size(scrubbing) == 0) {
		log_err("ddos: the provider's scrubber policy has no \"scrubbing\" addresses; set "
		    "them with yunshou policy set --kind scrubber --policy JSON (docs/DDOS.md)");
		json_decref(objects);
		return NULL;
	}
	policy = json_pack("{s:O}", "scrubbing", scrubbing);
	if (json_is_object(dns))
		json_object_set(policy, "dns", (json_t *)dns);
	if (json_is_object(json_object_get(provider, "thresholds")))
		json_object_set(policy, "thresholds", json_object_get(provider, "thresholds"));
	st = db_q(db, "SELECT o.id, o.tenant_id, o.ips, o.thresholds, (SELECT coalesce(max("
	    "p.bandwidth_mbps), ?) FROM subscriptions_v v JOIN plans p ON p.id = v.plan_id WHERE"
	    " v.tenant_id = o.tenant_id AND v.service = 'anti-ddos' AND v.status = 'active')"
	    " FROM " SERVED_OBJECTS " ORDER BY o.id", "i", DDOS_DEFAULT_TIER_MBPS);
	while (st && db_step(st) == DB_ROW) {
		json_t *ips = json_loads(db_col_text(st, 2), 0, NULL);
		json_t *th = json_loads(db_col_text(st, 3), 0, NULL), *o;
		char id[32];

		snprintf(id, sizeof(id), "obj-%lld", (long long)db_col_int(st, 0));
		o = json_pack("{s:s, s:I, s:I, s:o}", "id", id, "tenant",
		    (json_int_t)db_col_int(st, 1), "tier_mbps", (json_int_t)db_col_int(st, 4),
		    "ips", ips ? ips : json_array());
		if (json_object_size(th) > 0)
			json_object_set(o, "thresholds", th);
		json_decref(th);
		json_object_set_new(o, "domains", bundle_domains(db, db_col_int(st, 0),
		    json_is_object(dns) ? dns : NULL, scrubbing));
		json_array_append_new(objects, o);
	}
	db_done(st);
	json_object_set_new(policy, "objects", objects);
	json_object_set_new(policy, "rules", bundle_rules(db));
	return policy;
}

int64_t
ddos_scrubber_version(struct db *db, int64_t pv)
{
	/* Per tenant rather than per object: the same set as SERVED_OBJECTS
	 * yields, at the cost of one probe per tenant. */
	struct db_stmt *st = db_q(db, "SELECT t.id FROM tenants t WHERE t.status = 'active' AND"
	    " EXISTS (SELECT 1 FROM subscriptions_v v WHERE v.tenant_id = t.id AND v.service = ?"
	    " AND v.status = 'active') AND EXISTS (SELECT 1 FROM ddos_objects o"
	    " WHERE o.tenant_id = t.id AND o.status = 'active') ORDER BY t.id", "s", DDOS_SERVICE);
	unsigned char md[32];
	char hex[65], *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (f == NULL || st == NULL) {
		db_done(st);
		if (f)
			fclose(f);
		free(text);
		return 1;
	}
	fprintf(f, "policy=%lld generation=%lld tenants=", (long long)pv, (long long)db_int(db, -1,
	    "SELECT value FROM ddos_generation WHERE id = 1", ""));
	while (db_step(st) == DB_ROW)
		fprintf(f, "%lld,", (long long)db_col_int(st, 0));
	db_done(st);
	fclose(f);
	crypto_sha256(text, len, md);
	crypto_hex(md, 32, hex);
	free(text);
	return store_content_version(db, STORE_VERSIONS_DDOS, hex);
}

/* ---- attack events --------------------------------------------------- */

static int64_t
object_of(const char *id)
{
	char *end;
	long long n;

	if (id == NULL || strncmp(id, "obj-", 4) != 0 || id[4] < '1' || id[4] > '9')
		return 0;
	n = strtoll(id + 4, &end, 10);
	return *end == '\0' && n > 0 ? n : 0;
}

static char *
text_of(const json_t *p, const char *k, const char *def)
{
	json_t *v = json_object_get(p, k);

	return v ? dump(v) : strdup(def);
}

struct peak {
	double pps, bps;
};

static bool
peaks(struct db *db, int64_t obj, const char *ip, int64_t start, struct peak *pk)
{
	struct db_stmt *st = db_q(db, "SELECT peak_pps, peak_bps FROM ddos_attacks WHERE"
	    " object_id = ? AND ip = ? AND start_ms = ?", "lsl", obj, ip, start);
	bool found = false;

	if (st && db_step(st) == DB_ROW) {
		pk->pps = (double)db_col_int(st, 0);
		pk->bps = (double)db_col_int(st, 1);
		found = true;
	}
	db_done(st);
	return found;
}

/* high, or critical when the attack exceeds the plan's bandwidth or
 * DDOS_CRITICAL_PPS. */
static bool
critical(const struct peak *pk, int64_t tier_mbps)
{
	return pk->pps >= DDOS_CRITICAL_PPS || pk->bps >= (double)tier_mbps * 1e6;
}

/* One alert per object while attacks last (grouped by key): raised when an
 * attack starts, and again when it grows critical. */
static int
attack_alert(struct db *db, int64_t obj, int64_t tenant, const char *ip, int64_t start,
    const json_t *p, const struct peak *old)
{
	int64_t tier = db_int(db, DDOS_DEFAULT_TIER_MBPS, "SELECT coalesce(max(p.bandwidth_mbps),"
	    " ?) FROM subscriptions_v v JOIN plans p ON p.id = v.plan_id WHERE v.tenant_id = ? AND"
	    " v.service = 'anti-ddos'", "il", DDOS_DEFAULT_TIER_MBPS, tenant);
	struct peak now = { json_number_value(json_object_get(p, "peak_pps")),
	    json_number_value(json_object_get(p, "peak_bps")) };
	json_t *alert;
	int rc;

	if (old && (critical(old, tier) || !critical(&now, tier)))
		return 0;
	alert = json_pack("{s:s, s:I, s:s, s:O, s:f, s:f, s:I, s:s}", "key",
	    json_string_value(json_object_get(p, "object")), "object_id", (json_int_t)obj,
	    "ip", ip, "vectors", json_object_get(p, "vectors"), "peak_pps", now.pps,
	    "peak_bps", now.bps, "attack_id", (json_int_t)db_int(db, 0, "SELECT id FROM"
	    " ddos_attacks WHERE object_id = ? AND ip = ? AND start_ms = ?", "lsl", obj, ip, start),
	    "severity", critical(&now, tier) ? "critical" : "high");
	rc = alerts_observe(db, tenant, 0, DDOSEV_MODULE, "ddos.attack", start, alert);
	json_decref(alert);
	return rc;
}

/* Rates are kept as whole packets / bits per second. */
static int64_t
num(const json_t *p, const char *k)
{
	return (int64_t)(json_number_value(json_object_get(p, k)) + 0.5);
}

static int
attack_record(struct db *db, int64_t node_id, int64_t obj, int64_t tenant, const json_t *ev)
{
	const json_t *p = json_object_get(ev, "payload");
	const char *type = jstr(ev, "type");
	bool end = strcmp(type, "attack_end") == 0;
	int64_t start = ddosev_time_ms(jstr(p, "start")), endms = end ? ddosev_time_ms(jstr(p,
	    "end")) : 0, now = time(NULL);
	struct peak old = { 0 };
	bool existed;
	char *vec = text_of(p, "vectors", "[]"), *trg = text_of(p, "triggers", "[]");
	char *vp = text_of(p, "vector_pkts", "{}"), *top = text_of(p, "top_sources", "[]");
	char *tl = text_of(p, "timeline", "[]"), ip[INET6_ADDRSTRLEN];
	unsigned char a[16];
	int rc = -1;

	if (inet_pton(AF_INET, jstr(p, "ip"), a) == 1)
		inet_ntop(AF_INET, a, ip, sizeof(ip));
	else if (inet_pton(AF_INET6, jstr(p, "ip"), a) == 1)
		inet_ntop(AF_INET6, a, ip, sizeof(ip));
	else
		snprintf(ip, sizeof(ip), "%s", jstr(p, "ip"));
	existed = peaks(db, obj, ip, start, &old);
	/* Peaks and drops only grow; an end is final (a late update does not
	 * reopen the attack); the end event carries the full report. */
	if (vec && trg && vp && top && tl && db_run(db, "INSERT INTO ddos_attacks (tenant_id,"
	    " object_id, node_id, ip, start_ms, end_ms, status, vectors, triggers, mitigations,"
	    " baseline_p95_pps, peak_pps, peak_bps, dropped_pkts, dropped_bytes, vector_pkts,"
	    " top_sources, timeline, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
	    " ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (object_id, ip, start_ms) DO UPDATE SET"
	    " end_ms = coalesce(excluded.end_ms, end_ms),"
	    " status = CASE WHEN excluded.status = 'ended' OR status = 'ended' THEN 'ended'"
	    " ELSE 'active' END,"
	    " vectors = CASE WHEN status = 'ended' AND excluded.status != 'ended' THEN vectors"
	    " ELSE excluded.vectors END,"
	    " triggers = CASE WHEN status = 'ended' AND excluded.status != 'ended' THEN triggers"
	    " ELSE excluded.triggers END,"
	    " mitigations = CASE WHEN excluded.mitigations != '' THEN excluded.mitigations"
	    " ELSE mitigations END,"
	    " peak_pps = max(peak_pps, excluded.peak_pps), peak_bps = max(peak_bps, excluded.peak_bps),"
	    " dropped_pkts = max(dropped_pkts, excluded.dropped_pkts),"
	    " dropped_bytes = max(dropped_bytes, excluded.dropped_bytes),"
	    " vector_pkts = CASE WHEN excluded.status = 'ended' THEN excluded.vector_pkts"
	    " ELSE vector_pkts END,"
	    " top_sources = CASE WHEN status = 'ended' AND excluded.status != 'ended'"
	    " THEN top_sources ELSE excluded.top_sources END,"
	    " timeline = CASE WHEN excluded.status = 'ended' THEN excluded.timeline ELSE timeline END,"
	    " updated_at = excluded.updated_at", "lllslLsssslllllsssll", tenant, obj, node_id,
	    ip, start, endms, end ? "ended" : "active", vec, trg, jstr(p, "mitigations"),
	    num(p, "baseline_p95_pps"), num(p, "peak_pps"), num(p, "peak_bps"),
	    jint(p, "dropped_pkts"), jint(p, "dropped_bytes"), vp, top, tl, now, now) == 1)
		rc = 0;
	free(vec);
	free(trg);
	free(vp);
	free(top);
	free(tl);
	if (rc == 0)
		rc = attack_alert(db, obj, tenant, ip, start, p, existed ? &old : NULL);
	return rc;
}

int
ddos_scrubber_event(struct db *db, int64_t node_id, const json_t *ev, bool *attributed,
    struct ys_err *e)
{
	const json_t *p = json_object_get(ev, "payload");
	const char *type = jstr(ev, "type");
	int64_t obj = object_of(jstr(p, "object"));
	int64_t tenant = obj ? db_int(db, 0, "SELECT tenant_id FROM ddos_objects WHERE id = ?", "l",
	    obj) : 0;

	*attributed = true;
	if (strncmp(type, "attack_", 7) != 0)
		return 0;	/* DNS switches and node life: telemetry in node_events */
	*attributed = tenant != 0;
	if (tenant == 0)
		return 0;
	if (attack_record(db, node_id, obj, tenant, ev) < 0)
		return ys_fail(e, "internal", "cannot record a DDoS attack");
	return 0;
}
