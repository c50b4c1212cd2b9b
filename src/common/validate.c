/*
 * validate: syntax checks for identifiers users enter at registration. They
 * run before anything is stored, so each refusal names what is wrong in a
 * sentence the web form can show as is.
 */
#include "validate.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* GB 32100-2015: the 31 characters of the code, in value order (no I, O, S,
 * V, Z). */
static const char credit_alphabet[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";
static const int credit_weights[17] = {
	1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
};

static int
fail(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int
fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err != NULL && errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

static int
credit_value(char c)
{
	const char *p;

	if (c == '\0' || (p = strchr(credit_alphabet, c)) == NULL)
		return -1;
	return (int)(p - credit_alphabet);
}

char
validate_credit_code_check_char(const char *s)
{
	int sum = 0, check;

	if (s == NULL)
		return 0;
	for (int i = 0; i < 17; i++) {
		int v = credit_value(s[i]);

		if (v < 0)
			return 0;
		sum += v * credit_weights[i];
	}
	check = 31 - sum % 31;
	return credit_alphabet[check == 31 ? 0 : check];
}

int
validate_credit_code(const char *s, char *err, size_t errlen)
{
	size_t len;

	if (s == NULL || *s == '\0')
		return fail(err, errlen, "unified social credit code is required");
	len = strlen(s);
	if (len != VALIDATE_CREDIT_CODE_LEN)
		return fail(err, errlen, "unified social credit code must be 18 "
		    "characters (got %zu)", len);
	for (size_t i = 0; i < len; i++) {
		if (credit_value(s[i]) < 0) {
			if (s[i] >= 'a' && s[i] <= 'z')
				return fail(err, errlen, "unified social credit "
				    "code must be written in upper case");
			return fail(err, errlen, "unified social credit code has "
			    "an invalid character at position %zu (allowed: "
			    "0-9 and A-Y except I, O, S, V, Z)", i + 1);
		}
	}
	if (validate_credit_code_check_char(s) != s[17])
		return fail(err, errlen, "unified social credit code check "
		    "character does not match; please check the code for typos");
	return 0;
}

int
validate_cn_mobile(const char *s, char *err, size_t errlen)
{
	const char *p;

	if (s == NULL || *s == '\0')
		return fail(err, errlen, "mobile number is required");
	p = s;
	if (strncmp(p, "+86", 3) == 0)
		p += 3;
	else if (strncmp(p, "86", 2) == 0 && strlen(p) == 13)
		p += 2;
	if (strlen(p) != 11 || p[0] != '1' || p[1] < '3' || p[1] > '9')
		goto bad;
	for (size_t i = 2; i < 11; i++)
		if (p[i] < '0' || p[i] > '9')
			goto bad;
	return 0;
bad:
	return fail(err, errlen, "mobile number must be a mainland China number "
	    "of 11 digits starting with 13-19, optionally preceded by +86");
}

int
validate_email(const char *s, char *err, size_t errlen)
{
	const char *at, *dom;
	size_t len, local;

	if (s == NULL || *s == '\0')
		return fail(err, errlen, "e-mail address is required");
	len = strlen(s);
	if (len > VALIDATE_EMAIL_MAX)
		return fail(err, errlen, "e-mail address must be at most %d "
		    "characters", VALIDATE_EMAIL_MAX);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p <= 0x20 || *p == 0x7f)
			return fail(err, errlen, "e-mail address must not contain "
			    "spaces or control characters");
	at = strchr(s, '@');
	if (at == NULL || strchr(at + 1, '@') != NULL)
		return fail(err, errlen, "e-mail address must contain exactly "
		    "one '@'");
	local = (size_t)(at - s);
	if (local == 0)
		return fail(err, errlen, "e-mail address needs a name before "
		    "the '@'");
	if (local > VALIDATE_EMAIL_LOCAL_MAX)
		return fail(err, errlen, "the part of the e-mail address before "
		    "the '@' must be at most %d characters",
		    VALIDATE_EMAIL_LOCAL_MAX);
	dom = at + 1;
	if (strchr(dom, '.') == NULL || dom[0] == '.' || dom[0] == '-' ||
	    s[len - 1] == '.' || s[len - 1] == '-' || strstr(dom, "..") != NULL)
		return fail(err, errlen, "e-mail address needs a domain such as "
		    "example.com after the '@'");
	return 0;
}

int
validate_username(const char *s, char *err, size_t errlen)
{
	size_t len;

	if (s == NULL || *s == '\0')
		return fail(err, errlen, "user name is required");
	len = strlen(s);
	if (len < VALIDATE_USERNAME_MIN || len > VALIDATE_USERNAME_MAX)
		return fail(err, errlen, "user name must be %d to %d characters",
		    VALIDATE_USERNAME_MIN, VALIDATE_USERNAME_MAX);
	if (s[0] < 'a' || s[0] > 'z')
		return fail(err, errlen, "user name must start with a lower-case "
		    "letter (a-z)");
	for (size_t i = 1; i < len; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '.' || c == '_' || c == '-'))
			return fail(err, errlen, "user name may only contain "
			    "a-z, 0-9, '.', '_' and '-'");
	}
	return 0;
}
