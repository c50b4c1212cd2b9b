/*
 * h_quarantine: handlers for the malware quarantine of agents — the list
 * of quarantined files and restore requests (a command to the node).
 */
#include <stdio.h>
#include <string.h>

#include "api.h"
#include "quarantine.h"

int
h_quarantine_list(struct api_req *r)
{
	json_t *items = quarantine_items(r->ctx->db, &r->who, api_qint(r, "node_id", 0), &r->err);

	return items ? api_items(r, items) : -1;
}

static bool
is_item_id(const char *s)
{
	if (strlen(s) != 17 || s[0] != 'q')
		return false;
	for (int i = 1; i < 17; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

int
h_quarantine_restore(struct api_req *r)
{
	const char *item = jsonv_str(r->body, "item", "");
	json_t *out = NULL;

	api_target(r, "node", r->id);
	snprintf(r->detail, sizeof(r->detail), "item=%.32s", item);
	if (!is_item_id(item))
		return ys_fail(&r->err, "invalid_field", "item: a quarantine item id, 'q' and 16 "
		    "hex digits (see yunshou quarantine list)");
	if (quarantine_restore_request(r->ctx->db, &r->who, r->id, item, &out, &r->err) < 0)
		return -1;
	r->audit_tenant = json_integer_value(json_object_get(out, "tenant_id"));
	return api_ok(r, 201, out);
}
