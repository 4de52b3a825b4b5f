/*
 * clv_data.h — internal layout of the per-customer purchase summaries
 * (xs_clv_data of xsell.h) shared by the lifetime-value models: BG/NBD and
 * Gamma-Gamma read the columns directly.
 */
#ifndef XS_CLV_DATA_H
#define XS_CLV_DATA_H

#include "xsell.h"
#include "base/intern.h"

struct xs_clv_data {
    size_t n;
    double *x, *t_x, *T, *mean; /* one per customer (one block) */
    double *hold_n, *hold_spend;
    uint32_t *id; /* intern id per customer; NULL when built from arrays */
    xs__intern ids;
    size_t n_rows, n_after, n_dropped;
};

/* One purchase row: dense customer id, day number, amount. */
typedef struct xs__clv_row {
    uint32_t cust;
    int32_t day;
    double amount;
} xs__clv_row;

/*
 * Summarises rows of customers 0..n_cust-1 into d (its columns are
 * replaced; ids are attached when d->ids holds n_cust names). *rows is
 * reordered (replaced by a sorted copy: the caller frees *rows with
 * xs__free() either way). Customers without a purchase on or before
 * cal_end are dropped and counted. Returns XS_OK or XS_ENOMEM.
 */
int xs__clv_summarize(xs_clv_data *d, xs__clv_row **rows, size_t n_rows, size_t n_cust,
                      int32_t cal_end, int unit_days);

/* Allocates a summary for n customers with zeroed columns and no ids.
 * Returns NULL when out of memory; caller frees with xs_clv_data_free(). */
xs_clv_data *xs__clv_data_alloc(size_t n);

#endif
