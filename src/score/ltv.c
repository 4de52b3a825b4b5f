/*
 * ltv.c — lifetime value per customer from the snapshot.
 *
 * Simple formula (the domain material's LTV = average unit price x purchase
 * frequency x expected duration), in two parts that add up:
 *  - orders: average order value (total amount / orders) x orders per year
 *    (orders / max(days since the first order, min_span_days) x 365) x
 *    expected purchasing years (1 / the share of last window's buyers who
 *    did not buy again within churn_window_days, in windows);
 *  - subscriptions: MRR at as_of x expected lifetime in months (1 / the
 *    share of the subscribers of churn_window_days ago who hold no
 *    subscription at as_of, in windows).
 * Probabilistic CLV: per-customer purchase summaries of the orders up to
 * as_of (xs_clv_data_from_snapshot, the same summaries as the clv module's
 * CSV reader), BG/NBD and Gamma-Gamma fitted through the clv module's API,
 * then xs_clv_value() over clv_horizon_weeks with clv_discount per week.
 *
 * Returns (snapshot table ret) are not purchases: they never count as
 * orders, purchase days or recency, but the money is net of them. The
 * monetary value (RFM) is the orders' amount minus the returns dated on or
 * before as_of, and may be negative; the average order value of the simple
 * LTV uses that net clamped at 0 (a customer cannot be worth less than
 * nothing); the CLV summaries take the returns off the purchase days
 * (xs__score_clv_net_returns in clv_data.c), so every spend stays >= 0.
 */
#include "score/ltv.h"
#include "score/bgnbd.h"
#include "score/clv_data.h"
#include "score/gammagamma.h"

#include "base/alloc.h"
#include "base/error.h"
#include "base/hash.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

/* ---------------------------------------------------------------------- */
/* Simple LTV                                                             */
/* ---------------------------------------------------------------------- */

double xs__score_ltv_lifetime_days(double p, double w, double dflt_days, double max_days)
{
    if (isnan(p)) return dflt_days;
    if (p <= 0) return max_days;
    double d = w / p;
    return d > max_days ? max_days : d;
}

void xs__score_ltv_simple(xs_customer_scores *cs)
{
    const struct xs_snapshot *s = cs->s;
    const xs_health_config *cf = &cs->cfg;
    double scale = pow(10, s->money_scale);
    int32_t as_of = cs->as_of, w = (int32_t)cf->churn_window_days;
    size_t sub_base = 0, sub_lost = 0, shop_base = 0, shop_lost = 0;
    /* orders, MRR and the churn counts */
    for (size_t i = 0; i < cs->n; i++) {
        uint32_t c = (uint32_t)i;
        double n = 0, total = 0;
        int32_t first = XS_SNAP_NO_DATE, last = XS_SNAP_NO_DATE;
        int before = 0, recent = 0; /* orders in (as_of-2w, as_of-w], (as_of-w, as_of] */
        for (uint32_t o = s->cust.order_off[c]; o < s->cust.order_off[c + 1]; o++) {
            int32_t d = s->ord.date[o];
            if (d > as_of) break; /* sorted by date */
            if (first == XS_SNAP_NO_DATE) first = d;
            last = d;
            n += 1;
            for (uint32_t l = s->ord.line_off[o]; l < s->ord.line_off[o + 1]; l++)
                total += (double)s->ord.amount[l];
            if (d > as_of - w)
                recent = 1;
            else if (d > as_of - 2 * w)
                before = 1;
        }
        if (before) {
            shop_base++;
            if (!recent) shop_lost++;
        }
        if (n > 0) { /* net of the returns up to as_of (not for non-buyers) */
            for (uint32_t r = s->cust.ret_off[c]; r < s->cust.ret_off[c + 1]; r++) {
                if (s->ret.date[r] > as_of) break; /* sorted by date */
                total -= (double)s->ret.amount[r];
            }
        }
        cs->frequency[i] = n;
        cs->monetary[i] = total;
        cs->recency[i] = n > 0 ? (double)(as_of - last) : NAN;
        cs->aov[i] = n > 0 ? (total > 0 ? total : 0) / n / scale : NAN;
        if (n > 0) {
            double span = (double)(as_of - first);
            if (span < cf->min_span_days) span = cf->min_span_days;
            cs->orders_per_year[i] = n * 365 / span;
        }
        double mrr = 0;
        for (uint32_t r = s->cust.sub_off[c]; r < s->cust.sub_off[c + 1]; r++) {
            if (xs__snapshot_sub_active(s, r, as_of)) mrr += xs__snapshot_sub_mrr(s, r);
        }
        cs->mrr[i] = mrr / scale;
        if (xs__snapshot_cust_active(s, c, as_of - w)) {
            sub_base++;
            if (!(cs->flags[i] & XS__CS_SUBSCRIBER)) sub_lost++;
        }
    }
    cs->sub_churn = sub_base ? (double)sub_lost / (double)sub_base : NAN;
    cs->shop_churn = shop_base ? (double)shop_lost / (double)shop_base : NAN;
    double life_days = xs__score_ltv_lifetime_days(
        cs->sub_churn, w, cf->default_lifetime_years * 365, cf->max_lifetime_years * 365);
    cs->lifetime_months = life_days * 12 / 365;
    cs->shop_years =
        xs__score_ltv_lifetime_days(cs->shop_churn, w, cf->default_lifetime_years * 365,
                                    cf->max_lifetime_years * 365) /
        365;
    for (size_t i = 0; i < cs->n; i++) {
        cs->ltv_sub[i] = cs->mrr[i] * cs->lifetime_months;
        cs->ltv_ord[i] = cs->frequency[i] > 0
                             ? cs->aov[i] * cs->orders_per_year[i] * cs->shop_years
                             : 0;
    }
}

/* ---------------------------------------------------------------------- */
/* CLV glue                                                               */
/* ---------------------------------------------------------------------- */

int xs_clv_data_from_snapshot(const xs_snapshot *s, int32_t calibration_end,
                              int unit_days, xs_clv_data **out, uint32_t **cust,
                              xs_error *err)
{
    *out = NULL;
    if (cust) *cust = NULL;
    if (unit_days < 1)
        return xs__error_set(err, XS_EINVAL, NULL, 0, NULL, "unit_days must be >= 1");
    size_t n = s->cust.n, k = 0, most = 1;
    double scale = pow(10, s->money_scale), unit = unit_days;
    for (size_t c = 0; c < n; c++) /* the most orders (so days) of a customer */
        if (s->cust.order_off[c + 1] - s->cust.order_off[c] > most)
            most = s->cust.order_off[c + 1] - s->cust.order_off[c];
    double *col = xs__malloc((n ? n : 1) * 4 * sizeof *col);
    uint32_t *idx = xs__malloc((n ? n : 1) * sizeof *idx);
    int32_t *dday = xs__malloc(most * sizeof *dday);
    int64_t *damt = xs__malloc(most * sizeof *damt);
    int rc;
    if (!col || !idx || !dday || !damt) {
        rc = xs__error_set(err, XS_ENOMEM, NULL, 0, NULL, "out of memory");
        goto cleanup;
    }
    double *x = col, *t_x = col + n, *T = col + 2 * n, *mean = col + 3 * n;
    for (uint32_t c = 0; c < n; c++) {
        uint32_t o = s->cust.order_off[c], end = s->cust.order_off[c + 1];
        size_t days = 0;
        while (o < end && s->ord.date[o] <= calibration_end) {
            int32_t d = s->ord.date[o];
            int64_t amt = 0; /* every order of the day, every line */
            for (; o < end && s->ord.date[o] == d; o++)
                for (uint32_t l = s->ord.line_off[o]; l < s->ord.line_off[o + 1]; l++)
                    amt += s->ord.amount[l];
            if (amt < 0) amt = 0; /* negative lines beyond the day's purchases */
            dday[days] = d;
            damt[days++] = amt;
        }
        if (days == 0) continue;
        xs__score_clv_net_returns(s, c, calibration_end, dday, damt, days);
        int32_t first = dday[0], last = dday[days - 1];
        double repeat = 0;
        for (size_t j = 1; j < days; j++)
            repeat += (double)damt[j] / scale;
        x[k] = (double)(days - 1);
        t_x[k] = (double)(last - first) / unit;
        T[k] = (double)(calibration_end - first) / unit;
        mean[k] = days > 1 ? repeat / (double)(days - 1) : 0;
        idx[k++] = c;
    }
    if (k == 0) {
        rc = xs__error_set(err, XS_EINVAL, NULL, 0, NULL,
                           "no customer has an order on or before the calibration end");
        goto cleanup;
    }
    /* compact the columns to k rows for xs_clv_data_from_arrays */
    memmove(col + k, t_x, k * sizeof *col);
    memmove(col + 2 * k, T, k * sizeof *col);
    memmove(col + 3 * k, mean, k * sizeof *col);
    rc = xs_clv_data_from_arrays(col, col + k, col + 2 * k, col + 3 * k, k, out, err);
    if (rc < 0) goto cleanup;
    if (cust) {
        *cust = idx;
        idx = NULL;
    }
cleanup:
    xs__free(col);
    xs__free(idx);
    xs__free(dday);
    xs__free(damt);
    return rc;
}

void xs_clv_customers_free(uint32_t *cust)
{
    xs__free(cust);
}

/*
 * Every customer's CLV. xs_clv_value() sums, period by period over the
 * horizon, xs__score_bgnbd_expected_alive(k, x, T) — a hypergeometric series
 * each — times P(alive) and the expected spend. That series depends on
 * (x, T) only: t_x enters through P(alive), the mean spend through the
 * spend. Customers share few distinct (x, T) (x is a count, T whole days
 * in weeks: the 387,257 buyers of 1,000,000 generated customers have
 * 25,773 pairs), so
 * each pair's curve of horizon values is computed once, and each customer
 * adds its periods from its pair's curve through xs__score_clv_acc_add as
 * xs_clv_value() does: the same value bit for bit, at a fraction of the
 * series. Curves and customers are split in CLV_THREADS contiguous parts
 * (the values do not depend on it). A curve table larger than
 * CLV_MAX_CURVE values (a very long horizon) is skipped: every customer is
 * then valued by xs_clv_value() directly.
 */
#define CLV_THREADS 2
#define CLV_MAX_CURVE ((size_t)1 << 24)

typedef struct clv_curves {
    double *x, *T; /* the distinct pairs */
    size_t n;
    uint32_t *pair; /* pair of each CLV customer */
    double *ea;     /* n x horizon: the curve of pair p at ea + p * horizon */
} clv_curves;

/* One thread's share: curves [lo, hi) (phase 0) or customers [lo, hi)
 * (phase 1; CLV customer k is snapshot customer idx[k]). */
typedef struct clv_part {
    xs_customer_scores *cs;
    const xs_clv_data *d;
    const uint32_t *idx;
    const clv_curves *cv; /* NULL: xs_clv_value() per customer */
    int phase;
    size_t lo, hi;
} clv_part;

static void *clv_run(void *arg)
{
    clv_part *w = arg;
    xs_customer_scores *cs = w->cs;
    const clv_curves *cv = w->cv;
    int horizon = (int)cs->cfg.clv_horizon_weeks;
    double discount = cs->cfg.clv_discount;
    if (w->phase == 0) {
        for (size_t p = w->lo; p < w->hi; p++) {
            double *ea = cv->ea + p * (size_t)horizon;
            for (int k = 1; k <= horizon; k++)
                ea[k - 1] =
                    xs__score_bgnbd_expected_alive(&cs->bg, k, cv->x[p], cv->T[p]);
        }
        return NULL;
    }
    for (size_t k = w->lo; k < w->hi; k++) {
        xs_clv_customer cc;
        xs_clv_data_get(w->d, k, &cc);
        double alive = xs_bgnbd_p_alive(&cs->bg, cc.x, cc.t_x, cc.T);
        if (cv) {
            double spend = xs_gg_expected_spend(&cs->gg, cc.x, cc.mean_spend);
            const double *ea = cv->ea + (size_t)cv->pair[k] * (size_t)horizon;
            xs__score_clv_acc acc = {0, 0, 1};
            for (int j = 0; j < horizon; j++)
                xs__score_clv_acc_add(&acc, ea[j], alive, discount);
            cs->clv[w->idx[k]] = spend * acc.sum;
        } else {
            cs->clv[w->idx[k]] = xs_clv_value(&cs->bg, &cs->gg, &cc, horizon, discount);
        }
        cs->p_alive[w->idx[k]] = alive;
    }
    return NULL;
}

/* Runs phase over [0, n) in CLV_THREADS contiguous parts. */
static void clv_parallel(clv_part base, size_t n)
{
    clv_part w[CLV_THREADS];
    pthread_t th[CLV_THREADS];
    int started[CLV_THREADS] = {0};
    for (int t = 0; t < CLV_THREADS; t++) {
        w[t] = base;
        w[t].lo = n * (size_t)t / CLV_THREADS;
        w[t].hi = n * (size_t)(t + 1) / CLV_THREADS;
        if (t > 0 && n >= 2000 && pthread_create(&th[t], NULL, clv_run, &w[t]) == 0)
            started[t] = 1;
    }
    clv_run(&w[0]);
    for (int t = 1; t < CLV_THREADS; t++) {
        if (started[t])
            pthread_join(th[t], NULL);
        else
            clv_run(&w[t]); /* no thread (or little work): here */
    }
}

static uint64_t dbits(double v)
{
    uint64_t u;
    memcpy(&u, &v, sizeof u);
    return u;
}

/* The distinct (x, T) of d and each customer's pair. Returns XS_OK or
 * XS_ENOMEM. */
static int clv_pairs(const xs_clv_data *d, clv_curves *cv)
{
    size_t n = xs_clv_data_n(d), cap = 16;
    while (cap < 2 * n) cap *= 2;
    uint32_t *slot = xs__calloc(cap, sizeof *slot); /* pair + 1; 0 = empty */
    cv->x = xs__malloc((n ? n : 1) * sizeof *cv->x);
    cv->T = xs__malloc((n ? n : 1) * sizeof *cv->T);
    cv->pair = xs__malloc((n ? n : 1) * sizeof *cv->pair);
    if (!slot || !cv->x || !cv->T || !cv->pair) {
        xs__free(slot);
        return XS_ENOMEM;
    }
    for (size_t k = 0; k < n; k++) {
        xs_clv_customer cc;
        xs_clv_data_get(d, k, &cc);
        size_t s = (size_t)xs__mix64(dbits(cc.x) * 0x9e3779b97f4a7c15ULL ^ dbits(cc.T)) &
                   (cap - 1);
        while (slot[s] && !(cv->x[slot[s] - 1] == cc.x && cv->T[slot[s] - 1] == cc.T))
            s = (s + 1) & (cap - 1);
        if (!slot[s]) {
            cv->x[cv->n] = cc.x;
            cv->T[cv->n] = cc.T;
            slot[s] = (uint32_t)++cv->n;
        }
        cv->pair[k] = slot[s] - 1;
    }
    xs__free(slot);
    return XS_OK;
}

static int clv_values(xs_customer_scores *cs, const xs_clv_data *d, const uint32_t *idx)
{
    size_t horizon = (size_t)cs->cfg.clv_horizon_weeks;
    clv_curves cv;
    memset(&cv, 0, sizeof cv);
    int rc = clv_pairs(d, &cv);
    clv_part base = {cs, d, idx, &cv, 0, 0, 0};
    if (rc == XS_OK && horizon > 0 && cv.n <= CLV_MAX_CURVE / horizon) {
        if (!(cv.ea = xs__malloc((cv.n ? cv.n : 1) * horizon * sizeof *cv.ea))) {
            rc = XS_ENOMEM;
            goto cleanup;
        }
        clv_parallel(base, cv.n);
    } else if (rc == XS_OK) {
        base.cv = NULL;
    } else {
        goto cleanup;
    }
    base.phase = 1;
    clv_parallel(base, xs_clv_data_n(d));
cleanup:
    xs__free(cv.x);
    xs__free(cv.T);
    xs__free(cv.pair);
    xs__free(cv.ea);
    return rc;
}

int xs__score_ltv_clv(xs_customer_scores *cs)
{
    xs_clv_data *d = NULL;
    uint32_t *idx = NULL;
    xs_error e;
    xs__error_clear(&e);
    int rc = xs_clv_data_from_snapshot(cs->s, cs->as_of, 7, &d, &idx, &e);
    if (rc == XS_ENOMEM) return rc;
    if (rc == XS_OK) {
        xs_clv_fit_info fi;
        rc = xs_bgnbd_fit(d, &cs->bg, &fi, &e);
        if (rc == XS_ENOMEM) goto cleanup;
        if (rc == XS_ERANGE)
            snprintf(e.message, sizeof e.message, "BG/NBD fit did not converge");
        if (rc == XS_OK) {
            rc = xs_gg_fit(d, &cs->gg, &fi, &e);
            if (rc == XS_ENOMEM) goto cleanup;
            if (rc == XS_ERANGE)
                snprintf(e.message, sizeof e.message, "Gamma-Gamma fit did not converge");
            else if (rc == XS_OK && !(cs->gg.q > 1)) {
                rc = XS_ERANGE;
                snprintf(e.message, sizeof e.message,
                         "Gamma-Gamma q <= 1: no finite mean spend");
            }
        }
    }
    cs->clv_status = rc;
    if (rc < 0) {
        snprintf(cs->clv_msg, sizeof cs->clv_msg, "%s", e.message);
        rc = XS_OK;
        goto cleanup;
    }
    rc = clv_values(cs, d, idx);
cleanup:
    xs_clv_data_free(d);
    xs__free(idx);
    return rc;
}
