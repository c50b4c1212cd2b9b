/*
 * netconn: connect with a timeout, bounded I/O, probing TLS contexts.
 */
#include "netconn.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int
netconn_open(const struct sockaddr *sa, socklen_t salen, uint16_t port,
    unsigned timeout_ms)
{
	struct sockaddr_storage ss;
	struct pollfd pfd;
	struct timeval tv;
	int fd, soerr = 0, fl;
	socklen_t l = sizeof(soerr);

	if (salen > sizeof(ss) || (sa->sa_family != AF_INET && sa->sa_family != AF_INET6))
		return -1;
	memcpy(&ss, sa, salen);
	if (sa->sa_family == AF_INET)
		((struct sockaddr_in *)&ss)->sin_port = htons(port);
	else
		((struct sockaddr_in6 *)&ss)->sin6_port = htons(port);
	fd = socket(sa->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&ss, salen) != 0) {
		if (errno != EINPROGRESS)
			goto fail;
		pfd.fd = fd;
		pfd.events = POLLOUT;
		pfd.revents = 0;
		if (poll(&pfd, 1, (int)timeout_ms) != 1 ||
		    getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &l) != 0 || soerr != 0)
			goto fail;
	}
	fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) != 0)
		goto fail;
	tv.tv_sec = timeout_ms / 1000;
	tv.tv_usec = (timeout_ms % 1000) * 1000;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	return fd;
fail:
	close(fd);
	return -1;
}

int
netconn_send(int fd, SSL *ssl, const void *buf, size_t n)
{
	const char *p = buf;

	while (n > 0) {
		int chunk = n > 65536 ? 65536 : (int)n;
		ssize_t w = ssl != NULL ? SSL_write(ssl, p, chunk) :
		    send(fd, p, (size_t)chunk, MSG_NOSIGNAL);
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

size_t
netconn_recv(int fd, SSL *ssl, void *buf, size_t cap, unsigned timeout_ms,
    bool until_eof)
{
	long long deadline = now_ms() + timeout_ms;
	size_t n = 0;

	while (n < cap) {
		long long left = deadline - now_ms();
		ssize_t r;

		if (left <= 0)
			break;
		if (ssl == NULL || SSL_pending(ssl) == 0) {
			struct pollfd pfd = { fd, POLLIN, 0 };
			if (poll(&pfd, 1, (int)left) != 1)
				break;
		}
		if (ssl != NULL) {
			int chunk = cap - n > 65536 ? 65536 : (int)(cap - n);
			r = SSL_read(ssl, (char *)buf + n, chunk);
			if (r <= 0) {
				int e = SSL_get_error(ssl, (int)r);
				if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE)
					continue;
				break;
			}
		} else {
			r = recv(fd, (char *)buf + n, cap - n, 0);
			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0)
				break;
		}
		n += (size_t)r;
		if (!until_eof)
			break;
	}
	return n;
}

SSL_CTX *
netconn_tls_ctx(int min_version, int max_version, const char *ciphers)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());

	if (ctx == NULL)
		return NULL;
	SSL_CTX_set_security_level(ctx, 0);
	SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
	SSL_CTX_set_options(ctx, SSL_OP_LEGACY_SERVER_CONNECT | SSL_OP_NO_TICKET);
	if (SSL_CTX_set_min_proto_version(ctx, min_version) != 1 ||
	    SSL_CTX_set_max_proto_version(ctx, max_version) != 1)
		goto fail;
	if (ciphers != NULL) {
		/* TLS 1.2 and older cipher list; TLS 1.3 suites are separate. */
		if (SSL_CTX_set_cipher_list(ctx, ciphers) != 1)
			goto fail;
	} else if (SSL_CTX_set_cipher_list(ctx, "ALL:COMPLEMENTOFALL:@SECLEVEL=0") != 1) {
		goto fail;
	}
	return ctx;
fail:
	SSL_CTX_free(ctx);
	return NULL;
}

SSL *
netconn_tls_start(SSL_CTX *ctx, int fd, const char *name)
{
	unsigned char tmp[16];
	SSL *ssl = SSL_new(ctx);

	if (ssl == NULL)
		return NULL;
	if (name != NULL && inet_pton(AF_INET, name, tmp) != 1 &&
	    inet_pton(AF_INET6, name, tmp) != 1)
		SSL_set_tlsext_host_name(ssl, name);
	if (SSL_set_fd(ssl, fd) != 1 || SSL_connect(ssl) != 1) {
		SSL_free(ssl);
		ERR_clear_error();
		return NULL;
	}
	return ssl;
}

void
netconn_tls_close(SSL *ssl)
{
	if (ssl == NULL)
		return;
	SSL_set_quiet_shutdown(ssl, 1);
	SSL_shutdown(ssl);
	SSL_free(ssl);
	ERR_clear_error();
}
