/*
 * fuzz_xdp_frame: libFuzzer harness for the scrubber's XDP frame parser,
 * run in the kernel with BPF_PROG_RUN. Each input is a frame; once its
 * destination address can be read, the harness rewrites it to a protected
 * object: 192.0.2.10 / 2001:db8::10 with no mitigation on, or (last input
 * byte odd) 192.0.2.11 / 2001:db8::11 answering SYNs with SYN cookies. A second,
 * independent parser written here from the rules in docs/DDOS.md decides what
 * the verdict must be: drop when malformed, XDP_TX for a plain SYN (no IPv4
 * options, no IPv6 extension header, not a fragment) to the cookie object (and then a SYN-ACK of the right length), pass otherwise; any
 * difference aborts. Needs root or CAP_BPF: without it every
 * input is skipped (with one message), so unprivileged fuzz runs still pass.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>

#include "xdp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct scrub_xdp *x;
static int unavailable;

static unsigned
be16(const uint8_t *p)
{
	return (unsigned)p[0] << 8 | p[1];
}

static const uint8_t prot4[4] = { 192, 0, 2, 10 };
static const uint8_t cookie4[4] = { 192, 0, 2, 11 };
static int use_cookie;		/* this input goes to the SYN-cookie object */
static int ref_syn_ok;		/* the reference saw a plain SYN */
static size_t ref_l4_off;
static const uint8_t prot6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 0x10 };
static const uint8_t cookie6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 0x11 };

enum ref { REF_UNKNOWN, REF_OK, REF_MALFORMED };

/* L4 header of `proto` at off; l4len bytes of it belong to the datagram. */
static enum ref
ref_l4(const uint8_t *f, size_t len, size_t off, unsigned proto, size_t l4len)
{
	size_t avail = len - off;

	if (proto == 6) {
		size_t doff;

		if (avail < 20 || l4len < 20)
			return REF_MALFORMED;
		doff = (size_t)(f[off + 12] >> 4) * 4;
		if (doff < 20 || doff > l4len)
			return REF_MALFORMED;
		ref_syn_ok = (f[off + 13] & 0x17) == 0x02;	/* SYN without ACK, RST, FIN */
		ref_l4_off = off;
		return REF_OK;
	}
	if (proto == 17) {
		size_t ulen;

		if (avail < 8 || l4len < 8)
			return REF_MALFORMED;
		ulen = be16(f + off + 4);
		return ulen < 8 || ulen > l4len ? REF_MALFORMED : REF_OK;
	}
	if (proto == 1 || proto == 58)
		return avail < 4 || l4len < 4 ? REF_MALFORMED : REF_OK;
	return REF_OK;
}

/* Classifies f and rewrites its destination to a protected object. */
static enum ref
ref_classify(uint8_t *f, size_t len)
{
	unsigned proto = be16(f + 12);
	size_t off = 14;

	for (int i = 0; i < 2 && (proto == 0x8100 || proto == 0x88a8); i++) {
		if (off + 4 > len)
			return REF_UNKNOWN;
		proto = be16(f + off + 2);
		off += 4;
	}
	if (proto == 0x0800) {
		size_t ihl, tot;

		enum ref r;

		if (off + 20 > len)
			return REF_UNKNOWN;
		memcpy(f + off + 16, use_cookie ? cookie4 : prot4, 4);
		ihl = (size_t)(f[off] & 0x0f) * 4;
		tot = be16(f + off + 2);
		if ((f[off] >> 4) != 4 || ihl < 20 || tot < ihl || tot > len - off)
			return REF_MALFORMED;
		if (be16(f + off + 6) & 0x1fff)
			return REF_OK;		/* later fragment: no L4 header */
		r = ref_l4(f, len, off + ihl, f[off + 9], tot - ihl);
		/* the cookie needs a plain header: no options, not a fragment */
		if (ihl != 20 || (be16(f + off + 6) & 0x2000))
			ref_syn_ok = 0;
		return r;
	}
	if (proto == 0x86dd) {
		size_t left, cur;
		unsigned nh;
		enum ref r6;

		if (off + 40 > len)
			return REF_UNKNOWN;
		memcpy(f + off + 24, use_cookie ? cookie6 : prot6, 16);
		left = be16(f + off + 4);
		if ((f[off] >> 4) != 6 || left == 0 || left > len - off - 40)
			return REF_MALFORMED;
		nh = f[off + 6];
		cur = off + 40;
		for (int i = 0; i < 6; i++) {
			size_t hlen;

			if (nh != 0 && nh != 43 && nh != 60 && nh != 44 && nh != 51)
				break;
			if (cur + 8 > len || left < 8)
				return REF_MALFORMED;
			if (nh == 44) {
				hlen = 8;
				if (be16(f + cur + 2) & 0xfff8)
					return REF_OK;
			} else if (nh == 51) {
				hlen = ((size_t)f[cur + 1] + 2) * 4;
			} else {
				hlen = ((size_t)f[cur + 1] + 1) * 8;
			}
			if (hlen > left)
				return REF_MALFORMED;
			nh = f[cur];
			left -= hlen;
			cur += hlen;
		}
		if (nh == 0 || nh == 43 || nh == 60 || nh == 44 || nh == 51)
			return REF_MALFORMED;
		if (cur > len)
			return REF_MALFORMED;
		r6 = ref_l4(f, len, cur, nh, left);
		if (cur != off + 40)
			ref_syn_ok = 0;		/* the cookie needs no extension header */
		return r6;
	}
	return REF_UNKNOWN;
}

static int
init(void)
{
	static struct scrub_obj_cfg cfg;
	struct scrub_addr a;
	char err[256];

	x = scrub_xdp_open(err, sizeof(err));
	if (x == NULL) {
		fprintf(stderr, "fuzz_xdp_frame: skipping every input: %s\n", err);
		return -1;
	}
	scrub_xdp_cfg_init(&cfg, 1);
	if (scrub_xdp_parse_addr("192.0.2.10", &a, err, sizeof(err)) != 0 ||
	    scrub_xdp_object_set(x, &a, &cfg, err, sizeof(err)) != 0)
		abort();
	cfg.obj_id = 2;
	if (scrub_xdp_parse_addr("2001:db8::10", &a, err, sizeof(err)) != 0 ||
	    scrub_xdp_object_set(x, &a, &cfg, err, sizeof(err)) != 0)
		abort();
	cfg.obj_id = 3;
	cfg.mitigations = SCRUB_MIT_SYN_COOKIE;
	if (scrub_xdp_parse_addr("192.0.2.11", &a, err, sizeof(err)) != 0 ||
	    scrub_xdp_object_set(x, &a, &cfg, err, sizeof(err)) != 0)
		abort();
	cfg.obj_id = 4;
	if (scrub_xdp_parse_addr("2001:db8::11", &a, err, sizeof(err)) != 0 ||
	    scrub_xdp_object_set(x, &a, &cfg, err, sizeof(err)) != 0)
		abort();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t frame[2048];
	enum ref want;

	if (unavailable || size < 14 || size > sizeof(frame))
		return 0;
	if (x == NULL && init() != 0) {
		unavailable = 1;
		return 0;
	}
	memcpy(frame, data, size);
	use_cookie = data[size - 1] & 1;
	ref_syn_ok = 0;
	want = ref_classify(frame, size);
	{
		uint8_t out[2048 + 64];
		LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = frame, .data_size_in = (__u32)size,
		    .data_out = out, .data_size_out = sizeof(out), .repeat = 1);
		int tx = want == REF_OK && use_cookie && ref_syn_ok;
		unsigned expect = want == REF_MALFORMED ? XDP_DROP : tx ? XDP_TX : XDP_PASS;

		if (bpf_prog_test_run_opts(scrub_xdp_prog_fd(x), &o) != 0)
			abort();
		if (o.retval != expect) {
			fprintf(stderr, "fuzz_xdp_frame: verdict %u, reference says %s%s\n",
			    o.retval, want == REF_MALFORMED ? "malformed" :
			    want == REF_OK ? "valid" : "no destination", tx ? " SYN (cookie)" : "");
			abort();
		}
		/* the SYN-ACK: headers up to TCP plus a 4-byte MSS option, flags SYN+ACK */
		if (tx && (o.data_size_out != ref_l4_off + 24 || out[ref_l4_off + 13] != 0x12))
			abort();
	}
	return 0;
}
