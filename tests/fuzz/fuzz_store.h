/*
 * fuzz_store.h — the store under the fuzz targets that write
 * (fuzz_import.c, fuzz_map.c, fuzz_spec.c): one in-memory SQLite store,
 * opened once per run, holding a small template (three customers, three
 * products, two orders, a subscription, an event, an offer), with
 *   - fz_state(): per table, its row count and a digest of every value;
 *   - fz_restore(t): the template's rows of table t put back from an
 *     attached copy, after an input's import committed into t;
 *   - fz_write(): an input written to a file in a private directory (on
 *     /dev/shm when there is one), since the importers read files.
 * Reusing one store and putting back only what an input changed is what
 * makes these targets run at thousands of inputs a second instead of the
 * handful a store file per input gave (bench/RESULTS.md). The importers'
 * code is the same as on a file; only SQLite's storage under it is memory.
 *
 * Header-only, static functions: include it once per fuzz target, after
 * defining FZ_NAME (the target's name for messages).
 */
#ifndef XS_FUZZ_STORE_H
#define XS_FUZZ_STORE_H

#include "xsell.h"

#include "io/reader.h"
#include "store/store_int.h"

#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CHECK_OR_DIE(cond)                                                               \
    do {                                                                                 \
        if (!(cond)) {                                                                   \
            fprintf(stderr, FZ_NAME ": %s:%d: check failed: %s\n", __FILE__, __LINE__,   \
                    #cond);                                                              \
            abort();                                                                     \
        }                                                                                \
    } while (0)

static char fz_dir[64];
static xs_store *fz_st; /* the in-memory store, open for the whole run */
/* per table: a scan of every value, and the statements that put the
 * template's rows back (from the attached copy "tmpl") */
static sqlite3_stmt *fz_scan[XS_N_TABLES], *fz_wipe[XS_N_TABLES], *fz_refill[XS_N_TABLES];
static char fz_files[4][128]; /* files made by fz_path(), removed at exit */

/* The state of the store: per table, its row count and a digest. */
typedef struct fz_state_t {
    long long count[XS_N_TABLES];
    uint64_t digest[XS_N_TABLES];
} fz_state_t;

static fz_state_t fz_tmpl_state; /* the template's */

/* A path in the private directory for file k (0..3). */
static const char *fz_path(int k)
{
    return fz_files[k];
}

static void fz_write(int k, const void *p, size_t n)
{
    FILE *f = fopen(fz_files[k], "wb");
    CHECK_OR_DIE(f);
    if (n) CHECK_OR_DIE(fwrite(p, 1, n, f) == n);
    CHECK_OR_DIE(fclose(f) == 0);
}

static void fz_cleanup(void)
{
    for (int t = 0; t < XS_N_TABLES; t++) {
        sqlite3_finalize(fz_scan[t]);
        sqlite3_finalize(fz_wipe[t]);
        sqlite3_finalize(fz_refill[t]);
    }
    xs_store_close(fz_st);
    for (int k = 0; k < 4; k++)
        unlink(fz_files[k]);
    rmdir(fz_dir);
}

static void fz_import_text(xs_table_id t, const char *text)
{
    fz_write(0, text, strlen(text));
    xs_import_options o;
    xs_import_options_init(&o);
    o.table = t;
    o.format = XS_IO_CSV;
    xs_error e;
    if (xs_import_file(fz_st, fz_path(0), &o, NULL, &e) != XS_OK) {
        char m[1200];
        fprintf(stderr, FZ_NAME ": template: %s\n", xs_error_format(&e, m, sizeof m));
        abort();
    }
}

/* FNV-1a over bytes. */
static uint64_t fz_fnv(uint64_t h, const void *p, size_t n)
{
    const unsigned char *s = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ s[i]) * 0x100000001b3ULL;
    return h;
}

static void fz_state(fz_state_t *s)
{
    for (int t = 0; t < XS_N_TABLES; t++) {
        uint64_t h = 0xcbf29ce484222325ULL;
        sqlite3_stmt *q = fz_scan[t];
        long long n = 0;
        int rc;
        while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
            n++;
            for (int c = 0; c < sqlite3_column_count(q); c++) {
                int type = sqlite3_column_type(q, c);
                const unsigned char *v = sqlite3_column_text(q, c);
                h = fz_fnv(h, &type, sizeof type);
                if (v) h = fz_fnv(h, v, (size_t)sqlite3_column_bytes(q, c) + 1);
            }
        }
        CHECK_OR_DIE(rc == SQLITE_DONE);
        CHECK_OR_DIE(sqlite3_reset(q) == SQLITE_OK);
        s->count[t] = n;
        s->digest[t] = h;
    }
}

/* Puts the template's rows of table t back. */
static void fz_restore(int t)
{
    CHECK_OR_DIE(sqlite3_step(fz_wipe[t]) == SQLITE_DONE);
    CHECK_OR_DIE(sqlite3_reset(fz_wipe[t]) == SQLITE_OK);
    CHECK_OR_DIE(sqlite3_step(fz_refill[t]) == SQLITE_DONE);
    CHECK_OR_DIE(sqlite3_reset(fz_refill[t]) == SQLITE_OK);
}

/* Puts back every table whose digest s says changed. */
static void fz_restore_changed(const fz_state_t *s)
{
    for (int t = 0; t < XS_N_TABLES; t++)
        if (s->digest[t] != fz_tmpl_state.digest[t]) fz_restore(t);
}

/* Opens the store and fills the template (once; later calls do nothing). */
static void fz_init(void)
{
    if (fz_st) return;
    snprintf(fz_dir, sizeof fz_dir, "%s/xs_" FZ_NAME "_XXXXXX",
             access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
    CHECK_OR_DIE(mkdtemp(fz_dir));
    for (int k = 0; k < 4; k++)
        snprintf(fz_files[k], sizeof fz_files[k], "%s/f%d", fz_dir, k);
    atexit(fz_cleanup);
    CHECK_OR_DIE(xs_store_open(&fz_st, ":memory:", NULL) == XS_OK);
    fz_import_text(XS_T_CUSTOMERS,
                   "customer_id,name,signup_date,consent_email\n"
                   "C1,One,2023-01-01,1\nC2,Two,2023-02-01,0\nC3,Three,2023-03-01,yes\n");
    fz_import_text(XS_T_PRODUCTS,
                   "product_id,name,family,tier,kind,price,billing,limits\n"
                   "p1,P1,f,1,plan,10,month,seats=10\np2,P2,f,2,plan,20.50,year,\n"
                   "p3,P3,,,addon,5,month,\n");
    fz_import_text(XS_T_ORDERS, "order_id,customer_id,date,product_id,quantity,amount\n"
                                "O1,C1,2024-01-01,p1,1,10\nO1,C1,2024-01-01,p3,2,10\n"
                                "O2,C2,2024-02-01,p2,1,20.50\n");
    fz_import_text(XS_T_SUBSCRIPTIONS,
                   "customer_id,product_id,unit_price,start_date,end_date,term\n"
                   "C1,p1,10,2024-01-01,,month\n");
    fz_import_text(XS_T_EVENTS,
                   "customer_id,date,type,value,ref\nC1,2024-01-02,nps,9,\n");
    fz_import_text(XS_T_OFFERS,
                   "offer_id,customer_id,product_id,kind,channel,sent_at,outcome\n"
                   "F1,C2,p3,cross_sell,email,2024-03-01,pending\n");
    fz_st->sort_run_bytes = 256; /* many sorted runs for out-of-order rows */
    /* inputs are small: a 1 MiB read buffer per import would cost more
     * (an mmap under ASan) than the import */
    xs__io_reader_test_buffer_size(4096);
    CHECK_OR_DIE(sqlite3_exec(fz_st->db, "ATTACH ':memory:' AS tmpl", NULL, NULL, NULL) ==
                 SQLITE_OK);
    for (int t = 0; t < XS_N_TABLES; t++) {
        const char *name = xs__store_table_def((xs_table_id)t)->name;
        char sql[256];
        snprintf(sql, sizeof sql, "CREATE TABLE tmpl.%s AS SELECT * FROM main.%s", name,
                 name);
        CHECK_OR_DIE(sqlite3_exec(fz_st->db, sql, NULL, NULL, NULL) == SQLITE_OK);
        snprintf(sql, sizeof sql, "SELECT * FROM main.%s", name);
        CHECK_OR_DIE(sqlite3_prepare_v2(fz_st->db, sql, -1, &fz_scan[t], NULL) ==
                     SQLITE_OK);
        snprintf(sql, sizeof sql, "DELETE FROM main.%s", name);
        CHECK_OR_DIE(sqlite3_prepare_v2(fz_st->db, sql, -1, &fz_wipe[t], NULL) ==
                     SQLITE_OK);
        snprintf(sql, sizeof sql, "INSERT INTO main.%s SELECT * FROM tmpl.%s", name,
                 name);
        CHECK_OR_DIE(sqlite3_prepare_v2(fz_st->db, sql, -1, &fz_refill[t], NULL) ==
                     SQLITE_OK);
    }
    fz_state(&fz_tmpl_state);
}

#endif
