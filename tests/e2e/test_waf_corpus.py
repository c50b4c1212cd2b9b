"""WAF corpus: detection and false-positive rates of `yunshou-waf inspect`.

The corpus (tests/corpus/waf, see its README) goes through the real binary
in one run of `yunshou-waf inspect` (JSON Lines in, one verdict line out per
request). The test prints, for every attack file, the share of requests
blocked (detection) and, for every benign file, the share blocked (false
positives), then asserts floors.

The floors are what the engine reached when they were last set, not the goal.
The design goal is >= 90 % detection in every category at <= 0.1 % false
positives (issue 4); RAISE THE FLOORS AS THE ENGINE IMPROVES (and never lower
one to make a change pass: a lower figure is a regression to fix).

The corpus checks (format, labels' files, sizes, generators reproducing the
committed files) need no binary. Binary: $YS_WAF (set by meson), else
./build/src/waf/yunshou-waf.
"""
import collections
import json
import os
import subprocess
import sys
import tempfile

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CORPUS = os.path.join(ROOT, "tests", "corpus", "waf")
WAF = os.environ.get("YS_WAF", os.path.join(ROOT, "build/src/waf/yunshou-waf"))
FIELDS = ("id", "method", "path", "query", "headers", "body")

# Minimum sizes promised by the corpus README.
MIN_REQUESTS = {"sqli": 100, "xss": 100, "cmdi": 25, "lfi": 25, "rfi_ssrf": 25, "xxe": 25,
                "ssti": 25, "webshell": 25, "scanner": 25, "protocol": 25}
MIN_BENIGN = 1000

# Floors: detection per attack file (%), overall detection (%), and the
# largest false-positive rate (%) over all benign requests, set just below what
# the engine measures on this corpus. History: session 2 tuned the engine on
# batches 1-3 (held-out figures when batches 2 and 3 were new: 83.7 % / 13.2 %);
# held-out batch 4 (121 attacks, benign_enterprise) measured 72.73 % detection,
# 7.01 % false positives on the batch alone before it was committed, and the
# floors were lowered to the whole-corpus values of the time (96.07 %, 1.15 %)
# only because new traffic lowered the measured rates. Session 3 fixed the
# engine on batch 4 (docs/PERFORMANCE.md, "WAF detection, session 3"): 99.77 %
# detection, 0.00 % false positives on batches 1-4. Held-out batch 5 (169
# attacks, benign_saas) then measured 75.74 % / 1.36 % on the batch alone
# before any tuning; after fixing its misses and false positives by kind:
# 99.81 % / 0.00 % on batches 1-5. Held-out batch 6 (155 attacks, benign_ops)
# measured 71.61 % / 7.05 % alone before tuning; after: 99.75 % / 0.00 % on
# batches 1-6 (xxe's floor went from 98 to 97 because batch 6 brought a
# deflated SAMLRequest the engine cannot inflate, not because it regressed).
# Held-out batch 7 (164 attacks, benign_life) measured 72.56 % / 0.89 % alone
# before tuning; after: 99.70 % / 0.03 % on batches 1-7 (the one false
# positive: a Vue component with <script setup> pasted in a fenced code
# block of an AI-chat message, left blocked: see docs/PERFORMANCE.md).
# RAISE THE FLOORS AS THE ENGINE IMPROVES; never lower one to hide a
# regression of the engine itself.
DETECTION_FLOOR = {"sqli": 99.5, "xss": 99.5, "cmdi": 99.5, "lfi": 99.5, "rfi_ssrf": 99.5, "xxe": 97,
                   "ssti": 99.5, "webshell": 99.5, "scanner": 98.5, "protocol": 99.5}
OVERALL_DETECTION_FLOOR = 99.5
FALSE_POSITIVE_CEILING = 0.05


def corpus_files():
    return sorted(f[:-len(".jsonl")] for f in os.listdir(CORPUS) if f.endswith(".jsonl"))


def load(name):
    with open(os.path.join(CORPUS, name + ".jsonl"), encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def is_benign(name):
    return name.startswith("benign")


def test_corpus_format_and_sizes():
    files = corpus_files()
    assert set(MIN_REQUESTS) <= set(files), "an attack category file is missing"
    ids = set()
    benign = 0
    for name in files:
        reqs = load(name)
        prefix = name.replace("_", "-") if is_benign(name) else name
        for r in reqs:
            assert tuple(r) == FIELDS, (name, r.get("id"))
            assert r["id"].startswith(prefix + "-") and r["id"] not in ids, r["id"]
            ids.add(r["id"])
            assert all(isinstance(r[k], str) for k in FIELDS if k != "headers")
            assert isinstance(r["headers"], dict) and all(isinstance(v, str) for v in r["headers"].values())
            assert "\x00" not in r["body"] + r["path"] + r["query"], r["id"]
            assert r["path"].startswith("/"), r["id"]
            cl = r["headers"].get("Content-Length")
            if name != "protocol" and cl is not None:
                assert int(cl) == len(r["body"].encode()), r["id"]
        if is_benign(name):
            benign += len(reqs)
        else:
            assert len(reqs) >= MIN_REQUESTS.get(name, 25), name
    assert benign >= MIN_BENIGN


def test_corpus_is_what_the_generators_write():
    """Nobody edited a .jsonl by hand: both scripts reproduce every file."""
    with tempfile.TemporaryDirectory() as out:
        for script in ("attacks.py", "benign.py"):
            subprocess.run([sys.executable, os.path.join(CORPUS, "gen", script), out], check=True,
                           stdout=subprocess.DEVNULL, timeout=120)
        assert sorted(os.listdir(out)) == sorted(f + ".jsonl" for f in corpus_files())
        for f in os.listdir(out):
            with open(os.path.join(out, f), "rb") as a, open(os.path.join(CORPUS, f), "rb") as b:
                assert a.read() == b.read(), f + " differs from its generator's output"


def inspect_corpus():
    """Every request through one `yunshou-waf inspect`; {id: verdict object}."""
    lines = []
    for name in corpus_files():
        with open(os.path.join(CORPUS, name + ".jsonl"), encoding="utf-8") as f:
            # split on LF only: str.splitlines() would also cut at U+0085 or
            # U+2028, which JSON strings may hold unescaped.
            lines.extend(line for line in f.read().split("\n") if line)
    p = subprocess.run([WAF, "inspect"], input="\n".join(lines) + "\n", capture_output=True, text=True,
                       timeout=300)
    assert p.returncode == 0, p.stderr[-2000:]
    verdicts = {}
    for line in p.stdout.split("\n"):
        if not line:
            continue
        v = json.loads(line)
        assert v["verdict"] in ("block", "pass"), line
        assert isinstance(v["score"], int) and isinstance(v["matched"], list), line
        assert v["id"] not in verdicts, "two verdicts for " + v["id"]
        verdicts[v["id"]] = v
    return verdicts


@pytest.mark.skipif(not os.access(WAF, os.X_OK), reason="yunshou-waf not built (set YS_WAF)")
def test_detection_and_false_positive_rates(capsys):
    verdicts = inspect_corpus()
    rows, blocked, total = [], collections.Counter(), collections.Counter()
    false_positives, missed = [], collections.defaultdict(list)
    for name in corpus_files():
        kind = "benign" if is_benign(name) else "attack"
        reqs = load(name)
        n = sum(1 for r in reqs if verdicts[r["id"]]["verdict"] == "block")
        assert len(verdicts) and all(r["id"] in verdicts for r in reqs), name + ": a request has no verdict"
        blocked[kind] += n
        total[kind] += len(reqs)
        rows.append((name, len(reqs), 100.0 * n / len(reqs), "FP" if kind == "benign" else "detected"))
        for r in reqs:
            v = verdicts[r["id"]]
            if kind == "benign" and v["verdict"] == "block":
                false_positives.append("%s %s" % (r["id"], " ".join(
                    "%s@%s" % (m.get("rule"), m.get("field")) if isinstance(m, dict) else str(m)
                    for m in v["matched"])))
            elif kind == "attack" and v["verdict"] == "pass":
                missed[name].append(r["id"])
    detection = 100.0 * blocked["attack"] / total["attack"]
    fp = 100.0 * blocked["benign"] / total["benign"]
    with capsys.disabled():
        print("\n%-16s %6s %9s" % ("file", "n", "blocked"))
        for name, n, rate, what in rows:
            print("%-16s %6d %8.2f %% %s" % (name, n, rate, what))
        print("%-16s %6d %8.2f %% detected" % ("attacks (all)", total["attack"], detection))
        print("%-16s %6d %8.2f %% false positives" % ("benign (all)", total["benign"], fp))
        for line in false_positives[:20]:
            print("false positive: " + line)
        for name, ids in sorted(missed.items()):
            print("missed %s: %s%s" % (name, " ".join(ids[:15]), " ..." if len(ids) > 15 else ""))
    rate = {name: r for name, _, r, _ in rows}
    for name, floor in DETECTION_FLOOR.items():
        assert rate[name] >= floor, "%s detection %.2f %% fell below its floor %s %%" % (name, rate[name], floor)
    assert detection >= OVERALL_DETECTION_FLOOR
    assert fp <= FALSE_POSITIVE_CEILING, "false positives %.2f %% above the ceiling %s %%" % (
        fp, FALSE_POSITIVE_CEILING)
