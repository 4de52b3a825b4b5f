/*
 * test_store_pg.c — the store contract on the PostgreSQL backend, against a
 * real server: the one tests/pg/pg-test-server starts for CTest (fixture
 * "pg", URL in XS_TEST_PG). Each test works in a database of its own
 * (CREATE DATABASE), and most compare with the same steps on an SQLite
 * store, byte for byte: migrations, imports with their counts, upserts,
 * every table exported, the snapshot, data_version, all-or-nothing, the
 * write lock (XS_EBUSY, readers not blocked), API keys (bytea), and a
 * SIGKILLed import leaving the store as it was.
 *
 * Without XS_TEST_PG, or with it set but no PostgreSQL binaries installed
 * (the fixture then could not start a server), every test reports itself
 * skipped; a server that should be there and is not is a failure.
 */
#include "test.h"

#include "base/alloc.h"
#include "store/db.h"
#include "snapshot/snapshot.h"
#include "store/store_int.h"

#include <glob.h>
#include <libpq-fe.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char dir[64];
static const char *admin_url;
static int n_dbs;

static const char *tmp_path(const char *name)
{
    static char buf[4][256];
    static int k;
    k = (k + 1) & 3;
    snprintf(buf[k], sizeof buf[k], "%s/%s", dir, name);
    return buf[k];
}

/* 1 when a PostgreSQL server could have been started here. */
static int have_pg_binaries(void)
{
    glob_t g;
    int found = glob("/usr/lib/postgresql/*/bin/initdb", 0, NULL, &g) == 0;
    if (found) globfree(&g);
    return found || system("command -v initdb >/dev/null 2>&1") == 0;
}

/* 1 when the test can run; else says why it is skipped (or fails). */
static int pg_ready(void)
{
    if (!admin_url) {
        xs_test_skip("XS_TEST_PG not set (no PostgreSQL test server)");
        return 0;
    }
    PGconn *c = PQconnectdb(admin_url);
    int ok = PQstatus(c) == CONNECTION_OK;
    if (!ok && !have_pg_binaries()) {
        PQfinish(c);
        xs_test_skip("no PostgreSQL server binaries installed");
        return 0;
    }
    if (!ok) fprintf(stderr, "cannot reach %s: %s", admin_url, PQerrorMessage(c));
    CHECK(ok);
    PQfinish(c);
    return ok;
}

static void quiet(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

/* Runs SQL on the admin database; 1 when it worked. */
static int admin(const char *sql)
{
    PGconn *c = PQconnectdb(admin_url);
    PQsetNoticeProcessor(c, quiet, NULL);
    PGresult *r = PQexec(c, sql);
    int ok =
        PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK;
    if (!ok) fprintf(stderr, "%s: %s", sql, PQerrorMessage(c));
    PQclear(r);
    PQfinish(c);
    return ok;
}

/* A new empty database; its URL (static, 4 in rotation). */
static const char *new_db(void)
{
    static char url[4][512];
    static int k;
    k = (k + 1) & 3;
    char name[64], sql[160];
    snprintf(name, sizeof name, "xs_test_%ld_%d", (long)getpid(), ++n_dbs);
    snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s", name);
    admin(sql);
    snprintf(sql, sizeof sql, "CREATE DATABASE %s", name);
    CHECK(admin(sql));
    snprintf(url[k], sizeof url[k], "%s%sdbname=%s", admin_url,
             strchr(admin_url, '?') ? "&" : "?", name);
    return url[k];
}

static void drop_dbs(void)
{
    for (int i = 1; i <= n_dbs; i++) {
        char sql[160];
        snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS xs_test_%ld_%d WITH (FORCE)",
                 (long)getpid(), i);
        admin(sql);
    }
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) return calloc(1, 1);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = malloc((size_t)n + 1);
    size_t got = fread(s, 1, (size_t)n, f);
    s[got] = 0;
    fclose(f);
    return s;
}

/* Every table exported as CSV, one after the other. */
static char *dump(xs_store *st)
{
    size_t cap = 1 << 16, n = 0;
    char *all = malloc(cap);
    all[0] = 0;
    for (int t = 0; t < XS_N_TABLES; t++) {
        const char *path = tmp_path("dump.csv");
        xs_error e;
        long long rows = xs_export_table(st, (xs_table_id)t, path, XS_IO_CSV, &e);
        if (rows < 0) {
            char m[1200];
            fprintf(stderr, "export: %s\n", xs_error_format(&e, m, sizeof m));
        }
        char *s = slurp(path);
        size_t need = n + strlen(s) + 64;
        if (need > cap) all = realloc(all, cap = need * 2);
        n += (size_t)sprintf(all + n, "== %s %lld\n%s", xs_table_name((xs_table_id)t),
                             rows, s);
        free(s);
    }
    return all;
}

static void print_error(void *ctx, const xs_error *e)
{
    (void)ctx;
    char m[1200];
    fprintf(stderr, "  %s\n", xs_error_format(e, m, sizeof m));
}

static int import(xs_store *st, xs_table_id t, const char *path, xs_import_result *r)
{
    xs_import_options o;
    xs_import_options_init(&o);
    o.table = t;
    o.max_errors = 3;
    o.on_error = print_error;
    xs_error e;
    int rc = xs_import_file(st, path, &o, r, &e);
    if (rc < 0 && rc != XS_EREJECT) {
        char m[1200];
        fprintf(stderr, "import %s: %s\n", path, xs_error_format(&e, m, sizeof m));
    }
    return rc;
}

static const char *const fixture_tables[] = {
    "customers", "products", "subscriptions", "orders", "usage", "events", "offers"};

/* Imports the fixtures of tests/data/import; the counts, in a string. */
static void load_fixtures(xs_store *st, char *counts, size_t n)
{
    const char *src = getenv("XS_SOURCE_DIR");
    size_t o = 0;
    for (size_t i = 0; i < XS_N(fixture_tables); i++) {
        char path[512];
        snprintf(path, sizeof path, "%s/tests/data/import/%s.csv", src ? src : ".",
                 fixture_tables[i]);
        xs_table_id t;
        CHECK_INT(xs_table_lookup(fixture_tables[i], &t), XS_OK);
        xs_import_result r;
        memset(&r, 0, sizeof r);
        CHECK_INT(import(st, t, path, &r), XS_OK);
        o += (size_t)snprintf(counts + o, n - o, "%s %llu/%llu/%llu/%llu\n",
                              fixture_tables[i], r.read, r.inserted, r.updated,
                              r.unchanged);
    }
}

static long long data_version(xs_store *st)
{
    char buf[32];
    int rc = xs__store_meta_get(st, "data_version", buf, sizeof buf, NULL);
    return rc == 1 ? atoll(buf) : rc == 0 ? 0 : -1;
}

/* ---------------------------------------------------------------------- */
/* Tests                                                                  */
/* ---------------------------------------------------------------------- */

/* A new database gets every migration, recorded; a second open adds none;
 * the table definitions agree with the columns PostgreSQL made. */
static void test_migrate(void)
{
    if (!pg_ready()) return;
    const char *url = new_db();
    xs_store *st = NULL;
    xs_error e;
    CHECK_INT(xs_store_open(&st, url, &e), XS_OK);
    if (!st) return;
    size_t n;
    const xs__store_migration *m = xs__store_migrations(&n);
    CHECK_INT(st->schema_version, m[n - 1].version);
    CHECK(st->pg != NULL && st->db == NULL);
    for (int t = 0; t < XS_N_TABLES; t++) {
        const xs__store_table_schema *d = xs__store_table_def((xs_table_id)t);
        xs__store_stmt *q = NULL;
        CHECK_INT(xs__store_db_prepare(st,
                                       "SELECT column_name, data_type FROM"
                                       " information_schema.columns WHERE table_name = ?"
                                       " AND table_schema = current_schema()"
                                       " ORDER BY ordinal_position",
                                       -1, &q),
                  XS__DB_OK);
        if (!q) continue;
        xs__store_db_bind_text(q, 1, d->name, -1);
        size_t i = 0;
        while (xs__store_db_step(q) == XS__DB_ROW) {
            if (i < d->n_cols)
                CHECK_STR((const char *)xs__store_db_column_text(q, 0), d->cols[i].name);
            const char *type = (const char *)xs__store_db_column_text(q, 1);
            if (i < d->n_cols && d->cols[i].type == XS__COL_REAL)
                CHECK_STR(type, "double precision");
            if (i < d->n_cols &&
                (d->cols[i].type == XS__COL_INT || d->cols[i].type == XS__COL_MONEY))
                CHECK_STR(type, "bigint");
            i++;
        }
        CHECK_INT(i, d->n_cols);
        xs__store_db_finalize(q);
    }
    xs_store_close(st);
    CHECK_INT(xs_store_open(&st, url, &e), XS_OK);
    if (!st) return;
    xs__store_stmt *q = NULL;
    CHECK_INT(xs__store_db_prepare(
                  st, "SELECT count(*), max(version) FROM schema_migrations", -1, &q),
              XS__DB_OK);
    CHECK_INT(xs__store_db_step(q), XS__DB_ROW);
    CHECK_INT(xs__store_db_column_int64(q, 0), n);
    CHECK_INT(xs__store_db_column_int64(q, 1), m[n - 1].version);
    xs__store_db_finalize(q);
    CHECK_INT(data_version(st), 0); /* migrations change no data */
    xs_store_close(st);
}

/* A fresh PostgreSQL database and a fresh SQLite file `name`, both loaded
 * with the fixtures; the import summaries go to c_pg and c_sq. Returns 0,
 * or -1 (a failed check already counted) when either store did not open. */
static int open_pair(const char *name, xs_store **pg, xs_store **sq, char c_pg[1024],
                     char c_sq[1024])
{
    const char *url = new_db();
    const char *file = tmp_path(name);
    unlink(file);
    *pg = *sq = NULL;
    CHECK_INT(xs_store_open(pg, url, NULL), XS_OK);
    CHECK_INT(xs_store_open(sq, file, NULL), XS_OK);
    if (!*pg || !*sq) return -1;
    load_fixtures(*sq, c_sq, 1024);
    load_fixtures(*pg, c_pg, 1024);
    return 0;
}

/* The same imports into SQLite and PostgreSQL: the same counts, the same
 * tables exported byte for byte, the same counts on a re-import (all
 * unchanged) and on an upsert that changes one row. */
static void test_same_as_sqlite(void)
{
    if (!pg_ready()) return;
    xs_store *pg, *sq;
    char c_pg[1024], c_sq[1024];
    if (open_pair("same.db", &pg, &sq, c_pg, c_sq) < 0) return;
    CHECK_STR(c_pg, c_sq);
    char *d_pg = dump(pg), *d_sq = dump(sq);
    CHECK_STR(d_pg, d_sq);
    free(d_pg);
    free(d_sq);
    for (int t = 0; t < XS_N_TABLES; t++)
        CHECK_INT(xs_store_count(pg, (xs_table_id)t, NULL),
                  xs_store_count(sq, (xs_table_id)t, NULL));
    /* again: nothing changes */
    load_fixtures(sq, c_sq, sizeof c_sq);
    load_fixtures(pg, c_pg, sizeof c_pg);
    CHECK_STR(c_pg, c_sq);
    CHECK(strstr(c_pg, "customers 5/0/0/5\n") != NULL);
    CHECK_INT(data_version(pg), data_version(sq));
    CHECK_INT(data_version(pg), 2 * XS_N(fixture_tables));
    /* one changed row, one new, one the same */
    const char *path = tmp_path("upsert.csv");
    FILE *f = fopen(path, "w");
    fputs("product_id,name,family,tier,kind,price,billing,limits,category\n"
          "crm-basic,CRM Basic (renamed),crm,1,plan,50.00,month,seats=5,software\n"
          "zz-new,Brand new,zz,,addon,1.50,month,,misc\n",
          f);
    fclose(f);
    xs_import_result r_pg, r_sq;
    CHECK_INT(import(sq, XS_T_PRODUCTS, path, &r_sq), XS_OK);
    CHECK_INT(import(pg, XS_T_PRODUCTS, path, &r_pg), XS_OK);
    CHECK_INT(r_pg.inserted, r_sq.inserted);
    CHECK_INT(r_pg.updated, r_sq.updated);
    CHECK_INT(r_pg.unchanged, r_sq.unchanged);
    CHECK_INT(r_pg.inserted, 1);
    d_pg = dump(pg);
    d_sq = dump(sq);
    CHECK_STR(d_pg, d_sq);
    free(d_pg);
    free(d_sq);
    /* the snapshot reads the same */
    xs_snapshot *s_pg = NULL, *s_sq = NULL;
    xs_error e;
    CHECK_INT(xs_snapshot_load(pg, &s_pg, &e), XS_OK);
    CHECK_INT(xs_snapshot_load(sq, &s_sq, &e), XS_OK);
    if (s_pg && s_sq) {
        CHECK_INT(s_pg->cust.n, s_sq->cust.n);
        CHECK_INT(s_pg->prod.n, s_sq->prod.n);
        CHECK_INT(s_pg->ord.n, s_sq->ord.n);
        CHECK_INT(s_pg->use.n, s_sq->use.n);
        CHECK_INT(s_pg->ev.n, s_sq->ev.n);
        CHECK_INT(s_pg->last_date, s_sq->last_date);
        CHECK_INT(s_pg->bytes, s_sq->bytes);
    }
    xs_snapshot_free(s_pg);
    xs_snapshot_free(s_sq);
    xs_store_close(pg);
    xs_store_close(sq);
}

/* A file with a bad row changes nothing, data_version included. */
static void test_all_or_nothing(void)
{
    if (!pg_ready()) return;
    const char *url = new_db();
    xs_store *st = NULL;
    CHECK_INT(xs_store_open(&st, url, NULL), XS_OK);
    if (!st) return;
    char counts[1024];
    load_fixtures(st, counts, sizeof counts);
    char *before = dump(st);
    long long v = data_version(st);
    const char *path = tmp_path("bad.csv");
    FILE *f = fopen(path, "w");
    fputs("product_id,name,family,tier,kind,price,billing,limits,category\n"
          "crm-basic,CRM Basic (renamed),crm,1,plan,50.00,month,seats=5,software\n"
          "bad,Bad,zz,,addon,not-money,month,,misc\n",
          f);
    fclose(f);
    xs_import_result r;
    xs_import_options o;
    xs_import_options_init(&o);
    o.table = XS_T_PRODUCTS;
    CHECK_INT(xs_import_file(st, path, &o, &r, NULL), XS_EREJECT);
    char *after = dump(st);
    CHECK_STR(after, before);
    CHECK_INT(data_version(st), v);
    free(before);
    free(after);
    xs_store_close(st);
}

/* A second writer waits at most its lock timeout, then XS_EBUSY with
 * SQLite's message; a reader is not blocked meanwhile. */
static void test_busy(void)
{
    if (!pg_ready()) return;
    const char *url = new_db();
    xs_store *a = NULL, *b = NULL, *ro = NULL;
    CHECK_INT(xs_store_open(&a, url, NULL), XS_OK);
    CHECK_INT(xs_store_open(&b, url, NULL), XS_OK);
    if (!a || !b) return;
    char counts[1024];
    load_fixtures(a, counts, sizeof counts);
    CHECK_INT(xs__store_begin(a, NULL), XS_OK);
    CHECK_INT(xs__store_db_exec(a, "DELETE FROM events"), XS__DB_OK);
    xs_store_set_busy_timeout(b, 200);
    xs_error e;
    CHECK_INT(xs__store_begin(b, &e), XS_EBUSY);
    CHECK_STR(e.message, "store is busy (locked by another process); try again");
    xs__store_rollback(b);
    xs_store_set_busy_timeout(b, 0); /* fail at once (PostgreSQL's 0 would wait forever) */
    CHECK_INT(xs__store_begin(b, &e), XS_EBUSY);
    xs__store_rollback(b);
    CHECK_INT(xs_store_open_readonly(&ro, url, &e), XS_OK);
    if (ro) {
        CHECK(xs_store_count(ro, XS_T_EVENTS, NULL) > 0); /* the committed rows */
        /* read-only: a write is refused */
        CHECK(xs__store_db_exec(ro, "DELETE FROM customers") != XS__DB_OK);
        xs_store_close(ro);
    }
    xs__store_rollback(a);
    CHECK_INT(xs__store_begin(b, &e), XS_OK); /* free again */
    xs__store_rollback(b);
    xs_store_close(a);
    xs_store_close(b);
}

/* API keys: the hash and salt (bytea) round-trip. */
static void test_apikeys(void)
{
    if (!pg_ready()) return;
    const char *url = new_db();
    xs_store *st = NULL;
    CHECK_INT(xs_store_open(&st, url, NULL), XS_OK);
    if (!st) return;
    char key[XS_APIKEY_MAX];
    xs_error e;
    CHECK_INT(xs_apikey_create(st, XS_SCOPE_WRITE, "ops", key, sizeof key, &e), XS_OK);
    xs_apikeys *ks = NULL;
    CHECK_INT(xs_apikeys_load(st, &ks, &e), XS_OK);
    CHECK_INT(xs_apikeys_check(ks, key, strlen(key)), XS_SCOPE_WRITE);
    key[strlen(key) - 1] ^= 1;
    CHECK_INT(xs_apikeys_check(ks, key, strlen(key)), XS_SCOPE_NONE);
    xs_apikeys_free(ks);
    char id[17];
    memcpy(id, key + 3, 16); /* xs_<key_id>_<secret> */
    id[16] = 0;
    CHECK_INT(xs_apikey_revoke(st, id, &e), XS_OK);
    CHECK_INT(xs_apikeys_load(st, &ks, &e), XS_OK);
    key[strlen(key) - 1] ^= 1;
    CHECK_INT(xs_apikeys_check(ks, key, strlen(key)), XS_SCOPE_NONE);
    xs_apikeys_free(ks);
    xs_store_close(st);
}

typedef struct killctx {
    int fd, signalled;
} killctx;

static void tell_parent(void *ctx, unsigned long long rows, unsigned long long done,
                        unsigned long long total)
{
    (void)done;
    (void)total;
    killctx *k = ctx;
    if (!k->signalled && rows >= 40000) {
        k->signalled = 1;
        char c = 'k';
        if (write(k->fd, &c, 1) != 1) _exit(3);
        for (;;)
            pause(); /* mid-transaction until killed */
    }
}

/* 100,001 order lines of the fixtures' customers and products into path
 * (tmp_path("big.csv"), copied to path[n]); the first is fixture order O1001. */
static void write_big_orders(char *path, size_t n)
{
    snprintf(path, n, "%s", tmp_path("big.csv"));
    FILE *f = fopen(path, "w");
    fputs("order_id,customer_id,date,product_id,quantity,amount\n", f);
    fputs("O1001,C0001,2024-05-02,crm-seat,9,139.50\n", f);
    static const char *const custs[] = {"C0001", "C0002", "C0003", "C0004", "C0005"};
    static const char *const prods[] = {"crm-basic", "crm-pro", "crm-seat", "payroll"};
    for (int i = 0; i < 100000; i++)
        fprintf(f, "K%07d,%s,2024-%02d-%02d,%s,%d,%d.%02d\n", i, custs[i % 5], 1 + i % 12,
                1 + i % 28, prods[i % 4], 1 + i % 7, i % 1000, i % 100);
    fclose(f);
}

/* Forks a child importing path into the orders of url that writes a byte to
 * p[0]'s pipe after 40,000 rows and waits there, inside its transaction,
 * to be killed. Returns the child's pid; p[0] is the parent's end. */
static pid_t start_import_to_kill(const char *url, const char *path, int p[2])
{
    CHECK_INT(pipe(p), 0);
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        close(p[0]);
        xs_store *cst = NULL;
        if (xs_store_open(&cst, url, NULL) < 0) _exit(4);
        killctx k = {p[1], 0};
        xs_import_options o;
        xs_import_options_init(&o);
        o.table = XS_T_ORDERS;
        o.on_progress = tell_parent;
        o.progress_ctx = &k;
        xs_import_result r;
        int rc = xs_import_file(cst, path, &o, &r, NULL);
        _exit(rc == XS_OK ? 0 : 5);
    }
    close(p[1]);
    return pid;
}

/* SIGKILL mid-import: the server rolls the transaction back. */
static void test_kill_mid_import(void)
{
    if (!pg_ready()) return;
    const char *url = new_db();
    xs_store *st = NULL;
    CHECK_INT(xs_store_open(&st, url, NULL), XS_OK);
    if (!st) return;
    char counts[1024];
    load_fixtures(st, counts, sizeof counts);
    char *before = dump(st);
    long long v = data_version(st);
    xs_store_close(st);
    char big[256];
    write_big_orders(big, sizeof big);
    int p[2];
    pid_t pid = start_import_to_kill(url, big, p);
    char c;
    CHECK_INT(read(p[0], &c, 1), 1);
    kill(pid, SIGKILL);
    int status = 0;
    waitpid(pid, &status, 0);
    close(p[0]);
    CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
    CHECK_INT(xs_store_open(&st, url, NULL), XS_OK);
    if (!st) return;
    char *after = dump(st);
    CHECK_STR(after, before);
    CHECK_INT(data_version(st), v);
    free(after);
    free(before);
    /* and the same import, not killed, commits */
    xs_import_result r;
    CHECK_INT(import(st, XS_T_ORDERS, big, &r), XS_OK);
    CHECK_INT(r.inserted, 100000);
    CHECK_INT(r.updated, 1);
    CHECK_INT(data_version(st), v + 1);
    xs_store_close(st);
}

/* One value of a query on url, as text ("" when no row; "ERROR sqlstate"
 * when it fails), after `SET lock_timeout = '200ms'`. */
static void query_text(const char *url, const char *sql, char *out, size_t n)
{
    PGconn *c = PQconnectdb(url);
    PQclear(PQexec(c, "SET lock_timeout = '200ms'"));
    PGresult *r = PQexec(c, sql);
    if (PQresultStatus(r) != PGRES_TUPLES_OK)
        snprintf(out, n, "ERROR %s", PQresultErrorField(r, PG_DIAG_SQLSTATE));
    else
        snprintf(out, n, "%s", PQntuples(r) ? PQgetvalue(r, 0, 0) : "");
    PQclear(r);
    PQfinish(c);
}

/* A store at url holding the fixture's customers and products (what
 * orders refer to); NULL when it cannot be opened. */
static xs_store *with_customers_and_products(const char *url)
{
    xs_store *st = NULL;
    CHECK_INT(xs_store_open(&st, url, NULL), XS_OK);
    if (!st) return NULL;
    const char *src = getenv("XS_SOURCE_DIR");
    for (size_t i = 0; i < 2; i++) { /* customers, products */
        char path[512];
        snprintf(path, sizeof path, "%s/tests/data/import/%s.csv", src ? src : ".",
                 fixture_tables[i]);
        xs_table_id t;
        CHECK_INT(xs_table_lookup(fixture_tables[i], &t), XS_OK);
        xs_import_result r;
        CHECK_INT(import(st, t, path, &r), XS_OK);
    }
    return st;
}

#define ORDERS_KEY                                                                       \
    "SELECT conname || ' ' || pg_get_constraintdef(oid) FROM pg_constraint"              \
    " WHERE conrelid = 'orders'::regclass AND contype = 'p'"

/* A first import into an empty table loads it without its primary key and
 * builds the key at the end (pgbulk.c): the key is back after the commit,
 * the table is locked against readers meanwhile, a killed import leaves
 * the table empty with its key, and an import that finds a reader on the
 * table keeps the key instead of waiting. */
static void test_bulk_key(void)
{
    if (!pg_ready()) return;
    const char *url = new_db();
    xs_store *st = with_customers_and_products(url);
    if (!st) return;
    char big[256], got[256];
    write_big_orders(big, sizeof big);
    /* killed while loading: readers of orders wait meanwhile (lock
     * timeout), and afterwards the table is as it was */
    int p[2];
    pid_t pid = start_import_to_kill(url, big, p);
    char c;
    CHECK_INT(read(p[0], &c, 1), 1);
    query_text(url, "SELECT count(*) FROM orders", got, sizeof got);
    CHECK_STR(got, "ERROR 55P03");
    query_text(url, "SELECT count(*) FROM customers", got, sizeof got);
    CHECK_STR(got, "5"); /* other tables are read as ever */
    kill(pid, SIGKILL);
    int status = 0;
    waitpid(pid, &status, 0);
    close(p[0]);
    CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
    query_text(url, "SELECT count(*) FROM orders", got, sizeof got);
    CHECK_STR(got, "0");
    query_text(url, ORDERS_KEY, got, sizeof got);
    CHECK_STR(got, "orders_pkey PRIMARY KEY (order_id, product_id)");
    /* a reader holding the table: the import keeps the key, does not wait */
    PGconn *rd = PQconnectdb(url);
    PQclear(PQexec(rd, "BEGIN"));
    PGresult *res = PQexec(rd, "SELECT count(*) FROM orders");
    CHECK_STR(PQgetvalue(res, 0, 0), "0");
    PQclear(res);
    xs_import_result r;
    CHECK_INT(import(st, XS_T_ORDERS, big, &r), XS_OK);
    CHECK_INT(r.inserted, 100001);
    PQclear(PQexec(rd, "COMMIT"));
    PQfinish(rd);
    query_text(url, ORDERS_KEY, got, sizeof got);
    CHECK_STR(got, "orders_pkey PRIMARY KEY (order_id, product_id)");
    /* no reader: loaded without the key, which is back after the commit */
    xs_store_close(st);
    st = NULL;
    const char *url2 = new_db();
    st = with_customers_and_products(url2);
    if (!st) return;
    CHECK_INT(import(st, XS_T_ORDERS, big, &r), XS_OK);
    CHECK_INT(r.inserted, 100001);
    query_text(url2, ORDERS_KEY, got, sizeof got);
    CHECK_STR(got, "orders_pkey PRIMARY KEY (order_id, product_id)");
    query_text(url2, "SELECT count(*) FROM orders", got, sizeof got);
    CHECK_STR(got, "100001");
    /* and the key works: a re-import updates, it does not add rows */
    CHECK_INT(import(st, XS_T_ORDERS, big, &r), XS_OK);
    CHECK_INT(r.unchanged, 100001);
    query_text(url2, "SELECT count(*) FROM orders", got, sizeof got);
    CHECK_STR(got, "100001");
    xs_store_close(st);
}

/* A file in key order reaches an empty table in key order, also across
 * the importer's hand-overs of its sort buffer (a small buffer here: one
 * every few dozen rows): the key built after the load then finds the table
 * sorted. A row that met a full buffer used to be written last. */
static void test_heap_order(void)
{
    if (!pg_ready()) return;
    const char *url = new_db();
    xs_store *st = with_customers_and_products(url);
    if (!st) return;
    const char *path = tmp_path("in_order.csv");
    FILE *f = fopen(path, "w");
    fputs("order_id,customer_id,date,product_id,quantity,amount\n", f);
    for (int i = 0; i < 3000; i++)
        fprintf(f, "K%07d,C0001,2024-05-02,crm-seat,1,1.00\n", i);
    fclose(f);
    st->sort_run_bytes = 4096;
    xs_import_result r;
    CHECK_INT(import(st, XS_T_ORDERS, path, &r), XS_OK);
    CHECK_INT(r.inserted, 3000);
    char got[256];
    query_text(url,
               "SELECT count(*) FROM (SELECT order_id, lag(order_id) OVER (ORDER BY ctid)"
               " AS prev FROM orders) s WHERE order_id < prev",
               got, sizeof got);
    CHECK_STR(got, "0");
    xs_store_close(st);
}

/* What a scan callback saw: every row's values, "|" between them, one row
 * a line; stop_after > 0 stops the scan there with code -77. */
typedef struct scanned {
    char text[8192];
    size_t len, n_rows, stop_after;
} scanned;

static int collect(void *ctx, const xs__store_value *vals, size_t n)
{
    scanned *sc = ctx;
    for (size_t i = 0; i < n; i++)
        sc->len += (size_t)snprintf(sc->text + sc->len, sizeof sc->text - sc->len,
                                    "%s%.*s", i ? "|" : "", (int)vals[i].len, vals[i].s);
    sc->len += (size_t)snprintf(sc->text + sc->len, sizeof sc->text - sc->len, "\n");
    sc->n_rows++;
    return sc->stop_after && sc->n_rows == sc->stop_after ? -77 : 0;
}

/* The importer's key scans (COPY ... TO STDOUT on PostgreSQL) give the
 * same rows, in the same order, as on SQLite, NULL as ""; a callback that
 * stops the scan gets its code back and leaves the connection usable. */
static void test_key_scan(void)
{
    if (!pg_ready()) return;
    xs_store *pg, *sq;
    char c_pg[1024], c_sq[1024];
    if (open_pair("scan.db", &pg, &sq, c_pg, c_sq) < 0) return;
    /* customer_id, segment, consent_email (an integer), contact_email and
     * attrs (JSON: quotes and backslashes; some of them empty) */
    const unsigned char cols[] = {0, 2, 7, 14, 15};
    static scanned a, b;
    memset(&a, 0, sizeof a);
    memset(&b, 0, sizeof b);
    CHECK_INT(xs__store_scan_cols(pg, XS_T_CUSTOMERS, cols, 5, collect, &a, NULL), XS_OK);
    CHECK_INT(xs__store_scan_cols(sq, XS_T_CUSTOMERS, cols, 5, collect, &b, NULL), XS_OK);
    CHECK_STR(a.text, b.text);
    CHECK_INT(a.n_rows, 5);
    memset(&a, 0, sizeof a);
    memset(&b, 0, sizeof b);
    CHECK_INT(xs__store_scan_keys(pg, XS_T_ORDERS, collect, &a, NULL), XS_OK);
    CHECK_INT(xs__store_scan_keys(sq, XS_T_ORDERS, collect, &b, NULL), XS_OK);
    CHECK_STR(a.text, b.text);
    memset(&a, 0, sizeof a);
    a.stop_after = 2;
    CHECK_INT(xs__store_scan_keys(pg, XS_T_CUSTOMERS, collect, &a, NULL), -77);
    CHECK_INT(a.n_rows, 2);
    memset(&a, 0, sizeof a);
    CHECK_INT(xs__store_scan_keys(pg, XS_T_CUSTOMERS, collect, &a, NULL), XS_OK);
    CHECK_INT(a.n_rows, 5);
    CHECK_INT(xs_store_count(pg, XS_T_CUSTOMERS, NULL), 5);
    xs_store_close(pg);
    xs_store_close(sq);
}

/* A URL's password never reaches a message. */
static void test_bad_url(void)
{
    xs_store *st = NULL;
    xs_error e;
    CHECK_INT(xs_store_open(&st, "postgresql://u:secret@/nosuchdb?host=/nonexistent", &e),
              XS_EDB);
    CHECK(st == NULL);
    CHECK(e.file && strstr(e.file, "secret") == NULL);
    CHECK(e.file && strstr(e.file, "u:***@") != NULL);
    CHECK(strncmp(e.message, "cannot open the store: ", 23) == 0);
    CHECK_INT(xs_store_exists("postgresql://x"), 1);
    CHECK_INT(xs_store_exists("postgres://x"), 1);
    CHECK_INT(xs_store_exists(tmp_path("absent.db")), 0);
}

int main(void)
{
    static const xs_test tests[] = {
        {"migrate", test_migrate},
        {"same_as_sqlite", test_same_as_sqlite},
        {"all_or_nothing", test_all_or_nothing},
        {"busy", test_busy},
        {"apikeys", test_apikeys},
        {"kill_mid_import", test_kill_mid_import},
        {"bulk_key", test_bulk_key},
        {"heap_order", test_heap_order},
        {"key_scan", test_key_scan},
        {"bad_url", test_bad_url},
    };
    snprintf(dir, sizeof dir, "/tmp/xs_test_store_pg_%ld", (long)getpid());
    if (mkdir(dir, 0700) != 0) return 1;
    admin_url = getenv("XS_TEST_PG");
    if (admin_url && !*admin_url) admin_url = NULL;
    int rc = xs_test_run(tests, XS_N(tests));
    if (admin_url) drop_dbs();
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0) return 1;
    return rc;
}
