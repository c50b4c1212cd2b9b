"""Network scan end to end (issue 5, "Network scans"): the test starts
services on 127.0.0.1 in Python -- a web server serving a directory with an
exposed .git/, an SSH banner, a Redis without a password and a weak TLS web
server (TLS 1.0, a self-signed certificate for another name that expired
last month) -- and runs the real yunshou-scan --json over them plus ports
it has just closed. It must report exactly the open ports, identify the
services and find the planted weaknesses. A target that is not a loopback
address is refused without --authorized-by (and never scanned here).
"""
import datetime
import http.server
import json
import os
import socket
import socketserver
import ssl
import subprocess
import threading
import warnings

import pytest

from conftest import ROOT

SCAN = os.environ.get("YS_SCAN", os.path.join(ROOT, "build/src/vuln/yunshou-scan"))


class Threaded(socketserver.ThreadingMixIn, socketserver.TCPServer):
    daemon_threads = True
    allow_reuse_address = True


def serve(handler_cls):
    srv = Threaded(("127.0.0.1", 0), handler_cls)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv


class SSH(socketserver.BaseRequestHandler):
    def handle(self):
        self.request.sendall(b"SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n")
        self.request.settimeout(2)
        try:
            self.request.recv(256)
        except OSError:
            pass


class Redis(socketserver.BaseRequestHandler):
    def handle(self):
        self.request.settimeout(2)
        try:
            data = self.request.recv(256)
        except OSError:
            return
        self.request.sendall(b"+PONG\r\n" if data.startswith(b"PING")
                             else b"-ERR unknown command\r\n")


def weak_cert(tmp):
    """A self-signed RSA certificate for wrong.example that expired 20 days ago."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "wrong.example")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(7)
            .not_valid_before(now - datetime.timedelta(days=400))
            .not_valid_after(now - datetime.timedelta(days=20))
            .sign(key, hashes.SHA256()))
    cpath, kpath = os.path.join(tmp, "weak.crt"), os.path.join(tmp, "weak.key")
    with open(cpath, "wb") as f:
        f.write(cert.public_bytes(serialization.Encoding.PEM))
    with open(kpath, "wb") as f:
        f.write(key.private_bytes(serialization.Encoding.PEM,
                                  serialization.PrivateFormat.TraditionalOpenSSL,
                                  serialization.NoEncryption()))
    return cpath, kpath


def tls_server(tmp):
    cpath, kpath = weak_cert(tmp)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.set_ciphers("ALL:@SECLEVEL=0")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # the point of the test
        ctx.minimum_version = ssl.TLSVersion.TLSv1
    ctx.load_cert_chain(cpath, kpath)

    class Handler(socketserver.BaseRequestHandler):
        def handle(self):
            self.request.settimeout(3)
            try:
                s = ctx.wrap_socket(self.request, server_side=True)
                req = s.recv(4096)
                body = b"<html>weak</html>\n" if req.split(b" ")[1:2] == [b"/"] else b""
                status = b"200 OK" if body else b"404 Not Found"
                s.sendall(b"HTTP/1.0 " + status + b"\r\nServer: weaktls/1.0\r\n"
                          b"Content-Length: " + str(len(body)).encode() +
                          b"\r\n\r\n" + body)
                s.close()
            except (OSError, ssl.SSLError, IndexError):
                pass

    return serve(Handler)


@pytest.fixture(scope="module")
def services(tmp_path_factory):
    tmp = str(tmp_path_factory.mktemp("netscan"))
    site = os.path.join(tmp, "site")
    os.makedirs(os.path.join(site, ".git"))
    with open(os.path.join(site, ".git", "HEAD"), "w") as f:
        f.write("ref: refs/heads/main\n")

    class Web(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *a, **kw):
            super().__init__(*a, directory=site, **kw)

        def log_message(self, *a):
            pass

    servers = {"http": serve(Web), "ssh": serve(SSH), "redis": serve(Redis),
               "tls": tls_server(tmp)}
    closed = []
    for _ in range(4):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        closed.append(s.getsockname()[1])
        s.close()
    yield {k: v.server_address[1] for k, v in servers.items()}, closed
    for srv in servers.values():
        srv.shutdown()
        srv.server_close()


def scan(*args):
    return subprocess.run([SCAN, *args], capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, timeout=120)


def test_scan_finds_ports_services_and_weaknesses(services):
    ports, closed = services
    spec = ",".join(str(p) for p in sorted(list(ports.values()) + closed))
    r = scan("--target", "127.0.0.1", "--ports", spec, "--timeout", "1500", "--json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["authorization"] == "loopback" and out["authorized_by"] is None
    assert out["open_ports"] == sorted(ports.values())
    assert out["ports_scanned"] == len(ports) + len(closed)

    svc = {s["port"]: s for s in out["services"]}
    assert svc[ports["ssh"]]["service"] == "ssh"
    assert svc[ports["ssh"]]["product"] == "OpenSSH"
    assert svc[ports["ssh"]]["version"] == "9.2p1"
    assert svc[ports["http"]]["service"] == "http"
    assert svc[ports["http"]]["product"] == "SimpleHTTP"
    assert svc[ports["redis"]]["service"] == "redis"
    assert svc[ports["redis"]]["auth"] == "none"
    assert svc[ports["tls"]]["service"] == "https"
    assert svc[ports["tls"]]["tls"] is True

    found = {(f["id"], f["port"]) for f in out["findings"]}
    for want in [("http-git-exposed", ports["http"]),
                 ("http-directory-listing", ports["http"]),
                 ("redis-unauthenticated", ports["redis"]),
                 ("tls-1.0-enabled", ports["tls"]),
                 ("tls-cert-expired", ports["tls"]),
                 ("tls-cert-self-signed", ports["tls"]),
                 ("tls-cert-hostname-mismatch", ports["tls"]),
                 ("http-missing-hsts", ports["tls"])]:
        assert want in found, (want, sorted(found))
    for f in out["findings"]:
        assert f["severity"] in ("critical", "high", "medium", "low")
        assert f["severity_zh"] == {"critical": "超危", "high": "高危",
                                    "medium": "中危", "low": "低危"}[f["severity"]]
        assert f["title_zh"] and f["title_en"] and f["remediation_zh"] and f["remediation_en"]
    redis = [f for f in out["findings"] if f["id"] == "redis-unauthenticated"][0]
    assert redis["severity"] == "critical"
    tls = [t for t in out["tls"] if t["port"] == ports["tls"]][0]
    assert "TLSv1.0" in tls["versions"]
    assert tls["certificate"]["expired"] and tls["certificate"]["days_left"] <= -19


def test_ports_only_text(services):
    ports, closed = services
    spec = ",".join(str(p) for p in sorted(list(ports.values()) + closed))
    r = scan("--target", "localhost", "--ports", spec, "--ports-only")
    assert r.returncode == 0, r.stderr
    lines = [l for l in r.stdout.splitlines() if l.endswith("/tcp open")]
    assert sorted(int(l.split("/")[0]) for l in lines) == sorted(ports.values())


def test_non_loopback_target_refused():
    # 192.0.2.0/24 is TEST-NET-1: never routed, and never contacted here.
    r = scan("--target", "192.0.2.10", "--ports", "80", "--json")
    assert r.returncode == 3
    assert r.stdout == ""
    assert "not a loopback address" in r.stderr and "--authorized-by" in r.stderr
    r = scan("--target", "192.0.2.10", "--ports", "80", "--authorized-by", "  ")
    assert r.returncode == 2


def test_bad_arguments():
    assert scan("--target", "127.0.0.1", "--ports", "0-10").returncode == 2
    assert scan("--target", "127.0.0.1", "--rate", "x").returncode == 2
    assert scan("--ports", "80").returncode == 2
