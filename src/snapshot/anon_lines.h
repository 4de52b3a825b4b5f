/*
 * anon_lines.h — the anonymous order lines of one order-id shard
 * (anon_lines.c): the baskets of the store's anonymous_orders that a shard
 * build carries to the merge (src/model/part_file.c), since they belong to
 * no customer.
 */
#ifndef XS_ANON_LINES_H
#define XS_ANON_LINES_H

#include "xsell.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef struct xs__snapshot_anon_lines {
    size_t n;      /* lines, in byte order of (order_id, product_id) */
    uint64_t *off; /* per line: offset of "order_id\0product_id\0" in chars */
    char *chars;
    size_t n_chars;
    int mapped; /* off and chars point into a part file */
} xs__snapshot_anon_lines;

/* The order id and product id of line i (borrowed). */
static inline const char *xs__snapshot_anon_order(const xs__snapshot_anon_lines *a,
                                                  size_t i)
{
    return a->chars + a->off[i];
}
static inline const char *xs__snapshot_anon_product(const xs__snapshot_anon_lines *a,
                                                    size_t i)
{
    const char *o = a->chars + a->off[i];
    return o + strlen(o) + 1;
}

/*
 * Reads the lines of anonymous_orders whose order_id is in shard `shard`
 * of n_shards (xs_shard_of of the order id) into *out (zeroed first).
 * Returns XS_OK, XS_ENOMEM or the store's error.
 */
int xs__snapshot_anon_lines_load(xs_store *st, uint32_t shard, uint32_t n_shards,
                                 xs__snapshot_anon_lines *out, xs_error *err);
/* Frees what the load allocated (nothing of a mapped one). */
void xs__snapshot_anon_lines_free(xs__snapshot_anon_lines *a);

#endif
