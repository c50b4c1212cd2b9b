/*
 * scancache: an open-addressing hash table on (dev, ino) under one mutex.
 * File format: "YSMCACHE", u32 format, u32 entry count low, u32 high,
 * u32 reserved, 64 hex characters of rules version, then 40-byte entries
 * (dev, ino, size, mtime ns, ctime ns), host byte order (the cache never
 * leaves the host).
 */
#include "scancache.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAGIC "YSMCACHE"
#define FORMAT 1
#define VERSION_LEN 64

struct entry {
	uint64_t dev, ino;
	int64_t size, mtime, ctime;
	uint32_t gen;		/* sweep generation last seen */
	uint32_t used;
};

struct disk_entry {
	uint64_t dev, ino;
	int64_t size, mtime, ctime;
};

struct scancache {
	pthread_mutex_t lock;
	struct entry *tab;
	size_t cap, n;		/* cap: power of two */
	uint32_t gen;
	char version[VERSION_LEN + 1];
};

static uint64_t
mix(uint64_t dev, uint64_t ino)
{
	uint64_t h = ino * 0x9E3779B97F4A7C15ULL ^ (dev + 0x632BE59BD9B4E019ULL);

	h ^= h >> 29;
	h *= 0xBF58476D1CE4E5B9ULL;
	return h ^ (h >> 32);
}

static int64_t
ns(const struct timespec *t)
{
	return (int64_t)t->tv_sec * 1000000000 + t->tv_nsec;
}

static struct entry *
slot(struct entry *tab, size_t cap, uint64_t dev, uint64_t ino)
{
	size_t i = mix(dev, ino) & (cap - 1);

	while (tab[i].used && (tab[i].dev != dev || tab[i].ino != ino))
		i = (i + 1) & (cap - 1);
	return &tab[i];
}

static int
grow(struct scancache *c, size_t cap)
{
	struct entry *tab = calloc(cap, sizeof(*tab));

	if (tab == NULL)
		return -1;
	for (size_t i = 0; i < c->cap; i++)
		if (c->tab[i].used)
			*slot(tab, cap, c->tab[i].dev, c->tab[i].ino) = c->tab[i];
	free(c->tab);
	c->tab = tab;
	c->cap = cap;
	return 0;
}

struct scancache *
scancache_new(const char *rules_version)
{
	struct scancache *c = calloc(1, sizeof(*c));

	if (c == NULL)
		return NULL;
	c->cap = 1024;
	c->tab = calloc(c->cap, sizeof(*c->tab));
	if (c->tab == NULL) {
		free(c);
		return NULL;
	}
	snprintf(c->version, sizeof(c->version), "%s", rules_version ? rules_version : "");
	pthread_mutex_init(&c->lock, NULL);
	return c;
}

void
scancache_free(struct scancache *c)
{
	if (c == NULL)
		return;
	pthread_mutex_destroy(&c->lock);
	free(c->tab);
	free(c);
}

static void
put_locked(struct scancache *c, const struct disk_entry *d)
{
	struct entry *e;

	if ((c->n + 1) * 10 > c->cap * 7 && grow(c, c->cap * 2) < 0)
		return;	/* out of memory: the file is simply scanned again */
	e = slot(c->tab, c->cap, d->dev, d->ino);
	if (!e->used)
		c->n++;
	*e = (struct entry){ d->dev, d->ino, d->size, d->mtime, d->ctime, c->gen, 1 };
}

static struct disk_entry
key_of(const struct stat *st)
{
	return (struct disk_entry){ (uint64_t)st->st_dev, (uint64_t)st->st_ino,
		(int64_t)st->st_size, ns(&st->st_mtim), ns(&st->st_ctim) };
}

bool
scancache_hit(struct scancache *c, const struct stat *st)
{
	struct disk_entry k = key_of(st);
	struct entry *e;
	bool hit;

	pthread_mutex_lock(&c->lock);
	e = slot(c->tab, c->cap, k.dev, k.ino);
	hit = e->used && e->size == k.size && e->mtime == k.mtime && e->ctime == k.ctime;
	if (hit)
		e->gen = c->gen;
	pthread_mutex_unlock(&c->lock);
	return hit;
}

void
scancache_put(struct scancache *c, const struct stat *st)
{
	struct disk_entry k = key_of(st);

	pthread_mutex_lock(&c->lock);
	put_locked(c, &k);
	pthread_mutex_unlock(&c->lock);
}

void
scancache_sweep_begin(struct scancache *c)
{
	pthread_mutex_lock(&c->lock);
	c->gen++;
	pthread_mutex_unlock(&c->lock);
}

void
scancache_sweep_end(struct scancache *c)
{
	struct entry *old;
	size_t cap;

	pthread_mutex_lock(&c->lock);
	old = c->tab;
	cap = c->cap;
	c->tab = calloc(cap, sizeof(*c->tab));
	if (c->tab == NULL) {
		c->tab = old;
		pthread_mutex_unlock(&c->lock);
		return;
	}
	c->n = 0;
	for (size_t i = 0; i < cap; i++) {
		if (old[i].used && old[i].gen == c->gen) {
			*slot(c->tab, cap, old[i].dev, old[i].ino) = old[i];
			c->n++;
		}
	}
	free(old);
	pthread_mutex_unlock(&c->lock);
}

size_t
scancache_size(struct scancache *c)
{
	size_t n;

	pthread_mutex_lock(&c->lock);
	n = c->n;
	pthread_mutex_unlock(&c->lock);
	return n;
}

struct header {
	char magic[8];
	uint32_t format;
	uint32_t count_lo, count_hi;
	uint32_t reserved;
	char version[VERSION_LEN];
};

int
scancache_load(struct scancache *c, const char *path)
{
	struct header h;
	struct disk_entry *buf = NULL;
	uint64_t count;
	struct stat st;
	FILE *f = fopen(path, "rbe");
	int rc = -1;

	if (f == NULL)
		return -1;
	if (fread(&h, sizeof(h), 1, f) != 1 || memcmp(h.magic, MAGIC, 8) != 0 ||
	    h.format != FORMAT || strlen(c->version) != VERSION_LEN ||
	    memcmp(h.version, c->version, VERSION_LEN) != 0 || fstat(fileno(f), &st) < 0)
		goto out;
	count = (uint64_t)h.count_hi << 32 | h.count_lo;
	/* The size must agree exactly: a torn or foreign file is ignored. */
	if ((uint64_t)st.st_size != sizeof(h) + count * sizeof(struct disk_entry))
		goto out;
	buf = malloc(4096 * sizeof(*buf));
	if (buf == NULL)
		goto out;
	pthread_mutex_lock(&c->lock);
	while (count > 0) {
		size_t want = count > 4096 ? 4096 : (size_t)count;

		if (fread(buf, sizeof(*buf), want, f) != want)
			break;
		for (size_t i = 0; i < want; i++)
			put_locked(c, &buf[i]);
		count -= want;
	}
	pthread_mutex_unlock(&c->lock);
	rc = count == 0 ? 0 : -1;
out:
	free(buf);
	fclose(f);
	return rc;
}

int
scancache_save(struct scancache *c, const char *path, char *err, size_t errlen)
{
	char tmp[4200];
	struct header h = { .format = FORMAT };
	struct disk_entry d;
	FILE *f;
	int fd, ok;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0 || (f = fdopen(fd, "wb")) == NULL) {
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	memcpy(h.magic, MAGIC, 8);
	memcpy(h.version, c->version, strlen(c->version) < VERSION_LEN ? strlen(c->version) :
	    VERSION_LEN);
	pthread_mutex_lock(&c->lock);
	h.count_lo = (uint32_t)c->n;
	h.count_hi = (uint32_t)((uint64_t)c->n >> 32);
	ok = fwrite(&h, sizeof(h), 1, f) == 1;
	for (size_t i = 0; ok && i < c->cap; i++) {
		if (!c->tab[i].used)
			continue;
		d = (struct disk_entry){ c->tab[i].dev, c->tab[i].ino, c->tab[i].size,
			c->tab[i].mtime, c->tab[i].ctime };
		ok = fwrite(&d, sizeof(d), 1, f) == 1;
	}
	pthread_mutex_unlock(&c->lock);
	ok = ok && fflush(f) == 0 && fsync(fileno(f)) == 0;
	if (fclose(f) != 0)
		ok = 0;
	if (!ok || rename(tmp, path) < 0) {
		snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}
