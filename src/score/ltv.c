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
 * (xs__clv_net_returns in clv_data.c), so every spend stays >= 0.
 */
#include "score/ltv.h"
#include "score/clv_data.h"

#include "base/alloc.h"
#include "base/error.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

/* ---------------------------------------------------------------------- */
/* Simple LTV                                                             */
/* ---------------------------------------------------------------------- */

double xs__ltv_lifetime_days(double p, double w, double dflt_days, double max_days)
{
    if (isnan(p)) return dflt_days;
    if (p <= 0) return max_days;
    double d = w / p;
    return d > max_days ? max_days : d;
}

static int has_active_sub(const struct xs_snapshot *s, uint32_t c, int32_t day)
{
    for (uint32_t r = s->cust.sub_off[c]; r < s->cust.sub_off[c + 1]; r++)
        if (xs__sub_active(s, r, day)) return 1;
    return 0;
}

void xs__ltv_simple(xs_customer_scores *cs)
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
            if (!xs__sub_active(s, r, as_of)) continue;
            uint8_t b = s->prod.billing[s->sub.product[r]];
            double v = (double)s->sub.quantity[r] * (double)s->sub.unit_price[r];
            if (b == XS_SNAP_BILL_MONTH)
                mrr += v;
            else if (b == XS_SNAP_BILL_YEAR)
                mrr += v / 12;
        }
        cs->mrr[i] = mrr / scale;
        if (has_active_sub(s, c, as_of - w)) {
            sub_base++;
            if (!(cs->flags[i] & XS__CS_SUBSCRIBER)) sub_lost++;
        }
    }
    cs->sub_churn = sub_base ? (double)sub_lost / (double)sub_base : NAN;
    cs->shop_churn = shop_base ? (double)shop_lost / (double)shop_base : NAN;
    double life_days = xs__ltv_lifetime_days(
        cs->sub_churn, w, cf->default_lifetime_years * 365, cf->max_lifetime_years * 365);
    cs->lifetime_months = life_days * 12 / 365;
    cs->shop_years =
        xs__ltv_lifetime_days(cs->shop_churn, w, cf->default_lifetime_years * 365,
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
        xs__clv_net_returns(s, c, calibration_end, dday, damt, days);
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

/* The CLV and P(alive) of customers [lo, hi) of d (CLV customer k is
 * snapshot customer idx[k]), on one thread of clv_values. */
typedef struct clv_part {
    xs_customer_scores *cs;
    const xs_clv_data *d;
    const uint32_t *idx;
    size_t lo, hi;
} clv_part;

static void *clv_run(void *arg)
{
    clv_part *w = arg;
    xs_customer_scores *cs = w->cs;
    int horizon = (int)cs->cfg.clv_horizon_weeks;
    for (size_t k = w->lo; k < w->hi; k++) {
        xs_clv_customer cc;
        xs_clv_data_get(w->d, k, &cc);
        cs->clv[w->idx[k]] =
            xs_clv_value(&cs->bg, &cs->gg, &cc, horizon, cs->cfg.clv_discount);
        cs->p_alive[w->idx[k]] = xs_bgnbd_p_alive(&cs->bg, cc.x, cc.t_x, cc.T);
    }
    return NULL;
}

/* Every customer's CLV: each is independent of the others, so the work is
 * split in CLV_THREADS contiguous parts (the values do not depend on it). */
#define CLV_THREADS 2
static void clv_values(xs_customer_scores *cs, const xs_clv_data *d, const uint32_t *idx)
{
    size_t n = xs_clv_data_n(d);
    clv_part w[CLV_THREADS];
    pthread_t th[CLV_THREADS];
    int started[CLV_THREADS] = {0};
    for (int t = 0; t < CLV_THREADS; t++) {
        w[t] = (clv_part){cs, d, idx, n * (size_t)t / CLV_THREADS,
                          n * (size_t)(t + 1) / CLV_THREADS};
        if (t > 0 && n >= 10000 && pthread_create(&th[t], NULL, clv_run, &w[t]) == 0)
            started[t] = 1;
    }
    clv_run(&w[0]);
    for (int t = 1; t < CLV_THREADS; t++) {
        if (started[t])
            pthread_join(th[t], NULL);
        else
            clv_run(&w[t]); /* no thread (or few customers): here */
    }
}

int xs__ltv_clv(xs_customer_scores *cs)
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
    clv_values(cs, d, idx);
cleanup:
    xs_clv_data_free(d);
    xs__free(idx);
    return rc;
}
