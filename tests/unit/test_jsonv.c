/* Unit tests of jsonv: request bodies are checked field by field. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>

#include <cmocka.h>

#include "jsonv.h"

static const struct jsonv_field fields[] = {
	{ "name", JSONV_STR, true, 2, 10 },
	{ "count", JSONV_INT, false, 1, 100 },
	{ "flag", JSONV_BOOL, false, 0, 0 },
	{ "items", JSONV_ARR, false, 1, 3 },
	{ NULL, JSONV_STR, false, 0, 0 },
};

static int
check(const char *text, const char **code)
{
	struct jsonv_error e = { NULL, "" };
	json_t *v = jsonv_parse(text, strlen(text), &e);
	int rc;

	if (v == NULL) {
		*code = e.code;
		return -1;
	}
	rc = jsonv_check(v, fields, &e);
	json_decref(v);
	*code = e.code;
	return rc;
}

static void
test_valid(void **state)
{
	const char *code;

	(void)state;
	assert_int_equal(check("{\"name\":\"abc\",\"count\":5,\"flag\":true}", &code), 0);
	assert_int_equal(check("{\"name\":\"ab\"}", &code), 0);
}

static void
test_rejects(void **state)
{
	const char *code;

	(void)state;
	assert_int_equal(check("{\"name\":\"abc\",\"extra\":1}", &code), -1);
	assert_string_equal(code, "unknown_field");
	assert_int_equal(check("{\"count\":5}", &code), -1);
	assert_string_equal(code, "missing_field");
	assert_int_equal(check("{\"name\":5}", &code), -1);
	assert_string_equal(code, "invalid_field");
	assert_int_equal(check("{\"name\":\"a\"}", &code), -1);
	assert_string_equal(code, "invalid_field");
	assert_int_equal(check("{\"name\":\"abc\",\"count\":101}", &code), -1);
	assert_string_equal(code, "invalid_field");
	assert_int_equal(check("{\"name\":\"abc\",\"count\":1.5}", &code), -1);
	assert_string_equal(code, "invalid_field");
	assert_int_equal(check("{\"name\":\"abc\",\"flag\":\"yes\"}", &code), -1);
	assert_string_equal(code, "invalid_field");
	/* jansson refuses \u0000 while parsing; either way a NUL never passes. */
	assert_int_equal(check("{\"name\":\"a\\u0000b\"}", &code), -1);
	assert_string_equal(code, "invalid_json");
	assert_int_equal(check("{\"name\":\"abc\"", &code), -1);
	assert_string_equal(code, "invalid_json");
	assert_int_equal(check("[1,2]", &code), -1);
	assert_string_equal(code, "invalid_json");
	assert_int_equal(check("{\"name\":\"abc\",\"name\":\"abd\"}", &code), -1);
	assert_string_equal(code, "invalid_json");
}

static void
test_empty_body_is_empty_object(void **state)
{
	struct jsonv_error e;
	json_t *v = jsonv_parse("  \n", 3, &e);

	(void)state;
	assert_non_null(v);
	assert_true(json_is_object(v));
	assert_int_equal(jsonv_check(v, fields, &e), -1);
	assert_string_equal(e.code, "missing_field");
	json_decref(v);
}

/* Arrays: min..max members (an empty list where one is needed is refused:
 * libFuzzer found a scrubber bundle object with "ips": [] accepted). */
static void
test_array_bounds(void **state)
{
	const char *code;

	(void)state;
	assert_int_equal(check("{\"name\":\"ab\",\"items\":[1]}", &code), 0);
	assert_int_equal(check("{\"name\":\"ab\",\"items\":[1,2,3]}", &code), 0);
	assert_int_equal(check("{\"name\":\"ab\",\"items\":[]}", &code), -1);
	assert_string_equal(code, "invalid_field");
	assert_int_equal(check("{\"name\":\"ab\",\"items\":[1,2,3,4]}", &code), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_array_bounds),
		cmocka_unit_test(test_rejects),
		cmocka_unit_test(test_empty_body_is_empty_object),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
