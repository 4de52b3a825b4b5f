/*
 * writer.c — CSV and JSON Lines record writers (see writer.h), the output
 * side of src/io: exports, reject files, anything that writes records.
 *
 * Each row is assembled in an owned byte buffer and handed to stdio in large
 * pieces, so writing a field costs a scan and a memcpy. Write errors are
 * sticky: the first failure is remembered and reported by close, which also
 * checks fflush / fclose (a full disk often shows only there).
 */
#include "io/writer.h"

#include "base/alloc.h"
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

    char *out; /* pending output */
    size_t n_out, cap_out;
    int failed;    /* XS_EIO or XS_ENOMEM once something failed */
    int saved_errno;
};

/* ---------------------------------------------------------------------- */
/* Output buffer                                                           */
/* ---------------------------------------------------------------------- */

static void flush_out(xs__io_writer *w)
{
    if (w->n_out && !w->failed) {
        if (fwrite(w->out, 1, w->n_out, w->fp) != w->n_out) {
            w->failed = XS_EIO;
            w->saved_errno = errno ? errno : EIO;
        }
    }
    w->n_out = 0;
}

/* Makes room for n more bytes. Returns 0 or -1 (out of memory, recorded). */
static int reserve(xs__io_writer *w, size_t n)
{
    if (w->n_out + n <= w->cap_out) return 0;
    if (xs__grow(&w->out, &w->cap_out, w->n_out + n, 1) < 0) {
        if (!w->failed) w->failed = XS_ENOMEM;
        return -1;
    }
    return 0;
}

static inline void put(xs__io_writer *w, const char *s, size_t n)
{
    memcpy(w->out + w->n_out, s, n);
    w->n_out += n;
}

/* ---------------------------------------------------------------------- */
/* CSV                                                                     */
/* ---------------------------------------------------------------------- */

/* Appends one CSV field, quoted by the strict rule of base/escape.h.
 * Returns 0 or -1. */
static int csv_field(xs__io_writer *w, const char *s, size_t n, size_t n_fields)
{
    if (reserve(w, XS__CSV_ESC_MAX(n)) < 0) return -1;
    w->n_out += xs__csv_esc(w->out + w->n_out, s, n, w->delim, n_fields == 1);
    return 0;
}

/* ---------------------------------------------------------------------- */
/* JSON                                                                    */
/* ---------------------------------------------------------------------- */

/* Appends s as a JSON string (base/escape.h). Returns 0 or -1. */
static int json_string(xs__io_writer *w, const char *s, size_t n)
{
    if (reserve(w, XS__JSON_ESC_MAX(n)) < 0) return -1;
    w->n_out += xs__json_esc(w->out + w->n_out, s, n, NULL);
    return 0;
}

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* 1 when [s, s+n) is a number in JSON's grammar. */
static int is_json_number(const char *s, size_t n)
{
    size_t i = 0;
    if (i < n && s[i] == '-') i++;
    if (i == n) return 0;
    if (s[i] == '0') {
        i++;
    } else if (is_digit(s[i])) {
        while (i < n && is_digit(s[i])) i++;
    } else {
        return 0;
    }
    if (i < n && s[i] == '.') {
        i++;
        if (i == n || !is_digit(s[i])) return 0;
        while (i < n && is_digit(s[i])) i++;
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-')) i++;
        if (i == n || !is_digit(s[i])) return 0;
        while (i < n && is_digit(s[i])) i++;
    }
    return i == n;
}

/* ---------------------------------------------------------------------- */
/* Interface                                                               */
/* ---------------------------------------------------------------------- */

int xs__io_writer_open(xs__io_writer **out, const char *path, xs__io_input_format fmt, char delim,
                    xs_error *err)
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
    *out = w;
    return XS_OK;
nomem:
    rc = xs__error_set(err, XS_ENOMEM, name, 0, NULL, "out of memory");
cleanup:
    xs__io_writer_abort(w);
    return rc;
}

int xs__io_writer_header(xs__io_writer *w, const char *const *names, const int *numeric, size_t n)
{
    if (w->have_header) return XS_EINVAL;
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
            size_t mark = w->n_out;
            if (json_string(w, names[i], strlen(names[i])) < 0 || reserve(w, 1) < 0) goto nomem;
            put(w, ":", 1);
            w->key_len[i] = w->n_out - mark;
            w->keys[i] = xs__strndup(w->out + mark, w->key_len[i]);
            w->n_out = mark;
            if (!w->keys[i]) goto nomem;
        }
        return XS_OK;
    }
    for (size_t i = 0; i < n; i++) {
        if (i) {
            if (reserve(w, 1) < 0) goto nomem;
            put(w, &w->delim, 1);
        }
        if (csv_field(w, names[i], strlen(names[i]), n) < 0) goto nomem;
    }
    if (reserve(w, 1) < 0) goto nomem;
    put(w, "\n", 1);
    if (w->n_out >= FLUSH_AT) flush_out(w);
    return XS_OK;
nomem:
    if (!w->failed) w->failed = XS_ENOMEM;
    return XS_ENOMEM;
}

int xs__io_writer_row(xs__io_writer *w, const xs__field *fields, size_t n)
{
    if (!w->have_header || n != w->n_cols) return XS_EINVAL;
    if (w->failed) return w->failed;
    size_t mark = w->n_out;
    if (w->fmt == XS_INPUT_CSV) {
        for (size_t i = 0; i < n; i++) {
            if (i) {
                if (reserve(w, 1) < 0) goto fail;
                put(w, &w->delim, 1);
            }
            if (fields[i].present && csv_field(w, fields[i].ptr, fields[i].len, n) < 0) goto fail;
            if (!fields[i].present && n == 1 && csv_field(w, "", 0, n) < 0) goto fail;
        }
        if (reserve(w, 1) < 0) goto fail;
        put(w, "\n", 1);
    } else {
        if (reserve(w, 1) < 0) goto fail;
        put(w, "{", 1);
        int first = 1;
        for (size_t i = 0; i < n; i++) {
            const xs__field *f = &fields[i];
            if (!f->present) continue;
            if (reserve(w, w->key_len[i] + 1) < 0) goto fail;
            if (!first) put(w, ",", 1);
            first = 0;
            put(w, w->keys[i], w->key_len[i]);
            if (w->numeric[i] && is_json_number(f->ptr, f->len)) {
                if (reserve(w, f->len) < 0) goto fail;
                put(w, f->ptr, f->len);
            } else if (json_string(w, f->ptr, f->len) < 0) {
                goto fail;
            }
        }
        if (reserve(w, 2) < 0) goto fail;
        put(w, "}\n", 2);
    }
    if (w->n_out >= FLUSH_AT) flush_out(w);
    return w->failed ? w->failed : XS_OK;
fail:
    w->n_out = mark; /* drop the partial row */
    return w->failed;
}

int xs__io_writer_close(xs__io_writer *w, xs_error *err)
{
    if (!w) return XS_OK;
    flush_out(w);
    int rc = w->failed;
    int e = w->saved_errno;
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
    xs__free(w->out);
    xs__free(w->tmp_path);
    xs__free(w->path);
    xs__free(w);
}
