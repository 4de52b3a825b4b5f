/*
 * test_together.c — frequently bought together: the four measures on a hand
 * example, tie-breaking by name, time decay with exact weights, item and
 * cart queries against a brute-force reference over hundreds of random
 * datasets, errors, allocation failures and "no allocation per query".
 */
#include "test.h"

#include "base/alloc.h"
#include "base/rng.h"
#include "mine/baskets.h"
#include "mine/together.h"

/* Builds baskets from strings like "a b c" (one per element). */
static xs_baskets *make(const char *const *tx, size_t n)
{
    xs_baskets *b = xs_baskets_new();
    for (size_t i = 0; i < n; i++) {
        char buf[256];
        snprintf(buf, sizeof buf, "%s", tx[i]);
        for (char *tok = strtok(buf, " "); tok; tok = strtok(NULL, " "))
            CHECK_INT(xs_baskets_add(b, tok), XS_OK);
        CHECK_INT(xs_baskets_end(b), XS_OK);
    }
    return b;
}

static uint32_t id_of(const xs_together *m, const char *name)
{
    uint32_t id = UINT32_MAX;
    CHECK_INT(xs_together_find(m, name, &id), XS_OK);
    return id;
}

/*
 * Baskets: {a b c} {a b} {a b} {a} {c} {d} {} — N = 7, w(a) = 4, w(b) = 3,
 * w(c) = 2, w(ab) = 3, w(ac) = 1, w(bc) = 1.
 *   a,b: count 3; jaccard 3/(4+3-3) = 0.75; lift 3*7/(4*3) = 1.75;
 *        cosine 3/sqrt(12)
 *   a,c: count 1; jaccard 1/(4+2-1) = 0.2; lift 1*7/(4*2) = 0.875;
 *        cosine 1/sqrt(8)
 */
static void test_measures(void)
{
    const char *tx[] = {"a b c", "a b", "a b", "a", "c", "d", ""};
    xs_baskets *b = make(tx, 7);
    double want_ab[] = {3.0, 0.75, 1.75, 3.0 / sqrt(12.0)};
    double want_ac[] = {1.0, 0.2, 0.875, 1.0 / sqrt(8.0)};
    for (int ms = 0; ms < 4; ms++) {
        xs_together_opts o = {.measure = (xs_together_measure)ms, .top_k = 5};
        xs_together *m;
        CHECK_INT(xs_together_build(b, &o, &m, NULL), XS_OK);
        CHECK_INT(xs_together_n_items(m), 4);
        xs_together_hit h[5];
        int n = xs_together_item(m, id_of(m, "a"), h, 5);
        CHECK_INT(n, 2);
        CHECK_STR(xs_together_item_name(m, h[0].item), "b");
        CHECK_NEAR(h[0].score, want_ab[ms], 1e-15);
        CHECK_NEAR(h[0].count, 3.0, 0);
        CHECK_STR(xs_together_item_name(m, h[1].item), "c");
        CHECK_NEAR(h[1].score, want_ac[ms], 1e-15);
        CHECK_NEAR(h[1].count, 1.0, 0);
        /* d co-occurs with nothing */
        CHECK_INT(xs_together_item(m, id_of(m, "d"), h, 5), 0);
        /* cap limits the output */
        CHECK_INT(xs_together_item(m, id_of(m, "a"), h, 1), 1);
        xs_together_free(m);
    }
    xs_baskets_free(b);
}

/* Equal scores: the lower name first, whatever the ids; names compare
 * naturally (9 < 10). min_count drops weak pairs. */
static void test_ties(void)
{
    const char *tx[] = {"x z", "x y", "x 10", "x 9", "y z", "y z"};
    xs_baskets *b = make(tx, 6);
    xs_together_opts o = {.measure = XS_SIM_COUNT, .top_k = 3};
    xs_together *m;
    CHECK_INT(xs_together_build(b, &o, &m, NULL), XS_OK);
    xs_together_hit h[4];
    /* x: z, y, 10, 9 all with count 1; top 3 by name: 9, 10, y */
    CHECK_INT(xs_together_item(m, id_of(m, "x"), h, 4), 3);
    CHECK_STR(xs_together_item_name(m, h[0].item), "9");
    CHECK_STR(xs_together_item_name(m, h[1].item), "10");
    CHECK_STR(xs_together_item_name(m, h[2].item), "y");
    /* y: z (2) before x (1) */
    CHECK_INT(xs_together_item(m, id_of(m, "y"), h, 4), 2);
    CHECK_STR(xs_together_item_name(m, h[0].item), "z");
    CHECK_STR(xs_together_item_name(m, h[1].item), "x");
    xs_together_free(m);
    o.min_count = 2;
    CHECK_INT(xs_together_build(b, &o, &m, NULL), XS_OK);
    CHECK_INT(xs_together_item(m, id_of(m, "x"), h, 4), 0);
    CHECK_INT(xs_together_item(m, id_of(m, "y"), h, 4), 1);
    xs_together_free(m);
    xs_baskets_free(b);
}

/*
 * Half-life 10 days, as of day 100: a basket of day 100 weighs 1, day 90
 * 0.5, day 80 0.25, day 110 (after as-of) 1.
 *   {a b}@90 {a b}@80 {a}@100 {b c}@110
 *   w(ab) = 0.75, w(a) = 1.75, w(b) = 1.75, w(c) = 1, w(bc) = 1, N = 2.75
 *   count(a,b) = 0.75; lift(a,b) = 0.75*2.75/(1.75*1.75) = 0.673469...;
 *   b's neighbours by count: c (1) then a (0.75).
 */
static void test_half_life(void)
{
    const char *tx[] = {"a b", "a b", "a", "b c"};
    int32_t days[] = {90, 80, 100, 110};
    xs_baskets *b = make(tx, 4);
    xs_together_opts o = {
        .measure = XS_SIM_COUNT, .half_life = 10, .days = days, .as_of = 100};
    xs_together *m;
    CHECK_INT(xs_together_build(b, &o, &m, NULL), XS_OK);
    xs_together_hit h[3];
    CHECK_INT(xs_together_item(m, id_of(m, "a"), h, 3), 1);
    CHECK_NEAR(h[0].score, 0.75, 0);
    CHECK_INT(xs_together_item(m, id_of(m, "b"), h, 3), 2);
    CHECK_STR(xs_together_item_name(m, h[0].item), "c");
    CHECK_NEAR(h[0].score, 1.0, 0);
    CHECK_NEAR(h[1].score, 0.75, 0);
    CHECK_NEAR(m->total_w, 2.75, 0);
    xs_together_free(m);
    o.measure = XS_SIM_LIFT;
    CHECK_INT(xs_together_build(b, &o, &m, NULL), XS_OK);
    CHECK_INT(xs_together_item(m, id_of(m, "a"), h, 3), 1);
    CHECK_NEAR(h[0].score, 0.75 * 2.75 / (1.75 * 1.75), 1e-15);
    xs_together_free(m);
    xs_baskets_free(b);
}

static void test_errors(void)
{
    const char *tx[] = {"a b", "b c"};
    xs_baskets *b = make(tx, 2);
    xs_together *m = (xs_together *)1;
    xs_error e;
    xs_together_opts o = {.half_life = 30};
    CHECK_INT(xs_together_build(b, &o, &m, &e), XS_EINVAL);
    CHECK(m == NULL);
    CHECK_STR(e.message, "a half-life needs a day per basket");
    o.half_life = -1;
    CHECK_INT(xs_together_build(b, &o, &m, &e), XS_EINVAL);
    CHECK_STR(e.message, "half-life must be a non-negative number of days");
    o.half_life = NAN;
    CHECK_INT(xs_together_build(b, &o, &m, &e), XS_EINVAL);
    o.half_life = 0;
    o.min_count = -1;
    CHECK_INT(xs_together_build(b, &o, &m, &e), XS_EINVAL);
    CHECK_STR(e.message, "min_count must be non-negative");
    o.min_count = 0;
    CHECK_INT(xs_together_build(b, &o, &m, &e), XS_OK);
    uint32_t id;
    CHECK_INT(xs_together_find(m, "zz", &id), XS_ENOTFOUND);
    xs_together_hit h[2];
    CHECK_INT(xs_together_item(m, 3, h, 2), XS_EINVAL);
    CHECK(xs_together_item_name(m, 3) == NULL);
    xs_together_query *q;
    CHECK_INT(xs_together_query_new(m, &q), XS_OK);
    uint32_t cart[] = {0, 7};
    CHECK_INT(xs_together_cart(m, q, cart, 2, h, 2), XS_EINVAL);
    CHECK_INT(xs_together_cart_exact(m, q, cart, 1, h, 2),
              XS_EINVAL); /* no counts kept */
    CHECK_STR(xs_together_measure_name(XS_SIM_JACCARD), "jaccard");
    xs_together_measure ms;
    CHECK_INT(xs_together_measure_parse("cosine", &ms), XS_OK);
    CHECK_INT(ms, XS_SIM_COSINE);
    CHECK_INT(xs_together_measure_parse("dice", &ms), XS_EINVAL);
    xs_together_query_free(q);
    xs_together_free(m);
    xs_baskets_free(b);
}

/* ---- brute-force reference ------------------------------------------ */

typedef struct ref {
    uint32_t item;
    double score, co;
} ref;

static const char *g_names[16];

static int ref_better(const ref *x, const ref *y)
{
    if (x->score != y->score) return x->score > y->score;
    return xs__mine_item_name_cmp(g_names[x->item], g_names[y->item]) < 0;
}

static int cmp_ref(const void *a, const void *b)
{
    return ref_better(a, b) ? -1 : ref_better(b, a) ? 1 : 0;
}

static double ref_sim(int ms, double co, double wa, double wb, double n)
{
    if (ms == XS_SIM_JACCARD) return co / (wa + wb - co);
    if (ms == XS_SIM_LIFT) return co * n / (wa * wb);
    if (ms == XS_SIM_COSINE) return co / sqrt(wa * wb);
    return co;
}

static void test_random_vs_brute(void)
{
    xs__rng r;
    xs__rng_seed(&r, 7);
    static const char *pool[] = {"a", "b", "c", "d",  "e", "f", "g", "h",
                                 "i", "j", "k", "10", "9", "2", "x", "y"};
    for (int rep = 0; rep < 400; rep++) {
        size_t n_pool = 2 + xs__rng_below(&r, 14), n_tx = xs__rng_below(&r, 40);
        xs_baskets *b = xs_baskets_new();
        int32_t days[64];
        for (size_t t = 0; t < n_tx; t++) {
            size_t len = xs__rng_below(&r, 6);
            for (size_t k = 0; k < len; k++)
                xs_baskets_add(b, pool[xs__rng_below(&r, n_pool)]);
            xs_baskets_end(b);
            days[t] = (int32_t)xs__rng_below(&r, 100);
        }
        xs_together_opts o = {.measure = (xs_together_measure)xs__rng_below(&r, 4),
                              .top_k = 1 + xs__rng_below(&r, 6),
                              .min_count = (double)xs__rng_below(&r, 3),
                              .keep_counts = 1};
        if (xs__rng_below(&r, 2)) {
            o.half_life = 5 + (double)xs__rng_below(&r, 50);
            o.days = days;
            o.as_of = 90;
            o.min_count *= 0.3;
        }
        xs_together *m;
        CHECK_INT(xs_together_build(b, &o, &m, NULL), XS_OK);
        size_t ni = xs_baskets_n_items(b);
        for (uint32_t i = 0; i < ni; i++)
            g_names[i] = xs_baskets_item_name(b, i);

        /* weights and co-occurrences, summed in basket order */
        double bw[64], iw[16] = {0}, co[16][16] = {{0}}, nw = 0;
        for (size_t t = 0; t < n_tx; t++) {
            double w = 1.0;
            if (o.half_life > 0) {
                double age = (double)o.as_of - (double)days[t];
                w = age > 0 ? pow(0.5, age / o.half_life) : 1.0;
            }
            bw[t] = w;
            nw += w;
        }
        for (size_t t = 0; t < n_tx; t++) {
            for (size_t x = b->off[t]; x < b->off[t + 1]; x++) {
                iw[b->items[x]] += bw[t];
                for (size_t y = b->off[t]; y < b->off[t + 1]; y++)
                    if (x != y) co[b->items[x]][b->items[y]] += bw[t];
            }
        }
        /* top-k lists */
        ref top[16][16];
        size_t n_top[16];
        for (uint32_t a = 0; a < ni; a++) {
            size_t n = 0;
            for (uint32_t j = 0; j < ni; j++) {
                if (j == a || co[a][j] == 0 || co[a][j] < o.min_count) continue;
                top[a][n].item = j;
                top[a][n].co = co[a][j];
                top[a][n].score = ref_sim((int)o.measure, co[a][j], iw[a], iw[j], nw);
                n++;
            }
            qsort(top[a], n, sizeof top[a][0], cmp_ref);
            n_top[a] = n < o.top_k ? n : o.top_k;
            xs_together_hit h[16];
            int got = xs_together_item(m, a, h, 16);
            CHECK_INT(got, n_top[a]);
            for (size_t k = 0; k < n_top[a] && (int)k < got; k++) {
                CHECK_INT(h[k].item, top[a][k].item);
                CHECK(h[k].score == top[a][k].score);
                CHECK(h[k].count == top[a][k].co);
            }
            /* all co-occurrences kept */
            size_t nc = 0;
            for (uint32_t j = 0; j < ni; j++)
                nc += j != a && co[a][j] != 0;
            CHECK_INT(m->c_off[a + 1] - m->c_off[a], nc);
        }
        /* carts */
        xs_together_query *q;
        CHECK_INT(xs_together_query_new(m, &q), XS_OK);
        for (int c = 0; c < 5 && ni > 0; c++) {
            uint32_t cart[4];
            size_t n_cart = 1 + xs__rng_below(&r, 4);
            for (size_t k = 0; k < n_cart; k++)
                cart[k] = (uint32_t)xs__rng_below(&r, ni);
            for (int exact = 0; exact < 2; exact++) {
                ref cand[16];
                size_t n_cand = 0;
                for (uint32_t j = 0; j < ni; j++) {
                    int in = 0, hit = 0;
                    double s = 0, sc = 0;
                    for (size_t k = 0; k < n_cart; k++)
                        in |= cart[k] == j;
                    if (in) continue;
                    for (size_t k = 0; k < n_cart; k++) {
                        int rep_ = 0;
                        for (size_t k2 = 0; k2 < k; k2++)
                            rep_ |= cart[k2] == cart[k];
                        if (rep_) continue;
                        uint32_t a = cart[k];
                        if (exact) {
                            if (co[a][j] == 0 || co[a][j] < o.min_count) continue;
                            s += ref_sim((int)o.measure, co[a][j], iw[a], iw[j], nw);
                            sc += co[a][j];
                            hit = 1;
                        } else {
                            for (size_t x = 0; x < n_top[a]; x++) {
                                if (top[a][x].item != j) continue;
                                s += top[a][x].score;
                                sc += top[a][x].co;
                                hit = 1;
                            }
                        }
                    }
                    if (hit) cand[n_cand++] = (ref){j, s, sc};
                }
                qsort(cand, n_cand, sizeof cand[0], cmp_ref);
                size_t cap = 1 + xs__rng_below(&r, 5);
                xs_together_hit h[8];
                int got = exact ? xs_together_cart_exact(m, q, cart, n_cart, h, cap)
                                : xs_together_cart(m, q, cart, n_cart, h, cap);
                size_t want = n_cand < cap ? n_cand : cap;
                CHECK_INT(got, want);
                for (size_t k = 0; k < want && (int)k < got; k++) {
                    CHECK_INT(h[k].item, cand[k].item);
                    CHECK(h[k].score == cand[k].score);
                    CHECK(h[k].count == cand[k].co);
                }
            }
        }
        xs_together_query_free(q);
        xs_together_free(m);
        xs_baskets_free(b);
    }
}

/* With top_k covering every neighbour, the cart answer is the exact one. */
static void test_cart_equals_exact(void)
{
    const char *tx[] = {"a b c", "a b", "c d", "d e a", "b e", "a c e"};
    xs_baskets *b = make(tx, 6);
    xs_together_opts o = {.measure = XS_SIM_COSINE, .top_k = 10, .keep_counts = 1};
    xs_together *m;
    CHECK_INT(xs_together_build(b, &o, &m, NULL), XS_OK);
    xs_together_query *q;
    CHECK_INT(xs_together_query_new(m, &q), XS_OK);
    uint32_t cart[] = {id_of(m, "a"), id_of(m, "d"), id_of(m, "a")};
    xs_together_hit h1[5], h2[5];
    /* no allocation during queries: every allocation would fail now */
    xs__alloc_fail_after(0);
    int n1 = xs_together_cart(m, q, cart, 3, h1, 5);
    int n2 = xs_together_cart_exact(m, q, cart, 3, h2, 5);
    int n3 = xs_together_item(m, cart[0], h1 + 4, 1);
    xs__alloc_fail_after(-1);
    CHECK_INT(n3, 1);
    n1 = xs_together_cart(m, q, cart, 3, h1, 5);
    CHECK_INT(n1, 3); /* b, c, e */
    CHECK_INT(n2, 3);
    for (int i = 0; i < n1 && i < n2; i++) {
        CHECK_INT(h1[i].item, h2[i].item);
        CHECK(h1[i].score == h2[i].score);
    }
    /* the cart's items are never recommended */
    for (int i = 0; i < n1; i++)
        CHECK(h1[i].item != cart[0] && h1[i].item != cart[1]);
    xs_together_query_free(q);
    xs_together_free(m);
    xs_baskets_free(b);
}

static void test_alloc_failures(void)
{
    const char *tx[] = {"a b c", "a b", "c d", "d e a", "b e", "a c e"};
    xs_baskets *b = make(tx, 6);
    xs_together_opts o = {.measure = XS_SIM_LIFT, .top_k = 2, .keep_counts = 1};
    int ok = 0;
    for (long k = 0; k < 300 && !ok; k++) {
        xs_together *m = NULL;
        xs_together_query *q = NULL;
        xs__alloc_fail_after(k);
        int rc = xs_together_build(b, &o, &m, NULL);
        if (rc == XS_OK) rc = xs_together_query_new(m, &q);
        xs__alloc_fail_after(-1);
        if (rc == XS_OK)
            ok = 1;
        else
            CHECK_INT(rc, XS_ENOMEM);
        xs_together_query_free(q);
        xs_together_free(m);
    }
    CHECK(ok);
    xs_baskets_free(b);
}

static const xs_test tests[] = {
    {"measures", test_measures},
    {"ties", test_ties},
    {"half_life", test_half_life},
    {"errors", test_errors},
    {"random_vs_brute", test_random_vs_brute},
    {"cart_equals_exact", test_cart_equals_exact},
    {"alloc_failures", test_alloc_failures},
};

int main(void)
{
    return xs_test_run(tests, XS_N(tests));
}
