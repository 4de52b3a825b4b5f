/*
 * table.h — library-internal side of the result tables (src/io/table.c):
 * number cells written without printf, and the rows of a chunk rendered
 * into memory, for the writers that render on worker threads and for the
 * readers that print a million rows.
 */
#ifndef XS_TABLE_H
#define XS_TABLE_H

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
 * stream) to the buffer *buf of *len bytes and capacity *cap, grown with
 * xs__realloc as needed (caller frees *buf with xs__free()).
 * @return XS_OK, XS_EINVAL (the aligned table) or XS_ENOMEM (*buf keeps
 * what it held, *len may have grown) */
int xs__io_table_rows_append(const xs_table *t, xs_format fmt, char **buf, size_t *len,
                          size_t *cap);

#endif
