/*
 * table.h — library-internal side of the result tables (src/io/table.c):
 * number cells written without printf, the rows of a chunk rendered into
 * memory and the aligned text's widths and padding, for the writers that
 * render on worker threads and for the readers that print a million rows.
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

/* The aligned text of xs_table_write, in pieces, so that rows rendered in
 * blocks on several threads are aligned as one table (offer/write_all.c):
 * one formula for the widths and the padding.
 *
 * xs__io_table_widths raises w[c] (xs__io_table_n_cols(t) entries, start
 * them at 0) to the display width (UTF-8 code points, East Asian wide ones
 * as 2) of column c's name and of every cell of t in column c: the max
 * over several tables of the same columns is the width of their rows
 * stacked. xs__io_table_text_head appends the header line (the names) and
 * the dashes line at widths w; returns XS_OK or XS_ENOMEM. Then
 * xs__io_table_text_row appends one row: v[c] (NUL-terminated, borrowed;
 * "" for an empty cell) padded to w[c], on the left in a number column,
 * on the right in the others but the last, two spaces between columns,
 * then a newline. Only t's columns are read (any table of those columns),
 * so threads may share t. Out of memory shows in out's err.
 *
 * A block of rows kept to be padded later, packed: xs__io_table_pack
 * returns t's cells row by row, each its text and a NUL (an empty cell
 * just the NUL), in one allocation of exactly *size bytes (caller frees
 * with xs__free()), or NULL when out of memory;
 * xs__io_table_text_packed_row appends the row that starts at cells as
 * xs__io_table_text_row would and returns where the next row starts. */
void xs__io_table_widths(const xs_table *t, size_t *w);
int xs__io_table_text_head(const xs_table *t, const size_t *w, xs__buf *out);
void xs__io_table_text_row(const xs_table *t, const size_t *w, const char *const *v,
                           xs__buf *out);
char *xs__io_table_pack(const xs_table *t, size_t *size);
const char *xs__io_table_text_packed_row(const xs_table *t, const size_t *w,
                                         const char *cells, xs__buf *out);

/* The shape and cells of t, for a reader that turns them into values of
 * its own (the server's jansson arrays, table_record.c's key/value table): the column count; column c's name
 * (borrowed, valid while t lives) and type; the cell of row r, column c
 * (borrowed, valid until t changes), NULL for an empty cell. */
size_t xs__io_table_n_cols(const xs_table *t);
const char *xs__io_table_col(const xs_table *t, size_t c, xs_coltype *type);
const char *xs__io_table_cell(const xs_table *t, size_t r, size_t c);

#endif
