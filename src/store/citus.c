/*
 * citus.c — a PostgreSQL store made ready for Citus (distributed
 * PostgreSQL), and the summary of a store that `xsell store info` prints.
 *
 * Citus shards a table by one column. Everything the engine reads per
 * customer is distributed by customer_id and co-located with customers, so
 * one customer's rows of every table live on one worker and a per-customer
 * query or join runs there whole. The catalog and configuration tables are
 * small and read everywhere: they become reference tables (one copy on
 * every worker). The two tables without a (non-NULL) customer are
 * distributed by their own id.
 *
 * Citus demands that every PRIMARY KEY / UNIQUE constraint of a distributed
 * table include its distribution column, so orders, offers and decisions
 * are first re-keyed with customer_id in front. Their old keys stay as plain
 * indexes, so the lookups by the old key (the importer's guarded UPDATE, an
 * outcome by offer_id) keep an index. docs/scale-out.md says what the
 * re-keying changes and which store queries then run on every shard.
 *
 * The SQL is static text, shown by `xsell store init --citus --print`, and
 * runs in one transaction that holds the store's write lock: either the
 * whole layout is in place or nothing changed.
 */
#include "store/db.h"
#include "store/rows.h"
#include "store/store_int.h"

#include "base/error.h"

#include <stdio.h>
#include <string.h>

/* ---------------------------------------------------------------------- */
/* The layout                                                             */
/* ---------------------------------------------------------------------- */

/* Every table of the store at the current schema version (schema.c), in
 * the order info lists them. */
static const char *const store_tables[] = {
    "customers",
    "products",
    "subscriptions",
    "orders",
    "usage",
    "events",
    "offers",
    "returns",
    "anonymous_orders",
    "churn_scores",
    "decisions",
    "plan_assignments",
    "meta",
    "schema_migrations",
    "api_keys",
    "builds",
    "experiments",
    "replays",
    "plans",
    "webhooks",
    "webhook_deliveries",
    "audit_log",
};
_Static_assert(sizeof store_tables / sizeof store_tables[0] <= XS_STORE_INFO_MAX_TABLES,
               "xs_store_info holds every table");

/* The body of the transaction. customers is distributed first: the other
 * customer tables name it in colocate_with. */
static const char citus_body[] =
    "-- the distributed DDL of this transaction over one connection per\n"
    "-- worker (plain PostgreSQL keeps the setting as a placeholder)\n"
    "SET LOCAL citus.multi_shard_modify_mode TO 'sequential';\n"
    "-- keys of distributed tables must hold the distribution column;\n"
    "-- the old keys stay as plain indexes for the lookups by them\n"
    "ALTER TABLE orders DROP CONSTRAINT orders_pkey,\n"
    "  ADD CONSTRAINT orders_pkey PRIMARY KEY (customer_id, order_id, product_id);\n"
    "CREATE INDEX IF NOT EXISTS orders_line ON orders(order_id, product_id);\n"
    "ALTER TABLE offers DROP CONSTRAINT offers_pkey,\n"
    "  ADD CONSTRAINT offers_pkey PRIMARY KEY (customer_id, offer_id);\n"
    "CREATE INDEX IF NOT EXISTS offers_id ON offers(offer_id);\n"
    "ALTER TABLE decisions DROP CONSTRAINT decisions_pkey,\n"
    "  ADD CONSTRAINT decisions_pkey PRIMARY KEY (customer_id, decision_id);\n"
    "CREATE INDEX IF NOT EXISTS decisions_id ON decisions(decision_id);\n"
    "-- catalog and configuration: one copy on every worker\n"
    "SELECT create_reference_table('meta');\n"
    "SELECT create_reference_table('schema_migrations');\n"
    "SELECT create_reference_table('products');\n"
    "SELECT create_reference_table('api_keys');\n"
    "SELECT create_reference_table('builds');\n"
    "SELECT create_reference_table('experiments');\n"
    "SELECT create_reference_table('replays');\n"
    "SELECT create_reference_table('plans');\n"
    "SELECT create_reference_table('webhooks');\n"
    "SELECT create_reference_table('webhook_deliveries');\n"
    "SELECT create_reference_table('audit_log');\n"
    "-- everything about a customer on the customer's shard\n"
    "SELECT create_distributed_table('customers', 'customer_id');\n"
    "SELECT create_distributed_table('subscriptions', 'customer_id',"
    " colocate_with => 'customers');\n"
    "SELECT create_distributed_table('orders', 'customer_id',"
    " colocate_with => 'customers');\n"
    "SELECT create_distributed_table('usage', 'customer_id',"
    " colocate_with => 'customers');\n"
    "SELECT create_distributed_table('events', 'customer_id',"
    " colocate_with => 'customers');\n"
    "SELECT create_distributed_table('offers', 'customer_id',"
    " colocate_with => 'customers');\n"
    "SELECT create_distributed_table('churn_scores', 'customer_id',"
    " colocate_with => 'customers');\n"
    "SELECT create_distributed_table('decisions', 'customer_id',"
    " colocate_with => 'customers');\n"
    "SELECT create_distributed_table('plan_assignments', 'customer_id',"
    " colocate_with => 'customers');\n"
    "-- no customer (returns.customer_id may be NULL): by their own id\n"
    "SELECT create_distributed_table('anonymous_orders', 'order_id',"
    " colocate_with => 'none');\n"
    "SELECT create_distributed_table('returns', 'return_id',"
    " colocate_with => 'none');\n";

static const char citus_sql[] = "BEGIN;\n%sCOMMIT;\n";

/* Contract in xsell.h. */
int xs_store_citus_sql(FILE *out)
{
    return fprintf(out, citus_sql, citus_body) < 0 ? XS_EIO : XS_OK;
}

/* ---------------------------------------------------------------------- */
/* Catalog queries                                                        */
/* ---------------------------------------------------------------------- */

/* One integer from sql (0 when no row or NULL). Returns XS_OK or XS_EDB. */
static int query_ll(xs_store *st, const char *sql, const char *bind, long long *out,
                    const char *what, xs_error *err)
{
    xs__store_stmt *s = NULL;
    *out = 0;
    if (xs__store_db_prepare(st, sql, -1, &s) != XS__DB_OK)
        return xs__store_dberr(st, what, err);
    if (bind) xs__store_db_bind_text(s, 1, bind, -1);
    int rc = xs__store_db_step(s);
    if (rc == XS__DB_ROW) {
        if (xs__store_db_column_type(s, 0) != XS__DB_NULL)
            *out = xs__store_db_column_int64(s, 0);
        rc = XS_OK;
    } else if (rc == XS__DB_DONE) {
        rc = XS_OK;
    } else {
        rc = xs__store_dberr(st, what, err);
    }
    xs__store_db_finalize(s);
    return rc;
}

/* 1 when the database holds Citus's metadata table pg_dist_partition. */
static int has_citus_metadata(xs_store *st, long long *yes, xs_error *err)
{
    return query_ll(st,
                    "SELECT CASE WHEN to_regclass('pg_dist_partition') IS NULL"
                    " THEN 0 ELSE 1 END",
                    NULL, yes, "looking for Citus", err);
}

/* ---------------------------------------------------------------------- */
/* Distributing                                                           */
/* ---------------------------------------------------------------------- */

/* Contract in xsell.h. */
int xs_store_citus_init(xs_store *st, xs_error *err)
{
    if (!st->pg)
        return xs__error_set(err, XS_EINVAL, st->path, 0, NULL,
                             "Citus needs a PostgreSQL store");
    long long n = 0;
    int rc = query_ll(st,
                      "SELECT count(*) FROM pg_proc WHERE proname IN"
                      " ('create_distributed_table', 'create_reference_table')",
                      NULL, &n, "looking for Citus", err);
    if (rc < 0) return rc;
    if (n < 2)
        return xs__error_set(err, XS_EINVAL, st->path, 0, NULL,
                             "Citus is not installed in this database"
                             " (CREATE EXTENSION citus)");
    long long meta = 0;
    if ((rc = has_citus_metadata(st, &meta, err)) < 0) return rc;
    if (meta) {
        if ((rc = query_ll(st,
                           "SELECT count(*) FROM pg_dist_partition"
                           " WHERE logicalrelid = to_regclass(?1)",
                           "customers", &n, "reading Citus's tables", err)) < 0)
            return rc;
        if (n > 0) return 0; /* already distributed */
    }
    if ((rc = xs__store_begin(st, err)) < 0) return rc;
    if (xs__store_db_exec(st, citus_body) != XS__DB_OK) {
        rc = xs__store_dberr(st, "distributing the store", err);
        xs__store_rollback(st);
        return rc;
    }
    /* not xs__store_commit: the layout changes no data (data_version) */
    if (xs__store_db_exec(st, "COMMIT") != XS__DB_OK) {
        rc = xs__store_dberr(st, "committing", err);
        xs__store_rollback(st);
        return rc;
    }
    return 1;
}

/* ---------------------------------------------------------------------- */
/* Info                                                                   */
/* ---------------------------------------------------------------------- */

/* Fills the citus column of every table from pg_dist_partition. */
static int read_placement(xs_store *st, xs_store_info *out, xs_error *err)
{
    xs__store_stmt *s = NULL;
    if (xs__store_db_prepare(
            st,
            "SELECT CAST(logicalrelid AS TEXT), CAST(partmethod AS TEXT),"
            " CASE WHEN partmethod = 'n' THEN NULL"
            " ELSE column_to_column_name(logicalrelid, partkey) END"
            " FROM pg_dist_partition",
            -1, &s) != XS__DB_OK)
        return xs__store_dberr(st, "reading Citus's tables", err);
    int rc;
    while ((rc = xs__store_db_step(s)) == XS__DB_ROW) {
        const char *name = (const char *)xs__store_db_column_text(s, 0);
        const char *method = (const char *)xs__store_db_column_text(s, 1);
        const char *col = (const char *)xs__store_db_column_text(s, 2);
        for (size_t i = 0; name && i < out->n_tables; i++) {
            xs_store_table_info *t = &out->tables[i];
            if (strcmp(t->name, name)) continue;
            if (method && !strcmp(method, "n"))
                snprintf(t->citus, sizeof t->citus, "reference");
            else
                snprintf(t->citus, sizeof t->citus, "distributed(%s)", col ? col : "?");
        }
    }
    rc = rc == XS__DB_DONE ? XS_OK : xs__store_dberr(st, "reading Citus's tables", err);
    xs__store_db_finalize(s);
    return rc;
}

/* Contract in xsell.h. */
int xs_store_info_get(xs_store *st, xs_store_info *out, xs_error *err)
{
    memset(out, 0, sizeof *out);
    out->backend = st->pg ? "postgresql" : "sqlite";
    int began = 0;
    int rc = xs__store_read_begin(st, &began, err);
    if (rc < 0) return rc;
    long long v = 0;
    if ((rc = query_ll(st, "SELECT max(version) FROM schema_migrations", NULL, &v,
                       "reading the schema version", err)) < 0)
        goto cleanup;
    out->schema_version = (int)v;
    if ((rc = xs_store_identity(st, out->store_id, &out->data_version, err)) < 0)
        goto cleanup;
    if ((rc = xs_store_model_path(st, out->model_path, sizeof out->model_path, err)) < 0)
        goto cleanup;
    for (size_t i = 0; i < sizeof store_tables / sizeof store_tables[0]; i++) {
        xs_store_table_info *t = &out->tables[out->n_tables++];
        t->name = store_tables[i];
        char sql[96]; /* the name comes from the static list above */
        snprintf(sql, sizeof sql, "SELECT count(*) FROM %s", t->name);
        if ((rc = query_ll(st, sql, NULL, &t->rows, "counting rows", err)) < 0)
            goto cleanup;
    }
    if (st->pg) {
        long long meta = 0;
        if ((rc = has_citus_metadata(st, &meta, err)) < 0) goto cleanup;
        out->citus = (int)meta;
        if (meta && (rc = read_placement(st, out, err)) < 0) goto cleanup;
    }
    rc = XS_OK;
cleanup:
    xs__store_read_end(st, began);
    return rc;
}
