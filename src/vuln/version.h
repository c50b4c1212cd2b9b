/*
 * version: package version comparison exactly as the package managers do
 * it -- dpkg (Debian Policy 5.6.12, dpkg's verrevcmp), rpm (rpm 4.18
 * rpmvercmp and rpmverCmp for epoch:version-release) and apk (apk-tools
 * 2.x version.c). The vulnerability matcher decides "installed < fixed"
 * with it, so any difference from the real tool is a false finding or a
 * missed one; docs/VULN.md states the rules and the oracle test.
 */
#ifndef YS_VERSION_H
#define YS_VERSION_H

#include <stddef.h>

enum version_format { VERSION_DPKG, VERSION_RPM, VERSION_APK };

/*
 * Compares a with b as format f does and sets *result to -1, 0 or 1.
 * Returns 0, or -1 with err set when either string is not a version the
 * package manager accepts (see docs/VULN.md for what each one refuses).
 */
int version_compare(enum version_format f, const char *a, const char *b,
    int *result, char *err, size_t errlen);

/* Checks one version; 0 if valid, else -1 with err set. */
int version_check(enum version_format f, const char *v, char *err,
    size_t errlen);

/* "dpkg", "rpm" or "apk" -> *out; -1 for anything else. */
int version_format_parse(const char *name, enum version_format *out);

/* The name of a format ("dpkg", ...). */
const char *version_format_name(enum version_format f);

#endif
