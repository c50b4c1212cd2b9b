/*
 * health.c: the health-check thread (see health.h). Checks are blocking
 * with a poll(2) deadline: a node serves tens of origins, not thousands,
 * and a thread of its own keeps the event loops free of them.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "health.h"
#include "log.h"

struct health {
	struct siteconf *(*current)(void *);
	void *arg;
	atomic_bool stop;
	pthread_t thread;
};

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static bool
wait_fd(int fd, short ev, int64_t deadline)
{
	struct pollfd p = { .fd = fd, .events = ev };
	int64_t left = deadline - now_ms();

	return left > 0 && poll(&p, 1, (int)left) == 1 && (p.revents & ev) != 0;
}

bool
health_probe(const struct origin *o, const struct health_check *hc, const char *host)
{
	int64_t deadline = now_ms() + hc->timeout_ms;
	int fd = socket(o->sa.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0), soerr = 0;
	socklen_t sl = sizeof(soerr);
	char req[600], resp[32];
	size_t got = 0;
	bool up = false;
	int n;

	if (fd < 0)
		return false;
	if (connect(fd, (const struct sockaddr *)&o->sa, o->salen) < 0 && errno != EINPROGRESS)
		goto out;
	if (!wait_fd(fd, POLLOUT, deadline) || getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) < 0 ||
	    soerr != 0)
		goto out;
	if (!hc->http || o->tls) {	/* TLS origins: the TCP handshake is the check */
		up = true;
		goto out;
	}
	n = snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: yunshou-waf-health\r\n"
	    "Connection: close\r\n\r\n", hc->path, host);
	if (n < 0 || (size_t)n >= sizeof(req) || write(fd, req, (size_t)n) != n)
		goto out;
	while (got < 12 && wait_fd(fd, POLLIN, deadline)) {
		ssize_t r = read(fd, resp + got, sizeof(resp) - got);

		if (r <= 0)
			break;
		got += (size_t)r;
	}
	up = got >= 12 && memcmp(resp, "HTTP/1.", 7) == 0 && resp[9] >= '1' && resp[9] <= '4';
out:
	close(fd);
	return up;
}

static void
check_site(struct site *s, int64_t now)
{
	for (size_t i = 0; i < s->n_origins; i++) {
		struct origin *o = &s->origins[i];
		bool up;
		int was;

		if (now < o->next_check_ms)
			continue;
		o->next_check_ms = now + s->hc.interval_ms;
		up = health_probe(o, &s->hc, s->domains[0][0] == '*' ? s->domains[0] + 2 :
		    s->domains[0]);
		was = atomic_load(&o->healthy);
		if (up == (was != 0)) {
			atomic_store(&o->streak, 0);
			continue;
		}
		if (atomic_fetch_add(&o->streak, 1) + 1 >= (up ? s->hc.rise : s->hc.fall)) {
			atomic_store(&o->healthy, up ? 1 : 0);
			atomic_store(&o->streak, 0);
			log_warn("health: site %lld origin %s:%u is %s", (long long)s->id, o->address,
			    o->port, up ? "up" : "down");
		}
	}
}

static void *
health_main(void *arg)
{
	struct health *h = arg;

	while (!atomic_load(&h->stop)) {
		struct siteconf *c = h->current(h->arg);
		int64_t now = now_ms();

		for (size_t i = 0; c != NULL && i < c->n_sites; i++)
			if (c->sites[i].hc.enabled)
				check_site(&c->sites[i], now);
		siteconf_unref(c);
		usleep(50 * 1000);
	}
	return NULL;
}

struct health *
health_start(struct siteconf *(*current)(void *), void *arg)
{
	struct health *h = calloc(1, sizeof(*h));

	if (h == NULL)
		return NULL;
	h->current = current;
	h->arg = arg;
	if (pthread_create(&h->thread, NULL, health_main, h) != 0) {
		free(h);
		return NULL;
	}
	return h;
}

void
health_stop(struct health *h)
{
	if (h == NULL)
		return;
	atomic_store(&h->stop, true);
	pthread_join(h->thread, NULL);
	free(h);
}
