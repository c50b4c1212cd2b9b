/*
 * test_sitecfg: the validators of WAF site settings as tables of inputs
 * with the expected canonical form or the expected reason (sitecfg.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sitecfg.h"

struct row {
	const char *in;
	const char *want;	/* canonical output, or NULL: refused */
	const char *why;	/* a fragment of the reason when refused */
};

typedef int (*text_fn)(const char *in, char *out, size_t outsz, char *err, size_t errlen);

/* Each row through fn: the canonical output, or refused with the reason. */
static void
check_text(text_fn fn, const struct row *rows, size_t n)
{
	char out[SITECFG_DOMAIN_MAX + 1], err[256];

	for (size_t i = 0; i < n; i++) {
		int rc = fn(rows[i].in, out, sizeof(out), err, sizeof(err));

		if (rows[i].want) {
			if (rc != 0)
				fail_msg("%s: refused: %s", rows[i].in, err);
			assert_string_equal(out, rows[i].want);
		} else {
			if (rc == 0)
				fail_msg("%s: accepted", rows[i].in);
			if (strstr(err, rows[i].why) == NULL)
				fail_msg("%s: reason '%s' lacks '%s'", rows[i].in, err, rows[i].why);
		}
	}
}

static int
domain_wild(const char *in, char *out, size_t outsz, char *err, size_t errlen)
{
	return sitecfg_domain(in, true, out, outsz, err, errlen);
}

static void
test_domains(void **state)
{
	static const struct row rows[] = {
		{ "www.example.com", "www.example.com", NULL },
		{ "Shop.Example.CN", "shop.example.cn", NULL },
		{ "*.example.com", "*.example.com", NULL },
		{ "xn--fiqs8s.cn", "xn--fiqs8s.cn", NULL },		/* 中国.cn */
		{ "xn--55qx5d.xn--fiqs8s", "xn--55qx5d.xn--fiqs8s", NULL },
		{ "a-b.example.com", "a-b.example.com", NULL },
		{ "example.com.", NULL, "empty label" },
		{ "*.com", NULL, "full name" },
		{ "www.*.example.com", NULL, "leftmost" },
		{ "*example.com", NULL, "whole leftmost" },
		{ "a..example.com", NULL, "empty label" },
		{ "-a.example.com", NULL, "start or end" },
		{ "a_b.example.com", NULL, "only letters" },
		{ "中国.cn", NULL, "punycode" },
		{ "xn--zz.cn", NULL, "not valid punycode" },
		{ "xn--abc-.cn", NULL, "start or end" },
		{ "xn--.cn", NULL, "start or end" },
		{ "xn--abc-9.cn", NULL, "not valid punycode" },
		{ "ab--cd.example.com", NULL, "reserved" },
		{ "localhost", NULL, "full name" },
		{ "192.168.1.1", NULL, "numeric" },
		{ "exa mple.com", NULL, "only letters" },
		{ "", NULL, "empty" },
		{ "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.com", NULL,
		  "longer than 63" },
	};
	char out[SITECFG_DOMAIN_MAX + 1], err[256];

	(void)state;
	check_text(domain_wild, rows, sizeof(rows) / sizeof(rows[0]));
	/* no wildcard where a single host is meant */
	assert_int_equal(sitecfg_domain("*.example.com", false, out, sizeof(out), err,
	    sizeof(err)), -1);
}

static void
test_origins(void **state)
{
	static const struct row rows[] = {
		{ "203.0.113.7", "203.0.113.7", NULL },
		{ "10.0.0.5", "10.0.0.5", NULL },
		{ "2001:DB8::1", "2001:db8::1", NULL },
		{ "origin.example.cn", "origin.example.cn", NULL },
		{ "127.0.0.1", NULL, "loopback" },
		{ "127.8.9.10", NULL, "loopback" },
		{ "::1", NULL, "loopback" },
		{ "::ffff:127.0.0.1", NULL, "loopback" },
		{ "169.254.169.254", NULL, "metadata" },
		{ "::ffff:169.254.169.254", NULL, "metadata" },
		{ "::127.0.0.1", NULL, "loopback" },
		{ "::0.0.1.2", NULL, "unspecified" },
		{ "64:ff9b::169.254.169.254", NULL, "metadata" },
		{ "2002:7f00:1::", NULL, "loopback" },
		{ "2002:cb00:7101::", "2002:cb00:7101::", NULL },
		{ "64:ff9b::cb00:7101", "64:ff9b::cb00:7101", NULL },
		{ "100.100.100.200", NULL, "metadata" },
		{ "fd00:ec2::254", NULL, "metadata" },
		{ "fe80::1", NULL, "link-local" },
		{ "0.0.0.0", NULL, "unspecified" },
		{ "::", NULL, "unspecified" },
		{ "224.0.0.1", NULL, "multicast" },
		{ "255.255.255.255", NULL, "broadcast" },
		{ "localhost", NULL, "full name" },
		{ "db.localhost", NULL, "WAF node itself" },
		{ "metadata.google.internal", NULL, "metadata" },
		{ "2130706433", NULL, "not a valid" },
		{ "127.1", NULL, "not a valid" },
		{ "0177.0.0.1", NULL, "not a valid" },
		{ "1.2.3.4:80", NULL, "not a valid" },
		{ "", NULL, "empty" },
	};

	(void)state;
	check_text(sitecfg_origin_address, rows, sizeof(rows) / sizeof(rows[0]));
}

static void
test_cidrs(void **state)
{
	static const struct row rows[] = {
		{ "203.0.113.0/24", "203.0.113.0/24", NULL },
		{ "203.0.113.9", "203.0.113.9/32", NULL },
		{ "0.0.0.0/0", "0.0.0.0/0", NULL },
		{ "2001:DB8::/32", "2001:db8::/32", NULL },
		{ "2001:db8::1", "2001:db8::1/128", NULL },
		{ "203.0.113.9/24", NULL, "did you mean 203.0.113.0/24" },
		{ "203.0.113.0/33", NULL, "0-32" },
		{ "203.0.113.0/", NULL, "0-32" },
		{ "203.0.113.0/024", NULL, "0-32" },
		{ "203.0.113.0/-1", NULL, "0-32" },
		{ "2001:db8::/129", NULL, "0-128" },
		{ "203.0.113", NULL, "not an IPv4" },
		{ "example.com/24", NULL, "not an IPv4" },
		{ "/24", NULL, "not an IPv4" },
		{ "", NULL, "empty" },
	};

	(void)state;
	check_text(sitecfg_cidr, rows, sizeof(rows) / sizeof(rows[0]));
	assert_true(sitecfg_cidr_contains("203.0.113.0/24", "203.0.113.77"));
	assert_false(sitecfg_cidr_contains("203.0.113.0/24", "203.0.114.1"));
	assert_false(sitecfg_cidr_contains("203.0.113.0/24", "2001:db8::1"));
	assert_true(sitecfg_cidr_contains("2001:db8::/32", "2001:db8:ffff::1"));
}

/* JSON text in, canonical JSON text out (sorted keys) or a reason. */
static void
check_json(int (*fn)(const json_t *, json_t **, char *, size_t), const struct row *rows,
    size_t n)
{
	char err[256];

	for (size_t i = 0; i < n; i++) {
		json_t *in = json_loads(rows[i].in, 0, NULL), *out = NULL;
		int rc;

		assert_non_null(in);
		rc = fn(in, &out, err, sizeof(err));
		if (rows[i].want) {
			char *text;

			if (rc != 0)
				fail_msg("%s: refused: %s", rows[i].in, err);
			text = json_dumps(out, JSON_COMPACT | JSON_SORT_KEYS);
			assert_string_equal(text, rows[i].want);
			free(text);
		} else {
			if (rc == 0)
				fail_msg("%s: accepted", rows[i].in);
			assert_null(out);
			if (strstr(err, rows[i].why) == NULL)
				fail_msg("%s: reason '%s' lacks '%s'", rows[i].in, err, rows[i].why);
		}
		json_decref(in);
		json_decref(out);
	}
}

static void
test_custom_rules(void **state)
{
	static const struct row rows[] = {
		{ "{\"field\":\"path\",\"operator\":\"prefix\",\"value\":\"/admin\",\"action\":\"block\"}",
		  "{\"action\":\"block\",\"field\":\"path\",\"operator\":\"prefix\",\"value\":\"/admin\"}",
		  NULL },
		{ "{\"name\":\"ua\",\"field\":\"header:User-Agent\",\"operator\":\"regex\","
		  "\"value\":\"^sqlmap\",\"action\":\"log\"}",
		  "{\"action\":\"log\",\"field\":\"header:user-agent\",\"name\":\"ua\","
		  "\"operator\":\"regex\",\"value\":\"^sqlmap\"}", NULL },
		{ "{\"field\":\"client_ip\",\"operator\":\"in_cidr\",\"value\":\"203.0.113.0/24,2001:db8::/32\","
		  "\"action\":\"allow\"}",
		  "{\"action\":\"allow\",\"field\":\"client_ip\",\"operator\":\"in_cidr\","
		  "\"value\":\"203.0.113.0/24,2001:db8::/32\"}", NULL },
		{ "{\"field\":\"body\",\"operator\":\"length_gt\",\"value\":\"262143\",\"action\":\"block\"}",
		  "{\"action\":\"block\",\"field\":\"body\",\"operator\":\"length_gt\",\"value\":\"262143\"}",
		  NULL },
		/* Beyond what a node inspects, and patterns a node cannot compile
		 * (they would make every node refuse the whole bundle). */
		{ "{\"field\":\"body\",\"operator\":\"length_gt\",\"value\":\"999999999\",\"action\":\"block\"}",
		  NULL, "256 KiB" },
		{ "{\"field\":\"path\",\"operator\":\"regex\",\"value\":\"\\\\x{100}\",\"action\":\"block\"}",
		  NULL, "not a valid regular expression" },
		{ "{\"field\":\"path\",\"operator\":\"regex\",\"value\":\"a\\\\Cb\",\"action\":\"block\"}",
		  NULL, "not a valid regular expression" },
		{ "{\"field\":\"path\",\"operator\":\"like\",\"value\":\"x\",\"action\":\"block\"}", NULL,
		  "operator: unknown 'like'" },
		{ "{\"field\":\"path\",\"operator\":\"regex\",\"value\":\"(a\",\"action\":\"block\"}", NULL,
		  "not a valid regular expression" },
		{ "{\"field\":\"path\",\"operator\":\"in_cidr\",\"value\":\"10.0.0.0/8\",\"action\":\"block\"}",
		  NULL, "client_ip only" },
		{ "{\"field\":\"client_ip\",\"operator\":\"contains\",\"value\":\"10.\",\"action\":\"block\"}",
		  NULL, "client_ip takes" },
		{ "{\"field\":\"client_ip\",\"operator\":\"equals\",\"value\":\"10.0.0.0/8\",\"action\":\"block\"}",
		  NULL, "one IP address" },
		{ "{\"field\":\"client_ip\",\"operator\":\"in_cidr\",\"value\":\"10.0.0.1/8\",\"action\":\"block\"}",
		  NULL, "host bits" },
		{ "{\"field\":\"header\",\"operator\":\"equals\",\"value\":\"x\",\"action\":\"block\"}", NULL,
		  "header:NAME" },
		{ "{\"field\":\"path:x\",\"operator\":\"equals\",\"value\":\"x\",\"action\":\"block\"}", NULL,
		  "takes no name" },
		{ "{\"field\":\"header:a b\",\"operator\":\"equals\",\"value\":\"x\",\"action\":\"block\"}", NULL,
		  "token characters" },
		{ "{\"field\":\"host\",\"operator\":\"equals\",\"value\":\"x\",\"action\":\"block\"}", NULL,
		  "unknown field 'host'" },
		{ "{\"field\":\"body\",\"operator\":\"length_gt\",\"value\":\"-1\",\"action\":\"block\"}", NULL,
		  "whole number" },
		{ "{\"field\":\"path\",\"operator\":\"equals\",\"value\":\"\",\"action\":\"block\"}", NULL,
		  "value: 1-1024" },
		{ "{\"field\":\"path\",\"operator\":\"equals\",\"value\":\"/\",\"action\":\"drop\"}", NULL,
		  "action: expected" },
		{ "{\"field\":\"path\",\"operator\":\"equals\",\"value\":\"/\",\"action\":\"block\",\"x\":\"1\"}",
		  NULL, "unknown member 'x'" },
		{ "{\"field\":\"path\",\"operator\":\"equals\",\"value\":1,\"action\":\"block\"}", NULL,
		  "must be a string" },
		{ "[]", NULL, "must be an object" },
	};

	(void)state;
	check_json(sitecfg_custom_rule, rows, sizeof(rows) / sizeof(rows[0]));
}

static void
test_exceptions(void **state)
{
	static const struct row rows[] = {
		{ "{\"rule_id\":\"sqli-942100\"}", "{\"rule_id\":\"sqli-942100\"}", NULL },
		{ "{\"category\":\"xss\",\"path_prefix\":\"/cms/edit\",\"field\":\"arg:content\","
		  "\"note\":\"rich text editor\"}",
		  "{\"category\":\"xss\",\"field\":\"arg:content\",\"note\":\"rich text editor\","
		  "\"path_prefix\":\"/cms/edit\"}", NULL },
		{ "{}", NULL, "rule_id or category" },
		{ "{\"category\":\"sql\"}", NULL, "category: unknown 'sql'" },
		{ "{\"rule_id\":\"a b\"}", NULL, "rule_id: 1-31" },
		{ "{\"rule_id\":\"x\",\"path_prefix\":\"cms\"}", NULL, "starting with '/'" },
		{ "{\"rule_id\":\"x\",\"path_prefix\":\"/a?b\"}", NULL, "starting with '/'" },
		{ "{\"rule_id\":\"x\",\"field\":\"cookie\"}", NULL, "cookie:NAME" },
		{ "{\"rule_id\":\"x\",\"severity\":\"low\"}", NULL, "unknown member 'severity'" },
	};

	(void)state;
	check_json(sitecfg_exception, rows, sizeof(rows) / sizeof(rows[0]));
}

static void
test_waf_events(void **state)
{
	static const struct {
		const char *type;
		const char *payload;
		const char *why;	/* NULL: accepted */
	} rows[] = {
		{ "waf.attack", "{\"site_id\":3,\"rule_id\":\"sqli-942100\",\"category\":\"sqli\","
		  "\"severity\":\"high\",\"action\":\"block\",\"client_ip\":\"198.51.100.7\","
		  "\"method\":\"GET\",\"uri\":\"/q?id=1\",\"excerpt\":\"1 OR 1=1\","
		  "\"request_id\":\"r-1\",\"score\":25}", NULL },
		{ "waf.stats", "{\"site_id\":3,\"requests\":1000,\"blocked\":12,\"period_s\":60}", NULL },
		{ "waf.attack", "{\"site_id\":3}", "payload.rule_id: required" },
		{ "waf.attack", "{\"site_id\":3,\"rule_id\":\"x\",\"category\":\"sqlx\","
		  "\"severity\":\"high\",\"action\":\"block\",\"client_ip\":\"198.51.100.7\","
		  "\"method\":\"GET\",\"uri\":\"/\",\"excerpt\":\"\",\"request_id\":\"r\"}",
		  "unknown category" },
		{ "waf.attack", "{\"site_id\":3,\"rule_id\":\"x\",\"category\":\"sqli\","
		  "\"severity\":\"high\",\"action\":\"block\",\"client_ip\":\"not-an-ip\","
		  "\"method\":\"GET\",\"uri\":\"/\",\"excerpt\":\"\",\"request_id\":\"r\"}",
		  "client_ip: not an IP address" },
		{ "waf.attack", "{\"site_id\":3,\"rule_id\":\"x\",\"category\":\"sqli\","
		  "\"severity\":\"high\",\"action\":\"block\",\"client_ip\":\"1.2.3.4\","
		  "\"method\":\"GET\",\"uri\":\"/\\n\",\"excerpt\":\"\",\"request_id\":\"r\"}",
		  "control characters" },
		{ "waf.stats", "{\"site_id\":0,\"requests\":1,\"blocked\":0}", "site_id: an integer" },
		{ "waf.stats", "{\"site_id\":1,\"requests\":-1,\"blocked\":0}", "requests: an integer" },
		{ "waf.stats", "{\"site_id\":1,\"requests\":1,\"blocked\":0,\"tenant_id\":2}",
		  "unknown member 'tenant_id'" },
		{ "waf.other", "{}", "unknown WAF event type" },
	};
	char err[256];

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		json_t *p = json_loads(rows[i].payload, 0, NULL);
		int rc;

		assert_non_null(p);
		rc = sitecfg_waf_event(rows[i].type, p, err, sizeof(err));
		if (rows[i].why == NULL && rc != 0)
			fail_msg("%zu: refused: %s", i, err);
		if (rows[i].why && (rc == 0 || strstr(err, rows[i].why) == NULL))
			fail_msg("%zu: rc %d, reason '%s' lacks '%s'", i, rc, rc ? err : "",
			    rows[i].why);
		json_decref(p);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_domains),
		cmocka_unit_test(test_origins),
		cmocka_unit_test(test_cidrs),
		cmocka_unit_test(test_custom_rules),
		cmocka_unit_test(test_exceptions),
		cmocka_unit_test(test_waf_events),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
