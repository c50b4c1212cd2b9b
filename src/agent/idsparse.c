/*
 * idsparse: sshd log lines to authentication records. Attackers choose the
 * user names that sshd logs ("Failed password for invalid user X from
 * ..."), so a name can contain " from 6.6.6.6 port 1": the source is taken
 * from the LAST " from ADDR port N" of the line, which sshd writes after
 * the name, and it must parse as an IP address.
 */
#include "ids.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LINE_MAX_LEN 4096

static const char *
find(const char *s, size_t len, const char *needle)
{
	size_t n = strlen(needle);

	if (n == 0 || len < n)
		return NULL;
	for (size_t i = 0; i + n <= len; i++)
		if (s[i] == needle[0] && memcmp(s + i, needle, n) == 0)
			return s + i;
	return NULL;
}

static const char *
find_last(const char *s, size_t len, const char *needle)
{
	size_t n = strlen(needle);

	if (n == 0 || len < n)
		return NULL;
	for (size_t i = len - n + 1; i-- > 0;)
		if (s[i] == needle[0] && memcmp(s + i, needle, n) == 0)
			return s + i;
	return NULL;
}

static bool
starts(const char *s, size_t len, const char *prefix)
{
	size_t n = strlen(prefix);

	return len >= n && memcmp(s, prefix, n) == 0;
}

static void
copy(char *dst, size_t dstsz, const char *src, size_t n)
{
	if (n >= dstsz)
		n = dstsz - 1;
	for (size_t i = 0; i < n; i++)
		dst[i] = (src[i] >= 0x20 && src[i] != 0x7f) ? src[i] : '?';
	dst[n] = '\0';
}

/* "... from ADDR port N" at the end part: fill source. 0 / -1. */
static int
parse_source(const char *msg, size_t len, const char **from_at, char *out, size_t outsz)
{
	const char *f = find_last(msg, len, " from "), *a, *p;
	unsigned char buf[16];
	char addr[64];
	size_t alen;

	if (f == NULL)
		return -1;
	a = f + 6;
	p = find(a, len - (size_t)(a - msg), " port ");
	if (p == NULL)
		return -1;
	alen = (size_t)(p - a);
	if (alen == 0 || alen >= sizeof(addr))
		return -1;
	memcpy(addr, a, alen);
	addr[alen] = '\0';
	if (inet_pton(AF_INET, addr, buf) != 1 && inet_pton(AF_INET6, addr, buf) != 1)
		return -1;
	snprintf(out, outsz, "%s", addr);
	*from_at = f;
	return 0;
}

enum ids_kind
ids_parse_line(const char *line, size_t len, struct ids_auth *out)
{
	const char *prog, *msg, *from = NULL, *u;
	size_t mlen;
	bool failed;

	memset(out, 0, sizeof(*out));
	if (len > LINE_MAX_LEN)
		len = LINE_MAX_LEN;
	while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
		len--;
	/* The program tag: " sshd[pid]: " (syslog, ISO) or " sshd: ". */
	prog = find(line, len, " sshd[");
	if (prog) {
		msg = find(prog, len - (size_t)(prog - line), "]: ");
		if (msg == NULL)
			return IDS_NONE;
		msg += 3;
	} else if ((prog = find(line, len, " sshd: ")) != NULL) {
		msg = prog + 7;
	} else {
		return IDS_NONE;
	}
	mlen = len - (size_t)(msg - line);
	failed = starts(msg, mlen, "Failed ");
	if (!failed && !starts(msg, mlen, "Accepted "))
		return IDS_NONE;
	/* "Failed METHOD for [invalid user ]USER from ADDR port N ssh2" */
	{
		const char *m = msg + (failed ? 7 : 9), *sp;
		size_t left = mlen - (size_t)(m - msg);

		sp = memchr(m, ' ', left);
		if (sp == NULL)
			return IDS_NONE;
		copy(out->method, sizeof(out->method), m, (size_t)(sp - m));
		if (!starts(sp, left - (size_t)(sp - m), " for "))
			return IDS_NONE;
		u = sp + 5;
	}
	if (parse_source(msg, mlen, &from, out->source, sizeof(out->source)) < 0 || from < u)
		return IDS_NONE;
	if (starts(u, (size_t)(from - u), "invalid user ")) {
		out->invalid_user = true;
		u += 13;
	}
	copy(out->user, sizeof(out->user), u, (size_t)(from - u));
	out->kind = failed ? IDS_FAILED : IDS_ACCEPTED;
	return out->kind;
}

static int
parse_cidr(const char *s, size_t n, unsigned char *addr, int *family, int *bits)
{
	char buf[64], *slash;

	if (n == 0 || n >= sizeof(buf))
		return -1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	slash = strchr(buf, '/');
	if (slash)
		*slash++ = '\0';
	if (inet_pton(AF_INET, buf, addr) == 1) {
		*family = AF_INET;
		*bits = 32;
	} else if (inet_pton(AF_INET6, buf, addr) == 1) {
		*family = AF_INET6;
		*bits = 128;
	} else {
		return -1;
	}
	if (slash) {
		char *end;
		long b = strtol(slash, &end, 10);

		if (*end || b < 0 || b > *bits)
			return -1;
		*bits = (int)b;
	}
	return 0;
}

bool
ids_allowed(const char *list, const char *addr)
{
	unsigned char a[16], net[16];
	int fa, fn, bits, dummy;

	if (list == NULL || parse_cidr(addr, strlen(addr), a, &fa, &dummy) < 0)
		return false;
	for (const char *p = list; *p;) {
		size_t n = strcspn(p, ", ");

		if (n > 0 && parse_cidr(p, n, net, &fn, &bits) == 0 && fn == fa) {
			int full = bits / 8, rest = bits % 8;

			if (memcmp(a, net, (size_t)full) == 0 && (rest == 0 ||
			    ((a[full] ^ net[full]) & (0xff << (8 - rest))) == 0))
				return true;
		}
		p += n;
		while (*p == ',' || *p == ' ')
			p++;
	}
	return false;
}
