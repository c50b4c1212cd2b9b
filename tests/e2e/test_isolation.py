"""Tenant isolation: two active tenants A and B, each with an admin, a
tenant_user, an API key, orders and subscriptions. Every tenant-scoped
endpoint of src/control/api/routes.c is called with A's credentials on B's
ids: the answer is 403 or 404 with a bare error object that reveals nothing
of B (and a 404 for B's id reads exactly like one for an id that does not
exist). Lists seen by A hold only A's rows. B's rows, read by the operator,
are the same before and after."""
import json
import re

import pytest

from conftest import (PASSWORD, assert_error, new_user,
                      register_and_approve_tenant)

MISSING = 987654321


@pytest.fixture(scope="module")
def world(daemon, admin):
    d = daemon
    at = admin.token
    plan = d.api("POST", "/v1/plans", at, {"service": "waf", "name": "WAF iso",
                                           "price_fen": 1000}).json
    w = {"d": d, "admin": at, "plan": plan["id"]}
    for n, tag in ((301, "A"), (302, "B")):
        t = register_and_approve_tenant(d, at, n, username=f"iso{tag.lower()}.admin")
        uid, utok = new_user(d, t.token, f"iso{tag.lower()}.user", "tenant_user")
        key = d.api("POST", "/v1/apikeys", t.token, {"name": f"key {tag}"}).json
        ukey = d.api("POST", "/v1/apikeys", utok, {"name": f"user key {tag}"}).json
        pending = d.api("POST", "/v1/orders", t.token, {"plan_id": plan["id"], "quantity": 2,
                                                        "months": 3}).json
        o = d.api("POST", "/v1/orders", t.token, {"plan_id": plan["id"], "quantity": 4,
                                                  "months": 12}).json
        sub = d.api("POST", f"/v1/orders/{o['id']}/approve", at, {}).json["subscription_id"]
        off = d.api("POST", "/v1/orders", at, {"tenant_id": t.id, "plan_id": plan["id"],
                                               "quantity": 1, "months": 1,
                                               "contract_ref": f"HT-{tag}"}).json
        w[tag] = {
            "t": t, "id": t.id, "token": t.token, "user_id": uid, "user_token": utok,
            "key_id": key["id"], "key": key["key"], "ukey_id": ukey["id"], "ukey": ukey["key"],
            "order": o["id"], "pending": pending["id"], "sub": sub,
            "off_order": off["id"], "off_sub": off["subscription_id"],
        }
        for k in ("id", "order", "pending", "sub", "off_sub", "user_id", "key_id"):
            assert isinstance(w[tag][k], int) and w[tag][k] > 0, (tag, k, w[tag])
    b, bt = w["B"], w["B"]["t"]
    w["B_secrets"] = [bt.name, bt.credit_code, bt.fields["contact_email"],
                      bt.fields["contact_phone"], bt.fields["contact_name"], bt.username,
                      "isob.user", "key B", "HT-B", b["key"][:12], b["ukey"][:12]]
    return w


def b_view(w):
    """B's rows as the operator sees them."""
    d, at, b = w["d"], w["admin"], w["B"]
    out = {
        "tenant": d.api("GET", f"/v1/tenants/{b['id']}", at).json,
        "users": d.api("GET", f"/v1/users?tenant_id={b['id']}", at).json,
        "quotas": d.api("GET", f"/v1/quotas?tenant_id={b['id']}", at).json,
        "orders": [o for o in d.api("GET", "/v1/orders", at).json["items"]
                   if o["tenant_id"] == b["id"]],
        "subs": [s for s in d.api("GET", "/v1/subscriptions", at).json["items"]
                 if s["tenant_id"] == b["id"]],
        "keys": [k for k in d.api("GET", "/v1/apikeys", at).json["items"]
                 if k["tenant_id"] == b["id"]],
    }
    for k in out["keys"]:
        k.pop("last_used_at", None)
    return out


# Tenant-scoped routes taking an id, called on B's objects. (method, path, body)
SCOPED = {
    "tenant get": lambda b: ("GET", f"/v1/tenants/{b['id']}", None),
    "order get": lambda b: ("GET", f"/v1/orders/{b['order']}", None),
    "pending order get": lambda b: ("GET", f"/v1/orders/{b['pending']}", None),
    "offline order get": lambda b: ("GET", f"/v1/orders/{b['off_order']}", None),
    "subscription get": lambda b: ("GET", f"/v1/subscriptions/{b['sub']}", None),
    "subscription renew": lambda b: ("POST", f"/v1/subscriptions/{b['sub']}/renew",
                                     {"months": 1}),
    "subscription change": lambda b: ("POST", f"/v1/subscriptions/{b['sub']}/change",
                                      {"quantity": 9}),
    "subscription cancel": lambda b: ("POST", f"/v1/subscriptions/{b['sub']}/cancel",
                                      {"reason": "x"}),
    "offline subscription cancel": lambda b: ("POST",
                                              f"/v1/subscriptions/{b['off_sub']}/cancel", {}),
    "user disable": lambda b: ("POST", f"/v1/users/{b['user_id']}/disable", {}),
    "user enable": lambda b: ("POST", f"/v1/users/{b['user_id']}/enable", {}),
    "tenant admin disable": lambda b: ("POST", f"/v1/users/{b['t'].user_id}/disable", {}),
    "apikey revoke": lambda b: ("DELETE", f"/v1/apikeys/{b['key_id']}", None),
    "user apikey revoke": lambda b: ("DELETE", f"/v1/apikeys/{b['ukey_id']}", None),
    "quota of tenant": lambda b: ("GET", f"/v1/quotas?tenant_id={b['id']}", None),
    "create user in tenant": lambda b: ("POST", "/v1/users", {
        "username": "intruder.x", "password": PASSWORD, "role": "tenant_user",
        "tenant_id": b["id"]}),
}

# The same with an id that exists nowhere: the answer must look the same.
MISSING_IDS = {"id": MISSING, "order": MISSING, "pending": MISSING, "off_order": MISSING,
               "sub": MISSING, "off_sub": MISSING, "user_id": MISSING, "key_id": MISSING,
               "ukey_id": MISSING, "t": type("T", (), {"user_id": MISSING})}

# Operator-only routes on B's objects: refused for the role, before any lookup.
OPERATOR_ONLY = {
    "tenant approve": lambda b: ("POST", f"/v1/tenants/{b['id']}/approve", {}),
    "tenant reject": lambda b: ("POST", f"/v1/tenants/{b['id']}/reject", {"reason": "x"}),
    "tenant suspend": lambda b: ("POST", f"/v1/tenants/{b['id']}/suspend", {"reason": "x"}),
    "tenant resume": lambda b: ("POST", f"/v1/tenants/{b['id']}/resume", {}),
    "order approve": lambda b: ("POST", f"/v1/orders/{b['pending']}/approve", {}),
    "order reject": lambda b: ("POST", f"/v1/orders/{b['pending']}/reject", {"reason": "x"}),
    "plan create": lambda b: ("POST", "/v1/plans", {"service": "waf", "name": "evil",
                                                    "price_fen": 0}),
    "plan retire": lambda b: ("POST", "/v1/plans/1/retire", {}),
    "audit verify": lambda b: ("GET", "/v1/audit/verify", None),
    "offline order": lambda b: ("POST", "/v1/orders", {"tenant_id": b["id"], "plan_id": 1,
                                                       "quantity": 1, "months": 1,
                                                       "contract_ref": "x"}),
}

CALLERS = ["admin token", "admin api key", "user token", "user api key"]


def caller_token(w, who):
    a = w["A"]
    return {"admin token": a["token"], "admin api key": a["key"],
            "user token": a["user_token"], "user api key": a["ukey"]}[who]


def assert_no_leak(w, r):
    text = r.raw.decode("utf-8", "replace")
    for s in w["B_secrets"]:
        assert s not in text, (s, r)
    # nothing but the error object
    assert set(r.json) == {"error"} and set(r.json["error"]) <= {"code", "message"}, r


@pytest.fixture(scope="module")
def b_before(world):
    return b_view(world)


@pytest.mark.parametrize("who", CALLERS)
@pytest.mark.parametrize("name", sorted(SCOPED))
def test_scoped_endpoint_on_other_tenant(world, b_before, name, who):
    d = world["d"]
    tok = caller_token(world, who)
    method, path, body = SCOPED[name](world["B"])
    r = d.api(method, path, tok, body)
    assert r.status in (403, 404), (name, who, r)
    assert_error(r, r.status)
    assert_no_leak(world, r)
    if r.status == 404:
        assert r.code == "not_found"
        # Indistinguishable from an id that does not exist.
        m2, p2, b2 = SCOPED[name](MISSING_IDS)
        r2 = d.api(m2, p2, tok, b2)
        assert (r2.status, r2.code) == (r.status, r.code), (r, r2)
        def norm(resp):
            return re.sub(r"\d+", "N", resp.json["error"]["message"])
        assert norm(r) == norm(r2), (r, r2)
    else:
        assert r.code == "forbidden"


@pytest.mark.parametrize("who", CALLERS)
@pytest.mark.parametrize("name", sorted(OPERATOR_ONLY))
def test_operator_only_endpoint(world, b_before, name, who):
    method, path, body = OPERATOR_ONLY[name](world["B"])
    r = world["d"].api(method, path, caller_token(world, who), body)
    if name == "offline order" and who.startswith("admin"):
        # A tenant admin may POST /v1/orders, but not with tenant_id.
        assert_error(r, 400, "invalid_field")
    else:
        assert_error(r, 403, "forbidden")
    assert_no_leak(world, r)


@pytest.mark.parametrize("who", ["user token", "user api key"])
@pytest.mark.parametrize("method,path,body", [
    ("GET", "/v1/users", None),
    ("POST", "/v1/users", {"username": "x.y.z", "password": PASSWORD, "role": "tenant_user"}),
    ("GET", "/v1/audit", None), ("GET", "/v1/audit/export", None),
    ("POST", "/v1/orders", {"plan_id": 1, "quantity": 1, "months": 1}),
    ("POST", "/v1/subscriptions/1/renew", {"months": 1}),
    ("POST", "/v1/subscriptions/1/change", {"quantity": 1}),
    ("POST", "/v1/subscriptions/1/cancel", {}),
    ("POST", "/v1/users/1/disable", {}), ("POST", "/v1/users/1/enable", {}),
])
def test_tenant_user_refused_admin_routes(world, b_before, who, method, path, body):
    """(The body is valid: schemas are checked before roles, see router.c.)"""
    r = world["d"].api(method, path, caller_token(world, who), body)
    assert_error(r, 403, "forbidden")


def test_filtered_lists_with_other_tenant(world, b_before):
    """List filters naming B: refused, or an empty list; never B's rows."""
    d, b = world["d"], world["B"]
    for who in CALLERS:
        tok = caller_token(world, who)
        for path in (f"/v1/users?tenant_id={b['id']}", f"/v1/audit?tenant_id={b['id']}",
                     f"/v1/audit?actor={b['t'].username}",
                     f"/v1/audit/export?tenant_id={b['id']}"):
            r = d.api("GET", path, tok)
            if r.status in (403, 404):
                assert_error(r, r.status)
                assert_no_leak(world, r)
                continue
            assert r.status == 200, (who, path, r)
            if "export" in path:
                assert r.raw.strip() == b"", (who, path, r)
            else:
                assert r.json["items"] == [], (who, path, r)
            for s in world["B_secrets"]:
                assert s not in r.raw.decode(), (s, r)


def _rows_only_a(world, items, key="tenant_id"):
    a = world["A"]["id"]
    assert items, "expected some rows of A"
    assert all(x[key] == a for x in items), items


@pytest.mark.parametrize("who", CALLERS)
def test_lists_hold_only_own_rows(world, b_before, who):
    d, a = world["d"], world["A"]
    tok = caller_token(world, who)
    r = d.api("GET", "/v1/tenants", tok)
    assert [t["id"] for t in r.json["items"]] == [a["id"]]
    for path in ("/v1/orders", "/v1/subscriptions", "/v1/quotas"):
        r = d.api("GET", path, tok)
        assert r.status == 200, r
        _rows_only_a(world, r.json["items"])
    orders = {o["id"] for o in d.api("GET", "/v1/orders", tok).json["items"]}
    assert orders == {a["order"], a["pending"], a["off_order"]}
    subs = {s["id"] for s in d.api("GET", "/v1/subscriptions", tok).json["items"]}
    assert subs == {a["sub"], a["off_sub"]}
    keys = d.api("GET", "/v1/apikeys", tok).json["items"]
    mine = a["key_id"] if who.startswith("admin") else a["ukey_id"]
    assert [k["id"] for k in keys] == [mine]
    if who.startswith("admin"):
        users = d.api("GET", "/v1/users", tok).json["items"]
        assert {u["id"] for u in users} == {a["t"].user_id, a["user_id"]}
        log = d.api("GET", "/v1/audit?limit=1000", tok).json["items"]
        _rows_only_a(world, log)
        exp = d.api("GET", "/v1/audit/export", tok)
        assert exp.status == 200
        lines = [json.loads(x) for x in exp.raw.decode().splitlines()]
        assert [x["seq"] for x in lines] == [x["seq"] for x in log]
        csv = d.api("GET", "/v1/audit/export?format=csv", tok)
        assert csv.status == 200 and csv.raw.decode().count("\r\n") == len(log) + 1
    for s in world["B_secrets"]:
        for path in ("/v1/tenants", "/v1/orders", "/v1/subscriptions", "/v1/apikeys"):
            assert s not in d.api("GET", path, tok).raw.decode(), (s, path)


def test_operator_roles_read_only(world, b_before):
    """An analyst and an auditor (operators without admin) change nothing."""
    d, at, b = world["d"], world["admin"], world["B"]
    for role in ("analyst", "auditor"):
        _, tok = new_user(d, at, f"iso.{role}", role)
        assert d.api("GET", f"/v1/tenants/{b['id']}", tok).status == 200
        for method, path, body in (OPERATOR_ONLY[n](b) for n in OPERATOR_ONLY):
            r = d.api(method, path, tok, body)
            if role == "auditor" and path == "/v1/audit/verify":
                assert r.status == 200 and r.json["ok"] is True, r
            else:
                assert_error(r, 403, "forbidden")
        for method, path, body in (SCOPED[n](b) for n in SCOPED if SCOPED[n](b)[0] != "GET"):
            r = d.api(method, path, tok, body)
            if method == "DELETE":
                # any role may revoke its own keys; B's are not this user's
                assert_error(r, 404, "not_found")
            else:
                assert_error(r, 403, "forbidden")


def test_zz_other_tenant_unchanged(world, b_before):
    """Runs last in this module: B's rows are as they were, B still works."""
    assert b_view(world) == b_before
    d, b = world["d"], world["B"]
    for tok in (b["token"], b["key"], b["user_token"], b["ukey"]):
        assert d.api("GET", "/v1/auth/whoami", tok).status == 200
    r = d.api("GET", "/v1/subscriptions", b["token"])
    assert {s["status"] for s in r.json["items"]} == {"active"}
