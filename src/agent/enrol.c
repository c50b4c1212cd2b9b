/*
 * enrol: a node's first contact. Fetch the control plane's CA certificate
 * and accept it only if its SHA-256 fingerprint is the one the
 * administrator gave; make our own key pair and CSR (the private key never
 * leaves this host); trade the one-time token and the CSR for a client
 * certificate; keep everything in the state directory.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "agent.h"
#include "crypto.h"
#include "httpc.h"

void
agent_paths_init(struct agent_paths *p, const char *dir)
{
	snprintf(p->dir, sizeof(p->dir), "%s", dir);
	snprintf(p->key, sizeof(p->key), "%s/node.key", dir);
	snprintf(p->cert, sizeof(p->cert), "%s/node.crt", dir);
	snprintf(p->ca, sizeof(p->ca), "%s/ca.crt", dir);
	snprintf(p->signing, sizeof(p->signing), "%s/signing.pub", dir);
	snprintf(p->node, sizeof(p->node), "%s/node.json", dir);
	snprintf(p->policy, sizeof(p->policy), "%s/policy.json", dir);
	snprintf(p->queue, sizeof(p->queue), "%s/queue", dir);
}

int
agent_node_load(const struct agent_paths *p, struct agent_node *n, char *err, size_t errlen)
{
	json_error_t je;
	json_t *o = json_load_file(p->node, 0, &je);

	memset(n, 0, sizeof(*n));
	if (!json_is_object(o)) {
		snprintf(err, errlen, "%s: %s (enrol first: yunshou-agent enroll)", p->node, je.text);
		json_decref(o);
		return -1;
	}
	n->node_id = json_integer_value(json_object_get(o, "node_id"));
	n->tenant_id = json_integer_value(json_object_get(o, "tenant_id"));
	snprintf(n->kind, sizeof(n->kind), "%s", json_string_value(json_object_get(o, "kind")) ?: "");
	snprintf(n->server, sizeof(n->server), "%s",
	    json_string_value(json_object_get(o, "server")) ?: "");
	snprintf(n->node_url, sizeof(n->node_url), "%s",
	    json_string_value(json_object_get(o, "node_url")) ?: "");
	n->heartbeat_seconds = (long)json_integer_value(json_object_get(o, "heartbeat_seconds"));
	if (n->heartbeat_seconds <= 0)
		n->heartbeat_seconds = 30;
	json_decref(o);
	if (n->node_id <= 0 || n->node_url[0] == '\0') {
		snprintf(err, errlen, "%s is incomplete; enrol again", p->node);
		return -1;
	}
	return 0;
}

static int
write_public(const char *path, const char *text, char *err, size_t errlen)
{
	return crypto_write_public_file(path, text, strlen(text), true, err, errlen);
}

int
agent_node_save(const struct agent_paths *p, const struct agent_node *n, char *err,
    size_t errlen)
{
	json_t *o = json_pack("{s:I, s:I, s:s, s:s, s:s, s:i}", "node_id", (json_int_t)n->node_id,
	    "tenant_id", (json_int_t)n->tenant_id, "kind", n->kind, "server", n->server,
	    "node_url", n->node_url, "heartbeat_seconds", (int)n->heartbeat_seconds);
	char *text = o ? json_dumps(o, JSON_INDENT(2)) : NULL;
	int rc = text ? write_public(p->node, text, err, errlen) : -1;

	json_decref(o);
	free(text);
	return rc;
}

/* Lower-case hex without separators, so "AB:CD" and "abcd" compare equal. */
static void
normalise_fp(const char *in, char *out, size_t outsz)
{
	size_t n = 0;

	for (; *in && n + 1 < outsz; in++)
		if (isxdigit((unsigned char)*in))
			out[n++] = (char)tolower((unsigned char)*in);
	out[n] = '\0';
}

static int
pem_fingerprint(const char *pem, char *out, size_t outsz)
{
	BIO *bio = BIO_new_mem_buf(pem, -1);
	X509 *x = bio ? PEM_read_bio_X509(bio, NULL, NULL, NULL) : NULL;
	unsigned char md[32];
	unsigned int len = 0;
	int rc = -1;

	if (x && X509_digest(x, EVP_sha256(), md, &len) == 1 && outsz >= 65) {
		crypto_hex(md, 32, out);
		rc = 0;
	}
	X509_free(x);
	BIO_free(bio);
	return rc;
}

/* A fresh P-256 key (written 0600) and a CSR for it as PEM (malloc'd). */
static char *
make_key_and_csr(const char *key_path, const char *cn, char *err, size_t errlen)
{
	EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	X509_REQ *req = X509_REQ_new();
	X509_NAME *name;
	BIO *kb = BIO_new(BIO_s_mem()), *cb = BIO_new(BIO_s_mem());
	char *csr = NULL, *data;
	long len;

	if (!key || !req || !kb || !cb || X509_REQ_set_version(req, 0) != 1 ||
	    X509_REQ_set_pubkey(req, key) != 1 || (name = X509_REQ_get_subject_name(req)) == NULL ||
	    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, (const unsigned char *)cn, -1,
	    -1, 0) != 1 || X509_REQ_sign(req, key, EVP_sha256()) <= 0 ||
	    PEM_write_bio_PrivateKey(kb, key, NULL, NULL, 0, NULL, NULL) != 1 ||
	    PEM_write_bio_X509_REQ(cb, req) != 1) {
		snprintf(err, errlen, "cannot make a key pair and CSR");
		goto out;
	}
	len = BIO_get_mem_data(kb, &data);
	if (crypto_write_secret_file(key_path, data, (size_t)len, true, err, errlen) < 0)
		goto out;
	len = BIO_get_mem_data(cb, &data);
	if ((csr = malloc((size_t)len + 1)) != NULL) {
		memcpy(csr, data, (size_t)len);
		csr[len] = '\0';
	}
out:
	BIO_free(kb);
	BIO_free(cb);
	X509_REQ_free(req);
	EVP_PKEY_free(key);
	return csr;
}

/* https://host:port of the server URL with the node port swapped in. */
static void
node_url_of(const char *server, const char *node_listen, char *out, size_t outsz)
{
	const char *host = strstr(server, "://"), *port = strrchr(node_listen, ':');
	char h[256];
	size_t n;

	host = host ? host + 3 : server;
	n = strcspn(host, "/");
	snprintf(h, sizeof(h), "%.*s", (int)n, host);
	if (h[0] == '[') {
		char *e = strchr(h, ']');

		if (e)
			e[1] = '\0';
	} else if (strchr(h, ':')) {
		*strrchr(h, ':') = '\0';
	}
	snprintf(out, outsz, "https://%.200s%.20s", h, port ? port : ":8444");
}

int
agent_enroll(const struct agent_paths *p, const char *server, const char *token,
    const char *fingerprint, const char *node_url, char *err, size_t errlen)
{
	struct httpc_req rq = { .server = server, .method = "GET", .path = "/v1/ca",
		.bootstrap_unverified = true, .timeout_s = 30 };
	struct httpc_resp rs = { 0 };
	struct agent_node n = { 0 };
	char want[80], got[80], host[256], *csr = NULL;
	json_t *ca = NULL, *body = NULL, *out = NULL;
	const char *ca_pem, *pub, *cert;
	int rc = -1;

	normalise_fp(fingerprint, want, sizeof(want));
	if (strlen(want) != 64) {
		snprintf(err, errlen, "--ca-fingerprint must be the CA's SHA-256 (64 hex digits)");
		return -1;
	}
	if (mkdir(p->dir, 0700) < 0 && errno != EEXIST) {
		snprintf(err, errlen, "cannot create %s: %s", p->dir, strerror(errno));
		return -1;
	}
	if (httpc_request(&rq, &rs, err, errlen) != 0)
		goto out;
	ca = rs.status == 200 && rs.body ? json_loads(rs.body, 0, NULL) : NULL;
	ca_pem = json_string_value(json_object_get(ca, "ca_certificate"));
	pub = json_string_value(json_object_get(ca, "signing_public_key"));
	if (ca_pem == NULL || pub == NULL || pem_fingerprint(ca_pem, got, sizeof(got)) < 0) {
		snprintf(err, errlen, "%s did not return a CA certificate", server);
		goto out;
	}
	if (strcmp(got, want) != 0) {
		snprintf(err, errlen, "the server's CA fingerprint %s is not the expected %s: "
		    "refusing to enrol", got, want);
		goto out;
	}
	if (write_public(p->ca, ca_pem, err, errlen) < 0 ||
	    write_public(p->signing, pub, err, errlen) < 0)
		goto out;
	if (gethostname(host, sizeof(host)) != 0)
		snprintf(host, sizeof(host), "unknown");
	if ((csr = make_key_and_csr(p->key, host, err, errlen)) == NULL)
		goto out;
	body = json_pack("{s:s, s:s, s:s, s:s}", "token", token, "csr", csr, "hostname", host,
	    "version", YS_VERSION);
	httpc_resp_free(&rs);
	rq = (struct httpc_req){ .server = server, .ca = p->ca, .method = "POST",
		.path = "/v1/nodes/enroll", .body = body, .timeout_s = 30 };
	if (httpc_request(&rq, &rs, err, errlen) != 0)
		goto out;
	out = rs.body ? json_loads(rs.body, 0, NULL) : NULL;
	if (rs.status != 201 || (cert = json_string_value(json_object_get(out, "certificate"))) == NULL) {
		const char *msg = json_string_value(json_object_get(json_object_get(out, "error"),
		    "message"));

		snprintf(err, errlen, "enrolment refused (HTTP %ld): %s", rs.status,
		    msg ? msg : "no reason given");
		goto out;
	}
	if (write_public(p->cert, cert, err, errlen) < 0)
		goto out;
	n.node_id = json_integer_value(json_object_get(out, "node_id"));
	n.tenant_id = json_integer_value(json_object_get(out, "tenant_id"));
	snprintf(n.kind, sizeof(n.kind), "%s", json_string_value(json_object_get(out, "kind")) ?: "");
	snprintf(n.server, sizeof(n.server), "%s", server);
	if (node_url)
		snprintf(n.node_url, sizeof(n.node_url), "%s", node_url);
	else
		node_url_of(server, json_string_value(json_object_get(ca, "node_listen")) ?: "",
		    n.node_url, sizeof(n.node_url));
	n.heartbeat_seconds = (long)json_integer_value(json_object_get(out, "heartbeat_seconds"));
	rc = agent_node_save(p, &n, err, errlen);
	if (rc == 0)
		printf("enrolled as node %lld (%s); node API %s\n", (long long)n.node_id, n.kind,
		    n.node_url);
out:
	if (body) {
		/* The token is spent either way; keep it out of core dumps. */
		json_decref(body);
	}
	free(csr);
	json_decref(ca);
	json_decref(out);
	httpc_resp_free(&rs);
	return rc;
}
