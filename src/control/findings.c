/*
 * findings: reads, the two manual transitions and the export. The only
 * writes here are the status changes made by people; vulnmatch writes the
 * rest.
 */
#include "findings.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store.h"

json_t *
findings_list(struct db *db, const struct principal *p, const json_t *filters)
{
	static const char *const names[] = { "node_id", "severity", "status", "cve", "package",
		NULL };
	struct store_filter f[8];
	size_t n = store_filters_from(filters, names, f, sizeof(f) / sizeof(f[0]));

	return store_list(db, principal_scope(p), STORE_VULN_FINDINGS, f, n, 100000);
}

json_t *
findings_get(struct db *db, const struct principal *p, int64_t id, struct ys_err *e)
{
	return store_find(db, principal_scope(p), STORE_VULN_FINDINGS, id, "finding", e);
}

static int
transition(struct db *db, const struct principal *by, int64_t id, const char *to,
    const char *reason, const char *expires_on, json_t **out, struct ys_err *e)
{
	json_t *f = store_get(db, principal_scope(by), STORE_VULN_FINDINGS, id);
	const char *cur;
	bool ok;

	if (f == NULL)
		return ys_fail(e, "not_found", "no finding %lld", (long long)id);
	cur = json_string_value(json_object_get(f, "status"));
	/* open -> either; accepted_risk -> false_positive or a new expiry. */
	ok = cur && (strcmp(cur, "open") == 0 || strcmp(cur, "accepted_risk") == 0);
	if (!ok) {
		ys_fail(e, "conflict", "finding %lld is %s; only open findings (or accepted risks) "
		    "can be marked %s", (long long)id, cur ? cur : "?", to);
		json_decref(f);
		return -1;
	}
	json_decref(f);
	if (db_run(db, "UPDATE vuln_findings SET status = ?, reason = ?, expires_on = ?,"
	    " decided_by = ?, decided_at = ? WHERE id = ?", "ssssll", to, reason, expires_on,
	    by->username, (int64_t)time(NULL), id) != 1)
		return ys_fail(e, "internal", "cannot update the finding");
	*out = store_get(db, scope_all(), STORE_VULN_FINDINGS, id);
	return *out ? 0 : ys_fail(e, "internal", "cannot read the finding back");
}

int
findings_accept(struct db *db, const struct principal *by, int64_t id, const char *reason,
    const char *expires_on, json_t **out, struct ys_err *e)
{
	int64_t t;

	if (expires_on == NULL || strlen(expires_on) != 10 || db_time_parse(expires_on, &t) < 0)
		return ys_fail(e, "invalid_field", "expires_on: expected a date YYYY-MM-DD");
	if (t <= time(NULL))
		return ys_fail(e, "invalid_field", "expires_on: must be in the future; an accepted "
		    "risk is reviewed again when it expires");
	return transition(db, by, id, "accepted_risk", reason, expires_on, out, e);
}

int
findings_false_positive(struct db *db, const struct principal *by, int64_t id,
    const char *reason, json_t **out, struct ys_err *e)
{
	return transition(db, by, id, "false_positive", reason, NULL, out, e);
}

static const char *const csv_cols[] = {
	"id", "tenant_id", "node_id", "cve", "cnnvd", "cnvd", "package", "installed_version",
	"fixed_version", "severity", "severity_zh", "cvss", "urgency", "status", "reason",
	"expires_on", "feed", "advisory", "first_seen_at", "last_seen_at", "fixed_at", NULL,
};

/* One CSV field: quoted when it holds a comma, quote or line break; a
 * leading = + - @ is prefixed with ' so spreadsheets do not run it. */
static int
csv_put(FILE *fp, const json_t *v)
{
	char num[32];
	const char *s = num;

	if (json_is_string(v))
		s = json_string_value(v);
	else if (json_is_integer(v))
		snprintf(num, sizeof(num), "%lld", (long long)json_integer_value(v));
	else
		num[0] = '\0';
	if (strchr("=+-@", s[0]) && s[0])
		fputc('\'', fp);
	if (strpbrk(s, ",\"\r\n") == NULL)
		return fputs(s, fp) < 0 ? -1 : 0;
	fputc('"', fp);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', fp);
		fputc(*s, fp);
	}
	return fputc('"', fp) == EOF ? -1 : 0;
}

int
findings_export(struct db *db, const struct principal *p, const json_t *filters,
    const char *format, char **text, size_t *len, struct ys_err *e)
{
	json_t *rows, *r;
	FILE *fp;
	size_t i;

	*text = NULL;
	*len = 0;
	if (format == NULL)
		format = "csv";
	if (strcmp(format, "csv") != 0 && strcmp(format, "json") != 0)
		return ys_fail(e, "invalid_field", "format: expected csv or json");
	if ((rows = findings_list(db, p, filters)) == NULL)
		return ys_fail(e, "internal", "cannot read the findings");
	if (strcmp(format, "json") == 0) {
		*text = json_dumps(rows, JSON_INDENT(1));
		json_decref(rows);
		if (*text == NULL)
			return ys_fail(e, "internal", "out of memory");
		*len = strlen(*text);
		return 0;
	}
	if ((fp = open_memstream(text, len)) == NULL) {
		json_decref(rows);
		return ys_fail(e, "internal", "out of memory");
	}
	for (size_t c = 0; csv_cols[c]; c++)
		fprintf(fp, "%s%s", c ? "," : "", csv_cols[c]);
	fputs("\r\n", fp);
	json_array_foreach(rows, i, r) {
		for (size_t c = 0; csv_cols[c]; c++) {
			if (c)
				fputc(',', fp);
			csv_put(fp, json_object_get(r, csv_cols[c]));
		}
		fputs("\r\n", fp);
	}
	json_decref(rows);
	if (fclose(fp) != 0) {
		free(*text);
		*text = NULL;
		return ys_fail(e, "internal", "cannot write the export");
	}
	return 0;
}
