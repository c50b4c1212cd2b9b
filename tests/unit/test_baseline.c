/*
 * Unit tests of the baseline checks: the shipped rules files are
 * well-formed and tag every check with a 等保 control; every check gives the
 * status tests/fixtures/hostinfo/expected.json says on each fake host
 * (suricata-verify style: the expectations are data), and each check is
 * seen both passing and failing; disabled checks and overrides from the
 * policy; "changed to fail" detection; the module end to end through a
 * real event queue; and a run against this machine.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "baseline.h"
#include "hostfx.h"
#include "log.h"
#include "module.h"
#include "probe.h"
#include "queue.h"

#define RULES_DIR YS_SOURCE_DIR "/rules/baseline"

static json_t *
load_rules(const char *family)
{
	char path[512];
	json_error_t e;
	json_t *r;

	snprintf(path, sizeof(path), "%s/%s.json", RULES_DIR, family);
	r = json_load_file(path, 0, &e);
	if (r == NULL)
		fail_msg("%s:%d: %s", path, e.line, e.text);
	return r;
}

/* Owner checks compare with root's uid; the copied fixture belongs to us. */
static json_t *
owner_overrides(const json_t *rules)
{
	json_t *over = json_object(), *c;
	size_t i;

	json_array_foreach(json_object_get(rules, "checks"), i, c)
		if (strcmp(json_string_value(json_object_get(json_object_get(c, "test"), "probe")),
		    "file_mode") == 0)
			json_object_set_new(over, json_string_value(json_object_get(c, "id")),
			    json_pack("{s:I}", "owner_uid", (json_int_t)geteuid()));
	return json_pack("{s:o}", "overrides", over);
}

static const json_t *
find_check(const json_t *result, const char *id)
{
	size_t i;
	json_t *c;

	json_array_foreach(json_object_get(result, "checks"), i, c)
		if (strcmp(json_string_value(json_object_get(c, "id")), id) == 0)
			return c;
	return NULL;
}

static void
test_rules_files_are_valid(void **state)
{
	static const char *const families[] = { "debian", "rhel" };
	/* What issue 3 asks the baseline to cover, at the least. */
	static const char *const required[] = {
		"ssh-permit-root-login", "ssh-password-authentication", "ssh-protocol", "ssh-ciphers",
		"ssh-macs", "ssh-kex", "ssh-permit-empty-passwords", "ssh-max-auth-tries",
		"ssh-client-alive-interval", "ssh-client-alive-count-max", "login-pass-max-days",
		"login-pass-min-days", "login-pass-warn-age", "login-pass-min-len",
		"pam-pwquality-minlen", "pam-pwquality-classes", "account-empty-password",
		"account-duplicate-uid0", "fs-world-writable", "fs-suid-sgid", "sysctl-ip-forward",
		"sysctl-accept-redirects", "sysctl-send-redirects", "sysctl-accept-source-route",
		"sysctl-rp-filter", "sysctl-tcp-syncookies", "sysctl-randomize-va-space",
		"sysctl-suid-dumpable", "sysctl-kptr-restrict", "sysctl-dmesg-restrict", "svc-auditd",
		"svc-syslog", "net-listening", NULL,
	};
	char err[512];

	(void)state;
	for (size_t f = 0; f < 2; f++) {
		json_t *rules = load_rules(families[f]), *c;
		size_t i;

		if (baseline_rules_check(rules, err, sizeof(err)) < 0)
			fail_msg("%s.json: %s", families[f], err);
		for (size_t r = 0; required[r]; r++) {
			bool found = false;

			json_array_foreach(json_object_get(rules, "checks"), i, c)
				found |= strcmp(json_string_value(json_object_get(c, "id")), required[r]) == 0;
			if (!found)
				fail_msg("%s.json has no check %s", families[f], required[r]);
		}
		/* A real GB/T 22239-2019 8.1.4.x clause with its name and item. */
		json_array_foreach(json_object_get(rules, "checks"), i, c) {
			const char *ctl = json_string_value(json_object_get(c, "control"));

			assert_true(strstr(ctl, "身份鉴别") || strstr(ctl, "访问控制") ||
			    strstr(ctl, "安全审计") || strstr(ctl, "入侵防范") ||
			    strstr(ctl, "恶意代码防范") || strstr(ctl, "数据完整性") ||
			    strstr(ctl, "数据保密性"));
			assert_non_null(strchr(ctl, ')'));
		}
		json_decref(rules);
	}
}

/* Broken rules documents and what must be said about them. */
static const struct {
	const char *doc;
	const char *message;
} bad_rules[] = {
	{ "{\"checks\": []}", "needs \"family\"" },
	{ "{\"family\": \"x\", \"match\": {\"ids\": []}, \"checks\": [{\"id\": \"a\"}]}",
	  "has no \"title_zh\"" },
	{ "{\"family\": \"x\", \"match\": {\"ids\": []}, \"checks\": [{\"id\": \"a\", \"title_zh\": \"t\","
	  "\"title_en\": \"t\", \"rationale_zh\": \"r\", \"rationale_en\": \"r\", \"remediation_zh\": \"m\","
	  "\"remediation_en\": \"m\", \"severity\": \"urgent\", \"control\": \"8.1.4.1 身份鉴别 a)\","
	  "\"test\": {\"probe\": \"path_exists\", \"path\": \"/\"}}]}", "severity must be" },
	{ "{\"family\": \"x\", \"match\": {\"ids\": []}, \"checks\": [{\"id\": \"a\", \"title_zh\": \"t\","
	  "\"title_en\": \"t\", \"rationale_zh\": \"r\", \"rationale_en\": \"r\", \"remediation_zh\": \"m\","
	  "\"remediation_en\": \"m\", \"severity\": \"low\", \"control\": \"8.1.4.1 身份鉴别 a)\","
	  "\"test\": {\"probe\": \"telepathy\"}}]}", "unknown probe kind \"telepathy\"" },
	{ "{\"family\": \"x\", \"match\": {\"ids\": []}, \"checks\": [{\"id\": \"a\", \"title_zh\": \"t\","
	  "\"title_en\": \"t\", \"rationale_zh\": \"r\", \"rationale_en\": \"r\", \"remediation_zh\": \"m\","
	  "\"remediation_en\": \"m\", \"severity\": \"low\", \"control\": \"8.1.4.1 身份鉴别 a)\","
	  "\"test\": {\"probe\": \"config_value\", \"format\": \"sshd\", \"key\": \"K\"}}]}",
	  "needs \"value\"" },
	{ "{\"family\": \"x\", \"match\": {\"ids\": []}, \"checks\": [{\"id\": \"a\", \"title_zh\": \"t\","
	  "\"title_en\": \"t\", \"rationale_zh\": \"r\", \"rationale_en\": \"r\", \"remediation_zh\": \"m\","
	  "\"remediation_en\": \"m\", \"severity\": \"low\", \"control\": \"8.1.4.1 身份鉴别 a)\","
	  "\"test\": {\"probe\": \"config_value\", \"format\": \"sshd\", \"file\": \"/f\", \"key\": \"K\","
	  "\"value\": 1, \"op\": \"approx\"}}]}", "unknown op \"approx\"" },
	{ "{\"family\": \"x\", \"match\": {\"ids\": []}, \"checks\": [{\"id\": \"a\", \"title_zh\": \"t\","
	  "\"title_en\": \"t\", \"rationale_zh\": \"r\", \"rationale_en\": \"r\", \"remediation_zh\": \"m\","
	  "\"remediation_en\": \"m\", \"severity\": \"low\", \"control\": \"8.1.4.1 身份鉴别 a)\","
	  "\"test\": {\"probe\": \"path_exists\", \"path\": \"/\"}}, {\"id\": \"a\", \"title_zh\": \"t\","
	  "\"title_en\": \"t\", \"rationale_zh\": \"r\", \"rationale_en\": \"r\", \"remediation_zh\": \"m\","
	  "\"remediation_en\": \"m\", \"severity\": \"low\", \"control\": \"8.1.4.1 身份鉴别 a)\","
	  "\"test\": {\"probe\": \"path_exists\", \"path\": \"/\"}}]}", "appears twice" },
};

static void
test_bad_rules_refused_with_reason(void **state)
{
	char err[512];

	(void)state;
	for (size_t i = 0; i < sizeof(bad_rules) / sizeof(bad_rules[0]); i++) {
		json_t *doc = json_loads(bad_rules[i].doc, 0, NULL);

		assert_non_null(doc);
		err[0] = '\0';
		assert_int_equal(baseline_rules_check(doc, err, sizeof(err)), -1);
		if (strstr(err, bad_rules[i].message) == NULL)
			fail_msg("case %zu: \"%s\" does not say \"%s\"", i, err, bad_rules[i].message);
		json_decref(doc);
	}
}

static void
test_fixtures_give_expected_statuses(void **state)
{
	json_t *expected = hostfx_expected(), *fx, *seen = json_object();
	const char *name;
	int mismatches = 0;

	(void)state;
	assert_non_null(expected);
	json_object_foreach(expected, name, fx) {
		const char *family = json_string_value(json_object_get(fx, "family"));
		json_t *rules, *policy, *result, *want;
		char root[64], err[512];
		const char *id;

		assert_int_equal(hostfx_make(name, json_object_get(fx, "modes"), root, sizeof(root)), 0);
		rules = baseline_rules_select(RULES_DIR, root, err, sizeof(err));
		if (rules == NULL)
			fail_msg("%s: %s", name, err);
		assert_string_equal(json_string_value(json_object_get(rules, "family")), family);
		policy = owner_overrides(rules);
		result = baseline_run(rules, root, policy);
		assert_int_equal(json_array_size(json_object_get(result, "checks")),
		    json_array_size(json_object_get(rules, "checks")));
		json_object_foreach(json_object_get(fx, "checks"), id, want) {
			const json_t *c = find_check(result, id);
			const char *got = json_string_value(json_object_get(c, "status"));
			char key[128];

			if (c == NULL || strcmp(got, json_string_value(want)) != 0) {
				char *ev = json_dumps(json_object_get(c, "evidence"), JSON_ENCODE_ANY);

				fprintf(stderr, "%s: %s: want %s, got %s (%s)\n", name, id,
				    json_string_value(want), got ? got : "nothing", ev ? ev : "");
				free(ev);
				mismatches++;
			}
			snprintf(key, sizeof(key), "%s/%s/%s", family, id, got ? got : "");
			json_object_set_new(seen, key, json_true());
		}
		/* Every check of the rules file has an expectation. */
		assert_int_equal(json_object_size(json_object_get(fx, "checks")),
		    json_array_size(json_object_get(rules, "checks")));
		json_decref(result);
		json_decref(policy);
		json_decref(rules);
		hostfx_remove(root);
	}
	assert_int_equal(mismatches, 0);
	/* Each check of each family is seen passing and failing. */
	for (size_t f = 0; f < 2; f++) {
		const char *family = f ? "rhel" : "debian";
		json_t *rules = load_rules(family), *c;
		size_t i;

		json_array_foreach(json_object_get(rules, "checks"), i, c) {
			char kp[128], kf[128];
			const char *id = json_string_value(json_object_get(c, "id"));

			snprintf(kp, sizeof(kp), "%s/%s/pass", family, id);
			snprintf(kf, sizeof(kf), "%s/%s/fail", family, id);
			if (!json_object_get(seen, kp) || !json_object_get(seen, kf))
				fail_msg("%s: %s is not seen both passing and failing", family, id);
		}
		json_decref(rules);
	}
	json_decref(seen);
	json_decref(expected);
}

/* Run debian rules on the bad fixture with a policy. */
static json_t *
run_bad(json_t *policy)
{
	json_t *expected = hostfx_expected(), *rules, *result;
	char root[64], err[256];

	assert_int_equal(hostfx_make("debian-bad", json_object_get(json_object_get(expected,
	    "debian-bad"), "modes"), root, sizeof(root)), 0);
	rules = baseline_rules_select(RULES_DIR, root, err, sizeof(err));
	assert_non_null(rules);
	result = baseline_run(rules, root, policy);
	json_decref(rules);
	json_decref(expected);
	hostfx_remove(root);
	return result;
}

static void
test_policy_disables_and_overrides(void **state)
{
	json_t *policy = json_pack("{s:[s], s:{s:{s:[i,i,i]}}}", "disabled", "sysctl-ip-forward",
	    "overrides", "net-listening", "allow_ports", 22, 23, 3306);
	json_t *result = run_bad(policy);
	const json_t *listening = find_check(result, "net-listening");

	(void)state;
	assert_null(find_check(result, "sysctl-ip-forward"));
	assert_int_equal(json_integer_value(json_object_get(json_object_get(result, "summary"),
	    "disabled")), 1);
	assert_string_equal(json_string_value(json_object_get(listening, "status")), "pass");
	/* What listens is reported with its process. */
	{
		char *actual = json_dumps(json_object_get(listening, "actual"), 0);

		assert_non_null(strstr(actual, "tcp 0.0.0.0:23 (in.telnetd)"));
		assert_non_null(strstr(actual, "tcp6 [::]:3306 (mysqld)"));
		free(actual);
	}
	json_decref(result);
	json_decref(policy);
}

/* The policy comes from the control plane: it may tune thresholds, but it
 * cannot point a check at another file or key (which would report that
 * file's content as "actual"). */
static void
test_policy_cannot_redirect_what_checks_read(void **state)
{
	json_t *plain = run_bad(NULL);
	json_t *policy = json_pack("{s:{s:{s:s, s:s, s:s}}}", "overrides", "ssh-permit-root-login",
	    "file", "/etc/shadow", "key", "root", "format", "keyvalue");
	json_t *redirected = run_bad(policy);
	char *a = json_dumps(find_check(plain, "ssh-permit-root-login"), JSON_SORT_KEYS);
	char *b = json_dumps(find_check(redirected, "ssh-permit-root-login"), JSON_SORT_KEYS);

	(void)state;
	assert_string_equal(a, b);
	free(a);
	free(b);
	json_decref(plain);
	json_decref(redirected);
	json_decref(policy);
}

static void
test_evidence_names_offenders(void **state)
{
	json_t *result = run_bad(NULL);
	char *ww = json_dumps(json_object_get(find_check(result, "fs-world-writable"), "actual"), 0);
	char *suid = json_dumps(json_object_get(find_check(result, "fs-suid-sgid"), "evidence"), 0);
	char *uid0 = json_dumps(json_object_get(find_check(result, "account-duplicate-uid0"),
	    "actual"), 0);
	const json_t *tries = find_check(result, "ssh-max-auth-tries");

	(void)state;
	assert_non_null(strstr(ww, "/usr/bin/wwfile"));
	assert_non_null(strstr(ww, "/usr/lib/wwdir"));
	assert_null(strstr(ww, "/usr/lib/shared"));	/* sticky */
	assert_non_null(strstr(suid, "/usr/bin/evil"));
	assert_null(strstr(suid, "/usr/bin/passwd"));	/* allowed */
	assert_string_equal(uid0, "[\"toor\"]");
	/* Unset: the value is sshd's built-in default, and the evidence says so. */
	assert_string_equal(json_string_value(json_object_get(tries, "actual")), "6");
	assert_non_null(strstr(json_string_value(json_object_get(tries, "evidence")), "default"));
	/* Every result carries both languages. */
	assert_non_null(json_object_get(tries, "remediation_zh"));
	assert_non_null(json_object_get(tries, "remediation_en"));
	free(ww);
	free(suid);
	free(uid0);
	json_decref(result);
}

static void
test_newly_failed_only_on_change(void **state)
{
	json_t *result = json_pack("{s:[{s:s, s:s}, {s:s, s:s}, {s:s, s:s}, {s:s, s:s}]}", "checks",
	    "id", "a", "status", "fail", "id", "b", "status", "fail", "id", "c", "status", "pass",
	    "id", "d", "status", "fail");
	json_t *prev = json_pack("{s:s, s:s, s:s, s:s}", "a", "fail", "b", "pass", "c", "fail",
	    "d", "error");
	json_t *first = baseline_newly_failed(NULL, result);
	json_t *next = baseline_newly_failed(prev, result);

	(void)state;
	assert_int_equal(json_array_size(first), 3);	/* no previous run: every failure is new */
	assert_int_equal(json_array_size(next), 2);	/* b and d changed to fail; a still fails */
	assert_string_equal(json_string_value(json_object_get(json_array_get(next, 0), "id")), "b");
	assert_string_equal(json_string_value(json_object_get(json_array_get(next, 1), "id")), "d");
	json_decref(first);
	json_decref(next);
	json_decref(prev);
	json_decref(result);
}

/* Operators and sshd list syntax, on one probe each. */
static void
test_config_value_operators(void **state)
{
	static const struct {
		const char *line, *op, *value, *dflt, *status;
	} cases[] = {
		{ "Ciphers ^3des-cbc", "none_of", "[\"3des-cbc\"]", "aes128-ctr", "fail" },
		{ "Ciphers -aes128-ctr", "none_of", "[\"3des-cbc\"]", "aes128-ctr", "pass" },
		{ "Ciphers +aes256-ctr", "none_of", "[\"3des-cbc\"]", "3des-cbc", "fail" },
		{ "MaxAuthTries many", "le", "4", "6", "fail" },
		{ "MaxAuthTries 4", "le", "4", "6", "pass" },
		{ "MaxAuthTries 4", "lt", "4", "6", "fail" },
		{ "MaxAuthTries 5", "gt", "4", "6", "pass" },
		{ "PermitRootLogin No", "eq", "\"no\"", "yes", "pass" },
		{ "PermitRootLogin no", "ne", "\"no\"", "yes", "fail" },
		{ "PermitRootLogin without-password", "in", "[\"no\", \"without-password\"]", "yes", "pass" },
		{ "PermitRootLogin yes", "not_in", "[\"yes\"]", "no", "fail" },
		{ "ClientAliveInterval 901", "range", "[1, 900]", "0", "fail" },
		{ "Banner \"/etc/issue net\"", "eq", "\"/etc/issue net\"", "none", "pass" },
		{ "# nothing set", "eq", "\"x\"", "x", "pass" },
		{ "Key 1", "sideways", "1", "1", "error" },
	};
	char dir[] = "/tmp/ys-probe-XXXXXX", path[64];

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/sshd_config", dir);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		FILE *f = fopen(path, "w");
		struct probe_result r = { 0 };
		char key[64];
		json_t *t;

		assert_non_null(f);
		fprintf(f, "%s\n", cases[i].line);
		fclose(f);
		sscanf(cases[i].line[0] == '#' ? "Key" : cases[i].line, "%63s", key);
		t = json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:s}", "probe", "config_value",
		    "format", "sshd", "file", "/sshd_config", "key", key, "op", cases[i].op,
		    "value", json_loads(cases[i].value, JSON_DECODE_ANY, NULL), "default", cases[i].dflt);
		probe_run(dir, t, &r);
		if (strcmp(probe_status_name(r.status), cases[i].status) != 0)
			fail_msg("case %zu (%s %s %s): got %s", i, cases[i].line, cases[i].op,
			    cases[i].value, probe_status_name(r.status));
		probe_result_clear(&r);
		json_decref(t);
	}
	unlink(path);
	rmdir(dir);
}

/* The module: one baseline.result per run, baseline.failed only for what
 * changed to fail since the last run (remembered in the state directory). */
static void
test_module_events(void **state)
{
	json_t *expected = hostfx_expected();
	char root[64], sdir[] = "/tmp/ys-bstate-XXXXXX", qdir[64], err[256];
	struct agent_paths paths = { 0 };
	struct queue *q = NULL;
	volatile int stopping = 0;
	int results = 0, failed = 0;
	uint64_t second_result = 0, last_failed = 0;

	(void)state;
	assert_non_null(mkdtemp(sdir));
	snprintf(qdir, sizeof(qdir), "%s/queue", sdir);
	snprintf(paths.dir, sizeof(paths.dir), "%s", sdir);
	assert_int_equal(queue_open(qdir, 64 * 1024 * 1024, &q, err, sizeof(err)), 0);
	assert_int_equal(hostfx_make("debian-bad", json_object_get(json_object_get(expected,
	    "debian-bad"), "modes"), root, sizeof(root)), 0);
	{
		struct agent_ctx ctx = { .queue = q, .paths = &paths,
			.stopping = (const volatile int *)&stopping };
		json_t *policy = json_pack("{s:b, s:i}", "enabled", 1, "interval_minutes", 60);

		setenv("YUNSHOU_HOST_ROOT", root, 1);
		setenv("YUNSHOU_BASELINE_RULES", RULES_DIR, 1);

		for (int run = 0; run < 2; run++) {
			void *mod = NULL;
			uint64_t want = queue_last_seq(q) + 1;

			assert_int_equal(baseline_start(&ctx, policy, &mod), 0);
			for (int w = 0; w < 200 && queue_last_seq(q) < want; w++)
				usleep(50 * 1000);
			baseline_stop(&ctx, mod);	/* waits for the run to finish */
		}
		json_decref(policy);
	}
	{
		struct queue_record rec[200];
		size_t n = queue_peek(q, rec, 200);

		for (size_t i = 0; i < n; i++) {
			json_t *ev = json_loads(rec[i].data, 0, NULL);
			const char *type = json_string_value(json_object_get(ev, "type"));

			if (strcmp(type, "baseline.result") == 0 && ++results == 2)
				second_result = rec[i].seq;
			if (strcmp(type, "baseline.failed") == 0) {
				json_t *p = json_object_get(ev, "payload");

				failed++;
				assert_non_null(json_string_value(json_object_get(p, "key")));
				assert_non_null(json_string_value(json_object_get(p, "severity")));
				last_failed = rec[i].seq;
			}
			json_decref(ev);
		}
		queue_records_free(rec, n);
	}
	assert_int_equal(results, 2);
	/* Every check fails on debian-bad; only the first run reports them, as
	 * the second finds them failing already in baseline.json. */
	assert_int_equal(failed, 43);
	assert_true(last_failed < second_result);
	queue_close(q);
	hostfx_remove(root);
	hostfx_remove(sdir);
	json_decref(expected);
}

/* This machine: rules are chosen, every check gives a status, none crashes. */
static void
test_real_host(void **state)
{
	char err[512];
	json_t *rules = baseline_rules_select(RULES_DIR, "/", err, sizeof(err)), *result, *c;
	struct timespec a, b;
	size_t i;

	(void)state;
	if (rules == NULL) {
		fprintf(stderr, "test_real_host: %s; skipped\n", err);
		skip();
	}
	clock_gettime(CLOCK_MONOTONIC, &a);
	result = baseline_run(rules, "/", NULL);
	clock_gettime(CLOCK_MONOTONIC, &b);
	json_array_foreach(json_object_get(result, "checks"), i, c)
		assert_true(probe_status_parse(json_string_value(json_object_get(c, "status"))) >= 0);
	fprintf(stderr, "real host (%s): %lld pass, %lld fail, %lld error, %lld n/a in %.2f s\n",
	    json_string_value(json_object_get(rules, "family")),
	    (long long)json_integer_value(json_object_get(json_object_get(result, "summary"), "pass")),
	    (long long)json_integer_value(json_object_get(json_object_get(result, "summary"), "fail")),
	    (long long)json_integer_value(json_object_get(json_object_get(result, "summary"), "error")),
	    (long long)json_integer_value(json_object_get(json_object_get(result, "summary"),
	    "not_applicable")), (double)(b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9);
	json_decref(result);
	json_decref(rules);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rules_files_are_valid),
		cmocka_unit_test(test_bad_rules_refused_with_reason),
		cmocka_unit_test(test_fixtures_give_expected_statuses),
		cmocka_unit_test(test_policy_disables_and_overrides),
		cmocka_unit_test(test_policy_cannot_redirect_what_checks_read),
		cmocka_unit_test(test_evidence_names_offenders),
		cmocka_unit_test(test_newly_failed_only_on_change),
		cmocka_unit_test(test_config_value_operators),
		cmocka_unit_test(test_module_events),
		cmocka_unit_test(test_real_host),
	};

	log_init("test_baseline", LOG_LVL_WARN, NULL);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
