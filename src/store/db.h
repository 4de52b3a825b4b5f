/*
 * db.h — the thin database layer under the store: one statement API over
 * two backends, SQLite (a file) and PostgreSQL (libpq, a postgresql:// or
 * postgres:// URL). Every file of src/store talks to its database through
 * these calls only; no sqlite3_* or PQ* call lives outside db_sqlite.c and
 * db_pg.c (and these inline wrappers).
 *
 * The calls mirror SQLite's C API so the store code reads the same on both
 * backends: prepare a statement with `?` / `?N` parameters, bind values,
 * step through rows, read columns, reset, finalize. Return codes keep
 * SQLite's numbers (XS__DB_OK, XS__DB_ROW, XS__DB_DONE, ...), so on SQLite
 * the wrappers below are a pointer test and a direct call: the SQLite store
 * is as fast as before the layer.
 *
 * On PostgreSQL (db_pg.c) `?N` becomes `$N`, a statement is prepared once
 * per connection (PQprepare, cached by its text) and run with
 * PQexecPrepared; values are sent as parameters, never pasted into SQL.
 * A statement prepared with xs__store_db_prepare_scan() streams its rows through
 * a cursor (FETCH in batches), so a scan of millions of rows never sits in
 * one PGresult; other statements read their whole (small) result.
 *
 * Values bound stay bound across xs__store_db_reset() (as in SQLite); parameters
 * never bound are NULL. Text and blobs are copied at bind time on
 * PostgreSQL and must stay valid until the step on SQLite (SQLITE_STATIC):
 * the store binds values that live across the step.
 *
 * SQL that differs between the dialects is not written here: see the
 * dialect table of dialect.c.
 */
#ifndef XS_STORE_DB_H
#define XS_STORE_DB_H

#include "store/store_int.h"

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

/* Result codes (SQLite's numbers). */
#define XS__DB_OK 0
#define XS__DB_ERROR 1
#define XS__DB_BUSY 5
#define XS__DB_NOMEM 7
#define XS__DB_ROW 100
#define XS__DB_DONE 101

/* Column types (SQLite's numbers). */
#define XS__DB_INTEGER 1
#define XS__DB_FLOAT 2
#define XS__DB_TEXT 3
#define XS__DB_BLOB 4
#define XS__DB_NULL 5

_Static_assert(XS__DB_ROW == SQLITE_ROW && XS__DB_DONE == SQLITE_DONE &&
                   XS__DB_BUSY == SQLITE_BUSY && XS__DB_NOMEM == SQLITE_NOMEM &&
                   XS__DB_NULL == SQLITE_NULL && XS__DB_INTEGER == SQLITE_INTEGER &&
                   XS__DB_BLOB == SQLITE_BLOB,
               "db.h codes are SQLite's");

typedef struct xs__store_pgstmt xs__store_pgstmt;
typedef struct xs__store_pg xs__store_pg;

/*
 * A prepared statement of either backend. On SQLite it is the sqlite3_stmt
 * itself (no allocation of ours, no indirection); a PostgreSQL statement
 * is an xs__store_pgstmt pointer with its lowest bit set (both are at least
 * 8-byte aligned, so the bit is free). Only the functions here look inside.
 */
typedef struct xs__store_stmt xs__store_stmt;

static inline int xs__store_db_is_pg(const xs__store_stmt *s)
{
    return (int)((uintptr_t)s & 1u);
}
static inline sqlite3_stmt *xs__store_db_sq(xs__store_stmt *s)
{
    return (sqlite3_stmt *)(void *)s;
}
static inline xs__store_pgstmt *xs__store_db_pg(xs__store_stmt *s)
{
    return (xs__store_pgstmt *)(void *)((uintptr_t)s & ~(uintptr_t)1);
}

/* ---------------------------------------------------------------------- */
/* Statements                                                             */
/* ---------------------------------------------------------------------- */

/*
 * Prepares sql (len bytes, or -1: up to the NUL) on st's connection. *out
 * is set to a statement the caller frees with xs__store_db_finalize(), or NULL on
 * failure. Returns XS__DB_OK or an error code (message: xs__store_db_errmsg).
 */
int xs__store_db_prepare(xs_store *st, const char *sql, int len, xs__store_stmt **out);
/* Same, for a statement whose rows are read in one long pass (table scans):
 * on PostgreSQL its rows stream through a cursor instead of one result. */
int xs__store_db_prepare_scan(xs_store *st, const char *sql, int len,
                              xs__store_stmt **out);
/* Frees s; NULL is fine. */
void xs__store_db_finalize(xs__store_stmt *s);

/* PostgreSQL halves of the calls below (db_pg.c). */
int xs__store_pg_bind(xs__store_pgstmt *s, int i, int type, int64_t iv, double dv,
                      const void *p, int n);
int xs__store_pg_step(xs__store_pgstmt *s);
int xs__store_pg_reset(xs__store_pgstmt *s);
int xs__store_pg_column_type(xs__store_pgstmt *s, int i);
int64_t xs__store_pg_column_int64(xs__store_pgstmt *s, int i);
double xs__store_pg_column_double(xs__store_pgstmt *s, int i);
const unsigned char *xs__store_pg_column_text(xs__store_pgstmt *s, int i);
const void *xs__store_pg_column_blob(xs__store_pgstmt *s, int i);
int xs__store_pg_column_bytes(xs__store_pgstmt *s, int i);
const char *xs__store_pg_column_name(xs__store_pgstmt *s, int i);

static inline int xs__store_db_bind_int64(xs__store_stmt *s, int i, int64_t v)
{
    return !xs__store_db_is_pg(s)
               ? sqlite3_bind_int64(xs__store_db_sq(s), i, v)
               : xs__store_pg_bind(xs__store_db_pg(s), i, XS__DB_INTEGER, v, 0, NULL, 0);
}
static inline int xs__store_db_bind_int(xs__store_stmt *s, int i, int v)
{
    return xs__store_db_bind_int64(s, i, v);
}
static inline int xs__store_db_bind_double(xs__store_stmt *s, int i, double v)
{
    return !xs__store_db_is_pg(s)
               ? sqlite3_bind_double(xs__store_db_sq(s), i, v)
               : xs__store_pg_bind(xs__store_db_pg(s), i, XS__DB_FLOAT, 0, v, NULL, 0);
}
/* n < 0: up to the NUL. */
static inline int xs__store_db_bind_text(xs__store_stmt *s, int i, const char *p, int n)
{
    return !xs__store_db_is_pg(s)
               ? sqlite3_bind_text(xs__store_db_sq(s), i, p, n, SQLITE_STATIC)
               : xs__store_pg_bind(xs__store_db_pg(s), i, XS__DB_TEXT, 0, 0, p, n);
}
static inline int xs__store_db_bind_blob(xs__store_stmt *s, int i, const void *p, int n)
{
    return !xs__store_db_is_pg(s)
               ? sqlite3_bind_blob(xs__store_db_sq(s), i, p, n, SQLITE_STATIC)
               : xs__store_pg_bind(xs__store_db_pg(s), i, XS__DB_BLOB, 0, 0, p, n);
}
static inline int xs__store_db_bind_null(xs__store_stmt *s, int i)
{
    return !xs__store_db_is_pg(s)
               ? sqlite3_bind_null(xs__store_db_sq(s), i)
               : xs__store_pg_bind(xs__store_db_pg(s), i, XS__DB_NULL, 0, 0, NULL, 0);
}

/* Runs the statement or moves to its next row: XS__DB_ROW, XS__DB_DONE or
 * an error code. */
static inline int xs__store_db_step(xs__store_stmt *s)
{
    return !xs__store_db_is_pg(s) ? sqlite3_step(xs__store_db_sq(s))
                                  : xs__store_pg_step(xs__store_db_pg(s));
}
/* Back to before the first step (bindings are kept). */
static inline int xs__store_db_reset(xs__store_stmt *s)
{
    return !xs__store_db_is_pg(s) ? sqlite3_reset(xs__store_db_sq(s))
                                  : xs__store_pg_reset(xs__store_db_pg(s));
}

static inline int xs__store_db_column_type(xs__store_stmt *s, int i)
{
    return !xs__store_db_is_pg(s) ? sqlite3_column_type(xs__store_db_sq(s), i)
                                  : xs__store_pg_column_type(xs__store_db_pg(s), i);
}
static inline int64_t xs__store_db_column_int64(xs__store_stmt *s, int i)
{
    return !xs__store_db_is_pg(s) ? sqlite3_column_int64(xs__store_db_sq(s), i)
                                  : xs__store_pg_column_int64(xs__store_db_pg(s), i);
}
static inline int xs__store_db_column_int(xs__store_stmt *s, int i)
{
    return !xs__store_db_is_pg(s) ? sqlite3_column_int(xs__store_db_sq(s), i)
                                  : (int)xs__store_pg_column_int64(xs__store_db_pg(s), i);
}
static inline double xs__store_db_column_double(xs__store_stmt *s, int i)
{
    return !xs__store_db_is_pg(s) ? sqlite3_column_double(xs__store_db_sq(s), i)
                                  : xs__store_pg_column_double(xs__store_db_pg(s), i);
}
/* NUL-terminated text, NULL for NULL; valid until the next step/reset. */
static inline const unsigned char *xs__store_db_column_text(xs__store_stmt *s, int i)
{
    return !xs__store_db_is_pg(s) ? sqlite3_column_text(xs__store_db_sq(s), i)
                                  : xs__store_pg_column_text(xs__store_db_pg(s), i);
}
static inline const void *xs__store_db_column_blob(xs__store_stmt *s, int i)
{
    return !xs__store_db_is_pg(s) ? sqlite3_column_blob(xs__store_db_sq(s), i)
                                  : xs__store_pg_column_blob(xs__store_db_pg(s), i);
}
/* Bytes of the text or blob last read from column i (read it first). */
static inline int xs__store_db_column_bytes(xs__store_stmt *s, int i)
{
    return !xs__store_db_is_pg(s) ? sqlite3_column_bytes(xs__store_db_sq(s), i)
                                  : xs__store_pg_column_bytes(xs__store_db_pg(s), i);
}
static inline const char *xs__store_db_column_name(xs__store_stmt *s, int i)
{
    return !xs__store_db_is_pg(s) ? sqlite3_column_name(xs__store_db_sq(s), i)
                                  : xs__store_pg_column_name(xs__store_db_pg(s), i);
}

/* ---------------------------------------------------------------------- */
/* Connection                                                             */
/* ---------------------------------------------------------------------- */

/* 1 when path names a PostgreSQL database (postgresql:// or postgres://). */
int xs__store_db_is_pg_url(const char *path);

/* Runs static SQL text (one or more statements, no parameters, results
 * ignored). Returns XS__DB_OK or an error code. */
int xs__store_db_exec(xs_store *st, const char *sql);
/* Rows changed by the last INSERT / UPDATE / DELETE. */
long long xs__store_db_changes(xs_store *st);
/* Message of the last error of st's connection. */
const char *xs__store_db_errmsg(xs_store *st);
/* 1 when the last error was a lock that could not be had in time. */
int xs__store_db_busy(xs_store *st);
/* 1 when the last error was an allocation that failed (ours on PostgreSQL,
 * SQLite's own on SQLite). */
int xs__store_db_nomem(xs_store *st);
/* 1 when a transaction is open. */
int xs__store_db_in_txn(xs_store *st);

/* SQLite file (db_sqlite.c). Opens st->db on path for reading and writing
 * (created when absent; WAL): XS_OK or XS_EDB. */
int xs__store_sqlite_open(xs_store *st, const char *path, xs_error *err);
/* Opens st->db on path read-only (immutable when the directory cannot hold
 * the -shm index and the WAL is empty) and reads its schema version with
 * read_version into *version: XS_OK, XS_EDB, XS_ESCHEMA or XS_ENOMEM. The
 * caller closes st->db also on failure. */
int xs__store_sqlite_open_readonly(xs_store *st, const char *path,
                                   int (*read_version)(xs_store *, long long *,
                                                       xs_error *),
                                   long long *version, xs_error *err);
void xs__store_sqlite_close(xs_store *st);
void xs__store_sqlite_busy_timeout(xs_store *st, unsigned ms);
/* The page cache of a bulk load (on = 1) or the usual one (on = 0). */
void xs__store_sqlite_bulk(xs_store *st, int on);
/* The page cache of a scan of whole tables (on = 1) or the usual one. */
void xs__store_sqlite_scan(xs_store *st, int on);

/* PostgreSQL connection (db_pg.c). */
int xs__store_pg_connect(xs__store_pg **out, const char *url, int readonly, char *msg,
                         size_t n_msg);
void xs__store_pg_close(xs__store_pg *c);
int xs__store_pg_prepare(xs__store_pg *c, const char *sql, int len, int scan,
                         xs__store_pgstmt **out);
void xs__store_pg_finalize(xs__store_pgstmt *s);
int xs__store_pg_exec(xs__store_pg *c, const char *sql);
long long xs__store_pg_changes(xs__store_pg *c);
const char *xs__store_pg_errmsg(xs__store_pg *c);
int xs__store_pg_busy(xs__store_pg *c);
int xs__store_pg_nomem(xs__store_pg *c);
int xs__store_pg_in_txn(xs__store_pg *c);
/* Sets the connection's lock_timeout (ms). */
void xs__store_pg_lock_timeout(xs__store_pg *c, unsigned ms);
/* COPY rows: starts COPY sql FROM STDIN (text format), sends data, ends.
 * Return XS__DB_OK or an error code. */
int xs__store_pg_copy_begin(xs__store_pg *c, const char *sql);
int xs__store_pg_copy_data(xs__store_pg *c, const char *buf, size_t len);
int xs__store_pg_copy_end(xs__store_pg *c);
/* Abandons the open COPY (the transaction then fails). */
void xs__store_pg_copy_abort(xs__store_pg *c);
/* COPY (query) TO STDOUT, the fast way to read a whole table (a cursor's
 * FETCHes cost the server about three times as much): _begin starts it;
 * _row gives the next row in COPY's text format (with its newline and a
 * NUL after it; caller frees it with xs__store_pg_copy_out_free()) and returns
 * XS__DB_ROW, XS__DB_DONE after the last (the COPY then ended) or an error
 * code; _end reads and drops the rest of a COPY stopped early. The
 * connection carries nothing else until the COPY ends. */
int xs__store_pg_copy_out_begin(xs__store_pg *c, const char *sql);
int xs__store_pg_copy_out_row(xs__store_pg *c, char **row, size_t *len);
void xs__store_pg_copy_out_free(char *row);
void xs__store_pg_copy_out_end(xs__store_pg *c);

#endif
