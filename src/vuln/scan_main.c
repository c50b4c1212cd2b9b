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

#include "netscan.h"

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
	    "  --syn               SYN scan with raw sockets (needs CAP_NET_RAW; otherwise\n"
	    "                      the connect scan runs and the output says so)\n"
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

static int
print_json(const struct netscan_host *h, const char *target, const char *authorized_by,
    bool loopback, const char *spec, size_t nports)
{
	json_t *root = netscan_host_json(h), *head;
	char *s;

	head = json_pack("{s:s, s:s, s:s, s:s, s:s?, s:s, s:I, s:I, s:I, s:b, s:I, s:I}",
	    "target", target, "address", h->address, "method", h->ps.syn ? "syn" : "connect",
	    "authorization", loopback && authorized_by == NULL ? "loopback" : "operator",
	    "authorized_by", authorized_by,
	    "ports_spec", spec, "ports_scanned", (json_int_t)h->ps.done,
	    "ports_timed_out", (json_int_t)h->ps.timed_out,
	    "ports_requested", (json_int_t)nports, "cancelled", h->cancelled,
	    "portscan_ms", (json_int_t)(h->portscan_s * 1000),
	    "total_ms", (json_int_t)(h->total_s * 1000));
	if (root == NULL || head == NULL || json_object_update(head, root) != 0 ||
	    (s = json_dumps(head, JSON_INDENT(2) | JSON_PRESERVE_ORDER)) == NULL) {
		json_decref(root);
		json_decref(head);
		fprintf(stderr, "yunshou-scan: out of memory\n");
		return 1;
	}
	json_decref(root);
	json_decref(head);
	puts(s);
	free(s);
	return 0;
}

static int
print_text(const struct netscan_host *h, const char *target, const char *authorized_by,
    size_t nports)
{
	printf("target %s (%s), authorisation: %s\n", target, h->address,
	    authorized_by != NULL ? authorized_by : "loopback");
	printf("%zu of %zu ports scanned (%s scan) in %.2f s%s, %zu open\n", h->ps.done,
	    nports, h->ps.syn ? "SYN" : "connect", h->portscan_s,
	    h->cancelled ? " (cancelled)" : "", h->n_ports);
	for (size_t i = 0; i < h->n_ports; i++) {
		const struct netscan_port *p = &h->ports[i];

		if (!p->identified) {
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
	for (size_t i = 0; i < h->findings.n; i++)
		printf("[%s/%s] %u/tcp %s: %s\n",
		    netfinding_severity_zh(h->findings.v[i].def->severity),
		    netfinding_severity_name(h->findings.v[i].def->severity),
		    h->findings.v[i].port, h->findings.v[i].def->id, h->findings.v[i].evidence);
	return 0;
}

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
		{ "syn", no_argument, NULL, 'S' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *target = NULL, *spec = "1-1024", *authorized_by = NULL;
	struct portscan_opts o = { 0 };
	struct netscan_host h = { 0 };
	struct sockaddr_storage ss;
	socklen_t sl;
	char err[256], addr[INET6_ADDRSTRLEN] = "";
	uint16_t *ports = NULL;
	size_t nports;
	unsigned timeout = 1000;
	bool json = false, ports_only = false, loopback;
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
		case 'S': o.syn = true; break;
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
	netscan_address((struct sockaddr *)&ss, addr, sizeof(addr));
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
	if (netscan_host_run((struct sockaddr *)&ss, sl, target, ports, nports, &o, timeout,
	    ports_only, &h, err, sizeof(err)) != 0) {
		fprintf(stderr, "yunshou-scan: %s\n", err);
		goto out;
	}
	rc = json ? print_json(&h, target, authorized_by, loopback, spec, nports) :
	    print_text(&h, target, authorized_by, nports);
	if (rc == 0 && h.cancelled)
		rc = 130;
out:
	netscan_host_free(&h);
	free(ports);
	return rc;
}
