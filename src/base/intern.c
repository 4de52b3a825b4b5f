/*
 * intern.c — open-addressing string → dense id table (see intern.h).
 */
#include "base/intern.h"
#include "base/alloc.h"
#include "base/hash.h"

#include <string.h>

void xs__intern_init(xs__intern *t)
{
    memset(t, 0, sizeof *t);
    xs__arena_init(&t->strings, 256 * 1024);
}

void xs__intern_free(xs__intern *t)
{
    xs__arena_free(&t->strings);
    xs__free(t->by_id);
    xs__free(t->lens);
    xs__free(t->slots);
    xs__free(t->slot_hash);
    memset(t, 0, sizeof *t);
}

static int rehash(xs__intern *t, size_t n_slots)
{
    uint32_t *slots = xs__calloc(n_slots, sizeof *slots);
    uint32_t *hashes = xs__calloc(n_slots, sizeof *hashes);
    if (!slots || !hashes) {
        xs__free(slots);
        xs__free(hashes);
        return -1;
    }
    size_t mask = n_slots - 1;
    for (size_t i = 0; i < t->n_slots; i++) {
        if (!t->slots[i]) continue;
        size_t j = t->slot_hash[i] & mask;
        while (slots[j]) j = (j + 1) & mask;
        slots[j] = t->slots[i];
        hashes[j] = t->slot_hash[i];
    }
    xs__free(t->slots);
    xs__free(t->slot_hash);
    t->slots = slots;
    t->slot_hash = hashes;
    t->n_slots = n_slots;
    return 0;
}

uint32_t xs__intern_find(const xs__intern *t, const char *s, size_t len)
{
    if (!t->n_slots) return XS_INTERN_NONE;
    uint32_t h = (uint32_t)xs__hash_bytes(s, len, 0);
    size_t mask = t->n_slots - 1;
    for (size_t j = h & mask; t->slots[j]; j = (j + 1) & mask) {
        uint32_t id = t->slots[j] - 1;
        if (t->slot_hash[j] == h && t->lens[id] == len &&
            memcmp(t->by_id[id], s, len) == 0)
            return id;
    }
    return XS_INTERN_NONE;
}

uint32_t xs__intern_add(xs__intern *t, const char *s, size_t len)
{
    if ((t->n + 1) * 4 > t->n_slots * 3) { /* keep load under 3/4 */
        if (rehash(t, t->n_slots ? t->n_slots * 2 : 64) < 0) return XS_INTERN_NONE;
    }
    uint32_t h = (uint32_t)xs__hash_bytes(s, len, 0);
    size_t mask = t->n_slots - 1, j = h & mask;
    for (; t->slots[j]; j = (j + 1) & mask) {
        uint32_t id = t->slots[j] - 1;
        if (t->slot_hash[j] == h && t->lens[id] == len &&
            memcmp(t->by_id[id], s, len) == 0)
            return id;
    }
    if (t->n >= UINT32_MAX - 1) return XS_INTERN_NONE;
    if (t->n == t->cap_ids) {
        size_t cap = t->cap_ids;
        if (xs__grow(&t->by_id, &cap, t->n + 1, sizeof *t->by_id) < 0)
            return XS_INTERN_NONE;
        size_t cap2 = t->cap_ids;
        if (xs__grow(&t->lens, &cap2, t->n + 1, sizeof *t->lens) < 0) {
            /* by_id grew but lens did not: keep capacities consistent */
            return XS_INTERN_NONE;
        }
        t->cap_ids = cap < cap2 ? cap : cap2;
    }
    char *copy = xs__arena_strndup(&t->strings, s, len);
    if (!copy) return XS_INTERN_NONE;
    uint32_t id = (uint32_t)t->n++;
    t->by_id[id] = copy;
    t->lens[id] = (uint32_t)len;
    t->slots[j] = id + 1;
    t->slot_hash[j] = h;
    return id;
}

size_t xs__intern_bytes(const xs__intern *t)
{
    return t->strings.alloc_total + t->cap_ids * (sizeof *t->by_id + sizeof *t->lens) +
           t->n_slots * 2 * sizeof(uint32_t);
}
