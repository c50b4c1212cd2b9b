/*
 * h_ddos: handlers for the tenant side of the anti-DDoS service —
 * protected objects, domains, manual rules and attack reports (ddos.c does
 * the work). Audit details name what changed.
 */
#include <stdio.h>
#include <string.h>

#include "api.h"
#include "ddos.h"

static int
done(struct api_req *r, int status, json_t *out, const char *kind, int64_t id)
{
	api_target(r, kind, id);
	r->audit_tenant = r->who.tenant_id;
	return api_ok(r, status, out);
}

static int64_t
id_of(const json_t *o)
{
	return json_integer_value(json_object_get(o, "id"));
}

int
h_ddos_object_create(struct api_req *r)
{
	json_t *out = NULL;

	snprintf(r->detail, sizeof(r->detail), "name=%.200s ips=%zu",
	    jsonv_str(r->body, "name", ""), json_array_size(json_object_get(r->body, "ips")));
	if (ddos_object_create(r->ctx->db, r->conf->ddos_allow_private, &r->who, r->body, &out,
	    &r->err) < 0)
		return -1;
	return done(r, 201, out, "ddos-object", id_of(out));
}

int
h_ddos_object_list(struct api_req *r)
{
	return api_items(r, ddos_object_list(r->ctx->db, &r->who));
}

int
h_ddos_object_get(struct api_req *r)
{
	json_t *o = ddos_object_get(r->ctx->db, &r->who, r->id, &r->err);

	return o ? api_ok(r, 200, o) : -1;
}

int
h_ddos_object_update(struct api_req *r)
{
	json_t *out = NULL;

	api_target(r, "ddos-object", r->id);
	api_detail_changed(r);
	if (ddos_object_update(r->ctx->db, r->conf->ddos_allow_private, &r->who, r->id, r->body,
	    &out, &r->err) < 0)
		return -1;
	return done(r, 200, out, "ddos-object", r->id);
}

int
h_ddos_object_delete(struct api_req *r)
{
	json_t *out = NULL;

	api_target(r, "ddos-object", r->id);
	if (ddos_object_delete(r->ctx->db, &r->who, r->id, &out, &r->err) < 0)
		return -1;
	return done(r, 200, out, "ddos-object", r->id);
}

int
h_ddos_domain_create(struct api_req *r)
{
	json_t *out = NULL;

	snprintf(r->detail, sizeof(r->detail), "object=%lld label=%.100s",
	    (long long)jsonv_int(r->body, "object_id", 0), jsonv_str(r->body, "label", ""));
	if (ddos_domain_create(r->ctx->db, r->conf->ddos_zone, &r->who, r->body, &out,
	    &r->err) < 0)
		return -1;
	snprintf(r->detail, sizeof(r->detail), "object=%lld name=%.200s mode=%s",
	    (long long)jsonv_int(r->body, "object_id", 0), jsonv_str(out, "name", ""),
	    jsonv_str(out, "mode", ""));
	return done(r, 201, out, "ddos-domain", id_of(out));
}

int
h_ddos_domain_list(struct api_req *r)
{
	return api_items(r, ddos_domain_list(r->ctx->db, &r->who, r->query));
}

int
h_ddos_domain_get(struct api_req *r)
{
	json_t *d = ddos_domain_get(r->ctx->db, &r->who, r->id, &r->err);

	return d ? api_ok(r, 200, d) : -1;
}

int
h_ddos_domain_update(struct api_req *r)
{
	json_t *out = NULL;

	api_target(r, "ddos-domain", r->id);
	api_detail_changed(r);
	if (ddos_domain_update(r->ctx->db, &r->who, r->id, r->body, &out, &r->err) < 0)
		return -1;
	return done(r, 200, out, "ddos-domain", r->id);
}

static int
part_delete(struct api_req *r, enum ddos_part part, const char *kind)
{
	json_t *out = NULL;

	api_target(r, kind, r->id);
	if (ddos_part_delete(r->ctx->db, &r->who, part, r->id, &out, &r->err) < 0)
		return -1;
	return done(r, 200, out, kind, r->id);
}

int
h_ddos_domain_delete(struct api_req *r)
{
	return part_delete(r, DDOS_DOMAIN, "ddos-domain");
}

int
h_ddos_rule_create(struct api_req *r)
{
	json_t *out = NULL;

	snprintf(r->detail, sizeof(r->detail), "object=%lld action=%.16s cidr=%.64s",
	    (long long)jsonv_int(r->body, "object_id", 0), jsonv_str(r->body, "action", ""),
	    jsonv_str(r->body, "cidr", "-"));
	if (ddos_rule_create(r->ctx->db, &r->who, r->body, &out, &r->err) < 0)
		return -1;
	return done(r, 201, out, "ddos-rule", id_of(out));
}

int
h_ddos_rule_list(struct api_req *r)
{
	return api_items(r, ddos_rule_list(r->ctx->db, &r->who, r->query));
}

int
h_ddos_rule_delete(struct api_req *r)
{
	return part_delete(r, DDOS_RULE, "ddos-rule");
}

int
h_ddos_attack_list(struct api_req *r)
{
	return api_items(r, ddos_attack_list(r->ctx->db, &r->who, r->query));
}

int
h_ddos_attack_get(struct api_req *r)
{
	json_t *a = ddos_attack_get(r->ctx->db, &r->who, r->id, &r->err);

	return a ? api_ok(r, 200, a) : -1;
}
