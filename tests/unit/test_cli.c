/*
 * test_cli: the pure parts of the yunshou CLI. A command line must become
 * exactly the request docs/API.md describes (method, path, query, body),
 * bad input must be a usage error naming the flag, and human output must
 * line up and never pass control characters from the server to the
 * terminal. No network is used.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "cli.h"
#include "output.h"

#define ARGV(...) ((char *[]){ __VA_ARGS__, NULL })
#define ARGC(...) ((int)(sizeof((char *[]){ __VA_ARGS__ }) / sizeof(char *)))
#define BUILD(req, err, ...) \
	cli_build_request(ARGC(__VA_ARGS__), ARGV(__VA_ARGS__), (req), (err), \
	    sizeof(err))

static char body_buf[4096];

/* The body as compact JSON with sorted keys, or "(none)". */
static const char *
body_of(const struct cli_request *req)
{
	char *s;

	if (req->body == NULL)
		return "(none)";
	s = json_dumps(req->body, JSON_COMPACT | JSON_SORT_KEYS);
	assert_non_null(s);
	snprintf(body_buf, sizeof(body_buf), "%s", s);
	free(s);
	return body_buf;
}

static void
expect_request(int rc, const struct cli_request *req, const char *method,
    const char *path, const char *query, const char *body)
{
	assert_int_equal(rc, 0);
	assert_false(req->want_help);
	assert_non_null(req->cmd);
	assert_string_equal(req->cmd->method, method);
	assert_string_equal(req->path, path);
	if (query == NULL)
		assert_null(req->query);
	else
		assert_string_equal(req->query, query);
	assert_string_equal(body_of(req), body);
}

static void
test_order_create(void **state)
{
	struct cli_request req;
	char err[256];
	int rc;

	(void)state;
	rc = BUILD(&req, err, "order", "create", "--plan", "3", "--quantity",
	    "2", "--months=12");
	expect_request(rc, &req, "POST", "/v1/orders", NULL,
	    "{\"months\":12,\"plan_id\":3,\"quantity\":2}");
	cli_request_free(&req);

	/* offline order by an admin: tenant and contract travel together */
	rc = BUILD(&req, err, "order", "create", "--plan", "3", "--quantity",
	    "1", "--months", "6", "--tenant", "9", "--contract", "HT-2026-001");
	expect_request(rc, &req, "POST", "/v1/orders", NULL,
	    "{\"contract_ref\":\"HT-2026-001\",\"months\":6,\"plan_id\":3,"
	    "\"quantity\":1,\"tenant_id\":9}");
	cli_request_free(&req);
}

/* yunshou quarantine: list (optionally one node) and restore NODE_ID --item ID */
static void
test_quarantine(void **state)
{
	struct cli_request req;
	char err[256];
	int rc;

	(void)state;
	rc = BUILD(&req, err, "quarantine", "list");
	expect_request(rc, &req, "GET", "/v1/quarantine", NULL, "(none)");
	cli_request_free(&req);
	rc = BUILD(&req, err, "quarantine", "list", "--node", "7");
	expect_request(rc, &req, "GET", "/v1/quarantine", "node_id=7", "(none)");
	cli_request_free(&req);
	rc = BUILD(&req, err, "quarantine", "restore", "7", "--item", "q0123456789abcdef");
	expect_request(rc, &req, "POST", "/v1/quarantine/7/restore", NULL,
	    "{\"item\":\"q0123456789abcdef\"}");
	cli_request_free(&req);
	assert_int_equal(BUILD(&req, err, "quarantine", "restore", "7"), -1);
	assert_string_equal(err, "missing required option --item ID");
	cli_request_free(&req);
}

static void
test_order_create_errors(void **state)
{
	struct cli_request req;
	char err[256];

	(void)state;
	assert_int_equal(BUILD(&req, err, "order", "create", "--plan", "3",
	    "--quantity", "2"), -1);
	assert_string_equal(err, "missing required option --months N");
	assert_non_null(req.cmd);	/* so main can print its usage */
	assert_string_equal(req.cmd->verb, "create");
	cli_request_free(&req);

	assert_int_equal(BUILD(&req, err, "order", "create", "--plan", "3",
	    "--quantity", "two", "--months", "1"), -1);
	assert_string_equal(err, "--quantity: 'two' is not an integer");
	cli_request_free(&req);

	assert_int_equal(BUILD(&req, err, "order", "create", "--plan", "3x",
	    "--quantity", "2", "--months", "1"), -1);
	assert_string_equal(err, "--plan: '3x' is not an integer");
	cli_request_free(&req);

	assert_int_equal(BUILD(&req, err, "order", "create", "--plan", "3",
	    "--quantity", "100001", "--months", "1"), -1);
	assert_string_equal(err, "--quantity: must be an integer from 1 to 100000");
	cli_request_free(&req);

	assert_int_equal(BUILD(&req, err, "order", "create", "--plan", "3",
	    "--quantity", "1", "--months", "0"), -1);
	assert_string_equal(err, "--months: must be an integer of at least 1");
	cli_request_free(&req);

	assert_int_equal(BUILD(&req, err, "order", "create", "--plan", "3",
	    "--quantity", "1", "--months", "99999999999999999999"), -1);
	assert_string_equal(err, "--months: '99999999999999999999' is not an integer");
	cli_request_free(&req);

	assert_int_equal(BUILD(&req, err, "order", "create", "--plan", "3",
	    "--quantity", "1", "--months", "1", "--tenant", "4"), -1);
	assert_string_equal(err, "option --tenant needs --contract too");
	cli_request_free(&req);

	assert_int_equal(BUILD(&req, err, "order", "create", "--plan", "3",
	    "--plan", "4", "--quantity", "1", "--months", "1"), -1);
	assert_string_equal(err, "option --plan given twice");
	cli_request_free(&req);

	assert_int_equal(BUILD(&req, err, "order", "create", "--plan"), -1);
	assert_string_equal(err, "option --plan needs a value (ID)");
	cli_request_free(&req);

	assert_int_equal(BUILD(&req, err, "order", "create", "--colour", "red"), -1);
	assert_string_equal(err, "unknown option --colour");
	cli_request_free(&req);
}

static void
test_lists_and_query(void **state)
{
	struct cli_request req;
	char err[256];
	int rc;

	(void)state;
	rc = BUILD(&req, err, "order", "list", "--status", "pending");
	expect_request(rc, &req, "GET", "/v1/orders", "status=pending", "(none)");
	assert_non_null(req.cmd->columns);
	assert_string_equal(req.cmd->columns[5], "total_cny");
	cli_request_free(&req);

	rc = BUILD(&req, err, "order", "list");
	expect_request(rc, &req, "GET", "/v1/orders", NULL, "(none)");
	cli_request_free(&req);

	/* query values are URL-encoded; parameters in table order */
	rc = BUILD(&req, err, "audit", "list", "--limit", "50", "--actor",
	    "a b&c=d", "--tenant", "7", "--since", "2026-11-23T08:00:00Z");
	expect_request(rc, &req, "GET", "/v1/audit",
	    "since=2026-11-23T08%3A00%3A00Z&actor=a%20b%26c%3Dd&tenant_id=7&limit=50",
	    "(none)");
	cli_request_free(&req);

	assert_int_equal(BUILD(&req, err, "audit", "list", "--limit", "1001"), -1);
	assert_string_equal(err, "--limit: must be an integer from 1 to 1000");
	cli_request_free(&req);

	rc = BUILD(&req, err, "plan", "list", "--all", "--service", "waf");
	expect_request(rc, &req, "GET", "/v1/plans", "service=waf&all=true",
	    "(none)");
	cli_request_free(&req);

	assert_int_equal(BUILD(&req, err, "plan", "list", "--all=yes"), -1);
	assert_string_equal(err, "option --all takes no value");
	cli_request_free(&req);

	rc = BUILD(&req, err, "quota", "list", "--tenant", "12");
	expect_request(rc, &req, "GET", "/v1/quotas", "tenant_id=12", "(none)");
	cli_request_free(&req);

	rc = BUILD(&req, err, "user", "list", "--tenant", "3");
	expect_request(rc, &req, "GET", "/v1/users", "tenant_id=3", "(none)");
	cli_request_free(&req);

	assert_int_equal(BUILD(&req, err, "order", "list", "5"), -1);
	assert_string_equal(err, "unexpected argument '5'");
	cli_request_free(&req);
}

static void
test_ids_in_path(void **state)
{
	struct cli_request req;
	char err[256];
	int rc;

	(void)state;
	rc = BUILD(&req, err, "tenant", "approve", "7", "--note", "资料齐全");
	expect_request(rc, &req, "POST", "/v1/tenants/7/approve", NULL,
	    "{\"note\":\"资料齐全\"}");
	cli_request_free(&req);

	/* a POST without fields sends an empty object */
	rc = BUILD(&req, err, "tenant", "resume", "7");
	expect_request(rc, &req, "POST", "/v1/tenants/7/resume", NULL, "{}");
	cli_request_free(&req);

	rc = BUILD(&req, err, "subscription", "renew", "--months", "12", "31");
	expect_request(rc, &req, "POST", "/v1/subscriptions/31/renew", NULL,
	    "{\"months\":12}");
	cli_request_free(&req);

	rc = BUILD(&req, err, "subscription", "change", "31", "--quantity", "5");
	expect_request(rc, &req, "POST", "/v1/subscriptions/31/change", NULL,
	    "{\"quantity\":5}");
	cli_request_free(&req);

	rc = BUILD(&req, err, "apikey", "revoke", "4");
	expect_request(rc, &req, "DELETE", "/v1/apikeys/4", NULL, "(none)");
	cli_request_free(&req);

	rc = BUILD(&req, err, "order", "reject", "8", "--reason", "no contract");
	expect_request(rc, &req, "POST", "/v1/orders/8/reject", NULL,
	    "{\"reason\":\"no contract\"}");
	cli_request_free(&req);

	assert_int_equal(BUILD(&req, err, "tenant", "show"), -1);
	assert_string_equal(err, "missing ID");
	cli_request_free(&req);

	assert_int_equal(BUILD(&req, err, "tenant", "show", "../users"), -1);
	assert_string_equal(err, "ID: '../users' is not an integer");
	cli_request_free(&req);

	assert_int_equal(BUILD(&req, err, "tenant", "show", "0"), -1);
	assert_string_equal(err, "ID: must be an integer of at least 1");
	cli_request_free(&req);

	assert_int_equal(BUILD(&req, err, "tenant", "show", "-3"), -1);
	assert_string_equal(err, "unknown option -3");
	cli_request_free(&req);

	assert_int_equal(BUILD(&req, err, "tenant", "reject", "3"), -1);
	assert_string_equal(err, "missing required option --reason TEXT");
	cli_request_free(&req);

	assert_int_equal(BUILD(&req, err, "tenant", "show", "3", "4"), -1);
	assert_string_equal(err, "unexpected argument '4'");
	cli_request_free(&req);
}

static void
test_auth_commands(void **state)
{
	struct cli_request req;
	char err[256];
	int rc;

	(void)state;
	/* the code stays a string: leading zeros matter */
	rc = BUILD(&req, err, "login", "alice", "--otp", "012345");
	expect_request(rc, &req, "POST", "/v1/auth/login", NULL,
	    "{\"otp\":\"012345\",\"username\":\"alice\"}");
	assert_true(req.cmd->is_public);
	cli_request_free(&req);

	assert_int_equal(BUILD(&req, err, "login"), -1);
	assert_string_equal(err, "missing USER");
	cli_request_free(&req);

	rc = BUILD(&req, err, "whoami");
	expect_request(rc, &req, "GET", "/v1/auth/whoami", NULL, "(none)");
	cli_request_free(&req);

	rc = BUILD(&req, err, "mfa", "disable", "--otp", "654321");
	expect_request(rc, &req, "POST", "/v1/mfa/disable", NULL,
	    "{\"code\":\"654321\"}");
	cli_request_free(&req);

	assert_int_equal(BUILD(&req, err, "mfa", "disable"), -1);
	assert_string_equal(err, "missing required option --otp CODE");
	cli_request_free(&req);

	rc = BUILD(&req, err, "mfa", "enable");
	expect_request(rc, &req, "POST", "/v1/mfa/enable", NULL, "{}");
	cli_request_free(&req);
}

static void
test_register_and_user_create(void **state)
{
	struct cli_request req;
	char err[256];
	int rc;

	(void)state;
	rc = BUILD(&req, err, "tenant", "register", "--name", "杭州云盾科技有限公司",
	    "--credit-code", "91330106MA2CFXXX0X", "--contact-name", "王芳",
	    "--email", "wang@example.cn", "--phone", "+8613800138000",
	    "--username", "wangfang");
	assert_int_equal(rc, 0);
	assert_string_equal(req.path, "/v1/registrations");
	assert_true(req.cmd->is_public);
	assert_non_null(json_object_get(req.body, "tenant_name"));
	assert_string_equal(json_string_value(json_object_get(req.body,
	    "credit_code")), "91330106MA2CFXXX0X");
	assert_string_equal(json_string_value(json_object_get(req.body,
	    "contact_email")), "wang@example.cn");
	assert_string_equal(json_string_value(json_object_get(req.body,
	    "contact_phone")), "+8613800138000");
	assert_null(json_object_get(req.body, "name"));
	/* the password is never a flag: added at run time from env/prompt */
	assert_null(json_object_get(req.body, "password"));
	assert_non_null(req.cmd->secret);
	assert_string_equal(req.cmd->secret->field, "password");
	assert_string_equal(req.cmd->secret->env, "YUNSHOU_PASSWORD");
	cli_request_free(&req);

	rc = BUILD(&req, err, "user", "create", "--username", "li.lei",
	    "--role", "tenant_user", "--tenant", "5");
	expect_request(rc, &req, "POST", "/v1/users", NULL,
	    "{\"role\":\"tenant_user\",\"tenant_id\":5,\"username\":\"li.lei\"}");
	assert_string_equal(req.cmd->secret->env, "YUNSHOU_NEW_PASSWORD");
	cli_request_free(&req);

	assert_int_equal(BUILD(&req, err, "user", "create", "--username", "x",
	    "--role", "root"), -1);
	assert_string_equal(err, "--role: 'root' is not one of "
	    "admin|analyst|auditor|tenant_admin|tenant_user");
	cli_request_free(&req);

	/* --name is name for plans and API keys */
	rc = BUILD(&req, err, "plan", "create", "--service", "anti-ddos",
	    "--name", "T1", "--price-fen", "990000", "--bandwidth-mbps", "100");
	expect_request(rc, &req, "POST", "/v1/plans", NULL,
	    "{\"bandwidth_mbps\":100,\"name\":\"T1\",\"price_fen\":990000,"
	    "\"service\":\"anti-ddos\"}");
	cli_request_free(&req);

	rc = BUILD(&req, err, "apikey", "create", "--name", "ci", "--expires-days", "30");
	expect_request(rc, &req, "POST", "/v1/apikeys", NULL,
	    "{\"expires_days\":30,\"name\":\"ci\"}");
	cli_request_free(&req);
}

static void
test_audit_export_local_option(void **state)
{
	struct cli_request req;
	char err[256];
	int rc;

	(void)state;
	rc = BUILD(&req, err, "audit", "export", "--format", "csv", "--output",
	    "/tmp/a.csv", "--result", "invalid_credentials");
	expect_request(rc, &req, "GET", "/v1/audit/export",
	    "format=csv&result=invalid_credentials", "(none)");
	assert_string_equal(cli_request_local(&req, "output"), "/tmp/a.csv");
	cli_request_free(&req);

	assert_int_equal(BUILD(&req, err, "audit", "export", "--format", "xml"), -1);
	assert_string_equal(err, "--format: 'xml' is not one of jsonl|csv");
	cli_request_free(&req);
}

static void
test_unknown_and_help(void **state)
{
	struct cli_request req;
	char err[256];

	(void)state;
	assert_int_equal(BUILD(&req, err, "frobnicate"), -1);
	assert_string_equal(err, "unknown command 'frobnicate'");
	assert_null(req.cmd);
	assert_null(req.noun);
	cli_request_free(&req);

	assert_int_equal(BUILD(&req, err, "tenant", "delete", "3"), -1);
	assert_string_equal(err, "unknown command 'tenant delete'");
	assert_null(req.cmd);
	assert_string_equal(req.noun, "tenant");
	cli_request_free(&req);

	assert_int_equal(BUILD(&req, err, "tenant"), -1);
	assert_string_equal(err, "'tenant' needs a verb");
	cli_request_free(&req);

	assert_int_equal(BUILD(&req, err, "tenant", "--help"), 0);
	assert_true(req.want_help);
	assert_null(req.cmd);
	assert_string_equal(req.noun, "tenant");
	cli_request_free(&req);

	/* --help wins over missing or bad arguments */
	assert_int_equal(BUILD(&req, err, "order", "create", "--plan", "x", "--help"), 0);
	assert_true(req.want_help);
	assert_non_null(req.cmd);
	cli_request_free(&req);
}

/* Nouns with many registers group verbs in two words: "qual staff add". */
static void
test_two_word_verbs(void **state)
{
	struct cli_request req;
	char err[256];
	int rc;

	(void)state;
	rc = BUILD(&req, err, "qual", "staff", "add", "--name", "张伟", "--role", "engineer",
	    "--full-time", "--nda-signed", "2024-01-02");
	expect_request(rc, &req, "POST", "/v1/qual/staff", NULL,
	    "{\"full_time\":true,\"name\":\"张伟\",\"nda_signed_on\":\"2024-01-02\","
	    "\"role\":\"engineer\"}");
	cli_request_free(&req);

	rc = BUILD(&req, err, "qual", "staff", "cert", "7", "--kind", "CISP", "--number", "N1",
	    "--issued", "2024-02-29");
	expect_request(rc, &req, "POST", "/v1/qual/staff/7/certificates", NULL,
	    "{\"issued_on\":\"2024-02-29\",\"kind\":\"CISP\",\"number\":\"N1\"}");
	cli_request_free(&req);

	rc = BUILD(&req, err, "qual", "checklist", "--today", "2026-06-15");
	expect_request(rc, &req, "GET", "/v1/qual/checklist", "today=2026-06-15", "(none)");
	cli_request_free(&req);

	rc = BUILD(&req, err, "qual", "export", "--output", "bundle");
	expect_request(rc, &req, "POST", "/v1/qual/exports", NULL, "{}");
	assert_string_equal(cli_request_local(&req, "output"), "bundle");
	cli_request_free(&req);

	assert_int_equal(BUILD(&req, err, "qual", "staff"), -1);
	assert_string_equal(err, "'qual staff' needs a verb");
	cli_request_free(&req);
	assert_int_equal(BUILD(&req, err, "qual", "staff", "fire", "3"), -1);
	assert_string_equal(err, "'qual staff' needs a verb");
	cli_request_free(&req);
	assert_int_equal(BUILD(&req, err, "qual", "fee", "add", "--kind", "maintenance",
	    "--amount-fen", "-1", "--date", "2026-01-01"), -1);
	assert_string_equal(err, "--amount-fen: must be an integer of at least 0");
	cli_request_free(&req);
	assert_int_equal(BUILD(&req, err, "qual", "engagement", "accept", "3", "--result", "ok",
	    "--date", "2026-01-01", "--signoff", "x"), -1);
	assert_string_equal(err, "--result: 'ok' is not one of passed|failed");
	cli_request_free(&req);
}

/* vuln compare is local: two positionals, no request, a --format choice. */
static void
test_vuln_compare_local(void **state)
{
	struct cli_request req;
	char err[256];

	(void)state;
	assert_int_equal(BUILD(&req, err, "vuln", "compare", "--format", "dpkg",
	    "1.0", "1.0-1"), 0);
	assert_true(cli_is_local(req.cmd));
	assert_int_equal(req.nargs, 2);
	assert_string_equal(req.args[0], "1.0");
	assert_string_equal(req.args[1], "1.0-1");
	assert_string_equal(cli_request_local(&req, "format"), "dpkg");
	assert_null(req.body);
	cli_request_free(&req);

	assert_int_equal(BUILD(&req, err, "vuln", "compare", "--format", "rpm", "--stdin"), 0);
	assert_int_equal(req.nargs, 0);
	assert_non_null(cli_request_local(&req, "stdin"));
	cli_request_free(&req);

	assert_int_equal(BUILD(&req, err, "vuln", "compare", "--format", "deb", "1", "2"), -1);
	assert_string_equal(err, "--format: 'deb' is not one of dpkg|rpm|apk");
	cli_request_free(&req);
	assert_int_equal(BUILD(&req, err, "vuln", "compare", "--format", "apk", "1", "2", "3"), -1);
	assert_string_equal(err, "unexpected argument '3'");
	cli_request_free(&req);
}

/* Invariants every row must keep, so that a new row cannot be half right. */
static void
test_table_consistency(void **state)
{
	size_t n = 0;

	(void)state;
	for (const struct cli_command *c = cli_commands; c->noun; c++, n++) {
		bool has_id = strstr(c->path, "{id}") != NULL;

		if (cli_is_local(c)) {
			assert_string_equal(c->path, "-");
			assert_non_null(c->run);
		} else {
			assert_true(strncmp(c->path, "/v1/", 4) == 0);
			assert_int_equal(has_id, c->pos != NULL && c->pos_field == NULL);
		}
		assert_non_null(c->summary);
		if (c->verb != NULL && (strcmp(c->verb, "list") == 0 ||
		    (strlen(c->verb) > 5 && strcmp(c->verb + strlen(c->verb) - 5, " list") == 0)))
			assert_non_null(c->columns);
		for (const struct cli_opt *o = c->opts; o->flag; o++) {
			assert_non_null(o->field);
			assert_non_null(o->help);
			if (o->type != CLI_OPT_BOOL)
				assert_non_null(o->metavar);
			if (strcmp(c->method, "POST") != 0)
				assert_int_not_equal(o->dest, CLI_DEST_BODY);
			if (strcmp(c->method, "GET") != 0)
				assert_int_not_equal(o->dest, CLI_DEST_QUERY);
		}
		/* no two rows with the same noun and verb */
		for (const struct cli_command *d = c + 1; d->noun; d++)
			assert_false(strcmp(c->noun, d->noun) == 0 &&
			    ((c->verb == NULL && d->verb == NULL) ||
			    (c->verb && d->verb && strcmp(c->verb, d->verb) == 0)));
	}
	assert_true(n >= 88);	/* docs/API.md's commands + vuln compare */
}

static char *
render(int (*fn)(FILE *, const json_t *), const char *json)
{
	json_error_t jerr;
	json_t *v = json_loads(json, 0, &jerr);
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(v);
	assert_non_null(f);
	assert_int_equal(fn(f, v), 0);
	fclose(f);
	json_decref(v);
	return buf;
}

static const char *const order_cols[] = { "id", "tenant_id", "service",
	"total_cny", "status", NULL };

static int
render_orders(FILE *f, const json_t *v)
{
	return cli_out_table(f, json_object_get(v, "items"), order_cols);
}

static void
test_table_rendering(void **state)
{
	char *out;

	(void)state;
	out = render(render_orders, "{\"items\": ["
	    "{\"id\": 12, \"tenant_id\": 3, \"service\": \"waf\","
	    " \"total_cny\": \"1200.00\", \"status\": \"pending\"},"
	    "{\"id\": 7, \"tenant_id\": null, \"service\": \"抗DDoS\","
	    " \"total_cny\": \"99.50\", \"status\": \"approved\"}]}");
	assert_string_equal(out,
	    "ID  TENANT_ID  SERVICE  TOTAL_CNY  STATUS\n"
	    "12  3          waf      1200.00    pending\n"
	    "7   -          抗DDoS   99.50      approved\n");
	free(out);

	/* a missing column shows "-"; an empty list says so */
	out = render(render_orders, "{\"items\": [{\"id\": 1}]}");
	assert_string_equal(out,
	    "ID  TENANT_ID  SERVICE  TOTAL_CNY  STATUS\n"
	    "1   -          -        -          -\n");
	free(out);
	out = render(render_orders, "{\"items\": []}");
	assert_string_equal(out, "(none)\n");
	free(out);
}

static void
test_hostile_text_is_cleaned(void **state)
{
	char *out;

	(void)state;
	/* an attacker-chosen user name from a failed login, with ANSI escapes
	 * (ESC and the C1 CSI U+009B) */
	out = render(render_orders, "{\"items\": [{\"id\": 1, \"service\":"
	    " \"x\\u001b[2J\\u009b31m\\r\\n\"}]}");
	assert_null(strchr(out, '\x1b'));
	assert_null(strstr(out, "\xc2\x9b"));
	assert_non_null(strstr(out, "x?[2J?31m??"));
	free(out);
}

static void
test_object_rendering(void **state)
{
	char *out;

	(void)state;
	out = render(cli_out_object, "{\"id\": 5, \"username\": \"alice\","
	    " \"tenant\": {\"id\": 3, \"name\": \"Acme\"}, \"roles\": [\"a\", 1],"
	    " \"mfa_enabled\": true, \"last_login_at\": null}");
	assert_string_equal(out,
	    "id: 5\n"
	    "username: alice\n"
	    "tenant.id: 3\n"
	    "tenant.name: Acme\n"
	    "roles: [\"a\",1]\n"
	    "mfa_enabled: true\n"
	    "last_login_at: -\n");
	free(out);
}

static void
test_width(void **state)
{
	(void)state;
	assert_int_equal(cli_out_width("abc"), 3);
	assert_int_equal(cli_out_width("抗DDoS"), 6);
	assert_int_equal(cli_out_width("杭州"), 4);
	assert_int_equal(cli_out_width(""), 0);
}

/* docs/CLI.md ends with the reference generated from the table. */
static void
test_reference_up_to_date(void **state)
{
#ifdef YS_SOURCE_DIR
	char *gen = NULL, *doc;
	size_t genlen = 0, doclen;
	FILE *f = open_memstream(&gen, &genlen);
	long size;

	(void)state;
	assert_non_null(f);
	cli_reference_markdown(f);
	fclose(f);
	f = fopen(YS_SOURCE_DIR "/docs/CLI.md", "r");
	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	size = ftell(f);
	assert_true(size > 0);
	rewind(f);
	doc = malloc((size_t)size + 1);
	assert_non_null(doc);
	doclen = fread(doc, 1, (size_t)size, f);
	fclose(f);
	doc[doclen] = '\0';
	if (doclen < genlen || strcmp(doc + doclen - genlen, gen) != 0)
		fail_msg("docs/CLI.md is out of date: regenerate its reference "
		    "with `yunshou --help-markdown`");
	free(doc);
	free(gen);
#else
	(void)state;
	skip();
#endif
}

/* WAF sites: comma-separated lists become arrays, files are sent as text. */
static void
test_site_commands(void **state)
{
	struct cli_request req;
	char err[256], path[] = "/tmp/ys-cli-XXXXXX";
	int rc, fd;

	(void)state;
	rc = BUILD(&req, err, "site", "create", "shop", "--domains", "shop.example.cn,*.example.cn",
	    "--cc-ip-rps", "20");
	expect_request(rc, &req, "POST", "/v1/sites", NULL, "{\"cc_ip_rps\":20,\"domains\":"
	    "[\"shop.example.cn\",\"*.example.cn\"],\"name\":\"shop\"}");
	cli_request_free(&req);
	rc = BUILD(&req, err, "site", "update", "4", "--allow", "", "--mode", "monitor");
	expect_request(rc, &req, "POST", "/v1/sites/4/update", NULL,
	    "{\"allow_ips\":[],\"mode\":\"monitor\"}");
	cli_request_free(&req);
	rc = BUILD(&req, err, "site", "origin", "delete", "12");
	expect_request(rc, &req, "DELETE", "/v1/sites/origins/12", NULL, "(none)");
	cli_request_free(&req);
	rc = BUILD(&req, err, "waf", "events", "--site", "4", "--category", "sqli");
	expect_request(rc, &req, "GET", "/v1/waf/events", "site_id=4&category=sqli", "(none)");
	cli_request_free(&req);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "PEM\n", 4), 4);
	close(fd);
	rc = BUILD(&req, err, "site", "cert", "upload", "--name", "c1", "--cert", path, "--key", path);
	expect_request(rc, &req, "POST", "/v1/certificates", NULL,
	    "{\"certificate\":\"PEM\\n\",\"key\":\"PEM\\n\",\"name\":\"c1\"}");
	cli_request_free(&req);
	unlink(path);
	assert_int_equal(BUILD(&req, err, "site", "cert", "upload", "--name", "c1", "--cert", path,
	    "--key", path), -1);
	assert_non_null(strstr(err, "--cert: cannot read"));
	cli_request_free(&req);
	assert_int_equal(BUILD(&req, err, "site", "rule", "add", "4", "--field", "path",
	    "--operator", "like", "--value", "x", "--action", "block"), -1);
	assert_non_null(strstr(err, "--operator: 'like' is not one of"));
	cli_request_free(&req);
}

/* anti-DDoS: --ips and --thresholds are JSON, sent as JSON; bad JSON is a
 * usage error naming the flag. */
static void
test_ddos_commands(void **state)
{
	struct cli_request req;
	char err[256];
	int rc;

	(void)state;
	rc = BUILD(&req, err, "ddos", "object", "add", "shop", "--ips",
	    "[{\"addr\": \"203.0.113.10\", \"services\": [{\"proto\": \"tcp\", \"ports\": [80]}]}]",
	    "--thresholds", "{\"pps\": 5}");
	expect_request(rc, &req, "POST", "/v1/ddos/objects", NULL, "{\"ips\":[{\"addr\":"
	    "\"203.0.113.10\",\"services\":[{\"ports\":[80],\"proto\":\"tcp\"}]}],"
	    "\"name\":\"shop\",\"thresholds\":{\"pps\":5}}");
	cli_request_free(&req);
	assert_int_equal(BUILD(&req, err, "ddos", "object", "add", "shop", "--ips", "[{"), -1);
	assert_non_null(strstr(err, "--ips: expected a JSON array or object"));
	cli_request_free(&req);
	assert_int_equal(BUILD(&req, err, "ddos", "object", "add", "shop", "--ips", "42"), -1);
	cli_request_free(&req);
	rc = BUILD(&req, err, "ddos", "domain", "add", "www", "--object", "3", "--origins",
	    "203.0.113.10,2001:db8::1", "--mode", "always-on");
	expect_request(rc, &req, "POST", "/v1/ddos/domains", NULL, "{\"label\":\"www\","
	    "\"mode\":\"always-on\",\"object_id\":3,\"origins\":[\"203.0.113.10\","
	    "\"2001:db8::1\"]}");
	cli_request_free(&req);
	rc = BUILD(&req, err, "ddos", "attacks", "--object", "3", "--active");
	expect_request(rc, &req, "GET", "/v1/ddos/attacks", "object_id=3&active=true", "(none)");
	cli_request_free(&req);
	rc = BUILD(&req, err, "ddos", "attack", "show", "9");
	expect_request(rc, &req, "GET", "/v1/ddos/attacks/9", NULL, "(none)");
	cli_request_free(&req);
	rc = BUILD(&req, err, "ddos", "rule", "delete", "5");
	expect_request(rc, &req, "DELETE", "/v1/ddos/rules/5", NULL, "(none)");
	cli_request_free(&req);
	assert_int_equal(BUILD(&req, err, "ddos", "rule", "add", "--object", "3", "--action",
	    "drop"), -1);
	assert_non_null(strstr(err, "--action: 'drop' is not one of"));
	cli_request_free(&req);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ddos_commands),
		cmocka_unit_test(test_order_create),
		cmocka_unit_test(test_order_create_errors),
		cmocka_unit_test(test_quarantine),
		cmocka_unit_test(test_lists_and_query),
		cmocka_unit_test(test_ids_in_path),
		cmocka_unit_test(test_auth_commands),
		cmocka_unit_test(test_register_and_user_create),
		cmocka_unit_test(test_audit_export_local_option),
		cmocka_unit_test(test_unknown_and_help),
		cmocka_unit_test(test_two_word_verbs),
		cmocka_unit_test(test_table_consistency),
		cmocka_unit_test(test_vuln_compare_local),
		cmocka_unit_test(test_table_rendering),
		cmocka_unit_test(test_hostile_text_is_cleaned),
		cmocka_unit_test(test_object_rendering),
		cmocka_unit_test(test_width),
		cmocka_unit_test(test_reference_up_to_date),
		cmocka_unit_test(test_site_commands),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
