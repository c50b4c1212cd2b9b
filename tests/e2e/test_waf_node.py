"""A WAF node run by the control plane (issue 4): an operator makes a waf
enrolment token, `yunshou-waf enroll` enrols the node, and `yunshou-waf run
--node-state` serves what the tenant configured through the API — its site,
origin and custom rule arrive in the signed bundle — blocks attacks, and
the attack events reach the tenant through the node's lossless queue as
waf.attack events, and the node's request counts become the site's
statistics (waf.stats); a change of the site (monitor mode) reaches the running
node as a new bundle version without a restart. A token of another kind
is refused by `yunshou-waf enroll`.

The origin listens on 10.232.0.1, an address on a veth interface the test
creates (tenants' origins may not be loopback addresses).
"""
import http.client
import http.server
import json
import os
import shutil
import socket
import subprocess
import threading
import time

import pytest

from conftest import ROOT, SLOW, NodeProc, _env_base, register_and_approve_tenant

WAF = os.environ.get("YS_WAF", os.path.join(ROOT, "build/src/waf/yunshou-waf"))
ORIGIN_ADDR = "10.232.0.1"
DEV = "yswafe2e0"


def sh(*args, check=True):
    return subprocess.run(args, capture_output=True, text=True, timeout=30, check=check)


@pytest.fixture(scope="module")
def origin():
    if os.geteuid() != 0 or shutil.which("ip") is None:
        pytest.skip("needs root and iproute2 for a veth interface")
    sh("ip", "link", "del", DEV, check=False)
    sh("ip", "link", "add", DEV, "type", "veth", "peer", "name", DEV + "p")
    sh("ip", "addr", "add", f"{ORIGIN_ADDR}/32", "dev", DEV)
    sh("ip", "link", "set", DEV, "up")
    sh("ip", "link", "set", DEV + "p", "up")

    class Echo(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *a):
            pass

        def do_GET(self):
            body = f"origin saw {self.path}".encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    srv = http.server.ThreadingHTTPServer((ORIGIN_ADDR, 0), Echo)
    srv.daemon_threads = True
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    try:
        yield srv.server_address[1]
    finally:
        srv.shutdown()
        srv.server_close()
        sh("ip", "link", "del", DEV, check=False)


class Node(NodeProc):
    def __init__(self, d):
        super().__init__("ys-wafnode-")
        self.d = d
        self.port = None

    def enroll(self, token):
        return subprocess.run([WAF, "enroll", "--state", self.state, "--server", self.d.url,
                               "--token", token, "--ca-fingerprint", self.d.ca_fingerprint],
                              capture_output=True, text=True, timeout=60 * SLOW,
                              env=_env_base(self.tmp))

    def start(self):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        self.port = s.getsockname()[1]
        s.close()
        self.events = os.path.join(self.tmp, "events.jsonl")
        self.spawn([WAF, "run", "--node-state", self.state, "--listen", f"127.0.0.1:{self.port}",
                    "--events", self.events, "--workers", "2"])

    def request(self, path, headers=None):
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10 * SLOW)
        try:
            c.request("GET", path, headers={"Host": "shop.e2e.example.cn", **(headers or {})})
            r = c.getresponse()
            return r.status, r.read().decode("utf-8", "replace")
        finally:
            c.close()


def until(what, fn, timeout=30):
    deadline = time.monotonic() + timeout * SLOW
    while True:
        v = fn()
        if v:
            return v
        assert time.monotonic() < deadline, what
        time.sleep(0.2)


@pytest.fixture(scope="module")
def world(make_module_daemon):
    from conftest import first_admin_login
    d = make_module_daemon(conf={"waf_cname_zone": "waf.e2e.example.net"})
    admin = first_admin_login(d)
    at = admin.token
    plan = d.api("POST", "/v1/plans", at, {"service": "waf", "name": "网站防护",
                                           "price_fen": 50000})
    assert plan.status == 201, plan
    a = register_and_approve_tenant(d, at, 451)
    b = register_and_approve_tenant(d, at, 452)
    o = d.api("POST", "/v1/orders", at, {"tenant_id": a.id, "plan_id": plan.json["id"],
                                         "quantity": 1, "months": 12, "contract_ref": "HT-451"})
    assert o.status == 201, o
    # WAF nodes look for a new bundle every second in this test.
    p = d.api("POST", "/v1/policies", at, {"kind": "waf", "policy": {
        "heartbeat_seconds": 1, "modules": {}}})
    assert p.status in (200, 201), p
    return {"d": d, "admin": admin, "a": a, "b": b}


def test_wrong_kind_token_is_refused(world):
    d, a = world["d"], world["a"]
    n = Node(d)
    try:
        tok = d.api("POST", "/v1/enrolment-tokens", world["admin"].token, {"kind": "scrubber"})
        assert tok.status == 201, tok
        r = n.enroll(tok.json["token"])
        assert r.returncode == 1 and "kind scrubber, not waf" in r.stderr, r
        assert not os.path.exists(os.path.join(n.state, "node.json"))
    finally:
        n.close()
    del a


def test_node_serves_the_tenants_site_and_reports_attacks(world, origin):
    d, a, b, admin = world["d"], world["a"], world["b"], world["admin"]
    s = d.api("POST", "/v1/sites", a.token, {"name": "shop", "domains": ["shop.e2e.example.cn"],
                                             "mode": "block"})
    assert s.status == 201, s
    sid = s.json["id"]
    r = d.api("POST", f"/v1/sites/{sid}/origins", a.token,
              {"address": ORIGIN_ADDR, "port": origin, "scheme": "http"})
    assert r.status == 201, r
    r = d.api("POST", f"/v1/sites/{sid}/rules", a.token,
              {"name": "no test probes", "field": "header:x-probe", "operator": "equals",
               "value": "evil", "action": "block"})
    assert r.status == 201, r

    n = Node(d)
    try:
        tok = d.api("POST", "/v1/enrolment-tokens", admin.token, {"kind": "waf"})
        assert tok.status == 201, tok
        e = n.enroll(tok.json["token"])
        assert e.returncode == 0, e
        n.start()
        # The site from the control plane is served.
        until("the site is served", lambda: n.proc.poll() is None and
              _try(n, "/hello") == (200, "origin saw /hello"))
        st = os.stat(os.path.join(n.state, "waf-sites.json"))
        assert st.st_mode & 0o777 == 0o600
        # An SQL injection and the tenant's custom rule are blocked.
        code, body = n.request("/item?id=1%27%20UNION%20SELECT%20password%20FROM%20users--")
        assert code == 403, (code, body)
        code, _ = n.request("/fine", {"X-Probe": "evil"})
        assert code == 403
        assert n.request("/fine", {"X-Probe": "ok"})[0] == 200
        # The attacks reach the tenant as waf.attack events, not tenant b.
        def blocked():
            items = d.api("GET", f"/v1/waf/events?site_id={sid}", a.token).json["items"]
            got = [x for x in items if x["action"] == "block"]
            return got if len(got) >= 2 else None

        evs = until("events at the control plane", blocked)
        cats = {x["category"] for x in evs}
        assert "sqli" in cats and "custom" in cats, evs
        assert all(x["client_ip"] == "127.0.0.1" for x in evs)
        assert d.api("GET", "/v1/waf/events", b.token).json["items"] == []
        # The node's counts (waf.stats every 10 s) become the site's statistics.
        stats = until("site statistics", lambda: (lambda j: j if j["blocked"] >= 2 else None)(
            d.api("GET", f"/v1/sites/{sid}/stats", a.token).json), timeout=40)
        assert stats["requests"] >= 4 and stats["blocked"] == 2, stats

        # Monitor mode: the running node takes the new bundle; attacks pass.
        u = d.api("POST", f"/v1/sites/{sid}/update", a.token, {"mode": "monitor"})
        assert u.status == 200, u
        until("monitor mode applied", lambda: _try(
            n, "/item?id=1%27%20UNION%20SELECT%20password%20FROM%20users--")[0] == 200)
        n.stop()
        log = n.read_log()
        assert "new policy from the control plane" in log, log
    finally:
        n.close()


def _try(n, path):
    try:
        return n.request(path)
    except OSError:
        return None
