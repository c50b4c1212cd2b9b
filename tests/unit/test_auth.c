/*
 * test_auth: logging in and staying logged in, as a user and an attacker
 * see it. Session tokens work until logout, expiry, idle timeout, a
 * disabled account or a suspended tenant, and the store never holds them in
 * the clear; API keys stop at revocation and expiry; repeated wrong
 * passwords lock an account for a while; an unknown user looks like a wrong
 * password; MFA codes are required, checked and never accepted twice;
 * restricted sessions say why; changing a password ends the other sessions.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "crypto.h"
#include "fixture.h"
#include "totp.h"

#define NEW_PASSWORD "Velvet-Compass-2048"

struct ctx {
	struct fx *fx;
	struct db *db;
	struct conf *conf;
	int64_t tenant, alice, bob, root;
};

static int
setup(void **state)
{
	struct ctx *c = calloc(1, sizeof(*c));

	if (c == NULL || (c->fx = fx_new(1)) == NULL)
		return -1;
	c->db = c->fx->db;
	c->conf = &c->fx->conf;
	c->conf->lockout_threshold = 3;
	c->conf->lockout_base_seconds = 60;
	c->tenant = fx_tenant(c->fx, "acme", "active");
	c->alice = fx_user(c->fx, "alice", ROLE_TENANT_ADMIN, c->tenant, false);
	c->bob = fx_user(c->fx, "bob", ROLE_TENANT_USER, c->tenant, true);
	c->root = fx_user(c->fx, "root", ROLE_ADMIN, 0, false);
	if (c->tenant < 0 || c->alice < 0 || c->bob < 0 || c->root < 0)
		return -1;
	*state = c;
	return 0;
}

static int
teardown(void **state)
{
	struct ctx *c = *state;

	fx_free(c->fx);
	free(c);
	return 0;
}

/* Log in; returns the token (malloc'd) or NULL with e filled. */
static char *
login(struct ctx *c, const char *user, const char *pw, const char *otp, struct ys_err *e)
{
	struct principal who;
	json_t *out = NULL;
	char *token = NULL;

	memset(e, 0, sizeof(*e));
	if (auth_login(c->db, c->conf, user, pw, otp, "192.0.2.7", &who, &out, e) == 0) {
		token = strdup(json_string_value(json_object_get(out, "token")));
		json_decref(out);
	}
	return token;
}

static char *
login_ok(struct ctx *c, const char *user, const char *pw)
{
	struct ys_err e;
	char *t = login(c, user, pw, NULL, &e);

	if (t == NULL)
		fprintf(stderr, "login %s: %s: %s\n", user, e.code, e.msg);
	assert_non_null(t);
	return t;
}

static int
resolve(struct ctx *c, const char *token, struct principal *p, const char **code)
{
	struct ys_err e = { 0 };
	int rc = auth_resolve(c->db, c->conf, token, p, &e);

	if (code)
		*code = e.code;
	return rc;
}

static void
assert_refused(struct ctx *c, const char *token)
{
	struct principal p;
	const char *code;

	assert_int_equal(resolve(c, token, &p, &code), -1);
	assert_string_equal(code, "unauthorized");
}

static void
test_login_token_resolves(void **state)
{
	struct ctx *c = *state;
	struct principal who, p;
	struct ys_err e = { 0 };
	json_t *out = NULL;
	const char *token;

	assert_int_equal(auth_login(c->db, c->conf, "alice", FX_PASSWORD, NULL, "192.0.2.7", &who,
	    &out, &e), 0);
	token = json_string_value(json_object_get(out, "token"));
	assert_non_null(token);
	assert_memory_equal(token, AUTH_SESSION_PREFIX, 4);
	assert_true(strlen(token) >= 40);
	assert_non_null(json_string_value(json_object_get(out, "expires_at")));
	assert_string_equal(json_string_value(json_object_get(json_object_get(out, "user"),
	    "role")), "tenant_admin");
	assert_int_equal(resolve(c, token, &p, NULL), 0);
	assert_string_equal(p.username, "alice");
	assert_int_equal(p.user_id, c->alice);
	assert_int_equal(p.tenant_id, c->tenant);
	assert_int_equal(p.role, ROLE_TENANT_ADMIN);
	assert_true(p.session_id > 0);
	assert_false(p.must_change_password);
	/* Two logins, two different tokens. */
	{
		char *t2 = login_ok(c, "alice", FX_PASSWORD);

		assert_string_not_equal(t2, token);
		free(t2);
	}
	json_decref(out);
	/* Malformed or unknown tokens. */
	assert_refused(c, NULL);
	assert_refused(c, "");
	assert_refused(c, "yss_");
	assert_refused(c, "yss_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
	assert_refused(c, "Bearer yss_x");
}

static void
test_logout_ends_session(void **state)
{
	struct ctx *c = *state;
	char *t = login_ok(c, "alice", FX_PASSWORD);
	struct principal p;

	assert_int_equal(resolve(c, t, &p, NULL), 0);
	assert_int_equal(auth_logout(c->db, &p), 0);
	assert_refused(c, t);
	free(t);
}

static void
test_session_expiry(void **state)
{
	struct ctx *c = *state;
	char *abs = login_ok(c, "alice", FX_PASSWORD), *idle = login_ok(c, "alice", FX_PASSWORD);
	struct principal pa, pi;
	int64_t now = time(NULL);

	assert_int_equal(resolve(c, abs, &pa, NULL), 0);
	assert_int_equal(resolve(c, idle, &pi, NULL), 0);
	/* Absolute expiry, even for a session in constant use. */
	assert_int_equal(db_run(c->db, "UPDATE sessions SET expires_at = ? WHERE id = ?", "ll",
	    now - 1, pa.session_id), 1);
	assert_refused(c, abs);
	/* Idle timeout: unused for longer than session_idle_minutes. */
	assert_int_equal(db_run(c->db, "UPDATE sessions SET last_seen_at = ? WHERE id = ?", "ll",
	    now - c->conf->session_idle_minutes * 60 + 120, pi.session_id), 1);
	assert_int_equal(resolve(c, idle, &pi, NULL), 0);
	/* ...and use refreshes it. */
	assert_true(db_int(c->db, 0, "SELECT last_seen_at FROM sessions WHERE id = ?", "l",
	    pi.session_id) >= now);
	assert_int_equal(db_run(c->db, "UPDATE sessions SET last_seen_at = ? WHERE id = ?", "ll",
	    now - c->conf->session_idle_minutes * 60 - 1, pi.session_id), 1);
	assert_refused(c, idle);
	free(abs);
	free(idle);
}

static void
test_disabled_user_and_suspended_tenant(void **state)
{
	struct ctx *c = *state;
	char *t = login_ok(c, "alice", FX_PASSWORD), *u;
	struct principal p;
	struct ys_err e;

	assert_int_equal(db_run(c->db, "UPDATE users SET status = 'disabled' WHERE id = ?", "l",
	    c->alice), 1);
	assert_refused(c, t);
	assert_null(login(c, "alice", FX_PASSWORD, NULL, &e));
	assert_string_equal(e.code, "user_disabled");
	assert_int_equal(db_run(c->db, "UPDATE users SET status = 'active' WHERE id = ?", "l",
	    c->alice), 1);
	assert_int_equal(resolve(c, t, &p, NULL), 0);

	assert_int_equal(db_run(c->db, "UPDATE tenants SET status = 'suspended' WHERE id = ?", "l",
	    c->tenant), 1);
	assert_refused(c, t);
	assert_null(login(c, "alice", FX_PASSWORD, NULL, &e));
	assert_string_equal(e.code, "tenant_not_active");
	/* Operators belong to no tenant and are unaffected. */
	u = login_ok(c, "root", FX_PASSWORD);
	assert_int_equal(resolve(c, u, &p, NULL), 0);
	free(u);
	free(t);
}

static bool
blob_contains(const void *hay, size_t n, const char *needle)
{
	return n >= strlen(needle) && memmem(hay, n, needle, strlen(needle)) != NULL;
}

static void
test_tokens_stored_hashed(void **state)
{
	struct ctx *c = *state;
	char *t = login_ok(c, "alice", FX_PASSWORD);
	const char *secret = t + 4;	/* the random part */
	unsigned char want[32];
	struct db_stmt *st;
	int rows = 0;

	st = db_q(c->db, "SELECT * FROM sessions", "");
	while (db_step(st) == DB_ROW) {
		rows++;
		for (int i = 0; i < db_col_count(st); i++) {
			size_t n;
			const void *b = db_col_blob(st, i, &n);

			assert_false(b && blob_contains(b, n, secret));
		}
	}
	db_done(st);
	assert_int_equal(rows, 1);
	crypto_sha256(t, strlen(t), want);
	assert_int_equal(db_int(c->db, 0, "SELECT count(*) FROM sessions WHERE token_hash = ?", "b",
	    want, sizeof(want)), 1);
	free(t);
}

static json_t *
make_key(struct ctx *c, const struct principal *p, long long days)
{
	struct ys_err e = { 0 };
	json_t *out = NULL;

	assert_int_equal(auth_apikey_create(c->db, p, "ci", days, &out, &e), 0);
	return out;
}

static void
test_api_keys(void **state)
{
	struct ctx *c = *state;
	struct principal alice = fx_principal(c->alice, "alice", ROLE_TENANT_ADMIN, c->tenant);
	struct principal bob = fx_principal(c->bob, "bob", ROLE_TENANT_USER, c->tenant);
	json_t *k = make_key(c, &alice, 0), *k2 = make_key(c, &alice, 30), *out = NULL, *list;
	const char *key = json_string_value(json_object_get(k, "key"));
	const char *key2 = json_string_value(json_object_get(k2, "key"));
	int64_t id = json_integer_value(json_object_get(k, "id"));
	struct ys_err e = { 0 };
	struct principal p;
	struct db_stmt *st;

	assert_memory_equal(key, AUTH_APIKEY_PREFIX, 4);
	assert_null(json_object_get(k, "key_hash"));
	assert_true(json_is_null(json_object_get(k, "expires_at")));
	assert_true(json_is_string(json_object_get(k2, "expires_at")));
	assert_int_equal(resolve(c, key, &p, NULL), 0);
	assert_int_equal(p.user_id, c->alice);
	assert_int_equal(p.apikey_id, id);
	assert_int_equal(p.session_id, 0);
	assert_int_equal(resolve(c, key2, &p, NULL), 0);
	/* The key is shown once: the store keeps only its hash. */
	st = db_q(c->db, "SELECT * FROM api_keys", "");
	while (db_step(st) == DB_ROW)
		for (int i = 0; i < db_col_count(st); i++) {
			size_t n;
			const void *b = db_col_blob(st, i, &n);

			assert_false(b && blob_contains(b, n, key + 4));
		}
	db_done(st);
	list = auth_apikey_list(c->db, &alice);
	assert_int_equal(json_array_size(list), 2);
	json_decref(list);
	/* Someone else's key is not theirs to revoke. */
	assert_int_equal(auth_apikey_revoke(c->db, &bob, id, &out, &e), -1);
	assert_string_equal(e.code, "not_found");
	assert_int_equal(resolve(c, key, &p, NULL), 0);
	assert_int_equal(auth_apikey_revoke(c->db, &alice, id, &out, &e), 0);
	assert_true(json_is_string(json_object_get(out, "revoked_at")));
	json_decref(out);
	assert_refused(c, key);
	/* Expiry. */
	assert_int_equal(db_run(c->db, "UPDATE api_keys SET expires_at = ? WHERE id = ?", "ll",
	    (int64_t)time(NULL) - 1, json_integer_value(json_object_get(k2, "id"))), 1);
	assert_refused(c, key2);
	json_decref(k);
	json_decref(k2);
}

static void
test_lockout(void **state)
{
	struct ctx *c = *state;
	struct ys_err e;
	char *t;

	assert_null(login(c, "alice", "Wrong-Password-111", NULL, &e));
	assert_string_equal(e.code, "invalid_credentials");
	assert_null(login(c, "alice", "Wrong-Password-222", NULL, &e));
	assert_string_equal(e.code, "invalid_credentials");
	/* The threshold-th failure locks. */
	assert_null(login(c, "alice", "Wrong-Password-333", NULL, &e));
	assert_string_equal(e.code, "account_locked");
	assert_int_equal(e.retry_after, c->conf->lockout_base_seconds);
	/* Locked: even the right password is refused, with the time left. */
	assert_null(login(c, "alice", FX_PASSWORD, NULL, &e));
	assert_string_equal(e.code, "account_locked");
	assert_true(e.retry_after > 0 && e.retry_after <= c->conf->lockout_base_seconds);
	/* Other accounts are not affected. */
	t = login_ok(c, "root", FX_PASSWORD);
	free(t);
	/* The lock passes. */
	assert_int_equal(db_run(c->db, "UPDATE users SET locked_until = ? WHERE id = ?", "ll",
	    (int64_t)time(NULL) - 1, c->alice), 1);
	t = login_ok(c, "alice", FX_PASSWORD);
	free(t);
	assert_int_equal(db_int(c->db, -1, "SELECT failed_logins FROM users WHERE id = ?", "l",
	    c->alice), 0);
	/* A success resets the count: two more failures do not lock. */
	assert_null(login(c, "alice", "Wrong-Password-444", NULL, &e));
	assert_null(login(c, "alice", "Wrong-Password-555", NULL, &e));
	assert_string_equal(e.code, "invalid_credentials");
}

static void
test_lockout_backs_off(void **state)
{
	struct ctx *c = *state;
	struct ys_err e;

	for (int i = 0; i < 3; i++)
		assert_null(login(c, "alice", "Wrong-Password-111", NULL, &e));
	assert_int_equal(e.retry_after, 60);
	/* Each further failure after the lock passes doubles it, up to the cap. */
	for (int i = 0; i < 10; i++) {
		assert_int_equal(db_run(c->db, "UPDATE users SET locked_until = 0 WHERE id = ?", "l",
		    c->alice), 1);
		assert_null(login(c, "alice", "Wrong-Password-111", NULL, &e));
		assert_string_equal(e.code, "account_locked");
		assert_int_equal(e.retry_after, 60LL << (i + 1) > c->conf->lockout_max_seconds
		    ? c->conf->lockout_max_seconds : 60LL << (i + 1));
	}
}

static void
test_unknown_user_looks_like_wrong_password(void **state)
{
	struct ctx *c = *state;
	struct ys_err unknown, wrong;

	assert_null(login(c, "nosuchuser", FX_PASSWORD, NULL, &unknown));
	assert_null(login(c, "alice", "Wrong-Password-111", NULL, &wrong));
	assert_string_equal(unknown.code, "invalid_credentials");
	assert_string_equal(unknown.code, wrong.code);
	assert_string_equal(unknown.msg, wrong.msg);
	assert_int_equal(unknown.retry_after, 0);
	/* Repeating it never reveals a lock for a name that does not exist. */
	for (int i = 0; i < 5; i++)
		assert_null(login(c, "nosuchuser", FX_PASSWORD, NULL, &unknown));
	assert_string_equal(unknown.code, "invalid_credentials");
}

static void
code_at(const char *secret, int64_t t, char out[8])
{
	uint8_t key[64];
	size_t keylen;

	assert_int_equal(crypto_base32_decode(secret, key, sizeof(key), &keylen), 0);
	assert_int_equal(totp_code(key, keylen, (uint64_t)t, TOTP_STEP, TOTP_DIGITS, "SHA1", out), 0);
}

static void
test_mfa(void **state)
{
	struct ctx *c = *state;
	struct principal alice = fx_principal(c->alice, "alice", ROLE_TENANT_ADMIN, c->tenant);
	struct ys_err e = { 0 };
	json_t *setup = NULL, *row;
	char secret[64], now_code[8], next_code[8], wrong[8];
	int64_t now = time(NULL);
	char *t;

	assert_int_equal(auth_mfa_setup(c->db, c->conf, &alice, &setup, &e), 0);
	snprintf(secret, sizeof(secret), "%s", json_string_value(json_object_get(setup, "secret")));
	assert_non_null(strstr(json_string_value(json_object_get(setup, "otpauth_uri")), secret));
	json_decref(setup);
	/* Pending until enabled: login needs no code yet. */
	t = login_ok(c, "alice", FX_PASSWORD);
	free(t);
	code_at(secret, now, now_code);
	snprintf(wrong, sizeof(wrong), "%06d", (atoi(now_code) + 1) % 1000000);
	assert_int_equal(auth_mfa_enable(c->db, &alice, wrong, &e), -1);
	assert_string_equal(e.code, "invalid_otp");
	assert_int_equal(auth_mfa_enable(c->db, &alice, now_code, &e), 0);
	assert_int_equal(auth_mfa_enable(c->db, &alice, now_code, &e), -1);
	assert_string_equal(e.code, "conflict");
	row = store_get(c->db, scope_all(), STORE_USERS, c->alice);
	assert_true(json_is_true(json_object_get(row, "mfa_enabled")));
	json_decref(row);

	assert_null(login(c, "alice", FX_PASSWORD, NULL, &e));
	assert_string_equal(e.code, "mfa_required");
	assert_null(login(c, "alice", FX_PASSWORD, "", &e));
	assert_string_equal(e.code, "mfa_required");
	assert_null(login(c, "alice", FX_PASSWORD, wrong, &e));
	assert_string_equal(e.code, "invalid_otp");
	/* The code that enabled MFA was used already. */
	assert_null(login(c, "alice", FX_PASSWORD, now_code, &e));
	assert_string_equal(e.code, "invalid_otp");
	/* The next step's code is inside the window. */
	code_at(secret, now + TOTP_STEP, next_code);
	t = login(c, "alice", FX_PASSWORD, next_code, &e);
	assert_non_null(t);
	free(t);
	/* Replay of an accepted code. */
	assert_null(login(c, "alice", FX_PASSWORD, next_code, &e));
	assert_string_equal(e.code, "invalid_otp");
	/* A wrong password with a good code is still a wrong password. */
	code_at(secret, now + 2 * TOTP_STEP, next_code);
	assert_null(login(c, "alice", "Wrong-Password-111", next_code, &e));
	assert_string_equal(e.code, "invalid_credentials");
}

static void
test_restricted_session_flags(void **state)
{
	struct ctx *c = *state;
	struct principal who, p;
	struct ys_err e = { 0 };
	json_t *out = NULL, *setup = NULL;
	char secret[64], code[8];
	const char *tok;

	/* An admin without MFA must enrol. */
	assert_int_equal(auth_login(c->db, c->conf, "root", FX_PASSWORD, NULL, "-", &who, &out, &e), 0);
	assert_true(json_is_true(json_object_get(out, "mfa_enrollment_required")));
	assert_true(json_is_false(json_object_get(out, "must_change_password")));
	tok = json_string_value(json_object_get(out, "token"));
	assert_int_equal(resolve(c, tok, &p, NULL), 0);
	assert_true(p.needs_mfa_enrollment);
	assert_int_equal(auth_mfa_setup(c->db, c->conf, &p, &setup, &e), 0);
	snprintf(secret, sizeof(secret), "%s", json_string_value(json_object_get(setup, "secret")));
	json_decref(setup);
	code_at(secret, time(NULL), code);
	assert_int_equal(auth_mfa_enable(c->db, &p, code, &e), 0);
	assert_int_equal(resolve(c, tok, &p, NULL), 0);
	assert_false(p.needs_mfa_enrollment);
	/* Admins may not switch MFA off again. */
	assert_int_equal(auth_mfa_disable(c->db, &p, code, &e), -1);
	assert_string_equal(e.code, "forbidden");
	json_decref(out);

	/* An account created for someone must change its password. */
	out = NULL;
	assert_int_equal(auth_login(c->db, c->conf, "bob", FX_PASSWORD, NULL, "-", &who, &out, &e), 0);
	assert_true(json_is_true(json_object_get(out, "must_change_password")));
	assert_true(json_is_false(json_object_get(out, "mfa_enrollment_required")));
	tok = json_string_value(json_object_get(out, "token"));
	assert_int_equal(resolve(c, tok, &p, NULL), 0);
	assert_true(p.must_change_password);
	assert_false(p.needs_mfa_enrollment);
	assert_int_equal(auth_change_password(c->db, c->conf, &p, FX_PASSWORD, NEW_PASSWORD, &e), 0);
	assert_int_equal(resolve(c, tok, &p, NULL), 0);
	assert_false(p.must_change_password);
	json_decref(out);
}

static void
test_password_change_ends_other_sessions(void **state)
{
	struct ctx *c = *state;
	char *mine = login_ok(c, "alice", FX_PASSWORD), *other = login_ok(c, "alice", FX_PASSWORD);
	struct principal p;
	struct ys_err e = { 0 };
	char *t;

	assert_int_equal(resolve(c, mine, &p, NULL), 0);
	/* Wrong current password, policy violations, same password: refused. */
	assert_int_equal(auth_change_password(c->db, c->conf, &p, "Wrong-Password-1", NEW_PASSWORD,
	    &e), -1);
	assert_string_equal(e.code, "invalid_credentials");
	assert_int_equal(auth_change_password(c->db, c->conf, &p, FX_PASSWORD, "short", &e), -1);
	assert_string_equal(e.code, "password_policy");
	assert_int_equal(auth_change_password(c->db, c->conf, &p, FX_PASSWORD, FX_PASSWORD, &e), -1);
	assert_string_equal(e.code, "password_policy");
	assert_int_equal(resolve(c, other, &p, NULL), 0);

	assert_int_equal(resolve(c, mine, &p, NULL), 0);
	assert_int_equal(auth_change_password(c->db, c->conf, &p, FX_PASSWORD, NEW_PASSWORD, &e), 0);
	assert_int_equal(resolve(c, mine, &p, NULL), 0);
	assert_refused(c, other);
	assert_null(login(c, "alice", FX_PASSWORD, NULL, &e));
	assert_string_equal(e.code, "invalid_credentials");
	t = login_ok(c, "alice", NEW_PASSWORD);
	free(t);
	free(mine);
	free(other);
}

static void
test_roles(void **state)
{
	static const enum role all[] = { ROLE_ADMIN, ROLE_ANALYST, ROLE_AUDITOR,
		ROLE_TENANT_ADMIN, ROLE_TENANT_USER };
	struct principal p;
	enum role r;

	(void)state;
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		assert_int_equal(role_parse(role_name(all[i]), &r), 0);
		assert_int_equal(r, all[i]);
		assert_int_equal(role_is_operator(all[i]), (all[i] & ROLES_OPERATORS) != 0);
	}
	assert_string_equal(role_name(ROLE_TENANT_ADMIN), "tenant_admin");
	assert_int_equal(role_parse("root", &r), -1);
	assert_int_equal(role_parse("Admin", &r), -1);
	assert_int_equal(role_parse("", &r), -1);
	assert_int_equal(role_parse(NULL, &r), -1);
	assert_string_equal(role_name(0), "?");
	p = fx_principal(1, "x", ROLE_AUDITOR, 0);
	assert_int_equal(principal_scope(&p).tenant_id, 0);
	p = fx_principal(1, "x", ROLE_TENANT_USER, 9);
	assert_int_equal(principal_scope(&p).tenant_id, 9);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_login_token_resolves, setup, teardown),
		cmocka_unit_test_setup_teardown(test_logout_ends_session, setup, teardown),
		cmocka_unit_test_setup_teardown(test_session_expiry, setup, teardown),
		cmocka_unit_test_setup_teardown(test_disabled_user_and_suspended_tenant, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_tokens_stored_hashed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_api_keys, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lockout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lockout_backs_off, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown_user_looks_like_wrong_password, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_mfa, setup, teardown),
		cmocka_unit_test_setup_teardown(test_restricted_session_flags, setup, teardown),
		cmocka_unit_test_setup_teardown(test_password_change_ends_other_sessions, setup,
		    teardown),
		cmocka_unit_test(test_roles),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
