/*
 * test_ddos: the anti-DDoS tenant side against a real store — subscription
 * and quota (one unit per protected IP), validation tables, tenant
 * isolation, the scrubber's signed bundle (contents and versions) and the
 * intake of scrubber events (envelope, strict checks, idempotent attack
 * records, attribution, alerts).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ddosev.h"
#include "ddosfx.h"

#define OBJ1 "{\"name\": \"shop\", \"ips\": [{\"addr\": \"203.0.113.10\", \"services\":" \
	" [{\"proto\": \"tcp\", \"ports\": [80, 443]}, {\"proto\": \"udp\", \"ports\": [\"3000-3010\"]}]}]," \
	" \"thresholds\": {\"pps\": 50000}}"

static int64_t
id_of(const json_t *o)
{
	return json_integer_value(json_object_get(o, "id"));
}

static void
test_subscription_and_quota(void **state)
{
	struct dctx *c = *state;
	struct ys_err e;
	json_t *o = NULL, *o2 = NULL, *x = NULL;

	assert_int_equal(dfx_object(c, &c->a, OBJ1, &x, &e), -1);
	assert_string_equal(e.code, "forbidden");
	assert_non_null(strstr(e.msg, "no active anti-ddos subscription"));
	dfx_subscribe(c, c->a.tenant_id, 2);
	assert_int_equal(dfx_object(c, &c->a, OBJ1, &o, &e), 0);
	assert_int_equal(orders_quota_used(c->db, c->a.tenant_id, DDOS_SERVICE), 1);
	/* two more addresses: one over the quota, nothing kept */
	assert_int_equal(dfx_object(c, &c->a, "{\"name\": \"api\", \"ips\": ["
	    "{\"addr\": \"203.0.113.11\", \"services\": [{\"proto\": \"tcp\", \"ports\": [443]}]},"
	    "{\"addr\": \"2001:db8::11\", \"services\": [{\"proto\": \"tcp\", \"ports\": [443]}]}]}",
	    &x, &e), -1);
	assert_string_equal(e.code, "quota_exceeded");
	assert_int_equal(orders_quota_used(c->db, c->a.tenant_id, DDOS_SERVICE), 1);
	assert_int_equal(db_int(c->db, 0, "SELECT count(*) FROM ddos_objects", ""), 1);
	assert_int_equal(dfx_object(c, &c->a, "{\"name\": \"api\", \"ips\": [{\"addr\":"
	    " \"2001:DB8:0::11\", \"services\": [{\"proto\": \"tcp\", \"ports\": [443]}]}]}", &o2,
	    &e), 0);
	assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(o2,
	    "ips"), 0), "addr")), "2001:db8::11");
	assert_int_equal(orders_quota_used(c->db, c->a.tenant_id, DDOS_SERVICE), 2);
	/* delete frees the unit */
	assert_int_equal(db_begin(c->db), 0);
	assert_int_equal(ddos_object_delete(c->db, &c->a, id_of(o2), &x, &e), 0);
	db_commit(c->db);
	json_decref(x);
	assert_int_equal(orders_quota_used(c->db, c->a.tenant_id, DDOS_SERVICE), 1);
	json_decref(o);
	json_decref(o2);
}

/* Each bad input is refused with invalid_field and a message naming the
 * member; nothing is stored. */
static void
test_validation(void **state)
{
	static const struct {
		const char *json, *want;
	} bad[] = {
		{ "{\"name\": \"x\", \"ips\": []}", "ips" },
		{ "{\"name\": \"x\", \"ips\": [{\"addr\": \"127.0.0.1\", \"services\": [{\"proto\": \"tcp\", \"ports\": [80]}]}]}", "loopback" },
		{ "{\"name\": \"x\", \"ips\": [{\"addr\": \"169.254.169.254\", \"services\": [{\"proto\": \"tcp\", \"ports\": [80]}]}]}", "ips[0].addr" },
		{ "{\"name\": \"x\", \"ips\": [{\"addr\": \"10.1.2.3\", \"services\": [{\"proto\": \"tcp\", \"ports\": [80]}]}]}", "private-use" },
		{ "{\"name\": \"x\", \"ips\": [{\"addr\": \"224.0.0.1\", \"services\": [{\"proto\": \"tcp\", \"ports\": [80]}]}]}", "ips[0].addr" },
		{ "{\"name\": \"x\", \"ips\": [{\"addr\": \"::ffff:203.0.113.9\", \"services\": [{\"proto\": \"tcp\", \"ports\": [80]}]}]}", "IPv4-mapped" },
		{ "{\"name\": \"x\", \"ips\": [{\"addr\": \"fd00::1\", \"services\": [{\"proto\": \"tcp\", \"ports\": [80]}]}]}", "unique-local" },
		{ "{\"name\": \"x\", \"ips\": [{\"addr\": \"example.com\", \"services\": [{\"proto\": \"tcp\", \"ports\": [80]}]}]}", "not an IPv4" },
		{ "{\"name\": \"x\", \"ips\": [{\"addr\": \"203.0.113.5\", \"services\": [{\"proto\": \"icmp\", \"ports\": [80]}]}]}", "tcp or udp" },
		{ "{\"name\": \"x\", \"ips\": [{\"addr\": \"203.0.113.5\", \"services\": [{\"proto\": \"tcp\", \"ports\": [0]}]}]}", "ports[0]" },
		{ "{\"name\": \"x\", \"ips\": [{\"addr\": \"203.0.113.5\", \"services\": [{\"proto\": \"tcp\", \"ports\": [\"90-80\"]}]}]}", "ports[0]" },
		{ "{\"name\": \"x\", \"ips\": [{\"addr\": \"203.0.113.5\", \"services\": [{\"proto\": \"tcp\", \"ports\": [\"80-\"]}]}]}", "ports[0]" },
		{ "{\"name\": \"x\", \"ips\": [{\"addr\": \"203.0.113.5\", \"services\": [{\"proto\": \"tcp\", \"ports\": [70000]}]}]}", "ports[0]" },
		{ "{\"name\": \"x\", \"ips\": [{\"addr\": \"203.0.113.5\", \"services\": []}]}", "services" },
		{ "{\"name\": \"x\", \"ips\": [{\"addr\": \"203.0.113.5\", \"services\": [{\"proto\": \"tcp\", \"ports\": [80]}], \"bogus\": 1}]}", "bogus" },
		{ "{\"name\": \"x\", \"ips\": [{\"addr\": \"203.0.113.5\", \"origin\": \"2001:db8::1\", \"services\": [{\"proto\": \"tcp\", \"ports\": [80]}]}]}", "same family" },
		{ "{\"name\": \"x\", \"ips\": [{\"addr\": \"203.0.113.5\", \"services\": [{\"proto\": \"tcp\", \"ports\": [80]}]}, {\"addr\": \"203.0.113.5\", \"services\": [{\"proto\": \"udp\", \"ports\": [53]}]}]}", "twice" },
		{ "{\"name\": \"x\", \"ips\": [{\"addr\": \"203.0.113.5\", \"services\": [{\"proto\": \"tcp\", \"ports\": [80]}]}], \"thresholds\": {\"baseline_pct\": 50}}", "baseline_pct" },
		{ "{\"name\": \"x\", \"ips\": [{\"addr\": \"203.0.113.5\", \"services\": [{\"proto\": \"tcp\", \"ports\": [80]}]}], \"thresholds\": {\"ppps\": 5}}", "ppps" },
		{ "{\"name\": \"x\\u0001\", \"ips\": [{\"addr\": \"203.0.113.5\", \"services\": [{\"proto\": \"tcp\", \"ports\": [80]}]}]}", "control" },
	};
	struct dctx *c = *state;
	struct ys_err e;
	json_t *x;

	dfx_subscribe(c, c->a.tenant_id, 10);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (dfx_object(c, &c->a, bad[i].json, &x, &e) == 0)
			fail_msg("accepted: %s", bad[i].json);
		assert_string_equal(e.code, "invalid_field");
		if (strstr(e.msg, bad[i].want) == NULL)
			fail_msg("%s: message \"%s\" does not name %s", bad[i].json, e.msg,
			    bad[i].want);
	}
	assert_int_equal(db_int(c->db, 0, "SELECT count(*) FROM ddos_objects", ""), 0);
	assert_int_equal(orders_quota_used(c->db, c->a.tenant_id, DDOS_SERVICE), 0);
	/* ddos_allow_private (a private cloud, tests): private-use is accepted,
	 * loopback still is not */
	{
		json_t *in = json_loads("{\"name\": \"lab\", \"ips\": [{\"addr\": \"10.1.2.3\","
		    " \"services\": [{\"proto\": \"udp\", \"ports\": [53]}]}]}", 0, NULL);

		assert_int_equal(db_begin(c->db), 0);
		assert_int_equal(ddos_object_create(c->db, true, &c->a, in, &x, &e), 0);
		db_commit(c->db);
		json_decref(x);
		json_decref(in);
		in = json_loads("{\"name\": \"lo\", \"ips\": [{\"addr\": \"127.0.0.2\","
		    " \"services\": [{\"proto\": \"udp\", \"ports\": [53]}]}]}", 0, NULL);
		assert_int_equal(db_begin(c->db), 0);
		assert_int_equal(ddos_object_create(c->db, true, &c->a, in, &x, &e), -1);
		db_rollback(c->db);
		json_decref(in);
	}
}

static int
in_tx(struct dctx *c, int rc)
{
	if (rc == 0)
		db_commit(c->db);
	else
		db_rollback(c->db);
	return rc;
}

static void
test_isolation_domains_rules(void **state)
{
	struct dctx *c = *state;
	struct ys_err e = { 0 };
	json_t *o = NULL, *x = NULL, *d = NULL, *r = NULL, *in;

	dfx_subscribe(c, c->a.tenant_id, 5);
	dfx_subscribe(c, c->b.tenant_id, 5);
	assert_int_equal(dfx_object(c, &c->a, OBJ1, &o, &e), 0);
	/* another tenant: 404 on every id, the address stays alpha's */
	assert_null(ddos_object_get(c->db, &c->b, id_of(o), &e));
	assert_string_equal(e.code, "not_found");
	assert_int_equal(db_begin(c->db), 0);
	assert_int_equal(in_tx(c, ddos_object_delete(c->db, &c->b, id_of(o), &x, &e)), -1);
	assert_string_equal(e.code, "not_found");
	assert_int_equal(dfx_object(c, &c->b, "{\"name\": \"steal\", \"ips\": [{\"addr\":"
	    " \"203.0.113.10\", \"services\": [{\"proto\": \"tcp\", \"ports\": [80]}]}]}", &x, &e),
	    -1);
	assert_string_equal(e.code, "conflict");
	x = ddos_object_list(c->db, &c->b);
	assert_int_equal(json_array_size(x), 0);
	json_decref(x);
	/* domains: <label>.<zone>, origins are addresses */
	in = json_pack("{s:I, s:s, s:[s], s:s}", "object_id", (json_int_t)id_of(o), "label", "Shop",
	    "origins", "203.0.113.10", "mode", "always-on");
	assert_int_equal(db_begin(c->db), 0);
	assert_int_equal(in_tx(c, ddos_domain_create(c->db, "ddos.example.net", &c->a, in, &d, &e)),
	    0);
	assert_string_equal(json_string_value(json_object_get(d, "name")), "shop.ddos.example.net");
	assert_int_equal(db_begin(c->db), 0);
	assert_int_equal(in_tx(c, ddos_domain_create(c->db, "ddos.example.net", &c->b, in, &x, &e)),
	    -1);
	assert_string_equal(e.code, "not_found");	/* alpha's object */
	json_decref(in);
	in = json_pack("{s:I, s:s, s:[s]}", "object_id", (json_int_t)id_of(o), "label", "a.b",
	    "origins", "203.0.113.10");
	assert_int_equal(db_begin(c->db), 0);
	assert_int_equal(in_tx(c, ddos_domain_create(c->db, "ddos.example.net", &c->a, in, &x, &e)),
	    -1);
	assert_string_equal(e.code, "invalid_field");
	json_decref(in);
	in = json_pack("{s:I, s:s, s:[s]}", "object_id", (json_int_t)id_of(o), "label", "www",
	    "origins", "www.example.com");
	assert_int_equal(db_begin(c->db), 0);
	assert_int_equal(in_tx(c, ddos_domain_create(c->db, "ddos.example.net", &c->a, in, &x, &e)),
	    -1);
	assert_non_null(strstr(e.msg, "origins[0]"));
	json_decref(in);
	/* rules */
	in = json_pack("{s:I, s:s, s:s}", "object_id", (json_int_t)id_of(o), "action", "block",
	    "cidr", "192.0.2.1/24");
	assert_int_equal(db_begin(c->db), 0);
	assert_int_equal(in_tx(c, ddos_rule_create(c->db, &c->a, in, &x, &e)), -1);
	assert_non_null(strstr(e.msg, "cidr"));
	json_object_set_new(in, "cidr", json_string("192.0.2.0/24"));
	json_object_set_new(in, "expires_in_seconds", json_integer(3600));
	assert_int_equal(db_begin(c->db), 0);
	assert_int_equal(in_tx(c, ddos_rule_create(c->db, &c->a, in, &r, &e)), 0);
	assert_int_equal(db_begin(c->db), 0);
	assert_int_equal(in_tx(c, ddos_rule_create(c->db, &c->b, in, &x, &e)), -1);
	assert_string_equal(e.code, "not_found");
	json_decref(in);
	in = json_pack("{s:I, s:s, s:s, s:i}", "object_id", (json_int_t)id_of(o), "action",
	    "ratelimit", "cidr", "192.0.2.0/24", "pps", 100);
	assert_int_equal(db_begin(c->db), 0);
	assert_int_equal(in_tx(c, ddos_rule_create(c->db, &c->a, in, &x, &e)), -1);
	assert_string_equal(e.code, "invalid_field");
	json_decref(in);
	assert_int_equal(db_begin(c->db), 0);
	assert_int_equal(in_tx(c, ddos_part_delete(c->db, &c->b, DDOS_RULE, id_of(r), &x, &e)), -1);
	assert_string_equal(e.code, "not_found");
	/* operators see every tenant's objects */
	x = ddos_object_get(c->db, &c->admin, id_of(o), &e);
	assert_non_null(x);
	assert_int_equal(json_array_size(json_object_get(x, "domains")), 1);
	assert_int_equal(json_array_size(json_object_get(x, "rules")), 1);
	json_decref(x);
	json_decref(o);
	json_decref(d);
	json_decref(r);
}

static json_t *
find_object(const json_t *policy, const char *id)
{
	json_t *o;
	size_t i;

	json_array_foreach(json_object_get(policy, "objects"), i, o)
		if (strcmp(json_string_value(json_object_get(o, "id")), id) == 0)
			return o;
	return NULL;
}

static void
test_bundle(void **state)
{
	struct dctx *c = *state;
	struct ys_err e = { 0 };
	json_t *o = NULL, *p, *obj, *x = NULL, *in, *d = NULL;
	int64_t v1, v2, v3;
	char id[32];

	dfx_subscribe(c, c->a.tenant_id, 5);
	assert_int_equal(dfx_object(c, &c->a, OBJ1, &o, &e), 0);
	in = json_pack("{s:I, s:s, s:[s, s]}", "object_id", (json_int_t)id_of(o), "label", "shop",
	    "origins", "203.0.113.10", "2001:db8::10");
	assert_int_equal(db_begin(c->db), 0);
	assert_int_equal(in_tx(c, ddos_domain_create(c->db, "ddos.example.net", &c->a, in, &d, &e)),
	    0);
	json_decref(in);
	p = dfx_bundle(c, &v1, NULL);
	/* exactly the members bundle.c accepts */
	assert_int_equal(json_object_size(p), 5);
	assert_string_equal(json_string_value(json_array_get(json_object_get(p, "scrubbing"), 0)),
	    "198.51.100.10");
	assert_string_equal(json_string_value(json_object_get(json_object_get(p, "dns"),
	    "tsig_secret")), "file:/etc/yunshou/ddos-tsig.key");
	snprintf(id, sizeof(id), "obj-%lld", (long long)id_of(o));
	obj = find_object(p, id);
	assert_non_null(obj);
	assert_int_equal(json_integer_value(json_object_get(obj, "tenant")), c->a.tenant_id);
	assert_int_equal(json_integer_value(json_object_get(obj, "tier_mbps")), 2000);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(obj, "thresholds"),
	    "pps")), 50000);
	assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(obj,
	    "domains"), 0), "name")), "shop.ddos.example.net");
	assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(obj,
	    "domains"), 0), "mode")), "on-demand");
	json_decref(p);
	/* unchanged store: same version; any change: a newer one */
	json_decref(dfx_bundle(c, &v2, NULL));
	assert_int_equal(v1, v2);
	in = json_pack("{s:s}", "status", "disabled");
	assert_int_equal(db_begin(c->db), 0);
	assert_int_equal(in_tx(c, ddos_object_update(c->db, false, &c->a, id_of(o), in, &x, &e)), 0);
	json_decref(in);
	json_decref(x);
	p = dfx_bundle(c, &v3, NULL);
	assert_true(v3 > v2);
	assert_null(find_object(p, id));
	json_decref(p);
	/* a cancelled subscription takes the tenant's objects out */
	in = json_pack("{s:s}", "status", "active");
	assert_int_equal(db_begin(c->db), 0);
	assert_int_equal(in_tx(c, ddos_object_update(c->db, false, &c->a, id_of(o), in, &x, &e)), 0);
	json_decref(in);
	json_decref(x);
	p = dfx_bundle(c, &v2, NULL);
	assert_non_null(find_object(p, id));
	json_decref(p);
	assert_int_equal(db_run(c->db, "UPDATE subscriptions SET cancelled_at = 1", ""), 1);
	p = dfx_bundle(c, &v3, NULL);
	assert_true(v3 > v2);
	assert_null(find_object(p, id));
	json_decref(p);
	json_decref(o);
	json_decref(d);
}

/* A scrubber record as yunshou-scrubber writes it to the agent's queue,
 * with the seq the sender adds. */
static json_t *
record(int64_t seq, const char *event, const char *object, int64_t tenant, double peak)
{
	json_t *r = json_pack("{s:I, s:s, s:s, s:s, s:I, s:s, s:[s, s], s:[s], s:s, s:f, s:f, s:f,"
	    " s:I, s:I, s:s}", "seq", (json_int_t)seq, "event", event,
	    "time", "2026-11-24T00:10:00.250Z", "object", object, "tenant", (json_int_t)tenant,
	    "ip", "203.0.113.10", "vectors", "syn-flood", "dns-reflection", "triggers", "pps",
	    "start", "2026-11-24T00:10:00.000Z", "baseline_p95_pps", 120.5, "peak_pps", peak,
	    "peak_bps", peak * 600, "dropped_pkts", (json_int_t)(peak * 10), "dropped_bytes",
	    (json_int_t)(peak * 600), "mitigations", "syn-cookies,reflection");

	if (strcmp(event, "attack_end") == 0) {
		json_object_set_new(r, "end", json_string("2026-11-24T00:11:30.000Z"));
		json_object_set_new(r, "duration_s", json_real(90.0));
		json_object_set_new(r, "vector_pkts", json_pack("{s:i, s:i}", "syn-flood", 900000,
		    "dns-reflection", 5000));
		json_object_set_new(r, "timeline", json_pack("[{s:s, s:f, s:f, s:i}]", "t",
		    "2026-11-24T00:10:01.000Z", "pps", peak, "bps", peak * 600, "dropped_pkts", 1000));
		json_object_set_new(r, "samples_per_point", json_integer(1));
	} else {
		json_object_set_new(r, "mitigation_us", json_integer(350));
	}
	json_object_set_new(r, "top_sources", json_pack("[{s:s, s:i}]", "addr", "192.0.2.66",
	    "pkts_estimate", 800000));
	return r;
}

static int
ingest(struct dctx *c, json_t *events, json_t **out, struct ys_err *e)
{
	struct node_principal n = { .node_id = c->node, .tenant_id = 0 };
	json_t *batch = json_pack("{s:o}", "events", events);
	int rc;

	snprintf(n.kind, sizeof(n.kind), "scrubber");
	memset(e, 0, sizeof(*e));
	*out = NULL;
	assert_int_equal(db_begin(c->db), 0);
	rc = in_tx(c, nodes_events_ingest(c->db, &n, batch, out, e));
	json_decref(batch);
	return rc;
}

static void
test_events(void **state)
{
	struct dctx *c = *state;
	struct ys_err e = { 0 };
	json_t *o = NULL, *out, *list, *a, *bad;
	char id[32];

	dfx_subscribe(c, c->a.tenant_id, 5);
	assert_int_equal(dfx_object(c, &c->a, OBJ1, &o, &e), 0);
	snprintf(id, sizeof(id), "obj-%lld", (long long)id_of(o));
	assert_int_equal(ingest(c, json_pack("[o, o]", record(1, "attack_start", id,
	    c->a.tenant_id, 50000), record(2, "attack_update", id, c->a.tenant_id, 2000000)), &out,
	    &e), 0);
	assert_int_equal(json_integer_value(json_object_get(out, "accepted")), 2);
	json_decref(out);
	list = ddos_attack_list(c->db, &c->a, NULL);
	assert_int_equal(json_array_size(list), 1);
	a = json_array_get(list, 0);
	assert_string_equal(json_string_value(json_object_get(a, "status")), "active");
	assert_int_equal(json_integer_value(json_object_get(a, "peak_pps")), 2000000);
	assert_string_equal(json_string_value(json_array_get(json_object_get(a, "vectors"), 1)),
	    "dns-reflection");
	json_decref(list);
	/* the alert: the tenant's, raised high at the start (50 kpps, 30 Mbps)
	 * and again, critical, at 2 Mpps: one alert, counted twice */
	assert_int_equal(db_int(c->db, 0, "SELECT count FROM alerts WHERE tenant_id = ? AND"
	    " module = 'ddos' AND type = 'ddos.attack' AND severity = 'critical'", "l",
	    c->a.tenant_id), 2);
	/* the end; then every record again (same seqs) and the end again under a
	 * new seq: one attack, same figures */
	assert_int_equal(ingest(c, json_pack("[o]", record(3, "attack_end", id, c->a.tenant_id,
	    1000)), &out, &e), 0);
	json_decref(out);
	assert_int_equal(ingest(c, json_pack("[o, o, o, o]", record(1, "attack_start", id,
	    c->a.tenant_id, 50000), record(2, "attack_update", id, c->a.tenant_id, 2000000),
	    record(3, "attack_end", id, c->a.tenant_id, 1000), record(4, "attack_end", id,
	    c->a.tenant_id, 1000)), &out, &e), 0);
	assert_int_equal(json_integer_value(json_object_get(out, "duplicates")), 3);
	json_decref(out);
	list = ddos_attack_list(c->db, &c->a, NULL);
	assert_int_equal(json_array_size(list), 1);
	a = ddos_attack_get(c->db, &c->a, id_of(json_array_get(list, 0)), &e);
	json_decref(list);
	assert_non_null(a);
	assert_string_equal(json_string_value(json_object_get(a, "status")), "ended");
	assert_int_equal(json_integer_value(json_object_get(a, "peak_pps")), 2000000);
	assert_int_equal(json_integer_value(json_object_get(a, "dropped_pkts")), 20000000);
	assert_int_equal(json_array_size(json_object_get(a, "timeline")), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(a,
	    "top_sources"), 0), "addr")), "192.0.2.66");
	assert_true(json_real_value(json_object_get(a, "duration_s")) > 89.0);
	assert_int_equal(db_int(c->db, 0, "SELECT count(*) FROM alerts WHERE module = 'ddos'", ""),
	    1);
	/* another tenant sees nothing */
	assert_null(ddos_attack_get(c->db, &c->b, id_of(a), &e));
	list = ddos_attack_list(c->db, &c->b, NULL);
	assert_int_equal(json_array_size(list), 0);
	json_decref(list);
	bad = json_pack("{s:b}", "active", 1);
	list = ddos_attack_list(c->db, &c->a, bad);
	json_decref(bad);
	assert_int_equal(json_array_size(list), 0);
	json_decref(list);
	json_decref(a);
	/* an unknown object: kept as telemetry, not attributed */
	assert_int_equal(ingest(c, json_pack("[o]", record(5, "attack_start", "obj-999",
	    c->a.tenant_id, 1000)), &out, &e), 0);
	assert_int_equal(json_integer_value(json_object_get(out, "unattributed")), 1);
	json_decref(out);
	assert_int_equal(db_int(c->db, 0, "SELECT count(*) FROM ddos_attacks", ""), 1);
	/* a bad record refuses the batch; nothing of it is stored */
	bad = record(6, "attack_start", id, c->a.tenant_id, 1000);
	json_object_set_new(bad, "ip", json_string("not-an-ip"));
	assert_int_equal(ingest(c, json_pack("[o, o]", record(7, "attack_start", id,
	    c->a.tenant_id, 1), bad), &out, &e), -1);
	assert_string_equal(e.code, "invalid_field");
	assert_non_null(strstr(e.msg, "ip"));
	assert_int_equal(db_int(c->db, 0, "SELECT count(*) FROM node_events WHERE seq >= 6", ""),
	    0);
	json_decref(o);
}

/* A WAF or agent node may not send scrubber events. */
static void
test_events_kind(void **state)
{
	struct dctx *c = *state;
	struct node_principal n = { .node_id = c->node, .tenant_id = 0 };
	struct ys_err e = { 0 };
	json_t *batch = json_pack("{s:[o]}", "events", record(1, "attack_start", "obj-1", 1, 5));
	json_t *out = NULL;

	snprintf(n.kind, sizeof(n.kind), "waf");
	assert_int_equal(nodes_events_ingest(c->db, &n, batch, &out, &e), -1);
	assert_string_equal(e.code, "forbidden");
	json_decref(batch);
}

static void
test_ddosev(void **state)
{
	static const char *const bad[] = {
		"{\"ip\": \"1.2.3.4\"}",
		"{\"event\": \"attack_start\"}",
		"{\"event\": \"attack_start\", \"time\": \"yesterday\"}",
		"{\"event\": \"attack_start\", \"time\": \"2026-13-01T00:00:00Z\"}",
	};
	char err[200];
	json_t *good = record(1, "attack_end", "obj-1", 1, 10), *batch, *ev;

	(void)state;
	ev = json_pack("{s:[O]}", "events", good);
	batch = ddosev_normalise(ev, err, sizeof(err));
	json_decref(ev);
	assert_non_null(batch);
	ev = json_array_get(json_object_get(batch, "events"), 0);
	assert_string_equal(json_string_value(json_object_get(ev, "module")), "ddos");
	assert_string_equal(json_string_value(json_object_get(ev, "type")), "attack_end");
	assert_int_equal(json_integer_value(json_object_get(ev, "time_ms")), 1795479000250LL);
	assert_int_equal(ddosev_check("attack_end", json_object_get(ev, "payload"), err,
	    sizeof(err)), 0);
	json_decref(batch);
	/* member by member: removing or spoiling any is an error */
	{
		json_t *p = json_deep_copy(good);
		const char *key;
		json_t *v;

		json_object_del(p, "event");
		json_object_del(p, "time");
		json_object_del(p, "seq");
		json_object_foreach(p, key, v) {
			json_t *q = json_deep_copy(p);

			json_object_del(q, key);
			assert_int_equal(ddosev_check("attack_end", q, err, sizeof(err)), -1);
			assert_non_null(strstr(err, key));
			json_object_set_new(q, key, json_string("\x01"));
			assert_int_equal(ddosev_check("attack_end", q, err, sizeof(err)), -1);
			json_decref(q);
		}
		json_object_set_new(p, "extra", json_true());
		assert_int_equal(ddosev_check("attack_end", p, err, sizeof(err)), -1);
		json_decref(p);
		p = json_object();
		assert_int_equal(ddosev_check("attack_ended", p, err, sizeof(err)), -1);
		json_decref(p);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		json_t *in = json_loads(bad[i], 0, NULL), *b2, *out;

		b2 = json_pack("{s:[o]}", "events", in);
		out = ddosev_normalise(b2, err, sizeof(err));
		if (out != NULL) {	/* enveloped; the check refuses it */
			struct ys_err e = { 0 };

			assert_int_equal(nodes_events_validate(b2, &e), -1);
		}
		json_decref(out);
		json_decref(b2);
	}
	assert_int_equal(ddosev_time_ms("1970-01-01T00:00:01Z"), 1000);
	assert_int_equal(ddosev_time_ms("1970-01-01T00:00:01.5Z"), -1);
	json_decref(good);
}

/* What one bundle can carry is a platform limit: the 65th domain of an
 * object is refused. */
static void
test_limits(void **state)
{
	struct dctx *c = *state;
	struct ys_err e = { 0 };
	json_t *o = NULL, *x = NULL;

	dfx_subscribe(c, c->a.tenant_id, 1);
	assert_int_equal(dfx_object(c, &c->a, OBJ1, &o, &e), 0);
	for (int i = 0; i <= DDOS_MAX_DOMAINS; i++) {
		char label[16];
		json_t *in;
		int rc;

		snprintf(label, sizeof(label), "d%d", i);
		in = json_pack("{s:I, s:s, s:[s]}", "object_id", (json_int_t)id_of(o), "label",
		    label, "origins", "203.0.113.10");
		assert_int_equal(db_begin(c->db), 0);
		rc = in_tx(c, ddos_domain_create(c->db, "ddos.example.net", &c->a, in, &x, &e));
		json_decref(in);
		json_decref(x);
		x = NULL;
		assert_int_equal(rc, i < DDOS_MAX_DOMAINS ? 0 : -1);
	}
	assert_string_equal(e.code, "quota_exceeded");
	assert_non_null(strstr(e.msg, "at most 64"));
	json_decref(o);
}

/* The provider's scrubber policy is checked as the scrubber's parser
 * would, and the TSIG secret can only be a reference. */
static void
test_provider_policy(void **state)
{
	static const struct {
		const char *json, *want;
	} bad[] = {
		{ "{\"scrubbing\": []}", "scrubbing" },
		{ "{\"scrubbing\": [\"198.51.100.1\", \"198.51.100.2\"]}", "one address per family" },
		{ "{\"scrubbing\": [\"scrub.example.net\"]}", "scrubbing[0]" },
		{ "{\"scrubbing\": [\"198.51.100.1\"], \"heartbeat_seconds\": 30}", "heartbeat_seconds" },
		{ "{\"scrubbing\": [\"198.51.100.1\"], \"thresholds\": {\"quiet_ms\": 5}}", "quiet_ms" },
		{ "{\"scrubbing\": [\"198.51.100.1\"], \"dns\": {\"server\": \"192.0.2.53\", \"zone\": \"z.example.net\", \"tsig_key\": \"k\", \"tsig_secret\": \"c2VjcmV0c2VjcmV0\"}}", "never the secret" },
		{ "{\"scrubbing\": [\"198.51.100.1\"], \"dns\": {\"server\": \"192.0.2.53\", \"zone\": \"bad_zone..\", \"tsig_key\": \"k.example\", \"tsig_secret\": \"env:K\"}}", "dns.zone" },
		{ "{\"scrubbing\": [\"198.51.100.1\"], \"dns\": {\"server\": \"ns.example\", \"zone\": \"z.example.net\", \"tsig_key\": \"k.example\", \"tsig_secret\": \"env:K\"}}", "dns.server" },
	};
	struct dctx *c = *state;
	struct ys_err e;
	json_t *out = NULL;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		json_t *p = json_loads(bad[i].json, 0, NULL);

		assert_non_null(p);
		memset(&e, 0, sizeof(e));
		if (nodes_policy_set(c->db, &c->admin, "scrubber", 0, p, &out, &e) == 0)
			fail_msg("accepted: %s", bad[i].json);
		if (strstr(e.msg, bad[i].want) == NULL)
			fail_msg("%s: \"%s\" does not name %s", bad[i].json, e.msg, bad[i].want);
		json_decref(p);
	}
	assert_int_equal(db_int(c->db, 0, "SELECT count(*) FROM node_policies", ""), 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_subscription_and_quota, dfx_setup, dfx_teardown),
		cmocka_unit_test_setup_teardown(test_validation, dfx_setup, dfx_teardown),
		cmocka_unit_test_setup_teardown(test_isolation_domains_rules, dfx_setup,
		    dfx_teardown),
		cmocka_unit_test_setup_teardown(test_bundle, dfx_setup, dfx_teardown),
		cmocka_unit_test_setup_teardown(test_events, dfx_setup, dfx_teardown),
		cmocka_unit_test_setup_teardown(test_events_kind, dfx_setup, dfx_teardown),
		cmocka_unit_test_setup_teardown(test_ddosev, dfx_setup, dfx_teardown),
		cmocka_unit_test_setup_teardown(test_provider_policy, dfx_setup, dfx_teardown),
		cmocka_unit_test_setup_teardown(test_limits, dfx_setup, dfx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
