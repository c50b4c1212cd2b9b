/*
 * totp: HOTP (RFC 4226) and TOTP (RFC 6238) codes and verification with a
 * step window and replay protection (a step once accepted is never accepted
 * again for the same account).
 */
#ifndef YS_TOTP_H
#define YS_TOTP_H

#include <stddef.h>
#include <stdint.h>

#define TOTP_STEP 30
#define TOTP_DIGITS 6
#define TOTP_SECRET_LEN 20

/* md: "SHA1" (the default of authenticator apps), "SHA256" or "SHA512".
 * out must hold digits+1 bytes. 0 / -1. */
int hotp_code(const uint8_t *key, size_t keylen, uint64_t counter,
    unsigned digits, const char *md, char *out);
int totp_code(const uint8_t *key, size_t keylen, uint64_t unix_time,
    unsigned step, unsigned digits, const char *md, char *out);
/* Verify a 6-digit SHA1/30 s code at unix_time accepting steps within
 * +-window. A step <= last_step (the last accepted one, -1 for none) is
 * refused as a replay. On success returns 0 and sets *matched_step. */
int totp_verify(const uint8_t *key, size_t keylen, const char *code,
    uint64_t unix_time, int window, int64_t last_step, int64_t *matched_step);
/* otpauth://totp/ISSUER:ACCOUNT?secret=BASE32&issuer=ISSUER&algorithm=SHA1&digits=6&period=30
 * with issuer and account percent-encoded. 0 / -1 when outsz is too small. */
int totp_uri(const char *issuer, const char *account, const char *secret_b32,
    char *out, size_t outsz);

#endif
