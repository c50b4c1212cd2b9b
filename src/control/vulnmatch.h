/*
 * vulnmatch: a host's inventory against the active feeds -> findings.
 * The inventory is the node's latest COMPLETE inventory.snapshot (all its
 * parts stored) with the inventory.changed events since applied. Debian
 * hosts are matched by source package against the Security Tracker entries
 * of their codename and the OSV entries of their ecosystem ("Debian:12");
 * other distributions against OSV only. Findings that no longer match are
 * closed as fixed; findings that match again are reopened.
 */
#ifndef YS_VULNMATCH_H
#define YS_VULNMATCH_H

#include <stdint.h>

#include <jansson.h>

#include "db.h"

/* Re-match one node inside the caller's transaction (or its own). Returns
 * the number of findings that currently match, or -1 on a store error.
 * With no active feed nothing changes (0). */
int64_t vulnmatch_node(struct db *db, int64_t node_id);
/* Re-match every node that is not revoked; the number of nodes or -1. */
int64_t vulnmatch_all(struct db *db);

/* GB/T 30279-2020 grade: from CVSS (x10, -1 for none) when present, else
 * from the Debian urgency. *sev is critical/high/medium/low, *zh the
 * Chinese level (超危/高危/中危/低危). */
void vulnmatch_grade(int cvss_x10, const char *urgency, const char **sev, const char **zh);

/* The node's effective inventory: {"os": {...}, "packages": [...]}, or NULL
 * when no complete snapshot is stored. */
json_t *vulnmatch_inventory(struct db *db, int64_t node_id);

#endif
