/*
 * sitecert: tenants' TLS certificates for WAF sites (upload, list, delete,
 * expiry status) and their private keys, wrapped at rest and unwrapped only
 * for the WAF nodes' signed bundle. See docs/WAF.md "Quotas and limits".
 */
#ifndef YS_SITECERT_H
#define YS_SITECERT_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "auth.h"
#include "db.h"
#include "err.h"

#define SITECERT_KEYWRAP_FILE "waf-keywrap.key"

/* in: {"name", "certificate" (PEM chain, leaf first), "key" (PEM private
 * key without a passphrase)}. The key is kept encrypted under
 * <state_dir>/waf-keywrap.key (made on first use) and never returned. */
int sitecert_upload(struct db *db, const char *state_dir, const struct principal *by,
    const json_t *in, json_t **out, struct ys_err *e);
json_t *sitecert_list(struct db *db, const struct principal *p);
/* conflict while a site uses it. */
int sitecert_delete(struct db *db, const struct principal *by, int64_t id, json_t **out,
    struct ys_err *e);

/* Check a PEM chain and key as an upload does, without storing anything:
 * *info gets subject, sans, not_before, not_after, fingerprint (never the
 * key). The fuzzing entry point for certificate uploads. */
int sitecert_check(const char *chain, const char *key, json_t **info, struct ys_err *e);

/* A certificate row as the API shows it: sans as JSON, days_left, expiry
 * ("valid", "expiring" within 30 days, "expired"). */
void sitecert_annotate(json_t *row);

/* For each {"id", "fingerprint", ...} in certs, add cert_pem and the
 * unwrapped key_pem: only for the WAF nodes' bundle. */
int sitecert_secrets(struct db *db, const char *state_dir, json_t *certs, struct ys_err *e);

#endif
