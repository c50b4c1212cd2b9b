/*
 * engine: loading rule files, grouping rules into plans and compiling the
 * vectorscan databases (see engine.h). A rule set that fails anywhere is
 * rejected whole, with the file, the rule id and the problem.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"

static atomic_uint_fast64_t next_generation = 1;

static void
engine_free(struct waf_engine *e)
{
	if (e == NULL)
		return;
	for (size_t c = 0; c < ENGINE_MAX_CHAINS; c++) {
		hs_free_database(e->chain_db[c].db);
		free(e->chain_db[c].expr_rule);
		for (size_t k = 0; k < FC_COUNT; k++)
			free(e->plans[c][k].rules);
	}
	for (size_t i = 0; i < e->n_rules; i++)
		rule_clear(&e->rules[i]);
	free(e->rules);
	free(e->request_rules);
	free(e);
}

void
waf_engine_ref(struct waf_engine *e)
{
	if (e != NULL)
		atomic_fetch_add(&e->refs, 1);
}

void
waf_engine_unref(struct waf_engine *e)
{
	if (e != NULL && atomic_fetch_sub(&e->refs, 1) == 1)
		engine_free(e);
}

static struct waf_engine *
engine_new(void)
{
	struct waf_engine *e = calloc(1, sizeof(*e));

	if (e == NULL)
		return NULL;
	atomic_init(&e->refs, 1);
	e->generation = atomic_fetch_add(&next_generation, 1);
	e->threshold = WAF_DEFAULT_THRESHOLD;
	snprintf(e->version, sizeof(e->version), "unversioned");
	return e;
}

/* Parse one rules document ({"format": 1, "rules": [...]}) named src into
 * e->rules. */
static int
load_doc(struct waf_engine *e, const json_t *doc, const char *src, char *err, size_t errlen)
{
	static const char *const keys[] = { "format", "version", "anomaly_threshold", "description", "rules" };
	const json_t *rules = json_object_get(doc, "rules"), *v;
	const char *key;
	json_t *val;
	char rerr[384];
	struct rule *grown;

	if (!json_is_object(doc)) {
		snprintf(err, errlen, "%s: not a JSON object with \"format\" and \"rules\"", src);
		return -1;
	}
	json_object_foreach((json_t *)doc, key, val) {
		size_t k;

		for (k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
			if (strcmp(keys[k], key) == 0)
				break;
		if (k == sizeof(keys) / sizeof(keys[0])) {
			snprintf(err, errlen, "%s: unknown key \"%s\"", src, key);
			return -1;
		}
	}
	v = json_object_get(doc, "format");
	if (!json_is_integer(v) || json_integer_value(v) != 1) {
		snprintf(err, errlen, "%s: \"format\" must be 1 (this engine reads rule format 1)", src);
		return -1;
	}
	v = json_object_get(doc, "version");
	if (v != NULL) {
		if (!json_is_string(v)) {
			snprintf(err, errlen, "%s: \"version\" must be a string", src);
			return -1;
		}
		snprintf(e->version, sizeof(e->version), "%s", json_string_value(v));
	}
	v = json_object_get(doc, "anomaly_threshold");
	if (v != NULL) {
		if (!json_is_integer(v) || json_integer_value(v) < 1 || json_integer_value(v) > 10000) {
			snprintf(err, errlen, "%s: \"anomaly_threshold\" must be an integer 1..10000", src);
			return -1;
		}
		e->threshold = (int)json_integer_value(v);
	}
	if (!json_is_array(rules)) {
		snprintf(err, errlen, "%s: \"rules\" must be an array", src);
		return -1;
	}
	grown = realloc(e->rules, (e->n_rules + json_array_size(rules) + 1) * sizeof(*e->rules));
	if (grown == NULL) {
		snprintf(err, errlen, "%s: out of memory", src);
		return -1;
	}
	e->rules = grown;
	for (size_t i = 0; i < json_array_size(rules); i++) {
		struct rule *r = &e->rules[e->n_rules];

		if (rule_parse(json_array_get(rules, i), 0, i, r, rerr, sizeof(rerr)) < 0) {
			rule_clear(r);
			snprintf(err, errlen, "%s: %s", src, rerr);
			return -1;
		}
		e->n_rules++;
		for (size_t k = 0; k + 1 < e->n_rules; k++)
			if (strcmp(e->rules[k].id, r->id) == 0) {
				snprintf(err, errlen, "%s: rule %s: duplicate id", src, r->id);
				return -1;
			}
	}
	return 0;
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

struct waf_engine *
waf_engine_load_dir(const char *dir, char *err, size_t errlen)
{
	struct waf_engine *e = engine_new();
	char **names = NULL, path[4096];
	size_t n = 0, cap = 0;
	struct dirent *d;
	DIR *dp = NULL;

	if (e == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	dp = opendir(dir);
	if (dp == NULL) {
		snprintf(err, errlen, "%s: cannot open the rules directory: %m", dir);
		goto fail;
	}
	while ((d = readdir(dp)) != NULL) {
		size_t l = strlen(d->d_name);

		if (l < 6 || d->d_name[0] == '.' || strcmp(d->d_name + l - 5, ".json") != 0)
			continue;
		if (n == cap) {
			char **g = realloc(names, (cap = cap ? cap * 2 : 8) * sizeof(*names));

			if (g == NULL)
				goto oom;
			names = g;
		}
		if ((names[n] = strdup(d->d_name)) == NULL)
			goto oom;
		n++;
	}
	if (n == 0) {
		snprintf(err, errlen, "%s: no rule files (*.json)", dir);
		goto fail;
	}
	qsort(names, n, sizeof(*names), name_cmp);
	for (size_t i = 0; i < n; i++) {
		json_error_t jerr;
		json_t *doc;
		int rc;

		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		doc = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
		if (doc == NULL) {
			snprintf(err, errlen, "%s: line %d: %s", names[i], jerr.line, jerr.text);
			goto fail;
		}
		rc = load_doc(e, doc, names[i], err, errlen);
		json_decref(doc);
		if (rc < 0)
			goto fail;
	}
	if (engine_compile(e, err, errlen) < 0)
		goto fail;
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	closedir(dp);
	return e;
oom:
	snprintf(err, errlen, "out of memory");
fail:
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	if (dp != NULL)
		closedir(dp);
	engine_free(e);
	return NULL;
}

struct waf_engine *
waf_engine_load_json(const json_t *rules, char *err, size_t errlen)
{
	struct waf_engine *e = engine_new();

	if (e == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (json_is_array(rules)) {
		/* several rule documents, as a bundle carries rules/waf/ */
		if (json_array_size(rules) == 0) {
			snprintf(err, errlen, "rules: empty array");
			goto fail;
		}
		for (size_t i = 0; i < json_array_size(rules); i++) {
			char src[32];

			snprintf(src, sizeof(src), "rules[%zu]", i);
			if (load_doc(e, json_array_get(rules, i), src, err, errlen) < 0)
				goto fail;
		}
	} else if (load_doc(e, rules, "rules", err, errlen) < 0) {
		goto fail;
	}
	if (engine_compile(e, err, errlen) < 0)
		goto fail;
	return e;
fail:
	engine_free(e);
	return NULL;
}

/* A phrase as a vectorscan expression: every byte but letters and digits
 * escaped. */
static char *
phrase_regex(const char *p, size_t len)
{
	char *out = malloc(len * 4 + 1), *o = out;

	if (out == NULL)
		return NULL;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)p[i];

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
			*o++ = (char)c;
		} else {
			snprintf(o, 5, "\\x%02x", c);
			o += 4;
		}
	}
	*o = '\0';
	return out;
}

/* Double the five parallel arrays of compile_chain; on failure the old
 * ones stay valid (and owned by the caller). */
static int
grow_exprs(char ***exprs, unsigned **flags, unsigned **ids, size_t **which, size_t **rule,
    size_t *cap)
{
	size_t ncap = *cap ? *cap * 2 : 64;
	void *p;

	if ((p = realloc(*exprs, ncap * sizeof(**exprs))) == NULL)
		return -1;
	*exprs = p;
	if ((p = realloc(*flags, ncap * sizeof(**flags))) == NULL)
		return -1;
	*flags = p;
	if ((p = realloc(*ids, ncap * sizeof(**ids))) == NULL)
		return -1;
	*ids = p;
	if ((p = realloc(*which, ncap * sizeof(**which))) == NULL)
		return -1;
	*which = p;
	if ((p = realloc(*rule, ncap * sizeof(**rule))) == NULL)
		return -1;
	*rule = p;
	*cap = ncap;
	return 0;
}

/* One database for every pattern and phrase of the rules of chain c;
 * *mask gets the field classes those rules look at. */
static int
compile_chain(struct waf_engine *e, struct plan *p, size_t c, uint32_t *mask, char *err,
    size_t errlen)
{
	size_t n = 0, cap = 0;
	char **exprs = NULL;
	unsigned *flags = NULL, *ids = NULL;
	size_t *which = NULL;	/* expression -> value index, for errors */
	hs_compile_error_t *cerr = NULL;
	int rc = -1;

	for (size_t i = 0; i < e->n_rules; i++) {
		struct rule *r = &e->rules[i];

		if (r->chain_idx != c || !r->op->multi)
			continue;
		*mask |= r->class_mask;
		for (size_t v = 0; v < r->n_values; v++) {
			if (n == cap && grow_exprs(&exprs, &flags, &ids, &which, &p->expr_rule, &cap) < 0)
				goto oom;
			exprs[n] = strcmp(r->op->name, "phrases") == 0 ?
			    phrase_regex(r->values[v], r->value_lens[v]) : strdup(r->values[v]);
			if (exprs[n] == NULL)
				goto oom;
			flags[n] = HS_FLAG_CASELESS | HS_FLAG_DOTALL | HS_FLAG_SINGLEMATCH;
			ids[n] = (unsigned)n;
			which[n] = v;
			p->expr_rule[n] = i;
			n++;
		}
	}
	p->n_expr = n;
	if (n == 0) {
		rc = 0;
		goto done;
	}
	if (hs_compile_multi((const char *const *)exprs, flags, ids, (unsigned)n, HS_MODE_BLOCK,
	    NULL, &p->db, &cerr) != HS_SUCCESS) {
		if (cerr->expression >= 0 && (size_t)cerr->expression < n) {
			const struct rule *r = &e->rules[p->expr_rule[cerr->expression]];

			snprintf(err, errlen, "rule %s: pattern %zu: %s", r->id,
			    which[cerr->expression] + 1, cerr->message);
		} else {
			snprintf(err, errlen, "vectorscan: %s", cerr->message);
		}
		hs_free_compile_error(cerr);
		goto done;
	}
	rc = 0;
	goto done;
oom:
	snprintf(err, errlen, "out of memory");
done:
	for (size_t i = 0; i < n; i++)
		free(exprs[i]);
	free(exprs);
	free(flags);
	free(ids);
	free(which);
	return rc;
}

int
engine_compile(struct waf_engine *e, char *err, size_t errlen)
{
	if (e->n_rules == 0) {
		snprintf(err, errlen, "no rules");
		return -1;
	}
	e->request_rules = calloc(e->n_rules, sizeof(*e->request_rules));
	if (e->request_rules == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < e->n_rules; i++) {
		struct rule *r = &e->rules[i];
		size_t c;

		if (r->det != NULL && r->det->request_fn != NULL) {
			e->request_rules[e->n_request_rules++] = i;
			continue;
		}
		for (c = 0; c < e->n_chains; c++)
			if (e->chains[c].n == r->chain_len &&
			    memcmp(e->chains[c].ids, r->chain, r->chain_len) == 0)
				break;
		if (c == e->n_chains) {
			if (c == ENGINE_MAX_CHAINS) {
				snprintf(err, errlen, "rule %s: more than %d different transform chains",
				    r->id, ENGINE_MAX_CHAINS);
				return -1;
			}
			memcpy(e->chains[c].ids, r->chain, r->chain_len);
			e->chains[c].n = r->chain_len;
			e->n_chains++;
		}
		r->chain_idx = c;
		if (r->op->multi)
			continue;
		for (int fc = 0; fc < FC_COUNT; fc++) {
			struct plan *p = &e->plans[c][fc];
			size_t *g;

			if (!(r->class_mask & (1u << fc)))
				continue;
			g = realloc(p->rules, (p->n_rules + 1) * sizeof(*p->rules));
			if (g == NULL) {
				snprintf(err, errlen, "out of memory");
				return -1;
			}
			p->rules = g;
			p->rules[p->n_rules++] = i;
		}
	}
	for (size_t c = 0; c < e->n_chains; c++) {
		e->chains[c].parent = -1;
		for (size_t p = 0; p < e->n_chains; p++)
			if (p != c && e->chains[p].n < e->chains[c].n &&
			    memcmp(e->chains[p].ids, e->chains[c].ids, e->chains[p].n) == 0 &&
			    (e->chains[c].parent < 0 ||
			    e->chains[p].n > e->chains[e->chains[c].parent].n))
				e->chains[c].parent = (int)p;
	}
	for (size_t c = 0; c < e->n_chains; c++) {
		struct plan *db = &e->chain_db[c];
		uint32_t mask = 0;

		if (compile_chain(e, db, c, &mask, err, errlen) < 0)
			return -1;
		for (int fc = 0; fc < FC_COUNT; fc++)
			if (db->db != NULL && (mask & (1u << fc))) {
				e->plans[c][fc].db = db->db;
				e->plans[c][fc].expr_rule = db->expr_rule;
				e->plans[c][fc].n_expr = db->n_expr;
			}
	}
	return 0;
}
