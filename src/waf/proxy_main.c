/*
 * proxy_main.c: `yunshou-waf run`, the reverse proxy as a daemon.
 *
 *   yunshou-waf run --config FILE --listen ADDR:PORT [--tls-listen ADDR:PORT]
 *       [--rules DIR] [--events FILE] [--events-queue DIR] [--workers N] [--cc-entries N]
 *       [--log-level debug|info|warn|error] [--check]
 *
 * The main thread only watches: SIGHUP, or a change of the configuration
 * file (checked every second), builds a new configuration and swaps it in;
 * a configuration that fails to build is refused and the running one
 * stays. SIGTERM and SIGINT stop accepting, let requests in flight finish
 * (up to 10 s) and exit 0.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <event2/event.h>

#include "log.h"
#include "proxy.h"
#include "waf_main.h"

struct runner {
	struct proxy *px;
	const char *config;
	const char *rules;
	struct event_base *base;
	struct stat st;
};

static void
usage(void)
{
	fprintf(stderr, "usage: yunshou-waf run --config FILE --listen ADDR:PORT "
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

static void
on_tick(evutil_socket_t fd, short what, void *arg)
{
	struct runner *r = arg;

	(void)fd;
	(void)what;
	if (stat_changed(r))
		reload(r, "configuration file changed");
}

int
waf_proxy_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
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
	while ((o = getopt_long(argc, argv, "c:l:t:r:e:q:w:C:L:nh", opts, NULL)) != -1) {
		switch (o) {
		case 'c': r.config = optarg; break;
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
	if (r.config == NULL || optind != argc || (!check && listen_addr == NULL && tls_addr == NULL) ||
	    workers < 1 || workers > 256 || cc_entries < 1024) {
		usage();
		return 2;
	}
	log_init("yunshou-waf", lvl, NULL);
	if ((cfg = siteconf_load(r.config, r.rules, err, sizeof(err))) == NULL) {
		fprintf(stderr, "yunshou-waf: %s\n", err);
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
	    sizeof(err))) == NULL) {
		fprintf(stderr, "yunshou-waf: %s\n", err);
		siteconf_unref(cfg);
		return 1;
	}
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
	return o;
}
