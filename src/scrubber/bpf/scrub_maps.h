/*
 * Layouts shared by the XDP program (scrub.bpf.c) and userspace (xdp.c and the
 * detector): map keys and values, mitigation bits, vectors and drop reasons.
 * Only fixed-width kernel types, so clang -target bpf and the host compiler
 * lay every struct out the same way. Addresses are always 16 bytes: IPv4 is
 * stored IPv4-mapped (::ffff:a.b.c.d), so one trie and one hash serve both
 * families (an IPv4 /n prefix is a /(96+n) key).
 */
#ifndef SCRUB_MAPS_H
#define SCRUB_MAPS_H

#include <linux/types.h>

#define SCRUB_MAX_OBJECTS 4096	/* protected destinations; obj_id < this */
#define SCRUB_LIST_ENTRIES 65536 /* allow and block list prefixes, each */
#define SCRUB_RL_ENTRIES 262144	/* per-source rate-limit states (LRU, per CPU) */

/* Traffic classes counted on receive, for every destination and per object. */
enum scrub_vector {
	SCRUB_VEC_TCP_SYN = 0,	/* SYN without ACK */
	SCRUB_VEC_TCP,		/* any other TCP segment */
	SCRUB_VEC_UDP,
	SCRUB_VEC_UDP_REFLECT,	/* UDP from a reflection source port (53, 123, ...) */
	SCRUB_VEC_ICMP,		/* ICMP and ICMPv6 */
	SCRUB_VEC_FRAG,		/* IPv4 or IPv6 fragment, first or not */
	SCRUB_VEC_OTHER,	/* other IP protocols */
	SCRUB_VEC_MALFORMED,	/* truncated or inconsistent headers */
	SCRUB_VEC_MAX
};

/* Why a packet was dropped. */
enum scrub_reason {
	SCRUB_DROP_MALFORMED = 0, /* bad headers to a protected destination */
	SCRUB_DROP_BLOCKLIST,	  /* source in the block list (not expired) */
	SCRUB_DROP_FRAGMENT,	  /* SCRUB_MIT_FRAGMENTS */
	SCRUB_DROP_TCP_FLAGS,	  /* SCRUB_MIT_TCP_FLAGS: SYN+FIN, SYN+RST, null, xmas */
	SCRUB_DROP_TCP_PORT,	  /* SCRUB_MIT_TCP_PORTS: port not served */
	SCRUB_DROP_UDP_PORT,	  /* SCRUB_MIT_UDP_PORTS: port not served */
	SCRUB_DROP_REFLECTION,	  /* SCRUB_MIT_REFLECTION: UDP from 53/123/161/1900/11211/19 */
	SCRUB_DROP_ICMP_RATE,	  /* SCRUB_MIT_ICMP_RATE: object's ICMP rate exceeded */
	SCRUB_DROP_RATE_PPS,	  /* SCRUB_MIT_RATE_PPS: source's packet rate exceeded */
	SCRUB_DROP_RATE_BPS,	  /* SCRUB_MIT_RATE_BPS: source's byte rate exceeded */
	SCRUB_DROP_SYN_SOURCE,	  /* SCRUB_MIT_SYN: source's SYN rate exceeded */
	SCRUB_DROP_SYN_OBJECT,	  /* SCRUB_MIT_SYN: object's total SYN rate exceeded */
	SCRUB_DROP_MAX
};

/* Mitigations, switched per object by userspace (struct scrub_obj_cfg.mitigations). */
#define SCRUB_MIT_FRAGMENTS (1u << 0)
#define SCRUB_MIT_TCP_FLAGS (1u << 1)
#define SCRUB_MIT_TCP_PORTS (1u << 2)
#define SCRUB_MIT_UDP_PORTS (1u << 3)
#define SCRUB_MIT_REFLECTION (1u << 4)
#define SCRUB_MIT_ICMP_RATE (1u << 5)
#define SCRUB_MIT_RATE_PPS (1u << 6)
#define SCRUB_MIT_RATE_BPS (1u << 7)
#define SCRUB_MIT_SYN (1u << 8)
#define SCRUB_MIT_SYN_COOKIE (1u << 9)	/* answer SYNs with a SYN cookie SYN-ACK (XDP_TX) */
#define SCRUB_MIT_ALL ((1u << 10) - 1)

/* Key of scrub_objects and the per-source rate-limit map's address part. */
struct scrub_addr {
	__u8 a[16];		/* IPv6, or IPv4-mapped ::ffff:a.b.c.d */
};

/* LPM trie key of scrub_allow and scrub_block (prefixlen 0..128). */
struct scrub_lpm_key {
	__u32 prefixlen;
	__u8 a[16];
};

/* Value of scrub_allow and scrub_block. */
struct scrub_rule {
	__u64 expires_ns;	/* CLOCK_MONOTONIC (bpf_ktime_get_ns); 0 = never */
	__u32 rule_id;		/* the control plane's id, for reports */
	__u32 flags;		/* reserved, 0 */
};

/*
 * Value of scrub_objects, keyed by the destination address. Userspace fills
 * the rates (0 = no limit even when the mitigation is on) and the served-port
 * bitmaps; scrub_xdp_object_set() derives the *_cost_ns fields. A rate limit
 * is a GCRA token bucket: a packet costs 1e9/rate ns of credit, and up to
 * `burst` packets (bytes) may arrive back to back (a burst of 0 counts as one
 * packet; a byte burst is at least 1500).
 */
struct scrub_obj_cfg {
	__u32 obj_id;		/* index in the counter and state arrays */
	__u32 mitigations;	/* SCRUB_MIT_* */
	__u64 src_pps, src_pps_burst;	/* per source: packets */
	__u64 src_bps, src_bps_burst;	/* per source: bytes per second, burst bytes */
	__u64 src_syn_pps, src_syn_burst; /* per source: SYNs */
	__u64 obj_syn_pps, obj_syn_burst; /* whole object: SYNs */
	__u64 icmp_pps, icmp_burst;	/* whole object: ICMP */
	/* derived by scrub_xdp_object_set(); userspace input is ignored */
	__u64 src_pps_cost_ns, src_bps_cost_ps; /* ps per byte */
	__u64 src_syn_cost_ns, obj_syn_cost_ns, icmp_cost_ns;
	__u64 tcp_ports[1024];	/* bit p set: TCP port p is served */
	__u64 udp_ports[1024];	/* bit p set: UDP port p is served */
};

/*
 * Counters, per CPU in the maps; scrub_xdp_*_counters() return the sum.
 * Index 0 of scrub_global holds every packet the program saw; index obj_id
 * of scrub_obj_counters the packets to that protected object.
 */
struct scrub_counters {
	__u64 rx_pkts[SCRUB_VEC_MAX];
	__u64 rx_bytes[SCRUB_VEC_MAX];
	__u64 pass_pkts, pass_bytes;
	__u64 allow_pkts, allow_bytes;	/* passed because the source is allow-listed */
	__u64 drop_pkts[SCRUB_DROP_MAX];
	__u64 drop_bytes[SCRUB_DROP_MAX];
	__u64 non_ip_pkts;		/* global only: not IPv4/IPv6, passed */
	__u64 unknown_dst_pkts;		/* global only: too short to read the destination */
	__u64 syncookie_pkts;		/* SYNs answered with a SYN cookie SYN-ACK (XDP_TX) */
};

/*
 * A sampled packet to a protected object (ring buffer scrub_samples), for
 * top sources and attack reports. With sampling at 1 in N, every N-th packet
 * of each (object, vector) on each CPU is sampled, whatever its verdict.
 */
struct scrub_sample {
	struct scrub_addr src, dst;
	__u32 obj_id;
	__u32 len;		/* frame bytes */
	__u16 sport, dport;	/* 0 when not TCP/UDP or not parsed */
	__u8 proto;		/* IP protocol (after IPv6 extension headers) */
	__u8 vector;		/* SCRUB_VEC_* */
	__u8 dropped;		/* 1: dropped, 0: passed */
	__u8 reason;		/* SCRUB_DROP_* when dropped */
};

#define SCRUB_SAMPLE_RING (256 * 1024)	/* bytes */

/* Per-source rate-limit state (LRU per-CPU hash). */
struct scrub_rl_key {
	__u32 obj_id;
	__u32 pad;
	struct scrub_addr src;
};

struct scrub_rl_state {
	__u64 tat_pkt, tat_byte, tat_syn; /* GCRA theoretical arrival times, ns */
};

/*
 * Per-object state (array indexed by obj_id, shared by all CPUs so an
 * object-wide rate is one rate; updates are not atomic, so two CPUs racing
 * may each spend the same credit: the limit is approximate by a packet or two).
 */
struct scrub_obj_state {
	__u64 tat_icmp, tat_syn;
};

#endif
