/*
 * targets.c — the target list for the CSM team: every customer decided
 * (xs__offer_decide_blocks, on n_threads threads), ranked by the total
 * expected value of its offered offers, with the facts a CSM weighs:
 * LTV, segment, size, adoption maturity (active product families) and
 * loyalty (health and its segment). The same pass gives the guardrail
 * totals (xs_offer_summary) to a caller that wants both. The ranking
 * (xs_offer_targets_rank) and its rendering (xs_offer_targets_page) are
 * apart, so a model file keeps the ranking and readers page through it.
 */
#include "offer/offer_int.h"

#include "base/alloc.h"
#include "base/progress.h"
#include "base/sort.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A customer's row of the target list from its decided offers o[0..n)
 * (xs__offer_each_fn on rows; a customer's top offer is its first
 * offered). */
static void fill_row(void *ctx, uint32_t c, const xs_offer *o, int n)
{
    xs_target *r = (xs_target *)ctx + c;
    r->customer = c;
    r->n_offers = 0;
    r->ev = 0;
    for (int i = 0; i < n; i++)
        if (o[i].guard == XS_GUARD_NONE) {
            if (!r->n_offers) {
                r->top_product = o[i].to_product >= 0 ? o[i].to_product : o[i].from_product;
                r->top_kind = (int32_t)o[i].kind;
            }
            r->n_offers++;
            r->ev += o[i].ev;
        }
}

/* Active product families of customer c at as_of. */
static int maturity(const xs_offer_engine *en, uint32_t c)
{
    const struct xs_snapshot *s = en->s;
    uint16_t f[32];
    int n = 0;
    for (uint32_t r = s->cust.sub_off[c]; r < s->cust.sub_off[c + 1]; r++) {
        if (!xs__snapshot_sub_active(s, r, en->as_of)) continue;
        uint16_t x = s->prod.family[s->sub.product[r]];
        if (x == XS_SNAP_NONE16) continue;
        int k;
        for (k = 0; k < n && f[k] != x; k++) {
        }
        if (k == n && n < 32) f[n++] = x;
    }
    return n;
}

int xs_offer_targets_rank(const xs_offer_engine *en, int n_threads, xs_target **out,
                          size_t *n_out, xs_offer_summary *sum)
{
    const struct xs_snapshot *s = en->s;
    size_t n = s->cust.n;
    *out = NULL;
    *n_out = 0;
    /* the rows of the customers with an offer are kept, in place */
    xs_target *rows = xs__malloc((n ? n : 1) * sizeof *rows);
    xs_offer_summary all;
    if (!rows || xs__offer_decide_blocks(en, n_threads, "targets", fill_row, rows, &all) < 0) {
        xs__free(rows);
        return XS_ENOMEM;
    }
    if (sum) *sum = all;
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (rows[i].n_offers) rows[m++] = rows[i];
    /* by expected value, descending; ties keep the customers' order (a
     * stable sort of rows in customer order) */
    xs__sort_kv *kv = xs__malloc((2 * m + 1) * sizeof *kv);
    xs_target *t = xs__malloc((m ? m : 1) * sizeof *t);
    if (!kv || !t) {
        xs__free(kv);
        xs__free(t);
        xs__free(rows);
        return XS_ENOMEM;
    }
    for (size_t i = 0; i < m; i++) {
        kv[i].key = ~xs__sort_key_double(rows[i].ev);
        kv[i].i = (uint32_t)i;
    }
    const xs__sort_kv *v = xs__sort_kv_radix(kv, kv + m, m);
    for (size_t i = 0; i < m; i++)
        t[i] = rows[v[i].i];
    xs__free(kv);
    xs__free(rows);
    *out = t;
    *n_out = m;
    return XS_OK;
}

void xs_targets_free(xs_target *t)
{
    xs__free(t);
}

int xs_offer_targets_page(const xs_offer_engine *en, const xs_target *rows, size_t n,
                          size_t offset, size_t limit, xs_table *t)
{
    const struct xs_snapshot *s = en->s;
    static const char *const cols[] = {
        "rank",    "customer_id", "expected_value", "offers", "top_offer", "ltv",
        "segment", "size",        "maturity",       "health", "loyalty"};
    static const xs_coltype type[] = {XS_COL_NUM,  XS_COL_TEXT, XS_COL_NUM,  XS_COL_NUM,
                                      XS_COL_TEXT, XS_COL_NUM,  XS_COL_TEXT, XS_COL_TEXT,
                                      XS_COL_NUM,  XS_COL_NUM,  XS_COL_TEXT};
    int rc = XS_OK;
    for (size_t i = 0; i < sizeof cols / sizeof cols[0]; i++)
        if (xs_table_column(t, cols[i], type[i]) < 0) rc = XS_ENOMEM;
    size_t end = limit && offset < n && n - offset > limit ? offset + limit : n;
    xs__progress pr;
    xs__progress_start(&pr, "targets", end > offset ? end - offset : 0);
    for (size_t i = offset; i < end && rc == XS_OK; i++) {
        xs__progress_update(&pr, i - offset + 1);
        const xs_target *r = &rows[i];
        uint32_t c = r->customer;
        int e = 0;
        e |= xs_table_row(t);
        e |= xs_table_cellf(t, "%zu", i + 1);
        e |= xs_table_cell(t, xs__intern_str(&s->cust.ids, c));
        e |= xs_table_cellf(t, "%.2f", r->ev);
        e |= xs_table_cellf(t, "%u", r->n_offers);
        e |= xs_table_cellf(t, "%s %s", xs_offer_kind_name((xs_offer_kind)r->top_kind),
                            xs__intern_str(&s->prod.ids, (uint32_t)r->top_product));
        e |= isnan(en->ltv[c]) ? xs_table_cell(t, NULL)
                               : xs_table_cellf(t, "%.2f", en->ltv[c]);
        e |= xs_table_cell(t,
                           xs__snapshot_dict_str(&s->dict.segments, s->cust.segment[c]));
        e |= xs_table_cell(t, xs__snapshot_dict_str(&s->dict.sizes, s->cust.size[c]));
        e |= xs_table_cellf(t, "%d", maturity(en, c));
        e |= isnan(en->health[c]) ? xs_table_cell(t, NULL)
                                  : xs_table_cellf(t, "%.1f", (double)en->health[c]);
        e |= xs_table_cell(t, xs_segment_name((xs_segment)en->segment[c]));
        if (e) rc = XS_ENOMEM;
    }
    xs__progress_finish(&pr);
    return rc;
}

int xs_offer_targets(const xs_offer_engine *en, int n_threads, size_t limit, xs_table *t,
                     xs_offer_summary *sum)
{
    xs_target *rows;
    size_t n;
    int rc = xs_offer_targets_rank(en, n_threads, &rows, &n, sum);
    if (rc < 0) return rc;
    rc = xs_offer_targets_page(en, rows, n, 0, limit, t);
    xs_targets_free(rows);
    return rc;
}
