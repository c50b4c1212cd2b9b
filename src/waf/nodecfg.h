/*
 * nodecfg: an enrolled WAF node's side of the control plane's bundle
 * (docs/WAF.md "Flow to the WAF nodes"). The verified policy of the
 * signed bundle — "sites" with their origins, exceptions, custom rules,
 * CC limits and IP lists, and "certificates" with their PEM — becomes the
 * proxy's configuration ("Configuration" in docs/WAF.md); the proxy's
 * security events become the control plane's node events (waf.attack).
 */
#ifndef YS_WAF_NODECFG_H
#define YS_WAF_NODECFG_H

#include <stddef.h>

#include <jansson.h>

/* The proxy configuration for policy; NULL with err when the policy is
 * not one a WAF node can serve (the caller keeps its running one). */
json_t *nodecfg_from_policy(const json_t *policy, char *err, size_t errlen);

/* The node event ({"module", "type", "time_ms", "payload"}) the control
 * plane takes for one of the proxy's event objects — an attack (types
 * waf, cc, acl: waf.attack) or a site's counts (type stats: waf.stats) —
 * or NULL when the event is not for it. */
json_t *nodecfg_event(const json_t *ev, long long time_ms);

#endif
