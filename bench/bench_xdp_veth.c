/*
 * bench_xdp_veth: drop rate and legitimate goodput of the scrubber's XDP
 * program on a veth pair between two network namespaces this bench creates
 * (attacker/client side A, scrubber side S), against equivalent nftables
 * drop rules in the same topology and the same run.
 *
 * Each phase lasts SECONDS: a legitimate TCP stream from 10.77.0.3 (A) to a
 * sink on 10.77.0.2:5201 (S), paced at RATE_MBIT, runs while FLOODERS
 * processes send UDP frames from spoofed sources in 203.0.113.0/24 through
 * AF_PACKET (sendmmsg, qdisc bypassed) at full speed. Phases: no flood (the
 * goodput reference); flood with no filter; nftables `ip saddr
 * 203.0.113.0/24 drop` in a netdev ingress chain and in an ip prerouting
 * chain at raw priority; yunshou's program (block list 203.0.113.0/24, the
 * destination protected with the flag/port/reflection filters on) in generic
 * mode and, for reference, in veth's native mode; and an empty XDP_DROP
 * program in generic mode, the floor of generic XDP on this path. Drop rate = packets the
 * filter dropped per second (its own counters). Prints ratios; never fails on
 * a time. Namespaces, and with them the XDP attachments and nft tables, are
 * removed at exit, on SIGINT/SIGTERM and on failure. Needs root.
 *
 * With `syn` last, the flood is TCP SYNs from spoofed sources to the stream's
 * port instead, and the rows are: no filter (the kernel's own SYN cookies),
 * nftables synproxy alone, and yunshou's XDP SYN cookies in front of the same
 * synproxy; "answered" = SYNs answered with a cookie per second.
 *
 *   bench_xdp_veth [SECONDS [RATE_MBIT [FLOODERS [ROUNDS [syn]]]]]   (defaults 5 200 1 3)
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/if_link.h>

#include "craft.h"
#include "xdp.h"

#define MAX_FLOODERS 8
#define BATCH 64
#define NFRAMES 256

static char ns_a[32], ns_s[32];
static int syn_mode;		/* SYN flood to the stream's port instead of UDP */
static int ns_made;
static pid_t children[MAX_FLOODERS + 2];
static int nchildren;

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int
sh(const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;
	int rc;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	rc = system(cmd);
	if (rc != 0)
		fprintf(stderr, "bench_xdp_veth: failed (%d): %s\n", rc, cmd);
	return rc == 0 ? 0 : -1;
}

static void
cleanup(void)
{
	for (int i = 0; i < nchildren; i++)
		if (children[i] > 0) {
			kill(children[i], SIGKILL);
			waitpid(children[i], NULL, 0);
		}
	nchildren = 0;
	if (ns_made) {
		/* deleting the namespaces deletes the veth pair, its XDP program and nft tables */
		char cmd[128];

		snprintf(cmd, sizeof(cmd), "ip netns del %s 2>/dev/null; ip netns del %s 2>/dev/null",
		    ns_a, ns_s);
		if (system(cmd) != 0)
			fprintf(stderr, "bench_xdp_veth: could not delete %s / %s\n", ns_a, ns_s);
		ns_made = 0;
	}
}

static void
on_signal(int sig)
{
	(void)sig;
	exit(130);	/* runs cleanup() through atexit */
}

static int
setup(char *mac, size_t maclen)
{
	FILE *p;
	char cmd[256], line[512];

	if (maclen < 18)
		return -1;
	snprintf(ns_a, sizeof(ns_a), "ysxb-a-%d", (int)getpid());
	snprintf(ns_s, sizeof(ns_s), "ysxb-s-%d", (int)getpid());
	if (sh("ip netns add %s && ip netns add %s", ns_a, ns_s) != 0)
		return -1;
	ns_made = 1;
	if (sh("ip -n %s link add ysxa type veth peer name ysxs netns %s", ns_a, ns_s) != 0 ||
	    sh("ip -n %s addr add 10.77.0.1/24 dev ysxa && ip -n %s addr add 10.77.0.3/24 dev ysxa",
	    ns_a, ns_a) != 0 ||
	    sh("ip -n %s addr add 10.77.0.2/24 dev ysxs", ns_s) != 0 ||
	    sh("ip -n %s link set lo up && ip -n %s link set ysxa up", ns_a, ns_a) != 0 ||
	    sh("ip -n %s link set lo up && ip -n %s link set ysxs up", ns_s, ns_s) != 0)
		return -1;
	snprintf(cmd, sizeof(cmd), "ip -n %s -o link show ysxs", ns_s);
	p = popen(cmd, "r");
	if (p == NULL)
		return -1;
	mac[0] = '\0';
	if (fgets(line, sizeof(line), p) != NULL) {
		char *e = strstr(line, "link/ether ");

		if (e == NULL || sscanf(e + 11, "%17s", mac) != 1)
			mac[0] = '\0';
	}
	pclose(p);
	return mac[0] ? 0 : -1;
}

/* Child: sends spoofed UDP frames for `secs`, writes the count to fd. */
static void
flooder(const uint8_t dmac[6], double secs, int fd, int seed)
{
	static uint8_t frames[NFRAMES][128];
	struct mmsghdr msgs[BATCH];
	struct iovec iov[BATCH];
	struct sockaddr_ll sll = { .sll_family = AF_PACKET };
	unsigned long long sent = 0;
	size_t len = 0;
	int one = 1, s;
	double end;

	if (craft_enter_netns(ns_a) != 0)
		_exit(2);
	s = socket(AF_PACKET, SOCK_RAW, 0);
	sll.sll_ifindex = (int)if_nametoindex("ysxa");
	if (s < 0 || sll.sll_ifindex == 0 || bind(s, (struct sockaddr *)&sll, sizeof(sll)) != 0)
		_exit(2);
	(void)setsockopt(s, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof(one));
	srand((unsigned)seed);
	for (int i = 0; i < NFRAMES; i++) {
		char src[32];
		struct craft_spec sp = { .src = src, .dst = "10.77.0.2", .proto = 17,
			.sport = (uint16_t)(1024 + rand() % 60000), .dport = 9, .payload = 18,
			.dst_mac = dmac };

		if (syn_mode) {
			sp.proto = 6;
			sp.dport = 5201;
			sp.tcp_flags = 0x02;
			sp.payload = 0;
		}

		snprintf(src, sizeof(src), "203.0.113.%d", 1 + rand() % 254);
		len = craft_frame(&sp, frames[i], sizeof(frames[i]), NULL, NULL);
	}
	memset(msgs, 0, sizeof(msgs));
	for (int i = 0; i < BATCH; i++) {
		iov[i].iov_len = len;
		msgs[i].msg_hdr.msg_iov = &iov[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
	}
	end = now_s() + secs;
	for (unsigned k = 0; now_s() < end; k++) {
		int n;

		for (int i = 0; i < BATCH; i++)
			iov[i].iov_base = frames[(k * BATCH + (unsigned)i) % NFRAMES];
		n = sendmmsg(s, msgs, BATCH, 0);
		if (n > 0)
			sent += (unsigned long long)n;
	}
	if (write(fd, &sent, sizeof(sent)) != sizeof(sent))
		_exit(3);
	_exit(0);
}

/* Child: TCP sink on 10.77.0.2:5201, counts bytes for `secs` after accept. */
static void
sink(double secs, int fd, int ready)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(5201) };
	unsigned long long bytes = 0;
	static char buf[1 << 16];
	int one = 1, l, c;
	double end;

	if (craft_enter_netns(ns_s) != 0)
		_exit(2);
	inet_pton(AF_INET, "10.77.0.2", &a.sin_addr);
	l = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (l < 0 || bind(l, (struct sockaddr *)&a, sizeof(a)) != 0 || listen(l, 4) != 0)
		_exit(2);
	if (write(ready, "r", 1) != 1)
		_exit(3);
	{
		struct pollfd pf = { .fd = l, .events = POLLIN };

		/* the client may never come (a filter dropping it): report 0 bytes */
		c = poll(&pf, 1, (int)(secs * 1000) + 2000) == 1 ? accept(l, NULL, NULL) : -1;
	}
	if (c < 0) {
		if (write(fd, &bytes, sizeof(bytes)) != sizeof(bytes))
			_exit(3);
		_exit(0);
	}
	{
		struct timeval tv = { 0, 200000 };

		setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	}
	end = now_s() + secs;
	while (now_s() < end) {
		ssize_t n = read(c, buf, sizeof(buf));

		if (n == 0)
			break;
		if (n > 0)
			bytes += (unsigned long long)n;
	}
	if (write(fd, &bytes, sizeof(bytes)) != sizeof(bytes))
		_exit(3);
	_exit(0);
}

/* Child: the legitimate client, paced with SO_MAX_PACING_RATE. */
static void
client(double secs, unsigned rate_mbit)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(5201) };
	struct sockaddr_in me = { .sin_family = AF_INET };
	unsigned pace = rate_mbit * 125000u;
	static char buf[1 << 16];
	double end;
	int s;

	if (craft_enter_netns(ns_a) != 0)
		_exit(2);
	inet_pton(AF_INET, "10.77.0.2", &a.sin_addr);
	inet_pton(AF_INET, "10.77.0.3", &me.sin_addr);
	s = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(s, SOL_SOCKET, SO_MAX_PACING_RATE, &pace, sizeof(pace));
	if (s < 0 || bind(s, (struct sockaddr *)&me, sizeof(me)) != 0 ||
	    connect(s, (struct sockaddr *)&a, sizeof(a)) != 0)
		_exit(2);
	end = now_s() + secs + 0.5;
	while (now_s() < end)
		if (write(s, buf, sizeof(buf)) < 0 && errno != EINTR)
			break;
	_exit(0);
}

static pid_t
spawn(void)
{
	pid_t pid = fork();

	if (pid > 0) {
		children[nchildren++] = pid;
	} else if (pid == 0) {
		/* the parent alone cleans up */
		ns_made = 0;
		nchildren = 0;
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
	}
	return pid;
}

struct result {
	double flood_pps;	/* frames the generators sent per second */
	double goodput_mbit;
};

/* One phase: stream (rate > 0) and flood (flooders > 0) for secs. */
static int
phase(const uint8_t dmac[6], double secs, unsigned rate, int flooders, struct result *r)
{
	int fp[2], sp[2], rp[2];
	unsigned long long total = 0, bytes = 0, v;
	char c;

	if (pipe(fp) != 0 || pipe(sp) != 0 || pipe(rp) != 0)
		return -1;
	if (rate > 0) {
		if (spawn() == 0)
			sink(secs, sp[1], rp[1]);
		if (read(rp[0], &c, 1) != 1)
			return -1;
		if (spawn() == 0)
			client(secs, rate);
	}
	for (int i = 0; i < flooders; i++)
		if (spawn() == 0)
			flooder(dmac, secs, fp[1], 1 + i);
	for (int i = 0; i < flooders; i++) {
		if (read(fp[0], &v, sizeof(v)) != sizeof(v))
			return -1;
		total += v;
	}
	if (rate > 0 && read(sp[0], &bytes, sizeof(bytes)) != sizeof(bytes))
		return -1;
	for (int i = 0; i < nchildren; i++)
		waitpid(children[i], NULL, 0);
	nchildren = 0;
	close(fp[0]); close(fp[1]); close(sp[0]); close(sp[1]); close(rp[0]); close(rp[1]);
	r->flood_pps = (double)total / secs;
	r->goodput_mbit = (double)bytes * 8 / secs / 1e6;
	return 0;
}

static unsigned long long
nft_counter(const char *table)
{
	char cmd[256], line[512];
	unsigned long long pk = 0;
	FILE *p;

	snprintf(cmd, sizeof(cmd), "ip netns exec %s nft list table %s", ns_s, table);
	p = popen(cmd, "r");
	while (p && fgets(line, sizeof(line), p)) {
		char *c = strstr(line, "counter packets ");

		if (c)
			pk = strtoull(c + 16, NULL, 10);
	}
	if (p)
		pclose(p);
	return pk;
}

/* ---- the filters compared: one row each ---- */

static struct scrub_xdp *xdp;
static unsigned long long xdp_base;
static int empty_fd = -1;

static int
nft_on(const char *family, const char *chain_spec)
{
	return sh("ip netns exec %s nft add table %s ysb && ip netns exec %s nft add chain %s ysb "
	    "c '{ %s }' && ip netns exec %s nft add rule %s ysb c ip saddr 203.0.113.0/24 "
	    "counter drop", ns_s, family, ns_s, family, chain_spec, ns_s, family);
}

static int
nft_ingress_on(void)
{
	return nft_on("netdev", "type filter hook ingress device ysxs priority -500;");
}

static int
nft_pre_on(void)
{
	return nft_on("ip", "type filter hook prerouting priority -300;");
}

static int
nft_ingress_off(void)
{
	return sh("ip netns exec %s nft delete table netdev ysb", ns_s);
}

static int
nft_pre_off(void)
{
	return sh("ip netns exec %s nft delete table ip ysb", ns_s);
}

static unsigned long long
nft_ingress_dropped(void)
{
	return nft_counter("netdev ysb");
}

static unsigned long long
nft_pre_dropped(void)
{
	return nft_counter("ip ysb");
}

static unsigned long long
xdp_drops(void)
{
	struct scrub_counters c;
	char err[256];

	if (scrub_xdp_global_counters(xdp, &c, err, sizeof(err)) != 0)
		return 0;
	return c.drop_pkts[SCRUB_DROP_BLOCKLIST];
}

static int
xdp_on(enum scrub_xdp_mode mode)
{
	char err[256];

	xdp_base = xdp_drops();
	if (scrub_xdp_attach(xdp, "ysxs", mode, NULL, err, sizeof(err)) != 0) {
		fprintf(stderr, "bench_xdp_veth: %s\n", err);
		return -1;
	}
	return 0;
}

static int
xdp_generic_on(void)
{
	return xdp_on(SCRUB_XDP_GENERIC);
}

static int
xdp_native_on(void)
{
	return xdp_on(SCRUB_XDP_NATIVE);
}

static int
xdp_off(void)
{
	char err[256];

	return scrub_xdp_detach(xdp, "ysxs", err, sizeof(err));
}

static unsigned long long
xdp_dropped(void)
{
	return xdp_drops() - xdp_base;
}

/* The floor of generic mode: a program that only returns XDP_DROP. */
static int
empty_on(void)
{
	const struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = XDP_DROP },
		{ .code = BPF_JMP | BPF_EXIT },
	};

	if (empty_fd < 0)
		empty_fd = bpf_prog_load(BPF_PROG_TYPE_XDP, "ys_empty", "GPL", insns, 2, NULL);
	return empty_fd >= 0 && bpf_xdp_attach((int)if_nametoindex("ysxs"), empty_fd,
	    XDP_FLAGS_SKB_MODE, NULL) == 0 ? 0 : -1;
}

static int
empty_off(void)
{
	return bpf_xdp_detach((int)if_nametoindex("ysxs"), XDP_FLAGS_SKB_MODE, NULL);
}

static int
nothing(void)
{
	return 0;
}

/* ---- SYN flood mode: the kernel's SYNPROXY alone, or behind XDP SYN cookies ---- */

static unsigned long long
synproxy_received(void)
{
	/* per namespace; this process is in S */
	FILE *p = fopen("/proc/net/stat/synproxy", "r");
	unsigned long long total = 0;
	char line[256];

	while (p && fgets(line, sizeof(line), p)) {
		unsigned long long entries, syn;

		if (sscanf(line, "%llx %llx", &entries, &syn) == 2)
			total += syn;
	}
	if (p)
		fclose(p);
	return total;
}

static unsigned long long synproxy_base, cookie_base;

static int
synproxy_on(void)
{
	synproxy_base = synproxy_received();
	return sh("ip netns exec %s sysctl -qw net.netfilter.nf_conntrack_tcp_loose=0 && "
	    "printf '%%s\n' 'table inet ysb {' 'chain pre { type filter hook prerouting priority raw; "
	    "iifname ysxs tcp dport 5201 tcp flags syn notrack; }' 'chain in { type filter hook "
	    "input priority filter; tcp dport 5201 ct state invalid,untracked synproxy mss 1460 "
	    "wscale 7 timestamp sack-perm; tcp dport 5201 ct state invalid drop; }' '}' | "
	    "ip netns exec %s nft -f -", ns_s, ns_s);
}

static int
synproxy_off(void)
{
	return sh("ip netns exec %s nft delete table inet ysb && ip netns exec %s sysctl -qw "
	    "net.netfilter.nf_conntrack_tcp_loose=1", ns_s, ns_s);
}

static unsigned long long
synproxy_answered(void)
{
	return synproxy_received() - synproxy_base;
}

static unsigned long long
xdp_cookies(void)
{
	struct scrub_counters c;
	char err[256];

	if (scrub_xdp_global_counters(xdp, &c, err, sizeof(err)) != 0)
		return 0;
	return c.syncookie_pkts;
}

static int
cookie_on(void)
{
	cookie_base = xdp_cookies();
	if (synproxy_on() != 0)
		return -1;
	if (xdp_on(SCRUB_XDP_GENERIC) != 0) {
		synproxy_off();
		return -1;
	}
	return 0;
}

static int
cookie_off(void)
{
	int rc = xdp_off();

	return synproxy_off() != 0 ? -1 : rc;
}

static unsigned long long
cookie_answered(void)
{
	return xdp_cookies() - cookie_base;
}

enum { F_NONE, F_NFT_INGRESS, F_NFT_PRE, F_XDP_GENERIC, F_XDP_NATIVE, F_EMPTY, F_MAX };

struct filter {
	const char *name;
	int (*on)(void), (*off)(void);
	unsigned long long (*dropped)(void);	/* NULL: none; SYN mode: SYNs answered */
	int stream;		/* 0: flood only (the filter would drop the stream too) */
};

enum { S_NONE, S_SYNPROXY, S_COOKIE, S_MAX };

static const struct filter syn_filters[S_MAX] = {
	[S_NONE] = { "SYN flood, no filter (kernel cookies)", nothing, nothing, NULL, 1 },
	[S_SYNPROXY] = { "nftables synproxy", synproxy_on, synproxy_off, synproxy_answered, 1 },
	[S_COOKIE] = { "yunshou XDP cookies (generic) + synproxy", cookie_on, cookie_off,
		cookie_answered, 1 },
};

static const struct filter filters[F_MAX] = {
	[F_NONE] = { "flood, no filter", nothing, nothing, NULL, 1 },
	[F_NFT_INGRESS] = { "nftables netdev ingress drop", nft_ingress_on, nft_ingress_off,
		nft_ingress_dropped, 1 },
	[F_NFT_PRE] = { "nftables ip prerouting (raw) drop", nft_pre_on, nft_pre_off,
		nft_pre_dropped, 1 },
	[F_XDP_GENERIC] = { "yunshou XDP, generic mode", xdp_generic_on, xdp_off, xdp_dropped, 1 },
	[F_XDP_NATIVE] = { "yunshou XDP, native veth mode", xdp_native_on, xdp_off, xdp_dropped,
		1 },
	[F_EMPTY] = { "empty XDP_DROP program, generic", empty_on, empty_off, NULL, 0 },
};

int
main(int argc, char **argv)
{
	double secs = argc > 1 ? atof(argv[1]) : 5;
	unsigned rate = argc > 2 ? (unsigned)atoi(argv[2]) : 200;
	int flooders = argc > 3 ? atoi(argv[3]) : 1;
	int rounds = argc > 4 ? atoi(argv[4]) : 3;
	const struct filter *tab = filters;
	int ntab = F_MAX;
	struct result ref, best[F_MAX];
	double drop_best[F_MAX] = { 0 }, good_min[F_MAX];
	static struct scrub_obj_cfg cfg;
	struct scrub_prefix blk;
	struct scrub_addr dst;
	char macs[32], err[256] = "";
	uint8_t dmac[6];

	syn_mode = argc > 5 && strcmp(argv[5], "syn") == 0;
	if (secs <= 0 || secs > 120 || rate == 0 || flooders < 1 || flooders > MAX_FLOODERS ||
	    rounds < 1 || rounds > 20 || (argc > 5 && !syn_mode)) {
		fprintf(stderr, "usage: bench_xdp_veth [SECONDS (0-120] [RATE_MBIT [FLOODERS 1-%d "
		    "[ROUNDS 1-20 [syn]]]]]\n", MAX_FLOODERS);
		return 2;
	}
	if (syn_mode) {
		tab = syn_filters;
		ntab = S_MAX;
	}
	atexit(cleanup);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGPIPE, SIG_IGN);
	if (setup(macs, sizeof(macs)) != 0 ||
	    sscanf(macs, "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &dmac[0], &dmac[1], &dmac[2], &dmac[3],
	    &dmac[4], &dmac[5]) != 6) {
		fprintf(stderr, "bench_xdp_veth: cannot set up the namespaces (root needed)\n");
		return 1;
	}
	/* yunshou's program is loaded from inside S: interface names are per namespace */
	if (craft_enter_netns(ns_s) != 0) {
		snprintf(err, sizeof(err), "cannot enter %s", ns_s);
		goto fail;
	}
	xdp = scrub_xdp_open(err, sizeof(err));
	if (xdp == NULL)
		goto fail;
	scrub_xdp_cfg_init(&cfg, 1);
	cfg.mitigations = SCRUB_MIT_TCP_FLAGS | SCRUB_MIT_UDP_PORTS | SCRUB_MIT_REFLECTION |
	    SCRUB_MIT_FRAGMENTS | SCRUB_MIT_TCP_PORTS;
	if (syn_mode)
		cfg.mitigations |= SCRUB_MIT_SYN_COOKIE;	/* and no block list */
	if (scrub_xdp_cfg_port(&cfg, 6, 5201, 5201, err, sizeof(err)) != 0 ||
	    scrub_xdp_parse_addr("10.77.0.2", &dst, err, sizeof(err)) != 0 ||
	    scrub_xdp_object_set(xdp, &dst, &cfg, err, sizeof(err)) != 0 ||
	    scrub_xdp_parse_prefix("203.0.113.0/24", &blk, err, sizeof(err)) != 0 ||
	    (!syn_mode && scrub_xdp_block_set(xdp, &blk, 0, 1, err, sizeof(err)) != 0))
		goto fail;
	printf("== veth pair between two namespaces, %s flood, %g s per phase, legit TCP paced at "
	    "%u Mbit/s, %d flooder(s), %ld CPUs, best of %d interleaved rounds ==\n",
	    syn_mode ? "SYN" : "UDP", secs, rate, flooders, sysconf(_SC_NPROCESSORS_ONLN), rounds);
	if (phase(dmac, secs, rate, 0, &ref) != 0)
		goto fail;
	printf("  %-40s goodput %7.1f Mbit/s\n", "no flood (reference)", ref.goodput_mbit);
	for (int f = 0; f < ntab; f++)
		good_min[f] = 1e30;
	/* interleaved rounds: a neighbour's load on the shared machine hits every filter */
	for (int r = 0; r < rounds; r++) {
		for (int f = 0; f < ntab; f++) {
			const struct filter *fl = &tab[f];
			struct result res;
			double dropped;

			if (fl->on() != 0) {
				snprintf(err, sizeof(err), "cannot install: %s", fl->name);
				goto fail;
			}
			if (phase(dmac, secs, fl->stream ? rate : 0, flooders, &res) != 0) {
				fl->off();
				goto fail;
			}
			dropped = fl->dropped ? (double)fl->dropped() / secs :
			    (f == F_NONE ? 0 : res.flood_pps);
			if (fl->off() != 0) {
				snprintf(err, sizeof(err), "cannot remove: %s", fl->name);
				goto fail;
			}
			if (dropped > drop_best[f] || (f == F_NONE && res.flood_pps > best[f].flood_pps) ||
			    r == 0) {
				drop_best[f] = dropped;
				best[f] = res;
			}
			if (res.goodput_mbit < good_min[f])
				good_min[f] = res.goodput_mbit;
		}
	}
	for (int f = 0; f < ntab; f++) {
		printf("  %-40s sent %6.3f Mpps  %s %6.3f Mpps", tab[f].name,
		    best[f].flood_pps / 1e6, syn_mode ? "answered" : "dropped", drop_best[f] / 1e6);
		if (tab[f].stream)
			printf("  goodput (worst round) %7.1f Mbit/s (%5.1f %%)\n", good_min[f],
			    100.0 * good_min[f] / ref.goodput_mbit);
		else
			printf("  (flood only)\n");
	}
	if (syn_mode) {
		printf("-- ratios: SYNs answered, yunshou XDP cookies / nftables synproxy %.2fx; "
		    "goodput retained under flood: yunshou %.1f %%, synproxy %.1f %%, no filter %.1f %%\n",
		    drop_best[S_COOKIE] / drop_best[S_SYNPROXY],
		    100.0 * good_min[S_COOKIE] / ref.goodput_mbit,
		    100.0 * good_min[S_SYNPROXY] / ref.goodput_mbit,
		    100.0 * good_min[S_NONE] / ref.goodput_mbit);
		scrub_xdp_close(xdp);
		return 0;
	}
	printf("-- ratios: yunshou XDP generic drop rate / nft netdev ingress %.2fx, / nft ip "
	    "prerouting %.2fx; generic XDP empty-program floor / nft ingress %.2fx; goodput retained "
	    "under flood: yunshou %.1f %%, nft ingress %.1f %%, no filter %.1f %%\n",
	    drop_best[F_XDP_GENERIC] / drop_best[F_NFT_INGRESS],
	    drop_best[F_XDP_GENERIC] / drop_best[F_NFT_PRE],
	    drop_best[F_EMPTY] / drop_best[F_NFT_INGRESS],
	    100.0 * good_min[F_XDP_GENERIC] / ref.goodput_mbit,
	    100.0 * good_min[F_NFT_INGRESS] / ref.goodput_mbit,
	    100.0 * good_min[F_NONE] / ref.goodput_mbit);
	scrub_xdp_close(xdp);
	if (empty_fd >= 0)
		close(empty_fd);
	return 0;
fail:
	fprintf(stderr, "bench_xdp_veth: %s\n", err[0] ? err : "a phase failed");
	scrub_xdp_close(xdp);
	return 1;
}
