/*
 * nodelink: a provider node's link to the control plane — the WAF node
 * (yunshou-waf) and the scrubber (yunshou-scrubber) run it beside their
 * data plane. It is the agent's own machinery, not a copy: the state
 * directory an `yunshou-agent enroll` (or `yunshou-waf enroll`) made with
 * a token of the node's kind, the sender thread (heartbeats, the signed
 * policy bundle verified and kept on disk as policy.json, event batches
 * acknowledged before they leave the queue) and the lossless queue the
 * data plane appends its events to.
 */
#ifndef YS_NODELINK_H
#define YS_NODELINK_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "agent.h"
#include "queue.h"
#include "sender.h"

struct nodelink {
	struct agent_paths paths;
	struct agent_node node;
	struct queue *queue;
	EVP_PKEY *key;		/* the control plane's signing key */
	struct sender sender;
	long seen;		/* policy_changes already handed out */
	bool started;
};

/* Open the enrolled node in state_dir, which must be of kind (e.g. "waf"),
 * and start its sender. 0 / -1 with err. */
int nodelink_open(struct nodelink *l, const char *state_dir, const char *kind, char *err,
    size_t errlen);
/* A deep copy of the policy body when a version newer than the last one
 * handed out is in force (its version in *version), else NULL. */
json_t *nodelink_policy(struct nodelink *l, int64_t *version);
/* Stop the sender (events not sent yet stay queued for the next run) and
 * close everything. */
void nodelink_close(struct nodelink *l);

/* `PROG enroll --state DIR --server URL --token T --ca-fingerprint SHA256
 * [--node-url URL]` for a provider node of kind (the token decides the kind
 * the control plane records; another kind is refused and nothing is kept).
 * Returns the exit status. */
int nodelink_enroll_main(const char *prog, const char *kind, int argc, char **argv);

#endif
