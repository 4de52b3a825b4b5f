/*
 * rank.c — the personal product ranking of a snapshot: the glue between
 * the customers, products and orders of a snapshot and the integer model
 * of src/mine/rank.c, and the public xs_rank_* API.
 *
 * A customer's history is the set of products on its orders dated before
 * the as-of day, each with the day it was first and last bought; nothing
 * dated on or after the as-of day is read, so adding later rows changes
 * nothing (tests/unit/test_rank.c proves it).
 */
#include "offer/rank_int.h"

#include "base/alloc.h"
#include "base/date.h"
#include "base/error.h"
#include "base/sort.h"

#include <stdlib.h>
#include <string.h>

/* The chosen model (docs/evaluate.md, "Choosing the model"). */
void xs_rank_opts_init(xs_rank_opts *o)
{
    memset(o, 0, sizeof *o);
    o->alpha = 0.25;
    o->beta = 0.5;
    o->shrink = 0;
    o->user_pow = 1;
    o->seq_back = 0.5;
    o->neighbours = 300;
    o->half_life = 30;
    o->co_half_life = 30;
    o->knn_weight = 1;
    o->trend_weight = 0;
    o->trend_days = 30;
}

void xs_rank_opts_knn(xs_rank_opts *o)
{
    memset(o, 0, sizeof *o);
    o->alpha = 0.5;
    o->beta = 0.5;
    o->seq_back = 1;
    o->knn_weight = 1;
}

void xs_rank_opts_popular(xs_rank_opts *o)
{
    memset(o, 0, sizeof *o);
    o->alpha = 0.5;
    o->beta = 0.5;
    o->seq_back = 1;
    o->trend_weight = 1;
}

void xs__offer_rank_params_of(const xs_rank_opts *o, xs__mine_rank_params *p)
{
    p->alpha = o->alpha;
    p->beta = o->beta;
    p->shrink = o->shrink;
    p->user_pow = o->user_pow;
    p->seq_back = o->seq_back;
    p->neighbours = o->neighbours;
    p->half_life = o->half_life;
    p->co_half_life = o->co_half_life;
    p->knn_weight = o->knn_weight;
    p->trend_weight = o->trend_weight;
    p->trend_days = o->trend_days;
    p->trend_pow = o->trend_pow;
    p->trend_lag = o->trend_lag;
}

/* ---------------------------------------------------------------------- */
/* Histories                                                               */
/* ---------------------------------------------------------------------- */

typedef struct hrow {
    uint32_t item;
    int32_t first, last;
} hrow;

static int cmp_hrow(const void *a, const void *b)
{
    uint32_t x = ((const hrow *)a)->item, y = ((const hrow *)b)->item;
    return x < y ? -1 : x > y;
}

#define HROW_LESS(a, b) ((a)->item < (b)->item)

void xs__offer_rank_hist_free(xs__offer_rank_hist *h)
{
    xs__free(h->off);
    xs__free(h->item);
    xs__free(h->first);
    xs__free(h->last);
    xs__free(h->ev_off);
    xs__free(h->ev_item);
    xs__free(h->ev_day);
    memset(h, 0, sizeof *h);
}

int xs__offer_rank_hist_build(const xs_snapshot *s, int32_t before,
                              xs__offer_rank_hist *h)
{
    memset(h, 0, sizeof *h);
    size_t nc = s->cust.n, np = s->prod.n;
    h->n_users = nc;
    h->n_items = np;
    int rc = XS_ENOMEM;
    size_t cap = s->ord.n_lines ? s->ord.n_lines : 1; /* distinct pairs <= lines */
    uint32_t *pos = xs__malloc((np ? np : 1) * sizeof *pos);
    uint32_t *stamp = xs__calloc(np ? np : 1, sizeof *stamp);
    hrow *rows = xs__malloc(cap * sizeof *rows);
    h->off = xs__malloc((nc + 1) * sizeof *h->off);
    h->ev_off = xs__malloc((nc + 1) * sizeof *h->ev_off);
    h->ev_item = xs__malloc(cap * sizeof *h->ev_item);
    h->ev_day = xs__malloc(cap * sizeof *h->ev_day);
    if (!pos || !stamp || !rows || !h->off || !h->ev_off || !h->ev_item || !h->ev_day)
        goto cleanup;
    size_t n = 0, n_ev = 0;
    h->off[0] = 0;
    h->ev_off[0] = 0;
    for (size_t c = 0; c < nc; c++) {
        size_t start = n;
        for (uint32_t o = s->cust.order_off[c]; o < s->cust.order_off[c + 1]; o++) {
            int32_t d = s->ord.date[o];
            if (d >= before) break; /* orders are sorted by date */
            for (uint32_t l = s->ord.line_off[o]; l < s->ord.line_off[o + 1]; l++) {
                uint32_t p = s->ord.product[l];
                h->ev_item[n_ev] = p;
                h->ev_day[n_ev++] = d;
                if (stamp[p] == c + 1) {
                    hrow *r = &rows[pos[p]];
                    if (d < r->first) r->first = d;
                    if (d > r->last) r->last = d;
                } else {
                    stamp[p] = (uint32_t)c + 1;
                    pos[p] = (uint32_t)n;
                    rows[n++] = (hrow){p, d, d};
                }
            }
        }
        /* a customer's distinct products: a few, so insertion sort below 17 */
        if (n - start > 16) qsort(rows + start, n - start, sizeof *rows, cmp_hrow);
        else XS__SORT_INSERTION(hrow, rows + start, n - start, HROW_LESS);
        h->off[c + 1] = (uint32_t)n;
        h->ev_off[c + 1] = (uint32_t)n_ev;
    }
    h->item = xs__malloc((n ? n : 1) * sizeof *h->item);
    h->first = xs__malloc((n ? n : 1) * sizeof *h->first);
    h->last = xs__malloc((n ? n : 1) * sizeof *h->last);
    if (!h->item || !h->first || !h->last) goto cleanup;
    for (size_t i = 0; i < n; i++) {
        h->item[i] = rows[i].item;
        h->first[i] = rows[i].first;
        h->last[i] = rows[i].last;
    }
    rc = XS_OK;
cleanup:
    xs__free(pos);
    xs__free(stamp);
    xs__free(rows);
    return rc;
}

/* ---------------------------------------------------------------------- */
/* Public API                                                              */
/* ---------------------------------------------------------------------- */

int xs__offer_rank_build_day(const xs_snapshot *s, int32_t as_of, const xs_rank_opts *o,
                             xs_rank **out, xs_error *err)
{
    *out = NULL;
    xs__mine_rank_params p;
    xs__offer_rank_params_of(o, &p);
    xs_rank *r = xs__calloc(1, sizeof *r);
    if (!r) return xs__error_set(err, XS_ENOMEM, NULL, 0, NULL, "out of memory");
    r->snap = s;
    r->as_of = as_of;
    int rc = xs__offer_rank_hist_build(s, as_of, &r->hist);
    if (rc < 0) goto fail;
    xs__mine_rank_input in = {r->hist.n_users, r->hist.n_items, r->hist.off,
                              r->hist.item,    r->hist.first,   r->hist.last,
                              as_of,           r->hist.ev_off,  r->hist.ev_item,
                              r->hist.ev_day};
    rc = xs__mine_rank_model_build(&in, &p, &r->model);
    if (rc < 0) goto fail;
    *out = r;
    return XS_OK;
fail:
    xs_rank_free(r);
    if (rc == XS_EINVAL)
        return xs__error_set(err, rc, NULL, 0, NULL,
                             "a ranking parameter is out of range (docs/evaluate.md)");
    return xs__error_set(err, rc, NULL, 0, NULL, "out of memory");
}

int xs_rank_build(const xs_snapshot *s, const xs_rank_opts *o, xs_rank **out,
                  xs_error *err)
{
    *out = NULL;
    int32_t day;
    if (!o->as_of)
        return xs__error_param(err, XS_EINVAL, NULL, "as_of", "a date is required");
    if (xs__date_param(o->as_of, "as_of", &day, err) < 0) return XS_EINVAL;
    return xs__offer_rank_build_day(s, day, o, out, err);
}

void xs_rank_free(xs_rank *r)
{
    if (!r) return;
    xs__mine_rank_model_free(r->model);
    if (!r->mapped) xs__offer_rank_hist_free(&r->hist);
    xs__free(r);
}

int xs_rank_scratch_new(const xs_rank *r, xs_rank_scratch **out)
{
    xs_rank_scratch *q = xs__calloc(1, sizeof *q);
    if (!q) return XS_ENOMEM;
    q->q = xs__mine_rank_scratch_new(r->model);
    if (!q->q) {
        xs__free(q);
        return XS_ENOMEM;
    }
    *out = q;
    return XS_OK;
}

void xs_rank_scratch_free(xs_rank_scratch *q)
{
    if (!q) return;
    xs__mine_rank_scratch_free(q->q);
    xs__free(q->hits);
    xs__free(q);
}

int xs_rank_customer(const xs_rank *r, xs_rank_scratch *q, uint32_t c,
                     const uint32_t *cart, size_t n_cart, xs_rank_hit *out, size_t cap)
{
    if (c != XS_RANK_NONE && c >= r->hist.n_users) return XS_EINVAL;
    for (size_t i = 0; i < n_cart; i++)
        if (cart[i] >= r->hist.n_items) return XS_EINVAL;
    if (cap > (size_t)INT32_MAX) cap = INT32_MAX;
    /* xs_rank_hit and xs__mine_rank_hit have the same layout by construction */
    _Static_assert(sizeof(xs_rank_hit) == sizeof(xs__mine_rank_hit),
                   "hit layouts differ");
    size_t n = xs__mine_rank_score(r->model, q->q, c == XS_RANK_NONE ? XS__RANK_NONE : c,
                                   cart, n_cart, (xs__mine_rank_hit *)out, cap);
    return (int)n;
}

int xs_rank_find_customer(const xs_rank *r, const char *id, uint32_t *c)
{
    uint32_t x = xs__intern_find(&r->snap->cust.ids, id, strlen(id));
    if (x == UINT32_MAX || x >= r->snap->cust.n) return XS_ENOTFOUND;
    *c = x;
    return XS_OK;
}

int xs_rank_find_product(const xs_rank *r, const char *id, uint32_t *p)
{
    uint32_t x = xs__intern_find(&r->snap->prod.ids, id, strlen(id));
    if (x == UINT32_MAX || x >= r->snap->prod.n) return XS_ENOTFOUND;
    *p = x;
    return XS_OK;
}

size_t xs_rank_n_customers(const xs_rank *r)
{
    return r->hist.n_users;
}

int xs_rank_has_history(const xs_rank *r, uint32_t c)
{
    return c < r->hist.n_users && r->hist.off[c + 1] > r->hist.off[c];
}

const char *xs_rank_customer_id(const xs_rank *r, uint32_t c)
{
    return xs__intern_str(&r->snap->cust.ids, c);
}

const char *xs_rank_product_id(const xs_rank *r, uint32_t p)
{
    return xs__intern_str(&r->snap->prod.ids, p);
}

const char *xs_rank_product_name(const xs_rank *r, uint32_t p)
{
    return xs__snapshot_text(r->snap, r->snap->prod.name[p]);
}
