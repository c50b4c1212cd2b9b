"""Anti-DDoS end to end, in network namespaces this test creates.

Topology (all private addresses, nothing leaves the namespaces):

    client 10.77.1.2 --+
    attacker 10.77.2.2-+-- inet (router) 10.77.0.1 == 10.77.0.2 s-in [XDP] scrubber -- 10.77.4.1 == origin 10.77.4.2
    dns 10.77.3.2 -----+                                  scrubbing address 10.77.9.10

The scrubber routes the origin's prefix (inline), serves the scrubbing
address and forwards its port 8080 to the origin. BIND 9 in `dns` is
authoritative for ddos-zone.example. The attacker floods the origin with
hping3 (SYN, UDP, ICMP, DNS-reflection-shaped UDP from port 53) for a few
seconds each; the scrubber must declare one attack, switch the domain to
the scrubbing address, drop the floods, keep the client's HTTP requests
working, and after the attack plus the hold-down switch the record back.
The signed bundle is made with openssl (Ed25519), like the control plane's.
"""
import base64
import calendar
import json
import re
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCRUBBER = os.environ.get("YS_SCRUBBER", os.path.join(ROOT, "build/src/scrubber/yunshou-scrubber"))
NAME = "www.shop.ddos-zone.example."
ORIGIN = "10.77.4.2"
SCRUB = "10.77.9.10"
DNS = "10.77.3.2"
TAG = "%x" % (os.getpid() % 0xfffff)
NS = {n: "ysdd-%s-%s" % (n, TAG) for n in ("inet", "client", "attacker", "dns", "scr", "origin")}

pytestmark = pytest.mark.skipif(
    os.geteuid() != 0 or not shutil.which("hping3") or not os.path.exists("/usr/sbin/named"),
    reason="needs root, hping3 and named")


def sh(*args, check=True, text=True, **kw):
    return subprocess.run(list(args), check=check, capture_output=True, text=text, **kw)


def nsx(ns, *args, **kw):
    return sh("ip", "netns", "exec", NS[ns], *args, **kw)


def nspopen(ns, *args, **kw):
    return subprocess.Popen(["ip", "netns", "exec", NS[ns], *args], start_new_session=True, **kw)


def link(a, ifa, addr_a, b, ifb, addr_b):
    sh("ip", "link", "add", ifa, "netns", NS[a], "type", "veth", "peer", "name", ifb,
       "netns", NS[b])
    nsx(a, "ip", "addr", "add", addr_a, "dev", ifa)
    nsx(b, "ip", "addr", "add", addr_b, "dev", ifb)
    nsx(a, "ip", "link", "set", ifa, "up")
    nsx(b, "ip", "link", "set", ifb, "up")


def topology():
    for ns in NS.values():
        sh("ip", "netns", "add", ns)
    for n in NS:
        nsx(n, "ip", "link", "set", "lo", "up")
        for k in ("net.ipv4.conf.all.rp_filter", "net.ipv4.conf.default.rp_filter"):
            nsx(n, "sysctl", "-qw", k + "=0")
    nsx("inet", "sysctl", "-qw", "net.ipv4.ip_forward=1")
    nsx("scr", "sysctl", "-qw", "net.ipv4.ip_forward=1")
    link("client", "c0", "10.77.1.2/24", "inet", "i-c", "10.77.1.1/24")
    link("attacker", "a0", "10.77.2.2/24", "inet", "i-a", "10.77.2.1/24")
    link("dns", "d0", "10.77.3.2/24", "inet", "i-d", "10.77.3.1/24")
    link("inet", "i-s", "10.77.0.1/30", "scr", "s-in", "10.77.0.2/30")
    link("scr", "s-o", "10.77.4.1/24", "origin", "o0", "10.77.4.2/24")
    nsx("scr", "ip", "addr", "add", SCRUB + "/32", "dev", "lo")
    for n, gw in (("client", "10.77.1.1"), ("attacker", "10.77.2.1"), ("dns", "10.77.3.1"),
                  ("scr", "10.77.0.1"), ("origin", "10.77.4.1")):
        nsx(n, "ip", "route", "add", "default", "via", gw)
    for prefix in ("10.77.4.0/24", "10.77.9.0/24"):
        nsx("inet", "ip", "route", "add", prefix, "via", "10.77.0.2")


def stop_proc(p):
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(p.pid, sig)
        except ProcessLookupError:
            pass
        try:
            p.wait(timeout=10)
            return
        except subprocess.TimeoutExpired:
            pass


def cleanup():
    for ns in NS.values():
        pids = sh("ip", "netns", "pids", ns, check=False).stdout.split()
        for p in pids:
            try:
                os.kill(int(p), signal.SIGKILL)
            except (ProcessLookupError, ValueError):
                pass
        sh("ip", "netns", "del", ns, check=False)


def sign_bundle(d, policy, version=1, node_id=7):
    key, pub = os.path.join(d, "control.key"), os.path.join(d, "control.pub")
    if not os.path.exists(key):
        sh("openssl", "genpkey", "-algorithm", "ed25519", "-out", key)
        sh("openssl", "pkey", "-in", key, "-pubout", "-out", pub)
    payload = json.dumps({"format": 1, "kind": "scrubber", "node_id": node_id,
                          "version": version, "policy": policy}, sort_keys=True)
    with open(os.path.join(d, "payload"), "w") as f:
        f.write(payload)
    sig = sh("openssl", "pkeyutl", "-sign", "-inkey", key, "-rawin", "-in",
             os.path.join(d, "payload"), text=False).stdout
    assert len(sig) == 64
    return {"payload": payload,
            "signature": base64.urlsafe_b64encode(sig).decode().rstrip("=")}


def dig(name=NAME):
    out = nsx("client", "dig", "@" + DNS, "+short", "+norecurse", "+time=1", "+tries=1",
              name, "A", check=False).stdout.split()
    return out[0] if out else None


def http_ok(addr):
    r = nsx("client", "curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "2",
            "http://%s:8080/" % addr, check=False)
    return r.stdout == "200"


def events(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def wait_for(pred, timeout, step=0.1):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        v = pred()
        if v:
            return v
        time.sleep(step)
    return pred()


@pytest.fixture
def lab():
    d = tempfile.mkdtemp(prefix="ys-ddos-")
    procs = []
    try:
        topology()
        # BIND 9, authoritative for the protection zone, with the update key.
        sh("sh", "-c", "tsig-keygen -a hmac-sha256 yunshou-ddos > %s/tsig.key" % d)
        with open(os.path.join(d, "zone.db"), "w") as f:
            f.write("$TTL 300\n@ IN SOA ns.ddos-zone.example. h.ddos-zone.example. 1 3600 600 "
                    "86400 30\n@ IN NS ns.ddos-zone.example.\nns IN A %s\n"
                    "www.shop IN A %s\n" % (DNS, ORIGIN))
        with open(os.path.join(d, "named.conf"), "w") as f:
            f.write('options { directory "%s"; listen-on port 53 { %s; }; listen-on-v6 { none; };\n'
                    ' pid-file "%s/named.pid"; session-keyfile "%s/s.key"; recursion no;\n'
                    ' dnssec-validation no; };\ncontrols { };\ninclude "%s/tsig.key";\n'
                    'zone "ddos-zone.example." { type primary; file "%s/zone.db";\n'
                    ' update-policy { grant yunshou-ddos zonesub A; grant yunshou-ddos zonesub AAAA; };\n};\n'
                    % (d, DNS, d, d, d, d))
        procs.append(nspopen("dns", "/usr/sbin/named", "-g", "-4", "-n", "1", "-c",
                             os.path.join(d, "named.conf"),
                             stdout=subprocess.DEVNULL, stderr=open(os.path.join(d, "named.log"), "w")))
        os.makedirs(os.path.join(d, "www"))
        with open(os.path.join(d, "www", "index.html"), "w") as f:
            f.write("origin\n")
        procs.append(nspopen("origin", "/usr/bin/python3", "-m", "http.server", "8080", "--bind",
                             ORIGIN, "--directory", os.path.join(d, "www"),
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        assert wait_for(lambda: dig() == ORIGIN, 15), "named did not come up"
        yield d, procs
    finally:
        try:
            for p in procs:
                stop_proc(p)
        finally:
            cleanup()
        shutil.rmtree(d, ignore_errors=True)


def policy():
    return {
        "scrubbing": [SCRUB],
        "dns": {"server": DNS, "zone": "ddos-zone.example.", "tsig_key": "yunshou-ddos",
                "tsig_secret": "file:/nonexistent", "ttl": 30, "hold_down_s": 3,
                "timeout_ms": 1000},
        "thresholds": {"pps": 1500, "syn_pps": 800, "consecutive": 3, "quiet_ms": 2500},
        "objects": [{
            "id": "shop-web", "tenant": 12, "tier_mbps": 100,
            "ips": [{"addr": ORIGIN, "services": [{"proto": "tcp", "ports": [8080]}]},
                    {"addr": SCRUB, "origin": ORIGIN,
                     "services": [{"proto": "tcp", "ports": [8080]}]}],
            "domains": [{"name": NAME, "mode": "on-demand", "origin": [ORIGIN]}],
        }],
    }


def write_config(d, bundle_name="bundle.json"):
    cfg = {"interface": "s-in", "xdp_mode": "generic", "bundle": os.path.join(d, bundle_name),
           "control_key": os.path.join(d, "control.pub"), "node_id": 7,
           "events": os.path.join(d, "events.jsonl"), "sample_ms": 100,
           "queue": os.path.join(d, "queue"),
           "dns": {"tsig_secret": "file:" + os.path.join(d, "tsig.key")}}
    path = os.path.join(d, "scrubber.json")
    with open(path, "w") as f:
        json.dump(cfg, f)
    return path


def test_bundle_must_verify(lab):
    d, _ = lab
    good = sign_bundle(d, policy())
    with open(os.path.join(d, "bundle.json"), "w") as f:
        json.dump(good, f)
    cfg = write_config(d)
    r = sh(SCRUBBER, "check-config", "--config", cfg, check=False)
    assert r.returncode == 0, r.stderr
    assert "configuration OK" in r.stdout
    # Tampered payload (the pps threshold raised), unsigned, malformed policy.
    bad = dict(good, payload=good["payload"].replace('"pps": 1500', '"pps": 900000'))
    assert bad["payload"] != good["payload"]
    cases = [(bad, "signature does not verify"),
             ({"payload": good["payload"]}, "lacks payload or signature")]
    pol = policy()
    pol["objects"][0]["ips"][0]["addr"] = "10.77.4.300"
    cases.append((sign_bundle(d, pol), "objects[0].ips[0].addr"))
    for bundle, want in cases:
        with open(os.path.join(d, "bundle.json"), "w") as f:
            json.dump(bundle, f)
        r = sh(SCRUBBER, "check-config", "--config", cfg, check=False)
        assert r.returncode == 1
        assert want in r.stderr, r.stderr
        r = nsx("scr", SCRUBBER, "run", "--config", cfg, check=False, timeout=20)
        assert r.returncode == 1 and want in r.stderr, r.stderr


def test_config_errors_named(lab):
    d, _ = lab
    with open(os.path.join(d, "bundle.json"), "w") as f:
        json.dump(sign_bundle(d, policy()), f)
    cfg = write_config(d)
    with open(cfg) as f:
        good = json.load(f)
    for change, want in (({"colour": "red"}, "colour"), ({"xdp_mode": "fast"}, "xdp_mode"),
                         ({"sample_ms": 1000}, "sample_ms"), ({"node_id": 8}, "another node"),
                         ({"dns": {"server": "dns.example"}}, "dns.server"),
                         ({"dns": {"tsig_secret": "file:/nonexistent/key"}}, "cannot open")):
        with open(cfg, "w") as f:
            json.dump(dict(good, **change), f)
        r = sh(SCRUBBER, "check-config", "--config", cfg, check=False)
        assert r.returncode == 1 and want in r.stderr, (change, r.stderr)
    r = sh(SCRUBBER, "check-config", check=False)
    assert r.returncode == 2 and "--config" in r.stderr


def test_reload_only_verified_bundles(lab):
    d, procs = lab
    bundle = os.path.join(d, "bundle.json")
    with open(bundle, "w") as f:
        json.dump(sign_bundle(d, policy()), f)
    cfg = write_config(d)
    log = os.path.join(d, "scrubber.log")
    scr = nspopen("scr", SCRUBBER, "run", "--config", cfg, stdout=subprocess.DEVNULL,
                  stderr=open(log, "w"))
    procs.append(scr)
    assert wait_for(lambda: "policy version 1" in open(log).read(), 15), open(log).read()
    assert wait_for(lambda: http_ok(SCRUB), 10)
    # Running with CAP_NET_ADMIN (12) and CAP_BPF (39) only.
    with open("/proc/%d/status" % scr.pid) as f:
        caps = dict(l.split(":\t", 1) for l in f.read().splitlines() if l.startswith("Cap"))
    assert int(caps["CapEff"], 16) == (1 << 12) | (1 << 39), caps
    assert int(caps["CapPrm"], 16) == (1 << 12) | (1 << 39), caps
    # A v2 that blocks the client, tampered after signing: refused, v1 stays.
    pol = policy()
    pol["rules"] = [{"action": "block", "cidr": "10.77.1.0/24"}]
    signed = sign_bundle(d, pol, version=2)
    with open(bundle, "w") as f:
        json.dump(dict(signed, payload=signed["payload"].replace("10.77.1.0/24", "10.77.7.0/24")), f)
    os.killpg(scr.pid, signal.SIGHUP)
    assert wait_for(lambda: "signature does not verify" in open(log).read(), 10)
    assert "keeping policy version 1" in open(log).read()
    assert http_ok(SCRUB) and http_ok(ORIGIN)
    # The genuine v2: installed, the client's prefix is now dropped by XDP.
    with open(bundle, "w") as f:
        json.dump(signed, f)
    os.killpg(scr.pid, signal.SIGHUP)
    assert wait_for(lambda: "policy version 2 installed" in open(log).read(), 10), open(log).read()
    assert not http_ok(SCRUB) and not http_ok(ORIGIN)
    # v3 without the rule: the block is removed again.
    with open(bundle, "w") as f:
        json.dump(sign_bundle(d, policy(), version=3), f)
    os.killpg(scr.pid, signal.SIGHUP)
    assert wait_for(lambda: "policy version 3 installed" in open(log).read(), 10)
    assert wait_for(lambda: http_ok(SCRUB), 10)
    os.killpg(scr.pid, signal.SIGTERM)
    assert scr.wait(timeout=30) == 0


def flood(kind, seconds):
    """hping3 from the attacker towards the origin at ~5 kpps; returns the
    number of packets it sent (its own statistics)."""
    args = {"syn": ["-S", "-p", "8080"],
            "udp": ["--udp", "-p", "9999"],
            "icmp": ["--icmp"],
            "dnsrefl": ["--udp", "-s", "53", "-k", "-p", "40000", "-d", "512"]}[kind]
    p = nspopen("attacker", "hping3", "-q", "-i", "u200", *args, ORIGIN,
                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    time.sleep(seconds)
    os.killpg(p.pid, signal.SIGINT)
    try:
        out = p.communicate(timeout=5)[0]
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        out = p.communicate()[0]
    m = re.search(r"(\d+) packets transmitted", out)
    assert m, out
    return int(m.group(1))


def test_flood_detected_diverted_and_back(lab):
    d, procs = lab
    with open(os.path.join(d, "bundle.json"), "w") as f:
        json.dump(sign_bundle(d, policy()), f)
    cfg = write_config(d)
    ev_path = os.path.join(d, "events.jsonl")
    scr = nspopen("scr", SCRUBBER, "run", "--config", cfg, stdout=subprocess.DEVNULL,
                  stderr=open(os.path.join(d, "scrubber.log"), "w"))
    procs.append(scr)
    # Startup: the on-demand domain is (re)set to the origin and verified.
    assert wait_for(lambda: os.path.exists(ev_path) and any(
        e["event"] == "dns_switch" and e["target"] == "origin" for e in events(ev_path)), 15), \
        open(os.path.join(d, "scrubber.log")).read()
    assert http_ok(ORIGIN) and http_ok(SCRUB)   # both paths reach the origin

    ok = [0, 0]
    stop = threading.Event()

    def client():
        while not stop.is_set():
            addr = dig() or ORIGIN
            ok[0] += 1
            ok[1] += http_ok(addr)
            time.sleep(0.2)

    t = threading.Thread(target=client)
    t.start()
    t0 = time.time()
    try:
        sent = {}
        for kind in ("syn", "udp", "icmp", "dnsrefl"):
            sent[kind] = flood(kind, 3)
            time.sleep(0.5)
        diverted = dig()
    finally:
        stop.set()
        t.join()
    assert diverted == SCRUB
    evs = events(ev_path)
    starts = [e for e in evs if e["event"] == "attack_start" and e["ip"] == ORIGIN]
    assert len(starts) == 1, evs   # one attack, not one per flood
    to_scrub = [e for e in evs if e["event"] == "dns_switch" and e["target"] == "scrubbing"]
    assert to_scrub and to_scrub[0]["addresses"] == [SCRUB] and to_scrub[0]["ttl"] == 30
    assert ok[1] >= 0.9 * ok[0], ok   # the client's requests kept working

    # End: quiet period (2.5 s), then hold-down (3 s), then back to the origin.
    end = wait_for(lambda: [e for e in events(ev_path) if e["event"] == "attack_end"], 15)
    assert end, events(ev_path)
    end = end[0]
    assert wait_for(lambda: dig() == ORIGIN, 15)
    back = [e for e in events(ev_path) if e["event"] == "dns_switch" and e["target"] == "origin"]
    assert len(back) == 2
    vectors = set(end["vectors"])
    assert {"syn-flood", "udp-flood", "icmp-flood", "udp-reflection",
            "dns-reflection"} <= vectors, end
    # Sampled 1 in 16: the attacker is the top source, with about what it sent.
    top = end["top_sources"]
    assert top and top[0]["addr"] == "10.77.2.2", top
    assert 0.7 * sum(sent.values()) <= top[0]["pkts_estimate"] <= 1.3 * sum(sent.values()), top
    assert end["dropped_pkts"] > 10000, end
    assert end["peak_pps"] > 1500
    # Counts: what hping3 sent is what the scrubber counted, per vector
    # (within 10 %: counters are read every 100 ms, the client adds a few).
    for kind, vector in (("syn", "syn-flood"), ("udp", "udp-flood"), ("icmp", "icmp-flood"),
                         ("dnsrefl", "udp-reflection")):
        got = end["vector_pkts"][vector]
        assert 0.9 * sent[kind] <= got <= 1.1 * sent[kind] + 100, (kind, sent, end["vector_pkts"])
    assert end["dropped_pkts"] >= 0.8 * (sent["syn"] + sent["udp"] + sent["dnsrefl"]), (sent, end)
    assert end["timeline"] and end["duration_s"] > 10
    assert http_ok(ORIGIN)

    ts = starts[0]["time"]
    detect = calendar.timegm(time.strptime(ts[:19], "%Y-%m-%dT%H:%M:%S")) + \
        int(ts[20:23]) / 1000.0 - t0
    print("\nddos e2e: detection %.2f s after the flood started, mitigation active %.3f ms "
          "later, DNS switch %.1f ms, switch back %.1f ms; client %d/%d requests ok; "
          "dropped %d packets; vectors %s; sent %s; counted %s; top sources %s"
          % (detect, starts[0]["mitigation_us"] / 1000.0, to_scrub[0]["latency_ms"],
             back[-1]["latency_ms"], ok[1], ok[0], end["dropped_pkts"], sorted(vectors), sent,
             end["vector_pkts"], top[:3]))
    assert detect < 2.0
    os.killpg(scr.pid, signal.SIGTERM)
    assert scr.wait(timeout=30) == 0
    log = open(os.path.join(d, "scrubber.log")).read()
    assert not any(m in log for m in ("AddressSanitizer", "LeakSanitizer", "runtime error")), log
    assert events(ev_path)[-1]["event"] == "scrubber_stop"
    # The same events went into the lossless queue for the sender.
    with open(os.path.join(d, "queue", "events.log"), "rb") as f:
        q = f.read()
    assert b'"attack_end"' in q and b'"dns_switch"' in q
