/*
 * quarantine: moving detected files into the store and back. Every name
 * below the store is built from an id this file made (checked by
 * quarantine_id_valid), every file is reached relative to an open
 * directory descriptor, and nothing is ever opened through a final
 * symlink. The sidecar is written (and fsync'd) before the file moves, so
 * a crash never leaves a quarantined file without its metadata.
 */
#include "quarantine.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "crypto.h"

int
quarantine_id_valid(const char *id)
{
	if (id == NULL || strlen(id) != QUARANTINE_ID_LEN || id[0] != 'q')
		return 0;
	for (size_t i = 1; i < QUARANTINE_ID_LEN; i++)
		if (!((id[i] >= '0' && id[i] <= '9') || (id[i] >= 'a' && id[i] <= 'f')))
			return 0;
	return 1;
}

static int
fail(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int
fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

/* The store's directory, made 0700 and owned by us, or -1. */
static int
open_store(const char *dir, bool create, char *err, size_t errlen)
{
	struct stat st;
	int fd;

	if (create && mkdir(dir, 0700) < 0 && errno != EEXIST)
		return fail(err, errlen, "cannot create the quarantine store %s: %s", dir,
		    strerror(errno));
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return fail(err, errlen, "cannot open the quarantine store %s: %s", dir,
		    strerror(errno));
	if (fstat(fd, &st) < 0 || st.st_uid != geteuid()) {
		close(fd);
		return fail(err, errlen, "the quarantine store %s is not owned by the agent's user",
		    dir);
	}
	if ((st.st_mode & 0777) != 0700 && fchmod(fd, 0700) < 0) {
		close(fd);
		return fail(err, errlen, "cannot make %s private: %s", dir, strerror(errno));
	}
	return fd;
}

static int
hash_fd(int fd, char hex[65])
{
	unsigned char buf[65536], dg[32];
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	off_t off = 0;
	ssize_t n;
	int rc = -1;

	if (md == NULL || EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1)
		goto out;
	while ((n = pread(fd, buf, sizeof(buf), off)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			goto out;
		}
		EVP_DigestUpdate(md, buf, (size_t)n);
		off += n;
	}
	EVP_DigestFinal_ex(md, dg, NULL);
	crypto_hex(dg, 32, hex);
	rc = 0;
out:
	EVP_MD_CTX_free(md);
	return rc;
}

static int
copy_fd(int in, int out)
{
	unsigned char buf[65536];
	off_t off = 0;
	ssize_t n;

	while ((n = pread(in, buf, sizeof(buf), off)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		for (ssize_t done = 0; done < n;) {
			ssize_t w = write(out, buf + done, (size_t)(n - done));

			if (w < 0) {
				if (errno == EINTR)
					continue;
				return -1;
			}
			done += w;
		}
		off += n;
	}
	return fsync(out);
}

/* Split an absolute path into its directory and last name. */
static int
split(const char *path, char *dir, size_t dirsz, char *base, size_t basesz)
{
	const char *slash = strrchr(path, '/');
	size_t dlen;

	if (path[0] != '/' || slash == NULL || slash[1] == '\0' || strcmp(slash + 1, ".") == 0 ||
	    strcmp(slash + 1, "..") == 0)
		return -1;
	dlen = slash == path ? 1 : (size_t)(slash - path);
	if (dlen >= dirsz || strlen(slash + 1) >= basesz)
		return -1;
	memcpy(dir, path, dlen);
	dir[dlen] = '\0';
	snprintf(base, basesz, "%s", slash + 1);
	return 0;
}

/* Open an absolute, canonical directory path one component at a time,
 * refusing symlinks and "..": what a restore may write into. */
static int
open_dir_nofollow(const char *path)
{
	char buf[4096], *save = NULL, *comp;
	int fd = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0 || path[0] != '/' || strlen(path) >= sizeof(buf)) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	snprintf(buf, sizeof(buf), "%s", path);
	for (comp = strtok_r(buf, "/", &save); comp; comp = strtok_r(NULL, "/", &save)) {
		int next;

		if (strcmp(comp, "..") == 0 || strcmp(comp, ".") == 0) {
			close(fd);
			errno = EINVAL;
			return -1;
		}
		next = openat(fd, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		close(fd);
		if (next < 0)
			return -1;
		fd = next;
	}
	return fd;
}

static int
write_sidecar(int qfd, const char *id, const json_t *meta)
{
	char name[64], tmp[64];
	char *text = json_dumps(meta, JSON_INDENT(1) | JSON_SORT_KEYS);
	size_t len = text ? strlen(text) : 0, done = 0;
	int fd, rc = -1;

	snprintf(name, sizeof(name), "%s.json", id);
	snprintf(tmp, sizeof(tmp), "%s.json.tmp", id);
	if (text == NULL)
		return -1;
	fd = openat(qfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		goto out;
	while (done < len) {
		ssize_t w = write(fd, text + done, len - done);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		done += (size_t)w;
	}
	if (done == len && fsync(fd) == 0 && close(fd) == 0) {
		fd = -1;
		rc = renameat(qfd, tmp, qfd, name);
	}
	if (fd >= 0)
		close(fd);
	if (rc < 0)
		unlinkat(qfd, tmp, 0);
out:
	free(text);
	return rc;
}

static json_t *
read_sidecar(int qfd, const char *id)
{
	char name[64];
	json_t *j;
	int fd;

	snprintf(name, sizeof(name), "%s.json", id);
	fd = openat(qfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	j = json_loadfd(fd, 0, NULL);
	close(fd);
	if (!json_is_object(j)) {
		json_decref(j);
		return NULL;
	}
	return j;
}

static bool
same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

/* Across file systems: copy into the store, then remove the original only
 * if its name still refers to the file that was copied. The original is
 * first renamed to a private name in its own directory, checked there,
 * then unlinked; anything else found is put back. */
static int
move_by_copy(int pfd, const char *base, int fd, const struct stat *st, int qfd,
    const char *id, char *err, size_t errlen)
{
	char bin[64], tmp[64], aside[96];
	struct stat now;
	int tfd;

	snprintf(bin, sizeof(bin), "%s.bin", id);
	snprintf(tmp, sizeof(tmp), "%s.bin.tmp", id);
	snprintf(aside, sizeof(aside), ".ys-quarantine-%s", id);
	tfd = openat(qfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (tfd < 0)
		return fail(err, errlen, "cannot create the quarantine copy: %s", strerror(errno));
	if (copy_fd(fd, tfd) < 0 || close(tfd) < 0 || renameat(qfd, tmp, qfd, bin) < 0) {
		int e = errno;

		unlinkat(qfd, tmp, 0);
		return fail(err, errlen, "cannot copy the file into quarantine: %s", strerror(e));
	}
	if (renameat(pfd, base, pfd, aside) < 0 ||
	    fstatat(pfd, aside, &now, AT_SYMLINK_NOFOLLOW) < 0 || !same_file(&now, st)) {
		int e = errno;

		renameat2(pfd, aside, pfd, base, RENAME_NOREPLACE);
		unlinkat(qfd, bin, 0);
		return fail(err, errlen, "the file changed while it was being quarantined%s%s",
		    e ? ": " : "", e ? strerror(e) : "");
	}
	if (unlinkat(pfd, aside, 0) < 0) {
		int e = errno;

		renameat2(pfd, aside, pfd, base, RENAME_NOREPLACE);
		unlinkat(qfd, bin, 0);
		return fail(err, errlen, "cannot remove the original: %s", strerror(e));
	}
	return 0;
}

int
quarantine_add(const char *dir, const char *path, const struct stat *expect,
    const char *sha256, const json_t *rules, struct quarantine_item *out, char *err,
    size_t errlen)
{
	char pdir[4096], base[256], canon[4096], link[64], bin[64], sidecar[64], hex[65];
	unsigned char rnd[8];
	struct stat st, moved;
	json_t *meta = NULL;
	const char *how = "rename";
	int qfd = -1, pfd = -1, fd = -1, rc = -1;
	ssize_t n;

	memset(out, 0, sizeof(*out));
	if (split(path, pdir, sizeof(pdir), base, sizeof(base)) < 0)
		return fail(err, errlen, "not an absolute file path: %s", path);
	if ((qfd = open_store(dir, true, err, errlen)) < 0)
		return -1;
	/* The directory may be reached through symlinks (/bin -> usr/bin);
	 * what matters is that the file found there is the one scanned. */
	pfd = open(pdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (pfd < 0) {
		fail(err, errlen, "cannot open %s: %s", pdir, strerror(errno));
		goto out;
	}
	fd = openat(pfd, base, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0) {
		fail(err, errlen, "cannot open %s: %s", path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode) || (expect && !same_file(&st, expect))) {
		fail(err, errlen, "%s is no longer the file that was scanned", path);
		goto out;
	}
	if (hash_fd(fd, hex) < 0 || (sha256 && strcmp(hex, sha256) != 0)) {
		fail(err, errlen, "%s changed after it was scanned", path);
		goto out;
	}
	snprintf(link, sizeof(link), "/proc/self/fd/%d", pfd);
	n = readlink(link, canon, sizeof(canon) - 1);
	if (n <= 0) {
		fail(err, errlen, "cannot resolve %s", pdir);
		goto out;
	}
	canon[n] = '\0';
	if (crypto_random(rnd, sizeof(rnd)) < 0) {
		fail(err, errlen, "no random bytes for an item id");
		goto out;
	}
	out->id[0] = 'q';
	crypto_hex(rnd, sizeof(rnd), out->id + 1);
	{
		struct stat dst;

		fstat(pfd, &dst);
		meta = json_pack("{s:s, s:s, s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I,"
		    " s:s, s:I, s:I, s:O}",
		    "id", out->id, "original_path", path, "restore_dir", canon, "name", base,
		    "dir_dev", (json_int_t)dst.st_dev, "dir_ino", (json_int_t)dst.st_ino,
		    "mode", (json_int_t)(st.st_mode & 07777), "uid", (json_int_t)st.st_uid,
		    "gid", (json_int_t)st.st_gid, "mtime_sec", (json_int_t)st.st_mtim.tv_sec,
		    "mtime_nsec", (json_int_t)st.st_mtim.tv_nsec, "size", (json_int_t)st.st_size,
		    "sha256", hex, "quarantined_at", (json_int_t)time(NULL),
		    "nlink", (json_int_t)st.st_nlink, "rules", rules ? rules : json_null());
	}
	if (meta == NULL || write_sidecar(qfd, out->id, meta) < 0) {
		fail(err, errlen, "cannot write the quarantine metadata: %s", strerror(errno));
		goto out;
	}
	snprintf(bin, sizeof(bin), "%s.bin", out->id);
	snprintf(sidecar, sizeof(sidecar), "%s.json", out->id);
	if (renameat(pfd, base, qfd, bin) == 0) {
		/* Was it still our file at the moment of the rename? */
		if (fstatat(qfd, bin, &moved, AT_SYMLINK_NOFOLLOW) < 0 || !same_file(&moved, &st)) {
			renameat2(qfd, bin, pfd, base, RENAME_NOREPLACE);
			unlinkat(qfd, sidecar, 0);
			fail(err, errlen, "%s was replaced while it was being quarantined", path);
			goto out;
		}
	} else if (errno == EXDEV) {
		how = "copy";
		if (move_by_copy(pfd, base, fd, &st, qfd, out->id, err, errlen) < 0) {
			unlinkat(qfd, sidecar, 0);
			goto out;
		}
	} else {
		fail(err, errlen, "cannot move %s into quarantine: %s", path, strerror(errno));
		unlinkat(qfd, sidecar, 0);
		goto out;
	}
	/* Never executable, readable by the agent only (this also clears
	 * set-id bits, for other hard links too). */
	if (strcmp(how, "rename") == 0)
		fchmod(fd, 0600);
	fsync(qfd);
	fsync(pfd);
	snprintf(out->path, sizeof(out->path), "%s", path);
	snprintf(out->sha256, sizeof(out->sha256), "%s", hex);
	out->size = st.st_size;
	out->mode = st.st_mode & 07777;
	rc = 0;
out:
	json_decref(meta);
	if (fd >= 0)
		close(fd);
	if (pfd >= 0)
		close(pfd);
	close(qfd);
	return rc;
}

static int64_t
jint(const json_t *o, const char *k)
{
	return (int64_t)json_integer_value(json_object_get(o, k));
}

/* Give the quarantined inode its original owner, mode and mtime. */
static int
set_meta(int fd, const json_t *meta)
{
	uid_t uid = (uid_t)jint(meta, "uid");
	gid_t gid = (gid_t)jint(meta, "gid");
	struct timespec ts[2] = { { 0, UTIME_OMIT },
		{ (time_t)jint(meta, "mtime_sec"), (long)jint(meta, "mtime_nsec") } };
	struct stat st;

	if (fstat(fd, &st) < 0)
		return -1;
	/* chown first: it clears set-id bits that fchmod then restores. */
	if ((st.st_uid != uid || st.st_gid != gid) && fchown(fd, uid, gid) < 0)
		return -1;
	if (fchmod(fd, (mode_t)(jint(meta, "mode") & 07777)) < 0)
		return -1;
	return futimens(fd, ts);
}

/* Place name in pfd without replacing anything: renameat2(NOREPLACE),
 * or link + unlink where the file system lacks it. */
static int
place(int fromfd, const char *from, int pfd, const char *name)
{
	if (renameat2(fromfd, from, pfd, name, RENAME_NOREPLACE) == 0)
		return 0;
	if (errno != EINVAL && errno != ENOSYS)
		return -1;
	if (linkat(fromfd, from, pfd, name, 0) < 0)
		return -1;
	unlinkat(fromfd, from, 0);
	return 0;
}

static int
restore_copy(int bfd, int pfd, const char *name, const char *id, const json_t *meta)
{
	char tmp[96];
	int tfd, e;

	snprintf(tmp, sizeof(tmp), ".ys-restore-%s", id);
	tfd = openat(pfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (tfd < 0)
		return -1;
	if (copy_fd(bfd, tfd) < 0 || set_meta(tfd, meta) < 0 || fsync(tfd) < 0 ||
	    place(pfd, tmp, pfd, name) < 0) {
		e = errno;
		close(tfd);
		unlinkat(pfd, tmp, 0);
		errno = e;
		return -1;
	}
	close(tfd);
	return 0;
}

static const char *
kind_of(mode_t m)
{
	return S_ISLNK(m) ? "a symlink" : S_ISDIR(m) ? "a directory" : S_ISREG(m) ? "a file" :
	    "a special file";
}

int
quarantine_restore(const char *dir, const char *id, struct quarantine_item *out, char *err,
    size_t errlen)
{
	char bin[64], sidecar[64], hex[65];
	const char *rdir, *name, *orig, *sha;
	json_t *meta = NULL;
	struct stat st, dst;
	int qfd, bfd = -1, pfd = -1, rc = -1;

	memset(out, 0, sizeof(*out));
	if (!quarantine_id_valid(id))
		return fail(err, errlen, "invalid quarantine item id");
	if ((qfd = open_store(dir, false, err, errlen)) < 0)
		return -1;
	snprintf(bin, sizeof(bin), "%s.bin", id);
	snprintf(sidecar, sizeof(sidecar), "%s.json", id);
	if ((meta = read_sidecar(qfd, id)) == NULL) {
		fail(err, errlen, "no quarantined item %s on this node", id);
		goto out;
	}
	rdir = json_string_value(json_object_get(meta, "restore_dir"));
	name = json_string_value(json_object_get(meta, "name"));
	orig = json_string_value(json_object_get(meta, "original_path"));
	sha = json_string_value(json_object_get(meta, "sha256"));
	if (!rdir || !name || !orig || !sha || strchr(name, '/') || !strcmp(name, ".") ||
	    !strcmp(name, "..") || !*name) {
		fail(err, errlen, "the metadata of item %s is damaged", id);
		goto out;
	}
	snprintf(out->id, sizeof(out->id), "%s", id);
	snprintf(out->path, sizeof(out->path), "%s", orig);
	snprintf(out->sha256, sizeof(out->sha256), "%s", sha);
	bfd = openat(qfd, bin, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (bfd < 0 || fstat(bfd, &st) < 0 || !S_ISREG(st.st_mode) || hash_fd(bfd, hex) < 0 ||
	    strcmp(hex, sha) != 0) {
		fail(err, errlen, "the content of item %s is missing or damaged", id);
		goto out;
	}
	out->size = st.st_size;
	out->mode = (unsigned)(jint(meta, "mode") & 07777);
	pfd = open_dir_nofollow(rdir);
	if (pfd < 0) {
		fail(err, errlen, "cannot reach %s without following a symlink (%s); restore "
		    "refused", rdir, strerror(errno));
		goto out;
	}
	if (fstat(pfd, &dst) < 0 || (int64_t)dst.st_dev != jint(meta, "dir_dev") ||
	    (int64_t)dst.st_ino != jint(meta, "dir_ino")) {
		fail(err, errlen, "the directory %s was replaced after the file was quarantined; "
		    "restore refused", rdir);
		goto out;
	}
	if (fstatat(pfd, name, &dst, AT_SYMLINK_NOFOLLOW) == 0) {
		fail(err, errlen, "%s exists now (%s); move it away before restoring", orig,
		    kind_of(dst.st_mode));
		goto out;
	}
	if (set_meta(bfd, meta) < 0) {
		fail(err, errlen, "cannot give %s its owner, mode and time back: %s", orig,
		    strerror(errno));
		goto back;
	}
	if (place(qfd, bin, pfd, name) < 0) {
		int e = errno;

		if (e == EXDEV) {
			/* Another file system: copy, then drop the store's copy. */
			e = restore_copy(bfd, pfd, name, id, meta) < 0 ? errno : 0;
			if (e == 0)
				unlinkat(qfd, bin, 0);
		}
		if (e == EEXIST) {
			fail(err, errlen, "%s exists now; move it away before restoring", orig);
			goto back;
		} else if (e != 0) {
			fail(err, errlen, "cannot restore %s: %s", orig, strerror(e));
			goto back;
		}
	}
	fsync(pfd);
	unlinkat(qfd, sidecar, 0);
	fsync(qfd);
	rc = 0;
	goto out;
back:
	fchmod(bfd, 0600);
out:
	json_decref(meta);
	if (bfd >= 0)
		close(bfd);
	if (pfd >= 0)
		close(pfd);
	close(qfd);
	return rc;
}

json_t *
quarantine_list(const char *dir)
{
	json_t *items = json_array();
	char err[256];
	struct dirent *de;
	DIR *d;
	int qfd = open_store(dir, false, err, sizeof(err));

	if (qfd < 0 || (d = fdopendir(qfd)) == NULL) {
		if (qfd >= 0)
			close(qfd);
		return items;
	}
	while ((de = readdir(d)) != NULL) {
		char id[QUARANTINE_ID_LEN + 1];
		size_t len = strlen(de->d_name);
		json_t *meta;

		if (len != QUARANTINE_ID_LEN + 5 || strcmp(de->d_name + QUARANTINE_ID_LEN, ".json"))
			continue;
		memcpy(id, de->d_name, QUARANTINE_ID_LEN);
		id[QUARANTINE_ID_LEN] = '\0';
		if (quarantine_id_valid(id) && (meta = read_sidecar(dirfd(d), id)) != NULL)
			json_array_append_new(items, meta);
	}
	closedir(d);
	return items;
}
