/*
 * packages: the host's installed packages from the dpkg status database
 * and, where present, the rpm database. Each package is an object {name,
 * version, arch, source, source_version}: the vulnerability matcher works
 * on SOURCE package names and versions (advisories name source packages),
 * so both are always filled — a package without a Source field is its own
 * source at its own version.
 */
#ifndef YS_PACKAGES_H
#define YS_PACKAGES_H

#include <stddef.h>

#include <jansson.h>

#define PACKAGES_MAX 200000

/* Parse len bytes of /var/lib/dpkg/status (need not be NUL-terminated).
 * Only installed packages are kept (Status "... installed", or installed
 * with triggers pending); malformed paragraphs are skipped and counted in
 * *skipped. Returns an array sorted by name and arch (never NULL unless out
 * of memory). */
json_t *packages_parse_dpkg(const char *text, size_t len, size_t *skipped);

/* Parse the output of rpm -qa --qf PACKAGES_RPM_QF: one package per line,
 * four tab-separated fields. Lines of any other shape are skipped and
 * counted. Same result shape as packages_parse_dpkg. */
#define PACKAGES_RPM_QF "%{NAME}\t%|EPOCH?{%{EPOCH}:}:{}|%{VERSION}-%{RELEASE}\t%{ARCH}\t%{SOURCERPM}\n"
json_t *packages_parse_rpm(const char *text, size_t len, size_t *skipped);

/* All installed packages under root: dpkg's when root/var/lib/dpkg/status
 * exists, plus rpm's when root/var/lib/rpm exists and an rpm binary is
 * installed. *format gets "dpkg", "rpm", "dpkg+rpm" or "none". NULL with
 * err when a database exists but cannot be read. */
json_t *packages_read(const char *root, const char **format, char *err, size_t errlen);

#endif
