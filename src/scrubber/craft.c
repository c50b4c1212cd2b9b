/*
 * craft: frame builder for tests, benchmarks and the flood generator (see
 * craft.h). Layout code only; nothing here parses untrusted input.
 */
#include "craft.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const uint8_t default_src_mac[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x01 };
static const uint8_t default_dst_mac[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x02 };

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static uint32_t
sum16(const uint8_t *p, size_t n, uint32_t acc)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		acc += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (n & 1)
		acc += (uint32_t)p[n - 1] << 8;
	return acc;
}

static uint16_t
fold(uint32_t acc)
{
	while (acc >> 16)
		acc = (acc & 0xffff) + (acc >> 16);
	return (uint16_t)~acc;
}

size_t
craft_frame(const struct craft_spec *s, uint8_t *buf, size_t cap, size_t *l3_off,
    size_t *l4_off)
{
	uint8_t src[16], dst[16];
	size_t off = 12, l3, l4, l4len, iplen;
	int v6;
	uint8_t proto = s->proto;

	if (inet_pton(AF_INET, s->src, src) == 1 && inet_pton(AF_INET, s->dst, dst) == 1)
		v6 = 0;
	else if (inet_pton(AF_INET6, s->src, src) == 1 && inet_pton(AF_INET6, s->dst, dst) == 1)
		v6 = 1;
	else
		return 0;
	if (s->vlans < 0 || s->vlans > 2 || s->ip_opt_words < 0 || s->ip_opt_words > 10 ||
	    s->v6_ext < 0 || s->v6_ext > 10)
		return 0;
	l4len = proto == 6 ? 20 : proto == 17 ? 8 : (proto == 1 || proto == 58) ? 8 : 0;
	iplen = (v6 ? 40 + 8 * (size_t)s->v6_ext + (s->frag ? 8 : 0) : 20 + 4 * (size_t)s->ip_opt_words);
	if (s->frag == CRAFT_FRAG_LATER)
		l4len = 0;	/* a later fragment carries payload only */
	if (14 + 4 * (size_t)s->vlans + iplen + l4len + s->payload > cap ||
	    iplen + l4len + s->payload > 65535)
		return 0;
	memset(buf, 0, 14 + 4 * (size_t)s->vlans + iplen + l4len + s->payload);
	memcpy(buf, s->dst_mac ? s->dst_mac : default_dst_mac, 6);
	memcpy(buf + 6, s->src_mac ? s->src_mac : default_src_mac, 6);
	if (s->vlans == 2) {
		put16(buf + off, 0x88a8);
		put16(buf + off + 2, 100);
		off += 4;
	}
	if (s->vlans >= 1) {
		put16(buf + off, 0x8100);
		put16(buf + off + 2, 200);
		off += 4;
	}
	put16(buf + off, v6 ? 0x86dd : 0x0800);
	l3 = off + 2;
	l4 = l3 + iplen;
	if (!v6) {
		uint8_t *ip = buf + l3;

		ip[0] = (uint8_t)(0x40 | (5 + s->ip_opt_words));
		put16(ip + 2, (uint16_t)(iplen + l4len + s->payload));
		put16(ip + 4, 0x1234);
		put16(ip + 6, s->frag == CRAFT_FRAG_FIRST ? 0x2000 :
		    s->frag == CRAFT_FRAG_LATER ? 1480 / 8 : 0);
		ip[8] = 64;
		ip[9] = proto;
		memcpy(ip + 12, src, 4);
		memcpy(ip + 16, dst, 4);
		memset(ip + 20, 1, 4 * (size_t)s->ip_opt_words);	/* NOP options */
		put16(ip + 10, fold(sum16(ip, iplen, 0)));
	} else {
		uint8_t *ip = buf + l3, *eh = ip + 40;
		uint8_t *nh = ip + 6;

		ip[0] = 0x60;
		put16(ip + 4, (uint16_t)(iplen - 40 + l4len + s->payload));
		ip[7] = 64;
		memcpy(ip + 8, src, 16);
		memcpy(ip + 24, dst, 16);
		for (int i = 0; i < s->v6_ext; i++, eh += 8) {
			*nh = 60;	/* destination options: PadN of 4 */
			nh = eh;
			eh[2] = 1;
			eh[3] = 4;
		}
		if (s->frag) {
			*nh = 44;
			nh = eh;
			put16(eh + 2, s->frag == CRAFT_FRAG_FIRST ? 1 : 1480);
			eh += 8;
		}
		*nh = proto;
	}
	if (l4len) {
		uint8_t *p = buf + l4;
		size_t seg = l4len + s->payload;
		uint32_t acc;

		if (proto == 6) {
			put16(p, s->sport);
			put16(p + 2, s->dport);
			put16(p + 4, 0x0102);
			p[12] = 5 << 4;
			p[13] = s->tcp_flags;
			put16(p + 14, 65535);
		} else if (proto == 17) {
			put16(p, s->sport);
			put16(p + 2, s->dport);
			put16(p + 4, (uint16_t)seg);
		} else {
			p[0] = s->icmp_type;
		}
		if (proto != 1) {	/* pseudo-header for TCP, UDP, ICMPv6 */
			acc = sum16(src, v6 ? 16 : 4, 0);
			acc = sum16(dst, v6 ? 16 : 4, acc);
			acc += proto + (uint32_t)seg;
		} else {
			acc = 0;
		}
		put16(p + (proto == 6 ? 16 : proto == 17 ? 6 : 2), fold(sum16(p, seg, acc)));
	}
	if (l3_off != NULL)
		*l3_off = l3;
	if (l4_off != NULL)
		*l4_off = l4;
	return l4 + l4len + s->payload;
}

int
craft_enter_netns(const char *name)
{
	char path[128];
	int fd, rc;

	snprintf(path, sizeof(path), "/var/run/netns/%s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	rc = setns(fd, CLONE_NEWNET);
	close(fd);
	return rc;
}
