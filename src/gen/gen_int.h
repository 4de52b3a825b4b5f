/*
 * gen_int.h — internals of the demo data generator (src/gen), shared by
 * catalog.c (the product catalogue), gen.c (the per-customer simulation and
 * the file orchestration) and truth.c (the truth files).
 *
 * The generator writes the input tables of docs/data-model.md for a
 * fictional company selling SaaS plans and an office-supplies web shop, plus
 * the hidden truth it planted (src/gen/README.md). Output is byte-identical
 * for the same (seed, customers, as_of): every customer draws from its own
 * random stream seeded from hash(seed, index), and every number is formatted
 * here by hand (no locale, no printf in the hot loop).
 */
#ifndef XS_GEN_INT_H
#define XS_GEN_INT_H

#include "xsell.h"

#include "base/buf.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* ---------------------------------------------------------------------- */
/* Catalogue                                                              */
/* ---------------------------------------------------------------------- */

/* SaaS families, in catalogue order. */
enum {
    XS__F_WORK = 0,
    XS__F_ACCT,
    XS__F_PAYROLL,
    XS__F_CHAT,
    XS__F_TASKS,
    XS__F_CRM,
    XS__F_MKTG,
    XS__N_FAM
};

/* Web-shop products, in catalogue order (the ones the planted patterns name
 * first; the rest follow). */
enum {
    XS__EC_LAPTOP14 = 0,
    XS__EC_LAPTOP16,
    XS__EC_DESKTOP,
    XS__EC_TABLET,
    XS__EC_LAPTOP_CASE,
    XS__EC_MOUSE,
    XS__EC_KEYBOARD,
    XS__EC_DOCK,
    XS__EC_HDMI,
    XS__EC_USB_HUB,
    XS__EC_HEADSET,
    XS__EC_WEBCAM,
    XS__EC_MONITOR24,
    XS__EC_MONITOR27,
    XS__EC_MONITOR_ARM,
    XS__EC_PRINTER,
    XS__EC_TONER_BLACK,
    XS__EC_TONER_COLOR,
    XS__EC_PAPER,
    XS__EC_LABEL_PRINTER,
    XS__EC_LABELS,
    XS__EC_DESK,
    XS__EC_CHAIR,
    XS__EC_LAMP,
    XS__EC_CABINET,
    XS__EC_ROUTER,
    XS__EC_SWITCH,
    XS__EC_LAN_CABLE,
    XS__EC_WIFI_AP,
    XS__EC_PENS,
    XS__EC_NOTEBOOKS,
    XS__EC_STICKY,
    XS__EC_STAPLER,
    XS__EC_COFFEE,
    XS__EC_WATER,
    XS__EC_ANTIVIRUS,
    XS__EC_OFFICE,
    XS__N_EC
};

enum { XS__KIND_PLAN = 0, XS__KIND_ADDON, XS__KIND_PRODUCT };
enum { XS__BILL_MONTH = 0, XS__BILL_YEAR, XS__BILL_ONCE };

#define XS__GEN_MAX_TIERS 4
#define XS__GEN_MAX_ADDONS 4
#define XS__GEN_MAX_PRODUCTS 128

typedef struct xs__gen_product {
    char id[40];
    char name[64];
    const char *family; /* "" for web-shop products */
    const char *category;
    int fam;               /* XS__F_* or -1 */
    int tier;              /* 1-based rank in the family, 0 for none */
    int kind;              /* XS__KIND_* */
    int billing;           /* XS__BILL_* */
    int64_t price;         /* minor units */
    int seats, storage_gb; /* limits per unit of quantity; 0: none */
    int consumable;        /* web shop: bought in quantities */
    unsigned popularity;   /* web shop: background weight */
    size_t id_len;
} xs__gen_product;

typedef struct xs__gen_catalog {
    xs__gen_product p[XS__GEN_MAX_PRODUCTS];
    size_t n;
    int n_tiers[XS__N_FAM];
    int plan[XS__N_FAM][XS__GEN_MAX_TIERS][2]; /* [fam][tier-1][billing] */
    int n_addons[XS__N_FAM];
    int addon[XS__N_FAM][XS__GEN_MAX_ADDONS];
    int seat_pack[XS__N_FAM];  /* addon with a seats limit, -1 when none */
    int ec[XS__N_EC];          /* product index of each web-shop item */
    unsigned ec_cum[XS__N_EC]; /* cumulative popularity */
} xs__gen_catalog;

/* Fills the catalogue (pure, no allocation). */
void xs__gen_catalog_build(xs__gen_catalog *c);
/* Key of a family ("work", "accounting", ...). */
const char *xs__gen_family_key(int fam);

/* Planted complementary adoption between families: customers holding
 * `from` adopt `to` with probability p after an exponential lag. */
typedef struct xs__gen_pair {
    int from, to;
    double p;
    double lag_mean_days;
} xs__gen_pair;
#define XS__GEN_N_PAIRS 3
extern const xs__gen_pair xs__gen_pairs[XS__GEN_N_PAIRS];
/* Base probability that a customer adopts a family on its own. */
#define XS__GEN_BASE_ADOPT 0.03

/* Planted web-shop patterns. */
#define XS__GEN_MAX_SET 3
typedef struct xs__gen_bundle {
    int n;
    int item[XS__GEN_MAX_SET]; /* XS__EC_* */
    double p;                  /* probability per order */
} xs__gen_bundle;
#define XS__GEN_N_BUNDLES 6
extern const xs__gen_bundle xs__gen_bundles[XS__GEN_N_BUNDLES];
typedef struct xs__gen_seq {
    int from, to; /* XS__EC_* */
    double p, lag_mean_days;
} xs__gen_seq;
#define XS__GEN_N_SEQS 2
extern const xs__gen_seq xs__gen_seqs[XS__GEN_N_SEQS];

/* Offer model: P(accepted) = min(0.95, propensity[kind] * channel factor). */
enum { XS__OK_UPSELL = 0, XS__OK_CROSS, XS__OK_DOWN, XS__N_OKIND };
enum {
    XS__CH_EMAIL = 0,
    XS__CH_IN_APP,
    XS__CH_CSM,
    XS__CH_WEBINAR,
    XS__CH_SNS,
    XS__N_CH
};
enum {
    XS__OUT_ACCEPTED = 0,
    XS__OUT_DECLINED,
    XS__OUT_IGNORED,
    XS__OUT_PENDING,
    XS__N_OUT
};
extern const double xs__gen_channel_factor[XS__N_CH];
extern const char *const xs__gen_okind_name[XS__N_OKIND];
extern const char *const xs__gen_channel_name[XS__N_CH];
extern const char *const xs__gen_outcome_name[XS__N_OUT];

/* Arms of the planted holdout experiments, in the order of
 * XS_GEN_HOLDOUT_SPLIT (the arm index xs_exp_assign returns). */
enum { XS__ARM_TREATMENT = 0, XS__ARM_HOLDOUT, XS__N_ARM };
extern const char *const xs__gen_arm_name[XS__N_ARM];

/* Usage thresholds of the planted classes (seats used / seat capacity). */
#define XS__GEN_HIGH_UTIL 0.9
#define XS__GEN_LOW_UTIL 0.4
/* Monthly usage points per metric (the latest at as_of). */
#define XS__GEN_USAGE_MONTHS 6
/* Days ahead in which an about-to-churn customer churns. */
#define XS__GEN_CHURN_HORIZON 90

/* ---------------------------------------------------------------------- */
/* Truth accumulated over all customers                                   */
/* ---------------------------------------------------------------------- */

typedef struct xs__gen_truth {
    uint64_t n_customers, n_saas, n_shoppers;
    /* complementary families: customers holding from / to / to after from */
    uint64_t pair_from[XS__GEN_N_PAIRS], pair_to[XS__GEN_N_PAIRS];
    uint64_t pair_to_after[XS__GEN_N_PAIRS], pair_lag_sum[XS__GEN_N_PAIRS];
    uint64_t pair_both[XS__GEN_N_PAIRS];    /* holding both, in any order */
    uint64_t pair_planted[XS__GEN_N_PAIRS]; /* adoptions the lag drew before as_of */
    /* web shop */
    uint64_t n_orders;
    uint64_t item_orders[XS__N_EC];
    uint64_t bundle_orders[XS__GEN_N_BUNDLES];      /* orders with every item */
    uint64_t bundle_ante_orders[XS__GEN_N_BUNDLES]; /* orders with all but the last */
    uint64_t bundle_planted[XS__GEN_N_BUNDLES];     /* orders the bundle was put in */
    uint64_t seq_from[XS__GEN_N_SEQS], seq_to[XS__GEN_N_SEQS];
    uint64_t seq_to_after[XS__GEN_N_SEQS], seq_lag_sum[XS__GEN_N_SEQS];
    /* customers */
    uint64_t n_high, n_low, n_normal, n_churn_soon, n_open_critical;
    uint64_t offers[XS__N_OKIND][XS__N_OUT];
    /* holdout experiments (holdout_days > 0), per kind and arm (XS__ARM_*) */
    uint64_t exp_customers[XS__N_OKIND][XS__N_ARM];
    uint64_t exp_offers[XS__N_OKIND][XS__N_ARM];   /* sent on or after the start */
    uint64_t exp_accepted[XS__N_OKIND][XS__N_ARM]; /* of those, accepted */
    uint64_t exp_withheld[XS__N_OKIND];            /* not made: holdout */
} xs__gen_truth;

/* ---------------------------------------------------------------------- */
/* Buffered output with hand-made number formatting                       */
/* ---------------------------------------------------------------------- */

/* A generated file's output: its bytes are built in an xs__buf attached to
 * the file, with room for a whole row (XS__GOUT_ROW_MAX) made once at its
 * start, so that the appends below write without checks. */
typedef struct xs__gen_gout {
    xs__buf b; /* the bytes not written yet; b.f the file; b.err: the first
                  failure (XS_ENOMEM, or XS_EIO with b.sys_errno) */
    uint64_t rows, bytes;
    /* key order (keyorder.c): rows since `mark` stay in the buffer while held */
    int held;
    size_t mark;
    struct xs__gen_gout_rowkey *rows_k; /* scratch of xs__gen_gout_sort: rows, bytes */
    size_t cap_rows_k;
    char *tmp;
    size_t cap_tmp;
} xs__gen_gout;

/* Room guaranteed by xs__gen_gout_row() for one row. */
#define XS__GOUT_ROW_MAX 2048

/* Writes the buffered bytes; returns 0 or -1 (o->b.err set). After a
 * failure the bytes are dropped unwritten. */
int xs__gen_gout_flush(xs__gen_gout *o);

/* Makes room for XS__GOUT_ROW_MAX bytes: flushes, or while held grows the
 * buffer (when it cannot: o->b.err = XS_ENOMEM and it flushes; keyorder.c). */
void xs__gen_gout_make_room(xs__gen_gout *o);

/* Holds the rows written from now on in the buffer (no flush) until
 * xs__gen_gout_sort(), which puts them in key order: by the comma-separated
 * columns cols[0..n_cols-1] (0-based) compared as SQLite's BINARY collation
 * compares the key tuple. Out of memory sets o->b.err (keyorder.c). */
void xs__gen_gout_hold(xs__gen_gout *o);
void xs__gen_gout_sort(xs__gen_gout *o, const int *cols, int n_cols);

/* Starts a row: makes room for XS__GOUT_ROW_MAX bytes. */
static inline void xs__gen_gout_row(xs__gen_gout *o)
{
    if (o->b.n + XS__GOUT_ROW_MAX > o->b.cap) xs__gen_gout_make_room(o);
    o->rows++;
}
static inline void xs__gen_gout_mem(xs__gen_gout *o, const char *s, size_t n)
{
    memcpy(o->b.p + o->b.n, s, n);
    o->b.n += n;
}
static inline void xs__gen_gout_str(xs__gen_gout *o, const char *s)
{
    xs__gen_gout_mem(o, s, strlen(s));
}
static inline void xs__gen_gout_ch(xs__gen_gout *o, char c)
{
    o->b.p[o->b.n++] = c;
}
static inline void xs__gen_gout_u64(xs__gen_gout *o, uint64_t v)
{
    char t[24];
    int n = 0;
    do {
        t[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n)
        o->b.p[o->b.n++] = t[--n];
}
/* v zero-padded to at least `width` digits. */
static inline void xs__gen_gout_u64w(xs__gen_gout *o, uint64_t v, int width)
{
    char t[24];
    int n = 0;
    do {
        t[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n < width)
        t[n++] = '0';
    while (n)
        o->b.p[o->b.n++] = t[--n];
}
/* v / 10^frac with exactly `frac` fraction digits (v may be negative). */
static inline void xs__gen_gout_fixed(xs__gen_gout *o, int64_t v, int frac)
{
    uint64_t a;
    if (v < 0) {
        xs__gen_gout_ch(o, '-');
        a = (uint64_t)(-(v + 1)) + 1;
    } else {
        a = (uint64_t)v;
    }
    uint64_t p = 1;
    for (int i = 0; i < frac; i++)
        p *= 10;
    xs__gen_gout_u64(o, a / p);
    if (frac) {
        xs__gen_gout_ch(o, '.');
        xs__gen_gout_u64w(o, a % p, frac);
    }
}

#endif
