/*
 * h_alerts: handlers for alerts and the events behind them.
 */
#include <stdio.h>

#include "alerts.h"
#include "api.h"

int
h_alert_list(struct api_req *r)
{
	return api_items(r, alerts_list(r->ctx->db, &r->who, r->query));
}

int
h_alert_get(struct api_req *r)
{
	json_t *a = alerts_get(r->ctx->db, &r->who, r->id, &r->err);

	return a ? api_ok(r, 200, a) : -1;
}

static int
transition(struct api_req *r, const char *to)
{
	json_t *out = NULL;
	const char *note = jsonv_str(r->body, "note", NULL);

	api_target(r, "alert", r->id);
	if (note)
		snprintf(r->detail, sizeof(r->detail), "note=%s", note);
	if (alerts_transition(r->ctx->db, &r->who, r->id, to, note, &out, &r->err) < 0)
		return -1;
	r->audit_tenant = json_integer_value(json_object_get(out, "tenant_id"));
	return api_ok(r, 200, out);
}

int h_alert_ack(struct api_req *r) { return transition(r, "acknowledged"); }
int h_alert_resolve(struct api_req *r) { return transition(r, "resolved"); }

int
h_event_list(struct api_req *r)
{
	return api_items(r, events_list(r->ctx->db, &r->who, r->query));
}
