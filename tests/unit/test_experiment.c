/*
 * test_experiment.c — lift analysis (src/measure/experiment.c, stats.c):
 * every statistic against a value computed independently of the code under
 * test (a hand computation written in a comment, a published example, or a
 * straightforward long double reimplementation here using erfc from libm
 * instead of GSL), SRM detection, CUPED, the bootstrap's determinism, the
 * error messages, allocation failures, and Hillstrom's e-mail experiment.
 */
#include "test.h"

#include "base/alloc.h"
#include "base/rng.h"
#include "measure/experiment.h"

#include <stdint.h>

#define Z975 1.959963984540054 /* Phi^-1(0.975), from tables */

/* Two-sided normal p-value by erfc (independent of GSL). */
static double p_normal(double z)
{
    return erfc(fabs(z) / sqrt(2.0));
}

/* Relative closeness: |a - b| <= tol * max(1, |b|). */
#define CHECK_REL(a, b, tol) CHECK_NEAR((a), (b), (tol)*fmax(1.0, fabs((double)(b))))

/* ---------------------------------------------------------------------- */
/* Statistics                                                              */
/* ---------------------------------------------------------------------- */

static void test_mean_var(void)
{
    /* against a two-pass long double reference on awkward values */
    double x[1000];
    xs__rng r;
    xs__rng_seed(&r, 5);
    for (size_t i = 0; i < 1000; i++)
        x[i] = 1e6 + xs__rng_normal(&r) * 0.01;
    long double s = 0, ss = 0;
    for (size_t i = 0; i < 1000; i++)
        s += x[i];
    long double m = s / 1000;
    for (size_t i = 0; i < 1000; i++)
        ss += (x[i] - m) * (x[i] - m);
    double mean, var;
    xs__measure_exp_mean_var(x, 1000, &mean, &var);
    CHECK_NEAR(mean, (double)m, 1e-9);
    CHECK_NEAR(var, (double)(ss / 999), 1e-12);
    /* hand: {2, 4, 4, 4, 5, 5, 7, 9}: mean 5, sum of squares 32, var 32/7 */
    double h[] = {2, 4, 4, 4, 5, 5, 7, 9};
    xs__measure_exp_mean_var(h, 8, &mean, &var);
    CHECK_NEAR(mean, 5, 1e-15);
    CHECK_NEAR(var, 32.0 / 7, 1e-15);
    xs__measure_exp_mean_var(h, 1, &mean, &var);
    CHECK_NEAR(var, 0, 0);
}

static void test_proportion(void)
{
    /* 60 of 200 against 40 of 200, by hand:
     *   d = 0.3 - 0.2 = 0.1
     *   unpooled se = sqrt(.3*.7/200 + .2*.8/200) = sqrt(0.00185) = 0.04301162633521313
     *   CI = 0.1 -/+ 1.959963984540054 * se = [0.01569876, 0.18430124]
     *   pooled p = 0.25, se0 = sqrt(.25*.75*(1/200+1/200)) = sqrt(0.001875)
     *   z = 0.1 / 0.04330127018922193 = 2.309401076758503, p = erfc(z/sqrt 2) = 0.0209213
     *   relative: 0.1/0.2 = 0.5; se_rel = sqrt(.00105/.04 + .09*.0008/.0016)
     *           = sqrt(0.02625 + 0.045) = 0.2669269563 */
    xs__measure_exp_cmp c;
    xs__measure_exp_prop(0.3, 200, 0.2, 200, 0.95, &c);
    CHECK_NEAR(c.lift, 0.1, 1e-15);
    CHECK_NEAR(c.lo, 0.1 - Z975 * 0.04301162633521313, 1e-12);
    CHECK_NEAR(c.hi, 0.1 + Z975 * 0.04301162633521313, 1e-12);
    CHECK_NEAR(c.lo, 0.01569876, 1e-8);
    CHECK_NEAR(c.p, p_normal(2.309401076758503), 1e-12);
    CHECK_NEAR(c.p, 0.0209213, 1e-6);
    CHECK_NEAR(c.rel, 0.5, 1e-15);
    CHECK_NEAR(c.rel_lo, 0.5 - Z975 * 0.2669269563, 1e-9);
    CHECK_NEAR(c.rel_hi, 0.5 + Z975 * 0.2669269563, 1e-9);
    CHECK(isnan(c.df));
    /* 90 % level: z = 1.6448536269514722 */
    xs__measure_exp_prop(0.3, 200, 0.2, 200, 0.90, &c);
    CHECK_NEAR(c.hi, 0.1 + 1.6448536269514722 * 0.04301162633521313, 1e-12);
    /* no variation at all: p = 1, relative lift of a zero control is undefined */
    xs__measure_exp_prop(0, 10, 0, 10, 0.95, &c);
    CHECK_NEAR(c.p, 1, 0);
    CHECK(isnan(c.rel));
}

static void test_welch_published(void)
{
    /* R's documented example, t.test(extra ~ group, data = sleep) (Welch):
     *   t = -1.8608, df = 17.776, p-value = 0.07939,
     *   95 percent CI: -3.3654832 0.2054832; means 0.75 and 2.33. */
    double g1[] = {0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0};
    double g2[] = {1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4};
    double m1, v1, m2, v2;
    xs__measure_exp_mean_var(g1, 10, &m1, &v1);
    xs__measure_exp_mean_var(g2, 10, &m2, &v2);
    xs__measure_exp_cmp c;
    xs__measure_exp_welch(m1, v1, 10, m2, v2, 10, 0.95, &c);
    CHECK_NEAR(c.lift, -1.58, 1e-12);
    CHECK_NEAR(c.df, 17.776, 5e-4);
    CHECK_NEAR(c.p, 0.07939, 5e-6);
    CHECK_NEAR(c.lo, -3.3654832, 5e-7);
    CHECK_NEAR(c.hi, 0.2054832, 5e-7);
    CHECK_NEAR(c.lift / sqrt(v1 / 10 + v2 / 10), -1.8608, 5e-5); /* the published t */
    /* relative lift by the delta method, reference in long double:
     * se² = (v1/10)/m2² + m1² (v2/10)/m2⁴; same t quantile as the CI */
    long double q = (c.hi - c.lift) / sqrtl(v1 / 10.0L + v2 / 10.0L);
    long double se = sqrtl((v1 / 10.0L) / (m2 * (long double)m2) +
                           (long double)m1 * m1 * (v2 / 10.0L) / powl(m2, 4));
    CHECK_NEAR(c.rel, 0.75 / 2.33 - 1, 1e-12);
    CHECK_NEAR(c.rel_lo, (double)(0.75L / 2.33L - 1 - q * se), 1e-9);
    CHECK_NEAR(c.rel_hi, (double)(0.75L / 2.33L - 1 + q * se), 1e-9);
    /* constant groups: the difference is exact */
    xs__measure_exp_welch(3, 0, 5, 1, 0, 5, 0.95, &c);
    CHECK_NEAR(c.lift, 2, 0);
    CHECK_NEAR(c.lo, 2, 0);
    CHECK_NEAR(c.p, 0, 0);
}

static void test_welch_reference(void)
{
    /* unequal sizes and variances against a long double Welch computed here;
     * the t quantile and p are checked through the large-df normal limit */
    double t[3000], c[2000];
    xs__rng r;
    xs__rng_seed(&r, 11);
    for (size_t i = 0; i < 3000; i++)
        t[i] = 10.3 + 4 * xs__rng_normal(&r);
    for (size_t i = 0; i < 2000; i++)
        c[i] = 10 + 2 * xs__rng_normal(&r);
    long double st = 0, sc = 0, qt = 0, qc = 0;
    for (size_t i = 0; i < 3000; i++)
        st += t[i];
    for (size_t i = 0; i < 2000; i++)
        sc += c[i];
    long double mt = st / 3000, mc = sc / 2000;
    for (size_t i = 0; i < 3000; i++)
        qt += (t[i] - mt) * (t[i] - mt);
    for (size_t i = 0; i < 2000; i++)
        qc += (c[i] - mc) * (c[i] - mc);
    long double at = qt / 2999 / 3000, ac = qc / 1999 / 2000;
    long double df = (at + ac) * (at + ac) / (at * at / 2999 + ac * ac / 1999);
    double m1, v1, m2, v2;
    xs__measure_exp_mean_var(t, 3000, &m1, &v1);
    xs__measure_exp_mean_var(c, 2000, &m2, &v2);
    xs__measure_exp_cmp w;
    xs__measure_exp_welch(m1, v1, 3000, m2, v2, 2000, 0.95, &w);
    CHECK_NEAR(w.lift, (double)(mt - mc), 1e-12);
    CHECK_REL(w.df, (double)df, 1e-10);
    /* with df ~ 4500 the t(0.975) quantile is 1.96 + (1.96^3 + 1.96)/(4 df) */
    double z = Z975, q = z + (z * z * z + z) / (4 * (double)df);
    CHECK_NEAR(w.hi - w.lift, q * sqrt((double)(at + ac)), 1e-6);
    CHECK_NEAR(w.p, p_normal((double)((mt - mc) / sqrtl(at + ac))), 2e-4);
}

static void test_bootstrap(void)
{
    double t[300], c[250];
    xs__rng r;
    xs__rng_seed(&r, 3);
    for (size_t i = 0; i < 300; i++)
        t[i] = xs__rng_exp(&r, 12);
    for (size_t i = 0; i < 250; i++)
        c[i] = xs__rng_exp(&r, 10);
    xs__measure_exp_cmp a, b, d;
    CHECK_INT(xs__measure_exp_bootstrap(t, 300, c, 250, 2000, 42, 0.95, &a), XS_OK);
    CHECK_INT(xs__measure_exp_bootstrap(t, 300, c, 250, 2000, 42, 0.95, &b), XS_OK);
    /* the same seed gives the same numbers, bit for bit */
    CHECK(a.lo == b.lo && a.hi == b.hi && a.p == b.p && a.rel_lo == b.rel_lo);
    CHECK_INT(xs__measure_exp_bootstrap(t, 300, c, 250, 2000, 43, 0.95, &d), XS_OK);
    CHECK(d.lo != a.lo);
    /* point estimate is the data's; the percentile CI is close to Welch's */
    double m1, v1, m2, v2;
    xs__measure_exp_mean_var(t, 300, &m1, &v1);
    xs__measure_exp_mean_var(c, 250, &m2, &v2);
    xs__measure_exp_cmp w;
    xs__measure_exp_welch(m1, v1, 300, m2, v2, 250, 0.95, &w);
    CHECK_NEAR(a.lift, m1 - m2, 1e-12);
    CHECK_NEAR(a.rel, m1 / m2 - 1, 1e-12);
    double half = (w.hi - w.lo) / 2;
    CHECK_NEAR(a.lo, w.lo, 0.15 * half);
    CHECK_NEAR(a.hi, w.hi, 0.15 * half);
    CHECK(a.rel_lo < a.rel && a.rel < a.rel_hi);
    /* a difference far from 0: no resample crosses it, p = 2/(B+1) */
    double far[50];
    for (size_t i = 0; i < 50; i++)
        far[i] = c[i] + 1000;
    CHECK_INT(xs__measure_exp_bootstrap(far, 50, c, 50, 999, 1, 0.95, &a), XS_OK);
    CHECK_NEAR(a.p, 2.0 / 1000, 1e-15);
    /* identical samples: p = 1 (capped) */
    CHECK_INT(xs__measure_exp_bootstrap(c, 50, c, 50, 999, 1, 0.95, &a), XS_OK);
    CHECK(a.p > 0.5 && a.p <= 1);
    /* allocation failure */
    xs__alloc_fail_after(0);
    CHECK_INT(xs__measure_exp_bootstrap(t, 300, c, 250, 100, 1, 0.95, &a), XS_ENOMEM);
    xs__alloc_fail_after(-1);
}

static void test_srm(void)
{
    xs_exp_srm s;
    /* 5000 vs 5400 planned 50:50: E = 5200 each,
     * chi2 = 2 * 200^2 / 5200 = 15.384615..., df 1,
     * p = erfc(sqrt(chi2 / 2)) = 8.77e-5 < 0.001: flagged */
    size_t n1[] = {5000, 5400};
    xs__measure_exp_srm(n1, NULL, 2, 0.001, &s);
    CHECK_NEAR(s.chi2, 2 * 200.0 * 200.0 / 5200, 1e-10);
    CHECK_INT(s.df, 1);
    CHECK_NEAR(s.p, erfc(sqrt(s.chi2 / 2)), 1e-15);
    CHECK(s.flagged);
    /* 5000 vs 5050: chi2 = 2 * 25^2 / 5025 = 0.248756, p = 0.618: not flagged */
    size_t n2[] = {5000, 5050};
    xs__measure_exp_srm(n2, NULL, 2, 0.001, &s);
    CHECK_NEAR(s.chi2, 2 * 25.0 * 25.0 / 5025, 1e-12);
    CHECK_NEAR(s.p, erfc(sqrt(s.chi2 / 2)), 1e-12);
    CHECK(!s.flagged);
    /* planned 90:10 with 9000 / 1000 observed: a perfect fit */
    size_t n3[] = {9000, 1000};
    double e3[] = {90, 10};
    xs__measure_exp_srm(n3, e3, 2, 0.001, &s);
    CHECK_NEAR(s.chi2, 0, 1e-12);
    CHECK_NEAR(s.p, 1, 1e-12);
    /* three groups planned 1:1:2 (E = 100, 100, 200) observed 110, 90, 200:
     * chi2 = 1 + 1 + 0 = 2, df 2, p = exp(-chi2/2) = e^-1 */
    size_t n4[] = {110, 90, 200};
    double e4[] = {1, 1, 2};
    xs__measure_exp_srm(n4, e4, 3, 0.001, &s);
    CHECK_NEAR(s.chi2, 2, 1e-12);
    CHECK_INT(s.df, 2);
    CHECK_NEAR(s.p, exp(-1.0), 1e-12);
}

static void test_cuped_theta(void)
{
    /* x = 1 2 3 4, y = 2 1 4 3: deviations (-1.5 -.5 .5 1.5), (-.5 -1.5 1.5 .5);
     * sum of products 3 -> cov 1; var x = 5/3; theta = 3/5 */
    double x[] = {1, 2, 3, 4}, y[] = {2, 1, 4, 3}, mx;
    CHECK_NEAR(xs__measure_exp_cuped_theta(y, x, 4, &mx), 0.6, 1e-15);
    CHECK_NEAR(mx, 2.5, 0);
    double k[] = {5, 5, 5, 5};
    CHECK_NEAR(xs__measure_exp_cuped_theta(y, k, 4, &mx), 0, 0);
}

static void test_parse_number(void)
{
    /* the fast path must agree with strtod bit for bit */
    xs__rng r;
    xs__rng_seed(&r, 77);
    char buf[64];
    for (int i = 0; i < 200000; i++) {
        uint64_t m = xs__rng_below(&r, 1000000000000000ULL >> xs__rng_below(&r, 40));
        int k = (int)xs__rng_below(&r, 16), len;
        char digits[32];
        int nd = snprintf(digits, sizeof digits, "%0*llu", k + 1, (unsigned long long)m);
        len = snprintf(buf, sizeof buf, "%s%.*s%s%s", i % 3 == 0 ? "-" : "", nd - k,
                       digits, k ? "." : "", digits + nd - k);
        double got = -1, want = strtod(buf, NULL);
        CHECK_INT(xs__measure_exp_parse_number(buf, (size_t)len, &got), 0);
        if (memcmp(&got, &want, sizeof got)) {
            CHECK_STR(buf, "(parsed differently from strtod)");
            break;
        }
    }
    static const struct {
        const char *s;
        int rc;
        double v;
    } c[] = {{"0", 0, 0},
             {"-1.5", 0, -1.5},
             {"+2", 0, 2},
             {".5", 0, 0.5},
             {"3.", 0, 3},
             {"1e3", 0, 1000},
             {"1234567890123456789", 0, 1234567890123456789.0},
             {"0.1", 0, 0.1},
             {"abc", -1, 0},
             {"", -1, 0},
             {".", -1, 0},
             {"-", -1, 0},
             {"1.2.3", -1, 0},
             {"1,5", -1, 0},
             {"nan", -1, 0},
             {"inf", -1, 0},
             {"1e999", -1, 0},
             {"12abc", -1, 0}};
    for (size_t i = 0; i < XS_N(c); i++) {
        double v = -99;
        CHECK_INT(xs__measure_exp_parse_number(c[i].s, strlen(c[i].s), &v), c[i].rc);
        if (c[i].rc == 0) CHECK_NEAR(v, c[i].v, 0);
    }
}

/* ---------------------------------------------------------------------- */
/* Analysis                                                                */
/* ---------------------------------------------------------------------- */

static xs_exp_data *make_data(const char *cov)
{
    const char *metrics[] = {"y"};
    xs_exp_data *d;
    if (xs_exp_data_new("arm", metrics, 1, cov, &d) < 0) return NULL;
    return d;
}

static void test_cuped_hand(void)
{
    /* control A: (x, y) = (1, 2), (2, 1); treatment B: (3, 4), (4, 3).
     * theta = 0.6 (test_cuped_theta), mean x = 2.5;
     * y' = y - 0.6 (x - 2.5): A 2.9, 1.3 (mean 2.1); B 3.7, 2.1 (mean 2.9);
     * raw lift 3.5 - 1.5 = 2; CUPED lift 0.8; relative 0.8 / 2.1;
     * var y = 5/3, var y' = 3.2/3, reduction 1 - 3.2/5 = 0.36 (= rho^2).
     * Welch on y': both groups have variance 1.28 -> se = sqrt(.64 + .64),
     * df = (1.28)^2 / (2 * .64^2) = 2 */
    xs_exp_data *d = make_data("x");
    double v;
    v = 2;
    CHECK_INT(xs_exp_data_add(d, "A", &v, 1), XS_OK);
    v = 4;
    CHECK_INT(xs_exp_data_add(d, "B", &v, 3), XS_OK);
    v = 1;
    CHECK_INT(xs_exp_data_add(d, "A", &v, 2), XS_OK);
    v = 3;
    CHECK_INT(xs_exp_data_add(d, "B", &v, 4), XS_OK);
    CHECK_INT(xs_exp_data_rows(d), 4);
    v = NAN;
    CHECK_INT(xs_exp_data_add(d, "B", &v, 4), XS_EINVAL);
    xs_exp_opts o = {.control = "A"};
    xs_exp_result *r = NULL;
    xs_error e;
    CHECK_INT(xs_exp_analyze(d, &o, &r, &e), XS_OK);
    CHECK(xs_exp_result_has_cuped(r));
    CHECK_INT(xs_exp_result_n_rows(r), 2);
    const xs_exp_row *a = xs_exp_result_row(r, 0), *b = xs_exp_result_row(r, 1);
    CHECK_STR(a->group, "A");
    CHECK(a->is_control && isnan(a->lift) && isnan(a->cuped_lift));
    CHECK_STR(b->group, "B");
    CHECK_INT(b->method, XS_EXP_WELCH);
    CHECK_NEAR(b->lift, 2, 1e-15);
    CHECK_NEAR(b->theta, 0.6, 1e-15);
    CHECK_NEAR(b->var_reduction, 0.36, 1e-14);
    CHECK_NEAR(b->cuped_lift, 0.8, 1e-14);
    CHECK_NEAR(b->cuped_rel, 0.8 / 2.1, 1e-14);
    /* t quantile of 2 df at 0.975 is 4.302652729749464 (tables) */
    CHECK_NEAR(b->cuped_hi - b->cuped_lift, 4.302652729749464 * sqrt(1.28), 1e-9);
    xs_exp_result_free(r);
    xs_exp_data_free(d);
}

static void test_cuped_extremes(void)
{
    /* y = 2x + 3 exactly: theta 2, variance reduction 100 %;
     * an independent covariate: reduction ~ 0 */
    xs__rng rng;
    xs__rng_seed(&rng, 9);
    xs_exp_data *d1 = make_data("x"), *d2 = make_data("x");
    for (size_t i = 0; i < 20000; i++) {
        const char *g = i % 2 ? "t" : "c";
        double x = 50 + 10 * xs__rng_normal(&rng);
        double y = 2 * x + 3;
        CHECK_INT(xs_exp_data_add(d1, g, &y, x), XS_OK);
        double y2 = 20 + 5 * xs__rng_normal(&rng) + (i % 2);
        CHECK_INT(xs_exp_data_add(d2, g, &y2, 50 + 10 * xs__rng_normal(&rng)), XS_OK);
    }
    xs_exp_opts o = {.control = "c"};
    xs_exp_result *r1, *r2;
    CHECK_INT(xs_exp_analyze(d1, &o, &r1, NULL), XS_OK);
    CHECK_INT(xs_exp_analyze(d2, &o, &r2, NULL), XS_OK);
    const xs_exp_row *a = xs_exp_result_row(r1, 1), *b = xs_exp_result_row(r2, 1);
    CHECK_NEAR(a->theta, 2, 1e-12);
    CHECK_NEAR(a->var_reduction, 1, 1e-9);
    CHECK_NEAR(a->cuped_lift, 0, 1e-9);
    CHECK(fabs(b->var_reduction) < 0.002);
    CHECK(fabs(b->theta) < 0.02);
    CHECK_NEAR(b->cuped_lift, b->lift, 0.02);
    xs_exp_result_free(r1);
    xs_exp_result_free(r2);
    xs_exp_data_free(d1);
    xs_exp_data_free(d2);
}

static void test_analyze_methods(void)
{
    /* a 0/1 metric: auto picks proportion; forcing welch or bootstrap works;
     * proportion on a non-0/1 metric is an error */
    const char *m[] = {"conv", "rev"};
    xs_exp_data *d;
    CHECK_INT(xs_exp_data_new("g", m, 2, NULL, &d), XS_OK);
    for (int i = 0; i < 400; i++) {
        double v[2] = {(i % 5 == 0) || (i % 2 && i % 7 == 0), (double)(i % 13)};
        CHECK_INT(xs_exp_data_add(d, i % 2 ? "treat" : "base", v, 0), XS_OK);
    }
    xs_exp_opts o = {.control = "base"};
    xs_exp_result *r;
    xs_error e;
    CHECK_INT(xs_exp_analyze(d, &o, &r, &e), XS_OK);
    CHECK(!xs_exp_result_has_cuped(r));
    CHECK_INT(xs_exp_result_n_groups(r), 2);
    CHECK_STR(xs_exp_result_group(r, 0)->label, "base");
    CHECK_INT(xs_exp_result_row(r, 1)->method, XS_EXP_PROPORTION);
    CHECK_INT(xs_exp_result_row(r, 3)->method, XS_EXP_WELCH);
    CHECK(isnan(xs_exp_result_row(r, 1)->cuped_lift));
    xs_exp_result_free(r);
    o.method = XS_EXP_BOOTSTRAP;
    o.n_boot = 500;
    o.seed = 7;
    xs_exp_result *r2;
    CHECK_INT(xs_exp_analyze(d, &o, &r, &e), XS_OK);
    CHECK_INT(xs_exp_analyze(d, &o, &r2, &e), XS_OK);
    CHECK_INT(xs_exp_result_row(r, 3)->method, XS_EXP_BOOTSTRAP);
    CHECK(xs_exp_result_row(r, 3)->lift_lo == xs_exp_result_row(r2, 3)->lift_lo);
    CHECK(xs_exp_result_row(r, 1)->lift_hi == xs_exp_result_row(r2, 1)->lift_hi);
    xs_exp_result_free(r);
    xs_exp_result_free(r2);
    o.method = XS_EXP_PROPORTION;
    CHECK_INT(xs_exp_analyze(d, &o, &r, &e), XS_EINVAL);
    CHECK_STR(e.column, "rev");
    CHECK_STR(e.message, "method proportion needs values 0 and 1 only");
    xs_exp_method mm;
    CHECK_INT(xs_exp_method_parse("welch", &mm), XS_OK);
    CHECK_INT(mm, XS_EXP_WELCH);
    CHECK_INT(xs_exp_method_parse("ttest", &mm), XS_EINVAL);
    CHECK_STR(xs_exp_method_name(XS_EXP_BOOTSTRAP), "bootstrap");
    xs_exp_data_free(d);
}

static void test_analyze_errors(void)
{
    char msg[1200];
    xs_exp_data *d = make_data(NULL);
    double v = 1;
    xs_exp_data_add(d, "a", &v, 0);
    xs_exp_data_add(d, "a", &v, 0);
    xs_exp_data_add(d, "b", &v, 0);
    xs_exp_opts o = {.control = "No Email"};
    xs_exp_result *r = NULL;
    xs_error e;
    CHECK_INT(xs_exp_analyze(d, &o, &r, &e), XS_ENOTFOUND);
    CHECK(r == NULL);
    CHECK_STR(xs_error_format(&e, msg, sizeof msg),
              "control: no rows with arm = \"No Email\"");
    o.control = "a";
    CHECK_INT(xs_exp_analyze(d, &o, &r, &e), XS_EINVAL);
    CHECK_STR(xs_error_format(&e, msg, sizeof msg),
              "arm: group \"b\" has 1 row; at least 2 are needed");
    xs_exp_data_add(d, "b", &v, 0);
    double parts[] = {50, 30, 20};
    o.expected = parts;
    o.n_expected = 3;
    CHECK_INT(xs_exp_analyze(d, &o, &r, &e), XS_EINVAL);
    CHECK_STR(xs_error_format(&e, msg, sizeof msg),
              "expected_split: 3 parts for 2 groups (a, b)");
    o.n_expected = 2;
    CHECK_INT(xs_exp_analyze(d, &o, &r, &e), XS_OK);
    CHECK_NEAR(xs_exp_result_group(r, 0)->expected, 50.0 / 80, 1e-15);
    xs_exp_result_free(r);
    xs_exp_data_free(d);
    d = make_data(NULL);
    xs_exp_data_add(d, "a", &v, 0);
    xs_exp_data_add(d, "a", &v, 0);
    o.expected = NULL;
    CHECK_INT(xs_exp_analyze(d, &o, &r, &e), XS_EINVAL);
    CHECK_STR(xs_error_format(&e, msg, sizeof msg),
              "arm: only one group (\"a\"); at least 2 are needed");
    xs_exp_data_free(d);
}

static void path_of(char *buf, size_t n, const char *name)
{
    const char *src = getenv("XS_SOURCE_DIR");
    snprintf(buf, n, "%s/tests/data/experiment/%s", src ? src : ".", name);
}

static void test_read_errors(void)
{
    char path[1024], msg[1200], want[1400];
    const char *spend[] = {"spend"}, *spnd[] = {"spnd"};
    xs_exp_read_opts o = {.group = "group", .metrics = spend, .n_metrics = 1};
    xs_exp_data *d = NULL;
    xs_error e;
    path_of(path, sizeof path, "bad_number.csv");
    CHECK_INT(xs_exp_data_read(path, &o, &d, &e), XS_EINVAL);
    CHECK(d == NULL);
    snprintf(want, sizeof want, "%s:3: spend: not a number: \"abc\"", path);
    CHECK_STR(xs_error_format(&e, msg, sizeof msg), want);
    o.metrics = spnd;
    CHECK_INT(xs_exp_data_read(path, &o, &d, &e), XS_ENOTFOUND);
    CHECK_STR(xs_error_format(&e, msg, sizeof msg),
              "metric: unknown column \"spnd\" (columns: id, group, spend)");
    o.metrics = spend;
    o.group = "segment";
    CHECK_INT(xs_exp_data_read(path, &o, &d, &e), XS_ENOTFOUND);
    CHECK_STR(e.param, "group");
    o.group = "group";
    o.covariate = "pre";
    CHECK_INT(xs_exp_data_read(path, &o, &d, &e), XS_ENOTFOUND);
    CHECK_STR(e.param, "covariate");
    o.covariate = NULL;
    path_of(path, sizeof path, "empty_label.csv");
    CHECK_INT(xs_exp_data_read(path, &o, &d, &e), XS_EINVAL);
    snprintf(want, sizeof want, "%s:3: group: empty group label", path);
    CHECK_STR(xs_error_format(&e, msg, sizeof msg), want);
    path_of(path, sizeof path, "header_only.csv");
    CHECK_INT(xs_exp_data_read(path, &o, &d, &e), XS_EINVAL);
    snprintf(want, sizeof want, "%s: no data rows", path);
    CHECK_STR(xs_error_format(&e, msg, sizeof msg), want);
    CHECK(xs_exp_data_read("/nonexistent/x.csv", &o, &d, &e) < 0);
    CHECK(d == NULL);
}

static void test_read_small(void)
{
    /* the CLI fixture: group sizes 4 control, 3 holdout, 5 treatment;
     * revenue of treatment 25.5 3 30 18.25 4 -> mean 16.15 */
    char path[1024];
    const char *m[] = {"converted", "revenue"};
    xs_exp_read_opts o = {
        .group = "arm", .metrics = m, .n_metrics = 2, .covariate = "pre_revenue"};
    xs_exp_data *d;
    CHECK_INT(
        xs_exp_data_read((path_of(path, sizeof path, "small.csv"), path), &o, &d, NULL),
        XS_OK);
    CHECK_INT(xs_exp_data_rows(d), 12);
    xs_exp_opts ao = {.control = "control"};
    xs_exp_result *r;
    CHECK_INT(xs_exp_analyze(d, &ao, &r, NULL), XS_OK);
    CHECK_INT(xs_exp_result_n_groups(r), 3);
    CHECK_INT(xs_exp_result_group(r, 0)->n, 4);
    CHECK_STR(xs_exp_result_group(r, 1)->label, "holdout");
    CHECK_INT(xs_exp_result_group(r, 2)->n, 5);
    CHECK_STR(xs_exp_result_row(r, 5)->metric, "revenue");
    CHECK_NEAR(xs_exp_result_row(r, 5)->mean, 16.15, 1e-12);
    CHECK_NEAR(xs_exp_result_row(r, 5)->lift, 16.15 - 13.5 / 4, 1e-12);
    xs_exp_result_free(r);
    xs_exp_data_free(d);
}

static void test_alloc_failures(void)
{
    char path[1024];
    const char *m[] = {"converted", "revenue"};
    xs_exp_read_opts o = {
        .group = "arm", .metrics = m, .n_metrics = 2, .covariate = "pre_revenue"};
    xs_exp_opts ao = {.control = "control", .method = XS_EXP_BOOTSTRAP, .n_boot = 100};
    path_of(path, sizeof path, "small.csv");
    int done = 0;
    for (long n = 0; n < 400 && !done; n++) {
        xs_exp_data *d = NULL;
        xs_exp_result *r = NULL;
        xs__alloc_fail_after(n);
        int rc = xs_exp_data_read(path, &o, &d, NULL);
        if (rc == XS_OK) rc = xs_exp_analyze(d, &ao, &r, NULL);
        xs__alloc_fail_after(-1);
        if (rc == XS_OK)
            done = 1;
        else
            CHECK(rc == XS_ENOMEM || rc == XS_EIO);
        xs_exp_result_free(r);
        xs_exp_data_free(d);
    }
    CHECK(done);
}

/* ---------------------------------------------------------------------- */
/* Hillstrom (Kevin Hillstrom's MineThatData e-mail challenge, 64,000 rows) */
/* ---------------------------------------------------------------------- */

/* The last four fields of a line: segment, visit, conversion, spend (no
 * quotes in them; the quoted history_segment comes earlier). */
static int tail_fields(char *line, char **seg, double *visit)
{
    size_t n = strlen(line);
    while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
        line[--n] = '\0';
    char *c[4];
    for (int k = 0; k < 4; k++) {
        char *p = NULL;
        for (size_t i = n; i-- > 0;)
            if (line[i] == ',') {
                p = line + i;
                break;
            }
        if (!p) return -1;
        c[k] = p;
        *p = '\0';
        n = (size_t)(p - line);
    }
    *seg = c[3] + 1;
    *visit = atof(c[2] + 1);
    return 0;
}

static void test_hillstrom(void)
{
    char path[1024], line[512];
    const char *src = getenv("XS_SOURCE_DIR");
    snprintf(path, sizeof path, "%s/../shared/data/hillstrom/hillstrom.csv",
             src ? src : ".");
    FILE *f = fopen(path, "r");
    if (!f) {
        xs_test_skip_absent(path);
        return;
    }
    /* independent pass: counts and visit sums per segment */
    static const char *seg_names[] = {"Mens E-Mail", "No E-Mail", "Womens E-Mail"};
    long double sum[3] = {0, 0, 0};
    long cnt[3] = {0, 0, 0};
    CHECK(fgets(line, sizeof line, f) != NULL);
    while (fgets(line, sizeof line, f)) {
        char *seg;
        double visit;
        if (tail_fields(line, &seg, &visit) < 0) continue;
        for (int g = 0; g < 3; g++)
            if (!strcmp(seg, seg_names[g])) cnt[g]++, sum[g] += visit;
    }
    fclose(f);
    /* counts verified beforehand with Python's csv module */
    CHECK_INT(cnt[0], 21307);
    CHECK_INT(cnt[1], 21306);
    CHECK_INT(cnt[2], 21387);

    const char *m[] = {"visit", "conversion", "spend"};
    xs_exp_read_opts o = {
        .group = "segment", .metrics = m, .n_metrics = 3, .covariate = "history"};
    xs_exp_data *d;
    xs_error e;
    CHECK_INT(xs_exp_data_read(path, &o, &d, &e), XS_OK);
    if (!d) return;
    CHECK_INT(xs_exp_data_rows(d), 64000);
    xs_exp_opts ao = {.control = "No E-Mail"};
    xs_exp_result *r;
    CHECK_INT(xs_exp_analyze(d, &ao, &r, &e), XS_OK);
    for (int g = 0; g < 3; g++) {
        CHECK_STR(xs_exp_result_group(r, (size_t)g)->label, seg_names[g]);
        CHECK_INT(xs_exp_result_group(r, (size_t)g)->n, cnt[g]);
    }
    /* equal planned split: chi2 = sum (n - 64000/3)^2 / (64000/3) */
    double ex = 64000.0 / 3, chi2 = 0;
    for (int g = 0; g < 3; g++)
        chi2 += (cnt[g] - ex) * (cnt[g] - ex) / ex;
    CHECK_NEAR(xs_exp_result_srm(r)->chi2, chi2, 1e-9);
    CHECK_NEAR(xs_exp_result_srm(r)->p, exp(-chi2 / 2), 1e-12);
    CHECK(!xs_exp_result_srm(r)->flagged);
    long double pc = sum[1] / cnt[1];
    for (int g = 0; g < 3; g += 2) {
        const xs_exp_row *w = xs_exp_result_row(r, (size_t)g);
        long double pt = sum[g] / cnt[g];
        long double se = sqrtl(pt * (1 - pt) / cnt[g] + pc * (1 - pc) / cnt[1]);
        long double pool = (sum[g] + sum[1]) / (cnt[g] + cnt[1]);
        long double se0 = sqrtl(pool * (1 - pool) * (1.0L / cnt[g] + 1.0L / cnt[1]));
        CHECK_STR(w->metric, "visit");
        CHECK_INT(w->method, XS_EXP_PROPORTION);
        CHECK_NEAR(w->mean, (double)pt, 1e-14);
        CHECK_NEAR(w->lift, (double)(pt - pc), 1e-14);
        CHECK_NEAR(w->lift_lo, (double)(pt - pc - Z975 * se), 1e-12);
        CHECK_NEAR(w->lift_hi, (double)(pt - pc + Z975 * se), 1e-12);
        CHECK_NEAR(w->rel, (double)(pt / pc - 1), 1e-12);
        /* p-values this small are compared on a log scale */
        CHECK_NEAR(log(w->p), log(p_normal((double)((pt - pc) / se0))), 1e-6);
    }
    /* published figures (Hillstrom 2008 challenge): visit rates
     * 18.3 % (men), 15.1 % (women), 10.6 % (no e-mail) */
    CHECK_NEAR(xs_exp_result_row(r, 0)->mean, 0.183, 5e-4);
    CHECK_NEAR(xs_exp_result_row(r, 2)->mean, 0.151, 5e-4);
    CHECK_NEAR(xs_exp_result_row(r, 1)->mean, 0.106, 5e-4);
    /* spend is not 0/1: Welch; CUPED on history is set */
    CHECK_INT(xs_exp_result_row(r, 6)->method, XS_EXP_WELCH);
    CHECK(xs_exp_result_row(r, 6)->var_reduction >= 0);
    xs_exp_result_free(r);
    xs_exp_data_free(d);
}

static const xs_test tests[] = {
    {"parse_number", test_parse_number},
    {"mean_var", test_mean_var},
    {"proportion", test_proportion},
    {"welch_published", test_welch_published},
    {"welch_reference", test_welch_reference},
    {"bootstrap", test_bootstrap},
    {"srm", test_srm},
    {"cuped_theta", test_cuped_theta},
    {"cuped_hand", test_cuped_hand},
    {"cuped_extremes", test_cuped_extremes},
    {"analyze_methods", test_analyze_methods},
    {"analyze_errors", test_analyze_errors},
    {"read_errors", test_read_errors},
    {"read_small", test_read_small},
    {"alloc_failures", test_alloc_failures},
    {"data:hillstrom", test_hillstrom},
};

int main(void)
{
    return xs_test_run(tests, XS_N(tests));
}
