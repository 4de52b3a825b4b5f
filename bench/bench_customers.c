/*
 * bench_customers.c — how fast customer intelligence (health with its
 * components, segments, RFM quintiles, simple LTV) scores a large store,
 * against the snapshot load of the same store measured in the same run.
 *
 * Generates a demo company with xs_gen_write() (default 1,000,000
 * customers, seed 42) into DIR, imports customers ... events into
 * DIR/store.db with xs_import_file(), then alternates --repeat times:
 *   baseline: xs_snapshot_load() of the whole store;
 *   score:    xs_customer_scores_compute() without CLV (health, segments,
 *             RFM, LTV of every customer);
 * and reports the fastest of each (wall and CPU seconds), customers per
 * second and the ratio score / load. --clv also times one run with the
 * BG/NBD + Gamma-Gamma fits and the per-customer CLV.
 *
 * usage: bench_customers [--customers N] [--dir DIR] [--reuse] [--repeat N] [--clv]
 * --reuse keeps DIR/store.db when present (and never deletes it); without
 * it the store is rebuilt. The generated files stay in DIR.
 */
#include "xsell.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static void die(const char *what, const xs_error *e)
{
    char buf[1200];
    fprintf(stderr, "bench_customers: %s: %s\n", what,
            e ? xs_error_format(e, buf, sizeof buf) : "");
    exit(1);
}

static double wall(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static double cpu(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec * 1e-6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec * 1e-6;
}

static void build_store(const char *dir, const char *db, unsigned long long n)
{
    static const char *const tables[] = {"customers", "products", "subscriptions",
                                         "orders",    "usage",    "events"};
    xs_gen_options o;
    xs_error e;
    xs_store *st = NULL;
    double t0 = wall();
    xs_gen_options_init(&o);
    o.n_customers = n;
    if (xs_gen_write(dir, &o, NULL, &e) < 0) die("gen", &e);
    fprintf(stderr, "generated %llu customers in %.1f s\n", n, wall() - t0);
    unlink(db);
    if (xs_store_open(&st, db, &e) < 0) die("open", &e);
    for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++) {
        char path[1200];
        xs_import_options io;
        xs_import_result r;
        xs_import_options_init(&io);
        if (xs_table_lookup(tables[i], &io.table) < 0) die("table", NULL);
        snprintf(path, sizeof path, "%s/%s.csv", dir, tables[i]);
        if (xs_import_file(st, path, &io, &r, &e) < 0) die(path, &e);
        fprintf(stderr, "imported %s: %llu rows in %.1f s\n", tables[i], r.read,
                r.seconds);
    }
    xs_store_close(st);
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        {"customers", required_argument, NULL, 'n'},
        {"dir", required_argument, NULL, 'd'},
        {"reuse", no_argument, NULL, 'r'},
        {"repeat", required_argument, NULL, 'k'},
        {"clv", no_argument, NULL, 'c'},
        {NULL, 0, NULL, 0},
    };
    unsigned long long n = 1000000;
    const char *dir = "/tmp/xs-bench-customers";
    int reuse = 0, repeat = 3, with_clv = 0, c;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'n':
            n = strtoull(optarg, NULL, 10);
            break;
        case 'd':
            dir = optarg;
            break;
        case 'r':
            reuse = 1;
            break;
        case 'k':
            repeat = atoi(optarg);
            break;
        case 'c':
            with_clv = 1;
            break;
        default:
            fprintf(stderr,
                    "usage: bench_customers [--customers N] [--dir DIR] [--reuse] "
                    "[--repeat N] [--clv]\n");
            return 2;
        }
    }
    if (n == 0 || repeat < 1) die("bad options", NULL);
    char db[1100];
    snprintf(db, sizeof db, "%s/store.db", dir);
    if (!reuse || access(db, R_OK) != 0) build_store(dir, db, n);

    xs_store *st = NULL;
    xs_error e;
    if (xs_store_open(&st, db, &e) < 0) die("open", &e);
    double best_load = 1e300, best_load_cpu = 1e300, best_score = 1e300,
           best_score_cpu = 1e300;
    size_t n_cust = 0, seg_count[XS_SEG_N] = {0};
    xs_health_config cfg;
    xs_health_config_init(&cfg);
    cfg.clv = 0;
    for (int k = 0; k < repeat; k++) {
        xs_snapshot *snap = NULL;
        xs_customer_scores *cs = NULL;
        double w0 = wall(), c0 = cpu();
        if (xs_snapshot_load(st, &snap, &e) < 0) die("load", &e);
        double w1 = wall(), c1 = cpu();
        if (xs_customer_scores_compute(snap, &cfg, NULL, &cs, &e) < 0) die("score", &e);
        double w2 = wall(), c2 = cpu();
        if (w1 - w0 < best_load) best_load = w1 - w0;
        if (c1 - c0 < best_load_cpu) best_load_cpu = c1 - c0;
        if (w2 - w1 < best_score) best_score = w2 - w1;
        if (c2 - c1 < best_score_cpu) best_score_cpu = c2 - c1;
        n_cust = xs_customer_scores_n(cs);
        if (k == 0) {
            for (size_t i = 0; i < n_cust; i++) {
                xs_customer_row r;
                xs_customer_scores_get(cs, i, &r);
                seg_count[r.segment]++;
            }
        }
        fprintf(stderr, "run %d: load %.3f s, score %.3f s\n", k + 1, w1 - w0, w2 - w1);
        xs_customer_scores_free(cs);
        xs_snapshot_free(snap);
    }
    printf("customers: %zu (store %s)\n", n_cust, db);
    printf("| step | wall s | CPU s | customers/s |\n|---|---:|---:|---:|\n");
    printf("| baseline: xs_snapshot_load (whole store) | %.3f | %.3f | %.2f M |\n",
           best_load, best_load_cpu, (double)n_cust / best_load / 1e6);
    printf("| score: health + segments + RFM + simple LTV | %.3f | %.3f | %.2f M |\n",
           best_score, best_score_cpu, (double)n_cust / best_score / 1e6);
    printf("| **ratio score / load** | **%.3f** | **%.3f** | |\n", best_score / best_load,
           best_score_cpu / best_load_cpu);
    printf("segments:");
    for (int g = 0; g < XS_SEG_N; g++)
        printf(" %s %.1f%%", xs_segment_name((xs_segment)g),
               n_cust ? 100.0 * (double)seg_count[g] / (double)n_cust : 0);
    printf("\n");
    if (with_clv) {
        xs_snapshot *snap = NULL;
        xs_customer_scores *cs = NULL;
        char msg[600];
        if (xs_snapshot_load(st, &snap, &e) < 0) die("load", &e);
        cfg.clv = 1;
        double w0 = wall(), c0 = cpu();
        if (xs_customer_scores_compute(snap, &cfg, NULL, &cs, &e) < 0) die("score", &e);
        double w1 = wall(), c1 = cpu();
        printf(
            "| score with CLV (BG/NBD + Gamma-Gamma fits, 52-week CLV per buyer) | %.3f "
            "| %.3f | %.2f M |\n",
            w1 - w0, c1 - c0, (double)n_cust / (w1 - w0) / 1e6);
        if (xs_customer_scores_clv_status(cs, msg, sizeof msg) != XS_OK)
            printf("CLV: %s\n", msg);
        xs_customer_scores_free(cs);
        xs_snapshot_free(snap);
    }
    xs_store_close(st);
    return 0;
}
