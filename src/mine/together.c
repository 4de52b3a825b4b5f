/*
 * together.c — "frequently bought together": item-to-item similarity from
 * co-occurrence over baskets, top-k neighbours per item, cart queries.
 *
 * Build. Each basket gets a weight: 1, or with a half-life h and an as-of day
 * 0.5^(age / h), age = as_of - day (a basket dated after as_of weighs 1).
 * Counting is exact and per item: an inverted index lists the baskets of
 * every item; for item a we walk its baskets and add each basket's weight to
 * a dense accumulator for every other item b in it (a touched list resets
 * it). That yields w(ab) for every neighbour b of a in O(sum of squared
 * basket sizes) overall, no hashing, no cap on basket size. Baskets are
 * walked in ascending order for every item, so w(ab) and w(ba) are the same
 * double. Per pair one measure (count, Jaccard, lift, cosine; see xsell.h)
 * is computed and a bounded heap keeps a's top_k neighbours: higher score
 * first, ties by lower item name (a precomputed name rank, so queries never
 * compare strings; names order "naturally" as in baskets.h, so FIMI item
 * 9 comes before 10). Pairs whose weight is below min_count are ignored.
 *
 * Model. Per item its neighbours (id, score, co-occurrence weight) in one
 * flat CSR array, best first: an item query copies a prefix.
 *
 * Cart query. Every item in the top-k list of some cart item and not in the
 * cart gets score = sum of its similarities to the cart items whose lists
 * hold it (the cart is walked in the order given, so sums are
 * reproducible); ranked like neighbours. A per-thread scratch (dense
 * accumulators with epoch stamps, allocated once) and the caller's output
 * buffer mean no allocation per query: the cost is O(|cart| * k * cap).
 * xs_together_cart_exact() scores with every co-occurring item instead of
 * the top-k lists — the exact answer the benchmark compares against.
 */
#include "mine/together.h"
#include "base/alloc.h"
#include "base/error.h"
#include "base/progress.h"
#include "mine/baskets.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_TOP_K 20

static const char *const measure_names[] = {"count", "jaccard", "lift", "cosine"};

int xs_together_measure_parse(const char *s, xs_together_measure *out)
{
    for (size_t i = 0; i < sizeof measure_names / sizeof measure_names[0]; i++) {
        if (!strcmp(s, measure_names[i])) {
            *out = (xs_together_measure)i;
            return XS_OK;
        }
    }
    return XS_EINVAL;
}

const char *xs_together_measure_name(xs_together_measure m)
{
    return (unsigned)m < sizeof measure_names / sizeof measure_names[0] ? measure_names[m]
                                                                        : "unknown";
}

double xs__mine_together_sim(xs_together_measure m, double co, double wa, double wb,
                             double n)
{
    switch (m) {
    case XS_SIM_JACCARD:
        return co / (wa + wb - co);
    case XS_SIM_LIFT:
        return co * n / (wa * wb);
    case XS_SIM_COSINE:
        return co / sqrt(wa * wb);
    default:
        return co;
    }
}

/* ---------------------------------------------------------------------- */
/* Ranking                                                                */
/* ---------------------------------------------------------------------- */

typedef struct cand {
    uint32_t item;
    double score, co;
} cand;

/* 1 when x ranks before y: higher score, then lower name. */
static inline int better(const uint32_t *rank, uint32_t xi, double xs, uint32_t yi,
                         double ys)
{
    if (xs != ys) return xs > ys;
    return rank[xi] < rank[yi];
}

/* Min-heap on "worst first" of at most k candidates. */
static void heap_sift_down(cand *h, size_t n, size_t i, const uint32_t *rank)
{
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, w = i;
        if (l < n && better(rank, h[w].item, h[w].score, h[l].item, h[l].score)) w = l;
        if (r < n && better(rank, h[w].item, h[w].score, h[r].item, h[r].score)) w = r;
        if (w == i) return;
        cand t = h[i];
        h[i] = h[w];
        h[w] = t;
        i = w;
    }
}

static void heap_push(cand *h, size_t *n, size_t k, cand c, const uint32_t *rank)
{
    if (*n < k) {
        size_t i = (*n)++;
        h[i] = c;
        while (i > 0) {
            size_t p = (i - 1) / 2;
            /* parent must be worse than (or equal to) child */
            if (!better(rank, h[p].item, h[p].score, h[i].item, h[i].score)) break;
            cand t = h[i];
            h[i] = h[p];
            h[p] = t;
            i = p;
        }
    } else if (k > 0 && better(rank, c.item, c.score, h[0].item, h[0].score)) {
        h[0] = c;
        heap_sift_down(h, *n, 0, rank);
    }
}

/* Inserts a candidate into out[0..*n) kept best first, at most cap. */
static inline void insert_hit(xs_together_hit *out, size_t *n, size_t cap,
                              const uint32_t *rank, uint32_t item, double score,
                              double co)
{
    size_t i = *n;
    if (i == cap) {
        if (!cap || !better(rank, item, score, out[cap - 1].item, out[cap - 1].score))
            return;
        i = cap - 1;
    } else {
        (*n)++;
    }
    while (i > 0 && better(rank, item, score, out[i - 1].item, out[i - 1].score)) {
        out[i] = out[i - 1];
        i--;
    }
    out[i].item = item;
    out[i].score = score;
    out[i].count = co;
}

/* ---------------------------------------------------------------------- */
/* Build                                                                  */
/* ---------------------------------------------------------------------- */

typedef struct name_ref {
    const char *s;
    uint32_t id;
} name_ref;

static int cmp_name_ref(const void *a, const void *b)
{
    return xs__mine_item_name_cmp(((const name_ref *)a)->s, ((const name_ref *)b)->s);
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

void xs_together_free(xs_together *m)
{
    if (!m) return;
    xs__intern_free(&m->names);
    if (m->mapped) { /* the arrays are a model file's */
        xs__free(m);
        return;
    }
    xs__free(m->rank);
    xs__free(m->item_w);
    xs__free(m->off);
    xs__free(m->nbr);
    xs__free(m->score);
    xs__free(m->co);
    xs__free(m->c_off);
    xs__free(m->c_nbr);
    xs__free(m->c_w);
    xs__free(m);
}

/* Appends one neighbour to the top-k arrays. */
static int push_nbr(xs_together *m, const cand *c)
{
    if (m->n_nbr == m->cap_nbr) {
        size_t cap = m->cap_nbr;
        if (xs__grow(&m->nbr, &cap, m->n_nbr + 1, sizeof *m->nbr) < 0) return XS_ENOMEM;
        cap = m->cap_nbr;
        if (xs__grow(&m->score, &cap, m->n_nbr + 1, sizeof *m->score) < 0)
            return XS_ENOMEM;
        cap = m->cap_nbr;
        if (xs__grow(&m->co, &cap, m->n_nbr + 1, sizeof *m->co) < 0) return XS_ENOMEM;
        m->cap_nbr = cap;
    }
    m->nbr[m->n_nbr] = c->item;
    m->score[m->n_nbr] = c->score;
    m->co[m->n_nbr] = c->co;
    m->n_nbr++;
    return XS_OK;
}

static int push_count(xs_together *m, uint32_t item, double w)
{
    if (m->n_c == m->cap_c) {
        size_t cap = m->cap_c;
        if (xs__grow(&m->c_nbr, &cap, m->n_c + 1, sizeof *m->c_nbr) < 0) return XS_ENOMEM;
        cap = m->cap_c;
        if (xs__grow(&m->c_w, &cap, m->n_c + 1, sizeof *m->c_w) < 0) return XS_ENOMEM;
        m->cap_c = cap;
    }
    m->c_nbr[m->n_c] = item;
    m->c_w[m->n_c] = w;
    m->n_c++;
    return XS_OK;
}

/* The build's working arrays. */
typedef struct build_tmp {
    double *bw;      /* weight of each basket */
    size_t *inv_off; /* item i's baskets: inv[inv_off[i] .. inv_off[i + 1]) */
    uint32_t *inv;
    double *acc;       /* co-occurrence weight with the current item */
    uint32_t *stamp;   /* acc[j] is the current item's when stamp[j] == item + 1 */
    uint32_t *touched; /* the items acc holds for the current item */
    name_ref *refs;
    cand *heap; /* the best top_k neighbours */
} build_tmp;

static void build_tmp_free(build_tmp *T)
{
    xs__free(T->bw);
    xs__free(T->acc);
    xs__free(T->inv_off);
    xs__free(T->inv);
    xs__free(T->stamp);
    xs__free(T->touched);
    xs__free(T->refs);
    xs__free(T->heap);
}

static int check_opts(const xs_together_opts *opts, xs_error *err)
{
    if (!(opts->half_life >= 0) || !isfinite(opts->half_life))
        return xs__error_param(err, XS_EINVAL, NULL, "half_life",
                               "half-life must be a non-negative number of days");
    if (opts->half_life > 0 && !opts->days)
        return xs__error_param(err, XS_EINVAL, NULL, "half_life",
                               "a half-life needs a day per basket");
    if (!(opts->min_count >= 0))
        return xs__error_param(err, XS_EINVAL, NULL, "min_count",
                               "min_count must be non-negative");
    if ((unsigned)opts->measure > XS_SIM_COSINE)
        return xs__error_param(err, XS_EINVAL, NULL, "measure", "unknown measure");
    return XS_OK;
}

/* A model for b's items (their names copied, its arrays allocated) and the
 * build's working arrays. XS_OK or XS_ENOMEM (*out then partly built: the
 * caller frees it and T). */
static int build_new(const xs_baskets *b, const xs_together_opts *opts, xs_together **out,
                     build_tmp *T)
{
    size_t n_items = b->names.n, n_tx = b->n_tx;
    xs_together *m = *out = xs__calloc(1, sizeof *m);
    if (!m) return XS_ENOMEM;
    xs__intern_init(&m->names);
    m->n_items = n_items;
    m->measure = opts->measure;
    m->top_k = opts->top_k ? opts->top_k : DEFAULT_TOP_K;
    m->min_count = opts->min_count;
    for (uint32_t i = 0; i < n_items; i++) {
        const char *s = xs__intern_str(&b->names, i);
        if (xs__intern_add(&m->names, s, strlen(s)) != i) return XS_ENOMEM;
    }
    size_t n1 = n_items ? n_items : 1;
    m->rank = xs__malloc(n1 * sizeof *m->rank);
    m->item_w = xs__calloc(n1, sizeof *m->item_w);
    m->off = xs__calloc(n_items + 1, sizeof *m->off);
    T->refs = xs__malloc(n1 * sizeof *T->refs);
    T->bw = xs__malloc((n_tx ? n_tx : 1) * sizeof *T->bw);
    T->inv_off = xs__calloc(n_items + 1, sizeof *T->inv_off);
    T->inv = xs__malloc((b->n_items_total ? b->n_items_total : 1) * sizeof *T->inv);
    T->acc = xs__malloc(n1 * sizeof *T->acc);
    T->stamp = xs__calloc(n1, sizeof *T->stamp);
    T->touched = xs__malloc(n1 * sizeof *T->touched);
    T->heap = xs__malloc(m->top_k * sizeof *T->heap);
    if (!m->rank || !m->item_w || !m->off || !T->refs || !T->bw || !T->inv_off ||
        !T->inv || !T->acc || !T->stamp || !T->touched || !T->heap)
        return XS_ENOMEM;
    if (opts->keep_counts && !(m->c_off = xs__calloc(n_items + 1, sizeof *m->c_off)))
        return XS_ENOMEM;
    return XS_OK;
}

/* Name ranks for tie-breaking, the basket weights (halved every half_life
 * days of age), the item weights and the inverted index item -> baskets. */
static void index_baskets(const xs_baskets *b, const xs_together_opts *opts,
                          xs_together *m, build_tmp *T)
{
    size_t n_items = b->names.n, n_tx = b->n_tx;
    for (uint32_t i = 0; i < n_items; i++)
        T->refs[i].s = xs__intern_str(&m->names, (uint32_t)i), T->refs[i].id = i;
    if (n_items) qsort(T->refs, n_items, sizeof *T->refs, cmp_name_ref);
    for (uint32_t r = 0; r < n_items; r++)
        m->rank[T->refs[r].id] = r;
    for (size_t t = 0; t < n_tx; t++) {
        double w = 1.0;
        if (opts->half_life > 0) {
            double age = (double)opts->as_of - (double)opts->days[t];
            w = age > 0 ? pow(0.5, age / opts->half_life) : 1.0;
        }
        T->bw[t] = w;
        m->total_w += w;
        for (size_t k = b->off[t]; k < b->off[t + 1]; k++) {
            m->item_w[b->items[k]] += w;
            T->inv_off[b->items[k] + 1]++;
        }
    }
    for (size_t i = 0; i < n_items; i++)
        T->inv_off[i + 1] += T->inv_off[i];
    for (size_t t = 0; t < n_tx; t++)
        for (size_t k = b->off[t]; k < b->off[t + 1]; k++)
            T->inv[T->inv_off[b->items[k]]++] = (uint32_t)t;
    for (size_t i = n_items; i > 0; i--)
        T->inv_off[i] = T->inv_off[i - 1];
    T->inv_off[0] = 0;
}

/* Item a's neighbours: accumulate its co-occurrence weights, keep the top
 * k, append them best first (and with keep_counts every co-count). XS_OK
 * or XS_ENOMEM. */
static int item_neighbours(const xs_baskets *b, const xs_together_opts *opts,
                           xs_together *m, build_tmp *T, uint32_t a)
{
    int rc;
    size_t n_t = 0;
    uint32_t *stamp = T->stamp, *touched = T->touched;
    double *acc = T->acc;
    cand *heap = T->heap;
    for (size_t p = T->inv_off[a]; p < T->inv_off[a + 1]; p++) {
        size_t t = T->inv[p];
        double w = T->bw[t];
        for (size_t k = b->off[t]; k < b->off[t + 1]; k++) {
            uint32_t j = b->items[k];
            if (j == a) continue;
            if (stamp[j] != a + 1) {
                stamp[j] = a + 1;
                acc[j] = 0.0;
                touched[n_t++] = j;
            }
            acc[j] += w;
        }
    }
    if (opts->keep_counts) qsort(touched, n_t, sizeof *touched, cmp_u32);
    size_t n_heap = 0;
    for (size_t q = 0; q < n_t; q++) {
        uint32_t j = touched[q];
        double co = acc[j];
        if (opts->keep_counts && (rc = push_count(m, j, co)) < 0) return rc;
        if (co < opts->min_count) continue;
        cand c = {
            j,
            xs__mine_together_sim(m->measure, co, m->item_w[a], m->item_w[j], m->total_w),
            co};
        heap_push(heap, &n_heap, m->top_k, c, m->rank);
    }
    /* pop worst first into the tail: best first in the model */
    size_t base = m->n_nbr;
    for (size_t q = 0; q < n_heap; q++)
        if ((rc = push_nbr(m, &heap[0])) < 0) return rc;
    for (size_t q = n_heap; q > 0; q--) {
        size_t last = q - 1;
        cand worst = heap[0];
        heap[0] = heap[last];
        heap_sift_down(heap, last, 0, m->rank);
        m->nbr[base + last] = worst.item;
        m->score[base + last] = worst.score;
        m->co[base + last] = worst.co;
    }
    m->off[a + 1] = m->n_nbr;
    if (opts->keep_counts) m->c_off[a + 1] = m->n_c;
    return XS_OK;
}

int xs_together_build(const xs_baskets *b, const xs_together_opts *opts,
                      xs_together **out, xs_error *err)
{
    int rc;
    xs_together *m = NULL;
    build_tmp T = {0};
    xs__progress prog;
    memset(&prog, 0, sizeof prog);
    *out = NULL;
    if ((rc = check_opts(opts, err)) < 0) return rc;
    if ((rc = build_new(b, opts, &m, &T)) < 0) goto fail;
    index_baskets(b, opts, m, &T);
    xs__progress_start(&prog, "together", b->names.n);
    for (uint32_t a = 0; a < b->names.n; a++) {
        xs__progress_update(&prog, a);
        if ((rc = item_neighbours(b, opts, m, &T, a)) < 0) goto fail;
    }
    *out = m;
    m = NULL;
    rc = XS_OK;
    goto cleanup;
fail:
    xs__error_set(err, rc, NULL, 0, NULL, "out of memory");
cleanup:
    xs__progress_finish(&prog);
    xs_together_free(m);
    build_tmp_free(&T);
    return rc;
}

/* ---------------------------------------------------------------------- */
/* Queries                                                                */
/* ---------------------------------------------------------------------- */

size_t xs_together_n_items(const xs_together *m)
{
    return m->n_items;
}

const char *xs_together_item_name(const xs_together *m, uint32_t item)
{
    return item < m->n_items ? xs__intern_str(&m->names, item) : NULL;
}

int xs_together_find(const xs_together *m, const char *name, uint32_t *item)
{
    uint32_t id = xs__intern_find(&m->names, name, strlen(name));
    if (id == XS_INTERN_NONE) return XS_ENOTFOUND;
    *item = id;
    return XS_OK;
}

int xs_together_item(const xs_together *m, uint32_t item, xs_together_hit *out,
                     size_t cap)
{
    if (item >= m->n_items) return XS_EINVAL;
    size_t lo = m->off[item], n = m->off[item + 1] - lo;
    if (n > cap) n = cap;
    for (size_t i = 0; i < n; i++) {
        out[i].item = m->nbr[lo + i];
        out[i].score = m->score[lo + i];
        out[i].count = m->co[lo + i];
    }
    return (int)n;
}

struct xs_together_query {
    size_t n_items;
    double *acc, *acc_co;
    uint32_t *stamp;   /* acc valid when == epoch */
    uint32_t *in_cart; /* item in the cart when == epoch */
    uint32_t *touched;
    uint32_t epoch;
};

int xs_together_query_new(const xs_together *m, xs_together_query **out)
{
    size_t n = m->n_items ? m->n_items : 1;
    xs_together_query *q = xs__calloc(1, sizeof *q);
    if (!q) return XS_ENOMEM;
    q->n_items = m->n_items;
    q->acc = xs__malloc(n * sizeof *q->acc);
    q->acc_co = xs__malloc(n * sizeof *q->acc_co);
    q->stamp = xs__calloc(n, sizeof *q->stamp);
    q->in_cart = xs__calloc(n, sizeof *q->in_cart);
    q->touched = xs__malloc(n * sizeof *q->touched);
    if (!q->acc || !q->acc_co || !q->stamp || !q->in_cart || !q->touched) {
        xs_together_query_free(q);
        return XS_ENOMEM;
    }
    *out = q;
    return XS_OK;
}

void xs_together_query_free(xs_together_query *q)
{
    if (!q) return;
    xs__free(q->acc);
    xs__free(q->acc_co);
    xs__free(q->stamp);
    xs__free(q->in_cart);
    xs__free(q->touched);
    xs__free(q);
}

/* Starts a query: new epoch (clearing the stamps when it wraps), marks the
 * cart. Returns XS_OK or XS_EINVAL for an id out of range. */
static int begin(xs_together_query *q, const xs_together *m, const uint32_t *cart,
                 size_t n_cart)
{
    if (q->n_items != m->n_items) return XS_EINVAL;
    for (size_t i = 0; i < n_cart; i++)
        if (cart[i] >= m->n_items) return XS_EINVAL;
    if (++q->epoch == 0) {
        memset(q->stamp, 0, q->n_items * sizeof *q->stamp);
        memset(q->in_cart, 0, q->n_items * sizeof *q->in_cart);
        q->epoch = 1;
    }
    for (size_t i = 0; i < n_cart; i++)
        q->in_cart[cart[i]] = q->epoch;
    return XS_OK;
}

static inline void add(xs_together_query *q, size_t *n_t, uint32_t j, double s, double co)
{
    if (q->in_cart[j] == q->epoch) return;
    if (q->stamp[j] != q->epoch) {
        q->stamp[j] = q->epoch;
        q->acc[j] = 0.0;
        q->acc_co[j] = 0.0;
        q->touched[(*n_t)++] = j;
    }
    q->acc[j] += s;
    q->acc_co[j] += co;
}

/* Whether cart[i] repeats an earlier cart item. */
static int repeated(const uint32_t *cart, size_t i)
{
    for (size_t k = 0; k < i; k++)
        if (cart[k] == cart[i]) return 1;
    return 0;
}

static int finish(const xs_together *m, xs_together_query *q, size_t n_t,
                  xs_together_hit *out, size_t cap)
{
    size_t n = 0;
    for (size_t i = 0; i < n_t; i++) {
        uint32_t j = q->touched[i];
        insert_hit(out, &n, cap, m->rank, j, q->acc[j], q->acc_co[j]);
    }
    return (int)n;
}

int xs_together_cart(const xs_together *m, xs_together_query *q, const uint32_t *cart,
                     size_t n_cart, xs_together_hit *out, size_t cap)
{
    if (begin(q, m, cart, n_cart) < 0) return XS_EINVAL;
    size_t n_t = 0;
    for (size_t i = 0; i < n_cart; i++) {
        if (repeated(cart, i)) continue;
        uint32_t c = cart[i];
        for (size_t k = m->off[c]; k < m->off[c + 1]; k++)
            add(q, &n_t, m->nbr[k], m->score[k], m->co[k]);
    }
    return finish(m, q, n_t, out, cap);
}

int xs_together_cart_exact(const xs_together *m, xs_together_query *q,
                           const uint32_t *cart, size_t n_cart, xs_together_hit *out,
                           size_t cap)
{
    if (!m->c_off) return XS_EINVAL;
    if (begin(q, m, cart, n_cart) < 0) return XS_EINVAL;
    size_t n_t = 0;
    for (size_t i = 0; i < n_cart; i++) {
        if (repeated(cart, i)) continue;
        uint32_t c = cart[i];
        for (size_t k = m->c_off[c]; k < m->c_off[c + 1]; k++) {
            uint32_t j = m->c_nbr[k];
            double co = m->c_w[k];
            if (co < m->min_count) continue;
            add(q, &n_t, j,
                xs__mine_together_sim(m->measure, co, m->item_w[c], m->item_w[j],
                                      m->total_w),
                co);
        }
    }
    return finish(m, q, n_t, out, cap);
}
