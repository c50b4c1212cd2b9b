/*
 * fuzz_waf_rules: the rule loader and the site policy parser over
 * arbitrary JSON. Whatever the input: no crash, and a refusal always
 * comes with a message. An accepted rule set is also built into a site
 * from the same document and used for one inspection. Inputs are kept
 * under 4 KiB: rule sets that size cover every key and operator, and
 * larger ones only spend the run compiling vectorscan databases.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "waf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct waf_header h[] = { { "Host", 4, "a", 1 }, { "User-Agent", 10, "x", 1 } };
	struct waf_request r = { .method = "GET", .method_len = 3, .path = "/a", .path_len = 2,
		.query = "q=1%27%20or%201%3D1", .query_len = 19, .headers = h, .n_headers = 2 };
	struct waf_engine *e;
	struct waf_site *s;
	struct waf_verdict v;
	json_error_t jerr;
	char err[512];
	json_t *j;

	if (size > 4096 || (j = json_loadb((const char *)data, size, 0, &jerr)) == NULL)
		return 0;
	err[0] = '\0';
	e = waf_engine_load_json(j, err, sizeof(err));
	if (e == NULL) {
		if (err[0] == '\0')
			abort();
		/* the document as a site policy against no engine */
		err[0] = '\0';
		s = waf_site_from_json(NULL, json_is_array(j) ? json_array_get(j, 0) : j, err, sizeof(err));
		if (s == NULL && err[0] == '\0')
			abort();
		waf_site_free(s);
	} else {
		s = waf_site_from_json(e, json_is_array(j) ? json_array_get(j, 0) : j, err, sizeof(err));
		if (waf_inspect(e, s, &r, &v) == 0 && v.n_matches > WAF_MAX_MATCHES)
			abort();
		waf_site_free(s);
		waf_engine_unref(e);
	}
	json_decref(j);
	return 0;
}
