/*
 * candidates.c — what could be offered to one customer.
 *
 * xs__offer_gather() reads the customer's rows of the snapshot (CSR ranges,
 * no allocation) into a xs__offer_cust: the families held at as_of with
 * their plan, seat packs, add-ons, monthly revenue, capacity per limit
 * metric (sum of limit x quantity over the family's active subscriptions)
 * and usage (latest point, maximum over the last low_days days); the
 * signals of the events (open critical ticket, cancel request, onboarding);
 * the offers history (contacts in the last contact_days, products declined
 * in the last declined_days, accepted vs model-expected past offers).
 *
 * xs__offer_candidates() turns that into candidates, each with its trigger
 * (docs/offers.md lists them): upsell (next tier on high usage, seat packs,
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
/* Gathering one customer's facts                                         */
/* ---------------------------------------------------------------------- */

static int fam_slot(xs__offer_cust *st, uint16_t f)
{
    for (int i = 0; i < st->n_fam; i++)
        if (st->fam[i].family == f) return i;
    if (st->n_fam == XS__OFFER_MAX_FAM) return -1;
    xs__offer_fam *x = &st->fam[st->n_fam];
    memset(x, 0, sizeof *x);
    x->family = f;
    x->plan = x->pack = -1;
    x->renewal = XS_SNAP_NO_DATE;
    x->since = INT32_MAX;
    return st->n_fam++;
}

static int met_slot(xs__offer_fam *x, uint16_t m, int add)
{
    for (int i = 0; i < x->n_met; i++)
        if (x->met[i] == m) return i;
    if (!add || x->n_met == XS__OFFER_MAX_MET) return -1;
    int i = x->n_met++;
    x->met[i] = m;
    x->cap[i] = 0;
    x->used[i] = x->wmax[i] = NAN;
    x->wfirst[i] = INT32_MAX;
    return i;
}

void xs__offer_gather(const xs_offer_engine *en, uint32_t c, xs__offer_cust *st)
{
    const struct xs_snapshot *s = en->s;
    const xs_offer_config *cfg = &en->cfg;
    int32_t as_of = en->as_of;
    st->c = c;
    st->n_fam = 0;
    st->open_critical = st->cancel = st->onboarded = 0;
    st->cancel_day = XS_SNAP_NO_DATE;
    st->renewed_day = XS_SNAP_NO_DATE;
    st->recent_offers = 0;
    st->n_declined = 0;
    st->hist_acc = st->hist_exp = 0;
    st->health = en->health[c];
    st->consent = s->cust.consent[c];
    st->holdout = 0;
    for (int k = 0; k < XS_OFFER_N_KINDS; k++) {
        if (!en->holdout_on[k]) continue;
        const char *id = xs__intern_str(&s->cust.ids, c);
        if (xs_exp_assign(&en->holdout_split[k], en->holdout_name[k], id, strlen(id)) ==
            en->holdout_arm[k])
            st->holdout |= (uint8_t)(1u << k);
    }
    /* subscriptions: families active at as_of */
    for (uint32_t r = s->cust.sub_off[c]; r < s->cust.sub_off[c + 1]; r++) {
        if (!xs__snap_sub_active(s, r, as_of)) continue;
        uint32_t p = s->sub.product[r];
        uint16_t f = s->prod.family[p];
        if (f == XS_SNAP_NONE16) continue;
        int k = fam_slot(st, f);
        if (k < 0) continue;
        xs__offer_fam *x = &st->fam[k];
        x->monthly += xs__snap_sub_mrr(s, r) / en->money_div;
        if (s->prod.kind[p] == XS_SNAP_KIND_PLAN) {
            x->plan = (int32_t)p;
            x->plan_row = r;
            x->renewal = s->sub.renewal[r];
        } else if ((int32_t)p == en->seat_pack[f]) {
            x->pack = (int32_t)p;
            x->pack_qty = s->sub.quantity[r];
        } else if (x->n_addons < 8) {
            x->addons[x->n_addons++] = p;
        }
        for (uint32_t l = s->prod.limit_off[p]; l < s->prod.limit_off[p + 1]; l++) {
            int m = met_slot(x, s->prod.limit_name[l], 1);
            if (m >= 0) x->cap[m] += s->prod.limit_value[l] * s->sub.quantity[r];
        }
    }
    for (uint32_t r = s->cust.sub_off[c]; r < s->cust.sub_off[c + 1]; r++) {
        if (s->sub.start[r] > as_of) continue;
        uint16_t f = s->prod.family[s->sub.product[r]];
        for (int i = 0; i < st->n_fam; i++)
            if (st->fam[i].family == f && s->sub.start[r] < st->fam[i].since)
                st->fam[i].since = s->sub.start[r];
    }
    /* usage: latest point and the window maximum per (family, metric) */
    int32_t wlo = as_of - (int32_t)cfg->low_days;
    /* a series' rows are together: its family and metric slots are found
     * once for a run of rows of one (product, metric) */
    uint32_t run_p = UINT32_MAX;
    uint16_t run_m = 0;
    int k = -1, m = -1;
    for (uint32_t r = s->cust.usage_off[c]; r < s->cust.usage_off[c + 1]; r++) {
        int32_t d = s->use.date[r];
        if (d > as_of) continue;
        if (s->use.product[r] != run_p || s->use.metric[r] != run_m) {
            run_p = s->use.product[r];
            run_m = s->use.metric[r];
            uint16_t f = s->prod.family[run_p];
            k = -1;
            for (int i = 0; i < st->n_fam; i++)
                if (st->fam[i].family == f) k = i;
            m = k < 0 ? -1 : met_slot(&st->fam[k], run_m, 0);
        }
        if (m < 0) continue;
        xs__offer_fam *x = &st->fam[k];
        double v = s->use.value[r];
        x->used[m] = v; /* rows are by date within a series: the last wins */
        if (d >= wlo) {
            if (isnan(x->wmax[m]) || v > x->wmax[m]) x->wmax[m] = v;
            if (d < x->wfirst[m]) x->wfirst[m] = d;
        }
    }
    /* events */
    uint32_t sev1[XS__OFFER_MAX_REFS], closed[XS__OFFER_MAX_REFS];
    int n1 = 0, nc = 0;
    for (uint32_t r = s->cust.event_off[c]; r < s->cust.event_off[c + 1]; r++) {
        int32_t d = s->ev.date[r];
        if (d > as_of) continue;
        switch (s->ev.type[r]) {
        case XS_SNAP_EV_CANCEL_REQUEST:
            if (d >= as_of - (int32_t)cfg->cancel_days) {
                st->cancel = 1;
                st->cancel_day = d;
            }
            break;
        case XS_SNAP_EV_ONBOARDING_DONE:
            st->onboarded = 1;
            break;
        case XS_SNAP_EV_RENEWAL_DECISION:
            if (s->ev.value[r] == 1 && d > as_of - (int32_t)cfg->recent_days)
                st->renewed_day = d;
            break;
        case XS_SNAP_EV_TICKET:
            if (s->ev.value[r] == 1 && n1 < XS__OFFER_MAX_REFS) sev1[n1++] = s->ev.ref[r];
            break;
        case XS_SNAP_EV_TICKET_CLOSED:
            if (nc < XS__OFFER_MAX_REFS) closed[nc++] = s->ev.ref[r];
            break;
        default:
            break;
        }
    }
    for (int i = 0; i < n1 && !st->open_critical; i++) {
        int found = 0;
        for (int j = 0; j < nc; j++)
            if (closed[j] == sev1[i]) found = 1;
        if (!found) st->open_critical = 1;
    }
    /* offers history */
    for (uint32_t r = s->cust.offer_off[c]; r < s->cust.offer_off[c + 1]; r++) {
        int32_t d = s->off.sent[r];
        if (d > as_of) continue;
        if (d > as_of - (int32_t)cfg->contact_days) st->recent_offers++;
        int out = s->off.outcome[r];
        if (out == XS_SNAP_OUT_DECLINED) {
            /* declined on outcome_at (sent_at when absent); a decline dated
             * after as_of is not known yet */
            int32_t od =
                s->off.outcome_at[r] != XS_SNAP_NO_DATE ? s->off.outcome_at[r] : d;
            if (od <= as_of && od > as_of - (int32_t)cfg->declined_days &&
                st->n_declined < 16)
                st->declined[st->n_declined++] = s->off.product[r];
        }
        if (out != XS_SNAP_OUT_PENDING &&
            (out != XS_SNAP_OUT_ACCEPTED || s->off.outcome_at[r] == XS_SNAP_NO_DATE ||
             s->off.outcome_at[r] <= as_of)) {
            st->hist_acc += out == XS_SNAP_OUT_ACCEPTED;
            st->hist_exp += xs__offer_model_p(en, s->off.kind[r], s->off.channel[r],
                                              st->health, xs__offer_tenure(s, c, d),
                                              s->prod.kind[s->off.product[r]] ==
                                                  XS_SNAP_KIND_PRODUCT);
        }
    }
    st->p_churn = NAN;
    if (en->cfg.churn_p) st->p_churn = en->cfg.churn_p[c];
    if (isnan(st->p_churn) && en->churn) st->p_churn = en->churn[c];
    if (isnan(st->p_churn)) st->p_churn = xs__offer_churn_estimate(en, st);
}

/* ---------------------------------------------------------------------- */
/* Candidates                                                             */
/* ---------------------------------------------------------------------- */

typedef struct cands {
    xs_offer *o;
    size_t n, cap;
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
    for (size_t i = 0; i < cs->n; i++) {
        if (cs->o[i].to_product == to && cs->o[i].from_product == from &&
            cs->o[i].kind == kind)
            return NULL; /* one candidate per product move */
        if (cs->o[i].trigger == XS_TRIG_BUNDLE && kind == XS_OFFER_CROSS_SELL &&
            (cs->o[i].also[0] == to || cs->o[i].also[1] == to) && to >= 0)
            return NULL; /* already proposed in a bundle */
    }
    if (cs->n == cs->cap) return NULL;
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

/* Capacity of product p for metric m (limit of one unit), NaN when none. */
static double limit_of(const struct xs_snapshot *s, int32_t p, uint16_t m)
{
    for (uint32_t l = s->prod.limit_off[p]; l < s->prod.limit_off[p + 1]; l++)
        if (s->prod.limit_name[l] == m) return s->prod.limit_value[l];
    return NAN;
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

/* Upsell and downsell candidates of one family. */
static void family_cands(const xs_offer_engine *en, const xs__offer_cust *st,
                         const xs__offer_fam *x, cands *cs)
{
    const struct xs_snapshot *s = en->s;
    const xs_offer_config *cfg = &en->cfg;
    double H = cfg->horizon_months;
    int32_t as_of = en->as_of;
    if (x->plan < 0) return;
    int32_t plan = x->plan;
    /* utilisation: the metric with the highest use / capacity */
    int top = -1, seats = -1, low = 1, any_use = 0;
    double top_u = -1;
    for (int m = 0; m < x->n_met; m++) {
        if (isnan(x->used[m]) || !(x->cap[m] > 0)) continue;
        double u = x->used[m] / x->cap[m];
        any_use = 1;
        if (u > top_u) top_u = u, top = m;
        if (x->met[m] == en->seats_code) seats = m;
        /* low: every point of the window below usage_low, and the window
         * covers at least half of low_days */
        if (isnan(x->wmax[m]) || x->wmax[m] >= cfg->usage_low * x->cap[m] ||
            x->wfirst[m] > as_of - (int32_t)(cfg->low_days / 2))
            low = 0;
    }
    if (!any_use) low = 0;
    int at_risk = xs__offer_at_risk(en, st);
    int band = xs__offer_tenure_band(xs__offer_tenure(s, st->c, as_of));
    uint32_t uk, un;
    xs_offer *o;
    /* --- upsell: a limit reached -> next tier */
    if (top >= 0 && top_u >= cfg->usage_high && en->next_tier[plan] >= 0) {
        int32_t to = en->next_tier[plan];
        if ((o = add(cs, st, XS_OFFER_UPSELL, XS_TRIG_USAGE, plan, to, 0.30))) {
            o->metric = x->met[top];
            o->used = x->used[top];
            o->limit = x->cap[top];
            o->revenue_delta = (en->monthly[to] - en->monthly[plan]) * H;
            o->timing = as_of;
        }
    }
    /* --- upsell: seats reached -> more seat packs (to 75 % utilisation) */
    int32_t packp = en->seat_pack[x->family];
    if (seats >= 0 && packp >= 0 && x->used[seats] >= cfg->usage_high * x->cap[seats]) {
        double per = limit_of(s, packp, en->seats_code);
        if (per > 0) {
            double need = ceil((x->used[seats] / 0.75 - x->cap[seats]) / per);
            if (need < 1) need = 1;
            if ((o = add(cs, st, XS_OFFER_UPSELL, XS_TRIG_SEATS, x->pack, packp, 0.30))) {
                o->qty_from = x->pack_qty;
                o->qty_to = x->pack_qty + (uint32_t)need;
                o->metric = x->met[seats];
                o->used = x->used[seats];
                o->limit = x->cap[seats];
                o->revenue_delta = en->monthly[packp] * need * H;
                o->timing = as_of;
            }
        }
    }
    /* --- upsell: renewal near and well used -> next tier at renewal */
    if (s->prod.billing[plan] == XS_SNAP_BILL_YEAR && x->renewal != XS_SNAP_NO_DATE &&
        x->renewal >= as_of && x->renewal - as_of <= (int32_t)cfg->renewal_days &&
        top >= 0 && top_u >= cfg->renewal_usage && en->next_tier[plan] >= 0) {
        int32_t to = en->next_tier[plan];
        if ((o = add(cs, st, XS_OFFER_UPSELL, XS_TRIG_RENEWAL, plan, to, 0.20))) {
            o->metric = x->met[top];
            o->used = x->used[top];
            o->limit = x->cap[top];
            o->days = x->renewal - as_of;
            o->revenue_delta = (en->monthly[to] - en->monthly[plan]) * H;
            int32_t t = x->renewal - (int32_t)cfg->lead_days;
            o->timing = t > as_of ? t : as_of;
        }
    }
    /* --- upsell: a longer term (1 or 3 -> 12, 12 -> 24, 24 -> 36 months; a
     * lower monthly price that locks the revenue in). The price of the
     * longer term: the annual variant's list price for 12 months when the
     * family has one, else what customers of the same product pay on that
     * term (en->term_price). Only a real saving, at least one minor unit a
     * year, makes an offer: any other is held back by the guard
     * no_benefit. Utilisation must reach usage_low where the family has
     * usage data. For a customer at risk it is a retention offer. */
    int slot;
    unsigned term = s->sub.term[x->plan_row], next = xs__offer_next_term(term, &slot);
    if (next && s->prod.price[plan] > 0 &&
        as_of - s->sub.start[x->plan_row] >= (int32_t)cfg->term_min_days &&
        (!any_use || (top >= 0 && top_u >= cfg->usage_low))) {
        double qty = s->sub.quantity[x->plan_row];
        double now = xs__snap_sub_mrr(s, x->plan_row) / en->money_div;
        int32_t to = -1;
        double then = NAN;
        if (next == 12 && en->annual[plan] >= 0) {
            to = en->annual[plan];
            then = en->monthly[to] * qty;
        } else if (!isnan(
                       en->term_price[(size_t)plan * XS__OFFER_N_TERMS + (size_t)slot])) {
            to = plan;
            then = en->term_price[(size_t)plan * XS__OFFER_N_TERMS + (size_t)slot] * qty;
        }
        /* the yearly saving in whole minor units, as the explanation shows it */
        double save = round((now - then) * 12 * en->money_div) / en->money_div;
        xs__offer_term_uptake(en, plan, slot, band, &uk, &un);
        if (to >= 0 && (o = add(cs, st, XS_OFFER_UPSELL, XS_TRIG_TERM, plan, to,
                                un ? xs__offer_uptake_prior(uk, un) : 0.15))) {
            if (un) o->prior_src = XS_PRIOR_UPTAKE, o->prior_k = uk, o->prior_n = un;
            o->retention = at_risk;
            o->term_from = (uint16_t)term;
            o->term_to = (uint16_t)next;
            o->revenue_delta = -save / 12 * H;
            /* the discount against the family revenue kept from churn */
            o->value = o->revenue_delta + st->p_churn * x->monthly * H;
            o->at_stake = x->monthly * H;
            o->days = as_of - s->sub.start[x->plan_row];
            o->timing = as_of;
            if (x->renewal != XS_SNAP_NO_DATE && x->renewal > as_of) {
                int32_t t = x->renewal - (int32_t)cfg->lead_days;
                o->timing = t > as_of ? t : as_of;
                o->days = x->renewal - as_of;
            }
        }
    }
    /* --- retention: for a customer at risk (or with a churn signal: the
     * guard not_at_risk judges), each protective add-on of the plan not
     * held: its holders churned measurably less (retention.c) */
    int signal = st->cancel || st->p_churn >= en->risk_cut || low;
    if (s->prod.price[plan] > 0 && signal) {
        uint16_t f = x->family;
        for (uint32_t i = s->prod.family_off[f]; i < s->prod.family_off[f + 1]; i++) {
            uint32_t p = s->prod.family_products[i];
            const xs__offer_ret *rt = xs__offer_retention_of(en, plan, p, term);
            if (!rt || !rt->protective || (int32_t)p == packp) continue;
            int held = 0;
            for (int k = 0; k < x->n_addons; k++)
                if (x->addons[k] == p) held = 1;
            if (held) continue;
            if ((o = add(cs, st, XS_OFFER_UPSELL, XS_TRIG_RETENTION_ADDON, -1, (int32_t)p,
                         churn_prior(st->p_churn)))) {
                double rw = (double)rt->churn_with / rt->n_with;
                double ro = (double)rt->churn_without / rt->n_without;
                o->prior_src = XS_PRIOR_CHURN;
                o->revenue_delta = en->monthly[p] * H;
                /* the add-on's revenue, and the family revenue kept: the
                 * customer's risk x the relative drop in churn seen */
                o->value = o->revenue_delta +
                           st->p_churn * (ro > 0 ? 1 - rw / ro : 0) *
                               (x->monthly * H + o->revenue_delta);
                o->at_stake = x->monthly * H;
                o->rule_from = plan;
                o->timing = as_of;
                o->retention = 1;
                o->churn_with = rt->churn_with, o->n_with = rt->n_with;
                o->churn_without = rt->churn_without, o->n_without = rt->n_without;
            }
        }
    }
    /* --- upsell: add-on options of the held plan (no limits, not held);
     * prior: the add-on's uptake among the plan's customers of similar
     * tenure. Low usage is the guard low_usage_upsell's. */
    if (s->prod.price[plan] > 0 && !st->cancel) {
        uint16_t f = x->family;
        for (uint32_t i = s->prod.family_off[f]; i < s->prod.family_off[f + 1]; i++) {
            uint32_t p = s->prod.family_products[i];
            if (s->prod.kind[p] != XS_SNAP_KIND_ADDON || (int32_t)p == packp ||
                s->prod.limit_off[p] != s->prod.limit_off[p + 1])
                continue;
            int held = 0;
            for (int k = 0; k < x->n_addons; k++)
                if (x->addons[k] == p) held = 1;
            if (held) continue;
            xs__offer_uptake(en, plan, p, band, &uk, &un);
            if ((o = add(cs, st, XS_OFFER_UPSELL, XS_TRIG_ADDON, -1, (int32_t)p,
                         un ? xs__offer_uptake_prior(uk, un) : 0.10))) {
                if (un) o->prior_src = XS_PRIOR_UPTAKE, o->prior_k = uk, o->prior_n = un;
                o->revenue_delta = en->monthly[p] * H;
                o->rule_from = plan;
                o->timing = as_of;
            }
        }
    }
    /* --- downsell */
    if (s->prod.price[plan] <= 0) return;
    xs_offer_trigger trig;
    double prior;
    if (st->cancel)
        trig = XS_TRIG_CANCEL, prior = 0.35;
    else if (st->p_churn >= en->risk_cut)
        trig = XS_TRIG_CHURN_RISK, prior = churn_prior(st->p_churn);
    else if (low)
        trig = XS_TRIG_LOW_USAGE, prior = 0.25;
    else
        return;
    double cur = x->monthly * H, pc = st->p_churn;
    int32_t lower = en->prev_tier[plan];
    if (lower >= 0) {
        int fits = 1; /* the lower tier must hold today's use */
        for (int m = 0; m < x->n_met; m++) {
            double lim = limit_of(s, lower, x->met[m]);
            double extra = x->cap[m] - limit_of(s, plan, x->met[m]);
            if (!isnan(lim) && !isnan(x->used[m]) &&
                x->used[m] > lim + (extra > 0 ? extra : 0))
                fits = 0;
        }
        if (fits && (o = add(cs, st, XS_OFFER_DOWNSELL, trig, plan, lower, prior))) {
            double cut = (en->monthly[plan] - en->monthly[lower]) * H;
            o->revenue_delta = -cut;
            o->value = pc * cur - cut;
            o->at_stake = cur;
            o->timing = as_of;
            if (top >= 0) {
                o->metric = x->met[top];
                o->used = x->used[top];
                o->limit = x->cap[top];
            }
        }
    }
    if (x->pack >= 0 && seats >= 0 && !isnan(x->used[seats])) {
        double per = limit_of(s, x->pack, en->seats_code);
        double base = x->cap[seats] - per * x->pack_qty;
        double need = per > 0 ? ceil((x->used[seats] / 0.80 - base) / per) : x->pack_qty;
        if (need < 0) need = 0;
        if (need < x->pack_qty &&
            (o = add(cs, st, XS_OFFER_DOWNSELL, trig, x->pack, x->pack, prior))) {
            o->qty_from = x->pack_qty;
            o->qty_to = (uint32_t)need;
            double cut = en->monthly[x->pack] * (x->pack_qty - need) * H;
            o->revenue_delta = -cut;
            o->value = pc * cur - cut;
            o->at_stake = cur;
            o->metric = x->met[seats];
            o->used = x->used[seats];
            o->limit = x->cap[seats];
            o->timing = as_of;
        }
    }
    for (int k = 0; k < x->n_addons; k++) {
        int32_t a = (int32_t)x->addons[k];
        /* never advise dropping what keeps customers like this one */
        const xs__offer_ret *rt = xs__offer_retention_of(en, plan, (uint32_t)a, term);
        if (rt && rt->protective) continue;
        if ((o = add(cs, st, XS_OFFER_DOWNSELL, trig, a, -1, prior))) {
            double cut = en->monthly[a] * H;
            o->revenue_delta = -cut;
            o->value = pc * cur - cut;
            o->at_stake = cur;
            o->timing = as_of;
        }
    }
    int32_t mon = en->monthly_of[plan];
    /* monthly instead of annual: proposed now, effective at the renewal
     * (sent lead_days before it) */
    if (mon >= 0 && x->renewal != XS_SNAP_NO_DATE && x->renewal >= as_of &&
        (o = add(cs, st, XS_OFFER_DOWNSELL, trig, plan, mon, prior))) {
        double cut = (en->monthly[plan] - en->monthly[mon]) * H;
        o->revenue_delta = -cut;
        o->value = pc * cur - cut;
        o->at_stake = cur;
        o->days = x->renewal - as_of;
        int32_t t = x->renewal - (int32_t)cfg->lead_days;
        o->timing = t > as_of ? t : as_of;
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
            if (j) o->also[j - 1] = (int32_t)x->miss[j];
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
    cands cs = {out, 0, cap};
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
