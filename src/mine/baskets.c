/*
 * baskets.c — the transactions the miners read (see baskets.h).
 *
 * A set of baskets is two flat arrays: `items` holds every basket's item ids
 * back to back and `off` says where each basket starts, so that a million
 * baskets cost two allocations and scanning them is a linear walk. Items are
 * added to the open basket in any order; closing it sorts them and drops
 * duplicates, so every source (FIMI file, basket CSV, the store) yields the
 * same canonical form: ascending, unique ids per basket, empty baskets kept
 * (they count in N, the denominator of every support).
 */
#include "mine/baskets.h"

#include "base/alloc.h"
#include "base/sort.h"

#include <stdlib.h>
#include <string.h>

void xs__mine_baskets_init(struct xs_baskets *b)
{
    memset(b, 0, sizeof *b);
    xs__intern_init(&b->names);
}

void xs__mine_baskets_clear(struct xs_baskets *b)
{
    if (!b) return;
    if (!b->mapped) {
        xs__free(b->off);
        xs__free(b->items);
    }
    xs__intern_free(&b->names);
    memset(b, 0, sizeof *b);
}

/* Makes sure off[] has room for basket n_tx + 1's start. */
static int open_basket(struct xs_baskets *b)
{
    if (b->open) return XS_OK;
    if (xs__grow(&b->off, &b->cap_off, b->n_tx + 2, sizeof *b->off) < 0) return XS_ENOMEM;
    b->off[b->n_tx] = b->n_items_total;
    b->open = 1;
    return XS_OK;
}

int xs__mine_baskets_add_id(struct xs_baskets *b, uint32_t id)
{
    if (b->mapped) return XS_EINVAL; /* a model file's baskets are read-only */
    if (!b->open && open_basket(b) < 0) return XS_ENOMEM;
    if (b->n_items_total == b->cap_items &&
        xs__grow(&b->items, &b->cap_items, b->n_items_total + 1, sizeof *b->items) < 0)
        return XS_ENOMEM;
    b->items[b->n_items_total++] = id;
    return XS_OK;
}

int xs__mine_baskets_add(struct xs_baskets *b, const char *name, size_t len)
{
    if (b->mapped) return XS_EINVAL;
    uint32_t id = xs__intern_add(&b->names, name, len);
    if (id == XS_INTERN_NONE) return XS_ENOMEM;
    return xs__mine_baskets_add_id(b, id);
}

/* Sorts v[0..n) ascending and removes repeats; returns the new length. */
size_t xs__mine_sort_unique_u32(uint32_t *v, size_t n)
{
    if (n < 2) return n;
    xs__sort_u32(v, n);
    size_t k = 1;
    for (size_t i = 1; i < n; i++)
        if (v[i] != v[k - 1]) v[k++] = v[i];
    return k;
}

int xs__mine_baskets_end(struct xs_baskets *b)
{
    if (b->mapped) return XS_EINVAL;
    if (!b->open && open_basket(b) < 0) return XS_ENOMEM;
    size_t start = b->off[b->n_tx];
    size_t n = xs__mine_sort_unique_u32(b->items + start, b->n_items_total - start);
    b->n_items_total = start + n;
    b->n_tx++;
    b->off[b->n_tx] = b->n_items_total;
    b->open = 0;
    return XS_OK;
}

/* ---------------------------------------------------------------------- */
/* Public side                                                            */
/* ---------------------------------------------------------------------- */

xs_baskets *xs_baskets_new(void)
{
    xs_baskets *b = xs__malloc(sizeof *b);
    if (!b) return NULL;
    xs__mine_baskets_init(b);
    return b;
}

void xs_baskets_free(xs_baskets *b)
{
    if (!b) return;
    xs__mine_baskets_clear(b);
    xs__free(b);
}

int xs_baskets_add(xs_baskets *b, const char *name)
{
    return xs__mine_baskets_add(b, name, strlen(name));
}

int xs_baskets_end(xs_baskets *b)
{
    return xs__mine_baskets_end(b);
}

size_t xs_baskets_n_tx(const xs_baskets *b)
{
    return b->n_tx;
}

size_t xs_baskets_n_items(const xs_baskets *b)
{
    return b->names.n;
}

const char *xs_baskets_item_name(const xs_baskets *b, uint32_t id)
{
    return id < b->names.n ? xs__intern_str(&b->names, id) : NULL;
}

int xs_baskets_find_item(const xs_baskets *b, const char *name, uint32_t *id)
{
    uint32_t k = xs__intern_find(&b->names, name, strlen(name));
    if (k == XS_INTERN_NONE) return XS_ENOTFOUND;
    *id = k;
    return XS_OK;
}

/* Orders names "naturally": two names made only of digits compare as numbers
 * (so FIMI items 9 < 10), anything else bytewise; ties (e.g. "007" vs "7")
 * fall back to bytes so the order is total. */
int xs__mine_item_name_cmp(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    int da = la > 0, db = lb > 0;
    for (size_t i = 0; da && i < la; i++)
        if (a[i] < '0' || a[i] > '9') da = 0;
    for (size_t i = 0; db && i < lb; i++)
        if (b[i] < '0' || b[i] > '9') db = 0;
    if (da && db) {
        const char *pa = a, *pb = b;
        while (*pa == '0' && pa[1]) pa++;
        while (*pb == '0' && pb[1]) pb++;
        size_t na = strlen(pa), nb = strlen(pb);
        if (na != nb) return na < nb ? -1 : 1;
        int c = strcmp(pa, pb);
        if (c) return c < 0 ? -1 : 1;
    }
    int c = strcmp(a, b);
    return (c > 0) - (c < 0);
}
