/*
 * scanworker: the scan worker thread and one job's run (scanworker.h).
 */
#include "scanworker.h"

#include <ifaddrs.h>
#include <netdb.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "netscan.h"
#include "scans.h"

/* The running job's cancel flag: one job runs at a time in a process, and a
 * stop must reach it in the service checks as well as in the port scan. */
static atomic_bool job_cancel;

static bool
has_str(const json_t *a, const char *s)
{
	size_t i;
	json_t *v;

	json_array_foreach(a, i, v)
		if (strcmp(json_string_value(v), s) == 0)
			return true;
	return false;
}

struct progress {
	struct db *db;
	int64_t job_id;
	int64_t hosts_done, ports_per_host, ports_total;
	atomic_bool *cancel;
	atomic_bool *stop;
	time_t deadline;	/* the job's wall-clock limit */
	bool timed_out;
};

static void
on_progress(void *arg, size_t done, size_t total, size_t open)
{
	struct progress *p = arg;
	bool cancel = false;

	(void)total;
	(void)open;
	if (scans_progress(p->db, p->job_id, p->hosts_done,
	    p->hosts_done * p->ports_per_host + (int64_t)done, p->ports_total, &cancel) == 0 &&
	    cancel)
		atomic_store(p->cancel, true);
	if (p->stop != NULL && atomic_load(p->stop))
		atomic_store(p->cancel, true);
	if (p->deadline > 0 && time(NULL) >= p->deadline) {
		p->timed_out = true;
		atomic_store(p->cancel, true);
	}
}

/* One of this host's own addresses (the scanner would probe yunshoud's
 * host, like a loopback target). */
static bool
is_own_address(const char *addr)
{
	struct ifaddrs *ifa = NULL;
	bool own = false;

	if (getifaddrs(&ifa) != 0)
		return false;
	for (struct ifaddrs *i = ifa; i != NULL && !own; i = i->ifa_next) {
		char a[64];

		if (i->ifa_addr == NULL || (i->ifa_addr->sa_family != AF_INET &&
		    i->ifa_addr->sa_family != AF_INET6))
			continue;
		netscan_address(i->ifa_addr, a, sizeof(a));
		own = strcmp(a, addr) == 0;
	}
	freeifaddrs(ifa);
	return own;
}

/* The addresses to scan now: a host name is resolved again and only the
 * addresses it was authorised with are kept (a changed DNS answer cannot
 * point the scanner elsewhere); every address is checked against the
 * forbidden ranges again. NULL with err when nothing is left. */
static json_t *
scan_addresses(const struct scans_job *job, bool allow_lo, char *err, size_t errlen)
{
	json_t *out = json_array(), *v;
	size_t i;

	if (out == NULL)
		return NULL;
	if (strcmp(job->kind, "host") == 0) {
		struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res = NULL;
		int rc = getaddrinfo(job->target, NULL, &hints, &res);

		if (rc != 0) {
			snprintf(err, errlen, "cannot resolve %.200s: %s", job->target,
			    gai_strerror(rc));
			json_decref(out);
			return NULL;
		}
		for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
			char a[64];

			if (ai->ai_family != AF_INET && ai->ai_family != AF_INET6)
				continue;
			netscan_address(ai->ai_addr, a, sizeof(a));
			if (has_str(job->addresses, a) && !has_str(out, a))
				json_array_append_new(out, json_string(a));
		}
		freeaddrinfo(res);
		if (json_array_size(out) == 0)
			snprintf(err, errlen, "%.180s no longer resolves to an address it was authorised "
			    "with", job->target);
	} else {
		json_array_foreach(job->addresses, i, v)
			json_array_append(out, v);
	}
	json_array_foreach(out, i, v) {
		struct sockaddr_storage ss;
		socklen_t sl;
		const char *why;

		if (portscan_resolve(json_string_value(v), &ss, &sl, err, errlen) < 0)
			goto fail;
		if ((why = scans_forbidden_address((struct sockaddr *)&ss, allow_lo)) != NULL) {
			snprintf(err, errlen, "%s is %s", json_string_value(v), why);
			goto fail;
		}
		if (!allow_lo && is_own_address(json_string_value(v))) {
			snprintf(err, errlen, "%s is an address of the scanner's own host",
			    json_string_value(v));
			goto fail;
		}
	}
	if (json_array_size(out) > 0)
		return out;
fail:
	json_decref(out);
	return NULL;
}

int
scanworker_run_once(struct db *db, const struct scanworker_opts *o, atomic_bool *stop)
{
	struct scans_job job;
	struct progress pr = { .db = db, .cancel = &job_cancel, .stop = stop };
	struct portscan_opts po = { .timeout_ms = o->timeout_ms, .threads = o->threads,
		.syn = o->syn, .cancel = &job_cancel, .progress = on_progress, .progress_arg = &pr };
	json_t *addrs = NULL, *hosts = json_array(), *v;
	const char *status = "done", *method = NULL;
	char err[256] = "";
	uint16_t *ports = NULL;
	size_t nports = 0, i;
	int rc;

	if (hosts == NULL)
		return -1;
	rc = scans_claim(db, &job);
	if (rc <= 0) {
		json_decref(hosts);
		return rc;
	}
	atomic_store(&job_cancel, stop != NULL && atomic_load(stop));
	log_info("scanworker: scan %lld of %s (%s) started", (long long)job.id, job.target,
	    job.ports);
	pr.job_id = job.id;
	pr.deadline = o->max_seconds > 0 ? time(NULL) + (time_t)o->max_seconds : 0;
	po.rate = job.rate > 0 ? (unsigned)job.rate : 0;
	if (portscan_parse_spec(job.ports, &ports, &nports, err, sizeof(err)) < 0 ||
	    (addrs = scan_addresses(&job, o->allow_loopback, err, sizeof(err))) == NULL) {
		status = "failed";
		goto finish;
	}
	pr.ports_per_host = (int64_t)nports;
	pr.ports_total = (int64_t)(nports * json_array_size(addrs));
	json_array_foreach(addrs, i, v) {
		struct netscan_host h;
		struct sockaddr_storage ss;
		socklen_t sl;
		json_t *hj;

		pr.hosts_done = (int64_t)i;
		if (portscan_resolve(json_string_value(v), &ss, &sl, err, sizeof(err)) < 0 ||
		    netscan_host_run((struct sockaddr *)&ss, sl,
		    strcmp(job.kind, "host") == 0 ? job.target : NULL, ports, nports, &po,
		    o->timeout_ms, false, &h, err, sizeof(err)) < 0) {
			status = "failed";
			break;
		}
		method = h.ps.syn ? "syn" : "connect";
		hj = netscan_host_json(&h);
		if (hj == NULL || json_object_set_new(hj, "address", json_string(h.address)) < 0 ||
		    json_array_append_new(hosts, hj) < 0) {
			snprintf(err, sizeof(err), "out of memory");
			status = "failed";
			netscan_host_free(&h);
			break;
		}
		netscan_host_free(&h);
		if (!atomic_load(&job_cancel))
			on_progress(&pr, nports, nports, 0);
		if (atomic_load(&job_cancel)) {
			status = pr.timed_out ? "failed" : "cancelled";
			if (pr.timed_out)
				snprintf(err, sizeof(err), "the scan reached its time limit of %u s "
				    "(scan_max_seconds); results so far are kept", o->max_seconds);
			break;
		}
	}
	if (strcmp(status, "done") == 0) {
		bool c = false;

		pr.hosts_done = (int64_t)json_array_size(addrs);
		scans_progress(db, job.id, pr.hosts_done, pr.ports_total, pr.ports_total, &c);
	}
finish:
	if (stop != NULL && atomic_load(stop)) {
		/* Stopping: the job stays running and is queued again at start. */
		log_info("scanworker: scan %lld interrupted by the stop", (long long)job.id);
		rc = 1;
	} else {
		rc = scans_finish(db, job.id, status, err[0] ? err : NULL, method, hosts) < 0 ?
		    -1 : 1;
		log_info("scanworker: scan %lld %s%s%s", (long long)job.id, status,
		    err[0] ? ": " : "", err);
	}
	free(ports);
	json_decref(addrs);
	json_decref(hosts);
	scans_job_clear(&job);
	return rc;
}

/* ---- the thread ---- */

static struct {
	pthread_t thread;
	bool running;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	bool woken;
	atomic_bool stop;
	struct db *db;
	const struct conf *(*conf)(void);
} w = { .lock = PTHREAD_MUTEX_INITIALIZER, .wake = PTHREAD_COND_INITIALIZER };

static void *
worker_main(void *arg)
{
	(void)arg;
	while (!atomic_load(&w.stop)) {
		const struct conf *c = w.conf();
		struct scanworker_opts o = { .timeout_ms = (unsigned)c->scan_timeout_ms,
			.threads = (unsigned)c->scan_threads,
			.allow_loopback = c->scan_allow_loopback, .syn = c->scan_syn,
			.max_seconds = (unsigned)c->scan_max_seconds };
		struct timespec ts;
		int rc = scanworker_run_once(w.db, &o, &w.stop);

		if (rc == 1)
			continue;
		if (rc < 0)
			log_err("scanworker: store error; retrying");
		pthread_mutex_lock(&w.lock);
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += 1;
		while (!w.woken && !atomic_load(&w.stop) &&
		    pthread_cond_timedwait(&w.wake, &w.lock, &ts) == 0)
			;
		w.woken = false;
		pthread_mutex_unlock(&w.lock);
	}
	return NULL;
}

int
scanworker_start(const char *db_path, const struct conf *(*conf)(void), char *err,
    size_t errlen)
{
	if (db_open(db_path, &w.db, err, errlen) < 0)
		return -1;
	if (scans_requeue(w.db) < 0) {
		snprintf(err, errlen, "cannot queue interrupted scans again");
		db_close(w.db);
		w.db = NULL;
		return -1;
	}
	w.conf = conf;
	atomic_store(&w.stop, false);
	if (pthread_create(&w.thread, NULL, worker_main, NULL) != 0) {
		snprintf(err, errlen, "cannot start the scan worker");
		db_close(w.db);
		w.db = NULL;
		return -1;
	}
	w.running = true;
	return 0;
}

void
scanworker_notify(void)
{
	pthread_mutex_lock(&w.lock);
	w.woken = true;
	pthread_cond_signal(&w.wake);
	pthread_mutex_unlock(&w.lock);
}

void
scanworker_stop(void)
{
	if (!w.running)
		return;
	atomic_store(&w.stop, true);
	atomic_store(&job_cancel, true);
	scanworker_notify();
	pthread_join(w.thread, NULL);
	w.running = false;
	db_close(w.db);
	w.db = NULL;
}
