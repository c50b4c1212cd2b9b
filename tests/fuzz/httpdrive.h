/*
 * httpdrive: drives the http parser the way the proxy does — input arrives
 * in pieces, is appended to one buffer, and the parser is called on what
 * has not been consumed — so tests and the fuzz harness can check that any
 * split of the same bytes gives the same messages, bodies and errors.
 * Header-only, shared by tests/unit/test_http.c and tests/fuzz/fuzz_http.c.
 */
#ifndef YS_HTTPDRIVE_H
#define YS_HTTPDRIVE_H

#include <stdlib.h>
#include <string.h>

#include "http.h"

struct httpdrive_out {
	int rc;			/* HTTP_DONE (all complete), HTTP_MORE, HTTP_ERROR */
	int error_status;
	size_t messages;	/* complete messages */
	unsigned char body[65536];	/* bodies of all messages, '|' after each */
	size_t body_len;
	bool overflow;
	char target[256];	/* first message: target or reason */
};

static void
httpdrive_append(struct httpdrive_out *o, const void *d, size_t n)
{
	if (o->body_len + n > sizeof(o->body)) {
		o->overflow = true;
		return;
	}
	memcpy(o->body + o->body_len, d, n);
	o->body_len += n;
}

/* Parse in up to nsplits pieces (split points as offsets, ascending; the
 * last piece runs to n). eof: the peer closes after the last byte. */
static int
httpdrive_run(enum http_kind kind, bool to_head, const unsigned char *in, size_t n,
    const size_t *splits, size_t nsplits, bool eof, struct httpdrive_out *o)
{
	struct http_parser *p = malloc(sizeof(*p));
	const char *buf = (const char *)in;
	size_t have = 0, pos = 0, k = 0;
	bool in_body = false;

	memset(o, 0, sizeof(*o));
	if (p == NULL)
		return -1;
	http_parser_init(p, kind, NULL);
	p->response_to_head = to_head;
	o->rc = HTTP_MORE;
	while (have < n) {
		size_t next = k < nsplits && splits[k] > have && splits[k] < n ? splits[k] : n;

		k++;
		if (next <= have)
			continue;
		have = next;
		for (;;) {
			if (!in_body) {
				int rc = http_parse_head(p, buf + pos, have - pos);

				if (rc == HTTP_ERROR)
					goto error;
				if (rc == HTTP_MORE)
					break;
				if (o->messages == 0 && o->target[0] == '\0') {
					struct http_span s = kind == HTTP_REQUEST ? p->head.target :
					    p->head.reason;
					size_t l = s.len < sizeof(o->target) - 1 ? s.len :
					    sizeof(o->target) - 1;

					memcpy(o->target, buf + pos + s.off, l);
					o->target[l] = '\0';
				}
				pos += p->head.head_len;
				if (kind == HTTP_RESPONSE && p->head.status < 200) {
					http_parser_reset(p);
					p->response_to_head = to_head;
					continue;
				}
				in_body = true;
			}
			size_t used, dlen;
			const char *data;
			int rc = http_parse_body(p, buf + pos, have - pos, &used, &data, &dlen);

			if (rc == HTTP_ERROR)
				goto error;
			if (dlen > 0)
				httpdrive_append(o, data, dlen);
			pos += used;
			if (rc == HTTP_DONE) {
				httpdrive_append(o, "|", 1);
				o->messages++;
				in_body = false;
				http_parser_reset(p);
				p->response_to_head = to_head;
				continue;
			}
			if (used == 0)
				break;
		}
	}
	if (eof && in_body) {
		if (http_parse_eof(p) == HTTP_ERROR)
			goto error;
		httpdrive_append(o, "|", 1);
		o->messages++;
		in_body = false;
	}
	o->rc = !in_body && pos == n ? HTTP_DONE : HTTP_MORE;
	free(p);
	return 0;
error:
	o->rc = HTTP_ERROR;
	o->error_status = p->error_status;
	free(p);
	return 0;
}

#endif
