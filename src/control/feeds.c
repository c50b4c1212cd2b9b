/*
 * feeds: the two feed loaders and the atomic swap of a kind's entries.
 * The whole file is read (bounded by FEEDS_MAX_BYTES), hashed, parsed by
 * jansson, turned into entry rows and only then written: a malformed feed
 * never reaches the store. The file buffer is freed before the rows are
 * built, so the peak is the JSON tree plus the rows, not four copies.
 */
#include "feeds.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "crypto.h"
#include "httpc.h"
#include "store.h"
#include "vulnmatch.h"

/* ---- CVSS v3.x base score (FIRST specification, section 7) ---- */

static int
roundup1(double x)
{
	int64_t i = (int64_t)(x * 100000.0 + 0.5);

	return i % 10000 == 0 ? (int)(i / 10000) : (int)(i / 10000) + 1;
}

static double
metric(const char *vec, const char *name, const char *letters, const double *values)
{
	char key[8];
	const char *p;

	snprintf(key, sizeof(key), "/%s:", name);
	if ((p = strstr(vec, key)) == NULL)
		return -1;
	p += strlen(key);
	for (size_t i = 0; letters[i]; i++)
		if (*p == letters[i] && (p[1] == '/' || p[1] == '\0'))
			return values[i];
	return -1;
}

int
feeds_cvss_x10(const char *s)
{
	static const double av[] = { 0.85, 0.62, 0.55, 0.2 }, ac[] = { 0.77, 0.44 };
	static const double ui[] = { 0.85, 0.62 }, cia[] = { 0.56, 0.22, 0 };
	double a, c, pr, u, ci, ii, ai, iss, impact, expl, pw = 1;
	bool changed;
	char *end;

	if (s == NULL)
		return -1;
	if (strncmp(s, "CVSS:3.", 7) != 0) {
		double v = strtod(s, &end);

		if (end == s || *end != '\0' || v < 0 || v > 10)
			return -1;
		return (int)(v * 10 + 0.5);
	}
	changed = strstr(s, "/S:C") != NULL;
	if (!changed && strstr(s, "/S:U") == NULL)
		return -1;
	a = metric(s, "AV", "NALP", av);
	c = metric(s, "AC", "LH", ac);
	pr = metric(s, "PR", "NLH", changed ? (const double[]){ 0.85, 0.68, 0.5 } :
	    (const double[]){ 0.85, 0.62, 0.27 });
	u = metric(s, "UI", "NR", ui);
	ci = metric(s, "C", "HLN", cia);
	ii = metric(s, "I", "HLN", cia);
	ai = metric(s, "A", "HLN", cia);
	if (a < 0 || c < 0 || pr < 0 || u < 0 || ci < 0 || ii < 0 || ai < 0)
		return -1;
	iss = 1 - (1 - ci) * (1 - ii) * (1 - ai);
	for (int i = 0; i < 15; i++)
		pw *= iss - 0.02;
	impact = changed ? 7.52 * (iss - 0.029) - 3.25 * pw : 6.42 * iss;
	expl = 8.22 * a * c * pr * u;
	if (impact <= 0)
		return 0;
	impact = changed ? 1.08 * (impact + expl) : impact + expl;
	return roundup1(impact < 10 ? impact : 10);
}

/* ---- Debian Security Tracker ---- */

/* Where parsed entries go: a JSON array (feeds_parse) or straight into the
 * store (feeds_import), so that a large feed is not held twice. */
struct sink {
	json_t *rows;		/* JSON mode */
	struct db *db;		/* store mode */
	int64_t feed_id;
	int64_t entries;
};

/* One entry; ranges (may be NULL) is taken over. */
static int
add_row(struct sink *k, const char *release, const char *package, const char *cve,
    const char *advisory, const char *status, const char *fixed, json_t *ranges,
    const char *urgency, int cvss, const char *summary)
{
	k->entries++;
	if (k->rows) {
		json_t *row = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s?, s:o?, s:s?, s:i, s:s?}",
		    "release", release, "package", package, "cve", cve, "advisory", advisory,
		    "status", status, "fixed_version", fixed, "ranges", ranges, "urgency", urgency,
		    "cvss_x10", cvss, "summary", summary);

		return row ? json_array_append_new(k->rows, row) : -1;
	} else {
		char *rtext = ranges ? json_dumps(ranges, JSON_COMPACT) : NULL;
		int64_t rc;

		json_decref(ranges);
		rc = db_run(k->db, "INSERT INTO vuln_entries (feed_id, release, package, cve, advisory,"
		    " status, fixed_version, ranges, urgency, cvss_x10, summary)"
		    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, nullif(?, -1), ?)", "lssssssssls", k->feed_id,
		    release, package, cve, advisory, status, fixed, rtext, urgency, (int64_t)cvss,
		    summary);
		free(rtext);
		return rc == 1 ? 0 : -1;
	}
}

/* Urgency as the tracker writes it, without the "**" marks of unchecked
 * values; NULL stays NULL. */
static void
clean_urgency(const char *in, char *out, size_t outlen)
{
	size_t n;

	snprintf(out, outlen, "%s", in ? in : "");
	n = strlen(out);
	while (n > 0 && (out[n - 1] == '*' || out[n - 1] == ' '))
		out[--n] = '\0';
}

/* One package of the tracker: {CVE: {"description", "releases": {...}}}. */
static int
tracker_package(const char *pkg, const json_t *cves, struct sink *rows, int64_t *advisories,
    struct ys_err *e)
{
	const char *cve, *rel;
	json_t *adv, *r;

	if (!json_is_object(cves))
		return ys_fail(e, "invalid_feed", "debian-tracker: package '%.64s' is not an "
		    "object", pkg);
	json_object_foreach((json_t *)cves, cve, adv) {
		json_t *rels = json_object_get(adv, "releases");
		const char *desc = json_string_value(json_object_get(adv, "description"));

		if (!json_is_object(adv) || (rels && !json_is_object(rels)))
			return ys_fail(e, "invalid_feed", "debian-tracker: %.64s/%.32s: expected an "
			    "object with \"releases\"", pkg, cve);
		(*advisories)++;
		json_object_foreach(rels, rel, r) {
			json_t *st = json_object_get(r, "status");
			json_t *fv = json_object_get(r, "fixed_version");
			const char *status, *fixed = json_string_value(fv);
			char urg[64];

			if (!json_is_object(r) || !json_is_string(st) || (fv && !json_is_string(fv)))
				return ys_fail(e, "invalid_feed", "debian-tracker: %.64s/%.32s/%.32s: "
				    "needs a string \"status\" (and \"fixed_version\" if present)", pkg,
				    cve, rel);
			clean_urgency(json_string_value(json_object_get(r, "urgency")), urg, sizeof(urg));
			if (fixed && strcmp(fixed, "0") == 0)
				status = "not_affected";
			else if (fixed)
				status = "fixed";
			else if (strcmp(json_string_value(st), "undetermined") == 0)
				status = "undetermined";
			else
				status = "open";
			if (add_row(rows, rel, pkg, cve, cve, status, fixed, NULL, urg[0] ? urg : NULL,
			    -1, desc) < 0)
				return ys_fail(e, "internal", "cannot keep the entry %.32s/%.64s", cve, pkg);
		}
	}
	return 0;
}

/* Past a JSON string starting at p (at its opening quote); NULL if it does
 * not end before end. */
static const char *
skip_string(const char *p, const char *end)
{
	for (p++; p < end; p++) {
		if (*p == '\\')
			p++;
		else if (*p == '"')
			return p + 1;
	}
	return NULL;
}

static const char *
skip_ws(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
	return p;
}

/* Past one JSON value (object, array, string or scalar) starting at p; the
 * value is checked later by jansson, this only finds where it ends. */
static const char *
skip_value(const char *p, const char *end)
{
	int depth = 0;

	if (p < end && *p == '"')
		return skip_string(p, end);
	if (p < end && *p != '{' && *p != '[') {
		while (p < end && *p != ',' && *p != '}' && *p != ']' && *p != ' ' &&
		    *p != '\n' && *p != '\r' && *p != '\t')
			p++;
		return p;
	}
	while (p < end) {
		if (*p == '"') {
			if ((p = skip_string(p, end)) == NULL)
				return NULL;
			continue;
		}
		if (*p == '{' || *p == '[')
			depth++;
		else if ((*p == '}' || *p == ']') && --depth == 0)
			return p + 1;
		p++;
	}
	return NULL;
}

/* The tracker's top level, {package: {...}, ...}, one package at a time:
 * each member is parsed and released on its own, so a feed of tens of MB
 * never becomes one tree of millions of small objects (which cost more to
 * build and free than the parse itself). */
static int
parse_tracker(const char *text, size_t len, struct sink *rows, int64_t *packages,
    int64_t *advisories, struct ys_err *e)
{
	const char *p = skip_ws(text, text + len), *end = text + len;
	json_t *seen = json_object();
	int rc = -1;

	if (seen == NULL)
		return ys_fail(e, "internal", "out of memory");
	if (p == end || *p != '{') {
		ys_fail(e, "invalid_feed", "debian-tracker: the top level must be an object "
		    "{package: {CVE: ...}}");
		goto out;
	}
	p = skip_ws(p + 1, end);
	if (p < end && *p == '}') {
		rc = skip_ws(p + 1, end) == end ? 0 : ys_fail(e, "invalid_feed",
		    "debian-tracker: text after the top-level object");
		goto out;
	}
	for (;;) {
		const char *ks = p, *ke, *vs, *ve;
		json_t *key, *val;
		json_error_t je;
		int prc;

		if (p >= end || *p != '"' || (ke = skip_string(p, end)) == NULL) {
			ys_fail(e, "invalid_feed", "debian-tracker: expected a package name at byte %zu",
			    (size_t)(p - text));
			goto out;
		}
		p = skip_ws(ke, end);
		if (p >= end || *p != ':') {
			ys_fail(e, "invalid_feed", "debian-tracker: expected ':' at byte %zu",
			    (size_t)(p - text));
			goto out;
		}
		vs = skip_ws(p + 1, end);
		if ((ve = skip_value(vs, end)) == NULL) {
			ys_fail(e, "invalid_feed", "debian-tracker: a value is cut short at byte %zu",
			    (size_t)(vs - text));
			goto out;
		}
		key = json_loadb(ks, (size_t)(ke - ks), JSON_DECODE_ANY, &je);
		val = json_loadb(vs, (size_t)(ve - vs), JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &je);
		if (!json_is_string(key) || val == NULL ||
		    json_object_get(seen, json_string_value(key))) {
			ys_fail(e, "invalid_feed", "debian-tracker: %s at byte %zu: %.120s",
			    val == NULL ? "not JSON" : "bad or repeated package name",
			    (size_t)(ks - text), val == NULL ? je.text : "");
			json_decref(key);
			json_decref(val);
			goto out;
		}
		json_object_set_new(seen, json_string_value(key), json_true());
		(*packages)++;
		prc = tracker_package(json_string_value(key), val, rows, advisories, e);
		json_decref(key);
		json_decref(val);
		if (prc < 0)
			goto out;
		p = skip_ws(ve, end);
		if (p < end && *p == ',') {
			p = skip_ws(p + 1, end);
			continue;
		}
		if (p < end && *p == '}' && skip_ws(p + 1, end) == end)
			break;
		ys_fail(e, "invalid_feed", "debian-tracker: expected ',' or '}' at byte %zu; nothing "
		    "imported, the previous feed stays in force", (size_t)(p - text));
		goto out;
	}
	rc = 0;
out:
	json_decref(seen);
	return rc;
}

/* ---- OSV ---- */

static int
osv_one(const json_t *a, struct sink *rows, int64_t *packages, struct ys_err *e)
{
	const char *id = json_string_value(json_object_get(a, "id")), *cve = NULL;
	json_t *aff = json_object_get(a, "affected"), *v, *sev = json_object_get(a, "severity");
	int cvss = -1;
	size_t i;

	if (!json_is_object(a) || id == NULL || (aff && !json_is_array(aff)))
		return ys_fail(e, "invalid_feed", "osv: every advisory needs a string \"id\" and an "
		    "\"affected\" array");
	if (strncmp(id, "CVE-", 4) == 0)
		cve = id;
	json_array_foreach(json_object_get(a, "aliases"), i, v)
		if (cve == NULL && json_is_string(v) && strncmp(json_string_value(v), "CVE-", 4) == 0)
			cve = json_string_value(v);
	json_array_foreach(sev, i, v) {
		int s = feeds_cvss_x10(json_string_value(json_object_get(v, "score")));

		if (s > cvss)
			cvss = s;
	}
	json_array_foreach(aff, i, v) {
		json_t *p = json_object_get(v, "package"), *rgs = json_object_get(v, "ranges");
		json_t *vers = json_object_get(v, "versions"), *keep, *rg;
		const char *eco = json_string_value(json_object_get(p, "ecosystem"));
		const char *name = json_string_value(json_object_get(p, "name"));
		size_t j;

		if (eco == NULL || name == NULL || (rgs && !json_is_array(rgs)) ||
		    (vers && !json_is_array(vers)))
			return ys_fail(e, "invalid_feed", "osv: %.64s: affected[%zu] needs "
			    "package.ecosystem, package.name and array ranges/versions", id, i);
		(*packages)++;
		keep = json_array();
		json_array_foreach(rgs, j, rg) {
			const char *type = json_string_value(json_object_get(rg, "type"));
			json_t *evs = json_object_get(rg, "events");

			if (type == NULL || !json_is_array(evs)) {
				json_decref(keep);
				return ys_fail(e, "invalid_feed", "osv: %.64s: a range needs \"type\" and "
				    "\"events\"", id);
			}
			/* SEMVER and GIT ranges do not describe distribution packages. */
			if (strcmp(type, "ECOSYSTEM") == 0)
				json_array_append(keep, evs);
		}
		if (json_array_size(keep) == 0 && json_array_size(vers) == 0) {
			json_decref(keep);
			continue;
		}
		if (add_row(rows, eco, name, cve ? cve : id, id, "osv", NULL,
		    json_pack("{s:o, s:O*}", "ranges", keep, "versions", vers),
		    NULL, cvss, json_string_value(json_object_get(a, "summary"))) < 0)
			return ys_fail(e, "internal", "out of memory");
	}
	return 0;
}

static int
parse_osv(const json_t *root, struct sink *rows, int64_t *packages, int64_t *advisories,
    struct ys_err *e)
{
	json_t *a;
	size_t i;

	if (json_is_object(root)) {
		*advisories = 1;
		return osv_one(root, rows, packages, e);
	}
	if (!json_is_array(root))
		return ys_fail(e, "invalid_feed", "osv: expected an advisory object or an array of "
		    "them");
	json_array_foreach(root, i, a) {
		if (osv_one(a, rows, packages, e) < 0)
			return -1;
		(*advisories)++;
	}
	return 0;
}

static int
parse_into(const char *kind, const char *text, size_t len, struct sink *k, int64_t *packages,
    int64_t *advisories, struct ys_err *e)
{
	json_error_t je;
	json_t *root;
	int rc;

	*packages = *advisories = 0;
	if (strcmp(kind, "debian-tracker") != 0 && strcmp(kind, "osv") != 0)
		return ys_fail(e, "invalid_field", "kind: expected debian-tracker or osv");
	if (strcmp(kind, "debian-tracker") == 0)
		return parse_tracker(text, len, k, packages, advisories, e);
	root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
	if (root == NULL)
		return ys_fail(e, "invalid_feed", "%s: not JSON (line %d: %.120s); nothing imported, "
		    "the previous feed stays in force", kind, je.line, je.text);
	rc = parse_osv(root, k, packages, advisories, e);
	json_decref(root);
	return rc;
}

int
feeds_parse(const char *kind, const char *text, size_t len, json_t **rows, int64_t *packages,
    int64_t *advisories, struct ys_err *e)
{
	struct sink k = { .rows = json_array() };

	*rows = NULL;
	if (k.rows == NULL)
		return ys_fail(e, "internal", "out of memory");
	if (parse_into(kind, text, len, &k, packages, advisories, e) < 0) {
		json_decref(k.rows);
		return -1;
	}
	*rows = k.rows;
	return 0;
}

/* The whole file, at most FEEDS_MAX_BYTES. */
static char *
read_bounded(const char *path, size_t *len, struct ys_err *e)
{
	struct stat sb;
	char *buf = NULL;
	size_t have = 0;
	int fd;

	if (path[0] != '/') {
		ys_fail(e, "invalid_field", "path: must be an absolute path on the control plane host");
		return NULL;
	}
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		ys_fail(e, "invalid_field", "path: cannot open %.128s: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode) || (size_t)sb.st_size > FEEDS_MAX_BYTES) {
		ys_fail(e, "invalid_field", "path: %.128s is not a regular file of at most %zu MiB",
		    path, FEEDS_MAX_BYTES >> 20);
		goto fail;
	}
	if ((buf = malloc((size_t)sb.st_size + 1)) == NULL) {
		ys_fail(e, "internal", "out of memory");
		goto fail;
	}
	while (have < (size_t)sb.st_size) {
		ssize_t n = read(fd, buf + have, (size_t)sb.st_size - have);

		if (n <= 0) {
			ys_fail(e, "invalid_field", "path: cannot read %.128s", path);
			goto fail;
		}
		have += (size_t)n;
	}
	close(fd);
	buf[have] = '\0';
	*len = have;
	return buf;
fail:
	free(buf);
	close(fd);
	return NULL;
}

/* The file is parsed straight into the store inside one transaction: a
 * feed that fails anywhere is rolled back whole and the previous one stays
 * in force. */
static int
import_file(struct db *db, const char *kind, const char *path, const char *source,
    const char *by, json_t **out, struct ys_err *e)
{
	uint8_t sum[CRYPTO_SHA256_LEN];
	char hex[2 * CRYPTO_SHA256_LEN + 1];
	int64_t packages = 0, advisories = 0, nodes;
	struct sink k = { .db = db };
	size_t len = 0;
	char *text;
	int rc;

	if (strcmp(kind, "debian-tracker") != 0 && strcmp(kind, "osv") != 0)
		return ys_fail(e, "invalid_field", "kind: expected debian-tracker or osv");
	if ((text = read_bounded(path, &len, e)) == NULL)
		return -1;
	crypto_sha256(text, len, sum);
	crypto_hex(sum, sizeof(sum), hex);
	if (db_begin(db) < 0) {
		free(text);
		return ys_fail(e, "internal", "cannot start a transaction");
	}
	if (db_run(db, "DELETE FROM vuln_entries WHERE feed_id IN (SELECT id FROM vuln_feeds"
	    " WHERE kind = ?)", "s", kind) < 0 ||
	    db_run(db, "UPDATE vuln_feeds SET active = 0 WHERE kind = ?", "s", kind) < 0 ||
	    db_run(db, "INSERT INTO vuln_feeds (kind, source, sha256, size, packages, advisories,"
	    " entries, active, imported_by, imported_at) VALUES (?, ?, ?, ?, 0, 0, 0, 1, ?, ?)",
	    "sssl" "sl", kind, source, hex, (int64_t)len, by, (int64_t)time(NULL)) != 1) {
		free(text);
		db_rollback(db);
		return ys_fail(e, "internal", "cannot store the feed: %.120s", db_errmsg(db));
	}
	k.feed_id = db_last_id(db);
	rc = parse_into(kind, text, len, &k, &packages, &advisories, e);
	free(text);
	if (rc < 0) {
		db_rollback(db);
		return -1;
	}
	if (db_run(db, "UPDATE vuln_feeds SET packages = ?, advisories = ?, entries = ? WHERE id = ?",
	    "llll", packages, advisories, k.entries, k.feed_id) != 1 ||
	    (nodes = vulnmatch_all(db)) < 0) {
		db_rollback(db);
		return ys_fail(e, "internal", "cannot store the feed: %.120s", db_errmsg(db));
	}
	if (db_commit(db) < 0) {
		db_rollback(db);
		return ys_fail(e, "internal", "cannot commit the feed");
	}
	*out = store_get(db, scope_all(), STORE_VULN_FEEDS, k.feed_id);
	if (*out)
		json_object_set_new(*out, "rematched_nodes", json_integer(nodes));
	return *out ? 0 : ys_fail(e, "internal", "cannot read the feed back");
}

int
feeds_import(struct db *db, const char *kind, const char *path, const char *by, json_t **out,
    struct ys_err *e)
{
	return import_file(db, kind, path, path, by, out, e);
}

int
feeds_import_url(struct db *db, const char *kind, const char *url, const char *ca_file,
    const char *tmpdir, const char *by, json_t **out, struct ys_err *e)
{
	char server[512], tmp[1100], err[256];
	const char *host, *slash;
	struct httpc_req rq = { 0 };
	struct httpc_resp rs = { 0 };
	FILE *f;
	int fd, rc;

	if (strncmp(url, "https://", 8) != 0)
		return ys_fail(e, "invalid_field", "url: only https:// URLs are fetched");
	host = url + 8;
	slash = strchr(host, '/');
	if (slash == NULL || slash == host || (size_t)(slash - url) >= sizeof(server))
		return ys_fail(e, "invalid_field", "url: expected https://HOST[:PORT]/PATH");
	snprintf(server, sizeof(server), "%.*s", (int)(slash - url), url);
	snprintf(tmp, sizeof(tmp), "%s/feed-download-XXXXXX", tmpdir);
	if ((fd = mkstemp(tmp)) < 0 || (f = fdopen(fd, "w")) == NULL) {
		if (fd >= 0) {
			close(fd);
			unlink(tmp);
		}
		return ys_fail(e, "internal", "cannot create a download file: %s", strerror(errno));
	}
	rq = (struct httpc_req){ .server = server, .ca = ca_file && *ca_file ? ca_file : NULL,
		.method = "GET", .path = slash, .sink = f, .timeout_s = 900,
		.max_stream = FEEDS_MAX_BYTES };
	rc = httpc_request(&rq, &rs, err, sizeof(err));
	if (fclose(f) != 0 && rc == 0)
		rc = -2;
	if (rc != 0 || rs.status != 200) {
		if (rc == 0)
			snprintf(err, sizeof(err), "the server answered HTTP %ld", rs.status);
		httpc_resp_free(&rs);
		unlink(tmp);
		return ys_fail(e, "invalid_feed", "cannot fetch %.200s: %s; nothing imported, the "
		    "previous feed stays in force", url, err);
	}
	httpc_resp_free(&rs);
	rc = import_file(db, kind, tmp, url, by, out, e);
	unlink(tmp);
	return rc;
}

json_t *
feeds_list(struct db *db)
{
	return store_list(db, scope_all(), STORE_VULN_FEEDS, NULL, 0, 1000);
}

static char *
csv_field(char **p)
{
	char *s = *p, *c = strchr(s, ',');

	if (c) {
		*c = '\0';
		*p = c + 1;
	} else {
		*p = s + strlen(s);
	}
	while (*s == ' ' || *s == '"')
		s++;
	for (size_t n = strlen(s); n > 0 && (s[n - 1] == ' ' || s[n - 1] == '"' ||
	    s[n - 1] == '\r'); n--)
		s[n - 1] = '\0';
	return s;
}

int
feeds_xref_import(struct db *db, const char *path, int64_t *count, struct ys_err *e)
{
	size_t len;
	char *text = read_bounded(path, &len, e), *line, *save = NULL;
	int lineno = 0;

	*count = 0;
	if (text == NULL)
		return -1;
	if (db_begin(db) < 0 || db_run(db, "DELETE FROM vuln_xref", "") < 0) {
		free(text);
		db_rollback(db);
		return ys_fail(e, "internal", "cannot replace the cross-references");
	}
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *p = line, *cve, *cnnvd, *cnvd;

		lineno++;
		cve = csv_field(&p);
		cnnvd = csv_field(&p);
		cnvd = csv_field(&p);
		if (cve[0] == '\0' || (lineno == 1 && strcasecmp(cve, "CVE") == 0))
			continue;
		if (strncmp(cve, "CVE-", 4) != 0) {
			free(text);
			db_rollback(db);
			return ys_fail(e, "invalid_feed", "xref line %d: expected CVE,CNNVD,CNVD", lineno);
		}
		if (db_run(db, "INSERT INTO vuln_xref (cve, cnnvd, cnvd) VALUES (?, ?, ?)"
		    " ON CONFLICT (cve) DO UPDATE SET cnnvd = excluded.cnnvd, cnvd = excluded.cnvd",
		    "sss", cve, cnnvd[0] ? cnnvd : NULL, cnvd[0] ? cnvd : NULL) != 1) {
			free(text);
			db_rollback(db);
			return ys_fail(e, "internal", "cannot store line %d", lineno);
		}
		(*count)++;
	}
	free(text);
	if (db_commit(db) < 0) {
		db_rollback(db);
		return ys_fail(e, "internal", "cannot commit the cross-references");
	}
	return 0;
}
