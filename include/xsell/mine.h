/*
 * xsell/mine.h — mining: which products go together, and when.
 *
 * Works on plain integer transactions (baskets of item ids) and knows
 * nothing of customers: frequent itemsets, association rules with support,
 * confidence, lift, leverage and conviction, adoption timing (P(B within t
 * days | A)), items bought together (item-to-item similarity), and the
 * personal product ranking with its offline evaluation. Baskets come from a
 * FIMI or basket-CSV file, from a program, or from the store. Implemented
 * in src/mine (src/store/mine_source.c reads the store's baskets).
 *
 * Part of libxsell's public API: xsell.h includes every module's header;
 * the conventions are written in xsell/base.h.
 *
 * Example (compiled by the build: cmake/header_example.cmake):
 * @code
 *   // Prints the rules with confidence >= 0.5 of a FIMI basket file.
 *   int print_rules(const char *path)
 *   {
 *       xs_baskets *b;
 *       xs_rules *r;
 *       xs_error e;
 *       int rc = xs_baskets_read(&b, path, XS_BASKETS_FIMI, &e);
 *       if (rc < 0) return rc;
 *       xs_rule_opts o;
 *       xs_rule_opts_init(&o);
 *       o.mine.min_support = 0.01;
 *       o.min_confidence = 0.5;
 *       rc = xs_rules_mine(&r, b, &o, &e);
 *       for (size_t i = 0; rc == XS_OK && i < xs_rules_n(r); i++) {
 *           xs_rule x;
 *           xs_rules_get(r, i, &x);
 *           printf("%s -> %s lift %.2f\n", xs_baskets_item_name(b, x.lhs[0]),
 *                  xs_baskets_item_name(b, x.rhs[0]), x.lift);
 *       }
 *       xs_rules_free(r);
 *       xs_baskets_free(b);
 *       return rc;
 *   }
 * @endcode
 */
#ifndef XS_XSELL_MINE_H
#define XS_XSELL_MINE_H

#include "base.h"
#include "store.h"
#include "snapshot.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ====================================================================== */
/* Mining (src/mine): itemsets, rules, adoption timing, together          */
/* ====================================================================== */
/* (section owned by the mining module) */

/** Transactions: baskets of items with names. Opaque (see src/mine/baskets.h). */
typedef struct xs_baskets xs_baskets;

/* Input formats of basket files: FIMI (item numbers separated by blanks, one
 * basket per line) and basket CSV (item names separated by commas, RFC 4180
 * quotes allowed, one basket per line). */
typedef enum xs_baskets_format { XS_BASKETS_FIMI = 0, XS_BASKETS_CSV } xs_baskets_format;

/** Parses "fimi" or "basket". @return XS_OK and sets *out, or XS_EINVAL */
int xs_baskets_format_parse(const char *s, xs_baskets_format *out);

/**
 * Reads a basket file ("-" is standard input). Within a basket duplicate
 * items are ignored; empty lines are empty baskets (they count in N).
 * @param out set to the baskets; caller frees with xs_baskets_free()
 * @return XS_OK, XS_EIO (cannot read: err says why), XS_EPARSE (err:
 *         `FILE:LINE: not an item number: "x1"`), XS_ENOMEM
 * @code
 *   xs_baskets *b; xs_error e;
 *   if (xs_baskets_read(&b, "retail.dat", XS_BASKETS_FIMI, &e) < 0) ...;
 *   printf("%zu baskets\n", xs_baskets_n_tx(b));
 *   xs_baskets_free(b);
 * @endcode
 */
int xs_baskets_read(xs_baskets **out, const char *path, xs_baskets_format fmt,
                    xs_error *err);
/** An empty set of baskets (built with xs_baskets_add / xs_baskets_end);
 *  NULL when out of memory. Caller frees with xs_baskets_free(). */
xs_baskets *xs_baskets_new(void);
/** Adds an item (name copied) to the basket being built. @return XS_OK or XS_ENOMEM */
int xs_baskets_add(xs_baskets *b, const char *name);
/** Closes the basket being built (an empty one when nothing was added). */
int xs_baskets_end(xs_baskets *b);
/** Frees baskets; NULL is fine. */
void xs_baskets_free(xs_baskets *b);
/** @return the number of baskets N, empty ones included */
size_t xs_baskets_n_tx(const xs_baskets *b);
/** @return the number of distinct items (ids are 0..n-1) */
size_t xs_baskets_n_items(const xs_baskets *b);
/** @return the name of an item id (borrowed, valid until free), NULL when out of range */
const char *xs_baskets_item_name(const xs_baskets *b, uint32_t id);
/** Finds an item by name. @return XS_OK and sets *id, or XS_ENOTFOUND */
int xs_baskets_find_item(const xs_baskets *b, const char *name, uint32_t *id);

/* Which frequent itemsets to report: all, closed (no superset has the same
 * count) or maximal (no superset is frequent). With max_len, supersets are
 * only those within the length limit. */
typedef enum xs_itemset_target {
    XS_ITEMSETS_ALL = 0,
    XS_ITEMSETS_CLOSED,
    XS_ITEMSETS_MAXIMAL
} xs_itemset_target;

typedef struct xs_mine_opts {
    double min_support;  /* fraction in [0, 1]; used when min_count is 0 */
    uint64_t min_count;  /* absolute count; 0: derived from min_support */
    size_t max_len;      /* longest itemset; 0: no limit */
    xs_itemset_target target;
} xs_mine_opts;

/**
 * The count threshold of a support fraction: the smallest integer c with
 * c / n_tx >= min_support computed in double precision, exactly as a support
 * compared with `>=` decides it (at least 1). 0.001 of 88,162 baskets is 89.
 */
uint64_t xs_min_count(double min_support, size_t n_tx);

/* Frequent itemsets, materialised and sorted: by size ascending, then count
 * descending, then item names (natural order: numbers numerically). Items
 * within an itemset are in the same name order. Opaque. */
typedef struct xs_itemsets xs_itemsets;

/**
 * Mines the frequent itemsets of b (exact; see the essay in src/mine/itemsets.c).
 * @param out set to the result; caller frees with xs_itemsets_free()
 * @return XS_OK, XS_ERANGE (more than 2^32 baskets or items), XS_ENOMEM
 * @code
 *   xs_mine_opts o = {.min_count = 89};
 *   xs_itemsets *s;
 *   if (xs_itemsets_mine(&s, b, &o, NULL) == XS_OK)
 *       for (size_t i = 0; i < xs_itemsets_n(s); i++) { const uint32_t *it; uint64_t c;
 *           size_t n = xs_itemsets_get(s, i, &it, &c); ... }
 *   xs_itemsets_free(s);
 * @endcode
 */
int xs_itemsets_mine(xs_itemsets **out, const xs_baskets *b, const xs_mine_opts *o,
                     xs_error *err);
/** Counts the itemsets. All itemsets are counted in the recursion, nothing
 *  stored; closed / maximal ones need every immediate superset's count, so
 *  the frequent itemsets are kept in a tree (20 bytes each) for the check —
 *  count through xs_itemsets_each() to store nothing. @return XS_OK and sets *n */
int xs_itemsets_count(const xs_baskets *b, const xs_mine_opts *o, uint64_t *n,
                      xs_error *err);
/* Called once per itemset: item ids in name order (borrowed for the call),
 * its count. Return 0 to go on, a negative XS_E* code to stop. */
typedef int (*xs_itemset_fn)(void *ctx, const uint32_t *items, size_t n_items,
                             uint64_t count);
/**
 * Streams the itemsets to fn in mining order (deterministic, unsorted),
 * storing none of them. @return XS_OK, fn's code, or a negative XS_E* code
 */
int xs_itemsets_each(const xs_baskets *b, const xs_mine_opts *o, xs_itemset_fn fn,
                     void *ctx, xs_error *err);
/** @return the number of itemsets */
size_t xs_itemsets_n(const xs_itemsets *s);
/** Itemset i: sets *items (borrowed) and *count; @return its size */
size_t xs_itemsets_get(const xs_itemsets *s, size_t i, const uint32_t **items,
                       uint64_t *count);
/** @return N, the number of baskets the supports are fractions of */
size_t xs_itemsets_n_tx(const xs_itemsets *s);
/** Frees a result; NULL is fine. */
void xs_itemsets_free(xs_itemsets *s);
/**
 * Writes itemsets as `xsell itemsets` prints them: columns items ("{a,b}";
 * a list in JSON), size, count, support ("%.6g" of count / N), in table,
 * CSV or JSON format (src/mine/mine_write.c).
 * @param b the baskets s was mined from (item names)
 * @return XS_OK, XS_ENOMEM, or XS_EIO when writing to out failed
 * @code
 *   if (xs_itemsets_write(s, b, stdout, XS_FORMAT_CSV) < 0) ...
 * @endcode
 */
int xs_itemsets_write(const xs_itemsets *s, const xs_baskets *b, FILE *out,
                      xs_format fmt);
/**
 * Mines the itemsets of b and writes them as xs_itemsets_write does, in
 * mining order (xs_itemsets_each), storing none of them in CSV and JSON
 * (a table holds its rows to size its columns).
 * @return XS_OK, a mining error, XS_ENOMEM or XS_EIO
 * @code
 *   xs_itemsets_stream(b, &o, stdout, XS_FORMAT_JSON, &err);
 * @endcode
 */
int xs_itemsets_stream(const xs_baskets *b, const xs_mine_opts *o, FILE *out,
                       xs_format fmt, xs_error *err);

/* What rules are ranked by (always descending). */
typedef enum xs_rule_key {
    XS_RULE_CONFIDENCE = 0,
    XS_RULE_LIFT,
    XS_RULE_SUPPORT,
    XS_RULE_LEVERAGE,
    XS_RULE_CONVICTION,
    XS_RULE_COVERAGE
} xs_rule_key;

/** Parses confidence|lift|support|leverage|conviction|coverage. @return XS_OK or XS_EINVAL */
int xs_rule_key_parse(const char *s, xs_rule_key *out);

typedef struct xs_rule_opts {
    xs_mine_opts mine;     /* support threshold and max_len (of lhs + rhs); target ignored */
    double min_confidence; /* thresholds: a rule is kept when every measure >= its minimum */
    double min_lift, min_leverage, min_conviction, min_coverage;
    const uint32_t *rhs;   /* borrowed: only these items as consequent; NULL: any */
    size_t n_rhs;
    size_t max_rules;      /* keep the best max_rules by sort_by (bounded heap); 0: all */
    xs_rule_key sort_by;
    int no_redundant;      /* drop A->C when some nonempty A' ⊂ A has conf(A'->C) >= conf(A->C) */
    int count_only;        /* count the rules, keep none */
    int multi_rhs;         /* consequents of any size (with rhs: all their items among rhs);
                              itemsets longer than 20 items give single-item ones only */
} xs_rule_opts;

/** Defaults: min support 0.1, min confidence 0.8, other minima -inf, sort by confidence. */
void xs_rule_opts_init(xs_rule_opts *o);

/* One rule lhs -> rhs with its measures (N baskets; rhs_count: baskets
 * holding every rhs item):
 * support = count/N, confidence = count/lhs_count, coverage = lhs_count/N,
 * lift = confidence/(rhs_count/N), leverage = support - coverage*rhs_count/N,
 * conviction = (1 - rhs_count/N)/(1 - confidence), INFINITY when confidence = 1. */
typedef struct xs_rule {
    const uint32_t *lhs; /* item ids in name order (borrowed, valid until free) */
    size_t n_lhs;
    const uint32_t *rhs; /* likewise; one item unless multi_rhs */
    size_t n_rhs;
    uint64_t count, lhs_count, rhs_count, n_tx;
    double support, confidence, coverage, lift, leverage, conviction;
} xs_rule;

typedef struct xs_rules xs_rules;

/**
 * Mines association rules (a single-item consequent unless o->multi_rhs;
 * the lhs is never empty, unlike arules' {} => {x} rules at minlen 1),
 * sorted by o->sort_by descending, then count descending, then lhs size, lhs
 * names, rhs size and rhs names. Memory for the rules is O(max_rules) when max_rules > 0.
 * @param out set to the rules; caller frees with xs_rules_free()
 * @return XS_OK, XS_ERANGE, XS_ENOMEM
 * @code
 *   xs_rule_opts o; xs_rule_opts_init(&o); o.mine.min_count = 89; o.min_confidence = 0.5;
 *   xs_rules *r; xs_rule x;
 *   if (xs_rules_mine(&r, b, &o, NULL) == XS_OK)
 *       for (size_t i = 0; i < xs_rules_n(r); i++) { xs_rules_get(r, i, &x); ... }
 *   xs_rules_free(r);
 * @endcode
 */
int xs_rules_mine(xs_rules **out, const xs_baskets *b, const xs_rule_opts *o,
                  xs_error *err);
/** @return the number of rules kept */
size_t xs_rules_n(const xs_rules *r);
/** @return the number of rules that passed every threshold (>= xs_rules_n) */
uint64_t xs_rules_total(const xs_rules *r);
/** Fills *out with rule i (pointers borrowed from r). */
void xs_rules_get(const xs_rules *r, size_t i, xs_rule *out);
/** Frees rules; NULL is fine. */
void xs_rules_free(xs_rules *r);
/**
 * Writes rules as `xsell rules` prints them: columns lhs, rhs ("{a,b}"; a
 * list in JSON), support, confidence, coverage, lift, leverage,
 * conviction ("%.6g"; "inf" in table and CSV, null in JSON when confidence
 * is 1) and count, in table, CSV or JSON format (src/mine/mine_write.c).
 * @param b the baskets r was mined from (item names)
 * @return XS_OK, XS_ENOMEM, or XS_EIO when writing to out failed
 * @code
 *   if (xs_rules_write(r, b, stdout, XS_FORMAT_TABLE) < 0) ...
 * @endcode
 */
int xs_rules_write(const xs_rules *r, const xs_baskets *b, FILE *out, xs_format fmt);

/* ---------------------------------------------------------------------- */
/* Store sources, adoption timing, frequently bought together              */
/* (src/store/mine_source.c, src/mine/adoption.c, src/mine/together.c)     */
/* ---------------------------------------------------------------------- */

/** What a store source turns into baskets. */
typedef enum xs_mine_source {
    XS_SOURCE_ORDERS = 0, /* one basket per order_id: the products of its lines */
    XS_SOURCE_ADOPTION    /* one basket per customer: every product ever held
                             (subscriptions and orders) */
} xs_mine_source;

/** Parses "orders" or "adoption". @return XS_OK or XS_EINVAL */
int xs_mine_source_parse(const char *s, xs_mine_source *out);

/**
 * Reads baskets from the store. Items are product_id strings. ORDERS: one
 * basket per order_id (ascending order_id), items = its product_ids.
 * ADOPTION: one basket per customer holding anything (ascending
 * customer_id), items = products from its subscriptions and orders.
 * @param out set to the baskets; caller frees with xs_baskets_free()
 * @return XS_OK, XS_ENOMEM, XS_EDB (SQL failure or a malformed stored date)
 * @code
 *   xs_baskets *b;
 *   if (xs_baskets_from_store(st, XS_SOURCE_ORDERS, &b, &e) < 0) ...;
 * @endcode
 */
int xs_baskets_from_store(xs_store *st, xs_mine_source source, xs_baskets **out,
                          xs_error *err);

/**
 * Like xs_baskets_from_store(), also giving each basket a day (days since
 * 1970-01-01) for time decay: ORDERS the order's date (earliest line date),
 * ADOPTION the day the customer's set last grew (latest first-held day).
 * @param days  set to an array of one day per basket; caller frees with
 *              xs_days_free()
 * @param as_of set to the store's as-of day (its latest date, see
 *              xs_adoption_input_from_store())
 */
int xs_baskets_from_store_dated(xs_store *st, xs_mine_source source, xs_baskets **out,
                                int32_t **days, int32_t *as_of, xs_error *err);
/** Frees a day array returned by xs_baskets_from_store_dated(); NULL is fine. */
void xs_days_free(int32_t *days);

/** Adoption-timing input: per customer, the first day each product was held
 * and the end of observation. Integer ids; product names interned. Opaque. */
typedef struct xs_adoption_input xs_adoption_input;

/**
 * Builds the adoption input from the store. For every customer holding at
 * least one product: the first day each product was held (earliest
 * subscription start_date or order date) and the observation end:
 *  - the store's as-of day = the latest of orders.date,
 *    subscriptions.start_date / end_date, usage.date and events.date;
 *  - except for a churned customer (has subscriptions and every one has an
 *    end_date): the later of its last subscription end_date and its last
 *    order date.
 * @param out caller frees with xs_adoption_input_free()
 * @return XS_OK, XS_ENOMEM, XS_EDB
 */
int xs_adoption_input_from_store(xs_store *st, xs_adoption_input **out, xs_error *err);
/** Frees an adoption input; NULL is fine. */
void xs_adoption_input_free(xs_adoption_input *in);
/** @return the as-of day of the input (days since 1970-01-01) */
int32_t xs_adoption_input_as_of(const xs_adoption_input *in);

/** What to compute (zero-initialise, then set). */
typedef struct xs_adoption_opts {
    const char *from;        /* product A; NULL: every product */
    const char *to;          /* product B; NULL: every product */
    size_t min_customers;    /* leave out A with fewer holders (not applied when
                                both from and to are given) */
    const int32_t *horizons; /* days at which to report the adoption share */
    size_t n_horizons;
} xs_adoption_opts;

/** One step of a Kaplan–Meier curve (at an event time). */
typedef struct xs_adoption_point {
    int32_t t;        /* days since first holding A */
    size_t at_risk;   /* customers still observed and not yet adopted at t */
    size_t events;    /* customers adopting B at t */
    double adopted;   /* cumulative adoption 1 - S(t) */
    double lo, hi;    /* 95 % band (Greenwood, log-log) */
} xs_adoption_point;

/** The adoption curve of one pair (A, B). Borrowed from its xs_adoption. */
typedef struct xs_adoption_curve {
    const char *from, *to;
    size_t n_holders;   /* customers holding A */
    size_t n_excluded;  /* held B before or on the day they got A */
    size_t n_cohort;    /* n_holders - n_excluded: at risk at time zero */
    size_t n_events;    /* adopted B after A, within observation */
    int32_t max_t;      /* longest follow-up in the cohort (days) */
    int32_t median;     /* first t with adopted >= 0.5; -1 when none */
    size_t n_points;
    const xs_adoption_point *points;
    const double *share, *share_lo, *share_hi; /* per horizon; NaN when the
                                                  horizon is beyond max_t
                                                  (unless the curve reached 1) */
} xs_adoption_curve;

/** Result of xs_adoption_compute(): a list of curves. Opaque. */
typedef struct xs_adoption xs_adoption;

/**
 * Kaplan–Meier adoption curves P(adopt B within t days | holds A). Time zero
 * is the day a customer first held A; customers who held B before or on
 * that day are excluded; customers who have not adopted B are censored at
 * their observation end. Without both from and to, pairs with no adoption
 * event are left out. Curves are ordered by the share at the last horizon
 * (descending), then from, then to.
 * @param out caller frees with xs_adoption_free()
 * @return XS_OK, XS_ENOMEM, XS_ENOTFOUND (from / to not a product: err's
 *         param is "from" or "to"), XS_EINVAL (a negative horizon)
 * @code
 *   int32_t h[] = {30, 90, 180, 365};
 *   xs_adoption_opts o = {.from = "accounting", .to = "payroll", .horizons = h,
 * .n_horizons = 4}; xs_adoption *r; if (xs_adoption_compute(in, &o, &r, &e) == XS_OK)
 *       printf("%.0f %%\n", 100 * xs_adoption_get(r, 0)->share[2]);
 *   xs_adoption_free(r);
 * @endcode
 */
int xs_adoption_compute(const xs_adoption_input *in, const xs_adoption_opts *opts,
                        xs_adoption **out, xs_error *err);
/** @return the number of curves */
size_t xs_adoption_count(const xs_adoption *r);
/** @return curve i (borrowed, valid until xs_adoption_free()) */
const xs_adoption_curve *xs_adoption_get(const xs_adoption *r, size_t i);
/** Frees the result; NULL is fine. */
void xs_adoption_free(xs_adoption *r);
/**
 * Fills an empty table with one row per curve of r: from, to, holders,
 * excluded, cohort, adopted, median_days (empty: never reached 50 %), and
 * per horizon H within_Hd, lo_Hd, hi_Hd (4 decimals; empty beyond the
 * longest follow-up). horizons: the ones r was computed with.
 * @return XS_OK or XS_ENOMEM
 * @code
 *   xs_table *t = xs_table_new();
 *   if (xs_adoption_table(r, o.horizons, o.n_horizons, t) == XS_OK)
 *       xs_table_write(t, stdout, XS_FORMAT_TABLE);
 *   xs_table_free(t);
 * @endcode
 */
int xs_adoption_table(const xs_adoption *r, const int32_t *horizons, size_t n_horizons,
                      xs_table *t);
/**
 * Fills an empty table with every point of one curve (NULL: no rows): days,
 * at_risk, events, cum_adoption, lo, hi (the 95 % band).
 * @return XS_OK or XS_ENOMEM
 */
int xs_adoption_curve_table(const xs_adoption_curve *cv, xs_table *t);

/** Item-to-item similarity measures (w = basket weight sums, N = total). */
typedef enum xs_together_measure {
    XS_SIM_COUNT = 0, /* w(ab) */
    XS_SIM_JACCARD,   /* w(ab) / (w(a) + w(b) - w(ab)) */
    XS_SIM_LIFT,      /* w(ab) N / (w(a) w(b)) */
    XS_SIM_COSINE     /* w(ab) / sqrt(w(a) w(b)) */
} xs_together_measure;

/** Parses "count", "jaccard", "lift" or "cosine". @return XS_OK or XS_EINVAL */
int xs_together_measure_parse(const char *s, xs_together_measure *out);
/** @return the name of a measure */
const char *xs_together_measure_name(xs_together_measure m);

/** How to build a model (zero-initialise, then set). */
typedef struct xs_together_opts {
    xs_together_measure measure;
    size_t top_k;         /* neighbours kept per item; 0 means 20 */
    double min_count;     /* ignore pairs with a smaller co-occurrence weight */
    double half_life;     /* days; 0: every basket weighs 1 */
    const int32_t *days;  /* per basket day, required when half_life > 0 */
    int32_t as_of;        /* weight = 0.5^((as_of - day) / half_life) */
    int keep_counts;      /* keep every co-occurrence (for xs_together_cart_exact) */
} xs_together_opts;

/** A frequently-bought-together model: top-k neighbours per item. Opaque. */
typedef struct xs_together xs_together;

/** One recommended item. */
typedef struct xs_together_hit {
    uint32_t item; /* item id (name: xs_together_item_name) */
    double score;  /* similarity; for a cart the sum over the cart items */
    double count;  /* co-occurrence weight; for a cart the sum */
} xs_together_hit;

/**
 * Builds the model: exact co-occurrence counts over all baskets (no cap on
 * basket size; cost is the sum of squared basket sizes), one similarity per
 * pair, and per item its top_k neighbours ordered by higher score, then
 * lower item name.
 * @param b baskets (borrowed; names are copied)
 * @param out caller frees with xs_together_free()
 * @return XS_OK, XS_ENOMEM, XS_EINVAL (half_life without days, bad value)
 * @code
 *   xs_together_opts o = {.measure = XS_SIM_COSINE, .top_k = 10};
 *   xs_together *m; uint32_t id; xs_together_hit hits[10];
 *   xs_together_build(b, &o, &m, &e);
 *   if (xs_together_find(m, "milk", &id) == XS_OK) {
 *       int n = xs_together_item(m, id, hits, 10);
 *       for (int i = 0; i < n; i++) puts(xs_together_item_name(m, hits[i].item));
 *   }
 *   xs_together_free(m);
 * @endcode
 */
int xs_together_build(const xs_baskets *b, const xs_together_opts *opts,
                      xs_together **out, xs_error *err);
/** Frees the model; NULL is fine. */
void xs_together_free(xs_together *m);
/** @return the number of items */
size_t xs_together_n_items(const xs_together *m);
/** @return the name of an item (borrowed, valid until xs_together_free()) */
const char *xs_together_item_name(const xs_together *m, uint32_t item);
/** Item id of a name. @return XS_OK or XS_ENOTFOUND */
int xs_together_find(const xs_together *m, const char *name, uint32_t *item);
/**
 * Neighbours of one item, best first, at most min(cap, top_k). No allocation.
 * @return the number of hits written to out
 */
int xs_together_item(const xs_together *m, uint32_t item, xs_together_hit *out,
                     size_t cap);

/** Per-thread scratch for cart queries (allocated once, reused). Opaque. */
typedef struct xs_together_query xs_together_query;
/** @return XS_OK or XS_ENOMEM; caller frees with xs_together_query_free() */
int xs_together_query_new(const xs_together *m, xs_together_query **out);
/** Frees the scratch; NULL is fine. */
void xs_together_query_free(xs_together_query *q);
/**
 * Recommendations for a cart: every item in some cart item's top-k list and
 * not in the cart, scored by the sum of its similarities to the cart items
 * (over the lists it appears in), best first (ties: lower name). Repeated
 * cart items count once. No allocation.
 * @return the number of hits written to out (at most cap)
 */
int xs_together_cart(const xs_together *m, xs_together_query *q, const uint32_t *cart,
                     size_t n_cart, xs_together_hit *out, size_t cap);
/**
 * The same scoring over every co-occurring item instead of the top-k lists
 * (exact, slow: the baseline of the benchmark). Needs keep_counts.
 * @return the number of hits, or XS_EINVAL without keep_counts
 */
int xs_together_cart_exact(const xs_together *m, xs_together_query *q,
                           const uint32_t *cart, size_t n_cart, xs_together_hit *out,
                           size_t cap);
/**
 * Fills an empty table with hits of xs_together_item() or
 * xs_together_cart(): rank, item (name), score, count (%.6g).
 * @return XS_OK or XS_ENOMEM
 * @code
 *   int n = xs_together_item(m, id, hits, 10);
 *   xs_table *t = xs_table_new();
 *   if (xs_together_table(m, hits, (size_t)n, t) == XS_OK)
 *       xs_table_write(t, stdout, XS_FORMAT_CSV);
 *   xs_table_free(t);
 * @endcode
 */
int xs_together_table(const xs_together *m, const xs_together_hit *hits, size_t n,
                      xs_table *t);
/**
 * Fills an empty table with every item's neighbours, at most top each:
 * item, rank, neighbour, score, count.
 * @return XS_OK or XS_ENOMEM
 */
int xs_together_table_all(const xs_together *m, size_t top, xs_table *t);

/* ---------------------------------------------------------------------- */
/* Personal product ranking and its offline evaluation                     */
/* (src/mine/rank.c, src/offer/rank.c, src/measure/evaluate.c;             */
/*  docs/evaluate.md)                                                      */
/* ---------------------------------------------------------------------- */

/** The ranking model's parameters (docs/evaluate.md has their meaning and
 *  the measurements behind the defaults). */
typedef struct xs_rank_opts {
    const char *as_of;   /* "YYYY-MM-DD": only orders dated before it (required) */
    double alpha;        /* sim = co / (n_i^alpha n_j^beta + shrink) */
    double beta;
    double shrink;
    double user_pow;     /* co-buyers weigh |items|^-user_pow */
    double seq_back;     /* weight of "bought j before i" (1: symmetric) */
    size_t neighbours;   /* kept per item; 0: all */
    double half_life;    /* days, decay of the customer's own history; 0: none */
    double co_half_life; /* days, decay of co-buyers' purchases; 0: none */
    double knn_weight;   /* weight of the item-to-item term; 0: none */
    double trend_weight; /* weight of recent popularity */
    int trend_days;      /* its window; 0: all-time popularity */
    int trend_lag;       /* the window ends trend_lag days before as_of */
    double trend_pow;    /* the item-to-item term is multiplied by
                            ((trend + 1) / (max trend + 1))^trend_pow */
} xs_rank_opts;

/** Sets the chosen model's defaults (as_of NULL). */
void xs_rank_opts_init(xs_rank_opts *o);
/** Sets the item-kNN baseline: cosine on purchase sets, all neighbours,
 *  no decay, no trend (as_of NULL). */
void xs_rank_opts_knn(xs_rank_opts *o);
/** Sets the most-popular-not-yet-bought baseline (as_of NULL). */
void xs_rank_opts_popular(xs_rank_opts *o);

/** A ranking model built from a snapshot. Opaque. */
typedef struct xs_rank xs_rank;

/** One ranked product: snapshot product index, score, and the customer's
 *  product that contributed most (XS_RANK_NONE: popularity alone) with its
 *  share of the item-to-item score. */
typedef struct xs_rank_hit {
    uint32_t product;
    double score;
    uint32_t evidence;
    double evidence_share;
} xs_rank_hit;
#define XS_RANK_NONE UINT32_MAX

/**
 * Builds the model from the orders of s dated before o->as_of.
 * @param s   the snapshot (borrowed: must outlive the model)
 * @param out caller frees with xs_rank_free()
 * @return XS_OK; XS_EINVAL (as_of missing or not a date: param "as_of";
 *         a parameter out of range); XS_ENOMEM
 * @code
 *   xs_rank_opts o; xs_rank_opts_init(&o); o.as_of = "2010-09-01";
 *   xs_rank *r; xs_rank_scratch *q; xs_rank_hit hits[10]; uint32_t c;
 *   if (xs_rank_build(snap, &o, &r, &e) < 0) ...;
 *   xs_rank_scratch_new(r, &q);
 *   if (xs_rank_find_customer(r, "12346", &c) == XS_OK) {
 *       int n = xs_rank_customer(r, q, c, NULL, 0, hits, 10);
 *       ...
 *   }
 *   xs_rank_scratch_free(q); xs_rank_free(r);
 * @endcode
 */
int xs_rank_build(const xs_snapshot *s, const xs_rank_opts *o, xs_rank **out,
                  xs_error *err);
/** Frees a model; NULL is fine. */
void xs_rank_free(xs_rank *r);

/** Working memory for scoring, one per thread. Opaque. */
typedef struct xs_rank_scratch xs_rank_scratch;
/** @return XS_OK or XS_ENOMEM; caller frees with xs_rank_scratch_free() */
int xs_rank_scratch_new(const xs_rank *r, xs_rank_scratch **out);
void xs_rank_scratch_free(xs_rank_scratch *q);

/**
 * Ranks the products customer c (snapshot index, or XS_RANK_NONE for a
 * cart alone) has not bought before the as-of date, nor holds in the cart
 * (snapshot product indexes, treated as bought on the as-of day; may be
 * NULL). Best first; ties by product index. No allocation.
 * @return the number of hits written (at most cap), XS_EINVAL for a
 *         customer or cart product out of range
 */
int xs_rank_customer(const xs_rank *r, xs_rank_scratch *q, uint32_t c,
                     const uint32_t *cart, size_t n_cart, xs_rank_hit *out, size_t cap);
/**
 * Fills an empty table with the ranking of one customer (with its cart, as
 * xs_rank_customer()) or, for customer XS_RANK_NONE, of every customer with
 * an order before the as-of date (a progress bar on a terminal): columns
 * customer_id, rank, product_id, product, score, evidence (empty: recent
 * popularity alone), evidence_share; at most limit rows per customer.
 * @return XS_OK, XS_ENOMEM, XS_EINVAL (customer or cart out of range)
 */
int xs_rank_table(const xs_rank *r, uint32_t customer, const uint32_t *cart, size_t n_cart,
                  size_t limit, xs_table *t);

/** Finds a customer by id. @return XS_OK or XS_ENOTFOUND */
int xs_rank_find_customer(const xs_rank *r, const char *id, uint32_t *c);
/** Finds a product by id. @return XS_OK or XS_ENOTFOUND */
int xs_rank_find_product(const xs_rank *r, const char *id, uint32_t *p);
/** @return the number of customers of the snapshot */
size_t xs_rank_n_customers(const xs_rank *r);
/** @return whether customer c has an order before the as-of date */
int xs_rank_has_history(const xs_rank *r, uint32_t c);
/** Ids and names (borrowed, valid while the snapshot lives). */
const char *xs_rank_customer_id(const xs_rank *r, uint32_t c);
const char *xs_rank_product_id(const xs_rank *r, uint32_t p);
const char *xs_rank_product_name(const xs_rank *r, uint32_t p);

/** Offline evaluation settings (docs/evaluate.md). */
typedef struct xs_eval_opts {
    const char *cutoff;  /* "YYYY-MM-DD": train before it (required) */
    int horizon;         /* days after the cutoff that count; default 90 */
    size_t k;            /* list length; default 10 */
    xs_rank_opts model;  /* the model evaluated (its as_of is ignored) */
    int substitute_days; /* window of the substitute check; default 90 */
    double substitute_max_together; /* "rarely together": co-buyers / buyers of
                                       the rarer product below it; default 0.05 */
} xs_eval_opts;

/** Sets the defaults (cutoff NULL, model = xs_rank_opts_init()). */
void xs_eval_opts_init(xs_eval_opts *o);

/** One evaluated method: means over the evaluated customers. */
typedef struct xs_eval_row {
    const char *method;       /* "xsell", "item-knn", "popular" (static) */
    size_t n_customers;       /* evaluated customers */
    double precision, recall, ndcg, map, hit_rate;
    double coverage;          /* distinct products in any top k / catalog */
    double substitute_share;  /* of all offers made */
    double seconds;           /* build and ranking of every evaluated customer */
} xs_eval_row;

#define XS_EVAL_N_METHODS 3

/**
 * Rebuilds the model, item-kNN and popularity on orders before the cutoff
 * and scores each against what the customers bought in [cutoff,
 * cutoff + horizon) that they had not bought before (customers with an
 * order before the cutoff and such a product after it).
 * @param rows XS_EVAL_N_METHODS rows, the model first
 * @return XS_EVAL_N_METHODS; XS_EINVAL (bad cutoff: param "cutoff";
 *         bad horizon or k); XS_ENOTFOUND (no customer to evaluate);
 *         XS_ENOMEM
 */
int xs_eval_run(const xs_snapshot *s, const xs_eval_opts *o, xs_eval_row *rows,
                xs_error *err);

#ifdef __cplusplus
}
#endif
#endif /* XS_XSELL_MINE_H */
