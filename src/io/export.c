/*
 * export.c — `xsell export`'s library side (xs_export_table, contract in
 * xsell.h): the rows the store reads back in the importer's format
 * (src/store/export.h) written as CSV or JSON Lines through the record
 * writer (writer.h), to a temporary file renamed over the target only when
 * every row was written.
 */
#include "io/writer.h"
#include "store/export.h"

#include "base/error.h"

#include <stddef.h>

typedef struct out {
    xs__io_writer *w;
    const char *path;
    xs_io_format fmt;
    int failed; /* a write failed: the writer's close says why */
} out;

static int on_header(void *ctx, const char *const *names, const int *numeric, size_t n,
                     xs_error *err)
{
    out *o = ctx;
    int rc = xs__io_writer_open(
        &o->w, o->path, o->fmt == XS_IO_JSONL ? XS_INPUT_JSONL : XS_INPUT_CSV, ',', err);
    if (rc < 0) return rc;
    rc = xs__io_writer_header(o->w, names, numeric, n);
    if (rc < 0) return xs__error_set(err, rc, o->path, 0, NULL, "%s", xs_strerror(rc));
    return XS_OK;
}

static int on_row(void *ctx, const xs__field *fields, size_t n, xs_error *err)
{
    out *o = ctx;
    int rc = xs__io_writer_row(o->w, fields, n);
    if (rc == XS_EIO) { /* close reports the cause */
        o->failed = 1;
        return XS_EIO;
    }
    if (rc < 0) return xs__error_set(err, rc, o->path, 0, NULL, "%s", xs_strerror(rc));
    return XS_OK;
}

/* Contract in xsell.h. */
long long xs_export_table(xs_store *st, xs_table_id t, const char *path, xs_io_format fmt,
                          xs_error *err)
{
    out o = {.path = path, .fmt = fmt};
    if (o.fmt == XS_IO_AUTO) o.fmt = path ? xs_io_format_of_path(path) : XS_IO_CSV;
    xs__store_export_sink sink = {&o, on_header, on_row};
    long long rows = xs__store_export(st, t, &sink, err);
    if (rows < 0 && !o.failed) {
        xs__io_writer_abort(o.w);
        return rows;
    }
    int rc = xs__io_writer_close(o.w, err); /* reports a failed write */
    return rc < 0 ? rc : rows;
}
