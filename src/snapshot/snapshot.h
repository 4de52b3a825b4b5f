/*
 * snapshot.h — the columnar in-memory view of a store (struct xs_snapshot).
 *
 * xs_snapshot_load() reads every table of the store once and lays it out
 * for the stages after it (score, offer, measure), which read these arrays
 * and never touch SQL. This header is their contract: include it, walk the
 * columns, do not modify them.
 *
 * Layout, in short:
 *  - One struct of arrays per table. Row r of a table is element r of every
 *    column array of that table.
 *  - Every string id becomes a dense integer: customer c is 0..n-1 (in
 *    customer_id byte order), product p is 0..n-1 (in product_id byte order).
 *    The string of an id is xs__intern_str(&snap->cust.ids, c) and back
 *    with xs__intern_find(). Low-cardinality text columns (segment, region,
 *    family, metric, event type ...) are uint16 codes of their own intern
 *    table (`dict`); an absent (NULL or empty) value is XS_SNAP_NONE16.
 *  - Dates are int32 day numbers (src/base/date.h); an absent date is
 *    XS_SNAP_NO_DATE. Timestamps (offers.sent_at, outcome_at) keep their
 *    calendar date only. Money is int64 minor units of snap->currency
 *    (snap->money_scale fraction digits). Quantities are uint32.
 *  - Rows of the per-customer tables are sorted by customer, then by time
 *    (see each table), and each customer has a CSR index into them: the
 *    rows of customer c in table T are [T_off[c], T_off[c+1]). Orders hold
 *    their lines the same way: lines of order o are
 *    [ord.line_off[o], ord.line_off[o+1]).
 *  - Free text that is not grouped on (customer names, contacts, product
 *    names) lives in one pool of NUL-terminated strings: `text + offset`,
 *    offset 0 is the empty string. See xs__snapshot_text().
 *  - Every row index is uint32: a snapshot holds fewer than 2^32 - 1 rows
 *    per table (loading more fails with XS_ERANGE).
 *  - Returns (`ret`) are a per-customer table like the others, never order
 *    lines: see xs__snapshot_returns.
 *
 * Not loaded: the attrs JSON columns of tables other than customers, the
 * time of day of timestamps. The customers' attrs are kept as their raw
 * JSON text (cust.attrs; a churn model trained on a customer table reads
 * its features from them), and the imported churn scores (table
 * churn_scores) as two customer columns.
 *
 * Memory (see bench/results/snapshot.md): an order line costs 16 bytes
 * (product, quantity, amount) and an order 16 bytes plus its id and NUL
 * (customer, date, id offset, line offset): 22.5 bytes per line at 4 lines
 * per order with 9-byte ids, 24.7 at 3. A customer costs 47 bytes of
 * columns and CSR offsets plus its id in the intern table and its name and
 * contact strings (about 120 bytes all told in the benchmark).
 */
#ifndef XS_SNAPSHOT_H
#define XS_SNAPSHOT_H

#include "xsell.h"
#include "base/intern.h"

#include <math.h>
#include <stddef.h>
#include <stdint.h>

#define XS_SNAP_NONE16 UINT16_MAX /* code of an absent text value */
#define XS_SNAP_NO_DATE INT32_MIN /* an absent date */

/* products.kind */
enum { XS_SNAP_KIND_PLAN = 0, XS_SNAP_KIND_ADDON, XS_SNAP_KIND_PRODUCT };
/* products.billing */
enum { XS_SNAP_BILL_MONTH = 0, XS_SNAP_BILL_YEAR, XS_SNAP_BILL_ONCE };
/* subscriptions.term is a number of months (1 to 120); the common ones: */
enum { XS_SNAP_TERM_MONTH = 1, XS_SNAP_TERM_QUARTER = 3, XS_SNAP_TERM_YEAR = 12 };
/* offers.kind */
enum { XS_SNAP_OFFER_UPSELL = 0, XS_SNAP_OFFER_CROSS_SELL, XS_SNAP_OFFER_DOWNSELL };
/* offers.channel; also the bit numbers of customers.consent, so that a
 * customer consents to channel ch when (consent >> ch) & 1. */
enum {
    XS_SNAP_CH_EMAIL = 0,
    XS_SNAP_CH_IN_APP,
    XS_SNAP_CH_CSM,
    XS_SNAP_CH_WEBINAR,
    XS_SNAP_CH_SNS,
    XS_SNAP_N_CHANNELS
};
/* offers.outcome */
enum {
    XS_SNAP_OUT_ACCEPTED = 0,
    XS_SNAP_OUT_DECLINED,
    XS_SNAP_OUT_IGNORED,
    XS_SNAP_OUT_PENDING
};
/* events.type: the types of docs/data-model.md are interned first, so their
 * codes are these constants in every snapshot; other types follow. */
enum {
    XS_SNAP_EV_NPS = 0,
    XS_SNAP_EV_TICKET,
    XS_SNAP_EV_TICKET_CLOSED,
    XS_SNAP_EV_LOGIN,
    XS_SNAP_EV_MEETING,
    XS_SNAP_EV_PAYMENT_FAILED,
    XS_SNAP_EV_CANCEL_REQUEST,
    XS_SNAP_EV_RENEWAL_DECISION,
    XS_SNAP_EV_ONBOARDING_DONE,
    XS_SNAP_N_EV_KNOWN
};
/* offers.flags */
#define XS_SNAP_OFFER_HAS_REVENUE 1u /* revenue_delta was given */

typedef struct xs__snapshot_customers {
    size_t n;
    xs__intern ids;          /* customer_id; id c = row c (ascending bytes) */
    uint32_t *name;          /* text offset */
    uint16_t *segment;       /* code in dict.segments */
    uint16_t *industry;      /* code in dict.industries */
    uint16_t *size;          /* code in dict.sizes */
    uint16_t *region;        /* code in dict.regions */
    uint16_t *owner;         /* code in dict.owners */
    int32_t *signup;         /* signup_date */
    uint8_t *consent;        /* bit XS_SNAP_CH_x set: consent_x is 1 */
    uint32_t *contact_name;  /* text offset */
    uint32_t *contact_email; /* text offset */
    uint32_t *attrs;         /* text offset of the attrs JSON object ("" none) */
    double *churn_score;     /* churn_scores.churn_risk, NaN when none */
    int32_t *churn_scored;   /* churn_scores.scored_at, XS_SNAP_NO_DATE */
    size_t n_churn_scores;   /* customers with an imported churn score */
    /* CSR indexes, n + 1 entries each: customer c's rows in each table */
    uint32_t *sub_off, *order_off, *usage_off, *event_off, *offer_off;
    uint32_t *ret_off; /* rows of ret (returns) */
} xs__snapshot_customers;

typedef struct xs__snapshot_products {
    size_t n;
    xs__intern ids;     /* product_id; id p = row p (ascending bytes) */
    uint32_t *name;     /* text offset */
    uint32_t *name_ja;  /* text offset of the Japanese name, 0 when none: attrs
                           "name_ja" (or "name:ja") of the products table */
    uint16_t *family;   /* code in dict.families */
    uint16_t *tier;     /* rank within the family, 0 when none */
    uint8_t *kind;      /* XS_SNAP_KIND_* */
    uint8_t *billing;   /* XS_SNAP_BILL_* */
    int64_t *price;     /* minor units */
    uint16_t *category; /* code in dict.categories */
    /* limits ("seats=100;storage_gb=50"): product p's are
     * [limit_off[p], limit_off[p+1]) in file order; names are codes of
     * dict.metrics, the same table as usage.metric, so a usage point and
     * the limit it approaches compare by code. */
    uint32_t *limit_off;  /* n + 1 */
    uint16_t *limit_name; /* n_limits */
    double *limit_value;  /* n_limits */
    size_t n_limits;
    /* Product ladders: the products of family f are
     * family_products[family_off[f] .. family_off[f+1]), by ascending tier
     * (no tier last), then price, then id. */
    uint32_t *family_off;      /* dict.families.n + 1 */
    uint32_t *family_products; /* products with a family */
} xs__snapshot_products;

typedef struct xs__snapshot_subscriptions {
    size_t n; /* sorted by customer, start, product */
    uint32_t *customer;
    uint32_t *product;
    uint32_t *quantity;
    int64_t *unit_price; /* minor units per billing period of the product */
    int32_t *start;
    int32_t *end;     /* XS_SNAP_NO_DATE while active */
    int32_t *renewal; /* XS_SNAP_NO_DATE when none */
    uint16_t *term;   /* months committed, 1..120 (XS_SNAP_TERM_* name the
                         common ones) */
} xs__snapshot_subscriptions;

/*
 * Orders and their lines. An order is a basket: one customer, one date,
 * several lines. Orders are sorted by customer, date, order_id; lines of an
 * order by product. (Every line of an order must carry the order's customer
 * and date; a store where they differ fails to load.)
 */
typedef struct xs__snapshot_orders {
    size_t n;           /* orders */
    uint32_t *customer; /* per order */
    int32_t *date;      /* per order */
    uint32_t *id_off;   /* per order: offset of its order_id in id_chars */
    char *id_chars;     /* NUL-terminated order ids */
    size_t n_id_chars;
    uint32_t *line_off; /* n + 1: lines of order o */
    size_t n_lines;
    uint32_t *product;  /* per line */
    uint32_t *quantity; /* per line */
    int64_t *amount;    /* per line, minor units */
} xs__snapshot_orders;

/*
 * Returns and cancellations of customers (store table `returns`, schema
 * version 6): what came back, as POSITIVE quantity and amount, linked to
 * the customer and product but to no order (a shop's credit note has its
 * own id). They are not purchases: nothing counts them as orders or
 * baskets; the scores and KPIs that use order money subtract them
 * (docs/scores.md, docs/kpi.md). Only returns with a customer are loaded
 * (anonymous ones, customer_id NULL, and any of a customer the store does
 * not hold are skipped). Rows are sorted by customer, date, product (ties
 * in the store's key order, return_id then product_id); customer c's are
 * [cust.ret_off[c], cust.ret_off[c+1]). The return ids are not kept. A
 * store without returns gives n = 0 and an all-zero ret_off.
 */
typedef struct xs__snapshot_returns {
    size_t n;
    uint32_t *customer;
    int32_t *date;
    uint32_t *product;
    uint32_t *quantity; /* >= 1 */
    int64_t *amount;    /* >= 0, minor units */
} xs__snapshot_returns;

typedef struct xs__snapshot_usage {
    size_t n; /* sorted by customer, product, metric, date: each series is contiguous */
    uint32_t *customer;
    uint32_t *product;
    uint16_t *metric; /* code in dict.metrics */
    int32_t *date;
    double *value;
} xs__snapshot_usage;

typedef struct xs__snapshot_events {
    size_t n; /* sorted by customer, date, type, ref */
    uint32_t *customer;
    int32_t *date;
    uint16_t *type; /* code in dict.event_types: XS_SNAP_EV_* for known ones */
    double *value;  /* NaN when absent */
    uint32_t *ref;  /* code in dict.refs; 0 is the empty ref "" */
} xs__snapshot_events;

typedef struct xs__snapshot_offers {
    size_t n;       /* sorted by customer, sent_at, offer_id */
    xs__intern ids; /* offer_id; interned in load order, so not row order */
    uint32_t *id;   /* per row: code in ids */
    uint32_t *customer;
    uint32_t *product;
    uint8_t *kind;          /* XS_SNAP_OFFER_* */
    uint8_t *channel;       /* XS_SNAP_CH_* */
    uint8_t *outcome;       /* XS_SNAP_OUT_* */
    uint8_t *flags;         /* XS_SNAP_OFFER_HAS_REVENUE */
    int32_t *sent;          /* sent_at (date part) */
    int32_t *outcome_at;    /* XS_SNAP_NO_DATE when none */
    int64_t *revenue_delta; /* minor units, 0 when absent */
} xs__snapshot_offers;

/* Intern tables of the low-cardinality text columns. */
typedef struct xs__snapshot_dicts {
    xs__intern segments, industries, sizes, regions, owners;
    xs__intern families, categories;
    xs__intern metrics;     /* limit names and usage metrics */
    xs__intern event_types; /* XS_SNAP_EV_* first */
    xs__intern refs;        /* event refs; "" is code 0 */
} xs__snapshot_dicts;

struct xs_snapshot {
    char currency[8];  /* ISO code from the store's meta, e.g. "USD" */
    int money_scale;   /* fraction digits of money columns */
    int32_t last_date; /* latest date of any row, XS_SNAP_NO_DATE when empty */
    xs__snapshot_customers cust;
    xs__snapshot_products prod;
    xs__snapshot_subscriptions sub;
    xs__snapshot_orders ord;
    xs__snapshot_usage use;
    xs__snapshot_events ev;
    xs__snapshot_offers off;
    xs__snapshot_returns ret;
    xs__snapshot_dicts dict;
    char *text; /* pool of free text; text[0] == '\0' */
    size_t n_text, cap_text;
    size_t bytes; /* column and index bytes (intern tables are added on query) */
    int mapped;   /* arrays point into a model file (xs__snapshot_map): read-only,
                     xs_snapshot_free frees only the struct and intern tables */
};

/* A string of the text pool (borrowed, valid until xs_snapshot_free). */
static inline const char *xs__snapshot_text(const struct xs_snapshot *s, uint32_t off)
{
    return s->text + off;
}

/* Name of a dictionary code, "" for XS_SNAP_NONE16 (borrowed). */
static inline const char *xs__snapshot_dict_str(const xs__intern *d, uint16_t code)
{
    return code == XS_SNAP_NONE16 ? "" : xs__intern_str(d, code);
}

/* The order_id of order o (borrowed). */
static inline const char *xs__snapshot_order_id(const struct xs_snapshot *s, uint32_t o)
{
    return s->ord.id_chars + s->ord.id_off[o];
}

/*
 * The domain formulas of one subscription row, defined here once.
 */

/* Whether subscription row r is active on day d: start <= d < end (an
 * empty end: still active). */
static inline int xs__snapshot_sub_active(const struct xs_snapshot *s, uint32_t r,
                                          int32_t d)
{
    return s->sub.start[r] <= d &&
           (s->sub.end[r] == XS_SNAP_NO_DATE || s->sub.end[r] > d);
}

/* Whether customer c has a subscription active on day d. */
static inline int xs__snapshot_cust_active(const struct xs_snapshot *s, uint32_t c,
                                           int32_t d)
{
    for (uint32_t r = s->cust.sub_off[c]; r < s->cust.sub_off[c + 1]; r++)
        if (xs__snapshot_sub_active(s, r, d)) return 1;
    return 0;
}

/* The recurring revenue of subscription row r, quantity x unit_price in
 * minor units, added to *month (billed monthly) or *year (billed yearly); a
 * one-off product adds nothing. Sums stay exact: divide the year part by 12
 * once, at the end (xs__snapshot_mrr_exact). */
static inline void xs__snapshot_sub_revenue(const struct xs_snapshot *s, uint32_t r,
                                            int64_t *month, int64_t *year)
{
    int64_t v = (int64_t)s->sub.quantity[r] * s->sub.unit_price[r];
    uint8_t b = s->prod.billing[s->sub.product[r]];
    if (b == XS_SNAP_BILL_MONTH)
        *month += v;
    else if (b == XS_SNAP_BILL_YEAR)
        *year += v;
}

/* MRR in minor units of month and year parts summed by
 * xs__snapshot_sub_revenue: month + year / 12, rounded half away from zero. */
static inline int64_t xs__snapshot_mrr_exact(int64_t month, int64_t year)
{
    return month + (year >= 0 ? (year + 6) / 12 : (year - 6) / 12);
}

/* MRR of subscription row r in minor units (a yearly price / 12, a one-off
 * 0), unrounded. */
static inline double xs__snapshot_sub_mrr(const struct xs_snapshot *s, uint32_t r)
{
    int64_t month = 0, year = 0;
    xs__snapshot_sub_revenue(s, r, &month, &year);
    return (double)month + (double)year / 12;
}

/*
 * The domain formulas of one product, defined here once.
 */

/* 10^money_scale as a double: the divisor from minor to currency units.
 * Exact (a product of tens below 10^22), so one division by it rounds once. */
static inline double xs__snapshot_money_div(const struct xs_snapshot *s)
{
    double d = 1;
    for (int i = 0; i < s->money_scale; i++)
        d *= 10;
    return d;
}

/* Monthly list price of one unit of product p in currency units: the
 * price of a monthly product, a yearly one's / 12, 0 for a one-off. */
static inline double xs__snapshot_prod_monthly(const struct xs_snapshot *s, uint32_t p)
{
    double price = (double)s->prod.price[p] / xs__snapshot_money_div(s);
    return s->prod.billing[p] == XS_SNAP_BILL_MONTH  ? price
           : s->prod.billing[p] == XS_SNAP_BILL_YEAR ? price / 12
                                                     : 0;
}

/* Limit of metric m (a dict.metrics code) of one unit of product p; NaN
 * when p has no limit on m. */
static inline double xs__snapshot_prod_limit(const struct xs_snapshot *s, uint32_t p,
                                             uint16_t m)
{
    for (uint32_t l = s->prod.limit_off[p]; l < s->prod.limit_off[p + 1]; l++)
        if (s->prod.limit_name[l] == m) return s->prod.limit_value[l];
    return NAN;
}

/* xs_snapshot_load(), loading orders and usage on a second connection
 * beside the other tables (snapshot.c, "Orders and usage beside the rest") from side_min
 * customers on (xs_snapshot_load: 20,000; tests give 0 to compare both
 * ways). Returns as xs_snapshot_load(). */
int xs__snapshot_load_side(xs_store *st, size_t side_min, xs_snapshot **out,
                           xs_error *err);

/*
 * Parses a limits string "seats=100;storage_gb=50" into names interned in
 * `names` (appended to *n_out pairs of out_name/out_value, capacity cap).
 * Used by the loader; exposed for tests. Empty input is no limits.
 * Returns the number of pairs (>= 0), XS_EPARSE with `what` set to a short
 * description of the fault ("bad name \"Seats\""), XS_ENOMEM, or XS_ERANGE
 * when more than `cap` pairs or more than 65534 names.
 */
int xs__snapshot_parse_limits(const char *s, size_t len, xs__intern *names,
                              uint16_t *out_name, double *out_value, size_t cap,
                              char *what, size_t n_what);

#endif
