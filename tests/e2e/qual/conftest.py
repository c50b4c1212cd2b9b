"""Fixtures of the qualification-readiness end-to-end tests (issue 7).

Self-contained on purpose (its own daemon, CLI helper and TOTP), so that it
neither depends on nor collides with tests/e2e/conftest.py; every fixture
name starts with "qual_". One daemon per module: `yunshoud init` in a fresh
state directory on a free loopback port, cheap argon2 appended to its
yunshoud.conf, `yunshoud run`; the provider admin's first login (one-time
password change, then MFA with a TOTP computed here); teardown sends SIGTERM
and checks exit status 0 and a log free of sanitizer reports.

Binaries: $YS_YUNSHOUD and $YS_YUNSHOU (set by meson), else ./build/.
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
    with open(os.path.join(env.state, "yunshoud.conf"), "a") as f:
        f.write("\nargon2_memory_kib = 1024\nargon2_iterations = 1\n")
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
