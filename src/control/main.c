/*
 * yunshoud: the control plane daemon. Sub-commands: init (create a state
 * directory: store, CA, server certificate, signing key, first admin),
 * run (serve the API), check-config (validate and exit), audit-verify
 * (check the audit trail offline), version.
 */
#include <errno.h>
#include <getopt.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/ssl.h>

#include "audit.h"
#include "ca.h"
#include "conf.h"
#include "crypto.h"
#include "log.h"
#include "password.h"
#include "server.h"
#include "store.h"
#include "users.h"

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: yunshoud init --state DIR [--listen ADDR:PORT] [--admin NAME] [--san NAME]...\n"
	    "       yunshoud run --state DIR [--listen ADDR:PORT]\n"
	    "       yunshoud check-config --state DIR\n"
	    "       yunshoud audit-verify --state DIR\n"
	    "       yunshoud version\n");
}

struct opts {
	const char *state;
	const char *listen;
	const char *admin;
	const char *sans[16];
	size_t nsans;
};

static int
parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
		{ "state", required_argument, NULL, 's' },
		{ "listen", required_argument, NULL, 'l' },
		{ "admin", required_argument, NULL, 'a' },
		{ "san", required_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int ch;

	memset(o, 0, sizeof(*o));
	o->admin = "admin";
	optind = 1;
	while ((ch = getopt_long(argc, argv, "s:l:a:n:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 's': o->state = optarg; break;
		case 'l': o->listen = optarg; break;
		case 'a': o->admin = optarg; break;
		case 'n':
			if (o->nsans < 12)
				o->sans[o->nsans++] = optarg;
			break;
		case 'h': usage(stdout); exit(0);
		default: return -1;
		}
	}
	if (optind != argc || o->state == NULL) {
		fprintf(stderr, "yunshoud: --state DIR is required\n");
		return -1;
	}
	return 0;
}

static int
path_in(char *out, size_t outsz, const char *dir, const char *name)
{
	return (size_t)snprintf(out, outsz, "%s/%s", dir, name) < outsz ? 0 : -1;
}

/* A one-time password that passes the policy: 20 characters of an
 * unambiguous alphabet, about 100 bits. */
static int
one_time_password(char *out, size_t outsz)
{
	static const char alphabet[] = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
	unsigned char raw[20];

	if (outsz < sizeof(raw) + 1 || crypto_random(raw, sizeof(raw)) < 0)
		return -1;
	for (size_t i = 0; i < sizeof(raw); i++)
		out[i] = alphabet[raw[i] % (sizeof(alphabet) - 1)];
	out[sizeof(raw)] = '\0';
	return 0;
}

static int
cmd_init(const struct opts *o)
{
	char path[1024], path_key[1024], pub[1024], err[512], pw[32], hash[PASSWORD_HASH_MAX];
	char fp[80], host[256];
	EVP_PKEY *sk = NULL;
	const char *sans[20] = { "localhost", "127.0.0.1", "::1" };
	size_t nsans = 3;
	struct conf c;
	struct db *db = NULL;
	struct ys_err e = { 0 };
	struct password_params pp;
	int64_t uid;

	umask(077);
	if (mkdir(o->state, 0700) < 0 && errno != EEXIST) {
		fprintf(stderr, "yunshoud: cannot create %s: %s\n", o->state, strerror(errno));
		return 1;
	}
	path_in(path, sizeof(path), o->state, "yunshoud.db");
	if (access(path, F_OK) == 0) {
		fprintf(stderr, "yunshoud: %s already holds a store; refusing to initialise it "
		    "again\n", o->state);
		return 1;
	}
	path_in(path, sizeof(path), o->state, "yunshoud.conf");
	if (access(path, F_OK) != 0 && conf_write_default(path, o->listen, err, sizeof(err)) < 0)
		goto fail;
	if (conf_load(o->state, &c, err, sizeof(err)) < 0)
		goto fail;
	if (gethostname(host, sizeof(host)) == 0 && host[0] && strcmp(host, "localhost") != 0)
		sans[nsans++] = host;
	for (size_t i = 0; i < o->nsans; i++)
		sans[nsans++] = o->sans[i];
	if (ca_create(o->state, "yunshou", err, sizeof(err)) < 0 ||
	    ca_issue_server(o->state, sans, nsans, err, sizeof(err)) < 0)
		goto fail;
	path_in(path_key, sizeof(path_key), o->state, "signing.key");
	path_in(pub, sizeof(pub), o->state, "signing.pub");
	if (crypto_ed25519_generate(path_key, pub, err, sizeof(err)) < 0)
		goto fail;
	path_in(path, sizeof(path), o->state, "yunshoud.db");
	if (db_open(path, &db, err, sizeof(err)) < 0 || store_migrate(db, err, sizeof(err)) < 0)
		goto fail;
	pp = (struct password_params){ (uint32_t)c.argon2_iterations,
		(uint32_t)c.argon2_memory_kib, 1 };
	if (one_time_password(pw, sizeof(pw)) < 0 || password_hash(&pp, pw, hash, sizeof(hash)) < 0) {
		snprintf(err, sizeof(err), "cannot create the administrator's password");
		goto fail;
	}
	if ((uid = users_insert(db, o->admin, ROLE_ADMIN, 0, hash, true, &e)) < 0) {
		snprintf(err, sizeof(err), "cannot create administrator %s: %s", o->admin, e.msg);
		goto fail;
	}
	/* The trail starts with a signed (genesis) checkpoint. */
	if ((sk = crypto_ed25519_load_private(path_key, err, sizeof(err))) == NULL)
		goto fail;
	audit_configure(sk, c.audit_checkpoint_every);
	{
		struct audit_entry ae = { .actor = "yunshoud", .source = "local",
			.action = "system.init", .target = "user/1", .result = "ok" };
		char detail[300];

		snprintf(detail, sizeof(detail), "state=%s admin=%s", o->state, o->admin);
		ae.detail = detail;
		(void)uid;
		if (audit_append(db, &ae) < 0) {
			snprintf(err, sizeof(err), "cannot start the audit trail");
			goto fail;
		}
	}
	db_close(db);
	db = NULL;
	audit_configure(NULL, c.audit_checkpoint_every);
	EVP_PKEY_free(sk);
	sk = NULL;
	path_in(path, sizeof(path), o->state, "ca.crt");
	if (ca_fingerprint(path, fp, sizeof(fp), err, sizeof(err)) < 0)
		goto fail;
	printf("yunshoud: initialised %s\n"
	    "  listen:                 https://%s\n"
	    "  CA certificate:         %s/ca.crt\n"
	    "  CA fingerprint SHA-256: %s\n"
	    "  administrator:          %s\n"
	    "  one-time password:      %s\n"
	    "The password is shown only now and must be changed at first login; the\n"
	    "administrator must then enrol MFA (yunshou mfa setup / mfa enable).\n",
	    o->state, c.listen, o->state, fp, o->admin, pw);
	explicit_bzero(pw, sizeof(pw));
	return 0;
fail:
	db_close(db);
	audit_configure(NULL, 1000);
	EVP_PKEY_free(sk);
	fprintf(stderr, "yunshoud: init failed: %s\n", err);
	return 1;
}

/* Started as root on a state directory owned by someone else: become that
 * user once the sockets are bound (done inside server_run before threads
 * start would be ideal; here the store and keys are already readable by
 * the owner, so dropping first is safe for ports above 1023). */
static int
drop_privileges(const char *state_dir, char *err, size_t errlen)
{
	struct stat st;
	struct passwd *pw;

	if (geteuid() != 0 || stat(state_dir, &st) < 0 || st.st_uid == 0)
		return 0;
	pw = getpwuid(st.st_uid);
	if (setgroups(0, NULL) < 0 || setgid(st.st_gid) < 0 || setuid(st.st_uid) < 0) {
		snprintf(err, errlen, "cannot drop privileges to uid %u: %s", (unsigned)st.st_uid,
		    strerror(errno));
		return -1;
	}
	prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	log_info("yunshoud: running as %s (owner of %s)", pw ? pw->pw_name : "?", state_dir);
	return 0;
}

static EVP_PKEY *
load_signing_key(const char *state_dir, char *err, size_t errlen)
{
	char path[1024];

	path_in(path, sizeof(path), state_dir, "signing.key");
	return crypto_ed25519_load_private(path, err, errlen);
}

static int
open_store(const char *state_dir, struct db **db, bool migrate, char *err, size_t errlen)
{
	char path[1024];

	path_in(path, sizeof(path), state_dir, "yunshoud.db");
	if (access(path, F_OK) != 0) {
		snprintf(err, errlen, "no store in %s; run yunshoud init --state %s first",
		    state_dir, state_dir);
		return -1;
	}
	if (db_open(path, db, err, errlen) < 0)
		return -1;
	return migrate ? store_migrate(*db, err, errlen) : 0;
}

static int
cmd_run(const struct opts *o)
{
	struct conf *c = calloc(1, sizeof(*c));
	struct db *db = NULL;
	EVP_PKEY *key = NULL;
	enum log_level lvl = LOG_LVL_INFO;
	char err[512];
	int rc = 1;

	umask(077);
	if (c == NULL || conf_load(o->state, c, err, sizeof(err)) < 0)
		goto fail;
	if (o->listen)
		snprintf(c->listen, sizeof(c->listen), "%s", o->listen);
	log_level_parse(c->log_level, &lvl);
	log_set_level(lvl);
	if (drop_privileges(o->state, err, sizeof(err)) < 0)
		goto fail;
	if ((key = load_signing_key(o->state, err, sizeof(err))) == NULL)
		goto fail;
	if (open_store(o->state, &db, true, err, sizeof(err)) < 0)
		goto fail;
	db_close(db);
	db = NULL;
	rc = server_run(o->state, c, key, err, sizeof(err)) < 0 ? 1 : 0;
	c = NULL;	/* taken over */
	if (rc != 0)
		goto fail;
	EVP_PKEY_free(key);
	return 0;
fail:
	free(c);
	db_close(db);
	EVP_PKEY_free(key);
	log_err("yunshoud: %s", err);
	return 1;
}

static int
cmd_check(const struct opts *o)
{
	struct conf c;
	struct db *db = NULL;
	EVP_PKEY *key = NULL;
	SSL_CTX *tls = NULL;
	char err[512];
	int have, want;
	size_t n;

	if (conf_load(o->state, &c, err, sizeof(err)) < 0 ||
	    (tls = server_tls_context(o->state, &c, err, sizeof(err))) == NULL ||
	    (key = load_signing_key(o->state, err, sizeof(err))) == NULL ||
	    open_store(o->state, &db, false, err, sizeof(err)) < 0) {
		fprintf(stderr, "yunshoud: %s\n", err);
		SSL_CTX_free(tls);
		EVP_PKEY_free(key);
		db_close(db);
		return 1;
	}
	have = store_schema_version(db);
	want = store_migrations(&n)[n - 1].version;
	printf("store schema version %d (this yunshoud: %d%s)\n", have, want,
	    have < want ? "; run upgrades it" : "");
	printf("configuration OK\n");
	SSL_CTX_free(tls);
	EVP_PKEY_free(key);
	db_close(db);
	return have > want ? 1 : 0;
}

static int
cmd_audit_verify(const struct opts *o)
{
	struct audit_verify_result r;
	struct db *db = NULL;
	EVP_PKEY *key;
	char err[512];
	struct timespec t0, t1;

	if ((key = load_signing_key(o->state, err, sizeof(err))) == NULL ||
	    open_store(o->state, &db, false, err, sizeof(err)) < 0) {
		fprintf(stderr, "yunshoud: %s\n", err);
		EVP_PKEY_free(key);
		return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (audit_verify(db, key, &r) < 0) {
		fprintf(stderr, "yunshoud: cannot read the audit trail\n");
		db_close(db);
		EVP_PKEY_free(key);
		return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (r.ok)
		printf("audit trail OK: %lld entries, %lld checkpoints, head %s (%.3f s)\n",
		    (long long)r.entries, (long long)r.checkpoints, r.head_hash,
		    (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9);
	else
		fprintf(stderr, "audit trail BROKEN at entry %lld: %s\n",
		    (long long)r.first_bad_seq, r.reason);
	db_close(db);
	EVP_PKEY_free(key);
	return r.ok ? 0 : 1;
}

int
main(int argc, char **argv)
{
	struct opts o;
	const char *cmd;

	log_init("yunshoud", LOG_LVL_INFO, NULL);
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	cmd = argv[1];
	if (strcmp(cmd, "version") == 0 || strcmp(cmd, "--version") == 0) {
		printf("yunshoud %s\n", YS_VERSION);
		return 0;
	}
	if (strcmp(cmd, "help") == 0 || strcmp(cmd, "--help") == 0) {
		usage(stdout);
		return 0;
	}
	if (parse_opts(argc - 1, argv + 1, &o) < 0) {
		usage(stderr);
		return 2;
	}
	if (strcmp(cmd, "init") == 0)
		return cmd_init(&o);
	if (strcmp(cmd, "run") == 0)
		return cmd_run(&o);
	if (strcmp(cmd, "check-config") == 0)
		return cmd_check(&o);
	if (strcmp(cmd, "audit-verify") == 0)
		return cmd_audit_verify(&o);
	fprintf(stderr, "yunshoud: unknown command %s\n", cmd);
	usage(stderr);
	return 2;
}
