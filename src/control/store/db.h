/*
 * db: the store interface. Everything above it speaks this small API —
 * prepared statements with positional parameters, typed columns, explicit
 * transactions — and never a backend's own calls, so that a PostgreSQL
 * backend (libpq) can implement the same functions later. SQL handed to it
 * sticks to the common dialect of SQLite and PostgreSQL: `?` placeholders
 * (rewritten to $n by a libpq backend), INTEGER time stamps (unix seconds
 * unless a column says otherwise), RETURNING, ON CONFLICT.
 *
 * One struct db is one connection and belongs to one thread.
 */
#ifndef YS_DB_H
#define YS_DB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

struct db;
struct db_stmt;

enum { DB_ERROR = -1, DB_DONE = 0, DB_ROW = 1 };

/* Open (creating if needed) the store at path: WAL mode, foreign keys on,
 * busy timeout so that concurrent writers wait instead of failing. */
int db_open(const char *path, struct db **out, char *err, size_t errlen);
void db_close(struct db *db);

/* Run one or more statements without parameters (schema, pragmas). */
int db_exec(struct db *db, const char *sql);

/* Prepare sql (cached per connection: a hot query is compiled once) and bind
 * parameters described by types, one letter each:
 *   'i' int, 'l' int64_t, 'L' int64_t where 0 binds NULL (optional ids),
 *   's' const char * (NULL binds NULL),
 *   'b' const void *, size_t (a blob: two arguments).
 * Returns NULL on error (logged). Release with db_done(). */
struct db_stmt *db_q(struct db *db, const char *sql, const char *types, ...);
/* Bind one more parameter after db_q (for parameter lists built at run time). */
void db_bind_int64(struct db_stmt *st, int idx, int64_t v);
void db_bind_text(struct db_stmt *st, int idx, const char *s);
int db_step(struct db_stmt *st);		/* DB_ROW, DB_DONE or DB_ERROR */
void db_done(struct db_stmt *st);		/* reset; back to the cache */

int64_t db_col_int(struct db_stmt *st, int col);
const char *db_col_text(struct db_stmt *st, int col);	/* NULL for NULL */
const void *db_col_blob(struct db_stmt *st, int col, size_t *len);
bool db_col_is_null(struct db_stmt *st, int col);
int db_col_count(struct db_stmt *st);

/* One-shot helpers: run a statement to completion. db_run returns the number
 * of rows changed or -1; db_int returns the first column of the first row
 * (or def when there is no row). */
int64_t db_run(struct db *db, const char *sql, const char *types, ...);
int64_t db_int(struct db *db, int64_t def, const char *sql, const char *types, ...);

/* Rows as JSON objects keyed by column name. Column-name conventions:
 *   name ending "_at"   integer unix seconds -> RFC 3339 string
 *   name ending "_fen"  integer fen, and a "<name>_cny" decimal string is added
 *   "name:b"            integer 0/1 -> JSON boolean, key "name"
 *   "name:ms"           integer unix milliseconds -> RFC 3339 with .mmm
 *   "name:hex"          blob (up to 64 bytes) -> lower-case hex
 * Other blobs are left out.
 * NULL -> null. db_rows_json steps to the end and releases the statement. */
json_t *db_row_json(struct db_stmt *st);
json_t *db_rows_json(struct db_stmt *st);

/* Transactions. db_begin takes the write lock at once (IMMEDIATE) so that a
 * read-then-write inside it cannot be overtaken by another writer. Inside a
 * transaction db_begin opens a savepoint, and db_rollback undoes only the
 * innermost level. */
int db_begin(struct db *db);
int db_commit(struct db *db);
void db_rollback(struct db *db);
bool db_in_tx(struct db *db);

int64_t db_last_id(struct db *db);
const char *db_errmsg(struct db *db);
/* True when the last failure was a UNIQUE/PRIMARY KEY violation. */
bool db_is_conflict(struct db *db);

/* RFC 3339 UTC text of a unix time; out must hold 32 bytes. */
void db_time_text(int64_t t, char *out, size_t outsz);
/* Parse "YYYY-MM-DD" or "YYYY-MM-DDTHH:MM:SS(.fff)Z" (or +hh:mm offset).
 * 0 / -1. */
int db_time_parse(const char *s, int64_t *out);

#endif
