/*
 * bench_snapshot.c — how fast xs_snapshot_load() reads a large store and how
 * compact the result is.
 *
 * Builds a store (default 100k customers, 1k products, 10M order lines in
 * orders of 1-7 lines, written in date order with random customers, so the
 * snapshot has to re-sort them by customer) with prepared INSERTs in one
 * transaction, in a child process so that the parent's peak RSS is the
 * load's alone. Then, in the same run:
 *   baseline: a bare sqlite3_step loop over `SELECT order_id, customer_id,
 *             date, product_id, quantity, amount FROM orders` reading every
 *             column (text or integer) and building nothing;
 *   load:     xs_snapshot_load() of the whole store.
 * and prints seconds, rows/s, the ratio load / baseline, bytes per order line
 * and per customer, and the peak RSS (getrusage).
 *
 * usage: bench_snapshot [--customers N] [--products N] [--lines N] [--db FILE]
 *                       [--keep] [--reuse] [--repeat N]
 * The store file (about 1 GB at the default size) is removed at the end
 * unless --keep; --reuse uses an existing FILE when it holds the requested
 * number of lines (and keeps it). --repeat N (default 3) alternates the
 * baseline and the load N times and reports the fastest of each.
 */
#include "xsell.h"
#include "base/date.h"
#include "base/progress.h"
#include "base/rng.h"
#include "snapshot/snapshot.h"
#include "store/store_int.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

static void die(const char *what, const xs_error *e)
{
    char buf[1200];
    fprintf(stderr, "bench_snapshot: %s: %s\n", what,
            e ? xs_error_format(e, buf, sizeof buf) : "");
    exit(1);
}

static void exec_sql(xs_store *st, const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec(st->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        fprintf(stderr, "bench_snapshot: %s: %s\n", sql, msg ? msg : "?");
        exit(1);
    }
}

static sqlite3_stmt *prep(xs_store *st, const char *sql)
{
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(st->db, sql, -1, &q, NULL) != SQLITE_OK) {
        fprintf(stderr, "bench_snapshot: %s: %s\n", sql, sqlite3_errmsg(st->db));
        exit(1);
    }
    return q;
}

static void run(sqlite3_stmt *q)
{
    if (sqlite3_step(q) != SQLITE_DONE) {
        fprintf(stderr, "bench_snapshot: insert failed: %s\n",
                sqlite3_errmsg(sqlite3_db_handle(q)));
        exit(1);
    }
    sqlite3_reset(q);
}

static void remove_store(const char *path)
{
    static const char *const suffixes[] = {"", "-wal", "-shm"};
    for (int k = 0; k < 3; k++) {
        char p[600];
        snprintf(p, sizeof p, "%s%s", path, suffixes[k]);
        unlink(p);
    }
}

/* Writes the store. Customers C0000000.., products P0000.., orders
 * O00000000.. in date order, 1-7 distinct products each. */
static void generate(const char *path, long n_cust, long n_prod, long n_lines)
{
    xs_store *st;
    xs_error e;
    char id[32], id2[32], date[11];
    remove_store(path);
    if (xs_store_open(&st, path, &e) < 0) die("opening the store", &e);
    xs__rng rng;
    xs__rng_seed(&rng, 42);
    exec_sql(st, "BEGIN");
    if (xs__store_indexes_drop(st, XS_T_ORDERS, &e) < 0) die("dropping indexes", &e);
    static const char *const segs[] = {"smb", "mid", "enterprise"};
    static const char *const regions[] = {"JP-East", "JP-West", "EU", "US"};
    sqlite3_stmt *q =
        prep(st, "INSERT INTO customers(customer_id, name, segment, region,"
                 " signup_date, consent_email, owner) VALUES (?,?,?,?,?,1,?)");
    for (long c = 0; c < n_cust; c++) {
        char name[48], owner[16];
        snprintf(id, sizeof id, "C%07ld", c);
        snprintf(name, sizeof name, "Customer %ld KK", c);
        snprintf(owner, sizeof owner, "csm%02ld", c % 40);
        xs__date_format((int32_t)(18000 + c % 1500), date);
        sqlite3_bind_text(q, 1, id, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(q, 2, name, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(q, 3, segs[c % 3], -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 4, regions[c % 4], -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 5, date, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(q, 6, owner, -1, SQLITE_TRANSIENT);
        run(q);
    }
    sqlite3_finalize(q);
    q = prep(st,
             "INSERT INTO products(product_id, name, family, tier, kind, price, billing,"
             " limits) VALUES (?,?,?,?,'plan',?,'month',?)");
    for (long p = 0; p < n_prod; p++) {
        char name[32], fam[32], lim[64];
        snprintf(id, sizeof id, "P%04ld", p);
        snprintf(name, sizeof name, "Product %ld", p);
        snprintf(fam, sizeof fam, "fam%02ld", p / 4);
        snprintf(lim, sizeof lim, "seats=%ld;storage_gb=%ld", 10 * (p % 4 + 1),
                 5 * (p % 4 + 1));
        sqlite3_bind_text(q, 1, id, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(q, 2, name, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(q, 3, fam, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(q, 4, p % 4 + 1);
        sqlite3_bind_int64(q, 5, 1000 + 500 * (p % 40));
        sqlite3_bind_text(q, 6, lim, -1, SQLITE_TRANSIENT);
        run(q);
    }
    sqlite3_finalize(q);
    q = prep(
        st,
        "INSERT INTO orders(order_id, customer_id, date, product_id, quantity, amount)"
        " VALUES (?,?,?,?,?,?)");
    long done = 0, order = 0;
    int32_t day0 = 19000; /* 2022-01-08 .. about 3 years */
    xs__progress pr;
    xs__progress_start(&pr, "generating orders", (uint64_t)n_lines);
    while (done < n_lines) {
        long nl = 1 + (long)xs__rng_below(&rng, 7);
        if (nl > n_lines - done) nl = n_lines - done;
        long c = (long)xs__rng_below(&rng, (uint64_t)n_cust);
        long first = (long)xs__rng_below(&rng, (uint64_t)n_prod);
        long step =
            1 + (long)xs__rng_below(&rng, (uint64_t)(n_prod > 8 ? n_prod / 8 : 1));
        snprintf(id, sizeof id, "O%08ld", order++);
        snprintf(id2, sizeof id2, "C%07ld", c);
        xs__date_format(day0 + (int32_t)((double)done / (double)n_lines * 1100), date);
        for (long l = 0; l < nl; l++) {
            char pid[32];
            snprintf(pid, sizeof pid, "P%04ld", (first + l * step) % n_prod);
            long qty = 1 + (long)xs__rng_below(&rng, 5);
            sqlite3_bind_text(q, 1, id, -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(q, 2, id2, -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(q, 3, date, -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(q, 4, pid, -1, SQLITE_TRANSIENT);
            sqlite3_bind_int64(q, 5, qty);
            sqlite3_bind_int64(q, 6,
                               qty * (1000 + 500 * ((first + l * step) % n_prod % 40)));
            if (sqlite3_step(q) != SQLITE_DONE) {
                /* the same product twice in one order (step wrapped): skip it */
                sqlite3_reset(q);
                continue;
            }
            sqlite3_reset(q);
            done++;
        }
        xs__progress_update(&pr, (uint64_t)done);
    }
    xs__progress_finish(&pr);
    sqlite3_finalize(q);
    if (xs__store_indexes_create(st, XS_T_ORDERS, &e) < 0) die("creating indexes", &e);
    exec_sql(st, "COMMIT");
    xs_store_close(st);
}

static long long count_lines(const char *path)
{
    xs_store *st;
    xs_error e;
    if (access(path, R_OK) != 0 || xs_store_open(&st, path, &e) < 0) return -1;
    long long n = xs_store_count(st, XS_T_ORDERS, &e);
    xs_store_close(st);
    return n;
}

/* CPU seconds (user + system) of this process so far: the machine is
 * shared, so wall time alone can mislead. */
static double cpu_s(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

/* The baseline: step through the orders reading every column. */
static double scan_orders(xs_store *st, long long *rows, double *cpu)
{
    double t0 = xs__now(), c0 = cpu_s();
    sqlite3_stmt *q = prep(st, "SELECT order_id, customer_id, date, product_id, quantity,"
                               " amount FROM orders");
    unsigned long long sink = 0;
    long long n = 0;
    while (sqlite3_step(q) == SQLITE_ROW) {
        sink += (unsigned long long)sqlite3_column_bytes(q, 0);
        sink += (unsigned char)*sqlite3_column_text(q, 0);
        sink += (unsigned char)*sqlite3_column_text(q, 1);
        sink += (unsigned char)*sqlite3_column_text(q, 2);
        sink += (unsigned char)*sqlite3_column_text(q, 3);
        sink += (unsigned long long)sqlite3_column_int64(q, 4);
        sink += (unsigned long long)sqlite3_column_int64(q, 5);
        n++;
    }
    sqlite3_finalize(q);
    if (sink == 42) fputc(' ', stderr); /* keep the reads */
    *rows = n;
    *cpu = cpu_s() - c0;
    return xs__now() - t0;
}

static long peak_rss_kib(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

int main(int argc, char **argv)
{
    long n_cust = 100000, n_prod = 1000, n_lines = 10000000;
    const char *path = "/tmp/xs-bench-snapshot.db";
    int reuse = 0, keep = 0, repeat = 3;
    static const struct option opts[] = {{"customers", required_argument, NULL, 'c'},
                                         {"products", required_argument, NULL, 'p'},
                                         {"lines", required_argument, NULL, 'l'},
                                         {"db", required_argument, NULL, 'd'},
                                         {"reuse", no_argument, NULL, 'r'},
                                         {"keep", no_argument, NULL, 'k'},
                                         {"repeat", required_argument, NULL, 'n'},
                                         {NULL, 0, NULL, 0}};
    int ch;
    while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (ch) {
        case 'c':
            n_cust = atol(optarg);
            break;
        case 'p':
            n_prod = atol(optarg);
            break;
        case 'l':
            n_lines = atol(optarg);
            break;
        case 'd':
            path = optarg;
            break;
        case 'r':
            reuse = keep = 1;
            break;
        case 'k':
            keep = 1;
            break;
        case 'n':
            repeat = atoi(optarg);
            break;
        default:
            fprintf(stderr,
                    "usage: bench_snapshot [--customers N] [--products N] [--lines N]"
                    " [--db FILE] [--keep] [--reuse] [--repeat N]\n");
            return 2;
        }
    }
    if (n_cust < 1 || n_prod < 1 || n_lines < 0 || repeat < 1) {
        fprintf(stderr, "bench_snapshot: sizes must be positive\n");
        return 2;
    }

    /* Generate (or check a reused file) in a child process, so that the
     * parent's peak RSS is the load's alone. Exit 3: reused. */
    double gen_s = 0, t_gen = xs__now();
    pid_t pid = fork();
    if (pid == 0) {
        if (reuse && count_lines(path) == n_lines) _exit(3);
        generate(path, n_cust, n_prod, n_lines);
        _exit(0);
    }
    int status;
    if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) ||
        (WEXITSTATUS(status) != 0 && WEXITSTATUS(status) != 3)) {
        fprintf(stderr, "bench_snapshot: generating the store failed\n");
        return 1;
    }
    if (WEXITSTATUS(status) == 0) gen_s = xs__now() - t_gen;

    xs_store *st;
    xs_error e;
    if (xs_store_open(&st, path, &e) < 0) die("opening the store", &e);
    /* Baseline and load alternate `repeat` times; the fastest of each is
     * reported (the machine is shared: the minimum is the least disturbed
     * run), with CPU seconds alongside. */
    long long rows = 0;
    long rss_before = peak_rss_kib(), rss_scan = 0;
    double base = 1e300, base_cpu = 1e300, load_s = 1e300, load_cpu = 1e300;
    xs_snapshot *s = NULL;
    for (int r = 0; r < repeat; r++) {
        double cpu, wall = scan_orders(st, &rows, &cpu);
        if (wall < base) base = wall;
        if (cpu < base_cpu) base_cpu = cpu;
        if (!rss_scan) rss_scan = peak_rss_kib();
        xs_snapshot_free(s);
        double t0 = xs__now(), c0 = cpu_s();
        if (xs_snapshot_load(st, &s, &e) < 0) die("loading the snapshot", &e);
        wall = xs__now() - t0;
        cpu = cpu_s() - c0;
        if (wall < load_s) load_s = wall;
        if (cpu < load_cpu) load_cpu = cpu;
    }
    long rss_load = peak_rss_kib();

    const xs__snapshot_orders *o = &s->ord;
    const xs__snapshot_customers *c = &s->cust;
    size_t nl = o->n_lines, no = o->n, nc = c->n;
    /* bytes of the order side: lines, orders, their ids, both CSR indexes */
    size_t ord_bytes =
        nl * (sizeof *o->product + sizeof *o->quantity + sizeof *o->amount) +
        no * (sizeof *o->customer + sizeof *o->date + sizeof *o->id_off) +
        (no + 1) * sizeof *o->line_off + o->n_id_chars + (nc + 1) * sizeof *c->order_off;
    /* bytes of the customer side: columns, five CSR indexes, id intern
     * table, names and contacts */
    size_t cust_bytes =
        nc * (sizeof *c->name + 5 * sizeof *c->segment + sizeof *c->signup +
              sizeof *c->consent + 2 * sizeof *c->contact_name) +
        5 * (nc + 1) * sizeof *c->sub_off + xs__intern_bytes(&c->ids) + s->n_text;
    size_t total_rows = 0;
    for (int k = 0; k < XS_SNAP_N_ITEMS; k++)
        if (k != XS_SNAP_ORDERS) total_rows += xs_snapshot_count(s, (xs_snapshot_item)k);

    printf("store: %s, %zu customers, %zu products, %zu order lines in %zu orders%s\n",
           path, nc, s->prod.n, nl, no, gen_s > 0 ? "" : " (reused)");
    if (gen_s > 0) printf("generated in %.1f s (child process)\n", gen_s);
    printf("best of %d runs each\n", repeat);
    printf("%-34s %9s %9s %12s\n", "step", "wall s", "cpu s", "rows/s");
    printf("%-34s %9.3f %9.3f %12.0f\n", "baseline: SELECT orders, step only", base,
           base_cpu, (double)rows / base);
    printf("%-34s %9.3f %9.3f %12.0f\n", "xs_snapshot_load (all tables)", load_s,
           load_cpu, (double)total_rows / load_s);
    printf("ratio load / baseline: %.2f wall, %.2f cpu\n", load_s / base,
           load_cpu / base_cpu);
    printf("snapshot bytes: %.1f MiB total\n", (double)xs_snapshot_bytes(s) / 1048576.0);
    printf("bytes per order line (lines + orders + ids + indexes): %.2f\n",
           nl ? (double)ord_bytes / (double)nl : 0.0);
    printf("  of which 16.00 per line, %.2f per order (%.2f lines per order)\n",
           no ? (double)(ord_bytes - nl * 16) / (double)no : 0.0,
           no ? (double)nl / (double)no : 0.0);
    printf("bytes per customer (columns + 5 CSR + id table + names): %.2f\n",
           nc ? (double)cust_bytes / (double)nc : 0.0);
    printf("peak RSS: %.1f MiB before, %.1f MiB after the baseline scan, %.1f MiB after "
           "the load\n",
           rss_before / 1024.0, rss_scan / 1024.0, rss_load / 1024.0);
    xs_snapshot_free(s);
    xs_store_close(st);
    if (!keep) remove_store(path);
    return 0;
}
