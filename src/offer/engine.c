/*
 * engine.c — the offer engine's shared state and the per-customer decision.
 *
 * xs_offer_engine_new() computes once what every decision reads: the
 * health / segment / LTV of each customer (through the small adapter
 * below, the one place that knows the score module's API), the product
 * ladders (next / previous tier, annual and monthly variants, seat packs,
 * entry plans), the prices paid for longer terms, the rules and adoption
 * lags (rules.c) and the propensity model (value.c). xs_offer_decide()
 * runs gather -> candidates -> value -> guardrails for one customer on the
 * stack. xs_offer_decide_all() does it
 * for everyone, optionally on several threads (each decides a contiguous
 * block; the callback still sees customers in order).
 */
#include "offer/offer_int.h"

#include "base/alloc.h"
#include "base/date.h"
#include "base/error.h"
#include "base/progress.h"
#include "offer/rank_int.h"

#include <math.h>
#include <pthread.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------------- */
/* Configuration                                                          */
/* ---------------------------------------------------------------------- */

void xs_offer_config_init(xs_offer_config *c)
{
    memset(c, 0, sizeof *c);
    c->usage_high = 0.90;
    c->usage_low = 0.40;
    c->low_days = 60;
    c->renewal_days = 60;
    c->renewal_usage = 0.70;
    c->term_min_days = 90;
    c->lead_days = 30;
    c->cancel_days = 60;
    c->churn_high = 0.50;
    c->horizon_months = 12;
    c->min_health = 50;
    c->max_contacts = 2;
    c->contact_days = 30;
    c->declined_days = 90;
    c->max_offers = 2;
    c->min_confidence = 0.05;
    c->min_lift = 1.2;
    c->min_support = 0.001;
    c->recent_days = 30;
    c->rules_per_item = 3;
    c->onboarding_days = 60;
    c->prior_strength = 20;
    c->customer_strength = 4;
    c->min_history = 30;
    c->subst_days = 90;
    c->subst_lift = 1.2;
    c->subst_price_ratio = 2;
    c->band_ratio = 5;
    c->band_lift = 3;
    c->bundle_lift = 2;
    c->rank_order = 1;
    c->retention_share = 0;
    c->retention_min_n = 30;
    c->retention_gap = 0.05;
    c->control_share = -1; /* auto: 0.02 when logged (explore.c) */
    c->uplift = 1; /* uplift where a holdout experiment qualifies (uplift_src.c) */
    c->uplift_min_n = 1000;
    c->uplift_min_days = 30;
    c->cost_csm = 50;
    c->cost_webinar = 5;
    c->churn_p = NULL;
}

#define F(name)                                                                          \
    {                                                                                    \
#name, offsetof(xs_offer_config, name)                                           \
    }
static const struct {
    const char *name;
    size_t off;
} fields[] = {
    F(usage_high),      F(usage_low),      F(low_days),          F(renewal_days),
    F(renewal_usage),   F(term_min_days),  F(lead_days),         F(cancel_days),
    F(churn_high),      F(horizon_months), F(min_health),        F(max_contacts),
    F(contact_days),    F(declined_days),  F(max_offers),        F(min_confidence),
    F(min_lift),        F(min_support),    F(recent_days),       F(rules_per_item),
    F(onboarding_days), F(prior_strength), F(customer_strength), F(min_history),
    F(churn_model),     F(subst_days),     F(subst_lift),        F(subst_price_ratio),
    F(band_ratio),      F(band_lift),      F(bundle_lift),       F(rank_order),
    F(unknown_gate),
    F(retention_share), F(retention_min_n), F(retention_gap),
    F(control_share),   F(epsilon_upsell),  F(epsilon_cross_sell), F(epsilon_downsell),
    F(thompson_upsell), F(thompson_cross_sell), F(thompson_downsell), F(explore_seed),
    F(uplift),          F(uplift_min_n),    F(uplift_min_days),
    F(cost_email),      F(cost_in_app),     F(cost_csm),          F(cost_webinar),
    F(cost_sns),
};
#undef F

int xs_offer_config_set(xs_offer_config *c, const char *spec, const char *option,
                        xs_error *err)
{
    xs_offer_config tmp = *c;
    int rc;
    const char *p = spec ? spec : "";
    while (*p) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        const char *eq = memchr(p, '=', len);
        char name[64], val[64];
        size_t nl = eq ? (size_t)(eq - p) : len;
        if (nl >= sizeof name) nl = sizeof name - 1;
        memcpy(name, p, nl);
        name[nl] = '\0';
        size_t k, nf = sizeof fields / sizeof fields[0];
        for (k = 0; k < nf; k++)
            if (!strcmp(fields[k].name, name)) break;
        if (k == nf || !eq) {
            char q[160];
            xs__error_quote(q, sizeof q, name, strlen(name));
            xs__error_set(err, XS_EINVAL, NULL, 0, option, "unknown name %s", q);
            return XS_EINVAL;
        }
        size_t vl = len - nl - 1;
        if (vl >= sizeof val) vl = sizeof val - 1;
        memcpy(val, eq + 1, vl);
        val[vl] = '\0';
        char *e2;
        double v = strtod(val, &e2);
        if (!vl || *e2 || !isfinite(v) || v < 0) {
            char q[160];
            xs__error_quote(q, sizeof q, val, strlen(val));
            xs__error_set(err, XS_EINVAL, NULL, 0, option, "not a number >= 0: %s", q);
            return XS_EINVAL;
        }
        *(double *)((char *)&tmp + fields[k].off) = v;
        p += len;
        if (*p == ',') p++;
    }
    if (tmp.unknown_gate != 0 && tmp.unknown_gate != 1 && tmp.unknown_gate != 2) {
        xs__error_set(err, XS_EINVAL, NULL, 0, option,
                      "unknown_gate: expected 0 (downsell only), 1 (health) or 2 (none),"
                      " got %g",
                      tmp.unknown_gate);
        return XS_EINVAL;
    }
    if ((rc = xs__offer_explore_check(&tmp, option, err)) < 0) return rc;
    *c = tmp;
    return XS_OK;
}

/* ---------------------------------------------------------------------- */
/* Names                                                                  */
/* ---------------------------------------------------------------------- */

const char *xs_offer_kind_name(xs_offer_kind k)
{
    static const char *const n[] = {"upsell", "cross-sell", "downsell"};
    return (unsigned)k < XS_OFFER_N_KINDS ? n[k] : "";
}

/* Contract in xsell.h. */
int xs_offer_engine_set_experiments(xs_offer_engine *en, const xs_experiment *x, size_t n,
                                    xs_error *err)
{
    char day[11];
    xs_offer_engine_as_of(en, day);
    /* check them all first: an error leaves the engine as it was */
    for (size_t i = 0; i < n; i++) {
        int rc = xs_experiment_check(&x[i], err);
        if (rc < 0) return rc;
    }
    memset(en->holdout_on, 0, sizeof en->holdout_on);
    for (size_t i = 0; i < n; i++) {
        int k = (int)x[i].kind;
        if (!xs_experiment_active(&x[i], day) || en->holdout_on[k]) continue;
        xs_exp_split_parse(x[i].split, &en->holdout_split[k], NULL);
        for (size_t a = 0; a < en->holdout_split[k].n_arms; a++)
            if (!strcmp(en->holdout_split[k].name[a], "holdout")) en->holdout_arm[k] = (int)a;
        snprintf(en->holdout_name[k], sizeof en->holdout_name[k], "%s", x[i].name);
        en->holdout_on[k] = 1;
    }
    /* the same experiments as evidence of uplift (uplift_src.c) */
    return xs__offer_uplift_build(en, x, n, err);
}

const char *xs_offer_kind_key(xs_offer_kind k)
{
    static const char *const n[] = {"upsell", "cross_sell", "downsell"};
    return (unsigned)k < XS_OFFER_N_KINDS ? n[k] : "";
}

int xs_offer_kind_parse(const char *s, xs_offer_kind *out)
{
    for (int k = 0; k < XS_OFFER_N_KINDS; k++)
        if (!strcmp(s, xs_offer_kind_key((xs_offer_kind)k))) {
            *out = (xs_offer_kind)k;
            return XS_OK;
        }
    return XS_EINVAL;
}

const char *xs_offer_trigger_name(xs_offer_trigger t)
{
    static const char *const n[] = {
        "usage",     "seats",      "renewal",       "term",         "addon",
        "shop_upgrade", "adoption", "purchase",     "renewed",      "cart",
        "similar",   "bundle",     "low_usage",     "churn_risk",   "cancel_request",
        "retention_addon"};
    return (unsigned)t < XS_TRIG_N ? n[t] : "";
}

const char *xs_offer_guard_name(xs_offer_guard g)
{
    static const char *const n[] = {"",         "holdout",  "substitute", "price_band",
                                    "critical_case", "consent", "health", "declined",
                                    "frequency", "no_value", "conflict", "limit",
                                    "no_benefit", "not_at_risk", "low_usage_upsell",
                                    "negative_uplift"};
    return (unsigned)g < XS_GUARD_N ? n[g] : "";
}

const char *xs_offer_channel_name(int ch)
{
    static const char *const n[] = {"email", "in_app", "csm", "webinar", "sns"};
    return ch >= 0 && ch < XS_SNAP_N_CHANNELS ? n[ch] : "";
}

/* ---------------------------------------------------------------------- */
/* Health adapter: the one place that reads the score module              */
/* ---------------------------------------------------------------------- */

/* Copies health, segment and LTV of every customer into the engine and
 * sets en->as_of. Returns XS_OK, XS_EINVAL (bad as_of, empty snapshot) or
 * XS_ENOMEM. */
static int load_health(xs_offer_engine *en, const char *as_of, xs_error *err)
{
    xs_health_config hc;
    xs_health_config_init(&hc);
    hc.clv = 0; /* CLV is not needed for offers, and fitting it is slow */
    hc.churn = en->cfg.churn_model > 0;
    xs_customer_scores *cs = NULL;
    int rc = xs_customer_scores_compute(en->s, &hc, as_of, &cs, err);
    if (rc < 0) return rc;
    size_t n = en->s->cust.n;
    en->health = xs__malloc((n ? n : 1) * sizeof *en->health);
    en->segment = xs__malloc(n ? n : 1);
    en->ltv = xs__malloc((n ? n : 1) * sizeof *en->ltv);
    if (hc.churn) en->churn = xs__malloc((n ? n : 1) * sizeof *en->churn);
    if (!en->health || !en->segment || !en->ltv || (hc.churn && !en->churn)) {
        rc = XS_ENOMEM;
        goto cleanup;
    }
    char buf[11];
    xs_customer_scores_as_of(cs, buf);
    if (xs__date_parse(buf, 10, &en->as_of) < 0) {
        rc = XS_EINTERNAL;
        goto cleanup;
    }
    for (size_t i = 0; i < n; i++) {
        xs_customer_row r;
        xs_customer_scores_get(cs, i, &r);
        en->health[i] = (float)r.health;
        en->segment[i] = (uint8_t)r.segment;
        en->ltv[i] = r.ltv;
        if (en->churn) en->churn[i] = r.churn_risk;
    }
    rc = XS_OK;
cleanup:
    if (rc == XS_ENOMEM) xs__error_set(err, XS_ENOMEM, NULL, 0, NULL, "out of memory");
    xs_customer_scores_free(cs);
    return rc;
}

/* ---------------------------------------------------------------------- */
/* Product ladders                                                        */
/* ---------------------------------------------------------------------- */

/* Fills the per-product and per-family ladder arrays. */
static int build_ladders(xs_offer_engine *en)
{
    const struct xs_snapshot *s = en->s;
    size_t np = s->prod.n, nf = s->dict.families.n;
    en->monthly = xs__calloc(np + 1, sizeof *en->monthly);
    en->next_tier = xs__malloc((np + 1) * sizeof(int32_t));
    en->prev_tier = xs__malloc((np + 1) * sizeof(int32_t));
    en->annual = xs__malloc((np + 1) * sizeof(int32_t));
    en->monthly_of = xs__malloc((np + 1) * sizeof(int32_t));
    en->seat_pack = xs__malloc((nf + 1) * sizeof(int32_t));
    en->entry_plan = xs__malloc((nf + 1) * sizeof(int32_t));
    if (!en->monthly || !en->next_tier || !en->prev_tier || !en->annual ||
        !en->monthly_of || !en->seat_pack || !en->entry_plan)
        return XS_ENOMEM;
    en->seats_code = XS_SNAP_NONE16;
    uint32_t sc = xs__intern_find(&s->dict.metrics, "seats", 5);
    if (sc != XS_INTERN_NONE) en->seats_code = (uint16_t)sc;
    for (size_t p = 0; p < np; p++) {
        en->monthly[p] = xs__snapshot_prod_monthly(s, (uint32_t)p);
        en->next_tier[p] = en->prev_tier[p] = en->annual[p] = en->monthly_of[p] = -1;
    }
    for (size_t f = 0; f < nf; f++) {
        en->seat_pack[f] = en->entry_plan[f] = -1;
        for (uint32_t i = s->prod.family_off[f]; i < s->prod.family_off[f + 1]; i++) {
            uint32_t p = s->prod.family_products[i];
            if (s->prod.kind[p] == XS_SNAP_KIND_ADDON && en->seat_pack[f] < 0 &&
                en->seats_code != XS_SNAP_NONE16 &&
                !isnan(xs__snapshot_prod_limit(s, p, en->seats_code)))
                en->seat_pack[f] = (int32_t)p;
            if (s->prod.kind[p] != XS_SNAP_KIND_PLAN) continue;
            if (s->prod.billing[p] == XS_SNAP_BILL_MONTH && s->prod.price[p] > 0 &&
                en->entry_plan[f] < 0)
                en->entry_plan[f] = (int32_t)p; /* ascending tier, then price */
            for (uint32_t j = s->prod.family_off[f]; j < s->prod.family_off[f + 1]; j++) {
                uint32_t q = s->prod.family_products[j];
                if (q == p || s->prod.kind[q] != XS_SNAP_KIND_PLAN) continue;
                int same_bill = s->prod.billing[q] == s->prod.billing[p];
                int tp = s->prod.tier[p], tq = s->prod.tier[q];
                if (same_bill && tq == tp + 1 && en->next_tier[p] < 0)
                    en->next_tier[p] = (int32_t)q;
                if (same_bill && tq + 1 == tp && s->prod.price[q] > 0 &&
                    en->prev_tier[p] < 0)
                    en->prev_tier[p] = (int32_t)q;
                if (tq == tp && s->prod.billing[p] == XS_SNAP_BILL_MONTH &&
                    s->prod.billing[q] == XS_SNAP_BILL_YEAR && en->annual[p] < 0)
                    en->annual[p] = (int32_t)q;
                if (tq == tp && s->prod.billing[p] == XS_SNAP_BILL_YEAR &&
                    s->prod.billing[q] == XS_SNAP_BILL_MONTH && en->monthly_of[p] < 0)
                    en->monthly_of[p] = (int32_t)q;
            }
        }
    }
    return XS_OK;
}

/* What customers pay for a longer term. The catalog has one price per
 * product and billing (month, year); a commitment of 24 or 36 months (or 12
 * on a product without an annual variant) is priced per contract. The
 * engine takes the price the customers of the same product on that term
 * actually pay today: the median monthly price of one unit over the
 * subscriptions active at as_of, so the saving it quotes is one that
 * customers really have. */
typedef struct term_obs {
    uint32_t key; /* product x XS__OFFER_N_TERMS + slot */
    double price; /* monthly, one unit, currency units */
} term_obs;

static int cmp_term_obs(const void *pa, const void *pb)
{
    const term_obs *a = pa, *b = pb;
    if (a->key != b->key) return a->key < b->key ? -1 : 1;
    return (a->price > b->price) - (a->price < b->price);
}

/* Fills en->term_price. XS_OK or XS_ENOMEM. */
static int build_term_prices(xs_offer_engine *en)
{
    const struct xs_snapshot *s = en->s;
    size_t np = s->prod.n, nk = np * XS__OFFER_N_TERMS;
    en->term_price = xs__malloc((nk + 1) * sizeof *en->term_price);
    term_obs *obs = xs__malloc((s->sub.n + 1) * sizeof *obs);
    int rc = XS_ENOMEM;
    if (!en->term_price || !obs) goto cleanup;
    for (size_t k = 0; k < nk; k++)
        en->term_price[k] = NAN;
    size_t n = 0;
    for (size_t r = 0; r < s->sub.n; r++) {
        uint32_t p = s->sub.product[r];
        unsigned t = s->sub.term[r];
        int slot = t == 12 ? 0 : t == 24 ? 1 : t == 36 ? 2 : -1;
        if (slot < 0 || s->prod.billing[p] == XS_SNAP_BILL_ONCE ||
            !xs__snapshot_sub_active(s, r, en->as_of))
            continue;
        double v = (double)s->sub.unit_price[r] / en->money_div;
        if (s->prod.billing[p] == XS_SNAP_BILL_YEAR) v /= 12;
        obs[n].key = p * XS__OFFER_N_TERMS + (uint32_t)slot;
        obs[n++].price = v;
    }
    qsort(obs, n, sizeof *obs, cmp_term_obs);
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && obs[j].key == obs[i].key)
            j++;
        size_t m = j - i;
        en->term_price[obs[i].key] =
            m % 2 ? obs[i + m / 2].price
                  : (obs[i + m / 2 - 1].price + obs[i + m / 2].price) / 2;
        i = j;
    }
    rc = XS_OK;
cleanup:
    xs__free(obs);
    return rc;
}

/* ---------------------------------------------------------------------- */
/* Engine                                                                 */
/* ---------------------------------------------------------------------- */

/* The personal ranking of shop products (docs/evaluate.md), on the orders
 * dated up to as_of, with the model's defaults: it orders shop cross-sells
 * and cart placements. A store without orders has none. */
static int build_rank(xs_offer_engine *en, xs_error *err)
{
    if (!en->s->ord.n || !(en->cfg.rank_order > 0)) return XS_OK;
    char day[11];
    xs__date_format(en->as_of + 1, day); /* the model reads orders before its day */
    xs_rank_opts o;
    xs_rank_opts_init(&o);
    o.as_of = day;
    return xs_rank_build(en->s, &o, &en->rank, err);
}

/* The ranking's working memory, one per thread and kept between calls:
 * a decision allocated it (seven blocks) and freed it every time. It is
 * sized for a model of n_items and resets itself after each query, so it
 * serves any model of that size; a thread's is freed when the thread ends
 * (the key's destructor). */
typedef struct rank_tls {
    xs__mine_rank_scratch *q;
    double *dense; /* n_items scores */
    size_t n_items;
} rank_tls;

static pthread_key_t rank_key;
static pthread_once_t rank_once = PTHREAD_ONCE_INIT;
static int rank_key_ok;

static void rank_tls_free(void *p)
{
    rank_tls *r = p;
    if (!r) return;
    xs__mine_rank_scratch_free(r->q);
    xs__free(r->dense);
    xs__free(r);
}

static void rank_key_init(void)
{
    rank_key_ok = pthread_key_create(&rank_key, rank_tls_free) == 0;
}

/* This thread's working memory for model m, or NULL when out of memory. */
static rank_tls *rank_scratch(const xs__mine_rank_model *m)
{
    pthread_once(&rank_once, rank_key_init);
    if (!rank_key_ok) return NULL;
    rank_tls *r = pthread_getspecific(rank_key);
    if (!r) {
        if (!(r = xs__calloc(1, sizeof *r))) return NULL;
        if (pthread_setspecific(rank_key, r) != 0) {
            xs__free(r);
            return NULL;
        }
    }
    size_t items = xs__mine_rank_model_n_items(m);
    if (r->q && r->n_items != items) {
        xs__mine_rank_scratch_free(r->q);
        xs__free(r->dense);
        r->q = NULL;
        r->dense = NULL;
    }
    if (!r->q) {
        r->q = xs__mine_rank_scratch_new(m);
        r->dense = xs__malloc((items ? items : 1) * sizeof *r->dense);
        if (!r->q || !r->dense) {
            xs__mine_rank_scratch_free(r->q);
            xs__free(r->dense);
            r->q = NULL;
            r->dense = NULL;
            return NULL;
        }
        r->n_items = items;
    }
    return r;
}

/* The cart's products of the snapshot, as the model takes them, into
 * in_cart[64]: their number, or XS_EINVAL (c or a product the model does
 * not know). */
static int rank_cart(const xs_offer_engine *en, uint32_t c, const uint32_t *cart,
                     size_t n_cart, uint32_t *in_cart)
{
    const xs_rank *rk = en->rank;
    size_t np = en->s->prod.n;
    if (c != XS_RANK_NONE && c >= rk->hist.n_users) return XS_EINVAL;
    int k = 0;
    for (size_t i = 0; i < n_cart && k < 64; i++)
        if (cart[i] < np) {
            if (cart[i] >= rk->hist.n_items) return XS_EINVAL;
            in_cart[k++] = cart[i];
        }
    return k;
}

/* What both scorings below start with: the cart's items in the model
 * (in_cart, their number in *k) and this thread's scratch (*r). Returns 0,
 * or the negative code. */
static int rank_begin(const xs_offer_engine *en, uint32_t c, const uint32_t *cart,
                      size_t n_cart, uint32_t in_cart[64], int *k, rank_tls **r)
{
    *k = rank_cart(en, c, cart, n_cart, in_cart);
    if (*k < 0) return *k;
    *r = rank_scratch(en->rank->model);
    return *r ? 0 : XS_ENOMEM;
}

/* Contract in offer_int.h. The scores are the ranking's (xs_rank_customer)
 * for every product at once, unordered: nothing here needs them sorted. */
int xs__offer_rank_scores(const xs_offer_engine *en, uint32_t c, const uint32_t *cart,
                          size_t n_cart, double *score)
{
    if (!en->rank) return 0;
    size_t np = en->s->prod.n;
    for (size_t p = 0; p < np; p++)
        score[p] = 0;
    uint32_t in_cart[64];
    int k, rc;
    rank_tls *r;
    if ((rc = rank_begin(en, c, cart, n_cart, in_cart, &k, &r)) < 0) return rc;
    xs__mine_rank_score_dense(en->rank->model, r->q,
                              c == XS_RANK_NONE ? XS__RANK_NONE : c, in_cart, (size_t)k,
                              r->dense);
    for (size_t p = 0; p < np && p < r->n_items; p++)
        score[p] = r->dense[p];
    return 1;
}

/* Contract in offer_int.h. */
int xs__offer_rank_scores_of(const xs_offer_engine *en, uint32_t c, const uint32_t *cart,
                             size_t n_cart, const uint32_t *prod, size_t n, double *score)
{
    if (!en->rank) return 0;
    uint32_t in_cart[64];
    int k, rc;
    rank_tls *r;
    if ((rc = rank_begin(en, c, cart, n_cart, in_cart, &k, &r)) < 0) return rc;
    xs__mine_rank_score_items(en->rank->model, r->q,
                              c == XS_RANK_NONE ? XS__RANK_NONE : c, in_cart, (size_t)k,
                              prod, n, score);
    return 1;
}

int xs_offer_engine_new(const xs_snapshot *s, const xs_offer_config *c, const char *as_of,
                        xs_offer_engine **out, xs_error *err)
{
    return xs__offer_engine_create(s, c, as_of, 1, NULL, out, err);
}

static int engine_create(const xs_snapshot *s, const xs_offer_config *c,
                         const char *as_of, int fit, const xs__offer_churn_file *churn,
                         xs_offer_engine **out, xs_error *err)
{
    *out = NULL;
    xs_offer_engine *en = xs__calloc(1, sizeof *en);
    if (!en) {
        xs__error_set(err, XS_ENOMEM, NULL, 0, NULL, "out of memory");
        return XS_ENOMEM;
    }
    en->s = s;
    if (c)
        en->cfg = *c;
    else
        xs_offer_config_init(&en->cfg);
    en->money_div = xs__snapshot_money_div(s);
    en->n_items = s->prod.n + s->dict.families.n;
    int rc = load_health(en, as_of, err);
    if (rc < 0) goto cleanup;
    /* P(churn) from the caller, imported scores, an attached model
     * (churn_src.c): before anything that reads cfg.churn_p */
    if ((rc = xs__offer_churn_setup(en, en->cfg.churn_p, churn ? churn->name : NULL,
                                    churn ? churn->text : NULL, churn ? churn->len : 0,
                                    err)) < 0)
        goto cleanup;
    if ((rc = build_ladders(en)) < 0) goto oom;
    if ((rc = build_term_prices(en)) < 0) goto oom;
    if ((rc = xs__offer_retention_build(en)) < 0) goto oom;
    if ((rc = xs__offer_rules_build(en, err)) < 0) goto cleanup;
    if ((rc = xs__offer_relevance_build(en, err)) < 0) goto cleanup;
    if ((rc = build_rank(en, err)) < 0) goto cleanup;
    if (fit && (rc = xs__offer_fit(en)) < 0) goto oom;
    *out = en;
    return XS_OK;
oom:
    xs__error_set(err, XS_ENOMEM, NULL, 0, NULL, "out of memory");
cleanup:
    xs_offer_engine_free(en);
    return rc;
}

/* Contract in offer_int.h. Fitting and the per-customer tables count no
 * items the bar could show: it shows the time they take. */
int xs__offer_engine_create(const xs_snapshot *s, const xs_offer_config *c,
                            const char *as_of, int fit, const xs__offer_churn_file *churn,
                            xs_offer_engine **out, xs_error *err)
{
    xs__ticker tk;
    xs__ticker_start(&tk, "engine", 0);
    int rc = engine_create(s, c, as_of, fit, churn, out, err);
    xs__ticker_finish(&tk);
    return rc;
}

void xs_offer_engine_free(xs_offer_engine *en)
{
    if (!en) return;
    xs_rank_free(en->rank);     /* frees only what it allocated when mapped */
    xs__offer_uplift_free(en); /* the same (uplift_mapped) */
    if (en->mapped) {          /* the arrays are the model file's */
        xs__free(en);
        return;
    }
    xs__free(en->health);
    xs__free(en->segment);
    xs__free(en->ltv);
    xs__free(en->churn);
    xs__offer_churn_free(en);
    xs__free(en->monthly);
    xs__free(en->next_tier);
    xs__free(en->prev_tier);
    xs__free(en->annual);
    xs__free(en->monthly_of);
    xs__free(en->term_price);
    xs__offer_retention_free(en);
    xs__free(en->seat_pack);
    xs__free(en->entry_plan);
    xs__offer_rules_free(&en->adopt);
    xs__offer_rules_free(&en->order);
    xs__offer_rules_free(&en->sim);
    xs__offer_relevance_free(en);
    xs__free(en);
}

long xs_offer_engine_find(const xs_offer_engine *en, const char *customer_id)
{
    uint32_t id = xs__intern_find(&en->s->cust.ids, customer_id, strlen(customer_id));
    return id == XS_INTERN_NONE ? XS_ENOTFOUND : (long)id;
}

size_t xs_offer_engine_n_customers(const xs_offer_engine *en)
{
    return en->s->cust.n;
}

const char *xs_offer_engine_as_of(const xs_offer_engine *en, char buf[11])
{
    xs__date_format(en->as_of, buf);
    return buf;
}

long xs_offer_engine_find_product(const xs_offer_engine *en, const char *product_id)
{
    uint32_t id = xs__intern_find(&en->s->prod.ids, product_id, strlen(product_id));
    return id == XS_INTERN_NONE ? XS_ENOTFOUND : (long)id;
}

int xs_offer_decide(const xs_offer_engine *en, uint32_t customer, xs_offer *out,
                    size_t cap)
{
    return xs_offer_decide_cart(en, customer, NULL, 0, out, cap);
}

int xs_offer_decide_cart(const xs_offer_engine *en, uint32_t customer,
                         const uint32_t *cart, size_t n_cart, xs_offer *out, size_t cap)
{
    return xs__offer_decide_slots(en, customer, cart, n_cart, out, cap, 0, NULL, 0, NULL);
}

/* Contract in xsell.h. */
void xs_offer_engine_set_logged(xs_offer_engine *en, int on)
{
    en->logged = on != 0;
}

/* Contract in xsell.h. */
int xs_offer_decide_logged(const xs_offer_engine *en, uint32_t customer, xs_offer *out,
                           xs_decision *d, size_t cap_d, size_t *n_dec)
{
    return xs__offer_decide_slots(en, customer, NULL, 0, out, XS_OFFER_MAX_CANDIDATES, 1,
                                  d, cap_d, n_dec);
}

/* Contract in offer_int.h. */
int xs__offer_decide_slots(const xs_offer_engine *en, uint32_t customer,
                           const uint32_t *cart, size_t n_cart, xs_offer *out, size_t cap,
                           int logged, xs_decision *d, size_t cap_d, size_t *n_dec)
{
    xs__offer_cust st;
    xs_offer cand[XS_OFFER_MAX_CANDIDATES];
    if (n_dec) *n_dec = 0;
    if (customer >= en->s->cust.n) return 0;
    xs__offer_gather(en, customer, &st);
    size_t n = xs__offer_candidates(en, &st, cart, n_cart, cand, XS_OFFER_MAX_CANDIDATES);
    xs__offer_value(en, &st, cand, n);
    xs__offer_uplift_apply(en, cand, n); /* uplift x value where there is evidence */
    /* sorted straight into out when it holds them all: each offer is
     * copied once (they are 272 bytes) */
    xs_offer *o = n <= cap ? out : cand;
    xs__offer_guard(en, &st, cand, n, o == out ? out : NULL);
    /* which eligible candidate each slot offers, and its propensity */
    size_t k = xs__offer_explore(en, customer, o, n, logged || en->logged, d, cap_d);
    if (n_dec) *n_dec = k;
    if (o == cand) {
        n = cap;
        memcpy(out, cand, n * sizeof *out);
    }
    return (int)n;
}

/* ---------------------------------------------------------------------- */
/* Every customer                                                         */
/* ---------------------------------------------------------------------- */

/* Contract in offer_int.h. */
void xs__offer_summary_add(xs_offer_summary *sum, const xs_offer *o, size_t n)
{
    sum->n_customers++;
    sum->n_candidates += n;
    for (size_t i = 0; i < n; i++) {
        if (o[i].guard == XS_GUARD_NONE) {
            sum->n_offered++;
            sum->ev_offered += o[i].ev;
            sum->n_kind[o[i].kind]++;
        } else {
            /* negative_uplift: what P(accept) x value would have counted on */
            double ev = o[i].guard == XS_GUARD_NEGATIVE_UPLIFT ? o[i].p_accept * o[i].value
                                                               : o[i].ev;
            sum->n_suppressed[o[i].guard]++;
            if (ev > 0) sum->ev_held[o[i].guard] += ev;
        }
        if (o[i].value_basis == XS_VALUE_UPLIFT) sum->uplift_kinds |= 1u << o[i].kind;
    }
}

/* Contract in offer_int.h. */
void xs__offer_summary_merge(xs_offer_summary *sum, const xs_offer_summary *part)
{
    sum->n_customers += part->n_customers;
    sum->n_candidates += part->n_candidates;
    sum->n_offered += part->n_offered;
    sum->ev_offered += part->ev_offered;
    for (int g = 0; g < XS_GUARD_N; g++) {
        sum->n_suppressed[g] += part->n_suppressed[g];
        sum->ev_held[g] += part->ev_held[g];
    }
    for (int k = 0; k < XS_OFFER_N_KINDS; k++)
        sum->n_kind[k] += part->n_kind[k];
    sum->uplift_kinds |= part->uplift_kinds;
}

/* Every customer decided on n_threads threads taking blocks of
 * XS__OFFER_BLOCK customers in turn (a thread that shares its core with
 * other work takes fewer); each block's totals are kept and added in block
 * order, so the totals are the same bits on any number of threads. */
typedef struct blocks {
    const xs_offer_engine *en;
    xs__offer_each_fn each;
    void *ctx;
    xs_offer_summary *sums; /* per block */
    uint32_t n, n_blocks;
    uint32_t next; /* the next block to take */
    xs__ticker *tk; /* counts the customers decided */
} blocks;

static void *blocks_run(void *arg)
{
    blocks *b = arg;
    xs_offer o[XS_OFFER_MAX_CANDIDATES];
    for (;;) {
        uint32_t k = __atomic_fetch_add(&b->next, 1, __ATOMIC_RELAXED);
        if (k >= b->n_blocks) break;
        uint32_t lo = k * XS__OFFER_BLOCK;
        uint32_t hi = b->n - lo > XS__OFFER_BLOCK ? lo + XS__OFFER_BLOCK : b->n;
        xs_offer_summary sum; /* on this thread's stack: no false sharing */
        memset(&sum, 0, sizeof sum);
        for (uint32_t c = lo; c < hi; c++) {
            int n = xs_offer_decide(b->en, c, o, XS_OFFER_MAX_CANDIDATES);
            xs__offer_summary_add(&sum, o, (size_t)n);
            if (b->each) b->each(b->ctx, c, o, n);
        }
        b->sums[k] = sum;
        xs__ticker_add(b->tk, hi - lo);
    }
    return NULL;
}

/* Contract in offer_int.h. */
int xs__offer_decide_blocks(const xs_offer_engine *en, int n_threads, const char *label,
                            xs__offer_each_fn each, void *ctx, xs_offer_summary *sum)
{
    size_t n = en->s->cust.n;
    uint32_t n_blocks = (uint32_t)((n + XS__OFFER_BLOCK - 1) / XS__OFFER_BLOCK);
    blocks b = {en, each, ctx, NULL, (uint32_t)n, n_blocks, 0, NULL};
    memset(sum, 0, sizeof *sum);
    if (!(b.sums = xs__calloc(n_blocks ? n_blocks : 1, sizeof *b.sums))) return XS_ENOMEM;
    if (n_threads < 1 || n < 1000) n_threads = 1;
    if (n_threads > 64) n_threads = 64;
    pthread_t th[64];
    int started[64] = {0};
    xs__ticker tk;
    xs__ticker_start(&tk, label, n);
    b.tk = &tk;
    for (int t = 1; t < n_threads; t++)
        started[t] = pthread_create(&th[t], NULL, blocks_run, &b) == 0;
    blocks_run(&b); /* until every block is taken */
    for (int t = 1; t < n_threads; t++)
        if (started[t]) pthread_join(th[t], NULL);
    xs__ticker_finish(&tk);
    for (uint32_t k = 0; k < n_blocks; k++) xs__offer_summary_merge(sum, &b.sums[k]);
    xs__free(b.sums);
    return XS_OK;
}

int xs_offer_decide_all(const xs_offer_engine *en, int n_threads, xs_offer_fn fn,
                        void *ctx, xs_offer_summary *sum)
{
    size_t n = en->s->cust.n;
    if (!fn) return xs__offer_decide_blocks(en, n_threads, "offers", NULL, NULL, sum);
    /* in customer order on this thread, for fn; the totals by block as
     * xs__offer_decide_blocks adds them */
    memset(sum, 0, sizeof *sum);
    xs_offer o[XS_OFFER_MAX_CANDIDATES];
    xs_offer_summary part = {0};
    xs__progress pr;
    xs__progress_start(&pr, "offers", n);
    for (uint32_t c = 0; c < n; c++) {
        if (c % XS__OFFER_BLOCK == 0) memset(&part, 0, sizeof part);
        int k = xs_offer_decide(en, c, o, XS_OFFER_MAX_CANDIDATES);
        xs__offer_summary_add(&part, o, (size_t)k);
        if ((c + 1) % XS__OFFER_BLOCK == 0 || c + 1 == n) xs__offer_summary_merge(sum, &part);
        xs__progress_update(&pr, c + 1);
        int rc = fn(ctx, c, o, (size_t)k);
        if (rc < 0) {
            xs__progress_finish(&pr);
            return rc;
        }
    }
    xs__progress_finish(&pr);
    return XS_OK;
}
