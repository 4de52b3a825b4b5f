/*
 * fuzz_import.c — libFuzzer target for the validated importer
 * (src/io/import.c, src/io/validate.c) and the store writer behind it.
 *
 * Every input is imported as one table, as CSV or as JSON Lines, into a
 * store that holds a few customers, products and orders. The first three
 * input bytes pick:
 *   byte 0  bit 0  --skip-bad-rows with a reject file
 *           bit 1  ';' as the CSV delimiter instead of ','
 *           bit 2  allocation failure after (byte 1) allocations
 *           bit 3  --max-errors 0 (no messages delivered)
 *           bit 4  JSON Lines instead of CSV
 *   byte 2  the table (modulo the number of tables)
 * the rest is the file. Checked after the import:
 *   - a failed import leaves the store exactly as it was (row counts and a
 *     digest of every value of every table) and no reject file;
 *   - a successful one leaves the store consistent: the lines of an order
 *     share customer_id and date, and every customer / product reference
 *     names a stored customer / product;
 *   - nothing leaks and no bad access happens (ASan / UBSan).
 * Any violation aborts.
 *
 * Speed (at least 500 executions a second are wanted; this target first
 * ran at 9: it wrote, opened and checkpointed a store file and imported
 * fourteen times per input): one import per input into the in-memory store
 * of fuzz_store.h, which puts back only the table the import changed.
 * bench/RESULTS.md has the numbers.
 *
 * Build and run: `make fuzz` (FUZZ_SECONDS each, on a copy of
 * tests/fuzz/corpus/import), or by hand:
 *   CC=clang cmake -S . -B build-fuzz -DXS_FUZZ=ON -DXS_SANITIZE=ON \
 *     -DCMAKE_BUILD_TYPE=Debug
 *   cmake --build build-fuzz --target fuzz_import -j2
 *   cp -r tests/fuzz/corpus/import /tmp/c && build-fuzz/fuzz_import \
 *     -max_total_time=120 -max_len=2048 /tmp/c
 * The seed "heads" holds an order whose lines disagree on customer and date
 * (without such a seed the fuzzer did not find a deliberately broken basket
 * check in 2 minutes; with it, at once).
 */
#define FZ_NAME "fuzz_import"
#include "fuzz_store.h"

#include "base/alloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static sqlite3_stmt *broken; /* check_consistent()'s query */

static void finalize_broken(void)
{
    sqlite3_finalize(broken);
}

/* Invariants of a store written by the importer, as one query (prepared
 * once) counting the rows that break them: the lines of an order disagree
 * on customer or date, a reference names no stored customer / product. */
static void check_consistent(void)
{
    if (!broken) {
        static const char *const ref_tables[] = {"subscriptions", "orders", "usage",
                                                 "offers"};
        char sql[2048];
        size_t n = (size_t)snprintf(
            sql, sizeof sql,
            "SELECT (SELECT count(*) FROM (SELECT order_id FROM orders GROUP BY order_id"
            " HAVING count(DISTINCT customer_id) > 1 OR count(DISTINCT date) > 1))"
            " + (SELECT count(*) FROM events WHERE customer_id NOT IN"
            " (SELECT customer_id FROM customers))");
        for (size_t i = 0; i < sizeof ref_tables / sizeof ref_tables[0]; i++)
            n += (size_t)snprintf(sql + n, sizeof sql - n,
                                  " + (SELECT count(*) FROM %s WHERE customer_id NOT IN"
                                  " (SELECT customer_id FROM customers) OR product_id NOT"
                                  " IN (SELECT product_id FROM products))",
                                  ref_tables[i]);
        CHECK_OR_DIE(n < sizeof sql);
        CHECK_OR_DIE(sqlite3_prepare_v2(fz_st->db, sql, -1, &broken, NULL) == SQLITE_OK);
        atexit(finalize_broken); /* runs before fz_cleanup closes the store */
    }
    CHECK_OR_DIE(sqlite3_step(broken) == SQLITE_ROW);
    CHECK_OR_DIE(sqlite3_column_int64(broken, 0) == 0);
    CHECK_OR_DIE(sqlite3_reset(broken) == SQLITE_OK);
}

static void ignore_error(void *ctx, const xs_error *e)
{
    char m[1200];
    unsigned *n = ctx;
    *n += (unsigned)strlen(xs_error_format(e, m, sizeof m)) > 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_init();
    if (size < 3) return 0;
    unsigned opt = data[0], fail_after = data[1];
    int t = data[2] % XS_N_TABLES;
    const char *in_path = fz_path(0), *rej_path = fz_path(1);
    fz_write(0, data + 3, size - 3);
    unlink(rej_path);
    xs_import_options o;
    xs_import_options_init(&o);
    o.table = (xs_table_id)t;
    o.format = opt & 16 ? XS_IO_JSONL : XS_IO_CSV;
    if (opt & 1) {
        o.skip_bad_rows = 1;
        o.reject_path = rej_path;
    }
    if (opt & 2) o.delimiter = ';';
    if (opt & 8) o.max_errors = 0;
    unsigned n_msgs = 0;
    o.on_error = ignore_error;
    o.error_ctx = &n_msgs;
    xs_import_result r;
    xs_error e;
    if (opt & 4) xs__alloc_fail_after((long)fail_after);
    int rc = xs_import_file(fz_st, in_path, &o, &r, &e);
    xs__alloc_fail_after(-1);
    /* the store held the template before the import */
    const fz_state_t *before = &fz_tmpl_state;
    fz_state_t after;
    fz_state(&after);
    if (rc != XS_OK) {
        CHECK_OR_DIE(rc < 0);
        CHECK_OR_DIE(!memcmp(before->count, after.count, sizeof after.count));
        CHECK_OR_DIE(!memcmp(before->digest, after.digest, sizeof after.digest));
        CHECK_OR_DIE(access(rej_path, F_OK) != 0);
        CHECK_OR_DIE(r.inserted + r.updated + r.unchanged == 0);
    } else {
        CHECK_OR_DIE(after.count[t] == before->count[t] + (long long)r.inserted);
        CHECK_OR_DIE(r.inserted + r.updated + r.unchanged + r.rejected == r.read);
        for (int u = 0; u < XS_N_TABLES; u++)
            if (u != t) CHECK_OR_DIE(after.digest[u] == before->digest[u]);
        if (!(opt & 1)) CHECK_OR_DIE(r.rejected == 0 && r.n_errors == 0);
        check_consistent();
        fz_restore_changed(&after);
    }
    if (o.max_errors == 0) CHECK_OR_DIE(n_msgs == 0);
    return 0;
}
