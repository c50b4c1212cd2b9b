/*
 * test_ca: the internal CA as TLS clients will see it. A server certificate
 * must chain to the CA under X509_verify_cert and carry the requested names;
 * a node's CSR yields a client certificate with our subject, never the one
 * it asked for; keys are private files; fingerprints match what
 * `openssl x509 -fingerprint -sha256` prints (SHA-256 of the DER).
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

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "ca.h"

static char dir[64];

static const char *const files[] = {
	"ca.key", "ca.crt", "server.key", "server.crt",
};

static void
path_of(const char *file, char *out, size_t outsz)
{
	snprintf(out, outsz, "%s/%s", dir, file);
}

static int
setup(void **state)
{
	char err[256];

	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/ys-test-ca-XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	if (ca_create(dir, "test", err, sizeof(err)) == -1) {
		fprintf(stderr, "ca_create: %s\n", err);
		return -1;
	}
	return 0;
}

static int
teardown(void **state)
{
	char p[128];

	(void)state;
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		path_of(files[i], p, sizeof(p));
		unlink(p);
	}
	return rmdir(dir);
}

static mode_t
file_mode(const char *file)
{
	char p[128];
	struct stat st;

	path_of(file, p, sizeof(p));
	assert_int_equal(stat(p, &st), 0);
	return st.st_mode & 07777;
}

static X509 *
read_cert(const char *file)
{
	char p[128];
	X509 *cert;
	FILE *f;

	path_of(file, p, sizeof(p));
	f = fopen(p, "r");
	assert_non_null(f);
	cert = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	assert_non_null(cert);
	return cert;
}

static void
name_entry(X509_NAME *name, int nid, char *out, size_t outsz)
{
	assert_true(X509_NAME_get_text_by_NID(name, nid, out, (int)outsz) > 0);
}

/* Verify cert against the CA alone, for purpose (X509_PURPOSE_*). */
static int
verify_chain(X509 *ca, X509 *cert, int purpose)
{
	X509_STORE *store = X509_STORE_new();
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	int ok;

	assert_non_null(store);
	assert_non_null(ctx);
	assert_int_equal(X509_STORE_add_cert(store, ca), 1);
	assert_int_equal(X509_STORE_CTX_init(ctx, store, cert, NULL), 1);
	X509_STORE_CTX_set_purpose(ctx, purpose);
	ok = X509_verify_cert(ctx);
	if (ok != 1)
		fprintf(stderr, "verify: %s\n", X509_verify_cert_error_string(
		    X509_STORE_CTX_get_error(ctx)));
	X509_STORE_CTX_free(ctx);
	X509_STORE_free(store);
	return ok;
}

static void
test_ca_created(void **state)
{
	char cn[128], err[256];
	const ASN1_INTEGER *serial;
	EVP_PKEY *key;
	char group[32];
	size_t glen;
	X509 *ca;
	int days, secs;

	(void)state;
	assert_int_equal(file_mode("ca.key"), 0600);
	assert_int_equal(file_mode("ca.crt"), 0644);
	ca = read_cert("ca.crt");
	name_entry(X509_get_subject_name(ca), NID_commonName, cn, sizeof(cn));
	assert_string_equal(cn, "yunshou CA test");
	assert_int_equal(X509_check_ca(ca), 1);
	assert_true(X509_get_key_usage(ca) & KU_KEY_CERT_SIGN);
	assert_int_equal(X509_get_signature_nid(ca), NID_ecdsa_with_SHA256);
	assert_non_null(X509_get0_subject_key_id(ca));
	assert_non_null(X509_get0_authority_key_id(ca));
	assert_int_equal(X509_check_issued(ca, ca), X509_V_OK);
	key = X509_get0_pubkey(ca);
	assert_int_equal(EVP_PKEY_get_base_id(key), EVP_PKEY_EC);
	assert_int_equal(EVP_PKEY_get_group_name(key, group, sizeof(group), &glen), 1);
	assert_string_equal(group, "prime256v1");
	/* 128-bit random serial, positive. */
	serial = X509_get0_serialNumber(ca);
	assert_int_equal(ASN1_STRING_length(serial), 16);
	assert_int_equal(ASN1_STRING_type(serial), V_ASN1_INTEGER);
	/* About ten years. */
	assert_int_equal(ASN1_TIME_diff(&days, &secs, X509_get0_notBefore(ca),
	    X509_get0_notAfter(ca)), 1);
	assert_in_range(days, 3649, 3651);
	X509_free(ca);

	/* An existing CA is never overwritten. */
	assert_int_equal(ca_create(dir, "again", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "already exists"));
}

static void
test_issue_server(void **state)
{
	static const char *const sans[] = {
		"ctl.example.com", "10.0.0.5", "::1", "localhost",
	};
	char cn[128], err[256];
	X509 *ca, *srv;

	(void)state;
	assert_int_equal(ca_issue_server(dir, sans, 4, err, sizeof(err)), 0);
	assert_int_equal(file_mode("server.key"), 0600);
	assert_int_equal(file_mode("server.crt"), 0644);
	ca = read_cert("ca.crt");
	srv = read_cert("server.crt");
	assert_int_equal(verify_chain(ca, srv, X509_PURPOSE_SSL_SERVER), 1);
	name_entry(X509_get_subject_name(srv), NID_commonName, cn, sizeof(cn));
	assert_string_equal(cn, "ctl.example.com");
	assert_int_equal(X509_check_ca(srv), 0);
	assert_true(X509_get_extended_key_usage(srv) & XKU_SSL_SERVER);
	assert_false(X509_get_extended_key_usage(srv) & XKU_SSL_CLIENT);
	assert_int_equal(X509_get_signature_nid(srv), NID_ecdsa_with_SHA256);
	/* Every SAN, as DNS or IP as appropriate, and nothing else. */
	assert_int_equal(X509_check_host(srv, "ctl.example.com", 0, 0, NULL), 1);
	assert_int_equal(X509_check_host(srv, "localhost", 0, 0, NULL), 1);
	assert_int_equal(X509_check_ip_asc(srv, "10.0.0.5", 0), 1);
	assert_int_equal(X509_check_ip_asc(srv, "::1", 0), 1);
	assert_int_equal(X509_check_host(srv, "10.0.0.5", 0, 0, NULL), 0);
	assert_int_equal(X509_check_host(srv, "evil.example.com", 0, 0, NULL), 0);
	assert_int_equal(X509_check_ip_asc(srv, "10.0.0.6", 0), 0);
	/* AKI of the server certificate names the CA's key. */
	assert_int_equal(ASN1_OCTET_STRING_cmp(X509_get0_authority_key_id(srv),
	    X509_get0_subject_key_id(ca)), 0);
	X509_free(srv);
	X509_free(ca);
}

static void
test_issue_server_bad_names(void **state)
{
	static const char *const inject[] = { "ctl.example.com,DNS:evil.com" };
	static const char *const empty[] = { "ok.example.com", "" };
	char err[256];

	(void)state;
	assert_int_equal(ca_issue_server(dir, inject, 1, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "neither an IP address nor a valid DNS name"));
	assert_int_equal(ca_issue_server(dir, empty, 2, err, sizeof(err)), -1);
	assert_int_equal(ca_issue_server(dir, NULL, 0, err, sizeof(err)), -1);
}

static void
test_fingerprint(void **state)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	char fp[65], want[65], err[256], p[128];
	X509 *srv;

	(void)state;
	srv = read_cert("server.crt");
	assert_int_equal(X509_digest(srv, EVP_sha256(), md, &n), 1);
	assert_int_equal(n, 32);
	for (unsigned i = 0; i < n; i++)
		snprintf(want + 2 * i, 3, "%02x", md[i]);
	X509_free(srv);
	path_of("server.crt", p, sizeof(p));
	assert_int_equal(ca_fingerprint(p, fp, sizeof(fp), err, sizeof(err)), 0);
	assert_string_equal(fp, want);
	assert_int_equal(ca_fingerprint(p, fp, 64, err, sizeof(err)), -1);
	path_of("server.key", p, sizeof(p));
	assert_int_equal(ca_fingerprint(p, fp, sizeof(fp), err, sizeof(err)), -1);
}

/* A CSR for a fresh key that asks for more than it should get. Returns the
 * PEM (malloc'd) and the key. */
static char *
make_csr(EVP_PKEY **keyp, size_t *lenp, int corrupt)
{
	X509_REQ *req = X509_REQ_new();
	X509_NAME *name = X509_NAME_new();
	STACK_OF(X509_EXTENSION) *exts = sk_X509_EXTENSION_new_null();
	X509_EXTENSION *ext;
	EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	unsigned char *der = NULL;
	const unsigned char *q;
	BIO *bio;
	char *data, *pem;
	long n;
	int dlen;

	assert_non_null(req);
	assert_non_null(key);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
	    (const unsigned char *)"root", -1, -1, 0);
	X509_NAME_add_entry_by_txt(name, "OU", MBSTRING_ASC,
	    (const unsigned char *)"admins", -1, -1, 0);
	X509_REQ_set_subject_name(req, name);
	X509_REQ_set_pubkey(req, key);
	ext = X509V3_EXT_conf_nid(NULL, NULL, NID_basic_constraints, "critical,CA:TRUE");
	assert_non_null(ext);
	sk_X509_EXTENSION_push(exts, ext);
	X509_REQ_add_extensions(req, exts);
	sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
	assert_true(X509_REQ_sign(req, key, EVP_sha256()) > 0);
	if (corrupt) {
		/* Flip a bit of the last signature byte; the DER stays valid. */
		dlen = i2d_X509_REQ(req, &der);
		assert_true(dlen > 0);
		der[dlen - 1] ^= 0x01;
		X509_REQ_free(req);
		q = der;
		req = d2i_X509_REQ(NULL, &q, dlen);
		assert_non_null(req);
		OPENSSL_free(der);
	}
	bio = BIO_new(BIO_s_mem());
	assert_int_equal(PEM_write_bio_X509_REQ(bio, req), 1);
	n = BIO_get_mem_data(bio, &data);
	pem = malloc((size_t)n + 1);
	assert_non_null(pem);
	memcpy(pem, data, (size_t)n);
	pem[n] = '\0';
	*lenp = (size_t)n;
	BIO_free(bio);
	X509_NAME_free(name);
	X509_REQ_free(req);
	*keyp = key;
	return pem;
}

static void
test_sign_csr(void **state)
{
	char err[256], cn[128], ou[128];
	char *csr, *out = NULL;
	EVP_PKEY *key;
	X509 *ca, *cert;
	size_t len;
	BIO *bio;
	int days, secs;

	(void)state;
	csr = make_csr(&key, &len, 0);
	assert_int_equal(ca_sign_csr(dir, csr, len, "node-42", "tenant-7", 365,
	    &out, err, sizeof(err)), 0);
	assert_non_null(out);
	bio = BIO_new_mem_buf(out, -1);
	cert = PEM_read_bio_X509(bio, NULL, NULL, NULL);
	BIO_free(bio);
	assert_non_null(cert);
	ca = read_cert("ca.crt");

	assert_int_equal(verify_chain(ca, cert, X509_PURPOSE_SSL_CLIENT), 1);
	/* Our subject and extensions, not the CSR's. */
	name_entry(X509_get_subject_name(cert), NID_commonName, cn, sizeof(cn));
	name_entry(X509_get_subject_name(cert), NID_organizationalUnitName, ou,
	    sizeof(ou));
	assert_string_equal(cn, "node-42");
	assert_string_equal(ou, "tenant-7");
	assert_int_equal(X509_check_ca(cert), 0);
	assert_true(X509_get_extended_key_usage(cert) & XKU_SSL_CLIENT);
	assert_false(X509_get_extended_key_usage(cert) & XKU_SSL_SERVER);
	assert_int_equal(verify_chain(ca, cert, X509_PURPOSE_SSL_SERVER), 0);
	/* For the key in the CSR. */
	assert_int_equal(EVP_PKEY_eq(X509_get0_pubkey(cert), key), 1);
	assert_int_equal(ASN1_TIME_diff(&days, &secs, X509_get0_notBefore(cert),
	    X509_get0_notAfter(cert)), 1);
	assert_in_range(days, 365, 365);

	X509_free(cert);
	X509_free(ca);
	free(out);
	free(csr);
	EVP_PKEY_free(key);
}

static void
test_sign_csr_refusals(void **state)
{
	static const char junk[] = "-----BEGIN CERTIFICATE REQUEST-----\n"
	    "AAAA\n-----END CERTIFICATE REQUEST-----\n";
	char err[256];
	char *csr, *out = (char *)"untouched";
	EVP_PKEY *key;
	size_t len;

	(void)state;
	/* A CSR whose signature does not match its key: no proof of
	 * possession. */
	csr = make_csr(&key, &len, 1);
	assert_int_equal(ca_sign_csr(dir, csr, len, "node-42", "tenant-7", 365,
	    &out, err, sizeof(err)), -1);
	assert_null(out);
	assert_non_null(strstr(err, "signature does not verify"));
	free(csr);
	EVP_PKEY_free(key);

	csr = make_csr(&key, &len, 0);
	assert_int_equal(ca_sign_csr(dir, csr, len, "node-42", NULL, 0, &out,
	    err, sizeof(err)), -1);
	assert_non_null(strstr(err, "validity"));
	assert_int_equal(ca_sign_csr(dir, csr, len, "", NULL, 30, &out, err,
	    sizeof(err)), -1);
	/* No OU is fine. */
	assert_int_equal(ca_sign_csr(dir, csr, len, "node-1", NULL, 30, &out,
	    err, sizeof(err)), 0);
	free(out);
	free(csr);
	EVP_PKEY_free(key);

	assert_int_equal(ca_sign_csr(dir, junk, strlen(junk), "n", NULL, 30,
	    &out, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not a PEM CSR"));
	assert_int_equal(ca_sign_csr(dir, "garbage", 7, "n", NULL, 30, &out,
	    err, sizeof(err)), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ca_created),
		cmocka_unit_test(test_issue_server),
		cmocka_unit_test(test_issue_server_bad_names),
		cmocka_unit_test(test_fingerprint),
		cmocka_unit_test(test_sign_csr),
		cmocka_unit_test(test_sign_csr_refusals),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
