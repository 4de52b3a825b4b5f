/*
 * bgnbd.c — the BG/NBD model of Fader, Hardie & Lee (2005), "Counting your
 * customers the easy way": likelihood, maximum-likelihood fit, P(alive) and
 * conditional expected purchases; plus the pieces the other lifetime-value
 * models share (the GSL minimiser driver and the 2F1 series).
 *
 * The likelihood of one customer with (x, t_x, T) is (FHL eq. 6)
 *
 *   L = B(a, b+x)/B(a, b) * G(r+x) alpha^r / (G(r) (alpha+T)^(r+x))
 *     + [x > 0] B(a+1, b+x-1)/B(a, b) * G(r+x) alpha^r / (G(r) (alpha+t_x)^(r+x)).
 *
 * For x = 0 the second term vanishes and L = (alpha/(alpha+T))^r. For x > 0
 * both terms share the factor
 *   C(x) = G(r+x) G(a+b) G(b+x-1) alpha^r / (G(r) G(b) G(a+b+x)),
 * leaving ln L = ln C(x) + logsumexp(ln(b+x-1) - (r+x) ln(alpha+T),
 *                                    ln a      - (r+x) ln(alpha+t_x)).
 * ln C(x) and its digamma derivatives depend on x only. x is an integer, so
 * they are built for x = 1..max_x by the recurrences lgamma(z+1) = lgamma(z)
 * + ln z and psi(z+1) = psi(z) + 1/z (exact, no special functions per x),
 * and multiplied by the number of customers with that x. Customers with
 * identical (x, t_x, T) are grouped once (hash tables), so a data set of a
 * million customers measured in whole days collapses to its distinct
 * triples; the distinct t_x and T values get their ln(alpha + v) once per
 * evaluation, so what remains per group is one exp and one log1p. With
 * n_threads > 1 and many groups the group sums are split across threads.
 *
 * The same pass sums, when asked, the Hessian (sum_groups): per group the
 * Hessian of a log-sum-exp of two terms whose second derivatives are few,
 * and for the x-only part trigamma differences by the recurrence
 * psi'(z+1) = psi'(z) - 1/z^2.
 *
 * The fit minimises -LL/n over the log parameters (so they stay positive)
 * by Newton's method with that Hessian (clv_newton.c): about a dozen
 * evaluations where BFGS needs hundreds on flat likelihoods (a -> 0, as in
 * generated data with almost no dropout). When Newton gives up, the fit
 * starts again from the start point with GSL's vector_bfgs2 and the
 * analytic gradient, polished by GSL's hybrids root finder on the gradient
 * (xs__score_clv_minimize below), and says so in xs_clv_fit_info.fallback.
 */
#include "score/bgnbd.h"

#include "base/alloc.h"
#include "base/error.h"
#include "base/hash.h"
#include "score/clv_data.h"

#include <gsl/gsl_blas.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_multimin.h>
#include <gsl/gsl_multiroots.h>
#include <gsl/gsl_sf_psi.h>
#include <math.h>
#include <pthread.h>
#include <string.h>

/* ---------------------------------------------------------------------- */
/* Minimiser driver                                                        */
/* ---------------------------------------------------------------------- */

/*
 * The driver has two phases. BFGS (vector_bfgs2, the analytic gradient)
 * does the global work until the gradient norm of -LL/n in the log
 * parameters is below 1e-2. Likelihoods with a ridge (Gamma-Gamma: q and
 * gamma move together) make BFGS crawl from there, so the last digits come
 * from solving grad = 0 with GSL's Powell hybrid root finder (hybrids; its
 * Jacobian, the Hessian, by finite differences of the analytic gradient),
 * which converges quadratically near the optimum. The polished point is
 * kept only when the gradient vanishes there (|grad| < 1e-9), the
 * objective is not higher and the Hessian is positive definite (not a
 * saddle); otherwise BFGS goes on, and polishing is tried
 * again at |grad| < 1e-4 and 1e-6.
 * Every evaluation computes the value and the gradient together and the
 * last one is cached, because GSL asks for f and then df at the same point.
 */
typedef struct mm_ctx {
    xs__score_clv_objective f;
    void *ctx;
    size_t dim;
    double th[8], y, g[8]; /* the last evaluation */
    int have;
} mm_ctx;

static void mm_eval(mm_ctx *m, const gsl_vector *v)
{
    double th[8];
    for (size_t i = 0; i < m->dim; i++) th[i] = gsl_vector_get(v, i);
    if (m->have && !memcmp(th, m->th, m->dim * sizeof th[0])) return;
    memcpy(m->th, th, m->dim * sizeof th[0]);
    m->y = m->f(th, m->g, m->ctx);
    if (!isfinite(m->y)) {
        m->y = GSL_POSINF;
        for (size_t i = 0; i < m->dim; i++) m->g[i] = 0;
    }
    m->have = 1;
}

static double mm_f(const gsl_vector *v, void *params)
{
    mm_ctx *m = params;
    mm_eval(m, v);
    return m->y;
}

static void mm_fdf(const gsl_vector *v, void *params, double *y, gsl_vector *g)
{
    mm_ctx *m = params;
    mm_eval(m, v);
    *y = m->y;
    for (size_t i = 0; i < m->dim; i++) gsl_vector_set(g, i, m->g[i]);
}

static void mm_df(const gsl_vector *v, void *params, gsl_vector *g)
{
    double y;
    mm_fdf(v, params, &y, g);
}

/* grad f as a system of equations for the root finder */
static int mm_grad(const gsl_vector *v, void *params, gsl_vector *g)
{
    mm_ctx *m = params;
    mm_eval(m, v);
    if (m->y == GSL_POSINF) return GSL_EDOM;
    for (size_t i = 0; i < m->dim; i++) gsl_vector_set(g, i, m->g[i]);
    return GSL_SUCCESS;
}

static double norm(const double *g, size_t n)
{
    double s = 0;
    for (size_t i = 0; i < n; i++) s += g[i] * g[i];
    return sqrt(s);
}

/* 1 when the Hessian at th (forward differences of the gradient g0 there,
 * symmetrised) is positive definite: a minimum, not a saddle. */
static int is_minimum(mm_ctx *m, const double *th, const double *g0)
{
    size_t dim = m->dim;
    double h[64], t[8], g[8];
    gsl_matrix_view H = gsl_matrix_view_array(h, dim, dim);
    for (size_t j = 0; j < dim; j++) {
        memcpy(t, th, dim * sizeof t[0]);
        double step = 1e-5 * (fabs(th[j]) + 1);
        t[j] += step;
        if (!isfinite(m->f(t, g, m->ctx))) return 0;
        for (size_t i = 0; i < dim; i++) h[i * dim + j] = (g[i] - g0[i]) / step;
    }
    for (size_t i = 0; i < dim; i++)
        for (size_t j = 0; j < i; j++)
            h[i * dim + j] = h[j * dim + i] = 0.5 * (h[i * dim + j] + h[j * dim + i]);
    return gsl_linalg_cholesky_decomp1(&H.matrix) == GSL_SUCCESS;
}

/* Polishes theta by a root of the gradient; returns 1 when it found a
 * point with gradient below 1e-9, no larger objective and a positive
 * definite Hessian (theta, *y, *gn updated), 0 otherwise, -1 out of
 * memory. */
static int polish(mm_ctx *m, double *theta, double *y, double *gn, int *iters)
{
    size_t dim = m->dim;
    gsl_multiroot_function fn = {mm_grad, dim, m};
    gsl_vector *x = gsl_vector_alloc(dim);
    gsl_multiroot_fsolver *s = gsl_multiroot_fsolver_alloc(gsl_multiroot_fsolver_hybrids, dim);
    int rc = -1;
    if (!x || !s) goto cleanup;
    rc = 0;
    for (size_t i = 0; i < dim; i++) gsl_vector_set(x, i, theta[i]);
    if (gsl_multiroot_fsolver_set(s, &fn, x) != GSL_SUCCESS) goto cleanup;
    for (int it = 0; it < 50; it++) {
        (*iters)++;
        if (gsl_multiroot_fsolver_iterate(s) != GSL_SUCCESS) break;
        if (gsl_multiroot_test_residual(s->f, 1e-9) == GSL_SUCCESS) {
            double th[8], g[8];
            for (size_t i = 0; i < dim; i++) th[i] = gsl_vector_get(s->x, i);
            double y2 = m->f(th, g, m->ctx);
            if (isfinite(y2) && y2 <= *y + 1e-13 * fabs(*y) && is_minimum(m, th, g)) {
                memcpy(theta, th, dim * sizeof th[0]);
                *y = y2;
                *gn = norm(g, dim);
                rc = 1;
            }
            break;
        }
    }
cleanup:
    gsl_multiroot_fsolver_free(s);
    gsl_vector_free(x);
    return rc;
}

int xs__score_clv_minimize(xs__score_clv_objective f, void *ctx, size_t dim,
                           double *theta, int *iters, double *gnorm)
{
    mm_ctx m;
    memset(&m, 0, sizeof m);
    m.f = f;
    m.ctx = ctx;
    m.dim = dim;
    gsl_multimin_function_fdf fn = {mm_f, mm_df, mm_fdf, dim, &m};
    gsl_vector *x = gsl_vector_alloc(dim);
    gsl_multimin_fdfminimizer *s =
        gsl_multimin_fdfminimizer_alloc(gsl_multimin_fdfminimizer_vector_bfgs2, dim);
    if (!x || !s) {
        gsl_vector_free(x);
        gsl_multimin_fdfminimizer_free(s);
        return XS_ENOMEM;
    }
    gsl_error_handler_t *old = gsl_set_error_handler_off();
    int it = 0, restarts = 0, polished = 0, rc = 0;
    double gn = INFINITY, y = INFINITY;
    for (size_t i = 0; i < dim; i++) gsl_vector_set(x, i, theta[i]);
    gsl_multimin_fdfminimizer_set(s, &fn, x, 0.1, 0.1);
    while (it < 2000) {
        it++;
        int st = gsl_multimin_fdfminimizer_iterate(s);
        gn = gsl_blas_dnrm2(gsl_multimin_fdfminimizer_gradient(s));
        y = gsl_multimin_fdfminimizer_minimum(s);
        if (gn < 1e-9) break;
        /* polish when the gradient falls below 1e-2, 1e-4, 1e-6 (a failed
         * attempt from further away is retried closer in) */
        if (polished < 3 && gn < pow(1e-2, polished + 1)) {
            polished++;
            for (size_t i = 0; i < dim; i++) theta[i] = gsl_vector_get(s->x, i);
            int p = polish(&m, theta, &y, &gn, &it);
            if (p < 0) {
                rc = XS_ENOMEM;
                break;
            }
            if (p == 1) goto done;
        }
        if (st != GSL_SUCCESS) {
            /* no progress: at machine precision when the gradient is small;
             * else restart from here with a fresh Hessian, a few times */
            if (gn < 1e-6 || restarts++ >= 5) break;
            gsl_vector_memcpy(x, gsl_multimin_fdfminimizer_x(s));
            gsl_multimin_fdfminimizer_set(s, &fn, x, 0.01, 0.1);
        }
    }
    for (size_t i = 0; i < dim; i++) theta[i] = gsl_vector_get(s->x, i);
done:
    gsl_set_error_handler(old);
    gsl_multimin_fdfminimizer_free(s);
    gsl_vector_free(x);
    *iters = it;
    *gnorm = gn;
    if (rc < 0) return rc;
    return gn < 1e-5 ? 1 : 0;
}

int xs__score_clv_minimize_nm(xs__score_clv_objective f, void *ctx, size_t dim,
                              double *theta, int *iters)
{
    mm_ctx m;
    memset(&m, 0, sizeof m);
    m.f = f;
    m.ctx = ctx;
    m.dim = dim;
    gsl_multimin_function fn = {mm_f, dim, &m};
    gsl_vector *x = gsl_vector_alloc(dim), *step = gsl_vector_alloc(dim);
    gsl_multimin_fminimizer *s =
        gsl_multimin_fminimizer_alloc(gsl_multimin_fminimizer_nmsimplex2, dim);
    int rc = XS_ENOMEM;
    if (!x || !step || !s) goto cleanup;
    gsl_error_handler_t *old = gsl_set_error_handler_off();
    for (size_t i = 0; i < dim; i++) gsl_vector_set(x, i, theta[i]);
    gsl_vector_set_all(step, 0.5);
    gsl_multimin_fminimizer_set(s, &fn, x, step);
    int it = 0;
    rc = 0;
    while (it < 20000) {
        it++;
        if (gsl_multimin_fminimizer_iterate(s) != GSL_SUCCESS) break;
        if (gsl_multimin_fminimizer_size(s) < 1e-8) {
            rc = 1;
            break;
        }
    }
    for (size_t i = 0; i < dim; i++) theta[i] = gsl_vector_get(s->x, i);
    gsl_set_error_handler(old);
    *iters = it;
cleanup:
    gsl_multimin_fminimizer_free(s);
    gsl_vector_free(step);
    gsl_vector_free(x);
    return rc;
}

/* ---------------------------------------------------------------------- */
/* Gauss hypergeometric series                                             */
/* ---------------------------------------------------------------------- */

/* Plain series for |z| <= 1/2 or 0 <= z < 1. */
static long double hyp_series(long double a, long double b, long double c, long double z)
{
    long double term = 1, sum = 1;
    for (long n = 0; n < 10000000L; n++) {
        term *= (a + n) * (b + n) / ((c + n) * (n + 1)) * z;
        sum += term;
        if (term == 0) return sum;
        /* the ratio of successive terms tends to z; once it and |z| are
         * below 1, the tail after a negligible term is bounded by a
         * geometric series with the larger of the two ratios */
        long double ratio = fabsl((a + n + 1) * (b + n + 1) / ((c + n + 1) * (n + 2)) * z);
        if (ratio < fabsl(z)) ratio = fabsl(z);
        if (ratio < 1 && fabsl(term) <= 1e-20L * fabsl(sum) * (1 - ratio)) return sum;
    }
    return NAN;
}

long double xs__score_clv_hyp2f1(double a, double b, double c, double z)
{
    if (!(z < 1) || (c <= 0 && c == floor(c))) return NAN;
    if (z < -0.5) {
        long double w = (long double)z / ((long double)z - 1);
        return powl(1 - (long double)z, -(long double)a) * hyp_series(a, c - b, c, w);
    }
    return hyp_series(a, b, c, z);
}

/* ---------------------------------------------------------------------- */
/* Likelihood                                                              */
/* ---------------------------------------------------------------------- */

typedef struct group {
    uint32_t x, i_tx, i_T; /* x and indexes of t_x and T in the value table */
    double w;               /* number of customers */
} group;

struct xs__score_bgnbd_lik {
    group *g; /* groups with x > 0 */
    size_t n_g;
    double *T0, *w0; /* x = 0: distinct T and counts */
    size_t n_0;
    double *n_x; /* n_x[k]: customers with x = k (k = 0..max_x) */
    size_t max_x;
    double *val; /* distinct t_x and T values of the groups */
    size_t n_val;
    double *scratch; /* per-evaluation tables (2 n_val + 2 (max_x + 1)) */
    double n; /* customers */
    int n_threads;
    int n_evals; /* evaluations so far */
};

size_t xs__score_bgnbd_lik_groups(const xs__score_bgnbd_lik *L)
{
    return L->n_g + L->n_0;
}

void xs__score_bgnbd_lik_free(xs__score_bgnbd_lik *L)
{
    if (!L) return;
    xs__free(L->g);
    xs__free(L->T0);
    xs__free(L->n_x);
    xs__free(L->val);
    xs__free(L->scratch);
    xs__free(L);
}

static uint64_t dbits(double v)
{
    uint64_t u;
    memcpy(&u, &v, sizeof u);
    return u;
}

/* Open-addressing table of 64-bit keys to dense indexes. */
typedef struct keymap {
    uint64_t *key;
    uint32_t *idx; /* index + 1; 0 = empty */
    size_t cap;
} keymap;

static int keymap_init(keymap *m, size_t n)
{
    m->cap = 16;
    while (m->cap < 2 * n) m->cap *= 2;
    m->key = xs__malloc(m->cap * sizeof *m->key);
    m->idx = xs__calloc(m->cap, sizeof *m->idx);
    return m->key && m->idx ? 0 : -1;
}

static void keymap_free(keymap *m)
{
    xs__free(m->key);
    xs__free(m->idx);
}

/* Slot of key: *found set when present. */
static size_t keymap_slot(const keymap *m, uint64_t key, int *found)
{
    size_t s = (size_t)xs__mix64(key) & (m->cap - 1);
    while (m->idx[s] && m->key[s] != key) s = (s + 1) & (m->cap - 1);
    *found = m->idx[s] != 0;
    return s;
}

/* Index of value v in L->val, adding it when new. */
static uint32_t value_index(xs__score_bgnbd_lik *L, keymap *vm, double v)
{
    int found;
    size_t s = keymap_slot(vm, dbits(v), &found);
    if (!found) {
        vm->key[s] = dbits(v);
        L->val[L->n_val] = v;
        vm->idx[s] = (uint32_t)++L->n_val;
    }
    return vm->idx[s] - 1;
}

int xs__score_bgnbd_lik_new(const xs_clv_data *d, int n_threads,
                            xs__score_bgnbd_lik **out)
{
    *out = NULL;
    xs__score_bgnbd_lik *L = xs__calloc(1, sizeof *L);
    size_t n = d->n;
    keymap gm = {0}, vm = {0}, tm = {0};
    int rc = XS_ENOMEM;
    if (!L) return XS_ENOMEM;
    L->n_threads = n_threads < 1 ? 1 : n_threads;
    L->n = (double)n;
    double max_x = 0;
    for (size_t i = 0; i < n; i++) {
        if (d->x[i] != floor(d->x[i]) || d->x[i] > 1e8) {
            rc = XS_EINVAL;
            goto cleanup;
        }
        if (d->x[i] > max_x) max_x = d->x[i];
    }
    L->max_x = (size_t)max_x;
    L->n_x = xs__calloc(L->max_x + 1, sizeof *L->n_x);
    L->g = xs__malloc((n ? n : 1) * sizeof *L->g);
    L->T0 = xs__malloc((n ? 2 * n : 2) * sizeof *L->T0);
    L->val = xs__malloc((n ? 2 * n : 1) * sizeof *L->val);
    if (!L->n_x || !L->g || !L->T0 || !L->val || keymap_init(&gm, n) ||
        keymap_init(&vm, n) || keymap_init(&tm, n))
        goto cleanup;
    L->w0 = L->T0 + n;
    /* x = 0: one term per distinct T; x > 0: one per distinct (x, t_x, T),
     * keyed by x and the two value indexes */
    for (size_t i = 0; i < n; i++) {
        double x = d->x[i], T = d->T[i];
        int found;
        L->n_x[(size_t)x] += 1;
        if (x == 0) {
            size_t s = keymap_slot(&tm, dbits(T), &found);
            if (found) {
                L->w0[tm.idx[s] - 1] += 1;
            } else {
                tm.key[s] = dbits(T);
                L->T0[L->n_0] = T;
                L->w0[L->n_0] = 1;
                tm.idx[s] = (uint32_t)++L->n_0;
            }
            continue;
        }
        uint32_t it = value_index(L, &vm, d->t_x[i]), iT = value_index(L, &vm, T);
        uint64_t h = xs__mix64(((uint64_t)x << 42) ^ ((uint64_t)it << 21) ^ iT);
        size_t s = (size_t)h & (gm.cap - 1);
        for (;;) { /* probe: compare the groups themselves */
            uint32_t k = gm.idx[s];
            if (k == 0) {
                L->g[L->n_g] = (group){(uint32_t)x, it, iT, 1};
                gm.idx[s] = (uint32_t)++L->n_g;
                break;
            }
            group *g = &L->g[k - 1];
            if (g->x == (uint32_t)x && g->i_tx == it && g->i_T == iT) {
                g->w += 1;
                break;
            }
            s = (s + 1) & (gm.cap - 1);
        }
    }
    L->scratch = xs__malloc((2 * L->n_val + 2 * (L->max_x + 1)) * sizeof *L->scratch);
    rc = L->scratch ? XS_OK : XS_ENOMEM;
cleanup:
    keymap_free(&gm);
    keymap_free(&vm);
    keymap_free(&tm);
    if (rc < 0) {
        xs__score_bgnbd_lik_free(L);
        return rc;
    }
    *out = L;
    return XS_OK;
}

/* Per-evaluation tables shared by the threads. */
typedef struct tabs {
    const double *lv, *iv; /* log(alpha + v), 1/(alpha + v) per value */
    double *lbx, *ibx; /* log(b + x - 1), 1/(b + x - 1) per x */
} tabs;

/* Sums over groups [lo, hi) of the x > 0 part depending on (t_x, T); with
 * want_h also the sums the Hessian is made of (see sum_groups). */
typedef struct part {
    const xs__score_bgnbd_lik *L;
    const xs_bgnbd_params *p;
    const tabs *tb;
    size_t lo, hi;
    int want_h;
    double ll, g[4];
    double s[13]; /* Hessian sums, in the order of sum_groups */
} part;

/*
 * Per group: l1 = ln(b+x-1) - (r+x) ln(alpha+T), l2 = ln a - (r+x)
 * ln(alpha+t_x); ln L = max + log1p(exp(-|l1 - l2|)) (plus the x-only part);
 * w1, w2 = the shares of the two terms, for the gradient.
 *
 * The Hessian of a log-sum-exp is the weighted mean of the Hessians of its
 * terms plus w1 w2 d d' with d = grad l1 - grad l2:
 *   grad l1 = (-ln(alpha+T), -(r+x)/(alpha+T), 0, 1/(b+x-1)),
 *   grad l2 = (-ln(alpha+t_x), -(r+x)/(alpha+t_x), 1/a, 0);
 * the only second derivatives of l1 and l2 are d2/dr dalpha = -1/(alpha+v),
 * d2/dalpha2 = (r+x)/(alpha+v)^2, d2/da2 of l2 = -1/a^2 and d2/db2 of l1 =
 * -1/(b+x-1)^2. The third component of d is the constant -1/a, so its
 * products are summed without it and multiplied in once (bgnbd_hess).
 */
static void *sum_groups(void *arg)
{
    part *pt = arg;
    const xs__score_bgnbd_lik *L = pt->L;
    const tabs *tb = pt->tb;
    const int want_h = pt->want_h;
    double r = pt->p->r, a = pt->p->a, la = log(a), ia = 1 / a;
    double ll = 0, gr = 0, gal = 0, ga = 0, gb = 0;
    double s_ra = 0, s_aa = 0, s_bb = 0, c00 = 0, c01 = 0, c03 = 0, c11 = 0, c13 = 0,
           c33 = 0, c0 = 0, c1 = 0, c3 = 0, cc = 0;
    for (size_t i = pt->lo; i < pt->hi; i++) {
        const group *g = &L->g[i];
        double rx = r + g->x;
        double lT = tb->lv[g->i_T], lt = tb->lv[g->i_tx];
        double l1 = tb->lbx[g->x] - rx * lT, l2 = la - rx * lt;
        double dl = l1 - l2, e, m, w1, w2;
        if (dl >= 0) {
            e = exp(-dl);
            m = l1;
            w2 = e / (1 + e);
            w1 = 1 - w2;
        } else {
            e = exp(dl);
            m = l2;
            w1 = e / (1 + e);
            w2 = 1 - w1;
        }
        double w = g->w, iT = tb->iv[g->i_T], it = tb->iv[g->i_tx], ib = tb->ibx[g->x];
        ll += w * (m + log1p(e));
        gr -= w * (w1 * lT + w2 * lt);
        gal -= w * rx * (w1 * iT + w2 * it);
        ga += w * w2 * ia;
        gb += w * w1 * ib;
        if (want_h) {
            double d0 = lt - lT, d1 = rx * (it - iT), c = w * w1 * w2;
            s_ra += w * (w1 * iT + w2 * it);
            s_aa += w * rx * (w1 * iT * iT + w2 * it * it);
            s_bb += w * w1 * ib * ib;
            c00 += c * d0 * d0;
            c01 += c * d0 * d1;
            c03 += c * d0 * ib;
            c11 += c * d1 * d1;
            c13 += c * d1 * ib;
            c33 += c * ib * ib;
            c0 += c * d0;
            c1 += c * d1;
            c3 += c * ib;
            cc += c;
        }
    }
    pt->ll = ll;
    pt->g[0] = gr;
    pt->g[1] = gal;
    pt->g[2] = ga;
    pt->g[3] = gb;
    if (want_h) {
        double s[13] = {s_ra, s_aa, s_bb, c00, c01, c03, c11, c13, c33, c0, c1, c3, cc};
        memcpy(pt->s, s, sizeof s);
    }
    return NULL;
}

/* Adds the group sums s of sum_groups to the upper triangle of the Hessian
 * h (4 x 4, row-major, parameters r, alpha, a, b); ga = the groups' sum of
 * w w2 / a (their part of d/da). */
static void bgnbd_hess(const double *s, double ga, double a, double *h)
{
    double ia = 1 / a;
    h[0 * 4 + 0] += s[3];
    h[0 * 4 + 1] += -s[0] + s[4];
    h[0 * 4 + 2] += -s[9] * ia;
    h[0 * 4 + 3] += s[5];
    h[1 * 4 + 1] += s[1] + s[6];
    h[1 * 4 + 2] += -s[10] * ia;
    h[1 * 4 + 3] += s[7];
    h[2 * 4 + 2] += -ga * ia + s[12] * ia * ia;
    h[2 * 4 + 3] += -s[11] * ia;
    h[3 * 4 + 3] += -s[2] + s[8];
}

/* The value, gradient and (when hess is not NULL) Hessian of the
 * log-likelihood in (r, alpha, a, b). */
static double lik_eval(xs__score_bgnbd_lik *L, const xs_bgnbd_params *p, double grad[4],
                       double hess[16])
{
    double r = p->r, al = p->alpha, a = p->a, b = p->b;
    if (!(r > 0 && al > 0 && a > 0 && b > 0) || !isfinite(r + al + a + b)) return NAN;
    L->n_evals++;
    double *buf = L->scratch;
    tabs tb = {buf, buf + L->n_val, buf + 2 * L->n_val, buf + 2 * L->n_val + L->max_x + 1};
    for (size_t v = 0; v < L->n_val; v++) {
        buf[v] = log(al + L->val[v]);
        buf[L->n_val + v] = 1 / (al + L->val[v]);
    }
    double ll = L->n * r * log(al);
    double g[4] = {L->n * log(al), L->n * r / al, 0, 0};
    double h[16] = {0};
    h[0 * 4 + 1] = L->n / al;
    h[1 * 4 + 1] = -L->n * r / (al * al);
    /* x = 0: -r ln(alpha + T) */
    for (size_t i = 0; i < L->n_0; i++) {
        double w = L->w0[i], lT = log(al + L->T0[i]);
        ll -= w * r * lT;
        g[0] -= w * lT;
        g[1] -= w * r / (al + L->T0[i]);
        if (hess) {
            double iT = 1 / (al + L->T0[i]);
            h[0 * 4 + 1] -= w * iT;
            h[1 * 4 + 1] += w * r * iT * iT;
        }
    }
    /* x > 0, the part depending on x only: ln C(x) without r ln alpha, by
     * recurrence over x = 1.. (lgamma(b + x - 1) - lgamma(b) is 0 at x = 1);
     * the trigamma differences of the Hessian by the same recurrence */
    double lc_r = 0, lc_b = 0, lc_ab = 0; /* lgamma(r+x)-lgamma(r), ... */
    double pr = 0, pb = 0, pab = 0;       /* psi(r+x)-psi(r), ... */
    double qr = 0, qb = 0, qab = 0;       /* psi'(r)-psi'(r+x), ... */
    for (size_t x = 1; x <= L->max_x; x++) {
        double xm = (double)(x - 1);
        tb.lbx[x] = log(b + xm);
        tb.ibx[x] = 1 / (b + xm);
        lc_r += log(r + xm);
        pr += 1 / (r + xm);
        qr += 1 / ((r + xm) * (r + xm));
        if (x >= 2) {
            lc_b += log(b + xm - 1);
            pb += 1 / (b + xm - 1);
            qb += 1 / ((b + xm - 1) * (b + xm - 1));
        }
        lc_ab += log(a + b + xm);
        pab += 1 / (a + b + xm);
        qab += 1 / ((a + b + xm) * (a + b + xm));
        double w = L->n_x[x];
        if (w == 0) continue;
        ll += w * (lc_r + lc_b - lc_ab);
        g[0] += w * pr;
        g[2] -= w * pab;
        g[3] += w * (pb - pab);
        h[0 * 4 + 0] -= w * qr;
        h[2 * 4 + 2] += w * qab;
        h[2 * 4 + 3] += w * qab;
        h[3 * 4 + 3] += w * (qab - qb);
    }
    /* x > 0, the part depending on (t_x, T) */
    int nt = L->n_threads;
    if (nt > 8) nt = 8;
    if (L->n_g < 20000) nt = 1;
    part parts[8];
    pthread_t th[8];
    int started[8] = {0};
    for (int k = 0; k < nt; k++) {
        memset(&parts[k], 0, sizeof parts[k]);
        parts[k].L = L;
        parts[k].p = p;
        parts[k].tb = &tb;
        parts[k].lo = L->n_g * (size_t)k / (size_t)nt;
        parts[k].hi = L->n_g * (size_t)(k + 1) / (size_t)nt;
        parts[k].want_h = hess != NULL;
        if (k > 0) started[k] = pthread_create(&th[k], NULL, sum_groups, &parts[k]) == 0;
    }
    sum_groups(&parts[0]);
    for (int k = 1; k < nt; k++) {
        if (started[k])
            pthread_join(th[k], NULL);
        else
            sum_groups(&parts[k]);
    }
    double s[13] = {0}, ga = 0;
    for (int k = 0; k < nt; k++) {
        ll += parts[k].ll;
        for (int j = 0; j < 4; j++) g[j] += parts[k].g[j];
        ga += parts[k].g[2];
        for (int j = 0; j < 13; j++) s[j] += parts[k].s[j];
    }
    if (grad) memcpy(grad, g, sizeof g);
    if (hess) {
        bgnbd_hess(s, ga, a, h);
        for (int i = 0; i < 4; i++)
            for (int j = 0; j < i; j++) h[i * 4 + j] = h[j * 4 + i];
        memcpy(hess, h, sizeof h);
    }
    return ll;
}

double xs__score_bgnbd_lik_eval(xs__score_bgnbd_lik *L, const xs_bgnbd_params *p,
                                double grad[4])
{
    return lik_eval(L, p, grad, NULL);
}

double xs__score_bgnbd_lik_hess(xs__score_bgnbd_lik *L, const xs_bgnbd_params *p,
                                double grad[4], double hess[16])
{
    return lik_eval(L, p, grad, hess);
}

int xs__score_bgnbd_lik_evals(const xs__score_bgnbd_lik *L)
{
    return L->n_evals;
}

double xs_bgnbd_loglik(const xs_bgnbd_params *p, const xs_clv_data *d)
{
    xs__score_bgnbd_lik *L;
    if (xs__score_bgnbd_lik_new(d, 1, &L) < 0) return NAN;
    double ll = xs__score_bgnbd_lik_eval(L, p, NULL);
    xs__score_bgnbd_lik_free(L);
    return ll;
}

/* ---------------------------------------------------------------------- */
/* Fit                                                                     */
/* ---------------------------------------------------------------------- */

static double objective(const double *th, double *grad, void *ctx)
{
    xs__score_bgnbd_lik *L = ctx;
    xs_bgnbd_params p = {exp(th[0]), exp(th[1]), exp(th[2]), exp(th[3])};
    double g[4];
    double ll = xs__score_bgnbd_lik_eval(L, &p, grad ? g : NULL);
    if (grad) {
        grad[0] = -g[0] * p.r / L->n;
        grad[1] = -g[1] * p.alpha / L->n;
        grad[2] = -g[2] * p.a / L->n;
        grad[3] = -g[3] * p.b / L->n;
    }
    return -ll / L->n;
}

/* -LL/n with its gradient and Hessian in the log parameters p = exp(th):
 * d2f/dth_i dth_j = -(p_i p_j H_ij + [i = j] p_i g_i) / n. */
static double objective_h(const double *th, double *grad, double *hess, void *ctx)
{
    xs__score_bgnbd_lik *L = ctx;
    double p[4] = {exp(th[0]), exp(th[1]), exp(th[2]), exp(th[3])}, g[4], h[16];
    xs_bgnbd_params pp = {p[0], p[1], p[2], p[3]};
    double ll = xs__score_bgnbd_lik_hess(L, &pp, g, h);
    if (!isfinite(ll)) return NAN;
    for (int i = 0; i < 4; i++) {
        grad[i] = -g[i] * p[i] / L->n;
        for (int j = 0; j < 4; j++) hess[i * 4 + j] = -p[i] * p[j] * h[i * 4 + j] / L->n;
        hess[i * 4 + i] -= p[i] * g[i] / L->n;
    }
    return -ll / L->n;
}

int xs__score_bgnbd_fit_lik(xs__score_bgnbd_lik *L, int method, xs_bgnbd_params *p,
                            xs_clv_fit_info *info, xs_error *err)
{
    double th[4] = {log(p->r), log(p->alpha), log(p->a), log(p->b)};
    int it = 0, fallback = 0, nm = method == XS__BGNBD_NM;
    double gn = NAN;
    int rc;
    if (nm)
        rc = xs__score_clv_minimize_nm(objective, L, 4, th, &it);
    else if (method == XS__BGNBD_BFGS)
        rc = xs__score_clv_minimize(objective, L, 4, th, &it, &gn);
    else
        rc = xs__score_clv_fit(objective_h, objective, L, 4, th, &it, &gn, &fallback);
    if (rc < 0) return xs__error_set(err, rc, NULL, 0, NULL, "out of memory");
    *p = (xs_bgnbd_params){exp(th[0]), exp(th[1]), exp(th[2]), exp(th[3])};
    double g[4];
    double ll = xs__score_bgnbd_lik_eval(L, p, g);
    if (nm) {
        gn = 0;
        double v[4] = {g[0] * p->r, g[1] * p->alpha, g[2] * p->a, g[3] * p->b};
        for (int j = 0; j < 4; j++) gn += v[j] * v[j] / (L->n * L->n);
        gn = sqrt(gn);
    }
    if (info) {
        info->log_likelihood = ll;
        info->n_customers = (size_t)L->n;
        info->n_groups = xs__score_bgnbd_lik_groups(L);
        info->iterations = it;
        info->converged = rc;
        info->grad_norm = gn;
        info->fallback = fallback;
    }
    if (!rc || !isfinite(ll))
        return xs__error_set(err, XS_ERANGE, NULL, 0, NULL,
                             "BG/NBD fit did not converge (%d iterations, gradient %g)",
                             it, gn);
    return XS_OK;
}

void xs__score_bgnbd_start(const xs_clv_data *d, xs_bgnbd_params *p)
{
    /* r = 1, alpha = mean T (a rate of about one purchase per customer
     * lifetime), a = b = 1 */
    double mt = 0;
    for (size_t i = 0; i < d->n; i++) mt += d->T[i];
    mt = d->n ? mt / (double)d->n : 0;
    *p = (xs_bgnbd_params){1, mt > 0 ? mt : 1, 1, 1};
}

int xs_bgnbd_fit(const xs_clv_data *d, xs_bgnbd_params *p, xs_clv_fit_info *info,
                 xs_error *err)
{
    if (d->n == 0)
        return xs__error_set(err, XS_EINVAL, NULL, 0, NULL, "no customers to fit");
    xs__score_bgnbd_lik *L;
    int rc = xs__score_bgnbd_lik_new(d, 2, &L);
    if (rc == XS_EINVAL)
        return xs__error_set(err, rc, NULL, 0, NULL, "frequency x must be a whole number");
    if (rc < 0) return xs__error_set(err, rc, NULL, 0, NULL, "out of memory");
    xs__score_bgnbd_start(d, p);
    rc = xs__score_bgnbd_fit_lik(L, XS__BGNBD_NEWTON, p, info, err);
    xs__score_bgnbd_lik_free(L);
    return rc;
}

/* ---------------------------------------------------------------------- */
/* Predictions                                                             */
/* ---------------------------------------------------------------------- */

double xs_bgnbd_p_alive(const xs_bgnbd_params *p, double x, double t_x, double T)
{
    if (x <= 0) return 1;
    double l = log(p->a) - log(p->b + x - 1) +
               (p->r + x) * (log(p->alpha + T) - log(p->alpha + t_x));
    return 1 / (1 + exp(l));
}

/*
 * FHL eq. (10):
 *   E[Y(t) | x, t_x, T] = (a+b+x-1)/(a-1)
 *       * [1 - ((alpha+T)/(alpha+T+t))^(r+x) 2F1(r+x, b+x; a+b+x-1; z)]
 *       * P(alive),                                  z = t/(alpha+T+t).
 * The bracket vanishes at a = 1 (the 2F1 is then (1-z)^-(r+x)), so for a
 * near 1 it is a difference of nearly equal numbers divided by a tiny one.
 * Euler's transformation F(A,B;C;z) = (1-z)^(C-A-B) F(C-A,C-B;C;z) with
 * A = r+x, B = b+x, C = a+b+x-1 turns the bracket into
 *   1 - (1-z)^(a-1) F(C-A, a-1; C; z),
 * and every term n >= 1 of that series carries the factor (a-1)_n =
 * (a-1) (a)_(n-1). Dividing by (a-1) analytically:
 *   bracket/(a-1) = -expm1((a-1) L)/(a-1) - (1-z)^(a-1) S,   L = ln(1-z),
 *   S = sum_{n>=1} (C-A)_n (a)_(n-1) z^n / ((C)_n n!),
 * which is smooth through a = 1 (the first term tends to -L). The series is
 * summed in long double like xs__score_clv_hyp2f1 (same stopping rule); tests
 * check the result against a numerical integral of the posterior.
 */
static long double euler_tail(long double e, long double a, long double c, long double z)
{
    long double term = e / c * z, sum = term;
    for (long n = 1; n < 10000000L && term != 0; n++) {
        term *= (e + n) * (a + n - 1) / ((c + n) * (n + 1)) * z;
        sum += term;
        long double ratio = fabsl((e + n + 1) * (a + n) / ((c + n + 1) * (n + 2)) * z);
        if (ratio < z) ratio = z;
        if (ratio < 1 && fabsl(term) <= 1e-20L * fabsl(sum) * (1 - ratio)) return sum;
    }
    return term == 0 ? sum : NAN;
}

/* Contract in bgnbd.h. */
double xs__score_bgnbd_expected_alive(const xs_bgnbd_params *p, double t, double x,
                                      double T)
{
    long double a = p->a, b = p->b, r = p->r, A = p->alpha + (long double)T;
    long double z = t / (A + t), L = -log1pl(t / A), u = (a - 1) * L;
    long double c = a + b + x - 1;
    long double first = u == 0 ? -L : -expm1l(u) / (a - 1);
    long double bracket = first - expl(u) * euler_tail(c - r - x, a, c, z);
    return (double)(c * bracket);
}

double xs_bgnbd_expected(const xs_bgnbd_params *p, double t, double x, double t_x,
                         double T)
{
    if (t <= 0) return 0;
    return xs__score_bgnbd_expected_alive(p, t, x, T) * xs_bgnbd_p_alive(p, x, t_x, T);
}
