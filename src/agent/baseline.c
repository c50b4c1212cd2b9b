/*
 * baseline: choosing the rules file for the host, checking it, running its
 * checks through the probe table, comparing with the previous run, and the
 * agent module that does this on a schedule.
 */
#include "baseline.h"

#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "hostfs.h"
#include "log.h"
#include "module.h"
#include "periodic.h"
#include "probe.h"
#include "statefile.h"

#ifndef YS_BASELINE_RULES_DIR
#define YS_BASELINE_RULES_DIR "/usr/local/share/yunshou/rules/baseline"
#endif

#define STATE_FILE "baseline.json"

static const char *const severities[] = { "low", "medium", "high", "critical", NULL };

/* The fields every check must have, as non-empty strings. */
static const char *const check_fields[] = {
	"id", "title_zh", "title_en", "rationale_zh", "rationale_en", "remediation_zh",
	"remediation_en", "severity", "control", NULL,
};

static bool
id_matches(const json_t *ids, const char *word)
{
	size_t i;
	json_t *v;

	json_array_foreach(ids, i, v)
		if (json_is_string(v) && strcasecmp(json_string_value(v), word) == 0)
			return true;
	return false;
}

static int
cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

json_t *
baseline_rules_select(const char *dir, const char *root, char *err, size_t errlen)
{
	json_t *os = hostfs_os_release(root), *files[32], *chosen = NULL;
	char *names[32], words[512], *w, *save;
	size_t n = 0;
	struct dirent *de;
	DIR *d;

	if (os == NULL) {
		snprintf(err, errlen, "cannot read %s/etc/os-release to choose the baseline rules",
		    strcmp(root, "/") == 0 ? "" : root);
		return NULL;
	}
	if ((d = opendir(dir)) == NULL) {
		snprintf(err, errlen, "cannot open the baseline rules directory %s", dir);
		json_decref(os);
		return NULL;
	}
	while ((de = readdir(d)) != NULL && n < 32) {
		size_t l = strlen(de->d_name);

		if (l > 5 && strcmp(de->d_name + l - 5, ".json") == 0 &&
		    (names[n] = strdup(de->d_name)) != NULL)
			n++;
	}
	closedir(d);
	qsort(names, n, sizeof(names[0]), cmp_name);
	for (size_t i = 0; i < n; i++) {
		char path[1024];
		json_error_t je;

		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		files[i] = json_load_file(path, 0, &je);
		if (files[i] == NULL)
			log_warn("baseline: %s:%d: %s", path, je.line, je.text);
	}
	/* ID first, then the ID_LIKE words in the order the OS gives them. */
	snprintf(words, sizeof(words), "%s %s",
	    json_string_value(json_object_get(os, "ID")) ? json_string_value(json_object_get(os, "ID")) : "",
	    json_string_value(json_object_get(os, "ID_LIKE")) ?
	    json_string_value(json_object_get(os, "ID_LIKE")) : "");
	for (w = strtok_r(words, " ", &save); w && !chosen; w = strtok_r(NULL, " ", &save))
		for (size_t i = 0; i < n && !chosen; i++) {
			json_t *match = json_object_get(files[i], "match");
			const char *req = json_string_value(json_object_get(match, "requires"));

			if (id_matches(json_object_get(match, "ids"), w) &&
			    (req == NULL || hostfs_exists(root, req)))
				chosen = json_incref(files[i]);
		}
	for (size_t i = 0; i < n; i++) {
		json_decref(files[i]);
		free(names[i]);
	}
	if (chosen == NULL)
		snprintf(err, errlen, "no baseline rules in %s for this OS (ID=%s ID_LIKE=%s)", dir,
		    json_string_value(json_object_get(os, "ID")) ?
		    json_string_value(json_object_get(os, "ID")) : "?",
		    json_string_value(json_object_get(os, "ID_LIKE")) ?
		    json_string_value(json_object_get(os, "ID_LIKE")) : "");
	json_decref(os);
	return chosen;
}

int
baseline_rules_check(const json_t *rules, char *err, size_t errlen)
{
	json_t *checks = json_object_get(rules, "checks"), *c, *seen;
	char perr[256];
	size_t i;

	if (!json_is_string(json_object_get(rules, "family")) || !json_is_array(checks) ||
	    !json_is_array(json_object_get(json_object_get(rules, "match"), "ids"))) {
		snprintf(err, errlen, "a rules file needs \"family\", \"match\": {\"ids\": [...]} "
		    "and \"checks\": [...]");
		return -1;
	}
	seen = json_object();
	json_array_foreach(checks, i, c) {
		const char *id = json_string_value(json_object_get(c, "id"));
		bool sev = false;

		for (size_t f = 0; check_fields[f]; f++) {
			const char *v = json_string_value(json_object_get(c, check_fields[f]));

			if (v == NULL || *v == '\0') {
				snprintf(err, errlen, "check %zu (%s) has no \"%s\"", i, id ? id : "?",
				    check_fields[f]);
				goto fail;
			}
		}
		if (strspn(id, "abcdefghijklmnopqrstuvwxyz0123456789-") != strlen(id)) {
			snprintf(err, errlen, "check id \"%s\": use a-z, 0-9 and -", id);
			goto fail;
		}
		if (json_object_get(seen, id)) {
			snprintf(err, errlen, "check id \"%s\" appears twice", id);
			goto fail;
		}
		json_object_set_new(seen, id, json_true());
		for (size_t s = 0; severities[s]; s++)
			sev |= strcmp(json_string_value(json_object_get(c, "severity")), severities[s]) == 0;
		if (!sev) {
			snprintf(err, errlen, "check %s: severity must be low, medium, high or critical", id);
			goto fail;
		}
		if (strncmp(json_string_value(json_object_get(c, "control")), "8.1.4.", 6) != 0) {
			snprintf(err, errlen, "check %s: control must be a GB/T 22239-2019 8.1.4.x clause",
			    id);
			goto fail;
		}
		if (probe_validate(json_object_get(c, "test"), perr, sizeof(perr)) < 0) {
			snprintf(err, errlen, "check %s: %s", id, perr);
			goto fail;
		}
	}
	json_decref(seen);
	return 0;
fail:
	json_decref(seen);
	return -1;
}

static bool
is_disabled(const json_t *policy, const char *id)
{
	size_t i;
	json_t *v;

	json_array_foreach(json_object_get(policy, "disabled"), i, v)
		if (json_is_string(v) && strcmp(json_string_value(v), id) == 0)
			return true;
	return false;
}

/* A policy may tune a check's thresholds, never what it reads: the policy
 * comes from the control plane, where a tenant admin edits it, and a file
 * path or key there would make the agent (running as root) report any
 * file's content as the check's "actual" value. */
static const char *const overridable[] = {
	"value", "op", "default", "owner_uid", "max_mode", "allow_ports", "allow",
	"ignore_loopback", "if_missing", NULL };

static void
apply_overrides(json_t *test, const json_t *over)
{
	const char *k;
	json_t *v;

	json_object_foreach((json_t *)over, k, v) {
		for (size_t i = 0; overridable[i]; i++) {
			if (strcmp(k, overridable[i]) == 0) {
				json_object_set(test, k, v);
				break;
			}
		}
	}
}

json_t *
baseline_run(const json_t *rules, const char *root, const json_t *policy)
{
	static const char *const copied[] = {
		"id", "severity", "control", "title_zh", "title_en", "rationale_zh",
		"rationale_en", "remediation_zh", "remediation_en", NULL,
	};
	json_t *out = json_object(), *list = json_array(), *c, *os = hostfs_os_release(root);
	json_int_t count[4] = { 0 }, disabled = 0;
	size_t i;

	json_array_foreach(json_object_get(rules, "checks"), i, c) {
		const char *id = json_string_value(json_object_get(c, "id"));
		json_t *test, *over, *row;
		struct probe_result r = { 0 };

		if (id == NULL)
			continue;
		if (is_disabled(policy, id)) {
			disabled++;
			continue;
		}
		test = json_deep_copy(json_object_get(c, "test"));
		over = json_object_get(json_object_get(policy, "overrides"), id);
		if (json_is_object(over) && json_is_object(test))
			apply_overrides(test, over);
		probe_run(root, test, &r);
		json_decref(test);
		row = json_object();
		for (size_t f = 0; copied[f]; f++)
			json_object_set(row, copied[f], json_object_get(c, copied[f]));
		json_object_set_new(row, "status", json_string(probe_status_name(r.status)));
		json_object_set(row, "actual", r.actual ? r.actual : json_null());
		json_object_set(row, "evidence", r.evidence ? r.evidence : json_null());
		probe_result_clear(&r);
		count[r.status]++;
		json_array_append_new(list, row);
	}
	json_object_set(out, "family", json_object_get(rules, "family"));
	json_object_set(out, "rules_version", json_object_get(rules, "version"));
	json_object_set_new(out, "os", json_pack("{s:s?, s:s?}",
	    "id", json_string_value(json_object_get(os, "ID")),
	    "version_id", json_string_value(json_object_get(os, "VERSION_ID"))));
	json_object_set_new(out, "summary", json_pack("{s:I, s:I, s:I, s:I, s:I}",
	    "pass", count[PROBE_PASS], "fail", count[PROBE_FAIL], "error", count[PROBE_ERROR],
	    "not_applicable", count[PROBE_NA], "disabled", disabled));
	json_object_set_new(out, "checks", list);
	json_decref(os);
	return out;
}

json_t *
baseline_statuses(const json_t *result)
{
	json_t *out = json_object(), *c;
	size_t i;

	json_array_foreach(json_object_get(result, "checks"), i, c)
		json_object_set(out, json_string_value(json_object_get(c, "id")),
		    json_object_get(c, "status"));
	return out;
}

json_t *
baseline_newly_failed(const json_t *prev, const json_t *result)
{
	json_t *out = json_array(), *c;
	size_t i;

	json_array_foreach(json_object_get(result, "checks"), i, c) {
		const char *id = json_string_value(json_object_get(c, "id"));
		const char *was = json_string_value(json_object_get(prev, id));

		if (strcmp(json_string_value(json_object_get(c, "status")), "fail") == 0 &&
		    (was == NULL || strcmp(was, "fail") != 0))
			json_array_append(out, c);
	}
	return out;
}

const char *
baseline_rules_dir(const json_t *policy)
{
	/* Not from the policy: the host's administrator may point the agent
	 * elsewhere (tests do), the control plane may not. */
	const char *dir = getenv("YUNSHOU_BASELINE_RULES");

	(void)policy;
	if (dir && *dir)
		return dir;
	if (access(YS_BASELINE_RULES_DIR, R_OK) == 0)
		return YS_BASELINE_RULES_DIR;
	return YS_SOURCE_DIR "/rules/baseline";
}

/* ---- the agent module ---- */

struct baseline {
	struct agent_ctx *ctx;
	json_t *policy;
	char root[512];
	struct periodic *job;
};

static void
run_once(void *arg, struct periodic *job)
{
	struct baseline *b = arg;
	json_t *rules, *result, *prev, *failed, *c, *st;
	char err[512];
	size_t i;

	(void)job;
	rules = baseline_rules_select(baseline_rules_dir(b->policy), b->root, err, sizeof(err));
	if (rules == NULL || baseline_rules_check(rules, err, sizeof(err)) < 0) {
		log_err("baseline: %s", err);
		agent_module_status(b->ctx, "baseline", "failed: no usable rules");
		json_decref(rules);
		return;
	}
	result = baseline_run(rules, b->root, b->policy);
	json_decref(rules);
	prev = statefile_load(b->ctx->paths->dir, STATE_FILE);
	failed = baseline_newly_failed(json_object_get(prev, "statuses"), result);
	agent_emit(b->ctx, "baseline", "baseline.result", json_incref(result));
	json_array_foreach(failed, i, c)
		agent_emit(b->ctx, "baseline", "baseline.failed", json_pack("{s:O, s:O, s:O}",
		    "key", json_object_get(c, "id"), "severity", json_object_get(c, "severity"),
		    "check", c));
	agent_flush(b->ctx);
	st = json_pack("{s:o, s:I}", "statuses", baseline_statuses(result),
	    "time", (json_int_t)time(NULL));
	if (statefile_save(b->ctx->paths->dir, STATE_FILE, st, err, sizeof(err)) < 0)
		log_err("baseline: %s", err);
	log_info("baseline: %lld pass, %lld fail, %lld error, %lld not applicable; %zu newly "
	    "failing", (long long)json_integer_value(json_object_get(json_object_get(result,
	    "summary"), "pass")), (long long)json_integer_value(json_object_get(
	    json_object_get(result, "summary"), "fail")), (long long)json_integer_value(
	    json_object_get(json_object_get(result, "summary"), "error")),
	    (long long)json_integer_value(json_object_get(json_object_get(result, "summary"),
	    "not_applicable")), json_array_size(failed));
	agent_module_status(b->ctx, "baseline", "running");
	json_decref(st);
	json_decref(prev);
	json_decref(failed);
	json_decref(result);
}

int
baseline_start(struct agent_ctx *ctx, const json_t *policy, void **state)
{
	struct baseline *b = calloc(1, sizeof(*b));
	json_int_t minutes = json_integer_value(json_object_get(policy, "interval_minutes"));

	if (b == NULL)
		return -1;
	b->ctx = ctx;
	b->policy = json_deep_copy(policy);
	snprintf(b->root, sizeof(b->root), "%s",
	    getenv("YUNSHOU_HOST_ROOT") && *getenv("YUNSHOU_HOST_ROOT") ?
	    getenv("YUNSHOU_HOST_ROOT") : "/");
	b->job = periodic_start(minutes > 0 ? (long)minutes * 60 : 720 * 60, run_once, b);
	if (b->job == NULL) {
		json_decref(b->policy);
		free(b);
		return -1;
	}
	*state = b;
	return 0;
}

void
baseline_stop(struct agent_ctx *ctx, void *state)
{
	struct baseline *b = state;

	(void)ctx;
	if (b == NULL)
		return;
	periodic_stop(b->job);
	json_decref(b->policy);
	free(b);
}
