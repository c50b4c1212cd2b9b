/*
 * h_sites: handlers for the tenant side of the WAF service — sites, their
 * origins, exceptions and custom rules, certificates, statistics and
 * attack events (sites.c does the work). Audit details name what changed
 * and never carry a certificate's key.
 */
#include <stdio.h>
#include <string.h>

#include "api.h"
#include "sitecert.h"
#include "sites.h"

static int
done(struct api_req *r, int status, json_t *out, const char *kind, int64_t id)
{
	api_target(r, kind, id);
	r->audit_tenant = r->who.tenant_id;
	return api_ok(r, status, out);
}

int
h_site_create(struct api_req *r)
{
	json_t *out = NULL;

	snprintf(r->detail, sizeof(r->detail), "name=%.200s", jsonv_str(r->body, "name", ""));
	if (sites_create(r->ctx->db, r->conf->waf_cname_zone, &r->who, r->body, &out, &r->err) < 0)
		return -1;
	snprintf(r->detail, sizeof(r->detail), "name=%.200s cname=%.200s",
	    jsonv_str(r->body, "name", ""), json_string_value(json_object_get(out, "cname")));
	return done(r, 201, out, "site", json_integer_value(json_object_get(out, "id")));
}

int
h_site_list(struct api_req *r)
{
	return api_items(r, sites_list(r->ctx->db, &r->who));
}

int
h_site_get(struct api_req *r)
{
	json_t *s = sites_get(r->ctx->db, &r->who, r->id, &r->err);

	return s ? api_ok(r, 200, s) : -1;
}

int
h_site_update(struct api_req *r)
{
	json_t *out = NULL;

	api_target(r, "site", r->id);
	api_detail_changed(r);
	if (sites_update(r->ctx->db, &r->who, r->id, r->body, &out, &r->err) < 0)
		return -1;
	return done(r, 200, out, "site", r->id);
}

int
h_site_delete(struct api_req *r)
{
	json_t *out = NULL;

	api_target(r, "site", r->id);
	if (sites_delete(r->ctx->db, &r->who, r->id, &out, &r->err) < 0)
		return -1;
	return done(r, 200, out, "site", r->id);
}

/* Adding a part: the target is the site, the detail the new part's id. */
typedef int (*part_add_fn)(struct db *, const struct principal *, int64_t, const json_t *,
    json_t **, struct ys_err *);

static int
part_add(struct api_req *r, part_add_fn fn, const char *what)
{
	json_t *out = NULL;

	api_target(r, "site", r->id);
	if (fn(r->ctx->db, &r->who, r->id, r->body, &out, &r->err) < 0)
		return -1;
	snprintf(r->detail, sizeof(r->detail), "%s=%lld", what,
	    (long long)json_integer_value(json_object_get(out, "id")));
	return done(r, 201, out, "site", r->id);
}

int
h_site_origin_add(struct api_req *r)
{
	return part_add(r, sites_origin_add, "origin");
}

int
h_site_exception_add(struct api_req *r)
{
	return part_add(r, sites_exception_add, "exception");
}

int
h_site_rule_add(struct api_req *r)
{
	return part_add(r, sites_rule_add, "rule");
}

static int
part_delete(struct api_req *r, enum sites_part part, const char *what)
{
	json_t *out = NULL;
	int64_t site = 0;

	snprintf(r->detail, sizeof(r->detail), "%s=%lld", what, (long long)r->id);
	if (sites_part_delete(r->ctx->db, &r->who, part, r->id, &site, &out, &r->err) < 0)
		return -1;
	return done(r, 200, out, "site", site);
}

int
h_site_origin_delete(struct api_req *r)
{
	return part_delete(r, SITES_ORIGIN, "origin");
}

int
h_site_exception_delete(struct api_req *r)
{
	return part_delete(r, SITES_EXCEPTION, "exception");
}

int
h_site_rule_delete(struct api_req *r)
{
	return part_delete(r, SITES_RULE, "rule");
}

int
h_site_stats(struct api_req *r)
{
	json_t *s = sites_stats(r->ctx->db, &r->who, r->id, &r->err);

	return s ? api_ok(r, 200, s) : -1;
}

int
h_cert_upload(struct api_req *r)
{
	json_t *out = NULL;

	snprintf(r->detail, sizeof(r->detail), "name=%.200s", jsonv_str(r->body, "name", ""));
	if (sitecert_upload(r->ctx->db, r->ctx->state_dir, &r->who, r->body, &out, &r->err) < 0)
		return -1;
	snprintf(r->detail, sizeof(r->detail), "name=%.200s sha256=%s",
	    jsonv_str(r->body, "name", ""),
	    json_string_value(json_object_get(out, "fingerprint")));
	return done(r, 201, out, "certificate", json_integer_value(json_object_get(out, "id")));
}

int
h_cert_list(struct api_req *r)
{
	return api_items(r, sitecert_list(r->ctx->db, &r->who));
}

int
h_cert_delete(struct api_req *r)
{
	json_t *out = NULL;

	api_target(r, "certificate", r->id);
	if (sitecert_delete(r->ctx->db, &r->who, r->id, &out, &r->err) < 0)
		return -1;
	return done(r, 200, out, "certificate", r->id);
}

int
h_waf_events(struct api_req *r)
{
	json_t *rows = sites_events_list(r->ctx->db, &r->who, r->query, &r->err);

	return rows ? api_items(r, rows) : -1;
}
