/*
 * sitestats: per-site request and block counters, kept by the proxy's
 * workers without locks (a fixed open-addressed table of atomics, so a
 * reload keeps the counts) and read as deltas by the node's reporter,
 * which sends them to the control plane as waf.stats events.
 */
#ifndef YS_WAF_SITESTATS_H
#define YS_WAF_SITESTATS_H

#include <stdbool.h>
#include <stdint.h>

#define SITESTATS_SLOTS 4096	/* sites per node; further sites are not counted */

void sitestats_count(int64_t site_id, bool blocked);

/* Calls fn for every site whose counts grew since the last call, with the
 * growth. Only one thread reads. */
typedef void (*sitestats_fn)(void *arg, int64_t site_id, uint64_t requests, uint64_t blocked);
void sitestats_drain(sitestats_fn fn, void *arg);

#endif
