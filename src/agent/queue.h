/*
 * queue: the agent's disk-backed event queue. Every event gets the next
 * sequence number and is appended to a log file; queue_sync() makes what
 * was appended durable (fsync), and only durable records are handed to the
 * sender, so a sequence number the control plane has seen is never reused
 * for another event after a crash. Records stay until the control plane
 * acknowledges their sequence number; the acknowledged position is kept in
 * a separate file replaced atomically. A torn record at the end (a crash
 * in the middle of a write) is cut off when the queue is opened.
 *
 * Full queue: appends are refused (back-pressure) — the producing module
 * waits and retries — instead of dropping events.
 */
#ifndef YS_QUEUE_H
#define YS_QUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct queue;

struct queue_record {
	uint64_t seq;
	char *data;	/* NUL-terminated JSON of the event */
	size_t len;
};

/* Open (creating) the queue in dir (mode 0700). max_bytes bounds the log
 * of unacknowledged records. 0 / -1 with err. */
int queue_open(const char *dir, uint64_t max_bytes, struct queue **out, char *err,
    size_t errlen);
void queue_close(struct queue *q);

/* Append one event (len bytes of JSON). Returns the seq given to it, 0 when
 * the queue is full (retry later), or -1... as (uint64_t)-1 on I/O error. */
#define QUEUE_FULL 0
#define QUEUE_ERROR UINT64_MAX
uint64_t queue_append(struct queue *q, const char *data, size_t len);
/* fsync the log: everything appended so far becomes sendable. 0 / -1. */
int queue_sync(struct queue *q);

/* Up to max durable, unacknowledged records in seq order, from the oldest.
 * The caller frees them with queue_records_free(). Returns the count. */
size_t queue_peek(struct queue *q, struct queue_record *out, size_t max);
void queue_records_free(struct queue_record *r, size_t n);
/* Everything up to and including seq is acknowledged: made durable, and
 * the log is compacted when most of it is acknowledged. 0 / -1. */
int queue_ack(struct queue *q, uint64_t seq);

/* Wait up to timeout_ms for sendable records (woken by queue_sync). Returns
 * true when there are some. */
bool queue_wait(struct queue *q, int timeout_ms);

uint64_t queue_pending(struct queue *q);	/* unacknowledged records */
uint64_t queue_last_seq(struct queue *q);
uint64_t queue_acked_seq(struct queue *q);

#endif
