/*
 * packages: strict parsers of the dpkg status file and of rpm's query
 * output. The dpkg status file is deb822: paragraphs of "Field: value"
 * lines separated by blank lines, a value continued on lines that start
 * with a space or tab. Only the fields the inventory needs are read; every
 * kept value is checked against the character set Debian policy allows, so
 * what reaches the control plane is well-formed whatever the file holds.
 */
#include "packages.h"

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hostfs.h"

#define FIELD_MAX 256

extern char **environ;

/* Debian policy 5.6.1 / 5.6.12 character sets (rpm names are looser). */
static bool
valid_chars(const char *s, size_t n, const char *extra)
{
	if (n == 0 || n > FIELD_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (!(c >= 'a' && c <= 'z') && !(c >= '0' && c <= '9') &&
		    !(c >= 'A' && c <= 'Z' && strchr(extra, 'A')) && !(c && strchr(extra, c)))
			return false;
	}
	return true;
}

#define NAME_CHARS "+.-"
#define VERSION_CHARS "A.+~:-"
#define ARCH_CHARS "-"
#define RPM_NAME_CHARS "A+._-"
#define RPM_VERSION_CHARS "A+._~^:-"

struct span {
	const char *p;
	size_t n;
};

struct paragraph {
	struct span package, status, version, arch, source;
};

static void
trim(struct span *s)
{
	while (s->n && (*s->p == ' ' || *s->p == '\t')) {
		s->p++;
		s->n--;
	}
	while (s->n && (s->p[s->n - 1] == ' ' || s->p[s->n - 1] == '\t' || s->p[s->n - 1] == '\r'))
		s->n--;
}

static json_t *
str(struct span s)
{
	return json_stringn(s.p, s.n);
}

/* Status "want flag status": installed when the third word says the
 * package's files are unpacked and configured. */
static bool
is_installed(struct span st)
{
	static const char *const installed[] = {
		"installed", "triggers-pending", "triggers-awaited", NULL,
	};
	const char *last = st.p + st.n, *w = st.p;
	int words = 0;

	for (const char *p = st.p; p < st.p + st.n; p++)
		if (*p == ' ' && (p + 1 < st.p + st.n && p[1] != ' ')) {
			words++;
			w = p + 1;
		}
	if (words != 2)
		return false;
	for (size_t i = 0; installed[i]; i++)
		if ((size_t)(last - w) == strlen(installed[i]) &&
		    memcmp(w, installed[i], (size_t)(last - w)) == 0)
			return true;
	return false;
}

/* One finished paragraph: appended, skipped (counted) or ignored when it
 * is not an installed package. */
static void
finish(const struct paragraph *pg, json_t *out, size_t *skipped)
{
	struct span src = pg->package, srcver = pg->version;
	json_t *o;

	if (pg->package.p == NULL && pg->status.p == NULL)
		return;		/* empty paragraph */
	if (pg->status.p == NULL || !is_installed(pg->status)) {
		if (pg->status.p == NULL || pg->package.p == NULL)
			(*skipped)++;
		return;
	}
	if (pg->package.p == NULL || pg->version.p == NULL || pg->arch.p == NULL ||
	    !valid_chars(pg->package.p, pg->package.n, NAME_CHARS) ||
	    !valid_chars(pg->version.p, pg->version.n, VERSION_CHARS) ||
	    !valid_chars(pg->arch.p, pg->arch.n, ARCH_CHARS)) {
		(*skipped)++;
		return;
	}
	if (pg->source.p) {
		/* "name" or "name (version)" */
		const char *sp = memchr(pg->source.p, ' ', pg->source.n);

		src.p = pg->source.p;
		src.n = sp ? (size_t)(sp - pg->source.p) : pg->source.n;
		if (sp) {
			struct span rest = { sp, pg->source.n - src.n };

			trim(&rest);
			if (rest.n < 3 || rest.p[0] != '(' || rest.p[rest.n - 1] != ')') {
				(*skipped)++;
				return;
			}
			srcver.p = rest.p + 1;
			srcver.n = rest.n - 2;
			trim(&srcver);
		}
		if (!valid_chars(src.p, src.n, NAME_CHARS) ||
		    !valid_chars(srcver.p, srcver.n, VERSION_CHARS)) {
			(*skipped)++;
			return;
		}
	}
	if (json_array_size(out) >= PACKAGES_MAX) {
		(*skipped)++;
		return;
	}
	o = json_object();
	json_object_set_new(o, "name", str(pg->package));
	json_object_set_new(o, "version", str(pg->version));
	json_object_set_new(o, "arch", str(pg->arch));
	json_object_set_new(o, "source", str(src));
	json_object_set_new(o, "source_version", str(srcver));
	json_array_append_new(out, o);
}

static int
cmp_pkg(const void *a, const void *b)
{
	json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
	int c = strcmp(json_string_value(json_object_get(x, "name")),
	    json_string_value(json_object_get(y, "name")));

	return c ? c : strcmp(json_string_value(json_object_get(x, "arch")),
	    json_string_value(json_object_get(y, "arch")));
}

json_t *
packages_parse_dpkg(const char *text, size_t len, size_t *skipped)
{
	static const struct {
		const char *name;
		size_t off;
	} fields[] = {
		{ "Package", offsetof(struct paragraph, package) },
		{ "Status", offsetof(struct paragraph, status) },
		{ "Version", offsetof(struct paragraph, version) },
		{ "Architecture", offsetof(struct paragraph, arch) },
		{ "Source", offsetof(struct paragraph, source) },
	};
	const char *p = text, *end = text + len;
	struct paragraph pg = { 0 };
	json_t *out = json_array();
	size_t dummy = 0;

	if (skipped == NULL)
		skipped = &dummy;
	*skipped = 0;
	if (out == NULL)
		return NULL;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end, *colon;
		struct span line = { p, (size_t)(le - p) };
		bool continued = *p == ' ' || *p == '\t';

		p = nl ? nl + 1 : end;
		trim(&line);
		if (line.n == 0) {
			finish(&pg, out, skipped);
			memset(&pg, 0, sizeof(pg));
			continue;
		}
		if (continued)
			continue;	/* a multi-line field (Description, Conffiles, ...) */
		colon = memchr(line.p, ':', line.n);
		if (colon == NULL || colon == line.p)
			continue;
		for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
			struct span *f = (struct span *)((char *)&pg + fields[i].off);

			if ((size_t)(colon - line.p) == strlen(fields[i].name) &&
			    strncasecmp(line.p, fields[i].name, strlen(fields[i].name)) == 0 &&
			    f->p == NULL) {
				f->p = colon + 1;
				f->n = (size_t)(line.p + line.n - f->p);
				trim(f);
				if (f->n == 0)
					f->p = colon + 1;	/* present but empty: fails validation */
			}
		}
	}
	finish(&pg, out, skipped);
	hostfs_sort_array(out, cmp_pkg);
	return out;
}

/* "bash-5.1.8-6.el9.src.rpm" -> name "bash", version "5.1.8-6.el9". */
static int
split_srpm(struct span s, struct span *name, struct span *ver)
{
	static const char *const suffixes[] = { ".src.rpm", ".nosrc.rpm", NULL };
	const char *d1 = NULL, *d2 = NULL;

	for (size_t i = 0; suffixes[i]; i++) {
		size_t l = strlen(suffixes[i]);

		if (s.n > l && memcmp(s.p + s.n - l, suffixes[i], l) == 0) {
			s.n -= l;
			break;
		}
	}
	for (const char *p = s.p + s.n; p-- > s.p;)
		if (*p == '-') {
			if (d2 == NULL)
				d2 = p;
			else {
				d1 = p;
				break;
			}
		}
	if (d1 == NULL || d1 == s.p)
		return -1;
	name->p = s.p;
	name->n = (size_t)(d1 - s.p);
	ver->p = d1 + 1;
	ver->n = (size_t)(s.p + s.n - ver->p);
	return 0;
}

json_t *
packages_parse_rpm(const char *text, size_t len, size_t *skipped)
{
	const char *p = text, *end = text + len;
	json_t *out = json_array();
	size_t dummy = 0;

	if (skipped == NULL)
		skipped = &dummy;
	*skipped = 0;
	if (out == NULL)
		return NULL;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p)), *le = nl ? nl : end;
		struct span f[4], srcname, srcver;
		const char *q = p, *colon;
		size_t n = 0;

		if (le == p) {
			p = nl ? nl + 1 : end;
			continue;
		}
		while (n < 4) {
			const char *tab = memchr(q, '\t', (size_t)(le - q));

			f[n].p = q;
			f[n].n = (size_t)((tab ? tab : le) - q);
			n++;
			if (tab == NULL)
				break;
			q = tab + 1;
		}
		p = nl ? nl + 1 : end;
		if (n != 4 || memchr(f[3].p, '\t', f[3].n) ||
		    !valid_chars(f[0].p, f[0].n, RPM_NAME_CHARS) ||
		    !valid_chars(f[1].p, f[1].n, RPM_VERSION_CHARS) ||
		    (!valid_chars(f[2].p, f[2].n, RPM_NAME_CHARS) &&
		    !(f[2].n == 6 && memcmp(f[2].p, "(none)", 6) == 0)) ||
		    json_array_size(out) >= PACKAGES_MAX) {
			(*skipped)++;
			continue;
		}
		if (f[3].n == 6 && memcmp(f[3].p, "(none)", 6) == 0) {
			srcname = f[0];	/* gpg-pubkey and friends */
			srcver = f[1];
		} else if (split_srpm(f[3], &srcname, &srcver) < 0 ||
		    !valid_chars(srcname.p, srcname.n, RPM_NAME_CHARS) ||
		    !valid_chars(srcver.p, srcver.n, RPM_VERSION_CHARS)) {
			(*skipped)++;
			continue;
		}
		{
			json_t *o = json_object();
			char sv[2 * FIELD_MAX + 2];

			/* A source rpm's file name has no epoch; it is the binary's. */
			colon = memchr(f[1].p, ':', f[1].n);
			snprintf(sv, sizeof(sv), "%.*s%.*s", colon ? (int)(colon - f[1].p + 1) : 0,
			    f[1].p, (int)srcver.n, srcver.p);
			json_object_set_new(o, "name", str(f[0]));
			json_object_set_new(o, "version", str(f[1]));
			json_object_set_new(o, "arch", str(f[2]));
			json_object_set_new(o, "source", str(srcname));
			json_object_set_new(o, "source_version", json_string(sv));
			json_array_append_new(out, o);
		}
	}
	hostfs_sort_array(out, cmp_pkg);
	return out;
}

static const char *const rpm_binaries[] = { "/usr/bin/rpm", "/bin/rpm", NULL };

/* Run rpm -qa for root and collect its output (at most max bytes). */
static char *
run_rpm(const char *rpm, const char *root, size_t max, size_t *len)
{
	char *argv[] = { (char *)rpm, "-qa", "--root", (char *)root, "--qf",
		(char *)PACKAGES_RPM_QF, NULL };
	posix_spawn_file_actions_t fa;
	int pfd[2], status;
	char *buf = NULL;
	size_t n = 0, cap = 0;
	pid_t pid;
	ssize_t r;

	if (pipe2(pfd, O_CLOEXEC) < 0)
		return NULL;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, pfd[1], 1);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	if (posix_spawn(&pid, rpm, &fa, NULL, argv, environ) != 0) {
		posix_spawn_file_actions_destroy(&fa);
		close(pfd[0]);
		close(pfd[1]);
		return NULL;
	}
	posix_spawn_file_actions_destroy(&fa);
	close(pfd[1]);
	for (;;) {
		if (n + 4096 + 1 > cap) {
			char *nb = cap < max ? realloc(buf, cap ? cap * 2 : 65536) : NULL;

			if (nb == NULL)
				break;
			buf = nb;
			cap = cap ? cap * 2 : 65536;
		}
		r = read(pfd[0], buf + n, cap - n - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	close(pfd[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (buf == NULL || !WIFEXITED(status) || WEXITSTATUS(status) != 0 || n >= max) {
		free(buf);
		return NULL;
	}
	buf[n] = '\0';
	*len = n;
	return buf;
}

static void
append_all(json_t *to, json_t *from)
{
	json_array_extend(to, from);
	json_decref(from);
}

json_t *
packages_read(const char *root, const char **format, char *err, size_t errlen)
{
	json_t *out = json_array();
	bool dpkg = false, rpm = false;
	size_t len, skipped;
	char *text;

	*format = "none";
	if (hostfs_exists(root, "/var/lib/dpkg/status")) {
		if ((text = hostfs_read(root, "/var/lib/dpkg/status", HOSTFS_MAX_FILE, &len)) == NULL) {
			snprintf(err, errlen, "cannot read %s/var/lib/dpkg/status: %s", root,
			    strerror(errno));
			json_decref(out);
			return NULL;
		}
		append_all(out, packages_parse_dpkg(text, len, &skipped));
		free(text);
		dpkg = true;
	}
	if (hostfs_exists(root, "/var/lib/rpm")) {
		for (size_t i = 0; rpm_binaries[i] && !rpm; i++) {
			if (access(rpm_binaries[i], X_OK) != 0)
				continue;
			if ((text = run_rpm(rpm_binaries[i], root, HOSTFS_MAX_FILE, &len)) == NULL) {
				snprintf(err, errlen, "%s -qa --root %s failed", rpm_binaries[i], root);
				json_decref(out);
				return NULL;
			}
			append_all(out, packages_parse_rpm(text, len, &skipped));
			free(text);
			rpm = true;
		}
	}
	*format = dpkg && rpm ? "dpkg+rpm" : dpkg ? "dpkg" : rpm ? "rpm" : "none";
	hostfs_sort_array(out, cmp_pkg);
	return out;
}
