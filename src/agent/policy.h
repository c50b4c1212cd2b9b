/*
 * policy: the node's copy of its signed policy bundle. A bundle is
 * {"payload": text, "signature": base64url Ed25519 over text}; it is used
 * only when the signature verifies with the control plane's key obtained at
 * enrolment and the payload names this node. The last good bundle is kept
 * on disk and verified again when loaded, so the node keeps running on it
 * while the control plane is unreachable, and a tampered file is refused.
 */
#ifndef YS_POLICY_H
#define YS_POLICY_H

#include <stdint.h>

#include <jansson.h>
#include <openssl/evp.h>

struct policy {
	int64_t version;
	int64_t node_id;
	json_t *body;		/* the "policy" object of the payload */
};

/* Verify bundle (the JSON object as received) for node_id; on success fill
 * p (caller frees with policy_clear). 0 / -1 with err. */
int policy_verify(EVP_PKEY *key, const json_t *bundle, int64_t node_id, struct policy *p,
    char *err, size_t errlen);
/* Verify, then store as the last good bundle in path (atomic replace). */
int policy_accept(EVP_PKEY *key, const json_t *bundle, int64_t node_id, const char *path,
    struct policy *p, char *err, size_t errlen);
/* Load and re-verify the stored bundle. */
int policy_load(EVP_PKEY *key, const char *path, int64_t node_id, struct policy *p,
    char *err, size_t errlen);
void policy_clear(struct policy *p);

#endif
