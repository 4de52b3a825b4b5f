/*
 * intern.h — string interning: maps byte strings to dense ids 0..n-1.
 *
 * The snapshot turns every string id (customer_id, product_id, ...) into a
 * dense uint32 so that columns are arrays of 4-byte integers. Strings are
 * copied into an arena owned by the table; lookups are open addressing with
 * stored hashes (one cache miss per hit in the common case).
 */
#ifndef XS_INTERN_H
#define XS_INTERN_H

#include "base/arena.h"

#include <stddef.h>
#include <stdint.h>

#define XS_INTERN_NONE UINT32_MAX

typedef struct xs__intern {
    xs__arena strings;  /* copies of the strings */
    const char **by_id; /* id -> NUL-terminated string */
    uint32_t *lens;     /* id -> length */
    size_t n, cap_ids;
    uint32_t *slots; /* open addressing: id+1, 0 = empty */
    uint32_t *slot_hash; /* low 32 bits of the hash per slot */
    size_t n_slots;      /* power of two */
} xs__intern;

void xs__intern_init(xs__intern *t);
void xs__intern_free(xs__intern *t);
/* Id of (s, len), adding it when new; XS_INTERN_NONE when out of memory. */
uint32_t xs__intern_add(xs__intern *t, const char *s, size_t len);
/* Id of (s, len) or XS_INTERN_NONE when absent. */
uint32_t xs__intern_find(const xs__intern *t, const char *s, size_t len);
/* String of an id (borrowed, valid until xs__intern_free). */
static inline const char *xs__intern_str(const xs__intern *t, uint32_t id)
{
    return t->by_id[id];
}
/* Bytes used by the table (strings, ids and slots). */
size_t xs__intern_bytes(const xs__intern *t);

#endif
