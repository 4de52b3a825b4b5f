/*
 * rank_table.c — the personal ranking as an output table (xs_table), the
 * rows `xsell rank` prints: per customer its products, best first, with
 * the evidence that carried each.
 */
#include "xsell.h"

#include "base/alloc.h"
#include "base/progress.h"

#include <stdio.h>

/* Appends customer c's hits as rows. */
static int add_rows(xs_table *t, const xs_rank *r, uint32_t c, const xs_rank_hit *h,
                    int n)
{
    for (int i = 0; i < n; i++) {
        int none = h[i].evidence == XS_RANK_NONE;
        if (xs_table_row(t) < 0 || xs_table_cell(t, xs_rank_customer_id(r, c)) < 0 ||
            xs_table_cellf(t, "%d", i + 1) < 0 ||
            xs_table_cell(t, xs_rank_product_id(r, h[i].product)) < 0 ||
            xs_table_cell(t, xs_rank_product_name(r, h[i].product)) < 0 ||
            xs_table_cellf(t, "%.6g", h[i].score) < 0 ||
            xs_table_cell(t, none ? "" : xs_rank_product_id(r, h[i].evidence)) < 0 ||
            (none ? xs_table_cellf(t, "%g", 0.0)
                  : xs_table_cellf(t, "%.3g", h[i].evidence_share)) < 0)
            return XS_ENOMEM;
    }
    return XS_OK;
}

/* Contract in xsell.h. */
int xs_rank_table(const xs_rank *r, uint32_t customer, const uint32_t *cart,
                  size_t n_cart, size_t limit, xs_table *t)
{
    static const char *const cols[] = {"customer_id",   "rank",  "product_id",
                                       "product",       "score", "evidence",
                                       "evidence_share"};
    for (size_t i = 0; i < sizeof cols / sizeof cols[0]; i++)
        if (xs_table_column(t, cols[i],
                            i == 1 || i == 4 || i == 6 ? XS_COL_NUM : XS_COL_TEXT) < 0)
            return XS_ENOMEM;
    xs_rank_scratch *q = NULL;
    xs_rank_hit *hits = xs__malloc((limit ? limit : 1) * sizeof *hits);
    int rc = hits ? xs_rank_scratch_new(r, &q) : XS_ENOMEM;
    if (rc < 0) goto cleanup;
    if (customer != XS_RANK_NONE) {
        int n = xs_rank_customer(r, q, customer, cart, n_cart, hits, limit);
        rc = n < 0 ? n : add_rows(t, r, customer, hits, n);
        goto cleanup;
    }
    xs__progress pr;
    xs__progress_start(&pr, "ranking", xs_rank_n_customers(r));
    for (uint32_t i = 0; rc == XS_OK && i < xs_rank_n_customers(r); i++) {
        xs__progress_update(&pr, i + 1);
        if (!xs_rank_has_history(r, i)) continue;
        int n = xs_rank_customer(r, q, i, NULL, 0, hits, limit);
        rc = n < 0 ? n : add_rows(t, r, i, hits, n);
    }
    xs__progress_finish(&pr);
cleanup:
    xs_rank_scratch_free(q);
    xs__free(hits);
    return rc;
}
