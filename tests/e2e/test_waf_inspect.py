"""`yunshou-waf inspect` end to end: JSON Lines in, one verdict line out per
request, with the shipped rules, a site configuration (exceptions and
custom rules), bad input lines and bad rule directories.

Binary: $YS_WAF (set by meson), else ./build/src/waf/yunshou-waf.
"""
import json
import os
import subprocess

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
WAF = os.environ.get("YS_WAF", os.path.join(ROOT, "build/src/waf/yunshou-waf"))
HOST = {"Host": "shop.example.com", "User-Agent": "Mozilla/5.0"}


def run(lines, *args, check=True):
    text = "".join((l if isinstance(l, str) else json.dumps(l)) + "\n" for l in lines)
    p = subprocess.run([WAF, "inspect", *args], input=text.encode(), capture_output=True,
                       timeout=60)
    if check:
        assert p.returncode == 0, p.stderr.decode()
    return p, [json.loads(l) for l in p.stdout.decode().splitlines() if l.strip()]


def req(id, path="/", query="", method="GET", headers=None, body=""):
    h = dict(HOST, **(headers or {}))
    if body:
        h["Content-Length"] = str(len(body.encode()))
    return {"id": id, "method": method, "path": path, "query": query, "headers": h, "body": body}


def test_verdicts_per_line():
    lines = [
        req("benign", "/search", "q=select+your+size&page=2"),
        req("sqli", "/item", "id=1%27%20or%20%271%27%3D%271"),
        req("xss", "/c", method="POST", body="comment=%3Cimg+src%3Dx+onerror%3Dalert(1)%3E",
            headers={"Content-Type": "application/x-www-form-urlencoded"}),
        req("json", "/api", method="POST", body='{"name":"O\'Brien","note":"drop-down menu"}',
            headers={"Content-Type": "application/json"}),
        req("scanner", headers={"User-Agent": "sqlmap/1.7.2#stable (https://sqlmap.org)"}),
    ]
    _, out = run(lines)
    assert [o["id"] for o in out] == ["benign", "sqli", "xss", "json", "scanner"]
    v = {o["id"]: o for o in out}
    assert v["benign"]["verdict"] == "pass" and v["benign"]["score"] == 0 and v["benign"]["matched"] == []
    assert v["json"]["verdict"] == "pass"
    assert v["sqli"]["verdict"] == "block" and v["sqli"]["score"] >= 5
    m = v["sqli"]["matched"][0]
    assert m["category"] == "sqli" and m["field"] == "query:id" and m["rule"].startswith("sqli-")
    assert any(m["category"] == "xss" and m["field"] == "form:comment" for m in v["xss"]["matched"])
    assert any(m["category"] == "scanner" and m["field"] == "header:user-agent"
               for m in v["scanner"]["matched"])


def test_what_the_proxy_parser_refuses_and_dechunks():
    """inspect parses each request as the proxy does: refusals come first as
    http-parser matches, chunked bodies are inspected de-chunked."""
    te = {"Transfer-Encoding": "chunked", "Content-Type": "application/x-www-form-urlencoded"}
    chunked = "".join("%x\r\n%s\r\n" % (len(c), c) for c in ("q=%3Cscript%3E", "alert(1)")) + "0\r\n\r\n"
    lines = [
        {"id": "overflow", "method": "POST", "path": "/api", "query": "",
         "headers": dict(HOST, **te), "body": "FFFFFFFFFFFFFFFFF1\r\nhello\r\n0\r\n\r\n"},
        {"id": "big-header", "method": "GET", "path": "/", "query": "",
         "headers": dict(HOST, **{"X-Pad": "A" * 20000}), "body": ""},
        {"id": "chunked-xss", "method": "POST", "path": "/c", "query": "",
         "headers": dict(HOST, **te), "body": chunked},
        {"id": "chunked-ok", "method": "POST", "path": "/c", "query": "",
         "headers": dict(HOST, **te), "body": "7\r\nq=shoes\r\n0\r\n\r\n"},
        req("graphql", "/graphql", method="POST", headers={"Content-Type": "application/json"},
            body=json.dumps({"query": 'query { users(where: "1=1; DROP TABLE users") { id } }'})),
        req("graphql-ok", "/graphql", method="POST", headers={"Content-Type": "application/json"},
            body=json.dumps({"query": 'query { products(search: "O\'Reilly select a plan") { id } }'})),
        req("accept-language", headers={"Accept-Language": "zh-CN' and extractvalue(1,concat(0x7e,"
                                                           "(select @@version)))-- "}),
        req("accept-language-ok", headers={"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.8"}),
    ]
    _, out = run(lines)
    v = {o["id"]: o for o in out}
    for i in ("overflow", "big-header"):
        assert v[i]["verdict"] == "block", v[i]
        assert v[i]["matched"][0]["rule"] == "http-parser", v[i]
    assert "chunk size" in v["overflow"]["matched"][0]["excerpt"]
    assert v["chunked-xss"]["verdict"] == "block"
    assert any(m["field"] == "form:q" and m["category"] == "xss" for m in v["chunked-xss"]["matched"])
    assert v["chunked-ok"]["verdict"] == "pass" and v["chunked-ok"]["matched"] == []
    assert any(m["field"] == "graphql:query" and m["category"] == "sqli" for m in v["graphql"]["matched"])
    assert v["graphql-ok"]["verdict"] == "pass", v["graphql-ok"]
    assert any(m["field"] == "header:accept-language" for m in v["accept-language"]["matched"])
    assert v["accept-language-ok"]["verdict"] == "pass"


def test_multipart_extended_file_name():
    """RFC 5987 filename*= is a file name too (servers disagree on which one they use)."""
    b = "----b7"
    body = ("--%s\r\nContent-Disposition: form-data; name=\"file\"; filename*=UTF-8''"
            "%%3Cimg%%20src%%3Dx%%20onerror%%3Dalert(1)%%3E.png\r\nContent-Type: image/png\r\n\r\n"
            "PNG\r\n--%s--\r\n" % (b, b))
    ok = ("--%s\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.png\"; "
          "filename*=UTF-8''%%E5%%A4%%B4%%E5%%83%%8F.png\r\nContent-Type: image/png\r\n\r\nPNG\r\n--%s--\r\n" % (b, b))
    ct = {"Content-Type": "multipart/form-data; boundary=" + b}
    _, out = run([req("ext", "/upload", method="POST", headers=ct, body=body),
                  req("ok", "/upload", method="POST", headers=ct, body=ok)])
    v = {o["id"]: o for o in out}
    assert any(m["field"] == "filename:file" and m["category"] == "xss" for m in v["ext"]["matched"]), v["ext"]
    assert v["ok"]["verdict"] == "pass", v["ok"]


def test_bad_lines_continue():
    lines = [
        '{"id": "broken", "path": "/"',
        '[1, 2]',
        json.dumps({"id": "nopath", "method": "GET"}),
        json.dumps({"id": "badhdr", "path": "/", "headers": {"X": 1}}),
        json.dumps({"id": 7, "path": "/", "headers": HOST}),
    ]
    _, out = run(lines)
    assert len(out) == 5
    assert out[0]["id"] is None and "bad JSON" in out[0]["error"]
    assert out[1]["id"] is None and "not a JSON object" in out[1]["error"]
    assert out[2] == {"id": "nopath", "error": 'missing "path"'}
    assert out[3]["id"] == "badhdr" and "header" in out[3]["error"]
    assert out[4]["id"] == 7 and out[4]["verdict"] == "pass"


def test_site_config(tmp_path):
    site = tmp_path / "site.json"
    site.write_text(json.dumps({
        "mode": "block",
        "exceptions": [{"path_prefix": "/cms/", "categories": ["xss"]}],
        "custom_rules": [{"id": "no-curl", "field": "headers:user-agent", "operator": "contains",
                          "value": "curl/", "action": "block"}],
    }))
    xss = "body=%3Cscript%3Ealert(1)%3C%2Fscript%3E"
    lines = [req("cms", "/cms/post", xss), req("shop", "/shop/post", xss),
             req("curl", headers={"User-Agent": "curl/8.5.0"})]
    _, plain = run(lines)
    assert [o["verdict"] for o in plain] == ["block", "block", "pass"]
    _, out = run(lines, "--site-config", str(site))
    assert [o["verdict"] for o in out] == ["pass", "block", "block"]
    assert out[2]["matched"][0]["rule"] == "no-curl"
    monitor = tmp_path / "monitor.json"
    monitor.write_text('{"mode": "monitor"}')
    _, out = run(lines[1:2], "--site-config", str(monitor))
    assert out[0]["verdict"] == "pass" and out[0]["would_block"] is True


def test_rules_errors(tmp_path):
    (tmp_path / "r.json").write_text(json.dumps({"format": 1, "rules": [
        {"id": "x-1", "category": "xss", "severity": 4, "fields": ["args"],
         "transforms": ["urldecode", "rot13"], "operator": "detect", "value": "xss"}]}))
    p, out = run([req("a")], "--rules", str(tmp_path), check=False)
    assert p.returncode == 1 and out == []
    assert 'r.json: rule x-1: unknown transform "rot13"' in p.stderr.decode()
    bad_site = tmp_path / "site.json"
    bad_site.write_text('{"exceptions": [{"rule_ids": ["nope-1"]}]}')
    p, _ = run([req("a")], "--site-config", str(bad_site), check=False)
    assert p.returncode == 1 and 'unknown rule id "nope-1"' in p.stderr.decode()
    p = subprocess.run([WAF, "inspect", "--bogus"], capture_output=True, timeout=30)
    assert p.returncode == 2 and b"usage" in p.stderr
    p = subprocess.run([WAF, "frobnicate"], capture_output=True, timeout=30)
    assert p.returncode == 2 and b"unknown command" in p.stderr


def test_custom_rules_dir(tmp_path):
    (tmp_path / "mine.json").write_text(json.dumps({"format": 1, "version": "t", "rules": [
        {"id": "deny-admin", "category": "custom", "severity": "critical", "score": 5,
         "fields": ["path"], "transforms": ["urldecode", "path", "lower"],
         "operator": "prefix", "value": ["/admin"]}]}))
    _, out = run([req("a", "/x/../ADMIN/panel"), req("b", "/administrators-guide")],
                 "--rules", str(tmp_path))
    assert [o["verdict"] for o in out] == ["block", "block"]
    _, out = run([req("c", "/shop")], "--rules", str(tmp_path))
    assert out[0]["verdict"] == "pass"
