/*
 * netfx: loopback servers for the network scanner's unit tests. Each
 * server listens on 127.0.0.1 on an ephemeral port and runs its handler
 * on one thread, one connection at a time; netfx_stop() wakes accept()
 * with shutdown() and joins. Nothing here ever leaves loopback.
 */
#ifndef YS_TEST_NETFX_H
#define YS_TEST_NETFX_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

typedef void (*netfx_handler)(int fd, void *arg);

struct netfx_server {
	int fd;
	uint16_t port;
	pthread_t th;
	netfx_handler handle;
	void *arg;
};

/* A listening socket on 127.0.0.1:0; its port in *port. */
static __attribute__((unused)) int
netfx_listen(uint16_t *port)
{
	struct sockaddr_in a;
	socklen_t l = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) != 0 ||
	    listen(fd, 128) != 0 || getsockname(fd, (struct sockaddr *)&a, &l) != 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	*port = ntohs(a.sin_port);
	return fd;
}

static __attribute__((unused)) void *
netfx_loop(void *p)
{
	struct netfx_server *s = p;

	for (;;) {
		int c = accept(s->fd, NULL, NULL);
		if (c < 0)
			break;
		if (s->handle != NULL)
			s->handle(c, s->arg);
		close(c);
	}
	return NULL;
}

static __attribute__((unused)) int
netfx_start(struct netfx_server *s, netfx_handler h, void *arg)
{
	memset(s, 0, sizeof(*s));
	s->handle = h;
	s->arg = arg;
	s->fd = netfx_listen(&s->port);
	if (s->fd < 0)
		return -1;
	return pthread_create(&s->th, NULL, netfx_loop, s) == 0 ? 0 : -1;
}

static __attribute__((unused)) void
netfx_stop(struct netfx_server *s)
{
	shutdown(s->fd, SHUT_RDWR);
	pthread_join(s->th, NULL);
	close(s->fd);
}

/* Reads until the peer's request ends (\r\n\r\n or \n), closes, or 2 s pass. */
static __attribute__((unused)) size_t
netfx_read_request(int fd, char *buf, size_t cap)
{
	size_t n = 0;

	while (n + 1 < cap) {
		struct pollfd pfd = { fd, POLLIN, 0 };
		ssize_t r;

		if (poll(&pfd, 1, 2000) <= 0)
			break;
		r = read(fd, buf + n, cap - 1 - n);
		if (r <= 0)
			break;
		n += (size_t)r;
		buf[n] = '\0';
		if (strstr(buf, "\r\n\r\n") != NULL || (n >= 2 && buf[n - 1] == '\n' &&
		    strncmp(buf, "GET", 3) != 0 && strncmp(buf, "HEAD", 4) != 0))
			break;
		if (n >= 8 && memcmp(buf, "\0\0\0\x08\x04\xd2\x16\x2f", 8) == 0)
			break;
		/* A whole little-endian length-prefixed message (MongoDB). */
		if (n >= 16 && ((unsigned char)buf[0] | (unsigned char)buf[1] << 8 |
		    (unsigned char)buf[2] << 16 | (size_t)(unsigned char)buf[3] << 24) == n)
			break;
	}
	buf[n] = '\0';
	return n;
}

static __attribute__((unused)) void
netfx_write(int fd, const char *s)
{
	size_t n = strlen(s);

	while (n > 0) {
		ssize_t w = write(fd, s, n);
		if (w <= 0)
			return;
		s += w;
		n -= (size_t)w;
	}
}

/* An SSH server's identification line, then waits for the client to go. */
static __attribute__((unused)) void
netfx_ssh(int fd, void *arg)
{
	char buf[256];

	(void)arg;
	netfx_write(fd, "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n");
	netfx_read_request(fd, buf, sizeof(buf));
}

/* Redis without a password: PING -> +PONG. */
static __attribute__((unused)) void
netfx_redis(int fd, void *arg)
{
	char buf[512];

	(void)arg;
	netfx_read_request(fd, buf, sizeof(buf));
	if (strstr(buf, "PING") != NULL)
		netfx_write(fd, "+PONG\r\n");
	else
		netfx_write(fd, "-ERR unknown command\r\n");
}

/* A web server with an exposed .git/ and no security headers. */
static __attribute__((unused)) void
netfx_http(int fd, void *arg)
{
	char buf[2048], path[256] = "";
	const char *body;
	int is_head;

	(void)arg;
	netfx_read_request(fd, buf, sizeof(buf));
	is_head = strncmp(buf, "HEAD ", 5) == 0;
	sscanf(buf, "%*s %255s", path);
	if (strcmp(path, "/.git/HEAD") == 0)
		body = "ref: refs/heads/main\n";
	else if (strcmp(path, "/") == 0)
		body = "<html><body>hello</body></html>\n";
	else {
		netfx_write(fd, "HTTP/1.0 404 Not Found\r\nServer: nginx/1.22.1\r\n"
		    "Content-Length: 0\r\n\r\n");
		return;
	}
	snprintf(buf, sizeof(buf), "HTTP/1.0 200 OK\r\nServer: nginx/1.22.1\r\n"
	    "Content-Type: text/plain\r\nContent-Length: %zu\r\n\r\n%s",
	    strlen(body), is_head ? "" : body);
	netfx_write(fd, buf);
}

#endif
