/*
 * test_segments.c — segment rules and RFM quintiles: one hand-made
 * customer per segment and the boundary of every threshold (through
 * xs__score_segment_of), the segments of the tests/data/health customers, names
 * and parsing; RFM quintiles against a brute-force count on random data
 * with many ties, and the fixture's R, F, M.
 */
#include "test.h"

#include "base/alloc.h"
#include "base/rng.h"
#include "score/rfm.h"
#include "score/segments.h"

#include <string.h>

#include <unistd.h>

#include "health_fixture.h"

#define ACT XS__CS_ACTIVE

static void test_rules(void)
{
    xs_health_config c;
    xs_health_config_init(&c);
    /* one per segment */
    CHECK_INT(xs__score_segment_of(&c, 95, 30, ACT), XS_SEG_NEW);
    CHECK_INT(xs__score_segment_of(&c, 95, 800, 0), XS_SEG_HIBERNATING);
    CHECK_INT(xs__score_segment_of(&c, 30, 800, ACT), XS_SEG_AT_RISK);
    CHECK_INT(xs__score_segment_of(&c, 90, 800, ACT), XS_SEG_CHAMPION);
    CHECK_INT(xs__score_segment_of(&c, 70, 800, ACT), XS_SEG_LOYAL);
    CHECK_INT(xs__score_segment_of(&c, 90, 200, ACT), XS_SEG_PROMISING);
    CHECK_INT(xs__score_segment_of(&c, 45, 800, ACT), XS_SEG_NEEDS_ATTENTION);
    /* boundaries: thresholds are inclusive from above */
    CHECK_INT(xs__score_segment_of(&c, 95, 89, ACT), XS_SEG_NEW);
    CHECK_INT(xs__score_segment_of(&c, 95, 90, ACT), XS_SEG_PROMISING);
    CHECK_INT(xs__score_segment_of(&c, 39.999, 800, ACT), XS_SEG_AT_RISK);
    CHECK_INT(xs__score_segment_of(&c, 40, 800, ACT), XS_SEG_NEEDS_ATTENTION);
    CHECK_INT(xs__score_segment_of(&c, 49.999, 800, ACT), XS_SEG_NEEDS_ATTENTION);
    CHECK_INT(xs__score_segment_of(&c, 50, 800, ACT), XS_SEG_PROMISING);
    CHECK_INT(xs__score_segment_of(&c, 64.999, 800, ACT), XS_SEG_PROMISING);
    CHECK_INT(xs__score_segment_of(&c, 65, 800, ACT), XS_SEG_LOYAL);
    CHECK_INT(xs__score_segment_of(&c, 79.999, 800, ACT), XS_SEG_LOYAL);
    CHECK_INT(xs__score_segment_of(&c, 80, 800, ACT), XS_SEG_CHAMPION);
    CHECK_INT(xs__score_segment_of(&c, 80, 364, ACT), XS_SEG_PROMISING);
    CHECK_INT(xs__score_segment_of(&c, 80, 365, ACT), XS_SEG_CHAMPION);
    CHECK_INT(xs__score_segment_of(&c, 65, 364, ACT), XS_SEG_PROMISING);
    /* precedence: new before hibernating before at_risk */
    CHECK_INT(xs__score_segment_of(&c, 10, 30, 0), XS_SEG_NEW);
    CHECK_INT(xs__score_segment_of(&c, 10, 800, 0), XS_SEG_HIBERNATING);
    /* flags make a healthy customer at risk */
    CHECK_INT(xs__score_segment_of(&c, 99, 800, ACT | XS__CS_OPEN_CRITICAL),
              XS_SEG_AT_RISK);
    CHECK_INT(xs__score_segment_of(&c, 99, 800, ACT | XS__CS_CANCEL), XS_SEG_AT_RISK);
    /* no health at all: needs attention */
    CHECK_INT(xs__score_segment_of(&c, NAN, 800, ACT), XS_SEG_NEEDS_ATTENTION);
    /* thresholds come from the configuration */
    xs_error e;
    CHECK_INT(xs_health_config_set(&c, "champion_health=95,new_days=0", "--set", &e),
              XS_OK);
    CHECK_INT(xs__score_segment_of(&c, 90, 0, ACT), XS_SEG_PROMISING);
    CHECK_INT(xs__score_segment_of(&c, 90, 800, ACT), XS_SEG_LOYAL);
}

static void test_names(void)
{
    static const char *const want[] = {
        "new",   "hibernating", "at_risk",        "champion",
        "loyal", "promising",   "needs_attention", "unknown"};
    for (int i = 0; i < XS_SEG_N; i++) {
        xs_segment s;
        CHECK_STR(xs_segment_name((xs_segment)i), want[i]);
        CHECK_INT(xs_segment_parse(want[i], &s), XS_OK);
        CHECK_INT(s, i);
    }
    xs_segment s = XS_SEG_N;
    CHECK_INT(xs_segment_parse("at-risk", &s), XS_OK);
    CHECK_INT(s, XS_SEG_AT_RISK);
    CHECK_INT(xs_segment_parse("needs attention", &s), XS_OK);
    CHECK_INT(s, XS_SEG_NEEDS_ATTENTION);
    CHECK_INT(xs_segment_parse("vip", &s), XS_ENOTFOUND);
    CHECK_INT(xs_segment_parse("Champion", &s), XS_ENOTFOUND);
    CHECK(xs_segment_name(XS_SEG_N) == NULL);
}

static void test_fixture_segments(void)
{
    xs_snapshot *s = load_fixture();
    xs_customer_scores *cs = score(s, "2024-06-30", 0);
    static const struct {
        const char *id;
        xs_segment seg;
    } want[] = {{"H1", XS_SEG_CHAMPION}, {"M1", XS_SEG_LOYAL},
                {"N1", XS_SEG_NEW},      {"R1", XS_SEG_AT_RISK},
                {"S1", XS_SEG_CHAMPION}, {"Z1", XS_SEG_HIBERNATING}};
    for (size_t i = 0; i < XS_N(want); i++)
        CHECK_INT(row_of(cs, want[i].id).segment, want[i].seg);
    /* the segment table counts them */
    xs_table *t = xs_table_new();
    CHECK_INT(xs_customer_scores_segments(cs, t), XS_OK);
    CHECK_INT(xs_table_rows(t), XS_SEG_N);
    xs_table_free(t);
    xs_customer_scores_free(cs);
    xs_snapshot_free(s);
}

/* Brute force: 1 + floor(5 * #strictly smaller / n). */
static void brute(const int64_t *key, size_t n, uint8_t *q)
{
    for (size_t i = 0; i < n; i++) {
        size_t k = 0;
        for (size_t j = 0; j < n; j++)
            k += key[j] < key[i];
        q[i] = (uint8_t)(1 + 5 * k / n);
    }
}

static void test_quintiles_brute(void)
{
    xs__rng r;
    xs__rng_seed(&r, 11);
    for (int round = 0; round < 200; round++) {
        size_t n = 1 + xs__rng_below(&r, 300);
        int64_t range = 1 + (int64_t)xs__rng_below(&r, round % 3 ? 8 : 100000);
        int64_t *key = malloc(n * sizeof *key);
        uint8_t *q = malloc(n), *b = malloc(n);
        for (size_t i = 0; i < n; i++)
            key[i] = (int64_t)xs__rng_below(&r, (uint64_t)range) - range / 2;
        CHECK_INT(xs__score_rfm_quintiles(key, n, q), XS_OK);
        brute(key, n, b);
        CHECK(!memcmp(q, b, n));
        /* equal keys share a score; a higher key never scores lower */
        for (size_t i = 0; i < n && i < 50; i++)
            for (size_t j = 0; j < n; j++) {
                if (key[i] == key[j]) CHECK_INT(q[i], q[j]);
                if (key[i] < key[j] && q[i] > q[j]) CHECK(0);
            }
        free(key);
        free(q);
        free(b);
    }
    /* exact small cases: 10 distinct values: two per quintile */
    int64_t k10[10] = {9, 1, 8, 2, 7, 3, 6, 4, 5, 0};
    uint8_t q10[10];
    CHECK_INT(xs__score_rfm_quintiles(k10, 10, q10), XS_OK);
    static const uint8_t w10[10] = {5, 1, 5, 2, 4, 2, 4, 3, 3, 1};
    CHECK(!memcmp(q10, w10, 10));
    /* ties: 7 ones and 3 twos: the ones all score 1, the twos 1 + 35/10 = 4 */
    int64_t kt[10] = {1, 1, 2, 1, 1, 2, 1, 1, 2, 1};
    CHECK_INT(xs__score_rfm_quintiles(kt, 10, q10), XS_OK);
    static const uint8_t wt[10] = {1, 1, 4, 1, 1, 4, 1, 1, 4, 1};
    CHECK(!memcmp(q10, wt, 10));
    /* allocation failure */
    xs__alloc_fail_after(0);
    CHECK_INT(xs__score_rfm_quintiles(kt, 10, q10), XS_ENOMEM);
    xs__alloc_fail_after(-1);
}

/* The fixture's transactional customers as of 2024-06-30: S1 (4 orders,
 * 75.00, last 10 days ago) and Z1 (1 order, 45.00, 395 days ago): with
 * n = 2 the better one scores 1 + 5/2 = 3, the other 1; customers without
 * orders have no RFM. */
static void test_fixture_rfm(void)
{
    xs_snapshot *s = load_fixture();
    xs_customer_scores *cs = score(s, "2024-06-30", 0);
    xs_customer_row r = row_of(cs, "S1");
    CHECK_INT(r.rfm_r, 3);
    CHECK_INT(r.rfm_f, 3);
    CHECK_INT(r.rfm_m, 3);
    CHECK_NEAR(r.recency_days, 10, 0);
    CHECK_NEAR(r.frequency, 4, 0);
    CHECK_NEAR(r.monetary, 75, 1e-9);
    r = row_of(cs, "Z1");
    CHECK_INT(r.rfm_r * 100 + r.rfm_f * 10 + r.rfm_m, 111);
    CHECK_NEAR(r.recency_days, 395, 0);
    r = row_of(cs, "H1");
    CHECK_INT(r.rfm_r, 0);
    CHECK(isnan(r.recency_days));
    CHECK_NEAR(r.frequency, 0, 0);
    xs_customer_scores_free(cs);
    /* as of 2023-12-31 only S1's 2023 order and Z1's exist: equal
     * frequency ties (both 1); Z1 spent more and bought more recently */
    cs = score(s, "2023-12-31", 0);
    r = row_of(cs, "S1");
    xs_customer_row z = row_of(cs, "Z1");
    CHECK_INT(r.rfm_f, 1);
    CHECK_INT(z.rfm_f, 1);
    CHECK_INT(r.rfm_r, 1);
    CHECK_INT(z.rfm_r, 3);
    CHECK_INT(r.rfm_m, 1);
    CHECK_INT(z.rfm_m, 3);
    xs_customer_scores_free(cs);
    xs_snapshot_free(s);
}

/* Honest health: each component missing in turn from H1's scores (tenure
 * 1, usage 0.75, trend 0.4, utilisation 0.8333, nps 0.95, support 0.8,
 * payment 0.5; weights 20 25 10 10 20 10 5): the health is the weighted
 * mean over the others, exactly; the coverage bit of the missing one is
 * clear and its share of the weight is 0. */
static void test_missing_each(void)
{
    static const double sc[XS_HEALTH_N_PARTS] = {1, 0.75, 0.4, 0.7 * 0 + 35.0 / 60 / 0.7,
                                                 0.95, 0.8, 0.5};
    /* sum w*s = 20 + 18.75 + 4 + 8.3333 + 19 + 8 + 2.5 = 80.5833 */
    static const double want[XS_HEALTH_N_PARTS] = {
        100 * (80.583333333333333 - 20) / 80, /* no tenure: 75.729 */
        100 * (80.583333333333333 - 18.75) / 75,
        100 * (80.583333333333333 - 4) / 90,
        100 * (80.583333333333333 - 25.0 / 3) / 90,
        100 * (80.583333333333333 - 19) / 80,
        100 * (80.583333333333333 - 8) / 90,
        100 * (80.583333333333333 - 2.5) / 95,
    };
    xs_health_config c;
    xs_health_config_init(&c);
    for (int k = 0; k < XS_HEALTH_N_PARTS; k++) {
        double v[XS_HEALTH_N_PARTS], share[XS_HEALTH_N_PARTS];
        memcpy(v, sc, sizeof v);
        v[k] = NAN;
        CHECK_NEAR(xs__score_health_combine(v, c.weight, share), want[k], 1e-9);
        CHECK_NEAR(share[k], 0, 0);
        unsigned cov = xs__score_health_coverage(v);
        CHECK_INT(cov, 0x7fu & ~(1u << k));
        CHECK_INT(xs__score_health_unknown(&c, cov), 0);
    }
    CHECK_NEAR(want[0], 75.729166666666667, 1e-9);
    CHECK_NEAR(want[4], 76.979166666666667, 1e-9);
}

/* unknown: too few components, or no activity component */
static void test_unknown(void)
{
    xs_health_config c;
    char buf[96];
    xs_health_config_init(&c);
    unsigned T = 1u << XS_HEALTH_TENURE, U = 1u << XS_HEALTH_USAGE,
             N = 1u << XS_HEALTH_NPS, S = 1u << XS_HEALTH_SUPPORT,
             P = 1u << XS_HEALTH_PAYMENT;
    CHECK_INT(xs__score_health_unknown(&c, 0), 1);
    CHECK_INT(xs__score_health_unknown(&c, T), 1);     /* one component */
    CHECK_INT(xs__score_health_unknown(&c, T | P), 1); /* two, no activity */
    CHECK_INT(xs__score_health_unknown(&c, T | U), 0);
    CHECK_INT(xs__score_health_unknown(&c, T | N), 0);
    CHECK_INT(xs__score_health_unknown(&c, T | S | P), 0); /* tickets are recorded */
    CHECK_INT(xs__score_health_unknown(&c, U), 1);         /* activity, but alone */
    xs_error e;
    CHECK_INT(xs_health_config_set(&c, "min_components=1,need_activity=0", "--set", &e),
              XS_OK);
    CHECK_INT(xs__score_health_unknown(&c, T), 0);
    CHECK_INT(xs__score_health_unknown(&c, 0), 1);
    CHECK_INT(xs_health_config_set(&c, "need_activity=2", "--set", &e), XS_EINVAL);
    CHECK_STR(e.message, "need_activity: must be 0 or 1, got 2");
    CHECK_INT(xs_health_config_set(&c, "min_components=1.5", "--set", &e), XS_EINVAL);
    /* the segment: flags first (at_risk), then unknown, then the health */
    xs_health_config_init(&c);
    unsigned UNK = XS__CS_UNKNOWN;
    CHECK_INT(xs__score_segment_of(&c, 100, 800, ACT | UNK), XS_SEG_UNKNOWN);
    CHECK_INT(xs__score_segment_of(&c, 10, 800, ACT | UNK), XS_SEG_UNKNOWN);
    CHECK_INT(xs__score_segment_of(&c, 100, 30, ACT | UNK), XS_SEG_NEW);
    CHECK_INT(xs__score_segment_of(&c, 100, 800, UNK), XS_SEG_HIBERNATING);
    CHECK_INT(xs__score_segment_of(&c, 100, 800, ACT | UNK | XS__CS_CANCEL),
              XS_SEG_AT_RISK);
    CHECK_STR(xs_health_coverage_text(T | U | S, buf, sizeof buf), "tenure+usage+support");
    CHECK_STR(xs_health_coverage_text(0x7f, buf, sizeof buf), "all");
    CHECK_STR(xs_health_coverage_text(0, buf, sizeof buf), "none");
    CHECK_STR(xs_health_coverage_text(T | U, buf, 8), "tenure");
}

/* A store without tickets or payment failures: support and payment have
 * no data (not a perfect 100), so a customer with tenure alone is
 * unknown and its health is its tenure score. */
static void test_untracked(void)
{
    char dir[512];
    const char *src = getenv("XS_SOURCE_DIR");
    snprintf(dir, sizeof dir, "%s/tests/data/returns", src ? src : ".");
    xs_snapshot *s = load_dir(dir, "untracked");
    xs_customer_scores *cs = score(s, "2024-04-30", 0);
    xs_customer_row r = row_of(cs, "A");
    CHECK(isnan(r.score[XS_HEALTH_SUPPORT]));
    CHECK(isnan(r.score[XS_HEALTH_PAYMENT]));
    CHECK_INT(r.coverage, 1u << XS_HEALTH_TENURE);
    CHECK_NEAR(r.health, 100 * r.score[XS_HEALTH_TENURE], 1e-12);
    CHECK_INT(r.segment, XS_SEG_UNKNOWN);
    xs_customer_scores_free(cs);
    xs_snapshot_free(s);
}

static const xs_test tests[] = {
    {"rules", test_rules},
    {"missing_each", test_missing_each},
    {"unknown", test_unknown},
    {"untracked", test_untracked},
    {"names", test_names},
    {"fixture_segments", test_fixture_segments},
    {"quintiles_brute", test_quintiles_brute},
    {"fixture_rfm", test_fixture_rfm},
};

int main(void)
{
    return xs_test_run(tests, XS_N(tests));
}
