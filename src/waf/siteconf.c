/*
 * siteconf.c: building, sharing and freeing the running configuration (see
 * siteconf.h). Limits are a table of keys with bounds, so a new limit is a
 * row; sites are checked whole (domains unique across sites, origins that
 * resolve, certificates that match their keys, a WAF policy the engine
 * accepts) before anything is swapped in.
 */
#include <ctype.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "siteconf.h"
#include "tls.h"
#include "waf_main.h"

enum lim_type { LIM_SIZE, LIM_U64, LIM_INT };

struct lim_key {
	const char *key;
	enum lim_type type;
	size_t off;
	long long min, max;
};

#define LIM(k, t, f, lo, hi) { k, t, offsetof(struct proxy_limits, f), lo, hi }
static const struct lim_key lim_keys[] = {
	LIM("max_line_bytes", LIM_SIZE, http.max_line, 256, 1 << 20),
	LIM("max_header_bytes", LIM_SIZE, http.max_head, 1024, 1 << 22),
	LIM("max_headers", LIM_SIZE, http.max_headers, 8, HTTP_MAX_FIELDS),
	LIM("max_trailer_bytes", LIM_SIZE, http.max_trailer, 0, 1 << 20),
	LIM("max_body_bytes", LIM_U64, max_body, 0, 1LL << 40),
	LIM("inspect_body_bytes", LIM_SIZE, inspect_body, 0, 1 << 28),
	LIM("header_timeout_ms", LIM_INT, header_timeout_ms, 100, 3600000),
	LIM("body_timeout_ms", LIM_INT, body_timeout_ms, 100, 3600000),
	LIM("idle_timeout_ms", LIM_INT, idle_timeout_ms, 100, 3600000),
	LIM("connect_timeout_ms", LIM_INT, connect_timeout_ms, 50, 600000),
	LIM("upstream_timeout_ms", LIM_INT, upstream_timeout_ms, 100, 3600000),
};

static void
limits_default(struct proxy_limits *l)
{
	http_limits_default(&l->http);
	l->max_body = 100ULL << 20;
	l->inspect_body = 1 << 20;
	l->over_cap = OVER_CAP_REJECT;
	l->header_timeout_ms = 10000;
	l->body_timeout_ms = 30000;
	l->idle_timeout_ms = 60000;
	l->connect_timeout_ms = 3000;
	l->upstream_timeout_ms = 60000;
}

static int
parse_limits(const json_t *o, struct proxy_limits *l, char *err, size_t errlen)
{
	const char *k, *oc;
	json_t *v;

	limits_default(l);
	if (o == NULL)
		return 0;
	if (!json_is_object(o)) {
		snprintf(err, errlen, "\"limits\" must be an object");
		return -1;
	}
	json_object_foreach((json_t *)o, k, v) {
		const struct lim_key *row = NULL;
		json_int_t n;

		if (strcmp(k, "body_over_cap") == 0) {
			oc = json_string_value(v);
			if (oc != NULL && strcmp(oc, "reject") == 0)
				l->over_cap = OVER_CAP_REJECT;
			else if (oc != NULL && strcmp(oc, "inspect_prefix") == 0)
				l->over_cap = OVER_CAP_INSPECT_PREFIX;
			else {
				snprintf(err, errlen, "limits.body_over_cap is \"reject\" or "
				    "\"inspect_prefix\"");
				return -1;
			}
			continue;
		}
		for (size_t i = 0; i < sizeof(lim_keys) / sizeof(lim_keys[0]); i++)
			if (strcmp(lim_keys[i].key, k) == 0)
				row = &lim_keys[i];
		if (row == NULL) {
			snprintf(err, errlen, "unknown key limits.%s", k);
			return -1;
		}
		n = json_integer_value(v);
		if (!json_is_integer(v) || n < row->min || n > row->max) {
			snprintf(err, errlen, "limits.%s must be an integer from %lld to %lld", k,
			    row->min, row->max);
			return -1;
		}
		if (row->type == LIM_SIZE)
			*(size_t *)((char *)l + row->off) = (size_t)n;
		else if (row->type == LIM_U64)
			*(uint64_t *)((char *)l + row->off) = (uint64_t)n;
		else
			*(int *)((char *)l + row->off) = (int)n;
	}
	return 0;
}

static int
resolve(struct origin *o, char *err, size_t errlen)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res = NULL;
	char port[8];
	int rc;

	snprintf(port, sizeof(port), "%u", o->port);
	if ((rc = getaddrinfo(o->address, port, &hints, &res)) != 0 || res == NULL) {
		snprintf(err, errlen, "origin %s: %s", o->address, gai_strerror(rc));
		return -1;
	}
	memcpy(&o->sa, res->ai_addr, res->ai_addrlen);
	o->salen = res->ai_addrlen;
	freeaddrinfo(res);
	return 0;
}

static int
parse_origins(const json_t *arr, struct site *s, char *err, size_t errlen)
{
	size_t i;
	json_t *o;

	if (!json_is_array(arr) || json_array_size(arr) == 0 || json_array_size(arr) > SITE_MAX_ORIGINS) {
		snprintf(err, errlen, "site %lld: \"origins\" must be an array of 1 to %d origins",
		    (long long)s->id, SITE_MAX_ORIGINS);
		return -1;
	}
	if ((s->origins = calloc(json_array_size(arr), sizeof(*s->origins))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	json_array_foreach(arr, i, o) {
		struct origin *or = &s->origins[i];
		const char *addr = json_string_value(json_object_get(o, "address"));
		json_int_t port = json_integer_value(json_object_get(o, "port"));
		const json_t *tls = json_object_get(o, "tls");

		s->n_origins = i + 1;
		if (addr == NULL || strlen(addr) == 0 || strlen(addr) >= sizeof(or->address) ||
		    port < 1 || port > 65535 || (tls != NULL && !json_is_boolean(tls))) {
			snprintf(err, errlen, "site %lld origin %zu: needs \"address\" (string), "
			    "\"port\" (1-65535) and optional \"tls\" (boolean)", (long long)s->id, i);
			return -1;
		}
		snprintf(or->address, sizeof(or->address), "%s", addr);
		or->port = (uint16_t)port;
		or->tls = json_is_true(tls);
		snprintf(or->pool_key, sizeof(or->pool_key), "%s|%u|%d", addr, or->port, or->tls);
		atomic_init(&or->healthy, 1);
		if (resolve(or, err, errlen) < 0)
			return -1;
	}
	return 0;
}

static int
get_int(const json_t *o, const char *k, int dflt, int lo, int hi, int *out)
{
	const json_t *v = json_object_get(o, k);

	if (v == NULL) {
		*out = dflt;
		return 0;
	}
	if (!json_is_integer(v) || json_integer_value(v) < lo || json_integer_value(v) > hi)
		return -1;
	*out = (int)json_integer_value(v);
	return 0;
}

static int
parse_health(const json_t *o, struct site *s, char *err, size_t errlen)
{
	struct health_check *hc = &s->hc;
	const char *path;

	if (o == NULL)
		return 0;
	path = json_string_value(json_object_get(o, "path"));
	if (!json_is_object(o) || get_int(o, "interval_ms", 2000, 100, 3600000, &hc->interval_ms) < 0 ||
	    get_int(o, "timeout_ms", 1000, 50, 60000, &hc->timeout_ms) < 0 ||
	    get_int(o, "fall", 2, 1, 100, &hc->fall) < 0 || get_int(o, "rise", 1, 1, 100, &hc->rise) < 0 ||
	    (path != NULL && (path[0] != '/' || strlen(path) >= sizeof(hc->path) ||
	    strpbrk(path, " \r\n") != NULL))) {
		snprintf(err, errlen, "site %lld: health_check has interval_ms, timeout_ms, fall, rise "
		    "(integers) and optional path (\"/...\")", (long long)s->id);
		return -1;
	}
	hc->enabled = true;
	hc->http = path != NULL;
	if (path != NULL)
		snprintf(hc->path, sizeof(hc->path), "%s", path);
	return 0;
}

static int
get_num(const json_t *o, const char *k, double *out)
{
	const json_t *v = json_object_get(o, k);

	*out = 0;
	if (v == NULL)
		return 0;
	if (!json_is_number(v) || json_number_value(v) < 0)
		return -1;
	*out = json_number_value(v);
	return 0;
}

static int
parse_cc(const json_t *o, struct site *s, char *err, size_t errlen)
{
	struct cc_policy *p = &s->cc;
	double block;

	if (o == NULL)
		return 0;
	if (!json_is_object(o) || get_num(o, "ip_rate", &p->ip_rate) < 0 ||
	    get_num(o, "ip_burst", &p->ip_burst) < 0 || get_num(o, "url_rate", &p->url_rate) < 0 ||
	    get_num(o, "url_burst", &p->url_burst) < 0 || get_num(o, "block_seconds", &block) < 0) {
		snprintf(err, errlen, "site %lld: cc has ip_rate, ip_burst, url_rate, url_burst "
		    "(requests per second, bucket sizes) and block_seconds, all >= 0", (long long)s->id);
		return -1;
	}
	if (p->ip_burst < p->ip_rate)
		p->ip_burst = p->ip_rate;
	if (p->url_burst < p->url_rate)
		p->url_burst = p->url_rate;
	p->block_ms = (int64_t)(block * 1000);
	if (p->block_ms == 0)
		p->block_ms = 60000;
	s->cc_enabled = p->ip_rate > 0 || p->url_rate > 0;
	return 0;
}

static bool
domain_ok(const char *d)
{
	size_t n = strlen(d);

	if (n == 0 || n > 253)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!(isalnum((unsigned char)d[i]) || d[i] == '-' || d[i] == '.' ||
		    (d[i] == '*' && i == 0 && d[1] == '.')))
			return false;
	return true;
}

static int
parse_domains(const json_t *arr, struct site *s, char *err, size_t errlen)
{
	size_t i;
	json_t *d;

	if (!json_is_array(arr) || json_array_size(arr) == 0) {
		snprintf(err, errlen, "site %lld: \"domains\" must be a non-empty array",
		    (long long)s->id);
		return -1;
	}
	if ((s->domains = calloc(json_array_size(arr), sizeof(char *))) == NULL)
		return -1;
	json_array_foreach(arr, i, d) {
		const char *v = json_string_value(d);

		if (v == NULL || !domain_ok(v)) {
			snprintf(err, errlen, "site %lld: domain %zu is not a host name "
			    "(or *.name)", (long long)s->id, i);
			return -1;
		}
		if ((s->domains[i] = strdup(v)) == NULL)
			return -1;
		s->n_domains = i + 1;
		for (char *c = s->domains[i]; *c != '\0'; c++)
			*c = (char)tolower((unsigned char)*c);
	}
	return 0;
}

/* The site's WAF policy: its "waf" object with the site's mode. */
static int
parse_policy(struct siteconf *c, const json_t *o, struct site *s, char *err, size_t errlen)
{
	const json_t *waf = json_object_get(o, "waf");
	json_t *copy = waf != NULL ? json_deep_copy(waf) : json_object();
	char e2[256];

	if (copy == NULL || !json_is_object(copy)) {
		json_decref(copy);
		snprintf(err, errlen, "site %lld: \"waf\" must be an object", (long long)s->id);
		return -1;
	}
	json_object_set_new(copy, "mode", json_string(s->monitor ? "monitor" : "block"));
	s->policy = waf_site_from_json(c->engine, copy, e2, sizeof(e2));
	json_decref(copy);
	if (s->policy == NULL) {
		snprintf(err, errlen, "site %lld: waf policy: %s", (long long)s->id, e2);
		return -1;
	}
	return 0;
}

static int
parse_site(struct siteconf *c, const json_t *o, struct site *s, char *err, size_t errlen)
{
	const json_t *id = json_object_get(o, "id"), *tls = json_object_get(o, "tls");
	const char *mode = json_string_value(json_object_get(o, "mode"));
	char e2[256];

	if (!json_is_object(o) || !json_is_integer(id)) {
		snprintf(err, errlen, "each site is an object with an integer \"id\"");
		return -1;
	}
	s->id = json_integer_value(id);
	s->tenant_id = json_integer_value(json_object_get(o, "tenant_id"));
	if (mode != NULL && strcmp(mode, "monitor") != 0 && strcmp(mode, "block") != 0) {
		snprintf(err, errlen, "site %lld: mode is \"block\" or \"monitor\"", (long long)s->id);
		return -1;
	}
	s->monitor = mode != NULL && strcmp(mode, "monitor") == 0;
	if (parse_domains(json_object_get(o, "domains"), s, err, errlen) < 0 ||
	    parse_origins(json_object_get(o, "origins"), s, err, errlen) < 0 ||
	    parse_health(json_object_get(o, "health_check"), s, err, errlen) < 0 ||
	    parse_cc(json_object_get(o, "cc"), s, err, errlen) < 0 ||
	    parse_policy(c, o, s, err, errlen) < 0)
		return -1;
	if ((s->allow = iplist_from_json(json_object_get(o, "allow"), e2, sizeof(e2))) == NULL ||
	    (s->deny = iplist_from_json(json_object_get(o, "deny"), e2, sizeof(e2))) == NULL) {
		snprintf(err, errlen, "site %lld: %s", (long long)s->id, e2);
		return -1;
	}
	if (tls != NULL && (s->ssl_ctx = tls_site_ctx(tls, e2, sizeof(e2))) == NULL) {
		snprintf(err, errlen, "site %lld: tls: %s", (long long)s->id, e2);
		return -1;
	}
	return 0;
}

/* The domain index: open addressing over every site's names (lower case,
 * wildcards stored as "*.suffix"), so finding a site costs a few hash
 * probes whatever the number of sites a node serves. */
static uint64_t
dom_hash(const char *s, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

static struct dom_entry *
dom_slot(const struct siteconf *c, const char *name, size_t n)
{
	size_t mask = c->dom_cap - 1, i = dom_hash(name, n) & mask;

	while (c->dom[i].name != NULL &&
	    (c->dom[i].len != n || memcmp(c->dom[i].name, name, n) != 0))
		i = (i + 1) & mask;
	return &c->dom[i];
}

static int
index_domains(struct siteconf *c, char *err, size_t errlen)
{
	size_t total = 0;

	for (size_t i = 0; i < c->n_sites; i++)
		total += c->sites[i].n_domains;
	for (c->dom_cap = 16; c->dom_cap < total * 2; c->dom_cap *= 2)
		;
	if ((c->dom = calloc(c->dom_cap, sizeof(*c->dom))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < c->n_sites; i++)
		for (size_t d = 0; d < c->sites[i].n_domains; d++) {
			const char *name = c->sites[i].domains[d];
			struct dom_entry *e = dom_slot(c, name, strlen(name));

			if (e->name != NULL) {
				snprintf(err, errlen, "domain %s is in sites %lld and %lld", name,
				    (long long)e->site->id, (long long)c->sites[i].id);
				return -1;
			}
			e->name = name;
			e->len = strlen(name);
			e->site = &c->sites[i];
		}
	return 0;
}

struct site *
siteconf_find(const struct siteconf *c, const char *host, size_t len)
{
	char buf[258];
	const char *colon;
	struct dom_entry *e;

	if (len > 0 && host[0] == '[') {
		const char *rb = memchr(host, ']', len);

		if (rb != NULL)
			len = (size_t)(rb - host) + 1;
	} else if ((colon = memchr(host, ':', len)) != NULL) {
		len = (size_t)(colon - host);
	}
	if (len > 0 && host[len - 1] == '.')
		len--;	/* the absolute form "example.com." */
	if (len == 0 || len > 255 || c->dom == NULL)
		return NULL;
	buf[0] = '*';
	for (size_t i = 0; i < len; i++)
		buf[i + 1] = (char)tolower((unsigned char)host[i]);
	if ((e = dom_slot(c, buf + 1, len))->name != NULL)
		return e->site;
	/* "*.suffix", the most specific first; never the bare suffix itself */
	for (size_t i = 1; i < len; i++)
		if (buf[i + 1] == '.') {
			buf[i] = '*';
			if ((e = dom_slot(c, buf + i, len - i + 1))->name != NULL)
				return e->site;
		}
	return NULL;
}

struct siteconf *
siteconf_from_json(const json_t *root, const char *rules_dir, char *err, size_t errlen)
{
	struct siteconf *c;
	const json_t *sites = json_object_get(root, "sites");
	const char *events = json_string_value(json_object_get(root, "events"));
	char e2[256];
	size_t i;
	json_t *o;

	if (!json_is_object(root) || !json_is_array(sites)) {
		snprintf(err, errlen, "the configuration is an object with a \"sites\" array");
		return NULL;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	atomic_init(&c->refs, 1);
	if (parse_limits(json_object_get(root, "limits"), &c->lim, err, errlen) < 0)
		goto fail;
	if (events != NULL)
		snprintf(c->events_path, sizeof(c->events_path), "%s", events);
	if (rules_dir == NULL)
		rules_dir = json_string_value(json_object_get(root, "rules_dir"));
	if (rules_dir == NULL)
		rules_dir = waf_default_rules_dir();
	if ((c->engine = waf_engine_load_dir(rules_dir, e2, sizeof(e2))) == NULL) {
		snprintf(err, errlen, "rules %s: %s", rules_dir, e2);
		goto fail;
	}
	if ((c->sites = calloc(json_array_size(sites) + 1, sizeof(*c->sites))) == NULL)
		goto fail;
	json_array_foreach(sites, i, o) {
		c->n_sites = i + 1;
		if (parse_site(c, o, &c->sites[i], err, errlen) < 0)
			goto fail;
		if (c->tls_default == NULL && c->sites[i].ssl_ctx != NULL)
			c->tls_default = &c->sites[i];
	}
	if (index_domains(c, err, errlen) < 0)
		goto fail;
	if ((c->front_ctx = tls_front_ctx(c->tls_default != NULL ? c->tls_default->ssl_ctx : NULL,
	    siteconf_sni_cb, e2, sizeof(e2))) == NULL ||
	    (c->origin_ctx = tls_origin_ctx(e2, sizeof(e2))) == NULL) {
		snprintf(err, errlen, "tls: %s", e2);
		goto fail;
	}
	return c;
fail:
	siteconf_unref(c);
	return NULL;
}

struct siteconf *
siteconf_load(const char *path, const char *rules_dir, char *err, size_t errlen)
{
	json_error_t je;
	json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
	struct siteconf *c;

	if (root == NULL) {
		snprintf(err, errlen, "%s:%d: %s", path, je.line, je.text);
		return NULL;
	}
	c = siteconf_from_json(root, rules_dir, err, errlen);
	json_decref(root);
	return c;
}

void
siteconf_ref(struct siteconf *c)
{
	atomic_fetch_add(&c->refs, 1);
}

static void
site_free(struct site *s)
{
	for (size_t d = 0; d < s->n_domains; d++)
		free(s->domains[d]);
	free(s->domains);
	free(s->origins);
	SSL_CTX_free(s->ssl_ctx);
	waf_site_free(s->policy);
	iplist_free(s->allow);
	iplist_free(s->deny);
}

void
siteconf_unref(struct siteconf *c)
{
	if (c == NULL || atomic_fetch_sub(&c->refs, 1) != 1)
		return;
	for (size_t i = 0; i < c->n_sites; i++)
		site_free(&c->sites[i]);
	free(c->sites);
	free(c->dom);
	SSL_CTX_free(c->front_ctx);
	SSL_CTX_free(c->origin_ctx);
	waf_engine_unref(c->engine);
	free(c);
}

void
siteconf_inherit_health(struct siteconf *c, const struct siteconf *old)
{
	if (old == NULL)
		return;
	for (size_t i = 0; i < c->n_sites; i++)
		for (size_t k = 0; k < c->sites[i].n_origins; k++) {
			struct origin *o = &c->sites[i].origins[k];

			for (size_t j = 0; j < old->n_sites; j++)
				for (size_t m = 0; m < old->sites[j].n_origins; m++)
					if (strcmp(old->sites[j].origins[m].pool_key, o->pool_key) == 0)
						atomic_store(&o->healthy,
						    atomic_load(&old->sites[j].origins[m].healthy));
		}
}
