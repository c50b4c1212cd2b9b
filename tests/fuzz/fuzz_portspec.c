/*
 * fuzz_portspec: libFuzzer harness for the scanner's port-list parser
 * ("1-1024,3306,8080-8090"). Whatever the input, the parser must not
 * crash, and an accepted spec must give an ascending list of ports in
 * 1..65535 without duplicates; a refused one gives no list.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "portscan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s, err[256];
	uint16_t *ports;
	size_t n;

	s = malloc(size + 1);
	if (s == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (portscan_parse_spec(s, &ports, &n, err, sizeof(err)) == 0) {
		if (n == 0 || n > 65535)
			abort();
		for (size_t i = 0; i < n; i++)
			if (ports[i] == 0 || (i > 0 && ports[i - 1] >= ports[i]))
				abort();
		free(ports);
	} else if (ports != NULL || n != 0 || err[0] == '\0') {
		abort();
	}
	free(s);
	return 0;
}
