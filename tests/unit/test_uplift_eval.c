/*
 * test_uplift_eval.c — the uplift metrics (src/measure/uplift_eval_metrics.c)
 * against values worked out by hand from scikit-uplift's definitions, the
 * tie convention of uplift@k, multiplicities against repeated rows, and the
 * held-out evaluation (split / folds, seeded, stratified).
 */
#include "measure/uplift_eval.h"
#include "score/uplift.h"

#include "base/rng.h"
#include "test.h"

#include <unistd.h>

/*
 * Six rows, each its own uplift value (worked in docs/uplift.md):
 *   row  uplift  w  y
 *    0    0.9    1  1
 *    1    0.8    0  0
 *    2    0.7    1  0
 *    3    0.5    0  1
 *    4    0.3    1  1
 *    5    0.1    0  0
 * Qini points (0,0) (1,1) (2,1) (3,1) (4,0) (5,0.5) (6,1): area 4, random
 * 6 x 1 / 2 = 3; perfect Qini (treated responders, then the zeros, then
 * the control responder) (2,2) (5,2) (6,1): area 9.5; Qini = 1 / 6.5.
 * Uplift curve (1,1) (2,2) (3,1.5) (4,0) (5,5/6) (6,2): area 19/3, random
 * 6; perfect (1 control responder is not more than 1 treated
 * non-responder: treated responders, control non-responders, treated
 * non-responder, control responder) (2,2) (4,4) (5,10/3) (6,2): area 43/3;
 * AUUC = (1/3) / (25/3) = 0.04.
 */
static const double U6[] = {0.9, 0.8, 0.7, 0.5, 0.3, 0.1};
static const unsigned char W6[] = {1, 0, 1, 0, 1, 0};
static const unsigned char Y6[] = {1, 0, 0, 1, 1, 0};

static void test_qini_by_hand(void)
{
    CHECK_NEAR(xs_uplift_qini(U6, Y6, W6, 6), 1 / 6.5, 1e-12);
}

static void test_auuc_by_hand(void)
{
    CHECK_NEAR(xs_uplift_auuc(U6, Y6, W6, 6), 0.04, 1e-12);
}

static void test_at_k_by_hand(void)
{
    /* overall k=0.5: the top floor(3) rows 0,1,2: treated 1/2, control 0/1 */
    CHECK_NEAR(xs_uplift_at_k(U6, Y6, W6, 6, 0.5, XS_UPLIFT_OVERALL), 0.5, 1e-12);
    /* by_group k=0.5: floor(1.5) = 1 per arm: row 0 (1) and row 1 (0) */
    CHECK_NEAR(xs_uplift_at_k(U6, Y6, W6, 6, 0.5, XS_UPLIFT_BY_GROUP), 1.0, 1e-12);
    /* k = 0.7: overall the top 4 (rows 0-3): 1/2 - 1/2 = 0; by group the top
     * 2 per arm: treated 0,2 -> 1/2; control 1,3 -> 1/2 */
    CHECK_NEAR(xs_uplift_at_k(U6, Y6, W6, 6, 0.7, XS_UPLIFT_OVERALL), 0.0, 1e-12);
    CHECK_NEAR(xs_uplift_at_k(U6, Y6, W6, 6, 0.7, XS_UPLIFT_BY_GROUP), 0.0, 1e-12);
    /* too few rows for an arm: undefined (numpy's mean of nothing) */
    CHECK(isnan(xs_uplift_at_k(U6, Y6, W6, 6, 0.2, XS_UPLIFT_OVERALL)));
    CHECK(isnan(xs_uplift_at_k(U6, Y6, W6, 6, 0.3, XS_UPLIFT_BY_GROUP)));
}

/* Equal predictions: the curves take the tie group whole, uplift@k takes
 * the tied rows in reverse row order (numpy's stable argsort reversed). */
static void test_ties(void)
{
    const double u[] = {0.5, 0.5, 0.5, 0.5};
    const unsigned char w[] = {1, 0, 1, 0}, y[] = {1, 0, 0, 1};
    /* rows 3 (control, 1) and 2 (treated, 0): 0 - 1 */
    CHECK_NEAR(xs_uplift_at_k(u, y, w, 4, 0.5, XS_UPLIFT_OVERALL), -1.0, 1e-12);
    /* one point (4, 1 - 1 x 2/2 = 0): area 0 = random; perfect area 3 */
    CHECK_NEAR(xs_uplift_qini(u, y, w, 4), 0.0, 1e-12);
    /* a perfect model reaches 1 on both areas */
    const double p[] = {1, 0, 0, -1};
    CHECK_NEAR(xs_uplift_qini(p, y, w, 4), 1.0, 1e-12);
    /* perfect uplift order: 1 control responder is not more than 1 treated
     * non-responder, so treated non-responders come third */
    const double pu[] = {3, 2, 1, 0};
    CHECK_NEAR(xs_uplift_auuc(pu, y, w, 4), 1.0, 1e-12);
}

static void test_undefined(void)
{
    const unsigned char w1[] = {1, 1}, y1[] = {1, 0};
    const double u[] = {0.2, 0.1};
    CHECK(isnan(xs_uplift_qini(u, y1, w1, 0)));
    CHECK(isnan(xs_uplift_at_k(u, y1, w1, 2, 0.5, XS_UPLIFT_OVERALL)));
}

/* Row multiplicities equal the rows repeated: the bootstrap's shortcut. */
static void test_counts_equal_repeats(void)
{
    enum { N = 200 };
    static double u[N], u2[2 * N];
    static unsigned char y[N], w[N], y2[2 * N], w2[2 * N];
    static size_t ord[N], ord2[2 * N];
    static uint32_t cnt[N];
    xs__rng r;
    xs__rng_seed(&r, 5);
    size_t m = 0;
    for (size_t i = 0; i < N; i++) {
        u[i] = (double)xs__rng_below(&r, 20) / 20; /* many ties */
        w[i] = (unsigned char)xs__rng_below(&r, 2);
        y[i] = (unsigned char)(xs__rng_uniform(&r) < 0.3 + 0.2 * w[i] * u[i]);
        cnt[i] = (uint32_t)xs__rng_below(&r, 3); /* 0, 1 or 2 copies */
        ord[i] = i;
    }
    CHECK_INT(xs__measure_uplift_order(u, ord, N), XS_OK);
    /* the repeated table lists copies in the same order, each copy a row of
     * its own whose index keeps the original's rank among ties */
    for (size_t j = 0; j < N; j++) {
        size_t i = ord[j];
        for (uint32_t c = 0; c < cnt[i]; c++) {
            u2[m] = u[i];
            w2[m] = w[i];
            y2[m] = y[i];
            ord2[m] = m;
            m++;
        }
    }
    uint32_t cnt_ord[N];
    for (size_t j = 0; j < N; j++)
        cnt_ord[j] = cnt[ord[j]];
    xs__measure_uplift_scores a, b;
    xs__measure_uplift_scores_of(u, y, w, ord, cnt_ord, N, 0.3, &a);
    xs__measure_uplift_scores_of(u2, y2, w2, ord2, NULL, m, 0.3, &b);
    CHECK_NEAR(a.qini, b.qini, 1e-12);
    CHECK_NEAR(a.auuc, b.auuc, 1e-12);
    CHECK_NEAR(a.at_k_overall, b.at_k_overall, 1e-12);
    CHECK_NEAR(a.at_k_by_group, b.at_k_by_group, 1e-12);
    CHECK_NEAR(a.random, b.random, 1e-12);
    /* and the public entry points agree with the internal pass (no counts) */
    xs__measure_uplift_scores c;
    size_t ord3[N];
    for (size_t i = 0; i < N; i++)
        ord3[i] = i;
    CHECK_INT(xs__measure_uplift_order(u, ord3, N), XS_OK);
    xs__measure_uplift_scores_of(u, y, w, ord3, NULL, N, 0.3, &c);
    CHECK_NEAR(c.qini, xs_uplift_qini(u, y, w, N), 1e-15);
    CHECK_NEAR(c.auuc, xs_uplift_auuc(u, y, w, N), 1e-15);
    CHECK_NEAR(c.at_k_overall, xs_uplift_at_k(u, y, w, N, 0.3, XS_UPLIFT_OVERALL), 1e-15);
}

/* ---- brute force: the definitions taken literally, O(n^2) ------------- */

/* Area of a curve whose points are the rows with score >= each distinct
 * score, highest first, plus (0, 0). */
static double brute_area(const double *s, const unsigned char *y, const unsigned char *w,
                         size_t n, int uplift_curve, double *x_end, double *v_end)
{
    double px = 0, pv = 0, area = 0, prev = INFINITY;
    for (;;) {
        double next = -INFINITY; /* the largest score below prev */
        for (size_t i = 0; i < n; i++)
            if (s[i] < prev && s[i] > next) next = s[i];
        if (next == -INFINITY) break;
        double nt = 0, nc = 0, yt = 0, yc = 0;
        for (size_t i = 0; i < n; i++)
            if (s[i] >= next) {
                if (w[i])
                    nt++, yt += y[i];
                else
                    nc++, yc += y[i];
            }
        double v = uplift_curve ? ((nt ? yt / nt : 0) - (nc ? yc / nc : 0)) * (nt + nc)
                                : yt - (nc ? yc * nt / nc : 0);
        area += (nt + nc - px) * (v + pv) / 2;
        px = nt + nc;
        pv = v;
        prev = next;
    }
    *x_end = px;
    *v_end = pv;
    return area;
}

static double brute_norm(const double *u, const unsigned char *y, const unsigned char *w,
                         size_t n, int uplift_curve)
{
    double *ps = malloc(n * sizeof *ps), x, v;
    size_t cr = 0, tn = 0;
    for (size_t i = 0; i < n; i++) {
        cr += y[i] && !w[i];
        tn += !y[i] && w[i];
    }
    for (size_t i = 0; i < n; i++)
        ps[i] = !uplift_curve ? (double)y[i] * (2.0 * w[i] - 1)
                              : 2.0 * (y[i] == w[i]) + (cr > tn ? y[i] : w[i]);
    double perf = brute_area(ps, y, w, n, uplift_curve, &x, &v);
    double act = brute_area(u, y, w, n, uplift_curve, &x, &v);
    free(ps);
    return (act - x * v / 2) / (perf - x * v / 2);
}

/* uplift@k: repeatedly pick the best remaining row (ties: the later row). */
static double brute_at_k(const double *u, const unsigned char *y, const unsigned char *w,
                         size_t n, double k, int by_group)
{
    unsigned char *used = calloc(n, 1);
    size_t nt_all = 0;
    for (size_t i = 0; i < n; i++)
        nt_all += w[i];
    size_t want_all = (size_t)floor((double)n * k),
           want_t = (size_t)floor((double)nt_all * k),
           want_c = (size_t)floor((double)(n - nt_all) * k);
    double nt = 0, nc = 0, yt = 0, yc = 0;
    for (size_t taken = 0; taken < n; taken++) {
        size_t best = n;
        for (size_t i = 0; i < n; i++)
            if (!used[i] && (best == n || u[i] >= u[best])) best = i;
        used[best] = 1;
        if (!by_group) {
            if (taken >= want_all) break;
        } else if (w[best] ? nt >= (double)want_t : nc >= (double)want_c) {
            continue;
        }
        if (w[best])
            nt++, yt += y[best];
        else
            nc++, yc += y[best];
    }
    free(used);
    return nt && nc ? yt / nt - yc / nc : NAN;
}

static void test_brute_force(void)
{
    enum { N = 700 };
    static double u[N];
    static unsigned char y[N], w[N];
    xs__rng r;
    for (uint64_t seed = 1; seed <= 6; seed++) {
        xs__rng_seed(&r, seed);
        size_t n = 40 + (size_t)xs__rng_below(&r, N - 40);
        double pt = 0.2 + 0.6 * xs__rng_uniform(&r);
        for (size_t i = 0; i < n; i++) {
            /* seeds 1-3: many ties; 4-6: distinct values */
            u[i] = seed <= 3 ? (double)xs__rng_below(&r, 12) / 12 - 0.3
                             : xs__rng_uniform(&r) - 0.4;
            w[i] = xs__rng_uniform(&r) < pt;
            y[i] = xs__rng_uniform(&r) < 0.25 + (w[i] ? 0.3 * u[i] : 0);
        }
        CHECK_NEAR(xs_uplift_qini(u, y, w, n), brute_norm(u, y, w, n, 0), 1e-9);
        CHECK_NEAR(xs_uplift_auuc(u, y, w, n), brute_norm(u, y, w, n, 1), 1e-9);
        double ks[] = {0.1, 0.3, 0.55};
        for (size_t j = 0; j < 3; j++) {
            double a = xs_uplift_at_k(u, y, w, n, ks[j], XS_UPLIFT_OVERALL),
                   b = brute_at_k(u, y, w, n, ks[j], 0);
            CHECK(isnan(a) ? isnan(b) : fabs(a - b) < 1e-12);
            a = xs_uplift_at_k(u, y, w, n, ks[j], XS_UPLIFT_BY_GROUP);
            b = brute_at_k(u, y, w, n, ks[j], 1);
            CHECK(isnan(a) ? isnan(b) : fabs(a - b) < 1e-12);
        }
    }
}

/* ---- evaluation on a generated experiment with a planted uplift ------- */

static char tmpdir[64];

static const char *planted_file(void)
{
    static char path[128];
    if (path[0]) return path;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/xs_uplift_eval_XXXXXX");
    if (!mkdtemp(tmpdir)) abort();
    snprintf(path, sizeof path, "%s/planted.csv", tmpdir);
    FILE *f = fopen(path, "w");
    if (!f) abort();
    xs__rng r;
    xs__rng_seed(&r, 99);
    fprintf(f, "seg,x,arm,y\n");
    for (int i = 0; i < 3000; i++) {
        int seg = (int)xs__rng_below(&r, 3), t = xs__rng_uniform(&r) < 0.5;
        double x = xs__rng_uniform(&r);
        double p = 0.3 + 0.2 * x + (t ? (seg == 0 ? 0.3 : seg == 1 ? 0 : -0.2) : 0);
        fprintf(f, "%c,%.3f,%s,%d\n", "abc"[seg], x, t ? "T" : "C",
                xs__rng_uniform(&r) < p);
    }
    fclose(f);
    return path;
}

static xs_uplift_data *read_planted(void)
{
    xs_uplift_read_opts o = {
        .treatment_col = "arm", .treatment = "T", .control = "C", .outcome = "y"};
    xs_uplift_data *d = NULL;
    xs_error e;
    CHECK_INT(xs_uplift_data_read(planted_file(), &o, &d, &e), XS_OK);
    return d;
}

static void test_eval_split_and_folds(void)
{
    xs_uplift_data *d = read_planted();
    if (!d) return;
    xs_uplift_eval_opts o;
    xs_uplift_eval_opts_init(&o);
    o.params.xgb.rounds = 30;
    o.n_boot = 50;
    xs_uplift_eval_result r, r2;
    xs_error e;
    CHECK_INT(xs_uplift_eval(d, &o, &r, &e), XS_OK);
    CHECK_INT(r.n_parts, 1);
    CHECK_INT(r.n_train + r.n_test, 3000);
    /* stratified halves: within one row per (arm, outcome) cell */
    CHECK(r.n_test >= 1498 && r.n_test <= 1502);
    /* a planted effect of +0.3 / 0 / -0.2: the model ranks far above random */
    CHECK(r.qini.value > 0.08);
    CHECK(r.auuc.value > 0.08);
    CHECK(r.at_k_overall.value > r.random.value + 0.1);
    CHECK(r.qini.lo <= r.qini.value && r.qini.value <= r.qini.hi);
    CHECK(r.at_k_by_group.lo < r.at_k_by_group.hi);
    /* the same seed gives the same numbers; another seed other ones */
    CHECK_INT(xs_uplift_eval(d, &o, &r2, &e), XS_OK);
    CHECK(r2.qini.value == r.qini.value && r2.qini.lo == r.qini.lo);
    o.seed = 7;
    CHECK_INT(xs_uplift_eval(d, &o, &r2, &e), XS_OK);
    CHECK(r2.qini.value != r.qini.value);
    /* folds: every row tested once */
    o.folds = 3;
    o.params.learner = XS_UPLIFT_CLASS_TRANSFORM;
    CHECK_INT(xs_uplift_eval(d, &o, &r2, &e), XS_OK);
    CHECK_INT(r2.n_parts, 3);
    CHECK_INT(r2.n_test, 3000);
    CHECK_INT(r2.n_train, 2000);
    CHECK(r2.qini.value > 0.08);
    /* bad settings */
    o.folds = 1;
    CHECK_INT(xs_uplift_eval(d, &o, &r2, &e), XS_EINVAL);
    CHECK_STR(e.param, "folds");
    CHECK_STR(e.message, "1 folds for 3000 rows: need 2 <= folds <= rows");
    o.folds = 0;
    o.k = 1;
    CHECK_INT(xs_uplift_eval(d, &o, &r2, &e), XS_EINVAL);
    CHECK_STR(e.param, "k");
    CHECK_STR(e.message, "must be in (0, 1)");
    xs_uplift_data_free(d);
}

static const xs_test tests[] = {
    {"qini_by_hand", test_qini_by_hand},
    {"auuc_by_hand", test_auuc_by_hand},
    {"at_k_by_hand", test_at_k_by_hand},
    {"ties", test_ties},
    {"undefined", test_undefined},
    {"counts_equal_repeats", test_counts_equal_repeats},
    {"brute_force", test_brute_force},
    {"eval_split_and_folds", test_eval_split_and_folds},
};

int main(void)
{
    int rc = xs_test_run(tests, XS_N(tests));
    if (tmpdir[0]) {
        char p[128];
        snprintf(p, sizeof p, "%s/planted.csv", tmpdir);
        unlink(p);
        rmdir(tmpdir);
    }
    return rc;
}
