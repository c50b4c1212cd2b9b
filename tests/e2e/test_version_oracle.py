"""The dpkg oracle: `yunshou vuln compare --format dpkg --stdin` must agree
with `dpkg --compare-versions` on every one of several thousand realistic
version pairs, built from this machine's installed package versions and
mutations of them (a digit bumped, ~rc1, +deb12u1, an epoch, a revision
dropped or added, leading zeros, letters). All pairs go through one yunshou
process; dpkg runs once or twice per pair, in parallel. Needs no server.
"""
import os
import random
import re
import shutil
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
YUNSHOU = os.environ.get("YS_YUNSHOU", os.path.join(ROOT, "build/src/cli/yunshou"))
MIN_PAIRS = 5000


def installed_versions():
    out = subprocess.run(["dpkg-query", "-W", "-f=${Version}\n"], check=True,
                         capture_output=True, text=True).stdout
    return sorted({v for v in out.split() if v})


def bump_digit(v, rnd):
    digits = [m.start() for m in re.finditer(r"\d", v)]
    if not digits:
        return v + "1"
    i = rnd.choice(digits)
    return v[:i] + str((int(v[i]) + rnd.choice([1, 9])) % 10) + v[i + 1:]


def split(v):
    epoch, rest = (v.split(":", 1) + [""])[:2] if ":" in v else ("", v)
    up, rev = rest.rsplit("-", 1) if "-" in rest else (rest, "")
    return epoch, up, rev


def join(epoch, up, rev):
    return (epoch + ":" if epoch else "") + up + ("-" + rev if rev else "")


MUTATIONS = [
    bump_digit,
    lambda v, r: join(split(v)[0], split(v)[1] + "~rc1", split(v)[2]),
    lambda v, r: join(split(v)[0], split(v)[1] + "~", split(v)[2]),
    lambda v, r: join(split(v)[0], split(v)[1] + "~~", split(v)[2]),
    lambda v, r: join(split(v)[0], split(v)[1], (split(v)[2] or "1") + "+deb12u1"),
    lambda v, r: join(split(v)[0], split(v)[1], (split(v)[2] or "1") + "~bpo12+1"),
    lambda v, r: join(split(v)[0], split(v)[1], (split(v)[2] or "0") + "ubuntu1"),
    lambda v, r: join(str(r.choice([1, 2, 10])), split(v)[1], split(v)[2]),
    lambda v, r: join("", split(v)[1], split(v)[2]),
    lambda v, r: join(split(v)[0], split(v)[1], ""),
    lambda v, r: join(split(v)[0], split(v)[1], split(v)[2] or "0"),
    lambda v, r: join(split(v)[0], split(v)[1] + ".0", split(v)[2]),
    lambda v, r: join(split(v)[0], split(v)[1] + "a", split(v)[2]),
    lambda v, r: join(split(v)[0], split(v)[1] + "+dfsg", split(v)[2]),
    lambda v, r: join(split(v)[0], split(v)[1] + "+git20240101", split(v)[2]),
    lambda v, r: join(split(v)[0], re.sub(r"\.(\d)", r".0\1", split(v)[1], count=1), split(v)[2]),
    lambda v, r: join(split(v)[0], split(v)[1].replace(".", "~", 1), split(v)[2]),
    lambda v, r: v.upper() if split(v)[1][:1].isdigit() else v,
]


def make_pairs(versions, n, seed=20260501):
    rnd = random.Random(seed)
    pairs = set()
    for v in versions:
        pairs.add((v, v))
        for m in MUTATIONS:
            pairs.add((v, m(v, rnd)))
    while len(pairs) < n:
        a = rnd.choice(versions)
        b = rnd.choice(MUTATIONS)(rnd.choice(versions), rnd) if rnd.random() < 0.5 else rnd.choice(versions)
        pairs.add((a, b) if rnd.random() < 0.5 else (b, a))
    # dpkg refuses some mutations (e.g. an emptied upstream); keep only
    # versions without whitespace, as the --stdin format needs
    return sorted(p for p in pairs if " " not in p[0] + p[1])


def dpkg_answer(pair):
    a, b = pair
    lt = subprocess.run(["dpkg", "--compare-versions", a, "lt", b],
                        capture_output=True)
    if lt.returncode not in (0, 1):
        return "error"
    if lt.returncode == 0:
        return "<"
    eq = subprocess.run(["dpkg", "--compare-versions", a, "eq", b],
                        capture_output=True)
    return "=" if eq.returncode == 0 else ">"


@pytest.mark.skipif(shutil.which("dpkg") is None, reason="needs dpkg (the oracle)")
def test_dpkg_oracle_agrees_on_every_pair():
    versions = installed_versions()
    assert len(versions) >= 50, "too few installed packages for a meaningful oracle"
    pairs = make_pairs(versions, MIN_PAIRS)
    assert len(pairs) >= MIN_PAIRS

    t0 = time.monotonic()
    proc = subprocess.run([YUNSHOU, "vuln", "compare", "--format", "dpkg", "--stdin"],
                          input="".join(f"{a} {b}\n" for a, b in pairs),
                          capture_output=True, text=True, timeout=120)
    t_yunshou = time.monotonic() - t0
    ours = proc.stdout.splitlines()
    assert len(ours) == len(pairs), proc.stderr[-2000:]

    t0 = time.monotonic()
    with ThreadPoolExecutor(max_workers=max(2, (os.cpu_count() or 2))) as pool:
        theirs = list(pool.map(dpkg_answer, pairs, chunksize=64))
    t_dpkg = time.monotonic() - t0

    # where dpkg refuses a version, yunshou must refuse it too ("?")
    bad = [(a, b, o, t) for (a, b), o, t in zip(pairs, ours, theirs)
           if o != t and not (t == "error" and o == "?")]
    print(f"oracle: {len(pairs)} pairs from {len(versions)} installed versions; "
          f"yunshou {t_yunshou:.2f}s, dpkg {t_dpkg:.2f}s; "
          f"{sum(t == 'error' for t in theirs)} refused by both")
    assert not bad, f"{len(bad)} disagreements, first: {bad[:10]}"
    assert proc.returncode == (1 if "error" in theirs else 0)


def test_compare_cli_needs_no_server(tmp_path):
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"),
           "YUNSHOU_CONFIG_DIR": str(tmp_path)}
    run = lambda *a: subprocess.run([YUNSHOU, "vuln", "compare", *a], env=env,
                                    capture_output=True, text=True, timeout=30)
    r = run("--format", "dpkg", "1.0~rc1", "1.0")
    assert (r.returncode, r.stdout) == (0, "<\n")
    r = run("--format", "rpm", "1.0^git1", "1.0")
    assert (r.returncode, r.stdout) == (0, ">\n")
    r = run("--format", "apk", "1.2-r1", "1.2-r1")
    assert (r.returncode, r.stdout) == (0, "=\n")
    r = run("--format", "dpkg", "1:", "1")
    assert r.returncode == 1 and "nothing after colon" in r.stderr
    r = run("--format", "dpkg", "1.0")
    assert r.returncode == 2
