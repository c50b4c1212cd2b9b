/*
 * synscan: the SYN scan behind portscan_run() when opts->syn is set and
 * the process may open raw sockets (CAP_NET_RAW); see synscan.c.
 */
#ifndef YS_SYNSCAN_H
#define YS_SYNSCAN_H

#include <stddef.h>
#include <stdint.h>

#include "portscan.h"

#define SYNSCAN_NOT_PERMITTED (-2)

/* Like portscan_run (ports in any order, each at most once; the result
 * ascending); SYNSCAN_NOT_PERMITTED without the privilege. */
int synscan_run(const struct sockaddr *sa, socklen_t salen, const uint16_t *ports, size_t n,
    const struct portscan_opts *o, struct portscan_result *res, char *err, size_t errlen);

/* What a packet read from the raw socket says: SYNSCAN_OPEN (a SYN-ACK)
 * or SYNSCAN_CLOSED (a RST) from target (4 or 16 bytes) to our source port
 * sport, with the port it answers for and its acknowledgment number; else
 * SYNSCAN_IGNORE. IPv4 packets start with the IP header, IPv6 ones with
 * TCP. Reads only p[0..n): packets are hostile (tests/fuzz/fuzz_banner.c). */
enum { SYNSCAN_IGNORE, SYNSCAN_OPEN, SYNSCAN_CLOSED };
int synscan_classify(int family, const uint8_t *p, size_t n, const uint8_t *target,
    uint16_t sport, uint16_t *port, uint32_t *ack);

#endif
