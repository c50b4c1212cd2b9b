/*
 * sitestats: lock-free per-site counters (sitestats.h).
 */
#include "sitestats.h"

#include <stdatomic.h>
#include <stddef.h>

static struct slot {
	_Atomic int64_t id;		/* 0: free */
	atomic_uint_fast64_t requests, blocked;
	uint64_t seen_requests, seen_blocked;	/* the reader's */
} slots[SITESTATS_SLOTS];

static struct slot *
slot_for(int64_t id)
{
	uint64_t h = (uint64_t)id * 0x9e3779b97f4a7c15ULL;

	for (unsigned i = 0; i < SITESTATS_SLOTS; i++) {
		struct slot *s = &slots[(h + i) % SITESTATS_SLOTS];
		int64_t cur = atomic_load_explicit(&s->id, memory_order_acquire), zero = 0;

		if (cur == id)
			return s;
		if (cur == 0) {
			if (atomic_compare_exchange_strong(&s->id, &zero, id) || zero == id)
				return s;
		}
	}
	return NULL;
}

void
sitestats_count(int64_t site_id, bool blocked)
{
	struct slot *s = site_id > 0 ? slot_for(site_id) : NULL;

	if (s == NULL)
		return;
	if (blocked)
		atomic_fetch_add_explicit(&s->blocked, 1, memory_order_relaxed);
	else
		atomic_fetch_add_explicit(&s->requests, 1, memory_order_relaxed);
}

void
sitestats_drain(sitestats_fn fn, void *arg)
{
	for (unsigned i = 0; i < SITESTATS_SLOTS; i++) {
		struct slot *s = &slots[i];
		int64_t id = atomic_load_explicit(&s->id, memory_order_acquire);
		uint64_t r, b;

		if (id == 0)
			continue;
		r = atomic_load_explicit(&s->requests, memory_order_relaxed);
		b = atomic_load_explicit(&s->blocked, memory_order_relaxed);
		if (r == s->seen_requests && b == s->seen_blocked)
			continue;
		fn(arg, id, r - s->seen_requests, b - s->seen_blocked);
		s->seen_requests = r;
		s->seen_blocked = b;
	}
}
