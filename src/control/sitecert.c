/*
 * sitecert: tenants' TLS certificates for their WAF sites. An upload is a
 * PEM chain and a PEM private key, checked with OpenSSL (the key matches
 * the leaf, valid now, RSA >= 2048 bits, at least one DNS name), stored
 * with the key wrapped (AES-256-GCM under <state>/waf-keywrap.key, the
 * fingerprint as associated data). The key is in no scope descriptor and
 * no error message: it leaves the store only through sitecert_secrets(),
 * into the signed bundle for WAF nodes. All writes to waf_certs happen here.
 */
#include "sitecert.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "crypto.h"
#include "sitecfg.h"
#include "jsonv.h"
#include "store.h"

#define CERT_PEM_MAX (64 * 1024)
#define KEY_PEM_MAX (16 * 1024)
#define CHAIN_MAX 10
#define KEYWRAP_TAG "aesgcm1:"

/* Members of checked JSON (jsonv.h), short. */
static int64_t jint(const json_t *o, const char *k) { return jsonv_int(o, k, 0); }
static const char *jstr(const json_t *o, const char *k) { return jsonv_str(o, k, NULL); }

static void
decode_sans(json_t *c)
{
	json_t *v = json_loads(jstr(c, "sans") ? jstr(c, "sans") : "", 0, NULL);

	json_object_set_new(c, "sans", v ? v : json_array());
}

static bool
can_write(const struct principal *by, const char *name, struct ys_err *e)
{
	if (by->role != ROLE_TENANT_ADMIN || by->tenant_id == 0) {
		ys_fail(e, "forbidden", "certificates belong to a tenant; its tenant admin manages them");
		return false;
	}
	for (const unsigned char *p = (const unsigned char *)(name ? name : ""); *p; p++)
		if (*p < 0x20 || *p == 0x7f) {
			ys_fail(e, "invalid_field", "name: control characters are not allowed");
			return false;
		}
	return true;
}

/* Days until the certificate expires, and a status for people. */
void
sitecert_annotate(json_t *c)
{
	int64_t na = 0, now = time(NULL), days;

	decode_sans(c);
	db_time_parse(jstr(c, "not_after_at") ? jstr(c, "not_after_at") : "", &na);
	days = (na - now) / 86400;
	json_object_set_new(c, "days_left", json_integer(na > now ? days : 0));
	json_object_set_new(c, "expiry", json_string(na <= now ? "expired" : days < 30 ?
	    "expiring" : "valid"));
}

static int
no_passphrase(char *buf, int size, int rwflag, void *u)
{
	(void)buf, (void)size, (void)rwflag, (void)u;
	return -1;
}

/* The 32-byte key-wrapping key, made (0600) on first use. */
static int
keywrap_key(const char *state_dir, unsigned char key[32], bool create, struct ys_err *e)
{
	char path[1100], err[200];
	ssize_t n = -1;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", state_dir, SITECERT_KEYWRAP_FILE);
	for (int attempt = 0; attempt < 2; attempt++) {
		if ((fd = open(path, O_RDONLY | O_CLOEXEC)) >= 0) {
			n = read(fd, key, 32);
			close(fd);
			return n == 32 ? 0 : ys_fail(e, "internal", "%s is damaged", SITECERT_KEYWRAP_FILE);
		}
		if (errno != ENOENT || !create)
			break;
		if (crypto_random(key, 32) < 0)
			return ys_fail(e, "internal", "cannot make a key-wrapping key");
		if (crypto_write_secret_file(path, key, 32, false, err, sizeof(err)) == 0)
			return 0;
		/* another worker made it first: read theirs */
	}
	return ys_fail(e, "internal", "cannot read the key-wrapping key %s", SITECERT_KEYWRAP_FILE);
}

/* AES-256-GCM, the certificate's fingerprint as associated data so a
 * wrapped key cannot be moved to another certificate's row. */
static char *
wrap(const unsigned char key[32], const char *aad, const char *pem, struct ys_err *e)
{
	size_t len = strlen(pem), total = 12 + len + 16;
	unsigned char *buf = malloc(total);
	char *out = malloc(strlen(KEYWRAP_TAG) + 2 * total + 1);
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	int n = 0, m = 0;

	if (buf == NULL || out == NULL || c == NULL || crypto_random(buf, 12) < 0 ||
	    EVP_EncryptInit_ex(c, EVP_aes_256_gcm(), NULL, key, buf) != 1 ||
	    EVP_EncryptUpdate(c, NULL, &n, (const unsigned char *)aad, (int)strlen(aad)) != 1 ||
	    EVP_EncryptUpdate(c, buf + 12, &n, (const unsigned char *)pem, (int)len) != 1 ||
	    EVP_EncryptFinal_ex(c, buf + 12 + n, &m) != 1 ||
	    EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, 16, buf + 12 + len) != 1) {
		free(out);
		out = NULL;
		ys_fail(e, "internal", "cannot encrypt the private key");
	} else {
		memcpy(out, KEYWRAP_TAG, strlen(KEYWRAP_TAG));
		crypto_hex(buf, total, out + strlen(KEYWRAP_TAG));
	}
	EVP_CIPHER_CTX_free(c);
	if (buf)
		OPENSSL_cleanse(buf, total);
	free(buf);
	return out;
}

static char *
unwrap(const unsigned char key[32], const char *aad, const char *text)
{
	size_t hl = text ? strlen(text) : 0, tl = strlen(KEYWRAP_TAG), total;
	unsigned char *buf = NULL;
	char *pem = NULL;
	EVP_CIPHER_CTX *c = NULL;
	int n = 0, m = 0;

	if (hl < tl || strncmp(text, KEYWRAP_TAG, tl) != 0 || (hl - tl) % 2 ||
	    (total = (hl - tl) / 2) < 12 + 16 + 1)
		return NULL;
	buf = malloc(total);
	pem = malloc(total - 28 + 1);
	c = EVP_CIPHER_CTX_new();
	if (buf == NULL || pem == NULL || c == NULL ||
	    crypto_unhex(text + tl, buf, total) < 0 ||
	    EVP_DecryptInit_ex(c, EVP_aes_256_gcm(), NULL, key, buf) != 1 ||
	    EVP_DecryptUpdate(c, NULL, &n, (const unsigned char *)aad, (int)strlen(aad)) != 1 ||
	    EVP_DecryptUpdate(c, (unsigned char *)pem, &n, buf + 12, (int)(total - 28)) != 1 ||
	    EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, 16, buf + total - 16) != 1 ||
	    EVP_DecryptFinal_ex(c, (unsigned char *)pem + n, &m) != 1) {
		if (pem)
			OPENSSL_cleanse(pem, total - 28);
		free(pem);
		pem = NULL;
	} else {
		pem[n + m] = '\0';
	}
	EVP_CIPHER_CTX_free(c);
	free(buf);
	return pem;
}

static char *
bio_text(BIO *b)
{
	char *data, *out;
	long n = BIO_get_mem_data(b, &data);

	if (n < 0 || (out = malloc((size_t)n + 1)) == NULL)
		return NULL;
	memcpy(out, data, (size_t)n);
	out[n] = '\0';
	return out;
}

struct parsed_cert {
	char subject[256];
	char fingerprint[65];
	json_t *sans;
	int64_t not_before, not_after;
	char *chain_pem;	/* canonical re-encoding of the chain */
	char *key_pem;		/* PKCS#8, unencrypted: cleanse before free */
};

static void
parsed_free(struct parsed_cert *p)
{
	json_decref(p->sans);
	free(p->chain_pem);
	if (p->key_pem)
		OPENSSL_cleanse(p->key_pem, strlen(p->key_pem));
	free(p->key_pem);
}

static int64_t
asn1_time(const ASN1_TIME *t)
{
	struct tm tm;

	if (ASN1_TIME_to_tm(t, &tm) != 1)
		return 0;
	return (int64_t)timegm(&tm);
}

static void
cert_names(X509 *x, struct parsed_cert *p)
{
	GENERAL_NAMES *gens = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
	X509_NAME *subj = X509_get_subject_name(x);
	char cn[256];

	X509_NAME_oneline(subj, p->subject, sizeof(p->subject));
	for (int i = 0; gens && i < sk_GENERAL_NAME_num(gens); i++) {
		const GENERAL_NAME *g = sk_GENERAL_NAME_value(gens, i);
		char d[SITECFG_DOMAIN_MAX + 1];
		const char *s;
		int len;

		if (g->type != GEN_DNS)
			continue;
		s = (const char *)ASN1_STRING_get0_data(g->d.dNSName);
		len = ASN1_STRING_length(g->d.dNSName);
		if (s && len > 0 && (size_t)len == strlen(s) &&
		    sitecfg_domain(s, true, d, sizeof(d), NULL, 0) == 0)
			json_array_append_new(p->sans, json_string(d));
	}
	GENERAL_NAMES_free(gens);
	if (json_array_size(p->sans) == 0 &&
	    X509_NAME_get_text_by_NID(subj, NID_commonName, cn, sizeof(cn)) > 0) {
		char d[SITECFG_DOMAIN_MAX + 1];

		if (sitecfg_domain(cn, true, d, sizeof(d), NULL, 0) == 0)
			json_array_append_new(p->sans, json_string(d));
	}
}

/* Parse and check a PEM chain and key. Error messages never quote the key. */
static int
parse_cert(const char *chain, const char *key, struct parsed_cert *p, struct ys_err *e)
{
	BIO *in = NULL, *kin = NULL, *outb = BIO_new(BIO_s_mem()), *kout = BIO_new(BIO_s_mem());
	X509 *leaf = NULL, *x;
	EVP_PKEY *pk = NULL;
	unsigned char md[32];
	unsigned int mdlen = 0;
	int count = 0, rc = -1;
	int64_t now = time(NULL);

	memset(p, 0, sizeof(*p));
	p->sans = json_array();
	if (strlen(chain) > CERT_PEM_MAX || strlen(key) > KEY_PEM_MAX) {
		ys_fail(e, "invalid_field", "certificate (64 KiB) or key (16 KiB) too large");
		goto out;
	}
	in = BIO_new_mem_buf(chain, -1);
	kin = BIO_new_mem_buf(key, -1);
	if (in == NULL || kin == NULL || outb == NULL || kout == NULL || p->sans == NULL) {
		ys_fail(e, "internal", "out of memory");
		goto out;
	}
	while ((x = PEM_read_bio_X509(in, NULL, no_passphrase, NULL)) != NULL) {
		if (++count > CHAIN_MAX) {
			X509_free(x);
			ys_fail(e, "invalid_field", "certificate: at most %d certificates in the chain",
			    CHAIN_MAX);
			goto out;
		}
		PEM_write_bio_X509(outb, x);
		if (leaf == NULL)
			leaf = x;
		else
			X509_free(x);
	}
	ERR_clear_error();
	if (leaf == NULL) {
		ys_fail(e, "invalid_field", "certificate: no PEM certificate found (-----BEGIN "
		    "CERTIFICATE-----)");
		goto out;
	}
	pk = PEM_read_bio_PrivateKey(kin, NULL, no_passphrase, NULL);
	ERR_clear_error();
	if (pk == NULL) {
		ys_fail(e, "invalid_field", "key: not a PEM private key, or protected by a passphrase "
		    "(upload it without one)");
		goto out;
	}
	if (EVP_PKEY_base_id(pk) == EVP_PKEY_RSA && EVP_PKEY_get_bits(pk) < 2048) {
		ys_fail(e, "invalid_field", "key: RSA keys must have at least 2048 bits");
		goto out;
	}
	if (X509_check_private_key(leaf, pk) != 1) {
		ERR_clear_error();
		ys_fail(e, "invalid_field", "key: the private key does not match the certificate");
		goto out;
	}
	p->not_before = asn1_time(X509_get0_notBefore(leaf));
	p->not_after = asn1_time(X509_get0_notAfter(leaf));
	if (p->not_after <= now) {
		ys_fail(e, "invalid_field", "certificate: expired; upload a renewed certificate");
		goto out;
	}
	if (p->not_before > now + 86400) {
		ys_fail(e, "invalid_field", "certificate: not valid yet");
		goto out;
	}
	cert_names(leaf, p);
	if (json_array_size(p->sans) == 0) {
		ys_fail(e, "invalid_field", "certificate: names no DNS host (no subjectAltName DNS "
		    "entry and no host name as CN)");
		goto out;
	}
	if (X509_digest(leaf, EVP_sha256(), md, &mdlen) != 1 ||
	    PEM_write_bio_PKCS8PrivateKey(kout, pk, NULL, NULL, 0, NULL, NULL) != 1 ||
	    (p->chain_pem = bio_text(outb)) == NULL || (p->key_pem = bio_text(kout)) == NULL) {
		ys_fail(e, "internal", "cannot encode the certificate");
		goto out;
	}
	crypto_hex(md, 32, p->fingerprint);
	rc = 0;
out:
	X509_free(leaf);
	EVP_PKEY_free(pk);
	BIO_free(in);
	BIO_free(kin);
	BIO_free(outb);
	if (kout) {
		char *data;
		long n = BIO_get_mem_data(kout, &data);

		if (n > 0)
			OPENSSL_cleanse(data, (size_t)n);
		BIO_free(kout);
	}
	return rc;
}

int
sitecert_check(const char *chain, const char *key, json_t **info, struct ys_err *e)
{
	struct parsed_cert p;
	char nb[32], na[32];
	int rc = parse_cert(chain, key, &p, e);

	*info = NULL;
	if (rc == 0) {
		db_time_text(p.not_before, nb, sizeof(nb));
		db_time_text(p.not_after, na, sizeof(na));
		*info = json_pack("{s:s, s:O, s:s, s:s, s:s}", "subject", p.subject, "sans", p.sans,
		    "not_before", nb, "not_after", na, "fingerprint", p.fingerprint);
		if (*info == NULL)
			rc = ys_fail(e, "internal", "out of memory");
	}
	parsed_free(&p);
	return rc;
}

int
sitecert_upload(struct db *db, const char *state_dir, const struct principal *by,
    const json_t *in, json_t **out, struct ys_err *e)
{
	const char *name = jstr(in, "name");
	struct parsed_cert p;
	unsigned char key[32];
	char *wrapped = NULL, *sans = NULL;
	int rc = -1;

	if (name == NULL || !can_write(by, name, e))
		return -1;
	if (parse_cert(jstr(in, "certificate") ? jstr(in, "certificate") : "",
	    jstr(in, "key") ? jstr(in, "key") : "", &p, e) < 0)
		goto out;
	if (keywrap_key(state_dir, key, true, e) < 0 ||
	    (wrapped = wrap(key, p.fingerprint, p.key_pem, e)) == NULL)
		goto out;
	if ((sans = json_dumps(p.sans, JSON_COMPACT)) == NULL) {
		ys_fail(e, "internal", "out of memory");
		goto out;
	}
	if (db_run(db, "INSERT INTO waf_certs (tenant_id, name, subject, sans, not_before,"
	    " not_after, fingerprint, cert_pem, key_enc, created_by, created_at)"
	    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", "lsssllssssl", by->tenant_id, name,
	    p.subject, sans, p.not_before, p.not_after, p.fingerprint, p.chain_pem, wrapped,
	    by->username, (int64_t)time(NULL)) != 1) {
		if (db_is_conflict(db))
			ys_fail(e, "conflict", "you already have a certificate named %s", name);
		else
			ys_fail(e, "internal", "cannot store the certificate");
		goto out;
	}
	*out = store_find(db, principal_scope(by), STORE_WAF_CERTS, db_last_id(db), "certificate",
	    e);
	if (*out)
		sitecert_annotate(*out);
	rc = *out ? 0 : -1;
out:
	OPENSSL_cleanse(key, sizeof(key));
	parsed_free(&p);
	free(wrapped);
	free(sans);
	return rc;
}

json_t *
sitecert_list(struct db *db, const struct principal *p)
{
	json_t *rows = store_list(db, principal_scope(p), STORE_WAF_CERTS, NULL, 0, 10000), *c;
	size_t i;

	json_array_foreach(rows, i, c)
		sitecert_annotate(c);
	return rows;
}

int
sitecert_delete(struct db *db, const struct principal *by, int64_t id, json_t **out,
    struct ys_err *e)
{
	json_t *c;
	int64_t users;

	if (!can_write(by, "", e) || (c = store_find(db, principal_scope(by), STORE_WAF_CERTS, id,
	    "certificate", e)) == NULL)
		return -1;
	users = db_int(db, 0, "SELECT count(*) FROM waf_sites WHERE cert_id = ?", "l", id);
	if (users > 0) {
		json_decref(c);
		return ys_fail(e, "conflict", "certificate %lld is used by %lld site(s); attach "
		    "another one first (yunshou site update ID --cert N)", (long long)id,
		    (long long)users);
	}
	if (db_run(db, "DELETE FROM waf_certs WHERE id = ?", "l", id) != 1) {
		json_decref(c);
		return ys_fail(e, "internal", "cannot delete the certificate");
	}
	decode_sans(c);
	*out = c;
	return 0;
}

int
sitecert_secrets(struct db *db, const char *state_dir, json_t *certs, struct ys_err *e)
{
	unsigned char key[32];
	json_t *c;
	size_t i;
	int rc = 0;

	if (json_array_size(certs) == 0)
		return 0;
	if (keywrap_key(state_dir, key, false, e) < 0)
		return -1;
	json_array_foreach(certs, i, c) {
		struct db_stmt *st = db_q(db, "SELECT cert_pem, key_enc FROM waf_certs WHERE id = ?",
		    "l", jint(c, "id"));
		char *pem = NULL;

		if (st && db_step(st) == DB_ROW) {
			json_object_set_new(c, "cert_pem", json_string(db_col_text(st, 0)));
			pem = unwrap(key, jstr(c, "fingerprint"), db_col_text(st, 1));
		}
		db_done(st);
		if (pem == NULL) {
			rc = ys_fail(e, "internal", "cannot unwrap the key of certificate %lld",
			    (long long)jint(c, "id"));
			break;
		}
		json_object_set_new(c, "key_pem", json_string(pem));
		OPENSSL_cleanse(pem, strlen(pem));
		free(pem);
	}
	OPENSSL_cleanse(key, sizeof(key));
	return rc;
}
