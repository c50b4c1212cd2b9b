/*
 * Unit tests of the intrusion detection module: sshd lines in the formats
 * Debian and RHEL write are parsed, a user name crafted to look like a
 * source cannot move the blame, and the module turns a log it follows into
 * the right events: one brute-force report with the right total count,
 * a login after failures, a new source; a rotated log and a restart lose
 * and repeat nothing; the allow-list is respected by active response.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <event2/event.h>

#include "agent.h"
#include "ids.h"
#include "log.h"
#include "module.h"
#include "queue.h"

static void
test_parse_formats(void **state)
{
	struct ids_auth a;
	const char *l;

	(void)state;
	l = "Nov 23 22:44:48 web01 sshd[1234]: Failed password for root from 203.0.113.9 port 51234 ssh2";
	assert_int_equal(ids_parse_line(l, strlen(l), &a), IDS_FAILED);
	assert_string_equal(a.user, "root");
	assert_string_equal(a.source, "203.0.113.9");
	assert_string_equal(a.method, "password");
	assert_false(a.invalid_user);
	l = "2026-11-23T22:44:48.123456+08:00 web01 sshd[77]: Failed password for invalid user "
	    "oracle from 2001:db8::7 port 40000 ssh2\n";
	assert_int_equal(ids_parse_line(l, strlen(l), &a), IDS_FAILED);
	assert_string_equal(a.user, "oracle");
	assert_string_equal(a.source, "2001:db8::7");
	assert_true(a.invalid_user);
	l = "Nov 23 22:45:01 web01 sshd[99]: Accepted publickey for alice from 198.51.100.7 port "
	    "40022 ssh2: ED25519 SHA256:abcdef";
	assert_int_equal(ids_parse_line(l, strlen(l), &a), IDS_ACCEPTED);
	assert_string_equal(a.user, "alice");
	assert_string_equal(a.source, "198.51.100.7");
	assert_string_equal(a.method, "publickey");
	/* Lines that are not failures or logins, and other programs. */
	l = "Nov 23 22:44:48 web01 sshd[1234]: Invalid user admin from 203.0.113.9 port 51234";
	assert_int_equal(ids_parse_line(l, strlen(l), &a), IDS_NONE);
	l = "Nov 23 22:44:48 web01 sudo[1]: Failed password for root from 203.0.113.9 port 1 ssh2";
	assert_int_equal(ids_parse_line(l, strlen(l), &a), IDS_NONE);
	l = "Nov 23 22:44:48 web01 sshd[1234]: Failed password for root from not-an-ip port 1 ssh2";
	assert_int_equal(ids_parse_line(l, strlen(l), &a), IDS_NONE);
	assert_int_equal(ids_parse_line("", 0, &a), IDS_NONE);
}

static void
test_injected_user_name_cannot_move_the_source(void **state)
{
	struct ids_auth a;
	const char *l = "Nov 23 22:44:48 web01 sshd[5]: Failed password for invalid user x from "
	    "10.9.9.9 port 1 ssh2 from 203.0.113.50 port 4242 ssh2";

	(void)state;
	assert_int_equal(ids_parse_line(l, strlen(l), &a), IDS_FAILED);
	/* The last " from ADDR port" is sshd's; the earlier one is the name. */
	assert_string_equal(a.source, "203.0.113.50");
	assert_string_equal(a.user, "x from 10.9.9.9 port 1 ssh2");
	/* Control characters in a name are neutralised. */
	l = "Nov 23 22:44:48 web01 sshd[5]: Failed password for invalid user a\x1b[2Jb from "
	    "203.0.113.50 port 4242 ssh2";
	assert_int_equal(ids_parse_line(l, strlen(l), &a), IDS_FAILED);
	assert_null(strchr(a.user, 0x1b));
}

static void
test_allow_list(void **state)
{
	(void)state;
	assert_true(ids_allowed("127.0.0.1,::1", "127.0.0.1"));
	assert_true(ids_allowed("10.0.0.0/8, 192.168.1.0/24", "10.200.3.4"));
	assert_true(ids_allowed("10.0.0.0/8,192.168.1.0/24", "192.168.1.77"));
	assert_false(ids_allowed("10.0.0.0/8,192.168.1.0/24", "192.168.2.1"));
	assert_true(ids_allowed("2001:db8::/32", "2001:db8:1::5"));
	assert_false(ids_allowed("2001:db8::/32", "2001:db9::5"));
	assert_false(ids_allowed("10.0.0.0/8", "::ffff:10.0.0.1"));
	assert_false(ids_allowed("garbage,,/99", "10.0.0.1"));
	assert_false(ids_allowed(NULL, "10.0.0.1"));
}

/* The module on a real event loop and queue, following a temp log. */
struct fx {
	char dir[64], log[128];
	struct agent_paths paths;
	struct agent_node node;
	struct queue *q;
	struct agent_ctx ctx;
	void *mod;
	int stopping;
};

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	char err[256];

	log_init("test_ids", LOG_LVL_ERR, NULL);
	snprintf(f->dir, sizeof(f->dir), "/tmp/ys-ids-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->log, sizeof(f->log), "%s/auth.log", f->dir);
	agent_paths_init(&f->paths, f->dir);
	assert_int_equal(queue_open(f->paths.queue, 1 << 24, &f->q, err, sizeof(err)), 0);
	f->ctx = (struct agent_ctx){ .base = event_base_new(), .queue = f->q,
		.paths = &f->paths, .node = &f->node, .stopping = &f->stopping };
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;
	char cmd[128];

	ids_stop(&f->ctx, f->mod);
	queue_close(f->q);
	event_base_free(f->ctx.base);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	assert_int_equal(system(cmd), 0);
	free(f);
	return 0;
}

static void
append(const char *path, const char *fmt, ...)
{
	FILE *fp = fopen(path, "a");
	va_list ap;

	assert_non_null(fp);
	va_start(ap, fmt);
	vfprintf(fp, fmt, ap);
	va_end(ap);
	fclose(fp);
}

static void
start(struct fx *f, const char *extra)
{
	char text[512];
	json_t *policy;

	snprintf(text, sizeof(text), "{\"enabled\":true,\"files\":[\"%s\"],\"journal\":false,"
	    "\"brute_force_failures\":5,\"brute_force_seconds\":60%s}", f->log, extra ? extra : "");
	policy = json_loads(text, 0, NULL);
	assert_non_null(policy);
	assert_int_equal(ids_start(&f->ctx, policy, &f->mod), 0);
	json_decref(policy);
}

/* Run the loop for about ms milliseconds. */
static void
spin(struct fx *f, int ms)
{
	struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };

	event_base_loopexit(f->ctx.base, &tv);
	event_base_dispatch(f->ctx.base);
}

/* Events of one type in the queue; their counts summed into *count. */
static int
events(struct fx *f, const char *type, long long *count)
{
	struct queue_record r[512];
	size_t n = queue_peek(f->q, r, 512);
	int found = 0;

	if (count)
		*count = 0;
	for (size_t i = 0; i < n; i++) {
		json_t *e = json_loads(r[i].data, 0, NULL);

		if (strcmp(json_string_value(json_object_get(e, "type")), type) == 0) {
			found++;
			if (count)
				*count += json_integer_value(json_object_get(json_object_get(e,
				    "payload"), "count"));
		}
		json_decref(e);
	}
	queue_records_free(r, n);
	return found;
}

static void
fail_lines(const char *path, const char *ip, int n)
{
	for (int i = 0; i < n; i++)
		append(path, "Nov 23 22:44:%02d web01 sshd[%d]: Failed password for root from %s "
		    "port %d ssh2\n", i % 60, 1000 + i, ip, 40000 + i);
}

static void
test_brute_force_one_report_right_count(void **state)
{
	struct fx *f = *state;
	long long count;

	append(f->log, "Nov 23 22:00:00 web01 sshd[1]: Failed password for root from "
	    "203.0.113.1 port 1 ssh2\n");	/* before the agent started: not counted */
	start(f, NULL);
	fail_lines(f->log, "203.0.113.9", 12);
	fail_lines(f->log, "198.51.100.3", 3);	/* below the threshold */
	spin(f, 1200);
	assert_int_equal(events(f, "ids.brute_force", &count) >= 1, 1);
	assert_int_equal(count, 12);
	/* Every report names the same source, so the control plane groups them. */
	{
		struct queue_record r[64];
		size_t n = queue_peek(f->q, r, 64);

		for (size_t i = 0; i < n; i++)
			assert_non_null(strstr(r[i].data, "\"key\":\"203.0.113.9\""));
		queue_records_free(r, n);
	}
}

static void
test_login_after_failures_and_new_source(void **state)
{
	struct fx *f = *state;

	start(f, NULL);
	append(f->log, "Nov 23 22:45:01 web01 sshd[9]: Accepted publickey for alice from "
	    "198.51.100.7 port 40022 ssh2: ED25519 SHA256:x\n");
	spin(f, 700);
	/* The first source a user is seen with is learnt, not reported. */
	assert_int_equal(events(f, "ids.new_source", NULL), 0);
	fail_lines(f->log, "203.0.113.66", 6);
	append(f->log, "Nov 23 22:46:01 web01 sshd[9]: Accepted password for alice from "
	    "203.0.113.66 port 40023 ssh2\n");
	spin(f, 700);
	assert_int_equal(events(f, "ids.login_after_failures", NULL), 1);
	assert_int_equal(events(f, "ids.new_source", NULL), 1);
}

static void
test_rotation_and_restart_lose_nothing(void **state)
{
	struct fx *f = *state;
	char rotated[160];
	long long count;

	start(f, NULL);
	fail_lines(f->log, "203.0.113.20", 3);
	spin(f, 700);
	/* Rotate: two more lines land in the old file, then a new file. */
	fail_lines(f->log, "203.0.113.20", 2);
	snprintf(rotated, sizeof(rotated), "%s.1", f->log);
	assert_int_equal(rename(f->log, rotated), 0);
	fail_lines(f->log, "203.0.113.20", 1);
	spin(f, 700);
	/* The report at the fifth failure, then the sixth in a follow-up. */
	assert_int_equal(events(f, "ids.brute_force", &count), 2);
	assert_int_equal(count, 6);
	/* Restart: lines written while stopped are read exactly once. */
	ids_stop(&f->ctx, f->mod);
	f->mod = NULL;
	fail_lines(f->log, "198.51.100.99", 5);
	start(f, NULL);
	spin(f, 700);
	assert_int_equal(events(f, "ids.brute_force", &count), 3);
	assert_int_equal(count, 6 + 5);
}

static void
test_active_response_respects_allow_list(void **state)
{
	struct fx *f = *state;
	char nft[128], args[128], extra[400], line[256];
	FILE *fp;
	int blocked = 0;

	/* A stand-in for nft that records its arguments. */
	snprintf(nft, sizeof(nft), "%s/nft", f->dir);
	snprintf(args, sizeof(args), "%s/nft.args", f->dir);
	fp = fopen(nft, "w");
	assert_non_null(fp);
	fprintf(fp, "#!/bin/sh\necho \"$*\" >> '%s'\n", args);
	fclose(fp);
	chmod(nft, 0700);
	snprintf(extra, sizeof(extra), ",\"active_response\":true,\"block_seconds\":300,"
	    "\"allow_list\":\"203.0.113.0/28\"");
	setenv("YUNSHOU_NFT", nft, 1);
	start(f, extra);
	fail_lines(f->log, "203.0.113.5", 6);	/* allow-listed */
	fail_lines(f->log, "198.51.100.200", 6);
	spin(f, 800);
	assert_int_equal(events(f, "ids.blocked", NULL), 2);
	fp = fopen(args, "r");
	assert_non_null(fp);
	while (fgets(line, sizeof(line), fp)) {
		if (strstr(line, "add element inet yunshou block4 { 198.51.100.200 timeout 300s }"))
			blocked++;
		assert_null(strstr(line, "203.0.113.5"));
	}
	fclose(fp);
	assert_int_equal(blocked, 1);
}

static void
test_journal_when_there_is_no_log_file(void **state)
{
	struct fx *f = *state;
	char jc[128], text[768], args[160];
	json_t *policy;
	long long count;
	FILE *fp;

	/* A stand-in for journalctl: records its arguments, prints sshd lines
	 * in short-iso form, then keeps running like -f does. */
	snprintf(jc, sizeof(jc), "%s/journalctl", f->dir);
	snprintf(args, sizeof(args), "%s/journalctl.args", f->dir);
	fp = fopen(jc, "w");
	assert_non_null(fp);
	fprintf(fp, "#!/bin/sh\necho \"$*\" > '%s'\n", args);
	for (int i = 0; i < 7; i++)
		fprintf(fp, "echo '2026-11-23T22:44:%02d+0800 web01 sshd[%d]: Failed password for "
		    "root from 198.51.100.66 port %d ssh2'\n", i, 100 + i, 40000 + i);
	fprintf(fp, "exec sleep 30\n");
	fclose(fp);
	chmod(jc, 0700);
	snprintf(text, sizeof(text), "{\"enabled\":true,\"files\":[\"%s/none.log\"],"
	    "\"brute_force_failures\":5,\"brute_force_seconds\":60}", f->dir);
	setenv("YUNSHOU_JOURNALCTL", jc, 1);
	policy = json_loads(text, 0, NULL);
	assert_int_equal(ids_start(&f->ctx, policy, &f->mod), 0);
	json_decref(policy);
	spin(f, 1200);
	assert_int_equal(events(f, "ids.brute_force", &count) >= 1, 1);
	assert_int_equal(count, 7);
	fp = fopen(args, "r");
	assert_non_null(fp);
	assert_non_null(fgets(text, sizeof(text), fp));
	fclose(fp);
	assert_non_null(strstr(text, "-f"));
	assert_non_null(strstr(text, "_COMM=sshd"));
	assert_non_null(strstr(text, "--cursor-file="));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_formats),
		cmocka_unit_test(test_injected_user_name_cannot_move_the_source),
		cmocka_unit_test(test_allow_list),
		cmocka_unit_test_setup_teardown(test_brute_force_one_report_right_count, setup, teardown),
		cmocka_unit_test_setup_teardown(test_login_after_failures_and_new_source, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_rotation_and_restart_lose_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_active_response_respects_allow_list, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_journal_when_there_is_no_log_file, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
