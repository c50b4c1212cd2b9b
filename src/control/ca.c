/*
 * ca: the control plane's internal certificate authority, on OpenSSL 3.
 * ca_create makes a self-signed P-256 root, ca_issue_server the HTTPS
 * certificate and ca_sign_csr the client certificates of enrolling nodes.
 * Subjects and extensions are always chosen here, never copied from a CSR,
 * so a node cannot ask for more than a client certificate with its own name.
 * Private keys go through crypto_write_secret_file (mode 0600, O_EXCL).
 */
#include "ca.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "crypto.h"

#define CA_DAYS 3650
#define SERVER_DAYS 825
#define CLIENT_MAX_DAYS 3650
#define CSR_MAX_LEN (64 * 1024)
/* X.520 upper bound of commonName / organizationalUnitName. */
#define NAME_MAX_LEN 64
/* Tolerate clocks of peers that run slightly behind ours. */
#define BACKDATE_SECS 300

static void
ca_err(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
ca_err(char *err, size_t errlen, const char *fmt, ...)
{
	unsigned long e = ERR_peek_last_error();
	va_list ap;
	int n;

	if (err == NULL || errlen == 0) {
		ERR_clear_error();
		return;
	}
	va_start(ap, fmt);
	n = vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	if (e != 0 && n >= 0 && (size_t)n < errlen) {
		char ebuf[256];

		ERR_error_string_n(e, ebuf, sizeof(ebuf));
		snprintf(err + n, errlen - (size_t)n, " (%s)", ebuf);
	}
	ERR_clear_error();
}

static int
join(char *out, size_t outsz, const char *dir, const char *file,
    char *err, size_t errlen)
{
	int n = snprintf(out, outsz, "%s/%s", dir, file);

	if (n < 0 || (size_t)n >= outsz) {
		ca_err(err, errlen, "%s: path too long", dir);
		return -1;
	}
	return 0;
}

static EVP_PKEY *
gen_key(char *err, size_t errlen)
{
	EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");

	if (key == NULL)
		ca_err(err, errlen, "cannot generate P-256 key");
	return key;
}

/* PEM of a private key (PKCS#8) or a certificate into a malloc'd,
 * NUL-terminated buffer. */
static char *
to_pem(EVP_PKEY *key, X509 *cert, size_t *len)
{
	BIO *bio = BIO_new(BIO_s_mem());
	char *data, *out = NULL;
	long n;
	int ok;

	if (bio == NULL)
		return NULL;
	if (key != NULL)
		ok = PEM_write_bio_PrivateKey(bio, key, NULL, NULL, 0, NULL, NULL);
	else
		ok = PEM_write_bio_X509(bio, cert);
	if (ok == 1 && (n = BIO_get_mem_data(bio, &data)) > 0 &&
	    (out = malloc((size_t)n + 1)) != NULL) {
		memcpy(out, data, (size_t)n);
		out[n] = '\0';
		*len = (size_t)n;
	}
	BIO_free(bio);
	return out;
}

static int
write_key(const char *path, EVP_PKEY *key, char *err, size_t errlen)
{
	size_t len = 0;
	char *pem = to_pem(key, NULL, &len);
	int rc;

	if (pem == NULL) {
		ca_err(err, errlen, "%s: cannot encode key", path);
		return -1;
	}
	rc = crypto_write_secret_file(path, pem, len, false, err, errlen);
	OPENSSL_cleanse(pem, len);
	free(pem);
	return rc;
}

static int
write_cert(const char *path, X509 *cert, char *err, size_t errlen)
{
	size_t len = 0;
	char *pem = to_pem(NULL, cert, &len);
	int rc;

	if (pem == NULL) {
		ca_err(err, errlen, "%s: cannot encode certificate", path);
		return -1;
	}
	rc = crypto_write_public_file(path, pem, len, false, err, errlen);
	free(pem);
	return rc;
}

/* Random positive 128-bit serial number (RFC 5280 allows up to 20 octets). */
static int
set_serial(X509 *cert)
{
	unsigned char buf[16];
	ASN1_INTEGER *ai = NULL;
	BIGNUM *bn = NULL;
	int rc = -1;

	if (crypto_random(buf, sizeof(buf)) == -1)
		return -1;
	buf[0] &= 0x7f;
	buf[0] |= 0x40;		/* never zero, always 16 octets */
	if ((bn = BN_bin2bn(buf, sizeof(buf), NULL)) != NULL &&
	    (ai = BN_to_ASN1_INTEGER(bn, NULL)) != NULL &&
	    X509_set_serialNumber(cert, ai) == 1)
		rc = 0;
	ASN1_INTEGER_free(ai);
	BN_free(bn);
	return rc;
}

static int
add_name(X509_NAME *name, const char *field, const char *value)
{
	size_t len = strlen(value);

	if (len == 0 || len > NAME_MAX_LEN)
		return -1;
	return X509_NAME_add_entry_by_txt(name, field, MBSTRING_UTF8,
	    (const unsigned char *)value, (int)len, -1, 0) == 1 ? 0 : -1;
}

static int
add_ext(X509 *cert, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509_EXTENSION *ext;
	int ok;

	X509V3_set_ctx(&ctx, issuer, cert, NULL, NULL, 0);
	if ((ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value)) == NULL)
		return -1;
	ok = X509_add_ext(cert, ext, -1);
	X509_EXTENSION_free(ext);
	return ok == 1 ? 0 : -1;
}

/*
 * A new v3 certificate for pubkey with a random serial, valid from a few
 * minutes ago for days. issuer NULL means self-signed (issuer name = subject).
 */
static X509 *
new_cert(EVP_PKEY *pubkey, X509_NAME *subject, X509 *issuer, int days)
{
	X509 *cert = X509_new();

	if (cert == NULL)
		return NULL;
	if (X509_set_version(cert, X509_VERSION_3) != 1 ||
	    set_serial(cert) == -1 ||
	    X509_set_subject_name(cert, subject) != 1 ||
	    X509_set_issuer_name(cert, issuer != NULL ?
	    X509_get_subject_name(issuer) : subject) != 1 ||
	    X509_gmtime_adj(X509_getm_notBefore(cert), -BACKDATE_SECS) == NULL ||
	    X509_time_adj_ex(X509_getm_notAfter(cert), days, 0, NULL) == NULL ||
	    X509_set_pubkey(cert, pubkey) != 1) {
		X509_free(cert);
		return NULL;
	}
	return cert;
}

static bool
file_exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0 || errno != ENOENT;
}

/* Sign cert with signer, then write key (0600) and cert; no key file is
 * left behind when the certificate cannot be written. 0 / -1. */
static int
sign_and_write(X509 *cert, EVP_PKEY *signer, EVP_PKEY *key, const char *keypath,
    const char *crtpath, const char *what, char *err, size_t errlen)
{
	if (X509_sign(cert, signer, EVP_sha256()) <= 0) {
		ca_err(err, errlen, "cannot sign %s certificate", what);
		return -1;
	}
	if (write_key(keypath, key, err, errlen) == -1)
		return -1;
	if (write_cert(crtpath, cert, err, errlen) == -1) {
		unlink(keypath);
		return -1;
	}
	return 0;
}

int
ca_create(const char *dir, const char *cn, char *err, size_t errlen)
{
	char keypath[PATH_MAX], crtpath[PATH_MAX], cabuf[NAME_MAX_LEN + 1];
	EVP_PKEY *key = NULL;
	X509_NAME *name = NULL;
	X509 *cert = NULL;
	int n, rc = -1;

	if (dir == NULL || cn == NULL || *cn == '\0') {
		ca_err(err, errlen, "CA directory and name are required");
		return -1;
	}
	n = snprintf(cabuf, sizeof(cabuf), "yunshou CA %s", cn);
	if (n < 0 || (size_t)n >= sizeof(cabuf)) {
		ca_err(err, errlen, "CA name '%s' is too long (at most %d "
		    "characters)", cn, NAME_MAX_LEN - 11);
		return -1;
	}
	if (join(keypath, sizeof(keypath), dir, "ca.key", err, errlen) == -1 ||
	    join(crtpath, sizeof(crtpath), dir, "ca.crt", err, errlen) == -1)
		return -1;
	if (mkdir(dir, 0700) == -1 && errno != EEXIST) {
		ca_err(err, errlen, "%s: %s", dir, strerror(errno));
		return -1;
	}
	if (file_exists(keypath) || file_exists(crtpath)) {
		ca_err(err, errlen, "%s: a CA already exists there; refusing to "
		    "overwrite it", dir);
		return -1;
	}
	if ((key = gen_key(err, errlen)) == NULL)
		goto out;
	if ((name = X509_NAME_new()) == NULL ||
	    add_name(name, "O", "yunshou") == -1 ||
	    add_name(name, "CN", cabuf) == -1 ||
	    (cert = new_cert(key, name, NULL, CA_DAYS)) == NULL) {
		ca_err(err, errlen, "cannot build CA certificate");
		goto out;
	}
	/* The subject key id must exist before the authority key id, which a
	 * self-signed certificate copies from itself. */
	if (add_ext(cert, cert, NID_basic_constraints,
	    "critical,CA:TRUE,pathlen:0") == -1 ||
	    add_ext(cert, cert, NID_key_usage, "critical,keyCertSign,cRLSign") == -1 ||
	    add_ext(cert, cert, NID_subject_key_identifier, "hash") == -1 ||
	    add_ext(cert, cert, NID_authority_key_identifier, "keyid:always") == -1) {
		ca_err(err, errlen, "cannot add CA extensions");
		goto out;
	}
	rc = sign_and_write(cert, key, key, keypath, crtpath, "CA", err, errlen);
out:
	X509_free(cert);
	X509_NAME_free(name);
	EVP_PKEY_free(key);
	return rc;
}

static X509 *
load_cert(const char *path, char *err, size_t errlen)
{
	BIO *bio = BIO_new_file(path, "r");
	X509 *cert;

	if (bio == NULL) {
		ca_err(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	cert = PEM_read_bio_X509(bio, NULL, NULL, NULL);
	BIO_free(bio);
	if (cert == NULL)
		ca_err(err, errlen, "%s: not a PEM certificate", path);
	return cert;
}

/* Load dir/ca.key and dir/ca.crt and check that they belong together. */
static int
load_ca(const char *dir, EVP_PKEY **key, X509 **cert, char *err, size_t errlen)
{
	char keypath[PATH_MAX], crtpath[PATH_MAX];
	BIO *bio;

	*key = NULL;
	*cert = NULL;
	if (join(keypath, sizeof(keypath), dir, "ca.key", err, errlen) == -1 ||
	    join(crtpath, sizeof(crtpath), dir, "ca.crt", err, errlen) == -1)
		return -1;
	if ((bio = BIO_new_file(keypath, "r")) == NULL) {
		ca_err(err, errlen, "%s: %s", keypath, strerror(errno));
		return -1;
	}
	*key = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
	BIO_free(bio);
	if (*key == NULL) {
		ca_err(err, errlen, "%s: not a PEM private key", keypath);
		return -1;
	}
	if ((*cert = load_cert(crtpath, err, errlen)) == NULL)
		goto fail;
	if (X509_check_private_key(*cert, *key) != 1) {
		ca_err(err, errlen, "%s does not match %s", keypath, crtpath);
		goto fail;
	}
	return 0;
fail:
	EVP_PKEY_free(*key);
	X509_free(*cert);
	*key = NULL;
	*cert = NULL;
	return -1;
}

/* A DNS name as it may appear in a certificate: LDH labels, optionally a
 * leading "*." wildcard. Refusing anything else keeps odd bytes out of
 * certificates. */
static bool
dns_name_ok(const char *s)
{
	size_t len = strlen(s), label = 0;

	if (len == 0 || len > 253)
		return false;
	if (strncmp(s, "*.", 2) == 0)
		s += 2;
	for (; *s != '\0'; s++) {
		char c = *s;

		if (c == '.') {
			if (label == 0 || s[-1] == '-')
				return false;
			label = 0;
			continue;
		}
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-'))
			return false;
		if (c == '-' && label == 0)
			return false;
		if (++label > 63)
			return false;
	}
	return label > 0 && s[-1] != '-';
}

/* Build subjectAltName from sans directly (not through the config-string
 * parser, where a ',' in a name would add entries). */
static int
add_sans(X509 *cert, const char *const *sans, size_t nsans, char *err,
    size_t errlen)
{
	GENERAL_NAMES *gens = GENERAL_NAMES_new();
	bool reported = false;
	int rc = -1;

	if (gens == NULL)
		goto out;
	for (size_t i = 0; i < nsans; i++) {
		ASN1_OCTET_STRING *ip = a2i_IPADDRESS(sans[i]);
		GENERAL_NAME *gen = GENERAL_NAME_new();

		if (gen == NULL) {
			ASN1_OCTET_STRING_free(ip);
			goto out;
		}
		if (ip != NULL) {
			GENERAL_NAME_set0_value(gen, GEN_IPADD, ip);
		} else {
			ASN1_IA5STRING *dns;

			ERR_clear_error();
			if (!dns_name_ok(sans[i])) {
				GENERAL_NAME_free(gen);
				ca_err(err, errlen, "'%s' is neither an IP address "
				    "nor a valid DNS name", sans[i]);
				reported = true;
				goto out;
			}
			if ((dns = ASN1_IA5STRING_new()) == NULL ||
			    ASN1_STRING_set(dns, sans[i], -1) != 1) {
				ASN1_IA5STRING_free(dns);
				GENERAL_NAME_free(gen);
				goto out;
			}
			GENERAL_NAME_set0_value(gen, GEN_DNS, dns);
		}
		if (sk_GENERAL_NAME_push(gens, gen) <= 0) {
			GENERAL_NAME_free(gen);
			goto out;
		}
	}
	if (X509_add1_ext_i2d(cert, NID_subject_alt_name, gens, 0, 0) == 1)
		rc = 0;
out:
	if (rc == -1 && !reported)
		ca_err(err, errlen, "cannot add subjectAltName");
	GENERAL_NAMES_free(gens);
	return rc;
}

int
ca_issue_server(const char *dir, const char *const *sans, size_t nsans,
    char *err, size_t errlen)
{
	char keypath[PATH_MAX], crtpath[PATH_MAX];
	EVP_PKEY *cakey = NULL, *key = NULL;
	X509 *cacert = NULL, *cert = NULL;
	X509_NAME *name = NULL;
	int rc = -1;

	if (dir == NULL || sans == NULL || nsans == 0 || sans[0] == NULL) {
		ca_err(err, errlen, "at least one server name is required");
		return -1;
	}
	for (size_t i = 0; i < nsans; i++) {
		if (sans[i] == NULL || *sans[i] == '\0') {
			ca_err(err, errlen, "server name %zu is empty", i + 1);
			return -1;
		}
	}
	if (strlen(sans[0]) > NAME_MAX_LEN) {
		ca_err(err, errlen, "server name '%s' is longer than %d "
		    "characters", sans[0], NAME_MAX_LEN);
		return -1;
	}
	if (join(keypath, sizeof(keypath), dir, "server.key", err, errlen) == -1 ||
	    join(crtpath, sizeof(crtpath), dir, "server.crt", err, errlen) == -1)
		return -1;
	if (load_ca(dir, &cakey, &cacert, err, errlen) == -1)
		return -1;
	if ((key = gen_key(err, errlen)) == NULL)
		goto out;
	if ((name = X509_NAME_new()) == NULL ||
	    add_name(name, "O", "yunshou") == -1 ||
	    add_name(name, "CN", sans[0]) == -1 ||
	    (cert = new_cert(key, name, cacert, SERVER_DAYS)) == NULL) {
		ca_err(err, errlen, "cannot build server certificate");
		goto out;
	}
	if (add_ext(cert, cacert, NID_basic_constraints, "critical,CA:FALSE") == -1 ||
	    add_ext(cert, cacert, NID_key_usage, "critical,digitalSignature") == -1 ||
	    add_ext(cert, cacert, NID_ext_key_usage, "serverAuth") == -1 ||
	    add_ext(cert, cacert, NID_subject_key_identifier, "hash") == -1 ||
	    add_ext(cert, cacert, NID_authority_key_identifier, "keyid:always") == -1) {
		ca_err(err, errlen, "cannot add server certificate extensions");
		goto out;
	}
	if (add_sans(cert, sans, nsans, err, errlen) == -1)
		goto out;
	rc = sign_and_write(cert, cakey, key, keypath, crtpath, "server", err, errlen);
out:
	X509_NAME_free(name);
	X509_free(cert);
	EVP_PKEY_free(key);
	X509_free(cacert);
	EVP_PKEY_free(cakey);
	return rc;
}

int
ca_fingerprint(const char *cert_path, char *out, size_t outsz,
    char *err, size_t errlen)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	X509 *cert;
	int rc = -1;

	if (cert_path == NULL || out == NULL || outsz < 2 * CRYPTO_SHA256_LEN + 1) {
		ca_err(err, errlen, "fingerprint buffer too small");
		return -1;
	}
	if ((cert = load_cert(cert_path, err, errlen)) == NULL)
		return -1;
	if (X509_digest(cert, EVP_sha256(), md, &n) == 1 &&
	    n == CRYPTO_SHA256_LEN) {
		crypto_hex(md, n, out);
		rc = 0;
	} else {
		ca_err(err, errlen, "%s: cannot compute fingerprint", cert_path);
	}
	X509_free(cert);
	return rc;
}

/* Keys a node may enrol with: EC P-256/P-384, Ed25519, RSA of 2048+ bits. */
static bool
csr_key_ok(EVP_PKEY *key)
{
	char group[32];
	size_t glen = 0;

	switch (EVP_PKEY_get_base_id(key)) {
	case EVP_PKEY_ED25519:
		return true;
	case EVP_PKEY_RSA:
		return EVP_PKEY_get_bits(key) >= 2048;
	case EVP_PKEY_EC:
		if (EVP_PKEY_get_group_name(key, group, sizeof(group), &glen) != 1)
			return false;
		return strcmp(group, "prime256v1") == 0 ||
		    strcmp(group, "P-256") == 0 ||
		    strcmp(group, "secp384r1") == 0 ||
		    strcmp(group, "P-384") == 0;
	default:
		return false;
	}
}

int
ca_sign_csr(const char *dir, const char *csr_pem, size_t csr_len,
    const char *subject_cn, const char *subject_ou, int days,
    char **cert_pem_out, char *err, size_t errlen)
{
	EVP_PKEY *cakey = NULL, *pub;
	X509 *cacert = NULL, *cert = NULL;
	X509_REQ *req = NULL;
	X509_NAME *name = NULL;
	BIO *bio = NULL;
	size_t len;
	int rc = -1;

	if (cert_pem_out != NULL)
		*cert_pem_out = NULL;
	if (dir == NULL || csr_pem == NULL || cert_pem_out == NULL) {
		ca_err(err, errlen, "invalid arguments");
		return -1;
	}
	if (csr_len == 0 || csr_len > CSR_MAX_LEN) {
		ca_err(err, errlen, "certificate request must be 1 to %d bytes",
		    CSR_MAX_LEN);
		return -1;
	}
	if (subject_cn == NULL || *subject_cn == '\0' ||
	    strlen(subject_cn) > NAME_MAX_LEN ||
	    (subject_ou != NULL && strlen(subject_ou) > NAME_MAX_LEN)) {
		ca_err(err, errlen, "certificate subject names must be 1 to %d "
		    "characters", NAME_MAX_LEN);
		return -1;
	}
	if (days < 1 || days > CLIENT_MAX_DAYS) {
		ca_err(err, errlen, "certificate validity must be 1 to %d days",
		    CLIENT_MAX_DAYS);
		return -1;
	}
	if ((bio = BIO_new_mem_buf(csr_pem, (int)csr_len)) == NULL ||
	    (req = PEM_read_bio_X509_REQ(bio, NULL, NULL, NULL)) == NULL) {
		ca_err(err, errlen, "certificate request is not a PEM CSR");
		goto out;
	}
	/* Proof of possession of the private key. */
	if ((pub = X509_REQ_get0_pubkey(req)) == NULL ||
	    X509_REQ_verify(req, pub) != 1) {
		ca_err(err, errlen, "certificate request signature does not "
		    "verify");
		goto out;
	}
	if (!csr_key_ok(pub)) {
		ca_err(err, errlen, "certificate request key type not accepted "
		    "(use EC P-256/P-384, Ed25519 or RSA >= 2048 bits)");
		goto out;
	}
	if (load_ca(dir, &cakey, &cacert, err, errlen) == -1)
		goto out;
	if ((name = X509_NAME_new()) == NULL ||
	    add_name(name, "O", "yunshou") == -1 ||
	    (subject_ou != NULL && *subject_ou != '\0' &&
	    add_name(name, "OU", subject_ou) == -1) ||
	    add_name(name, "CN", subject_cn) == -1 ||
	    (cert = new_cert(pub, name, cacert, days)) == NULL) {
		ca_err(err, errlen, "cannot build client certificate");
		goto out;
	}
	if (add_ext(cert, cacert, NID_basic_constraints, "critical,CA:FALSE") == -1 ||
	    add_ext(cert, cacert, NID_key_usage, "critical,digitalSignature") == -1 ||
	    add_ext(cert, cacert, NID_ext_key_usage, "clientAuth") == -1 ||
	    add_ext(cert, cacert, NID_subject_key_identifier, "hash") == -1 ||
	    add_ext(cert, cacert, NID_authority_key_identifier, "keyid:always") == -1) {
		ca_err(err, errlen, "cannot add client certificate extensions");
		goto out;
	}
	if (X509_sign(cert, cakey, EVP_sha256()) <= 0) {
		ca_err(err, errlen, "cannot sign client certificate");
		goto out;
	}
	if ((*cert_pem_out = to_pem(NULL, cert, &len)) == NULL) {
		ca_err(err, errlen, "cannot encode client certificate");
		goto out;
	}
	rc = 0;
out:
	BIO_free(bio);
	X509_REQ_free(req);
	X509_NAME_free(name);
	X509_free(cert);
	X509_free(cacert);
	EVP_PKEY_free(cakey);
	return rc;
}
