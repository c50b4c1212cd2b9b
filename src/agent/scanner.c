/*
 * scanner: libyara rules, one file's scan, and the parallel tree walk.
 * libyara runs in fast mode (each rule is known to match after its first
 * sufficient string match: the module reports which rules matched, not
 * every offset), with one YR_SCANNER per thread. Small files are read into
 * a per-thread buffer, larger ones mapped.
 */
#include "scanner.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <yara.h>

#include "log.h"

extern const char *const scanner_builtin_names[];
extern const char *const scanner_builtin_texts[];
extern const size_t scanner_builtin_count;

#define READ_MAX (1024 * 1024)	/* read() up to this, mmap() above */
#define HITS_MAX 32
#define DEPTH_MAX 64
#define RING 1024
#define THREADS_MAX 16
#define EXTRA_MAX (1024 * 1024)

struct scanner_rules {
	YR_RULES *rules;
	int count;
	char version[65];
};

size_t
scanner_builtin_files(void)
{
	return scanner_builtin_count;
}

const char *
scanner_builtin_name(size_t i)
{
	return i < scanner_builtin_count ? scanner_builtin_names[i] : NULL;
}

const char *
scanner_builtin_text(size_t i)
{
	return i < scanner_builtin_count ? scanner_builtin_texts[i] : NULL;
}

struct compile_log {
	const char *ns;
	char *err;
	size_t errlen;
	int errors;
};

static void
on_compile(int level, const char *file, int line, const YR_RULE *rule, const char *msg,
    void *arg)
{
	struct compile_log *cl = arg;

	(void)file;
	(void)rule;
	if (level == YARA_ERROR_LEVEL_WARNING) {
		log_warn("malware: rules %s line %d: %s", cl->ns, line, msg);
		return;
	}
	if (cl->errors++ == 0)
		snprintf(cl->err, cl->errlen, "%s rules, line %d: %s", cl->ns, line, msg);
}

static void
hash_text(EVP_MD_CTX *md, const char *name, const char *text)
{
	EVP_DigestUpdate(md, name, strlen(name) + 1);
	EVP_DigestUpdate(md, text, strlen(text) + 1);
}

int
scanner_rules_compile(const char *extra, struct scanner_rules **out, char *err, size_t errlen)
{
	struct compile_log cl = { .err = err, .errlen = errlen };
	struct scanner_rules *r = NULL;
	YR_COMPILER *c = NULL;
	EVP_MD_CTX *md = NULL;
	unsigned char dg[32];
	YR_RULE *rule;

	*out = NULL;
	if (extra && strlen(extra) > EXTRA_MAX) {
		snprintf(err, errlen, "extra_rules: longer than %d bytes", EXTRA_MAX);
		return -1;
	}
	if (yr_initialize() != ERROR_SUCCESS) {
		snprintf(err, errlen, "libyara did not initialise");
		return -1;
	}
	if ((r = calloc(1, sizeof(*r))) == NULL || (md = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1 ||
	    yr_compiler_create(&c) != ERROR_SUCCESS) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	/* Rule text never reads files of the host: include is refused. */
	c->include_callback = NULL;
	yr_compiler_set_callback(c, on_compile, &cl);
	for (size_t i = 0; i < scanner_builtin_count; i++) {
		cl.ns = scanner_builtin_names[i];
		if (yr_compiler_add_string(c, scanner_builtin_texts[i], cl.ns) != 0)
			goto fail;
		hash_text(md, cl.ns, scanner_builtin_texts[i]);
	}
	if (extra && *extra) {
		cl.ns = "policy";
		if (yr_compiler_add_string(c, extra, "policy") != 0) {
			/* Say where it comes from: the fix is in the policy. */
			char why[400];

			snprintf(why, sizeof(why), "%s", err);
			snprintf(err, errlen, "extra_rules do not compile: %s", why);
			goto fail;
		}
		hash_text(md, "policy", extra);
	}
	if (yr_compiler_get_rules(c, &r->rules) != ERROR_SUCCESS) {
		snprintf(err, errlen, "out of memory compiling the rules");
		goto fail;
	}
	EVP_DigestFinal_ex(md, dg, NULL);
	for (int i = 0; i < 32; i++)
		snprintf(r->version + 2 * i, 3, "%02x", dg[i]);
	yr_rules_foreach(r->rules, rule)
		r->count++;
	yr_compiler_destroy(c);
	EVP_MD_CTX_free(md);
	*out = r;
	return 0;
fail:
	if (c)
		yr_compiler_destroy(c);
	EVP_MD_CTX_free(md);
	free(r);
	yr_finalize();
	return -1;
}

void
scanner_rules_free(struct scanner_rules *r)
{
	if (r == NULL)
		return;
	yr_rules_destroy(r->rules);
	free(r);
	yr_finalize();
}

const char *
scanner_rules_version(const struct scanner_rules *r)
{
	return r->version;
}

int
scanner_rules_count(const struct scanner_rules *r)
{
	return r->count;
}

void
scanner_hit_clear(struct scanner_hit *h)
{
	if (h == NULL)
		return;
	json_decref(h->rules);
	h->rules = NULL;
}

void
scanner_skip_path(struct scanner *s, const char *path)
{
	struct stat st;

	if (s->nskip < SCANNER_SKIP_MAX && stat(path, &st) == 0) {
		s->skip_dev[s->nskip] = st.st_dev;
		s->skip_ino[s->nskip] = st.st_ino;
		s->nskip++;
	}
}

static bool
is_skipped(const struct scanner *s, const struct stat *st)
{
	for (size_t i = 0; i < s->nskip; i++)
		if (s->skip_dev[i] == st->st_dev && s->skip_ino[i] == st->st_ino)
			return true;
	return false;
}

void
scanner_lower_priority(void)
{
	pid_t tid = (pid_t)syscall(SYS_gettid);

	/* Linux: nice and I/O priority are per thread. Best-effort level 7
	 * rather than the idle class, which a busy disk can starve forever. */
	if (setpriority(PRIO_PROCESS, (id_t)tid, 19) < 0)
		log_warn("malware: cannot lower the scanner's priority: %s", strerror(errno));
	syscall(SYS_ioprio_set, 1 /* IOPRIO_WHO_PROCESS */, tid, (2 << 13) | 7);
}

/* scanning one file */

struct scanner_thread {
	struct scanner *s;
	YR_SCANNER *ys;
	unsigned char *buf;
	const YR_RULE *hits[HITS_MAX];
	int nhits;
};

static int
on_scan(YR_SCAN_CONTEXT *ctx, int msg, void *data, void *arg)
{
	struct scanner_thread *t = arg;

	(void)ctx;
	if (msg == CALLBACK_MSG_RULE_MATCHING && t->nhits < HITS_MAX)
		t->hits[t->nhits++] = data;
	return CALLBACK_CONTINUE;
}

struct scanner_thread *
scanner_thread_new(struct scanner *s)
{
	struct scanner_thread *t = calloc(1, sizeof(*t));

	if (t == NULL || (t->buf = malloc(READ_MAX)) == NULL ||
	    yr_scanner_create(s->rules->rules, &t->ys) != ERROR_SUCCESS) {
		if (t)
			free(t->buf);
		free(t);
		return NULL;
	}
	t->s = s;
	yr_scanner_set_callback(t->ys, on_scan, t);
	yr_scanner_set_flags(t->ys, SCAN_FLAGS_FAST_MODE);
	yr_scanner_set_timeout(t->ys, s->timeout_s > 0 ? s->timeout_s : 60);
	return t;
}

void
scanner_thread_free(struct scanner_thread *t)
{
	if (t == NULL)
		return;
	yr_scanner_destroy(t->ys);
	free(t->buf);
	free(t);
}

static const char *
meta_str(const YR_RULE *r, const char *key)
{
	const YR_META *m;

	yr_rule_metas_foreach(r, m)
		if (m->type == META_TYPE_STRING && strcmp(m->identifier, key) == 0)
			return m->string;
	return NULL;
}

static int
severity_rank(const char *s)
{
	static const char *const order[] = { "low", "medium", "high", "critical" };

	for (int i = 0; s && i < 4; i++)
		if (strcmp(s, order[i]) == 0)
			return i;
	return 1;	/* rules without a known severity: medium */
}

static void
fill_hit(struct scanner_thread *t, const char *path, const struct stat *st,
    const unsigned char *data, size_t len, struct scanner_hit *hit)
{
	static const char *const names[] = { "low", "medium", "high", "critical" };
	unsigned char dg[32];
	unsigned int dglen = 0;
	int top = 0;

	memset(hit, 0, sizeof(*hit));
	hit->path = path;
	hit->st = *st;
	EVP_Digest(data, len, dg, &dglen, EVP_sha256(), NULL);
	for (int i = 0; i < 32; i++)
		snprintf(hit->sha256 + 2 * i, 3, "%02x", dg[i]);
	hit->rules = json_array();
	for (int i = 0; i < t->nhits; i++) {
		const YR_RULE *r = t->hits[i];
		const char *sev = meta_str(r, "severity");
		int rank = severity_rank(sev);

		if (i == 0 || rank > top)
			top = rank;
		json_array_append_new(hit->rules, json_pack("{s:s, s:s, s:s?, s:s?, s:s, s:s?}",
		    "namespace", r->ns->name, "rule", r->identifier,
		    "description", meta_str(r, "description"),
		    "description_zh", meta_str(r, "description_zh"),
		    "severity", names[rank], "reference", meta_str(r, "reference")));
	}
	snprintf(hit->severity, sizeof(hit->severity), "%s", names[top]);
}

/* What the stat alone decides: -1 when the file must be read. */
static int
pre_check(struct scanner *s, const struct stat *st)
{
	atomic_fetch_add(&s->st.files, 1);
	if (!S_ISREG(st->st_mode) || is_skipped(s, st) || (uint64_t)st->st_size > s->max_size) {
		atomic_fetch_add(&s->st.skipped, 1);
		return SCANNER_SKIPPED;
	}
	if (s->cache && scancache_hit(s->cache, st)) {
		atomic_fetch_add(&s->st.cached, 1);
		return SCANNER_CACHED;
	}
	return -1;
}

static enum scanner_verdict
scan_open(struct scanner_thread *t, int dirfd, const char *name, const char *path,
    struct scanner_hit *hit)
{
	struct scanner *s = t->s;
	int flags = O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC;
	unsigned char *data = t->buf, *map = NULL;
	size_t len = 0;
	struct stat st;
	int fd, rc;
	enum scanner_verdict v;

	/* O_NOATIME: scanning leaves access times as they were (owner or
	 * root only; others fall back to a plain open). */
	fd = openat(dirfd, name, flags | O_NOATIME);
	if (fd < 0 && errno == EPERM)
		fd = openat(dirfd, name, flags);
	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    (uint64_t)st.st_size > s->max_size) {
		if (fd >= 0)
			close(fd);
		atomic_fetch_add(&s->st.skipped, 1);
		return SCANNER_SKIPPED;
	}
	if (st.st_size > READ_MAX) {
		map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
		if (map == MAP_FAILED) {
			close(fd);
			atomic_fetch_add(&s->st.errors, 1);
			return SCANNER_ERROR;
		}
		data = map;
		len = (size_t)st.st_size;
	} else {
		ssize_t n;

		while (len < READ_MAX && (n = read(fd, t->buf + len, READ_MAX - len)) != 0) {
			if (n < 0) {
				if (errno == EINTR)
					continue;
				break;
			}
			len += (size_t)n;
		}
	}
	t->nhits = 0;
	rc = yr_scanner_scan_mem(t->ys, data, len);
	atomic_fetch_add(&s->st.scanned, 1);
	atomic_fetch_add(&s->st.bytes, len);
	if (rc != ERROR_SUCCESS && t->nhits == 0) {
		/* A timeout or a libyara error: not known clean, not cached. */
		log_warn("malware: %s: libyara error %d", path, rc);
		atomic_fetch_add(&s->st.errors, 1);
		v = SCANNER_ERROR;
	} else if (t->nhits == 0) {
		if (s->cache)
			scancache_put(s->cache, &st);
		v = SCANNER_CLEAN;
	} else {
		fill_hit(t, path, &st, data, len, hit);
		atomic_fetch_add(&s->st.matched, 1);
		v = SCANNER_MATCH;
	}
	if (map)
		munmap(map, (size_t)st.st_size);
	close(fd);
	return v;
}

enum scanner_verdict
scanner_file(struct scanner_thread *t, const char *path, struct scanner_hit *hit)
{
	struct stat st;
	int v;

	if (fstatat(AT_FDCWD, path, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		atomic_fetch_add(&t->s->st.skipped, 1);
		return SCANNER_SKIPPED;
	}
	if ((v = pre_check(t->s, &st)) >= 0)
		return (enum scanner_verdict)v;
	return scan_open(t, AT_FDCWD, path, path, hit);
}

/* the tree walk */

struct item {
	char *path;
};

struct walk {
	struct scanner *s;
	scanner_hit_fn fn;
	void *arg;
	const volatile int *stop;
	struct scanner_thread *self;	/* threads == 1 */
	pthread_mutex_t hit_lock;
	pthread_mutex_t lock;
	pthread_cond_t more, room;
	struct item ring[RING];
	size_t head, count;
	bool done;
	dev_t cur_dev;			/* the current root's device */
	/* roots already walked (bind mounts, /bin -> /usr/bin) */
	dev_t root_dev[32];
	ino_t root_ino[32];
	size_t nroots;
};

static bool
stopping(const struct walk *w)
{
	return w->stop && *w->stop;
}

static void
report(struct walk *w, struct scanner_hit *hit)
{
	pthread_mutex_lock(&w->hit_lock);
	if (w->fn)
		w->fn(w->arg, hit);
	pthread_mutex_unlock(&w->hit_lock);
	scanner_hit_clear(hit);
}

static void
scan_here(struct walk *w, struct scanner_thread *t, int dirfd, const char *name,
    const char *path)
{
	struct scanner_hit hit;

	if (scan_open(t, dirfd, name, path, &hit) == SCANNER_MATCH)
		report(w, &hit);
}

static void *
worker(void *arg)
{
	struct walk *w = arg;
	struct scanner_thread *t;

	scanner_lower_priority();
	t = scanner_thread_new(w->s);
	for (;;) {
		struct item it;

		pthread_mutex_lock(&w->lock);
		while (w->count == 0 && !w->done)
			pthread_cond_wait(&w->more, &w->lock);
		if (w->count == 0) {
			pthread_mutex_unlock(&w->lock);
			break;
		}
		it = w->ring[w->head];
		w->head = (w->head + 1) % RING;
		w->count--;
		pthread_cond_signal(&w->room);
		pthread_mutex_unlock(&w->lock);
		if (t && !stopping(w))
			scan_here(w, t, AT_FDCWD, it.path, it.path);
		else if (t == NULL)
			atomic_fetch_add(&w->s->st.errors, 1);
		free(it.path);
	}
	scanner_thread_free(t);
	return NULL;
}

static void
dispatch(struct walk *w, int dirfd, const char *name, const char *path, const struct stat *st)
{
	char *copy;

	if (pre_check(w->s, st) >= 0)
		return;
	if (w->self) {
		scan_here(w, w->self, dirfd, name, path);
		return;
	}
	if ((copy = strdup(path)) == NULL) {
		atomic_fetch_add(&w->s->st.errors, 1);
		return;
	}
	pthread_mutex_lock(&w->lock);
	while (w->count == RING)
		pthread_cond_wait(&w->room, &w->lock);
	w->ring[(w->head + w->count) % RING].path = copy;
	w->count++;
	pthread_cond_signal(&w->more);
	pthread_mutex_unlock(&w->lock);
}

static bool
is_pseudo_fs(int fd)
{
	static const long pseudo[] = { PROC_SUPER_MAGIC, SYSFS_MAGIC, DEVPTS_SUPER_MAGIC,
		CGROUP_SUPER_MAGIC, CGROUP2_SUPER_MAGIC, DEBUGFS_MAGIC, TRACEFS_MAGIC,
		SECURITYFS_MAGIC, BPF_FS_MAGIC, PSTOREFS_MAGIC, EFIVARFS_MAGIC };
	struct statfs sf;

	if (fstatfs(fd, &sf) < 0)
		return true;
	for (size_t i = 0; i < sizeof(pseudo) / sizeof(pseudo[0]); i++)
		if ((long)sf.f_type == pseudo[i])
			return true;
	return false;
}

/* Walk the directory open at fd (taken over); path holds its name. */
static void
walk_dir(struct walk *w, int fd, char *path, size_t len, int depth)
{
	DIR *d = fdopendir(fd);
	struct dirent *de;

	if (d == NULL) {
		close(fd);
		atomic_fetch_add(&w->s->st.errors, 1);
		return;
	}
	while (!stopping(w) && (de = readdir(d)) != NULL) {
		const char *name = de->d_name;
		size_t nlen = strlen(name);
		struct stat st;

		if (name[0] == '.' && (name[1] == '\0' || (name[1] == '.' && name[2] == '\0')))
			continue;
		if (de->d_type == DT_LNK || de->d_type == DT_CHR || de->d_type == DT_BLK ||
		    de->d_type == DT_FIFO || de->d_type == DT_SOCK)
			continue;	/* never followed, never read */
		if (len + 1 + nlen >= PATH_MAX) {
			atomic_fetch_add(&w->s->st.skipped, 1);
			continue;
		}
		path[len] = '/';
		memcpy(path + len + 1, name, nlen + 1);
		if (fstatat(dirfd(d), name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;	/* gone meanwhile */
		if (S_ISDIR(st.st_mode)) {
			int cfd;

			if (depth >= DEPTH_MAX || is_skipped(w->s, &st)) {
				atomic_fetch_add(&w->s->st.skipped, 1);
				continue;
			}
			cfd = openat(dirfd(d), name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
			    O_CLOEXEC);
			if (cfd < 0)
				continue;
			if (st.st_dev != w->cur_dev && is_pseudo_fs(cfd)) {
				close(cfd);
				continue;
			}
			walk_dir(w, cfd, path, len + 1 + nlen, depth + 1);
		} else if (S_ISREG(st.st_mode)) {
			dispatch(w, dirfd(d), name, path, &st);
		}
	}
	path[len] = '\0';
	closedir(d);
}

static void
walk_root(struct walk *w, const char *root)
{
	char *path;
	struct stat st;
	size_t len;
	int fd;

	/* A root may be a symlink (/bin -> usr/bin): it is the operator's
	 * choice, so it is followed; nothing below it is. */
	if (stat(root, &st) < 0)
		return;
	if (S_ISREG(st.st_mode)) {
		dispatch(w, AT_FDCWD, root, root, &st);
		return;
	}
	if (!S_ISDIR(st.st_mode) || is_skipped(w->s, &st))
		return;
	for (size_t i = 0; i < w->nroots; i++)
		if (w->root_dev[i] == st.st_dev && w->root_ino[i] == st.st_ino)
			return;
	if (w->nroots < 32) {
		w->root_dev[w->nroots] = st.st_dev;
		w->root_ino[w->nroots++] = st.st_ino;
	}
	w->cur_dev = st.st_dev;
	if ((fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return;
	if (is_pseudo_fs(fd) || (path = malloc(PATH_MAX)) == NULL) {
		close(fd);
		return;
	}
	len = strlen(root);
	while (len > 1 && root[len - 1] == '/')
		len--;
	if (len >= PATH_MAX) {
		close(fd);
		free(path);
		return;
	}
	memcpy(path, root, len);
	path[len] = '\0';
	if (len == 1)
		len = 0;	/* "/" + "/name" would double the slash */
	walk_dir(w, fd, path, len, 0);
	free(path);
}

int
scanner_walk(struct scanner *s, const char *const *roots, size_t nroots, int threads,
    scanner_hit_fn fn, void *arg, const volatile int *stop)
{
	struct walk *w = calloc(1, sizeof(*w));
	pthread_t tids[THREADS_MAX];
	int started = 0, rc;

	if (w == NULL)
		return -1;
	w->s = s;
	w->fn = fn;
	w->arg = arg;
	w->stop = stop;
	pthread_mutex_init(&w->hit_lock, NULL);
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->more, NULL);
	pthread_cond_init(&w->room, NULL);
	if (threads > THREADS_MAX)
		threads = THREADS_MAX;
	if (threads > 1) {
		for (int i = 0; i < threads; i++)
			if (pthread_create(&tids[started], NULL, worker, w) == 0)
				started++;
	}
	if (started == 0 && (w->self = scanner_thread_new(s)) == NULL) {
		rc = -1;
		goto out;
	}
	for (size_t i = 0; i < nroots && !stopping(w); i++)
		walk_root(w, roots[i]);
	pthread_mutex_lock(&w->lock);
	w->done = true;
	pthread_cond_broadcast(&w->more);
	pthread_mutex_unlock(&w->lock);
	for (int i = 0; i < started; i++)
		pthread_join(tids[i], NULL);
	rc = stopping(w) ? 1 : 0;
out:
	scanner_thread_free(w->self);
	pthread_cond_destroy(&w->more);
	pthread_cond_destroy(&w->room);
	pthread_mutex_destroy(&w->lock);
	pthread_mutex_destroy(&w->hit_lock);
	free(w);
	return rc;
}
