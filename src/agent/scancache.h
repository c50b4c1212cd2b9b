/*
 * scancache: which files were found clean, so that a rescan of an
 * unchanged tree costs a stat per file instead of a read and a match. A
 * file is known by (device, inode) and counts as unchanged while its size,
 * mtime and ctime (nanoseconds) are those it had when scanned. ctime cannot
 * be set from user space, so resetting mtime after a change does not hide
 * it. The whole cache belongs to one rules version: loading a cache made
 * with other rules gives an empty cache. Kept on disk in the state
 * directory (atomic replace) so that restarts keep it. Thread-safe.
 */
#ifndef YS_SCANCACHE_H
#define YS_SCANCACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

struct scancache;

struct scancache *scancache_new(const char *rules_version);
void scancache_free(struct scancache *c);

/* Load path if it was written for the same rules version. 0 loaded, -1
 * absent, unreadable or for other rules (the cache stays empty). */
int scancache_load(struct scancache *c, const char *path);
int scancache_save(struct scancache *c, const char *path, char *err, size_t errlen);

/* Is the file with this stat known clean? A hit marks it seen. */
bool scancache_hit(struct scancache *c, const struct stat *st);
/* Record the file with this stat as clean (and seen). */
void scancache_put(struct scancache *c, const struct stat *st);
/* A sweep: entries neither hit nor put between begin and end are dropped
 * (files that were deleted or lie outside the scanned trees). */
void scancache_sweep_begin(struct scancache *c);
void scancache_sweep_end(struct scancache *c);
size_t scancache_size(struct scancache *c);

#endif
