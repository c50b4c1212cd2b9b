/*
 * fuzz_http: libFuzzer harness for yunshou-waf's HTTP/1.1 parser. The
 * first byte picks requests or responses (and whether the request was
 * HEAD, and whether the peer closes at the end); the second seeds the
 * split points. The input is parsed in one piece and again in random
 * pieces, the way bytes arrive from a socket: whatever the bytes, nothing
 * may crash, and both runs must give the same verdict, error status,
 * message count and bodies.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "httpdrive.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct httpdrive_out one, part;
	static size_t splits[512];
	enum http_kind kind;
	bool to_head, eof, small;
	uint32_t rnd;
	size_t ns = 0;

	if (size < 2)
		return 0;
	kind = data[0] & 1 ? HTTP_RESPONSE : HTTP_REQUEST;
	to_head = (data[0] & 2) != 0;
	eof = (data[0] & 4) != 0;
	small = (data[0] & 8) != 0;
	rnd = data[1] * 2654435761u + 1;
	data += 2;
	size -= 2;
	httpdrive_run(kind, to_head, data, size, NULL, 0, eof, &one);
	for (size_t at = 0; ns < 512;) {
		rnd = rnd * 1103515245u + 12345u;
		at += 1 + (rnd >> 16) % (small ? 3 : 97);
		if (at >= size)
			break;
		splits[ns++] = at;
	}
	httpdrive_run(kind, to_head, data, size, splits, ns, eof, &part);
	if (one.rc != part.rc || one.error_status != part.error_status ||
	    one.messages != part.messages || one.body_len != part.body_len ||
	    memcmp(one.body, part.body, one.body_len) != 0)
		abort();
	if (one.rc == HTTP_ERROR && one.error_status < 400)
		abort();
	return 0;
}
