/*
 * sitecfg: validators for what a tenant types into a WAF site (docs/API.md
 * "WAF sites"): domain names, origin addresses, CIDRs, custom rules and
 * rule exceptions. They touch neither the store nor the network, so the
 * fuzz harness (tests/fuzz/fuzz_sitecfg.c) drives them directly. Each
 * returns 0 and writes a canonical form (lower case, normalised address),
 * or -1 with a user-facing reason in err.
 */
#ifndef YS_SITECFG_H
#define YS_SITECFG_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "err.h"

#define SITECFG_DOMAIN_MAX 253
#define SITECFG_CIDR_MAX 64		/* "ffff:...:ffff/128" fits */
#define SITECFG_VALUE_MAX 1024

/* A DNS name: 2+ labels of a-z 0-9 '-', 1-63 bytes each, 253 in all; no
 * hyphen at a label's ends; "xx--" only as a valid punycode "xn--" label;
 * the top label not numeric; "*" only as the whole leftmost label (and then
 * 2+ labels after it) when wildcard is true. ASCII only: IDNs are given in
 * their xn-- form. Upper case is folded. out holds SITECFG_DOMAIN_MAX + 1. */
int sitecfg_domain(const char *s, bool wildcard, char *out, size_t outsz, char *err,
    size_t errlen);

/* An origin a WAF node may connect to: an IPv4/IPv6 literal or a host name
 * (as sitecfg_domain without wildcard). Loopback, unspecified, link-local
 * (cloud metadata 169.254.169.254 included), multicast, broadcast, the
 * Alibaba Cloud metadata address 100.100.100.200 and AWS fd00:ec2::254 are
 * refused, also inside IPv4-mapped IPv6, and so are "localhost" names.
 * out holds SITECFG_DOMAIN_MAX + 1. */
int sitecfg_origin_address(const char *s, char *out, size_t outsz, char *err, size_t errlen);

/* "a.b.c.d[/n]" or "v6[/n]"; host bits must be zero. Canonical text in out
 * (SITECFG_CIDR_MAX), with the prefix length always written. */
int sitecfg_cidr(const char *s, char *out, size_t outsz, char *err, size_t errlen);

/* Is ip (a literal) inside cidr (canonical)? false for anything malformed. */
bool sitecfg_cidr_contains(const char *cidr, const char *ip);

/* A name a tenant gives (site, protected object): no control characters;
 * false with e set otherwise. */
bool sitecfg_name_ok(const char *s, struct ys_err *e);

/* A custom rule {"name", "field", "operator", "value", "action"}: checked
 * and returned canonical in *out (new reference). Unknown members are an
 * error. Fields: method, path, query, uri, body, client_ip, header:<name>,
 * cookie:<name>, arg:<name>. Operators: equals, not_equals, contains,
 * prefix, suffix, regex (PCRE2, compiled to check), in_cidr (client_ip
 * only; value a comma-separated CIDR list), length_gt (value a number).
 * Actions: block, allow, log. */
int sitecfg_custom_rule(const json_t *in, json_t **out, char *err, size_t errlen);

/* A rule exception {"rule_id" | "category", "path_prefix"?, "field"?,
 * "note"?}: at least one of rule_id and category. */
int sitecfg_exception(const json_t *in, json_t **out, char *err, size_t errlen);

/* An event a WAF node sends (module "waf"): type "waf.attack" with payload
 * {site_id, rule_id, category, severity, action, client_ip, method, uri,
 * excerpt, request_id[, score]} or "waf.stats" with {site_id, requests,
 * blocked[, period_s]}. Strict: unknown members or types are errors. */
int sitecfg_waf_event(const char *type, const json_t *payload, char *err, size_t errlen);

/* Is s one of the WAF's attack categories (sqli, xss, ...)? */
bool sitecfg_is_category(const char *s);

#endif
