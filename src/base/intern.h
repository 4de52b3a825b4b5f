/*
 * intern.h — string interning: maps byte strings to dense ids 0..n-1.
 *
 * The snapshot turns every string id (customer_id, product_id, ...) into a
 * dense uint32 so that columns are arrays of 4-byte integers. Lookups are
 * open addressing with stored hashes (one cache miss per hit in the common
 * case).
 *
 * Strings live in a pool addressed by 64-bit offsets (id -> offset, length),
 * never by per-string pointers, so a table saved in a model file
 * (xs__intern_save) is used straight from the mapping (xs__intern_map)
 * without any per-string work. While a table is built, the pool is a list of
 * blocks that never move: offset o is at blocks[o >> XS__INTERN_BLOCK_BITS] +
 * (o & mask), and a string never straddles two separately allocated blocks.
 * So a pointer from xs__intern_str stays valid across later adds, until
 * xs__intern_free. A mapped pool is one contiguous run, cut into the same
 * blocks. A mapped table is read-only: xs__intern_add returns
 * XS_INTERN_NONE on it.
 */
#ifndef XS_INTERN_H
#define XS_INTERN_H

#include "xsell.h"

#include <stddef.h>
#include <stdint.h>

#define XS_INTERN_NONE UINT32_MAX
#define XS__INTERN_BLOCK_BITS 16

typedef struct xs__mfile_writer xs__mfile_writer;
typedef struct xs__mfile xs__mfile;

typedef struct xs__intern {
    char **blocks;       /* block i: the pool bytes [i << BITS, (i + 1) << BITS) */
    unsigned char *own;  /* own[i]: blocks[i] is an allocation to free */
    size_t n_blocks, cap_blocks;
    uint64_t pool_end;   /* next free offset */
    uint64_t block_end;  /* end of the current block's capacity (offset) */
    uint64_t *off;       /* id -> offset of its NUL-terminated string */
    uint32_t *lens;      /* id -> length */
    size_t n, cap_ids;
    uint64_t *slots;     /* open addressing: the low 32 bits of the string's
                            hash << 32 | id + 1; 0 = empty (one load a probe) */
    size_t n_slots;      /* power of two */
    int mapped;          /* arrays point into a model file: read-only */
} xs__intern;

void xs__intern_init(xs__intern *t);
/* Frees what the table allocated (never the arrays of a mapped table). */
void xs__intern_free(xs__intern *t);
/* Id of (s, len), adding it when new; XS_INTERN_NONE when out of memory
 * or the table is mapped. s may point into t's own pool. */
uint32_t xs__intern_add(xs__intern *t, const char *s, size_t len);
/* Id of (s, len) or XS_INTERN_NONE when absent. */
uint32_t xs__intern_find(const xs__intern *t, const char *s, size_t len);
/* String of an id (borrowed, valid until xs__intern_free; adds do not move it). */
static inline const char *xs__intern_str(const xs__intern *t, uint32_t id)
{
    uint64_t o = t->off[id];
    return t->blocks[o >> XS__INTERN_BLOCK_BITS] +
           (o & (((uint64_t)1 << XS__INTERN_BLOCK_BITS) - 1));
}
/* Bytes used by the table (strings, ids and slots). */
size_t xs__intern_bytes(const xs__intern *t);

/*
 * Writes the table as sections PREFIX.pool (strings, NUL-terminated, one
 * after another), PREFIX.off (uint64 per id), PREFIX.len (uint32 per id),
 * PREFIX.slot and PREFIX.hash (uint32 per slot). prefix: at most 25 bytes.
 * Returns XS_OK, XS_ENOMEM, XS_EIO or XS_EINVAL.
 */
int xs__intern_save(const xs__intern *t, xs__mfile_writer *w, const char *prefix,
                    xs_error *err);

/*
 * Points an initialised, empty table t at the sections PREFIX.* of f
 * (the mapping must outlive t). Checks sizes only, O(pool / block) work.
 * Returns XS_OK, XS_EPARSE (a section missing or of the wrong size) or
 * XS_ENOMEM.
 */
int xs__intern_map(xs__intern *t, const xs__mfile *f, const char *prefix, xs_error *err);

#endif
