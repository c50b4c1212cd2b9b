/*
 * server: the HTTPS front of yunshoud. N worker threads, each with its own
 * event loop and store connection, accepting from one shared listening
 * socket per API (no lock is shared on the request path; SO_REUSEPORT is
 * not used, so a second daemon on the same port fails to start instead of
 * silently sharing it),
 * TLS 1.2+ through bufferevent_openssl, and a main thread that handles
 * signals (SIGTERM/SIGINT drain, SIGHUP reload) and timed audit
 * checkpoints.
 */
#ifndef YS_SERVER_H
#define YS_SERVER_H

#include <openssl/evp.h>

#include "conf.h"

/* The configuration in force (swapped atomically on reload). */
const struct conf *server_conf(void);

/* Serve until SIGTERM/SIGINT. conf is taken over by the server. 0 on a
 * clean stop, -1 on a start-up failure (err filled). */
int server_run(const char *state_dir, struct conf *conf, EVP_PKEY *signing_key,
    char *err, size_t errlen);

/* Build the TLS context from the configured certificate and key. */
void *server_tls_context(const char *state_dir, const struct conf *c, char *err, size_t errlen);

#endif
