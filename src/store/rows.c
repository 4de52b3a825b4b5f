/*
 * rows.c — scans of store tables without SQL for their callers (contract
 * in rows.h): the SELECT is assembled here from the static names of the
 * table definitions (schema.c), never from data, always ORDER BY the key.
 * On SQLite the tables are WITHOUT ROWID with the key as primary key, so
 * that order is the table's own and costs nothing; on PostgreSQL it is the
 * primary key's index, in byte order (text columns are COLLATE "C").
 */
#include "store/rows.h"

#include "base/alloc.h"
#include "base/error.h"
#include "store/dialect.h"

#include <stdio.h>
#include <string.h>

#define MAX_COLS 32

/* Columns computed from others: (table, name) -> an expression of the
 * dialect table. */
static const struct {
    xs_table_id table;
    const char *name;
    xs__store_sql expr;
} computed[] = {
    {XS_T_PRODUCTS, "name_ja", XS__SQL_NAME_JA},
};

/* The SQL of a column: its name, or a computed expression; NULL: unknown. */
static const char *column_sql(const xs_store *st, const xs__store_table_schema *d,
                              xs_table_id t, const char *name)
{
    for (size_t i = 0; i < d->n_cols; i++)
        if (!strcmp(d->cols[i].name, name)) return d->cols[i].name;
    for (size_t i = 0; i < sizeof computed / sizeof computed[0]; i++)
        if (computed[i].table == t && !strcmp(computed[i].name, name))
            return xs__store_dialect(st, computed[i].expr);
    return NULL;
}

/* Appends s to buf (cap n, used *o); 0 when it does not fit. */
static int add(char *buf, size_t n, size_t *o, const char *s)
{
    size_t len = strlen(s);
    if (*o + len + 1 > n) return 0;
    memcpy(buf + *o, s, len + 1);
    *o += len;
    return 1;
}

/* SELECT <cols | count(*)> FROM t [WHERE c IS NOT NULL] [ORDER BY key] */
static int build(const xs_store *st, xs_table_id t, const char *const *cols,
                 size_t n_cols, const char *not_null, char *sql, size_t n, xs_error *err)
{
    const xs__store_table_schema *d = xs__store_table_def(t);
    if (!d)
        return xs__error_set(err, XS_EINVAL, NULL, 0, NULL, "no such table (id %d)",
                             (int)t);
    if (n_cols > MAX_COLS)
        return xs__error_set(err, XS_EINVAL, NULL, 0, NULL, "too many columns");
    size_t o = 0;
    int ok = add(sql, n, &o, "SELECT ");
    for (size_t i = 0; i < n_cols && ok; i++) {
        const char *c = column_sql(st, d, t, cols[i]);
        if (!c)
            return xs__error_set(err, XS_EINVAL, NULL, 0, NULL,
                                 "table %s has no column %s", d->name, cols[i]);
        ok = (!i || add(sql, n, &o, ", ")) && add(sql, n, &o, c);
    }
    if (!n_cols) ok = ok && add(sql, n, &o, "count(*)");
    ok = ok && add(sql, n, &o, " FROM ") && add(sql, n, &o, d->name);
    if (not_null) {
        const char *c = column_sql(st, d, t, not_null);
        if (!c)
            return xs__error_set(err, XS_EINVAL, NULL, 0, NULL,
                                 "table %s has no column %s", d->name, not_null);
        ok = ok && add(sql, n, &o, " WHERE ") && add(sql, n, &o, c) &&
             add(sql, n, &o, " IS NOT NULL");
    }
    if (n_cols) {
        ok = ok && add(sql, n, &o, " ORDER BY ");
        for (size_t k = 0; k < d->n_key && ok; k++)
            ok =
                (!k || add(sql, n, &o, ", ")) && add(sql, n, &o, d->cols[d->key[k]].name);
    }
    if (!ok) return xs__error_set(err, XS_EINTERNAL, NULL, 0, NULL, "query too long");
    return XS_OK;
}

/* The error of a scan that could not start: a missing table or column is
 * a store of another schema. */
static int open_error(xs_store *st, const char *table, xs_error *err)
{
    const char *msg = xs__store_db_errmsg(st);
    if (strstr(msg, "no such") || strstr(msg, "does not exist"))
        return xs__error_set(err, XS_ESCHEMA, st->path, 0, NULL,
                             "table %s does not have the schema this xsell reads: %s",
                             table, msg);
    return xs__error_set(err, XS_EDB, st->path, 0, NULL, "preparing a snapshot query: %s",
                         msg);
}

int xs__store_rows_open(xs_store *st, xs_table_id t, const char *const *cols,
                        size_t n_cols, const char *not_null, xs__store_rows *r,
                        xs_error *err)
{
    memset(r, 0, sizeof *r);
    char sql[2048];
    if (!n_cols) return xs__error_set(err, XS_EINVAL, NULL, 0, NULL, "no columns");
    int rc = build(st, t, cols, n_cols, not_null, sql, sizeof sql, err);
    if (rc < 0) return rc;
    r->st = st;
    r->table = xs_table_name(t);
    if (xs__store_db_prepare_scan(st, sql, -1, &r->stmt) != XS__DB_OK) {
        r->stmt = NULL;
        return open_error(st, r->table, err);
    }
    return XS_OK;
}

int xs__store_rows_count(xs_store *st, xs_table_id t, const char *not_null, long long *n,
                         xs_error *err)
{
    char sql[512];
    int rc = build(st, t, NULL, 0, not_null, sql, sizeof sql, err);
    if (rc < 0) return rc;
    xs__store_stmt *s = NULL;
    if (xs__store_db_prepare(st, sql, -1, &s) != XS__DB_OK)
        return open_error(st, xs_table_name(t), err);
    if (xs__store_db_step(s) != XS__DB_ROW) {
        rc = xs__error_set(err, XS_EDB, st->path, 0, NULL, "counting rows: %s",
                           xs__store_db_errmsg(st));
        xs__store_db_finalize(s);
        return rc;
    }
    *n = xs__store_db_column_int64(s, 0);
    xs__store_db_finalize(s);
    return XS_OK;
}

int xs__store_rows_next(xs__store_rows *r, xs_error *err)
{
    int rc = xs__store_db_step(r->stmt);
    if (rc == XS__DB_ROW) return 1;
    if (rc == XS__DB_DONE) return 0;
    return xs__error_set(err, XS_EDB, r->st->path, 0, NULL, "reading %s: %s", r->table,
                         xs__store_db_errmsg(r->st));
}

void xs__store_rows_close(xs__store_rows *r)
{
    if (!r) return;
    xs__store_db_finalize(r->stmt);
    r->stmt = NULL;
}
