/*
 * detect: the detector table and the detectors that are small enough to
 * live together (command injection, traversal, RFI, SSRF, XXE, template
 * injection, web shells, scanners, protocol). SQL injection and XSS have
 * their own files (sqli.c, xss.c). Each detector reads a value that the
 * rule's transforms have already decoded.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "detect.h"
#include "fields.h"
#include "normalise.h"
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

/* A run of quotes of both kinds, parentheses, commas and dots ("12,'.)\"(,..(",
 * sqlmap's heuristic check): a string that breaks whatever SQL it lands in,
 * sent to see an error page. */
static int
syntax_probe(const char *s, size_t len)
{
	size_t run = 0;
	int sq = 0, dq = 0, par = 0;

	for (size_t i = 0; i < len; i++) {
		char c = s[i];

		if (c == '\'' || c == '"' || c == '.' || c == ',' || c == '(' || c == ')') {
			run++;
			sq |= c == '\'';
			dq |= c == '"';
			par |= c == '(' || c == ')';
			if (run >= 6 && sq && dq && par)
				return 1;
		} else {
			run = 0;
			sq = dq = par = 0;
		}
	}
	return 0;
}

int
detect_sqli(const char *s, size_t len, struct detect_hit *hit)
{
	struct sqli_result r;

	if (syntax_probe(s, len))
		return hit_at(hit, "quote and parenthesis probe", 0);
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

static __thread const char *field_source;

void
detect_set_source(const char *src)
{
	field_source = src;
}

/* Is the value from a request body (or from nowhere known: a unit test,
 * offline use of a detector)? */
static int
from_body(void)
{
	static const char *const bodies[] = { "json", "form", "multipart", "file", "body", "xml",
	    "graphql" };

	if (field_source == NULL)
		return 1;
	for (size_t k = 0; k < sizeof(bodies) / sizeof(bodies[0]); k++)
		if (strcmp(field_source, bodies[k]) == 0)
			return 1;
	return 0;
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
	{ "reboot", 1 }, { "shutdown", 0 }, { "halt", 1 }, { "poweroff", 1 }, { "printf", 0 },
	{ "xargs", 0 }, { "tee", 0 }, { "chattr", 1 }, { "iptables", 1 }, { "killall", 1 },
	{ "pkill", 1 }, { "mshta", 1 }, { "rundll32", 1 }, { "regsvr32", 1 }, { "cscript", 1 },
	{ "wscript", 1 }, { "schtasks", 1 }, { "vssadmin", 1 }, { "icacls", 1 }, { "attrib", 0 },
	{ "getent", 1 }, { "del", 0 }, { "copy", 0 }, { "move", 0 }, { "ren", 0 }, { "set", 0 }, { "ver", 0 },
};

/* Windows commands whose first argument makes them an attack. */
static const struct {
	const char *command, *arg;
} command_args[] = {
	{ "net", "user" }, { "net", "localgroup" }, { "net", "share" }, { "net", "use" },
	{ "net", "view" }, { "net", "group" }, { "reg", "query" }, { "reg", "add" },
	{ "sc", "create" }, { "sc", "query" }, { "wmic", "process" },
};

/* Read one shell word starting at s[i], dropping quotes, '\' and '^' the
 * way a shell (or cmd.exe) would, into w. Returns the index after it. */
static size_t
shell_word(const char *s, size_t len, size_t i, char *w, size_t wsize, size_t *wl)
{
	size_t n = 0;

	while (i < len) {
		unsigned char c = (unsigned char)s[i];

		/* $'\x69\x64' (ANSI-C quoting): the bytes the escapes spell */
		if (c == '\\' && i + 3 < len && s[i + 1] == 'x' && isxdigit((unsigned char)s[i + 2]) &&
		    isxdigit((unsigned char)s[i + 3])) {
			char hex[3] = { s[i + 2], s[i + 3], '\0' };

			c = (unsigned char)strtoul(hex, NULL, 16);
			i += 3;
			if (!(isalnum(c) || c == '.' || c == '_' || c == '-' || c == '/'))
				break;
			if (n + 1 < wsize)
				w[n++] = (char)tolower(c);
			i++;
			continue;
		}
		if (c == '\'' || c == '"' || c == '\\' || c == '^') {
			i++;
			continue;
		}
		if (c == '$' && i + 1 < len && s[i + 1] == '\'') {
			i++;
			continue;
		}
		if (c == '$' && i + 1 < len && (s[i + 1] == '@' || s[i + 1] == '*')) {
			i += 2;
			continue;
		}
		if (!(isalnum(c) || c == '.' || c == '_' || c == '-' || c == '/' || c == '+' ||
		    c == '?' || c == '*' || c == '[' || c == ']' || c == ':'))
			break;
		if (n + 1 < wsize)
			w[n++] = (char)tolower(c);
		i++;
	}
	w[n] = '\0';
	*wl = n;
	return i;
}

/* Skip what separates shell words: blanks, $IFS, quotes; in brace
 * expansion ({cat,/etc/passwd}) the braces and commas too. */
static size_t
skip_ifs(const char *s, size_t len, size_t i, int brace)
{
	for (;;) {
		if (i < len && (s[i] == ' ' || s[i] == '\t' || s[i] == '+' || s[i] == '\'' ||
		    s[i] == '"' || (brace && (s[i] == '{' || s[i] == ','))))
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
command_find(const char *w, size_t wl, int *globbed)
{
	const char *base = w;
	size_t bl = wl;
	const char *slash = memrchr(w, '/', wl);
	char pat[48];

	if (slash != NULL) {
		base = slash + 1;
		bl = wl - (size_t)(base - w);
	}
	*globbed = memchr(base, '?', bl) != NULL || memchr(base, '*', bl) != NULL ||
	    memchr(base, '[', bl) != NULL;
	if (*globbed && bl < sizeof(pat) && bl > 1) {
		/* /???/c?t: a glob only a shell would expand into a command */
		memcpy(pat, base, bl);
		pat[bl] = '\0';
		if (strspn(pat, "?*[]") == bl)
			return NULL;
		for (size_t k = 0; k < COUNT(commands); k++)
			if (strlen(commands[k].name) > 1 && fnmatch(pat, commands[k].name, 0) == 0)
				return &commands[k];
		return NULL;
	}
	for (size_t k = 0; k < COUNT(commands); k++)
		if (commands[k].name[0] == base[0] && strlen(commands[k].name) == bl &&
		    memcmp(commands[k].name, base, bl) == 0)
			return &commands[k];
	return NULL;
}

/* Where a command word stands (command_at's after_sep). */
enum {
	CMD_START = 0,		/* the value starts with it */
	CMD_AFTER_SEP,		/* after ; & newline */
	CMD_AFTER_PIPE,		/* after | && || in a one-token value: "127.0.0.1&&dir" */
	CMD_BACKTICK,		/* inside `...`, also markdown's inline code */
};

/* Does a command word at s[i] (see the modes above; inside $( ) when
 * subst) with its arguments look like a shell command? */
static int
command_at(const char *s, size_t len, size_t i, int after_sep, int subst, int strong_only)
{
	char w[48], a[64];
	size_t wl, al, j, k;
	const struct command *c;
	int globbed, brace;

	brace = i < len && s[i] == '{';
	i = skip_ifs(s, len, i, brace);
	j = shell_word(s, len, i, w, sizeof(w), &wl);
	if (wl == 0 || (j < len && is_word((unsigned char)s[j])))
		return 0;
	c = command_find(w, wl, &globbed);
	if (c == NULL || (strong_only && !c->strong))
		return 0;
	if (subst || (after_sep && (w[0] == '/' || globbed)))
		return 1;	/* $(reboot), `id`, /bin/cat, /???/c?t */
	k = skip_ifs(s, len, j, brace);
	if (c->strong && after_sep && (k == len || k > j || strchr(";|&`)$\n<>", s[k]) != NULL))
		return 1;
	if (k == j && k < len && strchr("<>|", s[k]) == NULL)
		return 0;	/* no argument separator after the name */
	/* Windows paths: type C:\Windows\win.ini, dir c:\ */
	if (after_sep && k + 1 < len && isalpha((unsigned char)s[k]) &&
	    s[k + 1] == ':' && (k + 2 == len || s[k + 2] == '\\' || s[k + 2] == '/'))
		return 1;
	/* a value that starts with a command, or backticks (inline code in
	 * markdown), need a path, pipe or redirection in the same line or
	 * span: "ls -la /", not "rm -rf is bad" or "I tried `ls -la`" */
	if (after_sep == CMD_START || after_sep == CMD_BACKTICK) {
		size_t e = k;
		char quote = 0;

		/* what is quoted is an argument's text: grep -P '^(\d{3}-|x)$' */
		for (;;) {
			/* "<thread_id>" in inline code is a placeholder, not a redirection */
			if (quote == 0 && e < len && s[e] == '<') {
				size_t m = e + 1;

				while (m < len && (isalnum((unsigned char)s[m]) || s[m] == '_' || s[m] == '-'))
					m++;
				if (m > e + 1 && m < len && s[m] == '>') {
					e = m + 1;
					continue;
				}
			}
			if (!(e < len && e < k + 64 && s[e] != '\n' && s[e] != '`' &&
			    (quote != 0 || strchr("/|><", s[e]) == NULL)))
				break;
			if (quote == 0 && (s[e] == '\'' || s[e] == '"'))
				quote = s[e];
			else if (s[e] == quote)
				quote = 0;
			e++;
		}
		if (e >= len || e >= k + 64 || s[e] == '\n' || s[e] == '`')
			return 0;
	}
	/* after && || or a pipe in a one-token value, a command alone counts */
	if (after_sep == CMD_AFTER_PIPE && k == len)
		return 1;
	/* a shell-looking argument: flag, path, redirection, substitution, number */
	if (k < len && after_sep && isdigit((unsigned char)s[k]))
		return 1;	/* sleep 5, ping -c 3 */
	if (k < len && (s[k] == '-' || s[k] == '/' || s[k] == '~' || s[k] == '$' ||
	    s[k] == '`' || s[k] == '>' || s[k] == '<' || s[k] == '|'))
		return k + 1 < len || s[k] == '|' ? 1 : 0;
	shell_word(s, len, k, a, sizeof(a), &al);
	for (size_t m = 0; after_sep && m < COUNT(command_args); m++)
		if (strcmp(command_args[m].command, c->name) == 0 && strcmp(command_args[m].arg, a) == 0)
			return 1;
	return after_sep && al > 0 && (memchr(a, '/', al) != NULL || (al > 2 &&
	    (strstr(a, ".txt") || strstr(a, ".sh") || strstr(a, ".php") || strstr(a, ".ini"))));
}

/* If s[i] opens a block of code shown as text (a markdown fence, HTML
 * <pre> or <code>), the index just past its end; else i. Shell lines in
 * such a block are a post about commands, not a command. */
static size_t
skip_code_block(const char *s, size_t len, size_t i)
{
	static const struct { const char *open, *close; } blocks[] = {
		{ "```", "```" }, { "<pre", "</pre>" }, { "<code", "</code>" },
	};

	for (size_t k = 0; k < COUNT(blocks); k++) {
		size_t ol = strlen(blocks[k].open);
		const char *e;

		if (i + ol > len || strncasecmp(s + i, blocks[k].open, ol) != 0)
			continue;
		e = fields_memcasemem(s + i + ol, len - i - ol, blocks[k].close, strlen(blocks[k].close));
		if (e != NULL)
			return (size_t)(e - s) + strlen(blocks[k].close);
	}
	return i;
}

/* The command word at s[i] (blanks skipped), or NULL. */
static const struct command *
command_word(const char *s, size_t len, size_t i)
{
	char w[48];
	size_t wl, j;
	int globbed;

	i = skip_ifs(s, len, i, 0);
	j = shell_word(s, len, i, w, sizeof(w), &wl);
	if (wl == 0 || j >= len || s[j] != ' ')
		return NULL;
	return command_find(w, wl, &globbed);
}

/* Commands that only read what is piped into them and print a part of
 * it: after a pipe they gain an attacker nothing ("… | sort -count |
 * head 20" in a log search). */
static int
is_pure_filter(const struct command *c)
{
	static const char *const filters[] = {
		"sort", "head", "tail", "uniq", "nl", "rev", "tac", "less", "more",
	};

	for (size_t k = 0; c != NULL && k < COUNT(filters); k++)
		if (strcmp(c->name, filters[k]) == 0)
			return 1;
	return 0;
}

/* Does the command at s[j] read only its input: no argument up to the
 * next separator names a file (a '/', '~' or '.' in it: "sort -count |
 * head 20" in a log search), redirects or substitutes? "x|head
 * /etc/passwd" and "x|sort config.php" read files. */
static int
reads_only_input(const char *s, size_t len, size_t j)
{
	for (; j < len && strchr(";|&\n`", s[j]) == NULL; j++)
		if (strchr("/~.<>$\\", s[j]) != NULL)
			return 0;
	return 1;
}

/* A script file of another kind: a Dockerfile (FROM first, RUN lines) or
 * a YAML document (CI jobs, manifests) of three lines or more; shell in it
 * is the document's content, as after a shebang. */
static int
script_document(const char *s, size_t len)
{
	size_t lines = 0, i = 0;

	for (size_t k = 0; k < len; k++)
		lines += s[k] == '\n';
	if (lines < 2)
		return 0;
	/* comment lines and blanks first */
	while (i < len && (s[i] == '#' || isspace((unsigned char)s[i]))) {
		const char *nl;

		if (s[i] != '#') {
			i++;
			continue;
		}
		if ((nl = memchr(s + i, '\n', len - i)) == NULL)
			return 0;
		i = (size_t)(nl - s) + 1;
	}
	if (len - i > 5 && (strncmp(s + i, "FROM ", 5) == 0 || strncmp(s + i, "ARG ", 4) == 0))
		return find_ci(s, len, "\nRUN ") != NULL;
	/* YAML: the first line is "key:" or "key: value" */
	if (i < len && (isalpha((unsigned char)s[i]) || s[i] == '_')) {
		size_t k = i;

		while (k < len && (isalnum((unsigned char)s[k]) || s[k] == '_' || s[k] == '-'))
			k++;
		return k < len && s[k] == ':' && (k + 1 == len || s[k + 1] == ' ' || s[k + 1] == '\n');
	}
	return 0;
}

/* Commands that only reshape what is piped into them. */
static int
is_filter(const struct command *c)
{
	static const char *const filters[] = {
		"xargs", "sort", "tail", "head", "grep", "uniq", "awk", "sed", "tee", "less",
		"more", "nl", "rev", "tac",
	};

	for (size_t k = 0; c != NULL && k < COUNT(filters); k++)
		if (strcmp(c->name, filters[k]) == 0)
			return 1;
	return 0;
}

int
detect_cmdi(const char *s, size_t len, struct detect_hit *hit)
{
	/* A script file ("#!/bin/sh" first) is a document of commands: in it
	 * only the commands that are attacks on their own count. */
	int script = from_body() && ((len > 3 && s[0] == '#' && s[1] == '!' &&
	    (s[2] == '/' || s[2] == ' ')) || script_document(s, len));
	size_t line = 0;	/* where the current line starts */

	if (!script && command_at(s, len, 0, 0, 0, 0))
		return hit_at(hit, "shell command", 0);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		size_t past;

		if ((c == '`' || c == '<') && (past = skip_code_block(s, len, i)) != i) {
			i = past - 1;
			continue;
		}

		if (c == ';' || c == '|' || c == '&' || c == '\n' || c == '\r' || c == '`') {
			size_t j = i + 1;

			while (j < len && (s[j] == '|' || s[j] == '&' || s[j] == ' ' ||
			    s[j] == '\t' || s[j] == '\n'))
				j++;
			int mode = CMD_AFTER_SEP;

			/* markdown's inline code stands after a blank or punctuation;
			 * glued to a word ("127.0.0.1`sleep 10`") it is a shell's
			 * command substitution inside an argument */
			if (c == '`' && !(i > 0 && is_word((unsigned char)s[i - 1])) && from_body())
				mode = CMD_BACKTICK;	/* markdown is written in bodies, not in URLs or cookies */
			else if ((c == '|' || (c == '&' && i + 1 < len && s[i + 1] == '&')) &&
			    memchr(s, ' ', i) == NULL)
				mode = CMD_AFTER_PIPE;
			/* "find . -size +1M | xargs ls -lh | sort": a line that is a
			 * command from its start, piped into a filter, is a pipeline
			 * someone wrote, not a break-out of an argument */
			if (c == '|' && (i == 0 || s[i - 1] != '|') && (i + 1 == len || s[i + 1] != '|')) {
				const struct command *next = command_word(s, len, j);

				if ((is_pure_filter(next) && reads_only_input(s, len, j)) ||
				    (is_filter(next) && command_word(s, len, line) != NULL))
					continue;
			}
			if (command_at(s, len, j, mode, 0, script))
				return hit_at(hit, c == '`' ? "command substitution" :
				    "command after shell separator", i);
		} else if (c == '$' && i + 1 < len && s[i + 1] == '(' &&
		    !(i + 2 < len && s[i + 2] == '(')) {
			if (command_at(s, len, i + 2, CMD_AFTER_SEP, 1, script))
				return hit_at(hit, "command substitution", i);
		}
		if (c == '\n')
			line = i + 1;
	}
	if (find_ci(s, len, "/dev/tcp/") != NULL || find_ci(s, len, "/dev/udp/") != NULL)
		return hit_at(hit, "shell network redirection", 0);
	return 0;
}

/* ---- path traversal and local file inclusion ---------------------------- */

static const char *const sensitive_files[] = {
	"etc/passwd", "etc/shadow", "etc/group", "etc/hosts", "etc/issue", "etc/motd",
	"etc/sudoers", "etc/crontab", "etc/mysql/", "etc/httpd/", "etc/nginx/",
	"etc/apache2/", "windows/win.ini",
	"win.ini", "boot.ini", "system32/", "config/sam", "windows/repair/", "windows/system.ini", "inetpub/", "wp-config.php",
	".htaccess", ".htpasswd", "web.config", ".git/config", ".ssh/", "id_rsa",
	".bash_history", "var/log/", ".aws/credentials", ".env",
	"usr/local/etc/", "root/", "etc/environment", "php.ini", "my.cnf", "config.inc.php",
	"localsettings.php", "database.yml", "appsettings.json", "var/run/secrets/", "proc/",
	"tomcat-users.xml", "web-inf/", "application.properties", "application.yml",
	"etc/ssh/", "etc/ssl/private/", ".kube/config", ".docker/config.json", ".npmrc",
	".pgpass", ".my.cnf", "etc/krb5.keytab", "var/lib/php/", "tmp/sess_", "my.ini", "windows/panther/", "unattend.xml", "sysprep/",
};

static const char *const php_wrappers[] = {
	"php://filter", "php://input", "php://fd", "zip://", "phar://", "expect://",
	"data://", "compress.zlib://", "glob://", "file:///",
};

/* Does s hold any of the bytes in set? A cheap gate before a detector's
 * string searches. */
static int
has_any(const char *s, size_t len, const char *set)
{
	for (; *set != '\0'; set++)
		if (memchr(s, *set, len) != NULL)
			return 1;
	return 0;
}

static int
is_sep(char c)
{
	return c == '/' || c == '\\';
}

/* Does s start with the path n, case-insensitively, a '/' of n also
 * matching '\\' (Windows paths)? */
static int
path_at(const char *s, size_t len, const char *n)
{
	size_t k;

	for (k = 0; n[k] != '\0'; k++) {
		if (k >= len)
			return 0;
		if (n[k] == '/' ? !is_sep(s[k]) :
		    (s[k] | (isalpha((unsigned char)s[k]) ? 0x20 : 0)) != n[k])
			return 0;
	}
	/* a file name ends there: etc/passwd, not etc/passwd-policy.md */
	return n[k - 1] == '/' || k == len || !(isalnum((unsigned char)s[k]) || s[k] == '-' ||
	    s[k] == '_');
}

/* Is s[0..len) an absolute path (/x, ~/x, C:/x, file:...)? Values that
 * start that way name a file outright. */
static const char *const resource_prefixes[] = { "classpath*:", "classpath:", "file:", "jar:file:" };

static int
absolute_path(const char *s, size_t len)
{
	size_t i = 0;

	while (i < len && s[i] == ' ')
		i++;
	/* Spring and Java resource prefixes: classpath:/application.yml */
	for (size_t k = 0; k < COUNT(resource_prefixes); k++) {
		size_t pl = strlen(resource_prefixes[k]);

		if (len - i > pl && strncasecmp(s + i, resource_prefixes[k], pl) == 0) {
			i += pl;
			break;
		}
	}
	return (i < len && (is_sep(s[i]) || s[i] == '~')) ||
	    (i + 2 < len && isalpha((unsigned char)s[i]) && s[i + 1] == ':' && is_sep(s[i + 2]));
}

/* Does the path end in a configuration file's extension? */
static int
config_file(const char *s, size_t len)
{
	static const char *const exts[] = { ".properties", ".conf", ".ini", ".yml", ".yaml", ".cfg",
	    ".config", ".env", ".xml", ".cnf" };

	for (size_t k = 0; k < COUNT(exts); k++) {
		size_t el = strlen(exts[k]);

		if (len > el && strncasecmp(s + len - el, exts[k], el) == 0)
			return 1;
	}
	return 0;
}

int
detect_lfi(const char *s, size_t len, struct detect_hit *hit)
{
	size_t ups = 0, first = (size_t)-1;
	int abs, whole;

	/* "..", and the "...." filter bypasses, as a whole path component */
	for (size_t i = 0; i + 1 < len; i++) {
		size_t d = i;

		if (s[i] != '.' || !(i == 0 || is_sep(s[i - 1]) || s[i - 1] == '=' ||
		    s[i - 1] == ':' || s[i - 1] == ';'))
			continue;
		while (d < len && s[d] == '.')
			d++;
		if (d - i >= 2 && (d == len || is_sep(s[d]) || s[d] == ';')) {
			if (first == (size_t)-1)
				first = i;
			ups++;
		}
		i = d - 1;
	}
	for (size_t k = 0; memmem(s, len, "://", 3) != NULL && k < COUNT(php_wrappers); k++) {
		const char *p = find_ci(s, len, php_wrappers[k]);

		if (p != NULL)
			return hit_at(hit, "stream wrapper", (size_t)(p - s));
	}
	/* a sensitive name starts a path component; it names a file outright
	 * after a traversal, in an absolute path (also one nested after '=':
	 * "file=/proc/self/environ") or as the whole value ("etc/passwd") */
	/* a path in a sentence ("/etc/hosts windows location") is prose */
	abs = absolute_path(s, len) && memchr(s, ' ', len) == NULL;
	whole = len < 48 && memchr(s, ' ', len) == NULL;
	for (size_t p = 0; p < len && (ups > 0 || abs || whole || memchr(s, '=', len) != NULL); p++) {
		if (p > 0 && !is_sep(s[p - 1]))
			continue;
		if (!(ups > 0 || abs || (p == 0 && whole) || (p >= 2 && s[p - 2] == '=')))
			continue;
		for (size_t k = 0; k < COUNT(sensitive_files); k++)
			if (path_at(s + p, len - p, sensitive_files[k]))
				return hit_at(hit, ups > 0 ? "traversal to a sensitive file" :
				    "sensitive file path", p);
	}
	if (ups >= 3)
		return hit_at(hit, "deep directory traversal", first);
	/* a parameter that is a parent directory ("lang=../") or a bare path
	 * climbing two levels from where it is read ("../../ierp/bin/prop.xml") */
	/* a drive's root as a value (folder=C://): a directory listing of it */
	if (len >= 3 && len <= 4 && isalpha((unsigned char)s[0]) && s[1] == ':' && is_sep(s[2]) &&
	    (len == 3 || is_sep(s[3])))
		return hit_at(hit, "drive root", 0);
	/* "../conf/datasource.properties": one level up to a configuration file */
	if (first == 0 && ups >= 1 && config_file(s, len) && memchr(s, ' ', len) == NULL)
		return hit_at(hit, "traversal to a configuration file", 0);
	if (first == 0 && ((ups == 1 && (len == 2 || (len == 3 && is_sep(s[2])))) ||
	    (ups == 2 && len > 6 && is_sep(s[2]) && memchr(s, ' ', len) == NULL)))
		return hit_at(hit, "directory traversal", first);
	if (ups >= 1 && first == 0 && len > 3 && memchr(s, '\0', len) != NULL)
		return hit_at(hit, "traversal with NUL truncation", first);
	return 0;
}

/* ---- remote file inclusion and SSRF -------------------------------------- */

/* ":" then two of '/' and '\\' ("://", ":\\\\", ":/\\"): the scheme's end as
 * some URL parser reads it (WHATWG takes '\\' for '/' in http URLs). */
static const char *
scheme_sep(const char *s, size_t len)
{
	for (const char *p = memchr(s, ':', len); p != NULL;
	    p = memchr(p + 1, ':', len - (size_t)(p + 1 - s))) {
		size_t rest = len - (size_t)(p - s);

		if (rest >= 3 && (p[1] == '/' || p[1] == '\\') && (p[2] == '/' || p[2] == '\\'))
			return p;
	}
	return NULL;
}

static const char *
url_scheme_end(const char *s, size_t len, size_t *scheme_start)
{
	const char *p = scheme_sep(s, len);
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
	/* "https://item.example.cn/1.html 还有货吗？": a link in a sentence,
	 * not a file name an include would open; but after a '?' or '#' the
	 * words are the query or fragment of the URL fetched
	 * ("http://evil.example/shell.txt? x") */
	for (size_t k = i; k < e; k++)
		if (isspace((unsigned char)s[k])) {
			if (memchr(s + i, '?', k - i) == NULL && memchr(s + i, '#', k - i) == NULL)
				return 0;
			e = k;
			break;
		}
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
	    a == 0x646464C8UL || (a >> 8) == 0xC00000UL /* 192.0.0.0/24: 192.0.0.192 */;
}

static int
ipv6_internal(const uint8_t *a)
{
	static const uint8_t zero[16];
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF };
	static const uint8_t imds[16] = { 0xfd, 0, 0x0e, 0xc2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x54 };
	static const uint8_t nat64[12] = { 0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0 };

	if (memcmp(a, zero, 15) == 0 && (a[15] == 0 || a[15] == 1))
		return 1;	/* :: and ::1 */
	if (memcmp(a, mapped, 12) == 0 || memcmp(a, zero, 12) == 0 ||	/* v4-mapped, v4-compatible */
	    memcmp(a, nat64, 12) == 0)					/* NAT64 64:ff9b::/96 */
		return ipv4_internal((unsigned long)a[12] << 24 | (unsigned long)a[13] << 16 |
		    (unsigned long)a[14] << 8 | a[15]);
	if (a[0] == 0x20 && a[1] == 0x02)	/* 6to4 2002:AABB:CCDD:: */
		return ipv4_internal((unsigned long)a[2] << 24 | (unsigned long)a[3] << 16 |
		    (unsigned long)a[4] << 8 | a[5]);
	return (a[0] == 0xfe && (a[1] & 0xc0) == 0x80) || (a[0] & 0xfe) == 0xfc ||
	    memcmp(a, imds, 16) == 0;
}

static const char *const internal_hosts[] = {
	"localhost", "metadata.google.internal", "metadata", "instance-data",
	"metadata.tencentyun.com", "kubernetes.default", "kubernetes.default.svc",
};

/* Names no public DNS answers: cluster, mDNS and private zones. */
static const char *const internal_suffixes[] = {
	".localhost", ".cluster.local", ".svc", ".internal", ".local", ".localdomain", ".consul",
};

/* Cloud metadata services: the address an SSRF is after. Named even in a
 * sentence they count (an AI agent with a browsing tool fetches URLs from
 * prose); no user has a reason to send them. */
static const char *const metadata_names[] = {
	"169.254.169.254", "100.100.100.200", "192.0.0.192", "[fd00:ec2::254]",
	"metadata.google.internal", "metadata.tencentyun.com", "169.254.170.2",
};

/* Is s[hs..he) (a URL's authority; user info and port dropped) one of them? */
static int
metadata_host(const char *s, size_t hs, size_t he)
{
	size_t at = he, hl;
	const char *colon;

	while (at > hs && s[at - 1] != '@')
		at--;
	if (at > hs)
		hs = at;
	hl = he - hs;
	if (hl > 0 && s[hs] == '[') {
		const char *rb = memchr(s + hs, ']', hl);

		if (rb != NULL)
			hl = (size_t)(rb - (s + hs)) + 1;
	} else if ((colon = memchr(s + hs, ':', hl)) != NULL) {
		hl = (size_t)(colon - (s + hs));
	}
	for (size_t k = 0; k < COUNT(metadata_names); k++)
		if (strlen(metadata_names[k]) == hl && strncasecmp(s + hs, metadata_names[k], hl) == 0)
			return 1;
	return 0;
}

static const char *const odd_schemes[] = {
	"gopher", "dict", "file", "ldap", "ldaps", "tftp", "netdoc", "jar", "sftp",
	"php", "expect", "phar", "ogg", "rtsp", "smb", "telnet", "rmi", "iiop", "jndi", "corbaname",
};

/* Wildcard DNS services that answer a name with the address written in it
 * (127.0.0.1.nip.io, 169-254-169-254.sslip.io, 7f000001.c0a80001.rbndr.us),
 * and DNS-rebinding services. */
static const char *const rebinding_suffixes[] = {
	".rbndr.us", ".1u.ms", ".rebind.it", ".rebind.network",
};
static const char *const wildcard_dns[] = {
	".nip.io", ".xip.io", ".sslip.io", ".traefik.me", ".nip.direct", ".localtest.me",
	".lvh.me", ".vcap.me", ".lacolhost.com",
};

static int
ends_with_ci(const char *s, size_t len, const char *suffix)
{
	size_t sl = strlen(suffix);

	return (len >= sl && strncasecmp(s + len - sl, suffix, sl) == 0) ||
	    (len == sl - 1 && strncasecmp(s, suffix + 1, sl - 1) == 0);
}

/* Does a label run of h (dotted "127.0.0.1", dashed "169-254-169-254" or an
 * 8-digit hex label "7f000001") spell an internal IPv4 address? */
static int
embeds_internal_ipv4(const char *h, size_t hl)
{
	for (size_t i = 0; i < hl; i++) {
		char buf[16];
		size_t n = 0, j = i;
		unsigned long a;

		if (i > 0 && h[i - 1] != '.' && h[i - 1] != '-')
			continue;
		while (j < hl && n + 1 < sizeof(buf) && (isdigit((unsigned char)h[j]) ||
		    h[j] == '.' || h[j] == '-'))
			buf[n++] = h[j] == '-' ? '.' : h[j], j++;
		while (n > 0 && buf[n - 1] == '.')
			n--;
		buf[n] = '\0';
		for (size_t k = n; k > 0; k--) {	/* the longest a.b.c.d prefix */
			size_t dots = 0;

			buf[k] = '\0';
			for (size_t m = 0; m < k; m++)
				dots += buf[m] == '.';
			if (dots == 3 && parse_ipv4_loose(buf, k, &a) == 0 && ipv4_internal(a))
				return 1;
		}
		if (i + 8 <= hl && (i + 8 == hl || h[i + 8] == '.')) {
			size_t x = 0;

			while (x < 8 && isxdigit((unsigned char)h[i + x]))
				x++;
			memcpy(buf, h + i, 8);
			buf[8] = '\0';
			if (x == 8 && ipv4_internal(strtoul(buf, NULL, 16)))
				return 1;
		}
	}
	return 0;
}

static int
rebinding_name(const char *h, size_t hl)
{
	for (size_t k = 0; k < COUNT(rebinding_suffixes); k++)
		if (ends_with_ci(h, hl, rebinding_suffixes[k]))
			return 1;
	for (size_t k = 0; k < COUNT(wildcard_dns); k++)
		if (ends_with_ci(h, hl, wildcard_dns[k]))
			return k >= 5 || embeds_internal_ipv4(h, hl);	/* localtest.me & co.: 127.0.0.1 */
	return 0;
}

/* Is the host s[hs..he) (user info and port included) internal? The
 * reason, or NULL. */
static const char *
host_internal(const char *s, size_t hs, size_t he)
{
	size_t at = he;

	/* drop user info (http://good@127.0.0.1) and the port */
	while (at > hs && s[at - 1] != '@')
		at--;
	if (at > hs)
		hs = at;
	if (hs < he && s[hs] == '[') {
		const char *rb = memchr(s + hs, ']', he - hs);
		size_t il = rb != NULL ? (size_t)(rb - (s + hs)) - 1 : 0;
		char buf[64];
		uint8_t a6[16];

		if (rb != NULL && il > 0 && il < sizeof(buf)) {
			const char *pct;

			memcpy(buf, s + hs + 1, il);
			buf[il] = '\0';
			if ((pct = strchr(buf, '%')) != NULL)
				buf[pct - buf] = '\0';	/* zone id */
			if (inet_pton(AF_INET6, buf, a6) == 1 && ipv6_internal(a6))
				return "URL to an internal IPv6 address";
		}
	} else {
		const char *colon = memchr(s + hs, ':', he - hs);
		size_t hl = (colon != NULL ? (size_t)(colon - s) : he) - hs;
		unsigned long a;

		while (hl > 0 && s[hs + hl - 1] == '.')
			hl--;
		if (hl > 0 && parse_ipv4_loose(s + hs, hl, &a) == 0 && ipv4_internal(a))
			return "URL to an internal or metadata address";
		for (size_t k = 0; k < COUNT(internal_hosts); k++) {
			size_t il = strlen(internal_hosts[k]);

			if (hl == il && strncasecmp(s + hs, internal_hosts[k], il) == 0)
				return "URL to an internal host name";
		}
		for (size_t k = 0; k < COUNT(internal_suffixes); k++) {
			size_t sl = strlen(internal_suffixes[k]);

			if (hl > sl && strncasecmp(s + hs + hl - sl, internal_suffixes[k], sl) == 0)
				return "URL to an internal host name";
		}
		/* one label, no dot: a name only an internal resolver answers
		 * (http://apollo-configservice:8080/, http://consul:8500/) */
		if (hl > 0 && memchr(s + hs, '.', hl) == NULL && strspn(s + hs, "0123456789") < hl)
			return "URL to an internal host name";
		if (hl > 0 && rebinding_name(s + hs, hl))
			return "URL to a DNS name for an internal address";
	}
	return NULL;
}

/* Does the authority starting at s[from] name a metadata service? */
static int
authority_metadata(const char *s, size_t len, size_t from)
{
	size_t e = from;

	while (e < len && s[e] != '/' && s[e] != '?' && s[e] != '#' && s[e] != '\\' &&
	    !isspace((unsigned char)s[e]))
		e++;
	return metadata_host(s, from, e);
}

/* Is the URL from s[from] the whole content of an element
 * ("<string>http://127.0.0.1:6379/</string>", XML-RPC pingbacks)? */
static int
url_is_element(const char *s, size_t len, size_t from)
{
	while (from < len && !isspace((unsigned char)s[from]) && s[from] != '<')
		from++;
	return from < len && s[from] == '<';
}

int
detect_ssrf(const char *s, size_t len, struct detect_hit *hit)
{
	size_t b, pos = 0, lead = 0;

	if (memchr(s, ':', len) == NULL || scheme_sep(s, len) == NULL)
		return 0;
	/* fetchers strip leading blanks (WHATWG URL, Python requests, Java's
	 * URL): " http://169.254.169.254/" is a URL, not a sentence */
	while (lead < len && isspace((unsigned char)s[lead]))
		lead++;
	while (pos < len) {
		const char *p = url_scheme_end(s + pos, len - pos, &b);
		size_t sl, hs, he, at, alt;
		const char *scheme, *why;

		if (p == NULL)
			return 0;
		scheme = s + pos + b;
		sl = (size_t)(p - scheme);
		/* a URL in a sentence ("see http://192.168.1.1 to configure",
		 * "http://localhost:8080 is my dev server") is prose: a server
		 * fetches a value that is a URL, one nested in a parameter or
		 * URL, or one in a markup attribute (HTML-to-PDF renderers) */
		if (scheme > s + lead && strchr("\"'=(,;&?/", scheme[-1]) == NULL &&
		    !(scheme[-1] == '>' && url_is_element(s, len, (size_t)(p - s) + 3))) {
			if (authority_metadata(s, len, (size_t)(p - s) + 3))
				return hit_at(hit, "URL to a cloud metadata address", (size_t)(scheme - s));
			pos = (size_t)(p - s) + 3;
			continue;
		}
		if (scheme == s + lead) {
			size_t w = lead;

			/* "http://x/ is my server" is prose; "http://127.0.0.1:6379/\r\nCONFIG
			 * SET …" smuggles protocol lines after the URL. Words after a
			 * query or fragment are not: a fetcher encodes or drops them
			 * ("http://169.254.169.254/latest/meta-data/#a b") */
			while (w < len && !isspace((unsigned char)s[w]))
				w++;
			if (w + 1 < len && s[w] == ' ' && s[w + 1] != ' ' &&
			    memchr(s + lead, '?', w - lead) == NULL && memchr(s + lead, '#', w - lead) == NULL)
				return authority_metadata(s, len, (size_t)(p - s) + 3) ?
				    hit_at(hit, "URL to a cloud metadata address", lead) : 0;
		}
		for (size_t k = 0; k < COUNT(odd_schemes); k++)
			if (strlen(odd_schemes[k]) == sl && strncasecmp(odd_schemes[k], scheme, sl) == 0)
				return hit_at(hit, "URL with a local or legacy scheme", (size_t)(scheme - s));
		hs = (size_t)(p - s) + 3;
		while (hs < len && (s[hs] == '/' || s[hs] == '\\'))
			hs++;	/* "http:/\\/127.0.0.1": more slashes, same host */
		he = hs;
		while (he < len && s[he] != '/' && s[he] != '?' && s[he] != '#' && s[he] != '\\' &&
		    !isspace((unsigned char)s[he]))
			he++;
		if ((why = host_internal(s, hs, he)) != NULL)
			return hit_at(hit, why, hs);
		/* "http://a.example\\@169.254.169.254/": a parser that does not
		 * end the authority at '\\' reads the host after the '@' */
		alt = he;
		while (alt < len && s[alt] != '/' && s[alt] != '?' && s[alt] != '#' &&
		    !isspace((unsigned char)s[alt]))
			alt++;
		at = alt;
		while (at > he && s[at - 1] != '@')
			at--;
		if (at > he && (why = host_internal(s, at, alt)) != NULL)
			return hit_at(hit, why, at);
		pos = he > (size_t)(p - s) ? he : (size_t)(p - s) + 3;
	}
	return 0;
}

/* ---- XML external entities ---------------------------------------------- */

int
detect_xxe(const char *s, size_t len, struct detect_hit *hit)
{
	const char *ent, *dt;

	if (memchr(s, '<', len) == NULL)
		return 0;
	ent = find_ci(s, len, "<!ENTITY");
	dt = find_ci(s, len, "<!DOCTYPE");

	if (ent != NULL) {
		size_t rest = len - (size_t)(ent - s);

		/* any entity declaration in a request: external ones read files
		 * and URLs, internal ones nest into billion-laughs expansions */
		if (dt != NULL)
			return hit_at(hit, find_ci(ent, rest, "SYSTEM") != NULL ||
			    find_ci(ent, rest, "PUBLIC") != NULL ? "external entity" :
			    "entity declaration", (size_t)(ent - s));

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

		if ((find_ci(dt, dl, "SYSTEM") != NULL || find_ci(dt, dl, "PUBLIC") != NULL) &&
		    (find_ci(dt, dl, "file:") != NULL || find_ci(dt, dl, "jar:") != NULL ||
		    find_ci(dt, dl, "gopher:") != NULL || find_ci(dt, dl, "netdoc:") != NULL ||
		    find_ci(dt, dl, "http") != NULL || find_ci(dt, dl, "ftp:") != NULL ||
		    find_ci(dt, dl, "php:") != NULL || find_ci(dt, dl, "expect:") != NULL))
			return hit_at(hit, "external DTD", (size_t)(dt - s));
	}
	if (find_ci(s, len, "xi:include") != NULL || find_ci(s, len, "XInclude") != NULL)
		return hit_at(hit, "XInclude", 0);
	/* an XSLT stylesheet that reads files or URLs or runs code: the
	 * transformer does what an entity would */
	if (find_ci(s, len, "xsl:") != NULL) {
		static const char *const xslt[] = {
			"unparsed-text(", "unparsed-text-lines(", "document('", "document(\"",
			"xalan/java", "xalan://", "msxsl:script", "php:function", "saxon:call",
			"java.lang.runtime", "<xsl:include href=\"http", "<xsl:import href=\"http",
		};

		for (size_t k = 0; k < COUNT(xslt); k++) {
			const char *p = find_ci(s, len, xslt[k]);

			if (p != NULL)
				return hit_at(hit, "XSLT reading files or running code", (size_t)(p - s));
		}
	}
	return 0;
}

/* ---- server-side template injection ------------------------------------- */

static const char *const ssti_names[] = {
	"__class__", "__mro__", "__subclasses__", "__globals__", "__builtins__", "__import__",
	"__init__", "__base__", "__dict__", "config", "self", "request", "lipsum", "cycler",
	"joiner", "namespace", "url_for", "get_flashed_messages", "_self", "env", "smarty",
	"runtime", "getclass", "forname", "getruntime", "processbuilder", "popen", "subprocess",
	"system", "exec", "eval", "os.", "class.", "application", "session",
	"freemarker", "velocity", "constructor", "object", "settings", "t(java", "java.lang",
	"registerundefinedfiltercallback", "getfilter", "attr(", "|attr", "|filter", "|map",
	"|join", "range(", "dump(", "include(", "file_get_contents", "readfile", "file.open",
	"file.read", "file.new", "io.popen", "io.read", "dir.glob",
	"kernel", "open(", "%x(",
};

/* Is the expression e[0..n) more than a plain variable name? */
/* Does e[0..n) name anything (a letter or '_' starting a word)? */
static int
has_identifier(const char *e, size_t n)
{
	for (size_t k = 0; k < n; k++)
		if ((isalpha((unsigned char)e[k]) || e[k] == '_') &&
		    (k == 0 || !isalnum((unsigned char)e[k - 1])))
			return 1;
	return 0;
}

static int
ssti_expr(const char *e, size_t n)
{
	size_t i = 0;

	while (i < n && isspace((unsigned char)e[i]))
		i++;
	/* Liquid-style arithmetic filters on numbers: {{ 7 | times: 7 }} */
	if (i < n && isdigit((unsigned char)e[i])) {
		static const char *const math[] = { "times:", "plus:", "minus:", "divided_by:", "modulo:" };

		for (size_t k = 0; k < COUNT(math); k++) {
			const char *m = find_ci(e, n, math[k]);
			size_t ml = strlen(math[k]);

			while (m != NULL && m + ml < e + n && m[ml] == ' ')
				m++;
			if (m != NULL && m + ml < e + n && isdigit((unsigned char)m[ml]))
				return 1;
		}
	}
	/* arithmetic between numbers: 7*7, 3 + 4 — a probe when the expression
	 * names nothing else ("form.b - form.a <= 7 * 86400000" is a rule) */
	for (size_t k = i; k < n && !has_identifier(e, n); k++) {
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
		"{php}", "{system(", "{{_self", "<#import", "{% debug", "{%debug",
		".__init__.__globals__", "__globals__[", "__subclasses__()", "__mro__[", "__builtins__[",
		"@system.io.", "@system.diagnostics.", "${applicationscope", "${sessionscope",
		"${pagecontext", "${initparam", "${requestscope",
	};

	if (!has_any(s, len, "{$#<@*[?"))
		return 0;
	/* Go templates: a one-line value that defines a template and calls it
	 * ({{define "T1"}}ONE{{end}}{{template "T1"}}) probes for injection;
	 * chart helpers someone posts span lines */
	if (memchr(s, '\n', len) == NULL && find_ci(s, len, "{{define ") != NULL &&
	    find_ci(s, len, "{{template ") != NULL)
		return hit_at(hit, "Go template definition and call", 0);
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
	"runtime.exec", "process.start", "`$_", "execsync(", "child_process",
};

/* CGI scripts in Python, Perl or shell that run what the request says:
 * a request input and an execution call in the same file. */
static const char *const cgi_inputs[] = {
	"cgi.fieldstorage", "query_string", "request.args", "request.form", "request.get(",
	"$env{", "param(", "sys.argv", "$_request", "read(stdin",
};
static const char *const cgi_calls[] = {
	"os.system(", "os.popen(", "subprocess.", "exec(", "eval(", "system(", "qx(", "`$",
	"pty.spawn(", "commands.getoutput(",
};

static int
cgi_shell(const char *s, size_t len)
{
	int in = 0;

	for (size_t k = 0; k < COUNT(cgi_inputs) && !in; k++)
		in = find_ci(s, len, cgi_inputs[k]) != NULL;
	for (size_t k = 0; in && k < COUNT(cgi_calls); k++)
		if (find_ci(s, len, cgi_calls[k]) != NULL)
			return 1;
	return 0;
}

static const char *const eval_calls[] = { "eval(", "assert(", "create_function(" };

/* Server-side code in other languages web servers run: a tag or block that
 * executes, with what it executes coming from the request. */
static const struct {
	const char *exec, *input;
} shell_pairs[] = {
	{ "<cfexecute", "url." }, { "<cfexecute", "form." }, { "<cfexecute", "#" },
	{ "process.start(", "request[" }, { "process.start(", "request.form" },
	{ "process.start(", "request.query" },
	{ "io.popen(", "ngx.var" }, { "io.popen(", "ngx.req" }, { "os.execute(", "ngx.var" },
	{ "os.execute(", "ngx.req" },
};

int
detect_webshell(const char *s, size_t len, struct detect_hit *hit)
{
	const char *open = NULL;

	if (len > 2 && s[0] == '#' && s[1] == '!' && cgi_shell(s, len))
		return hit_at(hit, "CGI script that executes request input", 0);
	for (size_t k = 0; k < COUNT(shell_pairs); k++) {
		const char *x = find_ci(s, len, shell_pairs[k].exec);

		if (x != NULL && find_ci(s, len, shell_pairs[k].input) != NULL)
			return hit_at(hit, "server-side script that executes request input",
			    (size_t)(x - s));
	}
	/* @eval(base64_decode($_POST[z0])): code that runs what the request
	 * sends, posted to a shell already on the server (AntSword, Chopper) */
	for (size_t k = 0; k < COUNT(eval_calls); k++) {
		const char *x = find_ci(s, len, eval_calls[k]);

		if (x != NULL && (find_ci(x, len - (size_t)(x - s), "$_post[") != NULL ||
		    find_ci(x, len - (size_t)(x - s), "$_get[") != NULL ||
		    find_ci(x, len - (size_t)(x - s), "$_request[") != NULL ||
		    find_ci(x, len - (size_t)(x - s), "$_cookie[") != NULL))
			return hit_at(hit, "code that evaluates request input", (size_t)(x - s));
	}
	if (memchr(s, '<', len) == NULL)
		return 0;
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
	"bat", "cmd", "vbs", "ps1", "cshtml", "vbhtml", "cfm", "cfml", "cfc",
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
			    strncasecmp(s + i + 1, script_exts[k], e - i - 1) == 0)
				return hit_at(hit, "executable file extension", i);
	}
	return 0;
}

/* ---- files that make a converter run a command or fetch a URL ---------- */

/* ImageMagick MVG/MSL (ImageTragick), Ghostscript PostScript and DjVu
 * metadata read by ExifTool: formats whose interpreters run commands. */
int
detect_converter(const char *s, size_t len, struct detect_hit *hit)
{
	const char *p;

	if ((p = find_ci(s, len, "%pipe%")) != NULL)
		return hit_at(hit, "Ghostscript %pipe% device", (size_t)(p - s));
	if (find_ci(s, len, "graphic-context") != NULL || find_ci(s, len, "viewbox ") != NULL) {
		const char *u = find_ci(s, len, "url(");

		if (u != NULL && memchr(u, '|', len - (size_t)(u - s)) != NULL)
			return hit_at(hit, "ImageMagick MVG with a shell pipe", (size_t)(u - s));
		if ((p = find_ci(s, len, "msl:")) != NULL || (p = find_ci(s, len, "ephemeral:")) != NULL ||
		    (p = find_ci(s, len, "text:/")) != NULL)
			return hit_at(hit, "ImageMagick MVG reading or deleting files", (size_t)(p - s));
	}
	if ((p = find_ci(s, len, "(metadata")) != NULL &&
	    (find_ci(p, len - (size_t)(p - s), "qx{") != NULL ||
	    find_ci(p, len - (size_t)(p - s), "system(") != NULL ||
	    find_ci(p, len - (size_t)(p - s), "exec(") != NULL))
		return hit_at(hit, "DjVu metadata with Perl code (ExifTool)", (size_t)(p - s));
	return 0;
}

/* HLS and M3U playlists: a media converter (ffmpeg) fetches every entry,
 * so an entry naming an internal address or a local file is SSRF or LFI. */
int
detect_playlist(const char *s, size_t len, struct detect_hit *hit)
{
	const char *m = find_ci(s, len, "#EXTM3U");
	size_t i;

	if (m == NULL)
		return 0;
	for (i = (size_t)(m - s); i < len;) {
		const char *nl = memchr(s + i, '\n', len - i);
		size_t e = nl != NULL ? (size_t)(nl - s) : len, b = i;
		struct detect_hit h;

		while (b < e && isspace((unsigned char)s[b]))
			b++;
		if (b < e && s[b] != '#' && (strncasecmp(s + b, "file:", 5) == 0 ||
		    strncasecmp(s + b, "concat:", 7) == 0 || strncasecmp(s + b, "subfile,", 8) == 0 ||
		    detect_ssrf(s + b, e - b, &h)))
			return hit_at(hit, "playlist entry to a local file or internal address", b);
		i = e + 1;
	}
	return 0;
}

/* ---- GraphQL abuse ---------------------------------------------------- */

#define GQL_MAX_DEPTH 16
#define GQL_MAX_ALIASES 30
#define GQL_MAX_FRAGMENTS 32

static int
gql_name_char(unsigned char c)
{
	return isalnum(c) || c == '_';
}

/* The GraphQL documents a server would execute for one request (sent as a
 * JSON "query" string or an argument): introspection of the schema (recon
 * of a production API), selections nested deeper than any page needs,
 * alias floods (a hundred OTP guesses or the same costly field in one
 * request) and fragments that spread each other in a cycle. */
int
detect_graphql(const char *s, size_t len, struct detect_hit *hit)
{
	size_t i, aliases = 0, nfrag = 0;
	int depth = 0, maxdepth = 0, paren = 0;
	struct { const char *name; size_t nl; const char *body; size_t bl; } frag[GQL_MAX_FRAGMENTS];
	const char *p;

	if ((i = fields_graphql_start(s, len)) == (size_t)-1)
		return 0;
	if ((p = find_ci(s, len, "__schema")) != NULL)
		return hit_at(hit, "GraphQL introspection", (size_t)(p - s));
	for (size_t k = i; k < len; k++) {
		unsigned char c = (unsigned char)s[k];

		if (c == '"') {	/* skip string literals */
			for (k++; k < len && s[k] != '"'; k++)
				if (s[k] == '\\')
					k++;
			continue;
		}
		if (c == '{' && ++depth > maxdepth)
			maxdepth = depth;
		else if (c == '}')
			depth--;
		else if (c == '(')
			paren++;
		else if (c == ')')
			paren--;
		else if (c == ':' && paren == 0 && k > 0) {
			/* "alias: field" outside arguments */
			size_t b = k;

			while (b > 0 && s[b - 1] == ' ')
				b--;
			if (b > 0 && gql_name_char((unsigned char)s[b - 1]))
				aliases++;
		}
	}
	if (maxdepth > GQL_MAX_DEPTH)
		return hit_at(hit, "GraphQL selections nested too deep", 0);
	if (aliases > GQL_MAX_ALIASES)
		return hit_at(hit, "GraphQL alias flood", 0);
	/* fragments: name -> body, then look for a spread cycle */
	for (p = s; (p = find_ci(p, len - (size_t)(p - s), "fragment ")) != NULL && nfrag < GQL_MAX_FRAGMENTS; p += 9) {
		const char *n = p + 9, *b, *e;
		int d = 0;

		while (n < s + len && *n == ' ')
			n++;
		frag[nfrag].name = n;
		while (n < s + len && gql_name_char((unsigned char)*n))
			n++;
		frag[nfrag].nl = (size_t)(n - frag[nfrag].name);
		if ((b = memchr(n, '{', len - (size_t)(n - s))) == NULL)
			break;
		for (e = b; e < s + len; e++) {
			d += *e == '{' ? 1 : *e == '}' ? -1 : 0;
			if (d == 0)
				break;
		}
		frag[nfrag].body = b;
		frag[nfrag].bl = (size_t)(e - b);
		if (frag[nfrag].nl > 0)
			nfrag++;
	}
	for (size_t a = 0; a < nfrag; a++) {
		/* follow the first spread of each fragment up to nfrag steps */
		size_t cur = a;

		for (size_t step = 0; step <= nfrag; step++) {
			const char *sp = memmem(frag[cur].body, frag[cur].bl, "...", 3);
			size_t next = nfrag;

			while (sp != NULL && next == nfrag) {
				const char *nm = sp + 3;
				size_t nl = 0;

				while (nm + nl < frag[cur].body + frag[cur].bl && gql_name_char((unsigned char)nm[nl]))
					nl++;
				for (size_t f = 0; f < nfrag; f++)
					if (frag[f].nl == nl && memcmp(frag[f].name, nm, nl) == 0)
						next = f;
				if (next == nfrag)
					sp = memmem(sp + 3, frag[cur].bl - (size_t)(sp + 3 - frag[cur].body), "...", 3);
			}
			if (next == nfrag)
				break;
			if (next == a)
				return hit_at(hit, "GraphQL fragments spread in a cycle", 0);
			cur = next;
		}
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
	"webvulnscan", "netlab360", "struts-pwn", "masscan-ng", "fuzz faster u fool", "wapiti",
	"appspider", "webcruiser", "grendel-scan", "vooki", "netcraft ssl", "jexboss", "tplmap",
	"goby", "fscan", "afrog", "yakit", "pocsuite", "vulmap", "kscan", "ehole", "dddd",
	"observer_ward", "awvs", "censysinspect", "l9scan", "leakix", "expanse",
	"netcraftsurveyagent", "nimbostratus", "modatscanner", "dotdotpwn", "detectify",
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

static int
is_method(const char *m, size_t len)
{
	for (size_t k = 0; k < COUNT(methods); k++)
		if (strlen(methods[k]) == len && memcmp(methods[k], m, len) == 0)
			return 1;
	return 0;
}

/* The headers the protocol checks read, found in one pass. */
enum {
	PH_HOST, PH_CONTENT_LENGTH, PH_TRANSFER_ENCODING, PH_CONNECTION, PH_CONTENT_TYPE,
	PH_RANGE, PH_REQUEST_RANGE, PH_PROXY, PH_METHOD_OVERRIDE, PH_X_HTTP_METHOD,
	PH_X_METHOD_OVERRIDE, PH_UPGRADE, PH_HTTP2_SETTINGS, PH_X_ORIGINAL_URL, PH_X_REWRITE_URL,
	PH_WS_VERSION, PH_CONTENT_ENCODING, PH_TRAILER, PH_AUTHORIZATION, PH_COUNT
};

static const char *const proto_header_names[PH_COUNT] = {
	"host", "content-length", "transfer-encoding", "connection", "content-type", "range",
	"request-range", "proxy", "x-http-method-override", "x-http-method", "x-method-override",
	"upgrade", "http2-settings", "x-original-url", "x-rewrite-url", "sec-websocket-version",
	"content-encoding", "trailer", "authorization",
};

struct proto {
	const struct waf_request *req;
	unsigned flags;
	const struct waf_header *h[PH_COUNT];	/* first of each */
	int count[PH_COUNT];
};

static void
proto_index(struct proto *p, const struct waf_request *req, unsigned flags)
{
	memset(p, 0, sizeof(*p));
	p->req = req;
	p->flags = flags;
	for (size_t i = 0; i < req->n_headers; i++) {
		const struct waf_header *h = &req->headers[i];

		for (int k = 0; k < PH_COUNT; k++)
			if (strlen(proto_header_names[k]) == h->name_len &&
			    strncasecmp(proto_header_names[k], h->name, h->name_len) == 0) {
				if (p->count[k]++ == 0)
					p->h[k] = h;
				break;
			}
	}
}

static int
value_is(const struct waf_header *h, const char *v)
{
	size_t b = 0, e = h->value_len;

	while (b < e && (h->value[b] == ' ' || h->value[b] == '\t'))
		b++;
	while (e > b && (h->value[e - 1] == ' ' || h->value[e - 1] == '\t'))
		e--;
	return e - b == strlen(v) && strncasecmp(h->value + b, v, e - b) == 0;
}

static int
check_method(const struct proto *p)
{
	const struct waf_request *req = p->req;

	const struct waf_header *o = p->h[PH_METHOD_OVERRIDE];

	if (!is_method(req->method, req->method_len))
		return 1;
	if (o == NULL)
		o = p->h[PH_X_HTTP_METHOD];
	if (o == NULL)
		o = p->h[PH_X_METHOD_OVERRIDE];
	if (o == NULL)
		return 0;
	/* overrides tunnel PUT/DELETE/PATCH through POST; on a GET they turn
	 * a link or an image into a write (CSRF, method-based ACL bypass) */
	return !is_method(o->value, o->value_len) ||
	    (req->method_len == 3 && memcmp(req->method, "GET", 3) == 0) ||
	    (req->method_len == 4 && memcmp(req->method, "HEAD", 4) == 0);
}

/* A '.' at s[i], written plainly or as %2e: its length, else 0. */
static size_t
dot_at(const char *s, size_t len, size_t i)
{
	if (i < len && s[i] == '.')
		return 1;
	if (i + 2 < len && s[i] == '%' && s[i + 1] == '2' && (s[i + 2] | 0x20) == 'e')
		return 3;
	return 0;
}

static int
check_target(const struct proto *p)
{
	const struct waf_request *req = p->req;

	if (req->path_len == 0 || (req->path[0] != '/' && !(req->path_len == 1 && req->path[0] == '*')))
		return 1;
	/* dot segments: browsers resolve "/a/../b" before sending; a raw ".."
	 * or "." segment comes from a tool walking out of a directory
	 * (/vpn/../vpns/cfg/smb.conf) */
	for (size_t i = 0; i + 1 < req->path_len; i++) {
		size_t d = i + 1, dots = 0, w;

		if (req->path[i] != '/')
			continue;
		while ((w = dot_at(req->path, req->path_len, d)) > 0) {
			d += w;
			dots++;
		}
		if (dots >= 1 && dots <= 2 && (d == req->path_len || req->path[d] == '/' ||
		    req->path[d] == ';' || req->path[d] == '?'))
			return 1;
	}
	return 0;
}

/* NUL, control characters, backslashes or broken percent-encoding in the
 * request target (raw or once decoded). */
static int
bad_target_bytes(const char *s, size_t len, int is_path)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c == 0x7F || (is_path && c == '\\'))
			return 1;
		if (c != '%')
			continue;
		if (i + 2 < len && isxdigit((unsigned char)s[i + 1]) && isxdigit((unsigned char)s[i + 2])) {
			int v = (isdigit((unsigned char)s[i + 1]) ? s[i + 1] - '0' : (s[i + 1] | 0x20) - 'a' + 10) * 16 +
			    (isdigit((unsigned char)s[i + 2]) ? s[i + 2] - '0' : (s[i + 2] | 0x20) - 'a' + 10);

			if (v == 0 || (is_path && v < 0x20 && v != 0x09))
				return 1;
			i += 2;
		} else if (!(i + 5 < len && (s[i + 1] == 'u' || s[i + 1] == 'U'))) {
			return 1;	/* '%' not followed by two hex digits */
		}
	}
	return 0;
}

static int
check_target_bytes(const struct proto *p)
{
	const struct waf_request *req = p->req;

	return bad_target_bytes(req->path, req->path_len, 1) ||
	    (req->query != NULL && bad_target_bytes(req->query, req->query_len, 0));
}

static int
check_host(const struct proto *p)
{

	const struct waf_header *h = p->h[PH_HOST];

	if (h == NULL || h->value_len == 0 || p->count[PH_HOST] > 1)
		return 1;
	for (size_t i = 0; i < h->value_len; i++) {
		unsigned char c = (unsigned char)h->value[i];

		if (!(isalnum(c) || c == '.' || c == '-' || c == ':' || c == '[' || c == ']' || c == '_'))
			return 1;
	}
	return 0;
}

/* "Transfer_Encoding", "Content_Length": servers that map '_' to '-' (CGI
 * variables, some frameworks) read a framing header the proxy did not. */
static int
underscore_alias(const char *name, size_t len)
{
	static const char *const framing[] = { "transfer-encoding", "content-length", "host",
	    "connection" };

	if (memchr(name, '_', len) == NULL)
		return 0;
	for (size_t k = 0; k < COUNT(framing); k++) {
		size_t i;

		if (strlen(framing[k]) != len)
			continue;
		for (i = 0; i < len; i++)
			if (tolower((unsigned char)name[i]) != framing[k][i] &&
			    !(name[i] == '_' && framing[k][i] == '-'))
				break;
		if (i == len)
			return 1;
	}
	return 0;
}

/* Headers that name the client's address, set by a proxy in front of the
 * site, never by a browser: sent by the client with a loopback address they
 * try to pass an "internal only" check (403 bypass). */
static int
check_spoofed_client(const struct proto *p)
{
	static const char *const names[] = {
		"x-originating-ip", "x-remote-ip", "x-remote-addr", "x-custom-ip-authorization",
		"x-client-ip", "true-client-ip", "x-real-ip", "client-ip", "x-forwarded-for",
		"x-cluster-client-ip", "forwarded-for",
	};
	const struct waf_request *req = p->req;
	int loop = 0, rare = 0;

	for (size_t i = 0; i < req->n_headers; i++) {
		const struct waf_header *h = &req->headers[i];

		for (size_t k = 0; k < COUNT(names); k++) {
			if (strlen(names[k]) != h->name_len ||
			    strncasecmp(h->name, names[k], h->name_len) != 0)
				continue;
			if ((h->value_len >= 4 && strncmp(h->value, "127.", 4) == 0) ||
			    (h->value_len >= 9 && strncasecmp(h->value, "localhost", 9) == 0) ||
			    (h->value_len == 3 && strncmp(h->value, "::1", 3) == 0)) {
				loop++;
				rare += k < 4;
			}
		}
	}
	return loop >= 2 || rare > 0;
}

/* More parameters than any form sends: hash-collision DoS and parameter
 * pollution that hopes the WAF stops reading before the application. */
static int
check_param_count(const struct proto *p)
{
	const struct waf_request *req = p->req;
	const struct waf_header *ct = p->h[PH_CONTENT_TYPE];
	size_t n = 0;

	for (size_t i = 0; req->query != NULL && i < req->query_len; i++)
		n += req->query[i] == '&';
	if (ct != NULL && find_ci(ct->value, ct->value_len, "x-www-form-urlencoded") != NULL)
		for (size_t i = 0; i < req->body_len; i++)
			n += req->body[i] == '&';
	return n >= 500;
}

/* Content-Encoding stacked more than twice (a decompression bomb, or a
 * coding the WAF and the origin undo differently), and trailers that
 * carry fields a trailer must not (RFC 9110 §6.5.1: framing, routing,
 * authentication, client address) and a back end might merge into the
 * headers after the WAF looked at them. */
static int
check_codings(const struct proto *p)
{
	static const char *const forbidden[] = {
		"transfer-encoding", "content-length", "host", "authorization", "cookie",
		"content-type", "content-encoding", "x-forwarded-for", "x-real-ip", "forwarded",
		"x-forwarded-host", "x-original-url", "x-rewrite-url",
	};
	const struct waf_header *ce = p->h[PH_CONTENT_ENCODING], *tr = p->h[PH_TRAILER];
	size_t commas = 0;

	for (size_t i = 0; ce != NULL && i < ce->value_len; i++)
		commas += ce->value[i] == ',';
	if (commas >= 2)
		return 1;
	for (size_t k = 0; tr != NULL && k < COUNT(forbidden); k++)
		if (find_ci(tr->value, tr->value_len, forbidden[k]) != NULL)
			return 1;
	return 0;
}

/* A Host that is a cloud metadata address: a request meant for the
 * instance metadata service (an SSRF relayed through the site, or a client
 * using the WAF as a proxy), never for a tenant's site. */
static int
check_metadata_host(const struct proto *p)
{
	const struct waf_header *h = p->h[PH_HOST];

	return h != NULL && metadata_host(h->value, 0, h->value_len);
}

/* Headers only the proxies in front of an application set: sent by a
 * client they spoof where a request came from or which host it was for.
 * X-Forwarded-For and X-Real-IP must be address lists; the host ones must
 * name the Host itself (password-reset links built from X-Forwarded-Host
 * point at the attacker's); Next.js's internal x-middleware-subrequest
 * skips its middleware (CVE-2025-29927). */
static int
address_list_ok(const char *v, size_t len)
{
	size_t i = 0;

	while (i < len) {
		char buf[64];
		unsigned char a6[16];
		size_t e;

		while (i < len && (v[i] == ' ' || v[i] == ','))
			i++;
		e = i;
		while (e < len && v[e] != ',')
			e++;
		while (e > i && v[e - 1] == ' ')
			e--;
		if (e == i) {
			i = e + 1;
			continue;
		}
		if (e - i >= sizeof(buf))
			return 0;
		memcpy(buf, v + i, e - i);
		buf[e - i] = '\0';
		if (buf[0] == '[') {	/* [v6]:port */
			char *rb = strchr(buf, ']');

			if (rb == NULL)
				return 0;
			*rb = '\0';
			memmove(buf, buf + 1, strlen(buf + 1) + 1);
		} else if (strchr(buf, ':') == strrchr(buf, ':') && strchr(buf, ':') != NULL) {
			*strchr(buf, ':') = '\0';	/* v4:port */
		}
		if (strcasecmp(buf, "unknown") != 0 && buf[0] != '_' &&
		    inet_pton(AF_INET, buf, a6) != 1 && inet_pton(AF_INET6, buf, a6) != 1)
			return 0;
		i = e + 1;
	}
	return 1;
}

static int
check_forwarding(const struct proto *p)
{
	static const char *const host_headers[] = {
		"x-forwarded-host", "x-host", "x-forwarded-server", "x-http-host-override",
	};
	const struct waf_request *req = p->req;
	const struct waf_header *host = p->h[PH_HOST];

	for (size_t i = 0; i < req->n_headers; i++) {
		const struct waf_header *h = &req->headers[i];

		if ((h->name_len == 15 && strncasecmp(h->name, "x-forwarded-for", 15) == 0) ||
		    (h->name_len == 9 && strncasecmp(h->name, "x-real-ip", 9) == 0)) {
			if (!address_list_ok(h->value, h->value_len))
				return 1;
			continue;
		}
		if (h->name_len == 23 && strncasecmp(h->name, "x-middleware-subrequest", 23) == 0)
			return 1;
		for (size_t k = 0; k < COUNT(host_headers); k++) {
			size_t hl = h->value_len;

			if (strlen(host_headers[k]) != h->name_len ||
			    strncasecmp(h->name, host_headers[k], h->name_len) != 0)
				continue;
			/* the same name as Host (port aside) is what a CDN in front sends */
			if (host == NULL)
				return 1;
			if (memchr(h->value, ':', hl) != NULL && h->value[0] != '[')
				hl = (size_t)((const char *)memchr(h->value, ':', hl) - h->value);
			if (!(hl <= host->value_len && strncasecmp(h->value, host->value, hl) == 0 &&
			    (hl == host->value_len || host->value[hl] == ':')))
				return 1;
		}
	}
	return 0;
}

/* A JWT bearer token whose header asks the verifier to trust the token
 * itself: "alg": "none", a "kid" that is a path or SQL (the verifier reads
 * the key from a file or a table by it), a "jku"/"x5u" URL (the verifier
 * fetches the key from there) or an embedded "jwk". */
/* The string value of "key" in the small JSON object j[0..n) (a JWT
 * header), or NULL. */
static const char *
jose_string(const char *j, size_t n, const char *key, size_t *vl)
{
	const char *k = find_ci(j, n, key), *q, *e;

	if (k == NULL || (q = memchr(k + strlen(key), '"', n - (size_t)(k + strlen(key) - j))) == NULL ||
	    (e = memchr(q + 1, '"', n - (size_t)(q + 1 - j))) == NULL)
		return NULL;
	*vl = (size_t)(e - q - 1);
	return q + 1;
}

static int
check_jwt(const struct proto *p)
{
	const struct waf_header *h = p->h[PH_AUTHORIZATION];
	const char *v, *dot, *kid, *alg;
	char head[384];
	size_t n, kl, al;
	struct detect_hit hh;

	if (h == NULL || h->value_len < 7 || strncasecmp(h->value, "bearer ", 7) != 0)
		return 0;
	v = h->value + 7;
	dot = memchr(v, '.', h->value_len - 7);
	if (dot == NULL || (size_t)(dot - v) > sizeof(head))
		return 0;
	n = norm_base64(v, (size_t)(dot - v), head);	/* the JOSE header, if it is text */
	if (n == 0 || head[0] != '{')
		return 0;
	if ((alg = jose_string(head, n, "\"alg\"", &al)) != NULL && al == 4 &&
	    strncasecmp(alg, "none", 4) == 0)
		return 1;
	if (find_ci(head, n, "\"jku\"") != NULL || find_ci(head, n, "\"x5u\"") != NULL ||
	    find_ci(head, n, "\"jwk\"") != NULL)
		return 1;
	kid = jose_string(head, n, "\"kid\"", &kl);
	return kid != NULL && (detect_lfi(kid, kl, &hh) || detect_sqli(kid, kl, &hh) ||
	    memmem(kid, kl, "..", 2) != NULL || memchr(kid, '\'', kl) != NULL);
}

static int
check_headers(const struct proto *p)
{
	const struct waf_request *req = p->req;

	for (size_t i = 0; i < req->n_headers; i++) {
		const struct waf_header *h = &req->headers[i];

		if (h->name_len == 0 || underscore_alias(h->name, h->name_len))
			return 1;
		for (size_t k = 0; k < h->name_len; k++) {
			unsigned char c = (unsigned char)h->name[k];

			if (c <= ' ' || c >= 0x7F || strchr("\"(),/:;<=>?@[\\]{}", c) != NULL)
				return 1;
		}
		for (size_t k = 0; k < h->value_len; k++) {
			unsigned char c = (unsigned char)h->value[k];

			if ((c < 0x20 && c != '\t') || c == 0x7F)
				return 1;
		}
	}
	return 0;
}

/* Content-Length and Transfer-Encoding the way request smuggling abuses
 * them: both at once, a list or a non-number, a coding other than
 * "chunked", a length the body disagrees with, TE named hop-by-hop. */
static int
check_framing(const struct proto *p)
{
	const struct waf_request *req = p->req;

	const struct waf_header *cl = p->h[PH_CONTENT_LENGTH];
	const struct waf_header *te = p->h[PH_TRANSFER_ENCODING];
	const struct waf_header *conn = p->h[PH_CONNECTION];

	if (p->count[PH_CONTENT_LENGTH] > 1 || p->count[PH_TRANSFER_ENCODING] > 1)
		return 1;
	if (te != NULL && (cl != NULL || !value_is(te, "chunked")))
		return 1;
	if (te != NULL && ((req->method_len == 3 && memcmp(req->method, "GET", 3) == 0) ||
	    (req->method_len == 4 && memcmp(req->method, "HEAD", 4) == 0)))
		return 1;
	if (cl != NULL) {
		size_t v = 0;

		if (cl->value_len == 0 || cl->value_len > 15)
			return 1;
		for (size_t i = 0; i < cl->value_len; i++) {
			if (!isdigit((unsigned char)cl->value[i]))
				return 1;
			v = v * 10 + (size_t)(cl->value[i] - '0');
		}
		/* a body longer than declared is smuggling; a shorter one may be
		 * a proxy inspecting only the start of a large body */
		if (req->body_len > v)
			return 1;
	}
	/* Connection may name hop-by-hop options; naming a header the origin
	 * relies on makes the next proxy drop it: the client address, the
	 * credentials, the framing */
	if (conn != NULL) {
		static const char *const dropped[] = {
			"x-forwarded-for", "x-real-ip", "forwarded", "x-forwarded-host",
			"x-forwarded-proto", "x-client-ip", "true-client-ip", "authorization",
			"cookie", "transfer-encoding", "content-length", "host",
		};

		for (size_t k = 0; k < COUNT(dropped); k++)
			if (find_ci(conn->value, conn->value_len, dropped[k]) != NULL)
				return 1;
	}
	return 0;
}

static int
check_body_method(const struct proto *p)
{
	const struct waf_request *req = p->req;

	return req->body_len > 0 && ((req->method_len == 3 && memcmp(req->method, "GET", 3) == 0) ||
	    (req->method_len == 4 && memcmp(req->method, "HEAD", 4) == 0));
}

static int
check_range(const struct proto *p)
{

	const struct waf_header *r = p->h[PH_RANGE];
	size_t commas = 0;

	if (p->h[PH_REQUEST_RANGE] != NULL)
		return 1;
	if (r == NULL)
		return 0;
	for (size_t i = 0, digits = 0; i < r->value_len; i++) {
		commas += r->value[i] == ',';
		digits = isdigit((unsigned char)r->value[i]) ? digits + 1 : 0;
		if (digits > 15)
			return 1;	/* bytes=0-18446744073709551615 (MS15-034) */
	}
	return commas >= 5;
}

static int
check_content_type(const struct proto *p)
{
	const struct waf_request *req = p->req;
	unsigned flags = p->flags;

	const struct waf_header *ct = p->h[PH_CONTENT_TYPE];

	if (p->count[PH_CONTENT_TYPE] > 1)
		return 1;
	/* a charset that hides markup from a UTF-8 reader: UTF-7's "+ADw-" is
	 * '<', EBCDIC's letters are other bytes */
	if (ct != NULL) {
		static const char *const hiding[] = { "utf-7", "utf7", "ibm0", "ibm1", "ibm2", "ibm5",
		    "cp037", "cp500", "cp875", "cp1026", "ebcdic", "x-imap4", "utf-16", "utf16",
		    "utf-32", "utf32", "ucs-2", "ucs2", "ucs-4" };
		const char *cs = find_ci(ct->value, ct->value_len, "charset=");

		for (size_t k = 0; cs != NULL && k < COUNT(hiding); k++) {
			size_t off = (size_t)(cs + 8 - ct->value), hl = strlen(hiding[k]);

			if (off < ct->value_len && ct->value[off] == '"')
				off++;
			if (off + hl <= ct->value_len && strncasecmp(ct->value + off, hiding[k], hl) == 0)
				return 1;
		}
	}
	if (ct != NULL && ct->value_len >= 19 && strncasecmp(ct->value, "multipart/form-data", 19) == 0) {
		const char *b = find_ci(ct->value, ct->value_len, "boundary=");

		if (b == NULL || find_ci(b + 9, ct->value_len - (size_t)(b + 9 - ct->value), "boundary=") != NULL)
			return 1;
		if (req->body_len > 0 && (flags & FIELD_F_BAD_MULTIPART))
			return 1;
	}
	return (flags & (FIELD_F_BAD_JSON | FIELD_F_DEEP_JSON)) != 0;
}

/* An h2c upgrade smuggles HTTP/2 past the proxy; X-Original-URL and
 * X-Rewrite-URL make some back ends serve another path than the one the
 * proxy checked. */
static int
check_override(const struct proto *p)
{
	/* a WebSocket upgrade with a version the origin refuses: a proxy that
	 * takes the upgrade for granted tunnels what follows (smuggling) */
	if (p->h[PH_UPGRADE] != NULL && value_is(p->h[PH_UPGRADE], "websocket") &&
	    p->h[PH_WS_VERSION] != NULL && !value_is(p->h[PH_WS_VERSION], "13"))
		return 1;
	return (p->h[PH_UPGRADE] != NULL && value_is(p->h[PH_UPGRADE], "h2c")) ||
	    p->h[PH_HTTP2_SETTINGS] != NULL || p->h[PH_X_ORIGINAL_URL] != NULL ||
	    p->h[PH_X_REWRITE_URL] != NULL;
}

static int
check_proxy_header(const struct proto *p)
{

	return p->h[PH_PROXY] != NULL;	/* httpoxy */
}

/* The protocol checks, in order; the first that fails is the reason. */
static const struct {
	const char *reason;
	int (*check)(const struct proto *p);
} protocol_checks[] = {
	{ "method not allowed or unknown", check_method },
	{ "request target is not an absolute path, or has dot segments", check_target },
	{ "NUL, control character, backslash or bad percent-encoding in the target", check_target_bytes },
	{ "missing, repeated or malformed Host", check_host },
	{ "Host is a cloud metadata address", check_metadata_host },
	{ "client address or host headers a client does not send", check_forwarding },
	{ "JWT that asks to be trusted on its own word (alg none, kid path or SQL, jku/x5u/jwk)", check_jwt },
	{ "client address headers naming loopback (access-control bypass)", check_spoofed_client },
	{ "500 or more parameters", check_param_count },
	{ "stacked Content-Encoding or a trailer carrying a header field", check_codings },
	{ "malformed header name or control character in a header value", check_headers },
	{ "ambiguous message framing (Content-Length / Transfer-Encoding)", check_framing },
	{ "GET or HEAD request with a body", check_body_method },
	{ "abusive Range or Request-Range", check_range },
	{ "malformed or ambiguous Content-Type or body, or JSON nested too deep", check_content_type },
	{ "Proxy request header (httpoxy)", check_proxy_header },
	{ "h2c or bad WebSocket upgrade, or URL override header", check_override },
};

int
detect_protocol(const struct waf_request *req, unsigned flags, struct detect_hit *hit)
{
	struct proto p;

	proto_index(&p, req, flags);
	for (size_t k = 0; k < COUNT(protocol_checks); k++)
		if (protocol_checks[k].check(&p))
			return hit_at(hit, protocol_checks[k].reason, 0);
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
	{ "converter", "cmdi", detect_converter, NULL, "files that make a converter run a command: ImageMagick MVG pipes, Ghostscript %pipe%, DjVu metadata code" },
	{ "playlist", "ssrf", detect_playlist, NULL, "HLS/M3U playlists whose entries name local files or internal addresses" },
	{ "graphql", "protocol", detect_graphql, NULL, "GraphQL abuse: introspection, nesting deeper than 16, more than 30 aliases, fragment cycles" },
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
