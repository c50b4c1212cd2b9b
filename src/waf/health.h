/*
 * health: active origin health checks on a thread of their own. Each
 * site with a health_check gets, per origin and per interval, a TCP
 * connect or an HTTP GET of its path (status below 500 is up) bounded by
 * the timeout; "fall" failures in a row mark an origin down and "rise"
 * successes mark it up again. The proxy also marks an origin down at once
 * when a connection to it fails, and a check brings it back.
 */
#ifndef YS_HEALTH_H
#define YS_HEALTH_H

#include "siteconf.h"

struct health;

struct health *health_start(struct siteconf *(*current)(void *), void *arg);
void health_stop(struct health *h);

/* One check of one origin now; true when it is up. */
bool health_probe(const struct origin *o, const struct health_check *hc, const char *host);

#endif
