/*
 * engine: the compiled rule set and site policies behind waf.h. Internal
 * to libys_waf (inspect.c, site.c, engine.c and the tests).
 *
 * Rules are grouped into plans, one per (transform chain, field class):
 * a plan lists its rules matched one by one (detectors, regex, strings)
 * and points at its chain's vectorscan database, which holds every
 * pattern and phrase of the chain's rules (expression id -> rule; the
 * match callback checks the rule's fields). Inspecting a field runs each
 * plan of its class once over the field normalised by that plan's chain.
 */
#ifndef YS_WAF_ENGINE_H
#define YS_WAF_ENGINE_H

#include <stdatomic.h>
#include <stdint.h>

#include <hs/hs.h>

#include "rules.h"
#include "waf.h"

#define ENGINE_MAX_CHAINS 32
#define WAF_DEFAULT_THRESHOLD 5
#define WAF_INSPECT_MAX_VALUE (256u * 1024)	/* bytes of one field inspected */

struct plan {
	hs_database_t *db;	/* the chain's (borrowed in plans[][]) */
	size_t *expr_rule;	/* vectorscan expression id -> rule index */
	size_t n_expr;
	size_t *rules;		/* rule indexes matched one by one */
	size_t n_rules;
};

struct waf_engine {
	atomic_int refs;
	uint64_t generation;
	struct rule *rules;
	size_t n_rules;
	struct {
		uint8_t ids[NORM_MAX_CHAIN];
		size_t n;
		int parent;	/* longest other chain that is a prefix, or -1:
				 * its result is reused, only the rest is run */
	} chains[ENGINE_MAX_CHAINS];
	size_t n_chains;
	struct plan plans[ENGINE_MAX_CHAINS][FC_COUNT];
	struct plan chain_db[ENGINE_MAX_CHAINS];	/* owns the databases */
	size_t *request_rules;	/* request-level detector rules */
	size_t n_request_rules;
	int threshold;		/* from the rule files, default 5 */
	char version[64];
};

struct site_exception {
	char *path_prefix;
	size_t prefix_len;
	char **rule_ids;
	size_t n_rule_ids;
	char **categories;
	size_t n_categories;
	struct rule fields;	/* only specs/class_mask used; none = all fields */
};

struct waf_site {
	int monitor;
	int threshold;
	struct site_exception *exceptions;
	size_t n_exceptions;
	struct rule *custom;
	size_t n_custom;
	size_t custom_chain_max;
};

/* Group e->rules into chains and plans and compile the databases. */
int engine_compile(struct waf_engine *e, char *err, size_t errlen);

/* Does an exception of site cover rule r on field f for this path? */
int site_excluded(const struct waf_site *s, const char *path, size_t path_len,
    const struct rule *r, const struct field *f);

#endif
