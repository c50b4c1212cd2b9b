/*
 * events: yunshou-waf's security event stream, one JSON object per line
 * (like Suricata's EVE log), kept apart from diagnostics. Lines are written
 * whole with one write(2) on an O_APPEND file, so concurrent workers never
 * interleave and a reader never sees half an event. Until the node is
 * enrolled with the control plane the sink is a file; the lossless queue
 * (src/agent/queue.c) takes its place then.
 */
#ifndef YS_WAF_EVENTS_H
#define YS_WAF_EVENTS_H

#include <stddef.h>

#include <jansson.h>

struct events;

/* path NULL: events are dropped (counted). */
struct events *events_open(const char *path, char *err, size_t errlen);
void events_close(struct events *ev);
/* Adds "time" (RFC 3339, UTC, ms) and writes one line. Steals ev_obj. */
int events_emit(struct events *ev, json_t *ev_obj);

#endif
