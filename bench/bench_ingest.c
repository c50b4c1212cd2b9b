/*
 * bench_ingest: control-plane event intake with N simulated nodes. Each
 * node is a thread with its own enrolled client certificate and one
 * keep-alive mTLS connection, posting batches of events to
 * /v1/node/events; the program reports events/s and, from the store,
 * whether exactly every event arrived once. Prints figures; never fails
 * on a time.
 *
 *   bench_ingest NODE_URL STORE_DB EVENTS_PER_NODE BATCH AGENT_STATE_DIR...
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>
#include <jansson.h>
#include <sqlite3.h>

struct node {
	pthread_t t;
	const char *url, *dir;
	long events, batch;
	long sent, failed;
	long long node_id;
};

static size_t
sink(char *p, size_t s, size_t n, void *ud)
{
	(void)p;
	(void)ud;
	return s * n;
}

static void *
run(void *arg)
{
	struct node *nd = arg;
	char cert[600], key[600], ca[600], url[300];
	CURL *c = curl_easy_init();
	struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
	size_t cap = (size_t)nd->batch * 160 + 64;
	char *body = malloc(cap);
	long long now = (long long)time(NULL) * 1000;

	snprintf(cert, sizeof(cert), "%s/node.crt", nd->dir);
	snprintf(key, sizeof(key), "%s/node.key", nd->dir);
	snprintf(ca, sizeof(ca), "%s/ca.crt", nd->dir);
	snprintf(url, sizeof(url), "%s/v1/node/events", nd->url);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_SSLCERT, cert);
	curl_easy_setopt(c, CURLOPT_SSLKEY, key);
	curl_easy_setopt(c, CURLOPT_CAINFO, ca);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, sink);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	for (long seq = 1; seq <= nd->events;) {
		size_t n = 0;
		long code = 0;

		n += (size_t)snprintf(body + n, cap - n, "{\"events\":[");
		for (long i = 0; i < nd->batch && seq <= nd->events; i++, seq++)
			n += (size_t)snprintf(body + n, cap - n, "%s{\"seq\":%ld,\"time_ms\":%lld,"
			    "\"module\":\"bench\",\"type\":\"bench.event\",\"payload\":{\"n\":%ld}}",
			    i ? "," : "", seq, now, seq);
		n += (size_t)snprintf(body + n, cap - n, "]}");
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)n);
		if (curl_easy_perform(c) != CURLE_OK ||
		    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code) != CURLE_OK || code != 200)
			nd->failed++;
		else
			nd->sent += nd->batch;
	}
	free(body);
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	return NULL;
}

static long long
node_id_of(const char *dir)
{
	char path[600];
	json_t *o;
	long long id;

	snprintf(path, sizeof(path), "%s/node.json", dir);
	o = json_load_file(path, 0, NULL);
	id = json_integer_value(json_object_get(o, "node_id"));
	json_decref(o);
	return id;
}

int
main(int argc, char **argv)
{
	struct node *nodes;
	int nn = argc - 5;
	long per, batch;
	struct timespec t0, t1;
	double secs;
	long failed = 0;
	sqlite3 *db;
	sqlite3_stmt *st;
	long long stored = 0, distinct = 0;

	if (nn < 1) {
		fprintf(stderr, "usage: bench_ingest NODE_URL STORE_DB EVENTS_PER_NODE BATCH DIR...\n");
		return 2;
	}
	per = atol(argv[3]);
	batch = atol(argv[4]);
	nodes = calloc((size_t)nn, sizeof(*nodes));
	curl_global_init(CURL_GLOBAL_DEFAULT);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int i = 0; i < nn; i++) {
		nodes[i] = (struct node){ .url = argv[1], .dir = argv[5 + i], .events = per,
			.batch = batch, .node_id = node_id_of(argv[5 + i]) };
		pthread_create(&nodes[i].t, NULL, run, &nodes[i]);
	}
	for (int i = 0; i < nn; i++) {
		pthread_join(nodes[i].t, NULL);
		failed += nodes[i].failed;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	if (sqlite3_open(argv[2], &db) == SQLITE_OK && sqlite3_prepare_v2(db,
	    "SELECT count(*), count(DISTINCT node_id || ':' || seq) FROM node_events"
	    " WHERE module = 'bench'", -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW) {
		stored = sqlite3_column_int64(st, 0);
		distinct = sqlite3_column_int64(st, 1);
		sqlite3_finalize(st);
	}
	sqlite3_close(db);
	printf("ingest: %d nodes x %ld events, batches of %ld: %.2f s, %.0f events/s; "
	    "stored %lld (%lld distinct, expected %ld), failed batches %ld\n", nn, per, batch, secs,
	    (double)nn * per / secs, stored, distinct, nn * per, failed);
	free(nodes);
	curl_global_cleanup();
	return 0;
}
