/*
 * intern.c — open-addressing string → dense id table over a block pool that
 * never moves (see intern.h), and its save / map to a model file.
 */
#include "base/intern.h"
#include "base/alloc.h"
#include "base/error.h"
#include "base/hash.h"
#include "base/mfile.h"

#include <stdio.h>
#include <string.h>

#define BLOCK ((uint64_t)1 << XS__INTERN_BLOCK_BITS)
#define FIRST_BLOCK 1024 /* the first blocks are small: most tables are */

void xs__intern_init(xs__intern *t)
{
    memset(t, 0, sizeof *t);
}

void xs__intern_free(xs__intern *t)
{
    if (!t->mapped) {
        for (size_t i = 0; i < t->n_blocks; i++)
            if (t->own[i]) xs__free(t->blocks[i]);
        xs__free(t->off);
        xs__free(t->lens);
        xs__free(t->slots);
    }
    xs__free(t->blocks);
    xs__free(t->own);
    memset(t, 0, sizeof *t);
}

#define SLOT(h, id) ((uint64_t)(h) << 32 | ((uint64_t)(id) + 1))
#define SLOT_ID(v) ((uint32_t)(v) - 1)
#define SLOT_HASH(v) ((uint32_t)((v) >> 32))

static int rehash(xs__intern *t, size_t n_slots)
{
    uint64_t *slots = xs__calloc(n_slots, sizeof *slots);
    if (!slots) return -1;
    size_t mask = n_slots - 1;
    for (size_t i = 0; i < t->n_slots; i++) {
        if (!t->slots[i]) continue;
        size_t j = SLOT_HASH(t->slots[i]) & mask;
        while (slots[j]) j = (j + 1) & mask;
        slots[j] = t->slots[i];
    }
    xs__free(t->slots);
    t->slots = slots;
    t->n_slots = n_slots;
    return 0;
}

/* Whether slot value v holds (s, len) of hash h. */
static int slot_is(const xs__intern *t, uint64_t v, uint32_t h, const char *s, size_t len)
{
    uint32_t id = SLOT_ID(v);
    return SLOT_HASH(v) == h && t->lens[id] == len &&
           memcmp(xs__intern_str(t, id), s, len) == 0;
}

uint32_t xs__intern_find(const xs__intern *t, const char *s, size_t len)
{
    if (!t->n_slots) return XS_INTERN_NONE;
    uint32_t h = (uint32_t)xs__hash_bytes(s, len, 0);
    size_t mask = t->n_slots - 1;
    for (size_t j = h & mask; t->slots[j]; j = (j + 1) & mask)
        if (slot_is(t, t->slots[j], h, s, len)) return SLOT_ID(t->slots[j]);
    return XS_INTERN_NONE;
}

/*
 * Room for `need` bytes that do not straddle two allocations: the current
 * block when it has them, else new blocks at the next block index (one
 * allocation covering several block indices for a string longer than a
 * block). Returns the offset, or UINT64_MAX when out of memory.
 */
static uint64_t reserve(xs__intern *t, uint64_t need)
{
    if (t->block_end - t->pool_end >= need) {
        uint64_t o = t->pool_end;
        t->pool_end += need;
        return o;
    }
    size_t i = t->n_blocks;
    size_t k = need > BLOCK ? (size_t)((need + BLOCK - 1) / BLOCK) : 1;
    uint64_t cap = i < 6 ? (uint64_t)FIRST_BLOCK << i : BLOCK; /* 1K .. 32K, then 64K */
    if (cap < need) cap = need > BLOCK ? need : BLOCK;
    size_t cb = t->cap_blocks, co = t->cap_blocks;
    if (xs__grow(&t->blocks, &cb, i + k, sizeof *t->blocks) < 0) return UINT64_MAX;
    if (xs__grow(&t->own, &co, i + k, sizeof *t->own) < 0) {
        t->cap_blocks = cb < co ? cb : co;
        return UINT64_MAX;
    }
    t->cap_blocks = cb < co ? cb : co;
    char *b = xs__malloc((size_t)cap);
    if (!b) return UINT64_MAX;
    for (size_t j = 0; j < k; j++) {
        t->blocks[i + j] = b + j * BLOCK;
        t->own[i + j] = j == 0;
    }
    t->n_blocks = i + k;
    t->pool_end = (uint64_t)i * BLOCK + need;
    t->block_end = (uint64_t)i * BLOCK + cap;
    return (uint64_t)i * BLOCK;
}

uint32_t xs__intern_add(xs__intern *t, const char *s, size_t len)
{
    if (t->mapped || len >= UINT32_MAX) return XS_INTERN_NONE;
    if ((t->n + 1) * 4 > t->n_slots * 3) { /* keep load under 3/4 */
        if (rehash(t, t->n_slots ? t->n_slots * 2 : 64) < 0) return XS_INTERN_NONE;
    }
    uint32_t h = (uint32_t)xs__hash_bytes(s, len, 0);
    size_t mask = t->n_slots - 1, j = h & mask;
    for (; t->slots[j]; j = (j + 1) & mask)
        if (slot_is(t, t->slots[j], h, s, len)) return SLOT_ID(t->slots[j]);
    if (t->n >= UINT32_MAX - 1) return XS_INTERN_NONE;
    if (t->n == t->cap_ids) {
        size_t cap = t->cap_ids;
        if (xs__grow(&t->off, &cap, t->n + 1, sizeof *t->off) < 0) return XS_INTERN_NONE;
        size_t cap2 = t->cap_ids;
        if (xs__grow(&t->lens, &cap2, t->n + 1, sizeof *t->lens) < 0) {
            /* off grew but lens did not: keep capacities consistent */
            return XS_INTERN_NONE;
        }
        t->cap_ids = cap < cap2 ? cap : cap2;
    }
    /* blocks never move, so s may point into this pool */
    uint64_t o = reserve(t, (uint64_t)len + 1);
    if (o == UINT64_MAX) return XS_INTERN_NONE;
    char *copy = t->blocks[o >> XS__INTERN_BLOCK_BITS] + (o & (BLOCK - 1));
    memcpy(copy, s, len);
    copy[len] = '\0';
    uint32_t id = (uint32_t)t->n++;
    t->off[id] = o;
    t->lens[id] = (uint32_t)len;
    t->slots[j] = SLOT(h, id);
    return id;
}

size_t xs__intern_bytes(const xs__intern *t)
{
    return (size_t)t->pool_end + t->cap_ids * (sizeof *t->off + sizeof *t->lens) +
           t->n_slots * sizeof *t->slots + t->cap_blocks * (sizeof *t->blocks + 1);
}

/* ---- model file --------------------------------------------------------- */

static int section_name(char *dst, const char *prefix, const char *suffix, xs_error *err)
{
    int k = snprintf(dst, XS__MFILE_NAME_MAX, "%s.%s", prefix, suffix);
    if (k < 0 || k >= XS__MFILE_NAME_MAX)
        return xs__error_set(err, XS_EINVAL, NULL, 0, NULL, "section prefix too long: %s",
                             prefix);
    return XS_OK;
}

int xs__intern_save(const xs__intern *t, xs__mfile_writer *w, const char *prefix,
                    xs_error *err)
{
    /* the pool is written compact: strings one after another, offsets anew */
    uint64_t bytes = 0;
    for (size_t i = 0; i < t->n; i++) bytes += (uint64_t)t->lens[i] + 1;
    char *pool = xs__malloc(bytes ? (size_t)bytes : 1);
    uint64_t *off = xs__malloc(t->n ? t->n * sizeof *off : 1);
    int rc = XS_ENOMEM;
    if (!pool || !off) {
        xs__error_set(err, XS_ENOMEM, NULL, 0, NULL, "out of memory");
        goto cleanup;
    }
    uint64_t o = 0;
    for (size_t i = 0; i < t->n; i++) {
        off[i] = o;
        memcpy(pool + o, xs__intern_str(t, (uint32_t)i), (size_t)t->lens[i] + 1);
        o += (uint64_t)t->lens[i] + 1;
    }
    char name[XS__MFILE_NAME_MAX];
    if ((rc = section_name(name, prefix, "pool", err)) < 0 ||
        (rc = xs__mfile_put(w, name, pool, (size_t)bytes, err)) < 0 ||
        (rc = section_name(name, prefix, "off", err)) < 0 ||
        (rc = xs__mfile_put(w, name, off, t->n * sizeof *off, err)) < 0 ||
        (rc = section_name(name, prefix, "len", err)) < 0 ||
        (rc = xs__mfile_put(w, name, t->lens, t->n * sizeof *t->lens, err)) < 0 ||
        (rc = section_name(name, prefix, "slot", err)) < 0 ||
        (rc = xs__mfile_put(w, name, t->slots, t->n_slots * sizeof *t->slots, err)) < 0)
        goto cleanup;
    rc = XS_OK;
cleanup:
    xs__free(pool);
    xs__free(off);
    return rc;
}

int xs__intern_map(xs__intern *t, const xs__mfile *f, const char *prefix, xs_error *err)
{
    char name[XS__MFILE_NAME_MAX];
    const void *pool, *off, *lens, *slots;
    size_t n_pool, n, n_slots;
    int rc;
    if ((rc = section_name(name, prefix, "pool", err)) < 0 ||
        (rc = xs__mfile_need(f, name, 1, SIZE_MAX, &pool, err)) < 0)
        return rc;
    xs__mfile_get(f, name, 1, &n_pool);
    if ((rc = section_name(name, prefix, "len", err)) < 0 ||
        (rc = xs__mfile_need(f, name, sizeof(uint32_t), SIZE_MAX, &lens, err)) < 0)
        return rc;
    xs__mfile_get(f, name, sizeof(uint32_t), &n);
    if ((rc = section_name(name, prefix, "off", err)) < 0 ||
        (rc = xs__mfile_need(f, name, sizeof(uint64_t), n, &off, err)) < 0)
        return rc;
    if ((rc = section_name(name, prefix, "slot", err)) < 0 ||
        (rc = xs__mfile_need(f, name, sizeof(uint64_t), SIZE_MAX, &slots, err)) < 0)
        return rc;
    xs__mfile_get(f, name, sizeof(uint64_t), &n_slots);
    /* the shape the lookup relies on: a power-of-two table with an empty
     * slot (so probing ends), and a pool that ends with a NUL */
    if ((n_slots & (n_slots - 1)) || (n && n_slots <= n) || (n_slots && n_slots * 3 < n * 4) ||
        (n && (n_pool < n || ((const char *)pool)[n_pool - 1] != '\0')) || n >= UINT32_MAX)
        return xs__error_set(err, XS_EPARSE, xs__mfile_path(f), 0, NULL,
                             "section %s.*: inconsistent sizes (the file is corrupted)", prefix);
    size_t n_blocks = (size_t)((n_pool + BLOCK - 1) / BLOCK);
    xs__intern_init(t);
    t->blocks = xs__calloc(n_blocks ? n_blocks : 1, sizeof *t->blocks);
    if (!t->blocks) return xs__error_set(err, XS_ENOMEM, NULL, 0, NULL, "out of memory");
    for (size_t i = 0; i < n_blocks; i++) t->blocks[i] = (char *)pool + i * BLOCK;
    t->n_blocks = t->cap_blocks = n_blocks;
    t->pool_end = t->block_end = n_pool;
    t->off = (uint64_t *)off;
    t->lens = (uint32_t *)lens;
    t->n = t->cap_ids = n;
    t->slots = (uint64_t *)slots;
    t->n_slots = n_slots;
    t->mapped = 1;
    return XS_OK;
}
