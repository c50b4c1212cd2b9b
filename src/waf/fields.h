/*
 * fields: what of a request the rules look at. fields_extract() splits a
 * waf_request into named fields of a few classes (path, argument names
 * and values from the query, form, JSON and multipart bodies, cookies,
 * selected headers, uploaded file names and contents, XML bodies, the
 * method). Values point into the request or into the request's arena and
 * are still raw: decoding is the rules' transforms' job. Everything is
 * bounded (number of fields, JSON depth, multipart parts, body size) and
 * what was cut or malformed is flagged for the protocol detector.
 */
#ifndef YS_WAF_FIELDS_H
#define YS_WAF_FIELDS_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "arena.h"
#include "waf.h"

enum field_class {
	FC_PATH, FC_ARGS_NAMES, FC_ARGS, FC_COOKIES_NAMES, FC_COOKIES, FC_HEADERS,
	FC_BODY, FC_FILENAMES, FC_FILES, FC_XML, FC_METHOD, FC_CLIENT_IP,
	FC_COUNT
};

#define FIELDS_MAX 4096
#define FIELDS_JSON_MAX_DEPTH 32
#define FIELDS_MULTIPART_MAX_PARTS 256
#define FIELDS_BODY_MAX (4u << 20)	/* bytes of body parsed into fields */

/* Flags of what extraction met (struct field_set.flags). */
#define FIELD_F_TOO_MANY	0x01	/* more than FIELDS_MAX fields: the raw query
					 * and body are added as two more fields */
#define FIELD_F_BAD_JSON	0x02	/* JSON content type, body not JSON */
#define FIELD_F_BAD_MULTIPART	0x04	/* boundary missing or parts malformed */
#define FIELD_F_DEEP_JSON	0x08	/* nesting beyond FIELDS_JSON_MAX_DEPTH */
#define FIELD_F_BODY_CUT	0x10	/* body beyond FIELDS_BODY_MAX not parsed */
#define FIELD_F_BAD_FORM	0x20	/* form content type, body not a form */

struct field {
	uint8_t fclass;
	const char *src;	/* "query", "form", "json", "header", ... */
	const char *name;	/* decoded, NUL-terminated ("" when none) */
	size_t name_len;
	const char *value;
	size_t len;
};

struct field_set {
	struct field *v;
	size_t n, cap;
	unsigned flags;
	int overflow;		/* adding the raw query and body after TOO_MANY */
	json_t *json;		/* parsed JSON body, owned */
	const char *content_type;	/* header value or NULL */
	size_t content_type_len;
};

/* 0, or -1 when the arena ran out (the caller fails closed). */
int fields_extract(const struct waf_request *req, struct arena *a, struct field_set *fs);
void fields_release(struct field_set *fs);

/* Class names as rules spell them ("args", "headers", ...). */
const char *fields_class_name(int fclass);
int fields_class_find(const char *name, size_t len);

/* The request header named name (lowercase), or NULL. */
const struct waf_header *fields_header(const struct waf_request *req, const char *name);

/* Case-insensitive substring search, bounded by both lengths. */
const char *fields_memcasemem(const char *h, size_t hl, const char *n, size_t nl);

/* Where the GraphQL document in v starts ("{", "query", "mutation",
 * "subscription" or "fragment" after blanks, with a '{' somewhere), or
 * (size_t)-1 when v does not look like one. */
size_t fields_graphql_start(const char *v, size_t len);

#endif
