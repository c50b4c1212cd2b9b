/*
 * test_siteconf: how yunshou-waf picks a site for a Host or SNI name and
 * which configurations it refuses. Exact names and "*.name" wildcards
 * (at least one more label, never the bare name), ports, a trailing dot,
 * IPv6 literals and case do not change the answer; limits default sanely
 * and bad values are refused with the key's name.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "siteconf.h"

#define RULES YS_SOURCE_DIR "/rules/waf"

/* The proxy defines the SNI callback; these tests never handshake. */
int
siteconf_sni_cb(SSL *ssl, int *alert, void *arg)
{
	(void)ssl;
	(void)alert;
	(void)arg;
	return SSL_TLSEXT_ERR_NOACK;
}

static struct siteconf *
load(const char *text, char *err, size_t errlen)
{
	json_error_t je;
	json_t *root = json_loads(text, 0, &je);
	struct siteconf *c;

	assert_non_null(root);
	c = siteconf_from_json(root, RULES, err, errlen);
	json_decref(root);
	return c;
}

static int64_t
site_of(struct siteconf *c, const char *host)
{
	struct site *s = siteconf_find(c, host, strlen(host));

	return s != NULL ? s->id : -1;
}

static void
test_host_matching(void **state)
{
	char err[512] = "";
	struct siteconf *c = load("{\"sites\": ["
	    "{\"id\": 1, \"domains\": [\"shop.example.cn\", \"*.shop.example.cn\"],"
	    " \"origins\": [{\"address\": \"127.0.0.1\", \"port\": 8080}]},"
	    "{\"id\": 2, \"domains\": [\"api.example.cn\", \"127.0.0.1\"],"
	    " \"origins\": [{\"address\": \"::1\", \"port\": 443, \"tls\": true}]},"
	    "{\"id\": 3, \"domains\": [\"*.m.shop.example.cn\", \"pay.shop.example.cn\"],"
	    " \"origins\": [{\"address\": \"127.0.0.1\", \"port\": 8081}]}]}", err, sizeof(err));

	(void)state;
	if (c == NULL)
		fail_msg("%s", err);
	assert_int_equal(site_of(c, "shop.example.cn"), 1);
	assert_int_equal(site_of(c, "SHOP.Example.CN"), 1);
	assert_int_equal(site_of(c, "shop.example.cn:8443"), 1);
	assert_int_equal(site_of(c, "shop.example.cn."), 1);
	assert_int_equal(site_of(c, "m.shop.example.cn"), 1);
	assert_int_equal(site_of(c, "a.b.shop.example.cn"), 1);
	/* an exact name wins over a wildcard, a longer wildcard over a shorter */
	assert_int_equal(site_of(c, "pay.shop.example.cn"), 3);
	assert_int_equal(site_of(c, "a.m.shop.example.cn"), 3);
	assert_int_equal(site_of(c, "m.shop.example.cn"), 1);
	assert_int_equal(site_of(c, "xshop.example.cn"), -1);
	assert_int_equal(site_of(c, "example.cn"), -1);
	assert_int_equal(site_of(c, "api.example.cn"), 2);
	assert_int_equal(site_of(c, "127.0.0.1:80"), 2);
	assert_int_equal(site_of(c, "[::1]:443"), -1);
	assert_int_equal(site_of(c, ""), -1);
	assert_int_equal(c->sites[1].origins[0].tls, 1);
	assert_int_equal(c->sites[0].origins[0].healthy, 1);
	/* defaults */
	assert_int_equal(c->lim.http.max_headers, 100);
	assert_int_equal(c->lim.inspect_body, 1 << 20);
	assert_int_equal(c->lim.over_cap, OVER_CAP_REJECT);
	assert_null(c->tls_default);
	siteconf_unref(c);
}

static void
test_refused(void **state)
{
	static const struct {
		const char *json;
		const char *why;
	} bad[] = {
		{ "{\"sites\": {}}", "\"sites\" array" },
		{ "{\"sites\": [{\"id\": \"1\"}]}", "integer \"id\"" },
		{ "{\"sites\": [{\"id\": 1, \"domains\": [\"a.example\"], \"origins\": []}]}", "origins" },
		{ "{\"sites\": [{\"id\": 1, \"domains\": [\"*a.example\"], \"origins\": "
		  "[{\"address\": \"127.0.0.1\", \"port\": 1}]}]}", "not a host name" },
		{ "{\"sites\": [{\"id\": 1, \"domains\": [\"a.example\"], \"origins\": "
		  "[{\"address\": \"127.0.0.1\", \"port\": 70000}]}]}", "1-65535" },
		{ "{\"sites\": [{\"id\": 1, \"domains\": [\"a.example\"], \"origins\": "
		  "[{\"address\": \"no-such-host.invalid\", \"port\": 80}]}]}", "no-such-host.invalid" },
		{ "{\"sites\": [{\"id\": 1, \"domains\": [\"a.example\"], \"origins\": "
		  "[{\"address\": \"127.0.0.1\", \"port\": 80}], \"tls\": {\"cert_pem\": \"x\", "
		  "\"key_pem\": \"y\"}}]}", "certificate" },
		{ "{\"sites\": [{\"id\": 1, \"domains\": [\"a.example\"], \"origins\": "
		  "[{\"address\": \"127.0.0.1\", \"port\": 80}], \"health_check\": {\"path\": \"x\"}}]}",
		  "health_check" },
		{ "{\"limits\": {\"body_over_cap\": \"drop\"}, \"sites\": []}", "body_over_cap" },
		{ "{\"sites\": [{\"id\": 1, \"domains\": [\"A.example\"], \"origins\": "
		  "[{\"address\": \"127.0.0.1\", \"port\": 80}]}, {\"id\": 2, \"domains\": "
		  "[\"a.example\"], \"origins\": [{\"address\": \"127.0.0.1\", \"port\": 80}]}]}",
		  "domain a.example is in sites 1 and 2" },
		{ "{\"limits\": {\"header_timeout_ms\": 1}, \"sites\": []}", "limits.header_timeout_ms" },
	};
	char err[512];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		assert_null(load(bad[i].json, err, sizeof(err)));
		if (strstr(err, bad[i].why) == NULL)
			fail_msg("config %zu: \"%s\" does not say %s", i, err, bad[i].why);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_host_matching),
		cmocka_unit_test(test_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
