/*
 * clv_newton.c — Newton's method with an analytic Hessian for the
 * lifetime-value fits (BG/NBD and Gamma-Gamma; their Hessians are in
 * bgnbd.c and gammagamma.c). It minimises f(theta) = -LL/n over log
 * parameters, with the stopping rule of the BFGS driver in bgnbd.c:
 * |grad| < 1e-9 and a positive definite Hessian.
 *
 * Newton's method is what the BFGS driver approximates: where BFGS builds
 * its picture of the curvature from gradient differences, one step at a
 * time, this one computes it exactly at every point. On a long flat valley
 * (BG/NBD at a -> 0, the dropout parameter nearly unidentified) that is
 * the difference between hundreds of evaluations and about a dozen: BFGS
 * crawls along the valley, Newton steps along it and converges
 * quadratically once near.
 *
 * Far from the optimum the Hessian need not be positive definite, and the
 * quadratic model need not be trusted there, so the steps are taken in a
 * trust region (Levenberg–Marquardt): the step solves (H + lambda I) s =
 * -g with the smallest lambda in 0, 1e-10 m, 2e-10 m, 4e-10 m, ... (m the
 * largest diagonal entry of H) for which H + lambda I is positive definite
 * (its Cholesky factorisation succeeds, so s goes downhill) and |s| is
 * within the radius. A step is taken when f falls by at least 1e-4 of
 * what the quadratic model predicts; the radius (1 at the start, in log
 * parameters) shrinks to a quarter of the step when the model predicted
 * badly (less than a quarter of the fall, or a non-finite value at the
 * trial point) and doubles, up to 8, when it predicted well at the
 * boundary. Near the optimum f's rounding hides the fall a step makes:
 * where the model predicts less than 1e-9 (|f| + 1), a step is taken when
 * f does not rise by more than that and the gradient norm falls. (The
 * sums behind f cancel: Gamma-Gamma's -LL/n at 1M customers is the
 * difference of terms 36 times its size and wobbles by 2e-11 of it, so
 * the last Newton step, which the gradient shows is right, can look like
 * a rise of f.)
 *
 * A plain Newton step damped only until H + lambda I is positive definite,
 * with a line search along it, is not enough: from the start point of
 * xs_bgnbd_fit on the 1M generated store it follows a negative curvature
 * into the plateau where a and b grow together (the beta distribution of
 * the dropout probability shrinking to a point), a different and worse
 * stationary region than the optimum at a ~ 0.0013; the radius keeps the
 * first steps short while the model is poor, and it finds the optimum.
 *
 * It gives up (returns 0, and the caller falls back to BFGS) after 100
 * trial steps, at a non-finite start, or when the radius falls below
 * 1e-12.
 *
 * xs__score_clv_fit below is the fit both BG/NBD and Gamma-Gamma use:
 * Newton, and when it gives up GSL's BFGS (bgnbd.c) from the start point.
 */
#include "score/bgnbd.h"

#include <gsl/gsl_errno.h>
#include <math.h>
#include <string.h>

enum { MAX_TRIALS = 100 };
#define MAX_RADIUS 8.0

static double norm(const double *g, size_t n)
{
    double s = 0;
    for (size_t i = 0; i < n; i++) s += g[i] * g[i];
    return sqrt(s);
}

static int all_finite(const double *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!isfinite(v[i])) return 0;
    return 1;
}

/* Cholesky factor of a (n x n, row-major, symmetric) plus lambda I into l
 * (lower triangle); 0 when positive definite, -1 when not. */
static int cholesky(const double *a, double lambda, size_t n, double *l)
{
    for (size_t j = 0; j < n; j++) {
        double d = a[j * n + j] + lambda;
        for (size_t k = 0; k < j; k++) d -= l[j * n + k] * l[j * n + k];
        if (!(d > 0)) return -1;
        l[j * n + j] = sqrt(d);
        for (size_t i = j + 1; i < n; i++) {
            double v = a[i * n + j];
            for (size_t k = 0; k < j; k++) v -= l[i * n + k] * l[j * n + k];
            l[i * n + j] = v / l[j * n + j];
        }
    }
    return 0;
}

/* s = -(l l')^-1 g */
static void solve(const double *l, size_t n, const double *g, double *s)
{
    double z[8];
    for (size_t i = 0; i < n; i++) {
        double v = -g[i];
        for (size_t k = 0; k < i; k++) v -= l[i * n + k] * z[k];
        z[i] = v / l[i * n + i];
    }
    for (size_t i = n; i-- > 0;) {
        double v = z[i];
        for (size_t k = i + 1; k < n; k++) v -= l[k * n + i] * s[k];
        s[i] = v / l[i * n + i];
    }
}

/* The step s = -(H + lambda I)^-1 g with the first lambda of 0, 1e-10 m,
 * 2e-10 m, 4e-10 m, ... (m the largest |H_ii|) for which H + lambda I is
 * positive definite and |s| <= radius; 0, or -1 when none up to 1e12 m. */
static int tr_step(const double *h, const double *g, size_t dim, double radius, double *s)
{
    double l[64], m = 0;
    for (size_t i = 0; i < dim; i++)
        if (fabs(h[i * dim + i]) > m) m = fabs(h[i * dim + i]);
    if (m == 0) m = 1;
    for (double lam = 0; lam <= 1e12 * m; lam = lam > 0 ? 2 * lam : 1e-10 * m) {
        if (cholesky(h, lam, dim, l) < 0) continue;
        solve(l, dim, g, s);
        if (norm(s, dim) <= radius) return 0;
    }
    return -1;
}

/* Contract in bgnbd.h. */
int xs__score_clv_newton(xs__score_clv_objective_h f, void *ctx, size_t dim,
                         double *theta, int *iters, double *gnorm)
{
    double th[8], g[8], h[64], l[64], s[8], tt[8], gt[8], ht[64];
    memcpy(th, theta, dim * sizeof th[0]);
    *iters = 0;
    *gnorm = NAN;
    double y = f(th, g, h, ctx), radius = 1;
    if (!isfinite(y) || !all_finite(g, dim) || !all_finite(h, dim * dim)) return 0;
    for (;;) {
        double gn = norm(g, dim);
        *gnorm = gn;
        if (gn < 1e-9 && cholesky(h, 0, dim, l) == 0) {
            memcpy(theta, th, dim * sizeof th[0]);
            return 1;
        }
        if (*iters == MAX_TRIALS || radius < 1e-12 || tr_step(h, g, dim, radius, s) < 0)
            return 0;
        (*iters)++;
        /* the fall the quadratic model predicts */
        double pred = 0;
        for (size_t i = 0; i < dim; i++) {
            double hs = 0;
            for (size_t j = 0; j < dim; j++) hs += h[i * dim + j] * s[j];
            pred -= g[i] * s[i] + 0.5 * s[i] * hs;
        }
        for (size_t i = 0; i < dim; i++) tt[i] = th[i] + s[i];
        double yt = f(tt, gt, ht, ctx), flat = 1e-9 * (fabs(y) + 1), sn = norm(s, dim);
        int ok = isfinite(yt) && all_finite(gt, dim) && all_finite(ht, dim * dim);
        double rho = ok ? (y - yt) / pred : -1;
        if (rho < 0.25)
            radius = 0.25 * sn;
        else if (rho > 0.75 && sn > 0.99 * radius)
            radius = 2 * radius < MAX_RADIUS ? 2 * radius : MAX_RADIUS;
        if (!ok || !(rho > 1e-4 || (pred < flat && yt <= y + flat && norm(gt, dim) < gn)))
            continue;
        y = yt;
        memcpy(th, tt, dim * sizeof th[0]);
        memcpy(g, gt, dim * sizeof g[0]);
        memcpy(h, ht, dim * dim * sizeof h[0]);
    }
}

/* Contract in bgnbd.h. */
int xs__score_clv_fit(xs__score_clv_objective_h fh, xs__score_clv_objective f, void *ctx,
                      size_t dim, double *theta, int *iters, double *gnorm, int *fallback)
{
    double th0[8];
    memcpy(th0, theta, dim * sizeof th0[0]);
    *fallback = 0;
    /* GSL's special functions in the objectives report a domain error
     * through the handler, which aborts by default: off, as in the BFGS
     * driver, so that such a point is a non-finite value */
    gsl_error_handler_t *old = gsl_set_error_handler_off();
    int rc = xs__score_clv_newton(fh, ctx, dim, theta, iters, gnorm);
    gsl_set_error_handler(old);
    if (rc == 1) return 1;
    *fallback = 1;
    memcpy(theta, th0, dim * sizeof th0[0]);
    return xs__score_clv_minimize(f, ctx, dim, theta, iters, gnorm);
}
