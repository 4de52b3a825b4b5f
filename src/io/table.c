/*
 * table.c — result tables written as aligned text, JSON or CSV.
 *
 * Every command that prints rows builds an xs_table and lets this file pick
 * the format, so `--format table|json|csv` behaves the same everywhere.
 */
#include "io/table.h"

#include "base/alloc.h"
#include "base/escape.h"
#include "base/numfmt.h"
#include "base/progress.h"

#include <stdarg.h>
#include <stdint.h>
#include <string.h>

typedef struct column {
    char *name;
    xs_coltype type;
} column;

#define NO_CELL SIZE_MAX /* an empty (null) cell */

/* The cells are NUL-terminated texts in one pool, found by offset: a row
 * costs no allocation once the pool has grown to its size, and dropping
 * the rows (xs_table_clear_rows) keeps the pool for the next chunk. */
struct xs_table {
    column *cols;
    size_t n_cols, cap_cols;
    size_t *cells; /* row-major offsets into pool, NO_CELL = empty */
    size_t n_cells, cap_cells;
    size_t n_rows;
    char *pool;
    size_t n_pool, cap_pool;
};

int xs_format_parse(const char *s, xs_format *out)
{
    if (!strcmp(s, "table")) *out = XS_FORMAT_TABLE;
    else if (!strcmp(s, "json")) *out = XS_FORMAT_JSON;
    else if (!strcmp(s, "csv")) *out = XS_FORMAT_CSV;
    else return XS_EINVAL;
    return XS_OK;
}

xs_table *xs_table_new(void)
{
    return xs__calloc(1, sizeof(xs_table));
}

void xs_table_free(xs_table *t)
{
    if (!t) return;
    for (size_t i = 0; i < t->n_cols; i++) xs__free(t->cols[i].name);
    xs__free(t->cols);
    xs__free(t->cells);
    xs__free(t->pool);
    xs__free(t);
}

int xs_table_column(xs_table *t, const char *name, xs_coltype type)
{
    if (t->n_rows) return XS_EINVAL;
    if (xs__grow(&t->cols, &t->cap_cols, t->n_cols + 1, sizeof *t->cols) < 0)
        return XS_ENOMEM;
    char *copy = xs__strdup(name);
    if (!copy) return XS_ENOMEM;
    t->cols[t->n_cols].name = copy;
    t->cols[t->n_cols].type = type;
    t->n_cols++;
    return XS_OK;
}

int xs_table_row(xs_table *t)
{
    size_t need = (t->n_rows + 1) * t->n_cols;
    if (xs__grow(&t->cells, &t->cap_cells, need, sizeof *t->cells) < 0) return XS_ENOMEM;
    /* pad the previous row if it was left short */
    while (t->n_cells < t->n_rows * t->n_cols) t->cells[t->n_cells++] = NO_CELL;
    t->n_rows++;
    return XS_OK;
}

/* Contract in io/table.h. */
int xs__io_table_cell_n(xs_table *t, const char *s, size_t len)
{
    if (!t->n_rows || t->n_cells >= t->n_rows * t->n_cols) return XS_EINVAL;
    if (t->n_pool + len + 1 > t->cap_pool &&
        xs__grow(&t->pool, &t->cap_pool, t->n_pool + len + 1, 1) < 0)
        return XS_ENOMEM;
    memcpy(t->pool + t->n_pool, s, len);
    t->pool[t->n_pool + len] = '\0';
    t->cells[t->n_cells++] = t->n_pool;
    t->n_pool += len + 1;
    return XS_OK;
}

int xs_table_cell(xs_table *t, const char *value)
{
    if (value) return xs__io_table_cell_n(t, value, strlen(value));
    if (!t->n_rows || t->n_cells >= t->n_rows * t->n_cols) return XS_EINVAL;
    t->cells[t->n_cells++] = NO_CELL;
    return XS_OK;
}

/* Contract in io/table.h. */
int xs__io_table_cell_fixed(xs_table *t, double v, int decimals)
{
    char buf[XS__FMT_FIXED_MAX];
    return xs__io_table_cell_n(t, buf, xs__fmt_fixed(buf, v, decimals));
}

/* Contract in io/table.h. */
int xs__io_table_cell_int(xs_table *t, long long v)
{
    char buf[24];
    return xs__io_table_cell_n(t, buf, xs__fmt_int(buf, v));
}

int xs_table_cellf(xs_table *t, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n < 0) return XS_EINVAL;
    if ((size_t)n < sizeof buf) return xs__io_table_cell_n(t, buf, (size_t)n);
    char *big = xs__malloc((size_t)n + 1);
    if (!big) return XS_ENOMEM;
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    int rc = xs__io_table_cell_n(t, big, (size_t)n);
    xs__free(big);
    return rc;
}

size_t xs_table_rows(const xs_table *t)
{
    return t->n_rows;
}

static const char *cell(const xs_table *t, size_t r, size_t c)
{
    size_t i = r * t->n_cols + c;
    return i < t->n_cells && t->cells[i] != NO_CELL ? t->pool + t->cells[i] : NULL;
}

/* ---------------------------------------------------------------------- */
/* Output: bytes gathered in a buffer, flushed to a stream or kept        */
/* ---------------------------------------------------------------------- */

/* Where the writers put their bytes: a stream (buf is a fixed buffer,
 * written out when full) or memory (buf grows; the caller takes it). */
typedef struct sink {
    char *buf;
    size_t n, cap;
    FILE *f;    /* NULL: memory */
    int failed; /* memory: out of memory */
    xs__progress *prog; /* rows written, or NULL */
} sink;

static void flush(sink *k)
{
    if (k->f && k->n) fwrite(k->buf, 1, k->n, k->f);
    if (k->f) k->n = 0;
}

/* Slow half of put: room for len more bytes, or the bytes written past. */
static int make_room(sink *k, const char *s, size_t len)
{
    if (k->f) {
        flush(k);
        if (len <= k->cap) return 1;
        fwrite(s, 1, len, k->f); /* larger than the buffer: straight out */
        return 0;
    }
    if (k->failed) return 0;
    size_t cap = k->cap;
    if (xs__grow(&k->buf, &cap, k->n + len, 1) < 0) {
        k->failed = 1;
        return 0;
    }
    k->cap = cap;
    return 1;
}

static inline void put(sink *k, const char *s, size_t len)
{
    if (len > k->cap - k->n && !make_room(k, s, len)) return;
    memcpy(k->buf + k->n, s, len);
    k->n += len;
}

static inline void putch(sink *k, char c)
{
    if (k->n == k->cap && !make_room(k, &c, 1)) return;
    k->buf[k->n++] = c;
}

static void puts_(sink *k, const char *s)
{
    put(k, s, strlen(s));
}

/* Display width of UTF-8 text: code points, with East Asian wide ranges as 2. */
static size_t text_width(const char *s)
{
    size_t w = 0;
    const unsigned char *p = (const unsigned char *)s;
    while (*p && *p < 0x80) /* ASCII, the usual cell: one column a byte */
        p++, w++;
    while (*p) {
        unsigned cp;
        int n;
        if (*p < 0x80) cp = *p, n = 1;
        else if ((*p & 0xe0) == 0xc0) cp = *p & 0x1f, n = 2;
        else if ((*p & 0xf0) == 0xe0) cp = *p & 0x0f, n = 3;
        else if ((*p & 0xf8) == 0xf0) cp = *p & 0x07, n = 4;
        else cp = '?', n = 1;
        for (int k = 1; k < n; k++) {
            if ((p[k] & 0xc0) != 0x80) {
                n = k;
                break;
            }
            cp = (cp << 6) | (p[k] & 0x3f);
        }
        p += n;
        int wide = (cp >= 0x1100 && cp <= 0x115f) || (cp >= 0x2e80 && cp <= 0xa4cf) ||
                   (cp >= 0xac00 && cp <= 0xd7a3) || (cp >= 0xf900 && cp <= 0xfaff) ||
                   (cp >= 0xfe30 && cp <= 0xfe4f) || (cp >= 0xff00 && cp <= 0xff60) ||
                   (cp >= 0xffe0 && cp <= 0xffe6) || (cp >= 0x20000 && cp <= 0x3fffd);
        w += wide ? 2 : 1;
    }
    return w;
}

/* n spaces (only spaces: the row of them is not NUL-terminated text). */
static void pad(sink *out, size_t n)
{
    static const char spaces[] = "                                                                ";
    const size_t m = sizeof spaces - 1; /* 64 */
    for (; n > m; n -= m)
        put(out, spaces, m);
    put(out, spaces, n);
}

static int write_text(const xs_table *t, sink *out)
{
    size_t *w = xs__calloc(t->n_cols ? t->n_cols : 1, sizeof *w);
    if (!w) return XS_ENOMEM;
    for (size_t c = 0; c < t->n_cols; c++)
        w[c] = text_width(t->cols[c].name);
    for (size_t r = 0; r < t->n_rows; r++) /* in the cells' (row) order */
        for (size_t c = 0; c < t->n_cols; c++) {
            const char *v = cell(t, r, c);
            size_t cw = v ? text_width(v) : 0;
            if (cw > w[c]) w[c] = cw;
        }
    for (size_t c = 0; c < t->n_cols; c++) {
        size_t cw = text_width(t->cols[c].name);
        if (t->cols[c].type == XS_COL_NUM) pad(out, w[c] - cw);
        puts_(out, t->cols[c].name);
        if (c + 1 < t->n_cols) {
            if (t->cols[c].type != XS_COL_NUM) pad(out, w[c] - cw);
            put(out, "  ", 2);
        }
    }
    putch(out, '\n');
    for (size_t c = 0; c < t->n_cols; c++) {
        for (size_t k = 0; k < w[c]; k++) putch(out, '-');
        if (c + 1 < t->n_cols) put(out, "  ", 2);
    }
    putch(out, '\n');
    for (size_t r = 0; r < t->n_rows; r++) {
        for (size_t c = 0; c < t->n_cols; c++) {
            const char *v = cell(t, r, c);
            if (!v) v = "";
            size_t cw = text_width(v);
            if (t->cols[c].type == XS_COL_NUM) pad(out, w[c] - cw);
            puts_(out, v);
            if (c + 1 < t->n_cols) {
                if (t->cols[c].type != XS_COL_NUM) pad(out, w[c] - cw);
                put(out, "  ", 2);
            }
        }
        putch(out, '\n');
        if (out->prog) xs__progress_update(out->prog, r + 1);
    }
    xs__free(w);
    return XS_OK;
}

#define ESC_PIECE 256 /* input bytes escaped at a time into a stack span */

/* s as a JSON string (base/escape.h). JSON escapes byte by byte, so s is
 * escaped a piece at a time and each piece put without its quotes. */
static void json_string(sink *out, const char *s)
{
    char span[XS__JSON_ESC_MAX(ESC_PIECE)];
    size_t n = strlen(s);
    putch(out, '"');
    for (size_t i = 0; i < n; i += ESC_PIECE) {
        size_t m = n - i < ESC_PIECE ? n - i : ESC_PIECE;
        size_t k = xs__json_esc(span, s + i, m, NULL);
        put(out, span + 1, k - 2);
    }
    putch(out, '"');
}

/* The rows of t as JSON objects, each but the first preceded by ",":
 * what write_json puts between "[" and "]". */
static void json_rows(const xs_table *t, sink *out)
{
    for (size_t r = 0; r < t->n_rows; r++) {
        if (r) putch(out, ',');
        put(out, "\n {", 3);
        for (size_t c = 0; c < t->n_cols; c++) {
            if (c) put(out, ", ", 2);
            json_string(out, t->cols[c].name);
            put(out, ": ", 2);
            const char *v = cell(t, r, c);
            if (!v || (!*v && t->cols[c].type == XS_COL_NUM)) put(out, "null", 4);
            else if (t->cols[c].type == XS_COL_NUM) puts_(out, v);
            else json_string(out, v);
        }
        putch(out, '}');
        if (out->prog) xs__progress_update(out->prog, r + 1);
    }
}

static void write_json(const xs_table *t, sink *out)
{
    putch(out, '[');
    json_rows(t, out);
    puts_(out, t->n_rows ? "\n]\n" : "]\n");
}

/* s as a CSV field, quoted by the strict rule of base/escape.h (the one
 * `xsell export` uses); lone: the only field of its row. */
static void csv_field(sink *out, const char *s, int lone)
{
    size_t n = strlen(s);
    if (!xs__csv_needs_quotes(s, n, ',', lone)) {
        if (n) put(out, s, n); /* a memory sink may have no buffer yet */
        return;
    }
    char span[2 * ESC_PIECE];
    putch(out, '"');
    for (size_t i = 0; i < n; i += ESC_PIECE) {
        size_t m = n - i < ESC_PIECE ? n - i : ESC_PIECE;
        size_t k = xs__csv_body(span, s + i, m);
        put(out, span, k);
    }
    putch(out, '"');
}

static void csv_head(const xs_table *t, sink *out)
{
    for (size_t c = 0; c < t->n_cols; c++) {
        if (c) putch(out, ',');
        csv_field(out, t->cols[c].name, t->n_cols == 1);
    }
    putch(out, '\n');
}

/* An absent cell is an empty field (quoted when it is the row's only one,
 * so the row is not an empty line). */
static void csv_rows(const xs_table *t, sink *out)
{
    for (size_t r = 0; r < t->n_rows; r++) {
        for (size_t c = 0; c < t->n_cols; c++) {
            if (c) putch(out, ',');
            const char *v = cell(t, r, c);
            csv_field(out, v ? v : "", t->n_cols == 1);
        }
        putch(out, '\n');
        if (out->prog) xs__progress_update(out->prog, r + 1);
    }
}

#define STREAM_BUF 65536 /* bytes gathered before a write to the stream */

/* A sink writing to f through a buffer of STREAM_BUF bytes (on the heap;
 * without one, through a small one on the caller's stack). */
static void stream_open(sink *k, FILE *f, char *small, size_t n_small)
{
    k->f = f;
    k->n = 0;
    k->failed = 0;
    k->prog = NULL;
    k->buf = xs__malloc(STREAM_BUF);
    k->cap = STREAM_BUF;
    if (!k->buf) {
        k->buf = small;
        k->cap = n_small;
    }
}

static int stream_close(sink *k, char *small)
{
    flush(k);
    if (k->buf != small) xs__free(k->buf);
    return ferror(k->f) ? XS_EIO : XS_OK;
}

int xs_table_write(const xs_table *t, FILE *out, xs_format fmt)
{
    char small[1024];
    sink k;
    int rc = XS_OK;
    stream_open(&k, out, small, sizeof small);
    xs__progress pr;
    xs__progress_start(&pr, "writing", t->n_rows);
    k.prog = &pr;
    switch (fmt) {
    case XS_FORMAT_JSON: write_json(t, &k); break;
    case XS_FORMAT_CSV:
        csv_head(t, &k);
        csv_rows(t, &k);
        break;
    default: rc = write_text(t, &k); break;
    }
    int rc2 = stream_close(&k, small);
    xs__progress_finish(&pr);
    return rc < 0 ? rc : rc2;
}

/* Contract in xsell.h. */
int xs_table_write_head(const xs_table *t, FILE *out, xs_format fmt)
{
    if (fmt != XS_FORMAT_CSV && fmt != XS_FORMAT_JSON) return XS_EINVAL;
    char small[1024];
    sink k;
    stream_open(&k, out, small, sizeof small);
    if (fmt == XS_FORMAT_CSV) csv_head(t, &k);
    else putch(&k, '[');
    return stream_close(&k, small);
}

/* Contract in xsell.h. */
int xs_table_write_rows(const xs_table *t, FILE *out, xs_format fmt)
{
    if (fmt != XS_FORMAT_CSV && fmt != XS_FORMAT_JSON) return XS_EINVAL;
    char small[1024];
    sink k;
    stream_open(&k, out, small, sizeof small);
    if (fmt == XS_FORMAT_CSV) csv_rows(t, &k);
    else json_rows(t, &k);
    return stream_close(&k, small);
}

/* Contract in io/table.h. */
int xs__io_table_rows_append(const xs_table *t, xs_format fmt, char **buf, size_t *len,
                          size_t *cap)
{
    if (fmt != XS_FORMAT_CSV && fmt != XS_FORMAT_JSON) return XS_EINVAL;
    sink k = {*buf, *len, *cap, NULL, 0, NULL};
    if (fmt == XS_FORMAT_CSV) csv_rows(t, &k);
    else json_rows(t, &k);
    *buf = k.buf;
    *len = k.n;
    *cap = k.cap;
    return k.failed ? XS_ENOMEM : XS_OK;
}

/* Contract in xsell.h. */
int xs_table_write_tail(FILE *out, xs_format fmt, size_t n_rows)
{
    if (fmt == XS_FORMAT_JSON) fputs(n_rows ? "\n]\n" : "]\n", out);
    else if (fmt != XS_FORMAT_CSV) return XS_EINVAL;
    return ferror(out) ? XS_EIO : XS_OK;
}

/* Contract in xsell.h. */
void xs_table_clear_rows(xs_table *t)
{
    t->n_cells = 0;
    t->n_rows = 0;
    t->n_pool = 0;
}
