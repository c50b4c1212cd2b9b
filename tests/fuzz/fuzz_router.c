/*
 * fuzz_router: libFuzzer harness for everything yunshoud does with a
 * request's bytes before authentication: route matching (ids included),
 * query-string parsing and body validation against the matched route's
 * schemas, and the time filters of the audit routes. The input is split
 * at its first three newlines into method, path, query and body; each part
 * is an exact-size heap copy so that ASan sees any read past its end.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "db.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char *
part(const uint8_t **p, const uint8_t *end, bool last, size_t *len)
{
	const uint8_t *nl = last ? NULL : memchr(*p, '\n', (size_t)(end - *p));
	size_t n = nl ? (size_t)(nl - *p) : (size_t)(end - *p);
	char *s = malloc(n + 1);

	if (s == NULL)
		abort();
	memcpy(s, *p, n);
	s[n] = '\0';
	*p += nl ? n + 1 : n;
	if (len)
		*len = n;
	return s;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *p = data, *end = data + size;
	char *method = part(&p, end, false, NULL), *path = part(&p, end, false, NULL);
	char *query = part(&p, end, false, NULL);
	size_t blen;
	char *body = part(&p, end, true, &blen);
	struct jsonv_error e = { NULL, "" };
	const struct route *rt;
	int64_t id = 0;
	int status = 0;

	rt = api_route_find(method, path, &id, &status);
	if (rt == NULL) {
		if (status != 404 && status != 405)
			abort();
	} else {
		json_t *q, *b;

		if (strstr(rt->path, "{id}") ? id < 1 || id > (1LL << 53) : id != 0)
			abort();
		/* An exact-size body without the NUL, as evbuffer hands it over. */
		b = api_parse_body(rt, body, blen, &e);
		if (b == NULL && e.code == NULL)
			abort();
		e.code = NULL;
		q = api_parse_query(rt, query, &e);
		if (q == NULL && e.code == NULL)
			abort();
		if (q != NULL) {
			const char *since = jsonv_str(q, "since", NULL);
			int64_t t;

			if (since)
				(void)db_time_parse(since, &t);
		}
		json_decref(q);
		json_decref(b);
	}
	(void)db_time_parse(query, &id);
	free(method);
	free(path);
	free(query);
	free(body);
	return 0;
}
