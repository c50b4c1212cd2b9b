/*
 * fuzz_version: libFuzzer harness for the version parsers and comparators.
 * Input: one format byte (mod 3: dpkg, rpm, apk), then two versions split
 * at the first NUL or newline (the second ends at its first NUL). Whatever they hold, the comparison must not
 * crash, must give the same validity either way round, and must be a
 * consistent order: cmp(a,b) == -cmp(b,a) and cmp(a,a) == 0.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "version.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	enum version_format f;
	size_t n, cut = 0, rest;
	char *a, *b, err[256];
	int ab = 9, ba = 9, aa = 9, rc;
	bool valid;

	if (size < 1)
		return 0;
	f = (enum version_format)(data[0] % 3);
	data++;
	n = size - 1;
	while (cut < n && data[cut] != '\n' && data[cut] != '\0')
		cut++;
	a = malloc(n + 2);
	if (a == NULL)
		return 0;
	memcpy(a, data, cut);
	a[cut] = '\0';
	b = a + cut + 1;
	rest = cut < n ? n - cut - 1 : 0;
	memcpy(b, data + cut + 1, rest);
	b[rest] = '\0';

	valid = version_check(f, a, err, sizeof(err)) == 0 &&
	    version_check(f, b, err, sizeof(err)) == 0;
	rc = version_compare(f, a, b, &ab, err, sizeof(err));
	if ((rc == 0) != valid ||
	    version_compare(f, b, a, &ba, err, sizeof(err)) != rc)
		abort();
	if (rc == 0) {
		if (ab < -1 || ab > 1 || ab != -ba)
			abort();
		if (version_compare(f, a, a, &aa, err, sizeof(err)) != 0 || aa != 0)
			abort();
	}
	free(a);
	return 0;
}
