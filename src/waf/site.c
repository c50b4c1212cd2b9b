/*
 * site: a site's policy (mode, threshold, exceptions, custom rules) from
 * its JSON object; see docs/WAF.md "Exceptions" and "Custom rules".
 * Exceptions are checked only when a rule has matched, so a site with many
 * exceptions costs nothing on clean traffic.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "engine.h"

static void
exception_clear(struct site_exception *x)
{
	free(x->path_prefix);
	for (size_t i = 0; i < x->n_rule_ids; i++)
		free(x->rule_ids[i]);
	free(x->rule_ids);
	for (size_t i = 0; i < x->n_categories; i++)
		free(x->categories[i]);
	free(x->categories);
	rule_clear(&x->fields);
}

void
waf_site_free(struct waf_site *s)
{
	if (s == NULL)
		return;
	for (size_t i = 0; i < s->n_exceptions; i++)
		exception_clear(&s->exceptions[i]);
	free(s->exceptions);
	for (size_t i = 0; i < s->n_custom; i++)
		rule_clear(&s->custom[i]);
	free(s->custom);
	free(s);
}

static int
string_list(const json_t *v, char ***out, size_t *n, const char *what, size_t idx,
    char *err, size_t errlen)
{
	if (v == NULL)
		return 0;
	if (!json_is_array(v) || json_array_size(v) > 4096) {
		snprintf(err, errlen, "exception %zu: \"%s\" must be an array of strings", idx + 1, what);
		return -1;
	}
	*out = calloc(json_array_size(v) + 1, sizeof(**out));
	if (*out == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < json_array_size(v); i++) {
		const json_t *s = json_array_get(v, i);

		if (!json_is_string(s)) {
			snprintf(err, errlen, "exception %zu: \"%s\" must be an array of strings", idx + 1, what);
			return -1;
		}
		if (((*out)[i] = strdup(json_string_value(s))) == NULL) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		*n = i + 1;
	}
	return 0;
}

static int
engine_has(const struct waf_engine *e, const char *what, const char *value)
{
	for (size_t i = 0; i < e->n_rules; i++)
		if (strcmp(what[0] == 'i' ? e->rules[i].id : e->rules[i].category, value) == 0)
			return 1;
	return 0;
}

static int
parse_exception(const struct waf_engine *e, const json_t *o, size_t idx, struct site_exception *x,
    char *err, size_t errlen)
{
	static const char *const keys[] = { "path_prefix", "rule_ids", "categories", "fields" };
	const json_t *v;
	const char *key;
	json_t *val;

	if (!json_is_object(o)) {
		snprintf(err, errlen, "exception %zu: not an object", idx + 1);
		return -1;
	}
	json_object_foreach((json_t *)o, key, val) {
		size_t k;

		for (k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
			if (strcmp(keys[k], key) == 0)
				break;
		if (k == sizeof(keys) / sizeof(keys[0])) {
			snprintf(err, errlen, "exception %zu: unknown key \"%s\" (path_prefix, rule_ids, "
			    "categories, fields)", idx + 1, key);
			return -1;
		}
	}
	v = json_object_get(o, "path_prefix");
	if (v != NULL && (!json_is_string(v) || json_string_value(v)[0] != '/')) {
		snprintf(err, errlen, "exception %zu: \"path_prefix\" must be a path starting with '/'", idx + 1);
		return -1;
	}
	x->path_prefix = strdup(v != NULL ? json_string_value(v) : "/");
	if (x->path_prefix == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	x->prefix_len = strlen(x->path_prefix);
	if (string_list(json_object_get(o, "rule_ids"), &x->rule_ids, &x->n_rule_ids, "rule_ids",
	    idx, err, errlen) < 0 ||
	    string_list(json_object_get(o, "categories"), &x->categories, &x->n_categories,
	    "categories", idx, err, errlen) < 0)
		return -1;
	if (x->n_rule_ids == 0 && x->n_categories == 0) {
		snprintf(err, errlen, "exception %zu: name the rules it turns off in \"rule_ids\" or "
		    "\"categories\"", idx + 1);
		return -1;
	}
	for (size_t i = 0; e != NULL && i < x->n_rule_ids; i++)
		if (!engine_has(e, "id", x->rule_ids[i])) {
			snprintf(err, errlen, "exception %zu: unknown rule id \"%s\"", idx + 1, x->rule_ids[i]);
			return -1;
		}
	for (size_t i = 0; e != NULL && i < x->n_categories; i++)
		if (!engine_has(e, "category", x->categories[i])) {
			snprintf(err, errlen, "exception %zu: no rule has category \"%s\"", idx + 1,
			    x->categories[i]);
			return -1;
		}
	v = json_object_get(o, "fields");
	if (v != NULL) {
		/* reuse the rule parser's field syntax through a throwaway rule */
		json_t *fake = json_pack("{s:s,s:s,s:s,s:s,s:O}", "id", "exception", "category", "x",
		    "operator", "contains", "value", "x", "fields", v);
		char ferr[384];

		if (fake == NULL || rule_parse(fake, 1, idx, &x->fields, ferr, sizeof(ferr)) < 0) {
			const char *msg = strchr(ferr, ':');

			snprintf(err, errlen, "exception %zu: %s", idx + 1,
			    fake == NULL ? "out of memory" : msg != NULL ? msg + 2 : ferr);
			json_decref(fake);
			return -1;
		}
		json_decref(fake);
	}
	return 0;
}

struct waf_site *
waf_site_from_json(const struct waf_engine *e, const json_t *site, char *err, size_t errlen)
{
	struct waf_site *s = calloc(1, sizeof(*s));
	const json_t *v;

	if (s == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (site == NULL)
		return s;
	if (!json_is_object(site)) {
		snprintf(err, errlen, "site: not a JSON object");
		goto fail;
	}
	v = json_object_get(site, "mode");
	if (v != NULL) {
		if (json_is_string(v) && strcmp(json_string_value(v), "monitor") == 0)
			s->monitor = 1;
		else if (!json_is_string(v) || strcmp(json_string_value(v), "block") != 0) {
			snprintf(err, errlen, "site: \"mode\" must be \"block\" or \"monitor\"");
			goto fail;
		}
	}
	v = json_object_get(site, "threshold");
	if (v != NULL) {
		if (!json_is_integer(v) || json_integer_value(v) < 1 || json_integer_value(v) > 10000) {
			snprintf(err, errlen, "site: \"threshold\" must be an integer 1..10000");
			goto fail;
		}
		s->threshold = (int)json_integer_value(v);
	}
	v = json_object_get(site, "exceptions");
	if (v != NULL) {
		if (!json_is_array(v) || json_array_size(v) > 1024) {
			snprintf(err, errlen, "site: \"exceptions\" must be an array (at most 1024)");
			goto fail;
		}
		s->exceptions = calloc(json_array_size(v) + 1, sizeof(*s->exceptions));
		if (s->exceptions == NULL) {
			snprintf(err, errlen, "out of memory");
			goto fail;
		}
		for (size_t i = 0; i < json_array_size(v); i++) {
			s->n_exceptions = i + 1;
			if (parse_exception(e, json_array_get(v, i), i, &s->exceptions[i], err, errlen) < 0)
				goto fail;
		}
	}
	v = json_object_get(site, "custom_rules");
	if (v != NULL) {
		if (!json_is_array(v) || json_array_size(v) > 1024) {
			snprintf(err, errlen, "site: \"custom_rules\" must be an array (at most 1024)");
			goto fail;
		}
		s->custom = calloc(json_array_size(v) + 1, sizeof(*s->custom));
		if (s->custom == NULL) {
			snprintf(err, errlen, "out of memory");
			goto fail;
		}
		for (size_t i = 0; i < json_array_size(v); i++) {
			char rerr[384];

			s->n_custom = i + 1;
			if (rule_parse(json_array_get(v, i), 1, i, &s->custom[i], rerr, sizeof(rerr)) < 0) {
				snprintf(err, errlen, "site: custom %s", rerr);
				goto fail;
			}
			if (s->custom[i].det != NULL && s->custom[i].det->request_fn != NULL) {
				snprintf(err, errlen, "site: custom rule %s: detector \"%s\" is not a field "
				    "detector", s->custom[i].id, s->custom[i].det->name);
				goto fail;
			}
			for (size_t k = 0; k < i; k++)
				if (strcmp(s->custom[k].id, s->custom[i].id) == 0) {
					snprintf(err, errlen, "site: custom rule %s: duplicate id", s->custom[i].id);
					goto fail;
				}
		}
	}
	return s;
fail:
	waf_site_free(s);
	return NULL;
}

static int
in_list(char *const *list, size_t n, const char *v)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(list[i], v) == 0)
			return 1;
	return 0;
}

int
site_excluded(const struct waf_site *s, const char *path, size_t path_len,
    const struct rule *r, const struct field *f)
{
	for (size_t i = 0; i < s->n_exceptions; i++) {
		const struct site_exception *x = &s->exceptions[i];

		if (x->prefix_len > path_len || memcmp(x->path_prefix, path, x->prefix_len) != 0)
			continue;
		if (!in_list(x->rule_ids, x->n_rule_ids, r->id) &&
		    !in_list(x->categories, x->n_categories, r->category))
			continue;
		if (x->fields.n_specs == 0 || (f != NULL && rule_wants(&x->fields, f)))
			return 1;
	}
	return 0;
}
