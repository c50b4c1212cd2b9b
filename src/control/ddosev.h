/*
 * ddosev: the events a scrubber node (yunshou-scrubber) reports, checked
 * strictly before anything is stored. The scrubber writes JSON lines
 * {"event": "attack_start", "time": "...Z", ...} to the agent's lossless
 * queue, and the sender posts each record with its "seq": such a record is
 * first put into the node event envelope {seq, time_ms, module "ddos",
 * type <event>, payload <the other members>}. No store, no network: the
 * fuzz harness (tests/fuzz/fuzz_ddosev.c) drives these directly.
 */
#ifndef YS_DDOSEV_H
#define YS_DDOSEV_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#define DDOSEV_MODULE "ddos"
#define DDOSEV_TIMELINE_MAX 512		/* points kept per attack (the scrubber keeps 120) */
#define DDOSEV_TOP_MAX 64		/* top sources (the scrubber sends 10) */
/* The members of each type are those yunshou-scrubber writes (src/scrubber/
 * main.c: attack_event, dns_apply, run); every attack event carries the top
 * sources so far ({addr, pkts_estimate}), attack_end the timeline too. */

/* Check the payload of a module "ddos" event of type: attack_start,
 * attack_update, attack_end, dns_switch, dns_error, scrubber_start,
 * scrubber_stop. Unknown types or members, wrong types, out-of-range
 * numbers, malformed addresses or times are errors naming the member. */
int ddosev_check(const char *type, const json_t *payload, char *err, size_t errlen);

/* The batch {"events": [...]} with every scrubber record ({"event": ...})
 * put into the envelope; other events are kept as they are. New reference,
 * or NULL with err (a record with a malformed "time" or "event"). */
json_t *ddosev_normalise(const json_t *batch, char *err, size_t errlen);

/* "YYYY-MM-DDTHH:MM:SS[.mmm]Z" to Unix milliseconds; -1 when malformed. */
int64_t ddosev_time_ms(const char *s);

#endif
