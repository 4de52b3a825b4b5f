/*
 * guardrails.c — never pushy: which candidates may go out, and their rank.
 *
 * Each candidate is checked against the guardrails in a fixed order; the
 * first one that stops it is its reason (xs_offer_guard):
 *   holdout        the customer is in the holdout arm of a holdout
 *                  experiment of the offer's kind running on the decision
 *                  day (docs/experiments.md): random, so it comes first
 *   substitute     a shop cross-sell that is a substitute of a purchase of
 *                  the last subst_days (relevance.c): never a good offer,
 *                  whatever the customer's state, so checked before it
 *   price_band     a shop cross-sell dearer than band_ratio x the
 *                  customer's largest past order line without an evidence
 *                  lift of band_lift (relevance.c)
 *   critical_case  an open severity-1 ticket (no ticket_closed with its ref)
 *   consent        no channel the customer consented to
 *   health         an upsell / cross-sell while health < min_health; for a
 *                  customer of segment unknown (too little data to judge
 *                  loyalty, docs/scores.md) unknown_gate decides instead:
 *                  0 no upsell / cross-sell (downsells and retention go
 *                  on: they protect revenue and need no proof of loyalty),
 *                  1 the health rule on the components with data, 2 no
 *                  offer of any kind
 *   declined       the same product (proposed, or dropped for a downsell that
 *                  removes an add-on) declined within declined_days
 *   frequency      max_contacts offers already sent within contact_days
 *   negative_uplift  the kind is valued by uplift (a qualifying holdout
 *                  experiment, uplift_src.c) and the customer's predicted
 *                  uplift is below 0: contacting would lower the outcome;
 *                  checked last before no_value, so it counts the offers
 *                  every contact rule let through
 *   no_value       expected value <= 0
 * The expert's read (docs/offers.md, "Offers an expert would not send"),
 * checked before any of the above except holdout:
 *   no_benefit     nothing in it for the customer: a term change whose
 *                  saving is under one minor unit a year, or a downsell
 *                  that does not lower the price
 *   not_at_risk    a downsell or retention offer to a customer with no
 *                  cancel request and P(churn) below the risk threshold
 *   low_usage_upsell  an upsell of a family whose usage stayed below
 *                  usage_low for low_days (where the store has usage data)
 * At most max_offers (2) offers per customer per contact: that is the
 * guard limit below.
 * Then, among the survivors:
 *   conflict       never an upsell and a downsell at once: when both
 *                  growth (upsell, cross-sell) and downsell candidates
 *                  survive, growth is suppressed when a surviving downsell
 *                  answers a churn signal (cancel request, churn risk);
 *                  otherwise (low usage only) the side whose best expected
 *                  value is lower (a tie goes to the downsell: keeping the
 *                  customer comes first)
 *   limit          ranked below min(max_offers, max_contacts - recent
 *                  contacts), or a better offer already touches the same
 *                  product family (one offer per family)
 * Ranking (and tie-breaking, so equal input gives equal output): expected
 * value descending, then P(accept) descending, then kind (upsell,
 * cross-sell, downsell), product proposed, product replaced, trigger.
 * Relevance, not price, orders the shop cross-sells among themselves: the
 * places the expected value gives to shop cross-sells (how much a
 * cross-sell is worth against an upsell or a downsell) are refilled with
 * the same cross-sells by relevance (the evidence's confidence x lift,
 * relevance.c) descending, so a dear product with weak evidence never
 * pushes out a cheap one the customer is likelier to want.
 */
#include "offer/offer_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int better(const xs_offer *a, const xs_offer *b)
{
    if (a->ev != b->ev) return a->ev > b->ev;
    if (a->p_accept != b->p_accept) return a->p_accept > b->p_accept;
    if (a->kind != b->kind) return a->kind < b->kind;
    if (a->to_product != b->to_product) return a->to_product < b->to_product;
    if (a->from_product != b->from_product) return a->from_product < b->from_product;
    return a->trigger < b->trigger;
}

static int growth(const xs_offer *x);

/* How well an offer fits the customer's own use or need, 0..1: the
 * utilisation that triggered it, or the uptake share among similar
 * customers; 0 when unknown. */
static double fit(const xs_offer *x)
{
    if (x->limit > 0 && !isnan(x->used)) return x->used / x->limit;
    if (x->prior_src == XS_PRIOR_UPTAKE && x->prior_n)
        return (double)x->prior_k / x->prior_n;
    return 0;
}

/* When every surviving candidate has the same P(accept), the expected
 * value orders by price alone: fit (usage, need) goes first then. */
static int better_fit(const xs_offer *a, const xs_offer *b)
{
    if (!growth(a) || !growth(b)) return better(a, b); /* a cut is the customer's gain */
    double fa = fit(a), fb = fit(b);
    if (fa != fb) return fa > fb;
    return better(a, b);
}

static int ties_on_prior(const xs_offer *o, size_t n)
{
    size_t k = 0;
    double p = 0;
    for (size_t i = 0; i < n; i++) {
        if (o[i].guard != XS_GUARD_NONE) continue;
        if (k++ && o[i].p_accept != p) return 0;
        p = o[i].p_accept;
    }
    return k > 1;
}

/* Output order: offered by rank, then suppressed by guard, then better. */
static int before(const xs_offer *a, const xs_offer *b)
{
    if ((a->guard == XS_GUARD_NONE) != (b->guard == XS_GUARD_NONE))
        return a->guard == XS_GUARD_NONE;
    if (a->guard == XS_GUARD_NONE) return a->rank < b->rank;
    if (a->guard != b->guard) return a->guard < b->guard;
    return better(a, b);
}

/* Moves o[idx[i]] to o[i] for every i (idx a permutation of 0..n-1), in
 * place, one cycle of the permutation at a time: an offer that moves is
 * copied once, plus one copy per cycle; one that stays is not copied. */
static void permute(xs_offer *o, const uint8_t *idx, size_t n)
{
    uint8_t done[XS_OFFER_MAX_CANDIDATES];
    memset(done, 0, n);
    for (size_t i = 0; i < n; i++) {
        if (done[i] || idx[i] == i) continue;
        xs_offer t = o[i];
        size_t j = i;
        while (idx[j] != i) { /* o[idx[j]] is still the old one: read first */
            o[j] = o[idx[j]];
            done[j] = 1;
            j = idx[j];
        }
        o[j] = t;
        done[j] = 1;
    }
}

/* The orderings below sort the indexes at[0..n) of the offers (o itself
 * stays put until the one permute() at the end: offers are 272 bytes).
 * Insertion sort of at by lt, stable: n is small (at most
 * XS_OFFER_MAX_CANDIDATES) and it allocates nothing. */
static void sort_by(const xs_offer *o, uint8_t *at, size_t n,
                    int (*lt)(const xs_offer *, const xs_offer *))
{
    for (size_t i = 1; i < n; i++) {
        uint8_t t = at[i];
        size_t j = i;
        while (j > 0 && lt(&o[t], &o[at[j - 1]])) {
            at[j] = at[j - 1];
            j--;
        }
        at[j] = t;
    }
}

/* Refills the places of the surviving shop cross-sells (at sorted by
 * better) with the same offers by relevance descending (ties: better). */
static void by_relevance(const xs_offer_engine *en, const xs_offer *o, uint8_t *at,
                         size_t n)
{
    uint8_t pos[XS_OFFER_MAX_CANDIDATES], x[XS_OFFER_MAX_CANDIDATES];
    size_t k = 0;
    for (size_t i = 0; i < n && k < XS_OFFER_MAX_CANDIDATES; i++)
        if (o[at[i]].guard == XS_GUARD_NONE && xs__offer_is_shop_cross(en, &o[at[i]]))
            pos[k++] = (uint8_t)i;
    if (k < 2) return;
    for (size_t i = 0; i < k; i++) { /* stable: ties keep the better order */
        uint8_t t = at[pos[i]];
        size_t j = i;
        while (j > 0 && o[x[j - 1]].relevance < o[t].relevance) {
            x[j] = x[j - 1];
            j--;
        }
        x[j] = t;
    }
    for (size_t i = 0; i < k; i++)
        at[pos[i]] = x[i];
}

/* The health gate (the loyalty gate of DESIGN.md): 1 when offer x is held
 * back by the customer's health or, for a customer of segment unknown, by
 * cfg->unknown_gate. */
static int health_gate(const xs_offer_engine *en, const xs__offer_cust *st,
                       const xs_offer *x)
{
    const xs_offer_config *cfg = &en->cfg;
    int grow = x->kind != XS_OFFER_DOWNSELL && x->trigger != XS_TRIG_RETENTION_ADDON;
    if (en->segment && en->segment[st->c] == XS_SEG_UNKNOWN) {
        if (cfg->unknown_gate == 2) return 1;
        if (cfg->unknown_gate != 1) return grow;
    }
    return grow && !(st->health >= cfg->min_health);
}

/* Growth (upsell, cross-sell) as opposed to keeping the customer (a
 * downsell or a protective add-on for a customer at risk). */
static int growth(const xs_offer *x)
{
    return x->kind != XS_OFFER_DOWNSELL && x->trigger != XS_TRIG_RETENTION_ADDON;
}

/* no_benefit: the customer gains nothing. A term change saves less than
 * one minor unit a year (revenue_delta is minus the saving over the
 * horizon); a downsell does not cut what the customer pays. */
static int no_benefit(const xs_offer_engine *en, const xs_offer *x)
{
    double H = en->cfg.horizon_months > 0 ? en->cfg.horizon_months : 12;
    if (x->trigger == XS_TRIG_TERM)
        return !(-x->revenue_delta * 12 / H * en->money_div >= 1 - 1e-9);
    /* monthly instead of annual: the benefit is the flexibility, and the
     * explanation says so ("lets you adjust or stop any month") */
    if (x->kind == XS_OFFER_DOWNSELL && x->from_product >= 0 && x->to_product >= 0 &&
        en->monthly_of[x->from_product] == x->to_product)
        return 0;
    if (x->kind == XS_OFFER_DOWNSELL) return !(x->revenue_delta < 0);
    return 0;
}

/* low_usage_upsell: the family of an upsell has usage data and every point
 * of the last low_days stayed below usage_low of capacity (the points
 * covering at least half of the window), as the low_usage downsell reads
 * it. A family without usage data is never judged. */
static int low_usage(const xs_offer_engine *en, const xs__offer_cust *st,
                     const xs_offer *x)
{
    if (x->kind != XS_OFFER_UPSELL || x->trigger == XS_TRIG_SHOP_UPGRADE) return 0;
    int32_t p = x->to_product >= 0 ? x->to_product : x->from_product;
    if (p < 0) return 0;
    uint16_t f = en->s->prod.family[p];
    for (int i = 0; i < st->n_fam; i++) {
        const xs__offer_fam *y = &st->fam[i];
        if (y->family != f) continue;
        int any = 0, low = 1;
        for (int m = 0; m < y->n_met; m++) {
            if (isnan(y->used[m]) || !(y->cap[m] > 0)) continue;
            any = 1;
            if (isnan(y->wmax[m]) || y->wmax[m] >= en->cfg.usage_low * y->cap[m] ||
                y->wfirst[m] > en->as_of - (int32_t)(en->cfg.low_days / 2))
                low = 0;
        }
        return any && low;
    }
    return 0;
}

static int declined(const xs__offer_cust *st, int32_t p)
{
    if (p < 0) return 0;
    for (int i = 0; i < st->n_declined; i++)
        if ((int32_t)st->declined[i] == p) return 1;
    return 0;
}

void xs__offer_guard(const xs_offer_engine *en, const xs__offer_cust *st, xs_offer *o,
                     size_t n, xs_offer *sorted)
{
    const xs_offer_config *cfg = &en->cfg;
    const struct xs_snapshot *s = en->s;
    double best_grow = -1, best_down = -1;
    int churn_signal = 0;
    for (size_t i = 0; i < n; i++) {
        xs_offer *x = &o[i];
        int grow = growth(x);
        x->rank = 0;
        if (st->holdout >> x->kind & 1u)
            x->guard = XS_GUARD_HOLDOUT;
        else if (no_benefit(en, x))
            x->guard = XS_GUARD_NO_BENEFIT;
        else if ((x->kind == XS_OFFER_DOWNSELL || x->trigger == XS_TRIG_RETENTION_ADDON) &&
                 !xs__offer_at_risk(en, st))
            x->guard = XS_GUARD_NOT_AT_RISK;
        else if (low_usage(en, st, x))
            x->guard = XS_GUARD_LOW_USAGE_UPSELL;
        else if (xs__offer_is_shop_cross(en, x) && x->subst_of >= 0)
            x->guard = XS_GUARD_SUBSTITUTE;
        else if (xs__offer_out_of_band(en, x))
            x->guard = XS_GUARD_PRICE_BAND;
        else if (st->open_critical)
            x->guard = XS_GUARD_CRITICAL_CASE;
        else if (x->channel < 0)
            x->guard = XS_GUARD_CONSENT;
        else if (health_gate(en, st, x))
            x->guard = XS_GUARD_HEALTH;
        else if (declined(st, x->to_product >= 0 ? x->to_product : x->from_product))
            x->guard = XS_GUARD_DECLINED;
        else if ((double)st->recent_offers >= cfg->max_contacts)
            x->guard = XS_GUARD_FREQUENCY;
        else if (x->value_basis == XS_VALUE_UPLIFT && x->uplift < 0)
            x->guard = XS_GUARD_NEGATIVE_UPLIFT;
        else if (!(x->ev > 0))
            x->guard = XS_GUARD_NO_VALUE;
        else
            x->guard = XS_GUARD_NONE;
        if (x->guard != XS_GUARD_NONE) continue;
        if (grow && x->ev > best_grow) best_grow = x->ev;
        if (!grow && x->ev > best_down) best_down = x->ev;
        if (!grow && x->trigger != XS_TRIG_LOW_USAGE) churn_signal = 1;
    }
    if (best_grow > 0 && best_down > 0) {
        int drop_grow = churn_signal || best_down >= best_grow;
        for (size_t i = 0; i < n; i++)
            if (o[i].guard == XS_GUARD_NONE &&
                growth(&o[i]) == drop_grow)
                o[i].guard = XS_GUARD_CONFLICT;
    }
    uint8_t at[XS_OFFER_MAX_CANDIDATES];
    if (n > XS_OFFER_MAX_CANDIDATES) n = XS_OFFER_MAX_CANDIDATES;
    for (size_t i = 0; i < n; i++)
        at[i] = (uint8_t)i;
    sort_by(o, at, n, ties_on_prior(o, n) ? better_fit : better);
    by_relevance(en, o, at, n);
    double slots = cfg->max_offers;
    double left = cfg->max_contacts - (double)st->recent_offers;
    if (left < slots) slots = left;
    uint16_t fams[XS_OFFER_MAX_CANDIDATES];
    int n_f = 0, rank = 0;
    for (size_t i = 0; i < n; i++) {
        xs_offer *x = &o[at[i]];
        if (x->guard != XS_GUARD_NONE) continue;
        int32_t p = x->to_product >= 0 ? x->to_product : x->from_product;
        uint16_t f = s->prod.family[p];
        int dup = 0;
        if (f != XS_SNAP_NONE16)
            for (int k = 0; k < n_f; k++)
                if (fams[k] == f) dup = 1;
        if (dup || (double)rank >= slots) {
            x->guard = XS_GUARD_LIMIT;
            continue;
        }
        if (f != XS_SNAP_NONE16) fams[n_f++] = f;
        x->rank = ++rank;
    }
    sort_by(o, at, n, before);
    if (!sorted) {
        permute(o, at, n);
        return;
    }
    /* one copy of each, no cycles to follow; offers that stay neighbours
     * in one memcpy (whose library copy of a 272-byte offer is several
     * times faster than the string move an assignment compiles to) */
    for (size_t i = 0, k; i < n; i += k) {
        for (k = 1; i + k < n && at[i + k] == at[i] + k; k++)
            ;
        memcpy(&sorted[i], &o[at[i]], k * sizeof *o);
    }
}
