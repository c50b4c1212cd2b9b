/*
 * vuln: the CLI's local vulnerability tools. `yunshou vuln compare` runs the
 * same version comparison (src/vuln/version.c) as the matcher, without a
 * server, so that a user can see why a package was or was not matched and
 * the tests can feed it thousands of pairs in one process.
 */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

#include "version.h"

static const char *
cmp_symbol(int r)
{
	return r < 0 ? "<" : r > 0 ? ">" : "=";
}

/* One "A B" pair per line -> one line out per line in: "<", "=", ">", or
 * "?" with "error: line N: ..." on stderr, so that output lines stay
 * aligned with input lines. Returns the exit code. */
static int
compare_stream(enum version_format f, FILE *in, FILE *out)
{
	char *line = NULL, err[256];
	size_t cap = 0, lineno = 0, nbad = 0;
	ssize_t n;

	while ((n = getline(&line, &cap, in)) >= 0) {
		char *save = NULL, *a, *b, *extra;
		int r;

		lineno++;
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		if ((size_t)n != strlen(line)) {
			fprintf(stderr, "error: line %zu: holds a NUL byte\n", lineno);
			goto bad;
		}
		a = strtok_r(line, " \t", &save);
		b = a ? strtok_r(NULL, " \t", &save) : NULL;
		extra = b ? strtok_r(NULL, " \t", &save) : NULL;
		if (a == NULL || b == NULL || extra != NULL) {
			fprintf(stderr, "error: line %zu: expected two versions "
			    "separated by a space\n", lineno);
			goto bad;
		}
		if (version_compare(f, a, b, &r, err, sizeof(err)) < 0) {
			fprintf(stderr, "error: line %zu: %s\n", lineno, err);
			goto bad;
		}
		fprintf(out, "%s\n", cmp_symbol(r));
		continue;
bad:
		fputs("?\n", out);
		nbad++;
	}
	free(line);
	if (ferror(in)) {
		fprintf(stderr, "error: reading standard input failed\n");
		return CLI_EXIT_API;
	}
	if (nbad > 0) {
		fprintf(stderr, "error: %zu of %zu lines could not be compared\n",
		    nbad, lineno);
		return CLI_EXIT_API;
	}
	return CLI_EXIT_OK;
}

int
cli_run_vuln_compare(struct cli_ctx *ctx, struct cli_request *req)
{
	const char *fname = cli_request_local(req, "format");
	bool use_stdin = cli_request_local(req, "stdin") != NULL;
	enum version_format f;
	char err[256];
	int r;

	(void)ctx;
	if (fname == NULL || version_format_parse(fname, &f) < 0) {
		fprintf(stderr, "error: --format must be dpkg, rpm or apk\n");
		return CLI_EXIT_USAGE;
	}
	if (use_stdin) {
		if (req->nargs != 0) {
			fprintf(stderr, "error: give versions either as A B or on "
			    "standard input (--stdin), not both\n");
			return CLI_EXIT_USAGE;
		}
		return compare_stream(f, stdin, stdout);
	}
	if (req->nargs != 2) {
		fprintf(stderr, "error: need two versions A B (or --stdin)\n"
		    "usage: ");
		cli_usage_line(stderr, req->cmd);
		return CLI_EXIT_USAGE;
	}
	if (version_compare(f, req->args[0], req->args[1], &r, err,
	    sizeof(err)) < 0) {
		fprintf(stderr, "error: %s\n", err);
		return CLI_EXIT_API;
	}
	printf("%s\n", cmp_symbol(r));
	return CLI_EXIT_OK;
}
