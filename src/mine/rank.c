/*
 * rank.c — the personal product ranking model on integers (see rank.h).
 *
 * Build: the histories are copied and inverted (item -> its buyers with
 * the day each first bought it). Each item's row of co-occurrence weights
 * is accumulated in one dense array by walking its buyers' item lists —
 * sum over users of |I(v)|^2 additions in all — turned into similarities
 * and cut to the best `neighbours` with a bounded heap. Rows are stored
 * one after another (CSR); two threads compute two blocks of rows.
 *
 * Scoring: the user's items (decayed by the age of their last purchase)
 * and the cart's items spread their neighbours' similarities into a dense
 * accumulator of the scratch; only the touched entries are reset, so a
 * call costs the neighbours walked plus, when the trend term is on, one
 * pass over the items. The best k go through a bounded heap.
 */
#include "mine/rank.h"
#include "mine/rank_model.h"

#include "base/alloc.h"
#include "xsell.h"

#include <math.h>
#include <pthread.h>
#include <string.h>

struct xs__mine_rank_scratch {
    size_t n_items;
    double *acc;   /* s(u, j) */
    double *best;  /* largest single contribution to j */
    uint32_t *arg; /* the item giving it */
    uint8_t *mark; /* 1: touched, 2: excluded (held or in the cart) */
    uint32_t *touched;
    size_t n_touched;
};

/* ---------------------------------------------------------------------- */
/* Bounded heap of the best candidates ("worst" on top)                    */
/* ---------------------------------------------------------------------- */

typedef struct cand {
    uint32_t item;
    double v;
} cand;

/* a is worse than b: lower value, or equal value and higher item number */
static int worse(double va, uint32_t ia, double vb, uint32_t ib)
{
    return va < vb || (va == vb && ia > ib);
}

static void cand_sift(cand *h, size_t n, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, w = i;
        if (l < n && worse(h[l].v, h[l].item, h[w].v, h[w].item)) w = l;
        if (r < n && worse(h[r].v, h[r].item, h[w].v, h[w].item)) w = r;
        if (w == i) return;
        cand t = h[i];
        h[i] = h[w];
        h[w] = t;
        i = w;
    }
}

static void cand_push(cand *h, size_t *n, size_t k, cand c)
{
    if (*n < k) {
        size_t i = (*n)++;
        h[i] = c;
        while (i > 0) {
            size_t up = (i - 1) / 2;
            if (!worse(h[i].v, h[i].item, h[up].v, h[up].item)) break;
            cand t = h[i];
            h[i] = h[up];
            h[up] = t;
            i = up;
        }
    } else if (k > 0 && worse(h[0].v, h[0].item, c.v, c.item)) {
        h[0] = c;
        cand_sift(h, *n, 0);
    }
}

/* Same heap on hits (by score). */
static void hit_sift(xs__mine_rank_hit *h, size_t n, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, w = i;
        if (l < n && worse(h[l].score, h[l].item, h[w].score, h[w].item)) w = l;
        if (r < n && worse(h[r].score, h[r].item, h[w].score, h[w].item)) w = r;
        if (w == i) return;
        xs__mine_rank_hit t = h[i];
        h[i] = h[w];
        h[w] = t;
        i = w;
    }
}

static void hit_push(xs__mine_rank_hit *h, size_t *n, size_t k,
                     const xs__mine_rank_hit *c)
{
    if (*n < k) {
        size_t i = (*n)++;
        h[i] = *c;
        while (i > 0) {
            size_t up = (i - 1) / 2;
            if (!worse(h[i].score, h[i].item, h[up].score, h[up].item)) break;
            xs__mine_rank_hit t = h[i];
            h[i] = h[up];
            h[up] = t;
            i = up;
        }
    } else if (k > 0 && worse(h[0].score, h[0].item, c->score, c->item)) {
        h[0] = *c;
        hit_sift(h, *n, 0);
    }
}

/* ---------------------------------------------------------------------- */
/* Build                                                                   */
/* ---------------------------------------------------------------------- */

static int params_ok(const xs__mine_rank_params *p)
{
    return p->alpha >= 0 && p->alpha <= 2 && p->beta >= 0 && p->beta <= 2 &&
           p->shrink >= 0 && p->user_pow >= 0 && p->seq_back >= 0 && p->seq_back <= 1 &&
           p->half_life >= 0 && p->co_half_life >= 0 && isfinite(p->co_half_life) &&
           p->knn_weight >= 0 && p->trend_weight >= 0 && p->trend_days >= 0 &&
           p->trend_pow >= 0 && isfinite(p->trend_pow) && p->trend_lag >= 0 &&
           isfinite(p->shrink) && isfinite(p->user_pow) && isfinite(p->half_life) &&
           isfinite(p->knn_weight) && isfinite(p->trend_weight);
}

static int copy_input(xs__mine_rank_model *m, const xs__mine_rank_input *in)
{
    size_t n_rows = in->n_users ? in->off[in->n_users] : 0;
    m->u_off = xs__malloc((in->n_users + 1) * sizeof *m->u_off);
    m->u_item = xs__malloc((n_rows ? n_rows : 1) * sizeof *m->u_item);
    m->u_first = xs__malloc((n_rows ? n_rows : 1) * sizeof *m->u_first);
    m->u_last = xs__malloc((n_rows ? n_rows : 1) * sizeof *m->u_last);
    m->i_off = xs__calloc(in->n_items + 1, sizeof *m->i_off);
    m->i_user = xs__malloc((n_rows ? n_rows : 1) * sizeof *m->i_user);
    m->i_first = xs__malloc((n_rows ? n_rows : 1) * sizeof *m->i_first);
    m->trend = xs__calloc(in->n_items ? in->n_items : 1, sizeof *m->trend);
    m->mult = xs__malloc((in->n_items ? in->n_items : 1) * sizeof *m->mult);
    if (!m->mult || !m->u_off || !m->u_item || !m->u_first || !m->u_last || !m->i_off ||
        !m->i_user || !m->i_first || !m->trend)
        return XS_ENOMEM;
    m->u_off[0] = 0;
    for (size_t u = 0; u < in->n_users; u++) {
        if (in->off[u + 1] < in->off[u]) return XS_EINVAL;
        m->u_off[u + 1] = in->off[u + 1];
        for (uint32_t r = in->off[u]; r < in->off[u + 1]; r++) {
            uint32_t it = in->item[r];
            if (it >= in->n_items || (r > in->off[u] && it <= in->item[r - 1]))
                return XS_EINVAL;
            m->u_item[r] = it;
            m->u_first[r] = in->first[r];
            m->u_last[r] = in->last[r];
            m->i_off[it + 1]++;
        }
    }
    if (n_rows && in->off[0] != 0) return XS_EINVAL;
    for (size_t i = 0; i < in->n_items; i++)
        m->i_off[i + 1] += m->i_off[i];
    /* users in ascending order land in ascending order within each item */
    uint32_t *fill = xs__malloc((in->n_items ? in->n_items : 1) * sizeof *fill);
    if (!fill) return XS_ENOMEM;
    memcpy(fill, m->i_off, in->n_items * sizeof *fill);
    for (size_t u = 0; u < in->n_users; u++)
        for (uint32_t r = m->u_off[u]; r < m->u_off[u + 1]; r++) {
            uint32_t at = fill[m->u_item[r]]++;
            m->i_user[at] = (uint32_t)u;
            m->i_first[at] = m->u_first[r];
        }
    xs__free(fill);
    return XS_OK;
}

static int compute_trend(xs__mine_rank_model *m, const xs__mine_rank_input *in)
{
    double mx = 0;
    int32_t to = m->as_of - m->p.trend_lag;
    int32_t from = m->p.trend_days > 0 ? to - m->p.trend_days : INT32_MIN;
    if (in->ev_off && (m->p.trend_lag > 0 || m->p.trend_days > 0)) {
        uint32_t *stamp = xs__calloc(m->n_items ? m->n_items : 1, sizeof *stamp);
        if (!stamp) return XS_ENOMEM;
        for (size_t u = 0; u < m->n_users; u++)
            for (uint32_t e = in->ev_off[u]; e < in->ev_off[u + 1]; e++) {
                uint32_t j = in->ev_item[e];
                if (j >= m->n_items || in->ev_day[e] < from || in->ev_day[e] >= to ||
                    stamp[j] == u + 1)
                    continue;
                stamp[j] = (uint32_t)u + 1;
                m->trend[j] += 1;
            }
        xs__free(stamp);
    } else {
        for (size_t u = 0; u < m->n_users; u++)
            for (uint32_t r = m->u_off[u]; r < m->u_off[u + 1]; r++)
                if (m->u_last[r] >= from && m->u_first[r] < to)
                    m->trend[m->u_item[r]] += 1;
    }
    for (size_t i = 0; i < m->n_items; i++)
        if (m->trend[i] > mx) mx = m->trend[i];
    for (size_t i = 0; i < m->n_items; i++)
        m->mult[i] =
            m->p.trend_pow > 0 ? pow((m->trend[i] + 1) / (mx + 1), m->p.trend_pow) : 1;
    if (mx > 0)
        for (size_t i = 0; i < m->n_items; i++)
            m->trend[i] /= mx;
    return XS_OK;
}

/* One thread's share of the neighbour rows: items [lo, hi). */
typedef struct nb_job {
    const xs__mine_rank_model *m;
    const double *pa, *pb, *uw, *rw;
    uint32_t lo, hi;
    size_t *len; /* per item of the share */
    uint32_t *item;
    double *sim;
    size_t n, cap;
    int rc;
} nb_job;

static void *nb_rows(void *arg)
{
    nb_job *jb = arg;
    const xs__mine_rank_model *m = jb->m;
    size_t ni = m->n_items;
    size_t k = m->p.neighbours ? m->p.neighbours : ni;
    double *acc = xs__calloc(ni ? ni : 1, sizeof *acc);
    uint8_t *seen = xs__calloc(ni ? ni : 1, 1);
    uint32_t *touched = xs__malloc((ni ? ni : 1) * sizeof *touched);
    cand *heap = xs__malloc((k ? k : 1) * sizeof *heap);
    jb->rc = XS_ENOMEM;
    if (!acc || !seen || !touched || !heap) goto cleanup;
    for (uint32_t i = jb->lo; i < jb->hi; i++) {
        size_t n_t = 0;
        for (uint32_t b = m->i_off[i]; b < m->i_off[i + 1]; b++) {
            uint32_t v = m->i_user[b];
            int32_t fi = m->i_first[b];
            double w = jb->uw[v];
            for (uint32_t r = m->u_off[v]; r < m->u_off[v + 1]; r++) {
                uint32_t j = m->u_item[r];
                if (j == i) continue;
                if (!seen[j]) {
                    seen[j] = 1;
                    touched[n_t++] = j;
                }
                acc[j] += (m->u_first[r] >= fi ? w : w * m->p.seq_back) * jb->rw[r];
            }
        }
        size_t n_h = 0;
        for (size_t t = 0; t < n_t; t++) {
            uint32_t j = touched[t];
            double sim = acc[j] / (jb->pa[i] * jb->pb[j] + m->p.shrink);
            acc[j] = 0;
            seen[j] = 0;
            if (sim > 0) cand_push(heap, &n_h, k, (cand){j, sim});
        }
        if (jb->n + n_h > jb->cap) {
            /* item and sim share one capacity */
            size_t cap = jb->cap;
            if (xs__grow(&jb->item, &cap, jb->n + n_h, sizeof *jb->item) < 0)
                goto cleanup;
            double *ns = xs__realloc(jb->sim, cap * sizeof *ns);
            if (!ns) goto cleanup;
            jb->sim = ns;
            jb->cap = cap;
        }
        for (size_t h = 0; h < n_h; h++) {
            jb->item[jb->n + h] = heap[h].item;
            jb->sim[jb->n + h] = heap[h].v;
        }
        jb->n += n_h;
        jb->len[i - jb->lo] = n_h;
    }
    jb->rc = XS_OK;
cleanup:
    xs__free(acc);
    xs__free(seen);
    xs__free(touched);
    xs__free(heap);
    return NULL;
}

#define NB_THREADS 2

/* Computes every item's neighbour row, on NB_THREADS threads that each
 * take a contiguous block of items of about equal work (sum over the
 * item's buyers of their item counts); the blocks are then concatenated,
 * so the result does not depend on the number of threads. */
static int build_neighbours(xs__mine_rank_model *m)
{
    size_t ni = m->n_items, n_rows = m->n_users ? m->u_off[m->n_users] : 0;
    int rc = XS_ENOMEM;
    nb_job jobs[NB_THREADS];
    memset(jobs, 0, sizeof jobs);
    double *pa = xs__malloc((ni ? ni : 1) * sizeof *pa);
    double *pb = xs__malloc((ni ? ni : 1) * sizeof *pb);
    double *uw = xs__malloc((m->n_users ? m->n_users : 1) * sizeof *uw);
    double *rw = xs__malloc((n_rows ? n_rows : 1) * sizeof *rw);
    size_t *len = xs__calloc(ni ? ni : 1, sizeof *len);
    m->nb_off = xs__malloc((ni + 1) * sizeof *m->nb_off);
    if (!pa || !pb || !uw || !rw || !len || !m->nb_off) goto cleanup;
    for (size_t i = 0; i < ni; i++) {
        double n = (double)(m->i_off[i + 1] - m->i_off[i]);
        pa[i] = pow(n, m->p.alpha);
        pb[i] = pow(n, m->p.beta);
    }
    for (size_t u = 0; u < m->n_users; u++) {
        double n = (double)(m->u_off[u + 1] - m->u_off[u]);
        uw[u] = m->p.user_pow == 0 || n == 0 ? 1.0 : pow(n, -m->p.user_pow);
    }
    for (size_t r = 0; r < n_rows; r++)
        rw[r] = m->p.co_half_life > 0
                    ? exp2(-(double)(m->as_of - m->u_last[r]) / m->p.co_half_life)
                    : 1.0;
    /* split by work */
    double total = 0, done = 0;
    for (size_t b = 0; b < n_rows; b++)
        total += (double)(m->u_off[m->i_user[b] + 1] - m->u_off[m->i_user[b]]);
    uint32_t cut = (uint32_t)ni;
    for (size_t i = 0; i < ni && cut == ni; i++) {
        for (uint32_t b = m->i_off[i]; b < m->i_off[i + 1]; b++)
            done += (double)(m->u_off[m->i_user[b] + 1] - m->u_off[m->i_user[b]]);
        if (done >= total / 2) cut = (uint32_t)i + 1;
    }
    uint32_t bounds[NB_THREADS + 1] = {0, cut, (uint32_t)ni};
    pthread_t th[NB_THREADS];
    int started[NB_THREADS] = {0};
    for (int t = 0; t < NB_THREADS; t++) {
        jobs[t] = (nb_job){.m = m,
                           .pa = pa,
                           .pb = pb,
                           .uw = uw,
                           .rw = rw,
                           .lo = bounds[t],
                           .hi = bounds[t + 1],
                           .len = len + bounds[t]};
        if (t > 0 && pthread_create(&th[t], NULL, nb_rows, &jobs[t]) == 0) started[t] = 1;
    }
    nb_rows(&jobs[0]);
    for (int t = 1; t < NB_THREADS; t++) {
        if (started[t])
            pthread_join(th[t], NULL);
        else
            nb_rows(&jobs[t]); /* no thread: do it here */
    }
    for (int t = 0; t < NB_THREADS; t++)
        if (jobs[t].rc < 0) goto cleanup;
    size_t n = 0;
    for (int t = 0; t < NB_THREADS; t++)
        n += jobs[t].n;
    m->nb_item = xs__malloc((n ? n : 1) * sizeof *m->nb_item);
    m->nb_sim = xs__malloc((n ? n : 1) * sizeof *m->nb_sim);
    if (!m->nb_item || !m->nb_sim) goto cleanup;
    m->nb_off[0] = 0;
    for (size_t i = 0; i < ni; i++)
        m->nb_off[i + 1] = m->nb_off[i] + len[i];
    size_t at = 0;
    for (int t = 0; t < NB_THREADS; t++) {
        if (jobs[t].n) {
            memcpy(m->nb_item + at, jobs[t].item, jobs[t].n * sizeof *m->nb_item);
            memcpy(m->nb_sim + at, jobs[t].sim, jobs[t].n * sizeof *m->nb_sim);
        }
        at += jobs[t].n;
    }
    m->n_nb = m->cap_nb = n;
    rc = XS_OK;
cleanup:
    for (int t = 0; t < NB_THREADS; t++) {
        xs__free(jobs[t].item);
        xs__free(jobs[t].sim);
    }
    xs__free(pa);
    xs__free(pb);
    xs__free(uw);
    xs__free(rw);
    xs__free(len);
    return rc;
}

int xs__mine_rank_model_build(const xs__mine_rank_input *in,
                              const xs__mine_rank_params *p, xs__mine_rank_model **out)
{
    *out = NULL;
    if (!params_ok(p) || in->n_items >= XS__RANK_NONE || in->n_users >= XS__RANK_NONE)
        return XS_EINVAL;
    xs__mine_rank_model *m = xs__calloc(1, sizeof *m);
    if (!m) return XS_ENOMEM;
    m->n_users = in->n_users;
    m->n_items = in->n_items;
    m->as_of = in->as_of;
    m->p = *p;
    int rc = copy_input(m, in);
    if (rc < 0) goto fail;
    if ((rc = compute_trend(m, in)) < 0) goto fail;
    if (p->knn_weight > 0) {
        if ((rc = build_neighbours(m)) < 0) goto fail;
    } else {
        m->nb_off = xs__calloc(in->n_items + 1, sizeof *m->nb_off);
        if (!m->nb_off) {
            rc = XS_ENOMEM;
            goto fail;
        }
    }
    *out = m;
    return XS_OK;
fail:
    xs__mine_rank_model_free(m);
    return rc;
}

void xs__mine_rank_model_free(xs__mine_rank_model *m)
{
    if (!m) return;
    if (m->mapped) { /* the arrays are a model file's (rank_io.c) */
        xs__free(m);
        return;
    }
    xs__free(m->u_off);
    xs__free(m->u_item);
    xs__free(m->u_first);
    xs__free(m->u_last);
    xs__free(m->i_off);
    xs__free(m->i_user);
    xs__free(m->i_first);
    xs__free(m->nb_off);
    xs__free(m->nb_item);
    xs__free(m->nb_sim);
    xs__free(m->trend);
    xs__free(m->mult);
    xs__free(m);
}

size_t xs__mine_rank_model_n_items(const xs__mine_rank_model *m)
{
    return m->n_items;
}

size_t xs__mine_rank_model_n_neighbours(const xs__mine_rank_model *m)
{
    return m->n_nb;
}

size_t xs__mine_rank_buyers(const xs__mine_rank_model *m, uint32_t i)
{
    return i < m->n_items ? m->i_off[i + 1] - m->i_off[i] : 0;
}

size_t xs__mine_rank_co_buyers(const xs__mine_rank_model *m, uint32_t i, uint32_t j)
{
    if (i >= m->n_items || j >= m->n_items) return 0;
    uint32_t a = m->i_off[i], ae = m->i_off[i + 1], b = m->i_off[j], be = m->i_off[j + 1];
    size_t n = 0;
    while (a < ae && b < be) {
        if (m->i_user[a] < m->i_user[b])
            a++;
        else if (m->i_user[a] > m->i_user[b])
            b++;
        else {
            n++;
            a++;
            b++;
        }
    }
    return n;
}

double xs__mine_rank_sim(const xs__mine_rank_model *m, uint32_t i, uint32_t j)
{
    if (i >= m->n_items) return 0;
    for (size_t t = m->nb_off[i]; t < m->nb_off[i + 1]; t++)
        if (m->nb_item[t] == j) return m->nb_sim[t];
    return 0;
}

/* ---------------------------------------------------------------------- */
/* Scoring                                                                 */
/* ---------------------------------------------------------------------- */

xs__mine_rank_scratch *xs__mine_rank_scratch_new(const xs__mine_rank_model *m)
{
    xs__mine_rank_scratch *q = xs__calloc(1, sizeof *q);
    if (!q) return NULL;
    size_t n = m->n_items ? m->n_items : 1;
    q->n_items = m->n_items;
    q->acc = xs__calloc(n, sizeof *q->acc);
    q->best = xs__calloc(n, sizeof *q->best);
    q->arg = xs__malloc(n * sizeof *q->arg);
    q->mark = xs__calloc(n, 1);
    q->touched = xs__malloc(n * sizeof *q->touched);
    if (!q->acc || !q->best || !q->arg || !q->mark || !q->touched) {
        xs__mine_rank_scratch_free(q);
        return NULL;
    }
    return q;
}

void xs__mine_rank_scratch_free(xs__mine_rank_scratch *q)
{
    if (!q) return;
    xs__free(q->acc);
    xs__free(q->best);
    xs__free(q->arg);
    xs__free(q->mark);
    xs__free(q->touched);
    xs__free(q);
}

static void touch(xs__mine_rank_scratch *q, uint32_t j)
{
    if (!q->mark[j]) {
        q->mark[j] = 1;
        q->acc[j] = 0;
        q->best[j] = 0;
        q->arg[j] = XS__RANK_NONE;
        q->touched[q->n_touched++] = j;
    }
}

/* Spreads item i's neighbours with weight w. */
static void spread(const xs__mine_rank_model *m, xs__mine_rank_scratch *q, uint32_t i,
                   double w)
{
    for (size_t t = m->nb_off[i]; t < m->nb_off[i + 1]; t++) {
        uint32_t j = m->nb_item[t];
        double c = w * m->nb_sim[t];
        touch(q, j);
        q->acc[j] += c;
        if (c > q->best[j] ||
            (c == q->best[j] && q->arg[j] != XS__RANK_NONE && i < q->arg[j])) {
            q->best[j] = c;
            q->arg[j] = i;
        }
    }
}

/* The first half of a query: spreads the history of user u and the cart
 * into q, marks their items excluded (2) and scales by the items'
 * multipliers. @return the scale of the neighbour scores (knn_weight over
 * the largest) */
static double accumulate(const xs__mine_rank_model *m, xs__mine_rank_scratch *q,
                         uint32_t u, const uint32_t *cart, size_t n_cart)
{
    q->n_touched = 0;
    const xs__mine_rank_params *p = &m->p;
    uint32_t r0 = 0, r1 = 0;
    if (u != XS__RANK_NONE && u < m->n_users) {
        r0 = m->u_off[u];
        r1 = m->u_off[u + 1];
    }
    if (p->knn_weight > 0) {
        for (uint32_t r = r0; r < r1; r++) {
            double w = 1;
            if (p->half_life > 0)
                w = exp2(-(double)(m->as_of - m->u_last[r]) / p->half_life);
            spread(m, q, m->u_item[r], w);
        }
        for (size_t c = 0; c < n_cart; c++)
            if (cart[c] < m->n_items) spread(m, q, cart[c], 1.0);
    }
    /* exclusions: mark 2 (touch first so the reset below covers them) */
    for (uint32_t r = r0; r < r1; r++) {
        touch(q, m->u_item[r]);
        q->mark[m->u_item[r]] = 2;
    }
    for (size_t c = 0; c < n_cart; c++)
        if (cart[c] < m->n_items) {
            touch(q, cart[c]);
            q->mark[cart[c]] = 2;
        }
    double mx = 0;
    for (size_t t = 0; t < q->n_touched; t++) {
        uint32_t j = q->touched[t];
        if (q->mark[j] != 1) continue;
        q->acc[j] *= m->mult[j];
        q->best[j] *= m->mult[j];
        if (q->acc[j] > mx) mx = q->acc[j];
    }
    return mx > 0 ? p->knn_weight / mx : 0;
}

/* Resets what accumulate() touched. */
static void reset(xs__mine_rank_scratch *q)
{
    for (size_t t = 0; t < q->n_touched; t++)
        q->mark[q->touched[t]] = 0;
    q->n_touched = 0;
}

void xs__mine_rank_score_dense(const xs__mine_rank_model *m, xs__mine_rank_scratch *q,
                               uint32_t u, const uint32_t *cart, size_t n_cart,
                               double *score)
{
    const xs__mine_rank_params *p = &m->p;
    double ks = accumulate(m, q, u, cart, n_cart);
    for (uint32_t j = 0; j < m->n_items; j++)
        score[j] = 0;
    if (p->trend_weight > 0) {
        for (uint32_t j = 0; j < m->n_items; j++) {
            double a = 0;
            if (q->mark[j] == 2) continue;
            if (q->mark[j] == 1) a = q->acc[j];
            double s = ks * a + p->trend_weight * m->trend[j];
            if (s > 0) score[j] = s;
        }
    } else {
        for (size_t t = 0; t < q->n_touched; t++) {
            uint32_t j = q->touched[t];
            if (q->mark[j] != 1 || q->acc[j] <= 0) continue;
            score[j] = ks * q->acc[j];
        }
    }
    reset(q);
}

void xs__mine_rank_score_items(const xs__mine_rank_model *m, xs__mine_rank_scratch *q,
                               uint32_t u, const uint32_t *cart, size_t n_cart,
                               const uint32_t *item, size_t n, double *score)
{
    const xs__mine_rank_params *p = &m->p;
    double ks = accumulate(m, q, u, cart, n_cart);
    for (size_t i = 0; i < n; i++) {
        uint32_t j = item[i];
        score[i] = 0;
        if (j >= m->n_items) continue;
        if (p->trend_weight > 0) { /* the same sums as xs__mine_rank_score_dense */
            double a = 0;
            if (q->mark[j] == 2) continue;
            if (q->mark[j] == 1) a = q->acc[j];
            double s = ks * a + p->trend_weight * m->trend[j];
            if (s > 0) score[i] = s;
        } else if (q->mark[j] == 1 && q->acc[j] > 0) {
            score[i] = ks * q->acc[j];
        }
    }
    reset(q);
}

size_t xs__mine_rank_score(const xs__mine_rank_model *m, xs__mine_rank_scratch *q,
                           uint32_t u, const uint32_t *cart, size_t n_cart,
                           xs__mine_rank_hit *out, size_t k)
{
    if (k == 0) return 0;
    const xs__mine_rank_params *p = &m->p;
    double ks = accumulate(m, q, u, cart, n_cart);
    size_t n = 0;
    xs__mine_rank_hit h;
    if (p->trend_weight > 0) {
        for (uint32_t j = 0; j < m->n_items; j++) {
            double a = 0;
            if (q->mark[j] == 2) continue;
            if (q->mark[j] == 1) a = q->acc[j];
            double s = ks * a + p->trend_weight * m->trend[j];
            if (s <= 0) continue;
            h.item = j;
            h.score = s;
            h.evidence = a > 0 ? q->arg[j] : XS__RANK_NONE;
            h.evidence_share = a > 0 ? q->best[j] / a : 0;
            hit_push(out, &n, k, &h);
        }
    } else {
        for (size_t t = 0; t < q->n_touched; t++) {
            uint32_t j = q->touched[t];
            if (q->mark[j] != 1 || q->acc[j] <= 0) continue;
            h.item = j;
            h.score = ks * q->acc[j];
            h.evidence = q->arg[j];
            h.evidence_share = q->best[j] / q->acc[j];
            hit_push(out, &n, k, &h);
        }
    }
    reset(q);
    /* heap -> best first: pop the worst to the end */
    for (size_t e = n; e > 1; e--) {
        xs__mine_rank_hit t = out[0];
        out[0] = out[e - 1];
        out[e - 1] = t;
        hit_sift(out, e - 1, 0);
    }
    return n;
}
