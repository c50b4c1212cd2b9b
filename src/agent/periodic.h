/*
 * periodic: a job that runs in its own thread once at start and then every
 * interval, off the agent's event loop (a baseline run walks /usr, an
 * inventory reads the package database: seconds the loop must not wait).
 * Stopping wakes the thread at once; a job in progress is asked to stop
 * through periodic_stopping() and is waited for.
 */
#ifndef YS_PERIODIC_H
#define YS_PERIODIC_H

#include <stdbool.h>

struct periodic;

/* fn(arg, p) now and every interval_s seconds. NULL when the thread cannot
 * be started. */
struct periodic *periodic_start(long interval_s, void (*fn)(void *arg, struct periodic *p),
    void *arg);
bool periodic_stopping(struct periodic *p);
/* Stop, wait for the thread and free p. NULL is ignored. */
void periodic_stop(struct periodic *p);

#endif
