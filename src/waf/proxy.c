/*
 * proxy.c: the reverse proxy's request path (see proxy.h).
 *
 *   client bytes → http_parse_head (strict; 4xx and close on any doubt)
 *     → site by Host (421 when it is not the SNI's site, 404 when unknown)
 *     → deny list (403) / allow list (bypasses CC and inspection)
 *     → CC buckets (429 + Retry-After)
 *     → body: de-chunked into a buffer up to inspect_body_bytes; above it
 *       413, or inspect the prefix and stream the rest (body_over_cap)
 *     → waf_inspect → event line when anything matched → 403 in block mode
 *     → origin (round robin over healthy ones, failover on connect errors)
 *       over a pooled keep-alive connection, with X-Forwarded-For,
 *       X-Real-IP, X-Forwarded-Proto and X-Request-Id
 *     → response parsed strictly (502 on a bad one, 504 on a timeout) and
 *       streamed back with back-pressure.
 *
 * Framing towards the origin is the proxy's own: Content-Length bodies go
 * as they came, chunked bodies are re-chunked from the de-chunked bytes
 * (extensions and trailers are dropped), so what the origin parses is
 * exactly what was inspected. Each connection runs one request at a time;
 * pipelined requests wait in the input buffer.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <event2/thread.h>
#include <openssl/err.h>

#include "health.h"
#include "log.h"
#include "proxy.h"
#include "sitestats.h"

#define MAX_ORIGIN_TRIES 8
#define IDLE_POOL_MAX 256
#define OUT_HIGH (1 << 20)	/* pause the other side above this much queued */
#define LINGER_MS 2000
#define RETRY_DOWN_MS 5000	/* no health check: retry a failed origin after this */

enum cstate { C_HEAD, C_BODY, C_WAIT, C_CLOSING, C_LINGER };
enum timer_kind { T_NONE, T_IDLE, T_HEADER, T_LINGER };

struct worker;
struct conn;

struct upconn {
	struct worker *w;
	struct bufferevent *bev;
	char key[300];
	struct upconn *prev, *next;	/* idle list */
	struct conn *owner;		/* NULL while idle */
	bool tls;
	bool connected;
	bool reused;
	bool got_bytes;
};

struct lstn {
	struct worker *w;
	bool tls;
	struct evconnlistener *l;
	struct event *pause;	/* accepts paused after running out of descriptors */
	int64_t warned_ms;
};

/* A connection accepted by one worker for another (see accept_cb). */
struct handoff {
	struct handoff *next;
	evutil_socket_t fd;
	bool tls;
	struct sockaddr_storage ss;
};

struct worker {
	struct proxy *px;
	size_t idx;
	struct event_base *base;
	struct lstn lst[2];
	size_t n_lst;
	pthread_t thread;
	uint64_t rid_counter;
	struct upconn *idle;
	size_t n_idle;
	struct conn *conns;	/* every client connection of this worker */
	atomic_long n_conns;	/* its length, plus hand-offs on the way */
	pthread_mutex_t hand_lock;
	struct handoff *hand;	/* accepted by other workers, to adopt */
	struct event *hand_ev;	/* activated by the worker that accepted */
	struct evbuffer *resp;	/* a response being put together (up_read) */
};

struct proxy {
	pthread_mutex_t cfg_lock;
	struct siteconf *cfg;
	struct cc_table *cc;
	struct events *events;
	struct health *health;
	struct worker *workers;
	size_t n_workers;
	int fds[2];
	bool fd_tls[2];
	size_t n_fds;
	uint64_t rid_seed;
	atomic_long active;
	atomic_bool stopping;
};

struct conn {
	struct worker *w;
	struct conn *prev, *next;
	struct bufferevent *bev;
	bool tls;
	char ip[INET6_ADDRSTRLEN];
	uint8_t ip16[16];
	char sni[256];
	struct event *timer;
	enum timer_kind timer_kind;
	enum cstate state;
	struct http_parser rq;
	/* the request in progress */
	struct siteconf *cfg;
	struct site *site;
	char *head;
	size_t head_len;
	struct evbuffer *body;		/* de-chunked, up to inspect_body */
	uint64_t body_seen;
	bool body_done, inspected, bypass, streamed, client_keep_alive;
	struct evbuffer *req_out;	/* for the origin until it is connected */
	struct upconn *up;
	struct origin *origin;
	uint64_t tried;			/* bitmask of origin indexes tried */
	size_t tries;
	unsigned rr_start;
	bool retried_fresh;
	struct http_parser rs;
	bool resp_head_done, resp_chunked_out, close_after, up_paused;
	char rid[33];
	int write_ms;			/* a client that reads nothing for this long is dropped */
};

static struct proxy *the_proxy;	/* for the SNI callback */

static void process(struct conn *c);
static void respond_local(struct conn *c, int status, const char *why, int64_t retry_after_s);
static void conn_free(struct conn *c);
static void forward_next_origin(struct conn *c, int fail_status);

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- writing --------------------------------------------------------- */

/* A bufferevent writes what is added to its output on the next turn of
 * the loop: it adds its write event (epoll_ctl), waits for it, writes,
 * and removes the event again (epoll_ctl). A plain socket with nothing
 * queued takes a small answer at once, so it is written right away and
 * only what the socket does not take goes that way. */
static bool
can_write_now(struct bufferevent *bev, bool tls)
{
	return !tls && bufferevent_getfd(bev) >= 0 &&
	    (bufferevent_get_enabled(bev) & EV_WRITE) &&
	    evbuffer_get_length(bufferevent_get_output(bev)) == 0;
}

/* Send data (drained) on bev. */
static void
send_buffer(struct bufferevent *bev, bool tls, struct evbuffer *data)
{
	if (evbuffer_get_length(data) == 0)
		return;
	if (can_write_now(bev, tls))
		(void)evbuffer_write(data, bufferevent_getfd(bev));
	if (evbuffer_get_length(data) > 0)
		evbuffer_add_buffer(bufferevent_get_output(bev), data);
}

/* Send n bytes of p on bev (p stays the caller's). */
static void
send_bytes(struct bufferevent *bev, bool tls, const void *p, size_t n)
{
	ssize_t k = 0;

	if (n > 0 && can_write_now(bev, tls))
		k = send(bufferevent_getfd(bev), p, n, MSG_NOSIGNAL | MSG_DONTWAIT);
	if (k < 0)
		k = 0;
	if ((size_t)k < n)
		evbuffer_add(bufferevent_get_output(bev), (const char *)p + k, n - (size_t)k);
}

/* ---- configuration --------------------------------------------------- */

struct siteconf *
proxy_config(struct proxy *px)
{
	struct siteconf *c;

	pthread_mutex_lock(&px->cfg_lock);
	c = px->cfg;
	siteconf_ref(c);
	pthread_mutex_unlock(&px->cfg_lock);
	return c;
}

void
proxy_swap(struct proxy *px, struct siteconf *cfg)
{
	struct siteconf *old;

	pthread_mutex_lock(&px->cfg_lock);
	old = px->cfg;
	siteconf_inherit_health(cfg, old);
	px->cfg = cfg;
	pthread_mutex_unlock(&px->cfg_lock);
	siteconf_unref(old);
}

static struct siteconf *
current_cfg(void *arg)
{
	return proxy_config(arg);
}

int
siteconf_sni_cb(SSL *ssl, int *alert, void *arg)
{
	const char *name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
	struct conn *c = SSL_get_app_data(ssl);
	struct siteconf *cfg;
	struct site *s;

	(void)arg;
	if (the_proxy == NULL)
		return SSL_TLSEXT_ERR_NOACK;
	cfg = proxy_config(the_proxy);
	s = name != NULL ? siteconf_find(cfg, name, strlen(name)) : NULL;
	if (c != NULL && name != NULL)
		snprintf(c->sni, sizeof(c->sni), "%s", name);
	if (s != NULL && s->ssl_ctx != NULL) {
		SSL_set_SSL_CTX(ssl, s->ssl_ctx);
	} else if (cfg->tls_default == NULL) {
		siteconf_unref(cfg);
		*alert = SSL_AD_UNRECOGNIZED_NAME;
		return SSL_TLSEXT_ERR_ALERT_FATAL;
	}
	siteconf_unref(cfg);
	return SSL_TLSEXT_ERR_OK;
}

/* ---- local responses -------------------------------------------------- */

struct page {
	int status;
	const char *reason;
	const char *zh;
	const char *en;
};

static const struct page pages[] = {
	{ 400, "Bad Request", "请求格式错误", "The request is malformed" },
	{ 403, "Forbidden", "请求已被云守 Web 应用防火墙拦截",
	  "The request was blocked by the yunshou web application firewall" },
	{ 404, "Not Found", "此地址未接入任何站点", "No site is served at this address" },
	{ 405, "Method Not Allowed", "不允许使用该请求方法", "The request method is not allowed" },
	{ 408, "Request Timeout", "请求超时", "The request took too long to arrive" },
	{ 413, "Content Too Large", "请求体过大", "The request body is too large" },
	{ 414, "URI Too Long", "请求地址过长", "The request URI is too long" },
	{ 417, "Expectation Failed", "不支持该 Expect 请求头", "The Expect header is not supported" },
	{ 421, "Misdirected Request", "请求的站点与 TLS 连接不符",
	  "The requested site does not match the TLS connection" },
	{ 429, "Too Many Requests", "访问过于频繁，请稍后再试",
	  "Too many requests: please wait and try again" },
	{ 431, "Request Header Fields Too Large", "请求头过大", "The request headers are too large" },
	{ 500, "Internal Server Error", "内部错误", "Internal error" },
	{ 501, "Not Implemented", "不支持该请求", "The request is not supported" },
	{ 502, "Bad Gateway", "源站无法访问或响应无效", "The origin server failed or answered badly" },
	{ 503, "Service Unavailable", "服务暂时不可用", "The service is temporarily unavailable" },
	{ 504, "Gateway Timeout", "源站响应超时", "The origin server did not answer in time" },
	{ 505, "HTTP Version Not Supported", "不支持该 HTTP 版本", "The HTTP version is not supported" },
};

static const struct page *
page_for(int status)
{
	for (size_t i = 0; i < sizeof(pages) / sizeof(pages[0]); i++)
		if (pages[i].status == status)
			return &pages[i];
	return &pages[0];
}

static void
set_timer(struct conn *c, enum timer_kind k, int ms)
{
	struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };

	c->timer_kind = k;
	if (k == T_NONE)
		evtimer_del(c->timer);
	else
		evtimer_add(c->timer, &tv);
}

/* read_ms 0: no read timeout. The write timeout is always on: output that
 * makes no progress for write_ms (a client that stopped reading) ends the
 * connection, while a slow but moving download goes on. */
static void
client_timeouts(struct conn *c, int read_ms)
{
	struct timeval rt = { read_ms / 1000, (read_ms % 1000) * 1000 };
	struct timeval wt = { c->write_ms / 1000, (c->write_ms % 1000) * 1000 };

	bufferevent_set_timeouts(c->bev, read_ms > 0 ? &rt : NULL, &wt);
}

/* The answer is in the output: close once it has been written. */
static void
close_after_write(struct conn *c)
{
	c->state = C_CLOSING;
	bufferevent_disable(c->bev, EV_READ);
	client_timeouts(c, 0);
	set_timer(c, T_NONE, 0);
	if (evbuffer_get_length(bufferevent_get_output(c->bev)) == 0)
		bufferevent_trigger(c->bev, EV_WRITE, BEV_TRIG_IGNORE_WATERMARKS);
}

static void
respond_local(struct conn *c, int status, const char *why, int64_t retry_after_s)
{
	/* A site's request refused by its own policy (WAF, deny list, CC). */
	if (c->site != NULL && (status == 403 || status == 429))
		sitestats_count(c->site->id, true);
	const struct page *pg = page_for(status);
	struct evbuffer *out = bufferevent_get_output(c->bev);
	char body[2048];
	int n;

	if (why != NULL && status >= 500)
		log_info("proxy: %s %s: %d %s", c->ip, c->rid, status, why);
	n = snprintf(body, sizeof(body),
	    "<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
	    "<title>%d %s</title></head>\n<body style=\"font-family:sans-serif;margin:3em\">\n"
	    "<h1>%d %s</h1>\n<p>%s。</p>\n<p>%s.</p>\n"
	    "<p>如需帮助，请联系网站管理员并提供请求编号。<br>"
	    "If you need help, contact the site's administrator and quote the request ID.</p>\n"
	    "<p>请求编号 / Request ID: <code>%s</code></p>\n"
	    "<hr><p><small>yunshou-waf 云守</small></p></body></html>\n",
	    pg->status, pg->reason, pg->status, pg->reason, pg->zh, pg->en, c->rid);
	if (n < 0 || (size_t)n >= sizeof(body))
		n = 0;
	evbuffer_add_printf(out, "HTTP/1.1 %d %s\r\nContent-Type: text/html; charset=utf-8\r\n"
	    "Content-Length: %d\r\nCache-Control: no-store\r\nX-Request-Id: %s\r\n",
	    pg->status, pg->reason, n, c->rid);
	if (retry_after_s > 0)
		evbuffer_add_printf(out, "Retry-After: %lld\r\n", (long long)retry_after_s);
	evbuffer_add_printf(out, "Connection: close\r\n\r\n");
	if (c->head == NULL || strncmp(c->head, "HEAD ", 5) != 0)
		evbuffer_add(out, body, (size_t)n);
	if (c->up != NULL) {
		bufferevent_free(c->up->bev);
		free(c->up);
		c->up = NULL;
	}
	close_after_write(c);
}

/* ---- events ----------------------------------------------------------- */

static json_t *
event_base_obj(struct conn *c, const char *type, const char *action)
{
	struct http_head *h = &c->rq.head;
	size_t ulen = h->target.len < 2048 ? h->target.len : 2048;

	return json_pack("{s:s, s:s, s:I, s:I, s:s, s:s%, s:s%, s:s, s:s%}",
	    "type", type, "action", action,
	    "site_id", (json_int_t)c->site->id, "tenant_id", (json_int_t)c->site->tenant_id,
	    "client_ip", c->ip,
	    "method", c->head + h->method.off, (size_t)h->method.len,
	    "uri", c->head + h->target.off, ulen,
	    "request_id", c->rid,
	    "host", h->host >= 0 ? c->head + h->fields[h->host].value.off : "",
	    h->host >= 0 ? (size_t)h->fields[h->host].value.len : 0);
}

static void
emit_waf_event(struct conn *c, const struct waf_verdict *v)
{
	const char *action = v->action == WAF_BLOCK && !c->site->monitor ? "block" :
	    v->would_block ? "monitor" : "log";
	json_t *ev = event_base_obj(c, "waf", action), *matches = json_array();
	const struct waf_match *top = NULL;

	if (ev == NULL || matches == NULL) {
		json_decref(ev);
		json_decref(matches);
		return;
	}
	for (size_t i = 0; i < v->n_matches && i < WAF_MAX_MATCHES; i++) {
		const struct waf_match *m = &v->matches[i];

		if (top == NULL || m->severity > top->severity)
			top = m;
		json_array_append_new(matches, json_pack("{s:s, s:s, s:i, s:i, s:s, s:s}",
		    "rule", m->rule_id, "category", m->category, "severity", m->severity,
		    "score", m->score, "field", m->field, "excerpt", m->excerpt));
	}
	json_object_set_new(ev, "score", json_integer(v->score));
	if (top != NULL) {
		json_object_set_new(ev, "rule", json_string(top->rule_id));
		json_object_set_new(ev, "category", json_string(top->category));
		json_object_set_new(ev, "severity", json_integer(top->severity));
		json_object_set_new(ev, "excerpt", json_string(top->excerpt));
	}
	json_object_set_new(ev, "matches", matches);
	events_emit(c->w->px->events, ev);
}

static void
emit_simple_event(struct conn *c, const char *type, const char *rule, const char *category)
{
	json_t *ev = event_base_obj(c, type, c->site->monitor ? "monitor" : "block");

	if (ev == NULL)
		return;
	json_object_set_new(ev, "rule", json_string(rule));
	json_object_set_new(ev, "category", json_string(category));
	json_object_set_new(ev, "severity", json_integer(2));
	events_emit(c->w->px->events, ev);
}

/* ---- inspection ------------------------------------------------------- */

/* 0: go on; -1: answered (blocked or failed). */
static int
inspect(struct conn *c)
{
	struct http_head *h = &c->rq.head;
	struct waf_header few[32], *hdrs = few;
	struct waf_request req;
	struct waf_verdict v;
	size_t blen = evbuffer_get_length(c->body), n = 0;
	int rc;

	c->inspected = true;
	if (c->bypass)
		return 0;
	if (h->n_fields > sizeof(few) / sizeof(few[0]) &&
	    (hdrs = calloc(h->n_fields, sizeof(*hdrs))) == NULL) {
		respond_local(c, 503, "out of memory", 0);
		return -1;
	}
	for (size_t i = 0; i < h->n_fields; i++) {
		/* Inspecting only the first bytes (body_over_cap inspect_prefix):
		 * the engine would see a Content-Length its body disagrees with.
		 * The framing was already checked strictly by the parser, so the
		 * field is left out rather than misread. waf.h has no way yet to
		 * say "this body is a prefix". */
		if (!c->body_done && http_field_is(h, c->head, i, "content-length"))
			continue;
		hdrs[n].name = c->head + h->fields[i].name.off;
		hdrs[n].name_len = h->fields[i].name.len;
		hdrs[n].value = c->head + h->fields[i].value.off;
		hdrs[n].value_len = h->fields[i].value.len;
		n++;
	}
	memset(&req, 0, sizeof(req));
	req.method = c->head + h->method.off;
	req.method_len = h->method.len;
	req.path = c->head + h->path.off;
	req.path_len = h->path.len;
	req.query = h->query.len > 0 ? c->head + h->query.off : "";
	req.query_len = h->query.len;
	req.headers = hdrs;
	req.n_headers = n;
	req.body = blen > 0 ? evbuffer_pullup(c->body, -1) : (const uint8_t *)"";
	req.body_len = blen;
	req.client_ip = c->ip;
	req.request_id = c->rid;
	memset(&v, 0, sizeof(v));
	rc = waf_inspect(c->cfg->engine, c->site->policy, &req, &v);
	if (hdrs != few)
		free(hdrs);
	if (rc < 0) {
		respond_local(c, 503, "inspection failed (out of memory)", 0);
		return -1;
	}
	if (v.n_matches > 0 || v.would_block)
		emit_waf_event(c, &v);
	if (v.action == WAF_BLOCK && !c->site->monitor) {
		respond_local(c, 403, NULL, 0);
		return -1;
	}
	return 0;
}

/* ---- towards the origin ---------------------------------------------- */

/* A string literal added to an evbuffer, without printf. */
#define ADD_LIT(out, lit) evbuffer_add((out), (lit), sizeof(lit) - 1)

struct fname {
	const char *s;
	size_t n;
};
#define FNAME(lit) { lit, sizeof(lit) - 1 }

/* Fields the proxy drops or sets itself towards the origin ... */
static const struct fname request_drop[] = {
	FNAME("connection"), FNAME("keep-alive"), FNAME("proxy-connection"), FNAME("te"),
	FNAME("trailer"), FNAME("transfer-encoding"), FNAME("upgrade"), FNAME("content-length"),
	FNAME("expect"), FNAME("x-real-ip"), FNAME("x-request-id"), FNAME("x-forwarded-for"),
	FNAME("x-forwarded-proto"),
};
/* ... and towards the client (hop-by-hop; the framing is the proxy's). */
static const struct fname response_drop[] = {
	FNAME("connection"), FNAME("keep-alive"), FNAME("proxy-connection"), FNAME("te"),
	FNAME("trailer"), FNAME("transfer-encoding"), FNAME("upgrade"),
};

/* One field as it came ("Name: value", optional whitespace inside kept). */
static void
add_field(struct evbuffer *out, const char *buf, const struct http_field *f)
{
	evbuffer_add(out, buf + f->name.off, f->value.off + f->value.len - f->name.off);
	evbuffer_add(out, "\r\n", 2);
}

static bool
name_in(const char *buf, struct http_span name, const struct fname *set, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (name.len == set[i].n && strncasecmp(buf + name.off, set[i].s, name.len) == 0)
			return true;
	return false;
}

static void
add_chunk(struct evbuffer *out, const void *data, size_t n)
{
	if (n == 0)
		return;
	evbuffer_add_printf(out, "%zx\r\n", n);
	evbuffer_add(out, data, n);
	evbuffer_add(out, "\r\n", 2);
}

/* Body bytes for the origin in the request's framing. */
static void
add_body(struct conn *c, struct evbuffer *out, const void *data, size_t n)
{
	if (c->rq.head.framing == HTTP_BODY_CHUNKED)
		add_chunk(out, data, n);
	else
		evbuffer_add(out, data, n);
}

static void
build_request(struct conn *c)
{
	struct http_head *h = &c->rq.head;
	struct evbuffer *out = evbuffer_new();
	const char *xff_sep = "";

	c->req_out = out;
	if (out == NULL)
		return;
	/* evbuffer_add of the pieces: the printf family was a few per cent of
	 * the proxy's user-space time per request */
	evbuffer_add(out, c->head + h->method.off, h->method.len);
	ADD_LIT(out, " ");
	evbuffer_add(out, c->head + h->target.off, h->target.len);
	ADD_LIT(out, " HTTP/1.1\r\n");
	for (size_t i = 0; i < h->n_fields; i++)
		if (!name_in(c->head, h->fields[i].name, request_drop,
		    sizeof(request_drop) / sizeof(request_drop[0])))
			add_field(out, c->head, &h->fields[i]);
	ADD_LIT(out, "X-Forwarded-For: ");
	for (size_t i = 0; i < h->n_fields; i++)
		if (http_field_is(h, c->head, i, "x-forwarded-for") && h->fields[i].value.len > 0) {
			evbuffer_add(out, xff_sep, strlen(xff_sep));
			evbuffer_add(out, c->head + h->fields[i].value.off, h->fields[i].value.len);
			xff_sep = ", ";
		}
	evbuffer_add(out, xff_sep, strlen(xff_sep));
	evbuffer_add(out, c->ip, strlen(c->ip));
	ADD_LIT(out, "\r\nX-Real-IP: ");
	evbuffer_add(out, c->ip, strlen(c->ip));
	if (c->tls)
		ADD_LIT(out, "\r\nX-Forwarded-Proto: https\r\nX-Request-Id: ");
	else
		ADD_LIT(out, "\r\nX-Forwarded-Proto: http\r\nX-Request-Id: ");
	evbuffer_add(out, c->rid, strlen(c->rid));
	ADD_LIT(out, "\r\n");
	if (h->framing == HTTP_BODY_CHUNKED)
		ADD_LIT(out, "Transfer-Encoding: chunked\r\n");
	else if (h->framing == HTTP_BODY_LENGTH)
		evbuffer_add_printf(out, "Content-Length: %llu\r\n", (unsigned long long)h->content_length);
	ADD_LIT(out, "\r\n");
	if (evbuffer_get_length(c->body) > 0)
		add_body(c, out, evbuffer_pullup(c->body, -1), evbuffer_get_length(c->body));
	if (c->body_done && h->framing == HTTP_BODY_CHUNKED)
		ADD_LIT(out, "0\r\n\r\n");
}

static void
pool_unlink(struct upconn *u)
{
	struct worker *w = u->w;

	if (u->prev != NULL)
		u->prev->next = u->next;
	else
		w->idle = u->next;
	if (u->next != NULL)
		u->next->prev = u->prev;
	u->prev = u->next = NULL;
	w->n_idle--;
}

static void
up_free(struct upconn *u)
{
	if (u == NULL)
		return;
	if (u->owner == NULL && (u->prev != NULL || u->w->idle == u))
		pool_unlink(u);
	bufferevent_free(u->bev);
	free(u);
}

static void up_read(struct bufferevent *bev, void *arg);
static void up_write(struct bufferevent *bev, void *arg);
static void up_event(struct bufferevent *bev, short what, void *arg);

static void
idle_event(struct bufferevent *bev, short what, void *arg)
{
	(void)bev;
	(void)what;
	up_free(arg);	/* closed, data or timeout while idle: not reusable */
}

static void
idle_read(struct bufferevent *bev, void *arg)
{
	(void)bev;
	up_free(arg);
}

static void
pool_put(struct worker *w, struct upconn *u, int idle_ms)
{
	struct timeval tv = { idle_ms / 1000, (idle_ms % 1000) * 1000 };

	if (w->n_idle >= IDLE_POOL_MAX || evbuffer_get_length(bufferevent_get_input(u->bev)) > 0) {
		bufferevent_free(u->bev);
		free(u);
		return;
	}
	u->owner = NULL;
	u->got_bytes = false;
	bufferevent_setcb(u->bev, idle_read, NULL, idle_event, u);
	bufferevent_set_timeouts(u->bev, &tv, NULL);
	bufferevent_enable(u->bev, EV_READ);
	u->next = w->idle;
	u->prev = NULL;
	if (w->idle != NULL)
		w->idle->prev = u;
	w->idle = u;
	w->n_idle++;
}

static struct upconn *
pool_take(struct worker *w, const char *key)
{
	for (struct upconn *u = w->idle; u != NULL; u = u->next)
		if (strcmp(u->key, key) == 0) {
			pool_unlink(u);
			return u;
		}
	return NULL;
}

static void
up_timeouts(struct conn *c, struct upconn *u, bool connecting)
{
	int up_ms = c->cfg->lim.upstream_timeout_ms;
	int w_ms = connecting ? c->cfg->lim.connect_timeout_ms : up_ms;
	struct timeval rt = { up_ms / 1000, (up_ms % 1000) * 1000 };
	struct timeval wt = { w_ms / 1000, (w_ms % 1000) * 1000 };

	bufferevent_set_timeouts(u->bev, &rt, &wt);
}

/* The connection to the origin is ready: hand it the request. */
static void
up_send(struct conn *c)
{
	struct upconn *u = c->up;

	u->connected = true;
	up_timeouts(c, u, false);
	if (c->req_out != NULL)	/* kept: a retry sends it again */
		send_bytes(u->bev, u->tls, evbuffer_pullup(c->req_out, -1),
		    evbuffer_get_length(c->req_out));
	/* writing is on from bufferevent_socket_new; enabling it again would
	 * add the write event even with nothing left to write */
	bufferevent_enable(u->bev, (bufferevent_get_enabled(u->bev) & EV_WRITE) ? EV_READ :
	    EV_READ | EV_WRITE);
}

static struct origin *
pick_origin(struct conn *c)
{
	struct site *s = c->site;
	size_t n = s->n_origins;
	int64_t now = now_ms();

	if (c->tries == 0)
		c->rr_start = atomic_fetch_add(&s->rr, 1);
	/* healthy ones first, then any not yet tried */
	for (int pass = 0; pass < 2; pass++)
		for (size_t k = 0; k < n; k++) {
			size_t i = (c->rr_start + k) % n;
			struct origin *o = &s->origins[i];
			bool up = atomic_load(&o->healthy) ||
			    (!s->hc.enabled && now >= atomic_load(&o->retry_ms));

			if (c->tried & (1ULL << i))
				continue;
			if (pass == 0 && !up)
				continue;
			c->tried |= 1ULL << i;
			return o;
		}
	return NULL;
}

static void
mark_down(struct conn *c, struct origin *o)
{
	if (atomic_exchange(&o->healthy, 0) == 1)
		log_warn("proxy: site %lld origin %s:%u failed, failing over", (long long)c->site->id,
		    o->address, o->port);
	atomic_store(&o->retry_ms, now_ms() + RETRY_DOWN_MS);
	atomic_store(&o->streak, 0);
}

static int
up_connect(struct conn *c, struct origin *o)
{
	struct worker *w = c->w;
	struct upconn *u = calloc(1, sizeof(*u));
	SSL *ssl = NULL;

	if (u == NULL)
		return -1;
	u->w = w;
	u->owner = c;
	snprintf(u->key, sizeof(u->key), "%s", o->pool_key);
	u->tls = o->tls;
	if (o->tls) {
		struct http_head *h = &c->rq.head;
		char sni[256] = "";

		if ((ssl = SSL_new(c->cfg->origin_ctx)) == NULL)
			goto fail;
		if (h->host >= 0 && h->fields[h->host].value.len < sizeof(sni)) {
			const char *hv = c->head + h->fields[h->host].value.off;
			size_t hl = h->fields[h->host].value.len;
			const char *colon = hv[0] != '[' ? memchr(hv, ':', hl) : NULL;

			if (colon != NULL)
				hl = (size_t)(colon - hv);
			memcpy(sni, hv, hl);
			sni[hl] = '\0';
			if (sni[0] != '\0' && sni[0] != '[')
				SSL_set_tlsext_host_name(ssl, sni);
		}
		u->bev = bufferevent_openssl_socket_new(w->base, -1, ssl, BUFFEREVENT_SSL_CONNECTING,
		    BEV_OPT_CLOSE_ON_FREE);
	} else {
		u->bev = bufferevent_socket_new(w->base, -1, BEV_OPT_CLOSE_ON_FREE);
	}
	if (u->bev == NULL) {
		SSL_free(ssl);
		goto fail;
	}
	c->up = u;
	bufferevent_setcb(u->bev, up_read, up_write, up_event, u);
	up_timeouts(c, u, true);
	if (bufferevent_socket_connect(u->bev, (struct sockaddr *)&o->sa, (int)o->salen) < 0) {
		c->up = NULL;
		bufferevent_free(u->bev);
		free(u);
		return -1;
	}
	return 0;
fail:
	free(u);
	return -1;
}

/* Send the request to the next origin; answer fail_status when none is left. */
static void
forward_next_origin(struct conn *c, int fail_status)
{
	struct origin *o;

	while (c->tries < MAX_ORIGIN_TRIES && (o = pick_origin(c)) != NULL) {
		struct upconn *u;

		c->tries++;
		c->origin = o;
		if (!c->retried_fresh && (u = pool_take(c->w, o->pool_key)) != NULL) {
			u->owner = c;
			u->reused = true;
			c->up = u;
			bufferevent_setcb(u->bev, up_read, up_write, up_event, u);
			up_send(c);
			return;
		}
		if (up_connect(c, o) == 0)
			return;
		mark_down(c, o);
	}
	respond_local(c, fail_status, "no origin could be reached", 0);
}

static void
forward(struct conn *c)
{
	build_request(c);
	if (c->req_out == NULL) {
		respond_local(c, 503, "out of memory", 0);
		return;
	}
	c->state = c->body_done ? C_WAIT : C_BODY;
	forward_next_origin(c, 502);
}

/* More body after the request was sent on. */
static void
stream_body(struct conn *c, const char *data, size_t n, bool end)
{
	struct evbuffer *out;

	if (c->up != NULL && c->up->connected) {
		out = bufferevent_get_output(c->up->bev);
		c->streamed = true;
	} else {
		out = c->req_out;
	}
	if (n > 0)
		add_body(c, out, data, n);
	if (end && c->rq.head.framing == HTTP_BODY_CHUNKED)
		evbuffer_add(out, "0\r\n\r\n", 5);
	if (c->up != NULL && c->up->connected &&
	    evbuffer_get_length(bufferevent_get_output(c->up->bev)) > OUT_HIGH)
		bufferevent_disable(c->bev, EV_READ);	/* resumed by up_write */
}

/* ---- from the origin -------------------------------------------------- */

/* evbuffer_free() does not take NULL. */
static void
buf_free(struct evbuffer **b)
{
	if (*b != NULL)
		evbuffer_free(*b);
	*b = NULL;
}

static void
reset_request(struct conn *c)
{
	free(c->head);
	c->head = NULL;
	buf_free(&c->body);
	buf_free(&c->req_out);
	siteconf_unref(c->cfg);
	c->cfg = NULL;
	c->site = NULL;
	c->body_seen = 0;
	c->body_done = c->inspected = c->bypass = c->streamed = false;
	c->resp_head_done = c->resp_chunked_out = c->close_after = c->up_paused = false;
	c->retried_fresh = false;
	c->origin = NULL;
	c->tried = 0;
	c->tries = 0;
	http_parser_reset(&c->rq);
}

static void
response_done(struct conn *c)
{
	struct upconn *u = c->up;
	bool reuse = c->body_done && !c->close_after;	/* the client's connection */

	c->up = NULL;
	if (u != NULL) {
		if (c->rs.head.keep_alive && c->body_done)
			pool_put(c->w, u, c->cfg->lim.idle_timeout_ms / 2);
		else
			up_free(u);
	}
	if (!reuse || !c->client_keep_alive || atomic_load(&c->w->px->stopping)) {
		close_after_write(c);
		return;
	}
	{
		int idle = c->cfg->lim.idle_timeout_ms;

		reset_request(c);
		c->state = C_HEAD;
		client_timeouts(c, 0);
		bufferevent_enable(c->bev, EV_READ);
		set_timer(c, T_IDLE, idle);
	}
	process(c);
}

static void
client_response_head(struct conn *c, const char *buf, struct evbuffer *out)
{
	struct http_head *h = &c->rs.head;
	bool client11 = c->rq.head.version_minor == 1;
	char status[13] = "HTTP/1.1 000 ";	/* no NUL: added by length */

	/* the parser's three digits, 100..999 */
	status[9] = (char)('0' + h->status / 100 % 10);
	status[10] = (char)('0' + h->status / 10 % 10);
	status[11] = (char)('0' + h->status % 10);
	evbuffer_add(out, status, sizeof(status));
	evbuffer_add(out, buf + h->reason.off, h->reason.len);
	ADD_LIT(out, "\r\n");
	for (size_t i = 0; i < h->n_fields; i++) {
		struct http_span nm = h->fields[i].name;

		if (name_in(buf, nm, response_drop, sizeof(response_drop) / sizeof(response_drop[0])))
			continue;
		add_field(out, buf, &h->fields[i]);
	}
	if (h->framing == HTTP_BODY_CHUNKED) {
		if (client11) {
			ADD_LIT(out, "Transfer-Encoding: chunked\r\n");
			c->resp_chunked_out = true;
		} else {
			c->close_after = true;
		}
	} else if (h->framing == HTTP_BODY_CLOSE) {
		/* an HTTP/1.1 client keeps its connection: the proxy frames the
		 * body in chunks and ends it when the origin closes */
		if (client11) {
			ADD_LIT(out, "Transfer-Encoding: chunked\r\n");
			c->resp_chunked_out = true;
		} else {
			c->close_after = true;
		}
	}
	if (!c->body_done)
		c->close_after = true;
	if (c->close_after || !c->client_keep_alive)
		ADD_LIT(out, "Connection: close\r\n\r\n");
	else if (!client11)
		ADD_LIT(out, "Connection: keep-alive\r\n\r\n");
	else
		ADD_LIT(out, "\r\n");
}

static void
up_failed(struct conn *c, int status, const char *why)
{
	if (!c->resp_head_done) {
		respond_local(c, status, why, 0);
		return;
	}
	log_info("proxy: %s %s: origin broke off the response: %s", c->ip, c->rid, why);
	conn_free(c);	/* the client sees a truncated response */
}

/* What up_read put together for the client, sent. */
static void
to_client(struct conn *c)
{
	send_buffer(c->bev, c->tls, c->w->resp);
}

static void
up_read(struct bufferevent *bev, void *arg)
{
	struct upconn *u = arg;
	struct conn *c = u->owner;
	struct evbuffer *in = bufferevent_get_input(bev);
	struct evbuffer *out = c->w->resp;	/* sent before anything else can run */

	u->got_bytes = true;
	while (evbuffer_get_length(in) > 0) {
		size_t n = evbuffer_get_length(in), used, dlen;
		const char *buf, *data;
		int rc;

		if (!c->resp_head_done) {
			size_t want = n < c->rs.lim.max_head + 2 ? n : c->rs.lim.max_head + 2;

			buf = (const char *)evbuffer_pullup(in, (ssize_t)want);
			rc = http_parse_head(&c->rs, buf, want);
			if (rc == HTTP_MORE)
				return;
			if (rc == HTTP_ERROR) {
				up_failed(c, 502, c->rs.error);
				return;
			}
			if (c->rs.head.status < 200) {	/* 1xx: the proxy answered 100 itself */
				evbuffer_drain(in, c->rs.head.head_len);
				http_parser_reset(&c->rs);
				c->rs.response_to_head = c->rq.head.method_id == 1;
				continue;
			}
			buf_free(&c->req_out);
			client_response_head(c, buf, out);
			evbuffer_drain(in, c->rs.head.head_len);
			c->resp_head_done = true;
			if (http_message_done(&c->rs)) {	/* HEAD, 204, 304, length 0 */
				to_client(c);
				response_done(c);
				return;
			}
			continue;
		}
		buf = (const char *)evbuffer_pullup(in, -1);
		rc = http_parse_body(&c->rs, buf, n, &used, &data, &dlen);
		if (rc == HTTP_ERROR) {
			to_client(c);
			up_failed(c, 502, c->rs.error);
			return;
		}
		if (dlen > 0) {
			if (c->resp_chunked_out)
				add_chunk(out, data, dlen);
			else
				evbuffer_add(out, data, dlen);
		}
		evbuffer_drain(in, used);
		if (rc == HTTP_DONE) {
			if (c->resp_chunked_out)
				evbuffer_add(out, "0\r\n\r\n", 5);
			to_client(c);
			response_done(c);
			return;
		}
		if (used == 0)
			break;
	}
	to_client(c);
	if (evbuffer_get_length(bufferevent_get_output(c->bev)) > OUT_HIGH) {
		bufferevent_disable(bev, EV_READ);	/* resumed by client_write */
		c->up_paused = true;
	}
}

static void
up_write(struct bufferevent *bev, void *arg)
{
	struct upconn *u = arg;
	struct conn *c = u->owner;

	(void)bev;
	if (c != NULL && c->state == C_BODY)
		bufferevent_enable(c->bev, EV_READ);
}

static void
up_event(struct bufferevent *bev, short what, void *arg)
{
	struct upconn *u = arg;
	struct conn *c = u->owner;

	(void)bev;
	if (what & BEV_EVENT_CONNECTED) {
		int one = 1;

		setsockopt(bufferevent_getfd(u->bev), IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		up_send(c);
		return;
	}
	if (!u->connected) {	/* connect failed or timed out: next origin */
		c->up = NULL;
		up_free(u);
		mark_down(c, c->origin);
		forward_next_origin(c, what & BEV_EVENT_TIMEOUT ? 504 : 502);
		return;
	}
	if ((what & BEV_EVENT_EOF) && c->resp_head_done && c->rs.head.framing == HTTP_BODY_CLOSE) {
		http_parse_eof(&c->rs);
		c->rs.head.keep_alive = false;	/* the origin's connection is gone, the client's stays */
		if (c->resp_chunked_out)
			bufferevent_write(c->bev, "0\r\n\r\n", 5);
		response_done(c);
		return;
	}
	if (!u->got_bytes && u->reused && !c->streamed && !(what & BEV_EVENT_TIMEOUT) &&
	    http_methods[c->rq.head.method_id].idempotent) {
		/* the origin closed an idle connection as we reused it: once more
		 * on a fresh connection to the same origin (idempotent methods
		 * only: the origin may have acted on the request before closing) */
		c->up = NULL;
		up_free(u);
		c->retried_fresh = true;
		c->tried &= ~(1ULL << (size_t)(c->origin - c->site->origins));
		c->tries--;
		forward_next_origin(c, 502);
		return;
	}
	c->up = NULL;
	up_free(u);
	up_failed(c, what & BEV_EVENT_TIMEOUT ? 504 : 502,
	    what & BEV_EVENT_TIMEOUT ? "origin timed out" : "origin closed the connection");
}

/* ---- from the client -------------------------------------------------- */

static void
make_rid(struct conn *c)
{
	struct worker *w = c->w;
	uint64_t n = ++w->rid_counter;

	snprintf(c->rid, sizeof(c->rid), "%016llx%04zx%012llx",
	    (unsigned long long)w->px->rid_seed, w->idx & 0xffff,
	    (unsigned long long)(n & 0xffffffffffffULL));
}

/* Checks before the body: site, IP lists, CC. 0 go on, -1 answered. */
static int
admit(struct conn *c)
{
	struct http_head *h = &c->rq.head;
	struct site *sni_site;
	bool started = false;
	int64_t wait;

	if (h->host < 0) {
		respond_local(c, 400, "no Host", 0);
		return -1;
	}
	c->site = siteconf_find(c->cfg, c->head + h->fields[h->host].value.off,
	    h->fields[h->host].value.len);
	if (c->site == NULL) {
		respond_local(c, 404, NULL, 0);
		return -1;
	}
	sitestats_count(c->site->id, false);
	if (c->tls && c->sni[0] != '\0') {
		sni_site = siteconf_find(c->cfg, c->sni, strlen(c->sni));
		if (sni_site != c->site) {
			respond_local(c, 421, NULL, 0);
			return -1;
		}
	}
	if (iplist_match(c->site->deny, c->ip16)) {
		emit_simple_event(c, "acl", "deny-list", "acl");
		if (!c->site->monitor) {
			respond_local(c, 403, NULL, 0);
			return -1;
		}
	}
	if (iplist_match(c->site->allow, c->ip16)) {
		c->bypass = true;
		return 0;
	}
	if (c->site->cc_enabled) {
		wait = cc_check(c->w->px->cc, &c->site->cc, (uint64_t)c->site->id, c->ip16,
		    c->head + h->path.off, h->path.len, now_ms(), &started);
		if (wait > 0) {
			if (started)
				emit_simple_event(c, "cc", "cc-rate", "cc");
			if (!c->site->monitor) {
				respond_local(c, 429, NULL, (wait + 999) / 1000);
				return -1;
			}
		}
	}
	return 0;
}

static void
start_request(struct conn *c, const char *buf)
{
	struct http_head *h = &c->rq.head;
	const struct proxy_limits *lim;

	set_timer(c, T_NONE, 0);
	make_rid(c);
	if ((c->head = malloc(h->head_len + 1)) == NULL || (c->body = evbuffer_new()) == NULL) {
		respond_local(c, 503, "out of memory", 0);
		return;
	}
	memcpy(c->head, buf, h->head_len);
	c->head[h->head_len] = '\0';
	c->head_len = h->head_len;
	evbuffer_drain(bufferevent_get_input(c->bev), h->head_len);
	c->cfg = proxy_config(c->w->px);
	lim = &c->cfg->lim;
	c->write_ms = lim->idle_timeout_ms;
	c->client_keep_alive = h->keep_alive && !h->upgrade;
	http_parser_init(&c->rs, HTTP_RESPONSE, &lim->http);
	c->rs.lim.max_headers = HTTP_MAX_FIELDS;
	c->rs.response_to_head = h->method_id == 1;
	if (admit(c) < 0)
		return;
	if (h->framing == HTTP_BODY_LENGTH && (h->content_length > lim->max_body ||
	    (h->content_length > lim->inspect_body && lim->over_cap == OVER_CAP_REJECT &&
	    !c->bypass))) {
		respond_local(c, 413, NULL, 0);
		return;
	}
	if (h->framing == HTTP_BODY_NONE) {
		c->body_done = true;
		if (inspect(c) < 0)
			return;
		forward(c);
		return;
	}
	if (h->expect_continue)
		bufferevent_write(c->bev, "HTTP/1.1 100 Continue\r\n\r\n", 25);
	c->state = C_BODY;
	client_timeouts(c, lim->body_timeout_ms);
}

/* Body bytes from the client. 0 go on, -1 answered. */
static int
body_data(struct conn *c, const char *data, size_t n)
{
	const struct proxy_limits *lim = &c->cfg->lim;
	size_t room;

	c->body_seen += n;
	if (c->body_seen > lim->max_body) {
		if (c->req_out == NULL && c->up == NULL) {
			respond_local(c, 413, NULL, 0);
		} else {
			log_info("proxy: %s %s: body over max_body_bytes while streaming", c->ip, c->rid);
			conn_free(c);
		}
		return -1;
	}
	if (c->inspected) {
		stream_body(c, data, n, false);
		return 0;
	}
	room = lim->inspect_body - evbuffer_get_length(c->body);
	if (n <= room || c->bypass) {
		evbuffer_add(c->body, data, n);
		return 0;
	}
	if (lim->over_cap == OVER_CAP_REJECT) {
		respond_local(c, 413, NULL, 0);
		return -1;
	}
	evbuffer_add(c->body, data, room);	/* inspect the first inspect_body bytes */
	if (inspect(c) < 0)
		return -1;
	forward(c);
	if (c->state == C_CLOSING)
		return -1;
	stream_body(c, data + room, n - room, false);
	return 0;
}

/* 0 go on, -1 answered or gone. */
static int
body_step(struct conn *c)
{
	struct evbuffer *in = bufferevent_get_input(c->bev);
	size_t n, used, dlen;
	const char *buf, *data;
	int rc;

	while ((n = evbuffer_get_length(in)) > 0 && !c->body_done) {
		buf = (const char *)evbuffer_pullup(in, -1);
		rc = http_parse_body(&c->rq, buf, n, &used, &data, &dlen);
		if (rc == HTTP_ERROR) {
			if (c->req_out == NULL && c->up == NULL)
				respond_local(c, c->rq.error_status, c->rq.error, 0);
			else
				conn_free(c);
			return -1;
		}
		if (dlen > 0 && body_data(c, data, dlen) < 0)
			return -1;
		evbuffer_drain(in, used);
		if (rc == HTTP_DONE)
			c->body_done = true;
		else if (used == 0)
			break;
	}
	if (!c->body_done)
		return 0;
	client_timeouts(c, 0);
	if (!c->inspected) {
		if (inspect(c) < 0)
			return -1;
		forward(c);
		return c->state == C_CLOSING ? -1 : 0;
	}
	c->state = C_WAIT;
	stream_body(c, NULL, 0, true);
	return 0;
}

static void
process(struct conn *c)
{
	struct evbuffer *in = bufferevent_get_input(c->bev);

	for (;;) {
		size_t n = evbuffer_get_length(in);

		if (c->state == C_HEAD) {
			size_t want = n < c->rq.lim.max_head + 2 ? n : c->rq.lim.max_head + 2;
			const char *buf;
			int rc;

			if (n == 0)
				return;
			if (c->timer_kind == T_IDLE) {
				struct siteconf *cfg = proxy_config(c->w->px);

				set_timer(c, T_HEADER, cfg->lim.header_timeout_ms);
				siteconf_unref(cfg);
			}
			buf = (const char *)evbuffer_pullup(in, (ssize_t)want);
			rc = http_parse_head(&c->rq, buf, want);
			if (rc == HTTP_MORE)
				return;
			if (rc == HTTP_ERROR) {
				make_rid(c);
				respond_local(c, c->rq.error_status, c->rq.error, 0);
				return;
			}
			start_request(c, buf);
			continue;
		}
		if (c->state == C_BODY) {
			if (body_step(c) < 0)
				return;
			if (c->state == C_BODY)
				return;
			continue;
		}
		return;	/* waiting for the origin; pipelined bytes wait */
	}
}

static void
conn_free(struct conn *c)
{
	struct worker *w = c->w;

	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		w->conns = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	if (c->up != NULL) {
		c->up->owner = NULL;
		bufferevent_free(c->up->bev);
		free(c->up);
	}
	reset_request(c);
	event_free(c->timer);
	bufferevent_free(c->bev);
	atomic_fetch_sub(&w->px->active, 1);
	atomic_fetch_sub(&w->n_conns, 1);
	free(c);
}

static void
client_read(struct bufferevent *bev, void *arg)
{
	struct conn *c = arg;

	if (c->state == C_LINGER) {
		evbuffer_drain(bufferevent_get_input(bev), evbuffer_get_length(bufferevent_get_input(bev)));
		return;
	}
	process(c);
}

static void
client_write(struct bufferevent *bev, void *arg)
{
	struct conn *c = arg;

	if (c->state == C_CLOSING && evbuffer_get_length(bufferevent_get_output(bev)) == 0) {
		int fd = bufferevent_getfd(bev);

		if (c->tls || fd < 0) {
			conn_free(c);
			return;
		}
		/* lingering close: unread request bytes would turn close into a
		 * reset that can destroy the answer before the client reads it */
		shutdown(fd, SHUT_WR);
		c->state = C_LINGER;
		bufferevent_enable(bev, EV_READ);
		set_timer(c, T_LINGER, LINGER_MS);
		return;
	}
	if (c->up_paused && c->up != NULL && evbuffer_get_length(bufferevent_get_output(bev)) < OUT_HIGH / 4) {
		c->up_paused = false;
		bufferevent_enable(c->up->bev, EV_READ);
	}
}

static void
client_event(struct bufferevent *bev, short what, void *arg)
{
	struct conn *c = arg;

	(void)bev;
	if (what == BEV_EVENT_CONNECTED)	/* TLS handshake done */
		return;
	if ((what & BEV_EVENT_TIMEOUT) && c->state == C_BODY && c->req_out == NULL && c->up == NULL) {
		respond_local(c, 408, "slow request body", 0);
		return;
	}
	if ((what & BEV_EVENT_EOF) && c->state == C_WAIT && c->up != NULL) {
		/* half-close after a complete request: still answer */
		bufferevent_disable(bev, EV_READ);
		c->client_keep_alive = false;
		return;
	}
	conn_free(c);
}

static void
timer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct conn *c = arg;

	(void)fd;
	(void)what;
	if (c->timer_kind == T_HEADER && c->state == C_HEAD) {
		make_rid(c);
		respond_local(c, 408, "request head too slow", 0);
		return;
	}
	conn_free(c);
}

/* A new client connection on worker w, which has counted it in n_conns
 * already (uncounted again when this fails). */
static void
conn_start(struct worker *w, evutil_socket_t fd, const struct sockaddr *sa, bool tls)
{
	struct conn *c;
	struct siteconf *cfg;
	int one = 1;

	if ((c = calloc(1, sizeof(*c))) == NULL) {
		evutil_closesocket(fd);
		atomic_fetch_sub(&w->n_conns, 1);
		return;
	}
	c->w = w;
	c->tls = tls;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)sa;

		inet_ntop(AF_INET, &s4->sin_addr, c->ip, sizeof(c->ip));
	} else {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)sa;

		inet_ntop(AF_INET6, &s6->sin6_addr, c->ip, sizeof(c->ip));
		if (IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr))
			inet_ntop(AF_INET, &s6->sin6_addr.s6_addr[12], c->ip, sizeof(c->ip));
	}
	iplist_addr_parse(c->ip, c->ip16);
	cfg = proxy_config(w->px);
	http_parser_init(&c->rq, HTTP_REQUEST, &cfg->lim.http);
	if (c->tls) {
		SSL *ssl = SSL_new(cfg->front_ctx);

		if (ssl != NULL) {
			SSL_set_app_data(ssl, c);
			c->bev = bufferevent_openssl_socket_new(w->base, fd, ssl,
			    BUFFEREVENT_SSL_ACCEPTING, BEV_OPT_CLOSE_ON_FREE);
			if (c->bev == NULL)
				SSL_free(ssl);
		}
	} else {
		c->bev = bufferevent_socket_new(w->base, fd, BEV_OPT_CLOSE_ON_FREE);
	}
	c->timer = evtimer_new(w->base, timer_cb, c);
	if (c->bev == NULL || c->timer == NULL) {
		if (c->bev != NULL)
			bufferevent_free(c->bev);
		else
			evutil_closesocket(fd);
		event_free(c->timer);
		siteconf_unref(cfg);
		free(c);
		atomic_fetch_sub(&w->n_conns, 1);
		return;
	}
	atomic_fetch_add(&w->px->active, 1);
	c->next = w->conns;
	if (w->conns != NULL)
		w->conns->prev = c;
	w->conns = c;
	bufferevent_setcb(c->bev, client_read, client_write, client_event, c);
	bufferevent_setwatermark(c->bev, EV_READ, 0, cfg->lim.http.max_head + (256 << 10));
	c->write_ms = cfg->lim.idle_timeout_ms;
	client_timeouts(c, 0);
	bufferevent_enable(c->bev, EV_READ | EV_WRITE);
	set_timer(c, T_HEADER, cfg->lim.header_timeout_ms);
	siteconf_unref(cfg);
}

/* The connections other workers accepted for w. */
static void
adopt_cb(evutil_socket_t fd, short what, void *arg)
{
	struct worker *w = arg;
	struct handoff *h, *next;

	(void)fd;
	(void)what;
	pthread_mutex_lock(&w->hand_lock);
	h = w->hand;
	w->hand = NULL;
	pthread_mutex_unlock(&w->hand_lock);
	for (; h != NULL; h = next) {
		next = h->next;
		conn_start(w, h->fd, (struct sockaddr *)&h->ss, h->tls);
		free(h);
	}
}

/* The worker with the fewest client connections, w itself on a tie. */
static struct worker *
least_loaded(struct worker *w)
{
	struct proxy *px = w->px;
	struct worker *best = w;
	long least = atomic_load(&w->n_conns);

	for (size_t i = 0; i < px->n_workers; i++) {
		long n = atomic_load(&px->workers[i].n_conns);

		if (n < least) {
			least = n;
			best = &px->workers[i];
		}
	}
	return best;
}

/* Every worker polls the shared listen socket and the first one awake
 * accepts everything queued, so connections that arrive together (a
 * client opening 64 at once) would mostly land on one worker, whose
 * requests then queue behind each other while the other worker idles.
 * Each new connection goes to the worker with the fewest instead: taken
 * here, handed over through that worker's event loop. */
static void
accept_cb(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *sa, int salen, void *arg)
{
	struct lstn *ls = arg;
	struct worker *w = ls->w, *t = least_loaded(w);
	struct handoff *h;

	(void)l;
	atomic_fetch_add(&t->n_conns, 1);
	if (t != w && !atomic_load(&w->px->stopping) && salen > 0 &&
	    (size_t)salen <= sizeof(h->ss) && (h = calloc(1, sizeof(*h))) != NULL) {
		h->fd = fd;
		h->tls = ls->tls;
		memcpy(&h->ss, sa, (size_t)salen);
		pthread_mutex_lock(&t->hand_lock);
		h->next = t->hand;
		t->hand = h;
		pthread_mutex_unlock(&t->hand_lock);
		event_active(t->hand_ev, EV_READ, 0);
		return;
	}
	if (t != w) {
		atomic_fetch_sub(&t->n_conns, 1);
		atomic_fetch_add(&w->n_conns, 1);
	}
	conn_start(w, fd, sa, ls->tls);
}

static void
accept_resume(evutil_socket_t fd, short what, void *arg)
{
	struct lstn *ls = arg;

	(void)fd;
	(void)what;
	if (ls->l != NULL)
		evconnlistener_enable(ls->l);
}

/* Out of descriptors or memory: accept() would fail at once again and
 * spin, so pause this listener for 100 ms. */
static void
accept_error(struct evconnlistener *l, void *arg)
{
	struct lstn *ls = arg;
	int e = EVUTIL_SOCKET_ERROR();
	struct timeval tv = { 0, 100000 };

	if (e != EMFILE && e != ENFILE && e != ENOBUFS && e != ENOMEM)
		return;
	if (now_ms() - ls->warned_ms > 10000) {
		ls->warned_ms = now_ms();
		log_warn("proxy: accept: %s; pausing new connections for 100 ms", strerror(e));
	}
	evconnlistener_disable(l);
	evtimer_add(ls->pause, &tv);
}

/* ---- workers and life cycle ------------------------------------------ */

static void *
worker_main(void *arg)
{
	struct worker *w = arg;

	event_base_dispatch(w->base);
	return NULL;
}

struct proxy *
proxy_new(struct siteconf *cfg, struct events *ev, size_t cc_entries, char *err, size_t errlen)
{
	struct proxy *px = calloc(1, sizeof(*px));

	if (px == NULL || evthread_use_pthreads() < 0) {
		snprintf(err, errlen, "out of memory");
		free(px);
		siteconf_unref(cfg);
		events_close(ev);
		return NULL;
	}
	pthread_mutex_init(&px->cfg_lock, NULL);
	px->cfg = cfg;
	px->events = ev;
	if ((px->cc = cc_new(cc_entries)) == NULL) {
		snprintf(err, errlen, "out of memory for the CC table");
		proxy_stop_and_free(px, 0);
		return NULL;
	}
	if (getrandom(&px->rid_seed, sizeof(px->rid_seed), 0) != sizeof(px->rid_seed))
		px->rid_seed = (uint64_t)time(NULL) * 2654435761u;
	the_proxy = px;
	return px;
}

int
proxy_listen(struct proxy *px, const char *addr, bool tls, char *err, size_t errlen)
{
	struct sockaddr_storage ss;
	int sl = sizeof(ss), fd, one = 1;

	if (px->n_fds >= 2) {
		snprintf(err, errlen, "at most one plain and one TLS listener");
		return -1;
	}
	memset(&ss, 0, sizeof(ss));
	if (evutil_parse_sockaddr_port(addr, (struct sockaddr *)&ss, &sl) < 0 ||
	    (ss.ss_family == AF_INET && ((struct sockaddr_in *)&ss)->sin_port == 0)) {
		snprintf(err, errlen, "listen address %s is not ADDR:PORT or [ADDR]:PORT", addr);
		return -1;
	}
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(fd, (struct sockaddr *)&ss, (socklen_t)sl) < 0 || listen(fd, 1024) < 0) {
		snprintf(err, errlen, "listen on %s: %s", addr, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	px->fds[px->n_fds] = fd;
	px->fd_tls[px->n_fds] = tls;
	px->n_fds++;
	return 0;
}

int
proxy_start(struct proxy *px, size_t n, char *err, size_t errlen)
{
	if (n == 0)
		n = 1;
	if ((px->workers = calloc(n, sizeof(*px->workers))) == NULL)
		goto oom;
	for (size_t i = 0; i < n; i++) {
		struct worker *w = &px->workers[i];

		w->px = px;
		w->idx = i;
		pthread_mutex_init(&w->hand_lock, NULL);
		px->n_workers = i + 1;
		if ((w->base = event_base_new()) == NULL ||
		    (w->hand_ev = event_new(w->base, -1, 0, adopt_cb, w)) == NULL ||
		    (w->resp = evbuffer_new()) == NULL)
			goto oom;
		for (size_t k = 0; k < px->n_fds; k++) {
			int fd = dup(px->fds[k]);

			w->lst[k].w = w;
			w->lst[k].tls = px->fd_tls[k];
			w->lst[k].l = fd < 0 ? NULL : evconnlistener_new(w->base, accept_cb, &w->lst[k],
			    LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC, -1, fd);
			if (w->lst[k].l == NULL) {
				if (fd >= 0)
					close(fd);
				goto oom;
			}
			w->n_lst = k + 1;
			if ((w->lst[k].pause = evtimer_new(w->base, accept_resume, &w->lst[k])) == NULL)
				goto oom;
			evconnlistener_set_error_cb(w->lst[k].l, accept_error);
		}
	}
	for (size_t i = 0; i < n; i++)
		if (pthread_create(&px->workers[i].thread, NULL, worker_main, &px->workers[i]) != 0) {
			snprintf(err, errlen, "cannot start worker threads");
			return -1;
		}
	px->health = health_start(current_cfg, px);
	return 0;
oom:
	snprintf(err, errlen, "cannot set up the event loops: out of memory");
	return -1;
}

static void
stop_listening(evutil_socket_t fd, short what, void *arg)
{
	struct worker *w = arg;

	(void)fd;
	(void)what;
	for (size_t k = 0; k < w->n_lst; k++) {
		evconnlistener_free(w->lst[k].l);
		w->lst[k].l = NULL;
		if (w->lst[k].pause != NULL)
			event_free(w->lst[k].pause);
		w->lst[k].pause = NULL;
	}
	w->n_lst = 0;
	/* idle keep-alive connections go now; requests in flight finish */
	for (struct conn *c = w->conns, *next; c != NULL; c = next) {
		next = c->next;
		if (c->state == C_HEAD && evbuffer_get_length(bufferevent_get_input(c->bev)) == 0)
			conn_free(c);
	}
}

static void
worker_free(struct worker *w)
{
	for (struct handoff *h = w->hand, *next; h != NULL; h = next) {
		next = h->next;
		evutil_closesocket(h->fd);
		free(h);
	}
	w->hand = NULL;
	if (w->hand_ev != NULL)
		event_free(w->hand_ev);
	pthread_mutex_destroy(&w->hand_lock);
	while (w->conns != NULL)
		conn_free(w->conns);
	while (w->idle != NULL)
		up_free(w->idle);
	for (size_t k = 0; k < w->n_lst; k++) {
		if (w->lst[k].l != NULL)
			evconnlistener_free(w->lst[k].l);
		if (w->lst[k].pause != NULL)
			event_free(w->lst[k].pause);
	}
	if (w->resp != NULL)
		evbuffer_free(w->resp);
	if (w->base != NULL)
		event_base_free(w->base);
}

void
proxy_stop_and_free(struct proxy *px, int drain_ms)
{
	struct timeval zero = { 0, 0 };
	bool started;

	if (px == NULL)
		return;
	atomic_store(&px->stopping, true);
	started = px->n_workers > 0 && px->workers[0].thread != 0;
	for (size_t i = 0; started && i < px->n_workers; i++)
		event_base_once(px->workers[i].base, -1, EV_TIMEOUT, stop_listening, &px->workers[i],
		    &zero);
	/* with the workers' copies closed too, new connections are refused
	 * at once instead of waiting in the backlog */
	for (size_t k = 0; k < px->n_fds; k++)
		close(px->fds[k]);
	px->n_fds = 0;
	for (int waited = 0; started && waited < drain_ms && atomic_load(&px->active) > 0; waited += 20)
		usleep(20 * 1000);
	for (size_t i = 0; started && i < px->n_workers; i++)
		event_base_loopbreak(px->workers[i].base);
	for (size_t i = 0; i < px->n_workers; i++) {
		if (started)
			pthread_join(px->workers[i].thread, NULL);
		worker_free(&px->workers[i]);
	}
	health_stop(px->health);
	free(px->workers);
	for (size_t k = 0; k < px->n_fds; k++)
		close(px->fds[k]);
	cc_free(px->cc);
	events_close(px->events);
	siteconf_unref(px->cfg);
	pthread_mutex_destroy(&px->cfg_lock);
	if (the_proxy == px)
		the_proxy = NULL;
	free(px);
}
