/*
 * fuzz_json: libFuzzer harness for jsonv, the validator every request body
 * passes: jsonv_parse on untrusted bytes, then jsonv_check against a table
 * with one field of each type and bound (required and optional, a bounded
 * and a default-bounded string, a signed range). A body that passes must
 * really satisfy the table; one that fails must say why.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "jsonv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct jsonv_field fields[] = {
	{ "name", JSONV_STR, true, 1, 16 },
	{ "note", JSONV_STR, false, 0, 0 },
	{ "count", JSONV_INT, false, -5, 100000 },
	{ "big", JSONV_INT, false, INT64_MIN, INT64_MAX },
	{ "flag", JSONV_BOOL, false, 0, 0 },
	{ NULL, JSONV_STR, false, 0, 0 },
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct jsonv_error e = { NULL, "" };
	char *copy = malloc(size > 0 ? size : 1);
	json_t *v;

	if (copy == NULL)
		return 0;
	memcpy(copy, data, size);
	v = jsonv_parse(copy, size, &e);
	if (v == NULL) {
		if (e.code == NULL || strcmp(e.code, "invalid_json") != 0 ||
		    memchr(e.message, '\0', sizeof(e.message)) == NULL)
			abort();
	} else if (jsonv_check(v, fields, &e) == 0) {
		const char *name = jsonv_str(v, "name", NULL), *note = jsonv_str(v, "note", NULL);
		long long count = jsonv_int(v, "count", 0);

		if (name == NULL || strlen(name) < 1 || strlen(name) > 16)
			abort();
		if (note && strlen(note) > 4096)
			abort();
		if (count < -5 || count > 100000)
			abort();
		if (json_object_size(v) > 5)
			abort();
		(void)jsonv_bool(v, "flag", false);
		(void)jsonv_int(v, "big", 0);
	} else if (e.code == NULL || memchr(e.message, '\0', sizeof(e.message)) == NULL) {
		abort();
	}
	json_decref(v);
	free(copy);
	return 0;
}
