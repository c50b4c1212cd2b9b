/*
 * normalise: the transform table (see normalise.h). Attackers hide a
 * payload behind encodings a back end will undo (double percent encoding,
 * IIS %uXXXX, overlong UTF-8, HTML entities, SQL and HTML comments, shell
 * quoting); each transform undoes one of them so that detectors see what
 * the application will see. Every transform writes no more bytes than it
 * reads, so out may equal in for the in-place passes of urldecode.
 */
#include <string.h>

#include "normalise.h"

#define URLDECODE_MAX_PASSES 4

static int
hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* UTF-8 encoding of cp into out; returns the byte count (1..4). Invalid
 * code points become U+FFFD. */
static size_t
utf8_put(unsigned long cp, char *out)
{
	unsigned char *o = (unsigned char *)out;

	if (cp > 0x10FFFF)
		cp = 0xFFFD;
	if (cp < 0x80) {
		o[0] = (unsigned char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (unsigned char)(0xC0 | (cp >> 6));
		o[1] = (unsigned char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (unsigned char)(0xE0 | (cp >> 12));
		o[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
		o[2] = (unsigned char)(0x80 | (cp & 0x3F));
		return 3;
	}
	o[0] = (unsigned char)(0xF0 | (cp >> 18));
	o[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
	o[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
	o[3] = (unsigned char)(0x80 | (cp & 0x3F));
	return 4;
}

/* One pass of %XX, %uXXXX and (first pass only: a '+' that a decoded %2B
 * produced is a plus) '+' decoding; *changed tells whether anything was
 * decoded. in and out may be the same buffer. */
static size_t
urldecode_pass(const char *in, size_t len, char *out, int first, int *changed)
{
	size_t i = 0, o = 0;
	int h, l;

	while (i < len) {
		unsigned char c = (unsigned char)in[i];

		if (c == '%' && i + 2 < len &&
		    (h = hexval((unsigned char)in[i + 1])) >= 0 &&
		    (l = hexval((unsigned char)in[i + 2])) >= 0) {
			out[o++] = (char)(h << 4 | l);
			i += 3;
			*changed = 1;
		} else if (c == '%' && i + 5 < len &&
		    (in[i + 1] == 'u' || in[i + 1] == 'U') &&
		    hexval((unsigned char)in[i + 2]) >= 0 &&
		    hexval((unsigned char)in[i + 3]) >= 0 &&
		    hexval((unsigned char)in[i + 4]) >= 0 &&
		    hexval((unsigned char)in[i + 5]) >= 0) {
			unsigned long cp = 0;

			for (size_t k = 2; k < 6; k++)
				cp = cp << 4 | (unsigned long)hexval((unsigned char)in[i + k]);
			o += utf8_put(cp, out + o);
			i += 6;
			*changed = 1;
		} else if (c == '+' && first) {
			out[o++] = ' ';
			i++;
			*changed = 1;
		} else {
			out[o++] = (char)c;
			i++;
		}
	}
	return o;
}

/* Percent decoding repeated until nothing changes (at most four passes:
 * enough for the triple encodings seen in the wild, and bounded). */
size_t
norm_urldecode(const char *in, size_t len, char *out)
{
	int changed = 0;
	size_t n = urldecode_pass(in, len, out, 1, &changed);

	for (int pass = 1; changed && pass < URLDECODE_MAX_PASSES; pass++) {
		changed = 0;
		n = urldecode_pass(out, n, out, 0, &changed);
	}
	return n;
}

/* The ASCII a three-byte UTF-8 sequence starting with E2 stands in for
 * (slash and backslash look-alikes, circled digits and letters), or 0. */
static char
lookalike(const unsigned char *p)
{
	unsigned long cp = ((unsigned long)(p[0] & 0x0F) << 12) |
	    ((unsigned long)(p[1] & 0x3F) << 6) | (p[2] & 0x3F);

	if ((p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80)
		return 0;
	if (cp == 0x2215 || cp == 0x2044 || cp == 0x29F8)
		return '/';
	if (cp == 0x2216 || cp == 0x29F9)
		return '\\';
	if (cp >= 0x2460 && cp <= 0x2468)
		return (char)('1' + (cp - 0x2460));
	if (cp == 0x24EA)
		return '0';
	if (cp >= 0x24B6 && cp <= 0x24CF)
		return (char)('a' + (cp - 0x24B6));
	if (cp >= 0x24D0 && cp <= 0x24E9)
		return (char)('a' + (cp - 0x24D0));
	return 0;
}

/* Overlong UTF-8 forms (C0 AE for '.', E0 80 AF for '/', ...), the
 * full-width ASCII block (U+FF01..U+FF5E), slash look-alikes and circled
 * digits and letters become plain ASCII. */
size_t
norm_utf8(const char *in, size_t len, char *out)
{
	const unsigned char *s = (const unsigned char *)in;
	size_t i = 0, o = 0;
	char o3;

	while (i < len) {
		unsigned char c = s[i];

		if ((c == 0xC0 || c == 0xC1) && i + 1 < len && (s[i + 1] & 0xC0) == 0x80) {
			out[o++] = (char)(((c & 0x1F) << 6) | (s[i + 1] & 0x3F));
			i += 2;
		} else if (c == 0xE0 && i + 2 < len && s[i + 1] < 0xA0 &&
		    (s[i + 1] & 0xC0) == 0x80 && (s[i + 2] & 0xC0) == 0x80) {
			unsigned long cp = ((unsigned long)(s[i + 1] & 0x3F) << 6) | (s[i + 2] & 0x3F);

			o += utf8_put(cp, out + o);
			i += 3;
		} else if (c == 0xF0 && i + 3 < len && s[i + 1] < 0x90 &&
		    (s[i + 1] & 0xC0) == 0x80 && (s[i + 2] & 0xC0) == 0x80 &&
		    (s[i + 3] & 0xC0) == 0x80) {
			unsigned long cp = ((unsigned long)(s[i + 1] & 0x3F) << 12) |
			    ((unsigned long)(s[i + 2] & 0x3F) << 6) | (s[i + 3] & 0x3F);

			o += utf8_put(cp, out + o);
			i += 4;
		} else if (c == 0xE2 && i + 2 < len && s[i + 1] == 0x80 && s[i + 2] == 0xA5) {
			out[o++] = '.';	/* U+2025 two dot leader: "‥/‥/" */
			out[o++] = '.';
			i += 3;
		} else if (i + 2 < len && ((c == 0xE2 && s[i + 1] == 0x80 && s[i + 2] == 0xA4) ||
		    (c == 0xE3 && s[i + 1] == 0x80 && s[i + 2] == 0x82) ||
		    (c == 0xEF && s[i + 1] == 0xBD && s[i + 2] == 0xA1) ||
		    (c == 0xEF && s[i + 1] == 0xB9 && s[i + 2] == 0x92))) {
			out[o++] = '.';	/* one dot leader, ideographic and small full stops: 127。0。0。1 */
			i += 3;
		} else if (c == 0xE2 && i + 2 < len && (o3 = lookalike(s + i)) != 0) {
			out[o++] = o3;
			i += 3;
		} else if (c == 0xEF && i + 2 < len &&
		    ((s[i + 1] == 0xBC && s[i + 2] >= 0x81 && s[i + 2] <= 0xBF) ||
		    (s[i + 1] == 0xBD && s[i + 2] >= 0x80 && s[i + 2] <= 0x9E))) {
			unsigned long cp = 0xF000 | ((unsigned long)(s[i + 1] & 0x3F) << 6) |
			    (s[i + 2] & 0x3F);

			out[o++] = (char)(cp - 0xFEE0);
			i += 3;
		} else {
			out[o++] = (char)c;
			i++;
		}
	}
	return o;
}

struct entity {
	const char *name;
	const char *text;	/* never longer than name + 1 */
};

/* The named entities that matter for smuggling markup and script. */
static const struct entity entities[] = {
	{ "lt", "<" }, { "gt", ">" }, { "amp", "&" }, { "quot", "\"" },
	{ "apos", "'" }, { "nbsp", " " }, { "colon", ":" }, { "tab", "\t" },
	{ "newline", "\n" }, { "lpar", "(" }, { "rpar", ")" }, { "sol", "/" },
	{ "bsol", "\\" }, { "num", "#" }, { "period", "." }, { "equals", "=" },
	{ "excl", "!" }, { "plus", "+" }, { "comma", "," }, { "semi", ";" },
	{ "lsqb", "[" }, { "rsqb", "]" }, { "lbrack", "[" }, { "rbrack", "]" },
	{ "lcub", "{" }, { "rcub", "}" }, { "lbrace", "{" }, { "rbrace", "}" },
	{ "lowbar", "_" }, { "grave", "`" }, { "ast", "*" }, { "midast", "*" },
	{ "percnt", "%" }, { "dollar", "$" }, { "quest", "?" }, { "commat", "@" },
	{ "vert", "|" }, { "verbar", "|" }, { "Hat", "^" }, { "hyphen", "-" },
	{ "dash", "-" }, { "bquo", "`" },
};

/* Length of a decoded numeric entity at in[i] ("&#...") or 0. */
static size_t
numeric_entity(const char *in, size_t len, size_t i, char *out, size_t *consumed)
{
	size_t j = i + 2, digits = 0;
	unsigned long cp = 0;
	int hex = 0;

	if (j < len && (in[j] == 'x' || in[j] == 'X')) {
		hex = 1;
		j++;
	}
	while (j < len && digits < 8) {
		int v = hex ? hexval((unsigned char)in[j]) :
		    (in[j] >= '0' && in[j] <= '9' ? in[j] - '0' : -1);

		if (v < 0)
			break;
		cp = cp * (hex ? 16 : 10) + (unsigned long)v;
		j++;
		digits++;
	}
	if (digits == 0)
		return 0;
	while (j < len && digits >= 8 && (hex ? hexval((unsigned char)in[j]) >= 0 :
	    (in[j] >= '0' && in[j] <= '9'))) {
		cp = 0x110000;	/* absurdly long: U+FFFD */
		j++;
	}
	if (j < len && in[j] == ';')
		j++;
	*consumed = j - i;
	if (cp == 0)
		return 0;
	return utf8_put(cp, out);
}

static size_t entity_decode(const char *in, size_t len, char *out, int keep_angles);

size_t
norm_htmlentity(const char *in, size_t len, char *out)
{
	return entity_decode(in, len, out, 0);
}

/* As a browser reads markup: entities decode (inside attribute values they
 * build "javascript:"), but an encoded '<' or '>' never opens a tag, so
 * those stay as they are ("&lt;script&gt;" shown in a post is text). */
size_t
norm_htmlattr(const char *in, size_t len, char *out)
{
	return entity_decode(in, len, out, 1);
}

static size_t
entity_decode(const char *in, size_t len, char *out, int keep_angles)
{
	size_t i = 0, o = 0;

	while (i < len) {
		size_t used = 0, n = 0;

		if (in[i] != '&') {
			out[o++] = in[i++];
			continue;
		}
		if (i + 1 < len && in[i + 1] == '#') {
			char tmp[4];

			n = numeric_entity(in, len, i, tmp, &used);
			if (used > 0 && keep_angles && n == 1 && (tmp[0] == '<' || tmp[0] == '>')) {
				memcpy(out + o, in + i, used);
				o += used;
				i += used;
				continue;
			}
			if (used > 0) {
				memcpy(out + o, tmp, n);
				o += n;
				i += used;
				continue;
			}
		} else {
			for (size_t k = 0; k < sizeof(entities) / sizeof(entities[0]); k++) {
				size_t nl = strlen(entities[k].name);

				if (i + 1 + nl <= len && memcmp(in + i + 1, entities[k].name, nl) == 0) {
					size_t tl = strlen(entities[k].text);
					int angle = entities[k].text[0] == '<' || entities[k].text[0] == '>';

					used = 1 + nl;
					if (i + used < len && in[i + used] == ';')
						used++;
					if (keep_angles && angle) {
						memcpy(out + o, in + i, used);
						o += used;
						i += used;
						break;
					}
					memcpy(out + o, entities[k].text, tl);
					o += tl;
					i += used;
					break;
				}
			}
			if (used > 0)
				continue;
		}
		out[o++] = in[i++];
	}
	return o;
}

#define PATH_MAX_SEGS 256

/* Resolve "." and "..", fold "//" and turn '\' into '/'. A ".." that would
 * climb above the start is kept, so traversal stays visible. */
size_t
norm_path(const char *in, size_t len, char *out)
{
	size_t segs[PATH_MAX_SEGS];	/* output offset where each segment starts */
	size_t nseg = 0, i = 0, o = 0;
	int absolute = len > 0 && (in[0] == '/' || in[0] == '\\');

	if (absolute) {
		out[o++] = '/';
		i = 1;
	}
	while (i < len) {
		size_t start = i, n;

		while (i < len && in[i] != '/' && in[i] != '\\')
			i++;
		n = i - start;
		if (i < len)
			i++;	/* the separator */
		if (n == 0 || (n == 1 && in[start] == '.'))
			continue;
		if (n == 2 && in[start] == '.' && in[start + 1] == '.' && nseg > 0 &&
		    !(o - segs[nseg - 1] >= 2 && out[segs[nseg - 1]] == '.' &&
		    out[segs[nseg - 1] + 1] == '.' &&
		    (o - segs[nseg - 1] == 2 || out[segs[nseg - 1] + 2] == '/'))) {
			o = segs[--nseg];
			continue;
		}
		if (nseg == PATH_MAX_SEGS) {
			/* too deep to track: copy the rest as it is */
			for (size_t k = start; k < len; k++)
				out[o++] = in[k] == '\\' ? '/' : in[k];
			return o;
		}
		if (o > 0 && out[o - 1] != '/')
			out[o++] = '/';
		segs[nseg++] = o;
		memcpy(out + o, in + start, n);
		o += n;
	}
	if (len > 0 && (in[len - 1] == '/' || in[len - 1] == '\\') && o > 0 && out[o - 1] != '/')
		out[o++] = '/';
	return o;
}

size_t
norm_lower(const char *in, size_t len, char *out)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)in[i];

		out[i] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
	}
	return len;
}

/* SQL comments become one space (MySQL reads them as whitespace); the body
 * of a MySQL executable comment "/ *!50000 ... * /" is kept. */
size_t
norm_sqlcomment(const char *in, size_t len, char *out)
{
	size_t i = 0, o = 0;
	int in_exec = 0;

	while (i < len) {
		if (in[i] == '/' && i + 1 < len && in[i + 1] == '*') {
			if (i + 2 < len && in[i + 2] == '!') {
				i += 3;
				while (i < len && in[i] >= '0' && in[i] <= '9')
					i++;
				in_exec = 1;
				out[o++] = ' ';
				continue;
			}
			i += 2;
			while (i + 1 < len && !(in[i] == '*' && in[i + 1] == '/'))
				i++;
			i = i + 1 < len ? i + 2 : len;
			out[o++] = ' ';
		} else if (in_exec && in[i] == '*' && i + 1 < len && in[i + 1] == '/') {
			in_exec = 0;
			i += 2;
			out[o++] = ' ';
		} else if ((in[i] == '-' && i + 1 < len && in[i + 1] == '-') || in[i] == '#') {
			while (i < len && in[i] != '\n')
				i++;
			out[o++] = ' ';
		} else {
			out[o++] = in[i++];
		}
	}
	return o;
}

size_t
norm_htmlcomment(const char *in, size_t len, char *out)
{
	size_t i = 0, o = 0;

	while (i < len) {
		if (in[i] == '<' && i + 3 < len && in[i + 1] == '!' && in[i + 2] == '-' &&
		    in[i + 3] == '-') {
			i += 4;
			while (i + 2 < len && !(in[i] == '-' && in[i + 1] == '-' && in[i + 2] == '>'))
				i++;
			i = i + 2 < len ? i + 3 : len;
		} else {
			out[o++] = in[i++];
		}
	}
	return o;
}

static int
is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

/* Runs of whitespace (and UTF-8 no-break spaces) become one space. */
size_t
norm_whitespace(const char *in, size_t len, char *out)
{
	const unsigned char *s = (const unsigned char *)in;
	size_t i = 0, o = 0;
	int prev_space = 0;

	while (i < len) {
		size_t w = is_space(s[i]) ? 1 : (s[i] == 0xC2 && i + 1 < len && s[i + 1] == 0xA0) ? 2 : 0;

		if (w > 0) {
			if (!prev_space)
				out[o++] = ' ';
			prev_space = 1;
			i += w;
		} else {
			out[o++] = (char)s[i++];
			prev_space = 0;
		}
	}
	return o;
}

size_t
norm_nul(const char *in, size_t len, char *out)
{
	size_t o = 0;

	for (size_t i = 0; i < len; i++)
		if (in[i] != '\0')
			out[o++] = in[i];
	return o;
}

/* Shell obfuscation undone the way a shell would read it: quotes, '\' and
 * '^' go, $IFS / ${IFS} and ',' / ';' separate words, spaces before '/' and
 * '(' go, runs of spaces fold, letters are lowered. */
size_t
norm_cmdline(const char *in, size_t len, char *out)
{
	size_t i = 0, o = 0;

	while (i < len) {
		unsigned char c = (unsigned char)in[i];

		if (c == '\\' || c == '"' || c == '\'' || c == '^') {
			i++;
			continue;
		}
		if (c == '$' && i + 3 < len && memcmp(in + i + 1, "IFS", 3) == 0) {
			i += 4;
			c = ' ';
		} else if (c == '$' && i + 5 < len && memcmp(in + i + 1, "{IFS}", 5) == 0) {
			i += 6;
			c = ' ';
		} else if (c == '$' && i + 1 < len && (in[i + 1] == '@' || in[i + 1] == '*')) {
			i += 2;
			continue;
		} else {
			i++;
		}
		if (c == ',' || c == ';' || is_space(c))
			c = ' ';
		if ((c == '/' || c == '(') && o > 0 && out[o - 1] == ' ')
			o--;
		if (c == ' ' && o > 0 && out[o - 1] == ' ')
			continue;
		out[o++] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
	}
	return o;
}

/* JavaScript string escapes: \xHH, \uHHHH, \u{H..}, octal \NNN and the
 * single-character ones. */
size_t
norm_jsdecode(const char *in, size_t len, char *out)
{
	size_t i = 0, o = 0;

	while (i < len) {
		unsigned long cp = 0;

		if (in[i] != '\\' || i + 1 >= len) {
			out[o++] = in[i++];
			continue;
		}
		char e = in[i + 1];

		if (e == 'x' && i + 3 < len && hexval((unsigned char)in[i + 2]) >= 0 &&
		    hexval((unsigned char)in[i + 3]) >= 0) {
			out[o++] = (char)(hexval((unsigned char)in[i + 2]) << 4 |
			    hexval((unsigned char)in[i + 3]));
			i += 4;
		} else if (e == 'u' && i + 5 < len && hexval((unsigned char)in[i + 2]) >= 0 &&
		    hexval((unsigned char)in[i + 3]) >= 0 && hexval((unsigned char)in[i + 4]) >= 0 &&
		    hexval((unsigned char)in[i + 5]) >= 0) {
			for (size_t k = 2; k < 6; k++)
				cp = cp << 4 | (unsigned long)hexval((unsigned char)in[i + k]);
			o += utf8_put(cp, out + o);
			i += 6;
		} else if (e == 'u' && i + 2 < len && in[i + 2] == '{') {
			size_t j = i + 3, d = 0;

			while (j < len && d < 6 && hexval((unsigned char)in[j]) >= 0) {
				cp = cp << 4 | (unsigned long)hexval((unsigned char)in[j]);
				j++;
				d++;
			}
			if (d > 0 && j < len && in[j] == '}') {
				o += utf8_put(cp, out + o);
				i = j + 1;
			} else {
				out[o++] = in[i++];
			}
		} else if (e >= '0' && e <= '7') {
			size_t j = i + 1, d = 0;

			while (j < len && d < 3 && in[j] >= '0' && in[j] <= '7') {
				cp = cp * 8 + (unsigned long)(in[j] - '0');
				j++;
				d++;
			}
			out[o++] = (char)(cp & 0xFF);
			i = j;
		} else {
			switch (e) {
			case 'n': out[o++] = '\n'; break;
			case 't': out[o++] = '\t'; break;
			case 'r': out[o++] = '\r'; break;
			case 'v': out[o++] = '\v'; break;
			case 'f': out[o++] = '\f'; break;
			case 'b': out[o++] = '\b'; break;
			default: out[o++] = e; break;
			}
			i += 2;
		}
	}
	return o;
}

size_t
norm_slashes(const char *in, size_t len, char *out)
{
	for (size_t i = 0; i < len; i++)
		out[i] = in[i] == '\\' ? '/' : in[i];
	return len;
}

static int
b64val(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+' || c == '-')
		return 62;
	if (c == '/' || c == '_')
		return 63;
	return -1;
}

/* Is b[0..n) text: valid UTF-8 without control bytes other than tab, CR
 * and LF? */
static int
is_text(const char *b, size_t n)
{
	for (size_t i = 0; i < n;) {
		unsigned char c = (unsigned char)b[i];
		size_t extra;

		if (c < 0x80) {
			if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7F)
				return 0;
			i++;
			continue;
		}
		extra = c >= 0xC2 && c <= 0xDF ? 1 : c >= 0xE0 && c <= 0xEF ? 2 :
		    c >= 0xF0 && c <= 0xF4 ? 3 : 0;
		if (extra == 0)
			return 0;
		for (size_t k = 1; k <= extra; k++)
			if (i + k >= n || ((unsigned char)b[i + k] & 0xC0) != 0x80)
				return 0;
		i += extra + 1;
	}
	return 1;
}

/* A value that is entirely base64 (standard or URL alphabet, at least 16
 * characters) is decoded; anything else passes unchanged. */
size_t
norm_base64(const char *in, size_t len, char *out)
{
	size_t n = len, o = 0;
	unsigned long acc = 0;
	int bits = 0;

	while (n > 0 && (in[n - 1] == '=' || in[n - 1] == '\n' || in[n - 1] == '\r'))
		n--;
	if (n < 16 || len - n > 4)
		goto copy;
	for (size_t i = 0; i < n; i++)
		if (b64val((unsigned char)in[i]) < 0)
			goto copy;
	for (size_t i = 0; i < n; i++) {
		acc = (acc << 6) | (unsigned long)b64val((unsigned char)in[i]);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (char)((acc >> bits) & 0xFF);
		}
	}
	if (!is_text(out, o))
		return 0;	/* a session id or a signature: bytes, not text */
	return o;
copy:
	return 0;	/* not base64: nothing for the rules after it to read */
}

const struct norm_def norm_table[] = {
	{ "urldecode", norm_urldecode, "percent and %uXXXX decoding, '+' as space, repeated until stable (at most 4 passes)" },
	{ "utf8", norm_utf8, "overlong UTF-8 and full-width ASCII to plain ASCII" },
	{ "htmlentity", norm_htmlentity, "named and numeric HTML entities (with or without ';')" },
	{ "htmlattr", norm_htmlattr, "HTML entities as a browser decodes them in markup: an encoded '<' or '>' stays encoded" },
	{ "path", norm_path, "'\\' to '/', '//' folded, '.' and '..' resolved (a '..' above the start is kept)" },
	{ "lower", norm_lower, "ASCII case folding" },
	{ "sqlcomment", norm_sqlcomment, "SQL comments (/* */, -- and #) to one space; MySQL /*! */ bodies kept" },
	{ "htmlcomment", norm_htmlcomment, "HTML comments <!-- --> removed" },
	{ "whitespace", norm_whitespace, "runs of whitespace (and no-break spaces) to one space" },
	{ "nul", norm_nul, "NUL bytes removed" },
	{ "cmdline", norm_cmdline, "shell quoting, '\\', '^', $IFS and $@ removed, separators folded, lowered" },
	{ "slashes", norm_slashes, "'\\' to '/' (Windows paths), nothing resolved" },
	{ "base64", norm_base64, "a value that is all base64 (16+ characters) and decodes to text, decoded; others empty" },
	{ "jsdecode", norm_jsdecode, "JavaScript escapes \\xHH, \\uHHHH, \\u{...}, octal and single-character" },
};
const size_t norm_count = sizeof(norm_table) / sizeof(norm_table[0]);

int
norm_find(const char *name)
{
	for (size_t i = 0; i < norm_count; i++)
		if (strcmp(norm_table[i].name, name) == 0)
			return (int)i;
	return -1;
}

size_t
norm_run(const uint8_t *chain, size_t n, const char *in, size_t len,
    char *buf_a, char *buf_b, const char **out)
{
	const char *cur = in;
	char *dst = buf_a;

	for (size_t k = 0; k < n; k++) {
		len = norm_table[chain[k]].fn(cur, len, dst);
		cur = dst;
		dst = dst == buf_a ? buf_b : buf_a;
	}
	*out = cur;
	return len;
}
