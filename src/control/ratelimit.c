/*
 * ratelimit: fixed-size open-addressed table of token buckets under one
 * mutex (logins and registrations are rare next to the argon2 cost they
 * guard, so one lock is no bottleneck).
 */
#include "ratelimit.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SLOTS 16384
#define PROBE 8

struct slot {
	uint64_t key;
	double tokens;
	double last;	/* monotonic seconds */
};

struct ratelimit {
	pthread_mutex_t lock;
	struct slot slots[SLOTS];
};

struct ratelimit *
ratelimit_new(void)
{
	struct ratelimit *rl = calloc(1, sizeof(*rl));

	if (rl)
		pthread_mutex_init(&rl->lock, NULL);
	return rl;
}

void
ratelimit_free(struct ratelimit *rl)
{
	if (rl == NULL)
		return;
	pthread_mutex_destroy(&rl->lock);
	free(rl);
}

static uint64_t
key_of(const char *purpose, const char *source)
{
	uint64_t h = 1469598103934665603ULL;

	for (const char *p = purpose; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ULL;
	h = (h ^ 0xff) * 1099511628211ULL;
	for (const char *p = source; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ULL;
	return h ? h : 1;
}

int64_t
ratelimit_take(struct ratelimit *rl, const char *purpose, const char *source,
    int64_t per_period, int64_t period_s)
{
	struct timespec ts;
	uint64_t key = key_of(purpose, source);
	double now, rate = (double)per_period / (double)period_s;
	struct slot *s = NULL, *oldest = NULL;
	int64_t wait = 0;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	now = (double)ts.tv_sec + ts.tv_nsec / 1e9;
	pthread_mutex_lock(&rl->lock);
	for (size_t i = 0; i < PROBE; i++) {
		struct slot *c = &rl->slots[(key + i) % SLOTS];

		if (c->key == key) {
			s = c;
			break;
		}
		if (oldest == NULL || c->key == 0 || c->last < oldest->last)
			oldest = c;
		if (c->key == 0)
			break;
	}
	if (s == NULL) {
		s = oldest;
		s->key = key;
		s->tokens = (double)per_period;
		s->last = now;
	}
	s->tokens += (now - s->last) * rate;
	if (s->tokens > (double)per_period)
		s->tokens = (double)per_period;
	s->last = now;
	if (s->tokens >= 1.0)
		s->tokens -= 1.0;
	else
		wait = (int64_t)((1.0 - s->tokens) / rate) + 1;
	pthread_mutex_unlock(&rl->lock);
	return wait;
}
