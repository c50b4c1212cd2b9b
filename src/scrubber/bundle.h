/*
 * bundle: the scrubber's policy, as pulled from the control plane inside the
 * signed node bundle (src/agent/policy.c verifies the Ed25519 signature; this
 * module parses the "policy" object). The parse is strict: an unknown member,
 * a malformed address, CIDR, port or mode is refused with a message naming
 * the field (e.g. "objects[2].ips[0].services[1].ports[3]: ..."), because a
 * half-understood policy on a scrubbing node drops the wrong traffic.
 * docs/DDOS.md "Bundle format" describes every member.
 */
#ifndef YS_SCRUB_BUNDLE_H
#define YS_SCRUB_BUNDLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <openssl/evp.h>

#define SCRUB_ID_MAX 64
#define SCRUB_DNAME_MAX 256
#define SCRUB_REF_MAX 512
#define SCRUB_BUNDLE_MAX_OBJECTS 4096
#define SCRUB_MAX_IPS 256	/* per object */
#define SCRUB_BUNDLE_MAX_IPS 4096	/* in all: the XDP object map's size */
#define SCRUB_MAX_SERVICES 64	/* per IP */
#define SCRUB_MAX_DOMAINS 64	/* per object */
#define SCRUB_MAX_ORIGINS 16	/* per domain */
#define SCRUB_MAX_RULES 65536

/* An IPv4 or IPv6 address; IPv4 kept in the first 4 bytes. */
struct scrub_ipaddr {
	int family;		/* AF_INET or AF_INET6 */
	uint8_t a[16];
};

struct scrub_cidr {
	struct scrub_ipaddr addr;
	uint8_t plen;
};

enum scrub_proto { SCRUB_PROTO_TCP = 6, SCRUB_PROTO_UDP = 17 };

struct scrub_service {
	enum scrub_proto proto;
	uint16_t port_lo, port_hi;	/* inclusive */
};

/* A protected address as seen by the scrubber (counted and filtered by
 * XDP). With has_origin, the address is local to the scrubber and clean
 * traffic to addr:port is forwarded to origin:port (forward.c); without, the
 * scrubber sits inline in front of the origin itself. */
struct scrub_ip {
	struct scrub_ipaddr addr;
	bool has_origin;
	struct scrub_ipaddr origin;
	struct scrub_service *services;
	size_t n_services;
};

enum scrub_divert_mode { SCRUB_DIVERT_ON_DEMAND, SCRUB_DIVERT_ALWAYS_ON };

struct scrub_domain {
	char name[SCRUB_DNAME_MAX];	/* absolute, inside the protection zone */
	enum scrub_divert_mode mode;
	struct scrub_ipaddr origin[SCRUB_MAX_ORIGINS];
	size_t n_origin;
};

/* Detection thresholds (detector.c). 0 disables an absolute threshold. */
struct scrub_thresholds {
	uint64_t pps, bps, syn_pps;
	uint32_t baseline_pct;		/* over-baseline trigger: pps > P95 * pct / 100 */
	uint64_t min_pps;		/* the over-baseline trigger needs at least this */
	uint32_t consecutive;		/* samples over threshold to declare an attack */
	uint32_t quiet_ms;		/* below threshold this long to end it */
};

struct scrub_object {
	char id[SCRUB_ID_MAX];
	int64_t tenant;
	uint64_t tier_mbps;
	struct scrub_ip *ips;
	size_t n_ips;
	struct scrub_domain *domains;
	size_t n_domains;
	struct scrub_thresholds th;
};

enum scrub_rule_action { SCRUB_RULE_BLOCK, SCRUB_RULE_ALLOW, SCRUB_RULE_RATELIMIT };

struct scrub_manual_rule {
	enum scrub_rule_action action;
	struct scrub_cidr cidr;		/* block/allow: the sources; ratelimit: unused */
	int64_t expires;		/* Unix seconds; 0 = never */
	char object[SCRUB_ID_MAX];	/* ratelimit: the object; others: "" = all */
	uint64_t pps, bps;		/* ratelimit: per-source limits */
};

struct scrub_dns {
	struct scrub_ipaddr server;
	uint16_t port;
	char zone[SCRUB_DNAME_MAX];
	char key_name[SCRUB_DNAME_MAX];
	char secret_ref[SCRUB_REF_MAX];	/* "file:/path" or "env:NAME", never the secret */
	uint32_t ttl;
	uint32_t hold_down_s;
	uint32_t timeout_ms;
};

struct scrub_bundle {
	int64_t version;
	bool has_scrub_v4, has_scrub_v6;
	struct scrub_ipaddr scrub_v4, scrub_v6;	/* the scrubbing addresses */
	bool has_dns;
	struct scrub_dns dns;
	struct scrub_thresholds th;		/* defaults for every object */
	struct scrub_object *objects;
	size_t n_objects;
	struct scrub_manual_rule *rules;
	size_t n_rules;
};

/* Parse the "policy" object of a verified bundle into b (caller frees with
 * scrub_bundle_free). 0 / -1 with err naming the field. */
int scrub_bundle_parse(const json_t *policy, struct scrub_bundle *b, char *err, size_t errlen);
/* The same from text (check-config on an unsigned policy file, fuzzing). */
int scrub_bundle_parse_text(const char *text, size_t len, struct scrub_bundle *b,
    char *err, size_t errlen);
/* Load the signed bundle in path, verify it with key for node_id (the
 * agent's policy_load) and parse it. A bundle whose signature does not verify
 * is never parsed. */
int scrub_bundle_load(EVP_PKEY *key, const char *path, int64_t node_id,
    struct scrub_bundle *b, char *err, size_t errlen);
void scrub_bundle_free(struct scrub_bundle *b);

/* Helpers shared with the other scrubber modules. */
int scrub_ipaddr_parse(const char *s, struct scrub_ipaddr *a);
int scrub_cidr_parse(const char *s, struct scrub_cidr *c, char *err, size_t errlen);
/* "192.0.2.1" / "2001:db8::1"; buf of at least 46 bytes. */
const char *scrub_ipaddr_str(const struct scrub_ipaddr *a, char *buf, size_t len);
bool scrub_ipaddr_equal(const struct scrub_ipaddr *x, const struct scrub_ipaddr *y);
const struct scrub_object *scrub_bundle_object(const struct scrub_bundle *b, const char *id);
/* The object protecting address a (and its IP entry), or NULL. */
const struct scrub_object *scrub_bundle_object_by_addr(const struct scrub_bundle *b,
    const struct scrub_ipaddr *a, const struct scrub_ip **ip);

#endif
