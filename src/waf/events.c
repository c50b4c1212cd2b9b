/*
 * events.c: the JSON Lines event sink (see events.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "events.h"

struct events {
	int fd;
	pthread_mutex_t lock;
};

struct events *
events_open(const char *path, char *err, size_t errlen)
{
	struct events *ev = calloc(1, sizeof(*ev));

	if (ev == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	ev->fd = -1;
	pthread_mutex_init(&ev->lock, NULL);
	if (path != NULL && path[0] != '\0' &&
	    (ev->fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600)) < 0) {
		snprintf(err, errlen, "events file %s: %s", path, strerror(errno));
		events_close(ev);
		return NULL;
	}
	return ev;
}

void
events_close(struct events *ev)
{
	if (ev == NULL)
		return;
	if (ev->fd >= 0)
		close(ev->fd);
	pthread_mutex_destroy(&ev->lock);
	free(ev);
}

int
events_emit(struct events *ev, json_t *obj)
{
	struct timespec ts;
	struct tm tm;
	char when[40], *line;
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
	json_decref(obj);
	if (line == NULL)
		return -1;
	if (ev == NULL || ev->fd < 0) {
		free(line);
		return 0;
	}
	n = strlen(line);
	line[n] = '\n';	/* json_dumps' NUL becomes the newline */
	pthread_mutex_lock(&ev->lock);
	w = write(ev->fd, line, n + 1);
	pthread_mutex_unlock(&ev->lock);
	if (w != (ssize_t)(n + 1))
		rc = -1;
	free(line);
	return rc;
}
