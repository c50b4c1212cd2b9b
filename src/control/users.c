/*
 * users: account creation and enabling/disabling, with the rule of who may
 * create whom in one function (may_manage).
 */
#include "users.h"

#include <string.h>
#include <time.h>

#include "jsonv.h"
#include "password.h"
#include "store.h"
#include "validate.h"

int64_t
users_insert(struct db *db, const char *username, enum role role, int64_t tenant_id,
    const char *password_hash, bool must_change, struct ys_err *e)
{
	if (db_int(db, 0, "SELECT count(*) FROM users WHERE username = ?", "s", username) > 0) {
		ys_fail(e, "conflict", "user name %s is taken", username);
		return -1;
	}
	if (db_run(db, "INSERT INTO users (tenant_id, username, role, password_hash,"
	    " must_change_password, created_at) VALUES (?, ?, ?, ?, ?, ?)", "Lsssil", tenant_id,
	    username, role_name(role), password_hash, must_change ? 1 : 0,
	    (int64_t)time(NULL)) != 1) {
		ys_fail(e, "internal", "cannot store the user");
		return -1;
	}
	return db_last_id(db);
}

/* May `by` create or change an account of role r in tenant t? */
static bool
may_manage(const struct principal *by, enum role r, int64_t t)
{
	if (by->role == ROLE_ADMIN)
		return true;
	return by->role == ROLE_TENANT_ADMIN && (r & ROLES_TENANT) && t == by->tenant_id;
}

int
users_create(struct db *db, const struct conf *c, const struct principal *by, const json_t *in,
    json_t **out, struct ys_err *e)
{
	const char *username = jsonv_str(in, "username", "");
	long long tenant = jsonv_int(in, "tenant_id", 0);
	char why[200], hash[PASSWORD_HASH_MAX];
	enum role r;
	int64_t id;

	if (role_parse(jsonv_str(in, "role", ""), &r) < 0)
		return ys_fail(e, "invalid_field", "role: must be admin, analyst, auditor, "
		    "tenant_admin or tenant_user");
	if (by->role == ROLE_TENANT_ADMIN) {
		if (tenant != 0 && tenant != by->tenant_id)
			return ys_fail(e, "not_found", "no tenant %lld", tenant);
		tenant = by->tenant_id;
	}
	if ((r & ROLES_TENANT) && tenant == 0)
		return ys_fail(e, "missing_field", "tenant_id: is required for tenant roles");
	if (role_is_operator(r) && tenant != 0)
		return ys_fail(e, "invalid_field", "tenant_id: operators belong to no tenant");
	if (!may_manage(by, r, tenant))
		return ys_fail(e, "forbidden", "you may not create a user with role %s",
		    role_name(r));
	if (tenant != 0 && !store_exists(db, principal_scope(by), STORE_TENANTS, tenant))
		return ys_fail(e, "not_found", "no tenant %lld", tenant);
	if (validate_username(username, why, sizeof(why)) < 0)
		return ys_fail(e, "invalid_field", "username: %s", why);
	if (auth_hash_password(c, jsonv_str(in, "password", ""), username, hash, sizeof(hash), e) < 0)
		return -1;
	id = users_insert(db, username, r, tenant, hash, true, e);
	if (id < 0)
		return -1;
	*out = store_get(db, scope_all(), STORE_USERS, id);
	return *out ? 0 : ys_fail(e, "internal", "cannot read the user back");
}

json_t *
users_list(struct db *db, const struct principal *p, int64_t tenant_id)
{
	struct store_filter f = { "tenant_id", "=", NULL, tenant_id };

	return store_list(db, principal_scope(p), STORE_USERS, &f, tenant_id ? 1 : 0, 1000);
}

int
users_set_status(struct db *db, const struct principal *by, int64_t id, bool enable,
    json_t **out, struct ys_err *e)
{
	json_t *row = store_get(db, principal_scope(by), STORE_USERS, id);
	enum role r;
	int64_t tenant;

	if (row == NULL)
		return ys_fail(e, "not_found", "no user %lld", (long long)id);
	role_parse(json_string_value(json_object_get(row, "role")), &r);
	tenant = json_integer_value(json_object_get(row, "tenant_id"));
	json_decref(row);
	if (!may_manage(by, r, tenant))
		return ys_fail(e, "forbidden", "you may not change this user");
	if (id == by->user_id && !enable)
		return ys_fail(e, "conflict", "you cannot disable your own account");
	if (db_run(db, "UPDATE users SET status = ?, failed_logins = 0, locked_until = 0"
	    " WHERE id = ?", "sl", enable ? "active" : "disabled", id) != 1)
		return ys_fail(e, "internal", "cannot update the user");
	if (!enable && (auth_end_sessions(db, id, 0) < 0 ||
	    db_run(db, "UPDATE api_keys SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL",
	    "ll", (int64_t)time(NULL), id) < 0))
		return ys_fail(e, "internal", "cannot end the user's sessions");
	*out = store_get(db, scope_all(), STORE_USERS, id);
	return 0;
}
