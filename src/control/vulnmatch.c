/*
 * vulnmatch: matching rules. A tracker entry with fixed_version "0" never
 * matches; "fixed" matches while installed < fixed_version (dpkg order, so
 * a Debian backport newer than the tracker's fixed revision is not
 * reported); "open" and "undetermined" always match ("no fix yet"). An OSV
 * entry matches when the installed version falls in one of its ECOSYSTEM
 * ranges (introduced / fixed / last_affected / limit, evaluated in version
 * order as the OSV schema describes) or is listed in "versions".
 */
#include "vulnmatch.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "alerts.h"
#include "log.h"
#include "version.h"

/* How a distribution is matched, by its os-release ID. */
static const struct distro {
	const char *id;
	const char *ecosystem;		/* OSV ecosystem name */
	const char *prefix;		/* before the release in the ecosystem ("v3.19") */
	int release_parts;		/* dot components of VERSION_ID that name the release */
	enum version_format fmt;
	bool by_source;			/* advisories name source packages */
} distros[] = {
	{ "debian", "Debian", "", 1, VERSION_DPKG, true },
	{ "ubuntu", "Ubuntu", "", 2, VERSION_DPKG, true },
	{ "alpine", "Alpine", "v", 2, VERSION_APK, true },
	{ "rocky", "Rocky Linux", "", 1, VERSION_RPM, false },
	{ "almalinux", "AlmaLinux", "", 1, VERSION_RPM, false },
	{ "rhel", "Red Hat", "", 1, VERSION_RPM, false },
};

void
vulnmatch_grade(int cvss_x10, const char *urgency, const char **sev, const char **zh)
{
	static const char *const names[] = { "low", "medium", "high", "critical" };
	static const char *const zhs[] = { "低危", "中危", "高危", "超危" };
	int level;

	if (cvss_x10 >= 0)
		level = cvss_x10 >= 90 ? 3 : cvss_x10 >= 70 ? 2 : cvss_x10 >= 40 ? 1 : 0;
	else if (urgency && strcmp(urgency, "high") == 0)
		level = 2;
	else if (urgency && (strcmp(urgency, "low") == 0 || strcmp(urgency, "unimportant") == 0))
		level = 0;
	else
		level = 1;	/* medium, "not yet assigned", end-of-life, none */
	*sev = names[level];
	*zh = zhs[level];
}

/* ---- the inventory ---- */

static void
pkg_key(const json_t *p, char *key, size_t keylen)
{
	snprintf(key, keylen, "%s:%s", json_string_value(json_object_get(p, "name")) ?: "",
	    json_string_value(json_object_get(p, "arch")) ?: "");
}

static void
apply_changes(struct db *db, int64_t node_id, int64_t after, json_t *pkgs)
{
	struct db_stmt *st = db_q(db, "SELECT payload FROM node_events WHERE node_id = ? AND"
	    " type = 'inventory.changed' AND id > ? ORDER BY id LIMIT 10000", "ll", node_id, after);

	while (st && db_step(st) == DB_ROW) {
		json_t *c = json_loads(db_col_text(st, 0), 0, NULL);
		json_t *pk = json_object_get(c, "packages"), *p;
		char key[512];
		size_t i;

		json_array_foreach(json_object_get(pk, "added"), i, p) {
			pkg_key(p, key, sizeof(key));
			json_object_set(pkgs, key, p);
		}
		json_array_foreach(json_object_get(pk, "removed"), i, p) {
			pkg_key(p, key, sizeof(key));
			json_object_del(pkgs, key);
		}
		json_array_foreach(json_object_get(pk, "upgraded"), i, p) {
			pkg_key(p, key, sizeof(key));
			json_object_set_new(pkgs, key, json_pack("{s:O?, s:O?, s:O?, s:O?, s:O?}",
			    "name", json_object_get(p, "name"), "arch", json_object_get(p, "arch"),
			    "version", json_object_get(p, "new_version"),
			    "source", json_object_get(p, "new_source"),
			    "source_version", json_object_get(p, "new_source_version")));
		}
		json_decref(c);
	}
	db_done(st);
}

json_t *
vulnmatch_inventory(struct db *db, int64_t node_id)
{
	struct db_stmt *st;
	json_t *snaps = json_object(), *done = NULL, *pkgs, *p, *out;
	int64_t last_id = 0;
	const char *sid;
	size_t i;

	/* Newest first; the first snapshot whose parts are all present wins. */
	st = db_q(db, "SELECT id, payload FROM node_events WHERE node_id = ? AND"
	    " type = 'inventory.snapshot' ORDER BY id DESC LIMIT 10000", "l", node_id);
	while (st && db_step(st) == DB_ROW && done == NULL) {
		json_t *part = json_loads(db_col_text(st, 1), 0, NULL), *s;
		const char *id = json_string_value(json_object_get(part, "snapshot_id"));
		int64_t parts = json_integer_value(json_object_get(part, "parts"));

		if (id == NULL || parts < 1) {
			json_decref(part);
			continue;
		}
		if ((s = json_object_get(snaps, id)) == NULL) {
			s = json_pack("{s:I, s:I, s:[], s:n}", "parts", (json_int_t)parts,
			    "last_id", (json_int_t)db_col_int(st, 0), "packages", "os");
			json_object_set_new(snaps, id, s);
		}
		json_array_extend(json_object_get(s, "packages"), json_object_get(part, "packages"));
		if (json_integer_value(json_object_get(part, "part")) == 1)
			json_object_set(s, "os", json_object_get(part, "os"));
		json_object_set_new(s, "have", json_integer(
		    json_integer_value(json_object_get(s, "have")) + 1));
		if (json_integer_value(json_object_get(s, "have")) == parts)
			done = s;
		json_decref(part);
	}
	db_done(st);
	if (done == NULL) {
		json_decref(snaps);
		return NULL;
	}
	last_id = json_integer_value(json_object_get(done, "last_id"));
	pkgs = json_object();
	json_array_foreach(json_object_get(done, "packages"), i, p) {
		char key[512];

		pkg_key(p, key, sizeof(key));
		json_object_set(pkgs, key, p);
	}
	apply_changes(db, node_id, last_id, pkgs);
	out = json_pack("{s:O, s:[]}", "os", json_object_get(done, "os"), "packages");
	json_object_foreach(pkgs, sid, p)
		json_array_append(json_object_get(out, "packages"), p);
	json_decref(pkgs);
	json_decref(snaps);
	return out;
}

/* ---- matching ---- */

struct target {
	const struct distro *d;
	char codename[64];	/* tracker release */
	char eco[96];		/* OSV ecosystem, e.g. "Debian:12" */
	char eco_lts[104];	/* Ubuntu's "Ubuntu:22.04:LTS" */
};

static int
target_of(const json_t *os, struct target *t)
{
	const char *id = json_string_value(json_object_get(os, "id"));
	const char *vid = json_string_value(json_object_get(os, "version_id")) ?: "";
	const char *code = json_string_value(json_object_get(os, "version_codename")) ?: "";
	char rel[32];
	size_t n = 0;
	int dots = 0;

	t->d = NULL;
	for (size_t i = 0; id && i < sizeof(distros) / sizeof(distros[0]); i++)
		if (strcmp(distros[i].id, id) == 0)
			t->d = &distros[i];
	if (t->d == NULL)
		return -1;
	while (vid[n] && n < sizeof(rel) - 1) {
		if (vid[n] == '.' && ++dots >= t->d->release_parts)
			break;
		rel[n] = vid[n];
		n++;
	}
	rel[n] = '\0';
	snprintf(t->codename, sizeof(t->codename), "%s", strcmp(id, "debian") == 0 ? code : "");
	snprintf(t->eco, sizeof(t->eco), "%s:%s%s", t->d->ecosystem, t->d->prefix, rel);
	snprintf(t->eco_lts, sizeof(t->eco_lts), "%s:LTS", t->eco);
	return 0;
}

static int
cmp(const struct target *t, const char *a, const char *b, int *res)
{
	char err[128];

	return version_compare(t->d->fmt, a, b, res, err, sizeof(err));
}

/* The version of an OSV event {"introduced": "1.2"}. */
static const char *
event_version(const json_t *ev)
{
	const char *k;
	json_t *v;

	json_object_foreach((json_t *)ev, k, v)
		return json_string_value(v);
	return NULL;
}

/* OSV ranges: events sorted by version, then walked; the installed version
 * is affected after an introduced <= it, until a fixed/limit <= it or a
 * last_affected < it. *fixed: the first fixed event above the version. */
static bool
osv_affected(const struct target *t, const char *ver, const json_t *spec, char *fixed,
    size_t fixedlen)
{
	json_t *ranges = json_object_get(spec, "ranges"), *evs, *v;
	size_t i, j;

	fixed[0] = '\0';
	json_array_foreach(json_object_get(spec, "versions"), i, v)
		if (json_is_string(v) && strcmp(json_string_value(v), ver) == 0)
			return true;
	json_array_foreach(ranges, i, evs) {
		size_t n = json_array_size(evs);
		const json_t **ev = calloc(n ? n : 1, sizeof(*ev));
		bool affected = false, bad = false;

		if (ev == NULL)
			return false;
		for (j = 0; j < n; j++)
			ev[j] = json_array_get(evs, j);
		/* insertion sort by the event's version; "0" sorts first */
		for (j = 1; j < n && !bad; j++) {
			for (size_t k = j; k > 0; k--) {
				const char *va = event_version(ev[k - 1]), *vb = event_version(ev[k]);
				int r = 0;

				if (va == NULL || vb == NULL || strcmp(va, "0") == 0)
					break;
				if (strcmp(vb, "0") == 0)
					r = 1;
				else if (cmp(t, va, vb, &r) < 0)
					bad = true;
				if (r <= 0)
					break;
				const json_t *tmp = ev[k - 1];

				ev[k - 1] = ev[k];
				ev[k] = tmp;
			}
		}
		for (j = 0; j < n && !bad; j++) {
			const char *k;
			int r = 0;

			json_object_foreach((json_t *)ev[j], k, v) {
				const char *ev_ver = json_string_value(v);

				if (ev_ver == NULL)
					continue;
				if (strcmp(k, "introduced") == 0) {
					if (strcmp(ev_ver, "0") == 0 || (cmp(t, ver, ev_ver, &r) == 0 && r >= 0))
						affected = true;
				} else if (strcmp(k, "fixed") == 0 || strcmp(k, "limit") == 0) {
					if (cmp(t, ver, ev_ver, &r) < 0)
						bad = true;
					else if (r >= 0)
						affected = false;
					else if (strcmp(k, "fixed") == 0 && fixed[0] == '\0' && affected)
						snprintf(fixed, fixedlen, "%s", ev_ver);
				} else if (strcmp(k, "last_affected") == 0) {
					if (cmp(t, ver, ev_ver, &r) < 0)
						bad = true;
					else if (r > 0)
						affected = false;
				}
			}
			if (affected && fixed[0])
				break;
		}
		free(ev);
		if (affected && !bad)
			return true;
		fixed[0] = '\0';
	}
	return false;
}

/* One finding into found, keyed "cve\tpackage"; a second source for the
 * same pair adds what the first lacked (OSV's CVSS to a tracker entry). */
static void
found_add(json_t *found, const char *cve, const char *pkg, const char *ver, const char *fixed,
    const char *feed, const char *advisory, const char *urgency, int cvss)
{
	char key[384];
	json_t *f;

	snprintf(key, sizeof(key), "%s\t%s", cve, pkg);
	if ((f = json_object_get(found, key)) != NULL) {
		if (cvss >= 0 && json_integer_value(json_object_get(f, "cvss_x10")) < 0)
			json_object_set_new(f, "cvss_x10", json_integer(cvss));
		return;
	}
	json_object_set_new(found, key, json_pack("{s:s, s:s, s:s, s:s?, s:s, s:s, s:s?, s:i}",
	    "cve", cve, "package", pkg, "installed", ver, "fixed", fixed, "feed", feed,
	    "advisory", advisory, "urgency", urgency, "cvss_x10", cvss));
}

static int
match_package(struct db *db, const struct target *t, const char *pkg, const char *ver,
    json_t *found)
{
	struct db_stmt *st = db_q(db, "SELECT f.kind, e.cve, e.advisory, e.status, e.fixed_version,"
	    " e.ranges, e.urgency, coalesce(e.cvss_x10, -1) FROM vuln_entries e"
	    " JOIN vuln_feeds f ON f.id = e.feed_id WHERE f.active = 1 AND e.package = ?"
	    " AND ((f.kind = 'debian-tracker' AND e.release = ?) OR"
	    " (f.kind = 'osv' AND e.release IN (?, ?))) ORDER BY f.kind, e.id", "ssss", pkg,
	    t->codename, t->eco, t->eco_lts);
	int rc;

	if (st == NULL)
		return -1;
	while ((rc = db_step(st)) == DB_ROW) {
		const char *kind = db_col_text(st, 0), *status = db_col_text(st, 3);
		const char *fixed = db_col_text(st, 4);
		int cvss = (int)db_col_int(st, 7), r;
		char osv_fixed[128];

		if (strcmp(kind, "osv") == 0) {
			json_t *spec = json_loads(db_col_text(st, 5) ?: "{}", 0, NULL);
			bool hit = osv_affected(t, ver, spec, osv_fixed, sizeof(osv_fixed));

			json_decref(spec);
			if (hit)
				found_add(found, db_col_text(st, 1), pkg, ver,
				    osv_fixed[0] ? osv_fixed : NULL, kind, db_col_text(st, 2),
				    db_col_text(st, 6), cvss);
			continue;
		}
		if (strcmp(status, "not_affected") == 0)
			continue;
		if (strcmp(status, "fixed") == 0) {
			if (fixed == NULL || cmp(t, ver, fixed, &r) < 0 || r >= 0)
				continue;
		} else {
			fixed = NULL;	/* open, undetermined: no fix yet */
		}
		found_add(found, db_col_text(st, 1), pkg, ver, fixed, kind, db_col_text(st, 2),
		    db_col_text(st, 6), cvss);
	}
	db_done(st);
	return rc == DB_DONE ? 0 : -1;
}

static int
record(struct db *db, int64_t tenant, int64_t node_id, int64_t gen, const json_t *f,
    const char *today)
{
	const char *cve = json_string_value(json_object_get(f, "cve"));
	const char *pkg = json_string_value(json_object_get(f, "package"));
	const char *urg = json_string_value(json_object_get(f, "urgency"));
	int cvss = (int)json_integer_value(json_object_get(f, "cvss_x10"));
	const char *sev, *zh;
	int64_t now = time(NULL), live;

	vulnmatch_grade(cvss, urg, &sev, &zh);
	live = db_int(db, 0, "SELECT count(*) FROM vuln_findings WHERE node_id = ? AND cve = ? AND"
	    " package = ? AND status != 'fixed'", "lss", node_id, cve, pkg);
	if (db_run(db, "INSERT INTO vuln_findings (tenant_id, node_id, cve, package,"
	    " installed_version, fixed_version, feed, advisory, urgency, cvss_x10, severity,"
	    " severity_zh, status, generation, first_seen_at, last_seen_at)"
	    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, nullif(?, -1), ?, ?, 'open', ?, ?, ?)"
	    " ON CONFLICT (node_id, cve, package) DO UPDATE SET"
	    " installed_version = excluded.installed_version, fixed_version = excluded.fixed_version,"
	    " feed = excluded.feed, advisory = excluded.advisory, urgency = excluded.urgency,"
	    " cvss_x10 = excluded.cvss_x10, severity = excluded.severity,"
	    " severity_zh = excluded.severity_zh, generation = excluded.generation,"
	    " last_seen_at = excluded.last_seen_at,"
	    " status = CASE WHEN vuln_findings.status = 'fixed' THEN 'open'"
	    "  WHEN vuln_findings.status = 'accepted_risk' AND vuln_findings.expires_on < ?"
	    "  THEN 'open' ELSE vuln_findings.status END,"
	    " fixed_at = CASE WHEN vuln_findings.status = 'fixed' THEN NULL"
	    "  ELSE vuln_findings.fixed_at END",
	    "Llssssssslsslll" "s", tenant, node_id, cve, pkg,
	    json_string_value(json_object_get(f, "installed")),
	    json_string_value(json_object_get(f, "fixed")),
	    json_string_value(json_object_get(f, "feed")),
	    json_string_value(json_object_get(f, "advisory")), urg, (int64_t)cvss, sev, zh, gen,
	    now, now, today) != 1)
		return -1;
	if (live == 0 && (strcmp(sev, "critical") == 0 || strcmp(sev, "high") == 0)) {
		json_t *ev = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s?}", "severity", sev,
		    "key", cve, "cve", cve, "package", pkg, "severity_zh", zh,
		    "installed_version", json_string_value(json_object_get(f, "installed")));
		int rc = alerts_observe(db, tenant, node_id, "vuln", "vuln.finding", now * 1000, ev);

		json_decref(ev);
		return rc;
	}
	return 0;
}

int64_t
vulnmatch_node(struct db *db, int64_t node_id)
{
	struct target t;
	json_t *inv, *found, *p, *seen, *f;
	int64_t tenant, gen, n = 0;
	const char *key;
	char today[16];
	time_t now = time(NULL);
	struct tm tm;
	size_t i;

	if (db_int(db, 0, "SELECT count(*) FROM vuln_feeds WHERE active = 1", "") == 0)
		return 0;
	tenant = db_int(db, 0, "SELECT coalesce(tenant_id, 0) FROM nodes WHERE id = ?", "l", node_id);
	if ((inv = vulnmatch_inventory(db, node_id)) == NULL)
		return 0;
	if (target_of(json_object_get(inv, "os"), &t) < 0) {
		log_debug("vulnmatch: node %lld: unsupported OS", (long long)node_id);
		json_decref(inv);
		return 0;
	}
	found = json_object();
	seen = json_object();
	json_array_foreach(json_object_get(inv, "packages"), i, p) {
		const char *src = json_string_value(json_object_get(p, "source"));
		const char *srcver = json_string_value(json_object_get(p, "source_version"));
		const char *name = t.d->by_source && src && *src ? src :
		    json_string_value(json_object_get(p, "name"));
		const char *ver = t.d->by_source && src && *src && srcver && *srcver ? srcver :
		    json_string_value(json_object_get(p, "version"));
		char k[512];

		if (name == NULL || ver == NULL)
			continue;
		snprintf(k, sizeof(k), "%s\t%s", name, ver);
		if (json_object_get(seen, k))
			continue;
		json_object_set_new(seen, k, json_true());
		if (match_package(db, &t, name, ver, found) < 0)
			goto fail;
	}
	gmtime_r(&now, &tm);
	strftime(today, sizeof(today), "%Y-%m-%d", &tm);
	if (db_begin(db) < 0)
		goto fail;
	gen = db_int(db, 0, "SELECT coalesce(max(generation), 0) + 1 FROM vuln_findings"
	    " WHERE node_id = ?", "l", node_id);
	json_object_foreach(found, key, f) {
		if (record(db, tenant, node_id, gen, f, today) < 0) {
			db_rollback(db);
			goto fail;
		}
		n++;
	}
	if (db_run(db, "UPDATE vuln_findings SET status = 'fixed', fixed_at = ? WHERE node_id = ?"
	    " AND generation < ? AND status IN ('open', 'accepted_risk')", "lll", (int64_t)now,
	    node_id, gen) < 0 || db_commit(db) < 0) {
		db_rollback(db);
		goto fail;
	}
	json_decref(found);
	json_decref(seen);
	json_decref(inv);
	return n;
fail:
	log_err("vulnmatch: node %lld: %s", (long long)node_id, db_errmsg(db));
	json_decref(found);
	json_decref(seen);
	json_decref(inv);
	return -1;
}

int64_t
vulnmatch_all(struct db *db)
{
	struct db_stmt *st = db_q(db, "SELECT id FROM nodes WHERE revoked_at IS NULL ORDER BY id", "");
	int64_t ids_n = 0, cap = 0, *ids = NULL, n = 0;

	/* Collect first: matching runs statements of its own. */
	while (st && db_step(st) == DB_ROW) {
		if (ids_n == cap) {
			int64_t *m = realloc(ids, (size_t)(cap = cap ? cap * 2 : 64) * sizeof(*ids));

			if (m == NULL) {
				free(ids);
				db_done(st);
				return -1;
			}
			ids = m;
		}
		ids[ids_n++] = db_col_int(st, 0);
	}
	db_done(st);
	for (int64_t i = 0; i < ids_n; i++) {
		if (vulnmatch_node(db, ids[i]) < 0) {
			free(ids);
			return -1;
		}
		n++;
	}
	free(ids);
	return n;
}
