/*
 * auth: sessions, API keys, login, lockout and MFA. Tokens carry 256 random
 * bits, so a plain SHA-256 of the token is a safe lookup key; passwords get
 * argon2id. A login for an unknown user still runs argon2 against a dummy
 * hash so that timing does not tell which user names exist.
 */
#include "auth.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "crypto.h"
#include "log.h"
#include "password.h"
#include "totp.h"

static const struct {
	enum role role;
	const char *name;
} roles[] = {
	{ ROLE_ADMIN, "admin" },
	{ ROLE_ANALYST, "analyst" },
	{ ROLE_AUDITOR, "auditor" },
	{ ROLE_TENANT_ADMIN, "tenant_admin" },
	{ ROLE_TENANT_USER, "tenant_user" },
};

/* Refresh last-seen stamps at most this often: a read must not be a write. */
#define TOUCH_INTERVAL 60

const char *
role_name(enum role r)
{
	for (size_t i = 0; i < sizeof(roles) / sizeof(roles[0]); i++)
		if (roles[i].role == r)
			return roles[i].name;
	return "?";
}

int
role_parse(const char *s, enum role *out)
{
	for (size_t i = 0; s && i < sizeof(roles) / sizeof(roles[0]); i++) {
		if (strcmp(roles[i].name, s) == 0) {
			*out = roles[i].role;
			return 0;
		}
	}
	return -1;
}

bool
role_is_operator(enum role r)
{
	return (r & ROLES_OPERATORS) != 0;
}

struct scope
principal_scope(const struct principal *p)
{
	return role_is_operator(p->role) ? scope_all() : scope_tenant(p->tenant_id);
}

static int
make_token(const char *prefix, char *out, size_t outsz, unsigned char hash[32])
{
	unsigned char raw[32];
	size_t n = strlen(prefix);

	if (crypto_random(raw, sizeof(raw)) < 0 || outsz < n + 45)
		return -1;
	memcpy(out, prefix, n);
	if (crypto_b64url_encode(raw, sizeof(raw), out + n, outsz - n) == 0)
		return -1;
	crypto_sha256(out, strlen(out), hash);
	return 0;
}

static int
fill_principal(struct principal *p, struct db_stmt *st, int base)
{
	enum role r;
	const char *name = db_col_text(st, base + 1);

	p->user_id = db_col_int(st, base);
	snprintf(p->username, sizeof(p->username), "%s", name ? name : "");
	if (role_parse(db_col_text(st, base + 2), &r) < 0)
		return -1;
	p->role = r;
	p->tenant_id = db_col_int(st, base + 3);
	p->must_change_password = db_col_int(st, base + 5) != 0;
	p->needs_mfa_enrollment = r == ROLE_ADMIN && db_col_int(st, base + 6) == 0;
	return 0;
}

/* user columns: id, username, role, tenant_id, status, must_change_password,
 * mfa_enabled, tenant status */
#define USER_COLS "u.id, u.username, u.role, u.tenant_id, u.status, u.must_change_password," \
	" u.mfa_enabled, t.status"

static int
check_user_active(struct db_stmt *st, int base, struct ys_err *e)
{
	const char *ust = db_col_text(st, base + 4);
	const char *tst = db_col_text(st, base + 7);

	if (ust == NULL || strcmp(ust, "active") != 0)
		return ys_fail(e, "user_disabled", "this account is disabled");
	if (!db_col_is_null(st, base + 3) && (tst == NULL || strcmp(tst, "active") != 0))
		return ys_fail(e, "tenant_not_active",
		    "the tenant of this account is not active (status: %s)", tst ? tst : "unknown");
	return 0;
}

/* The two kinds of bearer credential, resolved the same way. Each query
 * yields: id, dead (revoked), expires_at, last touched, then USER_COLS. */
static const struct credential {
	const char *prefix;
	const char *query;
	const char *touch;
	const char *unknown;	/* message for a token not found */
	const char *expired;
	bool is_session;
} credentials[] = {
	{ AUTH_SESSION_PREFIX,
	  "SELECT s.id, s.revoked != 0, s.expires_at, s.last_seen_at, " USER_COLS
	  " FROM sessions s JOIN users u ON u.id = s.user_id"
	  " LEFT JOIN tenants t ON t.id = u.tenant_id WHERE s.token_hash = ?",
	  "UPDATE sessions SET last_seen_at = ? WHERE id = ?",
	  "invalid session token", "session expired; log in again", true },
	{ AUTH_APIKEY_PREFIX,
	  "SELECT k.id, k.revoked_at IS NOT NULL, coalesce(k.expires_at, 9223372036854775807),"
	  " k.last_used_at, " USER_COLS " FROM api_keys k JOIN users u ON u.id = k.user_id"
	  " LEFT JOIN tenants t ON t.id = u.tenant_id WHERE k.key_hash = ?",
	  "UPDATE api_keys SET last_used_at = ? WHERE id = ?",
	  "invalid API key", "API key revoked or expired", false },
};

static int
resolve(struct db *db, const struct conf *c, const struct credential *cr,
    const unsigned char hash[32], struct principal *out, struct ys_err *e)
{
	int64_t now = time(NULL), id, touched;
	struct db_stmt *st;
	int rc = -1;

	st = db_q(db, cr->query, "b", hash, (size_t)32);
	if (st == NULL)
		return ys_fail(e, "internal", "cannot read credentials");
	if (db_step(st) != DB_ROW) {
		db_done(st);
		return ys_fail(e, "unauthorized", "%s", cr->unknown);
	}
	id = db_col_int(st, 0);
	touched = db_col_int(st, 3);
	if (db_col_int(st, 1) != 0 || db_col_int(st, 2) <= now ||
	    (cr->is_session && now - touched > c->session_idle_minutes * 60)) {
		ys_fail(e, "unauthorized", "%s", cr->expired);
	} else if (check_user_active(st, 4, e) < 0) {
		e->code = "unauthorized";
	} else if (fill_principal(out, st, 4) == 0) {
		if (cr->is_session) {
			out->session_id = id;
		} else {
			out->apikey_id = id;
			/* Keys are created only by unrestricted sessions. */
			out->must_change_password = false;
			out->needs_mfa_enrollment = false;
		}
		rc = 0;
	}
	db_done(st);
	if (rc == 0 && now - touched >= TOUCH_INTERVAL)
		db_run(db, cr->touch, "ll", now, id);
	return rc;
}

int
auth_resolve(struct db *db, const struct conf *c, const char *token, struct principal *out,
    struct ys_err *e)
{
	unsigned char hash[32];
	size_t len = token ? strlen(token) : 0;

	memset(out, 0, sizeof(*out));
	if (len < 8 || len > 128)
		return ys_fail(e, "unauthorized", "missing or malformed bearer token");
	crypto_sha256(token, len, hash);
	for (size_t i = 0; i < sizeof(credentials) / sizeof(credentials[0]); i++)
		if (strncmp(token, credentials[i].prefix, 4) == 0)
			return resolve(db, c, &credentials[i], hash, out, e);
	return ys_fail(e, "unauthorized", "missing or malformed bearer token");
}

int
auth_hash_password(const struct conf *c, const char *pw, const char *username,
    char *out, size_t outsz, struct ys_err *e)
{
	struct password_params p = { (uint32_t)c->argon2_iterations,
		(uint32_t)c->argon2_memory_kib, 1 };
	char why[200];

	if (password_policy_check(pw, username, why, sizeof(why)) < 0)
		return ys_fail(e, "password_policy", "%s", why);
	if (password_hash(&p, pw, out, outsz) < 0)
		return ys_fail(e, "internal", "cannot hash the password");
	return 0;
}

/* Verified against when the user does not exist, so both paths cost one
 * argon2 computation with the configured cost. One per thread, made once. */
static const char *
dummy_hash(const struct conf *c)
{
	static __thread char h[PASSWORD_HASH_MAX];
	struct password_params p = { (uint32_t)c->argon2_iterations,
		(uint32_t)c->argon2_memory_kib, 1 };

	if (h[0] == '\0' && password_hash(&p, "yunshou-timing-dummy", h, sizeof(h)) < 0) {
		h[0] = '\0';
		return NULL;
	}
	return h;
}

static void
record_failure(struct db *db, const struct conf *c, int64_t uid, int64_t failed,
    struct ys_err *e)
{
	int64_t now = time(NULL), lock = 0;

	failed++;
	if (failed >= c->lockout_threshold) {
		int64_t shift = failed - c->lockout_threshold;

		lock = c->lockout_base_seconds << (shift > 20 ? 20 : shift);
		if (lock > c->lockout_max_seconds)
			lock = c->lockout_max_seconds;
	}
	db_run(db, "UPDATE users SET failed_logins = ?, locked_until = ? WHERE id = ?", "lll",
	    failed, lock ? now + lock : 0, uid);
	if (lock) {
		ys_fail(e, "account_locked", "too many failed logins; account locked for %lld "
		    "seconds", (long long)lock);
		e->retry_after = lock;
	}
}

static int
open_session(struct db *db, const struct conf *c, const struct principal *p,
    const char *source, json_t **out)
{
	char token[80], exp[32];
	unsigned char hash[32];
	int64_t now = time(NULL), expires = now + c->session_absolute_hours * 3600;

	if (make_token(AUTH_SESSION_PREFIX, token, sizeof(token), hash) < 0)
		return -1;
	if (db_run(db, "INSERT INTO sessions (token_hash, user_id, source, created_at, "
	    "last_seen_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)", "blslll", hash, (size_t)32,
	    p->user_id, source, now, now, expires) != 1)
		return -1;
	db_time_text(expires, exp, sizeof(exp));
	*out = json_pack("{s:s, s:s, s:{s:I, s:s, s:s, s:o}, s:b, s:b, s:I}",
	    "token", token, "expires_at", exp,
	    "user", "id", (json_int_t)p->user_id, "username", p->username,
	    "role", role_name(p->role),
	    "tenant_id", p->tenant_id ? json_integer(p->tenant_id) : json_null(),
	    "must_change_password", p->must_change_password,
	    "mfa_enrollment_required", p->needs_mfa_enrollment,
	    "idle_timeout_seconds", (json_int_t)(c->session_idle_minutes * 60));
	explicit_bzero(token, sizeof(token));
	return *out ? 0 : -1;
}

int
auth_login(struct db *db, const struct conf *c, const char *username, const char *password,
    const char *otp, const char *source, struct principal *who, json_t **out,
    struct ys_err *e)
{
	int64_t now = time(NULL), uid, failed, locked_until, last_step, step;
	char hash[PASSWORD_HASH_MAX], secret[64] = "";
	struct db_stmt *st;
	bool mfa;
	int vr;

	memset(who, 0, sizeof(*who));
	st = db_q(db, "SELECT " USER_COLS ", u.password_hash, u.failed_logins, u.locked_until,"
	    " u.mfa_secret, u.mfa_last_step FROM users u LEFT JOIN tenants t ON t.id = u.tenant_id"
	    " WHERE u.username = ?", "s", username);
	if (st == NULL)
		return ys_fail(e, "internal", "cannot read users");
	if (db_step(st) != DB_ROW) {
		const char *d = dummy_hash(c);

		db_done(st);
		if (d)
			password_verify(d, password);
		return ys_fail(e, "invalid_credentials", "wrong user name or password");
	}
	if (fill_principal(who, st, 0) < 0) {
		db_done(st);
		return ys_fail(e, "internal", "user record is damaged");
	}
	uid = who->user_id;
	snprintf(hash, sizeof(hash), "%s", db_col_text(st, 8) ? db_col_text(st, 8) : "");
	failed = db_col_int(st, 9);
	locked_until = db_col_int(st, 10);
	mfa = db_col_int(st, 6) != 0;
	if (!db_col_is_null(st, 11))
		snprintf(secret, sizeof(secret), "%s", db_col_text(st, 11));
	last_step = db_col_int(st, 12);
	if (locked_until > now) {
		db_done(st);
		ys_fail(e, "account_locked", "account locked after repeated failed logins; "
		    "try again in %lld seconds", (long long)(locked_until - now));
		e->retry_after = locked_until - now;
		return -1;
	}
	vr = password_verify(hash, password);
	if (vr != 0) {
		db_done(st);
		ys_fail(e, "invalid_credentials", "wrong user name or password");
		record_failure(db, c, uid, failed, e);
		return -1;
	}
	if (check_user_active(st, 0, e) < 0) {
		db_done(st);
		return -1;
	}
	db_done(st);
	if (mfa) {
		uint8_t key[64];
		size_t keylen;

		if (otp == NULL || *otp == '\0')
			return ys_fail(e, "mfa_required", "this account needs a one-time code "
			    "from its authenticator (otp)");
		if (crypto_base32_decode(secret, key, sizeof(key), &keylen) < 0 ||
		    totp_verify(key, keylen, otp, (uint64_t)now, 1, last_step, &step) < 0) {
			explicit_bzero(key, sizeof(key));
			ys_fail(e, "invalid_otp", "wrong or reused one-time code");
			record_failure(db, c, uid, failed, e);
			return -1;
		}
		explicit_bzero(key, sizeof(key));
		db_run(db, "UPDATE users SET mfa_last_step = ? WHERE id = ?", "ll", step, uid);
	}
	explicit_bzero(secret, sizeof(secret));
	if (db_run(db, "UPDATE users SET failed_logins = 0, locked_until = 0, last_login_at = ?"
	    " WHERE id = ?", "ll", now, uid) != 1 || open_session(db, c, who, source, out) < 0)
		return ys_fail(e, "internal", "cannot open a session");
	return 0;
}

int
auth_logout(struct db *db, const struct principal *p)
{
	if (p->session_id == 0)
		return 0;
	return db_run(db, "UPDATE sessions SET revoked = 1 WHERE id = ?", "l", p->session_id) < 0
	    ? -1 : 0;
}

int
auth_end_sessions(struct db *db, int64_t user_id, int64_t keep)
{
	return db_run(db, "UPDATE sessions SET revoked = 1 WHERE user_id = ? AND id != ?", "ll",
	    user_id, keep) < 0 ? -1 : 0;
}

int
auth_end_tenant_sessions(struct db *db, int64_t tenant_id)
{
	return db_run(db, "UPDATE sessions SET revoked = 1 WHERE user_id IN "
	    "(SELECT id FROM users WHERE tenant_id = ?)", "l", tenant_id) < 0 ? -1 : 0;
}

int
auth_change_password(struct db *db, const struct conf *c, const struct principal *p,
    const char *old_pw, const char *new_pw, struct ys_err *e)
{
	char *cur = NULL, hash[PASSWORD_HASH_MAX];
	struct db_stmt *st;
	int vr;

	st = db_q(db, "SELECT password_hash FROM users WHERE id = ?", "l", p->user_id);
	if (st == NULL || db_step(st) != DB_ROW) {
		db_done(st);
		return ys_fail(e, "internal", "cannot read the user");
	}
	cur = strdup(db_col_text(st, 0) ? db_col_text(st, 0) : "");
	db_done(st);
	vr = cur ? password_verify(cur, old_pw) : -1;
	free(cur);
	if (vr != 0)
		return ys_fail(e, "invalid_credentials", "the current password is wrong");
	if (strcmp(old_pw, new_pw) == 0)
		return ys_fail(e, "password_policy", "the new password must differ from the old one");
	if (auth_hash_password(c, new_pw, p->username, hash, sizeof(hash), e) < 0)
		return -1;
	if (db_run(db, "UPDATE users SET password_hash = ?, must_change_password = 0 WHERE id = ?",
	    "sl", hash, p->user_id) != 1 || auth_end_sessions(db, p->user_id, p->session_id) < 0)
		return ys_fail(e, "internal", "cannot store the password");
	return 0;
}

int
auth_mfa_setup(struct db *db, const struct conf *c, const struct principal *p, json_t **out,
    struct ys_err *e)
{
	uint8_t raw[TOTP_SECRET_LEN];
	char b32[64], uri[512];

	if (db_int(db, 0, "SELECT mfa_enabled FROM users WHERE id = ?", "l", p->user_id))
		return ys_fail(e, "conflict", "MFA is already enabled for this account");
	if (crypto_random(raw, sizeof(raw)) < 0 ||
	    crypto_base32_encode(raw, sizeof(raw), b32, sizeof(b32)) == 0 ||
	    totp_uri(c->mfa_issuer, p->username, b32, uri, sizeof(uri)) < 0)
		return ys_fail(e, "internal", "cannot create an MFA secret");
	explicit_bzero(raw, sizeof(raw));
	if (db_run(db, "UPDATE users SET mfa_pending_secret = ? WHERE id = ?", "sl", b32,
	    p->user_id) != 1)
		return ys_fail(e, "internal", "cannot store the MFA secret");
	*out = json_pack("{s:s, s:s, s:i, s:i, s:s}", "secret", b32, "otpauth_uri", uri,
	    "digits", TOTP_DIGITS, "period", TOTP_STEP, "algorithm", "SHA1");
	explicit_bzero(b32, sizeof(b32));
	return 0;
}

static int
check_code(const char *secret, const char *code, int64_t last_step, int64_t *step,
    struct ys_err *e)
{
	uint8_t key[64];
	size_t keylen;
	int rc;

	if (secret == NULL || crypto_base32_decode(secret, key, sizeof(key), &keylen) < 0)
		return ys_fail(e, "conflict", "no MFA secret set up; call mfa setup first");
	rc = totp_verify(key, keylen, code, (uint64_t)time(NULL), 1, last_step, step);
	explicit_bzero(key, sizeof(key));
	if (rc < 0)
		return ys_fail(e, "invalid_otp", "wrong or reused one-time code");
	return 0;
}

int
auth_mfa_enable(struct db *db, const struct principal *p, const char *code, struct ys_err *e)
{
	struct db_stmt *st;
	char secret[64] = "";
	int64_t step;
	bool has;

	st = db_q(db, "SELECT mfa_pending_secret, mfa_enabled FROM users WHERE id = ?", "l",
	    p->user_id);
	if (st == NULL || db_step(st) != DB_ROW) {
		db_done(st);
		return ys_fail(e, "internal", "cannot read the user");
	}
	has = !db_col_is_null(st, 0);
	if (has)
		snprintf(secret, sizeof(secret), "%s", db_col_text(st, 0));
	if (db_col_int(st, 1)) {
		db_done(st);
		return ys_fail(e, "conflict", "MFA is already enabled for this account");
	}
	db_done(st);
	if (check_code(has ? secret : NULL, code, -1, &step, e) < 0)
		return -1;
	if (db_run(db, "UPDATE users SET mfa_secret = mfa_pending_secret, mfa_pending_secret = NULL,"
	    " mfa_enabled = 1, mfa_last_step = ? WHERE id = ?", "ll", step, p->user_id) != 1)
		return ys_fail(e, "internal", "cannot enable MFA");
	explicit_bzero(secret, sizeof(secret));
	return 0;
}

int
auth_mfa_disable(struct db *db, const struct principal *p, const char *code, struct ys_err *e)
{
	struct db_stmt *st;
	char secret[64] = "";
	int64_t step, last;
	bool has;

	if (p->role == ROLE_ADMIN)
		return ys_fail(e, "forbidden", "provider administrators must keep MFA enabled");
	st = db_q(db, "SELECT mfa_secret, mfa_last_step, mfa_enabled FROM users WHERE id = ?", "l",
	    p->user_id);
	if (st == NULL || db_step(st) != DB_ROW) {
		db_done(st);
		return ys_fail(e, "internal", "cannot read the user");
	}
	has = !db_col_is_null(st, 0) && db_col_int(st, 2);
	if (has)
		snprintf(secret, sizeof(secret), "%s", db_col_text(st, 0));
	last = db_col_int(st, 1);
	db_done(st);
	if (!has)
		return ys_fail(e, "conflict", "MFA is not enabled for this account");
	if (check_code(secret, code, last, &step, e) < 0)
		return -1;
	explicit_bzero(secret, sizeof(secret));
	if (db_run(db, "UPDATE users SET mfa_secret = NULL, mfa_enabled = 0, mfa_last_step = -1"
	    " WHERE id = ?", "l", p->user_id) != 1)
		return ys_fail(e, "internal", "cannot disable MFA");
	return 0;
}

int
auth_apikey_create(struct db *db, const struct principal *p, const char *name,
    long long expires_days, json_t **out, struct ys_err *e)
{
	char token[80], prefix[16];
	unsigned char hash[32];
	int64_t now = time(NULL), id;
	json_t *row;

	if (make_token(AUTH_APIKEY_PREFIX, token, sizeof(token), hash) < 0)
		return ys_fail(e, "internal", "cannot make a key");
	snprintf(prefix, sizeof(prefix), "%.12s", token);
	if (db_run(db, "INSERT INTO api_keys (user_id, tenant_id, name, prefix, key_hash, "
	    "created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)", "lLssblL", p->user_id,
	    p->tenant_id, name, prefix, hash, (size_t)32, now,
	    expires_days > 0 ? now + (int64_t)expires_days * 86400 : (int64_t)0) != 1)
		return ys_fail(e, "internal", "cannot store the key");
	id = db_last_id(db);
	row = store_get(db, scope_all(), STORE_API_KEYS, id);
	if (row == NULL)
		return ys_fail(e, "internal", "cannot read the key back");
	json_object_set_new(row, "key", json_string(token));
	explicit_bzero(token, sizeof(token));
	*out = row;
	return 0;
}

json_t *
auth_apikey_list(struct db *db, const struct principal *p)
{
	struct store_filter f = { "user_id", "=", NULL, p->user_id };

	if (p->role == ROLE_ADMIN)
		return store_list(db, scope_all(), STORE_API_KEYS, NULL, 0, 1000);
	return store_list(db, principal_scope(p), STORE_API_KEYS, &f, 1, 1000);
}

int
auth_apikey_revoke(struct db *db, const struct principal *p, int64_t id, json_t **out,
    struct ys_err *e)
{
	json_t *row = store_get(db, principal_scope(p), STORE_API_KEYS, id);

	if (row == NULL || (p->role != ROLE_ADMIN &&
	    json_integer_value(json_object_get(row, "user_id")) != p->user_id)) {
		json_decref(row);
		return ys_fail(e, "not_found", "no API key %lld", (long long)id);
	}
	json_decref(row);
	if (db_run(db, "UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
	    "ll", (int64_t)time(NULL), id) < 0)
		return ys_fail(e, "internal", "cannot revoke the key");
	*out = store_get(db, scope_all(), STORE_API_KEYS, id);
	return 0;
}
