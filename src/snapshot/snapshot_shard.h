/*
 * snapshot_shard.h — cutting a snapshot into customer shards and putting
 * the shards back together (snapshot_shard.c), for `xsell build --shard i/N`
 * and `xsell build --merge` (src/model/part_file.c, merge.c).
 *
 * The shard of a customer is xs_shard_of(customer_id, N): XXH3-64 of the
 * id's bytes, modulo N. A shard's snapshot holds its customers and every
 * row of theirs (subscriptions, orders and their lines, usage, events,
 * offers, returns), the whole catalog and the whole dictionaries of the
 * snapshot it was cut from. Merging the N shards of one snapshot gives
 * that snapshot: the same customers, rows, dense ids, dictionary codes,
 * offer-id codes and scalars; only the offsets into the text pool differ
 * (the same strings, laid out again).
 */
#ifndef XS_SNAPSHOT_SHARD_H
#define XS_SNAPSHOT_SHARD_H

#include "snapshot/snapshot.h"

/*
 * The snapshot of the customers of s in shard `shard` of n_shards (0 <=
 * shard < n_shards), with all their rows; products, dictionaries and the
 * scalars (currency, latest date) as in s. Caller frees with
 * xs_snapshot_free(). Returns XS_OK or XS_ENOMEM.
 */
int xs__snapshot_shard(const xs_snapshot *s, uint32_t shard, uint32_t n_shards,
                       xs_snapshot **out, xs_error *err);

/*
 * One snapshot of the customers of parts[0..n) (the shards of one
 * snapshot, any order; each may be mapped): customers in customer_id byte
 * order, each with its rows; the catalog and dictionaries of parts[0],
 * which every part must share (else XS_EINVAL naming names[k], the part
 * that differs: "NAME: its catalog differs from FIRST's (parts of another
 * store?)"); the latest date the latest of the parts'. A customer id in two
 * parts is XS_EINVAL too. Caller frees. Returns XS_OK, XS_EINVAL, XS_ENOMEM.
 */
int xs__snapshot_merge(const xs_snapshot *const *parts, size_t n,
                       const char *const *names, xs_snapshot **out, xs_error *err);

#endif
