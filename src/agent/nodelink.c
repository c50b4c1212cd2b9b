/*
 * nodelink: a provider node's control-plane link (nodelink.h).
 */
#include "nodelink.h"

#include <errno.h>
#include <getopt.h>
#include <linux/capability.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "crypto.h"
#include "log.h"
#include "policy.h"

#define NODELINK_QUEUE_BYTES (256ULL * 1024 * 1024)

/* The sender speaks TLS, HTTP and JSON with the network and writes only
 * in the node's own state directory: it needs no capability. Capabilities
 * are per thread on Linux, so a data plane that drops its own later (the
 * scrubber keeps CAP_BPF and CAP_NET_ADMIN) does not reach this thread:
 * it drops everything itself, first thing. */
static void
sender_thread_drop_caps(void)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];

	memset(d, 0, sizeof(d));
	if (syscall(SYS_capset, &h, d) != 0)
		log_warn("nodelink: the sender thread cannot drop its capabilities: %s",
		    strerror(errno));
}

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
	l->sender.thread_start = sender_thread_drop_caps;
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

/* Remove what a refused enrolment left in dir (its files only). */
static void
forget(const struct agent_paths *p)
{
	const char *files[] = { p->node, p->key, p->cert, p->ca, p->signing };

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		unlink(files[i]);
}

int
nodelink_enroll_main(const char *prog, const char *kind, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "state", required_argument, NULL, 's' },
		{ "server", required_argument, NULL, 'S' },
		{ "token", required_argument, NULL, 't' },
		{ "ca-fingerprint", required_argument, NULL, 'f' },
		{ "node-url", required_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 },
	};
	const char *state = NULL, *server = NULL, *token = NULL, *fp = NULL, *node_url = NULL;
	struct agent_paths p;
	struct agent_node n;
	char err[512];
	int o;

	optind = 1;
	while ((o = getopt_long(argc, argv, "s:S:t:f:n:", opts, NULL)) != -1) {
		switch (o) {
		case 's': state = optarg; break;
		case 'S': server = optarg; break;
		case 't': token = optarg; break;
		case 'f': fp = optarg; break;
		case 'n': node_url = optarg; break;
		default: goto usage;
		}
	}
	if (state == NULL || server == NULL || token == NULL || fp == NULL || optind != argc)
		goto usage;
	agent_paths_init(&p, state);
	if (access(p.node, F_OK) == 0) {
		fprintf(stderr, "%s: %s is already enrolled (node.json exists)\n", prog, state);
		return 1;
	}
	if (agent_enroll(&p, server, token, fp, node_url, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s: %s\n", prog, err);
		return 1;
	}
	if (agent_node_load(&p, &n, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s: enrolled, but %s; nothing kept\n", prog, err);
		forget(&p);
		return 1;
	}
	if (strcmp(n.kind, kind) != 0) {
		fprintf(stderr, "%s: the token was for a node of kind %s, not %s; nothing kept "
		    "(an operator revokes node %lld)\n", prog, n.kind, kind, (long long)n.node_id);
		forget(&p);
		return 1;
	}
	printf("enrolled as %s node %lld; run it with --node-state %s\n", kind,
	    (long long)n.node_id, state);
	return 0;
usage:
	fprintf(stderr, "usage: %s enroll --state DIR --server URL --token TOKEN "
	    "--ca-fingerprint SHA256 [--node-url URL]\n", prog);
	return 2;
}
