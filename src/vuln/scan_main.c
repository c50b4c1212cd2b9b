/*
 * yunshou-scan: the network scanner engine run by hand on one host --
 * connect scan, service identification, TLS and web checks -- printing
 * text or JSON. It scans loopback addresses freely and anything else only
 * with --authorized-by, whose text is recorded in the output; the control
 * plane will drive the same library from a worker with its own
 * authorisation of targets (docs/VULN.md "Network scans").
 */
#include <arpa/inet.h>
#include <getopt.h>
#include <limits.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "httpcheck.h"
#include "netfinding.h"
#include "portscan.h"
#include "svcid.h"
#include "tlscheck.h"

static atomic_bool cancel_scan;

static void
on_signal(int sig)
{
	(void)sig;
	atomic_store(&cancel_scan, true);
}

static void
usage(FILE *f)
{
	fprintf(f, "usage: yunshou-scan --target HOST [--ports SPEC] [--rate N] "
	    "[--timeout MS]\n"
	    "                    [--concurrency N] [--threads N] [--ports-only] [--json] "
	    "[--authorized-by TEXT]\n"
	    "  --ports SPEC        ports and ranges, e.g. 1-1024,3306,8080-8090 "
	    "(default 1-1024)\n"
	    "  --rate N            connects per second (default: no limit)\n"
	    "  --timeout MS        per connect and per probe read (default 1000)\n"
	    "  --concurrency N     connects in flight (default 512)\n"
	    "  --threads N         scanning threads (default: online CPUs, at most 4)\n"
	    "  --ports-only        open ports only: no service, TLS or web checks\n"
	    "  --authorized-by T   who authorised scanning a non-loopback target, "
	    "recorded in the output\n");
}

static int
parse_uint(const char *opt, const char *s, unsigned min, unsigned max,
    unsigned *out)
{
	char *end;
	unsigned long v;

	v = strtoul(s, &end, 10);
	if (*s == '\0' || *s == '-' || *end != '\0' || v < min || v > max) {
		fprintf(stderr, "yunshou-scan: %s: '%s' is not a number from %u to %u\n",
		    opt, s, min, max);
		return -1;
	}
	*out = (unsigned)v;
	return 0;
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static const char *
auth_name(enum svcid_auth a)
{
	return a == SVCID_AUTH_NONE ? "none" : a == SVCID_AUTH_REQUIRED ? "required" : "unknown";
}

struct port_report {
	uint16_t port;
	struct svcid_result svc;
	bool tls_checked;
	struct tlscheck_result tls;
};

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "target", required_argument, NULL, 't' },
		{ "ports", required_argument, NULL, 'p' },
		{ "rate", required_argument, NULL, 'r' },
		{ "timeout", required_argument, NULL, 'T' },
		{ "concurrency", required_argument, NULL, 'c' },
		{ "threads", required_argument, NULL, 'n' },
		{ "authorized-by", required_argument, NULL, 'a' },
		{ "ports-only", no_argument, NULL, 'P' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *target = NULL, *spec = "1-1024", *authorized_by = NULL;
	struct portscan_opts o = { 0 };
	struct portscan_result res = { 0 };
	struct netfinding_list fl = { 0 };
	struct port_report *rep = NULL;
	struct sockaddr_storage ss;
	socklen_t sl;
	char err[256], addr[INET6_ADDRSTRLEN] = "";
	uint16_t *ports = NULL;
	size_t nports;
	unsigned timeout = 1000;
	bool json = false, ports_only = false, loopback;
	double t0, t_scan, t_end;
	int ch, rc = 1;

	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case 't': target = optarg; break;
		case 'p': spec = optarg; break;
		case 'r':
			if (parse_uint("--rate", optarg, 1, 1000000, &o.rate) != 0)
				return 2;
			break;
		case 'T':
			if (parse_uint("--timeout", optarg, 1, 60000, &timeout) != 0)
				return 2;
			break;
		case 'c':
			if (parse_uint("--concurrency", optarg, 1, 16384, &o.concurrency) != 0)
				return 2;
			break;
		case 'n':
			if (parse_uint("--threads", optarg, 1, PORTSCAN_MAX_THREADS, &o.threads) != 0)
				return 2;
			break;
		case 'a': authorized_by = optarg; break;
		case 'P': ports_only = true; break;
		case 'j': json = true; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (target == NULL || optind != argc) {
		usage(stderr);
		return 2;
	}
	if (authorized_by != NULL && authorized_by[strspn(authorized_by, " \t")] == '\0') {
		fprintf(stderr, "yunshou-scan: --authorized-by needs a text saying who "
		    "authorised the scan\n");
		return 2;
	}
	if (portscan_parse_spec(spec, &ports, &nports, err, sizeof(err)) != 0) {
		fprintf(stderr, "yunshou-scan: %s\n", err);
		return 2;
	}
	if (portscan_resolve(target, &ss, &sl, err, sizeof(err)) != 0) {
		fprintf(stderr, "yunshou-scan: %s\n", err);
		free(ports);
		return 2;
	}
	if (ss.ss_family == AF_INET)
		inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr, addr, sizeof(addr));
	else
		inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ss)->sin6_addr, addr, sizeof(addr));
	loopback = portscan_is_loopback((struct sockaddr *)&ss);
	if (!loopback && authorized_by == NULL) {
		fprintf(stderr, "yunshou-scan: refused: target %s (%s) is not a loopback "
		    "address; scan it only with permission, given as --authorized-by "
		    "\"who authorised it and the ticket\"\n", target, addr);
		free(ports);
		return 3;
	}

	signal(SIGPIPE, SIG_IGN);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	o.timeout_ms = timeout;
	o.cancel = &cancel_scan;
	if (o.threads == 0) {
		long cpus = sysconf(_SC_NPROCESSORS_ONLN);
		o.threads = cpus < 1 ? 1 : cpus > 4 ? 4 : (unsigned)cpus;
	}
	t0 = now_s();
	if (portscan_run((struct sockaddr *)&ss, sl, ports, nports, &o, &res,
	    err, sizeof(err)) != 0) {
		fprintf(stderr, "yunshou-scan: %s\n", err);
		goto out;
	}
	t_scan = now_s();
	rep = calloc(res.n_open ? res.n_open : 1, sizeof(*rep));
	if (rep == NULL) {
		fprintf(stderr, "yunshou-scan: out of memory\n");
		goto out;
	}
	for (size_t i = 0; i < res.n_open; i++) {
		struct port_report *p = &rep[i];

		p->port = res.open[i];
		if (ports_only || atomic_load(&cancel_scan))
			continue;
		svcid_identify((struct sockaddr *)&ss, sl, p->port, timeout, &p->svc);
		if (svcid_findings(&p->svc, p->port, &fl) != 0)
			goto oom;
		if (p->svc.tls) {
			p->tls_checked = true;
			if (tlscheck_run((struct sockaddr *)&ss, sl, p->port, target,
			    timeout, &p->tls) == 0 &&
			    tlscheck_findings(&p->tls, p->port, &fl) != 0)
				goto oom;
		}
		if (strcmp(p->svc.service, "http") == 0 || strcmp(p->svc.service, "https") == 0)
			if (httpcheck_run((struct sockaddr *)&ss, sl, p->port, p->svc.tls,
			    target, timeout, &fl) < 0)
				goto oom;
	}
	t_end = now_s();

	if (json) {
		json_t *root, *open, *svcs, *tls, *finds;
		char *s;

		root = json_pack("{s:s, s:s, s:s, s:s?, s:s, s:I, s:I, s:I, s:b, s:I, s:I}",
		    "target", target, "address", addr,
		    "authorization", loopback && authorized_by == NULL ? "loopback" : "operator",
		    "authorized_by", authorized_by,
		    "ports_spec", spec, "ports_scanned", (json_int_t)res.done,
		    "ports_timed_out", (json_int_t)res.timed_out,
		    "ports_requested", (json_int_t)nports,
		    "cancelled", res.cancelled || atomic_load(&cancel_scan),
		    "portscan_ms", (json_int_t)((t_scan - t0) * 1000),
		    "total_ms", (json_int_t)((t_end - t0) * 1000));
		open = json_array();
		svcs = json_array();
		tls = json_array();
		finds = json_array();
		if (root == NULL || open == NULL || svcs == NULL || tls == NULL || finds == NULL)
			goto oom;
		for (size_t i = 0; i < res.n_open; i++) {
			struct port_report *p = &rep[i];

			json_array_append_new(open, json_integer(p->port));
			if (ports_only)
				continue;
			json_array_append_new(svcs, json_pack("{s:i, s:s, s:s, s:s, s:b, s:s, s:s, s:s}",
			    "port", p->port, "service", p->svc.service,
			    "product", p->svc.product, "version", p->svc.version,
			    "tls", p->svc.tls, "auth", auth_name(p->svc.auth),
			    "probe", p->svc.probe, "banner", p->svc.banner));
			if (p->tls_checked && p->tls.handshake) {
				json_t *v = json_array();
				for (int k = 0; k < TLSCHECK_NVERSIONS; k++)
					if (p->tls.accepts[k])
						json_array_append_new(v, json_string(
						    tlscheck_version_name((enum tlscheck_version)k)));
				json_array_append_new(tls, json_pack(
				    "{s:i, s:o, s:s, s:s, s:{s:s, s:s, s:s, s:i, s:b, s:b, s:b, s:b}}",
				    "port", p->port, "versions", v, "weak_ciphers", p->tls.weak,
				    "untested_cipher_classes", p->tls.untested, "certificate",
				    "subject", p->tls.subject, "issuer", p->tls.issuer,
				    "not_after", p->tls.not_after, "days_left", p->tls.days_left,
				    "expired", p->tls.expired, "expiring", p->tls.expiring,
				    "self_signed", p->tls.self_signed,
				    "name_mismatch", p->tls.name_mismatch));
			}
		}
		for (size_t i = 0; i < fl.n; i++)
			json_array_append_new(finds, netfinding_json(&fl.v[i]));
		json_object_set_new(root, "open_ports", open);
		json_object_set_new(root, "services", svcs);
		json_object_set_new(root, "tls", tls);
		json_object_set_new(root, "findings", finds);
		s = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		json_decref(root);
		if (s == NULL)
			goto oom;
		puts(s);
		free(s);
	} else {
		printf("target %s (%s), authorisation: %s\n", target, addr,
		    authorized_by != NULL ? authorized_by : "loopback");
		printf("%zu of %zu ports scanned in %.2f s%s, %zu open\n", res.done,
		    nports, t_scan - t0, res.cancelled ? " (cancelled)" : "", res.n_open);
		for (size_t i = 0; i < res.n_open; i++) {
			struct port_report *p = &rep[i];

			if (ports_only) {
				printf("%u/tcp open\n", p->port);
				continue;
			}
			printf("%u/tcp open  %-10s %s %s%s%s\n", p->port, p->svc.service,
			    p->svc.product, p->svc.version, p->svc.tls ? " (TLS)" : "",
			    p->svc.auth == SVCID_AUTH_NONE ? " (no auth)" : "");
			if (p->tls_checked && p->tls.handshake) {
				printf("    TLS:");
				for (int k = 0; k < TLSCHECK_NVERSIONS; k++)
					if (p->tls.accepts[k])
						printf(" %s", tlscheck_version_name((enum tlscheck_version)k));
				printf("; certificate %s, expires %s\n", p->tls.subject,
				    p->tls.not_after);
			}
		}
		for (size_t i = 0; i < fl.n; i++)
			printf("[%s/%s] %u/tcp %s: %s\n",
			    netfinding_severity_zh(fl.v[i].def->severity),
			    netfinding_severity_name(fl.v[i].def->severity), fl.v[i].port,
			    fl.v[i].def->id, fl.v[i].evidence);
	}
	rc = res.cancelled ? 130 : 0;
	goto out;
oom:
	fprintf(stderr, "yunshou-scan: out of memory\n");
	rc = 1;
out:
	free(rep);
	netfinding_list_free(&fl);
	portscan_result_free(&res);
	free(ports);
	return rc;
}
