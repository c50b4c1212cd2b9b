/*
 * bench_fim: file integrity monitoring against its anchor, AIDE.
 *
 *   bench_fim [TREE] [--no-aide] [--no-footprint]      (TREE defaults to /usr)
 *
 * 1. Footprint: the FIM module on the default policy's paths with inotify,
 *    in this process as the agent runs it: RSS after the baseline and CPU
 *    used over 10 s of idling.
 * 1b. Latency: a file written in a temporary watched tree → its event in
 *    the agent's queue (not yet at yunshoud), p50 and p99 of 100 changes.
 * 2. Baseline of TREE with SHA-256 by the FIM module (the same code the
 *    agent runs, one niced worker thread), a rescan of the unchanged tree,
 *    and a restart (load the saved baseline, then rescan).
 * 3. `aide --init` on the same tree with a generated aide.conf that records
 *    the same attributes (type, mode, inode, owner, group, size, mtime,
 *    ctime, link target, sha256), once with AIDE's default single worker
 *    and once with one worker per core.
 * The page cache is warmed (every file read once) before each timed
 * baseline, so both sides hash from memory and the ratio is one of CPU
 * work, not of the disk. Prints figures; never fails on a time.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>
#include <jansson.h>

#include "agent.h"
#include "fim.h"
#include "log.h"
#include "module.h"
#include "queue.h"

struct run {
	char dir[64];
	struct agent_paths paths;
	struct agent_ctx ctx;
	void *fim;
};

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int
sh(const char *cmd)
{
	int rc = system(cmd);

	return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

static void
warm(const char *tree)
{
	char cmd[1024];

	snprintf(cmd, sizeof(cmd), "find '%s' -xdev -type f -print0 2>/dev/null | "
	    "xargs -0 -P4 -n256 cat >/dev/null 2>&1", tree);
	sh(cmd);
}

static void
run_open(struct run *r)
{
	char err[256], state[128];

	memset(r, 0, sizeof(*r));
	snprintf(r->dir, sizeof(r->dir), "/tmp/ys-bench-fim-XXXXXX");
	if (mkdtemp(r->dir) == NULL) {
		perror("mkdtemp");
		exit(1);
	}
	snprintf(state, sizeof(state), "%s/state", r->dir);
	mkdir(state, 0700);
	agent_paths_init(&r->paths, state);
	r->ctx.base = event_base_new();
	r->ctx.paths = &r->paths;
	if (queue_open(r->paths.queue, 1ULL << 30, &r->ctx.queue, err, sizeof(err)) < 0) {
		fprintf(stderr, "bench_fim: %s\n", err);
		exit(1);
	}
}

static void
run_close(struct run *r)
{
	char cmd[128];

	fim_stop(&r->ctx, r->fim);
	r->fim = NULL;
	queue_close(r->ctx.queue);
	event_base_free(r->ctx.base);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", r->dir);
	sh(cmd);
}

static void
fim_go(struct run *r, json_t *paths, bool realtime)
{
	json_t *pol = json_pack("{s:b, s:O, s:[s], s:i, s:b}", "enabled", 1, "paths", paths,
	    "ignore", "*.swp", "rescan_minutes", 0, "realtime", realtime);

	if (fim_start(&r->ctx, pol, &r->fim) < 0) {
		fprintf(stderr, "bench_fim: the FIM module did not start\n");
		exit(1);
	}
	json_decref(pol);
}

/* Run the event loop until the module is idle; seconds taken. */
static double
until_idle(struct run *r, double t0)
{
	struct timeval tv = { 0, 2000 };

	while (!fim_is_idle(r->fim)) {
		event_base_loopexit(r->ctx.base, &tv);
		event_base_dispatch(r->ctx.base);
	}
	return now_s() - t0;
}

/* The fim.baseline event's payload from the queue (caller frees). */
static json_t *
baseline_event(struct run *r)
{
	struct queue_record rec[64];
	json_t *out = NULL;
	size_t n;

	queue_sync(r->ctx.queue);
	while ((n = queue_peek(r->ctx.queue, rec, 64)) > 0) {
		for (size_t i = 0; i < n; i++) {
			json_t *e = json_loads(rec[i].data, 0, NULL);

			if (out == NULL && strcmp(json_string_value(json_object_get(e, "type")),
			    "fim.baseline") == 0)
				out = json_incref(json_object_get(e, "payload"));
			json_decref(e);
		}
		queue_ack(r->ctx.queue, rec[n - 1].seq);
		queue_records_free(rec, n);
	}
	return out;
}

static long
rss_kb(void)
{
	char line[256];
	long kb = -1;
	FILE *f = fopen("/proc/self/status", "r");

	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmRSS: %ld", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

static double
cpu_s(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	    (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

static void
footprint(void)
{
	struct run r;
	json_t *paths = json_pack("[s,s,s,s,s,s]", "/etc", "/bin", "/sbin", "/usr/bin",
	    "/usr/sbin", "/boot");
	json_t *b;
	double t, c0, w0;
	struct timeval tv = { 10, 0 };

	run_open(&r);
	fim_go(&r, paths, true);
	t = until_idle(&r, now_s());
	b = baseline_event(&r);
	printf("-- footprint: default policy paths with inotify: %lld files, %lld dirs "
	    "baselined in %.2f s\n", json_integer_value(json_object_get(b, "files")),
	    json_integer_value(json_object_get(b, "dirs")), t);
	c0 = cpu_s();
	w0 = now_s();
	event_base_loopexit(r.ctx.base, &tv);
	event_base_dispatch(r.ctx.base);
	printf("   idle: %.3f %% CPU over %.0f s, RSS %ld KiB (this harness: libs + module)\n",
	    100.0 * (cpu_s() - c0) / (now_s() - w0), now_s() - w0, rss_kb());
	json_decref(b);
	json_decref(paths);
	run_close(&r);
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static size_t
queued_events(struct run *r)
{
	struct queue_record rec[64];
	size_t n, total = 0;

	queue_sync(r->ctx.queue);
	while ((n = queue_peek(r->ctx.queue, rec, 64)) > 0) {
		total += n;
		queue_ack(r->ctx.queue, rec[n - 1].seq);
		queue_records_free(rec, n);
	}
	return total;
}

static void
latency(void)
{
	struct run r;
	char tree[128], file[192];
	double lat[100];
	json_t *paths;
	struct timeval tv = { 0, 1000 };

	run_open(&r);
	snprintf(tree, sizeof(tree), "%s/tree", r.dir);
	mkdir(tree, 0755);
	paths = json_pack("[s]", tree);
	fim_go(&r, paths, true);
	until_idle(&r, now_s());
	queued_events(&r);
	for (int i = 0; i < 100; i++) {
		double t0 = now_s();
		FILE *f;

		snprintf(file, sizeof(file), "%s/f%d", tree, i % 10);
		if ((f = fopen(file, "a")) == NULL)
			break;
		fprintf(f, "change %d\n", i);
		fclose(f);
		while (queued_events(&r) == 0) {
			event_base_loopexit(r.ctx.base, &tv);
			event_base_dispatch(r.ctx.base);
		}
		lat[i] = (now_s() - t0) * 1000;
	}
	qsort(lat, 100, sizeof(*lat), cmp_double);
	printf("-- real-time latency, write → event queued (settle window 200 ms): "
	    "p50 %.0f ms, p99 %.0f ms\n", lat[49], lat[98]);
	json_decref(paths);
	run_close(&r);
}

static double
aide_init(const char *tree, const char *workers, const char *dir)
{
	char conf[256], cmd[1024];
	double t0;
	FILE *f;

	snprintf(conf, sizeof(conf), "%s/aide.conf", dir);
	f = fopen(conf, "w");
	if (f == NULL)
		return -1;
	fprintf(f, "database_out=file:%s/aide.db\n"
	    "gzip_dbout=no\n"
	    "num_workers=%s\n"
	    "report_url=stdout\n"
	    "YS = ftype+p+i+u+g+s+m+c+l+sha256\n"
	    "%s YS\n", dir, workers, tree);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "rm -f %s/aide.db; aide --init --config='%s' >%s/aide.out 2>&1",
	    dir, conf, dir);
	t0 = now_s();
	if (sh(cmd) != 0) {
		/* aide exits non-zero on some warnings; the database says if it ran */
		snprintf(cmd, sizeof(cmd), "test -s %s/aide.db", dir);
		if (sh(cmd) != 0) {
			fprintf(stderr, "bench_fim: aide --init failed, see %s/aide.out\n", dir);
			return -1;
		}
	}
	return now_s() - t0;
}

int
main(int argc, char **argv)
{
	const char *tree = "/usr";
	bool aide = true, fp = true;
	struct run r;
	json_t *b, *paths;
	double t_base, t_rescan, t_restart, t_aide1 = -1, t_aide2 = -1;
	long long files, dirs, links, bytes;
	long rss_after;
	char workers[16];

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--no-aide") == 0)
			aide = false;
		else if (strcmp(argv[i], "--no-footprint") == 0)
			fp = false;
		else
			tree = argv[i];
	}
	log_init("bench_fim", LOG_LVL_WARN, NULL);
	if (aide && sh("command -v aide >/dev/null") != 0) {
		fprintf(stderr, "bench_fim: aide is not installed (scripts/deps); skipping it\n");
		aide = false;
	}
	printf("== FIM: %s, %ld cores ==\n", tree, sysconf(_SC_NPROCESSORS_ONLN));
	if (fp) {
		footprint();
		latency();
	}

	run_open(&r);
	paths = json_pack("[s]", tree);
	warm(tree);
	fim_go(&r, paths, false);
	t_base = until_idle(&r, now_s());
	b = baseline_event(&r);
	files = json_integer_value(json_object_get(b, "files"));
	dirs = json_integer_value(json_object_get(b, "dirs"));
	links = json_integer_value(json_object_get(b, "symlinks"));
	bytes = json_integer_value(json_object_get(b, "bytes"));
	rss_after = rss_kb();
	printf("-- yunshou FIM baseline: %lld files, %lld dirs, %lld symlinks, %.2f GB: "
	    "%.2f s (%.0f files/s, %.0f MB/s); RSS %ld KiB\n", files, dirs, links, bytes / 1e9,
	    t_base, files / t_base, bytes / 1e6 / t_base, rss_after);
	json_decref(b);

	fim_rescan(r.fim);
	t_rescan = until_idle(&r, now_s());
	printf("-- yunshou FIM rescan of the unchanged tree: %.2f s (%.0f entries/s)\n",
	    t_rescan, (files + dirs + links) / t_rescan);
	fim_stop(&r.ctx, r.fim);
	r.fim = NULL;
	fim_go(&r, paths, false);
	t_restart = until_idle(&r, now_s());
	printf("-- yunshou FIM restart (load baseline + rescan): %.2f s\n", t_restart);
	json_decref(paths);

	if (aide) {
		warm(tree);
		t_aide1 = aide_init(tree, "1", r.dir);
		printf("-- aide --init (num_workers=1, its default): %.2f s\n", t_aide1);
		snprintf(workers, sizeof(workers), "%ld", sysconf(_SC_NPROCESSORS_ONLN));
		warm(tree);
		t_aide2 = aide_init(tree, workers, r.dir);
		printf("-- aide --init (num_workers=%s): %.2f s\n", workers, t_aide2);
		if (t_aide1 > 0)
			printf("ratio: AIDE(1 worker) / yunshou = %.2fx; AIDE(%s workers) / yunshou "
			    "= %.2fx (goal >= 2x)\n", t_aide1 / t_base, workers, t_aide2 / t_base);
	}
	run_close(&r);
	return 0;
}
