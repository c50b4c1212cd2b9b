/*
 * password: argon2id hashing (libargon2, PHC encoded strings) and the
 * password policy: at least 12 characters, not in the shipped list of common
 * passwords (rules/passwords/common.txt, compiled into the binary), not the
 * user name, not one repeated character or a plain sequence.
 */
#ifndef YS_PASSWORD_H
#define YS_PASSWORD_H

#include <stddef.h>
#include <stdint.h>

#define PASSWORD_MIN_LEN 12
#define PASSWORD_MAX_LEN 256
#define PASSWORD_HASH_MAX 160

struct password_params {
	uint32_t t_cost;	/* iterations */
	uint32_t m_cost_kib;	/* memory in KiB */
	uint32_t parallelism;
};

/* OWASP's argon2id recommendation: m=19 MiB, t=2, p=1. */
extern const struct password_params PASSWORD_DEFAULT_PARAMS;

/* Hash with a fresh 16-byte random salt into a NUL-terminated PHC string
 * ("$argon2id$v=19$m=...,t=...,p=...$salt$hash"). 0 / -1. */
int password_hash(const struct password_params *p, const char *pw,
    char *out, size_t outsz);
/* 0 when pw matches, 1 when it does not, -1 on a malformed encoding. */
int password_verify(const char *encoded, const char *pw);
/* 0 when pw is acceptable for username (may be NULL); otherwise -1 and a
 * user-facing reason in err ("password must be at least 12 characters"). */
int password_policy_check(const char *pw, const char *username,
    char *err, size_t errlen);
/* True when pw (case-insensitively) is in the shipped common list. */
int password_is_common(const char *pw);

#endif
