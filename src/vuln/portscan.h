/*
 * portscan: TCP connect scan of one IPv4 or IPv6 host. Nonblocking
 * connect()s are driven by one epoll set with a bounded number in flight,
 * a per-connect timeout and an optional connects-per-second limit, so a
 * scan is one call that a worker thread can run and another thread can
 * cancel (an atomic flag checked on every turn of the loop) or watch (a
 * progress callback). Also the port-list syntax "1-1024,3306,8080-8090".
 */
#ifndef YS_PORTSCAN_H
#define YS_PORTSCAN_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define PORTSCAN_DEFAULT_CONCURRENCY 512
#define PORTSCAN_DEFAULT_TIMEOUT_MS 1000
#define PORTSCAN_MAX_THREADS 16

/* Called about every 1% of the ports (and once at the end) from the
 * calling thread: ports finished, ports in total, open ports so far. */
typedef void (*portscan_progress_fn)(void *arg, size_t done, size_t total,
    size_t open);

struct portscan_opts {
	unsigned concurrency;	/* connects in flight; 0 = default */
	unsigned timeout_ms;	/* per connect; 0 = default */
	unsigned rate;		/* connects started per second; 0 = no limit */
	unsigned threads;	/* scanning threads, ports dealt round-robin;
				   0 = 1 (the calling thread only) */
	bool syn;		/* SYN scan with raw sockets when privileged
				   (CAP_NET_RAW), else a connect scan */
	atomic_bool *cancel;	/* may be NULL; set from any thread to stop */
	portscan_progress_fn progress;	/* may be NULL */
	void *progress_arg;
};

struct portscan_result {
	uint16_t *open;		/* ascending, owned; free with portscan_result_free */
	size_t n_open;
	size_t done;		/* ports answered or timed out */
	size_t timed_out;	/* no answer within timeout_ms (filtered) */
	bool cancelled;
	bool syn;		/* the SYN scan ran (not the connect scan) */
};

/* A numeric IPv4/IPv6 address or a host name (first address) -> *ss. */
int portscan_resolve(const char *host, struct sockaddr_storage *ss,
    socklen_t *len, char *err, size_t errlen);

/* True for 127.0.0.0/8, ::1 and ::ffff:127.0.0.0/104. */
bool portscan_is_loopback(const struct sockaddr *sa);

/*
 * Parses "1-1024,3306,8080-8090" (ports 1..65535, ranges low-high, no
 * spaces, at most 4096 items) into an ascending list without duplicates.
 * *ports is malloc'ed. Returns 0, or -1 with err saying what was wrong.
 */
int portscan_parse_spec(const char *spec, uint16_t **ports, size_t *n,
    char *err, size_t errlen);

/*
 * Connect-scans ports[0..n) of sa. Returns 0 with *res filled (also when
 * cancelled: res->cancelled says so and res holds what was found), or -1
 * with err set when the scan could not run (no epoll, bad address).
 */
int portscan_run(const struct sockaddr *sa, socklen_t salen,
    const uint16_t *ports, size_t n, const struct portscan_opts *opts,
    struct portscan_result *res, char *err, size_t errlen);

void portscan_result_free(struct portscan_result *res);

#endif
