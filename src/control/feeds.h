/*
 * feeds: vulnerability feeds imported by operators — the Debian Security
 * Tracker JSON and OSV advisories — and the operator's CVE -> CNNVD/CNVD
 * cross-reference table. A feed is parsed whole before anything is
 * written; a feed that does not parse is rejected and the kind's previous
 * feed stays in force. An import replaces the kind's entries inside the
 * caller's transaction (one atomic swap), then re-matches every node.
 */
#ifndef YS_FEEDS_H
#define YS_FEEDS_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "auth.h"
#include "db.h"
#include "err.h"

#define FEEDS_MAX_BYTES ((size_t)256 << 20)	/* largest feed file accepted */

/* Import the feed of kind ("debian-tracker" or "osv") from the absolute
 * path on this host. *out: the feed row (counts, checksum) plus
 * "rematched_nodes". 0 / -1 with e filled; on -1 nothing was written. */
int feeds_import(struct db *db, const char *kind, const char *path, const char *by,
    json_t **out, struct ys_err *e);
/* Parse already-loaded feed text into entry rows without touching the
 * store (fuzzing, tests): *rows is an array of entry objects, *packages
 * and *advisories the counts. 0 / -1 with e filled. */
int feeds_parse(const char *kind, const char *text, size_t len, json_t **rows,
    int64_t *packages, int64_t *advisories, struct ys_err *e);
/* The same from an https:// URL (the operator's mirror or the vendor's),
 * downloaded into tmpdir first and bounded by FEEDS_MAX_BYTES; ca_file: the
 * CA bundle to trust (NULL or "": the system's). */
int feeds_import_url(struct db *db, const char *kind, const char *url, const char *ca_file,
    const char *tmpdir, const char *by, json_t **out, struct ys_err *e);
json_t *feeds_list(struct db *db);
/* Replace the cross-reference table from a CSV file "CVE,CNNVD,CNVD" (a
 * header line starting with "CVE," or "cve," is skipped). *count: rows. */
int feeds_xref_import(struct db *db, const char *path, int64_t *count, struct ys_err *e);

/* CVSS v3.x base score (times 10, 0-100) from a vector
 * "CVSS:3.1/AV:N/AC:L/..." or a plain number "9.8"; -1 if neither. */
int feeds_cvss_x10(const char *s);

#endif
