/*
 * xss: a small HTML tokenizer (tags, attributes, values) with the
 * dangerous tag, attribute and URL tables, plus a JavaScript break-out
 * scan (see xss.h). Linear in the input; no allocation.
 */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "fields.h"
#include "xss.h"

#define NAME_MAX_LEN 32

/* Tags that run or load script or change where a page's links point,
 * whatever their attributes. */
static const char *const bad_tags[] = {
	"script", "frameset", "applet", "base", "object", "embed",
	"meta", "isindex", "vmlframe", "import", "portal", "xss", "bgsound",
	"layer", "ilayer", "handler", "listener", "x-script",
};

/* Attributes whose value is a URL the browser may navigate to or load. */
static const char *const url_attrs[] = {
	"href", "src", "action", "formaction", "data", "background", "lowsrc", "dynsrc",
	"xlink:href", "poster", "codebase", "to", "values", "from", "by", "content",
	"ping", "code", "archive", "longdesc", "usemap", "cite", "manifest", "icon",
};

static const char *const bad_schemes[] = {
	"javascript:", "vbscript:", "livescript:", "mocha:", "data:text/html",
	"data:image/svg", "data:application/x", "data:text/xml", "data:application/xhtml",
	"jar:", "ms-its:", "mhtml:",
};

/* Script sinks whose call after a break-out is an attack. */
static const char *const js_sinks[] = {
	"alert", "confirm", "prompt", "eval", "execscript", "msgbox",
	/* these only after a break-out character, not at the start of a value */
	"settimeout", "setinterval", "function", "fromcharcode", "atob", "fetch",
	"import", "write", "writeln", "constructor",
};
#define JS_SINKS_ALONE 6	/* the first rows may start a value */

static const char *const js_props[] = {
	"document.cookie", "document.domain", "document.location", "window.location",
	"document.write", "localstorage.", "innerhtml", "outerhtml", "location.href",
	"location.hash", "top.location", "window.name", "self[", "top[", "window[", "this[",
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static int
in_list(const char *const *list, size_t n, const char *s, size_t len)
{
	for (size_t i = 0; i < n; i++)
		if ((list[i][0] | 0x20) == (s[0] | 0x20) && strlen(list[i]) == len &&
		    strncasecmp(list[i], s, len) == 0)
			return 1;
	return 0;
}

static int
is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static int
is_alpha(unsigned char c)
{
	return (c | 0x20) >= 'a' && (c | 0x20) <= 'z';
}

/* Does the URL v[0..len) use a script scheme? Browsers drop control
 * characters and whitespace inside a scheme, and ignore leading ones. */
static int
bad_url(const char *v, size_t len)
{
	char buf[24];
	size_t n = 0;

	for (size_t i = 0; i < len && n < sizeof(buf); i++) {
		unsigned char c = (unsigned char)v[i];

		if (c <= ' ' || c == 0x7F)
			continue;
		buf[n++] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
	}
	if (n < 4 || memchr(buf, ':', n) == NULL)
		return 0;
	for (size_t k = 0; k < COUNT(bad_schemes); k++) {
		size_t sl = strlen(bad_schemes[k]);

		if (bad_schemes[k][0] == buf[0] && n >= sl && memcmp(buf, bad_schemes[k], sl) == 0)
			return 1;
	}
	return 0;
}

static const char *
memcase(const char *h, size_t hl, const char *n)
{
	return fields_memcasemem(h, hl, n, strlen(n));
}

/* A style attribute or block that runs script. */
static int
bad_css(const char *v, size_t len)
{
	return memcase(v, len, "expression(") != NULL || memcase(v, len, "javascript:") != NULL ||
	    memcase(v, len, "behavior:") != NULL || memcase(v, len, "-moz-binding") != NULL ||
	    memcase(v, len, "vbscript:") != NULL;
}

/* Is the script tag whose name ends at s[j] the page's own, as a template
 * or a code diff shows it: <script src="/static/app.js" defer></script>,
 * a same-site path without a query (JSONP callbacks are an attack), no
 * inline code, no event handlers? Returns the index past its closing tag,
 * or 0. */
static size_t
same_site_script(const char *s, size_t len, size_t j)
{
	const char *gt, *src, *v;
	size_t tl, vl;
	char q;

	gt = memchr(s + j, '>', len - j);
	if (gt == NULL || gt + 10 > s + len || strncasecmp(gt + 1, "</script>", 9) != 0)
		return 0;	/* inline code, or never closed */
	tl = (size_t)(gt - (s + j));
	if (memchr(s + j, '<', tl) != NULL || fields_memcasemem(s + j, tl, " on", 3) != NULL)
		return 0;
	src = fields_memcasemem(s + j, tl, "src=", 4);
	if (src == NULL)
		return 0;
	v = src + 4;
	q = *v == '"' || *v == '\'' ? *v++ : ' ';
	for (vl = 0; v + vl < gt && v[vl] != q && v[vl] != '>'; vl++)
		;
	if (vl == 0 || memchr(v, '?', vl) != NULL || memchr(v, ':', vl) != NULL ||
	    memchr(v, '\\', vl) != NULL || memchr(v, '%', vl) != NULL ||
	    (vl >= 2 && v[0] == '/' && v[1] == '/'))
		return 0;
	if (!(v[0] == '/' || v[0] == '.' || isalnum((unsigned char)v[0])))
		return 0;
	return (size_t)(gt - s) + 10;
}

/* One tag starting at s[i] == '<'. Returns a reason or NULL and sets *end
 * to where scanning continues. */
static const char *
scan_tag(const char *s, size_t len, size_t i, size_t *end)
{
	size_t j = i + 1, ns, nl;
	int closing = 0, frame;

	if (j < len && s[j] == '/') {
		closing = 1;
		j++;
	}
	if (j >= len || !is_alpha((unsigned char)s[j])) {
		*end = i + 1;
		return NULL;
	}
	ns = j;
	while (j < len && !is_space((unsigned char)s[j]) && s[j] != '/' && s[j] != '>')
		j++;
	nl = j - ns;
	if (nl <= NAME_MAX_LEN && in_list(bad_tags, COUNT(bad_tags), s + ns, nl)) {
		size_t past;

		*end = j;
		if (!closing && nl == 6 && strncasecmp(s + ns, "script", 6) == 0 &&
		    (past = same_site_script(s, len, j)) != 0) {
			*end = past;
			return NULL;
		}
		return closing ? "closing script tag" : "script-capable tag";
	}
	if (closing) {
		*end = j;
		return NULL;
	}
	if (nl == 5 && strncasecmp(s + ns, "style", 5) == 0) {
		const char *close = memcase(s + j, len - j, "</style");
		size_t bl = close != NULL ? (size_t)(close - (s + j)) : len - j;

		if (bad_css(s + j, bl) || memcase(s + j, bl, "@import") != NULL) {
			*end = j;
			return "style block with script";
		}
	}
	/* a form with its own inputs put into a page: a phishing form, or DOM
	 * clobbering (<form id=config><input name=apiUrl value=//evil>) */
	if (nl == 4 && strncasecmp(s + ns, "form", 4) == 0 &&
	    (memcase(s + j, len - j, "<input") != NULL || memcase(s + j, len - j, "<button") != NULL)) {
		*end = j;
		return "form with inputs";
	}
	frame = (nl == 6 && strncasecmp(s + ns, "iframe", 6) == 0) ||
	    (nl == 5 && strncasecmp(s + ns, "frame", 5) == 0);
	/* attributes */
	while (j < len && s[j] != '>') {
		size_t as, al, vs, vl;

		while (j < len && (is_space((unsigned char)s[j]) || s[j] == '/'))
			j++;
		if (j >= len || s[j] == '>')
			break;
		if (s[j] == '<') {	/* a new tag starts: this one was never closed */
			*end = j;
			return NULL;
		}
		as = j;
		while (j < len && !is_space((unsigned char)s[j]) && s[j] != '/' && s[j] != '>' &&
		    s[j] != '=')
			j++;
		if (j == as)
			j++;
		al = j - as;
		while (j < len && is_space((unsigned char)s[j]))
			j++;
		vs = vl = 0;
		if (j < len && s[j] == '=') {
			j++;
			while (j < len && is_space((unsigned char)s[j]))
				j++;
			if (j < len && (s[j] == '"' || s[j] == '\'' || s[j] == '`')) {
				char q = s[j];
				const char *e = memchr(s + j + 1, q, len - j - 1);

				vs = j + 1;
				j = e != NULL ? (size_t)(e - s) + 1 : len;
				vl = (e != NULL ? (size_t)(e - s) : len) - vs;
				/* <img src='https://evil/log? never closed: the page's
				 * own markup up to the next quote leaks to that URL
				 * (dangling markup) */
				if (e == NULL && al <= NAME_MAX_LEN &&
				    in_list(url_attrs, COUNT(url_attrs), s + as, al) &&
				    (memcase(s + vs, vl < 8 ? vl : 8, "http") != NULL ||
				    (vl > 2 && s[vs] == '/' && s[vs + 1] == '/'))) {
					*end = len;
					return "unterminated URL attribute (dangling markup)";
				}
			} else {
				vs = j;
				while (j < len && !is_space((unsigned char)s[j]) && s[j] != '>')
					j++;
				vl = j - vs;
			}
		}
		if (al > 2 && (s[as] | 0x20) == 'o' && (s[as + 1] | 0x20) == 'n' &&
		    is_alpha((unsigned char)s[as + 2])) {
			size_t k = as + 2;

			while (k < as + al && is_alpha((unsigned char)s[k]))
				k++;
			if (k == as + al) {
				*end = j;
				return "event handler attribute";
			}
		}
		if (vl > 0 && al <= NAME_MAX_LEN && in_list(url_attrs, COUNT(url_attrs), s + as, al) &&
		    bad_url(s + vs, vl)) {
			*end = j;
			return "script URL in attribute";
		}
		if (vl > 0 && al == 5 && strncasecmp(s + as, "style", 5) == 0 && bad_css(s + vs, vl)) {
			*end = j;
			return "script in style attribute";
		}
		/* a frame of zero size: a hidden page doing the attacker's work */
		if (vl > 0 && vl <= 2 && frame && ((al == 5 && strncasecmp(s + as, "width", 5) == 0) ||
		    (al == 6 && strncasecmp(s + as, "height", 6) == 0)) && (s[vs] == '0' ||
		    (vl == 1 && s[vs] == '1'))) {
			*end = j;
			return "hidden frame";
		}
		/* a frame over the whole page: a login form of the attacker's
		 * drawn over the site (position:fixed with 100 % or inset:0) */
		if (vl > 0 && frame && al == 5 && strncasecmp(s + as, "style", 5) == 0 &&
		    (memcase(s + vs, vl, "position:fixed") != NULL ||
		    memcase(s + vs, vl, "position: fixed") != NULL ||
		    memcase(s + vs, vl, "position:absolute") != NULL) &&
		    (memcase(s + vs, vl, "100%") != NULL || memcase(s + vs, vl, "100vw") != NULL ||
		    memcase(s + vs, vl, "inset:0") != NULL)) {
			*end = j;
			return "frame over the whole page";
		}
		if (vl > 0 && al == 6 && strncasecmp(s + as, "srcdoc", 6) == 0 &&
		    memchr(s + vs, '<', vl) != NULL) {
			*end = j;
			return "markup in srcdoc";
		}
	}
	*end = j;
	return NULL;
}

static int
is_ident(unsigned char c)
{
	return is_alpha(c) || (c >= '0' && c <= '9') || c == '_' || c == '$';
}

/* Does the call whose '(' is s[k] end the value, or go on as code (an
 * operator, ';', a comment), rather than as prose: "prompt(1)",
 * "alert(1)//", not "eval() is evil in JS"? */
static int
call_ends_value(const char *s, size_t len, size_t k)
{
	int depth = 0;
	size_t i;

	if (s[k] == '`')
		return 1;
	for (i = k; i < len; i++) {
		if (s[i] == '(')
			depth++;
		else if (s[i] == ')' && --depth == 0)
			break;
	}
	if (i >= len)
		return 1;	/* never closed: the rest is its argument */
	for (i++; i < len && is_space((unsigned char)s[i]); i++)
		;
	return i == len || strchr(";/+-*|&,)", s[i]) != NULL;
}

/* A script sink called right after a quote or operator: "';alert(1)//",
 * "\"-confirm`1`-\"", "javascript-free" prose stays clean because a word
 * or space precedes the name there. */
static const char *
scan_js(const char *s, size_t len, size_t *off)
{
	for (size_t i = 0; i < len; i++) {
		size_t k, p;

		if (!is_alpha((unsigned char)s[i]) || (i > 0 && is_ident((unsigned char)s[i - 1])))
			continue;
		for (k = i; k < len && (is_ident((unsigned char)s[k]) || s[k] == '.'); k++)
			;
		/* the last component: window.alert -> alert */
		p = k;
		while (p > i && s[p - 1] != '.')
			p--;
		/* window.onerror=alert: an event handler property given a sink */
		if (p > i && k - p > 2 && (s[p] | 0x20) == 'o' && (s[p + 1] | 0x20) == 'n' &&
		    k + 1 < len && s[k] == '=' && s[k + 1] != '=') {
			size_t v = k + 1, ve;

			while (v < len && is_space((unsigned char)s[v]))
				v++;
			for (ve = v; ve < len && is_ident((unsigned char)s[ve]); ve++)
				;
			if (ve > v && ve - v <= NAME_MAX_LEN && in_list(js_sinks, COUNT(js_sinks), s + v, ve - v)) {
				*off = i;
				return "event handler assigned a script sink";
			}
		}
		if (k < len && (s[k] == '(' || s[k] == '`') && k - p <= NAME_MAX_LEN &&
		    in_list(js_sinks, COUNT(js_sinks), s + p, k - p)) {
			int alone_ok = in_list(js_sinks, JS_SINKS_ALONE, s + p, k - p);
			size_t b = i;
			char prev;

			while (b > 0 && is_space((unsigned char)s[b - 1]))
				b--;
			prev = b > 0 ? s[b - 1] : 0;
			if (prev == 0 || strchr(";+-*/|&,(=:?'\"`>{}[!~^%", prev) != NULL) {
				/* "prompt(" alone, or after a break-out character */
				if (prev != 0 || (alone_ok && k + 1 < len && call_ends_value(s, len, k))) {
					*off = i;
					return "script sink call";
				}
			}
		}
		for (size_t m = 0; m < COUNT(js_props); m++) {
			size_t pl;

			if (js_props[m][0] != (s[i] | 0x20))
				continue;
			pl = strlen(js_props[m]);
			if (i + pl <= len && strncasecmp(s + i, js_props[m], pl) == 0) {
				size_t b = i;

				while (b > 0 && is_space((unsigned char)s[b - 1]))
					b--;
				if (b > 0 && strchr(";+-*/|&,(=:?'\"`>{}[", s[b - 1]) != NULL) {
					*off = i;
					return "script property after break-out";
				}
			}
		}
		i = k > i ? k - 1 : i;
	}
	return NULL;
}

int
xss_detect(const char *s, size_t len, struct xss_result *r)
{
	const char *why = NULL;
	size_t off = 0, i = 0;

	while (i < len) {
		const char *lt = memchr(s + i, '<', len - i);
		size_t end;

		if (lt == NULL)
			break;
		off = (size_t)(lt - s);
		why = scan_tag(s, len, off, &end);
		if (why != NULL)
			goto found;
		i = end > off ? end : off + 1;
	}
	off = 0;
	while (off < len && (unsigned char)s[off] <= ' ')
		off++;
	if (bad_url(s + off, len - off)) {
		why = "script URL";
		goto found;
	}
	{
		const char *e = memcase(s, len, "expression(");

		if (e != NULL && e > s && memchr(s, ':', (size_t)(e - s)) != NULL) {
			off = (size_t)(e - s);
			why = "CSS expression";
			goto found;
		}
	}
	why = scan_js(s, len, &off);
	if (why != NULL)
		goto found;
	return 0;
found:
	if (r != NULL) {
		r->reason = why;
		r->offset = off;
	}
	return 1;
}
