/*
 * test_scans: network scan targets and jobs in the store. The forbidden
 * address table (loopback, link-local and metadata services, multicast,
 * IPv4-mapped forms), target parsing (IPs, CIDRs with their host
 * addresses, host names, every refusal with its reason), authorisation by
 * agent-reported addresses (only the tenant's own, live agents; not the
 * connection's source address), quota,
 * and one real scan run by the worker's run_once over loopback listeners,
 * then a second one whose diff names the closed and the new port.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "fixture.h"
#include "orders.h"
#include "scans.h"
#include "scanworker.h"

struct ctx {
	struct fx *f;
	int64_t t1, t2;
	struct principal admin, a, b;
};

static void
subscribe(struct ctx *c, int64_t tenant, int64_t plan, int64_t quantity)
{
	json_t *in = json_pack("{s:I, s:I, s:I, s:i, s:s}", "tenant_id", (json_int_t)tenant,
	    "plan_id", (json_int_t)plan, "quantity", (json_int_t)quantity, "months", 12,
	    "contract_ref", "HT-1"), *out = NULL;
	struct ys_err e = { 0 };

	assert_int_equal(orders_create(c->f->db, &c->admin, in, &out, &e), 0);
	json_decref(in);
	json_decref(out);
}

static int
setup(void **state)
{
	struct ctx *c = calloc(1, sizeof(*c));
	int64_t plan, u;

	c->f = fx_new(1);
	assert_non_null(c->f);
	c->t1 = fx_tenant(c->f, "t1", "active");
	c->t2 = fx_tenant(c->f, "t2", "active");
	u = fx_user(c->f, "root", ROLE_ADMIN, 0, false);
	c->admin = fx_principal(u, "root", ROLE_ADMIN, 0);
	u = fx_user(c->f, "ta", ROLE_TENANT_ADMIN, c->t1, false);
	c->a = fx_principal(u, "ta", ROLE_TENANT_ADMIN, c->t1);
	u = fx_user(c->f, "tb", ROLE_TENANT_ADMIN, c->t2, false);
	c->b = fx_principal(u, "tb", ROLE_TENANT_ADMIN, c->t2);
	plan = fx_plan(c->f, "vuln-scan", "scan", 100);
	subscribe(c, c->t1, plan, 3);
	*state = c;
	return 0;
}

static int
teardown(void **state)
{
	struct ctx *c = *state;

	fx_free(c->f);
	free(c);
	return 0;
}

static const char *
forbidden(const char *text, bool allow_lo)
{
	struct sockaddr_storage ss = { 0 };

	if (inet_pton(AF_INET, text, &((struct sockaddr_in *)&ss)->sin_addr) == 1)
		ss.ss_family = AF_INET;
	else if (inet_pton(AF_INET6, text, &((struct sockaddr_in6 *)&ss)->sin6_addr) == 1)
		ss.ss_family = AF_INET6;
	else
		fail_msg("bad test address %s", text);
	return scans_forbidden_address((struct sockaddr *)&ss, allow_lo);
}

static void
test_forbidden_addresses(void **state)
{
	static const struct { const char *addr; const char *why; } rows[] = {
		{ "127.0.0.1", "loopback" }, { "127.255.0.9", "loopback" }, { "::1", "loopback" },
		{ "::ffff:127.0.0.1", "loopback" }, { "169.254.169.254", "link-local" },
		{ "::ffff:169.254.169.254", "link-local" }, { "100.100.100.200", "Alibaba" },
		{ "fd00:ec2::254", "AWS" }, { "fe80::1", "link-local" }, { "febf::1", "link-local" },
		{ "224.0.0.251", "multicast" }, { "ff02::1", "multicast" },
		{ "255.255.255.255", "reserved" }, { "0.0.0.0", "this network" },
		{ "::", "unspecified" }, { "::127.0.0.1", "IPv4-compatible" },
		{ "64:ff9b::a9fe:a9fe", "NAT64" }, { "2002:a9fe:a9fe::1", "6to4" },
		{ "2001:0:4136:e378::1", "Teredo" }, { "168.63.129.16", "Azure" },
		{ "100.64.0.1", "shared address space" }, { "192.0.0.192", "Oracle" },
		{ "198.18.0.1", "benchmarking" },
		{ "10.0.0.1", NULL }, { "192.168.1.1", NULL }, { "100.128.0.1", NULL },
		{ "169.255.0.1", NULL }, { "fec0::1", NULL }, { "2001:db8::1", NULL },
		{ "223.255.255.255", NULL }, { "8.8.8.8", NULL },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const char *why = forbidden(rows[i].addr, false);

		if (rows[i].why == NULL) {
			if (why != NULL)
				fail_msg("%s refused: %s", rows[i].addr, why);
		} else if (why == NULL || strstr(why, rows[i].why) == NULL) {
			fail_msg("%s: expected '%s', got '%s'", rows[i].addr, rows[i].why,
			    why ? why : "(allowed)");
		}
	}
	/* scan_allow_loopback lifts loopback only. */
	assert_null(forbidden("127.0.0.1", true));
	assert_null(forbidden("::1", true));
	assert_non_null(forbidden("169.254.169.254", true));
}

static json_t *
create(struct ctx *c, const struct principal *p, const char *target, struct ys_err *e)
{
	json_t *in = json_pack("{s:s}", "target", target), *out = NULL;
	int rc;

	struct scans_target_spec spec;

	memset(e, 0, sizeof(*e));
	rc = scans_target_parse(target, true, &spec, e);
	if (rc == 0)
		rc = scans_target_create(c->f->db, p, &spec, in, &out, e);
	scans_target_spec_clear(&spec);
	json_decref(in);
	assert_true(rc == 0 ? out != NULL : out == NULL);
	return out;
}

static void
test_target_parsing(void **state)
{
	struct ctx *c = *state;
	static const struct { const char *target, *msg; } bad[] = {
		{ "10.0.0.0/23", "prefix of 10.0.0.0/23 must be 24 to 32" },
		{ "2001:db8::/119", "must be 120 to 128" },
		{ "10.0.0.1/24", "host bits set" },
		{ "10.0.0.0/", "expected ADDRESS/PREFIX" },
		{ "10.0.0.0/2x", "must be 24" },
		{ "10.0.0.0/-8", "must be 24" },
		{ "999.0.0.0/24", "not an IPv4 or IPv6 address" },
		{ "169.254.169.0/24", "link-local" },
		{ "host_name.example", "not an IP address, a CIDR block or a host name" },
		{ "-x.example", "not an IP address" },
		{ "x-.example", "not an IP address" },
		{ "a..b", "not an IP address" },
		{ "1.2.3", "not an IP address" },
		{ "", "not an IP address" },
		{ "no-such-host.invalid", "cannot resolve" },
		/* A single label would go through the control plane's search
		 * domains (internal names). */
		{ "intranet", "fully qualified" },
	};
	struct ys_err e;
	json_t *t;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_null(create(c, &c->a, bad[i].target, &e));
		if (e.code == NULL || strstr(e.msg, bad[i].msg) == NULL)
			fail_msg("%s: expected '%s', got %s '%s'", bad[i].target, bad[i].msg,
			    e.code ? e.code : "-", e.msg);
	}
	assert_int_equal(db_int(c->f->db, -1, "SELECT count(*) FROM scan_targets", ""), 0);

	/* A /30: its two host addresses; the canonical text is kept. */
	t = create(c, &c->a, "192.0.2.4/30", &e);
	assert_non_null(t);
	assert_string_equal(json_string_value(json_object_get(t, "kind")), "cidr");
	assert_int_equal(json_array_size(json_object_get(t, "addresses")), 2);
	assert_string_equal(json_string_value(json_array_get(json_object_get(t, "addresses"), 0)),
	    "192.0.2.5");
	assert_string_equal(json_string_value(json_object_get(t, "status")), "pending");
	json_decref(t);
	/* IPv6 in its canonical form; the same target twice is a conflict. */
	t = create(c, &c->a, "2001:DB8:0:0::1", &e);
	assert_string_equal(json_string_value(json_object_get(t, "target")), "2001:db8::1");
	json_decref(t);
	assert_null(create(c, &c->a, "2001:db8::1", &e));
	assert_string_equal(e.code, "conflict");
	/* A host name resolves (localhost, loopback allowed in this test). */
	t = create(c, &c->a, "LOCALHOST", &e);
	assert_non_null(t);
	assert_string_equal(json_string_value(json_object_get(t, "target")), "localhost");
	assert_string_equal(json_string_value(json_object_get(t, "kind")), "host");
	json_decref(t);
	/* Quota: three targets. */
	assert_null(create(c, &c->a, "192.0.2.99", &e));
	assert_string_equal(e.code, "quota_exceeded");
	/* No subscription at all. */
	assert_null(create(c, &c->b, "192.0.2.1", &e));
	assert_string_equal(e.code, "forbidden");
}

static void
test_agent_addresses_authorise(void **state)
{
	struct ctx *c = *state;
	struct ys_err e;
	int64_t n1, n2;
	json_t *rep = json_pack("[s, s, s, s, i]", "58.246.0.10", "2400:da00::10", "10.0.0.5",
	    "junk", 5), *t;

	assert_int_equal(db_run(c->f->db, "INSERT INTO nodes (tenant_id, kind, hostname,"
	    " enrolled_at) VALUES (?, 'agent', 'h1', 1)", "l", c->t1), 1);
	n1 = db_last_id(c->f->db);
	assert_int_equal(db_run(c->f->db, "INSERT INTO nodes (tenant_id, kind, hostname,"
	    " enrolled_at) VALUES (?, 'agent', 'h2', 1)", "l", c->t2), 1);
	n2 = db_last_id(c->f->db);
	/* h1 reports three addresses and connects from 58.246.0.10. */
	assert_int_equal(scans_node_addresses(c->f->db, n1, c->t1, rep, "58.246.0.10"), 0);
	assert_int_equal(db_int(c->f->db, -1, "SELECT count(*) FROM node_addresses WHERE"
	    " node_id = ?", "l", n1), 4);
	/* A private address h1 connects from is reported too: still not global. */
	assert_int_equal(scans_node_addresses(c->f->db, n1, c->t1, rep, "10.0.0.5"), 0);
	json_decref(rep);
	/* t2's host: 58.246.0.20, reported and connecting from it. */
	rep = json_pack("[s]", "58.246.0.20");
	assert_int_equal(scans_node_addresses(c->f->db, n2, c->t2, rep, "58.246.0.20"), 0);
	json_decref(rep);

	/* Reported by t1's agent and its connection comes from it: authorised,
	 * also when written as IPv4-mapped IPv6. */
	t = create(c, &c->a, "::ffff:58.246.0.10", &e);
	assert_non_null(t);
	assert_string_equal(json_string_value(json_object_get(t, "target")), "58.246.0.10");
	assert_string_equal(json_string_value(json_object_get(t, "status")), "authorized");
	assert_string_equal(json_string_value(json_object_get(t, "authorization")), "agent");
	assert_string_equal(json_string_value(json_object_get(t, "authorized_by")), "node/1");
	json_decref(t);
	/* Only reported (a heartbeat's list is the tenant's word): pending. */
	t = create(c, &c->a, "2400:da00::10", &e);
	assert_string_equal(json_string_value(json_object_get(t, "status")), "pending");
	json_decref(t);
	/* Reported and connecting from it, but private: pending. */
	t = create(c, &c->a, "10.0.0.5", &e);
	assert_string_equal(json_string_value(json_object_get(t, "status")), "pending");
	json_decref(t);
	{
		json_t *out = NULL;
		int64_t id = db_int(c->f->db, 0, "SELECT max(id) FROM scan_targets", "");

		assert_int_equal(scans_target_delete(c->f->db, &c->a, id, &out, &e), 0);
		json_decref(out);
	}
	/* t2's host is not t1's: pending, and an operator cannot authorise it
	 * for t1 either; t2's own agent proves it for t2. */
	t = create(c, &c->a, "58.246.0.20", &e);
	assert_string_equal(json_string_value(json_object_get(t, "status")), "pending");
	{
		json_t *out = NULL;
		int64_t id = json_integer_value(json_object_get(t, "id"));

		assert_int_equal(scans_target_approve(c->f->db, &c->admin, id, "ref", &out, &e), -1);
		assert_string_equal(e.code, "conflict");
		/* Another tenant cannot see or decide it. */
		assert_null(scans_target_get(c->f->db, &c->b, id, &e));
		assert_string_equal(e.code, "not_found");
	}
	json_decref(t);
	/* A revoked agent's addresses no longer authorise. */
	assert_int_equal(db_run(c->f->db, "UPDATE nodes SET revoked_at = 1 WHERE id = ?", "l", n1),
	    1);
	{
		json_t *out = NULL;
		int64_t first = db_int(c->f->db, 0, "SELECT min(id) FROM scan_targets"
		    " WHERE deleted_at IS NULL", "");

		/* Deleting a target frees its unit of quota. */
		assert_int_equal(scans_target_delete(c->f->db, &c->a, first, &out, &e), 0);
		json_decref(out);
	}
	t = create(c, &c->a, "58.246.0.10", &e);
	assert_non_null(t);
	assert_string_equal(json_string_value(json_object_get(t, "status")), "pending");
	json_decref(t);
}

static int
listener(struct sockaddr_in *sa)
{
	socklen_t sl = sizeof(*sa);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	sa->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)sa, sizeof(*sa)), 0);
	assert_int_equal(listen(fd, 8), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)sa, &sl), 0);
	return fd;
}

static void
test_scan_run_and_diff(void **state)
{
	struct ctx *c = *state;
	struct scanworker_opts o = { .timeout_ms = 300, .threads = 1, .allow_loopback = true };
	struct sockaddr_in s1, s2;
	char ports[64];
	struct ys_err e = { 0 };
	int f1 = listener(&s1), f2 = listener(&s2);
	json_t *in, *t, *job = NULL, *res = NULL, *diff;
	int64_t tid, j1, j2;

	snprintf(ports, sizeof(ports), "%u,%u", ntohs(s1.sin_port), ntohs(s2.sin_port));
	in = json_pack("{s:s, s:s}", "target", "127.0.0.1", "ports", ports);
	{
		struct scans_target_spec spec;

		assert_int_equal(scans_target_parse("127.0.0.1", true, &spec, &e), 0);
		assert_int_equal(scans_target_create(c->f->db, &c->a, &spec, in, &t, &e), 0);
		scans_target_spec_clear(&spec);
	}
	json_decref(in);
	tid = json_integer_value(json_object_get(t, "id"));
	json_decref(t);
	/* Pending: no scan. */
	in = json_object();
	assert_int_equal(scans_create(c->f->db, &c->a, tid, in, &job, &e), -1);
	assert_string_equal(e.code, "forbidden");
	assert_int_equal(scans_target_approve(c->f->db, &c->admin, tid, "SQ-1", &t, &e), 0);
	json_decref(t);
	assert_int_equal(scans_create(c->f->db, &c->a, tid, in, &job, &e), 0);
	j1 = json_integer_value(json_object_get(job, "id"));
	json_decref(job);
	/* Loopback forbidden for the worker now: the scan fails, says why. */
	o.allow_loopback = false;
	assert_int_equal(scanworker_run_once(c->f->db, &o, NULL), 1);
	assert_int_equal(scanworker_run_once(c->f->db, &o, NULL), 0);
	job = scans_get(c->f->db, &c->a, j1, &e);
	assert_string_equal(json_string_value(json_object_get(job, "status")), "failed");
	assert_non_null(strstr(json_string_value(json_object_get(job, "error")), "loopback"));
	json_decref(job);
	o.allow_loopback = true;

	assert_int_equal(scans_create(c->f->db, &c->a, tid, in, &job, &e), 0);
	j1 = json_integer_value(json_object_get(job, "id"));
	json_decref(job);
	assert_int_equal(scanworker_run_once(c->f->db, &o, NULL), 1);
	assert_int_equal(scans_results(c->f->db, &c->a, j1, &res, &e), 0);
	assert_int_equal(json_array_size(json_object_get(res, "ports")), 2);
	assert_true(json_is_null(json_object_get(res, "diff")));
	assert_int_equal(json_integer_value(json_object_get(json_object_get(res, "scan"),
	    "ports_done")), 2);
	assert_string_equal(json_string_value(json_object_get(json_object_get(res, "scan"),
	    "method")), "connect");
	json_decref(res);

	close(f2);
	/* The second scan asks for SYN: raw sockets when this test may open
	 * them (root in CI), the connect scan otherwise; same answer. */
	o.syn = true;
	assert_int_equal(scans_create(c->f->db, &c->a, tid, in, &job, &e), 0);
	j2 = json_integer_value(json_object_get(job, "id"));
	json_decref(job);
	assert_int_equal(scanworker_run_once(c->f->db, &o, NULL), 1);
	assert_int_equal(scans_results(c->f->db, &c->a, j2, &res, &e), 0);
	{
		const char *m = json_string_value(json_object_get(json_object_get(res, "scan"),
		    "method"));
		int raw = socket(AF_INET, SOCK_RAW, IPPROTO_TCP);

		assert_string_equal(m, raw >= 0 ? "syn" : "connect");
		if (raw >= 0)
			close(raw);
	}
	diff = json_object_get(res, "diff");
	assert_int_equal(json_integer_value(json_object_get(diff, "previous_scan_id")), j1);
	assert_int_equal(json_array_size(json_object_get(diff, "new_ports")), 0);
	assert_int_equal(json_array_size(json_object_get(diff, "closed_ports")), 1);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(
	    json_object_get(diff, "closed_ports"), 0), "port")), ntohs(s2.sin_port));
	json_decref(res);
	/* Another tenant cannot read the results. */
	assert_int_equal(scans_results(c->f->db, &c->b, j2, &res, &e), -1);
	assert_string_equal(e.code, "not_found");
	/* Both runs are in the audit trail as the scanner's. */
	assert_int_equal(db_int(c->f->db, 0, "SELECT count(*) FROM audit_log WHERE actor ="
	    " 'system:scanner' AND action = 'scan.finish'", ""), 3);
	/* A scan that would outlast the job's time limit stops at it, keeps
	 * what it found and says why (one worker serves every tenant). */
	{
		json_t *slow = json_pack("{s:s, s:i}", "ports", "1-65535", "rate", 500);
		int64_t j3;

		o.max_seconds = 1;
		o.syn = false;
		assert_int_equal(scans_create(c->f->db, &c->a, tid, slow, &job, &e), 0);
		j3 = json_integer_value(json_object_get(job, "id"));
		json_decref(job);
		json_decref(slow);
		assert_int_equal(scanworker_run_once(c->f->db, &o, NULL), 1);
		job = scans_get(c->f->db, &c->a, j3, &e);
		assert_string_equal(json_string_value(json_object_get(job, "status")), "failed");
		assert_non_null(strstr(json_string_value(json_object_get(job, "error")),
		    "time limit of 1 s"));
		assert_true(json_integer_value(json_object_get(job, "ports_done")) < 65535);
		json_decref(job);
	}
	json_decref(in);
	close(f1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_forbidden_addresses),
		cmocka_unit_test_setup_teardown(test_target_parsing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_agent_addresses_authorise, setup, teardown),
		cmocka_unit_test_setup_teardown(test_scan_run_and_diff, setup, teardown),
	};

	log_set_level(LOG_LVL_ERR);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
