/*
 * arena: the per-request bump allocator of the inspection engine. A
 * request's fields, decoded values and normalised copies live here and are
 * released at once when the verdict is out. The first block is the
 * caller's (usually on its stack) so a typical request does no malloc at
 * all; larger requests chain heap blocks up to a hard cap, after which
 * allocation fails and the engine stops inspecting more data.
 */
#ifndef YS_WAF_ARENA_H
#define YS_WAF_ARENA_H

#include <stddef.h>

struct arena_block;

struct arena {
	char *buf;		/* current block */
	size_t cap, used;
	size_t total;		/* bytes handed out from heap blocks */
	size_t limit;		/* cap on heap bytes */
	struct arena_block *heap;	/* heap blocks, newest first */
};

void arena_init(struct arena *a, void *buf, size_t cap, size_t limit);
/* NULL when the cap is reached or malloc fails. Aligned to 8. */
void *arena_alloc(struct arena *a, size_t n);
char *arena_strndup(struct arena *a, const char *s, size_t n);
void arena_release(struct arena *a);

#endif
