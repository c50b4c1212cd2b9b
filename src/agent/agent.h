/*
 * agent: state shared by yunshou-agent's parts. The state directory holds
 * everything the node owns: its private key (0600), certificate, the
 * control plane's CA and signing key, node.json, the last good policy and
 * the event queue.
 */
#ifndef YS_AGENT_H
#define YS_AGENT_H

#include <stdbool.h>
#include <stdint.h>

#include <openssl/evp.h>

#define AGENT_DEFAULT_STATE "/var/lib/yunshou-agent"

struct agent_paths {
	char dir[512];
	char key[600], cert[600], ca[600], signing[600], node[600], policy[600], queue[600];
};

struct agent_node {
	int64_t node_id;
	int64_t tenant_id;
	char kind[16];
	char server[256];	/* user API, for enrolment */
	char node_url[256];	/* mTLS node API */
	long heartbeat_seconds;
};

void agent_paths_init(struct agent_paths *p, const char *dir);
int agent_node_load(const struct agent_paths *p, struct agent_node *n, char *err, size_t errlen);
int agent_node_save(const struct agent_paths *p, const struct agent_node *n, char *err,
    size_t errlen);

/* enrol.c */
int agent_enroll(const struct agent_paths *p, const char *server, const char *token,
    const char *fingerprint, const char *node_url, char *err, size_t errlen);

#endif
