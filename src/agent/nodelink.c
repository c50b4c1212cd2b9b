/*
 * nodelink: a provider node's control-plane link (nodelink.h).
 */
#include "nodelink.h"

#include <stdio.h>
#include <string.h>

#include "crypto.h"
#include "log.h"
#include "policy.h"

#define NODELINK_QUEUE_BYTES (256ULL * 1024 * 1024)

int
nodelink_open(struct nodelink *l, const char *state_dir, const char *kind, char *err,
    size_t errlen)
{
	char perr[256];

	memset(l, 0, sizeof(*l));
	agent_paths_init(&l->paths, state_dir);
	if (agent_node_load(&l->paths, &l->node, err, errlen) < 0)
		return -1;
	if (strcmp(l->node.kind, kind) != 0) {
		snprintf(err, errlen, "%s holds a node of kind %s, not %s (enrol with a %s token)",
		    state_dir, l->node.kind, kind, kind);
		return -1;
	}
	if ((l->key = crypto_ed25519_load_public(l->paths.signing, err, errlen)) == NULL)
		return -1;
	if (queue_open(l->paths.queue, NODELINK_QUEUE_BYTES, &l->queue, err, errlen) < 0)
		goto fail;
	l->sender.paths = &l->paths;
	l->sender.node = &l->node;
	l->sender.queue = l->queue;
	l->sender.signing = l->key;
	if (policy_load(l->key, l->paths.policy, l->node.node_id, &l->sender.policy, perr,
	    sizeof(perr)) == 0)
		log_info("nodelink: node %lld runs on stored policy version %lld until the control "
		    "plane answers", (long long)l->node.node_id, (long long)l->sender.policy.version);
	/* A stored policy counts as new for the first nodelink_policy(). */
	l->seen = -1;
	if (sender_start(&l->sender) < 0) {
		snprintf(err, errlen, "cannot start the sender");
		goto fail;
	}
	l->started = true;
	log_info("nodelink: node %lld (%s) reporting to %s", (long long)l->node.node_id,
	    l->node.kind, l->node.node_url);
	return 0;
fail:
	queue_close(l->queue);
	l->queue = NULL;
	EVP_PKEY_free(l->key);
	l->key = NULL;
	return -1;
}

json_t *
nodelink_policy(struct nodelink *l, int64_t *version)
{
	long changes = atomic_load(&l->sender.policy_changes);
	json_t *body = NULL;

	if (changes == l->seen)
		return NULL;
	pthread_mutex_lock(&l->sender.lock);
	if (l->sender.policy.body != NULL) {
		body = json_deep_copy(l->sender.policy.body);
		*version = l->sender.policy.version;
	}
	pthread_mutex_unlock(&l->sender.lock);
	if (body != NULL)
		l->seen = changes;
	return body;
}

void
nodelink_close(struct nodelink *l)
{
	if (l->started)
		sender_stop(&l->sender);
	l->started = false;
	policy_clear(&l->sender.policy);
	queue_close(l->queue);
	l->queue = NULL;
	EVP_PKEY_free(l->key);
	l->key = NULL;
}
