/*
 * inspect: waf_inspect(), one request through the engine (see engine.h).
 * Per request: fields into a stack-backed arena, one pair of normalisation
 * buffers sized to the largest field, a bitset of matched rules; the
 * vectorscan scratch is per thread and grown once per engine generation.
 */
#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "engine.h"

#define ARENA_STACK 16384
#define ARENA_LIMIT (64u << 20)

struct scratch_tls {
	hs_scratch_t *scratch;
	uint64_t generation;
};

static pthread_key_t scratch_key;
static pthread_once_t scratch_once = PTHREAD_ONCE_INIT;

static void
scratch_tls_free(void *p)
{
	struct scratch_tls *t = p;

	if (t != NULL) {
		hs_free_scratch(t->scratch);
		free(t);
	}
}

static void
scratch_key_init(void)
{
	(void)pthread_key_create(&scratch_key, scratch_tls_free);
}

/* The calling thread's scratch, grown for e's databases; 0, or -1 when
 * it cannot be allocated (the request then fails closed). */
static int
thread_scratch(const struct waf_engine *e, hs_scratch_t **out)
{
	struct scratch_tls *t;

	pthread_once(&scratch_once, scratch_key_init);
	t = pthread_getspecific(scratch_key);
	if (t == NULL) {
		t = calloc(1, sizeof(*t));
		if (t == NULL || pthread_setspecific(scratch_key, t) != 0) {
			free(t);
			return -1;
		}
	}
	if (t->generation != e->generation) {
		for (size_t c = 0; c < e->n_chains; c++)
			if (e->chain_db[c].db != NULL &&
			    hs_alloc_scratch(e->chain_db[c].db, &t->scratch) != HS_SUCCESS)
				return -1;
		t->generation = e->generation;
	}
	*out = t->scratch;
	return 0;
}

struct insp {
	const struct waf_engine *e;
	const struct waf_site *site;
	const char *npath;	/* normalised request path, for exceptions */
	size_t npath_len;
	struct waf_verdict *out;
	uint8_t *matched;	/* bit per engine rule */
	int forced_block, allow;
	/* the field being scanned, for the vectorscan callback */
	const struct field *f;
	const char *val;
	size_t vlen;
	const struct plan *plan;
};

static void
excerpt(char *dst, size_t dsize, const char *v, size_t len, size_t off)
{
	size_t start = off > 24 ? off - 24 : 0, n = 0, digits = 0;

	if (start > len)
		start = len;
	for (size_t i = start; i < len && n + 1 < dsize && n < 100; i++) {
		unsigned char c = (unsigned char)v[i];

		dst[n++] = (char)(c >= 0x20 && c < 0x7F && c != '"' && c != '\\' ? c : '.');
		/* long digit runs (card, phone and account numbers) are masked */
		digits = isdigit(c) ? digits + 1 : 0;
		if (digits == 8)
			memset(dst + n - 8, '*', 8);
		else if (digits > 8)
			dst[n - 1] = '*';
	}
	dst[n] = '\0';
}

static void
record(struct insp *in, const struct rule *r, const struct field *f, const char *v, size_t vlen,
    size_t off)
{
	struct waf_verdict *out = in->out;

	out->score += r->score;
	if (r->action == RULE_BLOCK)
		in->forced_block = 1;
	else if (r->action == RULE_ALLOW)
		in->allow = 1;
	if (out->n_matches < WAF_MAX_MATCHES) {
		struct waf_match *m = &out->matches[out->n_matches++];

		snprintf(m->rule_id, sizeof(m->rule_id), "%s", r->id);
		snprintf(m->category, sizeof(m->category), "%s", r->category);
		m->severity = r->severity;
		m->score = r->score;
		if (f == NULL)
			snprintf(m->field, sizeof(m->field), "request");
		else if (f->name_len > 0 && f->fclass != FC_ARGS_NAMES && f->fclass != FC_COOKIES_NAMES)
			snprintf(m->field, sizeof(m->field), "%s:%.*s", f->src, (int)f->name_len, f->name);
		else
			snprintf(m->field, sizeof(m->field), "%s", f->src);
		excerpt(m->excerpt, sizeof(m->excerpt), v, vlen, off);
	}
}

static int
is_matched(const struct insp *in, size_t i)
{
	return in->matched[i / 8] & (1u << (i % 8));
}

static void
engine_hit(struct insp *in, size_t i, const struct field *f, const char *v, size_t vlen, size_t off)
{
	const struct rule *r = &in->e->rules[i];

	if (in->site != NULL && site_excluded(in->site, in->npath, in->npath_len, r, f))
		return;
	in->matched[i / 8] |= (uint8_t)(1u << (i % 8));
	record(in, r, f, v, vlen, off);
}

static int
on_match(unsigned int id, unsigned long long from, unsigned long long to, unsigned int flags,
    void *ctx)
{
	struct insp *in = ctx;
	size_t i = in->plan->expr_rule[id];

	(void)from;
	(void)flags;
	if (is_matched(in, i) || !rule_wants(&in->e->rules[i], in->f))
		return 0;
	engine_hit(in, i, in->f, in->val, in->vlen, to > 32 ? (size_t)to - 32 : 0);
	return 0;
}

/* Custom rules of the site, in order; an allow rule ends inspection. */
static void
run_custom(struct insp *in, const struct field_set *fs, char *buf_a, char *buf_b)
{
	for (size_t k = 0; k < in->site->n_custom && !in->allow; k++) {
		const struct rule *r = &in->site->custom[k];

		for (size_t j = 0; j < fs->n; j++) {
			const struct field *f = &fs->v[j];
			size_t len = f->len < WAF_INSPECT_MAX_VALUE ? f->len : WAF_INSPECT_MAX_VALUE;
			struct detect_hit hit = { NULL, 0 };
			const char *v;

			if (!rule_wants(r, f))
				continue;
			detect_set_source(f->src);
			len = norm_run(r->chain, r->chain_len, f->value, len, buf_a, buf_b, &v);
			if (r->op->match(r, v, len, &hit)) {
				record(in, r, f, v, len, hit.offset);
				break;
			}
		}
	}
}

/* The field's value through each chain, computed on first use; a chain
 * whose prefix is another chain starts from that one's result. */
struct chain_vals {
	char *buf[ENGINE_MAX_CHAINS];	/* one result buffer per chain */
	char *tmp;
	const char *val[ENGINE_MAX_CHAINS];
	size_t len[ENGINE_MAX_CHAINS];
	uint32_t done;
};

/* Run chain[0..n) over in into dst (tmp for the steps between). */
static size_t
norm_into(const uint8_t *chain, size_t n, const char *in, size_t len, char *dst, char *tmp)
{
	const char *cur = in;
	char *w = n % 2 == 1 ? dst : tmp;

	for (size_t k = 0; k < n; k++) {
		len = norm_table[chain[k]].fn(cur, len, w);
		cur = w;
		w = w == dst ? tmp : dst;
	}
	return len;
}

static void
chain_value(const struct waf_engine *e, struct chain_vals *cv, size_t c, const struct field *f,
    size_t raw_len)
{
	int p = e->chains[c].parent;

	if (cv->done & (1u << c))
		return;
	cv->done |= 1u << c;
	if (e->chains[c].n == 0) {
		cv->val[c] = f->value;
		cv->len[c] = raw_len;
	} else if (p >= 0) {
		size_t pn = e->chains[p].n;

		chain_value(e, cv, (size_t)p, f, raw_len);
		cv->len[c] = norm_into(e->chains[c].ids + pn, e->chains[c].n - pn, cv->val[p],
		    cv->len[p], cv->buf[c], cv->tmp);
		cv->val[c] = cv->buf[c];
	} else {
		cv->len[c] = norm_into(e->chains[c].ids, e->chains[c].n, f->value, raw_len,
		    cv->buf[c], cv->tmp);
		cv->val[c] = cv->buf[c];
	}
}

static void
run_field(struct insp *in, const struct field *f, struct chain_vals *cv, hs_scratch_t *scratch)
{
	const struct waf_engine *e = in->e;
	size_t raw_len = f->len < WAF_INSPECT_MAX_VALUE ? f->len : WAF_INSPECT_MAX_VALUE;

	cv->done = 0;
	detect_set_source(f->src);
	for (size_t c = 0; c < e->n_chains; c++) {
		const struct plan *p = &e->plans[c][f->fclass];
		const char *v;
		size_t len;

		if (p->db == NULL && p->n_rules == 0)
			continue;
		chain_value(e, cv, c, f, raw_len);
		v = cv->val[c];
		len = cv->len[c];
		if (len == 0)
			continue;
		if (p->db != NULL) {
			in->f = f;
			in->val = v;
			in->vlen = len;
			in->plan = p;
			(void)hs_scan(p->db, v, (unsigned)len, 0, scratch, on_match, in);
		}
		for (size_t k = 0; k < p->n_rules; k++) {
			size_t i = p->rules[k];
			const struct rule *r = &e->rules[i];
			struct detect_hit hit = { NULL, 0 };

			if (is_matched(in, i) || !rule_wants(r, f))
				continue;
			if (r->op->match(r, v, len, &hit))
				engine_hit(in, i, f, v, len, hit.offset);
		}
	}
}

int
waf_inspect(const struct waf_engine *e, const struct waf_site *site,
    const struct waf_request *req, struct waf_verdict *out)
{
	char stack[ARENA_STACK] __attribute__((aligned(8)));
	struct arena a;
	struct field_set fs;
	struct insp in;
	size_t maxlen = 64;
	char *buf_a, *buf_b, *np, *np_tmp;
	struct chain_vals cv;
	hs_scratch_t *scratch;
	int threshold, rc = -1;

	memset(out, 0, sizeof(*out));
	memset(&in, 0, sizeof(in));
	arena_init(&a, stack, sizeof(stack), ARENA_LIMIT);
	in.e = e;
	in.site = site;
	in.out = out;
	if (fields_extract(req, &a, &fs) < 0)
		goto done;
	for (size_t j = 0; j < fs.n; j++)
		if (fs.v[j].len > maxlen)
			maxlen = fs.v[j].len;
	if (maxlen > WAF_INSPECT_MAX_VALUE)
		maxlen = WAF_INSPECT_MAX_VALUE;
	buf_a = arena_alloc(&a, maxlen);
	buf_b = arena_alloc(&a, maxlen);
	in.matched = arena_alloc(&a, e->n_rules / 8 + 1);
	np = arena_alloc(&a, req->path_len + 1);
	np_tmp = arena_alloc(&a, req->path_len + 1);
	if (buf_a == NULL || buf_b == NULL || in.matched == NULL || np == NULL || np_tmp == NULL)
		goto done;
	cv.tmp = buf_b;
	for (size_t c = 0; c < e->n_chains; c++)
		if ((cv.buf[c] = c == 0 ? buf_a : arena_alloc(&a, maxlen)) == NULL)
			goto done;
	memset(in.matched, 0, e->n_rules / 8 + 1);
	/* the path exceptions compare with: decoded, '..' resolved */
	in.npath_len = norm_path(np_tmp, norm_utf8(np, norm_urldecode(req->path, req->path_len, np),
	    np_tmp), np);
	in.npath = np;
	if (site != NULL && site->n_custom > 0) {
		run_custom(&in, &fs, buf_a, buf_b);
		if (in.allow) {
			out->action = WAF_PASS;
			out->would_block = 0;
			rc = 0;
			goto done;
		}
	}
	detect_set_source(NULL);	/* request-level detectors read the whole request */
	for (size_t k = 0; k < e->n_request_rules; k++) {
		size_t i = e->request_rules[k];
		struct detect_hit hit = { NULL, 0 };

		if (e->rules[i].det->request_fn(req, fs.flags, &hit))
			engine_hit(&in, i, NULL, hit.reason, strlen(hit.reason), 0);
	}
	if (thread_scratch(e, &scratch) < 0)
		goto done;
	for (size_t j = 0; j < fs.n; j++)
		if (fs.v[j].len > 0)
			run_field(&in, &fs.v[j], &cv, scratch);
	threshold = site != NULL && site->threshold > 0 ? site->threshold : e->threshold;
	out->would_block = in.forced_block || out->score >= threshold;
	out->action = out->would_block && !(site != NULL && site->monitor) ? WAF_BLOCK : WAF_PASS;
	rc = 0;
done:
	detect_set_source(NULL);
	fields_release(&fs);
	arena_release(&a);
	return rc;
}
