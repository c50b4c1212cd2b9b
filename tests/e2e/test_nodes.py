"""The node life cycle with the real yunshou-agent (issue 3): enrolment with
a one-time token and the CA fingerprint, mTLS heartbeats, signed policy
bundles kept on disk, the lossless event queue (kill -9 of either side), and
the security rules around it: reused, expired and over-quota tokens, revoked
nodes, tenant isolation of nodes and events, and node identity taken from
the certificate only.
"""
import http.client
import json
import os
import shutil
import signal
import ssl
import subprocess
import tempfile
import time

import pytest

from conftest import (ROOT, SLOW, _env_base, assert_error, register_and_approve_tenant,
                      sanitizer_free)

AGENT = os.environ.get("YS_AGENT", os.path.join(ROOT, "build/src/agent/yunshou-agent"))


def wait_for(pred, what, timeout=20):
    deadline = time.monotonic() + timeout * SLOW
    while time.monotonic() < deadline:
        v = pred()
        if v:
            return v
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


class Agent:
    """One yunshou-agent with its own state directory."""

    def __init__(self, d):
        self.d = d
        self.tmp = tempfile.mkdtemp(prefix="ys-agent-")
        self.state = os.path.join(self.tmp, "state")
        self.proc = None
        self.logs = []

    def run_cmd(self, *args, timeout=60):
        return subprocess.run([AGENT, *args], capture_output=True, text=True,
                              timeout=timeout * SLOW, env=_env_base(self.tmp))

    def enroll(self, token, fingerprint=None):
        return self.run_cmd("enroll", "--state", self.state, "--server", self.d.url,
                            "--token", token, "--ca-fingerprint",
                            fingerprint or self.d.ca_fingerprint)

    def start(self, *extra, env=None):
        path = os.path.join(self.tmp, f"agent.{len(self.logs) + 1}.log")
        self.logs.append(path)
        self._log = open(path, "wb")
        e = _env_base(self.tmp)
        e.update(env or {})
        self.proc = subprocess.Popen([AGENT, "run", "--state", self.state, *extra],
                                     stdout=self._log, stderr=subprocess.STDOUT,
                                     env=e, start_new_session=True)
        return self

    def log(self):
        out = ""
        for p in self.logs:
            with open(p, "rb") as fh:
                out += fh.read().decode("utf-8", "replace")
        return out

    def stop(self):
        if self.proc is None:
            return
        self.proc.send_signal(signal.SIGTERM)
        rc = self.proc.wait(timeout=20 * SLOW)
        self.proc = None
        self._log.close()
        assert rc == 0, self.log()
        assert sanitizer_free(self.log()), self.log()

    def kill(self):
        if self.proc is not None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
            self.proc = None
            self._log.close()

    def close(self):
        try:
            self.kill()
        finally:
            shutil.rmtree(self.tmp, ignore_errors=True)

    @property
    def node(self):
        with open(os.path.join(self.state, "node.json")) as fh:
            return json.load(fh)

    def node_api(self, method, path, body=None, cert=True):
        """A request to the node API with this agent's certificate."""
        ctx = ssl.create_default_context(cafile=self.d.ca)
        if cert:
            ctx.load_cert_chain(os.path.join(self.state, "node.crt"),
                                os.path.join(self.state, "node.key"))
        conn = http.client.HTTPSConnection("127.0.0.1", self.d.node_port, context=ctx,
                                           timeout=30 * SLOW)
        try:
            data = json.dumps(body).encode() if body is not None else None
            conn.request(method, path, body=data,
                         headers={"Content-Type": "application/json"} if data else {})
            r = conn.getresponse()
            raw = r.read()
            return r.status, (json.loads(raw) if raw else None)
        finally:
            conn.close()


@pytest.fixture
def agents():
    made = []

    def make(d):
        a = Agent(d)
        made.append(a)
        return a
    yield make
    for a in made:
        a.close()


@pytest.fixture(scope="module")
def world(daemon, admin):
    """Tenants A (10 hosts of quota) and B (1 host)."""
    d = daemon
    at = admin.token
    plan = d.api("POST", "/v1/plans", at, {"service": "host-protection", "name": "主机防护",
                                           "price_fen": 3000})
    assert plan.status == 201, plan
    a = register_and_approve_tenant(d, at, 301)
    b = register_and_approve_tenant(d, at, 302)
    for t, q in ((a, 10), (b, 1)):
        o = d.api("POST", "/v1/orders", at, {"tenant_id": t.id, "plan_id": plan.json["id"],
                                             "quantity": q, "months": 12,
                                             "contract_ref": f"HT-{t.id}"})
        assert o.status == 201 and o.json["status"] == "approved", o
    return {"d": d, "admin": admin, "a": a, "b": b}


def token_for(d, tenant_token, kind="agent"):
    r = d.api("POST", "/v1/enrolment-tokens", tenant_token, {"kind": kind})
    assert r.status == 201, r
    return r.json["token"]


def events_of(d, node_id):
    with d.db() as c:
        rows = c.execute("SELECT seq FROM node_events WHERE node_id = ?", (node_id,)).fetchall()
    c.close()
    return [r[0] for r in rows]


def test_enrol_heartbeat_policy_events(world, agents):
    d, a = world["d"], world["a"]
    ag = agents(d)
    r = ag.enroll(token_for(d, a.token))
    assert r.returncode == 0, r.stderr
    node = ag.node
    nid = node["node_id"]
    assert node["tenant_id"] == a.id and node["kind"] == "agent"
    # the private key never leaves the host and is 0600
    assert os.stat(os.path.join(ag.state, "node.key")).st_mode & 0o777 == 0o600
    ag.start("--selftest-events", "50")
    wait_for(lambda: len(events_of(d, nid)) == 50, "50 selftest events")
    n = wait_for(lambda: (lambda j: j if j["policy_version"] >= 1 else None)(
        d.api("GET", f"/v1/nodes/{nid}", a.token).json), "a heartbeat with the policy")
    assert n["health"] == "online" and n["policy_stale"] is False, n
    assert n["module_status"].get("selftest") in ("running", "done"), n
    # the tenant sees its node and its events through the CLI
    cli = d.cli(a.username)
    assert cli.run("login", a.username, password=a.password)[0] == 0
    nodes = cli.ok("node", "list")["items"]
    assert [x["id"] for x in nodes] == [nid]
    evs = cli.ok("event", "list", "--node", str(nid), "--limit", "1000")["items"]
    assert sorted(e["seq"] for e in evs) == list(range(1, 51))
    assert all(e["module"] == "selftest" and e["payload"]["n"] == e["seq"] for e in evs)
    # a new policy makes the node stale until it fetches it
    p = d.api("POST", "/v1/policies", a.token,
              {"kind": "agent", "policy": {"modules": {"selftest": {"enabled": False}}}})
    assert p.status == 201, p
    assert d.api("GET", f"/v1/nodes/{nid}", a.token).json["policy_stale"] is True
    ag.stop()
    ag.start()      # the first heartbeat of a run fetches what changed
    wait_for(lambda: d.api("GET", f"/v1/nodes/{nid}", a.token).json["policy_stale"] is False,
             "the new policy in force")
    ag.stop()
    st = ag.run_cmd("status", "--state", ag.state)
    assert f"version {p.json['version']} (signature verified)" in st.stdout, st.stdout
    # the qualification checklist now has live evidence for §3.3.1
    cl = d.api("GET", "/v1/qual/checklist", world["admin"].token).json
    st = {it["id"]: it["status"] for it in cl["items"]}
    assert st["3.3.1-1"] == "met", st
    assert st["3.3.1-2"] in ("met", "not_met")
    # enrolment, token and policy changes are audited
    actions = [e["action"] for e in d.api("GET", "/v1/audit?limit=1000",
                                          world["admin"].token).json["items"]]
    assert {"node.token.create", "node.enroll", "policy.set"} <= set(actions)


def test_tokens_are_one_time_expiring_and_checked(world, agents):
    d, a = world["d"], world["a"]
    tok = token_for(d, a.token)
    first = agents(d)
    assert first.enroll(tok).returncode == 0
    again = agents(d)
    r = again.enroll(tok)
    assert r.returncode != 0 and "invalid, used or expired" in r.stderr, r.stderr
    # an expired token
    tok2 = token_for(d, a.token)
    with d.db() as c:
        c.execute("UPDATE enrolment_tokens SET expires_at = 1 WHERE used_at IS NULL")
    c.close()
    r = agents(d).enroll(tok2)
    assert r.returncode != 0 and "invalid, used or expired" in r.stderr, r.stderr
    # a wrong CA fingerprint: refused before anything is sent
    tok3 = token_for(d, a.token)
    r = agents(d).enroll(tok3, fingerprint="00" * 32)
    assert r.returncode != 0 and "refusing to enrol" in r.stderr, r.stderr
    # tenant users cannot make tokens; a tenant admin cannot make WAF tokens
    r = d.api("POST", "/v1/enrolment-tokens", a.token, {"kind": "waf"})
    assert_error(r, 403, "forbidden")


def test_quota_bounds_enrolment_and_revocation_frees_it(world, agents):
    d, b, admin = world["d"], world["b"], world["admin"]
    tok = token_for(d, b.token)
    # one unit of quota: a second outstanding token is refused
    assert_error(d.api("POST", "/v1/enrolment-tokens", b.token, {"kind": "agent"}), 422,
                 "quota_exceeded")
    ag = agents(d)
    assert ag.enroll(tok).returncode == 0
    nid = ag.node["node_id"]
    assert_error(d.api("POST", "/v1/enrolment-tokens", b.token, {"kind": "agent"}), 422,
                 "quota_exceeded")
    q = {x["service"]: x for x in d.api("GET", "/v1/quotas", b.token).json["items"]}
    assert (q["host-protection"]["limit"], q["host-protection"]["used"]) == (1, 1)
    assert ag.node_api("POST", "/v1/node/heartbeat", {"version": "x"})[0] == 200
    # revoke: refused at once, quota freed, audited
    r = d.api("POST", f"/v1/nodes/{nid}/revoke", b.token, {})
    assert r.status == 200 and r.json["health"] == "revoked", r
    status, body = ag.node_api("POST", "/v1/node/heartbeat", {"version": "x"})
    assert status == 401 and body["error"]["code"] == "unauthorized", body
    assert ag.node_api("GET", "/v1/node/policy")[0] == 401
    assert ag.node_api("POST", "/v1/node/events", {"events": []})[0] == 401
    q = {x["service"]: x for x in d.api("GET", "/v1/quotas", b.token).json["items"]}
    assert q["host-protection"]["used"] == 0
    assert token_for(d, b.token)
    assert_error(d.api("POST", f"/v1/nodes/{nid}/revoke", admin.token, {}), 409, "conflict")
    audit = d.api("GET", "/v1/audit?action=node.revoke", admin.token).json["items"]
    assert any(e["target"] == f"node/{nid}" and e["result"] == "ok" for e in audit)


def test_isolation_and_identity_from_the_certificate(world, agents):
    d, a, b = world["d"], world["a"], world["b"]
    ag = agents(d)
    assert ag.enroll(token_for(d, a.token)).returncode == 0
    nid = ag.node["node_id"]
    # the body cannot claim another node or tenant: unknown fields are refused,
    # and what is stored carries the certificate's node and tenant
    status, body = ag.node_api("POST", "/v1/node/events", {"events": [
        {"seq": 1, "time_ms": 1, "module": "fim", "type": "fim.modified",
         "payload": {"path": "/etc/hosts", "tenant_id": b.id}}]})
    assert status == 200 and body["accepted"] == 1, body
    status, body = ag.node_api("POST", "/v1/node/events", {"tenant_id": b.id, "events": []})
    assert status == 400 and body["error"]["code"] == "unknown_field", body
    with d.db() as c:
        row = c.execute("SELECT node_id, tenant_id FROM node_events WHERE node_id = ?",
                        (nid,)).fetchone()
    c.close()
    assert tuple(row) == (nid, a.id)
    # tenant B sees neither the node, its events nor its alerts
    assert_error(d.api("GET", f"/v1/nodes/{nid}", b.token), 404, "not_found")
    assert_error(d.api("POST", f"/v1/nodes/{nid}/revoke", b.token, {}), 404, "not_found")
    assert all(n["tenant_id"] == b.id for n in d.api("GET", "/v1/nodes", b.token).json["items"])
    assert d.api("GET", f"/v1/events?node_id={nid}", b.token).json["items"] == []
    assert all(x["tenant_id"] == b.id for x in d.api("GET", "/v1/alerts", b.token).json["items"])
    # a client certificate is required on the node API; node routes are not
    # served on the user API
    with pytest.raises((ssl.SSLError, ConnectionResetError, BrokenPipeError, OSError)):
        ag.node_api("GET", "/v1/node/policy", cert=False)
    assert_error(d.api("GET", "/v1/node/policy", a.token), 404, "not_found")


def test_alerts_group_and_follow_their_life_cycle(world, agents):
    d, a, admin = world["d"], world["a"], world["admin"]
    ag = agents(d)
    assert ag.enroll(token_for(d, a.token)).returncode == 0
    nid = ag.node["node_id"]
    now = int(time.time() * 1000)
    evs = [{"seq": i, "time_ms": now, "module": "ids", "type": "ids.brute_force",
            "payload": {"key": "203.0.113.7", "source": "203.0.113.7", "count": 6}}
           for i in range(1, 4)]
    assert ag.node_api("POST", "/v1/node/events", {"events": evs})[1]["accepted"] == 3
    # a duplicate delivery changes nothing
    assert ag.node_api("POST", "/v1/node/events", {"events": evs})[1]["duplicates"] == 3
    al = [x for x in d.api(f"GET", f"/v1/alerts?node_id={nid}", a.token).json["items"]]
    assert len(al) == 1 and al[0]["count"] == 18 and al[0]["key"] == "203.0.113.7", al
    assert al[0]["severity"] == "high" and al[0]["title_zh"] == "SSH 暴力破解"
    aid = al[0]["id"]
    r = d.api("POST", f"/v1/alerts/{aid}/acknowledge", a.token, {"note": "已通知运维"})
    assert r.status == 200 and r.json["status"] == "acknowledged", r
    assert_error(d.api("POST", f"/v1/alerts/{aid}/acknowledge", a.token, {}), 409, "conflict")
    r = d.api("POST", f"/v1/alerts/{aid}/resolve", admin.token, {"note": "已封禁"})
    assert r.status == 200 and r.json["status"] == "resolved", r
    # after resolution the same source opens a new alert
    ev = dict(evs[0], seq=4)
    assert ag.node_api("POST", "/v1/node/events", {"events": [ev]})[1]["accepted"] == 1
    al = d.api("GET", f"/v1/alerts?node_id={nid}&status=open", a.token).json["items"]
    assert len(al) == 1 and al[0]["id"] != aid and al[0]["count"] == 6


def test_ten_thousand_events_survive_kill_9_of_both_sides(world, agents):
    """kill -9 of the agent and of yunshoud mid-stream: exactly 10,000 stored."""
    d, a = world["d"], world["a"]
    ag = agents(d)
    assert ag.enroll(token_for(d, a.token)).returncode == 0
    nid = ag.node["node_id"]
    total = 10000
    ag.start("--selftest-events", str(total))
    wait_for(lambda: len(events_of(d, nid)) >= 1500, "the first events")
    ag.kill()
    ag.start("--selftest-events", str(total))
    wait_for(lambda: len(events_of(d, nid)) >= 5000, "more events")
    d.kill()
    time.sleep(0.5)
    d.start()
    wait_for(lambda: len(events_of(d, nid)) >= total, "all events", timeout=120)
    ag.stop()
    seqs = events_of(d, nid)
    assert len(seqs) == total and sorted(seqs) == list(range(1, total + 1))
    st = ag.run_cmd("status", "--state", ag.state)
    assert f"0 pending, last seq {total}, acknowledged through {total}" in st.stdout, st.stdout


def test_ids_brute_force_becomes_one_alert_and_blocks_are_audited(world, agents):
    """sshd failures in the log the agent follows: one alert with the right
    count; the active response's block is an audit entry."""
    d, a, admin = world["d"], world["a"], world["admin"]
    ag = agents(d)
    assert ag.enroll(token_for(d, a.token)).returncode == 0
    nid = ag.node["node_id"]
    logf = os.path.join(ag.tmp, "auth.log")
    nft = os.path.join(ag.tmp, "nft")
    with open(nft, "w") as fh:
        fh.write(f"#!/bin/sh\necho \"$*\" >> '{ag.tmp}/nft.args'\n")
    os.chmod(nft, 0o700)
    open(logf, "w").close()
    r = d.api("POST", "/v1/policies", a.token, {"kind": "agent", "policy": {"modules": {
        "ids": {"enabled": True, "files": [logf], "brute_force_failures": 5,
                "brute_force_seconds": 60, "active_response": True, "block_seconds": 120,
                "allow_list": "127.0.0.1"}}}})
    assert r.status == 201, r
    # the nft binary is the host's choice (environment), never the policy's
    ag.start(env={"YUNSHOU_NFT": nft})
    wait_for(lambda: d.api("GET", f"/v1/nodes/{nid}", a.token).json["policy_stale"] is False,
             "the IDS policy in force")
    time.sleep(0.7)
    with open(logf, "a") as fh:
        for i in range(12):
            fh.write(f"Nov 23 22:44:{i:02d} web01 sshd[{900 + i}]: Failed password for root "
                     f"from 203.0.113.77 port {40000 + i} ssh2\n")
    al = wait_for(lambda: [x for x in d.api("GET", f"/v1/alerts?node_id={nid}&type=ids.brute_force",
                                             a.token).json["items"] if x["count"] == 12],
                  "one brute-force alert counting 12 failures")
    assert len(al) == 1 and al[0]["key"] == "203.0.113.77"
    audit = wait_for(lambda: d.api("GET", "/v1/audit?action=ids.blocked",
                                   admin.token).json["items"], "the audited block")
    assert audit[0]["actor"] == f"node-{nid}" and audit[0]["target"] == "203.0.113.77"
    assert audit[0]["tenant_id"] == a.id
    with open(os.path.join(ag.tmp, "nft.args")) as fh:
        assert "add element inet yunshou block4 { 203.0.113.77 timeout 120s }" in fh.read()
    ag.stop()
    v = d.api("GET", "/v1/audit/verify", admin.token).json
    assert v["ok"] is True, v


def eicar():
    # assembled here so that the repository itself holds no test virus
    return ("X5O!P%@AP[4\\PZX54(P^)7CC)7}$" + "EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*")


def test_fim_alert_and_malware_quarantine_restored_through_the_cli(world, agents):
    """A watched file changes: an alert within 2 s. An EICAR file appears:
    detected, quarantined, and restored through the CLI with its mode."""
    d, a = world["d"], world["a"]
    ag = agents(d)
    assert ag.enroll(token_for(d, a.token)).returncode == 0
    nid = ag.node["node_id"]
    tree = os.path.join(ag.tmp, "www")
    os.makedirs(tree)
    conf = os.path.join(tree, "app.conf")
    with open(conf, "w") as fh:
        fh.write("listen 80\n")
    r = d.api("POST", "/v1/policies", a.token, {"kind": "agent", "policy": {
        "heartbeat_seconds": 1, "modules": {
            "fim": {"enabled": True, "paths": [tree], "realtime": True},
            "malware": {"enabled": True, "paths": [tree], "quarantine": True,
                        "scan_hours": 24}}}})
    assert r.status == 201, r
    ag.start()
    wait_for(lambda: d.api("GET", f"/v1/events?node_id={nid}&type=fim.baseline",
                           a.token).json["items"], "the FIM baseline")
    t0 = time.monotonic()
    with open(conf, "a") as fh:
        fh.write("listen 8080\n")
    al = wait_for(lambda: [x for x in d.api("GET", f"/v1/alerts?node_id={nid}&module=fim",
                                            a.token).json["items"] if x["key"] == conf],
                  "the FIM alert", timeout=5)
    elapsed = time.monotonic() - t0
    assert elapsed < 2.0 * SLOW, elapsed
    assert al[0]["type"] == "fim.modified" and al[0]["sample"]["before"]["sha256"] != \
        al[0]["sample"]["after"]["sha256"]
    # malware: detected, quarantined, gone from its place
    bad = os.path.join(tree, "upload.txt")
    with open(bad, "w") as fh:
        fh.write(eicar())
    os.chmod(bad, 0o640)
    wait_for(lambda: not os.path.exists(bad), "the quarantine")
    cli = d.cli(a.username)
    assert cli.run("login", a.username, password=a.password)[0] == 0
    items = wait_for(lambda: cli.ok("quarantine", "list", "--node", str(nid))["items"],
                     "the quarantine listing")
    assert items[0]["path"] == bad, items
    det = d.api("GET", f"/v1/alerts?node_id={nid}&module=malware", a.token).json["items"]
    # the EICAR rule rates the test file "low"; the alert carries the rule's rating
    assert det and det[0]["type"] == "malware.detected" and det[0]["key"] == bad, det
    assert det[0]["severity"] == det[0]["sample"]["severity"]
    # restored through the CLI: the file is back with its mode, and audited
    cli.ok("quarantine", "restore", str(nid), "--item", items[0]["item"])
    wait_for(lambda: os.path.exists(bad), "the restore")
    assert os.stat(bad).st_mode & 0o777 == 0o640
    with open(bad) as fh:
        assert fh.read() == eicar()
    # an on-demand full scan through the CLI: its summary event arrives, and the
    # restored file (allow-listed by its restore) is not quarantined again
    cmd = cli.ok("node", "scan", str(nid))
    assert cmd["type"] == "malware.scan" and cmd["status"] == "pending", cmd
    scans = wait_for(lambda: [e for e in d.api("GET", f"/v1/events?node_id={nid}&type=malware.scan",
                                               a.token).json["items"]
                              if e["payload"].get("trigger") == "on_demand"], "the on-demand scan")
    assert scans[0]["payload"]["files"] >= 2, scans[0]
    assert os.path.exists(bad)
    ag.stop()
    actions = [e["action"] for e in d.api("GET", "/v1/audit?limit=1000",
                                          world["admin"].token).json["items"]]
    assert {"quarantine.restore", "malware.quarantined", "malware.restored"} <= set(actions)


def test_baseline_results_and_inventory_of_this_host(world, agents):
    """The real agent on this machine: baseline results with pass and fail,
    mapped to GB/T 22239 controls, and the host's inventory (its installed
    packages, as dpkg counts them)."""
    d, a = world["d"], world["a"]
    ag = agents(d)
    assert ag.enroll(token_for(d, a.token)).returncode == 0
    nid = ag.node["node_id"]
    r = d.api("POST", "/v1/policies", a.token, {"kind": "agent", "policy": {
        "heartbeat_seconds": 1, "modules": {
            "baseline": {"enabled": True, "interval_minutes": 720},
            "inventory": {"enabled": True, "interval_minutes": 60}}}})
    assert r.status == 201, r
    ag.start()
    cli = d.cli(a.username)
    assert cli.run("login", a.username, password=a.password)[0] == 0
    res = wait_for(lambda: (lambda rc_out: rc_out if rc_out[0] == 0 else None)(
        cli.json("baseline", "show", str(nid))), "baseline results", timeout=60)[1]
    checks = res["items"]
    statuses = {c["status"] for c in checks}
    assert {"pass", "fail"} <= statuses, statuses
    assert all(c["control"].startswith("8.1.4.") and c["title_zh"] for c in checks)
    assert res["summary"]["pass"] + res["summary"]["fail"] >= 10
    # failing checks became alerts with the check id as their subject
    failing = {c["id"] for c in checks if c["status"] == "fail"}
    al = wait_for(lambda: d.api("GET", f"/v1/alerts?node_id={nid}&module=baseline&limit=1000",
                                a.token).json["items"], "baseline alerts")
    assert {x["key"] for x in al} <= failing and al
    inv = wait_for(lambda: (lambda rc_out: rc_out if rc_out[0] == 0 and rc_out[1]["complete"]
                            else None)(cli.json("inventory", "show", str(nid))),
                   "the inventory", timeout=60)[1]
    dpkg = subprocess.run(["dpkg-query", "-W", "-f=${db:Status-Abbrev}\\n"],
                          capture_output=True, text=True).stdout.split("\n")
    installed = sum(1 for s in dpkg if s[:2] in ("ii", "hi", "iW", "it"))
    assert len(inv["items"]) == installed, (len(inv["items"]), installed)
    names = {p["name"] for p in inv["items"]}
    assert {"openssl", "libc6"} <= names
    libc = next(p for p in inv["items"] if p["name"] == "libc6")
    assert libc["source"] == "glibc" and libc["version"]
    assert inv["os"].get("id") == "debian", inv["os"]
    # another tenant sees none of it
    assert_error(d.api("GET", f"/v1/nodes/{nid}/inventory", world["b"].token), 404, "not_found")
    assert_error(d.api("GET", f"/v1/nodes/{nid}/baseline", world["b"].token), 404, "not_found")
    ag.stop()
