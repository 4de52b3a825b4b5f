/*
 * pgbulk.c — the primary key of an empty PostgreSQL table set aside for a
 * bulk load and built once at its end (contract in store_int.h, called by
 * schema.c's xs__store_indexes_drop / _create).
 *
 * A COPY into a table with a primary key makes the server insert every row
 * into the key's B-tree as it comes: for a million order lines that alone
 * costs about as much as the COPY into a plain table (bench/RESULTS.md,
 * "Order lines into PostgreSQL"). Building the index once from the loaded
 * rows (one sort) costs a fraction of that. So an import into an empty
 * table drops the key constraint inside its transaction and adds it back
 * before the commit: all or nothing still holds (DDL is transactional; a
 * killed import rolls the drop back with the rows), and the key is checked
 * again when it is built (a duplicate fails the import there).
 *
 * The price is a lock: ALTER TABLE takes the table's ACCESS EXCLUSIVE lock
 * until the commit, so a reader of that table waits for the import (it
 * would see the table empty otherwise; readers of other tables do not
 * wait). The lock is asked for with NOWAIT inside a savepoint: when a
 * reader holds the table at that moment the import does not wait for it
 * and keeps the key, loading as before. Citus tables keep theirs (their
 * keys live on the workers).
 */
#include "store/db.h"
#include "store/store_int.h"

#include "base/error.h"

#include <stdio.h>
#include <string.h>

/* Memory the server may use to build the key (its sort), for this
 * transaction only: the default 64 MB spills a million order lines to
 * disk. */
#define BUILD_MEM "SET LOCAL maintenance_work_mem = '256MB'"

/* Reads the name and definition of table's primary key into name / def;
 * empty when it has none, or the store is on Citus. */
static int read_key(xs_store *st, const char *table, char *name, size_t n_name, char *def,
                    size_t n_def, xs_error *err)
{
    char sql[512];
    snprintf(sql, sizeof sql,
             "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint"
             " WHERE conrelid = '%s'::regclass AND contype = 'p'"
             " AND NOT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'citus')",
             table);
    name[0] = def[0] = 0;
    xs__store_stmt *s = NULL;
    if (xs__store_db_prepare(st, sql, -1, &s) != XS__DB_OK)
        return xs__store_dberr(st, "reading the store", err);
    int rc = xs__store_db_step(s);
    if (rc == XS__DB_ROW) {
        const unsigned char *a = xs__store_db_column_text(s, 0),
                            *b = xs__store_db_column_text(s, 1);
        int fits =
            a && b && strlen((const char *)a) < n_name && strlen((const char *)b) < n_def;
        if (fits) {
            snprintf(name, n_name, "%s", (const char *)a);
            snprintf(def, n_def, "%s", (const char *)b);
        }
        rc = XS_OK;
    } else if (rc == XS__DB_DONE) {
        rc = XS_OK;
    } else {
        rc = xs__store_dberr(st, "reading the store", err);
    }
    xs__store_db_finalize(s);
    return rc;
}

/* Contract in store_int.h. */
int xs__store_pg_bulk_drop_key(xs_store *st, const char *table, xs_error *err)
{
    char name[128], def[256], sql[512];
    st->pg_bulk_key[0] = 0;
    int rc = read_key(st, table, name, sizeof name, def, sizeof def, err);
    if (rc < 0 || !name[0]) return rc;
    if (xs__store_db_exec(st, "SAVEPOINT xs_bulk_key") != XS__DB_OK)
        return xs__store_dberr(st, "locking a table", err);
    snprintf(sql, sizeof sql, "LOCK TABLE %s IN ACCESS EXCLUSIVE MODE NOWAIT", table);
    if (xs__store_db_exec(st, sql) != XS__DB_OK) {
        if (!xs__store_db_busy(st)) return xs__store_dberr(st, "locking a table", err);
        /* a reader holds the table: keep the key rather than wait */
        if (xs__store_db_exec(st, "ROLLBACK TO SAVEPOINT xs_bulk_key") != XS__DB_OK ||
            xs__store_db_exec(st, "RELEASE SAVEPOINT xs_bulk_key") != XS__DB_OK)
            return xs__store_dberr(st, "locking a table", err);
        return 0;
    }
    if (xs__store_db_exec(st, "RELEASE SAVEPOINT xs_bulk_key") != XS__DB_OK)
        return xs__store_dberr(st, "locking a table", err);
    snprintf(sql, sizeof sql, "ALTER TABLE %s DROP CONSTRAINT %s", table, name);
    if (xs__store_db_exec(st, sql) != XS__DB_OK)
        return xs__store_dberr(st, "dropping a primary key", err);
    snprintf(st->pg_bulk_key, sizeof st->pg_bulk_key,
             "ALTER TABLE %s ADD CONSTRAINT %s %s", table, name, def);
    return 1;
}

/* Contract in store_int.h. */
int xs__store_pg_bulk_add_key(xs_store *st, xs_error *err)
{
    if (!st->pg_bulk_key[0]) return 0;
    int rc = XS_OK;
    if (xs__store_db_exec(st, BUILD_MEM) != XS__DB_OK ||
        xs__store_db_exec(st, st->pg_bulk_key) != XS__DB_OK)
        rc = xs__store_dberr(st, "building a primary key", err);
    st->pg_bulk_key[0] = 0;
    return rc < 0 ? rc : 1;
}
