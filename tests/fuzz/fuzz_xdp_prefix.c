/*
 * fuzz_xdp_prefix: libFuzzer harness for the scrubber's allow/block-list
 * prefix parser (scrub_xdp_parse_prefix: "198.51.100.0/24", "2001:db8::/32"),
 * which reads rules from bundles and the API. Whatever the input, no crash;
 * an accepted prefix has a length <= 128 (>= 96 for IPv4, stored mapped), no
 * host bits set, and formats back to text that parses to the same address.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "xdp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct scrub_prefix p;
	struct scrub_addr again;
	char *s, err[256] = "", text[64];

	s = malloc(size + 1);
	if (s == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (scrub_xdp_parse_prefix(s, &p, err, sizeof(err)) == 0) {
		if (p.len > 128)
			abort();
		for (unsigned bit = p.len; bit < 128; bit++)
			if (p.addr.a[bit / 8] & (0x80 >> (bit % 8)))
				abort();
		scrub_xdp_format_addr(&p.addr, text, sizeof(text));
		if (scrub_xdp_parse_addr(text, &again, err, sizeof(err)) != 0 ||
		    memcmp(&again, &p.addr, sizeof(again)) != 0)
			abort();
	} else if (err[0] == '\0') {
		abort();
	}
	free(s);
	return 0;
}
