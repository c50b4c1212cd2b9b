/*
 * tenants: self-service registration (MISSION §3.3.4) and the tenant life
 * cycle: pending -> active | rejected, active <-> suspended. Registration
 * creates the tenant and its first tenant_admin together; that user can log
 * in only once an operator (or auto-approval) activates the tenant.
 */
#ifndef YS_TENANTS_H
#define YS_TENANTS_H

#include <jansson.h>

#include "auth.h"
#include "conf.h"
#include "db.h"
#include "err.h"

/* in: validated registration body. *tenant_id is set on success. */
int tenants_register(struct db *db, const struct conf *c, const json_t *in,
    int64_t *tenant_id, json_t **out, struct ys_err *e);
/* action: "approve", "reject", "suspend" or "resume"; note may be NULL
 * except for reject and suspend, which need a reason. */
int tenants_transition(struct db *db, const struct principal *by, int64_t id,
    const char *action, const char *note, json_t **out, struct ys_err *e);
json_t *tenants_list(struct db *db, const struct principal *p, const char *status);
json_t *tenants_get(struct db *db, const struct principal *p, int64_t id, struct ys_err *e);

#endif
