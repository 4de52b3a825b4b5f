/*
 * keyorder.c — puts the rows the generator writes into the store's key
 * order (the PRIMARY KEY of each table, docs/data-model.md), so that
 * `xsell import` of a generated file meets its keys in order.
 *
 * Every table's key starts with the customer (customer_id, or an order or
 * offer id that embeds the customer's zero-padded number), and customers are
 * written in index order, so only the rows of one customer can be out of
 * order. The simulation writes them in the order it draws them; between
 * xs__gen_gout_hold() and xs__gen_gout_sort() the output buffer keeps them (growing
 * instead of flushing) and xs__gen_gout_sort() then reorders those rows by the
 * key columns, compared as SQLite's BINARY collation compares the key tuple:
 * column by column, bytes first, then the shorter value first. A customer has
 * at most a few hundred rows: their keys are cut out once, then sorted
 * with qsort. The sort is deterministic (keys are unique;
 * equal keys keep their order), so the output stays byte-identical for the
 * same options.
 */
#include "gen/sim.h"

#include "base/alloc.h"

#include <stdlib.h>

/* See gen_int.h. */
void xs__gen_gout_hold(xs__gen_gout *o)
{
    /* leave half the buffer to the held rows, so that it grows only for a
     * customer with more than that (never, in practice) */
    if (o->b.n > o->b.cap / 2) xs__gen_gout_flush(o);
    o->held = 1;
    o->mark = o->b.n;
}

/* See gen_int.h. */
void xs__gen_gout_make_room(xs__gen_gout *o)
{
    if (o->held && xs__buf_reserve(&o->b, XS__GOUT_ROW_MAX) == 0) return;
    /* not held, or out of memory (the run fails; flushing, which drops the
     * bytes of a failed buffer, keeps the writes in bounds) */
    o->held = 0;
    xs__gen_gout_flush(o);
}

/* A held row: its bytes in the buffer, and its key in the key scratch. */
typedef struct xs__gen_gout_rowkey {
    size_t off, len;  /* the row, with its '\n' */
    size_t klen;      /* its key */
    const char *key;
} xs__gen_gout_rowkey;

/* Appends to k the key columns of the row at p (which ends at its '\n'),
 * each followed by a 0 byte: generated fields hold no byte below 0x20, so
 * byte order of these strings is the order of the key tuples. k has room. */
static size_t key_of(const char *p, const int *cols, int n_cols, char *k)
{
    size_t n = 0;
    for (int c = 0; c < n_cols; c++) {
        const char *f = p;
        for (int col = cols[c]; col > 0; col--) {
            while (*f != ',' && *f != '\n')
                f++;
            if (*f == ',') f++;
        }
        while (*f != ',' && *f != '\n')
            k[n++] = *f++;
        k[n++] = '\0';
    }
    return n;
}

static int rowkey_cmp(const void *a, const void *b)
{
    const xs__gen_gout_rowkey *x = a, *y = b;
    int c = memcmp(x->key, y->key, x->klen < y->klen ? x->klen : y->klen);
    if (c) return c;
    if (x->klen != y->klen) return x->klen < y->klen ? -1 : 1;
    return x->off < y->off ? -1 : x->off > y->off; /* equal keys keep their order */
}

/* See gen_int.h. */
void xs__gen_gout_sort(xs__gen_gout *o, const int *cols, int n_cols)
{
    int held = o->held;
    o->held = 0;
    if (!held || o->b.err || o->b.n <= o->mark) return;
    const char *buf = o->b.p;
    size_t bytes = o->b.n - o->mark, n = 0;
    for (size_t i = o->mark; i < o->b.n; i++)
        if (buf[i] == '\n') n++;
    if (n < 2) return;
    /* scratch: the rows, then their keys (no longer than the rows plus a
     * terminator per column), then room to reassemble the rows */
    if (xs__grow(&o->rows_k, &o->cap_rows_k, n, sizeof *o->rows_k) < 0 ||
        xs__grow(&o->tmp, &o->cap_tmp, 2 * bytes + n * (size_t)n_cols, 1) < 0) {
        o->b.err = XS_ENOMEM;
        return;
    }
    char *keys = o->tmp + bytes;
    size_t r = 0, start = o->mark, kn = 0;
    int sorted = 1;
    for (size_t i = o->mark; i < o->b.n; i++) {
        if (buf[i] != '\n') continue;
        xs__gen_gout_rowkey *rk = &o->rows_k[r];
        rk->off = start;
        rk->len = i + 1 - start;
        rk->klen = key_of(buf + start, cols, n_cols, keys + kn);
        rk->key = keys + kn;
        kn += rk->klen;
        if (r && sorted && rowkey_cmp(&o->rows_k[r - 1], rk) > 0) sorted = 0;
        r++;
        start = i + 1;
    }
    if (sorted) return;
    qsort(o->rows_k, n, sizeof *o->rows_k, rowkey_cmp);
    size_t t = 0;
    for (size_t i = 0; i < n; i++) {
        memcpy(o->tmp + t, buf + o->rows_k[i].off, o->rows_k[i].len);
        t += o->rows_k[i].len;
    }
    memcpy(o->b.p + o->mark, o->tmp, t);
}

/* The key columns of each table (file column indexes, in key order); the
 * truth files have none. */
static const struct {
    int n;
    int cols[4];
} table_keys[XS_GEN_N_FILES] = {
    [XS_GEN_CUSTOMERS] = {1, {0}},           /* customer_id */
    [XS_GEN_PRODUCTS] = {1, {0}},            /* product_id */
    [XS_GEN_SUBSCRIPTIONS] = {3, {0, 1, 4}}, /* customer_id, product_id, start_date */
    [XS_GEN_ORDERS] = {2, {0, 3}},           /* order_id, product_id */
    [XS_GEN_USAGE] = {4, {0, 1, 2, 4}},      /* customer_id, product_id, metric, date */
    [XS_GEN_EVENTS] = {4, {0, 1, 2, 4}},     /* customer_id, date, type, ref */
    [XS_GEN_OFFERS] = {1, {0}},              /* offer_id */
};

/* See sim.h. */
void xs__gen_hold_rows(xs__gen_ctx *g)
{
    for (int f = 0; f < XS_GEN_N_FILES; f++)
        if (table_keys[f].n) xs__gen_gout_hold(&g->out[f]);
}

/* See sim.h. */
void xs__gen_sort_rows(xs__gen_ctx *g)
{
    for (int f = 0; f < XS_GEN_N_FILES; f++)
        if (table_keys[f].n)
            xs__gen_gout_sort(&g->out[f], table_keys[f].cols, table_keys[f].n);
}
