/*
 * config: a small "key = value" parser driven by a keyword table, like
 * nginx's ngx_command_t. Its input may be hostile (it has a libFuzzer
 * harness), so every line is bounded, NUL bytes are refused and nothing is
 * written to the caller's struct unless the whole text parses: values go
 * into a scratch copy of the struct that is copied back on success.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

struct parser {
	const char *name;
	const struct config_kw *kws;
	size_t nkws;
	size_t *seen;		/* line where kws[i] was set, 0 if not yet */
	unsigned char *scratch;	/* copy of the target struct */
	size_t line;
	char *err;
	size_t errlen;
};

static void
fail_at(struct parser *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
fail_at(struct parser *p, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (p->err == NULL || p->errlen == 0)
		return;
	n = snprintf(p->err, p->errlen, "%s:%zu: ", p->name, p->line);
	if (n < 0 || (size_t)n >= p->errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(p->err + n, p->errlen - (size_t)n, fmt, ap);
	va_end(ap);
}

/* Errors about the whole text carry no line number. */
static void
fail_file(struct parser *p, const char *reason)
{
	if (p->err != NULL && p->errlen > 0)
		snprintf(p->err, p->errlen, "%s: %s", p->name, reason);
}

static int
is_space(char c)
{
	return c == ' ' || c == '\t';
}

static int
is_key_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.';
}

static size_t
field_end(const struct config_kw *kw)
{
	switch (kw->type) {
	case CONFIG_STR:
		return kw->offset + kw->strsz;
	case CONFIG_INT:
		return kw->offset + sizeof(long long);
	case CONFIG_BOOL:
		return kw->offset + sizeof(bool);
	}
	return 0;
}

/*
 * Decode a double-quoted value starting at s (just after the opening quote)
 * into out (NUL-terminated). *end gets the position after the closing quote.
 * Only \" and \\ are escapes: anything else is probably a typo.
 */
static int
unquote(struct parser *p, char *s, char *out, size_t *outlen, char **end)
{
	size_t n = 0;

	for (;;) {
		if (*s == '\0') {
			fail_at(p, "unterminated quoted string");
			return -1;
		}
		if (*s == '"')
			break;
		if (*s == '\\') {
			s++;
			if (*s != '"' && *s != '\\') {
				fail_at(p, "invalid escape in quoted string "
				    "(only \\\" and \\\\ are allowed)");
				return -1;
			}
		}
		out[n++] = *s++;
	}
	out[n] = '\0';
	*outlen = n;
	*end = s + 1;
	return 0;
}

static int
set_value(struct parser *p, const struct config_kw *kw, const char *val,
    size_t vlen)
{
	void *field = p->scratch + kw->offset;

	switch (kw->type) {
	case CONFIG_STR:
		if (vlen + 1 > kw->strsz) {
			fail_at(p, "value of '%s' too long (at most %zu bytes)",
			    kw->name, kw->strsz > 0 ? kw->strsz - 1 : 0);
			return -1;
		}
		memcpy(field, val, vlen + 1);
		return 0;
	case CONFIG_INT: {
		long long v;
		char *end;

		if (vlen == 0) {
			fail_at(p, "missing value for '%s'", kw->name);
			return -1;
		}
		/* strtoll would skip leading white space (\f, \v, ...). */
		if ((val[0] < '0' || val[0] > '9') && val[0] != '-' &&
		    val[0] != '+') {
			fail_at(p, "value of '%s' is not an integer", kw->name);
			return -1;
		}
		errno = 0;
		v = strtoll(val, &end, 10);
		if (end == val || *end != '\0') {
			fail_at(p, "value of '%s' is not an integer", kw->name);
			return -1;
		}
		if (errno == ERANGE || v < kw->min || v > kw->max) {
			fail_at(p, "value of '%s' out of range (%lld to %lld)",
			    kw->name, kw->min, kw->max);
			return -1;
		}
		memcpy(field, &v, sizeof(v));
		return 0;
	}
	case CONFIG_BOOL: {
		static const char *const yes[] = { "true", "yes", "on", "1" };
		static const char *const no[] = { "false", "no", "off", "0" };
		bool b;

		for (size_t i = 0; i < 4; i++) {
			if (strcasecmp(val, yes[i]) == 0) {
				b = true;
				goto set_bool;
			}
			if (strcasecmp(val, no[i]) == 0) {
				b = false;
				goto set_bool;
			}
		}
		fail_at(p, "value of '%s' must be true/false, yes/no, on/off "
		    "or 1/0", kw->name);
		return -1;
set_bool:
		memcpy(field, &b, sizeof(b));
		return 0;
	}
	}
	fail_at(p, "key '%s' has an unknown type", kw->name);
	return -1;
}

/* Parse one line (NUL-terminated, no newline, length <= CONFIG_MAX_LINE). */
static int
parse_line(struct parser *p, char *s)
{
	char val[CONFIG_MAX_LINE + 1];
	char *key, *keyend, *v, *end;
	size_t vlen, i;

	while (is_space(*s))
		s++;
	if (*s == '\0' || *s == '#')
		return 0;
	key = s;
	while (is_key_char(*s))
		s++;
	keyend = s;
	while (is_space(*s))
		s++;
	if (keyend == key || *s != '=') {
		fail_at(p, "expected 'key = value'");
		return -1;
	}
	*keyend = '\0';
	s++;
	while (is_space(*s))
		s++;
	if (*s == '"') {
		if (unquote(p, s + 1, val, &vlen, &end) == -1)
			return -1;
		while (is_space(*end))
			end++;
		if (*end != '\0' && *end != '#') {
			fail_at(p, "unexpected text after quoted value");
			return -1;
		}
		v = val;
	} else {
		v = s;
		end = strchr(s, '#');
		if (end == NULL)
			end = s + strlen(s);
		while (end > s && is_space(end[-1]))
			end--;
		*end = '\0';
		vlen = (size_t)(end - s);
	}

	for (i = 0; i < p->nkws; i++)
		if (strcmp(p->kws[i].name, key) == 0)
			break;
	if (i == p->nkws) {
		fail_at(p, "unknown key '%s'", key);
		return -1;
	}
	if (p->seen[i] != 0) {
		fail_at(p, "duplicate key '%s' (first set on line %zu)", key,
		    p->seen[i]);
		return -1;
	}
	if (set_value(p, &p->kws[i], v, vlen) == -1)
		return -1;
	p->seen[i] = p->line;
	return 0;
}

int
config_parse(const char *name, const char *text, size_t len,
    const struct config_kw *kws, void *target, char *err, size_t errlen)
{
	struct parser p = { 0 };
	char line[CONFIG_MAX_LINE + 1];
	size_t size = 0, pos = 0;
	int rc = -1;

	p.name = name != NULL ? name : "config";
	p.kws = kws;
	p.err = err;
	p.errlen = errlen;
	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (kws == NULL || target == NULL || (text == NULL && len > 0)) {
		fail_file(&p, "invalid arguments");
		return -1;
	}
	if (len > CONFIG_MAX_FILE) {
		fail_file(&p, "file larger than 1048576 bytes");
		return -1;
	}
	while (kws[p.nkws].name != NULL) {
		size_t e = field_end(&kws[p.nkws]);

		if (e > size)
			size = e;
		p.nkws++;
	}
	p.seen = calloc(p.nkws + 1, sizeof(*p.seen));
	p.scratch = malloc(size + 1);
	if (p.seen == NULL || p.scratch == NULL) {
		fail_file(&p, "out of memory");
		goto out;
	}
	memcpy(p.scratch, target, size);

	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t llen = (nl != NULL ? (size_t)(nl - text) : len) - pos;

		p.line++;
		if (llen > 0 && text[pos + llen - 1] == '\r')
			llen--;
		if (llen > CONFIG_MAX_LINE) {
			fail_at(&p, "line longer than %d bytes", CONFIG_MAX_LINE);
			goto out;
		}
		if (memchr(text + pos, '\0', llen) != NULL) {
			fail_at(&p, "NUL byte in line");
			goto out;
		}
		memcpy(line, text + pos, llen);
		line[llen] = '\0';
		if (parse_line(&p, line) == -1)
			goto out;
		if (nl == NULL)
			break;
		pos = (size_t)(nl - text) + 1;
	}
	memcpy(target, p.scratch, size);
	rc = 0;
out:
	free(p.seen);
	free(p.scratch);
	return rc;
}

int
config_load(const char *path, const struct config_kw *kws, void *target,
    char *err, size_t errlen)
{
	char *buf = NULL;
	size_t len = 0;
	int fd, rc = -1;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		if (err != NULL && errlen > 0)
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	/* One byte more than allowed, to notice an oversized file. */
	if ((buf = malloc(CONFIG_MAX_FILE + 1)) == NULL) {
		if (err != NULL && errlen > 0)
			snprintf(err, errlen, "%s: out of memory", path);
		goto out;
	}
	for (;;) {
		ssize_t r = read(fd, buf + len, CONFIG_MAX_FILE + 1 - len);

		if (r == -1) {
			if (errno == EINTR)
				continue;
			if (err != NULL && errlen > 0)
				snprintf(err, errlen, "%s: %s", path,
				    strerror(errno));
			goto out;
		}
		if (r == 0)
			break;
		len += (size_t)r;
		if (len > CONFIG_MAX_FILE) {
			if (err != NULL && errlen > 0)
				snprintf(err, errlen, "%s: file larger than %d "
				    "bytes", path, CONFIG_MAX_FILE);
			goto out;
		}
	}
	rc = config_parse(path, buf, len, kws, target, err, errlen);
out:
	free(buf);
	close(fd);
	return rc;
}
