/*
 * cc: CC (challenge-collapsar, i.e. HTTP flood) protection. Token buckets
 * per (site, client IP) and per (site, client IP, URL path) in one table of
 * fixed size, shared by the worker threads: a flood of addresses evicts the
 * stalest entries but never grows memory. A client that empties a bucket is
 * blocked for the site's block period (the whole site for the IP bucket,
 * the one path for the URL bucket) and gets 429 with Retry-After.
 */
#ifndef YS_CC_H
#define YS_CC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct cc_policy {
	double ip_rate;		/* requests per second per IP; 0 = no IP limit */
	double ip_burst;	/* bucket size */
	double url_rate;	/* per (IP, path); 0 = no path limit */
	double url_burst;
	int64_t block_ms;	/* block period after a bucket ran dry */
};

struct cc_table;

/* entries: rounded up to a multiple of the set size; at least 1024. */
struct cc_table *cc_new(size_t entries);
void cc_free(struct cc_table *t);
size_t cc_capacity(const struct cc_table *t);

/* One request. 0: let it through; > 0: blocked, milliseconds until the
 * block ends. *started is set when this request started the block (the
 * moment to report an event). */
int64_t cc_check(struct cc_table *t, const struct cc_policy *pol, uint64_t site_id,
    const uint8_t ip[16], const char *path, size_t path_len, int64_t now_ms, bool *started);

#endif
