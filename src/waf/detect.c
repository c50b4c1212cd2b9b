/*
 * detect: the detector table and the detectors that are small enough to
 * live together (command injection, traversal, RFI, SSRF, XXE, template
 * injection, web shells, scanners, protocol). SQL injection and XSS have
 * their own files (sqli.c, xss.c). Each detector reads a value that the
 * rule's transforms have already decoded.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "detect.h"
#include "fields.h"
#include "sqli.h"
#include "xss.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static int
hit_at(struct detect_hit *hit, const char *reason, size_t off)
{
	if (hit != NULL) {
		hit->reason = reason;
		hit->offset = off;
	}
	return 1;
}

static const char *
find_ci(const char *h, size_t hl, const char *n)
{
	return fields_memcasemem(h, hl, n, strlen(n));
}

static int
is_word(unsigned char c)
{
	return isalnum(c) || c == '_';
}

int
detect_sqli(const char *s, size_t len, struct detect_hit *hit)
{
	struct sqli_result r;

	if (!sqli_detect(s, len, &r))
		return 0;
	return hit_at(hit, r.reason, r.offset);
}

int
detect_xss(const char *s, size_t len, struct detect_hit *hit)
{
	struct xss_result r;

	if (!xss_detect(s, len, &r))
		return 0;
	return hit_at(hit, r.reason, r.offset);
}

/* ---- OS command injection ---------------------------------------------- */

struct command {
	const char *name;
	int strong;	/* an attack even without shell-looking arguments */
};

static const struct command commands[] = {
	{ "whoami", 1 }, { "uname", 1 }, { "id", 1 }, { "ifconfig", 1 }, { "ipconfig", 1 },
	{ "wget", 1 }, { "curl", 1 }, { "nc", 1 }, { "ncat", 1 }, { "netcat", 1 },
	{ "bash", 1 }, { "sh", 1 }, { "zsh", 1 }, { "ksh", 1 }, { "csh", 1 }, { "dash", 0 },
	{ "powershell", 1 }, { "pwsh", 1 }, { "cmd", 0 }, { "cmd.exe", 1 }, { "systeminfo", 1 },
	{ "nslookup", 1 }, { "certutil", 1 }, { "bitsadmin", 1 }, { "passwd", 1 },
	{ "hostname", 1 }, { "netstat", 1 }, { "tasklist", 1 }, { "crontab", 1 },
	{ "telnet", 1 }, { "tftp", 1 }, { "chmod", 1 }, { "chown", 1 }, { "nohup", 1 },
	{ "useradd", 1 }, { "printenv", 1 }, { "xterm", 1 }, { "socat", 1 }, { "busybox", 1 },
	{ "python", 0 }, { "python3", 1 }, { "perl", 0 }, { "ruby", 0 }, { "php", 0 }, { "lua", 0 },
	{ "node", 0 }, { "cat", 0 }, { "ls", 0 }, { "dir", 0 }, { "type", 0 }, { "echo", 0 },
	{ "ping", 0 }, { "sleep", 0 }, { "rm", 0 }, { "cp", 0 }, { "mv", 0 }, { "touch", 0 },
	{ "mkdir", 0 }, { "head", 0 }, { "tail", 0 }, { "more", 0 }, { "less", 0 },
	{ "find", 0 }, { "awk", 0 }, { "sed", 0 }, { "base64", 0 }, { "xxd", 0 }, { "env", 0 },
	{ "kill", 0 }, { "ps", 0 }, { "net", 0 }, { "dig", 0 }, { "host", 0 }, { "ssh", 0 },
	{ "ftp", 0 }, { "su", 0 }, { "sudo", 0 }, { "exec", 0 }, { "eval", 0 }, { "export", 0 },
	{ "whois", 0 }, { "grep", 0 }, { "nmap", 0 }, { "wmic", 1 }, { "reg", 0 }, { "sc", 0 },
	{ "timeout", 0 }, { "start", 0 }, { "nl", 0 }, { "od", 0 }, { "tac", 0 }, { "rev", 0 },
	{ "uniq", 0 }, { "sort", 0 }, { "strings", 0 }, { "file", 0 }, { "stat", 0 },
};

/* Read one shell word starting at s[i], dropping quotes, '\' and '^' the
 * way a shell (or cmd.exe) would, into w. Returns the index after it. */
static size_t
shell_word(const char *s, size_t len, size_t i, char *w, size_t wsize, size_t *wl)
{
	size_t n = 0;

	while (i < len) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\'' || c == '"' || c == '\\' || c == '^') {
			i++;
			continue;
		}
		if (c == '$' && i + 1 < len && (s[i + 1] == '@' || s[i + 1] == '*')) {
			i += 2;
			continue;
		}
		if (!(isalnum(c) || c == '.' || c == '_' || c == '-' || c == '/' || c == '+'))
			break;
		if (n + 1 < wsize)
			w[n++] = (char)tolower(c);
		i++;
	}
	w[n] = '\0';
	*wl = n;
	return i;
}

static size_t
skip_ifs(const char *s, size_t len, size_t i)
{
	for (;;) {
		if (i < len && (s[i] == ' ' || s[i] == '\t' || s[i] == '+'))
			i++;
		else if (i + 3 < len && strncmp(s + i, "$IFS", 4) == 0)
			i += 4 + (i + 4 < len && s[i + 4] == '$' ? 0 : 0);
		else if (i + 5 < len && strncmp(s + i, "${IFS}", 6) == 0)
			i += 6;
		else if (i + 1 < len && s[i] == '$' && s[i + 1] == '9')
			i += 2;
		else
			return i;
	}
}

static const struct command *
command_find(const char *w, size_t wl)
{
	const char *base = w;
	size_t bl = wl;
	const char *slash = memrchr(w, '/', wl);

	if (slash != NULL) {
		base = slash + 1;
		bl = wl - (size_t)(base - w);
	}
	for (size_t k = 0; k < COUNT(commands); k++)
		if (strlen(commands[k].name) == bl && memcmp(commands[k].name, base, bl) == 0)
			return &commands[k];
	return NULL;
}

/* Does a command word at s[i] (after a separator or substitution) with
 * its arguments look like a shell command? */
static int
command_at(const char *s, size_t len, size_t i, int after_sep)
{
	char w[48], a[64];
	size_t wl, al, j, k;
	const struct command *c;

	i = skip_ifs(s, len, i);
	j = shell_word(s, len, i, w, sizeof(w), &wl);
	if (wl == 0 || (j < len && is_word((unsigned char)s[j])))
		return 0;
	c = command_find(w, wl);
	if (c == NULL)
		return 0;
	if (w[0] == '/' && after_sep)
		return 1;	/* /bin/cat, /usr/bin/id */
	k = skip_ifs(s, len, j);
	if (c->strong && after_sep && (k == len || k > j || strchr(";|&`)$\n<>", s[k]) != NULL))
		return 1;
	if (k == j && k < len && strchr("<>|", s[k]) == NULL)
		return 0;	/* no argument separator after the name */
	/* a shell-looking argument: flag, path, redirection, substitution, number */
	if (k < len && (s[k] == '-' || s[k] == '/' || s[k] == '~' || s[k] == '$' ||
	    s[k] == '`' || s[k] == '>' || s[k] == '<' || s[k] == '|' ||
	    (after_sep && isdigit((unsigned char)s[k]))))
		return k + 1 < len || s[k] == '|' ? 1 : 0;
	shell_word(s, len, k, a, sizeof(a), &al);
	return after_sep && al > 0 && (memchr(a, '/', al) != NULL || (al > 2 &&
	    (strstr(a, ".txt") || strstr(a, ".sh") || strstr(a, ".php") || strstr(a, ".ini"))));
}

int
detect_cmdi(const char *s, size_t len, struct detect_hit *hit)
{
	if (command_at(s, len, 0, 0))
		return hit_at(hit, "shell command", 0);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == ';' || c == '|' || c == '&' || c == '\n' || c == '\r' || c == '`') {
			size_t j = i + 1;

			while (j < len && (s[j] == '|' || s[j] == '&' || s[j] == ' ' ||
			    s[j] == '\t' || s[j] == '\n'))
				j++;
			if (command_at(s, len, j, 1))
				return hit_at(hit, c == '`' ? "command substitution" :
				    "command after shell separator", i);
		} else if (c == '$' && i + 1 < len && s[i + 1] == '(' &&
		    !(i + 2 < len && s[i + 2] == '(')) {
			if (command_at(s, len, i + 2, 1))
				return hit_at(hit, "command substitution", i);
		}
	}
	if (find_ci(s, len, "/dev/tcp/") != NULL || find_ci(s, len, "/dev/udp/") != NULL)
		return hit_at(hit, "shell network redirection", 0);
	return 0;
}

/* ---- path traversal and local file inclusion ---------------------------- */

static const char *const sensitive_files[] = {
	"etc/passwd", "etc/shadow", "etc/group", "etc/hosts", "etc/issue", "etc/motd",
	"etc/sudoers", "etc/crontab", "etc/mysql/", "etc/httpd/", "etc/nginx/",
	"etc/apache2/", "proc/self/", "proc/version", "proc/net/", "windows/win.ini",
	"win.ini", "boot.ini", "system32/", "windows/system.ini", "inetpub/", "wp-config.php",
	".htaccess", ".htpasswd", "web.config", ".git/config", ".ssh/", "id_rsa",
	".bash_history", "var/log/", "web-inf/web.xml", ".aws/credentials", ".env",
	"usr/local/etc/", "root/", "etc/environment", "php.ini", "my.cnf", "config.inc.php",
	"localsettings.php", "database.yml", "appsettings.json",
};

static const char *const php_wrappers[] = {
	"php://filter", "php://input", "php://fd", "zip://", "phar://", "expect://",
	"data://", "compress.zlib://", "glob://", "file:///",
};

int
detect_lfi(const char *s, size_t len, struct detect_hit *hit)
{
	size_t ups = 0, first = (size_t)-1;

	for (size_t i = 0; i + 2 < len || (i + 2 == len && len >= 2); i++) {
		if (s[i] == '.' && s[i + 1] == '.' && (i + 2 == len || s[i + 2] == '/' ||
		    s[i + 2] == '\\' || s[i + 2] == ';') && (i == 0 || s[i - 1] == '/' ||
		    s[i - 1] == '\\' || s[i - 1] == '=' || s[i - 1] == ':' || s[i - 1] == ';')) {
			if (first == (size_t)-1)
				first = i;
			ups++;
			i += 1;
		}
	}
	for (size_t k = 0; k < COUNT(php_wrappers); k++) {
		const char *p = find_ci(s, len, php_wrappers[k]);

		if (p != NULL)
			return hit_at(hit, "stream wrapper", (size_t)(p - s));
	}
	for (size_t k = 0; k < COUNT(sensitive_files); k++) {
		const char *p = find_ci(s, len, sensitive_files[k]);

		if (p == NULL)
			continue;
		/* the name must start a path component */
		if (p > s && p[-1] != '/' && p[-1] != '\\' && sensitive_files[k][0] != '.')
			continue;
		if (sensitive_files[k][0] == '.' && p > s && is_word((unsigned char)p[-1]))
			continue;
		if (ups > 0 || (p > s && (p[-1] == '/' || p[-1] == '\\') &&
		    (p - 1 == s || p[-2] == ':' || p[-2] == '/' || (p - s >= 2 && p[-3] == ':'))) ||
		    p == s)
			return hit_at(hit, ups > 0 ? "traversal to a sensitive file" :
			    "sensitive file path", (size_t)(p - s));
	}
	if (ups >= 3)
		return hit_at(hit, "deep directory traversal", first);
	if (ups >= 1 && first == 0 && len > 3 && memchr(s, '\0', len) != NULL)
		return hit_at(hit, "traversal with NUL truncation", first);
	return 0;
}

/* ---- remote file inclusion and SSRF -------------------------------------- */

static const char *
url_scheme_end(const char *s, size_t len, size_t *scheme_start)
{
	const char *p = memmem(s, len, "://", 3);
	size_t b;

	if (p == NULL)
		return NULL;
	b = (size_t)(p - s);
	while (b > 0 && (isalnum((unsigned char)s[b - 1]) || s[b - 1] == '+' ||
	    s[b - 1] == '.' || s[b - 1] == '-'))
		b--;
	if ((size_t)(p - s) == b)
		return NULL;
	*scheme_start = b;
	return p;
}

int
detect_rfi(const char *s, size_t len, struct detect_hit *hit)
{
	static const char *const exts[] = {
		".txt", ".php", ".phtml", ".php5", ".asp", ".aspx", ".jsp", ".sh", ".pl",
		".cgi", ".py", ".exe", ".inc", ".gif?", ".jpg?", ".png?",
	};
	size_t b, e, i = 0;
	const char *p;

	while (i < len && isspace((unsigned char)s[i]))
		i++;
	p = url_scheme_end(s + i, len - i, &b);
	if (p == NULL || b != 0)
		return 0;
	if (!((p - (s + i) == 4 && strncasecmp(s + i, "http", 4) == 0) ||
	    (p - (s + i) == 5 && strncasecmp(s + i, "https", 5) == 0) ||
	    (p - (s + i) == 3 && strncasecmp(s + i, "ftp", 3) == 0)))
		return 0;
	e = len;
	while (e > i && isspace((unsigned char)s[e - 1]))
		e--;
	if (e > i && (s[e - 1] == '?' || s[e - 1] == '\0'))
		return hit_at(hit, "remote URL ending in '?' or NUL", i);
	for (size_t k = 0; k < COUNT(exts); k++) {
		size_t xl = strlen(exts[k]);
		const char *q = memchr(p + 3, '?', (size_t)(s + e - (p + 3)));
		const char *pend = q != NULL ? q : s + e;

		if (exts[k][xl - 1] == '?') {
			if (find_ci(p + 3, (size_t)(s + e - (p + 3)), exts[k]) != NULL)
				return hit_at(hit, "remote script include", i);
		} else if ((size_t)(pend - (p + 3)) > xl &&
		    strncasecmp(pend - xl, exts[k], xl) == 0 && memchr(p + 3, '/', (size_t)(pend - (p + 3))) != NULL) {
			return hit_at(hit, "remote script include", i);
		}
	}
	return 0;
}

/* IPv4 in any of the forms inet_aton accepts (1.2.3.4, 2130706433,
 * 0x7f.1, 0177.0.0.1). 0 on success. */
static int
parse_ipv4_loose(const char *h, size_t hl, unsigned long *out)
{
	unsigned long parts[4];
	size_t np = 0, i = 0;

	while (i < hl && np < 4) {
		char buf[16], *end;
		size_t b = 0;
		unsigned long v;

		while (i < hl && h[i] != '.' && b + 1 < sizeof(buf))
			buf[b++] = h[i++];
		buf[b] = '\0';
		if (b == 0 || (i < hl && h[i] != '.'))
			return -1;
		v = strtoul(buf, &end, 0);
		if (*end != '\0' || buf[0] == '-' || buf[0] == '+')
			return -1;
		parts[np++] = v;
		if (i < hl)
			i++;
		if (i == hl && h[hl - 1] == '.')
			return -1;
	}
	if (i < hl || np == 0)
		return -1;
	switch (np) {
	case 1: *out = parts[0]; break;
	case 2: *out = parts[0] << 24 | (parts[1] & 0xFFFFFF); break;
	case 3: *out = parts[0] << 24 | parts[1] << 16 | (parts[2] & 0xFFFF); break;
	default: *out = parts[0] << 24 | parts[1] << 16 | parts[2] << 8 | parts[3]; break;
	}
	return *out > 0xFFFFFFFFUL ? -1 : 0;
}

static int
ipv4_internal(unsigned long a)
{
	return (a >> 24) == 127 || (a >> 24) == 10 || (a >> 24) == 0 ||
	    (a >> 16) == 0xA9FE || (a >> 16) == 0xC0A8 || (a >> 20) == 0xAC1 ||
	    (a >> 22) == (100u << 2 | 1) || a == 0x64646464UL /* 100.100.100.200 below */ ||
	    a == 0x646464C8UL;
}

static const char *const internal_hosts[] = {
	"localhost", "metadata.google.internal", "metadata", "instance-data",
	"metadata.tencentyun.com", "kubernetes.default", "kubernetes.default.svc",
};

static const char *const odd_schemes[] = {
	"gopher", "dict", "file", "ldap", "ldaps", "tftp", "netdoc", "jar", "sftp",
	"php", "expect", "phar", "ogg", "rtsp", "smb", "telnet",
};

int
detect_ssrf(const char *s, size_t len, struct detect_hit *hit)
{
	size_t b, pos = 0;

	while (pos < len) {
		const char *p = url_scheme_end(s + pos, len - pos, &b);
		size_t sl, hs, he, at;
		const char *scheme;

		if (p == NULL)
			return 0;
		scheme = s + pos + b;
		sl = (size_t)(p - scheme);
		for (size_t k = 0; k < COUNT(odd_schemes); k++)
			if (strlen(odd_schemes[k]) == sl && strncasecmp(odd_schemes[k], scheme, sl) == 0)
				return hit_at(hit, "URL with a local or legacy scheme", (size_t)(scheme - s));
		hs = (size_t)(p - s) + 3;
		he = hs;
		while (he < len && s[he] != '/' && s[he] != '?' && s[he] != '#' && s[he] != '\\' &&
		    !isspace((unsigned char)s[he]))
			he++;
		/* drop user info (http://good@127.0.0.1) and the port */
		at = he;
		while (at > hs && s[at - 1] != '@')
			at--;
		if (at > hs)
			hs = at;
		if (hs < he && s[hs] == '[') {
			const char *rb = memchr(s + hs, ']', he - hs);
			size_t il = rb != NULL ? (size_t)(rb - (s + hs)) - 1 : 0;
			const char *ip6 = s + hs + 1;

			if (rb != NULL && ((il == 3 && memcmp(ip6, "::1", 3) == 0) || (il == 2 &&
			    memcmp(ip6, "::", 2) == 0) || (il >= 7 && strncasecmp(ip6, "::ffff:", 7) == 0) ||
			    (il >= 4 && strncasecmp(ip6, "fe80", 4) == 0) || (il >= 2 &&
			    (strncasecmp(ip6, "fc", 2) == 0 || strncasecmp(ip6, "fd", 2) == 0)) ||
			    (il == 15 && strncmp(ip6, "0:0:0:0:0:0:0:1", 15) == 0)))
				return hit_at(hit, "URL to an internal IPv6 address", hs);
		} else {
			const char *colon = memchr(s + hs, ':', he - hs);
			size_t hl = (colon != NULL ? (size_t)(colon - s) : he) - hs;
			unsigned long a;

			while (hl > 0 && s[hs + hl - 1] == '.')
				hl--;
			if (hl > 0 && parse_ipv4_loose(s + hs, hl, &a) == 0 && ipv4_internal(a))
				return hit_at(hit, "URL to an internal or metadata address", hs);
			for (size_t k = 0; k < COUNT(internal_hosts); k++) {
				size_t il = strlen(internal_hosts[k]);

				if ((hl == il && strncasecmp(s + hs, internal_hosts[k], il) == 0) ||
				    (hl > 10 && strncasecmp(s + hs + hl - 10, ".localhost", 10) == 0))
					return hit_at(hit, "URL to an internal host name", hs);
			}
			if (hl > 7 && (find_ci(s + hs, hl, ".nip.io") != NULL ||
			    find_ci(s + hs, hl, ".xip.io") != NULL || find_ci(s + hs, hl, "localtest.me") != NULL)) {
				const char *d = s + hs;

				if (strncmp(d, "127.", 4) == 0 || strncmp(d, "10.", 3) == 0 ||
				    strncmp(d, "169.254.", 8) == 0 || strncmp(d, "192.168.", 8) == 0 ||
				    find_ci(s + hs, hl, "localtest.me") != NULL)
					return hit_at(hit, "URL to a DNS name for an internal address", hs);
			}
		}
		pos = he > (size_t)(p - s) ? he : (size_t)(p - s) + 3;
	}
	return 0;
}

/* ---- XML external entities ---------------------------------------------- */

int
detect_xxe(const char *s, size_t len, struct detect_hit *hit)
{
	const char *ent = find_ci(s, len, "<!ENTITY");
	const char *dt = find_ci(s, len, "<!DOCTYPE");

	if (ent != NULL) {
		size_t rest = len - (size_t)(ent - s);

		if (find_ci(ent, rest, "SYSTEM") != NULL || find_ci(ent, rest, "PUBLIC") != NULL)
			return hit_at(hit, "external entity", (size_t)(ent - s));
		if (rest > 9 && memchr(ent + 8, '%', rest - 8) != NULL)
			return hit_at(hit, "parameter entity", (size_t)(ent - s));
		if (find_ci(ent, rest, "<!ENTITY") != NULL && ent + 8 < s + len &&
		    find_ci(ent + 8, rest - 8, "<!ENTITY") != NULL && find_ci(s, len, "&") != NULL)
			return hit_at(hit, "entity expansion", (size_t)(ent - s));
	}
	if (dt != NULL) {
		size_t rest = len - (size_t)(dt - s);
		const char *gt = memchr(dt, '>', rest);
		size_t dl = gt != NULL ? (size_t)(gt - dt) : rest;

		if (find_ci(dt, dl, "SYSTEM") != NULL && (find_ci(dt, dl, "file:") != NULL ||
		    find_ci(dt, dl, "http") != NULL || find_ci(dt, dl, "ftp:") != NULL ||
		    find_ci(dt, dl, "php:") != NULL || find_ci(dt, dl, "expect:") != NULL))
			return hit_at(hit, "external DTD", (size_t)(dt - s));
	}
	if (find_ci(s, len, "xi:include") != NULL || find_ci(s, len, "XInclude") != NULL)
		return hit_at(hit, "XInclude", 0);
	return 0;
}

/* ---- server-side template injection ------------------------------------- */

static const char *const ssti_names[] = {
	"__class__", "__mro__", "__subclasses__", "__globals__", "__builtins__", "__import__",
	"__init__", "__base__", "__dict__", "config", "self", "request", "lipsum", "cycler",
	"joiner", "namespace", "url_for", "get_flashed_messages", "_self", "env", "smarty",
	"runtime", "getclass", "forname", "getruntime", "processbuilder", "popen", "subprocess",
	"system", "exec", "eval", "os.", "class.", "application", "session", "product.",
	"freemarker", "velocity", "constructor", "object", "settings", "t(java", "java.lang",
	"registerundefinedfiltercallback", "getfilter", "attr(", "|attr", "|filter", "|map",
	"|join", "range(", "dump(", "include(", "file_get_contents", "readfile",
};

/* Is the expression e[0..n) more than a plain variable name? */
static int
ssti_expr(const char *e, size_t n)
{
	size_t i = 0;

	while (i < n && isspace((unsigned char)e[i]))
		i++;
	/* arithmetic between numbers: 7*7, 3 + 4 */
	for (size_t k = i; k < n; k++) {
		if (isdigit((unsigned char)e[k])) {
			size_t m = k;

			while (m < n && isdigit((unsigned char)e[m]))
				m++;
			while (m < n && e[m] == ' ')
				m++;
			if (m < n && strchr("*+-/%", e[m]) != NULL) {
				m++;
				while (m < n && e[m] == ' ')
					m++;
				if (m < n && (isdigit((unsigned char)e[m]) || e[m] == '\'' || e[m] == '"'))
					return 1;
			}
			k = m;
		}
	}
	for (size_t k = 0; k < COUNT(ssti_names); k++) {
		const char *p = find_ci(e, n, ssti_names[k]);

		if (p != NULL && (p == e || !is_word((unsigned char)p[-1]) || ssti_names[k][0] == '_' ||
		    ssti_names[k][0] == '|')) {
			size_t nl = strlen(ssti_names[k]);
			const char *after = p + nl;

			/* a bare "config" or "self" is a name; with . [ ( | it is an expression */
			if (ssti_names[k][0] == '_' || ssti_names[k][0] == '|' ||
			    strchr(ssti_names[k], '.') || strchr(ssti_names[k], '('))
				return 1;
			while (after < e + n && *after == ' ')
				after++;
			if (after < e + n && strchr(".[(|", *after) != NULL)
				return 1;
			if (after >= e + n && (strcmp(ssti_names[k], "config") == 0 ||
			    strcmp(ssti_names[k], "self") == 0 || strcmp(ssti_names[k], "_self") == 0))
				return p == e + i;
		}
	}
	if (memmem(e, n, "''", 2) != NULL || memmem(e, n, "\"\"", 2) != NULL ||
	    memmem(e, n, "().", 3) != NULL || memmem(e, n, "[].", 3) != NULL)
		return 1;
	return 0;
}

struct ssti_delim {
	const char *open, *close;
};

static const struct ssti_delim ssti_delims[] = {
	{ "{{", "}}" }, { "${", "}" }, { "#{", "}" }, { "<%=", "%>" }, { "<%", "%>" },
	{ "{%", "%}" }, { "*{", "}" }, { "@{", "}" }, { "@(", ")" }, { "{php}", "{/php}" },
	{ "[[", "]]" }, { "{$", "}" },
};

int
detect_ssti(const char *s, size_t len, struct detect_hit *hit)
{
	static const char *const markers[] = {
		"<#assign", "?new(", "#set(", "freemarker.template.utility", "$class.inspect",
		"{php}", "{system(", "{{_self", "<#import",
	};

	for (size_t k = 0; k < COUNT(markers); k++) {
		const char *p = find_ci(s, len, markers[k]);

		if (p != NULL)
			return hit_at(hit, "template directive", (size_t)(p - s));
	}
	for (size_t k = 0; k < COUNT(ssti_delims); k++) {
		const struct ssti_delim *d = &ssti_delims[k];
		size_t ol = strlen(d->open), cl = strlen(d->close), i = 0;

		while (i < len) {
			const char *o = memmem(s + i, len - i, d->open, ol), *c;

			if (o == NULL)
				break;
			c = memmem(o + ol, (size_t)(s + len - (o + ol)), d->close, cl);
			if (c == NULL)
				break;
			if ((size_t)(c - (o + ol)) <= 4096 && ssti_expr(o + ol, (size_t)(c - (o + ol))))
				return hit_at(hit, "template expression", (size_t)(o - s));
			i = (size_t)(o - s) + ol;
		}
	}
	return 0;
}

/* ---- web shells ---------------------------------------------------------- */

static const char *const shell_openers[] = { "<?php", "<?=", "<%", "<script language=\"php\"",
	"<script runat=\"server\"", "<jsp:", "<?" };
static const char *const shell_calls[] = {
	"eval(", "assert(", "system(", "exec(", "shell_exec(", "passthru(", "popen(",
	"proc_open(", "pcntl_exec(", "base64_decode(", "gzinflate(", "str_rot13(",
	"create_function(", "call_user_func(", "preg_replace(", "move_uploaded_file(",
	"file_put_contents(", "fsockopen(", "$_get[", "$_post[", "$_request[", "$_cookie[",
	"$_files[", "getruntime().exec", "processbuilder", "request.getparameter",
	"execute(request", "eval(request", "wscript.shell", "cmd.exe", "/bin/sh",
	"runtime.exec", "process.start", "`$_",
};

int
detect_webshell(const char *s, size_t len, struct detect_hit *hit)
{
	const char *open = NULL;

	for (size_t k = 0; k < COUNT(shell_openers) && open == NULL; k++)
		open = find_ci(s, len, shell_openers[k]);
	if (open == NULL)
		return 0;
	for (size_t k = 0; k < COUNT(shell_calls); k++) {
		const char *p = find_ci(open, len - (size_t)(open - s), shell_calls[k]);

		if (p != NULL)
			return hit_at(hit, "server-side script with a code execution call",
			    (size_t)(open - s));
	}
	return 0;
}

static const char *const script_exts[] = {
	"php", "php3", "php4", "php5", "php7", "phtml", "phar", "pht", "phps", "pgif", "shtml",
	"jsp", "jspx", "jsw", "jsv", "jspf", "asp", "aspx", "ashx", "asmx", "asa", "cer",
	"cdx", "cgi", "pl", "sh", "war", "htaccess", "config", "ini", "inc", "hta", "exe",
	"bat", "cmd", "vbs", "ps1", "svg",
};

int
detect_script_filename(const char *s, size_t len, struct detect_hit *hit)
{
	size_t start = 0;

	for (size_t i = 0; i < len; i++)
		if (s[i] == '/' || s[i] == '\\')
			start = i + 1;
	/* every extension counts: shell.php.jpg runs as PHP on many servers */
	for (size_t i = start; i < len; i++) {
		size_t e;

		if (s[i] != '.')
			continue;
		for (e = i + 1; e < len && s[e] != '.' && s[e] != ';' && s[e] != ' ' &&
		    s[e] != '\0' && s[e] != ':'; e++)
			;
		for (size_t k = 0; k < COUNT(script_exts); k++)
			if (strlen(script_exts[k]) == e - i - 1 &&
			    strncasecmp(s + i + 1, script_exts[k], e - i - 1) == 0 &&
			    !(strcmp(script_exts[k], "svg") == 0 && e != len))
				return hit_at(hit, "executable file extension", i);
	}
	return 0;
}

/* ---- scanners and attack tools ------------------------------------------ */

static const char *const scanner_agents[] = {
	"sqlmap", "nikto", "nmap", "nessus", "openvas", "dirbuster", "gobuster", "dirb/",
	"dirsearch", "wfuzz", "ffuf", "feroxbuster", "masscan", "zgrab", "nuclei", "acunetix",
	"netsparker", "appscan", "w3af", "whatweb", "wpscan", "joomscan", "arachni", "skipfish",
	"owasp zap", "zaproxy", "havij", "commix", "xsser", "hydra", "medusa", "fimap",
	"grabber", "paros", "webinspect", "jorgee", "zmeu", "morfeus", "burpsuite",
	"burp collaborator", "qualys", "jaeles", "xray", "httpx", "dalfox", "sqlninja",
	"bsqlbf", "pangolin", "absinthe", "brutus", "webshag", "uniscan", "vega/",
	"mysqloit", "sf/", "crowdstrike", "ApacheBench", "libwww-perl", "python-urllib/1",
	"zmap", "censys", "internet-measurement", "nmap scripting engine", "blackwidow",
	"webvulnscan", "netlab360", "struts-pwn", "masscan-ng", "fuzz faster u fool",
};

int
detect_scanner(const char *s, size_t len, struct detect_hit *hit)
{
	for (size_t k = 0; k < COUNT(scanner_agents); k++) {
		const char *p = find_ci(s, len, scanner_agents[k]);
		size_t nl = strlen(scanner_agents[k]);

		if (p == NULL)
			continue;
		if ((p > s && isalnum((unsigned char)p[-1])) ||
		    (p + nl < s + len && isalpha((unsigned char)p[nl]) && isalpha((unsigned char)p[nl - 1])))
			continue;
		return hit_at(hit, "scanner or attack tool", (size_t)(p - s));
	}
	return 0;
}

/* ---- protocol ------------------------------------------------------------ */

static const char *const methods[] = {
	"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS",
	"PROPFIND", "PROPPATCH", "MKCOL", "COPY", "MOVE", "LOCK", "UNLOCK", "REPORT",
};

int
detect_protocol(const struct waf_request *req, unsigned flags, struct detect_hit *hit)
{
	const struct waf_header *ct = fields_header(req, "content-type");
	int known = 0;

	for (size_t k = 0; k < COUNT(methods); k++)
		if (strlen(methods[k]) == req->method_len &&
		    memcmp(methods[k], req->method, req->method_len) == 0)
			known = 1;
	if (!known)
		return hit_at(hit, req->method_len > 0 && (strncmp(req->method, "TRACE", 5) == 0 ||
		    strncmp(req->method, "TRACK", 5) == 0 || strncmp(req->method, "CONNECT", 7) == 0) ?
		    "method not allowed" : "unknown method", 0);
	if (req->path_len == 0 || (req->path[0] != '/' && !(req->path_len == 1 && req->path[0] == '*')))
		return hit_at(hit, "request target is not an absolute path", 0);
	if (memchr(req->path, '\0', req->path_len) != NULL ||
	    (req->query != NULL && memchr(req->query, '\0', req->query_len) != NULL))
		return hit_at(hit, "NUL byte in the request target", 0);
	if (fields_header(req, "host") == NULL)
		return hit_at(hit, "missing Host header", 0);
	for (size_t i = 0; i < req->n_headers; i++) {
		const struct waf_header *h = &req->headers[i];

		if (memchr(h->value, '\r', h->value_len) != NULL ||
		    memchr(h->value, '\n', h->value_len) != NULL ||
		    memchr(h->value, '\0', h->value_len) != NULL)
			return hit_at(hit, "control character in a header value", 0);
	}
	if ((req->method_len == 3 && memcmp(req->method, "GET", 3) == 0) ||
	    (req->method_len == 4 && memcmp(req->method, "HEAD", 4) == 0)) {
		if (req->body_len > 0)
			return hit_at(hit, "GET or HEAD request with a body", 0);
	}
	if (ct != NULL && ct->value_len >= 19 && strncasecmp(ct->value, "multipart/form-data", 19) == 0 &&
	    req->body_len > 0 && (flags & FIELD_F_BAD_MULTIPART))
		return hit_at(hit, "malformed multipart body", 0);
	if (flags & FIELD_F_BAD_JSON)
		return hit_at(hit, "JSON content type with a body that is not JSON", 0);
	if (flags & (FIELD_F_TOO_MANY | FIELD_F_DEEP_JSON))
		return hit_at(hit, "too many fields or nesting too deep", 0);
	return 0;
}

const struct detector detect_table[] = {
	{ "sqli", "sqli", detect_sqli, NULL, "SQL injection: tokenizer in three quote contexts, folded fingerprint, shape judgement" },
	{ "xss", "xss", detect_xss, NULL, "cross-site scripting: HTML tags, event handlers, script URLs, CSS, JavaScript break-outs" },
	{ "cmdi", "cmdi", detect_cmdi, NULL, "OS command injection: shell separators or substitution followed by a command and shell-like arguments" },
	{ "lfi", "lfi", detect_lfi, NULL, "path traversal and local file inclusion: ../ sequences, sensitive files, stream wrappers" },
	{ "rfi", "rfi", detect_rfi, NULL, "remote file inclusion: a parameter that is a remote URL to a script or ending in '?'" },
	{ "ssrf", "ssrf", detect_ssrf, NULL, "server-side request forgery: URLs to internal, loopback or metadata addresses, odd schemes" },
	{ "xxe", "xxe", detect_xxe, NULL, "XML external entities: ENTITY SYSTEM/PUBLIC, parameter entities, external DTDs, XInclude" },
	{ "ssti", "ssti", detect_ssti, NULL, "server-side template injection: template delimiters around expressions, template directives" },
	{ "webshell", "webshell", detect_webshell, NULL, "web shells: server-side script openers with code execution calls" },
	{ "script_filename", "webshell", detect_script_filename, NULL, "uploads named with an executable extension (any of its extensions)" },
	{ "scanner", "scanner", detect_scanner, NULL, "scanners and attack tools by their User-Agent and header signatures" },
	{ "protocol", "protocol", NULL, detect_protocol, "protocol violations visible in a parsed request" },
};
const size_t detect_count = COUNT(detect_table);

const struct detector *
detect_find(const char *name)
{
	for (size_t i = 0; i < detect_count; i++)
		if (strcmp(detect_table[i].name, name) == 0)
			return &detect_table[i];
	return NULL;
}
