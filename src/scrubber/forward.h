/*
 * forward: clean-traffic return as an L4 forwarder. Traffic that passed the
 * XDP filters arrives at a protected address of the scrubber (addr:port of a
 * bundle IP with an origin); TCP connections are proxied to origin:port with
 * splice(2) through a pipe per direction (no copy to user space), UDP is
 * relayed per client session (one connected socket towards the origin per
 * client address, expired when idle). One epoll loop, no threads; the main
 * loop polls fwd_fd() and calls fwd_run(f, 0) when it is readable.
 * docs/DDOS.md "Clean-traffic return" explains the choice over GRE/IPIP.
 */
#ifndef YS_SCRUB_FORWARD_H
#define YS_SCRUB_FORWARD_H

#include <stddef.h>
#include <stdint.h>

#include "bundle.h"

struct fwd;

struct fwd_stats {
	uint64_t tcp_accepted, tcp_active, tcp_failed;
	uint64_t udp_sessions, udp_active, udp_dropped;
	uint64_t bytes_to_origin, bytes_to_client;
};

struct fwd *fwd_new(char *err, size_t errlen);
void fwd_free(struct fwd *f);

/* Listen on laddr:lport (proto TCP or UDP; the address may not be
 * configured yet: IP_FREEBIND) and forward to oaddr:oport. *lport_out gets
 * the bound port (useful with lport 0). 0 / -1 with err. */
int fwd_add(struct fwd *f, enum scrub_proto proto, const struct scrub_ipaddr *laddr,
    uint16_t lport, const struct scrub_ipaddr *oaddr, uint16_t oport, uint16_t *lport_out,
    char *err, size_t errlen);

/* Add a listener for every port of every service of every bundle IP that
 * has an origin (port ranges: each port). Returns the number added or -1. */
int fwd_add_bundle(struct fwd *f, const struct scrub_bundle *b, char *err, size_t errlen);

/* Handle what is ready, waiting at most timeout_ms (-1: forever). 0 / -1. */
int fwd_run(struct fwd *f, int timeout_ms);
int fwd_fd(const struct fwd *f);
void fwd_get_stats(const struct fwd *f, struct fwd_stats *s);

#endif
