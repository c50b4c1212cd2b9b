/*
 * totp: one-time codes for second-factor login. HOTP is HMAC over a big-endian
 * counter with RFC 4226 dynamic truncation; TOTP uses the count of time steps
 * since the epoch as that counter. Verification remembers the last accepted
 * step (stored by the caller) so that a code seen once cannot be replayed,
 * even within its validity window.
 */
#include "totp.h"

#include <stdio.h>
#include <string.h>

#include "crypto.h"

/* 10 digits is the most a 31-bit truncated value can fill. */
#define HOTP_MAX_DIGITS 10
#define TOTP_MAX_WINDOW 10

int
hotp_code(const uint8_t *key, size_t keylen, uint64_t counter,
    unsigned digits, const char *md, char *out)
{
	uint8_t msg[8], mac[EVP_MAX_MD_SIZE];
	size_t maclen = 0;
	uint64_t mod = 1;
	uint32_t bin;
	unsigned off;

	if (out == NULL || digits < 1 || digits > HOTP_MAX_DIGITS)
		return -1;
	if (md == NULL)
		md = "SHA1";
	for (int i = 7; i >= 0; i--) {
		msg[i] = (uint8_t)(counter & 0xff);
		counter >>= 8;
	}
	if (crypto_hmac(md, key, keylen, msg, sizeof(msg), mac, &maclen) == -1 ||
	    maclen < 20)
		return -1;
	/* RFC 4226 5.3: the low nibble of the last byte picks 4 bytes. */
	off = mac[maclen - 1] & 0x0f;
	bin = (uint32_t)(mac[off] & 0x7f) << 24 | (uint32_t)mac[off + 1] << 16 |
	    (uint32_t)mac[off + 2] << 8 | (uint32_t)mac[off + 3];
	for (unsigned i = 0; i < digits; i++)
		mod *= 10;
	snprintf(out, digits + 1, "%0*llu", (int)digits,
	    (unsigned long long)(bin % mod));
	return 0;
}

int
totp_code(const uint8_t *key, size_t keylen, uint64_t unix_time,
    unsigned step, unsigned digits, const char *md, char *out)
{
	if (step == 0)
		return -1;
	return hotp_code(key, keylen, unix_time / step, digits, md, out);
}

int
totp_verify(const uint8_t *key, size_t keylen, const char *code,
    uint64_t unix_time, int window, int64_t last_step, int64_t *matched_step)
{
	char want[TOTP_DIGITS + 1];
	int64_t now, s;
	int ok = 0;
	int64_t found = -1;

	if (code == NULL || window < 0 || window > TOTP_MAX_WINDOW)
		return -1;
	if (strlen(code) != TOTP_DIGITS)
		return -1;
	for (size_t i = 0; i < TOTP_DIGITS; i++)
		if (code[i] < '0' || code[i] > '9')
			return -1;
	if (unix_time / TOTP_STEP > (uint64_t)INT64_MAX - TOTP_MAX_WINDOW)
		return -1;
	now = (int64_t)(unix_time / TOTP_STEP);
	/* Check every step of the window so timing does not reveal which one
	 * matched; keep the first fresh match. */
	for (s = now - window; s <= now + window; s++) {
		if (s < 0)
			continue;
		if (hotp_code(key, keylen, (uint64_t)s, TOTP_DIGITS, "SHA1", want) == -1)
			return -1;
		if (crypto_ct_equal(want, code, TOTP_DIGITS) && s > last_step &&
		    !ok) {
			ok = 1;
			found = s;
		}
	}
	if (!ok)
		return -1;
	if (matched_step != NULL)
		*matched_step = found;
	return 0;
}

/* Append s percent-encoded (RFC 3986 unreserved characters kept). */
static int
put_encoded(char *out, size_t outsz, size_t *n, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";

	for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
		int plain = (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		    (*p >= '0' && *p <= '9') || *p == '-' || *p == '.' ||
		    *p == '_' || *p == '~';
		size_t need = plain ? 1 : 3;

		if (*n + need >= outsz)
			return -1;
		if (plain) {
			out[(*n)++] = (char)*p;
		} else {
			out[(*n)++] = '%';
			out[(*n)++] = hex[*p >> 4];
			out[(*n)++] = hex[*p & 0x0f];
		}
	}
	out[*n] = '\0';
	return 0;
}

static int
put_raw(char *out, size_t outsz, size_t *n, const char *s)
{
	size_t len = strlen(s);

	if (*n + len >= outsz)
		return -1;
	memcpy(out + *n, s, len + 1);
	*n += len;
	return 0;
}

int
totp_uri(const char *issuer, const char *account, const char *secret_b32,
    char *out, size_t outsz)
{
	char tail[64];
	size_t n = 0;
	int has_issuer;

	if (account == NULL || secret_b32 == NULL || out == NULL || outsz == 0)
		return -1;
	has_issuer = issuer != NULL && *issuer != '\0';
	out[0] = '\0';
	if (put_raw(out, outsz, &n, "otpauth://totp/") == -1)
		goto fail;
	if (has_issuer && (put_encoded(out, outsz, &n, issuer) == -1 ||
	    put_raw(out, outsz, &n, ":") == -1))
		goto fail;
	if (put_encoded(out, outsz, &n, account) == -1 ||
	    put_raw(out, outsz, &n, "?secret=") == -1 ||
	    put_encoded(out, outsz, &n, secret_b32) == -1)
		goto fail;
	if (has_issuer && (put_raw(out, outsz, &n, "&issuer=") == -1 ||
	    put_encoded(out, outsz, &n, issuer) == -1))
		goto fail;
	snprintf(tail, sizeof(tail), "&algorithm=SHA1&digits=%d&period=%d",
	    TOTP_DIGITS, TOTP_STEP);
	if (put_raw(out, outsz, &n, tail) == -1)
		goto fail;
	return 0;
fail:
	out[0] = '\0';
	return -1;
}
