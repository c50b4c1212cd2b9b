/*
 * portscan: the connect scan. One slot per connect in flight; slots are
 * registered in one epoll set with their index as the event data. A slot
 * is done when the socket turns writable (SO_ERROR 0 = open, else closed),
 * when connect() already answered synchronously (loopback often does), or
 * when its deadline passes. Open sockets are closed with SO_LINGER 0 (a
 * RST) so a full scan leaves no TIME_WAIT behind.
 */
#include "portscan.h"
#include "synscan.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#define SPEC_MAX_ITEMS 4096

static void
seterr(char *err, size_t errlen, const char *fmt, const char *arg)
{
	if (err != NULL && errlen > 0)
		snprintf(err, errlen, fmt, arg);
}

int
portscan_resolve(const char *host, struct sockaddr_storage *ss,
    socklen_t *len, char *err, size_t errlen)
{
	struct addrinfo hints, *ai = NULL;
	int rc;

	if (host == NULL || *host == '\0' || strlen(host) > 253) {
		seterr(err, errlen, "%s", "target: empty or longer than 253 characters");
		return -1;
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	rc = getaddrinfo(host, NULL, &hints, &ai);
	if (rc != 0 || ai == NULL) {
		seterr(err, errlen, "target: cannot resolve '%s'", host);
		if (ai != NULL)
			freeaddrinfo(ai);
		return -1;
	}
	memset(ss, 0, sizeof(*ss));
	memcpy(ss, ai->ai_addr, ai->ai_addrlen);
	*len = ai->ai_addrlen;
	freeaddrinfo(ai);
	return 0;
}

bool
portscan_is_loopback(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
		return (ntohl(in->sin_addr.s_addr) >> 24) == 127;
	}
	if (sa->sa_family == AF_INET6) {
		const struct in6_addr *a = &((const struct sockaddr_in6 *)sa)->sin6_addr;
		if (IN6_IS_ADDR_LOOPBACK(a))
			return true;
		return IN6_IS_ADDR_V4MAPPED(a) && a->s6_addr[12] == 127;
	}
	return false;
}

/* Reads a port number at *p (1..65535, digits only, no leading '+'). */
static int
read_port(const char **p, unsigned *out)
{
	unsigned v = 0;
	int digits = 0;

	while (**p >= '0' && **p <= '9') {
		v = v * 10 + (unsigned)(**p - '0');
		if (v > 65535 || ++digits > 5)
			return -1;
		(*p)++;
	}
	if (digits == 0 || v == 0)
		return -1;
	*out = v;
	return 0;
}

int
portscan_parse_spec(const char *spec, uint16_t **ports, size_t *n,
    char *err, size_t errlen)
{
	static const char what[] = "port spec '%s': expected comma-separated "
	    "ports or ranges of 1-65535 such as 1-1024,3306,8080-8090";
	uint8_t *set;
	const char *p = spec;
	size_t items = 0, count = 0, i;
	uint16_t *out;
	char shown[64];

	*ports = NULL;
	*n = 0;
	if (spec == NULL)
		spec = p = "";
	snprintf(shown, sizeof(shown), "%.40s%s", spec, strlen(spec) > 40 ? "..." : "");
	set = calloc(65536, 1);
	if (set == NULL) {
		seterr(err, errlen, "%s", "out of memory");
		return -1;
	}
	for (;;) {
		unsigned lo, hi;

		if (read_port(&p, &lo) != 0)
			goto bad;
		hi = lo;
		if (*p == '-') {
			p++;
			if (read_port(&p, &hi) != 0 || hi < lo)
				goto bad;
		}
		if (++items > SPEC_MAX_ITEMS)
			goto bad;
		for (unsigned v = lo; v <= hi; v++)
			set[v] = 1;
		if (*p == '\0')
			break;
		if (*p != ',')
			goto bad;
		p++;
	}
	for (i = 1; i < 65536; i++)
		count += set[i];
	out = malloc(count * sizeof(*out));
	if (out == NULL) {
		free(set);
		seterr(err, errlen, "%s", "out of memory");
		return -1;
	}
	count = 0;
	for (i = 1; i < 65536; i++)
		if (set[i])
			out[count++] = (uint16_t)i;
	free(set);
	*ports = out;
	*n = count;
	return 0;
bad:
	free(set);
	seterr(err, errlen, what, shown);
	return -1;
}

struct slot {
	int fd;			/* -1 = free */
	uint16_t port;
	uint64_t deadline;	/* ms, monotonic */
};

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static int
add_open(struct portscan_result *res, size_t *cap, uint16_t port)
{
	if (res->n_open == *cap) {
		size_t nc = *cap ? *cap * 2 : 64;
		uint16_t *p = realloc(res->open, nc * sizeof(*p));
		if (p == NULL)
			return -1;
		res->open = p;
		*cap = nc;
	}
	res->open[res->n_open++] = port;
	return 0;
}

/* Closing the descriptor also takes it out of the epoll set (it is never
 * duplicated), so no EPOLL_CTL_DEL. Only open ports are reset with
 * SO_LINGER 0; a refused connect leaves nothing behind. */
static void
close_slot(struct slot *s, bool was_open)
{
	struct linger lg = { 1, 0 };

	if (was_open)
		setsockopt(s->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	close(s->fd);
	s->fd = -1;
}

/* A connect to a loopback port in the ephemeral range can be given that
 * very port as its source and "succeed" by TCP simultaneous open with
 * itself. Such a port is not open: nothing listens there. */
static bool
is_self_connect(int fd, const struct sockaddr *dst, uint16_t port)
{
	struct sockaddr_storage me;
	socklen_t l = sizeof(me);

	if (getsockname(fd, (struct sockaddr *)&me, &l) != 0 ||
	    me.ss_family != dst->sa_family)
		return false;
	if (me.ss_family == AF_INET) {
		const struct sockaddr_in *a = (const struct sockaddr_in *)&me;
		return ntohs(a->sin_port) == port &&
		    a->sin_addr.s_addr == ((const struct sockaddr_in *)dst)->sin_addr.s_addr;
	}
	const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)&me;
	return ntohs(a->sin6_port) == port && memcmp(&a->sin6_addr,
	    &((const struct sockaddr_in6 *)dst)->sin6_addr, sizeof(a->sin6_addr)) == 0;
}

static int
cmp_port(const void *a, const void *b)
{
	return (int)*(const uint16_t *)a - (int)*(const uint16_t *)b;
}

/*
 * Starts a connect to port on slot s. Returns 1 if in flight (registered),
 * 0 if it answered at once (*open says how), -1 on a local error (errno)
 * that should stop the scan.
 */
static int
start_connect(int ep, const struct sockaddr *sa, socklen_t salen,
    struct slot *s, uint16_t port, unsigned slotno, bool *open)
{
	struct sockaddr_storage ss;
	struct epoll_event ev;
	int fd, rc;

	memcpy(&ss, sa, salen);
	if (sa->sa_family == AF_INET)
		((struct sockaddr_in *)&ss)->sin_port = htons(port);
	else
		((struct sockaddr_in6 *)&ss)->sin6_port = htons(port);
	fd = socket(sa->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	s->fd = fd;
	s->port = port;
	rc = connect(fd, (struct sockaddr *)&ss, salen);
	if (rc == 0 || errno != EINPROGRESS) {
		int e = errno;
		*open = rc == 0 && !is_self_connect(fd, sa, port);
		close_slot(s, rc == 0);
		/* Out of local ports or buffers: a resource error, not an answer. */
		if (rc != 0 && (e == EADDRNOTAVAIL || e == ENOBUFS || e == EAGAIN ||
		    e == ENETUNREACH || e == EACCES || e == EPERM)) {
			errno = e;
			return -1;
		}
		return 0;
	}
	ev.events = EPOLLOUT;
	ev.data.u32 = slotno;
	if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) != 0) {
		close_slot(s, false);
		return -1;
	}
	return 1;
}

struct shared {
	atomic_size_t done, open;	/* over all threads, for progress */
	size_t total, step;
	atomic_bool stop;
};

struct part {
	const struct sockaddr *sa;
	socklen_t salen;
	const uint16_t *ports;		/* this thread's share, owned */
	size_t n;
	struct portscan_opts o;
	struct shared *sh;
	bool reporter;			/* calls the progress callback */
	struct portscan_result res;
	char err[128];
	int rc;
	pthread_t th;
};

/* One thread's share of a scan: its own epoll set, slots and result. */
static int
scan_part(struct part *pt)
{
	const struct sockaddr *sa = pt->sa;
	socklen_t salen = pt->salen;
	const uint16_t *ports = pt->ports;
	size_t n = pt->n, reported = 0, reported_open = 0;
	struct portscan_opts o = pt->o;
	struct portscan_result *res = &pt->res;
	struct shared *sh = pt->sh;
	char *err = pt->err;
	size_t errlen = sizeof(pt->err);
	struct epoll_event evs[256];
	struct slot *slots = NULL;
	unsigned *freelist = NULL, nfree, inflight = 0, conc;
	size_t next = 0, cap = 0, started = 0, last_report = 0;
	uint64_t t0, now, last_sweep;
	int ep = -1, retry_errno = 0;

	memset(res, 0, sizeof(*res));
	conc = o.concurrency;
	ep = epoll_create1(EPOLL_CLOEXEC);
	slots = calloc(conc, sizeof(*slots));
	freelist = calloc(conc, sizeof(*freelist));
	if (ep < 0 || slots == NULL || freelist == NULL) {
		seterr(err, errlen, "portscan: %s", strerror(errno));
		goto fail;
	}
	for (unsigned i = 0; i < conc; i++) {
		slots[i].fd = -1;
		freelist[i] = conc - 1 - i;
	}
	nfree = conc;
	t0 = last_sweep = now_ms();

	while (res->done < n) {
		int nev, wait_ms = 50;

		if ((o.cancel != NULL && atomic_load(o.cancel)) || atomic_load(&sh->stop)) {
			res->cancelled = true;
			break;
		}
		now = now_ms();
		/* Start as many connects as slots and the rate allow. */
		while (next < n && nfree > 0) {
			bool open = false;
			unsigned si;
			int rc;

			if (o.rate > 0) {
				uint64_t allowed = (now - t0) * o.rate / 1000 + 1;
				if (started >= allowed) {
					uint64_t due = t0 + started * 1000 / o.rate;
					wait_ms = due > now ? (int)(due - now) : 1;
					break;
				}
			}
			si = freelist[nfree - 1];
			rc = start_connect(ep, sa, salen, &slots[si], ports[next],
			    si, &open);
			if (rc < 0) {
				/* Local resources exhausted: wait for slots to drain
				 * and retry, unless nothing is in flight to free any. */
				if (inflight == 0 && retry_errno == errno) {
					seterr(err, errlen, "portscan: connect: %s",
					    strerror(errno));
					goto fail;
				}
				retry_errno = errno;
				wait_ms = 10;
				break;
			}
			retry_errno = 0;
			started++;
			if (rc == 0) {
				res->done++;
				next++;
				if (open && add_open(res, &cap, ports[next - 1]) != 0)
					goto oom;
				continue;
			}
			slots[si].deadline = now + o.timeout_ms;
			nfree--;
			inflight++;
			next++;
		}
		if (inflight == 0 && next >= n)
			break;
		nev = epoll_wait(ep, evs, (int)(sizeof(evs) / sizeof(evs[0])),
		    inflight ? wait_ms : (wait_ms > 0 ? wait_ms : 1));
		if (nev < 0 && errno != EINTR) {
			seterr(err, errlen, "portscan: epoll_wait: %s", strerror(errno));
			goto fail;
		}
		for (int i = 0; i < nev; i++) {
			unsigned si = evs[i].data.u32;
			struct slot *s = &slots[si];
			int soerr = 0;
			socklen_t l = sizeof(soerr);

			if (s->fd < 0)
				continue;
			/* Writable without error: connected. An error event is
			 * usually a refusal; SO_ERROR tells it from a connection
			 * the server accepted and already reset. */
			if (evs[i].events & (EPOLLERR | EPOLLHUP)) {
				if (getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &soerr, &l) != 0)
					soerr = errno;
				if (soerr == ECONNRESET || soerr == EPIPE)
					soerr = 0;
			}
			if (soerr == 0 && !is_self_connect(s->fd, sa, s->port) &&
			    add_open(res, &cap, s->port) != 0)
				goto oom;
			close_slot(s, soerr == 0);
			freelist[nfree++] = si;
			inflight--;
			res->done++;
		}
		now = now_ms();
		if (now - last_sweep >= 10 || nev == 0) {
			last_sweep = now;
			for (unsigned si = 0; si < conc; si++) {
				if (slots[si].fd >= 0 && slots[si].deadline <= now) {
					close_slot(&slots[si], false);
					freelist[nfree++] = si;
					inflight--;
					res->done++;
					res->timed_out++;
				}
			}
		}
		if (res->done != reported) {
			atomic_fetch_add(&sh->done, res->done - reported);
			atomic_fetch_add(&sh->open, res->n_open - reported_open);
			reported = res->done;
			reported_open = res->n_open;
			if (pt->reporter && o.progress != NULL) {
				size_t d = atomic_load(&sh->done);
				if (d - last_report >= sh->step) {
					last_report = d;
					o.progress(o.progress_arg, d, sh->total,
					    atomic_load(&sh->open));
				}
			}
		}
	}
	for (unsigned si = 0; si < conc; si++)
		if (slots[si].fd >= 0)
			close_slot(&slots[si], false);
	free(slots);
	free(freelist);
	close(ep);
	return 0;
oom:
	seterr(err, errlen, "%s", "portscan: out of memory");
fail:
	if (slots != NULL)
		for (unsigned si = 0; si < conc; si++)
			if (slots[si].fd >= 0)
				close_slot(&slots[si], false);
	free(slots);
	free(freelist);
	if (ep >= 0)
		close(ep);
	portscan_result_free(res);
	return -1;
}

static void *
part_main(void *arg)
{
	struct part *pt = arg;

	pt->rc = scan_part(pt);
	return NULL;
}

int
portscan_run(const struct sockaddr *sa, socklen_t salen,
    const uint16_t *ports, size_t n, const struct portscan_opts *opts,
    struct portscan_result *res, char *err, size_t errlen)
{
	struct portscan_opts o = { 0 };
	struct shared sh;
	struct part *parts = NULL;
	unsigned nt, started = 0;
	size_t total_open = 0;
	int rc = -1;

	memset(res, 0, sizeof(*res));
	if (opts != NULL)
		o = *opts;
	if (sa == NULL || (sa->sa_family != AF_INET && sa->sa_family != AF_INET6) ||
	    salen > sizeof(struct sockaddr_storage)) {
		seterr(err, errlen, "%s", "portscan: not an IPv4 or IPv6 address");
		return -1;
	}
	if (o.syn) {
		rc = synscan_run(sa, salen, ports, n, &o, res, err, errlen);
		if (rc != SYNSCAN_NOT_PERMITTED) {
			res->syn = rc == 0;
			return rc;
		}
		rc = -1;
	}
	o.concurrency = o.concurrency ? o.concurrency : PORTSCAN_DEFAULT_CONCURRENCY;
	if (o.concurrency > 16384)
		o.concurrency = 16384;
	if (o.timeout_ms == 0)
		o.timeout_ms = PORTSCAN_DEFAULT_TIMEOUT_MS;
	nt = o.threads ? o.threads : 1;
	if (nt > PORTSCAN_MAX_THREADS)
		nt = PORTSCAN_MAX_THREADS;
	if (nt > o.concurrency)
		nt = o.concurrency;
	if (n < (size_t)nt * 64)
		nt = 1;
	atomic_init(&sh.done, 0);
	atomic_init(&sh.open, 0);
	atomic_init(&sh.stop, false);
	sh.total = n;
	sh.step = n / 100 ? n / 100 : 1;
	parts = calloc(nt, sizeof(*parts));
	if (parts == NULL) {
		seterr(err, errlen, "%s", "portscan: out of memory");
		return -1;
	}
	/* Thread k scans ports k, k+nt, ...: each share spans the whole range,
	 * so the shares finish together. Concurrency and rate are divided. */
	for (unsigned k = 0; k < nt; k++) {
		struct part *pt = &parts[k];
		uint16_t *mine = malloc((n / nt + 1) * sizeof(*mine));

		if (mine == NULL) {
			seterr(err, errlen, "%s", "portscan: out of memory");
			goto out;
		}
		pt->n = 0;
		for (size_t i = k; i < n; i += nt)
			mine[pt->n++] = ports[i];
		pt->ports = mine;
		pt->sa = sa;
		pt->salen = salen;
		pt->o = o;
		pt->o.concurrency = o.concurrency / nt + (k < o.concurrency % nt);
		if (o.rate > 0) {
			pt->o.rate = o.rate / nt + (k < o.rate % nt);
			if (pt->o.rate == 0)
				pt->o.rate = 1;
		}
		pt->sh = &sh;
		pt->reporter = k == 0;
	}
	for (started = 1; started < nt; started++)
		if (pthread_create(&parts[started].th, NULL, part_main, &parts[started]) != 0) {
			seterr(err, errlen, "%s", "portscan: cannot start a scanning thread");
			atomic_store(&sh.stop, true);
			break;
		}
	part_main(&parts[0]);
	for (unsigned k = 1; k < started; k++)
		pthread_join(parts[k].th, NULL);
	if (started < nt)
		goto out;
	for (unsigned k = 0; k < nt; k++) {
		if (parts[k].rc != 0) {
			seterr(err, errlen, "%s", parts[k].err);
			goto out;
		}
		total_open += parts[k].res.n_open;
	}
	res->open = malloc((total_open ? total_open : 1) * sizeof(*res->open));
	if (res->open == NULL) {
		seterr(err, errlen, "%s", "portscan: out of memory");
		goto out;
	}
	for (unsigned k = 0; k < nt; k++) {
		if (parts[k].res.n_open > 0)
			memcpy(res->open + res->n_open, parts[k].res.open,
			    parts[k].res.n_open * sizeof(*res->open));
		res->n_open += parts[k].res.n_open;
		res->done += parts[k].res.done;
		res->timed_out += parts[k].res.timed_out;
		res->cancelled |= parts[k].res.cancelled;
	}
	if (res->n_open > 1)
		qsort(res->open, res->n_open, sizeof(*res->open), cmp_port);
	if (o.progress != NULL)
		o.progress(o.progress_arg, res->done, n, res->n_open);
	rc = 0;
out:
	for (unsigned k = 0; k < nt; k++) {
		free((void *)parts[k].ports);
		portscan_result_free(&parts[k].res);
	}
	free(parts);
	if (rc != 0)
		portscan_result_free(res);
	return rc;
}

void
portscan_result_free(struct portscan_result *res)
{
	if (res == NULL)
		return;
	free(res->open);
	res->open = NULL;
	res->n_open = 0;
}
