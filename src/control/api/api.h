/*
 * api: the HTTP face of yunshoud. A request is matched against the route
 * table (routes.c: method, path, handler, roles, flags, audit action, body
 * and query schemas), its body and query are validated, the caller is
 * authenticated and authorised, and the handler runs — inside a
 * transaction with its audit entry when the route changes state. Handlers
 * translate between JSON and domain calls; they never build SQL.
 */
#ifndef YS_API_H
#define YS_API_H

#include <stdbool.h>
#include <stdint.h>

#include <event2/http.h>
#include <jansson.h>
#include <openssl/evp.h>

#include "auth.h"
#include "conf.h"
#include "db.h"
#include "err.h"
#include "jsonv.h"
#include "nodes.h"
#include "ratelimit.h"

/* What a worker thread lends each request. */
struct api_ctx {
	struct db *db;
	const struct conf *(*conf)(void);	/* the current configuration */
	struct ratelimit *rl;
	EVP_PKEY *key;				/* signing key: checkpoints, bundles */
	const char *state_dir;			/* CA for node enrolment */
	bool node_port;				/* the mTLS listener for nodes */
};

struct api_req;
typedef int (*api_handler)(struct api_req *r);

enum route_flags {
	ROUTE_PUBLIC = 1 << 0,		/* no authentication */
	ROUTE_RESTRICTED_OK = 1 << 1,	/* callable before password change / MFA enrolment */
	ROUTE_RATE_LOGIN = 1 << 2,
	ROUTE_RATE_REGISTER = 1 << 3,
	ROUTE_RAW_BODY = 1 << 4,	/* handler writes the reply itself (streams) */
	ROUTE_NODE = 1 << 5,		/* mTLS node API: the client certificate authenticates */
	ROUTE_TELEMETRY = 1 << 6,	/* node telemetry: kept in its own tables, not audited */
	ROUTE_OWN_TX = 1 << 7,		/* the handler makes its own transaction (long work
					 * first); the audit entry is written after it */
};

struct route {
	const char *method;
	const char *path;		/* "/v1/orders/{id}/approve" */
	api_handler fn;
	unsigned roles;			/* ROLE_* bits; ignored for ROUTE_PUBLIC */
	unsigned flags;
	const char *action;		/* audit action; NULL for reads */
	const struct jsonv_field *body;
	const struct jsonv_field *query;
};

struct api_req {
	struct evhttp_request *ev;	/* NULL in tests and fuzzing */
	struct api_ctx *ctx;
	const struct conf *conf;
	const struct route *route;
	int64_t id;			/* the {id} path parameter */
	json_t *body;
	json_t *query;
	struct principal who;
	struct node_principal node;	/* ROUTE_NODE */
	bool authed;
	char source[64];
	/* response */
	int status;
	json_t *resp;
	struct ys_err err;
	bool replied;			/* ROUTE_RAW_BODY handlers */
	/* audit */
	char actor[72];
	int64_t actor_id;
	int64_t audit_tenant;
	char target[96];
	char detail[512];
	bool commit_on_error;
};

extern const struct route api_routes[];

/* Find the route for method and path. Returns it and sets *id, or NULL with
 * *status 404 (no such path) or 405 (path exists, other method). */
const struct route *api_route_find(const char *method, const char *path, int64_t *id,
    int *status);
/* Validate a body / a raw query string against a route's schemas; NULL with
 * e filled on failure. The query yields an object of typed values. */
json_t *api_parse_body(const struct route *rt, const char *text, size_t len,
    struct jsonv_error *e);
json_t *api_parse_query(const struct route *rt, const char *query, struct jsonv_error *e);
int api_status_of(const char *code);

/* The evhttp callback: everything above for one request, then the reply. */
void api_dispatch(struct evhttp_request *req, void *arg);

/* Helpers for handlers. */
int api_ok(struct api_req *r, int status, json_t *resp);	/* takes resp */
int api_items(struct api_req *r, json_t *items);		/* {"items": items} */
void api_target(struct api_req *r, const char *kind, int64_t id);
/* The audit detail "changed=<body member names>" of an update. */
void api_detail_changed(struct api_req *r);
const char *api_qstr(struct api_req *r, const char *name);
void api_common_headers(struct evkeyvalq *h);
int64_t api_qint(struct api_req *r, const char *name, int64_t def);

#endif
