/*
 * xsell/snapshot.h — the snapshot: the whole store in memory, columnar.
 *
 * Loaded in one read transaction, ids interned, every table as columns: the
 * view that mining, scoring, the offer engine and the KPIs read instead of
 * querying the store. Opaque here; the stages after the store read its
 * columns through src/snapshot/snapshot.h. A model file (xsell/model.h)
 * holds a snapshot too, mapped instead of loaded.
 *
 * Part of libxsell's public API: xsell.h includes every module's header;
 * the conventions are written in xsell/base.h.
 *
 * Example (compiled by the build: cmake/header_example.cmake):
 * @code
 *   // Prints how many customers a store holds and its MRR in minor units.
 *   int print_mrr(const char *db)
 *   {
 *       xs_store *st;
 *       xs_snapshot *snap;
 *       xs_error e;
 *       int rc = xs_store_open_readonly(&st, db, &e);
 *       if (rc < 0) return rc;
 *       rc = xs_snapshot_load(st, &snap, &e);
 *       xs_store_close(st); // the snapshot does not refer to the store
 *       if (rc < 0) return rc;
 *       printf("%zu customers, MRR %lld\n", xs_snapshot_count(snap, XS_SNAP_CUSTOMERS),
 *              (long long)xs_snapshot_mrr(snap, NULL));
 *       xs_snapshot_free(snap);
 *       return XS_OK;
 *   }
 * @endcode
 */
#ifndef XS_XSELL_SNAPSHOT_H
#define XS_XSELL_SNAPSHOT_H

#include "base.h"
#include "store.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ====================================================================== */
/* Snapshot (src/snapshot): columnar in-memory view of the store    */
/* ====================================================================== */
/* (section owned by the snapshot module) */

/** The whole store in memory, columnar, with ids interned. Opaque here; the
 * stages after the store read its columns through src/snapshot/snapshot.h. */
typedef struct xs_snapshot xs_snapshot;

/**
 * Loads every table of the store into a new snapshot, in one read
 * transaction.
 * @param st  the store (borrowed; the snapshot does not refer to it afterwards)
 * @param out set to the snapshot; caller frees with xs_snapshot_free()
 * @return XS_OK; XS_ENOMEM; XS_EDB; XS_ESCHEMA (the file is not at the schema
 *         version this build reads, or lacks a table or column); XS_EPARSE /
 *         XS_ENOTFOUND / XS_ERANGE for a row the snapshot cannot represent
 *         (a bad date, an unknown customer, the lines of one order with two
 *         customers ...), err naming the table.column, the value and the row key
 * @code
 *   xs_snapshot *snap;
 *   if (xs_snapshot_load(st, &snap, &e) < 0) ...;
 *   printf("%zu customers\n", xs_snapshot_count(snap, XS_SNAP_CUSTOMERS));
 *   xs_snapshot_free(snap);
 * @endcode
 */
int xs_snapshot_load(xs_store *st, xs_snapshot **out, xs_error *err);
/** Frees a snapshot; NULL is fine. */
void xs_snapshot_free(xs_snapshot *s);

/* What a snapshot holds. XS_SNAP_ORDERS counts distinct order ids (baskets);
 * XS_SNAP_ORDER_LINES counts rows of the orders table. */
typedef enum xs_snapshot_item {
    XS_SNAP_CUSTOMERS = 0,
    XS_SNAP_PRODUCTS,
    XS_SNAP_SUBSCRIPTIONS,
    XS_SNAP_ORDERS,
    XS_SNAP_ORDER_LINES,
    XS_SNAP_USAGE,
    XS_SNAP_EVENTS,
    XS_SNAP_OFFERS,
    XS_SNAP_N_ITEMS
} xs_snapshot_item;

/** @return the number of items of a kind (0 for a NULL snapshot) */
size_t xs_snapshot_count(const xs_snapshot *s, xs_snapshot_item what);
/** @return "customers", "products", "subscriptions", "orders", "order_lines",
 *  "usage", "events", "offers"; NULL when out of range */
const char *xs_snapshot_item_name(xs_snapshot_item what);
/** @return the heap bytes the snapshot holds (columns, indexes, intern tables) */
size_t xs_snapshot_bytes(const xs_snapshot *s);
/** @return the currency code of the money columns (borrowed), e.g. "USD" */
const char *xs_snapshot_currency(const xs_snapshot *s);
/** @return the number of fraction digits of money (minor units), e.g. 2 */
int xs_snapshot_money_scale(const xs_snapshot *s);
/** @return the sum of orders.amount, in minor units */
int64_t xs_snapshot_order_revenue(const xs_snapshot *s);
/**
 * Monthly recurring revenue of the active subscriptions (no end_date):
 * quantity x unit_price, where unit_price is per billing period of the
 * product (month: as is, year: / 12, once: not recurring).
 * @param n_active set to the number of active subscriptions (may be NULL)
 * @return MRR in minor units
 */
int64_t xs_snapshot_mrr(const xs_snapshot *s, size_t *n_active);

/* Summary tables of a snapshot. */
typedef enum xs_snapshot_report_kind {
    XS_SNAP_REPORT_COUNTS = 0,   /* what, count: one row per xs_snapshot_item */
    XS_SNAP_REPORT_SEGMENTS,     /* segment, customers, share_pct; most first; "(none)" */
    XS_SNAP_REPORT_PLANS,        /* family, tier, product, kind, active, quantity, mrr:
                                    products with active subscriptions (plans held) */
    XS_SNAP_REPORT_TOP_PRODUCTS  /* product, name, orders, quantity, revenue: by revenue */
} xs_snapshot_report_kind;

/**
 * Fills an empty table with a summary of the snapshot (money as decimals).
 * @param limit at most this many rows; 0 for all
 * @param out   a new table from xs_table_new() (borrowed)
 * @return XS_OK, XS_ENOMEM or XS_EINVAL (unknown kind)
 */
int xs_snapshot_report(const xs_snapshot *s, xs_snapshot_report_kind kind, size_t limit,
                       xs_table *out);

#ifdef __cplusplus
}
#endif
#endif /* XS_XSELL_SNAPSHOT_H */
