/*
 * together_table.c — answers of the frequently-bought-together model as
 * output tables (xs_table), the rows `xsell together` prints: the hits of
 * one item or one cart, or every item's neighbours.
 */
#include "xsell.h"

#include "base/alloc.h"

#include <stdio.h>

/* Appends hits as rows: [item,] rank, NAME, score, count. */
static int add_hits(xs_table *t, const xs_together *m, const xs_together_hit *h, int n,
                    const char *item)
{
    for (int i = 0; i < n; i++)
        if (xs_table_row(t) < 0 || (item && xs_table_cell(t, item) < 0) ||
            xs_table_cellf(t, "%d", i + 1) < 0 ||
            xs_table_cell(t, xs_together_item_name(m, h[i].item)) < 0 ||
            xs_table_cellf(t, "%.6g", h[i].score) < 0 ||
            xs_table_cellf(t, "%.6g", h[i].count) < 0)
            return XS_ENOMEM;
    return XS_OK;
}

/* Contract in xsell.h. */
int xs_together_table(const xs_together *m, const xs_together_hit *hits, size_t n,
                      xs_table *t)
{
    if (xs_table_column(t, "rank", XS_COL_NUM) < 0 ||
        xs_table_column(t, "item", XS_COL_TEXT) < 0 ||
        xs_table_column(t, "score", XS_COL_NUM) < 0 ||
        xs_table_column(t, "count", XS_COL_NUM) < 0)
        return XS_ENOMEM;
    return add_hits(t, m, hits, (int)n, NULL);
}

/* Contract in xsell.h. */
int xs_together_table_all(const xs_together *m, size_t top, xs_table *t)
{
    xs_together_hit *hits = xs__malloc((top ? top : 1) * sizeof *hits);
    if (!hits || xs_table_column(t, "item", XS_COL_TEXT) < 0 ||
        xs_table_column(t, "rank", XS_COL_NUM) < 0 ||
        xs_table_column(t, "neighbour", XS_COL_TEXT) < 0 ||
        xs_table_column(t, "score", XS_COL_NUM) < 0 ||
        xs_table_column(t, "count", XS_COL_NUM) < 0) {
        xs__free(hits);
        return XS_ENOMEM;
    }
    int rc = XS_OK;
    for (uint32_t i = 0; rc == XS_OK && i < xs_together_n_items(m); i++) {
        int n = xs_together_item(m, i, hits, top);
        rc = add_hits(t, m, hits, n, xs_together_item_name(m, i));
    }
    xs__free(hits);
    return rc;
}
