/*
 * test_crypto: known-answer tests for the digests and encodings (FIPS 180,
 * RFC 2202/4231 HMAC, RFC 4648 base32/base64url) and behaviour tests for
 * Ed25519 keys and secret files (signatures refuse tampering, key files
 * are private).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "crypto.h"

static char tmpdir[64];
static char path_buf[3][128];

static int
setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/ys-test-crypto-XXXXXX");
	if (mkdtemp(tmpdir) == NULL)
		return -1;
	snprintf(path_buf[0], sizeof(path_buf[0]), "%s/priv.pem", tmpdir);
	snprintf(path_buf[1], sizeof(path_buf[1]), "%s/pub.pem", tmpdir);
	snprintf(path_buf[2], sizeof(path_buf[2]), "%s/secret", tmpdir);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	for (int i = 0; i < 3; i++)
		unlink(path_buf[i]);
	return rmdir(tmpdir);
}

static mode_t
file_mode(const char *path)
{
	struct stat st;

	assert_int_equal(stat(path, &st), 0);
	return st.st_mode & 07777;
}

static void
test_sha256_known_answer(void **state)
{
	uint8_t md[CRYPTO_SHA256_LEN];
	char hex[2 * CRYPTO_SHA256_LEN + 1];

	(void)state;
	crypto_sha256("abc", 3, md);
	crypto_hex(md, sizeof(md), hex);
	assert_string_equal(hex,
	    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	crypto_sha256("", 0, md);
	crypto_hex(md, sizeof(md), hex);
	assert_string_equal(hex,
	    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

static void
test_hmac_rfc_vectors(void **state)
{
	static const char msg[] = "what do ya want for nothing?";
	uint8_t mac[EVP_MAX_MD_SIZE];
	char hex[2 * EVP_MAX_MD_SIZE + 1];
	size_t len = 0;

	(void)state;
	assert_int_equal(crypto_hmac("SHA1", "Jefe", 4, msg, strlen(msg), mac, &len), 0);
	assert_int_equal(len, 20);
	crypto_hex(mac, len, hex);
	assert_string_equal(hex, "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79");

	assert_int_equal(crypto_hmac("SHA256", "Jefe", 4, msg, strlen(msg), mac, &len), 0);
	assert_int_equal(len, 32);
	crypto_hex(mac, len, hex);
	assert_string_equal(hex,
	    "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");

	assert_int_equal(crypto_hmac("SHA512", "Jefe", 4, msg, strlen(msg), mac, &len), 0);
	assert_int_equal(len, 64);
	crypto_hex(mac, len, hex);
	assert_string_equal(hex,
	    "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea250554"
	    "9758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737");

	/* Only the three documented digests are accepted. */
	assert_int_equal(crypto_hmac("MD5", "Jefe", 4, msg, strlen(msg), mac, &len), -1);
}

static void
test_hex_round_trip_and_errors(void **state)
{
	static const uint8_t in[] = { 0x00, 0x7f, 0x80, 0xff, 0xab };
	uint8_t out[5];
	char hex[11];

	(void)state;
	crypto_hex(in, sizeof(in), hex);
	assert_string_equal(hex, "007f80ffab");
	assert_int_equal(crypto_unhex("007F80FFAB", out, sizeof(out)), 0);
	assert_memory_equal(in, out, sizeof(in));
	assert_int_equal(crypto_unhex("007f80ffa", out, sizeof(out)), -1);
	assert_int_equal(crypto_unhex("007f80ffzz", out, sizeof(out)), -1);
	assert_int_equal(crypto_unhex("007f80ffab00", out, sizeof(out)), -1);
}

/* RFC 4648 section 10, without padding. */
static const char *const rfc4648_in[] = {
	"", "f", "fo", "foo", "foob", "fooba", "foobar",
};
static const char *const rfc4648_b32[] = {
	"", "MY", "MZXQ", "MZXW6", "MZXW6YQ", "MZXW6YTB", "MZXW6YTBOI",
};
static const char *const rfc4648_b32_padded[] = {
	"", "MY======", "MZXQ====", "MZXW6===", "MZXW6YQ=", "MZXW6YTB",
	"MZXW6YTBOI======",
};
static const char *const rfc4648_b64url[] = {
	"", "Zg", "Zm8", "Zm9v", "Zm9vYg", "Zm9vYmE", "Zm9vYmFy",
};

static void
test_base32_rfc4648(void **state)
{
	char out[32];
	uint8_t dec[16];
	size_t len;

	(void)state;
	for (size_t i = 0; i < 7; i++) {
		const char *in = rfc4648_in[i];

		assert_int_equal(crypto_base32_encode((const uint8_t *)in,
		    strlen(in), out, sizeof(out)), strlen(rfc4648_b32[i]));
		assert_string_equal(out, rfc4648_b32[i]);
		assert_int_equal(crypto_base32_decode(rfc4648_b32_padded[i], dec,
		    sizeof(dec), &len), 0);
		assert_int_equal(len, strlen(in));
		assert_memory_equal(dec, in, len);
	}
	/* What users type from an authenticator screen: lower case, spaces. */
	assert_int_equal(crypto_base32_decode("mzxw 6ytb-oi", dec, sizeof(dec), &len), 0);
	assert_int_equal(len, 6);
	assert_memory_equal(dec, "foobar", 6);
	/* Characters outside the alphabet and undersized buffers fail. */
	assert_int_equal(crypto_base32_decode("MZXW1", dec, sizeof(dec), &len), -1);
	assert_int_equal(crypto_base32_decode("MZXW6YTBOI", dec, 5, &len), -1);
	assert_int_equal(crypto_base32_encode((const uint8_t *)"foobar", 6, out, 10), 0);
	assert_int_equal(crypto_base32_encode((const uint8_t *)"foobar", 6, out, 11), 10);
}

static void
test_b64url_rfc4648(void **state)
{
	static const uint8_t odd[] = { 0xfb, 0xff, 0xbf };
	char out[32];

	(void)state;
	for (size_t i = 0; i < 7; i++) {
		const char *in = rfc4648_in[i];

		assert_int_equal(crypto_b64url_encode((const uint8_t *)in,
		    strlen(in), out, sizeof(out)), strlen(rfc4648_b64url[i]));
		assert_string_equal(out, rfc4648_b64url[i]);
	}
	/* The URL-safe alphabet uses '-' and '_' instead of '+' and '/'. */
	assert_int_equal(crypto_b64url_encode(odd, sizeof(odd), out, sizeof(out)), 4);
	assert_string_equal(out, "-_-_");
	assert_int_equal(crypto_b64url_encode((const uint8_t *)"foobar", 6, out, 8), 0);
}

static void
test_ct_equal(void **state)
{
	(void)state;
	assert_true(crypto_ct_equal("abcdef", "abcdef", 6));
	assert_false(crypto_ct_equal("abcdef", "abcdeg", 6));
	assert_true(crypto_ct_equal("x", "y", 0));
}

static void
test_random_differs(void **state)
{
	uint8_t a[32], b[32];

	(void)state;
	assert_int_equal(crypto_random(a, sizeof(a)), 0);
	assert_int_equal(crypto_random(b, sizeof(b)), 0);
	assert_memory_not_equal(a, b, sizeof(a));
}

static void
test_ed25519_round_trip(void **state)
{
	static const char msg[] = "policy bundle v42";
	uint8_t sig[CRYPTO_ED25519_SIG_LEN], raw1[32], raw2[32];
	char err[256];
	EVP_PKEY *priv, *pub;
	char tampered[sizeof(msg)];

	(void)state;
	assert_int_equal(crypto_ed25519_generate(path_buf[0], path_buf[1], err,
	    sizeof(err)), 0);
	assert_int_equal(file_mode(path_buf[0]), 0600);
	assert_int_equal(file_mode(path_buf[1]), 0644);

	/* An existing key is never overwritten. */
	assert_int_equal(crypto_ed25519_generate(path_buf[0], path_buf[1], err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "exists"));

	priv = crypto_ed25519_load_private(path_buf[0], err, sizeof(err));
	assert_non_null(priv);
	pub = crypto_ed25519_load_public(path_buf[1], err, sizeof(err));
	assert_non_null(pub);
	assert_int_equal(crypto_ed25519_raw_public(priv, raw1), 0);
	assert_int_equal(crypto_ed25519_raw_public(pub, raw2), 0);
	assert_memory_equal(raw1, raw2, 32);

	assert_int_equal(crypto_ed25519_sign(priv, msg, strlen(msg), sig), 0);
	assert_int_equal(crypto_ed25519_verify(pub, msg, strlen(msg), sig), 0);

	memcpy(tampered, msg, sizeof(msg));
	tampered[0] ^= 1;
	assert_int_equal(crypto_ed25519_verify(pub, tampered, strlen(msg), sig), -1);
	assert_int_equal(crypto_ed25519_verify(pub, msg, strlen(msg) - 1, sig), -1);
	sig[10] ^= 0x40;
	assert_int_equal(crypto_ed25519_verify(pub, msg, strlen(msg), sig), -1);

	/* A public key file is not a private key and vice versa. */
	assert_null(crypto_ed25519_load_private(path_buf[1], err, sizeof(err)));
	assert_null(crypto_ed25519_load_public(path_buf[2], err, sizeof(err)));

	EVP_PKEY_free(priv);
	EVP_PKEY_free(pub);
}

static void
test_secret_file_mode_and_overwrite(void **state)
{
	char err[256], buf[16];
	FILE *f;
	mode_t old;
	size_t n;

	(void)state;
	/* Even with a permissive umask the file is private. */
	old = umask(0);
	assert_int_equal(crypto_write_secret_file(path_buf[2], "one", 3, false,
	    err, sizeof(err)), 0);
	umask(old);
	assert_int_equal(file_mode(path_buf[2]), 0600);

	assert_int_equal(crypto_write_secret_file(path_buf[2], "two", 3, false,
	    err, sizeof(err)), -1);
	assert_non_null(strstr(err, path_buf[2]));

	/* overwrite replaces the content and tightens a loose mode. */
	assert_int_equal(chmod(path_buf[2], 0644), 0);
	assert_int_equal(crypto_write_secret_file(path_buf[2], "two", 3, true,
	    err, sizeof(err)), 0);
	assert_int_equal(file_mode(path_buf[2]), 0600);
	f = fopen(path_buf[2], "r");
	assert_non_null(f);
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	assert_int_equal(n, 3);
	assert_memory_equal(buf, "two", 3);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sha256_known_answer),
		cmocka_unit_test(test_hmac_rfc_vectors),
		cmocka_unit_test(test_hex_round_trip_and_errors),
		cmocka_unit_test(test_base32_rfc4648),
		cmocka_unit_test(test_b64url_rfc4648),
		cmocka_unit_test(test_ct_equal),
		cmocka_unit_test(test_random_differs),
		cmocka_unit_test(test_ed25519_round_trip),
		cmocka_unit_test(test_secret_file_mode_and_overwrite),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
