/*
 * fuzz_waf_sqli: the SQL injection tokenizer and judge over arbitrary
 * bytes, in all three quote contexts; a reported offset lies inside the
 * input and the fingerprint is a short NUL-terminated string.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sqli.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int contexts[] = { 0, '\'', '"' };
	struct sqli_result r;
	char fp[SQLI_FP_MAX + 1];
	char *s = malloc(size ? size : 1);

	if (s == NULL)
		return 0;
	memcpy(s, data, size);
	if (sqli_detect(s, size, &r)) {
		if (r.offset > size || r.reason == NULL || strlen(r.fingerprint) > SQLI_FP_MAX)
			abort();
	}
	for (size_t c = 0; c < 3; c++)
		if (sqli_fingerprint(s, size, contexts[c], fp, sizeof(fp)) > SQLI_FP_MAX ||
		    strlen(fp) > SQLI_FP_MAX)
			abort();
	free(s);
	return 0;
}
