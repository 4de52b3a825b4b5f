/*
 * customers.c — customer intelligence assembled: runs the stages of
 * src/score over a snapshot (health.c, ltv.c, rfm.c, segments.c) into one
 * xs_customer_scores, and lays the result out as tables for the front ends
 * (`xsell customers`, later the HTTP API): the customer list, one
 * customer's breakdown, and the per-segment summary.
 */
#include "score/churn_history.h"
#include "score/health.h"
#include "score/ltv.h"
#include "score/rfm.h"
#include "score/segments.h"

#include "base/alloc.h"
#include "base/date.h"
#include "base/error.h"
#include "base/numfmt.h"
#include "base/progress.h"
#include "io/table.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------------- */
/* Computing                                                              */
/* ---------------------------------------------------------------------- */

xs_customer_scores *xs__score_cs_alloc(size_t n)
{
    xs_customer_scores *cs = xs__calloc(1, sizeof *cs);
    if (!cs) return NULL;
    size_t m = n ? n : 1;
    cs->n = n;
    cs->block = xs__malloc(m * XS__CS_N_DOUBLES * sizeof(double));
    cs->flags = xs__calloc(m, 1);
    cs->segment = xs__calloc(m, 1);
    cs->rfm = xs__calloc(m, 3);
    cs->coverage = xs__calloc(m, 1);
    if (!cs->block || !cs->flags || !cs->segment || !cs->rfm || !cs->coverage) {
        xs_customer_scores_free(cs);
        return NULL;
    }
    for (size_t i = 0; i < m * XS__CS_N_DOUBLES; i++)
        cs->block[i] = NAN;
    xs__score_cs_columns(cs);
    cs->clv_status = XS_OK;
    return cs;
}

/* Contract in health.h. */
void xs__score_cs_columns(xs_customer_scores *cs)
{
    size_t m = cs->n ? cs->n : 1;
    double *p = cs->block;
    cs->health = p, p += m;
    for (int k = 0; k < XS_HEALTH_N_PARTS; k++)
        cs->raw[k] = p, p += m;
    for (int k = 0; k < XS_HEALTH_N_PARTS; k++)
        cs->score[k] = p, p += m;
    cs->nps_avg = p, p += m;
    cs->recency = p, p += m;
    cs->frequency = p, p += m;
    cs->monetary = p, p += m;
    cs->mrr = p, p += m;
    cs->aov = p, p += m;
    cs->orders_per_year = p, p += m;
    cs->ltv_sub = p, p += m;
    cs->ltv_ord = p, p += m;
    cs->clv = p, p += m;
    cs->p_alive = p, p += m;
    cs->churn = p;
}

void xs_customer_scores_free(xs_customer_scores *cs)
{
    if (!cs) return;
    if (cs->mapped) { /* the columns are a model file's */
        xs__free(cs);
        return;
    }
    xs__free(cs->block);
    xs__free(cs->flags);
    xs__free(cs->segment);
    xs__free(cs->rfm);
    xs__free(cs->coverage);
    xs__free(cs);
}

/* The latest date of what happened: signups, subscription starts, orders,
 * returns, usage, events, offers sent. Scheduled dates (renewals, end dates of
 * annual plans running to their anniversary) can lie in the future and
 * are left out. XS_SNAP_NO_DATE when there is none. */
static int32_t observed_last(const struct xs_snapshot *s)
{
    int32_t m = XS_SNAP_NO_DATE;
#define MAXOF(arr, n)                                                                    \
    for (size_t i_ = 0; i_ < (n); i_++)                                                  \
        if ((arr)[i_] != XS_SNAP_NO_DATE && (arr)[i_] > m) m = (arr)[i_];
    MAXOF(s->cust.signup, s->cust.n);
    MAXOF(s->sub.start, s->sub.n);
    MAXOF(s->ord.date, s->ord.n);
    MAXOF(s->ret.date, s->ret.n);
    MAXOF(s->use.date, s->use.n);
    MAXOF(s->ev.date, s->ev.n);
    MAXOF(s->off.sent, s->off.n);
#undef MAXOF
    return m;
}

/* Churn risk from the churn module's store-history model: trained on the
 * features at as_of - 2 x 90 days with labels from the 90 days after (on a
 * stratified sample of at most max_train of those customers when that is
 * not 0: churn_history.c, "Training on a sample"; docs/scores.md),
 * then applied to every customer active at as_of. A model that cannot be
 * trained (too little history, one class) sets churn_status / churn_msg;
 * only XS_ENOMEM is returned. */
static int churn_fill(xs_customer_scores *cs, size_t max_train)
{
    xs_churn_history_opts o;
    xs_churn_model *m = NULL;
    xs_error e;
    char as_of[11];
    xs__error_clear(&e);
    xs_churn_history_opts_init(&o);
    xs__date_format(cs->as_of, as_of);
    o.as_of = as_of;
    o.max_train = max_train;
    int rc = xs_churn_history_train(cs->s, &o, &m, NULL, &e);
    if (rc == XS_OK) rc = xs__score_churn_history_probs(cs->s, m, as_of, 0, cs->churn, &e);
    xs_churn_model_free(m);
    if (rc == XS_ENOMEM) return rc;
    cs->churn_status = rc;
    if (rc < 0) { /* no churn column rather than part of one */
        for (size_t i = 0; i < cs->n; i++) cs->churn[i] = NAN;
        snprintf(cs->churn_msg, sizeof cs->churn_msg, "%s", e.message);
    }
    return XS_OK;
}

/* The churn model on a thread of its own (churn_thread). */
typedef struct churn_job {
    xs_customer_scores *cs;
    size_t max_train;
    int rc;
} churn_job;

static void *churn_thread(void *arg)
{
    churn_job *j = arg;
    j->rc = churn_fill(j->cs, j->max_train);
    return NULL;
}

/* Below this many customers the churn model runs after the other scores
 * (a thread would cost more than it saves). */
#define SIDE_BY_SIDE_MIN 10000

/* The churn model, when requested, begun on a thread of its own on a large
 * store where CLV is fitted too: it reads only the snapshot, as_of and the
 * configuration and writes only churn and churn_* of cs, so it runs from
 * the start beside health, LTV, RFM, segments and CLV (the longest of the
 * scores: it starts first). Each result is the same either way. Returns 1
 * when the thread runs (churn_end joins it). */
static int churn_begin(xs_customer_scores *cs, size_t max_train, churn_job *job,
                       pthread_t *th)
{
    job->cs = cs;
    job->max_train = max_train;
    job->rc = XS_OK;
    if (cs->cfg.churn == 0) {
        cs->churn_status = XS_EINVAL;
        snprintf(cs->churn_msg, sizeof cs->churn_msg, "churn risk not requested");
        return 0;
    }
    return cs->cfg.clv != 0 && cs->n >= SIDE_BY_SIDE_MIN &&
           pthread_create(th, NULL, churn_thread, job) == 0;
}

/* The churn model's end: its thread joined, or, when it had none and rc
 * (the other scores' result) is XS_OK, the model run here. Returns rc when
 * it failed, else the churn model's XS_OK or XS_ENOMEM. */
static int churn_end(xs_customer_scores *cs, churn_job *job, const pthread_t *th,
                     int side, int rc)
{
    if (side)
        pthread_join(*th, NULL);
    else if (cs->cfg.churn != 0 && rc == XS_OK)
        job->rc = churn_fill(cs, job->max_train);
    return rc < 0 ? rc : job->rc;
}

static int scores_compute(const xs_snapshot *s, const xs_health_config *c,
                          const char *as_of, size_t max_train, xs_customer_scores **out,
                          xs_error *err)
{
    *out = NULL;
    int32_t day = observed_last(s);
    if (as_of) {
        int rc = xs__date_param(as_of, "as_of", &day, err);
        if (rc < 0) return rc;
    } else if (day == XS_SNAP_NO_DATE) {
        return xs__error_set(err, XS_EINVAL, NULL, 0, NULL, "the store has no customers");
    }
    xs_customer_scores *cs = xs__score_cs_alloc(s->cust.n);
    if (!cs) return xs__error_set(err, XS_ENOMEM, NULL, 0, NULL, "out of memory");
    cs->s = s;
    if (c)
        cs->cfg = *c;
    else
        xs_health_config_init(&cs->cfg);
    cs->as_of = day;
    churn_job job;
    pthread_t th;
    int side = churn_begin(cs, max_train, &job, &th);
    xs__score_health_tracked(cs);
    xs__score_health_compute(cs, 0, cs->n);
    xs__score_ltv_simple(cs);
    int rc = xs__score_rfm_assign(cs);
    if (rc == XS_OK) xs__score_segments_assign(cs);
    if (rc == XS_OK && cs->cfg.clv != 0) {
        rc = xs__score_ltv_clv(cs);
    } else if (rc == XS_OK) {
        cs->clv_status = XS_EINVAL;
        snprintf(cs->clv_msg, sizeof cs->clv_msg, "CLV not requested");
    }
    rc = churn_end(cs, &job, &th, side, rc);
    if (rc < 0) {
        xs_customer_scores_free(cs);
        return xs__error_set(err, rc, NULL, 0, NULL, "out of memory");
    }
    *out = cs;
    return XS_OK;
}

/* Contract in health.h. The steps (health, LTV, RFM, segments, CLV beside
 * the churn model) count nothing the bar could show: it shows the time they
 * take. */
int xs__score_customers_compute(const xs_snapshot *s, const xs_health_config *c,
                                const char *as_of, size_t churn_max_train,
                                xs_customer_scores **out, xs_error *err)
{
    xs__ticker tk;
    xs__ticker_start(&tk, "scores", 0);
    int rc = scores_compute(s, c, as_of, churn_max_train, out, err);
    xs__ticker_finish(&tk);
    return rc;
}

int xs_customer_scores_compute(const xs_snapshot *s, const xs_health_config *c,
                               const char *as_of, xs_customer_scores **out, xs_error *err)
{
    return xs__score_customers_compute(s, c, as_of, XS__SCORE_CHURN_MAX_TRAIN, out, err);
}

size_t xs_customer_scores_n(const xs_customer_scores *cs)
{
    return cs ? cs->n : 0;
}

void xs_customer_scores_get(const xs_customer_scores *cs, size_t i, xs_customer_row *r)
{
    double scale = pow(10, cs->s->money_scale);
    memset(r, 0, sizeof *r);
    r->id = xs__intern_str(&cs->s->cust.ids, (uint32_t)i);
    r->health = cs->health[i];
    for (int k = 0; k < XS_HEALTH_N_PARTS; k++) {
        r->raw[k] = cs->raw[k][i];
        r->raw2[k] = NAN;
        r->score[k] = cs->score[k][i];
    }
    xs__score_health_combine(r->score, cs->cfg.weight, r->weight);
    r->coverage = cs->coverage[i];
    r->raw2[XS_HEALTH_NPS] = cs->nps_avg[i];
    unsigned f = cs->flags[i];
    r->open_critical = (f & XS__CS_OPEN_CRITICAL) != 0;
    r->cancel_request = (f & XS__CS_CANCEL) != 0;
    r->active = (f & XS__CS_ACTIVE) != 0;
    r->raw2[XS_HEALTH_SUPPORT] = r->open_critical;
    r->segment = (xs_segment)cs->segment[i];
    r->rfm_r = cs->rfm[3 * i];
    r->rfm_f = cs->rfm[3 * i + 1];
    r->rfm_m = cs->rfm[3 * i + 2];
    r->recency_days = cs->recency[i];
    r->frequency = cs->frequency[i];
    r->monetary = cs->monetary[i] / scale;
    r->mrr = cs->mrr[i];
    r->aov = cs->aov[i];
    r->orders_per_year = cs->orders_per_year[i];
    r->ltv_subscription = cs->ltv_sub[i];
    r->ltv_orders = cs->ltv_ord[i];
    r->ltv = r->ltv_subscription + r->ltv_orders;
    r->clv = cs->clv[i];
    r->p_alive = cs->p_alive[i];
    r->churn_risk = cs->churn[i];
}

long xs_customer_scores_find(const xs_customer_scores *cs, const char *id)
{
    uint32_t c = xs__intern_find(&cs->s->cust.ids, id, strlen(id));
    return c == XS_INTERN_NONE ? XS_ENOTFOUND : (long)c;
}

const char *xs_customer_scores_as_of(const xs_customer_scores *cs, char buf[11])
{
    xs__date_format(cs->as_of, buf);
    return buf;
}

int xs_customer_scores_churn_status(const xs_customer_scores *cs, char *msg, size_t n)
{
    if (msg && n) snprintf(msg, n, "%s", cs->churn_status == XS_OK ? "" : cs->churn_msg);
    return cs->churn_status;
}

int xs_customer_scores_clv_status(const xs_customer_scores *cs, char *msg, size_t n)
{
    if (msg && n) snprintf(msg, n, "%s", cs->clv_status == XS_OK ? "" : cs->clv_msg);
    return cs->clv_status;
}

/* ---------------------------------------------------------------------- */
/* Tables                                                                 */
/* ---------------------------------------------------------------------- */

/* A number cell with `decimals` fraction digits (printf's "%.*f" text), or
 * an empty (null) cell for NaN; a negative zero ("-0.00") is written "0.00"
 * up to three decimals. */
static int cell_num(xs_table *t, int decimals, double v)
{
    if (isnan(v)) return xs_table_cell(t, NULL);
    char buf[XS__FMT_FIXED_MAX];
    size_t n = xs__fmt_fixed(buf, v, decimals);
    if (buf[0] == '-' && decimals <= 3 && strspn(buf + 1, "0.") == n - 1)
        return xs__io_table_cell_n(t, buf + 1, n - 1);
    return xs__io_table_cell_n(t, buf, n);
}

static int cell_money(xs_table *t, const xs_customer_scores *cs, double v)
{
    return cell_num(t, cs->s->money_scale, v);
}

static void rfm_code(const xs_customer_row *r, char buf[4])
{
    if (r->rfm_r == 0) {
        buf[0] = '\0';
        return;
    }
    buf[0] = (char)('0' + r->rfm_r);
    buf[1] = (char)('0' + r->rfm_f);
    buf[2] = (char)('0' + r->rfm_m);
    buf[3] = '\0';
}

typedef struct order_key {
    double key; /* ascending; NaN never stored */
    uint32_t i;
} order_key;

static int cmp_order(const void *a, const void *b)
{
    const order_key *x = a, *y = b;
    if (x->key != y->key) return x->key < y->key ? -1 : 1;
    return (x->i > y->i) - (x->i < y->i);
}

int xs_customer_scores_table(const xs_customer_scores *cs, xs_segment segment,
                             xs_customer_sort sort, size_t limit, xs_table *t)
{
    static const char *const num_cols[] = {
        "health",      "segment",      "coverage", "tenure",  "usage",      "trend",
        "utilisation", "nps",          "support", "payment",    "open_critical",
        "rfm",         "recency_days", "orders",  "monetary",   "mrr",
        "ltv",         "clv",          "p_alive", "churn_risk",
    };
    int rc = XS_ENOMEM;
    xs__progress pr = {0}; /* rows made; started before the loop that makes them */
    order_key *ord = xs__malloc((cs->n ? cs->n : 1) * sizeof *ord);
    if (!ord) return XS_ENOMEM;
    if (xs_table_column(t, "customer_id", XS_COL_TEXT)) goto cleanup;
    for (size_t k = 0; k < sizeof num_cols / sizeof num_cols[0]; k++)
        if (xs_table_column(t, num_cols[k],
                            !strcmp(num_cols[k], "segment") || !strcmp(num_cols[k], "rfm") ||
                                    !strcmp(num_cols[k], "coverage")
                                ? XS_COL_TEXT
                                : XS_COL_NUM))
            goto cleanup;
    size_t m = 0;
    for (size_t i = 0; i < cs->n; i++) {
        if (segment != XS_SEG_N && cs->segment[i] != (uint8_t)segment) continue;
        double v = 0;
        if (sort == XS_CUST_SORT_HEALTH) v = cs->health[i];
        if (sort == XS_CUST_SORT_LTV) v = cs->ltv_sub[i] + cs->ltv_ord[i];
        if (sort == XS_CUST_SORT_CLV) v = cs->clv[i];
        if (sort == XS_CUST_SORT_CHURN) v = cs->churn[i];
        ord[m].key = isnan(v) ? INFINITY : -v; /* highest first, NaN last */
        ord[m].i = (uint32_t)i;
        m++;
    }
    if (sort != XS_CUST_SORT_ID) qsort(ord, m, sizeof *ord, cmp_order);
    if (limit && m > limit) m = limit;
    /* the coverage texts, written once each: a customer's is one of 256 */
    char cov[256][96];
    uint8_t have_cov[256] = {0};
    xs__progress_start(&pr, "customers", m);
    for (size_t j = 0; j < m; j++) {
        xs__progress_update(&pr, j + 1);
        xs_customer_row r;
        char rfm[4];
        xs_customer_scores_get(cs, ord[j].i, &r);
        rfm_code(&r, rfm);
        unsigned cv = r.coverage & 0xffu;
        if (!have_cov[cv]) {
            xs_health_coverage_text(cv, cov[cv], sizeof cov[cv]);
            have_cov[cv] = 1;
        }
        if (xs_table_row(t) || xs_table_cell(t, r.id) || cell_num(t, 1, r.health) ||
            xs_table_cell(t, xs_segment_name(r.segment)) || xs_table_cell(t, cov[cv]))
            goto cleanup;
        for (int k = 0; k < XS_HEALTH_N_PARTS; k++)
            if (cell_num(t, 1, 100 * r.score[k])) goto cleanup;
        if (xs__io_table_cell_int(t, r.open_critical) || xs_table_cell(t, rfm) ||
            cell_num(t, 0, r.recency_days) || cell_num(t, 0, r.frequency) ||
            cell_money(t, cs, r.frequency > 0 ? r.monetary : NAN) ||
            cell_num(t, 2, r.mrr) || cell_num(t, 2, r.ltv) || cell_num(t, 2, r.clv) ||
            cell_num(t, 3, r.p_alive) || cell_num(t, 3, r.churn_risk))
            goto cleanup;
    }
    rc = XS_OK;
cleanup:
    xs__progress_finish(&pr);
    xs__free(ord);
    return rc;
}

/* What each component measures, for the breakdown. */
static const char *const measures[XS_HEALTH_N_PARTS] = {
    "days since signup",
    "logins per seat per month",
    "change of monthly logins vs the window before",
    "capacity used / capacity of the plans held",
    "latest NPS answer (avg of the window)",
    "tickets in the window (open critical)",
    "payment failures in the window",
};

/* One breakdown row: field, raw (text), measure, score, weight, points. */
static int brow(xs_table *t, const char *field, const char *raw, const char *measure,
                double score, double weight, double points)
{
    if (xs_table_row(t) || xs_table_cell(t, field) || xs_table_cell(t, raw) ||
        xs_table_cell(t, measure) || cell_num(t, 1, score) ||
        cell_num(t, 1, weight) || cell_num(t, 2, points))
        return XS_ENOMEM;
    return XS_OK;
}

int xs_customer_scores_breakdown(const xs_customer_scores *cs, size_t i, xs_table *t)
{
    xs_customer_row r;
    char raw[160], meas[600], dfmt[16];
    xs_customer_scores_get(cs, i, &r);
    snprintf(dfmt, sizeof dfmt, "%%.%df", cs->s->money_scale);
    if (xs_table_column(t, "field", XS_COL_TEXT) ||
        xs_table_column(t, "raw", XS_COL_TEXT) ||
        xs_table_column(t, "measure", XS_COL_TEXT) ||
        xs_table_column(t, "score", XS_COL_NUM) ||
        xs_table_column(t, "weight", XS_COL_NUM) ||
        xs_table_column(t, "points", XS_COL_NUM))
        return XS_ENOMEM;
    for (int k = 0; k < XS_HEALTH_N_PARTS; k++) {
        double v = r.raw[k];
        if (isnan(v))
            snprintf(raw, sizeof raw, "%s", "");
        else if (k == XS_HEALTH_TENURE || k == XS_HEALTH_SUPPORT ||
                 k == XS_HEALTH_PAYMENT)
            snprintf(raw, sizeof raw, "%.0f", v);
        else if (k == XS_HEALTH_NPS)
            snprintf(raw, sizeof raw, "%.0f (avg %.2f)", v, r.raw2[k]);
        else
            snprintf(raw, sizeof raw, "%.3f", v);
        if (k == XS_HEALTH_SUPPORT && r.open_critical)
            snprintf(raw + strlen(raw), sizeof raw - strlen(raw), " (open critical)");
        const char *m = measures[k];
        if (isnan(v)) m = "no data: weight shared by the others";
        if (isnan(v) && (k == XS_HEALTH_SUPPORT || k == XS_HEALTH_PAYMENT))
            m = k == XS_HEALTH_SUPPORT
                    ? "no data: the store records no tickets; weight shared by the others"
                    : "no data: the store records no payment failures; weight shared by "
                      "the others";
        double w = 100 * r.weight[k];
        if (brow(t, xs_health_part_name((xs_health_part)k), raw, m, 100 * r.score[k], w,
                 isnan(r.score[k]) ? 0 : r.score[k] * w))
            return XS_ENOMEM;
    }
    char cov[96];
    xs_health_coverage_text(r.coverage, cov, sizeof cov);
    snprintf(meas, sizeof meas, "weighted mean of the scores with data (coverage %s)",
             cov);
    if (brow(t, "health", "", meas, r.health, 100, r.health)) return XS_ENOMEM;
    snprintf(meas, sizeof meas, "too little data to judge: coverage %s", cov);
    if (brow(t, "segment", xs_segment_name(r.segment),
             r.open_critical                ? "open critical ticket"
             : r.cancel_request             ? "cancel request"
             : r.segment == XS_SEG_UNKNOWN ? meas
             : r.active                     ? "active"
                                            : "inactive",
             NAN, NAN, NAN))
        return XS_ENOMEM;
    rfm_code(&r, raw);
    if (r.frequency > 0) {
        char money[64];
        snprintf(money, sizeof money, dfmt, r.monetary);
        snprintf(meas, sizeof meas, "recency %.0f days, %.0f orders, monetary %s",
                 r.recency_days, r.frequency, money);
    } else {
        snprintf(meas, sizeof meas, "no orders");
    }
    if (brow(t, "rfm", raw, meas, NAN, NAN, NAN)) return XS_ENOMEM;
    snprintf(raw, sizeof raw, "%.2f", r.mrr);
    if (brow(t, "mrr", raw, "active subscriptions per month", NAN, NAN, NAN))
        return XS_ENOMEM;
    snprintf(raw, sizeof raw, "%.2f", r.ltv);
    if (r.frequency > 0)
        snprintf(meas, sizeof meas,
                 "orders %.2f (aov %.2f x %.3f/year x %.3f years) + subscriptions %.2f "
                 "(mrr x %.2f months)",
                 r.ltv_orders, r.aov, r.orders_per_year, cs->shop_years,
                 r.ltv_subscription, cs->lifetime_months);
    else
        snprintf(meas, sizeof meas, "subscriptions %.2f (mrr x %.2f months)",
                 r.ltv_subscription, cs->lifetime_months);
    if (brow(t, "ltv", raw, meas, NAN, NAN, NAN)) return XS_ENOMEM;
    if (isnan(r.clv)) {
        raw[0] = '\0';
        snprintf(meas, sizeof meas, "%s",
                 cs->clv_status != XS_OK ? cs->clv_msg : "no orders");
    } else {
        snprintf(raw, sizeof raw, "%.2f", r.clv);
        snprintf(meas, sizeof meas, "BG/NBD + Gamma-Gamma, %.0f weeks, p_alive %.3f",
                 cs->cfg.clv_horizon_weeks, r.p_alive);
    }
    if (brow(t, "clv", raw, meas, NAN, NAN, NAN)) return XS_ENOMEM;
    if (isnan(r.churn_risk)) {
        raw[0] = '\0';
        snprintf(meas, sizeof meas, "%s",
                 cs->churn_status != XS_OK ? cs->churn_msg : "not active at as_of");
    } else {
        snprintf(raw, sizeof raw, "%.3f", r.churn_risk);
        snprintf(meas, sizeof meas,
                 "P(no active subscription in 90 days), XGBoost on the store's history");
    }
    if (brow(t, "churn_risk", raw, meas, NAN, NAN, NAN)) return XS_ENOMEM;
    return XS_OK;
}

int xs_customer_scores_segments(const xs_customer_scores *cs, xs_table *t)
{
    static const char *const cols[] = {"segment", "customers", "share_pct", "health_mean",
                                       "mrr",     "ltv_mean",  "ltv_total", "clv_mean"};
    for (size_t k = 0; k < sizeof cols / sizeof cols[0]; k++)
        if (xs_table_column(t, cols[k], k ? XS_COL_NUM : XS_COL_TEXT)) return XS_ENOMEM;
    for (int g = 0; g < XS_SEG_N; g++) {
        size_t n = 0, n_clv = 0, n_h = 0;
        double health = 0, mrr = 0, ltv = 0, clv = 0;
        for (size_t i = 0; i < cs->n; i++) {
            if (cs->segment[i] != g) continue;
            n++;
            if (!isnan(cs->health[i])) {
                health += cs->health[i];
                n_h++;
            }
            mrr += cs->mrr[i];
            ltv += cs->ltv_sub[i] + cs->ltv_ord[i];
            if (!isnan(cs->clv[i])) {
                clv += cs->clv[i];
                n_clv++;
            }
        }
        if (xs_table_row(t) || xs_table_cell(t, xs_segment_name((xs_segment)g)) ||
            xs_table_cellf(t, "%zu", n) ||
            cell_num(t, 1, cs->n ? 100.0 * (double)n / (double)cs->n : 0) ||
            cell_num(t, 1, n_h ? health / (double)n_h : NAN) ||
            cell_num(t, 2, mrr) || cell_num(t, 2, n ? ltv / (double)n : NAN) ||
            cell_num(t, 2, ltv) ||
            cell_num(t, 2, n_clv ? clv / (double)n_clv : NAN))
            return XS_ENOMEM;
    }
    return XS_OK;
}
