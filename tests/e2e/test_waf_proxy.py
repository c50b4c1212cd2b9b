"""yunshou-waf's reverse proxy end to end (issue 4, "Data plane").

The test runs origin servers in this process (threaded http.server on
127.0.0.1 that record every request they get and echo it back, or answer
with large, chunked, close-delimited or slow bodies), writes a site
configuration with TLS certificates it makes itself, and starts the real
`yunshou-waf run` in front of them. It checks that benign traffic passes
byte for byte both ways (large and chunked bodies, keep-alive, TLS with SNI
for two sites), that attacks are blocked with a 403 page and an event line
(monitor mode passes and still reports), that smuggling attempts are
refused and never reach the origin, CC limits, allow/deny lists, a SIGHUP
reload that does not drop a slow request in flight, and failover between
origins. Every process started is stopped; every wait is bounded.

Binary: $YS_WAF, else ./build/src/waf/yunshou-waf.
"""
import base64
import datetime
import hashlib
import http.client
import http.server
import json
import os
import resource
import signal
import socket
import socketserver
import ssl
import subprocess
import threading
import time

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from conftest import ROOT, SANITIZER_MARKERS, SLOW, _die_with_parent, free_port

WAF = os.environ.get("YS_WAF", os.path.join(ROOT, "build/src/waf/yunshou-waf"))
RULES = os.path.join(ROOT, "rules", "waf")


# ---- origin ---------------------------------------------------------------

class Origin:
    """An HTTP/1.1 origin on loopback that records what it receives."""

    def __init__(self, tls=None, port=0):
        self.requests = []
        self.connections = 0
        self.lock = threading.Lock()
        origin = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def setup(self):
                super().setup()
                with origin.lock:
                    origin.connections += 1

            def log_message(self, *a):
                pass

            def read_body(self):
                if self.headers.get("Transfer-Encoding") == "chunked":
                    body = b""
                    while True:
                        size = int(self.rfile.readline().split(b";")[0], 16)
                        if size == 0:
                            while self.rfile.readline() not in (b"\r\n", b""):
                                pass
                            return body
                        body += self.rfile.read(size)
                        self.rfile.readline()
                n = int(self.headers.get("Content-Length", "0"))
                return self.rfile.read(n) if n else b""

            def handle_any(self):
                body = self.read_body()
                with origin.lock:
                    origin.requests.append({"method": self.command, "path": self.path,
                                            "headers": dict(self.headers.items()), "body": body})
                self.served = getattr(self, "served", 0) + 1
                path, _, query = self.path.partition("?")
                if path.startswith("/drop") and self.served > 1:
                    # a kept-alive connection the origin closes instead of answering
                    self.close_connection = True
                    return
                args = dict(kv.split("=", 1) for kv in query.split("&") if "=" in kv)
                if path == "/big":
                    self.send_blob(blob(int(args["n"])))
                elif path == "/chunked":
                    data = blob(int(args["n"]))
                    self.send_response(200)
                    self.send_header("Transfer-Encoding", "chunked")
                    self.send_header("X-Origin-Header", "kept")
                    self.end_headers()
                    for i in range(0, len(data), 7777):
                        piece = data[i:i + 7777]
                        self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
                    self.wfile.write(b"0\r\n\r\n")
                elif path == "/close":
                    self.send_response(200)
                    self.send_header("Connection", "close")
                    self.end_headers()
                    self.wfile.write(blob(100000))
                    self.close_connection = True
                elif path == "/slow":
                    time.sleep(int(args.get("ms", "1000")) / 1000)
                    self.send_blob(b"slow done")
                elif path == "/nocontent":
                    self.send_response(204)
                    self.end_headers()
                else:
                    out = json.dumps({"method": self.command, "path": self.path,
                                      "headers": dict(self.headers.items()),
                                      "sha256": hashlib.sha256(body).hexdigest(),
                                      "len": len(body)}).encode()
                    self.send_blob(out, "application/json")

            def send_blob(self, data, ctype="application/octet-stream"):
                self.send_response(200)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(data)))
                self.send_header("X-Origin-Header", "kept")
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_HEAD = do_DELETE = handle_any

        class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
            daemon_threads = True
            allow_reuse_address = True

        self.server = Server(("127.0.0.1", port), Handler)
        if tls is not None:     # (cert, key): an HTTPS origin
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.load_cert_chain(*tls)
            self.server.socket = ctx.wrap_socket(self.server.socket, server_side=True)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def saw(self, marker):
        with self.lock:
            return [r for r in self.requests if marker in r["path"]]

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


def blob(n):
    """n deterministic, non-repeating-looking bytes (all 256 values)."""
    out = bytearray()
    h = b"yunshou"
    while len(out) < n:
        h = hashlib.sha256(h).digest()
        out += h
    return bytes(out[:n])


def text(n):
    """n deterministic bytes of base64 text, in lines (a benign upload)."""
    return base64.encodebytes(blob(n))[:n]


# ---- certificates ----------------------------------------------------------

def make_cert(d, name):
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.timezone.utc)
    subj = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    cert = (x509.CertificateBuilder().subject_name(subj).issuer_name(subj)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=30))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cpath, kpath = os.path.join(d, name + ".crt"), os.path.join(d, name + ".key")
    with open(cpath, "wb") as f:
        f.write(cert.public_bytes(serialization.Encoding.PEM))
    with open(kpath, "wb") as f:
        f.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                  serialization.NoEncryption()))
    return cpath, kpath


# ---- the proxy -------------------------------------------------------------

class Waf:
    def __init__(self, d, config, nofile=None, workers=2):
        self.dir = d
        self.conf = os.path.join(d, "sites.json")
        self.events = os.path.join(d, "events.jsonl")
        self.queue = os.path.join(d, "queue")
        self.log = os.path.join(d, "waf.log")
        self.write(config)
        self.port, self.tls_port = free_port(), free_port()
        args = [WAF, "run", "--config", self.conf, "--listen", "127.0.0.1:%d" % self.port,
                "--tls-listen", "127.0.0.1:%d" % self.tls_port, "--events", self.events,
                "--events-queue", self.queue,
                "--workers", str(workers), "--cc-entries", "65536"]
        if os.path.isdir(RULES):
            args += ["--rules", RULES]
        self.logf = open(self.log, "wb")

        def child():
            _die_with_parent()
            if nofile:
                resource.setrlimit(resource.RLIMIT_NOFILE, (nofile, nofile))

        self.proc = subprocess.Popen(args, stdout=self.logf, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, preexec_fn=child)
        deadline = time.time() + 10 * SLOW
        while time.time() < deadline:
            assert self.proc.poll() is None, self.read_log()
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.05)
        raise AssertionError("yunshou-waf did not come up: " + self.read_log())

    def write(self, config):
        tmp = self.conf + ".tmp"
        with open(tmp, "w") as f:
            json.dump(config, f)
        os.replace(tmp, self.conf)

    def read_log(self):
        with open(self.log, "rb") as f:
            return f.read().decode(errors="replace")

    def read_events(self):
        if not os.path.exists(self.events):
            return []
        with open(self.events) as f:
            return [json.loads(line) for line in f if line.strip()]

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=15 * SLOW)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                raise AssertionError("yunshou-waf did not stop on SIGTERM")
        self.logf.close()
        log = self.read_log()
        assert self.proc.returncode == 0, log
        assert not any(m in log for m in SANITIZER_MARKERS), log

    # clients
    def request(self, host, method="GET", path="/", body=None, headers=None, tls=False, timeout=10):
        if tls:
            ctx = ssl.create_default_context(cafile=os.path.join(self.dir, host + ".crt"))
            conn = SNIConnection(host, self.tls_port, ctx, timeout * SLOW)
        else:
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout * SLOW)
        h = {"Host": host}
        h.update(headers or {})
        conn.request(method, path, body=body, headers=h)
        r = conn.getresponse()
        data = r.read()
        conn.close()
        return r.status, dict(r.getheaders()), data

    def raw(self, data, timeout=5):
        """Send raw bytes; the whole answer until the proxy closes or times out."""
        s = socket.create_connection(("127.0.0.1", self.port), timeout=timeout * SLOW)
        s.sendall(data)
        out = b""
        try:
            while True:
                b = s.recv(65536)
                if not b:
                    break
                out += b
        except (socket.timeout, ConnectionResetError):
            pass
        s.close()
        return out


class SNIConnection(http.client.HTTPSConnection):
    """HTTPS to the proxy on 127.0.0.1 with SNI and certificate checks for host."""

    def __init__(self, host, port, ctx, timeout):
        super().__init__(host, port, context=ctx, timeout=timeout)

    def connect(self):
        sock = socket.create_connection(("127.0.0.1", self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def site(sid, domain, origins, **kw):
    s = {"id": sid, "tenant_id": 100 + sid, "domains": [domain],
         "origins": [{"address": "127.0.0.1", "port": p} for p in origins], "mode": "block"}
    s.update(kw)
    return s


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    d = str(tmp_path_factory.mktemp("waf"))
    origin, origin2 = Origin(), Origin()
    ca, ka = make_cert(d, "a.example")
    cb, kb = make_cert(d, "b.example")
    tls_origin = Origin(tls=make_cert(d, "origin.internal"))
    dead, dead2 = free_port(), free_port()
    with open(kb) as f:
        kb_pem = f.read()
    config = {
        "limits": {"inspect_body_bytes": 4 << 20, "max_body_bytes": 16 << 20,
                   "header_timeout_ms": 1500, "body_timeout_ms": 1500,
                   "upstream_timeout_ms": 3000},
        "sites": [
            site(1, "a.example", [origin.port], tls={"cert": ca, "key": ka}),
            site(2, "b.example", [origin2.port], tls={"cert": cb, "key_pem": kb_pem}),
            site(3, "monitor.example", [origin.port], mode="monitor"),
            site(4, "cc.example", [origin.port],
                 cc={"ip_rate": 1, "ip_burst": 5, "block_seconds": 2}),
            site(5, "deny.example", [origin.port], deny=["10.0.0.0/8", "127.0.0.0/8"]),
            site(6, "allow.example", [origin.port], allow=["::1", "127.0.0.1"],
                 cc={"ip_rate": 1, "ip_burst": 1, "block_seconds": 60}),
            site(7, "failover.example", [dead, origin2.port],
                 health_check={"interval_ms": 300, "timeout_ms": 300, "path": "/health"}),
            site(8, "down.example", [dead2]),
            {"id": 9, "tenant_id": 109, "domains": ["tlsorigin.example"],
             "origins": [{"address": "127.0.0.1", "port": tls_origin.port, "tls": True}]},
        ],
    }
    waf = Waf(d, config)
    yield {"waf": waf, "origin": origin, "origin2": origin2, "tls_origin": tls_origin,
           "config": config, "dir": d, "dead": dead}
    try:
        waf.stop()
    finally:
        origin.stop()
        origin2.stop()
        tls_origin.stop()


def test_benign_requests_arrive_unchanged(env):
    waf, origin = env["waf"], env["origin"]
    st, h, data = waf.request("a.example", path="/echo/get?q=%E4%BD%A0%E5%A5%BD&x=1")
    assert st == 200
    seen = json.loads(data)
    assert seen["path"] == "/echo/get?q=%E4%BD%A0%E5%A5%BD&x=1"
    assert h["X-Origin-Header"] == "kept"
    for host, body in (("a.example", text(3 << 20)), ("allow.example", blob(3 << 20))):
        # every byte value passes unchanged (allow-listed: not inspected)
        st, h, data = waf.request(host, "POST", "/echo/large", body=body,
                                  headers={"Content-Type": "application/octet-stream"})
        assert st == 200
        seen = json.loads(data)
        assert seen["len"] == len(body) and seen["sha256"] == hashlib.sha256(body).hexdigest()
        # what the origin received, byte for byte
        assert origin.saw("/echo/large")[-1]["body"] == body


def test_forwarding_headers(env):
    waf, origin = env["waf"], env["origin"]
    st, h, _ = waf.request("a.example", path="/echo/hdr", headers={
        "X-Forwarded-For": "203.0.113.5", "X-Real-IP": "6.6.6.6", "X-Request-Id": "forged",
        "Connection": "keep-alive, X-Secret", "Cookie": "a=b"})
    assert st == 200
    got = origin.saw("/echo/hdr")[-1]["headers"]
    assert got["X-Forwarded-For"] == "203.0.113.5, 127.0.0.1"
    assert got["X-Real-IP"] == "127.0.0.1"
    assert len(got["X-Request-Id"]) == 32 and got["X-Request-Id"] != "forged"
    assert got["Cookie"] == "a=b" and got["Host"] == "a.example"


def test_chunked_request_and_responses(env):
    waf, origin = env["waf"], env["origin"]
    parts = [text(10), text(70000)[10:], b"end"]
    wire = b"".join(b"%x;ext=1\r\n%s\r\n" % (len(p), p) for p in parts) + b"0\r\nX-T: 1\r\n\r\n"
    req = (b"POST /echo/chunked HTTP/1.1\r\nHost: a.example\r\nTransfer-Encoding: chunked\r\n"
           b"Connection: close\r\n\r\n" + wire)
    out = waf.raw(req)
    assert out.startswith(b"HTTP/1.1 200"), out[:200]
    assert origin.saw("/echo/chunked")[-1]["body"] == b"".join(parts)
    for path, n in (("/chunked?n=300000", 300000), ("/big?n=5000000", 5000000),
                    ("/close?x=1", 100000)):
        st, h, data = waf.request("a.example", path=path)
        assert st == 200 and data == blob(n), path
    # a close-delimited answer reaches an HTTP/1.1 client chunked, on a kept connection
    conn = http.client.HTTPConnection("127.0.0.1", waf.port, timeout=10 * SLOW)
    for _ in range(2):
        conn.request("GET", "/close?x=2", headers={"Host": "a.example"})
        r = conn.getresponse()
        assert r.getheader("Transfer-Encoding") == "chunked" and r.read() == blob(100000)
    conn.close()
    st, h, data = waf.request("a.example", "HEAD", "/big?n=1000")
    assert st == 200 and data == b"" and h["Content-Length"] == "1000"
    st, h, data = waf.request("a.example", path="/nocontent")
    assert st == 204 and data == b""


def test_keep_alive_both_sides(env):
    waf, origin = env["waf"], env["origin"]
    before = origin.connections
    conn = http.client.HTTPConnection("127.0.0.1", waf.port, timeout=10 * SLOW)
    for i in range(30):
        conn.request("POST" if i % 2 else "GET", "/echo/ka%d" % i, body=b"x" * i if i % 2 else None,
                     headers={"Host": "a.example"})
        r = conn.getresponse()
        assert r.status == 200
        assert json.loads(r.read())["len"] == (i if i % 2 else 0)
    # answers without a body (HEAD, 204) end at their head, on the same connections
    t0 = time.time()
    for method, path, status in (("HEAD", "/big?n=100", 200), ("GET", "/nocontent", 204),
                                 ("GET", "/echo/after", 200)):
        conn.request(method, path, headers={"Host": "a.example"})
        r = conn.getresponse()
        assert r.status == status
        r.read()
    assert time.time() - t0 < 1.5 * SLOW
    conn.close()
    # one client connection; the origin side is pooled (one per worker at most)
    assert origin.connections - before <= 2


def test_tls_sni_two_sites(env):
    waf = env["waf"]
    for host, marker in (("a.example", "/echo/tls-a"), ("b.example", "/echo/tls-b")):
        st, _, data = waf.request(host, path=marker, tls=True)
        assert st == 200 and json.loads(data)["headers"]["X-Forwarded-Proto"] == "https"
    assert env["origin2"].saw("/echo/tls-b") and env["origin"].saw("/echo/tls-a")
    # a Host that is not the SNI's site is misdirected
    ctx = ssl.create_default_context(cafile=os.path.join(waf.dir, "a.example.crt"))
    with socket.create_connection(("127.0.0.1", waf.tls_port), timeout=5) as s:
        with ctx.wrap_socket(s, server_hostname="a.example") as t:
            t.sendall(b"GET /echo/x HTTP/1.1\r\nHost: b.example\r\nConnection: close\r\n\r\n")
            assert t.recv(100).startswith(b"HTTP/1.1 421")


def test_tls_origin(env):
    waf, tls_origin = env["waf"], env["tls_origin"]
    body = text(200000)
    for i in range(3):      # the second and third reuse the pooled TLS connection
        st, _, data = waf.request("tlsorigin.example", "POST", "/echo/tls-origin%d" % i, body=body)
        assert st == 200 and json.loads(data)["sha256"] == hashlib.sha256(body).hexdigest()
    assert len(tls_origin.saw("/echo/tls-origin")) == 3


def test_unknown_site_and_limits(env):
    waf = env["waf"]
    st, _, data = waf.request("nowhere.example")
    assert st == 404 and "Request ID" in data.decode()
    st, _, _ = waf.request("a.example", "POST", "/echo/toolarge", body=b"z" * (5 << 20))
    assert st == 413
    assert not env["origin"].saw("/echo/toolarge")
    # slow client: an unfinished head gets 408 after header_timeout_ms
    t0 = time.time()
    out = waf.raw(b"GET /slowloris HTTP/1.1\r\nHost: a.example\r\n", timeout=10)
    assert out.startswith(b"HTTP/1.1 408") and time.time() - t0 < 6 * SLOW
    assert not env["origin"].saw("/slowloris")
    # a body that stops arriving gets 408 after body_timeout_ms, and never reaches the origin
    t0 = time.time()
    out = waf.raw(b"POST /echo/slowbody HTTP/1.1\r\nHost: a.example\r\nContent-Length: 100\r\n\r\n"
                  b"only a part", timeout=10)
    assert out.startswith(b"HTTP/1.1 408") and time.time() - t0 < 6 * SLOW
    assert not env["origin"].saw("/echo/slowbody")


SMUGGLING = [
    (b"POST /smug1 HTTP/1.1\r\nHost: a.example\r\nContent-Length: 6\r\n"
     b"Transfer-Encoding: chunked\r\n\r\n0\r\n\r\nG", 400),
    (b"POST /smug2 HTTP/1.1\r\nHost: a.example\r\nTransfer-Encoding: chunked\r\n"
     b"Content-Length: 3\r\n\r\n8\r\nSMUGGLED\r\n0\r\n\r\n", 400),
    (b"POST /smug3 HTTP/1.1\r\nHost: a.example\r\nTransfer-Encoding: chunked\r\n"
     b"Transfer-Encoding: identity\r\n\r\n0\r\n\r\n", 400),
    (b"POST /smug4 HTTP/1.1\r\nHost: a.example\r\nTransfer-Encoding: chunked, identity\r\n\r\n"
     b"0\r\n\r\n", 501),
    (b"POST /smug5 HTTP/1.1\r\nHost: a.example\r\nTransfer-Encoding : chunked\r\n\r\n0\r\n\r\n", 400),
    (b"POST /smug6 HTTP/1.1\r\nHost: a.example\r\nX: y\r\n Transfer-Encoding: chunked\r\n\r\n"
     b"0\r\n\r\n", 400),
    (b"POST /smug7 HTTP/1.1\r\nHost: a.example\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\n"
     b"hello", 400),
    (b"POST /smug8 HTTP/1.1\r\nHost: a.example\r\nTransfer-Encoding: chunked\r\n\r\n"
     b"fffffffffffffffff\r\nx\r\n", 400),
    (b"GET /smug9 HTTP/1.1\nHost: a.example\n\n", 400),
    (b"GET /smug10 HTTP/1.1\r\nHost: a.example\r\nX: a\rb\r\n\r\n", 400),
    (b"POST /smug11 HTTP/1.1\r\nHost: a.example\r\nTransfer-Encoding: xchunked\r\n\r\n0\r\n\r\n", 501),
]


def test_smuggling_is_refused_and_never_reaches_the_origin(env):
    waf, origin = env["waf"], env["origin"]
    for raw, status in SMUGGLING:
        out = waf.raw(raw)
        assert out.startswith(b"HTTP/1.1 %d" % status), (raw, out[:100])
        assert b"Connection: close" in out
    # a chunk-size error after a good head: the head reached no origin either
    out = waf.raw(b"POST /smug12 HTTP/1.1\r\nHost: a.example\r\nTransfer-Encoding: chunked\r\n\r\n"
                  b"5\r\nhelloX\r\n0\r\n\r\nGET /smug13 HTTP/1.1\r\nHost: a.example\r\n\r\n")
    assert out.startswith(b"HTTP/1.1 400")
    time.sleep(0.2)
    assert not origin.saw("/smug")


def last_event(waf, rid):
    deadline = time.time() + 5 * SLOW
    while time.time() < deadline:
        for ev in waf.read_events():
            if ev.get("request_id") == rid:
                return ev
        time.sleep(0.05)
    raise AssertionError("no event for request " + rid)


def queue_has(qdir, needle):
    for name in os.listdir(qdir) if os.path.isdir(qdir) else []:
        with open(os.path.join(qdir, name), "rb") as f:
            if needle.encode() in f.read():
                return True
    return False


ATTACKS = [
    ("GET", "/item?id=1%20UNION%20SELECT%20username,password%20FROM%20users--", None, "sqli"),
    ("POST", "/comment", b"text=%3Cscript%3Ealert(document.cookie)%3C/script%3E", "xss"),
]


def test_attacks_blocked_and_reported(env):
    waf, origin = env["waf"], env["origin"]
    for method, path, body, _cat in ATTACKS:
        st, h, data = waf.request("a.example", method, path, body=body,
                                  headers={"Content-Type": "application/x-www-form-urlencoded"})
        assert st == 403, path
        rid = h["X-Request-Id"]
        assert rid in data.decode() and "请求已被" in data.decode()
        ev = last_event(waf, rid)
        assert ev["action"] == "block" and ev["site_id"] == 1 and ev["tenant_id"] == 101
        assert ev["client_ip"] == "127.0.0.1" and ev["method"] == method
        assert ev["uri"] == path and ev["rule"] and ev["category"] and ev["severity"] >= 1
        # the same event is in the node's lossless queue (made durable within 100 ms)
        deadline = time.time() + 5 * SLOW
        while not queue_has(waf.queue, rid):
            assert time.time() < deadline, "event %s not in the queue" % rid
            time.sleep(0.05)
    assert not origin.saw("/item") and not origin.saw("/comment")


def test_monitor_mode_passes_and_reports(env):
    waf, origin = env["waf"], env["origin"]
    method, path, body, _ = ATTACKS[0]
    st, _, data = waf.request("monitor.example", method, path.replace("/item", "/echo/mon"))
    assert st == 200
    rid = origin.saw("/echo/mon")[-1]["headers"]["X-Request-Id"]
    ev = last_event(waf, rid)
    assert ev["action"] == "monitor" and ev["site_id"] == 3


def test_cc_limit_triggers_and_expires(env):
    waf = env["waf"]
    codes = [waf.request("cc.example", path="/echo/cc")[0] for _ in range(12)]
    assert codes[:5] == [200] * 5 and 429 in codes
    st, h, data = waf.request("cc.example", path="/echo/cc")
    assert st == 429 and 1 <= int(h["Retry-After"]) <= 2 and "请稍后" in data.decode()
    assert any(e.get("type") == "cc" and e["site_id"] == 4 for e in waf.read_events())
    time.sleep(2.3)
    assert waf.request("cc.example", path="/echo/cc")[0] == 200


def test_allow_and_deny_lists(env):
    waf, origin = env["waf"], env["origin"]
    st, _, data = waf.request("deny.example", path="/echo/denied")
    assert st == 403 and not origin.saw("/echo/denied")
    # allow-listed: no CC limit (burst 1) and no inspection
    for _ in range(5):
        assert waf.request("allow.example", path="/echo/allowed")[0] == 200
    st, _, _ = waf.request("allow.example", path=ATTACKS[0][1].replace("/item", "/echo/allowed"))
    assert st == 200


def test_failover_and_origin_failure(env):
    waf = env["waf"]
    for i in range(6):
        st, _, _ = waf.request("failover.example", path="/echo/fo%d" % i)
        assert st == 200
    assert len(env["origin2"].saw("/echo/fo")) == 6
    # the dead origin comes up: the health check (path /health, rise 1) brings it back
    revived = Origin(port=env["dead"])
    try:
        deadline = time.time() + 5 * SLOW
        while not revived.saw("/echo/fo-back"):
            assert time.time() < deadline, "the revived origin got no request"
            assert waf.request("failover.example", path="/echo/fo-back")[0] == 200
            time.sleep(0.1)
        assert revived.saw("/health")
    finally:
        revived.stop()
    st, _, data = waf.request("down.example", path="/x")
    assert st == 502 and "源站" in data.decode()
    st, _, _ = waf.request("a.example", path="/slow?ms=4500", timeout=15)
    assert st == 504


def test_reload_keeps_requests_in_flight(env, tmp_path):
    origin = Origin()
    config = {"limits": {"upstream_timeout_ms": 10000},
              "sites": [site(1, "r.example", [origin.port])]}
    waf = Waf(str(tmp_path), config)
    try:
        result = {}

        def slow():
            result["r"] = waf.request("r.example", path="/slow?ms=1500", timeout=15)

        t = threading.Thread(target=slow)
        t.start()
        time.sleep(0.3)
        config["sites"].append(site(2, "new.example", [origin.port]))
        waf.write(config)
        waf.proc.send_signal(signal.SIGHUP)
        deadline = time.time() + 5 * SLOW
        while waf.request("new.example", path="/echo/new")[0] != 200:
            assert time.time() < deadline, waf.read_log()
            time.sleep(0.1)
        t.join(15 * SLOW)
        assert result["r"][0] == 200 and result["r"][2] == b"slow done"
        # a bad configuration is refused and the running one stays
        with open(waf.conf, "w") as f:
            f.write('{"sites": [{"id": 1, "domains": []}]}')
        waf.proc.send_signal(signal.SIGHUP)
        deadline = time.time() + 5 * SLOW
        while "refused" not in waf.read_log():
            assert time.time() < deadline, waf.read_log()
            time.sleep(0.1)
        assert "domains" in waf.read_log()
        assert waf.request("new.example", path="/echo/still")[0] == 200
        # a changed file is picked up without a signal
        config["sites"].append(site(3, "third.example", [origin.port]))
        waf.write(config)
        deadline = time.time() + 5 * SLOW
        while waf.request("third.example", path="/echo/third")[0] != 200:
            assert time.time() < deadline, waf.read_log()
            time.sleep(0.1)
    finally:
        waf.stop()
        origin.stop()


def test_pipelining_expect_continue_and_http10(env):
    waf, origin = env["waf"], env["origin"]
    # two pipelined requests in one write: two answers, in order
    out = waf.raw(b"GET /echo/pipe1 HTTP/1.1\r\nHost: a.example\r\n\r\n"
                  b"POST /echo/pipe2 HTTP/1.1\r\nHost: a.example\r\nContent-Length: 3\r\n"
                  b"Connection: close\r\n\r\nabc")
    assert out.count(b"HTTP/1.1 200") == 2
    assert out.index(b"/echo/pipe1") < out.index(b"/echo/pipe2")
    # Expect: 100-continue is answered by the proxy before the body is sent
    s = socket.create_connection(("127.0.0.1", waf.port), timeout=5 * SLOW)
    s.sendall(b"PUT /echo/expect HTTP/1.1\r\nHost: a.example\r\nContent-Length: 5\r\n"
              b"Expect: 100-continue\r\nConnection: close\r\n\r\n")
    assert s.recv(100).startswith(b"HTTP/1.1 100 Continue")
    s.sendall(b"hello")
    rest = b""
    while True:
        b = s.recv(65536)
        if not b:
            break
        rest += b
    s.close()
    assert rest.startswith(b"HTTP/1.1 200") and origin.saw("/echo/expect")[-1]["body"] == b"hello"
    assert "Expect" not in origin.saw("/echo/expect")[-1]["headers"]
    # an HTTP/1.0 client gets a chunked origin answer de-chunked, then close
    out = waf.raw(b"GET /chunked?n=20000 HTTP/1.0\r\nHost: a.example\r\n\r\n")
    head, _, body = out.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200") and b"chunked" not in head.lower()
    assert body == blob(20000)


def test_body_over_cap_inspects_the_prefix(tmp_path):
    origin = Origin()
    config = {"limits": {"inspect_body_bytes": 65536, "body_over_cap": "inspect_prefix"},
              "sites": [site(1, "p.example", [origin.port])]}
    waf = Waf(str(tmp_path), config)
    try:
        body = text(1 << 20)
        st, _, data = waf.request("p.example", "POST", "/echo/prefix", body=body)
        assert st == 200 and origin.saw("/echo/prefix")[-1]["body"] == body
        attack = b"q=%3Cscript%3Ealert(document.cookie)%3C/script%3E&pad=" + text(1 << 20)
        st, _, _ = waf.request("p.example", "POST", "/echo/prefix-attack", body=attack,
                               headers={"Content-Type": "application/x-www-form-urlencoded"})
        assert st == 403 and not origin.saw("/echo/prefix-attack")
    finally:
        waf.stop()
        origin.stop()


BAD_CONFIGS = [
    ("not json", "{", "sites.json:1"),
    ("no sites", {"limits": {}}, "\"sites\" array"),
    ("no domains", {"sites": [{"id": 1, "domains": [], "origins": []}]}, "domains"),
    ("bad domain", {"sites": [site(1, "a b.example", [80])]}, "not a host name"),
    ("duplicate domain", {"sites": [site(1, "a.example", [80]), site(2, "a.example", [81])]},
     "domain a.example is in sites 1 and 2"),
    ("bad port", {"sites": [site(1, "a.example", [0])]}, "\"port\" (1-65535)"),
    ("bad mode", {"sites": [site(1, "a.example", [80], mode="learn")]}, "mode is"),
    ("bad cidr", {"sites": [site(1, "a.example", [80], deny=["10.0.0.0/33"])]}, "10.0.0.0/33"),
    ("bad cc", {"sites": [site(1, "a.example", [80], cc={"ip_rate": -1})]}, "cc has"),
    ("unknown limit", {"limits": {"max_headerz": 1}, "sites": []}, "limits.max_headerz"),
    ("limit out of range", {"limits": {"max_headers": 100000}, "sites": []}, "limits.max_headers"),
    ("missing cert file", {"sites": [site(1, "a.example", [80], tls={"cert": "/nonexistent.crt",
                                                                    "key": "/nonexistent.key"})]},
     "cannot read cert"),
]


@pytest.mark.parametrize("name,config,message", BAD_CONFIGS, ids=[b[0] for b in BAD_CONFIGS])
def test_bad_configuration_is_refused_with_a_reason(tmp_path, name, config, message):
    path = tmp_path / "sites.json"
    path.write_text(config if isinstance(config, str) else json.dumps(config))
    args = [WAF, "run", "--check", "--config", str(path)]
    if os.path.isdir(RULES):
        args += ["--rules", RULES]
    r = subprocess.run(args, capture_output=True, text=True, timeout=30 * SLOW,
                       stdin=subprocess.DEVNULL)
    assert r.returncode == 1 and message in r.stderr, (name, r.stderr)
    assert not any(m in r.stderr for m in SANITIZER_MARKERS)


def test_out_of_descriptors_pauses_accepting(tmp_path):
    origin = Origin()
    waf = Waf(str(tmp_path), {"sites": [site(1, "fd.example", [origin.port])]}, nofile=64)
    socks = []
    try:
        for _ in range(100):
            try:
                socks.append(socket.create_connection(("127.0.0.1", waf.port), timeout=1))
            except OSError:
                break
        time.sleep(0.5)
        stat = "/proc/%d/stat" % waf.proc.pid
        before = sum(int(x) for x in open(stat).read().split()[13:15])
        time.sleep(1)
        after = sum(int(x) for x in open(stat).read().split()[13:15])
        assert after - before < 20, "the proxy spins while it has no descriptors left"
        for s in socks:
            s.close()
        socks = []
        time.sleep(0.3)
        assert waf.request("fd.example", path="/echo/fd")[0] == 200
        assert "pausing new connections" in waf.read_log()
    finally:
        for s in socks:
            s.close()
        waf.stop()
        origin.stop()


def test_reused_origin_connection_closed_retries_only_idempotent(tmp_path):
    origin = Origin()
    waf = Waf(str(tmp_path), {"sites": [site(1, "k.example", [origin.port])]}, workers=1)
    try:
        assert waf.request("k.example", path="/drop-a")[0] == 200
        # the pooled connection is closed under the next request: a GET is sent
        # again on a fresh connection
        assert waf.request("k.example", path="/drop-b")[0] == 200
        assert len(origin.saw("/drop-b")) == 2
        # a POST is not: the origin may have acted on it. (It is sent on the
        # pooled connection, which the origin then drops: 502, sent once.)
        conns = origin.connections
        st, _, _ = waf.request("k.example", "POST", "/drop-c", body=b"once")
        assert len(origin.saw("/drop-c")) == 1
        if origin.connections == conns:
            assert st == 502
    finally:
        waf.stop()
        origin.stop()


def test_sigterm_lets_requests_in_flight_finish(tmp_path):
    origin = Origin()
    waf = Waf(str(tmp_path), {"limits": {"upstream_timeout_ms": 10000},
                              "sites": [site(1, "t.example", [origin.port])]})
    result = {}

    def slow():
        result["r"] = waf.request("t.example", path="/slow?ms=1200", timeout=15)

    t = threading.Thread(target=slow)
    try:
        t.start()
        time.sleep(0.4)
        waf.proc.send_signal(signal.SIGTERM)
        time.sleep(0.3)
        # no new connections while the request in flight finishes
        with pytest.raises(OSError):
            socket.create_connection(("127.0.0.1", waf.port), timeout=1).close()
        t.join(15 * SLOW)
        assert result["r"][0] == 200 and result["r"][2] == b"slow done"
        assert waf.proc.wait(timeout=15 * SLOW) == 0
    finally:
        t.join(15 * SLOW)
        waf.stop()
        origin.stop()
