/*
 * ltv.h — lifetime value of a customer (src/score/ltv.c): the simple
 * formula and the BG/NBD + Gamma-Gamma glue over the snapshot. The
 * functions that fill xs_customer_scores are declared in score/health.h
 * (xs__score_ltv_simple, xs__score_ltv_clv); the public glue is
 * xs_clv_data_from_snapshot() in xsell.h.
 */
#ifndef XS_SCORE_LTV_H
#define XS_SCORE_LTV_H

#include "score/health.h"

/* Expected lifetime from the share p of a population lost over a window of
 * w days: 1 / p windows (constant churn), in days; `dflt_days` when p is
 * NaN (nothing to measure), `max_days` when p is 0 or 1/p exceeds it. */
double xs__score_ltv_lifetime_days(double p, double w, double dflt_days, double max_days);

#endif
