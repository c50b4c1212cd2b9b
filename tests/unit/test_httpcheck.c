/*
 * test_httpcheck: the web check table against servers on 127.0.0.1 -- the
 * netfx web server (exposed .git/, no security headers), a server with
 * every header but a directory listing, an exposed .env and an admin
 * login, and a TLS server without HSTS -- plus the response parser.
 * Each planted weakness is found and nothing else is.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "httpcheck.h"
#include "portscan.h"
#include "tlsfx.h"

static const struct page {
	const char *path;
	const char *body;
} pages[] = {
	{ "/", "<html><head><title>Index of /</title></head><body>..</body></html>\n" },
	{ "/.env", "# app\nAPP_KEY=base64:abcdef\nexport DB_PASSWORD=hunter2\n\n" },
	{ "/admin/", "<form method=post><input name=u><input type=\"password\" name=p></form>" },
};

static void
page_server(int fd, void *arg)
{
	char buf[4096], path[256] = "";
	const char *body = NULL;

	(void)arg;
	netfx_read_request(fd, buf, sizeof(buf));
	sscanf(buf, "%*s %255s", path);
	for (size_t i = 0; i < sizeof(pages) / sizeof(pages[0]); i++)
		if (strcmp(pages[i].path, path) == 0)
			body = pages[i].body;
	snprintf(buf, sizeof(buf), "HTTP/1.0 %s\r\nX-Content-Type-Options: nosniff\r\n"
	    "Content-Security-Policy: default-src 'self'; frame-ancestors 'none'\r\n"
	    "\r\n%s", body ? "200 OK" : "404 Not Found", body ? body : "not found");
	netfx_write(fd, buf);
}

static void
run(netfx_handler h, void *arg, bool tls, struct netfinding_list *fl)
{
	struct netfx_server s;
	struct sockaddr_storage ss;
	socklen_t l;
	char err[128];

	assert_int_equal(netfx_start(&s, h, arg), 0);
	assert_int_equal(portscan_resolve("127.0.0.1", &ss, &l, err, sizeof(err)), 0);
	assert_true(httpcheck_run((struct sockaddr *)&ss, l, s.port, tls, "127.0.0.1",
	    2000, fl) > 0);
	netfx_stop(&s);
}

static void
test_git_and_headers(void **state)
{
	struct netfinding_list fl = { 0 };

	(void)state;
	run(netfx_http, NULL, false, &fl);
	assert_true(netfinding_has(&fl, "http-git-exposed"));
	assert_true(netfinding_has(&fl, "http-missing-x-content-type-options"));
	assert_true(netfinding_has(&fl, "http-missing-frame-protection"));
	assert_int_equal(fl.n, 3);
	for (size_t i = 0; i < fl.n; i++)
		if (strcmp(fl.v[i].def->id, "http-git-exposed") == 0) {
			assert_non_null(strstr(fl.v[i].evidence, "ref: refs/heads/main"));
			assert_int_equal(fl.v[i].def->severity, NETFINDING_HIGH);
		}
	netfinding_list_free(&fl);
}

static void
test_listing_env_admin(void **state)
{
	struct netfinding_list fl = { 0 };

	(void)state;
	run(page_server, NULL, false, &fl);
	assert_true(netfinding_has(&fl, "http-directory-listing"));
	assert_true(netfinding_has(&fl, "http-env-exposed"));
	assert_true(netfinding_has(&fl, "http-admin-panel-exposed"));
	assert_int_equal(fl.n, 3);
	for (size_t i = 0; i < fl.n; i++)
		if (strcmp(fl.v[i].def->id, "http-env-exposed") == 0) {
			assert_non_null(strstr(fl.v[i].evidence, "APP_KEY"));
			assert_non_null(strstr(fl.v[i].evidence, "DB_PASSWORD"));
			assert_null(strstr(fl.v[i].evidence, "hunter2"));
		}
	netfinding_list_free(&fl);
}

static void
test_https_hsts(void **state)
{
	EVP_PKEY *key = tlsfx_key();
	X509 *cert = tlsfx_cert(key, "localhost", -1, 100, "127.0.0.1", NULL, NULL);
	SSL_CTX *sctx = tlsfx_ctx(cert, key, TLS1_2_VERSION, "DEFAULT");
	struct netfinding_list fl = { 0 };

	(void)state;
	run(tlsfx_https, sctx, true, &fl);
	assert_true(netfinding_has(&fl, "http-missing-hsts"));
	assert_int_equal(fl.n, 1);
	netfinding_list_free(&fl);
	SSL_CTX_free(sctx);
	X509_free(cert);
	EVP_PKEY_free(key);
}

static void
test_parse(void **state)
{
	static struct httpcheck_response r;
	static const char *const bad[] = { "", "HTTP/1.1", "HTTP/1.1 2x0 OK\r\n",
	    "SSH-2.0-x\r\n", "HTTP/2 200\r\n\r\n" };
	const char *v;
	size_t vl;

	(void)state;
	r.len = (size_t)snprintf(r.buf, sizeof(r.buf), "HTTP/1.1 301 Moved\r\n"
	    "location: /x\r\nX-A:b\r\n\r\nX-Body: no\r\n");
	assert_int_equal(httpcheck_parse(&r), 0);
	assert_int_equal(r.status, 301);
	v = httpcheck_header(&r, "Location", &vl);
	assert_non_null(v);
	assert_int_equal(vl, 2);
	assert_memory_equal(v, "/x", 2);
	v = httpcheck_header(&r, "x-a", &vl);
	assert_non_null(v);
	assert_int_equal(vl, 1);
	assert_null(httpcheck_header(&r, "X-Body", &vl));
	assert_null(httpcheck_header(&r, "X", &vl));
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		r.len = (size_t)snprintf(r.buf, sizeof(r.buf), "%s", bad[i]);
		assert_int_equal(httpcheck_parse(&r), -1);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_git_and_headers),
		cmocka_unit_test(test_listing_env_admin),
		cmocka_unit_test(test_https_hsts),
	};
	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
