/*
 * sqlite.c — opening and closing a store (an SQLite file, or a PostgreSQL
 * database named by a postgresql:// or postgres:// URL), migrating its
 * schema, the meta table (currency, money scale, data_version), row counts
 * and transactions. Statements go through the database layer (db.h); how
 * each backend's connection is opened is in db_sqlite.c and db_pg.c, the
 * SQL that differs between them in dialect.c.
 *
 * The schema is created and upgraded by the migrations of schema.c; the
 * versions applied are recorded in schema_migrations, and a store from a
 * newer build (a version this build does not know) is refused with
 * XS_ESCHEMA rather than misread. Commands that only read open the store
 * read-only (xs_store_open_readonly): no migration, no write possible.
 *
 * A write waits for another connection's write lock at most the busy
 * timeout (XS_STORE_BUSY_MS, or xs_store_set_busy_timeout), then fails with
 * XS_EBUSY, which xs__store_dberr() gives for SQLite's SQLITE_BUSY and for
 * PostgreSQL's lock_not_available alike; readers never wait for a writer
 * (SQLite's WAL, PostgreSQL's MVCC). On PostgreSQL the write lock is one
 * advisory lock per database (dialect.c).
 *
 * Every committed write transaction (xs__store_commit) adds one to meta
 * data_version, so a model built from the store can tell whether the store
 * changed since (the migrations, which change no data, do not count).
 *
 * Everything here is prepared statements over static SQL text; no value from
 * the user is ever spliced into SQL.
 */
#include "store/db.h"
#include "base/date.h"
#include "store/dialect.h"
#include "store/rows.h"
#include "store/store_int.h"

#include "base/alloc.h"
#include "base/error.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>


/* Contract in store_int.h / xsell.h. */
int xs__store_dberr(xs_store *st, const char *what, xs_error *err)
{
    /* another connection held the write lock past the busy timeout: its own
     * code, so the CLI can say "try again" and the server answer 503 */
    if (st && (st->db || st->pg) && xs__store_db_busy(st))
        return xs__error_set(err, XS_EBUSY, st->path, 0, NULL,
                             "store is busy (locked by another process); try again");
    if (st && (st->db || st->pg) && xs__store_db_nomem(st))
        return xs__error_set(err, XS_ENOMEM, NULL, 0, NULL, "out of memory");
    const char *msg = st && (st->db || st->pg) ? xs__store_db_errmsg(st) : "no database";
    return xs__error_set(err, XS_EDB, st ? st->path : NULL, 0, NULL, "%s: %s", what, msg);
}

/* Runs static SQL text (one or more statements, no results wanted). */
static int exec_sql(xs_store *st, const char *sql, const char *what, xs_error *err)
{
    if (xs__store_db_exec(st, sql) != XS__DB_OK) return xs__store_dberr(st, what, err);
    return XS_OK;
}

/* Runs a query returning one integer (first column of the first row);
 * *out = dflt when there is no row or the value is NULL. */
static int query_int(xs_store *st, const char *sql, long long dflt, long long *out,
                     xs_error *err)
{
    xs__store_stmt *s = NULL;
    if (xs__store_db_prepare(st, sql, -1, &s) != XS__DB_OK)
        return xs__store_dberr(st, "reading the store", err);
    int rc = xs__store_db_step(s);
    if (rc == XS__DB_ROW) {
        *out = xs__store_db_column_type(s, 0) == XS__DB_NULL
                   ? dflt
                   : xs__store_db_column_int64(s, 0);
    } else if (rc == XS__DB_DONE) {
        *out = dflt;
    } else {
        rc = xs__store_dberr(st, "reading the store", err);
        xs__store_db_finalize(s);
        return rc;
    }
    xs__store_db_finalize(s);
    return XS_OK;
}

/* Contract in rows.h. */
void xs__store_scan_cache(xs_store *st, int on)
{
    if (!st->pg) xs__store_sqlite_scan(st, on); /* PostgreSQL: the server's settings */
}

/* Contract in store_int.h / xsell.h. */
void xs__store_bulk(xs_store *st, int on)
{
    /* during a bulk load a small cache is enough (rows arrive in key order,
     * so only the rightmost pages are hot) and dirty pages spill to the WAL
     * early instead of all sitting in memory until the commit */
    if (!st->pg) xs__store_sqlite_bulk(st, on); /* PostgreSQL: the server's settings */
}

/* Contract in store_int.h / xsell.h. */
int xs__store_begin(xs_store *st, xs_error *err)
{
    int rc = exec_sql(st, xs__store_dialect(st, XS__SQL_BEGIN_WRITE),
                      "starting a transaction", err);
    /* on PostgreSQL the BEGIN went through and the lock did not: end that
     * failed transaction, or every later statement on the connection (a
     * read too) is refused until one does */
    if (rc < 0) xs__store_rollback(st);
    return rc;
}

/* Contract in store_int.h / xsell.h. */
int xs__store_commit(xs_store *st, xs_error *err)
{
    /* in the transaction it counts, so the number and the data agree */
    int rc = exec_sql(st,
                      "INSERT INTO meta(key, value) VALUES ('data_version', '1')"
                      " ON CONFLICT(key) DO UPDATE SET"
                      " value = CAST(CAST(meta.value AS BIGINT) + 1 AS TEXT)",
                      "counting the change", err);
    if (rc < 0) return rc;
    return exec_sql(st, "COMMIT", "committing", err);
}

/* Contract in store_int.h / xsell.h. */
void xs__store_rollback(xs_store *st)
{
    if (st && (st->db || st->pg) && xs__store_db_in_txn(st))
        xs__store_db_exec(st, "ROLLBACK");
}

/* ---------------------------------------------------------------------- */
/* Migrations                                                             */
/* ---------------------------------------------------------------------- */

/* Current version of the file: 0 for an empty file; XS_ESCHEMA when the file
 * holds tables but no schema_migrations (not an xsell store). */
static int read_version(xs_store *st, long long *version, xs_error *err)
{
    long long has_mig = 0, n_tables = 0;
    int rc =
        query_int(st, xs__store_dialect(st, XS__SQL_HAS_MIGRATIONS), 0, &has_mig, err);
    if (rc < 0) return rc;
    if (!has_mig) {
        rc =
            query_int(st, xs__store_dialect(st, XS__SQL_COUNT_TABLES), 0, &n_tables, err);
        if (rc < 0) return rc;
        if (n_tables > 0)
            return xs__error_set(err, XS_ESCHEMA, st->path, 0, NULL,
                                 "not an xsell store: it holds tables but no "
                                 "schema_migrations");
        *version = 0;
        return XS_OK;
    }
    return query_int(st, "SELECT max(version) FROM schema_migrations", 0, version, err);
}

/* Applies the migrations of list that the file lacks, in one transaction
 * (so a crash mid-upgrade leaves the old version intact). */
static int migrate(xs_store *st, const xs__store_migration *list, size_t n_list,
                   xs_error *err)
{
    long long version = 0;
    int latest = n_list ? list[n_list - 1].version : 0;
    int rc = read_version(st, &version, err);
    if (rc < 0) return rc;
    if (version > latest)
        return xs__error_set(err, XS_ESCHEMA, st->path, 0, NULL,
                             "store schema version %lld is newer than this xsell "
                             "supports (%d); use a newer xsell",
                             version, latest);
    if (version == latest) {
        st->schema_version = (int)version;
        return XS_OK;
    }
    rc = xs__store_begin(st, err);
    if (rc < 0) return rc;
    /* another process may have migrated while we waited for the lock */
    rc = read_version(st, &version, err);
    if (rc < 0) goto cleanup;
    static const xs__store_migration mig_table = {
        0,
        "CREATE TABLE IF NOT EXISTS schema_migrations("
        "version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)",
        NULL};
    char *ddl = xs__store_dialect_migration(st, &mig_table);
    rc = ddl ? exec_sql(st, ddl, "creating schema_migrations", err)
             : xs__error_set(err, XS_ENOMEM, st->path, 0, NULL, "out of memory");
    xs__free(ddl);
    if (rc < 0) goto cleanup;
    char now[32];
    xs__utc_now(now);
    xs__store_stmt *rec = NULL;
    if (xs__store_db_prepare(
            st, "INSERT INTO schema_migrations(version, applied_at) VALUES (?1, ?2)", -1,
            &rec) != XS__DB_OK) {
        rc = xs__store_dberr(st, "recording a migration", err);
        goto cleanup;
    }
    xs__store_db_bind_text(rec, 2, now, -1);
    for (size_t i = 0; i < n_list; i++) {
        if (list[i].version <= version) continue;
        char what[64];
        snprintf(what, sizeof what, "migrating to schema version %d", list[i].version);
        ddl = xs__store_dialect_migration(st, &list[i]);
        rc = ddl ? exec_sql(st, ddl, what, err)
                 : xs__error_set(err, XS_ENOMEM, st->path, 0, NULL, "out of memory");
        xs__free(ddl);
        if (rc < 0) break;
        xs__store_db_bind_int(rec, 1, list[i].version);
        if (xs__store_db_step(rec) != XS__DB_DONE) {
            rc = xs__store_dberr(st, what, err);
            break;
        }
        xs__store_db_reset(rec);
    }
    xs__store_db_finalize(rec);
    if (rc < 0) goto cleanup;
    /* not xs__store_commit: a migration changes no data (data_version) */
    rc = exec_sql(st, "COMMIT", "committing", err);
    if (rc < 0) goto cleanup;
    st->schema_version = latest;
    return XS_OK;
cleanup:
    xs__store_rollback(st);
    return rc;
}

/* ---------------------------------------------------------------------- */
/* Meta                                                                   */
/* ---------------------------------------------------------------------- */

/* Contract in store_int.h / xsell.h. */
int xs__store_meta_get(xs_store *st, const char *key, char *buf, size_t n, xs_error *err)
{
    xs__store_stmt *s = NULL;
    if (xs__store_db_prepare(st, "SELECT value FROM meta WHERE key = ?1", -1, &s) !=
        XS__DB_OK)
        return xs__store_dberr(st, "reading meta", err);
    xs__store_db_bind_text(s, 1, key, -1);
    int rc = xs__store_db_step(s), found = 0;
    if (rc == XS__DB_ROW) {
        const char *v = (const char *)xs__store_db_column_text(s, 0);
        snprintf(buf, n, "%s", v ? v : "");
        found = 1;
    } else if (rc != XS__DB_DONE) {
        rc = xs__store_dberr(st, "reading meta", err);
        xs__store_db_finalize(s);
        return rc;
    }
    xs__store_db_finalize(s);
    return found;
}

/* Contract in store_int.h / xsell.h. */
int xs__store_meta_set(xs_store *st, const char *key, const char *value, xs_error *err)
{
    xs__store_stmt *s = NULL;
    if (xs__store_db_prepare(st,
                             "INSERT INTO meta(key, value) VALUES (?1, ?2)"
                             " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                             -1, &s) != XS__DB_OK)
        return xs__store_dberr(st, "writing meta", err);
    xs__store_db_bind_text(s, 1, key, -1);
    xs__store_db_bind_text(s, 2, value, -1);
    int rc = xs__store_db_step(s);
    if (rc != XS__DB_DONE) rc = xs__store_dberr(st, "writing meta", err);
    xs__store_db_finalize(s);
    if (rc < 0) return rc;
    return XS_OK;
}

/* Loads currency and money_scale from meta (defaults USD, 2 when absent). */
static int load_meta(xs_store *st, xs_error *err)
{
    char cur[64], scale[32];
    snprintf(st->currency, sizeof st->currency, "USD");
    st->money_scale = 2;
    st->has_currency = 0;
    int rc = xs__store_meta_get(st, "currency", cur, sizeof cur, err);
    if (rc < 0) return rc;
    if (rc == 0) return XS_OK;
    int rc2 = xs__store_meta_get(st, "money_scale", scale, sizeof scale, err);
    if (rc2 < 0) return rc2;
    char *end;
    long sc = rc2 ? strtol(scale, &end, 10) : -1;
    if (strlen(cur) != 3 || !rc2 || *end || sc < 0 || sc > 9)
        return xs__error_set(err, XS_ESCHEMA, st->path, 0, NULL,
                             "meta holds an invalid currency \"%s\" / money_scale \"%s\"",
                             cur, rc2 ? scale : "");
    memcpy(st->currency, cur, 4); /* 3 letters and the NUL, checked above */
    st->money_scale = (int)sc;
    st->has_currency = 1;
    return XS_OK;
}

/* Usual fraction digits of ISO 4217 codes that are not 2. */
static int default_digits(const char *code)
{
    static const struct {
        const char code[4];
        int digits;
    } table[] = {
        {"JPY", 0}, {"KRW", 0}, {"VND", 0}, {"CLP", 0}, {"ISK", 0}, {"PYG", 0},
        {"UGX", 0}, {"XAF", 0}, {"XOF", 0}, {"BHD", 3}, {"KWD", 3}, {"OMR", 3},
        {"JOD", 3}, {"TND", 3}, {"LYD", 3}, {"IQD", 3},
    };
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
        if (!strcmp(code, table[i].code)) return table[i].digits;
    return 2;
}

/* Contract in store_int.h. */
int xs__store_money_scale_for(const xs_store *st, const char *code, int digits)
{
    if (st->has_currency || !code) return st->money_scale;
    return digits >= 0 ? digits : default_digits(code);
}

/* Contract in store_int.h / xsell.h. */
int xs__store_use_currency(xs_store *st, const char *code, int digits, xs_error *err)
{
    char want[8];
    int want_digits;
    if (code) {
        if (strlen(code) != 3)
            return xs__error_param(err, XS_EINVAL, NULL, "currency",
                                   "expected a 3-letter code, got \"%s\"", code);
        memcpy(want, code, 4);
        want_digits = digits >= 0 ? digits : default_digits(want);
    } else {
        memcpy(want, st->currency, sizeof want);
        want_digits = st->money_scale;
    }
    if (st->has_currency) {
        if (code && (strcmp(want, st->currency) || want_digits != st->money_scale))
            return xs__error_param(err, XS_EINVAL, NULL, "currency",
                                   "the store uses %s:%d, got \"%s:%d\"", st->currency,
                                   st->money_scale, want, want_digits);
        return XS_OK;
    }
    char sc[16];
    snprintf(sc, sizeof sc, "%d", want_digits);
    int rc = xs__store_meta_set(st, "currency", want, err);
    if (rc == XS_OK) rc = xs__store_meta_set(st, "money_scale", sc, err);
    if (rc < 0) return rc;
    snprintf(st->currency, sizeof st->currency, "%s", want);
    st->money_scale = want_digits;
    st->has_currency = 1;
    return XS_OK;
}

/* ---------------------------------------------------------------------- */
/* Open / close / count                                                   */
/* ---------------------------------------------------------------------- */

/* A URL as messages show it: the password of user:password@ replaced by
 * "***". Caller frees; NULL when out of memory. */
static char *url_for_messages(const char *url)
{
    char *u = xs__malloc(strlen(url) + 4);
    if (!u) return NULL;
    const char *scheme = strstr(url, "://");
    const char *auth = scheme ? scheme + 3 : url;
    const char *at = strchr(auth, '@');
    const char *colon = at ? memchr(auth, ':', (size_t)(at - auth)) : NULL;
    if (!colon) {
        strcpy(u, url);
        return u;
    }
    size_t head = (size_t)(colon + 1 - url);
    memcpy(u, url, head);
    strcpy(u + head, "***");
    strcat(u, at);
    return u;
}

/* Connects st to the PostgreSQL database of url (readonly: every
 * transaction read-only). */
static int open_pg(xs_store *st, const char *url, int readonly, xs_error *err)
{
    char msg[512];
    int rc = xs__store_pg_connect(&st->pg, url, readonly, msg, sizeof msg);
    if (rc == XS__DB_NOMEM)
        return xs__error_set(err, XS_ENOMEM, NULL, 0, NULL, "out of memory");
    if (rc != XS__DB_OK)
        return xs__error_set(err, XS_EDB, st->path, 0, NULL, "cannot open the store: %s",
                             msg);
    return XS_OK;
}

/* A store handle for path (messages name it with any password hidden). */
static xs_store *store_new(const char *path, xs_error *err)
{
    xs_store *st = xs__calloc(1, sizeof *st);
    if (st)
        st->path =
            xs__store_db_is_pg_url(path) ? url_for_messages(path) : xs__strdup(path);
    if (!st || !st->path) {
        xs__free(st);
        xs__error_set(err, XS_ENOMEM, NULL, 0, NULL, "out of memory");
        return NULL;
    }
    return st;
}

/* Contract in store_int.h / xsell.h. */
int xs__store_open_with(xs_store **out, const char *path, const xs__store_migration *list,
                        size_t n_list, xs_error *err)
{
    *out = NULL;
    xs_store *st = store_new(path, err);
    if (!st) return XS_ENOMEM;
    int rc;
    if (xs__store_db_is_pg_url(path)) {
        rc = open_pg(st, path, 0, err);
        if (rc < 0) goto cleanup;
        goto opened;
    }
    rc = xs__store_sqlite_open(st, path, err);
    if (rc < 0) goto cleanup;
opened:
    rc = migrate(st, list, n_list, err);
    if (rc < 0) goto cleanup;
    rc = load_meta(st, err);
    if (rc < 0) goto cleanup;
    *out = st;
    return XS_OK;
cleanup:
    xs_store_close(st);
    return rc;
}

/* Contract in store_int.h / xsell.h. */
int xs_store_open(xs_store **out, const char *path, xs_error *err)
{
    size_t n;
    const xs__store_migration *list = xs__store_migrations(&n);
    return xs__store_open_with(out, path, list, n, err);
}

/* Contract in store_int.h / xsell.h. */
int xs_store_open_readonly(xs_store **out, const char *path, xs_error *err)
{
    *out = NULL;
    int is_pg = xs__store_db_is_pg_url(path);
    if (!is_pg && access(path, F_OK) != 0)
        return xs__error_set(err, XS_ENOTFOUND, path, 0, NULL, "no such store");
    xs_store *st = store_new(path, err);
    if (!st) return XS_ENOMEM;
    int rc;
    long long version = 0;
    if (is_pg) {
        rc = open_pg(st, path, 1, err);
        if (rc == XS_OK) rc = read_version(st, &version, err);
    } else {
        rc = xs__store_sqlite_open_readonly(st, path, read_version, &version, err);
    }
    if (rc < 0) goto cleanup;
    size_t n;
    const xs__store_migration *list = xs__store_migrations(&n);
    int latest = n ? list[n - 1].version : 0;
    if (version > latest) {
        rc = xs__error_set(err, XS_ESCHEMA, path, 0, NULL,
                           "store schema version %lld is newer than this xsell "
                           "supports (%d); use a newer xsell",
                           version, latest);
        goto cleanup;
    }
    if (version == 0) {
        rc = xs__error_set(err, XS_ESCHEMA, path, 0, NULL,
                           "empty store (no schema yet): import data into it first");
        goto cleanup;
    }
    if (version < latest) {
        rc = xs__error_set(err, XS_ESCHEMA, path, 0, NULL,
                           "store schema version %lld needs upgrading to %d, which this "
                           "read-only command does not do: run a command that writes "
                           "(e.g. xsell import) once",
                           version, latest);
        goto cleanup;
    }
    st->schema_version = latest;
    rc = load_meta(st, err);
    if (rc < 0) goto cleanup;
    *out = st;
    st = NULL;
cleanup:
    xs_store_close(st);
    return rc < 0 ? rc : XS_OK;
}

/* Contract in store_int.h / xsell.h. */
void xs_store_close(xs_store *st)
{
    if (!st) return;
    if (st->db) {
        xs__store_rollback(st);
        xs__store_sqlite_close(st);
    }
    if (st->pg) {
        xs__store_rollback(st);
        xs__store_pg_close(st->pg);
    }
    xs__free(st->path);
    xs__free(st);
}

/* Contract in xsell.h. */
void xs_store_set_busy_timeout(xs_store *st, unsigned ms)
{
    if (st && st->db) xs__store_sqlite_busy_timeout(st, ms);
    if (st && st->pg) xs__store_pg_lock_timeout(st->pg, ms > INT_MAX ? INT_MAX : ms);
}

/* Contract in store_int.h / xsell.h. */
long long xs_store_count(xs_store *st, xs_table_id t, xs_error *err)
{
    const char *name = xs_table_name(t);
    if (!st || !name)
        return xs__error_set(err, XS_EINVAL, NULL, 0, NULL, "no such table (id %d)",
                             (int)t);
    char sql[64]; /* the name comes from the static table list, not the user */
    snprintf(sql, sizeof sql, "SELECT count(*) FROM %s", name);
    long long n = 0;
    int rc = query_int(st, sql, 0, &n, err);
    return rc < 0 ? rc : n;
}

/* Contract in xsell.h. */
int xs_store_is_url(const char *path)
{
    return xs__store_db_is_pg_url(path);
}

/* Contract in xsell.h. */
int xs_store_exists(const char *path)
{
    if (!path) return 0;
    return xs__store_db_is_pg_url(path) || access(path, R_OK) == 0;
}

/* ---------------------------------------------------------------------- */
/* Read transactions and the schema version (contract in rows.h)          */
/* ---------------------------------------------------------------------- */

int xs__store_read_begin(xs_store *st, int *began, xs_error *err)
{
    *began = 0;
    if (xs__store_db_in_txn(st)) return XS_OK;
    int rc = exec_sql(st, xs__store_dialect(st, XS__SQL_BEGIN_READ),
                      "starting a read transaction", err);
    if (rc == XS_OK) *began = 1;
    return rc;
}

void xs__store_read_end(xs_store *st, int began)
{
    if (began && xs__store_db_in_txn(st)) xs__store_db_exec(st, "ROLLBACK");
}

int xs__store_version(xs_store *st, long long *v, xs_error *err)
{
    xs__store_stmt *s = NULL;
    if (xs__store_db_prepare(st, "SELECT max(version) FROM schema_migrations", -1, &s) !=
        XS__DB_OK)
        return xs__error_set(err, XS_ESCHEMA, st->path, 0, NULL, "not an xsell store: %s",
                             xs__store_db_errmsg(st));
    int rc = xs__store_db_step(s);
    if (rc != XS__DB_ROW) {
        rc = xs__error_set(err, XS_EDB, st->path, 0, NULL,
                           "reading the schema version: %s", xs__store_db_errmsg(st));
    } else if (xs__store_db_column_type(s, 0) == XS__DB_NULL) {
        rc = 0;
    } else {
        *v = xs__store_db_column_int64(s, 0);
        rc = 1;
    }
    xs__store_db_finalize(s);
    return rc;
}
