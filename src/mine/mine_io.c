/*
 * mine_io.c — baskets, frequently-bought-together and association rules in
 * a model file (contract in mine_io.h).
 *
 * Each structure's header section is its struct with every address cleared
 * (and the item-name table emptied), behind a presence mask; the arrays
 * follow as sections listed in one table per structure, the same table for
 * saving and mapping, so a field cannot be written and forgotten on the
 * way back. Element counts on loading come from the header's scalars and
 * the arrays mapped before (an offset array's last entry), and each section
 * must hold exactly that many.
 *
 * Item names: the baskets write them as one pool of NUL-terminated strings
 * (in id order) and intern them again on loading (O(items)); the together
 * model takes the names of the baskets it is mapped with, as it does when
 * it is built.
 */
#include "mine/mine_io.h"

#include "base/alloc.h"
#include "base/error.h"
#include "base/mfile_arr.h"
#include "mine/baskets.h"
#include "mine/rules.h"
#include "mine/together.h"

#include <stddef.h>
#include <string.h>

#define NOMEM() xs__error_set(err, XS_ENOMEM, NULL, 0, NULL, "out of memory")

/* Interns the names of b into t in id order (t initialised). XS_OK,
 * XS_ENOMEM or XS_EPARSE (a name repeats). */
static int names_copy(xs__intern *t, const xs__intern *from, const char *path,
                      const char *sec, xs_error *err)
{
    for (size_t i = 0; i < from->n; i++) {
        const char *s = xs__intern_str(from, (uint32_t)i);
        uint32_t id = xs__intern_add(t, s, strlen(s));
        if (id == XS_INTERN_NONE) return NOMEM();
        if (id != i)
            return xs__error_set(err, XS_EPARSE, path, 0, NULL,
                                 "section %s: item %zu repeats an earlier name", sec, i);
    }
    return XS_OK;
}

/* ---------------------------------------------------------------------- */
/* Baskets                                                                */
/* ---------------------------------------------------------------------- */

enum { B_OFF, B_ITEMS, B_N };
static const xs__marr bask_arrays[B_N] = {
    {"off", offsetof(struct xs_baskets, off), sizeof(size_t)},
    {"items", offsetof(struct xs_baskets, items), sizeof(uint32_t)},
};

typedef struct bask_hdr {
    uint64_t present;
    uint64_t n_names, pool_bytes; /* item names: count, bytes of the pool */
    struct xs_baskets img;
} bask_hdr;

static size_t bask_count(const void *obj, int i)
{
    const struct xs_baskets *b = obj;
    if (i == B_OFF) return b->n_tx == SIZE_MAX ? SIZE_MAX : b->n_tx + 1;
    if (!b->off) return b->n_tx || b->n_items_total ? SIZE_MAX : 0;
    return b->off[b->n_tx] == b->n_items_total ? b->n_items_total : SIZE_MAX;
}

/* Contract in mine_io.h. */
int xs__mine_baskets_save(const xs_baskets *b, xs__mfile_writer *w, xs_error *err)
{
    bask_hdr h;
    char *pool = NULL;
    uint64_t *noff = NULL;
    size_t n = b->names.n, bytes = 0;
    int rc;
    if (b->open)
        return xs__error_set(err, XS_EINVAL, NULL, 0, NULL, "baskets: a basket is open");
    memset(&h, 0, sizeof h);
    for (size_t i = 0; i < n; i++)
        bytes += strlen(xs__intern_str(&b->names, (uint32_t)i)) + 1;
    pool = xs__malloc(bytes ? bytes : 1);
    noff = xs__malloc((n + 1) * sizeof *noff);
    if (!pool || !noff) {
        rc = NOMEM();
        goto cleanup;
    }
    size_t at = 0;
    for (size_t i = 0; i < n; i++) {
        const char *s = xs__intern_str(&b->names, (uint32_t)i);
        size_t len = strlen(s) + 1;
        noff[i] = at;
        memcpy(pool + at, s, len);
        at += len;
    }
    noff[n] = at;
    if ((rc = xs__marr_save_all(w, "bask", bask_arrays, B_N, b, bask_count, &h.present,
                                err)) < 0)
        goto cleanup;
    if ((rc = xs__marr_put(w, "bask", "names", pool, 1, bytes, err)) < 0) goto cleanup;
    if ((rc = xs__marr_put(w, "bask", "name_off", noff, sizeof *noff, n + 1, err)) < 0)
        goto cleanup;
    h.img = *b;
    xs__marr_clear(&h.img, bask_arrays, B_N);
    memset(&h.img.names, 0, sizeof h.img.names);
    h.img.cap_items = h.img.cap_off = 0;
    h.img.mapped = 0;
    h.n_names = n;
    h.pool_bytes = bytes;
    rc = xs__marr_put(w, "bask", "hdr", &h, sizeof h, 1, err);
cleanup:
    xs__free(pool);
    xs__free(noff);
    return rc;
}

/* Contract in mine_io.h. */
int xs__mine_baskets_map(const xs__mfile *f, xs_baskets **out, xs_error *err)
{
    const bask_hdr *h;
    const char *pool;
    const uint64_t *noff;
    *out = NULL;
    int rc = xs__marr_hdr(f, "bask", sizeof *h, "baskets", (const void **)&h, err);
    if (rc < 0) return rc;
    if (h->n_names >= UINT32_MAX || h->img.open)
        return xs__error_set(err, XS_EPARSE, xs__mfile_path(f), 0, NULL,
                             "section bask.hdr: damaged");
    if ((rc = xs__marr_need(f, "bask", "names", 1, h->pool_bytes, (const void **)&pool,
                            err)) < 0 ||
        (rc = xs__marr_need(f, "bask", "name_off", sizeof *noff, h->n_names + 1,
                            (const void **)&noff, err)) < 0)
        return rc;
    struct xs_baskets *b = xs__malloc(sizeof *b);
    if (!b) return NOMEM();
    *b = h->img;
    xs__intern_init(&b->names);
    b->mapped = 1;
    if ((rc = xs__marr_map_all(f, "bask", bask_arrays, B_N, b, bask_count, h->present,
                               err)) < 0)
        goto fail;
    if (!b->off && b->n_tx) { /* only baskets never started have none */
        rc = xs__error_set(err, XS_EPARSE, xs__mfile_path(f), 0, NULL,
                           "section bask.off: missing");
        goto fail;
    }
    for (size_t i = 0; i < h->n_names; i++) {
        uint64_t a = noff[i], e = noff[i + 1];
        if (a >= e || e > h->pool_bytes || pool[e - 1] != '\0' ||
            strlen(pool + a) != e - a - 1) {
            rc = xs__error_set(err, XS_EPARSE, xs__mfile_path(f), 0, NULL,
                               "section bask.names: name %zu is damaged", i);
            goto fail;
        }
        uint32_t id = xs__intern_add(&b->names, pool + a, (size_t)(e - a - 1));
        if (id == XS_INTERN_NONE) {
            rc = NOMEM();
            goto fail;
        }
        if (id != i) {
            rc = xs__error_set(err, XS_EPARSE, xs__mfile_path(f), 0, NULL,
                               "section bask.names: item %zu repeats an earlier name", i);
            goto fail;
        }
    }
    *out = b;
    return XS_OK;
fail:
    xs_baskets_free(b);
    return rc;
}

/* ---------------------------------------------------------------------- */
/* Frequently bought together                                             */
/* ---------------------------------------------------------------------- */

enum { T_RANK, T_ITEM_W, T_OFF, T_NBR, T_SCORE, T_CO, T_C_OFF, T_C_NBR, T_C_W, T_N };
static const xs__marr tog_arrays[T_N] = {
    {"rank", offsetof(struct xs_together, rank), sizeof(uint32_t)},
    {"item_w", offsetof(struct xs_together, item_w), sizeof(double)},
    {"off", offsetof(struct xs_together, off), sizeof(size_t)},
    {"nbr", offsetof(struct xs_together, nbr), sizeof(uint32_t)},
    {"score", offsetof(struct xs_together, score), sizeof(double)},
    {"co", offsetof(struct xs_together, co), sizeof(double)},
    {"c_off", offsetof(struct xs_together, c_off), sizeof(size_t)},
    {"c_nbr", offsetof(struct xs_together, c_nbr), sizeof(uint32_t)},
    {"c_w", offsetof(struct xs_together, c_w), sizeof(double)},
};

typedef struct tog_hdr {
    uint64_t present;
    struct xs_together img;
} tog_hdr;

static size_t tog_count(const void *obj, int i)
{
    const struct xs_together *t = obj;
    size_t ni = t->n_items;
    switch (i) {
    case T_RANK:
    case T_ITEM_W:
        return ni;
    case T_OFF:
    case T_C_OFF:
        return ni == SIZE_MAX ? SIZE_MAX : ni + 1;
    case T_NBR:
    case T_SCORE:
    case T_CO:
        return t->off && t->off[ni] == t->n_nbr ? t->n_nbr : SIZE_MAX;
    default:
        return t->c_off && t->c_off[ni] == t->n_c ? t->n_c : SIZE_MAX;
    }
}

/* Contract in mine_io.h. */
int xs__mine_together_save(const xs_together *t, xs__mfile_writer *w, xs_error *err)
{
    tog_hdr h;
    memset(&h, 0, sizeof h);
    int rc = xs__marr_save_all(w, "tog", tog_arrays, T_N, t, tog_count, &h.present, err);
    if (rc < 0) return rc;
    h.img = *t;
    xs__marr_clear(&h.img, tog_arrays, T_N);
    memset(&h.img.names, 0, sizeof h.img.names);
    h.img.cap_nbr = h.img.cap_c = 0;
    h.img.mapped = 0;
    return xs__marr_put(w, "tog", "hdr", &h, sizeof h, 1, err);
}

/* Contract in mine_io.h. */
int xs__mine_together_map(const xs__mfile *f, const xs_baskets *b, xs_together **out,
                          xs_error *err)
{
    const tog_hdr *h;
    *out = NULL;
    int rc = xs__marr_hdr(f, "tog", sizeof *h, "frequently bought together",
                          (const void **)&h, err);
    if (rc < 0) return rc;
    if (h->img.n_items != b->names.n)
        return xs__error_set(err, XS_EPARSE, xs__mfile_path(f), 0, NULL,
                             "section tog.hdr: %zu items, the baskets have %zu",
                             h->img.n_items, b->names.n);
    /* the offsets always; neighbours, ranks and weights when there are any */
    if (!(h->present >> T_OFF & 1) || (!(h->present >> T_NBR & 1) && h->img.n_nbr) ||
        (!(h->present >> T_RANK & 1) && h->img.n_nbr) ||
        (!(h->present >> T_C_NBR & 1) && h->img.n_c))
        return xs__error_set(err, XS_EPARSE, xs__mfile_path(f), 0, NULL,
                             "section tog.hdr: damaged");
    struct xs_together *t = xs__malloc(sizeof *t);
    if (!t) return NOMEM();
    *t = h->img;
    xs__intern_init(&t->names);
    t->mapped = 1;
    if ((rc = xs__marr_map_all(f, "tog", tog_arrays, T_N, t, tog_count, h->present,
                               err)) < 0 ||
        (rc = names_copy(&t->names, &b->names, xs__mfile_path(f), "tog.hdr", err)) < 0) {
        xs_together_free(t);
        return rc;
    }
    *out = t;
    return XS_OK;
}

/* ---------------------------------------------------------------------- */
/* Association rules                                                      */
/* ---------------------------------------------------------------------- */

enum { R_OFF, R_ITEMS, R_N_LHS, R_COUNTS, R_N };
static const xs__marr rules_arrays[R_N] = {
    {"off", offsetof(struct xs_rules, off), sizeof(uint64_t)},
    {"items", offsetof(struct xs_rules, items), sizeof(uint32_t)},
    {"n_lhs", offsetof(struct xs_rules, n_lhs), sizeof(uint32_t)},
    {"counts", offsetof(struct xs_rules, counts), 3 * sizeof(uint32_t)},
};

typedef struct rules_hdr {
    uint64_t present;
    struct xs_rules img;
} rules_hdr;

static size_t rules_count(const void *obj, int i)
{
    const struct xs_rules *r = obj;
    if (r->n >= SIZE_MAX / 16) return SIZE_MAX;
    switch (i) {
    case R_OFF:
        return r->n + 1;
    case R_ITEMS:
        return r->off && r->off[r->n] < SIZE_MAX ? (size_t)r->off[r->n] : SIZE_MAX;
    default:
        return r->n;
    }
}

/* Contract in mine_io.h. */
int xs__mine_rules_save(const xs_rules *r, xs__mfile_writer *w, xs_error *err)
{
    rules_hdr h;
    memset(&h, 0, sizeof h);
    int rc =
        xs__marr_save_all(w, "rules", rules_arrays, R_N, r, rules_count, &h.present, err);
    if (rc < 0) return rc;
    h.img = *r;
    xs__marr_clear(&h.img, rules_arrays, R_N);
    h.img.mapped = 0;
    return xs__marr_put(w, "rules", "hdr", &h, sizeof h, 1, err);
}

/* Contract in mine_io.h. */
int xs__mine_rules_map(const xs__mfile *f, const xs_baskets *b, xs_rules **out,
                       xs_error *err)
{
    const rules_hdr *h;
    *out = NULL;
    int rc =
        xs__marr_hdr(f, "rules", sizeof *h, "association rules", (const void **)&h, err);
    if (rc < 0) return rc;
    if (h->img.n_tx != b->n_tx)
        return xs__error_set(err, XS_EPARSE, xs__mfile_path(f), 0, NULL,
                             "section rules.hdr: mined on %llu baskets, the baskets "
                             "have %zu",
                             (unsigned long long)h->img.n_tx, b->n_tx);
    if (h->present != (1u << R_N) - 1)
        return xs__error_set(err, XS_EPARSE, xs__mfile_path(f), 0, NULL,
                             "section rules.hdr: damaged");
    struct xs_rules *r = xs__malloc(sizeof *r);
    if (!r) return NOMEM();
    *r = h->img;
    r->mapped = 1;
    if ((rc = xs__marr_map_all(f, "rules", rules_arrays, R_N, r, rules_count, h->present,
                               err)) < 0) {
        xs_rules_free(r);
        return rc;
    }
    *out = r;
    return XS_OK;
}
