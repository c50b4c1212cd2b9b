/*
 * fuzz_events: libFuzzer harness for the control plane's intake of event
 * batches from nodes: the body is parsed as JSON and checked with
 * nodes_events_validate(). A batch that passes must really be an array of
 * at most NODES_EVENT_BATCH_MAX objects with a positive seq, a time, a
 * module, a type and an object payload — what the store insert relies on
 * (after scrubber records are put into that envelope, ddosev_normalise).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "ddosev.h"
#include "nodes.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ys_err e = { 0 };
	json_t *in = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL), *ev;
	size_t i;

	if (in == NULL)
		return 0;
	if (nodes_events_validate(in, &e) == 0) {
		char why[200];
		json_t *batch = ddosev_normalise(in, why, sizeof(why));
		json_t *events = json_object_get(batch, "events");

		if (!json_is_array(events) || json_array_size(events) > NODES_EVENT_BATCH_MAX)
			abort();
		json_array_foreach(events, i, ev) {
			if (json_integer_value(json_object_get(ev, "seq")) < 1 ||
			    !json_is_string(json_object_get(ev, "module")) ||
			    !json_is_string(json_object_get(ev, "type")) ||
			    !json_is_object(json_object_get(ev, "payload")))
				abort();
		}
		json_decref(batch);
	} else if (e.code == NULL || e.msg[0] == '\0') {
		abort();
	}
	json_decref(in);
	return 0;
}
