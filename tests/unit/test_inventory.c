/*
 * Unit tests of the inventory: the dpkg status parser on real-format input
 * (multi-line fields, "Source: name (version)", entries that are not
 * installed) and on this machine's own database against dpkg-query; the
 * rpm query parser; /proc/net parsing (hex addresses, IPv6, LISTEN, owning
 * process); diffs (upgrade, add, remove); snapshot and diff paging; and the
 * module end to end through a real event queue.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "hostfx.h"
#include "hostfs.h"
#include "inventory.h"
#include "log.h"
#include "module.h"
#include "packages.h"
#include "queue.h"
#include "sockets.h"

static char *
pkg_line(const json_t *p)
{
	static char buf[512];

	snprintf(buf, sizeof(buf), "%s:%s %s <- %s %s", json_string_value(json_object_get(p, "name")),
	    json_string_value(json_object_get(p, "arch")),
	    json_string_value(json_object_get(p, "version")),
	    json_string_value(json_object_get(p, "source")),
	    json_string_value(json_object_get(p, "source_version")));
	return buf;
}

static void
test_dpkg_fixture(void **state)
{
	static const char *const want[] = {
		"base-files:amd64 12.4+deb12u5 <- base-files 12.4+deb12u5",
		"bash:amd64 5.2.15-2+b2 <- bash 5.2.15-2",
		"libgcc-s1:amd64 12.2.0-14 <- gcc-12 12.2.0-14",
		"libssl3:amd64 3.0.11-1~deb12u2 <- openssl 3.0.11-1~deb12u2",
		"libssl3:i386 3.0.11-1~deb12u2 <- openssl 3.0.11-1~deb12u2",
		"nano:amd64 7.2-1 <- nano 7.2-1",	/* deinstall ok installed: still installed */
		"openssh-server:amd64 1:9.2p1-2+deb12u2 <- openssh 1:9.2p1-2+deb12u2",
	};
	size_t len, skipped = 99;
	char *text = hostfs_read(HOSTFX_DIR "/debian-good", "/var/lib/dpkg/status", 1 << 20, &len);
	json_t *pkgs;

	(void)state;
	assert_non_null(text);
	pkgs = packages_parse_dpkg(text, len, &skipped);
	assert_int_equal(json_array_size(pkgs), sizeof(want) / sizeof(want[0]));
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		assert_string_equal(pkg_line(json_array_get(pkgs, i)), want[i]);
	/* telnetd (config-files) and vim-tiny (not-installed) are not packages on the host. */
	assert_int_equal(skipped, 0);
	json_decref(pkgs);
	free(text);
}

/* Edge cases of the status format: input, packages kept, paragraphs skipped. */
static const struct {
	const char *text;
	size_t kept, skipped;
	const char *first;
} dpkg_cases[] = {
	{ "", 0, 0, NULL },
	{ "\n\n\n", 0, 0, NULL },
	{ "Package: a\r\nStatus: install ok installed\r\nVersion: 1.0\r\nArchitecture: all\r\n", 1, 0,
	  "a:all 1.0 <- a 1.0" },
	{ "package: a\nSTATUS: install ok installed\nversion: 1.0\narchitecture: all", 1, 0,
	  "a:all 1.0 <- a 1.0" },
	{ "Package: a\nStatus: install ok triggers-pending\nVersion: 2\nArchitecture: amd64\n", 1, 0,
	  "a:amd64 2 <- a 2" },
	{ "Package: a\nStatus: install reinstreq half-installed\nVersion: 2\nArchitecture: amd64\n",
	  0, 0, NULL },
	{ "Package: a\nStatus: hold ok installed\nVersion: 2\nArchitecture: amd64\n", 1, 0,
	  "a:amd64 2 <- a 2" },
	{ "Package: a\nStatus: install ok installed\nArchitecture: amd64\n", 0, 1, NULL },
	{ "Package: A_b\nStatus: install ok installed\nVersion: 1\nArchitecture: amd64\n", 0, 1, NULL },
	{ "Package: a\nStatus: install ok installed\nVersion: 1 2\nArchitecture: amd64\n", 0, 1, NULL },
	{ "Package: a\nStatus: install ok installed\nVersion: 1\nArchitecture: amd64\nSource: s (1.0\n",
	  0, 1, NULL },
	{ "Package: a\nStatus: install ok installed\nVersion: 1\nArchitecture: amd64\nSource: s ()\n",
	  0, 1, NULL },
	{ "Package: a\nStatus: install ok installed\nVersion: 1\nArchitecture: amd64\nSource:  s  ( 0.9 ) \n",
	  1, 0, "a:amd64 1 <- s 0.9" },
	{ "Package: a\nStatus: install ok installed\nVersion: 1\nArchitecture: amd64\nDescription: x\n"
	  " Package: evil\n Version: 666\n", 1, 0, "a:amd64 1 <- a 1" },
	{ "Status: install ok installed\nVersion: 1\n\nPackage: b\nStatus: install ok installed\n"
	  "Version: 1\nArchitecture: all\n", 1, 1, "b:all 1 <- b 1" },
	{ "Package: a\nStatus: install ok installed\nVersion: 1\nArchitecture: amd64\n\t\n"
	  "Package: b\nStatus: install ok installed\nVersion: 1\nArchitecture: amd64\n", 2, 0,
	  "a:amd64 1 <- a 1" },
};

static void
test_dpkg_edge_cases(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(dpkg_cases) / sizeof(dpkg_cases[0]); i++) {
		size_t skipped = 99;
		json_t *pkgs = packages_parse_dpkg(dpkg_cases[i].text, strlen(dpkg_cases[i].text),
		    &skipped);

		if (json_array_size(pkgs) != dpkg_cases[i].kept || skipped != dpkg_cases[i].skipped)
			fail_msg("case %zu: kept %zu skipped %zu, want %zu and %zu", i,
			    json_array_size(pkgs), skipped, dpkg_cases[i].kept, dpkg_cases[i].skipped);
		if (dpkg_cases[i].first)
			assert_string_equal(pkg_line(json_array_get(pkgs, 0)), dpkg_cases[i].first);
		json_decref(pkgs);
	}
}

/* This machine's database: as many packages as dpkg-query says are
 * installed. Held packages ("hi") and ones with triggers pending count as
 * installed too, so the comparison is with every abbreviation whose status
 * letter is i, W or t; on a host without holds that is `grep -c '^ii'`. */
static void
test_dpkg_real_host(void **state)
{
	size_t len, skipped;
	char *text = hostfs_read("/", "/var/lib/dpkg/status", HOSTFS_MAX_FILE, &len);
	json_t *pkgs;
	FILE *p;
	long want = -1, ii = -1;

	(void)state;
	if (text == NULL || access("/usr/bin/dpkg-query", X_OK) != 0) {
		free(text);
		skip();
	}
	p = popen("dpkg-query -W -f='${db:Status-Abbrev}\\n' | grep -c '^.[iWt]'", "r");
	assert_non_null(p);
	assert_int_equal(fscanf(p, "%ld", &want), 1);
	pclose(p);
	p = popen("dpkg-query -W -f='${db:Status-Abbrev}\\n' | grep -c '^ii'", "r");
	assert_non_null(p);
	assert_int_equal(fscanf(p, "%ld", &ii), 1);
	pclose(p);
	pkgs = packages_parse_dpkg(text, len, &skipped);
	fprintf(stderr, "this host: %zu installed packages (dpkg-query: %ld, of which ii %ld), "
	    "%zu paragraphs skipped\n", json_array_size(pkgs), want, ii, skipped);
	assert_int_equal((long)json_array_size(pkgs), want);
	assert_int_equal(skipped, 0);
	json_decref(pkgs);
	free(text);
}

static void
test_rpm_output(void **state)
{
	static const char text[] =
	    "bash\t5.1.8-6.el9\tx86_64\tbash-5.1.8-6.el9.src.rpm\n"
	    "openssl-libs\t1:3.0.7-24.el9\tx86_64\topenssl-3.0.7-24.el9.src.rpm\n"
	    "gpg-pubkey\t350d275d-6279464b\t(none)\t(none)\n"
	    "python3-libs\t3.9.18-1.el9\tx86_64\tpython3.9-3.9.18-1.el9.src.rpm\n"
	    "broken line without tabs\n"
	    "two\tfields\n"
	    "evil\t1 0\tx86_64\tevil-1-0.src.rpm\n"
	    "nosrc\t1-1\tnoarch\tnodash.src.rpm\n";
	size_t skipped = 0;
	json_t *pkgs = packages_parse_rpm(text, strlen(text), &skipped);

	(void)state;
	assert_int_equal(json_array_size(pkgs), 4);
	assert_int_equal(skipped, 4);
	assert_string_equal(pkg_line(json_array_get(pkgs, 0)), "bash:x86_64 5.1.8-6.el9 <- bash 5.1.8-6.el9");
	assert_string_equal(pkg_line(json_array_get(pkgs, 1)),
	    "gpg-pubkey:(none) 350d275d-6279464b <- gpg-pubkey 350d275d-6279464b");
	/* The source rpm's name has no epoch: it is the binary's. */
	assert_string_equal(pkg_line(json_array_get(pkgs, 2)),
	    "openssl-libs:x86_64 1:3.0.7-24.el9 <- openssl 1:3.0.7-24.el9");
	assert_string_equal(pkg_line(json_array_get(pkgs, 3)),
	    "python3-libs:x86_64 3.9.18-1.el9 <- python3.9 3.9.18-1.el9");
	json_decref(pkgs);
}

static void
count_entry(const struct socket_entry *e, void *arg)
{
	char **out = arg;
	char line[128];
	size_t n = strlen(*out);

	snprintf(line, sizeof(line), "%s %s %u %lu %lu;", e->proto, e->addr, e->port, e->uid, e->inode);
	*out = realloc(*out, n + strlen(line) + 1);
	strcpy(*out + n, line);
}

static void
test_proc_net_parsing(void **state)
{
	static const char tcp[] =
	    "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
	    "   0: 0100007F:0CEA 00000000:0000 0A 00000000:00000000 00:00000000 00000000   106        0 5551 1 0 100 0 0 10 0\n"
	    "   1: 0201A8C0:0016 0A01A8C0:D3A6 01 00000000:00000000 02:00012345 00000000     0        0 5552 4 0 20 4 30 10 -1\n"
	    "   2: ZZZZZZZZ:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 5553\n"
	    "   3: 00000000:1F90\n"
	    "   4: 0201A8C0:01BB 00000000:0000 0a 00000000:00000000 00:00000000 00000000    33        0 5554 1 0\n";
	static const char tcp6[] =
	    "  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
	    "   0: 0000000000000000FFFF00000100007F:0050 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 6661 1 0\n"
	    "   1: B80D0120000000000000000001000000:0050 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 6662 1 0\n";
	char *out = calloc(1, 1);

	(void)state;
	assert_int_equal(sockets_parse(tcp, "tcp", count_entry, &out), 2);
	assert_string_equal(out, "tcp 127.0.0.1 3306 106 5551;tcp 192.168.1.2 443 33 5554;");
	out[0] = '\0';
	assert_int_equal(sockets_parse(tcp6, "tcp6", count_entry, &out), 2);
	assert_string_equal(out, "tcp6 ::ffff:127.0.0.1 80 0 6661;tcp6 2001:db8::1 80 0 6662;");
	assert_true(sockets_is_loopback("::ffff:127.0.0.1"));
	assert_false(sockets_is_loopback("2001:db8::1"));
	assert_int_equal(sockets_parse("garbage\n", "tcp", NULL, NULL), -1);
	assert_int_equal(sockets_parse("", "tcp", NULL, NULL), -1);
	free(out);
}

static void
test_listening_with_owner(void **state)
{
	json_t *socks = sockets_listening(HOSTFX_DIR "/debian-good", true);
	char *text;

	(void)state;
	assert_non_null(socks);
	{
		size_t i;
		json_t *s;

		json_array_foreach(socks, i, s)
			json_object_del(s, "uid");
	}
	text = json_dumps(socks, JSON_COMPACT | JSON_SORT_KEYS);
	/* Sorted by proto, port, address; the lowest pid of a shared socket; an
	 * established TCP and a connected UDP socket are not listening. */
	assert_string_equal(text,
	    "[{\"addr\":\"0.0.0.0\",\"inode\":1001,\"pid\":102,\"port\":22,\"process\":\"sshd\",\"proto\":\"tcp\"},"
	    "{\"addr\":\"127.0.0.1\",\"inode\":1003,\"pid\":103,\"port\":5432,\"process\":\"postgres\",\"proto\":\"tcp\"},"
	    "{\"addr\":\"::\",\"inode\":1002,\"pid\":102,\"port\":22,\"process\":\"sshd\",\"proto\":\"tcp6\"},"
	    "{\"addr\":\"::1\",\"inode\":1004,\"port\":5432,\"proto\":\"tcp6\"},"
	    "{\"addr\":\"127.0.0.1\",\"inode\":1005,\"port\":323,\"proto\":\"udp\"}]");
	free(text);
	json_decref(socks);
}

static void
test_collect_fixture(void **state)
{
	char err[256];
	json_t *inv = inventory_collect(HOSTFX_DIR "/debian-good", err, sizeof(err)), *u;

	(void)state;
	assert_non_null(inv);
	assert_string_equal(json_string_value(json_object_get(json_object_get(inv, "os"), "id")), "debian");
	assert_string_equal(json_string_value(json_object_get(json_object_get(inv, "os"),
	    "version_codename")), "bookworm");
	assert_string_equal(json_string_value(json_object_get(json_object_get(inv, "os"),
	    "pretty_name")), "Debian GNU/Linux 12 (bookworm)");
	assert_string_equal(json_string_value(json_object_get(json_object_get(inv, "kernel"),
	    "release")), "6.1.0-18-amd64");
	assert_string_equal(json_string_value(json_object_get(inv, "package_format")), "dpkg");
	assert_int_equal(json_array_size(json_object_get(inv, "packages")), 7);
	assert_int_equal(json_array_size(json_object_get(inv, "ports")), 5);
	assert_null(json_object_get(json_array_get(json_object_get(inv, "ports"), 0), "inode"));
	assert_int_equal(json_array_size(json_object_get(inv, "users")), 4);
	u = json_array_get(json_object_get(inv, "users"), 0);
	assert_string_equal(json_string_value(json_object_get(u, "name")), "root");
	assert_true(json_is_true(json_object_get(u, "can_login")));
	assert_string_equal(json_string_value(json_object_get(u, "password")), "set");
	u = json_array_get(json_object_get(inv, "users"), 1);
	assert_string_equal(json_string_value(json_object_get(u, "name")), "daemon");
	assert_true(json_is_false(json_object_get(u, "can_login")));
	assert_string_equal(json_string_value(json_object_get(u, "password")), "locked");
	/* The hash itself never leaves the host. */
	{
		char *all = json_dumps(inv, 0);

		assert_null(strstr(all, "$y$"));
		free(all);
	}
	json_decref(inv);
}

static json_t *
pkg(const char *name, const char *ver, const char *src, const char *srcver)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:s}", "name", name, "version", ver, "arch", "amd64",
	    "source", src, "source_version", srcver);
}

static void
test_diff(void **state)
{
	json_t *old = json_pack("{s:{s:s}, s:{s:s}, s:[o,o,o], s:[{s:s, s:s, s:i, s:s}], s:[{s:s, s:i}]}",
	    "os", "id", "debian", "kernel", "release", "6.1.0-17-amd64",
	    "packages", pkg("bash", "5.2.15-2+b1", "bash", "5.2.15-2"),
	    pkg("libssl3", "3.0.11-1~deb12u1", "openssl", "3.0.11-1~deb12u1"),
	    pkg("telnet", "0.17+2.4-2", "netkit-telnet", "0.17+2.4-2"),
	    "ports", "proto", "tcp", "addr", "0.0.0.0", "port", 23, "process", "inetd",
	    "users", "name", "root", "uid", 0);
	json_t *cur = json_pack("{s:{s:s}, s:{s:s}, s:[o,o,o], s:[{s:s, s:s, s:i, s:s}], s:[{s:s, s:i}, {s:s, s:i}]}",
	    "os", "id", "debian", "kernel", "release", "6.1.0-18-amd64",
	    "packages", pkg("bash", "5.2.15-2+b1", "bash", "5.2.15-2"),
	    pkg("libssl3", "3.0.11-1~deb12u2", "openssl", "3.0.11-1~deb12u2"),
	    pkg("nginx", "1.22.1-9", "nginx", "1.22.1-9"),
	    "ports", "proto", "tcp", "addr", "0.0.0.0", "port", 80, "process", "nginx",
	    "users", "name", "root", "uid", 0, "name", "www", "uid", 33);
	json_t *d = inventory_diff(old, cur), *same = inventory_diff(cur, cur), *up;
	const json_t *pk = json_object_get(d, "packages");

	(void)state;
	assert_null(same);
	assert_non_null(d);
	assert_null(json_object_get(d, "os"));
	assert_string_equal(json_string_value(json_object_get(json_object_get(json_object_get(d,
	    "kernel"), "new"), "release")), "6.1.0-18-amd64");
	assert_int_equal(json_array_size(json_object_get(pk, "added")), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(pk,
	    "added"), 0), "name")), "nginx");
	assert_int_equal(json_array_size(json_object_get(pk, "removed")), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(pk,
	    "removed"), 0), "name")), "telnet");
	assert_int_equal(json_array_size(json_object_get(pk, "upgraded")), 1);
	up = json_array_get(json_object_get(pk, "upgraded"), 0);
	assert_string_equal(json_string_value(json_object_get(up, "name")), "libssl3");
	assert_string_equal(json_string_value(json_object_get(up, "old_version")), "3.0.11-1~deb12u1");
	assert_string_equal(json_string_value(json_object_get(up, "new_version")), "3.0.11-1~deb12u2");
	assert_string_equal(json_string_value(json_object_get(up, "new_source")), "openssl");
	assert_string_equal(json_string_value(json_object_get(up, "new_source_version")),
	    "3.0.11-1~deb12u2");
	assert_int_equal(json_integer_value(json_object_get(json_array_get(json_object_get(
	    json_object_get(d, "ports"), "opened"), 0), "port")), 80);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(json_object_get(
	    json_object_get(d, "ports"), "closed"), 0), "port")), 23);
	assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(
	    json_object_get(d, "users"), "added"), 0), "name")), "www");
	assert_int_equal(json_array_size(json_object_get(json_object_get(d, "users"), "removed")), 0);
	json_decref(d);
	json_decref(old);
	json_decref(cur);
}

static void
test_paging(void **state)
{
	json_t *pkgs = json_array(), *inv, *parts, *diff, *cparts;
	size_t total = 0;

	(void)state;
	for (int i = 0; i < 1201; i++) {
		char name[32];

		snprintf(name, sizeof(name), "p%04d", i);
		json_array_append_new(pkgs, pkg(name, "1", name, "1"));
	}
	inv = json_pack("{s:{}, s:{}, s:s, s:O, s:[], s:[]}", "os", "kernel", "package_format", "dpkg",
	    "packages", pkgs, "ports", "users");
	parts = inventory_snapshot_parts(inv, "snap-1", INVENTORY_PAGE);
	assert_int_equal(json_array_size(parts), 3);
	for (size_t i = 0; i < 3; i++) {
		json_t *p = json_array_get(parts, i);

		assert_string_equal(json_string_value(json_object_get(p, "snapshot_id")), "snap-1");
		assert_int_equal(json_integer_value(json_object_get(p, "part")), (json_int_t)i + 1);
		assert_int_equal(json_integer_value(json_object_get(p, "parts")), 3);
		assert_int_equal(json_integer_value(json_object_get(p, "package_count")), 1201);
		assert_true((json_object_get(p, "os") != NULL) == (i == 0));
		total += json_array_size(json_object_get(p, "packages"));
	}
	assert_int_equal(total, 1201);
	assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(
	    json_array_get(parts, 2), "packages"), 0), "name")), "p1000");
	/* A diff of 300 added, 400 removed, 100 upgraded: two parts whose windows
	 * cover each list exactly once, in order. */
	diff = json_pack("{s:{s:o, s:o, s:o}, s:{s:[], s:[], s:[]}}", "packages",
	    "added", json_array(), "removed", json_array(), "upgraded", json_array(),
	    "ports", "opened", "closed", "changed");
	for (int i = 0; i < 800; i++)
		json_array_append_new(json_object_get(json_object_get(diff, "packages"),
		    i < 300 ? "added" : i < 700 ? "removed" : "upgraded"), json_integer(i));
	cparts = inventory_changed_parts(diff, "snap-2", "snap-1", INVENTORY_PAGE);
	assert_int_equal(json_array_size(cparts), 2);
	{
		json_int_t next = 0;

		for (size_t p = 0; p < 2; p++) {
			const json_t *pp = json_object_get(json_array_get(cparts, p), "packages");
			static const char *const kinds[] = { "added", "removed", "upgraded" };
			size_t n = 0;

			for (size_t k = 0; k < 3; k++) {
				size_t i;
				json_t *v;

				json_array_foreach(json_object_get(pp, kinds[k]), i, v) {
					assert_int_equal(json_integer_value(v), next);
					next++;
					n++;
				}
			}
			assert_int_equal(n, p == 0 ? 500 : 300);
			assert_string_equal(json_string_value(json_object_get(json_array_get(cparts, p),
			    "base_snapshot_id")), "snap-1");
		}
		assert_int_equal(next, 800);
	}
	assert_non_null(json_object_get(json_array_get(cparts, 0), "ports"));
	assert_null(json_object_get(json_array_get(cparts, 1), "ports"));
	json_decref(cparts);
	json_decref(diff);
	json_decref(parts);
	json_decref(inv);
	json_decref(pkgs);
}

/* Start the module, wait until it has queued at least one event past
 * `after` or timed out, stop it (which waits for its run). */
static void
run_module(struct agent_ctx *ctx, const json_t *policy)
{
	void *mod = NULL;
	uint64_t before = queue_last_seq(ctx->queue);

	assert_int_equal(inventory_start(ctx, policy, &mod), 0);
	for (int w = 0; w < 40 && queue_last_seq(ctx->queue) == before; w++)
		usleep(50 * 1000);
	inventory_stop(ctx, mod);
}

static void
test_module_snapshot_then_diffs(void **state)
{
	json_t *expected = hostfx_expected(), *policy;
	char root[64], sdir[] = "/tmp/ys-istate-XXXXXX", qdir[64], err[256], status[600];
	struct agent_paths paths = { 0 };
	struct queue *q = NULL;
	volatile int stopping = 0;
	struct agent_ctx ctx;
	struct queue_record rec[16];
	size_t n;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(sdir));
	snprintf(qdir, sizeof(qdir), "%s/queue", sdir);
	snprintf(paths.dir, sizeof(paths.dir), "%s", sdir);
	assert_int_equal(queue_open(qdir, 64 * 1024 * 1024, &q, err, sizeof(err)), 0);
	assert_int_equal(hostfx_make("debian-good", json_object_get(json_object_get(expected,
	    "debian-good"), "modes"), root, sizeof(root)), 0);
	ctx = (struct agent_ctx){ .queue = q, .paths = &paths,
		.stopping = (const volatile int *)&stopping };
	policy = json_pack("{s:b, s:i}", "enabled", 1, "interval_minutes", 60);
	setenv("YUNSHOU_HOST_ROOT", root, 1);

	/* First start in this process: the full snapshot. */
	run_module(&ctx, policy);
	assert_int_equal(queue_last_seq(q), 1);
	/* Restarted with nothing changed: nothing sent. */
	run_module(&ctx, policy);
	assert_int_equal(queue_last_seq(q), 1);
	/* A package removed (dpkg -r nano): one inventory.changed. */
	snprintf(status, sizeof(status), "%s/var/lib/dpkg/status", root);
	{
		char *text = hostfs_read(root, "/var/lib/dpkg/status", 1 << 20, NULL), *nano;
		static const char from[] = "Status: deinstall ok installed";

		assert_non_null(text);
		assert_non_null(nano = strstr(text, from));
		f = fopen(status, "w");
		assert_non_null(f);
		fprintf(f, "%.*sStatus: deinstall ok config-files%s", (int)(nano - text), text,
		    nano + strlen(from));
		fclose(f);
		free(text);
	}
	run_module(&ctx, policy);
	assert_int_equal(queue_last_seq(q), 2);
	n = queue_peek(q, rec, 16);
	assert_int_equal(n, 2);
	{
		json_t *snap = json_loads(rec[0].data, 0, NULL), *chg = json_loads(rec[1].data, 0, NULL);
		json_t *sp = json_object_get(snap, "payload"), *cp = json_object_get(chg, "payload");

		assert_string_equal(json_string_value(json_object_get(snap, "type")), "inventory.snapshot");
		assert_int_equal(json_integer_value(json_object_get(sp, "parts")), 1);
		assert_int_equal(json_integer_value(json_object_get(sp, "package_count")), 7);
		assert_string_equal(json_string_value(json_object_get(chg, "type")), "inventory.changed");
		assert_string_equal(json_string_value(json_object_get(cp, "base_snapshot_id")),
		    json_string_value(json_object_get(sp, "snapshot_id")));
		assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(
		    json_object_get(cp, "packages"), "removed"), 0), "name")), "nano");
		json_decref(snap);
		json_decref(chg);
	}
	queue_records_free(rec, n);
	json_decref(policy);
	queue_close(q);
	hostfx_remove(root);
	hostfx_remove(sdir);
	json_decref(expected);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dpkg_fixture),
		cmocka_unit_test(test_dpkg_edge_cases),
		cmocka_unit_test(test_dpkg_real_host),
		cmocka_unit_test(test_rpm_output),
		cmocka_unit_test(test_proc_net_parsing),
		cmocka_unit_test(test_listening_with_owner),
		cmocka_unit_test(test_collect_fixture),
		cmocka_unit_test(test_diff),
		cmocka_unit_test(test_paging),
		cmocka_unit_test(test_module_snapshot_then_diffs),
	};

	log_init("test_inventory", LOG_LVL_WARN, NULL);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
