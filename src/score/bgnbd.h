/*
 * bgnbd.h — internals of the BG/NBD model shared with the other
 * lifetime-value models: the maximum-likelihood drivers (Newton's method
 * with an analytic Hessian, GSL BFGS, Nelder–Mead, all on log parameters),
 * the Gauss hypergeometric series, and the likelihood with its gradient and
 * Hessian for tests.
 */
#ifndef XS_BGNBD_H
#define XS_BGNBD_H

#include "xsell.h"

/* Objective of a fit: returns f(theta) and, when grad is not NULL, stores
 * its gradient. theta are log parameters; f is -LL / n (a mean, so that the
 * tolerance does not depend on the data size). Returns NAN or INFINITY when
 * the point is infeasible. */
typedef double (*xs__score_clv_objective)(const double *theta, double *grad, void *ctx);

/*
 * Minimises f from theta (in/out, dim <= 8): GSL's vector_bfgs2 until
 * |grad| < 1e-4, then GSL's hybrids root finder on grad = 0 to polish (kept
 * when it does not raise f); BFGS continues (restarted when its line search
 * stalls) when polishing fails. Sets *iters (both phases) and *gnorm.
 * Returns 1 when converged (|grad| < 1e-5), 0 when not, XS_ENOMEM.
 */
int xs__score_clv_minimize(xs__score_clv_objective f, void *ctx, size_t dim,
                           double *theta, int *iters, double *gnorm);

/* Objective with its Hessian: returns f(theta) and stores its gradient in
 * grad and its Hessian (dim x dim, row-major) in hess, neither NULL. Returns
 * NAN or INFINITY when the point is infeasible. */
typedef double (*xs__score_clv_objective_h)(const double *theta, double *grad,
                                            double *hess, void *ctx);

/*
 * Minimises f from theta (in/out, dim <= 8) by Newton's method in a trust
 * region (Levenberg–Marquardt damping; clv_newton.c) until |grad| < 1e-9
 * with a positive definite Hessian. Sets *iters (trial steps, one
 * evaluation each) and *gnorm (at the last point). Returns 1 when
 * converged (theta set to the estimate), 0 when it gave up after 100
 * trials, at a non-finite start or with a vanishing trust region (theta
 * left as it was given). Allocates nothing.
 */
int xs__score_clv_newton(xs__score_clv_objective_h f, void *ctx, size_t dim,
                         double *theta, int *iters, double *gnorm);

/*
 * The fit of BG/NBD and Gamma-Gamma: xs__score_clv_newton with fh from
 * theta; when it gives up, xs__score_clv_minimize (BFGS) with f from the
 * same start theta, so that such data get the results, iterations and
 * messages of the fits before Newton. *fallback is set to 1 then, else 0.
 * Returns as xs__score_clv_minimize.
 */
int xs__score_clv_fit(xs__score_clv_objective_h fh, xs__score_clv_objective f, void *ctx,
                      size_t dim, double *theta, int *iters, double *gnorm, int *fallback);

/*
 * Same with the derivative-free Nelder–Mead simplex (nmsimplex2) until the
 * simplex size is below 1e-8 (the baseline of bench_clv). Returns 1 when
 * converged, 0 when not, XS_ENOMEM.
 */
int xs__score_clv_minimize_nm(xs__score_clv_objective f, void *ctx, size_t dim,
                              double *theta, int *iters);

/*
 * Gauss hypergeometric function 2F1(a, b; c; z) for real z < 1, by its power
 * series summed in long double (terms until they stop mattering; Pfaff's
 * transformation 2F1(a,b;c;z) = (1-z)^-a 2F1(a, c-b; c; z/(z-1)) maps
 * z < -1/2 into (1/3, 1)). Returns NAN for z >= 1, c a non-positive integer,
 * or no convergence within 10^7 terms.
 */
long double xs__score_clv_hyp2f1(double a, double b, double c, double z);

/* A BG/NBD likelihood prepared for repeated evaluation: the data grouped by
 * identical (x, t_x, T). Opaque. */
/* xs_bgnbd_expected() of a customer known to be alive (t > 0): the
 * expected transactions in (T, T + t] before the P(alive) factor, so that
 * a sum over several horizons (xs_clv_value) computes P(alive) once;
 * xs_bgnbd_expected = this x xs_bgnbd_p_alive, bit for bit. */
double xs__score_bgnbd_expected_alive(const xs_bgnbd_params *p, double t, double x,
                                      double T);

typedef struct xs__score_bgnbd_lik xs__score_bgnbd_lik;

/* Groups d (borrowed only during the call); caller frees with
 * xs__score_bgnbd_lik_free(). Returns XS_OK, XS_ENOMEM, XS_EINVAL (non-integer x). */
int xs__score_bgnbd_lik_new(const xs_clv_data *d, int n_threads,
                            xs__score_bgnbd_lik **out);
void xs__score_bgnbd_lik_free(xs__score_bgnbd_lik *L);
/* Number of groups. */
size_t xs__score_bgnbd_lik_groups(const xs__score_bgnbd_lik *L);
/* Log-likelihood at p and, when grad is not NULL, its gradient with respect
 * to (r, alpha, a, b) (not the log parameters). Uses scratch space in L:
 * one evaluation at a time per L. NAN outside the parameter space. */
double xs__score_bgnbd_lik_eval(xs__score_bgnbd_lik *L, const xs_bgnbd_params *p,
                                double grad[4]);
/* Same, with the gradient (not NULL) and the Hessian (4 x 4, row-major,
 * symmetric, not NULL) with respect to (r, alpha, a, b). */
double xs__score_bgnbd_lik_hess(xs__score_bgnbd_lik *L, const xs_bgnbd_params *p,
                                double grad[4], double hess[16]);
/* Evaluations of L so far (either function above, with or without
 * derivatives). */
int xs__score_bgnbd_lik_evals(const xs__score_bgnbd_lik *L);

/* Minimisers of xs__score_bgnbd_fit_lik. */
enum {
    XS__BGNBD_NEWTON = 0, /* Newton, falling back to BFGS (xs_bgnbd_fit) */
    XS__BGNBD_NM = 1,     /* Nelder–Mead, the baseline of bench_clv */
    XS__BGNBD_BFGS = 2    /* BFGS alone (the fit before Newton, for tests) */
};

/* The start point of xs_bgnbd_fit: r = 1, alpha = the mean T, a = b = 1. */
void xs__score_bgnbd_start(const xs_clv_data *d, xs_bgnbd_params *p);

/* Fit on a prepared likelihood from the start point *p (in/out) with the
 * minimiser method (XS__BGNBD_*). Returns as xs_bgnbd_fit. */
int xs__score_bgnbd_fit_lik(xs__score_bgnbd_lik *L, int method, xs_bgnbd_params *p,
                            xs_clv_fit_info *info, xs_error *err);

#endif
