/*
 * bundle: strict parse of the scrubber policy. Each JSON level is checked
 * against a jsonv field table first (unknown members, types, bounds), then
 * the values that have a syntax of their own (addresses, CIDRs, ports, modes,
 * domain names) are parsed here. Errors carry the path of the member.
 */
#include "bundle.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "jsonv.h"
#include "policy.h"

#define U32MAX 4294967295LL
#define BIG 1000000000000000LL	/* 10^15: above any pps or bps a link carries */

static int __attribute__((format(printf, 3, 4)))
fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

/* jsonv_check with the member's path in front of its message. */
static int
check(const json_t *v, const struct jsonv_field *fields, const char *path, char *err,
    size_t errlen)
{
	struct jsonv_error e;

	if (!json_is_object(v))
		return fail(err, errlen, "%s: must be an object", path);
	if (jsonv_check(v, fields, &e) < 0)
		return fail(err, errlen, "%s%s%s", path, *path ? "." : "", e.message);
	return 0;
}

int
scrub_ipaddr_parse(const char *s, struct scrub_ipaddr *a)
{
	memset(a, 0, sizeof(*a));
	if (strchr(s, ':') != NULL) {
		a->family = AF_INET6;
		return inet_pton(AF_INET6, s, a->a) == 1 ? 0 : -1;
	}
	a->family = AF_INET;
	return inet_pton(AF_INET, s, a->a) == 1 ? 0 : -1;
}

const char *
scrub_ipaddr_str(const struct scrub_ipaddr *a, char *buf, size_t len)
{
	if (inet_ntop(a->family, a->a, buf, (socklen_t)len) == NULL)
		snprintf(buf, len, "?");
	return buf;
}

bool
scrub_ipaddr_equal(const struct scrub_ipaddr *x, const struct scrub_ipaddr *y)
{
	return x->family == y->family &&
	    memcmp(x->a, y->a, x->family == AF_INET ? 4 : 16) == 0;
}

int
scrub_cidr_parse(const char *s, struct scrub_cidr *c, char *err, size_t errlen)
{
	char host[64];
	const char *slash = strchr(s, '/');
	size_t hl = slash ? (size_t)(slash - s) : strlen(s);
	unsigned long plen;
	unsigned max;
	char *end;

	memset(c, 0, sizeof(*c));
	if (hl == 0 || hl >= sizeof(host))
		return fail(err, errlen, "\"%.64s\" is not an address or CIDR", s);
	memcpy(host, s, hl);
	host[hl] = '\0';
	if (scrub_ipaddr_parse(host, &c->addr) < 0)
		return fail(err, errlen, "\"%.64s\" is not an IPv4 or IPv6 address", host);
	max = c->addr.family == AF_INET ? 32 : 128;
	if (slash == NULL) {
		c->plen = (uint8_t)max;
		return 0;
	}
	if (!isdigit((unsigned char)slash[1]) || (slash[1] == '0' && slash[2] != '\0'))
		return fail(err, errlen, "\"%.64s\": the prefix length must be a number", s);
	plen = strtoul(slash + 1, &end, 10);
	if (*end != '\0' || plen > max)
		return fail(err, errlen, "\"%.64s\": the prefix length must be from 0 to %u", s,
		    max);
	c->plen = (uint8_t)plen;
	for (unsigned bit = (unsigned)plen; bit < max; bit++)
		if (c->addr.a[bit / 8] & (0x80 >> (bit % 8)))
			return fail(err, errlen,
			    "\"%.64s\" has host bits set (did you mean the network address?)", s);
	return 0;
}

/* An absolute or relative domain name of LDH/underscore labels; stored
 * absolute (with the final dot). */
static int
parse_dname(const char *s, char *out, size_t outlen)
{
	size_t len = strlen(s), label = 0;

	if (len == 0 || len > 253 || (len == 1 && s[0] == '.'))
		return -1;
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (ch == '.') {
			if (label == 0 || s[i - 1] == '-')
				return -1;
			label = 0;
			continue;
		}
		if (!isalnum(ch) && ch != '-' && ch != '_')
			return -1;
		if ((label == 0 && ch == '-') || ++label > 63)
			return -1;
	}
	if (label > 0 && s[len - 1] == '-')
		return -1;
	snprintf(out, outlen, "%s%s", s, s[len - 1] == '.' ? "" : ".");
	for (char *p = out; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return 0;
}

/* name is inside zone (both absolute, lower case) and not the apex. */
static bool
in_zone(const char *name, const char *zone)
{
	size_t n = strlen(name), z = strlen(zone);

	return n > z + 1 && strcmp(name + n - z, zone) == 0 && name[n - z - 1] == '.';
}

static int
parse_addr_field(const json_t *obj, const char *name, const char *path,
    struct scrub_ipaddr *a, char *err, size_t errlen)
{
	const char *s = json_string_value(json_object_get(obj, name));

	if (s == NULL || scrub_ipaddr_parse(s, a) < 0)
		return fail(err, errlen, "%s.%s: \"%.64s\" is not an IPv4 or IPv6 address",
		    path, name, s ? s : "");
	return 0;
}

/* ---- thresholds ---- */

static const struct jsonv_field thresholds_fields[] = {
	{ "pps", JSONV_INT, false, 0, BIG },
	{ "bps", JSONV_INT, false, 0, BIG },
	{ "syn_pps", JSONV_INT, false, 0, BIG },
	{ "baseline_pct", JSONV_INT, false, 110, 100000 },
	{ "min_pps", JSONV_INT, false, 0, BIG },
	{ "consecutive", JSONV_INT, false, 1, 100 },
	{ "quiet_ms", JSONV_INT, false, 100, 3600000 },
	{ NULL, 0, false, 0, 0 },
};

static int
parse_thresholds(const json_t *v, const char *path, const struct scrub_thresholds *def,
    struct scrub_thresholds *th, char *err, size_t errlen)
{
	*th = *def;
	if (v == NULL)
		return 0;
	if (check(v, thresholds_fields, path, err, errlen) < 0)
		return -1;
	th->pps = (uint64_t)jsonv_int(v, "pps", (long long)def->pps);
	th->bps = (uint64_t)jsonv_int(v, "bps", (long long)def->bps);
	th->syn_pps = (uint64_t)jsonv_int(v, "syn_pps", (long long)def->syn_pps);
	th->baseline_pct = (uint32_t)jsonv_int(v, "baseline_pct", def->baseline_pct);
	th->min_pps = (uint64_t)jsonv_int(v, "min_pps", (long long)def->min_pps);
	th->consecutive = (uint32_t)jsonv_int(v, "consecutive", def->consecutive);
	th->quiet_ms = (uint32_t)jsonv_int(v, "quiet_ms", def->quiet_ms);
	return 0;
}

/* ---- services ---- */

static const struct jsonv_field service_fields[] = {
	{ "proto", JSONV_STR, true, 3, 3 },
	{ "ports", JSONV_ARR, true, 1, 64 },
	{ NULL, 0, false, 0, 0 },
};

struct proto_name {
	const char *name;
	enum scrub_proto proto;
};

static const struct proto_name protos[] = {
	{ "tcp", SCRUB_PROTO_TCP },
	{ "udp", SCRUB_PROTO_UDP },
	{ NULL, 0 },
};

/* A port is an integer 1-65535 or a "lo-hi" range string. */
static int
parse_port(const json_t *v, uint16_t *lo, uint16_t *hi)
{
	unsigned long a, b;
	const char *s;
	char *end;

	if (json_is_integer(v)) {
		json_int_t n = json_integer_value(v);

		if (n < 1 || n > 65535)
			return -1;
		*lo = *hi = (uint16_t)n;
		return 0;
	}
	s = json_string_value(v);
	if (s == NULL || !isdigit((unsigned char)s[0]))
		return -1;
	a = strtoul(s, &end, 10);
	if (*end != '-' || !isdigit((unsigned char)end[1]))
		return -1;
	b = strtoul(end + 1, &end, 10);
	if (*end != '\0' || a < 1 || b > 65535 || a > b)
		return -1;
	*lo = (uint16_t)a;
	*hi = (uint16_t)b;
	return 0;
}

static int
parse_services(const json_t *arr, const char *path, struct scrub_ip *ip, char *err,
    size_t errlen)
{
	size_t i, j, n = 0;
	json_t *sv, *pv;

	json_array_foreach(arr, i, sv) {
		char p[160];
		const char *proto;
		const struct proto_name *pn;

		snprintf(p, sizeof(p), "%s.services[%zu]", path, i);
		if (check(sv, service_fields, p, err, errlen) < 0)
			return -1;
		n += json_array_size(json_object_get(sv, "ports"));
		proto = json_string_value(json_object_get(sv, "proto"));
		for (pn = protos; pn->name && strcmp(pn->name, proto) != 0; pn++)
			;
		if (pn->name == NULL)
			return fail(err, errlen, "%s.proto: \"%s\" is not tcp or udp", p, proto);
	}
	if (n == 0)
		return fail(err, errlen, "%s.services: at least one service is required", path);
	ip->services = calloc(n, sizeof(*ip->services));
	if (ip->services == NULL)
		return fail(err, errlen, "out of memory");
	json_array_foreach(arr, i, sv) {
		const char *proto = json_string_value(json_object_get(sv, "proto"));
		const struct proto_name *pn;

		for (pn = protos; strcmp(pn->name, proto) != 0; pn++)
			;
		json_array_foreach(json_object_get(sv, "ports"), j, pv) {
			struct scrub_service *s = &ip->services[ip->n_services++];

			s->proto = pn->proto;
			if (parse_port(pv, &s->port_lo, &s->port_hi) < 0)
				return fail(err, errlen,
				    "%s.services[%zu].ports[%zu]: a port is 1-65535 or \"lo-hi\"",
				    path, i, j);
		}
	}
	return 0;
}

/* ---- objects ---- */

static const struct jsonv_field ip_fields[] = {
	{ "addr", JSONV_STR, true, 2, 45 },
	{ "origin", JSONV_STR, false, 2, 45 },
	{ "services", JSONV_ARR, true, 1, SCRUB_MAX_SERVICES },
	{ NULL, 0, false, 0, 0 },
};

static const struct jsonv_field domain_fields[] = {
	{ "name", JSONV_STR, true, 1, 253 },
	{ "mode", JSONV_STR, true, 1, 16 },
	{ "origin", JSONV_ARR, true, 1, SCRUB_MAX_ORIGINS },
	{ NULL, 0, false, 0, 0 },
};

static const struct jsonv_field object_fields[] = {
	{ "id", JSONV_STR, true, 1, SCRUB_ID_MAX - 1 },
	{ "tenant", JSONV_INT, true, 1, BIG },
	{ "tier_mbps", JSONV_INT, true, 1, 10000000 },
	{ "ips", JSONV_ARR, true, 1, SCRUB_MAX_IPS },
	{ "domains", JSONV_ARR, false, 0, SCRUB_MAX_DOMAINS },
	{ "thresholds", JSONV_OBJ, false, 0, 0 },
	{ NULL, 0, false, 0, 0 },
};

struct mode_name {
	const char *name;
	enum scrub_divert_mode mode;
};

static const struct mode_name modes[] = {
	{ "on-demand", SCRUB_DIVERT_ON_DEMAND },
	{ "always-on", SCRUB_DIVERT_ALWAYS_ON },
	{ NULL, 0 },
};

static int
parse_domain(const json_t *v, const char *p, const struct scrub_bundle *b,
    struct scrub_domain *d, char *err, size_t errlen)
{
	const char *name, *mode;
	const struct mode_name *m;
	size_t k;
	json_t *ov;

	if (check(v, domain_fields, p, err, errlen) < 0)
		return -1;
	name = json_string_value(json_object_get(v, "name"));
	if (parse_dname(name, d->name, sizeof(d->name)) < 0)
		return fail(err, errlen, "%s.name: \"%s\" is not a valid domain name", p, name);
	if (!b->has_dns)
		return fail(err, errlen, "%s: domains need the bundle's \"dns\" settings", p);
	if (!in_zone(d->name, b->dns.zone))
		return fail(err, errlen, "%s.name: %s is not inside the protection zone %s", p,
		    d->name, b->dns.zone);
	mode = json_string_value(json_object_get(v, "mode"));
	for (m = modes; m->name && strcmp(m->name, mode) != 0; m++)
		;
	if (m->name == NULL)
		return fail(err, errlen, "%s.mode: \"%s\" is not on-demand or always-on", p,
		    mode);
	d->mode = m->mode;
	json_array_foreach(json_object_get(v, "origin"), k, ov) {
		const char *s = json_string_value(ov);

		if (s == NULL || scrub_ipaddr_parse(s, &d->origin[k]) < 0)
			return fail(err, errlen, "%s.origin[%zu]: \"%.64s\" is not an address", p,
			    k, s ? s : "");
		if ((d->origin[k].family == AF_INET && !b->has_scrub_v4) ||
		    (d->origin[k].family == AF_INET6 && !b->has_scrub_v6))
			return fail(err, errlen,
			    "%s.origin[%zu]: no scrubbing address of that family to divert to",
			    p, k);
		d->n_origin = k + 1;
	}
	if (d->n_origin == 0)
		return fail(err, errlen, "%s.origin: at least one origin address", p);
	return 0;
}

static int
parse_object(const json_t *v, size_t idx, const struct scrub_bundle *b,
    struct scrub_object *o, char *err, size_t errlen)
{
	char path[64];
	size_t i;
	json_t *iv;

	snprintf(path, sizeof(path), "objects[%zu]", idx);
	if (check(v, object_fields, path, err, errlen) < 0)
		return -1;
	snprintf(o->id, sizeof(o->id), "%s", json_string_value(json_object_get(v, "id")));
	for (const char *c = o->id; *c; c++)
		if (!isalnum((unsigned char)*c) && *c != '-' && *c != '_' && *c != '.')
			return fail(err, errlen, "%s.id: only letters, digits, '-', '_', '.'",
			    path);
	o->tenant = jsonv_int(v, "tenant", 0);
	o->tier_mbps = (uint64_t)jsonv_int(v, "tier_mbps", 0);
	snprintf(path, sizeof(path), "objects[%zu].thresholds", idx);
	if (parse_thresholds(json_object_get(v, "thresholds"), path, &b->th, &o->th, err,
	    errlen) < 0)
		return -1;
	o->ips = calloc(json_array_size(json_object_get(v, "ips")) + 1, sizeof(*o->ips));
	o->domains = calloc(json_array_size(json_object_get(v, "domains")) + 1,
	    sizeof(*o->domains));
	if (o->ips == NULL || o->domains == NULL)
		return fail(err, errlen, "out of memory");
	json_array_foreach(json_object_get(v, "ips"), i, iv) {
		struct scrub_ip *ip = &o->ips[o->n_ips++];
		char p[96];

		snprintf(p, sizeof(p), "objects[%zu].ips[%zu]", idx, i);
		if (check(iv, ip_fields, p, err, errlen) < 0 ||
		    parse_addr_field(iv, "addr", p, &ip->addr, err, errlen) < 0)
			return -1;
		if (json_object_get(iv, "origin") != NULL) {
			if (parse_addr_field(iv, "origin", p, &ip->origin, err, errlen) < 0)
				return -1;
			if (ip->origin.family != ip->addr.family)
				return fail(err, errlen,
				    "%s.origin: must be of the same family as addr", p);
			ip->has_origin = true;
		}
		if (parse_services(json_object_get(iv, "services"), p, ip, err, errlen) < 0)
			return -1;
	}
	json_array_foreach(json_object_get(v, "domains"), i, iv) {
		char p[96];

		snprintf(p, sizeof(p), "objects[%zu].domains[%zu]", idx, i);
		if (parse_domain(iv, p, b, &o->domains[o->n_domains++], err, errlen) < 0)
			return -1;
	}
	return 0;
}

/* ---- rules ---- */

static const struct jsonv_field rule_fields[] = {
	{ "action", JSONV_STR, true, 1, 16 },
	{ "cidr", JSONV_STR, false, 2, 49 },
	{ "object", JSONV_STR, false, 1, SCRUB_ID_MAX - 1 },
	{ "expires", JSONV_INT, false, 0, 253402300799LL },
	{ "pps", JSONV_INT, false, 1, BIG },
	{ "bps", JSONV_INT, false, 1, BIG },
	{ NULL, 0, false, 0, 0 },
};

struct action_name {
	const char *name;
	enum scrub_rule_action action;
	bool needs_cidr, needs_object, needs_rate;
};

static const struct action_name actions[] = {
	{ "block", SCRUB_RULE_BLOCK, true, false, false },
	{ "allow", SCRUB_RULE_ALLOW, true, false, false },
	{ "ratelimit", SCRUB_RULE_RATELIMIT, false, true, true },
	{ NULL, 0, false, false, false },
};

static int
parse_rule(const json_t *v, size_t idx, const struct scrub_bundle *b, struct scrub_manual_rule *r,
    char *err, size_t errlen)
{
	const struct action_name *an;
	const char *action, *cidr, *obj;
	char path[64], cerr[160];

	snprintf(path, sizeof(path), "rules[%zu]", idx);
	if (check(v, rule_fields, path, err, errlen) < 0)
		return -1;
	action = json_string_value(json_object_get(v, "action"));
	for (an = actions; an->name && strcmp(an->name, action) != 0; an++)
		;
	if (an->name == NULL)
		return fail(err, errlen, "%s.action: \"%s\" is not block, allow or ratelimit",
		    path, action);
	r->action = an->action;
	cidr = json_string_value(json_object_get(v, "cidr"));
	obj = json_string_value(json_object_get(v, "object"));
	if (an->needs_cidr && cidr == NULL)
		return fail(err, errlen, "%s.cidr: required for %s", path, action);
	if (!an->needs_cidr && cidr != NULL)
		return fail(err, errlen, "%s.cidr: not used by %s", path, action);
	if (cidr != NULL && scrub_cidr_parse(cidr, &r->cidr, cerr, sizeof(cerr)) < 0)
		return fail(err, errlen, "%s.cidr: %s", path, cerr);
	if (an->needs_object && obj == NULL)
		return fail(err, errlen, "%s.object: required for %s", path, action);
	if (obj != NULL && scrub_bundle_object(b, obj) == NULL)
		return fail(err, errlen, "%s.object: no protected object \"%s\"", path, obj);
	snprintf(r->object, sizeof(r->object), "%s", obj ? obj : "");
	r->expires = jsonv_int(v, "expires", 0);
	r->pps = (uint64_t)jsonv_int(v, "pps", 0);
	r->bps = (uint64_t)jsonv_int(v, "bps", 0);
	if (an->needs_rate && r->pps == 0 && r->bps == 0)
		return fail(err, errlen, "%s: ratelimit needs pps or bps", path);
	if (!an->needs_rate && (r->pps || r->bps))
		return fail(err, errlen, "%s: pps/bps only apply to ratelimit", path);
	return 0;
}

/* ---- top level ---- */

static const struct jsonv_field dns_fields[] = {
	{ "server", JSONV_STR, true, 2, 45 },
	{ "port", JSONV_INT, false, 1, 65535 },
	{ "zone", JSONV_STR, true, 1, 253 },
	{ "tsig_key", JSONV_STR, true, 1, 253 },
	{ "tsig_secret", JSONV_STR, true, 5, SCRUB_REF_MAX - 1 },
	{ "ttl", JSONV_INT, false, 1, 86400 },
	{ "hold_down_s", JSONV_INT, false, 0, 604800 },
	{ "timeout_ms", JSONV_INT, false, 100, 60000 },
	{ NULL, 0, false, 0, 0 },
};

static const struct jsonv_field policy_fields[] = {
	{ "scrubbing", JSONV_ARR, true, 1, 2 },
	{ "dns", JSONV_OBJ, false, 0, 0 },
	{ "thresholds", JSONV_OBJ, false, 0, 0 },
	{ "objects", JSONV_ARR, true, 0, SCRUB_BUNDLE_MAX_OBJECTS },
	{ "rules", JSONV_ARR, false, 0, SCRUB_MAX_RULES },
	{ NULL, 0, false, 0, 0 },
};

static const struct scrub_thresholds default_thresholds = {
	.pps = 0, .bps = 0, .syn_pps = 0,
	.baseline_pct = 400, .min_pps = 2000, .consecutive = 3, .quiet_ms = 5000,
};

static int
parse_dns(const json_t *v, struct scrub_dns *d, char *err, size_t errlen)
{
	const char *zone, *key, *ref;

	if (check(v, dns_fields, "dns", err, errlen) < 0 ||
	    parse_addr_field(v, "server", "dns", &d->server, err, errlen) < 0)
		return -1;
	zone = json_string_value(json_object_get(v, "zone"));
	key = json_string_value(json_object_get(v, "tsig_key"));
	ref = json_string_value(json_object_get(v, "tsig_secret"));
	if (parse_dname(zone, d->zone, sizeof(d->zone)) < 0)
		return fail(err, errlen, "dns.zone: \"%s\" is not a valid domain name", zone);
	if (parse_dname(key, d->key_name, sizeof(d->key_name)) < 0)
		return fail(err, errlen, "dns.tsig_key: \"%s\" is not a valid key name", key);
	if ((strncmp(ref, "file:/", 6) != 0 && strncmp(ref, "env:", 4) != 0) ||
	    (strncmp(ref, "env:", 4) == 0 && ref[4] == '\0'))
		return fail(err, errlen,
		    "dns.tsig_secret: a reference \"file:/path\" or \"env:NAME\", never the "
		    "secret itself");
	snprintf(d->secret_ref, sizeof(d->secret_ref), "%s", ref);
	d->port = (uint16_t)jsonv_int(v, "port", 53);
	d->ttl = (uint32_t)jsonv_int(v, "ttl", 30);
	d->hold_down_s = (uint32_t)jsonv_int(v, "hold_down_s", 300);
	d->timeout_ms = (uint32_t)jsonv_int(v, "timeout_ms", 2000);
	return 0;
}

static int
parse_scrubbing(const json_t *arr, struct scrub_bundle *b, char *err, size_t errlen)
{
	size_t i;
	json_t *v;

	json_array_foreach(arr, i, v) {
		const char *s = json_string_value(v);
		struct scrub_ipaddr a;

		if (s == NULL || scrub_ipaddr_parse(s, &a) < 0)
			return fail(err, errlen, "scrubbing[%zu]: \"%.64s\" is not an address", i,
			    s ? s : "");
		if ((a.family == AF_INET && b->has_scrub_v4) ||
		    (a.family == AF_INET6 && b->has_scrub_v6))
			return fail(err, errlen, "scrubbing[%zu]: one address per family", i);
		if (a.family == AF_INET) {
			b->scrub_v4 = a;
			b->has_scrub_v4 = true;
		} else {
			b->scrub_v6 = a;
			b->has_scrub_v6 = true;
		}
	}
	return 0;
}

int
scrub_bundle_parse(const json_t *policy, struct scrub_bundle *b, char *err, size_t errlen)
{
	const json_t *objs, *rules;
	size_t i, n_ips = 0;
	json_t *v;

	memset(b, 0, sizeof(*b));
	if (check(policy, policy_fields, "", err, errlen) < 0 ||
	    parse_scrubbing(json_object_get(policy, "scrubbing"), b, err, errlen) < 0)
		goto fail;
	if (json_object_get(policy, "dns") != NULL) {
		if (parse_dns(json_object_get(policy, "dns"), &b->dns, err, errlen) < 0)
			goto fail;
		b->has_dns = true;
	}
	if (parse_thresholds(json_object_get(policy, "thresholds"), "thresholds",
	    &default_thresholds, &b->th, err, errlen) < 0)
		goto fail;
	objs = json_object_get(policy, "objects");
	rules = json_object_get(policy, "rules");
	b->objects = calloc(json_array_size(objs) + 1, sizeof(*b->objects));
	b->rules = calloc(json_array_size(rules) + 1, sizeof(*b->rules));
	if (b->objects == NULL || b->rules == NULL) {
		fail(err, errlen, "out of memory");
		goto fail;
	}
	json_array_foreach(objs, i, v) {
		struct scrub_object *o = &b->objects[b->n_objects++];
		const struct scrub_ip *dup;

		if (parse_object(v, i, b, o, err, errlen) < 0)
			goto fail;
		n_ips += o->n_ips;
		if (n_ips > SCRUB_BUNDLE_MAX_IPS) {
			fail(err, errlen, "objects[%zu].ips: the bundle protects more than %d "
			    "addresses (the data plane's limit)", i, SCRUB_BUNDLE_MAX_IPS);
			goto fail;
		}
		for (size_t j = 0; j + 1 < b->n_objects; j++)
			if (strcmp(b->objects[j].id, o->id) == 0) {
				fail(err, errlen, "objects[%zu].id: \"%s\" is used twice", i, o->id);
				goto fail;
			}
		for (size_t j = 0; j < o->n_ips; j++) {
			const struct scrub_object *other;

			b->n_objects--;	/* look only at the objects before this one */
			other = scrub_bundle_object_by_addr(b, &o->ips[j].addr, &dup);
			b->n_objects++;
			for (size_t k = 0; other == NULL && k < j; k++)
				if (scrub_ipaddr_equal(&o->ips[k].addr, &o->ips[j].addr))
					other = o;
			if (other != NULL) {
				char a[64];

				fail(err, errlen, "objects[%zu].ips[%zu].addr: %s is already "
				    "protected by object \"%s\"", i, j,
				    scrub_ipaddr_str(&o->ips[j].addr, a, sizeof(a)), other->id);
				goto fail;
			}
		}
	}
	json_array_foreach(rules, i, v) {
		if (parse_rule(v, i, b, &b->rules[b->n_rules++], err, errlen) < 0)
			goto fail;
	}
	return 0;
fail:
	scrub_bundle_free(b);
	return -1;
}

int
scrub_bundle_parse_text(const char *text, size_t len, struct scrub_bundle *b, char *err,
    size_t errlen)
{
	json_error_t je;
	json_t *v = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
	int rc;

	memset(b, 0, sizeof(*b));
	if (v == NULL)
		return fail(err, errlen, "policy: invalid JSON at line %d: %s", je.line, je.text);
	rc = scrub_bundle_parse(v, b, err, errlen);
	json_decref(v);
	return rc;
}

int
scrub_bundle_load(EVP_PKEY *key, const char *path, int64_t node_id, struct scrub_bundle *b,
    char *err, size_t errlen)
{
	struct policy p;
	char perr[256];
	int rc;

	memset(b, 0, sizeof(*b));
	if (policy_load(key, path, node_id, &p, perr, sizeof(perr)) < 0)
		return fail(err, errlen, "%s: %s; not installed", path, perr);
	rc = scrub_bundle_parse(p.body, b, err, errlen);
	if (rc == 0)
		b->version = p.version;
	policy_clear(&p);
	return rc;
}

void
scrub_bundle_free(struct scrub_bundle *b)
{
	if (b == NULL)
		return;
	for (size_t i = 0; b->objects && i < b->n_objects; i++) {
		for (size_t j = 0; b->objects[i].ips && j < b->objects[i].n_ips; j++)
			free(b->objects[i].ips[j].services);
		free(b->objects[i].ips);
		free(b->objects[i].domains);
	}
	free(b->objects);
	free(b->rules);
	memset(b, 0, sizeof(*b));
}

const struct scrub_object *
scrub_bundle_object(const struct scrub_bundle *b, const char *id)
{
	for (size_t i = 0; i < b->n_objects; i++)
		if (strcmp(b->objects[i].id, id) == 0)
			return &b->objects[i];
	return NULL;
}

const struct scrub_object *
scrub_bundle_object_by_addr(const struct scrub_bundle *b, const struct scrub_ipaddr *a,
    const struct scrub_ip **ip)
{
	for (size_t i = 0; i < b->n_objects; i++)
		for (size_t j = 0; j < b->objects[i].n_ips; j++)
			if (scrub_ipaddr_equal(&b->objects[i].ips[j].addr, a)) {
				if (ip != NULL)
					*ip = &b->objects[i].ips[j];
				return &b->objects[i];
			}
	return NULL;
}
