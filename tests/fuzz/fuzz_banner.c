/*
 * fuzz_banner: libFuzzer harness for the service banner matchers (every
 * row of svcid_probes, and svcid_match over all of them). An answer from
 * the network is hostile: whatever it holds, no matcher may read past it,
 * and every field it fills must be a NUL-terminated printable string.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "svcid.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_field(const char *s, size_t cap)
{
	size_t n = strnlen(s, cap);

	if (n == cap)
		abort();
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] >= 0x7f)
			abort();
}

static void
check(const struct svcid_result *r)
{
	check_field(r->service, sizeof(r->service));
	check_field(r->product, sizeof(r->product));
	check_field(r->version, sizeof(r->version));
	check_field(r->banner, sizeof(r->banner));
	if (r->http_status < 0 || r->http_status > 999)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct svcid_result r;
	uint8_t *copy;

	/* An exact-size heap copy, so ASan sees any read past the end. */
	copy = malloc(size ? size : 1);
	if (copy == NULL)
		return 0;
	memcpy(copy, data, size);
	for (const struct svcid_probe *p = svcid_probes; p->name != NULL; p++) {
		memset(&r, 0, sizeof(r));
		r.tls = size > 0 && (data[0] & 1);
		p->match(copy, size, &r);
		check(&r);
	}
	memset(&r, 0, sizeof(r));
	svcid_match(copy, size, &r);
	check(&r);
	free(copy);
	return 0;
}
