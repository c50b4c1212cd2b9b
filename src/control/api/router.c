/*
 * router: one request from bytes to reply. The order matters: route, size,
 * schema, rate limit, authentication, authorisation, then the handler, so
 * that nothing reaches domain code unchecked; every write route ends in the
 * audit trail whatever its result.
 */
#include "api.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <sys/queue.h>
#include <event2/keyvalq_struct.h>

#include <event2/bufferevent_ssl.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "audit.h"
#include "log.h"

#define MAX_SEGMENTS 8

static const struct {
	const char *code;
	int status;
} statuses[] = {
	{ "invalid_json", 400 }, { "invalid_field", 400 }, { "missing_field", 400 },
	{ "unknown_field", 400 }, { "bad_request", 400 }, { "password_policy", 400 },
	{ "unauthorized", 401 }, { "invalid_credentials", 401 }, { "mfa_required", 401 },
	{ "invalid_otp", 401 }, { "forbidden", 403 }, { "password_change_required", 403 },
	{ "mfa_enrollment_required", 403 }, { "tenant_not_active", 403 },
	{ "user_disabled", 403 }, { "not_found", 404 }, { "method_not_allowed", 405 },
	{ "conflict", 409 }, { "body_too_large", 413 }, { "unsupported_media_type", 415 },
	{ "quota_exceeded", 422 }, { "invalid_feed", 422 }, { "account_locked", 423 }, { "rate_limited", 429 },
	{ "internal", 500 },
};

int
api_status_of(const char *code)
{
	for (size_t i = 0; code && i < sizeof(statuses) / sizeof(statuses[0]); i++)
		if (strcmp(statuses[i].code, code) == 0)
			return statuses[i].status;
	return 500;
}

/* Strict positive decimal id, at most 2^53 so that JSON clients keep it exact. */
static int
parse_id(const char *s, size_t len, int64_t *out)
{
	int64_t v = 0;

	if (len == 0 || len > 16 || s[0] == '0')
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	if (v > (1LL << 53))
		return -1;
	*out = v;
	return 0;
}

/* Does path match pattern? Segments compare literally except "{id}". */
static bool
path_matches(const char *pattern, const char *path, int64_t *id)
{
	const char *p = pattern, *q = path;

	while (*p && *q) {
		const char *pe = strchr(p + 1, '/'), *qe = strchr(q + 1, '/');
		size_t pl = pe ? (size_t)(pe - p) : strlen(p), ql = qe ? (size_t)(qe - q) : strlen(q);

		if (*p != '/' || *q != '/')
			return false;
		if (pl == 5 && memcmp(p, "/{id}", 5) == 0) {
			if (parse_id(q + 1, ql - 1, id) < 0)
				return false;
		} else if (pl != ql || memcmp(p, q, pl) != 0) {
			return false;
		}
		p += pl;
		q += ql;
	}
	return *p == '\0' && *q == '\0';
}

const struct route *
api_route_find(const char *method, const char *path, int64_t *id, int *status)
{
	bool path_seen = false;

	*status = 404;
	if (strlen(path) > 256)
		return NULL;
	for (const struct route *rt = api_routes; rt->method; rt++) {
		int64_t v = 0;

		if (!path_matches(rt->path, path, &v))
			continue;
		path_seen = true;
		if (strcmp(rt->method, method) == 0) {
			*id = v;
			return rt;
		}
	}
	if (path_seen)
		*status = 405;
	return NULL;
}

json_t *
api_parse_body(const struct route *rt, const char *text, size_t len, struct jsonv_error *e)
{
	json_t *body = jsonv_parse(text, len, e);

	if (body == NULL)
		return NULL;
	if (jsonv_check(body, rt->body, e) < 0) {
		json_decref(body);
		return NULL;
	}
	return body;
}

static const struct jsonv_field *
query_field(const struct route *rt, const char *name)
{
	for (const struct jsonv_field *f = rt->query; f && f->name; f++)
		if (strcmp(f->name, name) == 0)
			return f;
	return NULL;
}

json_t *
api_parse_query(const struct route *rt, const char *query, struct jsonv_error *e)
{
	struct evkeyvalq q;
	struct evkeyval *kv;
	json_t *out = json_object();

	if (out == NULL)
		return NULL;
	if (query == NULL || *query == '\0')
		goto check;
	TAILQ_INIT(&q);
	if (strlen(query) > 4096 || evhttp_parse_query_str(query, &q) < 0) {
		json_decref(out);
		e->code = "bad_request";
		snprintf(e->message, sizeof(e->message), "malformed query string");
		return NULL;
	}
	TAILQ_FOREACH(kv, &q, next) {
		const struct jsonv_field *f = query_field(rt, kv->key);
		json_t *v;

		if (f == NULL || json_object_get(out, kv->key)) {
			e->code = f ? "invalid_field" : "unknown_field";
			snprintf(e->message, sizeof(e->message), f ? "%.64s: given twice"
			    : "unknown query parameter '%.64s'", kv->key);
			goto fail;
		}
		if (f->type == JSONV_INT) {
			char *end;
			long long n;

			errno = 0;
			n = strtoll(kv->value, &end, 10);
			if (*kv->value == '\0' || *end != '\0' || errno != 0) {
				e->code = "invalid_field";
				snprintf(e->message, sizeof(e->message), "%.64s: must be an integer",
				    kv->key);
				goto fail;
			}
			v = json_integer(n);
		} else if (f->type == JSONV_BOOL) {
			if (strcmp(kv->value, "true") != 0 && strcmp(kv->value, "false") != 0 &&
			    strcmp(kv->value, "1") != 0 && strcmp(kv->value, "0") != 0) {
				e->code = "invalid_field";
				snprintf(e->message, sizeof(e->message), "%.64s: must be true or false",
				    kv->key);
				goto fail;
			}
			v = json_boolean(kv->value[0] == 't' || kv->value[0] == '1');
		} else {
			v = json_string(kv->value);
			if (v == NULL) {
				e->code = "invalid_field";
				snprintf(e->message, sizeof(e->message), "%.64s: must be UTF-8 text",
				    kv->key);
				goto fail;
			}
		}
		json_object_set_new(out, kv->key, v);
	}
	evhttp_clear_headers(&q);
check:
	if (jsonv_check(out, rt->query, e) < 0) {
		json_decref(out);
		return NULL;
	}
	return out;
fail:
	evhttp_clear_headers(&q);
	json_decref(out);
	return NULL;
}

int
api_ok(struct api_req *r, int status, json_t *resp)
{
	r->status = status;
	json_decref(r->resp);
	r->resp = resp ? resp : json_object();
	return 0;
}

int
api_items(struct api_req *r, json_t *items)
{
	if (items == NULL)
		return ys_fail(&r->err, "internal", "cannot read the store");
	return api_ok(r, 200, json_pack("{s:o}", "items", items));
}

void
api_target(struct api_req *r, const char *kind, int64_t id)
{
	snprintf(r->target, sizeof(r->target), "%s/%lld", kind, (long long)id);
}

void
api_detail_changed(struct api_req *r)
{
	const char *key;
	json_t *v;
	size_t n = 0;

	json_object_foreach(r->body, key, v) {
		int k = snprintf(r->detail + n, sizeof(r->detail) - n, "%s%s", n ? "," : "changed=",
		    key);

		if (k < 0 || (size_t)k >= sizeof(r->detail) - n)
			break;
		n += (size_t)k;
	}
}

/* Headers on every answer, JSON or streamed: nothing is cached, nothing is
 * sniffed, framed or fetched by a browser, and HTTPS is sticky (the API
 * is HTTPS only). yunshou's own network scanner flagged their absence. */
void
api_common_headers(struct evkeyvalq *h)
{
	evhttp_add_header(h, "Cache-Control", "no-store");
	evhttp_add_header(h, "X-Content-Type-Options", "nosniff");
	evhttp_add_header(h, "X-Frame-Options", "DENY");
	evhttp_add_header(h, "Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'");
	evhttp_add_header(h, "Strict-Transport-Security", "max-age=31536000");
}

const char *
api_qstr(struct api_req *r, const char *name)
{
	return jsonv_str(r->query, name, NULL);
}

int64_t
api_qint(struct api_req *r, const char *name, int64_t def)
{
	return jsonv_int(r->query, name, def);
}

static void
reply(struct api_req *r)
{
	struct evbuffer *buf;
	struct evkeyvalq *h;
	char *text;
	int status = r->status;
	json_t *body;

	if (r->ev == NULL || r->replied)
		return;
	if (r->err.code) {
		status = api_status_of(r->err.code);
		body = json_pack("{s:{s:s, s:s}}", "error", "code", r->err.code,
		    "message", r->err.msg);
		if (r->err.retry_after > 0)
			json_object_set_new(json_object_get(body, "error"), "retry_after",
			    json_integer(r->err.retry_after));
	} else {
		body = json_incref(r->resp ? r->resp : json_object());
	}
	text = json_dumps(body, JSON_COMPACT);
	json_decref(body);
	h = evhttp_request_get_output_headers(r->ev);
	evhttp_add_header(h, "Content-Type", "application/json; charset=utf-8");
	api_common_headers(h);
	if (r->err.code && r->err.retry_after > 0) {
		char ra[32];

		snprintf(ra, sizeof(ra), "%lld", r->err.retry_after);
		evhttp_add_header(h, "Retry-After", ra);
	}
	buf = evbuffer_new();
	if (text)
		evbuffer_add(buf, text, strlen(text));
	evhttp_send_reply(r->ev, status ? status : 200, NULL, buf);
	evbuffer_free(buf);
	free(text);
}

static const char *
bearer(struct evhttp_request *ev)
{
	const char *h = evhttp_find_header(evhttp_request_get_input_headers(ev), "Authorization");

	if (h == NULL || strncasecmp(h, "Bearer ", 7) != 0)
		return NULL;
	return h + 7;
}

static void
record(struct api_req *r, bool ok)
{
	struct audit_entry e = {
		.actor = r->actor[0] ? r->actor : "-",
		.actor_id = r->actor_id,
		.tenant_id = r->audit_tenant,
		.source = r->source,
		.action = r->route->action,
		.target = r->target,
		.result = ok ? "ok" : r->err.code,
		.detail = r->detail,
	};

	if (!ok && r->err.code && r->detail[0] == '\0')
		snprintf(r->detail, sizeof(r->detail), "%s", r->err.msg);
	if (audit_append(r->ctx->db, &e) < 0 && ok)
		ys_fail(&r->err, "internal", "cannot write the audit trail; nothing was changed");
}

/* A node is who its verified client certificate says, unless revoked. */
static int
admit_node(struct api_req *r)
{
	struct evhttp_connection *con = r->ev ? evhttp_request_get_connection(r->ev) : NULL;
	struct bufferevent *bev = con ? evhttp_connection_get_bufferevent(con) : NULL;
	SSL *ssl = bev ? bufferevent_openssl_get_ssl(bev) : NULL;
	X509 *peer = ssl ? SSL_get0_peer_certificate(ssl) : NULL;
	BIGNUM *bn = NULL;
	char *hex = NULL;
	int rc;

	if (peer == NULL || SSL_get_verify_result(ssl) != X509_V_OK ||
	    (bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(peer), NULL)) == NULL ||
	    (hex = BN_bn2hex(bn)) == NULL) {
		BN_free(bn);
		return ys_fail(&r->err, "unauthorized", "a node client certificate is required");
	}
	rc = nodes_authenticate(r->ctx->db, hex, &r->node, &r->err);
	OPENSSL_free(hex);
	BN_free(bn);
	if (rc < 0)
		return -1;
	snprintf(r->actor, sizeof(r->actor), "node-%lld", (long long)r->node.node_id);
	r->audit_tenant = r->node.tenant_id;
	r->authed = true;
	return 0;
}

/* The body's type, then body and query against the route's schemas. */
static int
admit_input(struct api_req *r, const char *body, size_t len, const char *query)
{
	struct jsonv_error je = { NULL, "" };

	if (len > 0 && r->ev) {
		const char *ct = evhttp_find_header(evhttp_request_get_input_headers(r->ev),
		    "Content-Type");

		if (ct && strncasecmp(ct, "application/json", 16) != 0)
			return ys_fail(&r->err, "unsupported_media_type",
			    "send the body as application/json");
	}
	if ((r->body = api_parse_body(r->route, body, len, &je)) == NULL ||
	    (r->query = api_parse_query(r->route, query, &je)) == NULL)
		return ys_fail(&r->err, je.code, "%s", je.message);
	return 0;
}

/* Checks before the handler; 0 when the handler may run. The caller is
 * identified before its input is looked at, so that nobody learns a
 * route's schema without the right to call it. */
static int
admit(struct api_req *r, const char *body, size_t len, const char *query)
{
	const struct route *rt = r->route;
	const struct conf *c = r->conf;
	long long limit = rt->flags & ROUTE_NODE ? c->node_max_body_bytes : c->max_body_bytes;
	int64_t wait = 0;

	if ((long long)len > limit)
		return ys_fail(&r->err, "body_too_large", "request body is larger than %lld bytes",
		    limit);
	if (rt->flags & ROUTE_RATE_LOGIN)
		wait = ratelimit_take(r->ctx->rl, "login", r->source, c->login_rate_per_minute, 60);
	else if (rt->flags & ROUTE_RATE_REGISTER)
		wait = ratelimit_take(r->ctx->rl, "register", r->source,
		    c->registration_rate_per_hour, 3600);
	if (wait > 0) {
		ys_fail(&r->err, "rate_limited", "too many requests from %s; retry in %lld seconds",
		    r->source, (long long)wait);
		r->err.retry_after = wait;
		return -1;
	}
	if (rt->flags & ROUTE_PUBLIC)
		return admit_input(r, body, len, query);
	if (rt->flags & ROUTE_NODE)
		return admit_node(r) < 0 ? -1 : admit_input(r, body, len, query);
	if (auth_resolve(r->ctx->db, c, r->ev ? bearer(r->ev) : NULL, &r->who, &r->err) < 0)
		return -1;
	r->authed = true;
	snprintf(r->actor, sizeof(r->actor), "%s", r->who.username);
	r->actor_id = r->who.user_id;
	r->audit_tenant = r->who.tenant_id;
	if (!(rt->roles & r->who.role))
		return ys_fail(&r->err, "forbidden", "role %s may not call %s %s",
		    role_name(r->who.role), rt->method, rt->path);
	if (!(rt->flags & ROUTE_RESTRICTED_OK)) {
		if (r->who.must_change_password)
			return ys_fail(&r->err, "password_change_required",
			    "change the one-time password first (yunshou passwd)");
		if (r->who.needs_mfa_enrollment)
			return ys_fail(&r->err, "mfa_enrollment_required",
			    "administrators must enrol MFA first (yunshou mfa setup / mfa enable)");
	}
	return admit_input(r, body, len, query);
}

static void
peer(struct evhttp_request *ev, char *out, size_t outsz)
{
	struct evhttp_connection *con = evhttp_request_get_connection(ev);
	char *addr = NULL;
	ev_uint16_t port = 0;

	if (con)
		evhttp_connection_get_peer(con, &addr, &port);
	snprintf(out, outsz, "%s", addr ? addr : "-");
}

void
api_dispatch(struct evhttp_request *ev, void *arg)
{
	struct api_ctx *ctx = arg;
	struct api_req r;
	const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(ev);
	const char *path = uri ? evhttp_uri_get_path(uri) : NULL;
	const char *method;
	struct evbuffer *in = evhttp_request_get_input_buffer(ev);
	size_t len = evbuffer_get_length(in);
	char *body = NULL;
	int status;
	bool write;

	memset(&r, 0, sizeof(r));
	r.ev = ev;
	r.ctx = ctx;
	r.conf = ctx->conf();
	peer(ev, r.source, sizeof(r.source));
	switch (evhttp_request_get_command(ev)) {
	case EVHTTP_REQ_GET: method = "GET"; break;
	case EVHTTP_REQ_POST: method = "POST"; break;
	case EVHTTP_REQ_DELETE: method = "DELETE"; break;
	case EVHTTP_REQ_PUT: method = "PUT"; break;
	case EVHTTP_REQ_PATCH: method = "PATCH"; break;
	case EVHTTP_REQ_HEAD: method = "HEAD"; break;
	case EVHTTP_REQ_OPTIONS: method = "OPTIONS"; break;
	case EVHTTP_REQ_TRACE: method = "TRACE"; break;
	default: method = "OTHER"; break;
	}
	r.route = path ? api_route_find(method, path, &r.id, &status) : NULL;
	/* The node listener serves node routes (and public ones) only; the
	 * user listener never serves node routes. */
	if (r.route && ctx->node_port != ((r.route->flags & ROUTE_NODE) != 0) &&
	    !(ctx->node_port && (r.route->flags & ROUTE_PUBLIC))) {
		r.route = NULL;
		status = 404;
	}
	if (r.route == NULL) {
		if (path == NULL)
			status = 400;
		ys_fail(&r.err, status == 405 ? "method_not_allowed" : status == 400 ?
		    "bad_request" : "not_found", status == 405 ? "method %s not allowed here" :
		    status == 400 ? "malformed request target%s" : "no such endpoint%s",
		    status == 405 ? method : "");
		reply(&r);
		return;
	}
	write = r.route->action != NULL;
	if ((long long)len <= r.conf->node_max_body_bytes || (long long)len <= r.conf->max_body_bytes) {
		body = malloc(len + 1);
		if (body) {
			evbuffer_copyout(in, body, len);
			body[len] = '\0';
		}
	}
	/* An oversized body is not copied; admit() refuses it by its length. */
	if (admit(&r, body ? body : "", len, uri ? evhttp_uri_get_query(uri) : NULL) < 0) {
		if (write)
			record(&r, false);
		goto out;
	}
	if (!write) {
		r.route->fn(&r);
		goto out;
	}
	if (r.route->flags & ROUTE_OWN_TX) {
		/* Long work (a download): the handler takes the write lock only
		 * for its own short transaction; the audit entry follows. */
		record(&r, r.route->fn(&r) == 0 && r.err.code == NULL);
		goto out;
	}
	if (db_begin(ctx->db) < 0) {
		ys_fail(&r.err, "internal", "the store is busy; try again");
		goto out;
	}
	if (r.route->fn(&r) == 0 && r.err.code == NULL) {
		record(&r, true);
		if (r.err.code == NULL && db_commit(ctx->db) == 0)
			goto out;
		db_rollback(ctx->db);
		if (r.err.code == NULL)
			ys_fail(&r.err, "internal", "cannot commit; nothing was changed");
		goto out;
	}
	if (r.commit_on_error) {
		record(&r, false);
		db_commit(ctx->db);
	} else {
		db_rollback(ctx->db);
		record(&r, false);
	}
out:
	if (r.err.code && strcmp(r.err.code, "internal") == 0)
		log_err("api: %s %s: %s", method, path, r.err.msg);
	reply(&r);
	free(body);
	json_decref(r.body);
	json_decref(r.query);
	json_decref(r.resp);
}
