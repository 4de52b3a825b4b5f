/*
 * churn_history.h — internals of the store-history churn model
 * (src/score/churn_history.c): the source columns of its feature table and
 * the activity rule behind rows and labels, exposed for the unit tests.
 */
#ifndef XS_SCORE_CHURN_HISTORY_H
#define XS_SCORE_CHURN_HISTORY_H

#include "snapshot/snapshot.h"

#include <stddef.h>
#include <stdint.h>

/* Source columns of the history feature table, in table order. */
typedef enum xs__score_ch_col {
    XS__CH_TENURE = 0,
    XS__CH_MRR,
    XS__CH_MRR_CHANGE_90,
    XS__CH_MRR_CHANGE_180,
    XS__CH_SUBSCRIPTIONS,
    XS__CH_PRODUCTS,
    XS__CH_FAMILIES,
    XS__CH_PLAN_TIER,
    XS__CH_DAYS_TO_RENEWAL,
    XS__CH_SEAT_UTIL,
    XS__CH_MAX_UTIL,
    XS__CH_LOGINS_30,
    XS__CH_LOGINS_90,
    XS__CH_LOGIN_TREND_30,
    XS__CH_LOGIN_TREND_90,
    XS__CH_NPS_LATEST,
    XS__CH_NPS_MEAN,
    XS__CH_TICKETS_90,
    XS__CH_TICKETS_365,
    XS__CH_OPEN_CRITICAL,
    XS__CH_PAYMENT_FAILED,
    XS__CH_CANCEL_90,
    XS__CH_DECLINED_180,
    XS__CH_ORDERS,
    XS__CH_DAYS_SINCE_ORDER,
    XS__CH_ORDER_AMOUNT,
    XS__CH_N_NUMERIC, /* the categorical columns follow */
    XS__CH_TERM = XS__CH_N_NUMERIC,
    XS__CH_SEGMENT,
    XS__CH_INDUSTRY,
    XS__CH_SIZE,
    XS__CH_N_COLS
} xs__score_ch_col;

/* Name of a source column ("tenure_days", "billing_term", ...). */
const char *xs__score_churn_history_col_name(size_t c);

/* The data's last day: the latest signup, subscription start, order, usage
 * point, event, offer sent or decided (renewal and end dates excluded: they
 * may lie in the future). XS_SNAP_NO_DATE when there is none. */
int32_t xs__score_churn_history_data_end(const struct xs_snapshot *s);

/* A stratified sample of max of the n rows with labels y (2 <= max < n),
 * for training on a capped table (xs_churn_history_opts.max_train): each
 * label keeps its share of max (rounded; at least one row of each label a
 * table holds), drawn by selection sampling with xs__rng seeded by seed.
 * Writes the row numbers, ascending, to idx (room for max) and returns
 * how many (max). */
size_t xs__score_churn_sample(const unsigned char *y, size_t n, size_t max, uint64_t seed,
                              size_t *idx);

/* P(churn) by model m of every customer active on as_of (NULL: the
 * data's end), written to prob[c] (prob holds a value per customer of s;
 * the others are left as they are): xs_churn_history_predict's
 * probabilities, bit for bit, computed on blocks of `block` customers (0:
 * 65,536) so that the feature tables of a million customers are never in
 * memory at once. XS_OK, xs_churn_history_predict's errors, XS_ENOMEM. */
int xs__score_churn_history_probs(const struct xs_snapshot *s, const xs_churn_model *m,
                                  const char *as_of, size_t block, double *prob,
                                  xs_error *err);

/* The feature table of the customers active on day (no labels) encoded
 * with enc (copied; the history table's columns), or with the encoding
 * fitted on these rows when enc is NULL: what xs_churn_history_features()
 * builds, for an encoding that comes from elsewhere than a churn model
 * (the offer engine's uplift models, src/offer/uplift_src.c). Caller frees
 * with xs_churn_data_free(). XS_OK, XS_EINVAL (no customer active, enc not
 * of the history table), XS_ENOMEM. */
struct xs__score_churn_enc;
int xs__score_churn_history_table(const struct xs_snapshot *s, int32_t day,
                                  const struct xs__score_churn_enc *enc,
                                  xs_churn_data **out, xs_error *err);

#endif
