/*
 * detector: attack detection per protected IP from counter samples taken
 * every <= 100 ms. Pure computation (no BPF, no clock): the caller feeds a
 * struct det_sample per target and gets start / end decisions back, so the
 * unit tests drive it with synthetic streams.
 *
 * Per target: a baseline of pps and bps (an EWMA and a streaming P95 over a
 * sliding window of per-bucket means, bounded memory: n_buckets values), the
 * thresholds of the policy (absolute pps / bps / SYN rate, and a multiple of
 * the P95 once the baseline has warmed up), attack start after K consecutive
 * samples over a threshold, attack end after quiet_ms below end_ratio times
 * the threshold (hysteresis). The baseline learns only from quiet samples.
 * Vectors are classified by a table of rows (det_vectors[]) over per-vector
 * counters; an attack record keeps peaks, drops, vectors, top sources and a
 * bounded timeline.
 */
#ifndef YS_SCRUB_DETECTOR_H
#define YS_SCRUB_DETECTOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bundle.h"

/* Traffic classes the data plane counts per destination. UDP counts only
 * datagrams that are not from a reflection source port (those have their
 * own class), so the classes do not overlap. A data plane that tells the
 * reflection ports apart fills the per-service rows (DNS, NTP, ...); one
 * that does not (the XDP program: SCRUB_VEC_UDP_REFLECT) fills
 * DET_V_REFLECTION. */
enum det_vector {
	DET_V_SYN,		/* TCP SYN without ACK */
	DET_V_TCP,		/* other TCP segments (ACK / RST floods) */
	DET_V_UDP,
	DET_V_ICMP,
	DET_V_REFLECTION,	/* UDP from any reflection source port */
	DET_V_DNS_REFL,		/* UDP from source port 53 */
	DET_V_NTP_REFL,		/* 123 */
	DET_V_SNMP_REFL,	/* 161 */
	DET_V_SSDP_REFL,	/* 1900 */
	DET_V_MEMCACHED_REFL,	/* 11211 */
	DET_V_CHARGEN_REFL,	/* 19 */
	DET_V_FRAGMENT,
	DET_V_TCP_FLAGS,	/* invalid flag combinations */
	DET_V_OTHER,		/* other IP protocols (GRE, ESP, ...) */
	DET_V_MALFORMED,	/* truncated or inconsistent headers */
	DET_V_COUNT
};

struct det_vector_def {
	enum det_vector id;
	const char *name;	/* as reported: "syn-flood", "dns-reflection", ... */
	double min_share;	/* of the target's pps during the attack */
	double min_pps;
};

extern const struct det_vector_def det_vectors[DET_V_COUNT];
const char *det_vector_name(enum det_vector v);

/* Cumulative counters of one target as read from the data plane. */
struct det_counters {
	uint64_t pkts, bytes;
	uint64_t vec_pkts[DET_V_COUNT], vec_bytes[DET_V_COUNT];
	uint64_t dropped_pkts, dropped_bytes;
};

/* One sample: rates over the interval ending at t_ms, and the drops in it. */
struct det_sample {
	uint64_t t_ms;
	uint32_t interval_ms;	/* length of the interval (packets = rate * interval) */
	double pps, bps;
	double vec_pps[DET_V_COUNT], vec_bps[DET_V_COUNT];
	uint64_t dropped_pkts, dropped_bytes;
};

/* Rates between two cumulative readings taken at t0_ms < t1_ms. A counter
 * that went backwards (map re-created) counts as a restart from zero. */
void det_sample_from_counters(const struct det_counters *c0, uint64_t t0_ms,
    const struct det_counters *c1, uint64_t t1_ms, struct det_sample *s);

struct det_config {
	uint32_t bucket_ms;		/* baseline bucket length (1000) */
	uint32_t n_buckets;		/* window of the P95 (600 = 10 min) */
	uint32_t warmup_buckets;	/* buckets before the relative trigger (30) */
	uint32_t ewma_tau_ms;		/* EWMA time constant (60000) */
	double end_ratio;		/* still attacking above ratio * threshold (0.8) */
	uint32_t timeline_max;		/* timeline points kept per attack (120) */
};

void det_config_default(struct det_config *c);

#define DET_TOP_SOURCES 10
#define DET_HEAVY 64	/* heavy-hitter counters per target (Space-Saving) */

struct det_point {
	uint64_t t_ms;
	double pps, bps;
	uint64_t dropped_pkts;
};

struct det_source {
	struct scrub_ipaddr addr;
	uint64_t pkts;
};

/* A Space-Saving counter: count overestimates by at most err. */
struct det_heavy {
	struct scrub_ipaddr addr;
	uint64_t count, err;
};

struct det_attack {
	uint64_t start_ms, end_ms;	/* end_ms 0 while ongoing */
	uint32_t vectors;		/* bit per enum det_vector */
	uint32_t triggers;		/* bit per det_triggers[] row that fired */
	double peak_pps, peak_bps;
	uint64_t dropped_pkts, dropped_bytes;
	uint64_t vec_pkts[DET_V_COUNT];	/* packets per vector during the attack */
	double baseline_p95_pps;	/* frozen at the start */
	struct det_source top[DET_TOP_SOURCES];
	size_t n_top;
	struct det_point *timeline;	/* timeline_max points; merged pairwise when full */
	size_t n_timeline;
	uint32_t samples_per_point;	/* 1, doubled at each merge */
};

struct det_target;

struct det_trigger_def {
	const char *name;
	/* Threshold this trigger compares s against, or < 0 when it does not
	 * apply; value gets the sample's measured quantity. */
	double (*threshold)(const struct det_target *t, const struct det_sample *s,
	    double *value);
};

extern const struct det_trigger_def det_triggers[];
extern const size_t det_n_triggers;

enum det_event { DET_EV_NONE, DET_EV_START, DET_EV_END };

struct det_target {
	struct det_config cfg;
	struct scrub_thresholds th;
	/* baseline */
	double ewma_pps, ewma_bps;
	bool ewma_init;
	float *win_pps, *win_bps;	/* ring of bucket means */
	float *scratch;			/* for the percentile */
	uint32_t win_len, win_pos;
	double p95_pps, p95_bps;
	uint64_t bucket_start_ms;
	double bucket_sum_pps, bucket_sum_bps;
	uint32_t bucket_n;
	/* decision */
	uint32_t consecutive;
	uint64_t first_over_ms, last_over_ms;
	struct det_point acc;		/* timeline point being filled */
	uint32_t acc_n;
	struct det_heavy heavy[DET_HEAVY];	/* sources of the current attack */
	size_t n_heavy;
	bool in_attack;
	struct det_attack attack;	/* the current attack (from its first sample
					 * over a threshold) or the last one; read it
					 * on DET_EV_START / DET_EV_END or while
					 * in_attack */
	uint64_t n_attacks;
};

/* Allocate a target's window and timeline. 0 / -1 (out of memory). */
int det_target_init(struct det_target *t, const struct det_config *cfg,
    const struct scrub_thresholds *th);
void det_target_free(struct det_target *t);
/* Policy reload: new thresholds, baseline and attack state kept. */
void det_target_set_thresholds(struct det_target *t, const struct scrub_thresholds *th);

/* Feed one sample (t_ms increasing). Returns DET_EV_START when an attack
 * is declared, DET_EV_END when it ends; t->attack is the record either way. */
enum det_event det_feed(struct det_target *t, const struct det_sample *s);

/* Record a source seen during the current attack (keeps the top N by pkts). */
void det_attack_add_source(struct det_attack *a, const struct scrub_ipaddr *src,
    uint64_t pkts);

/* A sampled packet from src standing for weight packets (the sampling
 * rate). Counted only from an attack's first sample over a threshold to its
 * end, in DET_HEAVY Space-Saving counters (bounded memory whatever the
 * number of spoofed sources); the attack's top sources are refreshed from
 * them on DET_EV_START, DET_EV_END and det_top_refresh(). */
void det_note_source(struct det_target *t, const struct scrub_ipaddr *src, uint64_t weight);
void det_top_refresh(struct det_target *t);

/* Baseline ready for the relative trigger. */
bool det_baseline_ready(const struct det_target *t);

/* Streaming P95 helper (exposed for tests): the value below which 95 % of
 * v[0..n) lie (nearest rank); v is reordered. */
double det_percentile(float *v, size_t n, double q);

#endif
