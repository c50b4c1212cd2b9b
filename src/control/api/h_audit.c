/*
 * h_audit: reading, exporting and verifying the audit trail. Export streams
 * page by page (each next page is read when the previous chunk has been
 * written), so exporting a million entries needs the memory of one page.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/http.h>

#include "api.h"
#include "audit.h"
#include "store.h"

#define PAGE 1000

struct audit_query {
	struct store_filter f[8];
	size_t nf;
	int64_t after_idx;	/* index of the "seq >" filter in f */
	int64_t limit;
	char text[3][128];	/* storage for text filter values */
};

static int
build_query(struct api_req *r, struct audit_query *q)
{
	static const char *const text_cols[] = { "actor", "action", "result" };
	const char *since = api_qstr(r, "since"), *until = api_qstr(r, "until");
	int64_t t;

	memset(q, 0, sizeof(*q));
	q->f[q->nf++] = (struct store_filter){ "seq", ">", NULL, api_qint(r, "after", 0) };
	q->after_idx = 0;
	if (since) {
		if (db_time_parse(since, &t) < 0)
			return ys_fail(&r->err, "invalid_field", "since: expected RFC 3339 time or "
			    "YYYY-MM-DD");
		q->f[q->nf++] = (struct store_filter){ "time_ms", ">=", NULL, t * 1000 };
	}
	if (until) {
		if (db_time_parse(until, &t) < 0)
			return ys_fail(&r->err, "invalid_field", "until: expected RFC 3339 time or "
			    "YYYY-MM-DD");
		q->f[q->nf++] = (struct store_filter){ "time_ms", "<", NULL, t * 1000 };
	}
	for (size_t i = 0; i < 3; i++) {
		const char *v = api_qstr(r, text_cols[i]);

		if (v) {
			snprintf(q->text[i], sizeof(q->text[i]), "%s", v);
			q->f[q->nf++] = (struct store_filter){ text_cols[i], "=", q->text[i], 0 };
		}
	}
	if (api_qint(r, "tenant_id", 0))
		q->f[q->nf++] = (struct store_filter){ "tenant_id", "=", NULL,
		    api_qint(r, "tenant_id", 0) };
	q->limit = api_qint(r, "limit", 100);
	return 0;
}

int
h_audit_list(struct api_req *r)
{
	struct audit_query q;
	json_t *items, *last;
	int64_t next;

	if (build_query(r, &q) < 0)
		return -1;
	items = store_list(r->ctx->db, principal_scope(&r->who), STORE_AUDIT, q.f, q.nf, q.limit);
	if (items == NULL)
		return ys_fail(&r->err, "internal", "cannot read the audit trail");
	last = json_array_get(items, json_array_size(items) - 1);
	next = last && (int64_t)json_array_size(items) == q.limit ?
	    json_integer_value(json_object_get(last, "seq")) : 0;
	return api_ok(r, 200, json_pack("{s:o, s:o}", "items", items,
	    "next_after", next ? json_integer(next) : json_null()));
}

struct export_state {
	struct evhttp_request *ev;
	struct db *db;
	struct scope scope;
	struct audit_query q;
	bool csv;
};

static void export_next(struct evhttp_connection *con, void *arg);

/* Write one page; schedule the next when it has been sent. */
static void
export_next(struct evhttp_connection *con, void *arg)
{
	struct export_state *s = arg;
	struct evbuffer *buf;
	json_t *items, *e;
	size_t i;

	(void)con;
	items = store_list(s->db, s->scope, STORE_AUDIT, s->q.f, s->q.nf, PAGE);
	if (items == NULL || json_array_size(items) == 0) {
		json_decref(items);
		evhttp_send_reply_end(s->ev);
		free(s);
		return;
	}
	buf = evbuffer_new();
	json_array_foreach(items, i, e) {
		char *line = s->csv ? audit_csv_line(e) : json_dumps(e, JSON_COMPACT);

		if (line) {
			evbuffer_add(buf, line, strlen(line));
			if (!s->csv)
				evbuffer_add(buf, "\n", 1);
		}
		free(line);
		s->q.f[s->q.after_idx].num = json_integer_value(json_object_get(e, "seq"));
	}
	json_decref(items);
	evhttp_send_reply_chunk_with_cb(s->ev, buf, export_next, s);
	evbuffer_free(buf);
}

int
h_audit_export(struct api_req *r)
{
	const char *fmt = api_qstr(r, "format");
	struct export_state *s;
	struct evkeyvalq *h;
	struct evbuffer *buf;

	if (fmt && strcmp(fmt, "jsonl") != 0 && strcmp(fmt, "csv") != 0)
		return ys_fail(&r->err, "invalid_field", "format: expected jsonl or csv");
	s = calloc(1, sizeof(*s));
	if (s == NULL)
		return ys_fail(&r->err, "internal", "out of memory");
	if (build_query(r, &s->q) < 0) {
		free(s);
		return -1;
	}
	if (r->ev == NULL) {
		free(s);
		return api_ok(r, 200, NULL);
	}
	s->ev = r->ev;
	s->db = r->ctx->db;
	s->scope = principal_scope(&r->who);
	s->csv = fmt && strcmp(fmt, "csv") == 0;
	h = evhttp_request_get_output_headers(r->ev);
	evhttp_add_header(h, "Content-Type", s->csv ? "text/csv; charset=utf-8"
	    : "application/x-ndjson; charset=utf-8");
	api_common_headers(h);
	evhttp_add_header(h, "Content-Disposition", s->csv ?
	    "attachment; filename=\"audit.csv\"" : "attachment; filename=\"audit.jsonl\"");
	evhttp_send_reply_start(r->ev, 200, "OK");
	r->replied = true;
	if (s->csv) {
		buf = evbuffer_new();
		evbuffer_add(buf, AUDIT_CSV_HEADER, strlen(AUDIT_CSV_HEADER));
		evhttp_send_reply_chunk_with_cb(r->ev, buf, export_next, s);
		evbuffer_free(buf);
	} else {
		export_next(NULL, s);
	}
	return 0;
}

int
h_audit_verify(struct api_req *r)
{
	struct audit_verify_result res;

	if (audit_verify(r->ctx->db, r->ctx->key, &res) < 0)
		return ys_fail(&r->err, "internal", "cannot read the audit trail");
	return api_ok(r, 200, audit_verify_json(&res));
}
