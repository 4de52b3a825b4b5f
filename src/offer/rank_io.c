/*
 * rank_io.c — the personal ranking of a snapshot (struct xs_rank) in a model
 * file (contract in engine_io.h): its as-of day and the customer histories
 * it was built on under "<prefix>.", the model itself under "<prefix>.m."
 * (src/mine/rank_io.c).
 */
#include "offer/engine_io.h"
#include "offer/rank_int.h"

#include "base/alloc.h"
#include "base/error.h"
#include "base/mfile_arr.h"
#include "mine/mine_io.h"
#include "mine/rank_model.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

enum { H_OFF, H_ITEM, H_FIRST, H_LAST, H_EV_OFF, H_EV_ITEM, H_EV_DAY, H_N };
static const xs__marr hist_arrays[H_N] = {
    {"off", offsetof(struct xs_rank, hist.off), sizeof(uint32_t)},
    {"item", offsetof(struct xs_rank, hist.item), sizeof(uint32_t)},
    {"first", offsetof(struct xs_rank, hist.first), sizeof(int32_t)},
    {"last", offsetof(struct xs_rank, hist.last), sizeof(int32_t)},
    {"ev_off", offsetof(struct xs_rank, hist.ev_off), sizeof(uint32_t)},
    {"ev_item", offsetof(struct xs_rank, hist.ev_item), sizeof(uint32_t)},
    {"ev_day", offsetof(struct xs_rank, hist.ev_day), sizeof(int32_t)},
};

typedef struct rank_hdr {
    uint64_t present;
    struct xs_rank img;
} rank_hdr;

static size_t hist_count(const void *obj, int i)
{
    const struct xs_rank *r = obj;
    size_t nu = r->hist.n_users;
    if (nu >= UINT32_MAX) return SIZE_MAX;
    switch (i) {
    case H_OFF:
    case H_EV_OFF:
        return nu + 1;
    case H_ITEM:
    case H_FIRST:
    case H_LAST:
        return r->hist.off ? r->hist.off[nu] : SIZE_MAX;
    default:
        return r->hist.ev_off ? r->hist.ev_off[nu] : SIZE_MAX;
    }
}

/* "<prefix>.m", the model's prefix, into buf. */
static int model_prefix(char *buf, const char *prefix, xs_error *err)
{
    int k = snprintf(buf, XS__MFILE_NAME_MAX, "%s.m", prefix);
    if (k < 0 || k >= XS__MFILE_NAME_MAX)
        return xs__error_set(err, XS_EINVAL, NULL, 0, NULL, "section prefix too long: %s",
                             prefix);
    return XS_OK;
}

/* Contract in engine_io.h. */
int xs__offer_rank_save(const xs_rank *r, xs__mfile_writer *w, const char *prefix,
                        xs_error *err)
{
    rank_hdr h;
    char mp[XS__MFILE_NAME_MAX];
    memset(&h, 0, sizeof h);
    int rc = model_prefix(mp, prefix, err);
    if (rc < 0) return rc;
    if (!r->model)
        return xs__error_set(err, XS_EINVAL, NULL, 0, NULL, "ranking: no model");
    if ((rc = xs__marr_save_all(w, prefix, hist_arrays, H_N, r, hist_count, &h.present,
                                err)) < 0 ||
        (rc = xs__mine_rank_model_save(r->model, w, mp, err)) < 0)
        return rc;
    h.img = *r;
    xs__marr_clear(&h.img, hist_arrays, H_N);
    h.img.snap = NULL;
    h.img.model = NULL;
    h.img.mapped = 0;
    return xs__marr_put(w, prefix, "hdr", &h, sizeof h, 1, err);
}

/* Contract in engine_io.h. */
int xs__offer_rank_map(const xs__mfile *f, const char *prefix, const xs_snapshot *s,
                       xs_rank **out, xs_error *err)
{
    const rank_hdr *h;
    char mp[XS__MFILE_NAME_MAX];
    *out = NULL;
    int rc = model_prefix(mp, prefix, err);
    if (rc < 0) return XS_EPARSE;
    if ((rc = xs__marr_hdr(f, prefix, sizeof *h, "personal ranking", (const void **)&h,
                           err)) < 0)
        return rc;
    if (h->present != ((uint64_t)1 << H_N) - 1)
        return xs__error_set(err, XS_EPARSE, xs__mfile_path(f), 0, NULL,
                             "section %s.hdr: damaged", prefix);
    if (h->img.hist.n_users != s->cust.n || h->img.hist.n_items != s->prod.n)
        return xs__error_set(err, XS_EPARSE, xs__mfile_path(f), 0, NULL,
                             "section %s.hdr: %zu customers and %zu products, the "
                             "snapshot has %zu and %zu",
                             prefix, h->img.hist.n_users, h->img.hist.n_items, s->cust.n,
                             s->prod.n);
    struct xs_rank *r = xs__malloc(sizeof *r);
    if (!r) return xs__error_set(err, XS_ENOMEM, NULL, 0, NULL, "out of memory");
    *r = h->img;
    r->snap = s;
    r->model = NULL;
    r->mapped = 1;
    if ((rc = xs__marr_map_all(f, prefix, hist_arrays, H_N, r, hist_count, h->present,
                               err)) < 0 ||
        (rc = xs__mine_rank_model_map(f, mp, &r->model, err)) < 0) {
        if (rc == XS_ENOTFOUND) /* the histories without their model */
            rc = xs__error_set(err, XS_EPARSE, xs__mfile_path(f), 0, NULL,
                               "section %s.hdr: missing", mp);
        xs_rank_free(r);
        return rc;
    }
    if (r->model->n_items != s->prod.n || r->model->n_users != r->hist.n_users) {
        xs_rank_free(r);
        return xs__error_set(err, XS_EPARSE, xs__mfile_path(f), 0, NULL,
                             "section %s.hdr: the model has other customers or products",
                             mp);
    }
    *out = r;
    return XS_OK;
}
