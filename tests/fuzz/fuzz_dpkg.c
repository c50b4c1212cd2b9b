/*
 * fuzz_dpkg: libFuzzer harness for the inventory's package database
 * parsers. The input is taken as a dpkg status file and as rpm query
 * output. Whatever it holds, the parsers must not crash, and every package
 * they keep must have all five fields as non-empty strings (the
 * vulnerability matcher relies on it).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "packages.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check(json_t *pkgs)
{
	static const char *const fields[] = { "name", "version", "arch", "source", "source_version" };
	size_t i;
	json_t *p;

	if (pkgs == NULL)
		abort();
	json_array_foreach(pkgs, i, p)
		for (size_t f = 0; f < 5; f++) {
			const char *v = json_string_value(json_object_get(p, fields[f]));

			if (v == NULL || *v == '\0')
				abort();
		}
	json_decref(pkgs);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t skipped;

	check(packages_parse_dpkg((const char *)data, size, &skipped));
	check(packages_parse_rpm((const char *)data, size, &skipped));
	return 0;
}
