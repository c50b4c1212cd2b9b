/*
 * test_portscan: the port-list parser (good and bad specs) and the connect
 * scan against listeners this test opens on 127.0.0.1: exactly the open
 * ports are reported, closed ones are not, and cancellation, the rate limit
 * and progress behave as a caller driving a scan from a worker would see.
 */
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "netfx.h"
#include "portscan.h"

static void
test_spec_good(void **state)
{
	uint16_t *p;
	size_t n;
	char err[256];

	(void)state;
	assert_int_equal(portscan_parse_spec("1-1024,3306,8080-8090", &p, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 1024 + 1 + 11);
	assert_int_equal(p[0], 1);
	assert_int_equal(p[1023], 1024);
	assert_int_equal(p[1024], 3306);
	assert_int_equal(p[n - 1], 8090);
	free(p);
	/* Overlaps and disorder collapse into one ascending list. */
	assert_int_equal(portscan_parse_spec("80,22,80,20-25,65535", &p, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 8);
	assert_int_equal(p[0], 20);
	assert_int_equal(p[5], 25);
	assert_int_equal(p[6], 80);
	assert_int_equal(p[7], 65535);
	free(p);
	assert_int_equal(portscan_parse_spec("1-65535", &p, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 65535);
	free(p);
	assert_int_equal(portscan_parse_spec("7-7", &p, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 1);
	free(p);
}

static void
test_spec_bad(void **state)
{
	static const char *const bad[] = {
		"", "0", "65536", "1-65536", "100-10", "80,", ",80", "80,,81",
		"a", "80-", "-80", " 80", "80 ", "+80", "1--2", "0-10",
		"000000080", "99999999999999999999", "80;81", "1-2-3",
	};
	uint16_t *p = (uint16_t *)1;
	size_t n = 9;
	char err[256];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		if (portscan_parse_spec(bad[i], &p, &n, err, sizeof(err)) != -1)
			fail_msg("spec '%s' accepted", bad[i]);
		assert_null(p);
		assert_int_equal(n, 0);
		assert_non_null(strstr(err, "port spec"));
	}
}

static void
test_loopback(void **state)
{
	struct sockaddr_storage ss;
	socklen_t l;
	char err[128];

	(void)state;
	assert_int_equal(portscan_resolve("127.0.0.1", &ss, &l, err, sizeof(err)), 0);
	assert_true(portscan_is_loopback((struct sockaddr *)&ss));
	assert_int_equal(portscan_resolve("127.8.9.10", &ss, &l, err, sizeof(err)), 0);
	assert_true(portscan_is_loopback((struct sockaddr *)&ss));
	assert_int_equal(portscan_resolve("::1", &ss, &l, err, sizeof(err)), 0);
	assert_true(portscan_is_loopback((struct sockaddr *)&ss));
	assert_int_equal(portscan_resolve("::ffff:127.0.0.1", &ss, &l, err, sizeof(err)), 0);
	assert_true(portscan_is_loopback((struct sockaddr *)&ss));
	assert_int_equal(portscan_resolve("10.1.2.3", &ss, &l, err, sizeof(err)), 0);
	assert_false(portscan_is_loopback((struct sockaddr *)&ss));
	assert_int_equal(portscan_resolve("128.0.0.1", &ss, &l, err, sizeof(err)), 0);
	assert_false(portscan_is_loopback((struct sockaddr *)&ss));
	assert_int_equal(portscan_resolve("2001:db8::1", &ss, &l, err, sizeof(err)), 0);
	assert_false(portscan_is_loopback((struct sockaddr *)&ss));
	assert_int_equal(portscan_resolve("", &ss, &l, err, sizeof(err)), -1);
}

struct progress { size_t calls, last_done, total; };

static void
on_progress(void *arg, size_t done, size_t total, size_t open)
{
	struct progress *p = arg;

	(void)open;
	assert_true(done >= p->last_done);
	p->calls++;
	p->last_done = done;
	p->total = total;
}

#define NOPEN 5

/* Opens NOPEN listeners and finds closed ports (bound then released)
 * around them; scans both and expects exactly the listeners. With syn,
 * the SYN scan (skipped without CAP_NET_RAW), which must leave no
 * completed connection in the listeners' accept queues. */
static void
scan_exact(bool syn)
{
	int fds[NOPEN], cfd[NOPEN];
	uint16_t open[NOPEN], closed[NOPEN], list[2 * NOPEN];
	struct sockaddr_storage ss;
	socklen_t l;
	struct portscan_result r;
	struct progress pr = { 0 };
	struct portscan_opts o = { .concurrency = 4, .timeout_ms = 2000,
	    .progress = on_progress, .progress_arg = &pr, .syn = syn };
	char err[256];

	for (int i = 0; i < NOPEN; i++) {
		fds[i] = netfx_listen(&open[i]);
		assert_true(fds[i] >= 0);
		cfd[i] = netfx_listen(&closed[i]);
		assert_true(cfd[i] >= 0);
	}
	for (int i = 0; i < NOPEN; i++)
		close(cfd[i]);
	for (int i = 0; i < NOPEN; i++) {
		list[2 * i] = closed[i];
		list[2 * i + 1] = open[i];
	}
	assert_int_equal(portscan_resolve("127.0.0.1", &ss, &l, err, sizeof(err)), 0);
	assert_int_equal(portscan_run((struct sockaddr *)&ss, l, list, 2 * NOPEN,
	    &o, &r, err, sizeof(err)), 0);
	if (syn && !r.syn) {
		portscan_result_free(&r);
		for (int i = 0; i < NOPEN; i++)
			close(fds[i]);
		skip();	/* no CAP_NET_RAW: the connect scan ran instead */
	}
	assert_int_equal(r.syn, syn);
	assert_false(r.cancelled);
	assert_int_equal(r.done, 2 * NOPEN);
	assert_int_equal(r.n_open, NOPEN);
	for (size_t i = 1; i < r.n_open; i++)
		assert_true(r.open[i - 1] < r.open[i]);
	for (int i = 0; i < NOPEN; i++) {
		int found = 0;
		for (size_t j = 0; j < r.n_open; j++)
			found += r.open[j] == open[i];
		assert_int_equal(found, 1);
	}
	assert_true(pr.calls >= 1);
	assert_int_equal(pr.last_done, 2 * NOPEN);
	assert_int_equal(pr.total, 2 * NOPEN);
	portscan_result_free(&r);

	/* The same over IPv6 loopback when the host has it: nothing is open
	 * there, since the listeners are IPv4 only. */
	o.progress = NULL;
	if (portscan_resolve("::1", &ss, &l, err, sizeof(err)) == 0) {
		int rc = portscan_run((struct sockaddr *)&ss, l, list, 2 * NOPEN,
		    &o, &r, err, sizeof(err));
		if (rc == 0) {
			assert_int_equal(r.n_open, 0);
			portscan_result_free(&r);
		}
	}

	/* All ports with three threads: ours are among the open ones (other
	 * programs on this host may listen too), the closed ones are not. */
	o.threads = 3;
	o.concurrency = 300;
	assert_int_equal(portscan_resolve("127.0.0.1", &ss, &l, err, sizeof(err)), 0);
	{
		uint16_t *all;
		size_t nall;

		assert_int_equal(portscan_parse_spec("1-65535", &all, &nall, err, sizeof(err)), 0);
		assert_int_equal(portscan_run((struct sockaddr *)&ss, l, all, nall, &o, &r,
		    err, sizeof(err)), 0);
		free(all);
	}
	assert_int_equal(r.done, 65535);
	assert_false(r.cancelled);
	for (size_t i = 1; i < r.n_open; i++)
		assert_true(r.open[i - 1] < r.open[i]);
	for (int i = 0; i < NOPEN; i++) {
		int found_open = 0, found_closed = 0;
		for (size_t j = 0; j < r.n_open; j++) {
			found_open += r.open[j] == open[i];
			found_closed += r.open[j] == closed[i];
		}
		assert_int_equal(found_open, 1);
		assert_int_equal(found_closed, 0);
	}
	portscan_result_free(&r);
	for (int i = 0; i < NOPEN; i++) {
		/* Half-open: the SYN scan completed no connection. */
		if (syn) {
			struct pollfd pfd = { .fd = fds[i], .events = POLLIN };

			assert_int_equal(poll(&pfd, 1, 0), 0);
		}
		close(fds[i]);
	}
}

static void
test_scan_exact(void **state)
{
	(void)state;
	scan_exact(false);
}

static void
test_syn_scan_exact(void **state)
{
	(void)state;
	scan_exact(true);
}

static void
cancel_at_half(void *arg, size_t done, size_t total, size_t open)
{
	(void)open;
	if (done * 2 >= total)
		atomic_store((atomic_bool *)arg, true);
}

static void
test_cancel_and_rate(void **state)
{
	atomic_bool cancel = false;
	struct sockaddr_storage ss;
	socklen_t l;
	struct portscan_result r;
	uint16_t *ports;
	size_t n;
	struct timespec a, b;
	double secs;
	char err[256];
	struct portscan_opts o = { .concurrency = 64, .timeout_ms = 500,
	    .cancel = &cancel, .progress = cancel_at_half, .progress_arg = &cancel };

	(void)state;
	assert_int_equal(portscan_resolve("127.0.0.1", &ss, &l, err, sizeof(err)), 0);
	assert_int_equal(portscan_parse_spec("1-20000", &ports, &n, err, sizeof(err)), 0);
	assert_int_equal(portscan_run((struct sockaddr *)&ss, l, ports, n, &o, &r,
	    err, sizeof(err)), 0);
	assert_true(r.cancelled);
	assert_true(r.done < n);
	portscan_result_free(&r);
	free(ports);

	/* 100 connects at 200/s take about half a second, not less. */
	atomic_store(&cancel, false);
	o.progress = NULL;
	o.rate = 200;
	assert_int_equal(portscan_parse_spec("40001-40100", &ports, &n, err, sizeof(err)), 0);
	clock_gettime(CLOCK_MONOTONIC, &a);
	assert_int_equal(portscan_run((struct sockaddr *)&ss, l, ports, n, &o, &r,
	    err, sizeof(err)), 0);
	clock_gettime(CLOCK_MONOTONIC, &b);
	secs = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
	assert_int_equal(r.done, 100);
	assert_true(secs >= 0.45);
	assert_true(secs < 5.0);
	portscan_result_free(&r);
	free(ports);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spec_good),
		cmocka_unit_test(test_spec_bad),
		cmocka_unit_test(test_loopback),
		cmocka_unit_test(test_scan_exact),
		cmocka_unit_test(test_syn_scan_exact),
		cmocka_unit_test(test_cancel_and_rate),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
