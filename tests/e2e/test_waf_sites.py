"""The tenant side of the WAF service (issue 4) against a real yunshoud:
sites need an active waf subscription and count against its quota; bad
domains, CIDRs, origins and rules are refused with 400 and change nothing;
certificates are checked with OpenSSL and their private keys never come
back; another tenant's ids are 404; an enrolled WAF node (driven here over
mTLS with Python's ssl) gets a signed bundle with the sites, a new version
after any change, and its attack events reach the owning tenant only.
"""
import base64
import datetime
import http.client
import json
import os
import ssl
import tempfile

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from conftest import SLOW, assert_error, register_and_approve_tenant

ZONE = "waf.e2e.example.net"


@pytest.fixture(scope="module")
def d(make_module_daemon):
    return make_module_daemon(conf={"waf_cname_zone": ZONE})


@pytest.fixture(scope="module")
def world(d):
    from conftest import first_admin_login
    admin = first_admin_login(d)
    at = admin.token
    plan = d.api("POST", "/v1/plans", at, {"service": "waf", "name": "网站防护",
                                           "price_fen": 50000})
    assert plan.status == 201, plan
    a = register_and_approve_tenant(d, at, 401)
    b = register_and_approve_tenant(d, at, 402)
    c = register_and_approve_tenant(d, at, 403)     # no subscription
    for t, q in ((a, 2), (b, 1)):
        o = d.api("POST", "/v1/orders", at, {"tenant_id": t.id, "plan_id": plan.json["id"],
                                             "quantity": q, "months": 12,
                                             "contract_ref": f"HT-{t.id}"})
        assert o.status == 201 and o.json["status"] == "approved", o
    return {"admin": admin, "a": a, "b": b, "c": c, "sites": {}}


def make_cert(host, days=90, key=None):
    """A self-signed certificate for host (PEM text) and its key (PEM)."""
    key = key or ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.timezone.utc)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)])
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=2))
            .not_valid_after(now + datetime.timedelta(days=days))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(host)]), critical=False)
            .sign(key, hashes.SHA256()))
    return (cert.public_bytes(serialization.Encoding.PEM).decode(),
            key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                              serialization.NoEncryption()).decode())


def test_no_subscription_is_refused(d, world):
    c = world["c"]
    r = d.api("POST", "/v1/sites", c.token, {"name": "x", "domains": ["x.example.cn"]})
    e = assert_error(r, 403, "forbidden")
    assert "no active waf subscription" in e["message"]
    cli = d.cli(c.username)
    assert cli.run("login", c.username, password=c.password)[0] == 0
    rc, out, err = cli.run("site", "create", "x", "--domains", "x.example.cn")
    assert rc == 1 and "no active waf subscription" in err, (out, err)
    assert d.api("GET", "/v1/sites", c.token).json["items"] == []


def test_sites_up_to_quota_with_cname(d, world):
    a = world["a"]
    cli = d.cli(a.username)
    assert cli.run("login", a.username, password=a.password)[0] == 0
    s1 = cli.ok("site", "create", "shop", "--domains", "shop.e2e.example.cn,*.img.example.cn",
                "--cc-ip-rps", "50", "--deny", "198.51.100.0/24")
    assert s1["dns"] == {"type": "CNAME", "target": f"site-{s1['id']}.{ZONE}"}
    assert s1["cname"] == s1["dns"]["target"]
    assert s1["domains"] == ["shop.e2e.example.cn", "*.img.example.cn"]
    assert s1["mode"] == "block" and s1["cc_ip_burst"] == 50 and s1["cc_block_seconds"] == 60
    r = d.api("POST", "/v1/sites", a.token, {"name": "api", "domains": ["api.e2e.example.cn"],
                                             "mode": "monitor"})
    assert r.status == 201, r
    third = d.api("POST", "/v1/sites", a.token, {"name": "w", "domains": ["w.e2e.example.cn"]})
    e = assert_error(third, 422, "quota_exceeded")
    assert "2 of 2" in e["message"]
    q = {x["service"]: x for x in d.api("GET", "/v1/quotas", a.token).json["items"]}
    assert q["waf"]["used"] == 2 and q["waf"]["limit"] == 2
    listed = cli.ok("site", "list")["items"]
    assert sorted(x["name"] for x in listed) == ["api", "shop"]
    rc, out, err = cli.run("site", "list")          # the table for people
    assert rc == 0 and "shop.e2e.example.cn" in out and f"site-{s1['id']}.{ZONE}" in out, out
    # delete frees the unit; the audit trail has every change
    assert d.api("DELETE", f"/v1/sites/{r.json['id']}", a.token).status == 200
    assert d.api("POST", "/v1/sites", a.token,
                 {"name": "w", "domains": ["w.e2e.example.cn"]}).status == 201
    acts = [x["action"] for x in d.api("GET", "/v1/audit?action=site.create", a.token)
            .json["items"]]
    assert acts.count("site.create") == 4      # 3 ok, 1 quota_exceeded
    world["sites"]["shop"] = s1["id"]


def test_bad_inputs_are_400_and_change_nothing(d, world):
    a = world["a"]
    sid = world["sites"]["shop"]
    before = d.api("GET", f"/v1/sites/{sid}", a.token).json
    cases = [
        ("POST", f"/v1/sites/{sid}/update", {"domains": ["bad_domain.example.cn"]},
         "only letters"),
        ("POST", f"/v1/sites/{sid}/update", {"domains": ["www.*.example.cn"]}, "leftmost"),
        ("POST", f"/v1/sites/{sid}/update", {"domains": ["中文.cn"]}, "punycode"),
        ("POST", f"/v1/sites/{sid}/update", {"allow_ips": ["10.0.0.1/8"]}, "host bits"),
        ("POST", f"/v1/sites/{sid}/update", {"deny_ips": ["300.1.1.1"]}, "not an IPv4"),
        ("POST", f"/v1/sites/{sid}/update", {"mode": "learn"}, "block or monitor"),
        ("POST", f"/v1/sites/{sid}/update", {"colour": "red"}, "colour"),
        ("POST", f"/v1/sites/{sid}/origins", {"address": "127.0.0.1"}, "loopback"),
        ("POST", f"/v1/sites/{sid}/origins", {"address": "169.254.169.254"}, "metadata"),
        ("POST", f"/v1/sites/{sid}/origins", {"address": "203.0.113.9", "port": 70000},
         "port"),
        ("POST", f"/v1/sites/{sid}/rules", {"field": "path", "operator": "like",
                                            "value": "x", "action": "block"}, "like"),
        ("POST", f"/v1/sites/{sid}/rules", {"field": "path", "operator": "regex",
                                            "value": "(", "action": "block"}, "regular expr"),
        ("POST", f"/v1/sites/{sid}/exceptions", {"category": "sql"}, "unknown 'sql'"),
    ]
    for method, path, body, fragment in cases:
        r = d.api(method, path, a.token, body)
        e = assert_error(r, 400)
        assert fragment in e["message"], (body, e)
    assert d.api("GET", f"/v1/sites/{sid}", a.token).json == before


def test_certificates_checked_and_key_never_returned(d, world):
    a, b = world["a"], world["b"]
    sid = world["sites"]["shop"]
    cert, key = make_cert("shop.e2e.example.cn")
    _, other_key = make_cert("shop.e2e.example.cn")
    old_cert, old_key = make_cert("shop.e2e.example.cn", days=-1)
    r = d.api("POST", "/v1/certificates", a.token, {"name": "m", "certificate": cert,
                                                   "key": other_key})
    assert "does not match" in assert_error(r, 400, "invalid_field")["message"]
    r = d.api("POST", "/v1/certificates", a.token, {"name": "o", "certificate": old_cert,
                                                   "key": old_key})
    assert "expired" in assert_error(r, 400)["message"]
    # upload through the CLI from files
    tmp = tempfile.mkdtemp(prefix="ys-waf-")
    with open(os.path.join(tmp, "c.pem"), "w") as fh:
        fh.write(cert)
    with open(os.path.join(tmp, "k.pem"), "w") as fh:
        fh.write(key)
    cli = d.cli(a.username)
    up = cli.ok("site", "cert", "upload", "--name", "shop", "--cert",
                os.path.join(tmp, "c.pem"), "--key", os.path.join(tmp, "k.pem"))
    assert up["sans"] == ["shop.e2e.example.cn"] and len(up["fingerprint"]) == 64
    # not covering every domain of the site (the wildcard) -> refused; a site of its own
    r = d.api("POST", f"/v1/sites/{sid}/update", a.token, {"cert_id": up["id"]})
    assert "does not cover" in assert_error(r, 400)["message"]
    r = d.api("POST", f"/v1/sites/{sid}/update", a.token,
              {"domains": ["shop.e2e.example.cn"], "cert_id": up["id"]})
    assert r.status == 200 and r.json["certificate"]["id"] == up["id"], r
    key_body = key.split("-----")[2].strip().splitlines()[0]
    for path in ("/v1/certificates", f"/v1/sites/{sid}", "/v1/sites",
                 "/v1/audit?action=certificate.upload"):
        raw = d.api("GET", path, a.token).raw.decode()
        assert "PRIVATE KEY" not in raw and key_body not in raw, path
    assert "PRIVATE KEY" not in json.dumps(up)
    assert key_body not in d.log()
    with d.db() as db:
        stored = db.execute("SELECT key_enc FROM waf_certs").fetchall()
    assert stored and all(row[0].startswith("aesgcm1:") for row in stored)
    assert os.stat(os.path.join(d.state, "waf-keywrap.key")).st_mode & 0o777 == 0o600
    # another tenant neither sees nor uses it; in use, it cannot be deleted
    assert d.api("GET", "/v1/certificates", b.token).json["items"] == []
    assert_error(d.api("DELETE", f"/v1/certificates/{up['id']}", b.token), 404, "not_found")
    assert_error(d.api("DELETE", f"/v1/certificates/{up['id']}", a.token), 409, "conflict")
    world["cert"] = (up["id"], key_body)


def test_other_tenants_site_is_404(d, world):
    b = world["b"]
    sid = world["sites"]["shop"]
    for method, path, body in (("GET", f"/v1/sites/{sid}", None),
                               ("POST", f"/v1/sites/{sid}/update", {"mode": "monitor"}),
                               ("DELETE", f"/v1/sites/{sid}", None),
                               ("POST", f"/v1/sites/{sid}/origins", {"address": "203.0.113.1"}),
                               ("POST", f"/v1/sites/{sid}/rules",
                                {"field": "path", "operator": "equals", "value": "/",
                                 "action": "block"}),
                               ("GET", f"/v1/sites/{sid}/stats", None),
                               ("GET", f"/v1/waf/events?site_id={sid}", None)):
        assert_error(d.api(method, path, b.token, body), 404, "not_found")
    # and a domain is one site's on the whole platform
    r = d.api("POST", "/v1/sites", b.token, {"name": "steal", "domains": ["shop.e2e.example.cn"]})
    assert_error(r, 409, "conflict")


class WafNode:
    """A WAF (or other provider) node enrolled with a provider token: own key,
    CSR, mTLS."""

    def __init__(self, d, admin_token, kind="waf"):
        self.d = d
        tok = d.api("POST", "/v1/enrolment-tokens", admin_token, {"kind": kind})
        assert tok.status == 201, tok
        key = ec.generate_private_key(ec.SECP256R1())
        csr = (x509.CertificateSigningRequestBuilder()
               .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "waf-e2e")]))
               .sign(key, hashes.SHA256()))
        r = d.api("POST", "/v1/nodes/enroll", body={
            "token": tok.json["token"], "hostname": "waf-e2e",
            "csr": csr.public_bytes(serialization.Encoding.PEM).decode()})
        assert r.status == 201 and r.json["kind"] == kind and r.json["tenant_id"] is None, r
        self.id = r.json["node_id"]
        self.tmp = tempfile.mkdtemp(prefix="ys-wafnode-")
        self.crt = os.path.join(self.tmp, "node.crt")
        self.key = os.path.join(self.tmp, "node.key")
        with open(self.crt, "w") as fh:
            fh.write(r.json["certificate"])
        with open(self.key, "wb") as fh:
            fh.write(key.private_bytes(serialization.Encoding.PEM,
                                       serialization.PrivateFormat.PKCS8,
                                       serialization.NoEncryption()))
        self.signing = serialization.load_pem_public_key(r.json["signing_public_key"].encode())
        self.seq = 0

    def api(self, method, path, body=None):
        ctx = ssl.create_default_context(cafile=self.d.ca)
        ctx.load_cert_chain(self.crt, self.key)
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

    def bundle(self):
        st, b = self.api("GET", "/v1/node/policy")
        assert st == 200, b
        sig = base64.urlsafe_b64decode(b["signature"] + "=" * (-len(b["signature"]) % 4))
        self.signing.verify(sig, b["payload"].encode())     # raises when forged
        payload = json.loads(b["payload"])
        assert payload["version"] == b["version"]
        return payload

    def heartbeat(self, version):
        st, b = self.api("POST", "/v1/node/heartbeat", {"version": "e2e", "policy_version":
                                                        version})
        assert st == 200, b
        return b["policy_version"]

    def events(self, evs):
        batch = []
        for t, p in evs:
            self.seq += 1
            batch.append({"seq": self.seq, "time_ms": 1_700_000_000_000 + self.seq,
                          "module": "waf", "type": t, "payload": p})
        return self.api("POST", "/v1/node/events", {"events": batch})


def attack(site_id, ip, cat="sqli", sev="critical", n=1):
    return [("waf.attack", {"site_id": site_id, "rule_id": f"{cat}-942100", "category": cat,
                            "severity": sev, "action": "block", "client_ip": ip,
                            "method": "GET", "uri": "/search?q=1%27%20or%201%3D1",
                            "excerpt": "1' or 1=1", "request_id": f"req-{ip}-{i}"})
            for i in range(n)]


def test_waf_node_bundle_versions_and_events(d, world):
    a, b = world["a"], world["b"]
    sid = world["sites"]["shop"]
    cert_id, key_body = world["cert"]
    assert d.api("POST", f"/v1/sites/{sid}/origins", a.token,
                 {"address": "203.0.113.10", "scheme": "https", "port": 8443,
                  "health_path": "/healthz"}).status == 201
    node = WafNode(d, world["admin"].token)
    # a tenant cannot enrol a provider WAF node
    assert_error(d.api("POST", "/v1/enrolment-tokens", a.token, {"kind": "waf"}), 403)
    p1 = node.bundle()
    assert p1["kind"] == "waf" and p1["tenant_id"] is None
    sites = {s["id"]: s for s in p1["policy"]["sites"]}
    shop = sites[sid]
    assert shop["domains"] == ["shop.e2e.example.cn"] and shop["mode"] == "block"
    assert shop["origins"] == [{"address": "203.0.113.10", "port": 8443, "scheme": "https",
                                "health_path": "/healthz",
                                "weight": 10}]
    assert shop["deny_ips"] == ["198.51.100.0/24"] and shop["cc"]["ip_rps"] == 50
    certs = {c["id"]: c for c in p1["policy"]["certificates"]}
    assert shop["cert_id"] == cert_id and key_body in certs[cert_id]["key_pem"]
    # the heartbeat names the version; unchanged content keeps it
    assert node.heartbeat(0) == p1["version"]
    assert node.bundle()["version"] == p1["version"]
    # any change of a site: a new, higher version with the change in it
    r = d.api("POST", f"/v1/sites/{sid}/rules", a.token,
              {"field": "header:User-Agent", "operator": "contains", "value": "sqlmap",
               "action": "block", "name": "no sqlmap"})
    assert r.status == 201, r
    v2 = node.heartbeat(p1["version"])
    assert v2 > p1["version"]
    p2 = node.bundle()
    assert p2["version"] == v2
    rules = {s["id"]: s for s in p2["policy"]["sites"]}[sid]["custom_rules"]
    assert [(x["field"], x["value"]) for x in rules] == [("header:user-agent", "sqlmap")]
    n = d.api("GET", f"/v1/nodes/{node.id}", world["admin"].token).json
    assert n["current_policy_version"] == v2 and n["policy_stale"] is True
    node.heartbeat(v2)          # applied
    n = d.api("GET", f"/v1/nodes/{node.id}", world["admin"].token).json
    assert n["policy_stale"] is False

    # attack and stats events: the owning tenant sees them, nobody else
    st, out = node.events(attack(sid, "198.51.100.7", n=3) + attack(sid, "192.0.2.5", "xss",
                                                                     "medium") +
                          [("waf.stats", {"site_id": sid, "requests": 1000, "blocked": 4})])
    assert st == 200 and out["accepted"] == 5 and out["unattributed"] == 0, out
    cli = d.cli(a.username)
    evs = cli.ok("waf", "events", "--site", str(sid))["items"]
    assert len(evs) == 4 and {e["category"] for e in evs} == {"sqli", "xss"}
    assert all(e["site_id"] == sid and e["tenant_id"] == a.id for e in evs)
    assert len(cli.ok("waf", "events", "--category", "xss")["items"]) == 1
    assert d.api("GET", "/v1/waf/events", b.token).json["items"] == []
    stats = cli.ok("site", "stats", str(sid))
    assert stats["requests"] == 1000 and stats["blocked"] == 4 and stats["attacks"] == 4
    assert stats["top_categories"][0] == {"category": "sqli", "count": 3}
    assert stats["top_sources"][0] == {"client_ip": "198.51.100.7", "count": 3}
    alerts = d.api("GET", "/v1/alerts?module=waf", a.token).json["items"]
    assert any(x["type"] == "waf.attack" and x["key"] == f"site-{sid}" and x["count"] == 3
               for x in alerts), alerts
    assert d.api("GET", "/v1/alerts?module=waf", b.token).json["items"] == []
    # malformed WAF events refuse the batch (nothing stored); a deleted site's are kept
    # as provider telemetry but attributed to nobody
    bad = attack(sid, "not-an-ip")
    st, out = node.events(bad)
    assert st == 400 and "client_ip" in out["error"]["message"], out
    node.seq -= 1
    st, out = node.events([("waf.stats", {"site_id": 999999, "requests": 1, "blocked": 0})])
    assert st == 200 and out["unattributed"] == 1, out
    # a site that is disabled leaves the bundle with a new version
    assert d.api("POST", f"/v1/sites/{sid}/update", a.token,
                 {"status": "disabled"}).status == 200
    p3 = node.bundle()
    assert p3["version"] > v2 and sid not in {s["id"] for s in p3["policy"]["sites"]}
