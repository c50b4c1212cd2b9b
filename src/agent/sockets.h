/*
 * sockets: the host's listening sockets from /proc/net/{tcp,tcp6,udp,udp6}
 * under a root prefix, and their owning processes found by matching socket
 * inodes against the /proc/PID/fd links. Used by the baseline "listening"
 * probe and by the inventory.
 */
#ifndef YS_SOCKETS_H
#define YS_SOCKETS_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

struct socket_entry {
	const char *proto;	/* "tcp", "tcp6", "udp", "udp6" */
	char addr[46];		/* numeric, as inet_ntop writes it */
	unsigned port;
	unsigned state;		/* TCP_LISTEN is 0x0A; an unconnected UDP socket 0x07 */
	unsigned long uid;
	unsigned long inode;
};

/* Parse the text of one /proc/net table (header line first). fn is called
 * for each listening socket: TCP in state LISTEN, UDP bound and not
 * connected. Malformed lines are skipped. Returns the number of listening
 * sockets, or -1 when the header is not a /proc/net table. */
int sockets_parse(const char *text, const char *proto,
    void (*fn)(const struct socket_entry *, void *), void *arg);

/* Every listening socket under root as an array of objects {proto, addr,
 * port, uid, inode[, pid, process]}, sorted by proto, port, addr; with
 * with_owner the owning process (lowest pid holding the inode) is added
 * where it can be found. Tables that are missing are skipped; NULL when
 * none of the four can be read. */
json_t *sockets_listening(const char *root, bool with_owner);

/* Whether a numeric address is a loopback address (127/8, ::1, ::ffff:127/104). */
bool sockets_is_loopback(const char *addr);
/* The host's own unicast addresses (getifaddrs: interfaces that are up,
 * without loopback and link-local), at most 64, as strings. The control
 * plane authorises network scans of the addresses a tenant's agents
 * report. Never NULL unless out of memory. */
json_t *sockets_host_addresses(void);

#endif
