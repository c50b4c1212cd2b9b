/*
 * sender: the agent's link to the control plane, on its own thread:
 * heartbeats (with the policy version in force and module status), policy
 * updates (verified before use, kept on disk), and event batches from the
 * queue, acknowledged only after the control plane has stored them. When
 * the control plane is unreachable it backs off and retries; nothing is
 * dropped. Commands in a heartbeat's answer wait in the sender until the
 * event loop takes them; the ids of the last commands run are kept on
 * disk (commands.done) so that a command the control plane sends again
 * before it has seen the outcome is not run twice.
 */
#ifndef YS_SENDER_H
#define YS_SENDER_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

#include <jansson.h>

#include "agent.h"
#include "policy.h"
#include "queue.h"

#define SENDER_DONE_MAX 64

struct sender {
	const struct agent_paths *paths;
	const struct agent_node *node;
	struct queue *queue;
	EVP_PKEY *signing;
	atomic_bool stop;
	pthread_mutex_t lock;		/* guards policy and modules */
	struct policy policy;
	json_t *modules;		/* module name -> status text */
	atomic_long policy_changes;	/* bumps when a new policy was accepted */
	pthread_t thread;
	json_t *commands;		/* received, not yet taken (under lock) */
	void (*thread_start)(void);	/* may be NULL: run first on the sender thread */
	int64_t done[SENDER_DONE_MAX];	/* ids of commands run, oldest first */
	size_t ndone;
};

int sender_start(struct sender *s);
void sender_stop(struct sender *s);
/* Set one module's status for the next heartbeat. */
void sender_module_status(struct sender *s, const char *module, const char *status);
/* Take the commands received so far (an array; NULL when none). */
json_t *sender_take_commands(struct sender *s);
/* Remember that command id was run (kept on disk). */
void sender_command_done(struct sender *s, int64_t id);
/* Queue the commands of a heartbeat answer that were not run before. */
void sender_receive_commands(struct sender *s, const json_t *commands);

/* One round (heartbeat if due, policy, one batch); for tests and --once. */
int sender_round(struct sender *s, bool force_heartbeat);

#endif
