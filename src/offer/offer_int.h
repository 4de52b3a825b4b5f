/*
 * offer_int.h — internals of the offer engine (src/offer): the engine's
 * shared read-only state and the per-customer working state that the
 * stages pass along.
 *
 * Flow: engine.c builds struct xs_offer_engine once per snapshot (health
 * adapter, product ladders, rules and adoption lags via rules.c, the
 * propensity model via value.c); xs_offer_decide() (engine.c) fills a
 * xs__offer_cust from the customer's CSR ranges (gather.c), generates
 * the candidates (candidates.c, from its tables of triggers), values them (value.c),
 * applies the guardrails and ranks (guardrails.c). explain.c turns an offer into text and
 * table rows; targets.c aggregates every customer.
 */
#ifndef XS_OFFER_INT_H
#define XS_OFFER_INT_H

#include "xsell.h"
#include "base/hash.h"
#include "snapshot/snapshot.h"

#include <stddef.h>
#include <stdint.h>

#define XS__OFFER_NFEAT 10   /* propensity model features */
#define XS__OFFER_MAX_FAM 16 /* active families per customer considered */
#define XS__OFFER_MAX_MET 4  /* limit metrics per family considered */
#define XS__OFFER_MAX_REFS 16
#define XS__OFFER_N_TERMS 3  /* the longer terms proposed: 12, 24, 36 months */
#define XS__OFFER_N_BANDS 4  /* tenure bands of the uptake priors (retention.c) */
#define XS__OFFER_MIN_BAND 20 /* a band's customers needed to use it alone */
#define XS__OFFER_N_TCLS 3   /* term classes of the retention figures: < 12, 12-23, 24+ */

/* Churn of a plan's customers with and without one add-on of its family
 * (retention.c). */
typedef struct xs__offer_ret {
    uint32_t churn_with, n_with, churn_without, n_without;
    int protective; /* holders churn measurably less (retention_min_n,
                       retention_gap, two standard errors) */
} xs__offer_ret;

/* One association rule: antecedent item -> consequent item. Items are
 * product indexes for shop products and n_products + family code for a
 * plan family. */
typedef struct xs__offer_rule {
    uint32_t to;
    float support, confidence, lift;
    int32_t lag_lo, lag_med; /* adoption lag window (days); -1 unknown */
} xs__offer_rule;

/* A rule table indexed by antecedent item (CSR). */
typedef struct xs__offer_rules {
    uint32_t *off; /* n_items + 1 */
    xs__offer_rule *r;
    size_t n;
} xs__offer_rules;

/* Same-group product pairs (relevance.c): key (a << 32 | b), a < b, ->
 * the volume-adjusted lift of their buyers. Open addressing, key
 * UINT64_MAX empty; cap a power of two. */
typedef struct xs__offer_pairs {
    uint64_t *key;
    float *lift;
    size_t cap, n;
} xs__offer_pairs;

/* A bundle (relevance.c): a frequent itemset of 2 or 3 shop products over
 * the order baskets whose every item goes with the rest (lift of "the
 * rest -> item" >= bundle_lift). */
typedef struct xs__offer_bundle {
    uint32_t item[3]; /* ascending product index */
    int n;
    uint32_t count;  /* orders holding all items */
    uint32_t sub[3]; /* orders holding all items but item[i] */
    float lift;      /* the smallest lift of "the rest -> item" */
} xs__offer_bundle;

/* One customer's shop history (relevance.c, xs__offer_shop_gather): the
 * products bought on or before as_of (and those in the cart, bought "now"),
 * in a hash set on the decision's stack (96 KB); no allocation. Beyond
 * XS__OFFER_SHOP_MAX distinct products the set holds the most recent ones
 * and `overflow` is set: lookups of a product not in the set then scan the
 * customer's order lines, so answers stay exact. */
#define XS__OFFER_SHOP_SLOTS 4096
#define XS__OFFER_SHOP_MAX (XS__OFFER_SHOP_SLOTS / 2)
typedef struct xs__offer_shop {
    uint32_t mask; /* slots used - 1: the power of two >= 2 x the customer's
                      lines (only those are cleared per decision) */
    uint32_t key[XS__OFFER_SHOP_SLOTS]; /* product + 1; 0 empty */
    int32_t first[XS__OFFER_SHOP_SLOTS], last[XS__OFFER_SHOP_SLOTS]; /* days */
    uint32_t first_ord[XS__OFFER_SHOP_SLOTS];  /* order of the first purchase */
    uint32_t recent_ord[XS__OFFER_SHOP_SLOTS]; /* first order within recent_days,
                                                  UINT32_MAX none */
    uint32_t bought[XS__OFFER_SHOP_MAX]; /* by first purchase (order, product) */
    uint32_t recent[XS__OFFER_SHOP_MAX]; /* bought in the last recent_days, then
                                            the cart: in that order */
    size_t n_bought, n_recent;
    int overflow;
    uint64_t held[4]; /* the products in the set (xs__offer_pmask_add): a
                         clear bit answers "never bought" without the lookup */
    double max_line; /* largest order line (currency units), 0 none */
    double min_unit; /* smallest unit price of a line (currency units), 0 none */
} xs__offer_shop;

/* The uplift evidence of one offer kind (uplift_src.c): the qualifying
 * holdout experiment and every customer's predicted uplift. */
typedef struct xs__offer_uplift {
    xs_offer_uplift_info info;
    float *grow; /* per customer: uplift of "expanded"; NaN none; NULL untrained */
    float *keep; /* per customer: uplift of "retained" (downsells, retention
                    offers); NaN none; NULL untrained */
} xs__offer_uplift;

struct xs_offer_engine {
    const struct xs_snapshot *s;
    xs_offer_config cfg;
    int32_t as_of;
    double money_div; /* 10^money_scale */
    size_t n_items;   /* n_products + number of families */
    /* customers (health adapter) */
    float *health;    /* 0..100, NaN unknown */
    uint8_t *segment; /* xs_segment */
    double *ltv;      /* currency units */
    double *churn;    /* P(churn) of the churn model, NaN unknown; NULL: not used */
    /* churn risk from outside the engine (churn_src.c): per customer the
     * best of the caller's churn_p, the imported churn_scores and the
     * churn model attached to the build, NaN where none has one; cfg.churn_p
     * points at it. churn_src_of[c]: XS__CHURN_SRC_* of that value. */
    double *churn_ext;
    uint8_t *churn_src_of;
    char churn_model_name[128]; /* file name of the attached model, "" none */
    /* products */
    double *monthly; /* monthly-equivalent list price, currency units; 0 once */
    int32_t *next_tier, *prev_tier, *annual, *monthly_of; /* -1 none */
    /* per product x XS__OFFER_N_TERMS longer terms (12, 24, 36 months): the
     * median monthly price of one unit paid on the subscriptions active at
     * as_of on that term (currency units), NaN when none */
    double *term_price;
    int32_t *seat_pack;  /* per family: addon product with a seats limit, -1 */
    int32_t *entry_plan; /* per family: cheapest paid monthly plan, -1 */
    uint16_t seats_code; /* metric code of "seats", XS_SNAP_NONE16 */
    /* rules */
    xs__offer_rules adopt; /* over adoption sets (families, shop products) */
    xs__offer_rules order; /* over order baskets (shop products) */
    xs__offer_rules sim;   /* item-to-item cosine neighbours over orders: lift =
                              cosine, confidence = co-orders / orders of A */
    /* relevance of shop offers (relevance.c) */
    uint32_t *buyers;    /* per product: customers who bought it (adoption base) */
    uint32_t *orders_of; /* per product: orders holding it (order-rule base) */
    uint32_t *holders;   /* per family: customers who held it (adoption base) */
    xs__offer_pairs subst; /* same-group, similar-price pairs with co-buyers */
    int32_t *up_tier;    /* per shop product with a tier: the next tier of its
                            family (first in family order), -1 */
    double *bundle_disc; /* per product: declared bundle discount, fraction */
    xs__offer_bundle *bundles;
    size_t n_bundles;
    uint32_t *bundle_off, *bundle_ix; /* per product: its bundles (CSR) */
    /* the personal ranking of shop products (src/mine/rank.c, xs_rank_*):
     * what orders shop cross-sells and cart placements; NULL without
     * orders. Built on the orders dated up to as_of. */
    xs_rank *rank;
    /* retention and personal priors (retention.c) */
    double risk_cut;   /* P(churn) at or above which a customer is at risk */
    uint32_t *up_off;  /* per plan product: offset of its family's products */
    uint32_t *up_k;    /* (up_off[p] + i) x band: active customers of plan p in
                          the band holding the family's i-th product */
    uint32_t *up_n;    /* plan x band: active customers */
    uint32_t *term_k;  /* (plan x band) x slot: ... on a term >= 12 / 24 / 36 */
    xs__offer_ret *ret; /* (up_off[p] + i) x term class: churn with / without
                           that product */
    /* propensity model */
    double beta[XS__OFFER_NFEAT];
    int fitted;                                 /* beta usable */
    size_t n_hist[XS_OFFER_N_KINDS];            /* decided offers per kind */
    double seg_factor[256][XS_SNAP_N_CHANNELS]; /* response-rate factors */
    size_t n_segments;
    /* where the model came from (model_io.c): 0 fitted by
     * xs_offer_engine_new, 1 the store's build of day model_day, 2 fitted
     * because the store's build is of another day (model_day) */
    int model_src;
    char model_day[11];
    /* holdout experiments running on as_of, per kind (holdout_on[k]: one
     * runs; its name, split and the index of its "holdout" arm) */
    int holdout_on[XS_OFFER_N_KINDS];
    int holdout_arm[XS_OFFER_N_KINDS];
    char holdout_name[XS_OFFER_N_KINDS][XS_EXP_NAME_MAX];
    xs_exp_split holdout_split[XS_OFFER_N_KINDS];
    /* 1: every decision is logged (xs_offer_engine_set_logged), so
     * control_share -1 means 0.02 (explore.c) */
    int logged;
    /* uplift evidence per kind (uplift_src.c), set with the experiments */
    xs__offer_uplift uplift[XS_OFFER_N_KINDS];
    /* 1: the arrays above point into a mapped model file (engine_io.c, which
     * saves and maps every field: add new ones there), so free leaves them
     * alone; uplift_mapped: the same for uplift[].grow / keep until
     * xs_offer_engine_set_experiments replaces them with its own */
    int mapped, uplift_mapped;
};

/* What the decision needs to know about one active family. */
typedef struct xs__offer_fam {
    uint16_t family;
    int32_t plan;      /* plan product, -1 none */
    uint32_t plan_row; /* its subscription row */
    int32_t pack;      /* seat-pack product held, -1 */
    uint32_t pack_qty;
    double monthly;  /* revenue per month of the family (currency units) */
    int32_t renewal; /* of the plan row, XS_SNAP_NO_DATE */
    int32_t since;   /* first start of this family (adoption time zero) */
    int n_met;
    uint16_t met[XS__OFFER_MAX_MET];
    double cap[XS__OFFER_MAX_MET];     /* sum of limit x quantity */
    double used[XS__OFFER_MAX_MET];    /* latest value on or before as_of, NaN */
    double wmax[XS__OFFER_MAX_MET];    /* max over the low_days window, NaN */
    int32_t wfirst[XS__OFFER_MAX_MET]; /* earliest point in the window */
    uint32_t addons[8];                /* add-on products held (not packs) */
    int n_addons;
} xs__offer_fam;

/* The working state of one customer's decision. */
typedef struct xs__offer_cust {
    uint32_t c;
    int n_fam;
    xs__offer_fam fam[XS__OFFER_MAX_FAM];
    int open_critical, cancel, onboarded;
    int32_t renewed_day; /* latest renewal_decision "renewed" within recent_days */
    int32_t cancel_day;
    size_t recent_offers;  /* sent within contact_days */
    uint32_t declined[16]; /* products declined within declined_days */
    int n_declined;
    double hist_acc, hist_exp; /* accepted and model-expected past offers */
    double health, p_churn;
    uint8_t consent;
    uint8_t holdout; /* bit k: in the holdout of a running experiment of kind k */
} xs__offer_cust;

/* ---- engine.c: guardrail totals (xs_offer_decide_all, xs_offer_targets) */
/* Counts one customer's decided candidates o[0..n) into sum. */
void xs__offer_summary_add(xs_offer_summary *sum, const xs_offer *o, size_t n);
/* Adds the totals of part to sum (merge blocks in block order: the
 * floating-point sums are then deterministic for a thread count). */
void xs__offer_summary_merge(xs_offer_summary *sum, const xs_offer_summary *part);

/* Customers per block of xs__offer_decide_blocks. */
#define XS__OFFER_BLOCK 2048u

/* What xs__offer_decide_blocks calls per customer c with its n offers, on
 * the thread that decided it (so it must only write c's own slots). */
typedef void (*xs__offer_each_fn)(void *ctx, uint32_t c, const xs_offer *o, int n);

/* Decides every customer of en on n_threads threads (one under 1,000
 * customers), calling each (NULL: none) per customer, the progress ticker
 * named label; *sum the guardrail totals, added block by block in customer
 * order, so they are the same bits on any number of threads and as
 * xs_offer_decide_all's. XS_OK or XS_ENOMEM. */
int xs__offer_decide_blocks(const xs_offer_engine *en, int n_threads, const char *label,
                            xs__offer_each_fn each, void *ctx, xs_offer_summary *sum);

/* ---- write_all.c */
/* xs_offer_write_all with per_block customers per block (it uses 4,096; the
 * tests use small ones, to have many blocks on a small company). */
int xs__offer_write_all_blocks(const xs_offer_engine *en, size_t per_block, int n_threads,
                               const char *lang, int show_suppressed, xs_format fmt,
                               FILE *out, xs_offer_summary *sum, xs_error *err);

/* ---- candidates.c */
/* The standard term after `months` (1..11 -> 12, 12..23 -> 24, 24..35 ->
 * 36), 0 from 36 months on; *slot (may be NULL) gets its index in
 * term_price (0, 1, 2). */
unsigned xs__offer_next_term(unsigned months, int *slot);
/* ---- gather.c */
/* Fills st from customer c's rows. No allocation. */
void xs__offer_gather(const struct xs_offer_engine *en, uint32_t c, xs__offer_cust *st);
/* ---- candidates.c */
/* Writes the candidates of st into out (cap); returns their number. */
size_t xs__offer_candidates(const struct xs_offer_engine *en, const xs__offer_cust *st,
                            const uint32_t *cart, size_t n_cart, xs_offer *out,
                            size_t cap);

/* ---- value.c */
/* Fits the propensity model on the offers history (sets beta, fitted,
 * n_hist, seg_factor). Returns XS_OK or XS_ENOMEM. */
int xs__offer_fit(struct xs_offer_engine *en);
/* Model P(accept) of kind k on channel ch for a customer of health h
 * (0-100), `tenure` days after signup (the timing of the offer in the
 * customer's life), for a one-off shop product (shop = 1) or a plan / add-on. */
double xs__offer_model_p(const struct xs_offer_engine *en, int kind, int ch, double h,
                         double tenure, int shop);
/* Features of that offer (XS__OFFER_NFEAT values into x). */
void xs__offer_features(int kind, int ch, double h, double tenure, int shop, double *x);
/* Tenure (days) of customer c on day d; 0 without a signup date. */
double xs__offer_tenure(const struct xs_snapshot *s, uint32_t c, int32_t d);
/* The built-in P(churn) estimate of a customer. */
double xs__offer_churn_estimate(const struct xs_offer_engine *en,
                                const xs__offer_cust *st);
/* Sets channel, p_accept, value and ev of every candidate. */
void xs__offer_value(const struct xs_offer_engine *en, const xs__offer_cust *st,
                     xs_offer *o, size_t n);

/* ---- engine.c */
/* A churn model file's bytes (borrowed) and its name, for the engine. */
typedef struct xs__offer_churn_file {
    const char *name, *text;
    size_t len;
} xs__offer_churn_file;
/* xs_offer_engine_new(), fitting the propensity model only when fit = 1
 * (else beta, seg_factor and n_hist are left for the caller); churn (may
 * be NULL): the churn model attached to the build (churn_src.c). */
int xs__offer_engine_create(const xs_snapshot *s, const xs_offer_config *c,
                            const char *as_of, int fit,
                            const xs__offer_churn_file *churn, xs_offer_engine **out,
                            xs_error *err);

/* ---- churn_src.c: where P(churn) comes from (docs/offers.md, "Churn risk") */
enum {
    XS__CHURN_SRC_NONE = 0,
    XS__CHURN_SRC_GIVEN,    /* the caller's cfg.churn_p */
    XS__CHURN_SRC_IMPORTED, /* table churn_scores */
    XS__CHURN_SRC_MODEL     /* the churn model attached to the build */
};
/* Fills churn_ext / churn_src_of from the caller's churn_p (as given to
 * the engine), the snapshot's imported scores and, when model is not NULL,
 * the attached churn model (len bytes of a model file named name) applied
 * to the customers' attrs; points cfg.churn_p at churn_ext. Called again,
 * it starts over. Returns XS_OK, XS_EPARSE (a damaged model), XS_ENOMEM. */
int xs__offer_churn_setup(struct xs_offer_engine *en, const double *given,
                          const char *name, const char *model, size_t len,
                          xs_error *err);
/* Frees what xs__offer_churn_setup allocated. */
void xs__offer_churn_free(struct xs_offer_engine *en);
/* Where customer c's P(churn) comes from, for the evidence: "model
 * telco.json", "imported 2024-06-30", "imported", "given", "history"
 * (the store-history model) or "estimate" (the built-in formula); written
 * into buf[n] and returned. */
const char *xs__offer_churn_source(const struct xs_offer_engine *en, uint32_t c,
                                   char *buf, size_t n);

/* ---- model_io.c */
/* Writes the fitted model as text (caller frees with xs__free). NULL: no memory. */
char *xs__offer_model_text(const struct xs_offer_engine *en);
/* Reads a model written by xs__offer_model_text into en. XS_OK or XS_EPARSE. */
int xs__offer_model_read(struct xs_offer_engine *en, const char *text, xs_error *err);
/* xs_offer_engine_open() without the store: the build of `day` (its model
 * text), the churn model attached to it (NULL: none) and the experiments
 * given. Used by the store's open and by a merge of shard builds
 * (src/model/merge.c). Returns the codes of xs_offer_engine_open(). */
int xs__offer_engine_open_with(const xs_snapshot *s, const xs_offer_config *c,
                               const char *as_of, const char *day, const char *model,
                               const xs__offer_churn_file *churn,
                               const xs_experiment *exp, size_t n_exp,
                               xs_offer_engine **out, xs_error *err);
/* Turns the engine that fitted a build (of day, model its text) into the
 * engine xs__offer_engine_open_with() gives on that build without a churn
 * model, without making it again: the experiments set, the propensity
 * model read back from its text. Returns XS_OK, XS_EPARSE, XS_ENOMEM. */
int xs__offer_engine_as_built(xs_offer_engine *en, const char *day, const char *model,
                              const xs_experiment *exp, size_t n_exp, xs_error *err);

/* ---- retention.c */
/* Builds risk_cut, the uptake tables and the churn of each plan's customers
 * with and without each add-on. XS_OK or XS_ENOMEM. */
int xs__offer_retention_build(struct xs_offer_engine *en);
void xs__offer_retention_free(struct xs_offer_engine *en);
/* Tenure band (0..XS__OFFER_N_BANDS-1) of a tenure in days. */
int xs__offer_tenure_band(double days);
/* 1 when the customer is at risk: a cancel request, or P(churn) >= risk_cut. */
int xs__offer_at_risk(const struct xs_offer_engine *en, const xs__offer_cust *st);
/* Churn with / without add-on `addon` among customers of plan `plan` on a
 * term of the class of `term` months (borrowed from the engine), NULL when
 * the add-on is not of its family. */
const xs__offer_ret *xs__offer_retention_of(const struct xs_offer_engine *en,
                                            int32_t plan, uint32_t addon, unsigned term);
/* Term class of a term in months: 0 under 12, 1 for 12-23, 2 from 24. */
int xs__offer_term_class(unsigned months);
/* Uptake of product q among the active customers of plan `plan` in tenure
 * band `band` (all bands when that one has fewer than XS__OFFER_MIN_BAND):
 * *k of *n hold it. */
void xs__offer_uptake(const struct xs_offer_engine *en, int32_t plan, uint32_t q,
                      int band, uint32_t *k, uint32_t *n);
/* The same for a term of at least the slot's months (0: 12, 1: 24, 2: 36). */
void xs__offer_term_uptake(const struct xs_offer_engine *en, int32_t plan, int slot,
                           int band, uint32_t *k, uint32_t *n);
/* The prior of an uptake of k in n: (k + 1) / (n + 2). */
double xs__offer_uptake_prior(uint32_t k, uint32_t n);
/* The evidence's words for where o's prior comes from ("uptake among
 * internet-fiber customers of 1-2 years: 230 of 1000"), into b[n]. */
const char *xs__offer_prior_text(const struct xs_offer_engine *en, const xs_offer *o,
                                 char *b, size_t n);

/* Appends s to the text b (size n) at *w, as snprintf would write it: cut
 * at n - 1 bytes, NUL-terminated (nothing when n is 0). For the texts of
 * every request, without printf. Defined in explain.c. */
void xs__offer_put_s(char *b, size_t n, size_t *w, const char *s);

/* ---- guardrails.c */
/* Sets guard and rank of every candidate and sorts: offered first; into
 * sorted[0..n) when not NULL (o keeps its order), else o in place. */
void xs__offer_guard(const struct xs_offer_engine *en, const xs__offer_cust *st,
                     xs_offer *o, size_t n, xs_offer *sorted);

/* ---- uplift_src.c: uplift from the store's holdout experiments
 * (docs/offers.md "Uplift") */
/* Trains the uplift models of every kind with a qualifying experiment
 * among x[0..n) (checked) and predicts each customer's uplift; a kind
 * without one, or whose training fails, keeps P(accept) x value (info.why
 * says why). Called again, it starts over. XS_OK or XS_ENOMEM. */
int xs__offer_uplift_build(struct xs_offer_engine *en, const xs_experiment *x, size_t n,
                           xs_error *err);
void xs__offer_uplift_free(struct xs_offer_engine *en);
/* After value: sets value_basis and uplift of every candidate and, where
 * the kind has uplift evidence for the customer, ev = uplift x value - the
 * channel's contact cost. */
void xs__offer_uplift_apply(const struct xs_offer_engine *en, xs_offer *o, size_t n);

/* ---- explore.c: which eligible candidate each slot offers (docs/replay.md) */
/* After the guardrails: re-chooses each slot's offer by the policy
 * (control share, epsilon-greedy, Thompson; greedy when all are off, which
 * leaves o as it was), sets guard, rank and propensity and re-sorts o;
 * with d (cap_d) fills the slots' decisions. logged: control_share -1
 * means 0.02. Returns the number of decisions (slots). */
size_t xs__offer_explore(const struct xs_offer_engine *en, uint32_t customer, xs_offer *o,
                         size_t n, int logged, xs_decision *d, size_t cap_d);
/* Checks the exploration settings of cfg (control_share and epsilon in
 * [0, 1] or control_share -1, thompson 0 or 1). XS_OK or XS_EINVAL (err's
 * column: option). */
int xs__offer_explore_check(const xs_offer_config *cfg, const char *option, xs_error *err);

/* ---- engine.c: the decision with its slots (xs_offer_decide_cart with
 * logged 0 and no d; xs_offer_decide_logged with logged 1) */
int xs__offer_decide_slots(const struct xs_offer_engine *en, uint32_t customer,
                           const uint32_t *cart, size_t n_cart, xs_offer *out, size_t cap,
                           int logged, xs_decision *d, size_t cap_d, size_t *n_dec);

/* ---- rules.c */
/* Mines the adoption and order rules and the adoption lags. XS_OK / XS_ENOMEM. */
int xs__offer_rules_build(struct xs_offer_engine *en, xs_error *err);
void xs__offer_rules_free(xs__offer_rules *r);

/* ---- relevance.c: the relevance rules of shop offers (docs/offers.md,
 * "Relevance"); one function per rule */
/* Builds buyers, orders_of, holders, subst, up_tier, bundle_disc and the
 * bundles. XS_OK or XS_ENOMEM (err set). */
int xs__offer_relevance_build(struct xs_offer_engine *en, xs_error *err);
void xs__offer_relevance_free(struct xs_offer_engine *en);
/* Fills h with customer c's shop history up to as_of and the cart (may be
 * NULL); recent = bought after as_of - recent_days, then the cart. */
void xs__offer_shop_gather(const struct xs_offer_engine *en, uint32_t c,
                           const uint32_t *cart, size_t n_cart, xs__offer_shop *h);
/* Day customer h bought product p first (as_of for the cart),
 * XS_SNAP_NO_DATE when not in the set. */
int32_t xs__offer_shop_first(const xs__offer_shop *h, uint32_t p);
/* A 256-bit mask of products, a bit per product modulo 256: a clear bit
 * says the product is not in the set, without looking. */
static inline void xs__offer_pmask_add(uint64_t m[4], uint32_t p)
{
    m[(p & 255) >> 6] |= (uint64_t)1 << (p & 63);
}
static inline int xs__offer_pmask_may(const uint64_t m[4], uint32_t p)
{
    return (int)(m[(p & 255) >> 6] >> (p & 63) & 1);
}
/* The slot of product p in h: its own, or the empty one it would take. */
static inline size_t xs__offer_shop_slot(const xs__offer_shop *h, uint32_t p)
{
    size_t i = (size_t)xs__mix64(p) & h->mask;
    while (h->key[i] && h->key[i] != p + 1)
        i = (i + 1) & h->mask;
    return i;
}
/* Day customer c bought product p last by its order lines (for a product
 * past the set's cap), XS_SNAP_NO_DATE when never. */
int32_t xs__offer_shop_last_lines(const struct xs_offer_engine *en, uint32_t c, uint32_t p);
/* Day customer c (history h) bought product p last (as_of for the cart),
 * XS_SNAP_NO_DATE when never. Inline: the candidates ask it for every
 * product a rule proposes. */
static inline int32_t xs__offer_shop_last(const struct xs_offer_engine *en, uint32_t c,
                                          const xs__offer_shop *h, uint32_t p)
{
    if (xs__offer_pmask_may(h->held, p)) {
        size_t i = xs__offer_shop_slot(h, p);
        if (h->key[i]) return h->last[i];
    }
    return h->overflow ? xs__offer_shop_last_lines(en, c, p) : XS_SNAP_NO_DATE;
}
/* 1 when shop products a and b are substitutes: same family or category,
 * similar price (the dearer <= subst_price_ratio x the cheaper; two tiers of
 * one family always) and buyers that overlap less than chance allows for
 * (volume-adjusted lift < subst_lift). *lift (may be NULL) gets that lift. */
int xs__offer_is_substitute(const struct xs_offer_engine *en, uint32_t a, uint32_t b,
                            double *lift);
/* The product bought on or after day `since` (the cart counts) that shop
 * product p is a substitute of; -1 none. */
int32_t xs__offer_substitute_of(const struct xs_offer_engine *en, uint32_t c,
                                const xs__offer_shop *h, uint32_t p, int32_t since);
/* The customer's price band: smallest unit price and largest line of the
 * orders up to as_of (and the cart at list price), currency units; 0 when
 * the customer bought nothing. */
void xs__offer_price_band(const xs__offer_shop *h, double *lo, double *hi);
/* Price of a shop offer: the product, plus a bundle's further items, at list
 * price (currency units). */
double xs__offer_list_price(const struct xs_offer_engine *en, const xs_offer *o);
/* The lift of the evidence of a cross-sell (similar: cosine^2 / support). */
double xs__offer_evidence_lift(const xs_offer *o);
/* 1 when a shop cross-sell is outside the price band: price > ratio x the
 * largest line without evidence lift >= band_lift. */
int xs__offer_out_of_band(const struct xs_offer_engine *en, const xs_offer *o);
/* The share an explanation quotes: *k of *n customers (adoption: buyers
 * of the shop product, holders of the family) or orders (cart, purchase,
 * similar: orders with the antecedent; bundle: orders with the held part)
 * that also have the proposal. *n = 0 when unknown. */
void xs__offer_share(const struct xs_offer_engine *en, const xs_offer *o, uint32_t *k,
                     uint32_t *n);
/* 1 for a cross-sell (or bundle) of a shop product: the offers the
 * relevance rules apply to. */
int xs__offer_is_shop_cross(const struct xs_offer_engine *en, const xs_offer *o);

/* ---- rank scores (engine.c) */
/* Scores of every product for customer c (XS_RANK_NONE: anonymous) with
 * the cart, from the engine's ranking model, into score[0..n_products)
 * (0 for products not ranked: bought before, in the cart, no evidence).
 * Returns 1 when scores were written, 0 when the engine has no ranking,
 * XS_ENOMEM. */
int xs__offer_rank_scores(const struct xs_offer_engine *en, uint32_t c,
                          const uint32_t *cart, size_t n_cart, double *score);
/* The same scores of the n products prod[0..n) only, into score[0..n)
 * (a product past the model's scores 0): no pass over every product, no
 * allocation. Returns as xs__offer_rank_scores. */
int xs__offer_rank_scores_of(const struct xs_offer_engine *en, uint32_t c,
                             const uint32_t *cart, size_t n_cart, const uint32_t *prod,
                             size_t n, double *score);

/* ---- explain.c */
/* Formats money (currency units) as "USD 1,234.00" into buf. */
/* The product column of an offer: "from xN -> to xM" (quantities for seat
 * packs), "from -> (removed)" for a dropped add-on; written into b[n] and
 * returned. Used by xs_offer_table() and the server's offers route. */
const char *xs__offer_product_text(const struct xs_offer_engine *en, const xs_offer *o,
                                   char *b, size_t n);
/* The same by the catalog's names in lang ("en" or "ja": the Japanese name
 * when the catalog has one, as xs_offer_product_name), for people: the
 * server's product_name. */
const char *xs__offer_product_label(const struct xs_offer_engine *en, const xs_offer *o,
                                    const char *lang, char *b, size_t n);
const char *xs__offer_money(const struct xs_offer_engine *en, double v, char *buf,
                            size_t n);

/* Family of a product, XS_SNAP_NONE16 when none. */
static inline uint16_t xs__offer_family(const struct xs_snapshot *s, int32_t p)
{
    return p < 0 ? XS_SNAP_NONE16 : s->prod.family[p];
}

#endif
