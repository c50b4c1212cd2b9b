/*
 * ids: host intrusion detection from sshd's authentication log. The module
 * follows auth.log / secure (like tail -F, resuming at the saved offset
 * after a restart, so nothing is read twice or skipped), parses sshd's
 * lines, and reports brute force (N failures from one source within T
 * seconds: one event at the threshold, then the further failures in
 * batches, each with its count), a successful login after such failures,
 * and logins from sources a user has not used before. Optional active
 * response blocks a brute-forcing source with an nftables set element that
 * expires by itself; the allow-list is always respected and every block is
 * reported.
 */
#ifndef YS_IDS_H
#define YS_IDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

enum ids_kind {
	IDS_NONE = 0,		/* not an sshd authentication line */
	IDS_FAILED,		/* a failed attempt (password, invalid user, PAM failure) */
	IDS_ACCEPTED,		/* a successful login */
};

struct ids_auth {
	enum ids_kind kind;
	char user[64];
	char source[64];	/* IPv4 or IPv6 address text */
	char method[32];	/* password, publickey, ... ("" when unknown) */
	bool invalid_user;
};

/* Parse one log line (len bytes, need not be NUL-terminated; syslog or
 * ISO-8601 prefix, "sshd[pid]:" program). Returns the kind; out is filled
 * for IDS_FAILED and IDS_ACCEPTED. Never reads past len. */
enum ids_kind ids_parse_line(const char *line, size_t len, struct ids_auth *out);

/* Is addr inside one of the comma-separated CIDRs / addresses of list? */
bool ids_allowed(const char *list, const char *addr);

struct agent_ctx;

/* The module (a row in modules.c). Policy: files (logs to follow, first
 * readable wins), brute_force_failures, brute_force_seconds,
 * active_response, block_seconds, allow_list, nft (path of the binary). */
int ids_start(struct agent_ctx *ctx, const json_t *policy, void **state);
void ids_stop(struct agent_ctx *ctx, void *state);

#endif
