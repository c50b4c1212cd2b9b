/*
 * output: tables and "key: value" lines for human readers, and pretty JSON
 * for --json. Widths are computed in terminal columns, not bytes, so that
 * Chinese tenant and service names line up.
 */
#include "output.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Decodes one UTF-8 sequence (input already valid: jansson checks it). */
static size_t
utf8_next(const unsigned char *s, uint32_t *cp)
{
	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if ((s[0] & 0xe0) == 0xc0 && s[1]) {
		*cp = ((uint32_t)(s[0] & 0x1f) << 6) | (s[1] & 0x3f);
		return 2;
	}
	if ((s[0] & 0xf0) == 0xe0 && s[1] && s[2]) {
		*cp = ((uint32_t)(s[0] & 0x0f) << 12) |
		    ((uint32_t)(s[1] & 0x3f) << 6) | (s[2] & 0x3f);
		return 3;
	}
	if ((s[0] & 0xf8) == 0xf0 && s[1] && s[2] && s[3]) {
		*cp = ((uint32_t)(s[0] & 0x07) << 18) |
		    ((uint32_t)(s[1] & 0x3f) << 12) |
		    ((uint32_t)(s[2] & 0x3f) << 6) | (s[3] & 0x3f);
		return 4;
	}
	*cp = 0xfffd;
	return 1;
}

/* East Asian Wide and Fullwidth blocks; enough for CJK text and without
 * depending on the user's locale as wcwidth() would. */
static const struct { uint32_t lo, hi; } wide_ranges[] = {
	{ 0x1100, 0x115f }, { 0x2e80, 0x303e }, { 0x3041, 0x33ff },
	{ 0x3400, 0x4dbf }, { 0x4e00, 0x9fff }, { 0xa000, 0xa4cf },
	{ 0xac00, 0xd7a3 }, { 0xf900, 0xfaff }, { 0xfe30, 0xfe4f },
	{ 0xff00, 0xff60 }, { 0xffe0, 0xffe6 }, { 0x20000, 0x3fffd },
};

static size_t
cp_width(uint32_t cp)
{
	for (size_t i = 0; i < sizeof(wide_ranges) / sizeof(wide_ranges[0]); i++)
		if (cp >= wide_ranges[i].lo && cp <= wide_ranges[i].hi)
			return 2;
	return 1;
}

size_t
cli_out_width(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t w = 0;
	uint32_t cp;

	while (*p) {
		p += utf8_next(p, &cp);
		w += cp_width(cp);
	}
	return w;
}

static bool
is_control(uint32_t cp)
{
	return cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp <= 0x9f);
}

/* Copy of s with C0/C1 control characters (and so ESC) replaced by '?'. */
static char *
clean(const char *s)
{
	size_t n = strlen(s);
	char *out = malloc(n + 1), *o = out;
	const unsigned char *p = (const unsigned char *)s;
	uint32_t cp;

	if (out == NULL)
		return NULL;
	while (*p) {
		size_t len = utf8_next(p, &cp);

		if (is_control(cp)) {
			*o++ = '?';
		} else {
			memcpy(o, p, len);
			o += len;
		}
		p += len;
	}
	*o = '\0';
	return out;
}

char *
cli_out_cell(const json_t *v)
{
	char *dump, *out;

	if (v == NULL || json_is_null(v))
		return strdup("-");
	if (json_is_string(v))
		return clean(json_string_value(v));
	dump = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
	if (dump == NULL)
		return NULL;
	out = clean(dump);	/* JSON escapes controls already; be sure */
	free(dump);
	return out;
}

int
cli_out_table(FILE *f, const json_t *items, const char *const *cols)
{
	size_t ncols = 0, nrows = json_array_size(items);
	size_t *width = NULL;
	char **cells = NULL;
	int rc = -1;

	while (cols[ncols] != NULL)
		ncols++;
	if (nrows == 0) {
		fputs("(none)\n", f);
		return 0;
	}
	width = calloc(ncols, sizeof(*width));
	cells = calloc(ncols * nrows, sizeof(*cells));
	if (width == NULL || cells == NULL)
		goto out;
	for (size_t c = 0; c < ncols; c++)
		width[c] = strlen(cols[c]);
	for (size_t r = 0; r < nrows; r++) {
		const json_t *row = json_array_get(items, r);

		for (size_t c = 0; c < ncols; c++) {
			char *cell = cli_out_cell(json_object_get(row, cols[c]));
			size_t w;

			if (cell == NULL)
				goto out;
			cells[r * ncols + c] = cell;
			w = cli_out_width(cell);
			if (w > width[c])
				width[c] = w;
		}
	}
	for (size_t c = 0; c < ncols; c++) {
		for (const char *p = cols[c]; *p; p++)
			fputc(*p >= 'a' && *p <= 'z' ? *p - 'a' + 'A' : *p, f);
		if (c + 1 < ncols)
			fprintf(f, "%*s", (int)(width[c] - strlen(cols[c]) + 2), "");
	}
	fputc('\n', f);
	for (size_t r = 0; r < nrows; r++) {
		for (size_t c = 0; c < ncols; c++) {
			const char *cell = cells[r * ncols + c];

			fputs(cell, f);
			if (c + 1 < ncols)
				fprintf(f, "%*s",
				    (int)(width[c] - cli_out_width(cell) + 2), "");
		}
		fputc('\n', f);
	}
	rc = 0;
out:
	if (cells != NULL)
		for (size_t i = 0; i < ncols * nrows; i++)
			free(cells[i]);
	free(cells);
	free(width);
	return rc;
}

static int
object_lines(FILE *f, const json_t *obj, const char *prefix)
{
	const char *key;
	json_t *v;

	json_object_foreach((json_t *)obj, key, v) {
		char *k = clean(key);
		char *cell;
		int rc = 0;

		if (k == NULL)
			return -1;
		if (json_is_object(v) && json_object_size(v) > 0) {
			char *sub;
			size_t n = strlen(prefix) + strlen(k) + 2;

			sub = malloc(n);
			if (sub != NULL) {
				snprintf(sub, n, "%s%s.", prefix, k);
				rc = object_lines(f, v, sub);
			} else {
				rc = -1;
			}
			free(sub);
			free(k);
			if (rc < 0)
				return -1;
			continue;
		}
		cell = cli_out_cell(v);
		if (cell == NULL) {
			free(k);
			return -1;
		}
		fprintf(f, "%s%s: %s\n", prefix, k, cell);
		free(cell);
		free(k);
	}
	return 0;
}

int
cli_out_object(FILE *f, const json_t *obj)
{
	return object_lines(f, obj, "");
}

int
cli_out_json(FILE *f, const json_t *v)
{
	if (json_dumpf(v, f, JSON_INDENT(2) | JSON_ENCODE_ANY) < 0)
		return -1;
	fputc('\n', f);
	return 0;
}
