/*
 * experiment.h — internals of the lift analysis shared by experiment.c,
 * stats.c, the tests and the benchmark: the data set's columns and the
 * statistics of one treatment-versus-control comparison.
 */
#ifndef XS_EXPERIMENT_H
#define XS_EXPERIMENT_H

#include "xsell.h"
#include "base/intern.h"

#include <stddef.h>
#include <stdint.h>

struct xs_exp_data {
    char *group_col;     /* name of the group column */
    char **metric_names; /* n_metrics names */
    size_t n_metrics;
    char *cov_name;    /* NULL without a covariate */
    xs__intern labels; /* group label -> dense id, in order of appearance */
    uint32_t *grp;     /* per row: group id */
    double **vals;     /* per metric: per row value */
    double *cov;       /* per row covariate (NULL without one) */
    size_t n, cap;
};

/* The outcome of one comparison of a treatment group against the control. */
typedef struct xs__measure_exp_cmp {
    double lift, lo, hi;        /* mean_t - mean_c and its CI */
    double rel, rel_lo, rel_hi; /* lift / mean_c and its CI; NaN when mean_c = 0 */
    double p;                   /* two-sided p-value */
    double df;                  /* Welch df, NaN for other methods */
} xs__measure_exp_cmp;

/* Parses len bytes as a finite decimal number, exactly as strtod would
 * (a fast path for plain decimals with up to 15 digits, strtod otherwise);
 * the whole text must be the number. Returns 0, or -1 when it is not one. */
int xs__measure_exp_parse_number(const char *s, size_t len, double *out);

/* Mean and sample variance (n - 1) of x[0..n), two passes in index order;
 * var is 0 when n < 2. */
void xs__measure_exp_mean_var(const double *x, size_t n, double *mean, double *var);

/* Difference of proportions pt - pc (pt, pc: shares of 1 in nt, nc units):
 * unpooled Wald CI, p-value of the pooled two-proportion z-test, relative
 * lift with a delta-method CI (normal quantile). */
void xs__measure_exp_prop(double pt, size_t nt, double pc, size_t nc, double level,
                          xs__measure_exp_cmp *out);

/* Welch's t for mean_t - mean_c with sample variances vt, vc: Welch–
 * Satterthwaite df, t quantile for the CI, two-sided p from the t
 * distribution, relative lift with a delta-method CI (same t quantile). */
void xs__measure_exp_welch(double mt, double vt, size_t nt, double mc, double vc,
                           size_t nc, double level, xs__measure_exp_cmp *out);

/* Relative lift mt / mc - 1 with the delta-method CI rel ± q * se, where
 * se² = se2t / mc² + mt² se2c / mc⁴ (se2t, se2c: squared standard errors of
 * the two means). NaN when mc is 0. */
void xs__measure_exp_delta_rel(double mt, double se2t, double mc, double se2c, double q,
                               double *rel, double *lo, double *hi);

/* Percentile bootstrap of mean(t) - mean(c) and mean(t) / mean(c) - 1:
 * n_boot resamples (each draws nt values of t then nc values of c with
 * replacement, xs__rng seeded with seed); CI from the (1-level)/2 and
 * (1+level)/2 quantiles (linear interpolation between order statistics);
 * p = min(1, 2 (min(#{d <= 0}, #{d >= 0}) + 1) / (n_boot + 1)). The point
 * estimates are those of the data. The relative CI is NaN when some
 * resample has a control mean of 0. Returns XS_OK or XS_ENOMEM. */
int xs__measure_exp_bootstrap(const double *t, size_t nt, const double *c, size_t nc,
                              size_t n_boot, uint64_t seed, double level,
                              xs__measure_exp_cmp *out);

/* Chi-square goodness of fit of counts n[0..k) against shares
 * expected[0..k) (normalised here; NULL: equal), df = k - 1. */
void xs__measure_exp_srm(const size_t *n, const double *expected, size_t k, double alpha,
                         xs_exp_srm *out);

/* CUPED coefficient theta = cov(y, x) / var(x) over the n pairs (0 when
 * var(x) is 0); sets *mean_x. */
double xs__measure_exp_cuped_theta(const double *y, const double *x, size_t n,
                                   double *mean_x);

#endif
