/*
 * catalog: the five services and their priced plans. Services are fixed by
 * the platform (migration 2); operators add and retire plans. Prices are
 * integer fen per unit per month.
 */
#ifndef YS_CATALOG_H
#define YS_CATALOG_H

#include <jansson.h>

#include "auth.h"
#include "db.h"
#include "err.h"

json_t *catalog_services(struct db *db);
json_t *catalog_plans(struct db *db, const char *service, bool include_retired);
int catalog_plan_create(struct db *db, const json_t *in, json_t **out, struct ys_err *e);
int catalog_plan_retire(struct db *db, int64_t id, json_t **out, struct ys_err *e);
/* The active plan with this id, or NULL. */
json_t *catalog_plan_get(struct db *db, int64_t id);

#endif
