/*
 * fim: file integrity monitoring (MISSION §3.3.3, issue 3 item 1). The
 * module keeps a baseline of the policy's paths (fimdb.h), watches them
 * with inotify and rescans them on a schedule, and reports what was added,
 * modified, deleted or had its attributes changed, with before and after.
 * All scanning, hashing and inotify handling happen in one niced worker
 * thread; the event loop only holds the rescan timer.
 *
 * Policy object ("modules" → "fim"):
 *   enabled         bool
 *   paths           [absolute paths]      trees to watch
 *   ignore          [fnmatch globs]       on the full path ("*" crosses "/")
 *   rescan_minutes  int (default 720)     full rescan period; 0 = none
 *   max_mb_per_s    number (default 0)    hashing rate cap; 0 = unlimited
 *   realtime        bool (default true)   inotify watches
 */
#ifndef YS_FIM_H
#define YS_FIM_H

#include <stdbool.h>

#include <jansson.h>

struct agent_ctx;

/* The module's row in modules.c. */
int fim_start(struct agent_ctx *ctx, const json_t *policy, void **state);
void fim_stop(struct agent_ctx *ctx, void *state);

/*
 * Learn about new and changed regular files (for the malware scanner).
 * fn(path, arg) is called for every regular file FIM reports as added or
 * modified (not for the first baseline), from the FIM worker thread that
 * detected it: it must copy the path and return quickly. Subscriptions
 * outlive FIM restarts (policy changes), so a module may subscribe before
 * or after FIM starts. Up to FIM_MAX_SUBSCRIBERS; 0 / -1 when full.
 */
#define FIM_MAX_SUBSCRIBERS 8
typedef void (*fim_subscriber_fn)(const char *path, void *arg);
int fim_subscribe(fim_subscriber_fn fn, void *arg);
/* Remove a subscription (same fn and arg). After it returns, fn is no
 * longer running and will not be called again. */
void fim_unsubscribe(fim_subscriber_fn fn, void *arg);

/* Ask the running module for a full rescan now (e.g. on demand). */
void fim_rescan(void *state);
/* True once the first scan is done and no change is waiting to settle:
 * for tests and benchmarks. */
bool fim_is_idle(void *state);

/* The severity FIM gives a change of path: "high", "medium" or "low". */
const char *fim_severity(const char *path);

#endif
