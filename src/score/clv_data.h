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
typedef struct xs__score_clv_row {
    uint32_t cust;
    int32_t day;
    double amount;
} xs__score_clv_row;

/*
 * Summarises rows of customers 0..n_cust-1 into d (its columns are
 * replaced; ids are attached when d->ids holds n_cust names). *rows is
 * reordered (replaced by a sorted copy: the caller frees *rows with
 * xs__free() either way). Customers without a purchase on or before
 * cal_end are dropped and counted. Returns XS_OK or XS_ENOMEM.
 */
int xs__score_clv_summarize(xs_clv_data *d, xs__score_clv_row **rows, size_t n_rows,
                            size_t n_cust, int32_t cal_end, int unit_days);

/*
 * Takes customer c's returns dated on or before cal_end off its purchase
 * days: day[0..n) ascending (the days <= cal_end, or more), amt[] their
 * amounts in minor units, changed in place. A return reduces the latest
 * purchase day on or before its date (the first day when it is older than
 * every purchase); what exceeds that day's amount is taken off the days
 * before it, and what exceeds them all is dropped, so every day stays >= 0
 * and the days sum to max(0, purchases - returns). Used by both snapshot
 * paths (xs_clv_data_read_snapshot, xs_clv_data_from_snapshot) so that they
 * stay bit-identical. No-op when c has no such return or n is 0.
 */
void xs__score_clv_net_returns(const xs_snapshot *s, uint32_t c, int32_t cal_end,
                               const int32_t *day, int64_t *amt, size_t n);

/* Allocates a summary for n customers with zeroed columns and no ids.
 * Returns NULL when out of memory; caller frees with xs_clv_data_free(). */
xs_clv_data *xs__score_clv_data_alloc(size_t n);

#endif
