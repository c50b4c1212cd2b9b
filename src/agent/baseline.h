/*
 * baseline: security baseline checks (MISSION §3.3.3; issue 3 item 3).
 * Checks are data: one rules file per OS family in rules/baseline/
 * (debian.json, rhel.json), chosen from /etc/os-release ID and ID_LIKE.
 * Each check carries bilingual title, rationale and remediation, a
 * severity, the GB/T 22239-2019 level-3 control it evidences, and a test
 * made of the generic probes of probe.c.
 *
 * As an agent module (policy "baseline": {"enabled", "interval_minutes",
 * optional "disabled": [ids], "overrides": {id: {test arguments}},
 * "rules_dir", "root"}) it runs once at start and then every interval and
 * emits one "baseline.result" event per run with every check's result,
 * plus one "baseline.failed" event (key = check id, the check's severity)
 * for each check that fails now and did not fail in the previous run. The
 * previous statuses are kept in baseline.json in the state directory.
 */
#ifndef YS_BASELINE_H
#define YS_BASELINE_H

#include <stddef.h>

#include <jansson.h>

struct agent_ctx;

/* The rules file for root's OS from dir (every *.json there): the first
 * whose match.ids names the host's ID, else one of its ID_LIKE words, and
 * whose match.requires path exists under root. NULL with err. */
json_t *baseline_rules_select(const char *dir, const char *root, char *err, size_t errlen);
/* Whether a rules document is well-formed: every check has its fields,
 * a known severity, a unique id and a valid test. 0 / -1 with err. */
int baseline_rules_check(const json_t *rules, char *err, size_t errlen);

/* Run every check of rules against root. policy (may be NULL) may disable
 * checks and override test arguments. Returns the baseline.result payload:
 * {family, rules_version, os, summary, checks: [...]}. */
json_t *baseline_run(const json_t *rules, const char *root, const json_t *policy);
/* check id -> status of a baseline_run() result. */
json_t *baseline_statuses(const json_t *result);
/* The checks of result that fail and did not fail in prev (id -> status,
 * NULL on a first run). A new array of check objects. */
json_t *baseline_newly_failed(const json_t *prev, const json_t *result);

/* Where the rules files are: $YUNSHOU_BASELINE_RULES (set by the host's
 * administrator, never by the policy), else the installed directory, else
 * the source tree's (a development build). */
const char *baseline_rules_dir(const json_t *policy);

int baseline_start(struct agent_ctx *ctx, const json_t *policy, void **state);
void baseline_stop(struct agent_ctx *ctx, void *state);

#endif
