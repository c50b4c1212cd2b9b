/*
 * h_vuln: handlers for host vulnerabilities — feed import (operators),
 * findings and their life cycle, and the export.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/http.h>

#include "api.h"
#include "feeds.h"
#include "findings.h"

int
h_vuln_feed_import(struct api_req *r)
{
	const char *kind = jsonv_str(r->body, "kind", NULL);
	const char *path = jsonv_str(r->body, "path", NULL);
	const char *url = jsonv_str(r->body, "url", NULL);
	json_t *out = NULL;

	snprintf(r->target, sizeof(r->target), "vuln_feed/%.32s", kind);
	snprintf(r->detail, sizeof(r->detail), "kind=%s source=%.400s", kind,
	    path ? path : url ? url : "");
	if ((path == NULL) == (url == NULL))
		return ys_fail(&r->err, "invalid_field", "give exactly one of path or url");
	if (url) {
		char ca[1100] = "";
		const char *cf = r->conf->feed_ca_file;

		if (cf[0])
			snprintf(ca, sizeof(ca), "%s%s%s", cf[0] == '/' ? "" : r->ctx->state_dir,
			    cf[0] == '/' ? "" : "/", cf);
		if (feeds_import_url(r->ctx->db, kind, url, ca, r->ctx->state_dir, r->who.username,
		    &out, &r->err) < 0)
			return -1;
	} else if (feeds_import(r->ctx->db, kind, path, r->who.username, &out, &r->err) < 0) {
		return -1;
	}
	snprintf(r->detail, sizeof(r->detail), "kind=%s source=%.300s sha256=%s entries=%lld",
	    kind, path ? path : url, json_string_value(json_object_get(out, "sha256")),
	    (long long)json_integer_value(json_object_get(out, "entries")));
	return api_ok(r, 201, out);
}

int
h_vuln_feed_list(struct api_req *r)
{
	return api_items(r, feeds_list(r->ctx->db));
}

int
h_vuln_xref_import(struct api_req *r)
{
	const char *path = jsonv_str(r->body, "path", NULL);
	int64_t n;

	snprintf(r->target, sizeof(r->target), "vuln_xref");
	snprintf(r->detail, sizeof(r->detail), "source=%.400s", path);
	if (feeds_xref_import(r->ctx->db, path, &n, &r->err) < 0)
		return -1;
	return api_ok(r, 201, json_pack("{s:s, s:I}", "source", path, "rows", (json_int_t)n));
}

int
h_vuln_finding_list(struct api_req *r)
{
	return api_items(r, findings_list(r->ctx->db, &r->who, r->query));
}

int
h_vuln_finding_get(struct api_req *r)
{
	json_t *f = findings_get(r->ctx->db, &r->who, r->id, &r->err);

	return f ? api_ok(r, 200, f) : -1;
}

static int
decided(struct api_req *r, json_t *out)
{
	r->audit_tenant = json_integer_value(json_object_get(out, "tenant_id"));
	return api_ok(r, 200, out);
}

int
h_vuln_finding_accept(struct api_req *r)
{
	const char *reason = jsonv_str(r->body, "reason", NULL);
	const char *until = jsonv_str(r->body, "expires_on", NULL);
	json_t *out = NULL;

	api_target(r, "vuln_finding", r->id);
	snprintf(r->detail, sizeof(r->detail), "expires_on=%s reason=%.400s", until, reason);
	if (findings_accept(r->ctx->db, &r->who, r->id, reason, until, &out, &r->err) < 0)
		return -1;
	return decided(r, out);
}

int
h_vuln_finding_false_positive(struct api_req *r)
{
	const char *reason = jsonv_str(r->body, "reason", NULL);
	json_t *out = NULL;

	api_target(r, "vuln_finding", r->id);
	snprintf(r->detail, sizeof(r->detail), "reason=%.480s", reason);
	if (findings_false_positive(r->ctx->db, &r->who, r->id, reason, &out, &r->err) < 0)
		return -1;
	return decided(r, out);
}

int
h_vuln_finding_export(struct api_req *r)
{
	const char *fmt = api_qstr(r, "format");
	struct evkeyvalq *h;
	struct evbuffer *buf;
	char *text;
	size_t len;
	bool csv = fmt == NULL || strcmp(fmt, "csv") == 0;

	if (findings_export(r->ctx->db, &r->who, r->query, fmt, &text, &len, &r->err) < 0)
		return -1;
	if (r->ev == NULL) {
		free(text);
		return api_ok(r, 200, NULL);
	}
	h = evhttp_request_get_output_headers(r->ev);
	evhttp_add_header(h, "Content-Type", csv ? "text/csv; charset=utf-8" :
	    "application/json; charset=utf-8");
	api_common_headers(h);
	evhttp_add_header(h, "Content-Disposition", csv ?
	    "attachment; filename=\"vuln-findings.csv\"" :
	    "attachment; filename=\"vuln-findings.json\"");
	buf = evbuffer_new();
	if (buf == NULL) {
		free(text);
		return ys_fail(&r->err, "internal", "out of memory");
	}
	evbuffer_add(buf, text, len);
	free(text);
	evhttp_send_reply(r->ev, 200, "OK", buf);
	evbuffer_free(buf);
	r->replied = true;
	return 0;
}
