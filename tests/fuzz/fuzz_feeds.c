/*
 * fuzz_feeds: libFuzzer harness for both vulnerability feed loaders and the
 * CVSS vector scorer. The first byte picks the loader (even: Debian
 * Security Tracker, odd: OSV); the rest is the feed. A feed either fails
 * with a code and a message, or yields rows that each carry a release,
 * package, CVE, advisory and a known status. The input as a string must
 * score -1 or 0..100.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "feeds.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_rows(const json_t *rows)
{
	static const char *const statuses[] = { "fixed", "open", "not_affected", "undetermined",
		"osv", NULL };
	static const char *const keys[] = { "release", "package", "cve", "advisory", NULL };
	json_t *r;
	size_t i;

	json_array_foreach(rows, i, r) {
		const char *st = json_string_value(json_object_get(r, "status"));
		bool known = false;

		for (size_t k = 0; keys[k]; k++)
			if (!json_is_string(json_object_get(r, keys[k])))
				abort();
		for (size_t k = 0; st && statuses[k]; k++)
			known |= strcmp(st, statuses[k]) == 0;
		if (!known)
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ys_err e = { 0 };
	json_t *rows = NULL;
	int64_t packages, advisories;
	char *text;
	int score;

	if (size < 1)
		return 0;
	if ((text = malloc(size)) == NULL)
		return 0;
	memcpy(text, data + 1, size - 1);
	text[size - 1] = '\0';
	if (feeds_parse(data[0] & 1 ? "osv" : "debian-tracker", text, size - 1, &rows, &packages,
	    &advisories, &e) < 0) {
		if (e.code == NULL || rows != NULL || memchr(e.msg, '\0', sizeof(e.msg)) == NULL)
			abort();
	} else {
		if (packages < 0 || advisories < 0)
			abort();
		check_rows(rows);
		json_decref(rows);
	}
	score = feeds_cvss_x10(text);
	if (score < -1 || score > 100)
		abort();
	free(text);
	return 0;
}
