/*
 * scans: scan targets and their authorisation, scan jobs, their results
 * and the diff against the previous scan (scans.h).
 */
#include "scans.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "alerts.h"
#include "audit.h"
#include "orders.h"
#include "portscan.h"
#include "store.h"

#define SERVICE "vuln-scan"
#define DEFAULT_PORTS "1-1024"
#define MAX_HOST_ADDRESSES 16
#define MAX_REPORTED 64

/* ---- addresses ---- */

/* Never a target, whoever asks: the scanner would probe the provider's
 * own host or a cloud metadata service (SSRF through the scanner), or
 * an address that is not one host. */
static const struct forbidden {
	int family;
	const char *net;
	int prefix;
	const char *why;
	bool loopback;
} forbidden[] = {
	{ AF_INET, "0.0.0.0", 8, "in 0.0.0.0/8 ('this network')", false },
	{ AF_INET, "127.0.0.0", 8, "a loopback address (the scanner's own host)", true },
	{ AF_INET, "169.254.0.0", 16, "link-local (169.254.0.0/16, where cloud metadata "
	    "services answer)", false },
	{ AF_INET, "100.100.100.200", 32, "the Alibaba Cloud metadata service", false },
	{ AF_INET, "224.0.0.0", 4, "multicast", false },
	{ AF_INET, "240.0.0.0", 4, "reserved (240.0.0.0/4) or broadcast", false },
	{ AF_INET6, "::", 128, "the unspecified address", false },
	{ AF_INET6, "::1", 128, "a loopback address (the scanner's own host)", true },
	{ AF_INET6, "fe80::", 10, "link-local (fe80::/10)", false },
	{ AF_INET6, "ff00::", 8, "multicast", false },
	{ AF_INET6, "fd00:ec2::254", 128, "the AWS metadata service", false },
	{ AF_INET, "168.63.129.16", 32, "the Azure platform address (WireServer)", false },
	{ AF_INET, "100.64.0.0", 10, "shared address space (100.64.0.0/10: carrier NAT, "
	    "Alibaba Cloud's internal DNS and NTP)", false },
	{ AF_INET, "192.0.0.0", 24, "IETF protocol assignments (192.0.0.0/24, Oracle Cloud "
	    "metadata)", false },
	{ AF_INET, "198.18.0.0", 15, "benchmarking space (198.18.0.0/15)", false },
	/* IPv6 spellings of IPv4 hosts that would dodge the IPv4 rows. */
	{ AF_INET6, "64:ff9b::", 96, "a NAT64 address (an IPv4 host; give it as IPv4)", false },
	{ AF_INET6, "64:ff9b:1::", 48, "a NAT64 address (an IPv4 host; give it as IPv4)", false },
	{ AF_INET6, "2002::", 16, "a 6to4 address (an IPv4 host; give it as IPv4)", false },
	{ AF_INET6, "2001::", 32, "a Teredo address (an IPv4 host; give it as IPv4)", false },
};

/* Not global: private and documentation ranges. They may be scanned when
 * an operator approves them (a private cloud, a customer's VPC reachable
 * from the scanner), never on an agent's word: seen from the provider's
 * scanner a private address may be the provider's own network. */
static const struct { int family; const char *net; int prefix; } not_global[] = {
	{ AF_INET, "10.0.0.0", 8 }, { AF_INET, "172.16.0.0", 12 }, { AF_INET, "192.168.0.0", 16 },
	{ AF_INET, "192.0.2.0", 24 }, { AF_INET, "198.51.100.0", 24 },
	{ AF_INET, "203.0.113.0", 24 }, { AF_INET6, "fc00::", 7 }, { AF_INET6, "2001:db8::", 32 },
};

static bool
prefix_match(const unsigned char *a, const unsigned char *net, int prefix)
{
	int full = prefix / 8, rest = prefix % 8;

	if (memcmp(a, net, (size_t)full) != 0)
		return false;
	return rest == 0 || ((a[full] ^ net[full]) & (0xff << (8 - rest))) == 0;
}

const char *
scans_forbidden_address(const struct sockaddr *sa, bool allow_loopback)
{
	const unsigned char *a;
	unsigned char net[16];
	int family = sa->sa_family;

	if (family == AF_INET) {
		a = (const unsigned char *)&((const struct sockaddr_in *)sa)->sin_addr;
	} else if (family == AF_INET6) {
		a = ((const struct sockaddr_in6 *)sa)->sin6_addr.s6_addr;
		/* ::ffff:a.b.c.d is the IPv4 host a.b.c.d. */
		if (IN6_IS_ADDR_V4MAPPED((const struct in6_addr *)a)) {
			a += 12;
			family = AF_INET;
		}
	} else {
		return "not an IP address";
	}
	/* ::a.b.c.d (IPv4-compatible, deprecated) but :: and ::1. */
	if (family == AF_INET6 && memcmp(a, "\0\0\0\0\0\0\0\0\0\0\0\0", 12) == 0 &&
	    (a[12] | a[13] | a[14]) != 0)
		return "an IPv4-compatible IPv6 address (an IPv4 host; give it as IPv4)";
	for (size_t i = 0; i < sizeof(forbidden) / sizeof(forbidden[0]); i++) {
		const struct forbidden *f = &forbidden[i];

		if (f->family != family || inet_pton(family, f->net, net) != 1)
			continue;
		if (prefix_match(a, net, f->prefix) && !(f->loopback && allow_loopback))
			return f->why;
	}
	return NULL;
}

static bool
is_global(const struct sockaddr *sa)
{
	const unsigned char *a = sa->sa_family == AF_INET ?
	    (const unsigned char *)&((const struct sockaddr_in *)sa)->sin_addr :
	    ((const struct sockaddr_in6 *)sa)->sin6_addr.s6_addr;
	unsigned char net[16];

	for (size_t i = 0; i < sizeof(not_global) / sizeof(not_global[0]); i++)
		if (not_global[i].family == sa->sa_family &&
		    inet_pton(sa->sa_family, not_global[i].net, net) == 1 &&
		    prefix_match(a, net, not_global[i].prefix))
			return false;
	return true;
}

/* ::ffff:a.b.c.d is the IPv4 host a.b.c.d: one spelling per host, so the
 * comparisons with agents' addresses (and other tenants') cannot be
 * dodged by writing an address another way. */
static void
unmap(struct sockaddr_storage *ss)
{
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
	struct sockaddr_in s4 = { .sin_family = AF_INET };

	if (ss->ss_family != AF_INET6 || !IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr))
		return;
	memcpy(&s4.sin_addr, s6->sin6_addr.s6_addr + 12, 4);
	memset(ss, 0, sizeof(*ss));
	memcpy(ss, &s4, sizeof(s4));
}

/* The canonical text of a numeric address, and its sockaddr. 0 / -1. */
static int
numeric(const char *s, struct sockaddr_storage *ss, char *canon, size_t canonlen)
{
	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, s, &((struct sockaddr_in *)ss)->sin_addr) == 1)
		ss->ss_family = AF_INET;
	else if (inet_pton(AF_INET6, s, &((struct sockaddr_in6 *)ss)->sin6_addr) == 1)
		ss->ss_family = AF_INET6;
	else
		return -1;
	unmap(ss);
	if (canon != NULL) {
		const void *a = ss->ss_family == AF_INET ?
		    (const void *)&((struct sockaddr_in *)ss)->sin_addr :
		    (const void *)&((struct sockaddr_in6 *)ss)->sin6_addr;

		if (inet_ntop(ss->ss_family, a, canon, (socklen_t)canonlen) == NULL)
			return -1;
	}
	return 0;
}

static int
add_address(json_t *list, const struct sockaddr *orig, bool allow_lo, const char *target,
    struct ys_err *e)
{
	struct sockaddr_storage ss = { 0 };
	const struct sockaddr *sa = (const struct sockaddr *)&ss;
	char text[INET6_ADDRSTRLEN];
	const char *why;
	const void *a;
	size_t i;
	json_t *v;

	memcpy(&ss, orig, orig->sa_family == AF_INET ? sizeof(struct sockaddr_in) :
	    sizeof(struct sockaddr_in6));
	unmap(&ss);
	why = scans_forbidden_address(sa, allow_lo);
	a = sa->sa_family == AF_INET ? (const void *)&((const struct sockaddr_in *)sa)->sin_addr :
	    (const void *)&((const struct sockaddr_in6 *)sa)->sin6_addr;

	if (inet_ntop(sa->sa_family, a, text, sizeof(text)) == NULL)
		return ys_fail(e, "invalid_field", "target: bad address");
	if (why != NULL)
		return ys_fail(e, "invalid_field", "target: %s%s%s is %s and cannot be scanned",
		    target, strcmp(target, text) ? " covers " : "", strcmp(target, text) ? text : "",
		    why);
	json_array_foreach(list, i, v)
		if (strcmp(json_string_value(v), text) == 0)
			return 0;
	return json_array_append_new(list, json_string(text)) == 0 ? 0 :
	    ys_fail(e, "internal", "out of memory");
}

/* "10.0.0.0/24": every host address of the block (IPv4 blocks larger than
 * /31 without their network and broadcast addresses). */
static int
cidr_addresses(const char *s, bool allow_lo, json_t *list, char *canon, size_t canonlen,
    struct ys_err *e)
{
	char addr[INET6_ADDRSTRLEN + 1], *end;
	const char *slash = strchr(s, '/');
	struct sockaddr_storage ss;
	unsigned char *bytes;
	size_t alen = (size_t)(slash - s), nbytes;
	long prefix;
	int min, hostbits;

	if (alen >= sizeof(addr) || slash[1] == '\0')
		return ys_fail(e, "invalid_field", "target: expected ADDRESS/PREFIX, got '%s'", s);
	memcpy(addr, s, alen);
	addr[alen] = '\0';
	if (numeric(addr, &ss, NULL, 0) < 0)
		return ys_fail(e, "invalid_field", "target: '%s' is not an IPv4 or IPv6 address",
		    addr);
	prefix = strtol(slash + 1, &end, 10);
	nbytes = ss.ss_family == AF_INET ? 4 : 16;
	min = ss.ss_family == AF_INET ? 24 : 120;
	if (*end != '\0' || !isdigit((unsigned char)slash[1]) || prefix < min ||
	    prefix > (long)nbytes * 8)
		return ys_fail(e, "invalid_field", "target: prefix of %s must be %d to %zu (at most "
		    "%d addresses per target)", s, min, nbytes * 8, SCANS_MAX_ADDRESSES);
	bytes = ss.ss_family == AF_INET ?
	    (unsigned char *)&((struct sockaddr_in *)&ss)->sin_addr :
	    ((struct sockaddr_in6 *)&ss)->sin6_addr.s6_addr;
	hostbits = (int)(nbytes * 8 - (size_t)prefix);
	if ((bytes[nbytes - 1] & ((1u << hostbits) - 1)) != 0)
		return ys_fail(e, "invalid_field", "target: %s has host bits set; give the "
		    "network address of the block", s);
	if (numeric(addr, &ss, canon, canonlen) < 0)
		return ys_fail(e, "internal", "cannot format the address");
	snprintf(canon + strlen(canon), canonlen - strlen(canon), "/%ld", prefix);
	for (unsigned h = 0; h < (1u << hostbits); h++) {
		bool edge = ss.ss_family == AF_INET && hostbits > 1 &&
		    (h == 0 || h == (1u << hostbits) - 1);

		bytes[nbytes - 1] = (unsigned char)((bytes[nbytes - 1] & ~((1u << hostbits) - 1)) | h);
		if (!edge && add_address(list, (struct sockaddr *)&ss, allow_lo, canon, e) < 0)
			return -1;
	}
	return 0;
}

static bool
valid_hostname(const char *s)
{
	size_t n = strlen(s), label = 0;
	bool alpha_tld = false;

	if (n == 0 || n > 253 || s[0] == '.' || s[n - 1] == '.')
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '.') {
			if (label == 0 || s[i - 1] == '-')
				return false;
			label = 0;
			alpha_tld = false;
			continue;
		}
		if (!isalnum(c) && c != '-')
			return false;
		if (c == '-' && label == 0)
			return false;
		if (isalpha(c))
			alpha_tld = true;
		if (++label > 63)
			return false;
	}
	return alpha_tld && s[n - 1] != '-';
}

static int
host_addresses(const char *name, bool allow_lo, json_t *list, struct ys_err *e)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res = NULL;
	char fqdn[260];
	int rc;

	/* A fully qualified name, resolved as such: a single label would be
	 * completed with the control plane's own search domains. */
	if (strchr(name, '.') == NULL && !(allow_lo && strcmp(name, "localhost") == 0))
		return ys_fail(e, "invalid_field", "target: give a fully qualified host name "
		    "(like www.example.cn), not '%s'", name);
	snprintf(fqdn, sizeof(fqdn), "%s%s", name, strchr(name, '.') ? "." : "");
	rc = getaddrinfo(fqdn, NULL, &hints, &res);
	if (rc != 0)
		return ys_fail(e, "invalid_field", "target: cannot resolve %s: %s", name,
		    gai_strerror(rc));
	for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
		if (ai->ai_family != AF_INET && ai->ai_family != AF_INET6)
			continue;
		if (json_array_size(list) >= MAX_HOST_ADDRESSES)
			break;
		/* The control plane's resolver may know internal names: a name that
		 * resolves to a private address is refused without saying which. */
		if (!is_global(ai->ai_addr) && !(allow_lo && strcmp(name, "localhost") == 0)) {
			freeaddrinfo(res);
			return ys_fail(e, "invalid_field", "target: %s resolves to a private address; "
			    "register the address itself (an operator approves private addresses)",
			    name);
		}
		if (add_address(list, ai->ai_addr, allow_lo, name, e) < 0) {
			freeaddrinfo(res);
			return -1;
		}
	}
	freeaddrinfo(res);
	if (json_array_size(list) == 0)
		return ys_fail(e, "invalid_field", "target: %s has no IPv4 or IPv6 address", name);
	return 0;
}

/* Parse a target into its kind, canonical text and covered addresses. */
static int
parse_target(const char *s, bool allow_lo, char *kind, char *canon, size_t canonlen,
    json_t **addresses, struct ys_err *e)
{
	struct sockaddr_storage ss;
	json_t *list = json_array();
	int rc;

	*addresses = NULL;
	if (list == NULL)
		return ys_fail(e, "internal", "out of memory");
	if (strchr(s, '/') != NULL) {
		strcpy(kind, "cidr");
		rc = cidr_addresses(s, allow_lo, list, canon, canonlen, e);
	} else if (numeric(s, &ss, canon, canonlen) == 0) {
		strcpy(kind, "ip");
		rc = add_address(list, (struct sockaddr *)&ss, allow_lo, canon, e);
	} else {
		size_t i;

		strcpy(kind, "host");
		for (i = 0; s[i] && i + 1 < canonlen; i++)
			canon[i] = (char)tolower((unsigned char)s[i]);
		canon[i] = '\0';
		if (!valid_hostname(canon) || s[i] != '\0')
			rc = ys_fail(e, "invalid_field", "target: '%s' is not an IP address, a CIDR "
			    "block or a host name", s);
		else
			rc = host_addresses(canon, allow_lo, list, e);
	}
	if (rc < 0) {
		json_decref(list);
		return -1;
	}
	*addresses = list;
	return 0;
}

int
scans_node_addresses(struct db *db, int64_t node_id, int64_t tenant_id,
    const json_t *reported, const char *peer)
{
	int64_t now = (int64_t)time(NULL);
	struct sockaddr_storage ss;
	char canon[INET6_ADDRSTRLEN];
	size_t i, n = 0;
	json_t *v;

	if (tenant_id <= 0)
		return 0;
	if (json_is_array(reported)) {
		if (db_run(db, "DELETE FROM node_addresses WHERE node_id = ? AND source = 'reported'",
		    "l", node_id) < 0)
			return -1;
		json_array_foreach(reported, i, v) {
			if (!json_is_string(v) || n >= MAX_REPORTED ||
			    numeric(json_string_value(v), &ss, canon, sizeof(canon)) < 0)
				continue;
			if (db_run(db, "INSERT OR REPLACE INTO node_addresses (node_id, tenant_id,"
			    " address, source, seen_at) VALUES (?, ?, ?, 'reported', ?)", "llsl",
			    node_id, tenant_id, canon, now) < 0)
				return -1;
			n++;
		}
	}
	if (peer != NULL && numeric(peer, &ss, canon, sizeof(canon)) == 0 &&
	    db_run(db, "INSERT OR REPLACE INTO node_addresses (node_id, tenant_id, address,"
	    " source, seen_at) VALUES (?, ?, ?, 'peer', ?)", "llsl", node_id, tenant_id, canon,
	    now) < 0)
		return -1;
	return 0;
}

/* Another tenant whose live node reports address or connects from it
 * (0: none): that tenant's host, or a gateway it shares. */
static int64_t
other_tenant(struct db *db, int64_t tenant_id, const char *address)
{
	return db_int(db, 0, "SELECT a.tenant_id FROM node_addresses a JOIN nodes n"
	    " ON n.id = a.node_id WHERE a.address = ? AND a.tenant_id != ?"
	    " AND n.revoked_at IS NULL AND a.seen_at >= ? LIMIT 1", "sll", address, tenant_id,
	    (int64_t)time(NULL) - SCANS_ADDRESS_TTL_S);
}

/* The tenant's live agents whose host proves address its own
 * (comma-separated ids in out, empty when none): the agent reports it as an
 * interface address AND its connections come from it — a TCP source
 * address cannot be claimed without the routing that answers it, while a
 * heartbeat's list is only the tenant's word. Never a private or
 * documentation address (seen from the provider's scanner it may be the
 * provider's own network), never one another tenant's node reports or
 * connects from. Anything else needs an operator's approval. */
static void
agents_reporting(struct db *db, int64_t tenant_id, const char *address, char *out,
    size_t outlen)
{
	struct sockaddr_storage ss;
	struct db_stmt *st;
	int64_t since = (int64_t)time(NULL) - SCANS_ADDRESS_TTL_S;
	size_t o = 0;

	out[0] = '\0';
	if (numeric(address, &ss, NULL, 0) < 0 || !is_global((struct sockaddr *)&ss) ||
	    other_tenant(db, tenant_id, address) > 0)
		return;
	st = db_q(db, "SELECT DISTINCT a.node_id FROM node_addresses a"
	    " JOIN node_addresses p ON p.node_id = a.node_id AND p.address = a.address"
	    "  AND p.source = 'peer' AND p.seen_at >= ?"
	    " JOIN nodes n ON n.id = a.node_id WHERE a.address = ? AND a.tenant_id = ?"
	    " AND a.source = 'reported'"
	    " AND n.tenant_id = a.tenant_id AND n.revoked_at IS NULL AND n.kind = 'agent'"
	    " AND a.seen_at >= ? ORDER BY a.node_id LIMIT 4", "lsll", since, address, tenant_id,
	    since);
	while (st != NULL && db_step(st) == DB_ROW && o + 24 < outlen)
		o += (size_t)snprintf(out + o, outlen - o, "%snode/%lld", o ? "," : "",
		    (long long)db_col_int(st, 0));
	if (st != NULL)
		db_done(st);
}

/* ---- targets ---- */

/* Every comma-separated item of item (node/1,node/12) already in list. */
static bool
has_token(const char *list, const char *item)
{
	char buf[512];

	snprintf(buf, sizeof(buf), ",%s,", list);
	for (const char *p = item; *p;) {
		size_t n = strcspn(p, ",");
		char tok[64];

		snprintf(tok, sizeof(tok), ",%.*s,", (int)(n < 60 ? n : 60), p);
		if (strstr(buf, tok) == NULL)
			return false;
		p += n;
		if (*p == ',')
			p++;
	}
	return true;
}

static json_t *
target_row(struct db *db, struct scope sc, int64_t id, struct ys_err *e)
{
	json_t *t = store_find(db, sc, STORE_SCAN_TARGETS, id, "scan target", e);
	json_t *a;

	if (t == NULL)
		return NULL;
	a = json_loads(json_string_value(json_object_get(t, "addresses")), 0, NULL);
	json_object_set_new(t, "addresses", a ? a : json_array());
	return t;
}

static int
check_ports_rate(const char *ports, int64_t rate, struct ys_err *e)
{
	uint16_t *list = NULL;
	size_t n;
	char err[256];

	if (portscan_parse_spec(ports, &list, &n, err, sizeof(err)) < 0)
		return ys_fail(e, "invalid_field", "ports: %s", err);
	free(list);
	if (rate < 0 || rate > 100000)
		return ys_fail(e, "invalid_field", "rate: connects per second, 0 (no limit) to "
		    "100000");
	return 0;
}

int
scans_target_parse(const char *target, bool allow_loopback, struct scans_target_spec *spec,
    struct ys_err *e)
{
	memset(spec, 0, sizeof(*spec));
	if (target == NULL)
		return ys_fail(e, "invalid_field", "target: required");
	return parse_target(target, allow_loopback, spec->kind, spec->canon, sizeof(spec->canon),
	    &spec->addresses, e);
}

void
scans_target_spec_clear(struct scans_target_spec *spec)
{
	json_decref(spec->addresses);
	spec->addresses = NULL;
}

int
scans_target_create(struct db *db, const struct principal *p,
    const struct scans_target_spec *spec, const json_t *in, json_t **out, struct ys_err *e)
{
	const char *ports = json_string_value(json_object_get(in, "ports"));
	const char *note = json_string_value(json_object_get(in, "note"));
	int64_t rate = json_integer_value(json_object_get(in, "rate"));
	const char *kind = spec->kind, *canon = spec->canon;
	char by[512] = "", who[128];
	json_t *addrs = spec->addresses, *v;
	bool all = true;
	char *text = NULL;
	int64_t id;
	size_t i;
	int rc = -1;

	if (p->tenant_id <= 0)
		return ys_fail(e, "forbidden", "scan targets belong to a tenant; operators approve "
		    "them (scan-target approve)");
	if (orders_quota_limit(db, p->tenant_id, SERVICE) <= 0)
		return ys_fail(e, "forbidden", "no active vuln-scan subscription: order the "
		    "vulnerability scanning service first");
	if (ports == NULL)
		ports = DEFAULT_PORTS;
	if (!json_is_array(addrs) || check_ports_rate(ports, rate, e) < 0)
		return json_is_array(addrs) ? -1 : ys_fail(e, "invalid_field", "target: required");
	/* Authorised at once when the tenant's own agents report every address. */
	json_array_foreach(addrs, i, v) {
		agents_reporting(db, p->tenant_id, json_string_value(v), who, sizeof(who));
		if (who[0] == '\0') {
			all = false;
			break;
		}
		if (!has_token(by, who) && strlen(by) + strlen(who) + 2 < sizeof(by))
			snprintf(by + strlen(by), sizeof(by) - strlen(by), "%s%s", by[0] ? "," : "",
			    who);
	}
	if ((text = json_dumps(addrs, JSON_COMPACT)) == NULL) {
		ys_fail(e, "internal", "out of memory");
		goto out;
	}
	if (db_run(db, "INSERT INTO scan_targets (tenant_id, target, kind, addresses, ports, rate,"
	    " status, authorization, authorized_by, decided_at, note, created_by, created_at)"
	    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", "lsssslsssLssl", p->tenant_id, canon,
	    kind, text, ports, rate, all ? "authorized" : "pending", all ? "agent" : NULL,
	    all ? by : NULL, all ? (int64_t)time(NULL) : 0, note, p->username,
	    (int64_t)time(NULL)) != 1) {
		if (db_is_conflict(db))
			ys_fail(e, "conflict", "scan target %s already exists", canon);
		else
			ys_fail(e, "internal", "cannot store the scan target");
		goto out;
	}
	id = db_last_id(db);
	snprintf(who, sizeof(who), "scan_target/%lld", (long long)id);
	if (orders_quota_acquire(db, p->tenant_id, SERVICE, who, e) < 0)
		goto out;
	*out = target_row(db, principal_scope(p), id, e);
	rc = *out ? 0 : -1;
out:
	free(text);
	return rc;
}

json_t *
scans_target_list(struct db *db, const struct principal *p, const json_t *filters)
{
	static const char *const names[] = { "status", "kind", "tenant_id", NULL };
	struct store_filter f[4];
	size_t n = store_filters_from(filters, names, f, sizeof(f) / sizeof(f[0])), i;
	json_t *rows, *t;

	rows = store_list(db, principal_scope(p), STORE_SCAN_TARGETS, f, n, 0);
	json_array_foreach(rows, i, t) {
		json_t *a = json_loads(json_string_value(json_object_get(t, "addresses")), 0, NULL);

		json_object_set_new(t, "addresses", a ? a : json_array());
	}
	return rows;
}

json_t *
scans_target_get(struct db *db, const struct principal *p, int64_t id, struct ys_err *e)
{
	return target_row(db, principal_scope(p), id, e);
}

/* An operator's decision on a pending target. */
static int
decide(struct db *db, const struct principal *by, int64_t id, const char *to,
    const char *text, json_t **out, struct ys_err *e)
{
	json_t *t = target_row(db, principal_scope(by), id, e), *v;
	const char *status;
	size_t i;

	if (t == NULL)
		return -1;
	status = json_string_value(json_object_get(t, "status"));
	if (strcmp(status, "pending") != 0) {
		ys_fail(e, "conflict", "scan target %lld is %s; only pending targets are decided",
		    (long long)id, status);
		json_decref(t);
		return -1;
	}
	/* An address another tenant's agent reports is that tenant's host. */
	if (strcmp(to, "authorized") == 0)
		json_array_foreach(json_object_get(t, "addresses"), i, v) {
			int64_t other = other_tenant(db,
			    (int64_t)json_integer_value(json_object_get(t, "tenant_id")),
			    json_string_value(v));

			if (other > 0) {
				ys_fail(e, "conflict", "address %s is reported by an enrolled host of "
				    "tenant %lld; it cannot be authorised for another tenant",
				    json_string_value(v), (long long)other);
				json_decref(t);
				return -1;
			}
		}
	json_decref(t);
	if (db_run(db, "UPDATE scan_targets SET status = ?, authorization = ?, authorized_by = ?,"
	    " authorization_ref = ?, decided_at = ? WHERE id = ? AND status = 'pending'",
	    "ssssll", to, strcmp(to, "authorized") == 0 ? "operator" : NULL, by->username, text,
	    (int64_t)time(NULL), id) != 1)
		return ys_fail(e, "internal", "cannot update the scan target");
	*out = target_row(db, scope_all(), id, e);
	return *out ? 0 : -1;
}

int
scans_target_approve(struct db *db, const struct principal *by, int64_t id,
    const char *reference, json_t **out, struct ys_err *e)
{
	return decide(db, by, id, "authorized", reference, out, e);
}

int
scans_target_reject(struct db *db, const struct principal *by, int64_t id,
    const char *reason, json_t **out, struct ys_err *e)
{
	return decide(db, by, id, "rejected", reason, out, e);
}

int
scans_target_delete(struct db *db, const struct principal *by, int64_t id, json_t **out,
    struct ys_err *e)
{
	json_t *t = target_row(db, principal_scope(by), id, e);
	char res[64];
	int64_t tenant;

	if (t == NULL)
		return -1;
	tenant = json_integer_value(json_object_get(t, "tenant_id"));
	snprintf(res, sizeof(res), "scan_target/%lld", (long long)id);
	if (db_run(db, "UPDATE scan_targets SET deleted_at = ? WHERE id = ?", "ll",
	    (int64_t)time(NULL), id) != 1 ||
	    db_run(db, "UPDATE scan_jobs SET status = 'cancelled', finished_at = ?,"
	    " error = 'target deleted' WHERE target_id = ? AND status = 'queued'", "ll",
	    (int64_t)time(NULL), id) < 0 ||
	    db_run(db, "UPDATE scan_jobs SET cancel_requested = 1 WHERE target_id = ?"
	    " AND status = 'running'", "l", id) < 0 ||
	    orders_quota_release(db, tenant, SERVICE, res) < 0) {
		json_decref(t);
		return ys_fail(e, "internal", "cannot delete the scan target");
	}
	*out = t;
	return 0;
}

/* ---- jobs ---- */

int
scans_create(struct db *db, const struct principal *p, int64_t target_id, const json_t *in,
    json_t **out, struct ys_err *e)
{
	json_t *t = target_row(db, principal_scope(p), target_id, e);
	const char *ports, *status;
	int64_t rate, tenant, busy, id;
	int rc = -1;

	if (t == NULL)
		return -1;
	tenant = json_integer_value(json_object_get(t, "tenant_id"));
	status = json_string_value(json_object_get(t, "status"));
	ports = json_string_value(json_object_get(in, "ports"));
	if (ports == NULL)
		ports = json_string_value(json_object_get(t, "ports"));
	rate = json_object_get(in, "rate") ? json_integer_value(json_object_get(in, "rate")) :
	    json_integer_value(json_object_get(t, "rate"));
	if (strcmp(status, "authorized") != 0) {
		ys_fail(e, "forbidden", "scan target %lld is %s: only authorised targets are "
		    "scanned (an address your agents report, or an operator's approval)",
		    (long long)target_id, status);
		goto out;
	}
	if (orders_quota_limit(db, tenant, SERVICE) <= 0) {
		ys_fail(e, "forbidden", "the tenant's vuln-scan subscription is not active");
		goto out;
	}
	if (check_ports_rate(ports, rate, e) < 0)
		goto out;
	busy = db_int(db, 0, "SELECT id FROM scan_jobs WHERE target_id = ? AND status IN"
	    " ('queued','running') LIMIT 1", "l", target_id);
	if (busy > 0) {
		ys_fail(e, "conflict", "scan %lld of this target is not finished yet",
		    (long long)busy);
		goto out;
	}
	if (db_run(db, "INSERT INTO scan_jobs (tenant_id, target_id, status, ports, rate,"
	    " hosts_total, created_by, created_at) VALUES (?, ?, 'queued', ?, ?, ?, ?, ?)",
	    "llslls" "l", tenant, target_id, ports, rate,
	    (int64_t)json_array_size(json_object_get(t, "addresses")), p->username,
	    (int64_t)time(NULL)) != 1) {
		ys_fail(e, "internal", "cannot queue the scan");
		goto out;
	}
	id = db_last_id(db);
	*out = store_get(db, scope_all(), STORE_SCAN_JOBS, id);
	rc = *out ? 0 : ys_fail(e, "internal", "cannot read the scan back");
out:
	json_decref(t);
	return rc;
}

json_t *
scans_list(struct db *db, const struct principal *p, const json_t *filters)
{
	static const char *const names[] = { "target_id", "status", "tenant_id", NULL };
	struct store_filter f[4];
	size_t n = store_filters_from(filters, names, f, sizeof(f) / sizeof(f[0]));

	return store_list(db, principal_scope(p), STORE_SCAN_JOBS, f, n, 0);
}

json_t *
scans_get(struct db *db, const struct principal *p, int64_t id, struct ys_err *e)
{
	return store_find(db, principal_scope(p), STORE_SCAN_JOBS, id, "scan", e);
}

int
scans_cancel(struct db *db, const struct principal *p, int64_t id, json_t **out,
    struct ys_err *e)
{
	json_t *j = scans_get(db, p, id, e);
	const char *status;
	int64_t n;

	if (j == NULL)
		return -1;
	status = json_string_value(json_object_get(j, "status"));
	if (strcmp(status, "queued") != 0 && strcmp(status, "running") != 0) {
		ys_fail(e, "conflict", "scan %lld is %s already", (long long)id, status);
		json_decref(j);
		return -1;
	}
	/* A queued scan ends now; a running one at the worker's next look. */
	n = strcmp(status, "queued") == 0 ?
	    db_run(db, "UPDATE scan_jobs SET status = 'cancelled', finished_at = ?,"
	    " cancel_requested = 1 WHERE id = ? AND status = 'queued'", "ll",
	    (int64_t)time(NULL), id) :
	    db_run(db, "UPDATE scan_jobs SET cancel_requested = 1 WHERE id = ?", "l", id);
	json_decref(j);
	if (n != 1)
		return ys_fail(e, "internal", "cannot cancel the scan");
	*out = store_get(db, scope_all(), STORE_SCAN_JOBS, id);
	return *out ? 0 : ys_fail(e, "internal", "cannot read the scan back");
}

static json_t *
rows(struct db *db, const char *sql, int64_t a, int64_t b)
{
	struct db_stmt *st = db_q(db, sql, b ? "ll" : "l", a, b);

	return st ? db_rows_json(st) : NULL;
}

#define PORT_COLS "address, port, service, product, version, tls AS \"tls:b\", auth, banner"
#define FINDING_COLS "address, port, finding AS id, severity, severity_zh, title_zh," \
	" title_en, evidence, remediation_zh, remediation_en"

/* Rows of job a that job b does not have (by address and port, and by
 * finding for findings). */
static json_t *
port_diff(struct db *db, int64_t a, int64_t b)
{
	return rows(db, "SELECT " PORT_COLS " FROM scan_ports c WHERE job_id = ? AND NOT EXISTS"
	    " (SELECT 1 FROM scan_ports p WHERE p.job_id = ? AND p.address = c.address"
	    " AND p.port = c.port) ORDER BY address, port", a, b);
}

static json_t *
finding_diff(struct db *db, int64_t a, int64_t b)
{
	return rows(db, "SELECT " FINDING_COLS " FROM scan_findings c WHERE job_id = ? AND NOT"
	    " EXISTS (SELECT 1 FROM scan_findings p WHERE p.job_id = ? AND p.address = c.address"
	    " AND p.port = c.port AND p.finding = c.finding) ORDER BY address, port, finding",
	    a, b);
}

int
scans_results(struct db *db, const struct principal *p, int64_t id, json_t **out,
    struct ys_err *e)
{
	json_t *j = scans_get(db, p, id, e), *diff = json_null();
	int64_t prev;

	if (j == NULL)
		return -1;
	prev = json_integer_value(json_object_get(j, "previous_scan_id"));
	if (prev > 0)
		diff = json_pack("{s:I, s:o*, s:o*, s:o*, s:o*}", "previous_scan_id",
		    (json_int_t)prev, "new_ports", port_diff(db, id, prev),
		    "closed_ports", port_diff(db, prev, id), "new_findings",
		    finding_diff(db, id, prev), "closed_findings", finding_diff(db, prev, id));
	*out = json_pack("{s:o, s:o*, s:o*, s:o*}", "scan", j,
	    "ports", rows(db, "SELECT " PORT_COLS " FROM scan_ports WHERE job_id = ?"
	    " ORDER BY address, port", id, 0),
	    "findings", rows(db, "SELECT " FINDING_COLS " FROM scan_findings WHERE job_id = ?"
	    " ORDER BY address, port, finding", id, 0), "diff", diff);
	return *out ? 0 : ys_fail(e, "internal", "cannot read the scan results");
}

/* ---- the worker's side ---- */

void
scans_job_clear(struct scans_job *job)
{
	json_decref(job->addresses);
	memset(job, 0, sizeof(*job));
}

static void
audit_system(struct db *db, int64_t tenant, const char *action, int64_t job_id,
    const char *result, const char *detail)
{
	char target[48];

	snprintf(target, sizeof(target), "scan/%lld", (long long)job_id);
	audit_append(db, &(struct audit_entry){ .actor = "system:scanner", .tenant_id = tenant,
	    .source = "-", .action = action, .target = target, .result = result,
	    .detail = detail });
}

int
scans_claim(struct db *db, struct scans_job *job)
{
	struct db_stmt *st;
	bool agent = false;
	int found = 0;

	memset(job, 0, sizeof(*job));
	if (db_begin(db) < 0)
		return -1;
	st = db_q(db, "SELECT j.id, j.tenant_id, j.target_id, t.target, t.kind, j.ports, j.rate,"
	    " t.addresses, t.status, t.deleted_at, coalesce(t.authorization, '')"
	    " FROM scan_jobs j JOIN scan_targets t"
	    " ON t.id = j.target_id WHERE j.status = 'queued' ORDER BY j.id LIMIT 1", "");
	if (st != NULL && db_step(st) == DB_ROW) {
		found = 1;
		job->id = db_col_int(st, 0);
		job->tenant_id = db_col_int(st, 1);
		job->target_id = db_col_int(st, 2);
		snprintf(job->target, sizeof(job->target), "%s", db_col_text(st, 3));
		snprintf(job->kind, sizeof(job->kind), "%s", db_col_text(st, 4));
		snprintf(job->ports, sizeof(job->ports), "%s", db_col_text(st, 5));
		job->rate = db_col_int(st, 6);
		job->addresses = json_loads(db_col_text(st, 7), 0, NULL);
		/* Authorisation is checked again when the scan starts. */
		if (strcmp(db_col_text(st, 8), "authorized") != 0 || !db_col_is_null(st, 9))
			found = 2;
		agent = strcmp(db_col_text(st, 10), "agent") == 0;
	}
	if (st != NULL)
		db_done(st);
	/* An agent's proof holds only while its host still has the address
	 * (an elastic address released and given to someone else does not). */
	if (found == 1 && agent && json_is_array(job->addresses)) {
		size_t i;
		json_t *v;
		char who[128];

		json_array_foreach(job->addresses, i, v) {
			agents_reporting(db, job->tenant_id, json_string_value(v), who, sizeof(who));
			if (who[0] == '\0')
				found = 2;
		}
	}
	if (found == 1 && json_is_array(job->addresses)) {
		if (db_run(db, "UPDATE scan_jobs SET status = 'running', started_at = ? WHERE id = ?",
		    "ll", (int64_t)time(NULL), job->id) != 1)
			goto fail;
		audit_system(db, job->tenant_id, "scan.start", job->id, "ok", job->target);
	} else if (found) {
		if (db_run(db, "UPDATE scan_jobs SET status = 'failed', finished_at = ?, error ="
		    " 'the target is no longer authorised (deleted, or its agents no longer prove"
		    " its addresses)' WHERE id = ?", "ll", (int64_t)time(NULL), job->id) != 1)
			goto fail;
		audit_system(db, job->tenant_id, "scan.start", job->id, "forbidden",
		    "the target is no longer authorised");
		found = 0;
	}
	if (db_commit(db) < 0)
		goto fail;
	if (!found)
		scans_job_clear(job);
	return found ? 1 : 0;
fail:
	db_rollback(db);
	scans_job_clear(job);
	return -1;
}

int
scans_progress(struct db *db, int64_t job_id, int64_t hosts_done, int64_t ports_done,
    int64_t ports_total, bool *cancel)
{
	if (db_run(db, "UPDATE scan_jobs SET hosts_done = ?, ports_done = ?, ports_total = ?"
	    " WHERE id = ?", "llll", hosts_done, ports_done, ports_total, job_id) < 0)
		return -1;
	*cancel = db_int(db, 0, "SELECT cancel_requested FROM scan_jobs WHERE id = ?", "l",
	    job_id) != 0;
	return 0;
}

static int
store_host(struct db *db, int64_t job_id, int64_t tenant, const json_t *h)
{
	const char *addr = json_string_value(json_object_get(h, "address"));
	json_t *ports = json_object_get(h, "open_ports"), *v;
	size_t i;

	json_array_foreach(ports, i, v)
		if (db_run(db, "INSERT OR IGNORE INTO scan_ports (job_id, tenant_id, address, port,"
		    " service, product, version, tls, auth, banner)"
		    " VALUES (?, ?, ?, ?, '', '', '', 0, 'unknown', '')", "llsl", job_id, tenant,
		    addr, (int64_t)json_integer_value(v)) < 0)
			return -1;
	json_array_foreach(json_object_get(h, "services"), i, v)
		if (db_run(db, "UPDATE scan_ports SET service = ?, product = ?, version = ?, tls = ?,"
		    " auth = ?, banner = ? WHERE job_id = ? AND address = ? AND port = ?",
		    "sssisslsl", json_string_value(json_object_get(v, "service")),
		    json_string_value(json_object_get(v, "product")),
		    json_string_value(json_object_get(v, "version")),
		    json_is_true(json_object_get(v, "tls")),
		    json_string_value(json_object_get(v, "auth")),
		    json_string_value(json_object_get(v, "banner")), job_id, addr,
		    (int64_t)json_integer_value(json_object_get(v, "port"))) < 0)
			return -1;
	json_array_foreach(json_object_get(h, "findings"), i, v)
		if (db_run(db, "INSERT INTO scan_findings (job_id, tenant_id, address, port, finding,"
		    " severity, severity_zh, title_zh, title_en, evidence, remediation_zh,"
		    " remediation_en) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", "llsls" "sssssss",
		    job_id, tenant, addr, (int64_t)json_integer_value(json_object_get(v, "port")),
		    json_string_value(json_object_get(v, "id")),
		    json_string_value(json_object_get(v, "severity")),
		    json_string_value(json_object_get(v, "severity_zh")),
		    json_string_value(json_object_get(v, "title_zh")),
		    json_string_value(json_object_get(v, "title_en")),
		    json_string_value(json_object_get(v, "evidence")),
		    json_string_value(json_object_get(v, "remediation_zh")),
		    json_string_value(json_object_get(v, "remediation_en"))) < 0)
			return -1;
	return 0;
}

/* New critical and high findings raise the tenant's alerts (grouped per
 * address, port and finding like every alert). */
static int
alert_new(struct db *db, int64_t tenant, int64_t job_id, int64_t prev)
{
	json_t *fresh = finding_diff(db, job_id, prev), *f;
	size_t i;
	int rc = 0;

	json_array_foreach(fresh, i, f) {
		const char *sev = json_string_value(json_object_get(f, "severity"));
		char key[160];
		json_t *ev;

		if (strcmp(sev, "critical") != 0 && strcmp(sev, "high") != 0)
			continue;
		snprintf(key, sizeof(key), "%s:%lld:%s",
		    json_string_value(json_object_get(f, "address")),
		    (long long)json_integer_value(json_object_get(f, "port")),
		    json_string_value(json_object_get(f, "id")));
		ev = json_pack("{s:s, s:s, s:I, s:O, s:O, s:O, s:O}", "severity", sev, "key", key,
		    "scan_id", (json_int_t)job_id, "address", json_object_get(f, "address"),
		    "port", json_object_get(f, "port"), "finding", json_object_get(f, "id"),
		    "title_zh", json_object_get(f, "title_zh"));
		if (ev == NULL || alerts_observe(db, tenant, 0, "scan", "scan.finding",
		    (int64_t)time(NULL) * 1000, ev) < 0)
			rc = -1;
		json_decref(ev);
	}
	json_decref(fresh);
	return rc;
}

int
scans_finish(struct db *db, int64_t job_id, const char *status, const char *error,
    const char *method, const json_t *hosts)
{
	int64_t tenant, target, prev, nports, nfind;
	char detail[512];
	json_t *h;
	size_t i;

	if (db_begin(db) < 0)
		return -1;
	tenant = db_int(db, 0, "SELECT tenant_id FROM scan_jobs WHERE id = ? AND status ="
	    " 'running'", "l", job_id);
	target = db_int(db, 0, "SELECT target_id FROM scan_jobs WHERE id = ?", "l", job_id);
	if (tenant <= 0)
		goto fail;
	json_array_foreach(hosts, i, h)
		if (store_host(db, job_id, tenant, h) < 0)
			goto fail;
	/* The previous scan to diff against: done, of the same ports (a scan
	 * of other ports would show every port it did not cover as closed). */
	prev = strcmp(status, "done") != 0 ? 0 : db_int(db, 0, "SELECT max(id) FROM scan_jobs"
	    " WHERE target_id = ? AND id < ? AND status = 'done' AND ports ="
	    " (SELECT ports FROM scan_jobs WHERE id = ?)", "lll", target, job_id, job_id);
	nports = db_int(db, 0, "SELECT count(*) FROM scan_ports WHERE job_id = ?", "l", job_id);
	nfind = db_int(db, 0, "SELECT count(*) FROM scan_findings WHERE job_id = ?", "l", job_id);
	if (db_run(db, "UPDATE scan_jobs SET status = ?, error = ?, finished_at = ?,"
	    " open_ports = ?, findings = ?, previous_job_id = ?, method = ? WHERE id = ?",
	    "sslllLsl", status, error, (int64_t)time(NULL), nports, nfind, prev, method,
	    job_id) != 1)
		goto fail;
	if (strcmp(status, "done") == 0 && alert_new(db, tenant, job_id, prev) < 0)
		goto fail;
	snprintf(detail, sizeof(detail), "status=%s method=%s open_ports=%lld findings=%lld"
	    " previous=%lld%s%.300s", status, method ? method : "-", (long long)nports,
	    (long long)nfind, (long long)prev, error ? " error=" : "", error ? error : "");
	audit_system(db, tenant, "scan.finish", job_id, strcmp(status, "failed") == 0 ?
	    "failed" : "ok", detail);
	return db_commit(db);
fail:
	db_rollback(db);
	return -1;
}

int
scans_requeue(struct db *db)
{
	return db_run(db, "UPDATE scan_jobs SET status = 'queued', started_at = NULL,"
	    " hosts_done = 0, ports_done = 0 WHERE status = 'running'", "") < 0 ? -1 : 0;
}
