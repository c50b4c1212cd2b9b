/*
 * waf.h: the contract between yunshou-waf's data plane (the proxy and its
 * HTTP parser, `yunshou-waf inspect`) and its inspection engine (normalisers,
 * detectors, rules, anomaly scoring, per-site exceptions and custom rules).
 *
 * The proxy (or inspect, from a JSON line) fills a waf_request that points
 * into its own buffers; the engine never keeps those pointers after
 * waf_inspect() returns and never writes through them. An engine and a
 * site policy are immutable once built, so one engine is shared by every
 * worker thread; a new rules bundle builds a new engine and the proxy
 * swaps it in (reference counted) without dropping in-flight requests.
 */
#ifndef YS_WAF_H
#define YS_WAF_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

struct waf_header {
	const char *name;
	size_t name_len;
	const char *value;
	size_t value_len;
};

struct waf_request {
	const char *method;
	size_t method_len;
	const char *path;	/* raw request path, still percent-encoded */
	size_t path_len;
	const char *query;	/* raw query after '?', NULL or "" when none */
	size_t query_len;
	const struct waf_header *headers;
	size_t n_headers;
	const uint8_t *body;	/* de-chunked body; content type from headers */
	size_t body_len;
	const char *client_ip;	/* textual IPv4/IPv6 */
	const char *request_id;
};

enum waf_action { WAF_PASS = 0, WAF_BLOCK = 1 };

#define WAF_MAX_MATCHES 16

struct waf_match {
	char rule_id[32];	/* e.g. "sqli-942100", "custom-3" */
	char category[24];	/* sqli, xss, cmdi, lfi, rfi, ssrf, xxe, ssti,
				 * webshell, scanner, protocol, custom */
	int severity;		/* 1 low .. 4 critical */
	int score;		/* the rule's contribution to the anomaly score */
	char field[64];		/* where: "query:id", "header:user-agent", ... */
	char excerpt[128];	/* masked, printable, NUL-terminated */
};

struct waf_verdict {
	enum waf_action action;	/* what to do (monitor mode: always PASS) */
	int would_block;	/* the score reached the threshold (any mode) */
	int score;
	size_t n_matches;
	struct waf_match matches[WAF_MAX_MATCHES];
};

struct waf_engine;	/* compiled shipped rules (rules/waf/) */
struct waf_site;	/* one site's mode, threshold, exceptions, custom rules */

/* Load and compile every rule file in dir (or the rules array of a signed
 * bundle's JSON). NULL with a message in err on any bad rule: a rule set
 * that fails to load is rejected whole. */
struct waf_engine *waf_engine_load_dir(const char *dir, char *err, size_t errlen);
struct waf_engine *waf_engine_load_json(const json_t *rules, char *err, size_t errlen);
void waf_engine_ref(struct waf_engine *e);
void waf_engine_unref(struct waf_engine *e);

/* A site's policy from its JSON object (mode "block"|"monitor",
 * "threshold", "exceptions", "custom_rules"); NULL object = defaults
 * (block mode, default threshold, no exceptions). */
struct waf_site *waf_site_from_json(const struct waf_engine *e, const json_t *site,
    char *err, size_t errlen);
void waf_site_free(struct waf_site *s);

/* Inspect one request. Thread-safe; 0, or -1 only on allocation failure
 * (the caller then fails closed with a 503). */
int waf_inspect(const struct waf_engine *e, const struct waf_site *site,
    const struct waf_request *req, struct waf_verdict *out);

#endif
