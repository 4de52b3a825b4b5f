/*
 * evaluate.h — internals of the offline evaluation of the ranking shared
 * with its tests: the metrics of one customer's list and the substitute
 * rule (docs/evaluate.md has the formulas).
 */
#ifndef XS_MEASURE_EVALUATE_H
#define XS_MEASURE_EVALUATE_H

#include "offer/rank_int.h"

#include <stddef.h>
#include <stdint.h>

typedef struct xs__measure_eval_one {
    double precision, recall, ndcg, ap;
    int hit; /* 1 when at least one relevant product is in the list */
} xs__measure_eval_one;

/*
 * Metrics at k of one ranked list (ranked[0] best, n_ranked <= k) against
 * the relevant products rel (ascending, n_rel >= 1): binary relevance;
 * precision = hits / k; recall = hits / n_rel; nDCG with the ideal DCG
 * over min(k, n_rel); AP = sum of precision@i at each hit / min(k, n_rel).
 */
void xs__measure_eval_metrics(const uint32_t *ranked, size_t n_ranked,
                              const uint32_t *rel, size_t n_rel, size_t k,
                              xs__measure_eval_one *out);

/*
 * Whether product j offered to customer c is a substitute of something c
 * bought in the `days` before the day `before` (on r's history): same
 * category or same family (both known), and rarely bought together — the
 * customers who bought both number less than max_together times the buyers
 * of the rarer of the two.
 */
int xs__measure_eval_is_substitute(const xs_rank *r, uint32_t c, uint32_t j,
                                   int32_t before, int days, double max_together);

#endif
