/*
 * tlscheck: what a TLS server accepts and what certificate it shows. One
 * handshake per protocol version (min = max, SECLEVEL=0 so the client
 * can still offer TLS 1.0/1.1), one per weak cipher class (TLS 1.2 and
 * older), and the leaf certificate's expiry, issuer and names against the
 * target. The checks that turn these into findings are table rows.
 */
#ifndef YS_TLSCHECK_H
#define YS_TLSCHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "netfinding.h"

enum tlscheck_version {
	TLSCHECK_TLS10,
	TLSCHECK_TLS11,
	TLSCHECK_TLS12,
	TLSCHECK_TLS13,
	TLSCHECK_NVERSIONS,
};

struct tlscheck_result {
	bool handshake;			/* any version answered */
	bool accepts[TLSCHECK_NVERSIONS];
	char weak[192];			/* "class:cipher,..." accepted */
	char untested[64];		/* classes this OpenSSL cannot offer */
	bool has_cert;
	bool expired;
	bool expiring;			/* within 30 days */
	int days_left;			/* negative when expired */
	bool self_signed;
	bool name_mismatch;		/* only checked when a name was given */
	char subject[128];
	char issuer[128];
	char not_after[32];		/* "YYYY-MM-DD" */
};

/* "TLSv1.0" ... "TLSv1.3". */
const char *tlscheck_version_name(enum tlscheck_version v);

/*
 * Probes sa:port. name is what the target was called (host name or IP
 * literal) for the hostname check; NULL skips it. Returns 0 (r filled,
 * r->handshake false when nothing spoke TLS) or -1 when OpenSSL failed.
 */
int tlscheck_run(const struct sockaddr *sa, socklen_t salen, uint16_t port,
    const char *name, unsigned timeout_ms, struct tlscheck_result *r);

/* Appends the findings the result shows (table rows in tlscheck.c). */
int tlscheck_findings(const struct tlscheck_result *r, uint16_t port,
    struct netfinding_list *l);

#endif
