/*
 * rows.h — reading a store table row by row without SQL (rows.c): the
 * interface of the snapshot loader (and of anything else that reads whole
 * tables), so that it holds no SQL text and works on either backend.
 *
 * A scan names its table and columns (names of the table definition of
 * schema.c, plus the computed columns of rows.c, e.g. products' name_ja),
 * optionally a column that must not be NULL, and always reads in key order
 * (the table's own order on SQLite, an index scan on PostgreSQL, both in
 * byte order of the text). Values are read with the typed getters below,
 * valid until the next xs__store_rows_next(). On PostgreSQL the rows stream
 * through a cursor (db.h), so a scan of millions of rows never sits in
 * memory at once.
 *
 *   xs__store_rows r;
 *   static const char *const cols[] = {"customer_id", "churn_risk"};
 *   if (xs__store_rows_open(st, XS_T_CHURN_SCORES, cols, 2, NULL, &r, err) < 0) ...
 *   while ((rc = xs__store_rows_next(&r, err)) == 1) use(xs__store_rows_text(&r, 0),
 * ...); xs__store_rows_close(&r);
 */
#ifndef XS_STORE_ROWS_H
#define XS_STORE_ROWS_H

#include "store/db.h"
#include "store/store_int.h"

typedef struct xs__store_rows {
    xs_store *st;
    xs__store_stmt *stmt;
    const char *table;
} xs__store_rows;

/*
 * Opens a scan of table t over the n_cols columns cols (at most 32) into
 * the caller's *r (no allocation of ours), rows whose column not_null is
 * NULL left out (NULL: every row). Caller closes with xs__store_rows_close()
 * (also after a failed open). Returns XS_OK, XS_EINVAL (unknown table or
 * column), XS_ESCHEMA (the store's table lacks a column: "table T does not
 * have the schema this xsell reads: ..."), XS_ENOMEM or XS_EDB.
 */
int xs__store_rows_open(xs_store *st, xs_table_id t, const char *const *cols,
                        size_t n_cols, const char *not_null, xs__store_rows *r,
                        xs_error *err);
/* The rows xs__store_rows_open(st, t, ..., not_null) would give. Returns
 * XS_OK (*n set) or the codes of xs__store_rows_open. */
int xs__store_rows_count(xs_store *st, xs_table_id t, const char *not_null, long long *n,
                         xs_error *err);
/* Moves to the next row: 1 a row, 0 the end, or XS_EDB. */
int xs__store_rows_next(xs__store_rows *r, xs_error *err);
/* Ends the scan; NULL, or a closed or never opened scan, is fine. */
void xs__store_rows_close(xs__store_rows *r);

/* Column i of the current row. Text is NUL-terminated (NULL for NULL),
 * its length in bytes from xs__store_rows_bytes (after xs__store_rows_text). */
static inline int xs__store_rows_is_null(xs__store_rows *r, int i)
{
    return xs__store_db_column_type(r->stmt, i) == XS__DB_NULL;
}
static inline int xs__store_rows_is_int(xs__store_rows *r, int i)
{
    return xs__store_db_column_type(r->stmt, i) == XS__DB_INTEGER;
}
static inline int64_t xs__store_rows_int64(xs__store_rows *r, int i)
{
    return xs__store_db_column_int64(r->stmt, i);
}
static inline double xs__store_rows_double(xs__store_rows *r, int i)
{
    return xs__store_db_column_double(r->stmt, i);
}
static inline const char *xs__store_rows_text(xs__store_rows *r, int i)
{
    return (const char *)xs__store_db_column_text(r->stmt, i);
}
static inline size_t xs__store_rows_bytes(xs__store_rows *r, int i)
{
    return (size_t)xs__store_db_column_bytes(r->stmt, i);
}
static inline const char *xs__store_rows_name(xs__store_rows *r, int i)
{
    return xs__store_db_column_name(r->stmt, i);
}

/* ---------------------------------------------------------------------- */
/* Read transactions and the schema version (sqlite.c)                    */
/* ---------------------------------------------------------------------- */

/* Starts a read transaction (every scan then sees one state) unless one is
 * open; *began says whether it did. Returns XS_OK or XS_EDB. */
int xs__store_read_begin(xs_store *st, int *began, xs_error *err);
/* Ends the read transaction xs__store_read_begin began (began = 1). */
void xs__store_read_end(xs_store *st, int began);
/* A connection's page cache while whole tables are read once (on = 1: 8
 * MiB; each page is read once, so a larger cache only holds pages never
 * read again, and at a million customers the two loading connections
 * filled 2 x 64 MiB of memory the process touched for nothing), or back to
 * the usual 64 MiB (on = 0). SQLite; PostgreSQL keeps the server's. */
void xs__store_scan_cache(xs_store *st, int on);
/* The store's recorded schema version: 1 found (*v set), 0 none recorded,
 * XS_ESCHEMA (no schema_migrations: "not an xsell store: ...") or XS_EDB. */
int xs__store_version(xs_store *st, long long *v, xs_error *err);

#endif
