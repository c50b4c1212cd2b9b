/*
 * qual_export: the evidence bundle for the assessor (MISSION §4.4.1 static
 * assessment). A set of named text files — the self-assessment as JSON and
 * as a readable zh-CN page, every register as JSON and CSV, the deadlines,
 * the audit-trail verification, the service plans of the services that
 * exist — and a MANIFEST of their SHA-256 sums in `sha256sum -c` format.
 * The server builds the bundle so that what the audit trail records (the
 * MANIFEST's hash) is exactly what the client writes.
 */
#include "qual.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "crypto.h"

static const char *const registers[] = {
	"staff", "engagements", "suppliers", "complaints", "documents", "fees",
	"applications", "certificates", "filings", "sanctions", NULL,
};

/* A growing text buffer (open_memstream). */
struct text {
	char *buf;
	size_t len;
	FILE *f;
};

static int
text_open(struct text *t)
{
	memset(t, 0, sizeof(*t));
	t->f = open_memstream(&t->buf, &t->len);
	return t->f ? 0 : -1;
}

/* Closes t and adds its text to files under name; frees the buffer. */
static void
text_put(json_t *files, const char *name, struct text *t)
{
	fclose(t->f);
	json_object_set_new(files, name, json_stringn(t->buf ? t->buf : "", t->len));
	free(t->buf);
}

static void
put_json(json_t *files, const char *name, const json_t *v)
{
	char *s = json_dumps(v, JSON_INDENT(2));

	json_object_set_new(files, name, json_string(s ? s : "null"));
	free(s);
}

/* RFC 4180 cell; a cell a spreadsheet would run as a formula gets a '. */
static void
csv_cell(FILE *f, const json_t *v)
{
	char num[32];
	const char *s;

	if (json_is_string(v)) {
		s = json_string_value(v);
	} else if (json_is_integer(v)) {
		snprintf(num, sizeof(num), "%lld", (long long)json_integer_value(v));
		s = num;
	} else if (json_is_boolean(v)) {
		s = json_is_true(v) ? "true" : "false";
	} else {
		s = "";
	}
	if (json_is_string(v) && strchr("=+-@\t\r", s[0]) && s[0] != '\0') {
		fputs("\"'", f);
	} else if (strpbrk(s, ",\"\r\n") != NULL) {
		fputc('"', f);
	} else {
		fputs(s, f);
		return;
	}
	for (const char *p = s; *p; p++) {
		if (*p == '"')
			fputc('"', f);
		fputc(*p, f);
	}
	fputc('"', f);
}

/* Rows' scalar members as CSV, columns from the first row. */
static void
csv_of(json_t *files, const char *name, const json_t *rows)
{
	struct text t;
	const json_t *first = json_array_get(rows, 0), *row, *v;
	const char *key;
	size_t i;
	bool sep;

	if (text_open(&t) < 0)
		return;
	sep = false;
	json_object_foreach((json_t *)first, key, v) {
		if (json_is_array(v) || json_is_object(v))
			continue;
		fprintf(t.f, "%s%s", sep ? "," : "", key);
		sep = true;
	}
	fputs("\r\n", t.f);
	json_array_foreach(rows, i, row) {
		sep = false;
		json_object_foreach((json_t *)first, key, v) {
			if (json_is_array(v) || json_is_object(v))
				continue;
			if (sep)
				fputc(',', t.f);
			csv_cell(t.f, json_object_get(row, key));
			sep = true;
		}
		fputs("\r\n", t.f);
	}
	text_put(files, name, &t);
}

/* A register as JSON, its rows as CSV and each kind of child row as CSV. */
static void
put_register(json_t *files, const char *reg, json_t *rows)
{
	char name[96];
	json_t *kids = json_object(), *row, *v;
	const char *key;
	size_t i;

	snprintf(name, sizeof(name), "registers/%s.json", reg);
	put_json(files, name, rows);
	snprintf(name, sizeof(name), "registers/%s.csv", reg);
	csv_of(files, name, rows);
	json_array_foreach(rows, i, row) {
		json_object_foreach(row, key, v) {
			if (!json_is_array(v))
				continue;
			if (json_object_get(kids, key) == NULL)
				json_object_set_new(kids, key, json_array());
			json_array_extend(json_object_get(kids, key), v);
		}
	}
	json_object_foreach(kids, key, v) {
		snprintf(name, sizeof(name), "registers/%s-%s.csv", reg, key);
		if (json_array_size(v) > 0)
			csv_of(files, name, v);
	}
	json_decref(kids);
}

static const char *
status_zh(const char *s)
{
	if (strcmp(s, "met") == 0)
		return "符合 met";
	if (strcmp(s, "not_met") == 0)
		return "不符合 not met";
	if (strcmp(s, "document_pending") == 0)
		return "文件待审核 document pending";
	return "暂无证据 no evidence yet";
}

/* Markdown table cells: no pipes or line breaks. */
static void
md_cell(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		if (*s == '|')
			fputs("\\|", f);
		else
			fputc(*s == '\n' ? ' ' : *s, f);
	}
}

static void
readable(json_t *files, const json_t *cl, const json_t *verify)
{
	struct text t;
	const json_t *sum = json_object_get(cl, "summary"), *it, *a;
	size_t i, k;

	if (text_open(&t) < 0)
		return;
	fprintf(t.f, "# 资质自评估报告 Self-assessment\n\n%s\n\n%s\n\n",
	    json_string_value(json_object_get(cl, "title_zh")),
	    json_string_value(json_object_get(cl, "title_en")));
	fprintf(t.f, "评估日期 Date: %s\n\n", json_string_value(json_object_get(cl, "today")));
	fprintf(t.f, "| 状态 status | 条数 items |\n|---|---|\n");
	fprintf(t.f, "| 符合 met | %lld |\n| 不符合 not met | %lld |\n"
	    "| 暂无证据 no evidence yet | %lld |\n| 文件待审核 document pending | %lld |\n"
	    "| 合计 total | %lld |\n\n",
	    (long long)json_integer_value(json_object_get(sum, "met")),
	    (long long)json_integer_value(json_object_get(sum, "not_met")),
	    (long long)json_integer_value(json_object_get(sum, "no_evidence")),
	    (long long)json_integer_value(json_object_get(sum, "document_pending")),
	    (long long)json_integer_value(json_object_get(sum, "total")));
	fprintf(t.f, "审计日志校验 Audit trail verification: %s (%lld entries, head %s)\n\n",
	    json_is_true(json_object_get(verify, "ok")) ? "通过 OK" : "失败 BROKEN",
	    (long long)json_integer_value(json_object_get(verify, "entries")),
	    json_string_value(json_object_get(verify, "head_hash")));
	if (json_array_size(json_object_get(cl, "alerts")) > 0) {
		fprintf(t.f, "## 期限提醒 Deadlines needing action\n\n");
		json_array_foreach(json_object_get(cl, "alerts"), k, a)
			fprintf(t.f, "- %s: %s（截止 %s）%s\n",
			    json_string_value(json_object_get(a, "kind")),
			    json_string_value(json_object_get(a, "state")),
			    json_string_value(json_object_get(a, "window_end_on")),
			    json_string_value(json_object_get(a, "title_zh")));
		fputc('\n', t.f);
	}
	fprintf(t.f, "## 逐项 Items\n\n| 条款 | 要求 requirement | 状态 status | 证据 evidence | "
	    "缺失 missing |\n|---|---|---|---|---|\n");
	json_array_foreach(json_object_get(cl, "items"), i, it) {
		const json_t *m;

		fprintf(t.f, "| %s | ", json_string_value(json_object_get(it, "id")));
		md_cell(t.f, json_string_value(json_object_get(it, "requirement_zh")));
		fprintf(t.f, " | %s | ", status_zh(json_string_value(json_object_get(it, "status"))));
		md_cell(t.f, json_string_value(json_object_get(it, "summary_zh")));
		fputs(" | ", t.f);
		json_array_foreach(json_object_get(it, "missing_zh"), k, m) {
			if (k)
				fputs("；", t.f);
			md_cell(t.f, json_string_value(m));
		}
		fputs(" |\n", t.f);
	}
	fputs("\n证据明细见 self-assessment.json；各登记簿见 registers/。\n"
	    "Evidence details: self-assessment.json; registers: registers/.\n", t.f);
	text_put(files, "self-assessment.zh-CN.md", &t);
}

static void
service_plans(struct db *db, json_t *files)
{
	struct text t;
	struct db_stmt *st;

	json_object_set_new(files, "service-plans/registration-ordering.zh-CN.md",
	    json_string(qual_plan_registration_ordering));
	if (text_open(&t) < 0)
		return;
	fputs("# 服务方案 Service plans\n\n| 服务 service | 状态 status | 方案 plan |\n|---|---|---|\n"
	    "| 自动化注册与订购 registration & ordering (§3.3.4) | 已提供 available |"
	    " registration-ordering.zh-CN.md |\n", t.f);
	st = db_q(db, "SELECT code, name_zh, name_en FROM services ORDER BY sort", "");
	while (st && db_step(st) == DB_ROW)
		fprintf(t.f, "| %s %s (%s) | 尚未提供 not yet available | - |\n", db_col_text(st, 1),
		    db_col_text(st, 2), db_col_text(st, 0));
	db_done(st);
	fputs("\n五类云计算安全服务（§3.3.3）尚未上线，其服务方案在服务上线后随证据包导出。\n"
	    "The five cloud security services (§3.3.3) do not exist yet; their plans will be "
	    "exported once they do.\n", t.f);
	text_put(files, "service-plans/README.zh-CN.md", &t);
}

json_t *
qual_export(const struct qual_ctx *c, char manifest_sha[65])
{
	json_t *files = json_object(), *cl, *v, *fees;
	struct audit_verify_result r;
	struct text t;
	const char *key;
	uint8_t h[CRYPTO_SHA256_LEN];

	cl = qual_checklist(c);
	put_json(files, "self-assessment.json", cl);
	memset(&r, 0, sizeof(r));
	if (audit_verify(c->db, c->verify_key, &r) < 0) {
		r.ok = false;
		snprintf(r.reason, sizeof(r.reason), "cannot read the audit trail");
	}
	v = audit_verify_json(&r);
	put_json(files, "audit-verify.json", v);
	readable(files, cl, v);
	json_decref(v);
	json_decref(cl);
	v = qual_requirements();
	put_json(files, "requirements.json", v);
	json_decref(v);
	v = qual_deadlines(c->db, c->today);
	put_json(files, "deadlines.json", v);
	json_decref(v);
	for (size_t i = 0; registers[i]; i++) {
		v = qual_list(c->db, registers[i], c->today);
		if (v == NULL)
			v = json_array();
		put_register(files, registers[i], v);
		json_decref(v);
	}
	fees = qual_fee_summary(c->db);
	put_json(files, "registers/fees-standard.json", fees);
	json_decref(fees);
	service_plans(c->db, files);
	/* MANIFEST last, over every other file, in name order. */
	if (text_open(&t) < 0) {
		json_decref(files);
		return NULL;
	}
	{
		const char **names = calloc(json_object_size(files), sizeof(*names));
		size_t n = 0;

		json_object_foreach(files, key, v)
			if (names)
				names[n++] = key;
		for (size_t i = 1; i < n; i++)
			for (size_t j = i; j > 0 && strcmp(names[j - 1], names[j]) > 0; j--) {
				const char *x = names[j];

				names[j] = names[j - 1];
				names[j - 1] = x;
			}
		for (size_t i = 0; i < n; i++) {
			const json_t *f = json_object_get(files, names[i]);
			char hex[65];

			crypto_sha256(json_string_value(f), json_string_length(f), h);
			crypto_hex(h, sizeof(h), hex);
			fprintf(t.f, "%s  %s\n", hex, names[i]);
		}
		free(names);
	}
	text_put(files, "MANIFEST", &t);
	v = json_object_get(files, "MANIFEST");
	crypto_sha256(json_string_value(v), json_string_length(v), h);
	crypto_hex(h, sizeof(h), manifest_sha);
	return json_pack("{s:o}", "files", files);
}
