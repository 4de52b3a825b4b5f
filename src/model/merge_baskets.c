/*
 * merge_baskets.c — the order baskets of a model from its snapshot: every
 * order of the snapshot (one store's, or the one merged from parts) and
 * the anonymous order lines (the store's, or every part's), read in
 * byte order of (order_id, product_id) as the store gives them to a
 * single build (xs_baskets_from_store, XS_SOURCE_ORDERS), so that item ids
 * are interned in the same order and the baskets are the same.
 */
#include "model/merge_baskets.h"

#include "base/alloc.h"
#include "base/error.h"
#include "mine/baskets.h"

#include <stdlib.h>
#include <string.h>

/* One source of a basket: a customer order (src == CUST, a the order) or
 * the anonymous lines [a, b) of part src with one order id. */
#define CUST UINT32_MAX
typedef struct bsrc {
    const char *id;
    uint32_t src;
    uint32_t a, b;
} bsrc;

static int cmp_bsrc(const void *pa, const void *pb)
{
    const bsrc *x = pa, *y = pb;
    int c = strcmp(x->id, y->id);
    if (c) return c;
    if (x->src != y->src) return x->src < y->src ? -1 : 1;
    return (x->a > y->a) - (x->a < y->a);
}

static int cmp_str(const void *pa, const void *pb)
{
    return strcmp(*(const char *const *)pa, *(const char *const *)pb);
}

/* Adds the product ids of source x to v (growing it). */
static int collect(const xs_snapshot *s, const xs__snapshot_anon_lines *const *anon,
                   const bsrc *x, const char ***v, size_t *n, size_t *cap)
{
    if (x->src == CUST) {
        for (uint32_t l = s->ord.line_off[x->a]; l < s->ord.line_off[x->a + 1]; l++) {
            if (xs__grow(v, cap, *n + 1, sizeof **v) < 0) return XS_ENOMEM;
            (*v)[(*n)++] = xs__intern_str(&s->prod.ids, s->ord.product[l]);
        }
    } else {
        for (uint32_t l = x->a; l < x->b; l++) {
            if (xs__grow(v, cap, *n + 1, sizeof **v) < 0) return XS_ENOMEM;
            (*v)[(*n)++] = xs__snapshot_anon_product(anon[x->src], l);
        }
    }
    return XS_OK;
}

/* Contract in merge_baskets.h. */
int xs__model_baskets_of_orders(const xs_snapshot *s,
                                const xs__snapshot_anon_lines *const *anon, size_t n_anon,
                                xs_baskets **out, xs_error *err)
{
    *out = NULL;
    size_t n = s->ord.n, cap_v = 0, nv = 0;
    for (size_t p = 0; p < n_anon; p++)
        for (size_t l = 0; l < anon[p]->n; l++)
            if (!l || strcmp(xs__snapshot_anon_order(anon[p], l),
                             xs__snapshot_anon_order(anon[p], l - 1)))
                n++;
    bsrc *x = xs__malloc((n ? n : 1) * sizeof *x);
    const char **v = NULL;
    xs_baskets *b = xs_baskets_new();
    int rc = XS_ENOMEM;
    if (!x || !b) goto done;
    size_t k = 0;
    for (uint32_t o = 0; o < s->ord.n; o++)
        x[k++] = (bsrc){xs__snapshot_order_id(s, o), CUST, o, 0};
    for (size_t p = 0; p < n_anon; p++)
        for (size_t l = 0; l < anon[p]->n;) {
            size_t e = l + 1;
            while (e < anon[p]->n && !strcmp(xs__snapshot_anon_order(anon[p], e),
                                             xs__snapshot_anon_order(anon[p], l)))
                e++;
            x[k++] = (bsrc){xs__snapshot_anon_order(anon[p], l), (uint32_t)p, (uint32_t)l,
                            (uint32_t)e};
            l = e;
        }
    /* a store's order ids often run in its customers' order already */
    size_t k_sorted = 1;
    while (k_sorted < n && cmp_bsrc(&x[k_sorted - 1], &x[k_sorted]) <= 0)
        k_sorted++;
    if (k_sorted < n) qsort(x, n, sizeof *x, cmp_bsrc);
    for (size_t i = 0; i < n;) {
        size_t j = i + 1;
        while (j < n && !strcmp(x[j].id, x[i].id))
            j++;
        nv = 0;
        for (size_t t = i; t < j; t++)
            if (collect(s, anon, &x[t], &v, &nv, &cap_v) < 0) goto done;
        /* one source is already in product order; several are sorted */
        if (j - i > 1) qsort(v, nv, sizeof *v, cmp_str);
        for (size_t t = 0; t < nv; t++)
            if (xs__mine_baskets_add(b, v[t], strlen(v[t])) < 0) goto done;
        if (xs__mine_baskets_end(b) < 0) goto done;
        i = j;
    }
    *out = b;
    b = NULL;
    rc = XS_OK;
done:
    xs__free(x);
    xs__free(v);
    xs_baskets_free(b);
    if (rc < 0) return xs__error_set(err, rc, NULL, 0, NULL, "out of memory");
    return XS_OK;
}
