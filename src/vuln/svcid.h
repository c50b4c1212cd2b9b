/*
 * svcid: which service listens on an open port. First the banner the
 * service volunteers (SSH, SMTP, FTP, MySQL speak first), else the probes
 * of a table (HTTP HEAD, Redis PING, PostgreSQL SSLRequest), else a TLS
 * handshake (tried first on the usual TLS ports) followed by HTTP inside
 * it. Every answer is hostile input: the matchers read a bounded buffer
 * and never assume a terminator (fuzzed by tests/fuzz/fuzz_banner.c).
 */
#ifndef YS_SVCID_H
#define YS_SVCID_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "netfinding.h"

enum svcid_auth {
	SVCID_AUTH_UNKNOWN,
	SVCID_AUTH_NONE,	/* answered a command without credentials */
	SVCID_AUTH_REQUIRED,
};

struct svcid_result {
	char service[16];	/* "ssh", "http", "https", "smtp", "ftp", "mysql",
				   "redis", "postgresql", "tls", "unknown" */
	char product[64];
	char version[64];
	char banner[128];	/* first line seen, printable ASCII */
	char probe[16];		/* what identified it: "banner", a probe, "tls" */
	bool tls;
	enum svcid_auth auth;
	int http_status;	/* HTTP only */
};

/* A matcher: 1 if buf[0..n) is this service's answer (out filled), else 0. */
typedef int (*svcid_match_fn)(const uint8_t *buf, size_t n,
    struct svcid_result *out);

struct svcid_probe {
	const char *name;
	const char *payload;	/* NULL: a banner matcher, nothing is sent */
	size_t payload_len;
	svcid_match_fn match;
	bool generic;		/* also tried on banners and other probes' answers */
};

/* The probe table, ended by a row with name NULL. */
extern const struct svcid_probe svcid_probes[];

/* Runs the generic matchers over an answer; 1 when one matched. */
int svcid_match(const uint8_t *buf, size_t n, struct svcid_result *out);

/*
 * Identifies the service on sa:port. timeout_ms bounds each connect and
 * read (the banner wait is a third of it). Always fills *out (service
 * "unknown" when nothing matched); returns 0, or -1 if no connection
 * could be made at all.
 */
int svcid_identify(const struct sockaddr *sa, socklen_t salen, uint16_t port,
    unsigned timeout_ms, struct svcid_result *out);

/* Findings the identification alone shows (unauthenticated Redis). */
int svcid_findings(const struct svcid_result *r, uint16_t port,
    struct netfinding_list *l);

#endif
