/*
 * test_config: what an operator sees when editing a yunshou config file:
 * values land in the struct, and every mistake is reported as
 * "file:line: reason" with the right line, leaving the struct untouched.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "config.h"

struct cfg {
	char listen[32];
	long long port;
	bool tls;
	char name[8];
	long long workers;
};

static const struct config_kw kws[] = {
	{ "listen", CONFIG_STR, offsetof(struct cfg, listen),
	    sizeof(((struct cfg *)0)->listen), 0, 0, "address to listen on" },
	{ "port", CONFIG_INT, offsetof(struct cfg, port), 0, 1, 65535, "port" },
	{ "tls", CONFIG_BOOL, offsetof(struct cfg, tls), 0, 0, 0, "use TLS" },
	{ "name", CONFIG_STR, offsetof(struct cfg, name),
	    sizeof(((struct cfg *)0)->name), 0, 0, "short name" },
	{ "workers", CONFIG_INT, offsetof(struct cfg, workers), 0, -8, 64, "workers" },
	{ NULL, CONFIG_STR, 0, 0, 0, 0, NULL },
};

static void
defaults(struct cfg *c)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->listen, sizeof(c->listen), "127.0.0.1");
	c->port = 443;
	c->tls = true;
	snprintf(c->name, sizeof(c->name), "def");
	c->workers = 4;
}

static int
parse(const char *text, struct cfg *c, char *err, size_t errlen)
{
	defaults(c);
	return config_parse("t.conf", text, strlen(text), kws, c, err, errlen);
}

/* Parse text and expect exactly the message want. */
static void
expect_error(const char *text, const char *want)
{
	struct cfg c, d;
	char err[256];

	defaults(&d);
	assert_int_equal(parse(text, &c, err, sizeof(err)), -1);
	assert_string_equal(err, want);
	/* Nothing of a file with an error is applied. */
	assert_memory_equal(&c, &d, sizeof(c));
}

static void
test_happy_path(void **state)
{
	static const char text[] =
	    "# yunshoud test config\n"
	    "\n"
	    "listen = \"0.0.0.0:8443\"   # quoted, trailing comment\n"
	    "  port=8443\r\n"
	    "tls\t=\tno\n"
	    "name = \"a \\\"b\\\" \\\\\"\n"
	    "workers = -3";	/* no final newline */
	struct cfg c;
	char err[256] = "";

	(void)state;
	assert_int_equal(parse(text, &c, err, sizeof(err)), 0);
	assert_string_equal(err, "");
	assert_string_equal(c.listen, "0.0.0.0:8443");
	assert_int_equal(c.port, 8443);
	assert_false(c.tls);
	assert_string_equal(c.name, "a \"b\" \\");	/* 7 bytes: fits 8 */
	assert_int_equal(c.workers, -3);
}

static void
test_unset_keys_keep_defaults(void **state)
{
	struct cfg c;
	char err[256];

	(void)state;
	assert_int_equal(parse("port = 80\n", &c, err, sizeof(err)), 0);
	assert_int_equal(c.port, 80);
	assert_string_equal(c.listen, "127.0.0.1");
	assert_true(c.tls);
	assert_int_equal(parse("", &c, err, sizeof(err)), 0);
	assert_int_equal(c.port, 443);
	/* Unquoted strings run to a comment, trimmed. */
	assert_int_equal(parse("listen = ::1 # v6\nname =\n", &c, err, sizeof(err)), 0);
	assert_string_equal(c.listen, "::1");
	assert_string_equal(c.name, "");
}

static void
test_bool_words(void **state)
{
	static const char *const yes[] = { "true", "yes", "on", "1", "TRUE", "Yes", "On" };
	static const char *const no[] = { "false", "no", "off", "0", "False", "NO", "OFF" };
	char text[64], err[256];
	struct cfg c;

	(void)state;
	for (size_t i = 0; i < 7; i++) {
		snprintf(text, sizeof(text), "tls = %s\n", yes[i]);
		assert_int_equal(parse(text, &c, err, sizeof(err)), 0);
		assert_true(c.tls);
		snprintf(text, sizeof(text), "tls = \"%s\"\n", no[i]);
		assert_int_equal(parse(text, &c, err, sizeof(err)), 0);
		assert_false(c.tls);
	}
	expect_error("port = 1\ntls = maybe\n", "t.conf:2: value of 'tls' must "
	    "be true/false, yes/no, on/off or 1/0");
	expect_error("tls = 2\n", "t.conf:1: value of 'tls' must be true/false, "
	    "yes/no, on/off or 1/0");
}

static void
test_unknown_key(void **state)
{
	(void)state;
	expect_error("port = 1\n\n# c\nlisen = x\n", "t.conf:4: unknown key 'lisen'");
	/* Keys are case-sensitive. */
	expect_error("Port = 1\n", "t.conf:1: unknown key 'Port'");
}

static void
test_duplicate_key(void **state)
{
	(void)state;
	expect_error("port = 1\ntls = on\n# again\n\nport = 2\n",
	    "t.conf:5: duplicate key 'port' (first set on line 1)");
}

static void
test_int_errors(void **state)
{
	(void)state;
	expect_error("\nport = 12abc\n", "t.conf:2: value of 'port' is not an integer");
	expect_error("port = 0x10\n", "t.conf:1: value of 'port' is not an integer");
	expect_error("port = \" 5\"\n", "t.conf:1: value of 'port' is not an integer");
	expect_error("port = 1.5\n", "t.conf:1: value of 'port' is not an integer");
	expect_error("port =\n", "t.conf:1: missing value for 'port'");
	expect_error("port = 65536\n",
	    "t.conf:1: value of 'port' out of range (1 to 65535)");
	expect_error("port = 0\n", "t.conf:1: value of 'port' out of range (1 to 65535)");
	expect_error("workers = -9\n",
	    "t.conf:1: value of 'workers' out of range (-8 to 64)");
	expect_error("port = 99999999999999999999999\n",
	    "t.conf:1: value of 'port' out of range (1 to 65535)");
	expect_error("port = -99999999999999999999999\n",
	    "t.conf:1: value of 'port' out of range (1 to 65535)");
}

static void
test_int_bounds_inclusive(void **state)
{
	struct cfg c;
	char err[256];

	(void)state;
	assert_int_equal(parse("port = 65535\nworkers = -8\n", &c, err, sizeof(err)), 0);
	assert_int_equal(c.port, 65535);
	assert_int_equal(c.workers, -8);
	assert_int_equal(parse("port = +1\n", &c, err, sizeof(err)), 0);
	assert_int_equal(c.port, 1);
}

static void
test_string_errors(void **state)
{
	struct cfg c;
	char err[256];

	(void)state;
	/* strsz - 1 bytes fit, one more does not. */
	assert_int_equal(parse("name = 1234567\n", &c, err, sizeof(err)), 0);
	assert_string_equal(c.name, "1234567");
	expect_error("name = 12345678\n",
	    "t.conf:1: value of 'name' too long (at most 7 bytes)");
	expect_error("name = \"12345678\"\n",
	    "t.conf:1: value of 'name' too long (at most 7 bytes)");
	expect_error("tls = on\nname = \"abc\n", "t.conf:2: unterminated quoted string");
	expect_error("name = \"a\\nb\"\n", "t.conf:1: invalid escape in quoted "
	    "string (only \\\" and \\\\ are allowed)");
	expect_error("name = \"ab\" x\n", "t.conf:1: unexpected text after quoted value");
}

static void
test_syntax_errors(void **state)
{
	(void)state;
	expect_error("port 80\n", "t.conf:1: expected 'key = value'");
	expect_error("tls = on\n= 5\n", "t.conf:2: expected 'key = value'");
	expect_error("po rt = 5\n", "t.conf:1: expected 'key = value'");
	expect_error("port: 5\n", "t.conf:1: expected 'key = value'");
}

static void
test_nul_byte(void **state)
{
	static const char text[] = "port = 1\ntls = on\nname = a\0b\n";
	struct cfg c, d;
	char err[256];

	(void)state;
	defaults(&c);
	defaults(&d);
	assert_int_equal(config_parse("t.conf", text, sizeof(text) - 1, kws, &c,
	    err, sizeof(err)), -1);
	assert_string_equal(err, "t.conf:3: NUL byte in line");
	assert_memory_equal(&c, &d, sizeof(c));
}

static void
test_line_length(void **state)
{
	static char text[2 + CONFIG_MAX_LINE + 2 + 1];
	struct cfg c;
	char err[256];

	(void)state;
	/* Line 2 is a comment of exactly CONFIG_MAX_LINE bytes: fine. */
	memcpy(text, "\n#", 2);
	memset(text + 2, 'a', CONFIG_MAX_LINE - 1);
	memcpy(text + 1 + CONFIG_MAX_LINE, "\n", 2);
	defaults(&c);
	assert_int_equal(config_parse("t.conf", text, strlen(text), kws, &c, err,
	    sizeof(err)), 0);
	/* One byte more is refused, even in a comment. */
	memset(text + 2, 'a', CONFIG_MAX_LINE);
	memcpy(text + 2 + CONFIG_MAX_LINE, "\n", 2);
	assert_int_equal(config_parse("t.conf", text, strlen(text), kws, &c, err,
	    sizeof(err)), -1);
	assert_string_equal(err, "t.conf:2: line longer than 4096 bytes");
}

static void
test_file_too_large(void **state)
{
	char *text = malloc(CONFIG_MAX_FILE + 1);
	struct cfg c;
	char err[256];

	(void)state;
	assert_non_null(text);
	memset(text, '\n', CONFIG_MAX_FILE + 1);
	defaults(&c);
	assert_int_equal(config_parse("t.conf", text, CONFIG_MAX_FILE, kws, &c,
	    err, sizeof(err)), 0);
	assert_int_equal(config_parse("t.conf", text, CONFIG_MAX_FILE + 1, kws,
	    &c, err, sizeof(err)), -1);
	assert_string_equal(err, "t.conf: file larger than 1048576 bytes");
	free(text);
}

static void
test_error_buffer_truncation(void **state)
{
	struct cfg c;
	char err[12];

	(void)state;
	defaults(&c);
	assert_int_equal(config_parse("t.conf", "bogus = 1", 9, kws, &c, err,
	    sizeof(err)), -1);
	assert_string_equal(err, "t.conf:1: u");
	assert_int_equal(config_parse("t.conf", "bogus = 1", 9, kws, &c, NULL, 0), -1);
}

static void
test_load_file(void **state)
{
	char dir[] = "/tmp/ys-test-config-XXXXXX", path[64], err[256];
	struct cfg c;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/yunshoud.conf", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("port = 9443\nworkers = 70\n", f);
	fclose(f);
	defaults(&c);
	assert_int_equal(config_load(path, kws, &c, err, sizeof(err)), -1);
	/* Messages name the file the operator edits. */
	assert_non_null(strstr(err, path));
	assert_non_null(strstr(err, ":2: value of 'workers' out of range"));
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("port = 9443\n", f);
	fclose(f);
	assert_int_equal(config_load(path, kws, &c, err, sizeof(err)), 0);
	assert_int_equal(c.port, 9443);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(config_load(path, kws, &c, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "No such file"));
	assert_int_equal(rmdir(dir), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_happy_path),
		cmocka_unit_test(test_unset_keys_keep_defaults),
		cmocka_unit_test(test_bool_words),
		cmocka_unit_test(test_unknown_key),
		cmocka_unit_test(test_duplicate_key),
		cmocka_unit_test(test_int_errors),
		cmocka_unit_test(test_int_bounds_inclusive),
		cmocka_unit_test(test_string_errors),
		cmocka_unit_test(test_syntax_errors),
		cmocka_unit_test(test_nul_byte),
		cmocka_unit_test(test_line_length),
		cmocka_unit_test(test_file_too_large),
		cmocka_unit_test(test_error_buffer_truncation),
		cmocka_unit_test(test_load_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
