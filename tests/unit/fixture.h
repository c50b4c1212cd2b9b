/*
 * fixture: a fresh, fully migrated SQLite store in its own mkdtemp()
 * directory for each control-plane test, removed afterwards, and the few
 * rows most tests need (tenants, users, plans) inserted the way an operator
 * would have them. Header-only so each test stays one file.
 */
#ifndef YS_TEST_FIXTURE_H
#define YS_TEST_FIXTURE_H

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "auth.h"
#include "conf.h"
#include "db.h"
#include "log.h"
#include "password.h"
#include "store.h"
#include "users.h"

/* Meets the password policy: long, not common, not a sequence. */
#define FX_PASSWORD "Quartz-Lantern-7319"

struct fx {
	char dir[64];
	char path[128];
	struct db *db;
	struct conf conf;
};

/* Open (creating) the store file of f->dir without migrating it. */
static inline int
fx_open_db(struct fx *f)
{
	char err[256];

	if (db_open(f->path, &f->db, err, sizeof(err)) < 0) {
		fprintf(stderr, "fixture: %s\n", err);
		return -1;
	}
	return 0;
}

/* Close the store and remove the directory with everything in it. */
static inline void
fx_free(struct fx *f)
{
	struct dirent *de;
	char p[512];
	DIR *d;

	if (f == NULL)
		return;
	db_close(f->db);
	if ((d = opendir(f->dir)) != NULL) {
		while ((de = readdir(d)) != NULL) {
			if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
				continue;
			snprintf(p, sizeof(p), "%s/%s", f->dir, de->d_name);
			unlink(p);
		}
		closedir(d);
	}
	rmdir(f->dir);
	free(f);
}

/* migrate: 0 leaves the store empty (schema version 0). */
static inline struct fx *
fx_new(int migrate)
{
	struct fx *f = calloc(1, sizeof(*f));
	char err[256];

	if (f == NULL)
		return NULL;
	log_init("test", LOG_LVL_WARN, NULL);
	snprintf(f->dir, sizeof(f->dir), "/tmp/ys-test-XXXXXX");
	if (mkdtemp(f->dir) == NULL) {
		free(f);
		return NULL;
	}
	snprintf(f->path, sizeof(f->path), "%s/store.db", f->dir);
	if (fx_open_db(f) < 0) {
		rmdir(f->dir);
		free(f);
		return NULL;
	}
	if (migrate && store_migrate(f->db, err, sizeof(err)) < 0) {
		fprintf(stderr, "fixture: %s\n", err);
		fx_free(f);
		return NULL;
	}
	conf_defaults(&f->conf);
	f->conf.argon2_memory_kib = 1024;
	f->conf.argon2_iterations = 1;
	return f;
}

static inline int
fx_setup(void **state)
{
	return (*state = fx_new(1)) != NULL ? 0 : -1;
}

static inline int
fx_teardown(void **state)
{
	fx_free(*state);
	*state = NULL;
	return 0;
}

/* A tenant in the given status; returns its id. */
static inline int64_t
fx_tenant(struct fx *f, const char *name, const char *status)
{
	char code[32];

	snprintf(code, sizeof(code), "code-%s", name);
	if (db_run(f->db, "INSERT INTO tenants (name, credit_code, contact_name, contact_email,"
	    " contact_phone, status, created_at) VALUES (?, ?, 'Li Lei', 'li@example.cn',"
	    " '13800138000', ?, ?)", "sssl", name, code, status, (int64_t)time(NULL)) != 1)
		return -1;
	return db_last_id(f->db);
}

/* A user with password FX_PASSWORD; tenant 0 for operators. */
static inline int64_t
fx_user(struct fx *f, const char *name, enum role role, int64_t tenant, bool must_change)
{
	char hash[PASSWORD_HASH_MAX];
	struct ys_err e = { 0 };

	if (auth_hash_password(&f->conf, FX_PASSWORD, name, hash, sizeof(hash), &e) < 0)
		return -1;
	return users_insert(f->db, name, role, tenant, hash, must_change, &e);
}

/* A principal as auth_resolve would build it, without a session. */
static inline struct principal
fx_principal(int64_t user_id, const char *name, enum role role, int64_t tenant)
{
	struct principal p;

	memset(&p, 0, sizeof(p));
	p.user_id = user_id;
	p.tenant_id = tenant;
	p.role = role;
	snprintf(p.username, sizeof(p.username), "%s", name);
	return p;
}

/* Two active tenants, "alpha" with tenant admin alice and "beta" with
 * tenant admin bob, and the platform admin root: the cast of the
 * tenant-isolation tests. */
static inline void
fx_two_tenants(struct fx *f, struct principal *a, struct principal *b, struct principal *admin)
{
	int64_t ta = fx_tenant(f, "alpha", "active"), tb = fx_tenant(f, "beta", "active");

	*a = fx_principal(fx_user(f, "alice", ROLE_TENANT_ADMIN, ta, false), "alice",
	    ROLE_TENANT_ADMIN, ta);
	*b = fx_principal(fx_user(f, "bob", ROLE_TENANT_ADMIN, tb, false), "bob",
	    ROLE_TENANT_ADMIN, tb);
	*admin = fx_principal(fx_user(f, "root", ROLE_ADMIN, 0, false), "root", ROLE_ADMIN, 0);
}

/* An active plan of service at price_fen per unit per month; returns its id. */
static inline int64_t
fx_plan(struct fx *f, const char *service, const char *name, int64_t price_fen)
{
	if (db_run(f->db, "INSERT INTO plans (service, name, price_fen, created_at)"
	    " VALUES (?, ?, ?, ?)", "ssll", service, name, price_fen, (int64_t)time(NULL)) != 1)
		return -1;
	return db_last_id(f->db);
}

#endif
