"""The whole story through the CLI: an operator brings up the control plane,
a company registers, is approved, orders, is approved, gets a subscription;
an offline (contract) order, a renewal, a change and a cancellation follow;
quotas track it and the audit trail has an entry for every state change.
Then API keys, tenant users, plan retirement, order rejection and the
tenant life cycle (reject / suspend / resume)."""
import calendar
import datetime as dt
import json
import os
import stat
from concurrent.futures import ThreadPoolExecutor


from conftest import (PASSWORD, PASSWORD2, assert_error, credit_code, new_user,
                      register_and_approve_tenant, register_tenant)


def parse_time(s):
    return dt.datetime.strptime(s, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.timezone.utc)


def add_months(t, months):
    """Calendar months as the server counts them (31 Jan + 1 = 28/29 Feb)."""
    m = t.month - 1 + months
    y = t.year + m // 12
    m = m % 12 + 1
    return t.replace(year=y, month=m, day=min(t.day, calendar.monthrange(y, m)[1]))


def audit(cli, **filters):
    args = ["audit", "list", "--limit", "1000"]
    for k, v in filters.items():
        args += ["--" + k, str(v)]
    return cli.ok(*args)["items"]


def find(entries, **want):
    return [e for e in entries if all(e.get(k) == v for k, v in want.items())]


def quota(items, service):
    (q,) = [q for q in items if q["service"] == service]
    return q["limit"], q["used"]


def test_full_story(daemon, admin):
    d = daemon
    acli = admin.cli

    # The operator's session is unrestricted after the first login.
    who = acli.ok("whoami")
    assert who["username"] == "admin" and who["role"] == "admin"
    assert who["must_change_password"] is False and who["mfa_enrollment_required"] is False

    services = acli.ok("service", "list")["items"]
    assert {s["code"] for s in services} == {"host-protection", "vuln-scan", "anti-ddos",
                                             "waf", "dlp"}
    waf = acli.ok("plan", "create", "--service", "waf", "--name", "WAF 标准版",
                  "--price-fen", "50000", "--description", "per site per month")
    assert waf["status"] == "active" and waf["price_fen"] == 50000
    assert waf["price_cny"] == "500.00"
    ddos = acli.ok("plan", "create", "--service", "anti-ddos", "--name", "DDoS 10G",
                   "--price-fen", "120000", "--bandwidth-mbps", "10000")
    assert ddos["bandwidth_mbps"] == 10000

    # A company registers through the CLI (public endpoint).
    tcli = d.cli("acme")
    reg = tcli.ok("tenant", "register", "--name", "厦门云盾科技有限公司",
                  "--credit-code", credit_code(100), "--contact-name", "张三",
                  "--email", "zhangsan@acme.example.cn", "--phone", "13800138000",
                  "--username", "acme.admin", password=PASSWORD)
    assert reg["status"] == "pending" and reg["username"] == "acme.admin"
    tid = reg["tenant_id"]

    # Pending: the tenant admin cannot log in yet.
    rc, j, err = tcli.json("login", "acme.admin", password=PASSWORD)
    assert rc == 1 and j["error"]["code"] == "tenant_not_active", (j, err)

    pending = acli.ok("tenant", "list", "--status", "pending")["items"]
    assert [t["id"] for t in pending] == [tid]
    t = acli.ok("tenant", "approve", tid, "--note", "营业执照已核验")
    assert t["status"] == "active" and t["approved_by"] == "admin" and t["approved_at"]
    rc, j, _ = acli.json("tenant", "approve", tid)
    assert rc == 1 and j["error"]["code"] == "conflict"

    # A wrong password is refused and recorded; then the right one works.
    rc, j, err = tcli.json("login", "acme.admin", password="Wrong-Password-0000")
    assert rc == 1 and j["error"]["code"] == "invalid_credentials", err
    rc, out, err = tcli.run("login", "acme.admin", password=PASSWORD)
    assert rc == 0 and "logged in as acme.admin (tenant_admin)" in out, (out, err)
    assert tcli.ok("whoami")["tenant_id"] == tid

    # The tenant sees the active plans and orders one.
    plans = tcli.ok("plan", "list")["items"]
    assert {p["id"] for p in plans} >= {waf["id"], ddos["id"]}
    order = tcli.ok("order", "create", "--plan", waf["id"], "--quantity", "3", "--months", "12")
    assert order["status"] == "pending" and order["kind"] == "new"
    assert order["quantity"] == 3 and order["months"] == 12 and order["tenant_id"] == tid
    assert order["total_fen"] == 50000 * 3 * 12 and order["total_cny"] == "18000.00"
    assert order["offline"] is False and order["subscription_id"] is None
    assert tcli.ok("subscription", "list")["items"] == []
    assert quota(tcli.ok("quota", "list")["items"], "waf") == (0, 0)

    # The operator approves: the subscription is active.
    assert [o["id"] for o in acli.ok("order", "list", "--status", "pending")["items"]] == [order["id"]]
    appr = acli.ok("order", "approve", order["id"])
    assert appr["status"] == "approved" and appr["decided_by"] == "admin"
    sid = appr["subscription_id"]
    assert isinstance(sid, int) and sid > 0
    sub = tcli.ok("subscription", "show", sid)
    assert sub["status"] == "active" and sub["quantity"] == 3 and sub["service"] == "waf"
    assert sub["tenant_id"] == tid and sub["order_id"] == order["id"]
    assert parse_time(sub["ends_at"]) == add_months(parse_time(sub["starts_at"]), 12)
    assert quota(tcli.ok("quota", "list")["items"], "waf") == (3, 0)

    # An offline order entered by the operator from a signed contract.
    off = acli.ok("order", "create", "--tenant", tid, "--plan", ddos["id"], "--quantity", "2",
                  "--months", "6", "--contract", "HT-2026-0042")
    assert off["status"] == "approved" and off["offline"] is True
    assert off["contract_ref"] == "HT-2026-0042" and off["subscription_id"]
    assert off["total_fen"] == 120000 * 2 * 6
    dsub = tcli.ok("subscription", "show", off["subscription_id"])
    assert dsub["status"] == "active" and dsub["quantity"] == 2
    q = tcli.ok("quota", "list")["items"]
    assert quota(q, "waf") == (3, 0) and quota(q, "anti-ddos") == (2, 0)
    assert quota(q, "dlp") == (0, 0)

    # Renewal: ordered by the tenant, approved by the operator, ends_at moves.
    ren = tcli.ok("subscription", "renew", sid, "--months", "6")
    assert ren["kind"] == "renewal" and ren["status"] == "pending"
    assert ren["subscription_id"] == sid and ren["quantity"] == 3 and ren["months"] == 6
    assert ren["total_fen"] == 50000 * 3 * 6
    assert tcli.ok("subscription", "show", sid)["ends_at"] == sub["ends_at"]
    assert acli.ok("order", "approve", ren["id"])["status"] == "approved"
    renewed = tcli.ok("subscription", "show", sid)
    assert parse_time(renewed["ends_at"]) == add_months(parse_time(sub["ends_at"]), 6)
    assert renewed["starts_at"] == sub["starts_at"]

    # Change of quantity the same way.
    chg = tcli.ok("subscription", "change", sid, "--quantity", "5")
    assert chg["kind"] == "change" and chg["status"] == "pending" and chg["quantity"] == 5
    assert acli.ok("order", "approve", chg["id"])["status"] == "approved"
    assert tcli.ok("subscription", "show", sid)["quantity"] == 5
    assert quota(tcli.ok("quota", "list")["items"], "waf") == (5, 0)

    # Cancellation: status cancelled, quota drops, a second cancel conflicts.
    can = tcli.ok("subscription", "cancel", sid, "--reason", "迁移到自建")
    assert can["status"] == "cancelled" and can["cancelled_at"]
    rc, j, _ = tcli.json("subscription", "cancel", sid)
    assert rc == 1 and j["error"]["code"] == "conflict"
    rc, j, _ = tcli.json("subscription", "renew", sid, "--months", "1")
    assert rc == 1 and j["error"]["code"] == "conflict"
    q = acli.ok("quota", "list", "--tenant", tid)["items"]
    assert all(x["tenant_id"] == tid for x in q)
    assert quota(q, "waf") == (0, 0) and quota(q, "anti-ddos") == (2, 0)
    subs = {s["id"]: s["status"] for s in tcli.ok("subscription", "list")["items"]}
    assert subs == {sid: "cancelled", off["subscription_id"]: "active"}
    assert [s["id"] for s in tcli.ok("subscription", "list", "--status", "active")["items"]] == \
        [off["subscription_id"]]

    orders = {o["id"]: (o["kind"], o["status"]) for o in tcli.ok("order", "list")["items"]}
    assert orders == {order["id"]: ("new", "approved"), off["id"]: ("new", "approved"),
                      ren["id"]: ("renewal", "approved"), chg["id"]: ("change", "approved")}

    # The audit trail verifies and holds every state change with its actor.
    rc, out, err = acli.run("audit", "verify")
    assert rc == 0 and out.startswith("audit trail OK: "), (out, err)
    v = acli.ok("audit", "verify")
    assert v["ok"] is True and v["entries"] > 20 and len(v["head_hash"]) == 64

    log = audit(acli)
    seqs = [e["seq"] for e in log]
    assert seqs == list(range(1, len(seqs) + 1))
    assert log[0]["action"] == "system.init" and log[0]["actor"] == "yunshoud"
    for e in log:
        assert len(e["hash"]) == 64 and e["time"].endswith("Z") and e["source"]

    def one(**want):
        hits = find(log, **want)
        assert len(hits) == 1, (want, hits)
        return hits[0]

    def ok(actor, action, target, **more):
        return one(actor=actor, action=action, target=target, result="ok", **more)

    # first login of the operator: password change + MFA
    assert find(log, actor="admin", action="auth.login", result="ok")
    ok("admin", "auth.password", "user/1")
    ok("admin", "mfa.setup", "user/1")
    ok("admin", "mfa.enable", "user/1")
    ok("admin", "plan.create", f"plan/{waf['id']}")
    ok("acme.admin", "tenant.register", f"tenant/{tid}", tenant_id=tid)
    one(actor="acme.admin", action="auth.login", result="tenant_not_active")
    ok("admin", "tenant.approve", f"tenant/{tid}", tenant_id=tid)
    one(actor="admin", action="tenant.approve", result="conflict", tenant_id=tid)
    bad = one(actor="acme.admin", action="auth.login", result="invalid_credentials")
    assert bad["tenant_id"] == tid and bad["source"] == "127.0.0.1"
    tadmin_id = bad["actor_id"]
    good = one(actor="acme.admin", action="auth.login", result="ok")
    assert good["seq"] > bad["seq"] and good["actor_id"] == tadmin_id
    e = ok("acme.admin", "order.create", f"order/{order['id']}", tenant_id=tid)
    assert "quantity=3" in e["detail"] and "status=pending" in e["detail"]
    ok("admin", "order.approve", f"order/{order['id']}", tenant_id=tid)
    e = ok("admin", "order.create", f"order/{off['id']}", tenant_id=tid)
    assert "contract=HT-2026-0042" in e["detail"] and "status=approved" in e["detail"]
    ok("acme.admin", "subscription.renew", f"order/{ren['id']}", tenant_id=tid)
    ok("admin", "order.approve", f"order/{ren['id']}", tenant_id=tid)
    ok("acme.admin", "subscription.change", f"order/{chg['id']}", tenant_id=tid)
    ok("admin", "order.approve", f"order/{chg['id']}", tenant_id=tid)
    e = ok("acme.admin", "subscription.cancel", f"subscription/{sid}", tenant_id=tid)
    assert "迁移到自建" in e["detail"]
    one(actor="acme.admin", action="subscription.cancel", result="conflict")
    one(actor="acme.admin", action="subscription.renew", result="conflict")

    # The filters work and a tenant admin sees only its tenant's entries.
    fails = audit(acli, result="invalid_credentials")
    assert [x["seq"] for x in fails] == [bad["seq"]]
    assert all(x["action"] == "order.approve" for x in audit(acli, action="order.approve"))
    mine = audit(tcli)
    assert mine and all(x["tenant_id"] == tid for x in mine)
    assert {x["seq"] for x in mine} == {x["seq"] for x in log if x["tenant_id"] == tid}
    page = acli.ok("audit", "list", "--limit", "5")
    assert len(page["items"]) == 5 and page["next_after"] == 5
    nxt = acli.ok("audit", "list", "--limit", "5", "--after", "5")["items"]
    assert [x["seq"] for x in nxt] == [6, 7, 8, 9, 10]

    # Export: JSON Lines to a file (0600) equal to the list.
    out_file = d.tmp + "/audit.jsonl"
    rc, out, err = acli.run("audit", "export", "--output", out_file)
    assert rc == 0, err
    assert stat.S_IMODE(os.stat(out_file).st_mode) == 0o600
    with open(out_file) as f:
        exported = [json.loads(line) for line in f]
    assert [x["seq"] for x in exported][:len(log)] == seqs
    assert exported[:len(log)] == log


def test_api_keys(daemon, admin):
    d = daemon
    t = register_and_approve_tenant(d, admin.token, 201)
    tcli = d.cli("keys201")
    assert tcli.run("login", t.username, password=PASSWORD)[0] == 0
    key = tcli.ok("apikey", "create", "--name", "ci-pipeline", "--expires-days", "30")
    assert key["key"].startswith("ysk_") and key["prefix"] == key["key"][:12]
    assert key["tenant_id"] == t.id and key["revoked_at"] is None and key["expires_at"]

    # A read with the key: from another config dir, the key in YUNSHOU_TOKEN.
    robot = d.cli("robot201")
    who = robot.ok("whoami", token=key["key"])
    assert who["username"] == t.username and who["auth"] == "api_key"
    assert robot.ok("tenant", "show", t.id, token=key["key"])["id"] == t.id

    listed = tcli.ok("apikey", "list")["items"]
    assert [k["id"] for k in listed] == [key["id"]]
    assert all("key" not in k for k in listed)

    rev = tcli.ok("apikey", "revoke", key["id"])
    assert rev["revoked_at"] is not None
    rc, j, err = robot.json("whoami", token=key["key"])
    assert rc == 1 and j["error"]["code"] == "unauthorized", err
    r = d.api("GET", "/v1/auth/whoami", key["key"])
    assert_error(r, 401, "unauthorized")
    rc, j, _ = tcli.json("apikey", "revoke", key["id"])
    assert rc == 0  # revoking again is harmless

    log = admin.cli.ok("audit", "list", "--action", "apikey.revoke", "--limit", "1000")["items"]
    assert [(e["actor"], e["target"], e["result"]) for e in log][:1] == \
        [(t.username, f"apikey/{key['id']}", "ok")]


def test_tenant_users(daemon, admin):
    d = daemon
    t = register_and_approve_tenant(d, admin.token, 202)
    tcli = d.cli("users202")
    assert tcli.run("login", t.username, password=PASSWORD)[0] == 0
    plan = admin.cli.ok("plan", "create", "--service", "vuln-scan", "--name", "扫描 202",
                        "--price-fen", "1000")

    u = tcli.ok("user", "create", "--username", "ops202", "--role", "tenant_user",
                new_password=PASSWORD)
    assert u["role"] == "tenant_user" and u["tenant_id"] == t.id
    assert u["must_change_password"] is True and u["status"] == "active"

    # First login: the CLI changes the one-time password at once.
    ucli = d.cli("ops202")
    rc, out, err = ucli.run("login", "ops202", password=PASSWORD, new_password=PASSWORD2)
    assert rc == 0 and "password changed" in out, (out, err)
    who = ucli.ok("whoami")
    assert who["must_change_password"] is False and who["role"] == "tenant_user"
    # The old password no longer works, the new one does.
    assert_error(d.api("POST", "/v1/auth/login", body={"username": "ops202",
                                                       "password": PASSWORD}),
                 401, "invalid_credentials")

    # A tenant_user reads but may not order or manage users.
    assert ucli.ok("plan", "list")["items"]
    assert ucli.ok("order", "list")["items"] == []
    rc, j, _ = ucli.json("order", "create", "--plan", plan["id"], "--quantity", "1",
                         "--months", "1")
    assert rc == 1 and j["error"]["code"] == "forbidden"
    rc, j, _ = ucli.json("user", "list")
    assert rc == 1 and j["error"]["code"] == "forbidden"
    assert tcli.ok("order", "list")["items"] == []

    users = {x["username"]: x for x in tcli.ok("user", "list")["items"]}
    assert set(users) == {t.username, "ops202"}

    # Disabled: its session and API key stop working and it cannot log in.
    ukey = ucli.ok("apikey", "create", "--name", "ops202 key")["key"]
    assert d.api("GET", "/v1/orders", ukey).status == 200
    dis = tcli.ok("user", "disable", u["id"])
    assert dis["status"] == "disabled"
    rc, j, err = ucli.json("whoami")
    assert rc == 1 and j["error"]["code"] == "unauthorized", err
    assert_error(d.api("GET", "/v1/orders", ukey), 401, "unauthorized")
    r = d.api("POST", "/v1/auth/login", body={"username": "ops202", "password": PASSWORD2})
    assert_error(r, 403, "user_disabled")
    # Enabled again: it can log in.
    assert tcli.ok("user", "enable", u["id"])["status"] == "active"
    assert ucli.run("login", "ops202", password=PASSWORD2)[0] == 0
    assert ucli.ok("whoami")["username"] == "ops202"
    # its key was revoked for good, not just suspended
    assert_error(d.api("GET", "/v1/orders", ukey), 401, "unauthorized")

    # A tenant admin cannot create operators or users of another tenant.
    rc, j, _ = tcli.json("user", "create", "--username", "evil202", "--role", "admin",
                         new_password=PASSWORD)
    assert rc == 1 and j["error"]["code"] in ("forbidden", "invalid_field")
    rc, j, _ = tcli.json("user", "disable", t.user_id)
    assert rc == 1 and j["error"]["code"] == "conflict"

    log = admin.cli.ok("audit", "list", "--tenant", t.id, "--limit", "1000")["items"]
    assert find(log, actor=t.username, action="user.create", result="ok",
                target=f"user/{u['id']}")
    assert find(log, actor=t.username, action="user.disable", result="ok")
    assert find(log, actor="ops202", action="order.create", result="forbidden")
    assert find(log, actor="ops202", action="auth.login", result="user_disabled")


def test_plan_retire(daemon, admin):
    d = daemon
    t = register_and_approve_tenant(d, admin.token, 203)
    tcli = d.cli("plan203")
    assert tcli.run("login", t.username, password=PASSWORD)[0] == 0
    p = admin.cli.ok("plan", "create", "--service", "dlp", "--name", "DLP 203",
                     "--price-fen", "9900")
    o1 = tcli.ok("order", "create", "--plan", p["id"], "--quantity", "1", "--months", "1")
    assert o1["status"] == "pending"

    assert admin.cli.ok("plan", "retire", p["id"])["status"] == "retired"
    assert p["id"] not in [x["id"] for x in tcli.ok("plan", "list")["items"]]
    assert p["id"] in [x["id"] for x in admin.cli.ok("plan", "list", "--all")["items"]]
    # --all is for operators: a tenant still sees no retired plan.
    assert p["id"] not in [x["id"] for x in tcli.ok("plan", "list", "--all")["items"]]
    rc, j, _ = tcli.json("order", "create", "--plan", p["id"], "--quantity", "1", "--months", "1")
    assert rc == 1 and j["error"]["code"] == "invalid_field"
    rc, j, _ = admin.cli.json("order", "create", "--tenant", t.id, "--plan", p["id"],
                              "--quantity", "1", "--months", "1", "--contract", "HT-203")
    assert rc == 1 and j["error"]["code"] == "invalid_field"
    assert [o["id"] for o in tcli.ok("order", "list")["items"]] == [o1["id"]]


def test_order_reject(daemon, admin):
    d = daemon
    t = register_and_approve_tenant(d, admin.token, 204)
    tcli = d.cli("rej204")
    assert tcli.run("login", t.username, password=PASSWORD)[0] == 0
    p = admin.cli.ok("plan", "create", "--service", "host-protection", "--name", "HP 204",
                     "--price-fen", "3000")
    o = tcli.ok("order", "create", "--plan", p["id"], "--quantity", "10", "--months", "3")
    # The reason is required (usage error in the CLI, 400 from the API).
    rc, _, err = admin.cli.json("order", "reject", o["id"])
    assert rc == 2, err
    assert_error(d.api("POST", f"/v1/orders/{o['id']}/reject", admin.token, {}), 400,
                 "missing_field")
    rj = admin.cli.ok("order", "reject", o["id"], "--reason", "合同未盖章")
    assert rj["status"] == "rejected" and rj["reason"] == "合同未盖章"
    assert rj["subscription_id"] is None and rj["decided_by"] == "admin"
    seen = tcli.ok("order", "show", o["id"])
    assert seen["status"] == "rejected" and seen["reason"] == "合同未盖章"
    rc, j, _ = admin.cli.json("order", "approve", o["id"])
    assert rc == 1 and j["error"]["code"] == "conflict"
    assert tcli.ok("subscription", "list")["items"] == []
    assert quota(tcli.ok("quota", "list")["items"], "host-protection") == (0, 0)
    log = admin.cli.ok("audit", "list", "--action", "order.reject", "--tenant", t.id)["items"]
    assert [(e["actor"], e["result"]) for e in log] == [("admin", "ok")]


def test_tenant_reject_suspend_resume(daemon, admin):
    d = daemon
    acli = admin.cli
    # Reject a pending registration (with a reason).
    r, f = register_tenant(d, 205)
    assert r.status == 201 and r.json["status"] == "pending"
    tid = r.json["tenant_id"]
    rc, _, err = acli.json("tenant", "reject", tid)
    assert rc == 2, err
    rj = acli.ok("tenant", "reject", tid, "--reason", "信用代码与营业执照不符")
    assert rj["status"] == "rejected" and rj["reason"] == "信用代码与营业执照不符"
    assert_error(d.api("POST", "/v1/auth/login", body={"username": f["username"],
                                                       "password": PASSWORD}),
                 403, "tenant_not_active")
    rc, j, _ = acli.json("tenant", "approve", tid)
    assert rc == 1 and j["error"]["code"] == "conflict"

    # Suspend an active tenant: its sessions and keys stop, logins are refused.
    t = register_and_approve_tenant(d, admin.token, 206)
    tcli = d.cli("susp206")
    assert tcli.run("login", t.username, password=PASSWORD)[0] == 0
    key = tcli.ok("apikey", "create", "--name", "k206")["key"]
    uid, utok = new_user(d, t.token, "user206", "tenant_user", password=PASSWORD,
                         new_password=PASSWORD2)
    for tok in (t.token, tcli.token(), key, utok):
        assert d.api("GET", "/v1/auth/whoami", tok).status == 200
    s = acli.ok("tenant", "suspend", t.id, "--reason", "欠费")
    assert s["status"] == "suspended" and s["reason"] == "欠费"
    for tok in (t.token, tcli.token(), key, utok):
        assert_error(d.api("GET", "/v1/auth/whoami", tok), 401, "unauthorized")
    rc, j, _ = tcli.json("order", "list")
    assert rc == 1 and j["error"]["code"] == "unauthorized"
    assert_error(d.api("POST", "/v1/auth/login", body={"username": t.username,
                                                       "password": PASSWORD}),
                 403, "tenant_not_active")
    rc, j, _ = acli.json("tenant", "suspend", t.id, "--reason", "again")
    assert rc == 1 and j["error"]["code"] == "conflict"

    # Resume: logins work again; the ended sessions stay ended.
    assert acli.ok("tenant", "resume", t.id)["status"] == "active"
    assert_error(d.api("GET", "/v1/auth/whoami", t.token), 401, "unauthorized")
    assert tcli.run("login", t.username, password=PASSWORD)[0] == 0
    assert tcli.ok("whoami")["tenant_id"] == t.id
    rc, j, _ = acli.json("tenant", "resume", t.id)
    assert rc == 1 and j["error"]["code"] == "conflict"

    log = acli.ok("audit", "list", "--tenant", t.id, "--limit", "1000")["items"]
    assert [e["action"] for e in log if e["actor"] == "admin" and e["result"] == "ok"] == \
        ["tenant.approve", "tenant.suspend", "tenant.resume"]
    assert find(log, actor=t.username, action="auth.login", result="tenant_not_active")


def test_concurrent_decisions(daemon, admin):
    """Eight operators approving one order at once: one approval, one
    subscription; eight registrations of one company: one tenant."""
    d = daemon
    t = register_and_approve_tenant(d, admin.token, 207)
    plan = d.api("POST", "/v1/plans", admin.token, {"service": "waf", "name": "WAF 207",
                                                    "price_fen": 1}).json
    o = d.api("POST", "/v1/orders", t.token, {"plan_id": plan["id"], "quantity": 1,
                                              "months": 1}).json
    with ThreadPoolExecutor(8) as ex:
        rs = list(ex.map(lambda _: d.api("POST", f"/v1/orders/{o['id']}/approve",
                                         admin.token, {}), range(8)))
    assert sorted(r.status for r in rs) == [200] + [409] * 7, rs
    subs = d.api("GET", "/v1/subscriptions", t.token).json["items"]
    assert len(subs) == 1 and subs[0]["order_id"] == o["id"]

    with ThreadPoolExecutor(8) as ex:
        rs = list(ex.map(lambda i: register_tenant(d, 208, username=f"race{i}.admin",
                                                   name=f"race {i}")[0], range(8)))
    assert sorted(r.status for r in rs) == [201] + [409] * 7, rs
    v = d.api("GET", "/v1/audit/verify", admin.token).json
    assert v["ok"] is True, v
