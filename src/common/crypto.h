/*
 * crypto: the small set of primitives yunshou needs, all from OpenSSL 3:
 * CSPRNG bytes, SHA-256, HMAC, encodings (hex, base32, base64url),
 * constant-time comparison, Ed25519 keys and signatures, and writing secret
 * files with mode 0600. Every function is thread-safe.
 */
#ifndef YS_CRYPTO_H
#define YS_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#define CRYPTO_SHA256_LEN 32
#define CRYPTO_ED25519_SIG_LEN 64

/* Fill buf with len bytes from the OpenSSL CSPRNG. 0 on success, -1 on error. */
int crypto_random(void *buf, size_t len);

void crypto_sha256(const void *data, size_t len, uint8_t out[CRYPTO_SHA256_LEN]);

/* HMAC with md one of "SHA1", "SHA256", "SHA512". *outlen gets the MAC length
 * (out must hold EVP_MAX_MD_SIZE). 0 / -1. */
int crypto_hmac(const char *md, const void *key, size_t keylen,
    const void *msg, size_t msglen, uint8_t *out, size_t *outlen);

/* Lower-case hex; out must hold 2*len+1 bytes; always NUL-terminated. */
void crypto_hex(const uint8_t *in, size_t len, char *out);
/* Decode exactly outlen bytes from 2*outlen hex digits (either case).
 * 0 / -1 on bad length or digit. */
int crypto_unhex(const char *hex, uint8_t *out, size_t outlen);

/* RFC 4648 base32, upper case, no padding. Returns characters written (not
 * counting the NUL) or 0 when outsz is too small. */
size_t crypto_base32_encode(const uint8_t *in, size_t len, char *out, size_t outsz);
/* Accepts upper/lower case, ignores '=' padding, spaces and '-'. 0 / -1. */
int crypto_base32_decode(const char *in, uint8_t *out, size_t outsz, size_t *outlen);

/* RFC 4648 base64url without padding. Same return convention as base32. */
size_t crypto_b64url_encode(const uint8_t *in, size_t len, char *out, size_t outsz);

/* Constant-time equality of two equal-length buffers. */
bool crypto_ct_equal(const void *a, const void *b, size_t len);

/* Ed25519. Private keys are PKCS#8 PEM written with mode 0600, public keys
 * SubjectPublicKeyInfo PEM (mode 0644). err gets a message on failure. */
int crypto_ed25519_generate(const char *priv_path, const char *pub_path,
    char *err, size_t errlen);
EVP_PKEY *crypto_ed25519_load_private(const char *path, char *err, size_t errlen);
EVP_PKEY *crypto_ed25519_load_public(const char *path, char *err, size_t errlen);
/* Raw 32-byte public key from either kind of key. 0 / -1. */
int crypto_ed25519_raw_public(EVP_PKEY *key, uint8_t out[32]);
int crypto_ed25519_sign(EVP_PKEY *key, const void *msg, size_t len,
    uint8_t sig[CRYPTO_ED25519_SIG_LEN]);
/* 0 when the signature is valid, -1 otherwise. */
int crypto_ed25519_verify(EVP_PKEY *key, const void *msg, size_t len,
    const uint8_t sig[CRYPTO_ED25519_SIG_LEN]);

/* Create path with mode 0600 (O_EXCL unless overwrite) and write data;
 * fsync before close. 0 / -1 with err. */
int crypto_write_secret_file(const char *path, const void *data, size_t len,
    bool overwrite, char *err, size_t errlen);
/* The same for public material (certificates, public keys): mode 0644. */
int crypto_write_public_file(const char *path, const void *data, size_t len,
    bool overwrite, char *err, size_t errlen);

#endif
