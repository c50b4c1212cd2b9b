/*
 * statefile: a module's memory between runs (the last baseline results,
 * the last inventory snapshot) as a JSON file in the agent's state
 * directory, replaced atomically (write, fsync, rename) so a crash leaves
 * either the old file or the new one.
 */
#ifndef YS_STATEFILE_H
#define YS_STATEFILE_H

#include <stddef.h>

#include <jansson.h>

/* dir/name parsed, or NULL when absent or unreadable (a fresh start). */
json_t *statefile_load(const char *dir, const char *name);
/* 0 / -1 with err. The file is mode 0600. */
int statefile_save(const char *dir, const char *name, const json_t *value, char *err,
    size_t errlen);

#endif
