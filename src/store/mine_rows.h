/*
 * mine_rows.h — what the store gives the miners (mine_rows.c): rows of
 * the order and adoption basket sources, streamed in group order to a
 * callback, and the store's as-of day. The store knows nothing of the
 * miners' types; src/snapshot/mine_input.c builds baskets and adoption
 * input from these rows.
 */
#ifndef XS_STORE_MINE_ROWS_H
#define XS_STORE_MINE_ROWS_H

#include "xsell.h"

#include <stddef.h>
#include <stdint.h>

/* One row: its group (order_id for ORDERS, customer_id for ADOPTION), its
 * item (product_id) and day (the line's date; the first day the customer
 * held the product). Strings are borrowed for the call. Return XS_OK, or a
 * negative XS_E* code to stop (it becomes the scan's error). */
typedef int (*xs__store_mine_row_fn)(void *ctx, const char *group, size_t n_group,
                                     const char *item, size_t n_item, int32_t day);
/* Streams source's rows by group, then item. Returns XS_OK, the callback's
 * code, or XS_EDB (a stored date that does not parse names its column). */
int xs__store_mine_rows(xs_store *st, xs_mine_source source, xs__store_mine_row_fn fn,
                        void *ctx, xs_error *err);
/* The store's as-of day: the latest date of any table (0 when none). */
int xs__store_mine_as_of(xs_store *st, int32_t *out, xs_error *err);
/* An adoption row and its customer's observation end (see mine_rows.c). */
typedef int (*xs__store_adoption_row_fn)(void *ctx, const char *customer,
                                         size_t n_customer, const char *product,
                                         size_t n_product, int32_t first, int32_t end);
/* Streams the adoption rows by customer, then product. Returns as
 * xs__store_mine_rows. */
int xs__store_adoption_rows(xs_store *st, int32_t as_of, xs__store_adoption_row_fn fn,
                            void *ctx, xs_error *err);

#endif
