"""The tenant side of the anti-DDoS service (issue 6) against a real yunshoud:
protected objects need an active anti-ddos subscription and take one quota
unit per protected IP; bad addresses, services, thresholds, domains and rules
are refused with 400 and change nothing; another tenant's ids are 404; an
enrolled scrubber node (mTLS from Python) gets a signed bundle with the
objects, domains and rules in the shape the scrubber's parser
(src/scrubber/bundle.c) accepts, a new version after a change; the attack
records it sends (as yunshou-scrubber writes them) reach the owning tenant
only, with their vectors and peaks, and raise an alert.
"""
import pytest

from conftest import assert_error, register_and_approve_tenant
from test_waf_sites import WafNode

ZONE = "ddos.e2e.example.net"
PROVIDER = {"scrubbing": ["198.51.100.10", "2001:db8:53::10"],
            "dns": {"server": "192.0.2.53", "port": 53, "zone": ZONE + ".",
                    "tsig_key": "yunshou-ddos",
                    "tsig_secret": "file:/etc/yunshou/ddos-tsig.key",
                    "ttl": 30, "hold_down_s": 300, "timeout_ms": 2000},
            "thresholds": {"pps": 200000, "syn_pps": 20000, "baseline_pct": 400,
                           "min_pps": 2000, "consecutive": 3, "quiet_ms": 5000}}

SHOP = {"name": "shop", "ips": [
    {"addr": "203.0.113.10", "services": [{"proto": "tcp", "ports": [80, 443]},
                                          {"proto": "udp", "ports": ["3000-3010"]}]},
    {"addr": "2001:db8::10", "origin": "2001:db8:1::10",
     "services": [{"proto": "tcp", "ports": [443]}]}],
    "thresholds": {"pps": 50000}}


@pytest.fixture(scope="module")
def d(make_module_daemon):
    return make_module_daemon(conf={"ddos_zone": ZONE})


@pytest.fixture(scope="module")
def world(d):
    from conftest import first_admin_login
    admin = first_admin_login(d)
    at = admin.token
    plan = d.api("POST", "/v1/plans", at, {"service": "anti-ddos", "name": "高防",
                                           "price_fen": 80000, "bandwidth_mbps": 5000})
    assert plan.status == 201, plan
    a = register_and_approve_tenant(d, at, 601)
    b = register_and_approve_tenant(d, at, 602)
    c = register_and_approve_tenant(d, at, 603)     # no subscription
    for t, q in ((a, 3), (b, 1)):
        o = d.api("POST", "/v1/orders", at, {"tenant_id": t.id, "plan_id": plan.json["id"],
                                             "quantity": q, "months": 12,
                                             "contract_ref": f"HT-{t.id}"})
        assert o.status == 201 and o.json["status"] == "approved", o
    import json
    r = admin.cli.ok("policy", "set", "--kind", "scrubber", "--policy", json.dumps(PROVIDER))
    assert r["kind"] == "scrubber" and r["version"] >= 1, r
    return {"admin": admin, "a": a, "b": b, "c": c}


def test_no_subscription_is_refused(d, world):
    c = world["c"]
    e = assert_error(d.api("POST", "/v1/ddos/objects", c.token, SHOP), 403, "forbidden")
    assert "no active anti-ddos subscription" in e["message"]
    cli = d.cli(c.username)
    assert cli.run("login", c.username, password=c.password)[0] == 0
    rc, out, err = cli.run("ddos", "object", "add", "x", "--ips",
                           '[{"addr": "203.0.113.99", "services": [{"proto": "tcp", '
                           '"ports": [80]}]}]')
    assert rc == 1 and "no active anti-ddos subscription" in err, (out, err)
    assert d.api("GET", "/v1/ddos/objects", c.token).json["items"] == []


def test_objects_up_to_quota(d, world):
    a = world["a"]
    cli = d.cli(a.username)
    assert cli.run("login", a.username, password=a.password)[0] == 0
    import json
    shop = cli.ok("ddos", "object", "add", "shop", "--ips", json.dumps(SHOP["ips"]),
                  "--thresholds", json.dumps(SHOP["thresholds"]))
    assert [x["addr"] for x in shop["ips"]] == ["203.0.113.10", "2001:db8::10"]
    assert shop["status"] == "active" and shop["thresholds"] == {"pps": 50000}
    # two more addresses with one unit left: refused, nothing kept
    two = {"name": "api", "ips": [
        {"addr": "203.0.113.11", "services": [{"proto": "tcp", "ports": [443]}]},
        {"addr": "203.0.113.12", "services": [{"proto": "tcp", "ports": [443]}]}]}
    e = assert_error(d.api("POST", "/v1/ddos/objects", a.token, two), 422, "quota_exceeded")
    assert "3 of 3" in e["message"] or "of 3" in e["message"], e
    q = {x["service"]: x for x in d.api("GET", "/v1/quotas", a.token).json["items"]}
    assert q["anti-ddos"]["used"] == 2 and q["anti-ddos"]["limit"] == 3
    two["ips"] = two["ips"][:1]
    api = d.api("POST", "/v1/ddos/objects", a.token, two)
    assert api.status == 201, api
    rc, out, err = cli.run("ddos", "object", "list")
    assert rc == 0 and "203.0.113.10" in out and "api" in out, out
    # delete frees the units; every change is audited
    assert d.api("DELETE", f"/v1/ddos/objects/{api.json['id']}", a.token).status == 200
    q = {x["service"]: x for x in d.api("GET", "/v1/quotas", a.token).json["items"]}
    assert q["anti-ddos"]["used"] == 2
    acts = [x["action"] for x in d.api("GET", "/v1/audit?action=ddos.object.create",
                                       a.token).json["items"]]
    assert acts.count("ddos.object.create") == 3     # 2 ok, 1 quota_exceeded
    assert len(d.api("GET", "/v1/audit?action=ddos.object.delete", a.token)
               .json["items"]) == 1
    world["shop"] = shop["id"]
    # a protected domain: <label>.<zone>, the tenant's CNAME target
    dom = cli.ok("ddos", "domain", "add", "shop", "--object", str(shop["id"]),
                 "--origins", "203.0.113.10,2001:db8::10")
    assert dom["name"] == f"shop.{ZONE}" and dom["mode"] == "on-demand"
    world["domain"] = dom["id"]
    rule = cli.ok("ddos", "rule", "add", "--object", str(shop["id"]), "--action", "block",
                  "--cidr", "192.0.2.0/24", "--expires-in", "3600")
    assert rule["cidr"] == "192.0.2.0/24" and rule["expires_at"]
    world["rule"] = rule["id"]


def test_bad_inputs_are_400_and_change_nothing(d, world):
    a = world["a"]
    oid = world["shop"]
    before = d.api("GET", f"/v1/ddos/objects/{oid}", a.token).json

    def ip(addr, **kw):
        x = {"addr": addr, "services": [{"proto": "tcp", "ports": [80]}]}
        x.update(kw)
        return {"ips": [x]}
    cases = [
        ("POST", f"/v1/ddos/objects/{oid}/update", ip("127.0.0.1"), "loopback"),
        ("POST", f"/v1/ddos/objects/{oid}/update", ip("169.254.169.254"), "ips[0].addr"),
        ("POST", f"/v1/ddos/objects/{oid}/update", ip("10.0.0.5"), "private-use"),
        ("POST", f"/v1/ddos/objects/{oid}/update", ip("239.1.1.1"), "ips[0].addr"),
        ("POST", f"/v1/ddos/objects/{oid}/update", ip("203.0.113.300"), "not an IPv4"),
        ("POST", f"/v1/ddos/objects/{oid}/update",
         {"ips": [{"addr": "203.0.113.10", "services": [{"proto": "sctp", "ports": [80]}]}]},
         "tcp or udp"),
        ("POST", f"/v1/ddos/objects/{oid}/update",
         {"ips": [{"addr": "203.0.113.10", "services": [{"proto": "tcp", "ports": ["9-1"]}]}]},
         "ports[0]"),
        ("POST", f"/v1/ddos/objects/{oid}/update", {"thresholds": {"consecutive": 0}},
         "consecutive"),
        ("POST", f"/v1/ddos/objects/{oid}/update", {"colour": "red"}, "colour"),
        ("POST", "/v1/ddos/domains", {"object_id": oid, "label": "x", "origins": ["::1"]},
         "origins[0]"),
        ("POST", "/v1/ddos/domains", {"object_id": oid, "label": "bad_label",
                                      "origins": ["203.0.113.10"]}, "label"),
        ("POST", "/v1/ddos/domains", {"object_id": oid, "label": "y",
                                      "origins": ["203.0.113.10"], "mode": "sometimes"},
         "on-demand or always-on"),
        ("POST", "/v1/ddos/rules", {"object_id": oid, "action": "block", "cidr": "10.0.0.1/8"},
         "host bits"),
        ("POST", "/v1/ddos/rules", {"object_id": oid, "action": "ratelimit"}, "pps or bps"),
        ("POST", "/v1/ddos/rules", {"object_id": oid, "action": "drop", "cidr": "192.0.2.0/24"},
         "block, allow or ratelimit"),
    ]
    for method, path, body, fragment in cases:
        e = assert_error(d.api(method, path, a.token, body), 400)
        assert fragment in e["message"], (body, e)
    assert d.api("GET", f"/v1/ddos/objects/{oid}", a.token).json == before


def test_provider_policy_is_checked(d, world):
    at = world["admin"].token
    for pol, word in (({"scrubbing": ["198.51.100.10"],
                        "dns": dict(PROVIDER["dns"], tsig_secret="c2VjcmV0LXNlY3JldA==")},
                       "never the secret"),
                      ({"scrubbing": ["198.51.100.10"], "modules": {}}, "modules"),
                      ({"scrubbing": ["not-an-address"]}, "scrubbing[0]")):
        e = assert_error(d.api("POST", "/v1/policies", at, {"kind": "scrubber",
                                                            "policy": pol}), 400)
        assert word in e["message"], (pol, e)
    rc, out, err = world["admin"].cli.run("policy", "set", "--kind", "scrubber", "--policy",
                                          '{"scrubbing": ["198.51.100.10"], "colour": 1}')
    assert rc == 1 and "colour" in err, (out, err)
    assert "c2VjcmV0LXNlY3JldA" not in d.log()


def test_other_tenants_ids_are_404(d, world):
    b = world["b"]
    oid = world["shop"]
    for method, path, body in (
            ("GET", f"/v1/ddos/objects/{oid}", None),
            ("POST", f"/v1/ddos/objects/{oid}/update", {"name": "mine"}),
            ("DELETE", f"/v1/ddos/objects/{oid}", None),
            ("GET", f"/v1/ddos/domains/{world['domain']}", None),
            ("POST", f"/v1/ddos/domains/{world['domain']}/update", {"mode": "always-on"}),
            ("DELETE", f"/v1/ddos/domains/{world['domain']}", None),
            ("DELETE", f"/v1/ddos/rules/{world['rule']}", None),
            ("POST", "/v1/ddos/domains", {"object_id": oid, "label": "z",
                                          "origins": ["203.0.113.10"]}),
            ("POST", "/v1/ddos/rules", {"object_id": oid, "action": "allow",
                                        "cidr": "192.0.2.0/24"})):
        assert_error(d.api(method, path, b.token, body), 404, "not_found")
    # an address is one tenant's
    r = d.api("POST", "/v1/ddos/objects", b.token,
              {"name": "steal", "ips": [{"addr": "203.0.113.10",
                                         "services": [{"proto": "tcp", "ports": [80]}]}]})
    assert_error(r, 409, "conflict")
    assert d.api("GET", "/v1/ddos/objects", b.token).json["items"] == []


def check_policy_shape(policy):
    """Field by field what src/scrubber/bundle.c accepts (unknown members are
    refused there, so the sets must match exactly)."""
    assert set(policy) <= {"scrubbing", "dns", "thresholds", "objects", "rules"}
    assert {"scrubbing", "objects"} <= set(policy)
    assert 1 <= len(policy["scrubbing"]) <= 2
    assert set(policy["dns"]) <= {"server", "port", "zone", "tsig_key", "tsig_secret", "ttl",
                                  "hold_down_s", "timeout_ms"}
    assert policy["dns"]["tsig_secret"].startswith(("file:/", "env:"))
    th_keys = {"pps", "bps", "syn_pps", "baseline_pct", "min_pps", "consecutive", "quiet_ms"}
    assert set(policy.get("thresholds", {})) <= th_keys
    zone = policy["dns"]["zone"].rstrip(".")
    ids = set()
    for o in policy["objects"]:
        assert set(o) <= {"id", "tenant", "tier_mbps", "ips", "domains", "thresholds"}
        assert isinstance(o["id"], str) and all(ch.isalnum() or ch in "-_." for ch in o["id"])
        assert o["id"] not in ids
        ids.add(o["id"])
        assert isinstance(o["tenant"], int) and o["tenant"] >= 1
        assert isinstance(o["tier_mbps"], int) and o["tier_mbps"] >= 1
        assert 1 <= len(o["ips"]) <= 256
        assert set(o.get("thresholds", {})) <= th_keys
        for ip in o["ips"]:
            assert set(ip) <= {"addr", "origin", "services"} and ip["services"]
            for s in ip["services"]:
                assert set(s) == {"proto", "ports"} and s["proto"] in ("tcp", "udp")
                for p in s["ports"]:
                    assert (isinstance(p, int) and 1 <= p <= 65535) or (
                        isinstance(p, str) and "-" in p)
        for dom in o.get("domains", []):
            assert set(dom) == {"name", "mode", "origin"}
            assert dom["mode"] in ("on-demand", "always-on")
            assert dom["name"].rstrip(".").endswith("." + zone)
            assert 1 <= len(dom["origin"]) <= 16
    for r in policy.get("rules", []):
        assert set(r) <= {"action", "cidr", "object", "expires", "pps", "bps"}
        assert r["action"] in ("block", "allow", "ratelimit")
        assert ("cidr" in r) == (r["action"] != "ratelimit")
        assert r.get("object") is None or r["object"] in ids


def record(seq, event, obj, tenant, peak, **extra):
    """A line as yunshou-scrubber writes it to the agent's queue, with the seq
    the sender adds."""
    r = {"seq": seq, "event": event, "time": "2026-11-24T00:10:00.250Z", "object": obj,
         "tenant": tenant, "ip": "203.0.113.10", "vectors": ["syn-flood", "udp-flood"],
         "triggers": ["pps", "syn_pps"], "start": "2026-11-24T00:10:00.000Z",
         "baseline_p95_pps": 150.0, "peak_pps": float(peak), "peak_bps": peak * 480.0,
         "dropped_pkts": peak * 20, "dropped_bytes": peak * 1200, "mitigations": "syn-cookies"}
    if event == "attack_end":
        r.update({"end": "2026-11-24T00:12:00.000Z", "duration_s": 120.0,
                  "vector_pkts": {"syn-flood": peak * 15, "udp-flood": peak * 5},
                  "timeline": [{"t": "2026-11-24T00:10:01.000Z", "pps": float(peak),
                                "bps": peak * 480.0, "dropped_pkts": peak}],
                  "samples_per_point": 1})
    else:
        r["mitigation_us"] = 420
    r["top_sources"] = [{"addr": "192.0.2.77", "pkts_estimate": peak * 3}]
    r.update(extra)
    return r


def test_scrubber_bundle_and_attack_reports(d, world):
    a, b, admin = world["a"], world["b"], world["admin"]
    oid = world["shop"]
    node = WafNode(d, admin.token, kind="scrubber")
    # tenants cannot enrol scrubbers
    assert_error(d.api("POST", "/v1/enrolment-tokens", a.token, {"kind": "scrubber"}), 403)
    p1 = node.bundle()
    assert p1["kind"] == "scrubber" and p1["tenant_id"] is None
    pol = p1["policy"]
    check_policy_shape(pol)
    assert pol["scrubbing"] == PROVIDER["scrubbing"] and pol["dns"] == PROVIDER["dns"]
    objs = {o["id"]: o for o in pol["objects"]}
    shop = objs[f"obj-{oid}"]
    assert shop["tenant"] == a.id and shop["tier_mbps"] == 5000
    assert shop["ips"] == SHOP["ips"] and shop["thresholds"] == {"pps": 50000}
    assert shop["domains"] == [{"name": f"shop.{ZONE}", "mode": "on-demand",
                                "origin": ["203.0.113.10", "2001:db8::10"]}]
    assert [r for r in pol["rules"] if r["object"] == f"obj-{oid}"][0]["cidr"] == "192.0.2.0/24"
    # the TSIG secret itself is never anywhere: only the reference
    assert "file:/etc/yunshou/ddos-tsig.key" in p1["policy"]["dns"]["tsig_secret"]
    assert node.heartbeat(0) == p1["version"]
    assert node.bundle()["version"] == p1["version"]
    # a change: a new version with it
    r = d.api("POST", f"/v1/ddos/domains/{world['domain']}/update", a.token,
              {"mode": "always-on"})
    assert r.status == 200 and r.json["mode"] == "always-on", r
    v2 = node.heartbeat(p1["version"])
    assert v2 > p1["version"]
    p2 = node.bundle()
    assert p2["version"] == v2
    assert {o["id"]: o for o in p2["policy"]["objects"]}[f"obj-{oid}"]["domains"][0]["mode"] \
        == "always-on"
    check_policy_shape(p2["policy"])

    # attack records as the scrubber sends them
    obj = f"obj-{oid}"
    st, out = node.api("POST", "/v1/node/events", {"events": [
        record(1, "attack_start", obj, a.id, 80000),
        record(2, "attack_update", obj, a.id, 3000000),
        {"seq": 3, "event": "dns_switch", "time": "2026-11-24T00:10:00.500Z", "object": obj,
         "domain": f"shop.{ZONE}.", "target": "scrubbing", "addresses": ["198.51.100.10"],
         "latency_ms": 4.5, "serial": 2026112402, "ttl": 30},
        record(4, "attack_end", obj, a.id, 1000)]})
    assert st == 200 and out["accepted"] == 4 and out["unattributed"] == 0, out
    # the same batch again: nothing new
    st, out = node.api("POST", "/v1/node/events", {"events": [
        record(4, "attack_end", obj, a.id, 1000)]})
    assert st == 200 and out["duplicates"] == 1, out
    cli = d.cli(a.username)
    attacks = cli.ok("ddos", "attacks", "--object", str(oid))["items"]
    assert len(attacks) == 1
    at = attacks[0]
    assert at["tenant_id"] == a.id and at["status"] == "ended"
    assert at["vectors"] == ["syn-flood", "udp-flood"]
    assert at["peak_pps"] == 3000000 and at["peak_bps"] == 3000000 * 480
    assert at["dropped_pkts"] == 60000000
    assert cli.ok("ddos", "attacks", "--active")["items"] == []
    full = cli.ok("ddos", "attack", "show", str(at["id"]))
    assert full["timeline"][0]["pps"] == 1000.0 and full["duration_s"] == 120.0
    assert full["top_sources"] == [{"addr": "192.0.2.77", "pkts_estimate": 3000}]
    assert full["vector_pkts"] == {"syn-flood": 15000, "udp-flood": 5000}
    alerts = d.api("GET", "/v1/alerts?module=ddos", a.token).json["items"]
    assert [x["severity"] for x in alerts] == ["critical"], alerts   # 3 Mpps
    # nobody else sees it
    assert d.api("GET", "/v1/ddos/attacks", b.token).json["items"] == []
    assert_error(d.api("GET", f"/v1/ddos/attacks/{at['id']}", b.token), 404, "not_found")
    assert d.api("GET", "/v1/alerts?module=ddos", b.token).json["items"] == []
    # malformed records refuse the batch, nothing stored; an unknown object is
    # kept as provider telemetry, attributed to nobody
    st, out = node.api("POST", "/v1/node/events", {"events": [
        {"seq": 5, "event": "scrubber_start", "time": "2026-11-24T00:00:00.000Z",
         "policy_version": p2["version"], "interface": "eth1"},
        {"seq": 6, "event": "scrubber_stop", "time": "2026-11-24T00:20:00.000Z"}]})
    assert st == 200 and out["accepted"] == 2, out
    for bad, word in ((record(7, "attack_start", obj, a.id, 10, ip="999.1.1.1"), "ip"),
                      (record(7, "attack_start", obj, a.id, 10, peak_pps=-1), "peak_pps"),
                      (record(7, "attack_begin", obj, a.id, 10), "attack_begin"),
                      (record(7, "attack_start", obj, a.id, 10, time="now"), "time"),
                      (record(7, "attack_start", obj, a.id, 10, colour="red"), "colour")):
        st, out = node.api("POST", "/v1/node/events", {"events": [bad]})
        assert st == 400 and word in out["error"]["message"], (bad, out)
    st, out = node.api("POST", "/v1/node/events", {"events": [
        record(7, "attack_start", "obj-999999", a.id, 10)]})
    assert st == 200 and out["unattributed"] == 1, out
    assert len(d.api("GET", "/v1/ddos/attacks", admin.token).json["items"]) == 1
