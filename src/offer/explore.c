/*
 * explore.c — the exploration step of the offer engine: which eligible
 * candidate each slot of a customer's decision offers, and with what
 * probability (docs/replay.md).
 *
 * After the guardrails (guardrails.c) the engine's ranking offers the best
 * candidates, one per product family, up to the per-customer limit: the
 * greedy policy. Logged that way every offer has propensity 1 and no other
 * strategy could ever be evaluated on the log. Here each slot (rank 1, 2,
 * ...) is decided again among its eligible candidates — offered or held
 * back only by `limit`, not taken by an earlier slot (itself or its
 * family) — by the policy of xs_policy_probs(): a random control share, an
 * epsilon-greedy share per kind, Thompson sampling per kind, else the
 * greedy choice. Guardrails are never overridden: exploration only picks
 * among what they let through. With every setting off the decision is the
 * greedy one and o[] is left exactly as the guardrails sorted it.
 *
 * The same xs_policy_probs() gives replay (src/measure/replay_run.c) the
 * replayed policy's probabilities over the logged candidates, so logging
 * and replay cannot disagree on what a setting means.
 */
#include "offer/offer_int.h"

#include "base/alloc.h"
#include "base/buf.h"
#include "base/date.h"
#include "base/error.h"
#include "base/hash.h"
#include "base/rng.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define THOMPSON_DRAWS 256
#define AUTO_CONTROL 0.02 /* control_share -1 when the decision is logged */

const char *xs_decision_how_name(xs_decision_how h)
{
    static const char *const n[] = {"greedy", "explore", "control"};
    return (unsigned)h < 3 ? n[h] : "";
}

/* ---------------------------------------------------------------------- */
/* Settings                                                               */
/* ---------------------------------------------------------------------- */

static double control_of(const xs_offer_config *cfg, int logged)
{
    if (cfg->control_share < 0) return logged ? AUTO_CONTROL : 0;
    return cfg->control_share;
}

static double epsilon_of(const xs_offer_config *cfg, xs_offer_kind k)
{
    return k == XS_OFFER_UPSELL       ? cfg->epsilon_upsell
           : k == XS_OFFER_CROSS_SELL ? cfg->epsilon_cross_sell
                                      : cfg->epsilon_downsell;
}

static int thompson_of(const xs_offer_config *cfg, xs_offer_kind k)
{
    double t = k == XS_OFFER_UPSELL       ? cfg->thompson_upsell
               : k == XS_OFFER_CROSS_SELL ? cfg->thompson_cross_sell
                                          : cfg->thompson_downsell;
    return t > 0;
}

/* Contract in offer_int.h. */
int xs__offer_explore_check(const xs_offer_config *cfg, const char *option, xs_error *err)
{
    const struct {
        const char *name;
        double v;
        int binary;
    } f[] = {
        {"control_share", cfg->control_share, 0},
        {"epsilon_upsell", cfg->epsilon_upsell, 0},
        {"epsilon_cross_sell", cfg->epsilon_cross_sell, 0},
        {"epsilon_downsell", cfg->epsilon_downsell, 0},
        {"thompson_upsell", cfg->thompson_upsell, 1},
        {"thompson_cross_sell", cfg->thompson_cross_sell, 1},
        {"thompson_downsell", cfg->thompson_downsell, 1},
    };
    for (size_t i = 0; i < sizeof f / sizeof f[0]; i++) {
        if (i == 0 && f[i].v == -1) continue; /* the default: auto */
        if (f[i].binary && f[i].v != 0 && f[i].v != 1)
            return xs__error_set(err, XS_EINVAL, NULL, 0, option,
                                 "%s: expected 0 (off) or 1 (on), got %g", f[i].name,
                                 f[i].v);
        if (!f[i].binary && !(f[i].v >= 0 && f[i].v <= 1))
            return xs__error_set(err, XS_EINVAL, NULL, 0, option,
                                 "%s: expected a share from 0 to 1, got %g", f[i].name,
                                 f[i].v);
    }
    return XS_OK;
}

/* Contract in xsell.h. */
const char *xs_policy_text(const xs_offer_config *cfg, int logged, char *buf, size_t n)
{
    snprintf(buf, n,
             "control_share=%g,epsilon_upsell=%g,epsilon_cross_sell=%g,"
             "epsilon_downsell=%g,thompson_upsell=%g,thompson_cross_sell=%g,"
             "thompson_downsell=%g,explore_seed=%g,max_offers=%g,min_health=%g",
             control_of(cfg, logged), cfg->epsilon_upsell, cfg->epsilon_cross_sell,
             cfg->epsilon_downsell, cfg->thompson_upsell, cfg->thompson_cross_sell,
             cfg->thompson_downsell, cfg->explore_seed, cfg->max_offers, cfg->min_health);
    return buf;
}

/* ---------------------------------------------------------------------- */
/* The policy of one slot                                                 */
/* ---------------------------------------------------------------------- */

/* A Gamma(shape, 1) draw (Marsaglia and Tsang; shape < 1 boosted by
 * U^(1/shape)). */
static double gamma_draw(xs__rng *r, double shape)
{
    if (shape < 1) {
        double u = xs__rng_uniform(r);
        return gamma_draw(r, shape + 1) * pow(u > 0 ? u : 1e-300, 1 / shape);
    }
    double d = shape - 1.0 / 3, c = 1 / sqrt(9 * d);
    for (;;) {
        double x = xs__rng_normal(r), v = 1 + c * x;
        if (v <= 0) continue;
        v = v * v * v;
        double u = xs__rng_uniform(r);
        if (u < 1 - 0.0331 * x * x * x * x) return d * v;
        if (log(u > 0 ? u : 1e-300) < 0.5 * x * x + d * (1 - v + log(v))) return d * v;
    }
}

/* A Beta(p m, (1 - p) m) draw: P(accept) around p with m pseudo-counts. */
static double beta_draw(xs__rng *r, double p, double m)
{
    if (!(m > 0)) return p;
    double lo = 1e-3; /* a point mass at 0 or 1 is no posterior */
    double a = (p < lo ? lo : p > 1 - lo ? 1 - lo : p) * m;
    double b = m - a;
    double x = gamma_draw(r, a), y = gamma_draw(r, b);
    return x + y > 0 ? x / (x + y) : p;
}

/* Contract in xsell.h. */
int xs_policy_probs(const xs_offer_config *cfg, int logged, xs_policy_cand *c, size_t n,
                    uint64_t seed)
{
    if (!n) return XS_EINVAL;
    double ctl = control_of(cfg, logged), eps = epsilon_of(cfg, c[0].kind);
    int any_ts = 0;
    for (size_t i = 0; i < n; i++) {
        c[i].prob = 0;
        if (thompson_of(cfg, c[i].kind)) any_ts = 1;
    }
    /* the inner choice: Thompson's share of wins, or the greedy one */
    if (any_ts && n > 1) {
        xs__rng r;
        xs__rng_seed(&r, seed);
        for (int t = 0; t < THOMPSON_DRAWS; t++) {
            size_t best = 0;
            double best_s = -INFINITY;
            for (size_t i = 0; i < n; i++) {
                double s = thompson_of(cfg, c[i].kind)
                               ? beta_draw(&r, c[i].p_accept, c[i].strength) * c[i].value
                               : c[i].ev;
                if (s > best_s) best_s = s, best = i; /* ties: the better ranked */
            }
            c[best].prob += 1.0 / THOMPSON_DRAWS;
        }
    } else {
        c[0].prob = 1;
    }
    double uni = ctl + (1 - ctl) * eps; /* the uniform share */
    for (size_t i = 0; i < n; i++)
        c[i].prob = uni / (double)n + (1 - uni) * c[i].prob;
    return uni > 0 || (any_ts && n > 1 && c[0].prob < 1) ? 1 : 0;
}

/* Contract in xsell.h. The parts of [0, 1): control [0, ctl), exploration
 * [ctl, ctl + (1 - ctl) eps), then the inner choice; each part is mapped
 * back onto [0, 1) to pick within it. */
size_t xs_policy_choose(const xs_offer_config *cfg, int logged, const xs_policy_cand *c,
                        size_t n, double u, xs_decision_how *how)
{
    double ctl = control_of(cfg, logged), eps = epsilon_of(cfg, c[0].kind);
    double uni = ctl + (1 - ctl) * eps;
    if (n == 0) return 0;
    if (u < ctl || u < uni) {
        if (how) *how = u < ctl ? XS_HOW_CONTROL : XS_HOW_EXPLORE;
        size_t i = (size_t)(u / uni * (double)n);
        return i < n ? i : n - 1;
    }
    /* the inner distribution: (prob - uni / n) / (1 - uni) */
    double v = (u - uni) / (1 - uni), acc = 0;
    size_t pick = 0;
    for (size_t i = 0; i < n; i++) {
        double inner = (c[i].prob - uni / (double)n) / (1 - uni);
        if (inner <= 0) continue;
        pick = i;
        acc += inner;
        if (v < acc) break;
    }
    /* the inner choice is the greedy one unless Thompson spreads it */
    if (how)
        *how = (c[0].prob - uni / (double)n) / (1 - uni) > 1 - 1e-12 ? XS_HOW_GREEDY
                                                                     : XS_HOW_EXPLORE;
    return pick;
}

/* ---------------------------------------------------------------------- */
/* The slots of one customer's decision                                   */
/* ---------------------------------------------------------------------- */

static int eligible(const xs_offer *x)
{
    return x->guard == XS_GUARD_NONE || x->guard == XS_GUARD_LIMIT;
}

static uint16_t family_of(const xs_offer_engine *en, const xs_offer *x)
{
    return xs__offer_family(en->s, x->to_product >= 0 ? x->to_product : x->from_product);
}

/* The Thompson pseudo-count of an offer of kind k: the prior's strength
 * plus the decided offers of that kind the model learnt from. */
static double strength_of(const xs_offer_engine *en, xs_offer_kind k)
{
    return en->cfg.prior_strength + (en->fitted ? (double)en->n_hist[k] : 0);
}

/* The seed of customer c's draws on the engine's day. */
static uint64_t seed_of(const xs_offer_engine *en, uint32_t c)
{
    const char *id = xs__intern_str(&en->s->cust.ids, c);
    uint64_t base = xs__mix64((uint64_t)(int64_t)en->as_of * 0x9e3779b97f4a7c15ULL ^
                              (uint64_t)en->cfg.explore_seed);
    return xs__hash_bytes(id, strlen(id), base);
}

/* Order of o after exploration: offered by rank, then the others by guard,
 * ties in their current order. */
static int after(const xs_offer *a, const xs_offer *b)
{
    if ((a->rank > 0) != (b->rank > 0)) return a->rank > 0;
    if (a->rank > 0) return a->rank < b->rank;
    return a->guard < b->guard;
}

/* Contract in offer_int.h. */
size_t xs__offer_explore(const xs_offer_engine *en, uint32_t customer, xs_offer *o,
                         size_t n, int logged, xs_decision *d, size_t cap_d)
{
    const xs_offer_config *cfg = &en->cfg;
    size_t slots = 0;
    for (size_t i = 0; i < n; i++) {
        o[i].propensity = 0;
        if (o[i].rank > 0) slots++;
    }
    if (!slots) return 0;
    uint64_t seed = seed_of(en, customer);
    /* only the n entries in use are cleared (the whole arrays were 1 kB of
     * string stores on every decision) */
    int taken[XS_OFFER_MAX_CANDIDATES], new_rank[XS_OFFER_MAX_CANDIDATES];
    double prop[XS_OFFER_MAX_CANDIDATES];
    memset(taken, 0, n * sizeof *taken);
    memset(new_rank, 0, n * sizeof *new_rank);
    memset(prop, 0, n * sizeof *prop);
    uint16_t fams[XS_OFFER_MAX_CANDIDATES];
    size_t n_f = 0, n_dec = 0;
    int changed = 0;
    for (size_t k = 1; k <= slots; k++) {
        /* the slot's eligible candidates, in the engine's ranking order */
        int at[XS_OFFER_MAX_CANDIDATES];
        xs_policy_cand pc[XS_OFFER_MAX_CANDIDATES];
        size_t m = 0;
        for (size_t i = 0; i < n; i++) {
            if (!eligible(&o[i]) || taken[i]) continue;
            uint16_t f = family_of(en, &o[i]);
            int dup = 0;
            for (size_t j = 0; j < n_f && f != XS_SNAP_NONE16; j++)
                if (fams[j] == f) dup = 1;
            if (dup) continue;
            at[m] = (int)i;
            pc[m].kind = o[i].kind;
            pc[m].p_accept = o[i].p_accept;
            pc[m].value = o[i].value;
            pc[m].ev = o[i].ev;
            pc[m].strength = strength_of(en, o[i].kind);
            m++;
        }
        if (!m) break; /* cannot happen: a greedy family is always left */
        uint64_t sk = xs__mix64(seed + k);
        xs_policy_probs(cfg, logged, pc, m, sk);
        xs__rng r;
        xs__rng_seed(&r, xs__mix64(sk ^ 0x5bd1e995u));
        xs_decision_how how = XS_HOW_GREEDY;
        size_t pick = xs_policy_choose(cfg, logged, pc, m, xs__rng_uniform(&r), &how);
        int i = at[pick];
        if (o[i].rank != (int)k) changed = 1;
        taken[i] = 1;
        new_rank[i] = (int)k;
        prop[i] = pc[pick].prob;
        uint16_t f = family_of(en, &o[i]);
        if (f != XS_SNAP_NONE16) fams[n_f++] = f;
        if (d && n_dec < cap_d) {
            xs_decision *x = &d[n_dec++];
            x->slot = (int)k;
            x->how = how;
            x->n_cand = m;
            x->chosen = (int)pick;
            for (size_t j = 0; j < m; j++) {
                x->cand[j] = at[j];
                x->prob[j] = pc[j].prob;
            }
        }
    }
    for (size_t i = 0; i < n; i++) {
        o[i].propensity = prop[i];
        if (!changed) continue;
        if (new_rank[i]) {
            o[i].rank = new_rank[i];
            o[i].guard = XS_GUARD_NONE;
        } else if (o[i].guard == XS_GUARD_NONE) {
            o[i].rank = 0;
            o[i].guard = XS_GUARD_LIMIT;
        }
    }
    if (!changed) return n_dec;
    /* re-sort (insertion, stable), carrying the decisions' indexes along */
    int pos[XS_OFFER_MAX_CANDIDATES]; /* pos[old index] = new index */
    int idx[XS_OFFER_MAX_CANDIDATES]; /* idx[new index] = old index */
    for (size_t i = 0; i < n; i++)
        idx[i] = (int)i;
    for (size_t i = 1; i < n; i++) {
        int t = idx[i];
        size_t j = i;
        while (j > 0 && after(&o[t], &o[idx[j - 1]])) {
            idx[j] = idx[j - 1];
            j--;
        }
        idx[j] = t;
    }
    xs_offer tmp[XS_OFFER_MAX_CANDIDATES];
    for (size_t i = 0; i < n; i++) {
        tmp[i] = o[idx[i]];
        pos[idx[i]] = (int)i;
    }
    memcpy(o, tmp, n * sizeof *o);
    for (size_t k = 0; k < n_dec; k++)
        for (size_t j = 0; j < d[k].n_cand; j++)
            d[k].cand[j] = pos[d[k].cand[j]];
    return n_dec;
}

/* ---------------------------------------------------------------------- */
/* Decision records                                                       */
/* ---------------------------------------------------------------------- */

static void put_num(xs__buf *s, double v)
{
    if (isfinite(v))
        xs__buf_printf(s, "%.10g", v);
    else
        xs__buf_add(s, "null", 4);
}

/* Contract in xsell.h. */
int xs_decision_fill(const xs_offer_engine *en, const xs_offer *o, const xs_decision *d,
                     const char *source, xs_decision_record *r)
{
    const struct xs_snapshot *s = en->s;
    xs__buf b = {0};
    memset(r, 0, sizeof *r);
    xs__buf_adds(&b, "[");
    for (size_t j = 0; j < d->n_cand; j++) {
        const xs_offer *x = &o[d->cand[j]];
        int32_t p = x->to_product >= 0 ? x->to_product : x->from_product;
        xs__buf_adds(&b, j ? ",{\"kind\":" : "{\"kind\":");
        xs__buf_json_cstr(&b, xs_offer_kind_key(x->kind));
        xs__buf_adds(&b, ",\"trigger\":");
        xs__buf_json_cstr(&b, xs_offer_trigger_name(x->trigger));
        xs__buf_adds(&b, ",\"product\":");
        xs__buf_json_cstr(&b, p >= 0 ? xs__intern_str(&s->prod.ids, (uint32_t)p) : "");
        xs__buf_adds(&b, ",\"from\":");
        xs__buf_json_cstr(&b,
                          x->from_product >= 0 && x->to_product >= 0
                              ? xs__intern_str(&s->prod.ids, (uint32_t)x->from_product)
                              : "");
        xs__buf_adds(&b, ",\"channel\":");
        xs__buf_json_cstr(&b, xs_offer_channel_name(x->channel));
        xs__buf_adds(&b, ",\"p_accept\":");
        put_num(&b, x->p_accept);
        xs__buf_adds(&b, ",\"value\":");
        put_num(&b, x->value);
        xs__buf_adds(&b, ",\"ev\":");
        put_num(&b, x->ev);
        xs__buf_adds(&b, ",\"strength\":");
        put_num(&b, strength_of(en, x->kind));
        xs__buf_adds(&b, ",\"health\":");
        put_num(&b, en->health ? en->health[x->customer] : NAN);
        xs__buf_adds(&b,
                     x->kind != XS_OFFER_DOWNSELL && x->trigger != XS_TRIG_RETENTION_ADDON
                         ? ",\"growth\":true"
                         : ",\"growth\":false");
        xs__buf_adds(&b, ",\"prob\":");
        put_num(&b, d->prob[j]);
        xs__buf_adds(&b, "}");
    }
    xs__buf_adds(&b, "]");
    char *candidates = xs__buf_take(&b, NULL);
    if (!candidates) return XS_ENOMEM;
    const xs_offer *c = &o[d->cand[d->chosen]];
    r->customer_id = xs__intern_str(&s->cust.ids, c->customer);
    xs_offer_engine_as_of(en, r->decided_at);
    r->slot = d->slot;
    r->source = source;
    r->how = xs_decision_how_name(d->how);
    r->chosen = d->chosen;
    r->propensity = d->prob[d->chosen];
    r->offer = -1;
    r->candidates = candidates;
    return XS_OK;
}

/* Contract in xsell.h. */
void xs_decision_record_clear(xs_decision_record *r)
{
    if (!r) return;
    xs__free(r->candidates);
    r->candidates = NULL;
}
