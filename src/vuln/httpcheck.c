/*
 * httpcheck: the table of web checks and the bounded HTTP/1.0 client that
 * feeds it. Adding a check is adding a row (and, for what markers cannot
 * say, a match function). Evidence never carries secrets: an exposed .env
 * is reported by its key names only.
 */
#include "httpcheck.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "netconn.h"

#define MAX_PATHS 16

static const char *
find_ci(const char *buf, size_t n, const char *needle)
{
	size_t m = strlen(needle);

	for (size_t i = 0; m <= n && i <= n - m; i++) {
		size_t j = 0;
		while (j < m && tolower((unsigned char)buf[i + j]) ==
		    tolower((unsigned char)needle[j]))
			j++;
		if (j == m)
			return buf + i;
	}
	return NULL;
}

int
httpcheck_parse(struct httpcheck_response *r)
{
	const char *b = r->buf, *end;
	size_t i = 5;

	r->status = 0;
	r->head_len = 0;
	if (r->len > HTTPCHECK_MAX)
		r->len = HTTPCHECK_MAX;
	r->buf[r->len] = '\0';
	if (r->len < 12 || memcmp(b, "HTTP/1.", 7) != 0)
		return -1;
	while (i < r->len && b[i] != ' ')
		i++;
	if (i + 4 > r->len || !isdigit((unsigned char)b[i + 1]) ||
	    !isdigit((unsigned char)b[i + 2]) || !isdigit((unsigned char)b[i + 3]))
		return -1;
	r->status = (b[i + 1] - '0') * 100 + (b[i + 2] - '0') * 10 + (b[i + 3] - '0');
	/* The head ends at the first empty line (CRLF CRLF or LF LF). */
	for (end = b; (size_t)(end - b) < r->len; end++) {
		size_t left = r->len - (size_t)(end - b);
		if (left >= 4 && memcmp(end, "\r\n\r\n", 4) == 0) {
			r->head_len = (size_t)(end - b) + 4;
			return 0;
		}
		if (left >= 2 && memcmp(end, "\n\n", 2) == 0) {
			r->head_len = (size_t)(end - b) + 2;
			return 0;
		}
	}
	r->head_len = r->len;	/* cut short: all head, no body */
	return 0;
}

const char *
httpcheck_header(const struct httpcheck_response *r, const char *name,
    size_t *vlen)
{
	size_t nl = strlen(name), i = 0;

	/* Skip the status line; then one header per line. */
	while (i < r->head_len && r->buf[i] != '\n')
		i++;
	while (++i < r->head_len) {
		size_t s = i, e;

		while (i < r->head_len && r->buf[i] != '\n')
			i++;
		e = i;
		if (e > s && r->buf[e - 1] == '\r')
			e--;
		if (e - s > nl && r->buf[s + nl] == ':' &&
		    strncasecmp(r->buf + s, name, nl) == 0) {
			s += nl + 1;
			while (s < e && (r->buf[s] == ' ' || r->buf[s] == '\t'))
				s++;
			*vlen = e - s;
			return r->buf + s;
		}
	}
	return NULL;
}

int
httpcheck_fetch(const struct sockaddr *sa, socklen_t salen, uint16_t port,
    bool tls, const char *host, const char *method, const char *path,
    unsigned timeout_ms, struct httpcheck_response *r)
{
	char req[1024], hostport[300];
	SSL_CTX *ctx = NULL;
	SSL *ssl = NULL;
	int fd, n, rc = -1;

	r->len = 0;
	r->status = 0;
	r->head_len = 0;
	r->buf[0] = '\0';
	if (strchr(host, ':') != NULL)
		snprintf(hostport, sizeof(hostport), "[%s]:%u", host, port);
	else
		snprintf(hostport, sizeof(hostport), "%s:%u", host, port);
	n = snprintf(req, sizeof(req), "%s %s HTTP/1.0\r\nHost: %s\r\n"
	    "User-Agent: yunshou-scan/" YS_VERSION "\r\nAccept: */*\r\n"
	    "Connection: close\r\n\r\n", method, path, hostport);
	if (n < 0 || (size_t)n >= sizeof(req))
		return -1;
	fd = netconn_open(sa, salen, port, timeout_ms);
	if (fd < 0)
		return -1;
	if (tls) {
		ctx = netconn_tls_ctx(0, 0, NULL);
		if (ctx == NULL || (ssl = netconn_tls_start(ctx, fd, host)) == NULL)
			goto out;
	}
	if (netconn_send(fd, ssl, req, (size_t)n) != 0)
		goto out;
	r->len = netconn_recv(fd, ssl, r->buf, HTTPCHECK_MAX, timeout_ms, true);
	rc = httpcheck_parse(r);
out:
	netconn_tls_close(ssl);
	SSL_CTX_free(ctx);
	close(fd);
	return rc;
}

/* X-Frame-Options, or a CSP with frame-ancestors: either stops framing. */
static int
m_no_frame_protection(const struct httpcheck_response *r, char *ev, size_t evlen)
{
	size_t vl;
	const char *v;

	if (httpcheck_header(r, "X-Frame-Options", &vl) != NULL)
		return 0;
	v = httpcheck_header(r, "Content-Security-Policy", &vl);
	if (v != NULL && find_ci(v, vl, "frame-ancestors") != NULL)
		return 0;
	snprintf(ev, evlen, "GET / -> %d without X-Frame-Options or CSP frame-ancestors",
	    r->status);
	return 1;
}

/* A .env file: lines KEY=VALUE (KEY in [A-Za-z_][A-Za-z0-9_]*), comments
 * and blank lines, nothing else, at least one assignment, not HTML. Only
 * the key names go into the evidence. */
static int
m_env_file(const struct httpcheck_response *r, char *ev, size_t evlen)
{
	const char *p = r->buf + r->head_len, *end = r->buf + r->len;
	size_t keys = 0, o;

	if (r->status != 200 || p >= end)
		return 0;
	o = (size_t)snprintf(ev, evlen, "GET /.env -> 200, keys (values withheld):");
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p)), *k = p;
		const char *le = nl != NULL ? nl : end;

		if (strncmp(p, "export ", 7) == 0)
			k = p + 7;
		if (le > p && *p != '#' && !(le - p == 1 && *p == '\r')) {
			const char *q = k;
			if (!(isalpha((unsigned char)*q) || *q == '_'))
				return 0;
			while (q < le && (isalnum((unsigned char)*q) || *q == '_'))
				q++;
			if (q >= le || *q != '=')
				return 0;
			if (o + 2 < evlen && keys < 12)
				o += (size_t)snprintf(ev + o, evlen - o, " %.*s",
				    (int)(q - k > 40 ? 40 : q - k), k);
			keys++;
		}
		p = le + 1;
	}
	return keys > 0;
}

/* A login form: a password input. */
static int
m_login_form(const struct httpcheck_response *r, char *ev, size_t evlen)
{
	const char *b = r->buf + r->head_len;
	size_t n = r->len - r->head_len;

	if (r->status != 200)
		return 0;
	if (find_ci(b, n, "type=\"password\"") == NULL &&
	    find_ci(b, n, "type='password'") == NULL &&
	    find_ci(b, n, "type=password") == NULL)
		return 0;
	snprintf(ev, evlen, "GET /admin/ -> 200 with a password field");
	return 1;
}

#define SEC_HDR_REM_ZH "在 Web 服务器或应用中为所有响应添加该安全响应头。"
#define SEC_HDR_REM_EN "Send this security header on every response from the web server or application."

const struct httpcheck_def httpcheck_table[] = {
	{ { "http-missing-hsts", NETFINDING_LOW, "HTTPS 未启用 HSTS（缺少 Strict-Transport-Security）",
	    "HTTPS without HSTS (Strict-Transport-Security missing)",
	    "添加 Strict-Transport-Security: max-age=31536000; includeSubDomains。",
	    "Send Strict-Transport-Security: max-age=31536000; includeSubDomains." },
	  "GET", "/", 0, { NULL }, "Strict-Transport-Security", NULL, true },
	{ { "http-missing-x-content-type-options", NETFINDING_LOW,
	    "缺少 X-Content-Type-Options 响应头", "X-Content-Type-Options header missing",
	    "添加 X-Content-Type-Options: nosniff。" SEC_HDR_REM_ZH,
	    "Send X-Content-Type-Options: nosniff. " SEC_HDR_REM_EN },
	  "GET", "/", 0, { NULL }, "X-Content-Type-Options", NULL, false },
	{ { "http-missing-frame-protection", NETFINDING_LOW,
	    "缺少点击劫持防护（X-Frame-Options 或 CSP frame-ancestors）",
	    "No clickjacking protection (X-Frame-Options or CSP frame-ancestors)",
	    "添加 X-Frame-Options: DENY 或 CSP frame-ancestors 'none'。",
	    "Send X-Frame-Options: DENY or a CSP with frame-ancestors 'none'." },
	  "GET", "/", 0, { NULL }, NULL, m_no_frame_protection, false },
	{ { "http-git-exposed", NETFINDING_HIGH, "Git 仓库目录（.git/）可被访问",
	    "Git repository (.git/) is exposed",
	    "禁止访问 .git 目录（如 nginx: location ~ /\\.git { deny all; }），并从网站根目录移除。",
	    "Deny access to .git (nginx: location ~ /\\.git { deny all; }) and remove it from the web root." },
	  "GET", "/.git/HEAD", 200, { "ref: refs/", NULL }, NULL, NULL, false },
	{ { "http-env-exposed", NETFINDING_HIGH, "环境配置文件（.env）可被访问",
	    "Environment file (.env) is exposed",
	    "禁止访问 .env 等隐藏文件，将其移出网站根目录，并轮换其中的所有密钥。",
	    "Deny access to dotfiles, move .env out of the web root and rotate every secret in it." },
	  "GET", "/.env", 200, { NULL }, NULL, m_env_file, false },
	{ { "http-directory-listing", NETFINDING_MEDIUM, "目录列表已开启",
	    "Directory listing is enabled",
	    "关闭目录浏览（nginx autoindex off; Apache Options -Indexes）。",
	    "Turn directory listing off (nginx autoindex off; Apache Options -Indexes)." },
	  "GET", "/", 200, { "<title>Index of /", "Directory listing for /", NULL },
	  NULL, NULL, false },
	{ { "http-default-page", NETFINDING_LOW, "Web 服务器默认页面",
	    "Web server default page",
	    "删除默认页面并部署实际站点，避免暴露服务器类型与版本。",
	    "Remove the default page and serve the real site; it reveals the server and its setup." },
	  "GET", "/", 200, { "Welcome to nginx", "Apache2 Debian Default Page",
	    "Apache2 Ubuntu Default Page" }, NULL, NULL, false },
	{ { "http-phpmyadmin-exposed", NETFINDING_MEDIUM, "phpMyAdmin 管理界面对外开放",
	    "phpMyAdmin is reachable",
	    "限制 phpMyAdmin 仅允许管理网段或 VPN 访问，并启用强认证。",
	    "Allow phpMyAdmin from the management network or VPN only, with strong authentication." },
	  "GET", "/phpmyadmin/", 200, { "phpMyAdmin", NULL }, NULL, NULL, false },
	{ { "http-admin-panel-exposed", NETFINDING_MEDIUM, "管理后台登录页面对外开放",
	    "Admin login page is reachable",
	    "限制管理后台的访问来源（IP 白名单/VPN），启用多因素认证和登录失败锁定。",
	    "Restrict the admin panel to known sources (allow-list or VPN); require MFA and lock out repeated failures." },
	  "GET", "/admin/", 200, { NULL }, NULL, m_login_form, false },
	{ { NULL, 0, NULL, NULL, NULL, NULL }, NULL, NULL, 0, { NULL }, NULL, NULL, false },
};

struct fetched {
	const char *method, *path;
	struct httpcheck_response *resp;	/* NULL: fetch failed */
};

static int
row_hits(const struct httpcheck_def *d, const struct httpcheck_response *r,
    char *ev, size_t evlen)
{
	const char *body = r->buf + r->head_len;
	size_t blen = r->len - r->head_len;
	size_t vl;

	if (d->status != 0 && r->status != d->status)
		return 0;
	if (d->missing_header != NULL) {
		if (httpcheck_header(r, d->missing_header, &vl) != NULL)
			return 0;
		snprintf(ev, evlen, "%s %s -> %d without %s", d->method, d->path,
		    r->status, d->missing_header);
		return 1;
	}
	if (d->match != NULL)
		return d->match(r, ev, evlen);
	for (int i = 0; i < 3 && d->markers[i] != NULL; i++) {
		const char *m = memmem(body, blen, d->markers[i], strlen(d->markers[i]));
		if (m != NULL) {
			char line[96];
			const char *nl = memchr(m, '\n', blen - (size_t)(m - body));
			size_t ll = nl != NULL ? (size_t)(nl - m) : blen - (size_t)(m - body);
			netfinding_printable(line, sizeof(line), m, ll, 1);
			snprintf(ev, evlen, "%s %s -> %d, body: %s", d->method, d->path,
			    r->status, line);
			return 1;
		}
	}
	return 0;
}

int
httpcheck_run(const struct sockaddr *sa, socklen_t salen, uint16_t port,
    bool tls, const char *host, unsigned timeout_ms,
    struct netfinding_list *l)
{
	struct fetched cache[MAX_PATHS];
	size_t ncache = 0;
	int checked = 0, rc = 0;
	char ev[256];

	for (const struct httpcheck_def *d = httpcheck_table; d->finding.id != NULL; d++) {
		struct fetched *f = NULL;

		if (d->https_only && !tls)
			continue;
		for (size_t i = 0; i < ncache; i++)
			if (strcmp(cache[i].method, d->method) == 0 &&
			    strcmp(cache[i].path, d->path) == 0)
				f = &cache[i];
		if (f == NULL) {
			if (ncache == MAX_PATHS)
				continue;
			f = &cache[ncache++];
			f->method = d->method;
			f->path = d->path;
			f->resp = malloc(sizeof(*f->resp));
			if (f->resp == NULL) {
				rc = -1;
				break;
			}
			if (httpcheck_fetch(sa, salen, port, tls, host, d->method, d->path,
			    timeout_ms, f->resp) != 0) {
				free(f->resp);
				f->resp = NULL;
			}
		}
		if (f->resp == NULL)
			continue;
		checked++;
		ev[0] = '\0';
		if (row_hits(d, f->resp, ev, sizeof(ev)) &&
		    netfinding_add(l, &d->finding, port, "%s", ev) != 0) {
			rc = -1;
			break;
		}
	}
	for (size_t i = 0; i < ncache; i++)
		free(cache[i].resp);
	return rc < 0 ? -1 : checked;
}
