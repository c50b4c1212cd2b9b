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

/* MongoDB 7 answers to listDatabases (OP_MSG): readable by anyone, and
 * refused (code 13 Unauthorized). */
static const char mongo_open[] = "\x65\x00\x00\x00\x05\x00\x00\x00\x01\x00\x00\x00\xdd\x07\x00\x00\x00\x00\x00\x00\x00\x50\x00\x00\x00\x04\x64\x61\x74\x61\x62\x61\x73\x65\x73\x00\x34\x00\x00\x00\x03\x30\x00\x15\x00\x00\x00\x02\x6e\x61\x6d\x65\x00\x06\x00\x00\x00\x61\x64\x6d\x69\x6e\x00\x00\x03\x31\x00\x14\x00\x00\x00\x02\x6e\x61\x6d\x65\x00\x05\x00\x00\x00\x73\x68\x6f\x70\x00\x00\x00\x01\x6f\x6b\x00\x00\x00\x00\x00\x00\x00\xf0\x3f\x00";
static const char mongo_auth[] = "\x85\x00\x00\x00\x05\x00\x00\x00\x01\x00\x00\x00\xdd\x07\x00\x00\x00\x00\x00\x00\x00\x70\x00\x00\x00\x01\x6f\x6b\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x65\x72\x72\x6d\x73\x67\x00\x2e\x00\x00\x00\x63\x6f\x6d\x6d\x61\x6e\x64\x20\x6c\x69\x73\x74\x44\x61\x74\x61\x62\x61\x73\x65\x73\x20\x72\x65\x71\x75\x69\x72\x65\x73\x20\x61\x75\x74\x68\x65\x6e\x74\x69\x63\x61\x74\x69\x6f\x6e\x00\x10\x63\x6f\x64\x65\x00\x0d\x00\x00\x00\x02\x63\x6f\x64\x65\x4e\x61\x6d\x65\x00\x0d\x00\x00\x00\x55\x6e\x61\x75\x74\x68\x6f\x72\x69\x7a\x65\x64\x00\x00";

static const struct svcid_probe *
probe(const char *name)
{
	for (const struct svcid_probe *p = svcid_probes; p->name != NULL; p++)
		if (strcmp(p->name, name) == 0)
			return p;
	fail_msg("no probe %s", name);
	return NULL;
}

static void
test_mongodb_memcached(void **state)
{
	const struct svcid_probe *mongo = probe("mongodb");
	struct svcid_result r;

	(void)state;
	memset(&r, 0, sizeof(r));
	assert_true(mongo->match((const uint8_t *)mongo_open, sizeof(mongo_open) - 1, &r));
	assert_string_equal(r.service, "mongodb");
	assert_int_equal(r.auth, SVCID_AUTH_NONE);
	memset(&r, 0, sizeof(r));
	assert_true(mongo->match((const uint8_t *)mongo_auth, sizeof(mongo_auth) - 1, &r));
	assert_int_equal(r.auth, SVCID_AUTH_REQUIRED);
	/* Every truncation is not MongoDB (the message length says more). */
	for (size_t n = 0; n + 1 < sizeof(mongo_open) - 1; n++) {
		memset(&r, 0, sizeof(r));
		assert_false(mongo->match((const uint8_t *)mongo_open, n, &r));
	}
	/* Not a MongoDB answer: other protocols, a corrupt document length. */
	{
		char bad[sizeof(mongo_open)];

		memcpy(bad, mongo_open, sizeof(bad));
		bad[21] = 0x51;
		memset(&r, 0, sizeof(r));
		assert_false(mongo->match((const uint8_t *)bad, sizeof(bad) - 1, &r));
	}
	assert_false(match_str("+PONG\r\n", 7, &r) && strcmp(r.service, "mongodb") == 0);

	assert_true(match_str("STAT pid 4242\r\nSTAT uptime 9\r\nSTAT version 1.6.18\r\nEND\r\n",
	    52, &r));
	assert_string_equal(r.service, "memcached");
	assert_string_equal(r.version, "1.6.18");
	assert_int_equal(r.auth, SVCID_AUTH_NONE);
}

static void
netfx_mongo(int fd, void *arg)
{
	char buf[256];
	size_t n;

	(void)arg;
	n = netfx_read_request(fd, buf, sizeof(buf));
	/* Only the listDatabases OP_MSG gets an answer, as from mongod. */
	if (n >= 16 && (unsigned char)buf[12] == 0xdd && buf[13] == 0x07) {
		ssize_t w = write(fd, mongo_open, sizeof(mongo_open) - 1);

		(void)w;
	}
}

static void
netfx_memcached(int fd, void *arg)
{
	char buf[256];

	(void)arg;
	netfx_read_request(fd, buf, sizeof(buf));
	netfx_write(fd, strncmp(buf, "stats", 5) == 0 ?
	    "STAT pid 1\r\nSTAT version 1.6.18\r\nEND\r\n" : "ERROR\r\n");
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

	identify(netfx_mongo, &r, &fl);
	assert_string_equal(r.service, "mongodb");
	assert_string_equal(r.probe, "mongodb");
	assert_true(netfinding_has(&fl, "mongodb-unauthenticated"));

	identify(netfx_memcached, &r, &fl);
	assert_string_equal(r.service, "memcached");
	assert_true(netfinding_has(&fl, "memcached-unauthenticated"));
	netfinding_list_free(&fl);

	identify(netfx_silent, &r, &fl);
	assert_string_equal(r.service, "unknown");
	assert_false(r.tls);
	assert_int_equal(fl.n, 0);	/* a silent listener shows nothing */
	netfinding_list_free(&fl);
}

int
main(void)
{
	signal(SIGPIPE, SIG_IGN);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_matchers),
		cmocka_unit_test(test_mongodb_memcached),
		cmocka_unit_test(test_identify),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
