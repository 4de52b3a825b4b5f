/*
 * table.h — library-internal side of the result tables (src/io/table.c):
 * number cells written without printf, and the rows of a chunk rendered
 * into memory, for the writers that render on worker threads and for the
 * readers that print a million rows.
 */
#ifndef XS_TABLE_H
#define XS_TABLE_H

#include "base/buf.h"
#include "xsell.h"

#include <stddef.h>

/* Appends v with `decimals` fraction digits, as xs_table_cellf(t, "%.*f",
 * decimals, v) would, to the current row. @return XS_OK, XS_EINVAL (no
 * room in the row) or XS_ENOMEM */
int xs__io_table_cell_fixed(xs_table *t, double v, int decimals);

/* Appends v as xs_table_cellf(t, "%lld", v) would. @return as above */
int xs__io_table_cell_int(xs_table *t, long long v);

/* Appends the cell s of len bytes (no NUL needed) to the current row, as
 * xs_table_cell would with a copy of it. @return as above */
int xs__io_table_cell_n(xs_table *t, const char *s, size_t len);

/* Appends the rows of t (CSV or JSON; what xs_table_write_rows writes to a
 * stream) to b. @return XS_OK, XS_EINVAL (the aligned table) or XS_ENOMEM
 * (b's err) */
int xs__io_table_rows_append(const xs_table *t, xs_format fmt, xs__buf *b);

/* The shape and cells of t, for a reader that turns them into values of
 * its own (the server's jansson arrays, table_record.c's key/value table): the column count; column c's name
 * (borrowed, valid while t lives) and type; the cell of row r, column c
 * (borrowed, valid until t changes), NULL for an empty cell. */
size_t xs__io_table_n_cols(const xs_table *t);
const char *xs__io_table_col(const xs_table *t, size_t c, xs_coltype *type);
const char *xs__io_table_cell(const xs_table *t, size_t r, size_t c);

#endif
