/*
 * iplist.c: CIDR lists (see iplist.h). Entries are kept sorted by prefix
 * length, longest first; a list is a handful to a few thousand entries,
 * scanned linearly with a masked 128-bit compare per entry.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iplist.h"

struct ipnet {
	uint8_t addr[16];
	unsigned prefix;	/* 0..128 */
};

struct iplist {
	size_t n;
	struct ipnet nets[];
};

static const uint8_t v4mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

int
iplist_addr_parse(const char *s, uint8_t out[16])
{
	struct in_addr a4;

	if (inet_pton(AF_INET, s, &a4) == 1) {
		memcpy(out, v4mapped, 12);
		memcpy(out + 12, &a4, 4);
		return 0;
	}
	return inet_pton(AF_INET6, s, out) == 1 ? 0 : -1;
}

static int
parse_net(const char *s, struct ipnet *n)
{
	char buf[64];
	const char *slash = strchr(s, '/');
	size_t alen = slash != NULL ? (size_t)(slash - s) : strlen(s);
	unsigned long pfx;
	char *end;
	bool v4;

	if (alen == 0 || alen >= sizeof(buf))
		return -1;
	memcpy(buf, s, alen);
	buf[alen] = '\0';
	if (iplist_addr_parse(buf, n->addr) < 0)
		return -1;
	v4 = strchr(buf, ':') == NULL;
	if (slash == NULL) {
		n->prefix = 128;
		return 0;
	}
	if (slash[1] < '0' || slash[1] > '9')
		return -1;
	pfx = strtoul(slash + 1, &end, 10);
	if (*end != '\0' || pfx > (v4 ? 32u : 128u))
		return -1;
	n->prefix = (unsigned)pfx + (v4 ? 96 : 0);
	/* clear host bits so "10.1.2.3/8" means 10.0.0.0/8 */
	for (unsigned i = n->prefix; i < 128; i++)
		n->addr[i / 8] &= (uint8_t)~(0x80u >> (i % 8));
	return 0;
}

static int
by_prefix_desc(const void *a, const void *b)
{
	const struct ipnet *x = a, *y = b;

	return (int)y->prefix - (int)x->prefix;
}

struct iplist *
iplist_from_json(const json_t *arr, char *err, size_t errlen)
{
	struct iplist *l;
	size_t n = arr != NULL ? json_array_size(arr) : 0;

	if (arr != NULL && !json_is_array(arr)) {
		snprintf(err, errlen, "an IP list must be an array of addresses or CIDR blocks");
		return NULL;
	}
	if ((l = calloc(1, sizeof(*l) + n * sizeof(l->nets[0]))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	for (size_t i = 0; i < n; i++) {
		const char *s = json_string_value(json_array_get(arr, i));

		if (s == NULL || parse_net(s, &l->nets[i]) < 0) {
			snprintf(err, errlen, "IP list entry %zu (%s) is not an IPv4/IPv6 address or "
			    "CIDR block", i, s != NULL ? s : "not a string");
			free(l);
			return NULL;
		}
	}
	l->n = n;
	qsort(l->nets, n, sizeof(l->nets[0]), by_prefix_desc);
	return l;
}

void
iplist_free(struct iplist *l)
{
	free(l);
}

size_t
iplist_count(const struct iplist *l)
{
	return l != NULL ? l->n : 0;
}

bool
iplist_match(const struct iplist *l, const uint8_t addr[16])
{
	if (l == NULL)
		return false;
	for (size_t i = 0; i < l->n; i++) {
		const struct ipnet *n = &l->nets[i];
		unsigned full = n->prefix / 8, rest = n->prefix % 8;

		if (memcmp(n->addr, addr, full) != 0)
			continue;
		if (rest != 0 && ((n->addr[full] ^ addr[full]) & (uint8_t)(0xff00u >> rest)) != 0)
			continue;
		return true;
	}
	return false;
}
