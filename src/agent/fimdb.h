/*
 * fimdb: the file integrity baseline — one entry per watched path with its
 * type, SHA-256, size, mode, owner, times and inode — kept in memory as a
 * hash table keyed by path and saved to one compact binary file in the
 * agent's state directory. The file is written to a temporary name,
 * fsync'd and renamed over the old one, and ends with a SHA-256 of its
 * content, so a crash leaves either the old or the new baseline and a
 * damaged file is refused (the module then takes a fresh baseline).
 * Numbers are in host byte order: the file never leaves the host.
 */
#ifndef YS_FIMDB_H
#define YS_FIMDB_H

#include <stddef.h>
#include <stdint.h>

enum fim_type { FIM_FILE = 1, FIM_DIR = 2, FIM_LINK = 3 };

#define FIM_HAS_HASH	0x01	/* sha256 is the content's hash */
#define FIM_UNREADABLE	0x02	/* the last read failed; reported once */

struct fim_entry {
	struct fim_entry *next;	/* hash chain */
	uint64_t size, inode;
	int64_t mtime_ns, ctime_ns;
	uint32_t mode, uid, gid;
	uint32_t gen;		/* scan generation that last saw it (not saved) */
	uint8_t type, flags;
	uint16_t pathlen;
	uint8_t sha256[32];
	char *target;		/* symlink target, else NULL */
	char path[];
};

struct fimdb;

struct fimdb *fimdb_new(void);
void fimdb_free(struct fimdb *db);
size_t fimdb_count(const struct fimdb *db);

/* A new entry for path (fields zero, target NULL); NULL when out of memory
 * or the path is longer than 65535 bytes. Freed by fimdb_entry_free unless
 * handed to fimdb_put. */
struct fim_entry *fimdb_entry_new(const char *path);
void fimdb_entry_free(struct fim_entry *e);

struct fim_entry *fimdb_get(const struct fimdb *db, const char *path);
/* Insert e, replacing (and freeing) an entry of the same path. Takes
 * ownership of e. */
void fimdb_put(struct fimdb *db, struct fim_entry *e);
/* Remove and free the entry of path, if any. */
void fimdb_del(struct fimdb *db, const char *path);

/* Call fn for every entry; fn may not change the table. Stops when fn
 * returns non-zero and returns that value. */
int fimdb_each(const struct fimdb *db, int (*fn)(struct fim_entry *e, void *arg), void *arg);
/* Remove (and free) every entry for which keep returns 0, after calling
 * gone(e, arg) for it. Returns how many were removed. */
size_t fimdb_sweep(struct fimdb *db, int (*keep)(const struct fim_entry *e, void *arg),
    void (*gone)(const struct fim_entry *e, void *arg), void *arg);

/* The roots the baseline covers, saved with it (so paths a new policy adds
 * get a silent baseline instead of an "added" storm). */
int fimdb_set_roots(struct fimdb *db, char *const *roots, size_t n);
int fimdb_has_root(const struct fimdb *db, const char *root);

/* Save atomically (temp file, fsync, rename, fsync of the directory).
 * 0 / -1 with err. */
int fimdb_save(const struct fimdb *db, const char *path, char *err, size_t errlen);
/* Load; -1 with err when the file is missing (errno ENOENT), damaged or
 * of another format. */
int fimdb_load(const char *path, struct fimdb **out, char *err, size_t errlen);

#endif
