/*
 * pgcopy.h — new rows into a PostgreSQL table by COPY (pgcopy.c): the bulk
 * path of the store writer (writer.c) on PostgreSQL.
 *
 * Rows are encoded in COPY's text format into a buffer that is sent every
 * COPY_CHUNK bytes, inside the importer's transaction, so a failed or
 * killed import leaves nothing behind. A COPY holds the connection: the
 * writer ends it (xs__store_pgcopy_end) before any other statement (an update of
 * an existing row, the commit); the next new row starts another.
 */
#ifndef XS_STORE_PGCOPY_H
#define XS_STORE_PGCOPY_H

#include "store/store_int.h"

typedef struct xs__store_pgcopy xs__store_pgcopy;

/* A COPY writer for the columns of table d of st into table `table` (NULL:
 * d's own; else a table of the same columns, e.g. a staging table). Nothing
 * is sent yet. Caller frees with xs__store_pgcopy_free(). Returns XS_OK or
 * XS_ENOMEM. */
int xs__store_pgcopy_new(xs__store_pgcopy **out, xs_store *st,
                         const xs__store_table_schema *d, const char *table,
                         xs_error *err);
/* Makes a and b peers on their shared connection: each ends the other's
 * COPY before it sends (one COPY at a time per connection). */
void xs__store_pgcopy_pair(xs__store_pgcopy *a, xs__store_pgcopy *b);
/* Adds one row (one value per column of d; borrowed for the call); a full
 * buffer is sent, starting the COPY (and ending the peer's) when it is not
 * open. Returns XS_OK, XS_ENOMEM or XS_EDB. */
int xs__store_pgcopy_row(xs__store_pgcopy *c, const xs__store_value *vals, xs_error *err);
/* Sends what is buffered and ends the COPY, if one is open or rows wait; a
 * row the table refuses (e.g. a duplicate key) is reported here. Returns
 * XS_OK or XS_EDB. */
int xs__store_pgcopy_end(xs__store_pgcopy *c, xs_error *err);
/* Frees c, abandoning an open COPY and buffered rows (not written). NULL is
 * fine. */
void xs__store_pgcopy_free(xs__store_pgcopy *c);

/* Calls fn once per row of the query `select` (no parameters), read by
 * COPY (select) TO STDOUT, with its n_cols (at most 8) values as text
 * (NULL as ""; NUL-terminated; borrowed for the call). fn returns 0 to go
 * on or a negative code to stop (returned, the rest of the rows dropped).
 * Returns XS_OK, fn's code, XS_ENOMEM or XS_EDB. */
int xs__store_pgcopy_scan(xs_store *st, const char *select, size_t n_cols,
                          int (*fn)(void *ctx, const xs__store_value *vals,
                                    size_t n_vals),
                          void *ctx, xs_error *err);

#endif
