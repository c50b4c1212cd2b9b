/*
 * nodecfg: the control plane's WAF bundle as the proxy's configuration,
 * and the proxy's events as node events (nodecfg.h). The mapping of
 * custom-rule fields and operators is two tables.
 */
#include "nodecfg.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Control-plane field kinds (sitecfg.c) -> the engine's field classes. */
static const struct field_map {
	const char *cp;		/* "header" for "header:NAME" */
	const char *engine;
} field_map[] = {
	{ "method", "method" }, { "path", "path" }, { "uri", "path" }, { "query", "args" },
	{ "body", "body" }, { "client_ip", "client_ip" }, { "header", "headers" },
	{ "cookie", "cookies" }, { "arg", "args" },
};

static int
map_field(const char *cp, char *out, size_t outlen)
{
	const char *colon = strchr(cp, ':');
	size_t kl = colon ? (size_t)(colon - cp) : strlen(cp);

	for (size_t i = 0; i < sizeof(field_map) / sizeof(field_map[0]); i++)
		if (strlen(field_map[i].cp) == kl && strncmp(field_map[i].cp, cp, kl) == 0) {
			snprintf(out, outlen, "%s%s", field_map[i].engine, colon ? colon : "");
			return 0;
		}
	return -1;
}

/* A PCRE2 pattern matching text exactly: every non-alphanumeric escaped. */
static char *
literal(const char *v)
{
	size_t n = strlen(v);
	char *out = malloc(2 * n + 1), *o = out;

	if (out == NULL)
		return NULL;
	for (; *v; v++) {
		if (!isalnum((unsigned char)*v) && (unsigned char)*v < 0x80)
			*o++ = '\\';
		*o++ = *v;
	}
	*o = '\0';
	return out;
}

typedef json_t *(*op_fn)(const char *value);

static json_t *
op_same(const char *v)
{
	return json_string(v);
}

static json_t *
op_cidrs(const char *v)
{
	json_t *a = json_array();
	const char *p = v;

	while (a != NULL) {
		const char *c = strchr(p, ',');
		size_t n = c ? (size_t)(c - p) : strlen(p);

		json_array_append_new(a, json_stringn(p, n));
		if (c == NULL)
			break;
		p = c + 1;
	}
	return a;
}

static json_t *
op_not_equals(const char *v)
{
	char *lit = literal(v), *pat;
	json_t *out = NULL;

	if (lit != NULL && asprintf(&pat, "(?is)^(?!%s$)", lit) >= 0) {
		out = json_string(pat);
		free(pat);
	}
	free(lit);
	return out;
}

/* length_gt N: at least N + 1 bytes (PCRE2 repeats count to 65535). */
static json_t *
op_length_gt(const char *v)
{
	long long n = strtoll(v, NULL, 10) + 1;
	char pat[64];

	if (n <= 65535)
		snprintf(pat, sizeof(pat), "(?s)^.{%lld}", n);
	else
		snprintf(pat, sizeof(pat), "(?s)^(?:.{65535}){%lld}.{%lld}", n / 65535, n % 65535);
	return json_string(pat);
}

/* Control-plane operators -> the engine's, with the value rewritten. */
static const struct op_map {
	const char *cp, *engine;
	op_fn value;
} op_map[] = {
	{ "equals", "equals", op_same }, { "contains", "contains", op_same },
	{ "prefix", "prefix", op_same }, { "suffix", "suffix", op_same },
	{ "regex", "regex", op_same }, { "in_cidr", "ip", op_cidrs },
	{ "not_equals", "regex", op_not_equals }, { "length_gt", "regex", op_length_gt },
};

static json_t *
custom_rule(const json_t *r, char *err, size_t errlen)
{
	const char *field = json_string_value(json_object_get(r, "field"));
	const char *op = json_string_value(json_object_get(r, "operator"));
	const char *value = json_string_value(json_object_get(r, "value"));
	const char *action = json_string_value(json_object_get(r, "action"));
	long long id = json_integer_value(json_object_get(r, "id"));
	char efield[160], eid[32];
	const struct op_map *m = NULL;
	json_t *out;

	for (size_t i = 0; op && i < sizeof(op_map) / sizeof(op_map[0]); i++)
		if (strcmp(op_map[i].cp, op) == 0)
			m = &op_map[i];
	if (field == NULL || value == NULL || action == NULL || m == NULL ||
	    map_field(field, efield, sizeof(efield)) < 0) {
		snprintf(err, errlen, "custom rule %lld: field %s, operator %s: not one a WAF node "
		    "knows", id, field ? field : "?", op ? op : "?");
		return NULL;
	}
	snprintf(eid, sizeof(eid), "custom-%lld", id);
	out = json_pack("{s:s, s:s, s:s, s:s, s:o*}", "id", eid, "category", "custom",
	    "field", efield, "operator", m->engine, "value", m->value(value));
	if (out == NULL)
		return NULL;
	/* "log" reports the match and adds nothing to the score. */
	if (strcmp(action, "log") == 0) {
		json_object_set_new(out, "action", json_string("score"));
		json_object_set_new(out, "score", json_integer(0));
	} else {
		json_object_set_new(out, "action", json_string(action));
	}
	return out;
}

static json_t *
exception(const json_t *x)
{
	const char *rule = json_string_value(json_object_get(x, "rule_id"));
	const char *cat = json_string_value(json_object_get(x, "category"));
	const char *path = json_string_value(json_object_get(x, "path_prefix"));
	const char *field = json_string_value(json_object_get(x, "field"));
	json_t *out = json_object();
	char efield[160];

	if (out == NULL)
		return NULL;
	if (path != NULL)
		json_object_set_new(out, "path_prefix", json_string(path));
	if (rule != NULL)
		json_object_set_new(out, "rule_ids", json_pack("[s]", rule));
	if (cat != NULL)
		json_object_set_new(out, "categories", json_pack("[s]", cat));
	if (field != NULL && map_field(field, efield, sizeof(efield)) == 0)
		json_object_set_new(out, "fields", json_pack("[s]", efield));
	return out;
}

static const json_t *
certificate(const json_t *policy, const json_t *id)
{
	size_t i;
	json_t *c;

	json_array_foreach(json_object_get(policy, "certificates"), i, c)
		if (json_equal(json_object_get(c, "id"), id))
			return c;
	return NULL;
}

static json_t *
site(const json_t *policy, const json_t *s, char *err, size_t errlen)
{
	const json_t *cc = json_object_get(s, "cc"), *cid = json_object_get(s, "cert_id"), *v;
	json_t *out, *origins = json_array(), *exc = json_array(), *rules = json_array();
	const char *health = NULL;
	size_t i;

	out = json_pack("{s:O, s:O, s:O, s:O, s:o*, s:{s:O, s:o*, s:o*}, s:O, s:O}",
	    "id", json_object_get(s, "id"), "tenant_id", json_object_get(s, "tenant_id"),
	    "domains", json_object_get(s, "domains"), "mode", json_object_get(s, "mode"),
	    "origins", origins, "waf", "mode", json_object_get(s, "mode"),
	    "exceptions", exc, "custom_rules", rules,
	    "allow", json_object_get(s, "allow_ips"), "deny", json_object_get(s, "deny_ips"));
	if (out == NULL || origins == NULL || exc == NULL || rules == NULL) {
		json_decref(out);
		snprintf(err, errlen, "site %lld: not a site of a WAF bundle",
		    (long long)json_integer_value(json_object_get(s, "id")));
		return NULL;
	}
	json_array_foreach(json_object_get(s, "origins"), i, v) {
		const char *scheme = json_string_value(json_object_get(v, "scheme"));

		json_array_append_new(origins, json_pack("{s:O, s:O, s:b}", "address",
		    json_object_get(v, "address"), "port", json_object_get(v, "port"), "tls",
		    scheme != NULL && strcmp(scheme, "https") == 0));
		if (health == NULL)
			health = json_string_value(json_object_get(v, "health_path"));
	}
	if (health != NULL && health[0] == '/')
		json_object_set_new(out, "health_check", json_pack("{s:s}", "path", health));
	json_array_foreach(json_object_get(s, "exceptions"), i, v)
		json_array_append_new(exc, exception(v));
	json_array_foreach(json_object_get(s, "custom_rules"), i, v) {
		json_t *r = custom_rule(v, err, errlen);

		if (r == NULL) {
			json_decref(out);
			return NULL;
		}
		json_array_append_new(rules, r);
	}
	if (json_integer_value(json_object_get(cc, "ip_rps")) > 0 ||
	    json_integer_value(json_object_get(cc, "url_rps")) > 0) {
		json_t *c = json_object();

		json_object_set_new(out, "cc", c);
		if (json_integer_value(json_object_get(cc, "ip_rps")) > 0) {
			json_object_set(c, "ip_rate", json_object_get(cc, "ip_rps"));
			json_object_set(c, "ip_burst", json_object_get(cc, "ip_burst"));
		}
		if (json_integer_value(json_object_get(cc, "url_rps")) > 0) {
			json_object_set(c, "url_rate", json_object_get(cc, "url_rps"));
			json_object_set(c, "url_burst", json_object_get(cc, "url_burst"));
		}
		if (json_integer_value(json_object_get(cc, "block_seconds")) > 0)
			json_object_set(c, "block_seconds", json_object_get(cc, "block_seconds"));
	}
	if (json_is_integer(cid)) {
		const json_t *c = certificate(policy, cid);

		if (c == NULL || !json_is_string(json_object_get(c, "cert_pem")) ||
		    !json_is_string(json_object_get(c, "key_pem"))) {
			snprintf(err, errlen, "site %lld: certificate %lld is not in the bundle",
			    (long long)json_integer_value(json_object_get(s, "id")),
			    (long long)json_integer_value(cid));
			json_decref(out);
			return NULL;
		}
		json_object_set_new(out, "tls", json_pack("{s:O, s:O}", "cert_pem",
		    json_object_get(c, "cert_pem"), "key_pem", json_object_get(c, "key_pem")));
	}
	return out;
}

json_t *
nodecfg_from_policy(const json_t *policy, char *err, size_t errlen)
{
	json_t *sites = json_object_get(policy, "sites"), *s, *out = json_array();
	size_t i;

	if (!json_is_array(sites) || out == NULL) {
		json_decref(out);
		snprintf(err, errlen, "the policy has no \"sites\" array: not a WAF bundle");
		return NULL;
	}
	json_array_foreach(sites, i, s) {
		json_t *c = site(policy, s, err, errlen);

		if (c == NULL) {
			json_decref(out);
			return NULL;
		}
		json_array_append_new(out, c);
	}
	return json_pack("{s:o}", "sites", out);
}

json_t *
nodecfg_event(const json_t *ev, long long time_ms)
{
	static const char *const sev[] = { "low", "low", "medium", "high", "critical" };
	const char *type = json_string_value(json_object_get(ev, "type"));
	const char *action = json_string_value(json_object_get(ev, "action"));
	const char *rule = json_string_value(json_object_get(ev, "rule"));
	const char *excerpt = json_string_value(json_object_get(ev, "excerpt"));
	json_int_t s = json_integer_value(json_object_get(ev, "severity"));
	json_t *payload;

	if (type != NULL && strcmp(type, "stats") == 0) {
		payload = json_pack("{s:O, s:O, s:O, s:O}", "site_id", json_object_get(ev, "site_id"),
		    "requests", json_object_get(ev, "requests"), "blocked",
		    json_object_get(ev, "blocked"), "period_s", json_object_get(ev, "period_s"));
		return payload == NULL ? NULL : json_pack("{s:s, s:s, s:I, s:o}", "module", "waf",
		    "type", "waf.stats", "time_ms", (json_int_t)time_ms, "payload", payload);
	}
	if (type == NULL || rule == NULL || (strcmp(type, "waf") != 0 && strcmp(type, "cc") != 0 &&
	    strcmp(type, "acl") != 0))
		return NULL;
	payload = json_pack("{s:O, s:s, s:O, s:s, s:s, s:O, s:O, s:O, s:s, s:O}",
	    "site_id", json_object_get(ev, "site_id"), "rule_id", rule,
	    "category", json_object_get(ev, "category"), "severity", sev[s < 1 ? 1 : s > 4 ? 4 : s],
	    "action", action != NULL && strcmp(action, "block") == 0 ? "block" : "log",
	    "client_ip", json_object_get(ev, "client_ip"), "method", json_object_get(ev, "method"),
	    "uri", json_object_get(ev, "uri"), "excerpt", excerpt != NULL ? excerpt : "",
	    "request_id", json_object_get(ev, "request_id"));
	if (payload == NULL)
		return NULL;
	if (json_is_integer(json_object_get(ev, "score")))
		json_object_set(payload, "score", json_object_get(ev, "score"));
	return json_pack("{s:s, s:s, s:I, s:o}", "module", "waf", "type", "waf.attack",
	    "time_ms", (json_int_t)time_ms, "payload", payload);
}
