/*
 * test_ratelimit: login and registration throttling as a client meets it.
 * A bucket of N lets N requests through, then tells the client how long to
 * wait; buckets refill with time; other addresses and other purposes have
 * buckets of their own, even while a flood of addresses passes through.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "ratelimit.h"

static int
setup(void **state)
{
	return (*state = ratelimit_new()) != NULL ? 0 : -1;
}

static int
teardown(void **state)
{
	ratelimit_free(*state);
	return 0;
}

static void
test_bucket_allows_n_then_waits(void **state)
{
	struct ratelimit *rl = *state;
	int64_t wait;

	for (int i = 0; i < 5; i++)
		assert_int_equal(ratelimit_take(rl, "login", "192.0.2.1", 5, 60), 0);
	wait = ratelimit_take(rl, "login", "192.0.2.1", 5, 60);
	/* One token comes back every 12 s. */
	assert_true(wait > 0);
	assert_true(wait <= 13);
	/* Still refused, and asking does not earn a token. */
	assert_true(ratelimit_take(rl, "login", "192.0.2.1", 5, 60) > 0);
}

static void
test_sources_and_purposes_independent(void **state)
{
	struct ratelimit *rl = *state;

	for (int i = 0; i < 3; i++)
		assert_int_equal(ratelimit_take(rl, "login", "192.0.2.1", 3, 60), 0);
	assert_true(ratelimit_take(rl, "login", "192.0.2.1", 3, 60) > 0);
	assert_int_equal(ratelimit_take(rl, "login", "192.0.2.2", 3, 60), 0);
	assert_int_equal(ratelimit_take(rl, "register", "192.0.2.1", 3, 60), 0);
	/* Neither the purpose nor the address can be shifted into the other. */
	assert_int_equal(ratelimit_take(rl, "login1", "92.0.2.1", 3, 60), 0);
	assert_true(ratelimit_take(rl, "login", "192.0.2.1", 3, 60) > 0);
}

static void
test_refill(void **state)
{
	struct ratelimit *rl = *state;
	struct timespec ts = { 0, 60 * 1000 * 1000 };

	/* 100 per second: the bucket is empty after 100, full again soon. */
	for (int i = 0; i < 100; i++)
		assert_int_equal(ratelimit_take(rl, "login", "198.51.100.1", 100, 1), 0);
	assert_int_equal(ratelimit_take(rl, "login", "198.51.100.1", 100, 1), 1);
	nanosleep(&ts, NULL);
	assert_int_equal(ratelimit_take(rl, "login", "198.51.100.1", 100, 1), 0);
}

static void
test_flood_of_addresses(void **state)
{
	struct ratelimit *rl = *state;
	char addr[32];

	for (int i = 0; i < 2; i++)
		assert_int_equal(ratelimit_take(rl, "login", "203.0.113.5", 2, 3600), 0);
	/* 100000 other addresses, each allowed its first request. */
	for (int i = 0; i < 100000; i++) {
		snprintf(addr, sizeof(addr), "10.%d.%d.%d", i >> 16, (i >> 8) & 255, i & 255);
		assert_int_equal(ratelimit_take(rl, "login", addr, 2, 3600), 0);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_bucket_allows_n_then_waits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sources_and_purposes_independent, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_refill, setup, teardown),
		cmocka_unit_test_setup_teardown(test_flood_of_addresses, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
