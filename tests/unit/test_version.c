/*
 * test_version: dpkg, rpm and apk version comparison against the package
 * managers' published test vectors, kept as data in tests/data/version/
 * ("A OP B" lines), plus the versions each one refuses. The dpkg rules are
 * also checked against the real dpkg by tests/e2e/test_version_oracle.py.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "version.h"

#ifndef YS_SOURCE_DIR
#define YS_SOURCE_DIR "."
#endif

static int
op_value(const char *op)
{
	if (strcmp(op, "<") == 0)
		return -1;
	if (strcmp(op, "=") == 0)
		return 0;
	if (strcmp(op, ">") == 0)
		return 1;
	fail_msg("bad operator '%s'", op);
	return 2;
}

/* Every line both ways round, and each side against itself. Returns the
 * number of cases. */
static size_t
run_vectors(enum version_format f)
{
	char path[512], *line = NULL, err[256];
	size_t cap = 0, n = 0;
	ssize_t len;
	FILE *fp;

	snprintf(path, sizeof(path), "%s/tests/data/version/%s.txt",
	    YS_SOURCE_DIR, version_format_name(f));
	fp = fopen(path, "r");
	assert_non_null(fp);
	while ((len = getline(&line, &cap, fp)) >= 0) {
		char *a, *op, *b;
		int want, got = 9, back = 9, self = 9;

		if (len > 0 && line[len - 1] == '\n')
			line[--len] = '\0';
		if (line[0] == '#' || line[0] == '\0')
			continue;
		/* split on single spaces: an empty A or B is a case too */
		a = line;
		op = strchr(a, ' ');
		assert_non_null(op);
		*op++ = '\0';
		b = strchr(op, ' ');
		assert_non_null(b);
		*b++ = '\0';
		want = op_value(op);
		if (version_compare(f, a, b, &got, err, sizeof(err)) < 0)
			fail_msg("%s: '%s' %s '%s': %s", path, a, op, b, err);
		if (got != want)
			fail_msg("%s: '%s' %s '%s' but got %d", path, a, op, b, got);
		assert_int_equal(version_compare(f, b, a, &back, err, sizeof(err)), 0);
		assert_int_equal(back, -want);
		assert_int_equal(version_compare(f, a, a, &self, err, sizeof(err)), 0);
		assert_int_equal(self, 0);
		n++;
	}
	free(line);
	fclose(fp);
	return n;
}

static void
test_dpkg_vectors(void **state)
{
	(void)state;
	assert_true(run_vectors(VERSION_DPKG) >= 60);
}

static void
test_rpm_vectors(void **state)
{
	(void)state;
	assert_true(run_vectors(VERSION_RPM) >= 100);
}

static void
test_apk_vectors(void **state)
{
	(void)state;
	assert_true(run_vectors(VERSION_APK) >= 50);
}

static void
expect_invalid(enum version_format f, const char *v, const char *why)
{
	char err[256];
	int r = 7;

	assert_int_equal(version_compare(f, v, "1.0", &r, err, sizeof(err)), -1);
	if (strstr(err, why) == NULL)
		fail_msg("'%s': error '%s' lacks '%s'", v, err, why);
	assert_int_equal(r, 7);
	assert_int_equal(version_compare(f, "1.0", v, &r, err, sizeof(err)), -1);
	assert_int_equal(version_check(f, v, err, sizeof(err)), -1);
}

/* What `dpkg --compare-versions` refuses (dpkg errors); its warnings (no
 * leading digit, odd characters) still compare. */
static void
test_dpkg_invalid(void **state)
{
	char err[256];
	int r;

	(void)state;
	expect_invalid(VERSION_DPKG, "1:", "nothing after colon");
	expect_invalid(VERSION_DPKG, "1a:1.0", "epoch in version is not number");
	expect_invalid(VERSION_DPKG, "a:1.0", "epoch in version is empty");
	expect_invalid(VERSION_DPKG, ":1.0", "epoch in version is empty");
	expect_invalid(VERSION_DPKG, "-1:1.0", "epoch in version is negative");
	expect_invalid(VERSION_DPKG, "99999999999:1.0", "epoch in version is too big");
	expect_invalid(VERSION_DPKG, "1.0-", "revision number is empty");
	expect_invalid(VERSION_DPKG, "-1", "upstream version is empty");
	expect_invalid(VERSION_DPKG, "1.0 2", "embedded spaces");
	expect_invalid(VERSION_DPKG, "  ", "version string is empty");
	assert_int_equal(version_compare(VERSION_DPKG, "a1", "1", &r, err,
	    sizeof(err)), 0);
	assert_int_equal(r, 1);
	assert_int_equal(version_compare(VERSION_DPKG, " 1.0 ", "1.0", &r, err,
	    sizeof(err)), 0);
	assert_int_equal(r, 0);
}

static void
test_rpm_apk_invalid(void **state)
{
	char err[256];
	int r;

	(void)state;
	expect_invalid(VERSION_RPM, "", "empty");
	/* rpm takes anything else: "a:1" has no epoch, it is a version */
	assert_int_equal(version_compare(VERSION_RPM, "a:1", "a:1", &r, err,
	    sizeof(err)), 0);
	expect_invalid(VERSION_APK, "", "empty");
	expect_invalid(VERSION_APK, "1.2a.3", "not an apk version");
	expect_invalid(VERSION_APK, "1.0_foo", "not an apk version");
	expect_invalid(VERSION_APK, "1.0-1", "not an apk version");
	expect_invalid(VERSION_APK, "1.0-r1.2", "not an apk version");
}

static void
test_format_parse(void **state)
{
	enum version_format f = VERSION_DPKG;
	char err[64];
	int r;

	(void)state;
	assert_int_equal(version_format_parse("rpm", &f), 0);
	assert_int_equal(f, VERSION_RPM);
	assert_int_equal(version_format_parse("apk", &f), 0);
	assert_int_equal(f, VERSION_APK);
	assert_int_equal(version_format_parse("dpkg", &f), 0);
	assert_int_equal(f, VERSION_DPKG);
	assert_int_equal(version_format_parse("deb", &f), -1);
	assert_int_equal(version_format_parse(NULL, &f), -1);
	assert_int_equal(version_compare((enum version_format)9, "1", "1", &r,
	    err, sizeof(err)), -1);
	assert_string_equal(version_format_name(VERSION_APK), "apk");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dpkg_vectors),
		cmocka_unit_test(test_rpm_vectors),
		cmocka_unit_test(test_apk_vectors),
		cmocka_unit_test(test_dpkg_invalid),
		cmocka_unit_test(test_rpm_apk_invalid),
		cmocka_unit_test(test_format_parse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
