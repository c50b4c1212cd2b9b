/*
 * detector: baselines, thresholds, hysteresis and vector classification.
 * Triggers and vectors are tables (det_triggers[], det_vectors[]); adding
 * one is a row. See detector.h for the model.
 */
#include "detector.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

const struct det_vector_def det_vectors[DET_V_COUNT] = {
	{ DET_V_SYN, "syn-flood", 0.10, 100 },
	{ DET_V_TCP, "tcp-flood", 0.25, 100 },
	{ DET_V_UDP, "udp-flood", 0.10, 100 },
	{ DET_V_ICMP, "icmp-flood", 0.10, 100 },
	{ DET_V_REFLECTION, "udp-reflection", 0.05, 50 },
	{ DET_V_DNS_REFL, "dns-reflection", 0.05, 50 },
	{ DET_V_NTP_REFL, "ntp-reflection", 0.05, 50 },
	{ DET_V_SNMP_REFL, "snmp-reflection", 0.05, 50 },
	{ DET_V_SSDP_REFL, "ssdp-reflection", 0.05, 50 },
	{ DET_V_MEMCACHED_REFL, "memcached-reflection", 0.05, 50 },
	{ DET_V_CHARGEN_REFL, "chargen-reflection", 0.05, 50 },
	{ DET_V_FRAGMENT, "fragments", 0.05, 50 },
	{ DET_V_TCP_FLAGS, "invalid-tcp-flags", 0.05, 50 },
	{ DET_V_OTHER, "ip-protocol-flood", 0.10, 100 },
	{ DET_V_MALFORMED, "malformed", 0.05, 50 },
};

const char *
det_vector_name(enum det_vector v)
{
	return (unsigned)v < DET_V_COUNT ? det_vectors[v].name : "unknown";
}

/* ---- triggers ---- */

static double
thr_pps(const struct det_target *t, const struct det_sample *s, double *value)
{
	*value = s->pps;
	return t->th.pps ? (double)t->th.pps : -1;
}

static double
thr_bps(const struct det_target *t, const struct det_sample *s, double *value)
{
	*value = s->bps;
	return t->th.bps ? (double)t->th.bps : -1;
}

static double
thr_syn(const struct det_target *t, const struct det_sample *s, double *value)
{
	*value = s->vec_pps[DET_V_SYN];
	return t->th.syn_pps ? (double)t->th.syn_pps : -1;
}

/* A multiple of the P95, never below the policy's floor, so that a nearly
 * idle address does not declare an attack at a few hundred packets. */
static double
thr_baseline_pps(const struct det_target *t, const struct det_sample *s, double *value)
{
	*value = s->pps;
	if (!det_baseline_ready(t))
		return -1;
	return fmax(t->p95_pps * t->th.baseline_pct / 100.0, (double)t->th.min_pps);
}

static double
thr_baseline_bps(const struct det_target *t, const struct det_sample *s, double *value)
{
	*value = s->bps;
	if (!det_baseline_ready(t))
		return -1;
	/* The floor in bits: min_pps minimum-size (64-byte) frames. */
	return fmax(t->p95_bps * t->th.baseline_pct / 100.0, (double)t->th.min_pps * 512.0);
}

const struct det_trigger_def det_triggers[] = {
	{ "pps", thr_pps },
	{ "bps", thr_bps },
	{ "syn_pps", thr_syn },
	{ "baseline_pps", thr_baseline_pps },
	{ "baseline_bps", thr_baseline_bps },
};
const size_t det_n_triggers = sizeof(det_triggers) / sizeof(det_triggers[0]);

/* Bit per trigger that fires; during an attack a trigger keeps firing down
 * to end_ratio of its threshold (hysteresis). */
static uint32_t
over_threshold(const struct det_target *t, const struct det_sample *s)
{
	double ratio = t->in_attack ? t->cfg.end_ratio : 1.0;
	uint32_t bits = 0;

	for (size_t i = 0; i < det_n_triggers; i++) {
		double value, thr = det_triggers[i].threshold(t, s, &value);

		if (thr >= 0 && value > thr * ratio)
			bits |= 1u << i;
	}
	return bits;
}

/* ---- baseline ---- */

static void
swapf(float *a, float *b)
{
	float x = *a;

	*a = *b;
	*b = x;
}

double
det_percentile(float *v, size_t n, double q)
{
	size_t k, lo = 0, hi;

	if (n == 0)
		return 0;
	k = (size_t)ceil(q * (double)n);
	k = k == 0 ? 0 : k - 1;
	if (k >= n)
		k = n - 1;
	hi = n - 1;
	/* Quickselect (Hoare partition around the middle element). */
	while (lo < hi) {
		float pivot = v[lo + (hi - lo) / 2];
		size_t i = lo, j = hi;

		while (i <= j) {
			while (v[i] < pivot)
				i++;
			while (v[j] > pivot)
				j--;
			if (i <= j) {
				swapf(&v[i], &v[j]);
				i++;
				if (j == 0)
					break;
				j--;
			}
		}
		if (k <= j)
			hi = j;
		else if (k >= i)
			lo = i;
		else
			break;
	}
	return v[k];
}

bool
det_baseline_ready(const struct det_target *t)
{
	return t->win_len >= t->cfg.warmup_buckets && t->th.baseline_pct > 0;
}

static void
push_bucket(struct det_target *t)
{
	uint32_t n;

	if (t->bucket_n == 0)
		return;
	t->win_pps[t->win_pos] = (float)(t->bucket_sum_pps / t->bucket_n);
	t->win_bps[t->win_pos] = (float)(t->bucket_sum_bps / t->bucket_n);
	t->win_pos = (t->win_pos + 1) % t->cfg.n_buckets;
	if (t->win_len < t->cfg.n_buckets)
		t->win_len++;
	n = t->win_len;
	memcpy(t->scratch, t->win_pps, n * sizeof(float));
	t->p95_pps = det_percentile(t->scratch, n, 0.95);
	memcpy(t->scratch, t->win_bps, n * sizeof(float));
	t->p95_bps = det_percentile(t->scratch, n, 0.95);
	t->bucket_n = 0;
	t->bucket_sum_pps = t->bucket_sum_bps = 0;
}

static void
learn(struct det_target *t, const struct det_sample *s)
{
	double dt = s->interval_ms ? s->interval_ms : 100;
	double alpha = 1.0 - exp(-dt / (double)t->cfg.ewma_tau_ms);

	if (!t->ewma_init) {
		t->ewma_pps = s->pps;
		t->ewma_bps = s->bps;
		t->ewma_init = true;
	} else {
		t->ewma_pps += alpha * (s->pps - t->ewma_pps);
		t->ewma_bps += alpha * (s->bps - t->ewma_bps);
	}
	if (t->bucket_n == 0)
		t->bucket_start_ms = s->t_ms;
	t->bucket_sum_pps += s->pps;
	t->bucket_sum_bps += s->bps;
	t->bucket_n++;
	if (s->t_ms - t->bucket_start_ms + dt >= t->cfg.bucket_ms)
		push_bucket(t);
}

/* ---- attack record ---- */

static void
timeline_add(struct det_target *t, const struct det_point *p)
{
	struct det_attack *a = &t->attack;

	if (t->acc_n == 0) {
		t->acc = *p;
	} else {
		t->acc.pps = fmax(t->acc.pps, p->pps);
		t->acc.bps = fmax(t->acc.bps, p->bps);
		t->acc.dropped_pkts += p->dropped_pkts;
	}
	if (++t->acc_n < a->samples_per_point)
		return;
	if (a->n_timeline == t->cfg.timeline_max) {
		/* Full: merge neighbours, so the timeline still spans the attack. */
		for (size_t i = 0; i < a->n_timeline / 2; i++) {
			struct det_point *x = &a->timeline[2 * i], *y = &a->timeline[2 * i + 1];

			a->timeline[i] = (struct det_point){ x->t_ms, fmax(x->pps, y->pps),
				fmax(x->bps, y->bps), x->dropped_pkts + y->dropped_pkts };
		}
		if (a->n_timeline % 2)
			a->timeline[a->n_timeline / 2] = a->timeline[a->n_timeline - 1];
		a->n_timeline = (a->n_timeline + 1) / 2;
		a->samples_per_point *= 2;
	}
	a->timeline[a->n_timeline++] = t->acc;
	t->acc_n = 0;
}

static void
timeline_flush(struct det_target *t)
{
	struct det_attack *a = &t->attack;

	if (t->acc_n > 0 && a->n_timeline < t->cfg.timeline_max)
		a->timeline[a->n_timeline++] = t->acc;
	t->acc_n = 0;
}

/* A run of samples over a threshold begins: a fresh record, so that the
 * onset samples (before K is reached) are part of the attack if it is one. */
static void
attack_reset(struct det_target *t, const struct det_sample *s)
{
	struct det_point *tl = t->attack.timeline;

	memset(&t->attack, 0, sizeof(t->attack));
	t->attack.timeline = tl;
	t->attack.samples_per_point = 1;
	t->attack.start_ms = s->t_ms;
	t->attack.baseline_p95_pps = t->p95_pps;
	t->acc_n = 0;
	t->n_heavy = 0;
}

static void
attack_begin(struct det_target *t, const struct det_sample *s)
{
	t->in_attack = true;
	t->last_over_ms = s->t_ms;
	t->n_attacks++;
	/* The partial bucket holds the onset; it must not teach the baseline. */
	t->bucket_n = 0;
	t->bucket_sum_pps = t->bucket_sum_bps = 0;
}

static void
attack_account(struct det_target *t, const struct det_sample *s, uint32_t over)
{
	struct det_attack *a = &t->attack;
	double secs = (s->interval_ms ? s->interval_ms : 100) / 1000.0;

	a->triggers |= over;
	a->peak_pps = fmax(a->peak_pps, s->pps);
	a->peak_bps = fmax(a->peak_bps, s->bps);
	a->dropped_pkts += s->dropped_pkts;
	a->dropped_bytes += s->dropped_bytes;
	for (size_t v = 0; v < DET_V_COUNT; v++) {
		const struct det_vector_def *d = &det_vectors[v];

		a->vec_pkts[v] += (uint64_t)llround(s->vec_pps[v] * secs);
		/* Classify only samples over the threshold: the quiet tail's
		 * legitimate traffic is not a vector. */
		if (over && s->vec_pps[v] >= d->min_pps && s->vec_pps[v] >= d->min_share * s->pps)
			a->vectors |= 1u << v;
	}
	timeline_add(t, &(struct det_point){ s->t_ms, s->pps, s->bps, s->dropped_pkts });
}

void
det_attack_add_source(struct det_attack *a, const struct scrub_ipaddr *src, uint64_t pkts)
{
	size_t i, min = 0;

	for (i = 0; i < a->n_top; i++)
		if (scrub_ipaddr_equal(&a->top[i].addr, src)) {
			if (pkts > a->top[i].pkts)
				a->top[i].pkts = pkts;
			goto sort;
		}
	if (a->n_top < DET_TOP_SOURCES) {
		a->top[a->n_top++] = (struct det_source){ *src, pkts };
		goto sort;
	}
	for (i = 1; i < a->n_top; i++)
		if (a->top[i].pkts < a->top[min].pkts)
			min = i;
	if (pkts <= a->top[min].pkts)
		return;
	a->top[min] = (struct det_source){ *src, pkts };
sort:
	/* Insertion sort, largest first; at most DET_TOP_SOURCES entries. */
	for (i = 1; i < a->n_top; i++)
		for (size_t j = i; j > 0 && a->top[j].pkts > a->top[j - 1].pkts; j--) {
			struct det_source x = a->top[j];

			a->top[j] = a->top[j - 1];
			a->top[j - 1] = x;
		}
}

void
det_note_source(struct det_target *t, const struct scrub_ipaddr *src, uint64_t weight)
{
	size_t min = 0;

	if (!t->in_attack && t->consecutive == 0)
		return;
	for (size_t i = 0; i < t->n_heavy; i++) {
		if (scrub_ipaddr_equal(&t->heavy[i].addr, src)) {
			t->heavy[i].count += weight;
			return;
		}
		if (t->heavy[i].count < t->heavy[min].count)
			min = i;
	}
	if (t->n_heavy < DET_HEAVY) {
		t->heavy[t->n_heavy++] = (struct det_heavy){ *src, weight, 0 };
		return;
	}
	/* Space-Saving: the newcomer takes the smallest counter over. */
	t->heavy[min] = (struct det_heavy){ *src, t->heavy[min].count + weight,
		t->heavy[min].count };
}

void
det_top_refresh(struct det_target *t)
{
	t->attack.n_top = 0;
	for (size_t i = 0; i < t->n_heavy; i++)
		det_attack_add_source(&t->attack, &t->heavy[i].addr, t->heavy[i].count);
}

/* ---- decision ---- */

enum det_event
det_feed(struct det_target *t, const struct det_sample *s)
{
	uint32_t over = over_threshold(t, s);

	if (t->in_attack) {
		if (over)
			t->last_over_ms = s->t_ms;
		attack_account(t, s, over);
		if (s->t_ms < t->last_over_ms || s->t_ms - t->last_over_ms < t->th.quiet_ms)
			return DET_EV_NONE;
		timeline_flush(t);
		det_top_refresh(t);
		t->attack.end_ms = s->t_ms;
		t->in_attack = false;
		t->consecutive = 0;
		return DET_EV_END;
	}
	if (!over) {
		t->consecutive = 0;
		learn(t, s);
		return DET_EV_NONE;
	}
	if (t->consecutive++ == 0) {
		t->first_over_ms = s->t_ms;
		attack_reset(t, s);
	}
	attack_account(t, s, over);
	if (t->consecutive < t->th.consecutive)
		return DET_EV_NONE;
	attack_begin(t, s);
	det_top_refresh(t);
	return DET_EV_START;
}

void
det_sample_from_counters(const struct det_counters *c0, uint64_t t0_ms,
    const struct det_counters *c1, uint64_t t1_ms, struct det_sample *s)
{
	uint64_t dt = t1_ms > t0_ms ? t1_ms - t0_ms : 1;
	double secs = (double)dt / 1000.0;

#define DELTA(f) (c1->f >= c0->f ? c1->f - c0->f : c1->f)
	memset(s, 0, sizeof(*s));
	s->t_ms = t1_ms;
	s->interval_ms = (uint32_t)(dt > UINT32_MAX ? UINT32_MAX : dt);
	s->pps = (double)DELTA(pkts) / secs;
	s->bps = (double)DELTA(bytes) * 8.0 / secs;
	for (size_t v = 0; v < DET_V_COUNT; v++) {
		s->vec_pps[v] = (double)DELTA(vec_pkts[v]) / secs;
		s->vec_bps[v] = (double)DELTA(vec_bytes[v]) * 8.0 / secs;
	}
	s->dropped_pkts = DELTA(dropped_pkts);
	s->dropped_bytes = DELTA(dropped_bytes);
#undef DELTA
}

void
det_config_default(struct det_config *c)
{
	*c = (struct det_config){
		.bucket_ms = 1000, .n_buckets = 600, .warmup_buckets = 30,
		.ewma_tau_ms = 60000, .end_ratio = 0.8, .timeline_max = 120,
	};
}

int
det_target_init(struct det_target *t, const struct det_config *cfg,
    const struct scrub_thresholds *th)
{
	memset(t, 0, sizeof(*t));
	t->cfg = *cfg;
	if (t->cfg.n_buckets == 0)
		t->cfg.n_buckets = 1;
	if (t->cfg.timeline_max < 2)
		t->cfg.timeline_max = 2;
	t->th = *th;
	if (t->th.consecutive == 0)
		t->th.consecutive = 1;
	t->win_pps = calloc(t->cfg.n_buckets, sizeof(float));
	t->win_bps = calloc(t->cfg.n_buckets, sizeof(float));
	t->scratch = calloc(t->cfg.n_buckets, sizeof(float));
	t->attack.timeline = calloc(t->cfg.timeline_max, sizeof(struct det_point));
	if (t->win_pps == NULL || t->win_bps == NULL || t->scratch == NULL ||
	    t->attack.timeline == NULL) {
		det_target_free(t);
		return -1;
	}
	return 0;
}

void
det_target_set_thresholds(struct det_target *t, const struct scrub_thresholds *th)
{
	t->th = *th;
	if (t->th.consecutive == 0)
		t->th.consecutive = 1;
}

void
det_target_free(struct det_target *t)
{
	if (t == NULL)
		return;
	free(t->win_pps);
	free(t->win_bps);
	free(t->scratch);
	free(t->attack.timeline);
	t->win_pps = t->win_bps = t->scratch = NULL;
	t->attack.timeline = NULL;
}
