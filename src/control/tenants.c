/*
 * tenants: registration and the tenant state machine. Transitions are a
 * table: which states an action may start from, the state it leads to, and
 * whether it needs a reason.
 */
#include "tenants.h"

#include <string.h>
#include <time.h>

#include "jsonv.h"
#include "password.h"
#include "store.h"
#include "users.h"
#include "validate.h"

static const struct transition {
	const char *action;
	const char *from[3];
	const char *to;
	bool needs_reason;
	bool ends_sessions;
} transitions[] = {
	{ "approve", { "pending" }, "active", false, false },
	{ "reject", { "pending" }, "rejected", true, false },
	{ "suspend", { "active" }, "suspended", true, true },
	{ "resume", { "suspended" }, "active", false, false },
};

int
tenants_register(struct db *db, const struct conf *c, const json_t *in, int64_t *tenant_id,
    json_t **out, struct ys_err *e)
{
	const char *name = jsonv_str(in, "tenant_name", ""), *code = jsonv_str(in, "credit_code", "");
	const char *email = jsonv_str(in, "contact_email", ""), *phone = jsonv_str(in, "contact_phone", "");
	const char *user = jsonv_str(in, "username", "");
	char why[200], hash[PASSWORD_HASH_MAX];
	int64_t now = time(NULL), id;
	const char *status = c->auto_approve_registrations ? "active" : "pending";

	if (validate_credit_code(code, why, sizeof(why)) < 0)
		return ys_fail(e, "invalid_field", "credit_code: %s", why);
	if (validate_email(email, why, sizeof(why)) < 0)
		return ys_fail(e, "invalid_field", "contact_email: %s", why);
	if (validate_cn_mobile(phone, why, sizeof(why)) < 0)
		return ys_fail(e, "invalid_field", "contact_phone: %s", why);
	if (validate_username(user, why, sizeof(why)) < 0)
		return ys_fail(e, "invalid_field", "username: %s", why);
	if (auth_hash_password(c, jsonv_str(in, "password", ""), user, hash, sizeof(hash), e) < 0)
		return -1;
	if (db_int(db, 0, "SELECT count(*) FROM tenants WHERE name = ? OR credit_code = ?", "ss",
	    name, code) > 0)
		return ys_fail(e, "conflict", "a tenant with this name or credit code is already "
		    "registered");
	if (db_run(db, "INSERT INTO tenants (name, credit_code, contact_name, contact_email,"
	    " contact_phone, status, created_at, approved_by, approved_at)"
	    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", "sssssslsL", name, code,
	    jsonv_str(in, "contact_name", ""), email, phone, status, now,
	    c->auto_approve_registrations ? "auto-approval" : NULL,
	    c->auto_approve_registrations ? now : (int64_t)0) != 1)
		return ys_fail(e, "internal", "cannot store the registration");
	id = db_last_id(db);
	if (users_insert(db, user, ROLE_TENANT_ADMIN, id, hash, false, e) < 0)
		return -1;
	*tenant_id = id;
	*out = json_pack("{s:I, s:s, s:s}", "tenant_id", (json_int_t)id, "status", status,
	    "username", user);
	return 0;
}

int
tenants_transition(struct db *db, const struct principal *by, int64_t id, const char *action,
    const char *note, json_t **out, struct ys_err *e)
{
	const struct transition *t = NULL;
	json_t *row;
	const char *cur;
	bool allowed = false;
	int64_t now = time(NULL);
	int64_t rc;

	for (size_t i = 0; i < sizeof(transitions) / sizeof(transitions[0]); i++)
		if (strcmp(transitions[i].action, action) == 0)
			t = &transitions[i];
	if (t == NULL)
		return ys_fail(e, "bad_request", "unknown tenant action %s", action);
	row = store_get(db, principal_scope(by), STORE_TENANTS, id);
	if (row == NULL)
		return ys_fail(e, "not_found", "no tenant %lld", (long long)id);
	cur = json_string_value(json_object_get(row, "status"));
	for (size_t i = 0; i < 3 && t->from[i]; i++)
		if (cur && strcmp(cur, t->from[i]) == 0)
			allowed = true;
	if (!allowed) {
		ys_fail(e, "conflict", "cannot %s a tenant that is %s", action, cur ? cur : "?");
		json_decref(row);
		return -1;
	}
	json_decref(row);
	if (t->needs_reason && (note == NULL || *note == '\0'))
		return ys_fail(e, "missing_field", "reason: is required to %s a tenant", action);
	if (strcmp(action, "approve") == 0)
		rc = db_run(db, "UPDATE tenants SET status = ?, approved_by = ?, approved_at = ?,"
		    " reason = ? WHERE id = ?", "sslsl", t->to, by->username, now, note, id);
	else
		rc = db_run(db, "UPDATE tenants SET status = ?, reason = ? WHERE id = ?", "ssl",
		    t->to, note, id);
	if (rc != 1)
		return ys_fail(e, "internal", "cannot update the tenant");
	if (t->ends_sessions && auth_end_tenant_sessions(db, id) < 0)
		return ys_fail(e, "internal", "cannot end the tenant's sessions");
	*out = store_get(db, scope_all(), STORE_TENANTS, id);
	return 0;
}

json_t *
tenants_list(struct db *db, const struct principal *p, const char *status)
{
	struct store_filter f = { "status", "=", status, 0 };

	return store_list(db, principal_scope(p), STORE_TENANTS, &f, status ? 1 : 0, 1000);
}

json_t *
tenants_get(struct db *db, const struct principal *p, int64_t id, struct ys_err *e)
{
	return store_find(db, principal_scope(p), STORE_TENANTS, id, "tenant", e);
}
