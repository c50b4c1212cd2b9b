/*
 * Unit tests of file integrity monitoring on a temporary tree: the first
 * baseline is one summary event, a restart over an unchanged tree says
 * nothing, changes made while the agent was down are reported with before
 * and after, inotify reports changes within a second and coalesces a burst
 * of writes into one event, ignore patterns hold, files vanishing in the
 * middle of a scan do no harm, and a damaged baseline file is replaced.
 * Events are read back from a real queue in the test's directory.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <event2/event.h>
#include <jansson.h>
#include <openssl/evp.h>

#include "agent.h"
#include "fim.h"
#include "log.h"
#include "module.h"
#include "queue.h"

struct fx {
	char dir[64], tree[128];
	struct agent_paths paths;
	struct agent_ctx ctx;
	void *fim;
	bool realtime;
};

static void
write_file(const char *dir, const char *name, const char *content)
{
	char p[512];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	f = fopen(p, "w");
	assert_non_null(f);
	fputs(content, f);
	fclose(f);
}

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	char err[256], p[256];

	log_init("test_fim", LOG_LVL_ERR, NULL);
	snprintf(f->dir, sizeof(f->dir), "/tmp/ys-fim-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->tree, sizeof(f->tree), "%s/tree", f->dir);
	snprintf(p, sizeof(p), "%s/state", f->dir);
	assert_int_equal(mkdir(f->tree, 0755), 0);
	assert_int_equal(mkdir(p, 0700), 0);
	agent_paths_init(&f->paths, p);
	snprintf(p, sizeof(p), "%s/sub", f->tree);
	assert_int_equal(mkdir(p, 0755), 0);
	write_file(f->tree, "a.conf", "hello\n");
	write_file(f->tree, "b.conf", "bee\n");
	write_file(f->tree, "sub/c.txt", "sea\n");
	write_file(f->tree, "d.txt", "dee\n");
	write_file(f->tree, "e.txt", "eee\n");
	write_file(f->tree, "skip.swp", "swap\n");
	snprintf(p, sizeof(p), "%s/link", f->tree);
	assert_int_equal(symlink("/etc/passwd", p), 0);	/* not followed */
	snprintf(p, sizeof(p), "%s/fifo", f->tree);
	assert_int_equal(mkfifo(p, 0600), 0);		/* skipped */
	f->ctx.base = event_base_new();
	f->ctx.paths = &f->paths;
	assert_int_equal(queue_open(f->paths.queue, 1 << 22, &f->ctx.queue, err, sizeof(err)), 0);
	f->realtime = true;
	*state = f;
	return 0;
}

static void
stop(struct fx *f)
{
	fim_stop(&f->ctx, f->fim);
	f->fim = NULL;
}

static int
teardown(void **state)
{
	struct fx *f = *state;
	char cmd[128];

	stop(f);
	queue_close(f->ctx.queue);
	event_base_free(f->ctx.base);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	assert_int_equal(system(cmd), 0);
	free(f);
	return 0;
}

static void
start(struct fx *f)
{
	json_t *pol = json_pack("{s:b, s:[s], s:[s, s], s:i, s:b}", "enabled", 1,
	    "paths", f->tree, "ignore", "*.swp", "*/sub/ignored*", "rescan_minutes", 0,
	    "realtime", f->realtime);

	assert_int_equal(fim_start(&f->ctx, pol, &f->fim), 0);
	json_decref(pol);
}

static void
run_for(struct fx *f, int ms)
{
	struct timeval tv = { 0, ms * 1000 };

	event_base_loopexit(f->ctx.base, &tv);
	event_base_dispatch(f->ctx.base);
}

static void
wait_idle(struct fx *f)
{
	for (int i = 0; i < 1000 && !fim_is_idle(f->fim); i++)
		run_for(f, 10);
	assert_true(fim_is_idle(f->fim));
}

/* Every queued event (as parsed JSON, an array), then acknowledged. */
static json_t *
take_events(struct fx *f)
{
	struct queue_record r[256];
	json_t *all = json_array();
	size_t n;

	queue_sync(f->ctx.queue);
	while ((n = queue_peek(f->ctx.queue, r, 256)) > 0) {
		for (size_t i = 0; i < n; i++)
			json_array_append_new(all, json_loads(r[i].data, 0, NULL));
		queue_ack(f->ctx.queue, r[n - 1].seq);
		queue_records_free(r, n);
	}
	return all;
}

/* The payload of the event of this type for this path in evs, or NULL. */
static json_t *
find(json_t *evs, const char *type, const char *path)
{
	size_t i;
	json_t *e;

	json_array_foreach(evs, i, e) {
		json_t *p = json_object_get(e, "payload");

		if (strcmp(json_string_value(json_object_get(e, "type")), type) == 0 &&
		    (path == NULL || strcmp(json_string_value(json_object_get(p, "path")),
		    path) == 0))
			return p;
	}
	return NULL;
}

static size_t
count(json_t *evs, const char *type, const char *path)
{
	size_t i, n = 0;
	json_t *e;

	json_array_foreach(evs, i, e) {
		json_t *p = json_object_get(e, "payload");

		if (strcmp(json_string_value(json_object_get(e, "type")), type) == 0 &&
		    (path == NULL || strcmp(json_string_value(json_object_get(p, "path")),
		    path) == 0))
			n++;
	}
	return n;
}

/* Run the loop until an event of type for path is queued (≤ 3 s); all
 * events seen so far are returned (the caller frees them). */
static json_t *
wait_event(struct fx *f, const char *type, const char *path)
{
	json_t *all = json_array();

	for (int i = 0; i < 300; i++) {
		json_t *evs = take_events(f);

		json_array_extend(all, evs);
		json_decref(evs);
		if (find(all, type, path))
			return all;
		run_for(f, 10);
	}
	fail_msg("no %s event for %s", type, path);
	return all;
}

static void
sha_hex(const char *s, char out[65])
{
	unsigned char md[32];

	EVP_Digest(s, strlen(s), md, NULL, EVP_sha256(), NULL);
	for (int i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}

static const char *
jstr(json_t *o, const char *a, const char *b)
{
	return json_string_value(json_object_get(json_object_get(o, a), b));
}

static void
path_of(struct fx *f, const char *name, char *out, size_t len)
{
	snprintf(out, len, "%s/%s", f->tree, name);
}

static void
test_baseline_is_one_summary(void **state)
{
	struct fx *f = *state;
	json_t *evs, *b;

	start(f);
	wait_idle(f);
	evs = take_events(f);
	assert_int_equal(json_array_size(evs), 1);
	b = find(evs, "fim.baseline", NULL);
	assert_non_null(b);
	/* a b d e c; tree and sub; the link; the fifo skipped; *.swp ignored. */
	assert_int_equal(json_integer_value(json_object_get(b, "files")), 5);
	assert_int_equal(json_integer_value(json_object_get(b, "dirs")), 2);
	assert_int_equal(json_integer_value(json_object_get(b, "symlinks")), 1);
	assert_int_equal(json_integer_value(json_object_get(b, "special_skipped")), 1);
	assert_int_equal(json_integer_value(json_object_get(b, "bytes")), 6 + 4 + 4 + 4 + 4);
	json_decref(evs);
}

static void
test_restart_unchanged_is_silent(void **state)
{
	struct fx *f = *state;
	char db[600];
	json_t *evs;

	start(f);
	wait_idle(f);
	stop(f);
	json_decref(take_events(f));
	snprintf(db, sizeof(db), "%s/fim.db", f->paths.dir);
	assert_int_equal(access(db, F_OK), 0);
	start(f);
	wait_idle(f);
	evs = take_events(f);
	assert_int_equal(json_array_size(evs), 0);
	json_decref(evs);
}

static void
test_changes_while_down(void **state)
{
	struct fx *f = *state;
	char a[256], b[256], p[256], q[256], h1[65], h2[65];
	json_t *evs, *m;

	start(f);
	wait_idle(f);
	stop(f);
	json_decref(take_events(f));

	write_file(f->tree, "a.conf", "hello, changed\n");
	path_of(f, "b.conf", b, sizeof(b));
	assert_int_equal(chmod(b, 0600), 0);
	write_file(f->tree, "sub/new.txt", "new\n");
	path_of(f, "d.txt", p, sizeof(p));
	assert_int_equal(unlink(p), 0);
	path_of(f, "e.txt", p, sizeof(p));
	path_of(f, "e2.txt", q, sizeof(q));
	assert_int_equal(rename(p, q), 0);
	write_file(f->tree, "skip.swp", "ignored change\n");
	write_file(f->tree, "sub/ignored-new", "ignored\n");

	start(f);
	wait_idle(f);
	evs = take_events(f);
	path_of(f, "a.conf", a, sizeof(a));
	m = find(evs, "fim.modified", a);
	assert_non_null(m);
	sha_hex("hello\n", h1);
	sha_hex("hello, changed\n", h2);
	assert_string_equal(jstr(m, "before", "sha256"), h1);
	assert_string_equal(jstr(m, "after", "sha256"), h2);
	assert_string_equal(json_string_value(json_object_get(m, "key")), a);
	assert_string_equal(json_string_value(json_object_get(m, "severity")), "low");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(m, "after"),
	    "size")), 15);

	m = find(evs, "fim.attributes", b);
	assert_non_null(m);
	assert_string_equal(jstr(m, "before", "mode"), "0644");
	assert_string_equal(jstr(m, "after", "mode"), "0600");
	assert_string_equal(jstr(m, "after", "owner"), "root");

	path_of(f, "sub/new.txt", p, sizeof(p));
	assert_non_null(find(evs, "fim.added", p));
	assert_true(json_is_null(json_object_get(find(evs, "fim.added", p), "before")));
	path_of(f, "d.txt", p, sizeof(p));
	assert_non_null(find(evs, "fim.deleted", p));
	path_of(f, "e.txt", p, sizeof(p));
	assert_non_null(find(evs, "fim.deleted", p));
	assert_non_null(find(evs, "fim.added", q));
	/* a modified, b attributes, new added, d deleted, e → e2; the ignored
	 * files and the tree's directories (mtime only) say nothing. */
	assert_int_equal(json_array_size(evs), 6);
	json_decref(evs);
}

static char sub_seen[512];
static pthread_mutex_t sub_mutex = PTHREAD_MUTEX_INITIALIZER;

static void
on_file(const char *path, void *arg)
{
	(void)arg;
	pthread_mutex_lock(&sub_mutex);
	snprintf(sub_seen, sizeof(sub_seen), "%s", path);
	pthread_mutex_unlock(&sub_mutex);
}

static void
test_realtime_changes(void **state)
{
	struct fx *f = *state;
	char p[256], d[256], b[256];
	struct timespec t0, t1;
	json_t *evs;
	FILE *fp;
	int ms;

	assert_int_equal(fim_subscribe(on_file, f), 0);
	start(f);
	wait_idle(f);
	json_decref(take_events(f));

	/* A file written in 100 chunks is one event once it settles. */
	path_of(f, "a.conf", p, sizeof(p));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	fp = fopen(p, "w");
	assert_non_null(fp);
	for (int i = 0; i < 100; i++) {
		fputs("0123456789abcdef0123456789abcdef\n", fp);
		fflush(fp);
		usleep(1000);
	}
	fclose(fp);
	evs = wait_event(f, "fim.modified", p);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (int)((t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000);
	assert_true(ms < 2000);
	run_for(f, 600);
	{
		json_t *more = take_events(f);

		json_array_extend(evs, more);
		json_decref(more);
	}
	assert_int_equal(count(evs, "fim.modified", p), 1);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(
	    find(evs, "fim.modified", p), "after"), "size")), 3300);
	pthread_mutex_lock(&sub_mutex);
	assert_string_equal(sub_seen, p);
	pthread_mutex_unlock(&sub_mutex);
	json_decref(evs);

	/* chmod → attributes */
	path_of(f, "b.conf", b, sizeof(b));
	assert_int_equal(chmod(b, 0640), 0);
	json_decref(wait_event(f, "fim.attributes", b));

	/* A new directory with a file created right away: both are added
	 * and the directory is watched from then on. */
	path_of(f, "newdir", d, sizeof(d));
	assert_int_equal(mkdir(d, 0750), 0);
	write_file(d, "inside.php", "<?php echo 1; ?>\n");
	path_of(f, "newdir/inside.php", p, sizeof(p));
	evs = wait_event(f, "fim.added", p);
	json_decref(evs);
	wait_idle(f);
	write_file(d, "later.txt", "later\n");
	path_of(f, "newdir/later.txt", p, sizeof(p));
	json_decref(wait_event(f, "fim.added", p));

	/* Rename within the tree: deleted + added; delete. */
	path_of(f, "e2.txt", b, sizeof(b));
	path_of(f, "e.txt", p, sizeof(p));
	assert_int_equal(rename(p, b), 0);
	evs = wait_event(f, "fim.added", b);
	if (!find(evs, "fim.deleted", p)) {
		json_decref(evs);
		evs = wait_event(f, "fim.deleted", p);
	}
	json_decref(evs);
	assert_int_equal(unlink(b), 0);
	json_decref(wait_event(f, "fim.deleted", b));

	/* Ignored paths stay quiet. */
	write_file(f->tree, "skip.swp", "x\n");
	run_for(f, 500);
	evs = take_events(f);
	assert_int_equal(json_array_size(evs), 0);
	json_decref(evs);
	fim_unsubscribe(on_file, f);
}

static void
test_rescan_catches_what_inotify_missed(void **state)
{
	struct fx *f = *state;
	char p[256];

	f->realtime = false;
	start(f);
	wait_idle(f);
	json_decref(take_events(f));
	write_file(f->tree, "sub/c.txt", "changed\n");
	run_for(f, 300);
	{
		json_t *evs = take_events(f);

		assert_int_equal(json_array_size(evs), 0);	/* no inotify */
		json_decref(evs);
	}
	fim_rescan(f->fim);
	path_of(f, "sub/c.txt", p, sizeof(p));
	json_decref(wait_event(f, "fim.modified", p));
}

struct churn {
	char dir[256];
	int n;
};

static void *
delete_files(void *arg)
{
	struct churn *c = arg;
	char p[512];

	for (int i = 0; i < c->n; i++) {
		snprintf(p, sizeof(p), "%s/f%05d", c->dir, i);
		unlink(p);
	}
	return NULL;
}

static void
test_files_vanishing_mid_scan(void **state)
{
	struct fx *f = *state;
	struct churn c = { .n = 3000 };
	pthread_t t;
	json_t *evs;

	path_of(f, "churn", c.dir, sizeof(c.dir));
	assert_int_equal(mkdir(c.dir, 0755), 0);
	for (int i = 0; i < c.n; i++) {
		char name[16];

		snprintf(name, sizeof(name), "f%05d", i);
		write_file(c.dir, name, "x");
	}
	assert_int_equal(pthread_create(&t, NULL, delete_files, &c), 0);
	start(f);
	pthread_join(t, NULL);
	wait_idle(f);
	fim_rescan(f->fim);
	wait_idle(f);
	stop(f);
	json_decref(take_events(f));
	/* Whatever was seen, the baseline now matches the tree. */
	start(f);
	wait_idle(f);
	evs = take_events(f);
	assert_int_equal(json_array_size(evs), 0);
	json_decref(evs);
}

static void
test_damaged_baseline_is_replaced(void **state)
{
	struct fx *f = *state;
	char db[600];
	json_t *evs;
	FILE *fp;

	start(f);
	wait_idle(f);
	stop(f);
	json_decref(take_events(f));
	snprintf(db, sizeof(db), "%s/fim.db", f->paths.dir);
	fp = fopen(db, "r+b");
	assert_non_null(fp);
	fseek(fp, 40, SEEK_SET);
	fputc('X', fp);
	fclose(fp);
	start(f);
	wait_idle(f);
	evs = take_events(f);
	assert_int_equal(json_array_size(evs), 1);
	assert_non_null(find(evs, "fim.baseline", NULL));
	json_decref(evs);
}

static void
test_severity(void **state)
{
	(void)state;
	assert_string_equal(fim_severity("/etc/shadow"), "high");
	assert_string_equal(fim_severity("/etc/ssh/sshd_config"), "high");
	assert_string_equal(fim_severity("/root/.ssh/authorized_keys"), "high");
	assert_string_equal(fim_severity("/etc/sudoers.d/90-cloud"), "high");
	assert_string_equal(fim_severity("/etc/hosts"), "medium");
	assert_string_equal(fim_severity("/usr/bin/ls"), "medium");
	assert_string_equal(fim_severity("/boot/vmlinuz"), "medium");
	assert_string_equal(fim_severity("/etcetera/x"), "low");
	assert_string_equal(fim_severity("/srv/www/index.php"), "low");
}

static void
test_policy_without_paths_is_refused(void **state)
{
	struct fx *f = *state;
	json_t *pol = json_pack("{s:b, s:[s]}", "enabled", 1, "paths", "relative/path");
	void *st = NULL;

	assert_int_equal(fim_start(&f->ctx, pol, &st), -1);
	assert_null(st);
	json_decref(pol);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_baseline_is_one_summary, setup, teardown),
		cmocka_unit_test_setup_teardown(test_restart_unchanged_is_silent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_changes_while_down, setup, teardown),
		cmocka_unit_test_setup_teardown(test_realtime_changes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rescan_catches_what_inotify_missed, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_files_vanishing_mid_scan, setup, teardown),
		cmocka_unit_test_setup_teardown(test_damaged_baseline_is_replaced, setup, teardown),
		cmocka_unit_test(test_severity),
		cmocka_unit_test_setup_teardown(test_policy_without_paths_is_refused, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
