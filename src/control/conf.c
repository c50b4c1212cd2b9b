/*
 * conf: the keyword table of yunshoud.conf and its defaults. The table is
 * the documentation too: `yunshoud check-config` and the default file are
 * generated from its help strings.
 */
#include "conf.h"

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "sitecfg.h"

#define S(f) CONFIG_STR, offsetof(struct conf, f), sizeof(((struct conf *)0)->f), 0, 0
#define I(f, lo, hi) CONFIG_INT, offsetof(struct conf, f), 0, lo, hi
#define B(f) CONFIG_BOOL, offsetof(struct conf, f), 0, 0, 0

const struct config_kw conf_keywords[] = {
	{ "listen", S(listen), "address:port the HTTPS API listens on" },
	{ "node_listen", S(node_listen), "address:port of the mTLS API for enrolled nodes; empty: off" },
	{ "workers", I(workers, 0, 64), "request threads; 0 = one per CPU" },
	{ "max_body_bytes", I(max_body_bytes, 1024, 16 * 1024 * 1024), "largest request body accepted" },
	{ "node_max_body_bytes", I(node_max_body_bytes, 1024, 16 * 1024 * 1024), "largest body from a node (event batches)" },
	{ "session_idle_minutes", I(session_idle_minutes, 1, 24 * 60), "a session unused this long ends" },
	{ "session_absolute_hours", I(session_absolute_hours, 1, 24 * 30), "a session ends this long after login" },
	{ "auto_approve_registrations", B(auto_approve_registrations), "activate self-registered tenants without an operator" },
	{ "login_rate_per_minute", I(login_rate_per_minute, 1, 1000000), "login attempts per source address per minute" },
	{ "registration_rate_per_hour", I(registration_rate_per_hour, 1, 1000000), "registrations per source address per hour" },
	{ "lockout_threshold", I(lockout_threshold, 1, 100), "failed logins before an account locks" },
	{ "lockout_base_seconds", I(lockout_base_seconds, 1, 86400), "first lock period; doubles with each further failure" },
	{ "lockout_max_seconds", I(lockout_max_seconds, 1, 7 * 86400), "longest lock period" },
	{ "argon2_memory_kib", I(argon2_memory_kib, 1024, 4 * 1024 * 1024), "argon2id memory cost for new password hashes" },
	{ "argon2_iterations", I(argon2_iterations, 1, 100), "argon2id time cost for new password hashes" },
	{ "audit_checkpoint_every", I(audit_checkpoint_every, 1, 1000000), "sign an audit checkpoint after this many entries" },
	{ "audit_checkpoint_seconds", I(audit_checkpoint_seconds, 1, 86400), "and at least this often while entries arrive" },
	{ "log_level", S(log_level), "debug, info, warn or error" },
	{ "tls_cert", S(tls_cert), "server certificate (PEM), relative to the state directory" },
	{ "tls_key", S(tls_key), "server private key (PEM), relative to the state directory" },
	{ "mfa_issuer", S(mfa_issuer), "issuer name shown in authenticator apps" },
	{ "feed_ca_file", S(feed_ca_file), "CA bundle trusted when fetching advisory feeds by URL; empty: the system's" },
	{ "scan_timeout_ms", I(scan_timeout_ms, 100, 60000), "network scans: per connect and per probe read" },
	{ "scan_threads", I(scan_threads, 1, 16), "network scans: connect-scan threads of the scan worker" },
	{ "scan_max_seconds", I(scan_max_seconds, 10, 86400), "network scans: a job's wall-clock limit (one worker serves every tenant)" },
	{ "scan_syn", B(scan_syn), "network scans: SYN scan with raw sockets when yunshoud holds CAP_NET_RAW (else connect scan)" },
	{ "scan_allow_loopback", B(scan_allow_loopback), "network scans: allow loopback targets (tests and single-host demos only; the scanner would probe its own host)" },
	{ "waf_cname_zone", S(waf_cname_zone), "DNS zone of WAF sites' CNAME targets (site-<id>.<zone>), served by the WAF nodes" },
	{ "ddos_zone", S(ddos_zone), "anti-DDoS protection zone: protected domains are <label>.<zone>, switched by the scrubber nodes (set the same zone in the scrubber policy's dns.zone)" },
	{ "ddos_allow_private", B(ddos_allow_private), "anti-DDoS: accept private-use addresses (RFC 1918, 100.64/10, fc00::/7) as protected addresses (private clouds and tests)" },
	{ NULL, 0, 0, 0, 0, 0, NULL },
};

void
conf_defaults(struct conf *c)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->listen, sizeof(c->listen), "127.0.0.1:8443");
	c->workers = 0;
	c->max_body_bytes = 65536;
	c->node_max_body_bytes = 4 * 1024 * 1024;
	snprintf(c->node_listen, sizeof(c->node_listen), "127.0.0.1:8444");
	c->session_idle_minutes = 30;
	c->session_absolute_hours = 12;
	c->auto_approve_registrations = false;
	c->login_rate_per_minute = 30;
	c->scan_timeout_ms = 1000;
	c->scan_threads = 2;
	c->scan_max_seconds = 3600;
	c->scan_allow_loopback = false;
	c->scan_syn = true;
	c->registration_rate_per_hour = 20;
	c->lockout_threshold = 5;
	c->lockout_base_seconds = 60;
	c->lockout_max_seconds = 3600;
	c->argon2_memory_kib = 19456;
	c->argon2_iterations = 2;
	c->audit_checkpoint_every = 1000;
	c->audit_checkpoint_seconds = 60;
	snprintf(c->log_level, sizeof(c->log_level), "info");
	snprintf(c->tls_cert, sizeof(c->tls_cert), "server.crt");
	snprintf(c->tls_key, sizeof(c->tls_key), "server.key");
	snprintf(c->mfa_issuer, sizeof(c->mfa_issuer), "yunshou");
	snprintf(c->waf_cname_zone, sizeof(c->waf_cname_zone), "waf.yunshou.invalid");
	snprintf(c->ddos_zone, sizeof(c->ddos_zone), "ddos.yunshou.invalid");
	c->ddos_allow_private = false;
}

int
conf_load(const char *state_dir, struct conf *c, char *err, size_t errlen)
{
	char path[1024];
	enum log_level lvl;

	conf_defaults(c);
	snprintf(path, sizeof(path), "%s/yunshoud.conf", state_dir);
	if (access(path, F_OK) == 0 && config_load(path, conf_keywords, c, err, errlen) < 0)
		return -1;
	if (log_level_parse(c->log_level, &lvl) < 0) {
		snprintf(err, errlen, "%s: log_level: expected debug, info, warn or error", path);
		return -1;
	}
	if (strchr(c->listen, ':') == NULL ||
	    (c->node_listen[0] && strchr(c->node_listen, ':') == NULL)) {
		snprintf(err, errlen, "%s: listen, node_listen: expected ADDRESS:PORT", path);
		return -1;
	}
	{
		char zone[SITECFG_DOMAIN_MAX + 1], why[200];

		if (sitecfg_domain(c->waf_cname_zone, false, zone, sizeof(zone), why,
		    sizeof(why)) < 0) {
			snprintf(err, errlen, "%s: waf_cname_zone: %s", path, why);
			return -1;
		}
		if (sitecfg_domain(c->ddos_zone, false, zone, sizeof(zone), why,
		    sizeof(why)) < 0) {
			snprintf(err, errlen, "%s: ddos_zone: %s", path, why);
			return -1;
		}
	}
	return 0;
}

int
conf_write_default(const char *path, const char *listen, char *err, size_t errlen)
{
	struct conf d;
	FILE *f;
	int fd;

	conf_defaults(&d);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
	if (fd < 0 || (f = fdopen(fd, "w")) == NULL) {
		snprintf(err, errlen, "cannot create %s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	fprintf(f, "# yunshoud configuration: key = value. Lines starting with # are comments.\n"
	    "# Defaults are shown commented out; SIGHUP reloads this file (listen and\n"
	    "# workers need a restart).\n\n");
	fprintf(f, "listen = %s\n", listen ? listen : d.listen);
	for (const struct config_kw *k = conf_keywords; k->name; k++) {
		const char *p = (const char *)&d + k->offset;

		if (strcmp(k->name, "listen") == 0)
			continue;
		fprintf(f, "\n# %s\n", k->help);
		if (k->type == CONFIG_STR)
			fprintf(f, "#%s = %s\n", k->name, p);
		else if (k->type == CONFIG_INT)
			fprintf(f, "#%s = %lld\n", k->name, *(const long long *)p);
		else
			fprintf(f, "#%s = %s\n", k->name, *(const bool *)p ? "true" : "false");
	}
	if (fclose(f) != 0) {
		snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}
