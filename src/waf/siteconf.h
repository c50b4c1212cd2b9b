/*
 * siteconf: yunshou-waf's running configuration, built from the site
 * configuration JSON (the signed bundle's "sites" array plus proxy
 * limits): the inspection engine, each site's domains, origins, TLS
 * context, WAF policy, CC limits and IP lists. A siteconf is immutable
 * once built (only origin health changes, atomically) and reference
 * counted: a request holds the one it started with, a reload builds a new
 * one and swaps it in, and the old one is freed when its last request ends.
 */
#ifndef YS_SITECONF_H
#define YS_SITECONF_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include <jansson.h>
#include <openssl/ssl.h>

#include "cc.h"
#include "http.h"
#include "iplist.h"
#include "waf.h"

#define SITE_MAX_ORIGINS 64	/* the proxy keeps the origins it tried as bits */

struct origin {
	char address[256];
	uint16_t port;
	bool tls;
	char pool_key[300];	/* "address|port|tls": idle connections are shared by key */
	struct sockaddr_storage sa;
	socklen_t salen;
	atomic_int healthy;	/* 1 up, 0 down (health checks, failed connects) */
	atomic_int streak;	/* consecutive check results against the state */
	_Atomic int64_t retry_ms; /* no health check: a failed origin is tried again after this */
	int64_t next_check_ms;	/* health thread only */
};

struct health_check {
	bool enabled;
	bool http;		/* GET path, status < 500 is up; else TCP connect */
	char path[256];
	int interval_ms, timeout_ms, fall, rise;
};

struct site {
	int64_t id, tenant_id;
	char **domains;		/* lower case; "*.example.com" matches subdomains */
	size_t n_domains;
	struct origin *origins;
	size_t n_origins;
	atomic_uint rr;
	struct health_check hc;
	SSL_CTX *ssl_ctx;	/* NULL: no certificate, plain HTTP only */
	bool monitor;
	struct waf_site *policy;
	struct cc_policy cc;
	bool cc_enabled;
	struct iplist *allow, *deny;
};

enum body_over_cap { OVER_CAP_REJECT = 0, OVER_CAP_INSPECT_PREFIX };

struct proxy_limits {
	struct http_limits http;
	uint64_t max_body;		/* hard cap, 413 above */
	size_t inspect_body;		/* bytes buffered for inspection */
	enum body_over_cap over_cap;
	int header_timeout_ms, body_timeout_ms, idle_timeout_ms;
	int connect_timeout_ms, upstream_timeout_ms;
};

struct dom_entry {
	const char *name;	/* a site's domain; NULL: free slot */
	size_t len;
	struct site *site;
};

struct siteconf {
	atomic_int refs;
	struct waf_engine *engine;
	struct site *sites;
	size_t n_sites;
	struct site *tls_default;	/* for clients without SNI */
	SSL_CTX *front_ctx;		/* accepts, then SNI picks the site's context */
	SSL_CTX *origin_ctx;		/* client context for TLS origins */
	struct proxy_limits lim;
	char events_path[4096];
	struct dom_entry *dom;		/* domain index, dom_cap slots (a power of 2) */
	size_t dom_cap;
};

/* Build from the JSON text in path. rules_dir overrides the file's
 * "rules_dir". NULL with a message on any error: nothing half-built. */
struct siteconf *siteconf_load(const char *path, const char *rules_dir, char *err, size_t errlen);
struct siteconf *siteconf_from_json(const json_t *root, const char *rules_dir, char *err,
    size_t errlen);
void siteconf_ref(struct siteconf *c);
void siteconf_unref(struct siteconf *c);

/* Site by Host or SNI name (port and a trailing dot stripped, case-
 * insensitive): the exact name, else the most specific "*.suffix"; NULL. */
struct site *siteconf_find(const struct siteconf *c, const char *host, size_t len);

/* The servername callback of every front context: picks the site's
 * context by SNI in the configuration in force. Defined by the proxy. */
int siteconf_sni_cb(SSL *ssl, int *alert, void *arg);

/* Health state carried over from the configuration being replaced. */
void siteconf_inherit_health(struct siteconf *c, const struct siteconf *old);

#endif
