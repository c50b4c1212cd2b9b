/*
 * test_svcid: the banner matchers on real services' answers (and on
 * near-misses that must not match), and identification of services this
 * test runs on 127.0.0.1: an SSH banner, a web server, a Redis without a
 * password (a critical finding), a PostgreSQL SSLRequest answer, and a
 * silent listener that stays "unknown".
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "netfx.h"
#include "portscan.h"
#include "svcid.h"

static int
match_str(const char *s, size_t n, struct svcid_result *r)
{
	memset(r, 0, sizeof(*r));
	return svcid_match((const uint8_t *)s, n, r);
}

static void
test_matchers(void **state)
{
	struct svcid_result r;
	static const char mysql[] = "\x4a\x00\x00\x00\x0a" "8.0.36-0ubuntu0.22.04.1\0"
	    "\x08\x00\x00\x00" "abcdefgh\0";
	static const char maria[] = "\x20\x00\x00\x00\x0a" "5.5.5-10.11.6-MariaDB-0+deb12u1\0xx";
	static const char pg = 'S';

	(void)state;
	assert_true(match_str("SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n", 40, &r));
	assert_string_equal(r.service, "ssh");
	assert_string_equal(r.product, "OpenSSH");
	assert_string_equal(r.version, "9.2p1");
	assert_true(match_str("SSH-1.99-Cisco-1.25\n", 20, &r));
	assert_string_equal(r.product, "Cisco-1.25");

	assert_true(match_str("220 (vsFTPd 3.0.3)\r\n", 20, &r));
	assert_string_equal(r.service, "ftp");
	assert_string_equal(r.product, "vsFTPd");
	assert_string_equal(r.version, "3.0.3");
	assert_true(match_str("220 ProFTPD Server (Debian) [::ffff:10.0.0.1]\r\n", 47, &r));
	assert_string_equal(r.service, "ftp");
	assert_string_equal(r.product, "ProFTPD");

	assert_true(match_str("220 mail.example.com ESMTP Postfix (Debian/GNU)\r\n", 49, &r));
	assert_string_equal(r.service, "smtp");
	assert_string_equal(r.product, "Postfix");

	assert_true(match_str(mysql, sizeof(mysql) - 1, &r));
	assert_string_equal(r.service, "mysql");
	assert_string_equal(r.product, "MySQL");
	assert_string_equal(r.version, "8.0.36-0ubuntu0.22.04.1");
	assert_true(match_str(maria, sizeof(maria) - 1, &r));
	assert_string_equal(r.product, "MariaDB");
	/* A version without its terminator inside the answer is not MySQL. */
	assert_false(match_str(mysql, 12, &r));
	/* An error packet whose length field (2) ends before the message
	 * offset: MySQL, empty message, nothing read past the answer (the
	 * input libFuzzer found in CI). */
	assert_true(match_str("\x02\x00\x00\x00\xff\xff-", 7, &r));
	assert_string_equal(r.service, "mysql");
	assert_string_equal(r.banner, "");
	assert_true(match_str("\x0c\x00\x00\x00\xff\x6a\x04Host 'x' is", 16, &r));
	assert_string_equal(r.banner, "Host 'x' ");

	assert_true(match_str("HTTP/1.1 200 OK\r\nDate: x\r\nserver: Apache/2.4.57 (Debian)\r\n\r\n", 60, &r));
	assert_string_equal(r.service, "http");
	assert_int_equal(r.http_status, 200);
	assert_string_equal(r.product, "Apache");
	assert_string_equal(r.version, "2.4.57");
	/* A Server header after the blank line is body, not a header. */
	assert_true(match_str("HTTP/1.0 404 Not Found\r\n\r\nServer: fake\r\n", 42, &r));
	assert_int_equal(r.http_status, 404);
	assert_string_equal(r.product, "");

	assert_true(match_str("+PONG\r\n", 7, &r));
	assert_string_equal(r.service, "redis");
	assert_int_equal(r.auth, SVCID_AUTH_NONE);
	assert_true(match_str("-NOAUTH Authentication required.\r\n", 34, &r));
	assert_int_equal(r.auth, SVCID_AUTH_REQUIRED);

	/* The one-byte PostgreSQL answer matches only its own probe. */
	assert_false(match_str(&pg, 1, &r));
	for (const struct svcid_probe *p = svcid_probes; p->name != NULL; p++)
		if (strcmp(p->name, "postgresql") == 0) {
			memset(&r, 0, sizeof(r));
			assert_true(p->match((const uint8_t *)&pg, 1, &r));
			assert_string_equal(r.service, "postgresql");
		}

	assert_false(match_str("", 0, &r));
	assert_false(match_str("SSH-", 4, &r));
	assert_false(match_str("HTTP/1.1 2", 10, &r));
	assert_false(match_str("221 bye\r\n", 9, &r));
	assert_false(match_str("hello\r\n", 7, &r));
}

static void
netfx_pgsql(int fd, void *arg)
{
	char buf[64];

	(void)arg;
	netfx_read_request(fd, buf, sizeof(buf));
	if (memcmp(buf, "\0\0\0\x08\x04\xd2\x16\x2f", 8) == 0)
		netfx_write(fd, "N");
}

static void
netfx_silent(int fd, void *arg)
{
	char buf[64];

	(void)arg;
	netfx_read_request(fd, buf, sizeof(buf));
}

static void
identify(netfx_handler h, struct svcid_result *r, struct netfinding_list *fl)
{
	struct netfx_server s;
	struct sockaddr_storage ss;
	socklen_t l;
	char err[128];

	assert_int_equal(netfx_start(&s, h, NULL), 0);
	assert_int_equal(portscan_resolve("127.0.0.1", &ss, &l, err, sizeof(err)), 0);
	assert_int_equal(svcid_identify((struct sockaddr *)&ss, l, s.port, 600, r), 0);
	assert_int_equal(svcid_findings(r, s.port, fl), 0);
	netfx_stop(&s);
}

static void
test_identify(void **state)
{
	struct svcid_result r;
	struct netfinding_list fl = { 0 };
	char *js;
	json_t *j;

	(void)state;
	identify(netfx_ssh, &r, &fl);
	assert_string_equal(r.service, "ssh");
	assert_string_equal(r.probe, "banner");
	assert_string_equal(r.version, "9.2p1");

	identify(netfx_http, &r, &fl);
	assert_string_equal(r.service, "http");
	assert_string_equal(r.probe, "http");
	assert_string_equal(r.product, "nginx");
	assert_string_equal(r.version, "1.22.1");
	assert_int_equal(fl.n, 0);

	identify(netfx_redis, &r, &fl);
	assert_string_equal(r.service, "redis");
	assert_int_equal(r.auth, SVCID_AUTH_NONE);
	assert_int_equal(fl.n, 1);
	assert_true(netfinding_has(&fl, "redis-unauthenticated"));
	j = netfinding_json(&fl.v[0]);
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "severity")), "critical");
	assert_string_equal(json_string_value(json_object_get(j, "severity_zh")), "超危");
	js = json_dumps(j, 0);
	assert_non_null(strstr(js, "+PONG"));
	free(js);
	json_decref(j);

	identify(netfx_pgsql, &r, &fl);
	assert_string_equal(r.service, "postgresql");
	assert_string_equal(r.version, "no-ssl");

	identify(netfx_silent, &r, &fl);
	assert_string_equal(r.service, "unknown");
	assert_false(r.tls);
	assert_int_equal(fl.n, 1);
	netfinding_list_free(&fl);
}

int
main(void)
{
	signal(SIGPIPE, SIG_IGN);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_matchers),
		cmocka_unit_test(test_identify),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
