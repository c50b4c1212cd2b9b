/*
 * password: argon2id hashes in PHC string form and the password policy users
 * meet when they register or change a password. The common-password list is
 * compiled in (scripts/embed_list.py over rules/passwords/common.txt) and
 * turned into a hash set on first use, so a lookup costs one hash whatever
 * the list's size. Every rule refusal carries a sentence a user can act on.
 */
#include "password.h"

#include <argon2.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto.h"

#define SALT_LEN 16
#define HASH_LEN 32

/* Refuse encodings whose cost would let a corrupted or hostile stored hash
 * exhaust memory or CPU on verification. */
#define VERIFY_MAX_M_KIB (1024u * 1024u)
#define VERIFY_MAX_T 64u
#define VERIFY_MAX_P 64u

const struct password_params PASSWORD_DEFAULT_PARAMS = {
	.t_cost = 2,
	.m_cost_kib = 19 * 1024,
	.parallelism = 1,
};

/* Generated from rules/passwords/common.txt. */
extern const char *const password_common_list[];
extern const size_t password_common_list_count;

/*
 * Words that stay weak whatever digits or symbols are stuck to them:
 * "Password2024!!", "woaini1314", "admin@123". Compared after stripping
 * leading/trailing non-letters, lower-casing and undoing common
 * letter-for-symbol swaps (p@ssw0rd).
 */
static const char *const base_words[] = {
	"password", "passwd", "pass", "pwd", "admin", "administrator", "root",
	"user", "guest", "test", "tester", "demo", "login", "welcome", "letmein",
	"changeme", "default", "secret", "qwerty", "qwertyuiop", "asdf",
	"asdfgh", "asdfghjkl", "zxcvbn", "zxcvbnm", "qazwsx", "abc", "abcd",
	"abcdef", "iloveyou", "loveyou", "love", "woaini", "woaiwojia",
	"aini", "wangyi", "baidu", "taobao", "alibaba", "tencent", "huawei",
	"xiaomi", "qq", "wechat", "weixin", "china", "zhongguo", "beijing",
	"shanghai", "shenzhen", "guangzhou", "hangzhou", "yunshou", "cloud",
	"security", "server", "system", "sysadmin", "super", "superman",
	"master", "dragon", "monkey", "shadow", "sunshine", "princess",
	"football", "baseball", "hello", "hellokitty", "computer",
	"internet", "manager", "service", "support", "oracle", "mysql",
	"database", "ubuntu", "linux", "windows", "company", "office",
	"zhangwei", "wangwei", "wangfang", "liwei", "liuyang", "lijing",
	"zhangmin", "wangjing", "zhangjie", "wangqiang", "liqiang", "woshishui",
	"nihao", "wodemima", "mima", "mimamima", "asdasd", "qweqwe", "aaaa",
	"trustno", "whatever", "starwars", "pokemon", "batman", "michael",
	"jennifer", "charlie", "jordan", "summer", "winter", "spring", "autumn",
};

static const char *const *common_table;
static size_t common_mask;
static pthread_once_t common_once = PTHREAD_ONCE_INIT;

static uint64_t
fnv1a(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *s != '\0'; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return h;
}

/* Open-addressing set of pointers into the compiled list, load <= 1/2. */
static void
common_build(void)
{
	const char **t;
	size_t cap = 16;

	while (cap < 2 * password_common_list_count + 1)
		cap *= 2;
	if ((t = calloc(cap, sizeof(*t))) == NULL)
		return;		/* lookups fall back to a linear scan */
	for (size_t i = 0; password_common_list[i] != NULL; i++) {
		size_t j = (size_t)fnv1a(password_common_list[i]) & (cap - 1);

		while (t[j] != NULL && strcmp(t[j], password_common_list[i]) != 0)
			j = (j + 1) & (cap - 1);
		t[j] = password_common_list[i];
	}
	common_mask = cap - 1;
	common_table = t;
}

/* lower is already lower-cased. */
static bool
common_contains(const char *lower)
{
	pthread_once(&common_once, common_build);
	if (common_table == NULL) {
		for (size_t i = 0; password_common_list[i] != NULL; i++)
			if (strcmp(password_common_list[i], lower) == 0)
				return true;
		return false;
	}
	for (size_t j = (size_t)fnv1a(lower) & common_mask;
	    common_table[j] != NULL; j = (j + 1) & common_mask)
		if (strcmp(common_table[j], lower) == 0)
			return true;
	return false;
}

static char
ascii_lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static bool
ascii_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

int
password_is_common(const char *pw)
{
	char lower[PASSWORD_MAX_LEN + 1];
	size_t n;

	if (pw == NULL || (n = strlen(pw)) > PASSWORD_MAX_LEN)
		return 0;
	for (size_t i = 0; i <= n; i++)
		lower[i] = ascii_lower(pw[i]);
	return common_contains(lower) ? 1 : 0;
}

int
password_hash(const struct password_params *p, const char *pw,
    char *out, size_t outsz)
{
	uint8_t salt[SALT_LEN];
	int rc;

	if (p == NULL)
		p = &PASSWORD_DEFAULT_PARAMS;
	if (pw == NULL || out == NULL || outsz == 0)
		return -1;
	if (argon2_encodedlen(p->t_cost, p->m_cost_kib, p->parallelism,
	    SALT_LEN, HASH_LEN, Argon2_id) > outsz)
		return -1;
	if (crypto_random(salt, sizeof(salt)) == -1)
		return -1;
	rc = argon2id_hash_encoded(p->t_cost, p->m_cost_kib, p->parallelism,
	    pw, strlen(pw), salt, sizeof(salt), HASH_LEN, out, outsz);
	return rc == ARGON2_OK ? 0 : -1;
}

/* Check the "$argon2id$v=19$m=M,t=T,p=P$" prefix and cap its costs. */
static int
encoding_sane(const char *enc)
{
	static const char prefix[] = "$argon2id$v=19$m=";
	unsigned long m, t, p;
	char *end;

	if (strlen(enc) >= PASSWORD_HASH_MAX ||
	    strncmp(enc, prefix, sizeof(prefix) - 1) != 0)
		return -1;
	enc += sizeof(prefix) - 1;
	if (*enc < '0' || *enc > '9')
		return -1;
	m = strtoul(enc, &end, 10);
	if (strncmp(end, ",t=", 3) != 0 || end[3] < '0' || end[3] > '9')
		return -1;
	t = strtoul(end + 3, &end, 10);
	if (strncmp(end, ",p=", 3) != 0 || end[3] < '0' || end[3] > '9')
		return -1;
	p = strtoul(end + 3, &end, 10);
	if (*end != '$')
		return -1;
	if (m > VERIFY_MAX_M_KIB || t > VERIFY_MAX_T || p > VERIFY_MAX_P)
		return -1;
	return 0;
}

int
password_verify(const char *encoded, const char *pw)
{
	int rc;

	if (encoded == NULL || pw == NULL || encoding_sane(encoded) == -1)
		return -1;
	rc = argon2id_verify(encoded, pw, strlen(pw));
	if (rc == ARGON2_OK)
		return 0;
	if (rc == ARGON2_VERIFY_MISMATCH)
		return 1;
	return -1;
}

/*
 * Decode pw as UTF-8 into code points (at most PASSWORD_MAX_LEN of them).
 * Refuses overlong forms, surrogates and values above U+10FFFF.
 * Returns the number of code points or -1.
 */
static int
utf8_decode(const char *pw, uint32_t *cps)
{
	const unsigned char *s = (const unsigned char *)pw;
	int n = 0;

	while (*s != '\0') {
		uint32_t cp, min;
		int extra;

		if (*s < 0x80) {
			cp = *s;
			extra = 0;
			min = 0;
		} else if ((*s & 0xe0) == 0xc0) {
			cp = *s & 0x1f;
			extra = 1;
			min = 0x80;
		} else if ((*s & 0xf0) == 0xe0) {
			cp = *s & 0x0f;
			extra = 2;
			min = 0x800;
		} else if ((*s & 0xf8) == 0xf0) {
			cp = *s & 0x07;
			extra = 3;
			min = 0x10000;
		} else {
			return -1;
		}
		s++;
		for (int i = 0; i < extra; i++, s++) {
			if ((*s & 0xc0) != 0x80)
				return -1;
			cp = cp << 6 | (*s & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return -1;
		if (n >= PASSWORD_MAX_LEN)
			return -1;
		cps[n++] = cp;
	}
	return n;
}

/* Class and position of a character on a "sequence" line: digits wrap
 * 9 -> 0 (1234567890), letters a..z wrap z -> a. */
static int
seq_pos(uint32_t c, int *cls)
{
	if (c >= '0' && c <= '9') {
		*cls = 1;
		return (int)(c - '0');
	}
	if (c >= 'a' && c <= 'z') {
		*cls = 2;
		return (int)(c - 'a');
	}
	if (c >= 'A' && c <= 'Z') {
		*cls = 2;
		return (int)(c - 'A');
	}
	*cls = 0;
	return -1;
}

static bool
is_sequence(const uint32_t *cps, int n)
{
	int cls0, cls, pos, prev, mod, dir = 0;

	prev = seq_pos(cps[0], &cls0);
	if (cls0 == 0)
		return false;
	mod = cls0 == 1 ? 10 : 26;
	for (int i = 1; i < n; i++) {
		int d;

		pos = seq_pos(cps[i], &cls);
		if (cls != cls0)
			return false;
		d = (pos - prev + mod) % mod;
		if (d == 1 && dir >= 0)
			dir = 1;
		else if (d == mod - 1 && dir <= 0)
			dir = -1;
		else
			return false;
		prev = pos;
	}
	return true;
}

static bool
contains_ci(const char *hay, const char *needle)
{
	size_t hn = strlen(hay), nn = strlen(needle);

	for (size_t i = 0; nn <= hn && i <= hn - nn; i++) {
		size_t j = 0;

		while (j < nn && ascii_lower(hay[i + j]) == ascii_lower(needle[j]))
			j++;
		if (j == nn)
			return true;
	}
	return false;
}

/* Undo the letter-for-symbol swaps people use to "strengthen" a word. */
static char
unleet(char c)
{
	switch (c) {
	case '@': case '4': return 'a';
	case '0': return 'o';
	case '1': case '!': return 'i';
	case '3': return 'e';
	case '$': case '5': return 's';
	case '7': return 't';
	default: return ascii_lower(c);
	}
}

#define DECOR_MAX 16	/* longest prefix/suffix tried around a common entry */

/*
 * True when pw is a base word with only non-letters around it, or a common
 * password with up to DECOR_MAX non-letters added before and/or after it
 * ("!!1qaz2wsx3edc!!", "qwertyuiop123#2024").
 */
static bool
is_decorated_word(const char *pw)
{
	char core[PASSWORD_MAX_LEN + 1], plain[PASSWORD_MAX_LEN + 1];
	size_t len = strlen(pw), pre = 0, suf = 0, n;

	if (len > PASSWORD_MAX_LEN)
		return false;
	while (pre < len && !ascii_alpha(pw[pre]))
		pre++;
	if (pre == len) {
		suf = len;	/* no letters: any split is possible */
	} else {
		while (suf < len && !ascii_alpha(pw[len - 1 - suf]))
			suf++;
		n = len - pre - suf;
		for (size_t i = 0; i < n; i++) {
			core[i] = ascii_lower(pw[pre + i]);
			plain[i] = unleet(pw[pre + i]);
		}
		core[n] = plain[n] = '\0';
		for (size_t i = 0; i < sizeof(base_words) / sizeof(base_words[0]); i++)
			if (strcmp(core, base_words[i]) == 0 ||
			    strcmp(plain, base_words[i]) == 0)
				return true;
	}
	for (size_t i = 0; i <= pre && i <= DECOR_MAX; i++) {
		for (size_t j = 0; j <= suf && j <= DECOR_MAX; j++) {
			if ((i == 0 && j == 0) || i + j + 4 > len)
				continue;
			n = len - i - j;
			for (size_t k = 0; k < n; k++) {
				core[k] = ascii_lower(pw[i + k]);
				plain[k] = unleet(pw[i + k]);
			}
			core[n] = plain[n] = '\0';
			if (common_contains(core) || common_contains(plain))
				return true;
		}
	}
	return false;
}

static int
refuse(char *err, size_t errlen, const char *reason)
{
	if (err != NULL && errlen > 0)
		snprintf(err, errlen, "%s", reason);
	return -1;
}

int
password_policy_check(const char *pw, const char *username,
    char *err, size_t errlen)
{
	uint32_t cps[PASSWORD_MAX_LEN];
	int n, i;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (pw == NULL || *pw == '\0')
		return refuse(err, errlen, "password is required");
	if (strlen(pw) > PASSWORD_MAX_LEN)
		return refuse(err, errlen,
		    "password must be at most 256 bytes long");
	if ((n = utf8_decode(pw, cps)) == -1)
		return refuse(err, errlen, "password must be valid UTF-8 text");
	if (n < PASSWORD_MIN_LEN)
		return refuse(err, errlen,
		    "password must be at least 12 characters");
	for (i = 1; i < n && cps[i] == cps[0]; i++)
		;
	if (i == n)
		return refuse(err, errlen,
		    "password must not be one character repeated");
	if (is_sequence(cps, n))
		return refuse(err, errlen, "password must not be a plain "
		    "sequence such as 123456789012 or abcdefghijkl");
	if (username != NULL && strlen(username) >= 3 &&
	    contains_ci(pw, username))
		return refuse(err, errlen,
		    "password must not contain the user name");
	if (password_is_common(pw))
		return refuse(err, errlen, "password is too common (it appears "
		    "in lists of leaked passwords); choose another");
	if (is_decorated_word(pw))
		return refuse(err, errlen, "password is a common word with only "
		    "digits or symbols around it; choose another");
	return 0;
}
