/*
 * mine_rows.c — the store side of mining (contract in mine_rows.h): the
 * rows that orders and subscriptions give the miners, streamed in group
 * order to a callback, with no knowledge of the miners' own types (the
 * builders are above the store: src/snapshot/mine_input.c).
 *
 *  - ORDERS rows: (order_id, product_id, line date) of orders and of
 *    anonymous_orders (orders without a customer, from a flat order log:
 *    co-purchase mining and "frequently bought together" only), by order_id
 *    then product_id. Returns are never rows.
 *  - ADOPTION rows: (customer_id, product_id, first day held) over
 *    subscriptions (start_date) and orders (date), by customer then product.
 *  - Adoption rows also carry the customer's observation end: the store's
 *    as-of day (the latest of orders.date, subscriptions.start_date /
 *    end_date, usage.date, events.date); but a churned customer — one with
 *    subscriptions that all have an end_date — is observed only until the
 *    later of its last subscription end and its last order.
 *
 * All statements are prepared, none is assembled from data.
 */
#include "store/mine_rows.h"

#include "base/date.h"
#include "base/error.h"
#include "store/db.h"
#include "store/store_int.h"

#include <string.h>

static const char sql_orders[] =
    "SELECT order_id, product_id, date FROM orders"
    " UNION ALL SELECT order_id, product_id, date FROM anonymous_orders"
    " ORDER BY 1, 2";

/* (customer, product, first day held) from both sources. */
#define HELD_SQL                                                                         \
    "SELECT customer_id, product_id, MIN(d) FROM ("                                      \
    " SELECT customer_id, product_id, start_date AS d FROM subscriptions"                \
    " UNION ALL SELECT customer_id, product_id, date AS d FROM orders) AS u"             \
    " GROUP BY customer_id, product_id"

static const char sql_held[] = HELD_SQL " ORDER BY customer_id, product_id";

static const char sql_as_of[] =
    "SELECT MAX(d) FROM ("
    " SELECT MAX(date) AS d FROM orders"
    " UNION ALL SELECT MAX(date) FROM anonymous_orders"
    " UNION ALL SELECT MAX(date) FROM returns"
    " UNION ALL SELECT MAX(start_date) FROM subscriptions"
    " UNION ALL SELECT MAX(NULLIF(end_date, '')) FROM subscriptions"
    " UNION ALL SELECT MAX(date) FROM usage"
    " UNION ALL SELECT MAX(date) FROM events) AS u";

static const char sql_adoption[] =
    "WITH held(customer_id, product_id, first) AS (" HELD_SQL "),"
    " subs AS (SELECT customer_id, COUNT(*) AS n,"
    "  COUNT(NULLIF(end_date, '')) AS n_end, MAX(NULLIF(end_date, '')) AS last_end"
    "  FROM subscriptions GROUP BY customer_id),"
    " ord AS (SELECT customer_id, MAX(date) AS last_order FROM orders"
    "  GROUP BY customer_id)"
    " SELECT h.customer_id, h.product_id, h.first, s.n, s.n_end, s.last_end,"
    "  o.last_order"
    " FROM held h LEFT JOIN subs s USING (customer_id)"
    " LEFT JOIN ord o USING (customer_id)"
    " ORDER BY h.customer_id, h.product_id";

static int db_error(xs_store *st, xs_error *err)
{
    return xs__error_set(err, XS_EDB, st->path, 0, NULL, "%s", xs__store_db_errmsg(st));
}

/* Parses a stored date column; XS_EDB naming the column when malformed. */
static int column_date(xs_store *st, xs__store_stmt *s, int col, const char *what,
                       int32_t *day, xs_error *err)
{
    const char *v = (const char *)xs__store_db_column_text(s, col);
    size_t len = (size_t)xs__store_db_column_bytes(s, col);
    if (v && xs__date_parse(v, len, day) == 0) return XS_OK;
    char q[128];
    xs__error_quote(q, sizeof q, v ? v : "", v ? len : 0);
    return xs__error_set(err, XS_EDB, st->path, 0, what, "not a date: %s", q);
}

/* Contract in mine_rows.h. */
int xs__store_mine_as_of(xs_store *st, int32_t *out, xs_error *err)
{
    xs__store_stmt *s = NULL;
    int rc = XS_OK;
    *out = 0;
    if (xs__store_db_prepare(st, sql_as_of, -1, &s) != XS__DB_OK)
        return db_error(st, err);
    int step = xs__store_db_step(s);
    if (step == XS__DB_ROW) {
        if (xs__store_db_column_type(s, 0) != XS__DB_NULL)
            rc = column_date(st, s, 0, "as-of date", out, err);
    } else if (step != XS__DB_DONE) {
        rc = db_error(st, err);
    }
    xs__store_db_finalize(s);
    return rc;
}

/* Contract in mine_rows.h. */
int xs__store_mine_rows(xs_store *st, xs_mine_source source, xs__store_mine_row_fn fn,
                        void *ctx, xs_error *err)
{
    xs__store_stmt *s = NULL;
    int rc = XS_OK, step;
    const char *sql = source == XS_SOURCE_ORDERS ? sql_orders : sql_held;
    if (xs__store_db_prepare_scan(st, sql, -1, &s) != XS__DB_OK) return db_error(st, err);
    while ((step = xs__store_db_step(s)) == XS__DB_ROW) {
        const char *g = (const char *)xs__store_db_column_text(s, 0);
        const char *p = (const char *)xs__store_db_column_text(s, 1);
        int32_t d;
        if ((rc = column_date(st, s, 2, source == XS_SOURCE_ORDERS ? "date" : "first held",
                              &d, err)) < 0)
            break;
        if ((rc = fn(ctx, g ? g : "", g ? (size_t)xs__store_db_column_bytes(s, 0) : 0,
                     p ? p : "", p ? (size_t)xs__store_db_column_bytes(s, 1) : 0, d)) <
            0) {
            rc = xs__error_set(err, rc, NULL, 0, NULL, "%s", xs_strerror(rc));
            break;
        }
    }
    if (rc == XS_OK && step != XS__DB_DONE) rc = db_error(st, err);
    xs__store_db_finalize(s);
    return rc;
}

/* Contract in mine_rows.h. */
int xs__store_adoption_rows(xs_store *st, int32_t as_of, xs__store_adoption_row_fn fn,
                            void *ctx, xs_error *err)
{
    xs__store_stmt *s = NULL;
    int rc = XS_OK, step;
    if (xs__store_db_prepare_scan(st, sql_adoption, -1, &s) != XS__DB_OK)
        return db_error(st, err);
    while ((step = xs__store_db_step(s)) == XS__DB_ROW) {
        /* observation end of this customer (the same on each of its rows) */
        int32_t end = as_of, first;
        int64_t n_subs = xs__store_db_column_int64(s, 3);
        int64_t n_end = xs__store_db_column_int64(s, 4);
        if (n_subs > 0 && n_end == n_subs) {
            if ((rc = column_date(st, s, 5, "end_date", &end, err)) < 0) break;
            if (xs__store_db_column_type(s, 6) != XS__DB_NULL) {
                int32_t last_order;
                if ((rc = column_date(st, s, 6, "date", &last_order, err)) < 0) break;
                if (last_order > end) end = last_order;
            }
        }
        if ((rc = column_date(st, s, 2, "first held", &first, err)) < 0) break;
        const char *c = (const char *)xs__store_db_column_text(s, 0);
        const char *p = (const char *)xs__store_db_column_text(s, 1);
        if ((rc = fn(ctx, c ? c : "", c ? (size_t)xs__store_db_column_bytes(s, 0) : 0,
                     p ? p : "", p ? (size_t)xs__store_db_column_bytes(s, 1) : 0, first,
                     end)) < 0) {
            rc = xs__error_set(err, rc, NULL, 0, NULL, "%s", xs_strerror(rc));
            break;
        }
    }
    if (rc == XS_OK && step != XS__DB_DONE) rc = db_error(st, err);
    xs__store_db_finalize(s);
    return rc;
}
