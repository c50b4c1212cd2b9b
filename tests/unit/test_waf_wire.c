/*
 * test_waf_wire: a request written back as HTTP/1.1 and parsed the way the
 * proxy parses it (what `yunshou-waf inspect` reports as "http-parser").
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "wire.h"

#define H(n, v) { n, sizeof(n) - 1, v, sizeof(v) - 1 }

static int
check(const char *method, const char *path, const struct waf_header *h, size_t nh,
    const char *body, char *out, size_t outsize)
{
	struct waf_request r = {
		.method = method, .method_len = strlen(method), .path = path, .path_len = strlen(path),
		.headers = h, .n_headers = nh,
		.body = (const uint8_t *)body, .body_len = body != NULL ? strlen(body) : 0,
	};
	uint8_t *dechunked;
	size_t dlen;
	char why[128];
	int rc = waf_wire_check(&r, NULL, &dechunked, &dlen, why, sizeof(why));

	out[0] = '\0';
	if (rc == 0 && dechunked != NULL) {
		assert_true(dlen < outsize);
		memcpy(out, dechunked, dlen);
		out[dlen] = '\0';
	} else if (rc == -1) {
		snprintf(out, outsize, "%s", why);
	}
	free(dechunked);
	return rc;
}

static void
test_wire(void **state)
{
	const struct waf_header get[] = { H("Host", "shop.example.com"), H("User-Agent", "x") };
	const struct waf_header te[] = { H("Host", "a"), H("Transfer-Encoding", "chunked") };
	const struct waf_header cl[] = { H("Host", "a"), H("Content-Length", "5") };
	const struct waf_header lf[] = { H("Host", "a"), H("X-A", "b\nTransfer-Encoding: chunked") };
	static char big[20001];
	const struct waf_header pad[] = { H("Host", "a"), { "X-Pad", 5, big, 20000 } };
	char out[256];

	(void)state;
	memset(big, 'A', 20000);
	assert_int_equal(check("GET", "/", get, 2, NULL, out, sizeof(out)), 0);
	assert_string_equal(out, "");
	assert_int_equal(check("POST", "/", cl, 2, "hello", out, sizeof(out)), 0);
	assert_string_equal(out, "");		/* not chunked: the body as it is */
	assert_int_equal(check("POST", "/", te, 2, "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n", out,
	    sizeof(out)), 0);
	assert_string_equal(out, "hello world");
	assert_int_equal(check("POST", "/", te, 2, "5\r\nhel", out, sizeof(out)), 0);
	assert_string_equal(out, "hel");	/* the rest has not arrived */
	assert_int_equal(check("POST", "/", te, 2, "FFFFFFFFFFFFFFFFF1\r\nhello\r\n0\r\n\r\n", out,
	    sizeof(out)), -1);
	assert_non_null(strstr(out, "chunk size"));
	assert_int_equal(check("POST", "/", te, 2, "5\nhello\n0\n\n", out, sizeof(out)), -1);
	assert_int_equal(check("GET", "/", lf, 2, NULL, out, sizeof(out)), -1);
	assert_int_equal(check("GET", "/", pad, 2, NULL, out, sizeof(out)), -1);
	assert_non_null(strstr(out, "longer than"));
	assert_int_equal(check("GET", "/", te + 1, 1, NULL, out, sizeof(out)), -1);	/* no Host */
	assert_int_equal(check("TRACE", "/", get, 2, NULL, out, sizeof(out)), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wire),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
