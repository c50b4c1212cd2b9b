/*
 * sockets: /proc/net tables. Each line reads
 *   sl: local_address:port rem_address:port st tx:rx tr:when retrnsmt uid timeout inode ...
 * with addresses as the hex of the kernel's in-memory 32-bit words (so an
 * IPv4 address is its network-order bytes read as a native integer, and an
 * IPv6 address is four such words), ports as big hex numbers.
 */
#include "sockets.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hostfs.h"

#define TCP_LISTEN 0x0A
#define UDP_UNCONNECTED 0x07

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* n hex digits to a value; -1 when any is not hex. */
static int
hex_n(const char *s, size_t n, uint32_t *out)
{
	uint32_t v = 0;

	for (size_t i = 0; i < n; i++) {
		int d = hexval((unsigned char)s[i]);

		if (d < 0)
			return -1;
		v = v << 4 | (uint32_t)d;
	}
	*out = v;
	return 0;
}

/* "0100007F:0016" or the 32-digit IPv6 form into text and port. */
static int
parse_endpoint(const char *s, size_t len, char *addr, size_t addrlen, unsigned *port)
{
	unsigned char bytes[16];
	size_t hexlen;
	uint32_t w, p;

	if (len == 13 && s[8] == ':')
		hexlen = 8;
	else if (len == 37 && s[32] == ':')
		hexlen = 32;
	else
		return -1;
	for (size_t i = 0; i < hexlen / 8; i++) {
		if (hex_n(s + i * 8, 8, &w) < 0)
			return -1;
		memcpy(bytes + i * 4, &w, 4);	/* native order, as the kernel printed it */
	}
	if (hex_n(s + hexlen + 1, 4, &p) < 0)
		return -1;
	*port = p;
	if (inet_ntop(hexlen == 8 ? AF_INET : AF_INET6, bytes, addr, (socklen_t)addrlen) == NULL)
		return -1;
	return 0;
}

/* Next whitespace-separated token of *s, with its length. */
static const char *
token(const char **s, size_t *len)
{
	const char *p = *s, *t;

	while (*p == ' ' || *p == '\t')
		p++;
	t = p;
	while (*p && *p != ' ' && *p != '\t' && *p != '\n')
		p++;
	*len = (size_t)(p - t);
	*s = p;
	return *len ? t : NULL;
}

int
sockets_parse(const char *text, const char *proto,
    void (*fn)(const struct socket_entry *, void *), void *arg)
{
	const char *line = text, *nl;
	int count = 0;
	bool udp = strncmp(proto, "udp", 3) == 0;

	if (strstr(text, "local_address") == NULL || (nl = strchr(text, '\n')) == NULL ||
	    nl < strstr(text, "local_address"))
		return -1;
	for (line = nl + 1; *line; line = nl ? nl + 1 : line + strlen(line)) {
		struct socket_entry e = { .proto = proto };
		const char *p = line, *t[10];
		size_t l[10], n = 0;
		unsigned rport;
		char raddr[46];
		uint32_t st;
		char *end;

		nl = strchr(line, '\n');
		while (n < 10 && (t[n] = token(&p, &l[n])) != NULL && (!nl || t[n] < nl))
			n++;
		if (n < 10)
			continue;
		/* t: sl local rem st tx:rx tr:when retrnsmt uid timeout inode */
		if (parse_endpoint(t[1], l[1], e.addr, sizeof(e.addr), &e.port) < 0 ||
		    parse_endpoint(t[2], l[2], raddr, sizeof(raddr), &rport) < 0 ||
		    l[3] != 2 || hex_n(t[3], 2, &st) < 0)
			continue;
		e.state = st;
		errno = 0;
		e.uid = strtoul(t[7], &end, 10);
		if (end != t[7] + l[7] || errno)
			continue;
		e.inode = strtoul(t[9], &end, 10);
		if (end != t[9] + l[9] || errno)
			continue;
		if (udp ? st != UDP_UNCONNECTED || rport != 0 : st != TCP_LISTEN)
			continue;
		count++;
		if (fn)
			fn(&e, arg);
	}
	return count;
}

static void
collect(const struct socket_entry *e, void *arg)
{
	json_array_append_new(arg, json_pack("{s:s, s:s, s:i, s:I, s:I}", "proto", e->proto,
	    "addr", e->addr, "port", (int)e->port, "uid", (json_int_t)e->uid,
	    "inode", (json_int_t)e->inode));
}

static int
cmp_socket(const void *a, const void *b)
{
	json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
	int c = strcmp(json_string_value(json_object_get(x, "proto")),
	    json_string_value(json_object_get(y, "proto")));
	json_int_t px = json_integer_value(json_object_get(x, "port"));
	json_int_t py = json_integer_value(json_object_get(y, "port"));

	if (c)
		return c;
	if (px != py)
		return px < py ? -1 : 1;
	return strcmp(json_string_value(json_object_get(x, "addr")),
	    json_string_value(json_object_get(y, "addr")));
}

struct by_inode {
	unsigned long inode;
	json_t *sock;
};

static int
cmp_inode(const void *a, const void *b)
{
	unsigned long x = ((const struct by_inode *)a)->inode, y = ((const struct by_inode *)b)->inode;

	return x < y ? -1 : x > y;
}

/* Fill pid and process for the sockets whose inode a process holds: every
 * /proc/PID/fd link reading "socket:[INODE]" is looked up in a sorted
 * index of the listening sockets' inodes. */
static void
find_owners(const char *root, json_t *socks)
{
	size_t n = json_array_size(socks), i;
	struct by_inode *idx = n ? calloc(n, sizeof(*idx)) : NULL;
	char dir[4096], fddir[4200], target[64];
	struct dirent *de, *fe;
	DIR *d, *fd;
	json_t *s;

	if (idx == NULL)
		return;
	json_array_foreach(socks, i, s) {
		idx[i].inode = (unsigned long)json_integer_value(json_object_get(s, "inode"));
		idx[i].sock = s;
	}
	qsort(idx, n, sizeof(*idx), cmp_inode);
	if (hostfs_path(root, "/proc", dir, sizeof(dir)) < 0 || (d = opendir(dir)) == NULL) {
		free(idx);
		return;
	}
	while ((de = readdir(d)) != NULL) {
		char *end;
		long pid = strtol(de->d_name, &end, 10);

		if (*end || pid <= 0)
			continue;
		snprintf(fddir, sizeof(fddir), "%s/%ld/fd", dir, pid);
		if ((fd = opendir(fddir)) == NULL)
			continue;
		while ((fe = readdir(fd)) != NULL) {
			struct by_inode key, *hit;
			ssize_t len;
			json_t *have;

			if (fe->d_name[0] == '.')
				continue;
			if ((len = readlinkat(dirfd(fd), fe->d_name, target, sizeof(target) - 1)) <= 0)
				continue;
			target[len] = '\0';
			if (sscanf(target, "socket:[%lu]", &key.inode) != 1)
				continue;
			if ((hit = bsearch(&key, idx, n, sizeof(*idx), cmp_inode)) == NULL)
				continue;
			/* Pre-forked servers share the socket: keep the lowest pid. */
			have = json_object_get(hit->sock, "pid");
			if (have == NULL || json_integer_value(have) > pid)
				json_object_set_new(hit->sock, "pid", json_integer(pid));
		}
		closedir(fd);
	}
	closedir(d);
	free(idx);
	json_array_foreach(socks, i, s) {
		char comm[64], *text;

		if (!json_object_get(s, "pid"))
			continue;
		snprintf(comm, sizeof(comm), "/proc/%lld/comm",
		    (long long)json_integer_value(json_object_get(s, "pid")));
		if ((text = hostfs_read(root, comm, 4096, NULL)) != NULL) {
			text[strcspn(text, "\n")] = '\0';
			json_object_set_new(s, "process", json_string(text));
			free(text);
		}
	}
}

json_t *
sockets_listening(const char *root, bool with_owner)
{
	static const char *const tables[] = { "tcp", "tcp6", "udp", "udp6" };
	json_t *out = json_array();
	int readable = 0;

	for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); i++) {
		char path[32], *text;

		snprintf(path, sizeof(path), "/proc/net/%s", tables[i]);
		if ((text = hostfs_read(root, path, HOSTFS_MAX_FILE, NULL)) == NULL)
			continue;
		if (sockets_parse(text, tables[i], collect, out) >= 0)
			readable++;
		free(text);
	}
	if (readable == 0) {
		json_decref(out);
		return NULL;
	}
	if (with_owner)
		find_owners(root, out);
	hostfs_sort_array(out, cmp_socket);
	return out;
}

bool
sockets_is_loopback(const char *addr)
{
	return strncmp(addr, "127.", 4) == 0 || strcmp(addr, "::1") == 0 ||
	    strncmp(addr, "::ffff:127.", 11) == 0;
}

json_t *
sockets_host_addresses(void)
{
	struct ifaddrs *ifa = NULL;
	json_t *out = json_array();

	if (out == NULL || getifaddrs(&ifa) != 0)
		return out;
	for (struct ifaddrs *i = ifa; i != NULL && json_array_size(out) < 64; i = i->ifa_next) {
		char text[INET6_ADDRSTRLEN];
		const void *a;
		int fam;

		if (i->ifa_addr == NULL || !(i->ifa_flags & IFF_UP) || (i->ifa_flags & IFF_LOOPBACK))
			continue;
		fam = i->ifa_addr->sa_family;
		if (fam == AF_INET) {
			const struct in_addr *v4 = &((const struct sockaddr_in *)i->ifa_addr)->sin_addr;

			if ((ntohl(v4->s_addr) >> 16) == 0xa9fe)	/* 169.254/16 */
				continue;
			a = v4;
		} else if (fam == AF_INET6) {
			const struct in6_addr *v6 = &((const struct sockaddr_in6 *)i->ifa_addr)->sin6_addr;

			if (IN6_IS_ADDR_LINKLOCAL(v6) || IN6_IS_ADDR_LOOPBACK(v6))
				continue;
			a = v6;
		} else {
			continue;
		}
		if (inet_ntop(fam, a, text, sizeof(text)) != NULL)
			json_array_append_new(out, json_string(text));
	}
	freeifaddrs(ifa);
	return out;
}
