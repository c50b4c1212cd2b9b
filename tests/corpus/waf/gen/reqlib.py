"""Request builders shared by attacks.py and benign.py.

Each builder returns one request object in the `yunshou-waf inspect` input
format: id, method, path, query (raw, still percent-encoded), headers
(object), body (string). Bodies are text; a "binary" file part is written as
latin-1 characters (U+0001..U+00FF), never NUL, so every line is plain JSON
that jansson reads without JSON_ALLOW_NUL.
"""
import json
import urllib.parse

UAS = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.4 Safari/605.1.15",
    "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Mobile/15E148 MicroMessenger/8.0.47(0x18002f2c) NetType/WIFI Language/zh_CN",
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/123.0.6312.99 Mobile Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/122.0.0.0 Safari/537.36 Edg/122.0.2365.92",
    "Mozilla/5.0 (Linux; U; Android 13; zh-cn; 22081212C Build/TKQ1.220829.002) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Version/4.0 Chrome/100.0.4896.127 Mobile Safari/537.36 XiaoMi/MiuiBrowser/17.9",
]

HOSTS = ["shop.example.com", "www.example.cn", "api.example.com", "blog.example.org",
         "portal.example.com.cn"]


def enc(s, safe=""):
    """Standard percent-encoding, as a browser or HTTP library sends it."""
    return urllib.parse.quote(s, safe=safe)


def form_enc(s):
    """application/x-www-form-urlencoded (space as '+')."""
    return urllib.parse.quote_plus(s)


def dbl(s):
    """Double URL encoding: %27 becomes %2527."""
    return enc(enc(s))


def uenc(s):
    """IIS-style %uXXXX for every character that is not a letter or digit."""
    return "".join(c if c.isalnum() and ord(c) < 128 else "%%u%04x" % ord(c) for c in s)


OVERLONG = {"/": "%c0%af", ".": "%c0%ae", "<": "%c0%bc", ">": "%c0%be", "'": "%c0%a7",
            "\\": "%c1%9c", " ": "%c0%a0", "=": "%c0%bd", '"': "%c0%a2"}


def overlong(s):
    """Two-byte overlong UTF-8 for the characters filters look for."""
    return "".join(OVERLONG.get(c, enc(c)) for c in s)


def hexall(s):
    """Every byte as %XX, letters included."""
    return "".join("%%%02X" % b for b in s.encode())


def qs(pairs):
    """A query string from (name, value) pairs with standard encoding."""
    return "&".join(enc(k) + "=" + enc(v) for k, v in pairs)


def headers(host=None, ua=0, extra=None, accept="text/html,application/xhtml+xml,application/xml;"
            "q=0.9,image/avif,image/webp,*/*;q=0.8", lang="zh-CN,zh;q=0.9,en;q=0.8"):
    h = {"Host": host or HOSTS[0],
         "User-Agent": UAS[ua % len(UAS)] if isinstance(ua, int) else ua,
         "Accept": accept,
         "Accept-Language": lang,
         "Accept-Encoding": "gzip, deflate, br"}
    for k, v in (extra or {}).items():
        if v is None:
            h.pop(k, None)
        else:
            h[k] = v
    return h


def req(method, path, query="", hdrs=None, body=""):
    return {"method": method, "path": path, "query": query,
            "headers": hdrs if hdrs is not None else headers(), "body": body}


def get(path, query="", **kw):
    return req("GET", path, query, headers(**kw))


def post_form(path, body, query="", **kw):
    extra = dict(kw.pop("extra", None) or {})
    extra.setdefault("Content-Type", "application/x-www-form-urlencoded")
    h = headers(extra=extra, **kw)
    h["Content-Length"] = str(len(body.encode()))
    return req("POST", path, query, h, body)


def send_json(method, path, obj, query="", raw=None, **kw):
    extra = dict(kw.pop("extra", None) or {})
    extra.setdefault("Content-Type", "application/json;charset=UTF-8")
    kw.setdefault("accept", "application/json, text/plain, */*")
    body = raw if raw is not None else json.dumps(obj, ensure_ascii=False)
    h = headers(extra=extra, **kw)
    h["Content-Length"] = str(len(body.encode()))
    return req(method, path, query, h, body)


def post_json(path, obj, **kw):
    return send_json("POST", path, obj, **kw)


def multipart_body(parts, boundary):
    """parts: (name, value) or (name, value, filename, content_type)."""
    out = []
    for p in parts:
        out.append("--" + boundary + "\r\n")
        if len(p) == 2:
            out.append('Content-Disposition: form-data; name="%s"\r\n\r\n%s\r\n' % p)
        else:
            name, value, fname, ctype = p
            out.append('Content-Disposition: form-data; name="%s"; filename="%s"\r\n'
                       "Content-Type: %s\r\n\r\n%s\r\n" % (name, fname, ctype, value))
    out.append("--" + boundary + "--\r\n")
    return "".join(out)


def post_multipart(path, parts, boundary="----WebKitFormBoundary7MA4YWxkTrZu0gW", method="POST",
                   query="", **kw):
    body = multipart_body(parts, boundary)
    extra = dict(kw.pop("extra", None) or {})
    extra.setdefault("Content-Type", "multipart/form-data; boundary=" + boundary)
    h = headers(extra=extra, **kw)
    h["Content-Length"] = str(len(body.encode()))
    return req(method, path, query, h, body)


def write_jsonl(path, prefix, reqs):
    """Number the requests prefix-0001.. and write one JSON object per line."""
    ids = set()
    with open(path, "w", encoding="utf-8") as f:
        for i, r in enumerate(reqs, 1):
            r = dict(r)
            r["id"] = "%s-%04d" % (prefix, i)
            assert r["id"] not in ids
            ids.add(r["id"])
            assert "\\u0000" not in json.dumps(r)
            line = {k: r[k] for k in ("id", "method", "path", "query", "headers", "body")}
            f.write(json.dumps(line, ensure_ascii=False, sort_keys=False) + "\n")
    return len(reqs)
