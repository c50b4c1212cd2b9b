/*
 * validate: checks of the Mainland-China data users type into registration
 * and user forms (docs/API.md "Validation rules"): the unified social credit
 * code (GB 32100-2015), mobile numbers, e-mail addresses and user names.
 * Each function returns 0 when s is valid, otherwise -1 and, when err is not
 * NULL, a user-facing English reason in err (errlen bytes, NUL-terminated).
 * None of them allocates; all are thread-safe.
 */
#ifndef YS_VALIDATE_H
#define YS_VALIDATE_H

#include <stddef.h>

#define VALIDATE_CREDIT_CODE_LEN 18
#define VALIDATE_EMAIL_MAX 254
#define VALIDATE_EMAIL_LOCAL_MAX 64
#define VALIDATE_USERNAME_MIN 3
#define VALIDATE_USERNAME_MAX 64

/* 18 characters of 0-9 and A-H J-N P-R T-U W-Y (upper case only), whose last
 * character is the GB 32100-2015 mod-31 check character of the first 17. */
int validate_credit_code(const char *s, char *err, size_t errlen);

/* Compute the check character for the first 17 characters of s (which must
 * be in the credit-code alphabet). Returns the character, or 0 when s is too
 * short or holds a character outside the alphabet. */
char validate_credit_code_check_char(const char *s);

/* A mainland mobile number: "1" then 3-9 then 9 digits, optionally preceded
 * by "+86" or "86". No spaces or dashes. */
int validate_cn_mobile(const char *s, char *err, size_t errlen);

/* Pragmatic e-mail check: exactly one '@', non-empty local part of at most
 * 64 bytes, a domain with a dot that neither starts nor ends with '.' or '-'
 * and has no empty label, no spaces or control characters, at most 254 bytes
 * in all. */
int validate_email(const char *s, char *err, size_t errlen);

/* 3-64 characters of a-z 0-9 . _ -, starting with a letter. */
int validate_username(const char *s, char *err, size_t errlen);

#endif
