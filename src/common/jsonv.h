/*
 * jsonv: validation of untrusted JSON request bodies against a field table.
 * A body must be an object; every member must be named in the table (unknown
 * fields are refused), have the declared type and lie within the declared
 * bounds; required members must be present. The first problem is reported as
 * a code ("unknown_field", "invalid_field", "missing_field") and a message
 * naming the field, ready for an HTTP 400.
 */
#ifndef YS_JSONV_H
#define YS_JSONV_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

enum jsonv_type {
	JSONV_STR,	/* string of min..max bytes (max 0 = 4096), valid UTF-8, no NUL */
	JSONV_INT,	/* integer in [min, max] */
	JSONV_BOOL,
	JSONV_OBJ,	/* any object; its members are the caller's to check */
	JSONV_ARR,	/* array of min..max members (max 0 = 10000) */
};

struct jsonv_field {
	const char *name;
	enum jsonv_type type;
	bool required;
	long long min, max;
};

struct jsonv_error {
	const char *code;	/* static string */
	char message[256];
};

/* NULL-name-terminated table. body may be NULL (treated as {}).
 * 0 when valid, -1 with e filled. */
int jsonv_check(const json_t *body, const struct jsonv_field *fields,
    struct jsonv_error *e);

/* Parse len bytes of untrusted text into an object (depth and size bounded
 * by the caller's limit on len). An empty body yields an empty object.
 * NULL with e filled ("invalid_json") on failure. */
json_t *jsonv_parse(const char *text, size_t len, struct jsonv_error *e);

/* Accessors for validated bodies: absent members yield def / NULL. */
const char *jsonv_str(const json_t *body, const char *name, const char *def);
long long jsonv_int(const json_t *body, const char *name, long long def);
bool jsonv_bool(const json_t *body, const char *name, bool def);

#endif
