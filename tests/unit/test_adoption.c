/*
 * test_adoption.c — Kaplan–Meier adoption curves: a hand-computed example
 * with censoring and ties, the Greenwood / log-log band, the median, the
 * exclusion rule, horizons, and every pair of random inputs against a
 * direct (per-customer) Kaplan–Meier computation.
 */
#include "test.h"

#include "base/alloc.h"
#include "base/rng.h"
#include "mine/adoption.h"

/* Adds one customer: items "X" with days, NULL-terminated name list. */
static void add_customer(struct xs_adoption_input *in, int32_t end,
                         const char *const *names, const int32_t *days)
{
    for (size_t i = 0; names[i]; i++)
        CHECK_INT(xs__mine_adoption_input_add(in, names[i], strlen(names[i]), days[i]),
                  XS_OK);
    CHECK_INT(xs__mine_adoption_input_end(in, end), XS_OK);
}

/*
 * The hand example. Customers holding A (day A, day B or -, end):
 *   c1  100 110 500  event   t=10
 *   c2  100 110 500  event   t=10   (tied events)
 *   c3  100  -  110  censored t=10  (censoring tied with the events)
 *   c4  200 220 500  event   t=20
 *   c5   50  -   80  censored t=30
 *   c6  100 140 500  event   t=40
 *   c7  100  90 500  excluded: had B before A
 *   c8  100 100 500  excluded: got B the same day as A
 *   c9  100 600 500  censored t=400 (adopted B after its observation end)
 *   c10 300  -  350  censored t=50
 * plus c11 holding only B (not in A's cohort).
 * Cohort: 8 (10 holders, 2 excluded). Times 10E 10E 10C 20E 30C 40E 50C 400C.
 *   t=10: n=8 (c3, censored at 10, is still at risk), d=2: S = 6/8 = 0.75,
 *         Greenwood sum g = 2/(8*6) = 1/24
 *   t=20: n=5 (20,30,40,50,400), d=1: S = 0.75 * 4/5 = 0.6,
 *         g = 1/24 + 1/(5*4) = 11/120
 *   t=40: n=3 (40,50,400), d=1: S = 0.6 * 2/3 = 0.4,
 *         g = 11/120 + 1/(3*2) = 31/120
 * Adoption 1-S: 0.25, 0.4, 0.6; median 40 (first >= 0.5); longest
 * follow-up 400.
 * Band (log-log): se = sqrt(g) / |ln S|, adoption band
 * [1 - S^exp(-z se), 1 - S^exp(z se)], z = 1.959964:
 *   t=10: se = 0.204124/0.287682 = 0.709548 -> [0.069102, 0.685193]
 *   t=20: se = 0.302765/0.510826 = 0.592697 -> [0.147746, 0.804504]
 *   t=40: se = 0.508265/0.916291 = 0.554698 -> [0.265775, 0.933970]
 */
static void build_example(struct xs_adoption_input *in)
{
    xs__mine_adoption_input_init(in);
    const char *ab[] = {"A", "B", NULL}, *a[] = {"A", NULL}, *b[] = {"B", NULL};
    add_customer(in, 500, ab, (int32_t[]){100, 110});
    add_customer(in, 500, ab, (int32_t[]){100, 110});
    add_customer(in, 110, a, (int32_t[]){100});
    add_customer(in, 500, ab, (int32_t[]){200, 220});
    add_customer(in, 80, a, (int32_t[]){50});
    add_customer(in, 500, ab, (int32_t[]){100, 140});
    add_customer(in, 500, ab, (int32_t[]){100, 90});
    add_customer(in, 500, ab, (int32_t[]){100, 100});
    add_customer(in, 500, ab, (int32_t[]){100, 600});
    add_customer(in, 350, a, (int32_t[]){300});
    add_customer(in, 500, b, (int32_t[]){10});
}

static void test_hand_example(void)
{
    struct xs_adoption_input in;
    build_example(&in);
    int32_t h[] = {5, 10, 30, 400, 401};
    xs_adoption_opts o = {.from = "A", .to = "B", .horizons = h, .n_horizons = 5};
    xs_adoption *r = NULL;
    xs_error e;
    CHECK_INT(xs_adoption_compute(&in, &o, &r, &e), XS_OK);
    CHECK_INT(xs_adoption_count(r), 1);
    const xs_adoption_curve *c = xs_adoption_get(r, 0);
    CHECK_STR(c->from, "A");
    CHECK_STR(c->to, "B");
    CHECK_INT(c->n_holders, 10);
    CHECK_INT(c->n_excluded, 2);
    CHECK_INT(c->n_cohort, 8);
    CHECK_INT(c->n_events, 4);
    CHECK_INT(c->max_t, 400);
    CHECK_INT(c->median, 40);
    CHECK_INT(c->n_points, 3);
    int32_t t[] = {10, 20, 40};
    size_t n[] = {8, 5, 3}, d[] = {2, 1, 1};
    double ad[] = {0.25, 0.4, 0.6};
    double lo[] = {0.06910168290937246, 0.14774565423779107, 0.2657746550082174};
    double hi[] = {0.6851928862944809, 0.8045041339150021, 0.9339702256724639};
    for (size_t i = 0; i < 3 && i < c->n_points; i++) {
        CHECK_INT(c->points[i].t, t[i]);
        CHECK_INT(c->points[i].at_risk, n[i]);
        CHECK_INT(c->points[i].events, d[i]);
        CHECK_NEAR(c->points[i].adopted, ad[i], 1e-12);
        CHECK_NEAR(c->points[i].lo, lo[i], 1e-9);
        CHECK_NEAR(c->points[i].hi, hi[i], 1e-9);
    }
    /* horizons: before the first event 0; at 10 and 30 the step values;
     * 400 = longest follow-up; 401 beyond it: not estimable */
    CHECK_NEAR(c->share[0], 0.0, 0);
    CHECK_NEAR(c->share_lo[0], 0.0, 0);
    CHECK_NEAR(c->share_hi[0], 0.0, 0);
    CHECK_NEAR(c->share[1], 0.25, 1e-12);
    CHECK_NEAR(c->share_lo[1], lo[0], 1e-9);
    CHECK_NEAR(c->share[2], 0.4, 1e-12);
    CHECK_NEAR(c->share_hi[2], hi[1], 1e-9);
    CHECK_NEAR(c->share[3], 0.6, 1e-12);
    CHECK(isnan(c->share[4]));
    CHECK(isnan(c->share_lo[4]));
    xs_adoption_free(r);

    /* the reverse pair B -> A: holders of B are c1 c2 c4 c6 c7 c8 c9 c11.
     * A before or with B: c1 c2 c4 c6 c8 c9 excluded; c7 got A at 100 after
     * B at 90: event t=10; c11 never: censored at 490. S: n=2, d=1 -> 0.5,
     * so the median is 10; Greenwood 1/(2*1) */
    o.from = "B";
    o.to = "A";
    CHECK_INT(xs_adoption_compute(&in, &o, &r, &e), XS_OK);
    c = xs_adoption_get(r, 0);
    CHECK_INT(c->n_holders, 8);
    CHECK_INT(c->n_excluded, 6);
    CHECK_INT(c->n_cohort, 2);
    CHECK_INT(c->n_points, 1);
    CHECK_INT(c->points[0].at_risk, 2);
    CHECK_NEAR(c->points[0].adopted, 0.5, 1e-15);
    CHECK_INT(c->median, 10);
    CHECK_INT(c->max_t, 490);
    xs_adoption_free(r);
    xs__mine_adoption_input_clear(&in);
}

/* Everyone at risk adopts: S reaches 0, band collapses, median set. */
static void test_all_adopt(void)
{
    struct xs_adoption_input in;
    xs__mine_adoption_input_init(&in);
    const char *ab[] = {"A", "B", NULL};
    add_customer(&in, 100, ab, (int32_t[]){0, 5});
    add_customer(&in, 100, ab, (int32_t[]){0, 7});
    int32_t h[] = {6, 100};
    xs_adoption_opts o = {.from = "A", .to = "B", .horizons = h, .n_horizons = 2};
    xs_adoption *r;
    CHECK_INT(xs_adoption_compute(&in, &o, &r, NULL), XS_OK);
    const xs_adoption_curve *c = xs_adoption_get(r, 0);
    /* beyond the longest follow-up (7) the share is known: everyone adopted */
    CHECK_NEAR(c->share[0], 0.5, 0);
    CHECK_NEAR(c->share[1], 1.0, 0);
    CHECK_NEAR(c->share_lo[1], 1.0, 0);
    /* t=5: n=2 d=1 S=0.5; t=7: n=1 d=1 S=0 */
    CHECK_INT(c->n_points, 2);
    CHECK_NEAR(c->points[0].adopted, 0.5, 0);
    CHECK_INT(c->median, 5);
    CHECK_NEAR(c->points[1].adopted, 1.0, 0);
    CHECK_NEAR(c->points[1].lo, 1.0, 0);
    CHECK_NEAR(c->points[1].hi, 1.0, 0);
    CHECK_INT(c->max_t, 7);
    xs_adoption_free(r);

    /* no adopter: curve flat, no median; all-pairs mode leaves the pair out */
    o.from = "B";
    o.to = "A";
    CHECK_INT(xs_adoption_compute(&in, &o, &r, NULL), XS_OK);
    c = xs_adoption_get(r, 0);
    CHECK_INT(c->n_cohort, 0);
    CHECK_INT(c->n_points, 0);
    CHECK_INT(c->median, -1);
    xs_adoption_free(r);
    xs_adoption_opts all = {0};
    CHECK_INT(xs_adoption_compute(&in, &all, &r, NULL), XS_OK);
    CHECK_INT(xs_adoption_count(r), 1);
    CHECK_STR(xs_adoption_get(r, 0)->from, "A");
    xs_adoption_free(r);
    xs__mine_adoption_input_clear(&in);
}

static void test_errors_and_filters(void)
{
    struct xs_adoption_input in;
    build_example(&in);
    xs_adoption *r = (xs_adoption *)1;
    xs_error e;
    xs_adoption_opts o = {.from = "nope"};
    CHECK_INT(xs_adoption_compute(&in, &o, &r, &e), XS_ENOTFOUND);
    CHECK(r == NULL);
    CHECK_STR(e.param, "from");
    CHECK_STR(e.message, "unknown item \"nope\"");
    o.from = NULL;
    o.to = "x\"y";
    CHECK_INT(xs_adoption_compute(&in, &o, &r, &e), XS_ENOTFOUND);
    CHECK_STR(e.param, "to");
    CHECK_STR(e.message, "unknown item \"x\\\"y\"");
    int32_t bad[] = {30, -1};
    xs_adoption_opts ob = {.horizons = bad, .n_horizons = 2};
    CHECK_INT(xs_adoption_compute(&in, &ob, &r, &e), XS_EINVAL);
    CHECK_STR(e.message, "horizon -1 is negative");

    /* all pairs: A->B (10 holders) and B->A (8 holders) */
    int32_t h[] = {30};
    xs_adoption_opts all = {.horizons = h, .n_horizons = 1};
    CHECK_INT(xs_adoption_compute(&in, &all, &r, &e), XS_OK);
    CHECK_INT(xs_adoption_count(r), 2);
    /* ordered by share at 30 days: B->A 0.5, then A->B 0.4 */
    CHECK_STR(xs_adoption_get(r, 0)->from, "B");
    CHECK_STR(xs_adoption_get(r, 1)->from, "A");
    CHECK(xs_adoption_get(r, 2) == NULL);
    xs_adoption_free(r);
    all.min_customers = 9;
    CHECK_INT(xs_adoption_compute(&in, &all, &r, &e), XS_OK);
    CHECK_INT(xs_adoption_count(r), 1);
    CHECK_STR(xs_adoption_get(r, 0)->from, "A");
    xs_adoption_free(r);
    all.min_customers = 11;
    CHECK_INT(xs_adoption_compute(&in, &all, &r, &e), XS_OK);
    CHECK_INT(xs_adoption_count(r), 0);
    xs_adoption_free(r);
    xs__mine_adoption_input_clear(&in);
}

/* Direct Kaplan–Meier for one pair from per-customer (time, event) lists. */
typedef struct ref_point {
    int32_t t;
    size_t n, d;
    double adopted;
} ref_point;

static size_t ref_km(const struct xs_adoption_input *in, uint32_t a, uint32_t b,
                     ref_point *pts, size_t *n_cohort, size_t *n_excl, size_t *n_hold,
                     int32_t *max_t)
{
    size_t n = 0, cap = in->n_customers;
    int32_t *t = malloc((cap + 1) * sizeof *t);
    int *ev = malloc((cap + 1) * sizeof *ev);
    *n_excl = *n_hold = 0;
    *max_t = -1;
    for (size_t c = 0; c < in->n_customers; c++) {
        int32_t da = -1, db = -1;
        int ha = 0, hb = 0;
        for (size_t i = in->off[c]; i < in->off[c + 1]; i++) {
            if (in->item[i] == a) ha = 1, da = in->day[i];
            if (in->item[i] == b) hb = 1, db = in->day[i];
        }
        if (!ha) continue;
        (*n_hold)++;
        if (hb && db <= da) {
            (*n_excl)++;
            continue;
        }
        int32_t cens = in->end[c] - da;
        if (cens < 0) cens = 0;
        if (hb && db - da <= cens)
            t[n] = db - da, ev[n] = 1;
        else
            t[n] = cens, ev[n] = 0;
        if (t[n] > *max_t) *max_t = t[n];
        n++;
    }
    *n_cohort = n;
    size_t np = 0;
    double s = 1;
    for (int32_t tt = 0; tt <= *max_t; tt++) {
        size_t at = 0, d = 0;
        for (size_t k = 0; k < n; k++) {
            if (t[k] >= tt) at++;
            if (t[k] == tt && ev[k]) d++;
        }
        if (!d) continue;
        s = at > d ? s * (1.0 - (double)d / (double)at) : 0.0;
        pts[np].t = tt;
        pts[np].n = at;
        pts[np].d = d;
        pts[np].adopted = 1.0 - s;
        np++;
    }
    free(t);
    free(ev);
    return np;
}

static void test_random_vs_direct(void)
{
    xs__rng r;
    xs__rng_seed(&r, 42);
    static const char *names[] = {"p0", "p1", "p2", "p3", "p4"};
    ref_point pts[200];
    for (int rep = 0; rep < 200; rep++) {
        struct xs_adoption_input in;
        xs__mine_adoption_input_init(&in);
        size_t n_cust = 1 + xs__rng_below(&r, 40);
        size_t n_prod = 2 + xs__rng_below(&r, 4);
        for (size_t c = 0; c < n_cust; c++) {
            for (size_t p = 0; p < n_prod; p++)
                if (xs__rng_below(&r, 2))
                    xs__mine_adoption_input_add(&in, names[p], 2,
                                                (int32_t)xs__rng_below(&r, 60));
            xs__mine_adoption_input_end(&in, (int32_t)xs__rng_below(&r, 80));
        }
        int32_t h[] = {0, 10, 25, 50};
        xs_adoption_opts o = {.horizons = h, .n_horizons = 4};
        xs_adoption *res;
        CHECK_INT(xs_adoption_compute(&in, &o, &res, NULL), XS_OK);
        size_t n_seen = 0;
        for (uint32_t a = 0; a < in.names.n; a++) {
            for (uint32_t b = 0; b < in.names.n; b++) {
                if (a == b) continue;
                size_t nc, ne, nh;
                int32_t mt;
                size_t np = ref_km(&in, a, b, pts, &nc, &ne, &nh, &mt);
                const xs_adoption_curve *c = NULL;
                for (size_t i = 0; i < xs_adoption_count(res); i++) {
                    const xs_adoption_curve *x = xs_adoption_get(res, i);
                    if (!strcmp(x->from, xs__intern_str(&in.names, a)) &&
                        !strcmp(x->to, xs__intern_str(&in.names, b)))
                        c = x;
                }
                if (np == 0) {
                    CHECK(c == NULL);
                    continue;
                }
                n_seen++;
                CHECK(c != NULL);
                if (!c) continue;
                CHECK_INT(c->n_holders, nh);
                CHECK_INT(c->n_excluded, ne);
                CHECK_INT(c->n_cohort, nc);
                CHECK_INT(c->max_t, mt);
                CHECK_INT(c->n_points, np);
                for (size_t i = 0; i < np && i < c->n_points; i++) {
                    CHECK_INT(c->points[i].t, pts[i].t);
                    CHECK_INT(c->points[i].at_risk, pts[i].n);
                    CHECK_INT(c->points[i].events, pts[i].d);
                    CHECK_NEAR(c->points[i].adopted, pts[i].adopted, 1e-12);
                    CHECK(c->points[i].lo <= c->points[i].adopted + 1e-12);
                    CHECK(c->points[i].hi >= c->points[i].adopted - 1e-12);
                }
                for (size_t k = 0; k < 4; k++) {
                    if (h[k] > mt && pts[np - 1].adopted < 1.0) {
                        CHECK(isnan(c->share[k]));
                        continue;
                    }
                    double want = 0;
                    for (size_t i = 0; i < np && pts[i].t <= h[k]; i++)
                        want = pts[i].adopted;
                    CHECK_NEAR(c->share[k], want, 1e-12);
                }
            }
        }
        CHECK_INT(xs_adoption_count(res), n_seen);
        xs_adoption_free(res);
        xs__mine_adoption_input_clear(&in);
    }
}

/* Every allocation failure unwinds cleanly (ASan checks for leaks). */
static void test_alloc_failures(void)
{
    struct xs_adoption_input in;
    build_example(&in);
    int32_t h[] = {30, 90};
    xs_adoption_opts o = {.horizons = h, .n_horizons = 2};
    int ok = 0;
    for (long k = 0; k < 200 && !ok; k++) {
        xs_adoption *r = NULL;
        xs__alloc_fail_after(k);
        int rc = xs_adoption_compute(&in, &o, &r, NULL);
        xs__alloc_fail_after(-1);
        if (rc == XS_OK) {
            ok = 1;
            CHECK_INT(xs_adoption_count(r), 2);
        } else {
            CHECK_INT(rc, XS_ENOMEM);
            CHECK(r == NULL);
        }
        xs_adoption_free(r);
    }
    CHECK(ok);
    xs__mine_adoption_input_clear(&in);
}

static const xs_test tests[] = {
    {"hand_example", test_hand_example},
    {"all_adopt", test_all_adopt},
    {"errors_and_filters", test_errors_and_filters},
    {"random_vs_direct", test_random_vs_direct},
    {"alloc_failures", test_alloc_failures},
};

int main(void)
{
    return xs_test_run(tests, XS_N(tests));
}
