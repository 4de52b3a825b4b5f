/*
 * gammagamma.c — the Gamma-Gamma model of spend per transaction (Fader &
 * Hardie, "The Gamma-Gamma model of monetary value", 2013 note; Colombo &
 * Jiang 1999): each transaction of a customer is Gamma(p, nu), nu varies
 * across customers as Gamma(q, gamma). Fitted on repeat buyers (x >= 1) by
 * the density of their mean repeat spend m over x transactions (repeat
 * buyers whose mean is 0, e.g. free orders, cannot come from a gamma
 * distribution: they are left out and counted):
 *
 *   f(m | p, q, gamma, x) = G(px+q) / (G(px) G(q))
 *                           * gamma^q m^(px-1) x^(px) / (gamma + m x)^(px+q).
 *
 * Summed over customers, the terms m^(px-1) x^(px) reduce to three constants
 * (sums of x ln m, ln m, x ln x) computed once; the gamma functions depend on
 * x only and are evaluated once per distinct x; per customer one logarithm
 * remains. The fit is Newton's method on the log parameters with the
 * analytic gradient and Hessian (digamma and trigamma from GSL;
 * clv_newton.c), falling back to GSL's vector_bfgs2 from the start point
 * when Newton gives up (as for BG/NBD, see bgnbd.c).
 */
#include "score/gammagamma.h"

#include "base/alloc.h"
#include "base/error.h"
#include "base/sort.h"
#include "score/bgnbd.h"
#include "score/clv_data.h"

#include <gsl/gsl_sf_psi.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

struct xs__score_gg_lik {
    double *x, *s; /* per repeat buyer: x and total repeat spend m x */
    size_t n;
    double *ux, *un; /* distinct x and their counts */
    size_t n_u;
    double s_xlm, s_lm, s_xlx;
};

void xs__score_gg_lik_free(xs__score_gg_lik *L)
{
    if (!L) return;
    xs__free(L->x);
    xs__free(L->ux);
    xs__free(L);
}

size_t xs__score_gg_lik_n(const xs__score_gg_lik *L)
{
    return L->n;
}

int xs__score_gg_lik_new(const xs_clv_data *d, xs__score_gg_lik **out, size_t *n_zero)
{
    *out = NULL;
    size_t n = 0, zero = 0;
    for (size_t i = 0; i < d->n; i++) {
        if (d->x[i] < 1) continue;
        if (d->mean[i] > 0)
            n++;
        else
            zero++;
    }
    if (n_zero) *n_zero = zero;
    if (n == 0) return XS_EINVAL;
    xs__score_gg_lik *L = xs__calloc(1, sizeof *L);
    if (!L) return XS_ENOMEM;
    L->x = xs__malloc(2 * n * sizeof *L->x);
    L->ux = xs__malloc(2 * n * sizeof *L->ux);
    if (!L->x || !L->ux) {
        xs__score_gg_lik_free(L);
        return XS_ENOMEM;
    }
    L->s = L->x + n;
    L->un = L->ux + n;
    for (size_t i = 0; i < d->n; i++) {
        double x = d->x[i], m = d->mean[i];
        if (x < 1 || !(m > 0)) continue;
        L->x[L->n] = x;
        L->s[L->n] = m * x;
        L->ux[L->n] = x;
        L->n++;
        L->s_xlm += x * log(m);
        L->s_lm += log(m);
        L->s_xlx += x * log(x);
    }
    /* the frequencies are positive (at least 1): their IEEE bits sort as
     * they do, without qsort's comparator (300K of them at 1M customers) */
    uint64_t *bits = xs__malloc(n * sizeof *bits);
    if (!bits) {
        xs__score_gg_lik_free(L);
        return XS_ENOMEM;
    }
    memcpy(bits, L->ux, n * sizeof *bits);
    xs__sort_u64(bits, n);
    memcpy(L->ux, bits, n * sizeof *bits);
    xs__free(bits);
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && L->ux[j] == L->ux[i]) j++;
        L->ux[L->n_u] = L->ux[i];
        L->un[L->n_u++] = (double)(j - i);
        i = j;
    }
    *out = L;
    return XS_OK;
}

double xs__score_gg_lik_eval(const xs__score_gg_lik *L, const xs_gg_params *prm,
                             double grad[3])
{
    double p = prm->p, q = prm->q, g = prm->gamma, n = (double)L->n;
    if (!(p > 0 && q > 0 && g > 0) || !isfinite(p + q + g)) return NAN;
    double ll = n * (q * log(g) - lgamma(q)) + p * L->s_xlm - L->s_lm + p * L->s_xlx;
    double gp = L->s_xlm + L->s_xlx, gq = n * (log(g) - gsl_sf_psi(q)), gg = n * q / g;
    for (size_t k = 0; k < L->n_u; k++) {
        double x = L->ux[k], w = L->un[k];
        ll += w * (lgamma(p * x + q) - lgamma(p * x));
        if (grad) {
            double a = gsl_sf_psi(p * x + q);
            gp += w * x * (a - gsl_sf_psi(p * x));
            gq += w * a;
        }
    }
    for (size_t i = 0; i < L->n; i++) {
        double x = L->x[i], e = g + L->s[i], le = log(e), px = p * x;
        ll -= (px + q) * le;
        if (grad) {
            gp -= x * le;
            gq -= le;
            gg -= (px + q) / e;
        }
    }
    if (grad) {
        grad[0] = gp;
        grad[1] = gq;
        grad[2] = gg;
    }
    return ll;
}

/* Contract in gammagamma.h. The Hessian: the x-only part by trigamma
 * differences per distinct x, the per-customer part by sums of x/e, 1/e,
 * x/e^2 and 1/e^2 (e = gamma + m x), on top of the n (q ln gamma -
 * lgamma(q)) term. */
double xs__score_gg_lik_hess(const xs__score_gg_lik *L, const xs_gg_params *prm,
                             double grad[3], double hess[9])
{
    double ll = xs__score_gg_lik_eval(L, prm, grad);
    if (!isfinite(ll)) return ll;
    double p = prm->p, q = prm->q, g = prm->gamma, n = (double)L->n;
    double hpp = 0, hpq = 0, hqq = -n * gsl_sf_psi_1(q);
    for (size_t k = 0; k < L->n_u; k++) {
        double x = L->ux[k], w = L->un[k], t = gsl_sf_psi_1(p * x + q);
        hpp += w * x * x * (t - gsl_sf_psi_1(p * x));
        hpq += w * x * t;
        hqq += w * t;
    }
    double sx = 0, s1 = 0, sx2 = 0, s12 = 0; /* sums of x/e, 1/e, x/e^2, 1/e^2 */
    for (size_t i = 0; i < L->n; i++) {
        double x = L->x[i], ie = 1 / (g + L->s[i]);
        sx += x * ie;
        s1 += ie;
        sx2 += x * ie * ie;
        s12 += ie * ie;
    }
    double h[9] = {hpp, hpq,        -sx,
                   hpq, hqq,        n / g - s1,
                   -sx, n / g - s1, -n * q / (g * g) + p * sx2 + q * s12};
    memcpy(hess, h, sizeof h);
    return ll;
}

double xs_gg_loglik(const xs_gg_params *p, const xs_clv_data *d)
{
    xs__score_gg_lik *L;
    if (xs__score_gg_lik_new(d, &L, NULL) < 0) return NAN;
    double ll = xs__score_gg_lik_eval(L, p, NULL);
    xs__score_gg_lik_free(L);
    return ll;
}

static double objective(const double *th, double *grad, void *ctx)
{
    const xs__score_gg_lik *L = ctx;
    xs_gg_params p = {exp(th[0]), exp(th[1]), exp(th[2])};
    double g[3], n = (double)L->n;
    double ll = xs__score_gg_lik_eval(L, &p, grad ? g : NULL);
    if (grad) {
        grad[0] = -g[0] * p.p / n;
        grad[1] = -g[1] * p.q / n;
        grad[2] = -g[2] * p.gamma / n;
    }
    return -ll / n;
}

/* -LL/n with its gradient and Hessian in the log parameters (as in
 * bgnbd.c). */
static double objective_h(const double *th, double *grad, double *hess, void *ctx)
{
    const xs__score_gg_lik *L = ctx;
    double p[3] = {exp(th[0]), exp(th[1]), exp(th[2])}, g[3], h[9], n = (double)L->n;
    xs_gg_params pp = {p[0], p[1], p[2]};
    double ll = xs__score_gg_lik_hess(L, &pp, g, h);
    if (!isfinite(ll)) return NAN;
    for (int i = 0; i < 3; i++) {
        grad[i] = -g[i] * p[i] / n;
        for (int j = 0; j < 3; j++) hess[i * 3 + j] = -p[i] * p[j] * h[i * 3 + j] / n;
        hess[i * 3 + i] -= p[i] * g[i] / n;
    }
    return -ll / n;
}

int xs__score_gg_fit_lik(const xs__score_gg_lik *L, int method, xs_gg_params *p,
                         xs_clv_fit_info *info, xs_error *err)
{
    double th[3] = {log(p->p), log(p->q), log(p->gamma)};
    int it = 0, fallback = 0, nm = method == XS__GG_NM;
    double gn = NAN;
    int rc;
    if (nm)
        rc = xs__score_clv_minimize_nm(objective, (void *)L, 3, th, &it);
    else if (method == XS__GG_BFGS)
        rc = xs__score_clv_minimize(objective, (void *)L, 3, th, &it, &gn);
    else
        rc = xs__score_clv_fit(objective_h, objective, (void *)L, 3, th, &it, &gn,
                               &fallback);
    if (rc < 0) return xs__error_set(err, rc, NULL, 0, NULL, "out of memory");
    *p = (xs_gg_params){exp(th[0]), exp(th[1]), exp(th[2])};
    double g[3];
    double ll = xs__score_gg_lik_eval(L, p, g), n = (double)L->n;
    if (nm) {
        double v[3] = {g[0] * p->p / n, g[1] * p->q / n, g[2] * p->gamma / n};
        gn = sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
    }
    if (info) {
        info->log_likelihood = ll;
        info->n_customers = L->n;
        info->n_groups = L->n;
        info->iterations = it;
        info->converged = rc;
        info->grad_norm = gn;
        info->fallback = fallback;
    }
    if (!rc || !isfinite(ll))
        return xs__error_set(err, XS_ERANGE, NULL, 0, NULL,
                             "Gamma-Gamma fit did not converge (%d iterations, "
                             "gradient %g)",
                             it, gn);
    return XS_OK;
}

int xs_gg_fit(const xs_clv_data *d, xs_gg_params *p, xs_clv_fit_info *info,
              xs_error *err)
{
    xs__score_gg_lik *L;
    size_t zero = 0;
    int rc = xs__score_gg_lik_new(d, &L, &zero);
    if (rc == XS_EINVAL)
        return xs__error_set(err, rc, NULL, 0, NULL,
                             "no customer with a repeat purchase and a positive mean "
                             "spend: Gamma-Gamma cannot be fitted");
    if (rc < 0) return xs__error_set(err, rc, NULL, 0, NULL, "out of memory");
    xs__score_gg_start(L, p);
    rc = xs__score_gg_fit_lik(L, XS__GG_NEWTON, p, info, err);
    if (info) info->n_excluded = zero;
    xs__score_gg_lik_free(L);
    return rc;
}

void xs__score_gg_start(const xs__score_gg_lik *L, xs_gg_params *p)
{
    /* p = 1, q = 2, gamma = the mean spend (a population mean p gamma /
     * (q - 1) equal to it) */
    double mean = 0;
    for (size_t i = 0; i < L->n; i++) mean += L->s[i] / L->x[i];
    mean /= (double)L->n;
    *p = (xs_gg_params){1, 2, mean};
}

/* Posterior mean spend per transaction: a weighted average of the
 * population mean p gamma / (q - 1) and the customer's own mean. */
double xs_gg_expected_spend(const xs_gg_params *p, double x, double mean_spend)
{
    if (!(p->q > 1)) return NAN;
    double pop = p->p * p->gamma / (p->q - 1);
    if (x <= 0) return pop;
    double den = p->p * x + p->q - 1;
    return (p->q - 1) / den * pop + p->p * x / den * mean_spend;
}

/* Discounted expected transactions: spend times the sum over periods of the
 * expected purchases in that period, discounted to today. */
double xs_clv_value(const xs_bgnbd_params *bg, const xs_gg_params *gg,
                    const xs_clv_customer *c, int horizon, double discount)
{
    double spend = xs_gg_expected_spend(gg, c->x, c->mean_spend);
    double alive = xs_bgnbd_p_alive(bg, c->x, c->t_x, c->T); /* the same for every k */
    xs__score_clv_acc acc = {0, 0, 1};
    for (int k = 1; k <= horizon; k++)
        xs__score_clv_acc_add(&acc, xs__score_bgnbd_expected_alive(bg, k, c->x, c->T),
                              alive, discount);
    return spend * acc.sum;
}
