/*
 * proxy_main.c: `yunshou-waf run`, the reverse proxy as a daemon.
 *
 *   yunshou-waf run --config FILE --listen ADDR:PORT [--tls-listen ADDR:PORT]
 *       [--rules DIR] [--events FILE] [--events-queue DIR] [--workers N] [--cc-entries N]
 *       [--log-level debug|info|warn|error] [--check]
 *   yunshou-waf run --node-state DIR --listen ADDR:PORT ...
 *
 * With --node-state (a node enrolled with a waf token: yunshou-waf enroll),
 * the configuration comes from the control plane: the node link (the
 * agent's sender, nodelink.c) keeps the signed bundle current, each new
 * version is written as DIR/waf-sites.json (0600: it holds the sites' keys)
 * and loaded like a changed file, and the events go to the control plane
 * through the node's lossless queue as waf.attack events.
 *
 * The main thread only watches: SIGHUP, or a change of the configuration
 * file (checked every second), builds a new configuration and swaps it in;
 * a configuration that fails to build is refused and the running one
 * stays. SIGTERM and SIGINT stop accepting, let requests in flight finish
 * (up to 10 s) and exit 0.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <event2/event.h>

#include "log.h"
#include "nodecfg.h"
#include "nodelink.h"
#include "proxy.h"
#include "sitestats.h"
#include "waf_main.h"

struct runner {
	struct proxy *px;
	const char *config;
	const char *rules;
	struct event_base *base;
	struct stat st;
	struct nodelink *link;	/* --node-state */
	char node_config[700];
	struct events *events;
	unsigned ticks;
};

#define STATS_EVERY_S 10

static void
usage(void)
{
	fprintf(stderr, "usage: yunshou-waf run (--config FILE | --node-state DIR) --listen ADDR:PORT "
	    "[--tls-listen ADDR:PORT]\n"
	    "         [--rules DIR] [--events FILE] [--events-queue DIR] [--workers N]\n"
	    "         [--cc-entries N]\n"
	    "         [--log-level debug|info|warn|error] [--check]\n");
}

static bool
stat_changed(struct runner *r)
{
	struct stat st;

	if (stat(r->config, &st) < 0)
		return false;
	if (st.st_ino == r->st.st_ino && st.st_size == r->st.st_size &&
	    st.st_mtim.tv_sec == r->st.st_mtim.tv_sec && st.st_mtim.tv_nsec == r->st.st_mtim.tv_nsec)
		return false;
	r->st = st;
	return true;
}

static void
reload(struct runner *r, const char *why)
{
	char err[512];
	struct siteconf *c;

	/* note the file's state before reading it: a change made while the
	 * new configuration builds is seen by the next tick */
	stat_changed(r);
	c = siteconf_load(r->config, r->rules, err, sizeof(err));
	if (c == NULL) {
		log_err("waf: %s: new configuration refused, the running one stays: %s", why, err);
		return;
	}
	log_info("waf: %s: configuration reloaded (%zu sites)", why, c->n_sites);
	proxy_swap(r->px, c);
}

static void
on_hup(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	reload(arg, "SIGHUP");
}

static void
on_term(evutil_socket_t fd, short what, void *arg)
{
	struct runner *r = arg;

	(void)what;
	log_info("waf: signal %d: stopping", (int)fd);
	event_base_loopbreak(r->base);
}

/* Write the proxy configuration of a policy to the node's file: a
 * temporary file (0600) renamed over it, so the proxy never reads half. */
static int
write_node_config(struct runner *r, const json_t *policy, char *err, size_t errlen)
{
	char tmp[720];
	json_t *cfg = nodecfg_from_policy(policy, err, errlen);
	int fd, rc = -1;

	if (cfg == NULL)
		return -1;
	snprintf(tmp, sizeof(tmp), "%s.new", r->node_config);
	/* A fresh file of our own: never through a link someone left there. */
	(void)unlink(tmp);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0 || json_dumpfd(cfg, fd, JSON_COMPACT) < 0 || fsync(fd) < 0) {
		snprintf(err, errlen, "cannot write %.300s: %s", tmp, strerror(errno));
	} else if (rename(tmp, r->node_config) < 0) {
		snprintf(err, errlen, "cannot rename %.300s: %s", tmp, strerror(errno));
	} else {
		rc = 0;
	}
	if (fd >= 0)
		close(fd);
	json_decref(cfg);
	return rc;
}

/* A new bundle version from the control plane becomes the configuration. */
static void
node_policy(struct runner *r, bool at_start)
{
	int64_t version = 0;
	json_t *policy = nodelink_policy(r->link, &version);
	char err[512];

	if (policy == NULL)
		return;
	if (write_node_config(r, policy, err, sizeof(err)) < 0)
		log_err("waf: policy version %lld refused, the running configuration stays: %s",
		    (long long)version, err);
	else if (!at_start)
		reload(r, "new policy from the control plane");
	json_decref(policy);
}

static void
stats_event(void *arg, int64_t site_id, uint64_t requests, uint64_t blocked)
{
	struct runner *r = arg;

	events_emit(r->events, json_pack("{s:s, s:I, s:I, s:I, s:i}", "type", "stats",
	    "site_id", (json_int_t)site_id, "requests", (json_int_t)requests,
	    "blocked", (json_int_t)blocked, "period_s", STATS_EVERY_S));
}

static void
on_tick(evutil_socket_t fd, short what, void *arg)
{
	struct runner *r = arg;

	(void)fd;
	(void)what;
	if (r->link != NULL) {
		node_policy(r, false);
		if (++r->ticks % STATS_EVERY_S == 0)
			sitestats_drain(stats_event, r);
	}
	if (stat_changed(r))
		reload(r, "configuration file changed");
}

/* --node-state: open the link, and start from the stored bundle, or an
 * empty configuration until the control plane's first one arrives. */
static int
node_start(struct runner *r, struct nodelink *link, const char *dir, char *err, size_t errlen)
{
	struct stat st;

	if (nodelink_open(link, dir, "waf", err, errlen) < 0)
		return -1;
	r->link = link;
	snprintf(r->node_config, sizeof(r->node_config), "%s/waf-sites.json", dir);
	r->config = r->node_config;
	for (int i = 0; i < 50; i++) {	/* the first heartbeat: up to 5 s */
		node_policy(r, true);
		if (stat(r->node_config, &st) == 0)
			return 0;
		usleep(100 * 1000);
	}
	if (stat(r->node_config, &st) < 0) {
		int fd = open(r->node_config, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);

		if (fd < 0 || write(fd, "{\"sites\": []}\n", 14) != 14) {
			snprintf(err, errlen, "cannot write %.300s: %s", r->node_config, strerror(errno));
			if (fd >= 0)
				close(fd);
			return -1;
		}
		close(fd);
		log_info("waf: no policy from the control plane yet; serving no site until it comes");
	}
	return 0;
}

int
waf_proxy_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "node-state", required_argument, NULL, 'N' },
		{ "listen", required_argument, NULL, 'l' },
		{ "tls-listen", required_argument, NULL, 't' },
		{ "rules", required_argument, NULL, 'r' },
		{ "events", required_argument, NULL, 'e' },
		{ "events-queue", required_argument, NULL, 'q' },
		{ "workers", required_argument, NULL, 'w' },
		{ "cc-entries", required_argument, NULL, 'C' },
		{ "log-level", required_argument, NULL, 'L' },
		{ "check", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct runner r = { 0 };
	struct nodelink link;
	const char *node_state = NULL;
	const char *listen_addr = NULL, *tls_addr = NULL, *events_path = NULL, *queue_dir = NULL;
	long workers = sysconf(_SC_NPROCESSORS_ONLN), cc_entries = 1 << 20;
	enum log_level lvl = LOG_LVL_INFO;
	bool check = false;
	struct siteconf *cfg;
	struct events *ev;
	struct event *sig_hup = NULL, *sig_term = NULL, *sig_int = NULL, *tick = NULL;
	struct timeval second = { 1, 0 };
	char err[512];
	int o;

	optind = 1;
	while ((o = getopt_long(argc, argv, "c:N:l:t:r:e:q:w:C:L:nh", opts, NULL)) != -1) {
		switch (o) {
		case 'c': r.config = optarg; break;
		case 'N': node_state = optarg; break;
		case 'l': listen_addr = optarg; break;
		case 't': tls_addr = optarg; break;
		case 'r': r.rules = optarg; break;
		case 'e': events_path = optarg; break;
		case 'q': queue_dir = optarg; break;
		case 'w': workers = strtol(optarg, NULL, 10); break;
		case 'C': cc_entries = strtol(optarg, NULL, 10); break;
		case 'L':
			if (log_level_parse(optarg, &lvl) < 0) {
				fprintf(stderr, "yunshou-waf: unknown log level %s\n", optarg);
				return 2;
			}
			break;
		case 'n': check = true; break;
		default: usage(); return o == 'h' ? 0 : 2;
		}
	}
	if ((r.config == NULL) == (node_state == NULL) || optind != argc ||
	    (node_state != NULL && (check || queue_dir != NULL)) ||
	    (!check && listen_addr == NULL && tls_addr == NULL) ||
	    workers < 1 || workers > 256 || cc_entries < 1024) {
		usage();
		return 2;
	}
	log_init("yunshou-waf", lvl, NULL);
	if (node_state != NULL && node_start(&r, &link, node_state, err, sizeof(err)) < 0) {
		fprintf(stderr, "yunshou-waf: %s\n", err);
		if (r.link != NULL)
			nodelink_close(r.link);
		return 1;
	}
	if ((cfg = siteconf_load(r.config, r.rules, err, sizeof(err))) == NULL) {
		fprintf(stderr, "yunshou-waf: %s\n", err);
		if (r.link != NULL)
			nodelink_close(r.link);
		return 1;
	}
	if (check) {
		printf("configuration OK (%zu sites)\n", cfg->n_sites);
		siteconf_unref(cfg);
		return 0;
	}
	if (tls_addr != NULL && cfg->tls_default == NULL)
		log_warn("waf: --tls-listen given but no site has a certificate yet");
	if ((ev = events_open(events_path != NULL ? events_path : cfg->events_path, queue_dir, err,
	    sizeof(err))) == NULL ||
	    (r.link != NULL && events_attach_queue(ev, r.link->queue, nodecfg_event, err,
	    sizeof(err)) < 0)) {
		fprintf(stderr, "yunshou-waf: %s\n", err);
		events_close(ev);
		siteconf_unref(cfg);
		if (r.link != NULL)
			nodelink_close(r.link);
		return 1;
	}
	r.events = ev;
	signal(SIGPIPE, SIG_IGN);
	stat(r.config, &r.st);
	/* signals first: a SIGHUP as soon as the port answers must reload */
	if ((r.base = event_base_new()) == NULL ||
	    (sig_hup = evsignal_new(r.base, SIGHUP, on_hup, &r)) == NULL ||
	    (sig_term = evsignal_new(r.base, SIGTERM, on_term, &r)) == NULL ||
	    (sig_int = evsignal_new(r.base, SIGINT, on_term, &r)) == NULL ||
	    (tick = event_new(r.base, -1, EV_PERSIST, on_tick, &r)) == NULL ||
	    evsignal_add(sig_hup, NULL) < 0 || evsignal_add(sig_term, NULL) < 0 ||
	    evsignal_add(sig_int, NULL) < 0 || event_add(tick, &second) < 0) {
		fprintf(stderr, "yunshou-waf: cannot set up signal handling\n");
		siteconf_unref(cfg);
		events_close(ev);
		o = 1;
		goto out;
	}
	if ((r.px = proxy_new(cfg, ev, (size_t)cc_entries, err, sizeof(err))) == NULL ||
	    (listen_addr != NULL && proxy_listen(r.px, listen_addr, false, err, sizeof(err)) < 0) ||
	    (tls_addr != NULL && proxy_listen(r.px, tls_addr, true, err, sizeof(err)) < 0) ||
	    proxy_start(r.px, (size_t)workers, err, sizeof(err)) < 0) {
		fprintf(stderr, "yunshou-waf: %s\n", err);
		o = 1;
		goto out;
	}
	log_info("waf: serving %zu sites on %s%s%s with %ld workers", cfg->n_sites,
	    listen_addr != NULL ? listen_addr : "", tls_addr != NULL ? " and TLS " : "",
	    tls_addr != NULL ? tls_addr : "", workers);
	event_base_dispatch(r.base);
	o = 0;
out:
	proxy_stop_and_free(r.px, 10000);
	if (sig_hup != NULL)
		event_free(sig_hup);
	if (sig_term != NULL)
		event_free(sig_term);
	if (sig_int != NULL)
		event_free(sig_int);
	if (tick != NULL)
		event_free(tick);
	if (r.base != NULL)
		event_base_free(r.base);
	if (r.link != NULL)
		nodelink_close(r.link);
	return o;
}
