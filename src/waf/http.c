/*
 * http.c: the strict incremental HTTP/1.1 parser (see http.h). The head is
 * first scanned byte by byte for line endings, NUL and size limits (so an
 * endless or hostile head is refused as soon as it crosses a limit), then,
 * once the empty line has arrived, parsed in one pass. Framing rules are
 * applied after all fields are known, so the order of Content-Length and
 * Transfer-Encoding cannot matter.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "http.h"

enum {
	ST_HEAD = 0,
	ST_BODY_LENGTH,
	ST_CHUNK_SIZE,
	ST_CHUNK_DATA,
	ST_CHUNK_CRLF,
	ST_TRAILER,
	ST_CLOSE,
	ST_DONE,
	ST_ERROR,
};

#define CHUNK_LINE_MAX 1024
#define CHUNK_SIZE_MAX (UINT64_C(1) << 62)

const struct http_method http_methods[] = {
	{ "GET", true, true },
	{ "HEAD", true, true },
	{ "POST", true, false },
	{ "PUT", true, true },
	{ "DELETE", true, true },
	{ "OPTIONS", true, true },
	{ "PATCH", true, false },
	{ "PROPFIND", true, true },
	{ "PROPPATCH", true, true },
	{ "MKCOL", true, true },
	{ "COPY", true, true },
	{ "MOVE", true, true },
	{ "LOCK", true, false },
	{ "UNLOCK", true, true },
	{ "REPORT", true, true },
	{ "SEARCH", true, true },
	{ "CONNECT", false, false },
	{ "TRACE", false, true },
};
const size_t http_n_methods = sizeof(http_methods) / sizeof(http_methods[0]);

/* RFC 9110 tchar. */
static const unsigned char tchar[256] = {
	['!'] = 1, ['#'] = 1, ['$'] = 1, ['%'] = 1, ['&'] = 1, ['\''] = 1,
	['*'] = 1, ['+'] = 1, ['-'] = 1, ['.'] = 1, ['^'] = 1, ['_'] = 1,
	['`'] = 1, ['|'] = 1, ['~'] = 1,
	['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1, ['5'] = 1,
	['6'] = 1, ['7'] = 1, ['8'] = 1, ['9'] = 1,
	['A'] = 1, ['B'] = 1, ['C'] = 1, ['D'] = 1, ['E'] = 1, ['F'] = 1, ['G'] = 1,
	['H'] = 1, ['I'] = 1, ['J'] = 1, ['K'] = 1, ['L'] = 1, ['M'] = 1, ['N'] = 1,
	['O'] = 1, ['P'] = 1, ['Q'] = 1, ['R'] = 1, ['S'] = 1, ['T'] = 1, ['U'] = 1,
	['V'] = 1, ['W'] = 1, ['X'] = 1, ['Y'] = 1, ['Z'] = 1,
	['a'] = 1, ['b'] = 1, ['c'] = 1, ['d'] = 1, ['e'] = 1, ['f'] = 1, ['g'] = 1,
	['h'] = 1, ['i'] = 1, ['j'] = 1, ['k'] = 1, ['l'] = 1, ['m'] = 1, ['n'] = 1,
	['o'] = 1, ['p'] = 1, ['q'] = 1, ['r'] = 1, ['s'] = 1, ['t'] = 1, ['u'] = 1,
	['v'] = 1, ['w'] = 1, ['x'] = 1, ['y'] = 1, ['z'] = 1,
};

static int
fail(struct http_parser *p, int status, const char *fmt, ...)
{
	va_list ap;

	p->state = ST_ERROR;
	p->error_status = p->kind == HTTP_RESPONSE ? 502 : status;
	va_start(ap, fmt);
	vsnprintf(p->error, sizeof(p->error), fmt, ap);
	va_end(ap);
	return HTTP_ERROR;
}

void
http_limits_default(struct http_limits *lim)
{
	lim->max_line = 8192;
	lim->max_head = 32768;
	lim->max_headers = 100;
	lim->max_trailer = 8192;
}

void
http_parser_init(struct http_parser *p, enum http_kind kind, const struct http_limits *lim)
{
	memset(p, 0, sizeof(*p));
	p->kind = kind;
	if (lim != NULL)
		p->lim = *lim;
	else
		http_limits_default(&p->lim);
	if (p->lim.max_headers > HTTP_MAX_FIELDS)
		p->lim.max_headers = HTTP_MAX_FIELDS;
	if (p->lim.max_head > UINT32_MAX)
		p->lim.max_head = UINT32_MAX;
	p->head.host = -1;
}

void
http_parser_reset(struct http_parser *p)
{
	struct http_limits lim = p->lim;
	enum http_kind kind = p->kind;

	http_parser_init(p, kind, &lim);
}

bool
http_message_done(const struct http_parser *p)
{
	return p->state == ST_DONE;
}

static bool
span_eqn(const char *buf, struct http_span s, const char *lit, size_t n)
{
	return s.len == n && memcmp(buf + s.off, lit, n) == 0;
}

static bool
span_ieqn(const char *buf, struct http_span s, const char *lit, size_t n)
{
	return s.len == n && strncasecmp(buf + s.off, lit, n) == 0;
}

/* Literal names: the length is known at compile time. */
#define span_eq(buf, s, lit) span_eqn(buf, s, lit, sizeof(lit) - 1)
#define span_ieq(buf, s, lit) span_ieqn(buf, s, lit, sizeof(lit) - 1)

bool
http_field_is(const struct http_head *h, const char *buf, size_t i, const char *name)
{
	return i < h->n_fields && span_ieqn(buf, h->fields[i].name, name, strlen(name));
}

int
http_find_field(const struct http_head *h, const char *buf, const char *name)
{
	size_t n = strlen(name);

	for (size_t i = 0; i < h->n_fields; i++)
		if (span_ieqn(buf, h->fields[i].name, name, n))
			return (int)i;
	return -1;
}

static struct http_span
span(size_t off, size_t len)
{
	return (struct http_span){ (uint32_t)off, (uint32_t)len };
}

/* field-vchar / SP / HTAB (obs-text allowed in values). */
static bool
is_value_byte(unsigned char c)
{
	return c == '\t' || (c >= 0x20 && c != 0x7f);
}

/* One "name: value" line [s, e) into *f. Refuses obs-fold, whitespace
 * before the colon, empty names and control bytes. */
static int
parse_field(struct http_parser *p, const char *buf, size_t s, size_t e, struct http_field *f)
{
	size_t i = s, vs, ve;

	if (buf[s] == ' ' || buf[s] == '\t')
		return fail(p, 400, "obsolete line folding (a header line starts with whitespace)");
	while (i < e && tchar[(unsigned char)buf[i]])
		i++;
	if (i == e || buf[i] != ':') {
		if (i < e && (buf[i] == ' ' || buf[i] == '\t'))
			return fail(p, 400, "whitespace between a header name and its colon");
		return fail(p, 400, "invalid header name (only RFC 9110 token characters)");
	}
	if (i == s)
		return fail(p, 400, "empty header name");
	f->name = span(s, i - s);
	vs = i + 1;
	while (vs < e && (buf[vs] == ' ' || buf[vs] == '\t'))
		vs++;
	ve = e;
	while (ve > vs && (buf[ve - 1] == ' ' || buf[ve - 1] == '\t'))
		ve--;
	for (size_t j = vs; j < ve; j++)
		if (!is_value_byte((unsigned char)buf[j]))
			return fail(p, 400, "control byte 0x%02x in header %.*s", (unsigned char)buf[j],
			    (int)(i - s), buf + s);
	f->value = span(vs, ve - vs);
	return 0;
}

static int
parse_version(struct http_parser *p, const char *v, size_t n)
{
	if (n == 8 && memcmp(v, "HTTP/1.", 7) == 0 && (v[7] == '0' || v[7] == '1')) {
		p->head.version_minor = v[7] - '0';
		return 0;
	}
	if (n == 8 && memcmp(v, "HTTP/", 5) == 0 && v[5] >= '0' && v[5] <= '9' && v[6] == '.' &&
	    v[7] >= '0' && v[7] <= '9')
		return fail(p, 505, "HTTP version %.8s is not supported (HTTP/1.0 and 1.1 only)", v);
	return fail(p, 400, "invalid HTTP version");
}

static int
parse_request_line(struct http_parser *p, const char *buf, size_t e)
{
	struct http_head *h = &p->head;
	size_t i = 0, ts;

	while (i < e && tchar[(unsigned char)buf[i]])
		i++;
	if (i == 0 || i == e || buf[i] != ' ')
		return fail(p, 400, "invalid request line (method SP target SP version)");
	h->method = span(0, i);
	h->method_id = -1;
	for (size_t m = 0; m < http_n_methods; m++)
		if (span_eqn(buf, h->method, http_methods[m].name, strlen(http_methods[m].name)))
			h->method_id = (int)m;
	if (h->method_id < 0)
		return fail(p, 501, "unknown method %.*s", (int)(i > 32 ? 32 : i), buf);
	if (!http_methods[h->method_id].allowed)
		return fail(p, 405, "method %s is not allowed", http_methods[h->method_id].name);
	ts = ++i;
	while (i < e && buf[i] > 0x20 && buf[i] < 0x7f && buf[i] != '#')
		i++;
	if (i == ts || i == e || buf[i] != ' ')
		return fail(p, 400, "invalid request target (visible ASCII, no fragment, one space)");
	h->target = span(ts, i - ts);
	if (buf[ts] == '*') {
		if (i - ts != 1 || strcmp(http_methods[h->method_id].name, "OPTIONS") != 0)
			return fail(p, 400, "asterisk target is only for OPTIONS");
		h->path = h->target;
	} else if (buf[ts] != '/') {
		return fail(p, 400, "request target must be a path starting with /");
	} else {
		const char *q = memchr(buf + ts, '?', i - ts);
		size_t plen = q != NULL ? (size_t)(q - (buf + ts)) : i - ts;

		h->path = span(ts, plen);
		if (q != NULL)
			h->query = span(ts + plen + 1, i - ts - plen - 1);
	}
	return parse_version(p, buf + i + 1, e - i - 1);
}

static int
parse_status_line(struct http_parser *p, const char *buf, size_t e)
{
	struct http_head *h = &p->head;

	if (e < 12 || buf[8] != ' ')
		return fail(p, 502, "invalid status line");
	if (parse_version(p, buf, 8) < 0)
		return HTTP_ERROR;
	for (int k = 9; k < 12; k++)
		if (buf[k] < '0' || buf[k] > '9')
			return fail(p, 502, "invalid status code");
	h->status = (buf[9] - '0') * 100 + (buf[10] - '0') * 10 + (buf[11] - '0');
	if (h->status < 100)
		return fail(p, 502, "invalid status code");
	if (e > 12 && buf[12] != ' ')
		return fail(p, 502, "invalid status line");
	for (size_t k = 13; k < e; k++)
		if (!is_value_byte((unsigned char)buf[k]))
			return fail(p, 502, "control byte in the reason phrase");
	h->reason = e > 13 ? span(13, e - 13) : span(e, 0);
	return 0;
}

static int
parse_content_length(struct http_parser *p, const char *v, size_t n)
{
	uint64_t cl = 0;

	if (n == 0 || n > 19)
		return fail(p, 400, "malformed Content-Length (1 to 19 digits)");
	for (size_t i = 0; i < n; i++) {
		if (v[i] < '0' || v[i] > '9')
			return fail(p, 400, "malformed Content-Length (digits only)");
		cl = cl * 10 + (uint64_t)(v[i] - '0');
	}
	p->head.content_length = cl;
	return 0;
}

/* Host: reg-name, IPv4 or [IPv6], optional :port; nothing else. */
static bool
host_ok(const char *v, size_t n)
{
	if (n == 0 || n > 255)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)v[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '.' || c == '_' || c == ':' || c == '[' || c == ']'))
			return false;
	}
	return true;
}

/* Connection: comma-separated tokens. */
static void
parse_connection(struct http_head *h, const char *v, size_t n, bool *close_tok, bool *ka_tok)
{
	size_t i = 0;

	while (i < n) {
		size_t s, e;

		while (i < n && (v[i] == ' ' || v[i] == '\t' || v[i] == ','))
			i++;
		s = i;
		while (i < n && v[i] != ',')
			i++;
		e = i;
		while (e > s && (v[e - 1] == ' ' || v[e - 1] == '\t'))
			e--;
		if (e - s == 5 && strncasecmp(v + s, "close", 5) == 0)
			*close_tok = true;
		else if (e - s == 10 && strncasecmp(v + s, "keep-alive", 10) == 0)
			*ka_tok = true;
		else if (e - s == 7 && strncasecmp(v + s, "upgrade", 7) == 0)
			h->upgrade = true;
	}
}

/* The framing rules, applied once every field is known. */
static int
apply_fields(struct http_parser *p, const char *buf)
{
	struct http_head *h = &p->head;
	int n_cl = 0, n_te = 0, n_host = 0, n_expect = 0;
	bool close_tok = false, ka_tok = false;

	for (size_t i = 0; i < h->n_fields; i++) {
		const struct http_field *f = &h->fields[i];
		const char *v = buf + f->value.off;

		if (span_ieq(buf, f->name, "content-length")) {
			if (++n_cl > 1)
				return fail(p, 400, "more than one Content-Length");
			if (parse_content_length(p, v, f->value.len) < 0)
				return HTTP_ERROR;
		} else if (span_ieq(buf, f->name, "transfer-encoding")) {
			if (++n_te > 1)
				return fail(p, 400, "more than one Transfer-Encoding");
			if (!span_eq(buf, f->value, "chunked"))
				return fail(p, p->kind == HTTP_REQUEST ? 501 : 502,
				    "Transfer-Encoding other than exactly \"chunked\"");
		} else if (span_ieq(buf, f->name, "host")) {
			if (++n_host > 1)
				return fail(p, 400, "more than one Host");
			if (!host_ok(v, f->value.len))
				return fail(p, 400, "invalid Host");
			h->host = (int)i;
		} else if (span_ieq(buf, f->name, "connection")) {
			parse_connection(h, v, f->value.len, &close_tok, &ka_tok);
		} else if (p->kind == HTTP_REQUEST && span_ieq(buf, f->name, "expect")) {
			if (++n_expect > 1 || !span_ieq(buf, f->value, "100-continue"))
				return fail(p, 417, "only Expect: 100-continue is supported");
			h->expect_continue = true;
		}
	}
	h->keep_alive = !close_tok && (h->version_minor == 1 || ka_tok);
	if (n_cl > 0 && n_te > 0)
		return fail(p, 400, "both Content-Length and Transfer-Encoding");
	if (p->kind == HTTP_REQUEST) {
		if (n_te > 0 && h->version_minor == 0)
			return fail(p, 400, "Transfer-Encoding in an HTTP/1.0 request");
		if (n_host == 0 && h->version_minor == 1)
			return fail(p, 400, "HTTP/1.1 request without Host");
		h->framing = n_te > 0 ? HTTP_BODY_CHUNKED :
		    n_cl > 0 && h->content_length > 0 ? HTTP_BODY_LENGTH : HTTP_BODY_NONE;
		if (h->framing == HTTP_BODY_NONE)
			h->expect_continue = false;
		return 0;
	}
	if (h->status < 200 || h->status == 204 || h->status == 304 || p->response_to_head)
		h->framing = HTTP_BODY_NONE;
	else if (n_te > 0)
		h->framing = HTTP_BODY_CHUNKED;
	else if (n_cl > 0)
		h->framing = h->content_length > 0 ? HTTP_BODY_LENGTH : HTTP_BODY_NONE;
	else
		h->framing = HTTP_BODY_CLOSE;
	if (h->framing == HTTP_BODY_CLOSE)
		h->keep_alive = false;
	return 0;
}

static void
start_body(struct http_parser *p)
{
	switch (p->head.framing) {
	case HTTP_BODY_NONE:
		p->state = ST_DONE;
		break;
	case HTTP_BODY_LENGTH:
		p->state = ST_BODY_LENGTH;
		p->remaining = p->head.content_length;
		break;
	case HTTP_BODY_CHUNKED:
		p->state = ST_CHUNK_SIZE;
		break;
	case HTTP_BODY_CLOSE:
		p->state = ST_CLOSE;
		break;
	}
}

/* The complete head [0, end) where end is the CR of the empty line. */
static int
parse_lines(struct http_parser *p, const char *buf, size_t end)
{
	struct http_head *h = &p->head;
	size_t s = 0;
	bool first = true;

	while (s < end) {
		const char *cr = memchr(buf + s, '\r', end - s);
		size_t e = cr != NULL ? (size_t)(cr - buf) : end;

		if (first) {
			if ((p->kind == HTTP_REQUEST ? parse_request_line(p, buf, e) :
			    parse_status_line(p, buf, e)) < 0)
				return HTTP_ERROR;
			first = false;
		} else {
			if (h->n_fields >= p->lim.max_headers)
				return fail(p, 431, "more than %zu header fields", p->lim.max_headers);
			if (parse_field(p, buf, s, e, &h->fields[h->n_fields]) < 0)
				return HTTP_ERROR;
			h->n_fields++;
		}
		s = e + 2;
	}
	if (apply_fields(p, buf) < 0)
		return HTTP_ERROR;
	h->head_len = end + 2;
	start_body(p);
	return HTTP_DONE;
}

int
http_parse_head(struct http_parser *p, const char *buf, size_t len)
{
	size_t i;

	if (p->state == ST_ERROR)
		return HTTP_ERROR;
	if (p->state != ST_HEAD)
		return HTTP_DONE;
	for (i = p->scan; i < len; i++) {
		unsigned char c = (unsigned char)buf[i];

		if (i >= p->lim.max_head)
			return fail(p, 431, "request head larger than %zu bytes", p->lim.max_head);
		if (c == '\r') {
			size_t line_len = i - p->line_start;

			if (i + 1 == len)
				break;
			if (buf[i + 1] != '\n')
				return fail(p, 400, "bare CR in the head");
			if (line_len == 0) {
				if (p->n_lines == 0)
					return fail(p, 400, "empty line before the start line");
				return parse_lines(p, buf, i);
			}
			if (++p->n_lines > p->lim.max_headers + 1)
				return fail(p, 431, "more than %zu header fields", p->lim.max_headers);
			p->line_start = i + 2;
			i++;
			continue;
		}
		if (c == '\n')
			return fail(p, 400, "bare LF in the head (lines end with CRLF)");
		if (c == '\0')
			return fail(p, 400, "NUL byte in the head");
		if (i - p->line_start >= p->lim.max_line)
			return fail(p, p->n_lines == 0 ? 414 : 431, "%s longer than %zu bytes",
			    p->n_lines == 0 ? "start line" : "header line", p->lim.max_line);
	}
	p->scan = i;
	return HTTP_MORE;
}

static bool
is_hex(unsigned char c, unsigned *v)
{
	if (c >= '0' && c <= '9')
		*v = c - '0';
	else if (c >= 'a' && c <= 'f')
		*v = c - 'a' + 10;
	else if (c >= 'A' && c <= 'F')
		*v = c - 'A' + 10;
	else
		return false;
	return true;
}

/* quoted-string at s[*i] (the opening quote); advances past the closing one. */
static bool
skip_quoted(const char *s, size_t n, size_t *i)
{
	size_t k = *i + 1;

	while (k < n) {
		unsigned char c = (unsigned char)s[k];

		if (c == '"') {
			*i = k + 1;
			return true;
		}
		if (c == '\\') {
			if (k + 1 >= n || !is_value_byte((unsigned char)s[k + 1]))
				return false;
			k += 2;
			continue;
		}
		if (!is_value_byte(c))
			return false;
		k++;
	}
	return false;
}

/* chunk-size [ chunk-ext ] : 1 to 16 hex digits, then ;name[=token|quoted]
 * with no whitespace anywhere. */
static int
parse_chunk_line(struct http_parser *p, const char *s, size_t n, uint64_t *size)
{
	size_t i = 0;
	uint64_t v = 0;
	unsigned d;

	while (i < n && is_hex((unsigned char)s[i], &d)) {
		if (i >= 16)
			return fail(p, 400, "chunk size longer than 16 hex digits");
		v = v * 16 + d;
		i++;
	}
	if (i == 0)
		return fail(p, 400, "invalid chunk size");
	if (v > CHUNK_SIZE_MAX)
		return fail(p, 400, "chunk size overflow");
	while (i < n) {
		size_t ns;

		if (s[i] != ';')
			return fail(p, 400, "invalid chunk size or extension");
		ns = ++i;
		while (i < n && tchar[(unsigned char)s[i]])
			i++;
		if (i == ns)
			return fail(p, 400, "invalid chunk extension name");
		if (i < n && s[i] == '=') {
			size_t vs = ++i;

			if (i < n && s[i] == '"') {
				if (!skip_quoted(s, n, &i))
					return fail(p, 400, "invalid chunk extension value");
			} else {
				while (i < n && tchar[(unsigned char)s[i]])
					i++;
				if (i == vs)
					return fail(p, 400, "invalid chunk extension value");
			}
		}
	}
	*size = v;
	return 0;
}

/* A CRLF-terminated line at the start of buf: its length without CRLF, or
 * -2 for more input, -1 after fail(). */
static long
body_line(struct http_parser *p, const char *buf, size_t len, size_t max)
{
	for (size_t i = 0; i < len; i++) {
		if (i > max)
			return fail(p, 400, "line in the chunked body longer than %zu bytes", max);
		if (buf[i] == '\r') {
			if (i + 1 == len)
				return -2;
			if (buf[i + 1] != '\n')
				return fail(p, 400, "bare CR in the chunked body");
			return (long)i;
		}
		if (buf[i] == '\n')
			return fail(p, 400, "bare LF in the chunked body");
	}
	if (len > max)
		return fail(p, 400, "line in the chunked body longer than %zu bytes", max);
	return -2;
}

static int
parse_trailer(struct http_parser *p, const char *buf, size_t n)
{
	struct http_field f;

	if (++p->n_trailers > p->lim.max_headers)
		return fail(p, 431, "too many trailer fields");
	if (parse_field(p, buf, 0, n, &f) < 0)
		return HTTP_ERROR;
	if (span_ieq(buf, f.name, "content-length") || span_ieq(buf, f.name, "transfer-encoding") ||
	    span_ieq(buf, f.name, "host"))
		return fail(p, 400, "framing field in a trailer");
	return 0;
}

int
http_parse_body(struct http_parser *p, const char *buf, size_t len, size_t *used,
    const char **data, size_t *data_len)
{
	size_t n;
	long line;
	uint64_t size = 0;

	*used = 0;
	*data = NULL;
	*data_len = 0;
	switch (p->state) {
	case ST_DONE:
		return HTTP_DONE;
	case ST_BODY_LENGTH:
	case ST_CHUNK_DATA:
		n = len < p->remaining ? len : (size_t)p->remaining;
		*data = buf;
		*data_len = n;
		*used = n;
		p->remaining -= n;
		if (p->remaining == 0) {
			if (p->state == ST_BODY_LENGTH) {
				p->state = ST_DONE;
				return HTTP_DONE;
			}
			p->state = ST_CHUNK_CRLF;
		}
		return HTTP_MORE;
	case ST_CLOSE:
		*data = buf;
		*data_len = len;
		*used = len;
		return HTTP_MORE;
	case ST_CHUNK_CRLF:
		if (len >= 1 && buf[0] != '\r')
			return fail(p, 400, "chunk data not followed by CRLF");
		if (len < 2)
			return HTTP_MORE;
		if (buf[1] != '\n')
			return fail(p, 400, "chunk data not followed by CRLF");
		*used = 2;
		p->state = ST_CHUNK_SIZE;
		return HTTP_MORE;
	case ST_CHUNK_SIZE:
		line = body_line(p, buf, len, CHUNK_LINE_MAX);
		if (line == -1)
			return HTTP_ERROR;
		if (line == -2)
			return HTTP_MORE;
		if (parse_chunk_line(p, buf, (size_t)line, &size) < 0)
			return HTTP_ERROR;
		*used = (size_t)line + 2;
		if (size == 0) {
			p->state = ST_TRAILER;
		} else {
			p->remaining = size;
			p->state = ST_CHUNK_DATA;
		}
		return HTTP_MORE;
	case ST_TRAILER:
		line = body_line(p, buf, len, p->lim.max_line);
		if (line == -1)
			return HTTP_ERROR;
		if (line == -2)
			return HTTP_MORE;
		p->trailer_bytes += (size_t)line + 2;
		if (p->trailer_bytes > p->lim.max_trailer)
			return fail(p, 431, "trailer section larger than %zu bytes", p->lim.max_trailer);
		*used = (size_t)line + 2;
		if (line == 0) {
			p->state = ST_DONE;
			return HTTP_DONE;
		}
		if (parse_trailer(p, buf, (size_t)line) < 0)
			return HTTP_ERROR;
		return HTTP_MORE;
	default:
		return HTTP_ERROR;
	}
}

int
http_parse_eof(struct http_parser *p)
{
	if (p->state == ST_CLOSE || p->state == ST_DONE) {
		p->state = ST_DONE;
		return HTTP_DONE;
	}
	fail(p, 400, "connection closed in the middle of a message");
	return HTTP_ERROR;
}
