/*
 * netscan: one host's network scan as one call -- connect scan of the
 * given ports, then for each open port the service (svcid), the TLS checks
 * (tlscheck) on TLS services and the web checks (httpcheck) on HTTP(S) --
 * and its JSON form. yunshou-scan runs it from the command line, yunshoud's
 * scan worker for the tenants' authorised targets.
 */
#ifndef YS_NETSCAN_H
#define YS_NETSCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include <jansson.h>

#include "netfinding.h"
#include "portscan.h"
#include "svcid.h"
#include "tlscheck.h"

struct netscan_port {
	uint16_t port;
	bool identified;		/* svc is filled (not in ports-only scans) */
	struct svcid_result svc;
	bool tls_checked;
	struct tlscheck_result tls;
};

/* Open ports of one host whose service, TLS and web checks run; the rest
 * are reported open only (unchecked). */
#define NETSCAN_MAX_CHECKED 256

struct netscan_host {
	char address[64];		/* numeric, as scanned */
	struct portscan_result ps;
	struct netscan_port *ports;	/* one per open port, ascending */
	size_t n_ports;
	struct netfinding_list findings;
	bool cancelled;
	size_t unchecked;		/* open ports beyond NETSCAN_MAX_CHECKED */
	double portscan_s, total_s;
};

/* Scans sa (its numeric form goes to out->address). name is the host
 * name for SNI, Host: and the certificate name check (NULL: none).
 * ports_only skips the service, TLS and web checks. The scan stops early
 * when o->cancel is set (out->cancelled). 0, or -1 with err. */
int netscan_host_run(const struct sockaddr *sa, socklen_t salen, const char *name,
    const uint16_t *ports, size_t n, const struct portscan_opts *o,
    unsigned timeout_ms, bool ports_only, struct netscan_host *out,
    char *err, size_t errlen);
void netscan_host_free(struct netscan_host *h);

/* {"open_ports":[..], "services":[..], "tls":[..], "findings":[..],
 *  "unchecked_ports": N};
 * NULL when out of memory. */
json_t *netscan_host_json(const struct netscan_host *h);
/* One service's JSON row ({"port","service","product","version","tls",
 * "auth","probe","banner"}). */
json_t *netscan_port_json(const struct netscan_port *p);
const char *netscan_auth_name(enum svcid_auth a);

/* The numeric form of sa ("192.0.2.1", "2001:db8::1"). */
void netscan_address(const struct sockaddr *sa, char *out, size_t outlen);

#endif
