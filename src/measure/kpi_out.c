/*
 * kpi_out.c — the names of periods and breakdowns, and the KPI result as an
 * output table (src/io/table.c): one column per KPI, money as decimals from
 * integer minor units, ratios with 4 fraction digits, empty cells where a
 * KPI is undefined or does not apply to the breakdown. The order revenue and
 * return columns come last and only when the snapshot holds returns, so
 * the output of a store without them is what it was before returns existed.
 */
#include "measure/kpi.h"

#include "base/money.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

static const char *const by_names[] = {"",        "segment", "industry", "size",
                                       "channel", "kind",    "product"};

int xs_kpi_period_parse(const char *s, xs_kpi_period *out)
{
    static const char *const names[] = {"month", "quarter", "year"};
    for (int i = 0; i < 3; i++)
        if (!strcmp(s, names[i])) {
            *out = (xs_kpi_period)i;
            return XS_OK;
        }
    return XS_EINVAL;
}

int xs_kpi_by_parse(const char *s, xs_kpi_by *out)
{
    for (int i = 1; i <= XS_KPI_BY_PRODUCT; i++)
        if (!strcmp(s, by_names[i])) {
            *out = (xs_kpi_by)i;
            return XS_OK;
        }
    return XS_EINVAL;
}

const char *xs_kpi_by_name(xs_kpi_by b)
{
    return (unsigned)b <= XS_KPI_BY_PRODUCT ? by_names[b] : "";
}

/* What a column holds and when it applies. C_MONEY is empty when negative
 * (the -1 of an undefined amount); C_SMONEY is signed. A_RETURNS: an order
 * KPI listed only when the result has returns. */
enum { C_TEXT, C_COUNT, C_MONEY, C_SMONEY, C_RATIO };
enum { A_ALL, A_REVENUE, A_ORDERS, A_COST, A_RETURNS };

typedef struct col {
    const char *name;
    int type, applies;
    size_t off;
} col;

#define COL(name, type, applies)                                                         \
    {                                                                                    \
#name, type, applies, offsetof(xs_kpi_row, name)                                 \
    }

static const col cols[] = {
    COL(period, C_TEXT, A_ALL),
    COL(start, C_TEXT, A_ALL),
    COL(end, C_TEXT, A_ALL),
    COL(customers_start, C_COUNT, A_REVENUE),
    COL(customers_end, C_COUNT, A_REVENUE),
    COL(mrr_start, C_MONEY, A_REVENUE),
    COL(mrr_end, C_MONEY, A_REVENUE),
    COL(arr_end, C_MONEY, A_REVENUE),
    COL(mrr_growth, C_RATIO, A_REVENUE),
    COL(new_mrr, C_MONEY, A_REVENUE),
    COL(expansion_mrr, C_MONEY, A_REVENUE),
    COL(contraction_mrr, C_MONEY, A_REVENUE),
    COL(churned_mrr, C_MONEY, A_REVENUE),
    COL(reactivation_mrr, C_MONEY, A_REVENUE),
    COL(net_new_mrr, C_SMONEY, A_REVENUE),
    COL(n_new, C_COUNT, A_REVENUE),
    COL(n_expanded, C_COUNT, A_REVENUE),
    COL(n_contracted, C_COUNT, A_REVENUE),
    COL(n_churned, C_COUNT, A_REVENUE),
    COL(n_reactivated, C_COUNT, A_REVENUE),
    COL(nrr, C_RATIO, A_REVENUE),
    COL(grr, C_RATIO, A_REVENUE),
    COL(logo_churn_rate, C_RATIO, A_REVENUE),
    COL(revenue_churn_rate, C_RATIO, A_REVENUE),
    COL(seats_end, C_COUNT, A_REVENUE),
    COL(arpa, C_MONEY, A_REVENUE),
    COL(arpu, C_MONEY, A_REVENUE),
    COL(ltv, C_MONEY, A_REVENUE),
    COL(buyers, C_COUNT, A_ORDERS),
    COL(repeat_buyers, C_COUNT, A_ORDERS),
    COL(repeat_purchase_rate, C_RATIO, A_ORDERS),
    COL(upsold, C_COUNT, A_REVENUE),
    COL(upsell_rate, C_RATIO, A_REVENUE),
    COL(active_customers, C_COUNT, A_ALL),
    COL(offers, C_COUNT, A_ALL),
    COL(accepted, C_COUNT, A_ALL),
    COL(declined, C_COUNT, A_ALL),
    COL(ignored, C_COUNT, A_ALL),
    COL(pending, C_COUNT, A_ALL),
    COL(decline_rate, C_RATIO, A_ALL),
    COL(offers_per_customer_month, C_RATIO, A_ALL),
    COL(cross_sell_proposed, C_COUNT, A_ALL),
    COL(cross_sell_accepted, C_COUNT, A_ALL),
    COL(cross_sell_conversion, C_RATIO, A_ALL),
    COL(downsell_offers, C_COUNT, A_ALL),
    COL(downsell_measured, C_COUNT, A_ALL),
    COL(downsell_saved, C_COUNT, A_ALL),
    COL(downsell_save_rate, C_RATIO, A_ALL),
    COL(equiv_new_customers, C_RATIO, A_REVENUE),
    COL(new_business_cost, C_MONEY, A_COST),
    COL(expansion_cost, C_MONEY, A_COST),
    COL(order_revenue, C_SMONEY, A_RETURNS),
    COL(returns, C_COUNT, A_RETURNS),
    COL(returned_amount, C_SMONEY, A_RETURNS),
    COL(net_order_revenue, C_SMONEY, A_RETURNS),
    COL(return_rate, C_RATIO, A_RETURNS),
};

/* Is column c part of the output of r? */
static int listed(const xs_kpi_result *r, const col *c)
{
    return c->applies != A_RETURNS || r->has_returns;
}

static int cell(const xs_kpi_result *r, const xs_kpi_row *row, const col *c, xs_table *t)
{
    const char *base = (const char *)row + c->off;
    int ok = c->applies == A_ALL || (c->applies == A_REVENUE && row->has_revenue) ||
             ((c->applies == A_ORDERS || c->applies == A_RETURNS) && row->has_orders) ||
             (c->applies == A_COST && row->has_revenue && r->has_cost);
    if (!ok) return xs_table_cell(t, NULL);
    switch (c->type) {
    case C_TEXT:
        return xs_table_cell(t, base);
    case C_COUNT: {
        long long v;
        memcpy(&v, base, sizeof v);
        return xs_table_cellf(t, "%lld", v);
    }
    case C_MONEY:
    case C_SMONEY: {
        int64_t v;
        memcpy(&v, base, sizeof v);
        if (v < 0 && c->type == C_MONEY) return xs_table_cell(t, NULL);
        char buf[40];
        xs__money_format(v, r->money_scale, buf, sizeof buf);
        return xs_table_cell(t, buf);
    }
    default: {
        double v;
        memcpy(&v, base, sizeof v);
        if (isnan(v)) return xs_table_cell(t, NULL);
        return xs_table_cellf(t, "%.4f", v);
    }
    }
}

int xs_kpi_result_table(const xs_kpi_result *r, xs_table *t)
{
    int rc;
    size_t n_cols = sizeof cols / sizeof cols[0];
    int grouped = r->by != XS_KPI_BY_NONE;
    for (size_t i = 0; i < n_cols; i++) {
        if (!listed(r, &cols[i])) continue;
        if ((rc = xs_table_column(t, cols[i].name,
                                  cols[i].type == C_TEXT ? XS_COL_TEXT : XS_COL_NUM)) < 0)
            return rc;
        if (i == 2 && grouped &&
            (rc = xs_table_column(t, by_names[r->by], XS_COL_TEXT)) < 0)
            return rc;
    }
    for (size_t j = 0; j < r->n_rows; j++) {
        const xs_kpi_row *row = &r->rows[j];
        if ((rc = xs_table_row(t)) < 0) return rc;
        for (size_t i = 0; i < n_cols; i++) {
            if (!listed(r, &cols[i])) continue;
            if ((rc = cell(r, row, &cols[i], t)) < 0) return rc;
            if (i == 2 && grouped && (rc = xs_table_cell(t, row->group)) < 0) return rc;
        }
    }
    return XS_OK;
}

int xs_kpi_result_table_by_kpi(const xs_kpi_result *r, xs_table *t)
{
    int rc;
    size_t n_cols = sizeof cols / sizeof cols[0];
    if ((rc = xs_table_column(t, "kpi", XS_COL_TEXT)) < 0) return rc;
    for (size_t j = 0; j < r->n_rows; j++) {
        const xs_kpi_row *row = &r->rows[j];
        char name[160];
        if (r->by != XS_KPI_BY_NONE)
            snprintf(name, sizeof name, "%s %s", row->period, row->group);
        else
            snprintf(name, sizeof name, "%s", row->period);
        if ((rc = xs_table_column(t, name, XS_COL_NUM)) < 0) return rc;
    }
    /* the period is the header; start and end stay as rows */
    for (size_t i = 1; i < n_cols; i++) {
        if (!listed(r, &cols[i])) continue;
        if ((rc = xs_table_row(t)) < 0 || (rc = xs_table_cell(t, cols[i].name)) < 0)
            return rc;
        for (size_t j = 0; j < r->n_rows; j++)
            if ((rc = cell(r, &r->rows[j], &cols[i], t)) < 0) return rc;
    }
    return XS_OK;
}
