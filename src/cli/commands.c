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
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>
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

#define B_BOOL(fl, fi, h) { .flag = fl, .field = fi, \
	.type = CLI_OPT_BOOL, .dest = CLI_DEST_BODY, .help = h }
#define B_CHOICE(fl, fi, req, ch, mv, h) { .flag = fl, .field = fi, \
	.type = CLI_OPT_STR, .dest = CLI_DEST_BODY, .required = req, \
	.choices = ch, .metavar = mv, .help = h }
#define B_LIST(fl, fi, req, mv, h) { .flag = fl, .field = fi, \
	.type = CLI_OPT_LIST, .dest = CLI_DEST_BODY, .required = req, \
	.metavar = mv, .help = h }
#define B_FILE(fl, fi, req, mv, h) { .flag = fl, .field = fi, \
	.type = CLI_OPT_FILE, .dest = CLI_DEST_BODY, .required = req, \
	.metavar = mv, .help = h }
#define B_JSON(fl, fi, req, mv, h) { .flag = fl, .field = fi, \
	.type = CLI_OPT_JSON, .dest = CLI_DEST_BODY, .required = req, \
	.metavar = mv, .help = h }
#define QUAL_TODAY Q_STR("today", "today", "DATE", "state on this date (YYYY-MM-DD; default: today in China)")

#define OPTS(...) ((const struct cli_opt[]){ __VA_ARGS__, OPT_END })
#define NO_OPTS ((const struct cli_opt[]){ OPT_END })
#define COLS(...) ((const char *const[]){ __VA_ARGS__, NULL })

#define ROLES "admin|analyst|auditor|tenant_admin|tenant_user"

#define SITE_CC_OPTS \
	B_INT("cc-ip-rps", "cc_ip_rps", false, 0, 1000000, "N", "CC: requests per second per client IP (0: off)"), \
	B_INT("cc-ip-burst", "cc_ip_burst", false, 0, 10000000, "N", "CC: burst per client IP"), \
	B_INT("cc-url-rps", "cc_url_rps", false, 0, 1000000, "N", "CC: requests per second per (IP, URL) (0: off)"), \
	B_INT("cc-url-burst", "cc_url_burst", false, 0, 10000000, "N", "CC: burst per (IP, URL)"), \
	B_INT("cc-block", "cc_block_seconds", false, 0, 86400, "SECONDS", "CC: block period (default 60)")

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
	{ "node", "scan", "POST", "/v1/nodes/{id}/scan", "ID", NULL, NO_OPTS,
	  NULL, NULL, false, NULL, "request an on-demand full malware scan of a host", NULL },
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
	{ "baseline", "show", "GET", "/v1/nodes/{id}/baseline", "NODE_ID", NULL, NO_OPTS,
	  COLS("id", "status", "severity", "control", "title_zh"),
	  NULL, false, NULL, "the latest baseline check results of a host (等保 2.0 controls)",
	  NULL },
	{ "inventory", "show", "GET", "/v1/nodes/{id}/inventory", "NODE_ID", NULL, NO_OPTS,
	  COLS("name", "version", "arch", "source", "source_version"),
	  NULL, false, NULL, "the latest inventory of a host: packages (with --json also the OS, "
	  "ports, users and changes since)", NULL },
	{ "ca", "show", "GET", "/v1/ca", NULL, NULL, NO_OPTS,
	  NULL, NULL, true, NULL, "show the control plane's CA certificate and its fingerprint",
	  NULL },

	/* alerts and events */
	{ "alert", "list", "GET", "/v1/alerts", NULL, NULL,
	  OPTS(Q_STR("status", "status", "STATUS", "open, acknowledged or resolved"),
	       Q_STR("severity", "severity", "SEV", "info, low, medium, high or critical"),
	       Q_INT("node", "node_id", 1, 0, "ID", "node id"),
	       Q_STR("module", "module", "NAME", "fim, malware, ids, baseline, ..."),
	       Q_STR("type", "type", "TYPE", "event type, e.g. ids.brute_force"),
	       Q_INT("after", "after", 0, 0, "ID", "only alerts with a larger id"),
	       Q_INT("limit", "limit", 1, 1000, "N", "at most N alerts")),
	  COLS("id", "tenant_id", "node_id", "severity", "title_zh", "key", "count", "status",
	       "last_seen"),
	  NULL, false, NULL, "list alerts", NULL },
	{ "alert", "show", "GET", "/v1/alerts/{id}", "ID", NULL, NO_OPTS,
	  NULL, NULL, false, NULL, "show an alert with its latest event", NULL },
	{ "alert", "ack", "POST", "/v1/alerts/{id}/acknowledge", "ID", NULL,
	  OPTS(B_STR("note", "note", false, "TEXT", "why")),
	  NULL, NULL, false, NULL, "acknowledge an alert", NULL },
	{ "alert", "resolve", "POST", "/v1/alerts/{id}/resolve", "ID", NULL,
	  OPTS(B_STR("note", "note", false, "TEXT", "how it was handled")),
	  NULL, NULL, false, NULL, "resolve an alert", NULL },
	{ "event", "list", "GET", "/v1/events", NULL, NULL,
	  OPTS(Q_INT("node", "node_id", 1, 0, "ID", "node id"),
	       Q_STR("module", "module", "NAME", "module"),
	       Q_STR("type", "type", "TYPE", "event type"),
	       Q_INT("after", "after", 0, 0, "ID", "only events with a larger id"),
	       Q_INT("limit", "limit", 1, 1000, "N", "at most N events")),
	  COLS("id", "node_id", "seq", "time", "module", "type"),
	  NULL, false, NULL, "list events delivered by nodes", NULL },

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

	/* network scans */
	{ "scan", "target add", "POST", "/v1/scan-targets", "TARGET", "target",
	  OPTS(B_STR("ports", "ports", false, "SPEC", "default ports for its scans, e.g. 1-1024,3306 (default 1-1024)"),
	       B_INT("rate", "rate", false, 0, 100000, "N", "connects per second (0: no limit)"),
	       B_STR("note", "note", false, "TEXT", "a note for the operator")),
	  NULL, NULL, false, NULL,
	  "register a scan target (an IP address, a CIDR block up to /24 or /120, or a host name)",
	  "authorised at once when your agents report every address; otherwise an operator "
	  "approves it with the reference of your written authorisation" },
	{ "scan", "target list", "GET", "/v1/scan-targets", NULL, NULL,
	  OPTS(Q_STR("status", "status", "STATUS", "pending, authorized or rejected"),
	       Q_STR("kind", "kind", "KIND", "ip, cidr or host"),
	       Q_INT("tenant", "tenant_id", 1, 0, "ID", "tenant id (operators)")),
	  COLS("id", "tenant_id", "target", "kind", "status", "authorization", "authorized_by",
	       "ports"),
	  NULL, false, NULL, "list scan targets and their authorisation", NULL },
	{ "scan", "target show", "GET", "/v1/scan-targets/{id}", "ID", NULL, NO_OPTS,
	  NULL, NULL, false, NULL, "show one scan target with the addresses it covers", NULL },
	{ "scan", "target approve", "POST", "/v1/scan-targets/{id}/approve", "ID", NULL,
	  OPTS(B_STR("reference", "reference", true, "TEXT",
	             "the written authorisation: document number, signatory, date")),
	  NULL, NULL, false, NULL, "authorise a pending scan target (admin)", NULL },
	{ "scan", "target reject", "POST", "/v1/scan-targets/{id}/reject", "ID", NULL,
	  OPTS(B_STR("reason", "reason", true, "TEXT", "why it is refused")),
	  NULL, NULL, false, NULL, "refuse a pending scan target (admin)", NULL },
	{ "scan", "target delete", "DELETE", "/v1/scan-targets/{id}", "ID", NULL, NO_OPTS,
	  NULL, NULL, false, NULL, "delete a scan target (its unit of quota is freed)", NULL },
	{ "scan", "run", "POST", "/v1/scan-targets/{id}/scans", "TARGET_ID", NULL,
	  OPTS(B_STR("ports", "ports", false, "SPEC", "ports for this scan (default: the target's)"),
	       B_INT("rate", "rate", false, 0, 100000, "N", "connects per second (0: no limit)")),
	  NULL, NULL, false, NULL, "queue a scan of an authorised target", NULL },
	{ "scan", "list", "GET", "/v1/scans", NULL, NULL,
	  OPTS(Q_INT("target", "target_id", 1, 0, "ID", "only this target"),
	       Q_STR("status", "status", "STATUS", "queued, running, done, failed or cancelled"),
	       Q_INT("tenant", "tenant_id", 1, 0, "ID", "tenant id (operators)")),
	  COLS("id", "target_id", "status", "ports_done", "ports_total", "open_ports", "findings",
	       "created_at", "finished_at"),
	  NULL, false, NULL, "list scans (history, progress)", NULL },
	{ "scan", "show", "GET", "/v1/scans/{id}", "ID", NULL, NO_OPTS,
	  NULL, NULL, false, NULL, "show one scan and its progress", NULL },
	{ "scan", "cancel", "POST", "/v1/scans/{id}/cancel", "ID", NULL, NO_OPTS,
	  NULL, NULL, false, NULL, "cancel a queued or running scan", NULL },
	{ "scan", "results", "GET", "/v1/scans/{id}/results", "ID", NULL, NO_OPTS,
	  NULL, NULL, false, NULL,
	  "open ports, services and findings of a scan, and the diff against the previous one",
	  NULL },

	/* host vulnerabilities */
	{ "vuln", "feed import", "POST", "/v1/vuln/feeds", NULL, NULL,
	  OPTS(B_CHOICE("kind", "kind", true, "debian-tracker|osv", "KIND",
	                "debian-tracker (Debian Security Tracker JSON) or osv"),
	       B_STR("path", "path", false, "PATH", "the feed file, an absolute path on the control plane host"),
	       B_STR("url", "url", false, "URL", "or an https:// URL yunshoud fetches (feed_ca_file: the CA to trust)")),
	  NULL, NULL, false, NULL, "import a vulnerability feed (--path or --url) and re-match every host",
	  "a feed that does not parse is rejected whole; the previous one stays in force" },
	{ "vuln", "feed list", "GET", "/v1/vuln/feeds", NULL, NULL, NO_OPTS,
	  COLS("id", "kind", "active", "entries", "advisories", "imported_at", "sha256", "source"),
	  NULL, false, NULL, "list imported vulnerability feeds", NULL },
	{ "vuln", "xref import", "POST", "/v1/vuln/xref", NULL, NULL,
	  OPTS(B_STR("path", "path", true, "PATH", "CSV file CVE,CNNVD,CNVD on the control plane host")),
	  NULL, NULL, false, NULL, "replace the CVE -> CNNVD/CNVD cross-reference table", NULL },
	{ "vuln", "findings", "GET", "/v1/vuln/findings", NULL, NULL,
	  OPTS(Q_INT("node", "node_id", 1, 0, "ID", "only this node"),
	       Q_STR("severity", "severity", "SEV", "critical, high, medium or low"),
	       Q_STR("status", "status", "STATUS", "open, fixed, accepted_risk or false_positive"),
	       Q_STR("cve", "cve", "CVE", "one CVE id")),
	  COLS("id", "node_id", "cve", "package", "installed_version", "fixed_version",
	       "severity_zh", "cvss", "status"),
	  NULL, false, NULL, "list host vulnerability findings (fixed_version empty: no fix yet)",
	  NULL },
	{ "vuln", "show", "GET", "/v1/vuln/findings/{id}", "ID", NULL, NO_OPTS,
	  NULL, NULL, false, NULL, "show one finding", NULL },
	{ "vuln", "accept", "POST", "/v1/vuln/findings/{id}/accept", "ID", NULL,
	  OPTS(B_STR("reason", "reason", true, "TEXT", "why the risk is accepted"),
	       B_STR("until", "expires_on", true, "DATE", "acceptance expires (YYYY-MM-DD); the finding reopens then")),
	  NULL, NULL, false, NULL, "accept the risk of a finding until a date", NULL },
	{ "vuln", "false-positive", "POST", "/v1/vuln/findings/{id}/false-positive", "ID", NULL,
	  OPTS(B_STR("reason", "reason", true, "TEXT", "why the finding does not apply")),
	  NULL, NULL, false, NULL, "mark a finding as a false positive", NULL },
	{ "vuln", "export", "GET", "/v1/vuln/findings/export", NULL, NULL,
	  OPTS({ .flag = "format", .field = "format", .type = CLI_OPT_STR,
	         .dest = CLI_DEST_QUERY, .choices = "csv|json",
	         .metavar = "FMT", .help = "csv or json" },
	       Q_INT("node", "node_id", 1, 0, "ID", "only this node"),
	       Q_STR("severity", "severity", "SEV", "critical, high, medium or low"),
	       Q_STR("status", "status", "STATUS", "open, fixed, accepted_risk or false_positive"),
	       { .flag = "output", .field = "output", .type = CLI_OPT_STR,
	         .dest = CLI_DEST_LOCAL, .metavar = "FILE",
	         .help = "write to FILE (default: standard output)" }),
	  NULL, NULL, false, cli_run_audit_export, "export findings as CSV or JSON", NULL },

	/* qualification readiness (operators: admin writes, admin/auditor read) */
	{ "qual", "requirements", "GET", "/v1/qual/requirements", NULL, NULL, NO_OPTS,
	  COLS("id", "section", "evidence", "requirement_en"),
	  NULL, false, NULL, "list the CNITSEC level-1 requirements and their evidence kinds", NULL },
	{ "qual", "checklist", "GET", "/v1/qual/checklist", NULL, NULL,
	  OPTS(QUAL_TODAY),
	  COLS("id", "status", "summary_zh"),
	  NULL, false, cli_run_qual_checklist,
	  "self-assessment: every requirement's status from live records", NULL },
	{ "qual", "deadlines", "GET", "/v1/qual/deadlines", NULL, NULL,
	  OPTS(QUAL_TODAY),
	  COLS("kind", "year", "window_start_on", "window_end_on", "state", "days_left", "filed_on"),
	  NULL, false, NULL, "annual survey, renewal and rectification deadlines", NULL },
	{ "qual", "export", "POST", "/v1/qual/exports", NULL, NULL,
	  OPTS({ .flag = "output", .field = "output", .type = CLI_OPT_STR,
	         .dest = CLI_DEST_LOCAL, .required = true, .metavar = "DIR",
	         .help = "new directory for the bundle" }),
	  NULL, NULL, false, cli_run_qual_export,
	  "write the evidence bundle for the assessor (with a SHA-256 MANIFEST)", NULL },
	{ "qual", "staff add", "POST", "/v1/qual/staff", NULL, NULL,
	  OPTS(B_STR("name", "name", true, "NAME", "person's name"),
	       B_STR("role", "role", true, "ROLE", "role, e.g. 安全工程师 / sales"),
	       B_BOOL("full-time", "full_time", "employed full time"),
	       B_BOOL("support-only", "support_only", "not involved in delivering services"),
	       B_STR("nda-signed", "nda_signed_on", false, "DATE", "confidentiality agreement signed (YYYY-MM-DD)"),
	       B_STR("nda-doc", "nda_document", false, "REF", "confidentiality agreement document reference")),
	  NULL, NULL, false, NULL, "add a staff member", NULL },
	{ "qual", "staff list", "GET", "/v1/qual/staff", NULL, NULL, OPTS(QUAL_TODAY),
	  COLS("id", "name", "role", "full_time", "cisp_valid", "nda_signed_on", "active"),
	  NULL, false, NULL, "list staff with certificates and training", NULL },
	{ "qual", "staff cert", "POST", "/v1/qual/staff/{id}/certificates", "ID", NULL,
	  OPTS(B_STR("kind", "kind", true, "KIND", "certificate kind, e.g. CISP"),
	       B_STR("number", "number", true, "NO", "certificate number"),
	       B_STR("issued", "issued_on", true, "DATE", "issue date (YYYY-MM-DD)"),
	       B_STR("expires", "expires_on", false, "DATE", "expiry date (YYYY-MM-DD)")),
	  NULL, NULL, false, NULL, "record a staff member's certificate", NULL },
	{ "qual", "staff nda", "POST", "/v1/qual/staff/{id}/nda", "ID", NULL,
	  OPTS(B_STR("signed", "nda_signed_on", true, "DATE", "date signed (YYYY-MM-DD)"),
	       B_STR("doc", "nda_document", true, "REF", "document reference")),
	  NULL, NULL, false, NULL, "record a signed confidentiality agreement", NULL },
	{ "qual", "staff training", "POST", "/v1/qual/staff/{id}/training", "ID", NULL,
	  OPTS(B_STR("course", "course", true, "TEXT", "course"),
	       B_STR("date", "taken_on", true, "DATE", "date (YYYY-MM-DD)"),
	       B_INT("hours", "hours", true, 1, 2000, "N", "hours")),
	  NULL, NULL, false, NULL, "record training", NULL },
	{ "qual", "staff leave", "POST", "/v1/qual/staff/{id}/leave", "ID", NULL,
	  OPTS(B_STR("date", "left_on", true, "DATE", "last day (YYYY-MM-DD)")),
	  NULL, NULL, false, NULL, "record that a staff member left", NULL },
	{ "qual", "engagement add", "POST", "/v1/qual/engagements", NULL, NULL,
	  OPTS(B_INT("tenant", "tenant_id", true, 1, 0, "ID", "customer tenant"),
	       B_STR("name", "name", true, "NAME", "engagement name"),
	       B_STR("plan", "plan", true, "TEXT", "service plan of the engagement"),
	       B_STR("started", "started_on", true, "DATE", "start date (YYYY-MM-DD)")),
	  NULL, NULL, false, NULL, "add a service engagement (project)", NULL },
	{ "qual", "engagement list", "GET", "/v1/qual/engagements", NULL, NULL, OPTS(QUAL_TODAY),
	  COLS("id", "tenant_id", "name", "started_on", "acceptance", "accepted_on"),
	  NULL, false, NULL, "list engagements", NULL },
	{ "qual", "engagement show", "GET", "/v1/qual/engagements/{id}", "ID", NULL, OPTS(QUAL_TODAY),
	  NULL, NULL, false, NULL, "show an engagement with milestones, staff, risks and reviews", NULL },
	{ "qual", "engagement milestone", "POST", "/v1/qual/engagements/{id}/milestones", "ID", NULL,
	  OPTS(B_STR("title", "title", true, "TEXT", "milestone"),
	       B_STR("due", "due_on", true, "DATE", "due date (YYYY-MM-DD)"),
	       B_STR("done", "done_on", false, "DATE", "date done (YYYY-MM-DD)")),
	  NULL, NULL, false, NULL, "add a milestone", NULL },
	{ "qual", "milestone done", "POST", "/v1/qual/milestones/{id}/done", "ID", NULL,
	  OPTS(B_STR("date", "done_on", true, "DATE", "date done (YYYY-MM-DD)")),
	  NULL, NULL, false, NULL, "mark a milestone done", NULL },
	{ "qual", "engagement assign", "POST", "/v1/qual/engagements/{id}/staff", "ID", NULL,
	  OPTS(B_INT("staff", "staff_id", true, 1, 0, "ID", "staff member"),
	       B_STR("role", "role", false, "ROLE", "role in the engagement")),
	  NULL, NULL, false, NULL, "name a responsible staff member", NULL },
	{ "qual", "engagement risk", "POST", "/v1/qual/engagements/{id}/risks", "ID", NULL,
	  OPTS(B_STR("description", "description", true, "TEXT", "risk"),
	       B_INT("likelihood", "likelihood", true, 1, 5, "1-5", "likelihood"),
	       B_INT("impact", "impact", true, 1, 5, "1-5", "impact"),
	       B_STR("owner", "owner", true, "NAME", "owner"),
	       B_STR("treatment", "treatment", true, "TEXT", "treatment")),
	  NULL, NULL, false, NULL, "record a project risk", NULL },
	{ "qual", "engagement review", "POST", "/v1/qual/engagements/{id}/reviews", "ID", NULL,
	  OPTS(B_STR("date", "reviewed_on", true, "DATE", "review date (YYYY-MM-DD)"),
	       B_STR("reviewer", "reviewer", true, "NAME", "QA reviewer"),
	       B_CHOICE("result", "result", true, "pass|issues|fail", "RESULT", "pass, issues or fail"),
	       B_STR("notes", "notes", false, "TEXT", "notes")),
	  NULL, NULL, false, NULL, "record a QA review", NULL },
	{ "qual", "engagement accept", "POST", "/v1/qual/engagements/{id}/acceptance", "ID", NULL,
	  OPTS(B_CHOICE("result", "acceptance", true, "passed|failed", "RESULT", "passed or failed"),
	       B_STR("date", "accepted_on", true, "DATE", "acceptance date (YYYY-MM-DD)"),
	       B_STR("signoff", "customer_signoff", true, "TEXT", "customer sign-off (name, reference)")),
	  NULL, NULL, false, NULL, "record the customer's acceptance result", NULL },
	{ "qual", "supplier add", "POST", "/v1/qual/suppliers", NULL, NULL,
	  OPTS(B_STR("name", "name", true, "NAME", "supplier"),
	       B_CHOICE("supplies", "supplies", true, "software|hardware|rule_feed|data_centre|other",
	           "WHAT", "software, hardware, rule_feed, data_centre or other"),
	       B_STR("contract", "contract_ref", false, "REF", "contract reference"),
	       B_STR("contract-ends", "contract_ends_on", false, "DATE", "contract end (YYYY-MM-DD)")),
	  NULL, NULL, false, NULL, "add a supplier", NULL },
	{ "qual", "supplier list", "GET", "/v1/qual/suppliers", NULL, NULL, OPTS(QUAL_TODAY),
	  COLS("id", "name", "supplies", "contract_ref", "assessment_current"),
	  NULL, false, NULL, "list suppliers with assessments", NULL },
	{ "qual", "supplier assess", "POST", "/v1/qual/suppliers/{id}/assessments", "ID", NULL,
	  OPTS(B_STR("date", "assessed_on", true, "DATE", "assessment date (YYYY-MM-DD)"),
	       B_CHOICE("result", "result", true, "pass|conditional|fail", "RESULT", "pass, conditional or fail"),
	       B_STR("next-due", "next_due_on", true, "DATE", "next assessment due (YYYY-MM-DD)"),
	       B_STR("notes", "notes", false, "TEXT", "notes")),
	  NULL, NULL, false, NULL, "record a supplier assessment", NULL },
	{ "qual", "complaint add", "POST", "/v1/qual/complaints", NULL, NULL,
	  OPTS(B_STR("received", "received_on", true, "DATE", "date received (YYYY-MM-DD)"),
	       B_STR("complainant", "complainant", true, "NAME", "who complained"),
	       B_STR("subject", "subject", true, "TEXT", "what about"),
	       B_INT("tenant", "tenant_id", false, 1, 0, "ID", "tenant concerned")),
	  NULL, NULL, false, NULL, "record a complaint", NULL },
	{ "qual", "complaint close", "POST", "/v1/qual/complaints/{id}/close", "ID", NULL,
	  OPTS(B_STR("handling", "handling", true, "TEXT", "how it was handled, and what prevents a recurrence"),
	       B_STR("date", "closed_on", true, "DATE", "date closed (YYYY-MM-DD)")),
	  NULL, NULL, false, NULL, "close a complaint", NULL },
	{ "qual", "complaint list", "GET", "/v1/qual/complaints", NULL, NULL, NO_OPTS,
	  COLS("id", "received_on", "complainant", "subject", "closed_on"),
	  NULL, false, NULL, "list complaints", NULL },
	{ "qual", "document add", "POST", "/v1/qual/documents", NULL, NULL,
	  OPTS(B_STR("requirement", "requirement_id", true, "ID", "requirement id, e.g. 3.1-1"),
	       B_STR("title", "title", true, "TEXT", "document title"),
	       B_STR("sha256", "sha256", true, "HEX", "SHA-256 of the file (sha256sum)"),
	       B_STR("reviewer", "reviewer", false, "NAME", "reviewer"),
	       B_STR("reviewed", "reviewed_on", false, "DATE", "review date (YYYY-MM-DD)"),
	       B_STR("expires", "expires_on", false, "DATE", "expiry (YYYY-MM-DD)")),
	  NULL, NULL, false, NULL, "record a supporting document", NULL },
	{ "qual", "document review", "POST", "/v1/qual/documents/{id}/review", "ID", NULL,
	  OPTS(B_STR("reviewer", "reviewer", true, "NAME", "reviewer"),
	       B_STR("date", "reviewed_on", true, "DATE", "review date (YYYY-MM-DD)"),
	       B_STR("expires", "expires_on", false, "DATE", "expiry (YYYY-MM-DD)")),
	  NULL, NULL, false, NULL, "record a document's review", NULL },
	{ "qual", "document list", "GET", "/v1/qual/documents", NULL, NULL, OPTS(QUAL_TODAY),
	  COLS("id", "requirement_id", "title", "reviewer", "reviewed_on", "expires_on", "status"),
	  NULL, false, NULL, "list documents", NULL },
	{ "qual", "fee add", "POST", "/v1/qual/fees", NULL, NULL,
	  OPTS(B_CHOICE("kind", "kind", true, "first_application|maintenance|implementation", "KIND",
	           "first_application, maintenance or implementation"),
	       B_INT("amount-fen", "amount_fen", true, 0, 0, "FEN", "amount in fen (1/100 CNY)"),
	       B_STR("date", "paid_on", true, "DATE", "date paid (YYYY-MM-DD)"),
	       B_STR("note", "note", false, "TEXT", "note")),
	  NULL, NULL, false, NULL, "record a fee paid", NULL },
	{ "qual", "fee list", "GET", "/v1/qual/fees", NULL, NULL, NO_OPTS,
	  COLS("id", "kind", "amount_cny", "paid_on", "note"),
	  NULL, false, NULL, "list fees (the answer also holds the standard amounts)", NULL },
	{ "qual", "application add", "POST", "/v1/qual/applications", NULL, NULL,
	  OPTS(B_CHOICE("kind", "kind", true, "first|maintenance", "KIND", "first or maintenance"),
	       B_STR("submitted", "submitted_on", true, "DATE", "date submitted (YYYY-MM-DD)")),
	  NULL, NULL, false, NULL, "record an application to CNITSEC", NULL },
	{ "qual", "application list", "GET", "/v1/qual/applications", NULL, NULL, NO_OPTS,
	  COLS("id", "kind", "level", "submitted_on"),
	  NULL, false, NULL, "list applications with stages and rectification items", NULL },
	{ "qual", "application stage", "POST", "/v1/qual/applications/{id}/stages", "ID", NULL,
	  OPTS(B_CHOICE("stage", "stage", true, "eligibility_review|static_assessment|onsite_audit|"
	           "comprehensive_evaluation|committee_decision|certificate_issued", "STAGE",
	           "the next stage, in the guide's order"),
	       B_STR("date", "completed_on", true, "DATE", "date completed (YYYY-MM-DD)"),
	       B_STR("findings", "findings", false, "TEXT", "findings")),
	  NULL, NULL, false, NULL, "record a completed stage", NULL },
	{ "qual", "application rectification", "POST", "/v1/qual/applications/{id}/rectifications",
	  "ID", NULL,
	  OPTS(B_CHOICE("stage", "stage", true, "static_assessment|onsite_audit|"
	           "comprehensive_evaluation|annual_inspection", "STAGE", "stage that found it"),
	       B_STR("item", "item", true, "TEXT", "what must be rectified"),
	       B_STR("deadline", "deadline_on", true, "DATE", "deadline (YYYY-MM-DD)")),
	  NULL, NULL, false, NULL, "record a rectification item", NULL },
	{ "qual", "rectification verify", "POST", "/v1/qual/rectifications/{id}/verify", "ID", NULL,
	  OPTS(B_STR("date", "verified_on", true, "DATE", "date verified (YYYY-MM-DD)")),
	  NULL, NULL, false, NULL, "record that a rectification was verified", NULL },
	{ "qual", "cert add", "POST", "/v1/qual/certificates", NULL, NULL,
	  OPTS(B_STR("number", "number", true, "NO", "certificate number"),
	       B_STR("issued", "issued_on", true, "DATE", "issue date (YYYY-MM-DD); expiry is 3 years later"),
	       B_INT("application", "application_id", false, 1, 0, "ID", "the application it concludes")),
	  NULL, NULL, false, NULL, "record the qualification certificate", NULL },
	{ "qual", "cert list", "GET", "/v1/qual/certificates", NULL, NULL, OPTS(QUAL_TODAY),
	  COLS("id", "number", "level", "issued_on", "expires_on", "status"),
	  NULL, false, NULL, "list certificates", NULL },
	{ "qual", "filing add", "POST", "/v1/qual/filings", NULL, NULL,
	  OPTS(B_CHOICE("kind", "kind", true, "annual_survey|renewal_application|"
	           "change_notification|transfer_request", "KIND",
	           "annual_survey, renewal_application, change_notification or transfer_request"),
	       B_INT("certificate", "certificate_id", false, 1, 0, "ID", "certificate (surveys, renewals)"),
	       B_STR("for", "for_on", false, "DATE", "anniversary the survey is for (YYYY-MM-DD)"),
	       B_STR("date", "filed_on", true, "DATE", "date filed (YYYY-MM-DD)"),
	       B_STR("subject", "subject", true, "TEXT", "what was filed")),
	  NULL, NULL, false, NULL, "record a filing with CNITSEC", NULL },
	{ "qual", "filing list", "GET", "/v1/qual/filings", NULL, NULL, NO_OPTS,
	  COLS("id", "kind", "certificate_id", "for_on", "filed_on", "subject"),
	  NULL, false, NULL, "list filings", NULL },
	{ "qual", "sanction add", "POST", "/v1/qual/sanctions", NULL, NULL,
	  OPTS(B_CHOICE("kind", "kind", true, "warning|rectification|suspension|revocation", "KIND",
	           "warning, rectification, suspension or revocation"),
	       B_INT("certificate", "certificate_id", false, 1, 0, "ID", "certificate"),
	       B_STR("received", "received_on", true, "DATE", "date received (YYYY-MM-DD)"),
	       B_STR("reason", "reason", true, "TEXT", "reason given")),
	  NULL, NULL, false, NULL, "record a sanction received", NULL },
	{ "qual", "sanction handle", "POST", "/v1/qual/sanctions/{id}/handle", "ID", NULL,
	  OPTS(B_STR("handling", "handling", true, "TEXT", "how it was handled"),
	       B_STR("date", "closed_on", true, "DATE", "date closed (YYYY-MM-DD)")),
	  NULL, NULL, false, NULL, "record how a sanction was handled", NULL },
	{ "qual", "sanction list", "GET", "/v1/qual/sanctions", NULL, NULL, NO_OPTS,
	  COLS("id", "kind", "received_on", "reason", "closed_on"),
	  NULL, false, NULL, "list sanctions", NULL },

	/* WAF sites (tenant admins write; docs/WAF.md "Service plan (tenant side)") */
	{ "site", "create", "POST", "/v1/sites", "NAME", "name",
	  OPTS(B_LIST("domains", "domains", true, "D1,D2", "host names (xn-- form for IDNs; *.example.com allowed)"),
	       B_CHOICE("mode", "mode", false, "block|monitor", "MODE", "block (default) or monitor"),
	       B_INT("cert", "cert_id", false, 1, 0, "ID", "an uploaded certificate covering the domains"),
	       SITE_CC_OPTS,
	       B_LIST("allow", "allow_ips", false, "CIDRS", "addresses that bypass inspection and CC limits"),
	       B_LIST("deny", "deny_ips", false, "CIDRS", "addresses always refused")),
	  NULL, NULL, false, NULL, "add a site (one unit of the waf quota); prints its CNAME target",
	  "point the site's DNS at the CNAME target shown under dns" },
	{ "site", "list", "GET", "/v1/sites", NULL, NULL, NO_OPTS,
	  COLS("id", "tenant_id", "name", "domains", "mode", "status", "cname"),
	  NULL, false, NULL, "list sites", NULL },
	{ "site", "show", "GET", "/v1/sites/{id}", "ID", NULL, NO_OPTS,
	  NULL, NULL, false, NULL, "show a site with its origins, exceptions, rules and certificate", NULL },
	{ "site", "update", "POST", "/v1/sites/{id}/update", "ID", NULL,
	  OPTS(B_STR("name", "name", false, "NAME", "new name"),
	       B_LIST("domains", "domains", false, "D1,D2", "replace the host names"),
	       B_CHOICE("mode", "mode", false, "block|monitor", "MODE", "block or monitor"),
	       B_CHOICE("status", "status", false, "active|disabled", "STATUS", "active or disabled (not served)"),
	       B_INT("cert", "cert_id", false, 0, 0, "ID", "attach this certificate (0: none)"),
	       SITE_CC_OPTS,
	       B_LIST("allow", "allow_ips", false, "CIDRS", "replace the allow list ('' empties it)"),
	       B_LIST("deny", "deny_ips", false, "CIDRS", "replace the deny list ('' empties it)")),
	  NULL, NULL, false, NULL, "change a site's settings, certificate, CC limits or IP lists", NULL },
	{ "site", "delete", "DELETE", "/v1/sites/{id}", "ID", NULL, NO_OPTS,
	  NULL, NULL, false, NULL, "delete a site and free its quota unit", NULL },
	{ "site", "origin add", "POST", "/v1/sites/{id}/origins", "ID", NULL,
	  OPTS(B_STR("address", "address", true, "ADDR", "origin IP address or host name"),
	       B_INT("port", "port", false, 1, 65535, "PORT", "port (default 80, 443 for https)"),
	       B_CHOICE("scheme", "scheme", false, "http|https", "SCHEME", "http (default) or https"),
	       B_STR("health-path", "health_path", false, "PATH", "health check path (default /)"),
	       B_INT("weight", "weight", false, 1, 100, "N", "load-balancing weight 1-100 (default 10)")),
	  NULL, NULL, false, NULL, "add an origin server to a site", NULL },
	{ "site", "origin delete", "DELETE", "/v1/sites/origins/{id}", "ORIGIN_ID", NULL, NO_OPTS,
	  NULL, NULL, false, NULL, "remove an origin server", NULL },
	{ "site", "cert upload", "POST", "/v1/certificates", NULL, NULL,
	  OPTS(B_STR("name", "name", true, "NAME", "a name for the certificate"),
	       B_FILE("cert", "certificate", true, "FILE", "PEM certificate chain, leaf first"),
	       B_FILE("key", "key", true, "FILE", "PEM private key without a passphrase")),
	  NULL, NULL, false, NULL, "upload a TLS certificate and its key (the key is never shown again)",
	  NULL },
	{ "site", "cert list", "GET", "/v1/certificates", NULL, NULL, NO_OPTS,
	  COLS("id", "name", "sans", "not_after_at", "days_left", "expiry", "fingerprint"),
	  NULL, false, NULL, "list uploaded certificates", NULL },
	{ "site", "cert delete", "DELETE", "/v1/certificates/{id}", "ID", NULL, NO_OPTS,
	  NULL, NULL, false, NULL, "delete a certificate no site uses", NULL },
	{ "site", "exception add", "POST", "/v1/sites/{id}/exceptions", "ID", NULL,
	  OPTS(B_STR("rule", "rule_id", false, "RULE", "rule id to switch off"),
	       B_STR("category", "category", false, "CAT", "or a whole category (sqli, xss, ...)"),
	       B_STR("path", "path_prefix", false, "PREFIX", "only under this path"),
	       B_STR("field", "field", false, "FIELD", "only for this field, e.g. arg:content"),
	       B_STR("note", "note", false, "TEXT", "why")),
	  NULL, NULL, false, NULL, "add a rule exception (a known false positive)", NULL },
	{ "site", "exception delete", "DELETE", "/v1/sites/exceptions/{id}", "EXCEPTION_ID", NULL,
	  NO_OPTS, NULL, NULL, false, NULL, "remove a rule exception", NULL },
	{ "site", "rule add", "POST", "/v1/sites/{id}/rules", "ID", NULL,
	  OPTS(B_STR("field", "field", true, "FIELD", "method, path, query, uri, body, client_ip, header:N, cookie:N or arg:N"),
	       B_CHOICE("operator", "operator", true, "equals|not_equals|contains|prefix|suffix|regex|length_gt|in_cidr",
	           "OP", "how to compare"),
	       B_STR("value", "value", true, "VALUE", "what to compare with"),
	       B_CHOICE("action", "action", true, "block|allow|log", "ACTION", "block, allow or log"),
	       B_STR("name", "name", false, "NAME", "a name for the rule")),
	  NULL, NULL, false, NULL, "add a custom rule", NULL },
	{ "site", "rule delete", "DELETE", "/v1/sites/rules/{id}", "RULE_ID", NULL, NO_OPTS,
	  NULL, NULL, false, NULL, "remove a custom rule", NULL },
	{ "site", "stats", "GET", "/v1/sites/{id}/stats", "ID", NULL, NO_OPTS,
	  NULL, NULL, false, NULL, "requests, blocked, attacks, top attack types and top sources", NULL },
	{ "waf", "events", "GET", "/v1/waf/events", NULL, NULL,
	  OPTS(Q_INT("site", "site_id", 1, 0, "ID", "only this site"),
	       Q_STR("category", "category", "CAT", "only this category (sqli, xss, ...)"),
	       Q_STR("since", "since", "TIME", "at or after (RFC 3339 or date)"),
	       Q_INT("after", "after", 0, 0, "ID", "events after this id"),
	       Q_INT("limit", "limit", 1, 1000, "N", "at most N events (1-1000)")),
	  COLS("id", "site_id", "time", "category", "rule_id", "severity", "action", "client_ip",
	       "method", "uri"),
	  NULL, false, NULL, "list WAF attack events of your sites", NULL },

	{ "policy", "set", "POST", "/v1/policies", NULL, NULL,
	  OPTS(B_CHOICE("kind", "kind", true, "agent|waf|scrubber", "KIND", "the node kind"),
	       B_JSON("policy", "policy", true, "JSON", "the policy object (scrubber: {\"scrubbing\", \"dns\", \"thresholds\"}, see DDOS.md)"),
	       B_INT("tenant", "tenant_id", false, 1, 0, "ID", "admins: for this tenant only (default: provider-wide)")),
	  NULL, NULL, false, NULL, "set the policy of a node kind; its nodes fetch a new bundle", NULL },
	/* anti-DDoS (tenant admins write; docs/DDOS.md "Service plan (tenant side)") */
	{ "ddos", "object add", "POST", "/v1/ddos/objects", "NAME", "name",
	  OPTS(B_JSON("ips", "ips", true, "JSON", "addresses: [{\"addr\": IP, \"services\": [{\"proto\": \"tcp\", \"ports\": [80, \"8000-8010\"]}], \"origin\": IP}]"),
	       B_JSON("thresholds", "thresholds", false, "JSON", "detection overrides: {\"pps\", \"bps\", \"syn_pps\", \"baseline_pct\", \"min_pps\", \"consecutive\", \"quiet_ms\"}")),
	  NULL, NULL, false, NULL, "protect public service addresses (one anti-ddos quota unit per address)", NULL },
	{ "ddos", "object list", "GET", "/v1/ddos/objects", NULL, NULL, NO_OPTS,
	  COLS("id", "tenant_id", "name", "ips", "status"),
	  NULL, false, NULL, "list protected objects", NULL },
	{ "ddos", "object show", "GET", "/v1/ddos/objects/{id}", "ID", NULL, NO_OPTS,
	  NULL, NULL, false, NULL, "show a protected object with its domains and rules", NULL },
	{ "ddos", "object update", "POST", "/v1/ddos/objects/{id}/update", "ID", NULL,
	  OPTS(B_STR("name", "name", false, "NAME", "new name"),
	       B_JSON("ips", "ips", false, "JSON", "replace the addresses (quota follows)"),
	       B_JSON("thresholds", "thresholds", false, "JSON", "replace the detection overrides"),
	       B_CHOICE("status", "status", false, "active|disabled", "STATUS", "active or disabled (not sent to the scrubbers)")),
	  NULL, NULL, false, NULL, "change a protected object", NULL },
	{ "ddos", "object delete", "DELETE", "/v1/ddos/objects/{id}", "ID", NULL, NO_OPTS,
	  NULL, NULL, false, NULL, "stop protecting an object (its domains and rules go too; quota is freed)", NULL },
	{ "ddos", "domain add", "POST", "/v1/ddos/domains", "LABEL", "label",
	  OPTS(B_INT("object", "object_id", true, 1, 0, "ID", "the protected object"),
	       B_LIST("origins", "origins", true, "IP1,IP2", "the origin addresses the name resolves to without an attack"),
	       B_CHOICE("mode", "mode", false, "on-demand|always-on", "MODE", "on-demand (default: diverted during attacks) or always-on")),
	  NULL, NULL, false, NULL, "add a protected domain <LABEL>.<protection zone>",
	  "point your domain at the name shown (a CNAME record)" },
	{ "ddos", "domain list", "GET", "/v1/ddos/domains", NULL, NULL,
	  OPTS(Q_INT("object", "object_id", 1, 0, "ID", "only this object")),
	  COLS("id", "object_id", "name", "mode", "origins"),
	  NULL, false, NULL, "list protected domains", NULL },
	{ "ddos", "domain show", "GET", "/v1/ddos/domains/{id}", "ID", NULL, NO_OPTS,
	  NULL, NULL, false, NULL, "show a protected domain", NULL },
	{ "ddos", "domain update", "POST", "/v1/ddos/domains/{id}/update", "ID", NULL,
	  OPTS(B_LIST("origins", "origins", false, "IP1,IP2", "replace the origin addresses"),
	       B_CHOICE("mode", "mode", false, "on-demand|always-on", "MODE", "on-demand or always-on")),
	  NULL, NULL, false, NULL, "change a protected domain's mode or origins", NULL },
	{ "ddos", "domain delete", "DELETE", "/v1/ddos/domains/{id}", "ID", NULL, NO_OPTS,
	  NULL, NULL, false, NULL, "remove a protected domain", NULL },
	{ "ddos", "rule add", "POST", "/v1/ddos/rules", NULL, NULL,
	  OPTS(B_INT("object", "object_id", true, 1, 0, "ID", "the protected object"),
	       B_CHOICE("action", "action", true, "block|allow|ratelimit", "ACTION", "block or allow a source CIDR, or ratelimit every source"),
	       B_STR("cidr", "cidr", false, "CIDR", "sources (block, allow)"),
	       B_INT("pps", "pps", false, 1, 0, "N", "ratelimit: packets per second per source"),
	       B_INT("bps", "bps", false, 1, 0, "N", "ratelimit: bits per second per source"),
	       B_INT("expires-in", "expires_in_seconds", false, 60, 366 * 86400, "SECONDS", "remove the rule after this long"),
	       B_STR("note", "note", false, "TEXT", "why")),
	  NULL, NULL, false, NULL, "add a manual rule to a protected object", NULL },
	{ "ddos", "rule list", "GET", "/v1/ddos/rules", NULL, NULL,
	  OPTS(Q_INT("object", "object_id", 1, 0, "ID", "only this object")),
	  COLS("id", "object_id", "action", "cidr", "pps", "bps", "expires_at", "note"),
	  NULL, false, NULL, "list manual rules", NULL },
	{ "ddos", "rule delete", "DELETE", "/v1/ddos/rules/{id}", "ID", NULL, NO_OPTS,
	  NULL, NULL, false, NULL, "remove a manual rule", NULL },
	{ "ddos", "attacks", "GET", "/v1/ddos/attacks", NULL, NULL,
	  OPTS(Q_INT("object", "object_id", 1, 0, "ID", "only this object"),
	       Q_BOOL("active", "active", "only attacks still going on"),
	       Q_INT("limit", "limit", 1, 1000, "N", "at most N attacks (1-1000)")),
	  COLS("id", "object_id", "ip", "start", "end", "status", "vectors", "peak_pps", "peak_bps",
	       "dropped_pkts"),
	  NULL, false, NULL, "list DDoS attacks on your protected objects", NULL },
	{ "ddos", "attack show", "GET", "/v1/ddos/attacks/{id}", "ID", NULL, NO_OPTS,
	  NULL, NULL, false, NULL, "show an attack report: vectors, peaks, drops, top sources, timeline", NULL },

	/* vulnerability scanning, local tools */
	{ "vuln", "compare", "LOCAL", "-", "[A B]", NULL,
	  OPTS({ .flag = "format", .field = "format", .type = CLI_OPT_STR,
	         .dest = CLI_DEST_LOCAL, .required = true, .choices = "dpkg|rpm|apk",
	         .metavar = "FMT", .help = "version rules: dpkg, rpm or apk" },
	       { .flag = "stdin", .field = "stdin", .type = CLI_OPT_BOOL,
	         .dest = CLI_DEST_LOCAL,
	         .help = "read one 'A B' pair per line, print one result per line" }),
	  NULL, NULL, false, cli_run_vuln_compare,
	  "compare two package versions as dpkg, rpm or apk would: prints <, = or >",
	  NULL },

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

/* "a,b" -> ["a", "b"]; "" -> []. */
static json_t *
split_list(const char *v)
{
	json_t *a = json_array();

	while (a && *v) {
		const char *c = strchr(v, ',');
		size_t n = c ? (size_t)(c - v) : strlen(v);

		if (json_array_append_new(a, json_stringn(v, n)) < 0) {
			json_decref(a);
			return NULL;
		}
		v += n + (c != NULL);
	}
	return a;
}

#define CLI_FILE_MAX (1024 * 1024)

/* A text file's contents as a JSON string, or NULL. */
static json_t *
file_text(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf = f ? malloc(CLI_FILE_MAX + 1) : NULL;
	size_t n = buf ? fread(buf, 1, CLI_FILE_MAX + 1, f) : 0;
	json_t *j = NULL;

	if (buf && n <= CLI_FILE_MAX)
		j = json_stringn(buf, n);
	if (buf)
		memset(buf, 0, n);	/* may be a private key */
	free(buf);
	if (f)
		fclose(f);
	return j;
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
		else if (o->type == CLI_OPT_LIST)
			j = split_list(v);
		else if (o->type == CLI_OPT_FILE)
			j = file_text(v);
		else if (o->type == CLI_OPT_JSON)
			j = json_loads(v, JSON_REJECT_DUPLICATES, NULL);
		else
			j = json_string(v);
		if (j == NULL)
			return -1;
		return json_object_set_new(body, o->field, j);
	case CLI_DEST_LOCAL:
		return json_object_set_new(local, o->field, json_string(v));
	}
	return -1;
}

/* How many arguments a verb takes: "list" is one word, "staff add" two
 * (nouns with many registers, such as qual, group their verbs). 0 when
 * args do not start with the verb. */
static int
verb_words(const char *verb, int argc, char **args)
{
	int w = 0;

	for (const char *p = verb; *p; w++) {
		const char *sp = strchr(p, ' ');
		size_t n = sp ? (size_t)(sp - p) : strlen(p);

		if (w >= argc || strlen(args[w]) != n || strncmp(args[w], p, n) != 0)
			return 0;
		p = sp ? sp + 1 : p + n;
	}
	return w;
}

/* Is word the first of a multi-word verb of noun ("qual staff")? */
static bool
is_verb_group(const char *noun, const char *word)
{
	size_t n = strlen(word);

	for (const struct cli_command *c = cli_commands; c->noun; c++)
		if (strcmp(c->noun, noun) == 0 && c->verb != NULL &&
		    strncmp(c->verb, word, n) == 0 && c->verb[n] == ' ')
			return true;
	return false;
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
			int w;

			if (strcmp(c->noun, argv[0]) == 0 && c->verb != NULL &&
			    (w = verb_words(c->verb, argc - 1, argv + 1)) > 0) {
				cmd = c;
				first = 1 + w;
				break;
			}
		}
		if (cmd == NULL) {
			if (is_verb_group(argv[0], argv[1]))
				set_err(err, errlen, "'%s %s' needs a verb", argv[0],
				    argv[1]);
			else
				set_err(err, errlen, "unknown command '%s %s'", argv[0],
				    argv[1]);
			return -1;
		}
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
		if (cli_is_local(cmd)) {
			if (out->nargs >= CLI_MAX_ARGS) {
				set_err(err, errlen, "unexpected argument '%s'", a);
				goto fail;
			}
			out->args[out->nargs++] = a;
			continue;
		}
		if (cmd->pos == NULL || pos != NULL) {
			set_err(err, errlen, "unexpected argument '%s'", a);
			goto fail;
		}
		pos = a;
	}

	/* Validate everything before building anything. */
	if (cmd->pos != NULL && pos == NULL && !cli_is_local(cmd)) {
		set_err(err, errlen, "missing %s", cmd->pos);
		goto fail;
	}
	if (cmd->pos != NULL && cmd->pos_field == NULL && !cli_is_local(cmd)) {
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
		if (o->type == CLI_OPT_JSON) {
			json_t *jv = json_loads(vals[k], JSON_REJECT_DUPLICATES, NULL);
			bool ok = json_is_array(jv) || json_is_object(jv);

			json_decref(jv);
			if (!ok) {
				set_err(err, errlen, "--%s: expected a JSON array or object", o->flag);
				goto fail;
			}
		}
		if (o->type == CLI_OPT_FILE) {
			struct stat sb;

			if (stat(vals[k], &sb) < 0 || !S_ISREG(sb.st_mode) ||
			    access(vals[k], R_OK) < 0) {
				set_err(err, errlen, "--%s: cannot read %s", o->flag, vals[k]);
				goto fail;
			}
			if (sb.st_size > CLI_FILE_MAX) {
				set_err(err, errlen, "--%s: %s is larger than 1 MiB", o->flag,
				    vals[k]);
				goto fail;
			}
		}
	}

	if (fill_path(out, cmd->path, (pos && !cmd->pos_field) ? pos : "") < 0) {
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

bool
cli_is_local(const struct cli_command *cmd)
{
	return strcmp(cmd->method, "LOCAL") == 0;
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
	if (cli_is_local(cmd))
		fputs("  local: needs no server or login\n", f);
	else
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
		fprintf(f, "%c%s. ", c->summary[0] >= 'a' && c->summary[0] <= 'z' ?
		    c->summary[0] - 'a' + 'A' : c->summary[0], c->summary + 1);
		if (cli_is_local(c))
			fputs("Local: needs no server or login.\n", f);
		else
			fprintf(f, "`%s %s`%s.\n", c->method, c->path,
			    c->is_public ? " (public)" : "");
		if (c->opts[0].flag != NULL || c->secret != NULL || c->pos) {
			fputs("\n| argument | API | |\n|---|---|---|\n", f);
			if (c->pos != NULL && cli_is_local(c))
				fprintf(f, "| `%s` | local | positional |\n", c->pos);
			else if (c->pos != NULL)
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
			    o->type == CLI_OPT_BOOL ? " (`true`)" :
			    o->type == CLI_OPT_LIST ? " (comma-separated list)" :
			    o->type == CLI_OPT_FILE ? " (the file's text)" :
			    o->type == CLI_OPT_JSON ? " (JSON)" : "",
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
