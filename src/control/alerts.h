/*
 * alerts: detection on the control plane. Every event a node delivers is
 * offered to alerts_observe(); a table of detection rules decides whether
 * it raises an alert, with what severity and title (zh-CN and English).
 * Alerts are grouped: an event whose (node, module, type, key) matches an
 * alert that is still open or acknowledged, and seen within the grouping
 * window, adds to that alert's count instead of opening a new one, so a
 * brute-force storm is one alert with a count. Analysts acknowledge and
 * resolve alerts; every such change is audited by the API layer.
 */
#ifndef YS_ALERTS_H
#define YS_ALERTS_H

#include <stdint.h>

#include <jansson.h>

#include "auth.h"
#include "db.h"
#include "err.h"

#define ALERTS_GROUP_WINDOW_S 3600

/* Offer one stored event. 0 (with or without an alert) / -1 on a store
 * error. The caller's transaction covers it. */
int alerts_observe(struct db *db, int64_t tenant_id, int64_t node_id, const char *module,
    const char *type, int64_t time_ms, const json_t *payload);

json_t *alerts_list(struct db *db, const struct principal *p, const json_t *filters);
json_t *alerts_get(struct db *db, const struct principal *p, int64_t id, struct ys_err *e);
/* to: "acknowledged" or "resolved". */
int alerts_transition(struct db *db, const struct principal *by, int64_t id, const char *to,
    const char *note, json_t **out, struct ys_err *e);

/* Severity names in order, and their rank (-1 for an unknown name). */
int alerts_severity_rank(const char *s);

json_t *events_list(struct db *db, const struct principal *p, const json_t *filters);

#endif
