/*
 * xdp: userspace side of the scrubber's XDP data plane. Loads the program
 * embedded as a libbpf skeleton (scrub.skel.h, generated at build time from
 * bpf/scrub.bpf.c), attaches it (native, else generic), writes its maps
 * (allow/block lists with expiry, per-object configuration) and sums its
 * per-CPU counters. Also the capability drop the scrubber does once its
 * program is attached.
 */
#include "xdp.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <linux/capability.h>
#include <linux/if_link.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "scrub.skel.h"

#define SCRUB_XDP_MAX_IFS 32

struct attached {
	int ifindex;
	__u32 flags;		/* XDP_FLAGS_* used to attach */
};

struct scrub_xdp {
	struct scrub_bpf *skel;
	int ncpus;
	struct scrub_counters *percpu;	/* ncpus entries, for lookups */
	struct attached ifs[SCRUB_XDP_MAX_IFS];
	size_t nifs;
	struct ring_buffer *samples;	/* opened on first use */
	scrub_xdp_sample_fn sample_fn;	/* of the poll in progress */
	void *sample_ctx;
	int sample_count;
};

static int __attribute__((format(printf, 3, 4)))
fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err != NULL && errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

static int
libbpf_quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	/* libbpf's messages (the verifier log) go to stderr only when asked for. */
	(void)level;
	if (getenv("YS_BPF_DEBUG") != NULL)
		return vfprintf(stderr, fmt, ap);
	return 0;
}

struct scrub_xdp *
scrub_xdp_open(char *err, size_t errlen)
{
	struct scrub_xdp *x = calloc(1, sizeof(*x));
	struct rlimit rl = { RLIM_INFINITY, RLIM_INFINITY };
	int rc;

	if (x == NULL) {
		fail(err, errlen, "xdp: out of memory");
		return NULL;
	}
	libbpf_set_print(libbpf_quiet);
	/* Kernels before 5.11 charge maps to RLIMIT_MEMLOCK; harmless after. */
	(void)setrlimit(RLIMIT_MEMLOCK, &rl);
	x->ncpus = libbpf_num_possible_cpus();
	if (x->ncpus <= 0) {
		fail(err, errlen, "xdp: cannot count possible CPUs: %s", strerror(-x->ncpus));
		goto fail;
	}
	x->percpu = calloc((size_t)x->ncpus, sizeof(*x->percpu));
	if (x->percpu == NULL) {
		fail(err, errlen, "xdp: out of memory");
		goto fail;
	}
	x->skel = scrub_bpf__open();
	if (x->skel == NULL) {
		fail(err, errlen, "xdp: cannot open the embedded BPF object: %s", strerror(errno));
		goto fail;
	}
	rc = scrub_bpf__load(x->skel);
	if (rc != 0) {
		fail(err, errlen, "xdp: cannot load the XDP program: %s%s", strerror(-rc),
		    (rc == -EPERM || rc == -EACCES) ? " (needs CAP_BPF, or root)" :
						      " (YS_BPF_DEBUG=1 shows the verifier log)");
		goto fail;
	}
	return x;
fail:
	scrub_xdp_close(x);
	return NULL;
}

void
scrub_xdp_close(struct scrub_xdp *x)
{
	if (x == NULL)
		return;
	for (size_t i = 0; x->skel != NULL && i < x->nifs; i++)
		(void)bpf_xdp_detach(x->ifs[i].ifindex, x->ifs[i].flags, NULL);
	ring_buffer__free(x->samples);
	scrub_bpf__destroy(x->skel);
	free(x->percpu);
	free(x);
}

int
scrub_xdp_prog_fd(const struct scrub_xdp *x)
{
	return bpf_program__fd(x->skel->progs.scrub_xdp);
}

static struct attached *
find_if(struct scrub_xdp *x, int ifindex)
{
	for (size_t i = 0; i < x->nifs; i++)
		if (x->ifs[i].ifindex == ifindex)
			return &x->ifs[i];
	return NULL;
}

int
scrub_xdp_attach(struct scrub_xdp *x, const char *ifname, enum scrub_xdp_mode mode,
    enum scrub_xdp_mode *got, char *err, size_t errlen)
{
	int ifindex = (int)if_nametoindex(ifname);
	int fd = scrub_xdp_prog_fd(x);
	struct attached *a;
	__u32 flags;
	int rc = -EINVAL;

	if (ifindex == 0)
		return fail(err, errlen, "xdp: no interface named '%s'", ifname);
	a = find_if(x, ifindex);
	if (a == NULL && x->nifs == SCRUB_XDP_MAX_IFS)
		return fail(err, errlen, "xdp: at most %d interfaces per scrubber",
		    SCRUB_XDP_MAX_IFS);
	if (a != NULL) {
		/* replacing our own program: detach first (mode may change) */
		(void)bpf_xdp_detach(ifindex, a->flags, NULL);
		*a = x->ifs[--x->nifs];
	}
	if (mode == SCRUB_XDP_AUTO || mode == SCRUB_XDP_NATIVE) {
		flags = XDP_FLAGS_DRV_MODE | XDP_FLAGS_UPDATE_IF_NOEXIST;
		rc = bpf_xdp_attach(ifindex, fd, flags, NULL);
		if (rc == 0 && got != NULL)
			*got = SCRUB_XDP_NATIVE;
	}
	if (rc != 0 && rc != -EBUSY && rc != -EEXIST &&
	    (mode == SCRUB_XDP_AUTO || mode == SCRUB_XDP_GENERIC)) {
		flags = XDP_FLAGS_SKB_MODE | XDP_FLAGS_UPDATE_IF_NOEXIST;
		rc = bpf_xdp_attach(ifindex, fd, flags, NULL);
		if (rc == 0 && got != NULL)
			*got = SCRUB_XDP_GENERIC;
	}
	if (rc != 0)
		return fail(err, errlen, "xdp: cannot attach to %s: %s%s", ifname, strerror(-rc),
		    rc == -EBUSY || rc == -EEXIST ? " (another XDP program is attached)" :
		    rc == -EPERM ? " (needs CAP_NET_ADMIN)" : "");
	x->ifs[x->nifs].ifindex = ifindex;
	x->ifs[x->nifs].flags = flags;
	x->nifs++;
	return 0;
}

int
scrub_xdp_detach(struct scrub_xdp *x, const char *ifname, char *err, size_t errlen)
{
	int ifindex = (int)if_nametoindex(ifname);
	struct attached *a = ifindex ? find_if(x, ifindex) : NULL;
	int rc;

	if (a == NULL)
		return fail(err, errlen, "xdp: not attached to '%s'", ifname);
	rc = bpf_xdp_detach(ifindex, a->flags, NULL);
	*a = x->ifs[--x->nifs];
	if (rc != 0)
		return fail(err, errlen, "xdp: cannot detach from %s: %s", ifname, strerror(-rc));
	return 0;
}

/* ---- addresses ---- */

int
scrub_xdp_parse_addr(const char *s, struct scrub_addr *a, char *err, size_t errlen)
{
	struct in_addr v4;

	memset(a, 0, sizeof(*a));
	if (s != NULL && inet_pton(AF_INET, s, &v4) == 1) {
		a->a[10] = 0xff;
		a->a[11] = 0xff;
		memcpy(&a->a[12], &v4, 4);
		return 0;
	}
	if (s != NULL && inet_pton(AF_INET6, s, a->a) == 1)
		return 0;
	return fail(err, errlen, "xdp: '%s' is not an IPv4 or IPv6 address", s ? s : "(null)");
}

static int
is_mapped(const struct scrub_addr *a)
{
	static const __u8 prefix[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

	return memcmp(a->a, prefix, sizeof(prefix)) == 0;
}

int
scrub_xdp_parse_prefix(const char *s, struct scrub_prefix *p, char *err, size_t errlen)
{
	char buf[INET6_ADDRSTRLEN + 8];
	const char *slash;
	unsigned long len;
	char *end;
	int v4;

	if (s == NULL || strlen(s) >= sizeof(buf))
		return fail(err, errlen, "xdp: prefix missing or too long");
	memcpy(buf, s, strlen(s) + 1);
	slash = strchr(s, '/');
	if (slash != NULL)
		buf[slash - s] = '\0';
	if (scrub_xdp_parse_addr(buf, &p->addr, err, errlen) != 0)
		return -1;
	v4 = strchr(buf, ':') == NULL;
	if (slash == NULL) {
		p->len = 128;
		return 0;
	}
	errno = 0;
	len = strtoul(slash + 1, &end, 10);
	if (slash[1] < '0' || slash[1] > '9' || *end != '\0' || errno != 0 ||
	    len > (v4 ? 32u : 128u))
		return fail(err, errlen, "xdp: '%s': prefix length must be 0..%d", s, v4 ? 32 : 128);
	p->len = (uint8_t)(v4 ? 96 + len : len);
	for (unsigned bit = p->len; bit < 128; bit++)
		if (p->addr.a[bit / 8] & (0x80 >> (bit % 8)))
			return fail(err, errlen, "xdp: '%s' has host bits set after /%lu", s, len);
	return 0;
}

void
scrub_xdp_format_addr(const struct scrub_addr *a, char *buf, size_t buflen)
{
	char tmp[INET6_ADDRSTRLEN];

	if (is_mapped(a))
		inet_ntop(AF_INET, &a->a[12], tmp, sizeof(tmp));
	else
		inet_ntop(AF_INET6, a->a, tmp, sizeof(tmp));
	snprintf(buf, buflen, "%s", tmp);
}

/* ---- allow and block lists ---- */

/* The program reads the coarse clock: the same timeline, at tick resolution. */
static __u64
mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ull + (__u64)ts.tv_nsec;
}

/*
 * *n mirrors the list's size for the program (scrub_nallow / scrub_nblock in
 * its .bss), which skips the trie lookup while the list is empty.
 */
static int
list_set(struct bpf_map *map, __u32 *n, const char *what, const struct scrub_prefix *p,
    uint64_t ttl_ms, uint32_t rule_id, char *err, size_t errlen)
{
	struct scrub_lpm_key k = { .prefixlen = p->len };
	struct scrub_rule r = { .rule_id = rule_id }, old;
	int existed;

	if (p->len > 128)
		return fail(err, errlen, "xdp: %s prefix length %u > 128", what, p->len);
	if (ttl_ms > UINT64_MAX / 2000000ull)
		return fail(err, errlen, "xdp: %s ttl %llu ms is too long", what,
		    (unsigned long long)ttl_ms);
	memcpy(k.a, p->addr.a, sizeof(k.a));
	if (ttl_ms != 0)
		r.expires_ns = mono_ns() + ttl_ms * 1000000ull;
	existed = bpf_map__lookup_elem(map, &k, sizeof(k), &old, sizeof(old), 0) == 0;
	if (bpf_map__update_elem(map, &k, sizeof(k), &r, sizeof(r), BPF_ANY) != 0)
		return fail(err, errlen, "xdp: cannot add to the %s list: %s%s", what,
		    strerror(errno), errno == E2BIG || errno == ENOSPC ? " (list full)" : "");
	if (!existed)
		__atomic_add_fetch(n, 1, __ATOMIC_RELEASE);
	return 0;
}

static int
list_del(struct bpf_map *map, __u32 *n, const char *what, const struct scrub_prefix *p,
    char *err, size_t errlen)
{
	struct scrub_lpm_key k = { .prefixlen = p->len };

	memcpy(k.a, p->addr.a, sizeof(k.a));
	if (bpf_map__delete_elem(map, &k, sizeof(k), 0) != 0)
		return fail(err, errlen, "xdp: cannot remove from the %s list: %s", what,
		    errno == ENOENT ? "no such prefix" : strerror(errno));
	__atomic_sub_fetch(n, 1, __ATOMIC_RELEASE);
	return 0;
}

int
scrub_xdp_allow_set(struct scrub_xdp *x, const struct scrub_prefix *p, uint64_t ttl_ms,
    uint32_t rule_id, char *err, size_t errlen)
{
	return list_set(x->skel->maps.scrub_allow, &x->skel->bss->scrub_nallow, "allow", p, ttl_ms,
	    rule_id, err, errlen);
}

int
scrub_xdp_allow_del(struct scrub_xdp *x, const struct scrub_prefix *p, char *err, size_t errlen)
{
	return list_del(x->skel->maps.scrub_allow, &x->skel->bss->scrub_nallow, "allow", p, err, errlen);
}

int
scrub_xdp_block_set(struct scrub_xdp *x, const struct scrub_prefix *p, uint64_t ttl_ms,
    uint32_t rule_id, char *err, size_t errlen)
{
	return list_set(x->skel->maps.scrub_block, &x->skel->bss->scrub_nblock, "block", p, ttl_ms,
	    rule_id, err, errlen);
}

int
scrub_xdp_block_del(struct scrub_xdp *x, const struct scrub_prefix *p, char *err, size_t errlen)
{
	return list_del(x->skel->maps.scrub_block, &x->skel->bss->scrub_nblock, "block", p, err, errlen);
}

/* Collects expired keys first: deleting while iterating a trie restarts it. */
static int
expire_map(struct bpf_map *map, __u32 *n, __u64 now, size_t *removed, char *err, size_t errlen)
{
	struct scrub_lpm_key key, next, *dead = NULL;
	struct scrub_rule r;
	size_t ndead = 0, cap = 0;
	void *prev = NULL;
	int rc = -1;

	while (bpf_map__get_next_key(map, prev, &next, sizeof(next)) == 0) {
		key = next;
		prev = &key;
		if (bpf_map__lookup_elem(map, &key, sizeof(key), &r, sizeof(r), 0) != 0)
			continue;
		if (r.expires_ns == 0 || r.expires_ns > now)
			continue;
		if (ndead == cap) {
			size_t ncap = cap ? cap * 2 : 64;
			void *n = realloc(dead, ncap * sizeof(*dead));

			if (n == NULL) {
				fail(err, errlen, "xdp: out of memory");
				goto fail;
			}
			dead = n;
			cap = ncap;
		}
		dead[ndead++] = key;
	}
	for (size_t i = 0; i < ndead; i++)
		if (bpf_map__delete_elem(map, &dead[i], sizeof(dead[i]), 0) == 0) {
			__atomic_sub_fetch(n, 1, __ATOMIC_RELEASE);
			(*removed)++;
		}
	rc = 0;
fail:
	free(dead);
	return rc;
}

int
scrub_xdp_expire(struct scrub_xdp *x, size_t *removed, char *err, size_t errlen)
{
	size_t n = 0;
	__u64 now = mono_ns();
	int rc;

	rc = expire_map(x->skel->maps.scrub_allow, &x->skel->bss->scrub_nallow, now, &n, err,
	    errlen);
	if (rc == 0)
		rc = expire_map(x->skel->maps.scrub_block, &x->skel->bss->scrub_nblock, now, &n,
		    err, errlen);
	if (removed != NULL)
		*removed = n;
	return rc;
}

/* ---- protected objects ---- */

void
scrub_xdp_cfg_init(struct scrub_obj_cfg *cfg, uint32_t obj_id)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->obj_id = obj_id;
}

int
scrub_xdp_cfg_port(struct scrub_obj_cfg *cfg, int proto, uint16_t first, uint16_t last,
    char *err, size_t errlen)
{
	__u64 *bits;

	if (proto == 6)
		bits = cfg->tcp_ports;
	else if (proto == 17)
		bits = cfg->udp_ports;
	else
		return fail(err, errlen, "xdp: ports are served over TCP (6) or UDP (17), not %d",
		    proto);
	if (first > last)
		return fail(err, errlen, "xdp: port range %u-%u is reversed", first, last);
	for (uint32_t p = first; p <= last; p++)
		bits[p >> 6] |= 1ull << (p & 63);
	return 0;
}

/* ns of credit one event costs at `rate` per second (0: no limit). */
static __u64
cost_of(__u64 rate, __u64 unit)
{
	if (rate == 0)
		return 0;
	return rate > unit ? 1 : unit / rate;
}

int
scrub_xdp_object_set(struct scrub_xdp *x, const struct scrub_addr *dst,
    const struct scrub_obj_cfg *cfg, char *err, size_t errlen)
{
	struct scrub_obj_cfg *c;
	int rc = -1;

	if (cfg->obj_id >= SCRUB_MAX_OBJECTS)
		return fail(err, errlen, "xdp: object id %u out of range (< %d)", cfg->obj_id,
		    SCRUB_MAX_OBJECTS);
	if ((cfg->mitigations & ~SCRUB_MIT_ALL) != 0)
		return fail(err, errlen, "xdp: unknown mitigation bits 0x%x",
		    cfg->mitigations & ~SCRUB_MIT_ALL);
	if (cfg->src_bps > 1000000000000ull)
		return fail(err, errlen, "xdp: per-source byte rate above 1 TB/s");
	c = malloc(sizeof(*c));
	if (c == NULL)
		return fail(err, errlen, "xdp: out of memory");
	*c = *cfg;
	c->src_pps_cost_ns = cost_of(c->src_pps, 1000000000ull);
	c->src_bps_cost_ps = cost_of(c->src_bps, 1000000000000ull);
	c->src_syn_cost_ns = cost_of(c->src_syn_pps, 1000000000ull);
	c->obj_syn_cost_ns = cost_of(c->obj_syn_pps, 1000000000ull);
	c->icmp_cost_ns = cost_of(c->icmp_pps, 1000000000ull);
	/* a burst of 0 would drop everything: at least one packet (one MTU) */
	if (c->src_pps_burst == 0)
		c->src_pps_burst = 1;
	if (c->src_bps_burst < 1500)
		c->src_bps_burst = 1500;
	if (c->src_syn_burst == 0)
		c->src_syn_burst = 1;
	if (c->obj_syn_burst == 0)
		c->obj_syn_burst = 1;
	if (c->icmp_burst == 0)
		c->icmp_burst = 1;
	if (c->src_pps_burst > UINT64_MAX / 2 / (c->src_pps_cost_ns | 1) ||
	    c->src_bps_burst > UINT64_MAX / 2 / (c->src_bps_cost_ps | 1) ||
	    c->src_syn_burst > UINT64_MAX / 2 / (c->src_syn_cost_ns | 1) ||
	    c->obj_syn_burst > UINT64_MAX / 2 / (c->obj_syn_cost_ns | 1) ||
	    c->icmp_burst > UINT64_MAX / 2 / (c->icmp_cost_ns | 1)) {
		fail(err, errlen, "xdp: a burst is too large for its rate (burst / rate must "
		    "stay under a century)");
		goto fail;
	}
	/* The hash map replaces the value in one step: packets see old or new. */
	if (bpf_map__update_elem(x->skel->maps.scrub_objects, dst, sizeof(*dst), c, sizeof(*c),
	    BPF_ANY) != 0) {
		fail(err, errlen, "xdp: cannot set the object: %s%s", strerror(errno),
		    errno == E2BIG ? " (too many protected objects)" : "");
		goto fail;
	}
	rc = 0;
fail:
	free(c);
	return rc;
}

int
scrub_xdp_object_del(struct scrub_xdp *x, const struct scrub_addr *dst, char *err,
    size_t errlen)
{
	if (bpf_map__delete_elem(x->skel->maps.scrub_objects, dst, sizeof(*dst), 0) != 0)
		return fail(err, errlen, "xdp: cannot remove the object: %s",
		    errno == ENOENT ? "not protected" : strerror(errno));
	return 0;
}

/* ---- counters ---- */

static int
sum_counters(struct scrub_xdp *x, struct bpf_map *map, uint32_t idx, struct scrub_counters *out,
    char *err, size_t errlen)
{
	size_t n = sizeof(*out) / sizeof(__u64);

	if (bpf_map__lookup_elem(map, &idx, sizeof(idx), x->percpu,
	    (size_t)x->ncpus * sizeof(*x->percpu), 0) != 0)
		return fail(err, errlen, "xdp: cannot read counters %u: %s", idx, strerror(errno));
	memset(out, 0, sizeof(*out));
	for (int cpu = 0; cpu < x->ncpus; cpu++) {
		const __u64 *src = (const __u64 *)&x->percpu[cpu];
		__u64 *dst = (__u64 *)out;

		for (size_t i = 0; i < n; i++)
			dst[i] += src[i];
	}
	return 0;
}

int
scrub_xdp_object_counters(struct scrub_xdp *x, uint32_t obj_id, struct scrub_counters *out,
    char *err, size_t errlen)
{
	if (obj_id >= SCRUB_MAX_OBJECTS)
		return fail(err, errlen, "xdp: object id %u out of range", obj_id);
	return sum_counters(x, x->skel->maps.scrub_obj_counters, obj_id, out, err, errlen);
}

int
scrub_xdp_global_counters(struct scrub_xdp *x, struct scrub_counters *out, char *err,
    size_t errlen)
{
	return sum_counters(x, x->skel->maps.scrub_global, 0, out, err, errlen);
}

int
scrub_xdp_counters_reset(struct scrub_xdp *x, uint32_t obj_id, char *err, size_t errlen)
{
	struct scrub_obj_state st = { 0 };

	if (obj_id >= SCRUB_MAX_OBJECTS)
		return fail(err, errlen, "xdp: object id %u out of range", obj_id);
	memset(x->percpu, 0, (size_t)x->ncpus * sizeof(*x->percpu));
	if (bpf_map__update_elem(x->skel->maps.scrub_obj_counters, &obj_id, sizeof(obj_id),
	    x->percpu, (size_t)x->ncpus * sizeof(*x->percpu), BPF_ANY) != 0 ||
	    bpf_map__update_elem(x->skel->maps.scrub_obj_state, &obj_id, sizeof(obj_id), &st,
	    sizeof(st), BPF_ANY) != 0)
		return fail(err, errlen, "xdp: cannot reset object %u: %s", obj_id,
		    strerror(errno));
	return 0;
}

/* ---- samples ---- */

int
scrub_xdp_set_sampling(struct scrub_xdp *x, uint32_t one_in, char *err, size_t errlen)
{
	if (one_in != 0 && ((one_in & (one_in - 1)) != 0 || one_in > (1u << 20)))
		return fail(err, errlen, "xdp: sampling must be 0 (off) or a power of two up to "
		    "1048576, not %u", one_in);
	/* mask first, so the program never samples with a stale, smaller mask */
	__atomic_store_n(&x->skel->bss->scrub_sample_mask, one_in ? one_in - 1 : 0,
	    __ATOMIC_RELEASE);
	__atomic_store_n(&x->skel->bss->scrub_sample_on, one_in ? 1 : 0, __ATOMIC_RELEASE);
	return 0;
}

static int
on_sample(void *ctx, void *data, size_t size)
{
	struct scrub_xdp *x = ctx;
	struct scrub_sample s;

	if (size < sizeof(s))
		return 0;
	memcpy(&s, data, sizeof(s));
	x->sample_count++;
	/* a negative return makes libbpf stop (and consume this sample) */
	return x->sample_fn(x->sample_ctx, &s) != 0 ? -ECANCELED : 0;
}

static int
samples_open(struct scrub_xdp *x, char *err, size_t errlen)
{
	if (x->samples != NULL)
		return 0;
	x->samples = ring_buffer__new(bpf_map__fd(x->skel->maps.scrub_samples), on_sample, x,
	    NULL);
	if (x->samples == NULL)
		return fail(err, errlen, "xdp: cannot open the sample ring: %s", strerror(errno));
	return 0;
}

int
scrub_xdp_poll_samples(struct scrub_xdp *x, int timeout_ms, scrub_xdp_sample_fn fn, void *ctx,
    char *err, size_t errlen)
{
	int n;

	if (samples_open(x, err, errlen) != 0)
		return -1;
	x->sample_fn = fn;
	x->sample_ctx = ctx;
	x->sample_count = 0;
	n = ring_buffer__poll(x->samples, timeout_ms);
	if (n < 0 && n != -EINTR && n != -ECANCELED)
		return fail(err, errlen, "xdp: reading samples: %s", strerror(-n));
	return x->sample_count;
}

int
scrub_xdp_samples_fd(struct scrub_xdp *x, char *err, size_t errlen)
{
	if (samples_open(x, err, errlen) != 0)
		return -1;
	return ring_buffer__epoll_fd(x->samples);
}

/* ---- the synproxy rules behind SCRUB_MIT_SYN_COOKIE ---- */

int
scrub_xdp_synproxy_ruleset(const char *ifname, const uint16_t *ports, size_t nports,
    char *buf, size_t buflen, char *err, size_t errlen)
{
	char set[64 * 7 + 8];
	size_t len, n = 0;
	int w;

	len = ifname ? strlen(ifname) : 0;
	if (len == 0 || len >= IFNAMSIZ || strspn(ifname, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789_.-") != len)
		return fail(err, errlen, "xdp: interface name must be 1-%d of [A-Za-z0-9_.-]",
		    IFNAMSIZ - 1);
	if (nports == 0 || nports > 64)
		return fail(err, errlen, "xdp: synproxy needs 1 to 64 ports, not %zu", nports);
	set[n++] = '{';
	for (size_t i = 0; i < nports; i++) {
		if (ports[i] == 0)
			return fail(err, errlen, "xdp: port 0 cannot be served");
		n += (size_t)snprintf(set + n, sizeof(set) - n, "%s%u", i ? ", " : " ", ports[i]);
	}
	snprintf(set + n, sizeof(set) - n, " }");
	w = snprintf(buf, buflen,
	    "table inet yunshou_synproxy\n"
	    "flush table inet yunshou_synproxy\n"
	    "table inet yunshou_synproxy {\n"
	    "\tchain pre {\n"
	    "\t\ttype filter hook prerouting priority raw;\n"
	    "\t\tiifname \"%s\" tcp dport %s tcp flags syn notrack\n"
	    "\t}\n"
	    "\tchain in {\n"
	    "\t\ttype filter hook input priority filter;\n"
	    "\t\ttcp dport %s ct state invalid,untracked synproxy mss 1460 wscale 7 "
	    "timestamp sack-perm\n"
	    "\t\ttcp dport %s ct state invalid drop\n"
	    "\t}\n"
	    "}\n", ifname, set, set, set);
	if (w < 0 || (size_t)w >= buflen)
		return fail(err, errlen, "xdp: synproxy ruleset needs %d bytes of buffer", w + 1);
	return 0;
}

/* ---- names ---- */

static const char *const vector_names[SCRUB_VEC_MAX] = {
	[SCRUB_VEC_TCP_SYN] = "tcp_syn",
	[SCRUB_VEC_TCP] = "tcp",
	[SCRUB_VEC_UDP] = "udp",
	[SCRUB_VEC_UDP_REFLECT] = "udp_reflection",
	[SCRUB_VEC_ICMP] = "icmp",
	[SCRUB_VEC_FRAG] = "fragment",
	[SCRUB_VEC_OTHER] = "other",
	[SCRUB_VEC_MALFORMED] = "malformed",
};

static const char *const reason_names[SCRUB_DROP_MAX] = {
	[SCRUB_DROP_MALFORMED] = "malformed",
	[SCRUB_DROP_BLOCKLIST] = "blocklist",
	[SCRUB_DROP_FRAGMENT] = "fragment",
	[SCRUB_DROP_TCP_FLAGS] = "tcp_flags",
	[SCRUB_DROP_TCP_PORT] = "tcp_port",
	[SCRUB_DROP_UDP_PORT] = "udp_port",
	[SCRUB_DROP_REFLECTION] = "reflection",
	[SCRUB_DROP_ICMP_RATE] = "icmp_rate",
	[SCRUB_DROP_RATE_PPS] = "source_pps",
	[SCRUB_DROP_RATE_BPS] = "source_bps",
	[SCRUB_DROP_SYN_SOURCE] = "syn_source",
	[SCRUB_DROP_SYN_OBJECT] = "syn_object",
};

static const char *const mitigation_names[] = {
	"fragments", "tcp_flags", "tcp_ports", "udp_ports", "reflection",
	"icmp_rate", "rate_pps", "rate_bps", "syn", "syn_cookie",
};

const char *
scrub_xdp_vector_name(int vector)
{
	return vector >= 0 && vector < SCRUB_VEC_MAX ? vector_names[vector] : "unknown";
}

const char *
scrub_xdp_reason_name(int reason)
{
	return reason >= 0 && reason < SCRUB_DROP_MAX ? reason_names[reason] : "unknown";
}

const char *
scrub_xdp_mitigation_name(uint32_t bit)
{
	for (size_t i = 0; i < sizeof(mitigation_names) / sizeof(mitigation_names[0]); i++)
		if (bit == (1u << i))
			return mitigation_names[i];
	return "unknown";
}

/* ---- privileges ---- */

#ifndef CAP_BPF
#define CAP_BPF 39
#endif

int
scrub_xdp_drop_caps(char *err, size_t errlen)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2];
	const int keep[] = { CAP_BPF, CAP_NET_ADMIN };

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
		return fail(err, errlen, "xdp: PR_SET_NO_NEW_PRIVS: %s", strerror(errno));
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0 && errno != EINVAL)
		return fail(err, errlen, "xdp: cannot clear ambient capabilities: %s",
		    strerror(errno));
	/* The bounding set needs CAP_SETPCAP, which is dropped last. */
	for (int cap = 0; cap <= 63; cap++) {
		if (cap == CAP_BPF || cap == CAP_NET_ADMIN)
			continue;
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 && errno != EINVAL)
			return fail(err, errlen, "xdp: cannot drop capability %d from the bounding "
			    "set: %s", cap, strerror(errno));
	}
	memset(data, 0, sizeof(data));
	for (size_t i = 0; i < sizeof(keep) / sizeof(keep[0]); i++) {
		data[keep[i] / 32].effective |= 1u << (keep[i] % 32);
		data[keep[i] / 32].permitted |= 1u << (keep[i] % 32);
	}
	if (syscall(SYS_capset, &hdr, data) != 0)
		return fail(err, errlen, "xdp: capset: %s (were CAP_BPF and CAP_NET_ADMIN held?)",
		    strerror(errno));
	return 0;
}
