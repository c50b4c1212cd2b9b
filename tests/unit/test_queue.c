/*
 * Unit tests of the agent's event queue: what is appended and synced
 * survives a reopen (a restart), acknowledged records are gone for good,
 * a torn record at the end is cut off, a full queue refuses instead of
 * dropping, and sequence numbers are never reused.
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

#include "log.h"
#include "queue.h"

struct fx {
	char dir[64];
	struct queue *q;
};

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	char err[256];

	log_init("test_queue", LOG_LVL_ERR, NULL);
	snprintf(f->dir, sizeof(f->dir), "/tmp/ys-queue-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	strcat(f->dir, "/q");
	assert_int_equal(queue_open(f->dir, 1 << 20, &f->q, err, sizeof(err)), 0);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;
	char cmd[128];

	queue_close(f->q);
	f->dir[strlen(f->dir) - 2] = '\0';
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	assert_int_equal(system(cmd), 0);
	free(f);
	return 0;
}

static void
reopen(struct fx *f, uint64_t max)
{
	char err[256];

	queue_close(f->q);
	assert_int_equal(queue_open(f->dir, max, &f->q, err, sizeof(err)), 0);
}

static uint64_t
add(struct fx *f, int n)
{
	char buf[64];
	int len = snprintf(buf, sizeof(buf), "{\"n\":%d}", n);

	return queue_append(f->q, buf, (size_t)len);
}

static void
test_only_synced_records_are_sendable(void **state)
{
	struct fx *f = *state;
	struct queue_record r[10];

	assert_int_equal(add(f, 1), 1);
	assert_int_equal(add(f, 2), 2);
	assert_int_equal(queue_peek(f->q, r, 10), 0);
	assert_int_equal(queue_sync(f->q), 0);
	assert_int_equal(queue_peek(f->q, r, 10), 2);
	assert_int_equal(r[0].seq, 1);
	assert_string_equal(r[1].data, "{\"n\":2}");
	queue_records_free(r, 2);
}

static void
test_survives_restart_and_ack(void **state)
{
	struct fx *f = *state;
	struct queue_record r[10];

	for (int i = 1; i <= 5; i++)
		assert_int_equal(add(f, i), (uint64_t)i);
	queue_sync(f->q);
	assert_int_equal(queue_ack(f->q, 3), 0);
	reopen(f, 1 << 20);
	assert_int_equal(queue_pending(f->q), 2);
	assert_int_equal(queue_acked_seq(f->q), 3);
	assert_int_equal(queue_peek(f->q, r, 10), 2);
	assert_int_equal(r[0].seq, 4);
	queue_records_free(r, 2);
	/* Acknowledging everything empties the log; numbering goes on. */
	assert_int_equal(queue_ack(f->q, 5), 0);
	reopen(f, 1 << 20);
	assert_int_equal(queue_pending(f->q), 0);
	assert_int_equal(add(f, 6), 6);
	/* An acknowledgement beyond what was handed out is refused. */
	assert_int_equal(queue_ack(f->q, 99), -1);
}

static void
test_torn_tail_is_cut(void **state)
{
	struct fx *f = *state;
	struct queue_record r[10];
	char path[128];
	FILE *fp;

	add(f, 1);
	add(f, 2);
	queue_sync(f->q);
	/* A crash in the middle of the third record's write. */
	snprintf(path, sizeof(path), "%s/events.log", f->dir);
	fp = fopen(path, "ab");
	assert_non_null(fp);
	fwrite("YSQ1\0\0\0\x40garbage", 1, 15, fp);
	fclose(fp);
	reopen(f, 1 << 20);
	assert_int_equal(queue_pending(f->q), 2);
	assert_int_equal(add(f, 3), 3);
	queue_sync(f->q);
	assert_int_equal(queue_peek(f->q, r, 10), 3);
	assert_string_equal(r[2].data, "{\"n\":3}");
	queue_records_free(r, 3);
}

static void
test_corrupt_record_is_not_sent(void **state)
{
	struct fx *f = *state;
	struct queue_record r[10];
	char path[128];
	FILE *fp;

	add(f, 1);
	add(f, 2);
	add(f, 3);
	queue_close(f->q);
	f->q = NULL;
	/* Flip a byte inside the second record's data (the third follows). */
	snprintf(path, sizeof(path), "%s/events.log", f->dir);
	fp = fopen(path, "r+b");
	assert_non_null(fp);
	fseek(fp, 24 + 7 + 24 + 3, SEEK_SET);
	fputc('X', fp);
	fclose(fp);
	{
		char err[256];

		assert_int_equal(queue_open(f->dir, 1 << 20, &f->q, err, sizeof(err)), 0);
	}
	/* The damaged record is skipped, the ones around it kept. */
	assert_int_equal(queue_peek(f->q, r, 10), 2);
	assert_int_equal(r[0].seq, 1);
	assert_int_equal(r[1].seq, 3);
	queue_records_free(r, 2);
}

static void
test_full_queue_refuses(void **state)
{
	struct fx *f = *state;
	uint64_t seq = 0;
	int n = 0;

	reopen(f, 200);
	while ((seq = add(f, n)) != QUEUE_FULL && n < 100)
		n++;
	assert_int_equal(seq, QUEUE_FULL);
	assert_true(n > 0 && n < 100);
	/* Draining makes room again. */
	queue_sync(f->q);
	assert_int_equal(queue_ack(f->q, queue_last_seq(f->q)), 0);
	assert_int_not_equal(add(f, 1000), QUEUE_FULL);
}

static void
test_compaction_keeps_pending(void **state)
{
	struct fx *f = *state;
	struct queue_record r[4];
	char big[4096];

	memset(big, 'a', sizeof(big) - 3);
	big[0] = '"';
	big[sizeof(big) - 3] = '"';
	big[sizeof(big) - 2] = '\0';
	reopen(f, 64 << 20);
	for (int i = 0; i < 2000; i++)
		assert_int_not_equal(queue_append(f->q, big, strlen(big)), QUEUE_FULL);
	queue_sync(f->q);
	/* Acknowledge most: the log is rewritten with only the tail. */
	assert_int_equal(queue_ack(f->q, 1990), 0);
	assert_int_equal(queue_pending(f->q), 10);
	reopen(f, 64 << 20);
	assert_int_equal(queue_pending(f->q), 10);
	assert_int_equal(queue_peek(f->q, r, 4), 4);
	assert_int_equal(r[0].seq, 1991);
	queue_records_free(r, 4);
	{
		struct stat st;
		char path[128];

		snprintf(path, sizeof(path), "%s/events.log", f->dir);
		assert_int_equal(stat(path, &st), 0);
		assert_true(st.st_size < 100 * 1024);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_only_synced_records_are_sendable, setup, teardown),
		cmocka_unit_test_setup_teardown(test_survives_restart_and_ack, setup, teardown),
		cmocka_unit_test_setup_teardown(test_torn_tail_is_cut, setup, teardown),
		cmocka_unit_test_setup_teardown(test_corrupt_record_is_not_sent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_full_queue_refuses, setup, teardown),
		cmocka_unit_test_setup_teardown(test_compaction_keeps_pending, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
