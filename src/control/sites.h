/*
 * sites: the tenant side of the WAF service (issue 4). A tenant with an
 * active `waf` subscription adds sites (one quota unit each): domains,
 * origins, mode, rule exceptions, custom rules, CC limits and IP lists,
 * and a TLS certificate it uploaded. Each site gets a CNAME target to point
 * its DNS at. WAF nodes (provider-owned) receive every active site in their
 * signed bundle and report attacks, which are attributed to the site's
 * tenant. All writes to the waf_* tables happen here.
 */
#ifndef YS_SITES_H
#define YS_SITES_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "auth.h"
#include "db.h"
#include "err.h"

#define SITES_SERVICE "waf"
#define SITES_MAX_DOMAINS 32
#define SITES_MAX_IPS 256
#define SITES_MAX_ORIGINS 16
#define SITES_MAX_EXCEPTIONS 200
#define SITES_MAX_RULES 100
#define SITES_BURST_EVENTS 50		/* attacks on one site within ... */
#define SITES_BURST_SECONDS 60		/* ... this many seconds: a burst alert */

/* zone: the DNS zone CNAME targets live in (conf waf_cname_zone). */
int sites_create(struct db *db, const char *zone, const struct principal *by, const json_t *in,
    json_t **out, struct ys_err *e);
json_t *sites_list(struct db *db, const struct principal *p);
/* The site with its origins, exceptions, custom rules and certificate. */
json_t *sites_get(struct db *db, const struct principal *p, int64_t id, struct ys_err *e);
int sites_update(struct db *db, const struct principal *by, int64_t id, const json_t *in,
    json_t **out, struct ys_err *e);
int sites_delete(struct db *db, const struct principal *by, int64_t id, json_t **out,
    struct ys_err *e);

int sites_origin_add(struct db *db, const struct principal *by, int64_t site_id,
    const json_t *in, json_t **out, struct ys_err *e);
int sites_exception_add(struct db *db, const struct principal *by, int64_t site_id,
    const json_t *in, json_t **out, struct ys_err *e);
int sites_rule_add(struct db *db, const struct principal *by, int64_t site_id,
    const json_t *in, json_t **out, struct ys_err *e);
/* Remove an origin, exception or custom rule by its own id; *site_id is set
 * for the audit entry. */
enum sites_part { SITES_ORIGIN, SITES_EXCEPTION, SITES_RULE };
int sites_part_delete(struct db *db, const struct principal *by, enum sites_part part,
    int64_t id, int64_t *site_id, json_t **out, struct ys_err *e);

json_t *sites_stats(struct db *db, const struct principal *p, int64_t site_id, struct ys_err *e);
/* filters: site_id, category, since (RFC 3339 or date), after, limit. */
json_t *sites_events_list(struct db *db, const struct principal *p, const json_t *filters,
    struct ys_err *e);

/* What WAF nodes serve: {"sites": [...], "certificates": [...]} for every
 * active site of an active tenant with an active waf subscription. With
 * state_dir NULL, certificates carry no PEM (for hashing the version);
 * otherwise cert_pem and key_pem are added. */
int sites_waf_content(struct db *db, const char *state_dir, json_t **out, struct ys_err *e);
/* What the WAF content depends on, cheaply: the sites generation (raised
 * by every change here) and the tenants served now (active, with an
 * active waf subscription and an active site), as text for hashing.
 * NULL on a store error; free() it. */
char *sites_waf_state(struct db *db);
/* The bundle version of this state hash: the last one if unchanged, else a
 * new, higher one. */
int64_t sites_waf_version(struct db *db, const char *sha256_hex);

/* A waf.* event a WAF node sent (already stored once in node_events):
 * attribute it to its site's tenant, count it, raise alerts. *attributed
 * is false when the site no longer exists. */
int sites_waf_event(struct db *db, int64_t node_id, const json_t *ev, bool *attributed,
    struct ys_err *e);

#endif
