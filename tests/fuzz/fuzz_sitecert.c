/*
 * fuzz_sitecert: libFuzzer harness for certificate uploads (tenants' PEM
 * chain and private key, sitecert_check()). The input is the chain, a
 * NUL byte, then the key. An accepted upload must name at least one DNS
 * host, be valid now and carry a 64-digit fingerprint; its answer must
 * never hold the key. A refused one must say why.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "db.h"
#include "sitecert.h"
#include "sites.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf, *key, *text;
	const uint8_t *nul = memchr(data, 0, size);
	struct ys_err e = { 0 };
	json_t *info = NULL;
	int64_t na = 0;

	if (size > 80000 || nul == NULL)
		return 0;
	buf = malloc(size + 1);
	if (buf == NULL)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	key = buf + (nul - data) + 1;
	if (sitecert_check(buf, key, &info, &e) == 0) {
		const char *fp = json_string_value(json_object_get(info, "fingerprint"));

		if (json_array_size(json_object_get(info, "sans")) == 0 || fp == NULL ||
		    strlen(fp) != 64 ||
		    db_time_parse(json_string_value(json_object_get(info, "not_after")), &na) < 0 ||
		    na <= (int64_t)time(NULL))
			abort();
		text = json_dumps(info, 0);
		if (text == NULL || strstr(text, "PRIVATE"))
			abort();
		free(text);
	} else if (e.code == NULL || e.msg[0] == '\0' || info != NULL) {
		abort();
	}
	json_decref(info);
	free(buf);
	return 0;
}
