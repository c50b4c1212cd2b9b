/*
 * test_waf_normalise: each transform of the WAF's table on the encodings
 * it exists to undo (double percent encoding, %uXXXX, overlong UTF-8,
 * full-width and look-alike characters, named and numeric entities, path
 * tricks, SQL and HTML comments, shell quoting, JavaScript escapes,
 * base64), that it never grows its input, and the chain runner.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "normalise.h"

/* Run transform name over in and compare with want. */
static void
check(const char *name, const char *in, size_t in_len, const char *want, size_t want_len)
{
	char out[512];
	int id = norm_find(name);
	size_t n;

	assert_true(id >= 0);
	assert_true(in_len < sizeof(out));
	n = norm_table[id].fn(in, in_len, out);
	if (n != want_len || memcmp(out, want, n) != 0)
		fail_msg("%s(\"%.*s\") = \"%.*s\", want \"%.*s\"", name, (int)in_len, in, (int)n, out,
		    (int)want_len, want);
}

#define CHECK(name, in, want) check(name, in, sizeof(in) - 1, want, sizeof(want) - 1)

static void
test_urldecode(void **state)
{
	(void)state;
	CHECK("urldecode", "%27%20or%201%3D1", "' or 1=1");
	CHECK("urldecode", "%2527", "'");		/* double encoding */
	CHECK("urldecode", "%252527", "'");		/* triple */
	CHECK("urldecode", "a+b", "a b");
	CHECK("urldecode", "%2B", "+");			/* a decoded plus stays a plus */
	CHECK("urldecode", "%u0027%u003C", "'<");	/* IIS %u */
	CHECK("urldecode", "%uFF1C", "\xEF\xBC\x9C");	/* to UTF-8; utf8 maps it */
	CHECK("urldecode", "%zz%4", "%zz%4");		/* broken escapes stay */
	CHECK("urldecode", "100%", "100%");
}

static void
test_utf8(void **state)
{
	(void)state;
	CHECK("utf8", "\xC0\xAE\xC0\xAE\xC0\xAF", "../");	/* overlong */
	CHECK("utf8", "\xE0\x80\xAF", "/");			/* 3-byte overlong */
	CHECK("utf8", "\xEF\xBC\x9Cscript\xEF\xBC\x9E", "<script>");	/* full-width */
	CHECK("utf8", "\xE2\x80\xA5/\xE2\x80\xA5/etc/passwd", "../../etc/passwd");	/* U+2025 */
	CHECK("utf8", "127\xE3\x80\x82" "0\xE3\x80\x82" "0\xE3\x80\x82" "1", "127.0.0.1");	/* U+3002 */
	CHECK("utf8", "..\xE2\x88\x95" "etc", "../etc");		/* U+2215 division slash */
	CHECK("utf8", "\xE2\x91\xA0\xE2\x91\xA1\xE2\x91\xA6.\xE2\x93\xAA", "127.0");	/* circled */
	CHECK("utf8", "\xE4\xB8\xAD\xE6\x96\x87", "\xE4\xB8\xAD\xE6\x96\x87");	/* Chinese untouched */
	CHECK("utf8", "\xC0", "\xC0");				/* truncated stays */
}

static void
test_htmlentity(void **state)
{
	(void)state;
	CHECK("htmlentity", "&lt;script&gt;", "<script>");
	CHECK("htmlentity", "&#106;&#x61;&#X76;a", "java");
	CHECK("htmlentity", "&#0000106&#0000097", "ja");		/* no ';', zero padded */
	CHECK("htmlentity", "javascript&colon;alert&lpar;1&rpar;", "javascript:alert(1)");
	CHECK("htmlentity", "AT&T &amp; co", "AT&T & co");
	CHECK("htmlentity", "&#x4e2d;", "\xE4\xB8\xAD");
	CHECK("htmlentity", "&unknown; &#;", "&unknown; &#;");
	CHECK("htmlattr", "&lt;b&gt; &#60;i&#x3e; &#106;avascript&colon;", "&lt;b&gt; &#60;i&#x3e; javascript:");
}

static void
test_path(void **state)
{
	(void)state;
	CHECK("path", "/a/./b//c/../d", "/a/b/d");
	CHECK("path", "/static/../../etc/passwd", "/../etc/passwd");	/* climbing kept */
	CHECK("path", "..\\..\\windows\\win.ini", "../../windows/win.ini");
	CHECK("path", "/dir/", "/dir/");
	CHECK("path", "", "");
}

static void
test_comments_and_space(void **state)
{
	(void)state;
	CHECK("sqlcomment", "UNION/**/SELECT", "UNION SELECT");
	CHECK("sqlcomment", "/*!50000UNION*/ SELECT", " UNION  SELECT");
	CHECK("sqlcomment", "1 -- rest\n2", "1  \n2");
	CHECK("sqlcomment", "1#x", "1 ");
	CHECK("htmlcomment", "<scr<!-- x -->ipt>", "<script>");
	CHECK("whitespace", "a \t\r\n\v b\xC2\xA0" "c", "a b c");
	CHECK("nul", "a\0b\0", "ab");
	CHECK("lower", "SeLeCT", "select");
}

static void
test_cmdline_js_base64(void **state)
{
	(void)state;
	CHECK("cmdline", "c\\a\"t\"  /et'c'/pa^ss${IFS}x", "cat/etc/pass x");
	CHECK("cmdline", "CMD.exe /c dir;ls,x", "cmd.exe/c dir ls x");
	CHECK("jsdecode", "\\x3cscript\\u003e\\u{61}\\141\\n", "<script>aa\n");
	CHECK("slashes", "c:\\windows\\win.ini", "c:/windows/win.ini");
	CHECK("base64", "PCFET0NUWVBFIHggW10+", "<!DOCTYPE x []>");
	/* what is not base64 text leaves nothing for the rules after it */
	CHECK("base64", "not base64 at all!", "");
	CHECK("base64", "c2hvcnQ=", "");	/* under 16 characters */
	CHECK("base64", "MSBhbmQgc2xlZXAoNSk=", "1 and sleep(5)");
	CHECK("base64", "5Lit5paH5ZCN5a2X5rWL6K+V", "\xE4\xB8\xAD\xE6\x96\x87\xE5\x90\x8D\xE5\xAD\x97\xE6\xB5\x8B\xE8\xAF\x95");
	/* bytes, not text (a session id, a signature) */
	CHECK("base64", "k2J4h5G6f7D8s9A0q1W2e3R4t5Y6", "");
}

/* No transform ever writes more than it reads (the chain runner relies on
 * it), whatever the bytes. */
static void
test_never_grows(void **state)
{
	static const char *const inputs[] = {
		"&#x10FFFF;&#1114111;&#x110000;&#99999999999;", "%uFFFF%u0000%C0%AE%e0%80%af",
		"\\u{10FFFF}\\u{0}\\x", "&#128&#2048&#65536", "\xE2\x88\x95\xEF\xBC\x81",
		"/*!*/ /**", "<!--", "${IFS}$@$*", "&nbsp&lt&gt&amp&quot", "",
	};
	char out[256];

	(void)state;
	for (size_t i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++)
		for (size_t k = 0; k < norm_count; k++) {
			size_t len = strlen(inputs[i]);

			memset(out, 0x5A, sizeof(out));
			assert_true(norm_table[k].fn(inputs[i], len, out) <= len);
			assert_int_equal((unsigned char)out[len + 1], 0x5A);
		}
}

static void
test_chain(void **state)
{
	static const char in[] = "%253Cscript%253E&#x61;lert(1)";
	uint8_t chain[3];
	char a[sizeof(in)], b[sizeof(in)];
	const char *out;
	size_t n;

	(void)state;
	chain[0] = (uint8_t)norm_find("urldecode");
	chain[1] = (uint8_t)norm_find("htmlentity");
	chain[2] = (uint8_t)norm_find("lower");
	n = norm_run(chain, 3, in, sizeof(in) - 1, a, b, &out);
	assert_int_equal(n, strlen("<script>alert(1)"));
	assert_memory_equal(out, "<script>alert(1)", n);
	n = norm_run(chain, 0, in, sizeof(in) - 1, a, b, &out);
	assert_ptr_equal(out, in);
	assert_int_equal(norm_find("nope"), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_urldecode),
		cmocka_unit_test(test_utf8),
		cmocka_unit_test(test_htmlentity),
		cmocka_unit_test(test_path),
		cmocka_unit_test(test_comments_and_space),
		cmocka_unit_test(test_cmdline_js_base64),
		cmocka_unit_test(test_never_grows),
		cmocka_unit_test(test_chain),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
