/*
 * err: the error a domain function hands back to its caller: a stable
 * machine code (one of the codes listed in docs/API.md, e.g. "not_found",
 * "conflict", "invalid_field") and a user-facing message that says what was
 * wrong. The HTTP layer maps codes to statuses; domain code never sees HTTP.
 */
#ifndef YS_ERR_H
#define YS_ERR_H

#include <stdarg.h>
#include <stdio.h>

struct ys_err {
	const char *code;	/* static string; NULL while no error */
	char msg[256];
	long long retry_after;	/* seconds, for account_locked / rate_limited */
};

/* Fill e (may be NULL) and return -1, so callers can `return ys_fail(...)`. */
static inline int __attribute__((format(printf, 3, 4)))
ys_fail(struct ys_err *e, const char *code, const char *fmt, ...)
{
	va_list ap;

	if (e == NULL)
		return -1;
	e->code = code;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	return -1;
}

#endif
