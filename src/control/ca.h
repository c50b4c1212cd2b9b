/*
 * ca: the control plane's internal certificate authority (OpenSSL 3). It
 * issues the HTTPS server certificate at init and, later, the client
 * certificates of enrolled nodes. Keys are ECDSA P-256, written with mode
 * 0600; certificates are PEM.
 */
#ifndef YS_CA_H
#define YS_CA_H

#include <stddef.h>

/* Create dir/ca.key and dir/ca.crt: a self-signed CA "yunshou CA <cn>" valid
 * 10 years, basicConstraints CA:TRUE pathlen 0, keyUsage keyCertSign/cRLSign.
 * Refuses to overwrite existing files. 0 / -1 with err. */
int ca_create(const char *dir, const char *cn, char *err, size_t errlen);

/* Create dir/server.key and dir/server.crt signed by dir/ca.*: CN = sans[0],
 * subjectAltName with every entry of sans (IP addresses recognised as
 * IP:, others DNS:), extendedKeyUsage serverAuth, valid 825 days. */
int ca_issue_server(const char *dir, const char *const *sans, size_t nsans,
    char *err, size_t errlen);

/* SHA-256 fingerprint of the DER certificate in a PEM file, as 64 lower-case
 * hex digits. out must hold 65 bytes. 0 / -1. */
int ca_fingerprint(const char *cert_path, char *out, size_t outsz,
    char *err, size_t errlen);

#endif
