/*
 * candidates.c — what could be offered to one customer.
 *
 * xs__offer_candidates() turns the facts gathered by gather.c into
 * candidates, each with its trigger (docs/offers.md lists them); the
 * upsells and downsells of a held family come from the table FAM_TRIGGERS,
 * one row {trigger, condition, candidate, prior} each: upsell (next tier on
 * high usage, seat packs,
 * next tier at a near renewal, a longer term, add-on options), cross-sell
 * (adoption rules with their timing window, or now right after a renewal
 * decision; order rules for a cart and after a recent purchase, then
 * item-to-item similarity for both) and downsell (lower tier,
 * fewer seat packs, dropping an add-on, monthly instead of annual) when utilisation stays
 * low, churn risk is high or a cancel request came in. One candidate per proposed product
 * (the first trigger in the order above wins).
 *
 * Shop products (relevance.c, docs/offers.md "Relevance"): the customer's
 * shop history is gathered once per decision on the stack (no cap on the
 * products bought); then the next tier of a recently bought product's
 * family (shop_upgrade), bundles the customer has partly bought (bundle),
 * and the order rules, similarity and adoption rules. Each shop cross-sell
 * is marked with its relevance (the evidence's confidence x lift, which
 * orders them in guardrails.c, never the price), the share its explanation
 * quotes, the customer's price band and the recent purchase it is a
 * substitute of (guards substitute and price_band).
 */
#include "offer/offer_int.h"

#include "base/alloc.h"

#include <math.h>
#include <string.h>

/* ---------------------------------------------------------------------- */
/* Candidates                                                             */
/* ---------------------------------------------------------------------- */

/* seen: the products some candidate proposes, as to_product or in a
 * bundle (xs__offer_pmask_add): a product whose bit is clear has no
 * candidate yet, and add() skips its scan of the candidates. */
typedef struct cands {
    xs_offer *o;
    size_t n, cap;
    uint64_t seen[4];
} cands;

/* Revenue of product p over the horizon: monthly price x months, or the
 * price of a one-off product. */
static double horizon_rev(const xs_offer_engine *en, int32_t p, double qty)
{
    if (p < 0) return 0;
    if (en->s->prod.billing[p] == XS_SNAP_BILL_ONCE)
        return (double)en->s->prod.price[p] / en->money_div * qty;
    return en->monthly[p] * qty * en->cfg.horizon_months;
}

static xs_offer *add(cands *cs, const xs__offer_cust *st, xs_offer_kind kind,
                     xs_offer_trigger trig, int32_t from, int32_t to, double prior)
{
    size_t n = xs__offer_pmask_may(cs->seen, (uint32_t)to) ? cs->n : 0;
    for (size_t i = 0; i < n; i++) {
        if (cs->o[i].to_product == to && cs->o[i].from_product == from &&
            cs->o[i].kind == kind)
            return NULL; /* one candidate per product move */
        if (cs->o[i].trigger == XS_TRIG_BUNDLE && kind == XS_OFFER_CROSS_SELL &&
            (cs->o[i].also[0] == to || cs->o[i].also[1] == to) && to >= 0)
            return NULL; /* already proposed in a bundle */
    }
    if (cs->n == cs->cap) return NULL;
    xs__offer_pmask_add(cs->seen, (uint32_t)to);
    xs_offer *o = &cs->o[cs->n++];
    memset(o, 0, sizeof *o);
    o->customer = st->c;
    o->kind = kind;
    o->trigger = trig;
    o->from_product = from;
    o->to_product = to;
    o->channel = -1;
    o->p_prior = prior;
    o->p_churn = st->p_churn;
    o->metric = -1;
    o->rule_from = -1;
    o->lag_days = -1;
    o->used = o->limit = NAN;
    o->subst_of = -1;
    o->also[0] = o->also[1] = -1;
    return o;
}

static int holds_family(const xs__offer_cust *st, uint16_t f)
{
    for (int i = 0; i < st->n_fam; i++)
        if (st->fam[i].family == f) return 1;
    return 0;
}

/* Contract in offer_int.h. */
unsigned xs__offer_next_term(unsigned months, int *slot)
{
    static const unsigned steps[XS__OFFER_N_TERMS] = {12, 24, 36};
    for (int i = 0; i < XS__OFFER_N_TERMS; i++) {
        if (months < steps[i]) {
            if (slot) *slot = i;
            return steps[i];
        }
    }
    if (slot) *slot = -1;
    return 0;
}

/* The prior of a retention offer: half the customer's P(churn), within
 * [0.05, 0.5] (a customer more likely to leave is likelier to take an offer
 * that keeps the service for less). */
static double churn_prior(double p_churn)
{
    double p = 0.5 * (isnan(p_churn) ? 0 : p_churn);
    return p < 0.05 ? 0.05 : p > 0.5 ? 0.5 : p;
}

/* ---------------------------------------------------------------------- */
/* The family triggers                                                    */
/* ---------------------------------------------------------------------- */

/* What the triggers of one family read: the customer, the family and its
 * plan, and the family's utilisation (the metric with the highest use /
 * capacity, the seats metric, whether every metric stayed low). */
typedef struct fam_ctx {
    const xs_offer_engine *en;
    const xs__offer_cust *st;
    const xs__offer_fam *x;
    cands *cs;
    double H; /* the horizon in months */
    int32_t as_of;
    int32_t plan;  /* the plan held */
    int32_t packp; /* the family's seat-pack product, -1 */
    int top;       /* metric slot of the highest utilisation, -1 */
    double top_u;  /* that utilisation */
    int seats;     /* the seats metric's slot, -1 */
    int low;       /* every metric below usage_low over the window */
    int any_use;   /* some metric has use and capacity */
    int at_risk, band;
    unsigned term, next; /* the plan's term in months, the next standard one */
    int slot;            /* next's index in term_price, -1 */
} fam_ctx;

/* One trigger: when it fires, and what it proposes under its trigger with
 * the prior p (a fixed prior, or the one used without uptake evidence; NaN:
 * the customer's churn prior). */
typedef struct fam_trigger {
    xs_offer_trigger trigger;
    int (*when)(const fam_ctx *f);
    void (*propose)(const fam_ctx *f, xs_offer_trigger trig, double p);
    double prior;
} fam_trigger;

/* A row's prior: p, or the customer's churn prior when p is NaN. */
static double prior_of(const fam_ctx *f, double p)
{
    return isnan(p) ? churn_prior(f->st->p_churn) : p;
}

static void set_top_metric(const fam_ctx *f, xs_offer *o)
{
    o->metric = f->x->met[f->top];
    o->used = f->x->used[f->top];
    o->limit = f->x->cap[f->top];
}

/* --- upsell: a limit reached -> next tier */
static int limit_reached(const fam_ctx *f)
{
    return f->top >= 0 && f->top_u >= f->en->cfg.usage_high &&
           f->en->next_tier[f->plan] >= 0;
}

static void next_tier_now(const fam_ctx *f, xs_offer_trigger trig, double p)
{
    const xs_offer_engine *en = f->en;
    int32_t to = en->next_tier[f->plan];
    xs_offer *o = add(f->cs, f->st, XS_OFFER_UPSELL, trig, f->plan, to, p);
    if (!o) return;
    set_top_metric(f, o);
    o->revenue_delta = (en->monthly[to] - en->monthly[f->plan]) * f->H;
    o->timing = f->as_of;
}

/* --- upsell: seats reached -> more seat packs (to 75 % utilisation) */
static int seats_reached(const fam_ctx *f)
{
    const xs__offer_fam *x = f->x;
    return f->seats >= 0 && f->packp >= 0 &&
           x->used[f->seats] >= f->en->cfg.usage_high * x->cap[f->seats];
}

static void more_seat_packs(const fam_ctx *f, xs_offer_trigger trig, double p)
{
    const xs_offer_engine *en = f->en;
    const xs__offer_fam *x = f->x;
    int seats = f->seats;
    double per = xs__snapshot_prod_limit(en->s, (uint32_t)f->packp, en->seats_code);
    if (!(per > 0)) return;
    double need = ceil((x->used[seats] / 0.75 - x->cap[seats]) / per);
    if (need < 1) need = 1;
    xs_offer *o = add(f->cs, f->st, XS_OFFER_UPSELL, trig, x->pack, f->packp, p);
    if (!o) return;
    o->qty_from = x->pack_qty;
    o->qty_to = x->pack_qty + (uint32_t)need;
    o->metric = x->met[seats];
    o->used = x->used[seats];
    o->limit = x->cap[seats];
    o->revenue_delta = en->monthly[f->packp] * need * f->H;
    o->timing = f->as_of;
}

/* --- upsell: renewal near and well used -> next tier at renewal */
static int renewal_near(const fam_ctx *f)
{
    const xs_offer_engine *en = f->en;
    const xs__offer_fam *x = f->x;
    return en->s->prod.billing[f->plan] == XS_SNAP_BILL_YEAR &&
           x->renewal != XS_SNAP_NO_DATE && x->renewal >= f->as_of &&
           x->renewal - f->as_of <= (int32_t)en->cfg.renewal_days && f->top >= 0 &&
           f->top_u >= en->cfg.renewal_usage && en->next_tier[f->plan] >= 0;
}

static void next_tier_at_renewal(const fam_ctx *f, xs_offer_trigger trig, double p)
{
    const xs_offer_engine *en = f->en;
    const xs__offer_fam *x = f->x;
    int32_t to = en->next_tier[f->plan];
    xs_offer *o = add(f->cs, f->st, XS_OFFER_UPSELL, trig, f->plan, to, p);
    if (!o) return;
    set_top_metric(f, o);
    o->days = x->renewal - f->as_of;
    o->revenue_delta = (en->monthly[to] - en->monthly[f->plan]) * f->H;
    int32_t t = x->renewal - (int32_t)en->cfg.lead_days;
    o->timing = t > f->as_of ? t : f->as_of;
}

/* --- upsell: a longer term (1 or 3 -> 12, 12 -> 24, 24 -> 36 months; a
 * lower monthly price that locks the revenue in). The price of the longer
 * term: the annual variant's list price for 12 months when the family has
 * one, else what customers of the same product pay on that term
 * (en->term_price). Only a real saving, at least one minor unit a year,
 * makes an offer: any other is held back by the guard no_benefit.
 * Utilisation must reach usage_low where the family has usage data. For a
 * customer at risk it is a retention offer. */
static int term_can_grow(const fam_ctx *f)
{
    const struct xs_snapshot *s = f->en->s;
    return f->next && s->prod.price[f->plan] > 0 &&
           f->as_of - s->sub.start[f->x->plan_row] >= (int32_t)f->en->cfg.term_min_days &&
           (!f->any_use || (f->top >= 0 && f->top_u >= f->en->cfg.usage_low));
}

static void longer_term(const fam_ctx *f, xs_offer_trigger trig, double p)
{
    const xs_offer_engine *en = f->en;
    const struct xs_snapshot *s = en->s;
    const xs__offer_fam *x = f->x;
    int32_t plan = f->plan, as_of = f->as_of;
    double H = f->H;
    double qty = s->sub.quantity[x->plan_row];
    double now = xs__snapshot_sub_mrr(s, x->plan_row) / en->money_div;
    int32_t to = -1;
    double then = NAN;
    size_t tp = (size_t)plan * XS__OFFER_N_TERMS + (size_t)f->slot;
    if (f->next == 12 && en->annual[plan] >= 0) {
        to = en->annual[plan];
        then = en->monthly[to] * qty;
    } else if (!isnan(en->term_price[tp])) {
        to = plan;
        then = en->term_price[tp] * qty;
    }
    /* the yearly saving in whole minor units, as the explanation shows it */
    double save = round((now - then) * 12 * en->money_div) / en->money_div;
    uint32_t uk, un;
    xs__offer_term_uptake(en, plan, f->slot, f->band, &uk, &un);
    xs_offer *o;
    if (to < 0 || !(o = add(f->cs, f->st, XS_OFFER_UPSELL, trig, plan, to,
                            un ? xs__offer_uptake_prior(uk, un) : p)))
        return;
    if (un) o->prior_src = XS_PRIOR_UPTAKE, o->prior_k = uk, o->prior_n = un;
    o->retention = f->at_risk;
    o->term_from = (uint16_t)f->term;
    o->term_to = (uint16_t)f->next;
    o->revenue_delta = -save / 12 * H;
    /* the discount against the family revenue kept from churn */
    o->value = o->revenue_delta + f->st->p_churn * x->monthly * H;
    o->at_stake = x->monthly * H;
    o->days = as_of - s->sub.start[x->plan_row];
    o->timing = as_of;
    if (x->renewal != XS_SNAP_NO_DATE && x->renewal > as_of) {
        int32_t t = x->renewal - (int32_t)en->cfg.lead_days;
        o->timing = t > as_of ? t : as_of;
        o->days = x->renewal - as_of;
    }
}

static int holds_addon(const xs__offer_fam *x, uint32_t p)
{
    for (int k = 0; k < x->n_addons; k++)
        if (x->addons[k] == p) return 1;
    return 0;
}

/* --- retention: for a customer at risk (or with a churn signal: the guard
 * not_at_risk judges), each protective add-on of the plan not held: its
 * holders churned measurably less (retention.c) */
static int churn_signal(const fam_ctx *f)
{
    const xs__offer_cust *st = f->st;
    return f->en->s->prod.price[f->plan] > 0 &&
           (st->cancel || st->p_churn >= f->en->risk_cut || f->low);
}

static void protective_addons(const fam_ctx *f, xs_offer_trigger trig, double p)
{
    const xs_offer_engine *en = f->en;
    const struct xs_snapshot *s = en->s;
    const xs__offer_cust *st = f->st;
    const xs__offer_fam *x = f->x;
    double H = f->H;
    p = prior_of(f, p);
    uint16_t fam = x->family;
    for (uint32_t i = s->prod.family_off[fam]; i < s->prod.family_off[fam + 1]; i++) {
        uint32_t q = s->prod.family_products[i];
        const xs__offer_ret *rt = xs__offer_retention_of(en, f->plan, q, f->term);
        if (!rt || !rt->protective || (int32_t)q == f->packp || holds_addon(x, q))
            continue;
        xs_offer *o = add(f->cs, st, XS_OFFER_UPSELL, trig, -1, (int32_t)q, p);
        if (!o) continue;
        double rw = (double)rt->churn_with / rt->n_with;
        double ro = (double)rt->churn_without / rt->n_without;
        o->prior_src = XS_PRIOR_CHURN;
        o->revenue_delta = en->monthly[q] * H;
        /* the add-on's revenue, and the family revenue kept: the customer's
         * risk x the relative drop in churn seen */
        o->value = o->revenue_delta + st->p_churn * (ro > 0 ? 1 - rw / ro : 0) *
                                          (x->monthly * H + o->revenue_delta);
        o->at_stake = x->monthly * H;
        o->rule_from = f->plan;
        o->timing = f->as_of;
        o->retention = 1;
        o->churn_with = rt->churn_with, o->n_with = rt->n_with;
        o->churn_without = rt->churn_without, o->n_without = rt->n_without;
    }
}

/* --- upsell: add-on options of the held plan (no limits, not held);
 * prior: the add-on's uptake among the plan's customers of similar tenure.
 * Low usage is the guard low_usage_upsell's. */
static int no_cancel(const fam_ctx *f)
{
    return f->en->s->prod.price[f->plan] > 0 && !f->st->cancel;
}

static void addon_options(const fam_ctx *f, xs_offer_trigger trig, double p)
{
    const xs_offer_engine *en = f->en;
    const struct xs_snapshot *s = en->s;
    const xs__offer_fam *x = f->x;
    uint16_t fam = x->family;
    for (uint32_t i = s->prod.family_off[fam]; i < s->prod.family_off[fam + 1]; i++) {
        uint32_t q = s->prod.family_products[i];
        if (s->prod.kind[q] != XS_SNAP_KIND_ADDON || (int32_t)q == f->packp ||
            s->prod.limit_off[q] != s->prod.limit_off[q + 1] || holds_addon(x, q))
            continue;
        uint32_t uk, un;
        xs__offer_uptake(en, f->plan, q, f->band, &uk, &un);
        xs_offer *o = add(f->cs, f->st, XS_OFFER_UPSELL, trig, -1, (int32_t)q,
                          un ? xs__offer_uptake_prior(uk, un) : p);
        if (!o) continue;
        if (un) o->prior_src = XS_PRIOR_UPTAKE, o->prior_k = uk, o->prior_n = un;
        o->revenue_delta = en->monthly[q] * f->H;
        o->rule_from = f->plan;
        o->timing = f->as_of;
    }
}

/* --- downsell, on the first of three signals: a cancel request, a high
 * churn risk, utilisation that stays low */
static int cancel_requested(const fam_ctx *f)
{
    return f->en->s->prod.price[f->plan] > 0 && f->st->cancel;
}

static int churn_risk_high(const fam_ctx *f)
{
    return f->en->s->prod.price[f->plan] > 0 && !f->st->cancel &&
           f->st->p_churn >= f->en->risk_cut;
}

static int usage_stays_low(const fam_ctx *f)
{
    return f->en->s->prod.price[f->plan] > 0 && !f->st->cancel &&
           !(f->st->p_churn >= f->en->risk_cut) && f->low;
}

/* A downsell: revenue cut over the horizon, the family revenue at stake,
 * value = P(churn) x at stake - cut. */
static xs_offer *downsell(const fam_ctx *f, xs_offer_trigger trig, double p, int32_t from,
                          int32_t to, double cut)
{
    xs_offer *o = add(f->cs, f->st, XS_OFFER_DOWNSELL, trig, from, to, p);
    if (!o) return NULL;
    double cur = f->x->monthly * f->H;
    o->revenue_delta = -cut;
    o->value = f->st->p_churn * cur - cut;
    o->at_stake = cur;
    o->timing = f->as_of;
    return o;
}

/* The lower tier, when it holds today's use. */
static void lower_tier(const fam_ctx *f, xs_offer_trigger trig, double p)
{
    const xs_offer_engine *en = f->en;
    const struct xs_snapshot *s = en->s;
    const xs__offer_fam *x = f->x;
    int32_t plan = f->plan, lower = en->prev_tier[plan];
    if (lower < 0) return;
    for (int m = 0; m < x->n_met; m++) {
        double lim = xs__snapshot_prod_limit(s, (uint32_t)lower, x->met[m]);
        double extra = x->cap[m] - xs__snapshot_prod_limit(s, (uint32_t)plan, x->met[m]);
        if (!isnan(lim) && !isnan(x->used[m]) &&
            x->used[m] > lim + (extra > 0 ? extra : 0))
            return;
    }
    xs_offer *o = downsell(f, trig, p, plan, lower,
                           (en->monthly[plan] - en->monthly[lower]) * f->H);
    if (o && f->top >= 0) set_top_metric(f, o);
}

/* Fewer seat packs (to 80 % utilisation). */
static void fewer_seat_packs(const fam_ctx *f, xs_offer_trigger trig, double p)
{
    const xs_offer_engine *en = f->en;
    const xs__offer_fam *x = f->x;
    int seats = f->seats;
    if (x->pack < 0 || seats < 0 || isnan(x->used[seats])) return;
    double per = xs__snapshot_prod_limit(en->s, (uint32_t)x->pack, en->seats_code);
    double base = x->cap[seats] - per * x->pack_qty;
    double need = per > 0 ? ceil((x->used[seats] / 0.80 - base) / per) : x->pack_qty;
    if (need < 0) need = 0;
    if (need >= x->pack_qty) return;
    xs_offer *o = downsell(f, trig, p, x->pack, x->pack,
                           en->monthly[x->pack] * (x->pack_qty - need) * f->H);
    if (!o) return;
    o->qty_from = x->pack_qty;
    o->qty_to = (uint32_t)need;
    o->metric = x->met[seats];
    o->used = x->used[seats];
    o->limit = x->cap[seats];
}

/* Dropping an add-on, never one that keeps customers like this one. */
static void drop_addons(const fam_ctx *f, xs_offer_trigger trig, double p)
{
    const xs_offer_engine *en = f->en;
    const xs__offer_fam *x = f->x;
    for (int k = 0; k < x->n_addons; k++) {
        int32_t a = (int32_t)x->addons[k];
        const xs__offer_ret *rt =
            xs__offer_retention_of(en, f->plan, (uint32_t)a, f->term);
        if (rt && rt->protective) continue;
        downsell(f, trig, p, a, -1, en->monthly[a] * f->H);
    }
}

/* Monthly instead of annual: proposed now, effective at the renewal (sent
 * lead_days before it). */
static void monthly_billing(const fam_ctx *f, xs_offer_trigger trig, double p)
{
    const xs_offer_engine *en = f->en;
    const xs__offer_fam *x = f->x;
    int32_t mon = en->monthly_of[f->plan];
    if (mon < 0 || x->renewal == XS_SNAP_NO_DATE || x->renewal < f->as_of) return;
    xs_offer *o = downsell(f, trig, p, f->plan, mon,
                           (en->monthly[f->plan] - en->monthly[mon]) * f->H);
    if (!o) return;
    o->days = x->renewal - f->as_of;
    int32_t t = x->renewal - (int32_t)en->cfg.lead_days;
    o->timing = t > f->as_of ? t : f->as_of;
}

/* Every downsell move, in this order. */
static void downsells(const fam_ctx *f, xs_offer_trigger trig, double p)
{
    p = prior_of(f, p);
    lower_tier(f, trig, p);
    fewer_seat_packs(f, trig, p);
    drop_addons(f, trig, p);
    monthly_billing(f, trig, p);
}

/* The triggers of a family's upsells and downsells, in order: one
 * candidate per product move, the first trigger that proposes it wins
 * (docs/offers.md lists them). Adding one is one line here. */
static const fam_trigger FAM_TRIGGERS[] = {
    {XS_TRIG_USAGE, limit_reached, next_tier_now, 0.30},
    {XS_TRIG_SEATS, seats_reached, more_seat_packs, 0.30},
    {XS_TRIG_RENEWAL, renewal_near, next_tier_at_renewal, 0.20},
    {XS_TRIG_TERM, term_can_grow, longer_term, 0.15},
    {XS_TRIG_RETENTION_ADDON, churn_signal, protective_addons, NAN},
    {XS_TRIG_ADDON, no_cancel, addon_options, 0.10},
    {XS_TRIG_CANCEL, cancel_requested, downsells, 0.35},
    {XS_TRIG_CHURN_RISK, churn_risk_high, downsells, NAN},
    {XS_TRIG_LOW_USAGE, usage_stays_low, downsells, 0.25},
};

/* Upsell and downsell candidates of one family: its utilisation, then the
 * triggers that fire. */
static void family_cands(const xs_offer_engine *en, const xs__offer_cust *st,
                         const xs__offer_fam *x, cands *cs)
{
    if (x->plan < 0) return;
    const xs_offer_config *cfg = &en->cfg;
    fam_ctx f = {.en = en,
                 .st = st,
                 .x = x,
                 .cs = cs,
                 .H = cfg->horizon_months,
                 .as_of = en->as_of,
                 .plan = x->plan,
                 .packp = en->seat_pack[x->family],
                 .top = -1,
                 .top_u = -1,
                 .seats = -1,
                 .low = 1};
    for (int m = 0; m < x->n_met; m++) {
        if (isnan(x->used[m]) || !(x->cap[m] > 0)) continue;
        double u = x->used[m] / x->cap[m];
        f.any_use = 1;
        if (u > f.top_u) f.top_u = u, f.top = m;
        if (x->met[m] == en->seats_code) f.seats = m;
        /* low: every point of the window below usage_low, and the window
         * covers at least half of low_days */
        if (isnan(x->wmax[m]) || x->wmax[m] >= cfg->usage_low * x->cap[m] ||
            x->wfirst[m] > f.as_of - (int32_t)(cfg->low_days / 2))
            f.low = 0;
    }
    if (!f.any_use) f.low = 0;
    f.at_risk = xs__offer_at_risk(en, st);
    f.band = xs__offer_tenure_band(xs__offer_tenure(en->s, st->c, f.as_of));
    f.term = en->s->sub.term[x->plan_row];
    f.next = xs__offer_next_term(f.term, &f.slot);
    for (size_t i = 0; i < sizeof FAM_TRIGGERS / sizeof FAM_TRIGGERS[0]; i++) {
        const fam_trigger *t = &FAM_TRIGGERS[i];
        if (t->when(&f)) t->propose(&f, t->trigger, t->prior);
    }
}

/* What a rule may not propose again: a product bought since `since` (the
 * cart counts; XS_SNAP_NO_DATE + 1: ever bought). */
typedef struct skip_rule {
    const xs__offer_shop *h;
    int32_t since;
} skip_rule;

/* Cross-sell candidates from the rules of one antecedent item. */
static void rule_cands(const xs_offer_engine *en, const xs__offer_cust *st,
                       const xs__offer_rules *R, uint32_t a, int32_t from_prod,
                       int32_t since, xs_offer_trigger trig, const skip_rule *skip,
                       cands *cs)
{
    const struct xs_snapshot *s = en->s;
    double made = 0;
    for (uint32_t r = R->off[a]; r < R->off[a + 1] && made < en->cfg.rules_per_item;
         r++) {
        const xs__offer_rule *x = &R->r[r];
        int32_t to;
        if (x->to >= s->prod.n) {
            uint16_t f = (uint16_t)(x->to - s->prod.n);
            if (holds_family(st, f)) continue;
            to = en->entry_plan[f];
            if (to < 0) continue;
        } else {
            to = (int32_t)x->to;
            if (skip) {
                int32_t d = xs__offer_shop_last(en, st->c, skip->h, x->to);
                if (d != XS_SNAP_NO_DATE && d >= skip->since) continue;
            }
        }
        xs_offer *o = add(cs, st, XS_OFFER_CROSS_SELL, trig, -1, to, x->confidence);
        if (!o) continue;
        made++;
        o->prior_src = XS_PRIOR_RULE;
        o->support = x->support;
        o->confidence = x->confidence;
        o->lift = x->lift;
        o->rule_from = from_prod;
        o->lag_days = x->lag_med;
        o->days = en->as_of - since;
        o->revenue_delta = horizon_rev(en, to, 1);
        o->timing = en->as_of;
        if (x->lag_lo > 0 && o->days < x->lag_lo) o->timing = since + x->lag_lo;
    }
}

/* Shop upgrades: the next tier of the family of a product bought recently
 * (or in the cart), unless the customer already has that tier or a higher
 * one of the family. */
static void upgrade_cands(const xs_offer_engine *en, const xs__offer_cust *st,
                          const xs__offer_shop *h, cands *cs)
{
    const struct xs_snapshot *s = en->s;
    for (size_t k = 0; k < h->n_recent; k++) {
        uint32_t p = h->recent[k];
        int32_t q = en->up_tier[p];
        if (q < 0) continue;
        uint16_t f = s->prod.family[p];
        int has = 0;
        for (uint32_t i = s->prod.family_off[f]; i < s->prod.family_off[f + 1] && !has;
             i++) {
            uint32_t r = s->prod.family_products[i];
            has = s->prod.kind[r] == XS_SNAP_KIND_PRODUCT &&
                  s->prod.tier[r] >= s->prod.tier[q] &&
                  xs__offer_shop_last(en, st->c, h, r) != XS_SNAP_NO_DATE;
        }
        if (has) continue;
        xs_offer *o = add(cs, st, XS_OFFER_UPSELL, XS_TRIG_SHOP_UPGRADE, (int32_t)p, q, 0.15);
        if (!o) continue;
        o->revenue_delta = (double)(s->prod.price[q] - s->prod.price[p]) / en->money_div;
        o->rule_from = (int32_t)p;
        o->days = en->as_of - xs__offer_shop_last(en, st->c, h, p);
        o->timing = en->as_of;
    }
}

/* A bundle that could be offered: its index, the recent purchase it
 * completes, the missing items and the evidence. */
typedef struct bundle_opt {
    uint32_t b, from;
    uint32_t miss[3];
    int n_miss;
    double conf, rel;
} bundle_opt;

#define MAX_BUNDLE_OPTS 64

/* Bundles: every bundle holding a product bought recently (or in the
 * cart) that the customer has not completed offers its missing items, at
 * their combined price less any declared bundle discount. The evidence is
 * the orders with that purchase that hold the whole bundle; the most
 * relevant bundles first, and none whose missing items overlap a better
 * one's. */
static void bundle_cands(const xs_offer_engine *en, const xs__offer_cust *st,
                         const xs__offer_shop *h, cands *cs)
{
    const struct xs_snapshot *s = en->s;
    bundle_opt opt[MAX_BUNDLE_OPTS];
    size_t n = 0;
    for (size_t k = 0; k < h->n_recent && n < MAX_BUNDLE_OPTS; k++) {
        uint32_t p = h->recent[k];
        for (uint32_t i = en->bundle_off[p]; i < en->bundle_off[p + 1] && n < MAX_BUNDLE_OPTS;
             i++) {
            uint32_t b = en->bundle_ix[i];
            const xs__offer_bundle *B = &en->bundles[b];
            int dup = 0;
            for (size_t j = 0; j < n; j++)
                if (opt[j].b == b) dup = 1;
            if (dup || !en->orders_of[p]) continue;
            bundle_opt *x = &opt[n];
            x->n_miss = 0;
            for (int j = 0; j < B->n; j++)
                if (xs__offer_shop_last(en, st->c, h, B->item[j]) == XS_SNAP_NO_DATE)
                    x->miss[x->n_miss++] = B->item[j];
            if (!x->n_miss) continue;
            x->b = b;
            x->from = p;
            x->conf = (double)B->count / en->orders_of[p];
            x->rel = x->conf * B->lift;
            n++;
        }
    }
    /* most relevant first (ties: the larger set, then the bundle's index):
     * insertion sort, n is small */
    for (size_t i = 1; i < n; i++) {
        bundle_opt t = opt[i];
        size_t j = i;
        while (j > 0 && (opt[j - 1].rel < t.rel ||
                         (opt[j - 1].rel == t.rel && (opt[j - 1].n_miss < t.n_miss ||
                                                      (opt[j - 1].n_miss == t.n_miss &&
                                                       opt[j - 1].b > t.b))))) {
            opt[j] = opt[j - 1];
            j--;
        }
        opt[j] = t;
    }
    uint32_t used[3 * MAX_BUNDLE_OPTS];
    size_t n_used = 0;
    for (size_t i = 0; i < n; i++) {
        const bundle_opt *x = &opt[i];
        int overlap = 0;
        for (int j = 0; j < x->n_miss; j++)
            for (size_t u = 0; u < n_used; u++)
                if (used[u] == x->miss[j]) overlap = 1;
        if (overlap) continue;
        xs_offer *o =
            add(cs, st, XS_OFFER_CROSS_SELL, XS_TRIG_BUNDLE, -1, (int32_t)x->miss[0], x->conf);
        if (!o) continue;
        const xs__offer_bundle *B = &en->bundles[x->b];
        double price = 0, off = 0;
        for (int j = 0; j < x->n_miss; j++) {
            double v = (double)s->prod.price[x->miss[j]] / en->money_div;
            price += v;
            off += v * en->bundle_disc[x->miss[j]];
            used[n_used++] = x->miss[j];
            if (j) {
                o->also[j - 1] = (int32_t)x->miss[j];
                xs__offer_pmask_add(cs->seen, (uint32_t)o->also[j - 1]);
            }
        }
        off = round(off * en->money_div) / en->money_div;
        o->discount = off;
        o->revenue_delta = price - off;
        o->confidence = x->conf;
        o->lift = B->lift;
        o->rule_from = (int32_t)x->from;
        o->share_n = B->count;
        o->base_n = en->orders_of[x->from];
        o->days = en->as_of - xs__offer_shop_last(en, st->c, h, x->from);
        o->timing = en->as_of;
    }
}

/* Below any score of the ranking model: a candidate the model gives no
 * score (bought long ago, no co-buyers in its neighbourhoods) keeps its
 * evidence order after every scored one. */
#define UNRANKED 1e-9

/* The relevance of the shop cross-sells from `first` on: what orders them
 * (the personal ranking model's score for the customer and the cart, see
 * docs/evaluate.md; without a model, or for a product it does not score,
 * the evidence's confidence x lift, far below every score), the share an
 * explanation quotes, the customer's price band and the recent purchase a
 * candidate is a substitute of (the guards substitute and price_band read
 * them). */
static void relevance_marks(const xs_offer_engine *en, const xs__offer_cust *st,
                            const xs__offer_shop *h, const uint32_t *cart, size_t n_cart,
                            xs_offer *o, size_t first, size_t n)
{
    int32_t since = en->as_of - (int32_t)en->cfg.subst_days;
    /* the model's scores of the shop cross-sells' products only */
    uint32_t prod[XS_OFFER_MAX_CANDIDATES];
    double score[XS_OFFER_MAX_CANDIDATES];
    size_t n_shop = 0;
    for (size_t i = first; i < n && n_shop < XS_OFFER_MAX_CANDIDATES; i++)
        if (xs__offer_is_shop_cross(en, &o[i]))
            prod[n_shop++] = (uint32_t)o[i].to_product;
    int ranked =
        n_shop && en->rank &&
        xs__offer_rank_scores_of(en, st->c, cart, n_cart, prod, n_shop, score) == 1;
    size_t at = 0;
    for (size_t i = first; i < n; i++) {
        xs_offer *x = &o[i];
        if (!xs__offer_is_shop_cross(en, x)) continue;
        double evidence = x->confidence * xs__offer_evidence_lift(x);
        double r = ranked ? score[at++] : 0;
        x->relevance = r > 0 ? r : (ranked ? UNRANKED : 1) * evidence;
        xs__offer_share(en, x, &x->share_n, &x->base_n);
        x->band_hi = h->max_line;
        x->subst_of = xs__offer_substitute_of(en, st->c, h, (uint32_t)x->to_product, since);
        for (int k = 0; x->trigger == XS_TRIG_BUNDLE && k < 2 && x->subst_of < 0; k++)
            if (x->also[k] >= 0)
                x->subst_of =
                    xs__offer_substitute_of(en, st->c, h, (uint32_t)x->also[k], since);
    }
}

size_t xs__offer_candidates(const xs_offer_engine *en, const xs__offer_cust *st,
                            const uint32_t *cart, size_t n_cart, xs_offer *out,
                            size_t cap)
{
    const struct xs_snapshot *s = en->s;
    cands cs = {out, 0, cap, {0, 0, 0, 0}};
    uint32_t c = st->c;
    for (int i = 0; i < st->n_fam; i++)
        family_cands(en, st, &st->fam[i], &cs);
    /* downsells answer a churn signal: retention offers when the customer
     * is at risk (the guard not_at_risk holds back the others) */
    for (size_t i = 0; i < cs.n; i++)
        if (out[i].kind == XS_OFFER_DOWNSELL) {
            out[i].retention = xs__offer_at_risk(en, st);
            if (out[i].trigger == XS_TRIG_CHURN_RISK) out[i].prior_src = XS_PRIOR_CHURN;
        }
    /* adoption rules of the families held; right after a renewal decision
     * they go out now (trigger renewed) */
    int renewed = st->renewed_day != XS_SNAP_NO_DATE;
    for (int i = 0; i < st->n_fam; i++) {
        size_t before = cs.n;
        rule_cands(en, st, &en->adopt, (uint32_t)s->prod.n + st->fam[i].family,
                   st->fam[i].plan, st->fam[i].since,
                   renewed ? XS_TRIG_RENEWED : XS_TRIG_ADOPTION, NULL, &cs);
        if (renewed)
            for (size_t k = before; k < cs.n; k++)
                out[k].timing = en->as_of;
    }
    /* shop products: the customer's history (bought ever, bought in the last
     * recent_days, the cart as bought now), then upgrades, bundles and the
     * rules of the cart, the recent purchases (not proposed again) and of
     * everything bought (adoption: nothing bought is proposed again) */
    xs__offer_shop h;
    xs__offer_shop_gather(en, c, cart, n_cart, &h);
    size_t shop0 = cs.n;
    upgrade_cands(en, st, &h, &cs);
    bundle_cands(en, st, &h, &cs);
    skip_rule recent = {&h, en->as_of - (int32_t)en->cfg.recent_days + 1};
    skip_rule ever = {&h, INT32_MIN + 1};
    for (size_t k = 0; k < n_cart; k++)
        if (cart[k] < s->prod.n)
            rule_cands(en, st, &en->order, cart[k], (int32_t)cart[k], en->as_of,
                       XS_TRIG_CART, &recent, &cs);
    for (size_t k = 0; k < h.n_recent; k++)
        rule_cands(en, st, &en->order, h.recent[k], (int32_t)h.recent[k], en->as_of,
                   XS_TRIG_PURCHASE, &recent, &cs);
    /* item-to-item similarity of the cart and the recent purchases (cart
     * first), for what the rules did not already propose */
    for (size_t k = 0; k < h.n_recent; k++)
        rule_cands(en, st, &en->sim, h.recent[k], (int32_t)h.recent[k], en->as_of,
                   XS_TRIG_SIMILAR, &recent, &cs);
    for (size_t k = 0; k < h.n_bought; k++)
        rule_cands(en, st, &en->adopt, h.bought[k], (int32_t)h.bought[k],
                   xs__offer_shop_first(&h, h.bought[k]), XS_TRIG_ADOPTION, &ever, &cs);
    relevance_marks(en, st, &h, cart, n_cart, out, shop0, cs.n);
    /* growth offers wait for onboarding */
    int32_t signup = s->cust.signup[c];
    if (!st->onboarded && signup != XS_SNAP_NO_DATE &&
        en->as_of - signup < (int32_t)en->cfg.onboarding_days) {
        int32_t t = signup + (int32_t)en->cfg.onboarding_days;
        for (size_t i = 0; i < cs.n; i++)
            if (out[i].kind != XS_OFFER_DOWNSELL && out[i].timing < t) out[i].timing = t;
    }
    return cs.n;
}
