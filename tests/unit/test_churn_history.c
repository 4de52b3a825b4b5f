/*
 * test_churn_history.c — the store-history churn model
 * (src/score/churn_history.c): exact feature values and labels for the
 * hand-made customers of tests/data/churn/history at a cutoff, no leakage
 * (rows dated after the cutoff, and a subscription ended after it, change
 * no feature), the label rule, every error message, the model round trip,
 * and on a generated store (3,000 customers) the time-split AUC and the
 * planted churners' predicted risk.
 */
#include "test.h"

#include "base/alloc.h"
#include "base/date.h"
#include "score/churn.h"
#include "score/churn_history.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char tmpdir[64];

static const char *tmp_path(const char *name)
{
    static char buf[4][256];
    static int k;
    k = (k + 1) % 4;
    if (!tmpdir[0]) {
        snprintf(tmpdir, sizeof tmpdir, "/tmp/xs_churnh_XXXXXX");
        if (!mkdtemp(tmpdir)) abort();
    }
    snprintf(buf[k], sizeof buf[k], "%s/%s", tmpdir, name);
    return buf[k];
}

static char *fmt_err(const xs_error *e)
{
    static char buf[1200];
    return (char *)xs_error_format(e, buf, sizeof buf);
}

static const char *const FILES[] = {"customers.csv", "products.csv", "subscriptions.csv",
                                    "orders.csv",    "usage.csv",    "events.csv",
                                    "offers.csv"};

/* Imports the files of dir present (in table order) into st. */
static int import_dir(xs_store *st, const char *dir)
{
    for (int t = 0; t < (int)XS_N(FILES); t++) {
        char path[512];
        snprintf(path, sizeof path, "%s/%s", dir, FILES[t]);
        if (access(path, R_OK) != 0) continue;
        xs_import_options o;
        xs_import_options_init(&o);
        o.table = (xs_table_id)t;
        xs_error e;
        if (xs_import_file(st, path, &o, NULL, &e) < 0) {
            fprintf(stderr, "import %s: %s\n", path, fmt_err(&e));
            return -1;
        }
    }
    return 0;
}

/* A snapshot of the fixture store, plus the "after" files when asked. */
static xs_snapshot *fixture(const char *name, int after)
{
    const char *src = getenv("XS_SOURCE_DIR");
    char dir[512];
    snprintf(dir, sizeof dir, "%s/tests/data/churn/history", src ? src : ".");
    xs_store *st = NULL;
    xs_snapshot *s = NULL;
    xs_error e;
    const char *db = tmp_path(name);
    unlink(db);
    if (xs_store_open(&st, db, &e) < 0) return NULL;
    int ok = import_dir(st, dir) == 0;
    if (ok && after) {
        char more[600];
        snprintf(more, sizeof more, "%s/after", dir);
        ok = import_dir(st, more) == 0;
    }
    if (ok && xs_snapshot_load(st, &s, &e) < 0) {
        fprintf(stderr, "snapshot: %s\n", fmt_err(&e));
        s = NULL;
    }
    xs_store_close(st);
    return s;
}

static long row_of(const xs_churn_data *d, const char *id)
{
    for (size_t i = 0; i < xs_churn_data_rows(d); i++)
        if (!strcmp(xs_churn_data_id(d, i), id)) return (long)i;
    return -1;
}

static long feat_of(const xs_churn_data *d, const char *name)
{
    for (size_t j = 0; j < xs_churn_data_n_features(d); j++)
        if (!strcmp(xs_churn_data_feature_name(d, j), name)) return (long)j;
    return -1;
}

/* Value of a feature of a customer; -999 when either is unknown. */
static double val(const xs_churn_data *d, const char *id, const char *name)
{
    long i = row_of(d, id), j = feat_of(d, name);
    if (i < 0 || j < 0) return -999;
    return xs_churn_data_value(d, (size_t)i, (size_t)j);
}

/* ---------------------------------------------------------------------- */
/* Hand-made store                                                         */
/* ---------------------------------------------------------------------- */

typedef struct expect {
    const char *name;
    double a, b, c, f; /* customers A, B, C, F; NAN: missing */
} expect;

static void test_features(void)
{
    xs_snapshot *s = fixture("h.db", 0);
    CHECK(s != NULL);
    if (!s) return;
    xs_churn_data *d = NULL;
    xs_error e;
    int rc = xs_churn_history_features(s, "2026-06-30", 30, NULL, &d, &e);
    CHECK_INT(rc, XS_OK);
    if (rc < 0) {
        fprintf(stderr, "%s\n", fmt_err(&e));
        xs_snapshot_free(s);
        return;
    }
    /* active on 2026-06-30: A, B, C, F (D ended 2026-05-01, E starts 07-05) */
    CHECK_INT(xs_churn_data_rows(d), 4);
    CHECK_STR(xs_churn_data_id(d, 0), "A");
    CHECK_STR(xs_churn_data_id(d, 1), "B");
    CHECK_STR(xs_churn_data_id(d, 2), "C");
    CHECK_STR(xs_churn_data_id(d, 3), "F");
    /* 26 numeric + billing_term {mixed, monthly} + segment {field_sales,
     * partner, self_serve} + industry {it_services, retail} + size
     * {enterprise, mid, small} */
    CHECK_INT(xs_churn_data_n_features(d), 36);
    CHECK_INT(xs_churn_data_n_columns(d), XS__CH_N_COLS);
    for (size_t c = 0; c < XS__CH_N_COLS; c++)
        CHECK_STR(xs_churn_data_column(d, c)->name, xs__score_churn_history_col_name(c));
    CHECK(xs__score_churn_history_col_name(XS__CH_N_COLS) == NULL);
    CHECK_STR(xs_churn_data_feature_name(d, 0), "tenure_days");
    CHECK_STR(xs_churn_data_feature_name(d, 26), "billing_term=mixed");
    CHECK_STR(xs_churn_data_feature_name(d, 35), "size=small");
    const double N = NAN;
    static const expect ex[] = {
        {"tenure_days", 531, 851, 171, 135},
        /* A: work-2-m 20 + 2 seat packs x 5; B: 200 / 12 + 8 */
        {"mrr", 30, 200.0 / 12 + 8, 8, 8},
        /* A on 04-01: work-2-m only; B both; C, F their chat */
        {"mrr_change_90d", 10, 0, 0, 0},
        /* 2026-01-01: A work-1-m 10; B annual only; C, F nothing */
        {"mrr_change_180d", 20, 8, 8, 8},
        {"active_subscriptions", 2, 2, 1, 1},
        {"active_products", 2, 2, 1, 1},
        {"active_families", 1, 2, 1, 1},
        {"plan_tier", 2, 2, 1, 1},
        /* A: 07-01 (monthly from 03-01); B: chat 07-05 before annual 08-15 */
        {"days_to_renewal", 1, 5, 1, 1},
        /* A: 36 seats / (20 + 10 x 2) on 06-30 (05-31 older, 04-15 out of
         * the window, 07-31 after the cutoff) */
        {"seat_utilisation", 0.9, N, N, N},
        /* storage 50 / 100 = 0.5; logins has no limit */
        {"max_utilisation", 0.9, N, N, N},
        {"logins_30d", 6, 0, 0, 0},
        {"logins_90d", 10, 0, 0, 0},
        /* (6 / 30) / (4 / 60); 10 / 6 */
        {"login_trend_30d", 3, N, N, N},
        {"login_trend_90d", 10.0 / 6, N, N, N},
        {"nps_latest", 6, N, N, N},
        {"nps_mean", 7, N, N, N},
        /* T1 (05-10) and T2 (06-15); T3 is 03-01 */
        {"tickets_90d", 2, 0, 0, 0},
        {"tickets_365d", 3, 0, 0, 0},
        /* T2 closes on 07-05, after the cutoff */
        {"open_critical_tickets", 1, 0, 0, 0},
        {"payment_failed", 2, 0, 0, 0},
        /* A's cancel request of 03-15 is older than 90 days */
        {"cancel_requests_90d", 0, 0, 1, 0},
        /* X1 (05-01); X2 decided 07-10; B's X4 in 2025 */
        {"offers_declined_180d", 1, 0, 0, 0},
        {"orders", 2, 0, 0, 0},
        {"days_since_order", 10, N, N, N},
        {"order_amount", 75, 0, 0, 0},
        {"billing_term=mixed", 0, 1, 0, 0},
        {"billing_term=monthly", 1, 0, 1, 1},
        {"segment=field_sales", 0, 1, 0, 0},
        {"segment=partner", 0, 0, 0, 1},
        {"segment=self_serve", 1, 0, 0, 0},
        {"industry=retail", 1, 0, 0, 1},
        {"size=enterprise", 0, 1, 0, 0},
        {"size=mid", 0, 0, 0, 1},
        {"size=small", 1, 0, 0, 0},
    };
    static const char *const ids[] = {"A", "B", "C", "F"};
    for (size_t k = 0; k < XS_N(ex); k++) {
        const double want[4] = {ex[k].a, ex[k].b, ex[k].c, ex[k].f};
        CHECK(feat_of(d, ex[k].name) >= 0);
        for (int i = 0; i < 4; i++) {
            double got = val(d, ids[i], ex[k].name);
            if (isnan(want[i])) {
                if (!isnan(got))
                    fprintf(stderr, "%s %s: %g, expected missing\n", ids[i], ex[k].name,
                            got);
                CHECK(isnan(got));
            } else {
                if (fabs(got - want[i]) > 1e-5)
                    fprintf(stderr, "%s %s: %g, expected %g\n", ids[i], ex[k].name, got,
                            want[i]);
                CHECK_NEAR(got, want[i], 1e-5);
            }
        }
    }
    /* C's blank segment / industry / size set no indicator and count as blank */
    CHECK_INT(xs_churn_data_column(d, XS__CH_SEGMENT)->n_blank, 1);
    CHECK_INT(xs_churn_data_column(d, XS__CH_SEAT_UTIL)->n_blank, 3);
    /* labels, horizon 30 (2026-07-30): C's only subscription ended 07-15;
     * F's ended 07-10 but a new one runs from 07-20; B's chat ended but the
     * annual plan runs */
    CHECK_INT(xs_churn_data_positives(d), 1);
    CHECK_INT(xs_churn_data_label(d, 0), 0);
    CHECK_INT(xs_churn_data_label(d, 1), 0);
    CHECK_INT(xs_churn_data_label(d, 2), 1);
    CHECK_INT(xs_churn_data_label(d, 3), 0);
    CHECK_STR(xs_churn_data_positive(d), "1");
    xs_churn_data_free(d);

    /* horizon 10 (07-10): F's subscription ends on 07-10 itself (end > d
     * fails), so F counts as churned on that day; C not yet */
    CHECK_INT(xs_churn_history_features(s, "2026-06-30", 10, NULL, &d, &e), XS_OK);
    CHECK_INT(xs_churn_data_positives(d), 1);
    CHECK_INT(xs_churn_data_label(d, 3), 1);
    CHECK_INT(xs_churn_data_label(d, 2), 0);
    xs_churn_data_free(d);
    /* without a horizon: no labels */
    CHECK_INT(xs_churn_history_features(s, "2026-06-30", 0, NULL, &d, &e), XS_OK);
    CHECK_INT(xs_churn_data_label(d, 0), -1);
    xs_churn_data_free(d);
    /* the activity rule at its edges: test_snapshot.c subscription_formulas */
    xs_snapshot_free(s);
}

/* Rows dated after the cutoff, and a subscription whose end moves to after
 * the cutoff, change no feature. */
/* billing_term by the terms in months (tests/data/churn/terms): monthly
 * under 12 (quarterly included), annual at 12, multi_year over 12, mixed;
 * days_to_renewal counts whole terms from the start. */
static void test_terms(void)
{
    const char *src = getenv("XS_SOURCE_DIR");
    char dir[512];
    snprintf(dir, sizeof dir, "%s/tests/data/churn/terms", src ? src : ".");
    xs_store *st = NULL;
    xs_snapshot *s = NULL;
    xs_error e;
    const char *db = tmp_path("terms.db");
    unlink(db);
    CHECK_INT(xs_store_open(&st, db, &e), XS_OK);
    if (!st) return;
    CHECK_INT(import_dir(st, dir), 0);
    CHECK_INT(xs_snapshot_load(st, &s, &e), XS_OK);
    xs_store_close(st);
    if (!s) return;
    xs_churn_data *d = NULL;
    CHECK_INT(xs_churn_history_features(s, "2026-06-30", 30, NULL, &d, &e), XS_OK);
    if (!d) {
        xs_snapshot_free(s);
        return;
    }
    CHECK_INT(xs_churn_data_rows(d), 5);
    static const expect ex[] = {
        /* customers M, Q, T, X in a..f; Y below */
        {"billing_term=annual", 0, 0, 0, 0},
        {"billing_term=mixed", 0, 0, 0, 1},
        {"billing_term=monthly", 1, 1, 0, 0},
        {"billing_term=multi_year", 0, 0, 1, 0},
        /* M 07-10 (monthly from 02-10), Q 08-10 (quarterly), T 2027-09-01
         * (24 months from 2025-09-01, not 2026-09-01), X the nearer 07-10 */
        {"days_to_renewal", 10, 41, 428, 10},
    };
    static const char *const ids[] = {"M", "Q", "T", "X"};
    for (size_t k = 0; k < XS_N(ex); k++) {
        const double want[4] = {ex[k].a, ex[k].b, ex[k].c, ex[k].f};
        CHECK(feat_of(d, ex[k].name) >= 0);
        for (int i = 0; i < 4; i++) {
            double got = val(d, ids[i], ex[k].name);
            if (got != want[i])
                fprintf(stderr, "%s %s: %g, expected %g\n", ids[i], ex[k].name, got,
                        want[i]);
            CHECK_NEAR(got, want[i], 0);
        }
    }
    CHECK_NEAR(val(d, "Y", "billing_term=annual"), 1, 0);
    CHECK_NEAR(val(d, "Y", "billing_term=multi_year"), 0, 0);
    CHECK_NEAR(val(d, "Y", "days_to_renewal"), 225, 0); /* 2027-02-10 */
    xs_churn_data_free(d);
    xs_snapshot_free(s);
}

static void test_no_leakage(void)
{
    xs_snapshot *s0 = fixture("l0.db", 0), *s1 = fixture("l1.db", 1);
    CHECK(s0 != NULL && s1 != NULL);
    xs_churn_data *d0 = NULL, *d1 = NULL;
    xs_error e;
    if (s0 && s1) {
        CHECK_INT(xs_churn_history_features(s0, "2026-06-30", 0, NULL, &d0, &e), XS_OK);
        CHECK_INT(xs_churn_history_features(s1, "2026-06-30", 0, NULL, &d1, &e), XS_OK);
    }
    if (d0 && d1) {
        CHECK_INT(xs_churn_data_rows(d0), xs_churn_data_rows(d1));
        CHECK_INT(xs_churn_data_n_features(d0), xs_churn_data_n_features(d1));
        size_t diff = 0;
        for (size_t i = 0; i < xs_churn_data_rows(d0) && i < xs_churn_data_rows(d1);
             i++) {
            CHECK_STR(xs_churn_data_id(d0, i), xs_churn_data_id(d1, i));
            for (size_t j = 0; j < xs_churn_data_n_features(d0); j++) {
                double a = xs_churn_data_value(d0, i, j),
                       b = xs_churn_data_value(d1, i, j);
                if (!(a == b || (isnan(a) && isnan(b)))) {
                    fprintf(stderr, "leak: %s %s: %g vs %g\n", xs_churn_data_id(d0, i),
                            xs_churn_data_feature_name(d0, j), a, b);
                    diff++;
                }
            }
        }
        CHECK_INT(diff, 0);
    }
    xs_churn_data_free(d0);
    xs_churn_data_free(d1);
    /* ... while the label does see them: A's work-2-m now ends 07-20, but
     * the seat packs run on, so A still stays; at 2026-07-25 the "after"
     * rows are visible as features (A's NPS 0 of 07-01) */
    if (s1) {
        CHECK_INT(xs_churn_history_features(s1, "2026-07-25", 0, NULL, &d1, &e), XS_OK);
        CHECK_NEAR(val(d1, "A", "nps_latest"), 0, 0);
        CHECK_NEAR(val(d1, "A", "cancel_requests_90d"), 1, 0);
        CHECK_NEAR(val(d1, "B", "open_critical_tickets"), 1, 0);
        CHECK_NEAR(val(d1, "B", "orders"), 1, 0);
        /* A: the seat packs alone, 10 */
        CHECK_NEAR(val(d1, "A", "mrr"), 10, 1e-9);
        xs_churn_data_free(d1);
    }
    xs_snapshot_free(s0);
    xs_snapshot_free(s1);
}

static void test_errors(void)
{
    xs_snapshot *s = fixture("e.db", 0);
    CHECK(s != NULL);
    if (!s) return;
    xs_churn_data *d = NULL;
    xs_error e;
    CHECK_INT(xs_churn_history_features(s, "2020-01-01", 0, NULL, &d, &e), XS_EINVAL);
    CHECK_STR(fmt_err(&e), "cutoff: no customer is active on 2020-01-01");
    CHECK(d == NULL);
    CHECK_INT(xs_churn_history_features(s, "2026-13-01", 0, NULL, &d, &e), XS_EINVAL);
    CHECK_STR(fmt_err(&e), "cutoff: not a date: \"2026-13-01\"");
    CHECK_INT(xs_churn_history_features(s, "2026-06-30", 32, NULL, &d, &e), XS_EINVAL);
    CHECK_STR(fmt_err(&e), "cutoff: labels of cutoff 2026-06-30 need data up to "
                           "2026-08-01, the data ends on 2026-07-31");
    CHECK_INT(xs_churn_history_features(s, "2026-06-30", 31, NULL, &d, &e), XS_OK);
    xs_churn_data_free(d);
    CHECK_INT(xs_churn_history_features(s, "2026-06-30", 4000, NULL, &d, &e), XS_EINVAL);
    CHECK_STR(fmt_err(&e), "horizon: 4000 days is out of range [1, 3650]");

    xs_churn_history_opts o;
    xs_churn_history_opts_init(&o);
    CHECK_INT(o.horizon, 90);
    o.params.rounds = 5;
    xs_churn_history_eval_result r;
    /* default T1 = 2026-07-31 - 180 = 2026-02-01: D churns by 05-02 */
    CHECK_INT(xs_churn_history_eval(s, &o, &r, &e), XS_OK);
    CHECK_STR(r.train_cutoff, "2026-02-01");
    CHECK_STR(r.eval_cutoff, "2026-05-02");
    CHECK_INT(r.n_train, 4);
    CHECK_INT(r.n_train_pos, 1);
    /* on 2026-05-02 A, B, C, F are active; C has left by 07-31 */
    CHECK_INT(r.n, 4);
    CHECK_INT(r.n_pos, 1);
    CHECK(r.auc >= 0 && r.auc <= 1);
    /* on 2026-03-01 A, B, C, D and F are active and all still are on 03-31 */
    o.horizon = 30;
    o.cutoff = "2026-03-01";
    CHECK_INT(xs_churn_history_eval(s, &o, &r, &e), XS_EINVAL);
    CHECK_STR(fmt_err(&e), "cutoff: none of the 5 customers active on 2026-03-01 "
                           "churned within 30 days: need churners and stayers");
    o.horizon = 30;
    o.cutoff = "2026-07-01";
    CHECK_INT(xs_churn_history_eval(s, &o, &r, &e), XS_EINVAL);
    CHECK_STR(fmt_err(&e), "cutoff: evaluating cutoff 2026-07-01 needs data up to "
                           "2026-08-30 (cutoff + 2 x horizon), the data ends on "
                           "2026-07-31");
    o.horizon = 0;
    CHECK_INT(xs_churn_history_eval(s, &o, &r, &e), XS_EINVAL);
    CHECK_STR(fmt_err(&e), "horizon: 0 days is out of range [1, 3650]");
    o.horizon = 30;
    o.cutoff = NULL;
    o.as_of = "2026-02-30";
    xs_churn_model *m = NULL;
    CHECK_INT(xs_churn_history_train(s, &o, &m, NULL, &e), XS_EINVAL);
    CHECK_STR(fmt_err(&e), "as_of: not a date: \"2026-02-30\"");
    CHECK(m == NULL);

    /* a model of a CSV table is refused */
    const char *csv = tmp_path("t.csv");
    FILE *f = fopen(csv, "w");
    if (!f) abort();
    fputs("id,y,x\na,1,1\nb,0,2\nc,1,3\nd,0,4\n", f);
    fclose(f);
    xs_churn_read_opts ro;
    memset(&ro, 0, sizeof ro);
    ro.id = "id";
    ro.label = "y";
    xs_churn_params p;
    xs_churn_params_init(&p);
    p.rounds = 2;
    CHECK_INT(xs_churn_data_read(csv, &ro, &d, &e), XS_OK);
    CHECK_INT(xs_churn_train(d, &p, &m, &e), XS_OK);
    xs_churn_data_free(d);
    xs_churn_pred pr;
    CHECK_INT(xs_churn_history_predict(s, m, "2026-06-30", 0, &d, &pr, &e), XS_EINVAL);
    CHECK_STR(fmt_err(&e),
              "model: not a store-history churn model: its column 1 is \"x\"");
    CHECK(d == NULL);
    xs_churn_model_free(m);
    xs_snapshot_free(s);
}

/* Train on the hand-made store, save, load, predict: same probabilities;
 * reasons name the columns. */
static void test_round_trip(void)
{
    xs_snapshot *s = fixture("r.db", 0);
    CHECK(s != NULL);
    if (!s) return;
    xs_churn_history_opts o;
    xs_churn_history_opts_init(&o);
    o.horizon = 30;
    o.cutoff = "2026-06-30";
    o.params.rounds = 5;
    o.params.min_child_weight = 0;
    xs_churn_model *m = NULL, *m2 = NULL;
    xs_error e;
    xs_churn_history_eval_result info;
    CHECK_INT(xs_churn_history_train(s, &o, &m, &info, &e), XS_OK);
    CHECK_STR(info.train_cutoff, "2026-06-30");
    CHECK_INT(info.horizon, 30);
    CHECK_INT(info.n_train, 4);
    CHECK_INT(info.n_train_pos, 1);
    if (!m) {
        fprintf(stderr, "%s\n", fmt_err(&e));
        xs_snapshot_free(s);
        return;
    }
    const char *path = tmp_path("m.json");
    CHECK_INT(xs_churn_model_save(m, path, &e), XS_OK);
    CHECK_INT(xs_churn_model_load(path, &m2, &e), XS_OK);
    xs_churn_data *d1 = NULL, *d2 = NULL;
    xs_churn_pred p1, p2;
    CHECK_INT(
        xs_churn_history_predict(s, m, "2026-06-30", XS_CHURN_CONTRIBS, &d1, &p1, &e),
        XS_OK);
    CHECK_INT(xs_churn_history_predict(s, m2, "2026-06-30", 0, &d2, &p2, &e), XS_OK);
    if (d1 && d2) {
        CHECK_INT(p1.n, 4);
        CHECK_INT(p2.n, 4);
        for (size_t i = 0; i < p1.n && i < p2.n; i++)
            CHECK_NEAR(p1.prob[i], p2.prob[i], 0);
        /* C, the churner, scores highest */
        CHECK(p1.prob[2] > p1.prob[0] && p1.prob[2] > p1.prob[1] &&
              p1.prob[2] > p1.prob[3]);
        xs_churn_reason rs[3];
        size_t got = xs_churn_reasons(&p1, d1, 2, rs, 3);
        CHECK(got >= 1);
        CHECK(rs[0].contribution > 0);
        double sum = 0;
        for (size_t j = 0; j <= p1.n_features; j++)
            sum += p1.contribs[2 * (p1.n_features + 1) + j];
        CHECK_NEAR(sum, p1.margin[2], 1e-4);
    }
    /* predicting at the latest date (2026-07-31): A, B (annual), E, F */
    xs_churn_data *d3 = NULL;
    xs_churn_pred p3;
    CHECK_INT(xs_churn_history_predict(s, m, NULL, 0, &d3, &p3, &e), XS_OK);
    if (d3) {
        CHECK_INT(xs_churn_data_rows(d3), 4);
        CHECK_STR(xs_churn_data_id(d3, 2), "E");
        xs_churn_pred_free(&p3);
        xs_churn_data_free(d3);
    }
    xs_churn_pred_free(&p1);
    xs_churn_pred_free(&p2);
    xs_churn_data_free(d1);
    xs_churn_data_free(d2);
    xs_churn_model_free(m);
    xs_churn_model_free(m2);
    xs_snapshot_free(s);
}

/* Every allocation of the feature build, the evaluation and prediction
 * failing in turn: XS_ENOMEM, nothing returned, nothing leaked. */
static void test_alloc_failures(void)
{
    xs_snapshot *s = fixture("fi.db", 0);
    CHECK(s != NULL);
    if (!s) return;
    int ok = 0;
    for (long k = 0; k < 2000 && !ok; k++) {
        xs_churn_data *d = NULL;
        xs__alloc_fail_after(k);
        int rc = xs_churn_history_features(s, "2026-06-30", 30, NULL, &d, NULL);
        xs__alloc_fail_after(-1);
        if (rc == XS_OK) {
            ok = 1;
            CHECK_INT(xs_churn_data_rows(d), 4);
        } else {
            CHECK_INT(rc, XS_ENOMEM);
            CHECK(d == NULL);
        }
        xs_churn_data_free(d);
    }
    CHECK(ok);
    xs_churn_history_opts o;
    xs_churn_history_opts_init(&o);
    /* F leaves on 07-10, within 20 days of 06-20 */
    o.horizon = 20;
    o.cutoff = "2026-06-20";
    o.params.rounds = 2;
    ok = 0;
    for (long k = 0; k < 4000 && !ok; k++) {
        xs_churn_history_eval_result r;
        xs__alloc_fail_after(k);
        int rc = xs_churn_history_eval(s, &o, &r, NULL);
        xs__alloc_fail_after(-1);
        if (rc == XS_OK)
            ok = 1;
        else
            CHECK_INT(rc, XS_ENOMEM);
    }
    CHECK(ok);
    xs_churn_model *m = NULL;
    o.horizon = 30;
    o.cutoff = "2026-06-30";
    CHECK_INT(xs_churn_history_train(s, &o, &m, NULL, NULL), XS_OK);
    ok = 0;
    for (long k = 0; m && k < 2000 && !ok; k++) {
        xs_churn_data *d = NULL;
        xs_churn_pred p;
        xs__alloc_fail_after(k);
        int rc =
            xs_churn_history_predict(s, m, "2026-06-30", XS_CHURN_CONTRIBS, &d, &p, NULL);
        xs__alloc_fail_after(-1);
        if (rc == XS_OK) {
            ok = 1;
            CHECK_INT(p.n, 4);
            xs_churn_pred_free(&p);
        } else {
            CHECK_INT(rc, XS_ENOMEM);
            CHECK(d == NULL);
        }
        xs_churn_data_free(d);
    }
    CHECK(ok);
    xs_churn_model_free(m);
    xs_snapshot_free(s);
}

/* ---------------------------------------------------------------------- */
/* Generated store                                                         */
/* ---------------------------------------------------------------------- */

/* about_to_churn of truth_customers.csv by customer id; returns the
 * number of rows read or -1. */
static long read_truth(const char *path, char (*ids)[16], unsigned char *flag, size_t cap)
{
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    char line[512];
    long n = 0;
    if (!fgets(line, sizeof line, f)) {
        fclose(f);
        return -1;
    }
    while (fgets(line, sizeof line, f) && (size_t)n < cap) {
        char *field[12];
        int k = 0;
        char *save = NULL;
        for (char *t = strtok_r(line, ",\n", &save); t && k < 12;
             t = strtok_r(NULL, ",\n", &save))
            field[k++] = t;
        if (k < 10) continue;
        snprintf(ids[n], sizeof ids[n], "%s", field[0]);
        flag[n] = field[9][0] == '1';
        n++;
    }
    fclose(f);
    return n;
}

static void test_generated(void)
{
    const char *dir = tmp_path("gen");
    xs_gen_options go;
    xs_gen_options_init(&go);
    go.n_customers = 3000;
    go.seed = 11;
    xs_error e;
    CHECK_INT(xs_gen_write(dir, &go, NULL, &e), XS_OK);
    char db[300];
    snprintf(db, sizeof db, "%s/s.db", tmpdir);
    xs_store *st = NULL;
    xs_snapshot *s = NULL;
    CHECK_INT(xs_store_open(&st, db, &e), XS_OK);
    if (!st) return;
    CHECK_INT(import_dir(st, dir), 0);
    CHECK_INT(xs_snapshot_load(st, &s, &e), XS_OK);
    xs_store_close(st);
    if (!s) return;

    xs_churn_history_opts o;
    xs_churn_history_opts_init(&o);
    o.params.rounds = 100;
    o.params.max_depth = 2;
    xs_churn_history_eval_result r;
    CHECK_INT(xs_churn_history_eval(s, &o, &r, &e), XS_OK);
    /* as_of 2026-09-30, horizon 90: T1 = 2026-04-03, T2 = 2026-07-02 */
    CHECK_STR(r.train_cutoff, "2026-04-03");
    CHECK_STR(r.eval_cutoff, "2026-07-02");
    fprintf(stderr,
            "generated: train %zu (%zu churned), eval %zu (%zu churned), AUC %.4f, "
            "log loss %.4f\n",
            r.n_train, r.n_train_pos, r.n, r.n_pos, r.auc, r.log_loss);
    /* Past churn in the generator follows the latent health only loosely (a
     * family event ends the family with weight 0.03 + 0.6 (1 - health)^3,
     * and a customer churns only when every family has ended); health also
     * drives NPS and ticket rates, visible before the cutoff. The strong
     * planted signals (usage, logins, cancel requests) are only written for
     * the customers about to churn after as_of. Here 43 of 1,748 customers
     * churn after T2: without signal the AUC would be about N(0.5, 0.045²)
     * (Mann-Whitney: sqrt((n1 + n0 + 1) / (12 n1 n0))), so > 0.60 is more
     * than 2 sd above chance; this store gives 0.653 and a 10,000-customer
     * one 0.72-0.74 (bench/results/churn.md), where 119 churners make the
     * estimate steadier. */
    CHECK(r.auc > 0.60);
    CHECK(r.n_pos > 20 && r.n_pos < r.n);
    CHECK(r.log_loss > 0 && r.log_loss < 0.5);
    size_t tot = 0;
    for (int b = 0; b < XS_CHURN_BINS; b++)
        tot += r.bins[b].n;
    CHECK_INT(tot, r.n);
    /* the top decile holds a higher churn rate than the bottom one */
    CHECK(r.bins[XS_CHURN_BINS - 1].observed > r.bins[0].observed);

    xs_churn_model *m = NULL;
    CHECK_INT(xs_churn_history_train(s, &o, &m, NULL, &e), XS_OK);
    xs_churn_data *d = NULL;
    xs_churn_pred p;
    if (m) CHECK_INT(xs_churn_history_predict(s, m, NULL, 0, &d, &p, &e), XS_OK);
    char truth[300];
    snprintf(truth, sizeof truth, "%s/truth_customers.csv", dir);
    char(*ids)[16] = calloc(3000, sizeof *ids);
    unsigned char *flag = calloc(3000, 1);
    long nt = ids && flag ? read_truth(truth, ids, flag, 3000) : -1;
    CHECK_INT(nt, 3000);
    if (d && nt == 3000) {
        /* truth rows and snapshot ids are both in id order; walk both */
        double sum[2] = {0, 0};
        size_t cnt[2] = {0, 0};
        long k = 0;
        for (size_t i = 0; i < p.n; i++) {
            const char *id = xs_churn_data_id(d, i);
            while (k < nt && strcmp(ids[k], id) < 0)
                k++;
            CHECK(k < nt && !strcmp(ids[k], id));
            if (k >= nt) break;
            sum[flag[k]] += p.prob[i];
            cnt[flag[k]]++;
        }
        fprintf(stderr,
                "generated: planted churners %zu mean risk %.4f, others %zu %.4f\n",
                cnt[1], cnt[1] ? sum[1] / (double)cnt[1] : 0, cnt[0],
                cnt[0] ? sum[0] / (double)cnt[0] : 0);
        CHECK(cnt[1] > 20);
        CHECK(cnt[1] && cnt[0] && sum[1] / (double)cnt[1] > sum[0] / (double)cnt[0]);
        xs_churn_pred_free(&p);
    }
    free(ids);
    free(flag);
    xs_churn_data_free(d);
    xs_churn_model_free(m);
    xs_snapshot_free(s);
}

/* The stratified sample of a capped training table: its size, each
 * label's rounded share (at least one of a rare label), ascending rows,
 * the same for the same seed. */
static void test_sample(void)
{
    enum { N = 1000 };
    unsigned char y[N];
    size_t a[N], b[N];
    for (size_t i = 0; i < N; i++) y[i] = i % 27 == 5; /* 37 positives */
    CHECK_INT(xs__score_churn_sample(y, N, 100, 42, a), 100);
    size_t pos = 0, up = 1;
    for (size_t i = 0; i < 100; i++) {
        pos += y[a[i]];
        if (i && a[i] <= a[i - 1]) up = 0;
    }
    CHECK_INT(pos, 4); /* 100 x 37 / 1000 = 3.7 */
    CHECK_INT(up, 1);
    CHECK_INT(xs__score_churn_sample(y, N, 100, 42, b), 100);
    CHECK_INT(memcmp(a, b, 100 * sizeof *a), 0);
    CHECK_INT(xs__score_churn_sample(y, N, 100, 43, b), 100);
    CHECK(memcmp(a, b, 100 * sizeof *a) != 0);
    /* one positive in 1000: 10 x 1/1000 rounds to 0, kept at 1 */
    memset(y, 0, sizeof y);
    y[700] = 1;
    CHECK_INT(xs__score_churn_sample(y, N, 10, 42, a), 10);
    pos = 0;
    for (size_t i = 0; i < 10; i++) pos += y[a[i]];
    CHECK_INT(pos, 1);
}

/* max_train on a store: a cap at (or above) the training rows trains on
 * every row exactly as without one; a lower cap trains on the sample, the
 * same model on every run, the model of the sample's rows of the whole
 * table. The customer scores' probabilities by blocks are the prediction's
 * of the whole table. */
static void test_max_train(void)
{
    const char *dir = tmp_path("gen-cap");
    xs_gen_options go;
    xs_gen_options_init(&go);
    go.n_customers = 1500;
    go.seed = 5;
    xs_error e;
    CHECK_INT(xs_gen_write(dir, &go, NULL, &e), XS_OK);
    char db[300];
    snprintf(db, sizeof db, "%s/cap.db", tmpdir);
    xs_store *st = NULL;
    xs_snapshot *s = NULL;
    CHECK_INT(xs_store_open(&st, db, &e), XS_OK);
    if (!st) return;
    CHECK_INT(import_dir(st, dir), 0);
    CHECK_INT(xs_snapshot_load(st, &s, &e), XS_OK);
    xs_store_close(st);
    if (!s) return;
    xs_churn_history_opts o;
    xs_churn_history_opts_init(&o);
    CHECK_INT((long)o.max_train, 0);
    o.params.rounds = 30;
    xs_churn_history_eval_result full, at, half, again;
    CHECK_INT(xs_churn_history_eval(s, &o, &full, &e), XS_OK);
    o.max_train = full.n_train;
    CHECK_INT(xs_churn_history_eval(s, &o, &at, &e), XS_OK);
    CHECK_INT(memcmp(&full, &at, sizeof full), 0);
    o.max_train = full.n_train / 2;
    CHECK_INT(xs_churn_history_eval(s, &o, &half, &e), XS_OK);
    CHECK_INT(xs_churn_history_eval(s, &o, &again, &e), XS_OK);
    CHECK_INT(memcmp(&half, &again, sizeof half), 0);
    CHECK_INT(half.n_train, full.n_train); /* the table, not the sample */
    CHECK(half.log_loss != full.log_loss);  /* another model */
    /* the capped model is the one trained on the sample's rows of the
     * whole table (only the sample's features are computed, the encoding
     * is every row's): the same probability, bit for bit, on every row of
     * that table; at 20 rows some levels are seen only outside the sample */
    const size_t caps[] = {full.n_train / 2, 20};
    for (size_t ci = 0; ci < 2; ci++) {
        o.max_train = caps[ci];
        xs_churn_model *capped = NULL, *ref = NULL;
        xs_churn_history_eval_result info;
        xs_churn_data *d = NULL;
        CHECK_INT(xs_churn_history_train(s, &o, &capped, &info, &e), XS_OK);
        CHECK_INT(info.n_train, full.n_train);
        CHECK_INT(xs_churn_history_features(s, info.train_cutoff, o.horizon, NULL, &d, &e),
                  XS_OK);
        size_t *idx = d ? malloc(o.max_train * sizeof *idx) : NULL;
        if (capped && d && idx) {
            CHECK_INT(d->n, full.n_train);
            size_t k = xs__score_churn_sample(d->y, d->n, o.max_train, o.params.seed, idx);
            CHECK_INT(k, o.max_train);
            CHECK_INT(xs__score_churn_train_rows(d, idx, k, &o.params, &ref, &e), XS_OK);
            xs_churn_pred a, b;
            memset(&a, 0, sizeof a);
            memset(&b, 0, sizeof b);
            CHECK_INT(xs_churn_predict(capped, d, 0, &a, &e), XS_OK);
            CHECK_INT(xs_churn_predict(ref, d, 0, &b, &e), XS_OK);
            CHECK(a.n == d->n && b.n == d->n &&
                  memcmp(a.prob, b.prob, d->n * sizeof *a.prob) == 0);
            xs_churn_pred_free(&a);
            xs_churn_pred_free(&b);
        }
        free(idx);
        xs_churn_data_free(d);
        xs_churn_model_free(ref);
        xs_churn_model_free(capped);
    }
    /* the scores' probabilities, by blocks of 1, 100 (15 blocks and a part)
     * and the default: xs_churn_history_predict's, bit for bit; customers
     * not active keep what was there */
    xs_churn_model *m = NULL;
    xs_churn_data *d = NULL;
    xs_churn_pred p;
    memset(&p, 0, sizeof p);
    CHECK_INT(xs_churn_history_train(s, &o, &m, NULL, &e), XS_OK);
    CHECK_INT(xs_churn_history_predict(s, m, NULL, 0, &d, &p, &e), XS_OK);
    size_t nc = xs_snapshot_count(s, XS_SNAP_CUSTOMERS);
    double *want = malloc(nc * sizeof *want), *got = malloc(nc * sizeof *got);
    if (m && d && want && got) {
        for (size_t c = 0; c < nc; c++) want[c] = -1;
        for (size_t i = 0; i < p.n; i++) {
            const char *id = xs_churn_data_id(d, i);
            want[xs__intern_find(&s->cust.ids, id, strlen(id))] = p.prob[i];
        }
        CHECK(p.n > 1000 && p.n < nc); /* some customers are not active */
        const size_t blocks[] = {1, 100, 0};
        for (size_t b = 0; b < 3; b++) {
            for (size_t c = 0; c < nc; c++) got[c] = -1;
            CHECK_INT(xs__score_churn_history_probs(s, m, NULL, blocks[b], got, &e), XS_OK);
            CHECK_INT(memcmp(got, want, nc * sizeof *got), 0);
        }
    }
    free(want);
    free(got);
    xs_churn_pred_free(&p);
    xs_churn_data_free(d);
    xs_churn_model_free(m);
    xs_snapshot_free(s);
}

static void cleanup_tmp(void)
{
    if (!tmpdir[0]) return;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    if (system(cmd) != 0) fprintf(stderr, "cannot remove %s\n", tmpdir);
}

static const xs_test tests[] = {
    {"features", test_features},
    {"terms", test_terms},
    {"no_leakage", test_no_leakage},
    {"errors", test_errors},
    {"round_trip", test_round_trip},
    {"alloc_failures", test_alloc_failures},
    {"generated", test_generated},
    {"sample", test_sample},
    {"max_train", test_max_train},
};

int main(void)
{
    int rc = xs_test_run(tests, XS_N(tests));
    cleanup_tmp();
    return rc;
}
