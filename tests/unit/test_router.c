/*
 * test_router: the request front door as a client meets it. Every
 * documented route is reachable; unknown paths answer 404 and known paths
 * with another method 405; malformed ids never reach a handler; bodies and
 * query strings are refused with the documented codes; every error code of
 * docs/API.md maps to the status the table there promises; and the route
 * table keeps its own rules (writes are audited, private routes name roles).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "api.h"

static const struct route *
find(const char *method, const char *path, int64_t *id, int *status)
{
	*id = -7;
	*status = 0;
	return api_route_find(method, path, id, status);
}

static const struct route *
route_of(const char *method, const char *path)
{
	int64_t id;
	int status;
	const struct route *rt = find(method, path, &id, &status);

	assert_non_null(rt);
	return rt;
}

static void
sample_path(const char *pattern, char *out, size_t outsz)
{
	const char *p = strstr(pattern, "{id}");

	if (p == NULL)
		snprintf(out, outsz, "%s", pattern);
	else
		snprintf(out, outsz, "%.*s42%s", (int)(p - pattern), pattern, p + 4);
}

static void
test_every_route_matches(void **state)
{
	size_t n = 0;

	(void)state;
	for (const struct route *rt = api_routes; rt->method; rt++, n++) {
		char path[256];
		int64_t id;
		int status;
		const struct route *got;

		sample_path(rt->path, path, sizeof(path));
		got = find(rt->method, path, &id, &status);
		if (got != rt)
			fprintf(stderr, "%s %s -> %s\n", rt->method, path, got ? got->path : "none");
		assert_ptr_equal(got, rt);
		assert_int_equal(id, strstr(rt->path, "{id}") ? 42 : 0);
	}
	assert_true(n >= 40);
}

static void
test_unknown_and_wrong_method(void **state)
{
	static const char *const unknown[] = {
		"/v1/nope", "/v2/health", "/v1/health/", "/v1//health", "/v1", "/", "",
		"v1/health", "/v1/orders/42/approve/now", "/v1/orders/42/", "/v1/HEALTH",
		"/v1/orders/{id}", "/v1/orders/42/approve?x=1", "/v1/tenants/42/delete",
	};
	static const char *const wrong[][2] = {
		{ "POST", "/v1/health" }, { "DELETE", "/v1/orders/42" }, { "PUT", "/v1/orders" },
		{ "GET", "/v1/orders/42/approve" }, { "GET", "/v1/auth/login" },
		{ "PATCH", "/v1/apikeys/42" }, { "get", "/v1/health" },
	};
	char longpath[400];
	int64_t id;
	int status;

	(void)state;
	for (size_t i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++) {
		assert_null(find("GET", unknown[i], &id, &status));
		assert_int_equal(status, 404);
	}
	for (size_t i = 0; i < sizeof(wrong) / sizeof(wrong[0]); i++) {
		assert_null(find(wrong[i][0], wrong[i][1], &id, &status));
		assert_int_equal(status, 405);
	}
	memset(longpath, 'a', sizeof(longpath) - 1);
	longpath[0] = '/';
	longpath[sizeof(longpath) - 1] = '\0';
	assert_null(find("GET", longpath, &id, &status));
	assert_int_equal(status, 404);
}

static void
test_malformed_ids(void **state)
{
	static const char *const bad[] = {
		"0", "-1", "01", "1e3", "99999999999999999999", "12a", "+1", " 1", "1 ", "0x10",
		"9007199254740993", "", "%31", "1.0",
	};
	char path[128];
	int64_t id;
	int status;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(path, sizeof(path), "/v1/orders/%s", bad[i]);
		assert_null(find("GET", path, &id, &status));
		assert_int_equal(status, 404);
		snprintf(path, sizeof(path), "/v1/orders/%s/approve", bad[i]);
		assert_null(find("POST", path, &id, &status));
		assert_int_equal(status, 404);
	}
	/* The largest id a JSON client keeps exact is still an id. */
	assert_non_null(find("GET", "/v1/orders/9007199254740992", &id, &status));
	assert_int_equal(id, 9007199254740992LL);
	assert_non_null(find("GET", "/v1/orders/1", &id, &status));
	assert_int_equal(id, 1);
}

static const char *
body_code(const struct route *rt, const char *text)
{
	struct jsonv_error e = { NULL, "" };
	json_t *v = api_parse_body(rt, text, strlen(text), &e);

	if (v == NULL) {
		assert_non_null(e.code);
		assert_true(e.message[0] != '\0');
		return e.code;
	}
	json_decref(v);
	return "ok";
}

static void
test_parse_body(void **state)
{
	const struct route *login = route_of("POST", "/v1/auth/login");
	const struct route *order = route_of("POST", "/v1/orders");
	const struct route *resume = route_of("POST", "/v1/tenants/42/resume");

	(void)state;
	assert_string_equal(body_code(login, "{\"username\":\"alice\",\"password\":\"pw\"}"), "ok");
	assert_string_equal(body_code(login,
	    "{\"username\":\"alice\",\"password\":\"pw\",\"otp\":\"123456\"}"), "ok");
	assert_string_equal(body_code(login,
	    "{\"username\":\"alice\",\"password\":\"pw\",\"admin\":true}"), "unknown_field");
	assert_string_equal(body_code(login, "{\"username\":1,\"password\":\"pw\"}"), "invalid_field");
	assert_string_equal(body_code(login, "{\"username\":\"\",\"password\":\"pw\"}"),
	    "invalid_field");
	assert_string_equal(body_code(login, "{\"username\":\"alice\"}"), "missing_field");
	assert_string_equal(body_code(login, ""), "missing_field");
	assert_string_equal(body_code(login, "{\"username\":\"alice\",\"password\":"), "invalid_json");
	assert_string_equal(body_code(login, "[\"alice\"]"), "invalid_json");
	assert_string_equal(body_code(login, "\"alice\""), "invalid_json");

	assert_string_equal(body_code(order, "{\"plan_id\":1,\"quantity\":3,\"months\":12}"), "ok");
	assert_string_equal(body_code(order, "{\"plan_id\":1,\"quantity\":0,\"months\":12}"),
	    "invalid_field");
	assert_string_equal(body_code(order, "{\"plan_id\":1,\"quantity\":100001,\"months\":12}"),
	    "invalid_field");
	assert_string_equal(body_code(order, "{\"plan_id\":1,\"quantity\":3,\"months\":\"12\"}"),
	    "invalid_field");
	assert_string_equal(body_code(order, "{\"plan_id\":1,\"quantity\":3.0,\"months\":12}"),
	    "invalid_field");
	assert_string_equal(body_code(order, "{\"plan_id\":1,\"quantity\":3}"), "missing_field");
	assert_string_equal(body_code(order,
	    "{\"plan_id\":1,\"quantity\":3,\"months\":12,\"total_fen\":1}"), "unknown_field");

	/* Routes without a body take nothing or {}. */
	assert_string_equal(body_code(resume, ""), "ok");
	assert_string_equal(body_code(resume, " {} "), "ok");
	assert_string_equal(body_code(resume, "{\"x\":1}"), "unknown_field");
}

static json_t *
query(const struct route *rt, const char *q, const char **code)
{
	struct jsonv_error e = { NULL, "" };
	json_t *v = api_parse_query(rt, q, &e);

	*code = v ? "ok" : e.code;
	return v;
}

static const char *
query_code(const struct route *rt, const char *q)
{
	const char *code;

	json_decref(query(rt, q, &code));
	return code;
}

static void
test_parse_query(void **state)
{
	const struct route *audit = route_of("GET", "/v1/audit");
	const struct route *plans = route_of("GET", "/v1/plans");
	const struct route *health = route_of("GET", "/v1/health");
	const char *code;
	json_t *v;

	(void)state;
	v = query(audit, "limit=10&action=order.approve&actor=a%20b&tenant_id=3", &code);
	assert_non_null(v);
	assert_int_equal(json_integer_value(json_object_get(v, "limit")), 10);
	assert_int_equal(json_integer_value(json_object_get(v, "tenant_id")), 3);
	assert_string_equal(json_string_value(json_object_get(v, "action")), "order.approve");
	assert_string_equal(json_string_value(json_object_get(v, "actor")), "a b");
	json_decref(v);
	v = query(audit, NULL, &code);
	assert_int_equal(json_object_size(v), 0);
	json_decref(v);
	v = query(audit, "", &code);
	assert_int_equal(json_object_size(v), 0);
	json_decref(v);

	assert_string_equal(query_code(audit, "verbose=1"), "unknown_field");
	assert_string_equal(query_code(health, "x=1"), "unknown_field");
	assert_string_equal(query_code(audit, "limit=1&limit=2"), "invalid_field");
	assert_string_equal(query_code(audit, "limit=abc"), "invalid_field");
	assert_string_equal(query_code(audit, "limit=10x"), "invalid_field");
	assert_string_equal(query_code(audit, "limit="), "invalid_field");
	assert_string_equal(query_code(audit, "limit=1.5"), "invalid_field");
	assert_string_equal(query_code(audit, "limit=99999999999999999999"), "invalid_field");
	assert_string_equal(query_code(audit, "limit=5000"), "invalid_field");
	assert_string_equal(query_code(audit, "limit=0"), "invalid_field");
	assert_string_equal(query_code(audit, "actor="), "invalid_field");

	v = query(plans, "all=true&service=waf", &code);
	assert_true(json_is_true(json_object_get(v, "all")));
	json_decref(v);
	v = query(plans, "all=0", &code);
	assert_true(json_is_false(json_object_get(v, "all")));
	json_decref(v);
	assert_string_equal(query_code(plans, "all=yes"), "invalid_field");
}

/* Every code in the error table of docs/API.md, with its status. */
static void
test_status_codes_match_docs(void **state)
{
	char path[512], line[1024];
	size_t codes = 0;
	FILE *f;

	(void)state;
	snprintf(path, sizeof(path), "%s/docs/API.md", YS_SOURCE_DIR);
	f = fopen(path, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		char *p = line, *q;
		int status;

		while (*p == ' ')
			p++;
		if (sscanf(p, "| %d |", &status) != 1 || status < 400 || status > 599)
			continue;
		p = strchr(p + 1, '|') + 1;
		/* Backquoted words before any parenthesis-free prose are codes. */
		while ((p = strchr(p, '`')) != NULL && (q = strchr(p + 1, '`')) != NULL) {
			char code[64];

			snprintf(code, sizeof(code), "%.*s", (int)(q - p - 1), p + 1);
			p = q + 1;
			if (strcmp(code, "retry_after") == 0 || strcmp(code, "Retry-After") == 0)
				continue;	/* a field and a header named in the prose */
			if (api_status_of(code) != status)
				fprintf(stderr, "%s: docs say %d, router says %d\n", code, status,
				    api_status_of(code));
			assert_int_equal(api_status_of(code), status);
			codes++;
		}
	}
	fclose(f);
	assert_true(codes >= 23);
	assert_int_equal(api_status_of("no_such_code"), 500);
	assert_int_equal(api_status_of(NULL), 500);
}

static void
test_route_table_rules(void **state)
{
	(void)state;
	for (const struct route *rt = api_routes; rt->method; rt++) {
		bool write = strcmp(rt->method, "GET") != 0;

		assert_non_null(rt->fn);
		assert_non_null(rt->body);
		assert_non_null(rt->query);
		assert_int_equal(strncmp(rt->path, "/v1/", 4), 0);
		assert_true(strcmp(rt->method, "GET") == 0 || strcmp(rt->method, "POST") == 0 ||
		    strcmp(rt->method, "DELETE") == 0);
		/* Every write is audited, except node telemetry (heartbeats,
		 * events), which is kept in its own tables. */
		if (write && rt->action == NULL && !(rt->flags & ROUTE_TELEMETRY))
			fprintf(stderr, "%s %s: write route without audit action\n", rt->method,
			    rt->path);
		assert_true((write && !(rt->flags & ROUTE_TELEMETRY)) == (rt->action != NULL));
		if (rt->flags & ROUTE_TELEMETRY)
			assert_true(rt->flags & ROUTE_NODE);
		if (!(rt->flags & (ROUTE_PUBLIC | ROUTE_NODE))) {
			assert_true(rt->roles != 0);
			assert_int_equal(rt->roles & ~(unsigned)ROLES_ANY, 0);
		}
		/* Reads take no body. */
		if (!write)
			assert_null(rt->body[0].name);
		/* One row per method and path. */
		for (const struct route *o = rt + 1; o->method; o++)
			assert_false(strcmp(o->method, rt->method) == 0 &&
			    strcmp(o->path, rt->path) == 0);
	}
	/* Exactly the documented public routes. */
	assert_true(route_of("GET", "/v1/health")->flags & ROUTE_PUBLIC);
	assert_true(route_of("POST", "/v1/auth/login")->flags & ROUTE_PUBLIC);
	assert_true(route_of("POST", "/v1/registrations")->flags & ROUTE_PUBLIC);
	/* A node's bootstrap: the CA to check, and the enrolment itself. */
	assert_true(route_of("GET", "/v1/ca")->flags & ROUTE_PUBLIC);
	assert_true(route_of("POST", "/v1/nodes/enroll")->flags & ROUTE_PUBLIC);
	{
		int pub = 0;

		for (const struct route *rt = api_routes; rt->method; rt++)
			pub += (rt->flags & ROUTE_PUBLIC) != 0;
		assert_int_equal(pub, 5);
	}
	/* Only admins decide orders; tenants cannot approve their own. */
	assert_int_equal(route_of("POST", "/v1/orders/1/approve")->roles, ROLE_ADMIN);
	assert_int_equal(route_of("POST", "/v1/tenants/1/approve")->roles, ROLE_ADMIN);
	assert_int_equal(route_of("GET", "/v1/audit/verify")->roles & ROLES_TENANT, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_route_matches),
		cmocka_unit_test(test_unknown_and_wrong_method),
		cmocka_unit_test(test_malformed_ids),
		cmocka_unit_test(test_parse_body),
		cmocka_unit_test(test_parse_query),
		cmocka_unit_test(test_status_codes_match_docs),
		cmocka_unit_test(test_route_table_rules),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
