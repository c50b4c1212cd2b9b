/*
 * wire: would yunshou-waf's HTTP parser take this request? The proxy
 * parses every request with http.c before the engine sees it and answers
 * 400/431/501 to what it refuses (smuggling framings, bad chunk sizes,
 * over-long lines, ...). `yunshou-waf inspect` reads requests as JSON, so
 * it writes each one back as HTTP/1.1 and parses it the same way; its
 * verdicts are then those of the proxy, not only the engine's.
 */
#ifndef YS_WAF_WIRE_H
#define YS_WAF_WIRE_H

#include <stddef.h>
#include <stdint.h>

#include "http.h"
#include "waf.h"

/* 0: the parser takes r (lim NULL = default limits). When the request is
 * chunked, *body is its de-chunked body (malloc'd, the caller frees it),
 * else NULL. A body shorter than its framing announces is taken: the proxy
 * would wait for the rest. -1: refused, why says why. -2: out of memory. */
int waf_wire_check(const struct waf_request *r, const struct http_limits *lim,
    uint8_t **body, size_t *body_len, char *why, size_t whylen);

#endif
