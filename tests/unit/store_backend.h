/*
 * store_backend.h — where a unit test's stores live, on the backend under
 * test: an SQLite file in the test's temporary directory, or, when the
 * environment says XS_TEST_BACKEND=pg, a fresh database on the PostgreSQL
 * test server whose URL is XS_TEST_PG (tests/pg/pg-test-server, the CTest
 * fixture "pg"; CMakeLists.txt registers such tests a second time as
 * pg_<name>). Header-only, for the store contract tests that run on both.
 *
 *   xs_tb_init(dir)          once, before the tests (dir: the temporary
 *                            directory for SQLite files); returns 0, or 77
 *                            when the PostgreSQL run cannot have a server
 *                            (main then exits 77: skipped, never passed)
 *   xs_tb_store(name)        the location of a new store NAME (not created
 *                            on SQLite; an empty database on PostgreSQL)
 *   xs_tb_is_pg()            1 on the PostgreSQL run
 *   xs_tb_sqlite_only(why)   1 on the PostgreSQL run, saying that a test
 *                            about SQLite itself (its file, its PRAGMAs) is
 *                            left out; the caller returns. Not a skip: the
 *                            PostgreSQL run still passes or fails as a whole.
 *   xs_tb_cleanup()          drops the databases made (atexit-safe)
 *
 * A server that was expected (XS_TEST_PG set, PostgreSQL binaries
 * installed) but cannot be reached is a failure, not a skip.
 */
#ifndef XS_TEST_STORE_BACKEND_H
#define XS_TEST_STORE_BACKEND_H

#include <glob.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define XS_TB_MAX 64

static char xs_tb_dir[256];
static const char *xs_tb_admin; /* XS_TEST_PG on the PostgreSQL run, else NULL */
static char xs_tb_names[XS_TB_MAX][64];
static int xs_tb_n;

static inline int xs_tb_is_pg(void)
{
    return xs_tb_admin != NULL;
}

static inline void xs_tb_quiet(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

/* Runs sql on the server's maintenance database; 1 when it worked (else
 * prints PostgreSQL's message). */
static inline int xs_tb_admin_sql(const char *sql)
{
    PGconn *c = PQconnectdb(xs_tb_admin);
    int ok = PQstatus(c) == CONNECTION_OK;
    if (ok) {
        PQsetNoticeProcessor(c, xs_tb_quiet, NULL);
        PGresult *r = PQexec(c, sql);
        ok =
            PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK;
        PQclear(r);
    }
    if (!ok) fprintf(stderr, "%s: %s", sql, PQerrorMessage(c));
    PQfinish(c);
    return ok;
}

static inline void xs_tb_cleanup(void)
{
    char sql[128];
    for (int i = 0; i < xs_tb_n; i++) {
        snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s WITH (FORCE)",
                 xs_tb_names[i]);
        xs_tb_admin_sql(sql);
    }
    xs_tb_n = 0;
}

static inline int xs_tb_init(const char *dir)
{
    snprintf(xs_tb_dir, sizeof xs_tb_dir, "%s", dir);
    const char *b = getenv("XS_TEST_BACKEND");
    if (!b || strcmp(b, "pg") != 0) return 0;
    const char *url = getenv("XS_TEST_PG");
    if (!url || !*url) {
        printf("skipped: XS_TEST_BACKEND=pg without XS_TEST_PG (no test server)\n");
        return 77;
    }
    PGconn *c = PQconnectdb(url);
    int ok = PQstatus(c) == CONNECTION_OK;
    if (!ok) {
        glob_t g;
        int have = glob("/usr/lib/postgresql/*/bin/initdb", 0, NULL, &g) == 0;
        if (have) globfree(&g);
        have = have || system("command -v initdb >/dev/null 2>&1") == 0;
        if (!have) {
            PQfinish(c);
            printf("skipped: no PostgreSQL server binaries installed\n");
            return 77;
        }
        fprintf(stderr, "cannot reach the test server %s: %s", url, PQerrorMessage(c));
        PQfinish(c);
        exit(1);
    }
    PQfinish(c);
    xs_tb_admin = url;
    atexit(xs_tb_cleanup);
    return 0;
}

/* The location of a new store: on SQLite DIR/NAME (its -wal and -shm
 * removed too), on PostgreSQL the URL of a database made for it. Returned
 * in one of eight rotating buffers. Exits the test when the database
 * cannot be made. */
static inline const char *xs_tb_store(const char *name)
{
    static char buf[8][512];
    static int k;
    k = (k + 1) & 7;
    if (!xs_tb_is_pg()) {
        static const char *const sfx[] = {"", "-wal", "-shm"};
        char p[600];
        snprintf(buf[k], sizeof buf[k], "%s/%s", xs_tb_dir, name);
        for (int i = 0; i < 3; i++) {
            snprintf(p, sizeof p, "%s%s", buf[k], sfx[i]);
            unlink(p);
        }
        return buf[k];
    }
    if (xs_tb_n == XS_TB_MAX) {
        fprintf(stderr, "store_backend.h: more than %d databases\n", XS_TB_MAX);
        exit(1);
    }
    char *db = xs_tb_names[xs_tb_n];
    size_t o = (size_t)snprintf(db, 64, "xu_%ld_%d_", (long)getpid(), xs_tb_n);
    for (const char *p = name; *p && o < 63; p++)
        db[o++] = (char)((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ? *p : '_');
    db[o] = 0;
    char sql[128];
    snprintf(sql, sizeof sql, "CREATE DATABASE %s", db);
    if (!xs_tb_admin_sql(sql)) exit(1);
    xs_tb_n++;
    /* the admin URL with its database (the path before '?') replaced */
    const char *scheme = strstr(xs_tb_admin, "://");
    const char *slash = scheme ? strchr(scheme + 3, '/') : NULL;
    const char *q = slash ? strchr(slash, '?') : NULL;
    if (!slash) {
        fprintf(stderr, "store_backend.h: no database in %s\n", xs_tb_admin);
        exit(1);
    }
    snprintf(buf[k], sizeof buf[k], "%.*s%s%s", (int)(slash + 1 - xs_tb_admin),
             xs_tb_admin, db, q ? q : "");
    return buf[k];
}

static inline int xs_tb_sqlite_only(const char *why)
{
    if (!xs_tb_is_pg()) return 0;
    printf("not on PostgreSQL (about SQLite itself): %s\n", why);
    return 1;
}

#endif
