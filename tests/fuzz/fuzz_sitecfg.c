/*
 * fuzz_sitecfg: libFuzzer harness for what tenants and WAF nodes send about
 * sites (sitecfg.c): domain names (with punycode decoding), origin
 * addresses, CIDRs, custom rules, rule exceptions and WAF node events. The
 * first byte picks the validator, the rest is its input. An accepted value
 * must come back unchanged when validated again (its canonical form is a
 * fixed point); a refused one must say why.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "sitecfg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef int (*text_fn)(const char *, char *, size_t, char *, size_t);

static int
domain_wild(const char *in, char *out, size_t outsz, char *err, size_t errlen)
{
	return sitecfg_domain(in, true, out, outsz, err, errlen);
}

static void
text(text_fn fn, const char *s)
{
	char out[SITECFG_DOMAIN_MAX + 1], again[SITECFG_DOMAIN_MAX + 1], err[256] = "";

	if (fn(s, out, sizeof(out), err, sizeof(err)) == 0) {
		if (fn(out, again, sizeof(again), err, sizeof(err)) != 0 || strcmp(out, again) != 0)
			abort();
	} else if (err[0] == '\0') {
		abort();
	}
}

typedef int (*json_fn)(const json_t *, json_t **, char *, size_t);

static void
object(json_fn fn, const json_t *in)
{
	json_t *out = NULL, *again = NULL;
	char err[256] = "";

	if (fn(in, &out, err, sizeof(err)) == 0) {
		if (out == NULL || fn(out, &again, err, sizeof(err)) != 0 || !json_equal(out, again))
			abort();
	} else if (err[0] == '\0' || out != NULL) {
		abort();
	}
	json_decref(out);
	json_decref(again);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s;
	json_t *j;
	char err[256] = "";

	if (size < 1 || size > 4096)
		return 0;
	s = malloc(size);
	if (s == NULL)
		return 0;
	memcpy(s, data + 1, size - 1);
	s[size - 1] = '\0';
	switch (data[0] % 6) {
	case 0:
		text(domain_wild, s);
		break;
	case 1:
		text(sitecfg_origin_address, s);
		break;
	case 2: {
		char out[SITECFG_CIDR_MAX], again[SITECFG_CIDR_MAX];

		if (sitecfg_cidr(s, out, sizeof(out), err, sizeof(err)) == 0) {
			if (sitecfg_cidr(out, again, sizeof(again), err, sizeof(err)) != 0 ||
			    strcmp(out, again) != 0)
				abort();
			(void)sitecfg_cidr_contains(out, s);
		} else if (err[0] == '\0') {
			abort();
		}
		break;
	}
	default:
		j = json_loads(s, JSON_REJECT_DUPLICATES, NULL);
		if (j == NULL)
			break;
		if (data[0] % 6 == 3)
			object(sitecfg_custom_rule, j);
		else if (data[0] % 6 == 4)
			object(sitecfg_exception, j);
		else if (sitecfg_waf_event(json_string_value(json_object_get(j, "type")),
		    json_object_get(j, "payload"), err, sizeof(err)) != 0 && err[0] == '\0')
			abort();
		json_decref(j);
	}
	free(s);
	return 0;
}
