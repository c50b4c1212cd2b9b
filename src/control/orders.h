/*
 * orders: ordering (MISSION §3.3.4) and what it yields. An order (new,
 * renewal or change of quantity) is approved by an operator — or entered
 * already approved as an offline order with a contract reference — and
 * approval creates or updates a subscription. A subscription grants quota
 * from its start to its end unless cancelled; expiry needs no job because
 * status is derived from the clock.
 *
 * Quota is consumed where resources are created: a later module (node
 * enrolment, sites, ...) calls orders_quota_acquire() inside its own
 * transaction and orders_quota_release() when the resource goes away.
 */
#ifndef YS_ORDERS_H
#define YS_ORDERS_H

#include <jansson.h>

#include "auth.h"
#include "db.h"
#include "err.h"

#define ORDERS_MAX_QUANTITY 100000
#define ORDERS_MAX_MONTHS 60

int orders_create(struct db *db, const struct principal *by, const json_t *in,
    json_t **out, struct ys_err *e);
int orders_decide(struct db *db, const struct principal *by, int64_t id, bool approve,
    const char *reason, json_t **out, struct ys_err *e);
json_t *orders_list(struct db *db, const struct principal *p, const char *status);
json_t *orders_get(struct db *db, const struct principal *p, int64_t id, struct ys_err *e);

json_t *subscriptions_list(struct db *db, const struct principal *p, const char *service,
    const char *status);
json_t *subscriptions_get(struct db *db, const struct principal *p, int64_t id,
    struct ys_err *e);
/* Renewal (months > 0) or change (quantity > 0): creates an order, approved
 * at once when an admin asks. */
int subscriptions_amend(struct db *db, const struct principal *by, int64_t id,
    long long months, long long quantity, json_t **out, struct ys_err *e);
int subscriptions_cancel(struct db *db, const struct principal *by, int64_t id,
    const char *reason, json_t **out, struct ys_err *e);

/* Units of service the tenant's active subscriptions grant now, and units in
 * use. */
int64_t orders_quota_limit(struct db *db, int64_t tenant_id, const char *service);
int64_t orders_quota_used(struct db *db, int64_t tenant_id, const char *service);
json_t *orders_quota_report(struct db *db, int64_t tenant_id);
/* Take one unit of service for resource (a stable name such as "node/12");
 * quota_exceeded when none is free. Idempotent for the same resource. */
int orders_quota_acquire(struct db *db, int64_t tenant_id, const char *service,
    const char *resource, struct ys_err *e);
int orders_quota_release(struct db *db, int64_t tenant_id, const char *service,
    const char *resource);

#endif
