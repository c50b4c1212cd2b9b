"""A scrubber run by the control plane (issue 6): an operator sets the
provider's scrubber policy and makes a scrubber enrolment token,
`yunshou-scrubber enroll` enrols the node, and `yunshou-scrubber run` with
`node_state` takes the signed bundle with the tenant's protected object from
the control plane, attaches its XDP program, detects a UDP flood on the
object's address, and the attack report reaches the tenant — and no other
tenant — through the node's lossless queue. A token of another kind is
refused by `yunshou-scrubber enroll`.

Topology: a network namespace holds the protected address 10.78.0.2 on a
veth whose other end (10.78.0.1) stays here; yunshoud's node API listens on
10.78.0.1, hping3 floods from here. Nothing leaves the pair.
"""
import json
import os
import re
import shutil
import signal
import subprocess
import time

import pytest

from conftest import ROOT, SLOW, NodeProc, _env_base, register_and_approve_tenant

SCRUBBER = os.environ.get("YS_SCRUBBER", os.path.join(ROOT, "build/src/scrubber/yunshou-scrubber"))
TAG = "%x" % (os.getpid() % 0xfffff)
NS = "ysdn-" + TAG
HOST_IF, NS_IF = "ysdh" + TAG, "ysdn" + TAG
HOST_ADDR, PROTECTED = "10.78.0.1", "10.78.0.2"

pytestmark = pytest.mark.skipif(
    os.geteuid() != 0 or not shutil.which("hping3") or not shutil.which("ip"),
    reason="needs root, hping3 and iproute2")


def sh(*args, check=True):
    return subprocess.run(list(args), capture_output=True, text=True, timeout=30, check=check)


@pytest.fixture(scope="module")
def netns():
    sh("ip", "netns", "del", NS, check=False)
    sh("ip", "netns", "add", NS)
    try:
        sh("ip", "link", "add", HOST_IF, "type", "veth", "peer", "name", NS_IF, "netns", NS)
        sh("ip", "addr", "add", HOST_ADDR + "/24", "dev", HOST_IF)
        sh("ip", "link", "set", HOST_IF, "up")
        sh("ip", "netns", "exec", NS, "ip", "addr", "add", PROTECTED + "/24", "dev", NS_IF)
        sh("ip", "netns", "exec", NS, "ip", "link", "set", NS_IF, "up")
        sh("ip", "netns", "exec", NS, "ip", "link", "set", "lo", "up")
        yield NS
    finally:
        sh("ip", "link", "del", HOST_IF, check=False)
        sh("ip", "netns", "del", NS, check=False)


@pytest.fixture(scope="module")
def world(netns, make_module_daemon):
    from conftest import first_admin_login, free_port
    node_port = free_port()
    d = make_module_daemon(conf={"ddos_zone": "ddos.e2e.example", "ddos_allow_private": True,
                                 "node_listen": f"{HOST_ADDR}:{node_port}"},
                           init_args=("--san", HOST_ADDR))
    admin = first_admin_login(d)
    at = admin.token
    plan = d.api("POST", "/v1/plans", at, {"service": "anti-ddos", "name": "高防",
                                           "price_fen": 80000, "bandwidth_mbps": 100})
    assert plan.status == 201, plan
    a = register_and_approve_tenant(d, at, 651)
    b = register_and_approve_tenant(d, at, 652)
    o = d.api("POST", "/v1/orders", at, {"tenant_id": a.id, "plan_id": plan.json["id"],
                                         "quantity": 1, "months": 12, "contract_ref": "HT-651"})
    assert o.status == 201, o
    r = admin.cli.ok("policy", "set", "--kind", "scrubber", "--policy", json.dumps(
        {"scrubbing": ["10.78.9.10"], "thresholds": {"pps": 2000}}))
    assert r["kind"] == "scrubber", r
    return {"d": d, "admin": admin, "a": a, "b": b,
            "node_url": f"https://{HOST_ADDR}:{node_port}"}


class Scrubber(NodeProc):
    def __init__(self, w):
        super().__init__("ys-scrnode-")
        self.w = w

    def enroll(self, token):
        d = self.w["d"]
        return subprocess.run([SCRUBBER, "enroll", "--state", self.state, "--server", d.url,
                               "--token", token, "--ca-fingerprint", d.ca_fingerprint,
                               "--node-url", self.w["node_url"]],
                              capture_output=True, text=True, timeout=60 * SLOW,
                              env=_env_base(self.tmp))

    def start(self):
        self.config = os.path.join(self.tmp, "scrubber.json")
        self.events = os.path.join(self.tmp, "events.jsonl")
        with open(self.config, "w") as f:
            json.dump({"interface": NS_IF, "xdp_mode": "generic", "node_state": self.state,
                       "events": self.events, "forward": False}, f)
        self.spawn(["ip", "netns", "exec", NS, SCRUBBER, "run", "--config", self.config])


def until(what, fn, timeout=30):
    deadline = time.monotonic() + timeout * SLOW
    while True:
        v = fn()
        if v:
            return v
        assert time.monotonic() < deadline, what
        time.sleep(0.2)


def test_wrong_kind_token_is_refused(world):
    s = Scrubber(world)
    try:
        tok = world["d"].api("POST", "/v1/enrolment-tokens", world["admin"].token,
                             {"kind": "waf"})
        assert tok.status == 201, tok
        r = s.enroll(tok.json["token"])
        assert r.returncode == 1 and "kind waf, not scrubber" in r.stderr, r
    finally:
        s.close()


def test_flood_reported_to_the_tenant(world):
    d, a, b, admin = world["d"], world["a"], world["b"], world["admin"]
    obj = d.api("POST", "/v1/ddos/objects", a.token, {
        "name": "shop", "ips": [{"addr": PROTECTED,
                                 "services": [{"proto": "tcp", "ports": [80]}]}],
        "thresholds": {"pps": 1000, "min_pps": 500, "consecutive": 3, "quiet_ms": 1000}})
    assert obj.status == 201, obj
    s = Scrubber(world)
    try:
        tok = d.api("POST", "/v1/enrolment-tokens", admin.token, {"kind": "scrubber"})
        assert tok.status == 201, tok
        r = s.enroll(tok.json["token"])
        assert r.returncode == 0, r
        s.start()
        until("XDP attached with the control plane's bundle", lambda: s.proc.poll() is None and
              re.search(r"XDP attached to \S+ \(generic mode\); policy version \d+: 1 addresses",
                        s.read_log()))
        # Capabilities are per thread: none keeps more than CAP_BPF and
        # CAP_NET_ADMIN, and the node link's sender thread keeps none.
        caps = {}
        for tid in os.listdir(f"/proc/{s.proc.pid}/task"):
            with open(f"/proc/{s.proc.pid}/task/{tid}/status") as f:
                caps[tid] = int(re.search(r"CapEff:\s*([0-9a-f]+)", f.read()).group(1), 16)
        assert len(caps) >= 2 and all(v & ~((1 << 12) | (1 << 39)) == 0
                                      for v in caps.values()), caps
        assert 0 in caps.values(), caps
        # A UDP flood to a port the object does not serve.
        p = subprocess.Popen(["hping3", "-q", "-i", "u100", "--udp", "-p", "9999", PROTECTED],
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                             start_new_session=True)
        time.sleep(3)
        os.killpg(p.pid, signal.SIGINT)
        out = p.communicate(timeout=10)[0]
        sent = int(re.search(r"(\d+) packets transmitted", out).group(1))
        assert sent > 5000, out

        def ended():
            items = d.api("GET", "/v1/ddos/attacks", a.token).json["items"]
            done = [x for x in items if x.get("end_at") or x.get("status") == "ended"]
            return done or None

        attacks = until("the attack report at the control plane", ended, timeout=40)
        att = d.api("GET", f"/v1/ddos/attacks/{attacks[0]['id']}", a.token).json
        assert att["ip"] == PROTECTED and att["status"] == "ended", att
        assert "udp-flood" in att["vectors"], att
        assert att["dropped_pkts"] >= sent // 2, (sent, att)
        assert att["top_sources"][0]["addr"] == HOST_ADDR, att
        assert att["peak_pps"] >= 1000, att
        # The tenant's alert; nothing for tenant b.
        al = d.api("GET", "/v1/alerts?module=ddos", a.token).json["items"]
        assert al and al[0]["type"] == "ddos.attack", al
        assert d.api("GET", "/v1/ddos/attacks", b.token).json["items"] == []
        s.stop()
    finally:
        s.close()
