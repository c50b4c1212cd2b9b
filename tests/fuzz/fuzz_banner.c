/*
 * fuzz_banner: libFuzzer harness for the service banner matchers (every
 * row of svcid_probes, and svcid_match over all of them). An answer from
 * the network is hostile: whatever it holds, no matcher may read past it,
 * and every field it fills must be a NUL-terminated printable string.
 * The same input also goes through the web checks' response parser and
 * header lookup, every body-matching row of the web check table, and the
 * SYN scanner's classification of raw packets.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "httpcheck.h"
#include "svcid.h"
#include "synscan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_field(const char *s, size_t cap)
{
	size_t n = strnlen(s, cap);

	if (n == cap)
		abort();
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] >= 0x7f)
			abort();
}

static void
check(const struct svcid_result *r)
{
	check_field(r->service, sizeof(r->service));
	check_field(r->product, sizeof(r->product));
	check_field(r->version, sizeof(r->version));
	check_field(r->banner, sizeof(r->banner));
	if (r->http_status < 0 || r->http_status > 999)
		abort();
}

static struct httpcheck_response resp;

static void
http_response(const uint8_t *data, size_t size)
{
	size_t vl;
	const char *v;

	resp.len = size > HTTPCHECK_MAX ? HTTPCHECK_MAX : size;
	memcpy(resp.buf, data, resp.len);
	if (httpcheck_parse(&resp) != 0)
		return;
	if (resp.head_len > resp.len || resp.status < 0 || resp.status > 999)
		abort();
	v = httpcheck_header(&resp, "Server", &vl);
	if (v != NULL && (v < resp.buf || v + vl > resp.buf + resp.head_len))
		abort();
	v = httpcheck_header(&resp, "Content-Security-Policy", &vl);
	if (v != NULL && (v < resp.buf || v + vl > resp.buf + resp.head_len))
		abort();
	for (const struct httpcheck_def *d = httpcheck_table; d->finding.id; d++) {
		char ev[256];
		if (d->match != NULL && d->match(&resp, ev, sizeof(ev)) &&
		    strnlen(ev, sizeof(ev)) == sizeof(ev))
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct svcid_result r;
	uint8_t *copy;

	/* An exact-size heap copy, so ASan sees any read past the end. */
	copy = malloc(size ? size : 1);
	if (copy == NULL)
		return 0;
	memcpy(copy, data, size);
	for (const struct svcid_probe *p = svcid_probes; p->name != NULL; p++) {
		memset(&r, 0, sizeof(r));
		r.tls = size > 0 && (data[0] & 1);
		p->match(copy, size, &r);
		check(&r);
	}
	memset(&r, 0, sizeof(r));
	svcid_match(copy, size, &r);
	check(&r);
	http_response(data, size);
	/* The SYN scanner's reading of raw packets, both families. */
	for (int fam = 0; fam < 2; fam++) {
		static const uint8_t target[16] = { 127, 0, 0, 1 };
		uint16_t port = 0;
		uint32_t ack = 0;
		int v = synscan_classify(fam ? AF_INET6 : AF_INET, copy, size, target, 40000,
		    &port, &ack);

		if (v != SYNSCAN_IGNORE && (port == 0 || (v != SYNSCAN_OPEN && v != SYNSCAN_CLOSED)))
			abort();
	}
	free(copy);
	return 0;
}
