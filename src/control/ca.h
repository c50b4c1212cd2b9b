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

/* Issue a node's client certificate for the CSR in csr_pem (csr_len bytes,
 * PEM, at most 64 KiB). The CSR's self-signature must verify (proof of
 * possession); its requested subject and extensions are ignored: the
 * certificate gets O=yunshou, OU=subject_ou (omitted when NULL or empty),
 * CN=subject_cn, basicConstraints CA:FALSE, extendedKeyUsage clientAuth,
 * signed by dir/ca.* with SHA-256, valid for days (1..3650). Accepted keys:
 * EC P-256/P-384, Ed25519, RSA >= 2048 bits. On success *cert_pem_out is a
 * NUL-terminated PEM certificate the caller frees with free(). 0 / -1. */
int ca_sign_csr(const char *dir, const char *csr_pem, size_t csr_len,
    const char *subject_cn, const char *subject_ou, int days,
    char **cert_pem_out, char *err, size_t errlen);

#endif
