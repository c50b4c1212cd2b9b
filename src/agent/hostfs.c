/*
 * hostfs: size-capped reads of the host's files under a root prefix, and
 * the two small parsers both host modules need (os-release, passwd/shadow).
 */
#include "hostfs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int
hostfs_path(const char *root, const char *path, char *out, size_t outlen)
{
	size_t rl = strlen(root);
	int n;

	while (rl > 0 && root[rl - 1] == '/')
		rl--;
	while (*path == '/')
		path++;
	n = snprintf(out, outlen, "%.*s/%s", (int)rl, root, path);
	return n < 0 || (size_t)n >= outlen ? -1 : 0;
}

char *
hostfs_read(const char *root, const char *path, size_t max, size_t *len)
{
	char full[4096], *buf = NULL;
	size_t cap = 0, n = 0;
	ssize_t r;
	int fd;

	if (hostfs_path(root, path, full, sizeof(full)) < 0) {
		errno = ENAMETOOLONG;
		return NULL;
	}
	if ((fd = open(full, O_RDONLY | O_CLOEXEC | O_NOCTTY)) < 0)
		return NULL;
	/* /proc files report size 0, so read until EOF rather than fstat. */
	for (;;) {
		if (n + 1 >= cap) {
			size_t ncap = cap ? cap * 2 : 4096;
			char *nb;

			if (cap > max + 1) {
				free(buf);
				close(fd);
				errno = EFBIG;
				return NULL;
			}
			if ((nb = realloc(buf, ncap)) == NULL) {
				free(buf);
				close(fd);
				errno = ENOMEM;
				return NULL;
			}
			buf = nb;
			cap = ncap;
		}
		r = read(fd, buf + n, cap - n - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = errno;

			free(buf);
			close(fd);
			errno = e;
			return NULL;
		}
		if (r == 0)
			break;
		n += (size_t)r;
		if (n > max) {
			free(buf);
			close(fd);
			errno = EFBIG;
			return NULL;
		}
	}
	close(fd);
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
}

bool
hostfs_exists(const char *root, const char *path)
{
	char full[4096];
	struct stat st;

	return hostfs_path(root, path, full, sizeof(full)) == 0 && lstat(full, &st) == 0;
}

char *
hostfs_next_line(char **cur)
{
	char *line = *cur, *nl;
	size_t n;

	if (line == NULL || *line == '\0')
		return NULL;
	nl = strchr(line, '\n');
	if (nl) {
		*nl = '\0';
		*cur = nl + 1;
	} else {
		*cur = line + strlen(line);
	}
	n = strlen(line);
	if (n > 0 && line[n - 1] == '\r')
		line[n - 1] = '\0';
	return line;
}

/* os-release values: "quoted", 'quoted' or bare, with \-escapes in "". */
static void
unquote(char *v)
{
	char *w = v, q = 0;

	if (*v == '"' || *v == '\'')
		q = *v++;
	for (; *v && *v != q; v++) {
		if (q == '"' && *v == '\\' && v[1])
			v++;
		*w++ = *v;
	}
	*w = '\0';
}

json_t *
hostfs_os_release(const char *root)
{
	char *buf = hostfs_read(root, "/etc/os-release", 65536, NULL), *cur, *line;
	json_t *o;

	if (buf == NULL)
		buf = hostfs_read(root, "/usr/lib/os-release", 65536, NULL);
	if (buf == NULL)
		return NULL;
	o = json_object();
	cur = buf;
	while ((line = hostfs_next_line(&cur)) != NULL) {
		char *eq = strchr(line, '=');

		if (*line == '#' || eq == NULL || eq == line)
			continue;
		*eq = '\0';
		if (strspn(line, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") != strlen(line))
			continue;
		unquote(eq + 1);
		json_object_set_new(o, line, json_string(eq + 1));
	}
	free(buf);
	return o;
}

/* Shells that refuse an interactive login. */
static const char *const no_login_shells[] = {
	"nologin", "false", "sync", "shutdown", "halt", NULL,
};

static bool
shell_can_login(const char *shell)
{
	const char *base = strrchr(shell, '/');

	base = base ? base + 1 : shell;
	for (size_t i = 0; no_login_shells[i]; i++)
		if (strcmp(base, no_login_shells[i]) == 0)
			return false;
	return true;
}

/* Split a colon line into at most max fields in place; returns the count. */
static size_t
split_colon(char *line, char **f, size_t max)
{
	size_t n = 0;

	f[n++] = line;
	for (char *p = line; *p && n < max; p++)
		if (*p == ':') {
			*p = '\0';
			f[n++] = p + 1;
		}
	return n;
}

static const char *
password_state(const char *field)
{
	if (*field == '\0')
		return "empty";
	if (*field == '!' || *field == '*')
		return "locked";
	return "set";
}

static bool
parse_id(const char *s, json_int_t *out)
{
	char *end;
	long long v;

	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (*end || errno || v > 0xffffffffLL)
		return false;
	*out = v;
	return true;
}

json_t *
hostfs_users(const char *root)
{
	char *pw = hostfs_read(root, "/etc/passwd", 16u * 1024 * 1024, NULL);
	char *sh = hostfs_read(root, "/etc/shadow", 16u * 1024 * 1024, NULL);
	json_t *users, *shadow = json_object();
	char *cur, *line, *f[9];

	if (pw == NULL) {
		free(sh);
		json_decref(shadow);
		return NULL;
	}
	for (cur = sh; sh && (line = hostfs_next_line(&cur)) != NULL;)
		if (split_colon(line, f, 9) >= 2 && *f[0])
			json_object_set_new(shadow, f[0], json_string(password_state(f[1])));
	users = json_array();
	cur = pw;
	while ((line = hostfs_next_line(&cur)) != NULL) {
		json_int_t uid, gid;
		const char *pass;
		json_t *s;

		if (*line == '#' || *line == '+' || *line == '-' || split_colon(line, f, 7) != 7 ||
		    *f[0] == '\0' || !parse_id(f[2], &uid) || !parse_id(f[3], &gid))
			continue;
		if (strcmp(f[1], "x") != 0)
			pass = password_state(f[1]);	/* hash in passwd itself */
		else if ((s = json_object_get(shadow, f[0])) != NULL)
			pass = json_string_value(s);
		else
			pass = "unknown";
		json_array_append_new(users, json_pack("{s:s, s:I, s:I, s:s, s:s, s:b, s:s}",
		    "name", f[0], "uid", uid, "gid", gid, "home", f[5],
		    "shell", *f[6] ? f[6] : "/bin/sh",
		    "can_login", shell_can_login(*f[6] ? f[6] : "/bin/sh"), "password", pass));
	}
	json_decref(shadow);
	free(pw);
	free(sh);
	return users;
}

void
hostfs_sort_array(json_t *a, int (*cmp)(const void *, const void *))
{
	size_t n = json_array_size(a);
	json_t **v = n ? malloc(n * sizeof(*v)) : NULL;

	if (v == NULL)
		return;
	for (size_t i = 0; i < n; i++)
		v[i] = json_incref(json_array_get(a, i));
	qsort(v, n, sizeof(*v), cmp);
	json_array_clear(a);
	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, v[i]);
	free(v);
}
