/*
 * arena.h — bump allocator: many small allocations, freed in one call.
 *
 * Results (mining output, snapshots, per-request data) live in an arena so
 * that ownership is one object and freeing is O(blocks).
 */
#ifndef XS_ARENA_H
#define XS_ARENA_H

#include <stddef.h>

typedef struct xs__arena_block xs__arena_block;

typedef struct xs__arena {
    xs__arena_block *head; /* newest block first */
    size_t block_size;     /* default size of new blocks */
    size_t used_total;     /* bytes handed out (for statistics) */
    size_t alloc_total;    /* bytes reserved from the heap */
} xs__arena;

/* Initialises an empty arena; block_size 0 picks 64 KiB. */
void xs__arena_init(xs__arena *a, size_t block_size);
/* Frees every block; the arena is empty and reusable afterwards. */
void xs__arena_free(xs__arena *a);
/* n bytes aligned to 16, valid until xs__arena_free; NULL when out of memory. */
void *xs__arena_alloc(xs__arena *a, size_t n);
/* Copies len bytes of s plus a NUL into the arena. */
char *xs__arena_strndup(xs__arena *a, const char *s, size_t len);

#endif
