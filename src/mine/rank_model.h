/*
 * rank_model.h — the arrays of the personal ranking model (struct
 * xs__mine_rank_model), shared by the model (rank.c) and its model-file sections
 * (rank_io.c), which save and map every field: add new ones there too.
 */
#ifndef XS_MINE_RANK_MODEL_H
#define XS_MINE_RANK_MODEL_H

#include "mine/rank.h"

#include <stddef.h>
#include <stdint.h>

struct xs__mine_rank_model {
    size_t n_users, n_items;
    int32_t as_of;
    xs__mine_rank_params p;
    /* histories (copied) */
    uint32_t *u_off, *u_item;
    int32_t *u_first, *u_last;
    /* inverted: item i's buyers [i_off[i], i_off[i+1]), ascending user */
    uint32_t *i_off, *i_user;
    int32_t *i_first;
    /* neighbours: item i's [nb_off[i], nb_off[i+1]) */
    size_t *nb_off;
    uint32_t *nb_item;
    double *nb_sim;
    size_t n_nb, cap_nb;
    double *trend; /* per item, already divided by the maximum (0 when none) */
    double *mult;  /* per item: ((trend count + 1) / (max + 1))^trend_pow */
    int mapped;    /* 1: the arrays point into a model file (rank_io.c) */
};

#endif
