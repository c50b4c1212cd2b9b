/*
 * test_validate: registration-form checks. Valid credit codes below were
 * computed with the GB 32100-2015 algorithm by hand (91350100M000100Y43 is
 * the example in the standard); corrupting any character must be caught.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "validate.h"

static const char *const good_codes[] = {
	"91350100M000100Y43",
	"91110000100000000R",
	"12100000400000820C",
	"91440300MA5DC0QW04",
	"51310000MJ49600002",
	"9131000072948389XM",
	"913101157000000270",	/* sum % 31 == 0: check character '0' */
};

static void
test_credit_code_valid(void **state)
{
	char err[128] = "";

	(void)state;
	for (size_t i = 0; i < sizeof(good_codes) / sizeof(good_codes[0]); i++) {
		assert_int_equal(validate_credit_code(good_codes[i], err,
		    sizeof(err)), 0);
		assert_int_equal(validate_credit_code_check_char(good_codes[i]),
		    good_codes[i][17]);
	}
	assert_int_equal(validate_credit_code(good_codes[0], NULL, 0), 0);
}

static void
test_credit_code_corrupted(void **state)
{
	static const char alphabet[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";
	char code[19], err[128];

	(void)state;
	/* Every single-character substitution of every position is caught. */
	for (size_t c = 0; c < sizeof(good_codes) / sizeof(good_codes[0]); c++) {
		for (size_t pos = 0; pos < 18; pos++) {
			for (size_t k = 0; alphabet[k] != '\0'; k++) {
				memcpy(code, good_codes[c], 19);
				if (code[pos] == alphabet[k])
					continue;
				code[pos] = alphabet[k];
				assert_int_equal(validate_credit_code(code, err,
				    sizeof(err)), -1);
			}
		}
	}
	/* A swap of two different neighbours is caught too. */
	memcpy(code, "91350100M000100Y43", 19);
	code[8] = '0';
	code[9] = 'M';
	assert_int_equal(validate_credit_code(code, err, sizeof(err)), -1);
	assert_string_equal(err, "unified social credit code check character "
	    "does not match; please check the code for typos");
}

static void
test_credit_code_format(void **state)
{
	char err[128];

	(void)state;
	assert_int_equal(validate_credit_code("", err, sizeof(err)), -1);
	assert_string_equal(err, "unified social credit code is required");
	assert_int_equal(validate_credit_code(NULL, err, sizeof(err)), -1);
	assert_int_equal(validate_credit_code("91350100M000100Y4", err, sizeof(err)), -1);
	assert_string_equal(err, "unified social credit code must be 18 "
	    "characters (got 17)");
	assert_int_equal(validate_credit_code("91350100M000100Y433", err, sizeof(err)), -1);
	/* I, O, S, V, Z are not in the alphabet. */
	assert_int_equal(validate_credit_code("91350100I000100Y43", err, sizeof(err)), -1);
	assert_string_equal(err, "unified social credit code has an invalid "
	    "character at position 9 (allowed: 0-9 and A-Y except I, O, S, V, Z)");
	assert_int_equal(validate_credit_code("91350100m000100y43", err, sizeof(err)), -1);
	assert_string_equal(err, "unified social credit code must be written in "
	    "upper case");
	assert_int_equal(validate_credit_code("91350100M000100Y4 ", err, sizeof(err)), -1);
	assert_int_equal(validate_credit_code_check_char("9135"), 0);
	assert_int_equal(validate_credit_code_check_char("91350100O000100Y4"), 0);
}

static void
test_mobile(void **state)
{
	static const char *const good[] = {
		"13800138000", "19912345678", "15000000000", "+8613800138000",
		"8618612345678",
	};
	static const char *const bad[] = {
		"", "12800138000", "10800138000", "1380013800", "138001380000",
		"+86 13800138000", "138-0013-8000", "+8512800138000", "+861380013800",
		"1380013800a", "+86", "86138001380", "０13800138000",
	};
	char err[160];

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		assert_int_equal(validate_cn_mobile(good[i], err, sizeof(err)), 0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (validate_cn_mobile(bad[i], err, sizeof(err)) != -1)
			fail_msg("accepted '%s'", bad[i]);
	}
	validate_cn_mobile("12345", err, sizeof(err));
	assert_string_equal(err, "mobile number must be a mainland China number "
	    "of 11 digits starting with 13-19, optionally preceded by +86");
}

static void
test_email(void **state)
{
	static const char *const good[] = {
		"alice@example.com", "a.b+tag@mail.example.com.cn",
		"zhang_wei-01@qq.com", "x@y.cn",
	};
	static const char *const bad[] = {
		"", "alice", "alice@", "@example.com", "alice@example",
		"alice@@example.com", "a@b@example.com", "alice @example.com",
		"alice@exa mple.com", "alice@.example.com", "alice@example.com.",
		"alice@example..com", "alice\t@example.com", "alice@-example.com",
	};
	char err[160], local[80], big[300];

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		assert_int_equal(validate_email(good[i], err, sizeof(err)), 0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (validate_email(bad[i], err, sizeof(err)) != -1)
			fail_msg("accepted '%s'", bad[i]);
	}
	validate_email("alice@@example.com", err, sizeof(err));
	assert_string_equal(err, "e-mail address must contain exactly one '@'");
	validate_email("alice smith@example.com", err, sizeof(err));
	assert_string_equal(err, "e-mail address must not contain spaces or "
	    "control characters");

	/* Local part: 64 bytes fit, 65 do not. */
	memset(local, 'a', 64);
	memcpy(local + 64, "@example.com", 13);
	assert_int_equal(validate_email(local, err, sizeof(err)), 0);
	memset(local, 'a', 65);
	memcpy(local + 65, "@example.com", 13);
	assert_int_equal(validate_email(local, err, sizeof(err)), -1);
	assert_string_equal(err, "the part of the e-mail address before the '@' "
	    "must be at most 64 characters");

	/* Whole address: 254 bytes fit, 255 do not. */
	memset(big, 'd', sizeof(big));
	memcpy(big, "a@", 2);
	memcpy(big + 250, ".com", 5);	/* 254 bytes */
	assert_int_equal(validate_email(big, err, sizeof(err)), 0);
	memset(big, 'd', sizeof(big));
	memcpy(big, "a@", 2);
	memcpy(big + 251, ".com", 5);	/* 255 bytes */
	assert_int_equal(validate_email(big, err, sizeof(err)), -1);
	assert_string_equal(err, "e-mail address must be at most 254 characters");
}

static void
test_username(void **state)
{
	static const char *const good[] = {
		"abc", "alice", "zhang.wei", "ops_admin-2", "a12",
	};
	static const char *const bad[] = {
		"", "ab", "1abc", "_abc", ".abc", "Alice", "alice smith",
		"ali\xc3\xa7ia", "alice@corp", "alice/..",
	};
	char err[128], name[70];

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		assert_int_equal(validate_username(good[i], err, sizeof(err)), 0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (validate_username(bad[i], err, sizeof(err)) != -1)
			fail_msg("accepted '%s'", bad[i]);
	}
	validate_username("ab", err, sizeof(err));
	assert_string_equal(err, "user name must be 3 to 64 characters");
	validate_username("9lives", err, sizeof(err));
	assert_string_equal(err, "user name must start with a lower-case letter (a-z)");
	validate_username("bob!", err, sizeof(err));
	assert_string_equal(err, "user name may only contain a-z, 0-9, '.', '_' and '-'");

	memset(name, 'a', 64);
	name[64] = '\0';
	assert_int_equal(validate_username(name, err, sizeof(err)), 0);
	name[64] = 'a';
	name[65] = '\0';
	assert_int_equal(validate_username(name, err, sizeof(err)), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_credit_code_valid),
		cmocka_unit_test(test_credit_code_corrupted),
		cmocka_unit_test(test_credit_code_format),
		cmocka_unit_test(test_mobile),
		cmocka_unit_test(test_email),
		cmocka_unit_test(test_username),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
