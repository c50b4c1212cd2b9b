/*
 * sqlite: the SQLite backend of the db interface (db.h). WAL mode so that
 * readers never block the writer; a per-connection cache of prepared
 * statements keyed by the SQL text's address (queries are string literals),
 * so that a hot query is compiled once per worker. Entries are keyed by a
 * hash of the SQL text and verified against a copy of it.
 */
#include "db.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sqlite3.h>

#include "log.h"

#define STMT_CACHE 256

struct db_stmt {
	sqlite3_stmt *s;
	char *sql;		/* own copy: callers may pass text built on the stack */
	uint64_t hash;
	struct db *db;
	bool cached;
	bool busy;
};

/* Writers of this process queue on a mutex before BEGIN IMMEDIATE, so that
 * worker threads hand the store's write lock over at once instead of
 * polling in SQLite's busy handler (which sleeps in steps of up to 100 ms
 * and showed as a 200 ms p99 under concurrent writes). Other processes
 * still meet the busy timeout. */
static pthread_mutex_t write_lock = PTHREAD_MUTEX_INITIALIZER;

struct db {
	sqlite3 *h;
	int tx_depth;
	int last_rc;
	struct db_stmt cache[STMT_CACHE];
};

int
db_open(const char *path, struct db **out, char *err, size_t errlen)
{
	struct db *db = calloc(1, sizeof(*db));
	int rc;

	if (db == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	rc = sqlite3_open_v2(path, &db->h,
	    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		snprintf(err, errlen, "cannot open store %s: %s", path,
		    db->h ? sqlite3_errmsg(db->h) : sqlite3_errstr(rc));
		sqlite3_close(db->h);
		free(db);
		return -1;
	}
	sqlite3_busy_timeout(db->h, 10000);
	sqlite3_extended_result_codes(db->h, 1);
	if (db_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
	    "PRAGMA foreign_keys=ON; PRAGMA temp_store=MEMORY;") < 0) {
		snprintf(err, errlen, "cannot configure store %s: %s", path, sqlite3_errmsg(db->h));
		db_close(db);
		return -1;
	}
	*out = db;
	return 0;
}

void
db_close(struct db *db)
{
	if (db == NULL)
		return;
	for (size_t i = 0; i < STMT_CACHE; i++) {
		sqlite3_finalize(db->cache[i].s);
		free(db->cache[i].sql);
	}
	sqlite3_close(db->h);
	free(db);
}

int
db_exec(struct db *db, const char *sql)
{
	char *msg = NULL;

	db->last_rc = sqlite3_exec(db->h, sql, NULL, NULL, &msg);
	if (db->last_rc != SQLITE_OK) {
		log_err("db: %s", msg ? msg : sqlite3_errstr(db->last_rc));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

static uint64_t
sql_hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static struct db_stmt *
stmt_get(struct db *db, const char *sql)
{
	uint64_t hash = sql_hash(sql);
	struct db_stmt *st = NULL;

	for (size_t i = 0; i < 8; i++) {
		struct db_stmt *c = &db->cache[(hash + i) % STMT_CACHE];

		if (c->sql != NULL && c->hash == hash && !c->busy && strcmp(c->sql, sql) == 0) {
			st = c;
			break;
		}
		if (c->sql == NULL) {
			if (sqlite3_prepare_v3(db->h, sql, -1, SQLITE_PREPARE_PERSISTENT,
			    &c->s, NULL) != SQLITE_OK) {
				log_err("db: prepare failed: %s: %.200s", sqlite3_errmsg(db->h), sql);
				return NULL;
			}
			if ((c->sql = strdup(sql)) == NULL) {
				sqlite3_finalize(c->s);
				c->s = NULL;
				return NULL;
			}
			c->hash = hash;
			c->db = db;
			c->cached = true;
			st = c;
			break;
		}
	}
	if (st == NULL) {
		st = calloc(1, sizeof(*st));
		if (st == NULL)
			return NULL;
		if (sqlite3_prepare_v2(db->h, sql, -1, &st->s, NULL) != SQLITE_OK) {
			log_err("db: prepare failed: %s: %.200s", sqlite3_errmsg(db->h), sql);
			free(st);
			return NULL;
		}
		st->db = db;
	}
	st->busy = true;
	return st;
}

static struct db_stmt *
stmt_bind(struct db *db, const char *sql, const char *types, va_list ap)
{
	struct db_stmt *st = stmt_get(db, sql);
	int idx = 1, rc = SQLITE_OK;

	if (st == NULL)
		return NULL;
	for (const char *t = types; t && *t && rc == SQLITE_OK; t++, idx++) {
		switch (*t) {
		case 'i':
			rc = sqlite3_bind_int64(st->s, idx, va_arg(ap, int));
			break;
		case 'l':
			rc = sqlite3_bind_int64(st->s, idx, va_arg(ap, int64_t));
			break;
		case 'L': {
			int64_t v = va_arg(ap, int64_t);

			rc = v ? sqlite3_bind_int64(st->s, idx, v) : sqlite3_bind_null(st->s, idx);
			break;
		}
		case 's': {
			const char *s = va_arg(ap, const char *);

			rc = s ? sqlite3_bind_text(st->s, idx, s, -1, SQLITE_TRANSIENT)
			    : sqlite3_bind_null(st->s, idx);
			break;
		}
		case 'b': {
			const void *p = va_arg(ap, const void *);
			size_t n = va_arg(ap, size_t);

			rc = p ? sqlite3_bind_blob64(st->s, idx, p, n, SQLITE_TRANSIENT)
			    : sqlite3_bind_null(st->s, idx);
			break;
		}
		default:
			log_err("db: bad parameter type '%c'", *t);
			rc = SQLITE_MISUSE;
		}
	}
	if (rc != SQLITE_OK) {
		log_err("db: bind failed: %s", sqlite3_errstr(rc));
		db_done(st);
		return NULL;
	}
	return st;
}

struct db_stmt *
db_q(struct db *db, const char *sql, const char *types, ...)
{
	struct db_stmt *st;
	va_list ap;

	va_start(ap, types);
	st = stmt_bind(db, sql, types, ap);
	va_end(ap);
	return st;
}

void
db_bind_int64(struct db_stmt *st, int idx, int64_t v)
{
	sqlite3_bind_int64(st->s, idx, v);
}

void
db_bind_text(struct db_stmt *st, int idx, const char *s)
{
	if (s)
		sqlite3_bind_text(st->s, idx, s, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st->s, idx);
}

int
db_step(struct db_stmt *st)
{
	int rc = sqlite3_step(st->s);

	st->db->last_rc = rc;
	if (rc == SQLITE_ROW)
		return DB_ROW;
	if (rc == SQLITE_DONE)
		return DB_DONE;
	if ((rc & 0xff) != SQLITE_CONSTRAINT)
		log_err("db: step failed: %s", sqlite3_errmsg(st->db->h));
	return DB_ERROR;
}

void
db_done(struct db_stmt *st)
{
	if (st == NULL)
		return;
	if (st->cached) {
		sqlite3_reset(st->s);
		sqlite3_clear_bindings(st->s);
		st->busy = false;
	} else {
		sqlite3_finalize(st->s);
		free(st);
	}
}

int64_t
db_col_int(struct db_stmt *st, int col)
{
	return sqlite3_column_int64(st->s, col);
}

const char *
db_col_text(struct db_stmt *st, int col)
{
	return (const char *)sqlite3_column_text(st->s, col);
}

const void *
db_col_blob(struct db_stmt *st, int col, size_t *len)
{
	const void *p = sqlite3_column_blob(st->s, col);

	*len = (size_t)sqlite3_column_bytes(st->s, col);
	return p;
}

bool
db_col_is_null(struct db_stmt *st, int col)
{
	return sqlite3_column_type(st->s, col) == SQLITE_NULL;
}

int
db_col_count(struct db_stmt *st)
{
	return sqlite3_column_count(st->s);
}

int64_t
db_run(struct db *db, const char *sql, const char *types, ...)
{
	struct db_stmt *st;
	va_list ap;
	int rc;

	va_start(ap, types);
	st = stmt_bind(db, sql, types, ap);
	va_end(ap);
	if (st == NULL)
		return -1;
	while ((rc = db_step(st)) == DB_ROW)
		;
	db_done(st);
	return rc == DB_DONE ? sqlite3_changes64(db->h) : -1;
}

int64_t
db_int(struct db *db, int64_t def, const char *sql, const char *types, ...)
{
	struct db_stmt *st;
	int64_t v = def;
	va_list ap;

	va_start(ap, types);
	st = stmt_bind(db, sql, types, ap);
	va_end(ap);
	if (st == NULL)
		return def;
	if (db_step(st) == DB_ROW && !db_col_is_null(st, 0))
		v = db_col_int(st, 0);
	db_done(st);
	return v;
}

static bool
ends_with(const char *s, size_t n, const char *suffix)
{
	size_t m = strlen(suffix);

	return n >= m && memcmp(s + n - m, suffix, m) == 0;
}

json_t *
db_row_json(struct db_stmt *st)
{
	json_t *o = json_object();
	int n = sqlite3_column_count(st->s);

	for (int i = 0; i < n && o; i++) {
		const char *name = sqlite3_column_name(st->s, i);
		size_t len = strlen(name);
		int type = sqlite3_column_type(st->s, i);
		char key[64];
		json_t *v;

		if (len >= sizeof(key))
			continue;
		memcpy(key, name, len + 1);
		if (ends_with(key, len, ":b")) {
			key[len - 2] = '\0';
			v = type == SQLITE_NULL ? json_null()
			    : json_boolean(sqlite3_column_int64(st->s, i) != 0);
		} else if (ends_with(key, len, ":ms")) {
			char t[40];
			int64_t ms = sqlite3_column_int64(st->s, i);

			key[len - 3] = '\0';
			db_time_text(ms / 1000, t, sizeof(t));
			/* "YYYY-MM-DDTHH:MM:SSZ" becomes "...SS.mmmZ"; other text
			 * (a time out of range) is left as it is. */
			if (strlen(t) == 20 && t[19] == 'Z')
				snprintf(t + 19, sizeof(t) - 19, ".%03dZ", (int)(ms % 1000 + 1000) % 1000);
			v = json_string(t);
		} else if (ends_with(key, len, ":hex")) {
			const unsigned char *p = sqlite3_column_blob(st->s, i);
			int bl = sqlite3_column_bytes(st->s, i);
			char hx[129];

			key[len - 4] = '\0';
			for (int k = 0; k < bl && k < 64; k++)
				snprintf(hx + 2 * k, 3, "%02x", p[k]);
			hx[bl < 64 ? 2 * bl : 128] = '\0';
			v = json_string(hx);
		} else if (type == SQLITE_NULL) {
			v = json_null();
		} else if (ends_with(key, len, "_at") && type == SQLITE_INTEGER) {
			char t[32];

			db_time_text(sqlite3_column_int64(st->s, i), t, sizeof(t));
			v = json_string(t);
		} else if (type == SQLITE_INTEGER) {
			int64_t x = sqlite3_column_int64(st->s, i);

			v = json_integer(x);
			if (ends_with(key, len, "_fen") && len < sizeof(key) - 1) {
				char cny[40], k2[64];

				snprintf(cny, sizeof(cny), "%s%lld.%02lld", x < 0 ? "-" : "",
				    (long long)(x < 0 ? -x : x) / 100, (long long)(x < 0 ? -x : x) % 100);
				snprintf(k2, sizeof(k2), "%.*s_cny", (int)(len - 4), key);
				json_object_set_new(o, k2, json_string(cny));
			}
		} else if (type == SQLITE_FLOAT) {
			v = json_real(sqlite3_column_double(st->s, i));
		} else if (type == SQLITE_BLOB) {
			continue;	/* hashes and keys are never shown raw */
		} else {
			v = json_string((const char *)sqlite3_column_text(st->s, i));
		}
		json_object_set_new(o, key, v ? v : json_null());
	}
	return o;
}

json_t *
db_rows_json(struct db_stmt *st)
{
	json_t *a = json_array();
	int rc;

	if (st == NULL) {
		json_decref(a);
		return NULL;
	}
	while ((rc = db_step(st)) == DB_ROW)
		json_array_append_new(a, db_row_json(st));
	db_done(st);
	if (rc == DB_ERROR) {
		json_decref(a);
		return NULL;
	}
	return a;
}

/* Nested transactions are savepoints: an inner failure undoes only the
 * inner work. */
int
db_begin(struct db *db)
{
	char sql[48];

	if (db->tx_depth > 0) {
		snprintf(sql, sizeof(sql), "SAVEPOINT sp%d", db->tx_depth);
		if (db_exec(db, sql) < 0)
			return -1;
		db->tx_depth++;
		return 0;
	}
	pthread_mutex_lock(&write_lock);
	if (db_exec(db, "BEGIN IMMEDIATE") < 0) {
		pthread_mutex_unlock(&write_lock);
		return -1;
	}
	db->tx_depth = 1;
	return 0;
}

int
db_commit(struct db *db)
{
	char sql[48];

	if (db->tx_depth <= 0)
		return -1;
	if (db->tx_depth > 1) {
		db->tx_depth--;
		snprintf(sql, sizeof(sql), "RELEASE sp%d", db->tx_depth);
		return db_exec(db, sql);
	}
	db->tx_depth = 0;
	if (db_exec(db, "COMMIT") < 0) {
		db_exec(db, "ROLLBACK");
		pthread_mutex_unlock(&write_lock);
		return -1;
	}
	pthread_mutex_unlock(&write_lock);
	return 0;
}

void
db_rollback(struct db *db)
{
	char sql[80];

	if (db->tx_depth <= 0)
		return;
	if (db->tx_depth > 1) {
		db->tx_depth--;
		snprintf(sql, sizeof(sql), "ROLLBACK TO sp%d; RELEASE sp%d", db->tx_depth,
		    db->tx_depth);
		db_exec(db, sql);
		return;
	}
	db->tx_depth = 0;
	db_exec(db, "ROLLBACK");
	pthread_mutex_unlock(&write_lock);
}

bool
db_in_tx(struct db *db)
{
	return db->tx_depth > 0;
}

int64_t
db_last_id(struct db *db)
{
	return sqlite3_last_insert_rowid(db->h);
}

const char *
db_errmsg(struct db *db)
{
	return sqlite3_errmsg(db->h);
}

bool
db_is_conflict(struct db *db)
{
	return db->last_rc == SQLITE_CONSTRAINT_UNIQUE ||
	    db->last_rc == SQLITE_CONSTRAINT_PRIMARYKEY;
}

void
db_time_text(int64_t t, char *out, size_t outsz)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (gmtime_r(&tt, &tm) == NULL || strftime(out, outsz, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(out, outsz, "%lld", (long long)t);
}

static int
digits(const char **p, int n, int *out)
{
	int v = 0;

	for (int i = 0; i < n; i++, (*p)++) {
		if (**p < '0' || **p > '9')
			return -1;
		v = v * 10 + (**p - '0');
	}
	*out = v;
	return 0;
}

int
db_time_parse(const char *s, int64_t *out)
{
	struct tm tm = { 0 };
	int y, mo, d, h = 0, mi = 0, se = 0, off = 0;
	const char *p = s;
	time_t t;

	if (s == NULL || digits(&p, 4, &y) < 0 || *p++ != '-' || digits(&p, 2, &mo) < 0 ||
	    *p++ != '-' || digits(&p, 2, &d) < 0)
		return -1;
	if (*p == 'T' || *p == 't' || *p == ' ') {
		p++;
		if (digits(&p, 2, &h) < 0 || *p++ != ':' || digits(&p, 2, &mi) < 0 ||
		    *p++ != ':' || digits(&p, 2, &se) < 0)
			return -1;
		if (*p == '.') {
			p++;
			if (*p < '0' || *p > '9')
				return -1;
			while (*p >= '0' && *p <= '9')
				p++;
		}
		if (*p == 'Z' || *p == 'z') {
			p++;
		} else if (*p == '+' || *p == '-') {
			int sign = *p++ == '-' ? -1 : 1, oh, om;

			if (digits(&p, 2, &oh) < 0 || *p++ != ':' || digits(&p, 2, &om) < 0 ||
			    oh > 23 || om > 59)
				return -1;
			off = sign * (oh * 3600 + om * 60);
		} else {
			return -1;
		}
	}
	if (*p != '\0' || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60)
		return -1;
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = se;
	t = timegm(&tm);
	/* timegm normalises 31 February into March; refuse such dates. */
	{
		struct tm back;

		gmtime_r(&t, &back);
		if (back.tm_mday != d || back.tm_mon != mo - 1)
			return -1;
	}
	*out = (int64_t)t - off;
	return 0;
}
