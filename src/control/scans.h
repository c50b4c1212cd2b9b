/*
 * scans: the network half of the vulnerability scanning service
 * (docs/VULN.md "Network scans"). A tenant registers scan targets (an
 * address, a small CIDR or a host name) under its vuln-scan subscription
 * (one unit of quota each). A target is scanned only when authorised: at
 * once when every address it covers is reported by the tenant's own
 * enrolled agents as their hosts' own, otherwise only after an operator approves it with the
 * reference of the written authorisation. Scans are jobs that yunshoud's
 * scan worker runs (scanworker.c): progress, cancellation, history, and
 * each result diffed against the target's previous scan.
 *
 * scans.c is the only writer of node_addresses, scan_targets, scan_jobs,
 * scan_ports and scan_findings.
 */
#ifndef YS_SCANS_H
#define YS_SCANS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include <jansson.h>

#include "auth.h"
#include "db.h"
#include "err.h"

/* Largest CIDR a target may be: IPv4 /24, IPv6 /120 (256 addresses). */
#define SCANS_MAX_ADDRESSES 256
/* Agent-reported addresses count for this long after they were last seen
 * (heartbeats come every 30 s; a released address stops counting soon). */
#define SCANS_ADDRESS_TTL_S 3600

/* Why an address may never be a target (NULL: it may). allow_loopback is
 * the scan_allow_loopback setting (tests, single-host demos). */
const char *scans_forbidden_address(const struct sockaddr *sa, bool allow_loopback);

/* Record the addresses a node's heartbeat reports (array of strings, may
 * be NULL) and the address its connection came from (peer, may be NULL).
 * Only tenant agents' addresses are kept. */
int scans_node_addresses(struct db *db, int64_t node_id, int64_t tenant_id,
    const json_t *reported, const char *peer);

/* A target as given: its kind ("ip", "cidr", "host"), canonical text and
 * the addresses it covers. Parsing a host name resolves it, so it is done
 * before the transaction that stores the target (a slow name server must
 * not hold the store's write lock). */
struct scans_target_spec {
	char kind[8];
	char canon[256];
	json_t *addresses;
};
int scans_target_parse(const char *target, bool allow_loopback, struct scans_target_spec *spec,
    struct ys_err *e);
void scans_target_spec_clear(struct scans_target_spec *spec);

/* Targets. in: {"target", "ports"?, "rate"?, "note"?}; spec: the parsed
 * target (not taken). */
int scans_target_create(struct db *db, const struct principal *p,
    const struct scans_target_spec *spec, const json_t *in, json_t **out, struct ys_err *e);
json_t *scans_target_list(struct db *db, const struct principal *p, const json_t *filters);
json_t *scans_target_get(struct db *db, const struct principal *p, int64_t id,
    struct ys_err *e);
int scans_target_approve(struct db *db, const struct principal *by, int64_t id,
    const char *reference, json_t **out, struct ys_err *e);
int scans_target_reject(struct db *db, const struct principal *by, int64_t id,
    const char *reason, json_t **out, struct ys_err *e);
int scans_target_delete(struct db *db, const struct principal *by, int64_t id,
    json_t **out, struct ys_err *e);

/* Jobs. in: {"ports"?, "rate"?} overriding the target's. */
int scans_create(struct db *db, const struct principal *p, int64_t target_id,
    const json_t *in, json_t **out, struct ys_err *e);
json_t *scans_list(struct db *db, const struct principal *p, const json_t *filters);
json_t *scans_get(struct db *db, const struct principal *p, int64_t id, struct ys_err *e);
int scans_cancel(struct db *db, const struct principal *p, int64_t id, json_t **out,
    struct ys_err *e);
/* {"scan", "ports", "findings", "diff": {"previous_scan_id", "new_ports",
 *  "closed_ports", "new_findings", "closed_findings"}} */
int scans_results(struct db *db, const struct principal *p, int64_t id, json_t **out,
    struct ys_err *e);

/* The scan worker's side (scanworker.c), on its own connection. */
struct scans_job {
	int64_t id, tenant_id, target_id;
	char target[256];
	char kind[8];
	char ports[512];
	int64_t rate;
	json_t *addresses;	/* authorised addresses (owned) */
};
/* Take the oldest queued job: 1 (job filled, now running), 0 none, -1. */
int scans_claim(struct db *db, struct scans_job *job);
void scans_job_clear(struct scans_job *job);
/* Progress; *cancel set when someone asked to cancel. */
int scans_progress(struct db *db, int64_t job_id, int64_t hosts_done, int64_t ports_done,
    int64_t ports_total, bool *cancel);
/* Finish: status "done", "cancelled" or "failed" (error says why), method
 * "syn" or "connect" (NULL: none ran); hosts is
 * an array of {"address", netscan_host_json()...}. Stores the results, the
 * counts, the previous scan, alerts for new critical/high findings and the
 * audit entry, in one transaction. */
int scans_finish(struct db *db, int64_t job_id, const char *status, const char *error,
    const char *method, const json_t *hosts);
/* At start: jobs left running by a stop are queued again. */
int scans_requeue(struct db *db);

#endif
