/*
 * test_cc: CC protection and IP lists as a site owner sees them. A client
 * gets its burst, then 429 for the block period, then service again; a
 * path limit blocks one path only; other clients and sites are unaffected;
 * a flood of a million addresses neither grows the table nor frees a
 * blocked client. Allow/deny lists match IPv4 and IPv6 CIDR blocks, and
 * IPv4-mapped IPv6 clients match IPv4 entries.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cc.h"
#include "iplist.h"

static void
ip(const char *s, uint8_t out[16])
{
	assert_int_equal(iplist_addr_parse(s, out), 0);
}

static int64_t
req(struct cc_table *t, const struct cc_policy *p, uint64_t site, const char *addr, const char *path,
    int64_t now, bool *started)
{
	uint8_t a[16];

	ip(addr, a);
	return cc_check(t, p, site, a, path, strlen(path), now, started);
}

static void
test_burst_then_block_then_expiry(void **state)
{
	struct cc_table *t = cc_new(4096);
	struct cc_policy p = { .ip_rate = 2, .ip_burst = 5, .block_ms = 3000 };
	bool started;

	(void)state;
	for (int i = 0; i < 5; i++)
		assert_int_equal(req(t, &p, 1, "192.0.2.1", "/", 1000, &started), 0);
	assert_int_equal(req(t, &p, 1, "192.0.2.1", "/", 1000, &started), 3000);
	assert_true(started);
	/* still blocked, and the block does not restart */
	assert_int_equal(req(t, &p, 1, "192.0.2.1", "/", 2500, &started), 1500);
	assert_false(started);
	/* other clients and other sites have their own buckets */
	assert_int_equal(req(t, &p, 1, "192.0.2.2", "/", 2500, &started), 0);
	assert_int_equal(req(t, &p, 2, "192.0.2.1", "/", 2500, &started), 0);
	/* after the block: a full bucket again */
	for (int i = 0; i < 5; i++)
		assert_int_equal(req(t, &p, 1, "192.0.2.1", "/", 4000, &started), 0);
	/* refill at the rate: 2 per second */
	assert_true(req(t, &p, 1, "192.0.2.1", "/", 4000, &started) > 0);
	cc_free(t);
}

static void
test_refill(void **state)
{
	struct cc_table *t = cc_new(1024);
	struct cc_policy p = { .ip_rate = 10, .ip_burst = 1, .block_ms = 100 };
	bool started;

	(void)state;
	/* one request per 100 ms at 10/s never runs dry */
	for (int64_t now = 0; now < 5000; now += 100)
		assert_int_equal(req(t, &p, 1, "2001:db8::1", "/", now, &started), 0);
	cc_free(t);
}

static void
test_path_limit_blocks_one_path(void **state)
{
	struct cc_table *t = cc_new(1024);
	struct cc_policy p = { .ip_rate = 1000, .ip_burst = 1000, .url_rate = 1, .url_burst = 3,
	    .block_ms = 10000 };
	bool started;

	(void)state;
	for (int i = 0; i < 3; i++)
		assert_int_equal(req(t, &p, 1, "198.51.100.7", "/login", 0, &started), 0);
	assert_true(req(t, &p, 1, "198.51.100.7", "/login", 0, &started) > 0);
	assert_int_equal(req(t, &p, 1, "198.51.100.7", "/home", 0, &started), 0);
	assert_int_equal(req(t, &p, 1, "198.51.100.8", "/login", 0, &started), 0);
	cc_free(t);
}

static void
test_flood_keeps_size_and_blocks(void **state)
{
	struct cc_table *t = cc_new(8192);
	struct cc_policy p = { .ip_rate = 1, .ip_burst = 2, .block_ms = 60000 };
	size_t cap = cc_capacity(t);
	bool started;
	char a[64];

	(void)state;
	for (int i = 0; i < 3; i++)
		req(t, &p, 1, "203.0.113.9", "/", 0, &started);
	assert_true(req(t, &p, 1, "203.0.113.9", "/", 0, &started) > 0);
	for (unsigned i = 0; i < 1000000; i++) {
		snprintf(a, sizeof(a), "10.%u.%u.%u", (i >> 16) & 255, (i >> 8) & 255, i & 255);
		req(t, &p, 1, a, "/", 1000 + i / 1000, &started);
	}
	assert_int_equal(cc_capacity(t), cap);
	assert_true(req(t, &p, 1, "203.0.113.9", "/", 2000, &started) > 0);
	cc_free(t);
}

static void
test_iplist(void **state)
{
	json_t *arr = json_pack("[sssss]", "192.0.2.0/24", "10.1.2.3/8", "2001:db8::/32", "198.51.100.7",
	    "::1");
	char err[256];
	struct iplist *l = iplist_from_json(arr, err, sizeof(err));
	uint8_t a[16];

	(void)state;
	assert_non_null(l);
	assert_int_equal(iplist_count(l), 5);
	ip("192.0.2.200", a);
	assert_true(iplist_match(l, a));
	ip("::ffff:192.0.2.1", a);
	assert_true(iplist_match(l, a));
	ip("192.0.3.1", a);
	assert_false(iplist_match(l, a));
	ip("10.200.0.1", a);
	assert_true(iplist_match(l, a));
	ip("2001:db8:ffff::5", a);
	assert_true(iplist_match(l, a));
	ip("2001:db9::5", a);
	assert_false(iplist_match(l, a));
	ip("198.51.100.7", a);
	assert_true(iplist_match(l, a));
	ip("198.51.100.8", a);
	assert_false(iplist_match(l, a));
	ip("::1", a);
	assert_true(iplist_match(l, a));
	assert_false(iplist_match(NULL, a));
	iplist_free(l);
	json_decref(arr);
	for (size_t i = 0; i < 6; i++) {
		static const char *bad[] = { "300.1.1.1", "10.0.0.0/33", "2001:db8::/129", "host.example",
		    "10.0.0.0/", "1.2.3.4/8x" };

		arr = json_pack("[s]", bad[i]);
		assert_null(iplist_from_json(arr, err, sizeof(err)));
		assert_non_null(strstr(err, bad[i]));
		json_decref(arr);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_burst_then_block_then_expiry),
		cmocka_unit_test(test_refill),
		cmocka_unit_test(test_path_limit_blocks_one_path),
		cmocka_unit_test(test_flood_keeps_size_and_blocks),
		cmocka_unit_test(test_iplist),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
