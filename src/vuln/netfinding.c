/*
 * netfinding: the findings list and its JSON form.
 */
#include "netfinding.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
netfinding_printable(char *dst, size_t cap, const void *src, size_t n,
    int one_line)
{
	const unsigned char *s = src;
	size_t o = 0;

	if (cap == 0)
		return;
	for (size_t i = 0; i < n && o + 1 < cap; i++) {
		if (one_line && (s[i] == '\r' || s[i] == '\n'))
			break;
		dst[o++] = (s[i] >= 0x20 && s[i] < 0x7f) ? (char)s[i] : '.';
	}
	dst[o] = '\0';
}

int
netfinding_add(struct netfinding_list *l, const struct netfinding_def *def,
    uint16_t port, const char *fmt, ...)
{
	char raw[sizeof(l->v[0].evidence)];
	struct netfinding *f;
	va_list ap;
	int n;

	if (l->n == l->cap) {
		size_t nc = l->cap ? l->cap * 2 : 8;
		struct netfinding *v = realloc(l->v, nc * sizeof(*v));
		if (v == NULL)
			return -1;
		l->v = v;
		l->cap = nc;
	}
	va_start(ap, fmt);
	n = vsnprintf(raw, sizeof(raw), fmt, ap);
	va_end(ap);
	if (n < 0)
		raw[0] = '\0';
	f = &l->v[l->n++];
	f->def = def;
	f->port = port;
	netfinding_printable(f->evidence, sizeof(f->evidence), raw, strlen(raw), 0);
	return 0;
}

int
netfinding_has(const struct netfinding_list *l, const char *id)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->v[i].def->id, id) == 0)
			return 1;
	return 0;
}

void
netfinding_list_free(struct netfinding_list *l)
{
	if (l == NULL)
		return;
	free(l->v);
	l->v = NULL;
	l->n = l->cap = 0;
}

const char *
netfinding_severity_name(enum netfinding_severity s)
{
	static const char *const names[] = { "low", "medium", "high", "critical" };

	return (unsigned)s < 4 ? names[s] : "medium";
}

const char *
netfinding_severity_zh(enum netfinding_severity s)
{
	static const char *const names[] = { "低危", "中危", "高危", "超危" };

	return (unsigned)s < 4 ? names[s] : "中危";
}

json_t *
netfinding_json(const struct netfinding *f)
{
	const struct netfinding_def *d = f->def;

	return json_pack("{s:s, s:i, s:s, s:s, s:s, s:s, s:s, s:s, s:s}",
	    "id", d->id, "port", (int)f->port,
	    "severity", netfinding_severity_name(d->severity),
	    "severity_zh", netfinding_severity_zh(d->severity),
	    "title_zh", d->title_zh, "title_en", d->title_en,
	    "evidence", f->evidence,
	    "remediation_zh", d->remediation_zh,
	    "remediation_en", d->remediation_en);
}
