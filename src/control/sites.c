/*
 * sites: WAF sites and their parts (origins, exceptions, custom rules), what
 * WAF nodes are sent and what they report (certificates: sitecert.c). Every
 * read of a tenant's row goes through store_get()/store_list() with the
 * caller's scope, and every write follows such a read, so another tenant's
 * id is a 404 like a missing one.
 */
#include "sites.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <arpa/inet.h>

#include "alerts.h"
#include "jsonv.h"
#include "orders.h"
#include "sitecert.h"
#include "sitecfg.h"
#include "store.h"


/* Members of checked JSON (jsonv.h), short. */
static int64_t jint(const json_t *o, const char *k) { return jsonv_int(o, k, 0); }
static const char *jstr(const json_t *o, const char *k) { return jsonv_str(o, k, NULL); }

/* Columns kept as JSON text are handed back as JSON. */
static void
decode(json_t *row, const char *field)
{
	json_t *v = json_loads(jsonv_str(row, field, ""), 0, NULL);

	json_object_set_new(row, field, v ? v : json_array());
}

static bool
can_write(const struct principal *by, struct ys_err *e)
{
	if (by->role != ROLE_TENANT_ADMIN || by->tenant_id == 0) {
		ys_fail(e, "forbidden", "sites belong to a tenant; its tenant admin manages them");
		return false;
	}
	return true;
}

/* Every change WAF nodes must see raises the generation (sites_waf_state). */
static int
bump(struct db *db, struct ys_err *e)
{
	if (db_run(db, "UPDATE waf_generation SET value = value + 1 WHERE id = 1", "") != 1)
		return ys_fail(e, "internal", "cannot record the change for the WAF nodes");
	return 0;
}

/* ---- validation of site settings ---------------------------------- */

/* A JSON array of strings checked one by one into a canonical, duplicate
 * free array. */
static json_t *
canon_list(const json_t *in, const char *what, size_t max, bool domains, struct ys_err *e)
{
	json_t *out = json_array(), *v;
	size_t i;

	if (in == NULL && !domains)
		return out;
	if (!json_is_array(in) || json_array_size(in) > max) {
		json_decref(out);
		ys_fail(e, "invalid_field", "%s: an array of at most %zu strings", what, max);
		return NULL;
	}
	json_array_foreach(in, i, v) {
		char c[SITECFG_DOMAIN_MAX + 1], why[200];
		const char *s = json_string_value(v);
		int rc;
		json_t *x;
		size_t k;
		bool dup = false;

		if (s == NULL) {
			json_decref(out);
			ys_fail(e, "invalid_field", "%s[%zu]: must be a string", what, i);
			return NULL;
		}
		rc = domains ? sitecfg_domain(s, true, c, sizeof(c), why, sizeof(why)) :
		    sitecfg_cidr(s, c, sizeof(c), why, sizeof(why));
		if (rc < 0) {
			json_decref(out);
			ys_fail(e, "invalid_field", "%s[%zu]: %s", what, i, why);
			return NULL;
		}
		json_array_foreach(out, k, x)
			dup |= strcmp(json_string_value(x), c) == 0;
		if (!dup)
			json_array_append_new(out, json_string(c));
	}
	if (domains && json_array_size(out) == 0) {
		json_decref(out);
		ys_fail(e, "invalid_field", "domains: give at least one domain name");
		return NULL;
	}
	return out;
}

/* Does a certificate name (maybe "*.x") cover the host name d? */
static bool
name_covers(const char *san, const char *d)
{
	if (strcmp(san, d) == 0)
		return true;
	if (strncmp(san, "*.", 2) == 0 && d[0] != '*') {
		const char *dot = strchr(d, '.');

		return dot && strcmp(dot + 1, san + 2) == 0;
	}
	return false;
}

static int
cert_covers(struct db *db, const struct principal *by, int64_t cert_id, const json_t *domains,
    struct ys_err *e)
{
	json_t *c = store_find(db, principal_scope(by), STORE_WAF_CERTS, cert_id, "certificate", e);
	json_t *sans, *d, *s;
	size_t i, k;
	int rc = 0;

	if (c == NULL)
		return -1;
	sans = json_loads(jstr(c, "sans") ? jstr(c, "sans") : "[]", 0, NULL);
	json_array_foreach(domains, i, d) {
		bool ok = false;

		json_array_foreach(sans, k, s)
			ok |= name_covers(json_string_value(s), json_string_value(d));
		if (!ok) {
			rc = ys_fail(e, "invalid_field", "cert_id: certificate %lld does not cover %s",
			    (long long)cert_id, json_string_value(d));
			break;
		}
	}
	json_decref(sans);
	json_decref(c);
	return rc;
}

/* Claim every domain for the site; a host name is one site's on the whole
 * platform. */
static int
claim_domains(struct db *db, int64_t site_id, const json_t *domains, struct ys_err *e)
{
	json_t *d;
	size_t i;

	if (db_run(db, "DELETE FROM waf_site_domains WHERE site_id = ?", "l", site_id) < 0)
		return ys_fail(e, "internal", "cannot update the site's domains");
	json_array_foreach(domains, i, d) {
		if (db_run(db, "INSERT INTO waf_site_domains (domain, site_id) VALUES (?, ?)", "sl",
		    json_string_value(d), site_id) == 1)
			continue;
		if (db_is_conflict(db))
			return ys_fail(e, "conflict", "%s is already protected by another site",
			    json_string_value(d));
		return ys_fail(e, "internal", "cannot record the site's domains");
	}
	return 0;
}

struct cc {
	int64_t ip_rps, ip_burst, url_rps, url_burst, block_seconds;
};

static const struct {
	const char *name;
	size_t off;
	int64_t max;
} cc_fields[] = {
	{ "cc_ip_rps", offsetof(struct cc, ip_rps), 1000000 },
	{ "cc_ip_burst", offsetof(struct cc, ip_burst), 10000000 },
	{ "cc_url_rps", offsetof(struct cc, url_rps), 1000000 },
	{ "cc_url_burst", offsetof(struct cc, url_burst), 10000000 },
	{ "cc_block_seconds", offsetof(struct cc, block_seconds), 86400 },
};

/* CC limits from in over the current ones: a burst below its rate is
 * raised to the rate, and a limit without a block period blocks 60 s. */
static int
cc_apply(const json_t *in, struct cc *c, struct ys_err *e)
{
	for (size_t i = 0; i < sizeof(cc_fields) / sizeof(cc_fields[0]); i++) {
		json_t *v = json_object_get(in, cc_fields[i].name);

		if (v == NULL)
			continue;
		if (!json_is_integer(v) || json_integer_value(v) < 0 ||
		    json_integer_value(v) > cc_fields[i].max)
			return ys_fail(e, "invalid_field", "%s: an integer from 0 (off) to %lld",
			    cc_fields[i].name, (long long)cc_fields[i].max);
		*(int64_t *)((char *)c + cc_fields[i].off) = json_integer_value(v);
	}
	if (c->ip_burst < c->ip_rps)
		c->ip_burst = c->ip_rps;
	if (c->url_burst < c->url_rps)
		c->url_burst = c->url_rps;
	if ((c->ip_rps || c->url_rps) && c->block_seconds == 0)
		c->block_seconds = 60;
	return 0;
}

static const char *
mode_of(const json_t *in, const char *def, struct ys_err *e)
{
	const char *m = jstr(in, "mode");

	if (m == NULL)
		return def;
	if (strcmp(m, "block") != 0 && strcmp(m, "monitor") != 0) {
		ys_fail(e, "invalid_field", "mode: expected block or monitor");
		return NULL;
	}
	return m;
}

/* The list settings of a site, canonical, as JSON and as stored text. */
enum { L_DOMAINS, L_ALLOW, L_DENY, L_COUNT };

static const struct {
	const char *name;
	size_t max;
	bool domains;
} list_fields[L_COUNT] = {
	[L_DOMAINS] = { "domains", SITES_MAX_DOMAINS, true },
	[L_ALLOW] = { "allow_ips", SITES_MAX_IPS, false },
	[L_DENY] = { "deny_ips", SITES_MAX_IPS, false },
};

struct site_lists {
	json_t *v[L_COUNT];
	char *text[L_COUNT];
};

static void
lists_free(struct site_lists *l)
{
	for (int i = 0; i < L_COUNT; i++) {
		json_decref(l->v[i]);
		free(l->text[i]);
	}
}

/* Each list from in, else from the current site (NULL when creating);
 * then the certificate cert must cover the domains. */
static int
lists_read(struct db *db, const struct principal *by, const json_t *in, const json_t *cur,
    int64_t cert, struct site_lists *l, struct ys_err *e)
{
	memset(l, 0, sizeof(*l));
	for (int i = 0; i < L_COUNT; i++) {
		json_t *v = json_object_get(in, list_fields[i].name);

		l->v[i] = v || cur == NULL ? canon_list(v, list_fields[i].name, list_fields[i].max,
		    list_fields[i].domains, e) : json_incref(json_object_get(cur,
		    list_fields[i].name));
		if (l->v[i] == NULL)
			return -1;
		if ((l->text[i] = json_dumps(l->v[i], JSON_COMPACT)) == NULL)
			return ys_fail(e, "internal", "out of memory");
	}
	return cert ? cert_covers(db, by, cert, l->v[L_DOMAINS], e) : 0;
}

/* ---- sites ---------------------------------------------------------- */

int
sites_create(struct db *db, const char *zone, const struct principal *by, const json_t *in,
    json_t **out, struct ys_err *e)
{
	const char *name = jstr(in, "name"), *mode;
	struct site_lists l = { 0 };
	char resource[48], cname[300];
	struct cc cc = { 0 };
	int64_t now = time(NULL), id, cert = jint(in, "cert_id");
	int rc = -1;

	if (!can_write(by, e))
		return -1;
	if (orders_quota_limit(db, by->tenant_id, SITES_SERVICE) == 0)
		return ys_fail(e, "forbidden", "your tenant has no active waf subscription; order a "
		    "WAF plan first (yunshou plan list --service waf; yunshou order create)");
	if (name == NULL || !sitecfg_name_ok(name, e) || (mode = mode_of(in, "block", e)) == NULL ||
	    cc_apply(in, &cc, e) < 0 || lists_read(db, by, in, NULL, cert, &l, e) < 0)
		goto fail;
	if (db_run(db, "INSERT INTO waf_sites (tenant_id, name, domains, mode, cname, cert_id,"
	    " cc_ip_rps, cc_ip_burst, cc_url_rps, cc_url_burst, cc_block_seconds, allow_ips,"
	    " deny_ips, status, created_by, created_at, updated_at) VALUES (?, ?, ?, ?, '', ?,"
	    " ?, ?, ?, ?, ?, ?, ?, 'active', ?, ?, ?)", "lsssLlllllsssll", by->tenant_id, name,
	    l.text[L_DOMAINS], mode, cert, cc.ip_rps, cc.ip_burst, cc.url_rps, cc.url_burst,
	    cc.block_seconds, l.text[L_ALLOW], l.text[L_DENY], by->username, now, now) != 1) {
		if (db_is_conflict(db))
			ys_fail(e, "conflict", "you already have a site named %s", name);
		else
			ys_fail(e, "internal", "cannot store the site");
		goto fail;
	}
	id = db_last_id(db);
	snprintf(resource, sizeof(resource), "site/%lld", (long long)id);
	snprintf(cname, sizeof(cname), "site-%lld.%s", (long long)id, zone);
	if (orders_quota_acquire(db, by->tenant_id, SITES_SERVICE, resource, e) < 0 ||
	    claim_domains(db, id, l.v[L_DOMAINS], e) < 0)
		goto fail;
	if (db_run(db, "UPDATE waf_sites SET cname = ? WHERE id = ?", "sl", cname, id) != 1 ||
	    bump(db, e) < 0) {
		ys_fail(e, "internal", "cannot store the site");
		goto fail;
	}
	*out = sites_get(db, by, id, e);
	rc = *out ? 0 : -1;
fail:
	lists_free(&l);
	return rc;
}

static void
decode_site(json_t *s)
{
	decode(s, "domains");
	decode(s, "allow_ips");
	decode(s, "deny_ips");
}

json_t *
sites_list(struct db *db, const struct principal *p)
{
	json_t *rows = store_list(db, principal_scope(p), STORE_WAF_SITES, NULL, 0, 10000), *s;
	size_t i;

	json_array_foreach(rows, i, s)
		decode_site(s);
	return rows;
}

static json_t *
parts(struct db *db, struct scope sc, enum store_table t, int64_t site_id)
{
	struct store_filter f = { "site_id", "=", NULL, site_id };
	json_t *rows = store_list(db, sc, t, &f, 1, 10000);

	return rows ? rows : json_array();
}

json_t *
sites_get(struct db *db, const struct principal *p, int64_t id, struct ys_err *e)
{
	struct scope sc = principal_scope(p);
	json_t *s = store_find(db, sc, STORE_WAF_SITES, id, "site", e);

	if (s == NULL)
		return NULL;
	decode_site(s);
	json_object_set_new(s, "origins", parts(db, sc, STORE_WAF_ORIGINS, id));
	json_object_set_new(s, "exceptions", parts(db, sc, STORE_WAF_EXCEPTIONS, id));
	json_object_set_new(s, "rules", parts(db, sc, STORE_WAF_RULES, id));
	if (jint(s, "cert_id")) {
		json_t *c = store_get(db, sc, STORE_WAF_CERTS, jint(s, "cert_id"));

		if (c)
			sitecert_annotate(c);
		json_object_set_new(s, "certificate", c ? c : json_null());
	}
	json_object_set_new(s, "dns", json_pack("{s:s, s:s}", "type", "CNAME", "target",
	    jstr(s, "cname") ? jstr(s, "cname") : ""));
	return s;
}

int
sites_update(struct db *db, const struct principal *by, int64_t id, const json_t *in,
    json_t **out, struct ys_err *e)
{
	json_t *s = NULL;
	const char *mode, *status, *name;
	struct site_lists l = { 0 };
	struct cc cc;
	int64_t cert;
	int rc = -1;

	if (!can_write(by, e) || (s = store_find(db, principal_scope(by), STORE_WAF_SITES, id,
	    "site", e)) == NULL)
		return -1;
	decode_site(s);
	cc = (struct cc){ jint(s, "cc_ip_rps"), jint(s, "cc_ip_burst"), jint(s, "cc_url_rps"),
	    jint(s, "cc_url_burst"), jint(s, "cc_block_seconds") };
	name = jstr(in, "name") ? jstr(in, "name") : jstr(s, "name");
	status = jstr(in, "status") ? jstr(in, "status") : jstr(s, "status");
	cert = json_object_get(in, "cert_id") ? jint(in, "cert_id") : jint(s, "cert_id");
	if (!sitecfg_name_ok(name, e) || (mode = mode_of(in, jstr(s, "mode"), e)) == NULL ||
	    cc_apply(in, &cc, e) < 0)
		goto fail;
	if (strcmp(status, "active") != 0 && strcmp(status, "disabled") != 0) {
		ys_fail(e, "invalid_field", "status: expected active or disabled");
		goto fail;
	}
	if (lists_read(db, by, in, s, cert, &l, e) < 0)
		goto fail;
	if (db_run(db, "UPDATE waf_sites SET name = ?, domains = ?, mode = ?, cert_id = ?,"
	    " cc_ip_rps = ?, cc_ip_burst = ?, cc_url_rps = ?, cc_url_burst = ?,"
	    " cc_block_seconds = ?, allow_ips = ?, deny_ips = ?, status = ?, updated_at = ?"
	    " WHERE id = ?", "sssLlllllsssll", name, l.text[L_DOMAINS], mode, cert, cc.ip_rps,
	    cc.ip_burst, cc.url_rps, cc.url_burst, cc.block_seconds, l.text[L_ALLOW],
	    l.text[L_DENY], status, (int64_t)time(NULL), id) != 1) {
		if (db_is_conflict(db))
			ys_fail(e, "conflict", "you already have a site named %s", name);
		else
			ys_fail(e, "internal", "cannot update the site");
		goto fail;
	}
	if (claim_domains(db, id, l.v[L_DOMAINS], e) < 0 || bump(db, e) < 0)
		goto fail;
	*out = sites_get(db, by, id, e);
	rc = *out ? 0 : -1;
fail:
	json_decref(s);
	lists_free(&l);
	return rc;
}

int
sites_delete(struct db *db, const struct principal *by, int64_t id, json_t **out,
    struct ys_err *e)
{
	static const char *const children[] = {
		"DELETE FROM waf_site_domains WHERE site_id = ?",
		"DELETE FROM waf_origins WHERE site_id = ?",
		"DELETE FROM waf_exceptions WHERE site_id = ?",
		"DELETE FROM waf_rules WHERE site_id = ?",
		"DELETE FROM waf_events WHERE site_id = ?",
		"DELETE FROM waf_site_stats WHERE site_id = ?",
		"DELETE FROM waf_stat_counts WHERE site_id = ?",
		"DELETE FROM waf_sites WHERE id = ?",
	};
	char resource[48];
	json_t *s;

	if (!can_write(by, e) || (s = sites_get(db, by, id, e)) == NULL)
		return -1;
	for (size_t i = 0; i < sizeof(children) / sizeof(children[0]); i++)
		if (db_run(db, children[i], "l", id) < 0) {
			json_decref(s);
			return ys_fail(e, "internal", "cannot delete the site");
		}
	snprintf(resource, sizeof(resource), "site/%lld", (long long)id);
	if (orders_quota_release(db, by->tenant_id, SITES_SERVICE, resource) < 0 ||
	    bump(db, e) < 0) {
		json_decref(s);
		return ys_fail(e, "internal", "cannot release the quota");
	}
	json_object_set_new(s, "status", json_string("deleted"));
	*out = s;
	return 0;
}

/* ---- origins, exceptions, custom rules ------------------------------ */

static json_t *
site_for_part(struct db *db, const struct principal *by, int64_t site_id, enum store_table t,
    size_t max, const char *what, struct ys_err *e)
{
	json_t *s, *rows;

	if (!can_write(by, e) || (s = store_find(db, principal_scope(by), STORE_WAF_SITES, site_id,
	    "site", e)) == NULL)
		return NULL;
	rows = parts(db, principal_scope(by), t, site_id);
	if (json_array_size(rows) >= max) {
		ys_fail(e, "conflict", "site %lld already has %zu %s (the most allowed)",
		    (long long)site_id, max, what);
		json_decref(s);
		s = NULL;
	}
	json_decref(rows);
	return s;
}

static int
touch(struct db *db, int64_t site_id, struct ys_err *e)
{
	if (db_run(db, "UPDATE waf_sites SET updated_at = ? WHERE id = ?", "ll",
	    (int64_t)time(NULL), site_id) != 1 || bump(db, e) < 0)
		return ys_fail(e, "internal", "cannot update the site");
	return 0;
}

static int
added(struct db *db, const struct principal *by, enum store_table t, int64_t site_id,
    json_t **out, struct ys_err *e)
{
	int64_t id = db_last_id(db);

	if (touch(db, site_id, e) < 0)
		return -1;
	*out = store_find(db, principal_scope(by), t, id, "row", e);
	return *out ? 0 : -1;
}

int
sites_origin_add(struct db *db, const struct principal *by, int64_t site_id, const json_t *in,
    json_t **out, struct ys_err *e)
{
	const char *scheme = jstr(in, "scheme") ? jstr(in, "scheme") : "http";
	const char *health = jstr(in, "health_path") ? jstr(in, "health_path") : "/";
	char addr[SITECFG_DOMAIN_MAX + 1], why[200];
	int64_t port = json_object_get(in, "port") ? jint(in, "port") :
	    strcmp(scheme, "https") == 0 ? 443 : 80;
	int64_t weight = json_object_get(in, "weight") ? jint(in, "weight") : 10;
	json_t *s;

	if (sitecfg_origin_address(jstr(in, "address"), addr, sizeof(addr), why, sizeof(why)) < 0)
		return ys_fail(e, "invalid_field", "%s", why);
	if (strcmp(scheme, "http") != 0 && strcmp(scheme, "https") != 0)
		return ys_fail(e, "invalid_field", "scheme: expected http or https");
	if (port < 1 || port > 65535)
		return ys_fail(e, "invalid_field", "port: 1-65535");
	if (weight < 1 || weight > 100)
		return ys_fail(e, "invalid_field", "weight: 1-100");
	if (health[0] != '/' || strlen(health) > 256 || strpbrk(health, " #\r\n\t"))
		return ys_fail(e, "invalid_field", "health_path: a path starting with '/' (at most "
		    "256 characters, no spaces or '#')");
	if ((s = site_for_part(db, by, site_id, STORE_WAF_ORIGINS, SITES_MAX_ORIGINS, "origins",
	    e)) == NULL)
		return -1;
	json_decref(s);
	if (db_run(db, "INSERT INTO waf_origins (site_id, tenant_id, address, port, scheme,"
	    " health_path, weight, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", "llslssll", site_id,
	    by->tenant_id, addr, port, scheme, health, weight, (int64_t)time(NULL)) != 1)
		return db_is_conflict(db) ? ys_fail(e, "conflict", "site %lld already has origin "
		    "%s://%s:%lld", (long long)site_id, scheme, addr, (long long)port) :
		    ys_fail(e, "internal", "cannot store the origin");
	return added(db, by, STORE_WAF_ORIGINS, site_id, out, e);
}

int
sites_exception_add(struct db *db, const struct principal *by, int64_t site_id,
    const json_t *in, json_t **out, struct ys_err *e)
{
	json_t *x = NULL, *s;
	char why[200];
	int64_t rc;

	if (sitecfg_exception(in, &x, why, sizeof(why)) < 0)
		return ys_fail(e, "invalid_field", "%s", why);
	if ((s = site_for_part(db, by, site_id, STORE_WAF_EXCEPTIONS, SITES_MAX_EXCEPTIONS,
	    "exceptions", e)) == NULL) {
		json_decref(x);
		return -1;
	}
	json_decref(s);
	rc = db_run(db, "INSERT INTO waf_exceptions (site_id, tenant_id, rule_id, category,"
	    " path_prefix, field, note, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", "llsssssl",
	    site_id, by->tenant_id, jstr(x, "rule_id"), jstr(x, "category"), jstr(x, "path_prefix"),
	    jstr(x, "field"), jstr(x, "note"), (int64_t)time(NULL));
	json_decref(x);
	if (rc != 1)
		return ys_fail(e, "internal", "cannot store the exception");
	return added(db, by, STORE_WAF_EXCEPTIONS, site_id, out, e);
}

int
sites_rule_add(struct db *db, const struct principal *by, int64_t site_id, const json_t *in,
    json_t **out, struct ys_err *e)
{
	json_t *x = NULL, *s;
	char why[200];
	int64_t rc;

	if (sitecfg_custom_rule(in, &x, why, sizeof(why)) < 0)
		return ys_fail(e, "invalid_field", "%s", why);
	if ((s = site_for_part(db, by, site_id, STORE_WAF_RULES, SITES_MAX_RULES, "custom rules",
	    e)) == NULL) {
		json_decref(x);
		return -1;
	}
	json_decref(s);
	rc = db_run(db, "INSERT INTO waf_rules (site_id, tenant_id, name, field, operator, value,"
	    " action, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", "llsssssl", site_id,
	    by->tenant_id, jstr(x, "name"), jstr(x, "field"), jstr(x, "operator"), jstr(x, "value"),
	    jstr(x, "action"), (int64_t)time(NULL));
	json_decref(x);
	if (rc != 1)
		return ys_fail(e, "internal", "cannot store the rule");
	return added(db, by, STORE_WAF_RULES, site_id, out, e);
}

int
sites_part_delete(struct db *db, const struct principal *by, enum sites_part part, int64_t id,
    int64_t *site_id, json_t **out, struct ys_err *e)
{
	static const struct {
		enum store_table t;
		const char *what;
		const char *sql;
	} kinds[] = {
		[SITES_ORIGIN] = { STORE_WAF_ORIGINS, "origin", "DELETE FROM waf_origins WHERE id = ?" },
		[SITES_EXCEPTION] = { STORE_WAF_EXCEPTIONS, "exception",
		    "DELETE FROM waf_exceptions WHERE id = ?" },
		[SITES_RULE] = { STORE_WAF_RULES, "custom rule", "DELETE FROM waf_rules WHERE id = ?" },
	};
	json_t *row;

	if (!can_write(by, e) || (row = store_find(db, principal_scope(by), kinds[part].t, id,
	    kinds[part].what, e)) == NULL)
		return -1;
	*site_id = jint(row, "site_id");
	if (db_run(db, kinds[part].sql, "l", id) != 1 || touch(db, *site_id, e) < 0) {
		json_decref(row);
		return ys_fail(e, "internal", "cannot delete the %s", kinds[part].what);
	}
	*out = row;
	return 0;
}

/* ---- statistics and events ------------------------------------------ */

static json_t *
top(struct db *db, int64_t site_id, const char *kind, const char *label)
{
	struct db_stmt *st = db_q(db, "SELECT key, count FROM waf_stat_counts WHERE site_id = ?"
	    " AND kind = ? ORDER BY count DESC, key LIMIT 10", "ls", site_id, kind);
	json_t *out = json_array();

	while (st && db_step(st) == DB_ROW)
		json_array_append_new(out, json_pack("{s:s, s:I}", label, db_col_text(st, 0),
		    "count", (json_int_t)db_col_int(st, 1)));
	db_done(st);
	return out;
}

json_t *
sites_stats(struct db *db, const struct principal *p, int64_t site_id, struct ys_err *e)
{
	json_t *s = store_find(db, principal_scope(p), STORE_WAF_SITES, site_id, "site", e), *out;
	struct db_stmt *st;
	int64_t req = 0, blocked = 0, attacks = 0, now_ms = (int64_t)time(NULL) * 1000;

	if (s == NULL)
		return NULL;
	json_decref(s);
	st = db_q(db, "SELECT requests, blocked, attacks FROM waf_site_stats WHERE site_id = ?", "l",
	    site_id);
	if (st && db_step(st) == DB_ROW) {
		req = db_col_int(st, 0);
		blocked = db_col_int(st, 1);
		attacks = db_col_int(st, 2);
	}
	db_done(st);
	out = json_pack("{s:I, s:I, s:I, s:I, s:I, s:o, s:o}", "site_id", (json_int_t)site_id,
	    "requests", (json_int_t)req, "blocked", (json_int_t)blocked,
	    "attacks", (json_int_t)attacks,
	    "attacks_24h", (json_int_t)db_int(db, 0, "SELECT count(*) FROM waf_events"
	    " WHERE site_id = ? AND time_ms >= ?", "ll", site_id, now_ms - 86400000LL),
	    "top_categories", top(db, site_id, "category", "category"),
	    "top_sources", top(db, site_id, "source", "client_ip"));
	return out;
}

json_t *
sites_events_list(struct db *db, const struct principal *p, const json_t *filters,
    struct ys_err *e)
{
	struct store_filter f[4];
	size_t n = 0;
	int64_t since = 0;
	const char *cat = jstr(filters, "category");

	if (jint(filters, "site_id")) {
		json_t *s = store_find(db, principal_scope(p), STORE_WAF_SITES,
		    jint(filters, "site_id"), "site", e);

		if (s == NULL)
			return NULL;
		json_decref(s);
		f[n++] = (struct store_filter){ "site_id", "=", NULL, jint(filters, "site_id") };
	}
	if (cat) {
		if (!sitecfg_is_category(cat)) {
			ys_fail(e, "invalid_field", "category: unknown '%.32s'", cat);
			return NULL;
		}
		f[n++] = (struct store_filter){ "category", "=", cat, 0 };
	}
	if (jstr(filters, "since")) {
		if (db_time_parse(jstr(filters, "since"), &since) < 0) {
			ys_fail(e, "invalid_field", "since: a date (YYYY-MM-DD) or RFC 3339 time");
			return NULL;
		}
		f[n++] = (struct store_filter){ "time_ms", ">=", NULL, since * 1000 };
	}
	if (jint(filters, "after"))
		f[n++] = (struct store_filter){ "id", ">", NULL, jint(filters, "after") };
	return store_list(db, principal_scope(p), STORE_WAF_EVENTS, f, n,
	    jint(filters, "limit") ? jint(filters, "limit") : 500);
}

/* ---- what WAF nodes get --------------------------------------------- */

/* One part table for every served site in one query: sql selects site_id
 * first, then cols ("#name": an integer column); rows land in the array
 * member of the site object found in by_id ({"<id>": site}). */
static void
parts_for_bundle(struct db *db, json_t *by_id, const char *member, const char *sql,
    const char *const *cols)
{
	struct db_stmt *st = db_q(db, sql, "");

	while (st && db_step(st) == DB_ROW) {
		char key[24];
		json_t *site, *o = json_object();

		snprintf(key, sizeof(key), "%lld", (long long)db_col_int(st, 0));
		if ((site = json_object_get(by_id, key)) == NULL) {
			json_decref(o);
			continue;
		}
		for (int i = 0; cols[i]; i++) {
			if (db_col_is_null(st, i + 1))
				continue;
			if (cols[i][0] == '#')
				json_object_set_new(o, cols[i] + 1, json_integer(db_col_int(st, i + 1)));
			else
				json_object_set_new(o, cols[i], json_string(db_col_text(st, i + 1)));
		}
		json_array_append_new(json_object_get(site, member), o);
	}
	db_done(st);
}

static const char *const origin_cols[] = { "address", "#port", "scheme", "health_path",
	"#weight", NULL };
static const char *const exception_cols[] = { "rule_id", "category", "path_prefix", "field",
	NULL };
static const char *const rule_cols[] = { "#id", "name", "field", "operator", "value", "action",
	NULL };

/* The sites WAF nodes serve: active, of an active tenant with an active
 * waf subscription. */
#define SERVED_SITES "waf_sites s JOIN tenants t ON t.id = s.tenant_id WHERE"		\
	" s.status = 'active' AND t.status = 'active' AND EXISTS (SELECT 1 FROM"	\
	" subscriptions_v v WHERE v.tenant_id = s.tenant_id AND v.service = 'waf'"	\
	" AND v.status = 'active')"

int
sites_waf_content(struct db *db, const char *state_dir, json_t **out, struct ys_err *e)
{
	struct db_stmt *st = db_q(db, "SELECT s.id, s.tenant_id, s.domains, s.mode, s.cert_id,"
	    " s.cc_ip_rps, s.cc_ip_burst, s.cc_url_rps, s.cc_url_burst, s.cc_block_seconds,"
	    " s.allow_ips, s.deny_ips, s.updated_at FROM " SERVED_SITES " ORDER BY s.id", "");
	json_t *sites = json_array(), *certs = json_array(), *s, *by_id;
	size_t i;

	while (st && db_step(st) == DB_ROW) {
		json_t *d = json_loads(db_col_text(st, 2), 0, NULL);
		json_t *a = json_loads(db_col_text(st, 10), 0, NULL);
		json_t *n = json_loads(db_col_text(st, 11), 0, NULL);

		json_array_append_new(sites, json_pack("{s:I, s:I, s:o, s:s, s:o,"
		    " s:{s:I, s:I, s:I, s:I, s:I}, s:o, s:o}",
		    "id", (json_int_t)db_col_int(st, 0), "tenant_id", (json_int_t)db_col_int(st, 1),
		    "domains", d ? d : json_array(), "mode", db_col_text(st, 3),
		    "cert_id", db_col_is_null(st, 4) ? json_null() : json_integer(db_col_int(st, 4)),
		    "cc", "ip_rps", (json_int_t)db_col_int(st, 5), "ip_burst",
		    (json_int_t)db_col_int(st, 6), "url_rps", (json_int_t)db_col_int(st, 7),
		    "url_burst", (json_int_t)db_col_int(st, 8), "block_seconds",
		    (json_int_t)db_col_int(st, 9),
		    "allow_ips", a ? a : json_array(), "deny_ips", n ? n : json_array()));
	}
	db_done(st);
	by_id = json_object();
	json_array_foreach(sites, i, s) {
		char key[24];

		snprintf(key, sizeof(key), "%lld", (long long)jint(s, "id"));
		json_object_set_new(s, "origins", json_array());
		json_object_set_new(s, "exceptions", json_array());
		json_object_set_new(s, "custom_rules", json_array());
		json_object_set(by_id, key, s);
	}
	parts_for_bundle(db, by_id, "origins", "SELECT site_id, address, port, scheme, health_path,"
	    " weight FROM waf_origins ORDER BY site_id, id", origin_cols);
	parts_for_bundle(db, by_id, "exceptions", "SELECT site_id, rule_id, category, path_prefix,"
	    " field FROM waf_exceptions ORDER BY site_id, id", exception_cols);
	parts_for_bundle(db, by_id, "custom_rules", "SELECT site_id, id, name, field, operator,"
	    " value, action FROM waf_rules ORDER BY site_id, id", rule_cols);
	json_decref(by_id);
	st = db_q(db, "SELECT c.id, c.fingerprint, c.sans, c.not_after FROM waf_certs c WHERE c.id"
	    " IN (SELECT s.cert_id FROM " SERVED_SITES ") ORDER BY c.id", "");
	while (st && db_step(st) == DB_ROW) {
		int64_t cid = db_col_int(st, 0);
		json_t *sans = json_loads(db_col_text(st, 2), 0, NULL);
		char na[32];

		db_time_text(db_col_int(st, 3), na, sizeof(na));
		json_array_append_new(certs, json_pack("{s:I, s:s, s:o, s:s}", "id", (json_int_t)cid,
		    "fingerprint", db_col_text(st, 1), "domains", sans ? sans : json_array(),
		    "not_after", na));
	}
	db_done(st);
	if (state_dir && sitecert_secrets(db, state_dir, certs, e) < 0) {
		json_decref(sites);
		json_decref(certs);
		return -1;
	}
	*out = json_pack("{s:o, s:o}", "sites", sites, "certificates", certs);
	return *out ? 0 : ys_fail(e, "internal", "out of memory");
}

char *
sites_waf_state(struct db *db)
{
	/* Per tenant rather than per site: the same set as SERVED_SITES yields,
	 * at the cost of one probe per tenant. */
	struct db_stmt *st = db_q(db, "SELECT t.id FROM tenants t WHERE t.status = 'active' AND"
	    " EXISTS (SELECT 1 FROM subscriptions_v v WHERE v.tenant_id = t.id AND v.service = ?"
	    " AND v.status = 'active') AND EXISTS (SELECT 1 FROM waf_sites s"
	    " WHERE s.tenant_id = t.id AND s.status = 'active') ORDER BY t.id", "s", SITES_SERVICE);
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	int rc = DB_ERROR;

	if (f == NULL || st == NULL) {
		db_done(st);
		if (f)
			fclose(f);
		free(text);
		return NULL;
	}
	fprintf(f, "generation=%lld tenants=", (long long)db_int(db, -1,
	    "SELECT value FROM waf_generation WHERE id = 1", ""));
	while ((rc = db_step(st)) == DB_ROW)
		fprintf(f, "%lld,", (long long)db_col_int(st, 0));
	db_done(st);
	fclose(f);
	if (rc != DB_DONE) {
		free(text);
		return NULL;
	}
	return text;
}

int64_t
sites_waf_version(struct db *db, const char *sha256_hex)
{
	return store_content_version(db, STORE_VERSIONS_WAF, sha256_hex);
}

static int
count_up(struct db *db, int64_t site_id, const char *kind, const char *key)
{
	return db_run(db, "INSERT INTO waf_stat_counts (site_id, kind, key, count) VALUES (?, ?, ?, 1)"
	    " ON CONFLICT (site_id, kind, key) DO UPDATE SET count = count + 1", "lss", site_id,
	    kind, key) == 1 ? 0 : -1;
}

static int
stats_add(struct db *db, int64_t site_id, int64_t tenant, int64_t requests, int64_t blocked,
    int64_t attacks)
{
	return db_run(db, "INSERT INTO waf_site_stats (site_id, tenant_id, requests, blocked,"
	    " attacks, updated_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (site_id) DO UPDATE SET"
	    " requests = requests + excluded.requests, blocked = blocked + excluded.blocked,"
	    " attacks = attacks + excluded.attacks, updated_at = excluded.updated_at", "llllll",
	    site_id, tenant, requests, blocked, attacks, (int64_t)time(NULL)) == 1 ? 0 : -1;
}

/* One spelling per address, so that top sources count an IPv6 client once. */
static void
canonical_ip(const char *in, char *out, size_t outsz)
{
	unsigned char a[16];

	if (inet_pton(AF_INET, in, a) == 1)
		inet_ntop(AF_INET, a, out, (socklen_t)outsz);
	else if (inet_pton(AF_INET6, in, a) == 1)
		inet_ntop(AF_INET6, a, out, (socklen_t)outsz);
	else
		snprintf(out, outsz, "%s", in);
}

static int
attack(struct db *db, int64_t node_id, int64_t site_id, int64_t tenant, const json_t *ev)
{
	const json_t *p = json_object_get(ev, "payload");
	int64_t t = jint(ev, "time_ms"), seq = jint(ev, "seq"), recent;
	json_t *alert;
	char key[48], ip[INET6_ADDRSTRLEN];
	int rc;

	canonical_ip(jstr(p, "client_ip"), ip, sizeof(ip));

	if (db_run(db, "INSERT INTO waf_events (site_id, tenant_id, node_id, seq, time_ms, rule_id,"
	    " category, severity, action, client_ip, method, uri, excerpt, request_id, received_at)"
	    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (node_id, seq)"
	    " DO NOTHING", "lllllsssssssssl", site_id, tenant, node_id, seq, t, jstr(p, "rule_id"),
	    jstr(p, "category"), jstr(p, "severity"), jstr(p, "action"), ip,
	    jstr(p, "method"), jstr(p, "uri"), jstr(p, "excerpt"), jstr(p, "request_id"),
	    (int64_t)time(NULL)) != 1)
		return 0;	/* seen before */
	if (stats_add(db, site_id, tenant, 0, 0, 1) < 0 ||
	    count_up(db, site_id, "category", jstr(p, "category")) < 0 ||
	    count_up(db, site_id, "source", ip) < 0)
		return -1;
	/* Alerts belong to the site's tenant and group per site (node 0:
	 * every WAF node's reports of one site are one alert). */
	snprintf(key, sizeof(key), "site-%lld", (long long)site_id);
	alert = json_deep_copy(p);
	json_object_set_new(alert, "key", json_string(key));
	rc = alerts_observe(db, tenant, 0, "waf", "waf.attack", t, alert);
	/* Counted up to the threshold only, so a flood costs no more per event. */
	recent = db_int(db, 0, "SELECT count(*) FROM (SELECT 1 FROM waf_events WHERE site_id = ?"
	    " AND time_ms >= ? LIMIT ?)", "lli", site_id, t - SITES_BURST_SECONDS * 1000LL,
	    SITES_BURST_EVENTS);
	if (rc == 0 && recent >= SITES_BURST_EVENTS) {
		json_object_set_new(alert, "attacks_in_window_at_least", json_integer(recent));
		json_object_set_new(alert, "window_seconds", json_integer(SITES_BURST_SECONDS));
		json_object_del(alert, "severity");
		rc = alerts_observe(db, tenant, 0, "waf", "waf.attack_burst", t, alert);
	}
	json_decref(alert);
	return rc;
}

int
sites_waf_event(struct db *db, int64_t node_id, const json_t *ev, bool *attributed,
    struct ys_err *e)
{
	const json_t *p = json_object_get(ev, "payload");
	const char *type = jstr(ev, "type");
	int64_t site_id = jint(p, "site_id");
	int64_t tenant = db_int(db, 0, "SELECT tenant_id FROM waf_sites WHERE id = ?", "l", site_id);
	int rc;

	*attributed = tenant != 0;
	if (tenant == 0)
		return 0;
	if (strcmp(type, "waf.stats") == 0)
		rc = stats_add(db, site_id, tenant, jint(p, "requests"), jint(p, "blocked"), 0);
	else
		rc = attack(db, node_id, site_id, tenant, ev);
	return rc < 0 ? ys_fail(e, "internal", "cannot record a WAF event") : 0;
}
