/*
 * db_sqlite.c — the SQLite half of the database layer (db.h) that is not
 * inline: opening a store file (read-write, or read-only with its
 * fallbacks), its pragmas, preparing and freeing statements, running static
 * SQL, the connection's error and transaction state. The xs__store_db_* calls
 * pick the backend of the store (st->pg set: PostgreSQL, db_pg.c; else the
 * SQLite file). No sqlite3_* call lives outside this file and db.h.
 *
 * A store file is in WAL mode with synchronous=NORMAL: a commit is durable
 * against a killed process (the WAL holds it) and a transaction that did
 * not commit leaves no trace. Commands that only read open the file with
 * SQLITE_OPEN_READONLY plus PRAGMA query_only, so they work on a file or
 * directory they cannot write. A WAL file needs its -shm index, which a
 * read-only directory cannot hold; when the store was closed cleanly (no
 * -wal file left, or an empty one) it is then opened as immutable, which
 * needs neither.
 */
#include "store/db.h"

#include "base/alloc.h"
#include "base/error.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#define XS__CACHE_KIB 65536      /* page cache of a store connection */
#define XS__BULK_CACHE_KIB 16384 /* ... while a bulk import runs */
#define XS__SCAN_CACHE_KIB 8192  /* ... while whole tables are read once */
#define STR_(x) #x
#define STR(x) STR_(x)

int xs__store_db_is_pg_url(const char *path)
{
    return path &&
           (!strncmp(path, "postgresql://", 13) || !strncmp(path, "postgres://", 11));
}

static int prepare(xs_store *st, const char *sql, int len, int scan, xs__store_stmt **out)
{
    *out = NULL;
    if (st->pg) {
        xs__store_pgstmt *p = NULL;
        int rc = xs__store_pg_prepare(st->pg, sql, len, scan, &p);
        if (rc == XS__DB_OK) *out = (xs__store_stmt *)(void *)((uintptr_t)p | 1u);
        return rc;
    }
    sqlite3_stmt *q = NULL;
    int rc = sqlite3_prepare_v2(st->db, sql, len, &q, NULL);
    if (rc != SQLITE_OK) return rc;
    if (!q) return XS__DB_ERROR; /* empty text */
    *out = (xs__store_stmt *)(void *)q;
    return XS__DB_OK;
}

int xs__store_db_prepare(xs_store *st, const char *sql, int len, xs__store_stmt **out)
{
    return prepare(st, sql, len, 0, out);
}

int xs__store_db_prepare_scan(xs_store *st, const char *sql, int len,
                              xs__store_stmt **out)
{
    return prepare(st, sql, len, 1, out);
}

void xs__store_db_finalize(xs__store_stmt *s)
{
    if (!s) return;
    if (xs__store_db_is_pg(s))
        xs__store_pg_finalize(xs__store_db_pg(s));
    else
        sqlite3_finalize(xs__store_db_sq(s));
}

int xs__store_db_exec(xs_store *st, const char *sql)
{
    return st->pg ? xs__store_pg_exec(st->pg, sql)
                  : sqlite3_exec(st->db, sql, NULL, NULL, NULL);
}

long long xs__store_db_changes(xs_store *st)
{
    return st->pg ? xs__store_pg_changes(st->pg) : sqlite3_changes(st->db);
}

const char *xs__store_db_errmsg(xs_store *st)
{
    if (st->pg) return xs__store_pg_errmsg(st->pg);
    return st->db ? sqlite3_errmsg(st->db) : "no database";
}

int xs__store_db_busy(xs_store *st)
{
    if (st->pg) return xs__store_pg_busy(st->pg);
    return st->db && (sqlite3_errcode(st->db) & 0xff) == SQLITE_BUSY;
}

int xs__store_db_nomem(xs_store *st)
{
    if (st->pg) return xs__store_pg_nomem(st->pg);
    return st->db && (sqlite3_errcode(st->db) & 0xff) == SQLITE_NOMEM;
}

int xs__store_db_in_txn(xs_store *st)
{
    if (st->pg) return xs__store_pg_in_txn(st->pg);
    return st->db && !sqlite3_get_autocommit(st->db);
}

/* ---------------------------------------------------------------------- */
/* Opening a store file                                                   */
/* ---------------------------------------------------------------------- */

static int exec_sql(xs_store *st, const char *sql, xs_error *err)
{
    if (sqlite3_exec(st->db, sql, NULL, NULL, NULL) != SQLITE_OK)
        return xs__store_dberr(st, "opening the store", err);
    return XS_OK;
}

int xs__store_sqlite_open(xs_store *st, const char *path, xs_error *err)
{
    /* NOMUTEX: a store handle is used by one thread at a time (xsell.h), so
     * SQLite's per-call connection mutex is pure overhead on bulk loads */
    if (sqlite3_open_v2(path, &st->db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                        NULL) != SQLITE_OK)
        return xs__error_set(err, XS_EDB, path, 0, NULL, "cannot open the store: %s",
                             st->db ? sqlite3_errmsg(st->db) : "out of memory");
    sqlite3_busy_timeout(st->db, XS_STORE_BUSY_MS);
    /* WAL: readers do not block the importer; synchronous=NORMAL in WAL is
     * still safe against a killed process (only an OS crash can lose the
     * last commits, never corrupt the file). */
    /* 16 KiB pages (effective for new files only, before WAL is set): a
     * bulk load writes a quarter of the pages and system calls of 4 KiB */
    int rc = exec_sql(
        st,
        "PRAGMA page_size=16384; PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
        " PRAGMA cache_size=-" STR(XS__CACHE_KIB) "; PRAGMA temp_store=MEMORY;"
                                                  " PRAGMA foreign_keys=OFF",
        err);
    if (rc < 0 && sqlite3_errcode(st->db) == SQLITE_NOTADB)
        rc = xs__error_set(err, XS_EDB, path, 0, NULL, "not an SQLite database");
    return rc;
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
static int open_ro(xs_store *st, const char *uri,
                   int (*read_version)(xs_store *, long long *, xs_error *),
                   long long *version, int *sqlite_rc, xs_error *err)
{
    const int flags = SQLITE_OPEN_READONLY | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX;
    *sqlite_rc = sqlite3_open_v2(uri, &st->db, flags, NULL);
    if (*sqlite_rc != SQLITE_OK)
        return xs__error_set(err, XS_EDB, st->path, 0, NULL, "cannot open the store: %s",
                             st->db ? sqlite3_errmsg(st->db) : "out of memory");
    sqlite3_busy_timeout(st->db, XS_STORE_BUSY_MS);
    int rc =
        exec_sql(st,
                 "PRAGMA query_only=1; PRAGMA cache_size=-" STR(
                     XS__CACHE_KIB) ";"
                                    " PRAGMA temp_store=MEMORY; PRAGMA foreign_keys=OFF",
                 err);
    if (rc == XS_OK) rc = read_version(st, version, err);
    if (rc < 0) *sqlite_rc = sqlite3_extended_errcode(st->db);
    return rc;
}

int xs__store_sqlite_open_readonly(xs_store *st, const char *path,
                                   int (*read_version)(xs_store *, long long *,
                                                       xs_error *),
                                   long long *version, xs_error *err)
{
    int rc, src = SQLITE_OK;
    struct stat sb;
    char *uri = file_uri(path, "?mode=ro"), *wal = xs__malloc(strlen(path) + 5);
    if (!uri || !wal) {
        rc = xs__error_set(err, XS_ENOMEM, path, 0, NULL, "out of memory");
        goto cleanup;
    }
    snprintf(wal, strlen(path) + 5, "%s-wal", path);
    int wal_commits = stat(wal, &sb) == 0 && sb.st_size > 0;
    rc = open_ro(st, uri, read_version, version, &src, err);
    int shm_trouble = (src & 0xff) == SQLITE_CANTOPEN || (src & 0xff) == SQLITE_READONLY;
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
        rc = open_ro(st, uri, read_version, version, &src, err);
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
    }
cleanup:
    xs__free(uri);
    xs__free(wal);
    return rc;
}

void xs__store_sqlite_close(xs_store *st)
{
    sqlite3_close_v2(st->db);
    st->db = NULL;
}

void xs__store_sqlite_busy_timeout(xs_store *st, unsigned ms)
{
    sqlite3_busy_timeout(st->db, ms > INT_MAX ? INT_MAX : (int)ms);
}

void xs__store_sqlite_bulk(xs_store *st, int on)
{
    /* during a bulk load a small cache is enough (rows arrive in key order,
     * so only the rightmost pages are hot) and dirty pages spill to the WAL
     * early instead of all sitting in memory until the commit */
    char sql[64]; /* a number of ours, not user data */
    int kib = st->bulk_cache_kib > 0 ? st->bulk_cache_kib : XS__BULK_CACHE_KIB;
    snprintf(sql, sizeof sql, "PRAGMA cache_size=-%d", on ? kib : XS__CACHE_KIB);
    sqlite3_exec(st->db, sql, NULL, NULL, NULL);
}

void xs__store_sqlite_scan(xs_store *st, int on)
{
    sqlite3_exec(st->db,
                 on ? "PRAGMA cache_size=-" STR(XS__SCAN_CACHE_KIB)
                    : "PRAGMA cache_size=-" STR(XS__CACHE_KIB),
                 NULL, NULL, NULL);
}
