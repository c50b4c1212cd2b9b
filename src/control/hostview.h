/*
 * hostview: what a host's agent last reported about the host itself, as
 * the tenant reads it: the latest baseline results (each check with its
 * status and the GB/T 22239 control it evidences) and the inventory (the
 * latest complete snapshot, and the changes reported since). Read-only
 * views over node_events; the node must be in the caller's scope.
 */
#ifndef YS_HOSTVIEW_H
#define YS_HOSTVIEW_H

#include <jansson.h>

#include "auth.h"
#include "db.h"
#include "err.h"

/* {"node_id", "time", "family", "summary", "items": [checks]} */
int hostview_baseline(struct db *db, const struct principal *p, int64_t node_id, json_t **out,
    struct ys_err *e);
/* {"node_id", "snapshot_id", "time", "complete", "os", "kernel", "ports", "users",
 *  "changes": [inventory.changed payloads since], "items": [packages]} */
int hostview_inventory(struct db *db, const struct principal *p, int64_t node_id,
    json_t **out, struct ys_err *e);

#endif
