/*
 * yunshou-scrubber: the anti-DDoS scrubbing node (issue 6).
 *
 *   yunshou-scrubber run --config FILE
 *   yunshou-scrubber check-config --config FILE
 *
 * run: verify and parse the signed policy bundle, load the XDP program and
 * attach it, install the protected objects and manual rules, start the
 * clean-traffic forwarder, drop every capability but CAP_BPF and
 * CAP_NET_ADMIN, then every sample_ms: read the counters, feed the detector,
 * switch mitigations on attack start / end, decide the DNS target of every
 * protected domain (a worker thread applies it with TSIG-signed updates),
 * and write attack and diversion events as JSON lines to the events file.
 * SIGHUP reloads the bundle (kept only if it verifies); SIGTERM stops.
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "bundle.h"
#include "crypto.h"
#include "detector.h"
#include "dnsdivert.h"
#include "forward.h"
#include "jsonv.h"
#include "log.h"
#include "mitigation.h"
#include "nodelink.h"
#include "queue.h"
#include "xdp.h"

/* ---- configuration ---- */

struct config {
	char interface[64];
	enum scrub_xdp_mode xdp_mode;
	char bundle[640], control_key[640], events[512];
	int64_t node_id;
	uint32_t sample_ms;
	uint32_t sample_one_in;	/* packet sampling for top sources (0: off) */
	bool forward;
	struct det_config det;
	/* Local overrides of the bundle's DNS settings (where this node
	 * reaches the primary, and where its copy of the secret is). */
	char dns_server[64], dns_secret[512];
	char queue[512];	/* the agent's lossless event queue, for the sender */
	/* An enrolled node's state directory: the bundle, key, node id and
	 * queue are its own, and the control-plane link runs in this process. */
	char node_state[512];
	uint16_t dns_port;
	enum log_level log_level;
};

static const struct jsonv_field config_fields[] = {
	{ "interface", JSONV_STR, true, 1, 15 },
	{ "xdp_mode", JSONV_STR, false, 1, 16 },
	{ "node_state", JSONV_STR, false, 1, 511 },
	{ "bundle", JSONV_STR, false, 1, 511 },
	{ "control_key", JSONV_STR, false, 1, 511 },
	{ "node_id", JSONV_INT, false, 1, 1LL << 53 },
	{ "events", JSONV_STR, true, 1, 511 },
	{ "sample_ms", JSONV_INT, false, 10, 100 },
	{ "sample_one_in", JSONV_INT, false, 0, 1 << 20 },
	{ "forward", JSONV_BOOL, false, 0, 0 },
	{ "baseline", JSONV_OBJ, false, 0, 0 },
	{ "dns", JSONV_OBJ, false, 0, 0 },
	{ "log_level", JSONV_STR, false, 1, 8 },
	{ "queue", JSONV_STR, false, 1, 511 },
	{ NULL, 0, false, 0, 0 },
};

static const struct jsonv_field baseline_fields[] = {
	{ "bucket_ms", JSONV_INT, false, 100, 60000 },
	{ "buckets", JSONV_INT, false, 10, 10080 },
	{ "warmup_buckets", JSONV_INT, false, 1, 10080 },
	{ NULL, 0, false, 0, 0 },
};

static const struct jsonv_field dns_fields[] = {
	{ "server", JSONV_STR, false, 2, 45 },
	{ "port", JSONV_INT, false, 1, 65535 },
	{ "tsig_secret", JSONV_STR, false, 5, 511 },
	{ NULL, 0, false, 0, 0 },
};

struct mode_name {
	const char *name;
	enum scrub_xdp_mode mode;
};

static const struct mode_name xdp_modes[] = {
	{ "auto", SCRUB_XDP_AUTO },
	{ "native", SCRUB_XDP_NATIVE },
	{ "generic", SCRUB_XDP_GENERIC },
	{ NULL, 0 },
};

static int
config_load(const char *path, struct config *c, char *err, size_t errlen)
{
	json_error_t je;
	json_t *v = json_load_file(path, JSON_REJECT_DUPLICATES, &je), *b, *d;
	struct jsonv_error e;
	const char *mode, *lvl;
	const struct mode_name *m;
	int rc = -1;

	memset(c, 0, sizeof(*c));
	if (v == NULL) {
		snprintf(err, errlen, "%s: line %d: %s", path, je.line, je.text);
		return -1;
	}
	b = json_object_get(v, "baseline");
	d = json_object_get(v, "dns");
	if (jsonv_check(v, config_fields, &e) < 0 || jsonv_check(b, baseline_fields, &e) < 0 ||
	    jsonv_check(d, dns_fields, &e) < 0) {
		snprintf(err, errlen, "%s: %s", path, e.message);
		goto done;
	}
	snprintf(c->interface, sizeof(c->interface), "%s", jsonv_str(v, "interface", ""));
	snprintf(c->node_state, sizeof(c->node_state), "%s", jsonv_str(v, "node_state", ""));
	if (c->node_state[0]) {
		struct agent_paths ap;
		struct agent_node an;
		char nerr[256];

		if (json_object_get(v, "bundle") || json_object_get(v, "control_key") ||
		    json_object_get(v, "node_id") || json_object_get(v, "queue")) {
			snprintf(err, errlen, "%s: node_state: the enrolled node's state directory "
			    "provides bundle, control_key, node_id and queue; give none of them",
			    path);
			goto done;
		}
		agent_paths_init(&ap, c->node_state);
		if (agent_node_load(&ap, &an, nerr, sizeof(nerr)) < 0) {
			snprintf(err, errlen, "%.200s: node_state: %.200s (enrol it first: "
			    "yunshou-agent enroll --state DIR with a scrubber token)", path, nerr);
			goto done;
		}
		snprintf(c->bundle, sizeof(c->bundle), "%s", ap.policy);
		snprintf(c->control_key, sizeof(c->control_key), "%s", ap.signing);
		c->node_id = an.node_id;
	} else if (!json_is_string(json_object_get(v, "bundle")) ||
	    !json_is_string(json_object_get(v, "control_key")) ||
	    !json_is_integer(json_object_get(v, "node_id"))) {
		snprintf(err, errlen, "%s: give node_state (an enrolled node) or all of bundle, "
		    "control_key and node_id", path);
		goto done;
	} else {
		snprintf(c->bundle, sizeof(c->bundle), "%s", jsonv_str(v, "bundle", ""));
		snprintf(c->control_key, sizeof(c->control_key), "%s",
		    jsonv_str(v, "control_key", ""));
		c->node_id = jsonv_int(v, "node_id", 0);
	}
	snprintf(c->events, sizeof(c->events), "%s", jsonv_str(v, "events", ""));
	snprintf(c->queue, sizeof(c->queue), "%s", jsonv_str(v, "queue", ""));
	c->sample_ms = (uint32_t)jsonv_int(v, "sample_ms", 100);
	c->sample_one_in = (uint32_t)jsonv_int(v, "sample_one_in", 16);
	if (c->sample_one_in & (c->sample_one_in - 1)) {
		snprintf(err, errlen, "%s: sample_one_in: %u is not 0 or a power of two", path,
		    c->sample_one_in);
		goto done;
	}
	c->forward = jsonv_bool(v, "forward", true);
	mode = jsonv_str(v, "xdp_mode", "auto");
	for (m = xdp_modes; m->name && strcmp(m->name, mode) != 0; m++)
		;
	if (m->name == NULL) {
		snprintf(err, errlen, "%s: xdp_mode: \"%s\" is not auto, native or generic", path,
		    mode);
		goto done;
	}
	c->xdp_mode = m->mode;
	lvl = jsonv_str(v, "log_level", "info");
	if (log_level_parse(lvl, &c->log_level) < 0) {
		snprintf(err, errlen, "%s: log_level: \"%s\" is not debug, info, warn or err",
		    path, lvl);
		goto done;
	}
	det_config_default(&c->det);
	c->det.bucket_ms = (uint32_t)jsonv_int(b, "bucket_ms", c->det.bucket_ms);
	c->det.n_buckets = (uint32_t)jsonv_int(b, "buckets", c->det.n_buckets);
	c->det.warmup_buckets = (uint32_t)jsonv_int(b, "warmup_buckets", c->det.warmup_buckets);
	snprintf(c->dns_server, sizeof(c->dns_server), "%s", jsonv_str(d, "server", ""));
	snprintf(c->dns_secret, sizeof(c->dns_secret), "%s", jsonv_str(d, "tsig_secret", ""));
	c->dns_port = (uint16_t)jsonv_int(d, "port", 0);
	if (c->dns_server[0]) {
		struct scrub_ipaddr a;

		if (scrub_ipaddr_parse(c->dns_server, &a) < 0) {
			snprintf(err, errlen, "%s: dns.server: \"%s\" is not an address", path,
			    c->dns_server);
			goto done;
		}
	}
	rc = 0;
done:
	json_decref(v);
	return rc;
}

/* The bundle's DNS settings with this node's overrides. */
static void
dns_settings(const struct config *c, const struct scrub_bundle *b, struct scrub_dns *out)
{
	*out = b->dns;
	if (c->dns_server[0])
		scrub_ipaddr_parse(c->dns_server, &out->server);
	if (c->dns_port)
		out->port = c->dns_port;
	if (c->dns_secret[0])
		snprintf(out->secret_ref, sizeof(out->secret_ref), "%s", c->dns_secret);
}

static int
bundle_load(const struct config *c, struct scrub_bundle *b, char *err, size_t errlen)
{
	EVP_PKEY *key = crypto_ed25519_load_public(c->control_key, err, errlen);
	int rc;

	if (key == NULL)
		return -1;
	rc = scrub_bundle_load(key, c->bundle, c->node_id, b, err, errlen);
	EVP_PKEY_free(key);
	return rc;
}

/* ---- time ---- */

static uint64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static uint64_t
wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static int64_t mono_to_wall;	/* wall_ms - mono_ms at start */

static json_t *
ts_json(uint64_t mono)
{
	uint64_t w = mono ? (uint64_t)((int64_t)mono + mono_to_wall) : 0;
	time_t s = (time_t)(w / 1000);
	struct tm tm;
	char buf[96];

	if (w == 0)
		return json_null();
	gmtime_r(&s, &tm);
	snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d.%03uZ", tm.tm_year + 1900,
	    tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (unsigned)(w % 1000));
	return json_string(buf);
}

/* ---- events: JSON lines, one writer at a time ---- */

static FILE *events;
static struct queue *equeue;	/* optional */
static pthread_mutex_t events_mu = PTHREAD_MUTEX_INITIALIZER;

/* Takes ownership of ev. */
static void
emit(json_t *ev)
{
	char *line;

	json_object_set_new(ev, "time", ts_json(mono_ms()));
	line = json_dumps(ev, JSON_COMPACT);
	json_decref(ev);
	if (line == NULL)
		return;
	pthread_mutex_lock(&events_mu);
	fprintf(events, "%s\n", line);
	fflush(events);
	if (equeue != NULL) {
		uint64_t seq = queue_append(equeue, line, strlen(line));

		if (seq == QUEUE_FULL || seq == QUEUE_ERROR || queue_sync(equeue) < 0)
			log_warn("scrubber: event queue %s; the event is only in the events file",
			    seq == QUEUE_FULL ? "full" : "write failed");
	}
	pthread_mutex_unlock(&events_mu);
	free(line);
}

static json_t *
addr_json(const struct scrub_ipaddr *a)
{
	char buf[64];

	return json_string(scrub_ipaddr_str(a, buf, sizeof(buf)));
}

static json_t *
vectors_json(uint32_t vectors)
{
	json_t *arr = json_array();

	for (int v = 0; v < DET_V_COUNT; v++)
		if (vectors & (1u << v))
			json_array_append_new(arr, json_string(det_vector_name((enum det_vector)v)));
	return arr;
}

static json_t *
triggers_json(uint32_t triggers)
{
	json_t *arr = json_array();

	for (size_t i = 0; i < det_n_triggers; i++)
		if (triggers & (1u << i))
			json_array_append_new(arr, json_string(det_triggers[i].name));
	return arr;
}

/* ---- runtime state ---- */

struct target {
	struct det_target det;
	struct det_counters prev;
	uint64_t prev_ms;
	bool have_prev;
	uint32_t reported_vectors;
};

struct domain {
	const struct scrub_object *obj;
	const struct scrub_domain *dom;
	enum dnsdiv_target want, have;
	uint64_t next_try_ms;
	uint32_t failures;
};

struct state {
	struct config cfg;
	struct scrub_bundle bundle;
	struct scrub_xdp *xdp;
	struct mitig mitig;
	struct target *t;		/* one per mitig target */
	size_t n;
	uint64_t *obj_last_end;		/* per bundle object */
	/* DNS worker */
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct dnsdiv *dns;
	struct domain *dom;
	size_t n_dom;
	bool stop;
	pthread_t worker;
	bool have_worker;
};

static void
attack_event(const struct state *s, size_t i, const char *kind, uint64_t mitig_us)
{
	const struct mitig_target *mt = &s->mitig.t[i];
	const struct det_attack *a = &s->t[i].det.attack;
	json_t *ev = json_pack("{s:s, s:s, s:I, s:o, s:o, s:o, s:o, s:o}", "event", kind,
	    "object", mt->obj->id, "tenant", (json_int_t)mt->obj->tenant,
	    "ip", addr_json(&mt->ip->addr), "vectors", vectors_json(a->vectors),
	    "triggers", triggers_json(a->triggers), "start", ts_json(a->start_ms),
	    "baseline_p95_pps", json_real(a->baseline_p95_pps));
	char bits[256];
	json_t *top = json_array();

	json_object_set_new(ev, "peak_pps", json_real(a->peak_pps));
	json_object_set_new(ev, "peak_bps", json_real(a->peak_bps));
	json_object_set_new(ev, "dropped_pkts", json_integer((json_int_t)a->dropped_pkts));
	json_object_set_new(ev, "dropped_bytes", json_integer((json_int_t)a->dropped_bytes));
	json_object_set_new(ev, "mitigations", json_string(mitig_bits_str(mt->bits, bits,
	    sizeof(bits))));
	if (strcmp(kind, "attack_end") != 0) {
		json_object_set_new(ev, "mitigation_us", json_integer((json_int_t)mitig_us));
	} else {
		json_t *tl = json_array(), *vp = json_object();

		json_object_set_new(ev, "end", ts_json(a->end_ms));
		json_object_set_new(ev, "duration_s",
		    json_real((double)(a->end_ms - a->start_ms) / 1000.0));
		for (int v = 0; v < DET_V_COUNT; v++)
			if (a->vec_pkts[v])
				json_object_set_new(vp, det_vector_name((enum det_vector)v),
				    json_integer((json_int_t)a->vec_pkts[v]));
		json_object_set_new(ev, "vector_pkts", vp);
		for (size_t k = 0; k < a->n_timeline; k++)
			json_array_append_new(tl, json_pack("{s:o, s:f, s:f, s:I}",
			    "t", ts_json(a->timeline[k].t_ms), "pps", a->timeline[k].pps,
			    "bps", a->timeline[k].bps,
			    "dropped_pkts", (json_int_t)a->timeline[k].dropped_pkts));
		json_object_set_new(ev, "timeline", tl);
		json_object_set_new(ev, "samples_per_point",
		    json_integer(a->samples_per_point));
	}
	for (size_t k = 0; k < a->n_top; k++)
		json_array_append_new(top, json_pack("{s:o, s:I}", "addr",
		    addr_json(&a->top[k].addr), "pkts_estimate", (json_int_t)a->top[k].pkts));
	json_object_set_new(ev, "top_sources", top);
	emit(ev);
}

static size_t
object_index(const struct state *s, const struct scrub_object *o)
{
	return (size_t)(o - s->bundle.objects);
}

static bool
object_attacked(const struct state *s, const struct scrub_object *o)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->mitig.t[i].obj == o && s->t[i].det.in_attack)
			return true;
	return false;
}

/* Recompute every domain's wanted target; wake the worker if one moved. */
static void
plan_dns(struct state *s, uint64_t now)
{
	bool wake = false;

	pthread_mutex_lock(&s->mu);
	for (size_t i = 0; i < s->n_dom; i++) {
		struct domain *d = &s->dom[i];
		enum dnsdiv_target w = dnsdiv_want(d->dom->mode, object_attacked(s, d->obj),
		    s->obj_last_end[object_index(s, d->obj)],
		    (uint64_t)s->bundle.dns.hold_down_s * 1000, now);

		if (w != d->want) {
			d->want = w;
			d->next_try_ms = 0;
			d->failures = 0;
			wake = true;
		}
	}
	if (wake)
		pthread_cond_signal(&s->cv);
	pthread_mutex_unlock(&s->mu);
}

static int
on_packet_sample(void *ctx, const struct scrub_sample *ps)
{
	struct state *s = ctx;
	struct scrub_ipaddr src;
	long idx = mitig_sample(&s->mitig, ps, s->cfg.sample_one_in, &src);

	if (idx >= 0 && (size_t)idx < s->n)
		det_note_source(&s->t[idx].det, &src, s->cfg.sample_one_in);
	return 0;
}

static void
sample(struct state *s)
{
	char err[256];
	uint64_t now = mono_ms();

	for (size_t i = 0; i < s->n; i++) {
		struct target *t = &s->t[i];
		struct det_counters c;
		struct det_sample smp;
		enum det_event ev;

		if (mitig_counters(&s->mitig, i, &c, err, sizeof(err)) < 0) {
			log_warn("scrubber: counters: %s", err);
			continue;
		}
		if (!t->have_prev) {
			t->prev = c;
			t->prev_ms = now;
			t->have_prev = true;
			continue;
		}
		det_sample_from_counters(&t->prev, t->prev_ms, &c, now, &smp);
		t->prev = c;
		t->prev_ms = now;
		ev = det_feed(&t->det, &smp);
		if (ev != DET_EV_START && t->det.in_attack &&
		    t->det.attack.vectors != t->reported_vectors)
			det_top_refresh(&t->det);
		if (ev == DET_EV_START ||
		    (t->det.in_attack && t->det.attack.vectors != t->reported_vectors)) {
			struct timespec a, b;

			clock_gettime(CLOCK_MONOTONIC, &a);
			if (mitig_set_attack(&s->mitig, i, true, t->det.attack.vectors, err,
			    sizeof(err)) < 0)
				log_err("scrubber: mitigation on: %s", err);
			clock_gettime(CLOCK_MONOTONIC, &b);
			attack_event(s, i, ev == DET_EV_START ? "attack_start" : "attack_update",
			    (uint64_t)((b.tv_sec - a.tv_sec) * 1000000 +
			    (b.tv_nsec - a.tv_nsec) / 1000));
			t->reported_vectors = t->det.attack.vectors;
		} else if (ev == DET_EV_END) {
			if (mitig_set_attack(&s->mitig, i, false, 0, err, sizeof(err)) < 0)
				log_err("scrubber: mitigation off: %s", err);
			s->obj_last_end[object_index(s, s->mitig.t[i].obj)] = now;
			attack_event(s, i, "attack_end", 0);
			t->reported_vectors = 0;
		}
	}
	/* Packets sampled during this interval: sources and reflection ports,
	 * counted into the attacks the samples above may just have started. */
	if (s->cfg.sample_one_in &&
	    scrub_xdp_poll_samples(s->xdp, 0, on_packet_sample, s, err, sizeof(err)) < 0)
		log_warn("scrubber: samples: %s", err);
	plan_dns(s, now);
}

/* ---- DNS worker ---- */

/* Called with s->mu held; drops it while talking to the server, so it
 * works on copies and finds the domain again afterwards (a reload may have
 * replaced the array). */
static void
dns_apply(struct state *s, struct domain *d, enum dnsdiv_target want)
{
	struct scrub_ipaddr addrs[SCRUB_MAX_ORIGINS + 2];
	struct dnsdiv_result r;
	char err[512], name[SCRUB_DNAME_MAX], obj[SCRUB_ID_MAX];
	size_t n = dnsdiv_addrs(&s->bundle, d->dom, want, addrs, sizeof(addrs) / sizeof(addrs[0]));
	uint32_t ttl = s->bundle.dns.ttl;
	json_t *ev, *arr = json_array();
	int rc;

	snprintf(name, sizeof(name), "%s", d->dom->name);
	snprintf(obj, sizeof(obj), "%s", d->obj->id);
	pthread_mutex_unlock(&s->mu);
	rc = dnsdiv_set(s->dns, name, addrs, n, &r, err, sizeof(err));
	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, addr_json(&addrs[i]));
	ev = json_pack("{s:s, s:s, s:s, s:s, s:o}", "event", rc == 0 ? "dns_switch" : "dns_error",
	    "object", obj, "domain", name, "target", dnsdiv_target_name(want), "addresses", arr);
	if (rc == 0) {
		json_object_set_new(ev, "latency_ms", json_real(r.latency_ms));
		json_object_set_new(ev, "serial", json_integer(r.serial_after));
		json_object_set_new(ev, "ttl", json_integer(ttl));
		log_info("scrubber: %s -> %s (%.1f ms)", name, dnsdiv_target_name(want),
		    r.latency_ms);
	} else {
		json_object_set_new(ev, "error", json_string(err));
		log_err("scrubber: DNS diversion of %s: %s", name, err);
	}
	emit(ev);
	pthread_mutex_lock(&s->mu);
	for (size_t i = 0; i < s->n_dom; i++) {
		d = &s->dom[i];
		if (strcmp(d->dom->name, name) != 0)
			continue;
		if (rc == 0) {
			d->have = want;
			d->failures = 0;
		} else {
			/* Retry with backoff: 1, 2, 4 ... 30 s. */
			uint32_t back = d->failures < 5 ? 1000u << d->failures : 30000;

			d->failures++;
			d->next_try_ms = mono_ms() + back;
		}
	}
}

static void *
dns_worker(void *arg)
{
	struct state *s = arg;

	pthread_mutex_lock(&s->mu);
	while (!s->stop) {
		struct timespec ts;
		bool did = false;

		for (size_t i = 0; i < s->n_dom && !s->stop; i++) {
			struct domain *d = &s->dom[i];

			if (d->want != DNSDIV_UNKNOWN && d->want != d->have &&
			    mono_ms() >= d->next_try_ms) {
				dns_apply(s, d, d->want);
				did = true;
			}
		}
		if (did)
			continue;
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 200 * 1000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&s->cv, &s->mu, &ts);
	}
	pthread_mutex_unlock(&s->mu);
	return NULL;
}

/* ---- set-up and reload ---- */

/* Build targets and domains for s->bundle; keep the detector state of
 * addresses that were already protected (old, n_old). */
static int
build_runtime(struct state *s, struct target *old, const struct scrub_ipaddr *old_addr,
    size_t n_old, char *err, size_t errlen)
{
	size_t nd = 0;

	s->t = calloc(s->mitig.n + 1, sizeof(*s->t));
	s->obj_last_end = calloc(s->bundle.n_objects + 1, sizeof(*s->obj_last_end));
	for (size_t i = 0; i < s->bundle.n_objects; i++)
		nd += s->bundle.objects[i].n_domains;
	s->dom = calloc(nd + 1, sizeof(*s->dom));
	if (s->t == NULL || s->obj_last_end == NULL || s->dom == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	s->n = s->mitig.n;
	for (size_t i = 0; i < s->n; i++) {
		const struct mitig_target *mt = &s->mitig.t[i];
		size_t j;

		for (j = 0; j < n_old && !scrub_ipaddr_equal(&old_addr[j], &mt->ip->addr); j++)
			;
		if (j < n_old) {
			s->t[i] = old[j];
			old[j].det.win_pps = NULL;	/* moved */
			old[j].det.win_bps = old[j].det.scratch = NULL;
			old[j].det.attack.timeline = NULL;
			det_target_set_thresholds(&s->t[i].det, &mt->obj->th);
			s->t[i].have_prev = false;	/* counters were reset */
			if (s->t[i].det.in_attack)
				(void)mitig_set_attack(&s->mitig, i, true,
				    s->t[i].det.attack.vectors, err, errlen);
		} else if (det_target_init(&s->t[i].det, &s->cfg.det, &mt->obj->th) < 0) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
	}
	for (size_t i = 0; i < s->bundle.n_objects; i++)
		for (size_t j = 0; j < s->bundle.objects[i].n_domains; j++)
			s->dom[s->n_dom++] = (struct domain){ .obj = &s->bundle.objects[i],
				.dom = &s->bundle.objects[i].domains[j] };
	return 0;
}

static void
free_runtime(struct target *t, size_t n)
{
	for (size_t i = 0; t && i < n; i++)
		det_target_free(&t[i].det);
	free(t);
}

static void
reload(struct state *s)
{
	struct scrub_bundle nb, ob;
	struct target *old_t = s->t;
	struct scrub_ipaddr *old_addr;
	size_t n_old = s->n, n_old_dom = 0;
	struct domain *old_dom;
	char err[512], (*old_names)[SCRUB_DNAME_MAX];

	if (bundle_load(&s->cfg, &nb, err, sizeof(err)) < 0) {
		log_err("scrubber: reload: %s; keeping policy version %lld", err,
		    (long long)s->bundle.version);
		return;
	}
	old_addr = calloc(n_old + 1, sizeof(*old_addr));
	old_names = calloc(s->n_dom + 1, sizeof(*old_names));
	if (old_addr == NULL || old_names == NULL) {
		free(old_addr);
		free(old_names);
		scrub_bundle_free(&nb);
		return;
	}
	for (size_t i = 0; i < s->n_dom; i++)
		snprintf(old_names[i], sizeof(old_names[i]), "%s", s->dom[i].dom->name);
	for (size_t i = 0; i < n_old; i++)
		old_addr[i] = s->mitig.t[i].ip->addr;
	if (mitig_install(&s->mitig, s->xdp, &nb, time(NULL), err, sizeof(err)) < 0) {
		log_err("scrubber: reload: %s", err);
		/* Put the old policy back into the data plane. */
		(void)mitig_install(&s->mitig, s->xdp, &s->bundle, time(NULL), err, sizeof(err));
		scrub_bundle_free(&nb);
		free(old_addr);
		free(old_names);
		return;
	}
	pthread_mutex_lock(&s->mu);
	ob = s->bundle;
	s->bundle = nb;
	s->mitig.b = &s->bundle;
	free(s->obj_last_end);
	old_dom = s->dom;
	n_old_dom = s->n_dom;
	s->n_dom = 0;
	if (build_runtime(s, old_t, old_addr, n_old, err, sizeof(err)) < 0)
		log_err("scrubber: reload: %s", err);
	for (size_t i = 0; i < s->n_dom; i++)	/* what the server has stays known */
		for (size_t j = 0; j < n_old_dom; j++)
			if (strcmp(s->dom[i].dom->name, old_names[j]) == 0)
				s->dom[i].have = old_dom[j].have;
	free(old_dom);
	pthread_mutex_unlock(&s->mu);
	free_runtime(old_t, n_old);
	free(old_addr);
	free(old_names);
	scrub_bundle_free(&ob);
	log_info("scrubber: policy version %lld installed (%zu addresses, %zu domains)",
	    (long long)s->bundle.version, s->n, s->n_dom);
}

/* ---- commands ---- */

static int
check_config(const char *path)
{
	struct config c;
	struct scrub_bundle b;
	char err[512];
	size_t ips = 0, doms = 0;

	if (config_load(path, &c, err, sizeof(err)) < 0 ||
	    bundle_load(&c, &b, err, sizeof(err)) < 0) {
		fprintf(stderr, "yunshou-scrubber: %s\n", err);
		return 1;
	}
	for (size_t i = 0; i < b.n_objects; i++) {
		ips += b.objects[i].n_ips;
		doms += b.objects[i].n_domains;
	}
	if (doms > 0) {
		struct scrub_dns dns;
		struct dnsdiv *d;

		dns_settings(&c, &b, &dns);
		if ((d = dnsdiv_open(&dns, err, sizeof(err))) == NULL) {
			fprintf(stderr, "yunshou-scrubber: %s\n", err);
			scrub_bundle_free(&b);
			return 1;
		}
		dnsdiv_close(d);
	}
	printf("policy version %lld: %zu objects, %zu addresses, %zu domains, %zu rules\n",
	    (long long)b.version, b.n_objects, ips, doms, b.n_rules);
	printf("configuration OK\n");
	scrub_bundle_free(&b);
	return 0;
}

/* ---- the control-plane link (node_state) ---- */

static struct nodelink cplink;

/* The sender stores each verified bundle as the node's policy.json; a new
 * version is loaded like a SIGHUP reload (verified again from the file). */
static void
new_bundle_from_control_plane(struct state *s)
{
	int64_t version = 0;
	json_t *body = nodelink_policy(&cplink, &version);

	if (body == NULL)
		return;
	json_decref(body);
	if (version != s->bundle.version) {
		log_info("scrubber: the control plane sent policy version %lld", (long long)version);
		reload(s);
	}
}

/* A node that has just enrolled has no bundle yet: wait for the first one
 * (the sender fetches it at its first heartbeat). */
static int
wait_first_bundle(struct state *s, char *err, size_t errlen)
{
	for (int i = 0; i < 600; i++) {
		int64_t version = 0;
		json_t *body = nodelink_policy(&cplink, &version);

		json_decref(body);
		if (bundle_load(&s->cfg, &s->bundle, err, errlen) == 0)
			return 0;
		poll(NULL, 0, 100);
	}
	snprintf(err + strlen(err), errlen - strlen(err), " (no bundle from the control plane "
	    "within 60 s)");
	return -1;
}

static int
run(const char *path)
{
	struct state *s = calloc(1, sizeof(*s));
	struct fwd *fw = NULL;
	enum scrub_xdp_mode got;
	char err[512];
	sigset_t set;
	int sfd = -1, tfd = -1, rc = 1;
	struct itimerspec its;

	if (s == NULL)
		return 1;
	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->cv, NULL);
	if (config_load(path, &s->cfg, err, sizeof(err)) < 0) {
		fprintf(stderr, "yunshou-scrubber: %s\n", err);
		goto out;
	}
	log_init("yunshou-scrubber", s->cfg.log_level, NULL);
	mono_to_wall = (int64_t)wall_ms() - (int64_t)mono_ms();
	/* Before any thread starts (the node link's sender, the DNS worker):
	 * threads inherit the mask, and the signals are read by signalfd. */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	if (s->cfg.node_state[0]) {
		if (nodelink_open(&cplink, s->cfg.node_state, "scrubber", err, sizeof(err)) < 0) {
			log_err("scrubber: %s", err);
			goto out;
		}
		equeue = cplink.queue;
		if (wait_first_bundle(s, err, sizeof(err)) < 0) {
			log_err("scrubber: %s", err);
			goto out;
		}
	} else if (bundle_load(&s->cfg, &s->bundle, err, sizeof(err)) < 0) {
		log_err("scrubber: %s", err);
		goto out;
	}
	events = fopen(s->cfg.events, "ae");
	if (events == NULL) {
		log_err("scrubber: cannot open the events file %s: %s", s->cfg.events,
		    strerror(errno));
		goto out;
	}
	if (s->cfg.queue[0] && !s->cfg.node_state[0] &&
	    queue_open(s->cfg.queue, 64ULL * 1024 * 1024, &equeue, err, sizeof(err)) < 0) {
		log_err("scrubber: %s", err);
		goto out;
	}
	if ((s->xdp = scrub_xdp_open(err, sizeof(err))) == NULL ||
	    scrub_xdp_attach(s->xdp, s->cfg.interface, s->cfg.xdp_mode, &got, err,
	    sizeof(err)) < 0 ||
	    mitig_install(&s->mitig, s->xdp, &s->bundle, time(NULL), err, sizeof(err)) < 0 ||
	    build_runtime(s, NULL, NULL, 0, err, sizeof(err)) < 0) {
		log_err("scrubber: %s", err);
		goto out;
	}
	if (scrub_xdp_set_sampling(s->xdp, s->cfg.sample_one_in, err, sizeof(err)) < 0) {
		log_err("scrubber: %s", err);
		goto out;
	}
	log_info("scrubber: XDP attached to %s (%s mode); policy version %lld: %zu addresses, "
	    "%zu domains", s->cfg.interface, got == SCRUB_XDP_NATIVE ? "native" : "generic",
	    (long long)s->bundle.version, s->n, s->n_dom);
	if (s->cfg.forward) {
		int n;

		if ((fw = fwd_new(err, sizeof(err))) == NULL ||
		    (n = fwd_add_bundle(fw, &s->bundle, err, sizeof(err))) < 0) {
			log_err("scrubber: %s", err);
			goto out;
		}
		log_info("scrubber: forwarding %d listeners to origins", n);
	}
	if (s->n_dom > 0) {
		struct scrub_dns dns;

		dns_settings(&s->cfg, &s->bundle, &dns);
		if ((s->dns = dnsdiv_open(&dns, err, sizeof(err))) == NULL) {
			log_err("scrubber: %s", err);
			goto out;
		}
	}
	{
		/* Every forwarded connection takes two descriptors and a pipe pair. */
		struct rlimit rl;

		if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
			rl.rlim_cur = rl.rlim_max;
			(void)setrlimit(RLIMIT_NOFILE, &rl);
		}
	}
	if (scrub_xdp_drop_caps(err, sizeof(err)) < 0) {
		log_err("scrubber: %s", err);
		goto out;
	}
	sfd = signalfd(-1, &set, SFD_CLOEXEC);
	tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
	its.it_interval = (struct timespec){ 0, (long)s->cfg.sample_ms * 1000000L };
	its.it_value = its.it_interval;
	if (sfd < 0 || tfd < 0 || timerfd_settime(tfd, 0, &its, NULL) < 0) {
		log_err("scrubber: %s", strerror(errno));
		goto out;
	}
	if (pthread_create(&s->worker, NULL, dns_worker, s) != 0) {
		log_err("scrubber: cannot start the DNS worker");
		goto out;
	}
	s->have_worker = true;
	emit(json_pack("{s:s, s:I, s:s}", "event", "scrubber_start", "policy_version",
	    (json_int_t)s->bundle.version, "interface", s->cfg.interface));
	for (;;) {
		struct pollfd p[3] = { { sfd, POLLIN, 0 }, { tfd, POLLIN, 0 },
			{ fw ? fwd_fd(fw) : -1, POLLIN, 0 } };

		if (poll(p, 3, -1) < 0 && errno != EINTR)
			break;
		if (p[0].revents & POLLIN) {
			struct signalfd_siginfo si;

			if (read(sfd, &si, sizeof(si)) == sizeof(si)) {
				if (si.ssi_signo == SIGHUP) {
					reload(s);
				} else {
					log_info("scrubber: stopping");
					break;
				}
			}
		}
		if (p[1].revents & POLLIN) {
			uint64_t ticks;

			if (read(tfd, &ticks, sizeof(ticks)) == sizeof(ticks))
				sample(s);
			if (s->cfg.node_state[0])
				new_bundle_from_control_plane(s);
		}
		if (fw && (p[2].revents & POLLIN))
			fwd_run(fw, 0);
	}
	rc = 0;
out:
	if (s->have_worker) {
		pthread_mutex_lock(&s->mu);
		s->stop = true;
		pthread_cond_signal(&s->cv);
		pthread_mutex_unlock(&s->mu);
		pthread_join(s->worker, NULL);
	}
	if (events)
		emit(json_pack("{s:s}", "event", "scrubber_stop"));
	if (sfd >= 0)
		close(sfd);
	if (tfd >= 0)
		close(tfd);
	fwd_free(fw);
	dnsdiv_close(s->dns);
	free_runtime(s->t, s->n);
	free(s->dom);
	free(s->obj_last_end);
	mitig_free(&s->mitig);
	scrub_xdp_close(s->xdp);	/* detaches */
	scrub_bundle_free(&s->bundle);
	if (events)
		fclose(events);
	if (s->cfg.node_state[0])
		nodelink_close(&cplink);	/* closes its queue, equeue */
	else
		queue_close(equeue);
	equeue = NULL;
	free(s);
	return rc;
}

static void
usage(FILE *f)
{
	fprintf(f, "usage: yunshou-scrubber enroll --state DIR --server URL --token TOKEN "
	    "--ca-fingerprint SHA256\n"
	    "       yunshou-scrubber run --config FILE\n"
	    "       yunshou-scrubber check-config --config FILE\n"
	    "       yunshou-scrubber version\n");
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *cmd, *config = NULL;
	int ch;

	log_init("yunshou-scrubber", LOG_LVL_INFO, NULL);
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	cmd = argv[1];
	if (strcmp(cmd, "version") == 0) {
		printf("yunshou-scrubber %s\n", YS_VERSION);
		return 0;
	}
	if (strcmp(cmd, "enroll") == 0)
		return nodelink_enroll_main("yunshou-scrubber", "scrubber", argc - 1, argv + 1);
	optind = 2;
	while ((ch = getopt_long(argc, argv, "c:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			config = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (config == NULL) {
		fprintf(stderr, "yunshou-scrubber: --config FILE is required\n");
		return 2;
	}
	if (strcmp(cmd, "check-config") == 0)
		return check_config(config);
	if (strcmp(cmd, "run") == 0)
		return run(config);
	usage(stderr);
	return 2;
}
