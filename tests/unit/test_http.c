/*
 * test_http: yunshou-waf's HTTP/1.1 parser as a client or an origin meets
 * it. Accepted requests give exactly their body; every smuggling vector
 * (CL.TE, TE.CL, TE.TE obfuscations, duplicate lengths, bad chunk sizes,
 * bare CR/LF, obs-fold, whitespace before the colon, NUL) is refused with
 * the status the proxy answers. Each case is parsed in one piece, one byte
 * at a time and in uneven pieces, and must give the same result each way.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "http.h"
#include "../fuzz/httpdrive.h"

struct hcase {
	const char *name;
	const char *raw;
	int status;		/* 0: accepted; else the error status */
	const char *bodies;	/* accepted: bodies, '|' after each message */
	bool to_head;		/* responses: the request was HEAD */
	bool eof;		/* the peer closes after the bytes */
};

#define H11 " HTTP/1.1\r\nHost: a.example\r\n"

static const struct hcase requests[] = {
	{ "simple GET", "GET /index.html?q=1" H11 "\r\n", 0, "|", false, false },
	{ "POST with Content-Length", "POST /f" H11 "Content-Length: 5\r\n\r\nhello", 0, "hello|", false, false },
	{ "Content-Length 0", "POST /f" H11 "Content-Length: 0\r\n\r\n", 0, "|", false, false },
	{ "chunked with extensions and trailers",
	  "POST /c" H11 "Transfer-Encoding: chunked\r\n\r\n"
	  "5;a=b;c=\"x y\"\r\nhello\r\n6\r\n world\r\n0\r\nX-Sum: 1\r\n\r\n", 0, "hello world|", false, false },
	{ "chunked upper-case hex", "POST /c" H11 "Transfer-Encoding: chunked\r\n\r\n"
	  "A\r\n0123456789\r\n0\r\n\r\n", 0, "0123456789|", false, false },
	{ "TE value with optional whitespace", "POST /c" H11 "Transfer-Encoding: \tchunked \r\n\r\n"
	  "1\r\nx\r\n0\r\n\r\n", 0, "x|", false, false },
	{ "pipelined keep-alive", "GET /a" H11 "\r\nPOST /b" H11 "Content-Length: 2\r\n\r\nok",
	  0, "|ok|", false, false },
	{ "HTTP/1.0 without Host", "GET / HTTP/1.0\r\n\r\n", 0, "|", false, false },
	{ "OPTIONS *", "OPTIONS *" H11 "\r\n", 0, "|", false, false },
	{ "obs-text in a value", "GET /" H11 "X-Name: \xe4\xb8\xad\xe6\x96\x87\r\n\r\n", 0, "|", false, false },
	{ "WebDAV method", "PROPFIND /dav" H11 "\r\n", 0, "|", false, false },
	/* CL.TE, TE.CL and TE.TE */
	{ "CL.TE", "POST /" H11 "Content-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nG",
	  400, NULL, false, false },
	{ "TE.CL", "POST /" H11 "Transfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n5c\r\n", 400,
	  NULL, false, false },
	{ "TE.TE duplicate", "POST /" H11 "Transfer-Encoding: chunked\r\nTransfer-Encoding: x\r\n\r\n",
	  400, NULL, false, false },
	{ "TE chunked, identity", "POST /" H11 "Transfer-Encoding: chunked, identity\r\n\r\n", 501,
	  NULL, false, false },
	{ "TE identity, chunked", "POST /" H11 "Transfer-Encoding: identity, chunked\r\n\r\n", 501,
	  NULL, false, false },
	{ "TE xchunked", "POST /" H11 "Transfer-Encoding: xchunked\r\n\r\n", 501, NULL, false, false },
	{ "TE Chunked (case)", "POST /" H11 "Transfer-Encoding: Chunked\r\n\r\n", 501, NULL, false, false },
	{ "TE chunked with vertical tab", "POST /" H11 "Transfer-Encoding: chunked\x0b\r\n\r\n", 400,
	  NULL, false, false },
	{ "TE with space before colon", "POST /" H11 "Transfer-Encoding : chunked\r\n\r\n", 400, NULL, false, false },
	{ "TE as a folded line", "POST /" H11 "X: y\r\n Transfer-Encoding: chunked\r\n\r\n", 400, NULL, false, false },
	{ "TE value on an obs-fold line", "POST /" H11 "Transfer-Encoding:\r\n chunked\r\n\r\n", 400,
	  NULL, false, false },
	{ "TE in HTTP/1.0", "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400, NULL, false, false },
	{ "TE name with a tab", "POST /" H11 "Transfer-Encoding\t: chunked\r\n\r\n", 400, NULL, false, false },
	/* Content-Length */
	{ "duplicate equal CL", "POST /" H11 "Content-Length: 5\r\nContent-Length: 5\r\n\r\nhello",
	  400, NULL, false, false },
	{ "conflicting CL", "POST /" H11 "Content-Length: 5\r\nContent-Length: 6\r\n\r\nhello!", 400,
	  NULL, false, false },
	{ "CL list", "POST /" H11 "Content-Length: 5, 5\r\n\r\nhello", 400, NULL, false, false },
	{ "CL with sign", "POST /" H11 "Content-Length: +5\r\n\r\nhello", 400, NULL, false, false },
	{ "CL negative", "POST /" H11 "Content-Length: -1\r\n\r\n", 400, NULL, false, false },
	{ "CL hex", "POST /" H11 "Content-Length: 0x5\r\n\r\nhello", 400, NULL, false, false },
	{ "CL empty", "POST /" H11 "Content-Length:\r\n\r\n", 400, NULL, false, false },
	{ "CL 20 digits", "POST /" H11 "Content-Length: 18446744073709551617\r\n\r\n", 400, NULL, false, false },
	{ "CL with inner space", "POST /" H11 "Content-Length: 1 2\r\n\r\n", 400, NULL, false, false },
	/* chunk framing */
	{ "chunk size overflow (17 digits)", "POST /" H11 "Transfer-Encoding: chunked\r\n\r\n"
	  "10000000000000001\r\nx\r\n", 400, NULL, false, false },
	{ "chunk size overflow (2^63)", "POST /" H11 "Transfer-Encoding: chunked\r\n\r\n"
	  "8000000000000000\r\nx\r\n", 400, NULL, false, false },
	{ "chunk size not hex", "POST /" H11 "Transfer-Encoding: chunked\r\n\r\nzz\r\n", 400, NULL, false, false },
	{ "chunk size negative", "POST /" H11 "Transfer-Encoding: chunked\r\n\r\n-1\r\n", 400, NULL, false, false },
	{ "chunk size 0x prefix", "POST /" H11 "Transfer-Encoding: chunked\r\n\r\n0x5\r\nhello\r\n", 400,
	  NULL, false, false },
	{ "chunk size with leading space", "POST /" H11 "Transfer-Encoding: chunked\r\n\r\n 5\r\n", 400,
	  NULL, false, false },
	{ "chunk size with trailing space", "POST /" H11 "Transfer-Encoding: chunked\r\n\r\n5 \r\n",
	  400, NULL, false, false },
	{ "chunk extension without name", "POST /" H11 "Transfer-Encoding: chunked\r\n\r\n5;\r\n", 400,
	  NULL, false, false },
	{ "chunk extension unterminated quote", "POST /" H11 "Transfer-Encoding: chunked\r\n\r\n"
	  "5;a=\"x\r\n", 400, NULL, false, false },
	{ "chunk data longer than its size", "POST /" H11 "Transfer-Encoding: chunked\r\n\r\n"
	  "5\r\nhelloX\r\n0\r\n\r\n", 400, NULL, false, false },
	{ "chunk line bare LF", "POST /" H11 "Transfer-Encoding: chunked\r\n\r\n5\nhello\r\n0\r\n\r\n",
	  400, NULL, false, false },
	{ "chunk data bare LF", "POST /" H11 "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\n0\r\n\r\n",
	  400, NULL, false, false },
	{ "trailer with Content-Length", "POST /" H11 "Transfer-Encoding: chunked\r\n\r\n"
	  "0\r\nContent-Length: 5\r\n\r\n", 400, NULL, false, false },
	{ "trailer obs-fold", "POST /" H11 "Transfer-Encoding: chunked\r\n\r\n0\r\nA: b\r\n c\r\n\r\n",
	  400, NULL, false, false },
	/* line endings, bytes */
	{ "bare LF head", "GET / HTTP/1.1\nHost: a\n\n", 400, NULL, false, false },
	{ "bare LF after a header", "GET /" H11 "X: y\n\r\n", 400, NULL, false, false },
	{ "bare CR", "GET / HTTP/1.1\rHost: a\r\n\r\n", 400, NULL, false, false },
	{ "NUL in a value", "GET /" H11 "X: a\0b\r\n\r\n", 400, NULL, false, false },
	{ "DEL in a value", "GET /" H11 "X: a\x7f\r\n\r\n", 400, NULL, false, false },
	{ "empty line first", "\r\nGET /" H11 "\r\n", 400, NULL, false, false },
	{ "empty header name", "GET /" H11 ": x\r\n\r\n", 400, NULL, false, false },
	{ "header without colon", "GET /" H11 "X-Test\r\n\r\n", 400, NULL, false, false },
	/* request line */
	{ "unknown method", "FOO /" H11 "\r\n", 501, NULL, false, false },
	{ "lower-case method", "get /" H11 "\r\n", 501, NULL, false, false },
	{ "CONNECT", "CONNECT a.example:443" H11 "\r\n", 405, NULL, false, false },
	{ "TRACE", "TRACE /" H11 "\r\n", 405, NULL, false, false },
	{ "absolute-form target", "GET http://b.example/" H11 "\r\n", 400, NULL, false, false },
	{ "relative target", "GET a" H11 "\r\n", 400, NULL, false, false },
	{ "asterisk for GET", "GET *" H11 "\r\n", 400, NULL, false, false },
	{ "fragment in target", "GET /a#b" H11 "\r\n", 400, NULL, false, false },
	{ "two spaces", "GET  /" H11 "\r\n", 400, NULL, false, false },
	{ "space in target", "GET /a b" H11 "\r\n", 400, NULL, false, false },
	{ "non-ASCII target", "GET /\xe4" H11 "\r\n", 400, NULL, false, false },
	{ "HTTP/2.0", "GET / HTTP/2.0\r\nHost: a\r\n\r\n", 505, NULL, false, false },
	{ "HTTP/1.2", "GET / HTTP/1.2\r\nHost: a\r\n\r\n", 505, NULL, false, false },
	{ "lower-case version", "GET / http/1.1\r\nHost: a\r\n\r\n", 400, NULL, false, false },
	{ "HTTP/0.9", "GET /\r\n\r\n", 400, NULL, false, false },
	/* Host and Expect */
	{ "HTTP/1.1 without Host", "GET / HTTP/1.1\r\n\r\n", 400, NULL, false, false },
	{ "two Hosts", "GET /" H11 "Host: b.example\r\n\r\n", 400, NULL, false, false },
	{ "Host with a slash", "GET / HTTP/1.1\r\nHost: a/b\r\n\r\n", 400, NULL, false, false },
	{ "Host with userinfo", "GET / HTTP/1.1\r\nHost: u@a\r\n\r\n", 400, NULL, false, false },
	{ "Expect other than 100-continue", "POST /" H11 "Expect: x\r\nContent-Length: 1\r\n\r\nx", 417,
	  NULL, false, false },
};

static const struct hcase responses[] = {
	{ "200 with Content-Length", "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc", 0, "abc|", false, false },
	{ "chunked", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n", 0,
	  "abc|", false, false },
	{ "close-delimited", "HTTP/1.0 200 OK\r\n\r\nto the end", 0, "to the end|", false, true },
	{ "100 Continue then 200", "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n"
	  "Content-Length: 2\r\n\r\nok", 0, "ok|", false, false },
	{ "204 and 304 have no body", "HTTP/1.1 204 No Content\r\n\r\nHTTP/1.1 304 Not Modified\r\n"
	  "Content-Length: 10\r\n\r\n", 0, "||", false, false },
	{ "HEAD response has no body", "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n", 0, "|", true, false },
	{ "empty reason", "HTTP/1.1 200 \r\nContent-Length: 0\r\n\r\n", 0, "|", false, false },
	{ "no reason", "HTTP/1.1 404\r\nContent-Length: 0\r\n\r\n", 0, "|", false, false },
	{ "truncated body", "HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nabc", 502, NULL, false, true },
	{ "CL and TE", "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n",
	  502, NULL, false, false },
	{ "four-digit status", "HTTP/1.1 2000 OK\r\n\r\n", 502, NULL, false, false },
	{ "no status", "HTTP/1.1 OK\r\n\r\n", 502, NULL, false, false },
	{ "bare LF response", "HTTP/1.1 200 OK\nContent-Length: 0\n\n", 502, NULL, false, false },
	{ "gzip transfer coding", "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n", 502, NULL, false, false },
};

static void
check_case(enum http_kind kind, const struct hcase *c)
{
	size_t n = strlen(c->raw), splits[4096], ns = 0;
	struct httpdrive_out *one = malloc(sizeof(*one)), *part = malloc(sizeof(*part));

	/* The raw strings have one NUL case; find its real length. */
	if (strcmp(c->name, "NUL in a value") == 0)
		n += 1 + strlen(c->raw + n + 1);
	assert_non_null(one);
	assert_non_null(part);
	httpdrive_run(kind, c->to_head, (const unsigned char *)c->raw, n, NULL, 0, c->eof, one);
	if (c->status == 0) {
		if (one->rc != HTTP_DONE)
			fail_msg("%s: expected acceptance, got rc %d status %d", c->name, one->rc,
			    one->error_status);
		assert_int_equal(one->body_len, strlen(c->bodies));
		assert_memory_equal(one->body, c->bodies, one->body_len);
	} else if (one->rc != HTTP_ERROR || one->error_status != c->status) {
		fail_msg("%s: expected %d, got rc %d status %d", c->name, c->status, one->rc,
		    one->error_status);
	}
	/* byte at a time */
	for (size_t i = 1; i < n && ns < 4096; i++)
		splits[ns++] = i;
	httpdrive_run(kind, c->to_head, (const unsigned char *)c->raw, n, splits, ns, c->eof, part);
	assert_int_equal(part->rc, one->rc);
	assert_int_equal(part->error_status, one->error_status);
	assert_int_equal(part->body_len, one->body_len);
	assert_memory_equal(part->body, one->body, one->body_len);
	/* uneven pieces */
	ns = 0;
	for (size_t i = 3; i < n && ns < 4096; i += 7 + i % 5)
		splits[ns++] = i;
	httpdrive_run(kind, c->to_head, (const unsigned char *)c->raw, n, splits, ns, c->eof, part);
	assert_int_equal(part->rc, one->rc);
	assert_int_equal(part->error_status, one->error_status);
	free(one);
	free(part);
}

static void
test_request_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(requests) / sizeof(requests[0]); i++)
		check_case(HTTP_REQUEST, &requests[i]);
}

static void
test_response_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(responses) / sizeof(responses[0]); i++)
		check_case(HTTP_RESPONSE, &responses[i]);
}

static int
parse_one(struct http_parser *p, const char *raw)
{
	http_parser_init(p, HTTP_REQUEST, NULL);
	return http_parse_head(p, raw, strlen(raw));
}

static void
test_head_fields_are_spans(void **state)
{
	static struct http_parser p;
	const char *raw = "POST /a/b?x=1&y=%27 HTTP/1.1\r\nHost: A.example:8080\r\n"
	    "Connection: close\r\nExpect: 100-continue\r\nContent-Length: 12\r\n\r\n";

	(void)state;
	assert_int_equal(parse_one(&p, raw), HTTP_DONE);
	assert_int_equal(p.head.head_len, strlen(raw));
	assert_int_equal(p.head.path.len, 4);
	assert_memory_equal(raw + p.head.path.off, "/a/b", 4);
	assert_int_equal(p.head.query.len, 9);
	assert_memory_equal(raw + p.head.query.off, "x=1&y=%27", 9);
	assert_int_equal(p.head.host, 0);
	assert_false(p.head.keep_alive);
	assert_true(p.head.expect_continue);
	assert_int_equal(p.head.framing, HTTP_BODY_LENGTH);
	assert_int_equal(p.head.content_length, 12);
	assert_int_equal(http_find_field(&p.head, raw, "content-LENGTH"), 3);
}

static void
test_limits(void **state)
{
	static struct http_parser p;
	static char raw[70000];
	struct http_limits lim;
	size_t n;

	(void)state;
	/* a request line that never ends is refused at the limit */
	http_parser_init(&p, HTTP_REQUEST, NULL);
	memcpy(raw, "GET /", 5);
	memset(raw + 5, 'a', 9000);
	assert_int_equal(http_parse_head(&p, raw, 9005), HTTP_ERROR);
	assert_int_equal(p.error_status, 414);
	/* a header line over max_line */
	n = (size_t)snprintf(raw, sizeof(raw), "GET / HTTP/1.1\r\nHost: a\r\nX: ");
	memset(raw + n, 'b', 8200);
	http_parser_init(&p, HTTP_REQUEST, NULL);
	assert_int_equal(http_parse_head(&p, raw, n + 8200), HTTP_ERROR);
	assert_int_equal(p.error_status, 431);
	/* too many header fields */
	n = (size_t)snprintf(raw, sizeof(raw), "GET / HTTP/1.1\r\nHost: a\r\n");
	for (int i = 0; i < 101; i++)
		n += (size_t)snprintf(raw + n, sizeof(raw) - n, "X-%d: y\r\n", i);
	memcpy(raw + n, "\r\n", 2);
	http_parser_init(&p, HTTP_REQUEST, NULL);
	assert_int_equal(http_parse_head(&p, raw, n + 2), HTTP_ERROR);
	assert_int_equal(p.error_status, 431);
	/* the whole head over max_head, with a smaller configured limit */
	http_limits_default(&lim);
	lim.max_head = 1024;
	n = (size_t)snprintf(raw, sizeof(raw), "GET / HTTP/1.1\r\nHost: a\r\n");
	for (int i = 0; i < 40; i++)
		n += (size_t)snprintf(raw + n, sizeof(raw) - n, "X-%d: %040d\r\n", i, i);
	memcpy(raw + n, "\r\n", 2);
	http_parser_init(&p, HTTP_REQUEST, &lim);
	assert_int_equal(http_parse_head(&p, raw, n + 2), HTTP_ERROR);
	assert_int_equal(p.error_status, 431);
	/* a trailer section over its limit */
	n = (size_t)snprintf(raw, sizeof(raw), "POST / HTTP/1.1\r\nHost: a\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n0\r\n");
	for (int i = 0; i < 300; i++)
		n += (size_t)snprintf(raw + n, sizeof(raw) - n, "T-%d: %040d\r\n", i, i);
	memcpy(raw + n, "\r\n", 2);
	{
		struct httpdrive_out *o = malloc(sizeof(*o));

		assert_non_null(o);
		httpdrive_run(HTTP_REQUEST, false, (unsigned char *)raw, n + 2, NULL, 0, false, o);
		assert_int_equal(o->rc, HTTP_ERROR);
		assert_int_equal(o->error_status, 431);
		free(o);
	}
}

static void
test_keep_alive_rules(void **state)
{
	static struct http_parser p;

	(void)state;
	assert_int_equal(parse_one(&p, "GET / HTTP/1.0\r\n\r\n"), HTTP_DONE);
	assert_false(p.head.keep_alive);
	assert_int_equal(parse_one(&p, "GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n"), HTTP_DONE);
	assert_true(p.head.keep_alive);
	assert_int_equal(parse_one(&p, "GET / HTTP/1.1\r\nHost: a\r\n\r\n"), HTTP_DONE);
	assert_true(p.head.keep_alive);
	assert_int_equal(parse_one(&p, "GET / HTTP/1.1\r\nHost: a\r\nConnection: keep-alive, close\r\n"
	    "\r\n"), HTTP_DONE);
	assert_false(p.head.keep_alive);
	assert_int_equal(parse_one(&p, "GET / HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\n"
	    "Upgrade: websocket\r\n\r\n"), HTTP_DONE);
	assert_true(p.head.upgrade);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_request_table),
		cmocka_unit_test(test_response_table),
		cmocka_unit_test(test_head_fields_are_spans),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_keep_alive_rules),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
