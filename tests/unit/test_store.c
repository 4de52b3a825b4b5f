/*
 * test_store.c — the SQLite store: creating a file, the migrations
 * mechanism (upgrade of an older file, refusal of a newer one, a failed
 * migration leaving the file as it was), meta / currency, row counts,
 * table names, and that the table definitions agree with the schema.
 *
 * The store contract runs on PostgreSQL too (CTest's pg_test_store: with
 * XS_TEST_BACKEND=pg each store is a fresh database, store_backend.h); the
 * tests about the SQLite file itself (its PRAGMAs, bytes, read-only files,
 * SQLite's migration steps) say so and are left out there.
 */
#include "test.h"

#include "base/alloc.h"
#include "store/db.h"
#include "store/rows.h"
#include "store/store_int.h"
#include "store_backend.h"

#include <stdlib.h>
#include <unistd.h>

static char dir[64];

static const char *tmp_path(const char *name)
{
    static char buf[4][256];
    static int k;
    k = (k + 1) & 3;
    snprintf(buf[k], sizeof buf[k], "%s/%s", dir, name);
    return buf[k];
}

static void remove_db(const char *path)
{
    char p[300];
    unlink(path);
    snprintf(p, sizeof p, "%s-wal", path);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", path);
    unlink(p);
}

/* The first column of the first row of sql, on either backend; -999 when
 * there is none. */
static long long query1(xs_store *st, const char *sql)
{
    xs__store_stmt *s = NULL;
    long long v = -999;
    if (xs__store_db_prepare(st, sql, -1, &s) == XS__DB_OK &&
        xs__store_db_step(s) == XS__DB_ROW)
        v = xs__store_db_column_int64(s, 0);
    xs__store_db_finalize(s);
    return v;
}

static void test_open_creates(void)
{
    const char *path = xs_tb_store("new.db");
    xs_store *st = NULL;
    xs_error e;
    CHECK_INT(xs_store_open(&st, path, &e), XS_OK);
    CHECK(st != NULL);
    CHECK(xs_tb_is_pg() ? st && st->pg != NULL : st && st->db != NULL);
    size_t v; /* the latest built-in version: migrations are 1..v */
    xs__store_migrations(&v);
    CHECK_INT(st->schema_version, v);
    CHECK_INT(query1(st, "SELECT max(version) FROM schema_migrations"), v);
    CHECK_INT(query1(st, "SELECT count(*) FROM schema_migrations"), v);
    if (!xs_tb_is_pg()) {
        sqlite3_stmt *s = NULL;
        sqlite3_prepare_v2(st->db, "PRAGMA journal_mode", -1, &s, NULL);
        CHECK_INT(sqlite3_step(s), SQLITE_ROW);
        CHECK_STR((const char *)sqlite3_column_text(s, 0), "wal");
        sqlite3_finalize(s);
    }
    CHECK_STR(st->currency, "USD");
    CHECK_INT(st->money_scale, 2);
    CHECK_INT(st->has_currency, 0);
    for (int t = 0; t < XS_N_TABLES; t++)
        CHECK_INT(xs_store_count(st, (xs_table_id)t, &e), 0);
    xs_store_close(st);
    /* reopening an up-to-date file applies nothing */
    CHECK_INT(xs_store_open(&st, path, &e), XS_OK);
    CHECK_INT(query1(st, "SELECT count(*) FROM schema_migrations"), v);
    xs_store_close(st);
    xs_store_close(NULL);
}

/* Every table def matches PRAGMA table_info (names, order) and its key
 * matches the primary key. */
static void test_defs_match_schema(void)
{
    if (xs_tb_sqlite_only("PRAGMA table_info, sqlite_master")) return;
    const char *path = tmp_path("defs.db");
    remove_db(path);
    xs_store *st = NULL;
    CHECK_INT(xs_store_open(&st, path, NULL), XS_OK);
    if (!st) return;
    for (int t = 0; t < XS_N_TABLES; t++) {
        const xs__store_table_schema *d = xs__store_table_def((xs_table_id)t);
        sqlite3_stmt *s = NULL;
        CHECK_INT(sqlite3_prepare_v2(st->db,
                                     "SELECT name, pk, type FROM pragma_table_info(?1)"
                                     " ORDER BY cid",
                                     -1, &s, NULL),
                  SQLITE_OK);
        sqlite3_bind_text(s, 1, d->name, -1, SQLITE_STATIC);
        size_t i = 0;
        while (sqlite3_step(s) == SQLITE_ROW) {
            if (i < d->n_cols) {
                CHECK_STR((const char *)sqlite3_column_text(s, 0), d->cols[i].name);
                /* the declared type agrees with the column kind */
                xs__store_coltype k = d->cols[i].type;
                CHECK_STR((const char *)sqlite3_column_text(s, 2),
                          k == XS__COL_INT || k == XS__COL_MONEY ? "INTEGER"
                          : k == XS__COL_REAL                    ? "REAL"
                                                                 : "TEXT");
            }
            int pk = sqlite3_column_int(s, 1);
            int want = 0;
            for (size_t k = 0; k < d->n_key; k++)
                if (d->key[k] == i) want = (int)k + 1;
            CHECK_INT(pk, want);
            i++;
        }
        CHECK_INT(i, d->n_cols);
        CHECK_INT(d->cols[d->n_cols - 1].type, XS__COL_ATTRS);
        sqlite3_finalize(s);
    }
    /* dropping and re-creating the secondary indexes of a table (bulk loads) */
    CHECK_INT(xs__store_indexes_drop(st, XS_T_OFFERS, NULL), 1);
    CHECK_INT(query1(st, "SELECT count(*) FROM sqlite_master WHERE tbl_name = 'offers'"
                         " AND type = 'index' AND sql IS NOT NULL"),
              0);
    CHECK_INT(xs__store_indexes_create(st, XS_T_OFFERS, NULL), 1);
    CHECK_INT(
        query1(st, "SELECT count(*) FROM sqlite_master WHERE name = 'offers_customer'"),
        1);
    CHECK_INT(xs__store_indexes_drop(st, XS_T_ORDERS, NULL), 0);
    xs_store_close(st);
}

static void test_table_names(void)
{
    const char *want[] = {
        "customers", "products", "subscriptions", "orders",           "usage",
        "events",    "offers",   "returns",       "anonymous_orders", "churn_scores"};
    for (int t = 0; t < XS_N_TABLES; t++) {
        CHECK_STR(xs_table_name((xs_table_id)t), want[t]);
        xs_table_id id = XS_N_TABLES;
        CHECK_INT(xs_table_lookup(want[t], &id), XS_OK);
        CHECK_INT(id, t);
    }
    xs_table_id id;
    CHECK(xs_table_name(XS_N_TABLES) == NULL);
    CHECK(xs_table_name((xs_table_id)-1) == NULL);
    CHECK_INT(xs_table_lookup("order", &id), XS_ENOTFOUND);
    CHECK_INT(xs_table_lookup(NULL, &id), XS_ENOTFOUND);
}

/* A version-2 step added later upgrades a version-1 file in place. */
static const char v2_sql[] = "CREATE TABLE extra(x INTEGER);\n"
                             "ALTER TABLE customers ADD COLUMN nickname TEXT;\n";

static void test_upgrade(void)
{
    const char *path = xs_tb_store("upgrade.db");
    size_t n; /* built-in versions 1..n; the test adds step n + 1 */
    const xs__store_migration *builtin = xs__store_migrations(&n);
    CHECK(n >= 1 && n < 16);
    if (n < 1 || n >= 16) return;
    xs_store *st = NULL;
    xs_error e;
    /* a version-1 file with a row */
    CHECK_INT(xs__store_open_with(&st, path, builtin, 1, &e), XS_OK);
    if (!st) return;
    CHECK_INT(st->schema_version, 1);
    CHECK_INT(xs__store_db_exec(st, "INSERT INTO customers(customer_id, signup_date) "
                                    "VALUES ('C1', '2024-01-01')"),
              XS__DB_OK);
    xs_store_close(st);

    /* upgraded through every built-in step and one more, the row kept */
    xs__store_migration more[16];
    memcpy(more, builtin, n * sizeof *more);
    more[n] = (xs__store_migration){(int)n + 1, v2_sql, NULL};
    CHECK_INT(xs__store_open_with(&st, path, more, n + 1, &e), XS_OK);
    if (!st) return;
    CHECK_INT(st->schema_version, n + 1);
    CHECK_INT(query1(st, "SELECT max(version) FROM schema_migrations"), n + 1);
    CHECK_INT(query1(st, "SELECT count(*) FROM schema_migrations"), n + 1);
    CHECK_INT(query1(st, "SELECT count(*) FROM extra"), 0);
    CHECK_INT(query1(st, "SELECT count(*) FROM customers WHERE nickname IS NULL"), 1);
    CHECK_INT(xs_store_count(st, XS_T_CUSTOMERS, &e), 1);
    xs_store_close(st);

    /* that file is now refused by a build that knows only versions 1..n */
    st = (xs_store *)1;
    CHECK_INT(xs_store_open(&st, path, &e), XS_ESCHEMA);
    CHECK(st == NULL);
    char msg[1200], want[600];
    snprintf(want, sizeof want,
             "%s: store schema version %zu is newer than this xsell supports (%zu); "
             "use a newer xsell",
             path, n + 1, n);
    CHECK_STR(xs_error_format(&e, msg, sizeof msg), want);
}

/* Version 5: a version-4 store with month / year terms upgrades to INTEGER
 * months 1 / 12, every other column and the key kept. */
static void test_upgrade_terms(void)
{
    if (xs_tb_sqlite_only("SQLite's rebuild of a WITHOUT ROWID table, typeof()")) return;
    const char *path = tmp_path("terms_v4.db");
    remove_db(path);
    size_t n, n4 = 0;
    const xs__store_migration *builtin = xs__store_migrations(&n);
    while (n4 < n && builtin[n4].version <= 4)
        n4++;
    CHECK_INT(n4, 4);
    CHECK(n > n4 && builtin[n4].version == 5);
    xs_store *st = NULL;
    xs_error e;
    CHECK_INT(xs__store_open_with(&st, path, builtin, n4, &e), XS_OK);
    if (!st) return;
    CHECK_INT(st->schema_version, 4);
    CHECK_INT(
        sqlite3_exec(st->db,
                     "INSERT INTO subscriptions VALUES"
                     " ('C1','p1',2,1000,'2024-01-01',NULL,'month','2024-02-01',NULL),"
                     " ('C1','p2',1,12000,'2024-01-01','2024-06-30','year',NULL,"
                     "  '{\"po\":\"7\"}'),"
                     " ('C2','p1',1,900,'2023-05-01',NULL,'year','2025-05-01',NULL)",
                     NULL, NULL, NULL),
        SQLITE_OK);
    xs_store_close(st);
    st = NULL;
    CHECK_INT(xs_store_open(&st, path, &e), XS_OK);
    if (!st) return;
    CHECK_INT(st->schema_version, builtin[n - 1].version);
    CHECK_INT(query1(st, "SELECT count(*) FROM schema_migrations WHERE version = 5"), 1);
    CHECK_INT(xs_store_count(st, XS_T_SUBSCRIPTIONS, &e), 3);
    sqlite3_stmt *q = NULL;
    CHECK_INT(sqlite3_prepare_v2(
                  st->db,
                  "SELECT group_concat(customer_id || ',' || product_id || ',' ||"
                  " quantity || ',' || unit_price || ',' || start_date || ',' ||"
                  " ifnull(end_date, '-') || ',' || typeof(term) || ':' || term || ',' ||"
                  " ifnull(renewal_date, '-') || ',' || ifnull(attrs, '-'), ' ')"
                  " FROM subscriptions",
                  -1, &q, NULL),
              SQLITE_OK);
    CHECK_INT(sqlite3_step(q), SQLITE_ROW);
    CHECK_STR((const char *)sqlite3_column_text(q, 0),
              "C1,p1,2,1000,2024-01-01,-,integer:1,2024-02-01,- "
              "C1,p2,1,12000,2024-01-01,2024-06-30,integer:12,-,{\"po\":\"7\"} "
              "C2,p1,1,900,2023-05-01,-,integer:12,2025-05-01,-");
    sqlite3_finalize(q);
    /* still WITHOUT ROWID with the same key; the copy is gone */
    CHECK_INT(query1(st, "SELECT count(*) FROM sqlite_master WHERE name = 'subscriptions'"
                         " AND sql LIKE '%WITHOUT ROWID%'"
                         " AND sql LIKE '%term INTEGER NOT NULL%'"),
              1);
    CHECK_INT(query1(st, "SELECT count(*) FROM sqlite_master WHERE name LIKE '%_v5'"), 0);
    CHECK_INT(query1(st, "SELECT group_concat(name, ',') = 'customer_id,product_id,"
                         "start_date' FROM (SELECT name FROM pragma_table_info("
                         "'subscriptions') WHERE pk > 0 ORDER BY pk)"),
              1);
    /* the key still refuses a duplicate */
    CHECK(sqlite3_exec(st->db,
                       "INSERT INTO subscriptions(customer_id, product_id, quantity,"
                       " unit_price, start_date, term) VALUES"
                       " ('C1','p1',1,1,'2024-01-01',1)",
                       NULL, NULL, NULL) != SQLITE_OK);
    xs_store_close(st);
    remove_db(path);
}

/* A migration that fails leaves the file at its old version. */
static void test_failed_migration(void)
{
    if (xs_tb_sqlite_only("SQLite's message and sqlite_master")) return;
    const char *path = tmp_path("failmig.db");
    remove_db(path);
    size_t n;
    const xs__store_migration *builtin = xs__store_migrations(&n);
    xs_store *st = NULL;
    xs_error e;
    CHECK_INT(xs_store_open(&st, path, &e), XS_OK);
    xs_store_close(st);
    CHECK(n >= 1 && n < 16);
    if (n < 1 || n >= 16) return;
    xs__store_migration bad[16];
    memcpy(bad, builtin, n * sizeof *bad);
    bad[n] = (xs__store_migration){
        (int)n + 1, "CREATE TABLE extra(x); INSERT INTO nosuch VALUES (1);", NULL};
    CHECK_INT(xs__store_open_with(&st, path, bad, n + 1, &e), XS_EDB);
    CHECK(st == NULL);
    char msg[1200], want[600];
    snprintf(want, sizeof want,
             "%s: migrating to schema version %zu: no such table: nosuch", path, n + 1);
    CHECK_STR(xs_error_format(&e, msg, sizeof msg), want);
    CHECK_INT(xs_store_open(&st, path, &e), XS_OK);
    if (!st) return;
    CHECK_INT(query1(st, "SELECT max(version) FROM schema_migrations"), n);
    CHECK_INT(query1(st, "SELECT count(*) FROM sqlite_master WHERE name = 'extra'"), 0);
    xs_store_close(st);
}

static void test_not_a_store(void)
{
    if (xs_tb_sqlite_only("files that are not SQLite stores")) return;
    const char *path = tmp_path("other.db");
    remove_db(path);
    sqlite3 *db;
    CHECK_INT(sqlite3_open(path, &db), SQLITE_OK);
    CHECK_INT(sqlite3_exec(db, "CREATE TABLE foo(x)", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    xs_store *st;
    xs_error e;
    char msg[1200], want[600];
    CHECK_INT(xs_store_open(&st, path, &e), XS_ESCHEMA);
    snprintf(want, sizeof want,
             "%s: not an xsell store: it holds tables but no schema_migrations", path);
    CHECK_STR(xs_error_format(&e, msg, sizeof msg), want);

    const char *junk = tmp_path("junk.db");
    remove_db(junk);
    FILE *f = fopen(junk, "w");
    for (int i = 0; i < 200; i++)
        fputs("this is not a database file at all\n", f);
    fclose(f);
    CHECK_INT(xs_store_open(&st, junk, &e), XS_EDB);
    snprintf(want, sizeof want, "%s: not an SQLite database", junk);
    CHECK_STR(xs_error_format(&e, msg, sizeof msg), want);

    CHECK_INT(xs_store_open(&st, "/nonexistent-dir/x.db", &e), XS_EDB);
    CHECK_STR(
        xs_error_format(&e, msg, sizeof msg),
        "/nonexistent-dir/x.db: cannot open the store: unable to open database file");
}

static void test_meta_currency(void)
{
    const char *path = xs_tb_store("meta.db");
    xs_store *st = NULL;
    xs_error e;
    char buf[32], msg[1200];
    CHECK_INT(xs_store_open(&st, path, &e), XS_OK);
    if (!st) return;
    CHECK_INT(xs__store_meta_get(st, "currency", buf, sizeof buf, &e), 0);
    CHECK_INT(xs__store_meta_set(st, "k", "v1", &e), XS_OK);
    CHECK_INT(xs__store_meta_set(st, "k", "v2", &e), XS_OK);
    CHECK_INT(xs__store_meta_get(st, "k", buf, sizeof buf, &e), 1);
    CHECK_STR(buf, "v2");
    /* default digits of a code */
    CHECK_INT(xs__store_use_currency(st, "JPY", -1, &e), XS_OK);
    CHECK_STR(st->currency, "JPY");
    CHECK_INT(st->money_scale, 0);
    CHECK_INT(xs__store_meta_get(st, "money_scale", buf, sizeof buf, &e), 1);
    CHECK_STR(buf, "0");
    /* agreeing again is fine; no code means "whatever the store has" */
    CHECK_INT(xs__store_use_currency(st, "JPY", 0, &e), XS_OK);
    CHECK_INT(xs__store_use_currency(st, NULL, -1, &e), XS_OK);
    CHECK_INT(xs__store_use_currency(st, "USD", 2, &e), XS_EINVAL);
    CHECK_STR(xs_error_format(&e, msg, sizeof msg),
              "currency: the store uses JPY:0, got \"USD:2\"");
    CHECK_INT(xs__store_use_currency(st, "JPY", 2, &e), XS_EINVAL);
    xs_store_close(st);
    CHECK_INT(xs_store_open(&st, path, &e), XS_OK);
    if (!st) return;
    CHECK_STR(st->currency, "JPY");
    CHECK_INT(st->money_scale, 0);
    CHECK_INT(st->has_currency, 1);
    xs_store_close(st);

    /* a fresh store without a code takes the default USD:2 */
    const char *p2 = xs_tb_store("meta2.db");
    CHECK_INT(xs_store_open(&st, p2, &e), XS_OK);
    if (!st) return;
    CHECK_INT(xs__store_use_currency(st, NULL, -1, &e), XS_OK);
    CHECK_INT(xs__store_meta_get(st, "currency", buf, sizeof buf, &e), 1);
    CHECK_STR(buf, "USD");
    CHECK_INT(xs__store_use_currency(st, "BHD", -1, &e), XS_EINVAL);
    xs_store_close(st);
}

static void test_count(void)
{
    const char *path = xs_tb_store("count.db");
    xs_store *st = NULL;
    xs_error e;
    CHECK_INT(xs_store_open(&st, path, &e), XS_OK);
    if (!st) return;
    CHECK_INT(xs__store_db_exec(
                  st, "INSERT INTO products(product_id, kind, price, billing) VALUES"
                      " ('a', 'plan', 100, 'month'), ('b', 'addon', 5, 'month')"),
              XS__DB_OK);
    CHECK_INT(xs_store_count(st, XS_T_PRODUCTS, &e), 2);
    CHECK_INT(xs_store_count(st, XS_T_ORDERS, &e), 0);
    CHECK_INT(xs_store_count(st, XS_N_TABLES, &e), XS_EINVAL);
    xs_store_close(st);
}

/* Out of memory while opening: a clean error, nothing leaked. */
static void test_open_oom(void)
{
    const char *path = xs_tb_store("oom.db");
    xs_store *st = NULL;
    xs_error e;
    for (long n = 0; n < 10; n++) {
        xs__alloc_fail_after(n);
        int rc = xs_store_open(&st, path, &e);
        xs__alloc_fail_after(-1);
        if (rc == XS_OK) {
            xs_store_close(st);
            break;
        }
        CHECK_INT(rc, XS_ENOMEM);
        CHECK(st == NULL);
    }
}

/* Reads a whole file into a malloc'd buffer (*n its length); NULL: none. */
static char *slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    char *b = NULL;
    size_t cap = 0;
    *n = 0;
    for (;;) {
        if (*n == cap) {
            cap = cap ? 2 * cap : 65536;
            b = realloc(b, cap);
        }
        size_t k = fread(b + *n, 1, cap - *n, f);
        if (!k) break;
        *n += k;
    }
    fclose(f);
    return b;
}

/* The read-only open: reads a current store, never writes (a write through
 * the handle fails and the file keeps its bytes), does not migrate an older
 * store, create a missing one or give a schema to an empty file. */
static void test_open_readonly(void)
{
    if (xs_tb_sqlite_only("read-only files (test_store_pg.c: a read-only session)"))
        return;
    const char *path = tmp_path("ro.db");
    remove_db(path);
    xs_store *st = NULL;
    xs_error e;
    char msg[1200], want[600];
    CHECK_INT(xs_store_open(&st, path, &e), XS_OK);
    if (!st) return;
    CHECK_INT(sqlite3_exec(st->db,
                           "INSERT INTO customers(customer_id, signup_date) "
                           "VALUES ('C1', '2024-01-01')",
                           NULL, NULL, NULL),
              SQLITE_OK);
    CHECK_INT(xs__store_use_currency(st, "JPY", -1, &e), XS_OK);
    xs_store_close(st);
    size_t n0 = 0, n1 = 0;
    char *before = slurp(path, &n0);
    CHECK(before != NULL);

    st = NULL;
    CHECK_INT(xs_store_open_readonly(&st, path, &e), XS_OK);
    if (!st) return;
    size_t v;
    xs__store_migrations(&v);
    CHECK_INT(st->schema_version, v);
    CHECK_INT(xs_store_count(st, XS_T_CUSTOMERS, &e), 1);
    CHECK_STR(st->currency, "JPY");
    CHECK_INT(st->money_scale, 0);
    /* writes fail: the data, the meta table, a transaction */
    CHECK(sqlite3_exec(st->db, "DELETE FROM customers", NULL, NULL, NULL) != SQLITE_OK);
    CHECK(sqlite3_exec(st->db, "CREATE TABLE x(a)", NULL, NULL, NULL) != SQLITE_OK);
    CHECK_INT(xs__store_meta_set(st, "currency", "EUR", &e), XS_EDB);
    CHECK(sqlite3_exec(st->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK);
    CHECK_INT(xs_store_count(st, XS_T_CUSTOMERS, &e), 1);
    xs_store_close(st);
    char *after = slurp(path, &n1);
    CHECK(after != NULL && n0 == n1 && !memcmp(before, after, n0));
    free(before);
    free(after);

    /* an older store is refused, not migrated */
    const char *old = tmp_path("ro_old.db");
    remove_db(old);
    size_t n;
    const xs__store_migration *builtin = xs__store_migrations(&n);
    CHECK_INT(xs__store_open_with(&st, old, builtin, 1, &e), XS_OK);
    xs_store_close(st);
    st = (xs_store *)1;
    CHECK_INT(xs_store_open_readonly(&st, old, &e), XS_ESCHEMA);
    CHECK(st == NULL);
    snprintf(want, sizeof want,
             "%s: store schema version 1 needs upgrading to %zu, which this read-only "
             "command does not do: run a command that writes (e.g. xsell import) once",
             old, n);
    CHECK_STR(xs_error_format(&e, msg, sizeof msg), want);
    CHECK_INT(xs__store_open_with(&st, old, builtin, 1, &e), XS_OK);
    if (st) CHECK_INT(query1(st, "SELECT max(version) FROM schema_migrations"), 1);
    xs_store_close(st);

    /* a missing file is not created, an empty one gets no schema */
    const char *none = tmp_path("ro_none.db");
    remove_db(none);
    CHECK_INT(xs_store_open_readonly(&st, none, &e), XS_ENOTFOUND);
    snprintf(want, sizeof want, "%s: no such store", none);
    CHECK_STR(xs_error_format(&e, msg, sizeof msg), want);
    CHECK(access(none, F_OK) != 0);
    const char *empty = tmp_path("ro_empty.db");
    remove_db(empty);
    FILE *f = fopen(empty, "w");
    if (f) fclose(f);
    CHECK_INT(xs_store_open_readonly(&st, empty, &e), XS_ESCHEMA);
    snprintf(want, sizeof want,
             "%s: empty store (no schema yet): import data into it first", empty);
    CHECK_STR(xs_error_format(&e, msg, sizeof msg), want);
    size_t ne = 1;
    free(slurp(empty, &ne));
    CHECK_INT(ne, 0);
    /* junk is still "not an SQLite database" */
    const char *junk = tmp_path("ro_junk.db");
    f = fopen(junk, "w");
    for (int i = 0; f && i < 200; i++)
        fputs("this is not a database file at all\n", f);
    if (f) fclose(f);
    CHECK_INT(xs_store_open_readonly(&st, junk, &e), XS_EDB);
    snprintf(want, sizeof want, "%s: not an SQLite database", junk);
    CHECK_STR(xs_error_format(&e, msg, sizeof msg), want);
}

static long long data_version(xs_store *st)
{
    char buf[32];
    int rc = xs__store_meta_get(st, "data_version", buf, sizeof buf, NULL);
    return rc == 1 ? atoll(buf) : rc == 0 ? 0 : -1;
}

/* Every committed write transaction adds one to meta data_version; a
 * rolled-back one, a migration and a read do not. */
static void test_data_version(void)
{
    const char *path = xs_tb_store("dv.db");
    xs_store *st = NULL;
    CHECK_INT(xs_store_open(&st, path, NULL), XS_OK);
    if (!st) return;
    CHECK_INT(data_version(st), 0);
    for (int i = 1; i <= 3; i++) {
        CHECK_INT(xs__store_begin(st, NULL), XS_OK);
        CHECK_INT(xs__store_meta_set(st, "probe", "x", NULL), XS_OK);
        CHECK_INT(xs__store_commit(st, NULL), XS_OK);
        CHECK_INT(data_version(st), i);
    }
    CHECK_INT(xs__store_begin(st, NULL), XS_OK);
    CHECK_INT(xs__store_meta_set(st, "probe", "y", NULL), XS_OK);
    xs__store_rollback(st);
    CHECK_INT(data_version(st), 3);
    CHECK_INT(xs_store_count(st, XS_T_ORDERS, NULL), 0);
    xs_store_close(st);
    CHECK_INT(xs_store_open(&st, path, NULL), XS_OK);
    if (!st) return;
    CHECK_INT(data_version(st), 3);
    xs_store_close(st);
}

/* The row API: key order, typed values, NULL filter, counts, and its
 * errors with their messages. */
static void test_rows(void)
{
    const char *path = xs_tb_store("rows.db");
    xs_store *st = NULL;
    CHECK_INT(xs_store_open(&st, path, NULL), XS_OK);
    if (!st) return;
    CHECK_INT(xs__store_db_exec(
                  st, "INSERT INTO returns(return_id, product_id, customer_id, date,"
                      " quantity, amount) VALUES ('R2', 'p', 'C1', '2024-01-02', 1, 250),"
                      " ('R1', 'q', NULL, '2024-01-01', 2, 100),"
                      " ('R1', 'p', 'C2', '2024-01-01', 3, 75)"),
              XS__DB_OK);
    long long n = -1;
    CHECK_INT(xs__store_rows_count(st, XS_T_RETURNS, NULL, &n, NULL), XS_OK);
    CHECK_INT(n, 3);
    CHECK_INT(xs__store_rows_count(st, XS_T_RETURNS, "customer_id", &n, NULL), XS_OK);
    CHECK_INT(n, 2);
    static const char *const cols[] = {"return_id", "product_id", "customer_id",
                                       "amount"};
    xs__store_rows r;
    xs_error e;
    CHECK_INT(xs__store_rows_open(st, XS_T_RETURNS, cols, 4, NULL, &r, &e), XS_OK);
    char got[256] = "";
    size_t o = 0;
    while (xs__store_rows_next(&r, &e) == 1)
        o += (size_t)snprintf(got + o, sizeof got - o, "%s/%s/%s/%lld;",
                              xs__store_rows_text(&r, 0), xs__store_rows_text(&r, 1),
                              xs__store_rows_is_null(&r, 2) ? "-"
                                                            : xs__store_rows_text(&r, 2),
                              (long long)xs__store_rows_int64(&r, 3));
    CHECK_STR(got, "R1/p/C2/75;R1/q/-/100;R2/p/C1/250;");
    xs__store_rows_close(&r);
    xs__store_rows_close(&r); /* twice is fine */
    static const char *const bad[] = {"return_id", "nosuch"};
    CHECK_INT(xs__store_rows_open(st, XS_T_RETURNS, bad, 2, NULL, &r, &e), XS_EINVAL);
    CHECK_STR(e.message, "table returns has no column nosuch");
    xs__store_rows_close(&r);
    CHECK_INT(xs__store_rows_open(st, XS_T_RETURNS, cols, 4, "nosuch", &r, &e),
              XS_EINVAL);
    CHECK_STR(e.message, "table returns has no column nosuch");
    /* a store whose table lacks a column is another schema */
    CHECK_INT(xs__store_db_exec(st, "ALTER TABLE returns DROP COLUMN amount"), XS__DB_OK);
    CHECK_INT(xs__store_rows_open(st, XS_T_RETURNS, cols, 4, NULL, &r, &e), XS_ESCHEMA);
    CHECK_STR(e.message,
              "table returns does not have the schema this xsell reads: no such "
              "column: amount");
    xs__store_rows_close(&r);
    CHECK_INT(xs_store_exists(path), 1);
    CHECK_INT(xs_store_exists(tmp_path("absent.db")), 0);
    CHECK_INT(xs_store_exists("postgresql://"), 1);
    CHECK_INT(xs_store_is_url("postgres://h/db"), 1);
    CHECK_INT(xs_store_is_url(path), xs_tb_is_pg());
    xs_store_close(st);
}

static const xs_test tests[] = {
    {"open_creates", test_open_creates},
    {"defs_match_schema", test_defs_match_schema},
    {"table_names", test_table_names},
    {"upgrade", test_upgrade},
    {"upgrade_terms", test_upgrade_terms},
    {"failed_migration", test_failed_migration},
    {"not_a_store", test_not_a_store},
    {"meta_currency", test_meta_currency},
    {"count", test_count},
    {"open_oom", test_open_oom},
    {"open_readonly", test_open_readonly},
    {"data_version", test_data_version},
    {"rows", test_rows},
};

int main(void)
{
    snprintf(dir, sizeof dir, "/tmp/xs_store_XXXXXX");
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    int rc = xs_tb_init(dir);
    if (rc == 0) rc = xs_test_run(tests, XS_N(tests));
    xs_tb_cleanup();
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", dir);
    return rc;
}
