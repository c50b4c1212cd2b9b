/*
 * events: yunshou-waf's security event stream, one JSON object per line
 * (like Suricata's EVE log), kept apart from diagnostics. Lines are written
 * whole with one write(2) on an O_APPEND file, so concurrent workers never
 * interleave and a reader never sees half an event. Events can also go
 * to the node's lossless queue (src/agent/queue.c, the agent's, linked not
 * copied): durable, sequence-numbered records that the sender ships to the
 * control plane once the node is enrolled. Appends are made durable by a
 * thread that syncs the queue every 100 ms, so a request never waits for
 * an fsync; a full queue (the control plane unreachable for long) refuses
 * events and they are counted as dropped in the log.
 */
#ifndef YS_WAF_EVENTS_H
#define YS_WAF_EVENTS_H

#include <stddef.h>

#include <jansson.h>

struct events;

/* path: JSON Lines file; queue_dir: the lossless queue; either may be
 * NULL (both NULL: events are only counted). */
struct events *events_open(const char *path, const char *queue_dir, char *err, size_t errlen);
void events_close(struct events *ev);

struct queue;
/* The record a queue gets for one event (NULL: none); time_ms is the
 * event's time. Must not keep ev. */
typedef json_t *(*events_translate_fn)(const json_t *ev, long long time_ms);
/* Events also go to q, a queue the caller keeps open until events_close
 * (a WAF node's link to the control plane: nodelink), as translate makes
 * them. Only when events_open had no queue_dir. 0 / -1 with err. */
int events_attach_queue(struct events *ev, struct queue *q, events_translate_fn translate,
    char *err, size_t errlen);
/* Adds "time" (RFC 3339, UTC, ms) and writes one line. Steals ev_obj. */
int events_emit(struct events *ev, json_t *ev_obj);

#endif
