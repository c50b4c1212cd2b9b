/*
 * probe: the table of probe kinds, the table of configuration file formats
 * config_value understands, and the table of comparison operators. A
 * probe fills a result: pass / fail / error / not_applicable, the value it
 * found ("actual") and where it found it or what offends ("evidence").
 */
#include "probe.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <glob.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hostfs.h"
#include "sockets.h"

#define VALUE_MAX 1024
#define WHERE_MAX 600
#define REPORT_MAX 200		/* offending items listed in evidence */
#define WALK_MAX_FILES 2000000	/* a walk stops (error) past this many entries */
#define INCLUDE_DEPTH 8

static const char *const status_names[] = {
	[PROBE_PASS] = "pass", [PROBE_FAIL] = "fail", [PROBE_ERROR] = "error",
	[PROBE_NA] = "not_applicable",
};

const char *
probe_status_name(enum probe_status s)
{
	return (unsigned)s < sizeof(status_names) / sizeof(status_names[0]) ? status_names[s] : "error";
}

int
probe_status_parse(const char *name)
{
	for (size_t i = 0; name && i < sizeof(status_names) / sizeof(status_names[0]); i++)
		if (strcmp(name, status_names[i]) == 0)
			return (int)i;
	return -1;
}

void
probe_result_clear(struct probe_result *r)
{
	json_decref(r->actual);
	json_decref(r->evidence);
	r->actual = r->evidence = NULL;
}

/* Set the result; actual is taken over; evidence is printf-formatted. */
static void
result(struct probe_result *r, enum probe_status s, json_t *actual, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void
result(struct probe_result *r, enum probe_status s, json_t *actual, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	probe_result_clear(r);
	r->status = s;
	r->actual = actual ? actual : json_null();
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	r->evidence = json_string(buf);
	if (r->evidence == NULL)	/* not UTF-8: a file name from the host */
		r->evidence = json_string("(evidence is not valid UTF-8)");
}

static const char *
arg_str(const json_t *t, const char *key, const char *dflt)
{
	const char *s = json_string_value(json_object_get(t, key));

	return s ? s : dflt;
}

/* "not_applicable" etc. from an argument, with a default. */
static enum probe_status
arg_status(const json_t *t, const char *key, enum probe_status dflt)
{
	int s = probe_status_parse(arg_str(t, key, NULL));

	return s < 0 ? dflt : (enum probe_status)s;
}

/* An expected value as text: strings as they are, integers printed. */
static int
expected_text(const json_t *v, char *out, size_t outlen)
{
	if (json_is_string(v))
		snprintf(out, outlen, "%s", json_string_value(v));
	else if (json_is_integer(v))
		snprintf(out, outlen, "%lld", (long long)json_integer_value(v));
	else
		return -1;
	return 0;
}

static int
to_number(const char *s, long long *out)
{
	char *end;

	while (*s == ' ')
		s++;
	errno = 0;
	*out = strtoll(s, &end, 10);
	while (*end == ' ')
		end++;
	return end == s || *end || errno ? -1 : 0;
}

/* ---- comparison operators: 1 pass, 0 fail, -1 bad expected value ---- */

static int
op_eq(const char *a, const json_t *want, const char *dflt)
{
	char w[VALUE_MAX];
	long long x, y;

	(void)dflt;
	if (expected_text(want, w, sizeof(w)) < 0)
		return -1;
	if (json_is_integer(want))
		return to_number(a, &x) == 0 && to_number(w, &y) == 0 && x == y;
	return strcasecmp(a, w) == 0;
}

static int
op_ne(const char *a, const json_t *want, const char *dflt)
{
	int r = op_eq(a, want, dflt);

	return r < 0 ? r : !r;
}

static int
op_in(const char *a, const json_t *want, const char *dflt)
{
	size_t i;
	json_t *v;

	if (!json_is_array(want))
		return -1;
	json_array_foreach(want, i, v)
		if (op_eq(a, v, dflt) == 1)
			return 1;
	return 0;
}

static int
op_not_in(const char *a, const json_t *want, const char *dflt)
{
	int r = op_in(a, want, dflt);

	return r < 0 ? r : !r;
}

/* Numeric comparison: sign of (actual - expected), or -2 when not numbers. */
static int
numcmp(const char *a, const json_t *want, int *sign)
{
	long long x, y;
	char w[64];

	if (expected_text(want, w, sizeof(w)) < 0 || to_number(w, &y) < 0)
		return -1;
	if (to_number(a, &x) < 0)
		return -2;
	*sign = x < y ? -1 : x > y;
	return 0;
}

#define NUMERIC_OP(fname, test)						\
	static int							\
	fname(const char *a, const json_t *want, const char *dflt)	\
	{								\
		int s, rc = numcmp(a, want, &s);			\
									\
		(void)dflt;						\
		return rc == -1 ? -1 : rc == -2 ? 0 : (test);		\
	}
NUMERIC_OP(op_le, s <= 0)
NUMERIC_OP(op_ge, s >= 0)
NUMERIC_OP(op_lt, s < 0)
NUMERIC_OP(op_gt, s > 0)

static int
op_range(const char *a, const json_t *want, const char *dflt)
{
	if (!json_is_array(want) || json_array_size(want) != 2)
		return -1;
	return op_ge(a, json_array_get(want, 0), dflt) == 1 &&
	    op_le(a, json_array_get(want, 1), dflt) == 1;
}

/* A comma-separated list (sshd Ciphers, MACs, KexAlgorithms) holds none of
 * the listed values. sshd's "+list" and "^list" add to the default list and
 * "-list" removes from it, so the effective list is worked out first. */
static int
op_none_of(const char *a, const json_t *want, const char *dflt)
{
	char list[2 * VALUE_MAX + 2], *tok, *save;
	size_t i;
	json_t *v;

	if (!json_is_array(want))
		return -1;
	if (*a == '+' || *a == '^')
		snprintf(list, sizeof(list), "%s,%s", a + 1, dflt ? dflt : "");
	else if (*a == '-')
		snprintf(list, sizeof(list), "%s", dflt ? dflt : "");
	else
		snprintf(list, sizeof(list), "%s", a);
	for (tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
		json_array_foreach(want, i, v)
			if (json_is_string(v) && strcasecmp(tok, json_string_value(v)) == 0)
				return 0;
	return 1;
}

static const struct compare_op {
	const char *name;
	int (*fn)(const char *actual, const json_t *want, const char *dflt);
} compare_ops[] = {
	{ "eq", op_eq },
	{ "ne", op_ne },
	{ "in", op_in },
	{ "not_in", op_not_in },
	{ "le", op_le },
	{ "ge", op_ge },
	{ "lt", op_lt },
	{ "gt", op_gt },
	{ "range", op_range },
	{ "none_of", op_none_of },
};

static const struct compare_op *
find_op(const char *name)
{
	for (size_t i = 0; name && i < sizeof(compare_ops) / sizeof(compare_ops[0]); i++)
		if (strcmp(name, compare_ops[i].name) == 0)
			return &compare_ops[i];
	return NULL;
}

/* Compare a found value and set the result; where says where it came from. */
static void
judge(struct probe_result *r, const json_t *t, const char *value, const char *dflt,
    const char *where)
{
	const struct compare_op *op = find_op(arg_str(t, "op", "eq"));
	int ok = op ? op->fn(value, json_object_get(t, "value"), dflt) : -1;

	if (ok < 0)
		result(r, PROBE_ERROR, json_string(value), "bad op or value in the check");
	else
		result(r, ok ? PROBE_PASS : PROBE_FAIL, json_string(value), "%s", where);
}

/* ---- configuration file formats ---- */

struct kv_format {
	const char *name;
	char sep;		/* '=' or ' ' (whitespace; sshd also takes one '=') */
	bool first_wins;	/* sshd: the first value obtained is used */
	bool nocase;		/* keys compare case-insensitively */
	bool sshd;		/* Include directives, Match blocks end the global part */
	/* NULL: the generic key/value reader below */
	int (*lookup)(const char *root, const json_t *t, char *val, size_t vallen, char *where,
	    size_t wherelen);
};

/* 1 found, 0 not found, -1 the file is missing, -2 unreadable. */
static int kv_lookup(const struct kv_format *f, const char *root, const char *file,
    const char *key, char *val, size_t vallen, char *where, size_t wherelen, int depth,
    bool *stop);

static void
trim_inplace(char **s)
{
	char *e;

	while (**s == ' ' || **s == '\t')
		(*s)++;
	e = *s + strlen(*s);
	while (e > *s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = '\0';
}

/* sshd Include: each pattern, relative to /etc/ssh, globbed under root. */
static int
sshd_include(const struct kv_format *f, const char *root, const char *patterns,
    const char *key, char *val, size_t vallen, char *where, size_t wherelen, int depth,
    bool *found_last)
{
	char list[VALUE_MAX], *pat, *save;
	size_t rootlen = strlen(root);
	int found = 0;

	while (rootlen > 1 && root[rootlen - 1] == '/')
		rootlen--;
	if (strcmp(root, "/") == 0)
		rootlen = 0;
	snprintf(list, sizeof(list), "%s", patterns);
	for (pat = strtok_r(list, " \t", &save); pat && !found; pat = strtok_r(NULL, " \t", &save)) {
		char abs[VALUE_MAX + 16], full[4096];
		glob_t g;

		snprintf(abs, sizeof(abs), "%s%s", *pat == '/' ? "" : "/etc/ssh/", pat);
		if (hostfs_path(root, abs, full, sizeof(full)) < 0)
			continue;
		if (glob(full, 0, NULL, &g) != 0)
			continue;
		for (size_t i = 0; i < g.gl_pathc && !found; i++) {
			bool stop = false;
			int rc = kv_lookup(f, root, g.gl_pathv[i] + rootlen, key, val, vallen, where,
			    wherelen, depth + 1, &stop);

			if (rc == 1)
				found = 1;
		}
		globfree(&g);
	}
	*found_last = found;
	return found;
}

static int
kv_lookup(const struct kv_format *f, const char *root, const char *file, const char *key,
    char *val, size_t vallen, char *where, size_t wherelen, int depth, bool *stop)
{
	char *text, *cur, *line;
	int found = 0, lineno = 0;

	if (depth > INCLUDE_DEPTH)
		return 0;
	if ((text = hostfs_read(root, file, 4u * 1024 * 1024, NULL)) == NULL)
		return errno == ENOENT || errno == ENOTDIR ? -1 : -2;
	cur = text;
	while ((line = hostfs_next_line(&cur)) != NULL) {
		char *k, *v;
		size_t kl;

		lineno++;
		trim_inplace(&line);
		if (*line == '#' || *line == '\0')
			continue;
		k = line;
		kl = f->sep == '=' ? strcspn(k, "= \t") : strcspn(k, f->sshd ? " \t=" : " \t");
		v = k + kl;
		while (*v == ' ' || *v == '\t')
			v++;
		if (*v == '=' && (f->sep == '=' || f->sshd))
			v++;
		else if (f->sep == '=' && *v != '\0')
			continue;	/* "key junk": not a setting */
		while (*v == ' ' || *v == '\t')
			v++;
		k[kl] = '\0';
		if (f->sshd && strcasecmp(k, "Match") == 0) {
			*stop = true;	/* what follows is conditional: not the global value */
			break;
		}
		if (f->sshd && strcasecmp(k, "Include") == 0) {
			bool got = false;

			if (sshd_include(f, root, v, key, val, vallen, where, wherelen, depth, &got) &&
			    f->first_wins) {
				found = 1;
				break;
			}
			continue;
		}
		if (f->nocase ? strcasecmp(k, key) != 0 : strcmp(k, key) != 0)
			continue;
		if (f->sshd && *v == '"' && v[1] && v[strlen(v) - 1] == '"') {
			v[strlen(v) - 1] = '\0';
			v++;
		}
		snprintf(val, vallen, "%s", v);
		snprintf(where, wherelen, "%s:%d", file, lineno);
		found = 1;
		if (f->first_wins)
			break;
	}
	free(text);
	return found;
}

/* sysctl: the running value from /proc/sys, whitespace collapsed. */
static int
lookup_sysctl(const char *root, const json_t *t, char *val, size_t vallen, char *where,
    size_t wherelen)
{
	const char *key = arg_str(t, "key", "");
	char path[512], *text, *w, *p;
	size_t i;

	snprintf(path, sizeof(path), "/proc/sys/%s", key);
	for (i = strlen("/proc/sys/"); path[i]; i++)
		if (path[i] == '.')
			path[i] = '/';
	if (strstr(key, "..") || strchr(key, '/'))
		return -2;
	if ((text = hostfs_read(root, path, 65536, NULL)) == NULL)
		return errno == ENOENT ? -1 : -2;
	for (p = text, w = text; *p; p++) {
		if (*p == ' ' || *p == '\t' || *p == '\n') {
			if (w > text && w[-1] != ' ')
				*w++ = ' ';
		} else {
			*w++ = *p;
		}
	}
	while (w > text && w[-1] == ' ')
		w--;
	*w = '\0';
	snprintf(val, vallen, "%s", text);
	snprintf(where, wherelen, "%s", path);
	free(text);
	return 1;
}

static const struct kv_format kv_formats[] = {
	{ "sshd", ' ', true, true, true, NULL },
	{ "login.defs", ' ', false, false, false, NULL },
	{ "keyvalue", '=', false, false, false, NULL },	/* pwquality.conf, faillock.conf */
	{ "sysctl", 0, false, false, false, lookup_sysctl },
};

static const struct kv_format *
find_format(const char *name)
{
	for (size_t i = 0; name && i < sizeof(kv_formats) / sizeof(kv_formats[0]); i++)
		if (strcmp(name, kv_formats[i].name) == 0)
			return &kv_formats[i];
	return NULL;
}

/* Look key up in file with format f; the common path of config_value and
 * pam_option's configuration file. */
static int
format_lookup(const struct kv_format *f, const char *root, const json_t *t, const char *file,
    const char *key, char *val, size_t vallen, char *where, size_t wherelen)
{
	bool stop = false;

	if (f->lookup)
		return f->lookup(root, t, val, vallen, where, wherelen);
	return kv_lookup(f, root, file, key, val, vallen, where, wherelen, 0, &stop);
}

/* The key is missing: its documented default, or the if_missing status. */
static void
missing_key(struct probe_result *r, const json_t *t, const char *file, const char *key)
{
	const json_t *d = json_object_get(t, "default");
	char dv[VALUE_MAX], where[WHERE_MAX];

	if (d && expected_text(d, dv, sizeof(dv)) == 0) {
		snprintf(where, sizeof(where), "%s not set in %s: built-in default", key, file);
		judge(r, t, dv, dv, where);
		return;
	}
	result(r, arg_status(t, "if_missing", PROBE_FAIL), NULL, "%s not set in %s", key, file);
}

static void
probe_config_value(const char *root, const json_t *t, struct probe_result *r)
{
	const struct kv_format *f = find_format(arg_str(t, "format", NULL));
	const char *file = arg_str(t, "file", ""), *key = arg_str(t, "key", "");
	const json_t *d = json_object_get(t, "default");
	char val[VALUE_MAX], where[WHERE_MAX], dv[VALUE_MAX] = "";
	int rc;

	rc = format_lookup(f, root, t, file, key, val, sizeof(val), where, sizeof(where));
	if (rc == -1) {
		if (f->lookup)
			result(r, arg_status(t, "if_file_missing", PROBE_NA), NULL,
			    "%s is not available on this kernel", key);
		else
			result(r, arg_status(t, "if_file_missing", PROBE_NA), NULL,
			    "%s does not exist", file);
		return;
	}
	if (rc == -2) {
		result(r, PROBE_ERROR, NULL, "cannot read %s: %s", f->lookup ? key : file,
		    strerror(errno));
		return;
	}
	if (rc == 0) {
		missing_key(r, t, file, key);
		return;
	}
	if (d)
		expected_text(d, dv, sizeof(dv));
	judge(r, t, val, dv, where);
}

/* ---- pam_option ---- */

/* The first line of type with one of modules in a PAM file, following
 * @include and include/substack. 1 found (line copied), 0 not, -1 missing. */
static int
pam_find(const char *root, const char *file, const char *type, const json_t *modules,
    char *line_out, size_t linelen, char *where, size_t wherelen, int depth)
{
	char *text, *cur, *line;
	int lineno = 0, found = 0;

	if (depth > INCLUDE_DEPTH)
		return 0;
	if ((text = hostfs_read(root, file, 1024 * 1024, NULL)) == NULL)
		return -1;
	cur = text;
	while (!found && (line = hostfs_next_line(&cur)) != NULL) {
		char copy[2048], *tok[3], *save = NULL, *rest, inc[600];
		size_t n = 0;

		lineno++;
		trim_inplace(&line);
		if (*line == '#' || *line == '\0')
			continue;
		snprintf(copy, sizeof(copy), "%s", line);
		if (strncmp(copy, "@include", 8) == 0 && (copy[8] == ' ' || copy[8] == '\t')) {
			rest = copy + 9;
			trim_inplace(&rest);
			snprintf(inc, sizeof(inc), "/etc/pam.d/%s", rest);
			found = pam_find(root, inc, type, modules, line_out, linelen, where, wherelen,
			    depth + 1) == 1;
			continue;
		}
		/* type control module args; a [...] control may hold spaces */
		tok[n++] = strtok_r(copy, " \t", &save);
		if (tok[0] && save && *save == '[') {
			char *close = strchr(save, ']');

			if (close == NULL)
				continue;
			*close = '\0';
			tok[n++] = save;
			save = close + 1;
			tok[n++] = strtok_r(NULL, " \t", &save);
		} else {
			tok[n++] = strtok_r(NULL, " \t", &save);
			tok[n++] = strtok_r(NULL, " \t", &save);
		}
		if (!tok[0] || !tok[1] || !tok[2])
			continue;
		if (strcmp(tok[0] + (*tok[0] == '-'), type) != 0)
			continue;
		if (strcmp(tok[1], "include") == 0 || strcmp(tok[1], "substack") == 0) {
			snprintf(inc, sizeof(inc), "/etc/pam.d/%s", tok[2]);
			found = pam_find(root, inc, type, modules, line_out, linelen, where, wherelen,
			    depth + 1) == 1;
			continue;
		}
		{
			const char *base = strrchr(tok[2], '/');
			size_t i;
			json_t *m;

			base = base ? base + 1 : tok[2];
			json_array_foreach(modules, i, m)
				if (json_is_string(m) && strcmp(base, json_string_value(m)) == 0) {
					snprintf(line_out, linelen, "%s", line);
					snprintf(where, wherelen, "%s:%d", file, lineno);
					found = 1;
				}
		}
	}
	free(text);
	return found;
}

static void
probe_pam_option(const char *root, const json_t *t, struct probe_result *r)
{
	const json_t *files = json_object_get(t, "files"), *f;
	const char *option = arg_str(t, "option", ""), *conf = arg_str(t, "conf", NULL);
	char line[2048], where[WHERE_MAX], val[VALUE_MAX], *tok, *save;
	const char *file = NULL;
	bool have = false;
	size_t i;
	int rc = -1;

	json_array_foreach(files, i, f) {
		if (!json_is_string(f))
			continue;
		rc = pam_find(root, json_string_value(f), arg_str(t, "type", "password"),
		    json_object_get(t, "modules"), line, sizeof(line), where, sizeof(where), 0);
		if (rc >= 0) {
			file = json_string_value(f);
			break;
		}
	}
	if (rc < 0) {
		result(r, arg_status(t, "if_file_missing", PROBE_NA), NULL,
		    "none of the PAM files exists");
		return;
	}
	if (rc == 0) {
		result(r, arg_status(t, "if_module_missing", PROBE_FAIL), NULL,
		    "no %s line with the module in %s", arg_str(t, "type", "password"), file);
		return;
	}
	/* Module arguments override the module's configuration file. */
	for (tok = strtok_r(line, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save)) {
		size_t ol = strlen(option);

		if (strncmp(tok, option, ol) == 0 && tok[ol] == '=') {
			snprintf(val, sizeof(val), "%s", tok + ol + 1);
			have = true;
		}
	}
	if (have) {
		judge(r, t, val, NULL, where);
		return;
	}
	if (conf) {
		char cwhere[WHERE_MAX];

		rc = format_lookup(find_format("keyvalue"), root, t, conf, option, val, sizeof(val),
		    cwhere, sizeof(cwhere));
		if (rc == 1) {
			judge(r, t, val, NULL, cwhere);
			return;
		}
	}
	missing_key(r, t, conf ? conf : file, option);
}

/* ---- file_mode, path_exists ---- */

static void
probe_file_mode(const char *root, const json_t *t, struct probe_result *r)
{
	const char *path = arg_str(t, "path", "");
	const json_t *uid = json_object_get(t, "owner_uid");
	char full[4096], actual[64], *end;
	unsigned long max = strtoul(arg_str(t, "max_mode", "0"), &end, 8);
	struct stat st;

	if (hostfs_path(root, path, full, sizeof(full)) < 0 || stat(full, &st) < 0) {
		result(r, errno == ENOENT ? arg_status(t, "if_missing", PROBE_NA) : PROBE_ERROR,
		    NULL, "%s: %s", path, strerror(errno));
		return;
	}
	snprintf(actual, sizeof(actual), "%04o uid %u gid %u", (unsigned)(st.st_mode & 07777),
	    (unsigned)st.st_uid, (unsigned)st.st_gid);
	if ((st.st_mode & 07777 & ~max) != 0)
		result(r, PROBE_FAIL, json_string(actual), "%s has mode %04o, more than %04lo", path,
		    (unsigned)(st.st_mode & 07777), max);
	else if (uid && json_integer_value(uid) != (json_int_t)st.st_uid)
		result(r, PROBE_FAIL, json_string(actual), "%s is owned by uid %u, not %lld", path,
		    (unsigned)st.st_uid, (long long)json_integer_value(uid));
	else
		result(r, PROBE_PASS, json_string(actual), "%s", path);
}

static void
probe_path_exists(const char *root, const json_t *t, struct probe_result *r)
{
	const char *path = arg_str(t, "path", "");

	if (hostfs_exists(root, path))
		result(r, PROBE_PASS, json_true(), "%s exists", path);
	else
		result(r, PROBE_FAIL, json_false(), "%s does not exist", path);
}

/* ---- passwd_scan: a table of account scans ---- */

static json_t *
scan_empty_password(json_t *users)
{
	json_t *bad = json_array(), *u;
	size_t i;

	json_array_foreach(users, i, u)
		if (strcmp(json_string_value(json_object_get(u, "password")), "empty") == 0)
			json_array_append(bad, json_object_get(u, "name"));
	return bad;
}

static json_t *
scan_uid0(json_t *users)
{
	json_t *bad = json_array(), *u;
	size_t i;

	json_array_foreach(users, i, u)
		if (json_integer_value(json_object_get(u, "uid")) == 0 &&
		    strcmp(json_string_value(json_object_get(u, "name")), "root") != 0)
			json_array_append(bad, json_object_get(u, "name"));
	return bad;
}

static json_t *
scan_duplicate_uid(json_t *users)
{
	json_t *bad = json_array(), *u, *v;
	size_t i, j;

	json_array_foreach(users, i, u)
		for (j = 0; j < i; j++) {
			v = json_array_get(users, j);
			if (json_integer_value(json_object_get(u, "uid")) ==
			    json_integer_value(json_object_get(v, "uid"))) {
				json_array_append(bad, json_object_get(u, "name"));
				break;
			}
		}
	return bad;
}

static const struct passwd_scan {
	const char *name;
	json_t *(*scan)(json_t *users);	/* the offending account names */
	const char *what;
} passwd_scans[] = {
	{ "empty_password", scan_empty_password, "accounts with an empty password" },
	{ "uid0", scan_uid0, "accounts other than root with UID 0" },
	{ "duplicate_uid", scan_duplicate_uid, "accounts sharing a UID with an earlier one" },
};

static const struct passwd_scan *
find_scan(const char *name)
{
	for (size_t i = 0; name && i < sizeof(passwd_scans) / sizeof(passwd_scans[0]); i++)
		if (strcmp(name, passwd_scans[i].name) == 0)
			return &passwd_scans[i];
	return NULL;
}

static void
probe_passwd_scan(const char *root, const json_t *t, struct probe_result *r)
{
	const struct passwd_scan *s = find_scan(arg_str(t, "scan", NULL));
	json_t *users = hostfs_users(root), *bad;

	if (users == NULL) {
		result(r, PROBE_ERROR, NULL, "cannot read /etc/passwd: %s", strerror(errno));
		return;
	}
	bad = s->scan(users);
	json_decref(users);
	if (json_array_size(bad) > 0)
		result(r, PROBE_FAIL, bad, "%s", s->what);
	else
		result(r, PROBE_PASS, bad, "no %s", s->what);
}

/* ---- file tree walks: world_writable, suid_inventory ---- */

struct walk {
	const char *root;
	size_t rootlen;		/* of the root prefix in path */
	dev_t dev;
	size_t entries;
	bool truncated;
	const json_t *test;
	json_t *found;		/* offending or inventoried paths */
	json_t *outside;	/* suid_inventory: not allowed */
	void (*visit)(struct walk *w, const char *path, const struct stat *st);
};

static void
walk_dir(struct walk *w, char *path, size_t len, size_t cap, int depth)
{
	struct dirent *de;
	DIR *d;

	if (depth > 64 || (d = opendir(path)) == NULL)
		return;
	while ((de = readdir(d)) != NULL && !w->truncated) {
		size_t nl = strlen(de->d_name);
		struct stat st;

		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (len + 1 + nl >= cap)
			continue;
		if (++w->entries > WALK_MAX_FILES) {
			w->truncated = true;
			break;
		}
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		path[len] = '/';
		memcpy(path + len + 1, de->d_name, nl + 1);
		w->visit(w, path + w->rootlen, &st);
		if (S_ISDIR(st.st_mode) && st.st_dev == w->dev)
			walk_dir(w, path, len + 1 + nl, cap, depth + 1);
		path[len] = '\0';
	}
	closedir(d);
}

/* Walk each of the test's "paths" under root, not following symbolic links
 * (a path that is itself a link, like /bin on merged-/usr, is walked
 * through its target's own entry) and not crossing file systems. */
static void
walk_paths(struct walk *w, const char *root, const json_t *t)
{
	char path[4096];
	struct stat st;
	size_t i;
	json_t *p;

	w->root = root;
	hostfs_path(root, "/", path, sizeof(path));
	w->rootlen = strlen(path) - 1;
	json_array_foreach(json_object_get(t, "paths"), i, p) {
		if (!json_is_string(p) || hostfs_path(root, json_string_value(p), path, sizeof(path)) < 0)
			continue;
		while (strlen(path) > w->rootlen + 1 && path[strlen(path) - 1] == '/')
			path[strlen(path) - 1] = '\0';
		if (lstat(path, &st) < 0 || !S_ISDIR(st.st_mode))
			continue;
		w->dev = st.st_dev;
		w->visit(w, path + w->rootlen, &st);
		walk_dir(w, path, strlen(path), sizeof(path), 0);
	}
}

static bool
listed(const json_t *patterns, const char *path)
{
	size_t i;
	json_t *p;

	json_array_foreach(patterns, i, p)
		if (json_is_string(p) && fnmatch(json_string_value(p), path, FNM_PATHNAME) == 0)
			return true;
	return false;
}

static void
add_path(json_t *list, const char *path)
{
	json_t *s = json_string(path);

	if (s == NULL)	/* not UTF-8: still reported, escaped */
		s = json_stringn_nocheck(path, strlen(path));
	if (json_array_size(list) < REPORT_MAX)
		json_array_append_new(list, s);
	else
		json_decref(s);
}

static void
visit_world_writable(struct walk *w, const char *path, const struct stat *st)
{
	if (S_ISLNK(st->st_mode) || !(st->st_mode & S_IWOTH))
		return;
	if (S_ISDIR(st->st_mode) && (st->st_mode & S_ISVTX))
		return;		/* /tmp-like: sticky, so users cannot touch others' files */
	if (listed(json_object_get(w->test, "exclude"), path))
		return;
	add_path(w->found, path);
}

static void
probe_world_writable(const char *root, const json_t *t, struct probe_result *r)
{
	struct walk w = { .test = t, .found = json_array(), .visit = visit_world_writable };

	walk_paths(&w, root, t);
	if (w.truncated)
		result(r, PROBE_ERROR, w.found, "stopped after %d entries", WALK_MAX_FILES);
	else if (json_array_size(w.found) > 0)
		result(r, PROBE_FAIL, w.found, "world-writable files or directories without the "
		    "sticky bit (first %d listed)", REPORT_MAX);
	else
		result(r, PROBE_PASS, w.found, "no world-writable files in the scanned paths");
}

static void
visit_suid(struct walk *w, const char *path, const struct stat *st)
{
	if (!S_ISREG(st->st_mode) || !(st->st_mode & (S_ISUID | S_ISGID)))
		return;
	add_path(w->found, path);
	if (!listed(json_object_get(w->test, "allow"), path))
		add_path(w->outside, path);
}

static void
probe_suid_inventory(const char *root, const json_t *t, struct probe_result *r)
{
	struct walk w = { .test = t, .found = json_array(), .outside = json_array(),
		.visit = visit_suid };

	walk_paths(&w, root, t);
	if (w.truncated) {
		result(r, PROBE_ERROR, w.found, "stopped after %d entries", WALK_MAX_FILES);
		json_decref(w.outside);
		return;
	}
	result(r, json_array_size(w.outside) ? PROBE_FAIL : PROBE_PASS, w.found, "%s",
	    json_array_size(w.outside) ? "SUID/SGID files outside the allow-list" :
	    "every SUID/SGID file is on the allow-list");
	if (json_array_size(w.outside)) {
		json_decref(r->evidence);
		r->evidence = w.outside;
	} else {
		json_decref(w.outside);
	}
}

/* ---- service_active ---- */

/* A running process named in the test's "processes" (by /proc/PID/comm).
 * systemd's state under /run is not used: a failed unit keeps its files,
 * while a process either runs or does not. */
static void
probe_service_active(const char *root, const json_t *t, struct probe_result *r)
{
	const json_t *names = json_object_get(t, "processes");
	char dir[4096];
	struct dirent *de;
	DIR *d;

	if (hostfs_path(root, "/proc", dir, sizeof(dir)) < 0 || (d = opendir(dir)) == NULL) {
		result(r, PROBE_ERROR, NULL, "cannot list /proc");
		return;
	}
	while ((de = readdir(d)) != NULL) {
		char comm[64], *text, *end;
		long pid = strtol(de->d_name, &end, 10);
		size_t i;
		json_t *n;

		if (*end || pid <= 0)
			continue;
		snprintf(comm, sizeof(comm), "/proc/%ld/comm", pid);
		if ((text = hostfs_read(root, comm, 4096, NULL)) == NULL)
			continue;
		text[strcspn(text, "\n")] = '\0';
		json_array_foreach(names, i, n)
			if (json_is_string(n) && strcmp(text, json_string_value(n)) == 0) {
				result(r, PROBE_PASS, json_string(text), "pid %ld (%s) is running", pid,
				    text);
				free(text);
				closedir(d);
				return;
			}
		free(text);
	}
	closedir(d);
	{
		char *names_text = json_dumps(names, JSON_COMPACT);

		result(r, PROBE_FAIL, NULL, "no process named %s is running",
		    names_text ? names_text : "?");
		free(names_text);
	}
}

/* ---- listening ---- */

static bool
port_allowed(const json_t *allow, json_int_t port)
{
	size_t i;
	json_t *p;

	json_array_foreach(allow, i, p)
		if (json_integer_value(p) == port)
			return true;
	return false;
}

static void
probe_listening(const char *root, const json_t *t, struct probe_result *r)
{
	json_t *socks = sockets_listening(root, true), *s, *all, *bad;
	const json_t *allow = json_object_get(t, "allow_ports");
	bool skip_lo = !json_is_false(json_object_get(t, "ignore_loopback"));
	size_t i;

	if (socks == NULL) {
		result(r, PROBE_ERROR, NULL, "cannot read /proc/net/{tcp,tcp6,udp,udp6}");
		return;
	}
	all = json_array();
	bad = json_array();
	json_array_foreach(socks, i, s) {
		const char *addr = json_string_value(json_object_get(s, "addr"));
		json_int_t port = json_integer_value(json_object_get(s, "port"));
		const char *proc = json_string_value(json_object_get(s, "process"));
		char text[160];

		if (skip_lo && sockets_is_loopback(addr))
			continue;
		snprintf(text, sizeof(text), "%s %s%s%s:%lld%s%s%s", json_string_value(
		    json_object_get(s, "proto")), strchr(addr, ':') ? "[" : "", addr,
		    strchr(addr, ':') ? "]" : "", (long long)port, proc ? " (" : "",
		    proc ? proc : "", proc ? ")" : "");
		add_path(all, text);
		if (!port_allowed(allow, port))
			add_path(bad, text);
	}
	json_decref(socks);
	if (json_array_size(bad)) {
		result(r, PROBE_FAIL, all, "listening on ports outside the allow-list");
		json_decref(r->evidence);
		r->evidence = bad;
	} else {
		result(r, PROBE_PASS, all, "every listening port is on the allow-list");
		json_decref(bad);
	}
}

/* ---- combinators ---- */

static void
combine(const char *root, const json_t *t, struct probe_result *r, bool any)
{
	int count[4] = { 0 };
	json_t *actual = json_array(), *evidence = json_array(), *sub;
	size_t i;

	json_array_foreach(json_object_get(t, "tests"), i, sub) {
		struct probe_result sr = { 0 };

		probe_run(root, sub, &sr);
		count[sr.status]++;
		json_array_append(actual, sr.actual);
		json_array_append(evidence, sr.evidence);
		probe_result_clear(&sr);
	}
	if (any)
		r->status = count[PROBE_PASS] ? PROBE_PASS : count[PROBE_FAIL] ? PROBE_FAIL :
		    count[PROBE_ERROR] ? PROBE_ERROR : PROBE_NA;
	else
		r->status = count[PROBE_FAIL] ? PROBE_FAIL : count[PROBE_ERROR] ? PROBE_ERROR :
		    count[PROBE_PASS] ? PROBE_PASS : PROBE_NA;
	probe_result_clear(r);
	r->actual = actual;
	r->evidence = evidence;
}

static void
probe_any_of(const char *root, const json_t *t, struct probe_result *r)
{
	combine(root, t, r, true);
}

static void
probe_all_of(const char *root, const json_t *t, struct probe_result *r)
{
	combine(root, t, r, false);
}

/* ---- the table of probe kinds ---- */

/* Argument kinds a probe requires, checked when rules are loaded. */
enum arg_kind { ARG_STR, ARG_ARR, ARG_ANY };

struct arg_spec {
	const char *name;
	enum arg_kind kind;
};

static const struct probe_kind {
	const char *name;
	void (*run)(const char *root, const json_t *t, struct probe_result *r);
	struct arg_spec required[5];
} probe_kinds[] = {
	{ "config_value", probe_config_value,
	  { { "format", ARG_STR }, { "key", ARG_STR }, { "value", ARG_ANY } } },
	{ "pam_option", probe_pam_option,
	  { { "files", ARG_ARR }, { "modules", ARG_ARR }, { "option", ARG_STR }, { "value", ARG_ANY } } },
	{ "file_mode", probe_file_mode, { { "path", ARG_STR }, { "max_mode", ARG_STR } } },
	{ "path_exists", probe_path_exists, { { "path", ARG_STR } } },
	{ "passwd_scan", probe_passwd_scan, { { "scan", ARG_STR } } },
	{ "world_writable", probe_world_writable, { { "paths", ARG_ARR } } },
	{ "suid_inventory", probe_suid_inventory, { { "paths", ARG_ARR }, { "allow", ARG_ARR } } },
	{ "service_active", probe_service_active, { { "processes", ARG_ARR } } },
	{ "listening", probe_listening, { { "allow_ports", ARG_ARR } } },
	{ "any_of", probe_any_of, { { "tests", ARG_ARR } } },
	{ "all_of", probe_all_of, { { "tests", ARG_ARR } } },
};

static const struct probe_kind *
find_kind(const char *name)
{
	for (size_t i = 0; name && i < sizeof(probe_kinds) / sizeof(probe_kinds[0]); i++)
		if (strcmp(name, probe_kinds[i].name) == 0)
			return &probe_kinds[i];
	return NULL;
}

int
probe_validate(const json_t *t, char *err, size_t errlen)
{
	const char *name = arg_str(t, "probe", NULL);
	const struct probe_kind *k = find_kind(name);
	size_t i;
	json_t *sub;

	if (!json_is_object(t) || k == NULL) {
		snprintf(err, errlen, "unknown probe kind \"%s\"", name ? name : "(none)");
		return -1;
	}
	for (i = 0; i < 5 && k->required[i].name; i++) {
		const json_t *v = json_object_get(t, k->required[i].name);

		if (v == NULL || (k->required[i].kind == ARG_STR && !json_is_string(v)) ||
		    (k->required[i].kind == ARG_ARR && !json_is_array(v))) {
			snprintf(err, errlen, "probe %s needs \"%s\" (%s)", name, k->required[i].name,
			    k->required[i].kind == ARG_STR ? "string" :
			    k->required[i].kind == ARG_ARR ? "array" : "value");
			return -1;
		}
	}
	if (strcmp(name, "config_value") == 0) {
		const struct kv_format *f = find_format(arg_str(t, "format", NULL));

		if (f == NULL || (f->lookup == NULL && !json_is_string(json_object_get(t, "file")))) {
			snprintf(err, errlen, "config_value needs a known format and a file");
			return -1;
		}
	}
	if (json_object_get(t, "op") && find_op(arg_str(t, "op", "")) == NULL) {
		snprintf(err, errlen, "unknown op \"%s\"", arg_str(t, "op", "(not a string)"));
		return -1;
	}
	if (strcmp(name, "passwd_scan") == 0 && find_scan(arg_str(t, "scan", NULL)) == NULL) {
		snprintf(err, errlen, "unknown passwd_scan \"%s\"", arg_str(t, "scan", ""));
		return -1;
	}
	json_array_foreach(json_object_get(t, "tests"), i, sub)
		if (probe_validate(sub, err, errlen) < 0)
			return -1;
	return 0;
}

void
probe_run(const char *root, const json_t *test, struct probe_result *r)
{
	char err[256];
	const struct probe_kind *k;

	r->status = PROBE_ERROR;
	if (probe_validate(test, err, sizeof(err)) < 0) {
		result(r, PROBE_ERROR, NULL, "%s", err);
		return;
	}
	k = find_kind(arg_str(test, "probe", NULL));
	k->run(root, test, r);
}
