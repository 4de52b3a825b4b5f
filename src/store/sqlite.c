/*
 * sqlite.c — opening and closing the SQLite store, migrating its schema,
 * the meta table (currency, money scale), row counts and transactions.
 *
 * A store is one SQLite file in WAL mode with synchronous=NORMAL: a commit
 * is durable against a killed process (the WAL holds it) and a transaction
 * that did not commit leaves no trace. The schema is created and upgraded by
 * the migrations of schema.c; the versions applied are recorded in
 * schema_migrations, and a file from a newer build (a version this build
 * does not know) is refused with XS_ESCHEMA rather than misread.
 *
 * A write waits for another connection's write lock at most the busy
 * timeout (XS_STORE_BUSY_MS, or xs_store_set_busy_timeout), then fails with
 * XS_EBUSY, which xs__store_dberr() gives for any SQLITE_BUSY; readers never
 * wait for a writer in WAL mode.
 *
 * Everything here is prepared statements over static SQL text; no value from
 * the user is ever spliced into SQL.
 *
 * Commands that only read open the store read-only (xs_store_open_readonly):
 * SQLITE_OPEN_READONLY plus PRAGMA query_only, no migration, no journal-mode
 * change, so they work on a file or directory they cannot write. A WAL file
 * needs its -shm index, which a read-only directory cannot hold; when the
 * store was closed cleanly (no -wal file left, or an empty one) it is then
 * opened as immutable, which needs neither. (In a writable directory a
 * read-only connection leaves an empty -wal and the -shm behind, as SQLite
 * readers do; the next writer removes them.)
 */
#include "store/store_int.h"

#include "base/alloc.h"
#include "base/error.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define XS__CACHE_KIB 65536      /* page cache of a store connection */
#define XS__BULK_CACHE_KIB 16384 /* ... while a bulk import runs */
#define STR_(x) #x
#define STR(x) STR_(x)

/* Contract in store_int.h / xsell.h. */
int xs__store_dberr(xs_store *st, const char *what, xs_error *err)
{
    /* another connection held the write lock past the busy timeout: its own
     * code, so the CLI can say "try again" and the server answer 503 */
    if (st && st->db && (sqlite3_errcode(st->db) & 0xff) == SQLITE_BUSY)
        return xs__error_set(err, XS_EBUSY, st->path, 0, NULL,
                             "store is busy (locked by another process); try again");
    const char *msg = st && st->db ? sqlite3_errmsg(st->db) : "no database";
    return xs__error_set(err, XS_EDB, st ? st->path : NULL, 0, NULL, "%s: %s", what, msg);
}

/* Runs static SQL text (one or more statements, no results wanted). */
static int exec_sql(xs_store *st, const char *sql, const char *what, xs_error *err)
{
    if (sqlite3_exec(st->db, sql, NULL, NULL, NULL) != SQLITE_OK)
        return xs__store_dberr(st, what, err);
    return XS_OK;
}

/* Runs a query returning one integer (first column of the first row);
 * *out = dflt when there is no row or the value is NULL. */
static int query_int(xs_store *st, const char *sql, long long dflt, long long *out,
                     xs_error *err)
{
    sqlite3_stmt *s = NULL;
    if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK)
        return xs__store_dberr(st, "reading the store", err);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        *out =
            sqlite3_column_type(s, 0) == SQLITE_NULL ? dflt : sqlite3_column_int64(s, 0);
    } else if (rc == SQLITE_DONE) {
        *out = dflt;
    } else {
        sqlite3_finalize(s);
        return xs__store_dberr(st, "reading the store", err);
    }
    sqlite3_finalize(s);
    return XS_OK;
}

/* Contract in store_int.h / xsell.h. */
void xs__store_bulk(xs_store *st, int on)
{
    /* during a bulk load a small cache is enough (rows arrive in key order,
     * so only the rightmost pages are hot) and dirty pages spill to the WAL
     * early instead of all sitting in memory until the commit */
    char sql[64]; /* a number of ours, not user data */
    int kib = st->bulk_cache_kib > 0 ? st->bulk_cache_kib : XS__BULK_CACHE_KIB;
    snprintf(sql, sizeof sql, "PRAGMA cache_size=-%d", on ? kib : XS__CACHE_KIB);
    sqlite3_exec(st->db, sql, NULL, NULL, NULL);
}

/* Contract in store_int.h / xsell.h. */
int xs__store_begin(xs_store *st, xs_error *err)
{
    return exec_sql(st, "BEGIN IMMEDIATE", "starting a transaction", err);
}

/* Contract in store_int.h / xsell.h. */
int xs__store_commit(xs_store *st, xs_error *err)
{
    return exec_sql(st, "COMMIT", "committing", err);
}

/* Contract in store_int.h / xsell.h. */
void xs__store_rollback(xs_store *st)
{
    if (st && st->db && !sqlite3_get_autocommit(st->db))
        sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
}

/* ---------------------------------------------------------------------- */
/* Migrations                                                             */
/* ---------------------------------------------------------------------- */

/* Current version of the file: 0 for an empty file; XS_ESCHEMA when the file
 * holds tables but no schema_migrations (not an xsell store). */
static int read_version(xs_store *st, long long *version, xs_error *err)
{
    long long has_mig = 0, n_tables = 0;
    int rc = query_int(st,
                       "SELECT count(*) FROM sqlite_master WHERE type = 'table'"
                       " AND name = 'schema_migrations'",
                       0, &has_mig, err);
    if (rc < 0) return rc;
    if (!has_mig) {
        rc = query_int(st, "SELECT count(*) FROM sqlite_master", 0, &n_tables, err);
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
static int migrate(xs_store *st, const xs__migration *list, size_t n_list, xs_error *err)
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
    rc = exec_sql(st,
                  "CREATE TABLE IF NOT EXISTS schema_migrations("
                  "version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)",
                  "creating schema_migrations", err);
    if (rc < 0) goto cleanup;
    sqlite3_stmt *rec = NULL;
    if (sqlite3_prepare_v2(st->db,
                           "INSERT INTO schema_migrations(version, applied_at) VALUES"
                           " (?1, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))",
                           -1, &rec, NULL) != SQLITE_OK) {
        rc = xs__store_dberr(st, "recording a migration", err);
        goto cleanup;
    }
    for (size_t i = 0; i < n_list; i++) {
        if (list[i].version <= version) continue;
        char what[64];
        snprintf(what, sizeof what, "migrating to schema version %d", list[i].version);
        rc = exec_sql(st, list[i].sql, what, err);
        if (rc < 0) break;
        sqlite3_bind_int(rec, 1, list[i].version);
        if (sqlite3_step(rec) != SQLITE_DONE) {
            rc = xs__store_dberr(st, what, err);
            break;
        }
        sqlite3_reset(rec);
    }
    sqlite3_finalize(rec);
    if (rc < 0) goto cleanup;
    rc = xs__store_commit(st, err);
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
    sqlite3_stmt *s = NULL;
    if (sqlite3_prepare_v2(st->db, "SELECT value FROM meta WHERE key = ?1", -1, &s,
                           NULL) != SQLITE_OK)
        return xs__store_dberr(st, "reading meta", err);
    sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
    int rc = sqlite3_step(s), found = 0;
    if (rc == SQLITE_ROW) {
        const char *v = (const char *)sqlite3_column_text(s, 0);
        snprintf(buf, n, "%s", v ? v : "");
        found = 1;
    } else if (rc != SQLITE_DONE) {
        sqlite3_finalize(s);
        return xs__store_dberr(st, "reading meta", err);
    }
    sqlite3_finalize(s);
    return found;
}

/* Contract in store_int.h / xsell.h. */
int xs__store_meta_set(xs_store *st, const char *key, const char *value, xs_error *err)
{
    sqlite3_stmt *s = NULL;
    if (sqlite3_prepare_v2(st->db,
                           "INSERT OR REPLACE INTO meta(key, value) VALUES (?1, ?2)", -1,
                           &s, NULL) != SQLITE_OK)
        return xs__store_dberr(st, "writing meta", err);
    sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, value, -1, SQLITE_STATIC);
    int rc = sqlite3_step(s);
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE) return xs__store_dberr(st, "writing meta", err);
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
            return xs__error_set(err, XS_EINVAL, NULL, 0, "currency",
                                 "expected a 3-letter code, got \"%s\"", code);
        memcpy(want, code, 4);
        want_digits = digits >= 0 ? digits : default_digits(want);
    } else {
        memcpy(want, st->currency, sizeof want);
        want_digits = st->money_scale;
    }
    if (st->has_currency) {
        if (code && (strcmp(want, st->currency) || want_digits != st->money_scale))
            return xs__error_set(err, XS_EINVAL, NULL, 0, "--currency",
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

/* Contract in store_int.h / xsell.h. */
int xs__store_open_with(xs_store **out, const char *path, const xs__migration *list,
                        size_t n_list, xs_error *err)
{
    *out = NULL;
    xs_store *st = xs__calloc(1, sizeof *st);
    if (!st) return xs__error_set(err, XS_ENOMEM, path, 0, NULL, "out of memory");
    st->path = xs__strdup(path);
    if (!st->path) {
        xs__free(st);
        return xs__error_set(err, XS_ENOMEM, path, 0, NULL, "out of memory");
    }
    int rc;
    /* NOMUTEX: a store handle is used by one thread at a time (xsell.h), so
     * SQLite's per-call connection mutex is pure overhead on bulk loads */
    if (sqlite3_open_v2(path, &st->db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                        NULL) != SQLITE_OK) {
        rc = xs__error_set(err, XS_EDB, path, 0, NULL, "cannot open the store: %s",
                           st->db ? sqlite3_errmsg(st->db) : "out of memory");
        goto cleanup;
    }
    sqlite3_busy_timeout(st->db, XS_STORE_BUSY_MS);
    /* WAL: readers do not block the importer; synchronous=NORMAL in WAL is
     * still safe against a killed process (only an OS crash can lose the
     * last commits, never corrupt the file). */
    /* 16 KiB pages (effective for new files only, before WAL is set): a
     * bulk load writes a quarter of the pages and system calls of 4 KiB */
    rc = exec_sql(
        st,
        "PRAGMA page_size=16384; PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
        " PRAGMA cache_size=-" STR(XS__CACHE_KIB) "; PRAGMA temp_store=MEMORY;"
                                                  " PRAGMA foreign_keys=OFF",
        "opening the store", err);
    if (rc < 0) {
        if (sqlite3_errcode(st->db) == SQLITE_NOTADB)
            rc = xs__error_set(err, XS_EDB, path, 0, NULL, "not an SQLite database");
        goto cleanup;
    }
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
    const xs__migration *list = xs__store_migrations(&n);
    return xs__store_open_with(out, path, list, n, err);
}

/* A file: URI for path with query (percent-encoding every byte that is not
 * unreserved or '/'). Caller frees with xs__free; NULL when out of memory. */
static char *file_uri(const char *path, const char *query)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t n = strlen(path);
    char *u = xs__malloc(3 * n + strlen(query) + 16);
    if (!u) return NULL;
    char *o = u;
    memcpy(o, "file:", 5);
    o += 5;
    for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
        unsigned c = *p;
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            c == '/' || c == '-' || c == '_' || c == '.' || c == '~') {
            *o++ = (char)c;
        } else {
            *o++ = '%';
            *o++ = hex[c >> 4];
            *o++ = hex[c & 15];
        }
    }
    strcpy(o, query);
    return u;
}

/* Opens st->db read-only through uri and reads the schema version. Returns
 * XS_OK, or a negative code with err set and the SQLite result code in
 * *sqlite_rc (the connection is left for the caller to close). */
static int open_ro(xs_store *st, const char *uri, long long *version, int *sqlite_rc,
                   xs_error *err)
{
    const int flags = SQLITE_OPEN_READONLY | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX;
    *sqlite_rc = sqlite3_open_v2(uri, &st->db, flags, NULL);
    if (*sqlite_rc != SQLITE_OK)
        return xs__error_set(err, XS_EDB, st->path, 0, NULL, "cannot open the store: %s",
                             st->db ? sqlite3_errmsg(st->db) : "out of memory");
    sqlite3_busy_timeout(st->db, XS_STORE_BUSY_MS);
    int rc = exec_sql(st,
                      "PRAGMA query_only=1; PRAGMA cache_size=-" STR(XS__CACHE_KIB) ";"
                      " PRAGMA temp_store=MEMORY; PRAGMA foreign_keys=OFF",
                      "opening the store", err);
    if (rc == XS_OK) rc = read_version(st, version, err);
    if (rc < 0) *sqlite_rc = sqlite3_extended_errcode(st->db);
    return rc;
}

/* Contract in store_int.h / xsell.h. */
int xs_store_open_readonly(xs_store **out, const char *path, xs_error *err)
{
    *out = NULL;
    if (access(path, F_OK) != 0)
        return xs__error_set(err, XS_ENOTFOUND, path, 0, NULL, "no such store");
    xs_store *st = xs__calloc(1, sizeof *st);
    if (!st) return xs__error_set(err, XS_ENOMEM, path, 0, NULL, "out of memory");
    int rc = XS_ENOMEM, src = SQLITE_OK;
    long long version = 0;
    char *uri = NULL, *wal = NULL;
    struct stat sb;
    st->path = xs__strdup(path);
    uri = st->path ? file_uri(path, "?mode=ro") : NULL;
    wal = xs__malloc(strlen(path) + 5);
    if (!uri || !wal) {
        rc = xs__error_set(err, XS_ENOMEM, path, 0, NULL, "out of memory");
        goto cleanup;
    }
    snprintf(wal, strlen(path) + 5, "%s-wal", path);
    int wal_commits = stat(wal, &sb) == 0 && sb.st_size > 0;
    int shm_trouble;
    rc = open_ro(st, uri, &version, &src, err);
    shm_trouble = (src & 0xff) == SQLITE_CANTOPEN || (src & 0xff) == SQLITE_READONLY;
    if (rc < 0 && shm_trouble && !wal_commits) {
        /* a WAL store in a directory where the -shm index cannot be made
         * (SQLITE_READONLY_CANTINIT and kin); with no -wal file, or an
         * empty one, every commit is in the main file */
        sqlite3_close_v2(st->db);
        st->db = NULL;
        xs__free(uri);
        uri = file_uri(path, "?mode=ro&immutable=1");
        if (!uri) {
            rc = xs__error_set(err, XS_ENOMEM, path, 0, NULL, "out of memory");
            goto cleanup;
        }
        rc = open_ro(st, uri, &version, &src, err);
    }
    if (rc < 0) {
        if ((src & 0xff) == SQLITE_NOTADB)
            rc = xs__error_set(err, XS_EDB, path, 0, NULL, "not an SQLite database");
        else if (shm_trouble && wal_commits)
            rc = xs__error_set(err, XS_EDB, path, 0, NULL,
                               "cannot read the store without writing next to it: "
                               "its -wal file holds commits not yet in the store "
                               "(open it once with write access to fold them in): %s",
                               sqlite3_errmsg(st->db));
        goto cleanup;
    }
    size_t n;
    const xs__migration *list = xs__store_migrations(&n);
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
    xs__free(uri);
    xs__free(wal);
    xs_store_close(st);
    return rc < 0 ? rc : XS_OK;
}

/* Contract in store_int.h / xsell.h. */
void xs_store_close(xs_store *st)
{
    if (!st) return;
    if (st->db) {
        xs__store_rollback(st);
        sqlite3_close_v2(st->db);
    }
    xs__free(st->path);
    xs__free(st);
}

/* Contract in xsell.h. */
void xs_store_set_busy_timeout(xs_store *st, unsigned ms)
{
    if (st && st->db) sqlite3_busy_timeout(st->db, ms > INT_MAX ? INT_MAX : (int)ms);
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
