/*
 * http: the CLI's HTTPS client, one libcurl easy handle per request. TLS 1.2
 * or newer, peer and host name always verified (against --ca when given),
 * https only, no redirects, bounded time and response size. Never logs or
 * reports a header or body: the Authorization header carries the token.
 */
#ifndef YS_CLI_HTTP_H
#define YS_CLI_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <jansson.h>

#define CLI_HTTP_MAX_BODY (64u * 1024 * 1024)

struct cli_http_req {
	const char *server;	/* "https://host[:port]" */
	const char *ca;		/* PEM bundle or NULL (system store) */
	const char *token;	/* Bearer token or NULL */
	const char *method;	/* GET, POST, DELETE */
	const char *path;	/* "/v1/..." */
	const char *query;	/* URL-encoded, or NULL */
	const json_t *body;	/* POST body, or NULL (sent as "{}") */
	FILE *sink;		/* streaming: a 2xx body goes here, unbounded
				 * in size and without the total timeout */
};

struct cli_http_resp {
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
 * Release resp with cli_http_resp_free() in every case.
 */
int cli_http_request(const struct cli_http_req *req, struct cli_http_resp *resp,
    char *err, size_t errlen);
void cli_http_resp_free(struct cli_http_resp *resp);

#endif
