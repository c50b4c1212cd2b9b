/*
 * jsonv: checks untrusted JSON bodies against a table of expected members
 * before any domain code sees them, so that handlers can read fields without
 * re-checking types and unknown members never slip through silently.
 */
#include "jsonv.h"

#include <stdio.h>
#include <string.h>

static const struct jsonv_field *
find_field(const struct jsonv_field *fields, const char *name)
{
	for (const struct jsonv_field *f = fields; f && f->name; f++)
		if (strcmp(f->name, name) == 0)
			return f;
	return NULL;
}

static int
fail(struct jsonv_error *e, const char *code, const char *fmt, const char *name,
    long long a, long long b)
{
	e->code = code;
	snprintf(e->message, sizeof(e->message), fmt, name, a, b);
	return -1;
}

static int
check_one(const struct jsonv_field *f, const json_t *v, struct jsonv_error *e)
{
	switch (f->type) {
	case JSONV_STR: {
		long long max = f->max ? f->max : 4096;
		size_t len;

		if (!json_is_string(v))
			return fail(e, "invalid_field", "%s: must be a string", f->name, 0, 0);
		len = json_string_length(v);
		/* jansson accepts \u0000 escapes; a NUL inside a name is never wanted. */
		if (strlen(json_string_value(v)) != len)
			return fail(e, "invalid_field", "%s: must not contain NUL characters",
			    f->name, 0, 0);
		if ((long long)len < f->min || (long long)len > max)
			return fail(e, "invalid_field",
			    "%s: length must be from %lld to %lld bytes", f->name, f->min, max);
		return 0;
	}
	case JSONV_INT: {
		json_int_t n;

		if (!json_is_integer(v))
			return fail(e, "invalid_field", "%s: must be an integer", f->name, 0, 0);
		n = json_integer_value(v);
		if (n < f->min || n > f->max)
			return fail(e, "invalid_field", "%s: must be an integer from %lld to %lld",
			    f->name, f->min, f->max);
		return 0;
	}
	case JSONV_BOOL:
		if (!json_is_boolean(v))
			return fail(e, "invalid_field", "%s: must be true or false", f->name, 0, 0);
		return 0;
	case JSONV_OBJ:
		if (!json_is_object(v))
			return fail(e, "invalid_field", "%s: must be an object", f->name, 0, 0);
		return 0;
	case JSONV_ARR:
		if (!json_is_array(v))
			return fail(e, "invalid_field", "%s: must be an array", f->name, 0, 0);
		if ((long long)json_array_size(v) > (f->max ? f->max : 10000))
			return fail(e, "invalid_field", "%s: at most %lld members", f->name,
			    f->max ? f->max : 10000, 0);
		if ((long long)json_array_size(v) < f->min)
			return fail(e, "invalid_field", "%s: at least %lld members", f->name,
			    f->min, 0);
		return 0;
	}
	return fail(e, "invalid_field", "%s: unsupported type", f->name, 0, 0);
}

int
jsonv_check(const json_t *body, const struct jsonv_field *fields, struct jsonv_error *e)
{
	const char *key;
	json_t *v;

	if (body != NULL && !json_is_object(body))
		return fail(e, "invalid_json", "%sbody must be a JSON object", "", 0, 0);
	if (body != NULL) {
		json_object_foreach((json_t *)body, key, v) {
			const struct jsonv_field *f = find_field(fields, key);

			if (f == NULL) {
				e->code = "unknown_field";
				snprintf(e->message, sizeof(e->message), "unknown field '%.64s'", key);
				return -1;
			}
			if (check_one(f, v, e) < 0)
				return -1;
		}
	}
	for (const struct jsonv_field *f = fields; f && f->name; f++) {
		if (f->required && (body == NULL || json_object_get(body, f->name) == NULL))
			return fail(e, "missing_field", "%s: is required", f->name, 0, 0);
	}
	return 0;
}

json_t *
jsonv_parse(const char *text, size_t len, struct jsonv_error *e)
{
	json_error_t je;
	json_t *v;
	size_t i;

	for (i = 0; i < len; i++)
		if (text[i] != ' ' && text[i] != '\t' && text[i] != '\r' && text[i] != '\n')
			break;
	if (i == len)
		return json_object();
	v = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
	if (v == NULL) {
		e->code = "invalid_json";
		snprintf(e->message, sizeof(e->message), "malformed JSON at line %d column %d: %.120s",
		    je.line, je.column, je.text);
		return NULL;
	}
	if (!json_is_object(v)) {
		json_decref(v);
		e->code = "invalid_json";
		snprintf(e->message, sizeof(e->message), "body must be a JSON object");
		return NULL;
	}
	return v;
}

const char *
jsonv_str(const json_t *body, const char *name, const char *def)
{
	json_t *v = body ? json_object_get(body, name) : NULL;

	return json_is_string(v) ? json_string_value(v) : def;
}

long long
jsonv_int(const json_t *body, const char *name, long long def)
{
	json_t *v = body ? json_object_get(body, name) : NULL;

	return json_is_integer(v) ? (long long)json_integer_value(v) : def;
}

bool
jsonv_bool(const json_t *body, const char *name, bool def)
{
	json_t *v = body ? json_object_get(body, name) : NULL;

	return json_is_boolean(v) ? json_is_true(v) : def;
}
