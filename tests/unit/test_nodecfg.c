/*
 * test_nodecfg: the control plane's WAF bundle as the proxy's
 * configuration. A bundle like sites.c builds it (two sites, one with a
 * certificate, CC limits, IP lists, an exception and one custom rule per
 * control-plane operator) becomes a configuration whose site policies
 * the engine accepts, and each mapped custom rule decides requests the
 * way the control plane's operator means (not_equals and length_gt have
 * no engine operator and become regexes; in_cidr becomes ip; log scores
 * nothing). Proxy events become waf.attack node events the control
 * plane's validator accepts.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "nodecfg.h"
#include "sitestats.h"
#include "waf.h"

static const char bundle[] =
    "{\"heartbeat_seconds\": 1, \"modules\": {},"
    " \"certificates\": [{\"id\": 7, \"fingerprint\": \"ab\", \"domains\": [\"a.example.cn\"],"
    "   \"not_after\": \"2027-01-01T00:00:00Z\", \"cert_pem\": \"CERT\", \"key_pem\": \"KEY\"}],"
    " \"sites\": ["
    "  {\"id\": 1, \"tenant_id\": 3, \"domains\": [\"a.example.cn\"], \"mode\": \"block\","
    "   \"cert_id\": 7, \"cc\": {\"ip_rps\": 20, \"ip_burst\": 40, \"url_rps\": 0,"
    "   \"url_burst\": 0, \"block_seconds\": 60}, \"allow_ips\": [\"198.51.100.0/24\"],"
    "   \"deny_ips\": [\"203.0.113.7/32\"],"
    "   \"origins\": [{\"address\": \"10.0.0.5\", \"port\": 443, \"scheme\": \"https\","
    "     \"health_path\": \"/health\", \"weight\": 1}],"
    "   \"exceptions\": [{\"rule_id\": null, \"category\": \"xss\", \"path_prefix\": \"/cms/\","
    "     \"field\": \"arg:content\"}],"
    "   \"custom_rules\": ["
    "    {\"id\": 11, \"name\": \"n\", \"field\": \"header:x-env\", \"operator\": \"not_equals\","
    "     \"value\": \"prod.v1\", \"action\": \"block\"},"
    "    {\"id\": 12, \"name\": null, \"field\": \"arg:note\", \"operator\": \"length_gt\","
    "     \"value\": \"10\", \"action\": \"block\"},"
    "    {\"id\": 13, \"name\": null, \"field\": \"client_ip\", \"operator\": \"in_cidr\","
    "     \"value\": \"192.0.2.0/24,2001:db8::/32\", \"action\": \"block\"},"
    "    {\"id\": 14, \"name\": null, \"field\": \"path\", \"operator\": \"prefix\","
    "     \"value\": \"/debug\", \"action\": \"log\"}]},"
    "  {\"id\": 2, \"tenant_id\": 4, \"domains\": [\"b.example.cn\"], \"mode\": \"monitor\","
    "   \"cert_id\": null, \"cc\": {\"ip_rps\": 0, \"ip_burst\": 0, \"url_rps\": 0,"
    "   \"url_burst\": 0, \"block_seconds\": 0}, \"allow_ips\": [], \"deny_ips\": [],"
    "   \"origins\": [], \"exceptions\": [], \"custom_rules\": []}]}";

static struct waf_engine *engine;

static int
setup(void **state)
{
	char err[512];

	(void)state;
	engine = waf_engine_load_dir(YS_SOURCE_DIR "/rules/waf", err, sizeof(err));
	if (engine == NULL)
		fprintf(stderr, "rules: %s\n", err);
	return engine ? 0 : -1;
}

static int
teardown(void **state)
{
	(void)state;
	waf_engine_unref(engine);
	return 0;
}

static json_t *
config(void)
{
	json_t *b = json_loads(bundle, 0, NULL), *c;
	char err[256];

	assert_non_null(b);
	c = nodecfg_from_policy(b, err, sizeof(err));
	if (c == NULL)
		fail_msg("%s", err);
	json_decref(b);
	return c;
}

static void
test_sites(void **state)
{
	json_t *c = config(), *s1, *s2, *o;

	(void)state;
	assert_int_equal(json_array_size(json_object_get(c, "sites")), 2);
	s1 = json_array_get(json_object_get(c, "sites"), 0);
	s2 = json_array_get(json_object_get(c, "sites"), 1);
	o = json_array_get(json_object_get(s1, "origins"), 0);
	assert_string_equal(json_string_value(json_object_get(o, "address")), "10.0.0.5");
	assert_true(json_is_true(json_object_get(o, "tls")));
	assert_string_equal(json_string_value(json_object_get(json_object_get(s1, "health_check"),
	    "path")), "/health");
	assert_string_equal(json_string_value(json_object_get(json_object_get(s1, "tls"),
	    "cert_pem")), "CERT");
	assert_string_equal(json_string_value(json_object_get(json_object_get(s1, "tls"),
	    "key_pem")), "KEY");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(s1, "cc"),
	    "ip_rate")), 20);
	assert_null(json_object_get(json_object_get(s1, "cc"), "url_rate"));
	assert_string_equal(json_string_value(json_array_get(json_object_get(s1, "deny"), 0)),
	    "203.0.113.7/32");
	/* No CC limits, no certificate, monitor mode. */
	assert_null(json_object_get(s2, "cc"));
	assert_null(json_object_get(s2, "tls"));
	assert_string_equal(json_string_value(json_object_get(json_object_get(s2, "waf"), "mode")),
	    "monitor");
	json_decref(c);
}

static void
test_bad_bundles(void **state)
{
	static const char *const bad[] = {
		"{}",
		"{\"sites\": [{\"id\": 1, \"cert_id\": 9, \"origins\": []}], \"certificates\": []}",
		"{\"sites\": [{\"id\": 1, \"custom_rules\": [{\"id\": 1, \"field\": \"nope\","
		"  \"operator\": \"equals\", \"value\": \"x\", \"action\": \"block\"}]}]}",
		"{\"sites\": [{\"id\": 1, \"custom_rules\": [{\"id\": 1, \"field\": \"path\","
		"  \"operator\": \"near\", \"value\": \"x\", \"action\": \"block\"}]}]}",
	};
	char err[256];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		json_t *b = json_loads(bad[i], 0, NULL), *c;

		assert_non_null(b);
		err[0] = '\0';
		c = nodecfg_from_policy(b, err, sizeof(err));
		if (c != NULL)
			fail_msg("bundle %zu accepted", i);
		assert_true(err[0] != '\0');
		json_decref(b);
	}
}

static int
verdict(const struct waf_site *site, const char *path, const char *query, const char *hname,
    const char *hval, const char *ip, char *rule, size_t rulelen)
{
	struct waf_header h[2] = {
		{ "Host", 4, "a.example.cn", 12 },
		{ hname, hname ? strlen(hname) : 0, hval, hval ? strlen(hval) : 0 },
	};
	struct waf_request rq = { .method = "GET", .method_len = 3, .path = path,
		.path_len = strlen(path), .query = query, .query_len = query ? strlen(query) : 0,
		.headers = h, .n_headers = hname ? 2 : 1, .client_ip = ip, .request_id = "t" };
	struct waf_verdict v;

	assert_int_equal(waf_inspect(engine, site, &rq, &v), 0);
	rule[0] = '\0';
	for (size_t i = 0; i < v.n_matches; i++)
		if (strncmp(v.matches[i].rule_id, "custom-", 7) == 0) {
			snprintf(rule, rulelen, "%s", v.matches[i].rule_id);
			break;
		}
	return v.action == WAF_BLOCK;
}

static void
test_custom_rules_mean_what_the_control_plane_says(void **state)
{
	json_t *c = config();
	const json_t *policy = json_object_get(json_array_get(json_object_get(c, "sites"), 0),
	    "waf");
	char err[512], rule[32];
	struct waf_site *site = waf_site_from_json(engine, policy, err, sizeof(err));

	(void)state;
	if (site == NULL)
		fail_msg("the engine refused the mapped site: %s", err);
	/* not_equals: any other value blocks, the value itself (any case) passes. */
	assert_true(verdict(site, "/", NULL, "X-Env", "staging", "10.1.1.1", rule, sizeof(rule)));
	assert_string_equal(rule, "custom-11");
	assert_false(verdict(site, "/", NULL, "X-Env", "PROD.v1", "10.1.1.1", rule, sizeof(rule)));
	/* A regex metacharacter in the value is literal: "prodxv1" is not "prod.v1". */
	assert_true(verdict(site, "/", NULL, "X-Env", "prodxv1", "10.1.1.1", rule, sizeof(rule)));
	/* length_gt 10: eleven bytes block, ten pass. */
	assert_false(verdict(site, "/", "note=0123456789", "X-Env", "prod.v1", "10.1.1.1", rule,
	    sizeof(rule)));
	assert_true(verdict(site, "/", "note=0123456789a", "X-Env", "prod.v1", "10.1.1.1", rule,
	    sizeof(rule)));
	assert_string_equal(rule, "custom-12");
	/* in_cidr, both families. */
	assert_true(verdict(site, "/", NULL, "X-Env", "prod.v1", "192.0.2.77", rule, sizeof(rule)));
	assert_string_equal(rule, "custom-13");
	assert_true(verdict(site, "/", NULL, "X-Env", "prod.v1", "2001:db8::5", rule, sizeof(rule)));
	assert_false(verdict(site, "/", NULL, "X-Env", "prod.v1", "192.0.3.1", rule, sizeof(rule)));
	/* log: reported, not blocking. */
	assert_false(verdict(site, "/debug/x", NULL, "X-Env", "prod.v1", "10.1.1.1", rule,
	    sizeof(rule)));
	assert_string_equal(rule, "custom-14");
	waf_site_free(site);
	json_decref(c);
}

static void
test_events(void **state)
{
	json_t *ev = json_pack("{s:s, s:s, s:i, s:i, s:s, s:s, s:s, s:s, s:s, s:s, s:i, s:i}",
	    "type", "waf", "action", "monitor", "site_id", 1, "tenant_id", 3, "client_ip",
	    "198.51.100.9", "method", "GET", "uri", "/x?id=1", "request_id", "r-1", "rule",
	    "sqli-100", "category", "sqli", "severity", 4, "score", 5);
	json_t *ne = nodecfg_event(ev, 1700000000123LL), *p;

	(void)state;
	assert_non_null(ne);
	assert_string_equal(json_string_value(json_object_get(ne, "module")), "waf");
	assert_string_equal(json_string_value(json_object_get(ne, "type")), "waf.attack");
	assert_int_equal(json_integer_value(json_object_get(ne, "time_ms")), 1700000000123LL);
	p = json_object_get(ne, "payload");
	assert_string_equal(json_string_value(json_object_get(p, "severity")), "critical");
	assert_string_equal(json_string_value(json_object_get(p, "action")), "log");
	assert_string_equal(json_string_value(json_object_get(p, "rule_id")), "sqli-100");
	assert_string_equal(json_string_value(json_object_get(p, "excerpt")), "");
	json_decref(ne);
	/* Not an attack event (no rule), or an unknown type: nothing for the queue. */
	json_object_del(ev, "rule");
	assert_null(nodecfg_event(ev, 1));
	json_object_set_new(ev, "rule", json_string("x"));
	json_object_set_new(ev, "type", json_string("stats"));
	assert_null(nodecfg_event(ev, 1));
	json_decref(ev);
}

struct seen {
	int calls;
	int64_t id[4];
	uint64_t req[4], blk[4];
};

static void
on_stats(void *arg, int64_t id, uint64_t requests, uint64_t blocked)
{
	struct seen *s = arg;

	if (s->calls < 4) {
		s->id[s->calls] = id;
		s->req[s->calls] = requests;
		s->blk[s->calls] = blocked;
	}
	s->calls++;
}

/* Per-site counts are handed out as deltas since the last drain; a site
 * whose counts did not move is not reported. */
static void
test_sitestats(void **state)
{
	struct seen s = { 0 };

	(void)state;
	for (int i = 0; i < 5; i++)
		sitestats_count(77, false);
	sitestats_count(77, true);
	sitestats_count(78, false);
	sitestats_count(0, false);	/* not a site */
	sitestats_drain(on_stats, &s);
	assert_int_equal(s.calls, 2);
	for (int i = 0; i < 2; i++) {
		if (s.id[i] == 77) {
			assert_int_equal(s.req[i], 5);
			assert_int_equal(s.blk[i], 1);
		} else {
			assert_int_equal(s.id[i], 78);
			assert_int_equal(s.req[i], 1);
			assert_int_equal(s.blk[i], 0);
		}
	}
	memset(&s, 0, sizeof(s));
	sitestats_count(78, false);
	sitestats_drain(on_stats, &s);
	assert_int_equal(s.calls, 1);
	assert_int_equal(s.id[0], 78);
	assert_int_equal(s.req[0], 1);
	memset(&s, 0, sizeof(s));
	sitestats_drain(on_stats, &s);
	assert_int_equal(s.calls, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sites),
		cmocka_unit_test(test_bad_bundles),
		cmocka_unit_test(test_custom_rules_mean_what_the_control_plane_says),
		cmocka_unit_test(test_events),
		cmocka_unit_test(test_sitestats),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
