/*
 * quarantine: the control plane's view of files that agents moved into
 * their quarantine stores, and restores. The list is derived from stored
 * node events (module malware: malware.quarantined minus malware.restored);
 * a restore is a command to the node (nodes_command_create), carried out
 * by the agent and closed when its outcome event arrives. Tenant-scoped
 * through the store.
 */
#ifndef YS_CONTROL_QUARANTINE_H
#define YS_CONTROL_QUARANTINE_H

#include <stdint.h>

#include <jansson.h>

#include "auth.h"
#include "db.h"
#include "err.h"

/* Items still in quarantine on the nodes the caller may see (node_id 0:
 * all of them), oldest first: {node_id, item, path, sha256, size,
 * severity, rules, quarantined_at, restore_pending}. NULL with e when
 * node_id is not visible. */
json_t *quarantine_items(struct db *db, const struct principal *by, int64_t node_id,
    struct ys_err *e);

/* Ask node_id to restore item: 404 when the node or the item (on that
 * node, still quarantined) is unknown; 409 when a restore is already
 * waiting. *out is the command. */
int quarantine_restore_request(struct db *db, const struct principal *by, int64_t node_id,
    const char *item, json_t **out, struct ys_err *e);

#endif
