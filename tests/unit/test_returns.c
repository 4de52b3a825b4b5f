/*
 * test_returns.c — returns reduce revenue: the snapshot's returns table
 * (src/snapshot/snapshot.c), the money of the scores net of returns (RFM
 * monetary and the simple LTV in src/score/ltv.c, the Gamma-Gamma spend of
 * both snapshot paths to the CLV summaries, src/score/clv_data.c) and the
 * order revenue / return KPIs (src/measure/kpi.c), on the hand-made shop of
 * tests/data/returns with every answer worked out by hand below.
 *
 * The shop (money in currency units; products p1 = 0, p2 = 1; customers
 * A = 0, B = 1, C = 2, D = 3):
 *   orders   A O1 2024-01-10 45.00 (20 + 25), O2 02-05 30.00, O3 03-01 50.00
 *            B O4 02-10 10.00, O5 04-20 50.00
 *            C O6 02-20 25.00, O7 03-20 20.00
 *   returns  R1 A 02-07 p1 10.00; R2 A 03-15 p1 10.00 and p2 50.00;
 *            R3 C 01-20 p1 10.00 (before C's first order); R4 anonymous
 *            02-07 10.00 (not loaded); R5 A 05-10 p2 12.50 (after the
 *            as-of of the score tests); R6 D 02-01 p1 10.00 (D never ordered)
 */
#include "test.h"

#include "xsell.h"
#include "base/date.h"
#include "measure/kpi.h"
#include "snapshot/snapshot.h"
#include "store/store_int.h"

#include <unistd.h>

static char tmpdir[64];

static const char *tmp_path(const char *name)
{
    static char buf[4][256];
    static int k;
    k = (k + 1) % 4;
    if (!tmpdir[0]) {
        snprintf(tmpdir, sizeof tmpdir, "/tmp/xs_returns_XXXXXX");
        if (!mkdtemp(tmpdir)) abort();
    }
    snprintf(buf[k], sizeof buf[k], "%s/%s", tmpdir, name);
    return buf[k];
}

static int32_t day(const char *iso)
{
    int32_t d = 0;
    CHECK_INT(xs__date_parse(iso, strlen(iso), &d), 0);
    return d;
}

/*
 * Imports the fixture (returns.csv only when with_returns) into a fresh
 * store `name`, runs `sql` on it when not NULL, and loads the snapshot.
 */
static xs_snapshot *fixture(const char *name, int with_returns, const char *sql)
{
    static const xs_table_id tables[] = {XS_T_CUSTOMERS, XS_T_PRODUCTS, XS_T_ORDERS,
                                         XS_T_RETURNS};
    const char *src = getenv("XS_SOURCE_DIR");
    const char *db = tmp_path(name);
    xs_store *st = NULL;
    xs_snapshot *s = NULL;
    xs_error e;
    unlink(db);
    if (xs_store_open(&st, db, &e) < 0) {
        fprintf(stderr, "open: %s\n", e.message);
        exit(1);
    }
    size_t n = with_returns ? XS_N(tables) : XS_N(tables) - 1;
    for (size_t i = 0; i < n; i++) {
        char path[512];
        snprintf(path, sizeof path, "%s/tests/data/returns/%s.csv", src ? src : ".",
                 xs_table_name(tables[i]));
        xs_import_options o;
        xs_import_options_init(&o);
        o.table = tables[i];
        int rc = xs_import_file(st, path, &o, NULL, &e);
        CHECK_INT(rc, XS_OK);
        if (rc < 0) {
            fprintf(stderr, "import %s: %s\n", path, e.message);
            exit(1);
        }
    }
    if (sql) CHECK_INT(sqlite3_exec(st->db, sql, NULL, NULL, NULL), SQLITE_OK);
    int rc = xs_snapshot_load(st, &s, &e);
    CHECK_INT(rc, XS_OK);
    if (rc < 0) {
        fprintf(stderr, "snapshot: %s\n", e.message);
        exit(1);
    }
    xs_store_close(st);
    return s;
}

/* ---------------------------------------------------------------------- */
/* Snapshot                                                               */
/* ---------------------------------------------------------------------- */

/* The store scans returns in key order (R1 A, R2/p1 A, R2/p2 A, R3 C, R5 A,
 * R6 D; R4 has no customer); by customer, date, product:
 *   A: R1 02-07 p1 1 1000, R2 03-15 p1 1 1000, R2 03-15 p2 2 5000,
 *      R5 05-10 p2 1 1250
 *   C: R3 01-20 p1 1 1000
 *   D: R6 02-01 p1 1 1000
 * ret_off = {0, 4, 4, 5, 6}; last_date moves to R5's 2024-05-10. */
static void test_snapshot_returns(void)
{
    xs_snapshot *s = fixture("snap.db", 1, NULL);
    const xs__snapshot_returns *r = &s->ret;
    CHECK_INT(r->n, 6);
    static const uint32_t off[] = {0, 4, 4, 5, 6};
    for (int c = 0; c <= 4; c++)
        CHECK_INT(s->cust.ret_off[c], off[c]);
    static const char *const dates[] = {"2024-02-07", "2024-03-15", "2024-03-15",
                                        "2024-05-10", "2024-01-20", "2024-02-01"};
    static const uint32_t cust[] = {0, 0, 0, 0, 2, 3};
    static const uint32_t prod[] = {0, 0, 1, 1, 0, 0};
    static const uint32_t qty[] = {1, 1, 2, 1, 1, 1};
    static const int64_t amount[] = {1000, 1000, 5000, 1250, 1000, 1000};
    for (size_t i = 0; i < 6 && i < r->n; i++) {
        CHECK_INT(r->customer[i], cust[i]);
        CHECK_INT(r->date[i], day(dates[i]));
        CHECK_INT(r->product[i], prod[i]);
        CHECK_INT(r->quantity[i], qty[i]);
        CHECK_INT(r->amount[i], amount[i]);
    }
    CHECK_INT(s->last_date, day("2024-05-10"));
    /* returns are not orders: 7 orders, 8 lines, as imported */
    CHECK_INT(s->ord.n, 7);
    CHECK_INT(s->ord.n_lines, 8);
    CHECK_INT(xs_snapshot_order_revenue(s), 23000); /* 125 + 60 + 45 */
    xs_snapshot_free(s);
}

/* Without returns.csv: no returns, all-zero offsets, the orders as before
 * and last_date the latest order (2024-04-20). */
static void test_snapshot_without_returns(void)
{
    xs_snapshot *s = fixture("none.db", 0, NULL);
    CHECK_INT(s->ret.n, 0);
    for (size_t c = 0; c <= s->cust.n; c++)
        CHECK_INT(s->cust.ret_off[c], 0);
    CHECK_INT(s->ord.n, 7);
    CHECK_INT(s->last_date, day("2024-04-20"));
    xs_snapshot_free(s);
}

/* A return of a customer the store does not hold (a store written around
 * the importer) is skipped; a negative amount is refused with its column. */
static void test_snapshot_unknown_customer(void)
{
    xs_snapshot *s = fixture("unknown.db", 1,
                             "INSERT INTO returns VALUES('R9','p1','ZZ','2024-02-02',1,"
                             "500,NULL)");
    CHECK_INT(s->ret.n, 6);
    CHECK_INT(s->cust.ret_off[4], 6);
    xs_snapshot_free(s);

    xs_store *st = NULL;
    xs_error e;
    CHECK_INT(xs_store_open(&st, tmp_path("unknown.db"), &e), XS_OK);
    CHECK_INT(sqlite3_exec(st->db,
                           "UPDATE returns SET amount = -5 WHERE return_id = 'R1'", NULL,
                           NULL, NULL),
              SQLITE_OK);
    s = NULL;
    CHECK_INT(xs_snapshot_load(st, &s, &e), XS_ERANGE);
    CHECK(s == NULL);
    CHECK_STR(e.column, "returns.amount");
    xs_store_close(st);
}

/* ---------------------------------------------------------------------- */
/* Scores                                                                 */
/* ---------------------------------------------------------------------- */

static xs_customer_scores *score(const xs_snapshot *s, const char *as_of)
{
    xs_health_config c;
    xs_customer_scores *cs = NULL;
    xs_error e;
    xs_health_config_init(&c);
    c.clv = 0;
    int rc = xs_customer_scores_compute(s, &c, as_of, &cs, &e);
    CHECK_INT(rc, XS_OK);
    if (rc < 0) exit(1);
    return cs;
}

static xs_customer_row row_of(const xs_customer_scores *cs, const char *id)
{
    xs_customer_row r;
    long i = xs_customer_scores_find(cs, id);
    CHECK(i >= 0);
    if (i < 0) exit(1);
    xs_customer_scores_get(cs, (size_t)i, &r);
    return r;
}

/* As of 2024-04-30 (R5 is later, so left out):
 *   A: 3 orders, 125.00 less R1 10 + R2 60 = 55.00; recency 04-30 - 03-01 =
 *      60 days (R2 on 03-15 is no purchase); aov 55 / 3; orders per year
 *      3 x 365 / max(111, 365) = 3; nobody bought in (2022-05-01,
 *      2023-05-01], so 3 purchasing years (the default): ltv 55 x 3 = 165.
 *   B: 2 orders, 60.00, no return: aov 30, 2 a year, ltv 60 x 3 = 180.
 *   C: 45.00 less R3 (older than its orders, still before as_of) = 35.00.
 *   D: a return and no order: no RFM, monetary not reported, ltv 0.
 * RFM monetary with ties kept: C 35 (k = 0) -> 1, A 55 (k = 1) ->
 * 1 + floor(5/3) = 2, B 60 (k = 2) -> 1 + floor(10/3) = 4. (On gross
 * amounts A 125 would score 4 and B 2.) */
static void test_scores_net(void)
{
    xs_snapshot *s = fixture("scores.db", 1, NULL);
    xs_customer_scores *cs = score(s, "2024-04-30");
    xs_customer_row r = row_of(cs, "A");
    CHECK_NEAR(r.frequency, 3, 0);
    CHECK_NEAR(r.recency_days, 60, 0);
    CHECK_NEAR(r.monetary, 55.0, 1e-9);
    CHECK_NEAR(r.aov, 55.0 / 3, 1e-9);
    CHECK_NEAR(r.orders_per_year, 3, 1e-12);
    CHECK_NEAR(r.ltv_orders, 165.0, 1e-9);
    CHECK_INT(r.rfm_m, 2);
    r = row_of(cs, "B");
    CHECK_NEAR(r.monetary, 60.0, 1e-9);
    CHECK_NEAR(r.ltv_orders, 180.0, 1e-9);
    CHECK_INT(r.rfm_m, 4);
    r = row_of(cs, "C");
    CHECK_NEAR(r.monetary, 35.0, 1e-9);
    CHECK_NEAR(r.frequency, 2, 0);
    CHECK_INT(r.rfm_m, 1);
    r = row_of(cs, "D");
    CHECK_NEAR(r.frequency, 0, 0);
    CHECK_INT(r.rfm_m, 0);
    CHECK_NEAR(r.ltv_orders, 0, 0);
    xs_customer_scores_free(cs);

    /* As of 2024-05-10, R5 counts: A 55.00 - 12.50 = 42.50, recency 70. */
    cs = score(s, "2024-05-10");
    r = row_of(cs, "A");
    CHECK_NEAR(r.monetary, 42.5, 1e-9);
    CHECK_NEAR(r.recency_days, 70, 0);
    CHECK_NEAR(r.frequency, 3, 0);
    xs_customer_scores_free(cs);

    /* Default as-of: the latest thing that happened is R5 (2024-05-10). */
    cs = score(s, NULL);
    char buf[11];
    CHECK_STR(xs_customer_scores_as_of(cs, buf), "2024-05-10");
    xs_customer_scores_free(cs);

    /* As of 2024-03-15 R2 (that day) counts: A 125.00 - 70.00 = 55.00,
     * recency 03-01 .. 03-15 = 14 days. */
    cs = score(s, "2024-03-15");
    r = row_of(cs, "A");
    CHECK_NEAR(r.monetary, 55.0, 1e-9);
    CHECK_NEAR(r.recency_days, 14, 0);
    xs_customer_scores_free(cs);
    xs_snapshot_free(s);
}

/* More returned than bought: A's orders up to 2024-02-07 are 45 + 30 = 75;
 * with an extra return of 100.00 on 02-07 the net is -25.00: monetary
 * -25.00 (reported as is), aov and ltv_orders 0 (clamped). */
static void test_scores_negative_net(void)
{
    xs_snapshot *s = fixture("negative.db", 1,
                             "INSERT INTO returns VALUES('R8','p2','A','2024-02-07',4,"
                             "10000,NULL)");
    xs_customer_scores *cs = score(s, "2024-02-07");
    xs_customer_row r = row_of(cs, "A");
    CHECK_NEAR(r.frequency, 2, 0);
    CHECK_NEAR(r.monetary, 75.0 - 10.0 - 100.0, 1e-9);
    CHECK_NEAR(r.aov, 0, 0);
    CHECK_NEAR(r.ltv_orders, 0, 0);
    xs_customer_scores_free(cs);
    xs_snapshot_free(s);
}

/* ---------------------------------------------------------------------- */
/* CLV summaries (Gamma-Gamma input)                                      */
/* ---------------------------------------------------------------------- */

/* Calibration end 2024-04-30, weeks. Purchase days and what the returns
 * take off them (each from the latest day on or before its date, the excess
 * from the days before):
 *   A 01-10 4500, 02-05 3000, 03-01 5000. R1 (02-07, 1000) -> 02-05 2000;
 *     R2/p1 (03-15, 1000) -> 03-01 4000; R2/p2 (5000) -> 03-01 0 and 1000
 *     more from 02-05 -> 1000. Days 4500, 1000, 0 (sum 5500 = 12500 -
 *     7000). x = 2, mean spend of the repeat days (10.00 + 0) / 2 = 5.00
 *     (40.00 on gross amounts), t_x = 51 / 7, T = 111 / 7.
 *   B 02-10 1000, 04-20 5000: x = 1, mean 50.00.
 *   C 02-20 2500, 03-20 2000; R3 (01-20) is older than every purchase and
 *     comes off the first day: 1500, 2000. x = 1, mean 20.00.
 *   D has no purchase: not in the summaries. */
static void check_clv(const xs_clv_data *d, const char *const *ids, int by_index,
                      const uint32_t *idx)
{
    static const double x[] = {2, 1, 1}, mean[] = {5.0, 50.0, 20.0};
    static const double t_x[] = {51.0 / 7, 70.0 / 7, 29.0 / 7};
    static const double T[] = {111.0 / 7, 80.0 / 7, 70.0 / 7};
    CHECK_INT(xs_clv_data_n(d), 3);
    for (size_t k = 0; k < 3 && k < xs_clv_data_n(d); k++) {
        xs_clv_customer cc;
        xs_clv_data_get(d, k, &cc);
        if (by_index)
            CHECK_INT(idx[k], k);
        else
            CHECK_STR(cc.id, ids[k]);
        CHECK_NEAR(cc.x, x[k], 0);
        CHECK_NEAR(cc.mean_spend, mean[k], 1e-12);
        CHECK_NEAR(cc.t_x, t_x[k], 1e-12);
        CHECK_NEAR(cc.T, T[k], 1e-12);
    }
}

static void test_clv_data_net(void)
{
    static const char *const ids[] = {"A", "B", "C"};
    xs_snapshot *s = fixture("clv.db", 1, NULL);
    int32_t end = day("2024-04-30");
    xs_clv_data *d = NULL;
    uint32_t *idx = NULL;
    xs_error e;
    CHECK_INT(xs_clv_data_read_snapshot(s, end, 7, &d, &e), XS_OK);
    if (d) check_clv(d, ids, 0, NULL);
    xs_clv_data_free(d);
    d = NULL;
    CHECK_INT(xs_clv_data_from_snapshot(s, end, 7, &d, &idx, &e), XS_OK);
    if (d && idx) check_clv(d, ids, 1, idx);
    xs_clv_data_free(d);
    xs_clv_customers_free(idx);

    /* Calibration end 2024-03-14: R2 (03-15) is later and left out, A's
     * days are 4500, 2000, 5000: mean (20.00 + 50.00) / 2 = 35.00. */
    d = NULL;
    CHECK_INT(xs_clv_data_read_snapshot(s, day("2024-03-14"), 7, &d, &e), XS_OK);
    xs_clv_customer cc;
    xs_clv_data_get(d, 0, &cc);
    CHECK_STR(cc.id, "A");
    CHECK_NEAR(cc.mean_spend, 35.0, 1e-12);
    xs_clv_data_free(d);
    xs_snapshot_free(s);
}

/* ---------------------------------------------------------------------- */
/* KPIs                                                                   */
/* ---------------------------------------------------------------------- */

static xs_kpi_result *kpi(const xs_snapshot *s, xs_kpi_period period, xs_kpi_by by)
{
    xs_kpi_opts o = {0};
    o.period = period;
    o.by = by;
    xs_kpi_result *r = NULL;
    xs_error e;
    CHECK_INT(xs_kpi_compute(s, &o, &r, &e), XS_OK);
    if (!r) exit(1);
    return r;
}

/* Months 2024-01 .. 2024-05 (the data ends with R5 on 05-10). Order lines
 * and customer-linked returns dated in each (R4 has no customer):
 *   01: O1 45.00        | R3 10.00            net 35.00  rate 10/45
 *   02: O2 30, O4 10,   | R1 10, R6 10: 2     net 45.00  rate 20/65
 *       O6 25 = 65.00
 *   03: O3 50, O7 20    | R2 10 + 50: 2 lines net 10.00  rate 60/70
 *       = 70.00
 *   04: O5 50.00        | none                net 50.00  rate 0
 *   05: none            | R5 12.50            net -12.50 rate empty
 * Buyers are unchanged by returns: 1, 3, 2, 1, 0 (D never counts); repeat
 * buyers 0, 1 (A), 2 (A, C), 1 (B), 0.
 * Quarters: Q1 180.00, 5 lines, 90.00, net 90.00, 0.5; Q2 50.00, 1 line,
 * 12.50, net 37.50, 0.25. */
static void test_kpi_returns(void)
{
    xs_snapshot *s = fixture("kpi.db", 1, NULL);
    xs_kpi_result *r = kpi(s, XS_KPI_MONTH, XS_KPI_BY_NONE);
    static const int64_t gross[] = {4500, 6500, 7000, 5000, 0};
    static const long long n_ret[] = {1, 2, 2, 0, 1};
    static const int64_t returned[] = {1000, 2000, 6000, 0, 1250};
    static const long long buyers[] = {1, 3, 2, 1, 0}, repeat[] = {0, 1, 2, 1, 0};
    CHECK_INT(xs_kpi_result_n_rows(r), 5);
    CHECK_INT(r->has_returns, 1);
    for (size_t p = 0; p < 5 && p < xs_kpi_result_n_rows(r); p++) {
        const xs_kpi_row *w = xs_kpi_result_row(r, p);
        CHECK_INT(w->order_revenue, gross[p]);
        CHECK_INT(w->returns, n_ret[p]);
        CHECK_INT(w->returned_amount, returned[p]);
        CHECK_INT(w->net_order_revenue, gross[p] - returned[p]);
        CHECK_INT(w->buyers, buyers[p]);
        CHECK_INT(w->repeat_buyers, repeat[p]);
    }
    CHECK_STR(xs_kpi_result_row(r, 0)->period, "2024-01");
    CHECK_STR(xs_kpi_result_row(r, 4)->end, "2024-05-10");
    CHECK_NEAR(xs_kpi_result_row(r, 0)->return_rate, 10.0 / 45, 1e-15);
    CHECK_NEAR(xs_kpi_result_row(r, 1)->return_rate, 20.0 / 65, 1e-15);
    CHECK_NEAR(xs_kpi_result_row(r, 2)->return_rate, 60.0 / 70, 1e-15);
    CHECK_NEAR(xs_kpi_result_row(r, 3)->return_rate, 0, 0);
    CHECK(isnan(xs_kpi_result_row(r, 4)->return_rate));
    CHECK_INT(xs_kpi_result_row(r, 4)->net_order_revenue, -1250);
    xs_kpi_result_free(r);

    r = kpi(s, XS_KPI_QUARTER, XS_KPI_BY_NONE);
    CHECK_INT(xs_kpi_result_n_rows(r), 2);
    const xs_kpi_row *q1 = xs_kpi_result_row(r, 0), *q2 = xs_kpi_result_row(r, 1);
    CHECK_INT(q1->order_revenue, 18000);
    CHECK_INT(q1->returns, 5);
    CHECK_INT(q1->returned_amount, 9000);
    CHECK_INT(q1->net_order_revenue, 9000);
    CHECK_NEAR(q1->return_rate, 0.5, 0);
    CHECK_INT(q2->order_revenue, 5000);
    CHECK_INT(q2->returns, 1);
    CHECK_INT(q2->returned_amount, 1250);
    CHECK_INT(q2->net_order_revenue, 3750);
    CHECK_NEAR(q2->return_rate, 0.25, 0);
    xs_kpi_result_free(r);

    /* by segment: everyone is (none), the same numbers; by product the
     * order KPIs do not apply */
    r = kpi(s, XS_KPI_QUARTER, XS_KPI_BY_SEGMENT);
    CHECK_INT(xs_kpi_result_n_rows(r), 2);
    CHECK_STR(xs_kpi_result_row(r, 0)->group, "(none)");
    CHECK_INT(xs_kpi_result_row(r, 0)->returned_amount, 9000);
    CHECK_INT(xs_kpi_result_row(r, 1)->order_revenue, 5000);
    xs_kpi_result_free(r);
    r = kpi(s, XS_KPI_QUARTER, XS_KPI_BY_PRODUCT);
    for (size_t i = 0; i < xs_kpi_result_n_rows(r); i++) {
        CHECK_INT(xs_kpi_result_row(r, i)->has_orders, 0);
        CHECK_INT(xs_kpi_result_row(r, i)->returns, 0);
        CHECK(isnan(xs_kpi_result_row(r, i)->return_rate));
    }
    xs_kpi_result_free(r);

    int32_t first = 0, last = 0;
    CHECK_INT(xs__measure_kpi_data_range(s, &first, &last), 0);
    CHECK_INT(first, day("2024-01-10"));
    CHECK_INT(last, day("2024-05-10"));
    xs_snapshot_free(s);

    /* without returns the data ends with O5 (04-20) and the result says so */
    s = fixture("kpi0.db", 0, NULL);
    r = kpi(s, XS_KPI_QUARTER, XS_KPI_BY_NONE);
    CHECK_INT(r->has_returns, 0);
    CHECK_STR(xs_kpi_result_row(r, 1)->end, "2024-04-20");
    CHECK_INT(xs_kpi_result_row(r, 0)->order_revenue, 18000);
    CHECK_INT(xs_kpi_result_row(r, 0)->returned_amount, 0);
    xs_kpi_result_free(r);
    xs_snapshot_free(s);
}

static void cleanup(void)
{
    static const char *const names[] = {"snap.db",   "none.db",     "unknown.db",
                                        "scores.db", "negative.db", "clv.db",
                                        "kpi.db",    "kpi0.db"};
    static const char *const ext[] = {"", "-wal", "-shm"};
    char p[300];
    for (size_t i = 0; i < XS_N(names); i++)
        for (size_t j = 0; j < XS_N(ext); j++) {
            snprintf(p, sizeof p, "%s%s", tmp_path(names[i]), ext[j]);
            unlink(p);
        }
    rmdir(tmpdir);
}

static const xs_test tests[] = {
    {"snapshot_returns", test_snapshot_returns},
    {"snapshot_without_returns", test_snapshot_without_returns},
    {"snapshot_unknown_customer", test_snapshot_unknown_customer},
    {"scores_net", test_scores_net},
    {"scores_negative_net", test_scores_negative_net},
    {"clv_data_net", test_clv_data_net},
    {"kpi_returns", test_kpi_returns},
};

int main(void)
{
    int rc = xs_test_run(tests, XS_N(tests));
    cleanup();
    return rc;
}
