/*
 * probe: the generic tests baseline checks are made of. A check in a
 * rules file names a probe kind and gives its arguments; each kind is a row
 * of the table in probe.c (config_value, file_mode, passwd_scan,
 * world_writable, suid_inventory, service_active, path_exists, listening,
 * pam_option, and the combinators any_of / all_of). Adding a kind of test
 * is adding a row and its function; adding a check is adding data.
 *
 * Every probe reads the host under a root prefix ("/" in production).
 */
#ifndef YS_PROBE_H
#define YS_PROBE_H

#include <stdbool.h>

#include <jansson.h>

enum probe_status {
	PROBE_PASS,
	PROBE_FAIL,
	PROBE_ERROR,		/* the probe could not tell (unreadable file, bad arguments) */
	PROBE_NA,		/* not applicable on this host (e.g. sshd not installed) */
};

struct probe_result {
	enum probe_status status;
	json_t *actual;		/* what was found (owned) */
	json_t *evidence;	/* where it was found, or the offending items (owned) */
};

/* Run the test object {"probe": KIND, ...arguments} against root. r is
 * always filled; the caller clears it with probe_result_clear(). */
void probe_run(const char *root, const json_t *test, struct probe_result *r);
void probe_result_clear(struct probe_result *r);

/* Whether test names a known probe kind with the arguments it needs; 0, or
 * -1 with err naming what is wrong. Used when rules files are loaded. */
int probe_validate(const json_t *test, char *err, size_t errlen);

const char *probe_status_name(enum probe_status s);
/* "pass" -> PROBE_PASS...; -1 when unknown. */
int probe_status_parse(const char *name);

#endif
