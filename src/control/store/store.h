/*
 * store: schema migrations and the one place where tenant isolation is
 * enforced. Every read of tenant-owned rows by id or as a list goes through
 * store_get()/store_list(), which add the tenant predicate of the caller's
 * scope and select only the columns a table descriptor lists as visible
 * (password hashes, MFA secrets and key hashes never leave the store).
 * Domain modules write their own tables only after a scoped read found the
 * row, so a tenant can neither read nor change another tenant's rows.
 */
#ifndef YS_STORE_H
#define YS_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "db.h"
#include "err.h"

struct store_migration {
	int version;
	const char *name;
	const char *sql;
};

const struct store_migration *store_migrations(size_t *count);
/* Apply every missing migration (target 0) or those up to target. */
int store_migrate(struct db *db, char *err, size_t errlen);
int store_migrate_to(struct db *db, int target, char *err, size_t errlen);
int store_schema_version(struct db *db);

/* Whose rows a caller may see: one tenant, or (provider operators) all.
 * Build it only with scope_tenant()/scope_all() from an authenticated
 * principal; a tenant id is never 0. */
struct scope {
	int64_t tenant_id;	/* 0: every tenant */
};

static inline struct scope
scope_all(void)
{
	return (struct scope){ 0 };
}

static inline struct scope
scope_tenant(int64_t tenant_id)
{
	return (struct scope){ tenant_id };
}

enum store_table {
	STORE_TENANTS,
	STORE_USERS,
	STORE_API_KEYS,
	STORE_PLANS,
	STORE_ORDERS,
	STORE_SUBSCRIPTIONS,
	STORE_AUDIT,
	STORE_ENROLMENT_TOKENS,
	STORE_NODES,
	/* qualification registers (qual.c); operators only */
	STORE_QUAL_STAFF,
	STORE_QUAL_STAFF_CERTS,
	STORE_QUAL_TRAINING,
	STORE_QUAL_ENGAGEMENTS,
	STORE_QUAL_MILESTONES,
	STORE_QUAL_ASSIGNMENTS,
	STORE_QUAL_RISKS,
	STORE_QUAL_REVIEWS,
	STORE_QUAL_SUPPLIERS,
	STORE_QUAL_ASSESSMENTS,
	STORE_QUAL_COMPLAINTS,
	STORE_QUAL_DOCUMENTS,
	STORE_QUAL_FEES,
	STORE_QUAL_APPLICATIONS,
	STORE_QUAL_STAGES,
	STORE_QUAL_RECTIFICATIONS,
	STORE_QUAL_CERTS,
	STORE_QUAL_FILINGS,
	STORE_QUAL_SANCTIONS,
	STORE_ALERTS,
	STORE_EVENTS,
	STORE_NODE_COMMANDS,
	STORE_MALWARE_EVENTS,	/* node_events of module 'malware' */
	STORE_VULN_FEEDS,	/* operators only */
	STORE_VULN_FINDINGS,
	STORE_SCAN_TARGETS,	/* not deleted */
	STORE_SCAN_JOBS,
	/* WAF sites (sites.c) */
	STORE_WAF_SITES,
	STORE_WAF_CERTS,	/* never the private key */
	STORE_WAF_ORIGINS,
	STORE_WAF_EXCEPTIONS,
	STORE_WAF_RULES,
	STORE_WAF_EVENTS,
	/* anti-DDoS (ddos.c) */
	STORE_DDOS_OBJECTS,
	STORE_DDOS_DOMAINS,
	STORE_DDOS_RULES,
	STORE_DDOS_ATTACKS,
	STORE_TABLE_COUNT
};

struct store_filter {
	const char *column;	/* a column the table descriptor allows */
	const char *op;		/* "=", ">", ">=", "<", "<=" */
	const char *text;	/* text value, or NULL to use num */
	int64_t num;
};

/* Bundle versions that follow content (the WAF nodes' and the scrubbers'
 * bundles): the id of the newest row of the table when its hash is
 * sha256_hex, else of a new row with that hash. A node's heartbeat costs
 * one indexed read; a change of content yields a higher version. */
enum store_version_table { STORE_VERSIONS_WAF, STORE_VERSIONS_DDOS };
int64_t store_content_version(struct db *db, enum store_version_table t, const char *sha256_hex);

/* Equality filters from a validated query object: one per name present
 * (string or integer), at most max. Returns how many. */
size_t store_filters_from(const json_t *in, const char *const *names, struct store_filter *f,
    size_t max);

/* The row with this id inside scope, as JSON, or NULL (absent or another
 * tenant's: the caller cannot tell which, by design). */
json_t *store_get(struct db *db, struct scope sc, enum store_table t, int64_t id);
bool store_exists(struct db *db, struct scope sc, enum store_table t, int64_t id);
/* store_get, or NULL with e set to not_found "no <what> <id>". */
json_t *store_find(struct db *db, struct scope sc, enum store_table t, int64_t id,
    const char *what, struct ys_err *e);
/* Rows inside scope matching every filter (at most 8), by ascending id (seq
 * for the audit trail), at most limit (0: 1000).
 * NULL on error (bad filter column is a programming error, logged). */
json_t *store_list(struct db *db, struct scope sc, enum store_table t,
    const struct store_filter *f, size_t nf, int64_t limit);

#endif
