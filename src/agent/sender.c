/*
 * sender: requests over mTLS with the node's own certificate, trusting only
 * the control plane's CA.
 */
#include "sender.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "httpc.h"
#include "log.h"
#include "sockets.h"

#define BATCH 500

static int
call(struct sender *s, const char *method, const char *path, const json_t *body, json_t **out,
    long *status)
{
	struct httpc_req rq = { .server = s->node->node_url, .ca = s->paths->ca,
		.cert = s->paths->cert, .key = s->paths->key, .method = method, .path = path,
		.body = body, .timeout_s = 30 };
	struct httpc_resp rs;
	char err[256];
	int rc = httpc_request(&rq, &rs, err, sizeof(err));

	*out = NULL;
	*status = rs.status;
	if (rc != 0) {
		log_warn("sender: %s %s: %s", method, path, err);
		httpc_resp_free(&rs);
		return -1;
	}
	if (rs.body)
		*out = json_loads(rs.body, 0, NULL);
	httpc_resp_free(&rs);
	if (rs.status < 200 || rs.status >= 300) {
		const char *msg = json_string_value(json_object_get(json_object_get(*out, "error"),
		    "message"));

		log_warn("sender: %s %s: HTTP %ld: %s", method, path, rs.status, msg ? msg : "");
		return -1;
	}
	return 0;
}

static int
fetch_policy(struct sender *s)
{
	json_t *bundle = NULL;
	struct policy p;
	long status;
	char err[256];

	if (call(s, "GET", "/v1/node/policy", NULL, &bundle, &status) < 0) {
		json_decref(bundle);
		return -1;
	}
	if (policy_accept(s->signing, bundle, s->node->node_id, s->paths->policy, &p, err,
	    sizeof(err)) < 0) {
		/* The old policy stays in force. */
		log_err("sender: refused a policy bundle: %s", err);
		json_decref(bundle);
		return -1;
	}
	json_decref(bundle);
	pthread_mutex_lock(&s->lock);
	policy_clear(&s->policy);
	s->policy = p;
	pthread_mutex_unlock(&s->lock);
	atomic_fetch_add(&s->policy_changes, 1);
	log_info("sender: policy version %lld in force", (long long)p.version);
	return 0;
}

/* One heartbeat; when the control plane has a newer policy, fetch it and
 * (again) report the version now in force. */
static int
heartbeat(struct sender *s, bool after_update)
{
	json_t *body, *out = NULL;
	int64_t want = 0, have;
	long status;
	int rc;

	pthread_mutex_lock(&s->lock);
	have = s->policy.version;
	body = json_pack("{s:s, s:I, s:O, s:o}", "version", YS_VERSION, "policy_version",
	    (json_int_t)have, "modules", s->modules, "addresses", sockets_host_addresses());
	pthread_mutex_unlock(&s->lock);
	rc = call(s, "POST", "/v1/node/heartbeat", body, &out, &status);
	json_decref(body);
	if (rc == 0) {
		want = json_integer_value(json_object_get(out, "policy_version"));
		sender_receive_commands(s, json_object_get(out, "commands"));
	}
	json_decref(out);
	if (rc == 0 && want != have && !after_update && fetch_policy(s) == 0)
		return heartbeat(s, true);
	return rc;
}

/* Send one batch; 1 when something was sent, 0 when the queue was empty,
 * -1 on failure. */
static int
send_batch(struct sender *s)
{
	struct queue_record rec[BATCH];
	size_t n = queue_peek(s->queue, rec, BATCH);
	json_t *body, *events, *out = NULL;
	long status;
	int rc = 0;

	if (n == 0)
		return 0;
	events = json_array();
	for (size_t i = 0; i < n; i++) {
		json_t *ev = json_loads(rec[i].data, 0, NULL);

		/* The queue checks its records; a record that is not an object
		 * was never one the agent wrote, and is sent as evidence. */
		if (!json_is_object(ev)) {
			json_decref(ev);
			ev = json_pack("{s:s, s:s, s:I, s:{s:s}}", "module", "agent", "type",
			    "queue.unreadable", "time_ms", (json_int_t)0, "payload", "note",
			    "record was not JSON");
		}
		json_object_set_new(ev, "seq", json_integer((json_int_t)rec[i].seq));
		json_array_append_new(events, ev);
	}
	body = json_pack("{s:o}", "events", events);
	if (call(s, "POST", "/v1/node/events", body, &out, &status) == 0) {
		if (queue_ack(s->queue, rec[n - 1].seq) < 0)
			log_err("sender: cannot record the acknowledgement of %llu",
			    (unsigned long long)rec[n - 1].seq);
		rc = 1;
	} else {
		rc = -1;
	}
	json_decref(body);
	json_decref(out);
	queue_records_free(rec, n);
	return rc;
}

/* The policy's heartbeat_seconds (1..3600) when it has one, else the one
 * given at enrolment. */
static long
heartbeat_interval(struct sender *s)
{
	long v = s->node->heartbeat_seconds;

	pthread_mutex_lock(&s->lock);
	if (s->policy.body) {
		json_int_t p = json_integer_value(json_object_get(s->policy.body, "heartbeat_seconds"));

		if (p >= 1 && p <= 3600)
			v = (long)p;
	}
	pthread_mutex_unlock(&s->lock);
	return v;
}

int
sender_round(struct sender *s, bool force_heartbeat)
{
	static __thread time_t last_hb;
	time_t now = time(NULL);
	int rc = 0;

	if (force_heartbeat || now - last_hb >= heartbeat_interval(s)) {
		if (heartbeat(s, false) == 0)
			last_hb = now;
		else
			rc = -1;
	}
	if (rc == 0)
		rc = send_batch(s);
	return rc;
}

static void *
run(void *arg)
{
	struct sender *s = arg;
	unsigned backoff_ms = 0;
	bool first = true;

	if (s->thread_start != NULL)
		s->thread_start();

	while (!atomic_load(&s->stop)) {
		int rc = sender_round(s, first);

		first = false;
		if (rc > 0) {
			backoff_ms = 0;
			continue;	/* more may be waiting */
		}
		if (rc < 0)
			backoff_ms = backoff_ms ? (backoff_ms * 2 > 30000 ? 30000 : backoff_ms * 2) : 200;
		if (rc < 0) {
			/* Back off in short steps so that stop is noticed at once. */
			for (unsigned t = 0; t < backoff_ms && !atomic_load(&s->stop); t += 50)
				usleep(50 * 1000);
		} else {
			/* Idle: wake as soon as a module syncs new events. */
			queue_wait(s->queue, 200);
		}
	}
	return NULL;
}

static void
done_path(const struct sender *s, char *buf, size_t len)
{
	snprintf(buf, len, "%s/commands.done", s->paths->dir);
}

static bool
is_done(const struct sender *s, int64_t id)
{
	for (size_t i = 0; i < s->ndone; i++)
		if (s->done[i] == id)
			return true;
	return false;
}

void
sender_receive_commands(struct sender *s, const json_t *commands)
{
	json_t *c, *p;
	size_t i, j;

	if (!json_is_array(commands))
		return;
	pthread_mutex_lock(&s->lock);
	if (s->commands == NULL)
		s->commands = json_array();
	json_array_foreach(commands, i, c) {
		json_int_t id = json_integer_value(json_object_get(c, "id"));
		bool seen = is_done(s, id);

		if (!json_is_object(c) || id <= 0 || !json_is_string(json_object_get(c, "type")))
			continue;
		json_array_foreach(s->commands, j, p)
			seen = seen || json_integer_value(json_object_get(p, "id")) == id;
		if (!seen)
			json_array_append(s->commands, c);
	}
	pthread_mutex_unlock(&s->lock);
}

json_t *
sender_take_commands(struct sender *s)
{
	json_t *c;

	pthread_mutex_lock(&s->lock);
	c = s->commands && json_array_size(s->commands) ? s->commands : NULL;
	if (c)
		s->commands = NULL;
	pthread_mutex_unlock(&s->lock);
	return c;
}

void
sender_command_done(struct sender *s, int64_t id)
{
	char path[700], tmp[720];
	json_t *a = json_array();

	pthread_mutex_lock(&s->lock);
	if (!is_done(s, id)) {
		if (s->ndone == SENDER_DONE_MAX) {
			memmove(s->done, s->done + 1, (SENDER_DONE_MAX - 1) * sizeof(s->done[0]));
			s->ndone--;
		}
		s->done[s->ndone++] = id;
	}
	for (size_t i = 0; i < s->ndone; i++)
		json_array_append_new(a, json_integer(s->done[i]));
	pthread_mutex_unlock(&s->lock);
	done_path(s, path, sizeof(path));
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	if (json_dump_file(a, tmp, JSON_COMPACT) < 0 || rename(tmp, path) < 0)
		log_err("sender: cannot record command %lld as done", (long long)id);
	json_decref(a);
}

static void
done_load(struct sender *s)
{
	char path[700];
	json_t *a, *v;
	size_t i;

	done_path(s, path, sizeof(path));
	a = json_load_file(path, 0, NULL);
	json_array_foreach(a, i, v)
		if (json_is_integer(v) && s->ndone < SENDER_DONE_MAX)
			s->done[s->ndone++] = json_integer_value(v);
	json_decref(a);
}

int
sender_start(struct sender *s)
{
	pthread_mutex_init(&s->lock, NULL);
	done_load(s);
	atomic_store(&s->stop, false);
	if (s->modules == NULL)
		s->modules = json_object();
	return pthread_create(&s->thread, NULL, run, s) == 0 ? 0 : -1;
}

void
sender_stop(struct sender *s)
{
	atomic_store(&s->stop, true);
	pthread_join(s->thread, NULL);
	pthread_mutex_destroy(&s->lock);
	json_decref(s->modules);
	s->modules = NULL;
	json_decref(s->commands);
	s->commands = NULL;
}

void
sender_module_status(struct sender *s, const char *module, const char *status)
{
	pthread_mutex_lock(&s->lock);
	json_object_set_new(s->modules, module, json_string(status));
	pthread_mutex_unlock(&s->lock);
}
