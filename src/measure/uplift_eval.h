/*
 * uplift_eval.h — internals of the uplift metrics (uplift_eval_metrics.c)
 * shared with the evaluation (uplift_eval.c) and the unit tests: the rows
 * in metric order, and all metrics of one ordered set of rows with a
 * multiplicity per row, so that a bootstrap replicate (rows drawn with
 * replacement) reuses the order of the original rows instead of sorting
 * again.
 */
#ifndef XS_MEASURE_UPLIFT_EVAL_H
#define XS_MEASURE_UPLIFT_EVAL_H

#include "xsell.h"

#include <stddef.h>
#include <stdint.h>

/*
 * Sorts rows[0..n) (indices into uplift) into metric order: uplift
 * descending, equal uplift by index descending — numpy's stable argsort of
 * the uplift, reversed, as scikit-uplift ranks. Returns XS_OK or XS_ENOMEM.
 */
int xs__measure_uplift_order(const double *uplift, size_t *rows, size_t n);

/* All metrics of one set of rows. */
typedef struct xs__measure_uplift_scores {
    double qini, auuc, at_k_overall, at_k_by_group;
    double random; /* treated rate - control rate */
} xs__measure_uplift_scores;

/*
 * The metrics (xsell.h: xs_uplift_qini and the others) of the rows
 * order[0..n) (metric order of xs__measure_uplift_order), row order[j] counted
 * cnt[j] times (cnt NULL: once each; 0: absent).
 */
void xs__measure_uplift_scores_of(const double *uplift, const unsigned char *y,
                                  const unsigned char *w, const size_t *order,
                                  const uint32_t *cnt, size_t n, double k,
                                  xs__measure_uplift_scores *out);

#endif
