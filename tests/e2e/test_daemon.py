"""The daemon itself: init, check-config, file modes, TLS versions, SIGHUP
reload, SIGTERM, the one-time administrator password and MFA at login.
test_first_login_with_default_argon2 runs with the default argon2 cost
(the rest of the suite uses a cheap one)."""
import hashlib
import os
import signal
import socket
import ssl
import stat
import subprocess
import time
import warnings

import pytest

from conftest import (PASSWORD, SLOW, YUNSHOUD, _env_base, assert_error, register_tenant,
                      sanitizer_free, totp)


def yunshoud(*args, d=None):
    p = subprocess.run([YUNSHOUD, *args], capture_output=True, text=True,
                       timeout=60 * SLOW, env=_env_base(d.tmp if d else "/tmp"),
                       start_new_session=True)
    assert sanitizer_free(p.stderr), p.stderr
    return p.returncode, p.stdout, p.stderr


def wait_for(pred, what, timeout=5):
    deadline = time.monotonic() + timeout * SLOW
    while not pred():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)


def test_version():
    rc, out, _ = yunshoud("version")
    assert rc == 0 and out.startswith("yunshoud ")


def test_check_config_ok(daemon):
    rc, out, err = yunshoud("check-config", "--state", daemon.state, d=daemon)
    assert rc == 0, err
    assert "configuration OK" in out.splitlines()


@pytest.mark.parametrize("line,message", [
    ("colour = blue", "unknown key 'colour'"),
    ("workers = 65", "workers"),
    ("workers = many", "workers"),
    ("max_body_bytes = 10", "max_body_bytes"),
    ("auto_approve_registrations = perhaps", "auto_approve_registrations"),
    ("log_level = loud", "log_level"),
    ("login_rate_per_minute = 0", "login_rate_per_minute"),
    ("this is not a key value line", "expected 'key = value'"),
    ("workers = 1", "duplicate key 'workers'"),
])
def test_check_config_refuses(make_daemon, line, message):
    d = make_daemon(start=False)
    path = os.path.join(d.state, "yunshoud.conf")
    with open(path) as f:
        text = f.read()
    with open(path, "a") as f:
        f.write(line + "\n")
    lineno = text.count("\n") + 1
    rc, out, err = yunshoud("check-config", "--state", d.state, d=d)
    assert rc != 0 and "configuration OK" not in out
    assert message in err, err
    if message != "log_level":   # checked after parsing: names the file, not the line
        assert f"{path}:{lineno}:" in err, err
    else:
        assert path in err, err
    # `run` refuses the same file and says why.
    p = subprocess.run([YUNSHOUD, "run", "--state", d.state], capture_output=True, text=True,
                       timeout=30 * SLOW, env=_env_base(d.tmp), start_new_session=True)
    assert p.returncode != 0 and message in p.stderr, p.stderr


def test_check_config_without_store(tmp_path):
    rc, out, err = yunshoud("check-config", "--state", str(tmp_path / "nothing"))
    assert rc != 0 and "configuration OK" not in out


def test_init_twice_refuses(daemon):
    def audit_rows():
        with daemon.db() as c:
            rows = c.execute("SELECT seq, hash FROM audit_log ORDER BY seq").fetchall()
        c.close()
        return [tuple(r) for r in rows]
    before = (daemon.snapshot(), audit_rows())
    with open(os.path.join(daemon.state, "ca.key"), "rb") as f:
        ca_before = f.read()
    rc, out, err = yunshoud("init", "--state", daemon.state, "--listen",
                            f"127.0.0.1:{daemon.port}", d=daemon)
    assert rc != 0 and "refusing to initialise it again" in err, err
    assert "one-time password" not in out
    with open(os.path.join(daemon.state, "ca.key"), "rb") as f:
        assert f.read() == ca_before
    assert (daemon.snapshot(), audit_rows()) == before
    assert daemon.api("GET", "/v1/health").status == 200


def test_init_prints_the_ca_fingerprint(daemon):
    with open(daemon.ca) as f:
        der = ssl.PEM_cert_to_DER_cert(f.read())
    assert hashlib.sha256(der).hexdigest() == daemon.ca_fingerprint


def test_key_files_are_private(daemon, admin):
    st = os.stat(daemon.state)
    assert stat.S_IMODE(st.st_mode) == 0o700
    for name in ("ca.key", "server.key", "signing.key", "yunshoud.db", "yunshoud.db-wal",
                 "yunshoud.db-shm"):
        path = os.path.join(daemon.state, name)
        if name.endswith(("-wal", "-shm")) and not os.path.exists(path):
            continue
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600, name
    # the CLI's session file holds a token: private too
    cfg = admin.cli.config_dir
    assert stat.S_IMODE(os.stat(os.path.join(cfg, "session.json")).st_mode) == 0o600


def _tls_ctx(d, version):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.load_verify_locations(d.ca)
    # Let this client offer old versions: the refusal must be the server's.
    ctx.set_ciphers("ALL:@SECLEVEL=0")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        ctx.minimum_version = version
        ctx.maximum_version = version
    return ctx


def _handshake(d, ctx):
    with socket.create_connection(("127.0.0.1", d.port), timeout=10 * SLOW) as s:
        with ctx.wrap_socket(s, server_hostname="127.0.0.1") as t:
            t.sendall(b"GET /v1/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            data = b""
            while chunk := t.recv(4096):
                data += chunk
            return t.version(), data


@pytest.mark.parametrize("name", ["TLSv1", "TLSv1_1"])
def test_old_tls_refused(daemon, name):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        version = getattr(ssl.TLSVersion, name)
    with pytest.raises(ssl.SSLError) as e:
        _handshake(daemon, _tls_ctx(daemon, version))
    assert "PROTOCOL_VERSION" in str(e.value) or "protocol version" in str(e.value), e.value


@pytest.mark.parametrize("name,expect", [("TLSv1_2", "TLSv1.2"), ("TLSv1_3", "TLSv1.3")])
def test_modern_tls_accepted(daemon, name, expect):
    version, data = _handshake(daemon, _tls_ctx(daemon, getattr(ssl.TLSVersion, name)))
    assert version == expect
    assert data.startswith(b"HTTP/1.1 200") and b'"status":"ok"' in data


def test_cli_verifies_the_server(daemon, make_daemon):
    """Another CA, or plain http: the CLI refuses (exit 3 / 2)."""
    other = make_daemon(start=False)
    cli = daemon.cli("tls")
    rc, _, err = cli.run("--server", daemon.url, "--ca", other.ca, "service", "list",
                         server=False, token="yss_" + "x" * 43)
    assert rc == 3 and "cannot reach" in err, err
    rc, _, err = cli.run("--server", daemon.url.replace("https", "http"), "--ca", daemon.ca,
                         "service", "list", server=False)
    assert rc == 2 and "https://" in err, err


def test_sighup_reload(daemon, admin):
    """A changed value applies at once, without a restart (same pid)."""
    d = daemon
    pid = d.proc.pid
    r, _ = register_tenant(d, 601)
    assert r.status == 201 and r.json["status"] == "pending"

    d.write_conf(auto_approve_registrations=True)
    d.signal(signal.SIGHUP)
    wait_for(lambda: "configuration reloaded" in d.log(all_runs=False), "the reload")
    r, f = register_tenant(d, 602)
    assert r.status == 201 and r.json["status"] == "active", r
    assert d.login(f["username"], f["password"])   # usable at once
    t = d.api("GET", f"/v1/tenants/{r.json['tenant_id']}", admin.token).json
    assert t["approved_by"] == "auto-approval"

    # A broken file is refused; the running configuration stays.
    with open(os.path.join(d.state, "yunshoud.conf"), "a") as fh:
        fh.write("nonsense = 1\n")
    d.signal(signal.SIGHUP)
    wait_for(lambda: "reload failed" in d.log(all_runs=False), "the failed reload")
    assert "unknown key 'nonsense'" in d.log(all_runs=False)
    r, _ = register_tenant(d, 603)
    assert r.status == 201 and r.json["status"] == "active"

    # Back to operator approval, and a login rate limit.
    d.write_conf(auto_approve_registrations=False, login_rate_per_minute=2)
    d.signal(signal.SIGHUP)
    wait_for(lambda: d.log(all_runs=False).count("configuration reloaded") == 2, "reload 2")
    r, _ = register_tenant(d, 604)
    assert r.json["status"] == "pending"
    codes = [d.api("POST", "/v1/auth/login", body={"username": "x.y", "password": "z"}).status
             for _ in range(3)]
    assert codes == [401, 401, 429], codes
    assert d.proc.pid == pid and d.proc.poll() is None
    d.write_conf(login_rate_per_minute=1000000)
    d.signal(signal.SIGHUP)
    wait_for(lambda: d.log(all_runs=False).count("configuration reloaded") == 3, "reload 3")


def test_sighup_keeps_signing_checkpoints(make_daemon):
    """After a reload, audit checkpoints are still written and signed."""
    d = make_daemon({"audit_checkpoint_every": 1000})
    d.write_conf(audit_checkpoint_every=2)
    d.signal(signal.SIGHUP)
    wait_for(lambda: "configuration reloaded" in d.log(), "the reload")
    for n in range(611, 615):
        assert register_tenant(d, n)[0].status == 201
    with d.db() as c:
        head = c.execute("SELECT max(seq) FROM audit_log").fetchone()[0]
        cps = [r[0] for r in c.execute("SELECT seq FROM audit_checkpoints ORDER BY seq")]
    c.close()
    assert head >= 5
    # the genesis checkpoint of entry 1, then every 2 entries
    assert cps == [1] + [s for s in range(2, head + 1, 2)], (head, cps)
    rc, out, err = yunshoud("audit-verify", "--state", d.state, d=d)
    assert rc == 0 and f"{len(cps)} checkpoints" in out, (out, err)


def test_sigterm_exits_zero(make_daemon):
    d = make_daemon()
    assert d.api("GET", "/v1/health").status == 200
    d.stop()   # asserts exit status 0 and a clean log
    log = d.log()
    assert "draining" in log and "stopped" in log
    with pytest.raises(OSError):
        d.api("GET", "/v1/health", timeout=2)
    # and it starts again on the same state
    d.start()
    assert d.api("GET", "/v1/health").status == 200


def test_first_login_with_default_argon2(make_daemon):
    """The one-time password is a login-and-change, once; it never reaches the
    log (even at debug level). Default argon2 cost in this daemon."""
    d = make_daemon({"argon2_memory_kib": None, "argon2_iterations": None,
                     "log_level": "debug"})
    otp = d.initial_password
    assert len(otp) == 20
    r = d.api("POST", "/v1/auth/login", body={"username": "admin", "password": otp})
    assert r.status == 200, r
    assert r.json["must_change_password"] is True and r.json["mfa_enrollment_required"] is True
    tok = r.json["token"]
    # Restricted: only whoami, password, MFA and logout.
    assert_error(d.api("GET", "/v1/tenants", tok), 403, "password_change_required")
    assert_error(d.api("POST", "/v1/apikeys", tok, {"name": "k"}), 403,
                 "password_change_required")
    who = d.api("GET", "/v1/auth/whoami", tok).json
    assert who["must_change_password"] is True
    # The policy applies to the new password.
    assert_error(d.api("POST", "/v1/auth/password", tok, {"old_password": otp,
                                                          "new_password": "admin-password-1"}),
                 400, "password_policy")
    assert_error(d.api("POST", "/v1/auth/password", tok, {"old_password": otp,
                                                          "new_password": otp}),
                 400, "password_policy")
    assert d.api("POST", "/v1/auth/password", tok, {"old_password": otp,
                                                    "new_password": PASSWORD}).status == 200
    # Once only: the one-time password is dead now.
    assert_error(d.api("POST", "/v1/auth/login", body={"username": "admin", "password": otp}),
                 401, "invalid_credentials")
    # Still restricted until MFA is enrolled.
    assert_error(d.api("GET", "/v1/tenants", tok), 403, "mfa_enrollment_required")
    tok2 = d.login("admin", PASSWORD)
    assert_error(d.api("GET", "/v1/orders", tok2), 403, "mfa_enrollment_required")
    setup = d.api("POST", "/v1/mfa/setup", tok2, {}).json
    assert_error(d.api("POST", "/v1/mfa/enable", tok2, {"code": "000000" if totp(
        setup["secret"]) != "000000" else "111111"}), 401, "invalid_otp")
    assert d.api("POST", "/v1/mfa/enable", tok2, {"code": totp(setup["secret"])}).status == 200
    assert d.api("GET", "/v1/tenants", tok2).status == 200
    # Admins may not turn MFA off.
    assert_error(d.api("POST", "/v1/mfa/disable", tok2, {"code": "123456"}), 403, "forbidden")
    # The hash in the store has the default cost.
    with d.db() as c:
        h = c.execute("SELECT password_hash FROM users WHERE username = 'admin'").fetchone()[0]
    c.close()
    assert h.startswith("$argon2id$") and "m=19456,t=2" in h, h
    d.stop()
    log = d.log()
    for secret in (otp, PASSWORD, tok, tok2, setup["secret"]):
        assert secret not in log, "a secret reached the daemon log"
    with open(os.path.join(d.state, "yunshoud.conf")) as f:
        assert otp not in f.read()


def test_admin_login_needs_otp(daemon, admin):
    d = daemon
    cli = d.cli("admin2")
    # Without --otp and without a terminal: refused, mfa_required.
    rc, out, err = cli.run("login", "admin", password=admin.password)
    assert rc == 1 and "needs an MFA code" in err, (out, err)
    assert_error(d.api("POST", "/v1/auth/login",
                       body={"username": "admin", "password": admin.password}),
                 401, "mfa_required")
    # A wrong code is refused.
    code = admin.mfa.code()
    wrong = "%06d" % ((int(code) + 500000) % 1000000)
    rc, j, err = cli.json("login", "admin", "--otp", wrong, password=admin.password)
    assert rc == 1 and j["error"]["code"] == "invalid_otp", err
    # The right one works, once.
    rc, out, err = cli.run("login", "admin", "--otp", code, password=admin.password)
    assert rc == 0 and "logged in as admin (admin)" in out, (out, err)
    assert cli.ok("whoami")["username"] == "admin"
    rc, j, err = cli.json("login", "admin", "--otp", code, password=admin.password)
    assert rc == 1 and j["error"]["code"] == "invalid_otp", err
    # the password alone with a wrong user name says nothing about MFA
    assert_error(d.api("POST", "/v1/auth/login",
                       body={"username": "admin", "password": "Wrong-password-77"}),
                 401, "invalid_credentials")
