/*
 * yunshou-waf: the WAF node (issue 4). A table of subcommands; each row is
 * a name, its function and one line of help.
 */
#include <stdio.h>
#include <string.h>

#include "nodelink.h"
#include "waf_main.h"

static int
waf_enroll_main(int argc, char **argv)
{
	return nodelink_enroll_main("yunshou-waf", "waf", argc, argv);
}

struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;
};

static const struct command commands[] = {
	{ "inspect", waf_inspect_main, "inspect requests read as JSON Lines on stdin (rule testing)" },
	{ "enroll", waf_enroll_main, "enrol this WAF node with the control plane (a waf token)" },
	{ "run", waf_proxy_main, "run the reverse proxy (a site configuration, or --node-state)" },
};

static void
usage(FILE *f)
{
	fprintf(f, "usage: yunshou-waf COMMAND [options]\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].help);
	fprintf(f, "  %-10s print the version\n", "version");
}

int
main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (strcmp(argv[1], "version") == 0) {
		printf("yunshou-waf %s\n", YS_VERSION);
		return 0;
	}
	if (strcmp(argv[1], "help") == 0 || strcmp(argv[1], "--help") == 0) {
		usage(stdout);
		return 0;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "yunshou-waf: unknown command \"%s\"\n", argv[1]);
	usage(stderr);
	return 2;
}
