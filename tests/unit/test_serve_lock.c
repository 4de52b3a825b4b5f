/*
 * test_serve_lock.c — a store whose write lock another process holds (issue
 * 15): the real binary ($XS_BIN) serves a small store (tests/data/import)
 * with --lock-timeout 1500 while this test holds BEGIN IMMEDIATE on it from
 * its own SQLite connection. Checked:
 *   - POST /v1/events and POST /v1/offers/{id}/outcome answer 503
 *     {"error":{"code":"busy",...}} with Retry-After: 1, after waiting about
 *     the timeout (not SQLite's seconds), and write nothing;
 *   - GET /healthz and a read route answer meanwhile, without waiting for
 *     the lock (at most behind one write's wait on the same worker);
 *   - once the lock is released the same writes succeed;
 *   - the CLI waits its bounded time and then says the store is busy
 *     (exit 1), and `xsell serve --lock-timeout` refuses bad values.
 * The library side (XS_EBUSY from a write, xs_store_set_busy_timeout) is
 * tested on two connections in this process.
 *
 * On PostgreSQL too (CTest's pg_test_serve_lock, XS_TEST_BACKEND=pg): the
 * store is a fresh database on the test server (store_backend.h) and the
 * other connection holds the lock every writer of the store takes, with
 * the store's own statement for it (the dialect's BEGIN_WRITE: BEGIN and a
 * transaction-level advisory lock), so the same answers are checked.
 */
#include "store/dialect.h"
#include "store/store_int.h"
#include "store_backend.h"
#include "test.h"
#include "xsell.h"

#include "../serve/http_client.h"
#include "../serve/xs_process.h"

#include <jansson.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

/* long enough that "did not wait for the lock" stands out from a loaded
 * machine's scheduling delays (the suite runs beside other jobs) */
#define LOCK_MS 1500
#define LOCK_S (LOCK_MS / 1000.0)

static const char *xs_bin;
static char dir[256], db[300], errlog[300];
static char key_write[XS_APIKEY_MAX];
static pid_t srv_pid = -1;
static int port, ready;
static sqlite3 *holder;   /* the other connection that takes the write lock */
static PGconn *pg_holder; /* the same on PostgreSQL */
static char pg_begin_write[200];

/* The other connection takes the store's write lock (1 when it did). */
static int hold(void)
{
    if (!xs_tb_is_pg())
        return sqlite3_exec(holder, "BEGIN IMMEDIATE", NULL, NULL, NULL) == SQLITE_OK;
    PGresult *r = PQexec(pg_holder, pg_begin_write);
    int ok =
        PQresultStatus(r) == PGRES_TUPLES_OK || PQresultStatus(r) == PGRES_COMMAND_OK;
    if (!ok) fprintf(stderr, "%s: %s", pg_begin_write, PQerrorMessage(pg_holder));
    PQclear(r);
    return ok;
}

/* ... and lets it go (1 when it did). */
static int release(void)
{
    if (!xs_tb_is_pg())
        return sqlite3_exec(holder, "ROLLBACK", NULL, NULL, NULL) == SQLITE_OK;
    PGresult *r = PQexec(pg_holder, "ROLLBACK");
    int ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    PQclear(r);
    return ok;
}

static void setup(void)
{
    static const char *const tables[] = {"customers", "products", "offers", NULL};
    xs_bin = getenv("XS_BIN");
    CHECK(xs_bin != NULL);
    if (!xs_bin) return;
    CHECK_INT(xs_proc_tmpdir("lock", "lock.db", dir, sizeof dir, db, errlog), 0);
    if (xs_tb_is_pg()) snprintf(db, sizeof db, "%s", xs_tb_store("lock"));
    CHECK_INT(xs_proc_fixture_store(xs_bin, errlog, db, "tests/data/import", tables, 0),
              0);
    CHECK_INT(xs_proc_apikey(xs_bin, errlog, db, "write", key_write, sizeof key_write),
              0);
    static const char *const args[] = {"--threads", "4", "--lock-timeout", "1500", NULL};
    CHECK_INT(xs_proc_serve(xs_bin, errlog, db, args, &srv_pid, &port), 0);
    if (!xs_tb_is_pg()) {
        CHECK_INT(sqlite3_open(db, &holder), SQLITE_OK);
        ready = srv_pid > 0 && port > 0 && holder;
        return;
    }
    xs_store *st = NULL;
    CHECK_INT(xs_store_open(&st, db, NULL), XS_OK);
    if (st)
        snprintf(pg_begin_write, sizeof pg_begin_write, "%s",
                 xs__store_dialect(st, XS__SQL_BEGIN_WRITE));
    xs_store_close(st);
    CHECK(strstr(pg_begin_write, "pg_advisory_xact_lock") != NULL);
    pg_holder = PQconnectdb(db);
    CHECK_INT(PQstatus(pg_holder), CONNECTION_OK);
    ready = srv_pid > 0 && port > 0 && PQstatus(pg_holder) == CONNECTION_OK;
}

static long long count_rows(const char *table)
{
    xs_store *st = NULL;
    xs_table_id t;
    CHECK_INT(xs_table_lookup(table, &t), XS_OK);
    CHECK_INT(xs_store_open_readonly(&st, db, NULL), XS_OK);
    long long n = xs_store_count(st, t, NULL);
    xs_store_close(st);
    return n;
}

static const char *event_body =
    "{\"events\": [{\"customer_id\": \"C0001\", \"date\": \"2024-07-02\", "
    "\"type\": \"nps\", \"value\": 9}]}";
static const char *outcome_body = "{\"outcome\": \"accepted\", \"at\": \"2024-07-01\"}";

/* Checks a 503 busy answer and returns nothing. */
static void check_busy(http_resp *r)
{
    CHECK_INT(r->status, 503);
    const char *ra = http_header(r, "Retry-After");
    CHECK_STR(ra ? ra : "(none)", "1");
    json_t *j = r->body ? json_loads(r->body, 0, NULL) : NULL;
    json_t *e = json_object_get(j, "error");
    CHECK_STR(json_string_value(json_object_get(e, "code")), "busy");
    CHECK_STR(json_string_value(json_object_get(e, "message")),
              "store is busy (locked by another process); try again");
    json_decref(j);
}

static void test_locked(void)
{
    if (!ready) return;
    long long n_events = count_rows("events");
    CHECK(hold());

    /* two writes on their own connections, in flight together */
    int fd_ev = http_connect(port), fd_out = http_connect(port);
    CHECK(fd_ev >= 0 && fd_out >= 0);
    double t0 = xs_proc_now();
    CHECK_INT(http_send(fd_ev, "POST", "/v1/events", key_write, event_body,
                        strlen(event_body), 0),
              0);
    CHECK_INT(http_send(fd_out, "POST", "/v1/offers/F2/outcome", key_write, outcome_body,
                        strlen(outcome_body), 0),
              0);

    /* meanwhile: /healthz and a read route at once */
    struct timespec ts = {0, 50 * 1000000};
    nanosleep(&ts, NULL);
    http_resp r;
    double t1 = xs_proc_now();
    CHECK_INT(http_do(port, "GET", "/healthz", NULL, NULL, &r), 200);
    double healthz_s = xs_proc_now() - t1;
    http_resp_free(&r);
    t1 = xs_proc_now();
    CHECK_INT(http_do(port, "GET", "/v1/customers/C0001", key_write, NULL, &r), 200);
    double read_s = xs_proc_now() - t1;
    http_resp_free(&r);
    printf("healthz %.3f s, read %.3f s while locked\n", healthz_s, read_s);
    /* neither waits for the lock itself; a connection given to a worker
     * that is in a write's wait queues behind it (libmicrohttpd binds a
     * connection to one worker), so the bound is one wait, not zero */
    CHECK(healthz_s < LOCK_S + 0.5);
    CHECK(read_s < LOCK_S + 0.5);

    /* the writes: 503 busy after about the lock timeout */
    CHECK_INT(http_recv(fd_ev, &r), 0);
    double ev_s = xs_proc_now() - t0;
    check_busy(&r);
    http_resp_free(&r);
    CHECK_INT(http_recv(fd_out, &r), 0);
    double out_s = xs_proc_now() - t0;
    check_busy(&r);
    http_resp_free(&r);
    close(fd_ev);
    close(fd_out);
    printf("writes answered 503 after %.3f s and %.3f s (lock timeout %d ms)\n", ev_s,
           out_s, LOCK_MS);
    /* each waits one timeout; two on the same worker queue one behind the
     * other */
    CHECK(ev_s >= LOCK_S * 0.9 && ev_s < LOCK_S * 2 + 0.5);
    CHECK(out_s >= LOCK_S * 0.9 && out_s < LOCK_S * 2 + 0.5);

    /* a write on a keep-alive connection after a 503 is refused the same way */
    CHECK_INT(http_do(port, "POST", "/v1/events", key_write, event_body, &r), 503);
    http_resp_free(&r);
    CHECK(release());
    CHECK_INT(count_rows("events"), n_events);

    /* released: the same writes go through */
    CHECK_INT(http_do(port, "POST", "/v1/events", key_write, event_body, &r), 200);
    http_resp_free(&r);
    CHECK_INT(http_do(port, "POST", "/v1/offers/F2/outcome", key_write, outcome_body, &r),
              200);
    CHECK(r.body && strstr(r.body, "\"outcome\":\"accepted\""));
    http_resp_free(&r);
    CHECK_INT(count_rows("events"), n_events + 1);
}

/* The CLI: a bounded wait (XS_STORE_BUSY_MS), then a clear message. */
static void test_cli_busy(void)
{
    if (!ready) return;
    char out[4096], ev[600];
    snprintf(ev, sizeof ev, "%s/ev.csv", dir);
    FILE *f = fopen(ev, "w");
    CHECK(f != NULL);
    if (!f) return;
    fputs("customer_id,date,type,value\nC0002,2024-07-03,nps,7\n", f);
    fclose(f);
    CHECK(hold());
    char log2[400];
    snprintf(log2, sizeof log2, "%s/cli.log", dir);
    double t0 = xs_proc_now();
    CHECK_INT(
        xs_proc_run(xs_bin, log2, out, sizeof out,
                    (const char *const[]){"import", "--db", db, "events", ev, NULL}),
        1);
    double s = xs_proc_now() - t0;
    CHECK(release());
    printf("xsell import on a locked store failed after %.2f s\n", s);
    CHECK(s >= XS_STORE_BUSY_MS / 1000.0 * 0.9 && s < XS_STORE_BUSY_MS / 1000.0 + 3);
    char msg[2048] = "";
    f = fopen(log2, "r");
    if (f) {
        size_t n = fread(msg, 1, sizeof msg - 1, f);
        msg[n] = 0;
        fclose(f);
    }
    char want[700];
    snprintf(want, sizeof want,
             "xsell import: %s: store is busy (locked by another process); try again\n",
             db);
    CHECK_STR(msg, want);
    /* bad values of the option */
    CHECK_INT(xs_proc_run(xs_bin, log2, out, sizeof out,
                          (const char *const[]){"serve", "--db", db, "--lock-timeout",
                                                "0", NULL}),
              2);
}

/* The library: a write on a second connection fails with XS_EBUSY after
 * the busy timeout set on it. */
static void test_library_busy(void)
{
    if (!ready) return;
    xs_store *st = NULL;
    xs_error e;
    CHECK_INT(xs_store_open(&st, db, &e), XS_OK);
    if (!st) return;
    xs_store_set_busy_timeout(st, 100);
    CHECK(hold());
    double t0 = xs_proc_now();
    int rc = xs_store_offer_outcome(st, "F2", "declined", "2024-07-05", NULL, &e);
    double s = xs_proc_now() - t0;
    CHECK_INT(rc, XS_EBUSY);
    CHECK_INT(e.code, XS_EBUSY);
    CHECK_STR(e.message, "store is busy (locked by another process); try again");
    CHECK_STR(e.file, db);
    CHECK(s >= 0.09 && s < 1.0);
    CHECK_STR(xs_strerror(XS_EBUSY), "store is busy");
    /* reads do not wait for the writer (WAL) */
    CHECK_INT(xs_store_count(st, XS_T_CUSTOMERS, &e) > 0, 1);
    CHECK(release());
    xs_store_close(st);
}

static void teardown(void)
{
    sqlite3_close(holder);
    PQfinish(pg_holder);
    xs_proc_kill(srv_pid);
    xs_proc_rmdir(dir);
}

static const xs_test tests[] = {
    {"setup", setup},
    {"locked", test_locked},
    {"library_busy", test_library_busy},
    {"cli_busy", test_cli_busy},
    {"teardown", teardown},
};

int main(void)
{
    int rc = xs_tb_init("/tmp");
    if (rc == 0) rc = xs_test_run(tests, XS_N(tests));
    xs_tb_cleanup();
    return rc;
}
