/*
 * session: load and save <config-dir>/session.json. Loading warns when the
 * file is readable by others, because the token in it is as good as the
 * password until it expires.
 */
#include "session.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#define SESSION_FILE "session.json"

int
cli_session_default_dir(char *buf, size_t len, char *err, size_t errlen)
{
	const char *xdg = getenv("XDG_CONFIG_HOME");
	const char *home = getenv("HOME");
	int n;

	if (xdg != NULL && xdg[0] == '/') {
		n = snprintf(buf, len, "%s/yunshou", xdg);
	} else {
		if (home == NULL || home[0] == '\0') {
			struct passwd *pw = getpwuid(getuid());

			home = pw ? pw->pw_dir : NULL;
		}
		if (home == NULL || home[0] == '\0') {
			snprintf(err, errlen, "no home directory; use --config-dir DIR");
			return -1;
		}
		n = snprintf(buf, len, "%s/.config/yunshou", home);
	}
	if (n < 0 || (size_t)n >= len) {
		snprintf(err, errlen, "configuration directory path too long");
		return -1;
	}
	return 0;
}

static int
session_path(const char *dir, char *buf, size_t len, const char *suffix)
{
	int n = snprintf(buf, len, "%s/%s%s", dir, SESSION_FILE, suffix);

	return (n < 0 || (size_t)n >= len) ? -1 : 0;
}

int
cli_session_set(char **member, const char *v)
{
	char *copy = NULL;

	if (v != NULL && (copy = strdup(v)) == NULL)
		return -1;
	if (*member != NULL)
		explicit_bzero(*member, strlen(*member));
	free(*member);
	*member = copy;
	return 0;
}

int
cli_session_load(const char *dir, struct cli_session *s, char *err,
    size_t errlen)
{
	static const char *const keys[] = { "server", "ca", "token", "username" };
	char path[4096];
	json_error_t jerr;
	struct stat sb;
	json_t *root;

	memset(s, 0, sizeof(*s));
	if (session_path(dir, path, sizeof(path), "") < 0) {
		snprintf(err, errlen, "configuration directory path too long");
		return -1;
	}
	if (stat(path, &sb) < 0) {
		if (errno == ENOENT)
			return 0;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if ((sb.st_mode & 077) != 0)
		fprintf(stderr, "warning: %s is readable by other users; "
		    "run chmod 600 on it\n", path);
	root = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL || !json_is_object(root)) {
		snprintf(err, errlen, "%s: not a saved session (%s); remove it "
		    "and log in again", path, root ? "not an object" : jerr.text);
		json_decref(root);
		return -1;
	}
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		char **member[] = { &s->server, &s->ca, &s->token, &s->username };
		const char *v = json_string_value(json_object_get(root, keys[i]));

		if (v != NULL && cli_session_set(member[i], v) < 0) {
			snprintf(err, errlen, "out of memory");
			json_decref(root);
			cli_session_clear(s);
			return -1;
		}
	}
	json_decref(root);
	return 0;
}

/* mkdir -p; every directory it creates is 0700. */
static int
make_dirs(const char *dir, char *err, size_t errlen)
{
	char buf[4096];
	size_t len = strlen(dir);

	if (len == 0 || len >= sizeof(buf)) {
		snprintf(err, errlen, "bad configuration directory");
		return -1;
	}
	memcpy(buf, dir, len + 1);
	for (size_t i = 1; i <= len; i++) {
		if (buf[i] != '/' && buf[i] != '\0')
			continue;
		buf[i] = '\0';
		if (mkdir(buf, 0700) < 0 && errno != EEXIST) {
			snprintf(err, errlen, "cannot create %s: %s", buf,
			    strerror(errno));
			return -1;
		}
		if (i < len)
			buf[i] = '/';
	}
	return 0;
}

int
cli_session_save(const char *dir, const struct cli_session *s, char *err,
    size_t errlen)
{
	char path[4096], tmp[4096];
	json_t *root = json_object();
	int fd = -1;

	if (root == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if ((s->server && json_object_set_new(root, "server", json_string(s->server))) ||
	    (s->ca && json_object_set_new(root, "ca", json_string(s->ca))) ||
	    (s->token && json_object_set_new(root, "token", json_string(s->token))) ||
	    (s->username && json_object_set_new(root, "username",
	    json_string(s->username)))) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	if (session_path(dir, path, sizeof(path), "") < 0 ||
	    session_path(dir, tmp, sizeof(tmp), ".XXXXXX") < 0) {
		snprintf(err, errlen, "configuration directory path too long");
		goto fail;
	}
	if (make_dirs(dir, err, errlen) < 0)
		goto fail;
	fd = mkstemp(tmp);	/* mode 0600 */
	if (fd < 0) {
		snprintf(err, errlen, "cannot create a file in %s: %s", dir,
		    strerror(errno));
		goto fail;
	}
	if (fchmod(fd, 0600) < 0 ||
	    json_dumpfd(root, fd, JSON_INDENT(2)) < 0 ||
	    write(fd, "\n", 1) != 1 || fsync(fd) < 0) {
		snprintf(err, errlen, "cannot write %s: %s", tmp,
		    errno ? strerror(errno) : "error");
		goto fail_unlink;
	}
	if (close(fd) < 0) {
		fd = -1;
		snprintf(err, errlen, "cannot write %s: %s", tmp, strerror(errno));
		goto fail_unlink;
	}
	fd = -1;
	if (rename(tmp, path) < 0) {
		snprintf(err, errlen, "cannot replace %s: %s", path,
		    strerror(errno));
		goto fail_unlink;
	}
	json_decref(root);
	return 0;

fail_unlink:
	if (fd >= 0)
		close(fd);
	unlink(tmp);
fail:
	json_decref(root);
	return -1;
}

void
cli_session_clear(struct cli_session *s)
{
	if (s == NULL)
		return;
	cli_session_set(&s->server, NULL);
	cli_session_set(&s->ca, NULL);
	cli_session_set(&s->token, NULL);
	cli_session_set(&s->username, NULL);
}
