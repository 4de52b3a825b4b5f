/*
 * gammagamma.h — internals of the Gamma-Gamma spend model: the likelihood
 * with its gradient and Hessian (for tests and the benchmarks' baseline
 * fits).
 */
#ifndef XS_GAMMAGAMMA_H
#define XS_GAMMAGAMMA_H

#include "xsell.h"

/* A Gamma-Gamma likelihood prepared for repeated evaluation (repeat buyers
 * of a summary, constant sums precomputed). Opaque. */
typedef struct xs__score_gg_lik xs__score_gg_lik;

/* Prepares the repeat buyers of d with a positive mean spend (copied);
 * *n_zero (when not NULL) is set to the repeat buyers left out for a mean
 * of 0. Caller frees with xs__score_gg_lik_free(). Returns XS_OK, XS_ENOMEM,
 * XS_EINVAL (no such customer). */
int xs__score_gg_lik_new(const xs_clv_data *d, xs__score_gg_lik **out, size_t *n_zero);
void xs__score_gg_lik_free(xs__score_gg_lik *L);
/* Number of repeat buyers in L. */
size_t xs__score_gg_lik_n(const xs__score_gg_lik *L);
/* Log-likelihood at p; when grad is not NULL its gradient with respect to
 * (p, q, gamma). */
double xs__score_gg_lik_eval(const xs__score_gg_lik *L, const xs_gg_params *p,
                             double grad[3]);
/* Same, with the gradient (not NULL) and the Hessian (3 x 3, row-major,
 * symmetric, not NULL) with respect to (p, q, gamma). */
double xs__score_gg_lik_hess(const xs__score_gg_lik *L, const xs_gg_params *p,
                             double grad[3], double hess[9]);

/* Minimisers of xs__score_gg_fit_lik. */
enum {
    XS__GG_NEWTON = 0, /* Newton, falling back to BFGS (xs_gg_fit) */
    XS__GG_NM = 1,     /* Nelder–Mead, the baseline of bench_clv */
    XS__GG_BFGS = 2    /* BFGS alone (the fit before Newton, for tests) */
};

/* The start point of xs_gg_fit: p = 1, q = 2, gamma = the mean spend. */
void xs__score_gg_start(const xs__score_gg_lik *L, xs_gg_params *p);

/* Fit from the start point *p (in/out) with the minimiser method
 * (XS__GG_*). Returns as xs_gg_fit. */
int xs__score_gg_fit_lik(const xs__score_gg_lik *L, int method, xs_gg_params *p,
                         xs_clv_fit_info *info, xs_error *err);

/* The running sum of xs_clv_value(): the discounted expected transactions
 * period by period. Both xs_clv_value() and the snapshot's cached path
 * (ltv.c, which computes each period's xs__score_bgnbd_expected_alive() once per
 * distinct (x, T)) add the periods through xs__score_clv_acc_add, so they give
 * the same value bit for bit. */
typedef struct xs__score_clv_acc {
    double prev, sum, disc;
} xs__score_clv_acc;

/* Adds the next period k (1, 2, ...): ea = xs__score_bgnbd_expected_alive(k),
 * alive = P(alive), discount per period. Start from {0, 0, 1}. */
static inline void xs__score_clv_acc_add(xs__score_clv_acc *a, double ea, double alive,
                                         double discount)
{
    double e = ea * alive;
    a->disc /= 1 + discount;
    a->sum += (e - a->prev) * a->disc;
    a->prev = e;
}

#endif
