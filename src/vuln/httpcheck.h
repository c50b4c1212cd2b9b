/*
 * httpcheck: web checks as data. Each row of the table names a request
 * (method, path), what in the answer shows the problem (expected status,
 * body markers, a missing header, or a small match function) and the
 * finding it raises. Responses are read bounded (HTTPCHECK_MAX bytes) over
 * a plain socket or OpenSSL, and each path is fetched once per run.
 */
#ifndef YS_HTTPCHECK_H
#define YS_HTTPCHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "netfinding.h"

#define HTTPCHECK_MAX 65536

struct httpcheck_response {
	int status;		/* 0: not an HTTP answer */
	size_t head_len;	/* status line and headers, up to the blank line */
	size_t len;		/* bytes in buf */
	char buf[HTTPCHECK_MAX + 1];	/* NUL after len */
};

typedef int (*httpcheck_match_fn)(const struct httpcheck_response *r,
    char *ev, size_t evlen);

struct httpcheck_def {
	struct netfinding_def finding;
	const char *method;
	const char *path;
	int status;			/* required status; 0 = any answer */
	const char *markers[3];		/* any one in the body (NULL-ended) */
	const char *missing_header;	/* the finding is this header's absence */
	httpcheck_match_fn match;	/* else: this decides */
	bool https_only;
};

/* The table, ended by a row with finding.id NULL. */
extern const struct httpcheck_def httpcheck_table[];

/* Parses an answer already in r->buf[0..r->len): status and head_len.
 * Returns 0, or -1 when it is not an HTTP/1.x response. */
int httpcheck_parse(struct httpcheck_response *r);

/* The value of header name (case-insensitive) in the head, not
 * NUL-terminated: *vlen bytes. NULL when absent. */
const char *httpcheck_header(const struct httpcheck_response *r,
    const char *name, size_t *vlen);

/* One request to sa:port (TLS when tls), Host: host. 0 or -1. */
int httpcheck_fetch(const struct sockaddr *sa, socklen_t salen, uint16_t port,
    bool tls, const char *host, const char *method, const char *path,
    unsigned timeout_ms, struct httpcheck_response *r);

/* Runs every row against sa:port and appends what it finds. Returns the
 * number of rows that could be checked, or -1 when out of memory. */
int httpcheck_run(const struct sockaddr *sa, socklen_t salen, uint16_t port,
    bool tls, const char *host, unsigned timeout_ms,
    struct netfinding_list *l);

#endif
