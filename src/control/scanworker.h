/*
 * scanworker: yunshoud's network scanner. One thread with its own store
 * connection takes queued scan jobs oldest first and runs the src/vuln
 * engine (netscan) over each authorised address of the target, writing
 * progress as it goes and honouring cancellation; a stop of yunshoud
 * leaves the running job to be queued again at the next start. The
 * scanner runs inside the control plane rather than as a node kind: it
 * needs the store (authorisation, progress, results) and nothing of a
 * customer's host, and one process is one thing less to enrol
 * (docs/VULN.md "Network scans").
 */
#ifndef YS_SCANWORKER_H
#define YS_SCANWORKER_H

#include <stdatomic.h>
#include <stdbool.h>

#include "conf.h"
#include "db.h"

struct scanworker_opts {
	unsigned timeout_ms;	/* per connect and per probe */
	unsigned threads;	/* portscan threads */
	bool allow_loopback;	/* scan_allow_loopback */
	bool syn;		/* scan_syn: SYN scan when privileged */
	unsigned max_seconds;	/* scan_max_seconds: a job's wall-clock limit (0: none) */
};

/* Run the oldest queued job to its end on db: 1 ran one, 0 none queued,
 * -1 store error. stop (may be NULL) interrupts it and leaves it running
 * for scans_requeue(). */
int scanworker_run_once(struct db *db, const struct scanworker_opts *o, atomic_bool *stop);

/* The thread: start after the store is migrated; notify after queuing a
 * job (it also looks every second); stop before closing down. */
int scanworker_start(const char *db_path, const struct conf *(*conf)(void), char *err,
    size_t errlen);
void scanworker_notify(void);
void scanworker_stop(void);

#endif
