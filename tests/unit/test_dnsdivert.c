/*
 * Unit tests of DNS diversion against a real BIND 9 (named from Debian)
 * started on 127.0.0.1 on a free port with its own named.conf, zone and
 * TSIG keys made by tsig-keygen, in a temporary directory removed at the
 * end: switch to the scrubbing address and back, checked with ldns and with
 * dig; SOA serial increments; wrong secret (BADSIG), unknown key (BADKEY),
 * key without update rights (REFUSED) and no server (timeout) fail with a
 * clear message and leave the record alone; the switch latency (update sent
 * -> new answer) is measured and printed. Also the pure diversion decision.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "dnsdivert.h"

#define ZONE "ddos-zone.example."
#define NAME "www.shop.ddos-zone.example."

struct fx {
	char dir[64];
	uint16_t port;
	pid_t named;
	struct scrub_dns cfg;
};

static void
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_true(fputs(text, f) >= 0);
	assert_int_equal(fclose(f), 0);
}

static void
sh(const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	assert_int_equal(system(cmd), 0);
}

static int teardown(void **state);

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	char path[256], conf[2048], err[256];
	uint32_t serial;
	struct dnsdiv *d;

	assert_non_null(f);
	snprintf(f->dir, sizeof(f->dir), "/tmp/ys-dnsdiv-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	f->port = (uint16_t)(20000 + getpid() % 20000);
	sh("tsig-keygen -a hmac-sha256 yunshou-ddos > %s/key.conf", f->dir);
	/* Same name, another secret: what a scrubber with a stale key sends. */
	sh("tsig-keygen -a hmac-sha256 yunshou-ddos > %s/wrong.conf", f->dir);
	sh("tsig-keygen -a hmac-sha256 unknown-key > %s/unknown.conf", f->dir);
	/* Known to the server but granted nothing. */
	sh("tsig-keygen -a hmac-sha256 readonly-key > %s/readonly.conf", f->dir);
	snprintf(path, sizeof(path), "%s/zone.db", f->dir);
	write_file(path, "$TTL 300\n"
	    "@ IN SOA ns." ZONE " hostmaster." ZONE " 1 3600 600 86400 30\n"
	    "@ IN NS ns." ZONE "\n"
	    "ns IN A 127.0.0.1\n"
	    "www.shop IN A 10.0.2.10\n");
	snprintf(conf, sizeof(conf),
	    "options {\n directory \"%s\";\n listen-on port %u { 127.0.0.1; };\n"
	    " listen-on-v6 { none; };\n pid-file \"%s/named.pid\";\n"
	    " session-keyfile \"%s/session.key\";\n recursion no;\n"
	    " dnssec-validation no;\n};\n"
	    "controls { };\n"
	    "include \"%s/key.conf\";\ninclude \"%s/readonly.conf\";\n"
	    "zone \"" ZONE "\" {\n type primary;\n file \"%s/zone.db\";\n"
	    " update-policy { grant yunshou-ddos zonesub A; grant yunshou-ddos zonesub AAAA; };\n"
	    "};\n", f->dir, f->port, f->dir, f->dir, f->dir, f->dir, f->dir);
	snprintf(path, sizeof(path), "%s/named.conf", f->dir);
	write_file(path, conf);
	f->named = fork();
	assert_true(f->named >= 0);
	if (f->named == 0) {
		char log[256];

		snprintf(log, sizeof(log), "%s/named.log", f->dir);
		if (freopen(log, "w", stderr) == NULL)
			_exit(127);
		execl("/usr/sbin/named", "named", "-g", "-4", "-n", "1", "-c", path,
		    (char *)NULL);
		_exit(127);
	}
	memset(&f->cfg, 0, sizeof(f->cfg));
	assert_int_equal(scrub_ipaddr_parse("127.0.0.1", &f->cfg.server), 0);
	f->cfg.port = f->port;
	snprintf(f->cfg.zone, sizeof(f->cfg.zone), ZONE);
	snprintf(f->cfg.key_name, sizeof(f->cfg.key_name), "yunshou-ddos.");
	snprintf(f->cfg.secret_ref, sizeof(f->cfg.secret_ref), "file:%s/key.conf", f->dir);
	f->cfg.ttl = 30;
	f->cfg.hold_down_s = 60;
	f->cfg.timeout_ms = 1000;
	d = dnsdiv_open(&f->cfg, err, sizeof(err));
	assert_non_null(d);
	/* named is up when it answers the SOA (at most 20 s). */
	for (int i = 0; i < 200 && dnsdiv_serial(d, &serial, err, sizeof(err)) < 0; i++)
		usleep(100 * 1000);
	if (dnsdiv_serial(d, &serial, err, sizeof(err)) < 0 || serial != 1) {
		fprintf(stderr, "named did not come up: %s\n", err);
		dnsdiv_close(d);
		*state = f;
		teardown(state);
		return -1;
	}
	dnsdiv_close(d);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;
	int status;

	kill(f->named, SIGTERM);
	waitpid(f->named, &status, 0);
	sh("rm -rf '%s'", f->dir);
	free(f);
	return 0;
}

static void
expect_answer(struct dnsdiv *d, const char *want, uint32_t want_ttl)
{
	struct scrub_ipaddr got[4];
	char err[256], a[64];
	size_t n;
	uint32_t ttl;

	assert_int_equal(dnsdiv_query(d, NAME, got, 4, &n, &ttl, err, sizeof(err)), 0);
	assert_int_equal(n, 1);
	assert_string_equal(scrub_ipaddr_str(&got[0], a, sizeof(a)), want);
	assert_int_equal(ttl, want_ttl);
}

/* An independent check with dig from bind9-dnsutils. */
static void
expect_dig(const struct fx *f, const char *type, const char *want)
{
	char cmd[256], out[256] = "";
	FILE *p;

	snprintf(cmd, sizeof(cmd), "dig @127.0.0.1 -p %u +short +norecurse %s %s", f->port,
	    NAME, type);
	p = popen(cmd, "r");
	assert_non_null(p);
	if (fgets(out, sizeof(out), p) == NULL)
		out[0] = '\0';
	pclose(p);
	out[strcspn(out, "\n")] = '\0';
	assert_string_equal(out, want);
}

static int
cmpd(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void
test_switch_and_back(void **state)
{
	struct fx *f = *state;
	struct scrub_ipaddr scrub, origin[2];
	struct dnsdiv_result r;
	char err[256] = "";
	struct dnsdiv *d = dnsdiv_open(&f->cfg, err, sizeof(err));
	double lat[20];

	assert_non_null(d);
	expect_answer(d, "10.0.2.10", 300);
	assert_int_equal(scrub_ipaddr_parse("203.0.113.10", &scrub), 0);
	assert_int_equal(dnsdiv_set(d, NAME, &scrub, 1, &r, err, sizeof(err)), 0);
	assert_true(r.serial_after > r.serial_before);
	expect_answer(d, "203.0.113.10", 30);
	expect_dig(f, "A", "203.0.113.10");
	printf("dns switch to scrubbing: %.2f ms (serial %u -> %u)\n", r.latency_ms,
	    r.serial_before, r.serial_after);
	/* Back to the origin, now with an IPv6 origin too. */
	assert_int_equal(scrub_ipaddr_parse("10.0.2.10", &origin[0]), 0);
	assert_int_equal(scrub_ipaddr_parse("2001:db8:2::10", &origin[1]), 0);
	assert_int_equal(dnsdiv_set(d, NAME, origin, 2, &r, err, sizeof(err)), 0);
	expect_dig(f, "A", "10.0.2.10");
	expect_dig(f, "AAAA", "2001:db8:2::10");
	printf("dns switch back to origin: %.2f ms\n", r.latency_ms);
	/* Latency over 20 switches. */
	for (int i = 0; i < 20; i++) {
		assert_int_equal(dnsdiv_set(d, NAME, i % 2 ? origin : &scrub, 1, &r, err,
		    sizeof(err)), 0);
		lat[i] = r.latency_ms;
	}
	qsort(lat, 20, sizeof(double), cmpd);
	printf("dns switch latency over 20 updates (update sent -> answer visible): "
	    "median %.2f ms, max %.2f ms\n", lat[10], lat[19]);
	dnsdiv_close(d);
}

/* A failed update: message contains want, the record is still origin. */
static void
expect_refused(struct fx *f, const char *ref, const char *key, const char *want)
{
	struct scrub_dns cfg = f->cfg;
	struct scrub_ipaddr scrub;
	struct dnsdiv_result r;
	char err[256] = "";
	struct dnsdiv *d;

	snprintf(cfg.secret_ref, sizeof(cfg.secret_ref), "file:%s/%s", f->dir, ref);
	snprintf(cfg.key_name, sizeof(cfg.key_name), "%s", key);
	d = dnsdiv_open(&cfg, err, sizeof(err));
	assert_non_null(d);
	assert_int_equal(scrub_ipaddr_parse("203.0.113.10", &scrub), 0);
	assert_int_equal(dnsdiv_set(d, NAME, &scrub, 1, &r, err, sizeof(err)), -1);
	printf("refused as expected: %s\n", err);
	assert_non_null(strstr(err, want));
	assert_non_null(strstr(err, NAME));
	expect_answer(d, "10.0.2.10", 300);
	dnsdiv_close(d);
}

static void
test_wrong_keys_refused(void **state)
{
	struct fx *f = *state;

	expect_refused(f, "wrong.conf", "yunshou-ddos.", "NOTAUTH (TSIG BADSIG");
	expect_refused(f, "unknown.conf", "unknown-key.", "NOTAUTH (TSIG BADKEY");
	expect_refused(f, "readonly.conf", "readonly-key.", "REFUSED");
}

static void
test_errors(void **state)
{
	struct fx *f = *state;
	struct scrub_dns cfg = f->cfg;
	struct scrub_ipaddr scrub;
	struct dnsdiv_result r;
	char err[256] = "";
	struct dnsdiv *d;
	struct timespec t0, t1;

	snprintf(cfg.secret_ref, sizeof(cfg.secret_ref), "file:%s/missing.key", f->dir);
	assert_null(dnsdiv_open(&cfg, err, sizeof(err)));
	assert_non_null(strstr(err, "cannot open"));
	snprintf(cfg.secret_ref, sizeof(cfg.secret_ref), "file:%s/zone.db", f->dir);
	assert_null(dnsdiv_open(&cfg, err, sizeof(err)));
	assert_non_null(strstr(err, "not a base64 key"));
	/* A key file with several keys: the clause of the configured name. */
	sh("cat %s/readonly.conf %s/key.conf > %s/both.conf", f->dir, f->dir, f->dir);
	snprintf(cfg.secret_ref, sizeof(cfg.secret_ref), "file:%s/both.conf", f->dir);
	d = dnsdiv_open(&cfg, err, sizeof(err));
	assert_non_null(d);
	assert_int_equal(scrub_ipaddr_parse("203.0.113.10", &scrub), 0);
	assert_int_equal(dnsdiv_set(d, NAME, &scrub, 1, &r, err, sizeof(err)), 0);
	dnsdiv_close(d);
	snprintf(cfg.key_name, sizeof(cfg.key_name), "other-key.");
	assert_null(dnsdiv_open(&cfg, err, sizeof(err)));
	assert_non_null(strstr(err, "has no key \"other-key.\""));
	sh("sed 's/hmac-sha256/hmac-md5/' %s/key.conf > %s/md5.conf", f->dir, f->dir);
	snprintf(cfg.key_name, sizeof(cfg.key_name), "yunshou-ddos");
	snprintf(cfg.secret_ref, sizeof(cfg.secret_ref), "file:%s/md5.conf", f->dir);
	assert_null(dnsdiv_open(&cfg, err, sizeof(err)));
	assert_non_null(strstr(err, "is not hmac-sha256"));
	snprintf(cfg.secret_ref, sizeof(cfg.secret_ref), "env:YS_TEST_NO_SUCH_VAR");
	assert_null(dnsdiv_open(&cfg, err, sizeof(err)));
	assert_non_null(strstr(err, "YS_TEST_NO_SUCH_VAR"));
	/* The bare base64 secret from the environment works too. */
	setenv("YS_TEST_TSIG", "c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0", 1);
	snprintf(cfg.secret_ref, sizeof(cfg.secret_ref), "env:YS_TEST_TSIG");
	d = dnsdiv_open(&cfg, err, sizeof(err));
	assert_non_null(d);
	assert_int_equal(scrub_ipaddr_parse("203.0.113.10", &scrub), 0);
	assert_int_equal(dnsdiv_set(d, NAME, &scrub, 1, &r, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "BADSIG"));
	dnsdiv_close(d);
	/* Nothing listens: a timeout, reported as such, within the limit. */
	cfg = f->cfg;
	cfg.port = (uint16_t)(f->port + 1);
	cfg.timeout_ms = 300;
	d = dnsdiv_open(&cfg, err, sizeof(err));
	assert_non_null(d);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(dnsdiv_set(d, NAME, &scrub, 1, &r, err, sizeof(err)), -1);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	assert_non_null(strstr(err, "no answer"));
	assert_true(t1.tv_sec - t0.tv_sec < 3);
	dnsdiv_close(d);
	dnsdiv_close(NULL);
}

static void
test_want(void **state)
{
	(void)state;
	assert_int_equal(dnsdiv_want(SCRUB_DIVERT_ALWAYS_ON, false, 0, 1000, 5000),
	    DNSDIV_SCRUB);
	assert_int_equal(dnsdiv_want(SCRUB_DIVERT_ON_DEMAND, false, 0, 1000, 5000),
	    DNSDIV_ORIGIN);
	assert_int_equal(dnsdiv_want(SCRUB_DIVERT_ON_DEMAND, true, 0, 1000, 5000),
	    DNSDIV_SCRUB);
	/* Hold-down: ended at 5000, held until 6000. */
	assert_int_equal(dnsdiv_want(SCRUB_DIVERT_ON_DEMAND, false, 5000, 1000, 5999),
	    DNSDIV_SCRUB);
	assert_int_equal(dnsdiv_want(SCRUB_DIVERT_ON_DEMAND, false, 5000, 1000, 6000),
	    DNSDIV_ORIGIN);
	assert_string_equal(dnsdiv_target_name(DNSDIV_SCRUB), "scrubbing");
}

static void
test_addrs(void **state)
{
	struct scrub_bundle b;
	struct scrub_domain dom;
	struct scrub_ipaddr out[8];
	char a[64];

	(void)state;
	memset(&b, 0, sizeof(b));
	memset(&dom, 0, sizeof(dom));
	b.has_scrub_v4 = b.has_scrub_v6 = true;
	assert_int_equal(scrub_ipaddr_parse("203.0.113.10", &b.scrub_v4), 0);
	assert_int_equal(scrub_ipaddr_parse("2001:db8:53::10", &b.scrub_v6), 0);
	assert_int_equal(scrub_ipaddr_parse("10.0.2.10", &dom.origin[0]), 0);
	assert_int_equal(scrub_ipaddr_parse("10.0.2.11", &dom.origin[1]), 0);
	dom.n_origin = 2;
	assert_int_equal(dnsdiv_addrs(&b, &dom, DNSDIV_ORIGIN, out, 8), 2);
	/* IPv4-only origin: only the IPv4 scrubbing address. */
	assert_int_equal(dnsdiv_addrs(&b, &dom, DNSDIV_SCRUB, out, 8), 1);
	assert_string_equal(scrub_ipaddr_str(&out[0], a, sizeof(a)), "203.0.113.10");
	assert_int_equal(scrub_ipaddr_parse("2001:db8:2::10", &dom.origin[2]), 0);
	dom.n_origin = 3;
	assert_int_equal(dnsdiv_addrs(&b, &dom, DNSDIV_SCRUB, out, 8), 2);
	assert_string_equal(scrub_ipaddr_str(&out[1], a, sizeof(a)), "2001:db8:53::10");
	assert_int_equal(dnsdiv_addrs(&b, &dom, DNSDIV_ORIGIN, out, 1), 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_want),
		cmocka_unit_test(test_addrs),
		cmocka_unit_test_setup_teardown(test_switch_and_back, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wrong_keys_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
