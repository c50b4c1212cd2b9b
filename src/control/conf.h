/*
 * conf: yunshoud's settings, read from <state>/yunshoud.conf ("key = value"
 * lines, see docs/OPERATIONS.md). The running daemon holds one immutable
 * struct conf at a time; SIGHUP loads a new one and swaps the pointer, so a
 * request always sees one consistent set of values.
 */
#ifndef YS_CONF_H
#define YS_CONF_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"

struct conf {
	char listen[128];
	char node_listen[128];
	long long workers;
	long long max_body_bytes;
	long long node_max_body_bytes;
	long long session_idle_minutes;
	long long session_absolute_hours;
	bool auto_approve_registrations;
	long long login_rate_per_minute;
	long long registration_rate_per_hour;
	long long lockout_threshold;
	long long lockout_base_seconds;
	long long lockout_max_seconds;
	long long argon2_memory_kib;
	long long argon2_iterations;
	long long audit_checkpoint_every;
	long long audit_checkpoint_seconds;
	char log_level[16];
	char tls_cert[512];
	char tls_key[512];
	char mfa_issuer[64];
	char feed_ca_file[512];
	long long scan_timeout_ms;
	long long scan_threads;
	long long scan_max_seconds;
	bool scan_allow_loopback;
	bool scan_syn;
	char waf_cname_zone[128];
	char ddos_zone[128];
	bool ddos_allow_private;
};

extern const struct config_kw conf_keywords[];

void conf_defaults(struct conf *c);
/* Defaults, then <state_dir>/yunshoud.conf when it exists, then checks that
 * span keys. 0 / -1 with err. */
int conf_load(const char *state_dir, struct conf *c, char *err, size_t errlen);
/* Write the commented default file for `yunshoud init`. */
int conf_write_default(const char *path, const char *listen, char *err, size_t errlen);

#endif
