/*
 * commands: the table of yunshou commands and the argv parser that maps a
 * command line onto an API request (method, path, query, JSON body) as
 * docs/API.md defines it. Adding a command means adding a row here; the
 * help text and docs/CLI.md are generated from the same rows. Nothing here
 * touches the network, so tests/unit/test_cli.c can check every mapping.
 */
#include "cli.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

/* Option rows. Body and query flags are spelled out per command so that a
 * row reads like the API.md line it implements. */
#define OPT_END { .flag = NULL }
#define B_STR(fl, fi, req, mv, h) { .flag = fl, .field = fi, \
	.type = CLI_OPT_STR, .dest = CLI_DEST_BODY, .required = req, \
	.metavar = mv, .help = h }
#define B_INT(fl, fi, req, lo, hi, mv, h) { .flag = fl, .field = fi, \
	.type = CLI_OPT_INT, .dest = CLI_DEST_BODY, .required = req, \
	.min = lo, .max = hi, .metavar = mv, .help = h }
#define Q_STR(fl, fi, mv, h) { .flag = fl, .field = fi, \
	.type = CLI_OPT_STR, .dest = CLI_DEST_QUERY, .metavar = mv, .help = h }
#define Q_INT(fl, fi, lo, hi, mv, h) { .flag = fl, .field = fi, \
	.type = CLI_OPT_INT, .dest = CLI_DEST_QUERY, .min = lo, .max = hi, \
	.metavar = mv, .help = h }
#define Q_BOOL(fl, fi, h) { .flag = fl, .field = fi, \
	.type = CLI_OPT_BOOL, .dest = CLI_DEST_QUERY, .help = h }

#define OPTS(...) ((const struct cli_opt[]){ __VA_ARGS__, OPT_END })
#define NO_OPTS ((const struct cli_opt[]){ OPT_END })
#define COLS(...) ((const char *const[]){ __VA_ARGS__, NULL })

#define ROLES "admin|analyst|auditor|tenant_admin|tenant_user"

#define AUDIT_FILTERS \
	Q_STR("since", "since", "TIME", "entries at or after (RFC 3339 or date)"), \
	Q_STR("until", "until", "TIME", "entries before (RFC 3339 or date)"), \
	Q_STR("actor", "actor", "USER", "actor user name"), \
	Q_INT("tenant", "tenant_id", 1, 0, "ID", "tenant id"), \
	Q_STR("action", "action", "ACTION", "action, e.g. order.approve"), \
	Q_STR("result", "result", "RESULT", "ok, or an error code"), \
	Q_INT("after", "after", 0, 0, "SEQ", "entries after this sequence number"), \
	Q_INT("limit", "limit", 1, 1000, "N", "at most N entries (1-1000)")

const struct cli_command cli_commands[] = {
	/* session */
	{ "login", NULL, "POST", "/v1/auth/login", "USER", "username",
	  OPTS(B_STR("otp", "otp", false, "CODE", "one-time code from the authenticator")),
	  NULL, NULL, true, cli_run_login,
	  "log in and save the session (password: YUNSHOU_PASSWORD or prompt)", NULL },
	{ "logout", NULL, "POST", "/v1/auth/logout", NULL, NULL, NO_OPTS,
	  NULL, NULL, false, cli_run_logout, "end the session and forget its token", NULL },
	{ "whoami", NULL, "GET", "/v1/auth/whoami", NULL, NULL, NO_OPTS,
	  NULL, NULL, false, NULL, "show the user, role, tenant and restrictions", NULL },
	{ "passwd", NULL, "POST", "/v1/auth/password", NULL, NULL, NO_OPTS,
	  NULL, NULL, false, cli_run_passwd,
	  "change your password (YUNSHOU_PASSWORD / YUNSHOU_NEW_PASSWORD or prompts)", NULL },

	/* MFA */
	{ "mfa", "setup", "POST", "/v1/mfa/setup", NULL, NULL, NO_OPTS,
	  NULL, NULL, false, cli_run_mfa_setup,
	  "start TOTP enrolment: print the secret and otpauth URI", NULL },
	{ "mfa", "enable", "POST", "/v1/mfa/enable", NULL, NULL,
	  OPTS(B_STR("otp", "code", false, "CODE", "code from the authenticator (without it: set up, then prompt)")),
	  NULL, NULL, false, cli_run_mfa_enable, "finish TOTP enrolment", NULL },
	{ "mfa", "disable", "POST", "/v1/mfa/disable", NULL, NULL,
	  OPTS(B_STR("otp", "code", true, "CODE", "current code from the authenticator")),
	  NULL, NULL, false, NULL, "turn TOTP off (tenant users only)", NULL },

	/* tenants */
	{ "tenant", "register", "POST", "/v1/registrations", NULL, NULL,
	  OPTS(B_STR("name", "tenant_name", true, "NAME", "company name"),
	       B_STR("credit-code", "credit_code", true, "CODE", "18-character unified social credit code"),
	       B_STR("contact-name", "contact_name", true, "NAME", "contact person"),
	       B_STR("email", "contact_email", true, "EMAIL", "contact e-mail"),
	       B_STR("phone", "contact_phone", true, "PHONE", "contact mobile number"),
	       B_STR("username", "username", true, "USER", "user name of the first tenant admin")),
	  NULL, &(const struct cli_secret){ "password", "YUNSHOU_PASSWORD",
	      "Password for the new tenant admin", true },
	  true, NULL, "register a tenant (password: YUNSHOU_PASSWORD or prompt)",
	  "a pending registration waits for the provider's approval" },
	{ "tenant", "list", "GET", "/v1/tenants", NULL, NULL,
	  OPTS(Q_STR("status", "status", "STATUS", "pending, active, rejected or suspended")),
	  COLS("id", "name", "credit_code", "contact_name", "status", "created_at"),
	  NULL, false, NULL, "list tenants", NULL },
	{ "tenant", "show", "GET", "/v1/tenants/{id}", "ID", NULL, NO_OPTS,
	  NULL, NULL, false, NULL, "show one tenant", NULL },
	{ "tenant", "approve", "POST", "/v1/tenants/{id}/approve", "ID", NULL,
	  OPTS(B_STR("note", "note", false, "TEXT", "note kept with the decision")),
	  NULL, NULL, false, NULL, "approve a pending tenant", NULL },
	{ "tenant", "reject", "POST", "/v1/tenants/{id}/reject", "ID", NULL,
	  OPTS(B_STR("reason", "reason", true, "TEXT", "reason given to the tenant")),
	  NULL, NULL, false, NULL, "reject a pending tenant", NULL },
	{ "tenant", "suspend", "POST", "/v1/tenants/{id}/suspend", "ID", NULL,
	  OPTS(B_STR("reason", "reason", true, "TEXT", "reason for the suspension")),
	  NULL, NULL, false, NULL, "suspend a tenant; its sessions end", NULL },
	{ "tenant", "resume", "POST", "/v1/tenants/{id}/resume", "ID", NULL, NO_OPTS,
	  NULL, NULL, false, NULL, "make a suspended tenant active again", NULL },

	/* catalogue */
	{ "service", "list", "GET", "/v1/services", NULL, NULL, NO_OPTS,
	  COLS("code", "name_zh", "name_en", "unit"),
	  NULL, false, NULL, "list the services", NULL },
	{ "plan", "list", "GET", "/v1/plans", NULL, NULL,
	  OPTS(Q_STR("service", "service", "CODE", "only this service"),
	       Q_BOOL("all", "all", "include retired plans (operators)")),
	  COLS("id", "service", "name", "price_cny", "bandwidth_mbps", "status"),
	  NULL, false, NULL, "list plans", NULL },
	{ "plan", "create", "POST", "/v1/plans", NULL, NULL,
	  OPTS(B_STR("service", "service", true, "CODE", "service code"),
	       B_STR("name", "name", true, "NAME", "plan name"),
	       B_INT("price-fen", "price_fen", true, 0, 0, "FEN", "monthly price per unit in fen (1/100 CNY)"),
	       B_STR("description", "description", false, "TEXT", "description"),
	       B_INT("bandwidth-mbps", "bandwidth_mbps", false, 1, 0, "N", "protected bandwidth (anti-ddos tiers)")),
	  NULL, NULL, false, NULL, "create a plan", NULL },
	{ "plan", "retire", "POST", "/v1/plans/{id}/retire", "ID", NULL, NO_OPTS,
	  NULL, NULL, false, NULL, "retire a plan so it can no longer be ordered", NULL },

	/* orders */
	{ "order", "create", "POST", "/v1/orders", NULL, NULL,
	  OPTS(B_INT("plan", "plan_id", true, 1, 0, "ID", "plan id"),
	       B_INT("quantity", "quantity", true, 1, 100000, "N", "units (1-100000)"),
	       B_INT("months", "months", true, 1, 0, "N", "term in months"),
	       { .flag = "tenant", .field = "tenant_id", .type = CLI_OPT_INT,
	         .dest = CLI_DEST_BODY, .min = 1, .with = "contract",
	         .metavar = "ID", .help = "tenant (admins: offline order, approved at once)" },
	       { .flag = "contract", .field = "contract_ref", .type = CLI_OPT_STR,
	         .dest = CLI_DEST_BODY, .with = "tenant",
	         .metavar = "REF", .help = "signed contract reference (with --tenant)" }),
	  NULL, NULL, false, NULL, "order a plan", NULL },
	{ "order", "list", "GET", "/v1/orders", NULL, NULL,
	  OPTS(Q_STR("status", "status", "STATUS", "pending, approved or rejected")),
	  COLS("id", "tenant_id", "service", "quantity", "months", "total_cny", "status"),
	  NULL, false, NULL, "list orders", NULL },
	{ "order", "show", "GET", "/v1/orders/{id}", "ID", NULL, NO_OPTS,
	  NULL, NULL, false, NULL, "show one order", NULL },
	{ "order", "approve", "POST", "/v1/orders/{id}/approve", "ID", NULL, NO_OPTS,
	  NULL, NULL, false, NULL, "approve a pending order (creates the subscription)", NULL },
	{ "order", "reject", "POST", "/v1/orders/{id}/reject", "ID", NULL,
	  OPTS(B_STR("reason", "reason", true, "TEXT", "reason given to the tenant")),
	  NULL, NULL, false, NULL, "reject a pending order", NULL },

	/* subscriptions */
	{ "subscription", "list", "GET", "/v1/subscriptions", NULL, NULL,
	  OPTS(Q_STR("service", "service", "CODE", "only this service"),
	       Q_STR("status", "status", "STATUS", "active, expired or cancelled")),
	  COLS("id", "tenant_id", "service", "plan_id", "quantity", "starts_at", "ends_at", "status"),
	  NULL, false, NULL, "list subscriptions", NULL },
	{ "subscription", "show", "GET", "/v1/subscriptions/{id}", "ID", NULL, NO_OPTS,
	  NULL, NULL, false, NULL, "show one subscription", NULL },
	{ "subscription", "renew", "POST", "/v1/subscriptions/{id}/renew", "ID", NULL,
	  OPTS(B_INT("months", "months", true, 1, 0, "N", "months to add")),
	  NULL, NULL, false, NULL, "order a renewal", NULL },
	{ "subscription", "change", "POST", "/v1/subscriptions/{id}/change", "ID", NULL,
	  OPTS(B_INT("quantity", "quantity", true, 1, 100000, "N", "new number of units (1-100000)")),
	  NULL, NULL, false, NULL, "order a change of quantity", NULL },
	{ "subscription", "cancel", "POST", "/v1/subscriptions/{id}/cancel", "ID", NULL,
	  OPTS(B_STR("reason", "reason", false, "TEXT", "reason for the cancellation")),
	  NULL, NULL, false, NULL, "cancel a subscription", NULL },

	/* quotas */
	{ "quota", "list", "GET", "/v1/quotas", NULL, NULL,
	  OPTS(Q_INT("tenant", "tenant_id", 1, 0, "ID", "tenant id (operators)")),
	  COLS("tenant_id", "service", "limit", "used"),
	  NULL, false, NULL, "show quota limits and use per service", NULL },

	/* users */
	{ "user", "create", "POST", "/v1/users", NULL, NULL,
	  OPTS(B_STR("username", "username", true, "USER", "user name"),
	       { .flag = "role", .field = "role", .type = CLI_OPT_STR,
	         .dest = CLI_DEST_BODY, .required = true, .choices = ROLES,
	         .metavar = "ROLE", .help = "role: " ROLES },
	       B_INT("tenant", "tenant_id", false, 1, 0, "ID", "tenant (admins creating tenant users)")),
	  NULL, &(const struct cli_secret){ "password", "YUNSHOU_NEW_PASSWORD",
	      "One-time password for the new user", true },
	  false, NULL, "create a user (password: YUNSHOU_NEW_PASSWORD or prompt)",
	  "the user must change this password at first login" },
	{ "user", "list", "GET", "/v1/users", NULL, NULL,
	  OPTS(Q_INT("tenant", "tenant_id", 1, 0, "ID", "tenant id")),
	  COLS("id", "username", "role", "tenant_id", "status", "mfa_enabled", "last_login_at"),
	  NULL, false, NULL, "list users", NULL },
	{ "user", "disable", "POST", "/v1/users/{id}/disable", "ID", NULL, NO_OPTS,
	  NULL, NULL, false, NULL, "disable a user; its sessions and API keys stop working", NULL },
	{ "user", "enable", "POST", "/v1/users/{id}/enable", "ID", NULL, NO_OPTS,
	  NULL, NULL, false, NULL, "enable a disabled user", NULL },

	/* API keys */
	{ "apikey", "create", "POST", "/v1/apikeys", NULL, NULL,
	  OPTS(B_STR("name", "name", true, "NAME", "key name"),
	       B_INT("expires-days", "expires_days", false, 1, 0, "N", "expire after N days")),
	  NULL, NULL, false, NULL, "create an API key for automation",
	  "the key is shown only once: store it now (use it with YUNSHOU_TOKEN)" },
	{ "apikey", "list", "GET", "/v1/apikeys", NULL, NULL, NO_OPTS,
	  COLS("id", "name", "prefix", "status", "created_at", "expires_at"),
	  NULL, false, NULL, "list API keys (without secrets)", NULL },
	{ "apikey", "revoke", "DELETE", "/v1/apikeys/{id}", "ID", NULL, NO_OPTS,
	  NULL, NULL, false, NULL, "revoke an API key", NULL },

	/* nodes (agents, WAF and scrubber nodes) */
	{ "node", "token", "POST", "/v1/enrolment-tokens", NULL, NULL,
	  OPTS({ .flag = "kind", .field = "kind", .type = CLI_OPT_STR, .dest = CLI_DEST_BODY,
	         .required = true, .choices = "agent|waf|scrubber", .metavar = "KIND",
	         .help = "agent (tenant admins), waf or scrubber (provider admins)" },
	       B_INT("expires-minutes", "expires_minutes", false, 1, 10080, "N",
	             "the token expires after N minutes (default 60)")),
	  NULL, NULL, false, NULL, "create a one-time enrolment token for a node",
	  "give the token and the CA fingerprint (yunshou ca show) to yunshou-agent enroll" },
	{ "node", "tokens", "GET", "/v1/enrolment-tokens", NULL, NULL, NO_OPTS,
	  COLS("id", "tenant_id", "kind", "created_by", "expires_at", "used_at", "node_id"),
	  NULL, false, NULL, "list enrolment tokens (without secrets)", NULL },
	{ "node", "list", "GET", "/v1/nodes", NULL, NULL,
	  OPTS(Q_STR("kind", "kind", "KIND", "agent, waf or scrubber")),
	  COLS("id", "tenant_id", "kind", "hostname", "version", "health", "last_heartbeat_at",
	       "policy_version", "policy_stale"),
	  NULL, false, NULL, "list enrolled nodes with health and policy state", NULL },
	{ "node", "show", "GET", "/v1/nodes/{id}", "ID", NULL, NO_OPTS,
	  NULL, NULL, false, NULL, "show a node", NULL },
	{ "node", "revoke", "POST", "/v1/nodes/{id}/revoke", "ID", NULL, NO_OPTS,
	  NULL, NULL, false, NULL, "revoke a node: its certificate is refused at once and its "
	  "quota freed", NULL },
	/* malware quarantine on agents */
	{ "quarantine", "list", "GET", "/v1/quarantine", NULL, NULL,
	  OPTS(Q_INT("node", "node_id", 1, 0, "ID", "only this node")),
	  COLS("node_id", "item", "path", "severity", "quarantined_at", "restore_pending"),
	  NULL, false, NULL, "list files that agents moved into quarantine", NULL },
	{ "quarantine", "restore", "POST", "/v1/quarantine/{id}/restore", "NODE_ID", NULL,
	  OPTS(B_STR("item", "item", true, "ID", "the quarantine item (yunshou quarantine list)")),
	  NULL, NULL, false, NULL, "put a quarantined file back on its node",
	  "the node restores it at its next heartbeat, unless something now exists at its path" },
	{ "ca", "show", "GET", "/v1/ca", NULL, NULL, NO_OPTS,
	  NULL, NULL, true, NULL, "show the control plane's CA certificate and its fingerprint",
	  NULL },

	/* audit trail */
	{ "audit", "list", "GET", "/v1/audit", NULL, NULL,
	  OPTS(AUDIT_FILTERS),
	  COLS("seq", "time", "actor", "tenant_id", "source", "action", "target", "result"),
	  NULL, false, NULL, "list audit entries", NULL },
	{ "audit", "export", "GET", "/v1/audit/export", NULL, NULL,
	  OPTS({ .flag = "format", .field = "format", .type = CLI_OPT_STR,
	         .dest = CLI_DEST_QUERY, .choices = "jsonl|csv",
	         .metavar = "FMT", .help = "jsonl or csv" },
	       AUDIT_FILTERS,
	       { .flag = "output", .field = "output", .type = CLI_OPT_STR,
	         .dest = CLI_DEST_LOCAL, .metavar = "FILE",
	         .help = "write to FILE (default: standard output)" }),
	  NULL, NULL, false, cli_run_audit_export, "export audit entries as a stream", NULL },
	{ "audit", "verify", "GET", "/v1/audit/verify", NULL, NULL, NO_OPTS,
	  NULL, NULL, false, cli_run_audit_verify, "verify the hash chain of the audit trail", NULL },

	{ .noun = NULL },
};

static void
set_err(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static bool
is_help(const char *a)
{
	return strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0;
}

static const struct cli_opt *
find_opt(const struct cli_command *cmd, const char *name, size_t namelen,
    size_t *idx)
{
	for (size_t i = 0; cmd->opts[i].flag != NULL; i++) {
		if (strlen(cmd->opts[i].flag) == namelen &&
		    strncmp(cmd->opts[i].flag, name, namelen) == 0) {
			*idx = i;
			return &cmd->opts[i];
		}
	}
	return NULL;
}

static size_t
opt_count(const struct cli_command *cmd)
{
	size_t n = 0;

	while (cmd->opts[n].flag != NULL)
		n++;
	return n;
}

/* Strict integer: optional '-', digits only, no overflow, within bounds. */
static int
parse_int(const char *what, const char *s, long long min, long long max,
    long long *out, char *err, size_t errlen)
{
	char *end;
	long long v;

	errno = 0;
	if (*s == '\0' || (*s != '-' && (*s < '0' || *s > '9'))) {
		set_err(err, errlen, "%s: '%s' is not an integer", what, s);
		return -1;
	}
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0') {
		set_err(err, errlen, "%s: '%s' is not an integer", what, s);
		return -1;
	}
	if (v < min || (max != 0 && v > max)) {
		if (max != 0)
			set_err(err, errlen, "%s: must be an integer from %lld to %lld",
			    what, min, max);
		else
			set_err(err, errlen, "%s: must be an integer of at least %lld",
			    what, min);
		return -1;
	}
	*out = v;
	return 0;
}

static bool
in_choices(const char *choices, const char *v)
{
	size_t vlen = strlen(v);
	const char *p = choices;

	while (*p != '\0') {
		const char *bar = strchr(p, '|');
		size_t n = bar ? (size_t)(bar - p) : strlen(p);

		if (n == vlen && strncmp(p, v, n) == 0)
			return true;
		if (bar == NULL)
			break;
		p = bar + 1;
	}
	return false;
}

/* Appends "key=value" with both parts URL-encoded. */
static int
query_add(FILE *q, bool *first, const char *key, const char *value)
{
	char *ek = curl_easy_escape(NULL, key, 0);
	char *ev = curl_easy_escape(NULL, value, 0);
	int rc = -1;

	if (ek != NULL && ev != NULL &&
	    fprintf(q, "%s%s=%s", *first ? "" : "&", ek, ev) >= 0) {
		*first = false;
		rc = 0;
	}
	curl_free(ek);
	curl_free(ev);
	return rc;
}

static int
fill_path(struct cli_request *out, const char *tmpl, const char *id)
{
	const char *at = strstr(tmpl, "{id}");
	int n;

	if (at == NULL)
		n = snprintf(out->path, sizeof(out->path), "%s", tmpl);
	else
		n = snprintf(out->path, sizeof(out->path), "%.*s%s%s",
		    (int)(at - tmpl), tmpl, id, at + 4);
	return (n < 0 || (size_t)n >= sizeof(out->path)) ? -1 : 0;
}

/* Adds one validated option value where its row says it goes. */
static int
put_value(const struct cli_opt *o, const char *v, long long iv, json_t *body,
    FILE *q, bool *qfirst, json_t *local)
{
	json_t *j;
	char num[32];

	switch (o->dest) {
	case CLI_DEST_QUERY:
		if (o->type == CLI_OPT_INT) {
			snprintf(num, sizeof(num), "%lld", iv);
			v = num;
		} else if (o->type == CLI_OPT_BOOL) {
			v = "true";
		}
		return query_add(q, qfirst, o->field, v);
	case CLI_DEST_BODY:
		if (body == NULL)
			return -1;	/* table bug: body flag on a GET */
		if (o->type == CLI_OPT_INT)
			j = json_integer(iv);
		else if (o->type == CLI_OPT_BOOL)
			j = json_true();
		else
			j = json_string(v);
		return json_object_set_new(body, o->field, j);
	case CLI_DEST_LOCAL:
		return json_object_set_new(local, o->field, json_string(v));
	}
	return -1;
}

int
cli_build_request(int argc, char **argv, struct cli_request *out,
    char *err, size_t errlen)
{
	const struct cli_command *cmd = NULL;
	const char **vals = NULL;
	const char *pos = NULL;
	char *qbuf = NULL;
	size_t qlen = 0, nopts;
	FILE *q = NULL;
	bool qfirst = true;
	int i, first;

	memset(out, 0, sizeof(*out));
	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (argc < 1) {
		set_err(err, errlen, "missing command");
		return -1;
	}
	if (is_help(argv[0]) || strcmp(argv[0], "help") == 0) {
		out->want_help = true;
		return 0;
	}
	for (const struct cli_command *c = cli_commands; c->noun; c++) {
		if (strcmp(c->noun, argv[0]) == 0) {
			out->noun = c->noun;
			if (c->verb == NULL)
				cmd = c;
			break;
		}
	}
	if (out->noun == NULL) {
		set_err(err, errlen, "unknown command '%s'", argv[0]);
		return -1;
	}
	first = 1;
	if (cmd == NULL) {
		if (argc < 2) {
			set_err(err, errlen, "'%s' needs a verb", argv[0]);
			return -1;
		}
		if (is_help(argv[1])) {
			out->want_help = true;
			return 0;
		}
		for (const struct cli_command *c = cli_commands; c->noun; c++) {
			if (strcmp(c->noun, argv[0]) == 0 && c->verb != NULL &&
			    strcmp(c->verb, argv[1]) == 0) {
				cmd = c;
				break;
			}
		}
		if (cmd == NULL) {
			set_err(err, errlen, "unknown command '%s %s'", argv[0],
			    argv[1]);
			return -1;
		}
		first = 2;
	}
	out->cmd = cmd;

	nopts = opt_count(cmd);
	vals = calloc(nopts + 1, sizeof(*vals));
	if (vals == NULL) {
		set_err(err, errlen, "out of memory");
		return -1;
	}
	for (i = first; i < argc; i++) {
		const char *a = argv[i];

		if (is_help(a)) {
			out->want_help = true;
			free(vals);
			return 0;
		}
		if (strncmp(a, "--", 2) == 0 && a[2] != '\0') {
			const char *name = a + 2;
			const char *eq = strchr(name, '=');
			size_t nlen = eq ? (size_t)(eq - name) : strlen(name);
			const struct cli_opt *o;
			size_t idx;

			o = find_opt(cmd, name, nlen, &idx);
			if (o == NULL) {
				set_err(err, errlen, "unknown option --%.*s",
				    (int)nlen, name);
				goto fail;
			}
			if (vals[idx] != NULL) {
				set_err(err, errlen, "option --%s given twice",
				    o->flag);
				goto fail;
			}
			if (o->type == CLI_OPT_BOOL) {
				if (eq != NULL) {
					set_err(err, errlen,
					    "option --%s takes no value", o->flag);
					goto fail;
				}
				vals[idx] = "true";
			} else if (eq != NULL) {
				vals[idx] = eq + 1;
			} else if (i + 1 < argc) {
				vals[idx] = argv[++i];
			} else {
				set_err(err, errlen, "option --%s needs a value (%s)",
				    o->flag, o->metavar);
				goto fail;
			}
			continue;
		}
		if (a[0] == '-' && a[1] != '\0') {
			set_err(err, errlen, "unknown option %s", a);
			goto fail;
		}
		if (cmd->pos == NULL || pos != NULL) {
			set_err(err, errlen, "unexpected argument '%s'", a);
			goto fail;
		}
		pos = a;
	}

	/* Validate everything before building anything. */
	if (cmd->pos != NULL && pos == NULL) {
		set_err(err, errlen, "missing %s", cmd->pos);
		goto fail;
	}
	if (cmd->pos != NULL && cmd->pos_field == NULL) {
		long long id;

		if (parse_int(cmd->pos, pos, 1, 0, &id, err, errlen) < 0)
			goto fail;
	}
	for (size_t k = 0; k < nopts; k++) {
		const struct cli_opt *o = &cmd->opts[k];
		long long iv;

		if (vals[k] == NULL) {
			if (o->required) {
				set_err(err, errlen, "missing required option --%s %s",
				    o->flag, o->metavar);
				goto fail;
			}
			continue;
		}
		if (o->with != NULL) {
			size_t w;

			if (find_opt(cmd, o->with, strlen(o->with), &w) == NULL ||
			    vals[w] == NULL) {
				set_err(err, errlen, "option --%s needs --%s too",
				    o->flag, o->with);
				goto fail;
			}
		}
		if (o->type == CLI_OPT_INT) {
			char what[72];

			snprintf(what, sizeof(what), "--%s", o->flag);
			if (parse_int(what, vals[k], o->min, o->max, &iv, err,
			    errlen) < 0)
				goto fail;
		}
		if (o->type == CLI_OPT_STR && o->choices != NULL &&
		    !in_choices(o->choices, vals[k])) {
			set_err(err, errlen, "--%s: '%s' is not one of %s", o->flag,
			    vals[k], o->choices);
			goto fail;
		}
		if (o->type == CLI_OPT_STR && vals[k][0] == '\0' &&
		    o->dest != CLI_DEST_LOCAL) {
			set_err(err, errlen, "--%s: empty value", o->flag);
			goto fail;
		}
	}

	if (fill_path(out, cmd->path, (cmd->pos && !cmd->pos_field) ? pos : "") < 0) {
		set_err(err, errlen, "%s: too long", cmd->pos ? cmd->pos : "path");
		goto fail;
	}
	if (strcmp(cmd->method, "POST") == 0) {
		out->body = json_object();
		if (out->body == NULL)
			goto oom;
		if (cmd->pos_field != NULL &&
		    json_object_set_new(out->body, cmd->pos_field, json_string(pos)) < 0)
			goto oom;
	}
	out->local = json_object();
	q = open_memstream(&qbuf, &qlen);
	if (out->local == NULL || q == NULL)
		goto oom;
	for (size_t k = 0; k < nopts; k++) {
		const struct cli_opt *o = &cmd->opts[k];
		long long iv = 0;

		if (vals[k] == NULL)
			continue;
		if (o->type == CLI_OPT_INT)
			(void)parse_int(o->flag, vals[k], o->min, o->max, &iv, NULL, 0);
		if (put_value(o, vals[k], iv, out->body, q, &qfirst, out->local) < 0)
			goto oom;
	}
	if (fclose(q) != 0) {
		q = NULL;
		goto oom;
	}
	q = NULL;
	if (qlen > 0)
		out->query = qbuf;
	else
		free(qbuf);
	qbuf = NULL;
	free(vals);
	return 0;

oom:
	set_err(err, errlen, "out of memory");
fail:
	if (q != NULL)
		fclose(q);
	free(qbuf);
	free(vals);
	json_decref(out->body);
	json_decref(out->local);
	out->body = out->local = NULL;
	return -1;
}

void
cli_request_free(struct cli_request *req)
{
	if (req == NULL)
		return;
	free(req->query);
	json_decref(req->body);
	json_decref(req->local);
	req->query = NULL;
	req->body = req->local = NULL;
}

const char *
cli_request_local(const struct cli_request *req, const char *key)
{
	return json_string_value(json_object_get(req->local, key));
}

/* ---- help, generated from the table ---- */

static void
print_name(FILE *f, const struct cli_command *cmd)
{
	fprintf(f, "%s%s%s", cmd->noun, cmd->verb ? " " : "",
	    cmd->verb ? cmd->verb : "");
}

static void
print_opt(FILE *f, const struct cli_opt *o)
{
	if (o->type == CLI_OPT_BOOL)
		fprintf(f, "--%s", o->flag);
	else
		fprintf(f, "--%s %s", o->flag, o->metavar);
}

void
cli_usage_line(FILE *f, const struct cli_command *cmd)
{
	fputs("yunshou ", f);
	print_name(f, cmd);
	if (cmd->pos != NULL)
		fprintf(f, " %s", cmd->pos);
	for (const struct cli_opt *o = cmd->opts; o->flag; o++) {
		fputs(o->required ? " " : " [", f);
		print_opt(f, o);
		if (!o->required)
			fputc(']', f);
	}
	fputc('\n', f);
}

void
cli_help_command(FILE *f, const struct cli_command *cmd)
{
	fputs("usage: ", f);
	cli_usage_line(f, cmd);
	fprintf(f, "  %s\n", cmd->summary);
	fprintf(f, "  API: %s %s\n", cmd->method, cmd->path);
	for (const struct cli_opt *o = cmd->opts; o->flag; o++) {
		char left[64];

		if (o->type == CLI_OPT_BOOL)
			snprintf(left, sizeof(left), "--%s", o->flag);
		else
			snprintf(left, sizeof(left), "--%s %s", o->flag, o->metavar);
		fprintf(f, "    %-26s %s%s\n", left, o->help,
		    o->required ? " (required)" : "");
	}
	if (cmd->secret != NULL)
		fprintf(f, "    %-26s %s (prompted if unset)\n",
		    cmd->secret->env, cmd->secret->field);
}

void
cli_help_noun(FILE *f, const char *noun)
{
	for (const struct cli_command *c = cli_commands; c->noun; c++) {
		if (strcmp(c->noun, noun) == 0) {
			cli_help_command(f, c);
			fputc('\n', f);
		}
	}
}

void
cli_help_commands(FILE *f)
{
	for (const struct cli_command *c = cli_commands; c->noun; c++) {
		fputs("  ", f);
		cli_usage_line(f, c);
	}
}

void
cli_reference_markdown(FILE *f)
{
	const char *noun = "";

	for (const struct cli_command *c = cli_commands; c->noun; c++) {
		if (strcmp(c->noun, noun) != 0) {
			noun = c->noun;
			fprintf(f, "\n### %s\n", noun);
		}
		fputs("\n```\n", f);
		cli_usage_line(f, c);
		fputs("```\n\n", f);
		fprintf(f, "%c%s. `%s %s`%s.\n",
		    c->summary[0] >= 'a' && c->summary[0] <= 'z' ?
		    c->summary[0] - 'a' + 'A' : c->summary[0], c->summary + 1,
		    c->method, c->path, c->is_public ? " (public)" : "");
		if (c->opts[0].flag != NULL || c->secret != NULL || c->pos) {
			fputs("\n| argument | API | |\n|---|---|---|\n", f);
			if (c->pos != NULL)
				fprintf(f, "| `%s` | %s%s%s | required |\n", c->pos,
				    c->pos_field ? "body `" : "`{id}` in the path",
				    c->pos_field ? c->pos_field : "",
				    c->pos_field ? "`" : "");
		}
		for (const struct cli_opt *o = c->opts; o->flag; o++) {
			const char *where = o->dest == CLI_DEST_BODY ? "body" :
			    o->dest == CLI_DEST_QUERY ? "query" : "local";

			fputs("| `", f);
			print_opt(f, o);
			fprintf(f, "` | %s `%s`%s | %s%s |\n",
			    where, o->dest == CLI_DEST_LOCAL ? "-" : o->field,
			    o->type == CLI_OPT_INT ? " (integer)" :
			    o->type == CLI_OPT_BOOL ? " (`true`)" : "",
			    o->help, o->required ? " (required)" : "");
		}
		if (c->secret != NULL)
			fprintf(f, "| `%s` (env) | body `%s` | else prompted%s |\n",
			    c->secret->env, c->secret->field,
			    c->secret->confirm ? " twice" : "");
		if (c->columns != NULL) {
			fputs("\nColumns:", f);
			for (const char *const *col = c->columns; *col; col++)
				fprintf(f, " `%s`", *col);
			fputs(".\n", f);
		}
	}
}
