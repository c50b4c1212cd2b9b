/*
 * users: accounts of operators and tenant users. Operators' admins create
 * any account; a tenant admin creates accounts of its own tenant only.
 * Accounts created for someone else must change their password at first
 * login.
 */
#ifndef YS_USERS_H
#define YS_USERS_H

#include <jansson.h>

#include "auth.h"
#include "conf.h"
#include "db.h"
#include "err.h"

/* Insert a user without authorisation checks (init, registration). The
 * password must already be hashed. Returns the id or -1 (conflict when the
 * name is taken). */
int64_t users_insert(struct db *db, const char *username, enum role role, int64_t tenant_id,
    const char *password_hash, bool must_change, struct ys_err *e);
int users_create(struct db *db, const struct conf *c, const struct principal *by,
    const json_t *in, json_t **out, struct ys_err *e);
json_t *users_list(struct db *db, const struct principal *p, int64_t tenant_id);
int users_set_status(struct db *db, const struct principal *by, int64_t id, bool enable,
    json_t **out, struct ys_err *e);

#endif
