/*
 * cart.c — the cart answer: what to place next to a cart or a product page.
 *
 * A placement is not a contact: nobody is e-mailed or called, the shopper
 * is already buying. So the contact policy of guardrails.c (loyalty /
 * health gate, contact caps, declined cooldowns, consent, critical cases,
 * holdouts) does not apply here, while the relevance rules do: never an
 * item in the cart, bought recently or held, and every proposal backed by
 * purchase evidence, ranked by that evidence and never by price.
 *
 * Evidence. The antecedents are the cart's items (weight 1) and, for a
 * known customer, the products it bought within recent_days (weight 1/2;
 * an anonymous shopper has only the cart). For each antecedent A, every
 * kept order rule A -> B and item-similarity neighbour A ~ B of the engine
 * (rules.c: en->order, en->sim) is a piece of evidence with its confidence
 * P(B in an order | A in it); a pair with both counts once (the rule).
 *
 * Relevance rules (relevance.c): no substitute of a cart item or of the
 * customer's recent purchases, nothing far above its price band without
 * strong evidence.
 *
 * Probability. cart_score() combines the evidence of one candidate B as a
 * noisy-OR, 1 - prod(1 - w_A x P(B | A)): the chance that one of the items
 * pulls B into the basket. It is a probability (in [0, 1]), grows with
 * every supporting item, and for a single antecedent it is the confidence
 * the explanation quotes.
 *
 * Order: the personal ranking model's score for this shopper and cart
 * (engine.c, src/mine/rank.c; the same model as `xsell rank --cart`, so the
 * candidates come out in the order of that ranking), then the probability,
 * then product id (byte order), so equal input gives equal output in the
 * CLI and over HTTP. A store without orders has no model: the probability
 * orders alone.
 */
#include "offer/offer_int.h"

#include "base/alloc.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define HISTORY_WEIGHT 0.5 /* a recent purchase counts half as much as the cart */
#define MAX_HISTORY 64     /* recent purchases used as antecedents */

/* Evidence: antecedent ante (index into the antecedent list) supports
 * product to with confidence conf, from an order rule (sim = 0) or an
 * item-similarity neighbour (sim = 1). */
typedef struct evidence {
    uint32_t to;
    uint32_t ante;
    int sim;
    const xs__offer_rule *r;
} evidence;

typedef struct antecedent {
    uint32_t product;
    double weight;
    int from_cart;
} antecedent;

static int cmp_u32(const void *pa, const void *pb)
{
    uint32_t a = *(const uint32_t *)pa, b = *(const uint32_t *)pb;
    return (a > b) - (a < b);
}

static int cmp_evidence(const void *pa, const void *pb)
{
    const evidence *a = pa, *b = pb;
    if (a->to != b->to) return a->to < b->to ? -1 : 1;
    if (a->ante != b->ante) return a->ante < b->ante ? -1 : 1;
    return a->sim - b->sim; /* the order rule of a pair first */
}

static int has(const uint32_t *sorted, size_t n, uint32_t x)
{
    return n && bsearch(&x, sorted, n, sizeof x, cmp_u32) != NULL;
}

/*
 * The relevance score of candidate B from its evidence e[0..n) (one per
 * antecedent, sorted by antecedent): noisy-OR of weight x confidence (see
 * the file comment). The single scoring function of the cart answer.
 */
static double cart_score(const xs_offer_engine *en, const antecedent *ante,
                         const evidence *e, size_t n)
{
    (void)en;
    double miss = 1;
    for (size_t i = 0; i < n; i++) {
        double p = ante[e[i].ante].weight * e[i].r->confidence;
        if (p > 1) p = 1;
        if (p > 0) miss *= 1 - p;
    }
    return 1 - miss;
}

/* Ranking: score descending, then product id. */
static int better(const xs_offer_engine *en, const xs_offer *a, const xs_offer *b)
{
    if (a->relevance != b->relevance) return a->relevance > b->relevance;
    if (a->p_accept != b->p_accept) return a->p_accept > b->p_accept;
    return strcmp(xs__intern_str(&en->s->prod.ids, (uint32_t)a->to_product),
                  xs__intern_str(&en->s->prod.ids, (uint32_t)b->to_product)) < 0;
}

/* Keeps o[0..*n) the best cap offers in rank order, adding x. */
static void keep_best(const xs_offer_engine *en, xs_offer *o, size_t *n, size_t cap,
                      const xs_offer *x)
{
    size_t i = *n;
    if (i == cap) {
        if (!cap || !better(en, x, &o[cap - 1])) return;
        i = cap - 1;
    } else {
        (*n)++;
    }
    while (i > 0 && better(en, x, &o[i - 1])) {
        o[i] = o[i - 1];
        i--;
    }
    o[i] = *x;
}

/* Revenue of one unit of p over the horizon (a one-off product: its price). */
static double horizon_rev(const xs_offer_engine *en, uint32_t p)
{
    if (en->s->prod.billing[p] == XS_SNAP_BILL_ONCE)
        return (double)en->s->prod.price[p] / en->money_div;
    return en->monthly[p] * en->cfg.horizon_months;
}

/* The antecedents: the cart's items (weight 1), then for a known customer
 * c the products it bought within recent_days (weight 1/2, at most
 * MAX_HISTORY); each is also never proposed (skip, sorted). */
static void antecedents(const xs_offer_engine *en, uint32_t c, const uint32_t *cart,
                        size_t n_cart, antecedent *ante, size_t *n_ante, uint32_t *skip,
                        size_t *n_skip)
{
    const struct xs_snapshot *s = en->s;
    for (size_t k = 0; k < n_cart; k++) {
        if (cart[k] >= s->prod.n) continue;
        size_t j = 0;
        while (j < *n_ante && ante[j].product != cart[k])
            j++;
        if (j < *n_ante) continue; /* an item twice counts once */
        ante[(*n_ante)++] = (antecedent){cart[k], 1.0, 1};
        skip[(*n_skip)++] = cart[k];
    }
    if (c != XS_OFFER_ANONYMOUS) {
        int32_t rlo = en->as_of - (int32_t)en->cfg.recent_days;
        size_t n_hist = 0;
        for (uint32_t o = s->cust.order_off[c]; o < s->cust.order_off[c + 1]; o++) {
            if (s->ord.date[o] > en->as_of || s->ord.date[o] <= rlo) continue;
            for (uint32_t l = s->ord.line_off[o]; l < s->ord.line_off[o + 1]; l++) {
                uint32_t p = s->ord.product[l];
                size_t j = 0;
                while (j < *n_ante && ante[j].product != p)
                    j++;
                if (j < *n_ante || n_hist == MAX_HISTORY) continue;
                ante[(*n_ante)++] = (antecedent){p, HISTORY_WEIGHT, 0};
                skip[(*n_skip)++] = p;
                n_hist++;
            }
        }
    }
    if (*n_skip) qsort(skip, *n_skip, sizeof *skip, cmp_u32);
}

/* The families customer c holds a plan of (their plans and add-ons are
 * upsells, not placements) into fams; returns their number. */
static size_t held_families(const xs_offer_engine *en, uint32_t c,
                            uint16_t fams[XS__OFFER_MAX_FAM])
{
    const struct xs_snapshot *s = en->s;
    size_t n_fam = 0;
    if (c == XS_OFFER_ANONYMOUS) return 0;
    for (uint32_t r = s->cust.sub_off[c]; r < s->cust.sub_off[c + 1]; r++) {
        if (!xs__snapshot_sub_active(s, r, en->as_of)) continue;
        uint16_t f = s->prod.family[s->sub.product[r]];
        size_t j = 0;
        while (j < n_fam && fams[j] != f)
            j++;
        if (f != XS_SNAP_NONE16 && j == n_fam && n_fam < XS__OFFER_MAX_FAM)
            fams[n_fam++] = f;
    }
    return n_fam;
}

/* Every piece of evidence of the antecedents (order rules, then
 * neighbours), grouped by candidate: *ev (grown, caller frees), *n_ev.
 * XS_OK or XS_ENOMEM. */
static int gather_evidence(const xs_offer_engine *en, const antecedent *ante,
                           size_t n_ante, const uint32_t *skip, size_t n_skip,
                           evidence **ev, size_t *n_ev)
{
    const struct xs_snapshot *s = en->s;
    size_t cap_ev = 0;
    for (size_t a = 0; a < n_ante; a++) {
        const xs__offer_rules *tabs[2] = {&en->order, &en->sim};
        uint32_t p = ante[a].product;
        for (int t = 0; t < 2; t++) {
            const xs__offer_rules *R = tabs[t];
            if (!R->off) continue;
            for (uint32_t r = R->off[p]; r < R->off[p + 1]; r++) {
                uint32_t to = R->r[r].to;
                if (to >= s->prod.n || has(skip, n_skip, to)) continue;
                if (xs__grow(ev, &cap_ev, *n_ev + 1, sizeof **ev) < 0) return XS_ENOMEM;
                (*ev)[(*n_ev)++] = (evidence){to, (uint32_t)a, t, &R->r[r]};
            }
        }
    }
    if (*n_ev) qsort(*ev, *n_ev, sizeof **ev, cmp_evidence);
    return XS_OK;
}

/* The placement of product `to` for customer c from its evidence e[0..n_e)
 * (one piece per antecedent): the strongest piece explains it, the
 * noisy-OR scores it. */
static void placement(const xs_offer_engine *en, uint32_t c, const antecedent *ante,
                      const evidence *e, size_t n_e, uint32_t to, const xs__offer_shop *h,
                      xs_offer *x)
{
    const evidence *best = &e[0];
    for (size_t k = 1; k < n_e; k++) {
        double wb = ante[best->ante].weight * best->r->confidence;
        double wk = ante[e[k].ante].weight * e[k].r->confidence;
        if (wk > wb) best = &e[k];
    }
    const antecedent *A = &ante[best->ante];
    memset(x, 0, sizeof *x);
    x->customer = c;
    x->kind = XS_OFFER_CROSS_SELL;
    x->trigger = best->sim      ? XS_TRIG_SIMILAR
                 : A->from_cart ? XS_TRIG_CART
                                : XS_TRIG_PURCHASE;
    x->from_product = -1;
    x->to_product = (int32_t)to;
    x->channel = 1; /* in_app: a placement */
    x->timing = en->as_of;
    x->p_accept = cart_score(en, ante, e, n_e);
    x->p_prior = best->r->confidence;
    x->p_churn = NAN;
    x->revenue_delta = x->value = horizon_rev(en, to);
    x->ev = x->p_accept * x->value;
    x->guard = XS_GUARD_NONE;
    x->used = x->limit = NAN;
    x->metric = -1;
    x->support = best->r->support;
    x->confidence = best->r->confidence;
    x->lift = best->r->lift;
    x->rule_from = (int32_t)A->product;
    x->lag_days = -1;
    x->subst_of = -1;
    x->band_hi = h ? h->max_line : 0;
}

/* Contract in xsell.h. */
int xs_offer_cart(const xs_offer_engine *en, const char *customer_id,
                  const uint32_t *cart, size_t n_cart, xs_offer *out, size_t cap)
{
    const struct xs_snapshot *s = en->s;
    uint32_t c = XS_OFFER_ANONYMOUS;
    if (customer_id) {
        uint32_t id = xs__intern_find(&s->cust.ids, customer_id, strlen(customer_id));
        if (id != XS_INTERN_NONE && id < s->cust.n) c = id;
    }
    size_t n_ante_max = n_cart + MAX_HISTORY;
    antecedent *ante = xs__malloc((n_ante_max + 1) * sizeof *ante);
    /* never proposed: the cart, recent purchases, active subscriptions */
    uint32_t *skip = xs__malloc((n_ante_max + 1) * sizeof *skip);
    uint16_t fams[XS__OFFER_MAX_FAM];
    size_t n_ante = 0, n_skip = 0, n_ev = 0, n_out = 0;
    evidence *ev = NULL;
    double *score = NULL;
    xs__offer_shop *h = NULL;
    int rc = XS_ENOMEM, ranked = 0;
    if (!ante || !skip) goto cleanup;
    antecedents(en, c, cart, n_cart, ante, &n_ante, skip, &n_skip);
    size_t n_fam = held_families(en, c, fams);
    if (gather_evidence(en, ante, n_ante, skip, n_skip, &ev, &n_ev) < 0) goto cleanup;
    /* the order: the personal ranking model's score for this shopper and
     * cart; the relevance rules: the shopper's history with the cart */
    if (n_ev && en->rank) {
        if (!(score = xs__malloc((s->prod.n + 1) * sizeof *score))) goto cleanup;
        int r = xs__offer_rank_scores(en, c == XS_OFFER_ANONYMOUS ? XS_RANK_NONE : c, cart,
                                      n_cart, score);
        if (r < 0) goto cleanup;
        ranked = r == 1;
    }
    if (n_ev && c != XS_OFFER_ANONYMOUS) {
        if (!(h = xs__malloc(sizeof *h))) goto cleanup;
        xs__offer_shop_gather(en, c, cart, n_cart, h);
    }
    int32_t since = en->as_of - (int32_t)en->cfg.subst_days;
    for (size_t i = 0; i < n_ev;) {
        size_t j = i, m = i;
        uint32_t to = ev[i].to;
        /* one piece per antecedent (the rule before the neighbour) */
        while (j < n_ev && ev[j].to == to) {
            if (j == i || ev[j].ante != ev[j - 1].ante) ev[m++] = ev[j];
            j++;
        }
        size_t n_e = m - i;
        const evidence *e = ev + i;
        i = j;
        uint16_t f = s->prod.family[to];
        int held = 0;
        for (size_t k = 0; k < n_fam; k++)
            if (fams[k] == f) held = 1;
        if (held) continue;
        /* the relevance rules: no substitute of a cart item or a recent
         * purchase, nothing far above the shopper's price band */
        int subst = 0;
        if (h)
            subst = xs__offer_substitute_of(en, c, h, to, since) >= 0;
        else
            for (size_t k = 0; k < n_cart && !subst; k++)
                subst = cart[k] < s->prod.n && xs__offer_is_substitute(en, to, cart[k], NULL);
        if (subst) continue;
        xs_offer x;
        placement(en, c, ante, e, n_e, to, h, &x);
        if (xs__offer_out_of_band(en, &x)) continue;
        x.relevance = ranked && score[to] > 0 ? score[to] : 0;
        keep_best(en, out, &n_out, cap, &x);
    }
    for (size_t i = 0; i < n_out; i++)
        out[i].rank = (int)i + 1;
    rc = (int)n_out;
cleanup:
    xs__free(ante);
    xs__free(skip);
    xs__free(ev);
    xs__free(score);
    xs__free(h);
    return rc;
}

/* Contract in xsell.h. */
int xs_offer_cart_table_columns(xs_table *t)
{
    static const char *const cols[] = {"customer_id", "rank",       "product",
                                       "trigger",     "because",    "probability",
                                       "confidence",  "explanation"};
    static const xs_coltype type[] = {XS_COL_TEXT, XS_COL_NUM, XS_COL_TEXT, XS_COL_TEXT,
                                      XS_COL_TEXT, XS_COL_NUM, XS_COL_NUM,  XS_COL_TEXT};
    for (size_t i = 0; i < sizeof cols / sizeof cols[0]; i++)
        if (xs_table_column(t, cols[i], type[i]) < 0) return XS_ENOMEM;
    return XS_OK;
}

/* Contract in xsell.h. */
int xs_offer_cart_table(const xs_offer_engine *en, const xs_offer *o, size_t n,
                        const char *lang, xs_table *t)
{
    if (lang && strcmp(lang, "en") && strcmp(lang, "ja")) return XS_EINVAL;
    const struct xs_snapshot *s = en->s;
    char text[1024];
    for (size_t i = 0; i < n; i++) {
        const xs_offer *x = &o[i];
        int rc = 0;
        rc |= xs_table_row(t);
        rc |= xs_table_cell(t, x->customer < s->cust.n
                                   ? xs__intern_str(&s->cust.ids, x->customer)
                                   : NULL);
        rc |= xs_table_cellf(t, "%d", x->rank);
        rc |= xs_table_cell(t, xs__intern_str(&s->prod.ids, (uint32_t)x->to_product));
        rc |= xs_table_cell(t, xs_offer_trigger_name(x->trigger));
        rc |= xs_table_cell(t, x->rule_from >= 0
                                   ? xs__intern_str(&s->prod.ids, (uint32_t)x->rule_from)
                                   : NULL);
        rc |= xs_table_cellf(t, "%.4f", x->p_accept);
        rc |= xs_table_cellf(t, "%.4f", x->confidence);
        rc |= xs_table_cell(t, xs_offer_explain(en, x, lang, text, sizeof text));
        if (rc) return XS_ENOMEM;
    }
    return XS_OK;
}
