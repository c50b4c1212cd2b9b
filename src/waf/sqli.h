/*
 * sqli: SQL injection by tokenizing, not by regular expressions. The input
 * is tokenized as it would read in three places of a query (as is, after
 * an open single quote, after an open double quote); the tokens are folded
 * (comments, unary operators, qualified names, function calls, needless
 * parentheses) into a fingerprint, and a fingerprint is an injection when
 * its shape is one a query can be broken with: a string closed and
 * followed by a logic operator and a comparison, UNION SELECT, a stacked
 * statement of valid shape, a comment that cuts the rest of the query, a
 * time or error function used as an operand, ... English that merely
 * contains SQL words ("select your size", "O'Brien", "drop-down menu") does
 * not fold into such shapes.
 */
#ifndef YS_WAF_SQLI_H
#define YS_WAF_SQLI_H

#include <stddef.h>

#define SQLI_FP_MAX 16

struct sqli_result {
	int context;		/* 0 as is, '\'' or '"': where the input was read */
	char fingerprint[SQLI_FP_MAX + 1];
	const char *reason;	/* the shape that matched (static) */
	size_t offset;		/* where the injection starts in the input */
};

/* 1 when s[0..len) is an injection (r filled), 0 otherwise. */
int sqli_detect(const char *s, size_t len, struct sqli_result *r);

/* The folded fingerprint of s read in context q (0, '\'' or '"'); for the
 * tests and for rule authors. Returns its length. */
size_t sqli_fingerprint(const char *s, size_t len, int q, char *fp, size_t fpsize);

#endif
