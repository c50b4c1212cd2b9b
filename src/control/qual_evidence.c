/*
 * qual_evidence: the self-assessment. Each requirement of the catalogue
 * names its evidence kinds; "query:<name>" is one row of evidence_fns[]
 * below, a function over the platform's own records that says met, not met
 * or no evidence, with the record ids and counts behind it and what is
 * missing, in Chinese and English. A requirement whose evidence can only
 * come from a service that does not exist yet says "no_evidence" — never
 * "met". "document" evidence is an uploaded document that a named reviewer
 * has reviewed and that has not expired.
 */
#include "nodes.h"
#include "qual.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "alerts.h"
#include "audit.h"

enum st { MET, NOT_MET, NO_EVIDENCE, DOC_PENDING };
static const char *const st_names[] = { "met", "not_met", "no_evidence", "document_pending" };

struct ev {
	enum st st;
	json_t *evidence;
	json_t *miss_zh, *miss_en;
	char zh[256], en[256];
};

static void __attribute__((format(printf, 3, 4)))
put(char *buf, size_t sz, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sz, fmt, ap);
	va_end(ap);
}

#define SUMMARY(v, ...) put((v)->zh, sizeof((v)->zh), __VA_ARGS__)
#define SUMMARY_EN(v, ...) put((v)->en, sizeof((v)->en), __VA_ARGS__)

/* One missing thing, in both languages. */
static void
miss(struct ev *v, const char *zh, const char *en)
{
	json_array_append_new(v->miss_zh, json_string(zh));
	json_array_append_new(v->miss_en, json_string(en));
}

/* The first column of every row as an array of ids; s1, s2: text
 * parameters (NULL: fewer). */
static json_t *
ids(struct db *db, const char *sql, const char *s1, const char *s2)
{
	json_t *out = json_array();
	struct db_stmt *st = s2 ? db_q(db, sql, "ss", s1, s2) : s1 ? db_q(db, sql, "s", s1) :
	    db_q(db, sql, "");

	while (st && db_step(st) == DB_ROW)
		json_array_append_new(out, json_integer(db_col_int(st, 0)));
	db_done(st);
	return out;
}

static void
today_text(const struct qual_ctx *c, char out[11])
{
	qual_date_text(c->today, out);
}

/* ---- evidence functions ---- */

/* Active staff: not left, or left after today. */
#define ACTIVE_STAFF "(left_on IS NULL OR left_on > ?)"

static void
ev_cisp_staff(const struct qual_ctx *c, struct ev *v)
{
	char t[11];
	json_t *ok;
	int64_t staff;
	size_t n;

	today_text(c, t);
	staff = db_int(c->db, 0, "SELECT count(*) FROM qual_staff WHERE " ACTIVE_STAFF, "s", t);
	ok = ids(c->db, "SELECT s.id FROM qual_staff s WHERE s.full_time = 1 AND"
	    " (s.left_on IS NULL OR s.left_on > ?) AND EXISTS (SELECT 1 FROM qual_staff_certs k"
	    " WHERE k.staff_id = s.id AND upper(k.kind) = 'CISP' AND"
	    " (k.expires_on IS NULL OR k.expires_on >= ?)) ORDER BY s.id", t, t);
	n = json_array_size(ok);
	json_object_set_new(v->evidence, "active_staff", json_integer(staff));
	json_object_set_new(v->evidence, "full_time_cisp_staff_ids", ok);
	json_object_set_new(v->evidence, "required", json_integer(4));
	SUMMARY(v, "%zu 名专职人员持有有效 CISP（要求 ≥4）", n);
	SUMMARY_EN(v, "%zu full-time staff hold a valid CISP (4 required)", n);
	if (staff == 0) {
		v->st = NO_EVIDENCE;
		miss(v, "人员登记为空：请登记人员及其 CISP 证书", "the staff register is empty: add staff "
		    "and their CISP certificates");
	} else if (n < 4) {
		char zh[128], en[128];

		v->st = NOT_MET;
		snprintf(zh, sizeof(zh), "还需 %zu 名持有有效 CISP 的专职人员", 4 - n);
		snprintf(en, sizeof(en), "%zu more full-time staff with a valid CISP needed", 4 - n);
		miss(v, zh, en);
	}
}

static void
ev_confidentiality(const struct qual_ctx *c, struct ev *v)
{
	char t[11];
	int64_t involved;
	json_t *without;

	today_text(c, t);
	involved = db_int(c->db, 0, "SELECT count(*) FROM qual_staff WHERE support_only = 0 AND "
	    ACTIVE_STAFF, "s", t);
	without = ids(c->db, "SELECT id FROM qual_staff WHERE support_only = 0 AND"
	    " nda_signed_on IS NULL AND " ACTIVE_STAFF " ORDER BY id", t, NULL);
	json_object_set_new(v->evidence, "staff_involved", json_integer(involved));
	json_object_set_new(v->evidence, "staff_without_agreement_ids", without);
	SUMMARY(v, "%lld 名服务相关人员中 %zu 名未签保密合同", (long long)involved,
	    json_array_size(without));
	SUMMARY_EN(v, "%zu of %lld staff involved in services have no signed confidentiality "
	    "agreement", json_array_size(without), (long long)involved);
	if (involved == 0) {
		v->st = NO_EVIDENCE;
		miss(v, "没有登记服务相关人员", "no staff involved in services registered");
	} else if (json_array_size(without) > 0) {
		v->st = NOT_MET;
		miss(v, "为 staff_without_agreement_ids 中的人员签订并登记保密合同",
		    "sign and record confidentiality agreements for staff_without_agreement_ids");
	}
}

static void
ev_training(const struct qual_ctx *c, struct ev *v)
{
	char t[11];
	int64_t staff;
	json_t *untrained;

	today_text(c, t);
	staff = db_int(c->db, 0, "SELECT count(*) FROM qual_staff WHERE " ACTIVE_STAFF, "s", t);
	untrained = ids(c->db, "SELECT id FROM qual_staff s WHERE " ACTIVE_STAFF " AND NOT EXISTS"
	    " (SELECT 1 FROM qual_training r WHERE r.staff_id = s.id) ORDER BY id", t, NULL);
	json_object_set_new(v->evidence, "active_staff", json_integer(staff));
	json_object_set_new(v->evidence, "training_records",
	    json_integer(db_int(c->db, 0, "SELECT count(*) FROM qual_training", "")));
	json_object_set_new(v->evidence, "staff_without_training_ids", untrained);
	SUMMARY(v, "%lld 名在职人员中 %zu 名没有培训记录", (long long)staff, json_array_size(untrained));
	SUMMARY_EN(v, "%zu of %lld active staff have no training record", json_array_size(untrained),
	    (long long)staff);
	if (staff == 0) {
		v->st = NO_EVIDENCE;
		miss(v, "人员登记为空", "the staff register is empty");
	} else if (json_array_size(untrained) > 0) {
		v->st = NOT_MET;
		miss(v, "为 staff_without_training_ids 中的人员登记培训记录",
		    "record training for staff_without_training_ids");
	}
}

static void
ev_team_and_qa(const struct qual_ctx *c, struct ev *v)
{
	char t[11];
	int64_t team, reviews;

	today_text(c, t);
	team = db_int(c->db, 0, "SELECT count(*) FROM qual_staff WHERE support_only = 0 AND "
	    ACTIVE_STAFF, "s", t);
	reviews = db_int(c->db, 0, "SELECT count(*) FROM qual_reviews", "");
	json_object_set_new(v->evidence, "service_staff", json_integer(team));
	json_object_set_new(v->evidence, "qa_reviews", json_integer(reviews));
	SUMMARY(v, "服务团队 %lld 人，质量保证评审 %lld 次", (long long)team, (long long)reviews);
	SUMMARY_EN(v, "service team of %lld, %lld QA reviews", (long long)team, (long long)reviews);
	if (team == 0 && reviews == 0) {
		v->st = NO_EVIDENCE;
		miss(v, "登记服务团队人员和项目质量保证评审", "record the service team and QA reviews");
		return;
	}
	if (team == 0) {
		v->st = NOT_MET;
		miss(v, "没有服务团队人员", "no staff in the service team");
	}
	if (reviews == 0) {
		v->st = NOT_MET;
		miss(v, "没有质量保证评审记录", "no QA review recorded");
	}
}

static void
ev_service_experience(const struct qual_ctx *c, struct ev *v)
{
	json_t *passed = ids(c->db, "SELECT id FROM qual_engagements WHERE acceptance = 'passed'"
	    " ORDER BY id", NULL, NULL);

	json_object_set_new(v->evidence, "passed_engagement_ids", passed);
	SUMMARY(v, "%zu 个项目验收通过", json_array_size(passed));
	SUMMARY_EN(v, "%zu engagements passed acceptance", json_array_size(passed));
	if (json_array_size(passed) == 0) {
		v->st = NO_EVIDENCE;
		miss(v, "没有验收通过的服务项目", "no engagement has passed acceptance");
	}
}

/* "近3年内": acceptance dates in [today - 3 years, today]. */
static void
ev_no_failed_acceptance(const struct qual_ctx *c, struct ev *v)
{
	char t[11], from[11];
	json_t *failed;
	int64_t accepted;

	today_text(c, t);
	qual_date_text(qual_add_years(c->today, -3), from);
	accepted = db_int(c->db, 0, "SELECT count(*) FROM qual_engagements WHERE acceptance IS NOT"
	    " NULL", "");
	failed = ids(c->db, "SELECT id FROM qual_engagements WHERE acceptance = 'failed' AND"
	    " accepted_on >= ? AND accepted_on <= ? ORDER BY id", from, t);
	json_object_set_new(v->evidence, "window_from_on", json_string(from));
	json_object_set_new(v->evidence, "window_to_on", json_string(t));
	json_object_set_new(v->evidence, "engagements_with_acceptance", json_integer(accepted));
	json_object_set_new(v->evidence, "failed_in_window_ids", failed);
	SUMMARY(v, "%s 至 %s 期间验收未通过 %zu 次", from, t, json_array_size(failed));
	SUMMARY_EN(v, "%zu failed acceptances between %s and %s", json_array_size(failed), from, t);
	if (json_array_size(failed) > 0) {
		v->st = NOT_MET;
		miss(v, "近3年内存在验收未通过的项目（failed_in_window_ids）",
		    "engagements failed acceptance in the last 3 years (failed_in_window_ids)");
	} else if (accepted == 0) {
		v->st = NO_EVIDENCE;
		miss(v, "没有项目验收记录", "no acceptance result recorded");
	}
}

/* Engagement checks of §3.4: each engagement without the thing is listed. */
static void
per_engagement(const struct qual_ctx *c, struct ev *v, const char *sql_missing,
    const char *what_zh, const char *what_en)
{
	char t[11], zh[200], en[200];
	int64_t n = db_int(c->db, 0, "SELECT count(*) FROM qual_engagements", "");
	json_t *bad;
	struct db_stmt *st;

	today_text(c, t);
	st = db_q(c->db, sql_missing, strchr(sql_missing, '?') ? "s" : "", t);
	bad = json_array();
	while (st && db_step(st) == DB_ROW)
		json_array_append_new(bad, json_integer(db_col_int(st, 0)));
	db_done(st);
	json_object_set_new(v->evidence, "engagements", json_integer(n));
	json_object_set_new(v->evidence, "engagements_lacking_ids", bad);
	SUMMARY(v, "%lld 个项目中 %zu 个%s", (long long)n, json_array_size(bad), what_zh);
	SUMMARY_EN(v, "%zu of %lld engagements %s", json_array_size(bad), (long long)n, what_en);
	if (n == 0) {
		v->st = NO_EVIDENCE;
		miss(v, "没有登记服务项目", "no engagement recorded");
	} else if (json_array_size(bad) > 0) {
		v->st = NOT_MET;
		snprintf(zh, sizeof(zh), "engagements_lacking_ids 中的项目%s", what_zh);
		snprintf(en, sizeof(en), "engagements in engagements_lacking_ids %s", what_en);
		miss(v, zh, en);
	}
}

static void
ev_qa_reviews(const struct qual_ctx *c, struct ev *v)
{
	per_engagement(c, v, "SELECT id FROM qual_engagements g WHERE NOT EXISTS (SELECT 1 FROM"
	    " qual_reviews r WHERE r.engagement_id = g.id) ORDER BY id",
	    "没有质量保证评审", "have no QA review");
}

static void
ev_project_risks(const struct qual_ctx *c, struct ev *v)
{
	per_engagement(c, v, "SELECT id FROM qual_engagements g WHERE NOT EXISTS (SELECT 1 FROM"
	    " qual_risks r WHERE r.engagement_id = g.id) ORDER BY id",
	    "没有风险登记（可能性×影响、责任人、处置）", "have no risk (likelihood x impact, owner, "
	    "treatment) recorded");
}

static void
ev_project_plans(const struct qual_ctx *c, struct ev *v)
{
	per_engagement(c, v, "SELECT id FROM qual_engagements g WHERE trim(plan) = '' OR NOT EXISTS"
	    " (SELECT 1 FROM qual_milestones m WHERE m.engagement_id = g.id) ORDER BY id",
	    "缺少计划或里程碑", "lack a plan or milestones");
}

static void
ev_project_monitoring(const struct qual_ctx *c, struct ev *v)
{
	per_engagement(c, v, "SELECT id FROM qual_engagements g WHERE NOT EXISTS (SELECT 1 FROM"
	    " qual_milestones m WHERE m.engagement_id = g.id) OR EXISTS (SELECT 1 FROM"
	    " qual_milestones m WHERE m.engagement_id = g.id AND m.done_on IS NULL AND"
	    " m.due_on < ?) ORDER BY id",
	    "有逾期未完成的里程碑或没有里程碑", "have overdue milestones or none at all");
}

static void
ev_project_staffing(const struct qual_ctx *c, struct ev *v)
{
	per_engagement(c, v, "SELECT id FROM qual_engagements g WHERE NOT EXISTS (SELECT 1 FROM"
	    " qual_assignments a WHERE a.engagement_id = g.id) OR EXISTS (SELECT 1 FROM"
	    " qual_assignments a JOIN qual_staff s ON s.id = a.staff_id WHERE a.engagement_id ="
	    " g.id AND (s.nda_signed_on IS NULL OR (s.left_on IS NOT NULL AND s.left_on <= ?)))"
	    " ORDER BY id",
	    "未指定负责人员，或负责人员未签保密合同/已离职",
	    "name no responsible staff, or staff without a confidentiality agreement or who left");
}

static void
ev_suppliers(const struct qual_ctx *c, struct ev *v)
{
	char t[11];
	int64_t n = db_int(c->db, 0, "SELECT count(*) FROM qual_suppliers", "");
	json_t *stale = json_array();
	struct db_stmt *st;

	today_text(c, t);
	/* The latest assessment of each supplier must be current and not failed. */
	st = db_q(c->db, "SELECT s.id FROM qual_suppliers s WHERE NOT EXISTS (SELECT 1 FROM"
	    " qual_assessments a WHERE a.supplier_id = s.id AND a.id = (SELECT max(id) FROM"
	    " qual_assessments b WHERE b.supplier_id = s.id) AND a.result <> 'fail' AND"
	    " a.next_due_on >= ?) ORDER BY s.id", "s", t);
	while (st && db_step(st) == DB_ROW)
		json_array_append_new(stale, json_integer(db_col_int(st, 0)));
	db_done(st);
	json_object_set_new(v->evidence, "suppliers", json_integer(n));
	json_object_set_new(v->evidence, "assessments",
	    json_integer(db_int(c->db, 0, "SELECT count(*) FROM qual_assessments", "")));
	json_object_set_new(v->evidence, "suppliers_without_current_assessment_ids", stale);
	SUMMARY(v, "%lld 家供应商中 %zu 家没有有效评估", (long long)n, json_array_size(stale));
	SUMMARY_EN(v, "%zu of %lld suppliers lack a current assessment", json_array_size(stale),
	    (long long)n);
	if (n == 0) {
		v->st = NO_EVIDENCE;
		miss(v, "供应商登记为空（软件、硬件、规则源、数据中心）", "the supplier register is empty "
		    "(software, hardware, rule feeds, data centres)");
	} else if (json_array_size(stale) > 0) {
		v->st = NOT_MET;
		miss(v, "对 suppliers_without_current_assessment_ids 中的供应商重新评估",
		    "assess the suppliers in suppliers_without_current_assessment_ids");
	}
}

static void
ev_complaints(const struct qual_ctx *c, struct ev *v)
{
	int64_t n = db_int(c->db, 0, "SELECT count(*) FROM qual_complaints", "");
	json_t *open = ids(c->db, "SELECT id FROM qual_complaints WHERE closed_on IS NULL"
	    " ORDER BY id", NULL, NULL);

	json_object_set_new(v->evidence, "complaints", json_integer(n));
	json_object_set_new(v->evidence, "open_complaint_ids", open);
	SUMMARY(v, "投诉记录 %lld 条，未结 %zu 条", (long long)n, json_array_size(open));
	SUMMARY_EN(v, "%lld complaints recorded, %zu open", (long long)n, json_array_size(open));
	if (json_array_size(open) > 0) {
		v->st = NOT_MET;
		miss(v, "处理并关闭 open_complaint_ids 中的投诉", "handle and close the complaints in "
		    "open_complaint_ids");
	}
}

/* The current certificate: the latest issued. 0 when there is none. */
static int64_t
current_cert(struct db *db, int64_t *issued)
{
	struct db_stmt *st = db_q(db, "SELECT id, issued_on FROM qual_certs"
	    " ORDER BY issued_on DESC, id DESC LIMIT 1", "");
	int64_t id = 0;

	if (st && db_step(st) == DB_ROW && qual_date_parse(db_col_text(st, 1), issued) == 0)
		id = db_col_int(st, 0);
	db_done(st);
	return id;
}

static bool
filed(struct db *db, int64_t cert, const char *kind, int64_t due, char *on, size_t onsz)
{
	char d[11];
	struct db_stmt *st;
	bool found = false;

	qual_date_text(due, d);
	st = db_q(db, "SELECT filed_on FROM qual_filings WHERE certificate_id = ? AND kind = ? AND"
	    " for_on = ? ORDER BY id LIMIT 1", "lss", cert, kind, d);
	if (st && db_step(st) == DB_ROW) {
		found = true;
		snprintf(on, onsz, "%s", db_col_text(st, 0) ? db_col_text(st, 0) : "");
	}
	db_done(st);
	return found;
}

static json_t *
window_json(struct db *db, int64_t cert, const char *number, const struct qual_window *w,
    int64_t today)
{
	char opens[11], last[11], due[11], on[16] = "";
	bool done = filed(db, cert, w->kind == QUAL_W_SURVEY ? "annual_survey" :
	    "renewal_application", w->due, on, sizeof(on));
	enum qual_window_state s = qual_window_state(w, today, done);
	json_t *o;

	qual_date_text(w->opens, opens);
	qual_date_text(w->due - 1, last);
	qual_date_text(w->due, due);
	o = json_pack("{s:s, s:I, s:s, s:i, s:s, s:s, s:s, s:s, s:I}",
	    "kind", w->kind == QUAL_W_SURVEY ? "annual_survey" : "renewal",
	    "certificate_id", (json_int_t)cert, "certificate_number", number ? number : "",
	    "year", w->year, w->kind == QUAL_W_SURVEY ? "anniversary_on" : "expires_on", due,
	    "window_start_on", opens, "window_end_on", last, "state", qual_window_state_name(s),
	    "days_left", (json_int_t)(w->due - 1 - today));
	json_object_set_new(o, "filed_on", on[0] ? json_string(on) : json_null());
	json_object_set_new(o, "title_zh", json_string(w->kind == QUAL_W_SURVEY ?
	    "提交年度调查表并办理年检（周年日前30天内）" : "提出维持换证申请（有效期届满前90天内）"));
	return o;
}

json_t *
qual_deadlines(struct db *db, int64_t today)
{
	json_t *out = json_array();
	struct qual_window w[3];
	int64_t issued = 0, cert = current_cert(db, &issued);
	struct db_stmt *st;

	if (cert) {
		char number[128] = "";
		size_t n;

		st = db_q(db, "SELECT number FROM qual_certs WHERE id = ?", "l", cert);
		if (st && db_step(st) == DB_ROW)
			snprintf(number, sizeof(number), "%s", db_col_text(st, 0));
		db_done(st);
		n = qual_cert_windows(issued, w);
		for (size_t i = 0; i < n; i++)
			json_array_append_new(out, window_json(db, cert, number, &w[i], today));
	}
	st = db_q(db, "SELECT id, application_id, item, deadline_on, verified_on FROM"
	    " qual_rectifications ORDER BY deadline_on, id", "");
	while (st && db_step(st) == DB_ROW) {
		int64_t dl = 0;
		const char *state;
		char last[11];

		if (qual_date_parse(db_col_text(st, 3), &dl) < 0)
			continue;
		state = !db_col_is_null(st, 4) ? "done" : today > dl ? "overdue" : "open";
		qual_date_text(dl, last);
		json_array_append_new(out, json_pack("{s:s, s:I, s:I, s:s, s:s, s:s, s:I, s:o}",
		    "kind", "rectification", "rectification_id", (json_int_t)db_col_int(st, 0),
		    "application_id", (json_int_t)db_col_int(st, 1), "title_zh", db_col_text(st, 2),
		    "window_end_on", last, "state", state, "days_left", (json_int_t)(dl - today),
		    "filed_on", db_col_is_null(st, 4) ? json_null() :
		    json_string(db_col_text(st, 4))));
	}
	db_done(st);
	return out;
}

static void
cert_window_evidence(const struct qual_ctx *c, struct ev *v, enum qual_window_kind kind)
{
	int64_t issued = 0, cert = current_cert(c->db, &issued);
	json_t *all, *w, *mine = json_array();
	size_t i;
	int overdue = 0, open = 0;

	if (cert == 0) {
		v->st = NO_EVIDENCE;
		SUMMARY(v, "尚未登记资质证书");
		SUMMARY_EN(v, "no certificate recorded yet");
		miss(v, "获证后登记证书（编号、签发日期）", "record the certificate (number, issue date) "
		    "once issued");
		json_decref(mine);
		return;
	}
	all = qual_deadlines(c->db, c->today);
	json_array_foreach(all, i, w) {
		const char *k = json_string_value(json_object_get(w, "kind"));
		const char *s = json_string_value(json_object_get(w, "state"));

		if (strcmp(k, kind == QUAL_W_SURVEY ? "annual_survey" : "renewal") != 0)
			continue;
		json_array_append(mine, w);
		overdue += strcmp(s, "overdue") == 0;
		open += strcmp(s, "open") == 0;
	}
	json_decref(all);
	json_object_set_new(v->evidence, "certificate_id", json_integer(cert));
	json_object_set_new(v->evidence, "deadlines", mine);
	if (kind == QUAL_W_RENEWAL && c->today >= qual_cert_expiry(issued))
		json_object_set_new(v->evidence, "certificate_expired", json_true());
	SUMMARY(v, "%s：逾期 %d 项，窗口开放 %d 项", kind == QUAL_W_SURVEY ? "年度确认" : "维持换证",
	    overdue, open);
	SUMMARY_EN(v, "%s: %d overdue, %d window(s) open", kind == QUAL_W_SURVEY ?
	    "annual confirmation" : "renewal", overdue, open);
	if (overdue) {
		v->st = NOT_MET;
		miss(v, kind == QUAL_W_SURVEY ? "年度调查表逾期未提交" : "证书已到期且未提出维持换证申请",
		    kind == QUAL_W_SURVEY ? "an annual survey is overdue" :
		    "the certificate expired without a renewal application");
	} else if (open) {
		miss(v, kind == QUAL_W_SURVEY ? "年度调查表提交窗口已开放：请在周年日前提交" :
		    "维持换证申请窗口已开放：请在到期前提交",
		    kind == QUAL_W_SURVEY ? "the annual survey window is open: file before the "
		    "anniversary" : "the renewal window is open: apply before expiry");
	}
}

static void
ev_annual_confirmation(const struct qual_ctx *c, struct ev *v)
{
	cert_window_evidence(c, v, QUAL_W_SURVEY);
}

static void
ev_renewal(const struct qual_ctx *c, struct ev *v)
{
	cert_window_evidence(c, v, QUAL_W_RENEWAL);
}

static void
ev_sanctions(const struct qual_ctx *c, struct ev *v)
{
	int64_t issued, cert = current_cert(c->db, &issued);
	int64_t n = db_int(c->db, 0, "SELECT count(*) FROM qual_sanctions", "");
	json_t *open = ids(c->db, "SELECT id FROM qual_sanctions WHERE closed_on IS NULL"
	    " ORDER BY id", NULL, NULL);

	json_object_set_new(v->evidence, "sanctions", json_integer(n));
	json_object_set_new(v->evidence, "open_sanction_ids", open);
	SUMMARY(v, "收到处置 %lld 项，未关闭 %zu 项", (long long)n, json_array_size(open));
	SUMMARY_EN(v, "%lld sanctions received, %zu open", (long long)n, json_array_size(open));
	if (json_array_size(open) > 0) {
		v->st = NOT_MET;
		miss(v, "处理并关闭 open_sanction_ids 中的处置", "handle and close the sanctions in "
		    "open_sanction_ids");
	} else if (cert == 0 && n == 0) {
		v->st = NO_EVIDENCE;
		miss(v, "尚未获证", "no certificate yet");
	}
}

static void
ev_registration_ordering(const struct qual_ctx *c, struct ev *v)
{
	int64_t services = db_int(c->db, 0, "SELECT count(*) FROM services", "");
	int64_t plans = db_int(c->db, 0, "SELECT count(*) FROM plans WHERE status = 'active'", "");
	int64_t tenants = db_int(c->db, 0, "SELECT count(*) FROM tenants WHERE status = 'active'", "");
	int64_t orders = db_int(c->db, 0, "SELECT count(*) FROM orders WHERE status = 'approved'", "");

	json_object_set_new(v->evidence, "services", json_integer(services));
	json_object_set_new(v->evidence, "active_plans", json_integer(plans));
	json_object_set_new(v->evidence, "active_tenants", json_integer(tenants));
	json_object_set_new(v->evidence, "approved_orders", json_integer(orders));
	SUMMARY(v, "服务 %lld 类，在售套餐 %lld 个，已审批订单 %lld 个", (long long)services,
	    (long long)plans, (long long)orders);
	SUMMARY_EN(v, "%lld services, %lld active plans, %lld approved orders", (long long)services,
	    (long long)plans, (long long)orders);
	if (services == 0 || plans == 0) {
		v->st = NOT_MET;
		miss(v, "服务目录中没有在售套餐", "no active plan in the service catalogue");
	}
	if (orders == 0) {
		v->st = NOT_MET;
		miss(v, "没有已审批的订单（注册与订购系统尚未实际运行）",
		    "no approved order: registration and ordering have not been used");
	}
}

static void
ev_admin_mfa(const struct qual_ctx *c, struct ev *v)
{
	int64_t admins = db_int(c->db, 0, "SELECT count(*) FROM users WHERE role = 'admin' AND"
	    " status = 'active'", "");
	json_t *without = ids(c->db, "SELECT id FROM users WHERE role = 'admin' AND status ="
	    " 'active' AND mfa_enabled = 0 ORDER BY id", NULL, NULL);

	json_object_set_new(v->evidence, "active_admins", json_integer(admins));
	json_object_set_new(v->evidence, "admins_without_mfa_ids", without);
	SUMMARY(v, "%lld 名管理员中 %zu 名未启用多因素认证", (long long)admins,
	    json_array_size(without));
	SUMMARY_EN(v, "%zu of %lld active admins without MFA", json_array_size(without),
	    (long long)admins);
	if (admins == 0) {
		v->st = NO_EVIDENCE;
		miss(v, "没有在用的管理员账户", "no active admin account");
	} else if (json_array_size(without) > 0) {
		v->st = NOT_MET;
		miss(v, "admins_without_mfa_ids 中的管理员须启用 TOTP", "the admins in "
		    "admins_without_mfa_ids must enrol TOTP");
	}
}

static void
ev_audit_chain(const struct qual_ctx *c, struct ev *v)
{
	struct audit_verify_result r;

	memset(&r, 0, sizeof(r));
	if (audit_verify(c->db, c->verify_key, &r) < 0) {
		v->st = NOT_MET;
		SUMMARY(v, "无法读取审计日志");
		SUMMARY_EN(v, "cannot read the audit trail");
		miss(v, "审计日志不可读", "the audit trail cannot be read");
		return;
	}
	json_object_set_new(v->evidence, "verify", audit_verify_json(&r));
	if (!r.ok) {
		v->st = NOT_MET;
		SUMMARY(v, "审计日志哈希链在第 %lld 条处断裂", (long long)r.first_bad_seq);
		SUMMARY_EN(v, "audit hash chain broken at entry %lld", (long long)r.first_bad_seq);
		miss(v, "审计日志完整性校验失败：调查并报告篡改", "the audit trail fails verification: "
		    "investigate and report the tampering");
	} else if (r.entries == 0) {
		v->st = NO_EVIDENCE;
		SUMMARY(v, "审计日志为空");
		SUMMARY_EN(v, "the audit trail is empty");
		miss(v, "审计日志中没有记录", "no entry in the audit trail");
	} else {
		SUMMARY(v, "审计日志 %lld 条，签名检查点 %lld 个，端到端校验通过", (long long)r.entries,
		    (long long)r.checkpoints);
		SUMMARY_EN(v, "%lld audit entries, %lld signed checkpoints, verified end to end",
		    (long long)r.entries, (long long)r.checkpoints);
	}
}

/* Evidence that a later service will provide. */
static void
waiting(struct ev *v, const char *service_zh, const char *service_en)
{
	char zh[256], en[256];

	v->st = NO_EVIDENCE;
	SUMMARY(v, "暂无证据：%s尚未上线", service_zh);
	SUMMARY_EN(v, "no evidence yet: %s does not exist yet", service_en);
	snprintf(zh, sizeof(zh), "%s上线后由平台记录自动提供证据", service_zh);
	snprintf(en, sizeof(en), "evidence will come from the platform's records once %s exists",
	    service_en);
	miss(v, zh, en);
	json_object_set_new(v->evidence, "waiting_for", json_string(service_en));
}

#define WAITING(fn, zh, en) \
	static void fn(const struct qual_ctx *c, struct ev *v) { (void)c; waiting(v, zh, en); }

/* §3.3.1: security agent modules and protection nodes are deployed. */
static void
ev_nodes(const struct qual_ctx *c, struct ev *v)
{
	json_t *h = nodes_health(c->db);
	json_int_t n = json_integer_value(json_object_get(h, "enrolled"));

	json_object_set(v->evidence, "enrolled_nodes", json_object_get(h, "enrolled"));
	json_object_set(v->evidence, "by_kind", json_object_get(h, "by_kind"));
	SUMMARY(v, "已注册节点 %lld 个（未吊销）", (long long)n);
	SUMMARY_EN(v, "%lld enrolled nodes (not revoked)", (long long)n);
	if (n == 0) {
		v->st = NO_EVIDENCE;
		miss(v, "尚未注册任何节点（主机代理、WAF、清洗节点）",
		    "no node (agent, WAF, scrubber) is enrolled yet");
	}
	json_decref(h);
}

/* §3.3.1: kept available (heartbeats) and policies current. */
static void
ev_node_health(const struct qual_ctx *c, struct ev *v)
{
	json_t *h = nodes_health(c->db);
	json_int_t n = json_integer_value(json_object_get(h, "enrolled"));
	size_t off = json_array_size(json_object_get(h, "offline_ids")) +
	    json_array_size(json_object_get(h, "never_seen_ids"));
	size_t stale = json_array_size(json_object_get(h, "stale_policy_ids"));

	json_object_update(v->evidence, h);
	SUMMARY(v, "节点 %lld 个：离线或未上线 %zu 个，策略过期 %zu 个", (long long)n, off, stale);
	SUMMARY_EN(v, "%lld nodes: %zu offline or never seen, %zu with a stale policy",
	    (long long)n, off, stale);
	if (n == 0) {
		v->st = NO_EVIDENCE;
		miss(v, "尚未注册任何节点", "no node is enrolled yet");
	} else if (off > 0 || stale > 0) {
		v->st = NOT_MET;
		miss(v, "offline_ids / never_seen_ids 中的节点须恢复心跳，stale_policy_ids 中的节点须更新策略",
		    "the nodes in offline_ids / never_seen_ids must heartbeat again and those in "
		    "stale_policy_ids must fetch their current policy");
	}
	json_decref(h);
}
WAITING(ev_monitoring, "持续监控、风险与合规检查", "continuous monitoring, risk and compliance")
WAITING(ev_service_plans, "五类安全服务（及其服务方案）", "the five security services (and their plans)")
WAITING(ev_service_deployment, "代理部署与DNS引流", "agent deployment and DNS diversion")
WAITING(ev_incident_response, "事件管理与应急响应", "incident management")
WAITING(ev_disaster_recovery, "备份恢复与灾备演练", "backups and DR drills")

static const struct {
	const char *name;
	void (*fn)(const struct qual_ctx *, struct ev *);
} evidence_fns[] = {
	{ "cisp_staff", ev_cisp_staff },
	{ "confidentiality", ev_confidentiality },
	{ "training", ev_training },
	{ "team_and_qa", ev_team_and_qa },
	{ "service_experience", ev_service_experience },
	{ "no_failed_acceptance", ev_no_failed_acceptance },
	{ "qa_reviews", ev_qa_reviews },
	{ "project_risks", ev_project_risks },
	{ "project_plans", ev_project_plans },
	{ "project_monitoring", ev_project_monitoring },
	{ "project_staffing", ev_project_staffing },
	{ "suppliers", ev_suppliers },
	{ "complaints", ev_complaints },
	{ "annual_confirmation", ev_annual_confirmation },
	{ "renewal", ev_renewal },
	{ "sanctions", ev_sanctions },
	{ "registration_ordering", ev_registration_ordering },
	{ "admin_mfa", ev_admin_mfa },
	{ "audit_chain", ev_audit_chain },
	{ "nodes", ev_nodes },
	{ "node_health", ev_node_health },
	{ "monitoring", ev_monitoring },
	{ "service_plans", ev_service_plans },
	{ "service_deployment", ev_service_deployment },
	{ "incident_response", ev_incident_response },
	{ "disaster_recovery", ev_disaster_recovery },
};

bool
qual_evidence_known(const char *name)
{
	for (size_t i = 0; i < sizeof(evidence_fns) / sizeof(evidence_fns[0]); i++)
		if (strcmp(evidence_fns[i].name, name) == 0)
			return true;
	return false;
}

static json_t *
ev_json(struct ev *v)
{
	return json_pack("{s:s, s:s, s:s, s:o, s:o, s:o}", "status", st_names[v->st],
	    "summary_zh", v->zh, "summary_en", v->en, "evidence", v->evidence,
	    "missing_zh", v->miss_zh, "missing_en", v->miss_en);
}

static void
ev_init(struct ev *v)
{
	memset(v, 0, sizeof(*v));
	v->st = MET;
	v->evidence = json_object();
	v->miss_zh = json_array();
	v->miss_en = json_array();
}

json_t *
qual_evidence(const struct qual_ctx *c, const char *name)
{
	struct ev v;

	for (size_t i = 0; i < sizeof(evidence_fns) / sizeof(evidence_fns[0]); i++) {
		if (strcmp(evidence_fns[i].name, name) != 0)
			continue;
		ev_init(&v);
		evidence_fns[i].fn(c, &v);
		return ev_json(&v);
	}
	return NULL;
}

json_t *
qual_document_evidence(const struct qual_ctx *c, const char *req)
{
	struct ev v;
	struct db_stmt *st;
	json_t *good = json_array(), *pending = json_array();
	char t[11];

	ev_init(&v);
	today_text(c, t);
	st = db_q(c->db, "SELECT id, reviewed_on IS NOT NULL AND (expires_on IS NULL OR"
	    " expires_on >= ?) FROM qual_documents WHERE requirement_id = ? ORDER BY id", "ss", t, req);
	while (st && db_step(st) == DB_ROW)
		json_array_append_new(db_col_int(st, 1) ? good : pending,
		    json_integer(db_col_int(st, 0)));
	db_done(st);
	json_object_set_new(v.evidence, "reviewed_document_ids", good);
	json_object_set_new(v.evidence, "pending_or_expired_document_ids", pending);
	SUMMARY(&v, "已审核有效文件 %zu 份，待审核或已过期 %zu 份", json_array_size(good),
	    json_array_size(pending));
	SUMMARY_EN(&v, "%zu reviewed current documents, %zu pending review or expired",
	    json_array_size(good), json_array_size(pending));
	if (json_array_size(good) == 0 && json_array_size(pending) > 0) {
		v.st = DOC_PENDING;
		miss(&v, "文件待审核或已过期：请指定审核人审核", "documents await review or have expired: "
		    "have them reviewed");
	} else if (json_array_size(good) == 0) {
		v.st = NO_EVIDENCE;
		miss(&v, "上传证明文件（yunshou qual document add）", "upload a supporting document "
		    "(yunshou qual document add)");
	}
	return ev_json(&v);
}

static int
st_rank(const char *s)
{
	/* combination: not_met > no_evidence > document_pending > met */
	static const char *const order[] = { "met", "document_pending", "no_evidence", "not_met" };

	for (int i = 0; i < 4; i++)
		if (strcmp(order[i], s) == 0)
			return i;
	return 3;
}

json_t *
qual_checklist(const struct qual_ctx *c)
{
	json_t *items = json_array(), *alerts = json_array(), *dl, *d;
	int counts[4] = { 0, 0, 0, 0 };
	static const char *const order[] = { "met", "document_pending", "no_evidence", "not_met" };
	char t[11];
	size_t k;

	for (size_t i = 0; qual_items[i].id; i++) {
		const struct qual_item *it = &qual_items[i];
		json_t *evs = json_array(), *mz = json_array(), *me = json_array(), *kinds = json_array();
		char sz[1024] = "", se[1024] = "";
		int rank = 0;

		for (size_t j = 0; it->evidence[j]; j++) {
			const char *kind = it->evidence[j];
			json_t *r = strcmp(kind, "document") == 0 ? qual_document_evidence(c, it->id) :
			    qual_evidence(c, kind + 6);

			json_array_append_new(kinds, json_string(kind));
			if (r == NULL)
				r = json_pack("{s:s, s:s, s:s, s:{}, s:[s], s:[s]}", "status", "no_evidence",
				    "summary_zh", "未知的证据函数", "summary_en", "unknown evidence function",
				    "evidence", "missing_zh", "未知的证据函数", "missing_en",
				    "unknown evidence function");
			if (st_rank(json_string_value(json_object_get(r, "status"))) > rank)
				rank = st_rank(json_string_value(json_object_get(r, "status")));
			snprintf(sz + strlen(sz), sizeof(sz) - strlen(sz), "%s%s", sz[0] ? "；" : "",
			    json_string_value(json_object_get(r, "summary_zh")));
			snprintf(se + strlen(se), sizeof(se) - strlen(se), "%s%s", se[0] ? "; " : "",
			    json_string_value(json_object_get(r, "summary_en")));
			json_array_extend(mz, json_object_get(r, "missing_zh"));
			json_array_extend(me, json_object_get(r, "missing_en"));
			json_object_set_new(r, "kind", json_string(kind));
			json_array_append_new(evs, r);
		}
		counts[rank]++;
		json_array_append_new(items, json_pack("{s:s, s:s, s:s, s:s, s:o, s:s, s:s, s:s, s:o,"
		    " s:o, s:o}", "id", it->id, "section", it->section, "requirement_zh", it->zh,
		    "requirement_en", it->en, "evidence_kinds", kinds, "status", order[rank],
		    "summary_zh", sz, "summary_en", se, "evidence", evs, "missing_zh", mz,
		    "missing_en", me));
	}
	dl = qual_deadlines(c->db, c->today);
	json_array_foreach(dl, k, d) {
		const char *s = json_string_value(json_object_get(d, "state"));

		if (strcmp(s, "open") == 0 || strcmp(s, "overdue") == 0)
			json_array_append(alerts, d);
	}
	json_decref(dl);
	today_text(c, t);
	return json_pack("{s:s, s:s, s:s, s:s, s:{s:i, s:i, s:i, s:i, s:i}, s:o, s:o}",
	    "catalogue", "cnitsec-cloud-l1", "title_zh", qual_catalogue_title_zh,
	    "title_en", qual_catalogue_title_en, "today", t,
	    "summary", "total", (int)qual_item_count, "met", counts[0], "document_pending", counts[1],
	    "no_evidence", counts[2], "not_met", counts[3], "alerts", alerts, "items", items);
}

int
qual_deadline_alerts(struct db *db)
{
	json_t *dl = qual_deadlines(db, qual_today()), *items, *w;
	int64_t now_ms = (int64_t)time(NULL) * 1000;
	size_t i;
	int n = 0;

	items = json_is_array(dl) ? dl : json_object_get(dl, "items");
	json_array_foreach(items, i, w) {
		const char *state = json_string_value(json_object_get(w, "state"));
		const char *kind = json_string_value(json_object_get(w, "kind"));
		const char *end = json_string_value(json_object_get(w, "window_end_on"));
		char key[96];
		json_t *payload;

		if (state == NULL || kind == NULL ||
		    (strcmp(state, "open") != 0 && strcmp(state, "overdue") != 0))
			continue;
		snprintf(key, sizeof(key), "%s:%s", kind, end ? end : "");
		payload = json_deep_copy(w);
		json_object_set_new(payload, "key", json_string(key));
		json_object_set_new(payload, "severity",
		    json_string(strcmp(state, "overdue") == 0 ? "high" : "medium"));
		if (alerts_observe(db, 0, 0, "qual", "qual.deadline", now_ms, payload) == 0)
			n++;
		json_decref(payload);
	}
	json_decref(dl);
	return n;
}
