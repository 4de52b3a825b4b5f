/*
 * churn_history.c — churn risk learnt from the store's own history. For a
 * cutoff date t it turns the snapshot (src/snapshot/snapshot.h) into the same
 * encoded customer table (struct xs_churn_data, churn.h) that
 * features_table.c reads from a CSV file, so that training, prediction,
 * reasons and the measures of auc.c are the code of churn.c, shared.
 *
 * Rows: the customers active on t (a subscription with start <= t and no
 * end or end > t), in customer order. No leakage: every feature reads only
 * rows dated on or before t — subscriptions that started by t (an end after
 * t reads as "still running"), events, usage and orders dated <= t, offers
 * whose outcome_at is <= t. The stored renewal_date is not read (it is
 * written relative to the data's last day); days to renewal come from the
 * start date and the term. Customer attributes (signup, segment, industry,
 * size) are taken as they are now: the store keeps no history of them.
 *
 * Features at t (money in major units of the store's currency; NaN =
 * missing):
 *   tenure_days            t - signup_date
 *   mrr                    sum over subscriptions active on t of
 *                          unit_price x quantity, / 12 for yearly-billed
 *                          products, 0 for one-off ones
 *   mrr_change_90d/180d    mrr(t) - mrr(t - 90 / t - 180), same rule
 *   active_subscriptions   subscriptions active on t
 *   active_products        distinct products of those
 *   active_families        distinct product families of those
 *   plan_tier              highest tier of an active plan (NaN: no tiered plan)
 *   days_to_renewal        days from t to the earliest next anniversary,
 *                          strictly after t, of an active subscription's
 *                          start (every term: 1, 3, 12, 24 ... months)
 *   seat_utilisation       for each family, the latest usage point of metric
 *                          "seats" dated in (t - 62, t], divided by the
 *                          family's capacity that day (sum of limit x
 *                          quantity over the customer's active
 *                          subscriptions of the family, src/gen/README.md);
 *                          the highest over families (NaN: none)
 *   max_utilisation        the same over every metric with a capacity
 *   logins_30d / 90d       sum of login event values (1 when absent) in
 *                          (t - 30, t] / (t - 90, t]
 *   login_trend_30d        daily rate of the last 30 days over that of
 *                          (t - 90, t - 30] (NaN when that is 0)
 *   login_trend_90d        logins of (t - 90, t] over (t - 180, t - 90]
 *   nps_latest, nps_mean   of the nps events dated <= t
 *   tickets_90d / 365d     ticket events in (t - 90, t] / (t - 365, t]
 *   open_critical_tickets  severity-1 tickets dated <= t without a
 *                          ticket_closed of the same (non-empty) ref by t
 *   payment_failed         payment_failed events dated <= t
 *   cancel_requests_90d    cancel_request events in (t - 90, t]
 *   offers_declined_180d   offers declined with outcome_at in (t - 180, t]
 *   orders                 orders dated <= t
 *   days_since_order       t - latest order date (NaN: none)
 *   order_amount           sum of their line amounts, less the customer's
 *                          returns dated <= t (returns are not orders:
 *                          they never count in orders / days_since_order)
 *   billing_term           categorical: monthly (terms under 12 months),
 *                          annual (12), multi_year (over 12) or mixed (more
 *                          than one of those), by the terms of the active
 *                          plans (all active subscriptions when there is
 *                          no plan)
 *   segment, industry, size  categorical, blank when absent
 *
 * Label with horizon h: 1 when the customer (active on t) is active on no
 * subscription on day t + h, else 0; needs t + h <= the data's end.
 *
 * The data's end (the default as-of date) is the latest signup, subscription
 * start, order, return, usage point, event or offer (sent or decided): not the
 * snapshot's last_date, which counts renewal dates (scheduled in the future)
 * and end dates (which may be too).
 */
#include "score/churn_history.h"

#include "score/churn.h"

#include "base/alloc.h"
#include "base/date.h"
#include "base/error.h"
#include "base/rng.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_HORIZON 3650
#define UTIL_WINDOW 62

static const char *const COL_NAMES[XS__CH_N_COLS] = {
    "tenure_days",
    "mrr",
    "mrr_change_90d",
    "mrr_change_180d",
    "active_subscriptions",
    "active_products",
    "active_families",
    "plan_tier",
    "days_to_renewal",
    "seat_utilisation",
    "max_utilisation",
    "logins_30d",
    "logins_90d",
    "login_trend_30d",
    "login_trend_90d",
    "nps_latest",
    "nps_mean",
    "tickets_90d",
    "tickets_365d",
    "open_critical_tickets",
    "payment_failed",
    "cancel_requests_90d",
    "offers_declined_180d",
    "orders",
    "days_since_order",
    "order_amount",
    "billing_term",
    "segment",
    "industry",
    "size",
};

const char *xs__score_churn_history_col_name(size_t c)
{
    return c < XS__CH_N_COLS ? COL_NAMES[c] : NULL;
}

static void later(int32_t *m, int32_t d)
{
    if (d != XS_SNAP_NO_DATE && (*m == XS_SNAP_NO_DATE || d > *m)) *m = d;
}

int32_t xs__score_churn_history_data_end(const struct xs_snapshot *s)
{
    int32_t m = XS_SNAP_NO_DATE;
    for (size_t i = 0; i < s->cust.n; i++)
        later(&m, s->cust.signup[i]);
    for (size_t i = 0; i < s->sub.n; i++)
        later(&m, s->sub.start[i]);
    for (size_t i = 0; i < s->ord.n; i++)
        later(&m, s->ord.date[i]);
    for (size_t i = 0; i < s->ret.n; i++)
        later(&m, s->ret.date[i]);
    for (size_t i = 0; i < s->use.n; i++)
        later(&m, s->use.date[i]);
    for (size_t i = 0; i < s->ev.n; i++)
        later(&m, s->ev.date[i]);
    for (size_t i = 0; i < s->off.n; i++) {
        later(&m, s->off.sent[i]);
        later(&m, s->off.outcome_at[i]);
    }
    return m;
}

/* ---------------------------------------------------------------------- */
/* One customer's features                                                 */
/* ---------------------------------------------------------------------- */

static double mrr_on(const struct xs_snapshot *s, uint32_t c, int32_t d)
{
    double m = 0;
    for (uint32_t r = s->cust.sub_off[c]; r < s->cust.sub_off[c + 1]; r++)
        if (xs__snapshot_sub_active(s, r, d)) m += xs__snapshot_sub_mrr(s, r);
    return m;
}

/* The first anniversary of start (every `months` months) strictly after t. */
static int32_t next_anniversary(int32_t start, int months, int32_t t)
{
    int sy, sm, sd, ty, tm, td;
    xs__civil_from_days(start, &sy, &sm, &sd);
    xs__civil_from_days(t, &ty, &tm, &td);
    int k = ((ty - sy) * 12 + (tm - sm)) / months * months;
    if (k < months) k = months;
    while (k > months && xs__date_add_months(start, k - months) > t)
        k -= months;
    while (xs__date_add_months(start, k) <= t)
        k += months;
    return xs__date_add_months(start, k);
}

/* Capacity of family f for a metric on day d: sum of limit x quantity. */
static double capacity(const struct xs_snapshot *s, uint32_t c, uint16_t f,
                       uint16_t metric, int32_t d)
{
    double cap = 0;
    for (uint32_t r = s->cust.sub_off[c]; r < s->cust.sub_off[c + 1]; r++) {
        uint32_t p = s->sub.product[r];
        if (s->prod.family[p] != f || !xs__snapshot_sub_active(s, r, d)) continue;
        double lim = xs__snapshot_prod_limit(s, p, metric);
        if (!isnan(lim)) cap += lim * (double)s->sub.quantity[r];
    }
    return cap;
}

/* Latest utilisation point of a (family, metric) series. */
typedef struct util_pt {
    uint16_t family, metric;
    int32_t date;
    double ratio;
} util_pt;

/* Per-call scratch space. */
typedef struct scratch {
    util_pt *pts;
    size_t cap;
    uint32_t *seen; /* distinct products / families */
    size_t seen_cap;
} scratch;

static int seen_add(uint32_t *set, size_t *n, uint32_t v)
{
    for (size_t i = 0; i < *n; i++)
        if (set[i] == v) return 0;
    set[(*n)++] = v;
    return 1;
}

/* Term categories of billing_term, as a bit set: monthly (< 12 months,
 * quarterly included), annual (12), multi_year (> 12); more than one is
 * mixed. */
enum { TERM_SHORT = 1, TERM_ANNUAL = 2, TERM_MULTI = 4 };

static int term_bit(unsigned months)
{
    return months < 12 ? TERM_SHORT : months == 12 ? TERM_ANNUAL : TERM_MULTI;
}

static const char *term_name(int bits)
{
    switch (bits) {
    case TERM_ANNUAL:
        return "annual";
    case TERM_MULTI:
        return "multi_year";
    case 0:
    case TERM_SHORT:
        return "monthly";
    default:
        return "mixed";
    }
}

/* The subscriptions active on t: counts, top plan tier, days to the
 * next renewal, billing term (cat[0]). XS_OK or XS_ENOMEM. */
static int row_subs(const struct xs_snapshot *s, uint32_t c, int32_t t, double *num,
                    const char **cat, scratch *w)
{
    const xs__snapshot_customers *cu = &s->cust;
    const xs__snapshot_subscriptions *sb = &s->sub;
    size_t n_sub_rows = cu->sub_off[c + 1] - cu->sub_off[c];
    if (xs__grow(&w->seen, &w->seen_cap, 2 * n_sub_rows + 1, sizeof *w->seen) < 0)
        return XS_ENOMEM;
    uint32_t *prods = w->seen, *fams = w->seen + n_sub_rows;
    size_t n_subs = 0, n_prods = 0, n_fams = 0;
    int tier = 0, plan_terms = 0, any_terms = 0; /* term_bit() sets */
    int32_t renew = XS_SNAP_NO_DATE;
    for (uint32_t r = cu->sub_off[c]; r < cu->sub_off[c + 1]; r++) {
        if (!xs__snapshot_sub_active(s, r, t)) continue;
        uint32_t p = sb->product[r];
        n_subs++;
        seen_add(prods, &n_prods, p);
        if (s->prod.family[p] != XS_SNAP_NONE16)
            seen_add(fams, &n_fams, s->prod.family[p]);
        int bit = term_bit(sb->term[r]);
        if (s->prod.kind[p] == XS_SNAP_KIND_PLAN) {
            if (s->prod.tier[p] > tier) tier = s->prod.tier[p];
            plan_terms |= bit;
        }
        any_terms |= bit;
        int32_t a = next_anniversary(sb->start[r], sb->term[r] ? sb->term[r] : 1, t);
        if (renew == XS_SNAP_NO_DATE || a < renew) renew = a;
    }
    num[XS__CH_SUBSCRIPTIONS] = (double)n_subs;
    num[XS__CH_PRODUCTS] = (double)n_prods;
    num[XS__CH_FAMILIES] = (double)n_fams;
    num[XS__CH_PLAN_TIER] = tier ? tier : NAN;
    if (renew != XS_SNAP_NO_DATE) num[XS__CH_DAYS_TO_RENEWAL] = (double)(renew - t);
    cat[0] = term_name(plan_terms ? plan_terms : any_terms);

    return XS_OK;
}

/* Utilisation: the latest point per (family, metric) in (t - 62, t], its
 * maximum and the seats'. XS_OK or XS_ENOMEM. */
static int row_usage(const struct xs_snapshot *s, uint32_t c, int32_t t, double *num,
                     scratch *w)
{
    const xs__snapshot_customers *cu = &s->cust;
    size_t n_pts = 0;
    size_t n_use = cu->usage_off[c + 1] - cu->usage_off[c];
    if (xs__grow(&w->pts, &w->cap, n_use + 1, sizeof *w->pts) < 0) return XS_ENOMEM;
    uint32_t seats = xs__intern_find(&s->dict.metrics, "seats", 5);
    for (uint32_t u = cu->usage_off[c]; u < cu->usage_off[c + 1]; u++) {
        int32_t d = s->use.date[u];
        if (d > t || d <= t - UTIL_WINDOW) continue;
        uint16_t f = s->prod.family[s->use.product[u]], mt = s->use.metric[u];
        if (f == XS_SNAP_NONE16) continue;
        double cap = capacity(s, c, f, mt, d);
        if (!(cap > 0)) continue;
        size_t k = 0;
        while (k < n_pts && !(w->pts[k].family == f && w->pts[k].metric == mt))
            k++;
        if (k == n_pts) {
            n_pts++;
            w->pts[k].family = f;
            w->pts[k].metric = mt;
            w->pts[k].date = XS_SNAP_NO_DATE;
        }
        if (d > w->pts[k].date) {
            w->pts[k].date = d;
            w->pts[k].ratio = s->use.value[u] / cap;
        }
    }
    for (size_t k = 0; k < n_pts; k++) {
        double v = w->pts[k].ratio;
        if (isnan(num[XS__CH_MAX_UTIL]) || v > num[XS__CH_MAX_UTIL])
            num[XS__CH_MAX_UTIL] = v;
        if (w->pts[k].metric == seats &&
            (isnan(num[XS__CH_SEAT_UTIL]) || v > num[XS__CH_SEAT_UTIL]))
            num[XS__CH_SEAT_UTIL] = v;
    }

    return XS_OK;
}

/* Events dated <= t (sorted by date): logins and their trends, NPS,
 * tickets, open critical cases, failed payments, cancel requests. */
static void row_events(const struct xs_snapshot *s, uint32_t c, int32_t t, double *num)
{
    const xs__snapshot_customers *cu = &s->cust;
    double l30 = 0, l30_90 = 0, l90_180 = 0, nps_sum = 0;
    size_t n_nps = 0, tickets = 0, tickets_y = 0, open_crit = 0, pay = 0, cancel = 0;
    uint32_t e0 = cu->event_off[c], e1 = cu->event_off[c + 1];
    for (uint32_t e = e0; e < e1 && s->ev.date[e] <= t; e++) {
        int32_t d = s->ev.date[e];
        double v = s->ev.value[e];
        switch (s->ev.type[e]) {
        case XS_SNAP_EV_LOGIN: {
            double k = isnan(v) ? 1 : v;
            if (d > t - 30)
                l30 += k;
            else if (d > t - 90)
                l30_90 += k;
            else if (d > t - 180)
                l90_180 += k;
            break;
        }
        case XS_SNAP_EV_NPS:
            if (isnan(v)) break;
            num[XS__CH_NPS_LATEST] = v;
            nps_sum += v;
            n_nps++;
            break;
        case XS_SNAP_EV_TICKET: {
            if (d > t - 90) tickets++;
            if (d > t - 365) tickets_y++;
            if (v != 1) break;
            int closed = 0;
            uint32_t ref = s->ev.ref[e];
            for (uint32_t q = e0; ref != 0 && q < e1 && s->ev.date[q] <= t && !closed;
                 q++)
                closed = s->ev.type[q] == XS_SNAP_EV_TICKET_CLOSED && s->ev.ref[q] == ref;
            open_crit += !closed;
            break;
        }
        case XS_SNAP_EV_PAYMENT_FAILED:
            pay++;
            break;
        case XS_SNAP_EV_CANCEL_REQUEST:
            if (d > t - 90) cancel++;
            break;
        default:
            break;
        }
    }
    num[XS__CH_LOGINS_30] = l30;
    num[XS__CH_LOGINS_90] = l30 + l30_90;
    if (l30_90 > 0) num[XS__CH_LOGIN_TREND_30] = (l30 / 30) / (l30_90 / 60);
    if (l90_180 > 0) num[XS__CH_LOGIN_TREND_90] = (l30 + l30_90) / l90_180;
    if (n_nps) num[XS__CH_NPS_MEAN] = nps_sum / (double)n_nps;
    num[XS__CH_TICKETS_90] = (double)tickets;
    num[XS__CH_TICKETS_365] = (double)tickets_y;
    num[XS__CH_OPEN_CRITICAL] = (double)open_crit;
    num[XS__CH_PAYMENT_FAILED] = (double)pay;
    num[XS__CH_CANCEL_90] = (double)cancel;
}

/* Offers declined in the last 180 days, orders and their amount net of
 * returns. */
static void row_offers_orders(const struct xs_snapshot *s, uint32_t c, int32_t t,
                              double scale, double *num)
{
    const xs__snapshot_customers *cu = &s->cust;
    size_t declined = 0;
    for (uint32_t o = cu->offer_off[c]; o < cu->offer_off[c + 1]; o++) {
        int32_t d = s->off.outcome_at[o];
        if (s->off.outcome[o] == XS_SNAP_OUT_DECLINED && d != XS_SNAP_NO_DATE && d <= t &&
            d > t - 180)
            declined++;
    }
    num[XS__CH_DECLINED_180] = (double)declined;

    size_t n_ord = 0;
    double amount = 0;
    int32_t last = XS_SNAP_NO_DATE;
    for (uint32_t o = cu->order_off[c]; o < cu->order_off[c + 1] && s->ord.date[o] <= t;
         o++) {
        n_ord++;
        last = s->ord.date[o];
        for (uint32_t l = s->ord.line_off[o]; l < s->ord.line_off[o + 1]; l++)
            amount += (double)s->ord.amount[l];
    }
    for (uint32_t r = cu->ret_off[c]; r < cu->ret_off[c + 1] && s->ret.date[r] <= t; r++)
        amount -= (double)s->ret.amount[r];
    num[XS__CH_ORDERS] = (double)n_ord;
    if (n_ord) num[XS__CH_DAYS_SINCE_ORDER] = (double)(t - last);
    num[XS__CH_ORDER_AMOUNT] = amount / scale;
}

/* The customer's attributes as cat[1..3] (segment, industry, size;
 * borrowed strings, "" when absent). */
static void attr_cats(const struct xs_snapshot *s, uint32_t c, const char **cat)
{
    const xs__snapshot_customers *cu = &s->cust;
    cat[1] = xs__snapshot_dict_str(&s->dict.segments, cu->segment[c]);
    cat[2] = xs__snapshot_dict_str(&s->dict.industries, cu->industry[c]);
    cat[3] = xs__snapshot_dict_str(&s->dict.sizes, cu->size[c]);
}

/* Fills num[XS__CH_N_NUMERIC] and cat[4] (borrowed strings) for customer
 * c, active on t. Returns XS_OK or XS_ENOMEM. */
static int customer_row(const struct xs_snapshot *s, uint32_t c, int32_t t, double *num,
                        const char **cat, scratch *w)
{
    const xs__snapshot_customers *cu = &s->cust;
    double scale = pow(10, s->money_scale);
    for (size_t i = 0; i < XS__CH_N_NUMERIC; i++)
        num[i] = NAN;
    num[XS__CH_TENURE] =
        cu->signup[c] == XS_SNAP_NO_DATE ? NAN : (double)(t - cu->signup[c]);
    double m0 = mrr_on(s, c, t);
    num[XS__CH_MRR] = m0 / scale;
    num[XS__CH_MRR_CHANGE_90] = (m0 - mrr_on(s, c, t - 90)) / scale;
    num[XS__CH_MRR_CHANGE_180] = (m0 - mrr_on(s, c, t - 180)) / scale;
    if (row_subs(s, c, t, num, cat, w) < 0 || row_usage(s, c, t, num, w) < 0)
        return XS_ENOMEM;
    row_events(s, c, t, num);
    row_offers_orders(s, c, t, scale, num);
    attr_cats(s, c, cat);
    return XS_OK;
}

/* The categorical values of customer c, active on t (cat[4] as
 * customer_row gives them), without its numeric features: what the
 * encoding reads of a row that is not trained on. XS_OK or XS_ENOMEM. */
static int customer_cats(const struct xs_snapshot *s, uint32_t c, int32_t t,
                         const char **cat, scratch *w)
{
    double num[XS__CH_N_NUMERIC];
    if (row_subs(s, c, t, num, cat, w) < 0) return XS_ENOMEM;
    attr_cats(s, c, cat);
    return XS_OK;
}

/* ---------------------------------------------------------------------- */
/* The table                                                               */
/* ---------------------------------------------------------------------- */

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static long find_level(const xs__score_churn_col *col, const char *v)
{
    const char **hit = bsearch(&v, (const char **)col->levels, col->n_levels,
                               sizeof *col->levels, cmp_str);
    return hit ? (long)(hit - (const char **)col->levels) : -1;
}

/* The encoding fitted on the rows: categorical levels = distinct non-blank
 * values, sorted bytewise. */
static int fit_encoding(xs__score_churn_enc *e, const char **cat, size_t n)
{
    if (!(e->cols = xs__calloc(XS__CH_N_COLS, sizeof *e->cols))) return XS_ENOMEM;
    e->n_cols = XS__CH_N_COLS;
    for (size_t c = 0; c < XS__CH_N_COLS; c++) {
        xs__score_churn_col *col = &e->cols[c];
        if (!(col->name = xs__strdup(COL_NAMES[c]))) return XS_ENOMEM;
        if (c < XS__CH_N_NUMERIC) continue;
        col->categorical = 1;
        size_t k = c - XS__CH_N_NUMERIC;
        if (!(col->levels = xs__calloc(n ? n : 1, sizeof *col->levels))) return XS_ENOMEM;
        for (size_t i = 0; i < n; i++) {
            const char *v = cat[i * 4 + k];
            if (!*v) continue;
            size_t l = 0;
            while (l < col->n_levels && strcmp(col->levels[l], v))
                l++;
            if (l < col->n_levels) continue;
            if (!(col->levels[l] = xs__strdup(v))) return XS_ENOMEM;
            col->n_levels++;
        }
        qsort(col->levels, col->n_levels, sizeof *col->levels, cmp_str);
    }
    return xs__score_churn_enc_finish(e) < 0 ? XS_ENOMEM : XS_OK;
}

/* Checks that a model was trained on this feature table. */
static int check_model(const xs__score_churn_enc *me, xs_error *err)
{
    size_t c = 0;
    for (; c < XS__CH_N_COLS && c < me->n_cols; c++)
        if (strcmp(me->cols[c].name, COL_NAMES[c]) ||
            me->cols[c].categorical != (c >= XS__CH_N_NUMERIC))
            break;
    if (c == XS__CH_N_COLS && me->n_cols == XS__CH_N_COLS) return XS_OK;
    char q[128];
    const char *got = c < me->n_cols ? me->cols[c].name : "(none)";
    xs__error_quote(q, sizeof q, got, strlen(got));
    return xs__error_param(err, XS_EINVAL, NULL, "model",
                           "not a store-history churn model: its column %zu is %s", c + 1,
                           q);
}

static int check_horizon(int h, xs_error *err)
{
    if (h >= 1 && h <= MAX_HORIZON) return XS_OK;
    return xs__error_param(err, XS_EINVAL, NULL, "horizon",
                           "%d days is out of range [1, %d]", h, MAX_HORIZON);
}

static int nomem(xs_error *err)
{
    return xs__error_set(err, XS_ENOMEM, NULL, 0, NULL, "out of memory");
}

/* Whether the labels of cutoff t and horizon h (0: none) fit in the data
 * of s. Returns XS_OK or XS_EINVAL with the reason in err. */
static int check_window(const struct xs_snapshot *s, int32_t t, int h, xs_error *err)
{
    int rc;
    if (h != 0 && (rc = check_horizon(h, err)) < 0) return rc;
    int32_t end = h > 0 ? xs__score_churn_history_data_end(s) : XS_SNAP_NO_DATE;
    if (h > 0 && (end == XS_SNAP_NO_DATE || t + h > end)) {
        char tday[11], need[11], lday[11];
        xs__date_format(t, tday);
        xs__date_format(t + h, need);
        if (end == XS_SNAP_NO_DATE)
            return xs__error_param(err, XS_EINVAL, NULL, "db",
                                   "the store holds no dated rows");
        xs__date_format(end, lday);
        return xs__error_param(
            err, XS_EINVAL, NULL, "cutoff",
            "labels of cutoff %s need data up to %s, the data ends on %s", tday, need,
            lday);
    }
    return XS_OK;
}

/* Encodes row i of d (customer id, its XS__CH_N_NUMERIC numbers and 4
 * categories) with d->enc: features into d->x, the categories as given
 * into d->cat_raw when d has one, blanks and unseen levels counted in
 * d->info. Returns 0, or -1 when out of memory. */
static int encode_row(xs_churn_data *d, size_t i, const char *id, const double *num,
                      const char *const *cat)
{
    const xs__score_churn_enc *e = &d->enc;
    if (!(d->ids[i] = xs__arena_strndup(&d->strings, id, strlen(id)))) return -1;
    float *x = d->x + i * e->n_features;
    for (size_t k = 0; k < XS__CH_N_NUMERIC; k++) {
        double v = num[k];
        x[e->cols[k].first_feature] = (float)v;
        if (isnan(v)) d->info[k].n_blank++;
    }
    for (size_t k = XS__CH_N_NUMERIC; k < XS__CH_N_COLS; k++) {
        const xs__score_churn_col *col = &e->cols[k];
        const char *v = cat[k - XS__CH_N_NUMERIC];
        for (size_t l = 0; l < col->n_levels; l++)
            x[col->first_feature + l] = 0.0f;
        if (d->cat_raw) {
            const char *kept = xs__arena_strndup(&d->strings, v, strlen(v));
            if (!kept) return -1;
            d->cat_raw[i * e->n_cols + k] = kept;
        }
        if (!*v) {
            d->info[k].n_blank++;
            continue;
        }
        long l = find_level(col, v);
        if (l < 0)
            d->info[k].n_unseen++;
        else
            x[col->first_feature + (size_t)l] = 1.0f;
    }
    return 0;
}

/* Features of the customers active on day t; labels when h > 0; the raw
 * categories (d->cat_raw, for the reasons of a prediction) when raw, else
 * none: a table only trained on or predicted without reasons is spared
 * n x 30 pointers and a copy of each category (at 1M customers 0.3 GB of
 * the build's memory for its two tables). */
/* The customers active on t, in customer order (*rows: the caller frees
 * it). XS_OK, XS_EINVAL (none) or XS_ENOMEM. */
static int active_rows(const struct xs_snapshot *s, int32_t t, uint32_t **rows, size_t *n,
                       xs_error *err)
{
    size_t nc = s->cust.n, k = 0;
    *n = 0;
    if (!(*rows = xs__malloc((nc ? nc : 1) * sizeof **rows))) return nomem(err);
    for (uint32_t c = 0; c < nc; c++)
        if (xs__snapshot_cust_active(s, c, t)) (*rows)[k++] = c;
    if (k == 0) {
        char tday[11];
        xs__date_format(t, tday);
        xs__free(*rows);
        *rows = NULL;
        return xs__error_param(err, XS_EINVAL, NULL, "cutoff",
                               "no customer is active on %s", tday);
    }
    *n = k;
    return XS_OK;
}

/* The table of the customers rows[0..n) (active on t) at t, labelled with
 * horizon h when h > 0; encoded with me when given, else with an encoding
 * fitted on these rows. */
static int build_rows(const struct xs_snapshot *s, int32_t t, int h,
                      const xs__score_churn_enc *me, int raw, const uint32_t *rows, size_t n,
                      xs_churn_data **out, xs_error *err)
{
    xs_churn_data *d = NULL;
    double *num = NULL;
    const char **cat = NULL;
    scratch w;
    memset(&w, 0, sizeof w);
    char tday[11];
    int rc;
    *out = NULL;
    xs__date_format(t, tday);
    num = xs__malloc(n * XS__CH_N_NUMERIC * sizeof *num);
    cat = xs__malloc(n * 4 * sizeof *cat);
    if (!num || !cat) goto oom;
    for (size_t i = 0; i < n; i++)
        if (customer_row(s, rows[i], t, num + i * XS__CH_N_NUMERIC, cat + i * 4, &w) < 0)
            goto oom;

    if (!(d = xs__calloc(1, sizeof *d))) goto oom;
    xs__arena_init(&d->strings, 0);
    char path[32];
    snprintf(path, sizeof path, "cutoff %s", tday);
    if (!(d->path = xs__strdup(path))) goto oom;
    d->n = n;
    if (me ? xs__score_churn_enc_copy(&d->enc, me) < 0
           : fit_encoding(&d->enc, cat, n) < 0)
        goto oom;
    const xs__score_churn_enc *e = &d->enc;
    d->ids = xs__calloc(n, sizeof *d->ids);
    d->x = xs__malloc(n * e->n_features * sizeof *d->x);
    d->cat_raw = raw ? xs__calloc(n * e->n_cols, sizeof *d->cat_raw) : NULL;
    d->info = xs__calloc(e->n_cols, sizeof *d->info);
    if (!d->ids || !d->x || (raw && !d->cat_raw) || !d->info) goto oom;
    for (size_t c = 0; c < e->n_cols; c++) {
        d->info[c].name = e->cols[c].name;
        d->info[c].categorical = e->cols[c].categorical;
        d->info[c].n_levels = e->cols[c].n_levels;
    }
    for (size_t i = 0; i < n; i++)
        if (encode_row(d, i, xs__intern_str(&s->cust.ids, rows[i]),
                       num + i * XS__CH_N_NUMERIC, cat + i * 4) < 0)
            goto oom;
    if (h > 0) {
        if (!(d->y = xs__malloc(n)) || !(d->positive = xs__strdup("1")) ||
            !(d->negative = xs__strdup("0")))
            goto oom;
        for (size_t i = 0; i < n; i++) {
            d->y[i] = !xs__snapshot_cust_active(s, rows[i], t + h);
            d->n_pos += d->y[i];
        }
    }
    *out = d;
    d = NULL;
    rc = XS_OK;
    goto cleanup;
oom:
    rc = nomem(err);
cleanup:
    xs_churn_data_free(d);
    xs__free(num);
    xs__free(cat);
    xs__free(w.pts);
    xs__free(w.seen);
    return rc;
}

static int build(const struct xs_snapshot *s, int32_t t, int h,
                 const xs__score_churn_enc *me, int raw, xs_churn_data **out,
                 xs_error *err)
{
    uint32_t *rows = NULL;
    size_t n;
    int rc;
    *out = NULL;
    if ((rc = check_window(s, t, h, err)) < 0) return rc;
    if (me && (rc = check_model(me, err)) < 0) return rc;
    if ((rc = active_rows(s, t, &rows, &n, err)) < 0) return rc;
    rc = build_rows(s, t, h, me, raw, rows, n, out, err);
    xs__free(rows);
    return rc;
}

/* Needs churners and stayers among the n rows (n_pos churners) of a
 * labelled table at t. */
static int two_classes(size_t n, size_t n_pos, int32_t t, int h, xs_error *err)
{
    if (n_pos > 0 && n_pos < n) return XS_OK;
    char day[11];
    xs__date_format(t, day);
    return xs__error_param(err, XS_EINVAL, NULL, "cutoff",
                           "%s of the %zu customers active on %s churned within %d days: "
                           "need churners and stayers",
                           n_pos ? "all" : "none", n, day, h);
}

/* as_of of the options, or the snapshot's last date. */
static int resolve_as_of(const struct xs_snapshot *s, const char *as_of, int32_t *out,
                         xs_error *err)
{
    if (as_of) return xs__date_param(as_of, "as_of", out, err);
    *out = xs__score_churn_history_data_end(s);
    if (*out == XS_SNAP_NO_DATE)
        return xs__error_param(err, XS_EINVAL, NULL, "db",
                               "the store holds no dated rows");
    return XS_OK;
}

/* The training cutoff T1 of the options. */
static int resolve_cutoff(const struct xs_snapshot *s, const xs_churn_history_opts *o,
                          int32_t *t1, xs_error *err)
{
    int rc;
    int32_t as_of;
    if ((rc = check_horizon(o->horizon, err)) < 0) return rc;
    if (o->cutoff) return xs__date_param(o->cutoff, "cutoff", t1, err);
    if ((rc = resolve_as_of(s, o->as_of, &as_of, err)) < 0) return rc;
    *t1 = as_of - 2 * o->horizon;
    return XS_OK;
}

void xs_churn_history_opts_init(xs_churn_history_opts *o)
{
    memset(o, 0, sizeof *o);
    o->horizon = 90;
    xs_churn_params_init(&o->params);
}

int xs_churn_history_features(const xs_snapshot *s, const char *cutoff, int horizon,
                              const xs_churn_model *m, xs_churn_data **out, xs_error *err)
{
    int32_t t;
    int rc;
    *out = NULL;
    if ((rc = xs__date_param(cutoff, "cutoff", &t, err)) < 0) return rc;
    return build(s, t, horizon, m ? xs__score_churn_model_enc(m) : NULL, 1, out, err);
}

/* Contract in churn_history.h. */
int xs__score_churn_history_table(const struct xs_snapshot *s, int32_t day,
                                  const xs__score_churn_enc *enc, xs_churn_data **out,
                                  xs_error *err)
{
    *out = NULL;
    return build(s, day, 0, enc, 1, out, err);
}

/*
 * Training on a sample. Boosting costs about rows x rounds, and a store of
 * a million customers gives a training table of most of them, while the
 * model's few shallow trees (depth 3, 200 rounds) learn what a sample of a
 * few hundred thousand already shows (bench/RESULTS.md, "Model file and
 * 1M": the held-out AUC of the sample and of every row). So with
 * o->max_train > 0 and more rows than that, the model trains on a
 * stratified sample: each label keeps its share of the rows (rounded, at
 * least one of each), and within a label the rows are drawn by selection
 * sampling (Knuth's algorithm S) with xs__rng seeded by params.seed, so
 * the sample, listed in table order, is the same on every run. The
 * encoding is still fitted on every row, but only the sample's features
 * are computed (train_table). A table within the cap trains on every row,
 * exactly as without one.
 */
/* Contract in churn_history.h. */
size_t xs__score_churn_sample(const unsigned char *y, size_t n, size_t max, uint64_t seed,
                              size_t *idx)
{
    size_t n_pos = 0, k = 0;
    for (size_t i = 0; i < n; i++) n_pos += y[i] != 0;
    size_t want[2], left[2] = {n - n_pos, n_pos};
    want[1] = (size_t)((double)max * (double)n_pos / (double)n + 0.5);
    if (want[1] < 1) want[1] = 1;
    if (want[1] > max - 1) want[1] = max - 1;
    if (want[1] > n_pos) want[1] = n_pos;
    want[0] = max - want[1];
    if (want[0] > left[0]) want[0] = left[0];
    xs__rng r;
    xs__rng_seed(&r, seed);
    for (size_t i = 0; i < n; i++) {
        int c = y[i] != 0;
        if (want[c] > 0 && xs__rng_below(&r, left[c]) < want[c]) {
            idx[k++] = i;
            want[c]--;
        }
        left[c]--;
    }
    return k;
}

/* The training table at cutoff t of the options o: every row active on
 * t, or with o->max_train > 0 and more rows than that, only the rows of
 * the sample xs__score_churn_sample draws from every row's label. Only
 * the sample's features are computed; the encoding is still fitted on
 * every row's categorical values, so the table, and the model trained on
 * it, are those of the sample drawn from the whole table. *n_all and
 * *n_pos_all count every row. */
static int train_table(const struct xs_snapshot *s, int32_t t, const xs_churn_history_opts *o,
                       xs_churn_data **out, size_t *n_all, size_t *n_pos_all, xs_error *err)
{
    uint32_t *rows = NULL, *sel = NULL;
    unsigned char *y = NULL;
    const char **cat = NULL;
    size_t *idx = NULL, n, n_pos = 0, max = o->max_train;
    xs__score_churn_enc enc;
    memset(&enc, 0, sizeof enc);
    scratch w;
    memset(&w, 0, sizeof w);
    int h = o->horizon, rc;
    *out = NULL;
    if ((rc = check_window(s, t, h, err)) < 0) return rc;
    if ((rc = active_rows(s, t, &rows, &n, err)) < 0) return rc;
    if (max == 0 || n <= max || max < 2) {
        if ((rc = build_rows(s, t, h, NULL, 0, rows, n, out, err)) == XS_OK) {
            *n_all = (*out)->n;
            *n_pos_all = (*out)->n_pos;
        }
        goto cleanup;
    }
    if (!(y = xs__malloc(n)) || !(cat = xs__malloc(n * 4 * sizeof *cat)) ||
        !(idx = xs__malloc(max * sizeof *idx)) || !(sel = xs__malloc(max * sizeof *sel)))
        goto oom;
    for (size_t i = 0; i < n; i++) {
        y[i] = !xs__snapshot_cust_active(s, rows[i], t + h);
        n_pos += y[i];
        if (customer_cats(s, rows[i], t, cat + i * 4, &w) < 0) goto oom;
    }
    if ((rc = two_classes(n, n_pos, t, h, err)) < 0) goto cleanup;
    if (fit_encoding(&enc, cat, n) < 0) goto oom;
    size_t k = xs__score_churn_sample(y, n, max, o->params.seed, idx);
    for (size_t i = 0; i < k; i++)
        sel[i] = rows[idx[i]];
    if ((rc = build_rows(s, t, h, &enc, 0, sel, k, out, err)) == XS_OK) {
        *n_all = n;
        *n_pos_all = n_pos;
    }
    goto cleanup;
oom:
    rc = nomem(err);
cleanup:
    xs__score_churn_enc_free(&enc);
    xs__free(rows);
    xs__free(sel);
    xs__free(y);
    xs__free(cat);
    xs__free(idx);
    xs__free(w.pts);
    xs__free(w.seen);
    return rc;
}

int xs_churn_history_train(const xs_snapshot *s, const xs_churn_history_opts *o,
                           xs_churn_model **out, xs_churn_history_eval_result *info,
                           xs_error *err)
{
    int32_t t1;
    xs_churn_data *d = NULL;
    int rc;
    *out = NULL;
    if (info) memset(info, 0, sizeof *info);
    if ((rc = resolve_cutoff(s, o, &t1, err)) < 0) return rc;
    size_t n_all = 0, n_pos_all = 0;
    if ((rc = train_table(s, t1, o, &d, &n_all, &n_pos_all, err)) < 0) return rc;
    if ((rc = two_classes(n_all, n_pos_all, t1, o->horizon, err)) >= 0)
        rc = xs_churn_train(d, &o->params, out, err);
    if (rc >= 0 && info) {
        xs__date_format(t1, info->train_cutoff);
        info->horizon = o->horizon;
        info->n_train = n_all;
        info->n_train_pos = n_pos_all;
    }
    xs_churn_data_free(d);
    return rc;
}

int xs_churn_history_eval(const xs_snapshot *s, const xs_churn_history_opts *o,
                          xs_churn_history_eval_result *out, xs_error *err)
{
    int32_t t1;
    xs_churn_data *d1 = NULL, *d2 = NULL;
    xs_churn_model *m = NULL;
    xs_churn_pred p;
    int rc;
    memset(out, 0, sizeof *out);
    memset(&p, 0, sizeof p);
    if ((rc = resolve_cutoff(s, o, &t1, err)) < 0) return rc;
    int32_t t2 = t1 + o->horizon, end = xs__score_churn_history_data_end(s);
    if (end != XS_SNAP_NO_DATE && t2 + o->horizon > end) {
        char a[11], b[11], c[11];
        xs__date_format(t1, a);
        xs__date_format(t2 + o->horizon, b);
        xs__date_format(end, c);
        return xs__error_param(err, XS_EINVAL, NULL, "cutoff",
                               "evaluating cutoff %s needs data up to %s (cutoff + 2 x "
                               "horizon), the data ends on %s",
                               a, b, c);
    }
    size_t n_all = 0, n_pos_all = 0;
    if ((rc = train_table(s, t1, o, &d1, &n_all, &n_pos_all, err)) < 0) goto cleanup;
    if ((rc = two_classes(n_all, n_pos_all, t1, o->horizon, err)) < 0) goto cleanup;
    if ((rc = xs_churn_train(d1, &o->params, &m, err)) < 0) goto cleanup;
    if ((rc = build(s, t2, o->horizon, m ? xs__score_churn_model_enc(m) : NULL, 0, &d2,
                    err)) < 0)
        goto cleanup;
    if ((rc = xs_churn_predict(m, d2, 0, &p, err)) < 0) goto cleanup;
    xs__date_format(t1, out->train_cutoff);
    xs__date_format(t2, out->eval_cutoff);
    out->horizon = o->horizon;
    out->n_train = n_all;
    out->n_train_pos = n_pos_all;
    out->n = d2->n;
    out->n_pos = d2->n_pos;
    out->auc = xs__score_churn_auc(p.prob, d2->y, d2->n);
    out->log_loss = xs__score_churn_log_loss(p.prob, d2->y, d2->n);
    if (xs__score_churn_calibration(p.prob, d2->y, d2->n, XS_CHURN_BINS, out->bins) < 0) {
        rc = nomem(err);
        goto cleanup;
    }
    rc = XS_OK;
cleanup:
    xs_churn_pred_free(&p);
    xs_churn_model_free(m);
    xs_churn_data_free(d1);
    xs_churn_data_free(d2);
    return rc;
}

/* Customers per block of xs__score_churn_history_probs by default: their
 * feature table and XGBoost's copy of it take ~60 MB, against ~1 GB for a
 * million at once. */
#define PROB_BLOCK 65536u

/* Contract in churn_history.h. */
int xs__score_churn_history_probs(const struct xs_snapshot *s, const xs_churn_model *m,
                                  const char *as_of, size_t block, double *prob,
                                  xs_error *err)
{
    const xs__score_churn_enc *enc = xs__score_churn_model_enc(m);
    uint32_t *rows = NULL;
    size_t n = 0;
    int32_t t;
    int rc;
    if ((rc = resolve_as_of(s, as_of, &t, err)) < 0 || (rc = check_window(s, t, 0, err)) < 0 ||
        (rc = check_model(enc, err)) < 0 || (rc = active_rows(s, t, &rows, &n, err)) < 0)
        return rc;
    if (!block) block = PROB_BLOCK;
    for (size_t lo = 0; lo < n && rc == XS_OK; lo += block) {
        size_t k = n - lo < block ? n - lo : block;
        xs_churn_data *d = NULL;
        xs_churn_pred pred;
        memset(&pred, 0, sizeof pred);
        if ((rc = build_rows(s, t, 0, enc, 0, rows + lo, k, &d, err)) == XS_OK &&
            (rc = xs_churn_predict(m, d, 0, &pred, err)) == XS_OK)
            for (size_t i = 0; i < k; i++)
                prob[rows[lo + i]] = pred.prob[i];
        xs_churn_pred_free(&pred);
        xs_churn_data_free(d);
    }
    xs__free(rows);
    return rc;
}

int xs_churn_history_predict(const xs_snapshot *s, const xs_churn_model *m,
                             const char *as_of, int with_contribs, xs_churn_data **data,
                             xs_churn_pred *pred, xs_error *err)
{
    int32_t t;
    int rc;
    *data = NULL;
    memset(pred, 0, sizeof *pred);
    if ((rc = resolve_as_of(s, as_of, &t, err)) < 0) return rc;
    if ((rc = build(s, t, 0, m ? xs__score_churn_model_enc(m) : NULL, with_contribs != 0,
                    data, err)) < 0)
        return rc;
    if ((rc = xs_churn_predict(m, *data, with_contribs, pred, err)) < 0) {
        xs_churn_data_free(*data);
        *data = NULL;
    }
    return rc;
}
