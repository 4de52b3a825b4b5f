/*
 * rank_int.h — the personal ranking model of a snapshot (struct xs_rank),
 * shared by its glue (src/offer/rank.c) and the offline evaluation
 * (src/measure/evaluate.c), which reads the histories it was built on.
 */
#ifndef XS_OFFER_RANK_INT_H
#define XS_OFFER_RANK_INT_H

#include "xsell.h"
#include "mine/rank.h"
#include "snapshot/snapshot.h"

#include <stddef.h>
#include <stdint.h>

/* Customer histories of a snapshot before a day: user u = customer u,
 * item = product index; rows ascending by product (xs__mine_rank_input arrays). */
typedef struct xs__offer_rank_hist {
    size_t n_users, n_items;
    uint32_t *off, *item;
    int32_t *first, *last;
    uint32_t *ev_off, *ev_item; /* every order line: user u's [ev_off[u], ev_off[u+1]) */
    int32_t *ev_day;
} xs__offer_rank_hist;

struct xs_rank {
    const xs_snapshot *snap; /* borrowed */
    int32_t as_of;
    xs__offer_rank_hist hist;
    xs__mine_rank_model *model;
    int mapped; /* 1: hist's arrays point into a model file (rank_io.c, which
                   saves and maps every field) */
};

struct xs_rank_scratch {
    xs__mine_rank_scratch *q;
    xs__mine_rank_hit *hits; /* capacity cap_hits */
    size_t cap_hits;
};

/* Fills h with the orders of s dated before `before`. Returns XS_OK or
 * XS_ENOMEM; free with xs__offer_rank_hist_free() (also on failure). */
int xs__offer_rank_hist_build(const xs_snapshot *s, int32_t before,
                              xs__offer_rank_hist *h);
void xs__offer_rank_hist_free(xs__offer_rank_hist *h);

/* The model's parameters of public options (no validation). */
void xs__offer_rank_params_of(const xs_rank_opts *o, xs__mine_rank_params *p);

/* Builds a model of s on the orders before the day as_of (the evaluation's
 * entry point: no date string). Same returns as xs_rank_build(). */
int xs__offer_rank_build_day(const xs_snapshot *s, int32_t as_of, const xs_rank_opts *o,
                             xs_rank **out, xs_error *err);

#endif
