/*
 * test_kpi.c — the KPI module (src/measure/kpi.c): every formula on a small
 * hand-made history with answers worked out by hand (tests/data/kpi: an
 * upgrade, a downgrade, seat changes, a churn, a reactivation, mid-month
 * changes, a monthly -> annual switch, customers whose first subscription
 * starts mid-period, one that starts and ends inside a month); breakdowns;
 * option errors with their exact messages; allocation failures; and, on a
 * generated company, the whole ledger, the buyers and the offer counts
 * recomputed by brute force from the generated CSV files.
 *
 * The hand-made history, ARR (annual amount, currency units) at the end of
 * 2025-12-31 / 01-31 / 02-28 / 03-31 / 04-30:
 *   A 120 120 360 360 360   basic -> pro on 02-15 (upgrade)
 *   B 360 360 360 120 120   pro -> basic on 03-01 (downgrade)
 *   C 120 216 216 168 168   2 seat packs from 01-20, 1 from 03-10
 *   D  84  84   0   0   0   chat until 02-20 (churn)
 *   E   0   0   0 120 120   basic until 2025-12-15, again from 03-05 (reactivation)
 *   F 360 360 300 300 300   pro monthly -> pro annual on 02-01
 *   G   0 120 120 120 204   basic from 01-15 (new), chat from 04-10 (cross-sell)
 *   H   0   0   0   0   0   chat 02-03 .. 02-25 (never at a period end); orders
 *   total 1044 1260 1356 1188 1272
 */
#include "test.h"

#include "xsell.h"
#include "base/alloc.h"
#include "base/date.h"
#include "base/money.h"
#include "measure/kpi.h"
#include "snapshot/snapshot.h"

#include <dirent.h>
#include <unistd.h>

static char *src_path(const char *rel, char *buf, size_t n)
{
    const char *src = getenv("XS_SOURCE_DIR");
    snprintf(buf, n, "%s/%s", src ? src : ".", rel);
    return buf;
}

static void rm_rf(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) return;
    struct dirent *e;
    char p[1024];
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
            snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
            unlink(p);
        }
    closedir(d);
    rmdir(dir);
}

/* Imports the listed files of dir into a fresh store in tmp and loads it. */
static xs_snapshot *load(const char *dir, const char *tmp)
{
    static const xs_table_id tables[] = {
        XS_T_CUSTOMERS, XS_T_PRODUCTS, XS_T_SUBSCRIPTIONS, XS_T_ORDERS,
        XS_T_USAGE,     XS_T_EVENTS,   XS_T_OFFERS};
    char db[1024], path[1024];
    snprintf(db, sizeof db, "%s/kpi.db", tmp);
    xs_store *st = NULL;
    xs_error e;
    xs_snapshot *snap = NULL;
    if (xs_store_open(&st, db, &e) < 0) {
        fprintf(stderr, "open: %s\n", e.message);
        return NULL;
    }
    for (size_t i = 0; i < XS_N(tables); i++) {
        snprintf(path, sizeof path, "%s/%s.csv", dir, xs_table_name(tables[i]));
        if (access(path, R_OK) != 0) continue;
        xs_import_options o;
        xs_import_options_init(&o);
        o.table = tables[i];
        int rc = xs_import_file(st, path, &o, NULL, &e);
        CHECK_INT(rc, XS_OK);
        if (rc < 0) fprintf(stderr, "import %s: %s\n", path, e.message);
    }
    CHECK_INT(xs_snapshot_load(st, &snap, &e), XS_OK);
    xs_store_close(st);
    return snap;
}

static char tmp_dir[256];

static xs_snapshot *fixture(void)
{
    char dir[1024];
    snprintf(tmp_dir, sizeof tmp_dir, "/tmp/xs-kpi-XXXXXX");
    if (!mkdtemp(tmp_dir)) return NULL;
    xs_snapshot *s = load(src_path("tests/data/kpi", dir, sizeof dir), tmp_dir);
    return s;
}

static void fixture_done(xs_snapshot *s)
{
    xs_snapshot_free(s);
    rm_rf(tmp_dir);
}

static xs_kpi_result *compute(const xs_snapshot *s, xs_kpi_opts *o)
{
    xs_kpi_result *r = NULL;
    xs_error e;
    if (!o->from) o->from = "2026-01-01";
    if (!o->to) o->to = "2026-04-30";
    int rc = xs_kpi_compute(s, o, &r, &e);
    CHECK_INT(rc, XS_OK);
    if (rc < 0) fprintf(stderr, "%s: %s\n", e.column, e.message);
    return r;
}

/* Ratios: compared at the printed precision and exactly as fractions. */
#define CHECK_RATIO(v, num, den) CHECK_NEAR(v, (double)(num) / (double)(den), 1e-12)

/* ---------------------------------------------------------------------- */
/* The hand-made history                                                   */
/* ---------------------------------------------------------------------- */

static void test_month(void)
{
    xs_snapshot *s = fixture();
    xs_kpi_opts o = {0};
    xs_kpi_result *r = compute(s, &o);
    CHECK_INT(xs_kpi_result_n_rows(r), 4);
    const xs_kpi_row *j = xs_kpi_result_row(r, 0), *f = xs_kpi_result_row(r, 1),
                     *m = xs_kpi_result_row(r, 2), *a = xs_kpi_result_row(r, 3);
    CHECK(xs_kpi_result_row(r, 4) == NULL);

    /* January: G new mid-month, C buys 2 seat packs */
    CHECK_STR(j->period, "2026-01");
    CHECK_STR(j->start, "2026-01-01");
    CHECK_STR(j->end, "2026-01-31");
    CHECK_STR(j->group, "");
    CHECK_INT(j->customers_start, 5);
    CHECK_INT(j->customers_end, 6);
    CHECK_INT(j->arr_start, 104400);
    CHECK_INT(j->arr_end, 126000);
    CHECK_INT(j->mrr_start, 8700);
    CHECK_INT(j->mrr_end, 10500);
    CHECK_INT(j->new_arr, 12000);
    CHECK_INT(j->expansion_arr, 9600);
    CHECK_INT(j->contraction_arr + j->churned_arr + j->reactivation_arr, 0);
    CHECK_INT(j->n_new, 1);
    CHECK_INT(j->n_expanded, 1);
    CHECK_INT(j->new_mrr, 1000);
    CHECK_INT(j->expansion_mrr, 800);
    CHECK_INT(j->net_new_mrr, 1800);
    CHECK_INT(j->cohort_arr_end, 114000);
    CHECK_RATIO(j->mrr_growth, 216, 1044);
    CHECK_RATIO(j->nrr, 1140, 1044);
    CHECK_RATIO(j->grr, 1, 1);
    CHECK_RATIO(j->logo_churn_rate, 0, 5);
    CHECK_RATIO(j->revenue_churn_rate, 0, 1044);
    /* seats: A 5, B 20, C 5 + 2 x 5, D 1 (a plan without a seats limit), F 20, G 5 */
    CHECK_INT(j->seats_end, 66);
    CHECK_INT(j->arpa, 1750);
    CHECK_INT(j->arpu, 159); /* 105.00 / 66 = 1.5909 */
    CHECK_INT(j->ltv, -1);   /* no revenue churn */
    CHECK_INT(j->buyers, 1);
    CHECK_INT(j->repeat_buyers, 1);
    CHECK_RATIO(j->repeat_purchase_rate, 1, 1);
    CHECK_INT(j->upsold, 1); /* C: 5 -> 15 seats */
    CHECK_RATIO(j->upsell_rate, 1, 5);
    CHECK_INT(j->active_customers, 6);
    CHECK_INT(j->offers, 2);
    CHECK_INT(j->accepted, 1);
    CHECK_INT(j->declined, 1);
    CHECK_RATIO(j->decline_rate, 1, 2);
    CHECK_RATIO(j->offers_per_customer_month, 2, 6);
    CHECK(isnan(j->cross_sell_conversion));
    /* D was offered a downsell on 01-10 and had churned by 04-10 */
    CHECK_INT(j->downsell_offers, 1);
    CHECK_INT(j->downsell_measured, 1);
    CHECK_INT(j->downsell_saved, 0);
    CHECK_RATIO(j->equiv_new_customers, 96, 120);
    CHECK_INT(j->new_business_cost, -1);

    /* February: A upgrades mid-month, D churns, F switches to annual */
    CHECK_INT(f->arr_start, 126000);
    CHECK_INT(f->arr_end, 135600);
    CHECK_INT(f->expansion_arr, 24000);
    CHECK_INT(f->contraction_arr, 6000); /* the annual discount */
    CHECK_INT(f->churned_arr, 8400);
    CHECK_INT(f->n_new + f->n_reactivated, 0);
    CHECK_INT(f->n_churned, 1);
    CHECK_INT(f->churned_mrr, 700);
    CHECK_INT(f->contraction_mrr, 500);
    CHECK_RATIO(f->nrr, 1356, 1260);
    CHECK_RATIO(f->grr, 1116, 1260);
    CHECK_RATIO(f->logo_churn_rate, 1, 6);
    CHECK_RATIO(f->revenue_churn_rate, 144, 1260);
    CHECK_INT(f->seats_end, 80);
    CHECK_INT(f->arpa, 2260);
    CHECK_INT(f->arpu, 141);
    CHECK_INT(f->ltv, 19775); /* 22.60 x 1 month / (144 / 1260) */
    CHECK_INT(f->buyers, 0);
    CHECK(isnan(f->repeat_purchase_rate));
    CHECK_INT(f->upsold, 2); /* A tier 1 -> 2, F month -> year */
    CHECK_INT(f->offers, 2);
    CHECK_INT(f->accepted, 2);
    CHECK_INT(f->downsell_offers, 1); /* B on 02-20: 05-21 is after --to */
    CHECK_INT(f->downsell_measured, 0);
    CHECK(isnan(f->downsell_save_rate));
    CHECK_RATIO(f->equiv_new_customers, 240 * 5, 1356); /* no new customer: ARPA */

    /* March: B downgrades, C drops a pack, E comes back */
    CHECK_INT(m->arr_end, 118800);
    CHECK_INT(m->contraction_arr, 28800);
    CHECK_INT(m->n_contracted, 2);
    CHECK_INT(m->reactivation_arr, 12000);
    CHECK_INT(m->n_reactivated, 1);
    CHECK_INT(m->n_new, 0);
    CHECK_INT(m->net_new_mrr, -1400);
    CHECK_RATIO(m->nrr, 1068, 1356);
    CHECK_RATIO(m->grr, 1068, 1356);
    CHECK_INT(m->upsold, 0);
    CHECK_INT(m->buyers, 2);
    CHECK_INT(m->repeat_buyers, 1);
    CHECK_INT(m->ignored, 1);
    CHECK_INT(m->ltv, llround(1188.0 * 100 / 12 / 6 / (288.0 / 1356)));

    /* April: G adds chat (expansion, not upsell); cross-sell offers */
    CHECK_INT(a->expansion_arr, 8400);
    CHECK_INT(a->upsold, 0);
    CHECK_INT(a->cross_sell_proposed, 3);
    CHECK_INT(a->cross_sell_accepted, 1);
    CHECK_INT(a->pending, 1);
    CHECK_RATIO(a->cross_sell_conversion, 1, 3);
    CHECK_RATIO(a->decline_rate, 1, 3);

    /* the ledger adds up, period by period */
    for (size_t i = 0; i < 4; i++) {
        const xs_kpi_row *w = xs_kpi_result_row(r, i);
        CHECK_INT(w->arr_end - w->arr_start, w->new_arr + w->expansion_arr +
                                                 w->reactivation_arr -
                                                 w->contraction_arr - w->churned_arr);
        if (i) CHECK_INT(w->arr_start, xs_kpi_result_row(r, i - 1)->arr_end);
    }
    xs_kpi_result_free(r);
    fixture_done(s);
}

static void test_quarter_year(void)
{
    xs_snapshot *s = fixture();
    xs_kpi_opts o = {.period = XS_KPI_QUARTER};
    xs_kpi_result *r = compute(s, &o);
    CHECK_INT(xs_kpi_result_n_rows(r), 2);
    const xs_kpi_row *q1 = xs_kpi_result_row(r, 0), *q2 = xs_kpi_result_row(r, 1);
    CHECK_STR(q1->period, "2026-Q1");
    CHECK_STR(q1->end, "2026-03-31");
    CHECK_STR(q2->period, "2026-Q2");
    CHECK_STR(q2->end, "2026-04-30"); /* measured at --to */
    /* start vs end snapshot per customer over the quarter */
    CHECK_INT(q1->arr_start, 104400);
    CHECK_INT(q1->arr_end, 118800);
    CHECK_INT(q1->expansion_arr, 24000 + 4800);   /* A, C (net of its March drop) */
    CHECK_INT(q1->contraction_arr, 24000 + 6000); /* B, F */
    CHECK_INT(q1->churned_arr, 8400);
    CHECK_INT(q1->reactivation_arr, 12000);
    CHECK_INT(q1->new_arr, 12000);
    CHECK_INT(q1->upsold, 3); /* A tier, C seats 5 -> 10, F term */
    CHECK_RATIO(q1->nrr, 360 + 120 + 168 + 0 + 300, 1044);
    CHECK_INT(q1->buyers, 2); /* H, G */
    CHECK_INT(q1->repeat_buyers, 1);
    CHECK_INT(q1->offers, 5);
    /* Q2 ends at --to: 30 of its 91 days, 3 x 30 / 91 months */
    CHECK_RATIO(q2->offers_per_customer_month, 3, 6 * (3 * 30 / 91.0));
    xs_kpi_result_free(r);

    o = (xs_kpi_opts){.period = XS_KPI_YEAR, .from = "2026-03-15", .to = "2026-04-30"};
    r = compute(s, &o);
    CHECK_INT(xs_kpi_result_n_rows(r), 1);
    CHECK_STR(xs_kpi_result_row(r, 0)->period, "2026");
    CHECK_STR(xs_kpi_result_row(r, 0)->start, "2026-01-01"); /* rounded down */
    CHECK_INT(xs_kpi_result_row(r, 0)->arr_end, 127200);
    xs_kpi_result_free(r);
    fixture_done(s);
}

/* A longer term in months is an upsell (tests/data/kpi-terms): T 12 -> 24
 * and Q 1 -> 3 months on 02-01 are, S 24 -> 12 and N (12 throughout) are
 * not. */
static void test_terms(void)
{
    char dir[1024], tmp[256];
    snprintf(tmp, sizeof tmp, "/tmp/xs-kpi-terms-XXXXXX");
    if (!mkdtemp(tmp)) return;
    xs_snapshot *s = load(src_path("tests/data/kpi-terms", dir, sizeof dir), tmp);
    CHECK(s != NULL);
    if (s) {
        xs_kpi_opts o = {.period = XS_KPI_MONTH, .to = "2026-03-31"};
        xs_kpi_result *r = compute(s, &o);
        CHECK_INT(xs_kpi_result_n_rows(r), 3);
        static const long long upsold[] = {0, 2, 0};
        for (size_t i = 0; i < 3 && i < xs_kpi_result_n_rows(r); i++)
            CHECK_INT(xs_kpi_result_row(r, i)->upsold, upsold[i]);
        if (xs_kpi_result_n_rows(r) >= 2)
            CHECK_RATIO(xs_kpi_result_row(r, 1)->upsell_rate, 2, 4);
        xs_kpi_result_free(r);
        xs_snapshot_free(s);
    }
    rm_rf(tmp);
}

static void test_by(void)
{
    xs_snapshot *s = fixture();
    xs_kpi_opts o = {.by = XS_KPI_BY_SEGMENT};
    xs_kpi_result *r = compute(s, &o);
    CHECK_INT(xs_kpi_result_n_rows(r), 12); /* (none), ent, smb */
    const xs_kpi_row *none = xs_kpi_result_row(r, 3), *ent = xs_kpi_result_row(r, 4),
                     *smb = xs_kpi_result_row(r, 5);
    CHECK_STR(none->group, "(none)");
    CHECK_STR(ent->group, "ent");
    CHECK_STR(smb->group, "smb");
    CHECK_STR(ent->period, "2026-02");
    CHECK_INT(ent->churned_arr, 8400);
    CHECK_INT(ent->contraction_arr, 6000);
    CHECK_INT(smb->expansion_arr, 24000);
    CHECK_INT(smb->upsold, 1);
    CHECK_INT(none->arr_end, 12000);
    CHECK_INT(xs_kpi_result_row(r, 0)->buyers, 1); /* H in January */
    xs_kpi_result_free(r);

    o = (xs_kpi_opts){.by = XS_KPI_BY_PRODUCT};
    r = compute(s, &o);
    CHECK_INT(xs_kpi_result_n_rows(r), 8); /* chat, work (shop-x only ordered) */
    const xs_kpi_row *chat_feb = xs_kpi_result_row(r, 2),
                     *work_feb = xs_kpi_result_row(r, 3),
                     *chat_apr = xs_kpi_result_row(r, 6);
    CHECK_STR(chat_feb->group, "chat");
    CHECK_STR(work_feb->group, "work");
    CHECK_INT(chat_feb->churned_arr, 8400);
    CHECK_INT(chat_feb->n_churned, 1);
    CHECK_INT(work_feb->churned_arr, 0);
    CHECK_INT(work_feb->upsold, 2);
    CHECK_INT(chat_apr->new_arr, 8400); /* G's first chat: new to the line */
    CHECK_INT(chat_apr->cross_sell_proposed, 3);
    CHECK(!chat_apr->has_orders);
    xs_kpi_result_free(r);

    o = (xs_kpi_opts){.by = XS_KPI_BY_CHANNEL};
    r = compute(s, &o);
    /* channels used: csm, email, in_app, sns */
    CHECK_INT(xs_kpi_result_n_rows(r), 16);
    const xs_kpi_row *csm_jan = xs_kpi_result_row(r, 0);
    CHECK_STR(csm_jan->group, "csm");
    CHECK(!csm_jan->has_revenue);
    CHECK_INT(csm_jan->offers, 1);
    CHECK_INT(csm_jan->active_customers, 6);
    CHECK(isnan(csm_jan->nrr));
    CHECK_STR(xs_kpi_result_row(r, 15)->group, "sns");
    CHECK_INT(xs_kpi_result_row(r, 15)->pending, 1);
    xs_kpi_result_free(r);

    o = (xs_kpi_opts){.by = XS_KPI_BY_KIND};
    r = compute(s, &o);
    CHECK_INT(xs_kpi_result_n_rows(r), 12);
    CHECK_STR(xs_kpi_result_row(r, 0)->group, "cross_sell");
    CHECK_STR(xs_kpi_result_row(r, 1)->group, "downsell");
    CHECK_STR(xs_kpi_result_row(r, 2)->group, "upsell");
    CHECK_INT(xs_kpi_result_row(r, 9)->offers, 3); /* April cross-sell */
    xs_kpi_result_free(r);
    fixture_done(s);
}

static void test_save_days_and_costs(void)
{
    xs_snapshot *s = fixture();
    xs_kpi_opts o = {.save_days = 30, .cac = "100"};
    xs_kpi_result *r = compute(s, &o);
    const xs_kpi_row *j = xs_kpi_result_row(r, 0), *f = xs_kpi_result_row(r, 1);
    CHECK_INT(j->downsell_measured, 1); /* D still paying on 02-09 */
    CHECK_INT(j->downsell_saved, 1);
    CHECK_INT(f->downsell_measured, 1); /* B still paying on 03-22 */
    CHECK_INT(f->downsell_saved, 1);
    CHECK_INT(j->new_business_cost, 8000); /* 0.8 new customers x 100.00 */
    CHECK_INT(j->expansion_cost, 2000);    /* 1 expanded x 100.00 / 5 */
    xs_kpi_result_free(r);

    o = (xs_kpi_opts){.retention_cost = "10.00", .cac_multiple = 4};
    r = compute(s, &o);
    CHECK_INT(xs_kpi_result_row(r, 0)->new_business_cost, 3200);
    CHECK_INT(xs_kpi_result_row(r, 0)->expansion_cost, 1000);
    xs_kpi_result_free(r);
    fixture_done(s);
}

static void test_default_range(void)
{
    xs_snapshot *s = fixture();
    xs_kpi_opts o = {0};
    xs_kpi_result *r = NULL;
    CHECK_INT(xs_kpi_compute(s, &o, &r, NULL), XS_OK);
    /* earliest: E's start 2025-06-01; latest: offer X8 on 2026-04-28 */
    CHECK_INT(xs_kpi_result_n_rows(r), 11);
    CHECK_STR(xs_kpi_result_row(r, 0)->period, "2025-06");
    CHECK_INT(xs_kpi_result_row(r, 0)->n_new, 1);
    CHECK_STR(xs_kpi_result_row(r, 10)->end, "2026-04-28");
    CHECK_INT(xs_kpi_result_row(r, 10)->arr_end, 127200);
    CHECK_INT(xs_kpi_result_row(r, 6)->n_churned, 1); /* E, 2025-12 */
    xs_kpi_result_free(r);

    /* a store without data: no rows */
    xs_kpi_result *r2 = NULL;
    xs_snapshot *empty = xs__calloc(1, sizeof *empty);
    if (empty) {
        CHECK_INT(xs_kpi_compute(empty, &o, &r2, NULL), XS_OK);
        CHECK_INT(xs_kpi_result_n_rows(r2), 0);
        xs_kpi_result_free(r2);
        xs__free(empty);
    }
    fixture_done(s);
}

static void test_errors(void)
{
    xs_snapshot *s = fixture();
    struct {
        xs_kpi_opts o;
        int rc;
        const char *column, *message;
    } cases[] = {
        {{.from = "2026-13-01"}, XS_EINVAL, "from", "not a date: \"2026-13-01\""},
        {{.to = "yesterday"}, XS_EINVAL, "to", "not a date: \"yesterday\""},
        {{.from = "2026-05-01", .to = "2026-04-30"},
         XS_EINVAL,
         "from",
         "2026-05-01 is after the end of the range (to 2026-04-30)"},
        {{.from = "2027-01-01"},
         XS_EINVAL,
         "from",
         "the range 2027-01-01 .. 2026-04-28 is empty"},
        {{.cac = "12.345"},
         XS_EINVAL,
         "cac",
         "expected a non-negative amount with at most 2 decimals, got \"12.345\""},
        {{.retention_cost = "-1"},
         XS_EINVAL,
         "retention_cost",
         "expected a non-negative amount with at most 2 decimals, got \"-1\""},
        {{.cac_multiple = -5},
         XS_EINVAL,
         "cac_multiple",
         "must be a positive number, got -5"},
        {{.period = (xs_kpi_period)7}, XS_EINVAL, "period", "unknown period 7"},
        {{.by = (xs_kpi_by)9}, XS_EINVAL, "by", "unknown breakdown 9"},
        {{.save_days = -1}, XS_EINVAL, "save_days", "must be >= 0, got -1"},
        {{.from = "1000-01-01", .to = "2026-01-01"},
         XS_ERANGE,
         "from",
         "more than 10000 periods in the range"},
    };
    for (size_t i = 0; i < XS_N(cases); i++) {
        xs_kpi_result *r = (xs_kpi_result *)&cases[i];
        xs_error e;
        CHECK_INT(xs_kpi_compute(s, &cases[i].o, &r, &e), cases[i].rc);
        CHECK(r == NULL);
        CHECK_INT(e.code, cases[i].rc);
        CHECK_STR(e.param, cases[i].column);
        CHECK_STR(e.message, cases[i].message);
    }
    xs_kpi_period p;
    xs_kpi_by b;
    CHECK_INT(xs_kpi_period_parse("quarter", &p), XS_OK);
    CHECK_INT(p, XS_KPI_QUARTER);
    CHECK_INT(xs_kpi_period_parse("week", &p), XS_EINVAL);
    CHECK_INT(xs_kpi_by_parse("product", &b), XS_OK);
    CHECK_INT(b, XS_KPI_BY_PRODUCT);
    CHECK_INT(xs_kpi_by_parse("region", &b), XS_EINVAL);
    CHECK_INT(xs_kpi_by_parse("", &b), XS_EINVAL);
    CHECK_STR(xs_kpi_by_name(XS_KPI_BY_CHANNEL), "channel");
    CHECK_STR(xs_kpi_by_name(XS_KPI_BY_NONE), "");
    fixture_done(s);
}

static void test_table(void)
{
    xs_snapshot *s = fixture();
    xs_kpi_opts o = {.by = XS_KPI_BY_KIND, .cac = "100"};
    xs_kpi_result *r = compute(s, &o);
    xs_table *t = xs_table_new();
    CHECK_INT(xs_kpi_result_table(r, t), XS_OK);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    CHECK_INT(xs_table_write(t, f, XS_FORMAT_CSV), XS_OK);
    fclose(f);
    /* header, then the first row: revenue columns empty by kind */
    const char *want =
        "period,start,end,kind,customers_start,customers_end,mrr_start,mrr_end,arr_end,"
        "mrr_growth,new_mrr,expansion_mrr,contraction_mrr,churned_mrr,reactivation_mrr,"
        "net_new_mrr,n_new,n_expanded,n_contracted,n_churned,n_reactivated,nrr,grr,"
        "logo_churn_rate,revenue_churn_rate,seats_end,arpa,arpu,ltv,buyers,repeat_buyers,"
        "repeat_purchase_rate,upsold,upsell_rate,active_customers,offers,accepted,"
        "declined,"
        "ignored,pending,decline_rate,offers_per_customer_month,cross_sell_proposed,"
        "cross_sell_accepted,cross_sell_conversion,downsell_offers,downsell_measured,"
        "downsell_saved,downsell_save_rate,equiv_new_customers,new_business_cost,"
        "expansion_cost\n"
        "2026-01,2026-01-01,2026-01-31,cross_sell,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,6,0,0,0,"
        "0,0,"
        ",0.0000,0,0,,0,0,0,,,,\n";
    CHECK(buf && !strncmp(buf, want, strlen(want)));
    if (buf && strncmp(buf, want, strlen(want))) fprintf(stderr, "%s", buf);
    free(buf);
    xs_table_free(t);
    xs_kpi_result_free(r);
    fixture_done(s);
}

static void test_alloc_failures(void)
{
    xs_snapshot *s = fixture();
    xs_kpi_opts o = {.by = XS_KPI_BY_PRODUCT, .from = "2026-01-01", .to = "2026-04-30"};
    int done = 0;
    for (long k = 0; k < 200 && !done; k++) {
        xs_kpi_result *r = NULL;
        xs_error e;
        xs__alloc_fail_after(k);
        int rc = xs_kpi_compute(s, &o, &r, &e);
        xs__alloc_fail_after(-1);
        if (rc == XS_OK) {
            done = 1;
            CHECK_INT(xs_kpi_result_n_rows(r), 8);
        } else {
            CHECK_INT(rc, XS_ENOMEM);
            CHECK(r == NULL);
        }
        xs_kpi_result_free(r);
    }
    CHECK(done);
    fixture_done(s);
}

/* ---------------------------------------------------------------------- */
/* Generated data against a brute-force recomputation from the CSV files   */
/* ---------------------------------------------------------------------- */

typedef struct csv {
    char *buf;
    char **cell; /* rows x cols */
    size_t rows, cols;
} csv;

static int csv_read(csv *t, const char *dir, const char *name)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "rb");
    if (!f) return -1;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    t->buf = malloc((size_t)n + 1);
    if (fread(t->buf, 1, (size_t)n, f) != (size_t)n) n = 0;
    t->buf[n] = 0;
    fclose(f);
    size_t lines = 0, commas = 0;
    for (long i = 0; i < n; i++) {
        if (t->buf[i] == '\n') lines++;
        if (!lines && t->buf[i] == ',') commas++;
    }
    t->cols = commas + 1;
    t->rows = lines - 1; /* the header is row -1 */
    t->cell = malloc(lines * t->cols * sizeof *t->cell);
    size_t k = 0;
    char *p = t->buf;
    while (*p && k < lines * t->cols) {
        t->cell[k++] = p;
        while (*p && *p != ',' && *p != '\n')
            p++;
        if (*p) *p++ = 0;
    }
    return 0;
}

static const char *csv_at(const csv *t, size_t r, const char *colname)
{
    for (size_t c = 0; c < t->cols; c++)
        if (!strcmp(t->cell[c], colname)) return t->cell[(r + 1) * t->cols + c];
    return "";
}

static void csv_free(csv *t)
{
    free(t->buf);
    free(t->cell);
}

static int32_t dayof(const char *s)
{
    int32_t d = INT32_MIN;
    if (*s) xs__date_parse(s, strlen(s), &d);
    return d;
}

static size_t cust_index(const char *id)
{
    return (size_t)strtoul(id + 1, NULL, 10) - 1; /* C00000001 -> 0 */
}

static void test_generated(void)
{
    char dir[] = "/tmp/xs-kpi-gen-XXXXXX";
    if (!mkdtemp(dir)) return;
    xs_gen_options g;
    xs_gen_options_init(&g);
    g.n_customers = 2500;
    g.seed = 11;
    xs_error e;
    CHECK_INT(xs_gen_write(dir, &g, NULL, &e), XS_OK);
    xs_snapshot *s = load(dir, dir);
    xs_kpi_opts o = {.period = XS_KPI_MONTH, .from = "2024-10-01", .to = "2026-09-30"};
    xs_kpi_result *r = NULL;
    CHECK_INT(xs_kpi_compute(s, &o, &r, &e), XS_OK);
    size_t P = xs_kpi_result_n_rows(r);
    CHECK_INT(P, 24);

    /* brute force from the CSV files */
    csv prod = {0}, sub = {0}, ord = {0}, off = {0};
    CHECK_INT(csv_read(&prod, dir, "products.csv"), 0);
    CHECK_INT(csv_read(&sub, dir, "subscriptions.csv"), 0);
    CHECK_INT(csv_read(&ord, dir, "orders.csv"), 0);
    CHECK_INT(csv_read(&off, dir, "offers.csv"), 0);
    size_t n = g.n_customers, B = P + 1;
    int32_t d[25];
    d[0] = xs__days_from_civil(2024, 9, 30);
    for (size_t p = 0; p < P; p++)
        d[p + 1] = xs__days_from_civil(2024 + (int)((p + 10) / 12),
                                       (int)((p + 10) % 12) + 1, 1) -
                   1;
    d[P] = xs__days_from_civil(2026, 9, 30);
    int64_t *arr = calloc(n * B, sizeof *arr), *seats = calloc(n * B, sizeof *seats);
    int32_t *first = malloc(n * sizeof *first);
    /* parsed subscription rows, for the downsell check */
    size_t *r_c = malloc(sub.rows * sizeof *r_c);
    int64_t *r_v = malloc(sub.rows * sizeof *r_v);
    int32_t *r_st = malloc(sub.rows * sizeof *r_st),
            *r_en = malloc(sub.rows * sizeof *r_en);
    for (size_t c = 0; c < n; c++)
        first[c] = INT32_MAX;
    int64_t open_arr = 0, asof_arr = 0;
    int32_t asof = d[P];
    for (size_t i = 0; i < sub.rows; i++) {
        const char *pid = csv_at(&sub, i, "product_id");
        const char *billing = "", *limits = "", *kind = "";
        for (size_t q = 0; q < prod.rows; q++)
            if (!strcmp(csv_at(&prod, q, "product_id"), pid)) {
                billing = csv_at(&prod, q, "billing");
                limits = csv_at(&prod, q, "limits");
                kind = csv_at(&prod, q, "kind");
            }
        /* seats: quantity x the seats limit; a plan without one: quantity */
        long long qty = atoll(csv_at(&sub, i, "quantity")), seat = -1;
        for (const char *l = limits; *l;) {
            if (!strncmp(l, "seats=", 6)) seat = atoll(l + 6);
            while (*l && *l != ';')
                l++;
            if (*l) l++;
        }
        seat = seat >= 0 ? qty * seat : !strcmp(kind, "plan") ? qty : 0;
        int64_t price = 0;
        const char *ps = csv_at(&sub, i, "unit_price");
        xs__money_parse(ps, strlen(ps), 2, &price);
        int64_t v = price * atoll(csv_at(&sub, i, "quantity")) *
                    (!strcmp(billing, "month")  ? 12
                     : !strcmp(billing, "year") ? 1
                                                : 0);
        size_t c = cust_index(csv_at(&sub, i, "customer_id"));
        int32_t st = dayof(csv_at(&sub, i, "start_date")),
                en = dayof(csv_at(&sub, i, "end_date"));
        if (v > 0 && st < first[c]) first[c] = st;
        for (size_t b = 0; b < B; b++)
            if (st <= d[b] && (en == INT32_MIN || en > d[b])) {
                arr[c * B + b] += v;
                seats[c * B + b] += seat;
            }
        r_c[i] = c;
        r_v[i] = v;
        r_st[i] = st;
        r_en[i] = en;
        if (en == INT32_MIN) open_arr += v;
        if (st <= asof && (en == INT32_MIN || en > asof)) asof_arr += v;
    }
    /* the snapshot's own MRR of open subscriptions, and the as-of total */
    CHECK_INT(xs_snapshot_mrr(s, NULL), xs__measure_kpi_div_round(open_arr, 12));
    CHECK_INT(xs_kpi_result_row(r, P - 1)->arr_end, asof_arr);
    CHECK(asof_arr > 0);

    long long churned_total = 0;
    for (size_t p = 0; p < P; p++) {
        const xs_kpi_row *w = xs_kpi_result_row(r, p);
        int64_t as = 0, ae = 0, nw = 0, ex = 0, co = 0, ch = 0, re = 0, coh = 0;
        long long cs = 0, ce = 0, nch = 0, nnew = 0, nre = 0, seats_e = 0;
        for (size_t c = 0; c < n; c++) {
            int64_t a0 = arr[c * B + p], a1 = arr[c * B + p + 1];
            as += a0;
            ae += a1;
            if (a0 > 0) cs++, coh += a1;
            if (a1 > 0) ce++, seats_e += seats[c * B + p + 1];
            if (a0 == 0 && a1 > 0) {
                if (first[c] <= d[p])
                    re += a1, nre++;
                else
                    nw += a1, nnew++;
            }
            if (a0 > 0 && a1 == 0) ch += a0, nch++;
            if (a0 > 0 && a1 > a0) ex += a1 - a0;
            if (a0 > 0 && a1 > 0 && a1 < a0) co += a0 - a1;
        }
        CHECK_INT(w->arr_start, as);
        CHECK_INT(w->arr_end, ae);
        CHECK_INT(w->customers_start, cs);
        CHECK_INT(w->customers_end, ce);
        CHECK_INT(w->new_arr, nw);
        CHECK_INT(w->n_new, nnew);
        CHECK_INT(w->expansion_arr, ex);
        CHECK_INT(w->contraction_arr, co);
        CHECK_INT(w->churned_arr, ch);
        CHECK_INT(w->n_churned, nch);
        CHECK_INT(w->reactivation_arr, re);
        CHECK_INT(w->n_reactivated, nre);
        CHECK_INT(w->cohort_arr_end, coh);
        CHECK_INT(w->seats_end, seats_e);
        churned_total += nch;
    }
    CHECK(churned_total > 0);

    /* orders: buyers and repeat buyers per month */
    for (size_t p = 0; p < P; p++) {
        long long buyers = 0, repeat = 0;
        const char *last_c = "";
        int32_t first_day = INT32_MAX;
        const char *first_id = "";
        int in_p = 0, rep_p = 0;
        /* orders.csv is in customer, order id (= date) order */
        for (size_t i = 0; i <= ord.rows; i++) {
            const char *c = i < ord.rows ? csv_at(&ord, i, "customer_id") : "";
            if (strcmp(c, last_c)) {
                buyers += in_p;
                repeat += rep_p;
                in_p = rep_p = 0;
                last_c = c;
                first_day = INT32_MAX;
                first_id = "";
            }
            if (i == ord.rows) break;
            const char *oid = csv_at(&ord, i, "order_id");
            int32_t dd = dayof(csv_at(&ord, i, "date"));
            if (first_day == INT32_MAX) {
                first_day = dd;
                first_id = oid;
            }
            if (dd > d[p] && dd <= d[p + 1]) {
                in_p = 1;
                if (strcmp(oid, first_id)) rep_p = 1;
            }
        }
        CHECK_INT(xs_kpi_result_row(r, p)->buyers, buyers);
        CHECK_INT(xs_kpi_result_row(r, p)->repeat_buyers, repeat);
    }

    /* offers sent per month, by outcome and kind */
    long long total_saved = 0;
    for (size_t p = 0; p < P; p++) {
        long long sent = 0, acc = 0, dec = 0, xp = 0, xa = 0, dm = 0, ds = 0;
        for (size_t i = 0; i < off.rows; i++) {
            int32_t dd = dayof(csv_at(&off, i, "sent_at"));
            if (dd <= d[p] || dd > d[p + 1]) continue;
            const char *out = csv_at(&off, i, "outcome");
            sent++;
            acc += !strcmp(out, "accepted");
            dec += !strcmp(out, "declined");
            if (!strcmp(csv_at(&off, i, "kind"), "cross_sell")) {
                xp++;
                xa += !strcmp(out, "accepted");
            }
            /* downsell: still paying 90 days later (when that is measured) */
            if (!strcmp(csv_at(&off, i, "kind"), "downsell") && dd + 90 <= asof) {
                size_t c = cust_index(csv_at(&off, i, "customer_id"));
                int64_t later = 0;
                for (size_t k = 0; k < sub.rows; k++)
                    if (r_c[k] == c && r_st[k] <= dd + 90 &&
                        (r_en[k] == INT32_MIN || r_en[k] > dd + 90))
                        later += r_v[k];
                dm++;
                ds += later > 0;
            }
        }
        const xs_kpi_row *w = xs_kpi_result_row(r, p);
        CHECK_INT(w->offers, sent);
        CHECK_INT(w->accepted, acc);
        CHECK_INT(w->declined, dec);
        CHECK_INT(w->cross_sell_proposed, xp);
        CHECK_INT(w->cross_sell_accepted, xa);
        CHECK_INT(w->downsell_measured, dm);
        CHECK_INT(w->downsell_saved, ds);
        total_saved += ds;
    }
    CHECK(total_saved > 0);
    xs_kpi_result_free(r);

    /* breakdowns partition the totals */
    xs_kpi_opts ob = o;
    ob.by = XS_KPI_BY_SIZE;
    xs_kpi_result *rb = NULL;
    CHECK_INT(xs_kpi_compute(s, &o, &r, &e), XS_OK);
    CHECK_INT(xs_kpi_compute(s, &ob, &rb, &e), XS_OK);
    for (size_t p = 0; p < P; p++) {
        int64_t ae = 0, ex = 0;
        long long offers = 0;
        for (size_t i = 0; i < xs_kpi_result_n_rows(rb); i++) {
            const xs_kpi_row *w = xs_kpi_result_row(rb, i);
            if (strcmp(w->period, xs_kpi_result_row(r, p)->period)) continue;
            ae += w->arr_end;
            ex += w->expansion_arr;
            offers += w->offers;
        }
        CHECK_INT(ae, xs_kpi_result_row(r, p)->arr_end);
        CHECK_INT(ex, xs_kpi_result_row(r, p)->expansion_arr);
        CHECK_INT(offers, xs_kpi_result_row(r, p)->offers);
    }
    xs_kpi_result_free(rb);
    xs_kpi_result_free(r);

    /* offers per kind and outcome over all time against truth.json */
    ob = (xs_kpi_opts){.period = XS_KPI_YEAR, .by = XS_KPI_BY_KIND, .to = "2026-09-30"};
    CHECK_INT(xs_kpi_compute(s, &ob, &rb, &e), XS_OK);
    char tpath[1024];
    snprintf(tpath, sizeof tpath, "%s/truth.json", dir);
    FILE *tf = fopen(tpath, "rb");
    char truth[1 << 16] = "";
    size_t tn = tf ? fread(truth, 1, sizeof truth - 1, tf) : 0;
    truth[tn] = 0;
    if (tf) fclose(tf);
    const char *obs = strstr(truth, "\"observed\": {\"upsell\"");
    CHECK(obs != NULL);
    static const char *const kinds[] = {"upsell", "cross_sell", "downsell"};
    for (size_t k = 0; k < 3 && obs; k++) {
        char key[40];
        snprintf(key, sizeof key, "\"%s\": {", kinds[k]);
        const char *q = strstr(obs, key);
        long long want[4] = {-1, -1, -1, -1}, got[4] = {0, 0, 0, 0};
        if (q)
            sscanf(q + strlen(key),
                   "\"accepted\": %lld, \"declined\": %lld, \"ignored\": %lld, "
                   "\"pending\": %lld",
                   &want[0], &want[1], &want[2], &want[3]);
        for (size_t i = 0; i < xs_kpi_result_n_rows(rb); i++) {
            const xs_kpi_row *w = xs_kpi_result_row(rb, i);
            if (strcmp(w->group, kinds[k])) continue;
            got[0] += w->accepted;
            got[1] += w->declined;
            got[2] += w->ignored;
            got[3] += w->pending;
        }
        for (int j = 0; j < 4; j++)
            CHECK_INT(got[j], want[j]);
        CHECK(want[0] > 0);
    }
    xs_kpi_result_free(rb);

    free(arr);
    free(seats);
    free(first);
    free(r_c);
    free(r_v);
    free(r_st);
    free(r_en);
    csv_free(&prod);
    csv_free(&sub);
    csv_free(&ord);
    csv_free(&off);
    xs_snapshot_free(s);
    rm_rf(dir);
}

int main(void)
{
    static const xs_test tests[] = {
        {"month", test_month},
        {"quarter_year", test_quarter_year},
        {"terms", test_terms},
    {"by", test_by},
        {"save_days_and_costs", test_save_days_and_costs},
        {"default_range", test_default_range},
        {"errors", test_errors},
        {"table", test_table},
        {"alloc_failures", test_alloc_failures},
        {"generated", test_generated},
    };
    return xs_test_run(tests, XS_N(tests));
}
