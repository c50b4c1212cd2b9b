/*
 * test_totp: the RFC 4226 Appendix D and RFC 6238 Appendix B test vectors,
 * so codes match every authenticator app, plus the window and replay rules
 * a user meets at login and the otpauth:// URI shown as a QR code.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "totp.h"

static const uint8_t seed20[] = "12345678901234567890";
static const uint8_t seed32[] = "12345678901234567890123456789012";
static const uint8_t seed64[] =
    "1234567890123456789012345678901234567890123456789012345678901234";

static void
test_hotp_rfc4226(void **state)
{
	static const char *const want[] = {
		"755224", "287082", "359152", "969429", "338314",
		"254676", "287922", "162583", "399871", "520489",
	};
	char code[7];

	(void)state;
	for (uint64_t c = 0; c < 10; c++) {
		assert_int_equal(hotp_code(seed20, 20, c, 6, "SHA1", code), 0);
		assert_string_equal(code, want[c]);
	}
}

static void
test_totp_rfc6238(void **state)
{
	static const struct {
		uint64_t t;
		const char *sha1, *sha256, *sha512;
	} v[] = {
		{ 59ULL, "94287082", "46119246", "90693936" },
		{ 1111111109ULL, "07081804", "68084774", "25091201" },
		{ 1111111111ULL, "14050471", "67062674", "99943326" },
		{ 1234567890ULL, "89005924", "91819424", "93441116" },
		{ 2000000000ULL, "69279037", "90698825", "38618901" },
		{ 20000000000ULL, "65353130", "77737706", "47863826" },
	};
	char code[9];

	(void)state;
	assert_int_equal(sizeof(seed20) - 1, 20);
	assert_int_equal(sizeof(seed32) - 1, 32);
	assert_int_equal(sizeof(seed64) - 1, 64);
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		assert_int_equal(totp_code(seed20, 20, v[i].t, 30, 8, "SHA1", code), 0);
		assert_string_equal(code, v[i].sha1);
		assert_int_equal(totp_code(seed32, 32, v[i].t, 30, 8, "SHA256", code), 0);
		assert_string_equal(code, v[i].sha256);
		assert_int_equal(totp_code(seed64, 64, v[i].t, 30, 8, "SHA512", code), 0);
		assert_string_equal(code, v[i].sha512);
	}
}

static void
test_code_argument_errors(void **state)
{
	char code[12];

	(void)state;
	assert_int_equal(totp_code(seed20, 20, 59, 0, 6, "SHA1", code), -1);
	assert_int_equal(hotp_code(seed20, 20, 0, 0, "SHA1", code), -1);
	assert_int_equal(hotp_code(seed20, 20, 0, 11, "SHA1", code), -1);
	assert_int_equal(hotp_code(seed20, 20, 0, 6, "MD5", code), -1);
}

/* The 6-digit SHA1/30 s code of step s. */
static void
code_at_step(int64_t s, char out[7])
{
	assert_int_equal(hotp_code(seed20, 20, (uint64_t)s, 6, "SHA1", out), 0);
}

static void
test_verify_window(void **state)
{
	const uint64_t t = 1111111109ULL;
	const int64_t now = (int64_t)(t / TOTP_STEP);
	char code[7];
	int64_t m = -7;

	(void)state;
	code_at_step(now, code);
	assert_int_equal(totp_verify(seed20, 20, code, t, 1, -1, &m), 0);
	assert_int_equal(m, now);

	/* A phone a step behind or ahead is accepted within the window. */
	code_at_step(now - 1, code);
	assert_int_equal(totp_verify(seed20, 20, code, t, 1, -1, &m), 0);
	assert_int_equal(m, now - 1);
	code_at_step(now + 1, code);
	assert_int_equal(totp_verify(seed20, 20, code, t, 1, -1, &m), 0);
	assert_int_equal(m, now + 1);

	/* Two steps off is outside window 1 but inside window 2. */
	code_at_step(now - 2, code);
	assert_int_equal(totp_verify(seed20, 20, code, t, 1, -1, &m), -1);
	assert_int_equal(totp_verify(seed20, 20, code, t, 2, -1, &m), 0);
	assert_int_equal(m, now - 2);

	/* Window 0 accepts only the current step. */
	code_at_step(now - 1, code);
	assert_int_equal(totp_verify(seed20, 20, code, t, 0, -1, &m), -1);
	code_at_step(now, code);
	assert_int_equal(totp_verify(seed20, 20, code, t, 0, -1, NULL), 0);

	/* A wrong key gives a wrong code. */
	assert_int_equal(totp_verify(seed32, 32, code, t, 1, -1, &m), -1);
}

static void
test_verify_replay(void **state)
{
	const uint64_t t = 1234567890ULL;
	const int64_t now = (int64_t)(t / TOTP_STEP);
	char code[7];
	int64_t m = -1;

	(void)state;
	code_at_step(now, code);
	assert_int_equal(totp_verify(seed20, 20, code, t, 1, -1, &m), 0);
	assert_int_equal(m, now);
	/* The same code again, even 10 s later, is a replay. */
	assert_int_equal(totp_verify(seed20, 20, code, t + 10, 1, m, &m), -1);
	/* So is an older code still inside the window. */
	code_at_step(now - 1, code);
	assert_int_equal(totp_verify(seed20, 20, code, t, 1, now, &m), -1);
	/* The next step's code is fresh. */
	code_at_step(now + 1, code);
	assert_int_equal(totp_verify(seed20, 20, code, t + 30, 1, now, &m), 0);
	assert_int_equal(m, now + 1);
}

static void
test_verify_malformed_codes(void **state)
{
	static const char *const bad[] = {
		"", "12345", "1234567", "12a456", " 12345", "123456 ", "-12345",
	};
	int64_t m;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(totp_verify(seed20, 20, bad[i], 59, 1, -1, &m), -1);
	assert_int_equal(totp_verify(seed20, 20, NULL, 59, 1, -1, &m), -1);
	assert_int_equal(totp_verify(seed20, 20, "287082", 59, -1, -1, &m), -1);
}

static void
test_uri(void **state)
{
	static const char want[] =
	    "otpauth://totp/yunshou:alice%40example.com?secret=JBSWY3DPEHPK3PXP"
	    "&issuer=yunshou&algorithm=SHA1&digits=6&period=30";
	char out[256];

	(void)state;
	assert_int_equal(totp_uri("yunshou", "alice@example.com",
	    "JBSWY3DPEHPK3PXP", out, sizeof(out)), 0);
	assert_string_equal(out, want);

	/* Spaces, ':' and non-ASCII issuers are percent-encoded (UTF-8). */
	assert_int_equal(totp_uri("\xe4\xba\x91\xe5\xae\x88 Co", "a:b",
	    "JBSW", out, sizeof(out)), 0);
	assert_string_equal(out, "otpauth://totp/%E4%BA%91%E5%AE%88%20Co:a%3Ab"
	    "?secret=JBSW&issuer=%E4%BA%91%E5%AE%88%20Co&algorithm=SHA1"
	    "&digits=6&period=30");

	/* Exactly fitting works, one byte less does not. */
	assert_int_equal(totp_uri("yunshou", "alice@example.com",
	    "JBSWY3DPEHPK3PXP", out, sizeof(want)), 0);
	assert_int_equal(totp_uri("yunshou", "alice@example.com",
	    "JBSWY3DPEHPK3PXP", out, sizeof(want) - 1), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hotp_rfc4226),
		cmocka_unit_test(test_totp_rfc6238),
		cmocka_unit_test(test_code_argument_errors),
		cmocka_unit_test(test_verify_window),
		cmocka_unit_test(test_verify_replay),
		cmocka_unit_test(test_verify_malformed_codes),
		cmocka_unit_test(test_uri),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
