/*
 * httpc: the HTTPS client of the CLI and the nodes, one libcurl easy handle
 * per request. TLS 1.2 or newer, peer and host name verified (against ca
 * when given), https only, no redirects, bounded time and response size,
 * optional client certificate (mTLS). Never logs or reports a header or
 * body: the Authorization header carries the token.
 *
 * The one exception to verification is bootstrap_unverified, used by an
 * enrolling node for a single GET of the control plane's public CA
 * certificate, which the node accepts only if its SHA-256 fingerprint
 * equals the one its administrator gave it; nothing secret is sent then.
 */
#ifndef YS_HTTPC_H
#define YS_HTTPC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <jansson.h>

#define HTTPC_MAX_BODY (64u * 1024 * 1024)

struct httpc_req {
	const char *server;	/* "https://host[:port]" */
	const char *ca;		/* PEM bundle or NULL (system store) */
	const char *token;	/* Bearer token or NULL */
	const char *method;	/* GET, POST, DELETE */
	const char *path;	/* "/v1/..." */
	const char *query;	/* URL-encoded, or NULL */
	const json_t *body;	/* POST body, or NULL (sent as "{}") */
	FILE *sink;		/* streaming: a 2xx body goes here, unbounded
				 * in size and without the total timeout */
	const char *cert;	/* client certificate (PEM file), or NULL */
	const char *key;	/* its private key (PEM file) */
	long timeout_s;		/* total time limit; 0: 120 s */
	size_t max_stream;	/* with sink: refuse a body larger than this (0: no limit) */
	bool bootstrap_unverified;	/* see above; GET only */
};

struct httpc_resp {
	long status;
	char *body;		/* NUL-terminated; NULL if empty or streamed */
	size_t len;
	long retry_after;	/* Retry-After header in seconds, or -1 */
	size_t streamed;	/* bytes written to sink */
};

/*
 * 0: an HTTP answer arrived (any status) and is in resp.
 * -1: the server could not be reached (DNS, TCP, TLS, timeout); err holds
 *     curl's message.
 * -2: a local failure (answer too large, writing the sink failed, no
 *     memory); err says which.
 * Release resp with httpc_resp_free() in every case.
 */
int httpc_request(const struct httpc_req *req, struct httpc_resp *resp,
    char *err, size_t errlen);
void httpc_resp_free(struct httpc_resp *resp);

#endif
