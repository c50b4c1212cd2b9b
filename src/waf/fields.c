/*
 * fields: request → fields (see fields.h). Parsers here read hostile
 * input; each one is bounded and never reads past a length.
 */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "fields.h"
#include "normalise.h"

/* Standard headers whose values browsers write, and credentials
 * (lowercase; "sec-" covers the Fetch metadata and client hints): skipped
 * while the value keeps to their grammar's characters (token lists, quoted
 * strings, dates, base64). Any other character ("zh-CN' and
 * extractvalue(...)") gets the value inspected like any other header. The
 * protocol detector still reads them all; every other header, including
 * unknown X- ones, is inspected. */
static const char *const skipped_headers[] = {
	"accept", "accept-encoding", "accept-charset", "accept-language", "connection",
	"cache-control", "pragma", "if-modified-since", "if-none-match",
	"if-match", "if-unmodified-since", "if-range", "upgrade-insecure-requests", "dnt",
	"te", "authorization", "proxy-authorization", "priority", "keep-alive",
	"upgrade", "content-encoding", "range", "sec-",
	"x-request-id", "x-csrf-token", "x-xsrf-token", "traceparent", "tracestate",
};

/* Headers never inspected as values: read by the parser and the protocol
 * checks (lengths, framing, the site's host), or split into fields. */
static const char *const parsed_headers[] = {
	"content-length", "transfer-encoding", "host", "cookie",
};

static int
name_in(const char *const *names, size_t count, const char *name, size_t len)
{
	for (size_t k = 0; len > 0 && k < count; k++) {
		size_t sl;

		if (names[k][0] != (char)tolower((unsigned char)name[0]))
			continue;	/* every header of every request passes here */
		sl = strlen(names[k]);
		if (names[k][sl - 1] == '-' ? len > sl && strncasecmp(name, names[k], sl) == 0 :
		    len == sl && strncasecmp(name, names[k], sl) == 0)
			return 1;
	}
	return 0;
}

/* Skipped headers whose grammar is a list of tokens and parameters
 * ("en-US,en;q=0.9", "gzip, deflate", "bytes=0-99"): no quoted strings, no
 * comments, and a blank only after ',' or ';'. "en\" or \"1\"=\"1" and "1 union
 * select 1,2,3" in Accept-Language, which some sites put in a locale query,
 * are inspected. */
static const char *const token_list_headers[] = {
	"accept-language", "accept-encoding", "accept-charset", "connection", "cache-control",
	"pragma", "te", "dnt", "priority", "keep-alive", "range", "upgrade-insecure-requests",
	"x-request-id", "traceparent",
};

static int
token_list_ok(const char *value, size_t vlen)
{
	for (size_t i = 0; i < vlen; i++) {
		if (value[i] == '"' || (value[i] == '/' && i + 1 < vlen && value[i + 1] == '*'))
			return 0;
		if (value[i] == ' ' && i > 0 && value[i - 1] != ',' && value[i - 1] != ';' &&
		    value[i - 1] != ' ')
			return 0;
	}
	return 1;
}

static int
header_skipped(const char *name, size_t len, const char *value, size_t vlen)
{
	if (name_in(parsed_headers, sizeof(parsed_headers) / sizeof(parsed_headers[0]), name, len))
		return 1;
	if (!name_in(skipped_headers, sizeof(skipped_headers) / sizeof(skipped_headers[0]), name, len))
		return 0;
	for (size_t i = 0; i < vlen; i++) {
		unsigned char c = (unsigned char)value[i];

		if (!isalnum(c) && (c == 0 || strchr(" ,;=./*+-_:\"?", c) == NULL))
			return 0;
	}
	if (name_in(token_list_headers, sizeof(token_list_headers) / sizeof(token_list_headers[0]),
	    name, len) && !token_list_ok(value, vlen))
		return 0;
	return 1;
}

static const char *const class_names[FC_COUNT] = {
	[FC_PATH] = "path", [FC_ARGS_NAMES] = "args_names", [FC_ARGS] = "args",
	[FC_COOKIES_NAMES] = "cookies_names", [FC_COOKIES] = "cookies",
	[FC_HEADERS] = "headers", [FC_BODY] = "body", [FC_FILENAMES] = "filenames",
	[FC_FILES] = "files", [FC_XML] = "xml", [FC_METHOD] = "method",
	[FC_CLIENT_IP] = "client_ip",
};

const char *
fields_class_name(int fclass)
{
	return fclass >= 0 && fclass < FC_COUNT ? class_names[fclass] : "?";
}

int
fields_class_find(const char *name, size_t len)
{
	for (int i = 0; i < FC_COUNT; i++)
		if (strlen(class_names[i]) == len && memcmp(class_names[i], name, len) == 0)
			return i;
	return -1;
}

static int
ascii_lower(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

/* memchr finds candidates for the first byte in either case; the rest is
 * compared without locale. */
const char *
fields_memcasemem(const char *h, size_t hl, const char *n, size_t nl)
{
	const char *p = h, *end;
	int lo, up;

	if (nl == 0)
		return h;
	if (hl < nl)
		return NULL;
	end = h + hl - nl + 1;
	lo = ascii_lower((unsigned char)n[0]);
	up = lo >= 'a' && lo <= 'z' ? lo - 32 : lo;
	while (p < end) {
		const char *a = memchr(p, lo, (size_t)(end - p));
		const char *b = up != lo ? memchr(p, up, (size_t)((a != NULL ? a : end) - p)) : NULL;
		const char *c = b != NULL ? b : a;
		size_t k;

		if (c == NULL)
			return NULL;
		for (k = 1; k < nl; k++)
			if (ascii_lower((unsigned char)c[k]) != ascii_lower((unsigned char)n[k]))
				break;
		if (k == nl)
			return c;
		p = c + 1;
	}
	return NULL;
}

const struct waf_header *
fields_header(const struct waf_request *req, const char *name)
{
	size_t nl = strlen(name);

	for (size_t i = 0; i < req->n_headers; i++) {
		const struct waf_header *h = &req->headers[i];

		if (h->name_len == nl && strncasecmp(h->name, name, nl) == 0)
			return h;
	}
	return NULL;
}

static int
add(struct field_set *fs, struct arena *a, int fclass, const char *src,
    const char *name, size_t name_len, const char *value, size_t len)
{
	struct field *f;

	if (fs->n >= FIELDS_MAX && !fs->overflow) {
		fs->flags |= FIELD_F_TOO_MANY;
		return 0;
	}
	if (fs->n == fs->cap) {
		size_t ncap = fs->cap == 0 ? 64 : fs->cap * 2;
		struct field *nv;

		if (fs->n >= FIELDS_MAX + 2) {
			fs->flags |= FIELD_F_TOO_MANY;
			return 0;
		}
		nv = arena_alloc(a, ncap * sizeof(*nv));
		if (nv == NULL)
			return -1;
		if (fs->n > 0)
			memcpy(nv, fs->v, fs->n * sizeof(*nv));
		fs->v = nv;
		fs->cap = ncap;
	}
	f = &fs->v[fs->n++];
	f->fclass = (uint8_t)fclass;
	f->src = src;
	f->name = name != NULL ? name : "";
	f->name_len = name != NULL ? name_len : 0;
	f->value = value != NULL ? value : "";
	f->len = value != NULL ? len : 0;
	return 0;
}

/* A name for labels and name filters: percent-decoded, NUL-terminated. */
static const char *
decoded_name(struct arena *a, const char *s, size_t n, size_t *outlen)
{
	char *d;

	if (n > 256)
		n = 256;
	d = arena_alloc(a, n + 1);
	if (d == NULL)
		return NULL;
	*outlen = norm_urldecode(s, n, d);
	d[*outlen] = '\0';
	return d;
}

/* name=value pairs separated by sep ('&' for queries and forms, ';' for
 * cookies, where spaces around pairs are dropped). */
static int
split_pairs(struct field_set *fs, struct arena *a, const char *s, size_t len, char sep,
    int name_class, int value_class, const char *src, const char *name_src)
{
	size_t i = 0;

	while (i < len) {
		size_t start = i, eq, end, nl = 0;
		const char *name;

		while (i < len && s[i] != sep)
			i++;
		end = i;
		if (i < len)
			i++;
		if (sep == ';')
			while (start < end && (s[start] == ' ' || s[start] == '\t'))
				start++;
		if (start == end)
			continue;
		for (eq = start; eq < end && s[eq] != '='; eq++)
			;
		if (sep == ';') {
			name = arena_strndup(a, s + start, eq - start);
			nl = eq - start;
		} else {
			name = decoded_name(a, s + start, eq - start, &nl);
		}
		if (name == NULL)
			return -1;
		if (add(fs, a, name_class, name_src, name, nl, s + start, eq - start) < 0)
			return -1;
		if (eq < end && add(fs, a, value_class, src, name, nl, s + eq + 1, end - eq - 1) < 0)
			return -1;
	}
	return 0;
}

/* A GraphQL document sent as a JSON string ({"query": "query { users(where:
 * \"...\") { id } }"}): its string arguments are parameters like any other,
 * added as fields of their own ("graphql:query"), escapes undone. */
size_t
fields_graphql_start(const char *v, size_t len)
{
	static const char *const ops[] = { "query", "mutation", "subscription", "fragment" };
	size_t i = 0;

	while (i < len && isspace((unsigned char)v[i]))
		i++;
	if (memchr(v, '{', len) == NULL)
		return (size_t)-1;
	if (i < len && v[i] == '{')
		return i;
	for (size_t k = 0; k < sizeof(ops) / sizeof(ops[0]); k++)
		if (len - i > strlen(ops[k]) && strncmp(v + i, ops[k], strlen(ops[k])) == 0)
			return i;
	return (size_t)-1;
}

static int
graphql_strings(struct field_set *fs, struct arena *a, const char *key, size_t key_len,
    const char *v, size_t len)
{
	size_t i = fields_graphql_start(v, len);

	if (i == (size_t)-1 || memchr(v, '(', len) == NULL)
		return 0;
	for (; i < len; i++) {
		size_t b, n = 0;
		char *out;

		if (v[i] != '"')
			continue;
		if (i + 2 < len && v[i + 1] == '"' && v[i + 2] == '"') {	/* """block""" */
			const char *e = fields_memcasemem(v + i + 3, len - i - 3, "\"\"\"", 3);

			if (e == NULL)
				return 0;
			i = (size_t)(e - v) + 2;
			continue;
		}
		for (b = ++i; i < len && v[i] != '"'; i++)
			if (v[i] == '\\')
				i++;
		if (i >= len)
			return 0;
		if ((out = arena_strndup(a, v + b, i - b)) == NULL)
			return -1;
		for (size_t r = 0; r < i - b; r++) {
			if (out[r] == '\\' && r + 1 < i - b) {
				r++;
				out[n++] = out[r] == 'n' ? '\n' : out[r] == 't' ? '\t' : out[r];
			} else {
				out[n++] = out[r];
			}
		}
		if (add(fs, a, FC_ARGS, "graphql", key, key_len, out, n) < 0)
			return -1;
	}
	return 0;
}

static int
walk_json(struct field_set *fs, struct arena *a, json_t *j, const char *key, size_t key_len,
    int depth)
{
	if (depth > FIELDS_JSON_MAX_DEPTH) {
		fs->flags |= FIELD_F_DEEP_JSON;
		return 0;
	}
	if (json_is_string(j)) {
		if (add(fs, a, FC_ARGS, "json", key, key_len, json_string_value(j),
		    json_string_length(j)) < 0)
			return -1;
		return graphql_strings(fs, a, key, key_len, json_string_value(j), json_string_length(j));
	}
	if (json_is_object(j)) {
		const char *k;
		json_t *v;

		json_object_foreach(j, k, v) {
			size_t kl = strlen(k);

			if (add(fs, a, FC_ARGS_NAMES, "json_key", k, kl, k, kl) < 0)
				return -1;
			/* {"password": {"$ne": null}}: an operator under a key is
			 * also named the way query strings write it,
			 * "password[$ne]", so one rule reads both */
			if (k[0] == '$' && key != NULL && key_len + kl + 2 < 256) {
				char *pk = arena_alloc(a, key_len + kl + 3);

				if (pk == NULL)
					return -1;
				memcpy(pk, key, key_len);
				pk[key_len] = '[';
				memcpy(pk + key_len + 1, k, kl);
				pk[key_len + kl + 1] = ']';
				pk[key_len + kl + 2] = '\0';
				if (add(fs, a, FC_ARGS_NAMES, "json_key", k, kl, pk, key_len + kl + 2) < 0)
					return -1;
			}
			if (walk_json(fs, a, v, k, kl, depth + 1) < 0)
				return -1;
			if (fs->flags & FIELD_F_TOO_MANY)
				return 0;
		}
	} else if (json_is_array(j)) {
		size_t idx;
		json_t *v;

		json_array_foreach(j, idx, v) {
			if (walk_json(fs, a, v, key, key_len, depth + 1) < 0)
				return -1;
			if (fs->flags & FIELD_F_TOO_MANY)
				return 0;
		}
	}
	return 0;
}

/* The value of parameter param in a header value such as
 * `multipart/form-data; boundary="x"`, or NULL. */
static const char *
header_param(const char *v, size_t len, const char *param, size_t *outlen)
{
	size_t pl = strlen(param), i = 0;

	while (i < len) {
		while (i < len && v[i] != ';')
			i++;
		if (i >= len)
			break;
		i++;
		while (i < len && (v[i] == ' ' || v[i] == '\t'))
			i++;
		if (i + pl + 1 <= len && strncasecmp(v + i, param, pl) == 0 && v[i + pl] == '=') {
			size_t s = i + pl + 1, e;

			if (s < len && v[s] == '"') {
				s++;
				for (e = s; e < len && v[e] != '"'; e++)
					;
				if (e >= len)
					return NULL;	/* unterminated quote */
			} else {
				for (e = s; e < len && v[e] != ';' && v[e] != ' ' && v[e] != '\t'; e++)
					;
			}
			*outlen = e - s;
			return v + s;
		}
	}
	return NULL;
}

static const char *
find_mem(const char *h, size_t hl, const char *n, size_t nl)
{
	return nl == 0 ? h : memmem(h, hl, n, nl);
}

/* One part's headers (hdr[0..hl)): the field name and file names from its
 * Content-Disposition: filename= and the RFC 5987 filename*= (raw,
 * "UTF-8''%3Cx%3E.png"; servers that read one or the other disagree on
 * which, so both are inspected). -1 when malformed. */
static int
part_disposition(const char *hdr, size_t hl, const char **name, size_t *nl,
    const char **fname, size_t *fl, const char **fname_ext, size_t *fxl)
{
	size_t i = 0;
	int seen = 0;

	*name = *fname = *fname_ext = NULL;
	*nl = *fl = *fxl = 0;
	while (i < hl) {
		size_t e = i, colon;

		while (e < hl && !(hdr[e] == '\r' && e + 1 < hl && hdr[e + 1] == '\n'))
			e++;
		for (colon = i; colon < e && hdr[colon] != ':'; colon++)
			;
		if (colon == e || colon == i)
			return -1;	/* a header line without a name */
		if (colon - i == 19 && strncasecmp(hdr + i, "content-disposition", 19) == 0) {
			const char *v = hdr + colon + 1;
			size_t vl = e - colon - 1;

			while (vl > 0 && (*v == ' ' || *v == '\t')) {
				v++;
				vl--;
			}
			if (vl < 9 || strncasecmp(v, "form-data", 9) != 0)
				return -1;
			*name = header_param(v, vl, "name", nl);
			*fname = header_param(v, vl, "filename", fl);
			*fname_ext = header_param(v, vl, "filename*", fxl);
			if (*name == NULL)
				return -1;
			seen = 1;
		}
		i = e + 2;
	}
	return seen ? 0 : -1;
}

static int
parse_multipart(struct field_set *fs, struct arena *a, const char *body, size_t len)
{
	char delim[80];
	const char *b;
	size_t bl, dl, pos, parts = 0;

	b = header_param(fs->content_type, fs->content_type_len, "boundary", &bl);
	if (b == NULL || bl == 0 || bl > 70)
		goto bad;
	dl = (size_t)snprintf(delim, sizeof(delim), "\r\n--%.*s", (int)bl, b);
	/* the body starts with the first delimiter (no preamble) */
	if (len < dl - 2 || memcmp(body, delim + 2, dl - 2) != 0)
		goto bad;
	pos = dl - 2;
	for (;;) {
		const char *hend, *next, *name, *fname, *fx;
		size_t hl, cl, nl, fl, fxl;

		if (pos + 2 <= len && body[pos] == '-' && body[pos + 1] == '-')
			return 0;	/* closing delimiter */
		if (pos + 2 > len || body[pos] != '\r' || body[pos + 1] != '\n')
			goto bad;
		pos += 2;
		if (++parts > FIELDS_MULTIPART_MAX_PARTS)
			goto bad;
		hend = find_mem(body + pos, len - pos, "\r\n\r\n", 4);
		if (hend == NULL || (size_t)(hend - (body + pos)) > 8192)
			goto bad;
		hl = (size_t)(hend - (body + pos)) + 2;
		if (part_disposition(body + pos, hl, &name, &nl, &fname, &fl, &fx, &fxl) < 0)
			goto bad;
		if (fname == NULL && fx != NULL) {
			fname = fx;
			fl = fxl;
			fx = NULL;
		}
		pos += hl + 2;
		next = find_mem(body + pos, len - pos, delim, dl);
		if (next == NULL)
			goto bad;	/* unterminated part */
		cl = (size_t)(next - (body + pos));
		name = arena_strndup(a, name, nl);
		if (name == NULL)
			return -1;
		if (fname != NULL) {
			if (add(fs, a, FC_FILENAMES, "filename", name, nl, fname, fl) < 0 ||
			    (fx != NULL && add(fs, a, FC_FILENAMES, "filename", name, nl, fx, fxl) < 0) ||
			    add(fs, a, FC_FILES, "file", name, nl, body + pos, cl) < 0)
				return -1;
		} else if (add(fs, a, FC_ARGS_NAMES, "multipart_name", name, nl, name, nl) < 0 ||
		    add(fs, a, FC_ARGS, "multipart", name, nl, body + pos, cl) < 0) {
			return -1;
		}
		pos += cl + dl;
	}
bad:
	fs->flags |= FIELD_F_BAD_MULTIPART;
	return add(fs, a, FC_BODY, "body", NULL, 0, body, len);
}

static int
ct_is(const struct field_set *fs, const char *type)
{
	size_t tl = strlen(type);

	return fs->content_type != NULL && fs->content_type_len >= tl &&
	    strncasecmp(fs->content_type, type, tl) == 0 &&
	    (fs->content_type_len == tl || fs->content_type[tl] == ';' ||
	    fs->content_type[tl] == ' ');
}

static int
looks_xml(const char *b, size_t len)
{
	size_t i = 0;

	while (i < len && isspace((unsigned char)b[i]))
		i++;
	return len - i >= 5 && (strncmp(b + i, "<?xml", 5) == 0 ||
	    (len - i >= 9 && strncasecmp(b + i, "<!DOCTYPE", 9) == 0));
}

static int
parse_body(struct field_set *fs, struct arena *a, const char *body, size_t len)
{
	if (len > FIELDS_BODY_MAX) {
		fs->flags |= FIELD_F_BODY_CUT;
		len = FIELDS_BODY_MAX;
	}
	if (ct_is(fs, "application/x-www-form-urlencoded") ||
	    (fs->content_type == NULL && memchr(body, '=', len) != NULL &&
	    memchr(body, '\n', len) == NULL && !looks_xml(body, len)))
		return split_pairs(fs, a, body, len, '&', FC_ARGS_NAMES, FC_ARGS, "form", "form_name");
	if (ct_is(fs, "multipart/form-data"))
		return parse_multipart(fs, a, body, len);
	if (fs->content_type != NULL &&
	    fields_memcasemem(fs->content_type, fs->content_type_len, "json", 4) != NULL) {
		json_error_t jerr;

		fs->json = json_loadb(body, len, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &jerr);
		if (fs->json != NULL)
			return walk_json(fs, a, fs->json, NULL, 0, 0);
		fs->flags |= FIELD_F_BAD_JSON;
	}
	if (looks_xml(body, len) || (fs->content_type != NULL &&
	    fields_memcasemem(fs->content_type, fs->content_type_len, "xml", 3) != NULL)) {
		if (add(fs, a, FC_XML, "xml", NULL, 0, body, len) < 0)
			return -1;
	}
	return add(fs, a, FC_BODY, "body", NULL, 0, body, len);
}

static int
add_headers(const struct waf_request *req, struct field_set *fs, struct arena *a)
{
	for (size_t i = 0; i < req->n_headers; i++) {
		const struct waf_header *h = &req->headers[i];
		char *lname;

		if (h->name_len == 6 && strncasecmp(h->name, "cookie", 6) == 0) {
			if (split_pairs(fs, a, h->value, h->value_len, ';', FC_COOKIES_NAMES,
			    FC_COOKIES, "cookie", "cookie_name") < 0)
				return -1;
			continue;
		}
		if (h->name_len == 12 && strncasecmp(h->name, "content-type", 12) == 0) {
			fs->content_type = h->value;
			fs->content_type_len = h->value_len;
		}
		if (header_skipped(h->name, h->name_len, h->value, h->value_len) || h->name_len > 128)
			continue;
		lname = arena_strndup(a, h->name, h->name_len);
		if (lname == NULL)
			return -1;
		norm_lower(lname, h->name_len, lname);
		if (add(fs, a, FC_HEADERS, "header", lname, h->name_len, h->value, h->value_len) < 0)
			return -1;
	}
	return 0;
}

int
fields_extract(const struct waf_request *req, struct arena *a, struct field_set *fs)
{
	memset(fs, 0, sizeof(*fs));
	if (add(fs, a, FC_METHOD, "method", NULL, 0, req->method, req->method_len) < 0)
		return -1;
	if (req->client_ip != NULL &&
	    add(fs, a, FC_CLIENT_IP, "client_ip", NULL, 0, req->client_ip, strlen(req->client_ip)) < 0)
		return -1;
	if (add(fs, a, FC_PATH, "path", NULL, 0, req->path, req->path_len) < 0)
		return -1;
	if (req->query != NULL && req->query_len > 0 &&
	    split_pairs(fs, a, req->query, req->query_len, '&', FC_ARGS_NAMES, FC_ARGS,
	    "query", "query_name") < 0)
		return -1;
	if (add_headers(req, fs, a) < 0)
		return -1;
	if (req->body != NULL && req->body_len > 0 &&
	    parse_body(fs, a, (const char *)req->body, req->body_len) < 0)
		return -1;
	if (fs->flags & FIELD_F_TOO_MANY) {
		/* what did not fit as fields is still inspected, whole and raw */
		fs->overflow = 1;
		if (req->query != NULL && req->query_len > 0 &&
		    add(fs, a, FC_ARGS, "query", NULL, 0, req->query, req->query_len) < 0)
			return -1;
		if (req->body != NULL && req->body_len > 0 &&
		    add(fs, a, FC_BODY, "body", NULL, 0, (const char *)req->body,
		    req->body_len < FIELDS_BODY_MAX ? req->body_len : FIELDS_BODY_MAX) < 0)
			return -1;
	}
	return 0;
}

void
fields_release(struct field_set *fs)
{
	if (fs == NULL)
		return;
	json_decref(fs->json);
	fs->json = NULL;
}
