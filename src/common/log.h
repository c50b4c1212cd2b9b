/*
 * log: the one diagnostics channel of every yunshou program. Lines read
 * "time level ident: module: message". Security events are NOT written here;
 * they go to the audit trail (control plane) or the event queue (nodes).
 * Never pass a secret (password, token, key) to these functions.
 */
#ifndef YS_LOG_H
#define YS_LOG_H

#include <stdarg.h>
#include <stdio.h>

enum log_level { LOG_LVL_DEBUG = 0, LOG_LVL_INFO, LOG_LVL_WARN, LOG_LVL_ERR };

/* ident: program name; out: NULL means stderr. Not thread-unsafe: lines are
 * written with one fwrite under a lock. */
void log_init(const char *ident, enum log_level min, FILE *out);
void log_set_level(enum log_level min);
int log_level_parse(const char *name, enum log_level *out);
void log_msg(enum log_level lvl, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void log_vmsg(enum log_level lvl, const char *fmt, va_list ap);

#define log_debug(...) log_msg(LOG_LVL_DEBUG, __VA_ARGS__)
#define log_info(...)  log_msg(LOG_LVL_INFO, __VA_ARGS__)
#define log_warn(...)  log_msg(LOG_LVL_WARN, __VA_ARGS__)
#define log_err(...)   log_msg(LOG_LVL_ERR, __VA_ARGS__)

#endif
