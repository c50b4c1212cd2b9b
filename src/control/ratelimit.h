/*
 * ratelimit: token buckets per (purpose, source address), shared by all
 * worker threads. The table has a fixed size so a flood of distinct
 * addresses cannot grow memory: when a neighbourhood is full, the bucket
 * used longest ago is reused (an idle bucket is a full one anyway).
 */
#ifndef YS_RATELIMIT_H
#define YS_RATELIMIT_H

#include <stdint.h>

struct ratelimit;

struct ratelimit *ratelimit_new(void);
void ratelimit_free(struct ratelimit *rl);
/* Take one token from the bucket of (purpose, source) that refills at
 * per_period tokens per period_s seconds with burst per_period. Returns 0
 * when allowed, otherwise the seconds to wait. */
int64_t ratelimit_take(struct ratelimit *rl, const char *purpose, const char *source,
    int64_t per_period, int64_t period_s);

#endif
