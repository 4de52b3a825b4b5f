/*
 * health.c — the health / loyalty score: configuration (defaults, setting
 * fields by name) and the per-customer components computed straight from
 * the snapshot's columns.
 *
 * Each component turns one measurement into a score in [0, 1]; the health
 * is the weighted mean of the scores of the components that have data,
 * times 100 (a customer without NPS answers is scored on the others, the
 * NPS weight shared among them). A component without data never counts as
 * perfect: support and payment have data only when the store records
 * tickets / payment failures at all (xs__score_health_tracked), and each
 * customer carries its coverage (which components had data); too little
 * coverage makes the segment `unknown` (segments.c). The rules, defaults
 * and why they are what they are: docs/scores.md. Everything is "as of" cs->as_of: rows
 * dated later are ignored. Reads the snapshot only (never SQL); allocates nothing.
 */
#include "score/health.h"

#include "base/error.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------------- */
/* Configuration                                                          */
/* ---------------------------------------------------------------------- */

static const char *const part_names[XS_HEALTH_N_PARTS] = {
    "tenure", "usage", "trend", "utilisation", "nps", "support", "payment",
};

const char *xs_health_part_name(xs_health_part p)
{
    return (unsigned)p < XS_HEALTH_N_PARTS ? part_names[p] : NULL;
}

const char *xs_health_coverage_text(unsigned coverage, char *buf, size_t n)
{
    size_t w = 0;
    if (!n) return buf;
    buf[0] = '\0';
    if ((coverage & ((1u << XS_HEALTH_N_PARTS) - 1)) == (1u << XS_HEALTH_N_PARTS) - 1) {
        snprintf(buf, n, "all");
        return buf;
    }
    for (int k = 0; k < XS_HEALTH_N_PARTS; k++) {
        if (!(coverage >> k & 1u)) continue;
        int m = snprintf(buf + w, n - w, "%s%s", w ? "+" : "", part_names[k]);
        if (m < 0 || (size_t)m >= n - w) { /* whole names only */
            buf[w] = '\0';
            break;
        }
        w += (size_t)m;
    }
    if (!w) snprintf(buf, n, "none");
    return buf;
}

void xs_health_config_init(xs_health_config *c)
{
    /* Loyal customers are long-tenured, frequent users with few support
     * inquiries and a high NPS: those four carry 75 of the 100 points. */
    static const double w[XS_HEALTH_N_PARTS] = {20, 25, 10, 10, 20, 10, 5};
    memset(c, 0, sizeof *c);
    memcpy(c->weight, w, sizeof w);
    c->tenure_full_days = 730;
    c->usage_window_days = 90;
    c->logins_full = 20;
    c->trend_full = 0.5;
    c->utilisation_full = 0.7;
    c->nps_window_days = 365;
    c->nps_latest_share = 0.5;
    c->support_window_days = 90;
    c->tickets_full = 5;
    c->critical_penalty = 0.5;
    c->payment_window_days = 180;
    c->payments_full = 2;
    c->new_days = 90;
    c->active_days = 180;
    c->cancel_window_days = 90;
    c->at_risk_health = 40;
    c->champion_health = 80;
    c->loyal_health = 65;
    c->promising_health = 50;
    c->loyal_tenure_days = 365;
    /* one component is not a judgement of loyalty (tenure alone says how
     * long, not how well), and neither is a record without any sign of
     * use or satisfaction */
    c->min_components = 2;
    c->need_activity = 1;
    c->churn_window_days = 365;
    c->default_lifetime_years = 3;
    c->max_lifetime_years = 10;
    c->min_span_days = 365;
    c->clv_horizon_weeks = 52;
    c->clv_discount = 0.0018;
    c->clv = 1;
    strcpy(c->capacity_metric, "seats");
}

/* Fields settable by name; `day` fields must be whole numbers, `pos` ones
 * strictly positive (they divide). */
static const struct field {
    const char *name;
    size_t off;
    int pos, whole;
} fields[] = {
#define F(name, pos, whole)                                                              \
    {                                                                                    \
#name, offsetof(xs_health_config, name), pos, whole                              \
    }
    F(tenure_full_days, 1, 1),
    F(usage_window_days, 1, 1),
    F(logins_full, 1, 0),
    F(trend_full, 1, 0),
    F(utilisation_full, 1, 0),
    F(nps_window_days, 1, 1),
    F(nps_latest_share, 0, 0),
    F(support_window_days, 1, 1),
    F(tickets_full, 1, 0),
    F(critical_penalty, 0, 0),
    F(payment_window_days, 1, 1),
    F(payments_full, 1, 0),
    F(new_days, 0, 1),
    F(active_days, 1, 1),
    F(cancel_window_days, 1, 1),
    F(at_risk_health, 0, 0),
    F(champion_health, 0, 0),
    F(loyal_health, 0, 0),
    F(promising_health, 0, 0),
    F(loyal_tenure_days, 0, 1),
    F(min_components, 0, 1),
    F(need_activity, 0, 1),
    F(churn_window_days, 1, 1),
    F(default_lifetime_years, 1, 0),
    F(max_lifetime_years, 1, 0),
    F(min_span_days, 1, 1),
    F(clv_horizon_weeks, 1, 1),
    F(clv_discount, 0, 0),
    F(clv, 0, 1),
    F(churn, 0, 1),
#undef F
};

static int valid_metric(const char *s, size_t len)
{
    if (len == 0 || len >= sizeof(((xs_health_config *)0)->capacity_metric)) return 0;
    for (size_t i = 0; i < len; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') ||
              s[i] == '_'))
            return 0;
    return 1;
}

int xs_health_config_set(xs_health_config *c, const char *spec, const char *option,
                         xs_error *err)
{
    xs_health_config t = *c;
    char q[160];
    const char *p = spec;
    while (1) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        const char *eq = memchr(p, '=', len);
        if (!eq) {
            xs__error_quote(q, sizeof q, p, len);
            return xs__error_set(err, XS_EINVAL, NULL, 0, option,
                                 "expected name=value, got %s", q);
        }
        size_t nlen = (size_t)(eq - p), vlen = len - nlen - 1;
        const char *v = eq + 1;
        double *dst = NULL;
        int pos = 0, whole = 0, found = 0;
        for (int i = 0; i < XS_HEALTH_N_PARTS; i++)
            if (strlen(part_names[i]) == nlen && !memcmp(part_names[i], p, nlen)) {
                dst = &t.weight[i];
                found = 1;
            }
        for (size_t i = 0; !found && i < sizeof fields / sizeof fields[0]; i++)
            if (strlen(fields[i].name) == nlen && !memcmp(fields[i].name, p, nlen)) {
                dst = (double *)((char *)&t + fields[i].off);
                pos = fields[i].pos;
                whole = fields[i].whole;
                found = 1;
            }
        if (!found && nlen == 15 && !memcmp(p, "capacity_metric", 15)) {
            if (!valid_metric(v, vlen)) {
                xs__error_quote(q, sizeof q, v, vlen);
                return xs__error_set(err, XS_EINVAL, NULL, 0, option,
                                     "capacity_metric: not a metric name: %s", q);
            }
            memcpy(t.capacity_metric, v, vlen);
            t.capacity_metric[vlen] = '\0';
            found = 2;
        }
        if (!found) {
            xs__error_quote(q, sizeof q, p, nlen);
            return xs__error_set(err, XS_EINVAL, NULL, 0, option, "unknown name %s", q);
        }
        if (found == 1) {
            char buf[64], *e;
            double x = NAN;
            if (vlen > 0 && vlen < sizeof buf) {
                memcpy(buf, v, vlen);
                buf[vlen] = '\0';
                x = strtod(buf, &e);
                if (*e) x = NAN;
            }
            if (!isfinite(x) || x < 0 || (pos && x == 0) || (whole && x != floor(x))) {
                xs__error_quote(q, sizeof q, v, vlen);
                return xs__error_set(err, XS_EINVAL, NULL, 0, option,
                                     "%.*s: expected a %s%s number, got %s", (int)nlen, p,
                                     whole ? "whole " : "",
                                     pos ? "positive" : "non-negative", q);
            }
            *dst = x;
        }
        if (!end) break;
        p = end + 1;
    }
    double sum = 0;
    for (int i = 0; i < XS_HEALTH_N_PARTS; i++)
        sum += t.weight[i];
    if (sum <= 0)
        return xs__error_set(err, XS_EINVAL, NULL, 0, option, "weights sum to 0");
    if (t.need_activity > 1)
        return xs__error_set(err, XS_EINVAL, NULL, 0, option,
                             "need_activity: must be 0 or 1, got %g", t.need_activity);
    if (t.nps_latest_share > 1)
        return xs__error_set(err, XS_EINVAL, NULL, 0, option,
                             "nps_latest_share: must be at most 1, got %g",
                             t.nps_latest_share);
    *c = t;
    return XS_OK;
}

/* ---------------------------------------------------------------------- */
/* Components                                                             */
/* ---------------------------------------------------------------------- */

static double clamp01(double x)
{
    return x < 0 ? 0 : x > 1 ? 1 : x;
}

double xs__score_health_combine(const double *score, const double *weight, double *share)
{
    double sw = 0, sws = 0;
    for (int i = 0; i < XS_HEALTH_N_PARTS; i++)
        if (!isnan(score[i])) {
            sw += weight[i];
            sws += weight[i] * score[i];
        }
    for (int i = 0; share && i < XS_HEALTH_N_PARTS; i++)
        share[i] = isnan(score[i]) || sw <= 0 ? 0 : weight[i] / sw;
    return sw > 0 ? 100 * sws / sw : NAN;
}

unsigned xs__score_health_coverage(const double *score)
{
    unsigned m = 0;
    for (int k = 0; k < XS_HEALTH_N_PARTS; k++)
        if (!isnan(score[k])) m |= 1u << k;
    return m;
}

int xs__score_health_unknown(const xs_health_config *c, unsigned coverage)
{
    int n = 0;
    for (int k = 0; k < XS_HEALTH_N_PARTS; k++)
        n += (int)(coverage >> k & 1u);
    if ((double)n < c->min_components) return 1;
    return c->need_activity != 0 && !(coverage & XS__HEALTH_ACTIVITY);
}

void xs__score_health_tracked(xs_customer_scores *cs)
{
    const xs__snapshot_events *ev = &cs->s->ev;
    cs->tracked = 0;
    for (size_t r = 0; r < ev->n; r++) {
        if (ev->date[r] > cs->as_of) continue;
        if (ev->type[r] == XS_SNAP_EV_TICKET) cs->tracked |= XS__TRACK_TICKETS;
        if (ev->type[r] == XS_SNAP_EV_PAYMENT_FAILED) cs->tracked |= XS__TRACK_PAYMENTS;
    }
}

/* Sums of one usage series (a product's metric) in the recent and the
 * earlier window: the series' monthly mean is sum / points. */
typedef struct series_acc {
    double recent, earlier;
    int n_recent, n_earlier;
} series_acc;

/* Usage of customer c: logins per seat per month (recent window) into
 * *usage, relative change of monthly logins recent vs earlier into *trend,
 * utilisation of the capacity metric into *util (NaN where no data). */
static void usage_parts(const xs_customer_scores *cs, uint32_t c, uint16_t m_logins,
                        uint16_t m_seats, uint16_t m_cap, double *usage, double *trend,
                        double *util)
{
    const struct xs_snapshot *s = cs->s;
    const xs__snapshot_usage *u = &s->use;
    int32_t as_of = cs->as_of, w = (int32_t)cs->cfg.usage_window_days;
    int32_t r_lo = as_of - w, e_lo = as_of - 2 * w; /* (r_lo, as_of], (e_lo, r_lo] */
    double logins_recent = 0, logins_earlier = 0, seats_recent = 0;
    int have_logins = 0, have_earlier = 0, have_seats = 0;
    int32_t cap_day = XS_SNAP_NO_DATE;
    double cap_used = 0;
    uint32_t lo = s->cust.usage_off[c], hi = s->cust.usage_off[c + 1];
    for (uint32_t r = lo; r < hi;) {
        /* one series: same product and metric, by date */
        uint32_t p = u->product[r];
        uint16_t m = u->metric[r];
        series_acc a = {0, 0, 0, 0};
        uint32_t e = r;
        for (; e < hi && u->product[e] == p && u->metric[e] == m; e++) {
            int32_t d = u->date[e];
            if (d > as_of || d <= e_lo) continue;
            if (d > r_lo) {
                a.recent += u->value[e];
                a.n_recent++;
            } else {
                a.earlier += u->value[e];
                a.n_earlier++;
            }
            if (m == m_cap && d > cap_day) cap_day = d;
        }
        if (m == m_logins && a.n_recent) {
            have_logins = 1;
            logins_recent += a.recent / a.n_recent;
            if (a.n_earlier) {
                have_earlier = 1;
                logins_earlier += a.earlier / a.n_earlier;
            }
        }
        if (m == m_seats && a.n_recent) {
            have_seats = 1;
            seats_recent += a.recent / a.n_recent;
        }
        r = e;
    }
    *usage = *trend = *util = NAN;
    if (have_logins)
        *usage = logins_recent / (have_seats && seats_recent > 1 ? seats_recent : 1);
    if (have_logins && have_earlier && logins_earlier > 0)
        *trend = (logins_recent - logins_earlier) / logins_earlier;
    /* utilisation: the latest point of the capacity metric in the recent
     * window against the capacity of the subscriptions active that day */
    if (cap_day == XS_SNAP_NO_DATE || cap_day <= r_lo) return;
    for (uint32_t r = lo; r < hi; r++)
        if (u->metric[r] == m_cap && u->date[r] == cap_day) cap_used += u->value[r];
    double cap = 0;
    for (uint32_t r = s->cust.sub_off[c]; r < s->cust.sub_off[c + 1]; r++) {
        if (!xs__snapshot_sub_active(s, r, cap_day)) continue;
        double per = xs__snapshot_prod_limit(s, s->sub.product[r], m_cap);
        if (!isnan(per)) cap += per * (double)s->sub.quantity[r];
    }
    if (cap > 0) *util = cap_used / cap;
}

/* Events of customer c: NPS latest / average, tickets in the support
 * window, open critical ticket, payment failures, cancel requests. */
static void event_parts(const xs_customer_scores *cs, uint32_t c, double *nps_latest,
                        double *nps_avg, double *tickets, int *open_critical,
                        double *payments, int *cancel)
{
    const struct xs_snapshot *s = cs->s;
    const xs__snapshot_events *ev = &s->ev;
    const xs_health_config *cf = &cs->cfg;
    int32_t as_of = cs->as_of;
    int32_t nps_lo = as_of - (int32_t)cf->nps_window_days;
    int32_t sup_lo = as_of - (int32_t)cf->support_window_days;
    int32_t pay_lo = as_of - (int32_t)cf->payment_window_days;
    int32_t can_lo = as_of - (int32_t)cf->cancel_window_days;
    uint32_t lo = s->cust.event_off[c], hi = s->cust.event_off[c + 1];
    double nps_sum = 0;
    int nps_n = 0;
    *nps_latest = *nps_avg = NAN;
    *tickets = *payments = 0;
    *open_critical = *cancel = 0;
    for (uint32_t r = lo; r < hi; r++) {
        int32_t d = ev->date[r];
        if (d > as_of) break; /* sorted by date */
        switch (ev->type[r]) {
        case XS_SNAP_EV_NPS:
            if (isnan(ev->value[r])) break;
            *nps_latest = ev->value[r];
            if (d > nps_lo) {
                nps_sum += ev->value[r];
                nps_n++;
            }
            break;
        case XS_SNAP_EV_TICKET:
            if (d > sup_lo) *tickets += 1;
            if (ev->value[r] == 1 && !*open_critical) {
                /* open unless a ticket_closed with its ref exists by as_of */
                int closed = 0;
                for (uint32_t k = lo; k < hi && ev->date[k] <= as_of; k++)
                    if (ev->type[k] == XS_SNAP_EV_TICKET_CLOSED &&
                        ev->ref[k] == ev->ref[r] && ev->ref[r] != 0 && ev->date[k] >= d) {
                        closed = 1;
                        break;
                    }
                if (!closed) *open_critical = 1;
            }
            break;
        case XS_SNAP_EV_PAYMENT_FAILED:
            if (d > pay_lo) *payments += 1;
            break;
        case XS_SNAP_EV_CANCEL_REQUEST:
            if (d > can_lo) *cancel = 1;
            break;
        default:
            break;
        }
    }
    if (!isnan(*nps_latest)) *nps_avg = nps_n ? nps_sum / nps_n : *nps_latest;
}

void xs__score_health_compute(xs_customer_scores *cs, size_t lo, size_t hi)
{
    const struct xs_snapshot *s = cs->s;
    const xs_health_config *cf = &cs->cfg;
    int32_t as_of = cs->as_of;
    const char *mn = cf->capacity_metric;
    uint32_t id = xs__intern_find(&s->dict.metrics, mn, strlen(mn));
    uint16_t m_cap = id == XS_INTERN_NONE ? XS_SNAP_NONE16 : (uint16_t)id;
    id = xs__intern_find(&s->dict.metrics, "logins", 6);
    uint16_t m_logins = id == XS_INTERN_NONE ? XS_SNAP_NONE16 : (uint16_t)id;
    id = xs__intern_find(&s->dict.metrics, "seats", 5);
    uint16_t m_seats = id == XS_INTERN_NONE ? XS_SNAP_NONE16 : (uint16_t)id;
    int32_t act_lo = as_of - (int32_t)cf->active_days;
    for (size_t i = lo; i < hi; i++) {
        uint32_t c = (uint32_t)i;
        double raw[XS_HEALTH_N_PARTS], sc[XS_HEALTH_N_PARTS];
        int open_critical, cancel;
        unsigned flags = 0;
        int32_t signup = s->cust.signup[c];
        raw[XS_HEALTH_TENURE] = signup == XS_SNAP_NO_DATE
                                    ? NAN
                                    : (signup > as_of ? 0 : (double)(as_of - signup));
        usage_parts(cs, c, m_logins, m_seats, m_cap, &raw[XS_HEALTH_USAGE],
                    &raw[XS_HEALTH_TREND], &raw[XS_HEALTH_UTILISATION]);
        event_parts(cs, c, &raw[XS_HEALTH_NPS], &cs->nps_avg[i], &raw[XS_HEALTH_SUPPORT],
                    &open_critical, &raw[XS_HEALTH_PAYMENT], &cancel);
        sc[XS_HEALTH_TENURE] = clamp01(raw[XS_HEALTH_TENURE] / cf->tenure_full_days);
        sc[XS_HEALTH_USAGE] = clamp01(raw[XS_HEALTH_USAGE] / cf->logins_full);
        sc[XS_HEALTH_TREND] = clamp01(0.5 + raw[XS_HEALTH_TREND] / (2 * cf->trend_full));
        sc[XS_HEALTH_UTILISATION] =
            clamp01(raw[XS_HEALTH_UTILISATION] / cf->utilisation_full);
        sc[XS_HEALTH_NPS] = clamp01((cf->nps_latest_share * raw[XS_HEALTH_NPS] +
                                     (1 - cf->nps_latest_share) * cs->nps_avg[i]) /
                                    10);
        sc[XS_HEALTH_SUPPORT] = clamp01(1 - raw[XS_HEALTH_SUPPORT] / cf->tickets_full -
                                        (open_critical ? cf->critical_penalty : 0));
        sc[XS_HEALTH_PAYMENT] = clamp01(1 - raw[XS_HEALTH_PAYMENT] / cf->payments_full);
        /* zero tickets (failures) in a store that records none is no data */
        if (!(cs->tracked & XS__TRACK_TICKETS)) raw[XS_HEALTH_SUPPORT] = NAN;
        if (!(cs->tracked & XS__TRACK_PAYMENTS)) raw[XS_HEALTH_PAYMENT] = NAN;
        if (isnan(raw[XS_HEALTH_SUPPORT])) sc[XS_HEALTH_SUPPORT] = NAN;
        if (isnan(raw[XS_HEALTH_PAYMENT])) sc[XS_HEALTH_PAYMENT] = NAN;
        /* clamp01 keeps NaN (comparisons with NaN are false) */
        for (int k = 0; k < XS_HEALTH_N_PARTS; k++) {
            cs->raw[k][i] = raw[k];
            cs->score[k][i] = sc[k];
        }
        cs->health[i] = xs__score_health_combine(sc, cf->weight, NULL);
        /* coverage: the components with data and a weight in the health */
        unsigned cov = xs__score_health_coverage(sc);
        for (int k = 0; k < XS_HEALTH_N_PARTS; k++)
            if (!(cf->weight[k] > 0)) cov &= ~(1u << k);
        cs->coverage[i] = (uint8_t)cov;
        if (xs__score_health_unknown(cf, cov)) flags |= XS__CS_UNKNOWN;
        if (open_critical) flags |= XS__CS_OPEN_CRITICAL;
        if (cancel) flags |= XS__CS_CANCEL;
        if (xs__snapshot_cust_active(s, c, as_of))
            flags |= XS__CS_SUBSCRIBER | XS__CS_ACTIVE;
        for (uint32_t o = s->cust.order_off[c]; o < s->cust.order_off[c + 1]; o++)
            if (s->ord.date[o] > act_lo && s->ord.date[o] <= as_of) {
                flags |= XS__CS_ACTIVE;
                break;
            }
        cs->flags[i] = (uint8_t)flags;
    }
}
