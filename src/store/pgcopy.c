/*
 * pgcopy.c — COPY ... FROM STDIN of new rows on PostgreSQL (contract in
 * pgcopy.h). Values are written in COPY's text format: NULL as \N, text
 * with backslash, tab, newline and carriage return escaped, integers in
 * decimal, reals with 17 significant digits (read back as the same
 * double). The column list comes from the static table definition.
 *
 * Two writers may share a connection (the store writer's COPY of new rows
 * into the table and of existing ones into its staging table): each is a
 * peer of the other, and one ends the other's COPY before starting its own,
 * since a connection carries one COPY at a time. Rows are buffered while
 * the writer's COPY is not open, so switching costs a round trip per
 * buffer, not per row.
 *
 * The other way, xs__store_pgcopy_scan reads a query's rows by COPY (query) TO
 * STDOUT: the importer's scans of the keys a table holds (a million order
 * keys by cursor FETCHes took the server 1.8 s of a 2.6 s re-import).
 */
#include "store/pgcopy.h"

#include "base/alloc.h"
#include "base/buf.h"
#include "base/error.h"
#include "store/db.h"

#include <stdio.h>
#include <string.h>

/* Rows are sent in chunks of this size. Small, so that the server never
 * waits for the client: PQputCopyData returns once a chunk is in the
 * socket's buffer (about 200 KB), and the server works through that while
 * the client encodes the next chunk; with 1 MiB chunks it sat idle for
 * part of each one (COPY of a million order lines 0.62 s against 0.59 s
 * median, bench/RESULTS.md). */
#define COPY_CHUNK ((size_t)1 << 16)

struct xs__store_pgcopy {
    xs_store *st;
    const xs__store_table_schema *def;
    char *sql;    /* COPY t(c1, ..., cn) FROM STDIN */
    xs__buf rows; /* rows in COPY's text format, not yet sent */
    int open;
    xs__store_pgcopy *peer; /* shares the connection (NULL: none) */
};

int xs__store_pgcopy_new(xs__store_pgcopy **out, xs_store *st,
                         const xs__store_table_schema *d, const char *table,
                         xs_error *err)
{
    *out = NULL;
    if (!table) table = d->name;
    xs__store_pgcopy *c = xs__calloc(1, sizeof *c);
    if (!c) return xs__error_set(err, XS_ENOMEM, NULL, 0, NULL, "out of memory");
    xs__buf sql = {0};
    xs__buf_printf(&sql, "COPY %s(", table);
    for (size_t i = 0; i < d->n_cols; i++) {
        if (i) xs__buf_adds(&sql, ", ");
        xs__buf_adds(&sql, d->cols[i].name);
    }
    xs__buf_adds(&sql, ") FROM STDIN");
    if (!(c->sql = xs__buf_take(&sql, NULL))) {
        xs__store_pgcopy_free(c);
        return xs__error_set(err, XS_ENOMEM, NULL, 0, NULL, "out of memory");
    }
    c->st = st;
    c->def = d;
    *out = c;
    return XS_OK;
}

/* Contract in pgcopy.h. */
void xs__store_pgcopy_pair(xs__store_pgcopy *a, xs__store_pgcopy *b)
{
    a->peer = b;
    b->peer = a;
}

static int close_copy(xs__store_pgcopy *c, xs_error *err);

/* Sends the buffered rows, starting the COPY when it is not open (after
 * closing the peer's, if open: its buffered rows then wait for its next
 * send). */
static int send(xs__store_pgcopy *c, xs_error *err)
{
    if (!c->rows.n) return XS_OK;
    if (!c->open) {
        int rc = c->peer && c->peer->open ? close_copy(c->peer, err) : XS_OK;
        if (rc < 0) return rc;
        if (xs__store_pg_copy_begin(c->st->pg, c->sql) != XS__DB_OK)
            return xs__store_dberr(c->st, "writing rows", err);
        c->open = 1;
    }
    if (xs__store_pg_copy_data(c->st->pg, c->rows.p, c->rows.n) != XS__DB_OK)
        return xs__store_dberr(c->st, "writing rows", err);
    xs__buf_reset(&c->rows);
    return XS_OK;
}

/* Appends text v->s[0..v->len) with COPY's escapes: backslash, tab,
 * newline and carriage return behind a backslash. */
static void add_text(xs__buf *b, const xs__store_value *v)
{
    if (xs__buf_reserve(b, 2 * v->len) < 0) return;
    char *p = b->p + b->n;
    for (size_t k = 0; k < v->len; k++) {
        char ch = v->s[k];
        if (ch == '\\' || ch == '\t' || ch == '\n' || ch == '\r') {
            *p++ = '\\';
            ch = ch == '\t' ? 't' : ch == '\n' ? 'n' : ch == '\r' ? 'r' : ch;
        }
        *p++ = ch;
    }
    b->n = (size_t)(p - b->p);
}

int xs__store_pgcopy_row(xs__store_pgcopy *c, const xs__store_value *vals, xs_error *err)
{
    xs__buf *b = &c->rows;
    for (size_t i = 0; i < c->def->n_cols; i++) {
        if (i) xs__buf_addc(b, '\t');
        const xs__store_value *v = &vals[i];
        switch (v->type) {
        case XS__V_INT:
            xs__buf_int(b, (long long)v->i);
            break;
        case XS__V_REAL:
            xs__buf_printf(b, "%.17g", v->d);
            break;
        case XS__V_TEXT:
            add_text(b, v);
            break;
        default:
            xs__buf_add(b, "\\N", 2);
            break;
        }
    }
    xs__buf_addc(b, '\n');
    if (b->err) return xs__error_set(err, XS_ENOMEM, NULL, 0, NULL, "out of memory");
    return b->n >= COPY_CHUNK ? send(c, err) : XS_OK;
}

/* Sends the buffered rows of an open COPY and ends it. */
static int close_copy(xs__store_pgcopy *c, xs_error *err)
{
    int rc = send(c, err); /* open: sends without touching the peer */
    c->open = 0;
    if (xs__store_pg_copy_end(c->st->pg) != XS__DB_OK && rc == XS_OK)
        rc = xs__store_dberr(c->st, "writing rows", err);
    return rc;
}

int xs__store_pgcopy_end(xs__store_pgcopy *c, xs_error *err)
{
    if (!c || (!c->open && !c->rows.n)) return XS_OK;
    int rc = send(c, err); /* opens it when rows wait */
    if (!c->open) return rc;
    int rc2 = close_copy(c, err);
    return rc < 0 ? rc : rc2;
}

void xs__store_pgcopy_free(xs__store_pgcopy *c)
{
    if (!c) return;
    if (c->open) xs__store_pg_copy_abort(c->st->pg);
    xs__free(c->sql);
    xs__buf_free(&c->rows);
    xs__free(c);
}

/* ---------------------------------------------------------------------- */
/* COPY TO: reading rows                                                   */
/* ---------------------------------------------------------------------- */

/* Splits a row of COPY's text format (NUL-terminated, its newline
 * included) into n values in place: each NUL-terminated, escapes undone,
 * \N (NULL) as "". Returns 0, or -1 when the row has another count. */
static int split_row(char *row, size_t len, xs__store_value *vals, size_t n)
{
    if (len && row[len - 1] == '\n') row[--len] = 0;
    char *r = row, *w = row, *end = row + len;
    for (size_t i = 0; i < n; i++) {
        char *start = w;
        int null =
            r + 2 <= end && r[0] == '\\' && r[1] == 'N' && (r + 2 == end || r[2] == '\t');
        if (null) r += 2;
        while (!null && r < end && *r != '\t') {
            char ch = *r++;
            if (ch == '\\' && r < end) {
                ch = *r++;
                ch = ch == 't'   ? '\t'
                     : ch == 'n' ? '\n'
                     : ch == 'r' ? '\r'
                     : ch == 'b' ? '\b'
                     : ch == 'f' ? '\f'
                     : ch == 'v' ? '\v'
                                 : ch;
            }
            *w++ = ch;
        }
        int last = r == end;
        if (last != (i + 1 == n)) return -1;
        vals[i].type = XS__V_TEXT;
        vals[i].s = null ? "" : start;
        vals[i].len = null ? 0 : (size_t)(w - start);
        *w++ = 0; /* over the tab (or the NUL) that ended it: w <= r */
        r++;
    }
    return 0;
}

/* Contract in pgcopy.h. */
int xs__store_pgcopy_scan(xs_store *st, const char *select, size_t n_cols,
                          int (*fn)(void *ctx, const xs__store_value *vals,
                                    size_t n_vals),
                          void *ctx, xs_error *err)
{
    xs__buf q = {0};
    xs__buf_printf(&q, "COPY (%s) TO STDOUT", select);
    char *sql = xs__buf_take(&q, NULL);
    if (!sql) return xs__error_set(err, XS_ENOMEM, NULL, 0, NULL, "out of memory");
    int db = xs__store_pg_copy_out_begin(st->pg, sql);
    xs__free(sql);
    if (db != XS__DB_OK) return xs__store_dberr(st, "reading keys", err);
    xs__store_value vals[8];
    int rc = XS_OK;
    for (;;) {
        char *row;
        size_t len;
        db = xs__store_pg_copy_out_row(st->pg, &row, &len);
        if (db == XS__DB_DONE) break;
        if (db != XS__DB_ROW) {
            rc = xs__store_dberr(st, "reading keys", err);
            break;
        }
        if (n_cols > 8 || split_row(row, len, vals, n_cols) < 0)
            rc = xs__error_set(err, XS_EDB, NULL, 0, NULL,
                               "reading keys: a row of %zu columns expected", n_cols);
        else
            rc = fn(ctx, vals, n_cols);
        xs__store_pg_copy_out_free(row);
        if (rc < 0) {
            xs__store_pg_copy_out_end(st->pg);
            break;
        }
    }
    return rc;
}
