/*
 * tlsfx: TLS servers for the scanner tests, with certificates made here
 * with OpenSSL's APIs (no files): self-signed or signed by a throwaway CA,
 * any validity window, an optional IP subjectAltName. The server serves
 * the same pages as netfx_http inside TLS.
 */
#ifndef YS_TEST_TLSFX_H
#define YS_TEST_TLSFX_H

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "netfx.h"

static __attribute__((unused)) EVP_PKEY *
tlsfx_key(void)
{
	return EVP_RSA_gen(2048);
}

/* A certificate for key with CN cn, valid from `from` to `to` days from
 * now, with IP SAN ip (may be NULL), signed by ca/ca_key or by itself. */
static __attribute__((unused)) X509 *
tlsfx_cert(EVP_PKEY *key, const char *cn, long from, long to, const char *ip,
    X509 *ca, EVP_PKEY *ca_key)
{
	static long serial = 1;
	X509 *x = X509_new();
	X509_NAME *nm;

	if (x == NULL)
		return NULL;
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), serial++);
	X509_gmtime_adj(X509_getm_notBefore(x), from * 86400L);
	X509_gmtime_adj(X509_getm_notAfter(x), to * 86400L);
	X509_set_pubkey(x, key);
	nm = X509_get_subject_name(x);
	X509_NAME_add_entry_by_txt(nm, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
	X509_set_issuer_name(x, ca != NULL ? X509_get_subject_name(ca) : nm);
	if (ip != NULL) {
		X509V3_CTX v3;
		X509_EXTENSION *e;
		char san[64];

		snprintf(san, sizeof(san), "IP:%s", ip);
		X509V3_set_ctx(&v3, ca != NULL ? ca : x, x, NULL, NULL, 0);
		e = X509V3_EXT_conf_nid(NULL, &v3, NID_subject_alt_name, san);
		X509_add_ext(x, e, -1);
		X509_EXTENSION_free(e);
	}
	X509_sign(x, ca_key != NULL ? ca_key : key, EVP_sha256());
	return x;
}

/* A server context: versions from min_version up, the given ciphers. */
static __attribute__((unused)) SSL_CTX *
tlsfx_ctx(X509 *cert, EVP_PKEY *key, int min_version, const char *ciphers)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());

	SSL_CTX_set_security_level(ctx, 0);
	SSL_CTX_set_min_proto_version(ctx, min_version);
	SSL_CTX_set_max_proto_version(ctx, 0);
	SSL_CTX_set_cipher_list(ctx, ciphers);
	SSL_CTX_use_certificate(ctx, cert);
	SSL_CTX_use_PrivateKey(ctx, key);
	return ctx;
}

/* netfx handler; arg is the SSL_CTX. */
static __attribute__((unused)) void
tlsfx_https(int fd, void *arg)
{
	SSL *ssl = SSL_new(arg);
	struct timeval tv = { 2, 0 };
	char req[2048], path[256] = "", resp[1024];
	const char *body;
	int n = 0, r, is_head;

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	SSL_set_fd(ssl, fd);
	if (SSL_accept(ssl) != 1)
		goto out;
	while (n < (int)sizeof(req) - 1 &&
	    (r = SSL_read(ssl, req + n, (int)sizeof(req) - 1 - n)) > 0) {
		n += r;
		req[n] = '\0';
		if (strstr(req, "\r\n\r\n") != NULL)
			break;
	}
	req[n] = '\0';
	is_head = strncmp(req, "HEAD ", 5) == 0;
	sscanf(req, "%*s %255s", path);
	body = strcmp(path, "/") == 0 ? "<html>tls</html>\n" : NULL;
	if (body == NULL)
		snprintf(resp, sizeof(resp), "HTTP/1.0 404 Not Found\r\n"
		    "Server: tlsfx/1.0\r\nContent-Length: 0\r\n\r\n");
	else
		snprintf(resp, sizeof(resp), "HTTP/1.0 200 OK\r\nServer: tlsfx/1.0\r\n"
		    "X-Content-Type-Options: nosniff\r\nX-Frame-Options: DENY\r\n"
		    "Content-Length: %zu\r\n\r\n%s", strlen(body), is_head ? "" : body);
	SSL_write(ssl, resp, (int)strlen(resp));
	SSL_shutdown(ssl);
out:
	SSL_free(ssl);
	ERR_clear_error();
}

#endif
