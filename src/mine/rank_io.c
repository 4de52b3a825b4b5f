/*
 * rank_io.c — the personal ranking model in a model file (contract in
 * mine_io.h): its parameters and sizes as one header section, each array
 * (histories, inverted index, neighbours, trend) as a section of its own,
 * listed in one table used both ways.
 */
#include "mine/mine_io.h"
#include "mine/rank_model.h"

#include "base/alloc.h"
#include "base/error.h"
#include "base/mfile_arr.h"

#include <stddef.h>
#include <string.h>

typedef struct xs__mine_rank_model rmodel;

enum {
    M_U_OFF,
    M_U_ITEM,
    M_U_FIRST,
    M_U_LAST,
    M_I_OFF,
    M_I_USER,
    M_I_FIRST,
    M_NB_OFF,
    M_NB_ITEM,
    M_NB_SIM,
    M_TREND,
    M_MULT,
    M_N
};
static const xs__marr model_arrays[M_N] = {
    {"u_off", offsetof(rmodel, u_off), sizeof(uint32_t)},
    {"u_item", offsetof(rmodel, u_item), sizeof(uint32_t)},
    {"u_first", offsetof(rmodel, u_first), sizeof(int32_t)},
    {"u_last", offsetof(rmodel, u_last), sizeof(int32_t)},
    {"i_off", offsetof(rmodel, i_off), sizeof(uint32_t)},
    {"i_user", offsetof(rmodel, i_user), sizeof(uint32_t)},
    {"i_first", offsetof(rmodel, i_first), sizeof(int32_t)},
    {"nb_off", offsetof(rmodel, nb_off), sizeof(size_t)},
    {"nb_item", offsetof(rmodel, nb_item), sizeof(uint32_t)},
    {"nb_sim", offsetof(rmodel, nb_sim), sizeof(double)},
    {"trend", offsetof(rmodel, trend), sizeof(double)},
    {"mult", offsetof(rmodel, mult), sizeof(double)},
};

typedef struct model_hdr {
    uint64_t present;
    rmodel img;
} model_hdr;

static size_t model_count(const void *obj, int i)
{
    const rmodel *m = obj;
    size_t nu = m->n_users, ni = m->n_items;
    if (nu >= UINT32_MAX || ni >= UINT32_MAX) return SIZE_MAX;
    switch (i) {
    case M_U_OFF:
        return nu + 1;
    case M_U_ITEM:
    case M_U_FIRST:
    case M_U_LAST:
        return m->u_off ? m->u_off[nu] : SIZE_MAX;
    case M_I_OFF:
    case M_NB_OFF:
        return ni + 1;
    case M_I_USER:
    case M_I_FIRST:
        return m->i_off && m->u_off && m->i_off[ni] == m->u_off[nu] ? m->i_off[ni]
                                                                    : SIZE_MAX;
    case M_NB_ITEM:
    case M_NB_SIM:
        return m->nb_off && m->nb_off[ni] == m->n_nb ? m->n_nb : SIZE_MAX;
    default:
        return ni;
    }
}

/* Contract in mine_io.h. */
int xs__mine_rank_model_save(const xs__mine_rank_model *m, xs__mfile_writer *w,
                             const char *prefix, xs_error *err)
{
    model_hdr h;
    memset(&h, 0, sizeof h);
    int rc =
        xs__marr_save_all(w, prefix, model_arrays, M_N, m, model_count, &h.present, err);
    if (rc < 0) return rc;
    h.img = *m;
    xs__marr_clear(&h.img, model_arrays, M_N);
    h.img.cap_nb = 0;
    h.img.mapped = 0;
    return xs__marr_put(w, prefix, "hdr", &h, sizeof h, 1, err);
}

/* Contract in mine_io.h. */
int xs__mine_rank_model_map(const xs__mfile *f, const char *prefix,
                            xs__mine_rank_model **out, xs_error *err)
{
    const model_hdr *h;
    *out = NULL;
    int rc = xs__marr_hdr(f, prefix, sizeof *h, "ranking model", (const void **)&h, err);
    if (rc < 0) return rc;
    /* scoring reads every array but the neighbours' (absent without the
     * item model, knn_weight 0, when there are none) */
    uint64_t need = (((uint64_t)1 << M_N) - 1) & ~((uint64_t)1 << M_NB_ITEM) &
                    ~((uint64_t)1 << M_NB_SIM);
    if ((h->present & need) != need || (!(h->present >> M_NB_ITEM & 1) && h->img.n_nb))
        return xs__error_set(err, XS_EPARSE, xs__mfile_path(f), 0, NULL,
                             "section %s.hdr: damaged", prefix);
    rmodel *m = xs__malloc(sizeof *m);
    if (!m) return xs__error_set(err, XS_ENOMEM, NULL, 0, NULL, "out of memory");
    *m = h->img;
    m->mapped = 1;
    if ((rc = xs__marr_map_all(f, prefix, model_arrays, M_N, m, model_count, h->present,
                               err)) < 0) {
        xs__mine_rank_model_free(m);
        return rc;
    }
    *out = m;
    return XS_OK;
}
