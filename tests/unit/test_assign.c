/*
 * test_assign.c — deterministic holdout assignment (src/measure/assign.c):
 * split parsing and its errors, regression anchors (positions and arms of
 * fixed ids, computed once and written here: they must never change, or
 * running experiments would reshuffle), balance over 1,000,000 ids,
 * independence of two strategies, and assignment of a CSV file.
 */
#include "test.h"

#include "base/alloc.h"
#include "measure/assign.h"

#include <gsl/gsl_cdf.h>

static int assign(const xs_exp_split *s, const char *strategy, const char *id)
{
    return xs_exp_assign(s, strategy, id, strlen(id));
}

static void test_split_parse(void)
{
    xs_exp_split s;
    xs_error e;
    char msg[1200];
    CHECK_INT(xs_exp_split_parse("treatment:90,holdout:10", &s, &e), XS_OK);
    CHECK_INT(s.n_arms, 2);
    CHECK_STR(s.name[0], "treatment");
    CHECK_STR(s.name[1], "holdout");
    CHECK_NEAR(s.weight[0], 90, 0);
    CHECK_NEAR(s.weight[1], 10, 0);
    CHECK_INT(xs_exp_split_parse("a,b,c:2.5", &s, &e), XS_OK);
    CHECK_INT(s.n_arms, 3);
    CHECK_NEAR(s.weight[0], 1, 0);
    CHECK_NEAR(s.weight[2], 2.5, 0);
    static const struct {
        const char *spec, *msg;
    } bad[] = {
        {"", "split: empty split"},
        {"a:90,:10", "split: arm without a name: \":10\""},
        {"a:90,b:", "split: bad weight in \"b:\""},
        {"a:90,b:x", "split: weight must be a number > 0: \"b:x\""},
        {"a:90,b:0", "split: weight must be a number > 0: \"b:0\""},
        {"a:90,b:-1", "split: weight must be a number > 0: \"b:-1\""},
        {"a:1,a:2", "split: arm named twice: \"a\""},
        {"a:1,", "split: arm without a name: \"\""},
    };
    for (size_t i = 0; i < XS_N(bad); i++) {
        CHECK_INT(xs_exp_split_parse(bad[i].spec, &s, &e), XS_EINVAL);
        CHECK_STR(xs_error_format(&e, msg, sizeof msg), bad[i].msg);
    }
}

static void test_arm_of(void)
{
    xs_exp_split s;
    xs_exp_split_parse("t:90,h:10", &s, NULL);
    CHECK_INT(xs__measure_exp_arm_of(&s, 0.0), 0);
    CHECK_INT(xs__measure_exp_arm_of(&s, 0.8999999999), 0);
    CHECK_INT(xs__measure_exp_arm_of(&s, 0.9), 1);
    CHECK_INT(xs__measure_exp_arm_of(&s, 0.9999999999), 1);
    xs_exp_split_parse("a:1,b:1,c:2", &s, NULL);
    CHECK_INT(xs__measure_exp_arm_of(&s, 0.24), 0);
    CHECK_INT(xs__measure_exp_arm_of(&s, 0.25), 1);
    CHECK_INT(xs__measure_exp_arm_of(&s, 0.5), 2);
}

static void test_anchors(void)
{
    /* Computed once with this implementation (hash of "strategy:id", seed 0,
     * top 53 bits / 2^53) and frozen. */
    static const struct {
        const char *id;
        double u;
        const char *arm_9010, *arm_112;
    } a[] = {
        {"C000001", 0.41154516864914126, "treatment", "b"},
        {"C000002", 0.20637568725060773, "treatment", "a"},
        {"C000003", 0.25369651463301301, "treatment", "b"},
        {"C000042", 0.87043984319662437, "treatment", "c"},
        {"C123456", 0.54419126112312677, "treatment", "c"},
        {"alice@example.com", 0.1967491495124325, "treatment", "a"},
        {"", 0.83909362761385942, "treatment", "c"},
    };
    xs_exp_split s, s3;
    xs_exp_split_parse("treatment:90,holdout:10", &s, NULL);
    xs_exp_split_parse("a:1,b:1,c:2", &s3, NULL);
    for (size_t i = 0; i < XS_N(a); i++) {
        double u;
        CHECK_INT(xs_exp_unit("spring-upsell", a[i].id, strlen(a[i].id), &u), XS_OK);
        CHECK(u == a[i].u);
        CHECK_STR(s.name[assign(&s, "spring-upsell", a[i].id)], a[i].arm_9010);
        CHECK_STR(s3.name[assign(&s3, "spring-upsell", a[i].id)], a[i].arm_112);
    }
    /* holdouts among C000001..C000060, per strategy */
    static const char *spring[] = {"C000016", "C000021", "C000022",
                                   "C000026", "C000047", "C000050"};
    static const char *winter[] = {"C000022", "C000023", "C000037", "C000041", "C000046"};
    size_t n_spring = 0, n_winter = 0;
    for (int i = 1; i <= 60; i++) {
        char id[16];
        snprintf(id, sizeof id, "C%06d", i);
        if (assign(&s, "spring-upsell", id) == 1) {
            CHECK(n_spring < XS_N(spring) && !strcmp(id, spring[n_spring]));
            n_spring++;
        }
        if (assign(&s, "winter-cross", id) == 1) {
            CHECK(n_winter < XS_N(winter) && !strcmp(id, winter[n_winter]));
            n_winter++;
        }
    }
    CHECK_INT(n_spring, XS_N(spring));
    CHECK_INT(n_winter, XS_N(winter));
    /* the same id and strategy always give the same arm */
    for (int k = 0; k < 100; k++)
        CHECK_INT(assign(&s, "spring-upsell", "C000016"), 1);
}

static void test_long_id(void)
{
    char id[3000];
    memset(id, 'x', sizeof id);
    double u1, u2;
    CHECK_INT(xs_exp_unit("s", id, sizeof id, &u1), XS_OK);
    CHECK_INT(xs_exp_unit("s", id, sizeof id, &u2), XS_OK);
    CHECK(u1 == u2 && u1 >= 0 && u1 < 1);
    xs__alloc_fail_after(0);
    CHECK_INT(xs_exp_unit("s", id, sizeof id, &u2), XS_ENOMEM);
    xs_exp_split s;
    xs_exp_split_parse("a,b", &s, NULL);
    CHECK_INT(xs_exp_assign(&s, "s", id, sizeof id), XS_ENOMEM);
    /* short ids need no allocation */
    CHECK_INT(xs_exp_unit("s", "C1", 2, &u2), XS_OK);
    xs__alloc_fail_after(-1);
}

static void test_balance(void)
{
    /* 1,000,000 ids, 90:10 and 1:1:2: shares within 0.3 percentage points
     * of the plan and a chi-square goodness of fit that does not reject */
    enum { N = 1000000 };
    xs_exp_split s2, s3;
    xs_exp_split_parse("treatment:90,holdout:10", &s2, NULL);
    xs_exp_split_parse("a:1,b:1,c:2", &s3, NULL);
    size_t c2[2] = {0, 0}, c3[3] = {0, 0, 0};
    char id[16];
    for (int i = 0; i < N; i++) {
        int len = snprintf(id, sizeof id, "C%07d", i);
        c2[xs_exp_assign(&s2, "balance-test", id, (size_t)len)]++;
        c3[xs_exp_assign(&s3, "balance-3", id, (size_t)len)]++;
    }
    double p2[] = {0.9, 0.1}, p3[] = {0.25, 0.25, 0.5}, chi2 = 0, chi3 = 0;
    for (int k = 0; k < 2; k++) {
        CHECK_NEAR((double)c2[k] / N, p2[k], 0.003);
        chi2 += ((double)c2[k] - N * p2[k]) * ((double)c2[k] - N * p2[k]) / (N * p2[k]);
    }
    for (int k = 0; k < 3; k++) {
        CHECK_NEAR((double)c3[k] / N, p3[k], 0.003);
        chi3 += ((double)c3[k] - N * p3[k]) * ((double)c3[k] - N * p3[k]) / (N * p3[k]);
    }
    CHECK(gsl_cdf_chisq_Q(chi2, 1) > 0.001);
    CHECK(gsl_cdf_chisq_Q(chi3, 2) > 0.001);
}

static void test_independence(void)
{
    /* two strategies over 400,000 ids: the joint distribution of arms is the
     * product of the margins (chi-square test of independence on the 2x2
     * table; every joint share within 0.3 points of the product) */
    enum { N = 400000 };
    xs_exp_split s;
    xs_exp_split_parse("treatment:80,holdout:20", &s, NULL);
    double t[2][2] = {{0, 0}, {0, 0}};
    char id[16];
    for (int i = 0; i < N; i++) {
        int len = snprintf(id, sizeof id, "C%07d", i);
        int a = xs_exp_assign(&s, "spring-upsell", id, (size_t)len);
        int b = xs_exp_assign(&s, "winter-cross", id, (size_t)len);
        t[a][b]++;
    }
    double row[2] = {t[0][0] + t[0][1], t[1][0] + t[1][1]};
    double col[2] = {t[0][0] + t[1][0], t[0][1] + t[1][1]};
    double chi = 0;
    for (int a = 0; a < 2; a++)
        for (int b = 0; b < 2; b++) {
            double e = row[a] * col[b] / N;
            chi += (t[a][b] - e) * (t[a][b] - e) / e;
            CHECK_NEAR(t[a][b] / N, (row[a] / N) * (col[b] / N), 0.003);
        }
    CHECK(gsl_cdf_chisq_Q(chi, 1) > 0.001);
    /* holdout of both: about 0.2 * 0.2 */
    CHECK_NEAR(t[1][1] / N, 0.04, 0.003);
}

typedef struct seen {
    size_t n;
    int ok;
    const xs_exp_split *s;
} seen;

static int on_unit(void *ctx, const char *id, size_t len, size_t arm)
{
    seen *v = ctx;
    v->n++;
    if ((int)arm != xs_exp_assign(v->s, "spring-upsell", id, len)) v->ok = 0;
    return XS_OK;
}

static int stop_at_two(void *ctx, const char *id, size_t len, size_t arm)
{
    (void)id, (void)len, (void)arm;
    return ++((seen *)ctx)->n == 2 ? XS_ERANGE : XS_OK;
}

static void test_assign_file(void)
{
    char path[1024], want[1200], msg[1200];
    const char *src = getenv("XS_SOURCE_DIR");
    snprintf(path, sizeof path, "%s/tests/data/experiment/small.csv", src ? src : ".");
    xs_exp_split s;
    xs_exp_split_parse("treatment:90,holdout:10", &s, NULL);
    seen v = {0, 1, &s};
    xs_error e;
    CHECK_INT(
        xs_exp_assign_file(path, 0, "customer_id", "spring-upsell", &s, on_unit, &v, &e),
        12);
    CHECK_INT(v.n, 12);
    CHECK(v.ok);
    CHECK_INT(xs_exp_assign_file(path, 0, "cid", "spring-upsell", &s, on_unit, &v, &e),
              XS_ENOTFOUND);
    CHECK_STR(xs_error_format(&e, msg, sizeof msg), "id: unknown column \"cid\"");
    v.n = 0;
    CHECK_INT(xs_exp_assign_file(path, 0, "customer_id", "x", &s, stop_at_two, &v, &e),
              XS_ERANGE);
    snprintf(path, sizeof path, "%s/tests/data/experiment/empty_id.csv", src ? src : ".");
    CHECK_INT(xs_exp_assign_file(path, 0, "customer_id", "x", &s, on_unit, &v, &e),
              XS_EINVAL);
    snprintf(want, sizeof want, "%s:4: customer_id: empty id", path);
    CHECK_STR(xs_error_format(&e, msg, sizeof msg), want);
}

static const xs_test tests[] = {
    {"split_parse", test_split_parse}, {"arm_of", test_arm_of},
    {"anchors", test_anchors},         {"long_id", test_long_id},
    {"balance", test_balance},         {"independence", test_independence},
    {"assign_file", test_assign_file},
};

int main(void)
{
    return xs_test_run(tests, XS_N(tests));
}
