/*
 * svcid: banner matchers and probes. Adding a service is a row in
 * svcid_probes and its matcher. Matchers copy at most their field sizes
 * out of the answer and read only buf[0..n).
 */
#include "svcid.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "netconn.h"

#define ANSWER_MAX 4096

static void
set_field(char *dst, size_t cap, const uint8_t *src, size_t n)
{
	netfinding_printable(dst, cap, src, n, 1);
}

static void
set_service(struct svcid_result *out, const char *name)
{
	snprintf(out->service, sizeof(out->service), "%s", name);
}

/* Length of the first line of buf (without CR/LF). */
static size_t
line_len(const uint8_t *buf, size_t n)
{
	size_t i = 0;

	while (i < n && buf[i] != '\r' && buf[i] != '\n')
		i++;
	return i;
}

/* Case-insensitive search of needle in buf[0..n). */
static const uint8_t *
find_ci(const uint8_t *buf, size_t n, const char *needle)
{
	size_t m = strlen(needle);

	for (size_t i = 0; m <= n && i <= n - m; i++) {
		size_t j = 0;
		while (j < m && tolower(buf[i + j]) == tolower((unsigned char)needle[j]))
			j++;
		if (j == m)
			return buf + i;
	}
	return NULL;
}

/* "product/version rest" or "product_version": splits at the first
 * separator into the two fields. */
static void
split_product(struct svcid_result *out, const uint8_t *s, size_t n, char sep)
{
	size_t i = 0, end;

	while (i < n && s[i] != sep && s[i] != ' ')
		i++;
	set_field(out->product, sizeof(out->product), s, i);
	if (i < n && s[i] == sep) {
		end = i + 1;
		while (end < n && s[end] != ' ')
			end++;
		set_field(out->version, sizeof(out->version), s + i + 1, end - i - 1);
	}
}

/* "SSH-2.0-OpenSSH_9.2p1 Debian-2" (RFC 4253 4.2). */
static int
match_ssh(const uint8_t *buf, size_t n, struct svcid_result *out)
{
	size_t len = line_len(buf, n), i = 4;

	if (len < 8 || memcmp(buf, "SSH-", 4) != 0)
		return 0;
	while (i < len && buf[i] != '-')
		i++;
	if (i >= len)
		return 0;
	set_service(out, "ssh");
	split_product(out, buf + i + 1, len - i - 1, '_');
	return 1;
}

/* "220 ... FTP ...": the product is the word holding "FTP". */
static int
match_ftp(const uint8_t *buf, size_t n, struct svcid_result *out)
{
	size_t len = line_len(buf, n), s, e;
	const uint8_t *p;

	if (len < 4 || memcmp(buf, "220", 3) != 0 || (buf[3] != ' ' && buf[3] != '-'))
		return 0;
	p = find_ci(buf, len, "FTP");
	if (p == NULL)
		return 0;
	set_service(out, "ftp");
	s = (size_t)(p - buf);
	while (s > 4 && buf[s - 1] != ' ' && buf[s - 1] != '(')
		s--;
	e = (size_t)(p - buf);
	while (e < len && buf[e] != ' ' && buf[e] != ')')
		e++;
	set_field(out->product, sizeof(out->product), buf + s, e - s);
	if (e + 1 < len && buf[e] == ' ' && isdigit(buf[e + 1])) {
		size_t v = e + 1;
		while (v < len && buf[v] != ' ' && buf[v] != ')')
			v++;
		set_field(out->version, sizeof(out->version), buf + e + 1, v - e - 1);
	}
	return 1;
}

/* "220 mail.example ESMTP Postfix": the word after ESMTP/SMTP. */
static int
match_smtp(const uint8_t *buf, size_t n, struct svcid_result *out)
{
	size_t len = line_len(buf, n), s, e;
	const uint8_t *p;

	if (len < 4 || memcmp(buf, "220", 3) != 0 || (buf[3] != ' ' && buf[3] != '-'))
		return 0;
	set_service(out, "smtp");
	p = find_ci(buf, len, "SMTP ");
	if (p != NULL) {
		s = (size_t)(p - buf) + 5;
		e = s;
		while (e < len && buf[e] != ' ')
			e++;
		set_field(out->product, sizeof(out->product), buf + s, e - s);
	}
	return 1;
}

/* MySQL/MariaDB initial handshake: 3-byte length, sequence 0, protocol
 * 10, NUL-terminated server version. An error packet (0xff) from a server
 * that refuses this host is MySQL too. */
static int
match_mysql(const uint8_t *buf, size_t n, struct svcid_result *out)
{
	size_t plen, i;

	if (n < 6)
		return 0;
	plen = (size_t)buf[0] | (size_t)buf[1] << 8 | (size_t)buf[2] << 16;
	if (buf[3] != 0 || plen < 2 || plen > 1024)
		return 0;
	if (buf[4] == 0xff && n >= 7) {
		/* The message ends where the packet does, or where the answer
		 * was cut; a packet shorter than its 3-byte header leaves none. */
		size_t end = plen + 4 < n ? plen + 4 : n;

		set_service(out, "mysql");
		set_field(out->banner, sizeof(out->banner), buf + 7,
		    end > 7 ? end - 7 : 0);
		return 1;
	}
	if (buf[4] != 0x0a)
		return 0;
	for (i = 5; i < n && i < plen + 4 && buf[i] != '\0'; i++)
		if (buf[i] < 0x20 || buf[i] >= 0x7f)
			return 0;
	if (i >= n || buf[i] != '\0' || i == 5)
		return 0;
	set_service(out, "mysql");
	set_field(out->version, sizeof(out->version), buf + 5, i - 5);
	snprintf(out->product, sizeof(out->product), "%s",
	    find_ci(buf + 5, i - 5, "mariadb") != NULL ? "MariaDB" : "MySQL");
	return 1;
}

/* "HTTP/1.x NNN ..." with the Server header as product/version. */
static int
match_http(const uint8_t *buf, size_t n, struct svcid_result *out)
{
	size_t len = line_len(buf, n), i;

	if (len < 12 || memcmp(buf, "HTTP/", 5) != 0)
		return 0;
	i = 5;
	while (i < len && buf[i] != ' ')
		i++;
	if (i + 4 > len || !isdigit(buf[i + 1]) || !isdigit(buf[i + 2]) ||
	    !isdigit(buf[i + 3]))
		return 0;
	set_service(out, out->tls ? "https" : "http");
	out->http_status = (buf[i + 1] - '0') * 100 + (buf[i + 2] - '0') * 10 +
	    (buf[i + 3] - '0');
	/* Headers: lines after the status line, up to the blank line. */
	i = len;
	while (i < n) {
		size_t s, l;

		while (i < n && (buf[i] == '\r' || buf[i] == '\n')) {
			if (buf[i] == '\n' && i + 1 < n && (buf[i + 1] == '\n' ||
			    (buf[i + 1] == '\r' && i + 2 < n && buf[i + 2] == '\n')))
				return 1;
			i++;
		}
		s = i;
		l = line_len(buf + s, n - s);
		if (l > 7 && find_ci(buf + s, 7, "server:") == buf + s) {
			size_t v = 7;
			while (v < l && buf[s + v] == ' ')
				v++;
			split_product(out, buf + s + v, l - v, '/');
			return 1;
		}
		i = s + l;
	}
	return 1;
}

/* Redis: +PONG (no password), -NOAUTH (requirepass), -DENIED (protected
 * mode), or its answer to a command it does not know. */
static int
match_redis(const uint8_t *buf, size_t n, struct svcid_result *out)
{
	if (n >= 5 && memcmp(buf, "+PONG", 5) == 0)
		out->auth = SVCID_AUTH_NONE;
	else if ((n >= 7 && memcmp(buf, "-NOAUTH", 7) == 0) ||
	    (n >= 7 && memcmp(buf, "-DENIED", 7) == 0))
		out->auth = SVCID_AUTH_REQUIRED;
	else if (n >= 20 && memcmp(buf, "-ERR unknown command", 20) == 0)
		out->auth = SVCID_AUTH_UNKNOWN;
	else
		return 0;
	set_service(out, "redis");
	snprintf(out->product, sizeof(out->product), "Redis");
	return 1;
}

/* PostgreSQL answers SSLRequest with one byte: 'S' (TLS offered) or 'N'. */
static int
match_pgsql(const uint8_t *buf, size_t n, struct svcid_result *out)
{
	if (n != 1 || (buf[0] != 'S' && buf[0] != 'N'))
		return 0;
	set_service(out, "postgresql");
	snprintf(out->product, sizeof(out->product), "PostgreSQL");
	snprintf(out->version, sizeof(out->version), "%s",
	    buf[0] == 'S' ? "ssl" : "no-ssl");
	return 1;
}

/* Memcached's text protocol answers "stats" with STAT lines to anyone:
 * it has no authentication outside SASL builds. */
static int
match_memcached(const uint8_t *buf, size_t n, struct svcid_result *out)
{
	const uint8_t *v;

	if (n < 5 || memcmp(buf, "STAT ", 5) != 0)
		return 0;
	set_service(out, "memcached");
	snprintf(out->product, sizeof(out->product), "Memcached");
	out->auth = SVCID_AUTH_NONE;
	v = find_ci(buf, n, "STAT version ");
	if (v != NULL) {
		size_t s = (size_t)(v - buf) + 13, e = s;

		while (e < n && buf[e] != '\r' && buf[e] != '\n')
			e++;
		set_field(out->version, sizeof(out->version), buf + s, e - s);
	}
	return 1;
}

static uint32_t
le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* The top-level element name of the BSON document doc[0..n): its type and
 * where its value starts. 0 found, -1 absent or malformed. */
static int
bson_find(const uint8_t *doc, size_t n, const char *name, uint8_t *type, const uint8_t **val,
    size_t *vlen)
{
	size_t i = 4, nl = strlen(name);

	if (n < 5 || le32(doc) != n || doc[n - 1] != 0)
		return -1;
	while (i < n - 1) {
		uint8_t t = doc[i++];
		size_t k = i, len;

		while (k < n && doc[k] != 0)
			k++;
		if (k >= n - 1)
			return -1;
		switch (t) {
		case 0x01: case 0x09: case 0x11: case 0x12: len = 8; break;
		case 0x07: len = 12; break;
		case 0x08: len = 1; break;
		case 0x0a: len = 0; break;
		case 0x10: len = 4; break;
		case 0x13: len = 16; break;
		case 0x02: case 0x03: case 0x04: case 0x05:
			if (k + 5 > n)
				return -1;
			len = le32(doc + k + 1);
			len += t == 0x02 ? 4 : t == 0x05 ? 5 : 0;
			break;
		default:
			return -1;
		}
		if (len > n - (k + 1))
			return -1;
		if (k - i == nl && memcmp(doc + i, name, nl) == 0) {
			*type = t;
			*val = doc + k + 1;
			*vlen = len;
			return 0;
		}
		i = k + 1 + len;
	}
	return -1;
}

/* MongoDB's OP_MSG answer to listDatabases: ok 1 with the databases
 * listed (anyone may read them), or ok 0 "Unauthorized" (code 13). */
static int
match_mongodb(const uint8_t *buf, size_t n, struct svcid_result *out)
{
	const uint8_t *v;
	uint8_t t;
	size_t len, dl;
	double ok = -1;

	if (n < 26 || le32(buf) > n || le32(buf) < 26 || le32(buf + 12) != 2013 || buf[20] != 0)
		return 0;
	n = le32(buf);
	dl = le32(buf + 21);
	if (dl > n - 21 || bson_find(buf + 21, dl, "ok", &t, &v, &len) < 0)
		return 0;
	if (t == 0x01)
		memcpy(&ok, v, sizeof(ok));
	else if (t == 0x10)
		ok = (int32_t)le32(v);
	else if (t == 0x12)
		ok = (double)(le32(v) | (uint64_t)le32(v + 4) << 32);
	else
		return 0;
	set_service(out, "mongodb");
	snprintf(out->product, sizeof(out->product), "MongoDB");
	if (ok == 1 && bson_find(buf + 21, dl, "databases", &t, &v, &len) == 0 && t == 0x04)
		out->auth = SVCID_AUTH_NONE;
	else if (ok == 0 && bson_find(buf + 21, dl, "code", &t, &v, &len) == 0 && t == 0x10 &&
	    le32(v) == 13)
		out->auth = SVCID_AUTH_REQUIRED;
	return 1;
}

/* OP_MSG {listDatabases: 1, nameOnly: true, $db: "admin"}. */
static const char mongo_listdbs[71] = {
	0x47, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, (char)0xdd, 0x07,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x32, 0x00, 0x00, 0x00, 0x10, 'l', 'i', 's', 't',
	'D', 'a', 't', 'a', 'b', 'a', 's', 'e', 's', 0x00, 0x01, 0x00, 0x00, 0x00, 0x08, 'n', 'a',
	'm', 'e', 'O', 'n', 'l', 'y', 0x00, 0x01, 0x02, '$', 'd', 'b', 0x00, 0x06, 0x00, 0x00,
	0x00, 'a', 'd', 'm', 'i', 'n', 0x00, 0x00,
};

/* SSLRequest: length 8, code 80877103 (RFC: PostgreSQL protocol 53.2.9). */
static const char pg_sslrequest[8] = { 0, 0, 0, 8, 0x04, (char)0xd2, 0x16, 0x2f };

const struct svcid_probe svcid_probes[] = {
	{ "ssh", NULL, 0, match_ssh, true },
	{ "mysql", NULL, 0, match_mysql, true },
	{ "ftp", NULL, 0, match_ftp, true },
	{ "smtp", NULL, 0, match_smtp, true },
	{ "http", "HEAD / HTTP/1.0\r\n\r\n", 19, match_http, true },
	{ "redis", "PING\r\n", 6, match_redis, true },
	{ "postgresql", pg_sslrequest, sizeof(pg_sslrequest), match_pgsql, false },
	{ "mongodb", mongo_listdbs, sizeof(mongo_listdbs), match_mongodb, false },
	{ "memcached", "stats\r\n", 7, match_memcached, true },
	{ NULL, NULL, 0, NULL, false },
};

int
svcid_match(const uint8_t *buf, size_t n, struct svcid_result *out)
{
	for (const struct svcid_probe *p = svcid_probes; p->name != NULL; p++)
		if (p->generic && p->match(buf, n, out))
			return 1;
	return 0;
}

static bool
is_tls_port(uint16_t port)
{
	static const uint16_t ports[] = { 443, 465, 636, 853, 989, 990, 993, 995,
	    5061, 5986, 6443, 8443, 9443 };

	for (size_t i = 0; i < sizeof(ports) / sizeof(ports[0]); i++)
		if (ports[i] == port)
			return true;
	return false;
}

/* A TLS handshake, then HTTP inside it. 1 if TLS answered. */
static int
try_tls(const struct sockaddr *sa, socklen_t salen, uint16_t port,
    unsigned timeout_ms, struct svcid_result *out)
{
	uint8_t buf[ANSWER_MAX];
	SSL_CTX *ctx;
	SSL *ssl;
	size_t n;
	int fd;

	ctx = netconn_tls_ctx(0, 0, NULL);
	if (ctx == NULL)
		return 0;
	fd = netconn_open(sa, salen, port, timeout_ms);
	if (fd < 0) {
		SSL_CTX_free(ctx);
		return 0;
	}
	ssl = netconn_tls_start(ctx, fd, NULL);
	if (ssl == NULL) {
		close(fd);
		SSL_CTX_free(ctx);
		return 0;
	}
	out->tls = true;
	set_service(out, "tls");
	snprintf(out->probe, sizeof(out->probe), "tls");
	snprintf(out->version, sizeof(out->version), "%s", SSL_get_version(ssl));
	if (netconn_send(fd, ssl, "HEAD / HTTP/1.0\r\n\r\n", 19) == 0) {
		n = netconn_recv(fd, ssl, buf, sizeof(buf), timeout_ms, true);
		if (n > 0 && match_http(buf, n, out))
			set_field(out->banner, sizeof(out->banner), buf, n);
	}
	netconn_tls_close(ssl);
	close(fd);
	SSL_CTX_free(ctx);
	return 1;
}

int
svcid_identify(const struct sockaddr *sa, socklen_t salen, uint16_t port,
    unsigned timeout_ms, struct svcid_result *out)
{
	uint8_t buf[ANSWER_MAX];
	unsigned banner_ms = timeout_ms / 3 > 200 ? timeout_ms / 3 : 200;
	bool tls_first = is_tls_port(port), connected = false, tentative = false;
	struct svcid_result guess;
	size_t n;
	int fd;

	memset(out, 0, sizeof(*out));
	set_service(out, "unknown");
	if (tls_first && try_tls(sa, salen, port, timeout_ms, out))
		return 0;
	fd = netconn_open(sa, salen, port, timeout_ms);
	if (fd >= 0) {
		connected = true;
		n = netconn_recv(fd, NULL, buf, sizeof(buf), banner_ms, false);
		close(fd);
		if (n > 0) {
			set_field(out->banner, sizeof(out->banner), buf, n);
			snprintf(out->probe, sizeof(out->probe), "banner");
			svcid_match(buf, n, out);
			return 0;
		}
	}
	/* A probe's own matcher decides at once; another row's generic match
	 * (Redis refusing "HEAD") is kept while the later probes get their
	 * chance (Redis answering PING tells whether it wants a password). */
	for (const struct svcid_probe *p = svcid_probes; p->name != NULL; p++) {
		struct svcid_result r;

		if (p->payload == NULL)
			continue;
		fd = netconn_open(sa, salen, port, timeout_ms);
		if (fd < 0)
			continue;
		connected = true;
		n = 0;
		if (netconn_send(fd, NULL, p->payload, p->payload_len) == 0)
			n = netconn_recv(fd, NULL, buf, sizeof(buf), timeout_ms, false);
		close(fd);
		if (n == 0)
			continue;
		r = *out;
		if (p->match(buf, n, &r)) {
			*out = r;
			set_field(out->banner, sizeof(out->banner), buf, n);
			snprintf(out->probe, sizeof(out->probe), "%s", p->name);
			return 0;
		}
		if (!tentative && svcid_match(buf, n, &r)) {
			guess = r;
			set_field(guess.banner, sizeof(guess.banner), buf, n);
			snprintf(guess.probe, sizeof(guess.probe), "%s", p->name);
			tentative = true;
		}
		if (out->banner[0] == '\0')
			set_field(out->banner, sizeof(out->banner), buf, n);
	}
	if (tentative) {
		*out = guess;
		return 0;
	}
	if (!tls_first && try_tls(sa, salen, port, timeout_ms, out))
		return 0;
	return connected ? 0 : -1;
}

/* Services that answered without credentials, and what that exposes. */
static const struct unauth_row {
	const char *service;
	struct netfinding_def def;
	const char *evidence;
} unauth_rows[] = {
	{ "redis", { "redis-unauthenticated", NETFINDING_CRITICAL,
	  "Redis 未授权访问", "Redis accepts commands without authentication",
	  "为 Redis 设置 requirepass 或 ACL 用户，仅绑定内网地址（bind）并开启 protected-mode，"
	  "用防火墙限制来源地址。",
	  "Set requirepass or ACL users, bind Redis to internal addresses only, keep "
	  "protected-mode on and restrict source addresses with a firewall." },
	  "PING answered without AUTH" },
	{ "mongodb", { "mongodb-unauthenticated", NETFINDING_CRITICAL,
	  "MongoDB 未授权访问", "MongoDB lists its databases without authentication",
	  "启用访问控制（security.authorization: enabled）并创建最小权限用户，仅绑定内网地址"
	  "（net.bindIp），用防火墙限制来源地址。",
	  "Enable access control (security.authorization: enabled) with least-privilege "
	  "users, bind to internal addresses only (net.bindIp) and restrict sources with a "
	  "firewall." },
	  "listDatabases answered ok:1 without authentication" },
	{ "memcached", { "memcached-unauthenticated", NETFINDING_HIGH,
	  "Memcached 未授权访问", "Memcached answers anyone (no authentication)",
	  "仅绑定内网地址（-l），关闭 UDP（-U 0，防止被用作 DDoS 反射放大源），需要认证时使用 "
	  "SASL，用防火墙限制来源地址。",
	  "Bind to internal addresses only (-l), disable UDP (-U 0, so it cannot be used as a "
	  "DDoS reflector), use SASL where authentication is needed, and restrict sources "
	  "with a firewall." },
	  "stats answered without authentication" },
};

int
svcid_findings(const struct svcid_result *r, uint16_t port,
    struct netfinding_list *l)
{
	if (r->auth != SVCID_AUTH_NONE)
		return 0;
	for (size_t i = 0; i < sizeof(unauth_rows) / sizeof(unauth_rows[0]); i++)
		if (strcmp(r->service, unauth_rows[i].service) == 0)
			return netfinding_add(l, &unauth_rows[i].def, port, "%s: %s",
			    unauth_rows[i].evidence, r->banner);
	return 0;
}
