/*
 * h_qual: handlers of /v1/qual — the requirements catalogue, the
 * self-assessment, deadlines, the registers and the evidence bundle. Writes
 * are one call of qual_apply() with the operation named by the route;
 * reads take an optional ?today=YYYY-MM-DD to see the state on another day
 * (planning ahead, or the day of an assessment).
 */
#include <stdio.h>
#include <string.h>

#include "api.h"
#include "qual.h"

static int
today_of(struct api_req *r, int64_t *today)
{
	const char *t = api_qstr(r, "today");

	*today = qual_today();
	if (t && qual_date_parse(t, today) < 0)
		return ys_fail(&r->err, "invalid_field", "today: expected a date YYYY-MM-DD, got "
		    "'%.32s'", t);
	return 0;
}

int
h_qual_requirements(struct api_req *r)
{
	return api_items(r, qual_requirements());
}

int
h_qual_checklist(struct api_req *r)
{
	struct qual_ctx c = { r->ctx->db, r->ctx->key, 0 };
	json_t *out;

	if (today_of(r, &c.today) < 0)
		return -1;
	out = qual_checklist(&c);
	if (out == NULL)
		return ys_fail(&r->err, "internal", "cannot compute the self-assessment");
	return api_ok(r, 200, out);
}

int
h_qual_deadlines(struct api_req *r)
{
	int64_t today;
	char t[11];
	json_t *items;

	if (today_of(r, &today) < 0)
		return -1;
	qual_date_text(today, t);
	items = qual_deadlines(r->ctx->db, today);
	return api_ok(r, 200, json_pack("{s:s, s:o}", "today", t, "items", items));
}

static int
list(struct api_req *r, const char *reg)
{
	int64_t today;

	if (today_of(r, &today) < 0)
		return -1;
	return api_items(r, qual_list(r->ctx->db, reg, today));
}

int h_qual_staff_list(struct api_req *r) { return list(r, "staff"); }
int h_qual_engagement_list(struct api_req *r) { return list(r, "engagements"); }
int h_qual_supplier_list(struct api_req *r) { return list(r, "suppliers"); }
int h_qual_complaint_list(struct api_req *r) { return list(r, "complaints"); }
int h_qual_document_list(struct api_req *r) { return list(r, "documents"); }
int h_qual_application_list(struct api_req *r) { return list(r, "applications"); }
int h_qual_certificate_list(struct api_req *r) { return list(r, "certificates"); }
int h_qual_filing_list(struct api_req *r) { return list(r, "filings"); }
int h_qual_sanction_list(struct api_req *r) { return list(r, "sanctions"); }

int
h_qual_fee_list(struct api_req *r)
{
	json_t *out = qual_fee_summary(r->ctx->db);

	json_object_set_new(out, "items", qual_list(r->ctx->db, "fees", qual_today()));
	return api_ok(r, 200, out);
}

int
h_qual_engagement_get(struct api_req *r)
{
	int64_t today;
	json_t *g;

	if (today_of(r, &today) < 0)
		return -1;
	g = qual_engagement_get(r->ctx->db, r->id, today, &r->err);
	return g ? api_ok(r, 200, g) : -1;
}

/* The audit target is the register and the written row: "qual.staff/3". */
static int
apply(struct api_req *r, const char *op, int status)
{
	json_t *out = NULL;
	char kind[48];
	const char *dot = strchr(op, '.');
	int64_t row;

	snprintf(kind, sizeof(kind), "qual.%.*s", (int)(dot ? dot - op : 0), op);
	if (r->id)
		api_target(r, kind, r->id);
	if (qual_apply(r->ctx->db, &r->who, op, r->id, r->body, &out, &r->err) < 0)
		return -1;
	row = json_integer_value(json_object_get(out, "id"));
	snprintf(r->detail, sizeof(r->detail), "op=%s id=%lld", op, (long long)row);
	if (json_is_integer(json_object_get(out, "tenant_id")))
		r->audit_tenant = json_integer_value(json_object_get(out, "tenant_id"));
	if (r->id == 0)
		api_target(r, kind, row);
	return api_ok(r, status, out);
}

/* 201 for operations that add a row, 200 for those that change one. */
#define APPLY(fn, op) int fn(struct api_req *r) { return apply(r, op, 201); }
#define CHANGE(fn, op) int fn(struct api_req *r) { return apply(r, op, 200); }
APPLY(h_qual_staff_add, "staff.add")
APPLY(h_qual_staff_cert, "staff.certificate")
CHANGE(h_qual_staff_nda, "staff.nda")
APPLY(h_qual_staff_training, "staff.training")
CHANGE(h_qual_staff_leave, "staff.leave")
APPLY(h_qual_engagement_add, "engagement.add")
APPLY(h_qual_engagement_milestone, "engagement.milestone")
CHANGE(h_qual_milestone_done, "milestone.done")
APPLY(h_qual_engagement_assign, "engagement.assign")
APPLY(h_qual_engagement_risk, "engagement.risk")
APPLY(h_qual_engagement_review, "engagement.review")
CHANGE(h_qual_engagement_accept, "engagement.accept")
APPLY(h_qual_supplier_add, "supplier.add")
APPLY(h_qual_supplier_assess, "supplier.assess")
APPLY(h_qual_complaint_add, "complaint.add")
CHANGE(h_qual_complaint_close, "complaint.close")
APPLY(h_qual_document_add, "document.add")
CHANGE(h_qual_document_review, "document.review")
APPLY(h_qual_fee_add, "fee.add")
APPLY(h_qual_application_add, "application.add")
APPLY(h_qual_application_stage, "application.stage")
APPLY(h_qual_application_rectification, "application.rectification")
CHANGE(h_qual_rectification_verify, "rectification.verify")
APPLY(h_qual_certificate_add, "certificate.add")
APPLY(h_qual_filing_add, "filing.add")
APPLY(h_qual_sanction_add, "sanction.add")
CHANGE(h_qual_sanction_handle, "sanction.handle")

/* The bundle is built here and returned whole; the route is a write so
 * that the router records who took which bundle (the MANIFEST's hash). */
int
h_qual_export(struct api_req *r)
{
	struct qual_ctx c = { r->ctx->db, r->ctx->key, qual_today() };
	char sha[65] = "";
	json_t *out = qual_export(&c, sha);

	snprintf(r->target, sizeof(r->target), "qual.export");
	if (out == NULL)
		return ys_fail(&r->err, "internal", "cannot build the evidence bundle");
	snprintf(r->detail, sizeof(r->detail), "files=%zu manifest_sha256=%s",
	    json_object_size(json_object_get(out, "files")), sha);
	json_object_set_new(out, "manifest_sha256", json_string(sha));
	return api_ok(r, 201, out);
}
