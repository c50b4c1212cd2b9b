/*
 * Unit tests of the attack detector with synthetic sample streams (one
 * sample per 100 ms): steady traffic and slow drift never trigger, a burst
 * and a ramp do (after K samples), flapping neither starts an attack nor
 * splits one, the end comes after the quiet period with hysteresis, the
 * baseline does not learn from an attack, every vector row classifies, the
 * timeline stays bounded, and the helpers (percentile, counters to rates,
 * top sources) are exact.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "detector.h"

#define STEP 100	/* ms between samples */

static const struct scrub_thresholds th_default = {
	.pps = 0, .bps = 0, .syn_pps = 0, .baseline_pct = 400, .min_pps = 2000,
	.consecutive = 3, .quiet_ms = 3000,
};

struct run {
	struct det_target t;
	uint64_t now;
	unsigned starts, ends;
	uint64_t start_at, end_at;	/* time of the last DET_EV_START / END */
};

static void
run_init(struct run *r, const struct scrub_thresholds *th)
{
	struct det_config c;

	det_config_default(&c);
	memset(r, 0, sizeof(*r));
	assert_int_equal(det_target_init(&r->t, &c, th), 0);
}

/* One sample of pps packets/s, all of vector v (or spread as legitimate
 * traffic: 70 % TCP non-SYN (no vector), 30 % UDP, when v < 0). */
static enum det_event
feed(struct run *r, double pps, int v)
{
	struct det_sample s;
	enum det_event ev;

	memset(&s, 0, sizeof(s));
	r->now += STEP;
	s.t_ms = r->now;
	s.interval_ms = STEP;
	s.pps = pps;
	s.bps = pps * 8 * 500;
	if (v >= 0) {
		s.vec_pps[v] = pps;
		s.bps = pps * 8 * 64;
	} else {
		s.vec_pps[DET_V_UDP] = pps * 0.3;
	}
	s.dropped_pkts = r->t.in_attack ? (uint64_t)(pps * STEP / 1000) : 0;
	s.dropped_bytes = s.dropped_pkts * 64;
	ev = det_feed(&r->t, &s);
	if (ev == DET_EV_START) {
		r->starts++;
		r->start_at = r->now;
	} else if (ev == DET_EV_END) {
		r->ends++;
		r->end_at = r->now;
	}
	return ev;
}

/* Legitimate traffic around mean with +-20 % deterministic noise. */
static double
noisy(double mean, unsigned i)
{
	return mean * (1.0 + 0.2 * sin(i * 0.7) * cos(i * 0.13));
}

static void
warm(struct run *r, double mean, unsigned seconds)
{
	for (unsigned i = 0; i < seconds * 10; i++)
		feed(r, noisy(mean, i), -1);
}

static void
test_steady_traffic_never_triggers(void **state)
{
	struct run r;

	(void)state;
	run_init(&r, &th_default);
	warm(&r, 5000, 900);
	assert_int_equal(r.starts, 0);
	assert_true(det_baseline_ready(&r.t));
	assert_true(r.t.p95_pps > 5000 && r.t.p95_pps < 6200);
	assert_true(fabs(r.t.ewma_pps - 5000) < 500);
	det_target_free(&r.t);
}

static void
test_slow_drift_does_not_trigger(void **state)
{
	struct run r;
	double pps = 5000;

	(void)state;
	run_init(&r, &th_default);
	warm(&r, pps, 120);
	/* +0.3 % per second for 15 minutes: x15 in all, far above 4 x the
	 * starting P95, but never 4 x the P95 of the last 10 minutes. */
	for (unsigned i = 0; i < 9000; i++) {
		pps *= pow(1.003, STEP / 1000.0);
		feed(&r, noisy(pps, i), -1);
	}
	assert_true(pps > 5000 * 14);
	assert_int_equal(r.starts, 0);
	det_target_free(&r.t);
}

static void
test_burst_detected_and_ended(void **state)
{
	struct run r;
	uint64_t flood_start;

	(void)state;
	run_init(&r, &th_default);
	warm(&r, 5000, 60);
	flood_start = r.now + STEP;
	for (unsigned i = 0; i < 50; i++) {	/* 5 s SYN flood at 200 kpps */
		feed(&r, 200000, DET_V_SYN);
		if (i < 2)
			assert_int_equal(r.starts, 0);	/* K = 3 */
	}
	assert_int_equal(r.starts, 1);
	assert_int_equal(r.start_at, flood_start + 2 * STEP);	/* detected in 300 ms */
	assert_int_equal(r.t.attack.start_ms, flood_start);
	assert_true(r.t.in_attack);
	for (unsigned i = 0; i < 29; i++)	/* 2.9 s quiet: not over yet */
		feed(&r, 5000, -1);
	assert_int_equal(r.ends, 0);
	feed(&r, 5000, -1);
	assert_int_equal(r.ends, 1);
	assert_false(r.t.in_attack);
	assert_int_equal(r.t.attack.end_ms, r.now);
	assert_int_equal(r.t.attack.vectors, 1u << DET_V_SYN);
	assert_true(r.t.attack.triggers & (1u << 3));	/* baseline_pps */
	assert_true(fabs(r.t.attack.peak_pps - 200000) < 1);
	assert_int_equal(r.t.attack.vec_pkts[DET_V_SYN], 50 * 20000);	/* onset included */
	assert_int_equal(r.t.attack.dropped_pkts, 47 * 20000 + 30 * 500 + 0);
	assert_int_equal(r.t.attack.n_timeline, 50 + 30);
	assert_int_equal(r.t.attack.timeline[0].t_ms, flood_start);
	det_target_free(&r.t);
}

static void
test_ramp_detected_at_threshold(void **state)
{
	struct run r;
	double thr;

	(void)state;
	run_init(&r, &th_default);
	warm(&r, 5000, 60);
	thr = r.t.p95_pps * 4;
	/* 5 k -> 105 k pps in 10 s: over 4 x P95 from some sample on; the
	 * attack is declared K samples later, not before. */
	for (unsigned i = 1; i <= 100 && r.starts == 0; i++) {
		double pps = 5000 + 1000.0 * i;

		feed(&r, pps, DET_V_UDP);
		if (r.starts)
			assert_true(pps - 2000 > thr);
		else
			assert_true(pps - 3000 <= thr);
	}
	assert_int_equal(r.starts, 1);
	assert_int_equal(r.t.attack.vectors, 1u << DET_V_UDP);
	det_target_free(&r.t);
}

static void
test_flapping_never_starts(void **state)
{
	struct run r;

	(void)state;
	run_init(&r, &th_default);
	warm(&r, 5000, 60);
	/* Over, over, under, ...: never K = 3 in a row. */
	for (unsigned i = 0; i < 600; i++)
		feed(&r, i % 3 == 2 ? 5000 : 80000, DET_V_UDP);
	assert_int_equal(r.starts, 0);
	/* A real attack afterwards: its record holds its own samples only. */
	for (unsigned i = 0; i < 3; i++)
		feed(&r, 90000, DET_V_SYN);
	assert_int_equal(r.starts, 1);
	assert_int_equal(r.t.attack.vec_pkts[DET_V_SYN], 3 * 9000);
	assert_int_equal(r.t.attack.vec_pkts[DET_V_UDP], 0);
	assert_int_equal(r.t.attack.vectors, 1u << DET_V_SYN);
	assert_int_equal(r.t.attack.n_timeline, 3);
	det_target_free(&r.t);
}

static void
test_flapping_attack_stays_one(void **state)
{
	struct run r;

	(void)state;
	run_init(&r, &th_default);
	warm(&r, 5000, 60);
	for (unsigned i = 0; i < 10; i++)
		feed(&r, 100000, DET_V_ICMP);
	/* On/off every 1.5 s (shorter than quiet_ms 3 s) for a minute. */
	for (unsigned i = 0; i < 600; i++)
		feed(&r, (i / 15) % 2 ? 1000 : 100000, DET_V_ICMP);
	assert_int_equal(r.starts, 1);
	assert_int_equal(r.ends, 0);
	/* Just below the trigger level: still the attack (hysteresis). */
	for (unsigned i = 0; i < 100; i++)
		feed(&r, r.t.p95_pps * 4 * 0.9, DET_V_ICMP);
	assert_int_equal(r.ends, 0);
	for (unsigned i = 0; i < 40; i++)
		feed(&r, 5000, -1);
	assert_int_equal(r.starts, 1);
	assert_int_equal(r.ends, 1);
	assert_int_equal(r.t.attack.vectors, 1u << DET_V_ICMP);
	det_target_free(&r.t);
}

static void
test_baseline_does_not_learn_attacks(void **state)
{
	struct run r;
	double p95;

	(void)state;
	run_init(&r, &th_default);
	warm(&r, 5000, 60);
	p95 = r.t.p95_pps;
	for (unsigned i = 0; i < 6000; i++)	/* a 10-minute attack */
		feed(&r, 60000, DET_V_UDP);
	assert_true(r.t.in_attack);
	assert_true(fabs(r.t.p95_pps - p95) < 1);
	assert_true(r.t.attack.n_timeline <= 120);
	assert_true(r.t.attack.samples_per_point >= 64);
	assert_int_equal(r.t.attack.timeline[0].t_ms, r.t.attack.start_ms);
	for (unsigned i = 0; i < 40; i++)
		feed(&r, 5000, -1);
	assert_int_equal(r.ends, 1);
	/* Timeline spans the attack, in order. */
	for (size_t i = 1; i < r.t.attack.n_timeline; i++)
		assert_true(r.t.attack.timeline[i].t_ms > r.t.attack.timeline[i - 1].t_ms);
	assert_true(r.t.attack.timeline[r.t.attack.n_timeline - 1].t_ms >
	    r.t.attack.end_ms - 60000);
	feed(&r, 60000, DET_V_UDP);
	feed(&r, 60000, DET_V_UDP);
	feed(&r, 60000, DET_V_UDP);
	assert_int_equal(r.starts, 2);	/* the second attack is seen again */
	assert_int_equal(r.t.n_attacks, 2);
	det_target_free(&r.t);
}

static void
test_absolute_thresholds_before_warmup(void **state)
{
	struct scrub_thresholds th = th_default;
	struct run r;

	(void)state;
	th.syn_pps = 10000;
	th.bps = 100000000;
	run_init(&r, &th);
	feed(&r, 1000, -1);
	assert_false(det_baseline_ready(&r.t));
	for (unsigned i = 0; i < 3; i++)
		feed(&r, 15000, DET_V_SYN);
	assert_int_equal(r.starts, 1);
	assert_int_equal(r.t.attack.triggers, 1u << 2);	/* syn_pps only */
	for (unsigned i = 0; i < 31; i++)
		feed(&r, 100, -1);
	assert_int_equal(r.ends, 1);
	/* bps: 30 k pps of 500-byte packets = 120 Mbit/s. */
	for (unsigned i = 0; i < 3; i++)
		feed(&r, 30000, -1);
	assert_int_equal(r.starts, 2);
	assert_int_equal(r.t.attack.triggers, 1u << 1);
	det_target_free(&r.t);
}

static void
test_min_pps_floor(void **state)
{
	struct run r;

	(void)state;
	run_init(&r, &th_default);
	warm(&r, 10, 60);
	for (unsigned i = 0; i < 5; i++)	/* x150 the baseline but < min_pps */
		feed(&r, 1500, DET_V_UDP);
	assert_int_equal(r.starts, 0);
	for (unsigned i = 0; i < 3; i++)
		feed(&r, 2500, DET_V_UDP);
	assert_int_equal(r.starts, 1);
	det_target_free(&r.t);
}

/* Every row of the vector table: a flood of that class alone is reported
 * as that vector and nothing else. */
static void
test_every_vector_classified(void **state)
{
	(void)state;
	for (int v = 0; v < DET_V_COUNT; v++) {
		struct run r;

		run_init(&r, &th_default);
		warm(&r, 5000, 40);
		for (unsigned i = 0; i < 10; i++)
			feed(&r, 100000, v);
		assert_int_equal(r.starts, 1);
		assert_int_equal(r.t.attack.vectors, 1u << v);
		assert_int_equal(det_vectors[v].id, v);
		assert_non_null(det_vector_name((enum det_vector)v));
		det_target_free(&r.t);
	}
	assert_string_equal(det_vector_name(DET_V_DNS_REFL), "dns-reflection");
	assert_string_equal(det_vector_name(DET_V_COUNT), "unknown");
}

static void
test_mixed_vectors(void **state)
{
	struct run r;
	struct det_sample s;

	(void)state;
	run_init(&r, &th_default);
	warm(&r, 5000, 40);
	for (unsigned i = 0; i < 10; i++) {
		memset(&s, 0, sizeof(s));
		r.now += STEP;
		s.t_ms = r.now;
		s.interval_ms = STEP;
		s.pps = 100000;
		s.vec_pps[DET_V_SYN] = 50000;
		s.vec_pps[DET_V_DNS_REFL] = 45000;
		s.vec_pps[DET_V_ICMP] = 4000;	/* 4 %: under the row's share */
		s.vec_pps[DET_V_UDP] = 1000;
		det_feed(&r.t, &s);
	}
	assert_true(r.t.in_attack);
	assert_int_equal(r.t.attack.vectors, (1u << DET_V_SYN) | (1u << DET_V_DNS_REFL));
	det_target_free(&r.t);
}

static int
cmpf(const void *a, const void *b)
{
	float x = *(const float *)a, y = *(const float *)b;

	return x < y ? -1 : x > y;
}

static void
test_percentile_exact(void **state)
{
	float v[1000], sorted[1000];

	(void)state;
	srand(7);
	for (size_t n = 1; n <= 1000; n = n * 3 + 1) {
		for (size_t i = 0; i < n; i++)
			v[i] = (float)(rand() % 50);	/* many duplicates */
		memcpy(sorted, v, n * sizeof(float));
		qsort(sorted, n, sizeof(float), cmpf);
		for (double q = 0.05; q < 1.0; q += 0.3) {
			size_t k = (size_t)ceil(q * (double)n);
			float copy[1000];

			memcpy(copy, v, n * sizeof(float));
			assert_true(det_percentile(copy, n, q) == sorted[k ? k - 1 : 0]);
		}
	}
	assert_true(det_percentile(v, 0, 0.95) == 0);
}

static void
test_counters_to_rates(void **state)
{
	struct det_counters a = { 0 }, b = { 0 };
	struct det_sample s;

	(void)state;
	a.pkts = 1000;
	a.bytes = 64000;
	a.vec_pkts[DET_V_SYN] = 10;
	b.pkts = 21000;
	b.bytes = 1344000;
	b.vec_pkts[DET_V_SYN] = 5010;
	b.dropped_pkts = 300;
	det_sample_from_counters(&a, 1000, &b, 1100, &s);
	assert_int_equal(s.t_ms, 1100);
	assert_int_equal(s.interval_ms, 100);
	assert_true(fabs(s.pps - 200000) < 1e-6);
	assert_true(fabs(s.bps - 102400000) < 1e-3);
	assert_true(fabs(s.vec_pps[DET_V_SYN] - 50000) < 1e-6);
	assert_int_equal(s.dropped_pkts, 300);
	/* The counters went back (maps re-created): count from zero. */
	det_sample_from_counters(&b, 1100, &a, 1200, &s);
	assert_true(fabs(s.pps - 10000) < 1e-6);
}

static void
test_top_sources(void **state)
{
	struct det_attack a;
	struct scrub_ipaddr x;

	(void)state;
	memset(&a, 0, sizeof(a));
	for (unsigned i = 1; i <= 30; i++) {
		char s[32];

		snprintf(s, sizeof(s), "192.0.2.%u", i);
		assert_int_equal(scrub_ipaddr_parse(s, &x), 0);
		det_attack_add_source(&a, &x, (i * 37) % 31);
	}
	assert_int_equal(a.n_top, DET_TOP_SOURCES);
	for (size_t i = 1; i < a.n_top; i++)
		assert_true(a.top[i].pkts <= a.top[i - 1].pkts);
	assert_int_equal(a.top[0].pkts, 30);
	assert_int_equal(a.top[DET_TOP_SOURCES - 1].pkts, 21);
	/* Seen again with more: updated in place. */
	assert_int_equal(scrub_ipaddr_parse("192.0.2.1", &x), 0);	/* had 6 */
	det_attack_add_source(&a, &x, 1000);
	assert_int_equal(a.top[0].pkts, 1000);
	assert_true(scrub_ipaddr_equal(&a.top[0].addr, &x));
}

/* Top sources: heavy hitters among many spoofed sources, with bounded
 * memory; samples outside an attack are not counted. */
static void
test_heavy_hitter_sources(void **state)
{
	struct run r;
	struct scrub_ipaddr a;
	char buf[64];

	(void)state;
	run_init(&r, &th_default);
	warm(&r, 5000, 40);
	assert_int_equal(scrub_ipaddr_parse("198.51.100.99", &a), 0);
	det_note_source(&r.t, &a, 1000000);	/* quiet: ignored */
	for (unsigned i = 0; i < 30; i++) {
		feed(&r, 100000, DET_V_UDP);
		/* 5 heavy sources (weights 50..10 per sample) and 200 spoofed ones. */
		for (unsigned k = 0; k < 5; k++) {
			snprintf(buf, sizeof(buf), "192.0.2.%u", k + 1);
			assert_int_equal(scrub_ipaddr_parse(buf, &a), 0);
			det_note_source(&r.t, &a, 16 * (50 - 10 * k));
		}
		for (unsigned k = 0; k < 200; k++) {
			snprintf(buf, sizeof(buf), "10.%u.%u.%u", i, k / 250, k % 250);
			assert_int_equal(scrub_ipaddr_parse(buf, &a), 0);
			det_note_source(&r.t, &a, 16);
		}
	}
	for (unsigned i = 0; i < 40; i++)
		feed(&r, 5000, -1);
	assert_int_equal(r.ends, 1);
	assert_int_equal(r.t.attack.n_top, DET_TOP_SOURCES);
	for (unsigned k = 0; k < 5; k++) {
		snprintf(buf, sizeof(buf), "192.0.2.%u", k + 1);
		assert_string_equal(scrub_ipaddr_str(&r.t.attack.top[k].addr, buf + 32, 32), buf);
		/* Space-Saving overestimates by at most the smallest counter. */
		assert_true(r.t.attack.top[k].pkts >= 30u * 16 * (50 - 10 * k));
	}
	assert_true(r.t.n_heavy <= DET_HEAVY);
	det_target_free(&r.t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_steady_traffic_never_triggers),
		cmocka_unit_test(test_slow_drift_does_not_trigger),
		cmocka_unit_test(test_burst_detected_and_ended),
		cmocka_unit_test(test_ramp_detected_at_threshold),
		cmocka_unit_test(test_flapping_never_starts),
		cmocka_unit_test(test_flapping_attack_stays_one),
		cmocka_unit_test(test_baseline_does_not_learn_attacks),
		cmocka_unit_test(test_absolute_thresholds_before_warmup),
		cmocka_unit_test(test_min_pps_floor),
		cmocka_unit_test(test_every_vector_classified),
		cmocka_unit_test(test_mixed_vectors),
		cmocka_unit_test(test_percentile_exact),
		cmocka_unit_test(test_counters_to_rates),
		cmocka_unit_test(test_top_sources),
		cmocka_unit_test(test_heavy_hitter_sources),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
