/*
 * modules: the table of the agent's modules and the plumbing they share.
 * Adding a module is adding a row here and its file.
 */
#include "module.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ids.h"
#include "fim.h"
#include "baseline.h"
#include "inventory.h"
#include "log.h"
#include "malware.h"
#include "sender.h"

int selftest_start(struct agent_ctx *ctx, const json_t *policy, void **state);
void selftest_stop(struct agent_ctx *ctx, void *state);

const struct agent_module agent_modules[] = {
	{ "selftest", selftest_start, selftest_stop },
	{ "ids", ids_start, ids_stop },
	{ "fim", fim_start, fim_stop },
	{ "malware", malware_start, malware_stop },
	{ "baseline", baseline_start, baseline_stop },
	{ "inventory", inventory_start, inventory_stop },
	{ NULL, NULL, NULL },
};

const struct agent_command agent_commands[] = {
	{ "quarantine.restore", "malware", malware_cmd_restore },
	{ "malware.scan", "malware", malware_cmd_scan },
	{ NULL, NULL, NULL },
};

int
agent_command_run(struct agent_ctx *ctx, const json_t *cmd,
    void *(*state_of)(void *arg, const char *module), void *arg)
{
	const char *type = json_string_value(json_object_get(cmd, "type"));
	json_int_t id = json_integer_value(json_object_get(cmd, "id"));
	char err[512] = "";
	int rc = -1;

	for (size_t i = 0; type && agent_commands[i].type; i++) {
		if (strcmp(agent_commands[i].type, type) != 0)
			continue;
		rc = agent_commands[i].run(ctx, state_of ? state_of(arg,
		    agent_commands[i].module) : NULL, cmd, err, sizeof(err));
		break;
	}
	if (rc == 0)
		return 0;
	if (*err == '\0')
		snprintf(err, sizeof(err), "this agent does not know the command type %s",
		    type ? type : "(none)");
	log_warn("agent: command %lld (%s) failed: %s", (long long)id, type ? type : "", err);
	agent_emit(ctx, "agent", "command.failed", json_pack("{s:I, s:s, s:s}", "command_id",
	    id, "type", type ? type : "", "error", err));
	agent_flush(ctx);
	return -1;
}

uint64_t
agent_emit(struct agent_ctx *ctx, const char *module, const char *type, json_t *payload)
{
	struct timespec ts;
	json_t *ev;
	char *text;
	uint64_t seq;

	clock_gettime(CLOCK_REALTIME, &ts);
	ev = json_pack("{s:s, s:s, s:I, s:o}", "module", module, "type", type,
	    "time_ms", (json_int_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000,
	    "payload", payload ? payload : json_object());
	text = ev ? json_dumps(ev, JSON_COMPACT) : NULL;
	json_decref(ev);
	if (text == NULL)
		return 0;
	for (;;) {
		seq = queue_append(ctx->queue, text, strlen(text));
		if (seq != QUEUE_FULL || (ctx->stopping && *ctx->stopping))
			break;
		/* Full: wait for the sender to drain it. */
		usleep(100 * 1000);
	}
	free(text);
	if (seq == QUEUE_ERROR) {
		log_err("agent: cannot queue a %s event", type);
		return 0;
	}
	return seq;
}

void
agent_flush(struct agent_ctx *ctx)
{
	if (queue_sync(ctx->queue) < 0)
		log_err("agent: cannot sync the event queue");
}

void
agent_module_status(struct agent_ctx *ctx, const char *module, const char *status)
{
	if (ctx->sender)
		sender_module_status(ctx->sender, module, status);
}
