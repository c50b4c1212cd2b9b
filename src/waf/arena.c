/*
 * arena: see arena.h. Heap blocks double in size (at least the request)
 * so a large body costs a handful of mallocs, not one per field.
 */
#include <stdlib.h>
#include <string.h>

#include "arena.h"

struct arena_block {
	struct arena_block *next;
	size_t cap;
	char data[];
};

void
arena_init(struct arena *a, void *buf, size_t cap, size_t limit)
{
	a->buf = buf;
	a->cap = buf != NULL ? cap : 0;
	a->used = 0;
	a->total = 0;
	a->limit = limit;
	a->heap = NULL;
}

void *
arena_alloc(struct arena *a, size_t n)
{
	size_t off = (a->used + 7) & ~(size_t)7;
	struct arena_block *b;
	size_t want;

	if (n == 0)
		n = 1;
	if (off <= a->cap && a->cap - off >= n) {
		a->used = off + n;
		return a->buf + off;
	}
	want = a->cap < 16384 ? 16384 : a->cap * 2;
	if (want < n)
		want = n;
	if (a->total + want > a->limit) {
		if (a->total + n > a->limit)
			return NULL;
		want = n;
	}
	b = malloc(sizeof(*b) + want);
	if (b == NULL)
		return NULL;
	b->cap = want;
	b->next = a->heap;
	a->heap = b;
	a->total += want;
	a->buf = b->data;
	a->cap = want;
	a->used = n;
	return b->data;
}

char *
arena_strndup(struct arena *a, const char *s, size_t n)
{
	char *p = arena_alloc(a, n + 1);

	if (p == NULL)
		return NULL;
	if (n > 0)
		memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

void
arena_release(struct arena *a)
{
	struct arena_block *b, *next;

	if (a == NULL)
		return;
	for (b = a->heap; b != NULL; b = next) {
		next = b->next;
		free(b);
	}
	a->heap = NULL;
	a->buf = NULL;
	a->cap = a->used = a->total = 0;
}
