/*
 * nodes: the life cycle every node kind shares (MISSION §3.3.1). A tenant
 * admin (agents) or a provider admin (WAF and scrubber nodes) creates a
 * one-time enrolment token; the node makes its own key pair and CSR and
 * trades token + CSR for a client certificate signed by the control plane's
 * CA, naming node id, kind and tenant; from then on the node speaks mTLS
 * only. Nodes send heartbeats with the policy version they run, fetch their
 * signed policy bundle and push events, stored once per (node, seq).
 */
#ifndef YS_NODES_H
#define YS_NODES_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>
#include <openssl/evp.h>

#include "auth.h"
#include "db.h"
#include "err.h"

#define NODES_EVENT_BATCH_MAX 1000
#define NODES_HEARTBEAT_SECONDS 30

/* The identity of a node proven by its client certificate. */
struct node_principal {
	int64_t node_id;
	int64_t tenant_id;	/* 0: a provider node */
	char kind[16];
	char hostname[128];
};

int nodes_token_create(struct db *db, const struct principal *by, const char *kind,
    long long expires_minutes, json_t **out, struct ys_err *e);
json_t *nodes_token_list(struct db *db, const struct principal *by);

/* Trade a token and a CSR for a client certificate. state_dir holds the CA. */
int nodes_enroll(struct db *db, const char *state_dir, const json_t *in, json_t **out,
    int64_t *tenant_id, int64_t *node_id, struct ys_err *e);

json_t *nodes_list(struct db *db, const struct principal *by, const char *kind);
/* Platform-wide node health for evidence (qualification §3.3.1):
 * {"enrolled": n, "by_kind": {kind: n}, "never_seen_ids": [...],
 *  "offline_ids": [...], "stale_policy_ids": [...]} over non-revoked nodes. */
json_t *nodes_health(struct db *db);
json_t *nodes_get(struct db *db, const struct principal *by, int64_t id, struct ys_err *e);
int nodes_revoke(struct db *db, const struct principal *by, int64_t id, json_t **out,
    struct ys_err *e);

/* The node behind a client certificate serial (hex), unless revoked. */
int nodes_authenticate(struct db *db, const char *serial_hex, struct node_principal *out,
    struct ys_err *e);
int nodes_heartbeat(struct db *db, const struct node_principal *n, const json_t *in,
    json_t **out, struct ys_err *e);
/* The node's policy as a signed bundle: {"payload": text, "signature": b64url}. */
int nodes_policy_bundle(struct db *db, EVP_PKEY *key, const char *state_dir,
    const struct node_principal *n, json_t **out, struct ys_err *e);
/* Check an event batch without storing it (also the fuzzing entry point). */
int nodes_events_validate(const json_t *in, struct ys_err *e);
int nodes_events_ingest(struct db *db, const struct node_principal *n, const json_t *in,
    json_t **out, struct ys_err *e);

/* Commands for a node, delivered in heartbeat answers until the node
 * reports their outcome: an event whose payload carries "command_id"
 * ("command.failed" marks it failed, any other type done). The node must
 * be in the caller's scope and not revoked; an identical pending command
 * is a conflict. args (an object) travel with the command. */
int nodes_command_create(struct db *db, const struct principal *by, int64_t node_id,
    const char *module, const char *type, const json_t *args, json_t **out, struct ys_err *e);

/* Operators / tenant admins set the policy of a node kind for a tenant (or
 * the provider default with tenant 0); every change is a new version. */
int nodes_policy_set(struct db *db, const struct principal *by, const char *kind,
    int64_t tenant_id, const json_t *policy, json_t **out, struct ys_err *e);
json_t *nodes_policy_default(const char *kind);

#endif
