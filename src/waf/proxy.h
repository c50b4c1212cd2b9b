/*
 * proxy: yunshou-waf's HTTP/1.1 reverse proxy. Worker threads, each with
 * its own libevent loop, accept on the shared listen sockets and hand each
 * new connection to the worker with the fewest connections; a request is
 * parsed strictly (http.h), matched to a site by Host (and SNI), checked
 * against the site's IP lists and CC limits, buffered up to the inspection
 * cap and inspected (waf.h), then forwarded to a healthy origin over a
 * pooled keep-alive connection, and the response is streamed back.
 */
#ifndef YS_PROXY_H
#define YS_PROXY_H

#include <stdbool.h>
#include <stddef.h>

#include "events.h"
#include "siteconf.h"

struct proxy;

/* Takes ownership of cfg and ev. cc_entries sizes the CC table. */
struct proxy *proxy_new(struct siteconf *cfg, struct events *ev, size_t cc_entries, char *err,
    size_t errlen);
/* Bind and listen on "ADDR:PORT" ("[v6]:PORT"); tls: terminate TLS there. */
int proxy_listen(struct proxy *px, const char *addr, bool tls, char *err, size_t errlen);
/* Start n worker threads. */
int proxy_start(struct proxy *px, size_t n_workers, char *err, size_t errlen);
/* The configuration in force, with a reference the caller drops. */
struct siteconf *proxy_config(struct proxy *px);
/* Swap in a new configuration (takes ownership); requests already
 * started keep the one they began with. */
void proxy_swap(struct proxy *px, struct siteconf *cfg);
/* Stop accepting, let requests in flight finish for up to drain_ms,
 * then stop the workers and free everything. */
void proxy_stop_and_free(struct proxy *px, int drain_ms);

#endif
