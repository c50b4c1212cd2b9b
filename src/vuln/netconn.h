/*
 * netconn: the scanner's client connections. One TCP connect with a
 * timeout, bounded sends and reads with a deadline, over a plain socket
 * or an OpenSSL session. The TLS client context probes, it does not
 * trust: no verification and SECLEVEL=0, so that old protocol versions
 * and weak ciphers a server still accepts can be offered and seen.
 * OpenSSL writes with write(2): a process using this must ignore SIGPIPE
 * (yunshou-scan and yunshoud do), or a peer that hangs up kills it.
 */
#ifndef YS_NETCONN_H
#define YS_NETCONN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

#include <openssl/ssl.h>

/* Connects to sa with its port replaced by port; a blocking socket with
 * send/receive timeouts of timeout_ms, or -1. */
int netconn_open(const struct sockaddr *sa, socklen_t salen, uint16_t port,
    unsigned timeout_ms);

/* Sends all of buf (through ssl when not NULL). 0 or -1. */
int netconn_send(int fd, SSL *ssl, const void *buf, size_t n);

/*
 * Reads into buf (at most cap bytes) until timeout_ms has passed, the peer
 * closes, cap is reached, or -- unless until_eof -- the first data arrived.
 * Returns the number of bytes read (0 = nothing).
 */
size_t netconn_recv(int fd, SSL *ssl, void *buf, size_t cap,
    unsigned timeout_ms, bool until_eof);

/* A probing client context: versions min..max (0 = any), cipher list
 * (NULL = all at SECLEVEL=0), no certificate verification. */
SSL_CTX *netconn_tls_ctx(int min_version, int max_version, const char *ciphers);

/* A TLS handshake on fd with SNI name (NULL or an IP literal: none).
 * Returns the session, or NULL when the server refused it. */
SSL *netconn_tls_start(SSL_CTX *ctx, int fd, const char *name);

/* SSL_shutdown (quietly) and SSL_free; accepts NULL. */
void netconn_tls_close(SSL *ssl);

#endif
