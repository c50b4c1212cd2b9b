/*
 * bench_origin: a minimal, fast HTTP/1.1 origin for bench_waf_proxy (nginx
 * is not installed). One epoll thread per core given, keep-alive, answers
 * every request whose head has arrived with a fixed 200 response of BODY
 * bytes; request bodies (Content-Length only) are read and discarded. It
 * is a load target, not a web server: it trusts its input.
 *
 * usage: bench_origin PORT [THREADS] [BODY_BYTES]
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#define BUF 65536

struct cn {
	int fd;
	size_t have;
	size_t skip;	/* body bytes still to discard */
	char buf[BUF];
};

static int lfd;
static char *resp;
static size_t resp_len;

static void
serve(struct cn *c)
{
	for (;;) {
		ssize_t r = read(c->fd, c->buf + c->have, BUF - c->have);
		size_t off = 0;

		if (r <= 0) {
			if (r < 0 && errno == EAGAIN)
				return;
			close(c->fd);
			free(c);
			return;
		}
		c->have += (size_t)r;
		for (;;) {
			char *end, *cl;
			size_t n;

			if (c->skip > 0) {
				n = c->have - off < c->skip ? c->have - off : c->skip;
				off += n;
				c->skip -= n;
				if (c->skip > 0)
					break;
			}
			end = memmem(c->buf + off, c->have - off, "\r\n\r\n", 4);
			if (end == NULL)
				break;
			*end = '\0';
			cl = strcasestr(c->buf + off, "\ncontent-length:");
			c->skip = cl != NULL ? strtoul(cl + 16, NULL, 10) : 0;
			off = (size_t)(end - c->buf) + 4;
			if (write(c->fd, resp, resp_len) < 0) {
				close(c->fd);
				free(c);
				return;
			}
		}
		memmove(c->buf, c->buf + off, c->have - off);
		c->have -= off;
		if (c->have == BUF) {	/* a head larger than the buffer */
			close(c->fd);
			free(c);
			return;
		}
	}
}

static void *
loop(void *arg)
{
	int ep = epoll_create1(0), one = 1;
	struct epoll_event ev = { .events = EPOLLIN | EPOLLEXCLUSIVE, .data.ptr = NULL }, evs[128];

	(void)arg;
	epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev);
	for (;;) {
		int n = epoll_wait(ep, evs, 128, -1);

		for (int i = 0; i < n; i++) {
			if (evs[i].data.ptr == NULL) {
				int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK);
				struct cn *c;

				if (fd < 0)
					continue;
				setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
				if ((c = calloc(1, sizeof(*c))) == NULL) {
					close(fd);
					continue;
				}
				c->fd = fd;
				ev.events = EPOLLIN | EPOLLET;
				ev.data.ptr = c;
				epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
				serve(c);
			} else {
				serve(evs[i].data.ptr);
			}
		}
	}
	return NULL;
}

int
main(int argc, char **argv)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	int threads = argc > 2 ? atoi(argv[2]) : 1, one = 1;
	size_t body = argc > 3 ? strtoul(argv[3], NULL, 10) : 13;
	pthread_t t;

	if (argc < 2) {
		fprintf(stderr, "usage: bench_origin PORT [THREADS] [BODY_BYTES]\n");
		return 2;
	}
	sa.sin_port = htons((uint16_t)atoi(argv[1]));
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(lfd, 1024) < 0) {
		perror("bench_origin: listen");
		return 1;
	}
	if ((resp = malloc(body + 128)) == NULL)
		return 1;
	resp_len = (size_t)snprintf(resp, 128, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
	    "Content-Length: %zu\r\n\r\n", body);
	memset(resp + resp_len, 'x', body);
	resp_len += body;
	for (int i = 1; i < threads; i++)
		pthread_create(&t, NULL, loop, NULL);
	loop(NULL);
	return 0;
}
