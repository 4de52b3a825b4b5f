/*
 * stats.c — the statistics of an experiment comparison: means and
 * variances, difference of proportions, Welch's t, the delta method for
 * relative lift, the percentile bootstrap, the sample-ratio-mismatch
 * chi-square and the CUPED coefficient. Distributions come from GSL.
 *
 * Every sum runs in index order over arrays laid out by the caller in a
 * fixed order, so results are identical from run to run.
 *
 * Why these choices:
 *  - 0/1 metrics: the CI of pt - pc uses the unpooled standard error
 *    sqrt(pt(1-pt)/nt + pc(1-pc)/nc) (Wald), which estimates the spread of
 *    the difference without assuming it is 0; the p-value tests H0: pt = pc,
 *    under which the pooled share is the better estimate, so the z statistic
 *    uses the pooled standard error (the textbook two-proportion z-test).
 *  - other metrics: Welch's t does not assume equal variances; its df comes
 *    from the Welch–Satterthwaite formula.
 *  - relative lift r = mt/mc - 1: the delta method linearises the ratio;
 *    with the two means independent, var(r) ~ var(mt)/mc² + mt² var(mc)/mc⁴.
 */
#include "measure/experiment.h"

#include "base/alloc.h"
#include "base/rng.h"

#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdlib.h>

void xs__measure_exp_mean_var(const double *x, size_t n, double *mean, double *var)
{
    double s = 0;
    for (size_t i = 0; i < n; i++)
        s += x[i];
    double m = n ? s / (double)n : NAN;
    double ss = 0;
    for (size_t i = 0; i < n; i++)
        ss += (x[i] - m) * (x[i] - m);
    *mean = m;
    *var = n > 1 ? ss / (double)(n - 1) : 0;
}

void xs__measure_exp_delta_rel(double mt, double se2t, double mc, double se2c, double q,
                               double *rel, double *lo, double *hi)
{
    if (mc == 0) {
        *rel = *lo = *hi = NAN;
        return;
    }
    double r = mt / mc - 1;
    double se = sqrt(se2t / (mc * mc) + mt * mt * se2c / (mc * mc * mc * mc));
    *rel = r;
    *lo = r - q * se;
    *hi = r + q * se;
}

void xs__measure_exp_prop(double pt, size_t nt, double pc, size_t nc, double level,
                          xs__measure_exp_cmp *out)
{
    double z = gsl_cdf_ugaussian_Pinv(0.5 + level / 2);
    double se2t = pt * (1 - pt) / (double)nt, se2c = pc * (1 - pc) / (double)nc;
    double d = pt - pc, se = sqrt(se2t + se2c);
    out->lift = d;
    out->lo = d - z * se;
    out->hi = d + z * se;
    double pool = (pt * (double)nt + pc * (double)nc) / (double)(nt + nc);
    double se0 = sqrt(pool * (1 - pool) * (1.0 / (double)nt + 1.0 / (double)nc));
    if (se0 > 0)
        out->p = 2 * gsl_cdf_ugaussian_Q(fabs(d) / se0);
    else
        out->p = d == 0 ? 1.0 : 0.0;
    out->df = NAN;
    xs__measure_exp_delta_rel(pt, se2t, pc, se2c, z, &out->rel, &out->rel_lo,
                              &out->rel_hi);
}

void xs__measure_exp_welch(double mt, double vt, size_t nt, double mc, double vc,
                           size_t nc, double level, xs__measure_exp_cmp *out)
{
    double at = vt / (double)nt, ac = vc / (double)nc, se2 = at + ac;
    double d = mt - mc;
    out->lift = d;
    if (se2 > 0) {
        double df = se2 * se2 / (at * at / (double)(nt - 1) + ac * ac / (double)(nc - 1));
        double q = gsl_cdf_tdist_Pinv(0.5 + level / 2, df), se = sqrt(se2);
        out->lo = d - q * se;
        out->hi = d + q * se;
        out->p = 2 * gsl_cdf_tdist_Q(fabs(d) / se, df);
        out->df = df;
        xs__measure_exp_delta_rel(mt, at, mc, ac, q, &out->rel, &out->rel_lo,
                                  &out->rel_hi);
    } else {
        /* both groups constant: the difference is known exactly */
        out->lo = out->hi = d;
        out->p = d == 0 ? 1.0 : 0.0;
        out->df = NAN;
        xs__measure_exp_delta_rel(mt, 0, mc, 0, 0, &out->rel, &out->rel_lo, &out->rel_hi);
    }
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Quantile q of sorted x[0..n) by linear interpolation between order
 * statistics (Hyndman–Fan type 7). */
static double quantile(const double *x, size_t n, double q)
{
    double h = (double)(n - 1) * q;
    size_t i = (size_t)floor(h);
    if (i + 1 >= n) return x[n - 1];
    return x[i] + (h - (double)i) * (x[i + 1] - x[i]);
}

int xs__measure_exp_bootstrap(const double *t, size_t nt, const double *c, size_t nc,
                              size_t n_boot, uint64_t seed, double level,
                              xs__measure_exp_cmp *out)
{
    double *d = xs__malloc(n_boot * sizeof *d), *r = xs__malloc(n_boot * sizeof *r);
    if (!d || !r) {
        xs__free(d);
        xs__free(r);
        return XS_ENOMEM;
    }
    xs__rng rng;
    xs__rng_seed(&rng, seed);
    size_t le = 0, ge = 0;
    int rel_ok = 1;
    for (size_t b = 0; b < n_boot; b++) {
        double st = 0, sc = 0;
        for (size_t i = 0; i < nt; i++)
            st += t[xs__rng_below(&rng, nt)];
        for (size_t i = 0; i < nc; i++)
            sc += c[xs__rng_below(&rng, nc)];
        double mt = st / (double)nt, mc = sc / (double)nc;
        d[b] = mt - mc;
        if (mc == 0)
            rel_ok = 0;
        else
            r[b] = mt / mc - 1;
        le += d[b] <= 0;
        ge += d[b] >= 0;
    }
    double mt, vt, mc, vc;
    xs__measure_exp_mean_var(t, nt, &mt, &vt);
    xs__measure_exp_mean_var(c, nc, &mc, &vc);
    qsort(d, n_boot, sizeof *d, cmp_double);
    double a = (1 - level) / 2;
    out->lift = mt - mc;
    out->lo = quantile(d, n_boot, a);
    out->hi = quantile(d, n_boot, 1 - a);
    double p = 2.0 * (double)((le < ge ? le : ge) + 1) / (double)(n_boot + 1);
    out->p = p < 1 ? p : 1;
    out->df = NAN;
    out->rel = mc != 0 ? mt / mc - 1 : NAN;
    if (rel_ok && mc != 0) {
        qsort(r, n_boot, sizeof *r, cmp_double);
        out->rel_lo = quantile(r, n_boot, a);
        out->rel_hi = quantile(r, n_boot, 1 - a);
    } else {
        /* a resample with a control mean of 0 has no relative lift */
        out->rel_lo = out->rel_hi = NAN;
    }
    xs__free(d);
    xs__free(r);
    return XS_OK;
}

void xs__measure_exp_srm(const size_t *n, const double *expected, size_t k, double alpha,
                         xs_exp_srm *out)
{
    double total = 0, wsum = 0, chi2 = 0;
    for (size_t i = 0; i < k; i++) {
        total += (double)n[i];
        wsum += expected ? expected[i] : 1.0;
    }
    for (size_t i = 0; i < k; i++) {
        double e = total * (expected ? expected[i] : 1.0) / wsum;
        chi2 += ((double)n[i] - e) * ((double)n[i] - e) / e;
    }
    out->chi2 = chi2;
    out->df = (int)k - 1;
    out->p = k > 1 ? gsl_cdf_chisq_Q(chi2, (double)(k - 1)) : 1.0;
    out->flagged = out->p < alpha;
}

double xs__measure_exp_cuped_theta(const double *y, const double *x, size_t n,
                                   double *mean_x)
{
    double my, vy, mx, vx;
    xs__measure_exp_mean_var(y, n, &my, &vy);
    xs__measure_exp_mean_var(x, n, &mx, &vx);
    double cov = 0;
    for (size_t i = 0; i < n; i++)
        cov += (y[i] - my) * (x[i] - mx);
    *mean_x = mx;
    if (!(vx > 0) || n < 2) return 0;
    return cov / (double)(n - 1) / vx;
}
