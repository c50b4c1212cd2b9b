/*
 * cc.c: the fixed-size token-bucket table (see cc.h). Set-associative: a
 * key hashes (seeded per process, so an attacker cannot aim at one set) to
 * a set of CC_WAYS entries; a new key takes a free entry or evicts the
 * least recently seen one, sparing entries still blocked while it can.
 * Sets are guarded by striped mutexes so workers rarely meet.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "cc.h"

#define CC_WAYS 8
#define CC_LOCKS 64

struct cc_entry {
	uint64_t key;		/* 0 = free */
	double tokens;
	int64_t last_ms;
	int64_t blocked_until;
};

struct cc_table {
	size_t n_sets;
	uint64_t seed;
	pthread_mutex_t locks[CC_LOCKS];
	struct cc_entry entries[];
};

struct cc_table *
cc_new(size_t entries)
{
	struct cc_table *t;
	size_t sets = (entries < 1024 ? 1024 : entries) / CC_WAYS;

	t = calloc(1, sizeof(*t) + sets * CC_WAYS * sizeof(t->entries[0]));
	if (t == NULL)
		return NULL;
	t->n_sets = sets;
	if (getrandom(&t->seed, sizeof(t->seed), 0) != sizeof(t->seed))
		t->seed = (uint64_t)(uintptr_t)t ^ 0x9e3779b97f4a7c15ULL;
	for (size_t i = 0; i < CC_LOCKS; i++)
		pthread_mutex_init(&t->locks[i], NULL);
	return t;
}

void
cc_free(struct cc_table *t)
{
	if (t == NULL)
		return;
	for (size_t i = 0; i < CC_LOCKS; i++)
		pthread_mutex_destroy(&t->locks[i]);
	free(t);
}

size_t
cc_capacity(const struct cc_table *t)
{
	return t->n_sets * CC_WAYS;
}

static uint64_t
mix(uint64_t h, const void *data, size_t n)
{
	const uint8_t *p = data;

	for (size_t i = 0; i < n; i++) {
		h ^= p[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

static uint64_t
finish(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return h != 0 ? h : 1;
}

/* Free entries first, then entries not blocked, then the least recently seen. */
static bool
evict_before(const struct cc_entry *a, const struct cc_entry *b, int64_t now)
{
	bool a_blocked = a->blocked_until > now, b_blocked = b->blocked_until > now;

	if (a->key == 0 || b->key == 0)
		return a->key == 0 && b->key != 0;
	if (a_blocked != b_blocked)
		return !a_blocked;
	return a->last_ms < b->last_ms;
}

/* Take one token from key's bucket; returns the wait when blocked. Caller
 * holds the set's lock. */
static int64_t
take(struct cc_table *t, uint64_t key, double rate, double burst, int64_t block_ms,
    int64_t now, bool *started)
{
	struct cc_entry *set = &t->entries[(key % t->n_sets) * CC_WAYS], *e = NULL, *victim = NULL;

	for (size_t i = 0; i < CC_WAYS; i++) {
		if (set[i].key == key) {
			e = &set[i];
			break;
		}
		if (victim == NULL || evict_before(&set[i], victim, now))
			victim = &set[i];
	}
	if (e == NULL) {
		e = victim;
		e->key = key;
		e->tokens = burst;
		e->last_ms = now;
		e->blocked_until = 0;
	}
	if (e->blocked_until > now)
		return e->blocked_until - now;
	if (now > e->last_ms) {
		e->tokens += rate * (double)(now - e->last_ms) / 1000.0;
		if (e->tokens > burst)
			e->tokens = burst;
	}
	e->last_ms = now;
	if (e->tokens >= 1.0) {
		e->tokens -= 1.0;
		return 0;
	}
	e->blocked_until = now + (block_ms > 0 ? block_ms : 1000);
	e->tokens = burst;	/* full again when the block ends */
	*started = true;
	return e->blocked_until - now;
}

static int64_t
locked_take(struct cc_table *t, uint64_t key, double rate, double burst, int64_t block_ms,
    int64_t now, bool *started)
{
	pthread_mutex_t *lk = &t->locks[(key % t->n_sets) % CC_LOCKS];
	int64_t wait;

	pthread_mutex_lock(lk);
	wait = take(t, key, rate, burst, block_ms, now, started);
	pthread_mutex_unlock(lk);
	return wait;
}

int64_t
cc_check(struct cc_table *t, const struct cc_policy *pol, uint64_t site_id,
    const uint8_t ip[16], const char *path, size_t path_len, int64_t now_ms, bool *started)
{
	uint64_t h = mix(t->seed ^ 0xcbf29ce484222325ULL, &site_id, sizeof(site_id));
	int64_t wait;

	*started = false;
	h = mix(h, ip, 16);
	if (pol->ip_rate > 0) {
		wait = locked_take(t, finish(h), pol->ip_rate, pol->ip_burst > 1 ? pol->ip_burst : 1,
		    pol->block_ms, now_ms, started);
		if (wait > 0)
			return wait;
	}
	if (pol->url_rate > 0) {
		h = mix(h, "\0", 1);
		h = mix(h, path, path_len);
		wait = locked_take(t, finish(h), pol->url_rate,
		    pol->url_burst > 1 ? pol->url_burst : 1, pol->block_ms, now_ms, started);
		if (wait > 0)
			return wait;
	}
	return 0;
}
