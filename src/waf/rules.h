/*
 * rules: one rule, parsed from its JSON object (shipped rules in
 * rules/waf/ files and a site's custom rules share the format; see
 * docs/WAF.md "Rule reference"). The operator table lives here: adding an
 * operator is adding a row with its parse and match functions.
 */
#ifndef YS_WAF_RULES_H
#define YS_WAF_RULES_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "detect.h"
#include "fields.h"
#include "normalise.h"

#define RULE_MAX_FIELDS 48
#define RULE_MAX_VALUES 512
#define RULE_ID_MAX 32
#define RULE_CATEGORY_MAX 24

enum rule_action { RULE_SCORE = 0, RULE_BLOCK, RULE_ALLOW };

struct field_spec {
	uint8_t fclass;
	char *name;		/* lowercase; NULL = every field of the class */
};

struct ip_net {
	int family;		/* AF_INET or AF_INET6 */
	uint8_t addr[16];
	unsigned prefix;
};

struct rule;
struct op_def {
	const char *name;
	int (*parse)(struct rule *r, const json_t *value, char *err, size_t errlen);
	/* NULL for operators the engine matches itself (patterns: vectorscan) */
	int (*match)(const struct rule *r, const char *s, size_t len, struct detect_hit *hit);
	int multi;		/* compiled into the engine's vectorscan databases */
	const char *what;
};

struct rule {
	char id[RULE_ID_MAX];
	char category[RULE_CATEGORY_MAX];
	int severity;		/* 1..4 */
	int score;
	enum rule_action action;
	struct field_spec specs[RULE_MAX_FIELDS];
	size_t n_specs;
	uint32_t class_mask;	/* 1 << fclass for each spec */
	uint8_t chain[NORM_MAX_CHAIN];
	size_t chain_len;
	size_t chain_idx;	/* the engine's index of this chain */
	const struct op_def *op;
	const struct detector *det;	/* op detect */
	char **values;		/* patterns, phrases, strings */
	size_t *value_lens;
	size_t n_values;
	pcre2_code *re;		/* op regex */
	struct ip_net *nets;	/* op ip */
	size_t n_nets;
	char *description;
};

extern const struct op_def rule_ops[];
extern const size_t rule_ops_count;

/* Parse obj into r (zeroed first). custom: a site's custom rule (field /
 * operator / value / action, default id "custom-<index+1>"). err gets a
 * message without the file name: "rule sqli-1: unknown transform \"x\"". */
int rule_parse(const json_t *obj, int custom, size_t index, struct rule *r,
    char *err, size_t errlen);
void rule_clear(struct rule *r);

/* Does field f fall under one of r's specs? */
int rule_wants(const struct rule *r, const struct field *f);

/* Severity from 1..4 or "low".."critical"; -1 when invalid. */
int rule_severity(const json_t *v);

/* The regex operator's thread-local PCRE2 match, bounded. 1 match, 0 not. */
int rule_regex_match(const pcre2_code *re, const char *s, size_t len, size_t *off);

#endif
