/*
 * fuzz_waf_xss: the XSS analyser (HTML tags, attributes, URLs, CSS,
 * JavaScript break-outs) over arbitrary bytes; a hit's offset lies inside
 * the input.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "xss.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xss_result r;
	char *s = malloc(size ? size : 1);

	if (s == NULL)
		return 0;
	memcpy(s, data, size);
	if (xss_detect(s, size, &r) && (r.offset > size || r.reason == NULL))
		abort();
	free(s);
	return 0;
}
