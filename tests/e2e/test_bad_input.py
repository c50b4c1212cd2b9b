"""Bad input is refused with the documented status and error object
{"error": {"code", "message"}}, and changes nothing: every non-audit table
is read with sqlite3 before and after each case (the audit trail is left out
on purpose: refused writes are recorded there)."""
import contextlib
import hashlib
import time

import pytest

from conftest import (PASSWORD, PASSWORD2, assert_error, credit_code, new_user,
                      register_and_approve_tenant, register_tenant, registration_fields)


@pytest.fixture(scope="module")
def env(daemon, admin):
    d = daemon
    t = register_and_approve_tenant(d, admin.token, 501)
    plan = d.api("POST", "/v1/plans", admin.token, {"service": "waf", "name": "WAF bad",
                                                    "price_fen": 100}).json
    o = d.api("POST", "/v1/orders", t.token, {"plan_id": plan["id"], "quantity": 1,
                                              "months": 1}).json
    return {"d": d, "admin": admin.token, "tenant": t.token, "t": t, "plan": plan["id"],
            "order": o["id"], "tid": t.id}


@contextlib.contextmanager
def unchanged(d):
    before = d.snapshot()
    yield
    after = d.snapshot()
    for table in before:
        assert after[table] == before[table], f"table {table} changed"


def _big(n):
    """A plan body of exactly n bytes (the description fills it)."""
    head = '{"service":"waf","name":"big","price_fen":1,"description":"'
    return head + "a" * (n - len(head) - 2) + '"}'


PLAN = {"service": "waf", "name": "ok name", "price_fen": 1}
ORDER = {"plan_id": 1, "quantity": 1, "months": 1}

# id: (method, path, caller, body, extra headers, status, code)
CASES = {
    # malformed bodies
    "truncated json": ("POST", "/v1/plans", "admin", '{"service": "waf",', None, 400,
                       "invalid_json"),
    "trailing garbage": ("POST", "/v1/plans", "admin", '{"service": "waf"} x', None, 400,
                         "invalid_json"),
    "json array": ("POST", "/v1/plans", "admin", '[{"service": "waf"}]', None, 400,
                   "invalid_json"),
    "json string": ("POST", "/v1/auth/login", None, '"admin"', None, 400, "invalid_json"),
    "json null": ("POST", "/v1/registrations", None, "null", None, 400, "invalid_json"),
    "duplicate key": ("POST", "/v1/plans", "admin",
                      '{"service":"waf","name":"a","name":"b","price_fen":1}', None, 400,
                      "invalid_json"),
    "invalid utf-8": ("POST", "/v1/plans", "admin",
                      b'{"service":"waf","name":"\xff\xfe","price_fen":1}', None, 400,
                      "invalid_json"),
    "nul in string": ("POST", "/v1/plans", "admin",
                      '{"service":"waf","name":"a\\u0000b","price_fen":1}', None, 400,
                      "invalid_json"),
    "body on bodiless GET": ("GET", "/v1/orders", "tenant", "garbage", None, 400,
                             "invalid_json"),
    # size
    "body over max_body_bytes": ("POST", "/v1/plans", "admin", _big(65537), None, 413,
                                 "body_too_large"),
    "body far over max_body_bytes": ("POST", "/v1/plans", "admin", _big(1 << 20), None, 413,
                                     "body_too_large"),
    "body of exactly max_body_bytes is read": ("POST", "/v1/plans", "admin", _big(65536),
                                               None, 400, "invalid_field"),
    # schema
    "unknown field": ("POST", "/v1/plans", "admin", dict(PLAN, colour="red"), None, 400,
                      "unknown_field"),
    "unknown field on bodiless route": ("POST", "/v1/tenants/{tid}/resume", "admin",
                                        {"force": True}, None, 400, "unknown_field"),
    "unknown field in login": ("POST", "/v1/auth/login", None,
                               {"username": "admin", "password": "x", "role": "admin"}, None,
                               400, "unknown_field"),
    "price as string": ("POST", "/v1/plans", "admin", dict(PLAN, price_fen="100"), None, 400,
                        "invalid_field"),
    "price as float": ("POST", "/v1/plans", "admin", dict(PLAN, price_fen=1.5), None, 400,
                       "invalid_field"),
    "price negative": ("POST", "/v1/plans", "admin", dict(PLAN, price_fen=-1), None, 400,
                       "invalid_field"),
    "name as number": ("POST", "/v1/plans", "admin", dict(PLAN, name=123), None, 400,
                       "invalid_field"),
    "name null": ("POST", "/v1/plans", "admin", dict(PLAN, name=None), None, 400,
                  "invalid_field"),
    "name empty": ("POST", "/v1/plans", "admin", dict(PLAN, name=""), None, 400,
                   "invalid_field"),
    "name too long": ("POST", "/v1/plans", "admin", dict(PLAN, name="n" * 65), None, 400,
                      "invalid_field"),
    "unknown service": ("POST", "/v1/plans", "admin", dict(PLAN, service="mining"), None,
                        400, "invalid_field"),
    "quantity as bool": ("POST", "/v1/orders", "tenant", dict(ORDER, quantity=True), None,
                         400, "invalid_field"),
    "months as string": ("POST", "/v1/orders", "tenant", dict(ORDER, months="12"), None,
                         400, "invalid_field"),
    "username as list": ("POST", "/v1/auth/login", None, {"username": [], "password": "x"},
                         None, 400, "invalid_field"),
    "body as nested object": ("POST", "/v1/plans", "admin", dict(PLAN, service={"a": 1}),
                              None, 400, "invalid_field"),
    "missing name": ("POST", "/v1/plans", "admin", {"service": "waf", "price_fen": 1}, None,
                     400, "missing_field"),
    "missing months": ("POST", "/v1/orders", "tenant", {"plan_id": 1, "quantity": 1}, None,
                       400, "missing_field"),
    "missing password": ("POST", "/v1/auth/login", None, {"username": "admin"}, None, 400,
                         "missing_field"),
    "empty registration": ("POST", "/v1/registrations", None, {}, None, 400,
                           "missing_field"),
    "empty body for reject": ("POST", "/v1/orders/{order}/reject", "admin", None, None, 400,
                              "missing_field"),
    "quantity negative": ("POST", "/v1/orders", "tenant", dict(ORDER, quantity=-1), None,
                          400, "invalid_field"),
    "quantity zero": ("POST", "/v1/orders", "tenant", dict(ORDER, quantity=0), None, 400,
                      "invalid_field"),
    "quantity 100001": ("POST", "/v1/orders", "tenant", dict(ORDER, quantity=100001), None,
                        400, "invalid_field"),
    "quantity 10^15": ("POST", "/v1/orders", "tenant", dict(ORDER, quantity=10 ** 15), None,
                       400, "invalid_field"),
    "quantity beyond int64": ("POST", "/v1/orders", "tenant", dict(ORDER, quantity=10 ** 20),
                              None, 400, "invalid_json"),
    "change to zero": ("POST", "/v1/subscriptions/1/change", "tenant", {"quantity": 0}, None,
                       400, "invalid_field"),
    "months zero": ("POST", "/v1/orders", "tenant", dict(ORDER, months=0), None, 400,
                    "invalid_field"),
    "months 61": ("POST", "/v1/orders", "tenant", dict(ORDER, months=61), None, 400,
                  "invalid_field"),
    "renew -1 months": ("POST", "/v1/subscriptions/1/renew", "tenant", {"months": -1}, None,
                        400, "invalid_field"),
    "plan id zero": ("POST", "/v1/orders", "tenant", dict(ORDER, plan_id=0), None, 400,
                     "invalid_field"),
    "plan id unknown": ("POST", "/v1/orders", "tenant", dict(ORDER, plan_id=424242), None,
                        400, "invalid_field"),
    "apikey expires 0 days": ("POST", "/v1/apikeys", "tenant", {"name": "k",
                                                                "expires_days": 0}, None,
                              400, "invalid_field"),
    # queries
    "query given twice": ("GET", "/v1/orders?status=pending&status=approved", "tenant", None,
                          None, 400, "invalid_field"),
    "unknown query": ("GET", "/v1/orders?sort=id", "tenant", None, None, 400,
                      "unknown_field"),
    "audit limit 0": ("GET", "/v1/audit?limit=0", "admin", None, None, 400, "invalid_field"),
    "audit limit 1001": ("GET", "/v1/audit?limit=1001", "admin", None, None, 400,
                         "invalid_field"),
    "audit after text": ("GET", "/v1/audit?after=abc", "admin", None, None, 400,
                         "invalid_field"),
    "audit since garbage": ("GET", "/v1/audit?since=yesterday", "admin", None, None, 400,
                            "invalid_field"),
    "audit export format": ("GET", "/v1/audit/export?format=xml", "admin", None, None, 400,
                            "invalid_field"),
    "quota tenant text": ("GET", "/v1/quotas?tenant_id=abc", "admin", None, None, 400,
                          "invalid_field"),
    "plans all not bool": ("GET", "/v1/plans?all=yes", "admin", None, None, 400,
                           "invalid_field"),
    # ids in paths
    "id non-numeric": ("GET", "/v1/orders/abc", "tenant", None, None, 404, "not_found"),
    "id zero": ("GET", "/v1/orders/0", "tenant", None, None, 404, "not_found"),
    "id negative": ("GET", "/v1/orders/-1", "tenant", None, None, 404, "not_found"),
    "id leading zero": ("GET", "/v1/orders/0{order}", "tenant", None, None, 404,
                        "not_found"),
    "id with plus": ("GET", "/v1/orders/+{order}", "tenant", None, None, 404, "not_found"),
    "id fraction": ("GET", "/v1/orders/1.0", "tenant", None, None, 404, "not_found"),
    "id hex": ("GET", "/v1/orders/0x1", "tenant", None, None, 404, "not_found"),
    "id above 2^53": ("GET", "/v1/orders/9007199254740993", "tenant", None, None, 404,
                      "not_found"),
    "id 20 digits": ("GET", "/v1/orders/99999999999999999999", "tenant", None, None, 404,
                     "not_found"),
    "id unknown": ("GET", "/v1/orders/777777", "tenant", None, None, 404, "not_found"),
    "approve id zero": ("POST", "/v1/orders/0/approve", "admin", {}, None, 404, "not_found"),
    "approve unknown id": ("POST", "/v1/orders/777777/approve", "admin", {}, None, 404,
                           "not_found"),
    "revoke non-numeric key": ("DELETE", "/v1/apikeys/all", "tenant", None, None, 404,
                               "not_found"),
    "tenant id non-numeric": ("POST", "/v1/tenants/x/approve", "admin", {}, None, 404,
                              "not_found"),
    # paths
    "unknown path": ("GET", "/v1/nothing", "admin", None, None, 404, "not_found"),
    "root": ("GET", "/", None, None, None, 404, "not_found"),
    "v2": ("GET", "/v2/health", None, None, None, 404, "not_found"),
    "trailing slash": ("GET", "/v1/orders/", "tenant", None, None, 404, "not_found"),
    "double slash": ("GET", "//v1/orders", "tenant", None, None, 404, "not_found"),
    "extra segment": ("POST", "/v1/orders/{order}/approve/now", "admin", {}, None, 404,
                      "not_found"),
    "dot segments": ("GET", "/v1/orders/../tenants", "tenant", None, None, 404,
                     "not_found"),
    "very long path": ("GET", "/v1/" + "a" * 300, None, None, None, 404, "not_found"),
    # methods
    "PUT orders": ("PUT", "/v1/orders", "tenant", ORDER, None, 405, "method_not_allowed"),
    "DELETE plans": ("DELETE", "/v1/plans", "admin", None, None, 405, "method_not_allowed"),
    "GET login": ("GET", "/v1/auth/login", None, None, None, 405, "method_not_allowed"),
    "POST health": ("POST", "/v1/health", None, {}, None, 405, "method_not_allowed"),
    "PATCH tenant": ("PATCH", "/v1/tenants/{tid}", "admin", {}, None, 405,
                     "method_not_allowed"),
    "GET approve": ("GET", "/v1/orders/{order}/approve", "admin", None, None, 405,
                    "method_not_allowed"),
    "DELETE user": ("DELETE", "/v1/users/1", "admin", None, None, 404, "not_found"),
    # authentication
    "no token on read": ("GET", "/v1/orders", None, None, None, 401, "unauthorized"),
    "no token on write": ("POST", "/v1/plans", None, PLAN, None, 401, "unauthorized"),
    "garbage token": ("GET", "/v1/orders", "garbage-token-value", None, None, 401,
                      "unauthorized"),
    "unknown session token": ("GET", "/v1/orders", "yss_" + "A" * 43, None, None, 401,
                              "unauthorized"),
    "unknown api key": ("POST", "/v1/plans", "ysk_" + "B" * 43, PLAN, None, 401,
                        "unauthorized"),
    "basic auth": ("GET", "/v1/orders", None, None, {"Authorization": "Basic YWRtaW46eA=="},
                   401, "unauthorized"),
    "bearer without token": ("GET", "/v1/orders", None, None, {"Authorization": "Bearer "},
                             401, "unauthorized"),
    "overlong token": ("GET", "/v1/orders", "yss_" + "A" * 500, None, None, 401,
                       "unauthorized"),
    "unknown user login": ("POST", "/v1/auth/login", None,
                           {"username": "nobody.here", "password": PASSWORD}, None, 401,
                           "invalid_credentials"),
    # media type
    "text/plain body": ("POST", "/v1/plans", "admin", PLAN, {"Content-Type": "text/plain"},
                        415, "unsupported_media_type"),
    "form body": ("POST", "/v1/auth/login", None, "username=admin&password=x",
                  {"Content-Type": "application/x-www-form-urlencoded"}, 415,
                  "unsupported_media_type"),
    "text/plain registration": ("POST", "/v1/registrations", None, "{}",
                                {"Content-Type": "text/plain; charset=utf-8"}, 415,
                                "unsupported_media_type"),
    # role and state
    "tenant creates plan": ("POST", "/v1/plans", "tenant", PLAN, None, 403, "forbidden"),
    "approve approved tenant": ("POST", "/v1/tenants/{tid}/approve", "admin", {}, None, 409,
                                "conflict"),
    "tenant admin offline order": ("POST", "/v1/orders", "tenant",
                                   dict(ORDER, plan_id="{plan}", tenant_id="{tid}",
                                        contract_ref="x"), None, 400, "invalid_field"),
    "offline order without contract": ("POST", "/v1/orders", "admin",
                                       dict(ORDER, plan_id="{plan}", tenant_id="{tid}"),
                                       None, 400, "missing_field"),
}


def _fill(v, env):
    if isinstance(v, str):
        for k in ("order", "tid", "plan"):
            if v == "{%s}" % k:
                return env[k]
            v = v.replace("{%s}" % k, str(env[k]))
        return v
    if isinstance(v, dict):
        return {k: _fill(x, env) for k, x in v.items()}
    return v


@pytest.mark.parametrize("name", list(CASES))
def test_bad_request(env, name):
    method, path, caller, body, headers, status, code = CASES[name]
    d = env["d"]
    token = {"admin": env["admin"], "tenant": env["tenant"], None: None}.get(caller, caller)
    with unchanged(d):
        r = d.api(method, _fill(path, env), token, _fill(body, env), headers)
        assert_error(r, status, code)
    assert r.headers["Content-Type"].startswith("application/json")


@pytest.mark.parametrize("method", ["OPTIONS", "TRACE"])
def test_other_methods_answer_json(env, method):
    """Methods no route uses still get the JSON error of API.md."""
    with unchanged(env["d"]):
        r = env["d"].api(method, "/v1/health")
    assert_error(r, 405, "method_not_allowed")


def test_rate_limited_status_has_retry_after_only_when_limited(env):
    r = env["d"].api("POST", "/v1/auth/login", body={"username": "x", "password": "y"})
    assert r.status == 401 and "Retry-After" not in r.headers


def _token_hash(tok):
    return hashlib.sha256(tok.encode()).digest()


def test_revoked_tokens(env):
    d = env["d"]
    key = d.api("POST", "/v1/apikeys", env["tenant"], {"name": "short-lived"}).json
    assert d.api("GET", "/v1/orders", key["key"]).status == 200
    assert d.api("DELETE", f"/v1/apikeys/{key['id']}", env["tenant"]).status == 200
    with unchanged(d):
        assert_error(d.api("GET", "/v1/orders", key["key"]), 401, "unauthorized")
        assert_error(d.api("POST", "/v1/apikeys", key["key"], {"name": "again"}), 401,
                     "unauthorized")
    # A session that logged out is dead.
    t = env["t"]
    tok = d.login(t.username, t.password)
    assert d.api("POST", "/v1/auth/logout", tok, {}).status == 200
    with unchanged(d):
        assert_error(d.api("GET", "/v1/orders", tok), 401, "unauthorized")
        assert_error(d.api("POST", "/v1/auth/logout", tok, {}), 401, "unauthorized")
    # A password change ends the user's other sessions, not the one used.
    new_user(d, env["tenant"], "pw.changer", "tenant_user")
    keep = d.login("pw.changer", PASSWORD2)
    other = d.login("pw.changer", PASSWORD2)
    assert d.api("POST", "/v1/auth/password", keep, {"old_password": PASSWORD2,
                                                     "new_password": PASSWORD}).status == 200
    assert d.api("GET", "/v1/orders", keep).status == 200
    with unchanged(d):
        assert_error(d.api("GET", "/v1/orders", other), 401, "unauthorized")


def test_expired_session(env):
    d = env["d"]
    t = env["t"]
    absolute = d.login(t.username, t.password)
    idle = d.login(t.username, t.password)
    now = int(time.time())
    with d.db() as c:
        assert c.execute("UPDATE sessions SET expires_at = ? WHERE token_hash = ?",
                         (now - 1, _token_hash(absolute))).rowcount == 1
        # session_idle_minutes defaults to 30
        assert c.execute("UPDATE sessions SET last_seen_at = ? WHERE token_hash = ?",
                         (now - 31 * 60, _token_hash(idle))).rowcount == 1
    c.close()
    with unchanged(d):
        for tok in (absolute, idle):
            e = assert_error(d.api("GET", "/v1/orders", tok), 401, "unauthorized")
            assert "expired" in e["message"]
            assert_error(d.api("POST", "/v1/apikeys", tok, {"name": "k"}), 401,
                         "unauthorized")
    # One idle minute short of the limit is still fine.
    fresh = d.login(t.username, t.password)
    with d.db() as c:
        c.execute("UPDATE sessions SET last_seen_at = ? WHERE token_hash = ?",
                  (now - 29 * 60, _token_hash(fresh)))
    c.close()
    assert d.api("GET", "/v1/orders", fresh).status == 200


def test_lockout(env):
    """lockout_threshold (5) failures lock the account: 423 with retry_after,
    even for the right password; an admin's `user enable` unlocks it."""
    d = env["d"]
    uid, _ = new_user(d, env["tenant"], "locked.user", "tenant_user")
    bad = {"username": "locked.user", "password": "Not-The-Password-1"}
    good = {"username": "locked.user", "password": PASSWORD2}
    for i in range(4):
        assert_error(d.api("POST", "/v1/auth/login", body=bad), 401, "invalid_credentials")
    e = assert_error(d.api("POST", "/v1/auth/login", body=bad), 423, "account_locked")
    assert e["retry_after"] == 60  # lockout_base_seconds
    before = d.snapshot()
    r = d.api("POST", "/v1/auth/login", body=good)
    e = assert_error(r, 423, "account_locked")
    assert 0 < e["retry_after"] <= 60
    assert set(r.json["error"]) == {"code", "message", "retry_after"}
    assert_error(d.api("POST", "/v1/auth/login", body=bad), 423, "account_locked")
    assert d.snapshot() == before   # refused while locked: not even counted
    # The CLI shows the wait.
    cli = d.cli("locked")
    rc, _, err = cli.run("login", "locked.user", password=PASSWORD2)
    assert rc == 1 and "(account_locked)" in err and "try again in" in err, err

    # The operator unlocks it.
    r = d.api("POST", f"/v1/users/{uid}/enable", env["admin"], {})
    assert r.status == 200 and r.json["status"] == "active", r
    assert d.api("POST", "/v1/auth/login", body=good).status == 200
    with d.db() as c:
        row = c.execute("SELECT failed_logins, locked_until FROM users WHERE id = ?",
                        (uid,)).fetchone()
    c.close()
    assert tuple(row) == (0, 0)
    log = d.api("GET", "/v1/audit?actor=locked.user&action=auth.login&limit=1000",
                env["admin"]).json["items"]
    assert [e["result"] for e in log] == ["ok"] + ["invalid_credentials"] * 4 + \
        ["account_locked"] * 4 + ["ok"]   # 5th failure, right pw, wrong pw, CLI


@pytest.mark.parametrize("field,value,code", [
    ("credit_code", "91350100M0001000X", "invalid_field"),       # 17 characters
    ("credit_code", None, "invalid_field"),                      # wrong check character
    ("credit_code", "lower", "invalid_field"),                   # lower case
    ("credit_code", "91350100M00010I0" + "0A", "invalid_field"),   # I is not allowed
    ("contact_phone", "12345678901", "invalid_field"),
    ("contact_phone", "1380013800", "invalid_field"),
    ("contact_phone", "+1 2025550123", "invalid_field"),
    ("contact_phone", "1380013800a", "invalid_field"),
    ("contact_email", "not-an-email", "invalid_field"),
    ("username", "9starts.with.digit", "invalid_field"),
    ("username", "Upper.Case", "invalid_field"),
    ("password", "short-1A", "password_policy"),
    ("password", "1qaz2wsx3edc", "password_policy"),              # common
    ("password", "iloveyou1314", "password_policy"),              # common
    ("password", "aaaaaaaaaaaaaaaa", "password_policy"),          # one character
    ("password", "123456789012345", "password_policy"),           # sequence
    ("password", "my-reg.bad.user-2026", "password_policy"),      # contains the user name
    ("password", "REG.BAD.USER-pw-9", "password_policy"),         # ... in another case
])
def test_registration_validation(env, field, value, code):
    d = env["d"]
    fields = registration_fields(502, username="reg.bad.user", name="reg bad 有限公司")
    if field == "credit_code" and value is None:
        good = credit_code(502)
        value = good[:17] + ("0" if good[17] != "0" else "1")
    elif field == "credit_code" and value == "lower":
        value = credit_code(502).lower()
    fields[field] = value
    with unchanged(d):
        r = d.api("POST", "/v1/registrations", body=fields)
        e = assert_error(r, 400, code)
    assert e["message"].startswith(field + ":") or code == "password_policy", e


def test_duplicate_registration(env):
    d = env["d"]
    t = env["t"]
    base = dict(t.fields, tenant_name="fresh name 有限公司", credit_code=credit_code(503),
                username="fresh.user")
    with unchanged(d):
        for dup in ({"credit_code": t.credit_code}, {"tenant_name": t.name},
                    {"username": t.username}):
            assert_error(d.api("POST", "/v1/registrations", body=dict(base, **dup)), 409,
                         "conflict")
    # The same registration twice: the second is a conflict.
    assert d.api("POST", "/v1/registrations", body=base).status == 201
    with unchanged(d):
        assert_error(d.api("POST", "/v1/registrations", body=base), 409, "conflict")


def test_login_and_registration_rate_limits(make_daemon):
    """Per source address: login_rate_per_minute and registration_rate_per_hour."""
    d = make_daemon({"login_rate_per_minute": 3, "registration_rate_per_hour": 2})
    body = {"username": "admin", "password": "wrong-password-123"}
    for _ in range(3):
        assert d.api("POST", "/v1/auth/login", body=body).status == 401
    with unchanged(d):
        for b in (body, {"username": "admin", "password": d.initial_password}):
            r = d.api("POST", "/v1/auth/login", body=b)
            assert_error(r, 429, "rate_limited")
            assert 0 < int(r.headers["Retry-After"]) <= 60, r.headers
    # Other routes are not limited.
    assert d.api("GET", "/v1/health").status == 200
    # The CLI says when to retry.
    rc, _, err = d.cli("rl").run("login", "admin", password=d.initial_password)
    assert rc == 1 and "(rate_limited)" in err and "try again in" in err, err

    for n in (1, 2):
        assert register_tenant(d, 510 + n)[0].status == 201
    with unchanged(d):
        r, _ = register_tenant(d, 513)
        assert_error(r, 429, "rate_limited")
        assert int(r.headers["Retry-After"]) > 60
    with d.db() as c:
        log = c.execute("SELECT result FROM audit_log WHERE action = 'auth.login'").fetchall()
    c.close()
    assert [x[0] for x in log] == ["invalid_credentials"] * 3 + ["rate_limited"] * 3


def test_hostile_text_in_audit_is_shown_safely(env, admin):
    """A login attempt under a user name with terminal escapes: recorded as
    sent, printed by `yunshou audit list` with the control characters as '?'."""
    d = env["d"]
    evil = "x\x1b[2J\x1b]0;pwned\x07\r\nfake"
    with unchanged(d):
        assert_error(d.api("POST", "/v1/auth/login", body={"username": evil,
                                                           "password": "whatever-123"}),
                     401, "invalid_credentials")
    j = admin.cli.ok("audit", "list", "--result", "invalid_credentials", "--limit", "1000")
    assert evil in [e["actor"] for e in j["items"]]
    rc, out, err = admin.cli.run("audit", "list", "--result", "invalid_credentials",
                                 "--limit", "1000")
    assert rc == 0, err
    assert "\x1b" not in out and "\x07" not in out and "\r" not in out
    assert "x?[2J?]0;pwned???fake" in out, out
