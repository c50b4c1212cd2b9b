/*
 * ddos: the tenant side of the anti-DDoS service (issue 6). A tenant with an
 * active `anti-ddos` subscription registers protected objects (public
 * service addresses with the protocols/ports they serve; one quota unit per
 * address, an address is one tenant's), protected domains (a record
 * <label>.<ddos_zone> the tenant CNAMEs to, switched by the scrubber between
 * origin and scrubbing address) and manual rules. Scrubber nodes
 * (provider-owned) receive all of it in their signed bundle and report
 * attacks, attributed to the object's tenant. All writes to the ddos_*
 * tables happen here.
 */
#ifndef YS_DDOS_H
#define YS_DDOS_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "auth.h"
#include "db.h"
#include "err.h"

#define DDOS_SERVICE "anti-ddos"
#define DDOS_MAX_IPS 256		/* per object */
#define DDOS_MAX_SERVICES 64		/* per address */
#define DDOS_MAX_PORTS 64		/* per service */
#define DDOS_MAX_ORIGINS 16		/* per domain */
/* What one scrubber bundle can carry (src/scrubber/bundle.c refuses more,
 * and a refused bundle would stop every scrubber): limits of the platform. */
#define DDOS_MAX_OBJECTS 4096		/* in all */
#define DDOS_MAX_DOMAINS 64		/* per object */
#define DDOS_MAX_RULES 65536		/* in all */
#define DDOS_DEFAULT_TIER_MBPS 100	/* a plan without bandwidth_mbps */
#define DDOS_CRITICAL_PPS 1000000	/* an attack this strong is critical */

/* allow_private: accept private-use addresses (conf ddos_allow_private). */
int ddos_object_create(struct db *db, bool allow_private, const struct principal *by,
    const json_t *in, json_t **out, struct ys_err *e);
json_t *ddos_object_list(struct db *db, const struct principal *p);
json_t *ddos_object_get(struct db *db, const struct principal *p, int64_t id, struct ys_err *e);
int ddos_object_update(struct db *db, bool allow_private, const struct principal *by, int64_t id,
    const json_t *in, json_t **out, struct ys_err *e);
int ddos_object_delete(struct db *db, const struct principal *by, int64_t id, json_t **out,
    struct ys_err *e);

/* zone: conf ddos_zone; the record is <label>.<zone>. */
int ddos_domain_create(struct db *db, const char *zone, const struct principal *by,
    const json_t *in, json_t **out, struct ys_err *e);
int ddos_domain_update(struct db *db, const struct principal *by, int64_t id, const json_t *in,
    json_t **out, struct ys_err *e);
/* filters: object_id. */
json_t *ddos_domain_list(struct db *db, const struct principal *p, const json_t *filters);
json_t *ddos_domain_get(struct db *db, const struct principal *p, int64_t id, struct ys_err *e);

int ddos_rule_create(struct db *db, const struct principal *by, const json_t *in, json_t **out,
    struct ys_err *e);
json_t *ddos_rule_list(struct db *db, const struct principal *p, const json_t *filters);
json_t *ddos_rule_get(struct db *db, const struct principal *p, int64_t id, struct ys_err *e);

enum ddos_part { DDOS_DOMAIN, DDOS_RULE };
int ddos_part_delete(struct db *db, const struct principal *by, enum ddos_part part, int64_t id,
    json_t **out, struct ys_err *e);

/* filters: object_id, active (bool). Without the timeline. */
json_t *ddos_attack_list(struct db *db, const struct principal *p, const json_t *filters);
json_t *ddos_attack_get(struct db *db, const struct principal *p, int64_t id, struct ys_err *e);

/* Check the provider's scrubber policy before it is stored: only
 * "scrubbing" (1-2 addresses, one per family), "dns" ({server, port?, zone,
 * tsig_key, tsig_secret "file:/path" | "env:NAME" — a reference, never the
 * secret —, ttl?, hold_down_s?, timeout_ms?}) and "thresholds", as the
 * scrubber's bundle parser wants them. 0 / -1 with e. */
int ddos_provider_check(const json_t *policy, struct ys_err *e);

/* The policy object of a scrubber bundle (ddos:src/scrubber/bundle.c):
 * provider is the provider's stored scrubber policy ("scrubbing", "dns",
 * "thresholds" are taken from it); objects and rules come from the store.
 * NULL when the provider policy has no scrubbing address (logged). */
json_t *ddos_scrubber_content(struct db *db, const json_t *provider);
/* The bundle version for the provider policy version pv: a new one when
 * the generation or the tenants served changed. */
int64_t ddos_scrubber_version(struct db *db, int64_t pv);

/* A "ddos" event a scrubber node sent (checked by ddosev_check, stored
 * once in node_events): attack events update the attack record of the
 * object's tenant idempotently and raise alerts. *attributed is false when
 * the object is unknown (kept as provider telemetry). */
int ddos_scrubber_event(struct db *db, int64_t node_id, const json_t *ev, bool *attributed,
    struct ys_err *e);

#endif
