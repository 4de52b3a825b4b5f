/*
 * bench_select.c — the floor of loading a store: a bare sqlite3_step loop
 * over the rows and columns the snapshot loader reads (customers, products,
 * subscriptions, usage, events, offers, returns, orders), reading every
 * column in its stored type (integer, real or text) and building nothing.
 * bench/bench_model.sh runs it beside `xsell build` and the readers, so the
 * cost of the SQLite load is a ratio to this loop measured in the same run.
 *
 * usage: bench_select STORE [--load]
 *   prints one line per table (rows, seconds) and a total line:
 *   "select_loop: ROWS rows in S s";
 *   --load: then, in the same process, xs_snapshot_load() of the store
 *   (the library's whole SQLite load) and "snapshot_load: S s (ratio R)".
 * The store is opened read-only by the loop (nothing is written), with the
 * page cache of a store connection (64 MiB).
 */
#include "xsell.h"

#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static double now_mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The columns of each table as the snapshot loader selects them. */
static const char *const queries[][2] = {
    {"customers",
     "SELECT customer_id, name, segment, industry, size, region, signup_date,"
     " consent_email, consent_in_app, consent_csm, consent_webinar, consent_sns,"
     " owner, contact_name, contact_email, attrs FROM customers"
     " ORDER BY customer_id"},
    {"products", "SELECT product_id, name, family, tier, kind, price, billing, limits,"
                 " category, attrs FROM products"},
    {"subscriptions", "SELECT customer_id, product_id, quantity, unit_price, start_date,"
                      " end_date, term, renewal_date FROM subscriptions"},
    {"usage", "SELECT customer_id, product_id, metric, value, date FROM usage"},
    {"events", "SELECT customer_id, date, type, value, ref FROM events"},
    {"offers",
     "SELECT offer_id, customer_id, product_id, kind, channel, sent_at, outcome,"
     " outcome_at, revenue_delta FROM offers"},
    {"returns", "SELECT return_id, customer_id, date, product_id, quantity, amount"
                " FROM returns WHERE customer_id IS NOT NULL"},
    {"orders", "SELECT order_id, customer_id, date, product_id, quantity, amount"
               " FROM orders"},
};

/* Steps through one query reading every column; returns the rows, or -1. */
static long long loop(sqlite3 *db, const char *sql, unsigned long long *sink)
{
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) != SQLITE_OK) {
        fprintf(stderr, "bench_select: %s: %s\n", sql, sqlite3_errmsg(db));
        return -1;
    }
    long long n = 0;
    int rc, nc = sqlite3_column_count(q);
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        for (int c = 0; c < nc; c++) {
            switch (sqlite3_column_type(q, c)) {
            case SQLITE_INTEGER:
                *sink += (unsigned long long)sqlite3_column_int64(q, c);
                break;
            case SQLITE_FLOAT:
                *sink += (unsigned long long)(sqlite3_column_double(q, c) != 0);
                break;
            case SQLITE_NULL:
                break;
            default: {
                const unsigned char *t = sqlite3_column_text(q, c);
                if (t) *sink += t[0] + (unsigned)sqlite3_column_bytes(q, c);
            }
            }
        }
        n++;
    }
    if (rc != SQLITE_DONE) {
        fprintf(stderr, "bench_select: %s: %s\n", sql, sqlite3_errmsg(db));
        n = -1;
    }
    sqlite3_finalize(q);
    return n;
}

int main(int argc, char **argv)
{
    if (argc < 2 || argc > 3 || (argc == 3 && strcmp(argv[2], "--load"))) {
        fprintf(stderr, "usage: bench_select STORE [--load]\n");
        return 2;
    }
    sqlite3 *db;
    if (sqlite3_open_v2(argv[1], &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        fprintf(stderr, "bench_select: %s: %s\n", argv[1], sqlite3_errmsg(db));
        sqlite3_close(db);
        return 1;
    }
    /* the page cache and temporary store of a store connection
     * (src/store/sqlite.c), so the floor is not slowed by a small cache */
    if (sqlite3_exec(db, "PRAGMA cache_size=-65536; PRAGMA temp_store=MEMORY", NULL, NULL,
                     NULL) != SQLITE_OK) {
        fprintf(stderr, "bench_select: %s: %s\n", argv[1], sqlite3_errmsg(db));
        sqlite3_close(db);
        return 1;
    }
    unsigned long long sink = 0;
    long long total = 0;
    double t0 = now_mono();
    for (size_t i = 0; i < sizeof queries / sizeof queries[0]; i++) {
        double t = now_mono();
        long long n = loop(db, queries[i][1], &sink);
        if (n < 0) {
            sqlite3_close(db);
            return 1;
        }
        total += n;
        printf("  %-14s %10lld rows %7.2f s\n", queries[i][0], n, now_mono() - t);
    }
    double sel = now_mono() - t0;
    sqlite3_close(db);
    printf("select_loop: %lld rows in %.2f s (checksum %llu)\n", total, sel, sink % 1000);
    if (argc == 3) {
        xs_store *st = NULL;
        xs_snapshot *s = NULL;
        xs_error e;
        char msg[1200];
        memset(&e, 0, sizeof e);
        double t = now_mono();
        if (xs_store_open(&st, argv[1], &e) < 0 || xs_snapshot_load(st, &s, &e) < 0) {
            fprintf(stderr, "bench_select: %s\n", xs_error_format(&e, msg, sizeof msg));
            xs_store_close(st);
            return 1;
        }
        double ld = now_mono() - t;
        printf("snapshot_load: %.2f s (ratio %.2f to the select loop)\n", ld, ld / sel);
        xs_snapshot_free(s);
        xs_store_close(st);
    }
    return 0;
}
