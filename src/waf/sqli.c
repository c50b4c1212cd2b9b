/*
 * sqli: tokenizer, folding and shape judgement (see sqli.h).
 *
 * Token types, one character each, as in the fingerprints:
 *   s string   1 number/NULL/TRUE   n name   v @variable   f function call
 *   k keyword  E statement (SELECT, DROP, ...)   U UNION   B GROUP/ORDER BY
 *   & logic (AND, OR, XOR, &&, ||)   o comparison (=, <>, LIKE, IN, ...)
 *   a arithmetic or unary (+ - * / ! ~ NOT)   c comment   X other
 *   ( ) , ; . as themselves
 * All work is bounded by SQLI_MAX_TOKENS tokens per context.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sqli.h"

#define SQLI_MAX_TOKENS 64
#define WORD_MAX 40

/* word flags */
#define W_FUNC		0x01	/* a function when followed by '(' */
#define W_STRONG	0x02	/* time/error/file functions: an attack as an operand */
#define W_AFTER_STR	0x04	/* clause keyword that may follow a closed string */
#define W_OBJECT	0x08	/* TABLE, DATABASE, ...: what DROP/CREATE act on */

struct sqlword {
	const char *w;
	char type;
	unsigned char flags;
};

static struct sqlword words[] = {
	/* statements */
	{ "select", 'E', 0 }, { "insert", 'E', W_FUNC }, { "update", 'E', 0 },
	{ "delete", 'E', 0 }, { "drop", 'E', 0 }, { "create", 'E', 0 },
	{ "alter", 'E', 0 }, { "truncate", 'E', W_FUNC }, { "exec", 'E', 0 },
	{ "execute", 'E', 0 }, { "declare", 'E', 0 }, { "waitfor", 'E', 0 },
	{ "shutdown", 'E', 0 }, { "copy", 'E', 0 }, { "rename", 'E', 0 }, { "load", 'E', 0 },
	{ "show", 'E', 0 }, { "replace", 'E', W_FUNC }, { "grant", 'E', 0 },
	/* set operations */
	{ "union", 'U', 0 }, { "intersect", 'U', 0 }, { "except", 'U', 0 },
	/* logic */
	{ "and", '&', 0 }, { "or", '&', 0 }, { "xor", '&', 0 },
	/* comparison */
	{ "like", 'o', 0 }, { "rlike", 'o', W_AFTER_STR }, { "regexp", 'o', W_AFTER_STR },
	{ "is", 'o', 0 }, { "in", 'o', 0 }, { "between", 'o', 0 }, { "sounds", 'o', 0 },
	/* arithmetic and unary */
	{ "div", 'a', 0 }, { "mod", 'a', W_FUNC }, { "not", 'a', 0 }, { "collate", 'a', 0 },
	{ "binary", 'a', 0 },
	/* literals */
	{ "null", '1', 0 }, { "true", '1', 0 }, { "false", '1', 0 },
	{ "current_user", '1', W_FUNC }, { "current_timestamp", '1', W_FUNC },
	/* clause and other keywords */
	{ "from", 'k', 0 }, { "where", 'k', W_AFTER_STR }, { "into", 'k', W_AFTER_STR },
	{ "outfile", 'k', 0 }, { "dumpfile", 'k', 0 }, { "limit", 'k', W_AFTER_STR },
	{ "offset", 'k', 0 }, { "having", 'k', W_AFTER_STR }, { "procedure", 'k', W_AFTER_STR | W_OBJECT },
	{ "table", 'k', W_OBJECT }, { "tables", 'k', W_OBJECT }, { "database", 'k', W_OBJECT | W_FUNC },
	{ "databases", 'k', W_OBJECT }, { "schema", 'k', W_OBJECT | W_FUNC },
	{ "user", 'k', W_OBJECT | W_FUNC }, { "function", 'k', W_OBJECT }, { "view", 'k', W_OBJECT },
	{ "index", 'k', W_OBJECT }, { "trigger", 'k', W_OBJECT }, { "login", 'k', W_OBJECT },
	{ "set", 'k', 0 }, { "values", 'k', 0 }, { "as", 'k', 0 }, { "case", 'k', 0 },
	{ "when", 'k', 0 }, { "then", 'k', 0 }, { "else", 'k', 0 }, { "end", 'k', 0 },
	{ "all", 'k', 0 }, { "distinct", 'k', 0 }, { "top", 'k', 0 }, { "join", 'k', 0 },
	{ "on", 'k', 0 }, { "asc", 'k', 0 }, { "desc", 'k', 0 }, { "exists", 'k', W_FUNC },
	{ "delay", 'k', 0 }, { "time", 'k', 0 }, { "data", 'k', 0 }, { "infile", 'k', 0 },
	{ "with", 'k', 0 }, { "by", 'k', 0 }, { "group", 'k', 0 }, { "order", 'k', 0 },
	{ "escape", 'k', 0 }, { "to", 'k', 0 }, { "program", 'k', 0 }, { "nowait", 'k', 0 },
	/* functions an injection uses to wait, raise errors or read files */
	{ "sleep", 'n', W_FUNC | W_STRONG }, { "benchmark", 'n', W_FUNC | W_STRONG },
	{ "pg_sleep", 'n', W_FUNC | W_STRONG }, { "load_file", 'n', W_FUNC | W_STRONG },
	{ "extractvalue", 'n', W_FUNC | W_STRONG }, { "updatexml", 'n', W_FUNC | W_STRONG },
	{ "xp_cmdshell", 'n', W_FUNC | W_STRONG }, { "sys_eval", 'n', W_FUNC | W_STRONG },
	{ "sys_exec", 'n', W_FUNC | W_STRONG }, { "dbms_pipe.receive_message", 'n', W_FUNC | W_STRONG },
	{ "dbms_lock.sleep", 'n', W_FUNC | W_STRONG }, { "utl_inaddr.get_host_name", 'n', W_FUNC | W_STRONG },
	{ "utl_http.request", 'n', W_FUNC | W_STRONG },
	{ "utl_inaddr.get_host_address", 'n', W_FUNC | W_STRONG }, { "dbms_xmlgen.getxml", 'n', W_FUNC | W_STRONG },
	{ "xmltype", 'n', W_FUNC }, { "httpuritype", 'n', W_FUNC | W_STRONG }, { "randomblob", 'n', W_FUNC | W_STRONG },
	{ "geometrycollection", 'n', W_FUNC | W_STRONG }, { "multipoint", 'n', W_FUNC | W_STRONG },
	{ "multilinestring", 'n', W_FUNC | W_STRONG }, { "multipolygon", 'n', W_FUNC | W_STRONG },
	{ "name_const", 'n', W_FUNC | W_STRONG }, { "gtid_subset", 'n', W_FUNC | W_STRONG },
	{ "exp", 'n', W_FUNC }, { "ctxsys.drithsx.sn", 'n', W_FUNC | W_STRONG },
	{ "make_set", 'n', W_FUNC | W_STRONG }, { "elt", 'n', W_FUNC },
	{ "group_concat", 'n', W_FUNC | W_STRONG }, { "information_schema", 'n', 0 },
	/* ordinary functions */
	{ "ascii", 'n', W_FUNC }, { "ord", 'n', W_FUNC }, { "char", 'n', W_FUNC },
	{ "chr", 'n', W_FUNC }, { "concat", 'n', W_FUNC }, { "concat_ws", 'n', W_FUNC },
	{ "substring", 'n', W_FUNC }, { "substr", 'n', W_FUNC }, { "mid", 'n', W_FUNC },
	{ "left", 'n', W_FUNC }, { "right", 'n', W_FUNC }, { "length", 'n', W_FUNC },
	{ "len", 'n', W_FUNC }, { "hex", 'n', W_FUNC }, { "unhex", 'n', W_FUNC },
	{ "lower", 'n', W_FUNC }, { "upper", 'n', W_FUNC }, { "version", 'n', W_FUNC },
	{ "system_user", 'n', W_FUNC }, { "session_user", 'n', W_FUNC }, { "count", 'n', W_FUNC },
	{ "if", 'n', W_FUNC }, { "ifnull", 'n', W_FUNC }, { "iif", 'n', W_FUNC },
	{ "isnull", 'n', W_FUNC }, { "nullif", 'n', W_FUNC }, { "coalesce", 'n', W_FUNC },
	{ "cast", 'n', W_FUNC }, { "convert", 'n', W_FUNC }, { "md5", 'n', W_FUNC },
	{ "sha1", 'n', W_FUNC }, { "rand", 'n', W_FUNC }, { "floor", 'n', W_FUNC },
	{ "instr", 'n', W_FUNC }, { "locate", 'n', W_FUNC }, { "position", 'n', W_FUNC },
	{ "reverse", 'n', W_FUNC }, { "trim", 'n', W_FUNC }, { "strcmp", 'n', W_FUNC },
	{ "char_length", 'n', W_FUNC }, { "bin", 'n', W_FUNC }, { "conv", 'n', W_FUNC },
	{ "abs", 'n', W_FUNC }, { "now", 'n', W_FUNC }, { "sysdate", 'n', W_FUNC },
	{ "db_name", 'n', W_FUNC }, { "user_name", 'n', W_FUNC }, { "host_name", 'n', W_FUNC },
	{ "object_id", 'n', W_FUNC }, { "row", 'n', W_FUNC }, { "to_char", 'n', W_FUNC },
	{ "unicode", 'n', W_FUNC }, { "nchar", 'n', W_FUNC }, { "varchar", 'n', W_FUNC },
	{ "json_extract", 'n', W_FUNC }, { "sqlite_version", 'n', W_FUNC },
};
static const size_t n_words = sizeof(words) / sizeof(words[0]);
static pthread_once_t words_once = PTHREAD_ONCE_INIT;

static int
word_cmp(const void *a, const void *b)
{
	return strcmp(((const struct sqlword *)a)->w, ((const struct sqlword *)b)->w);
}

static void
words_sort(void)
{
	qsort(words, n_words, sizeof(words[0]), word_cmp);
}

static const struct sqlword *
word_find(const char *s, size_t len)
{
	char low[WORD_MAX + 1];
	struct sqlword key;

	if (len == 0 || len > WORD_MAX)
		return NULL;
	for (size_t i = 0; i < len; i++)
		low[i] = (char)(s[i] >= 'A' && s[i] <= 'Z' ? s[i] + 32 : s[i]);
	low[len] = '\0';
	key.w = low;
	return bsearch(&key, words, n_words, sizeof(words[0]), word_cmp);
}

struct tok {
	char type;
	char ch;		/* first character of the token */
	const char *src;	/* the token's text (off, len) */
	unsigned char flags;
	size_t off, len;
	const struct sqlword *w;
};

static int
is_word_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	    c == '_' || c == '$' || c >= 0x80;
}

/* End of a string whose body starts at i, quoted with q; *closed when the
 * closing quote was found. */
static size_t
scan_string(const char *s, size_t len, size_t i, char q, int *closed)
{
	while (i < len) {
		if (s[i] == '\\') {
			i += 2;
			continue;
		}
		if (s[i] == q) {
			if (i + 1 < len && s[i + 1] == q) {
				i += 2;
				continue;
			}
			*closed = 1;
			return i + 1;
		}
		i++;
	}
	*closed = 0;
	return len;
}

static size_t
skip_space(const char *s, size_t len, size_t i)
{
	while (i < len && ((unsigned char)s[i] <= ' ' || (unsigned char)s[i] == 0xA0))
		i++;
	return i;
}

static int
word_is(const char *s, size_t len, size_t i, const char *w)
{
	size_t wl = strlen(w);

	return i + wl <= len && strncasecmp(s + i, w, wl) == 0 &&
	    (i + wl == len || !is_word_char((unsigned char)s[i + wl]));
}

static size_t
word_end(const char *s, size_t len, size_t i)
{
	while (i < len && (is_word_char((unsigned char)s[i]) ||
	    (s[i] == '.' && i + 1 < len && is_word_char((unsigned char)s[i + 1]) &&
	    !(s[i + 1] >= '0' && s[i + 1] <= '9'))))
		i++;
	return i;
}

/* Classify the word s[i..e) (and what follows it: BY, ALL, '('). Returns
 * the end of what was consumed. */
static size_t
word_token(const char *s, size_t len, size_t i, size_t e, struct tok *t)
{
	const struct sqlword *w = word_find(s + i, e - i);
	size_t nx = skip_space(s, len, e);

	t->type = 'n';
	t->w = w;
	/* a name the table lacks called right away, "sys_sleep(6)",
	 * "query_to_xml(": a function; "file (s)" or "one (or two)" stay names */
	if (w == NULL && e < len && s[e] == '(' && e - i >= 3)
		t->type = 'f';
	if (w == NULL)
		return e;
	if ((w->flags & W_FUNC) && nx < len && s[nx] == '(') {
		t->type = 'f';
		t->flags = w->flags;
		return e;
	}
	t->type = w->type;
	t->flags = w->flags;
	if ((strcmp(w->w, "group") == 0 || strcmp(w->w, "order") == 0) && word_is(s, len, nx, "by")) {
		t->type = 'B';
		return nx + 2;
	}
	if (w->type == 'U' && (word_is(s, len, nx, "all") || word_is(s, len, nx, "distinct") ||
	    word_is(s, len, nx, "distinctrow")))
		return word_end(s, len, nx);
	if (strcmp(w->w, "sounds") == 0 && word_is(s, len, nx, "like"))
		return nx + 4;
	return e;
}

/* Tokenize s as read after an open quote q (0: as is). Returns the number
 * of tokens, 0 when the context does not apply (q never closed). */
static size_t
tokenize(const char *s, size_t len, int q, struct tok *t, size_t max)
{
	size_t i = 0, n = 0;
	int exec_comment = 0;

	if (q != 0) {
		int closed;

		i = scan_string(s, len, 0, (char)q, &closed);
		if (!closed)
			return 0;
		t[n++] = (struct tok){ 's', '\'', s, 0, 0, i, NULL };
	}
	while (i < len && n < max) {
		unsigned char c = (unsigned char)s[i];
		struct tok *tk = &t[n];
		size_t start = i;

		if (c <= ' ' || c == 0xA0) {
			i++;
			continue;
		}
		memset(tk, 0, sizeof(*tk));
		tk->off = i;
		tk->ch = (char)c;
		tk->src = s + i;
		if (c == '\'' || c == '"') {
			int closed;

			i = scan_string(s, len, i + 1, (char)c, &closed);
			tk->type = 's';
		} else if (c == '`') {
			const char *e = memchr(s + i + 1, '`', len - i - 1);

			i = e != NULL ? (size_t)(e - s) + 1 : len;
			tk->type = 'n';
		} else if ((c >= '0' && c <= '9') || (c == '.' && i + 1 < len &&
		    s[i + 1] >= '0' && s[i + 1] <= '9')) {
			if (c == '0' && i + 1 < len && (s[i + 1] == 'x' || s[i + 1] == 'X')) {
				i += 2;
				while (i < len && strchr("0123456789abcdefABCDEF", s[i]) != NULL && s[i] != '\0')
					i++;
			} else if (c == '0' && i + 1 < len && (s[i + 1] == 'b' || s[i + 1] == 'B')) {
				i += 2;
				while (i < len && (s[i] == '0' || s[i] == '1'))
					i++;
			} else {
				while (i < len && s[i] >= '0' && s[i] <= '9')
					i++;
				if (i < len && s[i] == '.')
					for (i++; i < len && s[i] >= '0' && s[i] <= '9'; i++)
						;
				if (i + 1 < len && (s[i] == 'e' || s[i] == 'E') &&
				    ((s[i + 1] >= '0' && s[i + 1] <= '9') || s[i + 1] == '+' || s[i + 1] == '-'))
					for (i += 2; i < len && s[i] >= '0' && s[i] <= '9'; i++)
						;
			}
			tk->type = '1';
		} else if (c == '@') {
			i++;
			if (i < len && s[i] == '@')
				i++;
			if (i < len && (s[i] == '\'' || s[i] == '"' || s[i] == '`')) {
				int closed;

				i = scan_string(s, len, i + 1, s[i], &closed);
			} else {
				i = word_end(s, len, i);
			}
			tk->type = 'v';
		} else if (is_word_char(c)) {
			i = word_token(s, len, i, word_end(s, len, i), tk);
		} else if (c == '/' && i + 1 < len && s[i + 1] == '*') {
			if (i + 2 < len && s[i + 2] == '!') {
				i += 3;
				while (i < len && s[i] >= '0' && s[i] <= '9')
					i++;
				exec_comment++;
				continue;
			}
			const char *e = memmem(s + i + 2, len - i - 2, "*/", 2);

			i = e != NULL ? (size_t)(e - s) + 2 : len;
			tk->type = 'c';
		} else if (c == '*' && i + 1 < len && s[i + 1] == '/' && exec_comment > 0) {
			exec_comment--;
			i += 2;
			continue;
		} else if ((c == '-' && i + 1 < len && s[i + 1] == '-') || c == '#') {
			const char *e = memchr(s + i, '\n', len - i);

			i = e != NULL ? (size_t)(e - s) : len;
			tk->type = 'c';
		} else if (i + 1 < len && ((c == '|' && s[i + 1] == '|') || (c == '&' && s[i + 1] == '&'))) {
			i += 2;
			tk->type = '&';
		} else if (i + 2 < len && c == '<' && s[i + 1] == '=' && s[i + 2] == '>') {
			i += 3;
			tk->type = 'o';
		} else if (i + 1 < len && ((c == '<' && (s[i + 1] == '>' || s[i + 1] == '=')) ||
		    (c == '>' && s[i + 1] == '=') || (c == '!' && s[i + 1] == '=') ||
		    (c == '=' && s[i + 1] == '=') || (c == ':' && s[i + 1] == '='))) {
			i += 2;
			tk->type = 'o';
		} else if (c == '=' || c == '<' || c == '>') {
			i++;
			tk->type = 'o';
		} else if (strchr("+-*/%^|&~!", c) != NULL) {
			i++;
			tk->type = 'a';
		} else if (strchr("(),;.", c) != NULL) {
			i++;
			tk->type = (char)c;
		} else {
			i++;
			tk->type = 'X';
		}
		tk->len = i - start;
		n++;
	}
	return n;
}

static int
is_operand(char c)
{
	return c == '1' || c == 's' || c == 'n' || c == 'v' || c == 'f';
}

/* Fold t[0..n) in place; returns the new count. */
static size_t
fold(struct tok *t, size_t n)
{
	size_t o, changed = 1, rounds = 0;

	/* comments in the middle are whitespace; a last one is kept */
	o = 0;
	for (size_t i = 0; i < n; i++)
		if (t[i].type != 'c' || i + 1 == n)
			t[o++] = t[i];
	n = o;
	/* function calls become one operand: f ( ... ) -> f */
	o = 0;
	for (size_t i = 0; i < n; i++) {
		t[o++] = t[i];
		if (t[i].type == 'f' && i + 1 < n && t[i + 1].type == '(') {
			int depth = 0;
			size_t j;

			for (j = i + 1; j < n; j++) {
				if (t[j].type == '(')
					depth++;
				else if (t[j].type == ')' && --depth == 0)
					break;
			}
			i = j;
		}
	}
	n = o;
	while (changed && rounds++ < SQLI_MAX_TOKENS) {
		changed = 0;
		o = 0;
		for (size_t i = 0; i < n; i++) {
			char prev = o > 0 ? t[o - 1].type : 0;

			/* unary operator where an operand is expected, and NOT */
			if (t[i].type == 'a' && (t[i].w != NULL ? strcmp(t[i].w->w, "not") == 0 :
			    (strchr("-+!~", t[i].ch) != NULL && t[i].len == 1 &&
			    (prev == 0 || strchr("&oa(,EkUB;", prev) != NULL)))) {
				changed = 1;
				continue;
			}
			/* qualified names and adjacent strings */
			if ((t[i].type == '.' && prev == 'n' && i + 1 < n && t[i + 1].type == 'n') ||
			    (t[i].type == 's' && prev == 's' && o > 1)) {
				if (t[i].type == '.')
					i++;
				changed = 1;
				continue;
			}
			/* operand (arith) operand -> operand */
			if (t[i].type == 'a' && is_operand(prev) && i + 1 < n &&
			    is_operand(t[i + 1].type)) {
				i++;
				changed = 1;
				continue;
			}
			/* ( operand ) -> operand */
			if (t[i].type == '(' && i + 2 < n && is_operand(t[i + 1].type) &&
			    t[i + 2].type == ')' && prev != 'f') {
				t[o++] = t[i + 1];
				i += 2;
				changed = 1;
				continue;
			}
			t[o++] = t[i];
		}
		n = o;
	}
	return n;
}

static int
word_eq(const struct tok *t, const char *w)
{
	return t->w != NULL && strcmp(t->w->w, w) == 0;
}

static char
type_at(const struct tok *t, size_t n, size_t i)
{
	return i < n ? t[i].type : 0;
}

/* Does the statement at t[i] (an 'E') have the shape of a real one? */
static int
statement_valid(const struct tok *t, size_t n, size_t i)
{
	char a = type_at(t, n, i + 1), b = type_at(t, n, i + 2), c = type_at(t, n, i + 3),
	    d = type_at(t, n, i + 4);
	const struct tok *e = &t[i];

	if (word_eq(e, "select")) {
		if (a == 'k' && (word_eq(&t[i + 1], "all") || word_eq(&t[i + 1], "distinct") ||
		    word_eq(&t[i + 1], "top"))) {
			i++;
			a = b;
			b = c;
			c = d;
			d = type_at(t, n, i + 4);
		}
		if (a == 'k' && word_eq(&t[i + 1], "case"))
			return 1;	/* SELECT CASE WHEN ... */
		if (a == '1' || a == 'v' || a == 'f' || a == 's' || a == '(' ||
		    (a == 'a' && t[i + 1].ch == '*') || (a == 'n' && b == '(' && t[i + 2].off ==
		    t[i + 1].off + t[i + 1].len))
			return 1;	/* ... or a call of a function the table lacks: query_to_xml( */
		if (a == 'k' && word_eq(&t[i + 1], "user") && (b == ',' || (b == 'k' &&
		    word_eq(&t[i + 2], "from"))))
			a = 'n';	/* a column named user: SELECT user,pass FROM admin */
		if (a == 'n' && (b == ',' || (b == 'k' && word_eq(&t[i + 2], "from") && c == 'n' &&
		    (d == 0 || strchr("c;)&UBk", d) != NULL))))
			return 1;
		return 0;
	}
	if (word_eq(e, "insert") || word_eq(e, "replace"))
		return a == 'k' && word_eq(&t[i + 1], "into") && (b == 'n' || b == 'f') &&
		    (c == '(' || c == 'E' || (c == 'k' && word_eq(&t[i + 3], "values"))); /* f: users(a,b) */
	if (word_eq(e, "update"))
		return a == 'n' && b == 'k' && word_eq(&t[i + 2], "set");
	if (word_eq(e, "delete"))
		return a == 'k' && word_eq(&t[i + 1], "from") && b == 'n' &&
		    (c == 0 || strchr("c;k", c) != NULL);
	if (word_eq(e, "drop") || word_eq(e, "create") || word_eq(e, "alter") ||
	    word_eq(e, "truncate") || word_eq(e, "rename") || word_eq(e, "show") ||
	    word_eq(e, "grant"))
		return (a == 'k' && (t[i + 1].flags & W_OBJECT)) ||
		    (word_eq(e, "truncate") && a == 'n' && (b == 0 || b == ';' || b == 'c'));
	if (word_eq(e, "exec") || word_eq(e, "execute"))
		return a == 'f' || a == 'v' || (a == 'n' && (t[i + 1].w != NULL || b == 's' || b == 'v' ||
		    b == 0 || b == 'c' || b == ';'));
	if (word_eq(e, "declare"))
		return a == 'v';
	if (word_eq(e, "waitfor"))
		return a == 'k' && (word_eq(&t[i + 1], "delay") || word_eq(&t[i + 1], "time"));
	if (word_eq(e, "shutdown"))
		return a == 0 || a == 'c' || a == ';' || (a == 'k' && word_eq(&t[i + 1], "with"));
	if (word_eq(e, "copy"))	/* PostgreSQL COPY ... TO PROGRAM / FROM PROGRAM */
		for (size_t j = i + 1; j < n && j < i + 12; j++)
			if (t[j].type == 'k' && word_eq(&t[j], "program"))
				return 1;
	if (word_eq(e, "load"))
		return a == 'k' && word_eq(&t[i + 1], "data");
	return 0;
}

/* Does the comment t[i] really cut the query: short and without the
 * quote that a longer text would go on to use ("'#list')" in code is not)? */
static int
comment_cuts(const struct tok *t, size_t n, size_t i, int q)
{
	(void)n;
	return t[i].len <= 64 && t[i].len > 0 &&
	    memchr(t[i].src, q, t[i].len) == NULL;
}

/* A SELECT at t[i] without FROM, or whose FROM names one table followed
 * by the end of the query or a clause. */
static int
select_from_ok(const struct tok *t, size_t n, size_t i)
{
	for (size_t j = i + 1; j < n && j < i + 12; j++) {
		char nx;

		if (t[j].type != 'k' || !word_eq(&t[j], "from"))
			continue;
		if (type_at(t, n, j + 1) != 'n')
			return type_at(t, n, j + 1) == '(';
		nx = type_at(t, n, j + 2);
		if (nx == '.' && type_at(t, n, j + 3) == 'n')
			nx = type_at(t, n, j + 4);
		return nx == 0 || nx == 'c' || nx == ';' || nx == 'k' || nx == 'B' || nx == 'U' ||
		    nx == ')' || nx == '&';
	}
	return 1;
}

/* After a break-out, is t[i..] an operand of a boolean expression that a
 * query would accept? */
static int
operand_expr(const struct tok *t, size_t n, size_t i, int weak_ok)
{
	char x, y;

	while (i < n && t[i].type == '(')
		i++;
	x = type_at(t, n, i);
	if (x == 'E')
		return statement_valid(t, n, i) || word_eq(&t[i], "select");
	if (!is_operand(x))
		return 0;
	i++;
	while (i < n && t[i].type == ')')
		i++;
	y = type_at(t, n, i);
	if (y == 'o') {
		size_t j = i + 1;

		while (j < n && t[j].type == '(')
			j++;
		if (x == 'n' && type_at(t, n, j) == 'n')
			return weak_ok;
		return is_operand(type_at(t, n, j)) || type_at(t, n, j) == 'E';
	}
	if (x == 'n')
		return 0;
	if (x == 'f')
		return 1;
	return weak_ok && (y == 0 || y == 'c' || y == '&' || y == ';' || y == 'U' || y == 'B' ||
	    (y == 'k' && (t[i].flags & W_AFTER_STR)));
}

/* t[i..] is "literal op literal" of one kind (1=1, 'a'='a', 2>1), maybe
 * in parentheses. */
static int
literal_cmp(const struct tok *t, size_t n, size_t i)
{
	char x, z;

	while (i < n && t[i].type == '(')
		i++;
	x = type_at(t, n, i);
	z = type_at(t, n, i + 2);
	while (i + 2 < n && z == '(' ) {
		i++;
		z = type_at(t, n, i + 2);
	}
	if (type_at(t, n, i + 1) != 'o' || t[i + 1].w != NULL)
		return 0;
	return (x == '1' || x == 's') && (z == '1' || z == 's' || z == 'E');
}

struct shape_ctx {
	const struct tok *t;
	size_t n;
	int q;
};

/* Tokens t[0..i) before a ';' form one operand: 1, 'x', name, 1), 'x')) */
static int
stack_prefix_ok(const struct tok *t, size_t i)
{
	size_t k = 0;

	if (i == 0)
		return 1;
	if (!is_operand(t[0].type))
		return 0;
	k = 1;
	if (k + 1 < i + 1 && t[k].type == 'o' && k + 1 < i && is_operand(t[k + 1].type))
		k += 2;	/* 1=1; DROP ... */
	for (; k < i; k++)
		if (t[k].type != ')')
			return 0;
	return 1;
}

/* Shapes anywhere in the stream. */
static const char *
judge_anywhere(const struct tok *t, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (t[i].type == 'U') {
			size_t j = i + 1;

			/* "UNION -- x\n ALL SELECT": ALL or DISTINCT kept apart by a comment */
			if (type_at(t, n, j) == 'k' && (word_eq(&t[j], "all") || word_eq(&t[j], "distinct")))
				j++;
			if ((type_at(t, n, j) == 'E' && statement_valid(t, n, j)) ||
			    (type_at(t, n, j) == '(' && type_at(t, n, j + 1) == 'E' &&
			    statement_valid(t, n, j + 1)))
				return "union select";
		}
		/* "1; DROP ...", "'); EXEC ...": what precedes the ';' must be
		 * a complete operand, so a ';' deep inside prose or code (a
		 * migration in a diff) is not a stacked query */
		if (t[i].type == ';' && i <= 3 && type_at(t, n, i + 1) == 'E' &&
		    statement_valid(t, n, i + 1) && stack_prefix_ok(t, i))
			return "stacked statement";
		/* x OR 1=1, x AND 'a'='a': a literal comparison joined to an operand */
		if (t[i].type == '&' && i > 0 && (is_operand(t[i - 1].type) || t[i - 1].type == ')') &&
		    literal_cmp(t, n, i + 1))
			return "boolean tautology";
		/* a parenthesised SELECT in an expression or a list: "x, (select ...)" */
		if (t[i].type == '(' && (i == 0 || strchr(",o&(aB", t[i - 1].type) != NULL) &&
		    type_at(t, n, i + 1) == 'E' && word_eq(&t[i + 1], "select") &&
		    statement_valid(t, n, i + 1) && select_from_ok(t, n, i + 1))
			return "subquery";
		if (t[i].type == 'k' && word_eq(&t[i], "case") && type_at(t, n, i + 1) == 'k' &&
		    word_eq(&t[i + 1], "when")) {
			for (size_t j = i + 2; j < n && j < i + 16; j++)
				if (t[j].type == 'k' && word_eq(&t[j], "then"))
					return "CASE WHEN condition";
		}
	}
	return NULL;
}

/* Is there a WHERE at or after t[from]? */
static int
has_where(const struct tok *t, size_t n, size_t from)
{
	for (size_t k = from; k < n; k++)
		if (t[k].type == 'k' && word_eq(&t[k], "where"))
			return 1;
	return 0;
}

/* Shapes that start the stream (after the break-out string, if any). */
static const char *
judge_start(const struct tok *t, size_t n, int q)
{
	size_t i = 0;
	char a, b;

	if (q != 0 || (n > 0 && t[0].type == 's')) {
		/* t[0] is the string the input closes */
		i = 1;
		while (i < n && t[i].type == ')')
			i++;
		a = type_at(t, n, i);
		b = type_at(t, n, i + 1);
		if (a == '&' && operand_expr(t, n, i + 1, q != 0))
			return "string closed, boolean expression";
		if (a == 'o' && q != 0 && is_operand(b) && t[i].w == NULL)
			return "string closed, comparison";
		if (q != 0 && a == 'c' && i + 1 == n && comment_cuts(t, n, i, q))
			return "string closed, rest commented out";
		if (q != 0 && a == ';' && (b == 0 || b == 'c'))
			return "string closed, statement ended";
		/* "' order by 3--": counting columns; a name after it is a sort, and
		 * only with the rest cut ("near 'order by id' at line 1" is an
		 * error message someone pastes) */
		if (a == 'B' && (b == '1' || (b == 'n' && (type_at(t, n, i + 2) == 0 ||
		    type_at(t, n, i + 2) == 'c'))))
			return "string closed, ORDER/GROUP BY";
		/* "x', is_admin=1 WHERE id=1-- ": more assignments of an UPDATE's
		 * SET list, then its WHERE or a comment cutting the rest */
		if (q != 0 && a == ',' && b == 'n' && type_at(t, n, i + 2) == 'o' &&
		    is_operand(type_at(t, n, i + 3)) && (type_at(t, n, n - 1) == 'c' ||
		    has_where(t, n, i + 4)))
			return "string closed, SET list";
		if (a == 'k' && (t[i].flags & W_AFTER_STR) && q != 0 &&
		    (is_operand(b) || b == 'k' || b == '('))
			return "string closed, clause";
		return NULL;
	}
	while (i < n && (t[i].type == '(' || t[i].type == ')'))
		i++;
	a = type_at(t, n, i);
	/* A whole statement on its own ("SELECT name FROM students WHERE
	 * score >= 90") is not an injection: put where a value belongs it is a
	 * syntax error, and it only runs where the application runs what the user
	 * wrote (a BI tool, a SQL exercise, a snippet); subqueries in parentheses
	 * are judged above and below. */
	if (!is_operand(a) || a == 'f')
		return NULL;
	i++;
	while (i < n && t[i].type == ')')
		i++;
	b = type_at(t, n, i);
	if (b == '&') {
		size_t j = i + 1;

		while (j < n && t[j].type == '(')
			j++;
		if (type_at(t, n, j) == 'E' && statement_valid(t, n, j))
			return "boolean subquery";
		if (a != 'n' && type_at(t, n, j) == 'f')
			return "boolean function";
		if (a != 'n' && type_at(t, n, j) == '1' && type_at(t, n, j + 1) == 'c' && j + 2 == n)
			return "boolean, rest commented out";
		if (is_operand(type_at(t, n, j)) && type_at(t, n, j + 1) == 'o') {
			char y = type_at(t, n, j), z = type_at(t, n, j + 2);

			if (is_operand(z) && !(y == 'n' && z == 'n') && !(a == 'n' && (y == 'n' || z == 'n')))
				return "boolean comparison";
			if (z == '(' && type_at(t, n, j + 3) == 'E' && statement_valid(t, n, j + 3))
				return "boolean comparison with a subquery";
		}
		return NULL;
	}
	if (b == 'B' && a == '1' && (type_at(t, n, i + 1) == '1') &&
	    (i + 2 == n || strchr("c,k;", type_at(t, n, i + 2)) != NULL))
		return "ORDER/GROUP BY";
	if (b == 'o') {
		size_t j = i + 1;

		while (j < n && t[j].type == '(')
			j++;
		if (j > i + 1 && type_at(t, n, j) == 'E' && statement_valid(t, n, j))
			return "comparison with a subquery";
	}
	if (b == 'k' && a == '1' && word_eq(&t[i], "procedure"))
		return "PROCEDURE";
	return NULL;
}

/* A strong function used as an operand, from the unfolded tokens. */
static const char *
judge_functions(const struct tok *t, size_t n, int q)
{
	for (size_t i = 0; i < n; i++) {
		char p = 0;

		if (t[i].type == 'f' && (word_eq(&t[i], "if") || word_eq(&t[i], "iif")) &&
		    type_at(t, n, i + 1) == '(') {
			/* if(1=1,...), iif(cond,a,b): a condition, then a comma */
			/* the condition tests literals or functions, not a spreadsheet
			 * cell or column: iif(1=1,...), if(now()=sysdate(),...),
			 * not =IF(C2>100,"high","low") */
			char lhs = 0;
			int depth = 0;

			for (size_t j = i + 2; j < n && j < i + 24; j++) {
				char ty = t[j].type;
				size_t k = j + 2;

				if (ty == '(') {
					depth++;
					continue;
				}
				if (ty == ')') {
					if (depth == 0)
						break;
					depth--;
					continue;
				}
				if (ty == ',' && depth == 0)
					break;
				if (lhs == 0)
					lhs = ty;
				if (lhs == 'n' || ty != 'o')
					continue;
				/* "(substr(user(),1,1)='r')," : the comparison closes
				 * its parentheses, then the comma */
				while (k < n && t[k].type == ')' && depth > 0) {
					k++;
					depth--;
				}
				if (depth == 0 && type_at(t, n, k) == ',')
					return "conditional function";
				break;
			}
		}
		if (t[i].type != 'f' || !(t[i].flags & W_STRONG))
			continue;
		for (size_t k = i; k > 0; k--)
			if (t[k - 1].type != 'c') {
				p = t[k - 1].type;
				break;
			}
		if (p == 0 || strchr("&oa(,EkU;", p) != NULL || (p == 's' && q != 0))
			return "time, error or file function";
	}
	return NULL;
}

/* May a string literal stand after t[k - 1]? After an operator, a
 * keyword, '(' or ',', or a typed literal's name (DATE '2024-10-01',
 * N'x'), which itself follows one of those. Not after a number, a string
 * or a name: "select 1' or '1'='1" read as it is. */
static int
literal_may_follow(const struct tok *t, size_t k)
{
	static const char *const typed[] = { "date", "timestamp", "interval", "n", "x", "b", "e" };
	char p = k > 0 ? t[k - 1].type : 0;

	if (p == 0 || strchr("o&a(,kEUB;c", p) != NULL)
		return 1;
	if (p != 'n' || t[k - 1].w != NULL)
		return 0;
	for (size_t m = 0; m < sizeof(typed) / sizeof(typed[0]); m++)
		if (t[k - 1].len == strlen(typed[m]) &&
		    strncasecmp(t[k - 1].src, typed[m], t[k - 1].len) == 0)
			return k < 2 || strchr("o&a(,kEUB;c", t[k - 2].type) != NULL;
	return 0;
}

/* Does the value start as a whole SELECT (or WITH ... SELECT) statement,
 * comments before it allowed, and read as one to its end? Put where a
 * value belongs that is a syntax error; it runs only where the application
 * runs what the user wrote (a BI tool, a SQL exercise, a snippet), so its
 * UNIONs, subqueries and WHERE 1=1 are not break-outs. Time, error and
 * file functions still count (judge_functions runs first).
 *
 * A SELECT in front does not make the rest of a value SQL someone wrote:
 * the statement must be tokenized to its end (no more than the token
 * bound), close every string and parenthesis it opens, never close one
 * it did not open ("select 1) union select ..." after "id IN ("), and put
 * its strings where literals go ("select 1' or '1'='1" is a string
 * break-out with a SELECT in front). */
static int
whole_statement(const char *s, size_t len, const struct tok *t, size_t n)
{
	struct tok w[SQLI_MAX_TOKENS];
	size_t i = 0, off = 0;
	int depth = 0;

	while (i < n && t[i].type == 'c')
		i++;
	if (!(i < n && t[i].type == 'k' && word_eq(&t[i], "with") && type_at(t, n, i + 1) == 'n' &&
	    type_at(t, n, i + 2) == 'k' && word_eq(&t[i + 2], "as") && type_at(t, n, i + 3) == '(') &&
	    !(i < n && t[i].type == 'E' && word_eq(&t[i], "select") && statement_valid(t, n, i)))
		return 0;
	/* read as written to its end, SQLI_MAX_TOKENS at a time */
	for (;;) {
		size_t m = tokenize(s + off, len - off, 0, w, SQLI_MAX_TOKENS), e;

		for (size_t k = 0; k < m; k++) {
			depth += w[k].type == '(' ? 1 : w[k].type == ')' ? -1 : 0;
			if (depth < 0)
				return 0;
			if (w[k].type == 's') {
				int closed;

				if (w[k].len < 2 || scan_string(w[k].src, w[k].len, 1, w[k].ch, &closed) !=
				    w[k].len || !closed || (k > 0 && !literal_may_follow(w, k)))
					return 0;
			}
		}
		if (m < SQLI_MAX_TOKENS)
			break;
		e = w[m - 1].off + w[m - 1].len;
		if (e == 0)
			break;
		off += e;
	}
	return depth == 0;
}

static size_t
fp_of(const struct tok *t, size_t n, char *fp, size_t fpsize)
{
	size_t k = 0;

	for (; k < n && k + 1 < fpsize; k++)
		fp[k] = t[k].type;
	if (fpsize > 0)
		fp[k] = '\0';
	return k;
}

/* Where a window of SQLI_MAX_TOKENS tokens stops short of the value's
 * end (padding "1+1+1+...+1 union select ..."), the rest is judged in
 * overlapping windows read as written: shapes that stand anywhere
 * (UNION SELECT, tautologies, subqueries, stacked statements, strong
 * functions). Returns the reason, with the window's tokens in t. */
#define SQLI_OVERLAP 16

static const char *
judge_rest(const char *s, size_t len, size_t off, int q, int functions_only, struct tok *t,
    size_t *n, size_t *base)
{
	for (;;) {
		size_t m = tokenize(s + off, len - off, 0, t, SQLI_MAX_TOKENS), next = 0;
		const char *why;

		if (m == 0)
			return NULL;
		if (m == SQLI_MAX_TOKENS)
			next = t[m - SQLI_OVERLAP].off;	/* > 0: tokens are not empty */
		why = judge_functions(t, m, q);
		if (why == NULL && !functions_only) {
			m = fold(t, m);
			why = judge_anywhere(t, m);
		}
		if (why != NULL) {
			*n = m;
			*base = off;
			return why;
		}
		if (next == 0)
			return NULL;
		off += next;
	}
}

/* Is there more of s after the tokens t[0..n) (n == the bound)? Where the
 * next window starts, else 0. */
static size_t
rest_at(const struct tok *t, size_t n)
{
	return n < SQLI_MAX_TOKENS ? 0 : t[n - SQLI_OVERLAP].off;
}

size_t
sqli_fingerprint(const char *s, size_t len, int q, char *fp, size_t fpsize)
{
	struct tok t[SQLI_MAX_TOKENS];
	size_t n;

	pthread_once(&words_once, words_sort);
	n = fold(t, tokenize(s, len, q, t, SQLI_MAX_TOKENS));
	return fp_of(t, n, fp, fpsize);
}

int
sqli_detect(const char *s, size_t len, struct sqli_result *r)
{
	static const int contexts[] = { 0, '\'', '"' };
	struct tok t[SQLI_MAX_TOKENS];

	pthread_once(&words_once, words_sort);
	for (size_t c = 0; c < sizeof(contexts) / sizeof(contexts[0]); c++) {
		int q = contexts[c];
		const char *why;
		size_t n;

		if (q != 0 && memchr(s, q, len) == NULL)
			continue;
		size_t rest, base = 0;
		int whole = 0;

		n = tokenize(s, len, q, t, SQLI_MAX_TOKENS);
		if (n == 0)
			continue;
		rest = rest_at(t, n);
		why = judge_functions(t, n, q);
		if (why == NULL && q == 0 && whole_statement(s, len, t, n))
			whole = 1;	/* SQL someone wrote: a query service, a quiz */
		if (why == NULL && !whole) {
			n = fold(t, n);
			why = judge_anywhere(t, n);
			if (why == NULL)
				why = judge_start(t, n, q);
		}
		if (why == NULL && rest > 0)
			why = judge_rest(s, len, rest, q, whole, t, &n, &base);
		if (why == NULL && whole)
			return 0;
		if (why != NULL) {
			if (r != NULL) {
				r->context = q;
				r->reason = why;
				r->offset = base + (q != 0 && n > 1 && base == 0 ? t[1].off : t[0].off);
				fp_of(t, n, r->fingerprint, sizeof(r->fingerprint));
			}
			return 1;
		}
	}
	return 0;
}
