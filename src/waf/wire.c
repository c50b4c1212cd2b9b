/*
 * wire: a request written back as HTTP/1.1 and parsed by http.c (see wire.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wire.h"

static int
has_line_break(const char *s, size_t len)
{
	return memchr(s, '\r', len) != NULL || memchr(s, '\n', len) != NULL ||
	    memchr(s, '\0', len) != NULL;
}

static int
refuse(char *why, size_t whylen, const char *msg)
{
	snprintf(why, whylen, "%s", msg);
	return -1;
}

int
waf_wire_check(const struct waf_request *r, const struct http_limits *lim,
    uint8_t **body, size_t *body_len, char *why, size_t whylen)
{
	struct http_parser *p;
	size_t size, off = 0, used, dlen, out_len = 0;
	const char *data;
	char *buf;
	uint8_t *out = NULL;
	int rc;

	*body = NULL;
	*body_len = 0;
	/* a CR, LF or NUL inside a field would write another message than
	 * the one described: the parser refuses such bytes on the wire */
	if (has_line_break(r->method, r->method_len) || has_line_break(r->path, r->path_len) ||
	    (r->query != NULL && has_line_break(r->query, r->query_len)))
		return refuse(why, whylen, "CR, LF or NUL in the request line");
	size = r->method_len + r->path_len + r->query_len + 16 + r->body_len;
	for (size_t i = 0; i < r->n_headers; i++) {
		if (has_line_break(r->headers[i].name, r->headers[i].name_len) ||
		    has_line_break(r->headers[i].value, r->headers[i].value_len))
			return refuse(why, whylen, "CR, LF or NUL in a header field");
		size += r->headers[i].name_len + r->headers[i].value_len + 4;
	}
	if ((buf = malloc(size + 3)) == NULL || (p = malloc(sizeof(*p))) == NULL) {
		free(buf);
		return -2;
	}
#define PUT(s, n) do { memcpy(buf + off, (s), (n)); off += (n); } while (0)
	PUT(r->method, r->method_len);
	PUT(" ", 1);
	PUT(r->path, r->path_len);
	if (r->query != NULL && r->query_len > 0) {
		PUT("?", 1);
		PUT(r->query, r->query_len);
	}
	PUT(" HTTP/1.1\r\n", 11);
	for (size_t i = 0; i < r->n_headers; i++) {
		PUT(r->headers[i].name, r->headers[i].name_len);
		PUT(": ", 2);
		PUT(r->headers[i].value, r->headers[i].value_len);
		PUT("\r\n", 2);
	}
	PUT("\r\n", 2);
	if (r->body_len > 0)
		PUT(r->body, r->body_len);
#undef PUT
	http_parser_init(p, HTTP_REQUEST, lim);
	rc = http_parse_head(p, buf, off);
	if (rc == HTTP_MORE)
		rc = refuse(why, whylen, "incomplete request head");
	else if (rc == HTTP_ERROR)
		rc = refuse(why, whylen, p->error);
	else if (p->head.framing != HTTP_BODY_CHUNKED)
		rc = 0;
	else if ((out = malloc(r->body_len + 1)) == NULL)
		rc = -2;
	else {
		size_t at = p->head.head_len;

		for (;;) {
			rc = http_parse_body(p, buf + at, off - at, &used, &data, &dlen);
			if (rc == HTTP_ERROR) {
				rc = refuse(why, whylen, p->error);
				break;
			}
			if (dlen > 0) {
				memcpy(out + out_len, data, dlen);
				out_len += dlen;
			}
			at += used;
			if (rc == HTTP_DONE || used == 0) {
				rc = 0;	/* done, or the rest has not arrived */
				break;
			}
		}
		if (rc == 0) {
			*body = out;
			*body_len = out_len;
			out = NULL;
		}
	}
	free(out);
	free(p);
	free(buf);
	return rc;
}
