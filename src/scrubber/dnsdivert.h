/*
 * dnsdivert: DNS diversion. A protected domain is a name in the provider's
 * protection zone (tenants CNAME their own name to it); its A/AAAA records
 * point at the origin or, during an attack (on-demand) or always
 * (always-on), at the scrubbing address. Switching is an RFC 2136 dynamic
 * update signed with TSIG (hmac-sha256) sent with ldns to the zone's
 * authoritative server, then verified by querying the server (SOA serial and
 * the record set). dnsdiv_want() is the pure decision: which target a domain
 * should have now, with the hold-down after an attack.
 */
#ifndef YS_SCRUB_DNSDIVERT_H
#define YS_SCRUB_DNSDIVERT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bundle.h"

struct dnsdiv;

/* Load the TSIG secret from cfg->secret_ref ("file:/path" holding a BIND
 * key clause as written by tsig-keygen, or the bare base64 secret;
 * "env:NAME") and prepare the resolvers. NULL with err on failure. The
 * secret never appears in err. */
struct dnsdiv *dnsdiv_open(const struct scrub_dns *cfg, char *err, size_t errlen);
void dnsdiv_close(struct dnsdiv *d);

struct dnsdiv_result {
	uint32_t serial_before, serial_after;
	double latency_ms;	/* update sent -> the new set answered by the server */
};

/* Replace name's A and AAAA records with addrs[0..n) (TTL cfg->ttl), then
 * query the server until it answers the new set (up to timeout_ms). 0 / -1
 * with err: "REFUSED", "NOTAUTH (TSIG BADSIG)", "timeout", ... */
int dnsdiv_set(struct dnsdiv *d, const char *name, const struct scrub_ipaddr *addrs, size_t n,
    struct dnsdiv_result *res, char *err, size_t errlen);

/* The A and AAAA records the server answers for name (no TSIG). */
int dnsdiv_query(struct dnsdiv *d, const char *name, struct scrub_ipaddr *out, size_t max,
    size_t *n, uint32_t *ttl, char *err, size_t errlen);
/* The zone's SOA serial. */
int dnsdiv_serial(struct dnsdiv *d, uint32_t *serial, char *err, size_t errlen);

enum dnsdiv_target { DNSDIV_UNKNOWN = 0, DNSDIV_ORIGIN, DNSDIV_SCRUB };

/* The target a domain should point at: always-on -> scrub; on-demand ->
 * scrub while attacked and until last_end_ms + hold_down_ms, else origin. */
enum dnsdiv_target dnsdiv_want(enum scrub_divert_mode mode, bool attacked,
    uint64_t last_end_ms, uint64_t hold_down_ms, uint64_t now_ms);

/* The address set for target: origin addresses, or the scrubbing address
 * of each family the domain has an origin in. Returns the count. */
size_t dnsdiv_addrs(const struct scrub_bundle *b, const struct scrub_domain *dom,
    enum dnsdiv_target target, struct scrub_ipaddr *out, size_t max);

const char *dnsdiv_target_name(enum dnsdiv_target t);

#endif
