/*
 * adoption_table.c — the adoption curves of xs_adoption_compute() as output
 * tables (xs_table), the rows `xsell adoption` prints: one row per pair
 * with the share adopted at each horizon, or every point of one curve.
 */
#include "xsell.h"

#include <math.h>
#include <stdio.h>

/* A share with 4 fraction digits; an empty cell when undefined (NaN). */
static int cell_share(xs_table *t, double v)
{
    return isnan(v) ? xs_table_cell(t, NULL) : xs_table_cellf(t, "%.4f", v);
}

/* Contract in xsell.h. */
int xs_adoption_table(const xs_adoption *r, const int32_t *horizons, size_t n_horizons,
                      xs_table *t)
{
    static const char *const cols[] = {"from",   "to",      "holders",    "excluded",
                                       "cohort", "adopted", "median_days"};
    char name[48];
    for (size_t i = 0; i < sizeof cols / sizeof cols[0]; i++)
        if (xs_table_column(t, cols[i], i < 2 ? XS_COL_TEXT : XS_COL_NUM) < 0)
            return XS_ENOMEM;
    for (size_t h = 0; h < n_horizons; h++) {
        static const char *const fmt[] = {"within_%ldd", "lo_%ldd", "hi_%ldd"};
        for (int k = 0; k < 3; k++) {
            snprintf(name, sizeof name, fmt[k], (long)horizons[h]);
            if (xs_table_column(t, name, XS_COL_NUM) < 0) return XS_ENOMEM;
        }
    }
    for (size_t i = 0; i < xs_adoption_count(r); i++) {
        const xs_adoption_curve *cv = xs_adoption_get(r, i);
        if (xs_table_row(t) < 0 || xs_table_cell(t, cv->from) < 0 ||
            xs_table_cell(t, cv->to) < 0 || xs_table_cellf(t, "%zu", cv->n_holders) < 0 ||
            xs_table_cellf(t, "%zu", cv->n_excluded) < 0 ||
            xs_table_cellf(t, "%zu", cv->n_cohort) < 0 ||
            xs_table_cellf(t, "%zu", cv->n_events) < 0 ||
            (cv->median >= 0 ? xs_table_cellf(t, "%ld", (long)cv->median)
                             : xs_table_cell(t, NULL)) < 0)
            return XS_ENOMEM;
        for (size_t h = 0; h < n_horizons; h++)
            if (cell_share(t, cv->share[h]) < 0 || cell_share(t, cv->share_lo[h]) < 0 ||
                cell_share(t, cv->share_hi[h]) < 0)
                return XS_ENOMEM;
    }
    return XS_OK;
}

/* Contract in xsell.h. */
int xs_adoption_curve_table(const xs_adoption_curve *cv, xs_table *t)
{
    static const char *const cols[] = {"days",         "at_risk", "events",
                                       "cum_adoption", "lo",      "hi"};
    for (size_t i = 0; i < sizeof cols / sizeof cols[0]; i++)
        if (xs_table_column(t, cols[i], XS_COL_NUM) < 0) return XS_ENOMEM;
    for (size_t i = 0; cv && i < cv->n_points; i++) {
        const xs_adoption_point *p = &cv->points[i];
        if (xs_table_row(t) < 0 || xs_table_cellf(t, "%ld", (long)p->t) < 0 ||
            xs_table_cellf(t, "%zu", p->at_risk) < 0 ||
            xs_table_cellf(t, "%zu", p->events) < 0 ||
            xs_table_cellf(t, "%.4f", p->adopted) < 0 ||
            xs_table_cellf(t, "%.4f", p->lo) < 0 || xs_table_cellf(t, "%.4f", p->hi) < 0)
            return XS_ENOMEM;
    }
    return XS_OK;
}
