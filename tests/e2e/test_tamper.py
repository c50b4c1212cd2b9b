"""Tampering with the audit trail in the store is detected.

A module fixture builds a trail of ~30 entries with audit_checkpoint_every = 5
(so signed Ed25519 checkpoints exist every 5 entries, plus the final one
yunshoud signs when it stops), restarts the daemon, and then each case edits
the store with sqlite3 WHILE the daemon runs (WAL lets a second writer in,
as an attacker with file access would). Both `yunshou audit verify` (through
the API) and `yunshoud audit-verify --state` (offline, beside the running
daemon) must report the same first bad entry. After each case the audit
tables are restored row for row and must verify again.

The chain hash is recomputed here from the encoding of row_hash() in
src/control/audit.c, so case (f) can rewrite an entry and re-chain everything
after it; only the signed checkpoints can catch that.
"""
import hashlib
import re
import struct
import subprocess

import pytest

from conftest import (PASSWORD, SLOW, YUNSHOUD, _env_base, first_admin_login,
                      register_tenant)

CHAIN_TAG = b"yunshou-audit-v1\0"
U64 = 0xFFFFFFFFFFFFFFFF
COLS = "seq, time_ms, actor, actor_id, tenant_id, source, action, target, result, detail"


def _u64(v):
    return struct.pack(">Q", (v or 0) & U64)


def _str(v):
    if v is None:
        return _u64(U64)
    b = v.encode()
    return _u64(len(b)) + b


def row_hash(prev, r):
    """SHA-256 of the encoding in audit.c row_hash()."""
    enc = (CHAIN_TAG + prev + _u64(r["seq"]) + _u64(r["time_ms"]) + _str(r["actor"]) +
           _u64(r["actor_id"]) + _u64(r["tenant_id"]) + _str(r["source"]) +
           _str(r["action"]) + _str(r["target"]) + _str(r["result"]) + _str(r["detail"]))
    return hashlib.sha256(enc).digest()


def rows(c):
    return [dict(r) for r in c.execute(f"SELECT {COLS}, hash FROM audit_log ORDER BY seq")]


def rechain(c, start_seq):
    """Recompute and store the hash of every entry from start_seq on."""
    prev = bytes(32)
    for r in rows(c):
        if r["seq"] >= start_seq:
            h = row_hash(prev, r)
            c.execute("UPDATE audit_log SET hash = ? WHERE seq = ?", (h, r["seq"]))
            r["hash"] = h
        prev = r["hash"]


def shift_up(c, from_seq):
    """Renumber entries seq >= from_seq to seq + 1 (leaving a gap)."""
    c.execute("UPDATE audit_log SET seq = -seq WHERE seq >= ?", (from_seq,))
    c.execute("UPDATE audit_log SET seq = 1 - seq WHERE seq < 0")


@pytest.fixture(scope="module")
def trail(make_module_daemon):
    d = make_module_daemon({"audit_checkpoint_every": 5})
    admin = first_admin_login(d)
    at = admin.token
    for n in range(401, 406):
        r, f = register_tenant(d, n)
        assert r.status == 201
        assert d.api("POST", f"/v1/tenants/{r.json['tenant_id']}/approve", at, {}).status == 200
        assert d.api("POST", "/v1/auth/login",
                     body={"username": f["username"], "password": "Bad-Password-999"}).status == 401
        assert d.api("POST", "/v1/auth/login",
                     body={"username": f["username"], "password": PASSWORD}).status == 200
    for i in range(8):
        assert d.api("POST", "/v1/plans", at, {"service": "dlp", "name": f"DLP {i}",
                                               "price_fen": 100 * i}).status == 201
    d.stop()
    with d.db() as c:
        n = c.execute("SELECT max(seq) FROM audit_log").fetchone()[0]
        cps = [r[0] for r in c.execute("SELECT seq FROM audit_checkpoints ORDER BY seq")]
    c.close()
    assert n >= 30, n
    # the genesis entry, then every 5 entries, and the final one signed at shutdown
    assert cps[:4] == [1, 5, 10, 15] and cps[-1] == n, cps
    d.start()
    return {"src": d, "token": at, "head": n, "checkpoints": cps}


@pytest.fixture
def copy(trail):
    """The running daemon of the trail; its audit tables are restored after
    the case and must verify again."""
    d = trail["src"]
    with d.db() as c:
        log = c.execute("SELECT * FROM audit_log ORDER BY seq").fetchall()
        cps = c.execute("SELECT * FROM audit_checkpoints ORDER BY seq").fetchall()
    c.close()
    yield d
    with d.db() as c:
        c.execute("DELETE FROM audit_log")
        c.execute("DELETE FROM audit_checkpoints")
        c.executemany(f"INSERT INTO audit_log VALUES ({', '.join('?' * len(log[0]))})", log)
        c.executemany(f"INSERT INTO audit_checkpoints VALUES ({', '.join('?' * len(cps[0]))})",
                      cps)
    c.close()
    rc, out, err = offline_verify(d)
    assert rc == 0 and f"OK: {trail['head']} entries" in out, (out, err)


def offline_verify(d):
    p = subprocess.run([YUNSHOUD, "audit-verify", "--state", d.state], capture_output=True,
                       text=True, timeout=60 * SLOW, env=_env_base(d.tmp),
                       start_new_session=True)
    return p.returncode, p.stdout, p.stderr


def assert_broken(d, trail, seq, reason=None):
    """Both verifiers name entry `seq` (an int, or a predicate on it)."""
    check = seq if callable(seq) else (lambda s: s == seq)
    cli = d.cli("auditor")
    rc, out, err = cli.run("audit", "verify", token=trail["token"])
    m = re.search(r"^audit trail BROKEN at entry (\d+): (.+)$", err, re.M)
    assert rc == 1 and m, (rc, out, err)
    assert check(int(m.group(1))), err
    if reason:
        assert re.search(reason, m.group(2)), err
    v = d.api("GET", "/v1/audit/verify", trail["token"]).json
    assert v["ok"] is False and v["first_bad_seq"] == int(m.group(1)), v
    rc, out, err2 = offline_verify(d)
    m2 = re.search(r"^audit trail BROKEN at entry (\d+): (.+)$", err2, re.M)
    assert rc == 1 and m2, (rc, out, err2)
    assert (m2.group(1), m2.group(2)) == (m.group(1), m.group(2)), (err, err2)
    return int(m.group(1))


def test_python_chain_matches_audit_c(trail):
    """The reference encoding here reproduces every stored hash."""
    d = trail["src"]
    with d.db() as c:
        prev = bytes(32)
        for r in rows(c):
            assert row_hash(prev, r) == r["hash"], r["seq"]
            prev = r["hash"]
    c.close()


def test_untouched_trail_verifies(copy, trail):
    rc, out, err = copy.cli("auditor").run("audit", "verify", token=trail["token"])
    assert rc == 0, err
    assert out.startswith(f"audit trail OK: {trail['head']} entries, "
                          f"{len(trail['checkpoints'])} checkpoints, head "), out
    rc, out, err = offline_verify(copy)
    assert rc == 0 and out.startswith(f"audit trail OK: {trail['head']} entries, "), (out, err)


def test_copied_state_verifies(trail, make_daemon):
    """A copy of the state directory (a backup) served on another port
    verifies, with the same head, online and offline."""
    src = trail["src"]
    src.stop()
    try:
        d = make_daemon(copy_of=src)
    finally:
        src.start()
    v = d.api("GET", "/v1/audit/verify", trail["token"]).json
    assert v["ok"] is True and v["entries"] == trail["head"], v
    assert v["checkpoints"] == len(trail["checkpoints"])
    rc, out, _ = offline_verify(d)
    assert rc == 0 and v["head_hash"] in out


@pytest.mark.parametrize("column,value", [
    ("detail", "state=/nowhere admin=mallory"),
    ("actor", "mallory"),
    ("result", "ok"),
    ("time_ms", 0),
    ("tenant_id", 99),
    ("action", "tenant.reject"),
])
def test_edit_entry(copy, trail, column, value):
    k = 12 if column != "result" else None
    with copy.db() as c:
        if k is None:   # turn a failed login into a success
            k = c.execute("SELECT min(seq) FROM audit_log WHERE result = "
                          "'invalid_credentials'").fetchone()[0]
        assert c.execute(f"UPDATE audit_log SET {column} = ? WHERE seq = ?",
                         (value, k)).rowcount == 1
    c.close()
    assert_broken(copy, trail, k, "does not match its hash")


def test_edit_first_entry(copy, trail):
    with copy.db() as c:
        c.execute("UPDATE audit_log SET detail = 'x' WHERE seq = 1")
    c.close()
    assert_broken(copy, trail, 1)


def test_delete_entry(copy, trail):
    with copy.db() as c:
        assert c.execute("DELETE FROM audit_log WHERE seq = 17").rowcount == 1
    c.close()
    assert_broken(copy, trail, 17, "missing")


def test_swap_two_entries_contents(copy, trail):
    i, j = 8, 21
    with copy.db() as c:
        a = c.execute(f"SELECT {COLS}, hash FROM audit_log WHERE seq = ?", (i,)).fetchone()
        b = c.execute(f"SELECT {COLS}, hash FROM audit_log WHERE seq = ?", (j,)).fetchone()
        sets = ", ".join(f"{x} = ?" for x in COLS.split(", ")[1:] + ["hash"])
        c.execute(f"UPDATE audit_log SET {sets} WHERE seq = ?", tuple(b)[1:] + (i,))
        c.execute(f"UPDATE audit_log SET {sets} WHERE seq = ?", tuple(a)[1:] + (j,))
    c.close()
    assert_broken(copy, trail, i)


def test_swap_two_entries_seq(copy, trail):
    i, j = 9, 10
    with copy.db() as c:
        c.execute("UPDATE audit_log SET seq = -1 WHERE seq = ?", (i,))
        c.execute("UPDATE audit_log SET seq = ? WHERE seq = ?", (i, j))
        c.execute("UPDATE audit_log SET seq = ? WHERE seq = -1", (j,))
    c.close()
    assert_broken(copy, trail, i)


def test_insert_forged_entry_unlinked(copy, trail):
    k = 14
    with copy.db() as c:
        shift_up(c, k)
        c.execute(f"INSERT INTO audit_log ({COLS}, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                  (k, 1700000000000, "admin", 1, None, "127.0.0.1", "tenant.approve",
                   "tenant/1", "ok", "", bytes(32)))
    c.close()
    assert_broken(copy, trail, k, "does not match its hash")


def test_insert_forged_entry_with_valid_link(copy, trail):
    """The forged entry hashes correctly onto its predecessor; the entry
    after it (its old seq and link) gives it away."""
    k = 14
    with copy.db() as c:
        prev = c.execute("SELECT hash FROM audit_log WHERE seq = ?", (k - 1,)).fetchone()[0]
        shift_up(c, k)
        forged = {"seq": k, "time_ms": 1700000000000, "actor": "admin", "actor_id": 1,
                  "tenant_id": None, "source": "127.0.0.1", "action": "tenant.approve",
                  "target": "tenant/1", "result": "ok", "detail": "note=forged"}
        c.execute(f"INSERT INTO audit_log ({COLS}, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                  tuple(forged.values()) + (row_hash(prev, forged),))
    c.close()
    assert_broken(copy, trail, k + 1, "does not match its hash")


def test_truncate_tail(copy, trail):
    """Entries after a signed checkpoint cut off: the checkpoint outlives them."""
    cut = trail["head"] - 3
    with copy.db() as c:
        assert c.execute("DELETE FROM audit_log WHERE seq >= ?", (cut,)).rowcount == 4
    c.close()
    assert_broken(copy, trail, cut, "deleted")


def test_truncate_to_previous_checkpoint(copy, trail):
    """Cut exactly at a checkpoint boundary: later checkpoints still expose it."""
    cut = 21
    with copy.db() as c:
        c.execute("DELETE FROM audit_log WHERE seq >= ?", (cut,))
    c.close()
    assert_broken(copy, trail, cut, "deleted")


def test_rewrite_and_rechain(copy, trail):
    """Edit entry k and recompute the hash chain after it: the chain is
    consistent again, but the signed checkpoints at or after k are not."""
    k = 12
    with copy.db() as c:
        c.execute("UPDATE audit_log SET actor = 'mallory', detail = 'rewritten' WHERE seq = ?",
                  (k,))
        rechain(c, k)
        prev = bytes(32)
        for r in rows(c):   # the chain itself is now consistent
            assert row_hash(prev, r) == r["hash"]
            prev = r["hash"]
    c.close()
    # The first entry not covered by a good checkpoint: after the one at 10.
    bad = assert_broken(copy, trail, 11, "signed checkpoint")
    assert bad <= k


def test_rewrite_rechain_and_fix_checkpoint_hashes(copy, trail):
    """The attacker also puts the new hashes into the checkpoints: the
    Ed25519 signatures no longer verify."""
    k = 12
    with copy.db() as c:
        c.execute("UPDATE audit_log SET result = 'ok' WHERE seq = ?", (k,))
        c.execute("UPDATE audit_log SET detail = 'rewritten' WHERE seq = ?", (k,))
        rechain(c, k)
        for (seq,) in c.execute("SELECT seq FROM audit_checkpoints").fetchall():
            h = c.execute("SELECT hash FROM audit_log WHERE seq = ?", (seq,)).fetchone()[0]
            c.execute("UPDATE audit_checkpoints SET hash = ? WHERE seq = ?", (h, seq))
    c.close()
    assert_broken(copy, trail, 11, "signed checkpoint")


def test_forged_checkpoint_signature(copy, trail):
    with copy.db() as c:
        sig = bytearray(c.execute("SELECT signature FROM audit_checkpoints WHERE seq = 15")
                        .fetchone()[0])
        sig[0] ^= 1
        c.execute("UPDATE audit_checkpoints SET signature = ? WHERE seq = 15", (bytes(sig),))
    c.close()
    assert_broken(copy, trail, 11, "signed checkpoint at entry 15")
