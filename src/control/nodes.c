/*
 * nodes: enrolment tokens, enrolment (CSR -> client certificate), the node
 * registry, heartbeats, signed policy bundles, idempotent event intake and
 * commands to nodes. All writes to enrolment_tokens, nodes, node_policies,
 * node_events and node_commands happen here.
 */
#include "nodes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "alerts.h"
#include "audit.h"
#include "ca.h"
#include "crypto.h"
#include "ddos.h"
#include "ddosev.h"
#include "jsonv.h"
#include "log.h"
#include "orders.h"
#include "sitecfg.h"
#include "sites.h"
#include "store.h"
#include "vulnmatch.h"

#define TOKEN_PREFIX "yse_"
#define CERT_DAYS 825

/* What a node of a kind runs: the policy object of its signed bundle and
 * its version. state_dir NULL: only the version is wanted (no secrets). */
typedef json_t *(*kind_policy_fn)(struct db *db, const char *kind, int64_t tenant,
    const char *state_dir, int64_t *version);
static json_t *stored_policy(struct db *, const char *, int64_t, const char *, int64_t *);
static json_t *waf_policy(struct db *, const char *, int64_t, const char *, int64_t *);
static json_t *scrubber_policy(struct db *, const char *, int64_t, const char *, int64_t *);

static const struct node_kind {
	const char *kind;
	const char *service;	/* quota consumed per node; NULL: provider node */
	kind_policy_fn policy;
	/* checks a policy an operator stores for the kind; NULL: any object */
	int (*check)(const json_t *policy, struct ys_err *e);
} kinds[] = {
	{ "agent", "host-protection", stored_policy, NULL },
	{ "waf", NULL, waf_policy, NULL },
	{ "scrubber", NULL, scrubber_policy, ddos_provider_check },
};

static const struct node_kind *
kind_of(const char *k)
{
	for (size_t i = 0; k && i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (strcmp(kinds[i].kind, k) == 0)
			return &kinds[i];
	return NULL;
}

static int64_t
jint(const json_t *o, const char *k)
{
	return (int64_t)json_integer_value(json_object_get(o, k));
}

int
nodes_token_create(struct db *db, const struct principal *by, const char *kind,
    long long expires_minutes, json_t **out, struct ys_err *e)
{
	const struct node_kind *nk = kind_of(kind);
	unsigned char raw[32], hash[32];
	char token[80], exp[32];
	int64_t now = time(NULL), expires, tenant = by->tenant_id;

	if (nk == NULL)
		return ys_fail(e, "invalid_field", "kind: expected agent, waf or scrubber");
	if (nk->service && by->role != ROLE_TENANT_ADMIN)
		return ys_fail(e, "forbidden", "host agents are enrolled by the tenant's admin");
	if (nk->service == NULL && by->role != ROLE_ADMIN)
		return ys_fail(e, "forbidden", "%s nodes belong to the provider; an admin enrols them",
		    kind);
	if (nk->service) {
		int64_t limit = orders_quota_limit(db, tenant, nk->service);
		int64_t used = orders_quota_used(db, tenant, nk->service);
		int64_t open = db_int(db, 0, "SELECT count(*) FROM enrolment_tokens WHERE tenant_id = ?"
		    " AND kind = ? AND used_at IS NULL AND expires_at > ?", "lsl", tenant, kind, now);

		if (used + open >= limit)
			return ys_fail(e, "quota_exceeded", "no %s quota left for another node: %lld of "
			    "%lld in use, %lld enrolment tokens outstanding; order more",
			    nk->service, (long long)used, (long long)limit, (long long)open);
	}
	expires = now + (expires_minutes > 0 ? expires_minutes : 60) * 60;
	memcpy(token, TOKEN_PREFIX, 4);
	if (crypto_random(raw, sizeof(raw)) < 0 ||
	    crypto_b64url_encode(raw, sizeof(raw), token + 4, sizeof(token) - 4) == 0)
		return ys_fail(e, "internal", "cannot make a token");
	crypto_sha256(token, strlen(token), hash);
	if (db_run(db, "INSERT INTO enrolment_tokens (tenant_id, kind, token_hash, created_by,"
	    " created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)", "Lsbsll", tenant, kind, hash,
	    (size_t)32, by->username, now, expires) != 1)
		return ys_fail(e, "internal", "cannot store the token");
	db_time_text(expires, exp, sizeof(exp));
	*out = json_pack("{s:I, s:s, s:s, s:s}", "id", (json_int_t)db_last_id(db), "kind", kind,
	    "token", token, "expires_at", exp);
	explicit_bzero(token, sizeof(token));
	return 0;
}

json_t *
nodes_token_list(struct db *db, const struct principal *by)
{
	return store_list(db, principal_scope(by), STORE_ENROLMENT_TOKENS, NULL, 0, 1000);
}

static int
cert_identity(const char *pem, char *serial, size_t serialsz, char *fp, size_t fpsz)
{
	BIO *bio = BIO_new_mem_buf(pem, -1);
	X509 *x = bio ? PEM_read_bio_X509(bio, NULL, NULL, NULL) : NULL;
	unsigned char md[32];
	unsigned int mdlen = 0;
	BIGNUM *bn = NULL;
	char *hex = NULL;
	int rc = -1;

	if (x && (bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(x), NULL)) &&
	    (hex = BN_bn2hex(bn)) && X509_digest(x, EVP_sha256(), md, &mdlen) == 1 &&
	    fpsz >= 65) {
		snprintf(serial, serialsz, "%s", hex);
		crypto_hex(md, 32, fp);
		rc = 0;
	}
	OPENSSL_free(hex);
	BN_free(bn);
	X509_free(x);
	BIO_free(bio);
	return rc;
}

static char *
read_text(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t n = 0;

	if (f == NULL)
		return NULL;
	buf = calloc(1, 65537);
	if (buf)
		n = fread(buf, 1, 65536, f);
	fclose(f);
	if (buf)
		buf[n] = '\0';
	return buf;
}

int
nodes_enroll(struct db *db, const char *state_dir, const json_t *in, json_t **out,
    int64_t *tenant_id, int64_t *node_id, struct ys_err *e)
{
	const char *token = jsonv_str(in, "token", ""), *csr = jsonv_str(in, "csr", "");
	unsigned char hash[32];
	char kind[16] = "", cn[64], ou[64], resource[48], serial[80], fp[80], path[1100], err[256];
	char *cert = NULL, *ca = NULL, *pub = NULL;
	const struct node_kind *nk;
	int64_t now = time(NULL), tok_id = 0, tenant = 0, id;
	struct db_stmt *st;

	crypto_sha256(token, strlen(token), hash);
	st = db_q(db, "SELECT id, tenant_id, kind FROM enrolment_tokens WHERE token_hash = ?"
	    " AND used_at IS NULL AND expires_at > ?", "bl", hash, (size_t)32, now);
	if (st && db_step(st) == DB_ROW) {
		tok_id = db_col_int(st, 0);
		tenant = db_col_int(st, 1);
		snprintf(kind, sizeof(kind), "%s", db_col_text(st, 2));
	}
	db_done(st);
	if (tok_id == 0)
		return ys_fail(e, "unauthorized", "enrolment token is invalid, used or expired");
	nk = kind_of(kind);
	*tenant_id = tenant;
	if (tenant && db_int(db, 0, "SELECT count(*) FROM tenants WHERE id = ? AND status = 'active'",
	    "l", tenant) != 1)
		return ys_fail(e, "tenant_not_active", "the token's tenant is not active");
	if (db_run(db, "INSERT INTO nodes (tenant_id, kind, hostname, version, enrolled_at)"
	    " VALUES (?, ?, ?, ?, ?)", "Lsssl", tenant, kind, jsonv_str(in, "hostname", ""),
	    jsonv_str(in, "version", ""), now) != 1)
		return ys_fail(e, "internal", "cannot store the node");
	id = db_last_id(db);
	*node_id = id;
	snprintf(resource, sizeof(resource), "node/%lld", (long long)id);
	if (nk->service && orders_quota_acquire(db, tenant, nk->service, resource, e) < 0)
		return -1;
	snprintf(cn, sizeof(cn), "node-%lld", (long long)id);
	if (tenant)
		snprintf(ou, sizeof(ou), "%s.tenant-%lld", kind, (long long)tenant);
	else
		snprintf(ou, sizeof(ou), "%s.provider", kind);
	if (ca_sign_csr(state_dir, csr, strlen(csr), cn, ou, CERT_DAYS, &cert, err,
	    sizeof(err)) < 0)
		return ys_fail(e, "invalid_field", "csr: %s", err);
	if (cert_identity(cert, serial, sizeof(serial), fp, sizeof(fp)) < 0) {
		free(cert);
		return ys_fail(e, "internal", "cannot read the issued certificate");
	}
	snprintf(path, sizeof(path), "%s/ca.crt", state_dir);
	ca = read_text(path);
	snprintf(path, sizeof(path), "%s/signing.pub", state_dir);
	pub = read_text(path);
	if (ca == NULL || pub == NULL ||
	    db_run(db, "UPDATE nodes SET cert_serial = ?, cert_fingerprint = ? WHERE id = ?", "ssl",
	    serial, fp, id) != 1 ||
	    db_run(db, "UPDATE enrolment_tokens SET used_at = ?, node_id = ? WHERE id = ?", "lll",
	    now, id, tok_id) != 1) {
		free(cert);
		free(ca);
		free(pub);
		return ys_fail(e, "internal", "cannot complete the enrolment");
	}
	*out = json_pack("{s:I, s:s, s:o, s:s, s:s, s:s, s:i}", "node_id", (json_int_t)id,
	    "kind", kind, "tenant_id", tenant ? json_integer(tenant) : json_null(),
	    "certificate", cert, "ca_certificate", ca, "signing_public_key", pub,
	    "heartbeat_seconds", NODES_HEARTBEAT_SECONDS);
	free(cert);
	free(ca);
	free(pub);
	return *out ? 0 : ys_fail(e, "internal", "out of memory");
}

/* Current policy version and body for a node kind and tenant: the newest
 * tenant-specific row, else the newest provider-wide row, else the
 * built-in default (version 1). Versions are 1 + the row id, so any new
 * row raises every affected node's version. */
static json_t *
effective_policy(struct db *db, const char *kind, int64_t tenant, int64_t *version)
{
	struct db_stmt *st = db_q(db, "SELECT id, body FROM node_policies WHERE kind = ? AND"
	    " (tenant_id = ? OR tenant_id IS NULL) ORDER BY tenant_id IS NULL, id DESC LIMIT 1",
	    "sl", kind, tenant);
	json_t *body = NULL;

	*version = 1;
	if (st && db_step(st) == DB_ROW) {
		*version = db_col_int(st, 0) + 1;
		body = json_loads(db_col_text(st, 1), 0, NULL);
	}
	db_done(st);
	return body ? body : nodes_policy_default(kind);
}

static json_t *
stored_policy(struct db *db, const char *kind, int64_t tenant, const char *state_dir,
    int64_t *version)
{
	(void)state_dir;
	return effective_policy(db, kind, tenant, version);
}

/* WAF nodes serve every tenant: the provider's waf policy plus the sites
 * (sites.c). The version follows what the content depends on — the waf
 * policy version and sites_waf_state() — numbered by sites_waf_version(),
 * so a heartbeat does not build the bundle. The version is taken before the
 * content: a change in between shows as a newer version at the next
 * heartbeat, and the node fetches again. */
static json_t *
waf_policy(struct db *db, const char *kind, int64_t tenant, const char *state_dir,
    int64_t *version)
{
	struct ys_err e = { 0 };
	int64_t pv;
	json_t *policy = effective_policy(db, kind, 0, &pv), *content = NULL;
	unsigned char md[32];
	char hex[65], *state = sites_waf_state(db), *text = NULL;
	size_t len = 0;
	FILE *f;

	(void)tenant;
	if (policy == NULL || state == NULL || (f = open_memstream(&text, &len)) == NULL)
		goto fail;
	fprintf(f, "policy=%lld %s", (long long)pv, state);
	fclose(f);
	crypto_sha256(text, len, md);
	crypto_hex(md, 32, hex);
	*version = sites_waf_version(db, hex);
	free(text);
	free(state);
	state = NULL;
	if (state_dir == NULL)
		return policy;		/* the version is what was asked */
	if (sites_waf_content(db, state_dir, &content, &e) < 0)
		goto fail;
	json_object_update(policy, content);
	json_decref(content);
	return policy;
fail:
	log_err("nodes: cannot build the WAF bundle: %s", e.msg[0] ? e.msg : "store error");
	free(state);
	json_decref(policy);
	return NULL;
}

/* Scrubber nodes protect every tenant's objects: the provider's scrubber
 * policy gives the scrubbing addresses, DNS settings and default
 * thresholds, ddos.c the objects and rules. Versioned like WAF bundles
 * (ddos_scrubber_version), so a heartbeat does not build the bundle. */
static json_t *
scrubber_policy(struct db *db, const char *kind, int64_t tenant, const char *state_dir,
    int64_t *version)
{
	int64_t pv;
	json_t *provider = effective_policy(db, kind, 0, &pv), *policy;

	(void)tenant;
	*version = ddos_scrubber_version(db, pv);
	if (state_dir == NULL)
		return provider;	/* the version is what was asked */
	policy = provider ? ddos_scrubber_content(db, provider) : NULL;
	json_decref(provider);
	return policy;
}

static json_t *
kind_policy(struct db *db, const char *kind, int64_t tenant, const char *state_dir,
    int64_t *version)
{
	const struct node_kind *nk = kind_of(kind);

	*version = 1;
	return nk ? nk->policy(db, kind, tenant, state_dir, version) :
	    effective_policy(db, kind, tenant, version);
}

static void
annotate(struct db *db, json_t *node)
{
	int64_t now = time(NULL), version, last = 0;
	json_t *p, *hb = json_object_get(node, "last_heartbeat_at");
	const char *kind = json_string_value(json_object_get(node, "kind"));
	const char *health;

	p = kind_policy(db, kind ? kind : "", jint(node, "tenant_id"), NULL, &version);
	json_decref(p);
	if (json_is_string(hb))
		db_time_parse(json_string_value(hb), &last);
	if (!json_is_null(json_object_get(node, "revoked_at")))
		health = "revoked";
	else if (last == 0)
		health = "never_seen";
	else if (now - last > 3 * NODES_HEARTBEAT_SECONDS)
		health = "offline";
	else
		health = "online";
	json_object_set_new(node, "health", json_string(health));
	json_object_set_new(node, "current_policy_version", json_integer(version));
	json_object_set_new(node, "policy_stale",
	    json_boolean(strcmp(health, "revoked") != 0 && jint(node, "policy_version") < version));
	/* The shipped rules (YARA, baseline) travel with the agent's version:
	 * an agent older than the control plane runs older rules. */
	{
		const char *v = json_string_value(json_object_get(node, "version"));

		json_object_set_new(node, "agent_outdated", json_boolean(v && *v &&
		    strcmp(v, YS_VERSION) != 0 && strcmp(health, "revoked") != 0));
	}
	if (json_is_string(json_object_get(node, "module_status"))) {
		json_t *ms = json_loads(json_string_value(json_object_get(node, "module_status")),
		    0, NULL);

		json_object_set_new(node, "module_status", ms ? ms : json_object());
	}
}

json_t *
nodes_list(struct db *db, const struct principal *by, const char *kind)
{
	struct store_filter f = { "kind", "=", kind, 0 };
	json_t *rows = store_list(db, principal_scope(by), STORE_NODES, &f, kind ? 1 : 0, 10000), *n;
	size_t i;

	json_array_foreach(rows, i, n)
		annotate(db, n);
	return rows;
}

json_t *
nodes_health(struct db *db)
{
	struct store_filter f = { "id", ">", NULL, 0 };
	json_t *out = json_pack("{s:i, s:{}, s:[], s:[], s:[]}", "enrolled", 0, "by_kind",
	    "never_seen_ids", "offline_ids", "stale_policy_ids"), *rows, *n;
	size_t i;

	rows = store_list(db, scope_all(), STORE_NODES, &f, 1, 100000);
	json_array_foreach(rows, i, n) {
		const char *health, *kind;
		json_t *id;

		if (!json_is_null(json_object_get(n, "revoked_at")))
			continue;
		annotate(db, n);
		health = json_string_value(json_object_get(n, "health"));
		kind = json_string_value(json_object_get(n, "kind"));
		id = json_object_get(n, "id");
		json_object_set_new(out, "enrolled",
		    json_integer(json_integer_value(json_object_get(out, "enrolled")) + 1));
		json_object_set_new(json_object_get(out, "by_kind"), kind, json_integer(
		    json_integer_value(json_object_get(json_object_get(out, "by_kind"), kind)) + 1));
		if (strcmp(health, "never_seen") == 0)
			json_array_append(json_object_get(out, "never_seen_ids"), id);
		else if (strcmp(health, "offline") == 0)
			json_array_append(json_object_get(out, "offline_ids"), id);
		if (json_is_true(json_object_get(n, "policy_stale")))
			json_array_append(json_object_get(out, "stale_policy_ids"), id);
	}
	json_decref(rows);
	return out;
}

json_t *
nodes_get(struct db *db, const struct principal *by, int64_t id, struct ys_err *e)
{
	json_t *n = store_find(db, principal_scope(by), STORE_NODES, id, "node", e);

	if (n)
		annotate(db, n);
	return n;
}

int
nodes_revoke(struct db *db, const struct principal *by, int64_t id, json_t **out,
    struct ys_err *e)
{
	json_t *n = store_get(db, principal_scope(by), STORE_NODES, id);
	const struct node_kind *nk;
	char resource[48];
	int64_t tenant;

	if (n == NULL)
		return ys_fail(e, "not_found", "no node %lld", (long long)id);
	nk = kind_of(json_string_value(json_object_get(n, "kind")));
	tenant = jint(n, "tenant_id");
	if (!json_is_null(json_object_get(n, "revoked_at"))) {
		json_decref(n);
		return ys_fail(e, "conflict", "node %lld is already revoked", (long long)id);
	}
	json_decref(n);
	if (by->role != ROLE_ADMIN && by->role != ROLE_TENANT_ADMIN)
		return ys_fail(e, "forbidden", "only admins revoke nodes");
	if (db_run(db, "UPDATE nodes SET revoked_at = ?, revoked_by = ? WHERE id = ?", "lsl",
	    (int64_t)time(NULL), by->username, id) != 1)
		return ys_fail(e, "internal", "cannot revoke the node");
	snprintf(resource, sizeof(resource), "node/%lld", (long long)id);
	if (nk && nk->service && orders_quota_release(db, tenant, nk->service, resource) < 0)
		return ys_fail(e, "internal", "cannot free the node's quota");
	return (*out = nodes_get(db, by, id, e)) ? 0 : -1;
}

int
nodes_authenticate(struct db *db, const char *serial_hex, struct node_principal *out,
    struct ys_err *e)
{
	struct db_stmt *st;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	st = db_q(db, "SELECT n.id, n.tenant_id, n.kind, n.hostname, n.revoked_at, t.status"
	    " FROM nodes n LEFT JOIN tenants t ON t.id = n.tenant_id WHERE n.cert_serial = ?",
	    "s", serial_hex);
	if (st && db_step(st) == DB_ROW) {
		if (!db_col_is_null(st, 4)) {
			ys_fail(e, "unauthorized", "this node's certificate has been revoked");
		} else if (!db_col_is_null(st, 1) && (db_col_text(st, 5) == NULL ||
		    strcmp(db_col_text(st, 5), "active") != 0)) {
			ys_fail(e, "unauthorized", "this node's tenant is not active");
		} else {
			out->node_id = db_col_int(st, 0);
			out->tenant_id = db_col_int(st, 1);
			snprintf(out->kind, sizeof(out->kind), "%s", db_col_text(st, 2));
			snprintf(out->hostname, sizeof(out->hostname), "%s", db_col_text(st, 3));
			rc = 0;
		}
	} else {
		ys_fail(e, "unauthorized", "unknown node certificate");
	}
	db_done(st);
	return rc;
}

#define COMMANDS_PER_HEARTBEAT 20

/* The node's pending commands, oldest first: {id, module, type, ...args}. */
static json_t *
pending_commands(struct db *db, const struct node_principal *n)
{
	struct db_stmt *st = db_q(db, "SELECT id, module, type, args FROM node_commands"
	    " WHERE node_id = ? AND status = 'pending' ORDER BY id LIMIT ?", "li", n->node_id,
	    COMMANDS_PER_HEARTBEAT);
	json_t *out = json_array();

	while (st && db_step(st) == DB_ROW) {
		json_t *c = json_loads(db_col_text(st, 3), 0, NULL);

		if (!json_is_object(c)) {
			json_decref(c);
			c = json_object();
		}
		json_object_set_new(c, "id", json_integer(db_col_int(st, 0)));
		json_object_set_new(c, "module", json_string(db_col_text(st, 1)));
		json_object_set_new(c, "type", json_string(db_col_text(st, 2)));
		json_array_append_new(out, c);
	}
	db_done(st);
	return out;
}

int
nodes_command_create(struct db *db, const struct principal *by, int64_t node_id,
    const char *module, const char *type, const json_t *args, json_t **out, struct ys_err *e)
{
	json_t *n = store_get(db, principal_scope(by), STORE_NODES, node_id);
	int64_t tenant, now = time(NULL), id;
	bool revoked;
	char *text;

	if (n == NULL)
		return ys_fail(e, "not_found", "no node %lld", (long long)node_id);
	tenant = jint(n, "tenant_id");
	revoked = !json_is_null(json_object_get(n, "revoked_at"));
	json_decref(n);
	if (revoked)
		return ys_fail(e, "conflict", "node %lld is revoked and takes no commands",
		    (long long)node_id);
	text = args ? json_dumps(args, JSON_COMPACT | JSON_SORT_KEYS) : strdup("{}");
	if (text == NULL)
		return ys_fail(e, "internal", "out of memory");
	if (db_int(db, 0, "SELECT count(*) FROM node_commands WHERE node_id = ? AND type = ?"
	    " AND args = ? AND status = 'pending'", "lss", node_id, type, text) > 0) {
		free(text);
		return ys_fail(e, "conflict", "the same %s command is already waiting for node %lld",
		    type, (long long)node_id);
	}
	if (db_run(db, "INSERT INTO node_commands (node_id, tenant_id, module, type, args, status,"
	    " created_by, created_at) VALUES (?, ?, ?, ?, ?, 'pending', ?, ?)", "lLssssl", node_id,
	    tenant, module, type, text, by->username, now) != 1) {
		free(text);
		return ys_fail(e, "internal", "cannot store the command");
	}
	free(text);
	id = db_last_id(db);
	*out = store_get(db, principal_scope(by), STORE_NODE_COMMANDS, id);
	if (*out && json_is_string(json_object_get(*out, "args"))) {
		json_t *a = json_loads(json_string_value(json_object_get(*out, "args")), 0, NULL);

		json_object_set_new(*out, "args", a ? a : json_object());
	}
	return *out ? 0 : ys_fail(e, "internal", "cannot read the command back");
}

/* An event that reports a command's outcome closes it (only the node's
 * own commands, only once). */
static int
close_command(struct db *db, const struct node_principal *n, const json_t *ev,
    const char *payload, int64_t now)
{
	json_t *cid = json_object_get(json_object_get(ev, "payload"), "command_id");
	const char *type = json_string_value(json_object_get(ev, "type"));

	if (!json_is_integer(cid))
		return 0;
	return db_run(db, "UPDATE node_commands SET status = ?, done_at = ?, result = ?"
	    " WHERE id = ? AND node_id = ? AND status = 'pending'", "slsll",
	    strcmp(type, "command.failed") == 0 ? "failed" : "done", now, payload,
	    (int64_t)json_integer_value(cid), n->node_id) < 0 ? -1 : 0;
}

int
nodes_heartbeat(struct db *db, const struct node_principal *n, const json_t *in, json_t **out,
    struct ys_err *e)
{
	json_t *modules = json_object_get(in, "modules");
	char *ms = modules ? json_dumps(modules, JSON_COMPACT) : NULL;
	int64_t version;
	json_t *p;

	if (modules && !json_is_object(modules)) {
		free(ms);
		return ys_fail(e, "invalid_field", "modules: must be an object");
	}
	if (db_run(db, "UPDATE nodes SET last_heartbeat_at = ?, version = ?, policy_version = ?,"
	    " module_status = coalesce(?, module_status) WHERE id = ?", "lslsl", (int64_t)time(NULL),
	    jsonv_str(in, "version", ""), (int64_t)jsonv_int(in, "policy_version", 0), ms,
	    n->node_id) != 1) {
		free(ms);
		return ys_fail(e, "internal", "cannot record the heartbeat");
	}
	free(ms);
	p = kind_policy(db, n->kind, n->tenant_id, NULL, &version);
	json_decref(p);
	*out = json_pack("{s:I, s:i, s:o}", "policy_version", (json_int_t)version,
	    "heartbeat_seconds", NODES_HEARTBEAT_SECONDS, "commands", pending_commands(db, n));
	return *out ? 0 : ys_fail(e, "internal", "out of memory");
}

int
nodes_policy_bundle(struct db *db, EVP_PKEY *key, const char *state_dir,
    const struct node_principal *n, json_t **out, struct ys_err *e)
{
	unsigned char sig[CRYPTO_ED25519_SIG_LEN];
	char sig64[100], issued[32];
	int64_t version;
	json_t *policy = kind_policy(db, n->kind, n->tenant_id, state_dir, &version), *payload;
	char *text;

	if (policy == NULL)
		return ys_fail(e, "internal", "cannot build the policy bundle");
	db_time_text(time(NULL), issued, sizeof(issued));
	payload = json_pack("{s:i, s:I, s:o, s:s, s:I, s:s, s:o}", "format", 1,
	    "node_id", (json_int_t)n->node_id,
	    "tenant_id", n->tenant_id ? json_integer(n->tenant_id) : json_null(),
	    "kind", n->kind, "version", (json_int_t)version, "issued_at", issued,
	    "policy", policy ? policy : json_object());
	text = payload ? json_dumps(payload, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	json_decref(payload);
	if (text == NULL || key == NULL || crypto_ed25519_sign(key, text, strlen(text), sig) < 0 ||
	    crypto_b64url_encode(sig, sizeof(sig), sig64, sizeof(sig64)) == 0) {
		free(text);
		return ys_fail(e, "internal", "cannot sign the policy bundle");
	}
	*out = json_pack("{s:s, s:s, s:I}", "payload", text, "signature", sig64,
	    "version", (json_int_t)version);
	OPENSSL_cleanse(text, strlen(text));	/* may hold private keys (waf) */
	free(text);
	return 0;
}

/* Actions a node takes on its own on the tenant's host are audited like
 * operators' actions: blocking a source, quarantining or restoring a file. */
static const char *const audited_types[] = {
	"ids.blocked", "malware.quarantined", "malware.restored", NULL };

static int
audit_node_action(struct db *db, const struct node_principal *n, const json_t *ev)
{
	const char *type = json_string_value(json_object_get(ev, "type"));
	json_t *payload = json_object_get(ev, "payload");
	char actor[32], target[160], *detail;
	int64_t rc;

	for (size_t i = 0; audited_types[i]; i++) {
		if (strcmp(type, audited_types[i]) != 0)
			continue;
		snprintf(actor, sizeof(actor), "node-%lld", (long long)n->node_id);
		snprintf(target, sizeof(target), "%s", json_string_value(json_object_get(payload,
		    "key")) ?: "");
		detail = json_dumps(payload, JSON_COMPACT);
		rc = audit_append(db, &(struct audit_entry){ .actor = actor, .actor_id = 0,
			.tenant_id = n->tenant_id, .source = n->hostname, .action = type,
			.target = target, .result = json_string_value(json_object_get(payload,
			"result")) ?: "ok", .detail = detail ? detail : "" });
		free(detail);
		return rc < 0 ? -1 : 0;
	}
	return 0;
}

/* Events of a module that belong to one node kind and have their own
 * intake (payload checks, attribution, statistics, alerts) instead of the
 * generic alert rules. */
static int waf_take(struct db *, const struct node_principal *, const json_t *, bool *,
    struct ys_err *);
static int ddos_take(struct db *, const struct node_principal *, const json_t *, bool *,
    struct ys_err *);

static const struct event_intake {
	const char *module;
	const char *kind;	/* the only node kind that may send them */
	int (*check)(const char *type, const json_t *payload, char *err, size_t errlen);
	int (*take)(struct db *db, const struct node_principal *n, const json_t *ev,
	    bool *attributed, struct ys_err *e);
} intakes[] = {
	{ "waf", "waf", sitecfg_waf_event, waf_take },
	{ DDOSEV_MODULE, "scrubber", ddosev_check, ddos_take },
};

static const struct event_intake *
intake_of(const json_t *ev)
{
	const char *m = json_string_value(json_object_get(ev, "module"));

	for (size_t i = 0; m && i < sizeof(intakes) / sizeof(intakes[0]); i++)
		if (strcmp(intakes[i].module, m) == 0)
			return &intakes[i];
	return NULL;
}

/* A WAF node reports for every tenant: the site names the tenant. */
static int
waf_take(struct db *db, const struct node_principal *n, const json_t *ev, bool *attributed,
    struct ys_err *e)
{
	return sites_waf_event(db, n->node_id, ev, attributed, e);
}

/* A scrubber node reports for every tenant: the object names the tenant. */
static int
ddos_take(struct db *db, const struct node_principal *n, const json_t *ev, bool *attributed,
    struct ys_err *e)
{
	return ddos_scrubber_event(db, n->node_id, ev, attributed, e);
}

/* The last part of an inventory snapshot or change set: time to re-match. */
static bool
completes_inventory(const json_t *ev)
{
	const char *type = json_string_value(json_object_get(ev, "type"));
	json_t *p = json_object_get(ev, "payload");

	if (type == NULL || (strcmp(type, "inventory.snapshot") != 0 &&
	    strcmp(type, "inventory.changed") != 0))
		return false;
	return json_integer_value(json_object_get(p, "part")) ==
	    json_integer_value(json_object_get(p, "parts"));
}

static int events_ingest(struct db *db, const struct node_principal *n, const json_t *in,
    json_t **out, struct ys_err *e);
static int events_validate(const json_t *in, struct ys_err *e);

/* Scrubber records ({"event": ...}) are put into the event envelope first
 * (ddosev.c); the batch is then checked and taken as any other. */
int
nodes_events_ingest(struct db *db, const struct node_principal *n, const json_t *in,
    json_t **out, struct ys_err *e)
{
	char why[200];
	json_t *batch = ddosev_normalise(in, why, sizeof(why));
	int rc;

	if (batch == NULL)
		return ys_fail(e, "invalid_field", "%s", why);
	rc = events_ingest(db, n, batch, out, e);
	json_decref(batch);
	return rc;
}

int
nodes_events_validate(const json_t *in, struct ys_err *e)
{
	char why[200];
	json_t *batch = ddosev_normalise(in, why, sizeof(why));
	int rc;

	if (batch == NULL)
		return ys_fail(e, "invalid_field", "%s", why);
	rc = events_validate(batch, e);
	json_decref(batch);
	return rc;
}

static int
events_ingest(struct db *db, const struct node_principal *n, const json_t *in,
    json_t **out, struct ys_err *e)
{
	json_t *events = json_object_get(in, "events"), *ev;
	int64_t accepted = 0, dup = 0, last = 0, unattributed = 0, now = time(NULL);
	size_t i;

	if (events_validate(in, e) < 0)
		return -1;
	bool rematch = false;

	json_array_foreach(events, i, ev) {
		const struct event_intake *in_ = intake_of(ev);

		if (in_ && strcmp(in_->kind, n->kind) != 0)
			return ys_fail(e, "forbidden", "events[%zu]: only %s nodes send %s events", i,
			    in_->kind, in_->module);
	}

	json_array_foreach(events, i, ev) {
		char *payload = json_dumps(json_object_get(ev, "payload"), JSON_COMPACT);
		int64_t seq = jint(ev, "seq"), rc;

		if (payload == NULL)
			return ys_fail(e, "internal", "out of memory");
		rc = db_run(db, "INSERT INTO node_events (node_id, seq, tenant_id, time_ms, module,"
		    " type, payload, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
		    " ON CONFLICT (node_id, seq) DO NOTHING", "llLlsssl", n->node_id, seq, n->tenant_id,
		    jint(ev, "time_ms"), json_string_value(json_object_get(ev, "module")),
		    json_string_value(json_object_get(ev, "type")), payload, now);
		if (rc == 1 && close_command(db, n, ev, payload, now) < 0)
			rc = -1;
		free(payload);
		if (rc < 0)
			return ys_fail(e, "internal", "cannot store events");
		if (rc == 1 && intake_of(ev)) {
			bool attributed = true;

			accepted++;
			if (intake_of(ev)->take(db, n, ev, &attributed, e) < 0)
				return -1;
			unattributed += !attributed;
		} else if (rc == 1) {
			accepted++;
			if (audit_node_action(db, n, ev) < 0)
				return ys_fail(e, "internal", "cannot audit a node action");
			if (alerts_observe(db, n->tenant_id, n->node_id,
			    json_string_value(json_object_get(ev, "module")),
			    json_string_value(json_object_get(ev, "type")), jint(ev, "time_ms"),
			    json_object_get(ev, "payload")) < 0)
				return ys_fail(e, "internal", "cannot record an alert");
			rematch |= completes_inventory(ev);
		} else {
			dup++;
		}
		if (seq > last)
			last = seq;
	}
	/* Findings are derived state: a failed re-match is logged and retried
	 * with the next inventory, it does not refuse the node's events. */
	if (rematch && vulnmatch_node(db, n->node_id) < 0)
		log_warn("nodes: node %lld: re-matching vulnerabilities failed",
		    (long long)n->node_id);
	if (unattributed)
		log_warn("nodes: node %lld: %lld events name a site or protected object that no "
		    "longer exists",
		    (long long)n->node_id, (long long)unattributed);
	*out = json_pack("{s:I, s:I, s:I, s:I}", "accepted", (json_int_t)accepted,
	    "duplicates", (json_int_t)dup, "last_seq", (json_int_t)last,
	    "unattributed", (json_int_t)unattributed);
	return 0;
}

static int
events_validate(const json_t *in, struct ys_err *e)
{
	json_t *events = json_object_get(in, "events"), *ev;
	size_t i;

	if (!json_is_array(events))
		return ys_fail(e, "invalid_field", "events: must be an array");
	if (json_array_size(events) > NODES_EVENT_BATCH_MAX)
		return ys_fail(e, "invalid_field", "events: at most %d per batch",
		    NODES_EVENT_BATCH_MAX);
	json_array_foreach(events, i, ev) {
		json_t *seq = json_object_get(ev, "seq"), *t = json_object_get(ev, "time_ms");
		json_t *m = json_object_get(ev, "module"), *ty = json_object_get(ev, "type");
		const char *key;
		json_t *v;

		if (!json_is_object(ev))
			return ys_fail(e, "invalid_field", "events[%zu]: must be an object", i);
		json_object_foreach(ev, key, v) {
			if (strcmp(key, "seq") && strcmp(key, "time_ms") && strcmp(key, "module") &&
			    strcmp(key, "type") && strcmp(key, "payload"))
				return ys_fail(e, "unknown_field", "events[%zu]: unknown field '%.32s'",
				    i, key);
		}
		if (!json_is_integer(seq) || json_integer_value(seq) < 1)
			return ys_fail(e, "invalid_field", "events[%zu].seq: must be a positive integer",
			    i);
		if (!json_is_integer(t) || json_integer_value(t) < 0)
			return ys_fail(e, "invalid_field", "events[%zu].time_ms: must be a unix time "
			    "in milliseconds", i);
		if (!json_is_string(m) || json_string_length(m) == 0 || json_string_length(m) > 32 ||
		    !json_is_string(ty) || json_string_length(ty) == 0 || json_string_length(ty) > 64)
			return ys_fail(e, "invalid_field", "events[%zu]: module (1-32) and type (1-64) "
			    "are required strings", i);
		if (!json_is_object(json_object_get(ev, "payload")))
			return ys_fail(e, "invalid_field", "events[%zu].payload: must be an object", i);
		if (intake_of(ev)) {
			char why[200];

			if (intake_of(ev)->check(json_string_value(ty), json_object_get(ev, "payload"),
			    why, sizeof(why)) < 0)
				return ys_fail(e, "invalid_field", "events[%zu]: %s", i, why);
		}
	}
	return 0;
}

int
nodes_policy_set(struct db *db, const struct principal *by, const char *kind, int64_t tenant_id,
    const json_t *policy, json_t **out, struct ys_err *e)
{
	char *text;
	int64_t rc;

	if (kind_of(kind) == NULL)
		return ys_fail(e, "invalid_field", "kind: expected agent, waf or scrubber");
	if (by->role == ROLE_TENANT_ADMIN) {
		if (strcmp(kind, "agent") != 0)
			return ys_fail(e, "forbidden", "tenants set the policy of their agents only");
		tenant_id = by->tenant_id;
	}
	else if (tenant_id && !store_exists(db, scope_all(), STORE_TENANTS, tenant_id))
		return ys_fail(e, "not_found", "no tenant %lld", (long long)tenant_id);
	if (!json_is_object(policy))
		return ys_fail(e, "invalid_field", "policy: must be an object");
	if (kind_of(kind)->check && kind_of(kind)->check(policy, e) < 0)
		return -1;
	text = json_dumps(policy, JSON_COMPACT | JSON_SORT_KEYS);
	if (text == NULL)
		return ys_fail(e, "internal", "out of memory");
	rc = db_run(db, "INSERT INTO node_policies (tenant_id, kind, version, body, created_by,"
	    " created_at) VALUES (?, ?, 0, ?, ?, ?)", "Lsssl", tenant_id, kind, text, by->username,
	    (int64_t)time(NULL));
	free(text);
	if (rc != 1)
		return ys_fail(e, "internal", "cannot store the policy");
	*out = json_pack("{s:s, s:o, s:I}", "kind", kind,
	    "tenant_id", tenant_id ? json_integer(tenant_id) : json_null(),
	    "version", (json_int_t)(db_last_id(db) + 1));
	return 0;
}

/* The built-in policy of each node kind: JSON text, one module per block,
 * so that a module's defaults live on lines of their own. */
static const struct {
	const char *kind;
	const char *json;
} default_policies[] = {
	{ "agent", "{\"heartbeat_seconds\": 30, \"modules\": {"
	  "\"fim\": {\"enabled\": true,"
	  " \"paths\": [\"/etc\", \"/bin\", \"/sbin\", \"/usr/bin\", \"/usr/sbin\", \"/boot\"],"
	  " \"ignore\": [\"*.swp\", \"/etc/mtab\", \"/etc/adjtime\"],"
	  " \"rescan_minutes\": 720, \"max_mb_per_s\": 0, \"realtime\": true},"
	  "\"malware\": {\"enabled\": true, \"max_file_mb\": 32, \"scan_hours\": 24,"
	  " \"quarantine\": true, \"threads\": 1,"
	  " \"paths\": [\"/etc\", \"/bin\", \"/sbin\", \"/usr/bin\", \"/usr/sbin\", \"/boot\","
	  " \"/var/www\", \"/srv\", \"/home/*/public_html\", \"/tmp\", \"/dev/shm\"]},"
	  /* baseline: "disabled" lists check ids to skip; "overrides" maps a check
	   * id to test arguments replacing the rules file's. */
	  "\"baseline\": {\"enabled\": true, \"interval_minutes\": 720, \"disabled\": [],"
	  " \"overrides\": {}},"
	  "\"ids\": {\"enabled\": true, \"files\": [\"/var/log/auth.log\", \"/var/log/secure\"],"
	  " \"brute_force_failures\": 5, \"brute_force_seconds\": 60, \"active_response\": false,"
	  " \"block_seconds\": 600, \"allow_list\": \"127.0.0.1,::1\"},"
	  "\"inventory\": {\"enabled\": true, \"interval_minutes\": 60}"
	  "}}" },
	{ "waf", "{\"heartbeat_seconds\": 30, \"modules\": {}}" },
	{ "scrubber", "{\"heartbeat_seconds\": 30, \"modules\": {}}" },
};

json_t *
nodes_policy_default(const char *kind)
{
	for (size_t i = 0; i < sizeof(default_policies) / sizeof(default_policies[0]); i++)
		if (strcmp(default_policies[i].kind, kind) == 0)
			return json_loads(default_policies[i].json, 0, NULL);
	return json_pack("{s:i, s:{}}", "heartbeat_seconds", NODES_HEARTBEAT_SECONDS, "modules");
}
