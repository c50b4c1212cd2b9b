/*
 * rules: parse and check one rule (see rules.h). Unknown keys, unknown
 * transforms, fields and operators, bad patterns and empty value lists are
 * errors with the rule's id in the message, so a typo never silently
 * disables protection.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "rules.h"

static int __attribute__((format(printf, 4, 5)))
fail(const struct rule *r, char *err, size_t errlen, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(err, errlen, "rule %s: %s", r->id[0] ? r->id : "(no id)", msg);
	return -1;
}

/* A string or an array of non-empty strings into r->values. */
static int
parse_strings(struct rule *r, const json_t *v, char *err, size_t errlen)
{
	size_t n = json_is_array(v) ? json_array_size(v) : 1;

	if (!json_is_string(v) && !json_is_array(v))
		return fail(r, err, errlen, "\"value\" must be a string or an array of strings");
	if (n == 0 || n > RULE_MAX_VALUES)
		return fail(r, err, errlen, "\"value\" must hold 1 to %d strings", RULE_MAX_VALUES);
	r->values = calloc(n, sizeof(*r->values));
	r->value_lens = calloc(n, sizeof(*r->value_lens));
	if (r->values == NULL || r->value_lens == NULL)
		return fail(r, err, errlen, "out of memory");
	for (size_t i = 0; i < n; i++) {
		const json_t *s = json_is_array(v) ? json_array_get(v, i) : v;

		if (!json_is_string(s) || json_string_length(s) == 0)
			return fail(r, err, errlen, "value %zu is not a non-empty string", i + 1);
		r->values[i] = strndup(json_string_value(s), json_string_length(s));
		if (r->values[i] == NULL)
			return fail(r, err, errlen, "out of memory");
		r->value_lens[i] = json_string_length(s);
		r->n_values = i + 1;
	}
	return 0;
}

static int
parse_detect(struct rule *r, const json_t *v, char *err, size_t errlen)
{
	if (!json_is_string(v))
		return fail(r, err, errlen, "operator detect needs the detector's name as \"value\"");
	r->det = detect_find(json_string_value(v));
	if (r->det == NULL)
		return fail(r, err, errlen, "unknown detector \"%s\"", json_string_value(v));
	return 0;
}

static int
parse_regex(struct rule *r, const json_t *v, char *err, size_t errlen)
{
	int code;
	PCRE2_SIZE at;
	char msg[160];

	if (!json_is_string(v))
		return fail(r, err, errlen, "operator regex needs a pattern string as \"value\"");
	/* The control plane checks tenants' regexes with the same flags
	 * (src/control/sitecfg.c value_regex). */
	r->re = pcre2_compile((PCRE2_SPTR)json_string_value(v), json_string_length(v),
	    PCRE2_DOTALL | PCRE2_NEVER_BACKSLASH_C, &code, &at, NULL);
	if (r->re == NULL) {
		pcre2_get_error_message(code, (PCRE2_UCHAR *)msg, sizeof(msg));
		return fail(r, err, errlen, "bad regex at offset %zu: %s", (size_t)at, msg);
	}
	(void)pcre2_jit_compile(r->re, PCRE2_JIT_COMPLETE);
	return 0;
}

static int
parse_net(const char *s, struct ip_net *n)
{
	char buf[64];
	const char *slash = strchr(s, '/');
	size_t al = slash != NULL ? (size_t)(slash - s) : strlen(s);
	char *end;
	long p;

	if (al == 0 || al >= sizeof(buf))
		return -1;
	memcpy(buf, s, al);
	buf[al] = '\0';
	memset(n, 0, sizeof(*n));
	if (inet_pton(AF_INET, buf, n->addr) == 1)
		n->family = AF_INET;
	else if (inet_pton(AF_INET6, buf, n->addr) == 1)
		n->family = AF_INET6;
	else
		return -1;
	n->prefix = n->family == AF_INET ? 32 : 128;
	if (slash != NULL) {
		p = strtol(slash + 1, &end, 10);
		if (slash[1] == '\0' || *end != '\0' || p < 0 || p > (long)n->prefix)
			return -1;
		n->prefix = (unsigned)p;
	}
	return 0;
}

static int
parse_ip(struct rule *r, const json_t *v, char *err, size_t errlen)
{
	if (parse_strings(r, v, err, errlen) < 0)
		return -1;
	r->nets = calloc(r->n_values, sizeof(*r->nets));
	if (r->nets == NULL)
		return fail(r, err, errlen, "out of memory");
	for (size_t i = 0; i < r->n_values; i++)
		if (parse_net(r->values[i], &r->nets[i]) < 0)
			return fail(r, err, errlen, "\"%s\" is not an IP address or CIDR block",
			    r->values[i]);
	r->n_nets = r->n_values;
	return 0;
}

static int
match_detect(const struct rule *r, const char *s, size_t len, struct detect_hit *hit)
{
	return r->det->field_fn != NULL && r->det->field_fn(s, len, hit);
}

static int
match_contains(const struct rule *r, const char *s, size_t len, struct detect_hit *hit)
{
	for (size_t i = 0; i < r->n_values; i++) {
		const char *p = fields_memcasemem(s, len, r->values[i], r->value_lens[i]);

		if (p != NULL) {
			hit->reason = "contains";
			hit->offset = (size_t)(p - s);
			return 1;
		}
	}
	return 0;
}

static int
match_equals(const struct rule *r, const char *s, size_t len, struct detect_hit *hit)
{
	for (size_t i = 0; i < r->n_values; i++)
		if (r->value_lens[i] == len && strncasecmp(r->values[i], s, len) == 0) {
			hit->reason = "equals";
			hit->offset = 0;
			return 1;
		}
	return 0;
}

static int
match_prefix(const struct rule *r, const char *s, size_t len, struct detect_hit *hit)
{
	for (size_t i = 0; i < r->n_values; i++)
		if (r->value_lens[i] <= len && strncasecmp(r->values[i], s, r->value_lens[i]) == 0) {
			hit->reason = "prefix";
			hit->offset = 0;
			return 1;
		}
	return 0;
}

static int
match_suffix(const struct rule *r, const char *s, size_t len, struct detect_hit *hit)
{
	for (size_t i = 0; i < r->n_values; i++) {
		size_t vl = r->value_lens[i];

		if (vl <= len && strncasecmp(r->values[i], s + len - vl, vl) == 0) {
			hit->reason = "suffix";
			hit->offset = len - vl;
			return 1;
		}
	}
	return 0;
}

static pthread_key_t md_key;
static pthread_once_t md_once = PTHREAD_ONCE_INIT;

struct regex_tls {
	pcre2_match_data *md;
	pcre2_match_context *mc;
};

static void
regex_tls_free(void *p)
{
	struct regex_tls *t = p;

	if (t == NULL)
		return;
	pcre2_match_data_free(t->md);
	pcre2_match_context_free(t->mc);
	free(t);
}

static void
md_key_init(void)
{
	(void)pthread_key_create(&md_key, regex_tls_free);
}

int
rule_regex_match(const pcre2_code *re, const char *s, size_t len, size_t *off)
{
	struct regex_tls *t;
	int rc;

	pthread_once(&md_once, md_key_init);
	t = pthread_getspecific(md_key);
	if (t == NULL) {
		t = calloc(1, sizeof(*t));
		if (t == NULL)
			return 0;
		t->md = pcre2_match_data_create(1, NULL);
		t->mc = pcre2_match_context_create(NULL);
		if (t->md == NULL || t->mc == NULL) {
			regex_tls_free(t);
			return 0;
		}
		pcre2_set_match_limit(t->mc, 200000);
		pcre2_set_depth_limit(t->mc, 2000);
		(void)pthread_setspecific(md_key, t);
	}
	rc = pcre2_match(re, (PCRE2_SPTR)s, len, 0, 0, t->md, t->mc);
	if (rc < 0)
		return 0;
	*off = (size_t)pcre2_get_ovector_pointer(t->md)[0];
	return 1;
}

static int
match_regex(const struct rule *r, const char *s, size_t len, struct detect_hit *hit)
{
	size_t off;

	if (!rule_regex_match(r->re, s, len, &off))
		return 0;
	hit->reason = "regex";
	hit->offset = off;
	return 1;
}

static int
match_ip(const struct rule *r, const char *s, size_t len, struct detect_hit *hit)
{
	char buf[64];
	uint8_t a[16];
	int fam;

	if (len == 0 || len >= sizeof(buf))
		return 0;
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (inet_pton(AF_INET, buf, a) == 1)
		fam = AF_INET;
	else if (inet_pton(AF_INET6, buf, a) == 1)
		fam = AF_INET6;
	else
		return 0;
	for (size_t i = 0; i < r->n_nets; i++) {
		const struct ip_net *n = &r->nets[i];
		unsigned full = n->prefix / 8, rest = n->prefix % 8;

		if (n->family != fam || memcmp(a, n->addr, full) != 0)
			continue;
		if (rest != 0 && ((a[full] ^ n->addr[full]) & (0xFF << (8 - rest))) != 0)
			continue;
		hit->reason = "address in list";
		hit->offset = 0;
		return 1;
	}
	return 0;
}

const struct op_def rule_ops[] = {
	{ "detect", parse_detect, match_detect, 0, "run the named detector (see Detectors)" },
	{ "patterns", parse_strings, NULL, 1, "any of the regular expressions (vectorscan syntax, caseless); shipped rules only" },
	{ "phrases", parse_strings, match_contains, 1, "any of the literal phrases, caseless" },
	{ "contains", parse_strings, match_contains, 0, "the value contains any of the strings, caseless" },
	{ "equals", parse_strings, match_equals, 0, "the value equals one of the strings, caseless" },
	{ "prefix", parse_strings, match_prefix, 0, "the value starts with one of the strings, caseless" },
	{ "suffix", parse_strings, match_suffix, 0, "the value ends with one of the strings, caseless" },
	{ "regex", parse_regex, match_regex, 0, "a PCRE2 regular expression (for what vectorscan cannot do: look-around, back-references)" },
	{ "ip", parse_ip, match_ip, 0, "the value is an IP address inside one of the CIDR blocks" },
};
const size_t rule_ops_count = sizeof(rule_ops) / sizeof(rule_ops[0]);

int
rule_severity(const json_t *v)
{
	static const char *const names[] = { "low", "medium", "high", "critical" };

	if (json_is_integer(v) && json_integer_value(v) >= 1 && json_integer_value(v) <= 4)
		return (int)json_integer_value(v);
	if (json_is_string(v))
		for (int i = 0; i < 4; i++)
			if (strcmp(json_string_value(v), names[i]) == 0)
				return i + 1;
	return -1;
}

static int
valid_token(const char *s, size_t max, const char *extra)
{
	size_t n = strlen(s);

	if (n == 0 || n >= max)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && strchr(extra, s[i]) == NULL)
			return 0;
	return 1;
}

static const struct {
	const char *alias, *name;
} field_aliases[] = {
	{ "header", "headers" }, { "cookie", "cookies" }, { "arg", "args" },
	{ "uri", "path" }, { "url", "path" }, { "file", "files" }, { "filename", "filenames" },
};

static int
parse_field(struct rule *r, const char *spec, char *err, size_t errlen)
{
	const char *colon = strchr(spec, ':');
	size_t cl = colon != NULL ? (size_t)(colon - spec) : strlen(spec);
	int fc = fields_class_find(spec, cl);
	struct field_spec *fs;

	for (size_t k = 0; fc < 0 && k < sizeof(field_aliases) / sizeof(field_aliases[0]); k++)
		if (strlen(field_aliases[k].alias) == cl && strncmp(field_aliases[k].alias, spec, cl) == 0)
			fc = fields_class_find(field_aliases[k].name, strlen(field_aliases[k].name));
	if (fc < 0)
		return fail(r, err, errlen, "unknown field \"%s\" (fields: path, args, args_names, "
		    "cookies, cookies_names, headers, body, files, filenames, xml, method, client_ip; "
		    "NAME after ':' selects one)", spec);
	if (r->n_specs == RULE_MAX_FIELDS)
		return fail(r, err, errlen, "more than %d fields", RULE_MAX_FIELDS);
	fs = &r->specs[r->n_specs++];
	fs->fclass = (uint8_t)fc;
	fs->name = NULL;
	if (colon != NULL) {
		if (colon[1] == '\0' || strlen(colon + 1) > 128)
			return fail(r, err, errlen, "field \"%s\": the name after ':' must be 1 to 128 bytes", spec);
		fs->name = strdup(colon + 1);
		if (fs->name == NULL)
			return fail(r, err, errlen, "out of memory");
		norm_lower(fs->name, strlen(fs->name), fs->name);
	}
	r->class_mask |= 1u << fc;
	return 0;
}

static int
parse_fields(struct rule *r, const json_t *obj, int custom, char *err, size_t errlen)
{
	const json_t *v = json_object_get(obj, "fields");
	const json_t *one = json_object_get(obj, "field");

	if (v != NULL && one != NULL)
		return fail(r, err, errlen, "give \"field\" or \"fields\", not both");
	if (one != NULL) {
		if (!json_is_string(one))
			return fail(r, err, errlen, "\"field\" must be a string");
		return parse_field(r, json_string_value(one), err, errlen);
	}
	if (v == NULL) {
		if (r->det != NULL && r->det->request_fn != NULL)
			return 0;
		return fail(r, err, errlen, "missing \"%s\"", custom ? "field" : "fields");
	}
	if (!json_is_array(v) || json_array_size(v) == 0)
		return fail(r, err, errlen, "\"fields\" must be a non-empty array of strings");
	for (size_t i = 0; i < json_array_size(v); i++) {
		const json_t *s = json_array_get(v, i);

		if (!json_is_string(s))
			return fail(r, err, errlen, "\"fields\" must be a non-empty array of strings");
		if (parse_field(r, json_string_value(s), err, errlen) < 0)
			return -1;
	}
	return 0;
}

static int
parse_transforms(struct rule *r, const json_t *v, char *err, size_t errlen)
{
	if (v == NULL)
		return 0;
	if (!json_is_array(v))
		return fail(r, err, errlen, "\"transforms\" must be an array of transform names");
	if (json_array_size(v) > NORM_MAX_CHAIN)
		return fail(r, err, errlen, "more than %d transforms", NORM_MAX_CHAIN);
	for (size_t i = 0; i < json_array_size(v); i++) {
		const json_t *s = json_array_get(v, i);
		int id = json_is_string(s) ? norm_find(json_string_value(s)) : -1;

		if (id < 0)
			return fail(r, err, errlen, "unknown transform %s%s%s", json_is_string(s) ? "\"" : "",
			    json_is_string(s) ? json_string_value(s) : "(not a string)",
			    json_is_string(s) ? "\"" : "");
		r->chain[r->chain_len++] = (uint8_t)id;
	}
	return 0;
}

static const char *const rule_keys[] = {
	"id", "category", "severity", "score", "description", "fields", "field",
	"transforms", "operator", "value", "action",
};

int
rule_parse(const json_t *obj, int custom, size_t index, struct rule *r, char *err, size_t errlen)
{
	const json_t *v;
	const char *key;
	json_t *val;

	memset(r, 0, sizeof(*r));
	if (!json_is_object(obj)) {
		snprintf(err, errlen, "rule %zu: not a JSON object", index + 1);
		return -1;
	}
	v = json_object_get(obj, "id");
	if (v == NULL && custom) {
		snprintf(r->id, sizeof(r->id), "custom-%zu", index + 1);
	} else if (!json_is_string(v) || !valid_token(json_string_value(v), RULE_ID_MAX, "-_.")) {
		snprintf(err, errlen, "rule %zu: \"id\" must be 1 to %d letters, digits, '-', '_' or '.'",
		    index + 1, RULE_ID_MAX - 1);
		return -1;
	} else {
		snprintf(r->id, sizeof(r->id), "%s", json_string_value(v));
	}
	json_object_foreach((json_t *)obj, key, val) {
		size_t k;

		for (k = 0; k < sizeof(rule_keys) / sizeof(rule_keys[0]); k++)
			if (strcmp(rule_keys[k], key) == 0)
				break;
		if (k == sizeof(rule_keys) / sizeof(rule_keys[0]))
			return fail(r, err, errlen, "unknown key \"%s\"", key);
	}
	v = json_object_get(obj, "category");
	if (v == NULL && custom)
		snprintf(r->category, sizeof(r->category), "custom");
	else if (!json_is_string(v) || !valid_token(json_string_value(v), RULE_CATEGORY_MAX, "_"))
		return fail(r, err, errlen, "\"category\" must be a short word (sqli, xss, ...)");
	else
		snprintf(r->category, sizeof(r->category), "%s", json_string_value(v));
	v = json_object_get(obj, "severity");
	r->severity = v == NULL ? (custom ? 3 : -1) : rule_severity(v);
	if (r->severity < 0)
		return fail(r, err, errlen, "\"severity\" must be 1..4 or low, medium, high, critical");
	v = json_object_get(obj, "score");
	if (v == NULL)
		r->score = r->severity + 1;
	else if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > 1000)
		return fail(r, err, errlen, "\"score\" must be an integer 0..1000");
	else
		r->score = (int)json_integer_value(v);
	v = json_object_get(obj, "action");
	if (v == NULL)
		r->action = RULE_SCORE;
	else if (json_is_string(v) && strcmp(json_string_value(v), "score") == 0)
		r->action = RULE_SCORE;
	else if (json_is_string(v) && strcmp(json_string_value(v), "block") == 0)
		r->action = RULE_BLOCK;
	else if (json_is_string(v) && strcmp(json_string_value(v), "allow") == 0 && custom)
		r->action = RULE_ALLOW;
	else
		return fail(r, err, errlen, "\"action\" must be score or block%s", custom ? " or allow" : "");
	v = json_object_get(obj, "description");
	if (v != NULL) {
		if (!json_is_string(v))
			return fail(r, err, errlen, "\"description\" must be a string");
		r->description = strdup(json_string_value(v));
		if (r->description == NULL)
			return fail(r, err, errlen, "out of memory");
	}
	v = json_object_get(obj, "operator");
	if (!json_is_string(v))
		return fail(r, err, errlen, "missing \"operator\"");
	for (size_t k = 0; k < rule_ops_count; k++)
		if (strcmp(rule_ops[k].name, json_string_value(v)) == 0)
			r->op = &rule_ops[k];
	if (r->op == NULL)
		return fail(r, err, errlen, "unknown operator \"%s\"", json_string_value(v));
	if (custom && r->op->match == NULL)
		return fail(r, err, errlen, "operator \"%s\" is for shipped rules; use regex", r->op->name);
	if (json_object_get(obj, "value") == NULL)
		return fail(r, err, errlen, "missing \"value\"");
	if (r->op->parse(r, json_object_get(obj, "value"), err, errlen) < 0)
		return -1;
	if (parse_transforms(r, json_object_get(obj, "transforms"), err, errlen) < 0)
		return -1;
	if (parse_fields(r, obj, custom, err, errlen) < 0)
		return -1;
	if (r->det != NULL && r->det->request_fn != NULL && r->n_specs > 0)
		return fail(r, err, errlen, "detector \"%s\" looks at the whole request: drop \"fields\"",
		    r->det->name);
	return 0;
}

void
rule_clear(struct rule *r)
{
	if (r == NULL)
		return;
	for (size_t i = 0; i < r->n_specs; i++)
		free(r->specs[i].name);
	for (size_t i = 0; i < r->n_values; i++)
		free(r->values[i]);
	free(r->values);
	free(r->value_lens);
	pcre2_code_free(r->re);
	free(r->nets);
	free(r->description);
	memset(r, 0, sizeof(*r));
}

int
rule_wants(const struct rule *r, const struct field *f)
{
	if (!(r->class_mask & (1u << f->fclass)))
		return 0;
	for (size_t i = 0; i < r->n_specs; i++) {
		const struct field_spec *s = &r->specs[i];

		if (s->fclass != f->fclass)
			continue;
		if (s->name == NULL || (strlen(s->name) == f->name_len &&
		    strncasecmp(s->name, f->name, f->name_len) == 0))
			return 1;
	}
	return 0;
}
