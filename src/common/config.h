/*
 * config: "key = value" files. A program describes its keys as a table of
 * struct config_kw (name, type, offset into its config struct, bounds); the
 * parser fills the struct and rejects unknown keys, bad values and
 * duplicates with "file:line: reason". '#' starts a comment; blank lines are
 * ignored; values may be double-quoted (with \" and \\ escapes).
 */
#ifndef YS_CONFIG_H
#define YS_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

enum config_type {
	CONFIG_STR,	/* char array of strsz bytes inside the target struct */
	CONFIG_INT,	/* long long, checked against [min, max] */
	CONFIG_BOOL,	/* bool: true/false, yes/no, on/off, 1/0 */
};

struct config_kw {
	const char *name;
	enum config_type type;
	size_t offset;		/* offsetof(target struct, field) */
	size_t strsz;		/* CONFIG_STR: size of the char array */
	long long min, max;	/* CONFIG_INT bounds, inclusive */
	const char *help;	/* one line for documentation */
};

#define CONFIG_MAX_FILE (1024 * 1024)
#define CONFIG_MAX_LINE 4096

/* Parse text (len bytes, need not be NUL-terminated) into target using the
 * NULL-name-terminated table kws. name is used in messages. Fields not named
 * in the text are left as they were (set defaults before calling).
 * 0 / -1 with err "name:line: reason". */
int config_parse(const char *name, const char *text, size_t len,
    const struct config_kw *kws, void *target, char *err, size_t errlen);
/* Read path (at most CONFIG_MAX_FILE bytes) and parse it. */
int config_load(const char *path, const struct config_kw *kws, void *target,
    char *err, size_t errlen);

#endif
