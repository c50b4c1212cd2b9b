/*
 * cli: the yunshou command-line client. Every command is one row of
 * cli_commands[] (commands.c): noun, verb, HTTP method, path template, the
 * flags and where each goes (JSON body, query string or local use), and the
 * columns shown for a list. cli_build_request() turns argv into a request
 * without touching the network, so it can be tested; the run functions
 * (actions.c) send it through http.c and print the answer with output.c.
 */
#ifndef YS_CLI_H
#define YS_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <jansson.h>

/* Exit codes, documented in docs/CLI.md. */
enum {
	CLI_EXIT_OK = 0,
	CLI_EXIT_API = 1,	/* the server refused, or a local failure */
	CLI_EXIT_USAGE = 2,
	CLI_EXIT_CONNECT = 3,	/* cannot reach the server (DNS, TCP, TLS) */
};

enum cli_opt_type {
	CLI_OPT_STR,
	CLI_OPT_INT,
	CLI_OPT_BOOL,
	CLI_OPT_LIST,		/* "a,b,c" -> JSON array of strings ("" -> []) */
	CLI_OPT_FILE,		/* a path; the file's text is sent (at most 1 MiB) */
	CLI_OPT_JSON,		/* JSON text (an array or object), sent as JSON */
};

enum cli_opt_dest {
	CLI_DEST_BODY,		/* JSON body member */
	CLI_DEST_QUERY,		/* query-string parameter */
	CLI_DEST_LOCAL,		/* used by the CLI itself, never sent */
};

struct cli_opt {
	const char *flag;	/* without the leading "--" */
	const char *field;	/* API field name (or local key) */
	enum cli_opt_type type;
	enum cli_opt_dest dest;
	bool required;
	long long min, max;	/* CLI_OPT_INT bounds; max 0 = no upper bound */
	const char *choices;	/* CLI_OPT_STR: "a|b|c", or NULL for any */
	const char *with;	/* flag that must be given together with this */
	const char *metavar;	/* "ID", "N", "TEXT"; unused for bools */
	const char *help;
};

/* A password the command sends that must not be a flag (it would show in
 * ps and shell history): taken from env, else asked on the terminal. */
struct cli_secret {
	const char *field;
	const char *env;
	const char *prompt;
	bool confirm;		/* ask twice */
};

struct cli_ctx;
struct cli_request;
typedef int (*cli_run_fn)(struct cli_ctx *ctx, struct cli_request *req);

struct cli_command {
	const char *noun;
	const char *verb;	/* NULL for one-word commands (login, ...) */
	const char *method;	/* "GET", "POST", "DELETE" */
	const char *path;	/* may hold "{id}" */
	const char *pos;	/* metavar of the one positional argument */
	const char *pos_field;	/* body field for it; NULL: fills {id} */
	const struct cli_opt *opts;	/* ends with a row whose flag is NULL */
	const char *const *columns;	/* for {"items": [...]}; NULL-ended */
	const struct cli_secret *secret;
	bool is_public;		/* sent without a token */
	cli_run_fn run;		/* NULL: cli_run_generic */
	const char *summary;
	const char *note;	/* printed to stderr after a human-readable
				 * success, e.g. "the key is shown once" */
};

/* A row with method "LOCAL" runs here without a server or login (path "-"),
 * and takes up to CLI_MAX_ARGS positionals into req->args. */
bool cli_is_local(const struct cli_command *cmd);

#define CLI_MAX_ARGS 2

extern const struct cli_command cli_commands[];	/* ends with noun NULL */

struct cli_request {
	const struct cli_command *cmd;	/* NULL if noun or verb unknown */
	const char *noun;	/* set once the noun is recognised */
	bool want_help;		/* --help was given; nothing else is set */
	char path[256];		/* {id} substituted */
	char *query;		/* "k=v&k=v", URL-encoded; NULL if none */
	json_t *body;		/* POST: an object (maybe empty); else NULL */
	json_t *local;		/* local options, e.g. {"output": "f.csv"} */
	const char *args[CLI_MAX_ARGS];	/* is_local commands' positionals */
	int nargs;
};

/*
 * argv[0] is the noun (global options already removed). Fills out; on a
 * usage error returns -1 with err set and out->cmd / out->noun set as far
 * as they were recognised, so that the caller can print the right usage.
 * "--help" anywhere sets out->want_help and returns 0.
 * Release out with cli_request_free() in either case.
 */
int cli_build_request(int argc, char **argv, struct cli_request *out,
    char *err, size_t errlen);
void cli_request_free(struct cli_request *req);
/* A local option's value, or NULL. */
const char *cli_request_local(const struct cli_request *req, const char *key);

/* Help output, generated from the table. */
void cli_usage_line(FILE *f, const struct cli_command *cmd);
void cli_help_command(FILE *f, const struct cli_command *cmd);
void cli_help_noun(FILE *f, const char *noun);
void cli_help_commands(FILE *f);	/* one usage line per command */
void cli_reference_markdown(FILE *f);

/* Resolved settings and the saved session, shared by the run functions. */
struct cli_session {
	char *server;
	char *ca;
	char *token;
	char *username;
};

struct cli_ctx {
	const char *server;	/* "https://host:port", no trailing '/' */
	const char *ca;		/* PEM bundle, or NULL: system store */
	const char *token;	/* NULL: not logged in */
	const char *config_dir;
	bool json;
	bool token_from_session; /* logout then clears the saved one */
	struct cli_session *session;
};

/* Run functions (actions.c); each returns an exit code. */
int cli_run_generic(struct cli_ctx *ctx, struct cli_request *req);
int cli_run_login(struct cli_ctx *ctx, struct cli_request *req);
int cli_run_logout(struct cli_ctx *ctx, struct cli_request *req);
int cli_run_passwd(struct cli_ctx *ctx, struct cli_request *req);
int cli_run_mfa_setup(struct cli_ctx *ctx, struct cli_request *req);
int cli_run_mfa_enable(struct cli_ctx *ctx, struct cli_request *req);
int cli_run_audit_export(struct cli_ctx *ctx, struct cli_request *req);
int cli_run_audit_verify(struct cli_ctx *ctx, struct cli_request *req);
int cli_run_qual_checklist(struct cli_ctx *ctx, struct cli_request *req);
int cli_run_qual_export(struct cli_ctx *ctx, struct cli_request *req);
int cli_run_vuln_compare(struct cli_ctx *ctx, struct cli_request *req);

#endif
