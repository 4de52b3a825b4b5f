/*
 * kpi.c — KPIs of a snapshot per calendar period: the MRR movement ledger
 * (new, expansion, contraction, churn, reactivation), retention (NRR, GRR,
 * churn rates), ARPA / ARPU / LTV, repeat purchases, upsell rate and the
 * offer metrics, order revenue net of returns, optionally broken down by a
 * customer attribute, a product line, an offer channel or an offer kind.
 *
 * It reads the columns of src/snapshot/snapshot.h, never SQL. The work is one
 * pass over the customers: each customer's subscriptions are spread onto the
 * period boundaries (its recurring revenue, seats, plan tier and term at the
 * end of each boundary day), then every period compares the customer's
 * start and end state and adds the result to the accumulator of its group.
 * Money stays in integer minor units throughout; revenue is kept as an exact
 * annual amount (ARR: monthly price x 12, yearly price x 1) so that no
 * division happens before the output. Formulas: docs/kpi.md.
 */
#include "measure/kpi.h"

#include "base/alloc.h"
#include "base/date.h"
#include "base/error.h"
#include "base/money.h"
#include "base/progress.h"
#include "snapshot/snapshot.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------------- */
/* Accumulators                                                            */
/* ---------------------------------------------------------------------- */

/* Sums of one (period, group). */
typedef struct acc {
    long long cs, ce; /* customers with revenue at start / end */
    int64_t as, ae;   /* ARR at start / end */
    int64_t newa, expa, cona, chura, reaa;
    long long nn, ne, nc, nch, nr; /* customers per movement */
    int64_t cohort_end;
    long long seats;
    long long buyers, repeat;
    int64_t gross, returned; /* order line amounts, return amounts */
    long long n_returns;     /* return lines */
    long long upsold;
    long long active;
    long long offers, out[4]; /* by XS_SNAP_OUT_* */
    long long xp, xa;         /* cross-sell proposed / accepted */
    long long dn, dm, ds;     /* downsell offers / measured / saved */
} acc;

/* State of one computation. */
typedef struct kpi_ctx {
    const xs_snapshot *s;
    const xs_kpi_opts *o;
    xs_kpi_by by;
    size_t P, B, G; /* periods, boundaries (P + 1), groups */
    int32_t *d; /* boundary days: end of day d[b]; d[0] = day before the first period */
    int32_t *pstart; /* first day of each period */
    acc *acc;        /* P x G */
    acc *tot;        /* P: customer-level totals (channel / kind denominators) */
    uint32_t *pkey;  /* product -> line key */
    int64_t *pseats; /* product -> seats limit, -1 when none */
    int save_days;
    int32_t to;
    /* scratch of one customer */
    int64_t *arr, *seats; /* B */
    size_t cap_k, n_k;
    uint32_t *lkey;         /* local key -> line key */
    int32_t *kfirst;        /* first start of a paying subscription */
    int64_t *karr, *kseats; /* cap_k x B */
    uint16_t *ktier;        /* cap_k x B: highest plan tier active */
    uint16_t *kterm;        /* cap_k x B: longest plan term active, in months;
                               0 none */
    uint8_t *kany;          /* cap_k x B: any subscription of the line active */
} kpi_ctx;

/* ---------------------------------------------------------------------- */
/* Helpers                                                                 */
/* ---------------------------------------------------------------------- */

int64_t xs__measure_kpi_div_round(int64_t x, int64_t d)
{
    if (x >= 0) return (x + d / 2) / d;
    return -((-x + d / 2) / d);
}

/* Annual recurring revenue of subscription row i in minor units: 12 x the
 * monthly part plus the yearly part (xs__snapshot_sub_revenue). */
static int64_t sub_arr(const xs_snapshot *s, uint32_t i)
{
    int64_t month = 0, year = 0;
    xs__snapshot_sub_revenue(s, i, &month, &year);
    return month * 12 + year;
}

int64_t xs__measure_kpi_arr_at(const xs_snapshot *s, uint32_t c, int32_t day)
{
    int64_t sum = 0;
    for (uint32_t i = s->cust.sub_off[c]; i < s->cust.sub_off[c + 1]; i++) {
        if (s->sub.start[i] > day) break; /* sorted by start */
        if (!xs__snapshot_sub_active(s, i, day)) continue;
        sum += sub_arr(s, i);
    }
    return sum;
}

static void widen(int32_t v, int32_t *lo, int32_t *hi)
{
    if (v == XS_SNAP_NO_DATE) return;
    if (v < *lo) *lo = v;
    if (v > *hi) *hi = v;
}

int xs__measure_kpi_data_range(const xs_snapshot *s, int32_t *first, int32_t *last)
{
    int32_t lo = INT32_MAX, hi = INT32_MIN, ulo = INT32_MAX;
    for (size_t i = 0; i < s->sub.n; i++)
        widen(s->sub.start[i], &lo, &hi);
    for (size_t i = 0; i < s->ord.n; i++)
        widen(s->ord.date[i], &lo, &hi);
    for (size_t i = 0; i < s->ret.n; i++)
        widen(s->ret.date[i], &lo, &hi);
    for (size_t i = 0; i < s->off.n; i++)
        widen(s->off.sent[i], &lo, &hi);
    /* usage and events only extend the end */
    int32_t uhi = hi;
    for (size_t i = 0; i < s->use.n; i++)
        widen(s->use.date[i], &ulo, &uhi);
    for (size_t i = 0; i < s->ev.n; i++)
        widen(s->ev.date[i], &ulo, &uhi);
    if (lo == INT32_MAX) {
        if (ulo == INT32_MAX) return -1;
        lo = ulo;
    }
    *first = lo;
    *last = uhi > hi ? uhi : hi;
    return 0;
}

/* First boundary b with d[b] >= day (B when none). */
static size_t lower_bound(const int32_t *d, size_t B, int32_t day)
{
    size_t lo = 0, hi = B;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (d[mid] < day)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Period of a day: p with d[p] < day <= d[p + 1]; -1 outside. */
static long period_of(const kpi_ctx *x, int32_t day)
{
    if (day == XS_SNAP_NO_DATE || day <= x->d[0] || day > x->d[x->P]) return -1;
    return (long)lower_bound(x->d, x->B, day) - 1;
}

static int32_t period_floor(int32_t day, xs_kpi_period p)
{
    int y, m, dd;
    xs__civil_from_days(day, &y, &m, &dd);
    if (p == XS_KPI_QUARTER) m = (m - 1) / 3 * 3 + 1;
    if (p == XS_KPI_YEAR) m = 1;
    return xs__days_from_civil(y, m, 1);
}

static int period_months(xs_kpi_period p)
{
    return p == XS_KPI_MONTH ? 1 : p == XS_KPI_QUARTER ? 3 : 12;
}

static void period_label(int32_t start, xs_kpi_period p, char out[16])
{
    int y, m, dd;
    xs__civil_from_days(start, &y, &m, &dd);
    unsigned yy = (unsigned)y % 10000u, mm = (unsigned)m % 100u;
    if (p == XS_KPI_MONTH)
        snprintf(out, 16, "%04u-%02u", yy, mm);
    else if (p == XS_KPI_QUARTER)
        snprintf(out, 16, "%04u-Q%u", yy, (mm - 1) / 3 % 10 + 1);
    else
        snprintf(out, 16, "%04u", yy);
}

/* Group of customer c under a customer-attribute breakdown (0 without one). */
static size_t cust_group(const kpi_ctx *x, uint32_t c)
{
    uint16_t code;
    switch (x->by) {
    case XS_KPI_BY_SEGMENT:
        code = x->s->cust.segment[c];
        break;
    case XS_KPI_BY_INDUSTRY:
        code = x->s->cust.industry[c];
        break;
    case XS_KPI_BY_SIZE:
        code = x->s->cust.size[c];
        break;
    default:
        return 0;
    }
    return code == XS_SNAP_NONE16 ? x->G - 1 : code;
}

static int customer_level(xs_kpi_by by)
{
    return by == XS_KPI_BY_NONE || by == XS_KPI_BY_SEGMENT || by == XS_KPI_BY_INDUSTRY ||
           by == XS_KPI_BY_SIZE;
}

/* ---------------------------------------------------------------------- */
/* One customer                                                            */
/* ---------------------------------------------------------------------- */

/* Index of line key `key` among the customer's lines, adding it (zeroed)
 * when new. Returns the index or -1 when out of memory. */
static long local_key(kpi_ctx *x, uint32_t key)
{
    for (size_t k = 0; k < x->n_k; k++)
        if (x->lkey[k] == key) return (long)k;
    if (x->n_k == x->cap_k) {
        size_t cap = x->cap_k ? x->cap_k * 2 : 8, B = x->B;
        uint32_t *lkey = xs__realloc(x->lkey, cap * sizeof *lkey);
        if (!lkey) return -1;
        x->lkey = lkey;
        int32_t *kfirst = xs__realloc(x->kfirst, cap * sizeof *kfirst);
        if (!kfirst) return -1;
        x->kfirst = kfirst;
        int64_t *karr = xs__realloc(x->karr, cap * B * sizeof *karr);
        if (!karr) return -1;
        x->karr = karr;
        int64_t *kseats = xs__realloc(x->kseats, cap * B * sizeof *kseats);
        if (!kseats) return -1;
        x->kseats = kseats;
        uint16_t *ktier = xs__realloc(x->ktier, cap * B * sizeof *ktier);
        if (!ktier) return -1;
        x->ktier = ktier;
        uint16_t *kterm = xs__realloc(x->kterm, cap * B * sizeof *kterm);
        if (!kterm) return -1;
        x->kterm = kterm;
        uint8_t *kany = xs__realloc(x->kany, cap * B);
        if (!kany) return -1;
        x->kany = kany;
        x->cap_k = cap;
    }
    size_t k = x->n_k++, B = x->B;
    x->lkey[k] = key;
    x->kfirst[k] = INT32_MAX;
    memset(x->karr + k * B, 0, B * sizeof *x->karr);
    memset(x->kseats + k * B, 0, B * sizeof *x->kseats);
    memset(x->ktier + k * B, 0, B * sizeof *x->ktier);
    memset(x->kterm + k * B, 0, B * sizeof *x->kterm);
    memset(x->kany + k * B, 0, B);
    return (long)k;
}

/* Did line k move up between boundaries b and b + 1 (higher tier, longer
 * term or more seats, the line active at both)? */
static int line_upsold(const kpi_ctx *x, size_t k, size_t b)
{
    size_t i = k * x->B + b;
    if (!x->kany[i] || !x->kany[i + 1]) return 0;
    return x->ktier[i + 1] > x->ktier[i] || x->kterm[i + 1] > x->kterm[i] ||
           x->kseats[i + 1] > x->kseats[i];
}

/* Adds one customer (or one line of a customer) to an accumulator: s and e
 * are its ARR at the start and end boundary of the period, first the start
 * of its first paying subscription, dstart the start boundary day. */
static void ledger(acc *a, int64_t s, int64_t e, long long seats_e, int32_t first,
                   int32_t dstart, int upsold)
{
    if (s > 0) {
        a->cs++;
        a->as += s;
        a->cohort_end += e;
        if (upsold) a->upsold++;
    }
    if (e > 0) {
        a->ce++;
        a->ae += e;
        a->seats += seats_e;
    }
    if (s > 0 || e > 0) a->active++;
    if (s == 0 && e > 0) {
        if (first <= dstart) {
            a->reaa += e;
            a->nr++;
        } else {
            a->newa += e;
            a->nn++;
        }
    } else if (s > 0 && e == 0) {
        a->chura += s;
        a->nch++;
    } else if (e > s) {
        a->expa += e - s;
        a->ne++;
    } else if (e < s) {
        a->cona += s - e;
        a->nc++;
    }
}

/* Spreads customer c's subscriptions onto the boundaries: its ARR and
 * seats (x->arr, x->seats) and those of each of its lines (x->karr ...);
 * *first: the start of its first paying subscription, INT32_MAX when none.
 * Returns XS_OK or XS_ENOMEM. */
static int spread_subs(kpi_ctx *x, uint32_t c, int32_t *first)
{
    const xs_snapshot *s = x->s;
    size_t B = x->B;
    memset(x->arr, 0, B * sizeof *x->arr);
    memset(x->seats, 0, B * sizeof *x->seats);
    x->n_k = 0;
    *first = INT32_MAX;
    for (uint32_t i = s->cust.sub_off[c]; i < s->cust.sub_off[c + 1]; i++) {
        uint32_t p = s->sub.product[i];
        int64_t v = sub_arr(s, i);
        long k = local_key(x, x->pkey[p]);
        if (k < 0) return XS_ENOMEM;
        if (v > 0) {
            if (s->sub.start[i] < *first) *first = s->sub.start[i];
            if (s->sub.start[i] < x->kfirst[k]) x->kfirst[k] = s->sub.start[i];
        }
        size_t lo = lower_bound(x->d, B, s->sub.start[i]);
        size_t hi =
            s->sub.end[i] == XS_SNAP_NO_DATE ? B : lower_bound(x->d, B, s->sub.end[i]);
        if (lo >= hi) continue;
        int plan = s->prod.kind[p] == XS_SNAP_KIND_PLAN;
        int64_t seat = x->pseats[p] >= 0 ? (int64_t)s->sub.quantity[i] * x->pseats[p]
                       : plan            ? (int64_t)s->sub.quantity[i]
                                         : 0;
        uint16_t tier = plan ? s->prod.tier[p] : 0;
        uint16_t term = plan ? s->sub.term[i] : 0; /* months */
        size_t base = (size_t)k * B;
        for (size_t b = lo; b < hi; b++) {
            x->arr[b] += v;
            x->seats[b] += seat;
            x->karr[base + b] += v;
            x->kseats[base + b] += seat;
            if (tier > x->ktier[base + b]) x->ktier[base + b] = tier;
            if (term > x->kterm[base + b]) x->kterm[base + b] = term;
            x->kany[base + b] = 1;
        }
    }
    return XS_OK;
}

/* The ARR ledger of a customer spread by spread_subs, period by period:
 * into its group's accumulator (cl: a customer-level breakdown, group cg)
 * or the totals, and by product each line into its own. */
static void ledger_periods(kpi_ctx *x, int cl, size_t cg, int32_t first)
{
    size_t B = x->B, P = x->P, G = x->G;
    for (size_t p = 0; p < P; p++) {
        int up = 0;
        for (size_t k = 0; k < x->n_k && !up; k++)
            up = line_upsold(x, k, p);
        acc *a = cl ? &x->acc[p * G + cg] : &x->tot[p];
        ledger(a, x->arr[p], x->arr[p + 1], x->seats[p + 1], first, x->d[p], up);
        if (x->by == XS_KPI_BY_PRODUCT) {
            for (size_t k = 0; k < x->n_k; k++) {
                size_t i = k * B + p;
                acc *ka = &x->acc[p * G + x->lkey[k]];
                ledger(ka, x->karr[i], x->karr[i + 1], x->kseats[i + 1], x->kfirst[k],
                       x->d[p], line_upsold(x, k, p));
            }
        }
    }
}

/* Customer c's orders: buyers, repeat buyers, order revenue; and its
 * returns (not orders: they count in no buyer figure, only in the money);
 * customer-level breakdowns only, group cg. */
static void count_orders(kpi_ctx *x, uint32_t c, size_t cg)
{
    const xs_snapshot *s = x->s;
    size_t G = x->G;
    long last_buy = -1, last_rep = -1;
    uint32_t o0 = s->cust.order_off[c];
    for (uint32_t o = o0; o < s->cust.order_off[c + 1]; o++) {
        long p = period_of(x, s->ord.date[o]);
        if (p < 0) continue;
        acc *a = &x->acc[(size_t)p * G + cg];
        if (p != last_buy) {
            a->buyers++;
            last_buy = p;
        }
        if (o > o0 && p != last_rep) {
            a->repeat++;
            last_rep = p;
        }
        for (uint32_t l = s->ord.line_off[o]; l < s->ord.line_off[o + 1]; l++)
            a->gross += s->ord.amount[l];
    }
    for (uint32_t i = s->cust.ret_off[c]; i < s->cust.ret_off[c + 1]; i++) {
        long p = period_of(x, s->ret.date[i]);
        if (p < 0) continue;
        acc *a = &x->acc[(size_t)p * G + cg];
        a->n_returns++;
        a->returned += s->ret.amount[i];
    }
}

/* Customer c's offers, in the period they were sent (group cg when the
 * breakdown is by customer). */
static void count_offers(kpi_ctx *x, uint32_t c, size_t cg)
{
    const xs_snapshot *s = x->s;
    size_t G = x->G;
    for (uint32_t i = s->cust.offer_off[c]; i < s->cust.offer_off[c + 1]; i++) {
        long p = period_of(x, s->off.sent[i]);
        if (p < 0) continue;
        size_t g;
        switch (x->by) {
        case XS_KPI_BY_CHANNEL:
            g = s->off.channel[i];
            break;
        case XS_KPI_BY_KIND:
            g = s->off.kind[i];
            break;
        case XS_KPI_BY_PRODUCT:
            g = x->pkey[s->off.product[i]];
            break;
        default:
            g = cg;
            break;
        }
        acc *a = &x->acc[(size_t)p * G + g];
        a->offers++;
        if (s->off.outcome[i] < 4) a->out[s->off.outcome[i]]++;
        if (s->off.kind[i] == XS_SNAP_OFFER_CROSS_SELL) {
            a->xp++;
            if (s->off.outcome[i] == XS_SNAP_OUT_ACCEPTED) a->xa++;
        } else if (s->off.kind[i] == XS_SNAP_OFFER_DOWNSELL) {
            a->dn++;
            int32_t at = s->off.sent[i] + x->save_days;
            if (at <= x->to) {
                a->dm++;
                if (xs__measure_kpi_arr_at(s, c, at) > 0) a->ds++;
            }
        }
    }
}

/* Adds customer c to the accumulators. Returns XS_OK or XS_ENOMEM. */
static int do_customer(kpi_ctx *x, uint32_t c)
{
    int32_t first;
    int rc = spread_subs(x, c, &first);
    if (rc < 0) return rc;
    int cl = customer_level(x->by);
    size_t cg = cust_group(x, c);
    ledger_periods(x, cl, cg, first);
    if (cl) count_orders(x, c, cg);
    count_offers(x, c, cg);
    return XS_OK;
}

/* ---------------------------------------------------------------------- */
/* Rows                                                                    */
/* ---------------------------------------------------------------------- */

static double ratio(double a, double b)
{
    return b != 0 ? a / b : NAN;
}

static int acc_used(const acc *a)
{
    return a->cs || a->ce || a->active || a->offers || a->buyers || a->n_returns;
}

static const char *group_label(const kpi_ctx *x, size_t g)
{
    static const char *const channels[] = {"email", "in_app", "csm", "webinar", "sns"};
    static const char *const kinds[] = {"upsell", "cross_sell", "downsell"};
    const xs_snapshot *s = x->s;
    switch (x->by) {
    case XS_KPI_BY_SEGMENT:
        return g == x->G - 1 ? "(none)" : xs__intern_str(&s->dict.segments, (uint32_t)g);
    case XS_KPI_BY_INDUSTRY:
        return g == x->G - 1 ? "(none)"
                             : xs__intern_str(&s->dict.industries, (uint32_t)g);
    case XS_KPI_BY_SIZE:
        return g == x->G - 1 ? "(none)" : xs__intern_str(&s->dict.sizes, (uint32_t)g);
    case XS_KPI_BY_CHANNEL:
        return channels[g];
    case XS_KPI_BY_KIND:
        return kinds[g];
    case XS_KPI_BY_PRODUCT:
        if (g < s->dict.families.n) return xs__intern_str(&s->dict.families, (uint32_t)g);
        return xs__intern_str(&s->prod.ids, (uint32_t)(g - s->dict.families.n));
    default:
        return "";
    }
}

/* Costs of the 1:5 rule, in minor units (-1 when not given). */
typedef struct costs {
    double cac, retention;
} costs;

/* The revenue figures of a row (a breakdown that has them) from its
 * accumulator; months: the period's length in months. */
static void fill_revenue(xs_kpi_row *r, const acc *a, double months, const costs *cost)
{
    r->customers_start = a->cs;
    r->customers_end = a->ce;
    r->arr_start = a->as;
    r->arr_end = a->ae;
    r->new_arr = a->newa;
    r->expansion_arr = a->expa;
    r->contraction_arr = a->cona;
    r->churned_arr = a->chura;
    r->reactivation_arr = a->reaa;
    r->n_new = a->nn;
    r->n_expanded = a->ne;
    r->n_contracted = a->nc;
    r->n_churned = a->nch;
    r->n_reactivated = a->nr;
    r->cohort_arr_end = a->cohort_end;
    r->mrr_start = xs__measure_kpi_div_round(a->as, 12);
    r->mrr_end = xs__measure_kpi_div_round(a->ae, 12);
    r->new_mrr = xs__measure_kpi_div_round(a->newa, 12);
    r->expansion_mrr = xs__measure_kpi_div_round(a->expa, 12);
    r->contraction_mrr = xs__measure_kpi_div_round(a->cona, 12);
    r->churned_mrr = xs__measure_kpi_div_round(a->chura, 12);
    r->reactivation_mrr = xs__measure_kpi_div_round(a->reaa, 12);
    r->net_new_mrr = xs__measure_kpi_div_round(a->ae - a->as, 12);
    r->mrr_growth = ratio((double)(a->ae - a->as), (double)a->as);
    r->nrr = ratio((double)a->cohort_end, (double)a->as);
    r->grr = ratio((double)(a->as - a->cona - a->chura), (double)a->as);
    if (r->grr > 1) r->grr = 1;
    r->logo_churn_rate = ratio((double)a->nch, (double)a->cs);
    r->revenue_churn_rate = ratio((double)(a->chura + a->cona), (double)a->as);
    r->seats_end = a->seats;
    r->arpa = a->ce > 0 ? xs__measure_kpi_div_round(a->ae, 12 * (int64_t)a->ce) : -1;
    r->arpu =
        a->seats > 0 ? xs__measure_kpi_div_round(a->ae, 12 * (int64_t)a->seats) : -1;
    r->ltv = -1;
    if (a->ce > 0 && r->revenue_churn_rate > 0)
        r->ltv = llround((double)a->ae / 12.0 / (double)a->ce * months /
                         r->revenue_churn_rate);
    r->upsold = a->upsold;
    r->upsell_rate = ratio((double)a->upsold, (double)a->cs);
    r->active_customers = a->active;

    /* the 1:5 rule: expansion ARR in units of a new customer's ARR */
    double base_arr = a->nn > 0 && a->newa > 0 ? (double)a->newa / (double)a->nn
                      : a->ce > 0              ? (double)a->ae / (double)a->ce
                                               : 0;
    r->equiv_new_customers = base_arr > 0 ? (double)a->expa / base_arr : NAN;
    r->new_business_cost = r->expansion_cost = -1;
    if (cost->cac >= 0) {
        if (base_arr > 0)
            r->new_business_cost = llround(r->equiv_new_customers * cost->cac);
        r->expansion_cost = llround((double)a->ne * cost->retention);
    }
}

/* The order figures of a row (a customer-level breakdown). */
static void fill_orders(xs_kpi_row *r, const acc *a)
{
    r->buyers = a->buyers;
    r->repeat_buyers = a->repeat;
    r->repeat_purchase_rate = ratio((double)a->repeat, (double)a->buyers);
    r->order_revenue = a->gross;
    r->returns = a->n_returns;
    r->returned_amount = a->returned;
    r->net_order_revenue = a->gross - a->returned;
    r->return_rate = ratio((double)a->returned, (double)a->gross);
}

/* The offer figures of a row; r->active_customers is already set. */
static void fill_offers(xs_kpi_row *r, const acc *a, double months)
{
    r->offers = a->offers;
    r->accepted = a->out[XS_SNAP_OUT_ACCEPTED];
    r->declined = a->out[XS_SNAP_OUT_DECLINED];
    r->ignored = a->out[XS_SNAP_OUT_IGNORED];
    r->pending = a->out[XS_SNAP_OUT_PENDING];
    r->decline_rate = ratio((double)r->declined, (double)a->offers);
    r->offers_per_customer_month =
        ratio((double)a->offers, (double)r->active_customers * months);
    r->cross_sell_proposed = a->xp;
    r->cross_sell_accepted = a->xa;
    r->cross_sell_conversion = ratio((double)a->xa, (double)a->xp);
    r->downsell_offers = a->dn;
    r->downsell_measured = a->dm;
    r->downsell_saved = a->ds;
    r->downsell_save_rate = ratio((double)a->ds, (double)a->dm);
}

static void fill_row(const kpi_ctx *x, size_t p, size_t g, const costs *cost,
                     xs_kpi_row *r)
{
    const acc *a = &x->acc[p * x->G + g];
    memset(r, 0, sizeof *r);
    period_label(x->pstart[p], x->o->period, r->period);
    xs__date_format(x->pstart[p], r->start);
    xs__date_format(x->d[p + 1], r->end);
    r->group = group_label(x, g);
    r->has_revenue = x->by != XS_KPI_BY_CHANNEL && x->by != XS_KPI_BY_KIND;
    r->has_orders = customer_level(x->by);

    int32_t full_next = xs__date_add_months(x->pstart[p], period_months(x->o->period));
    double months = period_months(x->o->period) * (double)(x->d[p + 1] - x->d[p]) /
                    (double)(full_next - x->pstart[p]);

    if (r->has_revenue) {
        fill_revenue(r, a, months, cost);
    } else {
        r->mrr_growth = r->nrr = r->grr = r->logo_churn_rate = r->revenue_churn_rate =
            NAN;
        r->upsell_rate = r->equiv_new_customers = NAN;
        r->arpa = r->arpu = r->ltv = r->new_business_cost = r->expansion_cost = -1;
        r->active_customers = x->tot[p].active;
    }
    if (r->has_orders) {
        fill_orders(r, a);
    } else {
        r->repeat_purchase_rate = r->return_rate = NAN;
    }
    fill_offers(r, a, months);
}

/* ---------------------------------------------------------------------- */
/* Options                                                                 */
/* ---------------------------------------------------------------------- */

static int parse_amount(const char *s, int scale, const char *opt, double *out,
                        xs_error *err)
{
    int64_t v;
    if (xs__money_parse(s, strlen(s), scale, &v) == 0 && v >= 0) {
        *out = (double)v;
        return XS_OK;
    }
    char q[80];
    xs__error_quote(q, sizeof q, s, strlen(s));
    return xs__error_param(
        err, XS_EINVAL, NULL, opt,
        "expected a non-negative amount with at most %d decimals, got %s", scale, q);
}

static int check_opts(const xs_snapshot *s, const xs_kpi_opts *o, int32_t *from,
                      int32_t *to, costs *cost, int *has_data, xs_error *err)
{
    int rc;
    if ((unsigned)o->period > XS_KPI_YEAR)
        return xs__error_param(err, XS_EINVAL, NULL, "period", "unknown period %d",
                               (int)o->period);
    if ((unsigned)o->by > XS_KPI_BY_PRODUCT)
        return xs__error_param(err, XS_EINVAL, NULL, "by", "unknown breakdown %d",
                               (int)o->by);
    double mult = o->cac_multiple == 0 ? XS_KPI_DEFAULT_CAC_MULTIPLE : o->cac_multiple;
    if (!(mult > 0) || !isfinite(mult))
        return xs__error_param(err, XS_EINVAL, NULL, "cac_multiple",
                               "must be a positive number, got %g", mult);
    if (o->save_days < 0)
        return xs__error_param(err, XS_EINVAL, NULL, "save_days", "must be >= 0, got %d",
                               o->save_days);
    cost->cac = cost->retention = -1;
    if (o->cac && (rc = parse_amount(o->cac, s->money_scale, "cac", &cost->cac, err)) < 0)
        return rc;
    if (o->retention_cost &&
        (rc = parse_amount(o->retention_cost, s->money_scale, "retention_cost",
                           &cost->retention, err)) < 0)
        return rc;
    if (cost->cac >= 0 && cost->retention < 0) cost->retention = cost->cac / mult;
    if (cost->cac < 0 && cost->retention >= 0) cost->cac = cost->retention * mult;

    int32_t lo = 0, hi = 0;
    *has_data = xs__measure_kpi_data_range(s, &lo, &hi) == 0;
    if (o->from && (rc = xs__date_param(o->from, "from", &lo, err)) < 0) return rc;
    if (o->to && (rc = xs__date_param(o->to, "to", &hi, err)) < 0) return rc;
    if (o->from && o->to && lo > hi) {
        char a[11], b[11];
        xs__date_format(lo, a);
        xs__date_format(hi, b);
        return xs__error_param(err, XS_EINVAL, NULL, "from",
                               "%s is after the end of the range (to %s)", a, b);
    }
    if (o->from || o->to) *has_data = 1;
    if (*has_data && lo > hi) {
        /* one bound given, the other from the data, and they cross */
        char a[11], b[11];
        xs__date_format(lo, a);
        xs__date_format(hi, b);
        return xs__error_param(err, XS_EINVAL, NULL, o->from ? "from" : "to",
                             "the range %s .. %s is empty", a, b);
    }
    *from = lo;
    *to = hi;
    return XS_OK;
}

/* ---------------------------------------------------------------------- */
/* Entry point                                                             */
/* ---------------------------------------------------------------------- */

static void ctx_free(kpi_ctx *x)
{
    xs__free(x->d);
    xs__free(x->pstart);
    xs__free(x->acc);
    xs__free(x->tot);
    xs__free(x->pkey);
    xs__free(x->pseats);
    xs__free(x->arr);
    xs__free(x->seats);
    xs__free(x->lkey);
    xs__free(x->kfirst);
    xs__free(x->karr);
    xs__free(x->kseats);
    xs__free(x->ktier);
    xs__free(x->kterm);
    xs__free(x->kany);
}

typedef struct group_sort {
    const char *label;
    size_t g;
} group_sort;

static int cmp_group(const void *a, const void *b)
{
    return strcmp(((const group_sort *)a)->label, ((const group_sort *)b)->label);
}

/* The number of groups of a breakdown (the last of a dictionary's: none). */
static size_t group_count(const xs_snapshot *s, xs_kpi_by by)
{
    switch (by) {
    case XS_KPI_BY_SEGMENT:
        return s->dict.segments.n + 1;
    case XS_KPI_BY_INDUSTRY:
        return s->dict.industries.n + 1;
    case XS_KPI_BY_SIZE:
        return s->dict.sizes.n + 1;
    case XS_KPI_BY_CHANNEL:
        return XS_SNAP_N_CHANNELS;
    case XS_KPI_BY_KIND:
        return 3;
    case XS_KPI_BY_PRODUCT:
        return s->dict.families.n + s->prod.n;
    default:
        return 1;
    }
}

/* The periods from the one holding `from` through `to`, at most
 * XS_KPI_MAX_PERIODS: sets x->P and x->B. XS_OK or XS_ERANGE with err set. */
static int count_periods(kpi_ctx *x, int32_t from, xs_error *err)
{
    int months = period_months(x->o->period);
    size_t P = 0;
    for (int32_t ps = period_floor(from, x->o->period); ps <= x->to;
         ps = xs__date_add_months(ps, months)) {
        if (++P > XS_KPI_MAX_PERIODS)
            return xs__error_param(err, XS_ERANGE, NULL, "from",
                                   "more than %d periods in the range",
                                   XS_KPI_MAX_PERIODS);
    }
    x->P = P;
    x->B = P + 1;
    return XS_OK;
}

/* The context's arrays, the period boundaries and, per product, its line
 * key and seats limit. XS_OK or XS_ENOMEM (the caller frees with
 * ctx_free). */
static int ctx_alloc(kpi_ctx *x, int32_t from)
{
    const xs_snapshot *s = x->s;
    size_t P = x->P, np = s->prod.n ? s->prod.n : 1;
    x->d = xs__malloc(x->B * sizeof *x->d);
    x->pstart = xs__malloc(P * sizeof *x->pstart);
    x->acc = xs__calloc(P * (x->G ? x->G : 1), sizeof *x->acc);
    x->tot = xs__calloc(P, sizeof *x->tot);
    x->pkey = xs__malloc(np * sizeof *x->pkey);
    x->pseats = xs__malloc(np * sizeof *x->pseats);
    x->arr = xs__malloc(x->B * sizeof *x->arr);
    x->seats = xs__malloc(x->B * sizeof *x->seats);
    if (!x->d || !x->pstart || !x->acc || !x->tot || !x->pkey || !x->pseats || !x->arr ||
        !x->seats)
        return XS_ENOMEM;
    int months = period_months(x->o->period);
    int32_t ps = period_floor(from, x->o->period);
    x->d[0] = ps - 1;
    for (size_t p = 0; p < P; p++) {
        x->pstart[p] = ps;
        ps = xs__date_add_months(ps, months);
        x->d[p + 1] = ps - 1 < x->to ? ps - 1 : x->to;
    }
    /* per product: line key, seats limit */
    uint32_t seats_code = xs__intern_find(&s->dict.metrics, "seats", 5);
    for (size_t p = 0; p < s->prod.n; p++) {
        uint16_t f = s->prod.family[p];
        x->pkey[p] = f == XS_SNAP_NONE16 ? (uint32_t)(s->dict.families.n + p) : f;
        x->pseats[p] = -1;
        for (uint32_t l = s->prod.limit_off[p]; l < s->prod.limit_off[p + 1]; l++)
            if (s->prod.limit_name[l] == seats_code)
                x->pseats[p] = llround(s->prod.limit_value[l]);
    }
    return XS_OK;
}

/* The result's rows: per period, the groups with any activity by label.
 * XS_OK or XS_ENOMEM. */
static int result_rows(const kpi_ctx *x, const costs *cost, xs_kpi_result *res)
{
    size_t n_used = 0;
    group_sort *order = xs__malloc((x->G ? x->G : 1) * sizeof *order);
    if (!order) return XS_ENOMEM;
    for (size_t g = 0; g < x->G; g++) {
        int used = x->by == XS_KPI_BY_NONE;
        for (size_t p = 0; p < x->P && !used; p++)
            used = acc_used(&x->acc[p * x->G + g]);
        if (used) order[n_used++] = (group_sort){group_label(x, g), g};
    }
    qsort(order, n_used, sizeof *order, cmp_group);
    size_t n_rows = x->P * n_used;
    res->rows = xs__calloc(n_rows ? n_rows : 1, sizeof *res->rows);
    if (!res->rows) {
        xs__free(order);
        return XS_ENOMEM;
    }
    for (size_t p = 0; p < x->P; p++)
        for (size_t j = 0; j < n_used; j++)
            fill_row(x, p, order[j].g, cost, &res->rows[res->n_rows++]);
    xs__free(order);
    return XS_OK;
}

static int kpi_compute(const xs_snapshot *s, const xs_kpi_opts *o, xs_kpi_result **out,
                       xs_error *err)
{
    kpi_ctx x;
    memset(&x, 0, sizeof x);
    xs_kpi_result *res = NULL;
    costs cost = {-1, -1};
    int32_t from = 0, to = 0;
    int has_data = 0, rc;
    *out = NULL;
    xs__error_clear(err);
    if ((rc = check_opts(s, o, &from, &to, &cost, &has_data, err)) < 0) return rc;

    res = xs__calloc(1, sizeof *res);
    if (!res) return xs__error_set(err, XS_ENOMEM, NULL, 0, NULL, "out of memory");
    res->by = o->by;
    res->money_scale = s->money_scale;
    res->has_cost = cost.cac >= 0;
    res->has_returns = s->ret.n > 0;
    if (!has_data) {
        *out = res;
        return XS_OK;
    }

    x.s = s;
    x.o = o;
    x.by = o->by;
    x.to = to;
    x.save_days = o->save_days ? o->save_days : XS_KPI_DEFAULT_SAVE_DAYS;
    x.G = group_count(s, o->by);
    if ((rc = count_periods(&x, from, err)) < 0) goto cleanup;
    if ((rc = ctx_alloc(&x, from)) < 0) goto nomem;
    for (size_t c = 0; c < s->cust.n; c++)
        if ((rc = do_customer(&x, (uint32_t)c)) < 0) {
            xs__error_set(err, rc, NULL, 0, NULL, "out of memory");
            goto cleanup;
        }
    if ((rc = result_rows(&x, &cost, res)) < 0) goto nomem;
    *out = res;
    res = NULL;
    rc = XS_OK;
    goto cleanup;
nomem:
    rc = xs__error_set(err, XS_ENOMEM, NULL, 0, NULL, "out of memory");
cleanup:
    ctx_free(&x);
    xs_kpi_result_free(res);
    return rc;
}

/* Contract in xsell.h. The passes over the snapshot count nothing the bar
 * could show: it shows the time they take. */
int xs_kpi_compute(const xs_snapshot *s, const xs_kpi_opts *o, xs_kpi_result **out,
                   xs_error *err)
{
    xs__ticker tk;
    xs__ticker_start(&tk, "kpi", 0);
    int rc = kpi_compute(s, o, out, err);
    xs__ticker_finish(&tk);
    return rc;
}

size_t xs_kpi_result_n_rows(const xs_kpi_result *r)
{
    return r ? r->n_rows : 0;
}

const xs_kpi_row *xs_kpi_result_row(const xs_kpi_result *r, size_t i)
{
    return r && i < r->n_rows ? &r->rows[i] : NULL;
}

void xs_kpi_result_free(xs_kpi_result *r)
{
    if (!r) return;
    xs__free(r->rows);
    xs__free(r);
}
