/*
 * mitigation: policy -> XDP objects and lists; attack -> mitigation bits.
 * Both the vector -> mitigation mapping and the data-plane counter ->
 * detector vector mapping are tables.
 */
#include "mitigation.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

const struct mitig_vector_row mitig_vector_rows[] = {
	{ DET_V_SYN, SCRUB_MIT_SYN },
	{ DET_V_TCP, SCRUB_MIT_RATE_PPS },
	{ DET_V_UDP, SCRUB_MIT_RATE_PPS },
	{ DET_V_ICMP, SCRUB_MIT_ICMP_RATE },
	{ DET_V_REFLECTION, SCRUB_MIT_REFLECTION },
	{ DET_V_DNS_REFL, SCRUB_MIT_REFLECTION },
	{ DET_V_NTP_REFL, SCRUB_MIT_REFLECTION },
	{ DET_V_SNMP_REFL, SCRUB_MIT_REFLECTION },
	{ DET_V_SSDP_REFL, SCRUB_MIT_REFLECTION },
	{ DET_V_MEMCACHED_REFL, SCRUB_MIT_REFLECTION },
	{ DET_V_CHARGEN_REFL, SCRUB_MIT_REFLECTION },
	{ DET_V_FRAGMENT, SCRUB_MIT_FRAGMENTS },
	{ DET_V_TCP_FLAGS, SCRUB_MIT_TCP_FLAGS },
	{ DET_V_OTHER, SCRUB_MIT_RATE_PPS },
	{ DET_V_MALFORMED, 0 },	/* always dropped by the data plane */
};
const size_t mitig_n_vector_rows = sizeof(mitig_vector_rows) / sizeof(mitig_vector_rows[0]);

uint32_t
mitig_bits_for(uint32_t vectors)
{
	uint32_t bits = MITIG_ATTACK_BASE;

	for (size_t i = 0; i < mitig_n_vector_rows; i++)
		if (vectors & (1u << mitig_vector_rows[i].vector))
			bits |= mitig_vector_rows[i].bits;
	return bits;
}

const char *
mitig_bits_str(uint32_t bits, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (uint32_t b = 1; b & SCRUB_MIT_ALL; b <<= 1)
		if (bits & b) {
			int n = snprintf(buf + off, len - off, "%s%s", off ? "," : "",
			    scrub_xdp_mitigation_name(b));

			if (n < 0 || (size_t)n >= len - off)
				break;
			off += (size_t)n;
		}
	return buf;
}

void
mitig_xdp_addr(const struct scrub_ipaddr *in, struct scrub_addr *out)
{
	memset(out, 0, sizeof(*out));
	if (in->family == AF_INET6) {
		memcpy(out->a, in->a, 16);
		return;
	}
	out->a[10] = out->a[11] = 0xff;
	memcpy(out->a + 12, in->a, 4);
}

void
mitig_from_xdp_addr(const struct scrub_addr *in, struct scrub_ipaddr *out)
{
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

	memset(out, 0, sizeof(*out));
	if (memcmp(in->a, mapped, sizeof(mapped)) == 0) {
		out->family = AF_INET;
		memcpy(out->a, in->a + 12, 4);
	} else {
		out->family = AF_INET6;
		memcpy(out->a, in->a, 16);
	}
}

struct reflection_port {
	uint16_t port;
	enum det_vector vector;
};

/* The reflection source ports the XDP program counts as one class. */
static const struct reflection_port reflection_ports[] = {
	{ 53, DET_V_DNS_REFL },
	{ 123, DET_V_NTP_REFL },
	{ 161, DET_V_SNMP_REFL },
	{ 1900, DET_V_SSDP_REFL },
	{ 11211, DET_V_MEMCACHED_REFL },
	{ 19, DET_V_CHARGEN_REFL },
};

enum det_vector
mitig_reflection_vector(uint16_t sport)
{
	for (size_t i = 0; i < sizeof(reflection_ports) / sizeof(reflection_ports[0]); i++)
		if (reflection_ports[i].port == sport)
			return reflection_ports[i].vector;
	return DET_V_COUNT;
}

long
mitig_sample(struct mitig *m, const struct scrub_sample *s, uint32_t one_in,
    struct scrub_ipaddr *src)
{
	struct mitig_target *t;
	enum det_vector v;

	if (s->obj_id >= m->n || m->t[s->obj_id].obj_id != s->obj_id)
		return -1;
	t = &m->t[s->obj_id];
	mitig_from_xdp_addr(&s->src, src);
	if (s->vector == SCRUB_VEC_UDP_REFLECT &&
	    (v = mitig_reflection_vector(s->sport)) != DET_V_COUNT) {
		t->est_pkts[v] += one_in;
		t->est_bytes[v] += (uint64_t)s->len * one_in;
	}
	return (long)s->obj_id;
}

static void
to_prefix(const struct scrub_cidr *c, struct scrub_prefix *p)
{
	mitig_xdp_addr(&c->addr, &p->addr);
	p->len = (uint8_t)(c->addr.family == AF_INET ? 96 + c->plen : c->plen);
}

/* ---- objects ---- */

static uint64_t
burst_of(uint64_t rate)
{
	return rate / 5 > 10 ? rate / 5 : 10;	/* 200 ms worth */
}

static int
push(struct mitig *m, size_t idx, uint32_t bits, char *err, size_t errlen)
{
	struct mitig_target *t = &m->t[idx];
	struct scrub_obj_cfg *cfg = malloc(sizeof(*cfg));	/* 16 KiB of port bitmaps */
	struct scrub_addr dst;
	int rc = -1;

	if (cfg == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	scrub_xdp_cfg_init(cfg, t->obj_id);
	for (size_t k = 0; k < t->ip->n_services; k++)
		if (scrub_xdp_cfg_port(cfg, t->ip->services[k].proto, t->ip->services[k].port_lo,
		    t->ip->services[k].port_hi, err, errlen) < 0)
			goto done;
	if (t->rl_pps)
		bits |= SCRUB_MIT_RATE_PPS;
	if (t->rl_bps)
		bits |= SCRUB_MIT_RATE_BPS;
	cfg->mitigations = bits;
	cfg->src_pps = t->rl_pps ? t->rl_pps : m->lim.src_pps;
	cfg->src_pps_burst = burst_of(cfg->src_pps);
	cfg->src_bps = t->rl_bps;
	cfg->src_bps_burst = t->rl_bps / 5;
	cfg->src_syn_pps = m->lim.src_syn_pps;
	cfg->src_syn_burst = burst_of(cfg->src_syn_pps);
	cfg->obj_syn_pps = t->obj->th.syn_pps ? t->obj->th.syn_pps : m->lim.obj_syn_pps;
	cfg->obj_syn_burst = burst_of(cfg->obj_syn_pps);
	cfg->icmp_pps = m->lim.icmp_pps;
	cfg->icmp_burst = burst_of(cfg->icmp_pps);
	mitig_xdp_addr(&t->ip->addr, &dst);
	if (scrub_xdp_object_set(m->x, &dst, cfg, err, errlen) < 0)
		goto done;
	t->bits = bits;
	rc = 0;
done:
	free(cfg);
	return rc;
}

int
mitig_set_attack(struct mitig *m, size_t idx, bool on, uint32_t vectors, char *err,
    size_t errlen)
{
	uint32_t bits = on ? mitig_bits_for(vectors) | MITIG_PEACETIME : MITIG_PEACETIME;
	struct mitig_target *t = &m->t[idx];

	if (t->rl_pps)
		bits |= SCRUB_MIT_RATE_PPS;
	if (t->rl_bps)
		bits |= SCRUB_MIT_RATE_BPS;
	if (bits == t->bits)
		return 0;
	return push(m, idx, bits, err, errlen);
}

/* ---- manual rules ---- */

static bool
same_prefix(const struct scrub_prefix *a, const struct scrub_prefix *b)
{
	return a->len == b->len && memcmp(&a->addr, &b->addr, sizeof(a->addr)) == 0;
}

static int
install_lists(struct mitig *m, const struct scrub_bundle *b, int64_t now_s, char *err,
    size_t errlen)
{
	struct scrub_prefix *lists = calloc(b->n_rules + 1, sizeof(*lists));
	bool *is_block = calloc(b->n_rules + 1, sizeof(*is_block));
	size_t n = 0;

	if (lists == NULL || is_block == NULL) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	for (size_t i = 0; i < b->n_rules; i++) {
		const struct scrub_manual_rule *r = &b->rules[i];
		uint64_t ttl_ms = 0;
		int rc;

		if (r->action == SCRUB_RULE_RATELIMIT)
			continue;
		if (r->expires != 0) {
			if (r->expires <= now_s)
				continue;	/* already over */
			ttl_ms = (uint64_t)(r->expires - now_s) * 1000;
		}
		to_prefix(&r->cidr, &lists[n]);
		is_block[n] = r->action == SCRUB_RULE_BLOCK;
		rc = is_block[n] ?
		    scrub_xdp_block_set(m->x, &lists[n], ttl_ms, (uint32_t)i + 1, err, errlen) :
		    scrub_xdp_allow_set(m->x, &lists[n], ttl_ms, (uint32_t)i + 1, err, errlen);
		if (rc < 0)
			goto fail;
		n++;
	}
	/* A reload: what the previous bundle listed and this one does not goes. */
	for (size_t i = 0; i < m->n_lists; i++) {
		bool kept = false;

		for (size_t j = 0; j < n && !kept; j++)
			kept = is_block[j] == m->list_is_block[i] &&
			    same_prefix(&lists[j], &m->lists[i]);
		if (!kept)
			(void)(m->list_is_block[i] ?
			    scrub_xdp_block_del(m->x, &m->lists[i], err, errlen) :
			    scrub_xdp_allow_del(m->x, &m->lists[i], err, errlen));
	}
	free(m->lists);
	free(m->list_is_block);
	m->lists = lists;
	m->list_is_block = is_block;
	m->n_lists = n;
	return 0;
fail:
	free(lists);
	free(is_block);
	return -1;
}

int
mitig_install(struct mitig *m, struct scrub_xdp *x, const struct scrub_bundle *b,
    int64_t now_s, char *err, size_t errlen)
{
	size_t n = 0, k = 0;
	struct mitig_target *t;

	for (size_t i = 0; i < b->n_objects; i++)
		n += b->objects[i].n_ips;
	if (n > SCRUB_MAX_OBJECTS) {
		snprintf(err, errlen, "the bundle protects %zu addresses; the data plane holds %d",
		    n, SCRUB_MAX_OBJECTS);
		return -1;
	}
	t = calloc(n + 1, sizeof(*t));
	if (t == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	/* Addresses of the previous bundle that are gone leave the data plane. */
	for (size_t i = 0; i < m->n; i++) {
		const struct scrub_ip *dup;
		struct scrub_addr a;

		if (scrub_bundle_object_by_addr(b, &m->t[i].ip->addr, &dup) != NULL)
			continue;
		mitig_xdp_addr(&m->t[i].ip->addr, &a);
		(void)scrub_xdp_object_del(x, &a, err, errlen);
	}
	for (size_t i = 0; i < b->n_objects; i++)
		for (size_t j = 0; j < b->objects[i].n_ips; j++, k++) {
			t[k].obj = &b->objects[i];
			t[k].ip = &b->objects[i].ips[j];
			t[k].obj_id = (uint32_t)k;
			for (size_t r = 0; r < b->n_rules; r++)
				if (b->rules[r].action == SCRUB_RULE_RATELIMIT &&
				    strcmp(b->rules[r].object, b->objects[i].id) == 0 &&
				    (b->rules[r].expires == 0 || b->rules[r].expires > now_s)) {
					t[k].rl_pps = b->rules[r].pps;
					t[k].rl_bps = b->rules[r].bps;
				}
		}
	free(m->t);
	m->t = t;
	m->n = n;
	m->x = x;
	m->b = b;
	if (m->lim.src_pps == 0)
		m->lim = (struct mitig_limits){ .src_pps = 1000, .src_syn_pps = 20,
			.obj_syn_pps = 0, .icmp_pps = 200 };
	for (size_t i = 0; i < n; i++) {
		if (scrub_xdp_counters_reset(x, t[i].obj_id, err, errlen) < 0 ||
		    push(m, i, MITIG_PEACETIME, err, errlen) < 0)
			return -1;
	}
	return install_lists(m, b, now_s, err, errlen);
}

void
mitig_free(struct mitig *m)
{
	if (m == NULL)
		return;
	free(m->t);
	free(m->lists);
	free(m->list_is_block);
	memset(m, 0, sizeof(*m));
}

/* ---- counters ---- */

enum src_kind { RX, DROP };

struct counter_row {
	enum det_vector vector;
	enum src_kind kind;
	int index;		/* SCRUB_VEC_* or SCRUB_DROP_* */
};

static const struct counter_row counter_rows[] = {
	{ DET_V_SYN, RX, SCRUB_VEC_TCP_SYN },
	{ DET_V_TCP, RX, SCRUB_VEC_TCP },
	{ DET_V_UDP, RX, SCRUB_VEC_UDP },
	{ DET_V_REFLECTION, RX, SCRUB_VEC_UDP_REFLECT },
	{ DET_V_ICMP, RX, SCRUB_VEC_ICMP },
	{ DET_V_FRAGMENT, RX, SCRUB_VEC_FRAG },
	{ DET_V_OTHER, RX, SCRUB_VEC_OTHER },
	{ DET_V_MALFORMED, RX, SCRUB_VEC_MALFORMED },
	/* Invalid flags are only told apart when dropped (always on). */
	{ DET_V_TCP_FLAGS, DROP, SCRUB_DROP_TCP_FLAGS },
};

int
mitig_counters(struct mitig *m, size_t idx, struct det_counters *c, char *err, size_t errlen)
{
	struct scrub_counters sc;

	memset(c, 0, sizeof(*c));
	if (scrub_xdp_object_counters(m->x, m->t[idx].obj_id, &sc, err, errlen) < 0)
		return -1;
	for (int v = 0; v < SCRUB_VEC_MAX; v++) {
		c->pkts += sc.rx_pkts[v];
		c->bytes += sc.rx_bytes[v];
	}
	for (int r = 0; r < SCRUB_DROP_MAX; r++) {
		c->dropped_pkts += sc.drop_pkts[r];
		c->dropped_bytes += sc.drop_bytes[r];
	}
	for (size_t i = 0; i < sizeof(counter_rows) / sizeof(counter_rows[0]); i++) {
		const struct counter_row *r = &counter_rows[i];

		c->vec_pkts[r->vector] += r->kind == RX ? sc.rx_pkts[r->index]
		    : sc.drop_pkts[r->index];
		c->vec_bytes[r->vector] += r->kind == RX ? sc.rx_bytes[r->index]
		    : sc.drop_bytes[r->index];
	}
	for (int v = 0; v < DET_V_COUNT; v++) {
		c->vec_pkts[v] += m->t[idx].est_pkts[v];
		c->vec_bytes[v] += m->t[idx].est_bytes[v];
	}
	return 0;
}
