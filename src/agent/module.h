/*
 * module: how the agent's protection modules plug in. A module is a row in
 * the table of modules.c: a name (also its key under "modules" in the
 * policy) and start/stop functions. The agent starts every module the
 * policy enables with that module's policy object, stops and restarts them
 * when a new policy is accepted, and stops them at shutdown. Modules run in
 * the main thread's event loop (timers, file descriptors) and may start
 * worker threads for long work (hashing, scanning); they report findings
 * with agent_emit() and their state with agent_module_status().
 *
 * Commands from the control plane (the "commands" of a heartbeat answer,
 * e.g. restore a quarantined file) are rows of a second table,
 * agent_commands: a command type and the module that carries it out. The
 * agent runs each command once, in the event loop.
 */
#ifndef YS_MODULE_H
#define YS_MODULE_H

#include <stdbool.h>

#include <event2/event.h>
#include <jansson.h>

#include "agent.h"
#include "queue.h"

struct sender;

struct agent_ctx {
	struct event_base *base;
	struct queue *queue;
	struct sender *sender;
	const struct agent_paths *paths;
	const struct agent_node *node;
	const volatile int *stopping;	/* set at shutdown */
};

struct agent_module {
	const char *name;
	/* Start with the module's policy object (never NULL). *state is the
	 * module's own; 0 / -1 (the error is logged and reported as status). */
	int (*start)(struct agent_ctx *ctx, const json_t *policy, void **state);
	void (*stop)(struct agent_ctx *ctx, void *state);
};

extern const struct agent_module agent_modules[];

struct agent_command {
	const char *type;	/* "quarantine.restore" */
	const char *module;	/* whose state run() gets (NULL when it is not running) */
	/* 0 when carried out: the module reports the outcome as an event with
	 * "command_id"; -1 with err: the agent reports "command.failed". */
	int (*run)(struct agent_ctx *ctx, void *state, const json_t *cmd, char *err,
	    size_t errlen);
};

extern const struct agent_command agent_commands[];

/* Carry out one command ({"id", "type", ...}); state_of() gives a running
 * module's state by name. Unknown types and failures are reported as
 * "command.failed" events {command_id, type, error}. 0 done / -1 failed. */
int agent_command_run(struct agent_ctx *ctx, const json_t *cmd,
    void *(*state_of)(void *arg, const char *module), void *arg);

/* Queue one event: module, type and a payload object (taken over). Waits
 * while the queue is full (back-pressure: nothing is dropped) unless the
 * agent is stopping. Returns the seq, or 0 when it could not be queued. */
uint64_t agent_emit(struct agent_ctx *ctx, const char *module, const char *type,
    json_t *payload);
/* Make queued events durable and sendable (after a burst of agent_emit). */
void agent_flush(struct agent_ctx *ctx);
void agent_module_status(struct agent_ctx *ctx, const char *module, const char *status);

#endif
