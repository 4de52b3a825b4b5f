/*
 * gather.c — one customer's facts for a decision (offer_int.h
 * xs__offer_gather).
 *
 * Reads the customer's rows of the snapshot (CSR ranges, no allocation)
 * into a xs__offer_cust: the families held at as_of with their plan, seat
 * packs, add-ons, monthly revenue, capacity per limit metric (sum of limit x
 * quantity over the family's active subscriptions) and usage (latest point,
 * maximum over the last low_days days); the signals of the events (open
 * critical ticket, cancel request, onboarding, renewal decision); the offers
 * history (contacts in the last contact_days, products declined in the last
 * declined_days, accepted vs model-expected past offers). candidates.c turns
 * these facts into candidates.
 */
#include "offer/offer_int.h"

#include <math.h>
#include <string.h>

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

/* Subscriptions: the families active at as_of, and when each began. */
static void gather_subs(const xs_offer_engine *en, uint32_t c, xs__offer_cust *st)
{
    const struct xs_snapshot *s = en->s;
    int32_t as_of = en->as_of;
    for (uint32_t r = s->cust.sub_off[c]; r < s->cust.sub_off[c + 1]; r++) {
        if (!xs__snapshot_sub_active(s, r, as_of)) continue;
        uint32_t p = s->sub.product[r];
        uint16_t f = s->prod.family[p];
        if (f == XS_SNAP_NONE16) continue;
        int k = fam_slot(st, f);
        if (k < 0) continue;
        xs__offer_fam *x = &st->fam[k];
        x->monthly += xs__snapshot_sub_mrr(s, r) / en->money_div;
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
}

/* Usage: the latest point and the window maximum per (family, metric). */
static void gather_usage(const xs_offer_engine *en, uint32_t c, xs__offer_cust *st)
{
    const struct xs_snapshot *s = en->s;
    int32_t as_of = en->as_of;
    int32_t wlo = as_of - (int32_t)en->cfg.low_days;
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
}

/* Events: cancel request, onboarding, renewal decision, and whether a
 * critical ticket is still open. */
static void gather_events(const xs_offer_engine *en, uint32_t c, xs__offer_cust *st)
{
    const struct xs_snapshot *s = en->s;
    const xs_offer_config *cfg = &en->cfg;
    int32_t as_of = en->as_of;
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
}

/* The offers history: recent contacts, recent declines, and accepted
 * against model-expected past offers. */
static void gather_offers(const xs_offer_engine *en, uint32_t c, xs__offer_cust *st)
{
    const struct xs_snapshot *s = en->s;
    const xs_offer_config *cfg = &en->cfg;
    int32_t as_of = en->as_of;
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
}

/* Contract in offer_int.h. */
void xs__offer_gather(const xs_offer_engine *en, uint32_t c, xs__offer_cust *st)
{
    const struct xs_snapshot *s = en->s;
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
    gather_subs(en, c, st);
    gather_usage(en, c, st);
    gather_events(en, c, st);
    gather_offers(en, c, st);
    st->p_churn = NAN;
    if (en->cfg.churn_p) st->p_churn = en->cfg.churn_p[c];
    if (isnan(st->p_churn) && en->churn) st->p_churn = en->churn[c];
    if (isnan(st->p_churn)) st->p_churn = xs__offer_churn_estimate(en, st);
}
