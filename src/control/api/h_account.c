/*
 * h_account: handlers for login, sessions, passwords, MFA, API keys, users
 * and registration.
 */
#include <stdio.h>
#include <string.h>

#include "api.h"
#include "tenants.h"
#include "users.h"

int
h_health(struct api_req *r)
{
	return api_ok(r, 200, json_pack("{s:s, s:s}", "status", "ok", "version", YS_VERSION));
}

int
h_login(struct api_req *r)
{
	json_t *out = NULL;
	struct principal who;
	const char *user = jsonv_str(r->body, "username", "");
	int rc;

	rc = auth_login(r->ctx->db, r->conf, user, jsonv_str(r->body, "password", ""),
	    jsonv_str(r->body, "otp", NULL), r->source, &who, &out, &r->err);
	/* The attempted name is recorded even when no such user exists. */
	snprintf(r->actor, sizeof(r->actor), "%s", who.user_id ? who.username : user);
	r->actor_id = who.user_id;
	r->audit_tenant = who.tenant_id;
	if (who.user_id)
		api_target(r, "user", who.user_id);
	r->commit_on_error = true;	/* failure counters and lockout must stick */
	if (rc < 0)
		return -1;
	return api_ok(r, 200, out);
}

int
h_logout(struct api_req *r)
{
	api_target(r, "session", r->who.session_id);
	if (auth_logout(r->ctx->db, &r->who) < 0)
		return ys_fail(&r->err, "internal", "cannot end the session");
	return api_ok(r, 200, NULL);
}

int
h_whoami(struct api_req *r)
{
	const struct principal *p = &r->who;

	return api_ok(r, 200, json_pack("{s:I, s:s, s:s, s:o, s:b, s:b, s:s}",
	    "id", (json_int_t)p->user_id, "username", p->username, "role", role_name(p->role),
	    "tenant_id", p->tenant_id ? json_integer(p->tenant_id) : json_null(),
	    "must_change_password", p->must_change_password,
	    "mfa_enrollment_required", p->needs_mfa_enrollment,
	    "auth", p->session_id ? "session" : "api_key"));
}

int
h_password(struct api_req *r)
{
	api_target(r, "user", r->who.user_id);
	if (auth_change_password(r->ctx->db, r->conf, &r->who,
	    jsonv_str(r->body, "old_password", ""), jsonv_str(r->body, "new_password", ""),
	    &r->err) < 0)
		return -1;
	return api_ok(r, 200, NULL);
}

int
h_mfa_setup(struct api_req *r)
{
	json_t *out = NULL;

	api_target(r, "user", r->who.user_id);
	if (auth_mfa_setup(r->ctx->db, r->conf, &r->who, &out, &r->err) < 0)
		return -1;
	return api_ok(r, 200, out);
}

int
h_mfa_enable(struct api_req *r)
{
	api_target(r, "user", r->who.user_id);
	if (auth_mfa_enable(r->ctx->db, &r->who, jsonv_str(r->body, "code", ""), &r->err) < 0)
		return -1;
	return api_ok(r, 200, json_pack("{s:b}", "mfa_enabled", 1));
}

int
h_mfa_disable(struct api_req *r)
{
	api_target(r, "user", r->who.user_id);
	if (auth_mfa_disable(r->ctx->db, &r->who, jsonv_str(r->body, "code", ""), &r->err) < 0)
		return -1;
	return api_ok(r, 200, json_pack("{s:b}", "mfa_enabled", 0));
}

int
h_apikey_create(struct api_req *r)
{
	json_t *out = NULL;

	if (auth_apikey_create(r->ctx->db, &r->who, jsonv_str(r->body, "name", ""),
	    jsonv_int(r->body, "expires_days", 0), &out, &r->err) < 0)
		return -1;
	api_target(r, "apikey", json_integer_value(json_object_get(out, "id")));
	return api_ok(r, 201, out);
}

int
h_apikey_list(struct api_req *r)
{
	return api_items(r, auth_apikey_list(r->ctx->db, &r->who));
}

int
h_apikey_revoke(struct api_req *r)
{
	json_t *out = NULL;

	api_target(r, "apikey", r->id);
	if (auth_apikey_revoke(r->ctx->db, &r->who, r->id, &out, &r->err) < 0)
		return -1;
	return api_ok(r, 200, out);
}

int
h_register(struct api_req *r)
{
	json_t *out = NULL;
	int64_t tenant = 0;

	snprintf(r->actor, sizeof(r->actor), "%s", jsonv_str(r->body, "username", "-"));
	snprintf(r->detail, sizeof(r->detail), "tenant_name=%s",
	    jsonv_str(r->body, "tenant_name", ""));
	if (tenants_register(r->ctx->db, r->conf, r->body, &tenant, &out, &r->err) < 0)
		return -1;
	r->audit_tenant = tenant;
	api_target(r, "tenant", tenant);
	return api_ok(r, 201, out);
}

int
h_user_create(struct api_req *r)
{
	json_t *out = NULL;

	snprintf(r->detail, sizeof(r->detail), "username=%s role=%s",
	    jsonv_str(r->body, "username", ""), jsonv_str(r->body, "role", ""));
	if (users_create(r->ctx->db, r->conf, &r->who, r->body, &out, &r->err) < 0)
		return -1;
	api_target(r, "user", json_integer_value(json_object_get(out, "id")));
	r->audit_tenant = json_integer_value(json_object_get(out, "tenant_id"));
	return api_ok(r, 201, out);
}

int
h_user_list(struct api_req *r)
{
	return api_items(r, users_list(r->ctx->db, &r->who, api_qint(r, "tenant_id", 0)));
}

static int
user_status(struct api_req *r, bool enable)
{
	json_t *out = NULL;

	api_target(r, "user", r->id);
	if (users_set_status(r->ctx->db, &r->who, r->id, enable, &out, &r->err) < 0)
		return -1;
	r->audit_tenant = json_integer_value(json_object_get(out, "tenant_id"));
	return api_ok(r, 200, out);
}

int
h_user_disable(struct api_req *r)
{
	return user_status(r, false);
}

int
h_user_enable(struct api_req *r)
{
	return user_status(r, true);
}
