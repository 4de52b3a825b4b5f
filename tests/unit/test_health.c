/*
 * test_health.c — the health / loyalty score: every component on the
 * hand-made customers of tests/data/health (exact expected measurements
 * and scores worked out by hand in the comments), the weighted combination
 * with components that have no data, "as of" dating, configuration by
 * name and its errors, allocation-failure injection, and on generated data
 * (xs_gen_write, fixed seed) that low health and the at_risk segment really
 * concentrate the customers the generator planted as about to churn.
 */
#include "test.h"

#include "base/alloc.h"
#include "score/health.h"

#include <sys/stat.h>
#include <unistd.h>

#include "health_fixture.h"

#define TOL 1e-9

/* H1, as of 2024-06-30: tenure 731 days (score 1); logins per month
 * recent (04-30, 05-31, 06-30) mean 450 over mean seats 30 = 15 per seat
 * (0.75); earlier (01-31, 02-29, 03-31) mean 500: trend -0.1 (0.4); the
 * 2023-12-31 and 2024-07-31 points are outside both windows; seats 35 of
 * capacity 50 + 2 x 5 = 60 (0.5833 / 0.7); NPS latest 10, window average
 * (8 + 10) / 2 = 9 (0.95; the 2023-03-01 answer is outside the window, the
 * 2024-07-15 one after as_of); 1 ticket in the window (0.8), the critical
 * T0 was closed; 1 payment failure in the window (0.5). */
static void test_components_h1(void)
{
    xs_snapshot *s = load_fixture();
    xs_customer_scores *cs = score(s, "2024-06-30", 0);
    xs_customer_row r = row_of(cs, "H1");
    CHECK_NEAR(r.raw[XS_HEALTH_TENURE], 731, 0);
    CHECK_NEAR(r.score[XS_HEALTH_TENURE], 1, 0);
    CHECK_NEAR(r.raw[XS_HEALTH_USAGE], 15, TOL);
    CHECK_NEAR(r.score[XS_HEALTH_USAGE], 0.75, TOL);
    CHECK_NEAR(r.raw[XS_HEALTH_TREND], -0.1, TOL);
    CHECK_NEAR(r.score[XS_HEALTH_TREND], 0.4, TOL);
    CHECK_NEAR(r.raw[XS_HEALTH_UTILISATION], 35.0 / 60, TOL);
    CHECK_NEAR(r.score[XS_HEALTH_UTILISATION], 35.0 / 60 / 0.7, TOL);
    CHECK_NEAR(r.raw[XS_HEALTH_NPS], 10, 0);
    CHECK_NEAR(r.raw2[XS_HEALTH_NPS], 9, TOL);
    CHECK_NEAR(r.score[XS_HEALTH_NPS], 0.95, TOL);
    CHECK_NEAR(r.raw[XS_HEALTH_SUPPORT], 1, 0);
    CHECK_NEAR(r.raw2[XS_HEALTH_SUPPORT], 0, 0);
    CHECK_NEAR(r.score[XS_HEALTH_SUPPORT], 0.8, TOL);
    CHECK_NEAR(r.raw[XS_HEALTH_PAYMENT], 1, 0);
    CHECK_NEAR(r.score[XS_HEALTH_PAYMENT], 0.5, TOL);
    double want = 20 + 25 * 0.75 + 10 * 0.4 + 10 * (35.0 / 60 / 0.7) + 20 * 0.95 +
                  10 * 0.8 + 5 * 0.5;
    CHECK_NEAR(r.health, want, TOL);
    CHECK_NEAR(r.health, 80.583333333333, 1e-9);
    for (int k = 0; k < XS_HEALTH_N_PARTS; k++) {
        static const double w[] = {20, 25, 10, 10, 20, 10, 5};
        CHECK_NEAR(r.weight[k], w[k] / 100, TOL);
    }
    CHECK_INT(r.open_critical, 0);
    CHECK_INT(r.cancel_request, 0);
    CHECK_INT(r.active, 1);
    CHECK_INT(r.segment, XS_SEG_CHAMPION);
    xs_customer_scores_free(cs);
    xs_snapshot_free(s);
}

/* R1: tenure 366 (366/730); 30 logins a month over 3 seats = 10 (0.5);
 * earlier 60: trend -0.5 (0); 3 of 10 seats (0.3 / 0.7); NPS 3 (0.3);
 * one ticket in the window, critical and never closed: 1 - 1/5 - 0.5 =
 * 0.3; two payment failures (0); a cancel request. */
static void test_components_r1(void)
{
    xs_snapshot *s = load_fixture();
    xs_customer_scores *cs = score(s, "2024-06-30", 0);
    xs_customer_row r = row_of(cs, "R1");
    CHECK_NEAR(r.raw[XS_HEALTH_TENURE], 366, 0);
    CHECK_NEAR(r.score[XS_HEALTH_TENURE], 366.0 / 730, TOL);
    CHECK_NEAR(r.raw[XS_HEALTH_USAGE], 10, TOL);
    CHECK_NEAR(r.score[XS_HEALTH_USAGE], 0.5, TOL);
    CHECK_NEAR(r.raw[XS_HEALTH_TREND], -0.5, TOL);
    CHECK_NEAR(r.score[XS_HEALTH_TREND], 0, 0);
    CHECK_NEAR(r.raw[XS_HEALTH_UTILISATION], 0.3, TOL);
    CHECK_NEAR(r.score[XS_HEALTH_UTILISATION], 0.3 / 0.7, TOL);
    CHECK_NEAR(r.score[XS_HEALTH_NPS], 0.3, TOL);
    CHECK_NEAR(r.raw[XS_HEALTH_SUPPORT], 1, 0);
    CHECK_NEAR(r.raw2[XS_HEALTH_SUPPORT], 1, 0);
    CHECK_NEAR(r.score[XS_HEALTH_SUPPORT], 0.3, TOL);
    CHECK_NEAR(r.raw[XS_HEALTH_PAYMENT], 2, 0);
    CHECK_NEAR(r.score[XS_HEALTH_PAYMENT], 0, 0);
    CHECK_NEAR(r.health, 20 * 366.0 / 730 + 12.5 + 0 + 10 * 0.3 / 0.7 + 6 + 3 + 0, TOL);
    CHECK_INT(r.open_critical, 1);
    CHECK_INT(r.cancel_request, 1);
    CHECK_INT(r.segment, XS_SEG_AT_RISK);
    xs_customer_scores_free(cs);
    /* as of the day before the critical ticket: not open, one ticket fewer */
    cs = score(s, "2024-05-31", 0);
    r = row_of(cs, "R1");
    CHECK_INT(r.open_critical, 0);
    CHECK_NEAR(r.raw[XS_HEALTH_SUPPORT], 0, 0);
    CHECK_INT(r.cancel_request, 0);
    CHECK_NEAR(r.raw[XS_HEALTH_PAYMENT], 1, 0);
    xs_customer_scores_free(cs);
    xs_snapshot_free(s);
}

/* Customers without usage data are scored on the other components, the
 * weights renormalised: S1 (shopper) has tenure 1, NPS 7 (0.7), no
 * tickets, no payment problems: (20 + 14 + 10 + 5) / 55. M1: tenure 546
 * days, NPS 5: (20*546/730 + 10 + 10 + 5) / 55. N1: 60 days, no NPS. */
static void test_missing_components(void)
{
    xs_snapshot *s = load_fixture();
    xs_customer_scores *cs = score(s, "2024-06-30", 0);
    xs_customer_row r = row_of(cs, "S1");
    CHECK(isnan(r.raw[XS_HEALTH_USAGE]) && isnan(r.score[XS_HEALTH_USAGE]));
    CHECK(isnan(r.score[XS_HEALTH_TREND]) && isnan(r.score[XS_HEALTH_UTILISATION]));
    CHECK_NEAR(r.weight[XS_HEALTH_USAGE], 0, 0);
    CHECK_NEAR(r.weight[XS_HEALTH_TENURE], 20.0 / 55, TOL);
    CHECK_NEAR(r.weight[XS_HEALTH_NPS], 20.0 / 55, TOL);
    CHECK_NEAR(r.health, 100 * 49.0 / 55, TOL);
    CHECK_INT(r.segment, XS_SEG_CHAMPION);
    r = row_of(cs, "M1");
    CHECK_NEAR(r.raw[XS_HEALTH_TENURE], 546, 0);
    CHECK_NEAR(r.health, 100 * (20 * 546.0 / 730 + 10 + 10 + 5) / 55, TOL);
    CHECK_INT(r.segment, XS_SEG_LOYAL);
    r = row_of(cs, "N1");
    CHECK_NEAR(r.raw[XS_HEALTH_TENURE], 60, 0);
    CHECK(isnan(r.score[XS_HEALTH_NPS]));
    CHECK_NEAR(r.health, 100 * (20 * 60.0 / 730 + 10 + 5) / 35, TOL);
    CHECK_INT(r.segment, XS_SEG_NEW);
    r = row_of(cs, "Z1");
    CHECK_NEAR(r.health, 100, TOL);
    CHECK_INT(r.active, 0);
    CHECK_INT(r.segment, XS_SEG_HIBERNATING);
    xs_customer_scores_free(cs);
    xs_snapshot_free(s);
}

/* The default as_of is the latest observed date (H1's 2024-07-31 seats
 * point), not a renewal date; on it H1's 07-31 point counts. A date before
 * a signup gives tenure 0. */
static void test_as_of(void)
{
    xs_snapshot *s = load_fixture();
    xs_customer_scores *cs = score(s, NULL, 0);
    char buf[11];
    CHECK_STR(xs_customer_scores_as_of(cs, buf), "2024-07-31");
    xs_customer_row r = row_of(cs, "H1");
    CHECK_NEAR(r.raw[XS_HEALTH_UTILISATION], 49.0 / 60, TOL);
    CHECK_NEAR(r.raw[XS_HEALTH_NPS], 0, 0); /* the 2024-07-15 answer */
    xs_customer_scores_free(cs);
    cs = score(s, "2024-04-01", 0);
    r = row_of(cs, "N1");
    CHECK_NEAR(r.raw[XS_HEALTH_TENURE], 0, 0);
    xs_customer_scores_free(cs);
    xs_customer_scores *bad = NULL;
    xs_error e;
    CHECK_INT(xs_customer_scores_compute(s, NULL, "2024-02-30", &bad, &e), XS_EINVAL);
    CHECK(bad == NULL);
    CHECK_STR(err_text(&e), "as_of: not a date: \"2024-02-30\"");
    xs_snapshot_free(s);
}

/* Weights and thresholds by name. */
static void test_config(void)
{
    xs_health_config c, d;
    xs_error e;
    xs_health_config_init(&c);
    double sum = 0;
    for (int k = 0; k < XS_HEALTH_N_PARTS; k++)
        sum += c.weight[k];
    CHECK_NEAR(sum, 100, 0);
    /* loyalty: tenure, usage, NPS and support carry 75 of the 100 */
    CHECK_NEAR(c.weight[XS_HEALTH_TENURE] + c.weight[XS_HEALTH_USAGE] +
                   c.weight[XS_HEALTH_NPS] + c.weight[XS_HEALTH_SUPPORT],
               75, 0);
    CHECK_INT(xs_health_config_set(
                  &c, "tenure=30,nps=0,logins_full=12.5,capacity_metric=storage_gb",
                  "--weights", &e),
              XS_OK);
    CHECK_NEAR(c.weight[XS_HEALTH_TENURE], 30, 0);
    CHECK_NEAR(c.weight[XS_HEALTH_NPS], 0, 0);
    CHECK_NEAR(c.logins_full, 12.5, 0);
    CHECK_STR(c.capacity_metric, "storage_gb");
    d = c;
    CHECK_INT(xs_health_config_set(&c, "tenure=20,bogus=1", "--weights", &e), XS_EINVAL);
    CHECK_STR(err_text(&e), "--weights: unknown name \"bogus\"");
    CHECK(!memcmp(&c, &d, sizeof c)); /* unchanged on failure */
    CHECK_INT(xs_health_config_set(&c, "usage=abc", "--weights", &e), XS_EINVAL);
    CHECK_STR(err_text(&e),
              "--weights: usage: expected a non-negative number, got \"abc\"");
    CHECK_INT(xs_health_config_set(&c, "tenure_full_days=0", "--set", &e), XS_EINVAL);
    CHECK_STR(err_text(&e),
              "--set: tenure_full_days: expected a whole positive number, got \"0\"");
    CHECK_INT(xs_health_config_set(&c, "new_days=1.5", "--set", &e), XS_EINVAL);
    CHECK_STR(err_text(&e),
              "--set: new_days: expected a whole non-negative number, got \"1.5\"");
    CHECK_INT(xs_health_config_set(&c, "usage", "--weights", &e), XS_EINVAL);
    CHECK_STR(err_text(&e), "--weights: expected name=value, got \"usage\"");
    CHECK_INT(
        xs_health_config_set(&c,
                             "tenure=0,usage=0,trend=0,utilisation=0,nps=0,support=0,"
                             "payment=0",
                             "--weights", &e),
        XS_EINVAL);
    CHECK_STR(err_text(&e), "--weights: weights sum to 0");
    CHECK_INT(xs_health_config_set(&c, "capacity_metric=Seats", "--set", &e), XS_EINVAL);
    CHECK_STR(err_text(&e), "--set: capacity_metric: not a metric name: \"Seats\"");
    CHECK_INT(xs_health_config_set(&c, "nps_latest_share=2", "--set", &e), XS_EINVAL);
    CHECK_STR(err_text(&e), "--set: nps_latest_share: must be at most 1, got 2");
    CHECK_STR(xs_health_part_name(XS_HEALTH_UTILISATION), "utilisation");
    CHECK(xs_health_part_name(XS_HEALTH_N_PARTS) == NULL);

    /* custom weights change the health: only tenure counts */
    xs_snapshot *s = load_fixture();
    xs_health_config_init(&c);
    c.clv = 0;
    CHECK_INT(
        xs_health_config_set(&c,
                             "tenure=1,usage=0,trend=0,utilisation=0,nps=0,support=0,"
                             "payment=0,tenure_full_days=1000",
                             "--weights", &e),
        XS_OK);
    xs_customer_scores *cs = NULL;
    CHECK_INT(xs_customer_scores_compute(s, &c, "2024-06-30", &cs, &e), XS_OK);
    xs_customer_row r = row_of(cs, "R1");
    CHECK_NEAR(r.health, 36.6, TOL);
    CHECK_NEAR(r.weight[XS_HEALTH_TENURE], 1, 0);
    xs_customer_scores_free(cs);
    /* a different capacity metric: storage 4.5 of 5 */
    xs_health_config_init(&c);
    c.clv = 0;
    strcpy(c.capacity_metric, "storage_gb");
    CHECK_INT(xs_customer_scores_compute(s, &c, "2024-06-30", &cs, &e), XS_OK);
    r = row_of(cs, "R1");
    CHECK_NEAR(r.raw[XS_HEALTH_UTILISATION], 0.9, TOL);
    CHECK_NEAR(r.score[XS_HEALTH_UTILISATION], 1, 0);
    CHECK_NEAR(r.raw[XS_HEALTH_USAGE], 10, TOL); /* still per seat */
    xs_customer_scores_free(cs);
    xs_snapshot_free(s);
}

/* Each allocation of a scoring run fails in turn: XS_ENOMEM, nothing
 * leaked, then the run succeeds with the same result. */
static void test_alloc_failures(void)
{
    xs_snapshot *s = load_fixture();
    xs_customer_scores *ref = score(s, "2024-06-30", 1);
    long n;
    for (n = 0; n < 100000; n++) {
        xs_customer_scores *cs = NULL;
        xs_error e;
        xs__alloc_fail_after(n);
        int rc = xs_customer_scores_compute(s, NULL, "2024-06-30", &cs, &e);
        xs__alloc_fail_after(-1);
        if (rc == XS_OK) {
            xs_customer_row a = row_of(cs, "H1"), b = row_of(ref, "H1");
            CHECK_NEAR(a.health, b.health, 0);
            xs_customer_scores_free(cs);
            break;
        }
        CHECK_INT(rc, XS_ENOMEM);
        CHECK(cs == NULL);
    }
    CHECK(n > 5);
    xs_customer_scores_free(ref);
    xs_snapshot_free(s);
}

/* ---------------------------------------------------------------------- */
/* Generated data: the planted churners                                   */
/* ---------------------------------------------------------------------- */

/* Reads truth_customers.csv: about_to_churn per customer id (C + 8 digits,
 * so the row number gives the index). Returns the number of rows. */
static size_t read_truth(const char *dir, unsigned char *churn, size_t cap)
{
    char path[600], line[1024];
    snprintf(path, sizeof path, "%s/truth_customers.csv", dir);
    FILE *f = fopen(path, "r");
    size_t n = 0;
    if (!f) return 0;
    if (!fgets(line, sizeof line, f)) {
        fclose(f);
        return 0;
    }
    /* customer_id,saas,shopper,health,trend,p_upsell,p_cross_sell,p_downsell,
     * usage_class,about_to_churn,... */
    while (n < cap && fgets(line, sizeof line, f)) {
        char *p = line;
        for (int k = 0; k < 9 && p; k++) {
            p = strchr(p, ',');
            if (p) p++;
        }
        churn[n++] = (unsigned char)(p && *p == '1');
    }
    fclose(f);
    return n;
}

static void test_generated_churners(void)
{
    enum { N = 3000 };
    char dir[256];
    snprintf(dir, sizeof dir, "/tmp/xs-test-health-gen-%ld", (long)getpid());
    xs_gen_options o;
    xs_gen_options_init(&o);
    o.n_customers = N;
    o.seed = 7;
    xs_error e;
    CHECK_INT(xs_gen_write(dir, &o, NULL, &e), XS_OK);
    xs_snapshot *s = load_dir(dir, "health-gen");
    static unsigned char churn[N];
    CHECK_INT(read_truth(dir, churn, N), N);
    xs_customer_scores *cs = score(s, NULL, 1);
    char buf[11];
    CHECK_STR(xs_customer_scores_as_of(cs, buf), XS_GEN_DEFAULT_AS_OF);
    double h_churn = 0, h_other = 0;
    size_t n_churn = 0, n_other = 0, churn_old = 0, churn_at_risk = 0, other_at_risk = 0;
    for (size_t i = 0; i < N; i++) {
        xs_customer_row r;
        xs_customer_scores_get(cs, i, &r);
        CHECK(r.health >= 0 && r.health <= 100);
        if (churn[i]) {
            h_churn += r.health;
            n_churn++;
            if (r.segment != XS_SEG_NEW) {
                churn_old++;
                if (r.segment == XS_SEG_AT_RISK) churn_at_risk++;
            }
        } else {
            h_other += r.health;
            n_other++;
            if (r.segment == XS_SEG_AT_RISK) other_at_risk++;
        }
    }
    CHECK(n_churn >= 30);
    h_churn /= (double)n_churn;
    h_other /= (double)n_other;
    printf("  planted churners %zu: mean health %.1f; others %.1f; at_risk %zu of %zu "
           "(others %zu of %zu)\n",
           n_churn, h_churn, h_other, churn_at_risk, churn_old, other_at_risk, n_other);
    /* a meaningful margin: 25 points (observed about 40) */
    CHECK(h_other - h_churn >= 25);
    /* at_risk holds at least 80 % of the churners past onboarding, and
     * under 5 % of the others */
    CHECK(churn_at_risk * 10 >= churn_old * 8);
    CHECK(other_at_risk * 20 < n_other);
    /* CLV was fitted on the generated orders */
    char msg[600];
    CHECK_INT(xs_customer_scores_clv_status(cs, msg, sizeof msg), XS_OK);
    CHECK_INT(xs_customer_scores_churn_status(cs, msg, sizeof msg), XS_EINVAL);
    CHECK_STR(msg, "churn risk not requested");
    xs_customer_scores_free(cs);
    /* churn risk from the churn module's store-history model: a
     * probability for every customer active at as_of, none for the others */
    xs_health_config c;
    xs_health_config_init(&c);
    c.clv = 0;
    c.churn = 1;
    CHECK_INT(xs_customer_scores_compute(s, &c, NULL, &cs, &e), XS_OK);
    CHECK_INT(xs_customer_scores_churn_status(cs, msg, sizeof msg), XS_OK);
    size_t n_risk = 0;
    for (size_t i = 0; i < N; i++) {
        xs_customer_row r;
        xs_customer_scores_get(cs, i, &r);
        int subscriber = (cs->flags[i] & XS__CS_SUBSCRIBER) != 0;
        CHECK_INT(!isnan(r.churn_risk), subscriber);
        if (subscriber) {
            CHECK(r.churn_risk >= 0 && r.churn_risk <= 1);
            n_risk++;
        }
    }
    CHECK(n_risk > N / 2);
    xs_customer_scores_free(cs);
    xs_snapshot_free(s);
    for (int f = 0; f < XS_GEN_N_FILES; f++) {
        char p[600];
        snprintf(p, sizeof p, "%s/%s", dir, xs_gen_file_name((xs_gen_file)f));
        unlink(p);
    }
    rmdir(dir);
}

static const xs_test tests[] = {
    {"components_h1", test_components_h1},
    {"components_r1", test_components_r1},
    {"missing_components", test_missing_components},
    {"as_of", test_as_of},
    {"config", test_config},
    {"alloc_failures", test_alloc_failures},
    {"generated_churners", test_generated_churners},
};

int main(void)
{
    return xs_test_run(tests, XS_N(tests));
}
