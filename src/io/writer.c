/*
 * writer.c — CSV and JSON Lines record writers (see writer.h), the output
 * side of src/io: exports, reject files, anything that writes records.
 *
 * Each row is assembled in an xs__buf (base/buf.h) and handed to stdio in
 * large pieces, so writing a field costs a scan and a memcpy. Write errors
 * are sticky: the first failure is remembered (the buffer's err) and
 * reported by close, which also checks fflush / fclose (a full disk often
 * shows only there).
 */
#include "io/writer.h"

#include "base/alloc.h"
#include "base/buf.h"
#include "base/error.h"
#include "base/escape.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define FLUSH_AT (64u * 1024u)

struct xs__io_writer {
    FILE *fp;
    int to_stdout;
    char *path;     /* target, for messages */
    char *tmp_path; /* temporary file renamed over path by close; NULL: direct */
    xs__io_input_format fmt;
    char delim;

    size_t n_cols;
    int have_header;
    char **keys;             /* JSONL: `"name":` escaped, per column */
    size_t *key_len;
    unsigned char *numeric;

    xs__buf out; /* pending output; its err: XS_EIO or XS_ENOMEM */
};

/* ---------------------------------------------------------------------- */
/* Interface                                                               */
/* ---------------------------------------------------------------------- */

int xs__io_writer_open(xs__io_writer **out, const char *path, xs__io_input_format fmt,
                       char delim, xs_error *err)
{
    *out = NULL;
    if (path && !strcmp(path, "-")) path = NULL;
    const char *name = path ? path : "<stdout>";
    if (!delim) delim = ',';
    if (fmt == XS_INPUT_CSV && (delim == '"' || delim == '\r' || delim == '\n'))
        return xs__error_set(err, XS_EINVAL, name, 0, NULL, "invalid delimiter");
    xs__io_writer *w = xs__calloc(1, sizeof *w);
    if (!w) return xs__error_set(err, XS_ENOMEM, name, 0, NULL, "out of memory");
    int rc = XS_OK;
    w->fmt = fmt;
    w->delim = delim;
    w->path = xs__strdup(name);
    if (!w->path) goto nomem;
    if (!path) {
        w->fp = stdout;
        w->to_stdout = 1;
    } else {
        struct stat st;
        const char *target = path;
        if (stat(path, &st) < 0 || S_ISREG(st.st_mode)) {
            /* a regular (or new) file: write beside it, rename on close */
            size_t len = strlen(path);
            w->tmp_path = xs__malloc(len + 32);
            if (!w->tmp_path) goto nomem;
            snprintf(w->tmp_path, len + 32, "%s.tmp-%ld", path, (long)getpid());
            target = w->tmp_path;
        }
        w->fp = fopen(target, "w");
        if (!w->fp) {
            rc = xs__error_set(err, XS_EIO, name, 0, NULL, "cannot create: %s", strerror(errno));
            goto cleanup;
        }
    }
    xs__buf_to_file(&w->out, w->fp, FLUSH_AT);
    *out = w;
    return XS_OK;
nomem:
    rc = xs__error_set(err, XS_ENOMEM, name, 0, NULL, "out of memory");
cleanup:
    xs__io_writer_abort(w);
    return rc;
}

int xs__io_writer_header(xs__io_writer *w, const char *const *names, const int *numeric,
                         size_t n)
{
    if (w->have_header) return XS_EINVAL;
    xs__buf *o = &w->out;
    w->keys = xs__calloc(n, sizeof *w->keys);
    w->key_len = xs__calloc(n, sizeof *w->key_len);
    w->numeric = xs__calloc(n, 1);
    if (!w->keys || !w->key_len || !w->numeric) goto nomem;
    w->n_cols = n;
    w->have_header = 1;
    for (size_t i = 0; i < n; i++) w->numeric[i] = numeric && numeric[i];
    if (w->fmt == XS_INPUT_JSONL) {
        /* pre-escape `"name":` once; rows copy it */
        for (size_t i = 0; i < n; i++) {
            size_t mark = o->n;
            xs__buf_json_str(o, names[i], strlen(names[i]));
            xs__buf_addc(o, ':');
            if (o->err) goto nomem;
            w->key_len[i] = o->n - mark;
            w->keys[i] = xs__strndup(o->p + mark, w->key_len[i]);
            o->n = mark;
            if (!w->keys[i]) goto nomem;
        }
        return XS_OK;
    }
    for (size_t i = 0; i < n; i++) {
        if (i) xs__buf_addc(o, w->delim);
        xs__buf_csv_field(o, names[i], strlen(names[i]), w->delim, n == 1);
    }
    xs__buf_addc(o, '\n');
    if (o->err) goto nomem;
    xs__buf_spill(o);
    return XS_OK;
nomem:
    if (!o->err) o->err = XS_ENOMEM;
    return XS_ENOMEM;
}

int xs__io_writer_row(xs__io_writer *w, const xs__field *fields, size_t n)
{
    if (!w->have_header || n != w->n_cols) return XS_EINVAL;
    xs__buf *o = &w->out;
    if (o->err) return o->err;
    size_t mark = o->n;
    if (w->fmt == XS_INPUT_CSV) {
        for (size_t i = 0; i < n; i++) {
            if (i) xs__buf_addc(o, w->delim);
            if (fields[i].present)
                xs__buf_csv_field(o, fields[i].ptr, fields[i].len, w->delim, n == 1);
            else if (n == 1)
                xs__buf_csv_field(o, "", 0, w->delim, 1);
        }
        xs__buf_addc(o, '\n');
    } else {
        xs__buf_addc(o, '{');
        int first = 1;
        for (size_t i = 0; i < n; i++) {
            const xs__field *f = &fields[i];
            if (!f->present) continue;
            if (!first) xs__buf_addc(o, ',');
            first = 0;
            xs__buf_add(o, w->keys[i], w->key_len[i]);
            if (w->numeric[i] && xs__json_is_number(f->ptr, f->len))
                xs__buf_add(o, f->ptr, f->len);
            else
                xs__buf_json_str(o, f->ptr, f->len);
        }
        xs__buf_add(o, "}\n", 2);
    }
    if (o->err) {
        o->n = mark; /* drop the partial row */
        return o->err;
    }
    xs__buf_spill(o);
    return o->err;
}

int xs__io_writer_close(xs__io_writer *w, xs_error *err)
{
    if (!w) return XS_OK;
    int rc = xs__buf_flush(&w->out);
    int e = w->out.sys_errno;
    if (!rc && fflush(w->fp) != 0) rc = XS_EIO, e = errno;
    if (!rc && ferror(w->fp)) rc = XS_EIO, e = EIO;
    if (!w->to_stdout) {
        if (fclose(w->fp) != 0 && !rc) rc = XS_EIO, e = errno;
        w->fp = NULL;
        if (!rc && w->tmp_path && rename(w->tmp_path, w->path) != 0) rc = XS_EIO, e = errno;
    }
    if (rc == XS_EIO)
        xs__error_set(err, rc, w->path, 0, NULL, "cannot write: %s", strerror(e ? e : EIO));
    else if (rc)
        xs__error_set(err, rc, w->path, 0, NULL, "out of memory");
    if (rc) {
        xs__io_writer_abort(w);
        return rc;
    }
    xs__free(w->tmp_path);
    w->tmp_path = NULL;
    xs__io_writer_abort(w);
    return XS_OK;
}

void xs__io_writer_abort(xs__io_writer *w)
{
    if (!w) return;
    if (w->fp && !w->to_stdout) fclose(w->fp);
    if (w->tmp_path) unlink(w->tmp_path);
    for (size_t i = 0; w->keys && i < w->n_cols; i++) xs__free(w->keys[i]);
    xs__free(w->keys);
    xs__free(w->key_len);
    xs__free(w->numeric);
    xs__buf_free(&w->out);
    xs__free(w->tmp_path);
    xs__free(w->path);
    xs__free(w);
}
