"""Network scans through the control plane (issue 5, "Network scans").

A tenant with a vuln-scan subscription registers scan targets; yunshoud's
scan worker scans only authorised ones:
* loopback services this test starts (allowed only because the test sets
  scan_allow_loopback), authorised by an operator with the reference of a
  written authorisation: exactly the open ports, the planted weaknesses
  (exposed .git/, weak TLS, unauthenticated Redis), findings graded like
  host findings, alerts for the critical/high ones, and a second scan
  diffed against the first (a closed port, a new port, closed findings);
* a host in a network namespace the test creates (10.231.0.2 behind a veth
  pair): refused until an operator approves, then exactly its open ports;
* the root side of that veth (10.231.0.1), reported by the tenant's real
  enrolled agent in its heartbeat: a private address its connections do not
  come from, so it still needs an operator (agent proof is for global
  addresses the agent both reports and connects from: test_scans.c);
* cancellation of a long scan, progress, history, quota, another tenant's
  ids (404), forbidden addresses (metadata, link-local) and bad input (400),
  every refusal in the audit trail.
"""
import os
import shutil
import socket
import subprocess
import sys
import time

import pytest

from conftest import SLOW, assert_error, register_and_approve_tenant
from test_netscan import Redis, SSH, serve, tls_server  # noqa: F401
from test_nodes import agents, token_for  # noqa: F401

NS = "ys-scan-e2e"
ROOT_ADDR, NS_ADDR = "10.231.0.1", "10.231.0.2"


def have_netns():
    return os.geteuid() == 0 and shutil.which("ip") is not None


def sh(*args, check=True):
    return subprocess.run(args, capture_output=True, text=True, timeout=30, check=check)


@pytest.fixture(scope="module")
def netns():
    """A namespace with a veth pair: 10.231.0.1 here, 10.231.0.2 inside."""
    if not have_netns():
        pytest.skip("needs root and iproute2 for a network namespace")
    sh("ip", "netns", "del", NS, check=False)
    sh("ip", "link", "del", "ysscan0", check=False)
    sh("ip", "netns", "add", NS)
    try:
        sh("ip", "link", "add", "ysscan0", "type", "veth", "peer", "name", "ysscan1")
        sh("ip", "link", "set", "ysscan1", "netns", NS)
        sh("ip", "addr", "add", f"{ROOT_ADDR}/24", "dev", "ysscan0")
        sh("ip", "link", "set", "ysscan0", "up")
        sh("ip", "netns", "exec", NS, "ip", "addr", "add", f"{NS_ADDR}/24", "dev", "ysscan1")
        sh("ip", "netns", "exec", NS, "ip", "link", "set", "ysscan1", "up")
        sh("ip", "netns", "exec", NS, "ip", "link", "set", "lo", "up")
        yield NS
    finally:
        sh("ip", "link", "del", "ysscan0", check=False)
        sh("ip", "netns", "del", NS, check=False)


NS_SERVER = r"""
import http.server, os, socket, sys, tempfile, threading, time
site = tempfile.mkdtemp()
os.makedirs(os.path.join(site, ".git"))
with open(os.path.join(site, ".git", "HEAD"), "w") as f:
    f.write("ref: refs/heads/main\n")
class Web(http.server.SimpleHTTPRequestHandler):
    def __init__(self, *a, **kw):
        super().__init__(*a, directory=site, **kw)
    def log_message(self, *a):
        pass
addr, web, *plain = sys.argv[1:]
srv = http.server.ThreadingHTTPServer((addr, int(web)), Web)
threading.Thread(target=srv.serve_forever, daemon=True).start()
socks = []
for p in map(int, plain):
    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, p)); s.listen(16); socks.append(s)
print("ready", flush=True)
time.sleep(120)
"""


@pytest.fixture(scope="module")
def ns_listeners(netns):
    """Inside the namespace: a web server with an exposed .git/ on 8081 and
    two plain listeners (they accept, say nothing)."""
    ports = [2222, 8081, 15432]
    p = subprocess.Popen(["ip", "netns", "exec", netns, sys.executable, "-c", NS_SERVER,
                          NS_ADDR, "8081", "2222", "15432"], stdout=subprocess.PIPE,
                         text=True)
    try:
        assert p.stdout.readline().strip() == "ready"
        yield ports
    finally:
        p.kill()
        p.wait()


@pytest.fixture(scope="module")
def world(make_module_daemon):
    from conftest import first_admin_login
    d = make_module_daemon(conf={"scan_allow_loopback": True, "scan_timeout_ms": 500})
    admin = first_admin_login(d)
    at = admin.token
    plan = d.api("POST", "/v1/plans", at, {"service": "vuln-scan", "name": "漏洞扫描",
                                           "price_fen": 5000})
    assert plan.status == 201, plan
    a = register_and_approve_tenant(d, at, 701)
    b = register_and_approve_tenant(d, at, 702)
    c = register_and_approve_tenant(d, at, 703)   # no subscription
    hp = d.api("POST", "/v1/plans", at, {"service": "host-protection", "name": "主机防护",
                                         "price_fen": 3000})
    assert hp.status == 201, hp
    for t, p, n in ((a, plan, 4), (b, plan, 1), (b, hp, 1)):
        o = d.api("POST", "/v1/orders", at, {"tenant_id": t.id, "plan_id": p.json["id"],
                                             "quantity": n, "months": 12,
                                             "contract_ref": f"HT-{t.id}"})
        assert o.status == 201, o
    return {"d": d, "admin": admin, "a": a, "b": b, "c": c}


def wait_scan(d, token, sid, until=("done", "failed", "cancelled"), timeout=60):
    deadline = time.monotonic() + timeout * SLOW
    while True:
        r = d.api("GET", f"/v1/scans/{sid}", token)
        assert r.status == 200, r
        if r.json["status"] in until:
            return r.json
        assert time.monotonic() < deadline, r.json
        time.sleep(0.1)


def audit(d, at, action):
    r = d.api("GET", f"/v1/audit?action={action}&limit=1000", at)
    assert r.status == 200, r
    return r.json["items"]


def closed_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def test_loopback_scan_after_operator_approval(world, tmp_path):
    d, a, admin = world["d"], world["a"], world["admin"]
    site = tmp_path / "site"
    (site / ".git").mkdir(parents=True)
    (site / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    import http.server

    class Web(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args, **kw):
            super().__init__(*args, directory=str(site), **kw)

        def log_message(self, *args):
            pass

    web, ssh, redis, tls = serve(Web), serve(SSH), serve(Redis), tls_server(str(tmp_path))
    ports = {"http": web.server_address[1], "ssh": ssh.server_address[1],
             "redis": redis.server_address[1], "tls": tls.server_address[1]}
    spare = closed_port()
    spec = ",".join(str(p) for p in sorted([*ports.values(), spare]))
    try:
        t = d.api("POST", "/v1/scan-targets", a.token, {"target": "127.0.0.1", "ports": spec,
                                                        "note": "本机测试服务"})
        assert t.status == 201, t
        tid = t.json["id"]
        assert t.json["status"] == "pending" and t.json["kind"] == "ip", t.json
        assert t.json["addresses"] == ["127.0.0.1"]

        # Not authorised yet: refused, and the refusal is audited.
        r = d.api("POST", f"/v1/scan-targets/{tid}/scans", a.token, {})
        assert_error(r, 403, "forbidden")
        assert "only authorised targets" in r.json["error"]["message"]
        refused = [e for e in audit(d, admin.token, "scan.create") if e["result"] == "forbidden"]
        assert refused and refused[-1]["target"] == f"scan_target/{tid}", refused

        # A tenant cannot approve its own target; an operator does, with a reference.
        assert_error(d.api("POST", f"/v1/scan-targets/{tid}/approve", a.token,
                           {"reference": "self"}), 403)
        ok = d.api("POST", f"/v1/scan-targets/{tid}/approve", admin.token,
                   {"reference": "授权书 SQ-2026-117, 签字人 张三"})
        assert ok.status == 200 and ok.json["status"] == "authorized", ok
        assert ok.json["authorization"] == "operator"
        assert ok.json["authorization_ref"] == "授权书 SQ-2026-117, 签字人 张三"
        assert_error(d.api("POST", f"/v1/scan-targets/{tid}/approve", admin.token,
                           {"reference": "again"}), 409, "conflict")

        # The scan, from the tenant's CLI.
        cli = d.cli(a.username)
        assert cli.run("login", a.username, password=a.password)[0] == 0
        job = cli.ok("scan", "run", str(tid))
        assert job["status"] in ("queued", "running"), job
        # One scan of a target at a time.
        assert_error(d.api("POST", f"/v1/scan-targets/{tid}/scans", a.token, {}), 409)
        done = wait_scan(d, a.token, job["id"])
        assert done["status"] == "done", done
        assert done["ports_done"] == done["ports_total"] == 5 and done["hosts_done"] == 1
        # scan_syn is on by default: raw-socket SYN scan when yunshoud may.
        assert done["method"] == ("syn" if os.geteuid() == 0 else "connect"), done
        res = cli.ok("scan", "results", str(job["id"]))
        got = {p["port"]: p for p in res["ports"]}
        assert set(got) == set(ports.values()), res["ports"]
        assert got[ports["ssh"]]["service"] == "ssh"
        assert got[ports["ssh"]]["product"] == "OpenSSH"
        assert got[ports["redis"]]["service"] == "redis"
        assert got[ports["redis"]]["auth"] == "none"
        assert got[ports["http"]]["service"] == "http"
        assert got[ports["tls"]]["tls"] is True
        found = {(f["port"], f["id"]) for f in res["findings"]}
        for want in [(ports["http"], "http-git-exposed"), (ports["redis"], "redis-unauthenticated"),
                     (ports["tls"], "tls-cert-expired"), (ports["tls"], "tls-cert-self-signed"),
                     (ports["tls"], "tls-1.0-enabled")]:
            assert want in found, (want, sorted(found))
        sev = {f["id"]: (f["severity"], f["severity_zh"]) for f in res["findings"]}
        assert sev["redis-unauthenticated"] == ("critical", "超危")
        assert res["diff"] is None   # the first scan of the target

        # Critical/high findings became the tenant's alerts (not b's).
        al = d.api("GET", "/v1/alerts?module=scan", a.token).json["items"]
        keys = {x["key"] for x in al}
        assert f"127.0.0.1:{ports['redis']}:redis-unauthenticated" in keys, al
        assert d.api("GET", "/v1/alerts?module=scan", world["b"].token).json["items"] == []

        # The worker's start and finish are in the audit trail.
        fin = [e for e in audit(d, admin.token, "scan.finish")
               if e["target"] == f"scan/{job['id']}"]
        assert fin and fin[0]["actor"] == "system:scanner" and fin[0]["result"] == "ok", fin

        # Second scan: redis gone, the spare port now open.
        redis.shutdown()
        redis.server_close()
        new = socket.socket()
        new.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        new.bind(("127.0.0.1", spare))
        new.listen(4)
        try:
            job2 = d.api("POST", f"/v1/scan-targets/{tid}/scans", a.token, {}).json
            assert wait_scan(d, a.token, job2["id"])["status"] == "done"
        finally:
            new.close()
        res2 = d.api("GET", f"/v1/scans/{job2['id']}/results", a.token).json
        diff = res2["diff"]
        assert diff["previous_scan_id"] == job["id"]
        assert [p["port"] for p in diff["new_ports"]] == [spare], diff
        assert [p["port"] for p in diff["closed_ports"]] == [ports["redis"]], diff
        assert diff["new_findings"] == []
        assert {f["id"] for f in diff["closed_findings"]} == {"redis-unauthenticated"}, diff

        hist = cli.ok("scan", "list", "--target", str(tid))["items"]
        assert [h["id"] for h in hist] == [job["id"], job2["id"]]
    finally:
        for s in (web, ssh, tls):
            s.shutdown()
            s.server_close()


def test_cancel_a_running_scan(world):
    d, a, admin = world["d"], world["a"], world["admin"]
    t = d.api("POST", "/v1/scan-targets", a.token, {"target": "::1", "ports": "1-65535",
                                                    "rate": 2000})
    assert t.status == 201, t
    tid = t.json["id"]
    assert d.api("POST", f"/v1/scan-targets/{tid}/approve", admin.token,
                 {"reference": "授权书 SQ-2026-118"}).status == 200
    job = d.api("POST", f"/v1/scan-targets/{tid}/scans", a.token, {}).json
    running = wait_scan(d, a.token, job["id"], until=("running",))
    assert running["ports_total"] in (0, 65535)
    deadline = time.monotonic() + 20 * SLOW
    while d.api("GET", f"/v1/scans/{job['id']}", a.token).json["ports_done"] == 0:
        assert time.monotonic() < deadline
        time.sleep(0.1)
    assert_error(d.api("POST", f"/v1/scans/{job['id']}/cancel", world["b"].token), 404)
    c = d.api("POST", f"/v1/scans/{job['id']}/cancel", a.token)
    assert c.status == 200 and c.json["cancel_requested"] is True, c
    end = wait_scan(d, a.token, job["id"], timeout=20)
    assert end["status"] == "cancelled", end
    assert 0 < end["ports_done"] < 65535, end
    assert_error(d.api("POST", f"/v1/scans/{job['id']}/cancel", a.token), 409, "conflict")
    # Deleting the target frees its unit of quota.
    assert d.api("DELETE", f"/v1/scan-targets/{tid}", a.token).status == 200
    assert_error(d.api("GET", f"/v1/scan-targets/{tid}", a.token), 404)


def test_netns_host_needs_approval_and_agent_reports_addresses(world, ns_listeners,
                                                                  agents):  # noqa: F811
    d, a, b, admin = world["d"], world["a"], world["b"], world["admin"]
    # The namespace's host: the tenant's agents do not report it.
    t = d.api("POST", "/v1/scan-targets", a.token, {"target": NS_ADDR, "ports": "1-20000"})
    assert t.status == 201 and t.json["status"] == "pending", t
    assert_error(d.api("POST", f"/v1/scan-targets/{t.json['id']}/scans", a.token, {}), 403)
    assert d.api("POST", f"/v1/scan-targets/{t.json['id']}/approve", admin.token,
                 {"reference": "授权书 SQ-2026-119"}).status == 200
    job = d.api("POST", f"/v1/scan-targets/{t.json['id']}/scans", a.token, {}).json
    done = wait_scan(d, a.token, job["id"])
    assert done["status"] == "done", done
    res = d.api("GET", f"/v1/scans/{job['id']}/results", a.token).json
    assert [p["port"] for p in res["ports"]] == ns_listeners, res["ports"]
    assert {p["address"] for p in res["ports"]} == {NS_ADDR}
    web = [p for p in res["ports"] if p["port"] == 8081][0]
    assert web["service"] == "http" and web["product"] == "SimpleHTTP", web
    assert ("http-git-exposed", 8081) in {(f["id"], f["port"]) for f in res["findings"]}

    # The root side of the veth is an interface of this host: the tenant's
    # enrolled agent reports it, so that target is authorised at once.
    ag = agents(d)
    assert ag.enroll(token_for(d, b.token)).returncode == 0
    ag.start()
    deadline = time.monotonic() + 20 * SLOW
    while True:
        with d.db() as c:
            n = c.execute("SELECT count(*) FROM node_addresses WHERE node_id = ? AND"
                          " address = ? AND source = 'reported'",
                          (ag.node["node_id"], ROOT_ADDR)).fetchone()[0]
        c.close()
        if n:
            break
        assert time.monotonic() < deadline, ag.log()
        time.sleep(0.2)
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind((ROOT_ADDR, 0))
    srv.listen(4)
    try:
        port = srv.getsockname()[1]
        t2 = d.api("POST", "/v1/scan-targets", b.token, {"target": ROOT_ADDR,
                                                         "ports": str(port)})
        assert t2.status == 201, t2
        # Reported by the agent, but a private address, and not the one its
        # connection comes from (127.0.0.1): an operator must approve it.
        assert t2.json["status"] == "pending", t2.json
        assert d.api("POST", f"/v1/scan-targets/{t2.json['id']}/approve", admin.token,
                     {"reference": "授权书 SQ-2026-120"}).status == 200
        job = d.api("POST", f"/v1/scan-targets/{t2.json['id']}/scans", b.token, {}).json
        assert wait_scan(d, b.token, job["id"])["status"] == "done"
        res = d.api("GET", f"/v1/scans/{job['id']}/results", b.token).json
        assert [p["port"] for p in res["ports"]] == [port]
    finally:
        srv.close()
        ag.stop()
    # b's quota is one target.
    r = d.api("POST", "/v1/scan-targets", b.token, {"target": "10.231.0.9"})
    assert_error(r, 422, "quota_exceeded")
    # The host b's agent reports cannot be authorised for tenant a.
    t3 = d.api("POST", "/v1/scan-targets", a.token, {"target": ROOT_ADDR})
    assert t3.status == 201 and t3.json["status"] == "pending", t3
    r = d.api("POST", f"/v1/scan-targets/{t3.json['id']}/approve", admin.token,
              {"reference": "x"})
    assert_error(r, 409, "conflict")
    assert "another tenant" in r.json["error"]["message"]


def test_isolation_forbidden_addresses_and_bad_input(world):
    d, a, b, c, admin = world["d"], world["a"], world["b"], world["c"], world["admin"]
    items = d.api("GET", "/v1/scan-targets", a.token).json["items"]
    assert items, items
    tid = items[0]["id"]
    # Another tenant's target and scans: 404, nothing listed.
    assert_error(d.api("GET", f"/v1/scan-targets/{tid}", b.token), 404)
    assert_error(d.api("POST", f"/v1/scan-targets/{tid}/scans", b.token, {}), 404)
    assert_error(d.api("DELETE", f"/v1/scan-targets/{tid}", b.token), 404)
    assert all(x["tenant_id"] == b.id for x in d.api("GET", "/v1/scans", b.token).json["items"])
    # Operators see every tenant's targets.
    assert len(d.api("GET", "/v1/scan-targets", admin.token).json["items"]) > len(items) - 1
    # No subscription.
    r = d.api("POST", "/v1/scan-targets", c.token, {"target": "192.0.2.10"})
    assert_error(r, 403, "forbidden")
    assert "vuln-scan" in r.json["error"]["message"]
    before = len(d.api("GET", "/v1/scan-targets", admin.token).json["items"])
    for target, words in [("169.254.169.254", "link-local"),
                          ("100.100.100.200", "Alibaba Cloud metadata"),
                          ("fe80::1", "link-local"), ("224.0.0.1", "multicast"),
                          ("0.0.0.0", "this network"), ("::ffff:169.254.169.254", "link-local"),
                          ("10.0.0.0/16", "prefix"), ("10.0.0.5/24", "host bits"),
                          ("10.0.0.0/", "ADDRESS/PREFIX"), ("300.1.1.1", "not an IP"),
                          ("-bad-.example", "not an IP"), ("a b", "not an IP")]:
        r = d.api("POST", "/v1/scan-targets", a.token, {"target": target})
        assert_error(r, 400, "invalid_field")
        assert words in r.json["error"]["message"], (target, r.json)
    for body in [{"target": "192.0.2.1", "ports": "0-10"}, {"target": "192.0.2.1", "rate": -1},
                 {"target": "192.0.2.1", "extra": 1}, {"target": 5}, {}]:
        assert_error(d.api("POST", "/v1/scan-targets", a.token, body), 400)
    assert len(d.api("GET", "/v1/scan-targets", admin.token).json["items"]) == before


def test_yunshoud_passes_its_own_web_and_tls_checks(world):
    """The scanner's checks on yunshoud's own HTTPS API: no finding at all
    (TLS 1.2+ only, a certificate from its CA for 127.0.0.1, the security
    headers on every answer, errors and exports included)."""
    import json as _json
    from test_netscan import SCAN
    d, a = world["d"], world["a"]
    r = subprocess.run([SCAN, "--target", "127.0.0.1", "--ports", str(d.port), "--json"],
                       capture_output=True, text=True, timeout=60 * SLOW)
    assert r.returncode == 0, r.stderr
    out = _json.loads(r.stdout)
    assert out["open_ports"] == [d.port], out
    assert out["services"][0]["service"] == "https", out
    assert out["findings"] == [], out["findings"]
    for path in ("/v1/nope", "/v1/vuln/findings/export?format=csv"):
        resp = d.api("GET", path, a.token)
        h = {k.lower(): v for k, v in resp.headers.items()}
        assert h["strict-transport-security"].startswith("max-age="), (path, h)
        assert h["x-frame-options"] == "DENY" and h["x-content-type-options"] == "nosniff"
        assert "frame-ancestors 'none'" in h["content-security-policy"]
