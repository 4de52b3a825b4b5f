/*
 * mine_source.c — the store side of mining: turns orders and subscriptions
 * into the plain integer inputs of the miners.
 *
 *  - ORDERS baskets: one per order_id (ascending), items = its product_ids;
 *    its day is the earliest date of its lines. Orders without a customer
 *    (anonymous_orders, from a flat order log) are baskets too: they feed
 *    co-purchase mining and "frequently bought together", never anything
 *    about customers. Returns are never baskets.
 *  - ADOPTION baskets: one per customer holding anything (ascending
 *    customer_id), items = every product it has held (subscriptions and
 *    orders); its day is the latest first-held day (when the set last grew).
 *  - Adoption input (src/mine/adoption.h): per such customer, the first day
 *    each product was held (earliest subscription start_date or order date)
 *    and the observation end. The rule for the end: the store's as-of day
 *    (the latest of orders.date, subscriptions.start_date / end_date,
 *    usage.date, events.date); but a churned customer — one with
 *    subscriptions that all have an end_date — is observed only until the
 *    later of its last subscription end and its last order.
 *
 * Items are product_id strings (interned by the builders). Only this file
 * and the rest of src/store speak SQL; all statements are prepared, none is
 * assembled from data.
 */
#include "store/db.h"
#include "store/store_int.h"
#include "base/alloc.h"
#include "base/date.h"
#include "base/error.h"
#include "mine/adoption.h"
#include "mine/baskets.h"

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

int xs_mine_source_parse(const char *s, xs_mine_source *out)
{
    if (!strcmp(s, "orders"))
        *out = XS_SOURCE_ORDERS;
    else if (!strcmp(s, "adoption"))
        *out = XS_SOURCE_ADOPTION;
    else
        return XS_EINVAL;
    return XS_OK;
}

void xs_days_free(int32_t *days)
{
    xs__free(days);
}

static int db_error(xs_store *st, xs_error *err)
{
    return xs__error_set(err, XS_EDB, st->path, 0, NULL, "%s", xs__db_errmsg(st));
}

/* Parses a stored date column; XS_EDB naming the column when malformed. */
static int column_date(xs_store *st, xs__stmt *s, int col, const char *what, int32_t *day,
                       xs_error *err)
{
    const char *v = (const char *)xs__db_column_text(s, col);
    size_t len = (size_t)xs__db_column_bytes(s, col);
    if (v && xs__date_parse(v, len, day) == 0) return XS_OK;
    char q[128];
    xs__error_quote(q, sizeof q, v ? v : "", v ? len : 0);
    return xs__error_set(err, XS_EDB, st->path, 0, what, "not a date: %s", q);
}

/* The as-of day (0 when the store holds no date). */
static int as_of_day(xs_store *st, int32_t *out, xs_error *err)
{
    xs__stmt *s = NULL;
    int rc = XS_OK;
    *out = 0;
    if (xs__db_prepare(st, sql_as_of, -1, &s) != XS__DB_OK) return db_error(st, err);
    int step = xs__db_step(s);
    if (step == XS__DB_ROW) {
        if (xs__db_column_type(s, 0) != XS__DB_NULL)
            rc = column_date(st, s, 0, "as-of date", out, err);
    } else if (step != XS__DB_DONE) {
        rc = db_error(st, err);
    }
    xs__db_finalize(s);
    return rc;
}

/* A copy of the current group key (order_id or customer_id). */
typedef struct key {
    char *s;
    size_t len, cap;
    int set;
} key;

/* 1 when (v, len) differs from the key, updating it; negative on ENOMEM. */
static int key_change(key *k, const char *v, size_t len)
{
    if (k->set && k->len == len && !memcmp(k->s, v, len)) return 0;
    if (xs__grow(&k->s, &k->cap, len + 1, 1) < 0) return XS_ENOMEM;
    memcpy(k->s, v, len);
    k->s[len] = '\0';
    k->len = len;
    k->set = 1;
    return 1;
}

static int push_day(int32_t **days, size_t *cap, size_t n, int32_t d)
{
    if (xs__grow(days, cap, n + 1, sizeof **days) < 0) return XS_ENOMEM;
    (*days)[n] = d;
    return XS_OK;
}

int xs_baskets_from_store_dated(xs_store *st, xs_mine_source source, xs_baskets **out,
                                int32_t **days, int32_t *as_of, xs_error *err)
{
    int rc = XS_OK;
    xs__stmt *s = NULL;
    xs_baskets *b = NULL;
    int32_t *dv = NULL, cur = 0;
    size_t cap_days = 0;
    key k = {0};
    *out = NULL;
    if (days) *days = NULL;

    int32_t asof = 0;
    if (as_of && (rc = as_of_day(st, &asof, err)) < 0) return rc;
    b = xs_baskets_new();
    if (!b) goto nomem;
    const char *sql = source == XS_SOURCE_ORDERS ? sql_orders : sql_held;
    if (xs__db_prepare_scan(st, sql, -1, &s) != XS__DB_OK) {
        rc = db_error(st, err);
        goto cleanup;
    }
    int step;
    while ((step = xs__db_step(s)) == XS__DB_ROW) {
        const char *g = (const char *)xs__db_column_text(s, 0);
        size_t glen = (size_t)xs__db_column_bytes(s, 0);
        int ch = key_change(&k, g ? g : "", g ? glen : 0);
        if (ch < 0) goto nomem;
        int32_t d;
        if ((rc =
                 column_date(st, s, 2, source == XS_SOURCE_ORDERS ? "date" : "first held",
                             &d, err)) < 0)
            goto cleanup;
        if (ch && b->open) {
            if (xs__baskets_end(b) < 0) goto nomem;
            if (days && push_day(&dv, &cap_days, b->n_tx - 1, cur) < 0) goto nomem;
        }
        if (ch) cur = d;
        /* orders: earliest line date; adoption: latest first-held day */
        if (source == XS_SOURCE_ORDERS ? d < cur : d > cur) cur = d;
        const char *p = (const char *)xs__db_column_text(s, 1);
        size_t plen = (size_t)xs__db_column_bytes(s, 1);
        if (xs__baskets_add(b, p ? p : "", p ? plen : 0) < 0) goto nomem;
    }
    if (step != XS__DB_DONE) {
        rc = db_error(st, err);
        goto cleanup;
    }
    if (b->open) {
        if (xs__baskets_end(b) < 0) goto nomem;
        if (days && push_day(&dv, &cap_days, b->n_tx - 1, cur) < 0) goto nomem;
    }
    if (days && !dv && !(dv = xs__malloc(sizeof *dv))) goto nomem;
    *out = b;
    b = NULL;
    if (days) *days = dv, dv = NULL;
    if (as_of) *as_of = asof;
    rc = XS_OK;
    goto cleanup;
nomem:
    rc = xs__error_set(err, XS_ENOMEM, NULL, 0, NULL, "out of memory");
cleanup:
    xs__db_finalize(s);
    xs_baskets_free(b);
    xs__free(dv);
    xs__free(k.s);
    return rc;
}

int xs_baskets_from_store(xs_store *st, xs_mine_source source, xs_baskets **out,
                          xs_error *err)
{
    return xs_baskets_from_store_dated(st, source, out, NULL, NULL, err);
}

int xs_adoption_input_from_store(xs_store *st, xs_adoption_input **out, xs_error *err)
{
    int rc = XS_OK;
    xs__stmt *s = NULL;
    struct xs_adoption_input *in = NULL;
    key k = {0};
    int32_t end = 0, asof = 0;
    int open = 0;
    *out = NULL;

    if ((rc = as_of_day(st, &asof, err)) < 0) return rc;
    in = xs__malloc(sizeof *in);
    if (!in) goto nomem;
    xs__adoption_input_init(in);
    in->as_of = asof;
    if (xs__db_prepare_scan(st, sql_adoption, -1, &s) != XS__DB_OK) {
        rc = db_error(st, err);
        goto cleanup;
    }
    int step;
    while ((step = xs__db_step(s)) == XS__DB_ROW) {
        const char *c = (const char *)xs__db_column_text(s, 0);
        size_t clen = (size_t)xs__db_column_bytes(s, 0);
        int ch = key_change(&k, c ? c : "", c ? clen : 0);
        if (ch < 0) goto nomem;
        if (ch) {
            if (open && xs__adoption_input_end(in, end) < 0) goto nomem;
            open = 1;
            /* observation end of this customer */
            end = asof;
            int64_t n_subs = xs__db_column_int64(s, 3);
            int64_t n_end = xs__db_column_int64(s, 4);
            if (n_subs > 0 && n_end == n_subs) {
                if ((rc = column_date(st, s, 5, "end_date", &end, err)) < 0) goto cleanup;
                if (xs__db_column_type(s, 6) != XS__DB_NULL) {
                    int32_t last_order;
                    if ((rc = column_date(st, s, 6, "date", &last_order, err)) < 0)
                        goto cleanup;
                    if (last_order > end) end = last_order;
                }
            }
        }
        int32_t first;
        if ((rc = column_date(st, s, 2, "first held", &first, err)) < 0) goto cleanup;
        const char *p = (const char *)xs__db_column_text(s, 1);
        size_t plen = (size_t)xs__db_column_bytes(s, 1);
        if (xs__adoption_input_add(in, p ? p : "", p ? plen : 0, first) < 0) goto nomem;
    }
    if (step != XS__DB_DONE) {
        rc = db_error(st, err);
        goto cleanup;
    }
    if (open && xs__adoption_input_end(in, end) < 0) goto nomem;
    *out = in;
    in = NULL;
    rc = XS_OK;
    goto cleanup;
nomem:
    rc = xs__error_set(err, XS_ENOMEM, NULL, 0, NULL, "out of memory");
cleanup:
    xs__db_finalize(s);
    xs_adoption_input_free(in);
    xs__free(k.s);
    return rc;
}
