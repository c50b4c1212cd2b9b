/*
 * forward: the L4 forwarder (see forward.h). Edge-triggered epoll; every
 * event on either side of a TCP connection pumps both directions until
 * EAGAIN, so no readiness is lost. Objects closed while a batch of events is
 * being handled go to a dead list freed after the batch.
 */
#include "forward.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define PIPE_CHUNK (1 << 16)
#define UDP_BUCKETS 1024
#define UDP_MAX_SESSIONS 65536
#define UDP_IDLE_MS 60000
#define UDP_BATCH 64

enum kind { K_TCP_LISTEN, K_UDP_LISTEN, K_TCP_CONN, K_UDP_SESS };

struct obj {
	enum kind kind;
	struct obj *dead_next;
	bool dead;
};

struct udp_sess;

struct listener {
	struct obj o;
	int fd;
	struct sockaddr_storage origin;
	socklen_t olen;
	struct listener *next;
	struct udp_sess *bucket[UDP_BUCKETS];	/* UDP: sessions by client */
};

struct half {
	int pipe[2];
	size_t in_pipe;
	bool eof, shut;
};

struct conn {
	struct obj o;
	int cfd, ofd;
	bool connecting;
	struct half up, down;	/* client -> origin, origin -> client */
	struct conn *prev, *next;
};

struct udp_sess {
	struct obj o;
	int fd;
	struct sockaddr_storage client;
	socklen_t clen;
	struct listener *l;
	uint64_t last_ms;
	struct udp_sess *next;	/* bucket chain */
};

struct fwd {
	int ep;
	struct listener *listeners;
	struct conn *conns;
	struct obj *dead;
	uint64_t last_expiry_ms;
	struct fwd_stats st;
};

static uint64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static socklen_t
to_sockaddr(const struct scrub_ipaddr *a, uint16_t port, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (a->family == AF_INET) {
		struct sockaddr_in *s = (struct sockaddr_in *)ss;

		s->sin_family = AF_INET;
		s->sin_port = htons(port);
		memcpy(&s->sin_addr, a->a, 4);
		return sizeof(*s);
	}
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

	s6->sin6_family = AF_INET6;
	s6->sin6_port = htons(port);
	memcpy(&s6->sin6_addr, a->a, 16);
	return sizeof(*s6);
}

static int
watch(struct fwd *f, int fd, uint32_t events, struct obj *o)
{
	struct epoll_event ev = { .events = events, .data.ptr = o };

	return epoll_ctl(f->ep, EPOLL_CTL_ADD, fd, &ev);
}

static void
bury(struct fwd *f, struct obj *o)
{
	if (o->dead)
		return;
	o->dead = true;
	o->dead_next = f->dead;
	f->dead = o;
}

/* ---- TCP ---- */

static void
half_close(struct half *h)
{
	if (h->pipe[0] >= 0)
		close(h->pipe[0]);
	if (h->pipe[1] >= 0)
		close(h->pipe[1]);
	h->pipe[0] = h->pipe[1] = -1;
}

static void
conn_close(struct fwd *f, struct conn *c)
{
	if (c->o.dead)
		return;
	close(c->cfd);
	close(c->ofd);
	half_close(&c->up);
	half_close(&c->down);
	if (c->prev)
		c->prev->next = c->next;
	else
		f->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	f->st.tcp_active--;
	bury(f, &c->o);
}

/* Move src -> pipe -> dst until EAGAIN; at EOF, half-close dst. */
static int
pump(struct half *h, int src, int dst, uint64_t *count)
{
	for (;;) {
		ssize_t n;

		if (h->in_pipe > 0) {
			n = splice(h->pipe[0], NULL, dst, NULL, h->in_pipe,
			    SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
			if (n < 0)
				return errno == EAGAIN ? 0 : -1;
			h->in_pipe -= (size_t)n;
			*count += (uint64_t)n;
			continue;
		}
		if (h->eof) {
			if (!h->shut && shutdown(dst, SHUT_WR) < 0 && errno != ENOTCONN)
				return -1;
			h->shut = true;
			return 0;
		}
		n = splice(src, NULL, h->pipe[1], NULL, PIPE_CHUNK,
		    SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
		if (n == 0)
			h->eof = true;
		else if (n < 0)
			return errno == EAGAIN ? 0 : -1;
		else
			h->in_pipe += (size_t)n;
	}
}

static void
conn_event(struct fwd *f, struct conn *c)
{
	if (c->connecting) {
		int soerr = 0;
		socklen_t len = sizeof(soerr);
		struct sockaddr_storage peer;
		socklen_t plen = sizeof(peer);

		if (getsockopt(c->ofd, SOL_SOCKET, SO_ERROR, &soerr, &len) < 0 || soerr != 0) {
			f->st.tcp_failed++;
			conn_close(f, c);
			return;
		}
		if (getpeername(c->ofd, (struct sockaddr *)&peer, &plen) < 0)
			return;	/* still connecting */
		c->connecting = false;
	}
	if (pump(&c->up, c->cfd, c->ofd, &f->st.bytes_to_origin) < 0 ||
	    pump(&c->down, c->ofd, c->cfd, &f->st.bytes_to_client) < 0 ||
	    (c->up.shut && c->down.shut))
		conn_close(f, c);
}

static void
tcp_accept(struct fwd *f, struct listener *l)
{
	for (;;) {
		int cfd = accept4(l->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC), ofd = -1;
		struct conn *c = NULL;

		if (cfd < 0)
			return;	/* EAGAIN, or an aborted connection */
		f->st.tcp_accepted++;
		c = calloc(1, sizeof(*c));
		if (c == NULL)
			goto fail;
		c->o.kind = K_TCP_CONN;
		c->cfd = cfd;
		c->up.pipe[0] = c->up.pipe[1] = c->down.pipe[0] = c->down.pipe[1] = -1;
		ofd = socket(l->origin.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (ofd < 0 || pipe2(c->up.pipe, O_NONBLOCK | O_CLOEXEC) < 0 ||
		    pipe2(c->down.pipe, O_NONBLOCK | O_CLOEXEC) < 0)
			goto fail;
		c->ofd = ofd;
		if (connect(ofd, (struct sockaddr *)&l->origin, l->olen) < 0 &&
		    errno != EINPROGRESS)
			goto fail;
		c->connecting = true;
		if (watch(f, cfd, EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET, &c->o) < 0 ||
		    watch(f, ofd, EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET, &c->o) < 0)
			goto fail;
		c->next = f->conns;
		if (f->conns)
			f->conns->prev = c;
		f->conns = c;
		f->st.tcp_active++;
		continue;
fail:
		f->st.tcp_failed++;
		close(cfd);
		if (ofd >= 0)
			close(ofd);
		if (c != NULL) {
			half_close(&c->up);
			half_close(&c->down);
			free(c);
		}
	}
}

/* ---- UDP ---- */

static size_t
hash_addr(const struct sockaddr_storage *ss, socklen_t len)
{
	const unsigned char *p = (const unsigned char *)ss;
	size_t h = 2166136261u;

	for (socklen_t i = 0; i < len; i++)
		h = (h ^ p[i]) * 16777619u;
	return h % UDP_BUCKETS;
}

static void
sess_close(struct fwd *f, struct udp_sess *s)
{
	struct udp_sess **pp = &s->l->bucket[hash_addr(&s->client, s->clen)];

	while (*pp != NULL && *pp != s)
		pp = &(*pp)->next;
	if (*pp == s)
		*pp = s->next;
	close(s->fd);
	f->st.udp_active--;
	bury(f, &s->o);
}

static struct udp_sess *
sess_get(struct fwd *f, struct listener *l, const struct sockaddr_storage *from,
    socklen_t flen)
{
	size_t h = hash_addr(from, flen);
	struct udp_sess *s;

	for (s = l->bucket[h]; s != NULL; s = s->next)
		if (s->clen == flen && memcmp(&s->client, from, flen) == 0)
			return s;
	if (f->st.udp_active >= UDP_MAX_SESSIONS)
		return NULL;
	s = calloc(1, sizeof(*s));
	if (s == NULL)
		return NULL;
	s->o.kind = K_UDP_SESS;
	s->l = l;
	s->client = *from;
	s->clen = flen;
	s->fd = socket(l->origin.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s->fd < 0 || connect(s->fd, (struct sockaddr *)&l->origin, l->olen) < 0 ||
	    watch(f, s->fd, EPOLLIN, &s->o) < 0) {
		if (s->fd >= 0)
			close(s->fd);
		free(s);
		return NULL;
	}
	s->next = l->bucket[h];
	l->bucket[h] = s;
	f->st.udp_sessions++;
	f->st.udp_active++;
	return s;
}

static void
udp_from_client(struct fwd *f, struct listener *l)
{
	unsigned char buf[65536];

	for (int i = 0; i < UDP_BATCH; i++) {
		struct sockaddr_storage from;
		socklen_t flen = sizeof(from);
		ssize_t n = recvfrom(l->fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &flen);
		struct udp_sess *s;

		if (n < 0)
			return;
		s = sess_get(f, l, &from, flen);
		if (s == NULL || send(s->fd, buf, (size_t)n, 0) < 0) {
			f->st.udp_dropped++;
			continue;
		}
		s->last_ms = mono_ms();
		f->st.bytes_to_origin += (uint64_t)n;
	}
}

static void
udp_from_origin(struct fwd *f, struct udp_sess *s)
{
	unsigned char buf[65536];

	for (int i = 0; i < UDP_BATCH; i++) {
		ssize_t n = recv(s->fd, buf, sizeof(buf), 0);

		if (n < 0) {
			if (errno != EAGAIN)
				sess_close(f, s);	/* ICMP unreachable from the origin */
			return;
		}
		if (sendto(s->l->fd, buf, (size_t)n, 0, (struct sockaddr *)&s->client,
		    s->clen) < 0) {
			f->st.udp_dropped++;
			continue;
		}
		s->last_ms = mono_ms();
		f->st.bytes_to_client += (uint64_t)n;
	}
}

static void
udp_expire(struct fwd *f, uint64_t now)
{
	for (struct listener *l = f->listeners; l != NULL; l = l->next)
		for (size_t b = 0; b < UDP_BUCKETS; b++) {
			struct udp_sess *s = l->bucket[b], *next;

			for (; s != NULL; s = next) {
				next = s->next;
				if (now - s->last_ms > UDP_IDLE_MS)
					sess_close(f, s);
			}
		}
}

/* ---- the loop ---- */

static void
free_dead(struct fwd *f)
{
	while (f->dead != NULL) {
		struct obj *o = f->dead;

		f->dead = o->dead_next;
		free(o);
	}
}

int
fwd_run(struct fwd *f, int timeout_ms)
{
	struct epoll_event ev[64];
	int n = epoll_wait(f->ep, ev, 64, timeout_ms);
	uint64_t now;

	if (n < 0)
		return errno == EINTR ? 0 : -1;
	for (int i = 0; i < n; i++) {
		struct obj *o = ev[i].data.ptr;

		if (o->dead)
			continue;
		switch (o->kind) {
		case K_TCP_LISTEN:
			tcp_accept(f, (struct listener *)o);
			break;
		case K_UDP_LISTEN:
			udp_from_client(f, (struct listener *)o);
			break;
		case K_TCP_CONN:
			conn_event(f, (struct conn *)o);
			break;
		case K_UDP_SESS:
			udp_from_origin(f, (struct udp_sess *)o);
			break;
		}
	}
	now = mono_ms();
	if (now - f->last_expiry_ms >= 1000) {
		udp_expire(f, now);
		f->last_expiry_ms = now;
	}
	free_dead(f);
	return 0;
}

int
fwd_fd(const struct fwd *f)
{
	return f->ep;
}

void
fwd_get_stats(const struct fwd *f, struct fwd_stats *s)
{
	*s = f->st;
}

struct fwd *
fwd_new(char *err, size_t errlen)
{
	struct fwd *f = calloc(1, sizeof(*f));

	if (f == NULL || (f->ep = epoll_create1(EPOLL_CLOEXEC)) < 0) {
		snprintf(err, errlen, "forwarder: %s", strerror(errno));
		free(f);
		return NULL;
	}
	f->last_expiry_ms = mono_ms();
	return f;
}

void
fwd_free(struct fwd *f)
{
	if (f == NULL)
		return;
	while (f->conns != NULL)
		conn_close(f, f->conns);
	for (struct listener *l = f->listeners, *next; l != NULL; l = next) {
		next = l->next;
		for (size_t b = 0; b < UDP_BUCKETS; b++)
			while (l->bucket[b] != NULL)
				sess_close(f, l->bucket[b]);
		close(l->fd);
		free(l);
	}
	free_dead(f);
	close(f->ep);
	free(f);
}

int
fwd_add(struct fwd *f, enum scrub_proto proto, const struct scrub_ipaddr *laddr,
    uint16_t lport, const struct scrub_ipaddr *oaddr, uint16_t oport, uint16_t *lport_out,
    char *err, size_t errlen)
{
	struct listener *l = calloc(1, sizeof(*l));
	struct sockaddr_storage ss;
	socklen_t slen = to_sockaddr(laddr, lport, &ss);
	int one = 1, type = proto == SCRUB_PROTO_TCP ? SOCK_STREAM : SOCK_DGRAM;
	char a[64];

	if (l == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	l->o.kind = proto == SCRUB_PROTO_TCP ? K_TCP_LISTEN : K_UDP_LISTEN;
	l->olen = to_sockaddr(oaddr, oport, &l->origin);
	l->fd = socket(laddr->family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (l->fd < 0 ||
	    setsockopt(l->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    (laddr->family == AF_INET ?
	     setsockopt(l->fd, IPPROTO_IP, IP_FREEBIND, &one, sizeof(one)) :
	     setsockopt(l->fd, IPPROTO_IPV6, IPV6_FREEBIND, &one, sizeof(one))) < 0 ||
	    bind(l->fd, (struct sockaddr *)&ss, slen) < 0 ||
	    (proto == SCRUB_PROTO_TCP && listen(l->fd, 1024) < 0) ||
	    watch(f, l->fd, EPOLLIN, &l->o) < 0) {
		snprintf(err, errlen, "forwarder: cannot listen on %s %s port %u: %s",
		    proto == SCRUB_PROTO_TCP ? "tcp" : "udp", scrub_ipaddr_str(laddr, a, sizeof(a)),
		    lport, strerror(errno));
		if (l->fd >= 0)
			close(l->fd);
		free(l);
		return -1;
	}
	if (lport_out != NULL) {
		slen = sizeof(ss);
		getsockname(l->fd, (struct sockaddr *)&ss, &slen);
		*lport_out = ntohs(ss.ss_family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port
		    : ((struct sockaddr_in6 *)&ss)->sin6_port);
	}
	l->next = f->listeners;
	f->listeners = l;
	return 0;
}

int
fwd_add_bundle(struct fwd *f, const struct scrub_bundle *b, char *err, size_t errlen)
{
	int n = 0;

	for (size_t i = 0; i < b->n_objects; i++)
		for (size_t j = 0; j < b->objects[i].n_ips; j++) {
			const struct scrub_ip *ip = &b->objects[i].ips[j];

			if (!ip->has_origin)
				continue;
			for (size_t k = 0; k < ip->n_services; k++)
				for (uint32_t p = ip->services[k].port_lo;
				    p <= ip->services[k].port_hi; p++) {
					if (fwd_add(f, ip->services[k].proto, &ip->addr, (uint16_t)p,
					    &ip->origin, (uint16_t)p, NULL, err, errlen) < 0)
						return -1;
					n++;
				}
		}
	return n;
}
