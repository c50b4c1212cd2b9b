/*
 * fimdb: the FIM baseline table and its file (see fimdb.h). The file is
 *
 *   "YSFIMDB1" u32 nroots u64 count
 *   nroots × (u16 len, bytes)
 *   count × (u16 pathlen, u16 targetlen, u8 type, u8 flags, u32 mode, uid,
 *            gid, u64 size, inode, i64 mtime_ns, ctime_ns, sha256[32],
 *            path, target)
 *   sha256 of everything before it
 *
 * About 100 bytes per file plus its path, in memory and on disk.
 */
#include "fimdb.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#define MAGIC "YSFIMDB1"
#define REC_FIXED (2 + 2 + 1 + 1 + 4 * 3 + 8 * 4 + 32)

struct fimdb {
	struct fim_entry **buckets;
	size_t nbuckets, count;
	char **roots;
	size_t nroots;
};

static uint64_t
hash_path(const char *s, size_t len)
{
	uint64_t h = 1469598103934665603ULL;

	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211ULL;
	}
	return h;
}

struct fimdb *
fimdb_new(void)
{
	struct fimdb *db = calloc(1, sizeof(*db));

	if (db == NULL)
		return NULL;
	db->nbuckets = 1024;
	db->buckets = calloc(db->nbuckets, sizeof(*db->buckets));
	if (db->buckets == NULL) {
		free(db);
		return NULL;
	}
	return db;
}

static void
free_roots(struct fimdb *db)
{
	for (size_t i = 0; i < db->nroots; i++)
		free(db->roots[i]);
	free(db->roots);
	db->roots = NULL;
	db->nroots = 0;
}

void
fimdb_free(struct fimdb *db)
{
	if (db == NULL)
		return;
	for (size_t i = 0; i < db->nbuckets; i++) {
		struct fim_entry *e = db->buckets[i], *next;

		for (; e; e = next) {
			next = e->next;
			fimdb_entry_free(e);
		}
	}
	free(db->buckets);
	free_roots(db);
	free(db);
}

size_t
fimdb_count(const struct fimdb *db)
{
	return db->count;
}

struct fim_entry *
fimdb_entry_new(const char *path)
{
	size_t len = strlen(path);
	struct fim_entry *e;

	if (len > UINT16_MAX)
		return NULL;
	e = calloc(1, sizeof(*e) + len + 1);
	if (e == NULL)
		return NULL;
	e->pathlen = (uint16_t)len;
	memcpy(e->path, path, len + 1);
	return e;
}

void
fimdb_entry_free(struct fim_entry *e)
{
	if (e == NULL)
		return;
	free(e->target);
	free(e);
}

static struct fim_entry **
slot(const struct fimdb *db, const char *path, size_t len)
{
	struct fim_entry **p = &db->buckets[hash_path(path, len) & (db->nbuckets - 1)];

	for (; *p; p = &(*p)->next)
		if ((*p)->pathlen == len && memcmp((*p)->path, path, len) == 0)
			break;
	return p;
}

struct fim_entry *
fimdb_get(const struct fimdb *db, const char *path)
{
	return *slot(db, path, strlen(path));
}

static void
grow(struct fimdb *db)
{
	size_t n = db->nbuckets * 2;
	struct fim_entry **b = calloc(n, sizeof(*b));

	if (b == NULL)
		return;		/* longer chains, still correct */
	for (size_t i = 0; i < db->nbuckets; i++) {
		struct fim_entry *e = db->buckets[i], *next;

		for (; e; e = next) {
			size_t h = hash_path(e->path, e->pathlen) & (n - 1);

			next = e->next;
			e->next = b[h];
			b[h] = e;
		}
	}
	free(db->buckets);
	db->buckets = b;
	db->nbuckets = n;
}

void
fimdb_put(struct fimdb *db, struct fim_entry *e)
{
	struct fim_entry **p = slot(db, e->path, e->pathlen);

	if (*p) {
		e->next = (*p)->next;
		fimdb_entry_free(*p);
		*p = e;
		return;
	}
	e->next = NULL;
	*p = e;
	if (++db->count > db->nbuckets)
		grow(db);
}

void
fimdb_del(struct fimdb *db, const char *path)
{
	struct fim_entry **p = slot(db, path, strlen(path)), *e = *p;

	if (e == NULL)
		return;
	*p = e->next;
	fimdb_entry_free(e);
	db->count--;
}

int
fimdb_each(const struct fimdb *db, int (*fn)(struct fim_entry *e, void *arg), void *arg)
{
	for (size_t i = 0; i < db->nbuckets; i++)
		for (struct fim_entry *e = db->buckets[i]; e; e = e->next) {
			int rc = fn(e, arg);

			if (rc)
				return rc;
		}
	return 0;
}

size_t
fimdb_sweep(struct fimdb *db, int (*keep)(const struct fim_entry *e, void *arg),
    void (*gone)(const struct fim_entry *e, void *arg), void *arg)
{
	size_t n = 0;

	for (size_t i = 0; i < db->nbuckets; i++) {
		struct fim_entry **p = &db->buckets[i];

		while (*p) {
			struct fim_entry *e = *p;

			if (keep(e, arg)) {
				p = &e->next;
				continue;
			}
			if (gone)
				gone(e, arg);
			*p = e->next;
			fimdb_entry_free(e);
			db->count--;
			n++;
		}
	}
	return n;
}

int
fimdb_set_roots(struct fimdb *db, char *const *roots, size_t n)
{
	char **r = calloc(n ? n : 1, sizeof(*r));

	if (r == NULL)
		return -1;
	for (size_t i = 0; i < n; i++)
		if ((r[i] = strdup(roots[i])) == NULL) {
			while (i--)
				free(r[i]);
			free(r);
			return -1;
		}
	free_roots(db);
	db->roots = r;
	db->nroots = n;
	return 0;
}

int
fimdb_has_root(const struct fimdb *db, const char *root)
{
	for (size_t i = 0; i < db->nroots; i++)
		if (strcmp(db->roots[i], root) == 0)
			return 1;
	return 0;
}

/* Buffered writer that hashes what it writes. */
struct wr {
	FILE *f;
	EVP_MD_CTX *md;
	int failed;
};

static void
put(struct wr *w, const void *p, size_t n)
{
	if (w->failed)
		return;
	if (fwrite(p, 1, n, w->f) != n || EVP_DigestUpdate(w->md, p, n) != 1)
		w->failed = 1;
}

struct save_arg {
	struct wr *w;
};

static int
save_entry(struct fim_entry *e, void *arg)
{
	struct wr *w = ((struct save_arg *)arg)->w;
	uint16_t tl = e->target ? (uint16_t)strlen(e->target) : 0;
	unsigned char rec[REC_FIXED], *p = rec;

#define PUT(v) do { memcpy(p, &(v), sizeof(v)); p += sizeof(v); } while (0)
	PUT(e->pathlen);
	PUT(tl);
	PUT(e->type);
	PUT(e->flags);
	PUT(e->mode);
	PUT(e->uid);
	PUT(e->gid);
	PUT(e->size);
	PUT(e->inode);
	PUT(e->mtime_ns);
	PUT(e->ctime_ns);
	memcpy(p, e->sha256, 32);
#undef PUT
	put(w, rec, sizeof(rec));
	put(w, e->path, e->pathlen);
	if (tl)
		put(w, e->target, tl);
	return w->failed;
}

int
fimdb_save(const struct fimdb *db, const char *path, char *err, size_t errlen)
{
	char tmp[1024], dir[1024];
	struct wr w = { 0 };
	struct save_arg sa = { &w };
	unsigned char sum[32];
	uint32_t nroots = (uint32_t)db->nroots;
	uint64_t count = db->count;
	int fd = -1, dfd;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= sizeof(tmp)) {
		snprintf(err, errlen, "fimdb: path too long: %s", path);
		return -1;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || (w.f = fdopen(fd, "wb")) == NULL) {
		snprintf(err, errlen, "fimdb: cannot create %s: %s", tmp, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	setvbuf(w.f, NULL, _IOFBF, 1 << 20);
	w.md = EVP_MD_CTX_new();
	if (w.md == NULL || EVP_DigestInit_ex(w.md, EVP_sha256(), NULL) != 1)
		w.failed = 1;
	put(&w, MAGIC, 8);
	put(&w, &nroots, sizeof(nroots));
	put(&w, &count, sizeof(count));
	for (size_t i = 0; i < db->nroots; i++) {
		uint16_t l = (uint16_t)strlen(db->roots[i]);

		put(&w, &l, sizeof(l));
		put(&w, db->roots[i], l);
	}
	fimdb_each(db, save_entry, &sa);
	if (!w.failed && EVP_DigestFinal_ex(w.md, sum, NULL) == 1) {
		if (fwrite(sum, 1, 32, w.f) != 32)
			w.failed = 1;
	} else {
		w.failed = 1;
	}
	EVP_MD_CTX_free(w.md);
	if (fflush(w.f) != 0 || fsync(fileno(w.f)) != 0)
		w.failed = 1;
	if (fclose(w.f) != 0)
		w.failed = 1;
	if (w.failed || rename(tmp, path) != 0) {
		snprintf(err, errlen, "fimdb: cannot write %s: %s", tmp, strerror(errno));
		unlink(tmp);
		return -1;
	}
	snprintf(dir, sizeof(dir), "%s", path);
	if ((dfd = open(dirname(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
		fsync(dfd);
		close(dfd);
	}
	return 0;
}

int
fimdb_load(const char *path, struct fimdb **out, char *err, size_t errlen)
{
	struct fimdb *db = NULL;
	unsigned char *buf = NULL, sum[32];
	const unsigned char *p, *end;
	struct stat st;
	uint32_t nroots;
	uint64_t count;
	size_t got = 0;
	int fd;

	*out = NULL;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		int saved = errno;

		snprintf(err, errlen, "fimdb: %s: %s", path, strerror(saved));
		errno = saved;
		return -1;
	}
	if (fstat(fd, &st) < 0 || st.st_size < 8 + 4 + 8 + 32 ||
	    (buf = malloc((size_t)st.st_size)) == NULL) {
		snprintf(err, errlen, "fimdb: %s: too short or out of memory", path);
		close(fd);
		return -1;
	}
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);

		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	if (got != (size_t)st.st_size)
		goto damaged;
	end = buf + got - 32;
	if (EVP_Digest(buf, got - 32, sum, NULL, EVP_sha256(), NULL) != 1 ||
	    memcmp(sum, end, 32) != 0 || memcmp(buf, MAGIC, 8) != 0)
		goto damaged;
	p = buf + 8;
	memcpy(&nroots, p, 4);
	memcpy(&count, p + 4, 8);
	p += 12;
	if ((db = fimdb_new()) == NULL || nroots > 4096)
		goto damaged;
	db->roots = calloc(nroots ? nroots : 1, sizeof(char *));
	if (db->roots == NULL)
		goto damaged;
	for (uint32_t i = 0; i < nroots; i++) {
		uint16_t l;

		if (end - p < 2)
			goto damaged;
		memcpy(&l, p, 2);
		p += 2;
		if (end - p < l || (db->roots[i] = strndup((const char *)p, l)) == NULL)
			goto damaged;
		db->nroots++;
		p += l;
	}
	for (uint64_t i = 0; i < count; i++) {
		struct fim_entry *e;
		uint16_t pl, tl;

		if (end - p < REC_FIXED)
			goto damaged;
		memcpy(&pl, p, 2);
		memcpy(&tl, p + 2, 2);
		if (end - p < REC_FIXED + pl + tl || pl == 0 ||
		    (e = calloc(1, sizeof(*e) + pl + 1)) == NULL)
			goto damaged;
		p += 4;
#define GET(v) do { memcpy(&(v), p, sizeof(v)); p += sizeof(v); } while (0)
		GET(e->type);
		GET(e->flags);
		GET(e->mode);
		GET(e->uid);
		GET(e->gid);
		GET(e->size);
		GET(e->inode);
		GET(e->mtime_ns);
		GET(e->ctime_ns);
#undef GET
		memcpy(e->sha256, p, 32);
		p += 32;
		e->pathlen = pl;
		memcpy(e->path, p, pl);
		p += pl;
		if (tl && (e->target = strndup((const char *)p, tl)) == NULL) {
			free(e);
			goto damaged;
		}
		p += tl;
		fimdb_put(db, e);
	}
	if (p != end)
		goto damaged;
	free(buf);
	*out = db;
	return 0;
damaged:
	snprintf(err, errlen, "fimdb: %s is damaged or of another format", path);
	free(buf);
	fimdb_free(db);
	errno = EINVAL;
	return -1;
}
