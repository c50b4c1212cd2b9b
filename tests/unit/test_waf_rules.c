/*
 * test_waf_rules: the rule loader (a bad file is refused whole, with the
 * file, the rule id and the problem in the message), the shipped rules
 * in rules/waf/, and waf_inspect() with scoring, thresholds, monitor mode,
 * per-site exceptions and custom rules.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <unistd.h>

#include <cmocka.h>

#include "waf.h"

#ifndef YS_SOURCE_DIR
#define YS_SOURCE_DIR "."
#endif

static char tmpdir[64];

static int
setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/ys-wafrules-XXXXXX");
	return mkdtemp(tmpdir) != NULL ? 0 : -1;
}

static int
teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static void
write_file(const char *name, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void
clear_dir(void)
{
	char cmd[160];

	snprintf(cmd, sizeof(cmd), "rm -f '%s'/*.json", tmpdir);
	assert_int_equal(system(cmd), 0);
}

#define GOOD_RULE \
	"{\"id\":\"t-1\",\"category\":\"sqli\",\"severity\":4,\"fields\":[\"args\"]," \
	"\"transforms\":[\"urldecode\"],\"operator\":\"detect\",\"value\":\"sqli\"}"

/* The rules file made of one rule r must be refused with a message that
 * contains want. */
static void
refused(const char *rules_json, const char *want)
{
	struct waf_engine *e;
	char err[512] = "";

	clear_dir();
	write_file("a.json", rules_json);
	e = waf_engine_load_dir(tmpdir, err, sizeof(err));
	if (e != NULL)
		fail_msg("accepted: %s", rules_json);
	if (strstr(err, want) == NULL)
		fail_msg("message \"%s\" lacks \"%s\"", err, want);
}

#define DOC(rules) "{\"format\":1,\"rules\":[" rules "]}"

static void
test_loader_errors(void **state)
{
	struct waf_engine *e;
	char err[512];

	(void)state;
	refused("{\"format\":1,\"rules\":[", "a.json: line 1");
	refused("{\"format\":2,\"rules\":[]}", "a.json: \"format\" must be 1");
	refused("{\"format\":1,\"rulez\":[]}", "a.json: unknown key \"rulez\"");
	refused(DOC("{\"category\":\"sqli\"}"), "a.json: rule 1: \"id\" must be");
	refused(DOC("{\"id\":\"bad id!\"}"), "rule 1: \"id\" must be");
	refused(DOC("{\"id\":\"r1\",\"category\":\"sqli\",\"severity\":4,\"fields\":[\"args\"],"
	    "\"transforms\":[\"urldecode\",\"rot13\"],\"operator\":\"detect\",\"value\":\"sqli\"}"),
	    "a.json: rule r1: unknown transform \"rot13\"");
	refused(DOC("{\"id\":\"r1\",\"category\":\"sqli\",\"severity\":4,\"fields\":[\"args\"],"
	    "\"operator\":\"detect\",\"value\":\"nosql\"}"), "rule r1: unknown detector \"nosql\"");
	refused(DOC("{\"id\":\"r1\",\"category\":\"sqli\",\"severity\":4,\"fields\":[\"argz\"],"
	    "\"operator\":\"detect\",\"value\":\"sqli\"}"), "rule r1: unknown field \"argz\"");
	refused(DOC("{\"id\":\"r1\",\"category\":\"sqli\",\"severity\":4,"
	    "\"operator\":\"detect\",\"value\":\"sqli\"}"), "rule r1: missing \"fields\"");
	refused(DOC("{\"id\":\"r1\",\"category\":\"sqli\",\"severity\":9,\"fields\":[\"args\"],"
	    "\"operator\":\"detect\",\"value\":\"sqli\"}"), "rule r1: \"severity\" must be");
	refused(DOC("{\"id\":\"r1\",\"category\":\"sqli\",\"severity\":4,\"fields\":[\"args\"],"
	    "\"operator\":\"like\",\"value\":\"x\"}"), "rule r1: unknown operator \"like\"");
	refused(DOC("{\"id\":\"r1\",\"category\":\"sqli\",\"severity\":4,\"fields\":[\"args\"],"
	    "\"operator\":\"detect\",\"value\":\"sqli\",\"colour\":\"red\"}"), "rule r1: unknown key \"colour\"");
	refused(DOC("{\"id\":\"r1\",\"category\":\"x\",\"severity\":4,\"fields\":[\"args\"],"
	    "\"operator\":\"patterns\",\"value\":[\"ok\",\"(unclosed\"]}"), "rule r1: pattern 2:");
	refused(DOC("{\"id\":\"r1\",\"category\":\"x\",\"severity\":4,\"fields\":[\"args\"],"
	    "\"operator\":\"regex\",\"value\":\"a(\"}"), "rule r1: bad regex");
	refused(DOC("{\"id\":\"r1\",\"category\":\"x\",\"severity\":4,\"fields\":[\"args\"],"
	    "\"operator\":\"phrases\",\"value\":[]}"), "rule r1: \"value\" must hold");
	refused(DOC("{\"id\":\"r1\",\"category\":\"protocol\",\"severity\":4,\"fields\":[\"args\"],"
	    "\"operator\":\"detect\",\"value\":\"protocol\"}"), "rule r1: detector \"protocol\" looks at the whole request");
	refused(DOC(GOOD_RULE "," GOOD_RULE), "a.json: rule t-1: duplicate id");

	/* a good file and a bad one: the whole set is refused */
	clear_dir();
	write_file("a.json", DOC(GOOD_RULE));
	write_file("b.json", DOC("{\"id\":\"r2\"}"));
	assert_null(waf_engine_load_dir(tmpdir, err, sizeof(err)));
	assert_non_null(strstr(err, "b.json: rule r2:"));
	/* the same id in two files */
	write_file("b.json", DOC(GOOD_RULE));
	assert_null(waf_engine_load_dir(tmpdir, err, sizeof(err)));
	assert_non_null(strstr(err, "b.json: rule t-1: duplicate id"));
	/* an empty directory */
	clear_dir();
	assert_null(waf_engine_load_dir(tmpdir, err, sizeof(err)));
	assert_non_null(strstr(err, "no rule files"));
	assert_null(waf_engine_load_dir("/nonexistent/rules", err, sizeof(err)));
	assert_non_null(strstr(err, "cannot open"));
	/* and a good one loads */
	write_file("a.json", DOC(GOOD_RULE));
	e = waf_engine_load_dir(tmpdir, err, sizeof(err));
	assert_non_null(e);
	waf_engine_unref(e);
}

/* The shipped rule set; the test fails when it does not load. */
static struct waf_engine *
shipped_engine(void)
{
	char err[512];
	struct waf_engine *e = waf_engine_load_dir(YS_SOURCE_DIR "/rules/waf", err, sizeof(err));

	if (e == NULL)
		fail_msg("rules/waf: %s", err);
	return e;
}

static void
test_shipped_rules(void **state)
{
	struct waf_engine *e;

	(void)state;
	e = shipped_engine();
	waf_engine_ref(e);
	waf_engine_unref(e);
	waf_engine_unref(e);
}

/* A small engine from JSON, as the signed bundle carries it. */
static struct waf_engine *
test_engine(void)
{
	static const char rules[] = "[{\"format\":1,\"anomaly_threshold\":5,\"rules\":["
	    "{\"id\":\"sqli-1\",\"category\":\"sqli\",\"severity\":\"critical\",\"score\":5,"
	    "\"fields\":[\"args\",\"cookies\",\"path\"],\"transforms\":[\"urldecode\",\"utf8\"],"
	    "\"operator\":\"detect\",\"value\":\"sqli\"},"
	    "{\"id\":\"xss-1\",\"category\":\"xss\",\"severity\":\"critical\",\"score\":5,"
	    "\"fields\":[\"args\"],\"transforms\":[\"urldecode\",\"htmlentity\"],"
	    "\"operator\":\"detect\",\"value\":\"xss\"},"
	    "{\"id\":\"ua-1\",\"category\":\"scanner\",\"severity\":\"medium\",\"score\":3,"
	    "\"fields\":[\"headers:user-agent\"],\"operator\":\"phrases\",\"value\":[\"badbot\",\"evil crawler\"]},"
	    "{\"id\":\"pat-1\",\"category\":\"lfi\",\"severity\":\"medium\",\"score\":3,"
	    "\"fields\":[\"path\"],\"transforms\":[\"urldecode\",\"path\"],\"operator\":\"patterns\","
	    "\"value\":[\"/private/\"]}"
	    "]},{\"format\":1,\"rules\":["
	    "{\"id\":\"proto-1\",\"category\":\"protocol\",\"severity\":4,\"operator\":\"detect\",\"value\":\"protocol\"}"
	    "]}]";
	json_error_t jerr;
	json_t *j = json_loads(rules, 0, &jerr);
	struct waf_engine *e;
	char err[512];

	assert_non_null(j);
	e = waf_engine_load_json(j, err, sizeof(err));
	json_decref(j);
	if (e == NULL)
		fail_msg("%s", err);
	return e;
}

static struct waf_site *
site_of(const struct waf_engine *e, const char *json, char *err, size_t errlen)
{
	json_error_t jerr;
	json_t *j = json_loads(json, 0, &jerr);
	struct waf_site *s;

	if (j == NULL)
		fail_msg("bad test JSON: %s", jerr.text);
	s = waf_site_from_json(e, j, err, errlen);
	json_decref(j);
	return s;
}

#define H(n, v) { n, sizeof(n) - 1, v, sizeof(v) - 1 }

static void
inspect(const struct waf_engine *e, const struct waf_site *s, const char *method, const char *path,
    const char *query, const char *ua, const char *cookie, struct waf_verdict *v)
{
	struct waf_header h[3] = { H("Host", "shop.example.com") };
	struct waf_request r;
	size_t n = 1;

	if (ua != NULL)
		h[n++] = (struct waf_header){ "User-Agent", 10, ua, strlen(ua) };
	if (cookie != NULL)
		h[n++] = (struct waf_header){ "Cookie", 6, cookie, strlen(cookie) };
	memset(&r, 0, sizeof(r));
	r.method = method;
	r.method_len = strlen(method);
	r.path = path;
	r.path_len = strlen(path);
	r.query = query;
	r.query_len = query != NULL ? strlen(query) : 0;
	r.headers = h;
	r.n_headers = n;
	r.client_ip = "203.0.113.7";
	assert_int_equal(waf_inspect(e, s, &r, v), 0);
}

static int
matched(const struct waf_verdict *v, const char *rule, const char *field)
{
	for (size_t i = 0; i < v->n_matches; i++)
		if (strcmp(v->matches[i].rule_id, rule) == 0 &&
		    (field == NULL || strcmp(v->matches[i].field, field) == 0))
			return 1;
	return 0;
}

static void
test_scoring(void **state)
{
	struct waf_engine *e = test_engine();
	struct waf_verdict v;

	(void)state;
	inspect(e, NULL, "GET", "/search", "q=select+your+size&page=2", "Mozilla/5.0", NULL, &v);
	assert_int_equal(v.action, WAF_PASS);
	assert_int_equal(v.score, 0);
	assert_int_equal(v.n_matches, 0);

	inspect(e, NULL, "GET", "/item", "id=1%27%20or%20%271%27%3D%271", NULL, NULL, &v);
	assert_int_equal(v.action, WAF_BLOCK);
	assert_true(v.would_block);
	assert_int_equal(v.score, 5);
	assert_true(matched(&v, "sqli-1", "query:id"));
	assert_string_equal(v.matches[0].category, "sqli");
	assert_int_equal(v.matches[0].severity, 4);

	/* 3 points stay under the threshold of 5; 3 + 3 reach it */
	inspect(e, NULL, "GET", "/", NULL, "BadBot/1.0", NULL, &v);
	assert_int_equal(v.action, WAF_PASS);
	assert_int_equal(v.score, 3);
	assert_true(matched(&v, "ua-1", "header:user-agent"));
	inspect(e, NULL, "GET", "/a/private/x", NULL, "evil crawler", NULL, &v);
	assert_int_equal(v.action, WAF_BLOCK);
	assert_int_equal(v.score, 6);
	/* dot segments no browser sends: the path rule sees the resolved path,
	 * the protocol detector the raw one */
	inspect(e, NULL, "GET", "/a/../private/x", NULL, "evil crawler", NULL, &v);
	assert_true(matched(&v, "pat-1", "path"));
	assert_true(matched(&v, "proto-1", "request"));
	inspect(e, NULL, "GET", "/a/%2E%2e/private/x", NULL, NULL, NULL, &v);
	assert_true(matched(&v, "proto-1", "request"));
	inspect(e, NULL, "GET", "/static/app.v2..min.js", NULL, NULL, NULL, &v);
	assert_false(matched(&v, "proto-1", NULL));

	/* cookies and the request-level detector */
	inspect(e, NULL, "GET", "/", NULL, NULL, "sid=abc; pref=1%20union%20select%201,2", &v);
	assert_true(matched(&v, "sqli-1", "cookie:pref"));
	inspect(e, NULL, "TRACE", "/", NULL, NULL, NULL, &v);
	assert_true(matched(&v, "proto-1", "request"));
	waf_engine_unref(e);
}

/* Skipped headers are inspected when they leave their grammar: quotes or
 * a blank in the middle of a word list (Accept-Language put into a locale
 * query). Browsers' values stay skipped. */
static void
test_skipped_headers(void **state)
{
	static const struct { const char *value; int attack; } cases[] = {
		{ "en-US,en;q=0.9", 0 }, { "zh-CN,zh;q=0.9,en;q=0.8", 0 }, { "*", 0 },
		{ "en\" or \"1\"=\"1", 1 }, { "1 union select 1,2,3", 1 }, { "en or 1=1", 1 },
	};
	struct waf_engine *e;

	(void)state;
	e = shipped_engine();
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct waf_header h[2] = { H("Host", "shop.example.com"),
		    { "Accept-Language", 15, cases[i].value, strlen(cases[i].value) } };
		struct waf_request r;
		struct waf_verdict v;

		memset(&r, 0, sizeof(r));
		r.method = "GET";
		r.method_len = 3;
		r.path = "/";
		r.path_len = 1;
		r.headers = h;
		r.n_headers = 2;
		r.client_ip = "203.0.113.7";
		assert_int_equal(waf_inspect(e, NULL, &r, &v), 0);
		if (matched(&v, "sqli-100", NULL) != cases[i].attack)
			fail_msg("Accept-Language: %s: sqli-100 %d, want %d", cases[i].value,
			    matched(&v, "sqli-100", NULL), cases[i].attack);
	}
	waf_engine_unref(e);
}

static void
test_site_policy(void **state)
{
	struct waf_engine *e = test_engine();
	struct waf_site *s;
	struct waf_verdict v;
	char err[512];

	(void)state;
	/* monitor mode: reported, not blocked */
	s = site_of(e, "{\"mode\":\"monitor\"}", err, sizeof(err));
	assert_non_null(s);
	inspect(e, s, "GET", "/item", "id=1%20or%201%3D1", NULL, NULL, &v);
	assert_int_equal(v.action, WAF_PASS);
	assert_true(v.would_block);
	waf_site_free(s);

	/* a lower threshold blocks the scanner alone */
	s = site_of(e, "{\"threshold\":3}", err, sizeof(err));
	inspect(e, s, "GET", "/", NULL, "badbot", NULL, &v);
	assert_int_equal(v.action, WAF_BLOCK);
	waf_site_free(s);

	/* exceptions: by category under a path prefix, by rule id for one field */
	s = site_of(e, "{\"exceptions\":[{\"path_prefix\":\"/cms/\",\"categories\":[\"xss\"]},"
	    "{\"rule_ids\":[\"sqli-1\"],\"fields\":[\"args:sql\"]}]}", err, sizeof(err));
	assert_non_null(s);
	inspect(e, s, "POST", "/cms/post", "body=%3Cscript%3Ealert(1)%3C/script%3E", NULL, NULL, &v);
	assert_int_equal(v.action, WAF_PASS);
	assert_int_equal(v.n_matches, 0);
	inspect(e, s, "POST", "/shop/post", "body=%3Cscript%3Ealert(1)%3C/script%3E", NULL, NULL, &v);
	assert_int_equal(v.action, WAF_BLOCK);
	/* a traversal out of the prefix does not take the exception along */
	inspect(e, s, "POST", "/cms/../admin", "body=%3Cscript%3Ealert(1)%3C/script%3E", NULL, NULL, &v);
	assert_int_equal(v.action, WAF_BLOCK);
	inspect(e, s, "GET", "/report", "sql=1%20or%201%3D1", NULL, NULL, &v);
	assert_int_equal(v.action, WAF_PASS);
	inspect(e, s, "GET", "/report", "id=1%20or%201%3D1", NULL, NULL, &v);
	assert_int_equal(v.action, WAF_BLOCK);
	waf_site_free(s);

	/* custom rules: block by header, allow an address, score by regex */
	s = site_of(e, "{\"custom_rules\":["
	    "{\"id\":\"c-allow\",\"field\":\"client_ip\",\"operator\":\"ip\",\"value\":[\"203.0.113.0/24\"],\"action\":\"allow\"}"
	    "]}", err, sizeof(err));
	assert_non_null(s);
	inspect(e, s, "GET", "/item", "id=1%20or%201%3D1", NULL, NULL, &v);
	assert_int_equal(v.action, WAF_PASS);
	assert_true(matched(&v, "c-allow", "client_ip"));
	waf_site_free(s);
	s = site_of(e, "{\"custom_rules\":["
	    "{\"field\":\"headers:user-agent\",\"operator\":\"contains\",\"value\":\"curl/\",\"action\":\"block\"},"
	    "{\"field\":\"args:q\",\"operator\":\"regex\",\"value\":\"^[0-9]{4}$\",\"action\":\"score\",\"score\":2}"
	    "]}", err, sizeof(err));
	assert_non_null(s);
	inspect(e, s, "GET", "/", NULL, "curl/8.5", NULL, &v);
	assert_int_equal(v.action, WAF_BLOCK);
	assert_true(matched(&v, "custom-1", "header:user-agent"));
	inspect(e, s, "GET", "/", "q=2024", "Mozilla", NULL, &v);
	assert_int_equal(v.action, WAF_PASS);
	assert_int_equal(v.score, 2);
	assert_true(matched(&v, "custom-2", "query:q"));
	waf_site_free(s);
	waf_engine_unref(e);
}

static void
test_site_errors(void **state)
{
	static const struct {
		const char *json, *want;
	} bad[] = {
		{ "{\"mode\":\"off\"}", "\"mode\" must be \"block\" or \"monitor\"" },
		{ "{\"threshold\":0}", "\"threshold\" must be an integer" },
		{ "{\"exceptions\":[{\"path_prefix\":\"/x\"}]}", "exception 1: name the rules" },
		{ "{\"exceptions\":[{\"rule_ids\":[\"nope-9\"]}]}", "exception 1: unknown rule id \"nope-9\"" },
		{ "{\"exceptions\":[{\"categories\":[\"dns\"]}]}", "exception 1: no rule has category \"dns\"" },
		{ "{\"exceptions\":[{\"rule_ids\":[\"sqli-1\"],\"path_prefix\":\"x\"}]}", "must be a path starting with '/'" },
		{ "{\"exceptions\":[{\"rule_ids\":[\"sqli-1\"],\"fields\":[\"nope\"]}]}", "exception 1: unknown field \"nope\"" },
		{ "{\"exceptions\":[{\"rule_ids\":[\"sqli-1\"],\"where\":1}]}", "exception 1: unknown key \"where\"" },
		{ "{\"custom_rules\":[{\"field\":\"args\",\"operator\":\"patterns\",\"value\":[\"x\"]}]}", "custom rule custom-1: operator \"patterns\" is for shipped rules" },
		{ "{\"custom_rules\":[{\"field\":\"args\",\"operator\":\"regex\",\"value\":\"(\"}]}", "custom rule custom-1: bad regex" },
		{ "{\"custom_rules\":[{\"field\":\"client_ip\",\"operator\":\"ip\",\"value\":\"10.0.0.0/33\"}]}", "is not an IP address or CIDR block" },
		{ "{\"custom_rules\":[{\"field\":\"args\",\"operator\":\"contains\",\"value\":\"x\",\"action\":\"drop\"}]}", "\"action\" must be score or block or allow" },
		{ "{\"custom_rules\":[{\"id\":\"a\",\"field\":\"args\",\"operator\":\"contains\",\"value\":\"x\"},{\"id\":\"a\",\"field\":\"args\",\"operator\":\"contains\",\"value\":\"y\"}]}", "custom rule a: duplicate id" },
		{ "[]", "site: not a JSON object" },
	};
	struct waf_engine *e = test_engine();
	char err[512];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct waf_site *s = site_of(e, bad[i].json, err, sizeof(err));

		if (s != NULL)
			fail_msg("accepted: %s", bad[i].json);
		if (strstr(err, bad[i].want) == NULL)
			fail_msg("%s: message \"%s\" lacks \"%s\"", bad[i].json, err, bad[i].want);
	}
	/* NULL object: defaults */
	waf_site_free(waf_site_from_json(e, NULL, err, sizeof(err)));
	waf_site_free(NULL);
	waf_engine_unref(NULL);
	waf_engine_unref(e);
}

/* Bodies of each content type reach the detectors as fields. */
static void
test_bodies(void **state)
{
	struct waf_engine *e = test_engine();
	struct waf_header json_h[] = { H("Host", "a"), H("Content-Type", "application/json") };
	struct waf_header form_h[] = { H("Host", "a"), H("Content-Type", "application/x-www-form-urlencoded") };
	struct waf_header mp_h[] = { H("Host", "a"), H("Content-Type", "multipart/form-data; boundary=XyZ") };
	static const char json_body[] = "{\"user\":{\"tags\":[\"a\",\"<img src=x onerror=alert(1)>\"]}}";
	static const char form_body[] = "a=1&comment=%3Csvg%2Fonload%3Dalert(1)%3E";
	static const char mp_body[] = "--XyZ\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\n"
	    "<script>alert(1)</script>\r\n--XyZ--\r\n";
	static const char mp_bad[] = "--XyZ\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nunterminated";
	struct waf_request r = { .method = "POST", .method_len = 4, .path = "/api", .path_len = 4 };
	struct waf_verdict v;

	(void)state;
	r.headers = json_h;
	r.n_headers = 2;
	r.body = (const uint8_t *)json_body;
	r.body_len = sizeof(json_body) - 1;
	assert_int_equal(waf_inspect(e, NULL, &r, &v), 0);
	assert_true(matched(&v, "xss-1", "json:tags"));
	r.headers = form_h;
	r.body = (const uint8_t *)form_body;
	r.body_len = sizeof(form_body) - 1;
	assert_int_equal(waf_inspect(e, NULL, &r, &v), 0);
	assert_true(matched(&v, "xss-1", "form:comment"));
	r.headers = mp_h;
	r.body = (const uint8_t *)mp_body;
	r.body_len = sizeof(mp_body) - 1;
	assert_int_equal(waf_inspect(e, NULL, &r, &v), 0);
	assert_true(matched(&v, "xss-1", "multipart:note"));
	assert_false(matched(&v, "proto-1", NULL));
	r.body = (const uint8_t *)mp_bad;
	r.body_len = sizeof(mp_bad) - 1;
	assert_int_equal(waf_inspect(e, NULL, &r, &v), 0);
	assert_true(matched(&v, "proto-1", "request"));
	/* 5,000 arguments: past 4,096 the raw query is still inspected */
	{
		size_t cap = 5001 * 8 + 64, n = 0;
		char *q = malloc(cap);
		struct waf_request g = { .method = "GET", .method_len = 3, .path = "/", .path_len = 1,
			.headers = json_h, .n_headers = 1 };

		assert_non_null(q);
		for (int i = 0; i < 5000; i++)
			n += (size_t)snprintf(q + n, cap - n, "a%d=b&", i);
		n += (size_t)snprintf(q + n, cap - n, "z=%%3Cscript%%3E");
		g.query = q;
		g.query_len = n;
		assert_int_equal(waf_inspect(e, NULL, &g, &v), 0);
		assert_true(matched(&v, "xss-1", "query"));
		assert_true(matched(&v, "proto-1", "request"));	/* and 500+ parameters */
		free(q);
	}
	r.headers = json_h;
	r.body = (const uint8_t *)"{not json";
	r.body_len = 9;
	assert_int_equal(waf_inspect(e, NULL, &r, &v), 0);
	assert_true(matched(&v, "proto-1", "request"));
	waf_engine_unref(e);
}

/* Worker threads share one engine (and a second one, as after a rules
 * update): every thread's verdicts equal the single-threaded ones. */
struct thread_job {
	struct waf_engine *e[2];
	int blocked[2][4];
	int failed;
};

static const char *const thread_queries[4] = {
	"q=select+your+size", "id=1%27%20or%20%271%27%3D%271", "c=%3Csvg%2Fonload%3Dalert(1)%3E",
	"page=2&sort=price",
};

static void *
thread_main(void *arg)
{
	struct thread_job *j = arg;
	struct waf_header h[] = { H("Host", "a"), H("User-Agent", "Mozilla/5.0") };

	for (int round = 0; round < 300; round++)
		for (int k = 0; k < 4; k++) {
			int ei = (round + k) % 2;
			struct waf_request r = { .method = "GET", .method_len = 3, .path = "/p",
				.path_len = 2, .query = thread_queries[k],
				.query_len = strlen(thread_queries[k]), .headers = h, .n_headers = 2 };
			struct waf_verdict v;

			if (waf_inspect(j->e[ei], NULL, &r, &v) < 0 ||
			    (v.action == WAF_BLOCK) != j->blocked[ei][k])
				__atomic_store_n(&j->failed, 1, __ATOMIC_RELAXED);
		}
	return NULL;
}

static void
test_threads(void **state)
{
	struct thread_job j = { { test_engine(), NULL }, { { 0 } }, 0 };
	char err[512];
	pthread_t t[4];

	(void)state;
	j.e[1] = waf_engine_load_dir(YS_SOURCE_DIR "/rules/waf", err, sizeof(err));
	assert_non_null(j.e[1]);
	for (int ei = 0; ei < 2; ei++)
		for (int k = 0; k < 4; k++) {
			struct waf_header h[] = { H("Host", "a"), H("User-Agent", "Mozilla/5.0") };
			struct waf_request r = { .method = "GET", .method_len = 3, .path = "/p",
				.path_len = 2, .query = thread_queries[k],
				.query_len = strlen(thread_queries[k]), .headers = h, .n_headers = 2 };
			struct waf_verdict v;

			assert_int_equal(waf_inspect(j.e[ei], NULL, &r, &v), 0);
			j.blocked[ei][k] = v.action == WAF_BLOCK;
		}
	assert_true(j.blocked[0][1] && j.blocked[1][2] && !j.blocked[1][0] && !j.blocked[1][3]);
	for (int i = 0; i < 4; i++)
		assert_int_equal(pthread_create(&t[i], NULL, thread_main, &j), 0);
	for (int i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	assert_false(j.failed);
	waf_engine_unref(j.e[0]);
	waf_engine_unref(j.e[1]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_loader_errors),
		cmocka_unit_test(test_shipped_rules),
		cmocka_unit_test(test_scoring),
		cmocka_unit_test(test_skipped_headers),
		cmocka_unit_test(test_site_policy),
		cmocka_unit_test(test_site_errors),
		cmocka_unit_test(test_bodies),
		cmocka_unit_test(test_threads),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
