/*
 * periodic: one thread per job, sleeping on a condition variable between
 * runs so that a stop request does not wait out the interval.
 */
#include "periodic.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>

struct periodic {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	atomic_bool stop;
	long interval_s;
	void (*fn)(void *arg, struct periodic *p);
	void *arg;
};

static void *
loop(void *arg)
{
	struct periodic *p = arg;

	while (!atomic_load(&p->stop)) {
		struct timespec until;

		p->fn(p->arg, p);
		clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_sec += p->interval_s;
		pthread_mutex_lock(&p->lock);
		while (!atomic_load(&p->stop) &&
		    pthread_cond_timedwait(&p->wake, &p->lock, &until) != ETIMEDOUT)
			;
		pthread_mutex_unlock(&p->lock);
	}
	return NULL;
}

struct periodic *
periodic_start(long interval_s, void (*fn)(void *arg, struct periodic *p), void *arg)
{
	struct periodic *p = calloc(1, sizeof(*p));
	pthread_condattr_t ca;

	if (p == NULL)
		return NULL;
	p->interval_s = interval_s > 0 ? interval_s : 60;
	p->fn = fn;
	p->arg = arg;
	atomic_init(&p->stop, false);
	pthread_mutex_init(&p->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&p->wake, &ca);
	pthread_condattr_destroy(&ca);
	if (pthread_create(&p->thread, NULL, loop, p) != 0) {
		pthread_cond_destroy(&p->wake);
		pthread_mutex_destroy(&p->lock);
		free(p);
		return NULL;
	}
	return p;
}

bool
periodic_stopping(struct periodic *p)
{
	return p && atomic_load(&p->stop);
}

void
periodic_stop(struct periodic *p)
{
	if (p == NULL)
		return;
	pthread_mutex_lock(&p->lock);
	atomic_store(&p->stop, true);
	pthread_cond_broadcast(&p->wake);
	pthread_mutex_unlock(&p->lock);
	pthread_join(p->thread, NULL);
	pthread_cond_destroy(&p->wake);
	pthread_mutex_destroy(&p->lock);
	free(p);
}
