/*
 * bench_kpi.c — how fast xs_kpi_compute() reports on a large generated
 * company, against baselines measured in the same run.
 *
 * Generates a company with xs_gen_write() (default 1,000,000 customers,
 * seed 42, as_of 2026-09-30), imports the tables the KPIs read (customers,
 * products, subscriptions, orders, offers; usage and events are not read
 * by the KPIs and are left out to save import time), then in one process:
 *   load:      xs_snapshot_load() of the store;
 *   baseline:  one plain pass over the subscription arrays (the ARR of the
 *              subscriptions active at as_of: read product, quantity,
 *              unit_price, start, end of every row);
 *   kpi:       xs_kpi_compute() for the 24 months before as_of, without a
 *              breakdown, by segment, by product, and per quarter.
 * It prints wall and CPU seconds of each (the fastest of --repeat runs) and
 * the ratios kpi / baseline pass and kpi / load.
 *
 * usage: bench_kpi [--customers N] [--dir DIR] [--repeat N] [--keep]
 * DIR (default /tmp/xs-bench-kpi-N) holds the CSV files and kpi.db; an
 * existing DIR/kpi.db is reused, so a second run skips generation and
 * import. DIR is removed at the end unless --keep.
 */
#include "xsell.h"
#include "base/date.h"
#include "snapshot/snapshot.h"

#include <dirent.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static void die(const char *what, const xs_error *e)
{
    char buf[1200];
    fprintf(stderr, "bench_kpi: %s: %s\n", what,
            e ? xs_error_format(e, buf, sizeof buf) : "");
    exit(1);
}

static double wall(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static double cpu(void)
{
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static void rm_rf(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) return;
    struct dirent *e;
    char p[1200];
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
            snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
            unlink(p);
        }
    closedir(d);
    rmdir(dir);
}

/* The baseline: one pass over the subscription columns. */
static int64_t plain_pass(const xs_snapshot *s, int32_t day)
{
    int64_t sum = 0;
    for (size_t i = 0; i < s->sub.n; i++) {
        if (s->sub.start[i] > day) continue;
        if (s->sub.end[i] != XS_SNAP_NO_DATE && s->sub.end[i] <= day) continue;
        int64_t v = (int64_t)s->sub.quantity[i] * s->sub.unit_price[i];
        uint8_t b = s->prod.billing[s->sub.product[i]];
        sum += b == XS_SNAP_BILL_MONTH ? 12 * v : b == XS_SNAP_BILL_YEAR ? v : 0;
    }
    return sum;
}

typedef struct timing {
    double wall, cpu;
} timing;

static void keep_min(timing *best, double w, double c)
{
    if (best->wall == 0 || w < best->wall) best->wall = w;
    if (best->cpu == 0 || c < best->cpu) best->cpu = c;
}

int main(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"customers", required_argument, NULL, 'n'},
        {"dir", required_argument, NULL, 'd'},
        {"repeat", required_argument, NULL, 'r'},
        {"keep", no_argument, NULL, 'k'},
        {NULL, 0, NULL, 0},
    };
    unsigned long long n = 1000000;
    int repeat = 3, keep = 0, c;
    char dir[1024] = "";
    while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (c) {
        case 'n':
            n = strtoull(optarg, NULL, 10);
            break;
        case 'd':
            snprintf(dir, sizeof dir, "%s", optarg);
            break;
        case 'r':
            repeat = atoi(optarg);
            break;
        case 'k':
            keep = 1;
            break;
        default:
            fprintf(
                stderr,
                "usage: bench_kpi [--customers N] [--dir DIR] [--repeat N] [--keep]\n");
            return 2;
        }
    }
    if (!dir[0]) snprintf(dir, sizeof dir, "/tmp/xs-bench-kpi-%llu", n);
    if (repeat < 1) repeat = 1;
    char db[1200], path[1300];
    snprintf(db, sizeof db, "%s/kpi.db", dir);
    xs_error e;

    if (access(db, R_OK) != 0) {
        xs_gen_options g;
        xs_gen_options_init(&g);
        g.n_customers = n;
        double t0 = wall();
        if (xs_gen_write(dir, &g, NULL, &e) < 0) die("gen", &e);
        printf("generated %llu customers in %.1f s\n", n, wall() - t0);
        static const xs_table_id tables[] = {
            XS_T_CUSTOMERS, XS_T_PRODUCTS, XS_T_SUBSCRIPTIONS, XS_T_ORDERS, XS_T_OFFERS};
        xs_store *st;
        snprintf(path, sizeof path, "%s.tmp", db);
        unlink(path);
        if (xs_store_open(&st, path, &e) < 0) die("open", &e);
        t0 = wall();
        for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++) {
            char csv[1200];
            snprintf(csv, sizeof csv, "%s/%s.csv", dir, xs_table_name(tables[i]));
            xs_import_options o;
            xs_import_options_init(&o);
            o.table = tables[i];
            xs_import_result r;
            if (xs_import_file(st, csv, &o, &r, &e) < 0) die("import", &e);
            printf("imported %-13s %10llu rows in %5.1f s\n", xs_table_name(tables[i]),
                   r.read, r.seconds);
        }
        xs_store_close(st);
        if (rename(path, db) != 0) die("rename", NULL);
        printf("import total %.1f s\n", wall() - t0);
    }

    xs_store *st;
    if (xs_store_open(&st, db, &e) < 0) die("open", &e);
    xs_snapshot *snap = NULL;
    timing load = {0, 0}, base = {0, 0};
    for (int k = 0; k < repeat; k++) {
        xs_snapshot_free(snap);
        snap = NULL;
        double w0 = wall(), c0 = cpu();
        if (xs_snapshot_load(st, &snap, &e) < 0) die("snapshot", &e);
        keep_min(&load, wall() - w0, cpu() - c0);
    }
    xs_store_close(st);
    int32_t as_of;
    xs__date_parse(XS_GEN_DEFAULT_AS_OF, 10, &as_of);
    int64_t arr = 0;
    for (int k = 0; k < repeat; k++) {
        double w0 = wall(), c0 = cpu();
        arr = plain_pass(snap, as_of);
        keep_min(&base, wall() - w0, cpu() - c0);
    }

    struct {
        const char *name;
        xs_kpi_opts o;
        timing t;
        size_t rows;
    } runs[] = {
        {"month", {.period = XS_KPI_MONTH}, {0, 0}, 0},
        {"month --by segment",
         {.period = XS_KPI_MONTH, .by = XS_KPI_BY_SEGMENT},
         {0, 0},
         0},
        {"month --by product",
         {.period = XS_KPI_MONTH, .by = XS_KPI_BY_PRODUCT},
         {0, 0},
         0},
        {"quarter", {.period = XS_KPI_QUARTER}, {0, 0}, 0},
    };
    int64_t kpi_arr = 0;
    for (size_t i = 0; i < sizeof runs / sizeof runs[0]; i++) {
        runs[i].o.from = "2024-10-01";
        runs[i].o.to = XS_GEN_DEFAULT_AS_OF;
        for (int k = 0; k < repeat; k++) {
            xs_kpi_result *r;
            double w0 = wall(), c0 = cpu();
            if (xs_kpi_compute(snap, &runs[i].o, &r, &e) < 0) die("kpi", &e);
            keep_min(&runs[i].t, wall() - w0, cpu() - c0);
            runs[i].rows = xs_kpi_result_n_rows(r);
            if (i == 0) kpi_arr = xs_kpi_result_row(r, runs[i].rows - 1)->arr_end;
            xs_kpi_result_free(r);
        }
    }

    printf("\n%zu customers, %zu subscriptions, %zu orders, %zu offers; 24 months "
           "2024-10 .. 2026-09; fastest of %d\n",
           xs_snapshot_count(snap, XS_SNAP_CUSTOMERS),
           xs_snapshot_count(snap, XS_SNAP_SUBSCRIPTIONS),
           xs_snapshot_count(snap, XS_SNAP_ORDERS),
           xs_snapshot_count(snap, XS_SNAP_OFFERS), repeat);
    printf("ARR at as_of: plain pass %lld, KPI %lld (%s)\n\n", (long long)arr,
           (long long)kpi_arr, arr == kpi_arr ? "equal" : "DIFFER");
    printf("| step | wall s | CPU s | rows | kpi / plain pass | kpi / load |\n");
    printf("|---|---:|---:|---:|---:|---:|\n");
    printf("| snapshot load (customers, products, subscriptions, orders, offers) | %.3f "
           "| %.3f "
           "| | | |\n",
           load.wall, load.cpu);
    printf(
        "| baseline: one plain pass over the subscription arrays | %.4f | %.4f | | | |\n",
        base.wall, base.cpu);
    for (size_t i = 0; i < sizeof runs / sizeof runs[0]; i++)
        printf("| xs_kpi_compute %s | %.3f | %.3f | %zu | %.1f | %.3f |\n", runs[i].name,
               runs[i].t.wall, runs[i].t.cpu, runs[i].rows, runs[i].t.wall / base.wall,
               runs[i].t.wall / load.wall);
    xs_snapshot_free(snap);
    if (!keep) rm_rf(dir);
    return arr == kpi_arr ? 0 : 1;
}
