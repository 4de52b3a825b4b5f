/*
 * kpi.h — internals of the KPI module shared by kpi.c (the computation),
 * kpi_out.c (parsing of names and the output table), the tests and the
 * benchmark. The formulas are in docs/kpi.md.
 */
#ifndef XS_KPI_H
#define XS_KPI_H

#include "xsell.h"

#include <stddef.h>
#include <stdint.h>

#define XS_KPI_MAX_PERIODS 10000

struct xs_kpi_result {
    xs_kpi_row *rows;
    size_t n_rows;
    xs_kpi_by by;
    int money_scale;
    int has_cost;    /* --cac or --retention-cost given */
    int has_returns; /* the snapshot holds returns: their columns are listed */
};

/*
 * Recurring revenue of customer c at the end of day `day`, as an exact
 * annual amount in minor units: the sum over its subscriptions with
 * start <= day < end (end absent: open) of quantity x unit_price x 12 for
 * monthly-billed products and x 1 for yearly-billed ones (one-off: 0).
 */
int64_t xs__measure_kpi_arr_at(const xs_snapshot *s, uint32_t c, int32_t day);

/* x / d rounded half away from zero (d > 0). */
int64_t xs__measure_kpi_div_round(int64_t x, int64_t d);

/*
 * The day the data ends (latest subscription start, order, return, usage
 * point, event or offer sent) and begins (earliest subscription start,
 * order, return or offer sent). Returns 0, or -1 when the snapshot holds
 * none of these.
 */
int xs__measure_kpi_data_range(const xs_snapshot *s, int32_t *first, int32_t *last);

#endif
