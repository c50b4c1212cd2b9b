/*
 * h_scan: handlers for network scans — scan targets and their
 * authorisation, scan jobs, results and diffs (scans.c).
 */
#include <stdio.h>

#include "api.h"
#include "scans.h"
#include "scanworker.h"

static int
tenant_reply(struct api_req *r, int status, json_t *out)
{
	r->audit_tenant = json_integer_value(json_object_get(out, "tenant_id"));
	return api_ok(r, status, out);
}

int
h_scan_target_create(struct api_req *r)
{
	const char *target = jsonv_str(r->body, "target", "");
	json_t *out = NULL;

	struct scans_target_spec spec;
	int rc;

	snprintf(r->target, sizeof(r->target), "scan_target");
	snprintf(r->detail, sizeof(r->detail), "target=%.200s ports=%.200s", target,
	    jsonv_str(r->body, "ports", "default"));
	/* Resolving a host name happens before the transaction (ROUTE_OWN_TX). */
	if (scans_target_parse(target, r->conf->scan_allow_loopback, &spec, &r->err) < 0)
		return -1;
	if (db_begin(r->ctx->db) < 0) {
		scans_target_spec_clear(&spec);
		return ys_fail(&r->err, "internal", "the store is busy; try again");
	}
	rc = scans_target_create(r->ctx->db, &r->who, &spec, r->body, &out, &r->err);
	scans_target_spec_clear(&spec);
	if (rc < 0 || db_commit(r->ctx->db) < 0) {
		db_rollback(r->ctx->db);
		json_decref(out);
		return rc < 0 ? -1 : ys_fail(&r->err, "internal", "cannot commit; nothing was changed");
	}
	api_target(r, "scan_target", json_integer_value(json_object_get(out, "id")));
	snprintf(r->detail, sizeof(r->detail), "target=%.200s status=%s authorized_by=%.200s",
	    target, json_string_value(json_object_get(out, "status")),
	    jsonv_str(out, "authorized_by", "-"));
	return tenant_reply(r, 201, out);
}

int
h_scan_target_list(struct api_req *r)
{
	return api_items(r, scans_target_list(r->ctx->db, &r->who, r->query));
}

int
h_scan_target_get(struct api_req *r)
{
	json_t *t = scans_target_get(r->ctx->db, &r->who, r->id, &r->err);

	return t ? api_ok(r, 200, t) : -1;
}

int
h_scan_target_approve(struct api_req *r)
{
	const char *ref = jsonv_str(r->body, "reference", "");
	json_t *out = NULL;

	api_target(r, "scan_target", r->id);
	snprintf(r->detail, sizeof(r->detail), "reference=%.480s", ref);
	if (scans_target_approve(r->ctx->db, &r->who, r->id, ref, &out, &r->err) < 0)
		return -1;
	return tenant_reply(r, 200, out);
}

int
h_scan_target_reject(struct api_req *r)
{
	const char *reason = jsonv_str(r->body, "reason", "");
	json_t *out = NULL;

	api_target(r, "scan_target", r->id);
	snprintf(r->detail, sizeof(r->detail), "reason=%.480s", reason);
	if (scans_target_reject(r->ctx->db, &r->who, r->id, reason, &out, &r->err) < 0)
		return -1;
	return tenant_reply(r, 200, out);
}

int
h_scan_target_delete(struct api_req *r)
{
	json_t *out = NULL;

	api_target(r, "scan_target", r->id);
	if (scans_target_delete(r->ctx->db, &r->who, r->id, &out, &r->err) < 0)
		return -1;
	snprintf(r->detail, sizeof(r->detail), "target=%.200s",
	    jsonv_str(out, "target", ""));
	return tenant_reply(r, 200, out);
}

int
h_scan_create(struct api_req *r)
{
	json_t *out = NULL;

	api_target(r, "scan_target", r->id);
	snprintf(r->detail, sizeof(r->detail), "ports=%.200s",
	    jsonv_str(r->body, "ports", "target's"));
	if (scans_create(r->ctx->db, &r->who, r->id, r->body, &out, &r->err) < 0)
		return -1;
	api_target(r, "scan", json_integer_value(json_object_get(out, "id")));
	snprintf(r->detail, sizeof(r->detail), "target_id=%lld ports=%.200s rate=%lld",
	    (long long)r->id, jsonv_str(out, "ports", ""),
	    (long long)json_integer_value(json_object_get(out, "rate")));
	/* The worker also looks every second; this only saves the wait. */
	scanworker_notify();
	return tenant_reply(r, 201, out);
}

int
h_scan_list(struct api_req *r)
{
	return api_items(r, scans_list(r->ctx->db, &r->who, r->query));
}

int
h_scan_get(struct api_req *r)
{
	json_t *j = scans_get(r->ctx->db, &r->who, r->id, &r->err);

	return j ? api_ok(r, 200, j) : -1;
}

int
h_scan_cancel(struct api_req *r)
{
	json_t *out = NULL;

	api_target(r, "scan", r->id);
	if (scans_cancel(r->ctx->db, &r->who, r->id, &out, &r->err) < 0)
		return -1;
	return tenant_reply(r, 200, out);
}

int
h_scan_results(struct api_req *r)
{
	json_t *out = NULL;

	if (scans_results(r->ctx->db, &r->who, r->id, &out, &r->err) < 0)
		return -1;
	return api_ok(r, 200, out);
}
