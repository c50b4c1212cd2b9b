/*
 * xss: cross-site scripting by reading the input as a browser would read
 * it in the places a value lands: HTML text (tags, their attributes and
 * attribute values), a URL attribute (javascript:, vbscript:, data:
 * HTML), CSS (expression(), behavior) and a JavaScript string it could
 * break out of (a quote or operator, then a call of a script sink).
 * Harmless markup (<b>, <p style="color:red">, <a href="https://...">)
 * and prose that names alert() are not attacks.
 */
#ifndef YS_WAF_XSS_H
#define YS_WAF_XSS_H

#include <stddef.h>

struct xss_result {
	const char *reason;	/* static */
	size_t offset;
};

/* 1 when s[0..len) would run script in one of those contexts. */
int xss_detect(const char *s, size_t len, struct xss_result *r);

#endif
