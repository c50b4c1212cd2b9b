/*
 * hostfs: reading the host's files under a root prefix. Every probe of the
 * baseline and inventory modules goes through these functions so that a
 * test can point them at a fake filesystem tree; in production the root is
 * "/". Reads are size-capped: these files are the host's, but a hostile
 * local user may have made them huge.
 */
#ifndef YS_HOSTFS_H
#define YS_HOSTFS_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#define HOSTFS_MAX_FILE (64u * 1024 * 1024)

/* out = root + path (path absolute). 0 / -1 when it does not fit. */
int hostfs_path(const char *root, const char *path, char *out, size_t outlen);
/* The whole file root+path, NUL-terminated, at most max bytes; *len gets
 * its length. NULL with errno set (EFBIG when larger than max). The caller
 * frees it. */
char *hostfs_read(const char *root, const char *path, size_t max, size_t *len);
bool hostfs_exists(const char *root, const char *path);

/* /etc/os-release (or /usr/lib/os-release) as an object of its KEY=value
 * lines with shell quoting removed; NULL when neither can be read. */
json_t *hostfs_os_release(const char *root);

/* /etc/passwd merged with /etc/shadow: an array of objects {name, uid, gid,
 * home, shell, can_login, password} where password is "set", "locked",
 * "empty" or "unknown" (never the hash). Malformed lines are skipped.
 * NULL when /etc/passwd cannot be read. */
json_t *hostfs_users(const char *root);

/* Next line of a NUL-terminated buffer: *cur advances past it, the line
 * is NUL-terminated in place (a trailing '\r' removed). NULL at the end. */
char *hostfs_next_line(char **cur);

/* Sort a JSON array in place; cmp compares two (json_t *const *). */
void hostfs_sort_array(json_t *a, int (*cmp)(const void *, const void *));

#endif
