/*
 * audit: the tamper-evident audit trail (MISSION §3.3.6). Each entry's hash
 * is SHA-256 over the previous entry's hash and the entry's own fields, so
 * the entries form a chain. The first entry and then every
 * audit_checkpoint_every entries (and at least every audit_checkpoint_seconds)
 * the head is signed with the control plane's Ed25519 key; each checkpoint
 * also signs the seq by which the next one is due. audit_verify() recomputes
 * the chain end to end, checks every checkpoint and that none that was due
 * is missing, so an edited, deleted, inserted or reordered entry is found
 * and named, and so is a rewrite of the chain by someone without the
 * signing key, even if they delete checkpoints too.
 */
#ifndef YS_AUDIT_H
#define YS_AUDIT_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>
#include <openssl/evp.h>

#include "db.h"

struct audit_entry {
	int64_t time_ms;	/* 0: now */
	const char *actor;	/* user name, or "-" */
	int64_t actor_id;	/* 0: none */
	int64_t tenant_id;	/* 0: none */
	const char *source;	/* client address */
	const char *action;	/* e.g. "order.approve" */
	const char *target;	/* e.g. "order/12" */
	const char *result;	/* "ok" or an error code */
	const char *detail;
};

struct audit_verify_result {
	bool ok;
	int64_t entries;
	int64_t checkpoints;
	int64_t head_seq;
	char head_hash[65];
	int64_t first_bad_seq;	/* 0 when ok */
	char reason[256];
};

/* The signing key (owned by the caller, must outlive the audit module's
 * use; NULL: no checkpoints) and checkpoint policy. */
void audit_configure(EVP_PKEY *key, int64_t checkpoint_every);
/* Change the policy only (configuration reload). */
void audit_set_interval(int64_t checkpoint_every);

/* Append one entry. Runs inside the caller's transaction when there is one
 * (so the entry commits or rolls back with the change it records),
 * otherwise in its own. Returns the new seq, or -1. */
int64_t audit_append(struct db *db, const struct audit_entry *e);
/* Sign the head when it is past the last checkpoint. 1 signed, 0 nothing to
 * do, -1 error. */
int audit_checkpoint(struct db *db);
int audit_verify(struct db *db, EVP_PKEY *pub, struct audit_verify_result *r);
json_t *audit_verify_json(const struct audit_verify_result *r);

/* One CSV line (RFC 4180 quoting; cells that a spreadsheet would run as a
 * formula are prefixed with '). Returns a malloc'd string. */
char *audit_csv_line(const json_t *entry);
extern const char AUDIT_CSV_HEADER[];

#endif
