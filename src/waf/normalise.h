/*
 * normalise: the transforms a rule applies to a field before its operator
 * sees it ("transforms" in a rule). Each is a row in norm_table: a function
 * that writes at most len bytes to out (every transform only shrinks or
 * keeps the length, which the fuzz harness checks), so a chain runs
 * between two buffers of the input's size with no allocation.
 */
#ifndef YS_WAF_NORMALISE_H
#define YS_WAF_NORMALISE_H

#include <stddef.h>
#include <stdint.h>

#define NORM_MAX_CHAIN 8

typedef size_t (*norm_fn)(const char *in, size_t len, char *out);

struct norm_def {
	const char *name;
	norm_fn fn;
	const char *what;	/* one line for docs and errors */
};

extern const struct norm_def norm_table[];
extern const size_t norm_count;

/* Index of the named transform in norm_table, or -1. */
int norm_find(const char *name);

/* Run the chain (indexes into norm_table) over in[0..len). buf_a and buf_b
 * must each hold len bytes; *out points into one of them (or at in when
 * the chain is empty). Returns the output length. */
size_t norm_run(const uint8_t *chain, size_t n, const char *in, size_t len,
    char *buf_a, char *buf_b, const char **out);

/* The single transforms, exported for the unit tests and the detectors. */
size_t norm_urldecode(const char *in, size_t len, char *out);
size_t norm_utf8(const char *in, size_t len, char *out);
size_t norm_htmlentity(const char *in, size_t len, char *out);
size_t norm_htmlattr(const char *in, size_t len, char *out);
size_t norm_path(const char *in, size_t len, char *out);
size_t norm_lower(const char *in, size_t len, char *out);
size_t norm_sqlcomment(const char *in, size_t len, char *out);
size_t norm_htmlcomment(const char *in, size_t len, char *out);
size_t norm_whitespace(const char *in, size_t len, char *out);
size_t norm_nul(const char *in, size_t len, char *out);
size_t norm_cmdline(const char *in, size_t len, char *out);
size_t norm_jsdecode(const char *in, size_t len, char *out);
size_t norm_slashes(const char *in, size_t len, char *out);
size_t norm_base64(const char *in, size_t len, char *out);

#endif
