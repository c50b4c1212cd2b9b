/*
 * crypto: thin wrappers over OpenSSL 3 so that the rest of yunshou never
 * touches low-level APIs: CSPRNG, SHA-256, HMAC (EVP_MAC), hex/base32/base64url
 * codecs, constant-time comparison, Ed25519 keys in PEM files and the one
 * place where secret files are created (mode 0600, O_EXCL, fsync).
 */
#include "crypto.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rand.h>

/* Append the most recent OpenSSL error (if any) to a message. */
static void
set_err(char *err, size_t errlen, const char *what)
{
	unsigned long e;
	char ebuf[256];

	if (err == NULL || errlen == 0)
		return;
	e = ERR_get_error();
	if (e != 0) {
		ERR_error_string_n(e, ebuf, sizeof(ebuf));
		snprintf(err, errlen, "%s: %s", what, ebuf);
	} else {
		snprintf(err, errlen, "%s", what);
	}
	ERR_clear_error();
}

int
crypto_random(void *buf, size_t len)
{
	unsigned char *p = buf;

	/* RAND_bytes takes an int; feed it in chunks. */
	while (len > 0) {
		int n = len > (1u << 30) ? (1 << 30) : (int)len;

		if (RAND_bytes(p, n) != 1)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

void
crypto_sha256(const void *data, size_t len, uint8_t out[CRYPTO_SHA256_LEN])
{
	unsigned int outl = 0;

	/* Only fails on allocation failure; leave a defined (zero) result. */
	if (EVP_Digest(data, len, out, &outl, EVP_sha256(), NULL) != 1)
		memset(out, 0, CRYPTO_SHA256_LEN);
}

int
crypto_hmac(const char *md, const void *key, size_t keylen,
    const void *msg, size_t msglen, uint8_t *out, size_t *outlen)
{
	EVP_MAC *mac = NULL;
	EVP_MAC_CTX *ctx = NULL;
	OSSL_PARAM params[2];
	static const uint8_t empty_key[1];
	char digest[16];
	int rc = -1;

	if (md == NULL || out == NULL || outlen == NULL)
		return -1;
	if (strcmp(md, "SHA1") != 0 && strcmp(md, "SHA256") != 0 &&
	    strcmp(md, "SHA512") != 0)
		return -1;
	snprintf(digest, sizeof(digest), "%s", md);
	if (key == NULL || keylen == 0) {
		/* EVP_MAC refuses a NULL key; an empty one is legal HMAC. */
		key = empty_key;
		keylen = 0;
	}
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
	    digest, 0);
	params[1] = OSSL_PARAM_construct_end();
	if ((mac = EVP_MAC_fetch(NULL, "HMAC", NULL)) == NULL)
		goto fail;
	if ((ctx = EVP_MAC_CTX_new(mac)) == NULL)
		goto fail;
	if (EVP_MAC_init(ctx, key, keylen, params) != 1)
		goto fail;
	if (EVP_MAC_update(ctx, msg, msglen) != 1)
		goto fail;
	if (EVP_MAC_final(ctx, out, outlen, EVP_MAX_MD_SIZE) != 1)
		goto fail;
	rc = 0;
fail:
	EVP_MAC_CTX_free(ctx);
	EVP_MAC_free(mac);
	ERR_clear_error();
	return rc;
}

void
crypto_hex(const uint8_t *in, size_t len, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < len; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 0x0f];
	}
	out[2 * len] = '\0';
}

static int
hex_val(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int
crypto_unhex(const char *hex, uint8_t *out, size_t outlen)
{
	if (hex == NULL || strlen(hex) != 2 * outlen)
		return -1;
	for (size_t i = 0; i < outlen; i++) {
		int hi = hex_val(hex[2 * i]), lo = hex_val(hex[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -1;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

static const char b32_alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

size_t
crypto_base32_encode(const uint8_t *in, size_t len, char *out, size_t outsz)
{
	size_t need, n = 0;
	uint32_t buf = 0;
	int bits = 0;

	if (len > (SIZE_MAX - 5) / 8)
		return 0;
	need = (len * 8 + 4) / 5;
	if (out == NULL || outsz < need + 1)
		return 0;
	for (size_t i = 0; i < len; i++) {
		buf = (buf << 8) | in[i];
		bits += 8;
		while (bits >= 5) {
			out[n++] = b32_alphabet[(buf >> (bits - 5)) & 0x1f];
			bits -= 5;
		}
	}
	if (bits > 0)
		out[n++] = b32_alphabet[(buf << (5 - bits)) & 0x1f];
	out[n] = '\0';
	return n;
}

int
crypto_base32_decode(const char *in, uint8_t *out, size_t outsz, size_t *outlen)
{
	uint32_t buf = 0;
	int bits = 0;
	size_t n = 0;

	if (in == NULL)
		return -1;
	for (const char *p = in; *p != '\0'; p++) {
		int v;
		char c = *p;

		if (c == '=' || c == ' ' || c == '-')
			continue;
		if (c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		if (c >= 'A' && c <= 'Z')
			v = c - 'A';
		else if (c >= '2' && c <= '7')
			v = c - '2' + 26;
		else
			return -1;
		buf = (buf << 5) | (uint32_t)v;
		bits += 5;
		if (bits >= 8) {
			if (n >= outsz)
				return -1;
			out[n++] = (uint8_t)(buf >> (bits - 8));
			bits -= 8;
		}
		buf &= 0xff;	/* at most 7 pending bits are ever needed */
	}
	if (outlen != NULL)
		*outlen = n;
	return 0;
}

size_t
crypto_b64url_encode(const uint8_t *in, size_t len, char *out, size_t outsz)
{
	static const char a[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	size_t need, n = 0, i = 0;

	if (len > (SIZE_MAX - 2) / 4 * 3 - 2)
		return 0;
	need = len / 3 * 4 + (len % 3 == 0 ? 0 : len % 3 + 1);
	if (out == NULL || outsz < need + 1)
		return 0;
	for (; i + 3 <= len; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];

		out[n++] = a[v >> 18 & 0x3f];
		out[n++] = a[v >> 12 & 0x3f];
		out[n++] = a[v >> 6 & 0x3f];
		out[n++] = a[v & 0x3f];
	}
	if (len - i == 1) {
		uint32_t v = (uint32_t)in[i] << 16;

		out[n++] = a[v >> 18 & 0x3f];
		out[n++] = a[v >> 12 & 0x3f];
	} else if (len - i == 2) {
		uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8;

		out[n++] = a[v >> 18 & 0x3f];
		out[n++] = a[v >> 12 & 0x3f];
		out[n++] = a[v >> 6 & 0x3f];
	}
	out[n] = '\0';
	return n;
}

bool
crypto_ct_equal(const void *a, const void *b, size_t len)
{
	return CRYPTO_memcmp(a, b, len) == 0;
}

/* Create path with mode, write all of data, fsync and close. */
static int
write_file(const char *path, const void *data, size_t len, mode_t mode,
    bool overwrite, char *err, size_t errlen)
{
	const unsigned char *p = data;
	int fd, flags;

	flags = O_CREAT | O_WRONLY | O_TRUNC | O_CLOEXEC | (overwrite ? 0 : O_EXCL);
	if ((fd = open(path, flags, mode)) == -1) {
		if (err != NULL && errlen > 0)
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	/* An existing file opened with overwrite keeps its old mode otherwise,
	 * and a new one is subject to the umask. */
	if (fchmod(fd, mode) == -1)
		goto fail;
	while (len > 0) {
		ssize_t w = write(fd, p, len);

		if (w == -1) {
			if (errno == EINTR)
				continue;
			goto fail;
		}
		p += w;
		len -= (size_t)w;
	}
	if (fsync(fd) == -1)
		goto fail;
	if (close(fd) == -1) {
		fd = -1;
		goto fail;
	}
	return 0;
fail:
	if (err != NULL && errlen > 0)
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
	if (fd != -1)
		close(fd);
	return -1;
}

int
crypto_write_secret_file(const char *path, const void *data, size_t len,
    bool overwrite, char *err, size_t errlen)
{
	return write_file(path, data, len, 0600, overwrite, err, errlen);
}

int
crypto_write_public_file(const char *path, const void *data, size_t len,
    bool overwrite, char *err, size_t errlen)
{
	return write_file(path, data, len, 0644, overwrite, err, errlen);
}

/* PEM-encode key (private: PKCS#8, public: SPKI) into a malloc'd buffer. */
static int
pem_to_mem(EVP_PKEY *key, int private, char **buf, long *len)
{
	BIO *bio;
	char *p;
	int ok;

	if ((bio = BIO_new(BIO_s_mem())) == NULL)
		return -1;
	if (private)
		ok = PEM_write_bio_PrivateKey(bio, key, NULL, NULL, 0, NULL, NULL);
	else
		ok = PEM_write_bio_PUBKEY(bio, key);
	if (ok != 1) {
		BIO_free(bio);
		return -1;
	}
	*len = BIO_get_mem_data(bio, &p);
	if (*len <= 0 || (*buf = malloc((size_t)*len)) == NULL) {
		BIO_free(bio);
		return -1;
	}
	memcpy(*buf, p, (size_t)*len);
	BIO_free(bio);
	return 0;
}

int
crypto_ed25519_generate(const char *priv_path, const char *pub_path,
    char *err, size_t errlen)
{
	char dummy[1];
	EVP_PKEY *key = NULL;
	char *priv = NULL, *pub = NULL;
	long privlen = 0, publen = 0;
	int rc = -1;

	if (err == NULL || errlen == 0) {
		err = dummy;
		errlen = sizeof(dummy);
	}
	if ((key = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519")) == NULL) {
		set_err(err, errlen, "cannot generate Ed25519 key");
		goto fail;
	}
	if (pem_to_mem(key, 1, &priv, &privlen) == -1 ||
	    pem_to_mem(key, 0, &pub, &publen) == -1) {
		set_err(err, errlen, "cannot encode Ed25519 key");
		goto fail;
	}
	if (crypto_write_secret_file(priv_path, priv, (size_t)privlen, false,
	    err, errlen) == -1)
		goto fail;
	if (crypto_write_public_file(pub_path, pub, (size_t)publen, false, err,
	    errlen) == -1) {
		/* Do not leave half a key pair behind. */
		unlink(priv_path);
		goto fail;
	}
	rc = 0;
fail:
	if (priv != NULL) {
		OPENSSL_cleanse(priv, (size_t)privlen);
		free(priv);
	}
	free(pub);
	EVP_PKEY_free(key);
	return rc;
}

static EVP_PKEY *
load_key(const char *path, int private, char *err, size_t errlen)
{
	EVP_PKEY *key;
	BIO *bio;

	if ((bio = BIO_new_file(path, "r")) == NULL) {
		if (err != NULL && errlen > 0)
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
		ERR_clear_error();
		return NULL;
	}
	if (private)
		key = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
	else
		key = PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL);
	BIO_free(bio);
	if (key == NULL) {
		set_err(err, errlen, private ? "not a PEM private key" :
		    "not a PEM public key");
		return NULL;
	}
	if (EVP_PKEY_get_id(key) != EVP_PKEY_ED25519) {
		if (err != NULL && errlen > 0)
			snprintf(err, errlen, "%s: not an Ed25519 key", path);
		EVP_PKEY_free(key);
		return NULL;
	}
	return key;
}

EVP_PKEY *
crypto_ed25519_load_private(const char *path, char *err, size_t errlen)
{
	return load_key(path, 1, err, errlen);
}

EVP_PKEY *
crypto_ed25519_load_public(const char *path, char *err, size_t errlen)
{
	return load_key(path, 0, err, errlen);
}

int
crypto_ed25519_raw_public(EVP_PKEY *key, uint8_t out[32])
{
	size_t len = 32;

	if (key == NULL || EVP_PKEY_get_id(key) != EVP_PKEY_ED25519)
		return -1;
	if (EVP_PKEY_get_raw_public_key(key, out, &len) != 1 || len != 32) {
		ERR_clear_error();
		return -1;
	}
	return 0;
}

int
crypto_ed25519_sign(EVP_PKEY *key, const void *msg, size_t len,
    uint8_t sig[CRYPTO_ED25519_SIG_LEN])
{
	EVP_MD_CTX *ctx;
	size_t siglen = CRYPTO_ED25519_SIG_LEN;
	int rc = -1;

	if (key == NULL || (ctx = EVP_MD_CTX_new()) == NULL)
		return -1;
	/* Ed25519 is one-shot: no digest, whole message at once. */
	if (EVP_DigestSignInit(ctx, NULL, NULL, NULL, key) == 1 &&
	    EVP_DigestSign(ctx, sig, &siglen, msg, len) == 1 &&
	    siglen == CRYPTO_ED25519_SIG_LEN)
		rc = 0;
	EVP_MD_CTX_free(ctx);
	ERR_clear_error();
	return rc;
}

int
crypto_ed25519_verify(EVP_PKEY *key, const void *msg, size_t len,
    const uint8_t sig[CRYPTO_ED25519_SIG_LEN])
{
	EVP_MD_CTX *ctx;
	int rc = -1;

	if (key == NULL || (ctx = EVP_MD_CTX_new()) == NULL)
		return -1;
	if (EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, key) == 1 &&
	    EVP_DigestVerify(ctx, sig, CRYPTO_ED25519_SIG_LEN, msg, len) == 1)
		rc = 0;
	EVP_MD_CTX_free(ctx);
	ERR_clear_error();
	return rc;
}
