/*
 * merge_baskets.h — the order baskets of a model from its snapshot, built
 * or merged (merge_baskets.c).
 */
#ifndef XS_MERGE_BASKETS_H
#define XS_MERGE_BASKETS_H

#include "xsell.h"

#include "snapshot/anon_lines.h"
#include "snapshot/snapshot.h"

/*
 * The baskets xs_baskets_from_store(st, XS_SOURCE_ORDERS) gives on the
 * store whose orders are those of s and whose anonymous order lines are
 * those of anon[0..n_anon): one basket per order id in byte order (an order
 * id in both tables is one basket), items interned in order of (order id,
 * product id). Returns XS_OK or XS_ENOMEM.
 */
int xs__model_baskets_of_orders(const xs_snapshot *s,
                                const xs__snapshot_anon_lines *const *anon, size_t n_anon,
                                xs_baskets **out, xs_error *err);

#endif
