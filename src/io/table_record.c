/*
 * table_record.c — one-row result tables written as a single record: a
 * JSON object instead of an array of one, and in the aligned text format a
 * key/value listing. The reports that print one summary (a model fit, a
 * cross-validation) use it, so `--format json` gives an object to which
 * the caller may append further members (folds, calibration).
 */
#include "io/table.h"

#include "base/buf.h"

/* Contract in xsell.h. */
int xs_table_write_object_open(const xs_table *t, FILE *out)
{
    xs__buf b = {0};
    if (xs_table_rows(t) != 1) return XS_EINVAL;
    int rc = xs__io_table_rows_append(t, XS_FORMAT_JSON, &b);
    /* one row renders as "\n {...}": keep "{..." */
    if (rc == XS_OK && (b.n < 4 || fwrite(b.p + 2, 1, b.n - 3, out) != b.n - 3))
        rc = XS_EIO;
    xs__buf_free(&b);
    return rc;
}

/* The row of t as two columns, key and value (right-aligned). */
static int key_values(const xs_table *t, FILE *out)
{
    xs_table *kv = xs_table_new();
    int rc = XS_ENOMEM;
    if (!kv || xs_table_column(kv, "key", XS_COL_TEXT) ||
        xs_table_column(kv, "value", XS_COL_NUM))
        goto cleanup;
    for (size_t c = 0; c < xs__io_table_n_cols(t); c++) {
        xs_coltype type;
        const char *key = xs__io_table_col(t, c, &type), *v = xs__io_table_cell(t, 0, c);
        if (xs_table_row(kv) || xs_table_cell(kv, key) || xs_table_cell(kv, v))
            goto cleanup;
    }
    rc = xs_table_write(kv, out, XS_FORMAT_TABLE);
cleanup:
    xs_table_free(kv);
    return rc;
}

/* Contract in xsell.h. */
int xs_table_write_record(const xs_table *t, FILE *out, xs_format fmt)
{
    if (xs_table_rows(t) != 1) return XS_EINVAL;
    if (fmt == XS_FORMAT_TABLE) return key_values(t, out);
    if (fmt == XS_FORMAT_CSV) return xs_table_write(t, out, fmt);
    int rc = xs_table_write_object_open(t, out);
    if (rc == XS_OK && fputs("}\n", out) < 0) rc = XS_EIO;
    return rc;
}
