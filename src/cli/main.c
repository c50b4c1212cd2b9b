/*
 * main: the yunshou program. Reads the global options (each with an
 * environment variable and, for server, CA and token, the saved session as
 * fallbacks), builds the request from the rest of argv with
 * cli_build_request() and hands it to the command's run function.
 * The saved token is only ever sent to the server it was saved for.
 */
#include "cli.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <curl/curl.h>

#include "log.h"
#include "session.h"

#ifndef YS_VERSION
#define YS_VERSION "0.1.0"
#endif

struct globals {
	const char *server;
	const char *ca;
	const char *token;
	const char *config_dir;
	bool json;
	bool help;
	bool version;
	bool markdown;
};

static const struct global_opt {
	const char *name;
	const char *metavar;	/* NULL: a switch (bool) */
	const char *env;
	size_t offset;		/* of a const char * or bool in struct globals */
	bool hidden;
	const char *help;
} global_opts[] = {
	{ "server", "URL", "YUNSHOU_SERVER", offsetof(struct globals, server),
	  false, "server, e.g. https://yunshou.example.cn:8443 (else the saved session)" },
	{ "ca", "FILE", "YUNSHOU_CA", offsetof(struct globals, ca), false,
	  "PEM CA bundle to trust for the server (else the saved session's, else the system's)" },
	{ "token", "TOKEN", "YUNSHOU_TOKEN", offsetof(struct globals, token),
	  false, "session token or API key; prefer the environment variable" },
	{ "config-dir", "DIR", "YUNSHOU_CONFIG_DIR",
	  offsetof(struct globals, config_dir), false,
	  "where session.json lives (default $XDG_CONFIG_HOME/yunshou or ~/.config/yunshou)" },
	{ "json", NULL, NULL, offsetof(struct globals, json), false,
	  "print the server's JSON answer (pretty) instead of tables" },
	{ "help", NULL, NULL, offsetof(struct globals, help), false,
	  "this help; `yunshou NOUN --help` for a command's flags" },
	{ "version", NULL, NULL, offsetof(struct globals, version), false,
	  "print the version" },
	{ "help-markdown", NULL, NULL, offsetof(struct globals, markdown), true,
	  "print the command reference of docs/CLI.md" },
};
#define NGLOBAL (sizeof(global_opts) / sizeof(global_opts[0]))

static void
global_help(FILE *f)
{
	fputs("usage: yunshou [GLOBAL OPTIONS] COMMAND [ARGUMENTS]\n\n"
	    "Global options (before the command):\n", f);
	for (size_t i = 0; i < NGLOBAL; i++) {
		const struct global_opt *g = &global_opts[i];
		char left[48];

		if (g->hidden)
			continue;
		snprintf(left, sizeof(left), "--%s%s%s", g->name,
		    g->metavar ? " " : "", g->metavar ? g->metavar : "");
		fprintf(f, "  %-20s %s", left, g->help);
		if (g->env)
			fprintf(f, " [env %s]", g->env);
		fputc('\n', f);
	}
	fputs("\nCommands:\n", f);
	cli_help_commands(f);
	fputs("\nPasswords are read from YUNSHOU_PASSWORD / YUNSHOU_NEW_PASSWORD "
	    "or asked on the terminal.\n"
	    "Exit status: 0 success, 1 refused by the server or failed, "
	    "2 usage error, 3 server unreachable.\n", f);
}

/* Returns the index of the first non-option argument, or -1 (printed). */
static int
parse_globals(int argc, char **argv, struct globals *g)
{
	int i;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *name, *eq;
		const struct global_opt *o = NULL;
		size_t nlen;

		if (strcmp(a, "-h") == 0) {
			g->help = true;
			continue;
		}
		if (strncmp(a, "--", 2) != 0 || a[2] == '\0')
			break;
		name = a + 2;
		eq = strchr(name, '=');
		nlen = eq ? (size_t)(eq - name) : strlen(name);
		for (size_t k = 0; k < NGLOBAL; k++)
			if (strlen(global_opts[k].name) == nlen &&
			    strncmp(global_opts[k].name, name, nlen) == 0)
				o = &global_opts[k];
		if (o == NULL) {
			fprintf(stderr, "error: unknown global option --%.*s\n"
			    "usage: yunshou [GLOBAL OPTIONS] COMMAND [ARGUMENTS] "
			    "(see yunshou --help)\n", (int)nlen, name);
			return -1;
		}
		if (o->metavar == NULL) {
			if (eq != NULL) {
				fprintf(stderr, "error: --%s takes no value\n", o->name);
				return -1;
			}
			*(bool *)((char *)g + o->offset) = true;
			continue;
		}
		if (eq == NULL && i + 1 >= argc) {
			fprintf(stderr, "error: --%s needs a value (%s)\n", o->name,
			    o->metavar);
			return -1;
		}
		*(const char **)((char *)g + o->offset) = eq ? eq + 1 : argv[++i];
	}
	for (size_t k = 0; k < NGLOBAL; k++) {
		const char **slot = (const char **)((char *)g + global_opts[k].offset);
		const char *v;

		if (global_opts[k].env == NULL || *slot != NULL)
			continue;
		v = getenv(global_opts[k].env);
		if (v != NULL && v[0] != '\0')
			*slot = v;
	}
	return i;
}

/* "https://host:port/" -> "https://host:port"; refuses anything but https. */
static char *
normalize_server(const char *url)
{
	size_t n = strlen(url);
	char *s;

	if (strncasecmp(url, "https://", 8) != 0 || n <= 8) {
		fprintf(stderr, "error: the server URL must start with https:// "
		    "(got '%s')\n", url);
		return NULL;
	}
	while (n > 8 && url[n - 1] == '/')
		n--;
	s = strndup(url, n);
	if (s == NULL)
		fprintf(stderr, "error: out of memory\n");
	return s;
}

/* "yunshou order list --json" is a common slip: say where the flag goes. */
static void
hint_misplaced_global(int argc, char **argv)
{
	for (int i = 0; i < argc; i++) {
		if (strncmp(argv[i], "--", 2) != 0)
			continue;
		for (size_t k = 0; k < NGLOBAL; k++) {
			size_t n = strlen(global_opts[k].name);

			if (global_opts[k].hidden ||
			    strcmp(global_opts[k].name, "help") == 0 ||
			    strncmp(argv[i] + 2, global_opts[k].name, n) != 0 ||
			    (argv[i][2 + n] != '\0' && argv[i][2 + n] != '='))
				continue;
			fprintf(stderr, "hint: --%s is a global option: give it before "
			    "the command (yunshou --%s%s ...)\n", global_opts[k].name,
			    global_opts[k].name, global_opts[k].metavar ? " VALUE" : "");
			return;
		}
	}
}

static int
usage_error(const struct cli_request *req, const char *err, int argc,
    char **argv)
{
	fprintf(stderr, "error: %s\n", err);
	hint_misplaced_global(argc, argv);
	if (req->cmd != NULL) {
		fputs("usage: ", stderr);
		cli_usage_line(stderr, req->cmd);
	} else if (req->noun != NULL) {
		fputs("commands:\n", stderr);
		for (const struct cli_command *c = cli_commands; c->noun; c++) {
			if (strcmp(c->noun, req->noun) == 0) {
				fputs("  ", stderr);
				cli_usage_line(stderr, c);
			}
		}
	} else {
		fputs("commands:\n", stderr);
		cli_help_commands(stderr);
	}
	return CLI_EXIT_USAGE;
}

int
main(int argc, char **argv)
{
	struct globals g = { 0 };
	struct cli_request req;
	struct cli_session session = { 0 };
	struct cli_ctx ctx = { 0 };
	char cfgdir[4096], err[512];
	char *server = NULL;
	bool same_server;
	int first, rc;

	log_init("yunshou", getenv("YUNSHOU_DEBUG") ? LOG_LVL_DEBUG :
	    LOG_LVL_WARN, stderr);
	first = parse_globals(argc, argv, &g);
	if (first < 0)
		return CLI_EXIT_USAGE;
	if (g.version) {
		printf("yunshou %s\n", YS_VERSION);
		return CLI_EXIT_OK;
	}
	if (g.markdown) {
		cli_reference_markdown(stdout);
		return CLI_EXIT_OK;
	}
	if (g.help || first >= argc) {
		global_help(g.help ? stdout : stderr);
		return g.help ? CLI_EXIT_OK : CLI_EXIT_USAGE;
	}

	if (cli_build_request(argc - first, argv + first, &req, err,
	    sizeof(err)) < 0) {
		rc = usage_error(&req, err, argc - first, argv + first);
		cli_request_free(&req);
		return rc;
	}
	if (req.want_help) {
		if (req.cmd != NULL)
			cli_help_command(stdout, req.cmd);
		else if (req.noun != NULL)
			cli_help_noun(stdout, req.noun);
		else
			global_help(stdout);
		cli_request_free(&req);
		return CLI_EXIT_OK;
	}

	/* Local commands (vuln compare) need no server, session or libcurl. */
	if (cli_is_local(req.cmd)) {
		ctx.json = g.json;
		rc = req.cmd->run(&ctx, &req);
		cli_request_free(&req);
		return rc;
	}

	rc = CLI_EXIT_USAGE;
	if (g.config_dir == NULL) {
		if (cli_session_default_dir(cfgdir, sizeof(cfgdir), err,
		    sizeof(err)) < 0) {
			fprintf(stderr, "error: %s\n", err);
			goto out;
		}
		g.config_dir = cfgdir;
	}
	if (cli_session_load(g.config_dir, &session, err, sizeof(err)) < 0)
		fprintf(stderr, "warning: ignoring the saved session: %s\n", err);
	if (g.server == NULL)
		g.server = session.server;
	if (g.server == NULL) {
		fprintf(stderr, "error: no server given\nhint: pass --server URL, "
		    "set YUNSHOU_SERVER, or log in once with `yunshou --server "
		    "URL login USER`\n");
		goto out;
	}
	server = normalize_server(g.server);
	if (server == NULL)
		goto out;
	/* The saved CA and token belong to the saved server only. */
	same_server = session.server != NULL && strcmp(server, session.server) == 0;
	if (g.ca == NULL && same_server)
		g.ca = session.ca;
	if (g.ca != NULL && access(g.ca, R_OK) < 0) {
		fprintf(stderr, "error: cannot read the CA bundle %s\n", g.ca);
		goto out;
	}
	ctx.token_from_session = g.token == NULL && same_server &&
	    session.token != NULL;
	if (g.token == NULL && same_server)
		g.token = session.token;

	ctx.server = server;
	ctx.ca = g.ca;
	ctx.token = g.token;
	ctx.config_dir = g.config_dir;
	ctx.json = g.json;
	ctx.session = &session;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		fprintf(stderr, "error: cannot initialise libcurl\n");
		rc = CLI_EXIT_API;
		goto out;
	}
	rc = (req.cmd->run ? req.cmd->run : cli_run_generic)(&ctx, &req);
	curl_global_cleanup();
out:
	free(server);
	cli_session_clear(&session);
	cli_request_free(&req);
	return rc;
}
