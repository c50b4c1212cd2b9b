/*
 * synscan: TCP SYN ("half-open") scan with raw sockets, for a scanner
 * that holds CAP_NET_RAW. One SYN per port from a source port this
 * process keeps bound (so no other socket on the host can be handed it);
 * a SYN-ACK whose acknowledgment matches the keyed sequence number sent
 * to that port means open (the kernel answers it with a RST, since no
 * socket of its own sent the SYN), a RST means closed, silence after one
 * retransmission means filtered. No connection is ever completed, so
 * the scanned services see no accepted connection. Without the privilege
 * synscan_run() returns SYNSCAN_NOT_PERMITTED and the caller connect-scans.
 */
#include "synscan.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define TCP_FIN 0x01
#define TCP_SYN 0x02
#define TCP_RST 0x04
#define TCP_ACK 0x10

enum { PORT_WAIT = 0, PORT_OPEN, PORT_CLOSED };

struct syn {
	int raw, keep;
	int family;
	struct sockaddr_storage dst, src;
	socklen_t dstlen;
	uint16_t sport;
	unsigned char key[32];
	uint8_t *state;		/* per port number, PORT_* */
};

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static const unsigned char *
addr_bytes(const struct sockaddr_storage *ss, size_t *len)
{
	if (ss->ss_family == AF_INET) {
		*len = 4;
		return (const unsigned char *)&((const struct sockaddr_in *)ss)->sin_addr;
	}
	*len = 16;
	return ((const struct sockaddr_in6 *)ss)->sin6_addr.s6_addr;
}

/* The sequence number sent to a port: keyed, so a stray or forged SYN-ACK
 * cannot mark a port open. */
static uint32_t
cookie(const struct syn *s, uint16_t dport)
{
	unsigned char buf[34], md[SHA256_DIGEST_LENGTH];
	uint32_t v;

	memcpy(buf, s->key, 32);
	buf[32] = (unsigned char)(dport >> 8);
	buf[33] = (unsigned char)dport;
	SHA256(buf, sizeof(buf), md);
	memcpy(&v, md, 4);
	return v;
}

static uint32_t
sum16(uint32_t acc, const unsigned char *p, size_t n)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		acc += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (n & 1)
		acc += (uint32_t)(p[n - 1] << 8);
	return acc;
}

static uint16_t
tcp_checksum(const struct syn *s, const unsigned char *seg, size_t n)
{
	size_t al;
	const unsigned char *src = addr_bytes(&s->src, &al), *dst = addr_bytes(&s->dst, &al);
	unsigned char tail[4] = { 0, 0, 0, IPPROTO_TCP };
	uint32_t acc = 0;

	acc = sum16(acc, src, al);
	acc = sum16(acc, dst, al);
	if (s->family == AF_INET) {
		acc += IPPROTO_TCP;
		acc += (uint32_t)n;
	} else {
		acc += (uint32_t)(n >> 16) + (uint32_t)(n & 0xffff);
		acc = sum16(acc, tail, sizeof(tail));
	}
	acc = sum16(acc, seg, n);
	while (acc >> 16)
		acc = (acc & 0xffff) + (acc >> 16);
	return (uint16_t)~acc;
}

static int
send_syn(struct syn *s, uint16_t dport)
{
	unsigned char seg[24] = { 0 };
	uint32_t seq = htonl(cookie(s, dport));
	uint16_t ck;

	seg[0] = (unsigned char)(s->sport >> 8);
	seg[1] = (unsigned char)s->sport;
	seg[2] = (unsigned char)(dport >> 8);
	seg[3] = (unsigned char)dport;
	memcpy(seg + 4, &seq, 4);
	seg[12] = 6 << 4;			/* data offset: 24 bytes */
	seg[13] = TCP_SYN;
	seg[14] = 0x04;				/* window 1024 */
	seg[15] = 0x00;
	seg[20] = 2;				/* MSS 1460 */
	seg[21] = 4;
	seg[22] = 0x05;
	seg[23] = 0xb4;
	ck = tcp_checksum(s, seg, sizeof(seg));
	seg[16] = (unsigned char)(ck >> 8);
	seg[17] = (unsigned char)ck;
	for (;;) {
		if (sendto(s->raw, seg, sizeof(seg), 0, (struct sockaddr *)&s->dst, s->dstlen) ==
		    (ssize_t)sizeof(seg))
			return 0;
		if (errno == ENOBUFS || errno == EAGAIN) {
			poll(NULL, 0, 1);
			continue;
		}
		return errno == EINTR ? 0 : -1;
	}
}

int
synscan_classify(int family, const uint8_t *p, size_t n, const uint8_t *target,
    uint16_t sport, uint16_t *port, uint32_t *ack)
{
	size_t hl = 0;

	if (family == AF_INET) {
		/* IPv4 raw sockets hand over the IP header too. */
		if (n < 20 || (p[0] >> 4) != 4 || p[9] != IPPROTO_TCP)
			return SYNSCAN_IGNORE;
		hl = (size_t)(p[0] & 0x0f) * 4;
		if (hl < 20 || n < hl + 20 || memcmp(p + 12, target, 4) != 0)
			return SYNSCAN_IGNORE;
	} else if (n < 20) {
		return SYNSCAN_IGNORE;
	}
	p += hl;
	*port = (uint16_t)(p[0] << 8 | p[1]);
	if ((uint16_t)(p[2] << 8 | p[3]) != sport || *port == 0)
		return SYNSCAN_IGNORE;
	*ack = (uint32_t)p[8] << 24 | (uint32_t)p[9] << 16 | (uint32_t)p[10] << 8 | p[11];
	if ((p[13] & (TCP_SYN | TCP_ACK)) == (TCP_SYN | TCP_ACK))
		return SYNSCAN_OPEN;
	if (p[13] & TCP_RST)
		return SYNSCAN_CLOSED;
	return SYNSCAN_IGNORE;
}

/* One received packet: mark the port it answers. */
static void
on_packet(struct syn *s, const unsigned char *p, size_t n, size_t *open)
{
	size_t al;
	uint16_t port = 0;
	uint32_t ack = 0;
	int v = synscan_classify(s->family, p, n, addr_bytes(&s->dst, &al), s->sport, &port,
	    &ack);

	if (v == SYNSCAN_IGNORE || s->state[port] != PORT_WAIT || ack != cookie(s, port) + 1)
		return;
	if (v == SYNSCAN_OPEN) {
		s->state[port] = PORT_OPEN;
		(*open)++;
	} else {
		s->state[port] = PORT_CLOSED;
	}
}

/* Read whatever arrived; wait at most wait_ms for the first packet. */
static void
drain(struct syn *s, int wait_ms, size_t *open)
{
	unsigned char buf[256];
	struct sockaddr_storage from;
	struct pollfd pfd = { .fd = s->raw, .events = POLLIN };

	if (poll(&pfd, 1, wait_ms) <= 0)
		return;
	for (;;) {
		socklen_t fl = sizeof(from);
		ssize_t r = recvfrom(s->raw, buf, sizeof(buf), MSG_DONTWAIT,
		    (struct sockaddr *)&from, &fl);

		if (r <= 0)
			return;
		if (s->family == AF_INET6) {
			const struct sockaddr_in6 *f6 = (const struct sockaddr_in6 *)&from;

			if (from.ss_family != AF_INET6 || memcmp(&f6->sin6_addr,
			    &((struct sockaddr_in6 *)&s->dst)->sin6_addr, 16) != 0)
				continue;
		}
		on_packet(s, buf, (size_t)r, open);
	}
}

/* The source address the kernel would use towards dst, and a source port
 * kept bound for the scan's life. */
static int
pick_source(struct syn *s, char *err, size_t errlen)
{
	struct sockaddr_storage ss = s->dst;
	socklen_t sl = s->dstlen;
	int u = socket(s->family, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	((struct sockaddr_in *)&ss)->sin_port = htons(9);
	if (u < 0 || connect(u, (struct sockaddr *)&ss, sl) < 0 ||
	    getsockname(u, (struct sockaddr *)&s->src, &sl) < 0) {
		snprintf(err, errlen, "synscan: no route to the target: %s", strerror(errno));
		if (u >= 0)
			close(u);
		return -1;
	}
	close(u);
	s->keep = socket(s->family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ss = s->src;
	((struct sockaddr_in *)&ss)->sin_port = 0;
	sl = s->family == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6);
	if (s->keep < 0 || bind(s->keep, (struct sockaddr *)&ss, sl) < 0 ||
	    getsockname(s->keep, (struct sockaddr *)&ss, &sl) < 0) {
		snprintf(err, errlen, "synscan: cannot reserve a source port: %s", strerror(errno));
		return -1;
	}
	s->sport = ntohs(((struct sockaddr_in *)&ss)->sin_port);
	return 0;
}

int
synscan_run(const struct sockaddr *sa, socklen_t salen, const uint16_t *ports, size_t n,
    const struct portscan_opts *o, struct portscan_result *res, char *err, size_t errlen)
{
	struct syn s = { .raw = -1, .keep = -1 };
	unsigned timeout = o->timeout_ms ? o->timeout_ms : PORTSCAN_DEFAULT_TIMEOUT_MS;
	size_t open = 0, step = n / 100 ? n / 100 : 1, sent;
	int rc = -1;

	memset(res, 0, sizeof(*res));
	s.family = sa->sa_family;
	if ((s.family != AF_INET && s.family != AF_INET6) || salen > sizeof(s.dst)) {
		snprintf(err, errlen, "synscan: not an IPv4 or IPv6 address");
		return -1;
	}
	s.raw = socket(s.family, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_TCP);
	if (s.raw < 0) {
		if (errno == EPERM || errno == EACCES)
			return SYNSCAN_NOT_PERMITTED;
		snprintf(err, errlen, "synscan: raw socket: %s", strerror(errno));
		return -1;
	}
	memcpy(&s.dst, sa, salen);
	((struct sockaddr_in *)&s.dst)->sin_port = 0;	/* raw IPv6 wants 0 (protocol) */
	s.dstlen = salen;
	s.state = calloc(65536, 1);
	if (s.state == NULL || RAND_bytes(s.key, sizeof(s.key)) != 1 ||
	    pick_source(&s, err, errlen) < 0) {
		if (s.state == NULL)
			snprintf(err, errlen, "synscan: out of memory");
		goto out;
	}
	{
		int big = 4 << 20;

		setsockopt(s.raw, SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));
	}
	/* Two rounds: every port, then the ones that have not answered. */
	for (int round = 0; round < 2; round++) {
		uint64_t t0 = now_ms(), last = 0;

		sent = 0;
		for (size_t i = 0; i < n; i++) {
			if (o->cancel != NULL && atomic_load(o->cancel)) {
				res->cancelled = true;
				goto collect;
			}
			if (s.state[ports[i]] != PORT_WAIT)
				continue;
			if (o->rate > 0) {
				uint64_t due = t0 + (uint64_t)sent * 1000 / o->rate;

				while (now_ms() < due)
					drain(&s, (int)(due - now_ms()), &open);
			}
			if (send_syn(&s, ports[i]) < 0) {
				snprintf(err, errlen, "synscan: send: %s", strerror(errno));
				goto out;
			}
			sent++;
			if ((sent & 255) == 0)
				drain(&s, 0, &open);
			if (round == 0 && o->progress != NULL && (i + 1) % step == 0 && i + 1 != last) {
				last = i + 1;
				o->progress(o->progress_arg, i + 1, n, open);
			}
		}
		if (sent == 0)
			break;
		/* Answers come within the timeout of the last SYN. */
		for (uint64_t end = now_ms() + timeout; now_ms() < end;) {
			size_t waiting = 0;

			drain(&s, (int)(end - now_ms()), &open);
			for (size_t i = 0; i < n && waiting == 0; i++)
				waiting += s.state[ports[i]] == PORT_WAIT;
			if (waiting == 0)
				break;
		}
	}
collect:
	open = 0;
	for (size_t i = 0; i < n; i++)
		open += s.state[ports[i]] == PORT_OPEN;
	res->open = malloc((open ? open : 1) * sizeof(*res->open));
	if (res->open == NULL) {
		snprintf(err, errlen, "synscan: out of memory");
		goto out;
	}
	for (uint32_t p = 1; p < 65536 && res->n_open < open; p++)
		if (s.state[p] == PORT_OPEN)
			res->open[res->n_open++] = (uint16_t)p;
	for (size_t i = 0; i < n; i++) {
		res->done += s.state[ports[i]] != PORT_WAIT;
		res->timed_out += s.state[ports[i]] == PORT_WAIT && !res->cancelled;
	}
	if (!res->cancelled)
		res->done = n;
	if (o->progress != NULL)
		o->progress(o->progress_arg, res->done, n, res->n_open);
	rc = 0;
out:
	if (rc != 0)
		portscan_result_free(res);
	free(s.state);
	if (s.raw >= 0)
		close(s.raw);
	if (s.keep >= 0)
		close(s.keep);
	return rc;
}
