/*
 * ddosev: strict checks of scrubber events, one table of members per event
 * type (docs/DDOS.md "Service plan (tenant side)" lists them).
 */
#include "ddosev.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define BIG 1e18

enum kind { K_STR, K_INT, K_NUM, K_TIME, K_ADDR, K_NAMES, K_ADDRS, K_VPKTS, K_TIMELINE, K_TOP };

struct member {
	const char *name;
	enum kind kind;
	long long min, max;	/* K_STR: length; K_INT: value; arrays: count */
};

#define ATTACK_COMMON \
	{ "object", K_STR, 1, 63 }, { "tenant", K_INT, 1, 1000000000000000LL }, \
	{ "ip", K_ADDR, 0, 0 }, { "vectors", K_NAMES, 0, 32 }, { "triggers", K_NAMES, 0, 32 }, \
	{ "start", K_TIME, 0, 0 }, { "baseline_p95_pps", K_NUM, 0, 0 }, \
	{ "peak_pps", K_NUM, 0, 0 }, { "peak_bps", K_NUM, 0, 0 }, \
	{ "dropped_pkts", K_INT, 0, 1000000000000000000LL }, \
	{ "dropped_bytes", K_INT, 0, 1000000000000000000LL }, \
	{ "mitigations", K_STR, 0, 512 }, { "top_sources", K_TOP, 0, DDOSEV_TOP_MAX }
#define END { NULL, K_STR, 0, 0 }

static const struct member attack_live[] = {
	ATTACK_COMMON, { "mitigation_us", K_INT, 0, 3600000000LL }, END };
static const struct member attack_end[] = {
	ATTACK_COMMON, { "end", K_TIME, 0, 0 }, { "duration_s", K_NUM, 0, 0 },
	{ "vector_pkts", K_VPKTS, 0, 32 }, { "timeline", K_TIMELINE, 0, DDOSEV_TIMELINE_MAX },
	{ "samples_per_point", K_INT, 1, 1000000000 }, END };
#define DNS_COMMON \
	{ "object", K_STR, 1, 63 }, { "domain", K_STR, 1, 255 }, { "target", K_STR, 1, 16 }, \
	{ "addresses", K_ADDRS, 0, 18 }
static const struct member dns_switch[] = {
	DNS_COMMON, { "latency_ms", K_NUM, 0, 0 }, { "serial", K_INT, 0, 4294967295LL },
	{ "ttl", K_INT, 0, 86400 }, END };
static const struct member dns_error[] = { DNS_COMMON, { "error", K_STR, 0, 1024 }, END };
static const struct member scrubber_start[] = {
	{ "policy_version", K_INT, 0, 1LL << 53 }, { "interface", K_STR, 0, 64 }, END };
static const struct member scrubber_stop[] = { END };

static const struct {
	const char *type;
	const struct member *members;
} types[] = {
	{ "attack_start", attack_live },
	{ "attack_update", attack_live },
	{ "attack_end", attack_end },
	{ "dns_switch", dns_switch },
	{ "dns_error", dns_error },
	{ "scrubber_start", scrubber_start },
	{ "scrubber_stop", scrubber_stop },
};

static int __attribute__((format(printf, 3, 4)))
fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

int64_t
ddosev_time_ms(const char *s)
{
	struct tm tm = { 0 };
	int ms = 0, n = 0;
	size_t len;
	time_t t;

	if (s == NULL || (len = strlen(s)) < 20 || len > 24)
		return -1;
	for (size_t i = 0; i < len; i++) {
		static const char shape[] = "dddd-dd-ddTdd:dd:dd";
		char want = i < 19 ? shape[i] : (i == 19 ? (len == 20 ? 'Z' : '.') :
		    (i == len - 1 ? 'Z' : 'd'));

		if (want == 'd' ? !isdigit((unsigned char)s[i]) : s[i] != want)
			return -1;
	}
	if (len != 20 && len != 24)
		return -1;
	if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
	    &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &n) != 6 || n != 19)
		return -1;
	if (len == 24)
		ms = (s[20] - '0') * 100 + (s[21] - '0') * 10 + (s[22] - '0');
	if (tm.tm_year < 1970 || tm.tm_mon < 1 || tm.tm_mon > 12 || tm.tm_mday < 1 ||
	    tm.tm_mday > 31 || tm.tm_hour > 23 || tm.tm_min > 59 || tm.tm_sec > 60)
		return -1;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	t = timegm(&tm);
	if (t < 0)
		return -1;
	return (int64_t)t * 1000 + ms;
}

static bool
is_addr(const json_t *v)
{
	unsigned char a[16];
	const char *s = json_string_value(v);

	return s && (inet_pton(AF_INET, s, a) == 1 || inet_pton(AF_INET6, s, a) == 1);
}

/* A vector or trigger name: lower case letters, digits, '-' and '_'. */
static bool
is_name(const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (n == 0 || n > 32)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!islower((unsigned char)s[i]) && !isdigit((unsigned char)s[i]) &&
		    s[i] != '-' && s[i] != '_')
			return false;
	return true;
}

static bool
is_count(const json_t *v)
{
	return json_is_integer(v) && json_integer_value(v) >= 0;
}

static bool
is_num(const json_t *v)
{
	return json_is_number(v) && json_number_value(v) >= 0 && json_number_value(v) <= BIG;
}

static int
check_items(const struct member *m, const json_t *v, char *err, size_t errlen)
{
	const char *key;
	json_t *x;
	size_t i;

	if ((m->kind == K_VPKTS ? !json_is_object(v) : !json_is_array(v)) ||
	    (long long)json_array_size(v) > m->max || (long long)json_object_size(v) > m->max)
		return fail(err, errlen, "%s: %s of at most %lld", m->name,
		    m->kind == K_VPKTS ? "an object" : "an array", m->max);
	if (m->kind == K_VPKTS) {
		json_object_foreach((json_t *)v, key, x)
			if (!is_name(key) || !is_count(x))
				return fail(err, errlen, "%s: vector names to packet counts", m->name);
		return 0;
	}
	json_array_foreach(v, i, x) {
		bool ok;

		switch (m->kind) {
		case K_NAMES:
			ok = is_name(json_string_value(x));
			break;
		case K_ADDRS:
			ok = is_addr(x);
			break;
		case K_TIMELINE:
			ok = json_is_object(x) && json_object_size(x) == 4 &&
			    ddosev_time_ms(json_string_value(json_object_get(x, "t"))) >= 0 &&
			    is_num(json_object_get(x, "pps")) && is_num(json_object_get(x, "bps")) &&
			    is_count(json_object_get(x, "dropped_pkts"));
			break;
		default:	/* K_TOP */
			ok = json_is_object(x) && json_object_size(x) == 2 &&
			    is_addr(json_object_get(x, "addr")) &&
			    is_count(json_object_get(x, "pkts_estimate"));
			break;
		}
		if (!ok)
			return fail(err, errlen, "%s[%zu]: malformed", m->name, i);
	}
	return 0;
}

static int
check_member(const struct member *m, const json_t *v, char *err, size_t errlen)
{
	switch (m->kind) {
	case K_STR: {
		const char *s = json_string_value(v);

		if (s == NULL || (long long)json_string_length(v) < m->min ||
		    (long long)json_string_length(v) > m->max || strlen(s) != json_string_length(v))
			return fail(err, errlen, "%s: a string of %lld to %lld bytes", m->name, m->min,
			    m->max);
		for (const unsigned char *p = (const unsigned char *)s; *p; p++)
			if (*p < 0x20 || *p == 0x7f)
				return fail(err, errlen, "%s: control characters", m->name);
		return 0;
	}
	case K_INT:
		if (!json_is_integer(v) || json_integer_value(v) < m->min ||
		    json_integer_value(v) > m->max)
			return fail(err, errlen, "%s: an integer from %lld to %lld", m->name, m->min,
			    m->max);
		return 0;
	case K_NUM:
		return is_num(v) ? 0 : fail(err, errlen, "%s: a number from 0 to 1e18", m->name);
	case K_TIME:
		return ddosev_time_ms(json_string_value(v)) >= 0 ? 0 :
		    fail(err, errlen, "%s: a UTC time YYYY-MM-DDTHH:MM:SS.mmmZ", m->name);
	case K_ADDR:
		return is_addr(v) ? 0 : fail(err, errlen, "%s: an IPv4 or IPv6 address", m->name);
	default:
		return check_items(m, v, err, errlen);
	}
}

int
ddosev_check(const char *type, const json_t *payload, char *err, size_t errlen)
{
	const struct member *ms = NULL;
	const char *key;
	json_t *v;

	for (size_t i = 0; type && i < sizeof(types) / sizeof(types[0]); i++)
		if (strcmp(types[i].type, type) == 0)
			ms = types[i].members;
	if (ms == NULL)
		return fail(err, errlen, "type: \"%.64s\" is not a scrubber event", type ? type : "");
	if (!json_is_object(payload))
		return fail(err, errlen, "payload: must be an object");
	json_object_foreach((json_t *)payload, key, v) {
		const struct member *m = ms;

		while (m->name && strcmp(m->name, key) != 0)
			m++;
		if (m->name == NULL)
			return fail(err, errlen, "%s: unknown member '%.32s'", type, key);
	}
	for (const struct member *m = ms; m->name; m++) {
		v = json_object_get(payload, m->name);
		if (v == NULL)
			return fail(err, errlen, "%s: %s is required", type, m->name);
		if (check_member(m, v, err, errlen) < 0)
			return -1;
	}
	return 0;
}

/* {"event": E, "time": T, "seq": N, ...} -> {seq, time_ms, module, type,
 * payload}. */
static json_t *
envelope(const json_t *rec, size_t idx, char *err, size_t errlen)
{
	const char *type = json_string_value(json_object_get(rec, "event"));
	int64_t t = ddosev_time_ms(json_string_value(json_object_get(rec, "time")));
	json_t *payload, *out;

	if (type == NULL || json_string_length(json_object_get(rec, "event")) > 64) {
		fail(err, errlen, "events[%zu].event: a string of at most 64 bytes", idx);
		return NULL;
	}
	if (t < 0) {
		fail(err, errlen, "events[%zu].time: a UTC time YYYY-MM-DDTHH:MM:SS.mmmZ", idx);
		return NULL;
	}
	payload = json_deep_copy(rec);
	json_object_del(payload, "event");
	json_object_del(payload, "time");
	json_object_del(payload, "seq");
	out = json_pack("{s:O?, s:I, s:s, s:s, s:o}", "seq", json_object_get(rec, "seq"),
	    "time_ms", (json_int_t)t, "module", DDOSEV_MODULE, "type", type, "payload", payload);
	if (out == NULL)
		fail(err, errlen, "out of memory");
	return out;
}

json_t *
ddosev_normalise(const json_t *batch, char *err, size_t errlen)
{
	json_t *events = json_object_get(batch, "events"), *ev, *out, *arr;
	size_t i;
	bool any = false;

	json_array_foreach(events, i, ev)
		any |= json_is_object(ev) && json_object_get(ev, "event") != NULL &&
		    json_object_get(ev, "module") == NULL;
	if (!any)
		return json_incref((json_t *)batch);
	arr = json_array();
	json_array_foreach(events, i, ev) {
		json_t *x = ev;

		if (json_is_object(ev) && json_object_get(ev, "event") != NULL &&
		    json_object_get(ev, "module") == NULL) {
			if ((x = envelope(ev, i, err, errlen)) == NULL) {
				json_decref(arr);
				return NULL;
			}
			json_array_append_new(arr, x);
		} else {
			json_array_append(arr, x);
		}
	}
	out = json_deep_copy(batch);
	json_object_set_new(out, "events", arr);
	return out;
}
