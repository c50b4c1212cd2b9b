/*
 * netscan: one host's scan from open ports to findings (netscan.h).
 */
#include "netscan.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "httpcheck.h"

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void
netscan_address(const struct sockaddr *sa, char *out, size_t outlen)
{
	const void *a = sa->sa_family == AF_INET ?
	    (const void *)&((const struct sockaddr_in *)sa)->sin_addr :
	    (const void *)&((const struct sockaddr_in6 *)sa)->sin6_addr;

	if (outlen == 0)
		return;
	if (inet_ntop(sa->sa_family, a, out, (socklen_t)outlen) == NULL)
		out[0] = '\0';
}

const char *
netscan_auth_name(enum svcid_auth a)
{
	return a == SVCID_AUTH_NONE ? "none" : a == SVCID_AUTH_REQUIRED ? "required" : "unknown";
}

static bool
cancelled(const struct portscan_opts *o)
{
	return o->cancel != NULL && atomic_load(o->cancel);
}

/* Service, TLS and web checks of one open port. 0, or -1 out of memory. */
static int
check_port(const struct sockaddr *sa, socklen_t salen, const char *name,
    unsigned timeout_ms, struct netscan_port *p, struct netfinding_list *fl)
{
	p->identified = true;
	svcid_identify(sa, salen, p->port, timeout_ms, &p->svc);
	if (svcid_findings(&p->svc, p->port, fl) != 0)
		return -1;
	if (p->svc.tls) {
		p->tls_checked = true;
		if (tlscheck_run(sa, salen, p->port, name, timeout_ms, &p->tls) == 0 &&
		    tlscheck_findings(&p->tls, p->port, fl) != 0)
			return -1;
	}
	if (strcmp(p->svc.service, "http") == 0 || strcmp(p->svc.service, "https") == 0) {
		char host[128];

		if (name != NULL)
			snprintf(host, sizeof(host), "%s", name);
		else
			netscan_address(sa, host, sizeof(host));
		if (httpcheck_run(sa, salen, p->port, p->svc.tls, host, timeout_ms, fl) < 0)
			return -1;
	}
	return 0;
}

int
netscan_host_run(const struct sockaddr *sa, socklen_t salen, const char *name,
    const uint16_t *ports, size_t n, const struct portscan_opts *o,
    unsigned timeout_ms, bool ports_only, struct netscan_host *out,
    char *err, size_t errlen)
{
	double t0 = now_s();

	memset(out, 0, sizeof(*out));
	netscan_address(sa, out->address, sizeof(out->address));
	if (portscan_run(sa, salen, ports, n, o, &out->ps, err, errlen) != 0)
		return -1;
	out->portscan_s = now_s() - t0;
	out->ports = calloc(out->ps.n_open ? out->ps.n_open : 1, sizeof(*out->ports));
	if (out->ports == NULL)
		goto oom;
	out->n_ports = out->ps.n_open;
	for (size_t i = 0; i < out->n_ports; i++) {
		out->ports[i].port = out->ps.open[i];
		if (ports_only || cancelled(o))
			continue;
		/* A host that accepts every port (a filter answering for it) would
		 * hold the scanner for hours; the first ports are identified. */
		if (i >= NETSCAN_MAX_CHECKED) {
			out->unchecked++;
			continue;
		}
		if (check_port(sa, salen, name, timeout_ms, &out->ports[i], &out->findings) != 0)
			goto oom;
	}
	out->cancelled = out->ps.cancelled || cancelled(o);
	out->total_s = now_s() - t0;
	return 0;
oom:
	snprintf(err, errlen, "out of memory");
	netscan_host_free(out);
	return -1;
}

void
netscan_host_free(struct netscan_host *h)
{
	if (h == NULL)
		return;
	free(h->ports);
	h->ports = NULL;
	h->n_ports = 0;
	netfinding_list_free(&h->findings);
	portscan_result_free(&h->ps);
}

json_t *
netscan_port_json(const struct netscan_port *p)
{
	return json_pack("{s:i, s:s, s:s, s:s, s:b, s:s, s:s, s:s}",
	    "port", p->port, "service", p->svc.service, "product", p->svc.product,
	    "version", p->svc.version, "tls", p->svc.tls, "auth", netscan_auth_name(p->svc.auth),
	    "probe", p->svc.probe, "banner", p->svc.banner);
}

static json_t *
tls_json(const struct netscan_port *p)
{
	const struct tlscheck_result *t = &p->tls;
	json_t *v = json_array();

	for (int k = 0; v != NULL && k < TLSCHECK_NVERSIONS; k++)
		if (t->accepts[k])
			json_array_append_new(v, json_string(
			    tlscheck_version_name((enum tlscheck_version)k)));
	return json_pack("{s:i, s:o*, s:s, s:s, s:{s:s, s:s, s:s, s:i, s:b, s:b, s:b, s:b}}",
	    "port", p->port, "versions", v, "weak_ciphers", t->weak,
	    "untested_cipher_classes", t->untested, "certificate",
	    "subject", t->subject, "issuer", t->issuer, "not_after", t->not_after,
	    "days_left", t->days_left, "expired", t->expired, "expiring", t->expiring,
	    "self_signed", t->self_signed, "name_mismatch", t->name_mismatch);
}

json_t *
netscan_host_json(const struct netscan_host *h)
{
	json_t *open = json_array(), *svcs = json_array(), *tls = json_array();
	json_t *finds = json_array(), *root;

	root = json_pack("{s:o*, s:o*, s:o*, s:o*, s:I}", "open_ports", open, "services", svcs,
	    "tls", tls, "findings", finds, "unchecked_ports", (json_int_t)h->unchecked);
	if (root == NULL)
		return NULL;
	for (size_t i = 0; i < h->n_ports; i++) {
		const struct netscan_port *p = &h->ports[i];

		if (json_array_append_new(open, json_integer(p->port)) != 0)
			goto oom;
		if (p->identified && json_array_append_new(svcs, netscan_port_json(p)) != 0)
			goto oom;
		if (p->tls_checked && p->tls.handshake &&
		    json_array_append_new(tls, tls_json(p)) != 0)
			goto oom;
	}
	for (size_t i = 0; i < h->findings.n; i++)
		if (json_array_append_new(finds, netfinding_json(&h->findings.v[i])) != 0)
			goto oom;
	return root;
oom:
	json_decref(root);
	return NULL;
}
