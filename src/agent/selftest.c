/*
 * selftest: synthetic events for commissioning a node. With policy
 * {"enabled": true, "events": N} (or --selftest-events N on the command
 * line) it emits events until the queue has handed out N sequence numbers —
 * so it resumes where it stopped after a restart — proving the path from
 * the host to the control plane's store end to end.
 */
#include <stdlib.h>

#include "module.h"

struct selftest {
	struct agent_ctx *ctx;
	struct event *tick;
	long long total;
};

static void
step(evutil_socket_t fd, short what, void *arg)
{
	struct selftest *st = arg;
	int n = 0;

	(void)fd;
	(void)what;
	while (n < 200 && (long long)queue_last_seq(st->ctx->queue) < st->total) {
		uint64_t next = queue_last_seq(st->ctx->queue) + 1;

		if (agent_emit(st->ctx, "selftest", "selftest.event",
		    json_pack("{s:I}", "n", (json_int_t)next)) == 0)
			break;
		n++;
	}
	if (n > 0)
		agent_flush(st->ctx);
	agent_module_status(st->ctx, "selftest",
	    (long long)queue_last_seq(st->ctx->queue) >= st->total ? "done" : "running");
}

int
selftest_start(struct agent_ctx *ctx, const json_t *policy, void **state)
{
	struct selftest *st = calloc(1, sizeof(*st));
	struct timeval every = { 0, 20 * 1000 };

	if (st == NULL)
		return -1;
	st->ctx = ctx;
	st->total = json_integer_value(json_object_get(policy, "events"));
	st->tick = event_new(ctx->base, -1, EV_PERSIST, step, st);
	if (st->tick == NULL || event_add(st->tick, &every) < 0) {
		if (st->tick)
			event_free(st->tick);
		free(st);
		return -1;
	}
	*state = st;
	return 0;
}

void
selftest_stop(struct agent_ctx *ctx, void *state)
{
	struct selftest *st = state;

	(void)ctx;
	if (st == NULL)
		return;
	event_free(st->tick);
	free(st);
}
