/*
 * test_tlscheck: two TLS servers on 127.0.0.1 with certificates made in
 * the test. The weak one accepts TLS 1.0 and anonymous suites and shows a
 * self-signed certificate for another name that expired ten days ago; the
 * better one starts at TLS 1.2 and shows a CA-signed certificate for
 * 127.0.0.1 that expires in ten days. Each planted weakness must be found,
 * and nothing the better server does right may be reported.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "portscan.h"
#include "svcid.h"
#include "tlscheck.h"
#include "tlsfx.h"

static void
run_check(SSL_CTX *sctx, struct tlscheck_result *r, struct netfinding_list *fl,
    struct svcid_result *svc)
{
	struct netfx_server s;
	struct sockaddr_storage ss;
	socklen_t l;
	char err[128];

	assert_int_equal(netfx_start(&s, tlsfx_https, sctx), 0);
	assert_int_equal(portscan_resolve("127.0.0.1", &ss, &l, err, sizeof(err)), 0);
	assert_int_equal(tlscheck_run((struct sockaddr *)&ss, l, s.port, "127.0.0.1",
	    2000, r), 0);
	assert_int_equal(tlscheck_findings(r, s.port, fl), 0);
	assert_int_equal(svcid_identify((struct sockaddr *)&ss, l, s.port, 600, svc), 0);
	netfx_stop(&s);
}

static void
test_weak_server(void **state)
{
	EVP_PKEY *key = tlsfx_key();
	X509 *cert = tlsfx_cert(key, "wrong.example", -400, -10, NULL, NULL, NULL);
	SSL_CTX *sctx = tlsfx_ctx(cert, key, TLS1_VERSION, "ALL:aNULL:@SECLEVEL=0");
	struct tlscheck_result r;
	struct svcid_result svc;
	struct netfinding_list fl = { 0 };

	(void)state;
	run_check(sctx, &r, &fl, &svc);
	assert_true(r.handshake);
	assert_true(r.accepts[TLSCHECK_TLS10]);
	assert_true(r.accepts[TLSCHECK_TLS12]);
	assert_true(r.accepts[TLSCHECK_TLS13]);
	assert_non_null(strstr(r.weak, "anon:"));
	assert_non_null(strstr(r.weak, "CBC-SHA1:"));
	assert_true(r.has_cert);
	assert_true(r.expired);
	assert_true(r.days_left <= -9);
	assert_true(r.self_signed);
	assert_true(r.name_mismatch);
	assert_non_null(strstr(r.subject, "wrong.example"));
	assert_true(netfinding_has(&fl, "tls-1.0-enabled"));
	assert_true(netfinding_has(&fl, "tls-weak-cipher"));
	assert_true(netfinding_has(&fl, "tls-cert-expired"));
	assert_true(netfinding_has(&fl, "tls-cert-self-signed"));
	assert_true(netfinding_has(&fl, "tls-cert-hostname-mismatch"));
	assert_false(netfinding_has(&fl, "tls-cert-expiring"));
	/* Service identification sees TLS on an unusual port, HTTP inside. */
	assert_true(svc.tls);
	assert_string_equal(svc.service, "https");
	assert_string_equal(svc.product, "tlsfx");
	netfinding_list_free(&fl);
	SSL_CTX_free(sctx);
	X509_free(cert);
	EVP_PKEY_free(key);
}

static void
test_better_server(void **state)
{
	EVP_PKEY *cakey = tlsfx_key(), *key = tlsfx_key();
	X509 *ca = tlsfx_cert(cakey, "yunshou test CA", -1, 365, NULL, NULL, NULL);
	X509 *cert = tlsfx_cert(key, "localhost", -1, 10, "127.0.0.1", ca, cakey);
	SSL_CTX *sctx = tlsfx_ctx(cert, key, TLS1_2_VERSION,
	    "ECDHE+AESGCM:ECDHE+CHACHA20");
	struct tlscheck_result r;
	struct svcid_result svc;
	struct netfinding_list fl = { 0 };

	(void)state;
	run_check(sctx, &r, &fl, &svc);
	assert_true(r.handshake);
	assert_false(r.accepts[TLSCHECK_TLS10]);
	assert_false(r.accepts[TLSCHECK_TLS11]);
	assert_true(r.accepts[TLSCHECK_TLS12]);
	assert_string_equal(r.weak, "");
	assert_false(r.expired);
	assert_true(r.expiring);
	assert_true(r.days_left >= 9 && r.days_left <= 10);
	assert_false(r.self_signed);
	assert_false(r.name_mismatch);
	assert_int_equal(fl.n, 1);
	assert_true(netfinding_has(&fl, "tls-cert-expiring"));
	assert_string_equal(fl.v[0].def->id, "tls-cert-expiring");
	assert_int_equal(fl.v[0].def->severity, NETFINDING_LOW);
	netfinding_list_free(&fl);
	SSL_CTX_free(sctx);
	X509_free(cert);
	X509_free(ca);
	EVP_PKEY_free(key);
	EVP_PKEY_free(cakey);
}

int
main(void)
{
	signal(SIGPIPE, SIG_IGN);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_weak_server),
		cmocka_unit_test(test_better_server),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
