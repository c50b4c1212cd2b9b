/*
 * scanner: the malware module's file scanner on libyara. Rules are the
 * shipped files of rules/yara/ (compiled into the binary, one YARA
 * namespace per file) plus optional rule text from the signed policy,
 * compiled once per policy. Files are opened without following a final
 * symlink, read (or mapped) whole up to a size limit and matched; a
 * verdict cache (scancache.h) lets an unchanged file skip libyara.
 * A tree walk scans with a number of worker threads at the lowest CPU and
 * I/O priority, never following symlinks and never entering pseudo file
 * systems.
 */
#ifndef YS_SCANNER_H
#define YS_SCANNER_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include <jansson.h>

#include "scancache.h"

struct scanner_rules;

/* Compile the shipped rules and, when extra is non-empty, the policy's
 * extra rule text (namespace "policy"). On failure *out is NULL and err
 * says which file and line did not compile. */
int scanner_rules_compile(const char *extra, struct scanner_rules **out, char *err,
    size_t errlen);
void scanner_rules_free(struct scanner_rules *r);
/* Hex SHA-256 over every rule text compiled: the "rules version". */
const char *scanner_rules_version(const struct scanner_rules *r);
int scanner_rules_count(const struct scanner_rules *r);

/* The shipped rule files (scripts/embed_rules.py). */
size_t scanner_builtin_files(void);
const char *scanner_builtin_name(size_t i);
const char *scanner_builtin_text(size_t i);

struct scanner_stats {
	atomic_ullong files;		/* regular files considered */
	atomic_ullong scanned;		/* files given to libyara */
	atomic_ullong cached;		/* unchanged since a clean scan: skipped */
	atomic_ullong skipped;		/* too large, unreadable, not a regular file */
	atomic_ullong matched;
	atomic_ullong errors;
	atomic_ullong bytes;		/* bytes given to libyara */
};

#define SCANNER_SKIP_MAX 8

struct scanner {
	struct scanner_rules *rules;	/* not owned */
	struct scancache *cache;	/* not owned; NULL: no cache */
	uint64_t max_size;		/* bytes; larger files are skipped */
	int timeout_s;			/* libyara per-file timeout */
	/* Never scanned: the agent's own program and state directory (whose
	 * rule text and quarantine would match). (dev, ino) pairs. */
	size_t nskip;
	dev_t skip_dev[SCANNER_SKIP_MAX];
	ino_t skip_ino[SCANNER_SKIP_MAX];
	struct scanner_stats st;
};

/* A detection. rules: [{namespace, rule, description, description_zh,
 * severity, reference}]. Free with scanner_hit_clear(). */
struct scanner_hit {
	const char *path;
	struct stat st;
	char sha256[65];
	char severity[16];		/* the highest of the matched rules */
	json_t *rules;
};

void scanner_hit_clear(struct scanner_hit *h);
/* Add (dev, ino) of path to the never-scanned list (ignored when absent). */
void scanner_skip_path(struct scanner *s, const char *path);

enum scanner_verdict {
	SCANNER_CLEAN,
	SCANNER_CACHED,		/* clean by the cache, libyara not called */
	SCANNER_MATCH,
	SCANNER_SKIPPED,
	SCANNER_ERROR,
};

/* Per-thread scanning state (a libyara scanner and a read buffer). */
struct scanner_thread;
struct scanner_thread *scanner_thread_new(struct scanner *s);
void scanner_thread_free(struct scanner_thread *t);

/* Scan one file; a final symlink is not followed. On SCANNER_MATCH the hit
 * is filled (hit->path = path). */
enum scanner_verdict scanner_file(struct scanner_thread *t, const char *path,
    struct scanner_hit *hit);

/* Called for each detection of a walk, one call at a time. The hit is
 * cleared after the call returns. */
typedef void (*scanner_hit_fn)(void *arg, struct scanner_hit *hit);

/* Scan every regular file under each root with `threads` workers (1: the
 * calling thread). Stops early when *stop becomes non-zero (returns 1).
 * 0 when done; roots that do not exist are skipped. */
int scanner_walk(struct scanner *s, const char *const *roots, size_t nroots, int threads,
    scanner_hit_fn fn, void *arg, const volatile int *stop);

/* Lower the calling thread's CPU (nice 19) and I/O priority (idle class). */
void scanner_lower_priority(void);

#endif
