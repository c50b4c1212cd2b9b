/*
 * quarantine: a store for detected files in the agent's state directory
 * (<state>/quarantine, mode 0700). Each item is <id>.bin (the file itself,
 * mode 0600, never executable) and <id>.json (original path, mode, owner,
 * mtime, size, SHA-256, time, rules). Items are restorable: the file goes
 * back with its original metadata, but only into the very directory it
 * came from, reached without following any symlink, and never over
 * anything that now exists at its path.
 *
 * Hostile paths: the file is opened with O_NOFOLLOW and must be the inode
 * that was scanned with the content that was hashed; it is moved with
 * rename() (same file system) or copied, fsync'd and then unlinked only
 * after checking the name still refers to it (across file systems).
 */
#ifndef YS_QUARANTINE_H
#define YS_QUARANTINE_H

#include <stdint.h>
#include <sys/stat.h>

#include <jansson.h>

#define QUARANTINE_ID_LEN 17	/* "q" + 16 hex */

struct quarantine_item {
	char id[QUARANTINE_ID_LEN + 1];
	char path[4096];
	char sha256[65];
	int64_t size;
	unsigned mode;
};

/* Move the file at path into the store at dir (created 0700 if absent).
 * expect: the stat of the file when it was scanned (dev and inode must
 * still match); sha256: the hex digest of what was scanned (must still
 * match); rules: what matched (copied into the sidecar). 0 / -1 with err. */
int quarantine_add(const char *dir, const char *path, const struct stat *expect,
    const char *sha256, const json_t *rules, struct quarantine_item *out, char *err,
    size_t errlen);

/* Put item id back where it came from with its original mode, owner and
 * mtime. Refused when anything (file, directory, symlink) exists at the
 * original path, when a directory on the way is now a symlink, or when the
 * original directory was replaced. The item leaves the store on success. */
int quarantine_restore(const char *dir, const char *id, struct quarantine_item *out, char *err,
    size_t errlen);

/* The sidecars of every item, as an array (for status and tests). */
json_t *quarantine_list(const char *dir);

/* Is id of the form the store makes? (Guards every path built from it.) */
int quarantine_id_valid(const char *id);

#endif
