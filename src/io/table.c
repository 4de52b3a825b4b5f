/*
 * table.c — result tables written as aligned text, JSON or CSV.
 *
 * Every command that prints rows builds an xs_table and lets this file pick
 * the format, so `--format table|json|csv` behaves the same everywhere.
 */
#include "xsell.h"
#include "base/alloc.h"

#include <stdarg.h>
#include <string.h>

typedef struct column {
    char *name;
    xs_coltype type;
} column;

struct xs_table {
    column *cols;
    size_t n_cols, cap_cols;
    char **cells; /* row-major, NULL = empty */
    size_t n_cells, cap_cells;
    size_t n_rows;
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
    for (size_t i = 0; i < t->n_cells; i++) xs__free(t->cells[i]);
    xs__free(t->cols);
    xs__free(t->cells);
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
    while (t->n_cells < t->n_rows * t->n_cols) t->cells[t->n_cells++] = NULL;
    t->n_rows++;
    return XS_OK;
}

int xs_table_cell(xs_table *t, const char *value)
{
    if (!t->n_rows || t->n_cells >= t->n_rows * t->n_cols) return XS_EINVAL;
    char *copy = NULL;
    if (value && !(copy = xs__strdup(value))) return XS_ENOMEM;
    t->cells[t->n_cells++] = copy;
    return XS_OK;
}

int xs_table_cellf(xs_table *t, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n < 0) return XS_EINVAL;
    if ((size_t)n < sizeof buf) return xs_table_cell(t, buf);
    char *big = xs__malloc((size_t)n + 1);
    if (!big) return XS_ENOMEM;
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    int rc = xs_table_cell(t, big);
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
    return i < t->n_cells ? t->cells[i] : NULL;
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

static void pad(FILE *out, size_t n)
{
    static const char spaces[64] = "                                                               ";
    for (; n > sizeof spaces; n -= sizeof spaces)
        fwrite(spaces, 1, sizeof spaces, out);
    fwrite(spaces, 1, n, out);
}

static void write_text(const xs_table *t, FILE *out)
{
    size_t *w = xs__calloc(t->n_cols ? t->n_cols : 1, sizeof *w);
    if (!w) return;
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
        fputs(t->cols[c].name, out);
        if (c + 1 < t->n_cols) {
            if (t->cols[c].type != XS_COL_NUM) pad(out, w[c] - cw);
            fputs("  ", out);
        }
    }
    fputc('\n', out);
    for (size_t c = 0; c < t->n_cols; c++) {
        for (size_t k = 0; k < w[c]; k++) fputc('-', out);
        if (c + 1 < t->n_cols) fputs("  ", out);
    }
    fputc('\n', out);
    for (size_t r = 0; r < t->n_rows; r++) {
        for (size_t c = 0; c < t->n_cols; c++) {
            const char *v = cell(t, r, c);
            if (!v) v = "";
            size_t cw = text_width(v);
            if (t->cols[c].type == XS_COL_NUM) pad(out, w[c] - cw);
            fputs(v, out);
            if (c + 1 < t->n_cols) {
                if (t->cols[c].type != XS_COL_NUM) pad(out, w[c] - cw);
                fputs("  ", out);
            }
        }
        fputc('\n', out);
    }
    xs__free(w);
}

static void json_string(FILE *out, const char *s)
{
    fputc('"', out);
    const unsigned char *p = (const unsigned char *)s, *run = p;
    for (; *p; p++) {
        if (*p >= 0x20 && *p != '"' && *p != '\\') continue;
        fwrite(run, 1, (size_t)(p - run), out); /* the plain bytes before */
        run = p + 1;
        switch (*p) {
        case '"': fputs("\\\"", out); break;
        case '\\': fputs("\\\\", out); break;
        case '\n': fputs("\\n", out); break;
        case '\r': fputs("\\r", out); break;
        case '\t': fputs("\\t", out); break;
        default: fprintf(out, "\\u%04x", *p);
        }
    }
    fwrite(run, 1, (size_t)(p - run), out);
    fputc('"', out);
}

/* The rows of t as JSON objects, each but the first preceded by ",":
 * what write_json puts between "[" and "]". */
static void json_rows(const xs_table *t, FILE *out)
{
    for (size_t r = 0; r < t->n_rows; r++) {
        fputs(r ? ",\n {" : "\n {", out);
        for (size_t c = 0; c < t->n_cols; c++) {
            if (c) fputs(", ", out);
            json_string(out, t->cols[c].name);
            fputs(": ", out);
            const char *v = cell(t, r, c);
            if (!v || (!*v && t->cols[c].type == XS_COL_NUM)) fputs("null", out);
            else if (t->cols[c].type == XS_COL_NUM) fputs(v, out);
            else json_string(out, v);
        }
        fputc('}', out);
    }
}

static void write_json(const xs_table *t, FILE *out)
{
    fputc('[', out);
    json_rows(t, out);
    fputs(t->n_rows ? "\n]\n" : "]\n", out);
}

static void csv_field(FILE *out, const char *s)
{
    if (!strpbrk(s, ",\"\r\n")) {
        fputs(s, out);
        return;
    }
    fputc('"', out);
    for (const char *q; (q = strchr(s, '"')); s = q + 1) {
        fwrite(s, 1, (size_t)(q - s) + 1, out); /* up to and with the quote */
        fputc('"', out);                        /* doubled */
    }
    fputs(s, out);
    fputc('"', out);
}

static void csv_head(const xs_table *t, FILE *out)
{
    for (size_t c = 0; c < t->n_cols; c++) {
        if (c) fputc(',', out);
        csv_field(out, t->cols[c].name);
    }
    fputc('\n', out);
}

static void csv_rows(const xs_table *t, FILE *out)
{
    for (size_t r = 0; r < t->n_rows; r++) {
        for (size_t c = 0; c < t->n_cols; c++) {
            if (c) fputc(',', out);
            const char *v = cell(t, r, c);
            if (v) csv_field(out, v);
        }
        fputc('\n', out);
    }
}

static void write_csv(const xs_table *t, FILE *out)
{
    csv_head(t, out);
    csv_rows(t, out);
}

int xs_table_write(const xs_table *t, FILE *out, xs_format fmt)
{
    switch (fmt) {
    case XS_FORMAT_JSON: write_json(t, out); break;
    case XS_FORMAT_CSV: write_csv(t, out); break;
    default: write_text(t, out); break;
    }
    return ferror(out) ? XS_EIO : XS_OK;
}

/* Contract in xsell.h. */
int xs_table_write_head(const xs_table *t, FILE *out, xs_format fmt)
{
    if (fmt == XS_FORMAT_CSV) csv_head(t, out);
    else if (fmt == XS_FORMAT_JSON) fputc('[', out);
    else return XS_EINVAL;
    return ferror(out) ? XS_EIO : XS_OK;
}

/* Contract in xsell.h. */
int xs_table_write_rows(const xs_table *t, FILE *out, xs_format fmt)
{
    if (fmt == XS_FORMAT_CSV) csv_rows(t, out);
    else if (fmt == XS_FORMAT_JSON) json_rows(t, out);
    else return XS_EINVAL;
    return ferror(out) ? XS_EIO : XS_OK;
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
    for (size_t i = 0; i < t->n_cells; i++) xs__free(t->cells[i]);
    t->n_cells = 0;
    t->n_rows = 0;
}
