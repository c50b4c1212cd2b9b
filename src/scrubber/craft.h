/*
 * craft: builds Ethernet frames (optional 802.1Q / QinQ tags, IPv4 with
 * options and fragment fields, IPv6 with extension headers, TCP / UDP /
 * ICMP) for the XDP unit tests, the benchmarks and the flood generator, and
 * enters the network namespaces they create.
 * Checksums are computed (IPv4 header, L4) so frames are valid on a wire.
 */
#ifndef SCRUB_CRAFT_H
#define SCRUB_CRAFT_H

#include <stddef.h>
#include <stdint.h>

enum craft_frag {
	CRAFT_FRAG_NONE = 0,
	CRAFT_FRAG_FIRST,	/* offset 0, more fragments */
	CRAFT_FRAG_LATER,	/* offset 1480, last */
};

struct craft_spec {
	const char *src, *dst;	/* IPv4 or IPv6 text; both the same family */
	uint8_t proto;		/* 6 TCP, 17 UDP, 1 ICMP / 58 ICMPv6, or any */
	uint16_t sport, dport;
	uint8_t tcp_flags;	/* byte 13 of the TCP header */
	uint8_t icmp_type;
	int vlans;		/* 0, 1 (802.1Q) or 2 (802.1ad + 802.1Q) */
	int ip_opt_words;	/* IPv4 options, 4-byte NOP words (0..10) */
	int v6_ext;		/* IPv6 destination-options headers before L4 (0..10) */
	enum craft_frag frag;	/* IPv4 fragment fields, or an IPv6 fragment header */
	size_t payload;		/* L4 payload bytes (zeros) */
	const uint8_t *src_mac, *dst_mac; /* NULL: locally administered defaults */
};

/*
 * Writes the frame into buf (cap bytes); returns its length, or 0 when the
 * spec is invalid or does not fit. *l3_off / *l4_off (may be NULL) receive the
 * offsets of the IP and L4 headers.
 */
size_t craft_frame(const struct craft_spec *s, uint8_t *buf, size_t cap, size_t *l3_off,
    size_t *l4_off);

/*
 * Moves the calling thread into the network namespace `ip netns add NAME`
 * created (/var/run/netns/NAME): for tests and benchmarks that put the two
 * ends of a veth pair in namespaces of their own. 0 or -1 (errno set).
 */
int craft_enter_netns(const char *name);

#endif
