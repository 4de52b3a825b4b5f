/*
 * export.h — a store table read back as the importer's rows (export.c),
 * handed to a sink: the header once, then every row in key order. The
 * sink (src/io/export.c) writes them; the store knows no file format.
 */
#ifndef XS_STORE_EXPORT_H
#define XS_STORE_EXPORT_H

#include "base/field.h"
#include "xsell.h"

typedef struct xs__store_export_sink {
    void *ctx;
    /* names[i] of n columns, numeric[i] 1 for a number column (bare in
     * JSON); borrowed for the call. Returns XS_OK, or a negative code with
     * err set, which ends the export with it. */
    int (*header)(void *ctx, const char *const *names, const int *numeric, size_t n,
                  xs_error *err);
    /* One row of n fields (borrowed for the call); as header. */
    int (*row)(void *ctx, const xs__field *fields, size_t n, xs_error *err);
} xs__store_export_sink;

/* Reads table t in key order, in one read transaction, into sink.
 * Returns the number of rows, XS_EINVAL (no store or table), XS_EDB (also
 * a stored attrs that is not a JSON object of strings), XS_ENOMEM, or the
 * sink's code. */
long long xs__store_export(xs_store *st, xs_table_id t, const xs__store_export_sink *sink,
                           xs_error *err);

#endif
