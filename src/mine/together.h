/*
 * together.h — internals of the frequently-bought-together model shared
 * with its tests and benchmark: the model's arrays and the similarity of one
 * pair from its co-occurrence weights.
 */
#ifndef XS_TOGETHER_H
#define XS_TOGETHER_H

#include "xsell.h"
#include "base/intern.h"

#include <stddef.h>
#include <stdint.h>

struct xs_together {
    xs__intern names; /* item id -> name (same ids as the baskets) */
    size_t n_items;
    uint32_t *rank; /* item id -> position in name order (ties) */
    xs_together_measure measure;
    size_t top_k;
    double min_count; /* pairs below are ignored */
    double total_w;   /* sum of basket weights (N) */
    double *item_w;   /* per item: weight of the baskets holding it */
    size_t *off;      /* n_items + 1 offsets into nbr / score / co */
    uint32_t *nbr;    /* neighbours, best first */
    double *score, *co;
    size_t n_nbr, cap_nbr;
    /* every co-occurrence (keep_counts), neighbours ascending */
    size_t *c_off;
    uint32_t *c_nbr;
    double *c_w;
    size_t n_c, cap_c;
    int mapped; /* 1: the arrays point into a model file (mine_io.c, which
                   saves and maps every field); names is the together's own */
};

/* Similarity of a pair from its co-occurrence weight co, the item weights
 * wa, wb and the total weight n. */
double xs__mine_together_sim(xs_together_measure m, double co, double wa, double wb,
                             double n);

#endif
