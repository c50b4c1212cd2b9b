/*
 * version: dpkg, rpm and apk version comparison, each a transcription of
 * the package manager's own algorithm (dpkg 1.21 lib/dpkg/version.c and
 * parsehelp.c, rpm 4.18 rpmio/rpmvercmp.c and lib/rpmver.c, apk-tools 2.14
 * src/version.c) working on (pointer, length) ranges instead of copies.
 * The originals' quirks are kept on purpose: a version compares the way
 * the installed package manager would compare it, or the matcher lies.
 * Character classes are ASCII only, as in all three (no locale).
 */
#include "version.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void
set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static bool is_digit(int c) { return c >= '0' && c <= '9'; }
static bool is_alpha(int c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
static bool is_lower(int c) { return c >= 'a' && c <= 'z'; }
static bool is_alnum(int c) { return is_digit(c) || is_alpha(c); }
static bool is_blank(int c) { return c == ' ' || c == '\t'; }
static bool is_space(int c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

static int sign(long long v) { return v < 0 ? -1 : v > 0; }

/* ---- dpkg ---- */

struct dpkg_ver {
	bool is_blank;		/* "" or "<unknown>": below every version */
	long epoch;
	const char *up, *up_end;
	const char *rev, *rev_end;
};

/* dpkg's parseversion(): errors refuse the version; its warnings (upstream
 * not starting with a digit, odd characters) do not, as with
 * `dpkg --compare-versions`, which warns and compares anyway. */
static int
dpkg_parse(const char *s, struct dpkg_ver *v, char *err, size_t errlen)
{
	const char *end, *p, *colon, *hyphen = NULL;

	memset(v, 0, sizeof(*v));
	if (*s == '\0' || strcmp(s, "<unknown>") == 0) {
		v->is_blank = true;
		return 0;
	}
	while (*s && is_blank((unsigned char)*s))
		s++;
	if (*s == '\0') {
		set_err(err, errlen, "version string is empty");
		return -1;
	}
	for (end = s; *end && !is_space((unsigned char)*end); end++)
		;
	for (p = end; *p && is_space((unsigned char)*p); p++)
		;
	if (*p != '\0') {
		set_err(err, errlen, "version string has embedded spaces");
		return -1;
	}
	colon = memchr(s, ':', (size_t)(end - s));
	if (colon != NULL) {
		char *eepoch;
		long epoch;

		errno = 0;
		epoch = strtol(s, &eepoch, 10);
		if (eepoch == s) {
			set_err(err, errlen, "epoch in version is empty");
			return -1;
		}
		if (eepoch != colon) {
			set_err(err, errlen, "epoch in version is not number");
			return -1;
		}
		if (epoch < 0) {
			set_err(err, errlen, "epoch in version is negative");
			return -1;
		}
		if (epoch > INT_MAX || errno == ERANGE) {
			set_err(err, errlen, "epoch in version is too big");
			return -1;
		}
		if (colon[1] == '\0') {
			set_err(err, errlen, "nothing after colon in version number");
			return -1;
		}
		v->epoch = epoch;
		s = colon + 1;
	}
	for (p = s; p < end; p++)
		if (*p == '-')
			hyphen = p;
	v->up = s;
	v->up_end = hyphen ? hyphen : end;
	v->rev = hyphen ? hyphen + 1 : end;
	v->rev_end = end;
	if (hyphen != NULL && v->rev == end) {
		set_err(err, errlen, "revision number is empty");
		return -1;
	}
	if (v->up == v->up_end) {
		set_err(err, errlen, "upstream version is empty");
		return -1;
	}
	return 0;
}

/* dpkg's order(): digits 0, letters their code, '~' -1, others code + 256.
 * char is signed on the platforms dpkg ships for (amd64, arm64 Debian
 * builds differ: arm64's char is unsigned); bytes >= 0x80 follow amd64. */
static int
dpkg_order(int c)
{
	if (is_digit(c))
		return 0;
	if (is_alpha(c))
		return c;
	if (c == '~')
		return -1;
	if (c != 0)
		return c + 256;
	return 0;
}

#define AT(p, e) ((p) < (e) ? (int)(signed char)*(p) : 0)

static int
dpkg_verrevcmp(const char *a, const char *ae, const char *b, const char *be)
{
	while (a < ae || b < be) {
		int first_diff = 0;

		while ((a < ae && !is_digit(*a)) || (b < be && !is_digit(*b))) {
			int ac = dpkg_order(AT(a, ae));
			int bc = dpkg_order(AT(b, be));

			if (ac != bc)
				return sign(ac - bc);
			a++;
			b++;
		}
		while (a < ae && *a == '0')
			a++;
		while (b < be && *b == '0')
			b++;
		while (a < ae && b < be && is_digit(*a) && is_digit(*b)) {
			if (!first_diff)
				first_diff = *a - *b;
			a++;
			b++;
		}
		if (a < ae && is_digit(*a))
			return 1;
		if (b < be && is_digit(*b))
			return -1;
		if (first_diff)
			return sign(first_diff);
	}
	return 0;
}

static int
dpkg_cmp(const struct dpkg_ver *a, const struct dpkg_ver *b)
{
	int rc;

	if (a->is_blank || b->is_blank)
		return a->is_blank == b->is_blank ? 0 : a->is_blank ? -1 : 1;
	if (a->epoch != b->epoch)
		return a->epoch > b->epoch ? 1 : -1;
	rc = dpkg_verrevcmp(a->up, a->up_end, b->up, b->up_end);
	if (rc != 0)
		return rc;
	return dpkg_verrevcmp(a->rev, a->rev_end, b->rev, b->rev_end);
}

/* ---- rpm ---- */

struct rpm_ver {
	const char *e, *e_end;	/* "0" when missing or empty */
	const char *v, *v_end;
	const char *r, *r_end;	/* r NULL: no release */
};

/* rpm's parseEVR(): digits then ':' is an epoch; the last '-' after it
 * starts the release. rpmverParse() refuses only the empty string. */
static int
rpm_parse(const char *s, struct rpm_ver *v, char *err, size_t errlen)
{
	static const char zero[] = "0";
	const char *end = s + strlen(s), *p, *se = NULL;

	memset(v, 0, sizeof(*v));
	if (*s == '\0') {
		set_err(err, errlen, "version string is empty");
		return -1;
	}
	for (p = s; *p && is_digit(*p); p++)
		;
	for (const char *q = p; q < end; q++)
		if (*q == '-')
			se = q;
	v->e = zero;
	v->e_end = zero + 1;
	v->v = s;
	if (*p == ':') {
		if (p > s) {
			v->e = s;
			v->e_end = p;
		}
		v->v = p + 1;
	}
	v->v_end = se ? se : end;
	if (se != NULL) {
		v->r = se + 1;
		v->r_end = end;
	}
	return 0;
}

#define RAT(p, e) ((p) < (e) ? *(p) : '\0')

/* rpmvercmp(), rpm 4.18. */
static int
rpm_vercmp(const char *one, const char *oe, const char *two, const char *te)
{
	if (oe - one == te - two && memcmp(one, two, (size_t)(oe - one)) == 0)
		return 0;
	while (one < oe || two < te) {
		const char *s1, *s2;
		bool isnum;
		size_t l1, l2;
		int rc;

		while (one < oe && !is_alnum(*one) && *one != '~' && *one != '^')
			one++;
		while (two < te && !is_alnum(*two) && *two != '~' && *two != '^')
			two++;

		/* '~' sorts before everything else */
		if (RAT(one, oe) == '~' || RAT(two, te) == '~') {
			if (RAT(one, oe) != '~')
				return 1;
			if (RAT(two, te) != '~')
				return -1;
			one++;
			two++;
			continue;
		}
		/* '^' like '~', but a version that ends there is lower */
		if (RAT(one, oe) == '^' || RAT(two, te) == '^') {
			if (one == oe)
				return -1;
			if (two == te)
				return 1;
			if (*one != '^')
				return 1;
			if (*two != '^')
				return -1;
			one++;
			two++;
			continue;
		}
		if (!(one < oe && two < te))
			break;

		s1 = one;
		s2 = two;
		if (is_digit(*s1)) {
			while (s1 < oe && is_digit(*s1))
				s1++;
			while (s2 < te && is_digit(*s2))
				s2++;
			isnum = true;
		} else {
			while (s1 < oe && is_alpha(*s1))
				s1++;
			while (s2 < te && is_alpha(*s2))
				s2++;
			isnum = false;
		}
		if (one == s1)
			return -1;	/* cannot happen, as in rpm */
		/* numeric segments are newer than alpha ones */
		if (two == s2)
			return isnum ? 1 : -1;
		if (isnum) {
			while (one < s1 && *one == '0')
				one++;
			while (two < s2 && *two == '0')
				two++;
			if (s1 - one > s2 - two)
				return 1;
			if (s2 - two > s1 - one)
				return -1;
		}
		/* strcmp() of the two segments */
		l1 = (size_t)(s1 - one);
		l2 = (size_t)(s2 - two);
		rc = memcmp(one, two, l1 < l2 ? l1 : l2);
		if (rc == 0 && l1 != l2)
			rc = l1 < l2 ? -1 : 1;
		if (rc != 0)
			return rc < 0 ? -1 : 1;
		one = s1;
		two = s2;
	}
	if (one == oe && two == te)
		return 0;
	return one == oe ? -1 : 1;
}

/* rpmverCmp(), rpm 4.18: epoch, version, and the release only when both
 * sides have one ("1.0" matches every release of 1.0, as in a dependency). */
static int
rpm_cmp(const struct rpm_ver *a, const struct rpm_ver *b)
{
	int rc = rpm_vercmp(a->e, a->e_end, b->e, b->e_end);

	if (rc == 0)
		rc = rpm_vercmp(a->v, a->v_end, b->v, b->v_end);
	if (rc == 0 && a->r != NULL && b->r != NULL)
		rc = rpm_vercmp(a->r, a->r_end, b->r, b->r_end);
	return rc;
}

/* ---- apk ---- */

enum apk_token {
	APK_INVALID = -1,
	APK_DIGIT_OR_ZERO,
	APK_DIGIT,
	APK_LETTER,
	APK_SUFFIX,
	APK_SUFFIX_NO,
	APK_REVISION_NO,
	APK_END,
};

struct apk_blob {
	const char *p;
	size_t n;
};

/* A token's value: a number kept as its digits (apk-tools 2.x overflows an
 * int past nine digits; here any length compares exactly), or a small int
 * (a letter, a suffix's rank, minus the count of leading zeros). */
struct apk_val {
	bool is_num;
	long small;
	const char *num;	/* without leading zeros */
	size_t numlen;
};

static int
apk_valcmp(const struct apk_val *a, const struct apk_val *b)
{
	if (a->is_num && b->is_num) {
		if (a->numlen != b->numlen)
			return a->numlen < b->numlen ? -1 : 1;
		return sign(memcmp(a->num, b->num, a->numlen));
	}
	if (a->is_num != b->is_num) {
		const struct apk_val *n = a->is_num ? a : b, *s = a->is_num ? b : a;
		long long nv = 0;
		int rc;

		if (n->numlen > 18)
			rc = 1;
		else {
			for (size_t i = 0; i < n->numlen; i++)
				nv = nv * 10 + (n->num[i] - '0');
			rc = sign(nv - s->small);
		}
		return a->is_num ? rc : -rc;
	}
	return sign(a->small - b->small);
}

static void
apk_next_token(int *type, struct apk_blob *b)
{
	int n = APK_INVALID;

	if (b->n == 0 || b->p[0] == '\0') {
		n = APK_END;
	} else if ((*type == APK_DIGIT || *type == APK_DIGIT_OR_ZERO) &&
	    is_lower(b->p[0])) {
		n = APK_LETTER;
	} else if (*type == APK_LETTER && is_digit(b->p[0])) {
		n = APK_DIGIT;
	} else if (*type == APK_SUFFIX && is_digit(b->p[0])) {
		n = APK_SUFFIX_NO;
	} else {
		switch (b->p[0]) {
		case '.':
			n = APK_DIGIT_OR_ZERO;
			break;
		case '_':
			n = APK_SUFFIX;
			break;
		case '-':
			if (b->n > 1 && b->p[1] == 'r') {
				n = APK_REVISION_NO;
				b->p++;
				b->n--;
			}
			break;
		}
		b->p++;
		b->n--;
	}
	if (n < *type &&
	    !((n == APK_DIGIT_OR_ZERO && *type == APK_DIGIT) ||
	    (n == APK_SUFFIX && *type == APK_SUFFIX_NO) ||
	    (n == APK_DIGIT && *type == APK_LETTER)))
		n = APK_INVALID;
	*type = n;
}

static void
apk_get_token(int *type, struct apk_blob *b, struct apk_val *v)
{
	static const char *const pre[] = { "alpha", "beta", "pre", "rc" };
	static const char *const post[] = { "cvs", "svn", "git", "hg", "p" };
	int nt = APK_INVALID;
	size_t i = 0, k;

	memset(v, 0, sizeof(*v));
	if (b->n == 0) {
		*type = APK_END;
		return;
	}
	switch (*type) {
	case APK_DIGIT_OR_ZERO:
		if (b->p[0] == '0') {	/* leading zeros: minus their count */
			while (i < b->n && b->p[i] == '0')
				i++;
			nt = APK_DIGIT;
			v->small = -(long)(i > 1000000 ? 1000000 : i);
			break;
		}
		__attribute__((fallthrough));
	case APK_DIGIT:
	case APK_SUFFIX_NO:
	case APK_REVISION_NO:
		while (i < b->n && b->p[i] == '0')
			i++;
		v->is_num = true;
		v->num = b->p + i;
		while (i < b->n && is_digit(b->p[i]))
			i++;
		v->numlen = (size_t)(b->p + i - v->num);
		break;
	case APK_LETTER:
		v->small = (unsigned char)b->p[i++];
		break;
	case APK_SUFFIX:
		for (k = 0; k < sizeof(pre) / sizeof(pre[0]); k++) {
			i = strlen(pre[k]);
			if (i <= b->n && strncmp(pre[k], b->p, i) == 0)
				break;
		}
		if (k < sizeof(pre) / sizeof(pre[0])) {
			v->small = (long)k - (long)(sizeof(pre) / sizeof(pre[0]));
			break;
		}
		for (k = 0; k < sizeof(post) / sizeof(post[0]); k++) {
			i = strlen(post[k]);
			if (i <= b->n && strncmp(post[k], b->p, i) == 0)
				break;
		}
		if (k < sizeof(post) / sizeof(post[0])) {
			v->small = (long)k;
			break;
		}
		*type = APK_INVALID;
		v->small = -1;
		return;
	default:
		*type = APK_INVALID;
		v->small = -1;
		return;
	}
	b->p += i;
	b->n -= i;
	if (b->n == 0)
		*type = APK_END;
	else if (nt != APK_INVALID)
		*type = nt;
	else
		apk_next_token(type, b);
}

/* apk_version_validate(); the empty string is refused too (apk-tools
 * would take it, but no package can have it). */
static int
apk_check(const char *s, char *err, size_t errlen)
{
	struct apk_blob b = { s, strlen(s) };
	struct apk_val v;
	int t = APK_DIGIT;

	if (*s == '\0') {
		set_err(err, errlen, "version string is empty");
		return -1;
	}
	while (t != APK_END && t != APK_INVALID)
		apk_get_token(&t, &b, &v);
	if (t != APK_END) {
		set_err(err, errlen, "not an apk version (expected "
		    "digits[.digits...][letter][_suffix[N]...][-rN]) near '%.*s'",
		    (int)(b.n > 20 ? 20 : b.n), b.p);
		return -1;
	}
	return 0;
}

/* apk_version_compare_blob(), apk-tools 2.14, on two valid versions. */
static int
apk_cmp(const char *as, const char *bs)
{
	struct apk_blob a = { as, strlen(as) }, b = { bs, strlen(bs) };
	struct apk_val av = { .small = 0 }, bv = { .small = 0 }, tv;
	int at = APK_DIGIT, bt = APK_DIGIT, tt, rc = 0;

	while (at == bt && at != APK_END && at != APK_INVALID && rc == 0) {
		apk_get_token(&at, &a, &av);
		apk_get_token(&bt, &b, &bv);
		rc = apk_valcmp(&av, &bv);
	}
	if (rc != 0)
		return rc;
	if (at == bt)
		return 0;
	/* equal so far: the longer one is greater, unless what follows is
	 * a pre-release suffix */
	tt = at;
	if (at == APK_SUFFIX) {
		apk_get_token(&tt, &a, &tv);
		if (tv.small < 0)
			return -1;
	}
	tt = bt;
	if (bt == APK_SUFFIX) {
		apk_get_token(&tt, &b, &tv);
		if (tv.small < 0)
			return 1;
	}
	if (at > bt)
		return -1;
	if (bt > at)
		return 1;
	return 0;
}

/* ---- the API ---- */

static const char *const format_names[] = {
	[VERSION_DPKG] = "dpkg",
	[VERSION_RPM] = "rpm",
	[VERSION_APK] = "apk",
};

int
version_format_parse(const char *name, enum version_format *out)
{
	for (size_t i = 0; i < sizeof(format_names) / sizeof(format_names[0]); i++)
		if (name != NULL && strcmp(name, format_names[i]) == 0) {
			*out = (enum version_format)i;
			return 0;
		}
	return -1;
}

const char *
version_format_name(enum version_format f)
{
	return (unsigned)f < sizeof(format_names) / sizeof(format_names[0]) ?
	    format_names[f] : "?";
}

static int
bad(enum version_format f, const char *v, const char *why, char *err,
    size_t errlen)
{
	set_err(err, errlen, "invalid %s version '%.*s%s': %s",
	    version_format_name(f), 64, v, strlen(v) > 64 ? "..." : "", why);
	return -1;
}

int
version_check(enum version_format f, const char *v, char *err, size_t errlen)
{
	char why[160];
	struct dpkg_ver d;
	struct rpm_ver r;
	int rc;

	switch (f) {
	case VERSION_DPKG:
		rc = dpkg_parse(v, &d, why, sizeof(why));
		break;
	case VERSION_RPM:
		rc = rpm_parse(v, &r, why, sizeof(why));
		break;
	case VERSION_APK:
		rc = apk_check(v, why, sizeof(why));
		break;
	default:
		set_err(err, errlen, "unknown version format %d", (int)f);
		return -1;
	}
	return rc < 0 ? bad(f, v, why, err, errlen) : 0;
}

int
version_compare(enum version_format f, const char *a, const char *b,
    int *result, char *err, size_t errlen)
{
	char why[160];

	if (a == NULL || b == NULL) {
		set_err(err, errlen, "missing version");
		return -1;
	}
	switch (f) {
	case VERSION_DPKG: {
		struct dpkg_ver da, db;

		if (dpkg_parse(a, &da, why, sizeof(why)) < 0)
			return bad(f, a, why, err, errlen);
		if (dpkg_parse(b, &db, why, sizeof(why)) < 0)
			return bad(f, b, why, err, errlen);
		*result = dpkg_cmp(&da, &db);
		return 0;
	}
	case VERSION_RPM: {
		struct rpm_ver ra, rb;

		if (rpm_parse(a, &ra, why, sizeof(why)) < 0)
			return bad(f, a, why, err, errlen);
		if (rpm_parse(b, &rb, why, sizeof(why)) < 0)
			return bad(f, b, why, err, errlen);
		*result = rpm_cmp(&ra, &rb);
		return 0;
	}
	case VERSION_APK:
		if (apk_check(a, why, sizeof(why)) < 0)
			return bad(f, a, why, err, errlen);
		if (apk_check(b, why, sizeof(why)) < 0)
			return bad(f, b, why, err, errlen);
		*result = apk_cmp(a, b);
		return 0;
	}
	set_err(err, errlen, "unknown version format %d", (int)f);
	return -1;
}
