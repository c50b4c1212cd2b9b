/*
 * Unit tests of the scrubber's XDP program, run in the kernel with
 * BPF_PROG_RUN on crafted frames: every filter's verdict (allow beats block,
 * expired blocks pass, fragments, bad TCP flags, unserved ports, each
 * reflection port, per-source pps/bps limits, ICMP and SYN limits), every
 * truncation of valid frames (never passes unchecked to a protected
 * destination), corrupted header fields, VLAN / QinQ, IPv6 extension
 * headers, exact counters, packet sampling to the ring buffer, attach/detach on a veth pair in a private network
 * namespace, the API's input checks, and the capability drop. Needs root (or
 * CAP_BPF + CAP_NET_ADMIN); without it the tests are skipped with a message.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include <bpf/bpf.h>

#include "craft.h"
#include "xdp.h"

#define PROTECTED "192.0.2.10"
#define PROTECTED6 "2001:db8::10"
#define OTHER "192.0.2.99"
#define CLIENT "198.51.100.7"
#define CLIENT6 "2001:db8:1::7"
#define OBJ 7
#define OBJ6 8

struct fx {
	struct scrub_xdp *x;
	char err[256];
};

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->x = scrub_xdp_open(f->err, sizeof(f->err));
	if (f->x == NULL)
		print_message("[  SKIP    ] cannot load the XDP program (%s): these tests need root "
		    "or CAP_BPF\n", f->err);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;

	scrub_xdp_close(f->x);
	free(f);
	return 0;
}

#define NEED_BPF(f) do { if ((f)->x == NULL) skip(); } while (0)

static int
run_frame(struct fx *f, const uint8_t *buf, size_t len)
{
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = buf, .data_size_in = (__u32)len,
	    .repeat = 1);
	int rc = bpf_prog_test_run_opts(scrub_xdp_prog_fd(f->x), &o);

	assert_int_equal(rc, 0);
	return (int)o.retval;
}

/* Builds and runs a frame from spec; returns XDP_PASS / XDP_DROP. */
static int
run(struct fx *f, const struct craft_spec *s)
{
	uint8_t buf[2048];
	size_t len = craft_frame(s, buf, sizeof(buf), NULL, NULL);

	assert_true(len > 0);
	return run_frame(f, buf, len);
}

static struct craft_spec
udp(const char *src, const char *dst, uint16_t sport, uint16_t dport)
{
	struct craft_spec s = { .src = src, .dst = dst, .proto = 17, .sport = sport,
		.dport = dport, .payload = 32 };

	return s;
}

static struct craft_spec
tcp(const char *src, const char *dst, uint16_t dport, uint8_t flags)
{
	struct craft_spec s = { .src = src, .dst = dst, .proto = 6, .sport = 40000,
		.dport = dport, .tcp_flags = flags };

	return s;
}

static void
protect(struct fx *f, const char *dst, uint32_t id, struct scrub_obj_cfg *cfg)
{
	struct scrub_addr a;

	assert_int_equal(scrub_xdp_parse_addr(dst, &a, f->err, sizeof(f->err)), 0);
	cfg->obj_id = id;
	assert_int_equal(scrub_xdp_object_set(f->x, &a, cfg, f->err, sizeof(f->err)), 0);
}

static struct scrub_obj_cfg *
new_cfg(uint32_t mitigations)
{
	static struct scrub_obj_cfg cfg;	/* 16 KiB: not on the stack */

	scrub_xdp_cfg_init(&cfg, 0);
	cfg.mitigations = mitigations;
	return &cfg;
}

static void
list_add(struct fx *f, int block, const char *prefix, uint64_t ttl_ms)
{
	struct scrub_prefix p;

	assert_int_equal(scrub_xdp_parse_prefix(prefix, &p, f->err, sizeof(f->err)), 0);
	if (block)
		assert_int_equal(scrub_xdp_block_set(f->x, &p, ttl_ms, 1, f->err, sizeof(f->err)), 0);
	else
		assert_int_equal(scrub_xdp_allow_set(f->x, &p, ttl_ms, 2, f->err, sizeof(f->err)), 0);
}

static void
test_unprotected_passes(void **state)
{
	struct fx *f = *state;
	struct craft_spec s = udp(CLIENT, OTHER, 53, 9999);
	struct scrub_counters c;

	NEED_BPF(f);
	protect(f, PROTECTED, OBJ, new_cfg(SCRUB_MIT_ALL));
	assert_int_equal(run(f, &s), XDP_PASS);	/* reflection shape, but not protected */
	s.frag = CRAFT_FRAG_LATER;
	assert_int_equal(run(f, &s), XDP_PASS);
	assert_int_equal(scrub_xdp_global_counters(f->x, &c, f->err, sizeof(f->err)), 0);
	assert_int_equal(c.rx_pkts[SCRUB_VEC_UDP_REFLECT], 1);
	assert_int_equal(c.rx_pkts[SCRUB_VEC_FRAG], 1);
	assert_int_equal(c.pass_pkts, 2);
}

static void
test_allow_beats_block(void **state)
{
	struct fx *f = *state;
	struct craft_spec s = udp(CLIENT, PROTECTED, 53, 9);
	struct craft_spec s6 = udp(CLIENT6, PROTECTED6, 53, 9);

	NEED_BPF(f);
	protect(f, PROTECTED, OBJ, new_cfg(SCRUB_MIT_ALL));
	protect(f, PROTECTED6, OBJ6, new_cfg(SCRUB_MIT_ALL));
	list_add(f, 1, "198.51.100.0/24", 0);
	list_add(f, 1, "2001:db8:1::/48", 0);
	assert_int_equal(run(f, &s), XDP_DROP);
	assert_int_equal(run(f, &s6), XDP_DROP);
	list_add(f, 0, CLIENT, 0);
	list_add(f, 0, "2001:db8:1::/64", 0);
	/* allowed sources skip the block list and every filter of the object */
	assert_int_equal(run(f, &s), XDP_PASS);
	assert_int_equal(run(f, &s6), XDP_PASS);
	s.src = "198.51.100.8";
	assert_int_equal(run(f, &s), XDP_DROP);
	s6.src = "2001:db8:1:1::7";
	assert_int_equal(run(f, &s6), XDP_DROP);
	/* the block list applies to unprotected destinations too */
	s.dst = OTHER;
	assert_int_equal(run(f, &s), XDP_DROP);
}

static void
test_block_expiry(void **state)
{
	struct fx *f = *state;
	struct craft_spec s = tcp(CLIENT, PROTECTED, 443, 0x02);
	struct scrub_prefix p;
	size_t removed = 99;
	struct timespec ts = { 0, 20 * 1000 * 1000 };

	NEED_BPF(f);
	list_add(f, 1, CLIENT, 1);		/* 1 ms */
	list_add(f, 1, "203.0.113.0/24", 0);	/* permanent */
	list_add(f, 0, "198.51.100.0/24", 1);	/* an allow that also expires */
	nanosleep(&ts, NULL);
	assert_int_equal(run(f, &s), XDP_PASS);
	s.src = "203.0.113.5";
	assert_int_equal(run(f, &s), XDP_DROP);
	assert_int_equal(scrub_xdp_expire(f->x, &removed, f->err, sizeof(f->err)), 0);
	assert_int_equal(removed, 2);
	assert_int_equal(scrub_xdp_expire(f->x, &removed, f->err, sizeof(f->err)), 0);
	assert_int_equal(removed, 0);
	assert_int_equal(scrub_xdp_parse_prefix("203.0.113.0/24", &p, f->err, sizeof(f->err)), 0);
	assert_int_equal(scrub_xdp_block_del(f->x, &p, f->err, sizeof(f->err)), 0);
	assert_int_equal(run(f, &s), XDP_PASS);
	assert_int_equal(scrub_xdp_block_del(f->x, &p, f->err, sizeof(f->err)), -1);
	assert_non_null(strstr(f->err, "no such prefix"));
}

static void
test_fragments(void **state)
{
	struct fx *f = *state;
	struct craft_spec s = udp(CLIENT, PROTECTED, 5000, 53);
	struct craft_spec s6 = udp(CLIENT6, PROTECTED6, 5000, 53);
	enum craft_frag kinds[] = { CRAFT_FRAG_FIRST, CRAFT_FRAG_LATER };

	NEED_BPF(f);
	protect(f, PROTECTED, OBJ, new_cfg(0));
	protect(f, PROTECTED6, OBJ6, new_cfg(0));
	for (size_t i = 0; i < 2; i++) {
		s.frag = s6.frag = kinds[i];
		assert_int_equal(run(f, &s), XDP_PASS);		/* mitigation off */
		assert_int_equal(run(f, &s6), XDP_PASS);
	}
	protect(f, PROTECTED, OBJ, new_cfg(SCRUB_MIT_FRAGMENTS));
	protect(f, PROTECTED6, OBJ6, new_cfg(SCRUB_MIT_FRAGMENTS));
	for (size_t i = 0; i < 2; i++) {
		s.frag = s6.frag = kinds[i];
		assert_int_equal(run(f, &s), XDP_DROP);
		assert_int_equal(run(f, &s6), XDP_DROP);
	}
	s.frag = s6.frag = CRAFT_FRAG_NONE;
	assert_int_equal(run(f, &s), XDP_PASS);
	assert_int_equal(run(f, &s6), XDP_PASS);
}

static void
test_tcp_flags(void **state)
{
	struct fx *f = *state;
	static const uint8_t bad[] = { 0x03, 0x06, 0x00, 0x29, 0x3f, 0x07, 0x2b };
	static const uint8_t good[] = { 0x02, 0x12, 0x10, 0x11, 0x04, 0x14, 0x18, 0x19 };

	NEED_BPF(f);
	protect(f, PROTECTED, OBJ, new_cfg(SCRUB_MIT_TCP_FLAGS));
	for (size_t i = 0; i < sizeof(bad); i++) {
		struct craft_spec s = tcp(CLIENT, PROTECTED, 80, bad[i]);
		struct craft_spec s6 = tcp(CLIENT6, PROTECTED, 80, bad[i]);

		s6.dst = PROTECTED6;
		assert_int_equal(run(f, &s), XDP_DROP);
		assert_int_equal(run(f, &s6), XDP_PASS);	/* not protected */
	}
	for (size_t i = 0; i < sizeof(good); i++) {
		struct craft_spec s = tcp(CLIENT, PROTECTED, 80, good[i]);

		assert_int_equal(run(f, &s), XDP_PASS);
	}
	protect(f, PROTECTED, OBJ, new_cfg(0));
	for (size_t i = 0; i < sizeof(bad); i++) {
		struct craft_spec s = tcp(CLIENT, PROTECTED, 80, bad[i]);

		assert_int_equal(run(f, &s), XDP_PASS);		/* mitigation off */
	}
}

static void
test_ports(void **state)
{
	struct fx *f = *state;
	struct scrub_obj_cfg *cfg = new_cfg(SCRUB_MIT_UDP_PORTS | SCRUB_MIT_TCP_PORTS);
	struct craft_spec s;

	NEED_BPF(f);
	assert_int_equal(scrub_xdp_cfg_port(cfg, 17, 53, 53, f->err, sizeof(f->err)), 0);
	assert_int_equal(scrub_xdp_cfg_port(cfg, 6, 80, 80, f->err, sizeof(f->err)), 0);
	assert_int_equal(scrub_xdp_cfg_port(cfg, 6, 8000, 8100, f->err, sizeof(f->err)), 0);
	assert_int_equal(scrub_xdp_cfg_port(cfg, 17, 65535, 65535, f->err, sizeof(f->err)), 0);
	protect(f, PROTECTED, OBJ, cfg);
	s = udp(CLIENT, PROTECTED, 40000, 53);
	assert_int_equal(run(f, &s), XDP_PASS);
	s.dport = 65535;
	assert_int_equal(run(f, &s), XDP_PASS);
	s.dport = 54;
	assert_int_equal(run(f, &s), XDP_DROP);
	s.dport = 80;				/* served over TCP, not UDP */
	assert_int_equal(run(f, &s), XDP_DROP);
	s = tcp(CLIENT, PROTECTED, 80, 0x02);
	assert_int_equal(run(f, &s), XDP_PASS);
	s.dport = 8100;
	assert_int_equal(run(f, &s), XDP_PASS);
	s.dport = 8101;
	assert_int_equal(run(f, &s), XDP_DROP);
	s.dport = 53;
	assert_int_equal(run(f, &s), XDP_DROP);
}

static void
test_reflection_ports(void **state)
{
	struct fx *f = *state;
	static const uint16_t ports[] = { 53, 123, 161, 1900, 11211, 19 };
	struct scrub_counters c;

	NEED_BPF(f);
	protect(f, PROTECTED, OBJ, new_cfg(SCRUB_MIT_REFLECTION));
	for (size_t i = 0; i < sizeof(ports) / sizeof(ports[0]); i++) {
		struct craft_spec s = udp(CLIENT, PROTECTED, ports[i], 33333);

		assert_int_equal(run(f, &s), XDP_DROP);
		s.sport = (uint16_t)(ports[i] + 1);
		assert_int_equal(run(f, &s), XDP_PASS);
		s = tcp(CLIENT, PROTECTED, 33333, 0x10);	/* TCP from port 53 is no reflection */
		s.sport = ports[i];
		assert_int_equal(run(f, &s), XDP_PASS);
	}
	assert_int_equal(scrub_xdp_object_counters(f->x, OBJ, &c, f->err, sizeof(f->err)), 0);
	assert_int_equal(c.rx_pkts[SCRUB_VEC_UDP_REFLECT], 6);
	assert_int_equal(c.drop_pkts[SCRUB_DROP_REFLECTION], 6);
	assert_int_equal(c.pass_pkts, 12);
}

static void
test_rate_pps(void **state)
{
	struct fx *f = *state;
	struct scrub_obj_cfg *cfg = new_cfg(SCRUB_MIT_RATE_PPS);
	struct craft_spec s = udp(CLIENT, PROTECTED, 40000, 53);
	struct scrub_counters c;
	int passed = 0;

	NEED_BPF(f);
	cfg->src_pps = 1;	/* one per second after the burst */
	cfg->src_pps_burst = 5;
	protect(f, PROTECTED, OBJ, cfg);
	for (int i = 0; i < 20; i++)
		passed += run(f, &s) == XDP_PASS;
	assert_int_equal(passed, 5);
	s.src = "198.51.100.8";		/* another source has its own bucket */
	assert_int_equal(run(f, &s), XDP_PASS);
	assert_int_equal(scrub_xdp_object_counters(f->x, OBJ, &c, f->err, sizeof(f->err)), 0);
	assert_int_equal(c.drop_pkts[SCRUB_DROP_RATE_PPS], 15);
	assert_int_equal(c.pass_pkts, 6);
	/* switching the mitigation off lets the source through at once */
	protect(f, PROTECTED, OBJ, new_cfg(0));
	s.src = CLIENT;
	assert_int_equal(run(f, &s), XDP_PASS);
}

static void
test_rate_bps(void **state)
{
	struct fx *f = *state;
	struct scrub_obj_cfg *cfg = new_cfg(SCRUB_MIT_RATE_BPS);
	struct craft_spec s = udp(CLIENT6, PROTECTED6, 40000, 53);
	int passed = 0;

	NEED_BPF(f);
	s.payload = 938;	/* 14 + 40 + 8 + 938 = 1000-byte frames */
	cfg->src_bps = 100;
	cfg->src_bps_burst = 4000;
	protect(f, PROTECTED6, OBJ6, cfg);
	for (int i = 0; i < 10; i++)
		passed += run(f, &s) == XDP_PASS;
	assert_int_equal(passed, 4);
}

static void
test_icmp_rate(void **state)
{
	struct fx *f = *state;
	struct scrub_obj_cfg *cfg = new_cfg(SCRUB_MIT_ICMP_RATE);
	struct craft_spec s = { .src = CLIENT, .dst = PROTECTED, .proto = 1, .icmp_type = 8 };
	struct craft_spec nd = { .src = "fe80::1", .dst = PROTECTED6, .proto = 58, .icmp_type = 135 };
	int passed = 0;
	char src[32];

	NEED_BPF(f);
	cfg->icmp_pps = 1;
	cfg->icmp_burst = 3;
	protect(f, PROTECTED, OBJ, cfg);
	cfg->obj_id = OBJ6;
	protect(f, PROTECTED6, OBJ6, cfg);
	/* the ICMP limit is per object: spoofed sources share it */
	for (int i = 0; i < 10; i++) {
		snprintf(src, sizeof(src), "198.51.100.%d", i + 1);
		s.src = src;
		passed += run(f, &s) == XDP_PASS;
	}
	assert_int_equal(passed, 3);
	/* neighbour discovery is never limited; echo requests over IPv6 are */
	for (int i = 0; i < 10; i++)
		assert_int_equal(run(f, &nd), XDP_PASS);
	nd.icmp_type = 128;
	passed = 0;
	for (int i = 0; i < 10; i++)
		passed += run(f, &nd) == XDP_PASS;
	assert_int_equal(passed, 3);
}

static void
test_syn_limits(void **state)
{
	struct fx *f = *state;
	struct scrub_obj_cfg *cfg = new_cfg(SCRUB_MIT_SYN);
	struct craft_spec s = tcp(CLIENT, PROTECTED, 443, 0x02);
	struct scrub_counters c;
	int passed = 0;
	char src[32];

	NEED_BPF(f);
	cfg->src_syn_pps = 1;
	cfg->src_syn_burst = 2;
	cfg->obj_syn_pps = 1;
	cfg->obj_syn_burst = 6;
	protect(f, PROTECTED, OBJ, cfg);
	for (int i = 0; i < 5; i++)
		passed += run(f, &s) == XDP_PASS;
	assert_int_equal(passed, 2);		/* per source */
	s.tcp_flags = 0x10;			/* ACKs of established flows are not SYNs */
	for (int i = 0; i < 5; i++)
		assert_int_equal(run(f, &s), XDP_PASS);
	s.tcp_flags = 0x02;
	passed = 0;
	for (int i = 0; i < 10; i++) {		/* spoofed sources: the object cap */
		snprintf(src, sizeof(src), "203.0.113.%d", i + 1);
		s.src = src;
		passed += run(f, &s) == XDP_PASS;
	}
	assert_int_equal(passed, 4);		/* 6 - 2 already spent */
	assert_int_equal(scrub_xdp_object_counters(f->x, OBJ, &c, f->err, sizeof(f->err)), 0);
	assert_int_equal(c.drop_pkts[SCRUB_DROP_SYN_SOURCE], 3);
	assert_int_equal(c.drop_pkts[SCRUB_DROP_SYN_OBJECT], 6);
	assert_int_equal(c.rx_pkts[SCRUB_VEC_TCP_SYN], 15);
	assert_int_equal(c.rx_pkts[SCRUB_VEC_TCP], 5);
}

static unsigned
csum_sum(const uint8_t *p, size_t n, unsigned sum)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		sum += (unsigned)(p[i] << 8 | p[i + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return sum;
}

/* SYNs answered in XDP with a SYN cookie SYN-ACK: layout and checksums, both families. */
static void
test_syncookie(void **state)
{
	struct fx *f = *state;
	struct scrub_counters c;
	uint8_t in[256], out[256];
	size_t l3, l4, len;
	unsigned sum;

	NEED_BPF(f);
	protect(f, PROTECTED, OBJ, new_cfg(SCRUB_MIT_SYN_COOKIE));
	protect(f, PROTECTED6, OBJ6, new_cfg(SCRUB_MIT_SYN_COOKIE));
	for (int k = 0; k < 6; k++) {
		int v6 = k >= 3, vlans = k % 3, alen = v6 ? 16 : 4;
		size_t src_at = v6 ? 8 : 12;	/* in the IP header */
		struct craft_spec s = v6 ? tcp(CLIENT6, PROTECTED6, 443, 0x02) :
		    tcp(CLIENT, PROTECTED, 443, 0x02);
		LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = in, .data_out = out,
		    .data_size_out = sizeof(out), .repeat = 1);

		s.vlans = vlans;
		s.payload = (size_t)vlans * 7;	/* the reply is cut to its headers */
		len = craft_frame(&s, in, sizeof(in), &l3, &l4);
		o.data_size_in = (__u32)len;
		assert_int_equal(bpf_prog_test_run_opts(scrub_xdp_prog_fd(f->x), &o), 0);
		assert_int_equal(o.retval, XDP_TX);
		assert_int_equal(o.data_size_out, l4 + 24);
		assert_memory_equal(out, in + 6, 6);		/* MACs swapped */
		assert_memory_equal(out + 6, in, 6);
		assert_memory_equal(out + 12, in + 12, l3 - 12);	/* VLAN tags kept */
		assert_memory_equal(out + l3 + src_at, in + l3 + src_at + alen, alen);
		assert_memory_equal(out + l3 + src_at + alen, in + l3 + src_at, alen);
		if (v6) {
			assert_int_equal(out[l3] >> 4, 6);
			assert_int_equal(out[l3 + 4] << 8 | out[l3 + 5], 24);	/* payload */
			assert_int_equal(out[l3 + 6], 6);			/* next: TCP */
		} else {
			assert_int_equal(out[l3 + 2] << 8 | out[l3 + 3], 44);
			assert_int_equal(csum_sum(out + l3, 20, 0), 0xffff);	/* IP checksum */
		}
		assert_memory_equal(out + l4, in + l4 + 2, 2);		/* ports swapped */
		assert_memory_equal(out + l4 + 2, in + l4, 2);
		/* ack = the SYN's sequence + 1 (craft: 0x01020000) */
		assert_int_equal(out[l4 + 8] << 24 | out[l4 + 9] << 16 | out[l4 + 10] << 8 |
		    out[l4 + 11], 0x01020001);
		assert_int_equal(out[l4 + 12], 6 << 4);
		assert_int_equal(out[l4 + 13], 0x12);			/* SYN+ACK */
		assert_int_equal(out[l4 + 20], 2);			/* MSS option */
		assert_int_equal(out[l4 + 21], 4);
		/* no MSS offered: the stack's default 536, the cookie table's entry for it */
		assert_int_equal(out[l4 + 22] << 8 | out[l4 + 23], v6 ? 1220 : 536);
		sum = csum_sum(out + l3 + src_at, 2 * (size_t)alen, 0);	/* pseudo-header */
		sum = csum_sum(out + l4, 24, sum + 6 + 24);
		assert_int_equal(sum, 0xffff);			/* TCP checksum */
	}
	{
		/* the cookie is the kernel's: same inputs, same cookie; another source, another */
		struct craft_spec s = tcp(CLIENT, PROTECTED, 443, 0x02);
		uint8_t out2[256];
		LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = in, .data_out = out2,
		    .data_size_out = sizeof(out2), .repeat = 1);

		len = craft_frame(&s, in, sizeof(in), &l3, &l4);
		o.data_size_in = (__u32)len;
		assert_int_equal(bpf_prog_test_run_opts(scrub_xdp_prog_fd(f->x), &o), 0);
		memcpy(out, out2, sizeof(out));
		assert_int_equal(bpf_prog_test_run_opts(scrub_xdp_prog_fd(f->x), &o), 0);
		assert_memory_equal(out + l4 + 4, out2 + l4 + 4, 4);
		s.src = "198.51.100.8";
		len = craft_frame(&s, in, sizeof(in), &l3, &l4);
		assert_int_equal(bpf_prog_test_run_opts(scrub_xdp_prog_fd(f->x), &o), 0);
		assert_memory_not_equal(out + l4 + 4, out2 + l4 + 4, 4);
	}
	{
		/*
		 * only plain SYNs: ACKs, SYN-ACKs, IPv4 options, IPv6 extension
		 * headers and fragments pass on
		 */
		struct craft_spec s = tcp(CLIENT, PROTECTED, 443, 0x10);

		assert_int_equal(run(f, &s), XDP_PASS);
		s.tcp_flags = 0x12;
		assert_int_equal(run(f, &s), XDP_PASS);
		s.tcp_flags = 0x02;
		s.ip_opt_words = 1;
		assert_int_equal(run(f, &s), XDP_PASS);
		s = tcp(CLIENT6, PROTECTED6, 443, 0x02);
		s.v6_ext = 1;
		assert_int_equal(run(f, &s), XDP_PASS);
		s.v6_ext = 0;
		s.frag = CRAFT_FRAG_FIRST;
		assert_int_equal(run(f, &s), XDP_PASS);
	}
	assert_int_equal(scrub_xdp_object_counters(f->x, OBJ, &c, f->err, sizeof(f->err)), 0);
	assert_int_equal(c.syncookie_pkts, 6);
	assert_int_equal(c.pass_pkts, 3);
	assert_int_equal(scrub_xdp_object_counters(f->x, OBJ6, &c, f->err, sizeof(f->err)), 0);
	assert_int_equal(c.syncookie_pkts, 3);
	assert_int_equal(c.pass_pkts, 2);
}

/*
 * One connection from namespace ns_c to the listener at addr:8080 created
 * here (the caller is in the listener's namespace): ping, pong. 1 on success.
 */
static int
handshake(const char *ns_c, int family, const char *addr)
{
	struct sockaddr_storage ss = { .ss_family = (sa_family_t)family };
	struct sockaddr_in *a4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&ss;
	socklen_t sl = family == AF_INET ? sizeof(*a4) : sizeof(*a6);
	int l, conn = -1, one = 1, ok = 0, status;
	char buf[8];
	pid_t pid;

	if (family == AF_INET) {
		a4->sin_port = htons(8080);
		inet_pton(AF_INET, addr, &a4->sin_addr);
	} else {
		a6->sin6_port = htons(8080);
		inet_pton(AF_INET6, addr, &a6->sin6_addr);
	}
	l = socket(family, SOCK_STREAM, 0);
	setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (l < 0 || bind(l, (struct sockaddr *)&ss, sl) != 0 || listen(l, 4) != 0) {
		if (l >= 0)
			close(l);
		return 0;
	}
	pid = fork();
	if (pid == 0) {
		struct timeval tv = { 5, 0 };
		int s2;

		if (craft_enter_netns(ns_c) != 0)
			_exit(2);
		s2 = socket(family, SOCK_STREAM, 0);
		setsockopt(s2, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		setsockopt(s2, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
		if (connect(s2, (struct sockaddr *)&ss, sl) != 0 || write(s2, "ping", 4) != 4 ||
		    read(s2, buf, 4) != 4 || memcmp(buf, "pong", 4) != 0)
			_exit(3);
		_exit(0);
	}
	if (pid > 0) {
		struct pollfd pf = { .fd = l, .events = POLLIN };

		if (poll(&pf, 1, 5000) == 1 && (conn = accept(l, NULL, NULL)) >= 0) {
			struct timeval tv = { 5, 0 };

			setsockopt(conn, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
			if (read(conn, buf, 4) == 4 && memcmp(buf, "ping", 4) == 0 &&
			    write(conn, "pong", 4) == 4)
				ok = 1;
			close(conn);
		}
		waitpid(pid, &status, 0);
		ok = ok && WIFEXITED(status) && WEXITSTATUS(status) == 0;
	}
	close(l);
	return ok;
}

/*
 * The whole handshake through a real stack, IPv4 and IPv6: a client in one
 * namespace connects to a listener in another; the XDP program (generic
 * mode) answers the SYN with its cookie, nftables' synproxy validates the
 * client's ACK and opens the connection to the listener, data flows both ways.
 */
static void
test_syncookie_handshake(void **state)
{
	struct fx *f = *state;
	struct scrub_obj_cfg *cfg = new_cfg(SCRUB_MIT_SYN_COOKIE);
	struct scrub_counters c4 = { .syncookie_pkts = 0 }, c6 = { .syncookie_pkts = 0 };
	char ns_c[32], ns_s[32], cmd[1024];
	int self, ok4 = 0, ok6 = 0, no_synproxy = 0, once = 0;

	NEED_BPF(f);
	if (system("command -v nft >/dev/null") != 0) {
		print_message("[  SKIP    ] nft not installed\n");
		skip();
	}
	snprintf(ns_c, sizeof(ns_c), "ysxt-c-%d", (int)getpid());
	snprintf(ns_s, sizeof(ns_s), "ysxt-s-%d", (int)getpid());
	self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	assert_true(self >= 0);
	snprintf(cmd, sizeof(cmd),
	    "ip netns add %s && ip netns add %s && "
	    "ip -n %s link add ysc0 type veth peer name yss0 netns %s && "
	    "ip -n %s addr add 10.78.0.1/24 dev ysc0 && ip -n %s addr add fd78::1/64 dev ysc0 nodad && "
	    "ip -n %s link set ysc0 up && "
	    "ip -n %s addr add 10.78.0.2/24 dev yss0 && ip -n %s addr add fd78::2/64 dev yss0 nodad && "
	    "ip -n %s link set yss0 up && "
	    /* synproxy hands the connection to the listener over loopback */
	    "ip -n %s link set lo up && "
	    "ip netns exec %s sysctl -qw net.netfilter.nf_conntrack_tcp_loose=0",
	    ns_c, ns_s, ns_c, ns_s, ns_c, ns_c, ns_c, ns_s, ns_s, ns_s, ns_s, ns_s);
	if (system(cmd) != 0)
		goto out;
	{
		const uint16_t ports[] = { 8080 };
		char rules[1024];
		FILE *nft;

		assert_int_equal(scrub_xdp_synproxy_ruleset("yss0", ports, 1, rules, sizeof(rules),
		    f->err, sizeof(f->err)), 0);
		snprintf(cmd, sizeof(cmd), "ip netns exec %s nft -f -", ns_s);
		nft = popen(cmd, "w");
		assert_non_null(nft);
		fputs(rules, nft);
		/* twice: the second load must replace the first, not fail or duplicate */
		fputs(rules, nft);
		no_synproxy = pclose(nft) != 0;
		snprintf(cmd, sizeof(cmd), "test $(ip netns exec %s nft list table inet "
		    "yunshou_synproxy | grep -c 'synproxy mss') -eq 1", ns_s);
		once = system(cmd) == 0;
	}
	if (no_synproxy) {
		/* a kernel without nf_synproxy / nf_conntrack: not this program's fault */
		goto out;
	}
	if (craft_enter_netns(ns_s) != 0 ||
	    scrub_xdp_attach(f->x, "yss0", SCRUB_XDP_GENERIC, NULL, f->err, sizeof(f->err)) != 0)
		goto out;
	protect(f, "10.78.0.2", OBJ, cfg);
	cfg->obj_id = OBJ6;
	protect(f, "fd78::2", OBJ6, cfg);
	ok4 = handshake(ns_c, AF_INET, "10.78.0.2");
	ok6 = handshake(ns_c, AF_INET6, "fd78::2");
	if (scrub_xdp_object_counters(f->x, OBJ, &c4, f->err, sizeof(f->err)) != 0 ||
	    scrub_xdp_object_counters(f->x, OBJ6, &c6, f->err, sizeof(f->err)) != 0)
		ok4 = ok6 = 0;
out:
	(void)scrub_xdp_detach(f->x, "yss0", f->err, sizeof(f->err));
	assert_int_equal(setns(self, CLONE_NEWNET), 0);
	close(self);
	snprintf(cmd, sizeof(cmd), "ip netns del %s; ip netns del %s", ns_c, ns_s);
	assert_int_equal(system(cmd), 0);
	if (no_synproxy) {
		print_message("[  SKIP    ] nftables synproxy unavailable in this kernel\n");
		skip();
	}
	assert_true(once);		/* reloading replaced the rules */
	assert_true(ok4);
	assert_true(ok6);
	/* each SYN was answered by XDP (a retransmitted SYN would be answered again) */
	assert_true(c4.syncookie_pkts >= 1);
	assert_true(c6.syncookie_pkts >= 1);
}

/*
 * Every truncation of valid frames: once the destination is readable, a
 * protected one gets a drop; before that (no destination) and for
 * unprotected destinations, pass. Never an error, never a crash.
 */
static void
test_truncations(void **state)
{
	struct fx *f = *state;
	struct craft_spec specs[] = {
		tcp(CLIENT, PROTECTED, 443, 0x02),
		udp(CLIENT, PROTECTED, 5000, 53),
		{ .src = CLIENT, .dst = PROTECTED, .proto = 1, .icmp_type = 8, .payload = 8 },
		tcp(CLIENT6, PROTECTED6, 443, 0x02),
		udp(CLIENT6, PROTECTED6, 5000, 53),
		{ .src = CLIENT6, .dst = PROTECTED6, .proto = 58, .icmp_type = 128 },
		{ .src = CLIENT, .dst = PROTECTED, .proto = 47, .payload = 4 },
	};
	uint8_t buf[512];
	int n = 0;

	NEED_BPF(f);
	protect(f, PROTECTED, OBJ, new_cfg(0));
	protect(f, PROTECTED6, OBJ6, new_cfg(0));
	for (size_t i = 0; i < sizeof(specs) / sizeof(specs[0]); i++) {
		for (int vlans = 0; vlans <= 2; vlans++) {
			for (int variant = 0; variant < 3; variant++) {
				struct craft_spec s = specs[i];
				int v6 = strchr(s.dst, ':') != NULL;
				size_t l3, len, dst_end;

				s.vlans = vlans;
				if (variant == 1)
					s.ip_opt_words = v6 ? 0 : 3;
				if (variant == 1 && v6)
					s.v6_ext = 2;
				if (variant == 2)
					s.frag = CRAFT_FRAG_FIRST;
				len = craft_frame(&s, buf, sizeof(buf), &l3, NULL);
				assert_true(len > 0);
				assert_int_equal(run_frame(f, buf, len), XDP_PASS);
				dst_end = l3 + (v6 ? 40 : 20);
				for (size_t cut = 14; cut < len; cut++) {
					int want = cut >= dst_end ? XDP_DROP : XDP_PASS;

					if (run_frame(f, buf, cut) != want)
						fail_msg("spec %zu vlans %d variant %d: %zu of %zu "
						    "bytes: got %s", i, vlans, variant, cut, len,
						    want == XDP_DROP ? "pass" : "drop");
					n++;
				}
			}
		}
	}
	/* the same frames to an unprotected destination always pass */
	for (size_t i = 0; i < sizeof(specs) / sizeof(specs[0]); i++) {
		struct craft_spec s = specs[i];
		size_t len;

		s.dst = strchr(s.dst, ':') ? "2001:db8::99" : OTHER;
		len = craft_frame(&s, buf, sizeof(buf), NULL, NULL);
		for (size_t cut = 14; cut <= len; cut++)
			assert_int_equal(run_frame(f, buf, cut), XDP_PASS);
	}
	assert_true(n > 1000);
}

/* Valid lengths, lying fields: each one a malformed drop. */
static void
test_corrupt_fields(void **state)
{
	struct fx *f = *state;
	struct scrub_counters c;
	uint8_t buf[512], copy[512];
	size_t l3, l4, len;
	int drops = 0;

	NEED_BPF(f);
	protect(f, PROTECTED, OBJ, new_cfg(0));
	protect(f, PROTECTED6, OBJ6, new_cfg(0));
	{
		struct craft_spec s = tcp(CLIENT, PROTECTED, 80, 0x10);
		struct { size_t off; uint8_t val; } edits[] = {
			{ 0, 0x44 },	/* ihl 4 */
			{ 0, 0x55 },	/* version 5 */
			{ 0, 0x4f },	/* ihl 15: beyond total length */
			{ 2, 0xff },	/* total length beyond the frame */
			{ 3, 0x10 },	/* total length (high byte 0) < header */
		};

		len = craft_frame(&s, buf, sizeof(buf), &l3, &l4);
		for (size_t i = 0; i < sizeof(edits) / sizeof(edits[0]); i++) {
			memcpy(copy, buf, len);
			if (edits[i].off == 3)
				copy[l3 + 2] = 0;
			copy[l3 + edits[i].off] = edits[i].val;
			assert_int_equal(run_frame(f, copy, len), XDP_DROP);
			drops++;
		}
		memcpy(copy, buf, len);
		copy[l4 + 12] = 0x40;	/* TCP data offset 4 */
		assert_int_equal(run_frame(f, copy, len), XDP_DROP);
		copy[l4 + 12] = 0xf0;	/* data offset 15: past the segment */
		assert_int_equal(run_frame(f, copy, len), XDP_DROP);
		drops += 2;
	}
	{
		struct craft_spec s = udp(CLIENT, PROTECTED, 5000, 53);

		len = craft_frame(&s, buf, sizeof(buf), &l3, &l4);
		memcpy(copy, buf, len);
		copy[l4 + 4] = 0;
		copy[l4 + 5] = 7;	/* UDP length 7 */
		assert_int_equal(run_frame(f, copy, len), XDP_DROP);
		copy[l4 + 4] = 0x10;	/* UDP length past the datagram */
		assert_int_equal(run_frame(f, copy, len), XDP_DROP);
		drops += 2;
	}
	{
		struct craft_spec s = udp(CLIENT6, PROTECTED6, 5000, 53);

		s.v6_ext = 7;		/* more extension headers than walked */
		len = craft_frame(&s, buf, sizeof(buf), &l3, &l4);
		assert_int_equal(run_frame(f, buf, len), XDP_DROP);
		s.v6_ext = 6;		/* the limit itself is fine */
		len = craft_frame(&s, buf, sizeof(buf), &l3, &l4);
		assert_int_equal(run_frame(f, buf, len), XDP_PASS);
		memcpy(copy, buf, len);
		copy[l3 + 4] = copy[l3 + 5] = 0;	/* payload length 0 (jumbo) */
		assert_int_equal(run_frame(f, copy, len), XDP_DROP);
		memcpy(copy, buf, len);
		copy[l3 + 41] = 200;	/* extension header longer than the payload */
		assert_int_equal(run_frame(f, copy, len), XDP_DROP);
		memcpy(copy, buf, len);
		copy[l3] = 0x40;	/* version 4 in an IPv6 frame */
		assert_int_equal(run_frame(f, copy, len), XDP_DROP);
		drops += 4;
	}
	assert_int_equal(scrub_xdp_global_counters(f->x, &c, f->err, sizeof(f->err)), 0);
	assert_int_equal(c.drop_pkts[SCRUB_DROP_MALFORMED], drops);
	assert_int_equal(c.rx_pkts[SCRUB_VEC_MALFORMED], drops);
}

static void
test_vlan_and_v6_ext(void **state)
{
	struct fx *f = *state;
	struct scrub_obj_cfg *cfg = new_cfg(SCRUB_MIT_TCP_PORTS);
	struct craft_spec s = tcp(CLIENT, PROTECTED, 22, 0x02);
	struct craft_spec s6 = tcp(CLIENT6, PROTECTED6, 22, 0x02);

	NEED_BPF(f);
	assert_int_equal(scrub_xdp_cfg_port(cfg, 6, 443, 443, f->err, sizeof(f->err)), 0);
	protect(f, PROTECTED, OBJ, cfg);
	cfg->obj_id = OBJ6;
	protect(f, PROTECTED6, OBJ6, cfg);
	for (int vlans = 0; vlans <= 2; vlans++) {
		for (int ext = 0; ext <= 6; ext += 3) {
			s.vlans = s6.vlans = vlans;
			s.ip_opt_words = ext;
			s6.v6_ext = ext;
			s.dport = s6.dport = 22;
			assert_int_equal(run(f, &s), XDP_DROP);
			assert_int_equal(run(f, &s6), XDP_DROP);
			s.dport = s6.dport = 443;
			assert_int_equal(run(f, &s), XDP_PASS);
			assert_int_equal(run(f, &s6), XDP_PASS);
		}
	}
	/* a blocked source behind QinQ is found */
	list_add(f, 1, CLIENT6, 0);
	s6.vlans = 2;
	assert_int_equal(run(f, &s6), XDP_DROP);
}

static void
test_counters_exact(void **state)
{
	struct fx *f = *state;
	struct scrub_obj_cfg *cfg = new_cfg(SCRUB_MIT_UDP_PORTS | SCRUB_MIT_TCP_FLAGS);
	struct scrub_counters c, g;
	struct craft_spec s;
	uint8_t arp[60] = { 0 };
	uint64_t passed_bytes, dropped_bytes, len_udp, len_tcp;

	NEED_BPF(f);
	assert_int_equal(scrub_xdp_cfg_port(cfg, 17, 53, 53, f->err, sizeof(f->err)), 0);
	protect(f, PROTECTED, OBJ, cfg);
	s = udp(CLIENT, PROTECTED, 5000, 53);	/* 14 + 20 + 8 + 32 = 74 bytes */
	len_udp = 74;
	for (int i = 0; i < 3; i++)
		assert_int_equal(run(f, &s), XDP_PASS);
	s.dport = 54;
	for (int i = 0; i < 2; i++)
		assert_int_equal(run(f, &s), XDP_DROP);
	s = tcp(CLIENT, PROTECTED, 80, 0x03);	/* 54 bytes */
	len_tcp = 54;
	assert_int_equal(run(f, &s), XDP_DROP);
	s.tcp_flags = 0x02;
	assert_int_equal(run(f, &s), XDP_PASS);
	s.dst = OTHER;
	assert_int_equal(run(f, &s), XDP_PASS);
	arp[12] = 0x08;
	arp[13] = 0x06;
	assert_int_equal(run_frame(f, arp, sizeof(arp)), XDP_PASS);
	assert_int_equal(run_frame(f, arp, 20), XDP_PASS);

	assert_int_equal(scrub_xdp_object_counters(f->x, OBJ, &c, f->err, sizeof(f->err)), 0);
	assert_int_equal(c.rx_pkts[SCRUB_VEC_UDP], 5);
	assert_int_equal(c.rx_bytes[SCRUB_VEC_UDP], 5 * len_udp);
	assert_int_equal(c.rx_pkts[SCRUB_VEC_TCP], 0);
	assert_int_equal(c.rx_pkts[SCRUB_VEC_TCP_SYN], 2);	/* SYN+FIN counts as a SYN */
	passed_bytes = 3 * len_udp + len_tcp;
	dropped_bytes = 2 * len_udp;
	assert_int_equal(c.pass_pkts, 4);
	assert_int_equal(c.pass_bytes, passed_bytes);
	assert_int_equal(c.drop_pkts[SCRUB_DROP_UDP_PORT], 2);
	assert_int_equal(c.drop_bytes[SCRUB_DROP_UDP_PORT], dropped_bytes);
	assert_int_equal(c.drop_pkts[SCRUB_DROP_TCP_FLAGS], 1);
	assert_int_equal(c.drop_bytes[SCRUB_DROP_TCP_FLAGS], len_tcp);
	assert_int_equal(c.allow_pkts, 0);
	assert_int_equal(scrub_xdp_global_counters(f->x, &g, f->err, sizeof(f->err)), 0);
	assert_int_equal(g.rx_pkts[SCRUB_VEC_TCP_SYN], 3);
	assert_int_equal(g.pass_pkts, 7);	/* 4 + unprotected + 2 non-IP */
	assert_int_equal(g.non_ip_pkts, 2);
	assert_int_equal(g.unknown_dst_pkts, 0);
	/* another object's counters are untouched; reset zeroes ours */
	assert_int_equal(scrub_xdp_object_counters(f->x, OBJ6, &c, f->err, sizeof(f->err)), 0);
	assert_int_equal(c.rx_pkts[SCRUB_VEC_UDP], 0);
	assert_int_equal(scrub_xdp_counters_reset(f->x, OBJ, f->err, sizeof(f->err)), 0);
	assert_int_equal(scrub_xdp_object_counters(f->x, OBJ, &c, f->err, sizeof(f->err)), 0);
	assert_int_equal(c.pass_pkts, 0);
	/* the IPv4 header cut short: destination unknown, passed, counted */
	s.dst = PROTECTED;
	{
		uint8_t buf[128];
		size_t len = craft_frame(&s, buf, sizeof(buf), NULL, NULL);

		assert_int_equal(run_frame(f, buf, len - 25), XDP_PASS);
	}
	assert_int_equal(scrub_xdp_global_counters(f->x, &g, f->err, sizeof(f->err)), 0);
	assert_int_equal(g.unknown_dst_pkts, 1);
}

struct got_samples {
	struct scrub_sample s[16];
	int n, stop_after;
};

static int
collect(void *ctx, const struct scrub_sample *s)
{
	struct got_samples *g = ctx;

	if (g->n < 16)
		g->s[g->n++] = *s;
	return g->stop_after && g->n >= g->stop_after;
}

static void
test_samples(void **state)
{
	struct fx *f = *state;
	struct scrub_obj_cfg *cfg = new_cfg(SCRUB_MIT_UDP_PORTS);
	struct got_samples g = { .n = 0 };
	struct scrub_addr src;
	struct craft_spec s;
	char text[64];

	NEED_BPF(f);
	assert_int_equal(scrub_xdp_cfg_port(cfg, 17, 53, 53, f->err, sizeof(f->err)), 0);
	protect(f, PROTECTED, OBJ, cfg);
	assert_int_equal(scrub_xdp_set_sampling(f->x, 3, f->err, sizeof(f->err)), -1);
	assert_non_null(strstr(f->err, "power of two"));
	/* off by default */
	s = udp(CLIENT, PROTECTED, 5000, 53);
	assert_int_equal(run(f, &s), XDP_PASS);
	assert_int_equal(scrub_xdp_poll_samples(f->x, 0, collect, &g, f->err, sizeof(f->err)), 0);
	assert_int_equal(scrub_xdp_set_sampling(f->x, 1, f->err, sizeof(f->err)), 0);
	assert_true(scrub_xdp_samples_fd(f->x, f->err, sizeof(f->err)) >= 0);
	assert_int_equal(run(f, &s), XDP_PASS);
	s.dport = 4444;
	assert_int_equal(run(f, &s), XDP_DROP);
	s.dst = OTHER;				/* unprotected: never sampled */
	assert_int_equal(run(f, &s), XDP_PASS);
	assert_int_equal(scrub_xdp_poll_samples(f->x, 100, collect, &g, f->err, sizeof(f->err)), 2);
	assert_int_equal(g.n, 2);
	scrub_xdp_format_addr(&g.s[0].src, text, sizeof(text));
	assert_string_equal(text, CLIENT);
	assert_int_equal(g.s[0].obj_id, OBJ);
	assert_int_equal(g.s[0].dport, 53);
	assert_int_equal(g.s[0].sport, 5000);
	assert_int_equal(g.s[0].proto, 17);
	assert_int_equal(g.s[0].dropped, 0);
	assert_int_equal(g.s[0].len, 74);
	assert_int_equal(g.s[1].dport, 4444);
	assert_int_equal(g.s[1].dropped, 1);
	assert_int_equal(g.s[1].reason, SCRUB_DROP_UDP_PORT);
	assert_int_equal(g.s[1].vector, SCRUB_VEC_UDP);
	/*
	 * 1 in 4 per (object, vector), the per-vector count as sequence: 3 UDP
	 * packets so far, the next 10 have sequence 3..12: samples at 4, 8, 12
	 */
	assert_int_equal(scrub_xdp_set_sampling(f->x, 4, f->err, sizeof(f->err)), 0);
	s.dst = PROTECTED;
	for (int i = 0; i < 10; i++) {
		snprintf(text, sizeof(text), "203.0.113.%d", i + 1);
		s.src = text;
		assert_int_equal(run(f, &s), XDP_DROP);
	}
	g.n = 0;
	g.stop_after = 2;			/* the callback may stop the poll */
	assert_int_equal(scrub_xdp_poll_samples(f->x, 0, collect, &g, f->err, sizeof(f->err)), 2);
	g.stop_after = 0;
	assert_int_equal(scrub_xdp_poll_samples(f->x, 0, collect, &g, f->err, sizeof(f->err)), 1);
	assert_int_equal(g.n, 3);
	assert_int_equal(scrub_xdp_parse_addr("203.0.113.2", &src, f->err, sizeof(f->err)), 0);
	assert_memory_equal(&g.s[0].src, &src, sizeof(src));	/* sequence 4 */
	assert_int_equal(scrub_xdp_parse_addr("203.0.113.10", &src, f->err, sizeof(f->err)), 0);
	assert_memory_equal(&g.s[2].src, &src, sizeof(src));	/* sequence 12 */
	assert_int_equal(scrub_xdp_set_sampling(f->x, 0, f->err, sizeof(f->err)), 0);
	for (int i = 0; i < 4; i++)
		assert_int_equal(run(f, &s), XDP_DROP);
	assert_int_equal(scrub_xdp_poll_samples(f->x, 0, collect, &g, f->err, sizeof(f->err)), 0);
}

static void
test_synproxy_ruleset(void **state)
{
	struct fx *f = *state;
	const uint16_t ports[] = { 443, 80 }, zero[] = { 0 };
	uint16_t many[65];
	char buf[2048], small[64];

	(void)f;
	assert_int_equal(scrub_xdp_synproxy_ruleset("eth0", ports, 2, buf, sizeof(buf), f->err,
	    sizeof(f->err)), 0);
	assert_non_null(strstr(buf, "flush table inet yunshou_synproxy\n"));
	assert_non_null(strstr(buf, "iifname \"eth0\" tcp dport { 443, 80 } tcp flags syn notrack"));
	assert_non_null(strstr(buf, "tcp dport { 443, 80 } ct state invalid,untracked synproxy"));
	assert_non_null(strstr(buf, "tcp dport { 443, 80 } ct state invalid drop"));
	assert_int_equal(scrub_xdp_synproxy_ruleset("eth0\" accept; #", ports, 2, buf,
	    sizeof(buf), f->err, sizeof(f->err)), -1);
	assert_non_null(strstr(f->err, "interface name"));
	assert_int_equal(scrub_xdp_synproxy_ruleset("", ports, 2, buf, sizeof(buf), f->err,
	    sizeof(f->err)), -1);
	assert_int_equal(scrub_xdp_synproxy_ruleset("a-very-long-ifname", ports, 2, buf,
	    sizeof(buf), f->err, sizeof(f->err)), -1);
	assert_int_equal(scrub_xdp_synproxy_ruleset("eth0", zero, 1, buf, sizeof(buf), f->err,
	    sizeof(f->err)), -1);
	assert_int_equal(scrub_xdp_synproxy_ruleset("eth0", ports, 0, buf, sizeof(buf), f->err,
	    sizeof(f->err)), -1);
	for (size_t i = 0; i < 65; i++)
		many[i] = (uint16_t)(60000 + i);
	assert_int_equal(scrub_xdp_synproxy_ruleset("eth0", many, 65, buf, sizeof(buf), f->err,
	    sizeof(f->err)), -1);
	assert_int_equal(scrub_xdp_synproxy_ruleset("eth0", many, 64, buf, sizeof(buf), f->err,
	    sizeof(f->err)), 0);
	assert_int_equal(scrub_xdp_synproxy_ruleset("eth0", ports, 2, small, sizeof(small),
	    f->err, sizeof(f->err)), -1);
	assert_non_null(strstr(f->err, "bytes of buffer"));
}

static void
test_api_errors(void **state)
{
	struct fx *f = *state;
	struct scrub_prefix p;
	struct scrub_addr a;
	struct scrub_obj_cfg *cfg = new_cfg(0);
	char buf[64];
	static const char *bad[] = {
		"", "1.2.3", "1.2.3.4/33", "1.2.3.4/", "1.2.3.4/-1", "1.2.3.4/ 8",
		"10.0.0.1/8", "2001:db8::1/129", "2001:db8::1/32", "example.com",
		"1.2.3.4/8x", "::ffff:1.2.3.4/200",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		f->err[0] = '\0';
		assert_int_equal(scrub_xdp_parse_prefix(bad[i], &p, f->err, sizeof(f->err)), -1);
		assert_true(f->err[0] != '\0');
	}
	assert_int_equal(scrub_xdp_parse_prefix("10.0.0.0/8", &p, f->err, sizeof(f->err)), 0);
	assert_int_equal(p.len, 104);
	assert_int_equal(scrub_xdp_parse_prefix("2001:db8::/32", &p, f->err, sizeof(f->err)), 0);
	assert_int_equal(p.len, 32);
	assert_int_equal(scrub_xdp_parse_prefix("0.0.0.0/0", &p, f->err, sizeof(f->err)), 0);
	assert_int_equal(p.len, 96);
	assert_int_equal(scrub_xdp_parse_addr("192.0.2.1", &a, f->err, sizeof(f->err)), 0);
	scrub_xdp_format_addr(&a, buf, sizeof(buf));
	assert_string_equal(buf, "192.0.2.1");
	assert_int_equal(scrub_xdp_parse_addr("2001:db8::1", &a, f->err, sizeof(f->err)), 0);
	scrub_xdp_format_addr(&a, buf, sizeof(buf));
	assert_string_equal(buf, "2001:db8::1");
	assert_int_equal(scrub_xdp_cfg_port(cfg, 1, 1, 2, f->err, sizeof(f->err)), -1);
	assert_int_equal(scrub_xdp_cfg_port(cfg, 6, 9, 2, f->err, sizeof(f->err)), -1);
	assert_string_equal(scrub_xdp_reason_name(SCRUB_DROP_REFLECTION), "reflection");
	assert_string_equal(scrub_xdp_vector_name(SCRUB_VEC_TCP_SYN), "tcp_syn");
	assert_string_equal(scrub_xdp_mitigation_name(SCRUB_MIT_SYN), "syn");
	assert_string_equal(scrub_xdp_reason_name(99), "unknown");
	NEED_BPF(f);
	cfg->obj_id = SCRUB_MAX_OBJECTS;
	assert_int_equal(scrub_xdp_object_set(f->x, &a, cfg, f->err, sizeof(f->err)), -1);
	assert_non_null(strstr(f->err, "out of range"));
	cfg->obj_id = 1;
	cfg->mitigations = 1u << 30;
	assert_int_equal(scrub_xdp_object_set(f->x, &a, cfg, f->err, sizeof(f->err)), -1);
	assert_non_null(strstr(f->err, "unknown mitigation"));
	assert_int_equal(scrub_xdp_object_del(f->x, &a, f->err, sizeof(f->err)), -1);
	assert_int_equal(scrub_xdp_attach(f->x, "ys-no-such-if", SCRUB_XDP_AUTO, NULL, f->err,
	    sizeof(f->err)), -1);
	assert_non_null(strstr(f->err, "no interface"));
	assert_int_equal(scrub_xdp_detach(f->x, "lo", f->err, sizeof(f->err)), -1);
}

/* Attach and detach on a veth pair, in a network namespace of this process. */
static void
test_attach_veth(void **state)
{
	struct fx *f = *state;
	enum scrub_xdp_mode got = SCRUB_XDP_AUTO;
	struct scrub_xdp *other;

	NEED_BPF(f);
	if (unshare(CLONE_NEWNET) != 0) {
		print_message("[  SKIP    ] unshare(CLONE_NEWNET): %s\n", strerror(errno));
		skip();
	}
	assert_int_equal(system("ip link add ysx0 type veth peer name ysx1 && "
	    "ip link set ysx0 up && ip link set ysx1 up"), 0);
	assert_int_equal(scrub_xdp_attach(f->x, "ysx0", SCRUB_XDP_AUTO, &got, f->err,
	    sizeof(f->err)), 0);
	assert_int_equal(got, SCRUB_XDP_NATIVE);	/* veth has native XDP */
	assert_int_equal(scrub_xdp_attach(f->x, "ysx1", SCRUB_XDP_GENERIC, &got, f->err,
	    sizeof(f->err)), 0);
	assert_int_equal(got, SCRUB_XDP_GENERIC);
	assert_int_equal(system("ip link show ysx0 | grep -q 'xdp ' && "
	    "ip link show ysx1 | grep -q xdpgeneric"), 0);
	/* re-attaching our own program replaces it */
	assert_int_equal(scrub_xdp_attach(f->x, "ysx0", SCRUB_XDP_GENERIC, &got, f->err,
	    sizeof(f->err)), 0);
	/* another program may not take the interface */
	other = scrub_xdp_open(f->err, sizeof(f->err));
	assert_non_null(other);
	assert_int_equal(scrub_xdp_attach(other, "ysx1", SCRUB_XDP_GENERIC, NULL, f->err,
	    sizeof(f->err)), -1);
	assert_non_null(strstr(f->err, "another XDP program"));
	scrub_xdp_close(other);
	assert_int_equal(scrub_xdp_detach(f->x, "ysx1", f->err, sizeof(f->err)), 0);
	assert_int_equal(system("ip link show ysx1 | grep -q xdp"), 256);
	/* close detaches what is left */
	scrub_xdp_close(f->x);
	f->x = NULL;
	assert_int_equal(system("ip link show ysx0 | grep -q xdp"), 256);
	assert_int_equal(system("ip link del ysx0"), 0);
}

static void
test_drop_caps(void **state)
{
	struct fx *f = *state;
	pid_t pid;
	int status;

	NEED_BPF(f);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		char err[256], line[256];
		unsigned long long eff = 0, bnd = 0;
		FILE *st;

		if (scrub_xdp_drop_caps(err, sizeof(err)) != 0) {
			fprintf(stderr, "%s\n", err);
			_exit(2);
		}
		st = fopen("/proc/self/status", "r");
		while (st && fgets(line, sizeof(line), st)) {
			sscanf(line, "CapEff: %llx", &eff);
			sscanf(line, "CapBnd: %llx", &bnd);
		}
		if (st)
			fclose(st);
		_exit(eff == ((1ull << 39) | (1ull << 12)) && bnd == eff ? 0 : 3);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_unprotected_passes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_allow_beats_block, setup, teardown),
		cmocka_unit_test_setup_teardown(test_block_expiry, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fragments, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tcp_flags, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ports, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reflection_ports, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rate_pps, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rate_bps, setup, teardown),
		cmocka_unit_test_setup_teardown(test_icmp_rate, setup, teardown),
		cmocka_unit_test_setup_teardown(test_syn_limits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_syncookie, setup, teardown),
		cmocka_unit_test_setup_teardown(test_syncookie_handshake, setup, teardown),
		cmocka_unit_test_setup_teardown(test_truncations, setup, teardown),
		cmocka_unit_test_setup_teardown(test_corrupt_fields, setup, teardown),
		cmocka_unit_test_setup_teardown(test_vlan_and_v6_ext, setup, teardown),
		cmocka_unit_test_setup_teardown(test_counters_exact, setup, teardown),
		cmocka_unit_test_setup_teardown(test_samples, setup, teardown),
		cmocka_unit_test_setup_teardown(test_synproxy_ruleset, setup, teardown),
		cmocka_unit_test_setup_teardown(test_api_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_drop_caps, setup, teardown),
		/* last: it moves this process into a network namespace of its own */
		cmocka_unit_test_setup_teardown(test_attach_veth, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
