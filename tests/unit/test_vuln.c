/*
 * test_vuln: host vulnerabilities on the control plane. Both feed loaders
 * on the real-format samples in tests/data/feeds (counts and statuses), a
 * broken feed rejected whole with the previous one kept, matching of
 * fixture inventories (stored as node_events the way agents send them)
 * against hand-computed expectations — unfixed, not affected ("0"), epoch,
 * "~", a Debian backport newer than the fixed revision — the GB/T 30279
 * grading, the findings life cycle and tenant isolation.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "feeds.h"
#include "findings.h"
#include "fixture.h"
#include "vulnmatch.h"

#define FEEDS YS_SOURCE_DIR "/tests/data/feeds/"

struct ctx {
	struct fx *fx;
	struct db *db;
	int64_t tenant, other, node, alpine;
	int64_t seq;
	struct principal admin, ta, tb;
};

static int64_t
node(struct ctx *c, int64_t tenant, const char *host)
{
	if (db_run(c->db, "INSERT INTO nodes (tenant_id, kind, hostname, enrolled_at)"
	    " VALUES (?, 'agent', ?, 1)", "ls", tenant, host) != 1)
		return -1;
	return db_last_id(c->db);
}

static void
event(struct ctx *c, int64_t node_id, const char *type, json_t *payload)
{
	char *text = json_dumps(payload, JSON_COMPACT);
	int64_t tenant = db_int(c->db, 0, "SELECT tenant_id FROM nodes WHERE id = ?", "l", node_id);

	assert_int_equal(db_run(c->db, "INSERT INTO node_events (node_id, seq, tenant_id, time_ms,"
	    " module, type, payload, received_at) VALUES (?, ?, ?, 1000, 'inventory', ?, ?, 1)",
	    "lllss", node_id, ++c->seq, tenant, type, text), 1);
	free(text);
	json_decref(payload);
}

static json_t *
deb(const char *name, const char *ver, const char *src, const char *srcver)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:s}", "name", name, "version", ver, "arch", "amd64",
	    "source", src, "source_version", srcver);
}

/* The Debian 12 host of the matching tests, in two parts. */
static void
debian_snapshot(struct ctx *c, const char *sid)
{
	event(c, c->node, "inventory.snapshot", json_pack("{s:s, s:i, s:i, s:i, s:{s:s, s:s, s:s},"
	    " s:s, s:[o, o, o, o]}", "snapshot_id", sid, "part", 1, "parts", 2, "package_count", 8,
	    "os", "id", "debian", "version_id", "12", "version_codename", "bookworm",
	    "package_format", "dpkg", "packages",
	    deb("libssl3", "3.0.11-1~deb12u2", "openssl", "3.0.11-1~deb12u2"),
	    deb("openssl", "3.0.11-1~deb12u2", "openssl", "3.0.11-1~deb12u2"),
	    deb("libc6", "2.36-9+deb12u4", "glibc", "2.36-9+deb12u4"),
	    deb("sudo", "1.9.13p3-1", "sudo", "1.9.13p3-1")));
	event(c, c->node, "inventory.snapshot", json_pack("{s:s, s:i, s:i, s:[o, o, o, o]}",
	    "snapshot_id", sid, "part", 2, "parts", 2, "packages",
	    deb("curl", "7.88.1-10+deb12u1", "curl", "7.88.1-10+deb12u1"),
	    deb("libcurl4", "7.88.1-10+deb12u1", "curl", "7.88.1-10+deb12u1"),
	    deb("openssh-server", "1:9.2p1-2+deb12u1", "openssh", "1:9.2p1-2+deb12u1"),
	    deb("bash", "5.2.15-2+b2", "bash", "5.2.15-2")));
}

static int
setup(void **state)
{
	struct ctx *c = calloc(1, sizeof(*c));

	if (c == NULL || (c->fx = fx_new(1)) == NULL)
		return -1;
	c->db = c->fx->db;
	c->tenant = fx_tenant(c->fx, "acme", "active");
	c->other = fx_tenant(c->fx, "globex", "active");
	c->node = node(c, c->tenant, "web-1");
	c->alpine = node(c, c->other, "edge-1");
	c->admin = fx_principal(1, "root", ROLE_ADMIN, 0);
	c->ta = fx_principal(2, "acme-admin", ROLE_TENANT_ADMIN, c->tenant);
	c->tb = fx_principal(3, "globex-admin", ROLE_TENANT_ADMIN, c->other);
	*state = c;
	return 0;
}

static int
teardown(void **state)
{
	struct ctx *c = *state;

	fx_free(c->fx);
	free(c);
	return 0;
}

static json_t *
import(struct ctx *c, const char *kind, const char *file)
{
	struct ys_err e = { 0 };
	json_t *out = NULL;

	if (feeds_import(c->db, kind, file, "root", &out, &e) < 0) {
		fprintf(stderr, "import %s: %s: %s\n", file, e.code, e.msg);
		return NULL;
	}
	return out;
}

static int64_t
count(struct ctx *c, const char *where_status)
{
	return db_int(c->db, -1, "SELECT count(*) FROM vuln_entries WHERE status = ?", "s",
	    where_status);
}

/* The finding of cve in package on the Debian node, or NULL. */
static json_t *
finding(struct ctx *c, const char *cve, const char *pkg)
{
	json_t *q = json_pack("{s:I, s:s, s:s}", "node_id", (json_int_t)c->node, "cve", cve,
	    "package", pkg);
	json_t *rows = findings_list(c->db, &c->admin, q), *f = NULL;

	if (json_array_size(rows) == 1)
		f = json_incref(json_array_get(rows, 0));
	json_decref(rows);
	json_decref(q);
	return f;
}

static const char *
s(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static void
test_cvss(void **state)
{
	(void)state;
	assert_int_equal(feeds_cvss_x10("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"), 98);
	assert_int_equal(feeds_cvss_x10("CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H"), 78);
	assert_int_equal(feeds_cvss_x10("CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:H"), 81);
	assert_int_equal(feeds_cvss_x10("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:L"), 53);
	assert_int_equal(feeds_cvss_x10("CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:N/I:L/A:N"), 33);
	/* scope changed: CVE-2021-44228 (Log4Shell) 10.0 */
	assert_int_equal(feeds_cvss_x10("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H"), 100);
	assert_int_equal(feeds_cvss_x10("CVSS:3.0/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N"), 61);
	assert_int_equal(feeds_cvss_x10("7.5"), 75);
	assert_int_equal(feeds_cvss_x10("CVSS:3.1/AV:X/AC:L"), -1);
	assert_int_equal(feeds_cvss_x10("high"), -1);
}

static void
test_grade(void **state)
{
	static const struct { int cvss; const char *urg, *sev, *zh; } cases[] = {
		{ 100, NULL, "critical", "超危" }, { 90, "low", "critical", "超危" },
		{ 89, NULL, "high", "高危" }, { 70, NULL, "high", "高危" },
		{ 69, "high", "medium", "中危" }, { 40, NULL, "medium", "中危" },
		{ 39, "high", "low", "低危" }, { 0, NULL, "low", "低危" },
		{ -1, "high", "high", "高危" }, { -1, "medium", "medium", "中危" },
		{ -1, "low", "low", "低危" }, { -1, "unimportant", "low", "低危" },
		{ -1, "not yet assigned", "medium", "中危" }, { -1, NULL, "medium", "中危" },
	};
	const char *sev, *zh;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		vulnmatch_grade(cases[i].cvss, cases[i].urg, &sev, &zh);
		assert_string_equal(sev, cases[i].sev);
		assert_string_equal(zh, cases[i].zh);
	}
}

static void
test_load_tracker(void **state)
{
	struct ctx *c = *state;
	json_t *f = import(c, "debian-tracker", FEEDS "debian-tracker.json");

	assert_non_null(f);
	assert_int_equal(json_integer_value(json_object_get(f, "packages")), 5);
	assert_int_equal(json_integer_value(json_object_get(f, "advisories")), 18);
	assert_int_equal(json_integer_value(json_object_get(f, "entries")), 23);
	assert_int_equal(strlen(s(f, "sha256")), 64);
	assert_string_equal(s(f, "source"), FEEDS "debian-tracker.json");
	assert_true(json_is_true(json_object_get(f, "active")));
	assert_int_equal(count(c, "not_affected"), 2);
	assert_int_equal(count(c, "open"), 4);
	assert_int_equal(count(c, "undetermined"), 1);
	assert_int_equal(count(c, "fixed"), 16);
	/* "low**" (not yet checked by the security team) is read as low */
	assert_int_equal(db_int(c->db, 0, "SELECT count(*) FROM vuln_entries WHERE cve ="
	    " 'CVE-2023-6129' AND urgency = 'low'", ""), 1);
	json_decref(f);
}

static void
test_load_osv(void **state)
{
	struct ctx *c = *state;
	json_t *f = import(c, "osv", FEEDS "osv.json");

	assert_non_null(f);
	assert_int_equal(json_integer_value(json_object_get(f, "advisories")), 6);
	assert_int_equal(json_integer_value(json_object_get(f, "packages")), 7);
	assert_int_equal(json_integer_value(json_object_get(f, "entries")), 6);	/* SEMVER skipped */
	assert_int_equal(db_int(c->db, 0, "SELECT cvss_x10 FROM vuln_entries WHERE advisory ="
	    " 'DEBIAN-CVE-2023-38545'", ""), 98);
	assert_int_equal(db_int(c->db, 0, "SELECT count(*) FROM vuln_entries WHERE release ="
	    " 'Rocky Linux:9' AND cve = 'CVE-2023-5678' AND cvss_x10 IS NULL", ""), 1);
	json_decref(f);
	/* a single advisory object replaces the kind's entries */
	f = import(c, "osv", FEEDS "osv-single.json");
	assert_non_null(f);
	assert_int_equal(json_integer_value(json_object_get(f, "entries")), 1);
	assert_int_equal(db_int(c->db, 0, "SELECT count(*) FROM vuln_entries", ""), 1);
	assert_int_equal(db_int(c->db, 0, "SELECT count(*) FROM vuln_feeds WHERE active = 1", ""), 1);
	json_decref(f);
}

static void
test_broken_rejected(void **state)
{
	struct ctx *c = *state;
	struct ys_err e = { 0 };
	json_t *f = import(c, "debian-tracker", FEEDS "debian-tracker.json"), *out = NULL, *rows;
	int64_t packages, adv;
	char *sha = strdup(s(f, "sha256"));
	static const char bad_shape[] = "{\"curl\": {\"CVE-2023-38545\": {\"releases\":"
	    " {\"bookworm\": {\"status\": 3}}}}}";

	debian_snapshot(c, "s1");
	assert_true(vulnmatch_node(c->db, c->node) > 0);
	int64_t before = db_int(c->db, 0, "SELECT count(*) FROM vuln_findings", "");

	assert_int_equal(feeds_import(c->db, "debian-tracker", FEEDS "debian-tracker-broken.json",
	    "root", &out, &e), -1);
	assert_string_equal(e.code, "invalid_feed");
	assert_null(out);
	rows = feeds_list(c->db);
	assert_int_equal(json_array_size(rows), 1);
	assert_string_equal(s(json_array_get(rows, 0), "sha256"), sha);
	assert_true(json_is_true(json_object_get(json_array_get(rows, 0), "active")));
	json_decref(rows);
	assert_int_equal(db_int(c->db, 0, "SELECT count(*) FROM vuln_entries", ""), 23);
	assert_int_equal(db_int(c->db, 0, "SELECT count(*) FROM vuln_findings WHERE status ="
	    " 'open'", ""), before);
	/* valid JSON of the wrong shape is rejected too */
	assert_int_equal(feeds_parse("debian-tracker", bad_shape, strlen(bad_shape), &rows,
	    &packages, &adv, &e), -1);
	assert_string_equal(e.code, "invalid_feed");
	assert_int_equal(feeds_parse("osv", "[{\"id\": 1}]", 11, &rows, &packages, &adv, &e), -1);
	/* the tracker is read one package at a time: each of these is refused */
	{
		static const char *const bad[] = {
			"{\"a\": {}, \"a\": {}}",			/* repeated package */
			"{\"a\": {}} trailing",			/* text after the object */
			"{\"a\": {\"CVE-1\": {\"releases\": {}}}",	/* cut short */
			"{\"a\" {}}",					/* no colon */
			"{\"a\": {}, }",				/* dangling comma */
			"[\"a\"]",					/* not an object */
			"{\"a\": {\"CVE-1\": {\"releases\": {\"x\": {\"status\": 1}}}}}",
			"{\"a\": {\"x\": \"\\q\"}}",			/* bad escape */
		};

		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			rows = NULL;
			assert_int_equal(feeds_parse("debian-tracker", bad[i], strlen(bad[i]), &rows,
			    &packages, &adv, &e), -1);
			assert_null(rows);
		}
		assert_int_equal(feeds_parse("debian-tracker", " {} ", 4, &rows, &packages, &adv, &e),
		    0);
		assert_int_equal(json_array_size(rows), 0);
		json_decref(rows);
	}
	/* relative paths and missing files */
	assert_int_equal(feeds_import(c->db, "osv", "osv.json", "root", &out, &e), -1);
	assert_string_equal(e.code, "invalid_field");
	assert_int_equal(feeds_import(c->db, "osv", FEEDS "absent.json", "root", &out, &e), -1);
	assert_int_equal(feeds_import(c->db, "nvd", FEEDS "osv.json", "root", &out, &e), -1);
	free(sha);
	json_decref(f);
}

/* Hand-computed: what the tracker sample reports for the Debian host. */
static const struct want {
	const char *cve, *pkg, *installed, *fixed, *sev;
} tracker_want[] = {
	{ "CVE-2023-5678", "openssl", "3.0.11-1~deb12u2", "3.0.13-1~deb12u1", "low" },
	/* "~" sorts before anything: 3.0.11-1~deb12u2 < 3.0.11-1 */
	{ "CVE-2023-6129", "openssl", "3.0.11-1~deb12u2", "3.0.11-1", "low" },
	{ "CVE-2024-2511", "openssl", "3.0.11-1~deb12u2", NULL, "medium" },	/* open */
	{ "CVE-2010-4756", "glibc", "2.36-9+deb12u4", NULL, "low" },		/* unimportant */
	{ "CVE-2023-28486", "sudo", "1.9.13p3-1", NULL, "low" },
	{ "CVE-2023-42465", "sudo", "1.9.13p3-1", "1.9.13p3-1+deb12u1", "low" },
	{ "CVE-2023-38545", "curl", "7.88.1-10+deb12u1", "7.88.1-10+deb12u3", "high" },
	{ "CVE-2023-38546", "curl", "7.88.1-10+deb12u1", "7.88.1-10+deb12u3", "low" },
	/* epoch 1: compared as 1:9.2p1-2+deb12u1 */
	{ "CVE-2023-48795", "openssh", "1:9.2p1-2+deb12u1", "1:9.2p1-2+deb12u2", "medium" },
	{ "CVE-2024-6387", "openssh", "1:9.2p1-2+deb12u1", "1:9.2p1-2+deb12u3", "high" },
};

static void
check_want(struct ctx *c, const struct want *w, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		json_t *f = finding(c, w[i].cve, w[i].pkg);

		if (f == NULL)
			fail_msg("missing finding %s %s", w[i].cve, w[i].pkg);
		assert_string_equal(s(f, "installed_version"), w[i].installed);
		if (w[i].fixed)
			assert_string_equal(s(f, "fixed_version"), w[i].fixed);
		else
			assert_null(s(f, "fixed_version"));
		assert_string_equal(s(f, "severity"), w[i].sev);
		assert_string_equal(s(f, "status"), "open");
		assert_int_equal(json_integer_value(json_object_get(f, "tenant_id")), c->tenant);
		json_decref(f);
	}
}

static void
test_match_tracker(void **state)
{
	struct ctx *c = *state;
	json_t *f;

	debian_snapshot(c, "s1");
	/* the import re-matches every node */
	json_decref(import(c, "debian-tracker", FEEDS "debian-tracker.json"));
	assert_int_equal(db_int(c->db, 0, "SELECT count(*) FROM vuln_findings", ""),
	    sizeof(tracker_want) / sizeof(tracker_want[0]));
	check_want(c, tracker_want, sizeof(tracker_want) / sizeof(tracker_want[0]));
	/* not reported: fixed_version "0"; installed = fixed; the backport
	 * 2.36-9+deb12u4 newer than the fixed 2.36-9+deb12u3 (upstream fixed it
	 * in 2.39); an old fix with an epoch; another release's entries */
	assert_null(finding(c, "CVE-2023-4807", "openssl"));
	assert_null(finding(c, "CVE-2023-5363", "openssl"));
	assert_null(finding(c, "CVE-2023-4911", "glibc"));
	assert_null(finding(c, "CVE-2023-6246", "glibc"));
	assert_null(finding(c, "CVE-2006-5051", "openssh"));
	assert_null(finding(c, "CVE-2023-38408", "openssh"));
	assert_null(finding(c, "CVE-2023-22809", "sudo"));
	assert_null(finding(c, "CVE-2025-32462", "sudo"));
	/* matched by source package: one finding for curl and libcurl4 */
	f = finding(c, "CVE-2023-38545", "curl");
	assert_string_equal(s(f, "severity_zh"), "高危");
	assert_string_equal(s(f, "urgency"), "high");
	assert_null(s(f, "cvss"));
	assert_string_equal(s(f, "feed"), "debian-tracker");
	json_decref(f);
	/* a high finding raised an alert */
	assert_int_equal(db_int(c->db, 0, "SELECT count(*) FROM alerts WHERE module = 'vuln'", ""), 2);

	/* OSV adds CVSS (curl: 9.8 -> 超危) and a last_affected range (sudo) */
	json_decref(import(c, "osv", FEEDS "osv.json"));
	assert_int_equal(db_int(c->db, 0, "SELECT count(*) FROM vuln_findings", ""),
	    sizeof(tracker_want) / sizeof(tracker_want[0]) + 1);
	f = finding(c, "CVE-2023-38545", "curl");
	assert_string_equal(s(f, "severity"), "critical");
	assert_string_equal(s(f, "severity_zh"), "超危");
	assert_string_equal(s(f, "cvss"), "9.8");
	json_decref(f);
	f = finding(c, "CVE-2023-28487", "sudo");
	assert_non_null(f);
	assert_null(s(f, "fixed_version"));
	assert_string_equal(s(f, "severity"), "low");
	assert_string_equal(s(f, "cvss"), "3.3");
	assert_string_equal(s(f, "advisory"), "DEBIAN-CVE-2023-28487");
	json_decref(f);
	assert_null(finding(c, "CVE-2023-4911", "glibc"));
}

static void
test_match_alpine(void **state)
{
	struct ctx *c = *state;
	json_t *rows, *q;

	event(c, c->alpine, "inventory.snapshot", json_pack("{s:s, s:i, s:i, s:{s:s, s:s},"
	    " s:s, s:[{s:s, s:s, s:s, s:s, s:s}, {s:s, s:s, s:s, s:s, s:s}]}", "snapshot_id", "a1",
	    "part", 1, "parts", 1, "os", "id", "alpine", "version_id", "3.19.1",
	    "package_format", "apk", "packages",
	    "name", "libssl3", "version", "3.1.4-r0", "arch", "x86_64", "source", "openssl",
	    "source_version", "3.1.4-r0",
	    "name", "musl", "version", "1.2.4_git20230717-r4", "arch", "x86_64", "source", "musl",
	    "source_version", "1.2.4_git20230717-r4"));
	json_decref(import(c, "osv", FEEDS "osv.json"));
	q = json_pack("{s:I}", "node_id", (json_int_t)c->alpine);
	rows = findings_list(c->db, &c->tb, q);
	assert_int_equal(json_array_size(rows), 1);
	assert_string_equal(s(json_array_get(rows, 0), "cve"), "CVE-2023-5678");
	assert_string_equal(s(json_array_get(rows, 0), "fixed_version"), "3.1.4-r1");
	assert_string_equal(s(json_array_get(rows, 0), "severity"), "medium");
	assert_string_equal(s(json_array_get(rows, 0), "severity_zh"), "中危");
	json_decref(rows);
	json_decref(q);
}

/* rpm semantics through OSV: epoch and release decide (1:3.0.7-24.el9 is
 * affected, 1:3.0.7-25.el9_3 is the fix, 3.0.8 without epoch is older). */
static void
test_match_rocky(void **state)
{
	struct ctx *c = *state;
	static const char *const vers[] = { "1:3.0.7-24.el9", "1:3.0.7-25.el9_3", "3.0.8-1.el9" };
	static const int affected[] = { 1, 0, 1 };
	int64_t nodes[3];
	json_t *rows, *q;

	for (int i = 0; i < 3; i++) {
		char host[16], sid[8];

		snprintf(host, sizeof(host), "rocky-%d", i);
		snprintf(sid, sizeof(sid), "r%d", i);
		nodes[i] = node(c, c->other, host);
		event(c, nodes[i], "inventory.snapshot", json_pack("{s:s, s:i, s:i, s:{s:s, s:s},"
		    " s:s, s:[{s:s, s:s, s:s, s:s, s:s}]}", "snapshot_id", sid, "part", 1, "parts", 1,
		    "os", "id", "rocky", "version_id", "9.3", "package_format", "rpm", "packages",
		    "name", "openssl", "version", vers[i], "arch", "x86_64", "source", "openssl",
		    "source_version", vers[i]));
	}
	json_decref(import(c, "osv", FEEDS "osv-rocky.json"));
	for (int i = 0; i < 3; i++) {
		q = json_pack("{s:I}", "node_id", (json_int_t)nodes[i]);
		rows = findings_list(c->db, &c->tb, q);
		assert_int_equal(json_array_size(rows), affected[i]);
		if (affected[i]) {
			assert_string_equal(s(json_array_get(rows, 0), "cve"), "CVE-2023-5678");
			assert_string_equal(s(json_array_get(rows, 0), "severity"), "medium");
		}
		json_decref(rows);
		json_decref(q);
	}
}

/* An inventory.changed part upgrading curl and libcurl4 (source curl). */
static json_t *
upgrade(const char *ver)
{
	json_t *up = json_array();
	static const char *const names[] = { "curl", "libcurl4" };

	for (size_t i = 0; i < 2; i++)
		json_array_append_new(up, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}",
		    "name", names[i], "arch", "amd64", "old_version", "x", "new_version", ver,
		    "old_source", "curl", "new_source", "curl", "old_source_version", "x",
		    "new_source_version", ver));
	return json_pack("{s:s, s:s, s:i, s:i, s:{s:[], s:[], s:o}}", "snapshot_id", ver,
	    "base_snapshot_id", "s1", "part", 1, "parts", 1, "packages", "added", "removed",
	    "upgraded", up);
}

static void
test_life_cycle(void **state)
{
	struct ctx *c = *state;
	struct ys_err e = { 0 };
	json_t *f, *out = NULL;
	int64_t open_id, glibc_id, curl_id;

	debian_snapshot(c, "s1");
	json_decref(import(c, "debian-tracker", FEEDS "debian-tracker.json"));
	f = finding(c, "CVE-2024-2511", "openssl");
	open_id = json_integer_value(json_object_get(f, "id"));
	json_decref(f);
	f = finding(c, "CVE-2010-4756", "glibc");
	glibc_id = json_integer_value(json_object_get(f, "id"));
	json_decref(f);
	f = finding(c, "CVE-2023-38545", "curl");
	curl_id = json_integer_value(json_object_get(f, "id"));
	json_decref(f);

	/* accepted risk needs a future date */
	assert_int_equal(findings_accept(c->db, &c->ta, open_id, "WAF rule in place", "2020-01-01",
	    &out, &e), -1);
	assert_string_equal(e.code, "invalid_field");
	assert_int_equal(findings_accept(c->db, &c->ta, open_id, "WAF rule in place", "2099-12-31",
	    &out, &e), 0);
	assert_string_equal(s(out, "status"), "accepted_risk");
	assert_string_equal(s(out, "expires_on"), "2099-12-31");
	assert_string_equal(s(out, "decided_by"), "acme-admin");
	json_decref(out);
	assert_int_equal(findings_false_positive(c->db, &c->ta, glibc_id, "glob not reachable",
	    &out, &e), 0);
	assert_string_equal(s(out, "status"), "false_positive");
	json_decref(out);
	/* the other tenant sees nothing and can change nothing */
	assert_null(findings_get(c->db, &c->tb, curl_id, &e));
	assert_string_equal(e.code, "not_found");
	assert_int_equal(findings_false_positive(c->db, &c->tb, curl_id, "x", &out, &e), -1);
	assert_string_equal(e.code, "not_found");
	f = findings_list(c->db, &c->tb, NULL);
	assert_int_equal(json_array_size(f), 0);
	json_decref(f);

	/* curl upgraded past the fix: both curl findings become fixed; the
	 * people's decisions survive the re-match */
	event(c, c->node, "inventory.changed", upgrade("7.88.1-10+deb12u5"));
	assert_int_equal(vulnmatch_node(c->db, c->node), 8);
	f = findings_get(c->db, &c->ta, curl_id, &e);
	assert_string_equal(s(f, "status"), "fixed");
	assert_non_null(s(f, "fixed_at"));
	json_decref(f);
	f = findings_get(c->db, &c->ta, open_id, &e);
	assert_string_equal(s(f, "status"), "accepted_risk");
	json_decref(f);
	f = findings_get(c->db, &c->ta, glibc_id, &e);
	assert_string_equal(s(f, "status"), "false_positive");
	json_decref(f);
	/* a fixed finding cannot be accepted */
	assert_int_equal(findings_accept(c->db, &c->ta, curl_id, "r", "2099-01-01", &out, &e), -1);
	assert_string_equal(e.code, "conflict");
	/* downgraded again: reopened */
	event(c, c->node, "inventory.changed", upgrade("7.88.1-10+deb12u2"));
	assert_int_equal(vulnmatch_node(c->db, c->node), 10);
	f = findings_get(c->db, &c->ta, curl_id, &e);
	assert_string_equal(s(f, "status"), "open");
	assert_string_equal(s(f, "installed_version"), "7.88.1-10+deb12u2");
	assert_null(s(f, "fixed_at"));
	json_decref(f);
	/* an expired acceptance reopens at the next match */
	db_run(c->db, "UPDATE vuln_findings SET expires_on = '2001-01-01' WHERE id = ?", "l", open_id);
	vulnmatch_node(c->db, c->node);
	f = findings_get(c->db, &c->ta, open_id, &e);
	assert_string_equal(s(f, "status"), "open");
	json_decref(f);
}

static void
test_export_and_xref(void **state)
{
	struct ctx *c = *state;
	struct ys_err e = { 0 };
	json_t *q = json_pack("{s:s}", "severity", "high"), *arr;
	char *text;
	size_t len;
	int64_t n;

	debian_snapshot(c, "s1");
	json_decref(import(c, "debian-tracker", FEEDS "debian-tracker.json"));
	assert_int_equal(feeds_xref_import(c->db, FEEDS "xref.csv", &n, &e), 0);
	assert_int_equal(n, 2);
	assert_int_equal(findings_export(c->db, &c->ta, q, "csv", &text, &len, &e), 0);
	assert_non_null(strstr(text, "id,tenant_id,node_id,cve,cnnvd,cnvd,package"));
	assert_non_null(strstr(text, ",CVE-2023-38545,CNNVD-202310-667,CNVD-2023-78011,curl,"));
	assert_non_null(strstr(text, ",CVE-2024-6387,CNNVD-202407-017,,openssh,"));
	assert_non_null(strstr(text, "高危"));
	assert_null(strstr(text, "CVE-2023-5678"));	/* low: filtered out */
	free(text);
	assert_int_equal(findings_export(c->db, &c->tb, NULL, "json", &text, &len, &e), 0);
	arr = json_loads(text, 0, NULL);
	assert_int_equal(json_array_size(arr), 0);	/* another tenant's findings */
	json_decref(arr);
	free(text);
	assert_int_equal(findings_export(c->db, &c->ta, NULL, "xml", &text, &len, &e), -1);
	json_decref(q);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cvss),
		cmocka_unit_test(test_grade),
		cmocka_unit_test_setup_teardown(test_load_tracker, setup, teardown),
		cmocka_unit_test_setup_teardown(test_load_osv, setup, teardown),
		cmocka_unit_test_setup_teardown(test_broken_rejected, setup, teardown),
		cmocka_unit_test_setup_teardown(test_match_tracker, setup, teardown),
		cmocka_unit_test_setup_teardown(test_match_alpine, setup, teardown),
		cmocka_unit_test_setup_teardown(test_match_rocky, setup, teardown),
		cmocka_unit_test_setup_teardown(test_life_cycle, setup, teardown),
		cmocka_unit_test_setup_teardown(test_export_and_xref, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
