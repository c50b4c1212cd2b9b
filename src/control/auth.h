/*
 * auth: who is calling. Roles, principals, sessions (opaque random tokens
 * stored only as SHA-256, with idle and absolute expiry), API keys, login
 * with argon2id, per-account lockout with back-off, and TOTP MFA.
 */
#ifndef YS_AUTH_H
#define YS_AUTH_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "conf.h"
#include "db.h"
#include "err.h"
#include "store.h"

enum role {
	ROLE_ADMIN = 1 << 0,
	ROLE_ANALYST = 1 << 1,
	ROLE_AUDITOR = 1 << 2,
	ROLE_TENANT_ADMIN = 1 << 3,
	ROLE_TENANT_USER = 1 << 4,
};
#define ROLES_OPERATORS (ROLE_ADMIN | ROLE_ANALYST | ROLE_AUDITOR)
#define ROLES_TENANT (ROLE_TENANT_ADMIN | ROLE_TENANT_USER)
#define ROLES_ANY (ROLES_OPERATORS | ROLES_TENANT)

#define AUTH_SESSION_PREFIX "yss_"
#define AUTH_APIKEY_PREFIX "ysk_"

struct principal {
	int64_t user_id;
	int64_t tenant_id;		/* 0 for operators */
	enum role role;
	char username[72];
	int64_t session_id;		/* 0 when authenticated by API key */
	int64_t apikey_id;
	bool must_change_password;
	bool needs_mfa_enrollment;	/* admin without MFA yet */
};

const char *role_name(enum role r);
int role_parse(const char *s, enum role *out);
bool role_is_operator(enum role r);
/* The rows this principal may see. */
struct scope principal_scope(const struct principal *p);

/* Resolve a bearer token into a principal. unauthorized on any failure
 * (unknown, expired, revoked, user disabled, tenant not active). */
int auth_resolve(struct db *db, const struct conf *c, const char *token,
    struct principal *out, struct ys_err *e);

/* Check credentials and open a session. *who is filled whenever the user
 * name is known (for the audit entry), even on failure. Failed attempts
 * update the lockout counters: the caller commits even on error. */
int auth_login(struct db *db, const struct conf *c, const char *username,
    const char *password, const char *otp, const char *source,
    struct principal *who, json_t **out, struct ys_err *e);
int auth_logout(struct db *db, const struct principal *p);
int auth_change_password(struct db *db, const struct conf *c, const struct principal *p,
    const char *old_pw, const char *new_pw, struct ys_err *e);
/* End every session of a user (disable, suspend, password change). keep: a
 * session id to spare, or 0. */
int auth_end_sessions(struct db *db, int64_t user_id, int64_t keep);
int auth_end_tenant_sessions(struct db *db, int64_t tenant_id);

int auth_mfa_setup(struct db *db, const struct conf *c, const struct principal *p,
    json_t **out, struct ys_err *e);
int auth_mfa_enable(struct db *db, const struct principal *p, const char *code,
    struct ys_err *e);
int auth_mfa_disable(struct db *db, const struct principal *p, const char *code,
    struct ys_err *e);

int auth_apikey_create(struct db *db, const struct principal *p, const char *name,
    long long expires_days, json_t **out, struct ys_err *e);
json_t *auth_apikey_list(struct db *db, const struct principal *p);
int auth_apikey_revoke(struct db *db, const struct principal *p, int64_t id,
    json_t **out, struct ys_err *e);

/* Hash a new password with the configured argon2id cost after checking
 * the policy. out must hold PASSWORD_HASH_MAX bytes. */
int auth_hash_password(const struct conf *c, const char *pw, const char *username,
    char *out, size_t outsz, struct ys_err *e);

#endif
