/*
 * rank.h — the personal product ranking model on plain integers.
 *
 * Input: users 0..n_users-1 with their distinct items (0..n_items-1), each
 * with the day it was first and last bought, all dated before the model's
 * as-of day. Nothing here knows what a customer or a product is: the glue
 * in src/offer/rank.c turns a snapshot into these arrays.
 *
 * The model (docs/evaluate.md has the measurements that chose it):
 *
 *   sim(i, j) = co(i, j) / (n_i^alpha * n_j^beta + shrink)
 *   co(i, j)  = sum over users v holding i and j of
 *               |I(v)|^-user_pow * (1 if v first bought j on or after i,
 *                                   seq_back otherwise)
 *   s(u, j)   = m(j) * sum over u's items i of
 *               0.5^((as_of - last_i) / half_life) * sim(i, j)
 *               (j among i's top `neighbours`)
 *   m(j)      = ((trend(j) + 1) / (max trend + 1))^trend_pow
 *   score     = knn_weight * s(u, j) / max_j s(u, j)
 *               + trend_weight * trend(j) / max trend
 *   trend(j)  = users who bought j in the trend_days before as_of -
 *               trend_lag (trend_days 0: users who ever bought j)
 *
 * Items the user holds (and the cart's) are never ranked. Ties: higher
 * score first, then lower item number.
 *
 * Item-kNN with cosine is alpha = beta = 0.5, shrink 0, user_pow 0, seq_back 1, all
 * neighbours, no decay, no trend; most-popular is knn_weight 0, trend_weight
 * 1, trend_days 0. The evaluation builds its baselines from the same code.
 */
#ifndef XS_MINE_RANK_H
#define XS_MINE_RANK_H

#include <stddef.h>
#include <stdint.h>

#define XS__RANK_NONE UINT32_MAX

/* User histories, borrowed for the duration of xs__mine_rank_model_build. */
typedef struct xs__mine_rank_input {
    size_t n_users, n_items;
    const uint32_t *off;  /* n_users + 1: user u's rows [off[u], off[u+1]) */
    const uint32_t *item; /* ascending and distinct within a user */
    const int32_t *first; /* day the user first bought the item */
    const int32_t *last;  /* day the user last bought the item */
    int32_t as_of;        /* every day is before it */
    /* optional (NULL: the trend counts last purchases): every purchase,
     * user u's [ev_off[u], ev_off[u+1]) */
    const uint32_t *ev_off, *ev_item;
    const int32_t *ev_day;
} xs__mine_rank_input;

typedef struct xs__mine_rank_params {
    double alpha;        /* 0..2: exponent of the held item's buyers */
    double beta;         /* 0..2: exponent of the candidate's buyers */
    double shrink;       /* >= 0: added to the similarity's denominator */
    double user_pow;     /* >= 0: co-buyers with many items count less */
    double seq_back;     /* 0..1: weight of "bought j before i" */
    size_t neighbours;   /* neighbours kept per item; 0: all */
    double half_life;    /* days; 0: no decay of the user's own history */
    double co_half_life; /* days; a co-buyer's purchase of j weighs
                            0.5^((as_of - its last day) / co_half_life); 0: 1 */
    double knn_weight;   /* >= 0; 0: no item model is built */
    double trend_weight; /* >= 0 */
    int trend_days;      /* >= 0; 0: all-time popularity */
    int trend_lag;       /* >= 0: the window is [as_of - lag - days, as_of - lag)
                            (365 - days: the same season a year before) */
    double trend_pow;    /* >= 0: s(u, j) is multiplied by
                            ((trend count + 1) / (max + 1))^trend_pow */
} xs__mine_rank_params;

/* One ranked item: the user's item that contributed most to it (evidence,
 * XS__RANK_NONE when only the trend term scored it) and its share of s. */
typedef struct xs__mine_rank_hit {
    uint32_t item;
    double score;
    uint32_t evidence;
    double evidence_share;
} xs__mine_rank_hit;

typedef struct xs__mine_rank_model xs__mine_rank_model;
typedef struct xs__mine_rank_scratch xs__mine_rank_scratch;

/*
 * Builds the model: copies the histories, indexes them by item, computes
 * every item's neighbours and the trend prior. Returns XS_OK, XS_EINVAL
 * (a parameter out of range, an item number >= n_items) or XS_ENOMEM.
 * *out: caller frees with xs__mine_rank_model_free().
 */
int xs__mine_rank_model_build(const xs__mine_rank_input *in,
                              const xs__mine_rank_params *p, xs__mine_rank_model **out);
void xs__mine_rank_model_free(xs__mine_rank_model *m);

size_t xs__mine_rank_model_n_items(const xs__mine_rank_model *m);
/* Neighbour entries kept (for the benchmark's memory line). */
size_t xs__mine_rank_model_n_neighbours(const xs__mine_rank_model *m);
/* Users who bought both i and j (a merge of two sorted buyer lists). */
size_t xs__mine_rank_co_buyers(const xs__mine_rank_model *m, uint32_t i, uint32_t j);
/* Users who bought i. */
size_t xs__mine_rank_buyers(const xs__mine_rank_model *m, uint32_t i);
/* The similarity kept for i -> j, 0 when j is not among i's neighbours. */
double xs__mine_rank_sim(const xs__mine_rank_model *m, uint32_t i, uint32_t j);

/* Per-thread working memory of xs__mine_rank_score (O(n_items)); one call to
 * _new, then no allocation per scored user. NULL on out of memory. */
xs__mine_rank_scratch *xs__mine_rank_scratch_new(const xs__mine_rank_model *m);
void xs__mine_rank_scratch_free(xs__mine_rank_scratch *q);

/*
 * Ranks the items for user u (XS__RANK_NONE: nobody, the cart alone) plus
 * a cart of extra items (held as bought on the as-of day; may be NULL):
 * the best k into out (capacity k), best first.
 * Returns the number written (<= k); never allocates.
 */
size_t xs__mine_rank_score(const xs__mine_rank_model *m, xs__mine_rank_scratch *q,
                           uint32_t u, const uint32_t *cart, size_t n_cart,
                           xs__mine_rank_hit *out, size_t k);

/* The same scores for every item, unordered: score[j] (n_items of them) is
 * what xs__mine_rank_score gives item j, 0 for an item it leaves out. For a
 * caller that wants them all; never allocates. */
void xs__mine_rank_score_dense(const xs__mine_rank_model *m, xs__mine_rank_scratch *q,
                               uint32_t u, const uint32_t *cart, size_t n_cart,
                               double *score);

/* The same scores for the n items item[0..n) only: score[i] is what
 * xs__mine_rank_score_dense gives item[i] (0 past n_items). For a caller that
 * wants a few: no pass over every item; never allocates. */
void xs__mine_rank_score_items(const xs__mine_rank_model *m, xs__mine_rank_scratch *q,
                               uint32_t u, const uint32_t *cart, size_t n_cart,
                               const uint32_t *item, size_t n, double *score);

#endif
