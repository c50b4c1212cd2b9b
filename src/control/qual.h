/*
 * qual: qualification readiness (MISSION §3.2-3.4, §4-9). The CNITSEC cloud
 * security service level-1 requirements as data (rules/qualification/,
 * compiled in), the registers an applicant keeps (staff, engagements,
 * suppliers, complaints, documents, fees, the application and its stages,
 * the certificate, filings, sanctions), the certificate's deadlines, a
 * self-assessment recomputed from live records, and the evidence bundle
 * for the assessor. Operators only: the routes admit admin and auditor.
 *
 * Dates are calendar dates "YYYY-MM-DD" (columns ending "_on"), held as
 * day numbers (days since 1970-01-01) in C. "Today" is the date in China
 * (UTC+8) unless a caller pins it.
 */
#ifndef YS_QUAL_H
#define YS_QUAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <openssl/evp.h>

#include "auth.h"
#include "db.h"
#include "err.h"

/* One requirement of the catalogue (generated from
 * rules/qualification/cnitsec-cloud-l1.json by scripts/embed_qual.py). */
struct qual_item {
	const char *id;			/* "3.2.3-5" */
	const char *section;		/* "3.2.3" */
	const char *zh;			/* the guide's text */
	const char *en;			/* English gloss */
	const char *evidence[5];	/* "document" or "query:<name>", NULL-ended */
};

extern const struct qual_item qual_items[];	/* ends with id NULL */
extern const size_t qual_item_count;
extern const char qual_catalogue_title_zh[];
extern const char qual_catalogue_title_en[];
extern const char qual_plan_registration_ordering[];

const struct qual_item *qual_item_find(const char *id);
json_t *qual_requirements(void);

/* ---- dates and deadlines (qual_deadlines.c, pure) ---- */

#define QUAL_CERT_YEARS 3
#define QUAL_SURVEY_DAYS 30	/* annual survey: in the 30 days before each anniversary */
#define QUAL_RENEWAL_DAYS 90	/* renewal: in the 90 days before expiry */

int64_t qual_day(int y, int m, int d);
void qual_ymd(int64_t day, int *y, int *m, int *d);
/* Strict "YYYY-MM-DD" (years 1900-9999, real calendar dates). 0 / -1. */
int qual_date_parse(const char *s, int64_t *day);
/* out must hold 11 bytes. */
void qual_date_text(int64_t day, char *out);
/* The same month and day n years later (or earlier). 29 February becomes
 * 28 February in a common year: the anniversary stays in February and a
 * deadline derived from it is never later than the real one. */
int64_t qual_add_years(int64_t day, int years);
/* Today's date in China (UTC+8). */
int64_t qual_today(void);

enum qual_window_kind { QUAL_W_SURVEY, QUAL_W_RENEWAL };
enum qual_window_state { QUAL_W_UPCOMING, QUAL_W_OPEN, QUAL_W_OVERDUE, QUAL_W_DONE };

/* A filing window: it opens on `opens` and its last day is due - 1; from
 * `due` on (the anniversary, or the expiry date) it is overdue. */
struct qual_window {
	enum qual_window_kind kind;
	int year;			/* anniversary number; 3 for the renewal */
	int64_t opens;
	int64_t due;
};

/* The certificate's expiry (issue + 3 years; the certificate is valid
 * while today < expiry) and its windows: the surveys before the first and
 * second anniversaries and the renewal. Returns the number of windows (3). */
int64_t qual_cert_expiry(int64_t issued);
size_t qual_cert_windows(int64_t issued, struct qual_window out[3]);
enum qual_window_state qual_window_state(const struct qual_window *w, int64_t today,
    bool filed);
const char *qual_window_state_name(enum qual_window_state s);

/* ---- registers (qual.c) ---- */

/* Run a register operation named op ("staff.add", "complaint.close", ...;
 * see the table in qual.c) with the validated body in; id is the {id} of
 * the path (0 when none). *out is the stored row. */
int qual_apply(struct db *db, const struct principal *by, const char *op, int64_t id,
    const json_t *in, json_t **out, struct ys_err *e);
/* A register as an array of rows with their children ("staff",
 * "engagements", "suppliers", "complaints", "documents", "fees",
 * "applications", "certificates", "filings", "sanctions"). */
json_t *qual_list(struct db *db, const char *reg, int64_t today);
json_t *qual_engagement_get(struct db *db, int64_t id, int64_t today, struct ys_err *e);
/* Standard fees of the guide (§9) and the recorded totals. */
json_t *qual_fee_summary(struct db *db);

/* ---- deadlines, evidence, self-assessment, export ---- */

struct qual_ctx {
	struct db *db;
	EVP_PKEY *verify_key;	/* audit checkpoints; NULL: chain only */
	int64_t today;
};

/* Every deadline of the current certificate and of open rectification
 * items, with its state on c->today. */
json_t *qual_deadlines(struct db *db, int64_t today);
/* Raise provider alerts (module "qual", type "qual.deadline") for every
 * deadline whose window is open or overdue today. Returns how many. */
int qual_deadline_alerts(struct db *db);
bool qual_evidence_known(const char *name);
/* One evidence function's result: {"status", "summary_zh", "summary_en",
 * "evidence": {...}, "missing_zh": [...], "missing_en": [...]}; NULL when
 * name is unknown. status: met, not_met, no_evidence, document_pending. */
json_t *qual_evidence(const struct qual_ctx *c, const char *name);
/* Evidence of the "document" kind for one requirement. */
json_t *qual_document_evidence(const struct qual_ctx *c, const char *requirement_id);
json_t *qual_checklist(const struct qual_ctx *c);
/* The evidence bundle: {"files": {name: text}} with a MANIFEST of SHA-256
 * sums (sha256sum -c format); manifest_sha gets the MANIFEST's own hash. */
json_t *qual_export(const struct qual_ctx *c, char manifest_sha[65]);

#endif
