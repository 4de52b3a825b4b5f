/*
 * scores_io.c — customer scores in a model file (contract in scores_io.h).
 *
 * The header section is struct xs_customer_scores with its addresses
 * cleared (configuration, as-of day, the LTV estimates, the CLV and churn
 * status and messages, the fitted BG/NBD and Gamma-Gamma parameters: every
 * scalar field). The columns are five sections: the block of every double
 * column (xs__score_cs_alloc's layout, so xs__score_cs_columns sets the column pointers)
 * and the byte columns.
 */
#include "score/scores_io.h"
#include "score/health.h"

#include "base/alloc.h"
#include "base/error.h"
#include "base/mfile_arr.h"

#include <stddef.h>
#include <string.h>

typedef struct xs_customer_scores scores;

enum { S_BLOCK, S_FLAGS, S_SEGMENT, S_RFM, S_COVERAGE, S_N };
static const xs__marr arrays[S_N] = {
    {"block", offsetof(scores, block), sizeof(double)},
    {"flags", offsetof(scores, flags), sizeof(uint8_t)},
    {"segment", offsetof(scores, segment), sizeof(uint8_t)},
    {"rfm", offsetof(scores, rfm), 3 * sizeof(uint8_t)},
    {"coverage", offsetof(scores, coverage), sizeof(uint8_t)},
};

typedef struct scores_hdr {
    uint64_t present;
    scores img;
} scores_hdr;

static size_t count_of(const void *obj, int i)
{
    const scores *cs = obj;
    size_t m = cs->n ? cs->n : 1; /* xs__score_cs_alloc's column length */
    if (cs->n >= UINT32_MAX) return SIZE_MAX;
    return i == S_BLOCK ? m * XS__CS_N_DOUBLES : m;
}

/* Clears every address of an image. */
static void clear(scores *cs)
{
    xs__marr_clear(cs, arrays, S_N);
    cs->s = NULL;
    cs->health = cs->nps_avg = cs->recency = cs->frequency = cs->monetary = NULL;
    cs->mrr = cs->aov = cs->orders_per_year = cs->ltv_sub = cs->ltv_ord = NULL;
    cs->clv = cs->p_alive = cs->churn = NULL;
    for (int k = 0; k < XS_HEALTH_N_PARTS; k++)
        cs->raw[k] = cs->score[k] = NULL;
}

/* Contract in scores_io.h. */
int xs__score_customer_scores_save(const xs_customer_scores *cs, xs__mfile_writer *w,
                                   xs_error *err)
{
    scores_hdr *h = xs__calloc(1, sizeof *h);
    if (!h) return xs__error_set(err, XS_ENOMEM, NULL, 0, NULL, "out of memory");
    int rc = xs__marr_save_all(w, "scores", arrays, S_N, cs, count_of, &h->present, err);
    if (rc == XS_OK) {
        h->img = *cs;
        clear(&h->img);
        h->img.mapped = 0;
        rc = xs__marr_put(w, "scores", "hdr", h, sizeof *h, 1, err);
    }
    xs__free(h);
    return rc;
}

/* Contract in scores_io.h. */
int xs__score_customer_scores_map(const xs__mfile *f, const xs_snapshot *s,
                                  xs_customer_scores **out, xs_error *err)
{
    const scores_hdr *h;
    *out = NULL;
    int rc =
        xs__marr_hdr(f, "scores", sizeof *h, "customer scores", (const void **)&h, err);
    if (rc < 0) return rc;
    if (h->img.n != s->cust.n)
        return xs__error_set(err, XS_EPARSE, xs__mfile_path(f), 0, NULL,
                             "section scores.hdr: %zu customers, the snapshot has %zu",
                             h->img.n, s->cust.n);
    if (h->present != (1u << S_N) - 1)
        return xs__error_set(err, XS_EPARSE, xs__mfile_path(f), 0, NULL,
                             "section scores.hdr: damaged");
    scores *cs = xs__malloc(sizeof *cs);
    if (!cs) return xs__error_set(err, XS_ENOMEM, NULL, 0, NULL, "out of memory");
    *cs = h->img;
    clear(cs);
    cs->s = s;
    cs->mapped = 1;
    if ((rc = xs__marr_map_all(f, "scores", arrays, S_N, cs, count_of, h->present, err)) <
        0) {
        xs_customer_scores_free(cs);
        return rc;
    }
    xs__score_cs_columns(cs);
    *out = cs;
    return XS_OK;
}
