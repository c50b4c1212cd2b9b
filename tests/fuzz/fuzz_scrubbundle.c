/*
 * fuzz_scrubbundle: libFuzzer harness for the scrubber's policy parser
 * (src/scrubber/bundle.c): the input is the "policy" object text; it must
 * parse or be refused with an error, never crash or leak.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bundle.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct scrub_bundle b;
	char err[256];

	if (scrub_bundle_parse_text((const char *)data, size, &b, err, sizeof(err)) == 0) {
		/* Whatever parsed must be self-consistent. */
		for (size_t i = 0; i < b.n_objects; i++)
			if (b.objects[i].n_ips == 0 || b.objects[i].id[0] == '\0')
				abort();
		scrub_bundle_free(&b);
	} else if (err[0] == '\0' || b.objects != NULL) {
		abort();	/* refused without a reason, or leaked */
	}
	return 0;
}
