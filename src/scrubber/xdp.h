/*
 * The scrubber's XDP data plane seen from userspace: load the program built
 * from bpf/scrub.bpf.c (embedded in this library), attach it to interfaces
 * (native mode, falling back to generic), fill its allow and block lists and
 * per-object configuration, and read its counters summed over CPUs. The
 * struct layouts (struct scrub_obj_cfg, struct scrub_counters, SCRUB_MIT_*,
 * SCRUB_VEC_*, SCRUB_DROP_*) are in bpf/scrub_maps.h. docs/DDOS.md "Data
 * plane (XDP)" describes the pipeline.
 *
 * Every function returns 0 (or a pointer) on success and -1 (or NULL) on
 * failure with a message in err. Not thread-safe: one thread drives one
 * struct scrub_xdp (the maps themselves may be read concurrently).
 */
#ifndef SCRUB_XDP_H
#define SCRUB_XDP_H

#include <stddef.h>
#include <stdint.h>

#include "bpf/scrub_maps.h"

struct scrub_xdp;

enum scrub_xdp_mode {
	SCRUB_XDP_AUTO = 0,	/* native, else generic */
	SCRUB_XDP_NATIVE,	/* driver mode only */
	SCRUB_XDP_GENERIC,	/* skb mode only */
};

/* A source prefix for the allow and block lists. */
struct scrub_prefix {
	struct scrub_addr addr;	/* IPv6 or IPv4-mapped */
	uint8_t len;		/* 0..128; an IPv4 /n is 96+n */
};

/*
 * Opens and loads the embedded program (needs CAP_BPF, or CAP_SYS_ADMIN on
 * older kernels, and enough RLIMIT_MEMLOCK, which this raises). Nothing is
 * attached yet. Free with scrub_xdp_close().
 */
struct scrub_xdp *scrub_xdp_open(char *err, size_t errlen);

/* Detaches from every interface this handle attached to, unloads. NULL ok. */
void scrub_xdp_close(struct scrub_xdp *x);

/*
 * Attaches to ifname (needs CAP_NET_ADMIN). With SCRUB_XDP_AUTO, native mode is
 * tried first and generic on failure; *got (may be NULL) says which one took.
 * Replaces a program already attached by this handle; fails if another XDP
 * program is attached to the interface.
 */
int scrub_xdp_attach(struct scrub_xdp *x, const char *ifname, enum scrub_xdp_mode mode,
    enum scrub_xdp_mode *got, char *err, size_t errlen);
int scrub_xdp_detach(struct scrub_xdp *x, const char *ifname, char *err, size_t errlen);

/* The program's fd, for bpf_prog_test_run_opts() in tests and benchmarks. */
int scrub_xdp_prog_fd(const struct scrub_xdp *x);

/*
 * "192.0.2.1", "2001:db8::1", "198.51.100.0/24", "2001:db8::/32" (a bare
 * address is a /32 or /128). Strict: no spaces, host bits must be zero.
 */
int scrub_xdp_parse_prefix(const char *s, struct scrub_prefix *p, char *err, size_t errlen);
/* A single address (no prefix length), IPv4 mapped. */
int scrub_xdp_parse_addr(const char *s, struct scrub_addr *a, char *err, size_t errlen);
/* Writes the address in its usual text form ("192.0.2.1" for mapped IPv4). */
void scrub_xdp_format_addr(const struct scrub_addr *a, char *buf, size_t buflen);

/*
 * Allow and block lists by source prefix. ttl_ms 0 = permanent, else the
 * entry stops matching ttl_ms after this call (checked per packet against
 * bpf_ktime_get_ns; scrub_xdp_expire() removes expired entries). An allowed
 * source passes everything below; a blocked one is dropped for every
 * destination. Setting an existing prefix replaces its entry.
 */
int scrub_xdp_allow_set(struct scrub_xdp *x, const struct scrub_prefix *p, uint64_t ttl_ms,
    uint32_t rule_id, char *err, size_t errlen);
int scrub_xdp_allow_del(struct scrub_xdp *x, const struct scrub_prefix *p, char *err,
    size_t errlen);
int scrub_xdp_block_set(struct scrub_xdp *x, const struct scrub_prefix *p, uint64_t ttl_ms,
    uint32_t rule_id, char *err, size_t errlen);
int scrub_xdp_block_del(struct scrub_xdp *x, const struct scrub_prefix *p, char *err,
    size_t errlen);
/* Deletes expired allow and block entries; *removed (may be NULL) counts them. */
int scrub_xdp_expire(struct scrub_xdp *x, size_t *removed, char *err, size_t errlen);

/*
 * Protected objects. scrub_xdp_cfg_init() zeroes cfg (no mitigation on, no
 * port served) and sets obj_id (< SCRUB_MAX_OBJECTS, chosen by the caller,
 * unique per object); scrub_xdp_cfg_port() marks a port served (proto 6 or
 * 17; first..last inclusive). scrub_xdp_object_set() installs or replaces the
 * object's configuration atomically for the data path (switching mitigations
 * is a call with another cfg.mitigations); per-source limits apply per CPU,
 * object-wide ones (SYN, ICMP) once for all CPUs. SCRUB_MIT_SYN_COOKIE needs
 * an nftables synproxy rule for the object's ports on the scrubber host to
 * complete the handshakes it starts (docs/DDOS.md "SYN protection").
 */
void scrub_xdp_cfg_init(struct scrub_obj_cfg *cfg, uint32_t obj_id);
int scrub_xdp_cfg_port(struct scrub_obj_cfg *cfg, int proto, uint16_t first, uint16_t last,
    char *err, size_t errlen);
int scrub_xdp_object_set(struct scrub_xdp *x, const struct scrub_addr *dst,
    const struct scrub_obj_cfg *cfg, char *err, size_t errlen);
/* Removes the object (its counters stay until scrub_xdp_counters_reset()). */
int scrub_xdp_object_del(struct scrub_xdp *x, const struct scrub_addr *dst, char *err,
    size_t errlen);

/*
 * Counters summed over CPUs: of one object (obj_id), or of every packet the
 * program saw (scrub_xdp_global_counters). Monotonic; the caller takes deltas.
 */
int scrub_xdp_object_counters(struct scrub_xdp *x, uint32_t obj_id, struct scrub_counters *out,
    char *err, size_t errlen);
int scrub_xdp_global_counters(struct scrub_xdp *x, struct scrub_counters *out, char *err,
    size_t errlen);
/* Zeroes an object's counters and rate state (before reusing its obj_id). */
int scrub_xdp_counters_reset(struct scrub_xdp *x, uint32_t obj_id, char *err, size_t errlen);

/*
 * Sampling of packets to protected objects, for top sources and reports:
 * one_in 0 switches it off, else a power of two up to 2^20 (1 = every
 * packet). Samples go to a ring buffer (SCRUB_SAMPLE_RING bytes; when it is
 * full, samples are lost, packets never). scrub_xdp_poll_samples() waits up to
 * timeout_ms (0: no wait) and calls fn for each sample; fn returning non-zero
 * stops the poll. Returns the number of samples handled, or -1.
 * scrub_xdp_samples_fd() is an fd to add to an epoll/libevent loop (readable
 * when samples wait).
 */
typedef int (*scrub_xdp_sample_fn)(void *ctx, const struct scrub_sample *s);

int scrub_xdp_set_sampling(struct scrub_xdp *x, uint32_t one_in, char *err, size_t errlen);
int scrub_xdp_poll_samples(struct scrub_xdp *x, int timeout_ms, scrub_xdp_sample_fn fn,
    void *ctx, char *err, size_t errlen);
int scrub_xdp_samples_fd(struct scrub_xdp *x, char *err, size_t errlen);

/*
 * The nftables ruleset that completes the handshakes SCRUB_MIT_SYN_COOKIE
 * starts: SYNs arriving on ifname to `ports` untracked, cookie ACKs (INVALID
 * with net.netfilter.nf_conntrack_tcp_loose = 0, which the caller sets) handed
 * to synproxy, other INVALID segments to those ports dropped. Both families
 * (table inet yunshou_synproxy), written so that `nft -f -` replaces an
 * earlier version atomically. ifname: [A-Za-z0-9_.-], 1..15 chars; ports:
 * 1..65535, 1..64 of them.
 */
int scrub_xdp_synproxy_ruleset(const char *ifname, const uint16_t *ports, size_t nports,
    char *buf, size_t buflen, char *err, size_t errlen);

/* Names for reports and logs ("tcp_syn", "blocklist", ...). */
const char *scrub_xdp_vector_name(int vector);
const char *scrub_xdp_reason_name(int reason);
const char *scrub_xdp_mitigation_name(uint32_t bit);

/*
 * After loading and attaching: keeps only CAP_BPF and CAP_NET_ADMIN (needed to
 * update maps and attach/detach) in the permitted and effective sets, clears
 * the inheritable and ambient sets and the bounding set, and sets
 * PR_SET_NO_NEW_PRIVS. Uses prctl/capset directly (no libcap).
 */
int scrub_xdp_drop_caps(char *err, size_t errlen);

#endif
