/*
 * bench_waf: the WAF corpus (the .jsonl files of tests/corpus/waf) through yunshou's
 * inspection engine (src/waf/waf.h) and through libmodsecurity3 with the
 * OWASP CRS at paranoia level 1, in process, same requests, same run.
 *
 * For each engine it prints the verdict on every category (detection rate
 * of each attack file, false-positive rate of the benign files) and the
 * inspection throughput: requests per CPU-second of the one thread that
 * runs it (= requests/s per core), median of ROUNDS passes over the whole
 * corpus, and the ratio between the two. A ModSecurity request is a whole
 * transaction (connection, URI, headers, phase 1, body, phase 2, the
 * intervention checks); CRS in anomaly mode blocks at phase 2 (949110), so
 * "blocked" is a disruptive intervention after either phase. A yunshou
 * request is one waf_inspect() with the default site policy; "blocked" is
 * would_block. Request parsing (JSON) is done once, outside the timing.
 *
 * Built without yunshou's side when the engine library (waf_dep) is not in
 * the build; the ModSecurity figures stand alone then. Never fails on a time.
 *
 *   bench_waf [ROUNDS] [CORPUS_DIR] [RULES_DIR] [MODSEC_CONF]
 *   (defaults: 3, tests/corpus/waf, rules/waf, bench/waf-modsecurity.conf
 *    of the source tree; CRS from /etc/modsecurity/crs and
 *    /usr/share/modsecurity-crs/rules)
 */
#include <dirent.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <modsecurity/intervention.h>
#include <modsecurity/modsecurity.h>
#include <modsecurity/rules_set.h>
#include <modsecurity/transaction.h>

#ifdef BENCH_WAF_ENGINE
#include "waf.h"
#endif

#define CRS_SETUP "/etc/modsecurity/crs/crs-setup.conf"
#define CRS_RULES "/usr/share/modsecurity-crs/rules/*.conf"
#define MAX_LISTED 12

struct bhdr {
	const char *name;
	size_t name_len;
	const char *value;
	size_t value_len;
};

struct breq {
	json_t *root;		/* owns every string below but uri */
	const char *id;
	const char *method, *path, *query;
	size_t method_len, path_len, query_len;
	const char *body;
	size_t body_len;
	struct bhdr *hdrs;
	size_t n_hdrs;
	char *uri;		/* path?query, for msc_process_uri */
	size_t cat;
};

struct bcat {
	char name[64];
	int is_benign;
	size_t n;
};

enum { ENG_YUNSHOU, ENG_MODSEC, ENG_N };

static const char *eng_name[ENG_N] = { "yunshou", "modsecurity+CRS" };

struct corpus {
	struct breq *reqs;
	size_t n, cap;
	struct bcat cats[64];
	size_t n_cats;
	unsigned char *blocked[ENG_N];	/* verdict of the first round */
};

static double
clock_s(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static const char *
str_field(json_t *o, const char *k, size_t *len)
{
	json_t *v = json_object_get(o, k);

	if (!json_is_string(v))
		return NULL;
	if (len)
		*len = json_string_length(v);
	return json_string_value(v);
}

static int
add_request(struct corpus *c, json_t *root, size_t cat, char *err, size_t errlen)
{
	struct breq *r;
	json_t *h, *v;
	const char *k;
	size_t i = 0;

	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 1024;
		struct breq *n = realloc(c->reqs, cap * sizeof(*n));

		if (!n) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		c->reqs = n;
		c->cap = cap;
	}
	r = &c->reqs[c->n];
	memset(r, 0, sizeof(*r));
	r->root = root;
	r->cat = cat;
	r->id = str_field(root, "id", NULL);
	r->method = str_field(root, "method", &r->method_len);
	r->path = str_field(root, "path", &r->path_len);
	r->query = str_field(root, "query", &r->query_len);
	r->body = str_field(root, "body", &r->body_len);
	h = json_object_get(root, "headers");
	if (!r->id || !r->method || !r->path || !r->query || !r->body || !json_is_object(h)) {
		snprintf(err, errlen, "a line lacks id, method, path, query, body or headers");
		return -1;
	}
	r->n_hdrs = json_object_size(h);
	r->hdrs = calloc(r->n_hdrs ? r->n_hdrs : 1, sizeof(*r->hdrs));
	r->uri = malloc(r->path_len + r->query_len + 2);
	if (!r->hdrs || !r->uri) {
		free(r->hdrs);
		free(r->uri);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	json_object_foreach(h, k, v) {
		if (!json_is_string(v)) {
			free(r->hdrs);
			free(r->uri);
			snprintf(err, errlen, "%s: header %s is not a string", r->id, k);
			return -1;
		}
		r->hdrs[i].name = k;
		r->hdrs[i].name_len = strlen(k);
		r->hdrs[i].value = json_string_value(v);
		r->hdrs[i].value_len = json_string_length(v);
		i++;
	}
	memcpy(r->uri, r->path, r->path_len);
	if (r->query_len) {
		r->uri[r->path_len] = '?';
		memcpy(r->uri + r->path_len + 1, r->query, r->query_len);
		r->uri[r->path_len + 1 + r->query_len] = '\0';
	} else {
		r->uri[r->path_len] = '\0';
	}
	c->cats[cat].n++;
	c->n++;
	return 0;
}

static int
load_file(struct corpus *c, const char *dir, const char *fname, char *err, size_t errlen)
{
	char path[4096], line[1 << 20];
	struct bcat *cat;
	size_t lineno = 0;
	FILE *f;
	int rc = -1;

	if (c->n_cats == sizeof(c->cats) / sizeof(c->cats[0])) {
		snprintf(err, errlen, "too many corpus files");
		return -1;
	}
	cat = &c->cats[c->n_cats];
	snprintf(cat->name, sizeof(cat->name), "%.*s", (int)(strlen(fname) - strlen(".jsonl")), fname);
	cat->is_benign = strncmp(fname, "benign", 6) == 0;
	snprintf(path, sizeof(path), "%s/%s", dir, fname);
	if (!(f = fopen(path, "r"))) {
		snprintf(err, errlen, "%.400s: cannot open", path);
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		json_error_t je;
		json_t *root;

		lineno++;
		if (!strchr(line, '\n') && !feof(f)) {
			snprintf(err, errlen, "%.400s:%zu: line longer than %zu bytes", path, lineno, sizeof(line));
			goto fail;
		}
		if (!(root = json_loads(line, 0, &je))) {
			snprintf(err, errlen, "%.300s:%zu: %s", path, lineno, je.text);
			goto fail;
		}
		if (add_request(c, root, c->n_cats, err, errlen) < 0) {
			json_decref(root);
			goto fail;
		}
	}
	c->n_cats++;
	rc = 0;
fail:
	fclose(f);
	return rc;
}

static int
load_corpus(struct corpus *c, const char *dir, char *err, size_t errlen)
{
	char *names[64];
	size_t n = 0, i;
	struct dirent *de;
	DIR *d;
	int rc = -1;

	if (!(d = opendir(dir))) {
		snprintf(err, errlen, "%s: cannot open the corpus directory", dir);
		return -1;
	}
	while ((de = readdir(d)) && n < 64) {
		size_t l = strlen(de->d_name);

		if (l > 6 && strcmp(de->d_name + l - 6, ".jsonl") == 0 && (names[n] = strdup(de->d_name)))
			n++;
	}
	closedir(d);
	qsort(names, n, sizeof(names[0]), cmp_str);
	for (i = 0; i < n; i++)
		if (load_file(c, dir, names[i], err, errlen) < 0)
			goto fail;
	if (!c->n) {
		snprintf(err, errlen, "%s: no requests in *.jsonl", dir);
		goto fail;
	}
	rc = 0;
fail:
	for (i = 0; i < n; i++)
		free(names[i]);
	return rc;
}

/* ------------------------------------------------------------ ModSecurity */

struct modsec {
	ModSecurity *msc;
	RulesSet *rules;
};

/* ModSecurity's rule messages: dropped, or printed with BENCH_WAF_LOG=1 to
 * see which CRS rules fire on a request (then run 1 round: it is slow). */
static int modsec_log;
static const char *modsec_log_id;	/* the request being inspected */

static void
modsec_log_cb(void *data, const void *msg)
{
	(void)data;
	if (modsec_log && msg)
		fprintf(stderr, "%s: %s\n", modsec_log_id, (const char *)msg);
}

static int
modsec_add_file(struct modsec *m, const char *file, char *err, size_t errlen)
{
	const char *e = NULL;

	if (msc_rules_add_file(m->rules, file, &e) < 0) {
		snprintf(err, errlen, "%s: %s", file, e ? e : "cannot load");
		free((void *)e);
		return -1;
	}
	return 0;
}

static int
modsec_load(struct modsec *m, const char *conf, char *err, size_t errlen)
{
	glob_t g;
	size_t i;
	int rc = -1;

	m->msc = msc_init();
	msc_set_connector_info(m->msc, "yunshou bench_waf");
	modsec_log = getenv("BENCH_WAF_LOG") != NULL;
	msc_set_log_cb(m->msc, modsec_log_cb);
	m->rules = msc_create_rules_set();
	if (modsec_add_file(m, conf, err, errlen) < 0 || modsec_add_file(m, CRS_SETUP, err, errlen) < 0)
		return -1;
	if (glob(CRS_RULES, 0, NULL, &g) != 0) {
		snprintf(err, errlen, "%s: no CRS rule files (Debian package modsecurity-crs)", CRS_RULES);
		return -1;
	}
	for (i = 0; i < g.gl_pathc; i++)
		if (modsec_add_file(m, g.gl_pathv[i], err, errlen) < 0)
			goto fail;
	rc = 0;
fail:
	globfree(&g);
	return rc;
}

/* 1 if the intervention is disruptive (deny/drop/redirect). */
static int
modsec_disrupted(Transaction *t)
{
	ModSecurityIntervention it = { .status = 200 };
	int d = 0;

	if (msc_intervention(t, &it))
		d = it.disruptive;
	free(it.url);
	free(it.log);
	return d;
}

static int
modsec_inspect(struct modsec *m, const struct breq *r)
{
	char method[32];
	Transaction *t;
	size_t i;
	int blocked;

	snprintf(method, sizeof(method), "%.*s", (int)r->method_len, r->method);
	modsec_log_id = r->id;
	t = msc_new_transaction(m->msc, m->rules, NULL);
	if (!t)
		return -1;
	msc_process_connection(t, "192.0.2.10", 51234, "198.51.100.1", 443);
	msc_process_uri(t, r->uri, method, "1.1");
	for (i = 0; i < r->n_hdrs; i++)
		msc_add_n_request_header(t, (const unsigned char *)r->hdrs[i].name, r->hdrs[i].name_len,
		    (const unsigned char *)r->hdrs[i].value, r->hdrs[i].value_len);
	msc_process_request_headers(t);
	blocked = modsec_disrupted(t);
	if (!blocked) {
		if (r->body_len)
			msc_append_request_body(t, (const unsigned char *)r->body, r->body_len);
		msc_process_request_body(t);
		blocked = modsec_disrupted(t);
	}
	msc_transaction_cleanup(t);
	return blocked;
}

/* ---------------------------------------------------------------- yunshou */

#ifdef BENCH_WAF_ENGINE
struct ys {
	struct waf_engine *e;
	struct waf_site *site;
	struct waf_header *hdrs;	/* all requests' headers, built once */
	size_t *hdr_off;
};

static int
ys_load(struct ys *y, const struct corpus *c, const char *rules, char *err, size_t errlen)
{
	size_t i, j, total = 0, off = 0;

	if (!(y->e = waf_engine_load_dir(rules, err, errlen)))
		return -1;
	if (!(y->site = waf_site_from_json(y->e, NULL, err, errlen)))
		return -1;
	for (i = 0; i < c->n; i++)
		total += c->reqs[i].n_hdrs;
	y->hdrs = calloc(total ? total : 1, sizeof(*y->hdrs));
	y->hdr_off = calloc(c->n, sizeof(*y->hdr_off));
	if (!y->hdrs || !y->hdr_off) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (i = 0; i < c->n; i++) {
		y->hdr_off[i] = off;
		for (j = 0; j < c->reqs[i].n_hdrs; j++, off++) {
			y->hdrs[off].name = c->reqs[i].hdrs[j].name;
			y->hdrs[off].name_len = c->reqs[i].hdrs[j].name_len;
			y->hdrs[off].value = c->reqs[i].hdrs[j].value;
			y->hdrs[off].value_len = c->reqs[i].hdrs[j].value_len;
		}
	}
	return 0;
}

static int
ys_inspect(const struct ys *y, const struct breq *r, size_t idx)
{
	struct waf_request q = {
		.method = r->method, .method_len = r->method_len,
		.path = r->path, .path_len = r->path_len,
		.query = r->query, .query_len = r->query_len,
		.headers = y->hdrs + y->hdr_off[idx], .n_headers = r->n_hdrs,
		.body = (const uint8_t *)r->body, .body_len = r->body_len,
		.client_ip = "192.0.2.10", .request_id = r->id,
	};
	struct waf_verdict v;

	if (waf_inspect(y->e, y->site, &q, &v) < 0)
		return -1;
	return v.would_block || v.action == WAF_BLOCK;
}

static void
ys_free(struct ys *y)
{
	waf_site_free(y->site);
	waf_engine_unref(y->e);
	free(y->hdrs);
	free(y->hdr_off);
}
#endif

/* ------------------------------------------------------------------ runs */

struct engines {
	struct modsec ms;
#ifdef BENCH_WAF_ENGINE
	struct ys ys;
#endif
	int have[ENG_N];
};

static int
inspect(struct engines *en, int eng, const struct corpus *c, size_t i)
{
#ifdef BENCH_WAF_ENGINE
	if (eng == ENG_YUNSHOU)
		return ys_inspect(&en->ys, &c->reqs[i], i);
#else
	(void)eng;
#endif
	return modsec_inspect(&en->ms, &c->reqs[i]);
}

/* Median requests per CPU-second over rounds; verdicts of round 1 kept. */
static int
run(struct engines *en, int eng, struct corpus *c, int rounds, double *rps, double *wall_rps)
{
	double cpu[64], wall[64];
	int k;

	if (rounds > 64)
		rounds = 64;
	for (k = 0; k < rounds; k++) {
		double c0 = clock_s(CLOCK_THREAD_CPUTIME_ID), w0 = clock_s(CLOCK_MONOTONIC);

		for (size_t i = 0; i < c->n; i++) {
			int b = inspect(en, eng, c, i);

			if (b < 0) {
				fprintf(stderr, "bench_waf: %s failed on %s\n", eng_name[eng], c->reqs[i].id);
				return -1;
			}
			if (k == 0)
				c->blocked[eng][i] = (unsigned char)b;
		}
		cpu[k] = (double)c->n / (clock_s(CLOCK_THREAD_CPUTIME_ID) - c0);
		wall[k] = (double)c->n / (clock_s(CLOCK_MONOTONIC) - w0);
	}
	qsort(cpu, (size_t)rounds, sizeof(double), cmp_double);
	qsort(wall, (size_t)rounds, sizeof(double), cmp_double);
	*rps = cpu[rounds / 2];
	*wall_rps = wall[rounds / 2];
	return 0;
}

static void
report(const struct corpus *c, const int *have)
{
	size_t blocked[ENG_N][64] = { { 0 } }, att_n = 0, ben_n = 0, att_b[ENG_N] = { 0 }, ben_b[ENG_N] = { 0 };
	size_t i, k;
	int e;

	for (i = 0; i < c->n; i++)
		for (e = 0; e < ENG_N; e++)
			if (have[e])
				blocked[e][c->reqs[i].cat] += c->blocked[e][i];
	printf("\n%-16s %6s", "file", "n");
	for (e = 0; e < ENG_N; e++)
		if (have[e])
			printf("  %18s", eng_name[e]);
	printf("\n");
	for (k = 0; k < c->n_cats; k++) {
		const struct bcat *cat = &c->cats[k];

		printf("%-16s %6zu", cat->name, cat->n);
		for (e = 0; e < ENG_N; e++) {
			if (!have[e])
				continue;
			printf("  %7.2f %% %s", 100.0 * blocked[e][k] / (double)cat->n,
			    cat->is_benign ? "FP    " : "detect");
			if (cat->is_benign)
				ben_b[e] += blocked[e][k];
			else
				att_b[e] += blocked[e][k];
		}
		if (cat->is_benign)
			ben_n += cat->n;
		else
			att_n += cat->n;
		printf("\n");
	}
	printf("%-16s %6zu", "attacks (all)", att_n);
	for (e = 0; e < ENG_N; e++)
		if (have[e])
			printf("  %7.2f %% detect", att_n ? 100.0 * att_b[e] / (double)att_n : 0.0);
	printf("\n%-16s %6zu", "benign (all)", ben_n);
	for (e = 0; e < ENG_N; e++)
		if (have[e])
			printf("  %7.2f %% FP    ", ben_n ? 100.0 * ben_b[e] / (double)ben_n : 0.0);
	printf("\n");
	for (e = 0; e < ENG_N; e++) {
		size_t listed = 0;

		if (!have[e] || !ben_b[e])
			continue;
		printf("%s false positives:", eng_name[e]);
		for (i = 0; i < c->n && listed < MAX_LISTED; i++)
			if (c->cats[c->reqs[i].cat].is_benign && c->blocked[e][i]) {
				printf(" %s", c->reqs[i].id);
				listed++;
			}
		printf("%s\n", ben_b[e] > listed ? " ..." : "");
	}
}

int
main(int argc, char **argv)
{
	int rounds = argc > 1 ? atoi(argv[1]) : 3;
	const char *dir = argc > 2 ? argv[2] : YS_SOURCE_DIR "/tests/corpus/waf";
	const char *rules = argc > 3 ? argv[3] : YS_SOURCE_DIR "/rules/waf";
	const char *conf = argc > 4 ? argv[4] : YS_SOURCE_DIR "/bench/waf-modsecurity.conf";
	struct corpus c = { 0 };
	struct engines en = { 0 };
	double rps[ENG_N] = { 0 }, wall[ENG_N] = { 0 }, t0;
	char err[512];
	int e, rc = 1;

	(void)rules;
	if (rounds < 1)
		rounds = 1;
	if (load_corpus(&c, dir, err, sizeof(err)) < 0) {
		fprintf(stderr, "bench_waf: %s\n", err);
		goto out;
	}
	for (e = 0; e < ENG_N; e++)
		if (!(c.blocked[e] = calloc(c.n, 1)))
			goto out;
	printf("== WAF inspection: %zu requests from %zu files of %s, %d rounds, 1 thread ==\n",
	    c.n, c.n_cats, dir, rounds);
#ifdef BENCH_WAF_ENGINE
	t0 = clock_s(CLOCK_MONOTONIC);
	if (ys_load(&en.ys, &c, rules, err, sizeof(err)) < 0) {
		fprintf(stderr, "bench_waf: yunshou engine: %s\n", err);
		goto out;
	}
	printf("yunshou engine: %s loaded in %.3f s\n", rules, clock_s(CLOCK_MONOTONIC) - t0);
	en.have[ENG_YUNSHOU] = 1;
#else
	printf("yunshou engine: not in this build (no waf_dep); ModSecurity figures only\n");
#endif
	t0 = clock_s(CLOCK_MONOTONIC);
	if (modsec_load(&en.ms, conf, err, sizeof(err)) < 0) {
		fprintf(stderr, "bench_waf: ModSecurity: %s\n", err);
		goto out;
	}
	printf("%s, OWASP CRS (%s, %s) paranoia level 1: loaded in %.3f s\n", msc_who_am_i(en.ms.msc),
	    conf, CRS_RULES, clock_s(CLOCK_MONOTONIC) - t0);
	en.have[ENG_MODSEC] = 1;
	for (e = 0; e < ENG_N; e++) {
		if (!en.have[e])
			continue;
		if (run(&en, e, &c, rounds, &rps[e], &wall[e]) < 0)
			goto out;
		printf("%-16s %10.0f requests/s per core (CPU time of the thread; wall %.0f/s), %.2f us/request\n",
		    eng_name[e], rps[e], wall[e], 1e6 / rps[e]);
	}
	if (en.have[ENG_YUNSHOU] && en.have[ENG_MODSEC])
		printf("ratio yunshou / modsecurity+CRS: %.1fx (goal >= 10x)\n", rps[ENG_YUNSHOU] / rps[ENG_MODSEC]);
	report(&c, en.have);
	rc = 0;
out:
#ifdef BENCH_WAF_ENGINE
	ys_free(&en.ys);
#endif
	if (en.ms.rules)
		msc_rules_cleanup(en.ms.rules);
	if (en.ms.msc)
		msc_cleanup(en.ms.msc);
	for (size_t i = 0; i < c.n; i++) {
		free(c.reqs[i].hdrs);
		free(c.reqs[i].uri);
		json_decref(c.reqs[i].root);
	}
	free(c.reqs);
	for (e = 0; e < ENG_N; e++)
		free(c.blocked[e]);
	return rc;
}
