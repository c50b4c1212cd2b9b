"""Qualification readiness through the CLI (issue 7): registers, the
self-assessment with exactly the expected statuses, certificate deadlines
(29 February issue date), the evidence bundle and its MANIFEST, operators
only, and bad input refused with clear messages.

The tests of this module run in order and build on each other's records;
the self-assessment is pinned with --today so that it does not depend on
the day the suite runs.
"""
import base64
import hashlib
import hmac
import json
import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import tempfile
import time

import pytest

# Fixtures live in this module rather than a conftest.py of their own, so
# that they never shadow tests/e2e/conftest.py, which the other e2e
# modules import by name.
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))))
YUNSHOUD = os.environ.get("YS_YUNSHOUD", os.path.join(ROOT, "build/src/control/yunshoud"))
YUNSHOU = os.environ.get("YS_YUNSHOU", os.path.join(ROOT, "build/src/cli/yunshou"))
SLOW = 4 if os.environ.get("ASAN_OPTIONS") or os.environ.get("UBSAN_OPTIONS") else 1
ADMIN_PW = "Qualified-Operator-2026-pw"
TENANT_PW = "Qualified-Customer-2026-pw"

_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]


def qual_credit_code(n):
    """A valid unified social credit code (GB 32100-2015 check character)."""
    body = "91350100M0007%04d" % n
    s = sum(_CHARSET.index(c) * w for c, w in zip(body, _WEIGHTS))
    return body + _CHARSET[(31 - s % 31) % 31]


def qual_totp(secret, step):
    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    mac = hmac.new(key, struct.pack(">Q", step), hashlib.sha1).digest()
    o = mac[-1] & 0x0F
    return "%06d" % ((struct.unpack(">I", mac[o:o + 4])[0] & 0x7FFFFFFF) % 1000000)


class Result:
    def __init__(self, p):
        self.rc = p.returncode
        self.out = p.stdout
        self.err = p.stderr

    @property
    def json(self):
        return json.loads(self.out)

    def __repr__(self):
        return "rc=%d\nstdout=%s\nstderr=%s" % (self.rc, self.out, self.err)


class QualEnv:
    """A running yunshoud and the CLI, one config dir per user."""

    def __init__(self, tmp, port):
        self.tmp = tmp
        self.state = os.path.join(tmp, "state")
        self.url = "https://127.0.0.1:%d" % port
        self.ca = os.path.join(self.state, "ca.crt")

    def ys(self, user, *args, env=None, check=None):
        e = dict(os.environ)
        e.pop("YUNSHOU_TOKEN", None)
        e["YUNSHOU_CONFIG_DIR"] = os.path.join(self.tmp, "cli", user)
        e.update(env or {})
        p = subprocess.run([YUNSHOU, "--server", self.url, "--ca", self.ca] + list(args),
                           env=e, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                           timeout=60 * SLOW, start_new_session=True)
        r = Result(p)
        if check is not None:
            assert r.rc == check, r
        return r

    def admin(self, *args, check=0):
        """`yunshou --json ...` as the provider admin; the parsed answer."""
        r = self.ys("admin", "--json", *args, check=check)
        return r.json if check == 0 else r


@pytest.fixture(scope="module")
def qual_env():
    tmp = tempfile.mkdtemp(prefix="ys-qual-")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = QualEnv(tmp, port)
    init = subprocess.run([YUNSHOUD, "init", "--state", env.state, "--listen",
                           "127.0.0.1:%d" % port], capture_output=True, text=True,
                          timeout=60 * SLOW)
    assert init.returncode == 0, init.stderr
    otp = re.search(r"one-time password:\s+(\S+)", init.stdout).group(1)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        node_port = s.getsockname()[1]
    with open(os.path.join(env.state, "yunshoud.conf"), "a") as f:
        f.write("\nargon2_memory_kib = 1024\nargon2_iterations = 1\n"
                "node_listen = 127.0.0.1:%d\n" % node_port)
    log = open(os.path.join(tmp, "yunshoud.log"), "w")
    daemon = subprocess.Popen([YUNSHOUD, "run", "--state", env.state], stdout=log,
                              stderr=subprocess.STDOUT)
    try:
        deadline = time.time() + 10 * SLOW
        while True:
            r = subprocess.run(["curl", "-sf", "--cacert", env.ca, env.url + "/v1/health"],
                               capture_output=True)
            if r.returncode == 0:
                break
            assert time.time() < deadline, "yunshoud did not come up"
            assert daemon.poll() is None, "yunshoud exited"
            time.sleep(0.1)
        env.ys("admin", "login", "admin", env={"YUNSHOU_PASSWORD": otp,
                                              "YUNSHOU_NEW_PASSWORD": ADMIN_PW}, check=0)
        secret = env.ys("admin", "--json", "mfa", "setup", check=0).json["secret"]
        env.ys("admin", "mfa", "enable", "--otp", qual_totp(secret, int(time.time() // 30)),
               check=0)
        yield env
    finally:
        daemon.send_signal(signal.SIGTERM)
        try:
            rc = daemon.wait(timeout=30 * SLOW)
        except subprocess.TimeoutExpired:
            daemon.kill()
            rc = daemon.wait()
        log.close()
        with open(os.path.join(tmp, "yunshoud.log")) as f:
            text = f.read()
        shutil.rmtree(tmp, ignore_errors=True)
    assert rc == 0, "yunshoud exited %s\n%s" % (rc, text[-4000:])
    assert "Sanitizer" not in text and "runtime error" not in text, text[-8000:]


@pytest.fixture(scope="module")
def qual_tenant(qual_env):
    """An approved tenant and its logged-in tenant admin: (tenant id, user)."""
    env = qual_env
    r = env.ys("tenant", "--json", "tenant", "register", "--name", "资质测试客户有限公司",
               "--credit-code", qual_credit_code(1), "--contact-name", "李娜",
               "--email", "sec@example.cn", "--phone", "13900139000",
               "--username", "qual-tenant", env={"YUNSHOU_PASSWORD": TENANT_PW}, check=0)
    tid = r.json["tenant_id"]
    env.admin("tenant", "approve", str(tid))
    env.ys("tenant", "login", "qual-tenant", env={"YUNSHOU_PASSWORD": TENANT_PW}, check=0)
    return tid, "tenant"


TODAY = "2026-06-15"


def cli_err(r):
    assert r.rc != 0, r
    return r.err


def checklist(env, today=TODAY):
    return env.admin("qual", "checklist", "--today", today)


def statuses(cl):
    return {it["id"]: it["status"] for it in cl["items"]}


def item(cl, iid):
    return next(it for it in cl["items"] if it["id"] == iid)


WAITING = ["3.2.2-3", "3.2.2-5", "3.3.1-1", "3.3.1-2", "3.3.2-1", "3.3.3-1", "3.3.3-2",
           "3.3.3-3", "3.3.5-1"]
DOCUMENT_ONLY = ["3.1-1", "3.2.1-1", "3.2.2-1", "3.2.2-2", "3.2.2-4", "3.2.2-6", "3.2.2-7",
                 "3.2.2-8", "3.2.2-9", "3.2.2-10", "3.2.3-1", "3.2.3-3", "3.2.3-4",
                 "3.2.4-1", "3.2.4-2", "3.2.4-3", "3.2.4-4", "3.2.5-1", "3.2.5-2"]


def test_catalogue_and_empty_checklist(qual_env):
    reqs = qual_env.admin("qual", "requirements")["items"]
    ids = [r["id"] for r in reqs]
    assert len(ids) == len(set(ids)) == 49
    r325 = next(r for r in reqs if r["id"] == "3.2.3-5")
    assert "CISP" in r325["requirement_zh"] and r325["evidence"] == ["query:cisp_staff"]

    cl = checklist(qual_env)
    st = statuses(cl)
    assert len(st) == 49 and cl["today"] == TODAY
    for iid in WAITING + DOCUMENT_ONLY:
        assert st[iid] == "no_evidence", iid
    # the platform itself: the audit trail verifies; MFA is enforced, but no
    # order was approved yet, so registration and ordering is not shown as met
    assert st["3.3.6-1"] == "met"
    assert st["3.3.4-1"] == "not_met"
    assert st["3.2.3-5"] == st["3.2.1-3"] == st["3.2.6-2"] == "no_evidence"
    assert st["5-1"] == st["5-2"] == "no_evidence"
    # services that do not exist yet are never met, and say what they wait for
    w = item(cl, "3.3.2-1")
    assert w["evidence"][0]["evidence"]["waiting_for"]
    assert w["missing_zh"] and w["missing_en"]
    # node evidence is live: no node enrolled yet, so no evidence yet
    n = item(cl, "3.3.1-1")
    assert n["evidence"][0]["evidence"]["enrolled_nodes"] == 0 and n["missing_en"]


def test_staff_cisp_and_confidentiality(qual_env):
    env = qual_env
    people = [  # name, full time, CISP expiry, NDA, support only
        ("张伟", True, "2027-01-01", True, False),
        ("王芳", True, "2027-05-01", True, False),
        ("刘洋", True, "2028-01-01", False, False),
        ("陈静", False, "2027-01-01", False, True),   # part-time finance: no NDA needed
        ("赵磊", True, "2026-01-01", True, False),    # CISP expired before TODAY
    ]
    ids = []
    for i, (name, ft, exp, nda, support) in enumerate(people):
        args = ["qual", "staff", "add", "--name", name, "--role", "安全工程师"]
        if ft:
            args.append("--full-time")
        if support:
            args.append("--support-only")
        if nda:
            args += ["--nda-signed", "2024-01-02", "--nda-doc", "NDA-%d" % i]
        sid = env.admin(*args)["id"]
        ids.append(sid)
        env.admin("qual", "staff", "cert", str(sid), "--kind", "CISP", "--number",
                  "CISP-%04d" % i, "--issued", "2024-01-01", "--expires", exp)
        env.admin("qual", "staff", "training", str(sid), "--course", "云安全基础",
                  "--date", "2025-03-01", "--hours", "16")
    cl = checklist(env)
    it = item(cl, "3.2.3-5")
    assert it["status"] == "not_met"
    assert it["evidence"][0]["evidence"]["full_time_cisp_staff_ids"] == ids[:3]
    it = item(cl, "3.2.1-3")
    assert it["status"] == "not_met"
    assert it["evidence"][0]["evidence"]["staff_without_agreement_ids"] == [ids[2]]

    # a fourth full-time CISP holder, and the missing agreement signed
    sid = env.admin("qual", "staff", "add", "--name", "孙丽", "--role", "安全顾问",
                    "--full-time", "--nda-signed", "2025-06-01", "--nda-doc", "NDA-9")["id"]
    env.admin("qual", "staff", "cert", str(sid), "--kind", "CISP", "--number", "CISP-0009",
              "--issued", "2025-06-01", "--expires", "2028-06-01")
    env.admin("qual", "staff", "training", str(sid), "--course", "CISP 继续教育",
              "--date", "2025-07-01", "--hours", "8")
    env.admin("qual", "staff", "nda", str(ids[2]), "--signed", "2026-01-05", "--doc", "NDA-2")
    st = statuses(checklist(env))
    assert st["3.2.3-5"] == "met" and st["3.2.1-3"] == "met" and st["3.2.3-2"] == "met"
    # on a day when the first two CISPs have expired, the count drops again
    assert statuses(checklist(env, "2027-02-01"))["3.2.3-5"] == "not_met"
    staff = env.admin("qual", "staff", "list", "--today", TODAY)["items"]
    assert [s["cisp_valid"] for s in staff] == [True, True, True, True, False, True]


def test_engagements_and_acceptance_window(qual_env, qual_tenant):
    env = qual_env
    tid, _ = qual_tenant
    e1 = env.admin("qual", "engagement", "add", "--tenant", str(tid), "--name", "云主机防护一期",
                   "--plan", "部署主机代理，基线检查，月度报告", "--started", "2021-01-10")["id"]
    e2 = env.admin("qual", "engagement", "add", "--tenant", str(tid), "--name", "WAF 接入",
                   "--plan", "DNS 切换接入 WAF，规则调优", "--started", "2025-01-01")["id"]
    for eid, staff, done in ((e1, 1, "2021-06-01"), (e2, 2, "2025-02-20")):
        m = env.admin("qual", "engagement", "milestone", str(eid), "--title", "上线",
                      "--due", "2025-03-01")
        env.admin("qual", "milestone", "done", str(m["id"]), "--date", done)
        env.admin("qual", "engagement", "assign", str(eid), "--staff", str(staff),
                  "--role", "项目经理")
        r = env.admin("qual", "engagement", "risk", str(eid), "--description", "业务中断",
                      "--likelihood", "2", "--impact", "4", "--owner", "张伟",
                      "--treatment", "灰度切换并保留回退方案")
        assert r["score"] == 8
        env.admin("qual", "engagement", "review", str(eid), "--date", "2025-03-05",
                  "--reviewer", "质量部 王芳", "--result", "pass")
    env.admin("qual", "engagement", "milestone", str(e2), "--title", "规则复核",
              "--due", "2026-09-01")
    env.admin("qual", "engagement", "accept", str(e1), "--result", "failed", "--date",
              "2022-03-01", "--signoff", "客户 李娜 2022-03-01")
    env.admin("qual", "engagement", "accept", str(e2), "--result", "passed", "--date",
              "2025-12-01", "--signoff", "客户 李娜 2025-12-01")
    shown = env.admin("qual", "engagement", "show", str(e2))
    assert len(shown["milestones"]) == 2 and shown["reviews"][0]["result"] == "pass"

    # The failure of 2022-03-01 is outside the 3 years before TODAY ...
    cl = checklist(env)
    it = item(cl, "3.2.6-2")
    assert it["status"] == "met"
    assert it["evidence"][0]["evidence"]["window_from_on"] == "2023-06-15"
    # ... inside them on 2025-03-01 (the window includes its first day), not after
    it = item(checklist(env, "2025-03-01"), "3.2.6-2")
    assert it["status"] == "not_met"
    assert it["evidence"][0]["evidence"]["failed_in_window_ids"] == [e1]
    assert statuses(checklist(env, "2025-03-02"))["3.2.6-2"] == "met"
    st = statuses(cl)
    for iid in ("3.2.6-1", "3.4-1", "3.4-2", "3.4-3", "3.4-4", "3.4-5", "3.2.1-2"):
        assert st[iid] == "met", iid
    # the open milestone of E2 is overdue after 2026-09-01
    assert statuses(checklist(env, "2026-10-01"))["3.4-4"] == "not_met"
    # a second acceptance of the same engagement is refused
    r = env.ys("admin", "qual", "engagement", "accept", str(e1), "--result", "passed",
               "--date", "2022-04-01", "--signoff", "x")
    assert "(conflict)" in cli_err(r)


def test_application_certificate_and_deadlines(qual_env):
    env = qual_env
    app = env.admin("qual", "application", "add", "--kind", "first", "--submitted",
                    "2023-10-01")["id"]
    # stages only in the guide's order
    r = env.ys("admin", "qual", "application", "stage", str(app), "--stage", "onsite_audit",
               "--date", "2023-11-01")
    assert "the next stage is eligibility_review" in cli_err(r)
    for stage, day in (("eligibility_review", "2023-10-10"), ("static_assessment", "2023-11-01"),
                       ("onsite_audit", "2023-12-05"), ("comprehensive_evaluation", "2024-01-20"),
                       ("committee_decision", "2024-02-20")):
        env.admin("qual", "application", "stage", str(app), "--stage", stage, "--date", day)
    rect = env.admin("qual", "application", "rectification", str(app), "--stage", "onsite_audit",
                     "--item", "补充供应商评估记录", "--deadline", "2024-01-15")
    env.admin("qual", "rectification", "verify", str(rect["id"]), "--date", "2024-01-10")
    cert = env.admin("qual", "cert", "add", "--number", "CNITSEC-2024-CS1-0042", "--issued",
                     "2024-02-29", "--application", str(app))
    # issued on 29 February: expiry (3 years) falls on 28 February 2027
    assert cert["expires_on"] == "2027-02-28"
    apps = env.admin("qual", "application", "list")["items"]
    assert [s["stage"] for s in apps[0]["stages"]][-1] == "certificate_issued"

    dl = env.admin("qual", "deadlines", "--today", "2026-02-10")["items"]
    by = {(d["kind"], d.get("year")): d for d in dl}
    s1, s2, ren = by[("annual_survey", 1)], by[("annual_survey", 2)], by[("renewal", 3)]
    assert (s1["anniversary_on"], s1["window_start_on"], s1["window_end_on"]) == \
        ("2025-02-28", "2025-01-29", "2025-02-27")
    assert s1["state"] == "overdue"
    assert (s2["anniversary_on"], s2["window_start_on"], s2["state"], s2["days_left"]) == \
        ("2026-02-28", "2026-01-29", "open", 17)
    assert (ren["expires_on"], ren["window_start_on"], ren["window_end_on"], ren["state"]) == \
        ("2027-02-28", "2026-11-30", "2027-02-27", "upcoming")
    assert by[("rectification", None)]["state"] == "done"
    cl = checklist(env, "2026-02-10")
    assert item(cl, "5-1")["status"] == "not_met"
    assert {a["kind"] for a in cl["alerts"]} == {"annual_survey"}

    # an anniversary that is not one of this certificate's is refused
    r = env.ys("admin", "qual", "filing", "add", "--kind", "annual_survey", "--certificate",
               str(cert["id"]), "--for", "2025-03-01", "--date", "2025-02-10",
               "--subject", "年度调查表")
    assert "not an anniversary" in cli_err(r) and "2025-02-28" in r.err
    for anniv, filed in (("2025-02-28", "2025-02-10"), ("2026-02-28", "2026-02-15")):
        env.admin("qual", "filing", "add", "--kind", "annual_survey", "--certificate",
                  str(cert["id"]), "--for", anniv, "--date", filed, "--subject", "年度调查表")
    st = statuses(checklist(env))
    assert st["5-1"] == "met" and st["5-2"] == "met" and st["6-1"] == "met"
    # the renewal window: open 90 days before expiry, overdue once expired
    dl = env.admin("qual", "deadlines", "--today", "2026-12-01")["items"]
    ren = next(d for d in dl if d["kind"] == "renewal")
    assert ren["state"] == "open" and ren["days_left"] == 88
    cl = checklist(env, "2027-03-01")
    assert item(cl, "5-2")["status"] == "not_met"
    assert item(cl, "5-2")["evidence"][0]["evidence"]["certificate_expired"] is True
    assert env.admin("qual", "cert", "list", "--today", "2027-03-01")["items"][0]["status"] == \
        "expired"


def test_other_registers_and_final_checklist(qual_env, qual_tenant):
    env = qual_env
    tid, _ = qual_tenant
    sup = env.admin("qual", "supplier", "add", "--name", "某规则情报供应商", "--supplies",
                    "rule_feed", "--contract", "HT-2025-07")["id"]
    assert statuses(checklist(env))["3.3.7-1"] == "not_met"
    env.admin("qual", "supplier", "assess", str(sup), "--date", "2026-01-10", "--result",
              "pass", "--next-due", "2027-01-10")
    c = env.admin("qual", "complaint", "add", "--received", "2026-02-01", "--complainant",
                  "李娜", "--subject", "告警响应慢", "--tenant", str(tid))
    assert statuses(checklist(env))["7-1"] == "not_met"
    env.admin("qual", "complaint", "close", str(c["id"]), "--handling",
              "调整值班表，响应时限改为 15 分钟", "--date", "2026-02-10")
    sha = hashlib.sha256(b"licence").hexdigest()
    env.admin("qual", "document", "add", "--requirement", "3.1-1", "--title", "营业执照副本",
              "--sha256", sha, "--reviewer", "法务 周敏", "--reviewed", "2026-01-05")
    env.admin("qual", "document", "add", "--requirement", "3.2.1-1", "--title", "组织架构图",
              "--sha256", sha.upper())
    fee = env.admin("qual", "fee", "add", "--kind", "first_application", "--amount-fen",
                    "5800000", "--date", "2023-10-20")
    assert fee["amount_cny"] == "58000.00"
    fees = env.admin("qual", "fee", "list")
    std = {f["kind"]: f["total_cny"] for f in fees["standard"]}
    assert std == {"first_application": "58000.00", "maintenance": "44000.00"}
    # registration and ordering in use: a plan and an approved (offline) order
    plan = env.admin("plan", "create", "--service", "waf", "--name", "企业版",
                     "--price-fen", "120000")["id"]
    env.admin("order", "create", "--tenant", str(tid), "--plan", str(plan), "--quantity",
              "1", "--months", "12", "--contract", "HT-2026-0001")

    st = statuses(checklist(env))
    expected = {iid: "no_evidence" for iid in WAITING + DOCUMENT_ONLY}
    expected["3.1-1"] = "met"
    expected["3.2.1-1"] = "document_pending"
    for iid in ("3.2.1-2", "3.2.1-3", "3.2.3-2", "3.2.3-5", "3.2.5-3", "3.2.6-1", "3.2.6-2",
                "3.3.4-1", "3.3.6-1", "3.3.7-1", "3.4-1", "3.4-2", "3.4-3", "3.4-4",
                "3.4-5", "3.4-6", "3.4-7", "5-1", "5-2", "6-1", "7-1"):
        expected[iid] = "met"
    assert st == expected
    human = env.ys("admin", "qual", "checklist", "--today", TODAY, check=0)
    assert "3.2.3-5" in human.out and "met 22" in human.out


def test_export_bundle(qual_env, tmp_path):
    env = qual_env
    out = tmp_path / "bundle"
    r = env.ys("admin", "--json", "qual", "export", "--output", str(out), check=0)
    manifest_sha = r.json["manifest_sha256"]
    files = sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file())
    lines = (out / "MANIFEST").read_text().splitlines()
    listed = {}
    for line in lines:
        h, name = line.split("  ", 1)
        listed[name] = h
    assert sorted(list(listed) + ["MANIFEST"]) == files
    for name, h in listed.items():
        assert hashlib.sha256((out / name).read_bytes()).hexdigest() == h, name
    assert hashlib.sha256((out / "MANIFEST").read_bytes()).hexdigest() == manifest_sha
    subprocess.run(["sha256sum", "--quiet", "-c", "MANIFEST"], cwd=out, check=True)
    for need in ("self-assessment.json", "self-assessment.zh-CN.md", "audit-verify.json",
                 "deadlines.json", "requirements.json", "registers/staff.json",
                 "registers/staff.csv", "registers/staff-certificates.csv",
                 "registers/engagements.json", "registers/engagements-risks.csv",
                 "registers/suppliers.json", "registers/complaints.csv",
                 "registers/documents.json", "registers/fees.csv",
                 "registers/certificates.json", "registers/filings.json",
                 "registers/sanctions.json", "registers/applications.json",
                 "service-plans/registration-ordering.zh-CN.md",
                 "service-plans/README.zh-CN.md"):
        assert need in listed, need
    sa = json.loads((out / "self-assessment.json").read_text())
    assert len(sa["items"]) == 49
    assert json.loads((out / "audit-verify.json").read_text())["ok"] is True
    md = (out / "self-assessment.zh-CN.md").read_text()
    assert "资质自评估报告" in md and "暂无证据" in md
    assert "告警响应慢" in (out / "registers/complaints.csv").read_text()
    # the bundle's creation is in the audit trail with the MANIFEST's hash
    audit = env.admin("audit", "list", "--action", "qual.export")["items"]
    assert audit and manifest_sha in audit[-1]["detail"]
    # never into an existing directory
    r = env.ys("admin", "qual", "export", "--output", str(out))
    assert "choose a new directory" in cli_err(r)


def test_tenant_users_cannot_read_or_write(qual_env, qual_tenant):
    env = qual_env
    _, user = qual_tenant
    reads = [["qual", "requirements"], ["qual", "checklist"], ["qual", "deadlines"],
             ["qual", "staff", "list"], ["qual", "engagement", "list"],
             ["qual", "engagement", "show", "1"], ["qual", "supplier", "list"],
             ["qual", "complaint", "list"], ["qual", "document", "list"],
             ["qual", "fee", "list"], ["qual", "application", "list"],
             ["qual", "cert", "list"], ["qual", "filing", "list"], ["qual", "sanction", "list"]]
    for args in reads:
        r = env.ys(user, *args)
        assert r.rc == 1 and "(forbidden)" in r.err, (args, r)
    r = env.ys(user, "qual", "staff", "add", "--name", "x", "--role", "y")
    assert "(forbidden)" in cli_err(r)
    r = env.ys(user, "qual", "export", "--output", "/nonexistent/never")
    assert "(forbidden)" in cli_err(r)


def test_bad_input_is_refused(qual_env):
    env = qual_env
    cases = [
        (["qual", "staff", "cert", "1", "--kind", "CISP", "--number", "N-1", "--issued",
          "2024/01/01"], "issued_on: expected a date YYYY-MM-DD"),
        (["qual", "staff", "cert", "1", "--kind", "CISP", "--number", "N-2", "--issued",
          "2025-02-29"], "issued_on: expected a date YYYY-MM-DD"),
        (["qual", "staff", "cert", "1", "--kind", "CISP", "--number", "N-3", "--issued",
          "2025-01-01", "--expires", "2024-01-01"], "expires_on: must not be before issued_on"),
        (["qual", "document", "add", "--requirement", "3.9-9", "--title", "x", "--sha256",
          "0" * 64], "unknown requirement '3.9-9'"),
        (["qual", "document", "add", "--requirement", "3.1-1", "--title", "x", "--sha256",
          "xyz"], "sha256"),
        (["qual", "staff", "cert", "999", "--kind", "CISP", "--number", "N-4", "--issued",
          "2025-01-01"], "(not_found)"),
        (["qual", "checklist", "--today", "2026-6-1"], "today"),
    ]
    for args, msg in cases:
        r = env.ys("admin", *args)
        assert r.rc == 1 and msg in r.err, (args, r)
    # a negative fee: the CLI refuses it, and so does the API
    r = env.ys("admin", "qual", "fee", "add", "--kind", "maintenance", "--amount-fen", "-1",
               "--date", "2026-01-01")
    assert r.rc == 2 and "--amount-fen" in r.err
    with open(os.path.join(env.tmp, "cli", "admin", "session.json")) as f:
        token = json.load(f)["token"]
    p = subprocess.run(["curl", "-s", "--cacert", env.ca, "-H", "Authorization: Bearer " + token,
                        "-H", "Content-Type: application/json", "-d",
                        json.dumps({"kind": "maintenance", "amount_fen": -1,
                                    "paid_on": "2026-01-01"}),
                        "-w", "\n%{http_code}", env.url + "/v1/qual/fees"],
                       capture_output=True, text=True, check=True)
    body, code = p.stdout.rsplit("\n", 1)
    assert code == "400"
    err = json.loads(body)["error"]
    assert err["code"] == "invalid_field" and "amount_fen" in err["message"]
