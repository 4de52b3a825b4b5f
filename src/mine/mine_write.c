/*
 * mine_write.c — frequent itemsets and association rules as `xsell
 * itemsets` and `xsell rules` print them (contract in xsell/mine.h): a
 * table (columns sized over every row, so the rows are held in an
 * xs_table), CSV or JSON (rows built in an xs__buf and spilled to the
 * stream between rows, so a streamed result of any size is never held).
 *
 * Numbers are written "%.6g"; an itemset or a rule side is "{a,b}" in the
 * table and CSV (one CSV field, quoted when needed) and a list of strings
 * in JSON. Conviction is infinite when confidence is 1: "inf" in table and
 * CSV, null in JSON.
 */
#include "xsell.h"

#include "base/buf.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define SPILL_AT ((size_t)1 << 16)

/* ---------------------------------------------------------------------- */
/* Pieces                                                                 */
/* ---------------------------------------------------------------------- */

/* Appends "{a,b,c}" of item ids. */
static void add_set(xs__buf *o, const xs_baskets *b, const uint32_t *items, size_t n)
{
    xs__buf_addc(o, '{');
    for (size_t i = 0; i < n; i++) {
        if (i) xs__buf_addc(o, ',');
        xs__buf_adds(o, xs_baskets_item_name(b, items[i]));
    }
    xs__buf_addc(o, '}');
}

/* Appends "a", "b" of item ids as JSON strings. */
static void add_json_list(xs__buf *o, const xs_baskets *b, const uint32_t *items,
                          size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (i) xs__buf_add(o, ", ", 2);
        xs__buf_json_cstr(o, xs_baskets_item_name(b, items[i]));
    }
}

/* Appends "{a,b}" of item ids as one CSV field (scratch: the set's text). */
static void add_csv_set(xs__buf *o, xs__buf *scratch, const xs_baskets *b,
                        const uint32_t *items, size_t n)
{
    xs__buf_reset(scratch);
    add_set(scratch, b, items, n);
    if (scratch->err)
        o->err = scratch->err;
    else
        xs__buf_csv_field(o, scratch->p, scratch->n, ',', 0);
}

/* Adds a table cell "{a,b}" of item ids (scratch: its text). */
static int table_set(xs_table *t, xs__buf *scratch, const xs_baskets *b,
                     const uint32_t *items, size_t n)
{
    xs__buf_reset(scratch);
    add_set(scratch, b, items, n);
    return scratch->err ? XS_ENOMEM : xs_table_cell(t, xs__buf_cstr(scratch));
}

/* Writes the rows held (JSON, CSV) or the table, after the last row. */
static int finish(xs__buf *o, xs_table *t, FILE *out)
{
    int rc = xs__buf_flush(o);
    if (rc == XS_OK && t) rc = xs_table_write(t, out, XS_FORMAT_TABLE);
    return rc;
}

/* ---------------------------------------------------------------------- */
/* Itemsets                                                               */
/* ---------------------------------------------------------------------- */

typedef struct iwriter {
    xs__buf o, scratch;
    xs_format fmt;
    const xs_baskets *b;
    double n_tx;
    size_t rows;
    xs_table *t;
} iwriter;

static int itemset_row(void *ctx, const uint32_t *items, size_t n, uint64_t count)
{
    iwriter *w = ctx;
    xs__buf *o = &w->o;
    double support = w->n_tx > 0 ? (double)count / w->n_tx : 0;
    if (w->fmt == XS_FORMAT_TABLE) {
        if (xs_table_row(w->t) < 0 || table_set(w->t, &w->scratch, w->b, items, n) < 0 ||
            xs_table_cellf(w->t, "%zu", n) < 0 ||
            xs_table_cellf(w->t, "%llu", (unsigned long long)count) < 0 ||
            xs_table_cellf(w->t, "%.6g", support) < 0)
            return XS_ENOMEM;
    } else if (w->fmt == XS_FORMAT_JSON) {
        xs__buf_adds(o, w->rows ? ",\n {\"items\": [" : "[\n {\"items\": [");
        add_json_list(o, w->b, items, n);
        xs__buf_printf(o, "], \"size\": %zu, \"count\": %llu, \"support\": %.6g}", n,
                       (unsigned long long)count, support);
    } else {
        add_csv_set(o, &w->scratch, w->b, items, n);
        xs__buf_printf(o, ",%zu,%llu,%.6g\n", n, (unsigned long long)count, support);
    }
    w->rows++;
    xs__buf_spill(o);
    return o->err;
}

static int iwriter_start(iwriter *w, const xs_baskets *b, FILE *out, xs_format fmt)
{
    *w = (iwriter){.fmt = fmt, .b = b, .n_tx = (double)xs_baskets_n_tx(b)};
    xs__buf_to_file(&w->o, out, SPILL_AT);
    if (fmt == XS_FORMAT_CSV) xs__buf_adds(&w->o, "items,size,count,support\n");
    if (fmt != XS_FORMAT_TABLE) return w->o.err;
    static const char *const cols[] = {"items", "size", "count", "support"};
    if (!(w->t = xs_table_new())) return XS_ENOMEM;
    for (int c = 0; c < 4; c++)
        if (xs_table_column(w->t, cols[c], c ? XS_COL_NUM : XS_COL_TEXT) < 0)
            return XS_ENOMEM;
    return XS_OK;
}

/* Writes the end after rc (XS_OK, or the failure that stopped the rows). */
static int iwriter_end(iwriter *w, int rc, FILE *out)
{
    if (rc == XS_OK) {
        if (w->fmt == XS_FORMAT_JSON) xs__buf_adds(&w->o, w->rows ? "\n]\n" : "[]\n");
        rc = finish(&w->o, w->t, out);
    }
    xs_table_free(w->t);
    xs__buf_free(&w->o);
    xs__buf_free(&w->scratch);
    return rc;
}

/* Contract in xsell/mine.h. */
int xs_itemsets_write(const xs_itemsets *s, const xs_baskets *b, FILE *out, xs_format fmt)
{
    iwriter w;
    int rc = iwriter_start(&w, b, out, fmt);
    for (size_t i = 0; rc == XS_OK && i < xs_itemsets_n(s); i++) {
        const uint32_t *it;
        uint64_t cnt;
        size_t n = xs_itemsets_get(s, i, &it, &cnt);
        rc = itemset_row(&w, it, n, cnt);
    }
    return iwriter_end(&w, rc, out);
}

/* Contract in xsell/mine.h. */
int xs_itemsets_stream(const xs_baskets *b, const xs_mine_opts *o, FILE *out,
                       xs_format fmt, xs_error *err)
{
    iwriter w;
    int rc = iwriter_start(&w, b, out, fmt);
    if (rc == XS_OK) rc = xs_itemsets_each(b, o, itemset_row, &w, err);
    return iwriter_end(&w, rc, out);
}

/* ---------------------------------------------------------------------- */
/* Rules                                                                  */
/* ---------------------------------------------------------------------- */

/* "%.6g" of v, "inf" when infinite. */
static void fmt_num(char *buf, size_t n, double v)
{
    if (isinf(v))
        snprintf(buf, n, "inf");
    else
        snprintf(buf, n, "%.6g", v);
}

/* One rule: v its six measures as text. */
static int rule_row(xs__buf *o, xs__buf *scratch, xs_table *t, xs_format fmt,
                    const xs_baskets *b, const xs_rule *x, char v[6][40], size_t i)
{
    if (fmt == XS_FORMAT_JSON) {
        xs__buf_adds(o, i ? ",\n {\"lhs\": [" : "[\n {\"lhs\": [");
        add_json_list(o, b, x->lhs, x->n_lhs);
        xs__buf_adds(o, "], \"rhs\": [");
        add_json_list(o, b, x->rhs, x->n_rhs);
        xs__buf_printf(o,
                       "], \"support\": %s, \"confidence\": %s, \"coverage\": %s, "
                       "\"lift\": %s, \"leverage\": %s, \"conviction\": %s, "
                       "\"count\": %llu}",
                       v[0], v[1], v[2], v[3], v[4], isinf(x->conviction) ? "null" : v[5],
                       (unsigned long long)x->count);
    } else if (fmt == XS_FORMAT_CSV) {
        add_csv_set(o, scratch, b, x->lhs, x->n_lhs);
        xs__buf_addc(o, ',');
        add_csv_set(o, scratch, b, x->rhs, x->n_rhs);
        xs__buf_printf(o, ",%s,%s,%s,%s,%s,%s,%llu\n", v[0], v[1], v[2], v[3], v[4], v[5],
                       (unsigned long long)x->count);
    } else {
        if (xs_table_row(t) < 0 || table_set(t, scratch, b, x->lhs, x->n_lhs) < 0 ||
            table_set(t, scratch, b, x->rhs, x->n_rhs) < 0)
            return XS_ENOMEM;
        for (int k = 0; k < 6; k++)
            if (xs_table_cell(t, v[k]) < 0) return XS_ENOMEM;
        if (xs_table_cellf(t, "%llu", (unsigned long long)x->count) < 0) return XS_ENOMEM;
    }
    xs__buf_spill(o);
    return o->err;
}

/* Contract in xsell/mine.h. */
int xs_rules_write(const xs_rules *r, const xs_baskets *b, FILE *out, xs_format fmt)
{
    static const char *const cols[] = {"lhs",        "rhs",        "support",
                                       "confidence", "coverage",   "lift",
                                       "leverage",   "conviction", "count"};
    xs__buf o = {0}, scratch = {0};
    xs__buf_to_file(&o, out, SPILL_AT);
    xs_table *t = NULL;
    int rc = XS_OK;
    if (fmt == XS_FORMAT_TABLE) {
        if (!(t = xs_table_new())) rc = XS_ENOMEM;
        for (int c = 0; c < 9 && rc == XS_OK; c++)
            if (xs_table_column(t, cols[c], c < 2 ? XS_COL_TEXT : XS_COL_NUM) < 0)
                rc = XS_ENOMEM;
    } else if (fmt == XS_FORMAT_CSV) {
        xs__buf_adds(&o, "lhs,rhs,support,confidence,coverage,lift,leverage,conviction,"
                         "count\n");
    }
    size_t n = xs_rules_n(r);
    for (size_t i = 0; i < n && rc == XS_OK; i++) {
        xs_rule x;
        xs_rules_get(r, i, &x);
        char v[6][40];
        double m[6] = {x.support, x.confidence, x.coverage,
                       x.lift,    x.leverage,   x.conviction};
        for (int k = 0; k < 6; k++)
            fmt_num(v[k], sizeof v[k], m[k]);
        rc = rule_row(&o, &scratch, t, fmt, b, &x, v, i);
    }
    if (rc == XS_OK) {
        if (fmt == XS_FORMAT_JSON) xs__buf_adds(&o, n ? "\n]\n" : "[]\n");
        rc = finish(&o, t, out);
    }
    xs_table_free(t);
    xs__buf_free(&o);
    xs__buf_free(&scratch);
    return rc;
}
