/*
 * findings: the host vulnerability findings a tenant sees and their life
 * cycle. vulnmatch opens and closes them (open -> fixed when the package no
 * longer matches, fixed -> open when it matches again, accepted_risk ->
 * open once the acceptance has expired); people move an open finding to
 * accepted_risk (reason and expiry date) or false_positive (reason). Every
 * read goes through the store's tenant scope; the API layer audits the
 * transitions.
 */
#ifndef YS_FINDINGS_H
#define YS_FINDINGS_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "auth.h"
#include "db.h"
#include "err.h"

/* filters: node_id, severity, status, cve, package (all optional). */
json_t *findings_list(struct db *db, const struct principal *p, const json_t *filters);
json_t *findings_get(struct db *db, const struct principal *p, int64_t id, struct ys_err *e);
/* expires_on "YYYY-MM-DD", after today. *out: the finding after. */
int findings_accept(struct db *db, const struct principal *by, int64_t id, const char *reason,
    const char *expires_on, json_t **out, struct ys_err *e);
int findings_false_positive(struct db *db, const struct principal *by, int64_t id,
    const char *reason, json_t **out, struct ys_err *e);
/* The filtered findings as "csv" (header + one line each) or "json" (an
 * array). *text is malloc'd. */
int findings_export(struct db *db, const struct principal *p, const json_t *filters,
    const char *format, char **text, size_t *len, struct ys_err *e);

#endif
