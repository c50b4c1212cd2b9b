/*
 * netfinding: a network scan's findings. Each check module describes its
 * findings as constant rows (struct netfinding_def: id, severity, titles
 * and remediation in Chinese and English); a scan appends one netfinding
 * per hit with the port and the evidence it saw. Severities are the host
 * findings' four levels (critical/high/medium/low = 超危/高危/中危/低危,
 * docs/VULN.md "Severity").
 */
#ifndef YS_NETFINDING_H
#define YS_NETFINDING_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

enum netfinding_severity {
	NETFINDING_LOW,
	NETFINDING_MEDIUM,
	NETFINDING_HIGH,
	NETFINDING_CRITICAL,
};

struct netfinding_def {
	const char *id;
	enum netfinding_severity severity;
	const char *title_zh;
	const char *title_en;
	const char *remediation_zh;
	const char *remediation_en;
};

struct netfinding {
	const struct netfinding_def *def;
	uint16_t port;
	char evidence[256];	/* printable ASCII only */
};

struct netfinding_list {
	struct netfinding *v;
	size_t n, cap;
};

/* Appends a finding; the evidence is cut to fit and anything not
 * printable ASCII becomes '.', so hostile banners never reach the JSON
 * raw. Returns 0, or -1 when out of memory. */
int netfinding_add(struct netfinding_list *l, const struct netfinding_def *def,
    uint16_t port, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* True if a finding with this id is in the list (any port). */
int netfinding_has(const struct netfinding_list *l, const char *id);

void netfinding_list_free(struct netfinding_list *l);

const char *netfinding_severity_name(enum netfinding_severity s);
const char *netfinding_severity_zh(enum netfinding_severity s);

/* {"id","port","severity","severity_zh","title_zh","title_en","evidence",
 *  "remediation_zh","remediation_en"}; NULL when out of memory. */
json_t *netfinding_json(const struct netfinding *f);

/* Copies src[0..n) into dst (size cap, NUL-terminated), printable ASCII
 * kept, the rest as '.'; stops at the first CR or LF when one_line. */
void netfinding_printable(char *dst, size_t cap, const void *src, size_t n,
    int one_line);

#endif
