/*
 * fuzz_ddosev: libFuzzer harness for the intake of scrubber events: the
 * body is parsed as JSON, scrubber records are put into the event envelope
 * (ddosev_normalise) and every "ddos" payload is checked (ddosev_check) —
 * the way nodes_events_validate() takes a scrubber's batch. A payload that
 * passes must hold what the attack record relies on: an object name, an
 * address, a start time and (for attack_end) an end time. The same input
 * is also checked as a provider scrubber policy (ddos_provider_check).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "ddos.h"
#include "ddosev.h"
#include "nodes.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_payload(const char *type, const json_t *p)
{
	char err[256];

	err[0] = '\0';
	if (ddosev_check(type, p, err, sizeof(err)) < 0) {
		if (err[0] == '\0')
			abort();
		return;
	}
	if (strncmp(type, "attack_", 7) != 0)
		return;
	if (json_string_value(json_object_get(p, "object")) == NULL ||
	    json_string_value(json_object_get(p, "ip")) == NULL ||
	    ddosev_time_ms(json_string_value(json_object_get(p, "start"))) < 0 ||
	    (strcmp(type, "attack_end") == 0 &&
	    ddosev_time_ms(json_string_value(json_object_get(p, "end"))) < 0))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ys_err e = { 0 };
	char err[256];
	json_t *in = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL), *batch, *ev;
	size_t i;

	if (in == NULL)
		return 0;
	err[0] = '\0';
	batch = ddosev_normalise(in, err, sizeof(err));
	if (batch == NULL && err[0] == '\0')
		abort();
	json_array_foreach(json_object_get(batch, "events"), i, ev) {
		const char *m = json_string_value(json_object_get(ev, "module"));
		const char *t = json_string_value(json_object_get(ev, "type"));

		if (m && t && strcmp(m, "ddos") == 0)
			check_payload(t, json_object_get(ev, "payload"));
	}
	/* the whole batch as the node API checks it */
	if (nodes_events_validate(in, &e) < 0 && (e.code == NULL || e.msg[0] == '\0'))
		abort();
	memset(&e, 0, sizeof(e));
	if (ddos_provider_check(in, &e) < 0 && (e.code == NULL || e.msg[0] == '\0'))
		abort();
	json_decref(batch);
	json_decref(in);
	return 0;
}
