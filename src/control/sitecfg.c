/*
 * sitecfg: the checks behind a tenant's WAF site settings. Domains and
 * origins are where a provider's WAF node will connect or answer, so they
 * are strict: a tenant must not be able to point the provider's node at the
 * node's own loopback or at a cloud metadata service (SSRF through the
 * WAF). Custom-rule fields and operators are tables: adding one is a row.
 */
#include "sitecfg.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

static int __attribute__((format(printf, 3, 4)))
fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* RFC 3492 decoding, only to tell whether an xn-- label is real punycode
 * that encodes at least one non-ASCII code point. */
static size_t
puny_adapt(size_t delta, size_t points, bool first)
{
	size_t k = 0;

	delta = first ? delta / 700 : delta / 2;
	delta += delta / points;
	while (delta > ((36 - 1) * 26) / 2) {
		delta /= 36 - 1;
		k += 36;
	}
	return k + (36 - 1 + 1) * delta / (delta + 38);
}

static bool
puny_valid(const char *s, size_t len)
{
	const size_t maxv = 0x7fffffff;
	size_t b = 0, in, out, i = 0, bias = 72, n = 128;

	for (size_t j = 0; j < len; j++)
		if (s[j] == '-')
			b = j;
	out = b;
	in = b > 0 ? b + 1 : 0;
	if (in >= len)
		return false;	/* nothing encoded: the label is plain ASCII */
	while (in < len) {
		size_t oldi = i, w = 1;

		for (size_t k = 36;; k += 36) {
			size_t digit, t;
			char c;

			if (in >= len)
				return false;
			c = s[in++];
			if (c >= 'a' && c <= 'z')
				digit = (size_t)(c - 'a');
			else if (c >= '0' && c <= '9')
				digit = (size_t)(c - '0') + 26;
			else
				return false;
			if (digit > (maxv - i) / w)
				return false;
			i += digit * w;
			t = k <= bias ? 1 : k >= bias + 26 ? 26 : k - bias;
			if (digit < t)
				break;
			if (w > maxv / (36 - t))
				return false;
			w *= 36 - t;
		}
		bias = puny_adapt(i - oldi, out + 1, oldi == 0);
		if (i / (out + 1) > maxv - n)
			return false;
		n += i / (out + 1);
		i %= out + 1;
		if (n < 0x80 || n > 0x10ffff || (n >= 0xd800 && n <= 0xdfff))
			return false;
		if (++out > 63)
			return false;
		i++;
	}
	return true;
}

static int
check_label(const char *l, size_t n, const char *whole, char *err, size_t errlen)
{
	if (n == 0)
		return fail(err, errlen, "%.80s: empty label (two dots, or a dot at an end)", whole);
	if (n > 63)
		return fail(err, errlen, "%.80s: a label is longer than 63 characters", whole);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)l[i];

		if (c >= 0x80)
			return fail(err, errlen, "%.80s: non-ASCII name; give the xn-- (punycode) form",
			    whole);
		if (!(islower(c) || isdigit(c) || c == '-'))
			return fail(err, errlen, "%.80s: only letters, digits and '-' are allowed in a "
			    "label", whole);
	}
	if (l[0] == '-' || l[n - 1] == '-')
		return fail(err, errlen, "%.80s: a label may not start or end with '-'", whole);
	if (n >= 4 && l[2] == '-' && l[3] == '-') {
		if (l[0] != 'x' || l[1] != 'n')
			return fail(err, errlen, "%.80s: '--' in the 3rd and 4th position is reserved "
			    "for xn-- labels", whole);
		if (!puny_valid(l + 4, n - 4))
			return fail(err, errlen, "%.80s: the xn-- label is not valid punycode", whole);
	}
	return 0;
}

int
sitecfg_domain(const char *s, bool wildcard, char *out, size_t outsz, char *err, size_t errlen)
{
	char buf[SITECFG_DOMAIN_MAX + 2];
	size_t len = s ? strlen(s) : 0, labels = 0;
	const char *p, *top = NULL;

	if (len == 0)
		return fail(err, errlen, "empty domain name");
	if (len > SITECFG_DOMAIN_MAX)
		return fail(err, errlen, "%.40s...: longer than 253 characters", s);
	if (outsz <= len)
		return fail(err, errlen, "domain name too long");
	for (size_t i = 0; i <= len; i++)
		buf[i] = (char)tolower((unsigned char)s[i]);
	p = buf;
	if (p[0] == '*') {
		if (!wildcard)
			return fail(err, errlen, "%.80s: a wildcard is not allowed here", s);
		if (p[1] != '.')
			return fail(err, errlen, "%.80s: '*' must be the whole leftmost label (*.example.com)",
			    s);
		p += 2;
		labels++;
	}
	for (;;) {
		const char *dot = strchr(p, '.');
		size_t n = dot ? (size_t)(dot - p) : strlen(p);

		if (memchr(p, '*', n))
			return fail(err, errlen, "%.80s: '*' is only allowed as the whole leftmost label",
			    s);
		if (check_label(p, n, s, err, errlen) < 0)
			return -1;
		labels++;
		top = p;
		if (dot == NULL)
			break;
		p = dot + 1;
	}
	if (labels < 2 || (buf[0] == '*' && labels < 3))
		return fail(err, errlen, "%.80s: give a full name such as www.example.com", s);
	if (strspn(top, "0123456789") == strlen(top))
		return fail(err, errlen, "%.80s: the top-level label cannot be numeric (an IP address "
		    "is not a domain name)", s);
	memcpy(out, buf, len + 1);
	return 0;
}

/* Forbidden origin ranges: what is on the WAF node itself or the cloud's
 * own services, never a tenant's server. */
static const struct {
	int af;
	const char *net;
	unsigned bits;
	const char *why;
} forbidden[] = {
	{ AF_INET, "0.0.0.0", 8, "an unspecified (this-host) address" },
	{ AF_INET, "127.0.0.0", 8, "a loopback address" },
	{ AF_INET, "169.254.0.0", 16,
	  "a link-local address (incl. the metadata service 169.254.169.254)" },
	{ AF_INET, "100.100.100.200", 32, "the cloud metadata service" },
	{ AF_INET, "224.0.0.0", 4, "a multicast address" },
	{ AF_INET, "240.0.0.0", 4, "a reserved or broadcast address" },
	{ AF_INET6, "::", 128, "the unspecified address" },
	{ AF_INET6, "::1", 128, "a loopback address" },
	{ AF_INET6, "fe80::", 10, "a link-local address" },
	{ AF_INET6, "ff00::", 8, "a multicast address" },
	{ AF_INET6, "fd00:ec2::254", 128, "the cloud metadata service" },
};

static bool
prefix_match(const unsigned char *a, const unsigned char *b, unsigned bits)
{
	unsigned full = bits / 8, rest = bits % 8;

	if (memcmp(a, b, full) != 0)
		return false;
	return rest == 0 || ((a[full] ^ b[full]) & (unsigned char)(0xff << (8 - rest))) == 0;
}

static const char *
forbidden_why(int af, const unsigned char *addr)
{
	unsigned char net[16];

	/* IPv6 forms that carry an IPv4 address a node could reach: mapped
	 * (::ffff:0:0/96), compatible (::/96), NAT64 (64:ff9b::/96), 6to4
	 * (2002::/16). */
	static const struct {
		unsigned char prefix[12];
		size_t len, at;
	} embedded[] = {
		{ { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff }, 12, 12 },
		{ { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 }, 12, 12 },
		{ { 0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0 }, 12, 12 },
		{ { 0x20, 0x02 }, 2, 2 },
	};

	for (size_t i = 0; af == AF_INET6 && i < sizeof(embedded) / sizeof(embedded[0]); i++) {
		const char *why;

		if (memcmp(addr, embedded[i].prefix, embedded[i].len) != 0)
			continue;
		if (i == 1 && (addr[12] | addr[13] | addr[14]) == 0 && addr[15] <= 1)
			break;		/* :: and ::1 are themselves in the table */
		if ((why = forbidden_why(AF_INET, addr + embedded[i].at)) != NULL)
			return why;
	}
	for (size_t i = 0; i < sizeof(forbidden) / sizeof(forbidden[0]); i++) {
		if (forbidden[i].af != af || inet_pton(af, forbidden[i].net, net) != 1)
			continue;
		if (prefix_match(addr, net, forbidden[i].bits))
			return forbidden[i].why;
	}
	return NULL;
}

int
sitecfg_origin_address(const char *s, char *out, size_t outsz, char *err, size_t errlen)
{
	unsigned char addr[16];
	const char *why;
	int af = 0;

	if (s == NULL || *s == '\0')
		return fail(err, errlen, "address: empty");
	if (inet_pton(AF_INET, s, addr) == 1)
		af = AF_INET;
	else if (inet_pton(AF_INET6, s, addr) == 1)
		af = AF_INET6;
	if (af) {
		if ((why = forbidden_why(af, addr)) != NULL)
			return fail(err, errlen, "address %.64s is %s; give your server's public or "
			    "private network address", s, why);
		if (inet_ntop(af, addr, out, (socklen_t)outsz) == NULL)
			return fail(err, errlen, "address too long");
		return 0;
	}
	if (strchr(s, ':') || strspn(s, "0123456789.") == strlen(s))
		return fail(err, errlen, "address %.64s: not a valid IPv4/IPv6 address or host name", s);
	if (sitecfg_domain(s, false, out, outsz, err, errlen) < 0)
		return -1;
	if (strcmp(out, "localhost") == 0 || (strlen(out) > 10 &&
	    strcmp(out + strlen(out) - 10, ".localhost") == 0) ||
	    strcmp(out, "metadata.google.internal") == 0)
		return fail(err, errlen, "address %.64s names the WAF node itself or a metadata "
		    "service", s);
	return 0;
}

static int
parse_cidr(const char *s, int *af, unsigned char *addr, unsigned *bits)
{
	char host[64];
	const char *slash = strchr(s, '/');
	size_t hl = slash ? (size_t)(slash - s) : strlen(s);
	unsigned max;

	if (hl == 0 || hl >= sizeof(host))
		return -1;
	memcpy(host, s, hl);
	host[hl] = '\0';
	if (inet_pton(AF_INET, host, addr) == 1)
		*af = AF_INET;
	else if (inet_pton(AF_INET6, host, addr) == 1)
		*af = AF_INET6;
	else
		return -1;
	max = *af == AF_INET ? 32 : 128;
	if (slash == NULL) {
		*bits = max;
		return 0;
	}
	slash++;
	if (*slash == '\0' || strlen(slash) > 3 || strspn(slash, "0123456789") != strlen(slash) ||
	    (slash[0] == '0' && slash[1] != '\0'))
		return -2;
	*bits = (unsigned)atoi(slash);
	return *bits > max ? -2 : 0;
}

int
sitecfg_cidr(const char *s, char *out, size_t outsz, char *err, size_t errlen)
{
	unsigned char addr[16] = { 0 }, masked[16];
	char text[INET6_ADDRSTRLEN];
	unsigned bits = 0, alen;
	int af = 0, rc;

	if (s == NULL || *s == '\0')
		return fail(err, errlen, "empty address or CIDR");
	rc = parse_cidr(s, &af, addr, &bits);
	if (rc == -1)
		return fail(err, errlen, "%.64s: not an IPv4/IPv6 address or CIDR (e.g. 203.0.113.0/24)",
		    s);
	if (rc == -2)
		return fail(err, errlen, "%.64s: the prefix length must be 0-%d", s,
		    af == AF_INET ? 32 : 128);
	alen = af == AF_INET ? 4 : 16;
	memcpy(masked, addr, alen);
	for (unsigned i = 0; i < alen; i++) {
		unsigned keep = bits >= (i + 1) * 8 ? 8 : bits > i * 8 ? bits - i * 8 : 0;

		masked[i] &= (unsigned char)(keep ? 0xff << (8 - keep) : 0);
	}
	if (memcmp(masked, addr, alen) != 0) {
		inet_ntop(af, masked, text, sizeof(text));
		return fail(err, errlen, "%.64s: host bits are set; did you mean %s/%u?", s, text,
		    bits);
	}
	inet_ntop(af, addr, text, sizeof(text));
	if ((size_t)snprintf(out, outsz, "%s/%u", text, bits) >= outsz)
		return fail(err, errlen, "CIDR too long");
	return 0;
}

bool
sitecfg_cidr_contains(const char *cidr, const char *ip)
{
	unsigned char net[16] = { 0 }, a[16] = { 0 };
	unsigned bits, abits;
	int af, iaf;

	if (parse_cidr(cidr, &af, net, &bits) != 0 || parse_cidr(ip, &iaf, a, &abits) != 0 ||
	    strchr(ip, '/') || af != iaf)
		return false;
	return prefix_match(a, net, bits);
}

static const char *const categories[] = {
	"sqli", "xss", "cmdi", "lfi", "rfi", "ssrf", "xxe", "ssti", "webshell", "scanner",
	"protocol", "custom", "cc", "acl", NULL };

bool
sitecfg_is_category(const char *s)
{
	for (size_t i = 0; s && categories[i]; i++)
		if (strcmp(categories[i], s) == 0)
			return true;
	return false;
}

/* Fields a custom rule or an exception can look at. arg: the name after
 * "kind:" is required and folded to lower case for headers. */
static const struct field_kind {
	const char *name;
	bool has_arg;
	bool is_ip;
} fields[] = {
	{ "method", false, false }, { "path", false, false }, { "query", false, false },
	{ "uri", false, false }, { "body", false, false }, { "client_ip", false, true },
	{ "header", true, false }, { "cookie", true, false }, { "arg", true, false },
};

static int
check_field(const char *what, const char *s, char *out, size_t outsz, const struct field_kind **fk,
    char *err, size_t errlen)
{
	const char *colon = s ? strchr(s, ':') : NULL;
	size_t n = s ? (colon ? (size_t)(colon - s) : strlen(s)) : 0;

	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		const char *arg = colon ? colon + 1 : NULL;
		size_t al;

		if (strlen(fields[i].name) != n || strncmp(fields[i].name, s, n) != 0)
			continue;
		if (fields[i].has_arg != (arg != NULL))
			return fail(err, errlen, fields[i].has_arg ? "%s: give a name: %s:NAME" :
			    "%s: %s takes no name", what, fields[i].name);
		if (arg) {
			al = strlen(arg);
			if (al == 0 || al > 64 || strspn(arg, "abcdefghijklmnopqrstuvwxyz"
			    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+-.^_`|~[]") != al)
				return fail(err, errlen, "%s: the name after '%s:' must be 1-64 token "
				    "characters", what, fields[i].name);
		}
		if ((size_t)snprintf(out, outsz, "%s", s) >= outsz)
			return fail(err, errlen, "%s: too long", what);
		if (strcmp(fields[i].name, "header") == 0)
			for (char *p = out; *p; p++)
				*p = (char)tolower((unsigned char)*p);
		*fk = &fields[i];
		return 0;
	}
	return fail(err, errlen, "%s: unknown field '%.40s'; expected method, path, query, uri, body, "
	    "client_ip, header:NAME, cookie:NAME or arg:NAME", what, s ? s : "");
}

static int
value_regex(const char *v, char *err, size_t errlen)
{
	int code;
	PCRE2_SIZE off;
	/* Exactly the WAF nodes' flags (src/waf/rules.c parse_regex): a pattern
	 * this accepts compiles there too, so one tenant's rule cannot make the
	 * nodes refuse the bundle every tenant's sites are in. */
	pcre2_code *re = pcre2_compile((PCRE2_SPTR)v, PCRE2_ZERO_TERMINATED,
	    PCRE2_DOTALL | PCRE2_NEVER_BACKSLASH_C, &code, &off, NULL);
	PCRE2_UCHAR msg[120];

	if (re) {
		pcre2_code_free(re);
		return 0;
	}
	pcre2_get_error_message(code, msg, sizeof(msg));
	return fail(err, errlen, "value: not a valid regular expression at offset %zu: %s",
	    (size_t)off, (char *)msg);
}

static int
value_cidrs(const char *v, char *err, size_t errlen)
{
	char item[SITECFG_CIDR_MAX * 2], canon[SITECFG_CIDR_MAX];
	const char *p = v;

	for (;;) {
		const char *c = strchr(p, ',');
		size_t n = c ? (size_t)(c - p) : strlen(p);

		if (n >= sizeof(item))
			return fail(err, errlen, "value: a CIDR is too long");
		memcpy(item, p, n);
		item[n] = '\0';
		if (sitecfg_cidr(item, canon, sizeof(canon), err, errlen) < 0)
			return -1;
		if (c == NULL)
			return 0;
		p = c + 1;
	}
}

static int
value_number(const char *v, char *err, size_t errlen)
{
	/* The nodes inspect at most 256 KiB of a field. */
	if (*v == '\0' || strlen(v) > 6 || strspn(v, "0123456789") != strlen(v) ||
	    atol(v) > 262143)
		return fail(err, errlen, "value: length_gt needs a whole number of bytes "
		    "(0-262143: the WAF inspects at most 256 KiB of a field)");
	return 0;
}

/* Operators: which fields they apply to and how their value is checked. */
static const struct op {
	const char *name;
	bool ip_field;		/* client_ip only (otherwise: any field but client_ip) */
	bool ip_ok;		/* also allowed on client_ip */
	int (*check)(const char *v, char *err, size_t errlen);
} ops[] = {
	{ "equals", false, true, NULL },
	{ "not_equals", false, true, NULL },
	{ "contains", false, false, NULL },
	{ "prefix", false, false, NULL },
	{ "suffix", false, false, NULL },
	{ "regex", false, false, value_regex },
	{ "length_gt", false, false, value_number },
	{ "in_cidr", true, true, value_cidrs },
};

static const char *const actions[] = { "block", "allow", "log", NULL };

static int
only_members(const json_t *in, const char *const *names, const char *what, char *err,
    size_t errlen)
{
	const char *key;
	json_t *v;

	if (!json_is_object(in))
		return fail(err, errlen, "%s: must be an object", what);
	json_object_foreach((json_t *)in, key, v) {
		size_t i;

		for (i = 0; names[i]; i++)
			if (strcmp(names[i], key) == 0)
				break;
		if (names[i] == NULL)
			return fail(err, errlen, "%s: unknown member '%.40s'", what, key);
		if (!json_is_string(v))
			return fail(err, errlen, "%s: %s must be a string", what, key);
	}
	return 0;
}

static const char *
member(const json_t *in, const char *k)
{
	return json_string_value(json_object_get(in, k));
}

static bool
printable(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return false;
	return true;
}

bool
sitecfg_name_ok(const char *s, struct ys_err *e)
{
	if (printable(s))
		return true;
	ys_fail(e, "invalid_field", "name: control characters are not allowed");
	return false;
}

int
sitecfg_custom_rule(const json_t *in, json_t **out, char *err, size_t errlen)
{
	static const char *const names[] = { "name", "field", "operator", "value", "action", NULL };
	const char *name = member(in, "name"), *op = member(in, "operator");
	const char *value = member(in, "value"), *action = member(in, "action");
	const struct field_kind *fk = NULL;
	const struct op *o = NULL;
	char field[80];
	size_t i;

	*out = NULL;
	if (only_members(in, names, "rule", err, errlen) < 0)
		return -1;
	if (name && (strlen(name) == 0 || strlen(name) > 64 || !printable(name)))
		return fail(err, errlen, "name: 1-64 printable characters");
	if (check_field("field", member(in, "field"), field, sizeof(field), &fk, err, errlen) < 0)
		return -1;
	for (i = 0; op && i < sizeof(ops) / sizeof(ops[0]); i++)
		if (strcmp(ops[i].name, op) == 0)
			o = &ops[i];
	if (o == NULL)
		return fail(err, errlen, "operator: unknown '%.40s'; expected equals, not_equals, "
		    "contains, prefix, suffix, regex, length_gt or in_cidr", op ? op : "");
	if (o->ip_field && !fk->is_ip)
		return fail(err, errlen, "operator %s applies to client_ip only", o->name);
	if (fk->is_ip && !o->ip_ok)
		return fail(err, errlen, "client_ip takes equals, not_equals or in_cidr, not %s",
		    o->name);
	if (value == NULL || *value == '\0' || strlen(value) > SITECFG_VALUE_MAX)
		return fail(err, errlen, "value: 1-%d characters are required", SITECFG_VALUE_MAX);
	if (o->check && o->check(value, err, errlen) < 0)
		return -1;
	if (fk->is_ip && !o->check) {
		char canon[SITECFG_CIDR_MAX];

		if (strchr(value, '/') || sitecfg_cidr(value, canon, sizeof(canon), err, errlen) < 0)
			return fail(err, errlen, "value: client_ip %s needs one IP address", o->name);
	}
	for (i = 0; action && actions[i]; i++)
		if (strcmp(actions[i], action) == 0)
			break;
	if (action == NULL || actions[i] == NULL)
		return fail(err, errlen, "action: expected block, allow or log");
	*out = json_pack("{s:s, s:s, s:s, s:s}", "field", field, "operator", o->name,
	    "value", value, "action", action);
	if (*out && name)
		json_object_set_new(*out, "name", json_string(name));
	return *out ? 0 : fail(err, errlen, "out of memory");
}

int
sitecfg_exception(const json_t *in, json_t **out, char *err, size_t errlen)
{
	static const char *const names[] = { "rule_id", "category", "path_prefix", "field", "note",
		NULL };
	const char *rule = member(in, "rule_id"), *cat = member(in, "category");
	const char *path = member(in, "path_prefix"), *note = member(in, "note");
	const struct field_kind *fk;
	char field[80];

	*out = NULL;
	if (only_members(in, names, "exception", err, errlen) < 0)
		return -1;
	if (rule == NULL && cat == NULL)
		return fail(err, errlen, "give rule_id or category (or both)");
	if (rule && (*rule == '\0' || strlen(rule) > 31 || strspn(rule,
	    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._:-") != strlen(rule)))
		return fail(err, errlen, "rule_id: 1-31 characters of letters, digits and . _ : -");
	if (cat && !sitecfg_is_category(cat))
		return fail(err, errlen, "category: unknown '%.32s'; expected sqli, xss, cmdi, lfi, rfi, "
		    "ssrf, xxe, ssti, webshell, scanner, protocol, custom, cc or acl", cat);
	if (path && (path[0] != '/' || strlen(path) > 256 || strpbrk(path, " ?#") ||
	    !printable(path)))
		return fail(err, errlen, "path_prefix: a path starting with '/' (at most 256 "
		    "characters, no spaces, '?' or '#')");
	if (note && (strlen(note) > 256 || !printable(note)))
		return fail(err, errlen, "note: at most 256 printable characters");
	*out = json_object();
	if (*out == NULL)
		return fail(err, errlen, "out of memory");
	if (member(in, "field")) {
		if (check_field("field", member(in, "field"), field, sizeof(field), &fk, err,
		    errlen) < 0) {
			json_decref(*out);
			*out = NULL;
			return -1;
		}
		json_object_set_new(*out, "field", json_string(field));
	}
	if (rule)
		json_object_set_new(*out, "rule_id", json_string(rule));
	if (cat)
		json_object_set_new(*out, "category", json_string(cat));
	if (path)
		json_object_set_new(*out, "path_prefix", json_string(path));
	if (note)
		json_object_set_new(*out, "note", json_string(note));
	return 0;
}

/* WAF node events: one row per type, each member with its check. */
enum ev_kind { EV_INT, EV_STR };

struct ev_member {
	const char *name;
	enum ev_kind kind;
	bool required;
	long long lo, hi;	/* integer bounds, or string length bounds */
	int (*check)(const char *v, char *err, size_t errlen);
};

static int
ev_category(const char *v, char *err, size_t errlen)
{
	return sitecfg_is_category(v) ? 0 : fail(err, errlen, "unknown category '%.32s'", v);
}

static int
ev_severity(const char *v, char *err, size_t errlen)
{
	static const char *const sev[] = { "low", "medium", "high", "critical", NULL };

	for (size_t i = 0; sev[i]; i++)
		if (strcmp(sev[i], v) == 0)
			return 0;
	return fail(err, errlen, "expected low, medium, high or critical");
}

static int
ev_action(const char *v, char *err, size_t errlen)
{
	return strcmp(v, "block") == 0 || strcmp(v, "log") == 0 ? 0 :
	    fail(err, errlen, "expected block or log");
}

static int
ev_ip(const char *v, char *err, size_t errlen)
{
	unsigned char a[16];

	return inet_pton(AF_INET, v, a) == 1 || inet_pton(AF_INET6, v, a) == 1 ? 0 :
	    fail(err, errlen, "not an IP address");
}

static int
ev_token(const char *v, char *err, size_t errlen)
{
	return strspn(v, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._:-") ==
	    strlen(v) ? 0 : fail(err, errlen, "letters, digits and . _ : - only");
}

static int
ev_printable(const char *v, char *err, size_t errlen)
{
	return printable(v) ? 0 : fail(err, errlen, "control characters are not allowed");
}

#define EV_END { NULL, EV_INT, false, 0, 0, NULL }
static const struct ev_member attack_members[] = {
	{ "site_id", EV_INT, true, 1, 1LL << 53, NULL },
	{ "rule_id", EV_STR, true, 1, 31, ev_token },
	{ "category", EV_STR, true, 1, 23, ev_category },
	{ "severity", EV_STR, true, 1, 16, ev_severity },
	{ "action", EV_STR, true, 1, 8, ev_action },
	{ "client_ip", EV_STR, true, 2, 45, ev_ip },
	{ "method", EV_STR, true, 1, 16, ev_token },
	{ "uri", EV_STR, true, 1, 2048, ev_printable },
	{ "excerpt", EV_STR, true, 0, 256, ev_printable },
	{ "request_id", EV_STR, true, 1, 64, ev_token },
	{ "score", EV_INT, false, 0, 100000, NULL },
	EV_END };
static const struct ev_member stats_members[] = {
	{ "site_id", EV_INT, true, 1, 1LL << 53, NULL },
	{ "requests", EV_INT, true, 0, 1000000000000LL, NULL },
	{ "blocked", EV_INT, true, 0, 1000000000000LL, NULL },
	{ "period_s", EV_INT, false, 1, 86400, NULL },
	EV_END };

static const struct {
	const char *type;
	const struct ev_member *members;
} waf_events[] = {
	{ "waf.attack", attack_members },
	{ "waf.stats", stats_members },
};

static int
ev_check(const struct ev_member *ms, const json_t *p, char *err, size_t errlen)
{
	const char *key;
	json_t *v;

	if (!json_is_object(p))
		return fail(err, errlen, "payload: must be an object");
	json_object_foreach((json_t *)p, key, v) {
		const struct ev_member *m = ms;

		while (m->name && strcmp(m->name, key) != 0)
			m++;
		if (m->name == NULL)
			return fail(err, errlen, "payload: unknown member '%.32s'", key);
	}
	for (const struct ev_member *m = ms; m->name; m++) {
		char why[160];

		v = json_object_get(p, m->name);
		if (v == NULL) {
			if (m->required)
				return fail(err, errlen, "payload.%s: required", m->name);
			continue;
		}
		if (m->kind == EV_INT) {
			if (!json_is_integer(v) || json_integer_value(v) < m->lo ||
			    json_integer_value(v) > m->hi)
				return fail(err, errlen, "payload.%s: an integer from %lld to %lld is "
				    "required", m->name, m->lo, m->hi);
			continue;
		}
		if (!json_is_string(v) || (long long)json_string_length(v) < m->lo ||
		    (long long)json_string_length(v) > m->hi ||
		    strlen(json_string_value(v)) != json_string_length(v))
			return fail(err, errlen, "payload.%s: a string of %lld-%lld characters is "
			    "required", m->name, m->lo, m->hi);
		if (m->check && m->check(json_string_value(v), why, sizeof(why)) < 0)
			return fail(err, errlen, "payload.%s: %s", m->name, why);
	}
	return 0;
}

int
sitecfg_waf_event(const char *type, const json_t *payload, char *err, size_t errlen)
{
	for (size_t i = 0; type && i < sizeof(waf_events) / sizeof(waf_events[0]); i++)
		if (strcmp(waf_events[i].type, type) == 0)
			return ev_check(waf_events[i].members, payload, err, errlen);
	return fail(err, errlen, "type: unknown WAF event type '%.40s'; expected waf.attack or "
	    "waf.stats", type ? type : "");
}
