// SPDX-License-Identifier: GPL-2.0-only OR Apache-2.0
/*
 * yunshou-scrubber's XDP program. One pass over each frame:
 *   parse Ethernet, up to two VLAN tags (802.1Q / 802.1ad), IPv4 (options,
 *   fragments) or IPv6 (at most SCRUB_V6_EXT extension headers), TCP / UDP /
 *   ICMP, every read bounds-checked against data_end
 *   -> allow list (source prefix, LPM trie) -> block list (same, with expiry)
 *   -> for protected destinations only (scrub_objects): malformed drop, the
 *      per-vector filters the object's config switches on, per-source GCRA
 *      rate limits (pps, bps), SYN limits (per source and per object)
 *   -> pass.
 * Frames too short to name a destination, and non-IP frames, pass: no
 * protected object can be identified, and the kernel drops what it cannot
 * parse. Counters: scrub_global[0] for all traffic, scrub_obj_counters[obj_id]
 * per protected object, both per CPU; optionally 1 in N packets to protected
 * objects sampled to a ring buffer. See docs/DDOS.md "Data plane (XDP)".
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "scrub_maps.h"

#define SCRUB_V6_EXT 6		/* extension headers walked before giving up */

#define ETH_P_8021Q_ 0x8100
#define ETH_P_8021AD_ 0x88A8
#define IP_MF_ 0x2000
#define IP_OFFSET_ 0x1FFF

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, SCRUB_MAX_OBJECTS);
	__uint(map_flags, BPF_F_NO_PREALLOC);	/* 16 KiB values, rarely written */
	__type(key, struct scrub_addr);
	__type(value, struct scrub_obj_cfg);
} scrub_objects SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, SCRUB_LIST_ENTRIES);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct scrub_lpm_key);
	__type(value, struct scrub_rule);
} scrub_allow SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, SCRUB_LIST_ENTRIES);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct scrub_lpm_key);
	__type(value, struct scrub_rule);
} scrub_block SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct scrub_counters);
} scrub_global SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SCRUB_MAX_OBJECTS);
	__type(key, __u32);
	__type(value, struct scrub_counters);
} scrub_obj_counters SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_PERCPU_HASH);
	__uint(max_entries, SCRUB_RL_ENTRIES);
	__type(key, struct scrub_rl_key);
	__type(value, struct scrub_rl_state);
} scrub_rl SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SCRUB_MAX_OBJECTS);
	__type(key, __u32);
	__type(value, struct scrub_obj_state);
} scrub_obj_state SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, SCRUB_SAMPLE_RING);
} scrub_samples SEC(".maps");

/* Sampling of protected traffic: off, or 1 in (scrub_sample_mask + 1). */
__u32 scrub_sample_on = 0;
__u32 scrub_sample_mask = 0;

/*
 * Entries in scrub_allow / scrub_block, kept by userspace (xdp.c): an LPM
 * lookup is a helper call even on an empty trie, so empty lists are skipped.
 */
__u32 scrub_nallow = 0;
__u32 scrub_nblock = 0;

/* What the parser learnt about one frame. */
struct pkt {
	struct scrub_addr src, dst;
	__u64 len;		/* frame length, for byte counters and bps */
	__u16 sport, dport;
	__u8 proto;		/* L4 protocol after IPv6 extension headers */
	__u8 tcp_flags;		/* byte 13 of the TCP header */
	__u8 icmp_type;
	__u8 is_frag;		/* any fragment */
	__u8 has_l4;		/* L4 header parsed (not a later fragment) */
	__u8 malformed;
	__u8 is_v6;
	__u8 ihl;		/* IPv4 header bytes */
	__u8 thlen;		/* TCP header bytes (with options) */
	__u16 l3_off, l4_off;
	__u32 seq;		/* TCP sequence number, host order */
};

#define TCPF_FIN 0x01
#define TCPF_SYN 0x02
#define TCPF_RST 0x04
#define TCPF_PSH 0x08
#define TCPF_ACK 0x10
#define TCPF_URG 0x20

static __always_inline void map_v4(struct scrub_addr *a, __be32 v4)
{
	__builtin_memset(a->a, 0, 10);
	a->a[10] = 0xff;
	a->a[11] = 0xff;
	__builtin_memcpy(&a->a[12], &v4, 4);
}

/* TCP/UDP/ICMP header at l4, l4len bytes of it inside the IP datagram. */
static __always_inline void parse_l4(struct pkt *p, void *l4, void *data_end, __u32 l4len)
{
	if (p->proto == IPPROTO_TCP) {
		struct tcphdr *th = l4;
		__u32 doff;

		if ((void *)(th + 1) > data_end || l4len < sizeof(*th)) {
			p->malformed = 1;
			return;
		}
		doff = th->doff * 4;
		if (doff < sizeof(*th) || doff > l4len) {
			p->malformed = 1;
			return;
		}
		p->sport = bpf_ntohs(th->source);
		p->dport = bpf_ntohs(th->dest);
		p->tcp_flags = ((__u8 *)th)[13];
		p->thlen = (__u8)doff;
		p->seq = bpf_ntohl(th->seq);
		p->has_l4 = 1;
	} else if (p->proto == IPPROTO_UDP) {
		struct udphdr *uh = l4;
		__u32 ulen;

		if ((void *)(uh + 1) > data_end || l4len < sizeof(*uh)) {
			p->malformed = 1;
			return;
		}
		ulen = bpf_ntohs(uh->len);
		/* IPv6 jumbograms (ulen 0) are refused with the IPv6 jumbo payload */
		if (ulen < sizeof(*uh) || ulen > l4len) {
			p->malformed = 1;
			return;
		}
		p->sport = bpf_ntohs(uh->source);
		p->dport = bpf_ntohs(uh->dest);
		p->has_l4 = 1;
	} else if (p->proto == IPPROTO_ICMP || p->proto == IPPROTO_ICMPV6) {
		__u8 *ic = l4;

		if ((void *)(ic + 4) > data_end || l4len < 4) {
			p->malformed = 1;
			return;
		}
		p->icmp_type = ic[0];
		p->has_l4 = 1;
	}
}

/*
 * Returns 0 when the destination is known (p->dst set; p->malformed may be
 * set), -1 when the frame is not IP or too short to name a destination.
 */
static __always_inline int parse(struct xdp_md *ctx, struct pkt *p, __u64 *non_ip)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	void *cur;
	__u16 proto;
	int i;

	if ((void *)(eth + 1) > data_end)
		return -1;
	proto = eth->h_proto;
	cur = eth + 1;
#pragma unroll
	for (i = 0; i < 2; i++) {
		if (proto != bpf_htons(ETH_P_8021Q_) && proto != bpf_htons(ETH_P_8021AD_))
			break;
		if (cur + 4 > data_end)
			return -1;
		proto = *(__u16 *)(cur + 2);
		cur += 4;
	}
	if (proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *iph = cur;
		__u32 ihl, tot, avail, frag;

		if ((void *)(iph + 1) > data_end)
			return -1;
		map_v4(&p->src, iph->saddr);
		map_v4(&p->dst, iph->daddr);
		avail = data_end - cur;
		ihl = iph->ihl * 4;
		tot = bpf_ntohs(iph->tot_len);
		p->proto = iph->protocol;
		if (iph->version != 4 || ihl < sizeof(*iph) || tot < ihl || tot > avail) {
			p->malformed = 1;
			return 0;
		}
		frag = bpf_ntohs(iph->frag_off);
		if (frag & (IP_MF_ | IP_OFFSET_))
			p->is_frag = 1;
		if (frag & IP_OFFSET_)
			return 0;	/* no L4 header in a later fragment */
		p->ihl = (__u8)ihl;
		p->l3_off = (__u16)(cur - data);
		p->l4_off = (__u16)(p->l3_off + ihl);
		parse_l4(p, cur + ihl, data_end, tot - ihl);
		return 0;
	}
	if (proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = cur;
		__u32 avail, left;
		__u8 nh;

		if ((void *)(ip6 + 1) > data_end)
			return -1;
		p->is_v6 = 1;
		__builtin_memcpy(p->src.a, &ip6->saddr, 16);
		__builtin_memcpy(p->dst.a, &ip6->daddr, 16);
		avail = data_end - cur;
		left = bpf_ntohs(ip6->payload_len);
		/* payload_len 0 is a jumbogram (RFC 2675): not on a scrubbed link */
		if (ip6->version != 6 || left == 0 || left > avail - sizeof(*ip6)) {
			p->malformed = 1;
			return 0;
		}
		nh = ip6->nexthdr;
		cur = ip6 + 1;
#pragma unroll
		for (i = 0; i < SCRUB_V6_EXT; i++) {
			__u8 *eh = cur;
			__u32 hlen;

			if (nh != IPPROTO_HOPOPTS && nh != IPPROTO_ROUTING && nh != IPPROTO_DSTOPTS &&
			    nh != IPPROTO_FRAGMENT && nh != IPPROTO_AH)
				break;
			if ((void *)(eh + 8) > data_end || left < 8) {
				p->malformed = 1;
				return 0;
			}
			if (nh == IPPROTO_FRAGMENT) {
				hlen = 8;
				p->is_frag = 1;
				/* offset != 0: a later fragment, no L4 header follows */
				if ((bpf_ntohs(*(__u16 *)(eh + 2)) & 0xFFF8) != 0) {
					p->proto = eh[0];
					return 0;
				}
			} else if (nh == IPPROTO_AH) {
				hlen = ((__u32)eh[1] + 2) * 4;
			} else {
				hlen = ((__u32)eh[1] + 1) * 8;
			}
			if (hlen > left) {
				p->malformed = 1;
				return 0;
			}
			nh = eh[0];
			left -= hlen;
			cur += hlen;
		}
		p->proto = nh;
		if (nh == IPPROTO_HOPOPTS || nh == IPPROTO_ROUTING || nh == IPPROTO_DSTOPTS ||
		    nh == IPPROTO_FRAGMENT || nh == IPPROTO_AH) {
			p->malformed = 1;	/* more extension headers than we walk */
			return 0;
		}
		p->l3_off = (__u16)((void *)ip6 - data);
		p->l4_off = (__u16)(cur - data);
		parse_l4(p, cur, data_end, left);
		return 0;
	}
	*non_ip = 1;
	return -1;
}

static __always_inline int vector_of(const struct pkt *p)
{
	if (p->malformed)
		return SCRUB_VEC_MALFORMED;
	if (p->is_frag)
		return SCRUB_VEC_FRAG;
	if (p->proto == IPPROTO_TCP)
		return (p->tcp_flags & (TCPF_SYN | TCPF_ACK)) == TCPF_SYN ? SCRUB_VEC_TCP_SYN
									: SCRUB_VEC_TCP;
	if (p->proto == IPPROTO_UDP) {
		switch (p->sport) {
		case 53: case 123: case 161: case 1900: case 11211: case 19:
			return SCRUB_VEC_UDP_REFLECT;
		}
		return SCRUB_VEC_UDP;
	}
	if (p->proto == IPPROTO_ICMP || p->proto == IPPROTO_ICMPV6)
		return SCRUB_VEC_ICMP;
	return SCRUB_VEC_OTHER;
}

/*
 * Coarse monotonic time (the clock tick, a few ms): rate limits and expiry
 * need no better, and the precise clock costs twice as much per packet. The
 * same clock as CLOCK_MONOTONIC in userspace, lagging by at most a tick.
 */
static __always_inline __u64 now_ns(__u64 *now)
{
	if (*now == 0)
		*now = bpf_ktime_get_coarse_ns();
	return *now;
}

/* Matching rule that has not expired. */
static __always_inline int listed(void *map, __u32 n, const struct scrub_addr *src, __u64 *now)
{
	struct scrub_lpm_key k = { .prefixlen = 128 };
	struct scrub_rule *r;

	if (n == 0)
		return 0;
	__builtin_memcpy(k.a, src->a, 16);
	r = bpf_map_lookup_elem(map, &k);
	if (r == NULL)
		return 0;
	if (r->expires_ns == 0)
		return 1;
	return now_ns(now) < r->expires_ns;
}

/*
 * GCRA: 1 = over the limit (state unchanged), 0 = conforming (credit spent).
 * Up to `burst` events back to back, then one per `cost` ns.
 */
static __always_inline int gcra(__u64 *tat, __u64 now, __u64 cost, __u64 burst)
{
	__u64 t = *tat;

	if (t < now)
		t = now;
	if (t - now + cost > burst * cost)
		return 1;
	*tat = t + cost;
	return 0;
}

static __always_inline int port_served(const __u64 *bitmap, __u16 port)
{
	return (bitmap[(port >> 6) & 1023] >> (port & 63)) & 1;
}

/* Per-vector filters of a protected object: SCRUB_DROP_* or -1 to go on. */
static __always_inline int filters(const struct scrub_obj_cfg *cfg, const struct pkt *p,
    __u64 *now)
{
	__u32 m = cfg->mitigations;

	if (p->is_frag && (m & SCRUB_MIT_FRAGMENTS))
		return SCRUB_DROP_FRAGMENT;
	if (!p->has_l4)
		return -1;
	if (p->proto == IPPROTO_TCP) {
		__u8 f = p->tcp_flags;

		if (m & SCRUB_MIT_TCP_FLAGS) {
			if ((f & (TCPF_SYN | TCPF_FIN)) == (TCPF_SYN | TCPF_FIN) ||
			    (f & (TCPF_SYN | TCPF_RST)) == (TCPF_SYN | TCPF_RST) ||
			    (f & 0x3f) == 0 ||
			    (f & (TCPF_FIN | TCPF_PSH | TCPF_URG)) == (TCPF_FIN | TCPF_PSH | TCPF_URG))
				return SCRUB_DROP_TCP_FLAGS;
		}
		if ((m & SCRUB_MIT_TCP_PORTS) && !port_served(cfg->tcp_ports, p->dport))
			return SCRUB_DROP_TCP_PORT;
	} else if (p->proto == IPPROTO_UDP) {
		if ((m & SCRUB_MIT_UDP_PORTS) && !port_served(cfg->udp_ports, p->dport))
			return SCRUB_DROP_UDP_PORT;
		if ((m & SCRUB_MIT_REFLECTION) && vector_of(p) == SCRUB_VEC_UDP_REFLECT)
			return SCRUB_DROP_REFLECTION;
	} else if ((p->proto == IPPROTO_ICMP || p->proto == IPPROTO_ICMPV6) &&
		   (m & SCRUB_MIT_ICMP_RATE) && cfg->icmp_pps != 0) {
		__u32 id = cfg->obj_id;
		struct scrub_obj_state *st;

		/* IPv6 neighbour discovery (133..137) is never rate limited */
		if (p->proto == IPPROTO_ICMPV6 && p->icmp_type >= 133 && p->icmp_type <= 137)
			return -1;
		st = bpf_map_lookup_elem(&scrub_obj_state, &id);
		if (st && gcra(&st->tat_icmp, now_ns(now), cfg->icmp_cost_ns, cfg->icmp_burst))
			return SCRUB_DROP_ICMP_RATE;
	}
	return -1;
}

/* Rate limits and SYN protection: SCRUB_DROP_* or -1 to pass. */
static __always_inline int limits(const struct scrub_obj_cfg *cfg, const struct pkt *p,
    __u64 *now)
{
	__u32 m = cfg->mitigations;
	int is_syn = p->has_l4 && p->proto == IPPROTO_TCP &&
	    (p->tcp_flags & (TCPF_SYN | TCPF_ACK)) == TCPF_SYN;
	int per_src = ((m & SCRUB_MIT_RATE_PPS) && cfg->src_pps) ||
	    ((m & SCRUB_MIT_RATE_BPS) && cfg->src_bps) ||
	    (is_syn && (m & SCRUB_MIT_SYN) && cfg->src_syn_pps);

	if (per_src) {
		struct scrub_rl_key k = { .obj_id = cfg->obj_id };
		struct scrub_rl_state *st;

		k.src = p->src;
		st = bpf_map_lookup_elem(&scrub_rl, &k);
		if (st == NULL) {
			struct scrub_rl_state fresh = {};

			bpf_map_update_elem(&scrub_rl, &k, &fresh, BPF_NOEXIST);
			st = bpf_map_lookup_elem(&scrub_rl, &k);
			if (st == NULL)
				return -1;	/* map full and no LRU victim: fail open */
		}
		now_ns(now);
		if ((m & SCRUB_MIT_RATE_PPS) && cfg->src_pps &&
		    gcra(&st->tat_pkt, *now, cfg->src_pps_cost_ns, cfg->src_pps_burst))
			return SCRUB_DROP_RATE_PPS;
		if ((m & SCRUB_MIT_RATE_BPS) && cfg->src_bps) {
			__u64 cost = (p->len * cfg->src_bps_cost_ps + 999) / 1000;
			__u64 t = st->tat_byte;

			if (t < *now)
				t = *now;
			/* burst in bytes: the allowed lead is burst * ps per byte */
			if (t - *now + cost > (cfg->src_bps_burst * cfg->src_bps_cost_ps) / 1000)
				return SCRUB_DROP_RATE_BPS;
			st->tat_byte = t + cost;
		}
		if (is_syn && (m & SCRUB_MIT_SYN) && cfg->src_syn_pps &&
		    gcra(&st->tat_syn, *now, cfg->src_syn_cost_ns, cfg->src_syn_burst))
			return SCRUB_DROP_SYN_SOURCE;
	}
	if (is_syn && (m & SCRUB_MIT_SYN) && cfg->obj_syn_pps) {
		__u32 id = cfg->obj_id;
		struct scrub_obj_state *os = bpf_map_lookup_elem(&scrub_obj_state, &id);

		if (os && gcra(&os->tat_syn, now_ns(now), cfg->obj_syn_cost_ns, cfg->obj_syn_burst))
			return SCRUB_DROP_SYN_OBJECT;
	}
	return -1;
}

static __always_inline __u16 csum_fold(__u32 sum)
{
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (__u16)~sum;
}

/*
 * The TCP half of a SYN cookie SYN-ACK, written over the SYN at th: ports
 * swapped, seq = cookie, ack = the SYN's seq + 1, one MSS option, checksum
 * from `sum` (the pseudo-header's, unfolded).
 */
static __always_inline void synack_tcp(struct tcphdr *th, __u8 *o, const struct pkt *p,
    __u32 cookie, __u16 mss, __u32 sum)
{
	__u16 *w = (__u16 *)th;
	__be16 port = th->source;
	int i;

	th->source = th->dest;
	th->dest = port;
	th->ack_seq = bpf_htonl(p->seq + 1);
	th->seq = bpf_htonl(cookie);
	((__u8 *)th)[12] = 6 << 4;		/* data offset: 24 bytes */
	((__u8 *)th)[13] = TCPF_SYN | TCPF_ACK;
	th->window = bpf_htons(65535);
	th->urg_ptr = 0;
	th->check = 0;
	o[0] = 2;				/* MSS */
	o[1] = 4;
	o[2] = (__u8)(mss >> 8);
	o[3] = (__u8)mss;
	sum += bpf_htons(IPPROTO_TCP) + bpf_htons(sizeof(*th) + 4);
#pragma unroll
	for (i = 0; i < 12; i++)
		sum += w[i];
	th->check = csum_fold(sum);
}

static __always_inline void swap_macs(struct ethhdr *eth)
{
	__u8 mac[ETH_ALEN];

	__builtin_memcpy(mac, eth->h_source, ETH_ALEN);
	__builtin_memcpy(eth->h_source, eth->h_dest, ETH_ALEN);
	__builtin_memcpy(eth->h_dest, mac, ETH_ALEN);
}

/*
 * Answers a SYN with a SYN-ACK whose sequence number is the kernel's SYN
 * cookie (bpf_tcp_raw_gen_syncookie_ipv4/ipv6: the same secret and format as
 * the stack's own cookies), rewriting the frame in place: MACs, addresses and
 * ports swapped, an MSS option only. IPv4 without options, IPv6 without
 * extension headers, not fragments. The client's ACK then passes this
 * program like any non-SYN segment; netfilter's SYNPROXY (nft `synproxy`)
 * validates the cookie and completes the handshake with the local listener
 * (docs/DDOS.md). XDP_TX, or -1 when the frame does not qualify (the caller
 * passes it on).
 */
static __always_inline int syncookie_reply(struct xdp_md *ctx, const struct pkt *p)
{
	__u8 opts[60];
	union {
		struct iphdr v4;
		struct ipv6hdr v6;
	} ip;
	void *data, *data_end;
	struct ethhdr *eth;
	struct tcphdr *th;
	__u32 off = p->l3_off, thlen = p->thlen, iplen, sum = 0;
	__u16 *w;
	__s64 r;
	int i;

	iplen = p->is_v6 ? sizeof(struct ipv6hdr) : sizeof(struct iphdr);
	if (p->is_frag || off > 22 || p->l4_off != off + iplen ||
	    thlen < sizeof(struct tcphdr) || thlen > 60)
		return -1;
	if (bpf_xdp_load_bytes(ctx, off, &ip, iplen) != 0 ||
	    bpf_xdp_load_bytes(ctx, off + iplen, opts, thlen) != 0)
		return -1;
	if (p->is_v6)
		r = bpf_tcp_raw_gen_syncookie_ipv6(&ip.v6, (struct tcphdr *)opts, thlen);
	else
		r = bpf_tcp_raw_gen_syncookie_ipv4(&ip.v4, (struct tcphdr *)opts, thlen);
	if (r < 0)
		return -1;
	/* the reply: headers up to TCP + 4 bytes of options */
	if (bpf_xdp_adjust_tail(ctx, (int)(off + iplen + sizeof(*th) + 4) - (int)p->len) != 0)
		return -1;
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	eth = data;
	if ((void *)(eth + 1) > data_end)
		return -1;
	if (p->is_v6) {
		struct ipv6hdr *ip6 = data + off;
		struct in6_addr a;

		th = (void *)(ip6 + 1);
		if ((void *)th + sizeof(*th) + 4 > data_end)
			return -1;
		swap_macs(eth);
		a = ip6->saddr;
		ip6->saddr = ip6->daddr;
		ip6->daddr = a;
		*(__be32 *)ip6 = bpf_htonl(0x60000000);	/* version, no class or flow */
		ip6->payload_len = bpf_htons(sizeof(*th) + 4);
		ip6->nexthdr = IPPROTO_TCP;
		ip6->hop_limit = 64;
		w = (__u16 *)&ip6->saddr;
#pragma unroll
		for (i = 0; i < 16; i++)	/* both addresses */
			sum += w[i];
	} else {
		struct iphdr *iph = data + off;
		__be32 a;

		th = (void *)(iph + 1);
		if ((void *)th + sizeof(*th) + 4 > data_end)
			return -1;
		swap_macs(eth);
		a = iph->saddr;
		iph->saddr = iph->daddr;
		iph->daddr = a;
		iph->tos = 0;
		iph->tot_len = bpf_htons(sizeof(*iph) + sizeof(*th) + 4);
		iph->id = 0;
		iph->frag_off = bpf_htons(0x4000);	/* DF */
		iph->ttl = 64;
		iph->check = 0;
		w = (__u16 *)iph;
#pragma unroll
		for (i = 0; i < 10; i++)
			sum += w[i];
		iph->check = csum_fold(sum);
		sum = (iph->saddr & 0xffff) + (iph->saddr >> 16) + (iph->daddr & 0xffff) +
		    (iph->daddr >> 16);
	}
	synack_tcp(th, (__u8 *)(th + 1), p, (__u32)r, (__u16)(r >> 32), sum);
	return XDP_TX;
}

/* Best effort: a full ring drops the sample, never the packet. */
static __always_inline void sample(const struct pkt *p, __u32 obj_id, int dropped, int reason,
    int vec)
{
	struct scrub_sample s = {
		.src = p->src, .dst = p->dst, .obj_id = obj_id, .len = (__u32)p->len,
		.proto = p->proto, .vector = (__u8)vec, .dropped = (__u8)dropped,
		.reason = dropped ? (__u8)reason : 0,
	};

	if (p->has_l4 && (p->proto == IPPROTO_TCP || p->proto == IPPROTO_UDP)) {
		s.sport = p->sport;
		s.dport = p->dport;
	}
	bpf_ringbuf_output(&scrub_samples, &s, sizeof(s), 0);
}

static __always_inline void count_drop(struct scrub_counters *c, int reason, __u64 len)
{
	if (c && reason >= 0 && reason < SCRUB_DROP_MAX) {
		c->drop_pkts[reason]++;
		c->drop_bytes[reason] += len;
	}
}

SEC("xdp")
int scrub_xdp(struct xdp_md *ctx)
{
	struct pkt p = {};
	struct scrub_counters *g, *oc = NULL;
	struct scrub_obj_cfg *cfg;
	__u32 zero = 0, id = 0;
	__u64 non_ip = 0, now = 0;
	int vec, reason, sampled = 0;

	p.len = (__u64)ctx->data_end - (__u64)ctx->data;
	g = bpf_map_lookup_elem(&scrub_global, &zero);
	if (g == NULL)
		return XDP_PASS;
	if (parse(ctx, &p, &non_ip) < 0) {
		if (non_ip)
			g->non_ip_pkts++;
		else
			g->unknown_dst_pkts++;
		g->pass_pkts++;
		g->pass_bytes += p.len;
		return XDP_PASS;
	}
	vec = vector_of(&p);
	if (vec < 0 || vec >= SCRUB_VEC_MAX)
		return XDP_PASS;
	g->rx_pkts[vec]++;
	g->rx_bytes[vec] += p.len;
	cfg = bpf_map_lookup_elem(&scrub_objects, &p.dst);
	if (cfg) {
		id = cfg->obj_id;
		oc = bpf_map_lookup_elem(&scrub_obj_counters, &id);
		if (oc) {
			/* the per-vector count doubles as the sampling sequence */
			sampled = scrub_sample_on && (oc->rx_pkts[vec] & scrub_sample_mask) == 0;
			oc->rx_pkts[vec]++;
			oc->rx_bytes[vec] += p.len;
		}
	}
	if (listed(&scrub_allow, scrub_nallow, &p.src, &now)) {
		g->allow_pkts++;
		g->allow_bytes += p.len;
		if (oc) {
			oc->allow_pkts++;
			oc->allow_bytes += p.len;
		}
		goto pass;
	}
	if (listed(&scrub_block, scrub_nblock, &p.src, &now)) {
		reason = SCRUB_DROP_BLOCKLIST;
		goto drop;
	}
	if (cfg == NULL)
		goto pass;	/* malformed or not, unprotected traffic is not ours */
	if (p.malformed) {
		reason = SCRUB_DROP_MALFORMED;
		goto drop;
	}
	if (cfg->mitigations == 0)
		goto pass;
	reason = filters(cfg, &p, &now);
	if (reason >= 0)
		goto drop;
	reason = limits(cfg, &p, &now);
	if (reason >= 0)
		goto drop;
	if ((cfg->mitigations & SCRUB_MIT_SYN_COOKIE) && p.has_l4 && p.proto == IPPROTO_TCP &&
	    (p.tcp_flags & (TCPF_SYN | TCPF_ACK | TCPF_RST | TCPF_FIN)) == TCPF_SYN &&
	    syncookie_reply(ctx, &p) == XDP_TX) {
		g->syncookie_pkts++;
		if (oc)
			oc->syncookie_pkts++;
		return XDP_TX;
	}
pass:
	g->pass_pkts++;
	g->pass_bytes += p.len;
	if (oc) {
		oc->pass_pkts++;
		oc->pass_bytes += p.len;
	}
	if (sampled)
		sample(&p, id, 0, 0, vec);
	return XDP_PASS;
drop:
	count_drop(g, reason, p.len);
	count_drop(oc, reason, p.len);
	if (sampled)
		sample(&p, id, 1, reason, vec);
	return XDP_DROP;
}

/* Dual licensed; the kernel is told GPL so GPL-only helpers stay usable. */
char LICENSE[] SEC("license") = "GPL";
