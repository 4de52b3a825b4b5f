/*
 * table_record.c — one-row result tables written as a single record: a
 * JSON object instead of an array of one, and in the aligned text format a
 * key/value listing. The reports that print one summary (a model fit, a
 * cross-validation) use it, so `--format json` gives an object to which
 * the caller may append further members (folds, calibration).
 */
#include "io/table.h"

#include "base/alloc.h"

/* Contract in xsell.h. */
int xs_table_write_object_open(const xs_table *t, FILE *out)
{
    char *buf = NULL;
    size_t len = 0, cap = 0;
    if (xs_table_rows(t) != 1) return XS_EINVAL;
    int rc = xs__table_rows_append(t, XS_FORMAT_JSON, &buf, &len, &cap);
    /* one row renders as "\n {...}": keep "{..." */
    if (rc == XS_OK && (len < 4 || fwrite(buf + 2, 1, len - 3, out) != len - 3))
        rc = XS_EIO;
    xs__free(buf);
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
    for (size_t c = 0; c < xs__table_n_cols(t); c++) {
        const char *key, *v = xs__table_at(t, 0, c, &key);
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
