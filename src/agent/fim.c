/*
 * fim: file integrity monitoring (see fim.h for the policy keys).
 *
 * One worker thread, niced and in the lowest best-effort I/O class, owns
 * the baseline (fimdb), the inotify descriptor and the settle queue. It
 *   1. loads the saved baseline; paths without one get a silent baseline
 *      and ONE "fim.baseline" summary event;
 *   2. rescans everything else against the baseline (changes made while
 *      the agent was down are reported; an unchanged tree reports nothing);
 *   3. then sleeps in poll() on inotify and a wake-up pipe. Each inotify
 *      event marks its path dirty; a path is examined once it has been
 *      quiet for SETTLE_MS (at most SETTLE_MAX_MS after its first event),
 *      so a file written in a hundred chunks is one event;
 *   4. rescans fully when the rescan timer (in the agent's event loop)
 *      fires, on demand, and when inotify overflows.
 * A file whose size, mtime, ctime and inode are unchanged keeps its hash
 * without being read again, which is what makes rescans cheap. Walks use
 * openat/fstatat relative to the directory being read and never follow a
 * symbolic link (links are recorded with their target), never leave the
 * file system of their root, and skip devices, FIFOs and sockets.
 */
#include "fim.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <grp.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <pwd.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "fimdb.h"
#include "log.h"
#include "module.h"

#define HASH_BUF	(256 * 1024)
#define SETTLE_MS	200
#define SETTLE_MAX_MS	2000
#define SAVE_EVERY_MS	30000
#define FLUSH_EVERY	500	/* events between agent_flush calls */
#define UNREADABLE_EVENTS 20	/* per scan; the rest are counted */
#define MAX_DEPTH	128
#define MAX_ROOTS	64
#define MAX_IGNORE	256
#define WATCH_MASK	(IN_CREATE | IN_DELETE | IN_MODIFY | IN_ATTRIB | IN_MOVED_FROM | \
			 IN_MOVED_TO | IN_CLOSE_WRITE | IN_DELETE_SELF | IN_MOVE_SELF | \
			 IN_ONLYDIR | IN_DONT_FOLLOW | IN_EXCL_UNLINK)

/* Subscribers (the malware scanner): process-wide, so they outlive FIM
 * restarts. Called under the lock, which is what lets unsubscribe promise
 * that fn is no longer running. */
static pthread_mutex_t sub_lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
	fim_subscriber_fn fn;
	void *arg;
} subs[FIM_MAX_SUBSCRIBERS];

struct dirty {
	struct dirty *next;
	int64_t first, due;
	char path[];
};

struct idname {
	uint32_t id;
	char name[64];
};

struct scan_stats {
	uint64_t files, dirs, links, bytes, hashed_bytes, unreadable, special;
};

struct fim {
	struct agent_ctx *ctx;
	char **roots;
	size_t nroots;
	char **ignore;
	size_t nignore;
	long rescan_minutes;
	double max_bytes_per_s;
	bool realtime;
	char dbpath[1024];

	pthread_t thread;
	bool started;
	int wake[2];
	atomic_int stop, rescan_req, idle;
	struct event *timer;

	/* Below: the worker thread's own. */
	struct fimdb *db;
	int ino;
	char **wdpath;
	size_t nwd, nwatches;
	bool watch_full;
	struct dirty **dirty;
	size_t ndirtyb, ndirty;
	EVP_MD_CTX *md;
	unsigned char *buf;
	uint32_t gen;
	bool emit;		/* the walk in progress reports changes */
	bool db_changed;
	int64_t saved_ms;
	struct scan_stats st;
	size_t unreadable_emitted, unflushed;
	int64_t rate_start_ms;
	uint64_t rate_bytes;
	struct idname users[64], groups[64];
	size_t nusers, ngroups;
};

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* path is prefix or below it. */
static bool
is_under(const char *path, const char *prefix)
{
	size_t n = strlen(prefix);

	if (n == 1 && prefix[0] == '/')
		return path[0] == '/';
	return strncmp(path, prefix, n) == 0 && (path[n] == '/' || path[n] == '\0');
}

/* Severity of a change: known-critical files, then system trees. */
static const char *const high_patterns[] = {
	"/etc/passwd", "/etc/shadow", "/etc/group", "/etc/gshadow", "/etc/sudoers",
	"/etc/sudoers.d/*", "/etc/ssh/sshd_config", "/etc/ssh/sshd_config.d/*",
	"*/.ssh/authorized_keys", "*/.ssh/authorized_keys2", "/etc/ld.so.preload",
	"/etc/crontab", "/etc/cron.d/*", "/etc/pam.d/*", "/etc/security/opasswd",
};
static const char *const medium_prefixes[] = {
	"/etc", "/bin", "/sbin", "/usr/bin", "/usr/sbin", "/boot",
};

const char *
fim_severity(const char *path)
{
	for (size_t i = 0; i < sizeof(high_patterns) / sizeof(*high_patterns); i++)
		if (fnmatch(high_patterns[i], path, 0) == 0)
			return "high";
	for (size_t i = 0; i < sizeof(medium_prefixes) / sizeof(*medium_prefixes); i++)
		if (is_under(path, medium_prefixes[i]))
			return "medium";
	return "low";
}

static bool
is_ignored(const struct fim *f, const char *path)
{
	for (size_t i = 0; i < f->nignore; i++)
		if (fnmatch(f->ignore[i], path, 0) == 0)
			return true;
	return false;
}

int
fim_subscribe(fim_subscriber_fn fn, void *arg)
{
	int rc = -1;

	pthread_mutex_lock(&sub_lock);
	for (size_t i = 0; i < FIM_MAX_SUBSCRIBERS; i++)
		if (subs[i].fn == NULL) {
			subs[i].fn = fn;
			subs[i].arg = arg;
			rc = 0;
			break;
		}
	pthread_mutex_unlock(&sub_lock);
	return rc;
}

void
fim_unsubscribe(fim_subscriber_fn fn, void *arg)
{
	pthread_mutex_lock(&sub_lock);
	for (size_t i = 0; i < FIM_MAX_SUBSCRIBERS; i++)
		if (subs[i].fn == fn && subs[i].arg == arg)
			subs[i].fn = NULL;
	pthread_mutex_unlock(&sub_lock);
}

static void
notify_subscribers(const char *path)
{
	pthread_mutex_lock(&sub_lock);
	for (size_t i = 0; i < FIM_MAX_SUBSCRIBERS; i++)
		if (subs[i].fn)
			subs[i].fn(path, subs[i].arg);
	pthread_mutex_unlock(&sub_lock);
}

/* ---- events ---- */

static const char *
id_name(struct idname *cache, size_t *n, uint32_t id, bool group, char *tmp, size_t tmplen)
{
	char buf[4096];
	const char *name = NULL;

	for (size_t i = 0; i < *n; i++)
		if (cache[i].id == id)
			return cache[i].name;
	if (group) {
		struct group gr, *res = NULL;

		if (getgrgid_r(id, &gr, buf, sizeof(buf), &res) == 0 && res)
			name = res->gr_name;
	} else {
		struct passwd pw, *res = NULL;

		if (getpwuid_r(id, &pw, buf, sizeof(buf), &res) == 0 && res)
			name = res->pw_name;
	}
	if (name == NULL) {
		snprintf(tmp, tmplen, "%u", id);
		return tmp;	/* not cached: the account may appear later */
	}
	if (*n < 64) {
		cache[*n].id = id;
		snprintf(cache[*n].name, sizeof(cache[*n].name), "%s", name);
		return cache[(*n)++].name;
	}
	snprintf(tmp, tmplen, "%s", name);
	return tmp;
}

static const char *
type_name(uint8_t t)
{
	return t == FIM_DIR ? "dir" : t == FIM_LINK ? "symlink" : "file";
}

static json_t *
entry_json(struct fim *f, const struct fim_entry *e)
{
	char hex[65], mode[8], mtime[32], u[16], g[16];
	time_t sec = (time_t)(e->mtime_ns / 1000000000);
	struct tm tm;
	json_t *o;

	snprintf(mode, sizeof(mode), "%04o", e->mode & 07777);
	gmtime_r(&sec, &tm);
	strftime(mtime, sizeof(mtime), "%Y-%m-%dT%H:%M:%SZ", &tm);
	o = json_pack("{s:s, s:I, s:s, s:I, s:I, s:s, s:s, s:s, s:I}",
	    "type", type_name(e->type), "size", (json_int_t)e->size, "mode", mode,
	    "uid", (json_int_t)e->uid, "gid", (json_int_t)e->gid,
	    "owner", id_name(f->users, &f->nusers, e->uid, false, u, sizeof(u)),
	    "group", id_name(f->groups, &f->ngroups, e->gid, true, g, sizeof(g)),
	    "mtime", mtime, "inode", (json_int_t)e->inode);
	if (o == NULL)
		return json_null();
	if (e->flags & FIM_HAS_HASH) {
		for (int i = 0; i < 32; i++)
			snprintf(hex + 2 * i, 3, "%02x", e->sha256[i]);
		json_object_set_new(o, "sha256", json_string(hex));
	}
	if (e->target)
		json_object_set_new(o, "target", json_string(e->target));
	return o;
}

static void
flush_maybe(struct fim *f, bool force)
{
	if (f->unflushed && (force || f->unflushed >= FLUSH_EVERY)) {
		agent_flush(f->ctx);
		f->unflushed = 0;
	}
}

/* One change event; changed may be NULL (added, deleted). */
static void
emit_change(struct fim *f, const char *type, const char *path, const struct fim_entry *before,
    const struct fim_entry *after, json_t *changed)
{
	const struct fim_entry *e = after ? after : before;
	json_t *p = json_pack("{s:s, s:s, s:s, s:s, s:o, s:o}", "path", path, "key", path,
	    "severity", fim_severity(path), "file_type", type_name(e->type),
	    "before", before ? entry_json(f, before) : json_null(),
	    "after", after ? entry_json(f, after) : json_null());

	if (p && changed)
		json_object_set(p, "changed", changed);
	agent_emit(f->ctx, "fim", type, p);
	f->unflushed++;
	flush_maybe(f, false);
	if (after && after->type == FIM_FILE && strcmp(type, "fim.attributes") != 0)
		notify_subscribers(path);
}

static void
emit_unreadable(struct fim *f, const char *path, int err)
{
	f->st.unreadable++;
	if (f->unreadable_emitted >= UNREADABLE_EVENTS)
		return;
	f->unreadable_emitted++;
	agent_emit(f->ctx, "fim", "fim.unreadable", json_pack("{s:s, s:s, s:s, s:s}",
	    "path", path, "key", path, "severity", "low", "error", strerror(err)));
	f->unflushed++;
}

/* Report old → new (either may be NULL) as the right event, if any. */
static void
report(struct fim *f, const struct fim_entry *old, const struct fim_entry *new)
{
	json_t *changed;
	bool content = false, attrs = false;

	if (new && (new->flags & FIM_UNREADABLE) && !(old && (old->flags & FIM_UNREADABLE)))
		emit_unreadable(f, new->path, EACCES);
	if (!f->emit)
		return;
	if (old == NULL) {
		emit_change(f, "fim.added", new->path, NULL, new, NULL);
		return;
	}
	if (new == NULL) {
		emit_change(f, "fim.deleted", old->path, old, NULL, NULL);
		return;
	}
	changed = json_array();
	if (old->type != new->type) {
		json_array_append_new(changed, json_string("type"));
		content = true;
	}
	if (new->type == FIM_FILE && (old->size != new->size ||
	    ((old->flags & new->flags & FIM_HAS_HASH) && memcmp(old->sha256, new->sha256, 32)))) {
		json_array_append_new(changed, json_string("sha256"));
		content = true;
	}
	if (new->type == FIM_LINK && old->type == FIM_LINK &&
	    strcmp(old->target ? old->target : "", new->target ? new->target : "") != 0) {
		json_array_append_new(changed, json_string("target"));
		content = true;
	}
#define ATTR(field, name) if (old->field != new->field) { \
		json_array_append_new(changed, json_string(name)); attrs = true; }
	ATTR(mode, "mode")
	ATTR(uid, "uid")
	ATTR(gid, "gid")
	ATTR(inode, "inode")
#undef ATTR
	if (content)
		emit_change(f, "fim.modified", new->path, old, new, changed);
	else if (attrs)
		emit_change(f, "fim.attributes", new->path, old, new, changed);
	json_decref(changed);
}

/* ---- hashing ---- */

static void
rate_limit(struct fim *f, size_t n)
{
	int64_t now, due;

	if (f->max_bytes_per_s <= 0)
		return;
	now = now_ms();
	if (f->rate_start_ms == 0 || now - f->rate_start_ms > 10000) {
		f->rate_start_ms = now;
		f->rate_bytes = 0;
	}
	f->rate_bytes += n;
	due = f->rate_start_ms + (int64_t)((double)f->rate_bytes * 1000.0 / f->max_bytes_per_s);
	while (due > now && !atomic_load(&f->stop)) {
		int64_t ms = due - now > 200 ? 200 : due - now;

		usleep((useconds_t)ms * 1000);
		now = now_ms();
	}
}

/* Hash the regular file name (relative to dirfd) into e, taking its
 * metadata from the open descriptor. 0 ok, 1 it is gone or no longer the
 * regular file that was listed, -1 unreadable (errno), -2 stopping. */
static int
hash_file(struct fim *f, int dirfd, const char *name, struct fim_entry *e)
{
	int flags = O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOATIME;
	struct stat st;
	ssize_t n;
	int fd, rc = 0;

	fd = openat(dirfd, name, flags);
	if (fd < 0 && errno == EPERM)
		fd = openat(dirfd, name, flags & ~O_NOATIME);
	if (fd < 0)
		return errno == ENOENT || errno == ELOOP || errno == ENOTDIR ? 1 : -1;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || (uint64_t)st.st_ino != e->inode) {
		close(fd);
		return 1;
	}
	posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	EVP_DigestInit_ex(f->md, EVP_sha256(), NULL);
	while ((n = read(fd, f->buf, HASH_BUF)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			rc = -1;
			break;
		}
		EVP_DigestUpdate(f->md, f->buf, (size_t)n);
		f->st.hashed_bytes += (uint64_t)n;
		rate_limit(f, (size_t)n);
		if (atomic_load(&f->stop)) {
			rc = -2;
			break;
		}
	}
	if (rc == 0) {
		EVP_DigestFinal_ex(f->md, e->sha256, NULL);
		/* What was hashed is what the descriptor says now. */
		fstat(fd, &st);
		e->size = (uint64_t)st.st_size;
		e->mode = st.st_mode;
		e->uid = st.st_uid;
		e->gid = st.st_gid;
		e->mtime_ns = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
		e->ctime_ns = (int64_t)st.st_ctim.tv_sec * 1000000000 + st.st_ctim.tv_nsec;
	}
	/* Do not keep a whole tree in the page cache for the host's sake. */
	posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
	n = errno;
	close(fd);
	errno = (int)n;
	return rc;
}

/* ---- observing one path ---- */

enum obs { OBS_OK, OBS_GONE, OBS_SKIP, OBS_STOP };

/*
 * Build the current entry of path (name relative to dirfd, st its lstat),
 * compare it with the baseline, report and store it.
 */
static enum obs
observe(struct fim *f, int dirfd, const char *name, const char *path, const struct stat *st)
{
	struct fim_entry *old = fimdb_get(f->db, path), *e;
	uint8_t type;
	int rc;

	if (S_ISREG(st->st_mode))
		type = FIM_FILE;
	else if (S_ISDIR(st->st_mode))
		type = FIM_DIR;
	else if (S_ISLNK(st->st_mode))
		type = FIM_LINK;
	else {
		f->st.special++;
		return OBS_SKIP;
	}
	if ((e = fimdb_entry_new(path)) == NULL)
		return OBS_SKIP;
	e->type = type;
	e->mode = st->st_mode;
	e->uid = st->st_uid;
	e->gid = st->st_gid;
	e->inode = (uint64_t)st->st_ino;
	e->size = type == FIM_DIR ? 0 : (uint64_t)st->st_size;
	e->mtime_ns = (int64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec;
	e->ctime_ns = (int64_t)st->st_ctim.tv_sec * 1000000000 + st->st_ctim.tv_nsec;
	e->gen = f->gen;
	if (type == FIM_DIR) {
		f->st.dirs++;
	} else if (type == FIM_LINK) {
		char target[PATH_MAX];
		ssize_t n = readlinkat(dirfd, name, target, sizeof(target) - 1);

		f->st.links++;
		if (n >= 0) {
			target[n] = '\0';
			e->target = strdup(target);
		}
	} else {
		f->st.files++;
		f->st.bytes += e->size;
		if (old && old->type == FIM_FILE && (old->flags & FIM_HAS_HASH) &&
		    !(old->flags & FIM_UNREADABLE) && old->size == e->size &&
		    old->mtime_ns == e->mtime_ns && old->ctime_ns == e->ctime_ns &&
		    old->inode == e->inode) {
			memcpy(e->sha256, old->sha256, 32);
			e->flags = FIM_HAS_HASH;
		} else if ((rc = hash_file(f, dirfd, name, e)) == 0) {
			e->flags = FIM_HAS_HASH;
		} else if (rc == 1 || rc == -2) {
			fimdb_entry_free(e);
			return rc == 1 ? OBS_GONE : OBS_STOP;
		} else {
			/* Unreadable: keep what was known of its content. */
			e->flags = FIM_UNREADABLE;
			if (old && (old->flags & FIM_HAS_HASH)) {
				memcpy(e->sha256, old->sha256, 32);
				e->flags |= FIM_HAS_HASH;
				e->size = old->size;
			}
		}
	}
	report(f, old, e);
	fimdb_put(f->db, e);	/* frees old */
	f->db_changed = true;
	return OBS_OK;
}

/* ---- inotify ---- */

static void
add_watch(struct fim *f, const char *path)
{
	int wd;

	if (f->ino < 0)
		return;
	wd = inotify_add_watch(f->ino, path, WATCH_MASK);
	if (wd < 0) {
		if (errno == ENOSPC && !f->watch_full) {
			f->watch_full = true;
			log_warn("fim: inotify watch limit reached at %zu directories "
			    "(raise fs.inotify.max_user_watches); the rest is covered by rescans",
			    f->nwatches);
			agent_module_status(f->ctx, "fim", "degraded: inotify watch limit");
		}
		return;
	}
	if ((size_t)wd >= f->nwd) {
		size_t n = (size_t)wd * 2 + 64;
		char **p = realloc(f->wdpath, n * sizeof(*p));

		if (p == NULL) {
			inotify_rm_watch(f->ino, wd);
			return;
		}
		memset(p + f->nwd, 0, (n - f->nwd) * sizeof(*p));
		f->wdpath = p;
		f->nwd = n;
	}
	if (f->wdpath[wd] == NULL)
		f->nwatches++;
	free(f->wdpath[wd]);
	f->wdpath[wd] = strdup(path);
}

/* A directory moved away: its watches would report under the old name. */
static void
remove_watches_under(struct fim *f, const char *dir)
{
	for (size_t i = 0; i < f->nwd; i++)
		if (f->wdpath[i] && is_under(f->wdpath[i], dir)) {
			inotify_rm_watch(f->ino, (int)i);
			free(f->wdpath[i]);
			f->wdpath[i] = NULL;
			f->nwatches--;
		}
}

static uint64_t
hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static void
mark_dirty(struct fim *f, const char *path)
{
	int64_t now = now_ms();
	struct dirty **p, *d;

	if (f->ndirtyb == 0 || f->ndirty > f->ndirtyb * 2) {
		size_t nb = f->ndirtyb ? f->ndirtyb * 4 : 256;
		struct dirty **b = calloc(nb, sizeof(*b));

		if (b == NULL)
			return;
		for (size_t i = 0; i < f->ndirtyb; i++)
			while ((d = f->dirty[i]) != NULL) {
				f->dirty[i] = d->next;
				d->next = b[hash_str(d->path) & (nb - 1)];
				b[hash_str(d->path) & (nb - 1)] = d;
			}
		free(f->dirty);
		f->dirty = b;
		f->ndirtyb = nb;
	}
	p = &f->dirty[hash_str(path) & (f->ndirtyb - 1)];
	for (d = *p; d; d = d->next)
		if (strcmp(d->path, path) == 0) {
			d->due = now + SETTLE_MS;
			if (d->due > d->first + SETTLE_MAX_MS)
				d->due = d->first + SETTLE_MAX_MS;
			return;
		}
	if ((d = malloc(sizeof(*d) + strlen(path) + 1)) == NULL)
		return;
	memcpy(d->path, path, strlen(path) + 1);
	d->first = now;
	d->due = now + SETTLE_MS;
	d->next = *p;
	*p = d;
	f->ndirty++;
}

static void
request_rescan(struct fim *f)
{
	atomic_store(&f->rescan_req, 1);
	atomic_store(&f->idle, 0);
	if (f->wake[1] >= 0 && write(f->wake[1], "r", 1) < 0) {
		/* The pipe is full: a wake-up is already pending. */
	}
}

/* Read what inotify has (non-blocking) into the settle queue. */
static void
drain_inotify(struct fim *f)
{
	char buf[64 * 1024] __attribute__((aligned(__alignof__(struct inotify_event))));
	char path[PATH_MAX];
	ssize_t n;

	if (f->ino < 0)
		return;
	while ((n = read(f->ino, buf, sizeof(buf))) > 0) {
		for (char *p = buf; p < buf + n;) {
			const struct inotify_event *ev = (const struct inotify_event *)p;
			const char *base;

			p += sizeof(*ev) + ev->len;
			if (ev->mask & IN_Q_OVERFLOW) {
				log_warn("fim: inotify queue overflowed; rescanning");
				request_rescan(f);
				continue;
			}
			if (ev->wd < 0 || (size_t)ev->wd >= f->nwd ||
			    (base = f->wdpath[ev->wd]) == NULL)
				continue;
			if (ev->mask & IN_IGNORED) {
				free(f->wdpath[ev->wd]);
				f->wdpath[ev->wd] = NULL;
				f->nwatches--;
				continue;
			}
			if (ev->len && ev->name[0])
				snprintf(path, sizeof(path), "%s/%s", strcmp(base, "/") ? base : "",
				    ev->name);
			else
				snprintf(path, sizeof(path), "%s", base);
			if ((ev->mask & (IN_MOVED_FROM | IN_ISDIR)) == (IN_MOVED_FROM | IN_ISDIR))
				remove_watches_under(f, path);
			if (!is_ignored(f, path))
				mark_dirty(f, path);
		}
	}
}

/* ---- walking ---- */

static bool
stopping(struct fim *f)
{
	return atomic_load(&f->stop) != 0;
}

/* Walk the directory open as dfd (taken over) whose path is path[0..len). */
static int
walk_dir(struct fim *f, int dfd, char *path, size_t len, int depth, dev_t dev)
{
	struct dirent *de;
	unsigned count = 0;
	DIR *d;

	if (f->realtime)
		add_watch(f, path);
	if ((d = fdopendir(dfd)) == NULL) {
		close(dfd);
		return 0;
	}
	while ((de = readdir(d)) != NULL) {
		size_t nl = strlen(de->d_name);
		struct stat st;
		enum obs r;

		if (de->d_name[0] == '.' && (de->d_name[1] == '\0' ||
		    (de->d_name[1] == '.' && de->d_name[2] == '\0')))
			continue;
		if (len + 1 + nl >= PATH_MAX)
			continue;
		path[len] = '/';
		memcpy(path + len + 1, de->d_name, nl + 1);
		if (len == 1 && path[0] == '/')
			memmove(path + 1, path + 2, nl + 1);
		if (is_ignored(f, path))
			continue;
		if (++count % 256 == 0)
			drain_inotify(f);
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;	/* vanished: the sweep reports it if it was known */
		r = observe(f, dirfd(d), de->d_name, path, &st);
		if (r == OBS_STOP || stopping(f)) {
			closedir(d);
			return -1;
		}
		if (r == OBS_OK && S_ISDIR(st.st_mode) && depth < MAX_DEPTH && st.st_dev == dev) {
			int cfd = openat(dirfd(d), de->d_name,
			    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

			if (cfd >= 0 && walk_dir(f, cfd, path, strlen(path), depth + 1, dev) < 0) {
				closedir(d);
				return -1;
			}
		}
		path[len] = '\0';
	}
	path[len] = '\0';
	closedir(d);
	return 0;
}

/* Observe path and, when it is a directory, everything below it. */
static int
walk_path(struct fim *f, const char *start)
{
	char path[PATH_MAX];
	struct stat st;
	int dfd;

	if (lstat(start, &st) < 0)
		return 0;
	if (observe(f, AT_FDCWD, start, start, &st) == OBS_STOP)
		return -1;
	if (!S_ISDIR(st.st_mode))
		return 0;
	dfd = open(start, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd < 0)
		return 0;
	snprintf(path, sizeof(path), "%s", start);
	return walk_dir(f, dfd, path, strlen(path), 0, st.st_dev);
}

struct sweep_arg {
	struct fim *f;
	const struct fimdb *gone_dirs;	/* keep: entries below none of these */
};

static bool
under_root(const struct fim *f, const char *path)
{
	for (size_t i = 0; i < f->nroots; i++)
		if (is_under(path, f->roots[i]))
			return true;
	return false;
}

static int
keep_seen(const struct fim_entry *e, void *arg)
{
	struct fim *f = ((struct sweep_arg *)arg)->f;

	return e->gen == f->gen;
}

static void
report_gone(const struct fim_entry *e, void *arg)
{
	struct fim *f = ((struct sweep_arg *)arg)->f;

	/* Entries of paths no longer in the policy go silently. */
	if (under_root(f, e->path))
		report(f, e, NULL);
}

/* A full scan of every root; roots without a baseline are baselined
 * silently and summarised in one fim.baseline event. */
static void
full_scan(struct fim *f)
{
	struct sweep_arg sa = { f, NULL };
	int64_t t0 = now_ms();
	json_t *fresh = json_array();
	bool stopped = false;

	f->gen++;
	memset(&f->st, 0, sizeof(f->st));
	f->unreadable_emitted = 0;
	for (size_t i = 0; i < f->nroots && !stopped; i++) {
		f->emit = fimdb_has_root(f->db, f->roots[i]);
		if (!f->emit)
			json_array_append_new(fresh, json_string(f->roots[i]));
		stopped = walk_path(f, f->roots[i]) < 0;
	}
	f->emit = true;
	if (stopped) {
		/* Not swept: what was not seen yet is not gone. */
		json_decref(fresh);
		return;
	}
	fimdb_sweep(f->db, keep_seen, report_gone, &sa);
	fimdb_set_roots(f->db, f->roots, f->nroots);
	f->db_changed = true;
	if (json_array_size(fresh) > 0) {
		agent_emit(f->ctx, "fim", "fim.baseline", json_pack(
		    "{s:o, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "paths", fresh,
		    "files", (json_int_t)f->st.files, "dirs", (json_int_t)f->st.dirs,
		    "symlinks", (json_int_t)f->st.links, "bytes", (json_int_t)f->st.bytes,
		    "hashed_bytes", (json_int_t)f->st.hashed_bytes,
		    "unreadable", (json_int_t)f->st.unreadable,
		    "special_skipped", (json_int_t)f->st.special,
		    "duration_ms", (json_int_t)(now_ms() - t0)));
		f->unflushed++;
	} else {
		json_decref(fresh);
	}
	flush_maybe(f, true);
	log_info("fim: scanned %llu files, %llu dirs, %llu symlinks in %lld ms (%llu MB hashed)",
	    (unsigned long long)f->st.files, (unsigned long long)f->st.dirs,
	    (unsigned long long)f->st.links, (long long)(now_ms() - t0),
	    (unsigned long long)(f->st.hashed_bytes >> 20));
}

static int
keep_not_below(const struct fim_entry *e, void *arg)
{
	const struct fimdb *gone = ((struct sweep_arg *)arg)->gone_dirs;
	char buf[PATH_MAX];
	char *slash;

	if (e->pathlen >= sizeof(buf))
		return 1;
	memcpy(buf, e->path, (size_t)e->pathlen + 1);
	while ((slash = strrchr(buf, '/')) != NULL && slash != buf) {
		*slash = '\0';
		if (fimdb_get(gone, buf))
			return 0;
	}
	return 1;
}

/* Examine one settled path. A vanished directory is added to gone_dirs
 * so its remaining children are swept in one pass. */
static void
check_path(struct fim *f, const char *path, struct fimdb *gone_dirs)
{
	struct fim_entry *old = fimdb_get(f->db, path);
	bool was_dir = old && old->type == FIM_DIR;
	struct stat st;
	enum obs r = OBS_GONE;

	if (!under_root(f, path) || is_ignored(f, path))
		return;
	for (int attempt = 0; attempt < 2 && r == OBS_GONE; attempt++) {
		if (lstat(path, &st) < 0)
			break;
		r = observe(f, AT_FDCWD, path, path, &st);
	}
	if (r == OBS_OK) {
		if (S_ISDIR(st.st_mode) && !was_dir)
			walk_path(f, path);	/* new directory: watch and report its content */
		else if (!S_ISDIR(st.st_mode) && was_dir)
			fimdb_put(gone_dirs, fimdb_entry_new(path));
		return;
	}
	if (r == OBS_STOP || (old = fimdb_get(f->db, path)) == NULL)
		return;
	report(f, old, NULL);
	if (old->type == FIM_DIR) {
		struct fim_entry *g = fimdb_entry_new(path);

		if (g)
			fimdb_put(gone_dirs, g);
	}
	fimdb_del(f->db, path);
	f->db_changed = true;
}

/* Examine every path that has settled; returns the next due time or 0. */
static int64_t
process_dirty(struct fim *f)
{
	int64_t now = now_ms(), next = 0;
	struct dirty *due = NULL, *d;
	struct fimdb *gone;

	for (size_t i = 0; i < f->ndirtyb; i++) {
		struct dirty **p = &f->dirty[i];

		while ((d = *p) != NULL) {
			if (d->due <= now) {
				*p = d->next;
				d->next = due;
				due = d;
				f->ndirty--;
				continue;
			}
			if (next == 0 || d->due < next)
				next = d->due;
			p = &d->next;
		}
	}
	if (due == NULL)
		return next;
	gone = fimdb_new();
	while ((d = due) != NULL) {
		due = d->next;
		if (gone && !stopping(f))
			check_path(f, d->path, gone);
		free(d);
	}
	if (gone && fimdb_count(gone) > 0) {
		struct sweep_arg sa = { f, gone };

		fimdb_sweep(f->db, keep_not_below, report_gone, &sa);
		f->db_changed = true;
	}
	fimdb_free(gone);
	flush_maybe(f, true);
	return next;
}

static void
save_db(struct fim *f)
{
	char err[512];

	if (fimdb_save(f->db, f->dbpath, err, sizeof(err)) < 0) {
		log_err("fim: %s", err);
		return;
	}
	f->db_changed = false;
	f->saved_ms = now_ms();
}

static void
lower_priority(void)
{
	pid_t tid = (pid_t)syscall(SYS_gettid);

	/* Per thread on Linux: only the worker yields. */
	if (setpriority(PRIO_PROCESS, (id_t)tid, 10) < 0)
		log_debug("fim: setpriority: %s", strerror(errno));
#ifdef SYS_ioprio_set
	/* IOPRIO_WHO_PROCESS, best-effort class (2) at its lowest level (7). */
	if (syscall(SYS_ioprio_set, 1, tid, (2 << 13) | 7) < 0)
		log_debug("fim: ioprio_set: %s", strerror(errno));
#endif
}

static void *
worker(void *arg)
{
	struct fim *f = arg;
	char err[512];
	char c[64];

	lower_priority();
	if (fimdb_load(f->dbpath, &f->db, err, sizeof(err)) < 0) {
		if (errno != ENOENT)
			log_warn("fim: %s; taking a new baseline", err);
		f->db = fimdb_new();
		if (f->db == NULL) {
			log_err("fim: out of memory");
			agent_module_status(f->ctx, "fim", "failed: out of memory");
			return NULL;
		}
	}
	agent_module_status(f->ctx, "fim", "scanning");
	full_scan(f);
	if (f->db_changed && !stopping(f))
		save_db(f);
	agent_module_status(f->ctx, "fim", f->watch_full ? "degraded: inotify watch limit" :
	    "running");
	while (!stopping(f)) {
		struct pollfd pfd[2] = { { f->wake[0], POLLIN, 0 }, { f->ino, POLLIN, 0 } };
		int64_t next = process_dirty(f), timeout = -1, now = now_ms();

		if (next)
			timeout = next > now ? next - now : 0;
		if (f->db_changed) {
			int64_t save_in = f->saved_ms + SAVE_EVERY_MS - now;

			if (save_in <= 0) {
				save_db(f);
			} else if (timeout < 0 || save_in < timeout) {
				timeout = save_in;
			}
		}
		atomic_store(&f->idle, next == 0 && !atomic_load(&f->rescan_req));
		if (poll(pfd, f->ino >= 0 ? 2 : 1, (int)timeout) < 0 && errno != EINTR)
			break;
		if (pfd[0].revents & POLLIN)
			while (read(f->wake[0], c, sizeof(c)) > 0)
				;
		if (stopping(f))
			break;
		drain_inotify(f);
		if (atomic_exchange(&f->rescan_req, 0))
			full_scan(f);
	}
	if (f->db_changed)
		save_db(f);
	return NULL;
}

/* ---- module ---- */

static void
on_rescan_timer(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	request_rescan(arg);
}

void
fim_rescan(void *state)
{
	if (state)
		request_rescan(state);
}

bool
fim_is_idle(void *state)
{
	struct fim *f = state;

	return f && atomic_load(&f->idle);
}

static void
free_strv(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static void
fim_free(struct fim *f)
{
	struct dirty *d;

	if (f == NULL)
		return;
	if (f->timer)
		event_free(f->timer);
	free_strv(f->roots, f->nroots);
	free_strv(f->ignore, f->nignore);
	for (size_t i = 0; i < f->nwd; i++)
		free(f->wdpath[i]);
	free(f->wdpath);
	for (size_t i = 0; i < f->ndirtyb; i++)
		while ((d = f->dirty[i]) != NULL) {
			f->dirty[i] = d->next;
			free(d);
		}
	free(f->dirty);
	if (f->ino >= 0)
		close(f->ino);
	if (f->wake[0] >= 0)
		close(f->wake[0]);
	if (f->wake[1] >= 0)
		close(f->wake[1]);
	EVP_MD_CTX_free(f->md);
	free(f->buf);
	fimdb_free(f->db);
	free(f);
}

/* Resolve, de-duplicate and un-nest the policy's paths: /bin → /usr/bin on
 * merged-/usr systems is watched once, under its real name. */
static int
add_root(struct fim *f, const char *p)
{
	char real[PATH_MAX], *copy;

	if (p == NULL || p[0] != '/') {
		log_warn("fim: ignoring path %s: paths must be absolute", p ? p : "(not a string)");
		return 0;
	}
	if (realpath(p, real) == NULL)
		snprintf(real, sizeof(real), "%s", p);	/* missing now; rescans look again */
	for (size_t i = 0; i < f->nroots; i++) {
		if (is_under(real, f->roots[i]))
			return 0;
		if (is_under(f->roots[i], real)) {
			free(f->roots[i]);
			f->roots[i] = f->roots[--f->nroots];
			i--;
		}
	}
	if (f->nroots >= MAX_ROOTS || (copy = strdup(real)) == NULL)
		return -1;
	f->roots[f->nroots++] = copy;
	return 0;
}

static int
parse_policy(struct fim *f, const json_t *policy)
{
	const json_t *paths = json_object_get(policy, "paths"), *v;
	const json_t *ignore = json_object_get(policy, "ignore");
	const json_t *rescan = json_object_get(policy, "rescan_minutes");
	const json_t *rt = json_object_get(policy, "realtime");
	size_t i;

	f->roots = calloc(MAX_ROOTS, sizeof(char *));
	f->ignore = calloc(MAX_IGNORE + 2, sizeof(char *));
	if (f->roots == NULL || f->ignore == NULL)
		return -1;
	json_array_foreach(paths, i, v)
		if (add_root(f, json_string_value(v)) < 0) {
			log_warn("fim: more than %d paths; the rest are ignored", MAX_ROOTS);
			break;
		}
	if (f->nroots == 0) {
		log_err("fim: the policy names no usable path (\"paths\": [\"/etc\", ...])");
		return -1;
	}
	json_array_foreach(ignore, i, v) {
		if (f->nignore >= MAX_IGNORE)
			break;
		if (json_is_string(v) && (f->ignore[f->nignore] = strdup(json_string_value(v))))
			f->nignore++;
	}
	/* Our own state (the baseline file, the queue) must not feed back. */
	if (f->ctx->paths && f->ctx->paths->dir[0]) {
		char real[PATH_MAX], pat[PATH_MAX + 3];

		if (realpath(f->ctx->paths->dir, real) == NULL)
			snprintf(real, sizeof(real), "%s", f->ctx->paths->dir);
		snprintf(pat, sizeof(pat), "%s", real);
		f->ignore[f->nignore++] = strdup(pat);
		snprintf(pat, sizeof(pat), "%s/*", real);
		f->ignore[f->nignore++] = strdup(pat);
		if (f->ignore[f->nignore - 1] == NULL || f->ignore[f->nignore - 2] == NULL)
			return -1;
	}
	f->rescan_minutes = json_is_integer(rescan) ? (long)json_integer_value(rescan) : 720;
	if (f->rescan_minutes < 0)
		f->rescan_minutes = 0;
	f->max_bytes_per_s = json_number_value(json_object_get(policy, "max_mb_per_s")) *
	    1024.0 * 1024.0;
	f->realtime = rt == NULL || json_is_true(rt);
	return 0;
}

int
fim_start(struct agent_ctx *ctx, const json_t *policy, void **state)
{
	struct fim *f = calloc(1, sizeof(*f));

	if (f == NULL)
		return -1;
	f->ctx = ctx;
	f->ino = f->wake[0] = f->wake[1] = -1;
	if (parse_policy(f, policy) < 0)
		goto fail;
	if ((size_t)snprintf(f->dbpath, sizeof(f->dbpath), "%s/fim.db", ctx->paths->dir) >=
	    sizeof(f->dbpath)) {
		log_err("fim: state directory path too long");
		goto fail;
	}
	if ((f->md = EVP_MD_CTX_new()) == NULL || (f->buf = malloc(HASH_BUF)) == NULL ||
	    pipe2(f->wake, O_CLOEXEC | O_NONBLOCK) < 0)
		goto fail;
	if (f->realtime && (f->ino = inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) < 0)
		log_warn("fim: inotify unavailable (%s); changes are found by rescans only",
		    strerror(errno));
	if (f->rescan_minutes > 0) {
		struct timeval every = { f->rescan_minutes * 60, 0 };

		f->timer = event_new(ctx->base, -1, EV_PERSIST, on_rescan_timer, f);
		if (f->timer == NULL || event_add(f->timer, &every) < 0)
			goto fail;
	}
	if (pthread_create(&f->thread, NULL, worker, f) != 0) {
		log_err("fim: cannot start the worker thread");
		goto fail;
	}
	f->started = true;
	log_info("fim: watching %zu paths (%s), rescan every %ld min, hashing cap %s",
	    f->nroots, f->realtime && f->ino >= 0 ? "inotify" : "rescans only",
	    f->rescan_minutes, f->max_bytes_per_s > 0 ? "set" : "none");
	*state = f;
	return 0;
fail:
	fim_free(f);
	return -1;
}

void
fim_stop(struct agent_ctx *ctx, void *state)
{
	struct fim *f = state;

	(void)ctx;
	if (f == NULL)
		return;
	if (f->started) {
		atomic_store(&f->stop, 1);
		if (write(f->wake[1], "s", 1) < 0) {
			/* full pipe: the worker wakes anyway */
		}
		pthread_join(f->thread, NULL);
	}
	fim_free(f);
}
