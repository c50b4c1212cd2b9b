/*
 * dnsdivert: RFC 2136 updates with TSIG through ldns, verification by
 * query, and the diversion decision. Two resolvers: one signs updates with
 * the TSIG key (ldns verifies the answer's TSIG too), one asks plain
 * non-recursive questions, as any resolver on the Internet would.
 */
#include "dnsdivert.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>

#include <ldns/ldns.h>

#define SECRET_MAX 256

struct dnsdiv {
	struct scrub_dns cfg;
	ldns_resolver *upd, *qry;
	ldns_rdf *zone;
};

/* ---- the TSIG secret ---- */

static bool
is_b64(const char *s)
{
	size_t n = strlen(s);

	if (n < 4 || n % 4 != 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '+' && s[i] != '/' &&
		    !(s[i] == '=' && i >= n - 2))
			return false;
	return true;
}

/* In a BIND key file (as tsig-keygen writes it), the clause of key_name
 * (absolute or not); NULL when the file has no clause of that name. */
static char *
key_clause(char *buf, const char *key_name)
{
	size_t kl = strlen(key_name);

	if (kl > 0 && key_name[kl - 1] == '.')
		kl--;
	for (char *p = strstr(buf, "key"); p != NULL; p = strstr(p + 3, "key")) {
		char *q = p + 3;

		while (isspace((unsigned char)*q))
			q++;
		if (*q++ != '"')
			continue;
		if (strncasecmp(q, key_name, kl) == 0 &&
		    (q[kl] == '"' || (q[kl] == '.' && q[kl + 1] == '"')))
			return q;
	}
	return NULL;
}

/* The secret from the clause of key_name in a BIND key file, or from a
 * file / variable holding just the base64 text. */
static int
load_secret(const char *ref, const char *key_name, char *out, size_t outlen, char *err,
    size_t errlen)
{
	char buf[4096], *p, *q, *end;
	size_t n = 0;

	if (strncmp(ref, "env:", 4) == 0) {
		const char *v = getenv(ref + 4);

		if (v == NULL) {
			snprintf(err, errlen, "TSIG secret: environment variable %s is not set",
			    ref + 4);
			return -1;
		}
		snprintf(buf, sizeof(buf), "%s", v);
	} else {
		FILE *f = fopen(ref + 5, "re");

		if (f == NULL) {
			snprintf(err, errlen, "TSIG secret: cannot open %s: %s", ref + 5,
			    strerror(errno));
			return -1;
		}
		n = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
		buf[n] = '\0';
	}
	if (strstr(buf, "secret") != NULL) {
		p = key_clause(buf, key_name);
		if (p == NULL) {
			snprintf(err, errlen, "TSIG secret: %s has no key \"%s\"", ref, key_name);
			goto fail;
		}
		end = strstr(p, "};");
		if (end != NULL)
			*end = '\0';
		q = strstr(p, "algorithm");
		if (q != NULL) {
			q += strlen("algorithm");
			q += strspn(q, " \t\r\n");
		}
		if (q != NULL && (strncasecmp(q, "hmac-sha256", 11) != 0 ||
		    (q[11] != ';' && !isspace((unsigned char)q[11])))) {
			snprintf(err, errlen, "TSIG secret: key \"%s\" in %s is not hmac-sha256",
			    key_name, ref);
			goto fail;
		}
		p = strstr(p, "secret");
		if (p == NULL || (p = strchr(p, '"')) == NULL ||
		    (q = strchr(p + 1, '"')) == NULL) {
			snprintf(err, errlen, "TSIG secret: key \"%s\" in %s has no secret", key_name,
			    ref);
			goto fail;
		}
		*q = '\0';
		p++;
	} else {
		for (p = buf; isspace((unsigned char)*p); p++)
			;
		for (q = p + strlen(p); q > p && isspace((unsigned char)q[-1]); q--)
			;
		*q = '\0';
	}
	if (!is_b64(p) || strlen(p) >= outlen) {
		snprintf(err, errlen, "TSIG secret from %s is not a base64 key", ref);
		goto fail;
	}
	snprintf(out, outlen, "%s", p);
	explicit_bzero(buf, sizeof(buf));
	return 0;
fail:
	explicit_bzero(buf, sizeof(buf));
	return -1;
}

/* ---- resolvers ---- */

static ldns_resolver *
resolver(const struct scrub_dns *cfg, bool vc)
{
	ldns_resolver *r = ldns_resolver_new();
	struct sockaddr_storage ss;
	ldns_rdf *ns;

	if (r == NULL)
		return NULL;
	memset(&ss, 0, sizeof(ss));
	if (cfg->server.family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;

		sin->sin_family = AF_INET;
		memcpy(&sin->sin_addr, cfg->server.a, 4);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;

		sin6->sin6_family = AF_INET6;
		memcpy(&sin6->sin6_addr, cfg->server.a, 16);
	}
	ns = ldns_sockaddr_storage2rdf(&ss, NULL);
	if (ns == NULL || ldns_resolver_push_nameserver(r, ns) != LDNS_STATUS_OK) {
		ldns_rdf_deep_free(ns);
		ldns_resolver_deep_free(r);
		return NULL;
	}
	ldns_rdf_deep_free(ns);
	ldns_resolver_set_port(r, cfg->port);
	ldns_resolver_set_recursive(r, false);
	ldns_resolver_set_retry(r, 1);
	ldns_resolver_set_retrans(r, 0);
	ldns_resolver_set_fail(r, true);
	ldns_resolver_set_usevc(r, vc);
	ldns_resolver_set_timeout(r, (struct timeval){ cfg->timeout_ms / 1000,
		(long)(cfg->timeout_ms % 1000) * 1000 });
	return r;
}

void
dnsdiv_close(struct dnsdiv *d)
{
	if (d == NULL)
		return;
	/* ldns keeps its own copy of the key; wipe it before freeing. */
	if (d->upd != NULL && ldns_resolver_tsig_keydata(d->upd) != NULL) {
		char *k = (char *)ldns_resolver_tsig_keydata(d->upd);

		explicit_bzero(k, strlen(k));
	}
	ldns_resolver_deep_free(d->upd);
	ldns_resolver_deep_free(d->qry);
	ldns_rdf_deep_free(d->zone);
	free(d);
}

struct dnsdiv *
dnsdiv_open(const struct scrub_dns *cfg, char *err, size_t errlen)
{
	struct dnsdiv *d = calloc(1, sizeof(*d));
	char secret[SECRET_MAX];

	if (d == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	d->cfg = *cfg;
	if (load_secret(cfg->secret_ref, cfg->key_name, secret, sizeof(secret), err, errlen) < 0)
		goto fail;
	d->upd = resolver(cfg, false);
	d->qry = resolver(cfg, false);
	d->zone = ldns_dname_new_frm_str(cfg->zone);
	if (d->upd == NULL || d->qry == NULL || d->zone == NULL) {
		snprintf(err, errlen, "cannot set up the DNS resolver for %s", cfg->zone);
		goto fail;
	}
	ldns_resolver_set_tsig_keyname(d->upd, cfg->key_name);
	ldns_resolver_set_tsig_keydata(d->upd, secret);
	ldns_resolver_set_tsig_algorithm(d->upd, "hmac-sha256.");
	explicit_bzero(secret, sizeof(secret));
	return d;
fail:
	explicit_bzero(secret, sizeof(secret));
	dnsdiv_close(d);
	return NULL;
}

/* ---- errors ---- */

struct code_name {
	int code;
	const char *name, *hint;
};

static const struct code_name rcodes[] = {
	{ LDNS_RCODE_FORMERR, "FORMERR", "the server did not understand the update" },
	{ LDNS_RCODE_SERVFAIL, "SERVFAIL", "the server failed to apply the update" },
	{ LDNS_RCODE_NXDOMAIN, "NXDOMAIN", "the name does not exist" },
	{ LDNS_RCODE_NOTIMPL, "NOTIMP", "the server does not implement dynamic updates" },
	{ LDNS_RCODE_REFUSED, "REFUSED",
	  "the server refuses updates from this key or address (check allow-update / "
	  "update-policy for the zone)" },
	{ LDNS_RCODE_YXDOMAIN, "YXDOMAIN", "a prerequisite failed" },
	{ LDNS_RCODE_YXRRSET, "YXRRSET", "a prerequisite failed" },
	{ LDNS_RCODE_NXRRSET, "NXRRSET", "a prerequisite failed" },
	{ LDNS_RCODE_NOTAUTH, "NOTAUTH",
	  "the server is not authoritative for the zone or did not accept the TSIG key" },
	{ LDNS_RCODE_NOTZONE, "NOTZONE", "the name is outside the zone" },
	{ -1, NULL, NULL },
};

static const struct code_name tsig_errors[] = {
	{ 16, "BADSIG", "the TSIG secret does not match the server's" },
	{ 17, "BADKEY", "the server does not know this TSIG key name or algorithm" },
	{ 18, "BADTIME", "the clocks of the scrubber and the server differ too much" },
	{ 22, "BADTRUNC", "bad truncation" },
	{ -1, NULL, NULL },
};

static const struct code_name *
lookup(const struct code_name *t, int code)
{
	for (; t->name != NULL; t++)
		if (t->code == code)
			return t;
	return NULL;
}

/* The TSIG error field of the answer's TSIG record (0 without one). */
static int
tsig_error(const ldns_pkt *p)
{
	ldns_rr *t = ldns_pkt_tsig(p);

	if (t == NULL || ldns_rr_rd_count(t) < 6)
		return 0;
	return ldns_rdf2native_int16(ldns_rr_rdf(t, 5));
}

/* Turn an ldns status and answer into a message; 0 when all is well. */
static int
check_answer(ldns_status st, const ldns_pkt *ans, const char *what, const struct dnsdiv *d,
    char *err, size_t errlen)
{
	char srv[64];
	int rc, te;
	const struct code_name *c, *t;

	scrub_ipaddr_str(&d->cfg.server, srv, sizeof(srv));
	if (ans == NULL) {
		if (st == LDNS_STATUS_NETWORK_ERR || st == LDNS_STATUS_RES_NO_NS ||
		    st == LDNS_STATUS_ERR)
			snprintf(err, errlen,
			    "%s: timeout or no answer from %s port %u within %u ms (%s)", what, srv,
			    d->cfg.port, d->cfg.timeout_ms, ldns_get_errorstr_by_id(st));
		else
			snprintf(err, errlen, "%s: %s port %u: %s", what, srv, d->cfg.port,
			    ldns_get_errorstr_by_id(st));
		return -1;
	}
	rc = ldns_pkt_get_rcode(ans);
	te = tsig_error(ans);
	if (rc != LDNS_RCODE_NOERROR) {
		c = lookup(rcodes, rc);
		t = te ? lookup(tsig_errors, te) : NULL;
		if (t != NULL)
			snprintf(err, errlen, "%s: %s answered %s (TSIG %s: %s; key %s)", what, srv,
			    c ? c->name : "an error", t->name, t->hint, d->cfg.key_name);
		else
			snprintf(err, errlen, "%s: %s answered %s (rcode %d): %s", what, srv,
			    c ? c->name : "an error", rc, c ? c->hint : "unexpected rcode");
		return -1;
	}
	if (st == LDNS_STATUS_CRYPTO_TSIG_BOGUS) {
		snprintf(err, errlen, "%s: the answer from %s is not signed with key %s "
		    "(forged or altered answer)", what, srv, d->cfg.key_name);
		return -1;
	}
	if (st != LDNS_STATUS_OK) {
		snprintf(err, errlen, "%s: %s", what, ldns_get_errorstr_by_id(st));
		return -1;
	}
	return 0;
}

/* ldns marks a server unreachable after one failure and never asks it
 * again; a scrubber must keep trying its one server. */
static void
revive(ldns_resolver *r)
{
	ldns_resolver_set_nameserver_rtt(r, 0, LDNS_RESOLV_RTT_MIN);
}

/* ---- queries ---- */

static int
ask(struct dnsdiv *d, const char *name, ldns_rr_type type, ldns_pkt **ans, char *err,
    size_t errlen)
{
	ldns_rdf *dn = ldns_dname_new_frm_str(name);
	ldns_status st;
	char what[320];

	*ans = NULL;
	snprintf(what, sizeof(what), "query %s", name);
	if (dn == NULL) {
		snprintf(err, errlen, "%s: not a domain name", what);
		return -1;
	}
	revive(d->qry);
	st = ldns_resolver_send(ans, d->qry, dn, type, LDNS_RR_CLASS_IN, 0);
	ldns_rdf_deep_free(dn);
	if (check_answer(st, *ans, what, d, err, errlen) < 0) {
		ldns_pkt_free(*ans);
		*ans = NULL;
		return -1;
	}
	return 0;
}

int
dnsdiv_serial(struct dnsdiv *d, uint32_t *serial, char *err, size_t errlen)
{
	ldns_pkt *ans;
	ldns_rr_list *soa;

	if (ask(d, d->cfg.zone, LDNS_RR_TYPE_SOA, &ans, err, errlen) < 0)
		return -1;
	soa = ldns_pkt_rr_list_by_type(ans, LDNS_RR_TYPE_SOA, LDNS_SECTION_ANSWER);
	if (soa == NULL || ldns_rr_list_rr_count(soa) != 1 ||
	    ldns_rr_rd_count(ldns_rr_list_rr(soa, 0)) < 3) {
		snprintf(err, errlen, "query %s: no SOA record in the answer (is the server "
		    "authoritative for the zone?)", d->cfg.zone);
		ldns_rr_list_deep_free(soa);
		ldns_pkt_free(ans);
		return -1;
	}
	*serial = ldns_rdf2native_int32(ldns_rr_rdf(ldns_rr_list_rr(soa, 0), 2));
	ldns_rr_list_deep_free(soa);
	ldns_pkt_free(ans);
	return 0;
}

int
dnsdiv_query(struct dnsdiv *d, const char *name, struct scrub_ipaddr *out, size_t max,
    size_t *n, uint32_t *ttl, char *err, size_t errlen)
{
	static const ldns_rr_type types[] = { LDNS_RR_TYPE_A, LDNS_RR_TYPE_AAAA };

	*n = 0;
	if (ttl != NULL)
		*ttl = 0;
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		ldns_pkt *ans;
		ldns_rr_list *l;

		if (ask(d, name, types[i], &ans, err, errlen) < 0)
			return -1;
		l = ldns_pkt_rr_list_by_type(ans, types[i], LDNS_SECTION_ANSWER);
		for (size_t j = 0; l != NULL && j < ldns_rr_list_rr_count(l) && *n < max; j++) {
			ldns_rr *rr = ldns_rr_list_rr(l, j);
			ldns_rdf *rd = ldns_rr_rdf(rr, 0);
			struct scrub_ipaddr *a = &out[*n];

			memset(a, 0, sizeof(*a));
			a->family = types[i] == LDNS_RR_TYPE_A ? AF_INET : AF_INET6;
			if (rd == NULL || ldns_rdf_size(rd) != (a->family == AF_INET ? 4u : 16u))
				continue;
			memcpy(a->a, ldns_rdf_data(rd), ldns_rdf_size(rd));
			if (ttl != NULL)
				*ttl = ldns_rr_ttl(rr);
			(*n)++;
		}
		ldns_rr_list_deep_free(l);
		ldns_pkt_free(ans);
	}
	return 0;
}

/* ---- updates ---- */

static ldns_rr *
rr_new(const ldns_rdf *owner, ldns_rr_type type, ldns_rr_class cls, uint32_t ttl,
    const struct scrub_ipaddr *a)
{
	ldns_rr *rr = ldns_rr_new();

	if (rr == NULL)
		return NULL;
	ldns_rr_set_owner(rr, ldns_rdf_clone(owner));
	ldns_rr_set_type(rr, type);
	ldns_rr_set_class(rr, cls);
	ldns_rr_set_ttl(rr, ttl);
	if (a != NULL) {
		ldns_rdf *rd = ldns_rdf_new_frm_data(a->family == AF_INET ? LDNS_RDF_TYPE_A
		    : LDNS_RDF_TYPE_AAAA, a->family == AF_INET ? 4 : 16, a->a);

		if (rd == NULL || !ldns_rr_push_rdf(rr, rd)) {
			ldns_rdf_deep_free(rd);
			ldns_rr_free(rr);
			return NULL;
		}
	}
	return rr;
}

static bool
same_set(const struct scrub_ipaddr *x, size_t nx, const struct scrub_ipaddr *y, size_t ny)
{
	if (nx != ny)
		return false;
	for (size_t i = 0; i < nx; i++) {
		bool found = false;

		for (size_t j = 0; j < ny && !found; j++)
			found = scrub_ipaddr_equal(&x[i], &y[j]);
		if (!found)
			return false;
	}
	return true;
}

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

static ldns_pkt *
update_pkt(struct dnsdiv *d, const char *name, const struct scrub_ipaddr *addrs, size_t n,
    char *err, size_t errlen)
{
	ldns_rdf *owner = ldns_dname_new_frm_str(name);
	ldns_rr_list *up = ldns_rr_list_new();
	ldns_pkt *p = NULL;
	ldns_rr *rr;

	if (owner == NULL || up == NULL)
		goto fail;
	/* Delete both RRsets (class ANY, no rdata: RFC 2136 2.5.2), add the new set. */
	if ((rr = rr_new(owner, LDNS_RR_TYPE_A, LDNS_RR_CLASS_ANY, 0, NULL)) == NULL ||
	    !ldns_rr_list_push_rr(up, rr))
		goto fail;
	if ((rr = rr_new(owner, LDNS_RR_TYPE_AAAA, LDNS_RR_CLASS_ANY, 0, NULL)) == NULL ||
	    !ldns_rr_list_push_rr(up, rr))
		goto fail;
	for (size_t i = 0; i < n; i++) {
		rr = rr_new(owner, addrs[i].family == AF_INET ? LDNS_RR_TYPE_A : LDNS_RR_TYPE_AAAA,
		    LDNS_RR_CLASS_IN, d->cfg.ttl, &addrs[i]);
		if (rr == NULL || !ldns_rr_list_push_rr(up, rr))
			goto fail;
	}
	/* The packet takes the zone name and clones the update list. */
	p = ldns_update_pkt_new(ldns_rdf_clone(d->zone), LDNS_RR_CLASS_IN, NULL, up, NULL);
	if (p == NULL)
		goto fail;
	ldns_rr_list_deep_free(up);
	ldns_rdf_deep_free(owner);
	return p;
fail:
	snprintf(err, errlen, "update %s: cannot build the update message", name);
	ldns_rdf_deep_free(owner);
	ldns_rr_list_deep_free(up);
	return NULL;
}

int
dnsdiv_set(struct dnsdiv *d, const char *name, const struct scrub_ipaddr *addrs, size_t n,
    struct dnsdiv_result *res, char *err, size_t errlen)
{
	struct scrub_ipaddr got[2 * SCRUB_MAX_ORIGINS];
	ldns_pkt *p, *ans = NULL;
	ldns_status st;
	char what[320];
	size_t ngot;
	double t0;

	memset(res, 0, sizeof(*res));
	snprintf(what, sizeof(what), "update %s in zone %s", name, d->cfg.zone);
	if (n == 0) {
		snprintf(err, errlen, "%s: no address to set", what);
		return -1;
	}
	if (dnsdiv_serial(d, &res->serial_before, err, errlen) < 0)
		return -1;
	if ((p = update_pkt(d, name, addrs, n, err, errlen)) == NULL)
		return -1;
	t0 = now_ms();
	st = ldns_update_pkt_tsig_add(p, d->upd);
	revive(d->upd);
	if (st == LDNS_STATUS_OK)
		st = ldns_send(&ans, d->upd, p);	/* keeps the answer of a refused update */
	ldns_pkt_free(p);
	if (check_answer(st, ans, what, d, err, errlen) < 0) {
		ldns_pkt_free(ans);
		return -1;
	}
	ldns_pkt_free(ans);
	/* Verify: the server answers the new set (poll until the timeout). */
	for (;;) {
		if (dnsdiv_query(d, name, got, sizeof(got) / sizeof(got[0]), &ngot, NULL, err,
		    errlen) < 0)
			return -1;
		if (same_set(addrs, n, got, ngot))
			break;
		if (now_ms() - t0 > d->cfg.timeout_ms) {
			snprintf(err, errlen, "%s: the server accepted the update but still "
			    "answers the old records after %u ms", what, d->cfg.timeout_ms);
			return -1;
		}
		nanosleep(&(struct timespec){ 0, 5 * 1000 * 1000 }, NULL);
	}
	res->latency_ms = now_ms() - t0;
	if (dnsdiv_serial(d, &res->serial_after, err, errlen) < 0)
		return -1;
	if (res->serial_after == res->serial_before) {
		snprintf(err, errlen, "%s: the zone's SOA serial did not change (%u)", what,
		    res->serial_after);
		return -1;
	}
	return 0;
}

/* ---- decision ---- */

enum dnsdiv_target
dnsdiv_want(enum scrub_divert_mode mode, bool attacked, uint64_t last_end_ms,
    uint64_t hold_down_ms, uint64_t now_ms_)
{
	if (mode == SCRUB_DIVERT_ALWAYS_ON || attacked)
		return DNSDIV_SCRUB;
	if (last_end_ms != 0 && now_ms_ < last_end_ms + hold_down_ms)
		return DNSDIV_SCRUB;
	return DNSDIV_ORIGIN;
}

size_t
dnsdiv_addrs(const struct scrub_bundle *b, const struct scrub_domain *dom,
    enum dnsdiv_target target, struct scrub_ipaddr *out, size_t max)
{
	bool v4 = false, v6 = false;
	size_t n = 0;

	for (size_t i = 0; i < dom->n_origin; i++) {
		if (target == DNSDIV_ORIGIN && n < max)
			out[n++] = dom->origin[i];
		v4 |= dom->origin[i].family == AF_INET;
		v6 |= dom->origin[i].family == AF_INET6;
	}
	if (target != DNSDIV_SCRUB)
		return n;
	if (v4 && b->has_scrub_v4 && n < max)
		out[n++] = b->scrub_v4;
	if (v6 && b->has_scrub_v6 && n < max)
		out[n++] = b->scrub_v6;
	return n;
}

const char *
dnsdiv_target_name(enum dnsdiv_target t)
{
	static const char *const names[] = { "unknown", "origin", "scrubbing" };

	return (unsigned)t < sizeof(names) / sizeof(names[0]) ? names[t] : "unknown";
}
