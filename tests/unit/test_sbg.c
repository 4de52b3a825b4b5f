/*
 * test_sbg.c — the shifted-beta-geometric retention model: likelihood
 * against hand values and a separate recursion, gradient against finite
 * differences, DERL against a direct discounted sum, the published Fader &
 * Hardie (2007) estimates, and survivor-curve reading errors.
 */
#include "test.h"

#include "xsell.h"
#include "score/sbg.h"

#include <unistd.h>

static char *path_of(const char *rel, char *buf, size_t n)
{
    const char *src = getenv("XS_SOURCE_DIR");
    snprintf(buf, n, "%s/%s", src ? src : ".", rel);
    return buf;
}

/* P(T = t) by the recursion P(1) = alpha/(alpha+beta),
 * P(t) = (beta+t-2)/(alpha+beta+t-1) P(t-1); S(k) = 1 - sum P. */
static double slow_loglik(double al, double be, const double *n, size_t len)
{
    long double P = al / (al + be), S = 1, ll = 0;
    for (size_t t = 1; t < len; t++) {
        if (t > 1) P *= (be + (long double)t - 2) / (al + be + (long double)t - 1);
        S -= P;
        ll += (n[t - 1] - n[t]) * logl(P);
    }
    ll += n[len - 1] * logl(S);
    return (double)ll;
}

static void test_loglik(void)
{
    /* alpha = beta = 1: P(T=t) = 1/(t(t+1)), S(t) = 1/(t+1) */
    double n[3] = {100, 50, 30};
    xs_sbg_params p = {1, 1};
    CHECK_NEAR(xs_sbg_loglik(&p, n, 3), 50 * log(0.5) + 20 * log(1.0 / 6) + 30 * log(1.0 / 3),
               1e-11);
    double curve[8] = {1000, 700, 560, 470, 410, 380, 350, 335};
    static const xs_sbg_params ps[] = {{0.7, 1.2}, {0.3, 5}, {8, 2}, {1e-3, 1e-2}};
    for (size_t i = 0; i < XS_N(ps); i++)
        CHECK_NEAR(xs_sbg_loglik(&ps[i], curve, 8), slow_loglik(ps[i].alpha, ps[i].beta, curve, 8),
                   1e-9 * fabs(slow_loglik(ps[i].alpha, ps[i].beta, curve, 8)));
    for (size_t i = 0; i < XS_N(ps); i++) {
        double g[2];
        xs__score_sbg_loglik_grad(&ps[i], curve, 8, g);
        for (int j = 0; j < 2; j++) {
            xs_sbg_params hi = ps[i], lo = ps[i];
            double *ph = j ? &hi.beta : &hi.alpha, *pl = j ? &lo.beta : &lo.alpha;
            double h = 1e-6 * *ph;
            *ph += h;
            *pl -= h;
            double fd = (xs_sbg_loglik(&hi, curve, 8) - xs_sbg_loglik(&lo, curve, 8)) / (2 * h);
            CHECK_NEAR(g[j], fd, 1e-6 * (fabs(fd) + 1));
        }
    }
}

static void test_projection(void)
{
    xs_sbg_params p = {0.704, 1.182};
    /* S(t) = prod_{i=1..t} r(i), r(i) = (beta+i-1)/(alpha+beta+i-1) */
    double s = 1;
    for (int t = 1; t <= 30; t++) {
        double r = (p.beta + t - 1) / (p.alpha + p.beta + t - 1);
        s *= r;
        CHECK_NEAR(xs_sbg_retention(&p, t), r, 1e-15);
        CHECK_NEAR(xs_sbg_survival(&p, t), s, 1e-12 * s);
    }
    CHECK_NEAR(xs_sbg_survival(&p, 0), 1, 0);
    /* DERL of a customer active in period n: sum_{t >= n} S(t)/S(n-1) (1+d)^-(t-n),
     * summed directly (the tail of S(t) ~ t^-alpha times a geometric factor
     * is far below 1e-12 after 2000 terms at d = 0.1) */
    static const double ds[] = {0.1, 0.05, 0.5};
    static const xs_sbg_params ps[] = {{0.704, 1.182}, {0.668, 3.806}, {3, 0.5}};
    for (size_t k = 0; k < XS_N(ps); k++)
        for (size_t j = 0; j < XS_N(ds); j++)
            for (int n = 1; n <= 10; n += 3) {
                long double sum = 0, ratio = 1, disc = 1;
                for (int t = n; t < n + 5000; t++) {
                    ratio *= (ps[k].beta + t - 1) / (ps[k].alpha + ps[k].beta + t - 1);
                    sum += ratio * disc;
                    disc /= 1 + ds[j];
                }
                CHECK_NEAR(xs_sbg_derl(&ps[k], n, ds[j]), (double)sum, 1e-11 * (double)sum);
            }
    CHECK(isnan(xs_sbg_derl(&p, 0, 0.1)));
    CHECK(isnan(xs_sbg_derl(&p, 1, 0)));
}

static void test_published(void)
{
    char path[1024];
    path_of("../shared/data/retention/survivors.csv", path, sizeof path);
    if (access(path, R_OK) != 0) {
        xs_test_skip_absent(path);
        return;
    }
    /* Fader & Hardie (2007), "How to project customer retention", Journal
     * of Interactive Marketing 21(1), fitted on years 0-7:
     * regular alpha = 0.704, beta = 1.182; high end alpha = 0.668,
     * beta = 3.806 */
    static const struct {
        const char *col;
        double alpha, beta;
    } want[] = {{"regular_survivors", 0.704, 1.182}, {"highend_survivors", 0.668, 3.806}};
    for (size_t i = 0; i < XS_N(want); i++) {
        double *v = NULL;
        size_t n = 0;
        CHECK_INT(xs_survivors_read(path, want[i].col, 0, &v, &n, NULL), XS_OK);
        CHECK_INT(n, 13);
        if (n < 8) continue;
        xs_sbg_params p;
        xs_clv_fit_info fi;
        CHECK_INT(xs_sbg_fit(v, 8, &p, &fi, NULL), XS_OK);
        CHECK_NEAR(p.alpha, want[i].alpha, 0.0005);
        CHECK_NEAR(p.beta, want[i].beta, 0.0005);
        CHECK(fi.converged);
        CHECK_NEAR(fi.log_likelihood, slow_loglik(p.alpha, p.beta, v, 8), 1e-8);
        xs_survivors_free(v);
    }
}

static void test_fit_errors(void)
{
    xs_sbg_params p;
    xs_error e;
    double one[1] = {10};
    CHECK_INT(xs_sbg_fit(one, 1, &p, NULL, &e), XS_EINVAL);
    CHECK_STR(e.message, "sBG needs survivors for at least periods 0 and 1");
    double up[3] = {10, 8, 9};
    CHECK_INT(xs_sbg_fit(up, 3, &p, NULL, &e), XS_EINVAL);
    CHECK_STR(e.message,
              "survivors must not increase and not be negative: period 2 has 9 after 8");
    double flat[3] = {10, 10, 10};
    CHECK_INT(xs_sbg_fit(flat, 3, &p, NULL, &e), XS_EINVAL);
    CHECK_STR(e.message, "nobody churned: sBG cannot be fitted");
    /* exact fit: alpha = beta = 1 gives S = 1/2, 1/3 */
    double exact[3] = {600, 300, 200};
    CHECK_INT(xs_sbg_fit(exact, 3, &p, NULL, NULL), XS_OK);
    CHECK_NEAR(p.alpha, 1, 1e-6);
    CHECK_NEAR(p.beta, 1, 1e-6);
}

static void expect_read(const char *rel, const char *col, int code, const char *msg)
{
    char p[1024], want[1400], got[1400];
    path_of(rel, p, sizeof p);
    double *v = NULL;
    size_t n = 0;
    xs_error e;
    memset(&e, 0, sizeof e);
    CHECK_INT(xs_survivors_read(p, col, 0, &v, &n, &e), code);
    CHECK(v == NULL);
    snprintf(want, sizeof want, "%s:%s", p, msg);
    CHECK_STR(xs_error_format(&e, got, sizeof got), want);
}

static void test_read(void)
{
    char p[1024];
    double *v = NULL;
    size_t n = 0;
    path_of("tests/data/clv/survivors_small.csv", p, sizeof p);
    CHECK_INT(xs_survivors_read(p, "survivors", 0, &v, &n, NULL), XS_OK);
    CHECK_INT(n, 3);
    if (n == 3) {
        CHECK_NEAR(v[0], 100, 0);
        CHECK_NEAR(v[2], 30, 0);
    }
    xs_survivors_free(v);
    /* an empty cell ends the column */
    CHECK_INT(xs_survivors_read(p, "short", 0, &v, &n, NULL), XS_OK);
    CHECK_INT(n, 2);
    xs_survivors_free(v);
    expect_read("tests/data/clv/survivors_small.csv", "nope", XS_ENOTFOUND,
                "1: nope: no such column \"nope\" in the header");
    expect_read("tests/data/clv/survivors_up.csv", "survivors", XS_EPARSE,
                "4: survivors: survivors increase: \"60\" after 50");
    expect_read("tests/data/clv/survivors_bad.csv", "survivors", XS_EPARSE,
                "3: survivors: not a non-negative number: \"x\"");
}

static const xs_test tests[] = {
    {"loglik", test_loglik},       {"projection", test_projection},
    {"data:published", test_published}, {"fit_errors", test_fit_errors},
    {"read", test_read},
};

int main(void)
{
    return xs_test_run(tests, XS_N(tests));
}
