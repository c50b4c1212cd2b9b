/*
 * Unit tests of the scrubber policy bundle: the documented example parses
 * to the expected values; each malformed member (one mutation of the good
 * bundle per row) is refused with a message naming the member; a bundle is
 * installed only when its Ed25519 signature verifies with the control
 * plane's key (unsigned, tampered, other key, other node: refused).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "bundle.h"
#include "crypto.h"

#define GOOD YS_SOURCE_DIR "/tests/unit/scrub_good_policy.json"

static json_t *
good(void)
{
	json_t *v = json_load_file(GOOD, 0, NULL);

	assert_non_null(v);
	return v;
}

static void
test_good_policy(void **state)
{
	struct scrub_bundle b;
	char err[256] = "", a[64];
	json_t *v = good();
	const struct scrub_ip *ip;
	const struct scrub_object *o;

	(void)state;
	assert_int_equal(scrub_bundle_parse(v, &b, err, sizeof(err)), 0);
	assert_string_equal(err, "");
	assert_true(b.has_scrub_v4 && b.has_scrub_v6 && b.has_dns);
	assert_string_equal(scrub_ipaddr_str(&b.scrub_v4, a, sizeof(a)), "203.0.113.10");
	assert_string_equal(b.dns.zone, "ddos-zone.example.");
	assert_string_equal(b.dns.key_name, "yunshou-ddos.");
	assert_int_equal(b.dns.port, 5353);
	assert_int_equal(b.dns.ttl, 30);
	assert_int_equal(b.dns.hold_down_s, 120);
	assert_int_equal(b.dns.timeout_ms, 2000);
	assert_int_equal(b.n_objects, 2);
	o = &b.objects[0];
	assert_string_equal(o->id, "shop-web");
	assert_int_equal(o->tenant, 12);
	assert_int_equal(o->th.pps, 50000);		/* object override */
	assert_int_equal(o->th.syn_pps, 20000);		/* bundle default */
	assert_int_equal(o->th.baseline_pct, 300);
	assert_int_equal(o->th.quiet_ms, 3000);
	assert_int_equal(b.objects[1].th.baseline_pct, 400);	/* built-in default */
	assert_int_equal(o->n_ips, 2);
	assert_true(o->ips[0].has_origin);
	assert_string_equal(scrub_ipaddr_str(&o->ips[0].origin, a, sizeof(a)), "10.0.2.10");
	assert_int_equal(o->ips[0].n_services, 3);
	assert_int_equal(o->ips[0].services[2].proto, SCRUB_PROTO_UDP);
	assert_int_equal(o->ips[0].services[2].port_lo, 3000);
	assert_int_equal(o->ips[0].services[2].port_hi, 3010);
	assert_false(o->ips[1].has_origin);
	assert_int_equal(o->ips[1].addr.family, AF_INET6);
	assert_string_equal(o->domains[0].name, "www.shop.ddos-zone.example.");
	assert_int_equal(o->domains[0].mode, SCRUB_DIVERT_ON_DEMAND);
	assert_int_equal(o->domains[0].n_origin, 2);
	assert_int_equal(b.objects[1].domains[0].mode, SCRUB_DIVERT_ALWAYS_ON);
	assert_int_equal(b.n_rules, 3);
	assert_int_equal(b.rules[0].action, SCRUB_RULE_BLOCK);
	assert_int_equal(b.rules[0].cidr.plen, 24);
	assert_int_equal(b.rules[0].expires, 1893456000);
	assert_int_equal(b.rules[1].cidr.plen, 48);
	assert_int_equal(b.rules[2].action, SCRUB_RULE_RATELIMIT);
	assert_string_equal(b.rules[2].object, "api");
	assert_int_equal(b.rules[2].pps, 1000);
	o = scrub_bundle_object_by_addr(&b, &b.objects[1].ips[0].addr, &ip);
	assert_ptr_equal(o, &b.objects[1]);
	assert_ptr_equal(ip, &b.objects[1].ips[0]);
	scrub_bundle_free(&b);
	scrub_bundle_free(&b);	/* idempotent */
	scrub_bundle_free(NULL);
	json_decref(v);
}

/* One mutation of the good policy per row: set the member at path (dot
 * separated, numbers index arrays) to value (JSON text; NULL deletes) and
 * expect an error containing want. */
struct bad_case {
	const char *path, *value, *want;
};

static const struct bad_case bad_cases[] = {
	{ "bogus", "1", "bogus" },
	{ "objects.0.colour", "\"red\"", "colour" },
	{ "objects.0.ips.0.port", "80", "objects[0].ips[0]" },
	{ "objects.0.ips.0.addr", "\"203.0.113.300\"", "objects[0].ips[0].addr" },
	{ "objects.0.ips.0.addr", "\"10.0.0.1 \"", "objects[0].ips[0].addr" },
	{ "objects.0.ips.0.addr", "\"::ffff:zz\"", "objects[0].ips[0].addr" },
	{ "objects.0.ips.0.addr", "42", "objects[0].ips[0].addr" },
	{ "objects.0.ips.0.origin", "\"2001:db8::1\"", "same family" },
	{ "objects.0.ips.1.addr", "\"203.0.113.10\"", "already protected" },
	{ "objects.1.ips.0.addr", "\"203.0.113.10\"", "already protected by object \"shop-web\"" },
	{ "objects.0.ips.0.services", "[]", "services" },
	{ "objects.0.ips.0.services.0.proto", "\"sctp\"", "services[0].proto" },
	{ "objects.0.ips.0.services.0.ports.0", "0", "services[0].ports[0]" },
	{ "objects.0.ips.0.services.0.ports.0", "65536", "services[0].ports[0]" },
	{ "objects.0.ips.0.services.0.ports.1", "\"443\"", "services[0].ports[1]" },
	{ "objects.0.ips.0.services.1.ports.0", "\"3010-3000\"", "services[1].ports[0]" },
	{ "objects.0.ips.0.services.1.ports.0", "\"-5\"", "services[1].ports[0]" },
	{ "objects.0.ips.0.services.1.ports.0", "\"1-2-3\"", "services[1].ports[0]" },
	{ "objects.0.ips.0.services.1.ports.0", "1.5", "services[1].ports[0]" },
	{ "objects.0.domains.0.mode", "\"sometimes\"", "domains[0].mode" },
	{ "objects.0.domains.0.name", "\"www.other.example.\"", "not inside the protection zone" },
	{ "objects.0.domains.0.name", "\"ddos-zone.example.\"", "not inside" },
	{ "objects.0.domains.0.name", "\"bad..name.ddos-zone.example\"", "domains[0].name" },
	{ "objects.0.domains.0.name", "\"-x.ddos-zone.example\"", "domains[0].name" },
	{ "objects.0.domains.0.name", "\"a b.ddos-zone.example\"", "domains[0].name" },
	{ "objects.0.domains.0.origin", "[]", "domains[0].origin" },
	{ "objects.0.domains.0.origin.0", "\"10.0.2\"", "domains[0].origin[0]" },
	{ "objects.0.id", "\"a b\"", "objects[0].id" },
	{ "objects.1.id", "\"shop-web\"", "used twice" },
	{ "objects.0.tenant", "0", "objects[0].tenant" },
	{ "objects.0.tenant", NULL, "tenant" },
	{ "objects.0.tier_mbps", "\"fast\"", "tier_mbps" },
	{ "objects.0.thresholds.baseline_pct", "50", "objects[0].thresholds.baseline_pct" },
	{ "objects.0.thresholds.pps", "-1", "objects[0].thresholds.pps" },
	{ "thresholds.consecutive", "0", "thresholds.consecutive" },
	{ "thresholds.quiet_ms", "10", "thresholds.quiet_ms" },
	{ "scrubbing", "[]", "scrubbing" },
	{ "scrubbing.0", "\"scrubber.example\"", "scrubbing[0]" },
	{ "scrubbing.1", "\"203.0.113.11\"", "one address per family" },
	{ "dns.server", "\"dns.example\"", "dns.server" },
	{ "dns.zone", "\"bad zone\"", "dns.zone" },
	{ "dns.tsig_secret", "\"c2VjcmV0c2VjcmV0\"", "dns.tsig_secret" },
	{ "dns.tsig_secret", "\"env:\"", "dns.tsig_secret" },
	{ "dns.port", "0", "dns.port" },
	{ "dns.ttl", "0", "dns.ttl" },
	{ "dns.algorithm", "\"md5\"", "algorithm" },
	{ "dns", NULL, "need the bundle's \"dns\"" },
	{ "rules.0.action", "\"drop\"", "rules[0].action" },
	{ "rules.0.cidr", "\"192.0.2.1/24\"", "host bits" },
	{ "rules.0.cidr", "\"192.0.2.0/33\"", "rules[0].cidr" },
	{ "rules.0.cidr", "\"192.0.2.0/\"", "rules[0].cidr" },
	{ "rules.0.cidr", "\"192.0.2.0/08\"", "rules[0].cidr" },
	{ "rules.0.cidr", "\"192.0.2.0/+8\"", "rules[0].cidr" },
	{ "rules.0.cidr", "\"2001:db8::/129\"", "rules[0].cidr" },
	{ "rules.0.cidr", "\"/8\"", "rules[0].cidr" },
	{ "rules.0.cidr", NULL, "rules[0].cidr: required" },
	{ "rules.0.pps", "5", "only apply to ratelimit" },
	{ "rules.0.expires", "-1", "rules[0].expires" },
	{ "rules.2.object", "\"nope\"", "no protected object" },
	{ "rules.2.object", NULL, "rules[2].object" },
	{ "rules.2.pps", NULL, "needs pps or bps" },
	{ "rules.2.cidr", "\"10.0.0.0/8\"", "not used by ratelimit" },
	{ "objects", "{}", "objects" },
};

static void
mutate(json_t *root, const char *path, const char *value)
{
	char buf[128], *save = NULL, *tok, *next;
	json_t *cur = root, *v = value ? json_loads(value, JSON_DECODE_ANY, NULL) : NULL;

	snprintf(buf, sizeof(buf), "%s", path);
	tok = strtok_r(buf, ".", &save);
	while ((next = strtok_r(NULL, ".", &save)) != NULL) {
		cur = json_is_array(cur) ? json_array_get(cur, strtoul(tok, NULL, 10))
		    : json_object_get(cur, tok);
		assert_non_null(cur);
		tok = next;
	}
	if (json_is_array(cur)) {
		size_t i = strtoul(tok, NULL, 10);

		assert_non_null(v);
		if (i < json_array_size(cur))
			json_array_set_new(cur, i, v);
		else
			json_array_append_new(cur, v);
	} else if (v == NULL) {
		assert_int_equal(json_object_del(cur, tok), 0);
	} else {
		json_object_set_new(cur, tok, v);
	}
}

static void
test_bad_members_rejected(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		const struct bad_case *c = &bad_cases[i];
		struct scrub_bundle b;
		char err[256] = "";
		json_t *v = good();

		mutate(v, c->path, c->value);
		if (scrub_bundle_parse(v, &b, err, sizeof(err)) == 0 || strstr(err, c->want) == NULL) {
			fprintf(stderr, "case %zu %s=%s: error \"%s\", want \"%s\"\n", i, c->path,
			    c->value ? c->value : "(deleted)", err, c->want);
			fail();
		}
		json_decref(v);
	}
}

/* More addresses than the data plane holds: refused, naming the limit. */
static void
test_too_many_addresses(void **state)
{
	json_t *v = json_pack("{s:[s], s:[]}", "scrubbing", "10.0.0.1", "objects");
	struct scrub_bundle b;
	char err[256] = "";

	(void)state;
	for (int o = 0; o < 17; o++) {
		json_t *ips = json_array();
		char id[16];

		for (int i = 0; i < 256; i++) {
			char a[32];

			snprintf(a, sizeof(a), "10.%d.%d.%d", o, i / 256, i % 256);
			json_array_append_new(ips, json_pack("{s:s, s:[{s:s, s:[i]}]}", "addr", a,
			    "services", "proto", "tcp", "ports", 80));
		}
		snprintf(id, sizeof(id), "o%d", o);
		json_array_append_new(json_object_get(v, "objects"), json_pack("{s:s, s:i, s:i, s:o}",
		    "id", id, "tenant", 1, "tier_mbps", 1, "ips", ips));
	}
	assert_int_equal(scrub_bundle_parse(v, &b, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "objects[16].ips: the bundle protects more than 4096"));
	json_array_remove(json_object_get(v, "objects"), 16);
	assert_int_equal(scrub_bundle_parse(v, &b, err, sizeof(err)), 0);
	assert_int_equal(b.n_objects, 16);
	scrub_bundle_free(&b);
	json_decref(v);
}

static void
test_bad_text(void **state)
{
	struct scrub_bundle b;
	char err[256];

	(void)state;
	assert_int_equal(scrub_bundle_parse_text("{", 1, &b, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "invalid JSON"));
	assert_int_equal(scrub_bundle_parse_text("[]", 2, &b, err, sizeof(err)), -1);
	assert_int_equal(scrub_bundle_parse_text("{\"scrubbing\":[\"10.0.0.1\"],\"objects\":[],"
	    "\"objects\":[]}", 48, &b, err, sizeof(err)), -1);
	assert_int_equal(scrub_bundle_parse_text("{\"scrubbing\":[\"10.0.0.1\"],\"objects\":[]}",
	    39, &b, err, sizeof(err)), 0);
	assert_int_equal(b.n_objects, 0);
	scrub_bundle_free(&b);
}

/* ---- signatures ---- */

struct fx {
	char dir[64], priv[128], pub[128], other[128], otherpub[128], path[128];
	EVP_PKEY *key, *wrong, *verify;
};

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	char err[256];

	snprintf(f->dir, sizeof(f->dir), "/tmp/ys-scrubbundle-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->priv, sizeof(f->priv), "%s/k", f->dir);
	snprintf(f->pub, sizeof(f->pub), "%s/k.pub", f->dir);
	snprintf(f->other, sizeof(f->other), "%s/o", f->dir);
	snprintf(f->otherpub, sizeof(f->otherpub), "%s/o.pub", f->dir);
	snprintf(f->path, sizeof(f->path), "%s/bundle.json", f->dir);
	assert_int_equal(crypto_ed25519_generate(f->priv, f->pub, err, sizeof(err)), 0);
	assert_int_equal(crypto_ed25519_generate(f->other, f->otherpub, err, sizeof(err)), 0);
	f->key = crypto_ed25519_load_private(f->priv, err, sizeof(err));
	f->wrong = crypto_ed25519_load_private(f->other, err, sizeof(err));
	f->verify = crypto_ed25519_load_public(f->pub, err, sizeof(err));
	assert_non_null(f->key);
	assert_non_null(f->wrong);
	assert_non_null(f->verify);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;
	char cmd[128];

	EVP_PKEY_free(f->key);
	EVP_PKEY_free(f->wrong);
	EVP_PKEY_free(f->verify);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	assert_int_equal(system(cmd), 0);
	free(f);
	return 0;
}

/* Write the bundle the control plane would send: payload text signed with
 * key; tamper flips one character of the payload after signing. */
static void
write_bundle(const struct fx *f, EVP_PKEY *key, long long node, bool tamper, bool sign)
{
	json_t *pol = good(), *payload, *bundle;
	unsigned char sig[64];
	char sig64[100], *text;

	payload = json_pack("{s:i, s:s, s:I, s:I, s:o}", "format", 1, "kind", "scrubber",
	    "node_id", (json_int_t)node, "version", (json_int_t)9, "policy", pol);
	text = json_dumps(payload, JSON_COMPACT | JSON_SORT_KEYS);
	assert_int_equal(crypto_ed25519_sign(key, text, strlen(text), sig), 0);
	assert_true(crypto_b64url_encode(sig, 64, sig64, sizeof(sig64)) > 0);
	if (tamper) {
		char *p = strstr(text, "50000");

		assert_non_null(p);
		p[0] = '9';	/* the object's pps threshold, 50000 -> 90000 */
	}
	bundle = sign ? json_pack("{s:s, s:s}", "payload", text, "signature", sig64)
	    : json_pack("{s:s}", "payload", text);
	assert_int_equal(json_dump_file(bundle, f->path, 0), 0);
	json_decref(bundle);
	json_decref(payload);
	free(text);
}

static void
test_signed_bundle_installed(void **state)
{
	struct fx *f = *state;
	struct scrub_bundle b;
	char err[256] = "";

	write_bundle(f, f->key, 5, false, true);
	assert_int_equal(scrub_bundle_load(f->verify, f->path, 5, &b, err, sizeof(err)), 0);
	assert_int_equal(b.version, 9);
	assert_int_equal(b.n_objects, 2);
	assert_int_equal(b.objects[0].th.pps, 50000);
	scrub_bundle_free(&b);
}

static void
test_unsigned_or_tampered_refused(void **state)
{
	struct fx *f = *state;
	struct scrub_bundle b;
	char err[256];

	write_bundle(f, f->key, 5, true, true);
	assert_int_equal(scrub_bundle_load(f->verify, f->path, 5, &b, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "signature does not verify"));
	assert_non_null(strstr(err, "not installed"));
	assert_int_equal(b.n_objects, 0);
	write_bundle(f, f->key, 5, false, false);
	assert_int_equal(scrub_bundle_load(f->verify, f->path, 5, &b, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "lacks payload or signature"));
	write_bundle(f, f->wrong, 5, false, true);
	assert_int_equal(scrub_bundle_load(f->verify, f->path, 5, &b, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "signature does not verify"));
	write_bundle(f, f->key, 6, false, true);
	assert_int_equal(scrub_bundle_load(f->verify, f->path, 5, &b, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "another node"));
	assert_int_equal(scrub_bundle_load(f->verify, "/nonexistent/b.json", 5, &b, err,
	    sizeof(err)), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_policy),
		cmocka_unit_test(test_bad_members_rejected),
		cmocka_unit_test(test_bad_text),
		cmocka_unit_test(test_too_many_addresses),
		cmocka_unit_test_setup_teardown(test_signed_bundle_installed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unsigned_or_tampered_refused, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
