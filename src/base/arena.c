/*
 * arena.c — bump allocator over a list of heap blocks (see arena.h).
 */
#include "base/arena.h"
#include "base/alloc.h"

#include <string.h>

struct xs__arena_block {
    xs__arena_block *next;
    size_t cap, used;
    _Alignas(16) unsigned char data[];
};

void xs__arena_init(xs__arena *a, size_t block_size)
{
    memset(a, 0, sizeof *a);
    a->block_size = block_size ? block_size : 64 * 1024;
}

void xs__arena_free(xs__arena *a)
{
    xs__arena_block *b = a->head;
    while (b) {
        xs__arena_block *next = b->next;
        xs__free(b);
        b = next;
    }
    a->head = NULL;
    a->used_total = a->alloc_total = 0;
}

void *xs__arena_alloc(xs__arena *a, size_t n)
{
    n = (n + 15) & ~(size_t)15;
    xs__arena_block *b = a->head;
    if (!b || b->cap - b->used < n) {
        size_t cap = n > a->block_size / 4 ? n : a->block_size;
        xs__arena_block *nb = xs__malloc(sizeof *nb + cap);
        if (!nb) return NULL;
        nb->cap = cap;
        nb->used = 0;
        a->alloc_total += cap;
        if (b && cap == n && b->cap - b->used >= 256) {
            /* big one-off: keep the current block open for small ones */
            nb->next = b->next;
            b->next = nb;
            nb->used = n;
            a->used_total += n;
            return nb->data;
        }
        nb->next = b;
        a->head = b = nb;
    }
    void *p = b->data + b->used;
    b->used += n;
    a->used_total += n;
    return p;
}

char *xs__arena_strndup(xs__arena *a, const char *s, size_t len)
{
    char *d = xs__arena_alloc(a, len + 1);
    if (!d) return NULL;
    memcpy(d, s, len);
    d[len] = '\0';
    return d;
}
