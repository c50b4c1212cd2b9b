/*
 * qual: the qualification registers. Every write is one row of ops[]: the
 * table it writes, whether the path's {id} names a parent row or the row
 * itself, the allowed values of enumerated fields, and an optional check
 * for the rules that span fields (an expiry after the issue date, stages
 * in the guide's order). Body members are validated by the route's schema
 * first (names, types, lengths); here every member ending "_on" must be a
 * real calendar date, requirement ids must be in the catalogue and
 * referenced rows must exist, so that bad input is a 400 or 404 naming the
 * field, never a constraint failure.
 */
#include "qual.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "store.h"

/* The application's stages in the guide's order (§4). */
static const char *const stages[] = {
	"submitted", "eligibility_review", "static_assessment", "onsite_audit",
	"comprehensive_evaluation", "committee_decision", "certificate_issued", NULL,
};

const struct qual_item *
qual_item_find(const char *id)
{
	for (size_t i = 0; id && qual_items[i].id; i++)
		if (strcmp(qual_items[i].id, id) == 0)
			return &qual_items[i];
	return NULL;
}

json_t *
qual_requirements(void)
{
	json_t *items = json_array();

	for (size_t i = 0; qual_items[i].id; i++) {
		json_t *ev = json_array();

		for (size_t k = 0; qual_items[i].evidence[k]; k++)
			json_array_append_new(ev, json_string(qual_items[i].evidence[k]));
		json_array_append_new(items, json_pack("{s:s, s:s, s:s, s:s, s:o}",
		    "id", qual_items[i].id, "section", qual_items[i].section,
		    "requirement_zh", qual_items[i].zh, "requirement_en", qual_items[i].en,
		    "evidence", ev));
	}
	return items;
}

/* ---- writes ---- */

struct op {
	const char *name;
	const char *table;
	enum store_table read;
	const char *parent;		/* inserts: the table {id} names, or NULL */
	const char *parent_col;
	bool update;			/* {id} names the row; body members are set */
	const char *guard;		/* updates: must hold for the row, else conflict */
	const char *guard_msg;
	const char *choices[3][2];	/* field, "a|b|c" */
	int (*check)(struct db *db, int64_t id, json_t *row, struct ys_err *e);
	int (*after)(struct db *db, int64_t id, const json_t *row, struct ys_err *e);
};

static bool
date_of(const json_t *row, const char *field, int64_t *day)
{
	return qual_date_parse(json_string_value(json_object_get(row, field)), day) == 0;
}

static int
not_before(const json_t *row, const char *later, const char *earlier, struct ys_err *e)
{
	int64_t a, b;

	if (date_of(row, later, &a) && date_of(row, earlier, &b) && a < b)
		return ys_fail(e, "invalid_field", "%s: must not be before %s", later, earlier);
	return 0;
}

static int
check_cert(struct db *db, int64_t id, json_t *row, struct ys_err *e)
{
	(void)db;
	(void)id;
	if (json_object_get(row, "expires_on") &&
	    not_before(row, "expires_on", "issued_on", e) < 0)
		return -1;
	return 0;
}

static int
check_accept(struct db *db, int64_t id, json_t *row, struct ys_err *e)
{
	char started[16] = "";
	struct db_stmt *st = db_q(db, "SELECT started_on FROM qual_engagements WHERE id = ?",
	    "l", id);
	int64_t a, b;

	if (st && db_step(st) == DB_ROW && db_col_text(st, 0))
		snprintf(started, sizeof(started), "%s", db_col_text(st, 0));
	db_done(st);
	if (date_of(row, "accepted_on", &a) && qual_date_parse(started, &b) == 0 && a < b)
		return ys_fail(e, "invalid_field", "accepted_on: must not be before the engagement "
		    "started (%s)", started);
	return 0;
}

static int
check_assess(struct db *db, int64_t id, json_t *row, struct ys_err *e)
{
	(void)db;
	(void)id;
	return not_before(row, "next_due_on", "assessed_on", e);
}

static int
check_date_after_col(struct db *db, const char *sql, int64_t id, json_t *row,
    const char *field, struct ys_err *e)
{
	char prev[16] = "";
	struct db_stmt *st = db_q(db, sql, "l", id);
	int64_t a, b;

	if (st && db_step(st) == DB_ROW && db_col_text(st, 0))
		snprintf(prev, sizeof(prev), "%s", db_col_text(st, 0));
	db_done(st);
	if (date_of(row, field, &a) && qual_date_parse(prev, &b) == 0 && a < b)
		return ys_fail(e, "invalid_field", "%s: must not be before %s", field, prev);
	return 0;
}

static int
check_complaint_close(struct db *db, int64_t id, json_t *row, struct ys_err *e)
{
	return check_date_after_col(db, "SELECT received_on FROM qual_complaints WHERE id = ?",
	    id, row, "closed_on", e);
}

static int
check_sanction_handle(struct db *db, int64_t id, json_t *row, struct ys_err *e)
{
	return check_date_after_col(db, "SELECT received_on FROM qual_sanctions WHERE id = ?",
	    id, row, "closed_on", e);
}

static int
check_document(struct db *db, int64_t id, json_t *row, struct ys_err *e)
{
	(void)db;
	(void)id;
	if (json_object_get(row, "reviewed_on") && !json_object_get(row, "reviewer"))
		return ys_fail(e, "missing_field", "reviewer: is required with reviewed_on");
	if (json_object_get(row, "reviewer") && !json_object_get(row, "reviewed_on"))
		return ys_fail(e, "missing_field", "reviewed_on: is required with reviewer");
	if (json_object_get(row, "expires_on") && json_object_get(row, "reviewed_on"))
		return not_before(row, "expires_on", "reviewed_on", e);
	return 0;
}

static int
stage_index(const char *s)
{
	for (int i = 0; s && stages[i]; i++)
		if (strcmp(stages[i], s) == 0)
			return i;
	return -1;
}

static int
last_stage(struct db *db, int64_t application, char date[16])
{
	struct db_stmt *st = db_q(db, "SELECT seq, completed_on FROM qual_stages"
	    " WHERE application_id = ? ORDER BY seq DESC LIMIT 1", "l", application);
	int seq = -1;

	date[0] = '\0';
	if (st && db_step(st) == DB_ROW) {
		seq = (int)db_col_int(st, 0);
		snprintf(date, 16, "%s", db_col_text(st, 1) ? db_col_text(st, 1) : "");
	}
	db_done(st);
	return seq;
}

/* Stages follow the guide's order: each is the one after the last recorded,
 * on or after its date. */
static int
check_stage(struct db *db, int64_t id, json_t *row, struct ys_err *e)
{
	const char *stage = json_string_value(json_object_get(row, "stage"));
	int want, have;
	char prev[16];
	int64_t a, b;

	want = stage_index(stage);
	have = last_stage(db, id, prev);
	if (want != have + 1)
		return ys_fail(e, "conflict", "stage %s cannot follow %s; the next stage is %s",
		    stage, have >= 0 ? stages[have] : "nothing",
		    stages[have + 1] ? stages[have + 1] : "none (the application is complete)");
	if (date_of(row, "completed_on", &a) && qual_date_parse(prev, &b) == 0 && a < b)
		return ys_fail(e, "invalid_field", "completed_on: must not be before the previous "
		    "stage (%s)", prev);
	json_object_set_new(row, "seq", json_integer(want));
	return 0;
}

static int
after_application(struct db *db, int64_t id, const json_t *row, struct ys_err *e)
{
	if (db_run(db, "INSERT INTO qual_stages (application_id, stage, seq, completed_on,"
	    " created_at) VALUES (?, 'submitted', 0, ?, ?)", "lsl", id,
	    json_string_value(json_object_get(row, "submitted_on")), (int64_t)time(NULL)) != 1)
		return ys_fail(e, "internal", "cannot record the application stage");
	return 0;
}

/* Expiry is issue + 3 years; a certificate tied to an application closes
 * it with the certificate_issued stage, after the committee's decision. */
static int
check_certificate(struct db *db, int64_t id, json_t *row, struct ys_err *e)
{
	int64_t issued, app = json_integer_value(json_object_get(row, "application_id"));
	char exp[11], prev[16];
	int have;

	(void)id;
	if (!date_of(row, "issued_on", &issued))
		return ys_fail(e, "invalid_field", "issued_on: expected a date YYYY-MM-DD");
	qual_date_text(qual_cert_expiry(issued), exp);
	json_object_set_new(row, "expires_on", json_string(exp));
	if (app == 0)
		return 0;
	have = last_stage(db, app, prev);
	if (have == stage_index("certificate_issued"))
		return 0;
	if (have != stage_index("committee_decision"))
		return ys_fail(e, "conflict", "application %lld has no technical committee decision "
		    "yet (last stage: %s)", (long long)app, have >= 0 ? stages[have] : "none");
	if (db_run(db, "INSERT INTO qual_stages (application_id, stage, seq, completed_on,"
	    " created_at) VALUES (?, 'certificate_issued', ?, ?, ?)", "lisl", app, have + 1,
	    json_string_value(json_object_get(row, "issued_on")), (int64_t)time(NULL)) != 1)
		return ys_fail(e, "internal", "cannot record the certificate_issued stage");
	return 0;
}

/* Annual surveys and renewal applications name their certificate and the
 * anniversary (or expiry) they are for; the other filings need neither. */
static int
check_filing(struct db *db, int64_t id, json_t *row, struct ys_err *e)
{
	const char *kind = json_string_value(json_object_get(row, "kind"));
	int64_t cert = json_integer_value(json_object_get(row, "certificate_id")), issued, f;
	struct qual_window w[3];
	char txt[16] = "", buf[11], valid[40] = "";
	size_t n;
	bool survey = strcmp(kind, "annual_survey") == 0, ok = false;
	struct db_stmt *st;

	(void)id;
	if (!survey && strcmp(kind, "renewal_application") != 0)
		return 0;
	if (cert == 0)
		return ys_fail(e, "missing_field", "certificate_id: is required for %s", kind);
	st = db_q(db, "SELECT issued_on FROM qual_certs WHERE id = ?", "l", cert);
	if (st && db_step(st) == DB_ROW && db_col_text(st, 0))
		snprintf(txt, sizeof(txt), "%s", db_col_text(st, 0));
	db_done(st);
	if (qual_date_parse(txt, &issued) < 0)
		return ys_fail(e, "not_found", "no certificate %lld", (long long)cert);
	n = qual_cert_windows(issued, w);
	if (!survey) {
		qual_date_text(w[n - 1].due, buf);
		json_object_set_new(row, "for_on", json_string(buf));
		return 0;
	}
	if (!date_of(row, "for_on", &f))
		return ys_fail(e, "missing_field", "for_on: the anniversary the survey is for is "
		    "required");
	for (size_t i = 0; i < n; i++) {
		if (w[i].kind != QUAL_W_SURVEY)
			continue;
		qual_date_text(w[i].due, buf);
		snprintf(valid + strlen(valid), sizeof(valid) - strlen(valid), "%s%s",
		    valid[0] ? ", " : "", buf);
		if (w[i].due == f)
			ok = true;
	}
	if (!ok)
		return ys_fail(e, "invalid_field", "for_on: not an anniversary of certificate %lld "
		    "(expected one of %s)", (long long)cert, valid);
	return 0;
}

static const struct op ops[] = {
	{ "staff.add", "qual_staff", STORE_QUAL_STAFF, NULL, NULL, false, NULL, NULL,
	  { { NULL, NULL } }, NULL, NULL },
	{ "staff.certificate", "qual_staff_certs", STORE_QUAL_STAFF_CERTS, "qual_staff",
	  "staff_id", false, NULL, NULL, { { NULL, NULL } }, check_cert, NULL },
	{ "staff.nda", "qual_staff", STORE_QUAL_STAFF, NULL, NULL, true, NULL, NULL,
	  { { NULL, NULL } }, NULL, NULL },
	{ "staff.training", "qual_training", STORE_QUAL_TRAINING, "qual_staff", "staff_id",
	  false, NULL, NULL, { { NULL, NULL } }, NULL, NULL },
	{ "staff.leave", "qual_staff", STORE_QUAL_STAFF, NULL, NULL, true, "left_on IS NULL",
	  "has left already", { { NULL, NULL } }, NULL, NULL },
	{ "engagement.add", "qual_engagements", STORE_QUAL_ENGAGEMENTS, NULL, NULL, false,
	  NULL, NULL, { { NULL, NULL } }, NULL, NULL },
	{ "engagement.milestone", "qual_milestones", STORE_QUAL_MILESTONES, "qual_engagements",
	  "engagement_id", false, NULL, NULL, { { NULL, NULL } }, NULL, NULL },
	{ "milestone.done", "qual_milestones", STORE_QUAL_MILESTONES, NULL, NULL, true,
	  "done_on IS NULL", "is done already", { { NULL, NULL } }, NULL, NULL },
	{ "engagement.assign", "qual_assignments", STORE_QUAL_ASSIGNMENTS, "qual_engagements",
	  "engagement_id", false, NULL, NULL, { { NULL, NULL } }, NULL, NULL },
	{ "engagement.risk", "qual_risks", STORE_QUAL_RISKS, "qual_engagements",
	  "engagement_id", false, NULL, NULL, { { NULL, NULL } }, NULL, NULL },
	{ "engagement.review", "qual_reviews", STORE_QUAL_REVIEWS, "qual_engagements",
	  "engagement_id", false, NULL, NULL, { { "result", "pass|issues|fail" } }, NULL, NULL },
	{ "engagement.accept", "qual_engagements", STORE_QUAL_ENGAGEMENTS, NULL, NULL, true,
	  "acceptance IS NULL", "has an acceptance result already",
	  { { "acceptance", "passed|failed" } }, check_accept, NULL },
	{ "supplier.add", "qual_suppliers", STORE_QUAL_SUPPLIERS, NULL, NULL, false, NULL, NULL,
	  { { "supplies", "software|hardware|rule_feed|data_centre|other" } }, NULL, NULL },
	{ "supplier.assess", "qual_assessments", STORE_QUAL_ASSESSMENTS, "qual_suppliers",
	  "supplier_id", false, NULL, NULL, { { "result", "pass|conditional|fail" } },
	  check_assess, NULL },
	{ "complaint.add", "qual_complaints", STORE_QUAL_COMPLAINTS, NULL, NULL, false, NULL,
	  NULL, { { NULL, NULL } }, NULL, NULL },
	{ "complaint.close", "qual_complaints", STORE_QUAL_COMPLAINTS, NULL, NULL, true,
	  "closed_on IS NULL", "is closed already", { { NULL, NULL } }, check_complaint_close,
	  NULL },
	{ "document.add", "qual_documents", STORE_QUAL_DOCUMENTS, NULL, NULL, false, NULL, NULL,
	  { { NULL, NULL } }, check_document, NULL },
	{ "document.review", "qual_documents", STORE_QUAL_DOCUMENTS, NULL, NULL, true, NULL,
	  NULL, { { NULL, NULL } }, check_document, NULL },
	{ "fee.add", "qual_fees", STORE_QUAL_FEES, NULL, NULL, false, NULL, NULL,
	  { { "kind", "first_application|maintenance|implementation" } }, NULL, NULL },
	{ "application.add", "qual_applications", STORE_QUAL_APPLICATIONS, NULL, NULL, false,
	  NULL, NULL, { { "kind", "first|maintenance" } }, NULL, after_application },
	{ "application.stage", "qual_stages", STORE_QUAL_STAGES, "qual_applications",
	  "application_id", false, NULL, NULL,
	  { { "stage", "eligibility_review|static_assessment|onsite_audit|"
	      "comprehensive_evaluation|committee_decision|certificate_issued" } },
	  check_stage, NULL },
	{ "application.rectification", "qual_rectifications", STORE_QUAL_RECTIFICATIONS,
	  "qual_applications", "application_id", false, NULL, NULL,
	  { { "stage", "static_assessment|onsite_audit|comprehensive_evaluation|"
	      "annual_inspection" } }, NULL, NULL },
	{ "rectification.verify", "qual_rectifications", STORE_QUAL_RECTIFICATIONS, NULL, NULL,
	  true, "verified_on IS NULL", "is verified already", { { NULL, NULL } }, NULL, NULL },
	{ "certificate.add", "qual_certs", STORE_QUAL_CERTS, NULL, NULL, false, NULL, NULL,
	  { { NULL, NULL } }, check_certificate, NULL },
	{ "filing.add", "qual_filings", STORE_QUAL_FILINGS, NULL, NULL, false, NULL, NULL,
	  { { "kind", "annual_survey|renewal_application|change_notification|"
	      "transfer_request" } }, check_filing, NULL },
	{ "sanction.add", "qual_sanctions", STORE_QUAL_SANCTIONS, NULL, NULL, false, NULL, NULL,
	  { { "kind", "warning|rectification|suspension|revocation" } }, NULL, NULL },
	{ "sanction.handle", "qual_sanctions", STORE_QUAL_SANCTIONS, NULL, NULL, true,
	  "closed_on IS NULL", "is closed already", { { NULL, NULL } }, check_sanction_handle,
	  NULL },
};

static bool
in_choices(const char *choices, const char *v)
{
	size_t n = strlen(v);

	for (const char *p = choices; p && *p;) {
		const char *bar = strchr(p, '|');
		size_t len = bar ? (size_t)(bar - p) : strlen(p);

		if (len == n && strncmp(p, v, n) == 0)
			return true;
		p = bar ? bar + 1 : p + len;
	}
	return false;
}

static bool
ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);

	return a >= b && strcmp(s + a - b, suffix) == 0;
}

/* Rows a member refers to: it must exist (404 otherwise). */
static const struct {
	const char *field, *table, *what;
} refs[] = {
	{ "tenant_id", "tenants", "tenant" },
	{ "staff_id", "qual_staff", "staff member" },
	{ "certificate_id", "qual_certs", "certificate" },
	{ "application_id", "qual_applications", "application" },
};

static bool
row_exists(struct db *db, const char *table, int64_t id)
{
	char sql[96];

	snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s WHERE id = ?", table);
	return db_int(db, 0, sql, "l", id) > 0;
}

/* Field-level rules that hold for every register. */
static int
check_member(struct db *db, const struct op *op, const char *key, json_t *v,
    struct ys_err *e)
{
	const char *s = json_string_value(v);
	int64_t day;

	for (const char *p = key; *p; p++)
		if (!islower((unsigned char)*p) && *p != '_' && !isdigit((unsigned char)*p))
			return ys_fail(e, "unknown_field", "unknown field");
	if (ends_with(key, "_on")) {
		if (qual_date_parse(s, &day) < 0)
			return ys_fail(e, "invalid_field", "%s: expected a date YYYY-MM-DD, got '%.32s'",
			    key, s ? s : "");
	} else if (strcmp(key, "requirement_id") == 0) {
		if (qual_item_find(s) == NULL)
			return ys_fail(e, "invalid_field", "requirement_id: unknown requirement "
			    "'%.32s' (see yunshou qual requirements)", s ? s : "");
	} else if (strcmp(key, "sha256") == 0) {
		if (s == NULL || strlen(s) != 64 || strspn(s, "0123456789abcdefABCDEF") != 64)
			return ys_fail(e, "invalid_field", "sha256: expected 64 hexadecimal digits");
	}
	for (size_t i = 0; i < 3 && op->choices[i][0]; i++)
		if (strcmp(op->choices[i][0], key) == 0 && (s == NULL || !in_choices(op->choices[i][1], s)))
			return ys_fail(e, "invalid_field", "%s: '%.32s' is not one of %s", key,
			    s ? s : "", op->choices[i][1]);
	for (size_t i = 0; i < sizeof(refs) / sizeof(refs[0]); i++)
		if (strcmp(refs[i].field, key) == 0 && json_is_integer(v) &&
		    !row_exists(db, refs[i].table, json_integer_value(v)))
			return ys_fail(e, "not_found", "no %s %lld", refs[i].what,
			    (long long)json_integer_value(v));
	return 0;
}

static void
bind_value(struct db_stmt *st, int idx, json_t *v)
{
	if (json_is_string(v))
		db_bind_text(st, idx, json_string_value(v));
	else if (json_is_boolean(v))
		db_bind_int64(st, idx, json_is_true(v));
	else
		db_bind_int64(st, idx, json_integer_value(v));
}

static int
write_row(struct db *db, const struct op *op, int64_t id, json_t *row, int64_t *row_id,
    struct ys_err *e)
{
	char sql[1024];
	size_t n;
	const char *key;
	json_t *v;
	struct db_stmt *st;
	int idx = 1, rc;

	if (op->update) {
		n = (size_t)snprintf(sql, sizeof(sql), "UPDATE %s SET ", op->table);
		json_object_foreach(row, key, v)
			n += (size_t)snprintf(sql + n, sizeof(sql) - n, "%s%s = ?", idx++ > 1 ? ", " : "",
			    key);
		n += (size_t)snprintf(sql + n, sizeof(sql) - n, " WHERE id = ?");
		if (idx == 1)
			return ys_fail(e, "missing_field", "nothing to change");
	} else {
		char vals[256] = "";
		size_t m = 0;

		n = (size_t)snprintf(sql, sizeof(sql), "INSERT INTO %s (created_at", op->table);
		json_object_foreach(row, key, v) {
			n += (size_t)snprintf(sql + n, sizeof(sql) - n, ", %s", key);
			m += (size_t)snprintf(vals + m, sizeof(vals) - m, ", ?");
		}
		n += (size_t)snprintf(sql + n, sizeof(sql) - n, ") VALUES (?%s)", vals);
	}
	if (n >= sizeof(sql) || (st = db_q(db, sql, "")) == NULL)
		return ys_fail(e, "internal", "cannot prepare the %s change", op->name);
	if (!op->update)
		db_bind_int64(st, idx++, (int64_t)time(NULL));
	else
		idx = 1;
	json_object_foreach(row, key, v)
		bind_value(st, idx++, v);
	if (op->update)
		db_bind_int64(st, idx, id);
	rc = db_step(st);
	db_done(st);
	if (rc != DB_DONE) {
		if (db_is_conflict(db))
			return ys_fail(e, "conflict", "such a record exists already");
		return ys_fail(e, "invalid_field", "the record breaks a rule of the register: %s",
		    db_errmsg(db));
	}
	*row_id = op->update ? id : db_last_id(db);
	return 0;
}

int
qual_apply(struct db *db, const struct principal *by, const char *name, int64_t id,
    const json_t *in, json_t **out, struct ys_err *e)
{
	const struct op *op = NULL;
	json_t *row, *v;
	const char *key;
	int64_t row_id = 0;

	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (strcmp(ops[i].name, name) == 0)
			op = &ops[i];
	if (op == NULL)
		return ys_fail(e, "internal", "no register operation %s", name);
	if (op->parent && !row_exists(db, op->parent, id))
		return ys_fail(e, "not_found", "no %s %lld", op->parent + 5, (long long)id);
	if (op->update) {
		char sql[160];

		if (!row_exists(db, op->table, id))
			return ys_fail(e, "not_found", "no %s %lld", op->table + 5, (long long)id);
		if (op->guard) {
			snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s WHERE id = ? AND %s",
			    op->table, op->guard);
			if (db_int(db, 0, sql, "l", id) == 0)
				return ys_fail(e, "conflict", "%s %lld %s", op->table + 5, (long long)id,
				    op->guard_msg);
		}
	}
	row = json_deep_copy(in ? in : json_object());
	if (row == NULL)
		return ys_fail(e, "internal", "out of memory");
	json_object_foreach(row, key, v)
		if (check_member(db, op, key, v, e) < 0)
			goto fail;
	if (strcmp(op->table, "qual_documents") == 0 && !op->update)
		json_object_set_new(row, "created_by", json_string(by ? by->username : "-"));
	if (json_is_string(json_object_get(row, "sha256"))) {
		char hex[65];

		snprintf(hex, sizeof(hex), "%s", json_string_value(json_object_get(row, "sha256")));
		for (char *p = hex; *p; p++)
			*p = (char)tolower((unsigned char)*p);
		json_object_set_new(row, "sha256", json_string(hex));
	}
	if (op->check && op->check(db, id, row, e) < 0)
		goto fail;
	if (op->parent)
		json_object_set_new(row, op->parent_col, json_integer(id));
	if (write_row(db, op, id, row, &row_id, e) < 0)
		goto fail;
	if (op->after && op->after(db, row_id, row, e) < 0)
		goto fail;
	json_decref(row);
	*out = store_get(db, scope_all(), op->read, row_id);
	if (*out == NULL)
		return ys_fail(e, "internal", "cannot read back the record");
	return 0;
fail:
	json_decref(row);
	return -1;
}

/* ---- reads ---- */

static const char *
text_of(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static bool
date_before(const json_t *o, const char *k, int64_t today)
{
	int64_t d;

	return qual_date_parse(text_of(o, k), &d) == 0 && d < today;
}

/* Computed members, so a reader sees what the evidence functions see. */
static void
decorate_staff(json_t *s, int64_t today)
{
	json_t *certs = json_object_get(s, "certificates"), *c;
	bool cisp = false;
	size_t i;

	json_array_foreach(certs, i, c) {
		int64_t exp;
		bool valid = text_of(c, "expires_on") == NULL ||
		    (qual_date_parse(text_of(c, "expires_on"), &exp) == 0 && exp >= today);

		json_object_set_new(c, "valid", json_boolean(valid));
		if (valid && text_of(c, "kind") && strcasecmp(text_of(c, "kind"), "CISP") == 0)
			cisp = true;
	}
	json_object_set_new(s, "active", json_boolean(text_of(s, "left_on") == NULL ||
	    !date_before(s, "left_on", today + 1)));
	json_object_set_new(s, "cisp_valid", json_boolean(cisp));
}

static void
decorate_supplier(json_t *s, int64_t today)
{
	json_t *a = json_object_get(s, "assessments");
	json_t *last = json_array_get(a, json_array_size(a) - 1);
	int64_t due;
	bool current = last && strcmp(text_of(last, "result"), "fail") != 0 &&
	    qual_date_parse(text_of(last, "next_due_on"), &due) == 0 && due >= today;

	json_object_set_new(s, "assessment_current", json_boolean(current));
}

static void
decorate_certificate(json_t *c, int64_t today)
{
	int64_t issued, exp;

	if (qual_date_parse(text_of(c, "issued_on"), &issued) < 0)
		return;
	exp = qual_cert_expiry(issued);
	json_object_set_new(c, "status", json_string(today < exp ? "valid" : "expired"));
}

static void
decorate_document(json_t *d, int64_t today)
{
	int64_t exp;
	const char *st = "pending_review";

	if (text_of(d, "reviewed_on")) {
		st = "reviewed";
		if (qual_date_parse(text_of(d, "expires_on"), &exp) == 0 && exp < today)
			st = "expired";
	}
	json_object_set_new(d, "status", json_string(st));
}

static const struct reg {
	const char *name;
	enum store_table t;
	struct {
		const char *member;
		enum store_table t;
		const char *fk;
	} kids[4];
	void (*decorate)(json_t *row, int64_t today);
} regs[] = {
	{ "staff", STORE_QUAL_STAFF, { { "certificates", STORE_QUAL_STAFF_CERTS, "staff_id" },
	  { "training", STORE_QUAL_TRAINING, "staff_id" } }, decorate_staff },
	{ "engagements", STORE_QUAL_ENGAGEMENTS,
	  { { "milestones", STORE_QUAL_MILESTONES, "engagement_id" },
	    { "staff", STORE_QUAL_ASSIGNMENTS, "engagement_id" },
	    { "risks", STORE_QUAL_RISKS, "engagement_id" },
	    { "reviews", STORE_QUAL_REVIEWS, "engagement_id" } }, NULL },
	{ "suppliers", STORE_QUAL_SUPPLIERS,
	  { { "assessments", STORE_QUAL_ASSESSMENTS, "supplier_id" } }, decorate_supplier },
	{ "complaints", STORE_QUAL_COMPLAINTS, { { NULL, 0, NULL } }, NULL },
	{ "documents", STORE_QUAL_DOCUMENTS, { { NULL, 0, NULL } }, decorate_document },
	{ "fees", STORE_QUAL_FEES, { { NULL, 0, NULL } }, NULL },
	{ "applications", STORE_QUAL_APPLICATIONS,
	  { { "stages", STORE_QUAL_STAGES, "application_id" },
	    { "rectifications", STORE_QUAL_RECTIFICATIONS, "application_id" } }, NULL },
	{ "certificates", STORE_QUAL_CERTS, { { NULL, 0, NULL } }, decorate_certificate },
	{ "filings", STORE_QUAL_FILINGS, { { NULL, 0, NULL } }, NULL },
	{ "sanctions", STORE_QUAL_SANCTIONS, { { NULL, 0, NULL } }, NULL },
};

static void
add_children(struct db *db, const struct reg *g, json_t *row, int64_t today)
{
	for (size_t k = 0; k < 4 && g->kids[k].member; k++) {
		struct store_filter f = { g->kids[k].fk, "=", NULL,
		    json_integer_value(json_object_get(row, "id")) };
		json_t *kids = store_list(db, scope_all(), g->kids[k].t, &f, 1, 1000);

		json_object_set_new(row, g->kids[k].member, kids ? kids : json_array());
	}
	if (g->decorate)
		g->decorate(row, today);
}

json_t *
qual_list(struct db *db, const char *name, int64_t today)
{
	const struct reg *g = NULL;
	json_t *rows, *row;
	size_t i;

	for (size_t k = 0; k < sizeof(regs) / sizeof(regs[0]); k++)
		if (strcmp(regs[k].name, name) == 0)
			g = &regs[k];
	if (g == NULL)
		return NULL;
	rows = store_list(db, scope_all(), g->t, NULL, 0, 1000);
	json_array_foreach(rows, i, row)
		add_children(db, g, row, today);
	return rows;
}

json_t *
qual_engagement_get(struct db *db, int64_t id, int64_t today, struct ys_err *e)
{
	json_t *row = store_get(db, scope_all(), STORE_QUAL_ENGAGEMENTS, id);

	if (row == NULL) {
		ys_fail(e, "not_found", "no engagement %lld", (long long)id);
		return NULL;
	}
	add_children(db, &regs[1], row, today);
	return row;
}

/* §9: audit fee + three-year annual fee. */
static const struct {
	const char *kind;
	int64_t audit_fen, annual_fen;
} standard_fees[] = {
	{ "first_application", 4300000, 1500000 },
	{ "maintenance", 2900000, 1500000 },
};

json_t *
qual_fee_summary(struct db *db)
{
	json_t *std = json_array(), *paid = json_object();
	struct db_stmt *st;

	for (size_t i = 0; i < sizeof(standard_fees) / sizeof(standard_fees[0]); i++) {
		int64_t total = standard_fees[i].audit_fen + standard_fees[i].annual_fen;
		char cny[3][32];

		snprintf(cny[0], sizeof(cny[0]), "%lld.00", (long long)standard_fees[i].audit_fen / 100);
		snprintf(cny[1], sizeof(cny[1]), "%lld.00", (long long)standard_fees[i].annual_fen / 100);
		snprintf(cny[2], sizeof(cny[2]), "%lld.00", (long long)total / 100);
		json_array_append_new(std, json_pack("{s:s, s:I, s:s, s:I, s:s, s:I, s:s}",
		    "kind", standard_fees[i].kind, "audit_fen", (json_int_t)standard_fees[i].audit_fen,
		    "audit_cny", cny[0], "annual_fen", (json_int_t)standard_fees[i].annual_fen,
		    "annual_cny", cny[1], "total_fen", (json_int_t)total, "total_cny", cny[2]));
	}
	st = db_q(db, "SELECT kind, sum(amount_fen) FROM qual_fees GROUP BY kind ORDER BY kind", "");
	while (st && db_step(st) == DB_ROW)
		json_object_set_new(paid, db_col_text(st, 0), json_integer(db_col_int(st, 1)));
	db_done(st);
	return json_pack("{s:o, s:o, s:s}", "standard", std, "paid_fen", paid, "note",
	    "首次申请：43000（审核费用）+15000（三年年金）=58000元；维持：29000+15000=44000元；"
	    "实施费用以《信息安全服务资质测评委托协议》为准。");
}
