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
#include "module.h"
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

struct running {
	const struct agent_module *m;
	void *state;
	bool on;
};

struct agent_loop {
	struct agent_ctx ctx;
	struct sender *sender;
	struct running mods[16];
	long seen_changes;
	long long selftest;	/* --selftest-events */
	struct event *tick;
};

/* (Re)start the modules the policy enables, each with its own object. */
static void
apply_policy(struct agent_loop *l)
{
	json_t *modules = NULL;

	pthread_mutex_lock(&l->sender->lock);
	if (l->sender->policy.body)
		modules = json_deep_copy(json_object_get(l->sender->policy.body, "modules"));
	pthread_mutex_unlock(&l->sender->lock);
	for (size_t i = 0; agent_modules[i].name && i < 16; i++) {
		struct running *r = &l->mods[i];
		json_t *mp = json_deep_copy(json_object_get(modules, agent_modules[i].name));

		if (mp == NULL)
			mp = json_object();
		if (strcmp(agent_modules[i].name, "selftest") == 0 && l->selftest > 0) {
			json_object_set_new(mp, "enabled", json_true());
			json_object_set_new(mp, "events", json_integer(l->selftest));
		}
		r->m = &agent_modules[i];
		if (r->on) {
			r->m->stop(&l->ctx, r->state);
			r->on = false;
			r->state = NULL;
		}
		if (json_is_true(json_object_get(mp, "enabled"))) {
			/* "running" first: start() may say more (e.g. degraded). */
			agent_module_status(&l->ctx, r->m->name, "running");
			if (r->m->start(&l->ctx, mp, &r->state) == 0) {
				r->on = true;
			} else {
				log_err("agent: module %s did not start", r->m->name);
				agent_module_status(&l->ctx, r->m->name, "failed");
			}
		} else {
			agent_module_status(&l->ctx, r->m->name, "disabled");
		}
		json_decref(mp);
	}
	json_decref(modules);
}

static void *
state_of(void *arg, const char *module)
{
	struct agent_loop *l = arg;

	for (size_t i = 0; i < 16 && l->mods[i].m; i++)
		if (l->mods[i].on && strcmp(l->mods[i].m->name, module) == 0)
			return l->mods[i].state;
	return NULL;
}

/* Commands from the control plane: each once, outcome reported as an
 * event before the id is recorded as done. */
static void
run_commands(struct agent_loop *l)
{
	json_t *cmds = sender_take_commands(l->sender), *c;
	size_t i;

	json_array_foreach(cmds, i, c) {
		agent_command_run(&l->ctx, c, state_of, l);
		agent_flush(&l->ctx);
		sender_command_done(l->sender, json_integer_value(json_object_get(c, "id")));
	}
	json_decref(cmds);
}

static void
on_tick(evutil_socket_t fd, short what, void *arg)
{
	struct agent_loop *l = arg;
	long changes = atomic_load(&l->sender->policy_changes);

	(void)fd;
	(void)what;
	if (stopping) {
		event_base_loopbreak(l->ctx.base);
		return;
	}
	if (changes != l->seen_changes) {
		l->seen_changes = changes;
		apply_policy(l);
	}
	run_commands(l);
}

static int
cmd_run(const struct opts *o)
{
	struct agent_paths p;
	struct agent_node node;
	struct sender s = { 0 };
	struct agent_loop l = { 0 };
	struct queue *q = NULL;
	EVP_PKEY *key = NULL;
	char err[512];
	struct sigaction sa = { .sa_handler = on_signal };
	struct timeval every = { 0, 200 * 1000 };

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
	l.ctx = (struct agent_ctx){ .base = event_base_new(), .queue = q, .sender = &s,
		.paths = &p, .node = &node, .stopping = (const volatile int *)&stopping };
	l.sender = &s;
	l.selftest = o->selftest;
	if (l.ctx.base == NULL || sender_start(&s) < 0) {
		log_err("agent: cannot start");
		return 1;
	}
	l.seen_changes = atomic_load(&s.policy_changes);
	apply_policy(&l);
	l.tick = event_new(l.ctx.base, -1, EV_PERSIST, on_tick, &l);
	event_add(l.tick, &every);
	log_info("agent: node %lld (%s) reporting to %s; %llu events queued",
	    (long long)node.node_id, node.kind, node.node_url,
	    (unsigned long long)queue_pending(q));
	event_base_dispatch(l.ctx.base);
	for (size_t i = 0; i < 16; i++)
		if (l.mods[i].on)
			l.mods[i].m->stop(&l.ctx, l.mods[i].state);
	agent_flush(&l.ctx);
	log_info("agent: stopping; %llu events still queued (kept for the next run)",
	    (unsigned long long)queue_pending(q));
	sender_stop(&s);
	event_free(l.tick);
	event_base_free(l.ctx.base);
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
