/*
 * fuzz_waf_normalise: every transform of the WAF's table, and a chain
 * chosen by the first bytes, over arbitrary bytes. No transform may write
 * more than it reads (the engine sizes its buffers on that) or read past
 * its input (ASan sees the exact-size heap copy).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "normalise.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t chain[NORM_MAX_CHAIN];
	size_t n = 0, len = size > 2 ? size - 2 : 0;
	char *in, *out, *a, *b;
	const char *res;

	in = malloc(len + 1);
	out = malloc(len + 1);
	a = malloc(len + 1);
	b = malloc(len + 1);
	if (in == NULL || out == NULL || a == NULL || b == NULL)
		goto done;
	memcpy(in, data + (size - len), len);
	for (size_t k = 0; k < norm_count; k++) {
		out[len] = 0x5A;
		if (norm_table[k].fn(in, len, out) > len || (unsigned char)out[len] != 0x5A)
			abort();
	}
	/* a chain of up to 8 transforms, picked by the first two bytes */
	if (size >= 2) {
		unsigned pick = (unsigned)data[0] << 8 | data[1];

		for (n = 0; n < (size_t)(pick % (NORM_MAX_CHAIN + 1)); n++)
			chain[n] = (uint8_t)((pick >> (n + 3)) % norm_count);
		if (norm_run(chain, n, in, len, a, b, &res) > len)
			abort();
	}
done:
	free(in);
	free(out);
	free(a);
	free(b);
	return 0;
}
