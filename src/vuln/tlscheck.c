/*
 * tlscheck: protocol versions, weak ciphers and the certificate. Debian's
 * OpenSSL 3 has no RC4, 3DES or export ciphers at all; those rows cannot
 * be offered and are reported in "untested" rather than as passed.
 */
#include "tlscheck.h"

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "netconn.h"

static const int versions[TLSCHECK_NVERSIONS] = {
	TLS1_VERSION, TLS1_1_VERSION, TLS1_2_VERSION, TLS1_3_VERSION,
};

const char *
tlscheck_version_name(enum tlscheck_version v)
{
	static const char *const names[] = { "TLSv1.0", "TLSv1.1", "TLSv1.2", "TLSv1.3" };

	return (unsigned)v < TLSCHECK_NVERSIONS ? names[v] : "?";
}

/* Weak cipher classes, each offered alone (TLS 1.0-1.2). */
static const struct {
	const char *name;
	const char *ciphers;
} weak_classes[] = {
	{ "NULL", "eNULL" },
	{ "anon", "aNULL:!eNULL" },
	{ "EXPORT", "EXP" },
	{ "RC4", "RC4" },
	{ "3DES", "3DES" },
	{ "DES", "DES:!3DES" },
	{ "CBC-SHA1", "SHA1:!eNULL:!aNULL" },
};

/* One handshake; the session (with its fd in *fdp) or NULL. */
static SSL *
handshake(const struct sockaddr *sa, socklen_t salen, uint16_t port,
    const char *name, unsigned timeout_ms, SSL_CTX *ctx, int *fdp)
{
	SSL *ssl;
	int fd = netconn_open(sa, salen, port, timeout_ms);

	*fdp = -1;
	if (fd < 0)
		return NULL;
	ssl = netconn_tls_start(ctx, fd, name);
	if (ssl == NULL) {
		close(fd);
		return NULL;
	}
	*fdp = fd;
	return ssl;
}

static void
append(char *dst, size_t cap, const char *a, const char *b)
{
	size_t l = strlen(dst);

	snprintf(dst + l, cap - l, "%s%s%s%s", l ? "," : "", a, b ? ":" : "",
	    b ? b : "");
}

static void
check_cert(X509 *cert, const char *name, struct tlscheck_result *r)
{
	const ASN1_TIME *na = X509_get0_notAfter(cert);
	EVP_PKEY *pk = X509_get0_pubkey(cert);
	struct tm tm;
	int days = 0, secs = 0;
	unsigned char tmp[16];

	r->has_cert = true;
	X509_NAME_oneline(X509_get_subject_name(cert), r->subject, sizeof(r->subject));
	X509_NAME_oneline(X509_get_issuer_name(cert), r->issuer, sizeof(r->issuer));
	if (na != NULL && ASN1_TIME_to_tm(na, &tm) == 1)
		strftime(r->not_after, sizeof(r->not_after), "%Y-%m-%d", &tm);
	if (na != NULL && ASN1_TIME_diff(&days, &secs, NULL, na) == 1) {
		r->days_left = days;
		r->expired = days < 0 || secs < 0 || X509_cmp_current_time(na) < 0;
		r->expiring = !r->expired && days < 30;
	}
	/* Self-signed: issued by its own name and signed with its own key. */
	r->self_signed = X509_check_issued(cert, cert) == X509_V_OK &&
	    pk != NULL && X509_verify(cert, pk) == 1;
	if (name != NULL) {
		if (inet_pton(AF_INET, name, tmp) == 1 || inet_pton(AF_INET6, name, tmp) == 1)
			r->name_mismatch = X509_check_ip_asc(cert, name, 0) != 1;
		else
			r->name_mismatch = X509_check_host(cert, name, 0, 0, NULL) != 1;
	}
	ERR_clear_error();
}

int
tlscheck_run(const struct sockaddr *sa, socklen_t salen, uint16_t port,
    const char *name, unsigned timeout_ms, struct tlscheck_result *r)
{
	SSL_CTX *ctx;
	SSL *ssl;
	int fd;

	memset(r, 0, sizeof(*r));
	for (int v = 0; v < TLSCHECK_NVERSIONS; v++) {
		ctx = netconn_tls_ctx(versions[v], versions[v], NULL);
		if (ctx == NULL)
			return -1;
		ssl = handshake(sa, salen, port, name, timeout_ms, ctx, &fd);
		if (ssl != NULL) {
			r->accepts[v] = true;
			r->handshake = true;
			netconn_tls_close(ssl);
			close(fd);
		}
		SSL_CTX_free(ctx);
	}
	if (!r->handshake)
		return 0;
	for (size_t i = 0; i < sizeof(weak_classes) / sizeof(weak_classes[0]); i++) {
		char list[96];

		snprintf(list, sizeof(list), "%s:@SECLEVEL=0", weak_classes[i].ciphers);
		ctx = netconn_tls_ctx(TLS1_VERSION, TLS1_2_VERSION, list);
		if (ctx == NULL) {
			append(r->untested, sizeof(r->untested), weak_classes[i].name, NULL);
			ERR_clear_error();
			continue;
		}
		ssl = handshake(sa, salen, port, name, timeout_ms, ctx, &fd);
		if (ssl != NULL) {
			append(r->weak, sizeof(r->weak), weak_classes[i].name,
			    SSL_get_cipher_name(ssl));
			netconn_tls_close(ssl);
			close(fd);
		}
		SSL_CTX_free(ctx);
	}
	/* The certificate of the best handshake the server agrees to. */
	ctx = netconn_tls_ctx(0, 0, NULL);
	if (ctx == NULL)
		return -1;
	ssl = handshake(sa, salen, port, name, timeout_ms, ctx, &fd);
	if (ssl != NULL) {
		X509 *cert = SSL_get1_peer_certificate(ssl);
		if (cert != NULL) {
			check_cert(cert, name, r);
			X509_free(cert);
		}
		netconn_tls_close(ssl);
		close(fd);
	}
	SSL_CTX_free(ctx);
	return 0;
}

/* The findings: a row per check, its test writes the evidence. */
typedef int (*tls_test_fn)(const struct tlscheck_result *r, char *ev, size_t n);

static int
t_tls10(const struct tlscheck_result *r, char *ev, size_t n)
{
	snprintf(ev, n, "handshake with min=max=TLSv1.0 accepted");
	return r->accepts[TLSCHECK_TLS10];
}

static int
t_tls11(const struct tlscheck_result *r, char *ev, size_t n)
{
	snprintf(ev, n, "handshake with min=max=TLSv1.1 accepted");
	return r->accepts[TLSCHECK_TLS11];
}

static int
t_weak(const struct tlscheck_result *r, char *ev, size_t n)
{
	snprintf(ev, n, "accepted: %s", r->weak);
	return r->weak[0] != '\0';
}

static int
t_expired(const struct tlscheck_result *r, char *ev, size_t n)
{
	snprintf(ev, n, "notAfter %s (%d days ago), subject %s", r->not_after,
	    -r->days_left, r->subject);
	return r->has_cert && r->expired;
}

static int
t_expiring(const struct tlscheck_result *r, char *ev, size_t n)
{
	snprintf(ev, n, "notAfter %s (in %d days), subject %s", r->not_after,
	    r->days_left, r->subject);
	return r->has_cert && r->expiring;
}

static int
t_self_signed(const struct tlscheck_result *r, char *ev, size_t n)
{
	snprintf(ev, n, "subject = issuer = %s, signed by its own key", r->subject);
	return r->has_cert && r->self_signed;
}

static int
t_mismatch(const struct tlscheck_result *r, char *ev, size_t n)
{
	snprintf(ev, n, "target name not in certificate %s", r->subject);
	return r->has_cert && r->name_mismatch;
}

static const struct {
	struct netfinding_def def;
	tls_test_fn test;
} tls_checks[] = {
	{ { "tls-1.0-enabled", NETFINDING_MEDIUM, "支持已废弃的 TLS 1.0 协议",
	    "Deprecated TLS 1.0 is accepted",
	    "禁用 TLS 1.0/1.1，仅启用 TLS 1.2 及以上（RFC 8996）。",
	    "Disable TLS 1.0 and 1.1; allow TLS 1.2 and later only (RFC 8996)." }, t_tls10 },
	{ { "tls-1.1-enabled", NETFINDING_MEDIUM, "支持已废弃的 TLS 1.1 协议",
	    "Deprecated TLS 1.1 is accepted",
	    "禁用 TLS 1.0/1.1，仅启用 TLS 1.2 及以上（RFC 8996）。",
	    "Disable TLS 1.0 and 1.1; allow TLS 1.2 and later only (RFC 8996)." }, t_tls11 },
	{ { "tls-weak-cipher", NETFINDING_HIGH, "接受弱加密套件",
	    "Weak cipher suites are accepted",
	    "从服务端套件列表中移除 NULL、匿名、EXPORT、RC4、DES/3DES 及 CBC-SHA1 套件，"
	    "优先使用 ECDHE + AES-GCM/ChaCha20。",
	    "Remove NULL, anonymous, export, RC4, DES/3DES and CBC-SHA1 suites from the "
	    "server's list; prefer ECDHE with AES-GCM or ChaCha20." }, t_weak },
	{ { "tls-cert-expired", NETFINDING_HIGH, "TLS 证书已过期",
	    "TLS certificate has expired",
	    "立即更换为有效证书，并配置自动续期与到期告警。",
	    "Replace the certificate now and set up automatic renewal and expiry alerts." },
	  t_expired },
	{ { "tls-cert-expiring", NETFINDING_LOW, "TLS 证书将在 30 天内过期",
	    "TLS certificate expires within 30 days",
	    "在到期前续期证书，并配置自动续期。",
	    "Renew the certificate before it expires and automate renewal." }, t_expiring },
	{ { "tls-cert-self-signed", NETFINDING_MEDIUM, "TLS 证书为自签名证书",
	    "TLS certificate is self-signed",
	    "使用受信任 CA（或企业内部 CA）签发的证书。",
	    "Use a certificate issued by a trusted (public or internal) CA." }, t_self_signed },
	{ { "tls-cert-hostname-mismatch", NETFINDING_MEDIUM, "TLS 证书与主机名不匹配",
	    "TLS certificate does not match the host name",
	    "签发包含该主机名或 IP 的证书（subjectAltName）。",
	    "Issue a certificate whose subjectAltName covers this host name or address." },
	  t_mismatch },
};

int
tlscheck_findings(const struct tlscheck_result *r, uint16_t port,
    struct netfinding_list *l)
{
	char ev[256];

	if (!r->handshake)
		return 0;
	for (size_t i = 0; i < sizeof(tls_checks) / sizeof(tls_checks[0]); i++)
		if (tls_checks[i].test(r, ev, sizeof(ev)) &&
		    netfinding_add(l, &tls_checks[i].def, port, "%s", ev) != 0)
			return -1;
	return 0;
}
