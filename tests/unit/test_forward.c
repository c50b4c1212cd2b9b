/*
 * Unit tests of the clean-traffic forwarder on loopback: a TCP echo origin
 * reached through the forwarder returns 4 MiB of random bytes byte for byte
 * (several connections at once, half-close honoured); a UDP echo origin
 * answers each client through its own session; an origin that refuses the
 * connection closes the client's; bundle listeners are created per port.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "forward.h"

#define BIG (4u << 20)

static atomic_bool stop;

static void *
fwd_thread(void *arg)
{
	struct fwd *f = arg;

	while (!atomic_load(&stop))
		fwd_run(f, 50);
	return NULL;
}

static int
tcp_listen(uint16_t *port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	socklen_t len = sizeof(sin);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(listen(fd, 16), 0);
	getsockname(fd, (struct sockaddr *)&sin, &len);
	*port = ntohs(sin.sin_port);
	return fd;
}

/* Echo every connection until the peer half-closes, then close. */
static void *
echo_server(void *arg)
{
	int lfd = *(int *)arg;

	for (;;) {
		int c = accept(lfd, NULL, NULL);
		char buf[65536];
		ssize_t n;

		if (c < 0)
			return NULL;
		while ((n = read(c, buf, sizeof(buf))) > 0)
			for (ssize_t off = 0; off < n;) {
				ssize_t w = write(c, buf + off, (size_t)(n - off));

				if (w <= 0)
					break;
				off += w;
			}
		close(c);
	}
}

struct client {
	uint16_t port;
	int ok;
};

/* Send BIG random bytes while reading the echo; half-close; compare. */
static void *
client(void *arg)
{
	struct client *cl = arg;
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(cl->port) };
	unsigned char *out = malloc(BIG), *in = malloc(BIG);
	size_t sent = 0, got = 0;
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	unsigned seed = (unsigned)(uintptr_t)arg;

	inet_pton(AF_INET, "127.0.0.2", &sin.sin_addr);
	for (size_t i = 0; i < BIG; i++)
		out[i] = (unsigned char)rand_r(&seed);
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0)
		goto done;
	while (got < BIG) {
		struct pollfd p = { fd, POLLIN | (sent < BIG ? POLLOUT : 0), 0 };

		if (poll(&p, 1, 10000) <= 0)
			goto done;
		if ((p.revents & POLLOUT) && sent < BIG) {
			ssize_t w = send(fd, out + sent, BIG - sent > 65536 ? 65536 : BIG - sent,
			    MSG_DONTWAIT);

			if (w > 0 && (sent += (size_t)w) == BIG)
				shutdown(fd, SHUT_WR);
		}
		if (p.revents & POLLIN) {
			ssize_t r = recv(fd, in + got, BIG - got, MSG_DONTWAIT);

			if (r == 0)
				break;
			if (r > 0)
				got += (size_t)r;
		}
	}
	/* After the echo the origin closes: EOF reaches the client. */
	cl->ok = got == BIG && memcmp(in, out, BIG) == 0 && recv(fd, in, 1, 0) == 0;
done:
	close(fd);
	free(in);
	free(out);
	return NULL;
}

static void
test_tcp_echo_byte_identical(void **state)
{
	struct scrub_ipaddr l, o;
	struct fwd_stats st;
	struct client cl[4];
	pthread_t ft, et, ct[4];
	uint16_t oport, lport;
	char err[256];
	int lfd = tcp_listen(&oport);
	struct fwd *f = fwd_new(err, sizeof(err));

	(void)state;
	assert_non_null(f);
	assert_int_equal(scrub_ipaddr_parse("127.0.0.2", &l), 0);
	assert_int_equal(scrub_ipaddr_parse("127.0.0.1", &o), 0);
	assert_int_equal(fwd_add(f, SCRUB_PROTO_TCP, &l, 0, &o, oport, &lport, err,
	    sizeof(err)), 0);
	assert_true(lport != 0);
	atomic_store(&stop, false);
	pthread_create(&ft, NULL, fwd_thread, f);
	pthread_create(&et, NULL, echo_server, &lfd);
	for (int i = 0; i < 4; i++) {
		cl[i] = (struct client){ lport, 0 };
		pthread_create(&ct[i], NULL, client, &cl[i]);
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(ct[i], NULL);
		assert_true(cl[i].ok);
	}
	usleep(200 * 1000);
	atomic_store(&stop, true);
	pthread_join(ft, NULL);
	fwd_get_stats(f, &st);
	assert_int_equal(st.tcp_accepted, 4);
	assert_int_equal(st.tcp_active, 0);
	assert_int_equal(st.bytes_to_origin, 4ull * BIG);
	assert_int_equal(st.bytes_to_client, 4ull * BIG);
	shutdown(lfd, SHUT_RDWR);
	pthread_join(et, NULL);
	close(lfd);
	fwd_free(f);
}

static void
test_tcp_origin_down(void **state)
{
	struct scrub_ipaddr l, o;
	struct sockaddr_in sin = { .sin_family = AF_INET };
	struct fwd_stats st;
	pthread_t ft;
	uint16_t oport, lport;
	char err[256], c;
	int lfd = tcp_listen(&oport), fd;
	struct fwd *f = fwd_new(err, sizeof(err));

	(void)state;
	close(lfd);	/* nothing listens on oport now */
	assert_int_equal(scrub_ipaddr_parse("127.0.0.2", &l), 0);
	assert_int_equal(scrub_ipaddr_parse("127.0.0.1", &o), 0);
	assert_int_equal(fwd_add(f, SCRUB_PROTO_TCP, &l, 0, &o, oport, &lport, err,
	    sizeof(err)), 0);
	atomic_store(&stop, false);
	pthread_create(&ft, NULL, fwd_thread, f);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	sin.sin_port = htons(lport);
	inet_pton(AF_INET, "127.0.0.2", &sin.sin_addr);
	assert_int_equal(connect(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_true(recv(fd, &c, 1, 0) <= 0);	/* closed, not hung */
	close(fd);
	atomic_store(&stop, true);
	pthread_join(ft, NULL);
	fwd_get_stats(f, &st);
	assert_int_equal(st.tcp_failed, 1);
	fwd_free(f);
}

static void *
udp_echo(void *arg)
{
	int fd = *(int *)arg;
	char buf[2048];

	for (;;) {
		struct sockaddr_storage from;
		socklen_t len = sizeof(from);
		ssize_t n = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &len);

		if (n <= 0)
			return NULL;
		if (n == 4 && memcmp(buf, "quit", 4) == 0)
			return NULL;
		buf[0] ^= 0x20;	/* prove the answer came from the origin */
		sendto(fd, buf, (size_t)n, 0, (struct sockaddr *)&from, len);
	}
}

static void
test_udp_round_trip(void **state)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	struct scrub_ipaddr l, o;
	struct fwd_stats st;
	socklen_t len = sizeof(sin);
	pthread_t ft, et;
	uint16_t oport, lport;
	char err[256], buf[2048];
	int ofd = socket(AF_INET, SOCK_DGRAM, 0), c[2];
	struct fwd *f = fwd_new(err, sizeof(err));
	struct timeval tv = { 2, 0 };

	(void)state;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(ofd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	getsockname(ofd, (struct sockaddr *)&sin, &len);
	oport = ntohs(sin.sin_port);
	assert_int_equal(scrub_ipaddr_parse("127.0.0.2", &l), 0);
	assert_int_equal(scrub_ipaddr_parse("127.0.0.1", &o), 0);
	assert_int_equal(fwd_add(f, SCRUB_PROTO_UDP, &l, 0, &o, oport, &lport, err,
	    sizeof(err)), 0);
	atomic_store(&stop, false);
	pthread_create(&ft, NULL, fwd_thread, f);
	pthread_create(&et, NULL, udp_echo, &ofd);
	sin.sin_port = htons(lport);
	inet_pton(AF_INET, "127.0.0.2", &sin.sin_addr);
	for (int i = 0; i < 2; i++) {
		c[i] = socket(AF_INET, SOCK_DGRAM, 0);
		setsockopt(c[i], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		assert_int_equal(connect(c[i], (struct sockaddr *)&sin, sizeof(sin)), 0);
	}
	for (int round = 0; round < 10; round++)
		for (int i = 0; i < 2; i++) {
			char msg[1400];

			memset(msg, 'a' + i, sizeof(msg));
			snprintf(msg + 1, 32, "client %d round %d", i, round);
			assert_int_equal(send(c[i], msg, sizeof(msg), 0), sizeof(msg));
			assert_int_equal(recv(c[i], buf, sizeof(buf), 0), sizeof(msg));
			assert_int_equal(buf[0], msg[0] ^ 0x20);
			assert_memory_equal(buf + 1, msg + 1, sizeof(msg) - 1);
		}
	atomic_store(&stop, true);
	pthread_join(ft, NULL);
	fwd_get_stats(f, &st);
	assert_int_equal(st.udp_sessions, 2);
	assert_int_equal(st.bytes_to_origin, 20 * 1400);
	assert_int_equal(st.bytes_to_client, 20 * 1400);
	sin.sin_port = htons(oport);
	inet_pton(AF_INET, "127.0.0.1", &sin.sin_addr);
	sendto(c[0], "quit", 4, 0, (struct sockaddr *)&sin, sizeof(sin));
	pthread_join(et, NULL);
	close(c[0]);
	close(c[1]);
	close(ofd);
	fwd_free(f);
}

static void
test_bundle_listeners(void **state)
{
	const char *text = "{\"scrubbing\":[\"127.0.0.3\"],\"objects\":[{\"id\":\"a\","
	    "\"tenant\":1,\"tier_mbps\":1,\"ips\":[{\"addr\":\"127.0.0.3\",\"origin\":\"127.0.0.1\","
	    "\"services\":[{\"proto\":\"tcp\",\"ports\":[\"45001-45003\"]},"
	    "{\"proto\":\"udp\",\"ports\":[45001]}]},"
	    "{\"addr\":\"127.0.0.4\",\"services\":[{\"proto\":\"tcp\",\"ports\":[80]}]}]}]}";
	struct scrub_bundle b;
	char err[256];
	struct fwd *f = fwd_new(err, sizeof(err));
	struct scrub_ipaddr a;

	(void)state;
	assert_int_equal(scrub_bundle_parse_text(text, strlen(text), &b, err, sizeof(err)), 0);
	assert_int_equal(fwd_add_bundle(f, &b, err, sizeof(err)), 4);
	/* The same TCP port again: a clear error naming it. */
	assert_int_equal(scrub_ipaddr_parse("127.0.0.3", &a), 0);
	assert_int_equal(fwd_add(f, SCRUB_PROTO_TCP, &a, 45002, &a, 1, NULL, err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "tcp 127.0.0.3 port 45002"));
	scrub_bundle_free(&b);
	fwd_free(f);
	fwd_free(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tcp_echo_byte_identical),
		cmocka_unit_test(test_tcp_origin_down),
		cmocka_unit_test(test_udp_round_trip),
		cmocka_unit_test(test_bundle_listeners),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
