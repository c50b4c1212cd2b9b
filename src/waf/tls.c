/*
 * tls.c: server and client SSL_CTXs (see tls.h). Certificates and keys
 * are read into memory BIOs whether they come from a file or inline, so
 * both paths share one loader; a key that does not match its certificate
 * is refused at load time, not at the first handshake.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "tls.h"

static void
ssl_err(char *err, size_t errlen, const char *what)
{
	unsigned long e = ERR_get_error();
	char buf[160];

	ERR_error_string_n(e, buf, sizeof(buf));
	snprintf(err, errlen, "%s: %s", what, e != 0 ? buf : "invalid PEM");
	ERR_clear_error();
}

/* The PEM text named by key (path) or key_pem (inline) of obj. */
static BIO *
pem_bio(const json_t *obj, const char *key, char *err, size_t errlen)
{
	char inline_key[32];
	const char *path = json_string_value(json_object_get(obj, key)), *text;
	BIO *b;

	snprintf(inline_key, sizeof(inline_key), "%s_pem", key);
	text = json_string_value(json_object_get(obj, inline_key));
	if ((path == NULL) == (text == NULL)) {
		snprintf(err, errlen, "tls needs exactly one of \"%s\" (a PEM file) and \"%s\"", key,
		    inline_key);
		return NULL;
	}
	b = path != NULL ? BIO_new_file(path, "r") : BIO_new_mem_buf(text, (int)strlen(text));
	if (b == NULL)
		snprintf(err, errlen, "cannot read %s %s", key, path != NULL ? path : "(inline)");
	return b;
}

static void
harden(SSL_CTX *ctx)
{
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE |
	    SSL_OP_NO_COMPRESSION);
	SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);
}

SSL_CTX *
tls_site_ctx(const json_t *tls, char *err, size_t errlen)
{
	SSL_CTX *ctx = NULL;
	BIO *cb = NULL, *kb = NULL;
	X509 *cert = NULL, *extra;
	EVP_PKEY *key = NULL;

	if (!json_is_object(tls)) {
		snprintf(err, errlen, "tls must be an object with cert and key");
		return NULL;
	}
	if ((cb = pem_bio(tls, "cert", err, errlen)) == NULL ||
	    (kb = pem_bio(tls, "key", err, errlen)) == NULL)
		goto fail;
	if ((ctx = SSL_CTX_new(TLS_server_method())) == NULL) {
		ssl_err(err, errlen, "SSL_CTX_new");
		goto fail;
	}
	harden(ctx);
	if ((cert = PEM_read_bio_X509(cb, NULL, NULL, NULL)) == NULL) {
		ssl_err(err, errlen, "certificate");
		goto fail;
	}
	if (SSL_CTX_use_certificate(ctx, cert) != 1) {
		ssl_err(err, errlen, "certificate");
		goto fail;
	}
	while ((extra = PEM_read_bio_X509(cb, NULL, NULL, NULL)) != NULL)
		if (SSL_CTX_add0_chain_cert(ctx, extra) != 1) {
			X509_free(extra);
			ssl_err(err, errlen, "certificate chain");
			goto fail;
		}
	ERR_clear_error();	/* the end of the chain reads as "no start line" */
	if ((key = PEM_read_bio_PrivateKey(kb, NULL, NULL, NULL)) == NULL) {
		ssl_err(err, errlen, "private key");
		goto fail;
	}
	if (SSL_CTX_use_PrivateKey(ctx, key) != 1 || SSL_CTX_check_private_key(ctx) != 1) {
		ssl_err(err, errlen, "the private key does not match the certificate");
		goto fail;
	}
	X509_free(cert);
	EVP_PKEY_free(key);
	BIO_free(cb);
	BIO_free(kb);
	return ctx;
fail:
	X509_free(cert);
	EVP_PKEY_free(key);
	BIO_free(cb);
	BIO_free(kb);
	SSL_CTX_free(ctx);
	return NULL;
}

SSL_CTX *
tls_front_ctx(SSL_CTX *dflt, int (*sni)(SSL *, int *, void *), char *err, size_t errlen)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());

	if (ctx == NULL) {
		ssl_err(err, errlen, "SSL_CTX_new");
		return NULL;
	}
	harden(ctx);
	if (dflt != NULL) {
		X509 *cert = SSL_CTX_get0_certificate(dflt);
		EVP_PKEY *key = SSL_CTX_get0_privatekey(dflt);
		STACK_OF(X509) *chain = NULL;

		SSL_CTX_get0_chain_certs(dflt, &chain);
		if (SSL_CTX_use_certificate(ctx, cert) != 1 || SSL_CTX_use_PrivateKey(ctx, key) != 1 ||
		    (chain != NULL && SSL_CTX_set1_chain(ctx, chain) != 1)) {
			ssl_err(err, errlen, "default certificate");
			SSL_CTX_free(ctx);
			return NULL;
		}
	}
	SSL_CTX_set_tlsext_servername_callback(ctx, sni);
	return ctx;
}

SSL_CTX *
tls_origin_ctx(char *err, size_t errlen)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());

	if (ctx == NULL) {
		ssl_err(err, errlen, "SSL_CTX_new");
		return NULL;
	}
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	/* Origins are the tenant's own servers, often with private or
	 * self-signed certificates; the path to them is the provider's
	 * network. Verification per origin is a later option. */
	SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
	return ctx;
}
