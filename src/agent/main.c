/*
 * yunshou-agent: the host protection agent (MISSION §3.3.1, §3.3.3).
 *
 *   yunshou-agent enroll --server URL --token T --ca-fingerprint SHA256 [--state DIR] [--node-url URL]
 *   yunshou-agent run [--state DIR] [--selftest-events N]
 *   yunshou-agent status [--state DIR]
 *
 * run keeps the node's policy current, sends heartbeats and forwards the
 * events of its modules through the disk-backed queue. --selftest-events N
 * makes the selftest module emit synthetic events until the queue has
 * handed out N sequence numbers (it resumes after a restart), which is how
 * a commissioning engineer proves the event path end to end.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "agent.h"
#include "crypto.h"
#include "log.h"
#include "policy.h"
#include "queue.h"
#include "sender.h"

#define QUEUE_MAX_BYTES (256ULL * 1024 * 1024)

static volatile sig_atomic_t stopping;

static void
on_signal(int sig)
{
	(void)sig;
	stopping = 1;
}

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: yunshou-agent enroll --server URL --token TOKEN --ca-fingerprint SHA256\n"
	    "                            [--state DIR] [--node-url URL]\n"
	    "       yunshou-agent run [--state DIR] [--selftest-events N]\n"
	    "       yunshou-agent status [--state DIR]\n"
	    "       yunshou-agent version\n"
	    "The state directory defaults to " AGENT_DEFAULT_STATE ".\n");
}

struct opts {
	const char *state, *server, *token, *fingerprint, *node_url;
	long long selftest;
};

static int
parse(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
		{ "state", required_argument, NULL, 's' },
		{ "server", required_argument, NULL, 'S' },
		{ "token", required_argument, NULL, 't' },
		{ "ca-fingerprint", required_argument, NULL, 'f' },
		{ "node-url", required_argument, NULL, 'n' },
		{ "selftest-events", required_argument, NULL, 'e' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int ch;
	char *end;

	memset(o, 0, sizeof(*o));
	o->state = AGENT_DEFAULT_STATE;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case 's': o->state = optarg; break;
		case 'S': o->server = optarg; break;
		case 't': o->token = optarg; break;
		case 'f': o->fingerprint = optarg; break;
		case 'n': o->node_url = optarg; break;
		case 'e':
			o->selftest = strtoll(optarg, &end, 10);
			if (*end || o->selftest < 0) {
				fprintf(stderr, "yunshou-agent: --selftest-events needs a count\n");
				return -1;
			}
			break;
		case 'h': usage(stdout); exit(0);
		default: return -1;
		}
	}
	return optind == argc ? 0 : -1;
}

/* Emit selftest events until the queue has given out `total` seqs. */
static void
selftest_step(struct queue *q, long long total, struct sender *s)
{
	char buf[256];
	int n = 0;

	while (!stopping && (long long)queue_last_seq(q) < total && n < 200) {
		struct timespec ts;
		uint64_t seq;
		int len;

		clock_gettime(CLOCK_REALTIME, &ts);
		len = snprintf(buf, sizeof(buf), "{\"module\":\"selftest\",\"type\":\"selftest.event\","
		    "\"time_ms\":%lld,\"payload\":{\"n\":%llu}}",
		    (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000,
		    (unsigned long long)queue_last_seq(q) + 1);
		seq = queue_append(q, buf, (size_t)len);
		if (seq == QUEUE_FULL || seq == QUEUE_ERROR)
			break;	/* back-pressure: try again on the next step */
		n++;
	}
	if (n > 0)
		queue_sync(q);
	sender_module_status(s, "selftest", (long long)queue_last_seq(q) >= total ? "done" : "running");
}

static int
cmd_run(const struct opts *o)
{
	struct agent_paths p;
	struct agent_node node;
	struct sender s = { 0 };
	struct queue *q = NULL;
	EVP_PKEY *key = NULL;
	char err[512];
	struct sigaction sa = { .sa_handler = on_signal };

	agent_paths_init(&p, o->state);
	if (agent_node_load(&p, &node, err, sizeof(err)) < 0 ||
	    (key = crypto_ed25519_load_public(p.signing, err, sizeof(err))) == NULL ||
	    queue_open(p.queue, QUEUE_MAX_BYTES, &q, err, sizeof(err)) < 0) {
		log_err("agent: %s", err);
		EVP_PKEY_free(key);
		return 1;
	}
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	s.paths = &p;
	s.node = &node;
	s.queue = q;
	s.signing = key;
	if (policy_load(key, p.policy, node.node_id, &s.policy, err, sizeof(err)) == 0)
		log_info("agent: running on stored policy version %lld until the control plane "
		    "answers", (long long)s.policy.version);
	else
		log_info("agent: %s; waiting for the first policy", err);
	s.modules = json_object();
	if (sender_start(&s) < 0) {
		log_err("agent: cannot start the sender");
		return 1;
	}
	log_info("agent: node %lld (%s) reporting to %s; %llu events queued",
	    (long long)node.node_id, node.kind, node.node_url,
	    (unsigned long long)queue_pending(q));
	while (!stopping) {
		if (o->selftest > 0)
			selftest_step(q, o->selftest, &s);
		usleep(20 * 1000);
	}
	log_info("agent: stopping; %llu events still queued (kept for the next run)",
	    (unsigned long long)queue_pending(q));
	sender_stop(&s);
	policy_clear(&s.policy);
	queue_close(q);
	EVP_PKEY_free(key);
	return 0;
}

static int
cmd_status(const struct opts *o)
{
	struct agent_paths p;
	struct agent_node node;
	struct policy pol;
	struct queue *q = NULL;
	EVP_PKEY *key = NULL;
	char err[512];

	agent_paths_init(&p, o->state);
	if (agent_node_load(&p, &node, err, sizeof(err)) < 0) {
		fprintf(stderr, "yunshou-agent: %s\n", err);
		return 1;
	}
	printf("node:     %lld (%s), tenant %lld\nnode API: %s\n", (long long)node.node_id,
	    node.kind, (long long)node.tenant_id, node.node_url);
	key = crypto_ed25519_load_public(p.signing, err, sizeof(err));
	if (key && policy_load(key, p.policy, node.node_id, &pol, err, sizeof(err)) == 0) {
		printf("policy:   version %lld (signature verified)\n", (long long)pol.version);
		policy_clear(&pol);
	} else {
		printf("policy:   none usable (%s)\n", err);
	}
	EVP_PKEY_free(key);
	if (queue_open(p.queue, QUEUE_MAX_BYTES, &q, err, sizeof(err)) == 0) {
		printf("queue:    %llu pending, last seq %llu, acknowledged through %llu\n",
		    (unsigned long long)queue_pending(q), (unsigned long long)queue_last_seq(q),
		    (unsigned long long)queue_acked_seq(q));
		queue_close(q);
	}
	return 0;
}

int
main(int argc, char **argv)
{
	struct opts o;
	struct agent_paths p;
	char err[512];
	const char *cmd;

	log_init("yunshou-agent", LOG_LVL_INFO, NULL);
	umask(077);
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	cmd = argv[1];
	if (strcmp(cmd, "version") == 0 || strcmp(cmd, "--version") == 0) {
		printf("yunshou-agent %s\n", YS_VERSION);
		return 0;
	}
	if (strcmp(cmd, "help") == 0 || strcmp(cmd, "--help") == 0) {
		usage(stdout);
		return 0;
	}
	if (parse(argc - 1, argv + 1, &o) < 0) {
		usage(stderr);
		return 2;
	}
	if (strcmp(cmd, "enroll") == 0) {
		if (!o.server || !o.token || !o.fingerprint) {
			fprintf(stderr, "yunshou-agent: enroll needs --server, --token and "
			    "--ca-fingerprint\n");
			return 2;
		}
		agent_paths_init(&p, o.state);
		if (access(p.node, F_OK) == 0) {
			fprintf(stderr, "yunshou-agent: %s is already enrolled (node.json exists)\n",
			    o.state);
			return 1;
		}
		if (agent_enroll(&p, o.server, o.token, o.fingerprint, o.node_url, err,
		    sizeof(err)) < 0) {
			fprintf(stderr, "yunshou-agent: %s\n", err);
			return 1;
		}
		return 0;
	}
	if (strcmp(cmd, "run") == 0)
		return cmd_run(&o);
	if (strcmp(cmd, "status") == 0)
		return cmd_status(&o);
	fprintf(stderr, "yunshou-agent: unknown command %s\n", cmd);
	usage(stderr);
	return 2;
}
