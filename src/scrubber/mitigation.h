/*
 * mitigation: the bridge between the policy, the detector and the XDP data
 * plane. It installs every protected IP of the bundle as an XDP object (its
 * served ports, its peacetime mitigations and the manual rate limits),
 * installs the manual block / allow rules with their expiry, switches an
 * object's mitigations on when the detector declares an attack (the bits
 * come from a table: vector -> mitigations) and off when it ends, and
 * turns the data plane's counters into detector counters.
 */
#ifndef YS_SCRUB_MITIGATION_H
#define YS_SCRUB_MITIGATION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bundle.h"
#include "detector.h"
#include "xdp.h"

/* Always on: invalid TCP flag combinations are never legitimate. */
#define MITIG_PEACETIME SCRUB_MIT_TCP_FLAGS
/* On during any attack: traffic to ports the object does not serve. */
#define MITIG_ATTACK_BASE (SCRUB_MIT_TCP_FLAGS | SCRUB_MIT_TCP_PORTS | SCRUB_MIT_UDP_PORTS)

struct mitig_vector_row {
	enum det_vector vector;
	uint32_t bits;		/* SCRUB_MIT_* switched on when the vector is seen */
};

extern const struct mitig_vector_row mitig_vector_rows[];
extern const size_t mitig_n_vector_rows;

/* The mitigation bits for an attack with these vectors (bit per det_vector). */
uint32_t mitig_bits_for(uint32_t vectors);

/* Limits applied when a mitigation is on (per source unless noted). */
struct mitig_limits {
	uint64_t src_pps, src_syn_pps, obj_syn_pps, icmp_pps;
};

struct mitig_target {
	const struct scrub_object *obj;
	const struct scrub_ip *ip;
	uint32_t obj_id;
	uint32_t bits;		/* currently installed */
	uint64_t rl_pps, rl_bps;	/* manual per-source rate limit (0: none) */
	/* Estimates from sampled packets (count x sampling rate) of the
	 * vectors the counters do not split: reflection per source port. */
	uint64_t est_pkts[DET_V_COUNT], est_bytes[DET_V_COUNT];
};

struct mitig {
	struct scrub_xdp *x;		/* not owned */
	const struct scrub_bundle *b;	/* not owned */
	struct mitig_limits lim;
	struct mitig_target *t;
	size_t n;
	struct scrub_prefix *lists;	/* installed block/allow prefixes */
	bool *list_is_block;
	size_t n_lists;
};

/* Install the bundle into the data plane: objects (obj_id = index), manual
 * rules (expired ones skipped; a reload removes prefixes no longer listed),
 * peacetime mitigations. now_s: wall clock for rule expiry. 0 / -1. */
int mitig_install(struct mitig *m, struct scrub_xdp *x, const struct scrub_bundle *b,
    int64_t now_s, char *err, size_t errlen);
void mitig_free(struct mitig *m);

/* Switch target idx to attack mode for these vectors (on) or back to
 * peacetime (off). A no-op when the bits are already installed. */
int mitig_set_attack(struct mitig *m, size_t idx, bool on, uint32_t vectors, char *err,
    size_t errlen);

/* The detector's counters of target idx from the data plane. */
int mitig_counters(struct mitig *m, size_t idx, struct det_counters *c, char *err,
    size_t errlen);

/* Bundle address -> the data plane's IPv4-mapped form, and back. */
void mitig_xdp_addr(const struct scrub_ipaddr *in, struct scrub_addr *out);
void mitig_from_xdp_addr(const struct scrub_addr *in, struct scrub_ipaddr *out);

/* Account one packet sampled 1 in one_in by the data plane: its target
 * index (NULL result when it is no target of this bundle) and its source;
 * a reflection packet adds to the estimate of its port's vector
 * (dns-reflection, ntp-reflection, ...; table in mitigation.c), which
 * mitig_counters() reports. Returns the target index or -1. */
long mitig_sample(struct mitig *m, const struct scrub_sample *s, uint32_t one_in,
    struct scrub_ipaddr *src);

/* The per-port reflection vector of a UDP source port, or DET_V_COUNT. */
enum det_vector mitig_reflection_vector(uint16_t sport);

/* Comma-separated names of the bits ("syn,reflection"), into buf. */
const char *mitig_bits_str(uint32_t bits, char *buf, size_t len);

#endif
