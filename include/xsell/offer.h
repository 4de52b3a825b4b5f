/*
 * xsell/offer.h — the offer engine: the next best offer for every customer.
 *
 * Candidates (upsell, cross-sell, downsell) from usage, purchases, rules
 * and adoption timing; each valued (P(accept), revenue delta, expected
 * value, or uplift), checked against the guardrails (loyalty gate, contact
 * pressure, cooldown, open critical case, consent) and ranked, with its
 * timing, channel and explanation; the cart answer; the target list; the
 * global plan under capacity; the catalog check; decisions logged with
 * their propensity and replayed offline. Never touches SQL except through
 * the xs_store_* calls declared here. Implemented in src/offer;
 * docs/offers.md, docs/plan.md and docs/replay.md.
 *
 * Part of libxsell's public API: xsell.h includes every module's header;
 * the conventions are written in xsell/base.h.
 *
 * Example (compiled by the build: cmake/header_example.cmake):
 * @code
 *   // Prints the offers made to one customer.
 *   int print_offers(const xs_snapshot *snap, const char *customer_id)
 *   {
 *       xs_offer_engine *en;
 *       xs_offer o[XS_OFFER_MAX_CANDIDATES];
 *       xs_error e;
 *       int rc = xs_offer_engine_new(snap, NULL, NULL, &en, &e);
 *       if (rc < 0) return rc;
 *       long c = xs_offer_engine_find(en, customer_id);
 *       int n = c < 0 ? 0 : xs_offer_decide(en, (uint32_t)c, o, XS_OFFER_MAX_CANDIDATES);
 *       for (int i = 0; i < n && o[i].rank > 0; i++)
 *           printf("%d. %s, expected value %.2f\n", o[i].rank,
 *                  xs_offer_kind_name(o[i].kind), o[i].ev);
 *       xs_offer_engine_free(en);
 *       return c < 0 ? (int)c : n;
 *   }
 * @endcode
 */
#ifndef XS_XSELL_OFFER_H
#define XS_XSELL_OFFER_H

#include "base.h"
#include "store.h"
#include "snapshot.h"
#include "mine.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ====================================================================== */
/* Catalog check (src/offer/catalog.c): ladders the offer engine can use  */
/* ====================================================================== */
/* (section owned by the catalog check; docs/offers.md "Catalog check") */

/* What a finding is about, in report order within a family. */
typedef enum xs_catalog_code {
    XS_CATALOG_TIER_CHEAPER = 0, /* a higher tier costs less than the tier below */
    XS_CATALOG_TIER_LIMIT_LOWER, /* a higher tier has a lower limit of a metric */
    XS_CATALOG_TIER_GAP,         /* a tier number is missing between two tiers */
    XS_CATALOG_TIER_DUPLICATE,   /* two plans share a tier and a billing */
    XS_CATALOG_ADDON_ABOVE_PLAN, /* an add-on costs more than the cheapest plan */
    XS_CATALOG_UNREACHABLE,      /* a paid plan / add-on no trigger can offer */
    XS_CATALOG_N_CODES
} xs_catalog_code;

/* One finding; strings borrowed, valid until xs_catalog_report_free(). */
typedef struct xs_catalog_finding {
    xs_catalog_code code;
    const char *code_name; /* "tier_cheaper", "tier_limit_lower", "tier_gap",
                            * "tier_duplicate", "addon_above_plan", "unreachable" */
    const char *family;    /* "" when the product has none */
    const char *product;   /* the product the finding is about */
    const char *other;     /* the product it is compared with, "" when none */
    const char *message;   /* plain English, names both products and the numbers */
} xs_catalog_finding;

typedef struct xs_catalog_report xs_catalog_report;

/**
 * Checks the product catalogue of a snapshot the way the offer engine reads
 * it (src/offer/candidates.c): per family and billing (month, year; once is
 * not a ladder) the plans by tier must rise in price and in every limit both
 * tiers name, tiers must be consecutive and unique; an add-on must not cost
 * more than the cheapest paid plan of its family with the same billing; and
 * every paid plan or add-on must be reachable by some trigger (definition in
 * docs/offers.md, "Catalog check"). Prices are compared per month (a year's
 * price / 12). Findings are warnings: a catalogue is the user's decision.
 * Order: by family name, then code, then product id.
 * @param s   the snapshot (borrowed)
 * @param out set to the report; caller frees with xs_catalog_report_free()
 * @return the number of findings (>= 0), or XS_ENOMEM
 * @code
 *   xs_catalog_report *r; xs_catalog_finding f;
 *   if (xs_catalog_check(snap, &r, &e) < 0) ...;
 *   for (size_t i = 0; i < xs_catalog_report_n(r); i++) {
 *       xs_catalog_report_get(r, i, &f);
 *       printf("warning: %s\n", f.message);
 *   }
 *   xs_catalog_report_free(r);
 * @endcode
 */
int xs_catalog_check(const xs_snapshot *s, xs_catalog_report **out, xs_error *err);

/**
 * xs_catalog_check() on a snapshot of the store loaded for the purpose (and
 * freed before returning).
 * @return the number of findings, or the error of xs_snapshot_load()
 */
int xs_catalog_check_store(xs_store *st, xs_catalog_report **out, xs_error *err);

/** Number of findings. */
size_t xs_catalog_report_n(const xs_catalog_report *r);
/** Products and families checked (for a summary line). */
void xs_catalog_report_counts(const xs_catalog_report *r, size_t *n_products,
                              size_t *n_families);
/** Finding i (< xs_catalog_report_n) into *out. */
void xs_catalog_report_get(const xs_catalog_report *r, size_t i, xs_catalog_finding *out);
/** Name of a code ("tier_cheaper", ...); NULL when out of range. */
const char *xs_catalog_code_name(xs_catalog_code c);
/** Frees the report; NULL is fine. */
void xs_catalog_report_free(xs_catalog_report *r);

/* ====================================================================== */
/* Offer engine (src/offer): candidates, value, guardrails, explanation   */
/* ====================================================================== */
/* (section owned by the offer module) */

/*
 * The next best offers of every customer, computed on the fly from a
 * snapshot (docs/offers.md has the rules, defaults, formulas, ranking and
 * tie-breaking). xs_offer_engine_new() does the work shared by all
 * customers once (health scores, association rules over adoption sets and
 * orders, adoption lags, the propensity model fitted on the offers
 * history, response rates by segment and channel); xs_offer_decide() then
 * decides one customer in microseconds without allocating: candidates
 * (upsell, cross-sell, downsell), P(accept), value and expected value,
 * guardrails, ranking, timing, channel and a bilingual explanation.
 */

typedef enum xs_offer_kind {
    XS_OFFER_UPSELL = 0,
    XS_OFFER_CROSS_SELL,
    XS_OFFER_DOWNSELL,
    XS_OFFER_N_KINDS
} xs_offer_kind;

/* What made a candidate. */
typedef enum xs_offer_trigger {
    XS_TRIG_USAGE = 0,   /* upsell: a plan limit used >= usage_high (next tier) */
    XS_TRIG_SEATS,       /* upsell: seats >= usage_high, more seat packs */
    XS_TRIG_RENEWAL,     /* upsell: renewal within renewal_days, well used */
    XS_TRIG_TERM,        /* upsell: a longer term (1 or 3 -> 12 -> 24 -> 36
                            months) at a lower monthly price */
    XS_TRIG_ADDON,       /* upsell: an add-on option of the held plan */
    XS_TRIG_SHOP_UPGRADE,/* upsell: the next tier of a shop product's family
                            (size / model ladder) after a recent purchase */
    XS_TRIG_ADOPTION,    /* cross-sell: rule over adoption sets + timing */
    XS_TRIG_PURCHASE,    /* cross-sell: rule over orders after a recent purchase */
    XS_TRIG_RENEWED,     /* cross-sell: adoption rule right after a renewal decision */
    XS_TRIG_CART,        /* cross-sell: rule over orders for an item in the cart */
    XS_TRIG_SIMILAR,     /* cross-sell: item-to-item similarity (cosine over
                            orders) to an item in the cart or bought recently */
    XS_TRIG_BUNDLE,      /* cross-sell: the missing items of a frequent itemset
                            (bundle) partly bought recently or in the cart */
    XS_TRIG_LOW_USAGE,   /* downsell: utilisation < usage_low for low_days */
    XS_TRIG_CHURN_RISK,  /* downsell: P(churn) >= churn_high */
    XS_TRIG_CANCEL,      /* downsell: a cancel_request within cancel_days */
    XS_TRIG_RETENTION_ADDON, /* upsell kind, retention side: a customer at risk
                            (docs/offers.md "Retention") is offered a
                            protective add-on whose holders churn measurably
                            less in the store's own history */
    XS_TRIG_N
} xs_offer_trigger;

/* Guardrails, in the order they are checked (the first that stops a
 * candidate is its reason). XS_GUARD_NONE: offered. */
typedef enum xs_offer_guard {
    XS_GUARD_NONE = 0,
    XS_GUARD_HOLDOUT,       /* the customer is in the holdout arm of a running
                               experiment of the offer's kind */
    XS_GUARD_SUBSTITUTE,    /* a shop cross-sell that is a substitute of a
                               purchase of the last subst_days (docs/offers.md) */
    XS_GUARD_PRICE_BAND,    /* a shop cross-sell above band_ratio x the customer's
                               largest past order line without lift >= band_lift */
    XS_GUARD_CRITICAL_CASE, /* an open severity-1 ticket */
    XS_GUARD_CONSENT,       /* no consented channel */
    XS_GUARD_HEALTH,        /* upsell / cross-sell below min_health; a customer
                               of segment unknown by unknown_gate */
    XS_GUARD_DECLINED,      /* the same product declined within declined_days */
    XS_GUARD_FREQUENCY,     /* max_contacts offers already sent within contact_days */
    XS_GUARD_NO_VALUE,      /* expected value <= 0 */
    XS_GUARD_CONFLICT,      /* an upsell and a downsell at once: the weaker side */
    XS_GUARD_LIMIT,         /* ranked below the per-customer limit (or a better
                               offer for the same product family) */
    XS_GUARD_NO_BENEFIT,    /* no benefit for the customer: a term change
                               that saves nothing (saving < one minor unit a
                               year) or a downsell that does not cut the price */
    XS_GUARD_NOT_AT_RISK,   /* a downsell or retention offer to a customer with
                               no cancel request and P(churn) below the risk
                               threshold (churn_high, or the retention_share cut) */
    XS_GUARD_LOW_USAGE_UPSELL, /* an upsell of a family whose usage stayed below
                               usage_low of capacity for low_days (only where
                               the store has usage data) */
    XS_GUARD_NEGATIVE_UPLIFT, /* the offer's kind is valued by uplift (a
                               qualifying holdout experiment) and the
                               customer's predicted uplift is < 0: the
                               contact would lower the outcome */
    XS_GUARD_N
} xs_offer_guard;

/* Engine settings; xs_offer_config_init() sets the documented defaults,
 * xs_offer_config_set() changes them by name. */
typedef struct xs_offer_config {
    double usage_high;       /* 0.90: usage / limit that triggers an upsell */
    double usage_low;        /* 0.40: utilisation under which ... */
    double low_days;         /* 60: ... for this many days triggers a downsell */
    double renewal_days;     /* 60: a renewal this near triggers an upsell */
    double renewal_usage;    /* 0.70: utilisation needed for the renewal upsell */
    double term_min_days;    /* 90: plan held this long before a longer term */
    double lead_days;        /* 30: offers tied to a renewal are sent this early */
    double cancel_days;      /* 60: cancel_request this recent is a signal */
    double churn_high;       /* 0.50: P(churn) that triggers a downsell */
    double horizon_months;   /* 12: revenue change is measured over this */
    double min_health;       /* 50: upsell / cross-sell need this health (0-100) */
    double max_contacts;     /* 2: offers per customer per contact_days ... */
    double contact_days;     /* 30 */
    double declined_days;    /* 90: no repeat of a declined product */
    double max_offers;       /* 2: offers per customer per decision */
    double min_confidence;   /* 0.05: association rules kept */
    double min_lift;         /* 1.2 */
    double min_support;      /* 0.001 */
    double recent_days;      /* 30: a purchase this recent triggers cross-sells */
    double rules_per_item;   /* 3: cross-sells per held item (best confidence) */
    double onboarding_days;  /* 60: growth offers wait for onboarding_done or this */
    double prior_strength;   /* 20: pseudo-count of the prior in the model */
    double customer_strength;/* 4: pseudo-count of the model in a customer's own rate */
    double min_history;      /* 30: decided offers needed to fit the model */
    double churn_model;      /* 0 (default): the built-in P(churn) estimate;
                                1: the churn module's store-history model
                                (XGBoost, trained on the snapshot: slower) */
    /* relevance of shop offers (src/offer/relevance.c, docs/offers.md) */
    double subst_days;       /* 90: no substitute of a purchase this recent */
    double subst_lift;       /* 1.2: same family / category products whose buyers
                                overlap less than this (volume-adjusted lift) ... */
    double subst_price_ratio;/* 2: ... at a similar price (dearer <= this x
                                cheaper) are substitutes */
    double band_ratio;       /* 5: a shop cross-sell dearer than this x the largest
                                past order line ... */
    double band_lift;        /* 3: ... needs a rule lift >= this */
    double bundle_lift;      /* 2: bundles: lift of each item given the rest */
    double rank_order;       /* 1: shop cross-sells and cart placements are
                                ordered by the personal ranking model (xs_rank,
                                docs/evaluate.md); 0: by the evidence's
                                confidence x lift (cart: its probability) */
    /* retention (docs/offers.md "Retention") */
    double retention_share;  /* 0: at risk = P(churn) >= churn_high; s > 0: also
                                the top s share of active customers by P(churn)
                                (a caller's churn_p or the churn model only) */
    double retention_min_n;  /* 30: holders and non-holders needed to judge a
                                protective add-on */
    double retention_gap;    /* 0.05: holders' churn rate must be lower by this
                                much and by 2 standard errors */
    double unknown_gate;     /* the health gate for customers of segment unknown
                                (too little data, docs/scores.md):
                                0 (default): no upsell / cross-sell, downsells
                                and retention offers allowed; 1: as anyone
                                else (the health over the components with
                                data against min_health); 2: no offer at all */
    /* exploration (src/offer/explore.c, docs/replay.md): how each slot's
     * offer is chosen among the candidates the guardrails let through */
    double control_share;    /* share of slots chosen uniformly at random;
                                default -1 = auto: 0.02 when the decision is
                                logged (recommend --log, serve
                                --log-decisions), else 0 */
    double epsilon_upsell;   /* 0: epsilon-greedy share per kind of the
                                greedy choice (uniform over the eligible) */
    double epsilon_cross_sell;
    double epsilon_downsell;
    double thompson_upsell;  /* 0; 1: Thompson sampling for candidates of
                                that kind (P(accept) drawn from
                                Beta(p m, (1 - p) m), m = the evidence) */
    double thompson_cross_sell;
    double thompson_downsell;
    double explore_seed;     /* 0: seed of the exploration's random draws
                                (with customer id and decision day) */
    /* uplift (src/offer/uplift_src.c, docs/offers.md "Uplift"): a kind
     * with randomised evidence in the store is valued by uplift */
    double uplift;           /* 1: use a qualifying holdout experiment of the
                                kind; 0: P(accept) x value everywhere */
    double uplift_min_n;     /* 1000: units needed in the holdout arm and in
                                the treated arms */
    double uplift_min_days;  /* 30: days from the experiment's start to the
                                end of its window (its end, or as_of) */
    double cost_email;       /* contact cost per channel (currency units),   */
    double cost_in_app;      /* subtracted from uplift x value: 0, 0, 50, 5, */
    double cost_csm;         /* 0 (a CSM meeting, a webinar seat); not used  */
    double cost_webinar;     /* for offers valued by P(accept)               */
    double cost_sns;
    const double *churn_p;   /* optional P(churn) per customer (snapshot order,
                                NaN: unknown), e.g. from the churn model;
                                NULL: the built-in estimate (borrowed) */
} xs_offer_config;

/** Sets the defaults listed in xs_offer_config. */
void xs_offer_config_init(xs_offer_config *c);

/**
 * Changes settings by field name from "name=value,name=value"
 * (e.g. "min_health=60,max_offers=1"). Values are finite numbers >= 0.
 * On failure *c is unchanged.
 * @return XS_OK, or XS_EINVAL (`unknown name "x"`, `not a number: "abc"`)
 *         with err's column set to option
 */
int xs_offer_config_set(xs_offer_config *c, const char *spec, const char *option,
                        xs_error *err);

/* One candidate offer. Products are snapshot product indexes (-1: none);
 * money in currency units. */
typedef struct xs_offer {
    uint32_t customer;      /* snapshot customer index */
    xs_offer_kind kind;
    xs_offer_trigger trigger;
    int32_t from_product;   /* product replaced or reduced; -1 for a new one */
    int32_t to_product;     /* product proposed; -1 when dropping from_product */
    uint32_t qty_from, qty_to; /* seat packs: quantities */
    uint16_t term_from, term_to; /* term trigger: the plan's term and the one
                                    proposed, in months; 0 otherwise */
    int channel;            /* XS_OFFER channel: 0 email 1 in_app 2 csm 3 webinar 4 sns;
                               -1 when none is consented */
    int32_t timing;         /* day to send (>= as_of; as_of means now) */
    double p_accept;        /* P(accept) */
    double p_prior;         /* the cold-start prior it was shrunk toward */
    double p_churn;         /* the customer's P(churn) */
    double revenue_delta;   /* change in revenue over the horizon */
    double value;           /* revenue_delta, or for a downsell
                               P(churn) x current revenue - price cut */
    double at_stake;        /* downsell and term: the family's current revenue
                               over the horizon; 0 otherwise */
    double ev;              /* p_accept x value; with value_basis
                               XS_VALUE_UPLIFT uplift x value - contact cost */
    xs_offer_guard guard;   /* XS_GUARD_NONE when offered */
    int rank;               /* 1.. among the offered; 0 when suppressed */
    /* numbers the explanation and the evidence quote */
    double used, limit;     /* usage trigger: used and capacity of the metric */
    int metric;             /* snapshot metric code of the trigger, -1 none */
    double support, confidence, lift; /* rule of a cross-sell; for trigger
                                         similar: lift is the cosine similarity,
                                         confidence co-orders / orders of A */
    int32_t rule_from;      /* antecedent product (family plan or shop product) */
    int32_t lag_days;       /* typical adoption lag (median), -1 unknown */
    int32_t days;           /* days since the antecedent / to the renewal */
    /* relevance of shop offers (cross-sell, bundle, shop upgrade) */
    double relevance;       /* what orders shop cross-sells among themselves:
                               confidence x lift of the evidence; 0 otherwise */
    uint32_t share_n, base_n; /* the evidence's share: share_n of base_n
                                 customers (adoption) or orders (cart, purchase,
                                 similar, bundle) with rule_from also have it */
    double band_hi;         /* the customer's largest past order line (currency
                               units); 0 when none */
    int32_t subst_of;       /* the recent purchase it is a substitute of, -1 */
    int32_t also[2];        /* bundle: the further missing items, -1 none */
    double discount;        /* bundle: the declared discount (currency units) */
    /* where p_prior comes from (XS_PRIOR_*) and its base: prior_k of prior_n
       similar customers took it up (uptake); 0 otherwise */
    int prior_src;
    uint32_t prior_k, prior_n;
    /* retention_addon: churned / customers among the plan's holders with and
       without the add-on in the store's history */
    uint32_t churn_with, n_with, churn_without, n_without;
    int retention;          /* 1: a retention offer (the customer is at risk) */
    double propensity;      /* offered ones: the probability with which the
                               policy chose it for its slot (1: greedy
                               without exploration); 0 when suppressed */
    /* uplift (docs/offers.md "Uplift"): with value_basis XS_VALUE_UPLIFT,
       ev = uplift x value - the channel's contact cost */
    int value_basis;        /* XS_VALUE_PROPENSITY (0) or XS_VALUE_UPLIFT */
    double uplift;          /* predicted uplift of the outcome of the kind
                               (expanded; retained for downsells and retention
                               offers); meaningful with XS_VALUE_UPLIFT only */
} xs_offer;

/* What an offer's expected value is based on (xs_offer.value_basis). */
enum {
    XS_VALUE_PROPENSITY = 0, /* P(accept) x value */
    XS_VALUE_UPLIFT = 1      /* uplift x value - contact cost */
};
/** "propensity" / "uplift". */
const char *xs_offer_value_basis_name(int basis);

/* Sources of an offer's cold-start prior (xs_offer.prior_src). */
enum {
    XS_PRIOR_TRIGGER = 0, /* the trigger's constant (docs/offers.md) */
    XS_PRIOR_RULE,        /* the association rule's confidence */
    XS_PRIOR_UPTAKE,      /* uptake among similar customers (same plan, tenure band) */
    XS_PRIOR_CHURN,       /* the customer's churn risk (retention offers) */
    XS_PRIOR_N
};

/** The engine: shared, read-only state over one snapshot. Opaque. */
typedef struct xs_offer_engine xs_offer_engine;

/**
 * Builds the engine for a snapshot as of a date.
 * @param s     the snapshot (borrowed; must outlive the engine)
 * @param c     settings (copied; churn_p stays borrowed); NULL: defaults
 * @param as_of "YYYY-MM-DD"; NULL: the latest dated activity (see
 *              xs_customer_scores_compute())
 * @param out   caller frees with xs_offer_engine_free()
 * @return XS_OK, XS_EINVAL (bad as_of: param "as_of"; empty snapshot),
 *         XS_ENOMEM
 * @code
 *   xs_offer_engine *en; xs_offer o[32];
 *   if (xs_offer_engine_new(snap, NULL, NULL, &en, &e) < 0) ...;
 *   long c = xs_offer_engine_find(en, "C00000001");
 *   int n = xs_offer_decide(en, (uint32_t)c, o, 32);
 *   xs_offer_engine_free(en);
 * @endcode
 */
int xs_offer_engine_new(const xs_snapshot *s, const xs_offer_config *c,
                        const char *as_of, xs_offer_engine **out, xs_error *err);
/** Frees the engine; NULL is fine. */
void xs_offer_engine_free(xs_offer_engine *en);
/** @return the customer index of an id, or XS_ENOTFOUND */
long xs_offer_engine_find(const xs_offer_engine *en, const char *customer_id);
/** @return the number of customers */
size_t xs_offer_engine_n_customers(const xs_offer_engine *en);
/** @return the as_of day used, "YYYY-MM-DD" into buf */
const char *xs_offer_engine_as_of(const xs_offer_engine *en, char buf[11]);

#define XS_OFFER_MAX_CANDIDATES 64

/**
 * Decides one customer: every candidate, valued, checked against the
 * guardrails and ranked. out receives the offered ones first (rank 1, 2,
 * ...), then the suppressed ones (by guard, then expected value), at most
 * cap (XS_OFFER_MAX_CANDIDATES holds all). Thread-safe (the engine is
 * read-only); no allocation.
 * @return the number of candidates written
 */
int xs_offer_decide(const xs_offer_engine *en, uint32_t customer, xs_offer *out,
                    size_t cap);

/**
 * Like xs_offer_decide(), with a cart: the products in it (snapshot product
 * indexes, see xs_offer_engine_find_product()) are treated as being bought
 * now — their order rules give cross-sells (trigger cart) and they are
 * never proposed themselves.
 * @return the number of candidates written
 */
int xs_offer_decide_cart(const xs_offer_engine *en, uint32_t customer,
                         const uint32_t *cart, size_t n_cart, xs_offer *out, size_t cap);
/** @return the product index of an id, or XS_ENOTFOUND */
long xs_offer_engine_find_product(const xs_offer_engine *en, const char *product_id);

/* ---- The cart answer (src/offer/cart.c; docs/offers.md "Cart") ---------- */

/* xs_offer.customer of a cart answer for an anonymous shopper. */
#define XS_OFFER_ANONYMOUS UINT32_MAX

/**
 * What to place next to a cart or on a product page: the one cart answer
 * of `xsell recommend --cart` and POST /v1/cart/recommendations. A placement
 * is not a contact, so the contact policy (health gate, contact caps,
 * declined cooldowns, consent, critical cases, holdouts) does not apply; the
 * relevance rules do: cross-sells from the order rules and item similarity
 * of the cart's items and, for a known customer, of its purchases within
 * recent_days (half weight); never an item in the cart, bought recently or
 * of a family the customer holds; ranked by relevance (p_accept: noisy-OR
 * of the rules' confidences), then product id — never by price.
 * out gets cross-sells (guard none, rank 1.., channel in_app, trigger cart,
 * similar or purchase, rule_from the strongest antecedent).
 * @param customer_id the shopper (borrowed); NULL or an id the snapshot
 *                    does not know: an anonymous shopper (customer
 *                    XS_OFFER_ANONYMOUS, only the cart counts)
 * @param cart product indexes (xs_offer_engine_find_product()); repeats
 *             count once, out-of-range indexes are ignored
 * @return the number written (at most cap), or XS_ENOMEM
 * @code
 *   uint32_t cart[1] = {(uint32_t)xs_offer_engine_find_product(en, "cam")};
 *   xs_offer o[10];
 *   int n = xs_offer_cart(en, "C00000001", cart, 1, o, 10);
 * @endcode
 */
int xs_offer_cart(const xs_offer_engine *en, const char *customer_id, const uint32_t *cart,
                  size_t n_cart, xs_offer *out, size_t cap);
/** Adds the columns of xs_offer_cart_table() to an empty table: customer_id
 *  (empty when anonymous), rank, product, trigger, because (the antecedent
 *  product), probability, confidence, explanation. @return XS_OK, XS_ENOMEM */
int xs_offer_cart_table_columns(xs_table *t);
/** Appends a cart answer as rows. @return XS_OK, XS_ENOMEM, XS_EINVAL (lang
 *  not en / ja) */
int xs_offer_cart_table(const xs_offer_engine *en, const xs_offer *o, size_t n,
                        const char *lang, xs_table *t);

/** @return "upsell", "cross-sell", "downsell" */
const char *xs_offer_kind_name(xs_offer_kind k);
/** @return the trigger's name ("usage", "seats", ...) */
const char *xs_offer_trigger_name(xs_offer_trigger t);
/** @return the guard's name ("critical_case", ...; "" for none) */
const char *xs_offer_guard_name(xs_offer_guard g);
/** @return a channel's name ("email", ...), "" for -1 */
const char *xs_offer_channel_name(int ch);

/**
 * Writes the benefit-first explanation of an offer with the customer's own
 * numbers, in "en" or "ja", into buf (UTF-8, always NUL-terminated).
 * @return buf
 */
const char *xs_offer_explain(const xs_offer_engine *en, const xs_offer *o,
                             const char *lang, char *buf, size_t n);
/** A product's name as the explanations name it: in "ja" its Japanese name
 *  when the catalog has one, else its name, else its id ("" for an index
 *  out of range). @return a string borrowed from the engine's snapshot */
const char *xs_offer_product_name(const xs_offer_engine *en, int32_t product,
                                  const char *lang);
/** Writes the evidence for the CSM (triggering numbers, rule measures,
 *  adoption lag, scores) into buf. @return buf */
const char *xs_offer_evidence(const xs_offer_engine *en, const xs_offer *o, char *buf,
                              size_t n);

/* Why a shop cross-sell is one a merchandiser would not send: the measure
 * of docs/offers.md "Relevance", fixed whatever the settings. */
#define XS_OFFER_BAD_PRICE 1u      /* the product (a bundle: its price) costs more
                                      than 5 x the customer's largest past order
                                      line */
#define XS_OFFER_BAD_SUBSTITUTE 2u /* a substitute of a product the customer bought
                                      in the 90 days up to as_of */
/**
 * The one definition of a bad shop cross-sell, for `xsell evaluate` and
 * tests: a cross-sell (or bundle) of a shop product (kind product) that
 * costs more than 5 x the largest order line the customer had on or before
 * as_of, or that is a substitute (the engine's rule, with its settings) of a
 * product the customer bought in the 90 days up to as_of. Only o->kind,
 * o->customer, o->to_product and o->trigger (with o->also for a bundle) are
 * read, so an offer rebuilt from the output of `xsell recommend` (product
 * column "a + b" for a bundle) can be checked. Thread-safe; no allocation
 * (about 100 KB of stack).
 * @return 0 (not a shop cross-sell, or a good one), else XS_OFFER_BAD_* bits
 */
unsigned xs_offer_bad_cross_sell(const xs_offer_engine *en, const xs_offer *o);
/** @return whether o is a cross-sell or bundle of a shop product (kind
 *  product): the offers xs_offer_bad_cross_sell() judges */
int xs_offer_is_shop_cross_sell(const xs_offer_engine *en, const xs_offer *o);

/** Adds the columns of xs_offer_table() to an empty table. @return XS_OK or XS_ENOMEM */
int xs_offer_table_columns(xs_table *t);

/**
 * Appends offers as rows of a table set up with xs_offer_table_columns():
 * customer_id, rank, kind, product (from -> to), expected_value,
 * probability, revenue_delta, channel, timing ("now" or a date),
 * explanation, evidence, suppressed_by (the guard's name, empty when offered).
 * @param show_suppressed 0: offered ones only
 * @return XS_OK, XS_ENOMEM, XS_EINVAL (lang not en / ja)
 */
int xs_offer_table(const xs_offer_engine *en, const xs_offer *o, size_t n,
                   const char *lang, int show_suppressed, xs_table *t);

/* Totals of deciding every customer. */
typedef struct xs_offer_summary {
    size_t n_customers, n_candidates, n_offered;
    double ev_offered;               /* sum of offered expected value */
    size_t n_suppressed[XS_GUARD_N]; /* per guard ([0]: unused) */
    double ev_held[XS_GUARD_N];      /* expected value held back per guard */
    size_t n_kind[XS_OFFER_N_KINDS]; /* offered per kind */
    unsigned uplift_kinds;           /* bit k: a candidate of kind k was valued
                                        by uplift (the summary table lists the
                                        negative_uplift guard only then) */
} xs_offer_summary;

/** Called for every customer with its decided candidates (borrowed for the
 *  call). Return 0 to go on, a negative XS_E* code to stop. */
typedef int (*xs_offer_fn)(void *ctx, uint32_t customer, const xs_offer *o, size_t n);

/**
 * Decides every customer, on n_threads threads (1: the caller's; they take
 * blocks of 2,048 customers in turn), filling *sum: the totals are added
 * block by block in customer order, so they are the same bits on any
 * number of threads. With fn (not NULL) it runs on the caller's thread
 * only and calls fn for every customer in order.
 * @return XS_OK, fn's code, XS_ENOMEM
 */
int xs_offer_decide_all(const xs_offer_engine *en, int n_threads, xs_offer_fn fn,
                        void *ctx, xs_offer_summary *sum);

/**
 * Writes the offers of every customer as xs_offer_table() rows in CSV,
 * JSON or the aligned table (byte for byte xs_table_write() of one table
 * over all customers in order) without holding them all as one table:
 * n_threads workers decide and render blocks of 4,096 customers, the
 * caller's thread writes them in order. CSV and JSON are streamed in one
 * pass (a few blocks per worker in memory). The aligned table, whose
 * widths depend on every row, takes two: the workers decide every block
 * and keep its cells packed (about the size of the CSV) with the column
 * widths, then pad the blocks at the final widths, each block's cells
 * freed once padded; nothing is written before the first pass is done.
 * Fills *sum (totals merged block by block in customer order, so the same
 * for any thread count).
 * @return XS_OK, XS_EINVAL (fmt not an xs_format; lang not en / ja),
 *         XS_EIO (out failed), XS_ENOMEM
 */
int xs_offer_write_all(const xs_offer_engine *en, int n_threads, const char *lang,
                       int show_suppressed, xs_format fmt, FILE *out,
                       xs_offer_summary *sum, xs_error *err);

/** Fills an empty table with the guardrail summary: guard, candidates,
 *  expected_value: first "offered" (EV offered), then one row per guard
 *  (suppressed count, EV held back). @return XS_OK, XS_ENOMEM */
int xs_offer_summary_table(const xs_offer_summary *sum, xs_table *t);

/** Fills an empty table with the uplift evidence, one row per kind: kind,
 *  basis (uplift / propensity), experiment, outcome, window, treated,
 *  holdout, scored, negative, mean_uplift (xs_offer_engine_uplift(); the
 *  last seven empty for a kind valued by propensity). @return XS_OK,
 *  XS_ENOMEM */
int xs_offer_uplift_table(const xs_offer_engine *en, xs_table *t);

/**
 * Target list: customers ranked by the total expected value of their
 * offered offers (ties: customer_id), those with none left out. Columns:
 * rank, customer_id, expected_value, offers, top_offer, ltv, segment (the
 * customer's segment column), size, maturity (active product families
 * held), health and loyalty (the health segment: champion, loyal, ...).
 * @param limit at most this many rows; 0: all
 * @param sum   optional (NULL): filled with the guardrail totals of the same
 *              pass over every customer, as xs_offer_decide_all() with
 *              n_threads would (up to 16 threads; 1 below 1000 customers)
 * @return XS_OK, XS_ENOMEM
 */
int xs_offer_targets(const xs_offer_engine *en, int n_threads, size_t limit,
                     xs_table *t, xs_offer_summary *sum);

/* One row of the ranked target list: a customer with offered offers
 * (fixed layout: it is stored as is in model files). */
typedef struct xs_target {
    uint32_t customer;   /* customer index */
    uint32_t n_offers;   /* offered offers */
    double ev;           /* their total expected value */
    int32_t top_product; /* product of the first offered offer */
    int32_t top_kind;    /* its xs_offer_kind */
} xs_target;

/**
 * The ranking behind xs_offer_targets(): every customer decided (n_threads
 * as there), those with an offered offer ranked by expected value (ties:
 * customer index).
 * @param out caller frees with xs_targets_free()
 * @param sum optional (NULL): the guardrail totals of the same pass
 * @return XS_OK, XS_ENOMEM
 */
int xs_offer_targets_rank(const xs_offer_engine *en, int n_threads, xs_target **out,
                          size_t *n, xs_offer_summary *sum);
/** Frees a ranking of xs_offer_targets_rank(); NULL is fine. */
void xs_targets_free(xs_target *t);
/**
 * Renders rows [offset, offset + limit) of a ranking (limit 0: to the end)
 * into an empty table, the columns of xs_offer_targets() (rank counts from
 * offset + 1). @return XS_OK, XS_ENOMEM
 */
int xs_offer_targets_page(const xs_offer_engine *en, const xs_target *rows, size_t n,
                          size_t offset, size_t limit, xs_table *t);

/* ---- The global plan under capacity (src/offer/plan*.c; docs/plan.md) --- */

/*
 * Assigns offers to every customer at once to maximise the total expected
 * value under capacities (CSM meetings per owner, channel budgets, product
 * volume limits) for one period, with the shadow price of each capacity,
 * next to today's greedy per-customer ranking under the same constraints.
 */

typedef enum xs_plan_solver {
    XS_PLAN_AUTO = 0, /* mip up to exact_max candidates, else lagrange */
    XS_PLAN_LAGRANGE, /* Lagrangian relaxation + repair */
    XS_PLAN_LP,       /* GLPK simplex on the LP relaxation + repair */
    XS_PLAN_MIP       /* GLPK branch and bound (exact within time_limit_ms) */
} xs_plan_solver;

typedef struct xs_plan_opts {
    const char *capacity;  /* the spec: "csm=8/owner, email=5000,
                              product:crm-pro=50" (docs/plan.md); entries
                              separated by commas or new lines, '#' comments */
    const char *source;    /* name in errors ("capacity", or a file name) */
    int days;              /* 7: the period the capacities are for; offers
                              due later are not planned */
    xs_plan_solver solver; /* XS_PLAN_AUTO */
    int max_iter;          /* 2000: subgradient iterations of the first round */
    int exact_max;         /* 2000: auto uses mip up to this many candidates */
    int time_limit_ms;     /* 60000: mip stops searching after this and keeps
                              the best integer plan found (or rounds the LP);
                              0: no limit */
    int n_threads;         /* 2: threads deciding the candidates (1..16; 1
                              below 1,000 customers) */
} xs_plan_opts;

/** Sets the defaults listed in xs_plan_opts (capacity NULL). */
void xs_plan_opts_init(xs_plan_opts *o);
/** @return "auto", "lagrange", "lp" or "mip" */
const char *xs_plan_solver_name(xs_plan_solver s);
/** @return XS_OK, or XS_EINVAL for a name not of xs_plan_solver_name() */
int xs_plan_solver_parse(const char *s, xs_plan_solver *out);

/* Totals of a plan. */
typedef struct xs_plan_totals {
    size_t n_customers;         /* in the snapshot */
    size_t n_planned_customers; /* with at least one candidate */
    size_t n_candidates, n_assigned, n_greedy;
    size_t n_reached;    /* customers given at least one offer by the plan */
    double value;        /* the plan's total expected value */
    double greedy_value; /* today's greedy under the same capacities */
    double bound;        /* upper bound on any plan (LP relaxation) */
    int optimal;         /* 1: value proven optimal (= bound, or mip) */
    int iterations;
    xs_plan_solver solver; /* the one used (auto resolved) */
    int days;
    double seconds_candidates, seconds_greedy, seconds_plan;
} xs_plan_totals;

typedef struct xs_plan xs_plan;

/**
 * Plans every customer of the engine.
 * @param en  borrowed; must outlive the plan
 * @param o   options (copied); NULL: defaults (then capacity is missing)
 * @param out caller frees with xs_plan_free()
 * @return XS_OK; XS_EINVAL with err located at SOURCE:ENTRY for a bad spec
 *         (`capacity:3: unknown channel: "fax"`), or GLPK's failure;
 *         XS_ENOMEM
 * @code
 *   xs_plan_opts o; xs_plan *pl;
 *   xs_plan_opts_init(&o); o.capacity = "csm=8/owner,email=5000";
 *   if (xs_plan_compute(en, &o, &pl, &e) < 0) ...;
 *   printf("%.2f\n", xs_plan_totals_of(pl)->value);
 *   xs_plan_free(pl);
 * @endcode
 */
int xs_plan_compute(const xs_offer_engine *en, const xs_plan_opts *o, xs_plan **out,
                    xs_error *err);
/** Checks a capacity spec against snapshot s (its products) without
 *  planning: the errors of xs_plan_compute(). @return XS_OK, XS_EINVAL,
 *  XS_ENOMEM */
int xs_plan_capacity_check(const xs_snapshot *s, const char *spec, const char *source,
                           xs_error *err);
/** Frees a plan; NULL is fine. */
void xs_plan_free(xs_plan *pl);
/** @return the totals (borrowed, valid until xs_plan_free) */
const xs_plan_totals *xs_plan_totals_of(const xs_plan *pl);
/** Fills an empty table with one row per capacity constraint: constraint,
 *  owner (per-owner ones), capacity, used, greedy_used, shadow_price (value
 *  per unit of capacity). @return XS_OK or XS_ENOMEM */
int xs_plan_constraints_table(const xs_plan *pl, xs_table *t);
/** Fills an empty table with the totals as one row: customers,
 *  planned_customers, reached (customers given an offer), candidates,
 *  assigned, value, greedy_assigned,
 *  greedy_value, gain, gain_pct, bound, gap_pct (of the bound), optimal
 *  (0/1), solver, iterations, days, seconds_candidates, seconds_greedy,
 *  seconds_plan. @return XS_OK or XS_ENOMEM */
int xs_plan_totals_table(const xs_plan *pl, xs_table *t);
/** Fills an empty table with the assignment: customer_id, product, kind,
 *  channel, owner, timing, expected_value, engine_rank (0: held back by the
 *  engine's limit), greedy (1: today's greedy sends it too).
 *  @param customer_id one customer's rows; NULL: every customer
 *  @return XS_OK, XS_ENOTFOUND (unknown customer), XS_ENOMEM */
int xs_plan_assignment_table(const xs_plan *pl, const char *customer_id, xs_table *t);
/**
 * Writes the plan as `xsell plan` prints it (plan_report.c): in table
 * format the totals against the greedy ranking and the constraints with
 * their shadow prices; in JSON {totals, constraints, assignment}; in CSV
 * the assignment.
 * @param customer_id JSON and CSV: one customer's assignment; NULL: all
 * @return XS_OK, XS_ENOTFOUND (unknown customer), XS_ENOMEM or XS_EIO
 * @code
 *   xs_plan_write(pl, NULL, stdout, XS_FORMAT_TABLE);
 * @endcode
 */
int xs_plan_write(const xs_plan *pl, const char *customer_id, FILE *out, xs_format fmt);

/**
 * Stores the plan as the store's latest (`xsell build --capacity`, read by
 * GET /v1/plan): its summary {"totals": [row], "constraints": [rows]} and
 * each customer's assignment rows as JSON, in one transaction.
 * @param capacity the spec as given (stored for the record)
 * @return XS_OK, XS_EDB, XS_ENOMEM
 */
int xs_plan_save(xs_store *st, const xs_plan *pl, const char *capacity, xs_error *err);

/* One customer's stored assignment (a JSON array of assignment rows). */
typedef struct xs_plan_stored_row {
    const char *customer_id, *assignment;
} xs_plan_stored_row;

/** Replaces the stored plan (src/store/plans.c): built_at, as_of, the
 *  capacity spec, the summary JSON and the rows, all copied; one
 *  transaction. @return XS_OK or XS_EDB */
int xs_store_plan_put(xs_store *st, const char *built_at, const char *as_of,
                      const char *capacity, const char *summary,
                      const xs_plan_stored_row *rows, size_t n, xs_error *err);
/** The stored plan: built_at, as_of, capacity and summary (caller frees
 *  the last two with xs_store_plan_free()). @return 1 found, 0 none,
 *  XS_EDB, XS_ENOMEM */
int xs_store_plan_get(xs_store *st, char built_at[21], char as_of[11], char **capacity,
                      char **summary, xs_error *err);
/** One customer's stored assignment (caller frees with xs_store_plan_free()).
 *  @return 1 found, 0 none (not planned), XS_EDB, XS_ENOMEM */
int xs_store_plan_customer(xs_store *st, const char *customer_id, char **assignment,
                           xs_error *err);
/** Frees text of xs_store_plan_get / _customer; NULL is fine. */
void xs_store_plan_free(char *s);

/*
 * Build and closing the loop (src/offer/model_io.c, src/store/offers_log.c;
 * docs/offers.md "Build" and "Closing the loop"). `xsell build` stores the
 * fitted propensity model with its as-of day in the store's builds table;
 * the engine then uses it instead of fitting when the decision is as of the
 * same day. Offers shown can be logged into the offers table (outcome
 * pending) and their outcomes recorded later; the snapshot reads them back,
 * so the guardrails and the next build see them.
 */

/**
 * Builds the engine like xs_offer_engine_new(), with the propensity model
 * of the store's latest build when its as-of day is the decision's
 * (evidence then ends with "; model built <day>"), else fitted on the fly
 * (evidence "; model fitted, build is as of <day>").
 * @return as xs_offer_engine_new(), or XS_ENOTFOUND when the store was
 *         never built (`store was never built: run 'xsell build --db
 *         FILE'`), XS_EDB, XS_EPARSE (a damaged stored model)
 */
int xs_offer_engine_open(xs_store *st, const xs_snapshot *s, const xs_offer_config *c,
                         const char *as_of, xs_offer_engine **out, xs_error *err);

/** What xs_offer_build() did. */
typedef struct xs_offer_build_info {
    char as_of[11];                  /* the build's as-of day */
    char built_at[21];               /* UTC "YYYY-MM-DDTHH:MM:SSZ" */
    int fitted;                      /* 1: the model was fitted (enough history) */
    size_t n_hist[XS_OFFER_N_KINDS]; /* decided offers per kind it learnt from */
} xs_offer_build_info;

/**
 * Fits the propensity model over snapshot s as of as_of (NULL: the latest
 * date) and stores it as the store's latest build (one transaction).
 * @param info optional; filled on success
 * @return XS_OK, XS_EINVAL (as xs_offer_engine_new), XS_ENOMEM, XS_EDB
 */
int xs_offer_build(xs_store *st, const xs_snapshot *s, const xs_offer_config *c,
                   const char *as_of, xs_offer_build_info *info, xs_error *err);
/**
 * xs_offer_build() that also hands out the engine it fitted, as
 * xs_offer_engine_open() would open the build just stored (the store's
 * experiments, the model read back from its stored text): a caller that
 * needs both (`xsell build`) creates the engine once. When the store's
 * build carries a churn model (xs_offer_churn_attach), *out is left NULL:
 * open the build with xs_offer_engine_open().
 * @param out caller frees with xs_offer_engine_free(); borrows s
 * @return as xs_offer_build()
 */
int xs_offer_build_open(xs_store *st, const xs_snapshot *s, const xs_offer_config *c,
                        const char *as_of, xs_offer_build_info *info,
                        xs_offer_engine **out, xs_error *err);

/** What xs_offer_churn_attach() found. */
typedef struct xs_churn_attach_info {
    char name[128];     /* file name stored (without directories) */
    char sha256[65];    /* of the file's bytes, hex */
    size_t n_columns;   /* source columns of the model */
    size_t n_found;     /* of them, found in some customer's attrs */
    size_t n_scored;    /* customers whose attrs hold a model column */
    char missing[1024]; /* the model columns no customer's attrs hold, ", " */
} xs_churn_attach_info;

/**
 * Attaches a churn model trained on a customer table (`xsell churn train
 * --input`) to the store's latest build: the model file's bytes are stored
 * in the store (with its name and SHA-256), and every engine opened on the
 * build (xs_offer_engine_open) predicts P(churn) from the customers' attrs
 * with it (docs/offers.md, "Churn risk"). path "none" detaches.
 * @param s the store's snapshot (borrowed): checks which model columns the
 *          customers' attrs hold and that some customer can be scored
 * @return XS_OK; XS_EIO (cannot read path); XS_EPARSE (not a churn model);
 *         XS_EINVAL (no customer's attrs hold any model column: column
 *         "churn_model"); XS_ENOTFOUND (never built); XS_EDB; XS_ENOMEM
 */
int xs_offer_churn_attach(xs_store *st, const xs_snapshot *s, const char *path,
                          xs_churn_attach_info *info, xs_error *err);
/** The checks of xs_offer_churn_attach() without writing anything (the
 *  model read, parsed and scored on s): run it before a build that will
 *  attach the model, so that a bad model leaves the store as it was.
 *  @return as xs_offer_churn_attach(), never XS_ENOTFOUND or XS_EDB */
int xs_offer_churn_check(const xs_snapshot *s, const char *path, xs_churn_attach_info *info,
                         xs_error *err);

/** The latest build's as_of, built_at and model text.
 *  @return 1 found (model: caller frees with xs_store_build_free()), 0 never built,
 *  XS_EDB, XS_ENOMEM */
int xs_store_build_get(xs_store *st, char as_of[11], char built_at[21], char **model,
                       xs_error *err);
/** Appends a build row. @return XS_OK or XS_EDB */
int xs_store_build_put(xs_store *st, const char *as_of, const char *built_at,
                       const char *model, xs_error *err);
/** Frees the model text of xs_store_build_get(); NULL is fine. */
void xs_store_build_free(char *model);
/**
 * Attaches a churn model to the latest build: its file name, SHA-256 (hex)
 * and the model file's bytes (copied into the store). A later build keeps
 * it (xs_store_build_put carries it over); model NULL detaches it.
 * @return XS_OK, XS_ENOTFOUND (never built), XS_ERANGE, XS_EDB
 */
int xs_store_build_churn_put(xs_store *st, const char *name, const char *sha256,
                             const char *model, size_t len, xs_error *err);
/**
 * The churn model attached to the latest build.
 * @return 1 found (name and model: caller frees each with
 *         xs_store_build_free(); model NUL-terminated, len bytes), 0 none,
 *         XS_EDB, XS_ENOMEM
 */
int xs_store_build_churn_get(xs_store *st, char **name, char sha256[65], char **model,
                             size_t *len, xs_error *err);

/* One offer to log (xs_offer_log_fill() fills it from a decided offer). */
typedef struct xs_offer_record {
    const char *customer_id, *product_id; /* borrowed */
    const char *kind;                     /* "upsell", "cross_sell", "downsell" */
    const char *channel;                  /* "email", ... */
    char sent_at[11];                     /* the decision day */
    char attrs[160];                      /* JSON object: trigger, from product */
    char offer_id[32];                    /* out: "X" YYYYMMDD "-" sequence */
} xs_offer_record;

/** Fills r from an offered offer (strings borrowed from the engine's
 *  snapshot). @return XS_OK, XS_EINVAL (suppressed or without a channel) */
int xs_offer_log_fill(const xs_offer_engine *en, const xs_offer *o, xs_offer_record *r);

/**
 * Logs offers into the offers table with outcome pending, in one
 * transaction, assigning each offer_id = "X" + sent_at without dashes + "-"
 * + a sequence number (at least 4 digits), one above the largest of that
 * day already in the store: unique; within a day the number gives the
 * logging order (compare it as a number past 9999).
 * @return the number logged, XS_EDB (nothing written)
 */
int xs_store_offers_log(xs_store *st, xs_offer_record *r, size_t n, xs_error *err);

/**
 * Records the outcome of a logged offer: outcome accepted | declined |
 * ignored, outcome_at = at ("YYYY-MM-DD", >= sent_at), revenue_delta =
 * amount (decimal text in the store's currency, may be negative; NULL:
 * unchanged). An outcome is final: an offer that already has one is
 * refused. Nothing is changed on error.
 * @return XS_OK, XS_ENOTFOUND (param "offer_id": `unknown offer "X"`),
 *         XS_ECONFLICT (the offer has its final outcome already), XS_EINVAL
 *         (param "at": bad date or before sent_at; "outcome";
 *         "revenue_delta"), XS_EDB
 */
int xs_store_offer_outcome(xs_store *st, const char *offer_id, const char *outcome,
                           const char *at, const char *revenue_delta, xs_error *err);

/* ====================================================================== */
/* Decisions, exploration and replay (src/offer/explore.c,                */
/* src/store/decisions.c, src/measure/replay*.c; docs/replay.md)          */
/* ====================================================================== */

/*
 * A decision is one slot of one customer on one day: the candidates the
 * guardrails let through (eligible: offered, or held back only by the
 * per-customer limit) that no earlier slot took (itself or its product
 * family), the one chosen and the probability with which the policy chose
 * it. The policy: with probability control_share a uniform choice; else
 * with the epsilon of the greedy choice's kind a uniform choice; else the
 * greedy choice (the engine's ranking), or, where Thompson sampling is on
 * for some kinds, the best by P(accept) drawn from each candidate's Beta
 * posterior x value (its probabilities estimated with 256 seeded draws).
 * Draws are seeded by (customer id, decision day, explore_seed, slot), so
 * the same run gives the same log.
 */

/** How a slot's offer was chosen. */
typedef enum xs_decision_how {
    XS_HOW_GREEDY = 0, /* the policy's best (exploration did not act) */
    XS_HOW_EXPLORE,    /* epsilon-greedy or Thompson sampling */
    XS_HOW_CONTROL     /* the random control share */
} xs_decision_how;

/** @return "greedy", "explore", "control" */
const char *xs_decision_how_name(xs_decision_how h);

/* One candidate of a slot as the policy sees it, in the engine's ranking
 * order (the first is the greedy choice). */
typedef struct xs_policy_cand {
    xs_offer_kind kind;
    double p_accept; /* P(accept) */
    double value;    /* value when accepted (currency units) */
    double ev;       /* p_accept x value */
    double strength; /* Thompson: P(accept) ~ Beta(p m, (1 - p) m), m this */
    double prob;     /* out: probability that the policy chooses it */
} xs_policy_cand;

/**
 * The policy's choice distribution over the n candidates of one slot:
 * fills c[i].prob (summing to 1). Thompson's probabilities are the share
 * of 256 draws (seeded by seed) each candidate wins, so they are exact for
 * the policy as run (xs_policy_choose draws from these very numbers).
 * @param logged 1: the decision is logged (control_share -1 means 0.02)
 * @return 1 when the distribution is not the greedy one (exploration or
 *         control acts), 0 when greedy, XS_EINVAL when n is 0
 */
int xs_policy_probs(const xs_offer_config *cfg, int logged, xs_policy_cand *c, size_t n,
                    uint64_t seed);

/**
 * Draws one candidate from the probabilities of xs_policy_probs() with the
 * uniform number u in [0, 1); *how (may be NULL) gets whether the control
 * share, exploration or the greedy choice made it (the part of [0, 1) u
 * fell in). @return the index chosen
 */
size_t xs_policy_choose(const xs_offer_config *cfg, int logged, const xs_policy_cand *c,
                        size_t n, double u, xs_decision_how *how);

/* One slot's decision by the engine (xs_offer_decide_logged). */
typedef struct xs_decision {
    int slot;                             /* 1.. */
    xs_decision_how how;
    size_t n_cand;
    int cand[XS_OFFER_MAX_CANDIDATES];    /* indexes into the decided offers */
    double prob[XS_OFFER_MAX_CANDIDATES]; /* the policy's probability of each */
    int chosen;                           /* index into cand */
} xs_decision;

/**
 * Decides customer like xs_offer_decide() for a decision that is logged:
 * control_share -1 (auto) means 0.02. out must hold
 * XS_OFFER_MAX_CANDIDATES; d gets one decision per offered offer (slot
 * 1, 2, ...), at most cap_d, their number in *n_dec. The offered offers'
 * propensity is prob[chosen] of their slot.
 * @return the number of candidates written
 */
int xs_offer_decide_logged(const xs_offer_engine *en, uint32_t customer, xs_offer *out,
                           xs_decision *d, size_t cap_d, size_t *n_dec);

/** on = 1: every decision of the engine is one that is logged
 *  (control_share -1 means 0.02 for xs_offer_decide() and the rest too),
 *  so what is shown and what xs_offer_decide_logged() logs agree. Call
 *  before sharing the engine between threads. */
void xs_offer_engine_set_logged(xs_offer_engine *en, int on);

/* One decision to log (xs_decision_fill() fills it). */
typedef struct xs_decision_record {
    const char *customer_id; /* borrowed */
    char decided_at[11];     /* the decision day */
    int slot;
    const char *source;      /* "cli" or "serve" (borrowed) */
    const char *how;         /* xs_decision_how_name() */
    int chosen;              /* index into the candidates */
    double propensity;       /* of the chosen one */
    long offer;              /* index of its offer among the offers logged
                                with it (xs_store_decisions_log), -1 none */
    char *candidates;        /* JSON array (owned: xs_decision_record_clear) */
    const char *policy;      /* the exploration settings as text (borrowed) */
} xs_decision_record;

/**
 * Fills r from decision d over the decided offers o of one customer: the
 * candidates as a JSON array of objects {kind, trigger, product, from,
 * channel, p_accept, value, ev, strength, health, growth, prob} (what
 * replay needs to decide again under other settings), the chosen one and
 * its propensity. r->offer is -1 (the caller links it).
 * @return XS_OK, XS_ENOMEM
 */
int xs_decision_fill(const xs_offer_engine *en, const xs_offer *o, const xs_decision *d,
                     const char *source, xs_decision_record *r);
/** Frees r->candidates. */
void xs_decision_record_clear(xs_decision_record *r);

/** The exploration settings of cfg as "control_share=0.02,epsilon_upsell=0,..."
 *  (control_share resolved for a logged decision) into buf. @return buf */
const char *xs_policy_text(const xs_offer_config *cfg, int logged, char *buf, size_t n);

/**
 * Logs offers (as xs_store_offers_log, filling their offer_id) and the
 * decisions that chose them, in one transaction: a decision's offer index
 * links it to its offer's id.
 * @return the number of decisions logged, XS_EINVAL (an offer index out
 *         of range), XS_EDB (nothing written)
 */
int xs_store_decisions_log(xs_store *st, xs_offer_record *offers, size_t n_offers,
                           const xs_decision_record *d, size_t n, xs_error *err);

/**
 * The same in parts, for logs too large to hold in memory: begin (opens
 * the transaction), add (any number of times: offers and the decisions
 * that chose them, a decision's offer index into that call's offers;
 * returns the number of decisions or a negative code), then commit, or
 * abort (also after a failed add or commit: nothing is written).
 * @return XS_OK / a count, XS_EINVAL, XS_EDB, XS_EBUSY
 */
int xs_store_decisions_begin(xs_store *st, xs_error *err);
int xs_store_decisions_add(xs_store *st, xs_offer_record *offers, size_t n_offers,
                           const xs_decision_record *d, size_t n, xs_error *err);
int xs_store_decisions_commit(xs_store *st, xs_error *err);
void xs_store_decisions_abort(xs_store *st);

/* A logged decision read back, with its offer's outcome (strings borrowed
 * for the callback). */
typedef struct xs_logged_decision {
    long long decision_id;
    const char *customer_id, *decided_at, *how, *candidates;
    int slot, chosen;
    double propensity;    /* NaN when the row carries none */
    const char *offer_id; /* NULL: no offer */
    const char *outcome;  /* the offer's outcome, NULL when no offer row */
    double revenue_delta; /* currency units, NaN when not recorded */
} xs_logged_decision;

typedef int (*xs_decision_fn)(void *ctx, const xs_logged_decision *d);

/**
 * Calls fn for every logged decision with from <= decided_at <= to (NULL:
 * open), in decision_id order. fn returns 0 to go on or a negative code.
 * @return the number scanned, fn's code, XS_EDB
 */
long xs_store_decisions_scan(xs_store *st, const char *from, const char *to,
                             xs_decision_fn fn, void *ctx, xs_error *err);

/** An estimate with its 95 % confidence interval (normal approximation). */
typedef struct xs_replay_estimate {
    double value, se, lo, hi;
} xs_replay_estimate;

/** What a replay found: per decision means (currency units per slot). */
typedef struct xs_replay_result {
    char from[11], to[11];   /* the days of the decisions used */
    size_t n_decisions;      /* used */
    size_t n_pending;        /* skipped: the offer has no outcome yet */
    size_t n_no_propensity;  /* skipped: logged without a propensity */
    double logged;           /* mean reward of the logging policy */
    xs_replay_estimate ips, snips, dr;
    double ess;              /* effective sample size (sum w)^2 / sum w^2 */
    double mean_weight;      /* mean of pi_new / p_logged over the chosen */
    double max_weight;
    double no_support;       /* mean probability the new policy gives
                                candidates the logging policy never chooses
                                (their reward cannot be estimated by IPS) */
} xs_replay_result;

/* The estimators, fed one decision at a time (src/measure/replay.c). */
typedef struct xs_replay xs_replay;
/** @return XS_OK or XS_ENOMEM; caller frees with xs_replay_free() */
int xs_replay_new(xs_replay **out);
void xs_replay_free(xs_replay *rp);
/**
 * Adds one decision over n actions: p_log[a] (logging policy), p_new[a]
 * (the replayed policy; the rest of its mass, 1 - sum, is "no offer",
 * reward 0), q[a] (the model's expected reward, for DR), the logged action
 * (p_log[logged] > 0) and its reward.
 * @return XS_OK, XS_EINVAL (logged out of range or p_log[logged] <= 0)
 */
int xs_replay_add(xs_replay *rp, size_t n, const double *p_log, const double *p_new,
                  const double *q, size_t logged, double reward);
/**
 * IPS = mean(w r), w = p_new/p_log of the logged action; SNIPS = M sum(w r) /
 * sum(w), M the mean of sum_a p_new(a) (the share of slots the replayed
 * policy fills); DR = mean(sum_a p_new(a) q(a) + w (r - q(logged))); 95 % CIs by
 * the normal approximation on the per-decision terms (SNIPS: the delta
 * method); ESS. Fills the numeric fields of r (from, to, counts of skipped
 * decisions are the caller's).
 * @return XS_OK, XS_EINVAL (no decision added)
 */
int xs_replay_finish(const xs_replay *rp, xs_replay_result *r);

/**
 * Reads a replay policy: a file of `name=value` lines (blank lines and
 * `#` comments allowed), the settings of xs_offer_config_set() that replay
 * can apply to logged candidates: control_share, epsilon_<kind>,
 * thompson_<kind>, explore_seed, max_offers, min_health. cfg starts from
 * the defaults. A bad line is refused with its place
 * (`policy.conf:3: usage_high: replay cannot apply this setting to logged
 * decisions (it changes the candidates)`).
 * @return XS_OK, XS_EIO, XS_EINVAL
 */
int xs_replay_policy_read(const char *path, xs_offer_config *cfg, char *text, size_t n_text,
                          xs_error *err);

/**
 * Replays the decisions logged in the store between from and to (NULL:
 * open) under policy: per decision, the candidates it logged are decided
 * again (min_health removes growth offers of customers below it, slots
 * beyond max_offers offer nothing, the exploration settings give
 * p_new), rewards come from the offers' outcomes (accepted: revenue_delta
 * when recorded, else the candidate's value; declined, ignored: 0;
 * pending: skipped) and q = the logged P(accept) x value.
 * @return XS_OK; XS_ENOTFOUND (no decision in the window: `no logged
 *         decision between ...`), XS_EINVAL (no logged decision carries a
 *         propensity, or none has an outcome), XS_EDB, XS_EPARSE, XS_ENOMEM
 */
int xs_replay_run(xs_store *st, const xs_offer_config *policy, const char *from,
                  const char *to, xs_replay_result *r, xs_error *err);

/** The result as a JSON object (policy: its text) into a new string;
 *  caller frees with free(). NULL: no memory. */
char *xs_replay_result_json(const xs_replay_result *r, const char *policy);
/** Fills an empty table with estimator, value, se, ci_low, ci_high rows
 *  (logged, ips, snips, dr). @return XS_OK, XS_ENOMEM */
int xs_replay_table(const xs_replay_result *r, xs_table *t);

/**
 * Planted truth (src/measure/replay_sim.c): n_dec simulated decisions of 2
 * to 6 candidates with true P(accept) and value, a model's noisy
 * estimates, a logging policy (logging) and the replayed one (target);
 * rewards drawn from the truth. *truth gets the replayed policy's exact
 * expected reward per decision (over the simulated contexts); r the
 * estimates.
 * @return XS_OK, XS_ENOMEM
 */
int xs_replay_simulate(uint64_t seed, size_t n_dec, const xs_offer_config *logging,
                       const xs_offer_config *target, double *truth, xs_replay_result *r);

/** Stores a replay result (JSON text) with its policy and window; *id gets
 *  its replay_id. @return XS_OK, XS_EDB */
int xs_store_replay_save(xs_store *st, const char *ran_at, const char *policy,
                         const char *from, const char *to, const char *result,
                         long long *id, xs_error *err);
/** Calls fn for the stored replays, newest first, at most limit (0: all),
 *  with (id, ran_at, policy, from, to, result JSON; borrowed).
 *  @return the number, fn's code, XS_EDB */
long xs_store_replays(xs_store *st, size_t limit,
                      int (*fn)(void *ctx, long long id, const char *ran_at,
                                const char *policy, const char *from, const char *to,
                                const char *result),
                      void *ctx, xs_error *err);

#ifdef __cplusplus
}
#endif
#endif /* XS_XSELL_OFFER_H */
