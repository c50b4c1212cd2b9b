"""Host vulnerabilities end to end (issue 5): an operator imports the sample
Debian Security Tracker feed through the CLI, an enrolled agent's node
certificate delivers an inventory snapshot, and the tenant sees the
findings the matching rules promise through the CLI — and another tenant
sees none of them. A broken feed is refused whole and the previous one stays
in force; a new inventory re-matches (curl upgraded -> fixed).
"""
import csv
import io
import os

import pytest

from conftest import ROOT, assert_error, register_and_approve_tenant
from test_nodes import agents, token_for  # noqa: F401  (agents is a fixture)

FEEDS = os.path.join(ROOT, "tests/data/feeds")


def pkg(name, ver, src, srcver):
    return {"name": name, "version": ver, "arch": "amd64", "source": src,
            "source_version": srcver}


def snapshot(sid, curl):
    return {"snapshot_id": sid, "part": 1, "parts": 1, "package_count": 6,
            "os": {"id": "debian", "version_id": "12", "version_codename": "bookworm"},
            "package_format": "dpkg", "packages": [
                pkg("libssl3", "3.0.11-1~deb12u2", "openssl", "3.0.11-1~deb12u2"),
                pkg("libc6", "2.36-9+deb12u4", "glibc", "2.36-9+deb12u4"),
                pkg("sudo", "1.9.13p3-1", "sudo", "1.9.13p3-1"),
                pkg("curl", curl, "curl", curl),
                pkg("libcurl4", curl, "curl", curl),
                pkg("openssh-server", "1:9.2p1-2+deb12u1", "openssh", "1:9.2p1-2+deb12u1")]}


@pytest.fixture(scope="module")
def world(daemon, admin):
    d, at = daemon, admin.token
    plan = d.api("POST", "/v1/plans", at, {"service": "host-protection", "name": "主机防护",
                                           "price_fen": 3000})
    assert plan.status == 201, plan
    a = register_and_approve_tenant(d, at, 501)
    b = register_and_approve_tenant(d, at, 502)
    o = d.api("POST", "/v1/orders", at, {"tenant_id": a.id, "plan_id": plan.json["id"],
                                         "quantity": 2, "months": 12, "contract_ref": "HT-501"})
    assert o.status == 201, o
    return {"d": d, "admin": admin, "a": a, "b": b}


def test_inventory_produces_findings_through_the_cli(world, agents):  # noqa: F811
    d, a, b, admin = world["d"], world["a"], world["b"], world["admin"]
    ag = agents(d)
    assert ag.enroll(token_for(d, a.token)).returncode == 0
    nid = ag.node["node_id"]
    st, r = ag.node_api("POST", "/v1/node/events", {"events": [
        {"seq": 1, "time_ms": 1700000000000, "module": "inventory", "type": "inventory.snapshot",
         "payload": snapshot("s1", "7.88.1-10+deb12u1")}]})
    assert st == 200 and r["accepted"] == 1, (st, r)

    feed = admin.cli.ok("vuln", "feed", "import", "--kind", "debian-tracker",
                        "--path", os.path.join(FEEDS, "debian-tracker.json"))
    assert feed["entries"] == 23 and feed["rematched_nodes"] >= 1, feed
    assert len(feed["sha256"]) == 64

    cli = d.cli(a.username)
    assert cli.run("login", a.username, password=a.password)[0] == 0
    items = cli.ok("vuln", "findings", "--node", nid)["items"]
    got = {(f["cve"], f["package"], f["fixed_version"], f["severity_zh"]) for f in items}
    assert got == {
        ("CVE-2023-5678", "openssl", "3.0.13-1~deb12u1", "低危"),
        ("CVE-2023-6129", "openssl", "3.0.11-1", "低危"),
        ("CVE-2024-2511", "openssl", None, "中危"),
        ("CVE-2010-4756", "glibc", None, "低危"),
        ("CVE-2023-28486", "sudo", None, "低危"),
        ("CVE-2023-42465", "sudo", "1.9.13p3-1+deb12u1", "低危"),
        ("CVE-2023-38545", "curl", "7.88.1-10+deb12u3", "高危"),
        ("CVE-2023-38546", "curl", "7.88.1-10+deb12u3", "低危"),
        ("CVE-2023-48795", "openssh", "1:9.2p1-2+deb12u2", "中危"),
        ("CVE-2024-6387", "openssh", "1:9.2p1-2+deb12u3", "高危"),
    }, got
    rc, out, _ = cli.run("vuln", "findings", "--severity", "high")
    assert rc == 0 and "CVE-2024-6387" in out and "CVE-2023-5678" not in out, out

    # life cycle: accept one (audited), mark one a false positive
    f2511 = next(f for f in items if f["cve"] == "CVE-2024-2511")
    acc = cli.ok("vuln", "accept", f2511["id"], "--reason", "not reachable", "--until",
                 "2099-12-31")
    assert acc["status"] == "accepted_risk" and acc["expires_on"] == "2099-12-31", acc
    f4756 = next(f for f in items if f["cve"] == "CVE-2010-4756")
    assert cli.ok("vuln", "false-positive", f4756["id"], "--reason", "glob unused")["status"] \
        == "false_positive"
    with d.db() as c:
        actions = [r[0] for r in c.execute("SELECT action FROM audit_log WHERE target = ?",
                                           (f"vuln_finding/{f2511['id']}",))]
    c.close()
    assert "vuln.finding.accept" in actions, actions

    # export
    rc, out, err = cli.run("vuln", "export", "--format", "csv")
    assert rc == 0, err
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == 10 and {r["status"] for r in rows} == {"open", "accepted_risk",
                                                               "false_positive"}

    # another tenant: nothing, and 404 on the ids
    cb = d.cli(b.username)
    assert cb.run("login", b.username, password=b.password)[0] == 0
    assert cb.ok("vuln", "findings")["items"] == []
    rc, out, err = cb.run("vuln", "accept", f2511["id"], "--reason", "x", "--until", "2099-01-01")
    assert rc != 0
    assert_error(d.api("GET", f"/v1/vuln/findings/{f2511['id']}", b.token), 404, "not_found")
    assert_error(d.api("POST", "/v1/vuln/feeds", a.token, {
        "kind": "osv", "path": os.path.join(FEEDS, "osv.json")}), 403)

    # a broken feed is refused whole; the previous one stays in force
    rc, out, err = admin.cli.run("vuln", "feed", "import", "--kind", "debian-tracker",
                                 "--path", os.path.join(FEEDS, "debian-tracker-broken.json"))
    assert rc != 0 and "invalid_feed" in (out + err), (out, err)
    feeds = admin.cli.ok("vuln", "feed", "list")["items"]
    assert [(f["kind"], f["active"], f["entries"]) for f in feeds] == \
        [("debian-tracker", True, 23)], feeds
    assert len(cli.ok("vuln", "findings", "--status", "open")["items"]) == 8

    # a new inventory re-matches: curl upgraded past the fix
    st, r = ag.node_api("POST", "/v1/node/events", {"events": [
        {"seq": 2, "time_ms": 1700000100000, "module": "inventory", "type": "inventory.snapshot",
         "payload": snapshot("s2", "7.88.1-10+deb12u5")}]})
    assert st == 200, r
    curl = cli.ok("vuln", "findings", "--cve", "CVE-2023-38545")["items"]
    assert [(f["status"], f["fixed_at"] is not None) for f in curl] == [("fixed", True)], curl


def test_feed_import_by_url_over_https(make_daemon):
    """A feed fetched by yunshoud over HTTPS from a server on loopback whose
    certificate the configured feed CA signed; an untrusted server, a 404
    and a plain http:// URL are refused and the feed in force stays."""
    import http.server
    import shutil
    import ssl
    import subprocess
    import threading

    d = make_daemon({"feed_ca_file": "ca.crt"})
    from conftest import first_admin_login
    op = first_admin_login(d)
    at = op.token
    tmp = os.path.join(d.tmp, "feedsrv")
    os.makedirs(tmp)
    shutil.copy(os.path.join(ROOT, "tests/data/feeds/debian-tracker.json"), tmp)
    key, csr, crt = (os.path.join(tmp, n) for n in ("srv.key", "srv.csr", "srv.crt"))
    ext = os.path.join(tmp, "ext.cnf")
    with open(ext, "w") as fh:
        fh.write("subjectAltName=IP:127.0.0.1\n")
    run = lambda *a: subprocess.run(a, check=True, capture_output=True)  # noqa: E731
    run("openssl", "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
        "-nodes", "-keyout", key, "-subj", "/CN=127.0.0.1", "-out", csr)
    # signed by the daemon's own CA, which feed_ca_file makes trusted
    run("openssl", "x509", "-req", "-in", csr, "-CA", d.ca, "-CAkey",
        os.path.join(d.state, "ca.key"), "-CAcreateserial", "-days", "2", "-extfile", ext,
        "-out", crt)

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *a, **kw):
            super().__init__(*a, directory=tmp, **kw)

        def log_message(self, *a):
            pass

    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(crt, key)
    srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    th = threading.Thread(target=srv.serve_forever, daemon=True)
    th.start()
    try:
        base = f"https://127.0.0.1:{srv.server_address[1]}"
        r = d.api("POST", "/v1/vuln/feeds", at, {"kind": "debian-tracker",
                                                 "url": base + "/debian-tracker.json"})
        assert r.status == 201, r
        assert r.json["source"] == base + "/debian-tracker.json" and r.json["entries"] > 0
        sha = r.json["sha256"]
        # a missing file, plain http and a server the feed CA did not sign
        r = d.api("POST", "/v1/vuln/feeds", at, {"kind": "debian-tracker",
                                                 "url": base + "/absent.json"})
        assert_error(r, 422, "invalid_feed")
        r = d.api("POST", "/v1/vuln/feeds", at, {"kind": "debian-tracker",
                                                 "url": "http://127.0.0.1:1/x.json"})
        assert_error(r, 400, "invalid_field")
        # without the feed CA (the system's store only) the server is not trusted
        d.write_conf(feed_ca_file="")
        d.restart()
        r = d.api("POST", "/v1/vuln/feeds", op.new_token(),
                  {"kind": "debian-tracker", "url": base + "/debian-tracker.json"})
        assert_error(r, 422, "invalid_feed")
        assert "certificate" in r.json["error"]["message"].lower() or \
            "ssl" in r.json["error"]["message"].lower(), r.json
    finally:
        srv.shutdown()
        srv.server_close()
    feeds = None
    with d.db() as c:
        feeds = [tuple(x) for x in c.execute("SELECT sha256, active FROM vuln_feeds")]
    c.close()
    assert (sha, 1) in feeds
    audit = [tuple(x) for x in sqlite_audit(d)]
    assert ("vuln.feed.import", "ok") in audit and ("vuln.feed.import", "invalid_feed") in audit


def sqlite_audit(d):
    with d.db() as c:
        rows = c.execute("SELECT action, result FROM audit_log").fetchall()
    c.close()
    return rows
