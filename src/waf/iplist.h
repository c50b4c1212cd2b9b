/*
 * iplist: a site's allow or deny list of IPv4/IPv6 addresses and CIDR
 * blocks. IPv4 is kept as IPv4-mapped IPv6 (::ffff:a.b.c.d/96+n) so one
 * 128-bit compare serves both families, and a client reaching an IPv6
 * listener from an IPv4-mapped address matches its IPv4 entries.
 */
#ifndef YS_IPLIST_H
#define YS_IPLIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

struct iplist;

/* From a JSON array of strings ("192.0.2.7", "10.0.0.0/8", "2001:db8::/32").
 * NULL array = empty list. NULL with a message naming the bad entry. */
struct iplist *iplist_from_json(const json_t *arr, char *err, size_t errlen);
void iplist_free(struct iplist *l);
size_t iplist_count(const struct iplist *l);

/* addr: 16 bytes in IPv6 (IPv4-mapped) form. */
bool iplist_match(const struct iplist *l, const uint8_t addr[16]);

/* Parse a textual address into the 16-byte form; 0 / -1. */
int iplist_addr_parse(const char *s, uint8_t out[16]);

#endif
