/*
 * inspect_main: `yunshou-waf inspect [--rules DIR] [--site-config FILE]`,
 * offline inspection for rule testing. Reads one request per line of JSON
 * on stdin ({"id", "method", "path", "query", "headers", "body"}) and
 * prints one JSON line per request: id, verdict, score, matched rules. A
 * bad line gets an error line with its id and the run goes on. The engine
 * is the proxy's.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "waf.h"
#include "waf_main.h"
#include "wire.h"

#define INSPECT_MAX_LINE (64u << 20)
#define INSPECT_MAX_HEADERS 1024	/* more than the proxy parser takes (100 by default) */

#ifndef YS_WAF_RULES_DIR
#define YS_WAF_RULES_DIR "/usr/local/share/yunshou/rules/waf"
#endif

const char *
waf_default_rules_dir(void)
{
	static char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	size_t sl = strlen(YS_SOURCE_DIR);

	/* run from a build directory inside the source tree: its rules */
	if (n > 0 && (size_t)n > sl && strncmp(exe, YS_SOURCE_DIR, sl) == 0 && exe[sl] == '/')
		return YS_SOURCE_DIR "/rules/waf";
	return YS_WAF_RULES_DIR;
}

static void
print_line(json_t *o)
{
	char *s = json_dumps(o, JSON_COMPACT);

	if (s != NULL) {
		fputs(s, stdout);
		fputc('\n', stdout);
		free(s);
	}
	json_decref(o);
}

static void
print_error(const json_t *id, const char *msg)
{
	print_line(json_pack("{s:O,s:s}", "id", id != NULL ? (json_t *)id : json_null(), "error", msg));
}

static int
get_string(const json_t *req, const char *key, const char **out, size_t *len, int required,
    char *err, size_t errlen)
{
	const json_t *v = json_object_get(req, key);

	*out = NULL;
	*len = 0;
	if (v == NULL || json_is_null(v)) {
		if (required) {
			snprintf(err, errlen, "missing \"%s\"", key);
			return -1;
		}
		return 0;
	}
	if (!json_is_string(v)) {
		snprintf(err, errlen, "\"%s\" must be a string", key);
		return -1;
	}
	*out = json_string_value(v);
	*len = json_string_length(v);
	return 0;
}

/* One request object to a verdict line. */
static int
inspect_one(const struct waf_engine *e, const struct waf_site *site, const json_t *req,
    json_t **line, char *err, size_t errlen)
{
	struct waf_header hdrs[INSPECT_MAX_HEADERS];
	struct waf_request r;
	struct waf_verdict v;
	const json_t *h;
	const char *body, *cip;
	size_t body_len, cip_len, dlen;
	uint8_t *dechunked = NULL;
	char why[128];
	int wrc, irc;
	json_t *matched;

	memset(&r, 0, sizeof(r));
	if (!json_is_object(req)) {
		snprintf(err, errlen, "not a JSON object");
		return -1;
	}
	if (get_string(req, "method", &r.method, &r.method_len, 0, err, errlen) < 0 ||
	    get_string(req, "path", &r.path, &r.path_len, 1, err, errlen) < 0 ||
	    get_string(req, "query", &r.query, &r.query_len, 0, err, errlen) < 0 ||
	    get_string(req, "body", &body, &body_len, 0, err, errlen) < 0 ||
	    get_string(req, "client_ip", &cip, &cip_len, 0, err, errlen) < 0)
		return -1;
	if (r.method == NULL) {
		r.method = "GET";
		r.method_len = 3;
	}
	r.body = (const uint8_t *)body;
	r.body_len = body_len;
	r.client_ip = cip != NULL ? cip : "127.0.0.1";
	r.request_id = "inspect";
	h = json_object_get(req, "headers");
	if (h != NULL && !json_is_null(h)) {
		const char *name;
		json_t *val;

		if (!json_is_object(h)) {
			snprintf(err, errlen, "\"headers\" must be an object of strings");
			return -1;
		}
		json_object_foreach((json_t *)h, name, val) {
			if (!json_is_string(val)) {
				snprintf(err, errlen, "header \"%s\" must be a string", name);
				return -1;
			}
			if (r.n_headers == INSPECT_MAX_HEADERS) {
				snprintf(err, errlen, "more than %d headers", INSPECT_MAX_HEADERS);
				return -1;
			}
			hdrs[r.n_headers++] = (struct waf_header){ name, strlen(name),
			    json_string_value(val), json_string_length(val) };
		}
	}
	r.headers = hdrs;
	/* what the proxy's parser refuses never reaches the engine (400 and
	 * friends): reported as the first match, the engine's verdict after it
	 * for whoever tests rules */
	wrc = waf_wire_check(&r, NULL, &dechunked, &dlen, why, sizeof(why));
	if (dechunked != NULL) {
		r.body = dechunked;
		r.body_len = dlen;
	}
	irc = wrc == -2 ? -1 : waf_inspect(e, site, &r, &v);
	free(dechunked);
	if (irc < 0) {
		snprintf(err, errlen, "out of memory while inspecting");
		return -1;
	}
	matched = json_array();
	if (wrc == -1 && matched != NULL) {
		json_array_append_new(matched, json_pack("{s:s,s:s,s:s,s:i,s:i,s:s}", "rule", "http-parser",
		    "category", "protocol", "field", "request", "severity", 4, "score", 0, "excerpt", why));
		v.action = WAF_BLOCK;
		v.would_block = 1;
	}
	for (size_t i = 0; i < v.n_matches && matched != NULL; i++) {
		const struct waf_match *m = &v.matches[i];

		json_array_append_new(matched, json_pack("{s:s,s:s,s:s,s:i,s:i,s:s}",
		    "rule", m->rule_id, "category", m->category, "field", m->field,
		    "severity", m->severity, "score", m->score, "excerpt", m->excerpt));
	}
	*line = json_pack("{s:O,s:s,s:i,s:b,s:o}", "id", json_object_get(req, "id") != NULL ?
	    json_object_get(req, "id") : json_null(), "verdict",
	    v.action == WAF_BLOCK ? "block" : "pass", "score", v.score,
	    "would_block", v.would_block, "matched", matched != NULL ? matched : json_array());
	return *line != NULL ? 0 : -1;
}

static void
usage(FILE *f)
{
	fprintf(f, "usage: yunshou-waf inspect [--rules DIR] [--site-config FILE]\n"
	    "Reads requests as JSON Lines on stdin: {\"id\", \"method\", \"path\", \"query\",\n"
	    "\"headers\", \"body\"}; prints {\"id\", \"verdict\", \"score\", \"matched\"} per line.\n"
	    "Rules default to %s.\n", waf_default_rules_dir());
}

int
waf_inspect_main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "rules", required_argument, NULL, 'r' },
		{ "site-config", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *rules_dir = NULL, *site_file = NULL;
	struct waf_engine *e = NULL;
	struct waf_site *site = NULL;
	char err[512], *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int ch, rc = 1;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case 'r': rules_dir = optarg; break;
		case 's': site_file = optarg; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	if (rules_dir == NULL)
		rules_dir = waf_default_rules_dir();
	e = waf_engine_load_dir(rules_dir, err, sizeof(err));
	if (e == NULL) {
		fprintf(stderr, "yunshou-waf: rules: %s\n", err);
		return 1;
	}
	if (site_file != NULL) {
		json_error_t jerr;
		json_t *sj = json_load_file(site_file, 0, &jerr);

		if (sj == NULL) {
			fprintf(stderr, "yunshou-waf: %s: line %d: %s\n", site_file, jerr.line, jerr.text);
			goto fail;
		}
		site = waf_site_from_json(e, sj, err, sizeof(err));
		json_decref(sj);
		if (site == NULL) {
			fprintf(stderr, "yunshou-waf: %s: %s\n", site_file, err);
			goto fail;
		}
	}
	while ((n = getline(&line, &cap, stdin)) != -1) {
		json_error_t jerr;
		json_t *req, *out = NULL;

		if (n > 0 && line[n - 1] == '\n')
			line[--n] = '\0';
		if (n == 0 || strspn(line, " \t\r") == (size_t)n)
			continue;
		if ((size_t)n > INSPECT_MAX_LINE) {
			print_error(NULL, "line longer than 64 MiB");
			continue;
		}
		req = json_loadb(line, (size_t)n, 0, &jerr);
		if (req == NULL) {
			snprintf(err, sizeof(err), "bad JSON at column %d: %s", jerr.column, jerr.text);
			print_error(NULL, err);
			continue;
		}
		if (inspect_one(e, site, req, &out, err, sizeof(err)) < 0)
			print_error(json_is_object(req) ? json_object_get(req, "id") : NULL, err);
		else
			print_line(out);
		json_decref(req);
	}
	fflush(stdout);
	rc = ferror(stdout) ? 1 : 0;
fail:
	free(line);
	waf_site_free(site);
	waf_engine_unref(e);
	return rc;
}
