/*
 * test_ddos_bundle: the scrubber bundle the control plane builds (ddos.c,
 * nodes.c) read by the scrubber's own code — policy_accept()/
 * scrub_bundle_load() verify the signature and src/scrubber/bundle.c parses
 * the policy strictly. Built only when src/scrubber/bundle.h is in the tree
 * (tests/unit/meson.build).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <cmocka.h>

#include "bundle.h"
#include "ddosfx.h"

static void
run(struct dctx *c, int rc)
{
	assert_int_equal(rc, 0);
	db_commit(c->db);
}

static void
test_parsed_by_scrubber(void **state)
{
	struct dctx *c = *state;
	struct ys_err e = { 0 };
	struct scrub_bundle b;
	struct policy p = { 0 };
	const struct scrub_object *o;
	const struct scrub_ip *ip;
	struct scrub_ipaddr a;
	json_t *obj = NULL, *obj2 = NULL, *x = NULL, *in, *sb = NULL, *body;
	char path[300], err[512], id[32];
	int64_t v;

	dfx_subscribe(c, c->a.tenant_id, 5);
	dfx_subscribe(c, c->b.tenant_id, 5);
	assert_int_equal(dfx_object(c, &c->a, "{\"name\": \"shop\", \"ips\": [{\"addr\":"
	    " \"203.0.113.10\", \"origin\": \"198.18.0.10\", \"services\": [{\"proto\": \"tcp\","
	    " \"ports\": [80, 443]}, {\"proto\": \"udp\", \"ports\": [\"3000-3010\"]}]},"
	    " {\"addr\": \"2001:db8::10\", \"services\": [{\"proto\": \"tcp\", \"ports\": [443]}]}],"
	    " \"thresholds\": {\"pps\": 50000, \"consecutive\": 2}}", &obj, &e), 0);
	assert_int_equal(dfx_object(c, &c->b, "{\"name\": \"game\", \"ips\": [{\"addr\":"
	    " \"203.0.113.20\", \"services\": [{\"proto\": \"udp\", \"ports\": [27015]}]}]}", &obj2,
	    &e), 0);
	in = json_pack("{s:I, s:s, s:[s, s], s:s}", "object_id",
	    json_integer_value(json_object_get(obj, "id")), "label", "shop", "origins",
	    "203.0.113.10", "2001:db8::10", "mode", "always-on");
	assert_int_equal(db_begin(c->db), 0);
	run(c, ddos_domain_create(c->db, "ddos.example.net", &c->a, in, &x, &e));
	json_decref(in);
	json_decref(x);
	in = json_pack("{s:I, s:s, s:s, s:i}", "object_id",
	    json_integer_value(json_object_get(obj, "id")), "action", "block", "cidr",
	    "192.0.2.0/24", "expires_in_seconds", 3600);
	assert_int_equal(db_begin(c->db), 0);
	run(c, ddos_rule_create(c->db, &c->a, in, &x, &e));
	json_decref(in);
	json_decref(x);
	in = json_pack("{s:I, s:s, s:i}", "object_id",
	    json_integer_value(json_object_get(obj2, "id")), "action", "ratelimit", "pps", 1000);
	assert_int_equal(db_begin(c->db), 0);
	run(c, ddos_rule_create(c->db, &c->b, in, &x, &e));
	json_decref(in);
	json_decref(x);

	body = dfx_bundle(c, &v, &sb);
	json_decref(body);
	snprintf(path, sizeof(path), "%s/policy.json", c->fx->dir);
	assert_int_equal(policy_accept(c->pk, sb, c->node, path, &p, err, sizeof(err)), 0);
	policy_clear(&p);
	if (scrub_bundle_load(c->pk, path, c->node, &b, err, sizeof(err)) < 0)
		fail_msg("the scrubber refuses the bundle: %s", err);
	assert_int_equal(b.version, v);
	assert_true(b.has_scrub_v4 && b.has_scrub_v6 && b.has_dns);
	assert_string_equal(b.dns.zone, "ddos.example.net.");
	assert_string_equal(b.dns.secret_ref, "file:/etc/yunshou/ddos-tsig.key");
	assert_int_equal(b.n_objects, 2);
	assert_int_equal(b.n_rules, 2);
	snprintf(id, sizeof(id), "obj-%lld", (long long)json_integer_value(json_object_get(obj,
	    "id")));
	o = scrub_bundle_object(&b, id);
	assert_non_null(o);
	assert_int_equal(o->tenant, c->a.tenant_id);
	assert_int_equal(o->tier_mbps, 2000);
	assert_int_equal(o->th.pps, 50000);
	assert_int_equal(o->th.syn_pps, 20000);	/* provider default */
	assert_int_equal(o->th.consecutive, 2);
	assert_int_equal(o->n_ips, 2);
	assert_int_equal(o->n_domains, 1);
	assert_string_equal(o->domains[0].name, "shop.ddos.example.net.");
	assert_int_equal(o->domains[0].mode, SCRUB_DIVERT_ALWAYS_ON);
	assert_int_equal(o->domains[0].n_origin, 2);
	assert_int_equal(scrub_ipaddr_parse("203.0.113.10", &a), 0);
	assert_ptr_equal(scrub_bundle_object_by_addr(&b, &a, &ip), o);
	assert_true(ip->has_origin);
	assert_int_equal(ip->n_services, 3);
	assert_int_equal(ip->services[2].proto, SCRUB_PROTO_UDP);
	assert_int_equal(ip->services[2].port_lo, 3000);
	assert_int_equal(ip->services[2].port_hi, 3010);
	assert_int_equal(b.rules[0].action, SCRUB_RULE_BLOCK);
	assert_int_equal(b.rules[0].cidr.plen, 24);
	assert_string_equal(b.rules[0].object, id);
	assert_true(b.rules[0].expires > 0);
	assert_int_equal(b.rules[1].action, SCRUB_RULE_RATELIMIT);
	assert_int_equal(b.rules[1].pps, 1000);
	scrub_bundle_free(&b);

	/* tampered: one byte of the payload changed; the scrubber refuses it */
	{
		char *t = strdup(json_string_value(json_object_get(sb, "payload")));
		char *at = strstr(t, "203.0.113.10");
		FILE *f;
		char *text;

		assert_non_null(at);
		at[10] = '2';
		json_object_set_new(sb, "payload", json_string(t));
		free(t);
		text = json_dumps(sb, JSON_COMPACT);
		f = fopen(path, "w");
		assert_non_null(f);
		fputs(text, f);
		fclose(f);
		free(text);
		assert_int_equal(scrub_bundle_load(c->pk, path, c->node, &b, err, sizeof(err)), -1);
	}
	json_decref(sb);
	json_decref(obj);
	json_decref(obj2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_parsed_by_scrubber, dfx_setup, dfx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
