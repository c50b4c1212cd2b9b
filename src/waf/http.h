/*
 * http: yunshou-waf's strict, incremental HTTP/1.1 parser, for requests
 * from clients and responses from origins. It closes request smuggling by
 * refusing every message whose framing two HTTP implementations could read
 * differently (RFC 9112 §6.3 and the classic CL.TE / TE.CL / TE.TE games):
 * Content-Length together with Transfer-Encoding, a duplicated or malformed
 * Content-Length, a Transfer-Encoding other than exactly "chunked", bad chunk
 * sizes or extensions, bare CR or bare LF, obs-fold, whitespace before the
 * colon, NUL and other control bytes, over-long lines and heads.
 *
 * Zero-copy: the head is parsed in place and described by offsets into the
 * caller's buffer (which holds the message from its first byte while the
 * head is incomplete); body data is handed back as spans of the input.
 * The caller appends input and calls again; the parser remembers how far it
 * has scanned, so a head that arrives one byte at a time is scanned once.
 */
#ifndef YS_HTTP_H
#define YS_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HTTP_MAX_FIELDS 256	/* hard ceiling of http_limits.max_headers */

enum http_kind { HTTP_REQUEST = 0, HTTP_RESPONSE = 1 };

enum http_rc { HTTP_ERROR = -1, HTTP_MORE = 0, HTTP_DONE = 1 };

enum http_framing {
	HTTP_BODY_NONE = 0,	/* no body (no CL/TE, HEAD, 1xx, 204, 304) */
	HTTP_BODY_LENGTH,	/* Content-Length */
	HTTP_BODY_CHUNKED,	/* Transfer-Encoding: chunked */
	HTTP_BODY_CLOSE,	/* response delimited by the origin closing */
};

struct http_limits {
	size_t max_line;	/* start line or one header line (default 8 KiB) */
	size_t max_head;	/* the whole head (default 32 KiB) */
	size_t max_headers;	/* header fields (default 100, <= HTTP_MAX_FIELDS) */
	size_t max_trailer;	/* trailer section of a chunked body (default 8 KiB) */
};

struct http_span {
	uint32_t off;	/* from the first byte of the head */
	uint32_t len;
};

struct http_field {
	struct http_span name;
	struct http_span value;	/* optional whitespace trimmed */
};

struct http_head {
	/* requests */
	struct http_span method, target, path, query;	/* query: after '?' */
	int method_id;		/* index in http_methods[] */
	/* responses */
	int status;
	struct http_span reason;
	/* both */
	int version_minor;	/* HTTP/1.<minor>, 0 or 1 */
	size_t n_fields;
	struct http_field fields[HTTP_MAX_FIELDS];
	int host;		/* field index of Host, -1 when absent */
	enum http_framing framing;
	uint64_t content_length;
	bool keep_alive;	/* per version and Connection */
	bool expect_continue;	/* Expect: 100-continue */
	bool upgrade;		/* Connection: upgrade asked (never honoured) */
	size_t head_len;	/* bytes of head including the final CRLF */
};

struct http_parser {
	enum http_kind kind;
	struct http_limits lim;
	bool response_to_head;	/* responses: the request was HEAD */
	int state;
	size_t scan;		/* head: bytes already checked */
	size_t line_start;	/* head: start of the line being scanned */
	size_t n_lines;
	uint64_t remaining;	/* body: bytes left in the body or chunk */
	size_t trailer_bytes;
	size_t n_trailers;
	int error_status;	/* what to answer: 400, 405, 414, 431, 501, 505 */
	char error[128];	/* why, for logs and the error page */
	struct http_head head;
};

/* Methods a request may use, with whether the proxy forwards them (CONNECT
 * and TRACE are refused with 405: a WAF is not a tunnel, and TRACE echoes
 * credentials back). The index is http_head.method_id. */
struct http_method {
	const char *name;
	bool allowed;
	bool idempotent;	/* RFC 9110 §9.2.2: may be retried on a fresh connection */
};
extern const struct http_method http_methods[];
extern const size_t http_n_methods;

void http_limits_default(struct http_limits *lim);
/* lim NULL = defaults. */
void http_parser_init(struct http_parser *p, enum http_kind kind, const struct http_limits *lim);
/* Ready for the next message on the same connection (keeps kind and limits). */
void http_parser_reset(struct http_parser *p);

/* Parse the head. buf holds the message from its first byte (len bytes so
 * far). HTTP_MORE: need more input; HTTP_DONE: p->head is filled, its
 * spans index buf, head.head_len bytes are the head; HTTP_ERROR:
 * p->error_status and p->error say why. */
int http_parse_head(struct http_parser *p, const char *buf, size_t len);

/* After the head: consume body framing from buf. *used = bytes consumed;
 * *data / *data_len = body bytes among them (a span of buf, possibly empty).
 * HTTP_MORE: call again with the rest (with more input when *used is 0);
 * HTTP_DONE: the message ended after *used bytes; HTTP_ERROR as above. */
int http_parse_body(struct http_parser *p, const char *buf, size_t len, size_t *used,
    const char **data, size_t *data_len);
/* The peer closed: HTTP_DONE when that ends a close-delimited body,
 * HTTP_ERROR (truncated message) otherwise. */
int http_parse_eof(struct http_parser *p);
/* True once the whole message has been parsed. */
bool http_message_done(const struct http_parser *p);

/* Helpers over a parsed head. */
static inline const char *
http_span_ptr(const char *buf, struct http_span s)
{
	return buf + s.off;
}
/* The first field named name (case-insensitive), or -1. */
int http_find_field(const struct http_head *h, const char *buf, const char *name);
bool http_field_is(const struct http_head *h, const char *buf, size_t i, const char *name);

#endif
