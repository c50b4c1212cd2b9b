/*
 * h_nodes: handlers for the node life cycle — the CA bootstrap, enrolment
 * tokens, enrolment, the node registry, policies — and the mTLS node API
 * (heartbeat, policy bundle, events).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "ca.h"
#include "hostview.h"
#include "nodes.h"
#include "scans.h"

static char *
slurp(const char *dir, const char *name)
{
	char path[1100], *buf;
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((f = fopen(path, "r")) == NULL)
		return NULL;
	buf = calloc(1, 65537);
	n = buf ? fread(buf, 1, 65536, f) : 0;
	fclose(f);
	if (buf)
		buf[n] = '\0';
	return buf;
}

/* Public: what an enrolling node needs to check it talks to this control
 * plane (it compares the CA's fingerprint with the one its admin gave it). */
int
h_ca(struct api_req *r)
{
	char path[1100], fp[80], err[200];
	char *ca = slurp(r->ctx->state_dir, "ca.crt"), *pub = slurp(r->ctx->state_dir,
	    "signing.pub");
	int rc;

	snprintf(path, sizeof(path), "%s/ca.crt", r->ctx->state_dir);
	if (ca == NULL || pub == NULL || ca_fingerprint(path, fp, sizeof(fp), err, sizeof(err)) < 0)
		rc = ys_fail(&r->err, "internal", "cannot read the CA certificate");
	else
		rc = api_ok(r, 200, json_pack("{s:s, s:s, s:s, s:s}", "ca_certificate", ca,
		    "ca_fingerprint_sha256", fp, "signing_public_key", pub,
		    "node_listen", r->conf->node_listen));
	free(ca);
	free(pub);
	return rc;
}

int
h_token_create(struct api_req *r)
{
	json_t *out = NULL;

	if (nodes_token_create(r->ctx->db, &r->who, jsonv_str(r->body, "kind", ""),
	    jsonv_int(r->body, "expires_minutes", 60), &out, &r->err) < 0)
		return -1;
	api_target(r, "enrolment-token", json_integer_value(json_object_get(out, "id")));
	snprintf(r->detail, sizeof(r->detail), "kind=%s", jsonv_str(r->body, "kind", ""));
	return api_ok(r, 201, out);
}

int
h_token_list(struct api_req *r)
{
	return api_items(r, nodes_token_list(r->ctx->db, &r->who));
}

int
h_enroll(struct api_req *r)
{
	json_t *out = NULL;
	int64_t tenant = 0, node = 0;
	int rc;

	snprintf(r->actor, sizeof(r->actor), "enrolment");
	snprintf(r->detail, sizeof(r->detail), "hostname=%s version=%s",
	    jsonv_str(r->body, "hostname", ""), jsonv_str(r->body, "version", ""));
	rc = nodes_enroll(r->ctx->db, r->ctx->state_dir, r->body, &out, &tenant, &node, &r->err);
	r->audit_tenant = tenant;
	if (node)
		api_target(r, "node", node);
	if (rc < 0)
		return -1;
	return api_ok(r, 201, out);
}

int
h_node_list(struct api_req *r)
{
	return api_items(r, nodes_list(r->ctx->db, &r->who, api_qstr(r, "kind")));
}

int
h_node_get(struct api_req *r)
{
	json_t *n = nodes_get(r->ctx->db, &r->who, r->id, &r->err);

	return n ? api_ok(r, 200, n) : -1;
}

int
h_node_revoke(struct api_req *r)
{
	json_t *out = NULL;

	api_target(r, "node", r->id);
	if (nodes_revoke(r->ctx->db, &r->who, r->id, &out, &r->err) < 0)
		return -1;
	r->audit_tenant = json_integer_value(json_object_get(out, "tenant_id"));
	return api_ok(r, 200, out);
}

int
h_policy_set(struct api_req *r)
{
	json_t *out = NULL;

	if (nodes_policy_set(r->ctx->db, &r->who, jsonv_str(r->body, "kind", ""),
	    jsonv_int(r->body, "tenant_id", 0), json_object_get(r->body, "policy"), &out,
	    &r->err) < 0)
		return -1;
	r->audit_tenant = json_integer_value(json_object_get(out, "tenant_id"));
	snprintf(r->detail, sizeof(r->detail), "kind=%s version=%lld",
	    jsonv_str(r->body, "kind", ""),
	    (long long)json_integer_value(json_object_get(out, "version")));
	return api_ok(r, 201, out);
}

int
h_node_heartbeat(struct api_req *r)
{
	json_t *out = NULL;

	if (nodes_heartbeat(r->ctx->db, &r->node, r->body, &out, &r->err) < 0)
		return -1;
	/* A tenant agent's addresses authorise scan targets (scans.h). */
	if (strcmp(r->node.kind, "agent") == 0 &&
	    scans_node_addresses(r->ctx->db, r->node.node_id, r->node.tenant_id,
	    json_object_get(r->body, "addresses"), r->source) < 0) {
		json_decref(out);
		return ys_fail(&r->err, "internal", "cannot record the node's addresses");
	}
	return api_ok(r, 200, out);
}

int
h_node_policy(struct api_req *r)
{
	json_t *out = NULL;

	if (nodes_policy_bundle(r->ctx->db, r->ctx->key, r->ctx->state_dir, &r->node, &out,
	    &r->err) < 0)
		return -1;
	return api_ok(r, 200, out);
}

int
h_node_events(struct api_req *r)
{
	json_t *out = NULL;
	int rc;

	if (db_begin(r->ctx->db) < 0)
		return ys_fail(&r->err, "internal", "the store is busy; try again");
	rc = nodes_events_ingest(r->ctx->db, &r->node, r->body, &out, &r->err);
	if (rc < 0 || db_commit(r->ctx->db) < 0) {
		db_rollback(r->ctx->db);
		json_decref(out);
		return rc < 0 ? -1 : ys_fail(&r->err, "internal", "cannot store events");
	}
	return api_ok(r, 200, out);
}

int
h_node_baseline(struct api_req *r)
{
	json_t *out = NULL;

	if (hostview_baseline(r->ctx->db, &r->who, r->id, &out, &r->err) < 0)
		return -1;
	return api_ok(r, 200, out);
}

int
h_node_inventory(struct api_req *r)
{
	json_t *out = NULL;

	if (hostview_inventory(r->ctx->db, &r->who, r->id, &out, &r->err) < 0)
		return -1;
	return api_ok(r, 200, out);
}

/* An on-demand full malware scan: a command the node picks up with its
 * next heartbeat; the scan's summary arrives as a malware.scan event. */
int
h_node_scan(struct api_req *r)
{
	json_t *out = NULL, *args = json_object();
	int rc;

	api_target(r, "node", r->id);
	rc = nodes_command_create(r->ctx->db, &r->who, r->id, "malware", "malware.scan", args, &out,
	    &r->err);
	json_decref(args);
	if (rc < 0)
		return -1;
	r->audit_tenant = json_integer_value(json_object_get(out, "tenant_id"));
	return api_ok(r, 201, out);
}
