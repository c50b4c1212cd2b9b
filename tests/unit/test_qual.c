/*
 * test_qual: qualification readiness without HTTP. The calendar rules of
 * the certificate (anniversaries, 29 February, the 30- and 90-day windows,
 * expiry), every evidence function on fixture records (met, not met, no
 * evidence), document evidence, the registers' validation, and the
 * evidence bundle's MANIFEST.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <openssl/evp.h>

#include "audit.h"
#include "crypto.h"
#include "qual.h"
#include "store.h"

static struct db *db;
static EVP_PKEY *key;

static int64_t
D(const char *s)
{
	int64_t d = 0;

	assert_int_equal(qual_date_parse(s, &d), 0);
	return d;
}

static const char *
T(int64_t day)
{
	static char buf[4][11];
	static int i;

	i = (i + 1) % 4;
	qual_date_text(day, buf[i]);
	return buf[i];
}

/* ---- dates and deadlines ---- */

static void
test_dates(void **state)
{
	int64_t d;
	const char *bad[] = { "2025-02-29", "2024-02-30", "2024-2-01", "2024/02/01", "24-02-01",
		"2024-02-29x", "1899-12-31", "2024-13-01", "2024-00-10", "", " 2024-02-01", NULL };

	(void)state;
	assert_int_equal(D("1970-01-01"), 0);
	assert_int_equal(D("2000-03-01") - D("2000-02-28"), 2);	/* 2000 is leap */
	assert_int_equal(D("2100-03-01") - D("2100-02-28"), 1);	/* 2100 is not */
	assert_string_equal(T(D("2024-02-29")), "2024-02-29");
	for (size_t i = 0; bad[i]; i++)
		assert_int_equal(qual_date_parse(bad[i], &d), -1);
	assert_int_equal(qual_date_parse(NULL, &d), -1);
	/* every day of four centuries round-trips */
	for (int64_t x = D("1900-01-01"); x < D("2300-01-01"); x++)
		assert_int_equal(D(T(x)), x);
}

static void
test_anniversaries(void **state)
{
	(void)state;
	assert_string_equal(T(qual_add_years(D("2023-05-10"), 1)), "2024-05-10");
	/* 29 February: 28 February in common years, 29 in leap years */
	assert_string_equal(T(qual_add_years(D("2024-02-29"), 1)), "2025-02-28");
	assert_string_equal(T(qual_add_years(D("2024-02-29"), 3)), "2027-02-28");
	assert_string_equal(T(qual_add_years(D("2024-02-29"), 4)), "2028-02-29");
	assert_string_equal(T(qual_add_years(D("2024-02-29"), -3)), "2021-02-28");
	assert_string_equal(T(qual_add_years(D("2023-02-28"), 1)), "2024-02-28");
	assert_string_equal(T(qual_cert_expiry(D("2024-02-29"))), "2027-02-28");
	assert_string_equal(T(qual_cert_expiry(D("2023-12-31"))), "2026-12-31");
}

static void
test_windows(void **state)
{
	struct qual_window w[3];
	size_t n;

	(void)state;
	n = qual_cert_windows(D("2023-05-10"), w);
	assert_int_equal(n, 3);
	assert_int_equal(w[0].kind, QUAL_W_SURVEY);
	assert_string_equal(T(w[0].due), "2024-05-10");
	assert_string_equal(T(w[0].opens), "2024-04-10");	/* 30 days before */
	assert_string_equal(T(w[1].due), "2025-05-10");
	assert_int_equal(w[2].kind, QUAL_W_RENEWAL);
	assert_string_equal(T(w[2].due), "2026-05-10");
	assert_string_equal(T(w[2].opens), "2026-02-09");	/* 90 days before */

	/* leap-day issue: windows counted back from 28 February */
	n = qual_cert_windows(D("2024-02-29"), w);
	assert_string_equal(T(w[0].opens), "2025-01-29");
	assert_string_equal(T(w[1].due), "2026-02-28");
	assert_string_equal(T(w[2].opens), "2026-11-30");

	/* states at the edges: the window is [opens, due); due is overdue */
	n = qual_cert_windows(D("2023-05-10"), w);
	assert_int_equal(qual_window_state(&w[0], D("2024-04-09"), false), QUAL_W_UPCOMING);
	assert_int_equal(qual_window_state(&w[0], D("2024-04-10"), false), QUAL_W_OPEN);
	assert_int_equal(qual_window_state(&w[0], D("2024-05-09"), false), QUAL_W_OPEN);
	assert_int_equal(qual_window_state(&w[0], D("2024-05-10"), false), QUAL_W_OVERDUE);
	assert_int_equal(qual_window_state(&w[0], D("2024-05-10"), true), QUAL_W_DONE);
	/* expired certificate: the renewal is overdue from the expiry date on */
	assert_int_equal(qual_window_state(&w[2], D("2026-05-09"), false), QUAL_W_OPEN);
	assert_int_equal(qual_window_state(&w[2], D("2026-05-10"), false), QUAL_W_OVERDUE);
	assert_int_equal(qual_window_state(&w[2], D("2030-01-01"), false), QUAL_W_OVERDUE);
	assert_string_equal(qual_window_state_name(QUAL_W_OVERDUE), "overdue");
}

/* ---- fixtures ---- */

static int
setup(void **state)
{
	char err[256];

	(void)state;
	if (db_open(":memory:", &db, err, sizeof(err)) < 0 || store_migrate(db, err, sizeof(err)) < 0)
		return -1;
	key = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	if (key == NULL)
		return -1;
	audit_configure(key, 1000);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	db_close(db);
	EVP_PKEY_free(key);
	db = NULL;
	key = NULL;
	return 0;
}

/* One register operation with a JSON body; the new or changed row's id. */
static int64_t
apply(const char *op, int64_t id, const char *body)
{
	json_error_t je;
	json_t *in = json_loads(body, 0, &je), *out = NULL;
	struct ys_err e = { 0 };
	int64_t row;

	assert_non_null(in);
	if (qual_apply(db, NULL, op, id, in, &out, &e) < 0)
		fail_msg("%s: %s (%s)", op, e.msg, e.code);
	json_decref(in);
	row = json_integer_value(json_object_get(out, "id"));
	json_decref(out);
	return row;
}

/* The error code of an operation that must fail, with its message in msg. */
static const char *
refuse(const char *op, int64_t id, const char *body, char *msg)
{
	json_t *in = json_loads(body, 0, NULL), *out = NULL;
	static struct ys_err e;

	memset(&e, 0, sizeof(e));
	assert_non_null(in);
	assert_int_equal(qual_apply(db, NULL, op, id, in, &out, &e), -1);
	assert_null(out);
	json_decref(in);
	strcpy(msg, e.msg);
	return e.code;
}

static json_t *
evidence(const char *name, const char *today)
{
	struct qual_ctx c = { db, key, D(today) };
	json_t *r = qual_evidence(&c, name);

	assert_non_null(r);
	return r;
}

static void
expect(const char *name, const char *today, const char *status)
{
	json_t *r = evidence(name, today);
	const char *got = json_string_value(json_object_get(r, "status"));

	if (strcmp(got, status) != 0)
		fail_msg("%s on %s: %s, expected %s", name, today, got, status);
	if (strcmp(status, "met") != 0)
		assert_true(json_array_size(json_object_get(r, "missing_en")) > 0 ||
		    strcmp(name, "annual_confirmation") == 0);
	json_decref(r);
}

static int64_t
staff(const char *name, bool full_time, const char *cisp_expires, bool nda)
{
	char body[256];
	int64_t id;

	snprintf(body, sizeof(body), "{\"name\": \"%s\", \"role\": \"engineer\", \"full_time\": %s%s}",
	    name, full_time ? "true" : "false",
	    nda ? ", \"nda_signed_on\": \"2024-01-01\", \"nda_document\": \"NDA\"" : "");
	id = apply("staff.add", 0, body);
	if (cisp_expires) {
		snprintf(body, sizeof(body), "{\"kind\": \"CISP\", \"number\": \"C-%s\","
		    " \"issued_on\": \"2023-01-01\", \"expires_on\": \"%s\"}", name, cisp_expires);
		apply("staff.certificate", id, body);
	}
	return id;
}

/* ---- evidence functions ---- */

static void
test_catalogue(void **state)
{
	size_t n = 0;

	(void)state;
	for (size_t i = 0; qual_items[i].id; i++, n++) {
		for (size_t k = 0; qual_items[i].evidence[k]; k++) {
			const char *ev = qual_items[i].evidence[k];

			if (strcmp(ev, "document") != 0 && !qual_evidence_known(ev + 6))
				fail_msg("%s: no evidence function %s", qual_items[i].id, ev);
		}
	}
	assert_int_equal(n, qual_item_count);
	assert_non_null(qual_item_find("3.2.3-5"));
	assert_null(qual_item_find("3.2.3-6"));
	assert_non_null(strstr(qual_item_find("3.2.3-5")->zh, "CISP"));
	{
		struct qual_ctx c = { NULL, NULL, 0 };

		assert_null(qual_evidence(&c, "no_such_function"));
	}
}

static void
test_staff_evidence(void **state)
{
	int64_t a;

	(void)setup(state);
	expect("cisp_staff", "2026-06-15", "no_evidence");
	expect("confidentiality", "2026-06-15", "no_evidence");
	expect("training", "2026-06-15", "no_evidence");
	expect("team_and_qa", "2026-06-15", "no_evidence");
	a = staff("a", true, "2027-01-01", true);
	staff("b", true, "2027-01-01", true);
	staff("c", true, "2027-01-01", true);
	staff("d", false, "2027-01-01", true);		/* part-time: does not count */
	staff("e", true, "2026-06-14", true);		/* expired the day before */
	expect("cisp_staff", "2026-06-15", "not_met");
	expect("cisp_staff", "2026-06-14", "met");	/* e still valid that day */
	staff("f", true, NULL, false);
	expect("cisp_staff", "2026-06-15", "not_met");
	apply("staff.certificate", 6, "{\"kind\": \"cisp\", \"number\": \"F-1\","
	    " \"issued_on\": \"2025-01-01\", \"expires_on\": \"2028-01-01\"}");
	expect("cisp_staff", "2026-06-15", "met");
	/* someone who left no longer counts */
	apply("staff.leave", a, "{\"left_on\": \"2026-03-31\"}");
	expect("cisp_staff", "2026-06-15", "not_met");
	expect("cisp_staff", "2026-03-31", "met");

	expect("confidentiality", "2026-06-15", "not_met");	/* f has none */
	apply("staff.nda", 6, "{\"nda_signed_on\": \"2026-01-01\", \"nda_document\": \"N-6\"}");
	expect("confidentiality", "2026-06-15", "met");
	apply("staff.add", 0, "{\"name\": \"fin\", \"role\": \"finance\", \"support_only\": true}");
	expect("confidentiality", "2026-06-15", "met");	/* support staff need none */

	expect("training", "2026-06-15", "not_met");
	for (int64_t id = 1; id <= 7; id++)
		apply("staff.training", id, "{\"course\": \"basics\", \"taken_on\": \"2025-01-01\","
		    " \"hours\": 8}");
	expect("training", "2026-06-15", "met");
	expect("team_and_qa", "2026-06-15", "not_met");	/* no QA review yet */
	teardown(state);
}

static int64_t
engagement(const char *started)
{
	char body[256];

	snprintf(body, sizeof(body), "{\"tenant_id\": 1, \"name\": \"e\", \"plan\": \"p\","
	    " \"started_on\": \"%s\"}", started);
	return apply("engagement.add", 0, body);
}

static void
tenant_fixture(void)
{
	assert_int_equal(db_run(db, "INSERT INTO tenants (name, credit_code, contact_name,"
	    " contact_email, contact_phone, status, created_at) VALUES ('t', '91350100M000100Y43',"
	    " 'c', 'e@x.cn', '13800138000', 'active', 0)", ""), 1);
}

static void
test_engagement_evidence(void **state)
{
	int64_t e1, e2, s, m;

	(void)setup(state);
	tenant_fixture();
	expect("no_failed_acceptance", "2026-06-15", "no_evidence");
	expect("service_experience", "2026-06-15", "no_evidence");
	expect("qa_reviews", "2026-06-15", "no_evidence");
	e1 = engagement("2021-01-01");
	e2 = engagement("2025-01-01");
	apply("engagement.accept", e1, "{\"acceptance\": \"failed\", \"accepted_on\": \"2022-03-01\","
	    " \"customer_signoff\": \"x\"}");
	/* the 3-year window [today - 3 years, today] includes its first day */
	expect("no_failed_acceptance", "2025-03-01", "not_met");
	expect("no_failed_acceptance", "2025-03-02", "met");
	expect("no_failed_acceptance", "2022-02-28", "met");	/* before the failure */
	expect("service_experience", "2026-06-15", "no_evidence");
	apply("engagement.accept", e2, "{\"acceptance\": \"passed\", \"accepted_on\": \"2025-12-01\","
	    " \"customer_signoff\": \"x\"}");
	expect("service_experience", "2026-06-15", "met");

	expect("qa_reviews", "2026-06-15", "not_met");
	expect("project_risks", "2026-06-15", "not_met");
	expect("project_plans", "2026-06-15", "not_met");
	expect("project_monitoring", "2026-06-15", "not_met");
	expect("project_staffing", "2026-06-15", "not_met");
	s = staff("pm", true, NULL, false);
	for (int64_t e = e1; e <= e2; e++) {
		char body[96];

		apply("engagement.review", e, "{\"reviewed_on\": \"2025-03-01\", \"reviewer\": \"q\","
		    " \"result\": \"pass\"}");
		apply("engagement.risk", e, "{\"description\": \"d\", \"likelihood\": 3, \"impact\": 5,"
		    " \"owner\": \"o\", \"treatment\": \"t\"}");
		apply("engagement.milestone", e, "{\"title\": \"go live\", \"due_on\": \"2025-06-01\","
		    " \"done_on\": \"2025-05-30\"}");
		snprintf(body, sizeof(body), "{\"staff_id\": %lld}", (long long)s);
		apply("engagement.assign", e, body);
	}
	expect("qa_reviews", "2026-06-15", "met");
	expect("project_risks", "2026-06-15", "met");
	expect("project_plans", "2026-06-15", "met");
	expect("project_monitoring", "2026-06-15", "met");
	expect("project_staffing", "2026-06-15", "not_met");	/* pm has no NDA */
	apply("staff.nda", s, "{\"nda_signed_on\": \"2025-01-01\", \"nda_document\": \"N\"}");
	expect("project_staffing", "2026-06-15", "met");
	m = apply("engagement.milestone", e2, "{\"title\": \"review\", \"due_on\": \"2026-07-01\"}");
	expect("project_monitoring", "2026-07-01", "met");
	expect("project_monitoring", "2026-07-02", "not_met");
	apply("milestone.done", m, "{\"done_on\": \"2026-07-05\"}");
	expect("project_monitoring", "2026-07-02", "met");
	teardown(state);
}

static void
test_supplier_complaint_sanction_evidence(void **state)
{
	int64_t s, c;

	(void)setup(state);
	expect("suppliers", "2026-06-15", "no_evidence");
	s = apply("supplier.add", 0, "{\"name\": \"feeds\", \"supplies\": \"rule_feed\"}");
	expect("suppliers", "2026-06-15", "not_met");
	apply("supplier.assess", s, "{\"assessed_on\": \"2025-01-01\", \"result\": \"pass\","
	    " \"next_due_on\": \"2026-01-01\"}");
	expect("suppliers", "2025-12-31", "met");
	expect("suppliers", "2026-06-15", "not_met");	/* assessment overdue */
	apply("supplier.assess", s, "{\"assessed_on\": \"2026-02-01\", \"result\": \"fail\","
	    " \"next_due_on\": \"2027-02-01\"}");
	expect("suppliers", "2026-06-15", "not_met");	/* latest failed */
	apply("supplier.assess", s, "{\"assessed_on\": \"2026-03-01\", \"result\": \"conditional\","
	    " \"next_due_on\": \"2027-03-01\"}");
	expect("suppliers", "2026-06-15", "met");

	expect("complaints", "2026-06-15", "met");	/* the register is kept; none */
	c = apply("complaint.add", 0, "{\"received_on\": \"2026-01-01\", \"complainant\": \"x\","
	    " \"subject\": \"slow\"}");
	expect("complaints", "2026-06-15", "not_met");
	apply("complaint.close", c, "{\"handling\": \"fixed\", \"closed_on\": \"2026-01-03\"}");
	expect("complaints", "2026-06-15", "met");

	expect("sanctions", "2026-06-15", "no_evidence");	/* no certificate yet */
	expect("annual_confirmation", "2026-06-15", "no_evidence");
	expect("renewal", "2026-06-15", "no_evidence");
	apply("certificate.add", 0, "{\"number\": \"C-1\", \"issued_on\": \"2024-02-29\"}");
	expect("sanctions", "2026-06-15", "met");
	s = apply("sanction.add", 0, "{\"kind\": \"warning\", \"certificate_id\": 1,"
	    " \"received_on\": \"2026-05-01\", \"reason\": \"late survey\"}");
	expect("sanctions", "2026-06-15", "not_met");
	apply("sanction.handle", s, "{\"handling\": \"filed\", \"closed_on\": \"2026-05-10\"}");
	expect("sanctions", "2026-06-15", "met");

	/* annual confirmation: anniversaries 2025-02-28 and 2026-02-28 */
	expect("annual_confirmation", "2025-01-28", "met");		/* upcoming */
	expect("annual_confirmation", "2025-02-27", "met");		/* open: still in time */
	expect("annual_confirmation", "2025-02-28", "not_met");	/* overdue */
	apply("filing.add", 0, "{\"kind\": \"annual_survey\", \"certificate_id\": 1, \"for_on\":"
	    " \"2025-02-28\", \"filed_on\": \"2025-02-01\", \"subject\": \"survey\"}");
	expect("annual_confirmation", "2025-02-28", "met");
	expect("annual_confirmation", "2026-03-01", "not_met");
	apply("filing.add", 0, "{\"kind\": \"annual_survey\", \"certificate_id\": 1, \"for_on\":"
	    " \"2026-02-28\", \"filed_on\": \"2026-02-01\", \"subject\": \"survey\"}");
	expect("annual_confirmation", "2026-03-01", "met");
	/* renewal: window 2026-11-30 .. 2027-02-27; expired from 2027-02-28 */
	expect("renewal", "2026-12-01", "met");
	expect("renewal", "2027-02-28", "not_met");
	apply("filing.add", 0, "{\"kind\": \"renewal_application\", \"certificate_id\": 1,"
	    " \"filed_on\": \"2026-12-15\", \"subject\": \"renewal\"}");
	expect("renewal", "2027-02-28", "met");
	teardown(state);
}

static void
test_platform_evidence(void **state)
{
	struct audit_entry e = { 0, "admin", 1, 0, "127.0.0.1", "plan.create", "plan/1", "ok", "" };

	(void)setup(state);
	expect("registration_ordering", "2026-06-15", "not_met");
	expect("admin_mfa", "2026-06-15", "no_evidence");
	expect("audit_chain", "2026-06-15", "no_evidence");
	tenant_fixture();
	assert_int_equal(db_run(db, "INSERT INTO plans (service, name, price_fen, created_at)"
	    " VALUES ('waf', 'p', 100, 0)", ""), 1);
	assert_int_equal(db_run(db, "INSERT INTO orders (tenant_id, kind, plan_id, service, quantity,"
	    " months, total_fen, status, created_by, created_at) VALUES (1, 'new', 1, 'waf', 1, 1,"
	    " 100, 'approved', 'admin', 0)", ""), 1);
	expect("registration_ordering", "2026-06-15", "met");
	assert_int_equal(db_run(db, "INSERT INTO users (username, role, password_hash, mfa_enabled,"
	    " created_at) VALUES ('admin', 'admin', 'x', 1, 0), ('admin2', 'admin', 'x', 0, 0)", ""), 2);
	expect("admin_mfa", "2026-06-15", "not_met");
	assert_int_equal(db_run(db, "UPDATE users SET status = 'disabled' WHERE username = 'admin2'",
	    ""), 1);
	expect("admin_mfa", "2026-06-15", "met");
	for (int i = 0; i < 3; i++)
		assert_true(audit_append(db, &e) > 0);
	expect("audit_chain", "2026-06-15", "met");
	assert_int_equal(db_run(db, "UPDATE audit_log SET detail = 'edited' WHERE seq = 2", ""), 1);
	expect("audit_chain", "2026-06-15", "not_met");
	/* services that do not exist yet: never met */
	expect("nodes", "2026-06-15", "no_evidence");
	expect("node_health", "2026-06-15", "no_evidence");
	expect("monitoring", "2026-06-15", "no_evidence");
	expect("service_plans", "2026-06-15", "no_evidence");
	expect("service_deployment", "2026-06-15", "no_evidence");
	expect("incident_response", "2026-06-15", "no_evidence");
	expect("disaster_recovery", "2026-06-15", "no_evidence");
	teardown(state);
}

static const char *
doc_status(const char *req, const char *today)
{
	struct qual_ctx c = { db, key, D(today) };
	json_t *r = qual_document_evidence(&c, req);
	static char st[32];

	snprintf(st, sizeof(st), "%s", json_string_value(json_object_get(r, "status")));
	json_decref(r);
	return st;
}

static void
test_documents_and_validation(void **state)
{
	char msg[256];
	int64_t d;

	(void)setup(state);
	assert_string_equal(doc_status("3.1-1", "2026-06-15"), "no_evidence");
	d = apply("document.add", 0, "{\"requirement_id\": \"3.1-1\", \"title\": \"licence\","
	    " \"sha256\": \"ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef0123456789\"}");
	assert_string_equal(doc_status("3.1-1", "2026-06-15"), "document_pending");
	apply("document.review", d, "{\"reviewer\": \"r\", \"reviewed_on\": \"2026-01-01\","
	    " \"expires_on\": \"2026-12-31\"}");
	assert_string_equal(doc_status("3.1-1", "2026-06-15"), "met");
	assert_string_equal(doc_status("3.1-1", "2027-01-01"), "document_pending");	/* expired */
	assert_string_equal(doc_status("3.2.1-1", "2026-06-15"), "no_evidence");

	assert_string_equal(refuse("document.add", 0, "{\"requirement_id\": \"9.9-9\", \"title\":"
	    " \"t\", \"sha256\": \"00\"}", msg), "invalid_field");
	assert_non_null(strstr(msg, "unknown requirement '9.9-9'"));
	assert_string_equal(refuse("fee.add", 0, "{\"kind\": \"bribe\", \"amount_fen\": 1,"
	    " \"paid_on\": \"2026-01-01\"}", msg), "invalid_field");
	assert_string_equal(refuse("staff.add", 0, "{\"name\": \"x\", \"role\": \"y\","
	    " \"nda_signed_on\": \"2026-02-30\"}", msg), "invalid_field");
	assert_non_null(strstr(msg, "nda_signed_on: expected a date YYYY-MM-DD"));
	assert_string_equal(refuse("staff.training", 42, "{\"course\": \"c\", \"taken_on\":"
	    " \"2026-01-01\", \"hours\": 1}", msg), "not_found");
	assert_string_equal(refuse("engagement.add", 0, "{\"tenant_id\": 9, \"name\": \"e\","
	    " \"plan\": \"p\", \"started_on\": \"2026-01-01\"}", msg), "not_found");
	/* application stages in the guide's order, certificate after the decision */
	d = apply("application.add", 0, "{\"kind\": \"first\", \"submitted_on\": \"2023-10-01\"}");
	assert_string_equal(refuse("application.stage", d, "{\"stage\": \"onsite_audit\","
	    " \"completed_on\": \"2023-11-01\"}", msg), "conflict");
	assert_string_equal(refuse("application.stage", d, "{\"stage\": \"eligibility_review\","
	    " \"completed_on\": \"2023-09-01\"}", msg), "invalid_field");	/* before submission */
	assert_string_equal(refuse("certificate.add", 0, "{\"number\": \"C\", \"issued_on\":"
	    " \"2024-02-29\", \"application_id\": 1}", msg), "conflict");
	assert_string_equal(refuse("filing.add", 0, "{\"kind\": \"annual_survey\", \"filed_on\":"
	    " \"2025-01-01\", \"subject\": \"s\"}", msg), "missing_field");
	apply("complaint.add", 0, "{\"received_on\": \"2026-01-10\", \"complainant\": \"x\","
	    " \"subject\": \"s\"}");
	assert_string_equal(refuse("complaint.close", 1, "{\"handling\": \"h\", \"closed_on\":"
	    " \"2026-01-09\"}", msg), "invalid_field");
	apply("complaint.close", 1, "{\"handling\": \"h\", \"closed_on\": \"2026-01-10\"}");
	assert_string_equal(refuse("complaint.close", 1, "{\"handling\": \"h\", \"closed_on\":"
	    " \"2026-01-11\"}", msg), "conflict");
	teardown(state);
}

/* The bundle: MANIFEST lists every other file with its SHA-256. */
static void
test_export_manifest(void **state)
{
	struct qual_ctx c;
	char sha[65], hex[65];
	uint8_t h[CRYPTO_SHA256_LEN];
	json_t *b, *files, *v;
	const char *name, *m;
	size_t lines = 0;

	(void)setup(state);
	tenant_fixture();
	staff("a", true, "2027-01-01", true);
	engagement("2025-01-01");
	c = (struct qual_ctx){ db, key, D("2026-06-15") };
	b = qual_export(&c, sha);
	files = json_object_get(b, "files");
	m = json_string_value(json_object_get(files, "MANIFEST"));
	assert_non_null(m);
	json_object_foreach(files, name, v) {
		char line[300];

		if (strcmp(name, "MANIFEST") == 0)
			continue;
		crypto_sha256(json_string_value(v), json_string_length(v), h);
		crypto_hex(h, sizeof(h), hex);
		snprintf(line, sizeof(line), "%s  %s\n", hex, name);
		assert_non_null(strstr(m, line));
		lines++;
	}
	for (const char *p = m; (p = strchr(p, '\n')) != NULL; p++)
		lines--;
	assert_int_equal(lines, 0);
	crypto_sha256(m, strlen(m), h);
	crypto_hex(h, sizeof(h), hex);
	assert_string_equal(hex, sha);
	assert_non_null(json_object_get(files, "self-assessment.zh-CN.md"));
	assert_non_null(json_object_get(files, "registers/staff-certificates.csv"));
	assert_non_null(json_object_get(files, "service-plans/registration-ordering.zh-CN.md"));
	json_decref(b);
	teardown(state);
}

/* A certificate whose annual survey falls due in ten days raises one
 * provider alert (not a tenant's), grouped on repeat checks. */
static void
test_deadline_alerts(void **state)
{
	char body[160], day[32];
	int y, m, d;

	(void)setup(state);
	assert_int_equal(qual_deadline_alerts(db), 0);	/* no certificate: nothing due */
	qual_ymd(qual_today() + 10, &y, &m, &d);
	if (m == 2 && d == 29)
		d = 28;
	snprintf(day, sizeof(day), "%04d-%02d-%02d", y - 1, m, d);
	snprintf(body, sizeof(body), "{\"number\": \"CNITSEC-2025-001\", \"issued_on\": \"%s\"}",
	    day);
	apply("certificate.add", 0, body);
	assert_int_equal(qual_deadline_alerts(db), 1);
	assert_int_equal(qual_deadline_alerts(db), 1);
	assert_int_equal(db_int(db, -1, "SELECT count(*) FROM alerts WHERE module = 'qual' AND"
	    " type = 'qual.deadline' AND tenant_id IS NULL AND node_id IS NULL AND status = 'open'",
	    ""), 1);
	assert_int_equal(db_int(db, -1, "SELECT count FROM alerts WHERE module = 'qual'", ""), 2);
	assert_int_equal(db_int(db, -1, "SELECT count(*) FROM alerts WHERE module = 'qual' AND"
	    " dedupe_key LIKE 'annual_survey:%'", ""), 1);
	teardown(state);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dates),
		cmocka_unit_test(test_anniversaries),
		cmocka_unit_test(test_windows),
		cmocka_unit_test(test_catalogue),
		cmocka_unit_test(test_staff_evidence),
		cmocka_unit_test(test_engagement_evidence),
		cmocka_unit_test(test_supplier_complaint_sanction_evidence),
		cmocka_unit_test(test_platform_evidence),
		cmocka_unit_test(test_documents_and_validation),
		cmocka_unit_test(test_export_manifest),
		cmocka_unit_test(test_deadline_alerts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
