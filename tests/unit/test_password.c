/*
 * test_password: argon2id hashes verify the right password only and refuse
 * malformed encodings; the policy refuses each kind of weak password with
 * the sentence the user will read, and lets strong ones through.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "password.h"

extern const size_t password_common_list_count;

/* Cheap parameters so that the suite stays fast under sanitizers. */
static const struct password_params cheap = { 1, 64, 1 };

static void
test_hash_verify_default_params(void **state)
{
	char enc[PASSWORD_HASH_MAX];

	(void)state;
	assert_int_equal(password_hash(&PASSWORD_DEFAULT_PARAMS,
	    "correct horse battery staple", enc, sizeof(enc)), 0);
	assert_int_equal(strncmp(enc, "$argon2id$v=19$m=19456,t=2,p=1$", 31), 0);
	assert_int_equal(password_verify(enc, "correct horse battery staple"), 0);
	assert_int_equal(password_verify(enc, "correct horse battery stapl"), 1);
	assert_int_equal(password_verify(enc, ""), 1);
}

static void
test_hash_salted(void **state)
{
	char a[PASSWORD_HASH_MAX], b[PASSWORD_HASH_MAX];

	(void)state;
	assert_int_equal(password_hash(&cheap, "same password", a, sizeof(a)), 0);
	assert_int_equal(password_hash(&cheap, "same password", b, sizeof(b)), 0);
	assert_string_not_equal(a, b);
	assert_int_equal(password_verify(a, "same password"), 0);
	assert_int_equal(password_verify(b, "same password"), 0);
	assert_int_equal(password_verify(a, "Same password"), 1);
	/* A buffer too small for the encoding is refused, not truncated. */
	assert_int_equal(password_hash(&cheap, "x", a, 40), -1);
}

static void
test_verify_malformed(void **state)
{
	static const char *const bad[] = {
		"",
		"plaintext",
		"$argon2id$v=19$m=64,t=1,p=1$",
		"$argon2id$v=19$m=abc,t=1,p=1$c2FsdHNhbHRzYWx0$aGFzaA",
		"$argon2id$v=19$m=64,t=1,p=1$!!!!$aGFzaGhhc2hoYXNo",
		"$argon2i$v=19$m=64,t=1,p=1$c2FsdHNhbHRzYWx0c2FsdA$"
		    "n8NQVpZ5hDDn5R6ZZqgO6gfB91UXZU2kdFMOFNjY2MQ",
		"$argon2id$v=16$m=64,t=1,p=1$c2FsdHNhbHRzYWx0c2FsdA$"
		    "n8NQVpZ5hDDn5R6ZZqgO6gfB91UXZU2kdFMOFNjY2MQ",
		/* Absurd costs are refused before any memory is allocated. */
		"$argon2id$v=19$m=4294967295,t=1,p=1$c2FsdHNhbHRzYWx0c2FsdA$"
		    "n8NQVpZ5hDDn5R6ZZqgO6gfB91UXZU2kdFMOFNjY2MQ",
		"$argon2id$v=19$m=64,t=4000000000,p=1$c2FsdHNhbHRzYWx0c2FsdA$"
		    "n8NQVpZ5hDDn5R6ZZqgO6gfB91UXZU2kdFMOFNjY2MQ",
	};
	char enc[PASSWORD_HASH_MAX];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(password_verify(bad[i], "password"), -1);
	assert_int_equal(password_verify(NULL, "password"), -1);
	/* A stored hash cut short is malformed, not a mismatch. */
	assert_int_equal(password_hash(&cheap, "password", enc, sizeof(enc)), 0);
	*strrchr(enc, '$') = '\0';
	assert_int_equal(password_verify(enc, "password"), -1);
}

/* Expect the policy to refuse pw with exactly want. */
static void
refused(const char *pw, const char *user, const char *want)
{
	char err[256] = "";

	if (password_policy_check(pw, user, err, sizeof(err)) != -1)
		fail_msg("accepted: %s", pw);
	assert_string_equal(err, want);
}

static void
accepted(const char *pw, const char *user)
{
	char err[256] = "";

	if (password_policy_check(pw, user, err, sizeof(err)) != 0)
		fail_msg("refused %s: %s", pw, err);
}

static const char MSG_SHORT[] = "password must be at least 12 characters";
static const char MSG_COMMON[] = "password is too common (it appears in lists "
    "of leaked passwords); choose another";
static const char MSG_DECORATED[] = "password is a common word with only digits "
    "or symbols around it; choose another";
static const char MSG_SEQ[] = "password must not be a plain sequence such as "
    "123456789012 or abcdefghijkl";

static void
test_policy_length(void **state)
{
	char longpw[PASSWORD_MAX_LEN + 2];

	(void)state;
	refused("", NULL, "password is required");
	refused(NULL, NULL, "password is required");
	refused("Kx9#mQ2$vL7", NULL, MSG_SHORT);		/* 11 */
	accepted("Kx9#mQ2$vL7!", NULL);				/* 12 */
	/* Characters, not bytes: 11 CJK characters are 33 bytes. */
	refused("\xe4\xba\x91\xe5\xae\x88\xe5\xb9\xb3\xe5\x8f\xb0\xe7\x9a\x84"
	    "\xe5\xae\x89\xe5\x85\xa8\xe5\xaf\x86\xe7\xa0\x81\xe5\xbe\x88"
	    "\xe9\x95\xbf", NULL, MSG_SHORT);
	accepted("\xe4\xba\x91\xe5\xae\x88\xe5\xb9\xb3\xe5\x8f\xb0\xe7\x9a\x84"
	    "\xe5\xae\x89\xe5\x85\xa8\xe5\xaf\x86\xe7\xa0\x81\xe5\xbe\x88"
	    "\xe9\x95\xbf\xe5\x95\x8a", NULL);
	/* 256 bytes is the most accepted. */
	for (size_t i = 0; i < PASSWORD_MAX_LEN; i++)
		longpw[i] = "Kx9#mQ2$vL7!pz"[i % 14];
	longpw[PASSWORD_MAX_LEN] = '\0';
	accepted(longpw, NULL);
	longpw[PASSWORD_MAX_LEN] = 'x';
	longpw[PASSWORD_MAX_LEN + 1] = '\0';
	refused(longpw, NULL, "password must be at most 256 bytes long");
}

static void
test_policy_utf8(void **state)
{
	static const char *const bad[] = {
		"\xffqwzmxncbvlakj",		/* invalid byte */
		"abcdefghijkmnop\xc0\xaf",		/* overlong '/' */
		"abcdefghijkmnop\xed\xa0\x80",		/* surrogate */
		"abcdefghijkmnop\xe4\xba",		/* truncated */
		"abcdefghijkmnop\xf4\x90\x80\x80",	/* > U+10FFFF */
		"abcdefghijkmnop\x80",			/* stray continuation */
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		refused(bad[i], NULL, "password must be valid UTF-8 text");
}

static void
test_policy_repeated(void **state)
{
	(void)state;
	refused("zzzzzzzzzzzzzzzz", NULL, "password must not be one character repeated");
	refused("\xe5\xaf\x86\xe5\xaf\x86\xe5\xaf\x86\xe5\xaf\x86\xe5\xaf\x86"
	    "\xe5\xaf\x86\xe5\xaf\x86\xe5\xaf\x86\xe5\xaf\x86\xe5\xaf\x86"
	    "\xe5\xaf\x86\xe5\xaf\x86", NULL,
	    "password must not be one character repeated");
}

static void
test_policy_sequence(void **state)
{
	(void)state;
	refused("123456789012", NULL, MSG_SEQ);
	refused("0123456789012345", NULL, MSG_SEQ);
	refused("987654321098", NULL, MSG_SEQ);
	refused("abcdefghijkl", NULL, MSG_SEQ);
	refused("ABCDEFGHIJKLMN", NULL, MSG_SEQ);
	refused("zyxwvutsrqpo", NULL, MSG_SEQ);
	refused("uvwxyzabcdef", NULL, MSG_SEQ);
	/* Broken sequences are not plain sequences. */
	accepted("abcdefghijk9z", NULL);
}

static void
test_policy_username(void **state)
{
	(void)state;
	refused("my-Alice-pass-9", "alice", "password must not contain the user name");
	refused("zhang.wei#2024secure", "Zhang.Wei", "password must not contain the "
	    "user name");
	/* Too short a name to be meaningful inside a password. */
	accepted("al-grey-horse-42", "al");
	accepted("al-grey-horse-42", NULL);
}

static void
test_policy_common_list(void **state)
{
	(void)state;
	refused("1qaz2wsx3edc", NULL, MSG_COMMON);
	refused("Woaini1314520", NULL, MSG_COMMON);
	refused("QWERTYUIOP123", NULL, MSG_COMMON);
	refused("a1234567890", NULL, MSG_SHORT);	/* length first */
	refused("147258369147258", NULL, MSG_COMMON);
	refused("Admin@123456", NULL, MSG_COMMON);
	refused("yunshou@2024", NULL, MSG_COMMON);
	assert_true(password_is_common("123456"));
	assert_true(password_is_common("PassWord"));
	assert_false(password_is_common("grey horse eats blue batteries"));
	assert_false(password_is_common(NULL));
	assert_true(password_common_list_count >= 1500);
}

static void
test_policy_decorated_word(void **state)
{
	(void)state;
	refused("password2024!!", NULL, MSG_DECORATED);
	refused("!!Password!!2024", NULL, MSG_DECORATED);
	refused("P@ssw0rd!2024#", NULL, MSG_DECORATED);
	refused("2025yunshou!!!", NULL, MSG_DECORATED);
	refused("woaini!!131452", NULL, MSG_DECORATED);
	refused("administrator", NULL, MSG_COMMON);
	/* A common list entry with symbols added is no better. */
	refused("!!1qaz2wsx3edc!!", NULL, MSG_DECORATED);
	refused("1qaz2wsx3edc2024", NULL, MSG_DECORATED);
	refused("#qwertyuiop123#2024", NULL, MSG_DECORATED);
	/* Words inside a longer passphrase are fine. */
	accepted("password-manager-generated-7", NULL);
}

static void
test_policy_strong(void **state)
{
	(void)state;
	accepted("correct horse battery staple", "alice");
	accepted("Tr0ub4dor&3-and-more", "bob");
	accepted("fjK29!xq-Lm3", NULL);
}

static void *
is_common_thread(void *arg)
{
	(void)arg;
	for (int i = 0; i < 1000; i++)
		if (!password_is_common("1qaz2wsx3edc"))
			return (void *)1;
	return NULL;
}

/* The set is built once even when the first lookups race. */
static void
test_common_concurrent_first_use(void **state)
{
	pthread_t t[4];
	void *r;

	(void)state;
	for (int i = 0; i < 4; i++)
		assert_int_equal(pthread_create(&t[i], NULL, is_common_thread, NULL), 0);
	for (int i = 0; i < 4; i++) {
		assert_int_equal(pthread_join(t[i], &r), 0);
		assert_null(r);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		/* First, so that the set is built by racing threads. */
		cmocka_unit_test(test_common_concurrent_first_use),
		cmocka_unit_test(test_hash_verify_default_params),
		cmocka_unit_test(test_hash_salted),
		cmocka_unit_test(test_verify_malformed),
		cmocka_unit_test(test_policy_length),
		cmocka_unit_test(test_policy_utf8),
		cmocka_unit_test(test_policy_repeated),
		cmocka_unit_test(test_policy_sequence),
		cmocka_unit_test(test_policy_username),
		cmocka_unit_test(test_policy_common_list),
		cmocka_unit_test(test_policy_decorated_word),
		cmocka_unit_test(test_policy_strong),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
