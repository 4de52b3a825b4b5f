/*
 * test_ltv.c — lifetime value: the simple formula's factors and exact
 * values on the tests/data/health customers (churn rates measured from the
 * store, lifetime from them, MRR with annual plans, orders per year with
 * the span floor), the lifetime rule's edge cases, and the CLV glue: the
 * snapshot's per-customer purchase summaries equal the clv module's CSV
 * reader's for the same orders (fixture and generated data), and the
 * per-customer CLV equals xs_clv_value() with models fitted on the CSV
 * path; allocation-failure injection of the glue.
 */
#include "test.h"

#include "base/alloc.h"
#include "base/date.h"
#include "score/ltv.h"

#include <unistd.h>

#include "health_fixture.h"

#define TOL 1e-9

static void test_lifetime_rule(void)
{
    CHECK_NEAR(xs__score_ltv_lifetime_days(NAN, 365, 1095, 3650), 1095, 0);
    CHECK_NEAR(xs__score_ltv_lifetime_days(0, 365, 1095, 3650), 3650, 0);
    CHECK_NEAR(xs__score_ltv_lifetime_days(0.25, 365, 1095, 3650), 1460, 0);
    CHECK_NEAR(xs__score_ltv_lifetime_days(0.05, 365, 1095, 3650), 3650, 0); /* capped */
    CHECK_NEAR(xs__score_ltv_lifetime_days(1, 180, 1095, 3650), 180, 0);
}

/* As of 2024-06-30 (churn window 365 days):
 *  subscribers on 2023-07-01: H1, M1, R1 (starts that day), Z1; at as_of
 *  Z1 holds nothing: churn 1/4, lifetime 365 / 0.25 = 1460 days = 48 months;
 *  buyers in (2022-07-01, 2023-07-01]: S1, Z1; Z1 did not buy again: churn
 *  1/2, expected purchasing 2 years.
 *  H1: MRR 90 + 2 x 10 = 110 -> 5280; M1: 900 a year = 75 a month -> 3600;
 *  R1: 30 -> 1440; S1: 4 orders (two on 2024-01-10), 75.00: aov 18.75, span
 *  537 days: 4 x 365 / 537 a year; Z1: 1 order of 45.00, span 395 days. */
static void test_simple_ltv(void)
{
    xs_snapshot *s = load_fixture();
    xs_customer_scores *cs = score(s, "2024-06-30", 0);
    CHECK_NEAR(cs->sub_churn, 0.25, 0);
    CHECK_NEAR(cs->lifetime_months, 48, TOL);
    CHECK_NEAR(cs->shop_churn, 0.5, 0);
    CHECK_NEAR(cs->shop_years, 2, TOL);
    xs_customer_row r = row_of(cs, "H1");
    CHECK_NEAR(r.mrr, 110, TOL);
    CHECK_NEAR(r.ltv_subscription, 5280, 1e-6);
    CHECK_NEAR(r.ltv_orders, 0, 0);
    CHECK_NEAR(r.ltv, 5280, 1e-6);
    CHECK(isnan(r.aov));
    r = row_of(cs, "M1");
    CHECK_NEAR(r.mrr, 75, TOL);
    CHECK_NEAR(r.ltv, 3600, 1e-6);
    r = row_of(cs, "R1");
    CHECK_NEAR(r.ltv, 1440, 1e-6);
    r = row_of(cs, "S1");
    CHECK_NEAR(r.mrr, 0, 0);
    CHECK_NEAR(r.aov, 18.75, TOL);
    CHECK_NEAR(r.orders_per_year, 4.0 * 365 / 537, TOL);
    CHECK_NEAR(r.ltv_orders, 18.75 * 4 * 365 / 537 * 2, 1e-9);
    CHECK_NEAR(r.ltv, 101.955307262569832, 1e-9);
    r = row_of(cs, "Z1");
    CHECK_NEAR(r.orders_per_year, 365.0 / 395, TOL);
    CHECK_NEAR(r.ltv, 45 * 365.0 / 395 * 2, 1e-9);
    r = row_of(cs, "N1");
    CHECK_NEAR(r.ltv, 0, 0);
    xs_customer_scores_free(cs);
    /* a span shorter than min_span_days is floored: as of 2023-01-20 S1 has
     * one order 10 days old: 1 order a year, not 36.5; no buyers a window
     * earlier and the subscribers of 2022-01-20 (Z1) all stayed: default
     * 3 years of purchasing, the 10-year cap for subscriptions */
    cs = score(s, "2023-01-20", 0);
    r = row_of(cs, "S1");
    CHECK_NEAR(r.orders_per_year, 1, TOL);
    CHECK(isnan(cs->shop_churn));
    CHECK_NEAR(cs->shop_years, 3, TOL);
    CHECK_NEAR(cs->sub_churn, 0, 0);
    CHECK_NEAR(cs->lifetime_months, 120, TOL);
    CHECK_NEAR(r.ltv, 15 * 1 * 3, 1e-9);
    xs_customer_scores_free(cs);
    xs_snapshot_free(s);
}

/* Compares the snapshot glue with xs_clv_data_read() of an orders CSV with
 * the same rows: every customer of the CSV path, matched by id. */
static void compare_glue(const xs_snapshot *s, const char *orders_csv,
                         const char *cal_end, size_t want_n)
{
    xs_clv_read_opts o;
    memset(&o, 0, sizeof o);
    o.unit_days = 7;
    CHECK_INT(xs_clv_parse_date(cal_end, 0, &o.calibration_end), XS_OK);
    xs_clv_data *a = NULL, *b = NULL;
    uint32_t *cust = NULL;
    xs_error e;
    CHECK_INT(xs_clv_data_read(orders_csv, &o, &a, &e), XS_OK);
    CHECK_INT(xs_clv_data_from_snapshot(s, o.calibration_end, 7, &b, &cust, &e), XS_OK);
    if (!a || !b) goto done;
    CHECK_INT(xs_clv_data_n(b), xs_clv_data_n(a));
    CHECK_INT(xs_clv_data_n(b), want_n);
    for (size_t i = 0; i < xs_clv_data_n(a); i++) {
        xs_clv_customer x, y;
        xs_clv_data_get(a, i, &x);
        uint32_t c = xs__intern_find(&s->cust.ids, x.id, strlen(x.id));
        size_t k = 0;
        while (k < xs_clv_data_n(b) && cust[k] != c)
            k++;
        CHECK(k < xs_clv_data_n(b));
        if (k == xs_clv_data_n(b)) continue;
        xs_clv_data_get(b, k, &y);
        CHECK_NEAR(y.x, x.x, 0);
        CHECK_NEAR(y.t_x, x.t_x, 1e-12);
        CHECK_NEAR(y.T, x.T, 1e-12);
        CHECK_NEAR(y.mean_spend, x.mean_spend, 1e-9 * (1 + x.mean_spend));
    }
    /* customers come in id order */
    for (size_t k = 1; k < xs_clv_data_n(b); k++)
        CHECK(cust[k - 1] < cust[k]);
done:
    xs_clv_data_free(a);
    xs_clv_data_free(b);
    xs_clv_customers_free(cust);
}

static void test_glue_fixture(void)
{
    xs_snapshot *s = load_fixture();
    char path[600];
    const char *src = getenv("XS_SOURCE_DIR");
    snprintf(path, sizeof path, "%s/tests/data/health/orders.csv", src ? src : ".");
    compare_glue(s, path, "2024-06-30", 2);
    /* S1 by hand: purchase days 2023-01-10 (15), 2024-01-10 (15 + 15),
     * 2024-06-20 (30); O4 is after the calibration end */
    xs_clv_data *d = NULL;
    uint32_t *cust = NULL;
    xs_error e;
    int32_t end;
    CHECK_INT(xs__date_parse("2024-06-30", 10, &end), 0);
    CHECK_INT(xs_clv_data_from_snapshot(s, end, 7, &d, &cust, &e), XS_OK);
    xs_clv_customer c;
    xs_clv_data_get(d, 0, &c);
    CHECK_STR(xs__intern_str(&s->cust.ids, cust[0]), "S1");
    CHECK_NEAR(c.x, 2, 0);
    CHECK_NEAR(c.t_x, 527.0 / 7, 1e-12);
    CHECK_NEAR(c.T, 537.0 / 7, 1e-12);
    CHECK_NEAR(c.mean_spend, 30, 1e-12);
    xs_clv_data_get(d, 1, &c);
    CHECK_STR(xs__intern_str(&s->cust.ids, cust[1]), "Z1");
    CHECK_NEAR(c.x, 0, 0);
    CHECK_NEAR(c.T, 395.0 / 7, 1e-12);
    xs_clv_data_free(d);
    xs_clv_customers_free(cust);
    /* errors */
    CHECK_INT(xs__date_parse("2020-01-01", 10, &end), 0);
    CHECK_INT(xs_clv_data_from_snapshot(s, end, 7, &d, NULL, &e), XS_EINVAL);
    CHECK(d == NULL);
    CHECK_STR(e.message, "no customer has an order on or before the calibration end");
    CHECK_INT(xs_clv_data_from_snapshot(s, end, 0, &d, NULL, &e), XS_EINVAL);
    CHECK_STR(e.message, "unit_days must be >= 1");
    /* allocation failures */
    CHECK_INT(xs__date_parse("2024-06-30", 10, &end), 0);
    long n;
    for (n = 0; n < 100; n++) {
        xs__alloc_fail_after(n);
        int rc = xs_clv_data_from_snapshot(s, end, 7, &d, &cust, &e);
        xs__alloc_fail_after(-1);
        if (rc == XS_OK) break;
        CHECK_INT(rc, XS_ENOMEM);
        CHECK(d == NULL && cust == NULL);
    }
    CHECK(n >= 2);
    CHECK_INT(xs_clv_data_n(d), 2);
    xs_clv_data_free(d);
    xs_clv_customers_free(cust);
    /* two buyers cannot be fitted: CLV is absent, with the reason */
    xs_customer_scores *cs = score(s, "2024-06-30", 1);
    char msg[600];
    CHECK(xs_customer_scores_clv_status(cs, msg, sizeof msg) != XS_OK);
    CHECK(msg[0] != '\0');
    CHECK(isnan(row_of(cs, "S1").clv));
    xs_customer_scores_free(cs);
    xs_snapshot_free(s);
}

/* Generated data: summaries equal the CSV path's for every buyer, and each
 * customer's CLV is xs_clv_value() with models fitted on the CSV path. */
static void test_glue_generated(void)
{
    char dir[256], path[600];
    snprintf(dir, sizeof dir, "/tmp/xs-test-ltv-gen-%ld", (long)getpid());
    xs_gen_options o;
    xs_gen_options_init(&o);
    o.n_customers = 2000;
    o.seed = 3;
    xs_error e;
    CHECK_INT(xs_gen_write(dir, &o, NULL, &e), XS_OK);
    xs_snapshot *s = load_dir(dir, "ltv-gen");
    snprintf(path, sizeof path, "%s/orders.csv", dir);
    xs_clv_read_opts ro;
    memset(&ro, 0, sizeof ro);
    ro.unit_days = 7;
    CHECK_INT(xs_clv_parse_date(XS_GEN_DEFAULT_AS_OF, 0, &ro.calibration_end), XS_OK);
    xs_clv_data *a = NULL;
    CHECK_INT(xs_clv_data_read(path, &ro, &a, &e), XS_OK);
    compare_glue(s, path, XS_GEN_DEFAULT_AS_OF, xs_clv_data_n(a));
    xs_bgnbd_params bg;
    xs_gg_params gg;
    CHECK_INT(xs_bgnbd_fit(a, &bg, NULL, &e), XS_OK);
    CHECK_INT(xs_gg_fit(a, &gg, NULL, &e), XS_OK);
    xs_customer_scores *cs = score(s, XS_GEN_DEFAULT_AS_OF, 1);
    CHECK_INT(xs_customer_scores_clv_status(cs, NULL, 0), XS_OK);
    CHECK_NEAR(cs->bg.r, bg.r, 1e-6 * bg.r);
    CHECK_NEAR(cs->gg.q, gg.q, 1e-6 * gg.q);
    size_t checked = 0;
    for (size_t i = 0; i < xs_clv_data_n(a); i += 7) {
        xs_clv_customer c;
        xs_clv_data_get(a, i, &c);
        xs_customer_row r = row_of(cs, c.id);
        double want = xs_clv_value(&bg, &gg, &c, 52, 0.0018);
        CHECK_NEAR(r.clv, want, 1e-6 * (1 + fabs(want)));
        CHECK_NEAR(r.p_alive, xs_bgnbd_p_alive(&bg, c.x, c.t_x, c.T), 1e-6);
        checked++;
    }
    CHECK(checked > 50);
    /* the per-(x, T) curves of the scores' CLV give xs_clv_value() with the
     * scores' own fit bit for bit, every customer */
    xs_clv_data *sd = NULL;
    uint32_t *cust = NULL;
    int32_t cal;
    CHECK_INT(xs_clv_parse_date(XS_GEN_DEFAULT_AS_OF, 0, &cal), XS_OK);
    CHECK_INT(xs_clv_data_from_snapshot(s, cal, 7, &sd, &cust, &e), XS_OK);
    size_t exact = 0;
    for (size_t i = 0; i < xs_clv_data_n(sd); i++) {
        xs_clv_customer c;
        xs_clv_data_get(sd, i, &c);
        double want = xs_clv_value(&cs->bg, &cs->gg, &c, 52, 0.0018);
        exact += memcmp(&cs->clv[cust[i]], &want, sizeof want) == 0 &&
                 cs->p_alive[cust[i]] == xs_bgnbd_p_alive(&cs->bg, c.x, c.t_x, c.T);
    }
    CHECK_INT((long)exact, (long)xs_clv_data_n(sd));
    CHECK(xs_clv_data_n(sd) > 500);
    xs_clv_customers_free(cust);
    xs_clv_data_free(sd);
    /* customers without orders have no CLV */
    size_t none = 0;
    for (size_t i = 0; i < xs_customer_scores_n(cs); i++) {
        xs_customer_row r;
        xs_customer_scores_get(cs, i, &r);
        if (r.frequency == 0) {
            CHECK(isnan(r.clv));
            none++;
        }
    }
    CHECK(none > 0);
    xs_customer_scores_free(cs);
    xs_clv_data_free(a);
    xs_snapshot_free(s);
    for (int f = 0; f < XS_GEN_N_FILES; f++) {
        snprintf(path, sizeof path, "%s/%s", dir, xs_gen_file_name((xs_gen_file)f));
        unlink(path);
    }
    rmdir(dir);
}

static const xs_test tests[] = {
    {"lifetime_rule", test_lifetime_rule},
    {"simple_ltv", test_simple_ltv},
    {"glue_fixture", test_glue_fixture},
    {"glue_generated", test_glue_generated},
};

int main(void)
{
    return xs_test_run(tests, XS_N(tests));
}
