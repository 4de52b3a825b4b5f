/*
 * health.h — internals of customer intelligence (src/score/health.c,
 * segments.c, rfm.c, ltv.c, customers.c): the column layout of
 * xs_customer_scores and the per-stage functions that fill it.
 *
 * Flow (customers.c): allocate the columns, then health.c computes the
 * component measurements, scores and the health of every customer straight
 * from the snapshot's CSR ranges; ltv.c adds orders (RFM raw values), MRR,
 * the simple LTV and CLV; rfm.c turns recency / frequency / monetary into
 * quintiles; segments.c applies the segment rules. Each stage reads the
 * snapshot and the columns before it, never SQL.
 */
#ifndef XS_SCORE_HEALTH_H
#define XS_SCORE_HEALTH_H

#include "xsell.h"
#include "snapshot/snapshot.h"

#include <stddef.h>
#include <stdint.h>

/* customer flags */
#define XS__CS_OPEN_CRITICAL 1u /* a severity-1 ticket without its ticket_closed */
#define XS__CS_CANCEL 2u        /* cancel_request within cancel_window_days */
#define XS__CS_ACTIVE 4u        /* active subscription, or an order within active_days */
#define XS__CS_SUBSCRIBER 8u    /* an active subscription at as_of */
#define XS__CS_UNKNOWN 16u      /* coverage too low to judge (segment unknown) */

/* What the store records at all (xs_customer_scores.tracked): without a
 * single ticket (payment_failed) event up to as_of in the whole store,
 * "no tickets" means "not recorded", not "a perfect support record", and
 * the component has no data for anyone. */
#define XS__TRACK_TICKETS 1u
#define XS__TRACK_PAYMENTS 2u

/* The components that say how the customer uses and rates the service
 * (need_activity): usage, trend, utilisation, nps, support. */
#define XS__HEALTH_ACTIVITY                                                              \
    ((1u << XS_HEALTH_USAGE) | (1u << XS_HEALTH_TREND) |                                 \
     (1u << XS_HEALTH_UTILISATION) | (1u << XS_HEALTH_NPS) | (1u << XS_HEALTH_SUPPORT))

struct xs_customer_scores {
    const struct xs_snapshot *s; /* borrowed */
    xs_health_config cfg;
    int32_t as_of;
    size_t n;
    double *block; /* every double column below, one allocation */
    double *health;
    double *raw[XS_HEALTH_N_PARTS], *score[XS_HEALTH_N_PARTS];
    double *nps_avg;
    double *recency, *frequency, *monetary; /* NaN / 0 / 0 without orders;
                                               monetary in minor units */
    double *mrr, *aov, *orders_per_year, *ltv_sub, *ltv_ord, *clv, *p_alive;
    double *churn;    /* churn risk; NaN when not computed */
    uint8_t *flags;   /* XS__CS_* */
    uint8_t *coverage; /* bit k: component k has data */
    unsigned tracked;  /* XS__TRACK_*: set by xs__score_health_tracked() */
    uint8_t *segment; /* xs_segment */
    uint8_t *rfm;     /* 3 per customer: r, f, m (0 without orders) */
    /* simple LTV estimates (ltv.c) */
    double sub_churn;       /* share of subscribers lost over churn_window_days;
                               NaN when not measurable */
    double lifetime_months; /* expected subscription lifetime */
    double shop_churn;      /* share of buyers lost over churn_window_days; NaN
                               when not measurable */
    double shop_years;      /* expected purchasing duration */
    /* CLV (ltv.c) */
    int clv_status; /* XS_OK, or why CLV is absent */
    char clv_msg[512];
    xs_bgnbd_params bg;
    xs_gg_params gg;
    /* churn risk (customers.c) */
    int churn_status; /* XS_OK, or why churn risk is absent */
    char churn_msg[512];
    int mapped; /* 1: the columns point into a model file (scores_io.c, which
                   saves and maps every field): read-only */
};

/* Number of double columns in `block`. */
#define XS__CS_N_DOUBLES (1 + 2 * XS_HEALTH_N_PARTS + 1 + 3 + 8)

/*
 * Allocates the columns of n customers (NaN-filled doubles, zero bytes).
 * Returns NULL when out of memory; free with xs_customer_scores_free().
 */
xs_customer_scores *xs__score_cs_alloc(size_t n);

/* Points the double columns of cs (health ... churn) into cs->block: column
 * after column, max(n, 1) each, in the struct's order. */
void xs__score_cs_columns(xs_customer_scores *cs);

/* The churn model of the customer scores trains on a stratified sample of
 * at most this many of the customers active at its cutoff (churn_history.c,
 * "Training on a sample"; docs/scores.md "Churn risk"): at 1M generated
 * customers the held-out AUC of 100,000 equals that of 200,000 and of
 * every row within its noise (bench/RESULTS.md, "Build at 1M, helper hH"). */
#define XS__SCORE_CHURN_MAX_TRAIN 100000

/* xs_customer_scores_compute() with the churn model's training sample at
 * most churn_max_train customers (0: every one): the same contract
 * (customers.c). */
int xs__score_customers_compute(const xs_snapshot *s, const xs_health_config *c,
                                const char *as_of, size_t churn_max_train,
                                xs_customer_scores **out, xs_error *err);

/*
 * Component measurements, scores, flags (open critical, cancel, active,
 * subscriber) and health of customers [lo, hi) of cs (health.c). Needs the
 * capacity metric's code (XS_SNAP_NONE16 when the snapshot lacks it) and
 * the logins metric's code. Pure computation, no allocation.
 */
void xs__score_health_compute(xs_customer_scores *cs, size_t lo, size_t hi);

/* Sets cs->tracked from the whole snapshot's events up to cs->as_of (one
 * pass over the events); call before xs__score_health_compute(). */
void xs__score_health_tracked(xs_customer_scores *cs);

/* Coverage bitmask of a score vector (bit k: score[k] is not NaN). */
unsigned xs__score_health_coverage(const double *score);

/* 1 when a coverage is too low to judge loyalty under c: fewer than
 * min_components components, or (need_activity) none of
 * XS__HEALTH_ACTIVITY. */
int xs__score_health_unknown(const xs_health_config *c, unsigned coverage);

/* Health from scores and weights: 100 * sum(w*s) / sum(w) over the parts
 * whose score is not NaN; NaN when that weight sum is 0. Writes each
 * part's share of the weight into share (0 for parts without data) when
 * share is not NULL. */
double xs__score_health_combine(const double *score, const double *weight, double *share);

/* Segment of one customer from its health, tenure (days), flags (health.c
 * XS__CS_*) and the rules of c (segments.c). */
xs_segment xs__score_segment_of(const xs_health_config *c, double health,
                                double tenure_days, unsigned flags);

/*
 * RFM quintiles (rfm.c): for the n values key[0..n) (higher is better)
 * writes q[i] = 1 + floor(5 * k / n) where k is the number of values
 * strictly smaller than key[i]: equal values share a quintile, the lowest
 * their rank allows. Returns XS_OK or XS_ENOMEM.
 */
int xs__score_rfm_quintiles(const int64_t *key, size_t n, uint8_t *q);

/* Fills the RFM quintiles of cs from its recency / frequency / monetary
 * columns (customers with orders only). Returns XS_OK or XS_ENOMEM. */
int xs__score_rfm_assign(xs_customer_scores *cs);

/* Orders (recency, frequency, monetary), MRR, churn estimates and the
 * simple LTV of every customer (ltv.c). */
void xs__score_ltv_simple(xs_customer_scores *cs);

/* Fits BG/NBD and Gamma-Gamma on the orders up to as_of and fills clv and
 * p_alive (ltv.c). A failed fit sets cs->clv_status / clv_msg and returns
 * XS_OK; returns XS_ENOMEM only when out of memory. */
int xs__score_ltv_clv(xs_customer_scores *cs);

#endif
