"""Fixtures and helpers of the end-to-end suite.

Every test module gets real daemons: `yunshoud init` in a fresh temporary
state directory on a free loopback port, a few test settings appended to its
yunshoud.conf, then `yunshoud run` with its stderr captured to a file. The
teardown stops the daemon with SIGTERM and asserts that it exited 0 and that
its log holds no sanitizer report, so the same suite run against an
ASan+UBSan build (`make asan`) fails on leaks and undefined behaviour.

The CLI runs with a per-user YUNSHOU_CONFIG_DIR, --server/--ca, passwords in
the environment, stdin from /dev/null and no controlling terminal (so it can
never sit waiting on a prompt). Raw HTTP goes through http.client + ssl,
trusting the state directory's ca.crt.

Binaries: $YS_YUNSHOUD and $YS_YUNSHOU (set by meson), else ./build/.
"""
import base64
import ctypes
import hashlib
import hmac
import http.client
import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import ssl
import struct
import subprocess
import tempfile
import time

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
YUNSHOUD = os.environ.get("YS_YUNSHOUD", os.path.join(ROOT, "build/src/control/yunshoud"))
YUNSHOU = os.environ.get("YS_YUNSHOU", os.path.join(ROOT, "build/src/cli/yunshou"))

# Sanitizer builds are several times slower; allow for it in waits.
SLOW = 4 if os.environ.get("ASAN_OPTIONS") or os.environ.get("UBSAN_OPTIONS") else 1

SANITIZER_MARKERS = ("AddressSanitizer", "LeakSanitizer", "runtime error", "UndefinedBehaviorSanitizer")

# Passwords that pass the policy (>= 12 characters, not common, not the name).
PASSWORD = "Cloud-Guard-4711-ok"
PASSWORD2 = "Second-Secret-8080-ok"

# Settings for speed: 2 workers, cheap argon2, rate limits out of the way.
TEST_CONF = {
    "workers": 2,
    "argon2_memory_kib": 1024,
    "argon2_iterations": 1,
    "login_rate_per_minute": 1000000,
    "registration_rate_per_hour": 1000000,
}

CREDIT_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]


def credit_code(n, prefix="91350100M0001"):
    """A valid 18-character unified social credit code (GB 32100-2015)."""
    body = f"{prefix}{n:04d}"
    assert len(body) == 17
    s = sum(CREDIT_CHARSET.index(c) * w for c, w in zip(body, CREDIT_WEIGHTS))
    return body + CREDIT_CHARSET[(31 - s % 31) % 31]


def totp(secret, offset=0, at=None):
    """RFC 6238 code (SHA-1, 6 digits, 30 s) for a base32 secret."""
    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    counter = int((time.time() if at is None else at) // 30) + offset
    mac = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    o = mac[-1] & 0x0F
    return "%06d" % ((struct.unpack(">I", mac[o:o + 4])[0] & 0x7FFFFFFF) % 1000000)


class Mfa:
    """An enrolled authenticator. The server refuses a step already used and
    accepts +-1 step, so each code comes from a step after the last one used,
    waiting only when the next unused step is still two steps ahead."""

    def __init__(self, secret):
        self.secret = secret
        self.last_step = -1

    def code(self):
        now = int(time.time() // 30)
        step = max(now, self.last_step + 1)
        if step > now + 1:
            time.sleep((step - 1) * 30 - time.time() + 0.05)
        self.last_step = step
        return totp(self.secret, at=step * 30)


_libc = ctypes.CDLL(None, use_errno=True)
PR_SET_PDEATHSIG = 1


def _die_with_parent():
    """In the child before exec: if pytest itself is killed, so is the daemon."""
    _libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Resp:
    def __init__(self, status, headers, raw):
        self.status = status
        self.headers = headers
        self.raw = raw
        try:
            self.json = json.loads(raw) if raw else None
        except ValueError:
            self.json = None

    @property
    def code(self):
        """The error code, or None when the body is not an error object."""
        if isinstance(self.json, dict) and isinstance(self.json.get("error"), dict):
            return self.json["error"].get("code")
        return None

    def __repr__(self):
        return f"<Resp {self.status} {self.raw[:300]!r}>"


def assert_error(r, status, code=None):
    """The error shape of API.md: {"error": {"code", "message"}} and status."""
    assert r.status == status, r
    assert isinstance(r.json, dict) and set(r.json) == {"error"}, r
    e = r.json["error"]
    assert isinstance(e.get("code"), str) and isinstance(e.get("message"), str), r
    assert e["message"], r
    if code is not None:
        assert e["code"] == code, r
    return e


def sanitizer_free(text):
    return not any(m in text for m in SANITIZER_MARKERS)


def _env_base(home):
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": home,
        "LANG": "C.UTF-8",
    }
    for k in ("ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS", "MSAN_OPTIONS"):
        if k in os.environ:
            env[k] = os.environ[k]
    return env


class Cli:
    """Runs the yunshou binary as one user (its own config directory)."""

    def __init__(self, daemon, name):
        self.d = daemon
        self.name = name
        self.config_dir = os.path.join(daemon.tmp, "cli-" + name)
        os.makedirs(self.config_dir, mode=0o700, exist_ok=True)

    def run(self, *args, password=None, new_password=None, token=None, server=True,
            json_out=False, env=None, timeout=60):
        cmd = [YUNSHOU]
        if server:
            cmd += ["--server", self.d.url, "--ca", self.d.ca]
        if json_out:
            cmd.append("--json")
        cmd += [str(a) for a in args]
        e = _env_base(self.config_dir)
        e["YUNSHOU_CONFIG_DIR"] = self.config_dir
        if password is not None:
            e["YUNSHOU_PASSWORD"] = password
        if new_password is not None:
            e["YUNSHOU_NEW_PASSWORD"] = new_password
        if token is not None:
            e["YUNSHOU_TOKEN"] = token
        if env:
            e.update(env)
        p = subprocess.run(cmd, env=e, stdin=subprocess.DEVNULL, capture_output=True,
                           text=True, timeout=timeout * SLOW, start_new_session=True)
        assert sanitizer_free(p.stderr), p.stderr
        return p.returncode, p.stdout, p.stderr

    def json(self, *args, **kw):
        """--json variant: (rc, parsed stdout or None, stderr)."""
        rc, out, err = self.run(*args, json_out=True, **kw)
        try:
            parsed = json.loads(out) if out.strip() else None
        except ValueError:
            raise AssertionError(f"yunshou --json printed no JSON: {out!r} {err!r}")
        return rc, parsed, err

    def ok(self, *args, **kw):
        """--json, asserting exit 0; returns the parsed answer."""
        rc, j, err = self.json(*args, **kw)
        assert rc == 0, (args, rc, j, err)
        return j

    def token(self):
        with open(os.path.join(self.config_dir, "session.json")) as f:
            return json.load(f).get("token")


class Daemon:
    """One yunshoud with its own state directory and port."""

    def __init__(self, conf=None, init_args=(), copy_of=None):
        self.tmp = tempfile.mkdtemp(prefix="ys-e2e-")
        self.state = os.path.join(self.tmp, "state")
        self.port = free_port()
        self.url = f"https://127.0.0.1:{self.port}"
        self.proc = None
        self.logs = []
        self.conf = dict(TEST_CONF if copy_of is None else copy_of.conf)
        # every daemon gets its own node API port too
        self.node_port = free_port()
        self.conf["node_listen"] = f"127.0.0.1:{self.node_port}"
        self.node_url = f"https://127.0.0.1:{self.node_port}"
        self.conf.update(conf or {})
        self.ca = os.path.join(self.state, "ca.crt")
        self.db_path = os.path.join(self.state, "yunshoud.db")
        try:
            if copy_of is not None:
                self._copy(copy_of)
            else:
                self._init(init_args)
            self.write_conf()
            self.ssl_ctx = ssl.create_default_context(cafile=self.ca)
        except BaseException:
            shutil.rmtree(self.tmp, ignore_errors=True)
            raise

    def _copy(self, src):
        """A copy of a stopped daemon's state directory on a new port."""
        assert src.proc is None, "copy a stopped daemon's state"
        shutil.copytree(src.state, self.state)
        self.init_out, self.init_err = src.init_out, src.init_err
        self.initial_password = src.initial_password
        self.ca_fingerprint = src.ca_fingerprint
        self.base_conf = re.sub(r"(?m)^listen = .*$", f"listen = 127.0.0.1:{self.port}",
                                src.base_conf)

    def _init(self, init_args):
        p = subprocess.run([YUNSHOUD, "init", "--state", self.state, "--listen",
                            f"127.0.0.1:{self.port}", *init_args],
                           capture_output=True, text=True, timeout=60 * SLOW,
                           env=_env_base(self.tmp), start_new_session=True)
        self.init_out, self.init_err = p.stdout, p.stderr
        if p.returncode != 0:
            raise AssertionError(f"yunshoud init failed: {p.stdout}{p.stderr}")
        m = re.search(r"one-time password:\s+(\S+)", p.stdout)
        f = re.search(r"CA fingerprint SHA-256:\s+([0-9a-f]{64})", p.stdout)
        assert m and f, p.stdout
        self.initial_password = m.group(1)
        self.ca_fingerprint = f.group(1)
        with open(os.path.join(self.state, "yunshoud.conf")) as fh:
            self.base_conf = fh.read()

    # configuration -------------------------------------------------------
    def write_conf(self, **changes):
        """Rewrite the test block of yunshoud.conf (keys may appear once)."""
        self.conf.update(changes)
        lines = [self.base_conf.rstrip("\n"), "", "# e2e test settings"]
        for k, v in self.conf.items():
            if v is None:   # left at the default
                continue
            if isinstance(v, bool):
                v = "true" if v else "false"
            lines.append(f"{k} = {v}")
        with open(os.path.join(self.state, "yunshoud.conf"), "w") as fh:
            fh.write("\n".join(lines) + "\n")

    # process -------------------------------------------------------------
    def start(self):
        assert self.proc is None
        path = os.path.join(self.tmp, f"yunshoud.{len(self.logs) + 1}.log")
        self.logs.append(path)
        self._log = open(path, "wb")
        self.proc = subprocess.Popen([YUNSHOUD, "run", "--state", self.state],
                                     stdin=subprocess.DEVNULL, stdout=self._log,
                                     stderr=subprocess.STDOUT, env=_env_base(self.tmp),
                                     start_new_session=True, preexec_fn=_die_with_parent)
        deadline = time.monotonic() + 15 * SLOW
        while True:
            if self.proc.poll() is not None:
                rc = self.proc.returncode
                self.proc = None
                self._log.close()
                raise AssertionError(f"yunshoud run exited {rc} at start:\n{self.log()}")
            try:
                r = self.api("GET", "/v1/health", timeout=2)
                if r.status == 200:
                    return self
            except (OSError, http.client.HTTPException):
                pass
            if time.monotonic() > deadline:
                self.kill()
                raise AssertionError(f"yunshoud did not answer /v1/health:\n{self.log()}")
            time.sleep(0.05)

    def log(self, all_runs=True):
        text = ""
        for p in (self.logs if all_runs else self.logs[-1:]):
            with open(p, "rb") as fh:
                text += fh.read().decode("utf-8", "replace")
        return text

    def signal(self, sig):
        self.proc.send_signal(sig)

    def stop(self):
        """SIGTERM; assert exit 0 within 10 s and a clean log."""
        if self.proc is None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            rc = self.proc.wait(timeout=10 * SLOW)
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError(f"yunshoud ignored SIGTERM for 10 s; killed:\n{self.log()}")
        self.proc = None
        self._log.close()
        log = self.log(all_runs=False)
        assert rc == 0, f"yunshoud exited {rc}:\n{log}"
        assert sanitizer_free(log), f"sanitizer report in the daemon log:\n{log}"

    def kill(self):
        if self.proc is not None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.proc.wait()
            self.proc = None
            self._log.close()

    def close(self):
        try:
            self.stop()
        finally:
            self.kill()
            shutil.rmtree(self.tmp, ignore_errors=True)

    def restart(self):
        self.stop()
        return self.start()

    # clients ---------------------------------------------------------------
    def api(self, method, path, token=None, body=None, headers=None, timeout=30):
        """Raw HTTPS request. body: dict/list (sent as JSON) or bytes/str (as is)."""
        h = {}
        data = None
        if body is not None:
            if isinstance(body, (dict, list)):
                data = json.dumps(body).encode()
                h["Content-Type"] = "application/json"
            else:
                data = body.encode() if isinstance(body, str) else body
                h["Content-Type"] = "application/json"
        if token:
            h["Authorization"] = "Bearer " + token
        h.update(headers or {})
        h = {k: v for k, v in h.items() if v is not None}
        conn = http.client.HTTPSConnection("127.0.0.1", self.port, context=self.ssl_ctx,
                                           timeout=timeout * SLOW)
        try:
            conn.request(method, path, body=data, headers=h)
            r = conn.getresponse()
            return Resp(r.status, r.headers, r.read())
        finally:
            conn.close()

    def cli(self, name):
        return Cli(self, name)

    def db(self):
        """A connection to the store (WAL: safe beside the running daemon)."""
        c = sqlite3.connect(self.db_path, timeout=10)
        c.row_factory = sqlite3.Row
        return c

    def login(self, username, password, otp=None):
        body = {"username": username, "password": password}
        if otp is not None:
            body["otp"] = otp
        r = self.api("POST", "/v1/auth/login", body=body)
        assert r.status == 200, (username, r)
        return r.json["token"]

    def snapshot(self):
        """Every non-audit table's rows; touch stamps (sessions.last_seen_at,
        api_keys.last_used_at, refreshed at most once a minute by reads) are
        left out."""
        skip_cols = {("sessions", "last_seen_at"), ("api_keys", "last_used_at")}
        out = {}
        with self.db() as c:
            tables = [r[0] for r in c.execute(
                "SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")]
            for t in tables:
                if t.startswith("audit_") or t.startswith("sqlite_"):
                    continue
                cols = [r[1] for r in c.execute(f"PRAGMA table_info({t})")
                        if (t, r[1]) not in skip_cols]
                sel = ", ".join(f'"{x}"' for x in cols)
                out[t] = [tuple(r) for r in c.execute(f"SELECT {sel} FROM {t} ORDER BY rowid")]
        c.close()
        return out


class Operator:
    """The first administrator after first login: password changed, MFA on."""

    def __init__(self, d, name, password, mfa, cli):
        self.d, self.name, self.password, self.mfa, self.cli = d, name, password, mfa, cli

    @property
    def token(self):
        return self.cli.token()

    def new_token(self):
        return self.d.login(self.name, self.password, otp=self.mfa.code())


def first_admin_login(d, name="admin", new_password=PASSWORD):
    """The one-time-password login (CLI changes the password), then MFA
    enrolment through the CLI."""
    cli = d.cli(name)
    rc, out, err = cli.run("login", name, password=d.initial_password, new_password=new_password)
    assert rc == 0, (out, err)
    assert "password changed" in out, out
    assert "must enrol MFA" in err, err
    setup = cli.ok("mfa", "setup")
    mfa = Mfa(setup["secret"])
    assert setup["otpauth_uri"].startswith("otpauth://totp/")
    assert cli.ok("mfa", "enable", "--otp", mfa.code()) == {"mfa_enabled": True}
    return Operator(d, name, new_password, mfa, cli)


class Tenant:
    def __init__(self, **kw):
        self.__dict__.update(kw)


def registration_fields(n, username=None, password=PASSWORD, name=None):
    return {
        "tenant_name": name or f"e2e tenant {n} 有限公司",
        "credit_code": credit_code(n),
        "contact_name": f"Contact {n}",
        "contact_email": f"ops{n}@tenant{n}.example.cn",
        "contact_phone": f"138{n:08d}",
        "username": username or f"tadmin{n}",
        "password": password,
    }


def register_tenant(d, n, username=None, password=PASSWORD, name=None):
    """POST /v1/registrations; returns (response, fields)."""
    fields = registration_fields(n, username, password, name)
    return d.api("POST", "/v1/registrations", body=fields), fields


def register_and_approve_tenant(d, admin_token, n, username=None, password=PASSWORD):
    """A tenant registered, approved by the operator, its admin logged in."""
    r, f = register_tenant(d, n, username=username, password=password)
    assert r.status == 201, r
    tid = r.json["tenant_id"]
    if r.json["status"] == "pending":
        a = d.api("POST", f"/v1/tenants/{tid}/approve", admin_token, {})
        assert a.status == 200 and a.json["status"] == "active", a
    token = d.login(f["username"], password)
    who = d.api("GET", "/v1/auth/whoami", token)
    assert who.status == 200, who
    return Tenant(id=tid, name=f["tenant_name"], credit_code=f["credit_code"],
                  username=f["username"], password=password, token=token,
                  user_id=who.json["id"], fields=f)


def new_user(d, by_token, username, role, tenant_id=None, password=PASSWORD,
             new_password=PASSWORD2):
    """Created by by_token, first login and password change done; returns
    (user id, session token)."""
    body = {"username": username, "password": password, "role": role}
    if tenant_id is not None:
        body["tenant_id"] = tenant_id
    r = d.api("POST", "/v1/users", by_token, body)
    assert r.status == 201, r
    t = d.login(username, password)
    c = d.api("POST", "/v1/auth/password", t, {"old_password": password,
                                              "new_password": new_password})
    assert c.status == 200, c
    return r.json["id"], t


def _factory(request_finalizer):
    made = []

    def make(conf=None, start=True, **kw):
        d = Daemon(conf, **kw)
        made.append(d)
        if start:
            d.start()
        return d

    def fin():
        errors = []
        for d in made:
            try:
                d.close()
            except AssertionError as e:
                errors.append(e)
        if errors:
            raise errors[0]

    request_finalizer(fin)
    return make


@pytest.fixture
def make_daemon(request):
    """Function-scoped factory: make_daemon(conf={...}, start=True)."""
    return _factory(request.addfinalizer)


@pytest.fixture(scope="module")
def make_module_daemon(request):
    return _factory(request.addfinalizer)


@pytest.fixture(scope="module")
def daemon(make_module_daemon):
    """One daemon with the test settings, shared by a module."""
    return make_module_daemon()


@pytest.fixture(scope="module")
def admin(daemon):
    return first_admin_login(daemon)


class NodeProc:
    """A provider node process a test starts in its own session (its output
    in a log file) and stops with SIGTERM: it must exit 0 with a log free of
    sanitizer reports. close() kills what is left and removes the directory."""

    def __init__(self, prefix):
        self.tmp = tempfile.mkdtemp(prefix=prefix)
        self.state = os.path.join(self.tmp, "state")
        self.proc = None
        self.log = os.path.join(self.tmp, "node.log")

    def spawn(self, argv):
        with open(self.log, "wb") as lf:
            self.proc = subprocess.Popen(argv, stdout=lf, stderr=subprocess.STDOUT,
                                         env=_env_base(self.tmp), start_new_session=True)

    def read_log(self):
        with open(self.log, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def stop(self):
        if self.proc is None:
            return
        os.killpg(self.proc.pid, signal.SIGTERM)
        rc = self.proc.wait(timeout=30 * SLOW)
        self.proc = None
        assert rc == 0, self.read_log()
        assert sanitizer_free(self.read_log()), self.read_log()

    def close(self):
        if self.proc is not None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        shutil.rmtree(self.tmp, ignore_errors=True)

