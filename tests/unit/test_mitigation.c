/*
 * Unit tests of mitigation against the real XDP program (loaded, run on
 * crafted frames with BPF_PROG_RUN; needs root): peacetime lets through what
 * an attack mode drops (unserved ports, a source's SYN burst, reflection),
 * the manual block and allow rules apply, a manual rate limit is on in
 * peacetime, switching off restores peacetime, a reload removes rules no
 * longer listed, and the data-plane counters map onto detector vectors.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>

#include "craft.h"
#include "mitigation.h"

#define GOOD YS_SOURCE_DIR "/tests/unit/scrub_good_policy.json"
#define WEB "203.0.113.10"	/* object shop-web: tcp 80, 443; udp 3000-3010 */
#define API "198.51.100.7"	/* object api: udp 53; ratelimit 1000 pps */
#define ATTACKER "100.64.0.1"

struct fx {
	struct scrub_xdp *x;
	struct scrub_bundle b;
	struct mitig m;
};

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	json_t *v = json_load_file(GOOD, 0, NULL);
	char err[256];

	assert_non_null(v);
	assert_int_equal(scrub_bundle_parse(v, &f->b, err, sizeof(err)), 0);
	json_decref(v);
	f->x = scrub_xdp_open(err, sizeof(err));
	if (f->x == NULL)
		fprintf(stderr, "skipping: %s\n", err);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;

	mitig_free(&f->m);
	scrub_xdp_close(f->x);
	scrub_bundle_free(&f->b);
	free(f);
	return 0;
}

static int
run(struct fx *f, struct craft_spec s)
{
	uint8_t buf[2048];
	size_t len = craft_frame(&s, buf, sizeof(buf), NULL, NULL);
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = buf, .data_size_in = (__u32)len,
	    .repeat = 1);

	assert_true(len > 0);
	assert_int_equal(bpf_prog_test_run_opts(scrub_xdp_prog_fd(f->x), &o), 0);
	return (int)o.retval;
}

static struct craft_spec
tcp(const char *src, const char *dst, uint16_t dport, uint8_t flags)
{
	return (struct craft_spec){ .src = src, .dst = dst, .proto = 6, .sport = 40000,
		.dport = dport, .tcp_flags = flags };
}

static struct craft_spec
udp(const char *src, const char *dst, uint16_t sport, uint16_t dport)
{
	return (struct craft_spec){ .src = src, .dst = dst, .proto = 17, .sport = sport,
		.dport = dport, .payload = 100 };
}

/* Index of the target protecting addr. */
static size_t
target(const struct fx *f, const char *addr)
{
	struct scrub_ipaddr a;

	assert_int_equal(scrub_ipaddr_parse(addr, &a), 0);
	for (size_t i = 0; i < f->m.n; i++)
		if (scrub_ipaddr_equal(&f->m.t[i].ip->addr, &a))
			return i;
	fail();
	return 0;
}

static void
test_attack_mode_switches(void **state)
{
	struct fx *f = *state;
	char err[256];
	size_t web;
	int passed = 0;

	if (f->x == NULL)
		skip();
	assert_int_equal(mitig_install(&f->m, f->x, &f->b, time(NULL), err, sizeof(err)), 0);
	assert_int_equal(f->m.n, 3);
	web = target(f, WEB);
	/* Peacetime: unserved port, SYN burst, reflection all pass. */
	assert_int_equal(run(f, tcp(ATTACKER, WEB, 22, 0x02)), XDP_PASS);
	for (int i = 0; i < 50; i++)
		passed += run(f, tcp(ATTACKER, WEB, 80, 0x02)) == XDP_PASS;
	assert_int_equal(passed, 50);
	assert_int_equal(run(f, udp(ATTACKER, WEB, 53, 3000)), XDP_PASS);
	/* Invalid flags are dropped even in peacetime. */
	assert_int_equal(run(f, tcp(ATTACKER, WEB, 80, 0x03)), XDP_DROP);
	/* Attack with SYN and DNS reflection vectors. */
	assert_int_equal(mitig_set_attack(&f->m, web, true,
	    (1u << DET_V_SYN) | (1u << DET_V_REFLECTION), err, sizeof(err)), 0);
	assert_true(f->m.t[web].bits & SCRUB_MIT_SYN);
	assert_true(f->m.t[web].bits & SCRUB_MIT_REFLECTION);
	assert_false(f->m.t[web].bits & SCRUB_MIT_ICMP_RATE);
	assert_int_equal(run(f, tcp(ATTACKER, WEB, 22, 0x02)), XDP_DROP);
	assert_int_equal(run(f, udp(ATTACKER, WEB, 53, 3000)), XDP_DROP);
	passed = 0;
	for (int i = 0; i < 50; i++)
		passed += run(f, tcp("100.64.0.2", WEB, 80, 0x02)) == XDP_PASS;
	assert_true(passed >= 1 && passed < 20);	/* burst of 10, 20 per second */
	/* Established traffic to a served port from another source passes. */
	assert_int_equal(run(f, tcp("100.64.0.3", WEB, 443, 0x10)), XDP_PASS);
	/* The other objects are untouched. */
	assert_int_equal(run(f, tcp("2001:db8:77::1", "2001:db8:53::10", 22, 0x02)), XDP_PASS);
	/* Off again: peacetime. */
	assert_int_equal(mitig_set_attack(&f->m, web, false, 0, err, sizeof(err)), 0);
	assert_int_equal(f->m.t[web].bits, MITIG_PEACETIME);
	assert_int_equal(run(f, tcp(ATTACKER, WEB, 22, 0x02)), XDP_PASS);
	assert_int_equal(run(f, udp(ATTACKER, WEB, 53, 3000)), XDP_PASS);
}

static void
test_manual_rules(void **state)
{
	struct fx *f = *state;
	struct scrub_bundle b2;
	json_t *v;
	char err[256];
	size_t web, api;

	if (f->x == NULL)
		skip();
	assert_int_equal(mitig_install(&f->m, f->x, &f->b, time(NULL), err, sizeof(err)), 0);
	web = target(f, WEB);
	api = target(f, API);
	/* block 192.0.2.0/24 (all destinations); allow 2001:db8:ffff::/48. */
	assert_int_equal(run(f, tcp("192.0.2.5", WEB, 80, 0x10)), XDP_DROP);
	assert_int_equal(run(f, tcp("192.0.2.5", API, 53, 0x10)), XDP_DROP);
	assert_int_equal(mitig_set_attack(&f->m, web, true, 1u << DET_V_UDP, err, sizeof(err)), 0);
	assert_int_equal(run(f, tcp("2001:db8:ffff::1", "2001:db8:53::10", 22, 0x02)), XDP_PASS);
	assert_int_equal(f->m.n_lists, 2);
	/* ratelimit object api 1000 pps per source: on in peacetime. */
	assert_true(f->m.t[api].bits & SCRUB_MIT_RATE_PPS);
	assert_int_equal(f->m.t[api].rl_pps, 1000);
	/* Reload without the block rule: 192.0.2.5 passes again. */
	v = json_load_file(GOOD, 0, NULL);
	json_array_remove(json_object_get(v, "rules"), 0);
	assert_int_equal(scrub_bundle_parse(v, &b2, err, sizeof(err)), 0);
	json_decref(v);
	assert_int_equal(mitig_install(&f->m, f->x, &b2, time(NULL), err, sizeof(err)), 0);
	assert_int_equal(f->m.n_lists, 1);
	assert_int_equal(run(f, tcp("192.0.2.5", WEB, 80, 0x10)), XDP_PASS);
	/* An expired rule is not installed. */
	b2.rules[0].expires = time(NULL) - 10;
	assert_int_equal(mitig_install(&f->m, f->x, &b2, time(NULL), err, sizeof(err)), 0);
	assert_int_equal(f->m.n_lists, 0);
	mitig_free(&f->m);
	scrub_bundle_free(&b2);
}

static void
test_counters(void **state)
{
	struct fx *f = *state;
	struct det_counters c;
	char err[256];
	size_t web;

	if (f->x == NULL)
		skip();
	assert_int_equal(mitig_install(&f->m, f->x, &f->b, time(NULL), err, sizeof(err)), 0);
	web = target(f, WEB);
	for (int i = 0; i < 7; i++)
		run(f, tcp(ATTACKER, WEB, 80, 0x02));
	for (int i = 0; i < 5; i++)
		run(f, udp(ATTACKER, WEB, 123, 3000));
	for (int i = 0; i < 3; i++)
		run(f, udp(ATTACKER, WEB, 5000, 3001));
	run(f, tcp(ATTACKER, WEB, 80, 0x03));	/* SYN+FIN */
	assert_int_equal(mitig_counters(&f->m, web, &c, err, sizeof(err)), 0);
	assert_int_equal(c.pkts, 16);
	assert_int_equal(c.vec_pkts[DET_V_SYN], 8);	/* SYN+FIN is a SYN on receive */
	assert_int_equal(c.vec_pkts[DET_V_REFLECTION], 5);
	assert_int_equal(c.vec_pkts[DET_V_UDP], 3);
	assert_int_equal(c.vec_pkts[DET_V_TCP_FLAGS], 1);
	assert_int_equal(c.dropped_pkts, 1);
	assert_true(c.bytes > 16 * 54);
}

struct sampled {
	struct fx *f;
	long hits;
	struct scrub_ipaddr last_src;
};

static int
on_sample(void *ctx, const struct scrub_sample *s)
{
	struct sampled *sp = ctx;

	if (mitig_sample(&sp->f->m, s, 4, &sp->last_src) >= 0)
		sp->hits++;
	return 0;
}

/* Packets sampled by the data plane (every one here, each standing for 4)
 * split the reflection class by source port and name their sources. */
static void
test_samples_split_reflection(void **state)
{
	struct fx *f = *state;
	struct sampled sp = { f, 0, { 0 } };
	struct det_counters c;
	char err[256], a[64];
	size_t web;

	if (f->x == NULL)
		skip();
	assert_int_equal(mitig_install(&f->m, f->x, &f->b, time(NULL), err, sizeof(err)), 0);
	assert_int_equal(scrub_xdp_set_sampling(f->x, 1, err, sizeof(err)), 0);
	web = target(f, WEB);
	for (int i = 0; i < 5; i++)
		run(f, udp(ATTACKER, WEB, 53, 3000));
	for (int i = 0; i < 3; i++)
		run(f, udp(ATTACKER, WEB, 123, 3001));
	run(f, udp(ATTACKER, WEB, 4444, 3001));
	assert_int_equal(scrub_xdp_poll_samples(f->x, 0, on_sample, &sp, err, sizeof(err)), 9);
	assert_int_equal(sp.hits, 9);
	assert_string_equal(scrub_ipaddr_str(&sp.last_src, a, sizeof(a)), ATTACKER);
	assert_int_equal(mitig_counters(&f->m, web, &c, err, sizeof(err)), 0);
	assert_int_equal(c.vec_pkts[DET_V_REFLECTION], 8);	/* exact, from the counters */
	assert_int_equal(c.vec_pkts[DET_V_DNS_REFL], 5 * 4);	/* estimates */
	assert_int_equal(c.vec_pkts[DET_V_NTP_REFL], 3 * 4);
	assert_int_equal(c.vec_pkts[DET_V_UDP], 1);
	assert_int_equal(mitig_reflection_vector(1900), DET_V_SSDP_REFL);
	assert_int_equal(mitig_reflection_vector(80), DET_V_COUNT);
}

static void
test_bits_table(void **state)
{
	char buf[128];

	(void)state;
	assert_int_equal(mitig_bits_for(0), MITIG_ATTACK_BASE);
	assert_int_equal(mitig_bits_for(1u << DET_V_ICMP), MITIG_ATTACK_BASE | SCRUB_MIT_ICMP_RATE);
	assert_int_equal(mitig_bits_for(1u << DET_V_DNS_REFL), MITIG_ATTACK_BASE |
	    SCRUB_MIT_REFLECTION);
	assert_int_equal(mitig_bits_for(1u << DET_V_FRAGMENT), MITIG_ATTACK_BASE |
	    SCRUB_MIT_FRAGMENTS);
	/* Every detector vector has a row. */
	for (int v = 0; v < DET_V_COUNT; v++) {
		bool found = false;

		for (size_t i = 0; i < mitig_n_vector_rows; i++)
			found |= mitig_vector_rows[i].vector == (enum det_vector)v;
		assert_true(found);
	}
	mitig_bits_str(SCRUB_MIT_SYN | SCRUB_MIT_REFLECTION, buf, sizeof(buf));
	assert_non_null(strchr(buf, ','));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bits_table),
		cmocka_unit_test_setup_teardown(test_attack_mode_switches, setup, teardown),
		cmocka_unit_test_setup_teardown(test_manual_rules, setup, teardown),
		cmocka_unit_test_setup_teardown(test_counters, setup, teardown),
		cmocka_unit_test_setup_teardown(test_samples_split_reflection, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
