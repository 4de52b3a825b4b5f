/*
 * sbg.c — the shifted-beta-geometric model of contractual retention (Fader
 * & Hardie 2007, "How to project customer retention"): a customer renews
 * each period with probability 1 - theta, theta ~ Beta(alpha, beta) across
 * customers. Then
 *   P(T = t) = B(alpha+1, beta+t-1) / B(alpha, beta),   t = 1, 2, ...
 *   S(t)     = B(alpha, beta+t) / B(alpha, beta),
 *   r(t)     = S(t)/S(t-1) = (beta+t-1) / (alpha+beta+t-1),
 * so retention rises with tenure although each customer's rate is constant:
 * the customers likely to leave leave first.
 *
 * The fit takes a survivor curve n_0 >= n_1 >= ... >= n_k: n_{t-1} - n_t
 * customers churned in period t and n_k are still active (right-censored):
 *   LL = sum_{t=1..k} (n_{t-1} - n_t) ln P(T=t) + n_k ln S(k).
 * Everything is in log-beta functions (lgamma), the gradient in digammas,
 * and the fit is GSL vector_bfgs2 on (ln alpha, ln beta).
 */
#include "score/sbg.h"

#include "base/alloc.h"
#include "base/error.h"
#include "io/reader.h"
#include "score/bgnbd.h"

#include <errno.h>
#include <gsl/gsl_sf_psi.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static double lbeta(double a, double b)
{
    return lgamma(a) + lgamma(b) - lgamma(a + b);
}

/* d/da ln B(a, b) = psi(a) - psi(a+b) */
static double dlbeta(double a, double b)
{
    return gsl_sf_psi(a) - gsl_sf_psi(a + b);
}

double xs__score_sbg_loglik_grad(const xs_sbg_params *p, const double *n, size_t len,
                                 double grad[2])
{
    double al = p->alpha, be = p->beta;
    if (!(al > 0 && be > 0) || !isfinite(al + be) || len < 2) return NAN;
    double lb0 = lbeta(al, be), ll = 0, ga = 0, gb = 0;
    double da0 = dlbeta(al, be), db0 = dlbeta(be, al);
    size_t k = len - 1;
    for (size_t t = 1; t <= k; t++) {
        double lost = n[t - 1] - n[t];
        if (lost == 0) continue;
        double a1 = al + 1, b1 = be + (double)t - 1;
        ll += lost * (lbeta(a1, b1) - lb0);
        if (grad) {
            ga += lost * (dlbeta(a1, b1) - da0);
            gb += lost * (dlbeta(b1, a1) - db0);
        }
    }
    if (n[k] > 0) {
        double bk = be + (double)k;
        ll += n[k] * (lbeta(al, bk) - lb0);
        if (grad) {
            ga += n[k] * (dlbeta(al, bk) - da0);
            gb += n[k] * (dlbeta(bk, al) - db0);
        }
    }
    if (grad) {
        grad[0] = ga;
        grad[1] = gb;
    }
    return ll;
}

double xs_sbg_loglik(const xs_sbg_params *p, const double *survivors, size_t n)
{
    return xs__score_sbg_loglik_grad(p, survivors, n, NULL);
}

typedef struct sbg_ctx {
    const double *n;
    size_t len;
} sbg_ctx;

static double objective(const double *th, double *grad, void *ctx)
{
    const sbg_ctx *c = ctx;
    xs_sbg_params p = {exp(th[0]), exp(th[1])};
    double g[2], n0 = c->n[0];
    double ll = xs__score_sbg_loglik_grad(&p, c->n, c->len, grad ? g : NULL);
    if (grad) {
        grad[0] = -g[0] * p.alpha / n0;
        grad[1] = -g[1] * p.beta / n0;
    }
    return -ll / n0;
}

int xs_sbg_fit(const double *n, size_t len, xs_sbg_params *p, xs_clv_fit_info *info,
               xs_error *err)
{
    if (len < 2)
        return xs__error_set(err, XS_EINVAL, NULL, 0, NULL,
                             "sBG needs survivors for at least periods 0 and 1");
    if (!(n[0] > 0) || !isfinite(n[0]))
        return xs__error_set(err, XS_EINVAL, NULL, 0, NULL,
                             "survivors at period 0 must be positive, got %g", n[0]);
    for (size_t t = 1; t < len; t++)
        if (!(n[t] >= 0) || n[t] > n[t - 1])
            return xs__error_set(err, XS_EINVAL, NULL, 0, NULL,
                                 "survivors must not increase and not be negative: "
                                 "period %zu has %g after %g",
                                 t, n[t], n[t - 1]);
    if (n[len - 1] == n[0])
        return xs__error_set(err, XS_EINVAL, NULL, 0, NULL,
                             "nobody churned: sBG cannot be fitted");
    sbg_ctx c = {n, len};
    double th[2] = {0, 0};
    int it = 0;
    double gn = NAN;
    int rc = xs__score_clv_minimize(objective, &c, 2, th, &it, &gn);
    if (rc < 0) return xs__error_set(err, rc, NULL, 0, NULL, "out of memory");
    *p = (xs_sbg_params){exp(th[0]), exp(th[1])};
    double ll = xs_sbg_loglik(p, n, len);
    if (info) {
        info->log_likelihood = ll;
        info->n_customers = (size_t)n[0];
        info->n_groups = len;
        info->iterations = it;
        info->converged = rc;
        info->grad_norm = gn;
        info->fallback = 0;
    }
    if (!rc || !isfinite(ll))
        return xs__error_set(err, XS_ERANGE, NULL, 0, NULL,
                             "sBG fit did not converge (%d iterations, gradient %g); "
                             "a survivor curve with no churn after period 1 has no "
                             "finite estimate",
                             it, gn);
    return XS_OK;
}

double xs_sbg_survival(const xs_sbg_params *p, int t)
{
    if (t <= 0) return 1;
    return exp(lbeta(p->alpha, p->beta + t) - lbeta(p->alpha, p->beta));
}

double xs_sbg_retention(const xs_sbg_params *p, int t)
{
    return (p->beta + t - 1) / (p->alpha + p->beta + t - 1);
}

double xs_sbg_derl(const xs_sbg_params *p, int n, double d)
{
    if (n < 1 || !(d > 0)) return NAN;
    double r = (p->beta + n - 1) / (p->alpha + p->beta + n - 1);
    return r * (double)xs__score_clv_hyp2f1(1, p->beta + n, p->alpha + p->beta + n,
                                            1 / (1 + d));
}

/* ---------------------------------------------------------------------- */
/* Reading a survivor curve                                                */
/* ---------------------------------------------------------------------- */

int xs_survivors_read(const char *path, const char *column, char delim, double **out,
                      size_t *n_out, xs_error *err)
{
    *out = NULL;
    *n_out = 0;
    xs__io_reader *rd = NULL;
    double *v = NULL;
    size_t n = 0, cap = 0, col = 0;
    int ended = 0, rc = XS_OK;
    long end_line = 0;
    char q[96];
    rc = xs__io_reader_open(&rd, path, XS_INPUT_CSV, delim ? delim : ',', err);
    if (rc < 0) goto cleanup;
    size_t nf = xs__io_reader_n_fields(rd);
    for (col = 0; col < nf; col++)
        if (!strcmp(xs__io_reader_field_name(rd, col), column)) break;
    if (col == nf) {
        xs__error_quote(q, sizeof q, column, strlen(column));
        rc = xs__error_set(err, XS_ENOTFOUND, path, 1, column,
                           "no such column %s in the header", q);
        goto cleanup;
    }
    for (;;) {
        const xs__field *f;
        long line;
        rc = xs__io_reader_next(rd, &f, &line, err);
        if (rc <= 0) break;
        const xs__field *x = &f[col];
        if (x->len == 0) {
            if (!ended) end_line = line;
            ended = 1;
            continue;
        }
        xs__error_quote(q, sizeof q, x->ptr, x->len);
        if (ended) {
            rc = xs__error_set(err, XS_EPARSE, path, line, column,
                               "a value %s after the empty cell of line %ld", q,
                               end_line);
            break;
        }
        char buf[64], *endp;
        double d = NAN;
        if (x->len < sizeof buf) {
            memcpy(buf, x->ptr, x->len);
            buf[x->len] = '\0';
            errno = 0;
            d = strtod(buf, &endp);
            if (endp == buf || *endp || errno) d = NAN;
        }
        if (!isfinite(d) || d < 0) {
            rc = xs__error_set(err, XS_EPARSE, path, line, column,
                               "not a non-negative number: %s", q);
            break;
        }
        if (n > 0 && d > v[n - 1]) {
            rc = xs__error_set(err, XS_EPARSE, path, line, column,
                               "survivors increase: %s after %g", q, v[n - 1]);
            break;
        }
        if (n == 0 && d == 0) {
            rc = xs__error_set(err, XS_EPARSE, path, line, column,
                               "no customer at period 0: %s", q);
            break;
        }
        if (xs__grow(&v, &cap, n + 1, sizeof *v)) {
            rc = xs__error_set(err, XS_ENOMEM, NULL, 0, NULL, "out of memory");
            break;
        }
        v[n++] = d;
    }
    if (rc == XS_OK && n < 2)
        rc = xs__error_set(err, XS_EPARSE, path, 0, column,
                           "need survivors for at least periods 0 and 1, got %zu", n);
cleanup:
    xs__io_reader_close(rd);
    if (rc < 0) {
        xs__free(v);
        return rc;
    }
    *out = v;
    *n_out = n;
    return 0;
}

void xs_survivors_free(double *v)
{
    xs__free(v);
}
