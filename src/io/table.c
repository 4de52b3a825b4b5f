/*
 * table.c — result tables written as aligned text, JSON or CSV.
 *
 * Every command that prints rows builds an xs_table and lets this file pick
 * the format, so `--format table|json|csv` behaves the same everywhere.
 */
#include "io/table.h"

#include "base/alloc.h"
#include "base/buf.h"
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
 * the rows (xs_table_clear_rows) keeps the pool for the next chunk. Cells
 * are only appended, so their texts lie in the pool in cell order, each
 * right after the one before (xs__io_table_pack relies on it). */
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

/* Contract in io/table.h. */
size_t xs__io_table_n_cols(const xs_table *t)
{
    return t->n_cols;
}

/* Contract in io/table.h. */
const char *xs__io_table_col(const xs_table *t, size_t c, xs_coltype *type)
{
    *type = t->cols[c].type;
    return t->cols[c].name;
}

/* Contract in io/table.h. */
const char *xs__io_table_cell(const xs_table *t, size_t r, size_t c)
{
    return cell(t, r, c);
}

/* ---------------------------------------------------------------------- */
/* Output: bytes gathered in an xs__buf, spilled to a stream or kept      */
/* ---------------------------------------------------------------------- */

/* Rows written so far, to the progress bar when there is one. */
static void row_done(xs__progress *prog, size_t r)
{
    if (prog) xs__progress_update(prog, r + 1);
}

/* Display width of UTF-8 text: code points, with East Asian wide ranges as
 * 2; *len gets its length in bytes. */
static size_t text_width(const char *s, size_t *len)
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
    *len = (size_t)((const char *)p - s);
    return w;
}

/* n spaces (only spaces: the row of them is not NUL-terminated text). */
static void pad(xs__buf *out, size_t n)
{
    static const char spaces[] = "                                                                ";
    const size_t m = sizeof spaces - 1; /* 64 */
    for (; n > m; n -= m)
        xs__buf_add(out, spaces, m);
    xs__buf_add(out, spaces, n);
}

/* Contract in io/table.h. */
void xs__io_table_widths(const xs_table *t, size_t *w)
{
    size_t len;
    for (size_t c = 0; c < t->n_cols; c++) {
        size_t cw = text_width(t->cols[c].name, &len);
        if (cw > w[c]) w[c] = cw;
    }
    for (size_t r = 0; r < t->n_rows; r++) /* in the cells' (row) order */
        for (size_t c = 0; c < t->n_cols; c++) {
            const char *v = cell(t, r, c);
            size_t cw = v ? text_width(v, &len) : 0;
            if (cw > w[c]) w[c] = cw;
        }
}

/* The cell v (NUL-terminated) of column c padded to w[c], then the two
 * spaces before the next column, or the newline after the last. Returns
 * v's length in bytes. */
static size_t text_cell(const xs_table *t, const size_t *w, size_t c, const char *v,
                        xs__buf *out)
{
    size_t len, cw = text_width(v, &len);
    size_t gap = w[c] > cw ? w[c] - cw : 0; /* 0: w was not raised to v */
    if (t->cols[c].type == XS_COL_NUM) pad(out, gap);
    xs__buf_add(out, v, len);
    if (c + 1 < t->n_cols) {
        if (t->cols[c].type != XS_COL_NUM) pad(out, gap);
        xs__buf_add(out, "  ", 2);
    } else {
        xs__buf_addc(out, '\n');
    }
    return len;
}

/* Contract in io/table.h. */
void xs__io_table_text_row(const xs_table *t, const size_t *w, const char *const *v,
                           xs__buf *out)
{
    for (size_t c = 0; c < t->n_cols; c++)
        text_cell(t, w, c, v[c], out);
    if (!t->n_cols) xs__buf_addc(out, '\n');
}

/* Contract in io/table.h. */
const char *xs__io_table_text_packed_row(const xs_table *t, const size_t *w,
                                         const char *cells, xs__buf *out)
{
    for (size_t c = 0; c < t->n_cols; c++)
        cells += text_cell(t, w, c, cells, out) + 1;
    if (!t->n_cols) xs__buf_addc(out, '\n');
    return cells;
}

/* Contract in io/table.h. */
char *xs__io_table_pack(const xs_table *t, size_t *size)
{
    size_t n_cells = t->n_rows * t->n_cols, n_null = n_cells - t->n_cells;
    for (size_t i = 0; i < t->n_cells; i++)
        n_null += t->cells[i] == NO_CELL;
    size_t n = t->n_pool + n_null;
    char *p = xs__malloc(n ? n : 1);
    if (!p) return NULL;
    /* backwards: a cell's text and its NUL end where the next one's begin */
    char *q = p + n;
    size_t end = t->n_pool;
    for (size_t i = n_cells; i-- > 0;) {
        if (i >= t->n_cells || t->cells[i] == NO_CELL) {
            *--q = '\0';
        } else {
            q -= end - t->cells[i];
            memcpy(q, t->pool + t->cells[i], end - t->cells[i]);
            end = t->cells[i];
        }
    }
    *size = n;
    return p;
}

/* Contract in io/table.h. */
int xs__io_table_text_head(const xs_table *t, const size_t *w, xs__buf *out)
{
    const char **names = xs__calloc(t->n_cols ? t->n_cols : 1, sizeof *names);
    if (!names) return XS_ENOMEM;
    for (size_t c = 0; c < t->n_cols; c++)
        names[c] = t->cols[c].name;
    xs__io_table_text_row(t, w, names, out);
    xs__free(names);
    for (size_t c = 0; c < t->n_cols; c++) {
        for (size_t k = 0; k < w[c]; k++) xs__buf_addc(out, '-');
        if (c + 1 < t->n_cols) xs__buf_add(out, "  ", 2);
    }
    xs__buf_addc(out, '\n');
    return XS_OK;
}

static int write_text(const xs_table *t, xs__buf *out, xs__progress *prog)
{
    size_t n = t->n_cols ? t->n_cols : 1;
    size_t *w = xs__calloc(n, sizeof *w);
    const char **v = xs__calloc(n, sizeof *v);
    int rc = w && v ? XS_OK : XS_ENOMEM;
    if (rc == XS_OK) {
        xs__io_table_widths(t, w);
        rc = xs__io_table_text_head(t, w, out);
    }
    for (size_t r = 0; rc == XS_OK && r < t->n_rows; r++) {
        for (size_t c = 0; c < t->n_cols; c++) {
            const char *s = cell(t, r, c);
            v[c] = s ? s : "";
        }
        xs__io_table_text_row(t, w, v, out);
        row_done(prog, r);
        xs__buf_spill(out);
    }
    xs__free(v);
    xs__free(w);
    return rc;
}

/* The rows of t as JSON objects, each but the first preceded by ",":
 * what write_json puts between "[" and "]". */
static void json_rows(const xs_table *t, xs__buf *out, xs__progress *prog)
{
    for (size_t r = 0; r < t->n_rows; r++) {
        if (r) xs__buf_addc(out, ',');
        xs__buf_add(out, "\n {", 3);
        for (size_t c = 0; c < t->n_cols; c++) {
            if (c) xs__buf_add(out, ", ", 2);
            xs__buf_json_cstr(out, t->cols[c].name);
            xs__buf_add(out, ": ", 2);
            const char *v = cell(t, r, c);
            if (!v || (!*v && t->cols[c].type == XS_COL_NUM)) xs__buf_add(out, "null", 4);
            else if (t->cols[c].type == XS_COL_NUM) xs__buf_adds(out, v);
            else xs__buf_json_cstr(out, v);
        }
        xs__buf_addc(out, '}');
        row_done(prog, r);
        xs__buf_spill(out);
    }
}

static void write_json(const xs_table *t, xs__buf *out, xs__progress *prog)
{
    xs__buf_addc(out, '[');
    json_rows(t, out, prog);
    xs__buf_adds(out, t->n_rows ? "\n]\n" : "]\n");
}

/* s as a CSV field, quoted by the strict rule of base/escape.h (the one
 * `xsell export` uses); lone: the only field of its row. */
static void csv_field(xs__buf *out, const char *s, int lone)
{
    xs__buf_csv_field(out, s, strlen(s), ',', lone);
}

static void csv_head(const xs_table *t, xs__buf *out)
{
    for (size_t c = 0; c < t->n_cols; c++) {
        if (c) xs__buf_addc(out, ',');
        csv_field(out, t->cols[c].name, t->n_cols == 1);
    }
    xs__buf_addc(out, '\n');
}

/* An absent cell is an empty field (quoted when it is the row's only one,
 * so the row is not an empty line). */
static void csv_rows(const xs_table *t, xs__buf *out, xs__progress *prog)
{
    for (size_t r = 0; r < t->n_rows; r++) {
        for (size_t c = 0; c < t->n_cols; c++) {
            if (c) xs__buf_addc(out, ',');
            const char *v = cell(t, r, c);
            csv_field(out, v ? v : "", t->n_cols == 1);
        }
        xs__buf_addc(out, '\n');
        row_done(prog, r);
        xs__buf_spill(out);
    }
}

#define STREAM_BUF 65536 /* bytes gathered before a write to the stream */

/* Writes out what k holds and frees it: XS_ENOMEM when it ran out of
 * memory, XS_EIO when the stream has an error, else XS_OK. */
static int stream_close(xs__buf *k)
{
    FILE *f = k->f;
    int rc = xs__buf_flush(k);
    xs__buf_free(k);
    if (rc == XS_ENOMEM) return rc;
    return ferror(f) ? XS_EIO : XS_OK;
}

int xs_table_write(const xs_table *t, FILE *out, xs_format fmt)
{
    xs__buf k = {0};
    int rc = XS_OK;
    xs__buf_to_file(&k, out, STREAM_BUF);
    xs__progress pr;
    xs__progress_start(&pr, "writing", t->n_rows);
    switch (fmt) {
    case XS_FORMAT_JSON: write_json(t, &k, &pr); break;
    case XS_FORMAT_CSV:
        csv_head(t, &k);
        csv_rows(t, &k, &pr);
        break;
    default: rc = write_text(t, &k, &pr); break;
    }
    int rc2 = stream_close(&k);
    xs__progress_finish(&pr);
    return rc < 0 ? rc : rc2;
}

/* Contract in xsell.h. */
int xs_table_write_head(const xs_table *t, FILE *out, xs_format fmt)
{
    if (fmt != XS_FORMAT_CSV && fmt != XS_FORMAT_JSON) return XS_EINVAL;
    xs__buf k = {0};
    xs__buf_to_file(&k, out, STREAM_BUF);
    if (fmt == XS_FORMAT_CSV) csv_head(t, &k);
    else xs__buf_addc(&k, '[');
    return stream_close(&k);
}

/* Contract in xsell.h. */
int xs_table_write_rows(const xs_table *t, FILE *out, xs_format fmt)
{
    if (fmt != XS_FORMAT_CSV && fmt != XS_FORMAT_JSON) return XS_EINVAL;
    xs__buf k = {0};
    xs__buf_to_file(&k, out, STREAM_BUF);
    if (fmt == XS_FORMAT_CSV) csv_rows(t, &k, NULL);
    else json_rows(t, &k, NULL);
    return stream_close(&k);
}

/* Contract in io/table.h. */
int xs__io_table_rows_append(const xs_table *t, xs_format fmt, xs__buf *b)
{
    if (fmt != XS_FORMAT_CSV && fmt != XS_FORMAT_JSON) return XS_EINVAL;
    if (fmt == XS_FORMAT_CSV) csv_rows(t, b, NULL);
    else json_rows(t, b, NULL);
    return b->err ? XS_ENOMEM : XS_OK;
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
