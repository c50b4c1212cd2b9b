/*
 * server: threads, sockets, TLS and signals. Requests themselves are the
 * api module's business; this file only moves bytes and lifetimes.
 */
#include "server.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/thread.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include "api.h"
#include "audit.h"
#include "log.h"
#include "qual.h"
#include "scanworker.h"
#include "store.h"

#define HARD_BODY_LIMIT (16 * 1024 * 1024 + 1)
#define MAX_WORKERS 64

/* One HTTPS front: the user API, or the mTLS node API. */
struct front {
	struct evhttp *http;
	struct evhttp_bound_socket *bound;
	struct api_ctx ctx;
};

struct worker {
	pthread_t thread;
	struct event_base *base;
	struct front user, node;
	struct event *stop_ev;
};

struct conf_node {
	struct conf *conf;
	struct conf_node *next;
};

static _Atomic(struct conf *) current;
static struct conf_node *retired;	/* old configurations, freed at exit */
static SSL_CTX *tls, *node_tls;
static struct ratelimit *limiter;
static const char *state;

const struct conf *
server_conf(void)
{
	return atomic_load(&current);
}

void *
server_tls_context(const char *state_dir, const struct conf *c, char *err, size_t errlen)
{
	char cert[1200], key[1200];
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());

	if (ctx == NULL) {
		snprintf(err, errlen, "cannot create a TLS context");
		return NULL;
	}
	snprintf(cert, sizeof(cert), "%s%s%s", c->tls_cert[0] == '/' ? "" : state_dir,
	    c->tls_cert[0] == '/' ? "" : "/", c->tls_cert);
	snprintf(key, sizeof(key), "%s%s%s", c->tls_key[0] == '/' ? "" : state_dir,
	    c->tls_key[0] == '/' ? "" : "/", c->tls_key);
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE |
	    SSL_OP_NO_COMPRESSION);
	SSL_CTX_set_cipher_list(ctx, "ECDHE+AESGCM:ECDHE+CHACHA20");
	if (SSL_CTX_use_certificate_chain_file(ctx, cert) != 1) {
		snprintf(err, errlen, "cannot load TLS certificate %s", cert);
		goto fail;
	}
	if (SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1 ||
	    SSL_CTX_check_private_key(ctx) != 1) {
		snprintf(err, errlen, "cannot load TLS key %s or it does not match the certificate",
		    key);
		goto fail;
	}
	return ctx;
fail:
	ERR_clear_error();
	SSL_CTX_free(ctx);
	return NULL;
}

/* The node API: the same server certificate, and a client certificate
 * issued by our CA is required to finish the handshake. Revocation is
 * checked per request against the node registry (router.c). */
static SSL_CTX *
node_tls_context(const char *state_dir, const struct conf *c, char *err, size_t errlen)
{
	SSL_CTX *ctx = server_tls_context(state_dir, c, err, errlen);
	char ca[1100];

	if (ctx == NULL)
		return NULL;
	snprintf(ca, sizeof(ca), "%s/ca.crt", state_dir);
	if (SSL_CTX_load_verify_locations(ctx, ca, NULL) != 1) {
		snprintf(err, errlen, "cannot load %s", ca);
		SSL_CTX_free(ctx);
		return NULL;
	}
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
	SSL_CTX_set_verify_depth(ctx, 2);
	SSL_CTX_set_session_id_context(ctx, (const unsigned char *)"yunshou-node", 12);
	return ctx;
}

static struct bufferevent *
tls_bev(struct event_base *base, void *arg)
{
	SSL *ssl = SSL_new(arg);

	if (ssl == NULL)
		return NULL;
	return bufferevent_openssl_socket_new(base, -1, ssl, BUFFEREVENT_SSL_ACCEPTING,
	    BEV_OPT_CLOSE_ON_FREE);
}

static int
listen_socket(const char *listen_addr, char *err, size_t errlen)
{
	char host[128], *port;
	struct addrinfo hints = { 0 }, *ai = NULL;
	int fd = -1, one = 1, rc;

	snprintf(host, sizeof(host), "%s", listen_addr);
	port = strrchr(host, ':');
	if (port == NULL) {
		snprintf(err, errlen, "listen: expected ADDRESS:PORT, got %s", listen_addr);
		return -1;
	}
	*port++ = '\0';
	if (host[0] == '[' && host[strlen(host) - 1] == ']') {
		memmove(host, host + 1, strlen(host));
		host[strlen(host) - 1] = '\0';
	}
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	if ((rc = getaddrinfo(host[0] ? host : NULL, port, &hints, &ai)) != 0) {
		snprintf(err, errlen, "listen: cannot resolve %s: %s", listen_addr, gai_strerror(rc));
		return -1;
	}
	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    /* Inherited by accepted sockets: a reply's TLS records must not
	     * wait for the client's delayed ACK (a 40 ms stall per request). */
	    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) < 0 ||
	    bind(fd, ai->ai_addr, ai->ai_addrlen) < 0 || listen(fd, 1024) < 0) {
		snprintf(err, errlen, "listen: cannot listen on %s: %s", listen_addr, strerror(errno));
		if (fd >= 0)
			close(fd);
		fd = -1;
	}
	freeaddrinfo(ai);
	return fd;
}

static void
front_stop(struct front *f)
{
	if (f->bound) {
		evhttp_del_accept_socket(f->http, f->bound);
		f->bound = NULL;
	}
}

static void
worker_stop(evutil_socket_t fd, short what, void *arg)
{
	struct worker *w = arg;
	struct timeval grace = { 1, 0 };

	(void)fd;
	(void)what;
	/* Stop accepting; let requests already read finish and flush. */
	front_stop(&w->user);
	front_stop(&w->node);
	event_base_loopexit(w->base, &grace);
}

static void *
worker_main(void *arg)
{
	struct worker *w = arg;

	event_base_dispatch(w->base);
	return NULL;
}

static void
worker_free(struct worker *w)
{
	if (w->stop_ev)
		event_free(w->stop_ev);
	if (w->user.http)
		evhttp_free(w->user.http);
	if (w->node.http)
		evhttp_free(w->node.http);
	if (w->base)
		event_base_free(w->base);
	db_close(w->user.ctx.db);
}

/* Each worker accepts from its own duplicate of the listening socket. */
static int
front_init(struct front *f, struct worker *w, int listen_fd, const char *listen_addr,
    SSL_CTX *ssl, char *err, size_t errlen)
{
	int fd;

	if ((f->http = evhttp_new(w->base)) == NULL) {
		snprintf(err, errlen, "cannot create an HTTP server");
		return -1;
	}
	if ((fd = fcntl(listen_fd, F_DUPFD_CLOEXEC, 0)) < 0) {
		snprintf(err, errlen, "cannot share the socket of %s: %s", listen_addr, strerror(errno));
		return -1;
	}
	if ((f->bound = evhttp_accept_socket_with_handle(f->http, fd)) == NULL) {
		snprintf(err, errlen, "cannot accept on %s", listen_addr);
		close(fd);
		return -1;
	}
	evhttp_set_bevcb(f->http, tls_bev, ssl);
	evhttp_set_max_headers_size(f->http, 16384);
	evhttp_set_max_body_size(f->http, HARD_BODY_LIMIT);
	evhttp_set_timeout(f->http, 30);
	/* Every method reaches the router, which answers 405 in JSON. */
	evhttp_set_allowed_methods(f->http, EVHTTP_REQ_GET | EVHTTP_REQ_POST |
	    EVHTTP_REQ_DELETE | EVHTTP_REQ_PUT | EVHTTP_REQ_PATCH | EVHTTP_REQ_HEAD |
	    EVHTTP_REQ_OPTIONS | EVHTTP_REQ_TRACE);
	evhttp_set_gencb(f->http, api_dispatch, &f->ctx);
	return 0;
}

static int
worker_init(struct worker *w, const char *db_path, EVP_PKEY *key, const struct conf *c,
    int user_fd, int node_fd, char *err, size_t errlen)
{
	memset(w, 0, sizeof(*w));
	if (db_open(db_path, &w->user.ctx.db, err, errlen) < 0)
		return -1;
	w->user.ctx.conf = server_conf;
	w->user.ctx.rl = limiter;
	w->user.ctx.key = key;
	w->user.ctx.state_dir = state;
	w->node.ctx = w->user.ctx;
	w->node.ctx.node_port = true;
	if ((w->base = event_base_new()) == NULL) {
		snprintf(err, errlen, "cannot create an event loop");
		return -1;
	}
	if (front_init(&w->user, w, user_fd, c->listen, tls, err, errlen) < 0 ||
	    (node_fd >= 0 && front_init(&w->node, w, node_fd, c->node_listen, node_tls, err,
	    errlen) < 0))
		return -1;
	w->stop_ev = event_new(w->base, -1, 0, worker_stop, w);
	return w->stop_ev ? 0 : -1;
}

struct main_loop {
	struct event_base *base;
	struct worker *workers;
	size_t nworkers;
	struct db *db;
	time_t deadlines_at;	/* last qualification deadline check */
	struct event *tick;	/* audit checkpoints and deadline checks */
};

static void
on_term(evutil_socket_t sig, short what, void *arg)
{
	struct main_loop *m = arg;

	(void)what;
	log_info("server: signal %d: draining", (int)sig);
	for (size_t i = 0; i < m->nworkers; i++)
		event_active(m->workers[i].stop_ev, 0, 0);
	event_base_loopexit(m->base, NULL);
}

static void
on_hup(evutil_socket_t sig, short what, void *arg)
{
	struct main_loop *m = arg;
	struct conf *c = calloc(1, sizeof(*c)), *old = atomic_load(&current);
	struct conf_node *n = calloc(1, sizeof(*n));
	enum log_level lvl;
	char err[512];

	(void)sig;
	(void)what;
	if (c == NULL || n == NULL || conf_load(state, c, err, sizeof(err)) < 0) {
		log_err("server: reload failed, keeping the running configuration: %s",
		    c && n ? err : "out of memory");
		free(c);
		free(n);
		return;
	}
	if (strcmp(c->listen, old->listen) != 0 || c->workers != old->workers)
		log_warn("server: listen and workers change only on restart");
	snprintf(c->listen, sizeof(c->listen), "%s", old->listen);
	c->workers = old->workers;
	if (log_level_parse(c->log_level, &lvl) == 0)
		log_set_level(lvl);
	audit_set_interval(c->audit_checkpoint_every);
	if (c->audit_checkpoint_seconds != old->audit_checkpoint_seconds && m->tick) {
		event_del(m->tick);
		event_add(m->tick, &(struct timeval){ c->audit_checkpoint_seconds, 0 });
	}
	n->conf = old;
	n->next = retired;
	retired = n;
	atomic_store(&current, c);
	log_info("server: configuration reloaded");
}

static void
on_tick(evutil_socket_t fd, short what, void *arg)
{
	struct main_loop *m = arg;

	(void)fd;
	(void)what;
	if (audit_checkpoint(m->db) < 0)
		log_err("server: cannot write an audit checkpoint");
	/* Qualification deadlines become provider alerts ahead of time; an
	 * hour is fine for windows counted in days. */
	if (time(NULL) - m->deadlines_at >= 3600) {
		m->deadlines_at = time(NULL);
		if (db_begin(m->db) == 0) {
			qual_deadline_alerts(m->db);
			if (db_commit(m->db) < 0)
				log_err("server: cannot record qualification deadline alerts");
		}
	}
}

int
server_run(const char *state_dir, struct conf *conf, EVP_PKEY *key, char *err, size_t errlen)
{
	struct main_loop m = { 0 };
	struct event *sig_term = NULL, *sig_int = NULL, *sig_hup = NULL, *tick = NULL;
	char db_path[1100];
	size_t n;
	int rc = -1, user_fd = -1, node_fd = -1;

	state = state_dir;
	atomic_store(&current, conf);
	snprintf(db_path, sizeof(db_path), "%s/yunshoud.db", state_dir);
	evthread_use_pthreads();
	signal(SIGPIPE, SIG_IGN);
	if ((tls = server_tls_context(state_dir, conf, err, errlen)) == NULL ||
	    (node_tls = node_tls_context(state_dir, conf, err, errlen)) == NULL)
		return -1;
	limiter = ratelimit_new();
	n = conf->workers > 0 ? (size_t)conf->workers : (size_t)sysconf(_SC_NPROCESSORS_ONLN);
	if (n < 1)
		n = 1;
	if (n > MAX_WORKERS)
		n = MAX_WORKERS;
	m.workers = calloc(n, sizeof(*m.workers));
	if (m.workers == NULL || limiter == NULL || db_open(db_path, &m.db, err, errlen) < 0)
		goto out;
	audit_configure(key, conf->audit_checkpoint_every);
	if ((user_fd = listen_socket(conf->listen, err, errlen)) < 0 ||
	    (conf->node_listen[0] && (node_fd = listen_socket(conf->node_listen, err, errlen)) < 0))
		goto out;
	for (m.nworkers = 0; m.nworkers < n; m.nworkers++)
		if (worker_init(&m.workers[m.nworkers], db_path, key, conf, user_fd, node_fd, err,
		    errlen) < 0) {
			worker_free(&m.workers[m.nworkers]);
			goto out;
		}
	/* The workers hold duplicates; draining closes those. */
	close(user_fd);
	user_fd = -1;
	if (node_fd >= 0)
		close(node_fd);
	node_fd = -1;
	m.base = event_base_new();
	sig_term = evsignal_new(m.base, SIGTERM, on_term, &m);
	sig_int = evsignal_new(m.base, SIGINT, on_term, &m);
	sig_hup = evsignal_new(m.base, SIGHUP, on_hup, &m);
	tick = event_new(m.base, -1, EV_PERSIST, on_tick, &m);
	if (!m.base || !sig_term || !sig_int || !sig_hup || !tick) {
		snprintf(err, errlen, "cannot set up signal handling");
		goto out;
	}
	event_add(sig_term, NULL);
	event_add(sig_int, NULL);
	event_add(sig_hup, NULL);
	event_add(tick, &(struct timeval){ conf->audit_checkpoint_seconds, 0 });
	m.tick = tick;
	if (scanworker_start(db_path, server_conf, err, errlen) < 0)
		goto out;
	for (size_t i = 0; i < m.nworkers; i++)
		pthread_create(&m.workers[i].thread, NULL, worker_main, &m.workers[i]);
	log_info("server: listening on https://%s (nodes: %s) with %zu workers", conf->listen,
	    conf->node_listen[0] ? conf->node_listen : "off", m.nworkers);
	event_base_dispatch(m.base);
	for (size_t i = 0; i < m.nworkers; i++)
		pthread_join(m.workers[i].thread, NULL);
	scanworker_stop();
	if (audit_checkpoint(m.db) < 0)
		log_err("server: cannot write the final audit checkpoint");
	log_info("server: stopped");
	rc = 0;
out:
	if (user_fd >= 0)
		close(user_fd);
	if (node_fd >= 0)
		close(node_fd);
	for (size_t i = 0; i < m.nworkers; i++)
		worker_free(&m.workers[i]);
	free(m.workers);
	if (sig_term) event_free(sig_term);
	if (sig_int) event_free(sig_int);
	if (sig_hup) event_free(sig_hup);
	if (tick) event_free(tick);
	if (m.base) event_base_free(m.base);
	db_close(m.db);
	ratelimit_free(limiter);
	SSL_CTX_free(tls);
	SSL_CTX_free(node_tls);
	free(atomic_load(&current));
	while (retired) {
		struct conf_node *next = retired->next;

		free(retired->conf);
		free(retired);
		retired = next;
	}
	return rc;
}
