/*
 * inventory: what is on the host (issue 3 item 5): OS release, kernel,
 * installed packages with their source packages (dpkg; rpm where present),
 * listening ports with the owning process, and local users. The
 * vulnerability matcher works from it.
 *
 * As an agent module (policy "inventory": {"enabled", "interval_minutes",
 * optional "root"}) it sends the full inventory once when the agent starts
 * as "inventory.snapshot" events (packages in pages of 500; every part
 * carries the snapshot id and "part" n of "parts" m, the first also the
 * OS, kernel, users and ports), and afterwards, every interval, only what
 * changed as "inventory.changed" events (paged the same way). The last
 * inventory is kept in inventory.json in the state directory.
 */
#ifndef YS_INVENTORY_H
#define YS_INVENTORY_H

#include <stddef.h>

#include <jansson.h>

struct agent_ctx;

#define INVENTORY_PAGE 500

/* The inventory under root: {os, kernel, package_format, packages, ports,
 * users}. NULL with err when the package database cannot be read. */
json_t *inventory_collect(const char *root, char *err, size_t errlen);

/* What changed from old to cur: {packages: {added, removed, upgraded},
 * ports: {opened, closed, changed}, users: {added, removed, changed}, and
 * os / kernel {old, new} when they changed}; NULL when nothing did. An
 * "upgraded" entry is any change of version (up or down): {name, arch,
 * old_version, new_version, old_source, new_source, old_source_version,
 * new_source_version}. */
json_t *inventory_diff(const json_t *old, const json_t *cur);

/* The payloads of the events that carry a snapshot or a diff, in order,
 * with at most page packages (or package changes) each. */
json_t *inventory_snapshot_parts(const json_t *inv, const char *snapshot_id, size_t page);
json_t *inventory_changed_parts(const json_t *diff, const char *snapshot_id,
    const char *base_id, size_t page);

int inventory_start(struct agent_ctx *ctx, const json_t *policy, void **state);
void inventory_stop(struct agent_ctx *ctx, void *state);

#endif
