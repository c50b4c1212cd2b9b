#!/usr/bin/python3
"""Agent benchmarks that need the whole chain (bench/run calls this):
real-time FIM latency, a change on the host -> its event stored by
yunshoud (p50/p99 over N changes), and the footprint of a real
`yunshou-agent run` with the default policy after its baseline (CPU over an
idle minute's share, RSS). Prints figures; never fails on a time.

    agent_bench.py AGENT NODE_DIR STORE_DB API_URL CA TENANT_TOKEN [CHANGES]
"""
import http.client
import json
import os
import signal
import sqlite3
import ssl
import subprocess
import sys
import tempfile
import time


def api(url, ca, token, method, path, body=None):
    host, port = url.split("//")[1].split(":")
    c = http.client.HTTPSConnection(host, int(port), context=ssl.create_default_context(cafile=ca))
    c.request(method, path, body=json.dumps(body) if body is not None else None,
              headers={"Authorization": "Bearer " + token, "Content-Type": "application/json"})
    r = c.getresponse()
    out = json.loads(r.read() or b"{}")
    c.close()
    return r.status, out


def stored(db, path, after_id):
    c = sqlite3.connect(db, timeout=10)
    try:
        row = c.execute("SELECT id FROM node_events WHERE id > ? AND type = 'fim.modified' AND "
                        "payload LIKE ?", (after_id, '%' + path + '%')).fetchone()
        return row[0] if row else None
    finally:
        c.close()


def max_id(db):
    c = sqlite3.connect(db, timeout=10)
    try:
        return c.execute("SELECT coalesce(max(id), 0) FROM node_events").fetchone()[0]
    finally:
        c.close()


def proc_stat(pid):
    with open(f"/proc/{pid}/stat") as f:
        parts = f.read().rsplit(")", 1)[1].split()
    ticks = int(parts[11]) + int(parts[12])
    with open(f"/proc/{pid}/status") as f:
        rss = next(int(l.split()[1]) for l in f if l.startswith("VmRSS:"))
    return ticks, rss


def main():
    agent, node_dir, db, url, ca, token = sys.argv[1:7]
    changes = int(sys.argv[7]) if len(sys.argv) > 7 else 100
    tree = tempfile.mkdtemp(prefix="ys-fimlat-")
    for i in range(changes):
        with open(os.path.join(tree, f"f{i}.conf"), "w") as f:
            f.write("initial\n")
    # FIM on the test tree only, real time on
    st, out = api(url, ca, token, "POST", "/v1/policies", {"kind": "agent", "policy": {
        "modules": {"fim": {"enabled": True, "paths": [tree], "realtime": True,
                            "rescan_minutes": 720}}}})
    assert st == 201, out
    log = open(os.path.join(node_dir, "bench-agent.log"), "wb")
    p = subprocess.Popen([agent, "run", "--state", node_dir], stdout=log, stderr=log)
    try:
        # wait for the baseline of the new policy
        deadline = time.time() + 30
        c = sqlite3.connect(db, timeout=10)
        while time.time() < deadline:
            if c.execute("SELECT count(*) FROM node_events WHERE type = 'fim.baseline' AND "
                         "payload LIKE ?", ('%' + tree + '%',)).fetchone()[0]:
                break
            time.sleep(0.05)
        c.close()
        lat = []
        for i in range(changes):
            path = os.path.join(tree, f"f{i}.conf")
            mark = max_id(db)
            t0 = time.monotonic()
            with open(path, "a") as f:
                f.write(f"change {i}\n")
            while stored(db, path, mark) is None:
                if time.monotonic() - t0 > 10:
                    break
                time.sleep(0.002)
            lat.append((time.monotonic() - t0) * 1000)
        lat.sort()
        print("fim latency (write on the host -> event stored by yunshoud), %d changes: "
              "p50 %.0f ms, p99 %.0f ms, max %.0f ms" % (
                  changes, lat[len(lat) // 2], lat[min(len(lat) - 1, int(len(lat) * 0.99))],
                  lat[-1]))
        # footprint: back to the default policy, wait for its baseline, then idle
        st, out = api(url, ca, token, "POST", "/v1/policies", {"kind": "agent", "policy": {
            "modules": {"fim": {"enabled": True, "paths": ["/etc", "/bin", "/sbin", "/usr/bin",
                                                           "/usr/sbin", "/boot"]},
                        "ids": {"enabled": True}, "selftest": {"enabled": False}}}})
        p.send_signal(signal.SIGTERM)
        p.wait(timeout=30)
        p = subprocess.Popen([agent, "run", "--state", node_dir], stdout=log, stderr=log)
        time.sleep(15)          # baseline of the default paths and the first heartbeats
        t0, _ = proc_stat(p.pid)
        w0 = time.monotonic()
        time.sleep(30)
        t1, rss = proc_stat(p.pid)
        cpu = (t1 - t0) / os.sysconf("SC_CLK_TCK") / (time.monotonic() - w0) * 100
        print("agent footprint (yunshou-agent run, FIM on the default paths + IDS, after the "
              "baseline, 30 s idle): CPU %.3f %%, RSS %.1f MB" % (cpu, rss / 1024))
    finally:
        p.send_signal(signal.SIGTERM)
        try:
            p.wait(timeout=30)
        except subprocess.TimeoutExpired:
            p.kill()
        log.close()
        subprocess.run(["rm", "-rf", tree])


if __name__ == "__main__":
    main()
