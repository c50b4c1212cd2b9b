/*
 * events.c: the JSON Lines event sink and the queue feeder (see events.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "events.h"
#include "log.h"
#include "queue.h"

#define EVENTS_QUEUE_MAX (256ULL * 1024 * 1024)
#define SYNC_MS 100

struct events {
	int fd;
	pthread_mutex_t lock;
	struct queue *q;
	pthread_t syncer;
	bool syncing;
	bool stop, dirty;
	pthread_cond_t cv;
	unsigned long dropped;
	bool q_borrowed;	/* q belongs to the caller (events_attach_queue) */
	events_translate_fn translate;
};

/* Make appended records durable (and sendable) every SYNC_MS. */
static void *
sync_main(void *arg)
{
	struct events *ev = arg;
	struct timespec ts;

	pthread_mutex_lock(&ev->lock);
	while (!ev->stop) {
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += SYNC_MS * 1000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&ev->cv, &ev->lock, &ts);
		if (ev->dirty) {
			ev->dirty = false;
			pthread_mutex_unlock(&ev->lock);
			if (queue_sync(ev->q) < 0)
				log_err("events: cannot sync the event queue");
			pthread_mutex_lock(&ev->lock);
		}
	}
	pthread_mutex_unlock(&ev->lock);
	return NULL;
}

struct events *
events_open(const char *path, const char *queue_dir, char *err, size_t errlen)
{
	struct events *ev = calloc(1, sizeof(*ev));
	char e2[256];

	if (ev == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	ev->fd = -1;
	pthread_mutex_init(&ev->lock, NULL);
	pthread_cond_init(&ev->cv, NULL);
	if (path != NULL && path[0] != '\0' &&
	    (ev->fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600)) < 0) {
		snprintf(err, errlen, "events file %s: %s", path, strerror(errno));
		goto fail;
	}
	if (queue_dir != NULL && queue_dir[0] != '\0') {
		if (queue_open(queue_dir, EVENTS_QUEUE_MAX, &ev->q, e2, sizeof(e2)) < 0) {
			snprintf(err, errlen, "event queue %s: %s", queue_dir, e2);
			goto fail;
		}
		if (pthread_create(&ev->syncer, NULL, sync_main, ev) != 0) {
			snprintf(err, errlen, "cannot start the event queue thread");
			goto fail;
		}
		ev->syncing = true;
	}
	return ev;
fail:
	events_close(ev);
	return NULL;
}

int
events_attach_queue(struct events *ev, struct queue *q, events_translate_fn translate,
    char *err, size_t errlen)
{
	if (ev->q != NULL) {
		snprintf(err, errlen, "the events already go to a queue");
		return -1;
	}
	ev->q = q;
	ev->q_borrowed = true;
	ev->translate = translate;
	if (pthread_create(&ev->syncer, NULL, sync_main, ev) != 0) {
		ev->q = NULL;
		snprintf(err, errlen, "cannot start the event queue thread");
		return -1;
	}
	ev->syncing = true;
	return 0;
}

void
events_close(struct events *ev)
{
	if (ev == NULL)
		return;
	if (ev->syncing) {
		pthread_mutex_lock(&ev->lock);
		ev->stop = true;
		pthread_cond_signal(&ev->cv);
		pthread_mutex_unlock(&ev->lock);
		pthread_join(ev->syncer, NULL);
	}
	if (ev->q != NULL) {
		queue_sync(ev->q);
		if (!ev->q_borrowed)
			queue_close(ev->q);
	}
	if (ev->dropped > 0)
		log_warn("events: %lu events dropped (the event queue was full)", ev->dropped);
	if (ev->fd >= 0)
		close(ev->fd);
	pthread_cond_destroy(&ev->cv);
	pthread_mutex_destroy(&ev->lock);
	free(ev);
}

int
events_emit(struct events *ev, json_t *obj)
{
	struct timespec ts;
	struct tm tm;
	char when[40], *line, *qline = NULL;
	size_t n;
	ssize_t w;
	int rc = 0;

	if (obj == NULL)
		return -1;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	n = strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(when + n, sizeof(when) - n, ".%03ldZ", ts.tv_nsec / 1000000);
	json_object_set_new(obj, "time", json_string(when));
	line = json_dumps(obj, JSON_COMPACT | JSON_ENSURE_ASCII);
	if (ev != NULL && ev->q != NULL && ev->translate != NULL) {
		json_t *t = ev->translate(obj, (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);

		qline = t != NULL ? json_dumps(t, JSON_COMPACT | JSON_ENSURE_ASCII) : NULL;
		json_decref(t);
	}
	json_decref(obj);
	if (line == NULL) {
		free(qline);
		return -1;
	}
	if (ev == NULL) {
		free(line);
		return 0;
	}
	n = strlen(line);
	if (ev->q != NULL && (ev->translate == NULL || qline != NULL)) {
		uint64_t seq = ev->translate != NULL ? queue_append(ev->q, qline, strlen(qline)) :
		    queue_append(ev->q, line, n);

		pthread_mutex_lock(&ev->lock);
		if (seq == QUEUE_FULL || seq == QUEUE_ERROR) {
			if (ev->dropped++ % 1000 == 0)
				log_warn("events: the event queue refused an event (%s); %lu dropped so far",
				    seq == QUEUE_FULL ? "full" : "I/O error", ev->dropped);
			rc = -1;
		} else {
			ev->dirty = true;
		}
		pthread_mutex_unlock(&ev->lock);
	}
	if (ev->fd >= 0) {
		line[n] = '\n';	/* json_dumps' NUL becomes the newline */
		pthread_mutex_lock(&ev->lock);
		w = write(ev->fd, line, n + 1);
		pthread_mutex_unlock(&ev->lock);
		if (w != (ssize_t)(n + 1))
			rc = -1;
	}
	free(qline);
	free(line);
	return rc;
}
