/*
 * test_rank.c — the personal ranking model (src/mine/rank.c) against a
 * brute-force reference of its definition on a hand-made fixture: exact
 * rankings with every neighbour and with truncated neighbour lists, the
 * cart, the trend terms and the evidence; every item's score at once
 * (xs__mine_rank_score_dense) equal to the ranked hits', and a few items' scores
 * (xs__mine_rank_score_items) equal to those.
 */
#include "mine/rank.h"
#include "base/alloc.h"
#include "test.h"

#include "xsell.h"

/* 5 users, 6 items; days before as_of = 100 */
static const uint32_t OFF[] = {0, 3, 5, 8, 10, 12};
static const uint32_t ITEM[] = {0, 1, 2, 0, 1, 1, 2, 3, 0, 4, 2, 5};
static const int32_t FIRST[] = {10, 20, 30, 50, 40, 5, 90, 60, 70, 80, 95, 99};
static const int32_t LAST[] = {10, 40, 30, 50, 60, 5, 90, 60, 70, 85, 95, 99};
#define NU 5
#define NI 6

static xs__mine_rank_input fixture(void)
{
    xs__mine_rank_input in = {NU, NI, OFF, ITEM, FIRST, LAST, 100, NULL, NULL, NULL};
    return in;
}

/* sim(i, j) straight from the definition (no truncation) */
static double ref_sim(const xs__mine_rank_params *p, uint32_t i, uint32_t j)
{
    double co = 0, ni = 0, nj = 0;
    for (uint32_t v = 0; v < NU; v++) {
        int32_t fi = -1, fj = -1, lj = 0;
        for (uint32_t r = OFF[v]; r < OFF[v + 1]; r++) {
            if (ITEM[r] == i) fi = FIRST[r];
            if (ITEM[r] == j) {
                fj = FIRST[r];
                lj = LAST[r];
            }
        }
        ni += fi >= 0;
        nj += fj >= 0;
        if (fi < 0 || fj < 0) continue;
        double w = pow((double)(OFF[v + 1] - OFF[v]), -p->user_pow);
        if (fj < fi) w *= p->seq_back;
        if (p->co_half_life > 0) w *= exp2(-(100.0 - lj) / p->co_half_life);
        co += w;
    }
    return co / (pow(ni, p->alpha) * pow(nj, p->beta) + p->shrink);
}

/* rank of j in i's row by (sim desc, item asc): kept when < neighbours */
static int ref_kept(const xs__mine_rank_params *p, uint32_t i, uint32_t j)
{
    double s = ref_sim(p, i, j);
    if (!(s > 0) || i == j) return 0;
    if (p->neighbours == 0) return 1;
    size_t better = 0;
    for (uint32_t x = 0; x < NI; x++) {
        if (x == i) continue;
        double t = ref_sim(p, i, x);
        if (t > s || (t == s && x < j)) better++;
    }
    return better < p->neighbours;
}

/* brute-force scores of every item for user u plus cart (-1: excluded) */
static void ref_scores(const xs__mine_rank_params *p, uint32_t u, const uint32_t *cart,
                       size_t n_cart, double *out)
{
    double s[NI] = {0}, trend[NI] = {0}, mx = 0, tmx = 0;
    int held[NI] = {0};
    for (uint32_t v = 0; v < NU; v++)
        for (uint32_t r = OFF[v]; r < OFF[v + 1]; r++)
            if (p->trend_days == 0 || LAST[r] >= 100 - p->trend_days) trend[ITEM[r]] += 1;
    for (int j = 0; j < NI; j++)
        if (trend[j] > tmx) tmx = trend[j];
    uint32_t r0 = u == XS__RANK_NONE ? 0 : OFF[u],
             r1 = u == XS__RANK_NONE ? 0 : OFF[u + 1];
    for (uint32_t j = 0; j < NI; j++) {
        for (uint32_t r = r0; r < r1; r++) {
            double w = p->half_life > 0 ? exp2(-(100.0 - LAST[r]) / p->half_life) : 1;
            if (ref_kept(p, ITEM[r], j)) s[j] += w * ref_sim(p, ITEM[r], j);
            held[ITEM[r]] = 1;
        }
        for (size_t c = 0; c < n_cart; c++) {
            if (ref_kept(p, cart[c], j)) s[j] += ref_sim(p, cart[c], j);
            held[cart[c]] = 1;
        }
    }
    for (int j = 0; j < NI; j++) {
        double m = p->trend_pow > 0 ? pow((trend[j] + 1) / (tmx + 1), p->trend_pow) : 1;
        s[j] *= m;
        if (!held[j] && s[j] > mx) mx = s[j];
    }
    for (int j = 0; j < NI; j++) {
        double v =
            (mx > 0 ? p->knn_weight * s[j] / mx : 0) + p->trend_weight * trend[j] / tmx;
        out[j] = held[j] ? -1 : v;
    }
}

/* model ranking == reference ranking (positive scores, desc, item asc) */
static void check_user(const xs__mine_rank_params *p, uint32_t u, const uint32_t *cart,
                       size_t n_cart)
{
    xs__mine_rank_input in = fixture();
    xs__mine_rank_model *m = NULL;
    CHECK_INT(xs__mine_rank_model_build(&in, p, &m), XS_OK);
    if (!m) return;
    xs__mine_rank_scratch *q = xs__mine_rank_scratch_new(m);
    CHECK(q != NULL);
    xs__mine_rank_hit hits[NI];
    size_t n = xs__mine_rank_score(m, q, u, cart, n_cart, hits, NI);
    double ref[NI], dense[NI];
    ref_scores(p, u, cart, n_cart, ref);
    /* every item's score at once: the same numbers, 0 where no hit */
    xs__mine_rank_score_dense(m, q, u, cart, n_cart, dense);
    for (uint32_t j = 0; j < NI; j++) {
        double hit = 0;
        for (size_t r = 0; r < n; r++)
            if (hits[r].item == j) hit = hits[r].score;
        CHECK(dense[j] == hit);
        CHECK_NEAR(dense[j], ref[j] > 0 ? ref[j] : 0, 1e-12);
    }
    /* a few items' scores (some twice, one past the model): the same bits */
    static const uint32_t some[] = {5, 0, 3, 3, NI, 1, 2, 4};
    double got[XS_N(some)];
    xs__mine_rank_score_items(m, q, u, cart, n_cart, some, XS_N(some), got);
    for (size_t i = 0; i < XS_N(some); i++)
        CHECK(got[i] == (some[i] < NI ? dense[some[i]] : 0));
    size_t want = 0;
    for (int j = 0; j < NI; j++)
        want += ref[j] > 0;
    CHECK_INT(n, want);
    for (size_t r = 0; r < n; r++) {
        uint32_t best = XS__RANK_NONE;
        for (uint32_t j = 0; j < NI; j++) {
            if (!(ref[j] > 0)) continue;
            if (best == XS__RANK_NONE || ref[j] > ref[best] + 1e-12) best = j;
        }
        CHECK_INT(hits[r].item, best);
        CHECK_NEAR(hits[r].score, ref[best], 1e-12);
        ref[best] = -1;
    }
    xs__mine_rank_scratch_free(q);
    xs__mine_rank_model_free(m);
}

static xs__mine_rank_params base(void)
{
    xs__mine_rank_params p = {.alpha = 0.5, .beta = 0.5, .seq_back = 1, .knn_weight = 1};
    return p;
}

static void test_cosine_all_neighbours(void)
{
    xs__mine_rank_params p = base();
    for (uint32_t u = 0; u < NU; u++)
        check_user(&p, u, NULL, 0);
}

static void test_chosen_model_shape(void)
{
    xs__mine_rank_params p = base();
    p.alpha = 0.25;
    p.user_pow = 1;
    p.seq_back = 0.5;
    p.half_life = 30;
    p.co_half_life = 30;
    p.shrink = 0.5;
    for (size_t k = 0; k <= 3; k++) {
        p.neighbours = k;
        for (uint32_t u = 0; u < NU; u++)
            check_user(&p, u, NULL, 0);
    }
}

static void test_trend_and_cart(void)
{
    xs__mine_rank_params p = base();
    p.trend_weight = 0.3;
    p.trend_days = 30;
    uint32_t cart[] = {3};
    for (uint32_t u = 0; u < NU; u++)
        check_user(&p, u, cart, 1);
    p.trend_weight = 0;
    p.trend_pow = 0.5;
    p.trend_days = 0;
    for (uint32_t u = 0; u < NU; u++)
        check_user(&p, u, NULL, 0);
    check_user(&p, XS__RANK_NONE, cart, 1);
}

/* Hand-computed: cosine, user 3 holds {0, 4}. Buyers:
 * item 0: u0,u1,u3 (3); item 4: u3 (1); item 1: u0,u1,u2 (3); item 2: u0,u2,u4
 * (3); item 3: u2; item 5: u4. co(0,1) = 2 (u0,u1), co(0,2) = 1 (u0); item 4
 * co-occurs only with 0. s(1) = 2/3, s(2) = 1/3: ranking 1 (1.0), 2 (0.5),
 * evidence item 0 for both with share 1. */
static void test_hand_computed(void)
{
    xs__mine_rank_params p = base();
    xs__mine_rank_input in = fixture();
    xs__mine_rank_model *m = NULL;
    CHECK_INT(xs__mine_rank_model_build(&in, &p, &m), XS_OK);
    xs__mine_rank_scratch *q = xs__mine_rank_scratch_new(m);
    xs__mine_rank_hit h[4];
    size_t n = xs__mine_rank_score(m, q, 3, NULL, 0, h, 4);
    CHECK_INT(n, 2);
    CHECK_INT(h[0].item, 1);
    CHECK_NEAR(h[0].score, 1.0, 1e-15);
    CHECK_INT(h[0].evidence, 0);
    CHECK_NEAR(h[0].evidence_share, 1.0, 1e-15);
    CHECK_INT(h[1].item, 2);
    CHECK_NEAR(h[1].score, 0.5, 1e-15);
    CHECK_INT(xs__mine_rank_co_buyers(m, 0, 1), 2);
    CHECK_INT(xs__mine_rank_buyers(m, 2), 3);
    CHECK_NEAR(xs__mine_rank_sim(m, 0, 1), 2.0 / 3.0, 1e-15);
    /* k = 1 keeps the best */
    n = xs__mine_rank_score(m, q, 3, NULL, 0, h, 1);
    CHECK_INT(n, 1);
    CHECK_INT(h[0].item, 1);
    xs__mine_rank_scratch_free(q);
    xs__mine_rank_model_free(m);
}

static void test_bad_input(void)
{
    xs__mine_rank_params p = base();
    xs__mine_rank_input in = fixture();
    xs__mine_rank_model *m = NULL;
    p.alpha = -1;
    CHECK_INT(xs__mine_rank_model_build(&in, &p, &m), XS_EINVAL);
    CHECK(m == NULL);
    p = base();
    uint32_t bad[12];
    memcpy(bad, ITEM, sizeof bad);
    bad[1] = 0; /* not ascending within user 0 */
    in.item = bad;
    CHECK_INT(xs__mine_rank_model_build(&in, &p, &m), XS_EINVAL);
}

static void test_alloc_failures(void)
{
    xs__mine_rank_params p = base();
    p.neighbours = 2;
    xs__mine_rank_input in = fixture();
    for (long k = 0; k < 200; k++) {
        xs__mine_rank_model *m = NULL;
        xs__alloc_fail_after(k);
        int rc = xs__mine_rank_model_build(&in, &p, &m);
        xs__alloc_fail_after(-1);
        if (rc == XS_OK) {
            xs__mine_rank_model_free(m);
            break;
        }
        CHECK_INT(rc, XS_ENOMEM);
    }
}

static const xs_test tests[] = {
    {"cosine_all_neighbours", test_cosine_all_neighbours},
    {"chosen_model_shape", test_chosen_model_shape},
    {"trend_and_cart", test_trend_and_cart},
    {"hand_computed", test_hand_computed},
    {"bad_input", test_bad_input},
    {"alloc_failures", test_alloc_failures},
};

int main(void)
{
    return xs_test_run(tests, XS_N(tests));
}
