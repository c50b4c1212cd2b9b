/*
 * tls: OpenSSL contexts of yunshou-waf: a site's server context from its
 * certificate and key (PEM file paths or inline PEM), the front context
 * whose servername callback picks the site's context by SNI, and the
 * client context used towards TLS origins.
 */
#ifndef YS_WAF_TLS_H
#define YS_WAF_TLS_H

#include <stddef.h>

#include <jansson.h>
#include <openssl/ssl.h>

/* tls: {"cert": path | "cert_pem": text, "key": path | "key_pem": text}. */
SSL_CTX *tls_site_ctx(const json_t *tls, char *err, size_t errlen);
/* The context a TLS connection starts with; sni(ssl, name, arg) picks the
 * site context (returns SSL_TLSEXT_ERR_*). dflt may be NULL. */
SSL_CTX *tls_front_ctx(SSL_CTX *dflt, int (*sni)(SSL *, int *, void *), char *err, size_t errlen);
SSL_CTX *tls_origin_ctx(char *err, size_t errlen);

#endif
