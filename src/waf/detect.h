/*
 * detect: the detector table. A rule whose operator is "detect" names one
 * row; adding a detector is adding a row and its function. Field detectors
 * judge one (normalised) value; request detectors (protocol) judge the
 * parsed request as a whole. All are pure functions of their input,
 * bounded in time, and thread-safe.
 */
#ifndef YS_WAF_DETECT_H
#define YS_WAF_DETECT_H

#include <stddef.h>

#include "waf.h"

struct detect_hit {
	const char *reason;	/* static text */
	size_t offset;		/* where in the value (field detectors) */
};

typedef int (*detect_field_fn)(const char *s, size_t len, struct detect_hit *hit);
typedef int (*detect_request_fn)(const struct waf_request *req, unsigned field_flags,
    struct detect_hit *hit);

struct detector {
	const char *name;
	const char *category;	/* the category its rules usually carry */
	detect_field_fn field_fn;	/* exactly one of field_fn, request_fn */
	detect_request_fn request_fn;
	const char *what;	/* one line for the docs */
};

extern const struct detector detect_table[];
extern const size_t detect_count;

const struct detector *detect_find(const char *name);

/* The individual detectors, for the tests. */
/* Where the value being judged came from (a field's source: "query",
 * "json", "form", "cookie", ...; NULL when unknown), per thread, set by the
 * engine before it runs a field's rules. Allowances for documents people
 * post (a script file in cmdi) hold only in request bodies: a query
 * argument, cookie or header is never a document. */
void detect_set_source(const char *src);

int detect_sqli(const char *s, size_t len, struct detect_hit *hit);
int detect_xss(const char *s, size_t len, struct detect_hit *hit);
int detect_cmdi(const char *s, size_t len, struct detect_hit *hit);
int detect_lfi(const char *s, size_t len, struct detect_hit *hit);
int detect_rfi(const char *s, size_t len, struct detect_hit *hit);
int detect_ssrf(const char *s, size_t len, struct detect_hit *hit);
int detect_xxe(const char *s, size_t len, struct detect_hit *hit);
int detect_ssti(const char *s, size_t len, struct detect_hit *hit);
int detect_webshell(const char *s, size_t len, struct detect_hit *hit);
int detect_script_filename(const char *s, size_t len, struct detect_hit *hit);
int detect_scanner(const char *s, size_t len, struct detect_hit *hit);
int detect_converter(const char *s, size_t len, struct detect_hit *hit);
int detect_playlist(const char *s, size_t len, struct detect_hit *hit);
int detect_graphql(const char *s, size_t len, struct detect_hit *hit);
int detect_protocol(const struct waf_request *req, unsigned field_flags, struct detect_hit *hit);

#endif
