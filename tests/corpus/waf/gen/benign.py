#!/usr/bin/env python3
"""The benign half of the WAF corpus, built from templates with a fixed seed.

Five files, one per kind of traffic a real site sees, so a false positive
points at the kind that caused it:

  benign_browse.jsonl   page and asset GETs, paths with dots, cookies, JWTs,
                        OAuth redirects, crawlers and API clients, HEAD/OPTIONS
  benign_forms.jsonl    login, sign-up, search (SQL-looking words, quotes,
                        Chinese), contact and address forms, comments
  benign_api.jsonl      REST JSON (orders, profiles, carts, payments), GraphQL,
                        webhooks and link previews to public sites, base64
  benign_content.jsonl  rich text (HTML from editors), markdown, issue-tracker
                        posts with code snippets
  benign_uploads.jsonl  multipart uploads: images, PDFs, CSV, text, JSON

    python3 tests/corpus/waf/gen/benign.py [OUTDIR]   (same output on every run)
"""
import base64
import json
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from reqlib import (HOSTS, UAS, enc, form_enc, get, headers, post_form, post_multipart,  # noqa: E402
                    qs, req, send_json, write_jsonl)

OUT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
rng = random.Random(20261124)

NAMES_EN = ["Alice Johnson", "Bob O'Brien", "Charlie D'Angelo", "Dana Smith-Jones", "Élodie Martin",
            "Tim O'Reilly", "Priya Natarajan", "Kevin McAllister", "Sarah Connor", "José García",
            "Anne-Marie Dubois", "Liam O'Neill", "Grace Lee", "Mohammed Al-Farsi", "Zoë Becker"]
NAMES_ZH = ["张伟", "王芳", "李娜", "刘洋", "陈静", "杨帆", "赵磊", "黄丽", "周杰", "吴敏", "欧阳娜娜",
            "司马光", "林小雨", "郑浩然", "何思琪"]
ADDR_ZH = ["北京市朝阳区建国路88号SOHO现代城2号楼1503室", "上海市浦东新区世纪大道100号环球金融中心45楼",
           "广州市天河区天河路385号太古汇一座", "深圳市南山区科技园南区深南大道10000号",
           "杭州市西湖区文三路477号华星科技大厦", "成都市武侯区人民南路四段1号", "南京市鼓楼区中山路18号",
           "武汉市洪山区珞喻路1037号", "西安市雁塔区科技路48号创业广场B座", "厦门市思明区软件园二期望海路21号"]
ADDR_EN = ["221B Baker Street, London NW1 6XE", "1600 Amphitheatre Pkwy, Mountain View, CA 94043",
           "Flat 3, 12 O'Connell St., Dublin 1", "350 Fifth Avenue, Suite 3300, New York, NY 10118",
           "Unit 5 & 6, Harbour View Rd, Hong Kong", "742 Evergreen Terrace, Springfield"]
PRODUCTS = [("SKU-10023", "无线蓝牙耳机 Pro", 299.00), ("SKU-20411", "USB-C 充电器 65W", 129.00),
            ("SKU-30007", "Mechanical Keyboard (87 keys, brown switches)", 459.00),
            ("SKU-30112", "Drop-proof phone case - 6.1\"", 39.90), ("SKU-41000", "意式咖啡机 家用 15Bar", 1299.00),
            ("SKU-52210", "Kids' picture book set (3-6 yrs)", 88.00), ("SKU-60001", "Select Plan: Pro (annual)", 999.00),
            ("SKU-70450", "Table tennis paddle & 3 balls", 159.00), ("SKU-80002", "27\" 4K monitor, IPS", 2199.00),
            ("SKU-90331", "运动跑鞋 男款 42码", 399.00), ("SKU-11110", "Cat food 2kg (salmon & rice)", 76.50),
            ("SKU-12120", "O'Reilly: Learning SQL, 3rd Edition", 128.00)]
SEARCH_EN = ["select a plan", "union of workers", "drop table tennis", "O'Reilly", "1=1 in math",
             "how to select the best laptop", "union square hotels", "insert coin arcade machine",
             "delete my account", "update iphone 15", "where is my order", "javascript tutorial for beginners",
             "script writing course", "alert icon svg", "table tennis drop shot", "select committee report 2023",
             "cat food", "ping pong table", "rock & roll", "tom & jerry", "50% off shoes", "size < 10",
             "user's guide", "don't stop me now", "what's new in python 3.12", "\"exact phrase\" search",
             "c++ vs c#", "1+1=2 proof", "sum formula excel", "if then else", "echo dot 5th gen",
             "sleep number bed", "benchmark laptops 2024", "from russia with love", "order by date",
             "drop shipping business", "or else", "and/or usage", "admin assistant jobs", "null and void",
             "exec chair", "char siu recipe", "waitfor it", "union jack flag", "select all", "The Who - Who Are You",
             "children's shoes", "women's coats", "McDonald's near me", "Rock 'n' roll", "1/2 inch drill bit",
             "3' x 5' rug", "5'11\" height", "AT&T plans", "Q&A", "pros/cons", "R&D tax credit",
             "email@example.com", "+86 138 0013 8000", "#hashtag", "~/.bashrc", "self-care ideas"]
SEARCH_ZH = ["手机", "笔记本电脑 轻薄", "退货流程", "如何修改密码", "发票怎么开", "双十一优惠券", "儿童绘本 3-6岁",
             "咖啡机 意式 家用", "运费险", "上海到北京 高铁", "蓝牙耳机 降噪", "乒乓球拍", "选择套餐", "联合办公",
             "数据库 入门 教程", "删除订单", "更新 地址", "会员 积分 兑换", "“双引号”测试", "苹果 15 Pro Max 256G",
             "宝宝 奶粉 1段", "冬季 羽绒服 女", "周杰伦 演唱会", "Python 爬虫", "考研 英语 真题"]
COMMENTS = ["Great product, would buy again!", "It's OK; battery life could be better (about 6 hrs).",
            "Don't buy -- it broke after 2 days :(", "5/5 — fast shipping & well packed",
            "物流很快，包装完好，好评！", "颜色和图片有点色差，不过可以接受。", "Size runs small; order one size up.",
            "Works with Windows 10/11 & macOS. Tested on Ubuntu 22.04 too.", "Price was $49.99 -> now $39.99?!",
            "My son (7 y/o) loves it. 10/10", "Can I return it if the box is opened? Thanks.",
            "客服态度很好，耐心解答了我的问题。", "Quality < expectations, but for the price it's fine.",
            "Delivered to the wrong address... resolved by support within 1 hour though.",
            "Used it for 3 months: still works. Pros: light, quiet. Cons: cable is short.",
            "Is it compatible with the 2019 model? The manual says \"all models\" but I'm not sure.",
            "第二次购买了，一如既往的好。", "Not bad. I'd give it 4 stars; the app is a bit slow.",
            "Bought this for my mother-in-law's birthday — she was thrilled!", "Select the 'large' option, it fits better.",
            "Tip: hold the power button for 10s to reset it.", "Arrived on 11/11, right on time for the sale.",
            "The select menu on the checkout page was confusing; otherwise smooth.",
            "Ordered 2, got 1. Support sent the other one the next day, cheers!", "还不错，就是快递有点慢（5天）。"]
DOMAINS = ["www.example.com", "github.com", "docs.python.org", "www.bilibili.com", "zh.wikipedia.org",
           "news.ycombinator.com", "www.zhihu.com", "developer.mozilla.org", "www.gov.cn", "mp.weixin.qq.com"]
BOTS = ["Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "Mozilla/5.0 (compatible; Baiduspider/2.0; +http://www.baidu.com/search/spider.html)",
        "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
        "Sogou web spider/4.0(+http://www.sogou.com/docs/help/webmasters.htm#07)",
        "curl/7.88.1", "python-requests/2.31.0", "Go-http-client/2.0", "okhttp/4.12.0",
        "PostmanRuntime/7.37.3", "Wget/1.21.3", "axios/1.6.8", "Apache-HttpClient/4.5.14 (Java/17.0.10)",
        "Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)",
        "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
        "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)", "UptimeRobot/2.0; http://www.uptimerobot.com/"]


def pick(seq):
    return rng.choice(seq)


def b64url(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def token(n=32):
    return "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(n))


def jwt():
    hdr = b64url(json.dumps({"alg": "RS256", "typ": "JWT", "kid": token(8)}).encode())
    body = b64url(json.dumps({"sub": str(rng.randint(1000, 99999)), "name": pick(NAMES_EN + NAMES_ZH),
                              "iat": 1732400000 + rng.randint(0, 99999), "exp": 1732500000,
                              "scope": "openid profile orders:read"}, ensure_ascii=False).encode())
    return hdr + "." + body + "." + b64url(bytes(rng.getrandbits(8) for _ in range(64)))


def cookie():
    parts = ["sessionid=" + token(32), "csrftoken=" + token(40),
             "_ga=GA1.2.%d.%d" % (rng.randint(10**8, 10**9), 1732000000 + rng.randint(0, 99999))]
    extra = [("locale", pick(["zh-CN", "en-US", "zh-TW"])), ("theme", pick(["dark", "light"])),
             ("cart", enc(json.dumps({"items": rng.randint(1, 9), "cur": "CNY"}))),
             ("Hm_lvt_" + token(32), str(1732000000 + rng.randint(0, 9999))),
             ("recent", enc("SKU-10023,SKU-30007")), ("tz", enc("Asia/Shanghai")),
             ("access_token", jwt()), ("consent", "analytics%3Dno%26ads%3Dno")]
    for k, v in rng.sample(extra, rng.randint(0, 3)):
        parts.append(k + "=" + v)
    return "; ".join(parts)


def browser(**kw):
    extra = dict(kw.pop("extra", None) or {})
    if rng.random() < 0.7:
        extra.setdefault("Cookie", cookie())
    if rng.random() < 0.5:
        extra.setdefault("Referer", "https://%s/%s" % (pick(HOSTS), pick(["", "products", "search?q=phone",
                                                                         "blog/2024/03/hello-world.html"])))
    kw.setdefault("ua", rng.randrange(len(UAS)))
    kw.setdefault("host", pick(HOSTS))
    kw["extra"] = extra
    return kw


# ------------------------------------------------------------------ browse
def browse():
    out = []
    pages = ["/", "/index.html", "/products", "/products/SKU-10023", "/category/electronics", "/about-us",
             "/help/faq", "/blog/2024/03/hello-world.html", "/docs/v2.1.0/install.html", "/users/john.doe/profile",
             "/static/js/main.4f3c2a1b.chunk.js", "/static/css/app.min.css", "/images/products/sku-10023.large.jpg",
             "/fonts/NotoSansSC-Regular.woff2", "/favicon.ico", "/robots.txt", "/sitemap.xml",
             "/.well-known/security.txt", "/.well-known/openid-configuration",
             "/.well-known/acme-challenge/Xk3l9_aZqW7vB0nT5yR2uE8oP1sD4fG6hJ", "/files/Q3.report.final.v2.pdf",
             "/api/v1/packages/lodash@4.17.21", "/~alice/index.html", "/zh-cn/news/2024/11/双十一活动说明",
             "/wiki/C%2B%2B", "/wiki/Select_(SQL)", "/wiki/Union_(set_theory)", "/tags/drop-table-tennis",
             "/download/app-release-3.2.1.apk", "/docs/api/v1.2/errors", "/s/文档/使用手册.pdf",
             "/article/why-1%3D1-is-true", "/p/OReilly-Media", "/order/confirm", "/cart", "/checkout/success",
             "/user/settings/security", "/search", "/live/room/88123", "/video/BV1xx411c7mD",
             "/assets/vendor/jquery-3.7.1.min.js", "/assets/img/banner@2x.png", "/manifest.webmanifest",
             "/service-worker.js", "/en/docs/getting-started/", "/zh/docs/快速开始/"]
    queries = ["", "", "", "page=2", "page=3&size=20", "sort=price_asc", "sort=-created_at&page=1",
               "utm_source=wechat&utm_medium=social&utm_campaign=1111_sale", "ref=homepage_banner",
               "lang=zh-CN", "v=3.2.1", "from=timeline&isappinstalled=0", "spm=a21bo.jianhua.201862.1",
               "color=%E7%BA%A2%E8%89%B2&size=XL", "q=%E6%89%8B%E6%9C%BA&page=1", "t=1732412345678",
               "filter%5Bbrand%5D=acme&filter%5Bprice%5D%5Bmax%5D=500", "ids=1,2,3,4", "tab=reviews",
               "callback=jQuery3710123456789_1732412345678&_=1732412345679", "share_token=" + token(24),
               "redirect_uri=" + enc("https://app.example.com/oauth/callback") + "&state=" + token(16),
               "next=%2Faccount%2Forders%3Fstatus%3Dshipped", "return_to=https%3A%2F%2Fshop.example.com%2Fcart",
               "url=" + enc("https://www.bilibili.com/video/BV1GJ411x7h7"), "email=li.lei%40example.cn",
               "date_from=2024-01-01&date_to=2024-12-31", "lat=31.2304&lng=121.4737&radius=5km",
               "debug=false", "format=json&fields=id,name,price", "q=" + enc("O'Reilly"),
               "q=" + enc("select a plan"), "path=" + enc("docs/guide/intro.md"), "file=" + enc("report-2024.pdf")]
    for i in range(230):
        path = pick(pages)
        q = pick(queries)
        method = "GET"
        if i % 23 == 5:
            method = "HEAD"
        kw = browser()
        if i % 9 == 0:
            kw = {"ua": pick(BOTS), "host": pick(HOSTS), "accept": "*/*"}
        r = get(enc(path, safe="/@~.%+"), q, **kw)
        r["method"] = method
        if i % 11 == 3:
            r["headers"]["Authorization"] = "Bearer " + jwt()
        if i % 13 == 7:
            r["headers"]["If-None-Match"] = '"%s"' % token(16)
            r["headers"]["If-Modified-Since"] = "Sat, 23 Nov 2024 08:00:00 GMT"
        if i % 17 == 2:
            r["headers"]["X-Forwarded-For"] = "203.0.113.%d, 10.0.%d.%d" % (rng.randint(1, 254), rng.randint(0, 9),
                                                                              rng.randint(1, 254))
        out.append(r)
    for i in range(20):
        h = headers(host="api.example.com", ua=rng.randrange(len(UAS)),
                    extra={"Origin": "https://%s" % pick(HOSTS), "Access-Control-Request-Method":
                           pick(["POST", "PUT", "DELETE", "PATCH"]),
                           "Access-Control-Request-Headers": "content-type,authorization,x-request-id"})
        out.append(req("OPTIONS", "/api/v1/%s" % pick(["orders", "users/me", "cart/items", "graphql"]), "", h))
    return out


# ------------------------------------------------------------------- forms
def password():
    return pick(["Tr0ub4dor&3", "correct horse battery staple", "Zx!9#kLm$2pQ", "P@ssw0rd-2024!",
                 "我的密码Abc123", "s3cr3t;pass|word", "hunter2hunter2", "Mx7*fR2^wQ9(", "1qaz@WSX3edc",
                 "Summer2024!!", "o'neill-1987", "a+b=c? yes!"])


def forms():
    out = []
    for i in range(60):
        user = pick(["li.lei", "hanmeimei", "bob.obrien", "alice@example.com", "13800138000", "tim_oreilly",
                     "张伟", "dana-sj", "grace.lee+shop@example.com", "o'brien"])
        body = qs([("username", user), ("password", password()), ("remember", pick(["on", "0"])),
                   ("csrf_token", token(40))]).replace("%20", "+")
        out.append(post_form(pick(["/login", "/account/login", "/user/signin", "/wp-login.php"]), body,
                             **browser()))
    for i in range(40):
        name = pick(NAMES_EN + NAMES_ZH)
        body = qs([("name", name), ("email", "user%d@example.%s" % (i, pick(["com", "cn", "org"]))),
                   ("phone", "+86 1%02d %04d %04d" % (rng.randint(30, 99), rng.randint(0, 9999),
                                                      rng.randint(0, 9999))),
                   ("password", password()), ("password2", password()), ("agree", "1"),
                   ("invite_code", pick(["", "SPRING24", "VIP-8808"]))])
        out.append(post_form("/register", body, **browser()))
    searches = SEARCH_EN + SEARCH_ZH
    for i, s in enumerate(searches * 3):
        if i >= len(searches) and rng.random() < 0.4:
            continue
        pairs = [("q", s)]
        if i % 3 == 1:
            pairs.append(("page", str(rng.randint(1, 9))))
        if i % 4 == 2:
            pairs.append(("category", pick(["all", "books", "electronics", "数码"])))
        if i % 2:
            out.append(get(pick(["/search", "/s", "/api/search", "/products/search"]), qs(pairs), **browser()))
        else:
            body = "&".join(form_enc(k) + "=" + form_enc(v) for k, v in pairs)
            out.append(post_form("/search", body, **browser()))
    for i in range(60):
        msg = " ".join(rng.sample(COMMENTS, rng.randint(1, 3)))
        body = "&".join(form_enc(k) + "=" + form_enc(v) for k, v in [
            ("name", pick(NAMES_EN + NAMES_ZH)), ("email", "reader%d@example.com" % i),
            ("subject", pick(["Order question", "Refund", "关于发票", "Partnership", "Bug report: select box",
                              "Where's my parcel?", "Feedback (positive!)"])),
            ("message", msg), ("order_no", "E%d" % rng.randint(10**9, 10**10))])
        out.append(post_form(pick(["/contact", "/support/ticket", "/feedback"]), body, **browser()))
    for i in range(50):
        zh = rng.random() < 0.6
        body = "&".join(form_enc(k) + "=" + form_enc(v) for k, v in [
            ("recipient", pick(NAMES_ZH if zh else NAMES_EN)), ("address", pick(ADDR_ZH if zh else ADDR_EN)),
            ("zip", str(rng.randint(100000, 999999))), ("phone", "1%d" % rng.randint(3 * 10**9, 9 * 10**9)),
            ("note", pick(["", "请放快递柜", "Leave at the door; ring twice.", "工作日送货", "Call before delivery (after 6pm)",
                           "No. 5 building, unit 2, room 301"])), ("default", pick(["true", "false"]))])
        out.append(post_form("/account/addresses", body, **browser()))
    for i in range(55):
        body = "&".join(form_enc(k) + "=" + form_enc(v) for k, v in [
            ("post_id", str(rng.randint(1, 5000))), ("rating", str(rng.randint(1, 5))),
            ("comment", pick(COMMENTS)), ("anonymous", pick(["0", "1"]))])
        out.append(post_form(pick(["/reviews/new", "/comment/add", "/posts/%d/comments" % rng.randint(1, 900)]),
                             body, **browser()))
    for i in range(25):
        body = qs([("email", "news%d@example.com" % i), ("lists[]", "weekly"), ("lists[]", pick(["deals", "blog"])),
                   ("source", "footer")])
        out.append(post_form("/newsletter/subscribe", body, **browser()))
    return out


# --------------------------------------------------------------------- api
def api_headers():
    return {"Authorization": "Bearer " + jwt(), "X-Request-Id": token(8) + "-" + token(4) + "-" + token(12),
            "Origin": "https://" + pick(HOSTS)}


def order():
    items = []
    for _ in range(rng.randint(1, 4)):
        sku, name, price = pick(PRODUCTS)
        items.append({"sku": sku, "name": name, "qty": rng.randint(1, 3), "unit_price": price})
    zh = rng.random() < 0.6
    return {"items": items,
            "shipping": {"name": pick(NAMES_ZH if zh else NAMES_EN), "address": pick(ADDR_ZH if zh else ADDR_EN),
                         "phone": "1%d" % rng.randint(3 * 10**9, 9 * 10**9)},
            "coupon": pick([None, "SAVE10", "双十一满减", "WELCOME-2024"]),
            "remark": pick(["", "请尽快发货，谢谢！", "Gift wrap please :)", "Don't ring the bell - baby sleeping",
                            "发票抬头：厦门某某科技有限公司；税号 91350200MA2XXXXX1Q", "Deliver between 9am & 5pm"]),
            "payment": pick(["alipay", "wechat_pay", "card", "union_pay"]), "client_ts": 1732400000000 + rng.randint(0, 10**7)}


GRAPHQL = [
    ("query GetOrder($id: ID!) { order(id: $id) { id status total items { sku name qty } } }", {"id": "ord_%d"}),
    ("query Search($q: String!, $first: Int) { products(query: $q, first: $first) { edges { node { id title price } } "
     "pageInfo { hasNextPage endCursor } } }", {"q": "select a plan", "first": 20}),
    ("mutation AddToCart($sku: String!, $qty: Int!) { addToCart(sku: $sku, qty: $qty) { cart { id count } errors "
     "{ field message } } }", {"sku": "SKU-10023", "qty": 2}),
    ("mutation UpdateProfile($input: ProfileInput!) { updateProfile(input: $input) { user { id displayName bio } } }",
     {"input": {"displayName": "Tim O'Reilly", "bio": "Union organiser; table-tennis fan."}}),
    ("query Viewer { viewer { login name avatarUrl(size: 64) repositories(first: 5, orderBy: {field: UPDATED_AT, "
     "direction: DESC}) { nodes { name } } } }", {}),
    ("{ __typename }", {}),
    ("query Feed($after: String) { feed(after: $after) { ... on Post { id title } ... on Ad { id url } } }",
     {"after": "YXJyYXljb25uZWN0aW9uOjQ5"}),
]


def api():
    out = []
    for i in range(90):
        out.append(send_json("POST", "/api/v1/orders", order(), host="api.example.com",
                             ua=rng.randrange(len(UAS)), extra=api_headers()))
    for i in range(40):
        out.append(get("/api/v1/orders", qs([("page", str(rng.randint(1, 20))), ("size", "20"),
                                              ("status", pick(["paid", "shipped", "refunded", "all"])),
                                              ("sort", pick(["created_at", "-total", "updated_at"]))]),
                       host="api.example.com", accept="application/json", extra=api_headers()))
    for i in range(50):
        zh = rng.random() < 0.5
        prof = {"display_name": pick(NAMES_ZH if zh else NAMES_EN),
                "bio": pick(["热爱生活，喜欢摄影和旅行。", "Backend dev @ a fintech. Opinions are my own.",
                             "I select my words carefully; union rep since 2019.", "爱好：乒乓球、围棋、读书",
                             "Father of two, coffee > tea, drop me a line!", "“Stay hungry, stay foolish.”",
                             "Runner (5k in 22'30\"), amateur chef.", "前端工程师 | Vue & React | 杭州"]),
                "website": "https://" + pick(DOMAINS) + "/" + pick(["", "u/" + token(6), "about"]),
                "birthday": "19%02d-%02d-%02d" % (rng.randint(60, 99), rng.randint(1, 12), rng.randint(1, 28)),
                "gender": pick(["male", "female", "unspecified"]), "locale": pick(["zh-CN", "en-US"]),
                "notify": {"email": rng.random() < 0.5, "sms": rng.random() < 0.5}}
        out.append(send_json(pick(["PUT", "PATCH"]), "/api/v1/users/me", prof, host="api.example.com",
                             ua=rng.randrange(len(UAS)), extra=api_headers()))
    for i in range(40):
        sku, name, price = pick(PRODUCTS)
        out.append(send_json("POST", "/api/v1/cart/items", {"sku": sku, "qty": rng.randint(1, 5),
                                                            "options": {"color": pick(["黑色", "white", "navy blue"])}},
                             host="api.example.com", extra=api_headers()))
    for i in range(35):
        q, v = pick(GRAPHQL)
        v = json.loads(json.dumps(v).replace("%d", str(rng.randint(1000, 9999))))
        out.append(send_json("POST", "/graphql", {"operationName": None, "query": q, "variables": v},
                             host="api.example.com", extra=api_headers()))
    for i in range(30):
        url = "https://" + pick(DOMAINS) + "/" + pick(["", "article/2024/11/some-post.html", "watch?v=" + token(11),
                                                      "owner/repo/pull/" + str(rng.randint(1, 999))])
        body = pick([{"url": url}, {"name": "deploy-notify", "url": "https://hooks.slack.com/services/T0%s/B0%s/%s"
                                    % (token(8).upper(), token(8).upper(), token(24)), "events": ["order.paid"]},
                     {"callback_url": "https://oapi.dingtalk.com/robot/send?access_token=" + token(64)}])
        out.append(send_json("POST", pick(["/api/v1/link-preview", "/api/v1/webhooks"]), body,
                             host="api.example.com", extra=api_headers()))
    for i in range(30):
        blob = bytes(rng.getrandbits(8) for _ in range(rng.randint(48, 600)))
        body = pick([{"avatar": "data:image/png;base64," + base64.b64encode(blob).decode()},
                     {"signature": base64.b64encode(blob).decode(), "alg": "ed25519", "key_id": token(10)},
                     {"attachment": {"name": "scan.jpg", "content_base64": base64.b64encode(blob).decode()}}])
        out.append(send_json("POST", pick(["/api/v1/users/me/avatar", "/api/v1/documents/sign",
                                           "/api/v1/tickets/%d/attachments" % rng.randint(1, 999)]), body,
                             host="api.example.com", extra=api_headers()))
    for i in range(25):
        out.append(send_json("POST", "/api/v1/payments/notify",
                             {"out_trade_no": "T%d" % rng.randint(10**11, 10**12), "trade_status": "TRADE_SUCCESS",
                              "total_amount": "%.2f" % (rng.randint(100, 99999) / 100.0), "buyer_logon_id": "138****8000",
                              "gmt_payment": "2024-11-11 00:00:%02d" % rng.randint(0, 59), "sign_type": "RSA2",
                              "sign": base64.b64encode(bytes(rng.getrandbits(8) for _ in range(256))).decode()},
                             host="api.example.com", ua="Mozilla/4.0", accept="*/*"))
    for i in range(20):
        r = req("DELETE", "/api/v1/cart/items/%s" % pick(PRODUCTS)[0], "", headers(host="api.example.com",
                                                                                   extra=api_headers(),
                                                                                   accept="application/json"))
        out.append(r)
    for i in range(20):
        out.append(send_json("POST", "/api/v1/events", {"events": [
            {"type": pick(["page_view", "click", "add_to_cart"]), "ts": 1732400000000 + rng.randint(0, 10**6),
             "props": {"path": pick(["/", "/cart", "/products/SKU-30007"]), "ref": pick(["", "https://www.baidu.com/"]),
                       "screen": "1920x1080", "label": pick(["Select plan", "Drop-down: size", "Union Pay"])}}
            for _ in range(rng.randint(1, 5))]}, host="api.example.com", extra=api_headers()))
    return out


# ----------------------------------------------------------------- content
PARAS_EN = ["We shipped version 2.4 this week. The biggest change is the new <b>select a plan</b> page, "
            "which replaces the old drop-down with cards.",
            "Thanks to everyone who joined the meetup in Union Square &mdash; slides are <a href=\"https://www.example.com/"
            "slides/2024-meetup.pdf\">here</a>.",
            "Our table tennis club (yes, the one that keeps trying to <i>drop</i> the 7am slot) now meets on Fridays.",
            "If you're coming from O'Reilly's book, chapter 3 maps directly to our tutorial.",
            "Prices start at &yen;99/month; annual plans save 20&#37;.",
            "<img src=\"https://cdn.example.com/blog/2024/11/team.jpg\" alt=\"Our team at the offsite\" width=\"640\" "
            "height=\"360\" loading=\"lazy\">",
            "Read the full changelog on <a href=\"https://github.com/example/app/releases/tag/v2.4.0\" target=\"_blank\" "
            "rel=\"noopener noreferrer\">GitHub</a>.",
            "<span style=\"color: #e03e2d; font-weight: bold;\">Note:</span> the old API will be removed on 2025-01-01."]
PARAS_ZH = ["本周我们发布了 2.4 版本，最大的变化是全新的<strong>套餐选择</strong>页面。",
            "感谢大家参加上周六在杭州举办的开发者沙龙，现场照片如下：<img src=\"https://cdn.example.cn/2024/11/salon.png\" "
            "alt=\"沙龙现场\">", "双十一期间，所有订单满 300 减 40，详情见<a href=\"https://www.example.cn/1111\">活动页</a>。",
            "如有疑问，请联系客服邮箱 support@example.cn 或拨打 400-800-8888。",
            "<em>温馨提示</em>：退换货请在签收后 7 天内申请。"]
SNIPPETS = [
    ("python", "import requests\n\nresp = requests.get('https://api.example.com/v1/orders', params={'page': 2})\n"
               "resp.raise_for_status()\nfor o in resp.json()['items']:\n    print(o['id'], o['total'])"),
    ("javascript", "const res = await fetch(`/api/items?page=${page}`);\nif (!res.ok) throw new Error(res.statusText);\n"
                   "document.querySelector('#list').textContent = (await res.json()).length;"),
    ("text", "Traceback (most recent call last):\n  File \"/app/main.py\", line 42, in <module>\n    main()\n"
             "  File \"/app/main.py\", line 17, in main\n    uid = session['user_id']\nKeyError: 'user_id'"),
    ("go", "func (s *Server) handle(w http.ResponseWriter, r *http.Request) {\n\tif r.Method != http.MethodPost {\n"
           "\t\thttp.Error(w, \"method not allowed\", 405)\n\t\treturn\n\t}\n}"),
    ("bash", "$ git log --oneline | head -n 5\n$ npm ci && npm run build\n$ docker compose up -d web"),
    ("sql", "SELECT o.id, o.total FROM orders o JOIN users u ON u.id = o.user_id WHERE u.email = ?;\n"
            "-- this takes 2.3 s on 1M rows; is an index on users.email enough?"),
    ("yaml", "image:\n  repository: {{ .Values.image.repository }}\n  tag: {{ .Chart.AppVersion }}\nreplicas: 3"),
    ("html", "<div v-if=\"user\">Hello, {{ user.name }}!</div>\n<button @click=\"logout\">Log out</button>"),
    ("c", "#include <stdio.h>\n\nint main(void)\n{\n\tprintf(\"%d\\n\", 1 + 1);\n\treturn 0;\n}"),
    ("json", "{\n  \"compilerOptions\": { \"strict\": true, \"target\": \"ES2022\" },\n  \"include\": [\"src/**/*\"]\n}"),
    ("java", "List<String> names = users.stream()\n    .filter(u -> u.isActive())\n    .map(User::getName)\n"
             "    .collect(Collectors.toList());"),
    ("nginx", "location /api/ {\n    proxy_pass http://backend;\n    proxy_set_header Host $host;\n}"),
]


def html_post():
    paras = rng.sample(PARAS_EN + PARAS_ZH, rng.randint(2, 5))
    body = "<h2>%s</h2>" % pick(["Release notes: v2.4", "双十一活动说明", "Meetup recap", "How we select a plan",
                                 "团队周报 第 47 周"])
    for p in paras:
        body += p if p.startswith("<img") else "<p>%s</p>" % p
    if rng.random() < 0.4:
        body += "<ul><li>Faster checkout</li><li>新的支付方式：数字人民币</li><li>Dark mode</li></ul>"
    if rng.random() < 0.3:
        body += "<blockquote><p>&ldquo;Simple things should be simple.&rdquo;</p></blockquote>"
    if rng.random() < 0.25:
        lang, code = pick(SNIPPETS[:5] + SNIPPETS[8:])
        body += "<pre><code class=\"language-%s\">%s</code></pre>" % (lang, code.replace("&", "&amp;").replace(
            "<", "&lt;").replace(">", "&gt;"))
    if rng.random() < 0.2:
        body += ("<table><thead><tr><th>Plan</th><th>Price</th></tr></thead><tbody><tr><td>Basic</td><td>&yen;99"
                 "</td></tr><tr><td>Pro</td><td>&yen;299</td></tr></tbody></table>")
    if rng.random() < 0.08:
        body += ("<p><iframe src=\"https://player.bilibili.com/player.html?bvid=BV1GJ411x7h7&page=1\" "
                 "width=\"640\" height=\"360\" frameborder=\"0\" allowfullscreen></iframe></p>")
    return body


def markdown_post():
    lines = ["# " + pick(["Weekly notes", "如何选择合适的套餐", "Drop table tennis from the schedule?",
                          "Union of two sorted lists", "Release 3.0 checklist"]), ""]
    lines.append(pick(["Some **bold** text and a [link](https://docs.python.org/3/library/json.html).",
                       "参考 [官方文档](https://www.example.cn/docs) 的 *安装* 一节。",
                       "See ![diagram](https://cdn.example.com/img/arch-v2.png \"architecture\") for the flow.",
                       "> Quote: \"select * is fine for prototypes\" - someone on HN",
                       "- [x] update deps\n- [ ] write changelog\n- [ ] tag v3.0.0"]))
    if rng.random() < 0.6:
        lang, code = pick(SNIPPETS)
        lines += ["", "```" + lang, code, "```"]
    lines += ["", pick(["Thanks!", "谢谢！", "cc @li.lei @grace", "Closes #%d" % rng.randint(1, 999), "/label ~bug"])]
    return "\n".join(lines)


def content():
    out = []
    for i in range(70):
        out.append(send_json(pick(["POST", "PUT"]), "/api/v1/posts" + pick(["", "/%d" % rng.randint(1, 999)]),
                             {"title": pick(["Release notes", "双十一活动说明", "Meetup recap", "团队周报"]),
                              "content_html": html_post(), "tags": rng.sample(["news", "产品", "dev", "events"], 2),
                              "status": pick(["draft", "published"])}, host="blog.example.org",
                             extra=api_headers()))
    for i in range(40):
        body = "&".join(form_enc(k) + "=" + form_enc(v) for k, v in [
            ("title", pick(["Hello world", "我的第一篇文章", "Notes on SQL joins"])), ("content", html_post()),
            ("_wpnonce", token(10)), ("action", "editpost"), ("post_ID", str(rng.randint(1, 9999)))])
        out.append(post_form("/wp-admin/post.php", body, **browser(host="blog.example.org")))
    for i in range(70):
        obj = {"title": pick(["Checkout page 500 on Safari", "登录后跳转错误", "Slow query on orders list",
                              "Helm chart: image tag not applied", "Vue template shows raw braces",
                              "Docs: typo in install guide", "Feature: union of two filters"]),
               "description": markdown_post(), "labels": rng.sample(["bug", "docs", "perf", "frontend"], 2)}
        out.append(send_json("POST", "/api/v4/projects/%d/issues" % rng.randint(1, 300), obj,
                             host="portal.example.com.cn", extra=api_headers()))
    for i in range(30):
        out.append(send_json("POST", "/api/v1/comments", {"post_id": rng.randint(1, 9999),
                                                          "body_md": markdown_post() if i % 2 else pick(COMMENTS),
                                                          "reply_to": pick([None, rng.randint(1, 9999)])},
                             host="blog.example.org", extra=api_headers()))
    return out


# ----------------------------------------------------------------- uploads
def fake_binary(magic, n):
    """Bytes 1..255 as latin-1 characters after a real magic number (no NUL: see reqlib)."""
    return magic + "".join(chr(rng.randint(1, 255)) for _ in range(n))


def pdf():
    text = pick(["Invoice 2024-0012", "Quarterly report Q3", "Resume - Li Lei", "Contract draft v2"])
    stream = "BT /F1 24 Tf 72 720 Td (%s) Tj ET" % text
    return ("%%PDF-1.4\n%%\u00e2\u00e3\u00cf\u00d3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
            "2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n3 0 obj\n<< /Type /Page /Parent 2 0 R "
            "/MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>\nendobj\n"
            "4 0 obj\n<< /Length %d >>\nstream\n%s\nendstream\nendobj\n5 0 obj\n<< /Type /Font /Subtype /Type1 "
            "/BaseFont /Helvetica >>\nendobj\ntrailer\n<< /Root 1 0 R /Size 6 >>\n%%%%EOF\n" % (len(stream), stream))


def csv_file():
    rows = ["order_id,date,customer,city,amount,note"]
    for i in range(rng.randint(3, 20)):
        rows.append("%d,2024-%02d-%02d,%s,%s,%.2f,%s" % (
            10000 + i, rng.randint(1, 12), rng.randint(1, 28), pick(NAMES_ZH + ["\"O'Brien, Bob\""]),
            pick(["北京", "上海", "Shenzhen", "Hangzhou"]), rng.randint(100, 99999) / 100.0,
            pick(["", "select plan B", "drop-ship", "\"gift; wrap\"", "union pay", "退款中"])))
    return "\n".join(rows) + "\n"


def uploads():
    out = []
    for i in range(125):
        kind = i % 6
        fields = [("csrf_token", token(40))]
        if kind == 0:
            f = ("file", fake_binary("\u0089PNG\r\n\u001a\n", rng.randint(200, 900)), "IMG_%04d.png" % i, "image/png")
            fields.append(("album", pick(["旅行", "Family", "2024"])))
        elif kind == 1:
            f = ("photo", fake_binary("\u00ff\u00d8\u00ff\u00e0", rng.randint(200, 900)),
                 pick(["微信图片_20241111.jpg", "DSC_0042.JPG", "screenshot 2024-11-23 at 10.15.02.jpg",
                       "my.cat.photo.jpeg"]), "image/jpeg")
            fields.append(("caption", pick(COMMENTS)))
        elif kind == 2:
            f = ("document", pdf(), pick(["invoice-2024-0012.pdf", "简历_李雷.pdf", "Q3.report.final.v2.pdf"]),
                 "application/pdf")
        elif kind == 3:
            f = ("import", csv_file(), pick(["orders.csv", "订单导出_2024-11.csv", "customers (1).csv"]), "text/csv")
            fields.append(("has_header", "true"))
        elif kind == 4:
            f = ("attachment", pick(["Meeting notes 11/23:\n- select a plan for Q1\n- union with team B?\n"
                                     "- drop the Friday sync\n", "会议纪要：\n1. 确认双十一排期\n2. 更新首页横幅\n",
                                     "TODO: O'Reilly order #4411; ping Grace re: invoices\n"]),
                 pick(["notes.txt", "readme.md", "todo.txt"]), "text/plain")
            fields.append(("ticket_id", str(rng.randint(1, 9999))))
        else:
            f = ("config", json.dumps({"theme": "dark", "shortcuts": {"search": "Ctrl+K"}, "lang": "zh-CN",
                                       "homepage": "https://www.example.com/"}, indent=2),
                 "settings-export.json", "application/json")
        parts = fields + [f]
        rng.shuffle(parts)
        out.append(post_multipart(pick(["/upload", "/api/v1/files", "/account/avatar", "/tickets/attach",
                                        "/import"]), parts,
                                  boundary=pick(["----WebKitFormBoundary", "----geckoformboundary",
                                                 "---------------------------"]) + token(16),
                                  **browser()))
    return out


# -------------------------------------------------------------------- apps
# Batch 2, written after the engine had been tuned on the files above and
# measured on this one before it was committed (held-out false positives):
# mobile-app and mini-program API calls with signed queries, back-office
# report filters and log searches, XML payment notifications and SOAP,
# SAML responses, SVG logos, office documents, and developer-site searches.
APP_UAS = ["MyShop/5.2.1 (iPhone; iOS 17.4; Scale/3.00)", "okhttp/4.12.0",
           "Dalvik/2.1.0 (Linux; U; Android 13; V2219A Build/TP1A.220624.014)",
           "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
           "Mobile/15E148 MicroMessenger/8.0.49 NetType/4G Language/zh_CN miniProgram/wx1234567890abcdef",
           "Mozilla/5.0 (Windows NT 10.0; WOW64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/81.0.4044.138 "
           "Safari/537.36 NetType/WIFI MicroMessenger/7.0.20.1781(0x6700143B) WindowsWechat(0x63090a13) XWEB/9129 "
           "MiniProgramEnv/Windows WindowsWechat/WMPF"]
LOG_QUERIES = ["level:error AND service:checkout", "status:(paid OR shipped) AND amount:>100",
               "message:\"connection reset\" AND NOT host:web-03", "user.id:48213", "path:/api/v1/orders*",
               "response_time:[500 TO *]", "trace_id:4bf92f3577b34da6a3ce929d0e0e4736", "关键字：退款 AND 渠道：支付宝"]
DEV_SEARCHES = ["how to prevent sql injection in php", "xss cheat sheet owasp", "what does 1=1 mean in sql",
                "lodash.merge", "python requests timeout", "select distinct vs group by performance",
                "bash for loop over files", "union types typescript", "drop index mysql", "curl -X POST json example",
                "nginx location regex", "git rebase -i HEAD~3", "rm -rf node_modules", "php echo vs print",
                "/etc/hosts windows location", "docker exec -it bash", "eval in javascript why bad"]
SVG_LOGO = ('<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64" '
            'width="64" height="64"><title>logo</title><circle cx="32" cy="32" r="30" fill="#1e88e5"/>'
            '<path d="M20 34 L28 42 L44 24" stroke="#fff" stroke-width="5" fill="none"/></svg>\n')


def md5hex():
    return "%032x" % rng.getrandbits(128)


def wxpay_xml():
    return ("<xml><appid><![CDATA[wx2421b1c4370ec43b]]></appid><attach><![CDATA[支付测试]]></attach>"
            "<bank_type><![CDATA[CFT]]></bank_type><fee_type><![CDATA[CNY]]></fee_type><is_subscribe><![CDATA[Y]]>"
            "</is_subscribe><mch_id><![CDATA[10000100]]></mch_id><nonce_str><![CDATA[%s]]></nonce_str>"
            "<openid><![CDATA[oUpF8uMEb4qRXf22hE3X68TekukE]]></openid><out_trade_no><![CDATA[%d]]></out_trade_no>"
            "<result_code><![CDATA[SUCCESS]]></result_code><return_code><![CDATA[SUCCESS]]></return_code>"
            "<sign><![CDATA[%s]]></sign><time_end><![CDATA[20241111%06d]]></time_end><total_fee>%d</total_fee>"
            "<trade_type><![CDATA[JSAPI]]></trade_type><transaction_id><![CDATA[42000%d]]></transaction_id></xml>"
            % (token(16), rng.randint(10**9, 10**10), md5hex().upper(), rng.randint(0, 235959),
               rng.randint(1, 99999), rng.randint(10**14, 10**15)))


def saml_response():
    xml = ('<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="_%s" Version="2.0" '
           'IssueInstant="2024-11-23T08:00:00Z" Destination="https://portal.example.com.cn/sso/acs">'
           '<saml:Issuer xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion">https://idp.example.com</saml:Issuer>'
           '<samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>'
           '<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion"><saml:Subject><saml:NameID>'
           '%s@example.com</saml:NameID></saml:Subject></saml:Assertion></samlp:Response>'
           % (token(20), pick(["li.lei", "grace.lee", "tim"])))
    return base64.b64encode(xml.encode()).decode()


def apps():
    out = []
    for i in range(70):
        pairs = [("appkey", "2048" + str(rng.randint(10000, 99999))), ("timestamp", str(1732400000 + i * 37)),
                 ("nonce", token(12)), ("page", str(rng.randint(1, 5))),
                 ("keyword", pick(SEARCH_ZH + ["select a plan", "O'Reilly"]))]
        pairs.append(("sign", md5hex()))
        ua = pick(APP_UAS)
        extra = {"X-App-Version": pick(["5.2.1", "5.3.0-beta.2"]), "X-Device-Id": token(32).upper(),
                 "Authorization": "Bearer " + jwt()}
        if "miniProgram" in ua or "MiniProgramEnv" in ua:
            extra["Referer"] = "https://servicewechat.com/wx1234567890abcdef/%d/page-frame.html" % rng.randint(1, 99)
        if i % 2:
            out.append(get(pick(["/m/api/goods/search", "/m/api/feed", "/m/api/coupons"]), qs(pairs), ua=ua,
                           host="api.example.com", accept="application/json", extra=extra))
        else:
            out.append(send_json("POST", pick(["/m/api/cart/add", "/m/api/order/submit", "/m/api/track"]),
                                 {"sku": pick(PRODUCTS)[0], "qty": rng.randint(1, 3), "lat": 31.2 + rng.random(),
                                  "lng": 121.4 + rng.random(), "scene": rng.randint(1000, 1200),
                                  "remark": pick(["", "不要辣", "Extra napkins please", "放门口就行 😀"])},
                                 query=qs(pairs[:3] + [("sign", pairs[-1][1])]), ua=ua, host="api.example.com",
                                 extra=extra))
    for i in range(50):
        if i % 2:
            q = qs([("metric", pick(["gmv", "orders", "refund_rate"])),
                    ("group_by", pick(["region", "channel", "day", "sku,region"])),
                    ("from", "2024-%02d-01" % rng.randint(1, 11)), ("to", "2024-11-30"),
                    ("order", pick(["gmv desc", "day asc", "orders desc, gmv desc"]))])
            out.append(get("/admin/reports/summary", q, **browser(host="portal.example.com.cn")))
        else:
            out.append(send_json("POST", "/admin/api/logs/search",
                                 {"query": pick(LOG_QUERIES), "from": "now-15m", "size": 100,
                                  "sort": [{"@timestamp": "desc"}]}, host="portal.example.com.cn",
                                 extra=api_headers()))
    for i in range(30):
        body = wxpay_xml()
        h = headers(host="api.example.com", ua="Mozilla/4.0", accept="*/*",
                    extra={"Content-Type": "text/xml", "Content-Length": str(len(body.encode()))})
        out.append(req("POST", "/pay/wechat/notify", "", h, body))
    for i in range(20):
        body = ('<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/'
                'envelope/"><soap:Body><GetWeather xmlns="http://www.example.com/ws"><city>%s</city><days>%d</days>'
                '</GetWeather></soap:Body></soap:Envelope>' % (pick(["Beijing", "上海", "Xiamen", "O'Fallon"]),
                                                                 rng.randint(1, 7)))
        h = headers(host="api.example.com", ua="Apache-HttpClient/4.5.14 (Java/17.0.10)", accept="text/xml",
                    extra={"Content-Type": "text/xml; charset=utf-8", "SOAPAction": "\"GetWeather\"",
                           "Content-Length": str(len(body.encode()))})
        out.append(req("POST", "/ws/weather", "", h, body))
    for i in range(20):
        body = "SAMLResponse=" + form_enc(saml_response()) + "&RelayState=" + form_enc("/dashboard?tab=overview")
        out.append(post_form("/sso/acs", body, **browser(host="portal.example.com.cn")))
    for i in range(40):
        kind = i % 4
        if kind == 0:
            f = ("logo", SVG_LOGO, "logo.svg", "image/svg+xml")
        elif kind == 1:
            f = ("file", fake_binary("PK\u0003\u0004\u0014\u0006\u0008", rng.randint(300, 900)),
                 pick(["Q4 report (final) & summary.xlsx", "合同-v3.docx", "slides_2024.pptx"]),
                 "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        elif kind == 2:
            f = ("file", "name,regex,cron\nusername,^[a-z0-9_-]{3,16}$,*/5 * * * *\nphone,^1[3-9]\\d{9}$,0 2 * * 1\n",
                 "validators.csv", "text/csv")
        else:
            f = ("file", fake_binary("GIF89a", rng.randint(100, 500)), "loading.gif", "image/gif")
        out.append(post_multipart("/admin/assets", [("folder", pick(["brand", "docs", "ui"])), f],
                                  boundary="----WebKitFormBoundary" + token(16), **browser()))
    for i, s in enumerate(DEV_SEARCHES * 3):
        if i >= len(DEV_SEARCHES) and rng.random() < 0.5:
            continue
        out.append(get(pick(["/search", "/docs/search", "/q"]), qs([("q", s), ("lang", pick(["en", "zh"]))]),
                       **browser(host="blog.example.org")))
    return out


# -------------------------------------------------------------------- misc
# Batch 3, held out like benign_apps: code review diffs, webmail, sheets with
# formulas, translation files with placeholders, chat, geo polylines,
# calendar invites, search operators, tracking pixels.
DIFFS = [
    "diff --git a/app/views.py b/app/views.py\n--- a/app/views.py\n+++ b/app/views.py\n@@ -10,7 +10,7 @@ def index(request):\n"
    "-    items = Item.objects.all()\n+    items = Item.objects.filter(active=True).order_by('-created')\n"
    "     return render(request, 'index.html', {'items': items})\n",
    "diff --git a/templates/base.html b/templates/base.html\n--- a/templates/base.html\n+++ b/templates/base.html\n"
    "@@ -20,6 +20,7 @@\n   <footer>&copy; 2024 Example</footer>\n-  <script src=\"/static/js/app.js\"></script>\n"
    "+  <script src=\"/static/js/app.3f9a2c.js\" defer></script>\n </body>\n",
    "diff --git a/migrations/0042_note.sql b/migrations/0042_note.sql\nnew file mode 100644\n--- /dev/null\n"
    "+++ b/migrations/0042_note.sql\n@@ -0,0 +1,2 @@\n+ALTER TABLE orders ADD COLUMN note TEXT;\n"
    "+CREATE INDEX orders_user_idx ON orders (user_id);\n",
    "diff --git a/Makefile b/Makefile\n--- a/Makefile\n+++ b/Makefile\n@@ -3,4 +3,4 @@\n build:\n-\tgo build ./...\n"
    "+\tgo build -trimpath -o bin/app ./cmd/app\n",
]
TRANSLATIONS = {"greeting": "Hello, {{name}}!", "unread": "您有 {count} 条新消息", "cart.total": "合计：¥{amount}",
                "footer": "© {year} Example Inc. All rights reserved.", "confirm.delete": "Delete “{title}”? This can't be undone.",
                "plural": "{n, plural, one {# item} other {# items}}"}
CHAT = ["try `SELECT 1` in the console, should return 1", "I'll be there at 7 :)", "好的，明天见 👋",
        "link: https://docs.example.com/guide#install", "lol the build is red again 🙃", "can u send the .env.example?",
        "it's in /home/deploy/app/current, not /var/www", "price is 50% off today & tomorrow only",
        "ok -> merged, thx!", "@grace see line 42 of utils.js", "the query `where id in (1,2,3)` is fast enough"]
SEARCH_OPS = ["site:example.com filetype:pdf annual report", "\"union square\" -hotel", "intitle:\"release notes\" 2024",
              "python OR golang jobs shanghai", "cats AND dogs", "price:<100 brand:acme", "from:li.lei has:attachment",
              "after:2024/11/01 before:2024/11/30", "\"select\" keyword meaning"]


def ics():
    return ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Example Corp//Calendar 1.0//EN\r\nBEGIN:VEVENT\r\n"
            "UID:%s@example.com\r\nDTSTART:20241125T020000Z\r\nDTEND:20241125T030000Z\r\nSUMMARY:%s\r\n"
            "LOCATION:会议室 A / Zoom\r\nDESCRIPTION:Agenda: 1) review Q4 plan\\, 2) select vendor\\, 3) AOB\r\n"
            "END:VEVENT\r\nEND:VCALENDAR\r\n" % (token(16), pick(["Weekly sync", "周会", "1:1 Grace / Li Lei"])))


def misc():
    out = []
    for i in range(45):
        out.append(send_json("POST", "/api/v3/repos/acme/shop/pulls/%d/comments" % rng.randint(1, 900),
                             {"body": pick(["LGTM 👍", "Can we keep the old name for backwards compat?",
                                            "nit: use `const` here", "这里需要加个空值判断"]),
                              "diff_hunk": pick(DIFFS), "path": pick(["app/views.py", "templates/base.html",
                                                                      "migrations/0042_note.sql", "Makefile"]),
                              "line": rng.randint(1, 200)}, host="portal.example.com.cn", extra=api_headers()))
    for i in range(35):
        html = ('<div style="font-family:Arial,sans-serif;font-size:14px"><p>%s，</p><p>%s</p><table border="0" '
                'cellpadding="4"><tr><td><b>Order</b></td><td>E%d</td></tr><tr><td><b>Total</b></td><td>&yen;%d.00'
                '</td></tr></table><p><img src="cid:logo@example.com" width="120" alt="Example"></p><p>-- <br>%s</p>'
                '</div>' % (pick(["您好", "Hi Grace", "Dear customer"]), pick(COMMENTS), rng.randint(10**9, 10**10),
                            rng.randint(10, 9999), pick(NAMES_EN + NAMES_ZH)))
        body = "&".join(form_enc(k) + "=" + form_enc(v) for k, v in [
            ("to", "customer%d@example.com" % i), ("cc", ""), ("subject", pick(["Re: your order", "发货通知",
                                                                                  "Invoice attached"])),
            ("html_body", html), ("draft_id", token(12))])
        out.append(post_form("/mail/compose/send", body, **browser(host="portal.example.com.cn")))
    for i in range(30):
        cells = [{"ref": "A%d" % (r + 1), "value": pick(["Region", "华东", "North", "=SUM(B2:B10)",
                                                        "=IF(C2>100,\"high\",\"low\")", "=VLOOKUP(A2,Sheet2!A:B,2,FALSE)",
                                                        "=AVERAGE(D2:D31)", "12.5%", "O'Hare"])} for r in range(rng.randint(3, 9))]
        out.append(send_json("PATCH", "/api/v1/sheets/%s/cells" % token(10), {"cells": cells},
                             host="api.example.com", extra=api_headers()))
    for i in range(20):
        tr = dict(rng.sample(sorted(TRANSLATIONS.items()), rng.randint(2, 5)))
        out.append(post_multipart("/admin/i18n/upload", [("locale", pick(["zh-CN", "en-US"])),
                                                         ("file", json.dumps(tr, ensure_ascii=False, indent=2),
                                                          "messages.json", "application/json")],
                                  boundary="----WebKitFormBoundary" + token(16), **browser()))
    for i in range(45):
        out.append(send_json("POST", "/api/v1/chat/rooms/%d/messages" % rng.randint(1, 50),
                             {"text": pick(CHAT), "client_msg_id": token(24), "mentions": []},
                             host="api.example.com", extra=api_headers()))
    for i in range(15):
        poly = pick(["_p~iF~ps|U_ulLnnqC_mqNvxq`@", "u{~vFvyys@fS]", "}_qrEhx`kV?_@`@", "o}zpEu}ekVd@Wz@c@"])
        out.append(get("/maps/route", qs([("polyline", poly), ("mode", pick(["driving", "walking"])),
                                          ("lang", "zh-CN")]), **browser()))
    for i in range(15):
        out.append(post_multipart("/calendar/import", [("file", ics(), "invite.ics", "text/calendar")],
                                  boundary="----WebKitFormBoundary" + token(16), **browser()))
    for i, q in enumerate(SEARCH_OPS * 2):
        out.append(get("/search", qs([("q", q)]), **browser()))
    for i in range(25):
        ev = b64url(json.dumps({"e": pick(["view", "click"]), "p": pick(["/", "/cart", "/p/SKU-30007"]),
                                "t": 1732400000 + i, "u": token(8)}).encode())
        out.append(get("/px.gif", qs([("d", ev), ("v", "2"), ("r", "https://www.baidu.com/s?wd=" +
                                                             pick(["耳机", "select a plan"]))]),
                       ua=rng.randrange(len(UAS)), host=pick(HOSTS), accept="image/avif,image/webp,*/*"))
    for i in range(10):
        body = qs([("line1", "Apt #%d, %d Main St." % (rng.randint(1, 30), rng.randint(1, 999))),
                   ("line2", "c/o O'Connor & Sons"), ("city", "Springfield"), ("note", "Gate code: *1234#")])
        out.append(post_form("/account/addresses", body, **browser()))
    return out


# ------------------------------------------------------------------ batch 4
# benign_enterprise.jsonl, written in session 2 and measured before it was
# committed (docs/PERFORMANCE.md, "Held-out batch 4, session 2"): kinds of
# traffic the earlier files lack. Security-team tickets describe attacks in
# words (rule names, CVE numbers, escaped excerpts), never as a live payload:
# a payload quoted verbatim is labelled by what it is (README, label rules).
GOV_HOST = "zwfw.example.gov.cn"
GOV_ITEMS = ["住房公积金提取（租房）", "营业执照变更登记（经营范围）", "居民身份证换领", "社会保险参保登记",
             "不动产登记资料查询", "新生儿落户", "出入境通行证续签", "个体工商户注销", "失业保险金申领",
             "城乡居民医保缴费", "机动车驾驶证期满换证", "老年人优待证办理"]
GOV_REMARKS = ["材料已按要求提交（身份证正反面、户口本首页）。如有问题请联系本人。",
               "单位名称变更为“上海某某科技有限公司”，统一社会信用代码不变。",
               "本人在外地工作，申请邮寄送达；地址：见上栏 / 收件人：本人",
               "经营范围新增：软件开发；信息技术咨询服务；（依法须经批准的项目，经相关部门批准后方可开展经营活动）",
               "租房合同期限 2024-03-01 至 2025-02-28，月租金 3,500 元 & 物业费另计",
               "申请人 1 名，随迁子女 2 名（6 岁、9 岁）", "无", "请尽快办理，谢谢！<急>",
               "原证件遗失，已于 2024/10/12 登报声明作废（《新民晚报》第 A12 版）"]
GOV_SEARCH = ["公积金 提取 条件", "营业执照 变更 经营范围 需要什么材料", "社保 断缴 补缴", "身份证 异地 换领",
              "跨省通办 事项清单", "电子营业执照 下载", "\"一网通办\" 登录失败", "不动产 登记 查询 -抵押",
              "新生儿 落户 + 医保", "个税 APP 专项附加扣除 (子女教育)"]
ERP_HOST = "erp.example.com"
SKUS = ["MAT-000187", "MAT-004521", "FG-2024-0031", "PKG-CTN-60x40x40", "RAW-AL6061-T6", "SPR-O-RING-12x2"]
CARGO = ["锂电池（UN3481，PI967）", "服装 / 纺织品", "电子元器件 - 电容 100uF 25V", "精密仪器，易碎，请勿倒置",
         "食品（常温）", "Furniture parts, 3 cartons", "Steel pipe 1/2\" x 6 m", "化妆品 50ml*24"]
ODATA = ["Status eq 'Open' and Amount gt 1000", "startswith(CustomerName,'Acme') or CustomerName eq 'O''Neil & Co'",
         "OrderDate ge 2024-01-01T00:00:00Z and OrderDate lt 2024-02-01T00:00:00Z", "Plant eq '1010' and not Blocked",
         "contains(Description,'select')", "Warehouse in ('SH01','BJ02','GZ03')"]
EDI = ("ISA*00*          *00*          *ZZ*EXAMPLECORP    *ZZ*PARTNER01      *241124*0230*U*00401*000000905*0*P*>~"
       "GS*PO*EXAMPLECORP*PARTNER01*20241124*0230*905*X*004010~ST*850*0001~BEG*00*SA*PO-88121**20241124~"
       "PO1*1*24*EA*12.50**VP*MAT-004521~CTT*1~SE*5*0001~GE*1*905~IEA*1*000000905~")
SNIPPETS_DEV = [
    ("deploy.sh", "#!/usr/bin/env bash\nset -euo pipefail\nmake build && ./scripts/migrate.sh --env prod\n"
     "docker compose up -d --remove-orphans\n"),
    ("ci.yml", "stages: [test, deploy]\ntest:\n  image: python:3.12\n  script:\n    - pip install -r requirements.txt\n"
     "    - pytest -q || exit 1\ndeploy:\n  only: [main]\n  script:\n    - ./deploy.sh > deploy.log 2>&1\n"),
    ("Dockerfile", "FROM node:20-alpine\nWORKDIR /app\nCOPY package*.json ./\nRUN npm ci --omit=dev\nCOPY . .\n"
     "EXPOSE 3000\nCMD [\"node\", \"server.js\"]\n"),
    ("report.sql", "-- monthly GMV by region\nSELECT region, SUM(amount) AS gmv\nFROM orders\n"
     "WHERE created_at >= '2024-10-01' AND status <> 'cancelled'\nGROUP BY region\nORDER BY gmv DESC;\n"),
    ("util.py", "def chunks(xs, n):\n    \"\"\"Yield n-sized pieces of xs.\"\"\"\n    for i in range(0, len(xs), n):\n"
     "        yield xs[i:i + n]\n"),
    ("find_big.sh", "find . -type f -size +100M -print0 | xargs -0 ls -lh | sort -k5 -h | tail -n 20\n"),
    ("nginx.conf", "location /api/ {\n    proxy_pass http://backend;\n    proxy_set_header Host $host;\n"
     "    proxy_set_header X-Real-IP $remote_addr;\n}\n"),
    ("main.go", "func main() {\n\tif err := run(os.Args[1:]); err != nil {\n\t\tfmt.Fprintln(os.Stderr, err)\n"
     "\t\tos.Exit(1)\n\t}\n}\n"),
    ("query.promql", "sum by (service) (rate(http_requests_total{status=~\"5..\"}[5m])) / "
     "sum by (service) (rate(http_requests_total[5m])) > 0.01\n"),
    ("k8s.yaml", "apiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: nightly-report\nspec:\n  schedule: \"0 2 * * *\"\n"
     "  jobTemplate:\n    spec:\n      template:\n        spec:\n          containers:\n          - name: report\n"
     "            image: registry.example.com/report:1.4\n            args: [\"--since\", \"24h\"]\n"
     "          restartPolicy: OnFailure\n"),
]
PROMQL = ["rate(http_requests_total{job=\"api\",status=~\"5..\"}[5m])", "histogram_quantile(0.99, sum(rate("
          "http_request_duration_seconds_bucket[5m])) by (le))", "up{instance=~\"10.0.0.*\"} == 0",
          "node_filesystem_avail_bytes{mountpoint=\"/\"} / node_filesystem_size_bytes < 0.1",
          "increase(orders_created_total[1h])", "topk(5, sum by (pod) (container_memory_working_set_bytes))"]
REGEXES = ["^[a-zA-Z0-9._%+-]+@[a-zA-Z0-9.-]+\\.[a-zA-Z]{2,}$", "^1[3-9]\\d{9}$", "(\\d{4})-(\\d{2})-(\\d{2})",
           "^(?=.*[A-Z])(?=.*\\d).{8,}$", "<h[1-6]>(.*?)</h[1-6]>", "\\$\\{(\\w+)\\}", "[\\u4e00-\\u9fa5]+"]
TICKETS = [("WAF 告警复核", "昨晚 23:10 起 /search 接口出现大量 SQL 注入探测（同一 IP 203.0.113.7，规则 sqli-tautology），"
            "已全部拦截。请确认是否需要封禁该 IP 段。"),
           ("Log4j 升级进度", "order-service 与 report-service 已升级 log4j-core 至 2.17.1（修复 CVE-2021-44228 / "
            "CVE-2021-45046），inventory-service 排期下周。"),
           ("Phishing report", "Employee forwarded an email pretending to be from IT asking to 'verify your VPN "
            "password'. Sender domain was a look-alike. Blocked the domain at the mail gateway."),
           ("Pentest finding #12", "Reflected XSS in the legacy help page: the q parameter was echoed without "
            "escaping. Fixed by HTML-escaping the output; retest scheduled."),
           ("漏洞扫描报告", "本周扫描发现中危 3 个：TLS 1.0 未禁用、Cookie 缺少 HttpOnly、目录列表开启（/static/tmp/）。"
            "均已修复，附件为复测截图。"),
           ("False positive?", "Customer says saving a product description with the word 'select' followed by "
            "'from our catalogue' gets a 403. Please check the WAF logs for request id 7f3a9c."),
           ("Access review Q4", "Removed 14 stale accounts; 3 service accounts still use passwords instead of "
            "keys — owners notified."),
           ("SSRF hardening", "The link-preview fetcher now refuses private and link-local ranges and re-checks "
            "the address after DNS resolution. Tests added in preview_test.go.")]
LMS_ANSWERS = ["x < 5 && y > 3 时函数单调递增", "f(x) = x^2 + 2x + 1 = (x + 1)^2，所以最小值为 0",
               "if (a < b) { printf(\"%d\\n\", a); } else { printf(\"%d\\n\", b); }",
               "The answer is 1/2 because P(A|B) = P(A and B) / P(B) = 0.25 / 0.5",
               "for i in range(10): print(i * i)", "答：选 C；理由见第 3 段 \"因此……\"",
               "SELECT name FROM students WHERE score >= 90 ORDER BY score DESC;",
               "Σ(i=1..n) i = n(n+1)/2", "O(n log n) -- merge sort; O(n^2) worst case for quicksort",
               "git checkout -b feature/login && git push -u origin feature/login"]
HOSPITALS = ["市第一人民医院", "儿童医院（北院区）", "中医院", "口腔医院"]
DEPTS = ["心内科", "儿科", "皮肤科", "口腔科", "眼科", "骨科"]


def idcard():
    return "%06d%04d%02d%02d%03d%s" % (rng.choice([110105, 310115, 440305, 330106]), rng.randint(1950, 2015),
                                         rng.randint(1, 12), rng.randint(1, 28), rng.randint(0, 999),
                                         pick("0123456789X"))


def enterprise():
    out = []
    for i in range(45):
        body = qs([("item", pick(GOV_ITEMS)), ("name", pick(NAMES_ZH)), ("id_no", idcard()),
                   ("phone", "1%d%08d" % (rng.choice([3, 5, 8]), rng.randint(0, 10**8 - 1))),
                   ("address", pick(ADDR_ZH)), ("uscc", "91310115MA1%s" % token(7).upper()),
                   ("remark", pick(GOV_REMARKS)), ("_csrf", token(36))])
        out.append(post_form("/zwfw/apply/submit", body, **browser(host=GOV_HOST)))
    for i in range(25):
        out.append(get("/zwfw/guide/search", qs([("kw", pick(GOV_SEARCH)), ("area", pick(["310000", "440300"])),
                                                   ("page", str(rng.randint(1, 5)))]), **browser(host=GOV_HOST)))
    for i in range(15):
        out.append(send_json("POST", "/zwfw/api/v2/materials/check",
                             {"caseNo": "SH%d%08d" % (2024, rng.randint(0, 10**8)), "items": [
                                 {"name": pick(["身份证正反面", "户口本首页及本人页", "租房合同", "营业执照副本"]),
                                  "fileId": token(20), "pages": rng.randint(1, 6)} for _ in range(rng.randint(1, 4))],
                              "applicant": {"name": pick(NAMES_ZH), "idType": "居民身份证"}},
                             host=GOV_HOST, extra=api_headers()))
    for i in range(40):
        sender, receiver = rng.sample(NAMES_ZH, 2)
        out.append(send_json("POST", "/api/v1/waybills", {
            "orderNo": "SO%d" % rng.randint(10**9, 10**10), "service": pick(["standard", "express", "cold-chain"]),
            "sender": {"name": sender, "tel": "021-%08d" % rng.randint(0, 10**8), "addr": pick(ADDR_ZH)},
            "receiver": {"name": receiver, "tel": "1%d%08d" % (rng.choice([3, 5, 8]), rng.randint(0, 10**8)),
                         "addr": pick(ADDR_ZH + ADDR_EN)},
            "cargo": pick(CARGO), "weightKg": round(rng.uniform(0.2, 30), 2), "pieces": rng.randint(1, 5),
            "remark": pick(["", "易碎品, 请勿倒置 >_<", "工作日 9:00-18:00 送货", "call before delivery; gate #3",
                            "到付 / COD ¥%d" % rng.randint(50, 999)])}, host="api.example.com", extra=api_headers()))
    for i in range(20):
        out.append(get("/api/v1/tracking", qs([("waybill", "SF%d" % rng.randint(10**11, 10**12)),
                                                ("lang", pick(["zh", "en"]))]), ua=pick(APP_UAS),
                       host="api.example.com", accept="application/json"))
    for i in range(30):
        out.append(get("/odata/v4/SalesOrders", "&".join(["$filter=" + enc(pick(ODATA), safe=",'()"),
                                                         "$orderby=" + enc(pick(["CreatedAt desc", "Amount desc,Id"])),
                                                         "$top=%d" % pick([20, 50, 100]), "$skip=%d" % (20 * i),
                                                         "$select=" + enc("Id,CustomerName,Amount,Status", safe=","),
                                                         "$count=true"]),
                       host=ERP_HOST, accept="application/json;odata.metadata=minimal",
                       extra=dict(api_headers(), **{"OData-Version": "4.0"})))
    for i in range(20):
        out.append(send_json("PATCH", "/api/erp/inventory/%s" % pick(SKUS),
                             {"warehouse": pick(["SH01", "BJ02", "GZ03"]), "delta": rng.randint(-20, 50),
                              "reason": pick(["盘点差异 -3 (damaged)", "采购入库 PO-88121", "退货入库; QC passed",
                                              "transfer SH01 -> BJ02", "scrap: batch #2024-11 expired"])},
                             host=ERP_HOST, extra=api_headers()))
    for i in range(8):
        h = headers(host=ERP_HOST, ua="Go-http-client/1.1", accept="*/*",
                    extra={"Content-Type": "application/edi-x12", "Authorization": "Bearer " + jwt()})
        h["Content-Length"] = str(len(EDI.encode()))
        out.append(req("POST", "/edi/inbound/850", "", h, EDI))
    for i in range(40):
        name, code = pick(SNIPPETS_DEV)
        out.append(send_json("POST", "/api/v1/snippets", {"title": name, "language": name.rsplit(".", 1)[-1],
                                                           "content": code, "visibility": "private"},
                             host="dev.example.com", extra=api_headers()))
    for i in range(20):
        out.append(get("/api/datasources/proxy/1/api/v1/query_range",
                       qs([("query", pick(PROMQL)), ("start", str(1732400000 + i * 60)),
                           ("end", str(1732403600 + i * 60)), ("step", "30")]),
                       host="grafana.example.com", accept="application/json", extra={"Cookie": "grafana_session=" + token(32)}))
    for i in range(12):
        out.append(send_json("POST", "/api/tools/regex/test", {"pattern": pick(REGEXES), "flags": "g",
                                                               "input": pick(["alice@example.com", "13812345678",
                                                                              "2024-11-24", "<h2>标题</h2>"])},
                             host="dev.example.com", extra=api_headers()))
    for i in range(15):
        out.append(send_json("POST", "/api/card/native", {"database": 2, "type": "native", "native": {
            "query": pick(["SELECT region, SUM(gmv) AS gmv FROM orders WHERE created_at >= {{start}} GROUP BY region "
                           "ORDER BY gmv DESC LIMIT 20",
                           "SELECT date_trunc('day', created_at) AS d, count(*) FROM signups GROUP BY 1 ORDER BY 1",
                           "SELECT sku, name, stock FROM inventory WHERE stock < 10 ORDER BY stock"]),
            "template-tags": {"start": {"type": "date", "name": "start"}}}}, host="bi.example.com",
                             extra={"Cookie": "metabase.SESSION=" + token(36)}))
    for i in range(25):
        title, text = pick(TICKETS)
        out.append(send_json("POST", "/api/v2/tickets", {"subject": title, "body": text,
                                                         "priority": pick(["low", "normal", "high"]),
                                                         "tags": rng.sample(["security", "waf", "patch", "phishing",
                                                                             "scan", "access"], 2)},
                             host="helpdesk.example.com", extra=api_headers()))
    for i in range(30):
        out.append(post_form("/lms/quiz/%d/answer" % rng.randint(1, 300),
                             qs([("question", str(rng.randint(1, 20))), ("answer", pick(LMS_ANSWERS)),
                                 ("time_spent", str(rng.randint(10, 600)))]), **browser(host="learn.example.edu.cn")))
    for i in range(20):
        out.append(send_json("POST", "/iot/v1/telemetry", {
            "deviceId": "ESP32-%s" % token(12).upper(), "ts": 1732400000 + i * 30,
            "metrics": {"temp": round(rng.uniform(-5, 40), 1), "hum": rng.randint(10, 95),
                        "rssi": -rng.randint(40, 90), "fw": "1.4.%d" % rng.randint(0, 9)},
            "status": pick(["ok", "low_battery", "door_open"])}, ua="ESP32HTTPClient", host="iot.example.com",
            accept="*/*", extra={"X-Device-Token": token(40)}))
    for i in range(20):
        out.append(post_form("/yygh/appointment", qs([
            ("hospital", pick(HOSPITALS)), ("dept", pick(DEPTS)), ("date", "2024-12-%02d" % rng.randint(1, 28)),
            ("slot", pick(["08:00-08:30", "09:30-10:00", "14:00-14:30"])), ("patient", pick(NAMES_ZH)),
            ("id_no", idcard()), ("symptom", pick(["咳嗽 3 天，体温 37.8℃", "皮疹（手臂、背部），瘙痒",
                                                    "复诊：血压 150/95 mmHg", "孩子 5 岁，发烧 > 38.5℃ 两次"]))]),
            **browser(host="yygh.example.gov.cn")))
    return out



# ------------------------------------------------------------------ batch 5
# benign_saas.jsonl, written in session 3 by someone who did not read the
# engine or its rules, and measured before any tuning: SaaS traffic the
# earlier files lack. Seller back office (HTML descriptions, SKU matrices,
# price rules), collaborative docs and wiki (code blocks, tables, @mentions,
# formulas), customer-service chat, CMS admin, recruitment (résumés), insurance
# and loan forms, travel booking, an online judge receiving students' code,
# a game forum (BBCode), map/LBS APIs, OAuth/OIDC, signed API-gateway calls,
# payment and CI webhooks, app telemetry with crash traces, search operators.
SELLER_HOST = "seller.example.com"
ITEM_TITLES = ["2024新款 304不锈钢保温杯 500ml 男女学生便携水杯", "【官方正品】无线降噪蓝牙耳机 Pro 2 长续航",
               "Men's Slim-Fit Oxford Shirt (Long Sleeve) - 100% Cotton", "儿童护眼台灯 学习专用 AA级 无频闪",
               "27\" 2K 165Hz IPS 电竞显示器 HDR400", "Ceramic Pour-Over Coffee Set w/ Kettle & 2 Cups",
               "加厚珊瑚绒四件套 1.8m床 冬季保暖", "Kids' Rain Boots - Non-Slip, Size 24-35",
               "宠物自动喂食器 6L 定时定量 App 远程控制", "Resistance Bands Set (5 levels) + Door Anchor",
               "茶叶 明前龙井 250g 礼盒装 2024新茶", "Notebook A5 Dotted 160 pages — 100gsm, lay-flat"]
DESC_PARTS = ["<p>产品亮点：<strong>316 医用级内胆</strong>，12 小时保温 / 24 小时保冷。</p>",
              "<p><img src=\"https://img.example.cn/seller/2024/11/%s.jpg\" alt=\"主图\" style=\"max-width:100%%\"></p>",
              "<table class=\"spec\"><tr><th>容量</th><td>500ml</td></tr><tr><th>重量</th><td>≈ 280g</td></tr>"
              "<tr><th>材质</th><td>304 &amp; 316 不锈钢</td></tr></table>",
              "<ul><li>Fits cup holders &lt; 7.5 cm</li><li>BPA-free lid</li><li>Dishwasher safe (lid only)</li></ul>",
              "<p><span style=\"color:#e4393c;font-size:16px\">限时赠品：</span>杯刷 + 杯套（送完即止）</p>",
              "<p>Size guide: if you're between sizes, choose the larger one. Chest 96-100 cm &rarr; M.</p>",
              "<p>温馨提示：因拍摄光线不同，图片与实物可能存在轻微色差，请以实物为准。</p>",
              "<h3>售后说明</h3><p>7 天无理由退换（未使用、吊牌完好）；质量问题 30 天包换。</p>",
              "<p>适用年龄 3-12 岁 | 执行标准 GB/T 9473-2017 | 产地：浙江宁波</p>"]
SPEC_SETS = [[("颜色", ["曜石黑", "奶油白", "雾霾蓝"]), ("容量", ["350ml", "500ml"])],
             [("Color", ["Navy", "White", "Light Blue"]), ("Size", ["S", "M", "L", "XL"])],
             [("规格", ["单只装", "两只装（送礼袋）"])], [("尺码", ["24", "26", "28", "30"]), ("颜色", ["黄色", "粉色"])]]
PRICE_RULES = [("双12 满减", "FULL_REDUCTION", "满 300 减 40，可与店铺券叠加"), ("新人专享", "FIRST_ORDER", "首单立减 10 元"),
               ("第二件半价", "NTH_DISCOUNT", "同款第 2 件 5 折（限 1 件）"), ("会员价", "MEMBER_PRICE", "VIP >= 2 级享 95 折"),
               ("Buy 2 get 1 free", "BUNDLE", "Lowest-priced item free; excludes clearance & gift cards")]
DOC_HOST = "docs.example.com"
DOC_BLOCKS = [
    ("text", "本周目标：完成订单导出功能的联调，@王芳 负责后端接口，@李娜 负责前端页面。"),
    ("text", "结论：按「支付时间」统计 GMV，退款单在次日冲减；口径与财务对齐（见 FIN-2024-118）。"),
    ("text", "Action items: 1) @Grace Lee to update the runbook; 2) @Li Lei to check why p99 > 800 ms after 20:00."),
    ("code:sql", "SELECT region, COUNT(DISTINCT user_id) AS buyers, SUM(pay_amount) AS gmv\nFROM dwd_order\n"
                 "WHERE dt = '2024-11-24' AND order_status IN ('PAID', 'SHIPPED')\nGROUP BY region\nORDER BY gmv DESC;"),
    ("code:bash", "kubectl get pods -n prod -l app=order-api\nkubectl logs -n prod deploy/order-api --since=10m | grep ERROR"),
    ("code:python", "df = pd.read_csv('orders.csv', parse_dates=['paid_at'])\n"
                    "daily = df.groupby(df.paid_at.dt.date)['amount'].sum()\nprint(daily.tail(7))"),
    ("code:yaml", "resources:\n  requests:\n    cpu: 500m\n    memory: 512Mi\n  limits:\n    memory: 1Gi"),
    ("code:java", "@GetMapping(\"/orders/{id}\")\npublic OrderDTO get(@PathVariable Long id) {\n"
                  "    return orderService.findById(id).orElseThrow(() -> new NotFoundException(id));\n}"),
    ("formula", "=SUMIFS(D:D, A:A, \"华东\", C:C, \">=2024-11-01\")"),
    ("formula", "=IFERROR(VLOOKUP(B2, '商品表'!A:F, 6, FALSE), \"未匹配\")"),
    ("latex", "$$\\text{转化率} = \\frac{\\text{下单用户数}}{\\text{访客数}} \\times 100\\%$$"),
    ("table", [["指标", "10月", "11月", "环比"], ["GMV（万元）", "1,284", "2,017", "+57.1%"],
               ["客单价", "¥186", "¥203", "+9.1%"], ["退款率", "3.2%", "2.8%", "-0.4pt"]]),
    ("text", "Q: Can we drop the old `v1/export` endpoint? A: Not before 2025-01-15 — two partners still call it."),
    ("text", "注意：测试环境的账号密码不要写在文档里，统一放到密钥管理（KMS）。"),
]
DOC_SEARCH = ["周报 2024-W47", "订单导出 接口文档", "on-call runbook", "GMV 口径", "\"发布流程\"", "kubectl 常用命令",
              "OKR Q4", "数据字典 dwd_order", "入职 指南", "API rate limit"]
KF_HOST = "kf.example.com"
KF_USER = ["你好，我的订单 E%d 还没发货，什么时候能发？", "https://item.example.cn/%d.html 这个还有货吗？", "在吗在吗😭",
           "I was charged twice for order #%d — can you refund one?", "快递显示已签收但我没收到，能帮查一下吗？单号 SF%d",
           "尺码 < 170cm 的话选 M 还是 L？", "能不能便宜点呀>_< 学生党", "发票抬头写错了，能重开吗？税号 91330106MA2%dX",
           "The zipper broke after 2 days... photos attached 👇", "好的，谢谢！👍", "退货地址发我一下，我今天寄回",
           "优惠券用不了，提示“不满足使用条件”？", "Is the 500ml version dishwasher-safe?", "收到了，质量不错🥰",
           "地址改成：上海市徐汇区漕溪北路 88 号 5 楼 & 收件人改为王先生", "what's the difference between Pro & Pro 2?"]
KF_AGENT = ["亲，您的订单已于今天 15:20 发出，物流单号 YT%d，请留意查收哦~", "Sorry about that! I've refunded the duplicate "
            "charge; it should show up in 1-3 business days.", "亲亲，身高 165-172cm 建议选 L 码，版型偏修身~",
            "已为您登记补发，预计 48 小时内发出🙏", "退货地址：浙江省杭州市余杭区五常街道某某仓 3 号库（请备注订单号）",
            "Both are dishwasher-safe except the lid seal — please hand-wash that part."]
JOBS_HOST = "jobs.example.cn"
SKILLS = ["SQL Server", "MySQL", "Oracle", "Linux shell", "C/C++", "Python", "Java (Spring Boot)", "Go", "Vue 3",
          "React", "Redis", "Kafka", "Docker & Kubernetes", "Excel (VBA, 数据透视表)", "AutoCAD", "Photoshop", "UE5 / C++",
          "Hadoop/Hive", "Shell 脚本", "PowerShell", "STM32 单片机"]
SELF_INTRO = ["5 年后端开发经验，熟悉 Linux 常用命令（grep/awk/sed），能独立编写 shell 脚本做自动化部署。",
              "负责订单系统数据库优化：通过索引与 SQL 改写把慢查询（SELECT ... JOIN 三张表）从 3s 降到 200ms。",
              "Embedded C/C++ developer (RTOS, CAN bus); comfortable with gdb & oscilloscopes.",
              "应届生，熟悉 C/C++ 与数据结构，ACM 区域赛铜奖；课程设计做过一个简易 shell（支持管道和重定向）。",
              "Data analyst: SQL (window functions, CTEs), Python (pandas), Tableau; led the \"drop-off\" funnel study.",
              "有 3 年运维经验，维护 200+ 台 CentOS/Ubuntu 服务器，熟悉 Nginx、MySQL 主从与备份恢复。"]
JOB_SEARCH = ["C++ 后端", "Java 开发 上海", "数据分析师 SQL", "运维工程师 Linux", "前端 Vue", "产品经理 B端",
              "嵌入式 C 语言", "测试开发 Python", "UE4/UE5 游戏客户端", "DBA (SQL Server)"]
TRIP_HOST = "trip.example.com"
CITIES = [("SHA", "上海"), ("PEK", "北京"), ("CAN", "广州"), ("SZX", "深圳"), ("CTU", "成都"), ("XMN", "厦门"), ("KMG", "昆明"),
          ("HKG", "香港"), ("NRT", "东京成田"), ("SIN", "Singapore")]
HOTEL_REQ = ["", "高楼层、远离电梯，谢谢", "High floor & quiet room, non-smoking; late check-in ~23:30",
             "需要婴儿床（宝宝 8 个月）", "Twin beds if possible / 两张床", "蜜月旅行，如有可能请安排景观房 :)",
             "Arriving on flight MU5101, ETA 14:05"]
OJ_HOST = "oj.example.edu.cn"
OJ_CODE = [
    ("cpp", "#include <bits/stdc++.h>\nusing namespace std;\n\nint main() {\n    long long a, b;\n    cin >> a >> b;\n"
            "    cout << a + b << endl;\n    return 0;\n}\n"),
    ("cpp", "#include <iostream>\n#include <vector>\n#include <algorithm>\nusing namespace std;\nint main(){\n  int n; cin>>n;\n"
            "  vector<int> a(n);\n  for(auto &x:a) cin>>x;\n  sort(a.begin(),a.end());\n  for(int i=0;i<n;i++) cout<<a[i]"
            "<<(i+1<n?' ':'\\n');\n}\n"),
    ("c", "#include <stdio.h>\n#include <stdlib.h>\n\nint main()\n{\n    int a, b;\n    scanf(\"%d%d\", &a, &b);\n"
          "    printf(\"%d\\n\", a + b);\n    system(\"pause\");\n    return 0;\n}\n"),
    ("c", "#include <stdio.h>\n#include <string.h>\nint main(void){\n    char s[1005];\n    fgets(s, sizeof s, stdin);\n"
          "    int n = strlen(s), cnt = 0;\n    for (int i = 0; i < n; i++) if (s[i] >= 'a' && s[i] <= 'z') cnt++;\n"
          "    printf(\"%d\\n\", cnt);\n    return 0;\n}\n"),
    ("python3", "a, b = map(int, input().split())\nprint(a + b)\n"),
    ("python3", "import sys\nfrom collections import Counter\n\nwords = sys.stdin.read().split()\n"
                "for w, c in Counter(words).most_common(3):\n    print(w, c)\n"),
    ("python3", "n = int(input())\ndp = [0] * (n + 1)\ndp[0] = 1\nfor i in range(1, n + 1):\n    dp[i] = dp[i - 1] + "
                "(dp[i - 2] if i >= 2 else 0)\nprint(dp[n] % 1000000007)\n"),
    ("java", "import java.util.Scanner;\n\npublic class Main {\n    public static void main(String[] args) {\n"
             "        Scanner in = new Scanner(System.in);\n        int a = in.nextInt(), b = in.nextInt();\n"
             "        System.out.println(a + b);\n    }\n}\n"),
    ("mysql", "SELECT Email FROM Person GROUP BY Email HAVING COUNT(Email) > 1;"),
    ("mysql", "DELETE p1 FROM Person p1, Person p2\nWHERE p1.Email = p2.Email AND p1.Id > p2.Id;"),
    ("mysql", "SELECT c.name AS Customers\nFROM Customers c\nLEFT JOIN Orders o ON o.customerId = c.id\nWHERE o.id IS NULL;"),
    ("mysql", "SELECT employee_id FROM Employees WHERE employee_id NOT IN (SELECT employee_id FROM Salaries)\nUNION\n"
              "SELECT employee_id FROM Salaries WHERE employee_id NOT IN (SELECT employee_id FROM Employees)\n"
              "ORDER BY employee_id;"),
    ("mysql", "SELECT score, DENSE_RANK() OVER (ORDER BY score DESC) AS `rank`\nFROM Scores\nORDER BY score DESC;"),
    ("bash", "cat words.txt | tr -s ' ' '\\n' | sort | uniq -c | sort -r | awk '{ print $2, $1 }'"),
    ("bash", "sed -n '10p' file.txt"),
    ("bash", "grep -P '^(\\d{3}-|\\(\\d{3}\\) )\\d{3}-\\d{4}$' file.txt"),
]
BBS_HOST = "bbs.example.com"
BBS_POSTS = ["[b]版本更新后闪退[/b]\n机型：小米 14，系统 HyperOS 1.0.5，进副本必闪退，有人一样吗？",
             "[quote=路人甲]这波削弱太狠了[/quote]\n同意，DPS 从 12k 掉到 9k，玩法直接没了 (╯°□°）╯︵ ┻━┻",
             "新手求助：装备选 A 还是 B？我现在 60 级，攻击 > 防御，主玩 PVE。",
             "[img]https://img.example.cn/bbs/2024/11/screenshot_0412.png[/img]\n欧皇附体！十连出双金 <3",
             "Guide: best route for the daily quests -> Town -> Forest -> Cave -> back to Town (~12 min).",
             "[url=https://www.bilibili.com/video/BV1xx411c7mD]视频攻略[/url] 第 3 关的跳跳乐看这个就懂了",
             "组队 4 缺 1，缺个奶妈，晚上 8 点 >>> 私信我 ID：风吹麦浪#5521", "1v1 solo 谁来？输的请奶茶 🧋",
             "建议官方把 \"自动战斗\" 的 AI 改一下，老是先打小怪不打 boss...", "GG，队友 0/10/2 还怪我 :( "]
BBS_TITLES = ["闪退问题汇总", "平衡性讨论", "新手求助", "晒卡", "每日任务路线", "攻略分享", "组队", "PVP", "建议反馈"]
LBS_HOST = "lbs.example.com"
ADDRS = ["北京市朝阳区阜通东大街6号", "上海市浦东新区陆家嘴环路1000号", "广东省深圳市南山区粤海街道科苑南路2700号",
         "浙江省杭州市西湖区文一西路969号", "四川省成都市高新区天府大道北段1700号", "福建省厦门市思明区环岛南路"]
INS_HOST = "insure.example.com"
ENG_HOST = "gw.example.com"
SSO_HOST = "sso.example.com"
CLIENTS = [("web-portal", "https://portal.example.com.cn/oauth/callback"), ("seller-center", "https://seller.example.com/sso/callback"),
           ("mobile-app", "com.example.app://oauth/callback"), ("bi", "https://bi.example.com/auth/oidc/callback")]
COMMITS = ["fix(search): trim whitespace before querying", "feat(order): export to CSV & Excel",
           "chore(deps): bump lodash from 4.17.20 to 4.17.21", "docs: update README (install on Windows)",
           "refactor: extract PriceRule.apply() into its own module", "修复：优惠券叠加时金额计算错误",
           "perf: add index on orders(user_id, created_at)", "Merge branch 'release/2.4' into 'main'"]
CRASHES = ["java.lang.NullPointerException: Attempt to invoke virtual method 'java.lang.String com.example.app.model."
           "User.getNickname()' on a null object reference\n\tat com.example.app.ui.ProfileFragment.onViewCreated("
           "ProfileFragment.kt:87)\n\tat androidx.fragment.app.Fragment.performViewCreated(Fragment.java:3128)",
           "*** Terminating app due to uncaught exception 'NSRangeException', reason: '*** -[__NSArrayM objectAtIndex:]: "
           "index 3 beyond bounds [0 .. 2]'\n0   CoreFoundation  0x1a2b3c4d5 __exceptionPreprocess + 164",
           "TypeError: Cannot read properties of undefined (reading 'map')\n    at CartList (webpack-internal:///./src/"
           "components/CartList.vue:42:18)", "java.net.SocketTimeoutException: timeout\n\tat okhttp3.internal.http2."
           "Http2Stream$StreamTimeout.newTimeoutException(Http2Stream.kt:675)"]
SEARCH_SAAS = ["title:\"年度报告\" AND (销售 OR 营收) -草稿", "author:张伟 type:doc updated:>2024-10-01", "\"C++\" OR \"C#\" 面试题",
               "price:[100 TO 500] brand:\"Tom & Jerry's\"", "filetype:xlsx 报价单", "NOT status:closed assignee:me",
               "标签:退款 -已解决", "in:title \"drop shipping\"", "\"order by\" 用法", "from:kefu@example.cn after:2024/11/01",
               "sku:SKU-10023 OR sku:SKU-30007", "6'2\" in cm", "site:docs.example.com 限流", "tag:bug label:P1"]


def sign_hex(n=64):
    return "%0*x" % (n, rng.getrandbits(4 * n))


def item_payload():
    title = pick(ITEM_TITLES)
    specs = pick(SPEC_SETS)
    combos = [[]]
    for _, vals in specs:
        combos = [c + [v] for c in combos for v in vals]
    base = rng.randint(19, 899)
    skus = [{"skuCode": "S%d-%02d" % (rng.randint(10**5, 10**6), i), "props": dict(zip([n for n, _ in specs], c)),
             "price": "%.2f" % (base + 10 * i + rng.choice([0, 0.9, 0.99])), "stock": rng.randint(0, 999)}
            for i, c in enumerate(combos)]
    parts = rng.sample(DESC_PARTS, rng.randint(2, 5))
    desc = "".join(p % token(12) if "%s" in p else p.replace("%%", "%") for p in parts)
    return {"title": title, "categoryId": rng.randint(1000, 9999), "brand": pick(["ACME", "小熊", "Tom & Jerry's", "无品牌"]),
            "descHtml": desc, "specs": [{"name": n, "values": v} for n, v in specs], "skus": skus,
            "freightTemplateId": rng.randint(1, 20), "status": pick(["DRAFT", "ON_SALE"])}


def doc_ops():
    ops = []
    for kind, val in rng.sample(DOC_BLOCKS, rng.randint(2, 5)):
        if kind == "table":
            ops.append({"type": "table", "rows": val})
        elif kind.startswith("code:"):
            ops.append({"type": "code_block", "lang": kind[5:], "text": val})
        elif kind in ("formula", "latex"):
            ops.append({"type": kind, "text": val})
        else:
            mentions = [m for m in ("王芳", "李娜", "Grace Lee", "Li Lei") if "@" + m in val]
            ops.append({"type": "paragraph", "text": val, "mentions": [{"name": m, "uid": rng.randint(10**5, 10**6)}
                                                                     for m in mentions]})
    return ops


def saas():
    out = []

    def sell():
        return dict(api_headers(), **{"Cookie": "seller_sid=" + token(32), "X-Shop-Id": str(rng.randint(10**6, 10**7))})
    for i in range(30):
        out.append(send_json(pick(["POST", "PUT"]), "/seller/api/item/save", item_payload(), host=SELLER_HOST,
                             ua=rng.randrange(len(UAS)), extra=sell()))
    for i in range(10):
        name, typ, desc = pick(PRICE_RULES)
        out.append(send_json("POST", "/seller/api/promotion/rules", {
            "name": name, "type": typ, "description": desc, "tiers": [{"threshold": t, "discount": t // 8}
                                                                      for t in sorted(rng.sample([99, 199, 300, 500], 2))],
            "scope": pick(["ALL", "CATEGORY", "ITEMS"]), "excludeSkus": rng.sample(["SKU-10023", "SKU-30007", "SKU-60001"], 1),
            "startAt": "2024-12-%02d 00:00:00" % rng.randint(1, 12), "endAt": "2024-12-12 23:59:59", "stackable": rng.random() < 0.5},
            host=SELLER_HOST, extra=sell()))
    for i in range(10):
        out.append(get("/seller/api/items", qs([("status", pick(["onsale", "instock", "draft", "violation"])),
                                                ("keyword", pick(["保温杯", "耳机", "Oxford shirt", "台灯 AA级", ""])),
                                                ("priceMin", str(rng.randint(0, 50))), ("priceMax", str(rng.randint(100, 999))),
                                                ("sort", pick(["sales_desc", "price_asc", "gmt_modified_desc"])),
                                                ("page", str(rng.randint(1, 9))), ("pageSize", "20")]),
                       host=SELLER_HOST, accept="application/json, text/plain, */*", extra=sell()))
    for i in range(10):
        body = qs([("ids", ",".join(str(rng.randint(10**8, 10**9)) for _ in range(rng.randint(2, 6)))),
                   ("field", pick(["stock", "price"])), ("op", pick(["set", "add"])),
                   ("value", pick(["+50", "-3", "99.00", "0"])), ("remark", pick(["双12备货", "盘点修正", "Price match (JD)"])),
                   ("_tb_token_", token(13))])
        out.append(post_form("/seller/item/batchEdit", body, **browser(host=SELLER_HOST)))
    for i in range(30):
        out.append(send_json("PUT", "/api/v2/docs/%s/content" % token(22), {
            "rev": rng.randint(1, 900), "title": pick(["周报 2024-W47", "订单导出 技术方案", "On-call runbook",
                                                        "双12 活动复盘", "数据口径说明"]), "ops": doc_ops()},
            host=DOC_HOST, extra=dict(api_headers(), **{"X-Client": "web-editor/3.18.2"})))
    for i in range(10):
        out.append(send_json("POST", "/api/v2/docs/%s/comments" % token(22), {
            "anchor": {"blockId": token(10), "start": rng.randint(0, 40), "end": rng.randint(41, 90)},
            "text": pick(["@王芳 这里的口径是按下单时间还是支付时间？", "LGTM, but the p99 numbers look off > 800ms?",
                          "建议把 SQL 放到附录里，正文只写结论", "@Li Lei can you double-check row 3 (退款率)?",
                          "已更新 ✅"])}, host=DOC_HOST, extra=api_headers()))
    for i in range(10):
        out.append(get("/api/v2/search", qs([("q", pick(DOC_SEARCH)), ("space", pick(["tech", "ops", "all"])),
                                              ("limit", "20")]), host=DOC_HOST, accept="application/json",
                       extra=api_headers()))
    for i in range(45):
        msg = pick(KF_USER)
        if "%d" in msg:
            msg = msg % rng.randint(10**9, 10**10)
        kind = rng.random()
        if kind < 0.8:
            body = {"sessionId": "cs_%d" % rng.randint(10**5, 10**6), "type": "text", "content": msg}
        elif kind < 0.9:
            body = {"sessionId": "cs_%d" % rng.randint(10**5, 10**6), "type": "image",
                    "url": "https://img.example.cn/kf/2024/11/%s.jpg" % token(16)}
        else:
            body = {"sessionId": "cs_%d" % rng.randint(10**5, 10**6), "type": "order_card",
                    "orderNo": "E%d" % rng.randint(10**9, 10**10), "content": "请帮我看下这个订单"}
        out.append(send_json("POST", "/im/api/message/send", body, host=KF_HOST, ua=rng.randrange(len(UAS)),
                             extra={"Cookie": "kf_visitor=" + token(24)}))
    for i in range(15):
        msg = pick(KF_AGENT)
        if "%d" in msg:
            msg = msg % rng.randint(10**11, 10**12)
        out.append(send_json("POST", "/im/api/agent/reply", {"sessionId": "cs_%d" % rng.randint(10**5, 10**6),
                                                              "type": "text", "content": msg,
                                                              "quickReplyId": pick([None, rng.randint(1, 80)])},
                             host=KF_HOST, extra=api_headers()))
    for i in range(25):
        kind = i % 3
        if kind == 0:
            body = "&".join(form_enc(k) + "=" + form_enc(v) for k, v in [
                ("title", pick(["Best coffee machines 2024", "双12 购物指南", "About us", "隐私政策（2024 修订）"])),
                ("slug", pick(["best-coffee-machines-2024", "1212-guide", "about-us", "privacy-policy"])),
                ("seo_title", pick(["Best Coffee Machines 2024 — Reviews & Buying Guide", "双12 攻略 | 满减 & 红包怎么用"])),
                ("seo_description", pick(["We tested 12 machines under ¥2,000; here's what's worth it (and what's not).",
                                          "双12 满 300 减 40，叠加店铺券更省 >>"])),
                ("robots", pick(["index, follow", "noindex, nofollow"])),
                ("content", "<div class=\"banner\"><a href=\"/promo/1212\"><img src=\"https://cdn.example.cn/cms/1212.jpg\" "
                            "alt=\"双12\"></a></div><p>%s</p>" % pick(["Updated on Nov 25, 2024.", "本页内容每周更新。"])),
                ("_token", token(40))])
            out.append(post_form("/admin/cms/pages/save", body, **browser(host="blog.example.org")))
        elif kind == 1:
            out.append(send_json("PUT", "/admin/api/menus/main", {"items": [
                {"label": "首页", "url": "/"}, {"label": "Deals & Coupons", "url": "/deals?tab=today"},
                {"label": "帮助中心", "url": "/help", "children": [{"label": "退换货", "url": "/help/returns"}]}]},
                host="blog.example.org", extra=api_headers()))
        else:
            out.append(post_form("/admin/cms/redirects", qs([("from", pick(["/old-page", "/2023/sale.html", "/p/123"])),
                                                            ("to", pick(["/new-page", "/deals", "/products/SKU-10023"])),
                                                            ("code", pick(["301", "302"])), ("_token", token(40))]),
                                 **browser(host="blog.example.org")))
    for i in range(15):
        parts = [("name", pick(NAMES_ZH + NAMES_EN)), ("phone", "1%d%08d" % (rng.choice([3, 5, 8]), rng.randint(0, 10**8))),
                 ("email", "cv%d@example.cn" % rng.randint(1, 9999)), ("skills", ", ".join(rng.sample(SKILLS, rng.randint(3, 6)))),
                 ("intro", pick(SELF_INTRO)), ("resume", pdf(), pick(["简历_张伟_后端.pdf", "Resume - Grace Lee.pdf",
                                                                      "CV (2024).pdf"]), "application/pdf")]
        out.append(post_multipart("/api/resume/upload", parts, boundary="----WebKitFormBoundary" + token(16),
                                  **browser(host=JOBS_HOST)))
    for i in range(10):
        out.append(send_json("PUT", "/api/resume/me", {
            "skills": rng.sample(SKILLS, rng.randint(3, 7)), "intro": pick(SELF_INTRO),
            "experience": [{"company": pick(["某电商公司", "Acme Tech (Shanghai) Co., Ltd.", "某银行科技子公司"]),
                            "title": pick(["后端工程师", "DBA", "SRE", "Data Analyst"]), "from": "2019-07", "to": "2024-10",
                            "desc": pick(SELF_INTRO)}], "expectSalary": pick(["20k-30k", "面议", "15-20K·14薪"])},
            host=JOBS_HOST, extra=api_headers()))
    for i in range(10):
        out.append(get("/jobs/search", qs([("q", pick(JOB_SEARCH)), ("city", pick(["上海", "北京", "深圳", "杭州"])),
                                           ("salary", pick(["", "20k-30k", "30k-50k"])), ("exp", pick(["1-3", "3-5", "5-10"]))]),
                       **browser(host=JOBS_HOST)))
    for i in range(25):
        if i % 5 == 4:
            out.append(get("/api/loan/calc", qs([("amount", str(rng.choice([100000, 500000, 1200000]))),
                                                 ("years", str(rng.choice([5, 10, 20, 30]))), ("rate", "3.95%"),
                                                 ("method", pick(["等额本息", "等额本金"]))]),
                           host=INS_HOST, accept="application/json", ua=rng.randrange(len(UAS))))
            continue
        body = qs([("product", pick(["百万医疗险 2024 版", "少儿重疾险（A款）", "Term Life 20Y", "综合意外险"])),
                   ("insured_name", pick(NAMES_ZH)), ("id_no", idcard()), ("relation", pick(["本人", "配偶", "子女", "父母"])),
                   ("annual_income", pick(["10万以下", "10-20万", "20-50万", "50万以上"])),
                   ("health_q1", "否"), ("health_q2", pick(["否", "是"])),
                   ("health_note", pick(["", "高血压史，服药控制（< 140/90 mmHg）", "2019 年阑尾炎手术，已痊愈",
                                         "甲状腺结节 3 级 (TI-RADS)，定期复查"])),
                   ("beneficiary", pick(["法定", "指定：配偶 100%"])), ("bank_card", "6222 **** **** %04d" % rng.randint(0, 9999)),
                   ("agree_terms", "1"), ("_csrf", token(32))])
        out.append(post_form("/apply/submit", body, **browser(host=INS_HOST)))
    for i in range(30):
        kind = i % 3
        (c1, n1), (c2, n2) = rng.sample(CITIES, 2)
        if kind == 0:
            out.append(get("/api/flights/search", qs([("from", c1), ("to", c2), ("date", "2024-12-%02d" % rng.randint(1, 31)),
                                                      ("cabin", pick(["Y", "C"])), ("adults", str(rng.randint(1, 3))),
                                                      ("children", str(rng.randint(0, 2))), ("direct", pick(["true", "false"]))]),
                           host=TRIP_HOST, accept="application/json", ua=rng.randrange(len(UAS))))
        elif kind == 1:
            out.append(send_json("POST", "/api/hotel/orders", {
                "hotelId": rng.randint(10**5, 10**6), "roomType": pick(["高级大床房", "Deluxe Twin", "行政套房"]),
                "checkIn": "2024-12-%02d" % rng.randint(1, 20), "nights": rng.randint(1, 5),
                "guests": [{"name": pick(NAMES_EN + NAMES_ZH)} for _ in range(rng.randint(1, 2))],
                "contact": {"phone": "+86 1%d" % rng.randint(3 * 10**9, 9 * 10**9), "email": "trip%d@example.com" % i},
                "specialRequest": pick(HOTEL_REQ), "invoice": pick([None, {"title": "厦门某某科技有限公司", "taxNo": "91350200MA2XXXXX1Q"}])},
                host=TRIP_HOST, extra=api_headers()))
        else:
            out.append(send_json("POST", "/api/train/orders", {
                "trainNo": pick(["G1", "G7", "D3101", "G1305"]), "from": n1, "to": n2,
                "date": "2024-12-%02d" % rng.randint(1, 31), "seat": pick(["二等座", "一等座", "商务座"]),
                "passengers": [{"name": pick(NAMES_ZH), "idType": "1", "idNo": idcard(), "type": pick(["成人", "学生"])}]},
                host=TRIP_HOST, extra=api_headers()))
    for i in range(40):
        lang, code = pick(OJ_CODE)
        out.append(send_json("POST", "/api/submissions", {"problemId": rng.randint(1000, 1999), "contestId": pick([None, 42]),
                                                          "language": lang, "code": code},
                             host=OJ_HOST, ua=rng.randrange(len(UAS)),
                             extra={"Cookie": "oj_session=" + token(32), "X-CSRFToken": token(32)}))
    for i in range(30):
        body = "&".join(form_enc(k) + "=" + form_enc(v) for k, v in [
            ("fid", str(rng.randint(1, 60))), ("subject", pick(BBS_TITLES)), ("message", pick(BBS_POSTS)),
            ("formhash", token(8)), ("usesig", "1"), ("allownoticeauthor", "1")])
        out.append(post_form("/forum.php", body, query="mod=post&action=newthread&fid=%d" % rng.randint(1, 60),
                             **browser(host=BBS_HOST)))
    for i in range(35):
        key = ("key", token(32))
        kind = i % 5
        if kind == 0:
            q = qs([key, ("address", pick(ADDRS)), ("city", pick(["北京", "上海", ""])), ("output", "JSON")])
            path = "/v3/geocode/geo"
        elif kind == 1:
            q = qs([key, ("location", "%.6f,%.6f" % (116.3 + rng.random(), 39.8 + rng.random() / 3)),
                    ("extensions", pick(["base", "all"])), ("radius", "1000")])
            path = "/v3/geocode/regeo"
        elif kind == 2:
            pts = ["%.6f,%.6f" % (121.4 + rng.random() / 5, 31.1 + rng.random() / 5) for _ in range(4)]
            q = qs([key, ("origin", pts[0]), ("destination", pts[3]), ("waypoints", ";".join(pts[1:3])),
                    ("strategy", str(rng.randint(0, 10)))])
            path = "/v3/direction/driving"
        elif kind == 3:
            ring = ["%.6f,%.6f" % (113.9 + rng.random() / 10, 22.5 + rng.random() / 10) for _ in range(4)]
            q = qs([key, ("polygon", "|".join(ring + ring[:1])), ("keywords", pick(["咖啡", "肯德基", "加油站"])),
                    ("types", pick(["050000|060000", "010100"])), ("offset", "20")])
            path = "/v3/place/polygon"
        else:
            q = qs([key, ("keywords", pick(["星巴克", "人民医院", "地铁站", "7-Eleven"])), ("city", pick(["深圳", "杭州"])),
                    ("citylimit", "true"), ("page", str(rng.randint(1, 3)))])
            path = "/v3/place/text"
        out.append(get(path, q, ua=pick(APP_UAS + ["okhttp/4.12.0"]), host=LBS_HOST, accept="application/json"))
    for i in range(25):
        cid, cb = pick(CLIENTS)
        kind = i % 5
        if kind == 0:
            verifier = token(43)
            out.append(get("/oauth2/authorize", qs([("response_type", "code"), ("client_id", cid), ("redirect_uri", cb),
                                                     ("scope", "openid profile email"), ("state", token(16)),
                                                     ("nonce", token(16)), ("code_challenge", b64url(verifier.encode())[:43]),
                                                     ("code_challenge_method", "S256")]), **browser(host=SSO_HOST)))
        elif kind == 1:
            out.append(post_form("/oauth2/token", qs([("grant_type", "authorization_code"), ("code", token(32)),
                                                      ("redirect_uri", cb), ("client_id", cid), ("code_verifier", token(43))]),
                                 host=SSO_HOST, ua="okhttp/4.12.0", accept="application/json"))
        elif kind == 2:
            out.append(get("/oauth/callback", qs([("code", token(32)), ("state", token(16))]),
                           **browser(host="portal.example.com.cn")))
        elif kind == 3:
            out.append(get("/oauth2/userinfo", "", host=SSO_HOST, accept="application/json",
                           extra={"Authorization": "Bearer " + jwt()}))
        else:
            out.append(get("/oidc/logout", qs([("id_token_hint", jwt()), ("post_logout_redirect_uri",
                                                                           "https://portal.example.com.cn/"),
                                                ("state", token(16))]), **browser(host=SSO_HOST)))
    for i in range(25):
        if i % 2:
            q = qs([("Action", pick(["DescribeInstances", "DescribeRegions", "ListUsers"])), ("Format", "JSON"),
                    ("Version", "2014-05-26"), ("AccessKeyId", "LTAI" + token(20)), ("SignatureMethod", "HMAC-SHA1"),
                    ("Timestamp", "2024-11-25T08:%02d:%02dZ" % (rng.randint(0, 59), rng.randint(0, 59))),
                    ("SignatureVersion", "1.0"), ("SignatureNonce", token(32)), ("RegionId", pick(["cn-hangzhou", "cn-shanghai"])),
                    ("Signature", base64.b64encode(bytes(rng.getrandbits(8) for _ in range(20))).decode())])
            out.append(get("/", q, host=ENG_HOST, ua="AlibabaCloud (linux; amd64) Python/3.11.6 Core/2.14.0",
                           accept="application/json"))
        else:
            body = json.dumps({"orderNo": "E%d" % rng.randint(10**9, 10**10), "amount": rng.randint(100, 99999),
                               "notifyUrl": "https://api.example.com/pay/notify"})
            h = headers(host=ENG_HOST, ua="Apache-HttpClient/4.5.14 (Java/17.0.10)", accept="application/json",
                        extra={"Content-Type": "application/json; charset=UTF-8", "X-Ca-Key": str(rng.randint(10**7, 10**8)),
                               "X-Ca-Timestamp": str(1732500000000 + rng.randint(0, 10**7)), "X-Ca-Nonce": token(36),
                               "X-Ca-Signature-Method": "HmacSHA256",
                               "X-Ca-Signature-Headers": "x-ca-key,x-ca-nonce,x-ca-signature-method,x-ca-timestamp",
                               "X-Ca-Signature": base64.b64encode(bytes(rng.getrandbits(8) for _ in range(32))).decode(),
                               "Content-MD5": base64.b64encode(bytes(rng.getrandbits(8) for _ in range(16))).decode()})
            h["Content-Length"] = str(len(body.encode()))
            out.append(req("POST", "/v1/pay/create", "", h, body))
    for i in range(30):
        kind = i % 6
        if kind in (0, 1):
            body = qs([("gmt_create", "2024-11-25 10:%02d:%02d" % (rng.randint(0, 59), rng.randint(0, 59))), ("charset", "utf-8"),
                       ("seller_email", "pay@example.com"), ("subject", pick(["订单 E%d" % rng.randint(10**9, 10**10),
                                                                                "会员月卡 & 加油包"])),
                       ("sign", base64.b64encode(bytes(rng.getrandbits(8) for _ in range(256))).decode()),
                       ("buyer_id", "2088%012d" % rng.randint(0, 10**12)), ("invoice_amount", "%.2f" % (rng.randint(100, 99999) / 100)),
                       ("notify_id", token(34)), ("notify_type", "trade_status_sync"), ("trade_status", "TRADE_SUCCESS"),
                       ("app_id", "2021%012d" % rng.randint(0, 10**12)), ("sign_type", "RSA2"),
                       ("out_trade_no", "T%d" % rng.randint(10**11, 10**12)), ("version", "1.0")])
            out.append(post_form("/pay/alipay/notify", body, host="api.example.com", ua="Mozilla/4.0", accept="*/*"))
        elif kind == 2:
            out.append(send_json("POST", "/pay/wechat/v3/notify", {
                "id": token(36), "create_time": "2024-11-25T10:%02d:00+08:00" % rng.randint(0, 59),
                "resource_type": "encrypt-resource", "event_type": "TRANSACTION.SUCCESS", "summary": "支付成功",
                "resource": {"original_type": "transaction", "algorithm": "AEAD_AES_256_GCM",
                             "ciphertext": base64.b64encode(bytes(rng.getrandbits(8) for _ in range(180))).decode(),
                             "associated_data": "transaction", "nonce": token(12)}},
                host="api.example.com", ua="Mozilla/4.0", accept="*/*",
                extra={"Wechatpay-Serial": sign_hex(40).upper(), "Wechatpay-Timestamp": str(1732500000 + i),
                       "Wechatpay-Nonce": token(32), "Wechatpay-Signature": base64.b64encode(
                           bytes(rng.getrandbits(8) for _ in range(256))).decode()}))
        elif kind in (3, 4):
            commits = [{"id": sign_hex(40), "message": pick(COMMITS), "timestamp": "2024-11-25T10:%02d:00+08:00" % rng.randint(0, 59),
                        "author": {"name": pick(NAMES_EN + NAMES_ZH), "email": "dev%d@example.com" % rng.randint(1, 99)},
                        "added": [], "modified": [pick(["src/order/export.py", "web/src/views/Cart.vue", "README.md"])],
                        "removed": []} for _ in range(rng.randint(1, 3))]
            out.append(send_json("POST", "/hooks/gitlab", {
                "object_kind": "push", "ref": "refs/heads/" + pick(["main", "release/2.4", "feature/export-csv"]),
                "before": sign_hex(40), "after": sign_hex(40), "user_name": pick(NAMES_EN), "total_commits_count": len(commits),
                "project": {"name": "shop-api", "web_url": "https://git.example.com/shop/shop-api",
                            "git_http_url": "https://git.example.com/shop/shop-api.git"}, "commits": commits},
                host="ci.example.com", ua="GitLab/16.11.2", accept="*/*",
                extra={"X-Gitlab-Event": "Push Hook", "X-Gitlab-Token": token(24), "X-Gitlab-Instance": "https://git.example.com"}))
        else:
            out.append(send_json("POST", "/hooks/ci/notify", {
                "name": "shop-api", "build": {"number": rng.randint(100, 3000), "phase": "COMPLETED",
                                              "status": pick(["SUCCESS", "FAILURE", "UNSTABLE"]),
                                              "full_url": "https://jenkins.example.com/job/shop-api/%d/" % rng.randint(100, 3000),
                                              "scm": {"branch": "origin/main", "commit": sign_hex(40)},
                                              "log": "[INFO] Tests run: 412, Failures: 0, Errors: 0, Skipped: 3\n"
                                                     "[INFO] BUILD SUCCESS"}},
                host="ci.example.com", ua="Jenkins/2.440.3", accept="*/*"))
    for i in range(25):
        events = [{"name": pick(["app_start", "page_view", "click_buy", "search", "push_open"]),
                   "ts": 1732500000000 + rng.randint(0, 10**7), "page": pick(["Home", "ItemDetail", "Cart", "Search"]),
                   "params": {"q": pick(["", "保温杯", "蓝牙耳机 降噪"]), "itemId": rng.randint(10**8, 10**9)}}
                  for _ in range(rng.randint(1, 6))]
        body = {"appId": "com.example.shop", "appVersion": pick(["5.3.0", "5.3.1"]), "os": pick(["Android 14", "iOS 17.5"]),
                "device": pick(["Xiaomi 14", "iPhone15,2", "HUAWEI Mate 60", "OPPO Find X7"]), "net": pick(["wifi", "5g", "4g"]),
                "events": events}
        if i % 5 == 0:
            body["crash"] = {"thread": "main", "trace": pick(CRASHES), "fatal": True}
        out.append(send_json("POST", "/log/v2/batch", body, host="log.example.com", ua=pick(APP_UAS),
                             accept="*/*", extra={"X-Device-Id": token(32).upper(), "X-Log-Compress": "none"}))
    for i in range(20):
        out.append(get(pick(["/search", "/api/v2/search", "/tickets/search"]), qs([("q", pick(SEARCH_SAAS))]),
                       **browser(host=pick([DOC_HOST, SELLER_HOST, "helpdesk.example.com"]))))
    return out


# ------------------------------------------------------------------ batch 6
# benign_ops.jsonl, written in session 3 by someone who did not read the
# engine or its rules, and measured before any tuning: operations, DevOps
# and data-platform traffic plus the consumer and internal sites the earlier
# files lack. Monitoring consoles (LogQL, KQL, SPL, alert rules with > < &&),
# runbooks with shell in fenced code blocks, CMDB records (hostnames, private
# IPs as data, paths), CI YAML, Terraform and Dockerfiles saved from a web IDE,
# a Git web UI and an issue tracker, notebooks sending SELECT/JOIN/WITH cells
# to a query service that runs SQL for a living, ETL job definitions, low-code
# form schemas (regex validators, {{ form.x > 1000 }} expressions) and their
# submissions, e-signature contracts, a smart-home dashboard, live-stream
# danmaku, a programming Q&A community, an HR system, government open data.
OPS_HOST = "ops.example.com"
LOGQL = ['{app="order-api", env="prod"} |= "error" != "timeout" | json | latency_ms > 500',
         'sum by (status) (count_over_time({job="nginx"} | pattern "<_> \\"<method> <uri> <_>\\" <status> <_>" [5m]))',
         '{namespace="payment"} | logfmt | level="error" | line_format "{{.ts}} {{.caller}} {{.msg}}"',
         'topk(10, sum by (uri) (rate({job="nginx"} | json | status >= 500 [10m])))',
         '{app="gateway"} |~ "(?i)connection reset|broken pipe" | json | upstream != ""',
         'quantile_over_time(0.99, {app="search"} | json | unwrap duration_ms [5m]) by (route)']
KQL = ["requests | where timestamp > ago(1h) and resultCode >= 500 | summarize count() by bin(timestamp, 5m), name "
       "| order by count_ desc",
       "traces | where message has \"OutOfMemoryError\" | project timestamp, cloud_RoleInstance, message | take 50",
       "service.name : \"checkout\" and http.response.status_code >= 500 and not url.path : \"/healthz\"",
       "dependencies | where success == false and duration > 2s | summarize failures = count() by target, type",
       "host.name : prod-web-* and event.dataset : \"nginx.error\" and message : *upstream*",
       "customEvents | where name == \"PaySuccess\" | extend amount = todouble(customDimensions.amount) "
       "| summarize sum(amount) by bin(timestamp, 1d)"]
SPL = ["index=web sourcetype=nginx:access status>=500 | stats count by uri_path | sort -count | head 20",
       "index=os host=db-* \"Out of memory\" earliest=-24h | table _time host _raw",
       "index=app env=prod | timechart span=1h count by level",
       "index=web | rex field=_raw \"rt=(?<rt>\\d+\\.\\d+)\" | where rt > 1.5 | stats p95(rt) as p95 by host",
       "| tstats count where index=* by sourcetype | sort - count",
       "index=k8s namespace=prod reason=OOMKilled | dedup pod | table _time pod container"]
ALERT_EXPRS = [("CPU 使用率过高", "avg by (instance) (rate(node_cpu_seconds_total{mode!=\"idle\"}[5m])) > 0.9", "5m",
                "{{ $labels.instance }} CPU > 90% 持续 5 分钟"),
               ("接口错误率", "error_rate > 0.05 && qps > 100", "3m", "{{ $labels.service }} 错误率 {{ $value | humanizePercentage }}"),
               ("P99 延迟", "p99_latency_ms >= 800 || timeout_count > 10", "10m", "P99 >= 800ms，请检查下游依赖"),
               ("磁盘空间", "disk_used_percent{mountpoint=\"/data\"} > 85", "15m", "{{ $labels.instance }} /data 使用率 > 85%"),
               ("订单量骤降", "sum(rate(order_created_total[10m])) < 0.5 * sum(rate(order_created_total[10m] offset 1w))",
                "10m", "下单量低于上周同期 50%"),
               ("Redis 连接数", "redis_connected_clients > 8000 and redis_connected_clients < 10000", "5m",
                "连接数接近上限 (10000)")]
RUNBOOKS = [
    ("order-api 重启", "## 现象\n下单接口 5xx 升高，P99 > 2s。\n\n## 处理步骤\n1. 先看最近发布：\n```bash\nkubectl -n prod rollout "
     "history deploy/order-api\n```\n2. 需要时回滚或重启：\n```bash\nkubectl -n prod rollout undo deploy/order-api\nkubectl -n prod get "
     "pods -l app=order-api -w\n```\n3. 在群里同步进展 @值班同学"),
    ("磁盘写满", "## 排查\n```bash\ndf -h /data && du -sh /data/* | sort -rh | head -n 10\n```\n日志目录过大时，按天压缩：\n"
     "```bash\nfind /data/logs/order-api -name '*.log' -mtime +7 -print | xargs -r gzip\n```\n> 注意：不要直接删除当天日志。"),
    ("Nginx 502", "Check the upstream first:\n```bash\njournalctl -u nginx --since \"10 min ago\" | grep -i upstream | tail -n 50\n"
     "sudo nginx -t && sudo systemctl reload nginx\n```\nIf the pods are healthy, check the SLB health-check path `/healthz`."),
    ("MySQL 锁等待", "## 定位长事务\n```sql\nSELECT trx_id, trx_started, trx_mysql_thread_id, trx_query\nFROM information_schema."
     "innodb_trx\nORDER BY trx_started\nLIMIT 10;\n```\n确认后由 DBA 执行 `KILL <thread_id>`，不要自行操作。"),
    ("巡检脚本", "每周一上午跑一次：\n```bash\nfor h in web01 web02 web03; do\n  ssh \"$h\" 'uptime; free -m | head -2'\ndone\n```\n"
     "结果贴到周报里。"),
    ("Redis latency", "```bash\nredis-cli -h redis-prod-01 -p 6379 --latency-history -i 5\nredis-cli -h redis-prod-01 info "
     "memory | grep used_memory_human\n```\nIf `used_memory` > 80% of maxmemory, page the cache owner."),
    ("证书更新", "证书到期前 15 天处理：\n```bash\nopenssl x509 -in /etc/nginx/ssl/example.com.crt -noout -enddate\n"
     "openssl s_client -connect www.example.com:443 -servername www.example.com </dev/null 2>/dev/null | openssl x509 "
     "-noout -dates\n```")]
CMDB_IDC = ["北京亦庄 IDC A3", "上海宝山 IDC B1", "阿里云 华东1（杭州）可用区 H", "腾讯云 广州六区", "华为云 华北-北京四"]
CMDB_APPS = ["order-api", "user-center", "pay-gateway", "search", "report-job", "nginx-edge", "mysql-order", "redis-cache"]
CMDB_REMARKS = ["", "2025-03 扩容 & 迁移（计划中）", "Owner changed: Grace Lee -> 王芳", "维保到期 2026-06-30；<重要> 勿下线",
                "data disk /dev/vdb mounted at /data (ext4)", "临时机器，活动结束后回收", "迁移到 K8s 后下线，见 OPS-1412"]
CI_FILES = [
    (".gitlab-ci.yml", "stages: [build, test, deploy]\n\nvariables:\n  MAVEN_OPTS: \"-Dmaven.repo.local=.m2/repository\"\n\n"
     "build:\n  stage: build\n  image: maven:3.9-eclipse-temurin-17\n  script:\n    - mvn -B -DskipTests package\n"
     "  artifacts:\n    paths: [target/*.jar]\n\ntest:\n  stage: test\n  image: maven:3.9-eclipse-temurin-17\n  script:\n"
     "    - mvn -B test\n\ndeploy_prod:\n  stage: deploy\n  image: registry.example.com/tools/kubectl:1.29\n  script:\n"
     "    - docker build -t $CI_REGISTRY_IMAGE:$CI_COMMIT_SHORT_SHA .\n    - docker push $CI_REGISTRY_IMAGE:$CI_COMMIT_SHORT_SHA\n"
     "    - kubectl -n prod set image deploy/order-api app=$CI_REGISTRY_IMAGE:$CI_COMMIT_SHORT_SHA\n  only: [main]\n"
     "  when: manual\n"),
    (".github/workflows/ci.yml", "name: CI\non:\n  push:\n    branches: [main]\n  pull_request:\n\njobs:\n  test:\n"
     "    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - uses: actions/setup-node@v4\n"
     "        with:\n          node-version: 20\n          cache: npm\n      - run: npm ci\n      - run: npm test -- --coverage\n"
     "      - name: Publish image\n        if: github.ref == 'refs/heads/main' && github.event_name == 'push'\n"
     "        run: |\n          echo \"${{ secrets.REGISTRY_TOKEN }}\" | docker login registry.example.com -u ci --password-stdin\n"
     "          docker build -t registry.example.com/web/site:${{ github.sha }} .\n"
     "          docker push registry.example.com/web/site:${{ github.sha }}\n"),
    ("main.tf", "resource \"alicloud_instance\" \"web\" {\n  count             = 3\n  instance_type     = \"ecs.g7.large\"\n"
     "  image_id          = \"centos_7_9_x64_20G_alibase_20240628.vhd\"\n  vswitch_id        = alicloud_vswitch.main.id\n"
     "  security_groups   = [alicloud_security_group.web.id]\n  instance_name     = \"web-${count.index + 1}\"\n"
     "  system_disk_size  = 40\n  tags = {\n    Env   = var.env\n    Owner = \"ops\"\n  }\n}\n\n"
     "output \"web_private_ips\" {\n  value = alicloud_instance.web[*].private_ip\n}\n"),
    ("variables.tf", "variable \"env\" {\n  type    = string\n  default = \"staging\"\n  validation {\n"
     "    condition     = contains([\"staging\", \"prod\"], var.env)\n    error_message = \"env must be staging or prod.\"\n"
     "  }\n}\n\nvariable \"min_size\" {\n  type    = number\n  default = 2\n}\n"),
    ("Dockerfile", "FROM node:20-alpine AS build\nWORKDIR /app\nCOPY package*.json ./\nRUN npm ci\nCOPY . .\nRUN npm run build\n\n"
     "FROM nginx:1.25-alpine\nRUN apk add --no-cache tzdata && cp /usr/share/zoneinfo/Asia/Shanghai /etc/localtime && echo "
     "\"Asia/Shanghai\" > /etc/timezone\nCOPY --from=build /app/dist /usr/share/nginx/html\nCOPY nginx.conf "
     "/etc/nginx/conf.d/default.conf\nEXPOSE 80\nCMD [\"nginx\", \"-g\", \"daemon off;\"]\n"),
    ("Dockerfile", "FROM python:3.11-slim\nENV PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1\nWORKDIR /srv\nCOPY requirements.txt .\n"
     "RUN pip install -r requirements.txt -i https://mirrors.aliyun.com/pypi/simple/\nCOPY . .\nUSER 1000\n"
     "CMD [\"gunicorn\", \"-w\", \"4\", \"-b\", \"0.0.0.0:8000\", \"app:create_app()\"]\n"),
    ("values-prod.yaml", "replicaCount: 4\nimage:\n  repository: registry.example.com/shop/order-api\n  tag: \"2.4.1\"\n"
     "resources:\n  limits:\n    cpu: \"2\"\n    memory: 2Gi\ningress:\n  enabled: true\n  hosts:\n    - host: api.example.com\n"
     "      paths: [\"/order\"]\nenv:\n  SPRING_PROFILES_ACTIVE: prod\n  JAVA_OPTS: \"-Xms1g -Xmx1g -XX:+UseG1GC\"\n")]
COMMIT_MSGS = ["fix(export): escape commas & quotes in CSV cells", "feat: add `--dry-run` flag to the sync script",
               "chore: bump nginx to 1.25.4 (CVE fixes)", "修复：库存 < 0 时仍可下单的问题", "refactor(alert): move thresholds to config",
               "docs(runbook): add steps for \"disk full\" on /data", "ci: cache ~/.m2 between jobs",
               "perf(sql): rewrite report query with a CTE instead of 3 subqueries", "revert: \"feat: new checkout flow\"",
               "fix: handle timezone (Asia/Shanghai) in cron expressions `0 2 * * *`"]
ISSUES = [("导出订单时金额为负数", "复现步骤：\n1. 打开 /orders?status=refunded\n2. 点击「导出」\n\n期望：金额 >= 0；实际：部分行显示 -0.01。"
           "\n环境：Chrome 124 / Windows 11"),
          ("Alert fires twice for the same incident", "When `error_rate > 0.05 && qps > 100` holds for 6 min we get two pages "
           "(at 3m and 6m). Expected one. Rule: `接口错误率`."),
          ("CMDB 主机 IP 冲突提示不准确", "新增主机 10.12.3.45 时提示与 bj-prod-web-02 冲突，但那台已经下线了（状态 = 已回收）。"),
          ("Helm upgrade hangs on pre-upgrade hook", "Logs:\n```\nError: UPGRADE FAILED: pre-upgrade hooks failed: job failed: "
           "BackoffLimitExceeded\n```\nChart version 2.4.1, k8s 1.29."),
          ("Dark mode: chart tooltip unreadable", "Tooltip text is #333 on #222 background. See screenshot. 建议用 CSS 变量 "
           "`var(--text-primary)`。"),
          ("SQL 查询超时没有提示", "在数据查询页执行一个 JOIN 三张表的查询，超过 300s 后页面一直转圈，没有报错信息。")]
NOTEBOOK_SQL = [
    "-- 日活口径：当天有任一事件的去重用户\nSELECT dt, COUNT(DISTINCT user_id) AS dau\nFROM dwd_app_event\n"
    "WHERE dt BETWEEN '2025-03-01' AND '2025-03-07'\nGROUP BY dt\nORDER BY dt;",
    "WITH paid AS (\n  SELECT user_id, MIN(pay_time) AS first_pay\n  FROM dwd_order\n  WHERE order_status = 'PAID'\n"
    "  GROUP BY user_id\n)\nSELECT DATE(first_pay) AS d, COUNT(*) AS new_buyers\nFROM paid\nWHERE first_pay >= '2025-01-01'\n"
    "GROUP BY DATE(first_pay)\nORDER BY d;",
    "SELECT o.order_id, o.pay_amount, u.city, p.category_name\nFROM dwd_order o\nJOIN dim_user u ON u.user_id = o.user_id\n"
    "LEFT JOIN dim_product p ON p.sku_id = o.sku_id\nWHERE o.dt = '2025-03-05' AND o.pay_amount > 1000\nLIMIT 200;",
    "SELECT category_name,\n       SUM(pay_amount) AS gmv,\n       SUM(pay_amount) / SUM(SUM(pay_amount)) OVER () AS share\n"
    "FROM dws_sales_daily\nWHERE dt >= '2025-03-01'\nGROUP BY category_name\nORDER BY gmv DESC;",
    "SELECT user_id, event_time,\n       LAG(event_time) OVER (PARTITION BY user_id ORDER BY event_time) AS prev_time\n"
    "FROM dwd_app_event\nWHERE dt = '2025-03-05' AND event_name IN ('page_view', 'click_buy')\nLIMIT 1000;",
    "SELECT CASE WHEN age < 18 THEN '<18' WHEN age BETWEEN 18 AND 24 THEN '18-24' WHEN age BETWEEN 25 AND 34 THEN '25-34' "
    "ELSE '35+' END AS age_band,\n       COUNT(*) AS users\nFROM dim_user\nGROUP BY 1\nORDER BY 1;",
    "SELECT province, city, COUNT(*) AS stores\nFROM dim_store\nWHERE store_name LIKE '%旗舰%' AND status <> 'CLOSED'\n"
    "GROUP BY province, city\nHAVING COUNT(*) >= 3;",
    "SELECT toStartOfHour(ts) AS h, quantile(0.99)(latency_ms) AS p99\nFROM ods_nginx_log\n"
    "WHERE ts >= now() - INTERVAL 1 DAY AND status >= 500\nGROUP BY h\nORDER BY h;",
    "SELECT '2025-02' AS month, COUNT(*) AS refunds FROM dwd_refund WHERE dt BETWEEN '2025-02-01' AND '2025-02-28'\n"
    "UNION ALL\nSELECT '2025-03', COUNT(*) FROM dwd_refund WHERE dt BETWEEN '2025-03-01' AND '2025-03-31';",
    "SELECT COALESCE(channel, '未知') AS channel, ROUND(AVG(pay_amount), 2) AS aov\nFROM dwd_order\nWHERE dt = '2025-03-05'\n"
    "GROUP BY COALESCE(channel, '未知');",
    "SELECT sku_id, stock_qty, safety_stock\nFROM ads_inventory_snapshot\nWHERE stock_qty < safety_stock AND warehouse_code = "
    "'WH-SH-01'\nORDER BY stock_qty ASC;",
    "DESCRIBE dwd_order;"]
ETL_JOBS = [
    ("dws_sales_daily", "hive", "SET hive.exec.dynamic.partition.mode=nonstrict;\nINSERT OVERWRITE TABLE dws_sales_daily "
     "PARTITION (dt)\nSELECT category_name, SUM(pay_amount) AS gmv, COUNT(DISTINCT user_id) AS buyers, dt\nFROM dwd_order o\n"
     "JOIN dim_product p ON p.sku_id = o.sku_id\nWHERE dt = '${bizdate}'\nGROUP BY category_name, dt;"),
    ("ods_to_dwd_order", "spark-sql", "INSERT OVERWRITE TABLE dwd_order PARTITION (dt = '${bizdate}')\nSELECT order_id, user_id, "
     "sku_id, CAST(pay_amount AS DECIMAL(12,2)), order_status, pay_time\nFROM ods_order\nWHERE dt = '${bizdate}' AND "
     "order_id IS NOT NULL;"),
    ("sync_user_to_ck", "datax", None)]
LOWCODE_HOST = "forms.example.com"
LOWCODE_SCHEMAS = [
    {"title": "采购申请", "fields": [
        {"key": "applicant", "type": "user", "required": True},
        {"key": "amount", "type": "number", "label": "金额（元）", "min": 0, "max": 1000000},
        {"key": "reason", "type": "textarea", "maxLength": 500},
        {"key": "approval", "type": "text", "readonly": True,
         "computed": "{{ form.amount > 1000 ? '需部门经理审批' : '自动通过' }}"},
        {"key": "invoice", "type": "upload", "accept": ".pdf,.jpg,.png", "visibleWhen": "{{ form.amount >= 5000 }}"}]},
    {"title": "访客登记", "fields": [
        {"key": "name", "type": "text", "required": True},
        {"key": "mobile", "type": "text", "pattern": "^1[3-9]\\d{9}$", "message": "请输入 11 位手机号"},
        {"key": "idNo", "type": "text", "pattern": "^\\d{17}[\\dXx]$"},
        {"key": "company", "type": "text", "visibleWhen": "{{ form.type === 'business' }}"},
        {"key": "visitDate", "type": "daterange", "rule": "{{ form.visitDate[1] - form.visitDate[0] <= 7 * 86400000 }}"}]},
    {"title": "Bug report", "fields": [
        {"key": "email", "type": "text", "pattern": "^[\\w.+-]+@[\\w-]+\\.[\\w.]+$"},
        {"key": "severity", "type": "select", "options": ["P0", "P1", "P2", "P3"]},
        {"key": "steps", "type": "markdown"},
        {"key": "notify", "type": "switch", "visibleWhen": "{{ form.severity == 'P0' || form.severity == 'P1' }}"}]}]
LOWCODE_ANSWERS = [{"applicant": "王芳", "amount": 12800, "reason": "采购 3 台显示器（27\" 2K）& 键鼠套装，用于新员工入职"},
                   {"applicant": "Li Lei", "amount": 860, "reason": "Team-building snacks; budget < 1,000"},
                   {"name": "赵磊", "mobile": "13912345678", "type": "business", "company": "某某科技（上海）有限公司",
                    "visitDate": ["2025-03-10", "2025-03-11"]},
                   {"email": "grace.lee@example.com", "severity": "P2",
                    "steps": "1. Open **Reports**\n2. Pick range 2025-03-01 ~ 2025-03-07\n3. Chart shows `NaN%` when total = 0"}]
ESIGN_HOST = "esign.example.cn"
CLAUSES = ["第 3.2 条 甲方应于“验收合格”之日起 30 日内支付合同价款的 95%；剩余 5% 作为质保金，质保期满后无息支付。",
           "§ 4(b) The Licensee shall not, directly or indirectly, sublicense, sell, or otherwise transfer the Software.",
           "\"Confidential Information\" means any information disclosed by either Party that is marked \"confidential\" "
           "or would reasonably be understood to be confidential.",
           "第 7 条 违约责任：任何一方逾期履行的，每逾期一日按合同总额的 0.05% 支付违约金，但累计不超过合同总额的 10%。",
           "Clause 12.3 — Governing law: the laws of the People's Republic of China (excluding Hong Kong SAR, Macao SAR "
           "and Taiwan).", "乙方保证其提供的资料真实、准确、完整，不存在虚假记载、误导性陈述或重大遗漏。",
           "§ 9 Force Majeure: neither Party is liable for delay caused by events beyond its reasonable control (e.g. "
           "earthquake, epidemic, government action)."]
IOT_HOST = "iot.example.com"
IOT_DEVICES = [("客厅灯", "light", {"power": "on", "brightness": 80, "colorTemp": 4000}),
               ("主卧空调", "ac", {"power": "on", "mode": "cool", "targetTemp": 26, "fan": "auto"}),
               ("扫地机器人", "vacuum", {"command": "start", "suction": "strong", "rooms": ["客厅", "餐厅"]}),
               ("窗帘", "curtain", {"position": 60}), ("Kids' room humidifier", "humidifier", {"power": "on", "target": 50}),
               ("门锁", "lock", {"notify": True, "tempPassword": {"validFrom": "2025-03-08 09:00", "validTo": "2025-03-08 18:00"}})]
IOT_RULES = [("回家模式", "location == 'home' && time >= '18:00'", ["客厅灯: on", "空调: 26°C"]),
             ("Too dry", "humidity < 40 && temperature > 28", ["humidifier: on"]),
             ("夜间门窗提醒", "contact == 'open' && time in ['22:00', '06:00']", ["push: 门窗未关"]),
             ("离家省电", "nobody_home_minutes > 30 || last_person_left == true", ["全部灯: off", "扫地机器人: start"])]
LIVE_HOST = "live.example.com"
DANMAKU = ["666", "666666", "hhh", "哈哈哈哈哈哈", "233333", "前方高能", "awsl", "主播好强", "(╯°□°）╯︵ ┻━┻", "yyds", "来了来了",
           "第一！", "泪目", "kksk", "打卡", "这波操作 666", "<(￣︶￣)>", "orz", "QAQ", "^_^", "o(*￣▽￣*)ブ", "＞﹏＜", "😂😂😂",
           "🐮🍺", "下次一定", "老板大气", "BGM 是什么？", "1", "？？？", "xswl", "p1 > p2", "<3", ">>>>>>", "空降 12:34",
           "3:14 名场面", "awsl (✿◡‿◡)", "主播能不能开一下 1080p", "没有人比我更懂 C++ 了（bushi", "¯\\_(ツ)_/¯",
           "这是什么神仙操作 ∑(っ °Д °;)っ", "弹幕护体", "+1", "11111", "啊这", "好家伙", "我直接好家伙", "GG", "nb", "sb 队友",
           "up 主更新了！！", "求 BGM 名字 & 歌单", "今晚 8 点继续吗？", "这个价格 < 99 才买", "= =", "-_-||", "(*^▽^*)",
           "T_T", "看到这里的都是真爱 ❤", "🎉🎉🎉", "笑死，根本停不下来", "《关于我看了 3 遍这件事》"]
QA_HOST = "ask.example.com"
QA_QUESTIONS = [
    ("Python 里 list.sort() 和 sorted() 有什么区别？", "看文档说 `sorted()` 返回新列表，`list.sort()` 原地排序并返回 `None`。"
     "那下面这段为什么打印 None？\n```python\nnums = [3, 1, 2]\nprint(nums.sort())\n```"),
    ("MySQL LEFT JOIN 之后 WHERE 过滤导致行变少", "我想保留所有用户，但加了条件后没有订单的用户不见了：\n```sql\nSELECT u.id, o.id\n"
     "FROM users u\nLEFT JOIN orders o ON o.user_id = u.id\nWHERE o.status = 'PAID';\n```\n是不是应该把条件放到 ON 里面？"),
    ("bash 判断文件是否存在总是失败", "脚本如下，文件名里有空格：\n```bash\nfile=\"my report.txt\"\nif [ -f $file ]; then\n"
     "  echo \"exists\"\nfi\n```\n报错 `[: too many arguments`。"),
    ("C++ vector reserve 之后下标赋值为什么不报错？", "```cpp\nstd::vector<int> v;\nv.reserve(10);\nv[5] = 1;   // UB?\n"
     "std::cout << v.size() << std::endl;  // 0\n```"),
    ("JS 中 0.1 + 0.2 !== 0.3 怎么比较？", "用 `Math.abs(a - b) < Number.EPSILON` 可以吗？金额计算是不是应该用分（整数）？"),
    ("Vue3 里 v-for 和 v-if 能一起用吗？", "```html\n<li v-for=\"item in list\" v-if=\"item.visible\" :key=\"item.id\">"
     "{{ item.name }}</li>\n```\n控制台有警告，推荐写法是什么？"),
    ("正则匹配 6 位邮编", "写了 `^\\d{6}$`，但是 \"100 000\" 这种带空格的也想匹配，怎么改？"),
    ("Go 的 defer 在循环里会有问题吗？", "```go\nfor _, f := range files {\n    fh, _ := os.Open(f)\n    defer fh.Close()\n}\n```\n"
     "文件很多的时候报 too many open files。"),
    ("How do I exit vim?", "I typed `:q` but it says `E37: No write since last change`. I don't want to save."),
    ("Java Stream 分组后求和", "```java\nMap<String, Integer> m = orders.stream()\n    .collect(Collectors.groupingBy(Order::getCity, "
     "Collectors.summingInt(Order::getQty)));\n```\n怎么按值倒序输出？")]
QA_ANSWERS = ["把条件移到 ON 里：`LEFT JOIN orders o ON o.user_id = u.id AND o.status = 'PAID'`，WHERE 会把 NULL 行过滤掉。",
              "变量要加引号：`if [ -f \"$file\" ]; then`，否则空格会把参数拆开。也可以用 `[[ -f $file ]]`。",
              "`reserve` 只改变 capacity，不改变 size，`v[5]` 是未定义行为；用 `resize(10)` 或 `push_back`。",
              "金额建议全部用整数（分）存储和计算，展示时再 `/ 100`，或者用 decimal.js 之类的库。",
              "Vue 3 中 `v-if` 优先级高于 `v-for`，用 `<template v-for>` 包一层，或者先 `computed` 过滤。",
              "Press `Esc`, then type `:q!` and Enter. `:wq` saves and quits.",
              "`.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed())` 即可。",
              "循环里 defer 要等函数返回才执行，改成匿名函数包一层：`func() { defer fh.Close(); ... }()`。"]
QA_SEARCH = ["left join where", "bash 文件 存在 判断", "vector reserve resize 区别", "0.1+0.2", "v-for v-if", "exit vim",
             "python sort sorted", "go defer loop", "正则 邮编", "Collectors.groupingBy 排序"]
HR_HOST = "hr.example.com"
LEAVE_REASONS = ["回老家办事 & 陪父母体检", "孩子发烧，需要在家照顾（已附病历）", "婚假：3/15 领证，3/16-3/23 旅行",
                 "Annual leave - family trip to Yunnan (Kunming > Dali > Lijiang)", "产检（第 24 周）", "搬家，需要请 1 天",
                 "Dentist appointment 14:00-16:00", "参加 \"全国计算机等级考试\"（二级 C 语言）"]
HR_EXPENSES = [("差旅-高铁", "上海虹桥 -> 北京南 G2 二等座", 626.0), ("差旅-住宿", "北京某酒店 2 晚（≤ 500 元/晚标准）", 956.0),
               ("招待费", "客户晚餐 4 人 @ 某某餐厅", 1280.5), ("Taxi", "Airport -> office, late flight (after 23:00)", 168.0),
               ("办公用品", "显示器支架 ×2、HDMI 线 ×3", 389.0)]
OPEN_HOST = "data.example.gov.cn"
OPEN_DATASETS = [("air-quality-daily", "空气质量日报"), ("bus-stations", "公交站点"), ("enterprise-registry", "企业登记信息"),
                 ("hospital-list", "医疗机构名录"), ("school-list", "中小学名录"), ("housing-price-index", "房价指数")]
DISTRICTS = ["浦东新区", "黄浦区", "徐汇区", "海淀区", "朝阳区", "西湖区", "南山区"]


def ops():
    out = []
    # live-stream danmaku and gifts: the most frequent, short and noisy
    for i in range(80):
        room = rng.choice([21452505, 7734200, 5440, 923833])
        if i % 8 == 7:
            out.append(post_form("/xlive/gift/send", qs([("room_id", str(room)), ("gift_id", pick(["31036", "30607", "1"])),
                                                         ("num", str(rng.choice([1, 1, 10, 66, 520]))),
                                                         ("csrf", token(32))]), **browser(host=LIVE_HOST)))
            continue
        msg = pick(DANMAKU)
        out.append(post_form("/msg/send", qs([("bubble", "0"), ("msg", msg), ("color", pick(["16777215", "16738408", "6737151"])),
                                              ("mode", pick(["1", "1", "1", "4", "5"])), ("fontsize", "25"),
                                              ("rnd", str(1741400000 + rng.randint(0, 99999))), ("roomid", str(room)),
                                              ("csrf", token(32)), ("csrf_token", token(32))]),
                             **browser(host=LIVE_HOST, ua=rng.choice([0, 3, 4, 6]))))
    for i in range(10):
        out.append(get("/x/v2/reply/main", qs([("oid", str(rng.randint(10**8, 10**9))), ("type", "1"), ("mode", "3"),
                                                ("next", str(rng.randint(0, 5)))]), host=LIVE_HOST,
                       accept="application/json, text/plain, */*", ua=rng.randrange(len(UAS))))
    # monitoring consoles: log queries in three languages, dashboards, alerts
    for i in range(45):
        kind = i % 5
        if kind == 0:
            q = qs([("query", pick(LOGQL)), ("limit", "1000"), ("direction", "backward"),
                    ("start", str(1741400000000000000 + rng.randint(0, 10**12))), ("end", str(1741403600000000000))])
            out.append(get("/grafana/api/datasources/proxy/uid/loki-prod/loki/api/v1/query_range", q, host=OPS_HOST,
                           accept="application/json", extra=dict(api_headers(), **{"X-Grafana-Org-Id": "1"})))
        elif kind == 1:
            out.append(send_json("POST", "/api/logs/kql/search", {"query": pick(KQL), "timeRange": {"from": "now-1h", "to": "now"},
                                                                  "size": 200}, host=OPS_HOST, extra=api_headers()))
        elif kind == 2:
            spl = pick(SPL)
            out.append(post_form("/splunk/en-US/splunkd/__raw/servicesNS/admin/search/search/jobs",
                                 qs([("search", spl if spl.startswith("|") else "search " + spl),
                                     ("earliest_time", pick(["-15m", "-1h", "-24h@h"])), ("latest_time", "now"),
                                     ("output_mode", "json"), ("status_buckets", "300")]),
                                 host=OPS_HOST, ua=rng.randrange(len(UAS)), accept="application/json",
                                 extra={"X-Splunk-Form-Key": sign_hex(20), "Cookie": "splunkd_8000=" + token(40)}))
        elif kind == 3:
            out.append(get("/grafana/api/dashboards/uid/" + token(9), "", host=OPS_HOST, accept="application/json",
                           extra={"Cookie": "grafana_session=" + sign_hex(32)}))
        else:
            out.append(get("/api/v1/alerts", qs([("state", pick(["firing", "pending"])),
                                                  ("severity", pick(["critical", "warning"])),
                                                  ("filter", pick(["service=\"order-api\"", "env=\"prod\",team=\"sre\"",
                                                                   "alertname=~\"Disk.*\""]))]),
                           host=OPS_HOST, accept="application/json", extra=api_headers()))
    for i in range(15):
        name, expr, dur, summary = pick(ALERT_EXPRS)
        out.append(send_json(pick(["POST", "PUT"]), "/api/v1/alert-rules", {
            "name": name, "expr": expr, "for": dur, "severity": pick(["P1", "P2", "P3"]),
            "labels": {"team": pick(["sre", "dba", "trade"]), "env": "prod"},
            "annotations": {"summary": summary, "runbook": "https://wiki.example.com/ops/runbook/%d" % rng.randint(100, 999)},
            "notify": {"channels": rng.sample(["dingtalk", "wecom", "sms", "phone", "email"], 2),
                       "silence": pick([None, "00:00-08:00 (non-critical only)"])}}, host=OPS_HOST, extra=api_headers()))
    for i in range(15):
        title, md = pick(RUNBOOKS)
        out.append(send_json("PUT", "/api/wiki/pages/%d" % rng.randint(1000, 9999), {
            "space": "OPS", "title": "Runbook: " + title, "format": "markdown", "body": md,
            "version": rng.randint(2, 40), "minorEdit": rng.random() < 0.5}, host="wiki.example.com", extra=api_headers()))
    # CMDB
    for i in range(20):
        app = pick(CMDB_APPS)
        if i % 4 == 3:
            out.append(get("/api/cmdb/hosts", qs([("q", pick(["app:" + app, "idc:\"北京亦庄 IDC A3\"", "ip:10.12.3.*",
                                                                "os:CentOS 7.9 AND status:在线"])),
                                                   ("page", "1"), ("size", "50")]),
                           host="cmdb.example.com", accept="application/json", extra=api_headers()))
            continue
        n = rng.randint(1, 24)
        out.append(send_json(pick(["POST", "PUT"]), "/api/cmdb/hosts", {
            "hostname": "%s-prod-%s-%02d" % (pick(["bj", "sh", "hz"]), app.split("-")[0], n),
            "ip": "10.%d.%d.%d" % (rng.randint(1, 30), rng.randint(0, 255), rng.randint(2, 254)),
            "os": pick(["CentOS 7.9", "Ubuntu 22.04 LTS", "Alibaba Cloud Linux 3", "Windows Server 2019"]),
            "cpu": rng.choice([4, 8, 16, 32]), "memGB": rng.choice([8, 16, 32, 64]), "idc": pick(CMDB_IDC),
            "rack": "A%d-%02d-U%02d" % (rng.randint(1, 5), rng.randint(1, 20), rng.randint(1, 42)),
            "app": app, "owner": pick(NAMES_ZH + NAMES_EN), "tags": rng.sample(["nginx", "java", "k8s-node", "db", "cache",
                                                                                "核心", "非核心"], 2),
            "paths": {"deploy": "/opt/apps/" + app, "logs": "/data/logs/%s/" % app},
            "remark": pick(CMDB_REMARKS)}, host="cmdb.example.com", extra=api_headers()))
    # CI, IaC and Dockerfiles saved from a web IDE; Git web UI; issue tracker
    for i in range(25):
        path, content = pick(CI_FILES)
        out.append(send_json("PUT", "/api/v4/projects/%d/repository/files/%s" % (rng.randint(10, 300), enc(path)), {
            "branch": pick(["main", "feature/ci-cache", "ops/terraform-web"]), "content": content,
            "commit_message": pick(COMMIT_MSGS), "last_commit_id": sign_hex(40)}, host="git.example.com",
            extra={"PRIVATE-TOKEN": "glpat-" + token(20), "X-Requested-With": "XMLHttpRequest"}))
    for i in range(12):
        out.append(send_json("POST", "/api/v4/projects/%d/merge_requests" % rng.randint(10, 300), {
            "source_branch": "feature/" + pick(["export-csv", "alert-dedupe", "cmdb-ip-check"]), "target_branch": "main",
            "title": pick(COMMIT_MSGS), "description": "## 变更\n- " + pick(COMMIT_MSGS) + "\n- " + pick(COMMIT_MSGS) +
            "\n\n## 测试\n- [x] 单元测试\n- [ ] 预发验证 (staging)\n\nCloses #" + str(rng.randint(100, 999)),
            "remove_source_branch": True}, host="git.example.com", extra={"PRIVATE-TOKEN": "glpat-" + token(20)}))
    for i in range(13):
        title, body = pick(ISSUES)
        out.append(send_json("POST", "/rest/api/2/issue", {"fields": {
            "project": {"key": pick(["OPS", "DATA", "WEB"])}, "summary": title, "description": body,
            "issuetype": {"name": pick(["Bug", "Task"])}, "priority": {"name": pick(["High", "Medium", "Low"])},
            "labels": rng.sample(["monitoring", "cmdb", "sql", "ui", "helm"], 2)}},
            host="jira.example.com", extra=api_headers()))
    # data platform: notebooks and the query service, ETL definitions
    for i in range(35):
        out.append(send_json("POST", "/api/v1/query/execute", {
            "engine": pick(["hive", "presto", "clickhouse", "spark-sql"]), "catalog": "dw", "sql": pick(NOTEBOOK_SQL),
            "limit": pick([1000, 5000]), "notebookId": token(12), "cellId": rng.randint(1, 40),
            "params": {"bizdate": "2025-03-%02d" % rng.randint(1, 9)}}, host="data.example.com",
            extra=dict(api_headers(), **{"X-Workspace": pick(["growth", "finance", "supply-chain"])})))
    for i in range(10):
        name, engine, sql = pick(ETL_JOBS)
        job = {"name": name, "engine": engine, "schedule": {"cron": pick(["0 2 * * *", "30 1 * * *", "0 */2 * * *"]),
                                                             "timezone": "Asia/Shanghai"},
               "dependsOn": ["ods_order", "dim_product"], "retry": {"times": 3, "intervalSec": 300},
               "alert": {"onFailure": True, "receivers": [pick(NAMES_ZH)]}}
        if sql:
            job["sql"] = sql
        else:
            job["datax"] = {"reader": {"name": "mysqlreader", "parameter": {"column": ["id", "nickname", "city", "created_at"],
                                                                             "where": "created_at >= '${bizdate}'",
                                                                             "table": ["user_center.t_user"]}},
                            "writer": {"name": "clickhousewriter", "parameter": {"table": "dim_user", "batchSize": 5000}}}
        out.append(send_json("POST", "/api/v1/etl/jobs", job, host="data.example.com", extra=api_headers()))
    # low-code forms: schemas and submissions
    for i in range(20):
        schema = pick(LOWCODE_SCHEMAS)
        out.append(send_json("PUT", "/api/apps/%s/forms/%s" % (token(8), token(10)), {"schema": schema, "version": rng.randint(1, 30)},
                             host=LOWCODE_HOST, extra=api_headers()))
    for i in range(15):
        out.append(send_json("POST", "/api/apps/%s/records" % token(8), {"data": pick(LOWCODE_ANSWERS),
                                                                        "submitAt": "2025-03-%02dT10:%02d:00+08:00" % (
                                                                            rng.randint(1, 9), rng.randint(0, 59))},
                             host=LOWCODE_HOST, ua=rng.randrange(len(UAS)), extra={"Cookie": "lc_sid=" + token(32)}))
    # e-signature and contracts
    for i in range(20):
        kind = i % 4
        if kind == 0:
            out.append(post_multipart("/api/v1/documents", [("title", pick(["采购合同-2025-031", "Software License Agreement",
                                                                             "保密协议（NDA）"])),
                                                              ("file", pdf(), pick(["采购合同.pdf", "SLA-2025.pdf", "NDA.pdf"]),
                                                               "application/pdf")],
                                      boundary="----WebKitFormBoundary" + token(16), **browser(host=ESIGN_HOST)))
        elif kind == 1:
            out.append(send_json("POST", "/api/v1/envelopes", {
                "title": pick(["采购合同-2025-031", "劳动合同（2025 版）", "Software License Agreement"]),
                "documentId": token(24), "signers": [{"name": pick(NAMES_ZH), "mobile": "139%08d" % rng.randint(0, 10**8),
                                                      "order": 1},
                                                     {"name": pick(NAMES_EN), "email": "legal@example.com", "order": 2}],
                "fields": [{"type": "signature", "page": rng.randint(1, 6), "x": rng.randint(50, 400), "y": rng.randint(80, 700)},
                           {"type": "date", "page": 6, "x": 420, "y": 720}],
                "expireAt": "2025-03-31T23:59:59+08:00", "message": "请于 3 月 31 日前完成签署，谢谢！"},
                host=ESIGN_HOST, extra=api_headers()))
        else:
            out.append(send_json("PUT", "/api/v1/templates/%d/clauses" % rng.randint(10, 99), {
                "clauses": [{"no": "%d.%d" % (rng.randint(1, 12), rng.randint(1, 5)), "text": c}
                            for c in rng.sample(CLAUSES, 3)], "comment": pick(["按法务意见修改第 7 条", "Minor wording",
                                                                                "新增不可抗力条款 §9"])},
                host=ESIGN_HOST, extra=api_headers()))
    # smart home
    for i in range(30):
        kind = i % 3
        if kind == 0:
            name, typ, props = pick(IOT_DEVICES)
            out.append(send_json("POST", "/api/v2/devices/%s/properties" % sign_hex(16), {"name": name, "type": typ,
                                                                                         "set": props},
                                 host=IOT_HOST, ua=pick(APP_UAS), extra={"Authorization": "Bearer " + jwt()}))
        elif kind == 1:
            name, cond, actions = pick(IOT_RULES)
            out.append(send_json("PUT", "/api/v2/automations/%d" % rng.randint(1, 200), {"name": name, "condition": cond,
                                                                                        "actions": actions, "enabled": True},
                                 host=IOT_HOST, ua=pick(APP_UAS), extra={"Authorization": "Bearer " + jwt()}))
        else:
            out.append(get("/api/v2/devices/%s/history" % sign_hex(16), qs([("prop", pick(["temperature", "humidity", "pm25"])),
                                                                          ("from", "2025-03-01 00:00"),
                                                                          ("to", "2025-03-07 23:59"), ("agg", "1h")]),
                           host=IOT_HOST, ua=pick(APP_UAS), accept="application/json"))
    # programming Q&A community
    for i in range(30):
        kind = i % 3
        if kind == 0:
            title, body = pick(QA_QUESTIONS)
            out.append(send_json("POST", "/api/questions", {"title": title, "body": body,
                                                             "tags": rng.sample(["python", "mysql", "bash", "c++", "javascript",
                                                                                 "vue", "go", "java", "regex", "vim"], 2)},
                                 host=QA_HOST, extra=dict(api_headers(), **{"Cookie": "ask_sid=" + token(32)})))
        elif kind == 1:
            out.append(send_json("POST", "/api/questions/%d/answers" % rng.randint(10**5, 10**6), {"body": pick(QA_ANSWERS)},
                                 host=QA_HOST, extra=api_headers()))
        else:
            out.append(get("/search", qs([("q", pick(QA_SEARCH)), ("type", "question")]), **browser(host=QA_HOST)))
    # HR system
    for i in range(30):
        kind = i % 3
        if kind == 0:
            d = rng.randint(3, 20)
            out.append(send_json("POST", "/api/leave/apply", {
                "type": pick(["年假", "病假", "事假", "婚假", "产检假", "Annual leave"]),
                "start": "2025-03-%02d 09:00" % d, "end": "2025-03-%02d 18:00" % (d + rng.randint(0, 4)),
                "days": rng.choice([0.5, 1, 2, 3, 5]), "reason": pick(LEAVE_REASONS),
                "handover": "工作交接给 @" + pick(NAMES_ZH), "approver": pick(NAMES_ZH)}, host=HR_HOST, extra=api_headers()))
        elif kind == 1:
            cat, desc, amt = pick(HR_EXPENSES)
            out.append(send_json("POST", "/api/expense/claims", {"items": [{"category": cat, "desc": desc, "amount": amt,
                                                                            "date": "2025-03-%02d" % rng.randint(1, 9)}],
                                                                 "total": "¥{:,.2f}".format(amt), "costCenter": "研发中心/后端组",
                                                                 "project": "P-2025-007"}, host=HR_HOST, extra=api_headers()))
        else:
            out.append(get("/api/attendance", qs([("month", "2025-03"), ("dept", pick(["研发中心/后端组", "市场部", "R&D / QA"])),
                                                  ("range", "2025-03-01~2025-03-31"), ("status", pick(["late", "all"]))]),
                           **browser(host=HR_HOST)))
    # government open data
    for i in range(30):
        ds, title = pick(OPEN_DATASETS)
        kind = i % 5
        if kind in (0, 1):
            q = qs([("resource_id", ds), ("q", pick(["", title, pick(DISTRICTS)])),
                    ("filters", json.dumps({"district": pick(DISTRICTS)}, ensure_ascii=False)),
                    ("sort", pick(["date desc", "name asc", "aqi desc"])), ("limit", "100"), ("offset", str(100 * rng.randint(0, 5)))])
            out.append(get("/api/3/action/datastore_search", q, host=OPEN_HOST, accept="application/json",
                           ua=pick(["python-requests/2.31.0", "Apache-HttpClient/4.5.14 (Java/17.0.10)", UAS[0]])))
        elif kind == 2:
            out.append(get("/api/3/action/datastore_search_sql",
                           qs([("sql", "SELECT district, AVG(aqi) AS avg_aqi FROM \"%s\" WHERE date >= '2025-01-01' "
                                       "GROUP BY district ORDER BY avg_aqi DESC" % ds)]),
                           host=OPEN_HOST, accept="application/json", ua="python-requests/2.31.0"))
        elif kind == 3:
            out.append(get("/api/open/%s/records" % ds, qs([("where", "year >= 2020 and district = '%s'" % pick(DISTRICTS)),
                                                            ("fields", "name,address,phone"), ("format", pick(["json", "csv"])),
                                                            ("appKey", token(24))]), host=OPEN_HOST,
                           accept="application/json", ua=pick(["okhttp/4.12.0", "python-requests/2.31.0"])))
        else:
            out.append(get("/dataset/" + ds, qs([("keyword", title)]), **browser(host=OPEN_HOST)))
    return out


# ------------------------------------------------------------------ batch 7
# benign_life.jsonl, written in session 3 by someone who did not read the
# engine or its rules (nor ran it or any benchmark on them), to be measured
# before any tuning: consumer and public-service traffic the earlier files
# lack, in rough proportion for the sites a Chinese cloud WAF fronts. Food
# delivery (addresses, notes such as "不要辣 & 多放葱", coupons), ride-hailing,
# online banking (amounts, masked UnionPay cards, IBAN-like accounts, memos),
# hospital portals (symptoms, lab values with <, >, ≤), school and exam
# registration, news comments (long Chinese text with quotes, public URLs,
# emoji, "select"/"drop"/"union" in ordinary sentences), video and music
# (search, timed danmaku, playlists), real estate and second-hand markets
# (3'6", 120㎡, <50万), ticketing, weather and maps, 12345 hotline complaints,
# an AI chat assistant to which users paste code, SQL, shell commands and
# error logs and ask questions, translation, e-books and forums. Nothing here
# is an attack: code and commands appear only as text a user pastes into a
# chat or forum, with no tautology, stacked query or payload shape.
WAIMAI_HOST = "waimai.example.cn"
SHOPS = [("老王家重庆小面（望京店）", ["重庆小面", "豌杂面", "红油抄手", "冰粉"]),
         ("喜茶 HEYTEA · 国贸店", ["多肉葡萄", "芝芝莓莓", "烤黑糖波波牛乳", "纯绿妍茶后"]),
         ("肯德基 KFC（中关村店）", ["香辣鸡腿堡", "吮指原味鸡 2 块", "薯条（大）", "可乐（中）"]),
         ("海底捞外送", ["番茄锅底", "肥牛卷", "虾滑", "捞派毛肚"]),
         ("Subway 赛百味", ["Italian B.M.T. 6\"", "Turkey Breast 12\"", "Cookie × 2"]),
         ("沙县小吃", ["拌面", "扁肉（馄饨）", "蒸饺", "鸭腿饭"]),
         ("瑞幸咖啡 luckin", ["生椰拿铁", "厚乳拿铁", "美式（少冰）"])]
WAIMAI_NOTES = ["不要辣 & 多放葱", "少辣，不要香菜！！！", "放门口就行，别敲门（宝宝在睡觉）", "少冰 | 半糖", "去冰、三分糖",
                "到了打电话 138****0521，不要打 2 次", "餐具不要了（环保）", "麻烦多给 2 包醋 + 1 包辣椒油",
                "Please leave it at the front desk, thanks!", "汤分开装，别洒了 >_<", "", "", "", "微辣；葱花 & 蒜泥都要",
                "楼下外卖柜 #12 号格子", "要发票，抬头：某某科技（上海）有限公司，税号 91310000MA1XXXXXX", "小份 * 2，分两个袋子装",
                "老板，上次的面有点坨，这次请煮 3'30\" 就好 😂"]
WAIMAI_SEARCH = ["麻辣烫", "奶茶 满减", "轻食 沙拉 < 30元", "披萨 12寸", "黄焖鸡米饭", "coffee", "烧烤 夜宵", "粥 养胃",
                 "select 精选好店", "减脂餐 低卡", "M&M's 巧克力", "生日蛋糕 6寸 动物奶油"]
WAIMAI_REVIEWS = ["味道不错，分量足，配送小哥态度很好 👍", "面有点坨了，送了 50 分钟……", "第 N 次回购，yyds",
                  "包装很用心，汤一点没洒。就是辣度'微辣'其实挺辣的 🌶️🌶️", "Good food, fast delivery. 5/5",
                  "备注了不要香菜还是放了 :( 其他还行", "比堂食便宜 & 方便，推荐番茄锅底"]
RIDE_HOST = "ride.example.cn"
PLACES = ["首都国际机场 T3 航站楼", "北京南站（东进站口）", "望京 SOHO T1", "上海虹桥站 P9 停车场", "陆家嘴 · 国金中心 IFC",
          "深圳北站 西广场", "杭州东站 出租车上客区", "广州塔（南门）", "成都天府国际机场 T2", "西湖 · 断桥残雪",
          "中关村软件园 二期 10 号楼", "浦东新区张江高科地铁站 1 号口"]
RIDE_NOTES = ["", "", "我在 2 号门，穿红色外套", "带了一只小狗（< 10kg，有航空箱）", "有 2 个 28\" 行李箱，请开后备箱",
              "Please call when you arrive; I'm at Gate B", "孕妇，开慢点，谢谢", "不要走三环，太堵了 -_-", "需要儿童座椅吗？孩子 3 岁"]
RIDE_COMMENTS = ["司机很准时，车内干净 👍", "师傅开得有点猛，急刹 3 次……", "5 星好评！帮忙搬了行李", "空调太冷了 (T_T)",
                 "路线绕了，比预估多了 ¥12.5，已申诉", "Nice driver, smooth ride."]
BANK_HOST = "ebank.example.com.cn"
BANK_MEMOS = ["房租 3月 & 水电", "还款-信用卡（尾号 8866）", "生活费", "AA 聚餐 ¥1,286 / 4 人", "学费（2025 春季）",
              "Invoice #INV-2025-0031 / PO 7781", "押一付三：押金 + 3 个月房租", "给爸妈的红包 ❤", "货款 -- 合同 HT-2025-118",
              "退回多付款项 (overpaid 0.50)", "", "工资 2025-02"]
BANK_NAMES = ["中国工商银行", "中国建设银行", "招商银行", "中国银行", "交通银行", "浦发银行", "中国农业银行"]
IBANS = ["GB82 WEST 1234 5698 7654 32", "DE89 3704 0044 0532 0130 00", "FR14 2004 1010 0505 0001 3M02 606",
         "HK-012-345678-001", "SG 7010 0123 4567"]
SWIFTS = ["BKCHCNBJ", "ICBKCNBJ", "PCBCCNBJ", "CMBCCNBS", "HSBCHKHHHKH"]
HEALTH_HOST = "health.example.cn"
SYMPTOMS = ["咳嗽 2 周，夜间加重，有少量白痰，无发热。", "头晕、乏力 3 天，血压 150/95 mmHg（平时 < 130/85）。",
            "孩子 4 岁，体温 38.6℃，呕吐 2 次，精神还可以。", "右下腹痛 6 小时，按压时更痛，想问要不要去急诊？",
            "Rash on both arms after eating seafood (shrimp); itchy, no trouble breathing.",
            "体检报告：ALT 56 U/L（参考值 < 40），AST 38 U/L，需要复查吗？", "空腹血糖 7.2 mmol/L（≥ 7.0），餐后 2h 11.5，是糖尿病吗？",
            "TSH 5.8 mIU/L (ref 0.27-4.2), FT4 normal. Subclinical hypothyroidism?", "孕 24 周，OGTT：5.0 / 10.3 / 8.9 mmol/L",
            "膝盖上下楼梯痛，左侧 > 右侧，蹲下起来有'咔咔'声。", "尿酸 520 μmol/L（男性 > 420 为高），脚趾关节偶尔疼。",
            "视力：右眼 4.8，左眼 4.6，看黑板有点模糊。"]
LAB_ITEMS = [("WBC", "6.3", "10^9/L", "3.5-9.5"), ("HGB", "128", "g/L", "130-175"), ("PLT", "245", "10^9/L", "125-350"),
             ("CRP", "<0.5", "mg/L", "≤ 10"), ("HbA1c", "6.8", "%", "< 6.0"), ("LDL-C", "3.9", "mmol/L", "< 3.4"),
             ("TG", "2.31", "mmol/L", "< 1.7"), ("Cr", "88", "μmol/L", "57-111"), ("25-OH-VD", "18.2", "ng/mL", "> 30"),
             ("PSA", "0.82", "ng/mL", "≤ 4.0"), ("HCG", ">10000", "mIU/mL", "< 5 (未孕)")]
EXAM_HOST = "exam.example.edu.cn"
EXAMS = ["全国大学英语四级考试（CET-4）", "全国计算机等级考试 二级 C 语言程序设计", "普通话水平测试", "教师资格证（笔试）·科目二",
         "研究生招生考试 · 数学（一）", "中小学生学业水平考试（信息技术）", "初级会计职称 · 经济法基础"]
SCHOOLS = ["北京市第一中学", "上海交通大学", "华中科技大学", "杭州市文三街小学", "深圳中学", "成都七中", "中国人民大学"]
NEWS_HOST = "news.example.com"
NEWS_COMMENTS = [
    "说得太对了！\"内卷\"的根源不是大家不努力，而是上升通道太窄。建议相关部门 select 一批试点城市先做起来，别一刀切。",
    "这篇报道的数据来源是国家统计局吗？我查了 https://www.stats.gov.cn/ 没找到对应表格，求链接 🙏",
    "作为在一线干了 10 年的护士，看到这条新闻真的泪目了 😭 希望大家多一点理解。",
    "drop 掉这些形式主义的考核吧，基层真的忙不过来。",
    "英超这赛季曼联 union 了一堆新球员，结果还是 1:3 输了……心累",
    "文章第三段有个错别字：'再接再励' 应该是 '再接再厉'。",
    "我觉得作者忽略了一点：房价 < 收入的 6 倍才算合理，现在一线城市都 > 20 倍了。",
    "Where can I find the English version of this article? 想转给外国同事看看。",
    "楼上说的 \"1=1 也能被说成 2\" 是什么梗？🤣",
    "The union reached a deal with the company last night; workers will get a 6% raise. 这个消息可靠吗？",
    "更新一下：刚才官方辟谣了，见 https://www.piyao.org.cn/ 上的公告。",
    "老家就是这个县的，去年 7 月发大水，路断了 3 天，今年修好了 👍👍",
    "小编能不能别用\"震惊！\"当标题了，都 2025 年了……",
    "请问 'AI 生成内容需标注' 的规定从哪天开始执行？<急>",
    "比赛结果：中国队 3-1 胜，武磊梅开二度！！！⚽⚽",
    "我投反对票：这个政策 & 去年那个一样，最后都是 order 一下就没下文了。",
    "有没有懂行的解释一下 \"降准 0.5 个百分点\" 对普通人房贷的影响？月供 ≈ 少多少？",
    "As a teacher I'd say: select the right textbooks first, then talk about reducing homework.",
    "评论区怎么全是 bot？“好文章，已转发”刷屏了 🙄",
    "顶！这才是新闻该有的样子 —— 有调查、有数据、有态度。"]
NEWS_TOPICS = ["两会", "新能源汽车", "高考", "房地产", "人工智能", "国足", "天气", "春运", "医保", "就业"]
VIDEO_HOST = "video.example.com"
MUSIC_HOST = "music.example.com"
VIDEO_SEARCH = ["哪吒之魔童闹海 解说", "周杰伦 - 晴天 (Live)", "Python 入门 1小时", "原神 4.5 抽卡", "CS2 高光 集锦",
                "罗翔 说刑法", "做饭 10分钟 快手菜", "Minecraft 红石 教程", "select * from 教程 MySQL 入门",
                "LOL 全球总决赛 T1 vs BLG", "猫咪 搞笑 合集", "drop the beat remix", "英语 听力 四级 真题 2024.12",
                "How to Train Your Dragon 1080p", "【4K】故宫 雪景", "Tom & Jerry 经典"]
VIDEO_DANMAKU = ["前方高能预警！！！", "3:14 这里笑死", "up 主辛苦了，三连了", "这个 BGM 叫什么？", "名场面来了 ->",
                 "1:02:33 有彩蛋", "第一次看到 < 1 分钟就哭了", "弹幕礼仪 >_<", "这剪辑绝了 👏", "awsl", "从 B 站过来的举手 🙋",
                 "空降 08:45", "学到了，select 语句原来这么写", "\"下次一定\"", "2025 年还有人在看吗？"]
PLAYLISTS = [("跑步歌单 🏃 BPM > 160", ["Eye of the Tiger", "Stronger", "夜曲", "Lose Yourself"]),
             ("深夜 emo 时刻", ["晴天", "后来", "Someone Like You", "Creep"]),
             ("Rock & Roll 经典", ["Hotel California", "Bohemian Rhapsody", "Sweet Child O' Mine"]),
             ("写代码专用 (Lo-fi)", ["Lofi Study", "Coffee Shop", "Rainy Day <3"]),
             ("Drop It Like It's Hot — 00 年代嘻哈", ["Drop It Like It's Hot", "In Da Club", "Hey Ya!"]),
             ("粤语老歌 ❤", ["海阔天空", "富士山下", "红日", "千千阙歌"])]
HOUSE_HOST = "house.example.cn"
ERSHOU_HOST = "2shou.example.cn"
HOUSE_DESC = ["南北通透三居室，建面 120㎡，得房率 80%，满五唯一，近地铁 10 号线（步行 < 500m）。",
              "精装两房，客厅 4.2m × 3'6\" 的飘窗，采光好；物业费 3.2 元/㎡/月。",
              "Loft 公寓，层高 4.8m，可做隔层；总价 < 50万，适合刚需上车。",
              "学区房：对口 XX 小学（2025 年划片见教育局公告），房龄 2005 年，6/18 层。",
              "业主急售！！比同小区低 20 万，仅此一套 & 随时看房。", "3 室 2 厅 2 卫，套内 98.6㎡，赠送入户花园约 8㎡。"]
HOUSE_FILTERS = [("price", "0-50"), ("price", "300-500"), ("area", "90-120"), ("room", "3"), ("tag", "近地铁|满五唯一"),
                 ("sort", "unit_price asc"), ("age", "<10")]
ERSHOU_ITEMS = [("九成新 iPhone 14 Pro 256G 暗紫色", "电池健康 89%，无拆无修，带原装盒 & 发票。不刀，谢谢 🙏", 4600),
                ("宜家 书桌 120×60cm", "自提，望京 SOHO 附近。桌腿有一点划痕（见图 3）。", 150),
                ("Switch OLED + 塞尔达 王国之泪", "买来没怎么玩，保修到 2025/10。可小刀 <50", 1750),
                ("儿童自行车 16 寸", "孩子长高了骑不下了，轮胎 9 成新。限同城面交。", 120),
                ("考研资料 一整套（数学一 + 英语一）", "有笔记，字迹工整；'张宇 18 讲' + '肖秀荣 1000 题'。", 80),
                ("Dell U2723QE 27\" 4K 显示器", "Type-C 90W 一线连，无亮点。Price firm.", 2300),
                ("吉他 41 寸 民谣", "送琴包 + 变调夹 + 3 片拨片，适合新手。", 380)]
TICKET_HOST = "ticket.example.com"
SHOWS = ["周杰伦「嘉年华」世界巡回演唱会 2025 · 上海站", "《哪吒之魔童闹海》IMAX 3D", "话剧《茶馆》北京人艺", "CBA 季后赛 广东 vs 辽宁",
         "五月天 [回到那一天] 25 周年巡演", "故宫博物院 门票（含珍宝馆）", "上海迪士尼乐园 1 日票", "音乐剧《悲惨世界》中文版"]
SEATS = ["内场 A 区 3 排 12 号", "看台 217 区 15 排 8-9 号", "1 楼 F 排 5 座", "VIP 区 (1,280 元档)", "普通票 × 2", "8 号厅 H 排 7、8 座"]
MAP_HOST = "map.example.com"
WEATHER_HOST = "weather.example.com"
MAP_QUERIES = ["国贸 -> 首都机场 T3", "附近的加油站", "海底捞 望京", "天安门广场", "上海市徐汇区漕溪北路 1200 号", "厕所",
               "24 小时 药店", "Starbucks near me", "充电桩 快充 > 60kW", "西湖 停车场", "深圳湾公园 南门", "学校 & 医院 周边 1km"]
WEATHER_CITIES = [("101010100", "北京"), ("101020100", "上海"), ("101280101", "广州"), ("101280601", "深圳"),
                  ("101210101", "杭州"), ("101270101", "成都"), ("101200101", "武汉")]
GOV12345_HOST = "12345.example.gov.cn"
COMPLAINTS = [
    ("噪音扰民", "XX 小区 3 号楼楼下烧烤店每天营业到凌晨 2 点，噪音 > 70 分贝（手机测的），多次沟通无果，请相关部门处理！"),
    ("占道经营", "XX 路与 YY 路交叉口（地铁 2 号口）早上 7:00-9:00 有流动摊贩占用盲道 & 非机动车道，存在安全隐患。"),
    ("供暖不热", "我家室温只有 14℃（标准 ≥ 18℃），已报修 3 次，物业说'管道没问题'。请求上门检测。"),
    ("违规停车", "小区消防通道长期被私家车占用（车牌 京A·XXXXX），救护车进不来，非常危险 <急>"),
    ("建议", "建议在公交 56 路 \"人民医院\" 站增加候车亭，老人下雨天没地方躲。谢谢！"),
    ("物业纠纷", "物业费从 1.8 元/㎡ 涨到 2.6 元/㎡，没有开业主大会，也没有公示。请问这样合法吗？"),
    ("Water outage", "No running water in Building 5 since 8:00 this morning; no notice was posted. When will it be restored?"),
    ("工资拖欠", "本人在 XX 建筑公司工地干了 3 个月（2024.10-2024.12），工资 ¥21,600 至今未结清，包工头电话打不通。"),
    ("路灯不亮", "XX 公园东门到地铁站约 300 米路灯全坏了，晚上很黑，女生不敢走 😟")]
CHAT_HOST = "chat.example.com"
CHAT_PROMPTS = [
    "帮我写一封请假邮件，语气正式一点，理由是孩子发烧需要请 2 天假。",
    "这段 Python 报错是什么意思？\n```\nTraceback (most recent call last):\n  File \"main.py\", line 12, in <module>\n    "
    "total = sum(prices) / len(prices)\nZeroDivisionError: division by zero\n```",
    "为什么这个 SQL 很慢？表里有 2000 万行，created_at 上有索引。\n```sql\nSELECT * FROM orders\nWHERE DATE(created_at) = "
    "'2025-03-01'\nORDER BY id DESC\nLIMIT 20;\n```",
    "How do I find the top 3 products by revenue per category in MySQL 8? I tried GROUP BY but it only gives one row per "
    "category.",
    "解释一下这条命令每一部分的作用：\n```bash\nfind /var/log/myapp -name '*.log' -mtime +7 -print0 | xargs -0 gzip\n```",
    "git reset --hard HEAD~1 之后，之前的提交还能找回来吗？我没有 push。",
    "我的 Spring Boot 启动报错，帮我看看：\n```\n***************************\nAPPLICATION FAILED TO START\n"
    "***************************\n\nDescription:\n\nWeb server failed to start. Port 8080 was already in use.\n```",
    "MySQL 报错 `You have an error in your SQL syntax; check the manual that corresponds to your MySQL server version for "
    "the right syntax to use near 'order by id' at line 1`，我的语句是 `SELECT id, name FROM user WHERE status = 1 order by "
    "id`，哪里错了？",
    "把下面的 JSON 转成 Excel 表格的格式：\n```json\n[{\"name\": \"张三\", \"score\": 92}, {\"name\": \"李四\", \"score\": 85}]\n```",
    "用 pandas 怎么把两张表按 user_id 合并，类似 SQL 的 LEFT JOIN？",
    "写一个 shell 脚本，每天凌晨 2 点备份 MySQL 数据库，保留最近 7 天。",
    "Vue 3 这段代码为什么列表不更新？\n```vue\n<template>\n  <li v-for=\"item in list\" :key=\"item.id\">{{ item.name }}</li>\n"
    "</template>\n<script setup>\nimport { ref } from 'vue'\nconst list = ref([])\nfunction add(x) { list.value.push(x) }\n"
    "</script>\n```",
    "Explain the difference between UNION and UNION ALL with a small example.",
    "docker 容器里时区不对，比北京时间慢 8 小时，怎么改？我用的是 `docker run -d -p 80:80 nginx:1.25`。",
    "帮我润色这段自我介绍：我叫李明，毕业于华中科技大学计算机系，有 3 年 Java 后端经验 & 熟悉 MySQL、Redis。",
    "Nginx 报 `upstream timed out (110: Connection timed out) while reading response header from upstream`，一般是什么原因？",
    "用 C 语言写一个冒泡排序，并解释时间复杂度为什么是 O(n^2)。",
    "Translate to English: 本次活动最终解释权归主办方所有。",
    "我这个正则 `^1[3-9]\\d{9}$` 能匹配所有中国手机号吗？",
    "kubectl get pods 一直显示 CrashLoopBackOff，`kubectl logs` 看到 `java.lang.OutOfMemoryError: Java heap space`，怎么排查？",
    "Excel 里 =VLOOKUP(A2,Sheet2!A:C,3,FALSE) 返回 #N/A，但是两边明明有这个值，为什么？",
    "给我讲讲 ps aux | grep java | awk '{print $2}' 这个管道每一步输出什么",
    "中午吃什么？预算 < 30 元，想吃清淡点的。",
    "帮我把这段 SQL 改成只统计 2025 年的数据：\n```sql\nSELECT city, COUNT(*) AS n\nFROM customers\nGROUP BY city\nHAVING "
    "COUNT(*) > 10;\n```",
    "what does `set -euo pipefail` do at the top of a bash script?"]
FANYI_HOST = "fanyi.example.com"
FANYI_TEXTS = ["Please select the items you want to drop from the list, then click Update.",
               "本产品仅供参考，最终解释权归本公司所有。", "The union and the management signed a new agreement on Friday.",
               "Press Ctrl + C to copy, and Ctrl + V to paste.", "请在 <b>24 小时内</b>完成支付，否则订单将自动取消。",
               "Where there's a will, there's a way.", "敬请期待！Stay tuned & see you soon :)", "Size: 3'6\" x 5'2\" (approx.)",
               "我们执行 DELETE 操作之前一定要先备份。", "Le café est à 2,50 € — c'est pas cher !", "君の名は。",
               "Insert the SIM card into the tray, then select \"Mobile Network\" in Settings.", "总价 ≤ 300 万，首付 30%"]
BOOK_HOST = "read.example.com"
BOOKS = ["三体", "活着", "百年孤独", "Clean Code", "人类简史", "红楼梦", "The Pragmatic Programmer", "明朝那些事儿", "小王子"]
BOOK_NOTES = ["\"弱小和无知不是生存的障碍，傲慢才是。\"", "这一段写得太好了，反复读了 3 遍 👍", "Functions should do one thing. "
              "They should do it well. They should do it only.", "人是为活着本身而活着，而不是为了活着之外的任何事物所活着。",
              "这里和第 12 章的伏笔呼应了！", "TODO: 查一下 '贾府' 的人物关系图", "p.128 — select 的用法举例，和 SQL 不是一个意思哈"]
FORUM_HOST = "bbs.example.cn"
FORUM_POSTS = [("【求助】笔记本开机蓝屏 0x0000007B", "型号 ThinkPad X1 Carbon 2021，昨天更新了 Windows 之后就这样了，"
                                               "安全模式也进不去，有大佬知道怎么办吗？🙏"),
               ("[分享] 2025 年 3 月 装机清单（预算 < 6000）", "CPU：R5 7500F\n显卡：RTX 4060 Ti 8G\n内存：32G DDR5 6000\n"
                                                    "硬盘：1TB NVMe\n总价 ≈ ¥5,899，欢迎拍砖 & 给建议～"),
               ("宝宝辅食 6 个月 怎么添加？", "听说要先加高铁米粉，一次只加 1 种新食物，观察 3 天有没有过敏，对吗？"),
               ("钓鱼 | 周末水库收获", "上了 3 条鲫鱼（最大的约 1'2\" 长）+ 1 条草鱼，饵料用的是 '蚯蚓 + 玉米'。"),
               ("考研 二战 经验贴", "数学 128，英语 76，政治 68，专业课 130。总分 402。心得：select 好真题，drop 掉花里胡哨的资料。")]


def masked_card():
    return pick(["6222", "6217", "6228", "6214", "6259", "4392", "5187"]) + " **** **** " + "%04d" % rng.randint(0, 9999)


def life():
    out = []
    app = lambda: pick(APP_UAS)  # noqa: E731
    # food delivery: searches, menus, orders with notes and coupons, reviews
    for i in range(50):
        kind = i % 5
        shop, dishes = pick(SHOPS)
        if kind == 0:
            out.append(get("/api/v1/search/shops", qs([("keyword", pick(WAIMAI_SEARCH)), ("lat", "%.6f" % (39.9 + rng.random() / 10)),
                                                       ("lng", "%.6f" % (116.4 + rng.random() / 10)), ("sort", pick(["distance",
                                                       "sales", "score"])), ("page", str(rng.randint(1, 4)))]),
                           host=WAIMAI_HOST, ua=app(), accept="application/json"))
        elif kind in (1, 2):
            items = [{"name": d, "qty": rng.randint(1, 3), "spec": pick(["", "大份", "中杯", "微辣", "加蛋"])}
                     for d in rng.sample(dishes, min(len(dishes), rng.randint(1, 3)))]
            out.append(send_json("POST", "/api/v1/order/submit", {
                "shopName": shop, "items": items, "remark": pick(WAIMAI_NOTES),
                "address": {"name": pick(NAMES_ZH), "phone": "1%d********" % rng.randint(30, 99), "detail": pick(ADDR_ZH),
                            "tag": pick(["家", "公司", "学校"])},
                "coupon": pick(["", "MJ20-50", "NEWUSER15", "红包 ¥5（满 25 可用）"]), "tableware": rng.randint(0, 3),
                "expectTime": pick(["立即送达", "12:30-12:45", "18:00-18:15"]), "payChannel": pick(["wxpay", "alipay"])},
                host=WAIMAI_HOST, ua=app(), extra=api_headers()))
        elif kind == 3:
            out.append(send_json("POST", "/api/v1/order/%d/review" % rng.randint(10**9, 10**10), {
                "score": rng.randint(3, 5), "taste": rng.randint(3, 5), "package": rng.randint(3, 5),
                "content": pick(WAIMAI_REVIEWS), "tags": rng.sample(["分量足", "准时", "包装好", "辣度合适", "性价比高"], 2),
                "anonymous": rng.random() < 0.3}, host=WAIMAI_HOST, ua=app(), extra=api_headers()))
        else:
            out.append(get("/api/v1/shop/%d/menu" % rng.randint(10**5, 10**6), qs([("category", pick(["热销", "主食", "饮品", "套餐"]))]),
                           host=WAIMAI_HOST, ua=app(), accept="application/json"))
    # ride-hailing
    for i in range(25):
        kind = i % 5
        if kind in (0, 1, 2):
            a, b = rng.sample(PLACES, 2)
            out.append(send_json("POST", "/api/v2/trip/estimate" if kind == 0 else "/api/v2/trip/create", {
                "from": {"name": a, "lat": round(30 + rng.random() * 10, 6), "lng": round(110 + rng.random() * 10, 6)},
                "to": {"name": b, "lat": round(30 + rng.random() * 10, 6), "lng": round(110 + rng.random() * 10, 6)},
                "carType": pick(["express", "premier", "taxi", "carpool"]), "passengerNote": pick(RIDE_NOTES),
                "coupon": pick(["", "RIDE-8OFF", "春节 ¥10 券"]), "scheduleAt": pick([None, "2025-03-15 06:30"])},
                host=RIDE_HOST, ua=app(), extra=api_headers()))
        elif kind == 3:
            out.append(send_json("POST", "/api/v2/trip/%d/rate" % rng.randint(10**11, 10**12), {
                "stars": rng.randint(1, 5), "comment": pick(RIDE_COMMENTS), "tip": pick([0, 0, 2, 5])},
                host=RIDE_HOST, ua=app(), extra=api_headers()))
        else:
            out.append(get("/api/v2/driver/nearby", qs([("lat", "%.6f" % (31.2 + rng.random() / 10)),
                                                        ("lng", "%.6f" % (121.4 + rng.random() / 10)), ("radius", "3000")]),
                           host=RIDE_HOST, ua=app(), accept="application/json"))
    # online banking
    for i in range(30):
        kind = i % 6
        amt = rng.choice([88.0, 1000.0, 2650.0, 12345.67, 50000.0, 0.5, 199.99, 3800.0])
        if kind in (0, 1):
            out.append(post_form("/ebank/transfer/confirm", qs([
                ("payAcct", masked_card()), ("payeeName", pick(NAMES_ZH)), ("payeeAcct", masked_card()),
                ("payeeBank", pick(BANK_NAMES)), ("amount", "%.2f" % amt), ("amountCn", pick(["壹仟元整", "贰仟陆佰伍拾元整",
                                                                                            "捌拾捌元整"])),
                ("memo", pick(BANK_MEMOS)), ("smsCode", "%06d" % rng.randint(0, 999999)), ("token", token(32))]),
                **browser(host=BANK_HOST)))
        elif kind == 2:
            out.append(send_json("POST", "/ebank/api/remit/overseas", {
                "beneficiary": pick(NAMES_EN), "iban": pick(IBANS), "swift": pick(SWIFTS), "currency": pick(["USD", "EUR", "GBP", "HKD"]),
                "amount": "{:,.2f}".format(amt), "purpose": pick(["Tuition fee - Fall 2025", "Family support", "Trade settlement "
                                                                   "(goods) / Invoice #8812"]),
                "chargeBearer": pick(["SHA", "OUR"])}, host=BANK_HOST, extra=api_headers()))
        elif kind == 3:
            out.append(get("/ebank/api/statement", qs([("acct", masked_card()), ("from", "2025-02-01"), ("to", "2025-02-28"),
                                                       ("minAmount", pick(["", "100", "1000"])), ("keyword", pick(["", "房租", "工资",
                                                                                                                   "Starbucks"])),
                                                       ("type", pick(["all", "in", "out"]))]), **browser(host=BANK_HOST)))
        elif kind == 4:
            out.append(send_json("POST", "/ebank/api/creditcard/repay", {"card": masked_card(), "amount": "%.2f" % amt,
                                                                          "mode": pick(["全额还款", "最低还款额", "自定义金额"]),
                                                                          "fromAcct": masked_card()}, host=BANK_HOST,
                                 ua=app(), extra=api_headers()))
        else:
            out.append(send_json("POST", "/ebank/api/payee/add", {"name": pick(NAMES_ZH + NAMES_EN), "acct": masked_card(),
                                                                   "bank": pick(BANK_NAMES), "alias": pick(["房东 王阿姨", "妈妈",
                                                                                                            "Landlord (Flat 3)", "公司报销"])},
                                 host=BANK_HOST, extra=api_headers()))
    # hospital portal
    for i in range(30):
        kind = i % 4
        if kind == 0:
            out.append(send_json("POST", "/api/consult/create", {"dept": pick(DEPTS), "patient": {"name": pick(NAMES_ZH),
                                                                                              "age": rng.randint(1, 80),
                                                                                              "gender": pick(["男", "女"])},
                                                              "symptoms": pick(SYMPTOMS), "duration": pick(["1 天", "3 天", "> 1 周",
                                                                                                          "约 2 个月"]),
                                                              "allergy": pick(["无", "青霉素过敏", "海鲜 & 花粉"]),
                                                              "images": rng.randint(0, 3)}, host=HEALTH_HOST, ua=app(),
                                 extra=api_headers()))
        elif kind == 1:
            labs = [{"item": a, "value": v, "unit": u, "ref": r} for a, v, u, r in rng.sample(LAB_ITEMS, 4)]
            out.append(send_json("POST", "/api/report/interpret", {"reportNo": "LIS%d" % rng.randint(10**8, 10**9),
                                                                    "items": labs, "question": pick(["这些指标严重吗？",
                                                                                                     "需要复查吗？多久复查？",
                                                                                                     "Is this normal for a 35-year-old?"])},
                                 host=HEALTH_HOST, extra=api_headers()))
        elif kind == 2:
            out.append(post_form("/appointment/book", qs([("hospital", pick(HOSPITALS)), ("dept", pick(DEPTS)),
                                                          ("doctor", pick(NAMES_ZH) + " 主任医师"), ("date", "2025-03-%02d" % rng.randint(10, 28)),
                                                          ("slot", pick(["08:00-08:30", "14:30-15:00"])), ("patientId", str(rng.randint(10**6, 10**7))),
                                                          ("note", pick(["", "复诊，带上次的 CT 片子", "首诊"]))]),
                                 **browser(host=HEALTH_HOST)))
        else:
            out.append(get("/search", qs([("q", pick(["布洛芬 和 对乙酰氨基酚 区别", "血压 140/90 算高吗", "HbA1c < 6.5",
                                                      "儿童 发烧 38.5 以上", "核酸 报告 查询", "体检 套餐 ≤ 500 元"])),
                                          ("type", "article")]), **browser(host=HEALTH_HOST)))
    # school and exam registration
    for i in range(20):
        kind = i % 4
        if kind in (0, 1):
            out.append(post_form("/signup/submit", qs([("exam", pick(EXAMS)), ("name", pick(NAMES_ZH)), ("idType", "居民身份证"),
                                                       ("idNo", idcard()), ("school", pick(SCHOOLS)),
                                                       ("major", pick(["计算机科学与技术", "英语", "临床医学", "会计学"])),
                                                       ("mobile", "1%d%08d" % (rng.randint(30, 99), rng.randint(0, 10**8))),
                                                       ("site", pick(["北京考区 - 海淀", "上海考区 · 徐汇", "杭州"])),
                                                       ("remark", pick(["", "需要无障碍考场（轮椅）", "上次报名未缴费，重新报名"]))]),
                                 **browser(host=EXAM_HOST)))
        elif kind == 2:
            out.append(post_multipart("/signup/photo", [("csrf", token(32)), ("photo", fake_binary("\u00ff\u00d8\u00ff\u00e0",
                                                                                                    rng.randint(300, 700)),
                                                                             "证件照_%s.jpg" % pick(NAMES_ZH), "image/jpeg")],
                                      boundary="----WebKitFormBoundary" + token(16), **browser(host=EXAM_HOST)))
        else:
            out.append(get("/score/query", qs([("exam", pick(EXAMS)), ("ticketNo", "%015d" % rng.randint(10**13, 10**14)),
                                               ("name", pick(NAMES_ZH))]), **browser(host=EXAM_HOST)))
    # news and comments
    for i in range(50):
        kind = i % 5
        if kind in (0, 1, 2):
            c = pick(NEWS_COMMENTS)
            if rng.random() < 0.3:
                c = c + " " + pick(NEWS_COMMENTS)
            out.append(post_form("/comment/post", qs([("article_id", str(rng.randint(10**6, 10**7))), ("content", c),
                                                      ("reply_to", pick(["", str(rng.randint(10**7, 10**8))])),
                                                      ("csrf", token(32))]), **browser(host=NEWS_HOST)))
        elif kind == 3:
            out.append(get("/api/comments", qs([("article_id", str(rng.randint(10**6, 10**7))), ("sort", pick(["hot", "new"])),
                                                ("cursor", token(12))]), host=NEWS_HOST, ua=rng.randrange(len(UAS)),
                           accept="application/json"))
        else:
            out.append(get("/search", qs([("q", pick(NEWS_TOPICS) + pick(["", " 最新", " 评论", " 2025"])), ("range", "7d")]),
                           **browser(host=NEWS_HOST)))
    # video and music
    for i in range(50):
        kind = i % 6
        if kind == 0:
            out.append(get("/search/all", qs([("keyword", pick(VIDEO_SEARCH)), ("order", pick(["totalrank", "click", "pubdate"])),
                                               ("duration", pick(["0", "1", "4"]))]), **browser(host=VIDEO_HOST)))
        elif kind in (1, 2):
            out.append(post_form("/x/v2/dm/post", qs([("type", "1"), ("oid", str(rng.randint(10**8, 10**9))),
                                                      ("msg", pick(VIDEO_DANMAKU)), ("progress", str(rng.randint(1000, 3600000))),
                                                      ("color", "16777215"), ("fontsize", "25"), ("mode", "1"),
                                                      ("bvid", "BV1" + token(9)), ("csrf", token(32))]),
                                 **browser(host=VIDEO_HOST)))
        elif kind == 3:
            name, songs = pick(PLAYLISTS)
            out.append(send_json("POST", "/api/playlist/create", {"name": name, "desc": pick(["", "自用，不定期更新", "for my morning "
                                                                                             "runs 🎧"]),
                                                                  "songs": songs, "public": rng.random() < 0.5},
                                 host=MUSIC_HOST, ua=app(), extra=api_headers()))
        elif kind == 4:
            out.append(get("/api/search", qs([("s", pick(["晴天 周杰伦", "Drop It Like It's Hot", "Union (乐队)", "<3 合集",
                                                          "Rock & Roll", "C'est la vie", "select 精选"])), ("type", "1"),
                                              ("limit", "30")]), host=MUSIC_HOST, ua=app(), accept="application/json"))
        else:
            out.append(get("/x/player/playurl", qs([("bvid", "BV1" + token(9)), ("cid", str(rng.randint(10**8, 10**9))),
                                                     ("qn", pick(["80", "112", "116"])), ("fnval", "4048")]),
                           **browser(host=VIDEO_HOST)))
    # real estate and second-hand market
    for i in range(35):
        kind = i % 5
        if kind == 0:
            f = rng.sample(HOUSE_FILTERS, 3)
            out.append(get("/ershoufang/search", qs([("city", pick(["bj", "sh", "hz", "sz"])), ("q", pick(["望京", "张江", "<50万 小户型",
                                                                                                        "3'6\" 飘窗", "120㎡ 三居"]))] + f),
                           **browser(host=HOUSE_HOST)))
        elif kind == 1:
            out.append(send_json("POST", "/api/listing/house", {"title": pick(["南北通透 三居", "精装两房 近地铁", "Loft 总价低"]),
                                                                 "area": pick(["120㎡", "89.5㎡", "45㎡"]), "price": pick(["488万",
                                                                                                                        "<50万", "312.5万"]),
                                                                 "desc": pick(HOUSE_DESC), "floor": "%d/%d" % (rng.randint(1, 6), rng.randint(6, 33)),
                                                                 "contact": pick(NAMES_ZH) + " 先生/女士"},
                                 host=HOUSE_HOST, extra=api_headers()))
        elif kind in (2, 3):
            t, d, p = pick(ERSHOU_ITEMS)
            out.append(send_json("POST", "/api/item/publish", {"title": t, "desc": d, "price": p, "originalPrice": int(p * 1.6),
                                                                "location": pick(["北京·朝阳", "上海·浦东", "杭州·西湖"]),
                                                                "shipping": pick(["包邮", "自提", "到付"]),
                                                                "images": ["https://img.example.cn/2shou/%s.jpg" % token(16)
                                                                           for _ in range(rng.randint(1, 4))]},
                                 host=ERSHOU_HOST, ua=app(), extra=api_headers()))
        else:
            out.append(send_json("POST", "/api/chat/send", {"to": rng.randint(10**6, 10**7), "text": pick([
                "还在吗？200 出不出？", "能便宜点吗，<1500 我就要了", "可以看看电池健康截图吗？", "周六下午 3 点望京地铁站 A 口面交可以吗",
                "尺寸是 120×60 还是 140×70？", "包邮吗亲 😊"])}, host=ERSHOU_HOST, ua=app(), extra=api_headers()))
    # ticketing
    for i in range(20):
        kind = i % 4
        if kind in (0, 1):
            out.append(send_json("POST", "/api/order/create", {"show": pick(SHOWS), "session": "2025-%02d-%02d 19:30" % (
                rng.randint(4, 8), rng.randint(1, 28)), "seats": pick(SEATS), "buyers": [{"name": pick(NAMES_ZH),
                                                                                          "idNo": idcard()[:6] + "********" + idcard()[-4:]}],
                "priceTier": pick(["380", "880", "1,280", "VIP 1880"]), "delivery": pick(["电子票", "快递 (到付)", "现场取票"])},
                host=TICKET_HOST, ua=app(), extra=api_headers()))
        elif kind == 2:
            out.append(get("/search", qs([("keyword", pick(["周杰伦", "五月天", "话剧 茶馆", "迪士尼", "哪吒 IMAX"])),
                                          ("city", pick(["上海", "北京", "广州"])), ("date", pick(["this_week", "2025-05"]))]),
                           **browser(host=TICKET_HOST)))
        else:
            out.append(get("/api/movie/seats", qs([("cinemaId", str(rng.randint(1000, 9999))), ("hall", "8 号厅 IMAX"),
                                                   ("showtime", "2025-03-15 19:30")]), host=TICKET_HOST, ua=app(),
                           accept="application/json"))
    # weather and maps
    for i in range(30):
        kind = i % 5
        if kind in (0, 1):
            out.append(get("/v3/place/text", qs([("keywords", pick(MAP_QUERIES)), ("city", pick(["北京", "上海", "深圳"])),
                                                 ("location", "%.6f,%.6f" % (116.3 + rng.random() / 5, 39.8 + rng.random() / 5)),
                                                 ("radius", pick(["1000", "3000"])), ("output", "json")]),
                           host=MAP_HOST, ua=app(), accept="application/json"))
        elif kind == 2:
            out.append(get("/v5/direction/driving", qs([("origin", "116.481028,39.989643"), ("destination", "116.434446,39.90816"),
                                                        ("strategy", pick(["32", "33", "34"])), ("avoidpolygons",
                                                        "116.472,39.985;116.473,39.990;116.478,39.989|116.41,39.90;116.42,39.91;116.43,39.90"),
                                                        ("show_fields", "cost,navi")]), host=MAP_HOST, ua=app(),
                           accept="application/json"))
        else:
            code, city = pick(WEATHER_CITIES)
            out.append(get("/api/weather/now" if kind == 3 else "/api/weather/forecast",
                           qs([("cityId", code), ("city", city), ("lang", pick(["zh", "en"])), ("unit", pick(["m", "i"]))]),
                           host=WEATHER_HOST, ua=pick(APP_UAS + [UAS[0]]), accept="application/json"))
    # 12345 government hotline
    for i in range(25):
        kind = i % 5
        if kind < 4:
            cat, text = pick(COMPLAINTS)
            out.append(post_form("/hotline/submit", qs([("category", cat), ("content", text), ("address", pick(ADDR_ZH)),
                                                        ("contact", pick(NAMES_ZH)), ("phone", "1%d%08d" % (rng.randint(30, 99),
                                                                                                             rng.randint(0, 10**8))),
                                                        ("anonymous", pick(["0", "1"])), ("public", pick(["0", "1"])),
                                                        ("captcha", token(5))]), **browser(host=GOV12345_HOST)))
        else:
            out.append(get("/hotline/progress", qs([("ticketNo", "GD2025%08d" % rng.randint(0, 10**8)),
                                                    ("phoneLast4", "%04d" % rng.randint(0, 9999))]), **browser(host=GOV12345_HOST)))
    # AI chat assistant: users paste code, SQL, shell and logs and ask about them
    for i in range(45):
        kind = i % 9
        if kind < 7:
            msgs = [{"role": "user", "content": pick(CHAT_PROMPTS)}]
            if rng.random() < 0.3:
                msgs = [{"role": "user", "content": pick(CHAT_PROMPTS)},
                        {"role": "assistant", "content": pick(["好的，下面是修改后的版本：", "Sure — here's an explanation.",
                                                               "可以，建议先确认索引是否生效（EXPLAIN 看一下 type 和 rows）。"])}] + msgs
            out.append(send_json("POST", "/api/chat/completions", {"conversation_id": token(24), "model": pick(["assistant-pro",
                                                                                                                 "assistant-lite"]),
                                                                    "messages": msgs, "stream": True,
                                                                    "temperature": pick([0.3, 0.7, 1.0])},
                                 host=CHAT_HOST, ua=rng.randrange(len(UAS)),
                                 extra=dict(api_headers(), **{"Accept": "text/event-stream"})))
        elif kind == 7:
            out.append(send_json("POST", "/api/chat/feedback", {"message_id": token(24), "rating": pick(["up", "down"]),
                                                                 "comment": pick(["", "回答不准确，SQL 少了 GROUP BY", "very helpful!",
                                                                                  "代码跑不通：缺少 import pandas as pd"])},
                                 host=CHAT_HOST, extra=api_headers()))
        else:
            out.append(get("/api/conversations", qs([("offset", "0"), ("limit", "28"), ("order", "updated")]), host=CHAT_HOST,
                           ua=rng.randrange(len(UAS)), accept="application/json", extra=api_headers()))
    # translation
    for i in range(20):
        src = pick(FANYI_TEXTS)
        if i % 4 == 3:
            out.append(get("/api/dict/lookup", qs([("word", pick(["select", "union", "drop", "execute", "script", "alert",
                                                                  "cursor", "where"])), ("from", "en"), ("to", "zh")]),
                           **browser(host=FANYI_HOST)))
            continue
        out.append(post_form("/translate", qs([("from", "auto"), ("to", pick(["zh", "en", "ja"])), ("query", src),
                                               ("domain", pick(["general", "it", "medicine"])), ("sign", sign_hex(32)),
                                               ("salt", str(rng.randint(10**9, 10**10)))]), **browser(host=FANYI_HOST)))
    # e-books and forums
    for i in range(20):
        kind = i % 4
        if kind == 0:
            out.append(send_json("POST", "/api/notes", {"book": pick(BOOKS), "chapter": rng.randint(1, 40),
                                                         "highlight": pick(BOOK_NOTES), "note": pick(["", "mark", "重读",
                                                                                                      "和《人类简史》第 3 章对照看"]),
                                                         "color": pick(["yellow", "blue"])}, host=BOOK_HOST, ua=app(),
                                 extra=api_headers()))
        elif kind == 1:
            out.append(send_json("PUT", "/api/progress", {"bookId": rng.randint(10**5, 10**6), "percent": round(rng.random() * 100, 1),
                                                           "cfi": "epubcfi(/6/%d!/4/2/%d:0)" % (rng.randint(2, 40), rng.randint(1, 60))},
                                 host=BOOK_HOST, ua=app(), extra=api_headers()))
        elif kind == 2:
            t, body = pick(FORUM_POSTS)
            out.append(post_form("/forum.php", qs([("mod", "post"), ("action", "newthread"), ("fid", str(rng.randint(2, 80))),
                                                   ("subject", t), ("message", body), ("formhash", sign_hex(8)),
                                                   ("usesig", "1")]), query="mod=post&action=newthread&topicsubmit=yes",
                                 **browser(host=FORUM_HOST)))
        else:
            out.append(get("/search", qs([("q", pick(BOOKS) + pick(["", " 读后感", " epub", " 第 3 章"])), ("type", "book")]),
                           **browser(host=BOOK_HOST)))
    return out


FILES = [("benign_browse", browse), ("benign_forms", forms), ("benign_api", api), ("benign_content", content),
         ("benign_uploads", uploads), ("benign_apps", apps), ("benign_misc", misc),
         ("benign_enterprise", enterprise), ("benign_saas", saas), ("benign_ops", ops), ("benign_life", life)]


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else OUT
    total = 0
    seen = set()
    for name, fn in FILES:
        reqs = []
        for r in fn():
            key = json.dumps(r, sort_keys=True)
            if key not in seen:  # a crawler may fetch the same page twice; keep one
                seen.add(key)
                reqs.append(r)
        n = write_jsonl(os.path.join(out, name + ".jsonl"), name.replace("_", "-"), reqs)
        total += n
        print("%-16s %5d" % (name, n))
    print("%-16s %5d" % ("total", total))


if __name__ == "__main__":
    main()
