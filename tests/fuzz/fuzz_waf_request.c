/*
 * fuzz_waf_request: whole requests through the shipped rules (field
 * extraction of queries, cookies, headers, form, JSON, multipart and XML
 * bodies, every detector, the vectorscan plans). The input is split on
 * NUL-free lines: method, path, query, headers ("Name: value") up to an
 * empty line, then the body; the first byte picks a content type.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "waf.h"
#include "wire.h"

#ifndef YS_SOURCE_DIR
#define YS_SOURCE_DIR "."
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct waf_engine *engine;

static const char *const content_types[] = {
	"application/x-www-form-urlencoded", "application/json",
	"multipart/form-data; boundary=XyZ", "text/xml", "text/plain",
};

/* Next line of buf[*pos..len) (without '\n'), or NULL at the end. */
static char *
next_line(char *buf, size_t len, size_t *pos, size_t *ll)
{
	char *start = buf + *pos, *nl;

	if (*pos >= len)
		return NULL;
	nl = memchr(start, '\n', len - *pos);
	*ll = nl != NULL ? (size_t)(nl - start) : len - *pos;
	*pos += *ll + (nl != NULL);
	return start;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct waf_header h[33];
	struct waf_request r;
	struct waf_verdict v;
	char err[512], *buf, *line;
	size_t pos = 1, ll, dlen;
	uint8_t *dechunked;

	if (engine == NULL && (engine = waf_engine_load_dir(YS_SOURCE_DIR "/rules/waf", err,
	    sizeof(err))) == NULL)
		abort();
	if (size < 1)
		return 0;
	buf = malloc(size);
	if (buf == NULL)
		return 0;
	memcpy(buf, data, size);
	memset(&r, 0, sizeof(r));
	r.method = "GET";
	r.method_len = 3;
	r.path = "/";
	r.path_len = 1;
	r.client_ip = "192.0.2.1";
	if ((line = next_line(buf, size, &pos, &ll)) != NULL) {
		r.method = line;
		r.method_len = ll;
	}
	if ((line = next_line(buf, size, &pos, &ll)) != NULL) {
		r.path = line;
		r.path_len = ll;
	}
	if ((line = next_line(buf, size, &pos, &ll)) != NULL) {
		r.query = line;
		r.query_len = ll;
	}
	h[r.n_headers++] = (struct waf_header){ "Content-Type", 12, content_types[data[0] % 5],
		strlen(content_types[data[0] % 5]) };
	while (r.n_headers < 33 && (line = next_line(buf, size, &pos, &ll)) != NULL && ll > 0) {
		char *colon = memchr(line, ':', ll);
		size_t nl = colon != NULL ? (size_t)(colon - line) : ll;

		h[r.n_headers++] = (struct waf_header){ line, nl, colon != NULL ? colon + 1 : line + ll,
			colon != NULL ? ll - nl - 1 : 0 };
	}
	r.headers = h;
	r.body = (const uint8_t *)buf + pos;
	r.body_len = size - pos;
	if (waf_inspect(engine, NULL, &r, &v) == 0 &&
	    (v.n_matches > WAF_MAX_MATCHES || (v.action == WAF_BLOCK && !v.would_block)))
		abort();
	/* inspect's view of the same request: written back as HTTP/1.1 and
	 * parsed by the proxy's parser; a chunked body comes back de-chunked */
	if (waf_wire_check(&r, NULL, &dechunked, &dlen, err, sizeof(err)) == 0 && dechunked != NULL) {
		if (dlen > r.body_len)
			abort();
		r.body = dechunked;
		r.body_len = dlen;
		(void)waf_inspect(engine, NULL, &r, &v);
		free(dechunked);
	}
	free(buf);
	return 0;
}
