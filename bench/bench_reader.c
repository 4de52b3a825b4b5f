/*
 * bench_reader.c — throughput of the record readers (src/io/reader.c).
 *
 * Generates a 1,000,000-line orders CSV (and a variant whose every line has
 * quoted fields, and the same orders as JSON Lines) in /tmp, then reads each
 * with xs__io_reader and, as the baseline measured in the same run, with plain
 * fgets + splitting at the delimiter (no quoting, no UTF-8 validation, no
 * line numbers). Prints MB/s of both and the ratio. Best of 3 runs each.
 * Times are CPU seconds of this process (the bench machine is shared, so
 * wall-clock time mostly measures the neighbours' load); reading a file that
 * was just written comes from the page cache in both cases.
 *
 *   bench_reader [lines]      (default 1000000)
 */
#include "io/reader.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

/* CPU seconds used by this process. */
static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* CPU seconds used by finished child processes. */
static double children_cpu(void)
{
    struct rusage ru;
    getrusage(RUSAGE_CHILDREN, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec * 1e-6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec * 1e-6;
}

static double file_mb(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) return 0;
    fseek(f, 0, SEEK_END);
    double mb = (double)ftell(f) / 1e6;
    fclose(f);
    return mb;
}

/* kind 0: plain CSV, 1: CSV with quoted fields on every line, 2: JSONL */
static void generate(const char *path, long lines, int kind)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        perror(path);
        exit(1);
    }
    static const char *products[] = {"crm-basic", "crm-pro", "crm-seat", "payroll",
                                     "accounting", "storage-100", "support-plus"};
    if (kind < 2) fputs("order_id,customer_id,date,product_id,quantity,amount\n", f);
    unsigned long long x = 88172645463325252ULL;
    for (long i = 0; i < lines; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        long order = i / 3 + 1;
        int cust = (int)(x % 50000) + 1, q = (int)(x >> 20) % 9 + 1;
        int day = (int)(x >> 30) % 28 + 1, month = (int)(x >> 40) % 12 + 1;
        const char *p = products[(x >> 50) % 7];
        unsigned cents = (unsigned)(x >> 8) % 100000;
        if (kind == 0)
            fprintf(f, "O%07ld,C%06d,2024-%02d-%02d,%s,%d,%u.%02u\n", order, cust, month, day, p, q,
                    cents / 100, cents % 100);
        else if (kind == 1)
            fprintf(f, "\"O%07ld\",\"C%06d\",2024-%02d-%02d,\"%s, \"\"v2\"\"\",%d,%u.%02u\n", order,
                    cust, month, day, p, q, cents / 100, cents % 100);
        else
            fprintf(f,
                    "{\"order_id\":\"O%07ld\",\"customer_id\":\"C%06d\",\"date\":\"2024-%02d-%02d\","
                    "\"product_id\":\"%s\",\"quantity\":%d,\"amount\":%u.%02u}\n",
                    order, cust, month, day, p, q, cents / 100, cents % 100);
    }
    if (fclose(f) != 0) {
        perror(path);
        exit(1);
    }
}

/* Baseline: fgets lines, split at ',' (no quotes, no validation). */
static double run_fgets(const char *path, unsigned long long *sum)
{
    double t0 = cpu_now();
    FILE *f = fopen(path, "r");
    static char line[65536];
    unsigned long long s = 0;
    while (fgets(line, sizeof line, f)) {
        char *p = line;
        for (;;) {
            char *c = strchr(p, ',');
            if (!c) {
                s += strlen(p);
                break;
            }
            s += (unsigned long long)(c - p);
            p = c + 1;
        }
    }
    fclose(f);
    *sum = s;
    return cpu_now() - t0;
}

static double run_reader(const char *path, xs__io_input_format fmt,
                         unsigned long long *sum, long *records)
{
    double t0 = cpu_now();
    xs__io_reader *r;
    xs_error e;
    if (xs__io_reader_open(&r, path, fmt, ',', &e) < 0) {
        char msg[1400];
        fprintf(stderr, "%s\n", xs_error_format(&e, msg, sizeof msg));
        exit(1);
    }
    const xs__field *f;
    long line, n = 0;
    unsigned long long s = 0;
    int rc;
    while ((rc = xs__io_reader_next(r, &f, &line, &e)) == 1) {
        size_t nf = xs__io_reader_n_fields(r);
        for (size_t i = 0; i < nf; i++) s += f[i].len;
        n++;
    }
    if (rc < 0) {
        char msg[1400];
        fprintf(stderr, "%s\n", xs_error_format(&e, msg, sizeof msg));
        exit(1);
    }
    xs__io_reader_close(r);
    *sum = s;
    *records = n;
    return cpu_now() - t0;
}

static double best3_reader(const char *path, xs__io_input_format fmt,
                           unsigned long long *sum, long *records)
{
    double best = 1e30;
    for (int i = 0; i < 3; i++) {
        double t = run_reader(path, fmt, sum, records);
        if (t < best) best = t;
    }
    return best;
}

int main(int argc, char **argv)
{
    long lines = argc > 1 ? atol(argv[1]) : 1000000;
    const char *paths[] = {"/tmp/xs_bench_orders.csv", "/tmp/xs_bench_orders_quoted.csv",
                           "/tmp/xs_bench_orders.jsonl"};
    const char *names[] = {"orders CSV (no quotes)", "orders CSV (quoted fields)",
                           "orders JSONL"};
    for (int k = 0; k < 3; k++) generate(paths[k], lines, k);

    printf("bench_reader: %ld records per file, best of 3\n\n", lines);
    printf("| input | size MB | fgets+split MB/s | xs__io_reader MB/s | ratio | "
           "records/s |\n");
    printf("|---|---:|---:|---:|---:|---:|\n");
    for (int k = 0; k < 3; k++) {
        double mb = file_mb(paths[k]);
        unsigned long long s_base = 0, s_read = 0;
        double t_base = 1e30;
        for (int i = 0; i < 3; i++) {
            double t = run_fgets(paths[k], &s_base);
            if (t < t_base) t_base = t;
        }
        long records = 0;
        double t_read = best3_reader(paths[k], k == 2 ? XS_INPUT_JSONL : XS_INPUT_CSV, &s_read,
                                     &records);
        if (records != lines) {
            fprintf(stderr, "read %ld records, want %ld\n", records, lines);
            return 1;
        }
        printf("| %s | %.1f | %.0f | %.0f | %.2f | %.2fM |\n", names[k], mb, mb / t_base,
               mb / t_read, t_base / t_read, (double)records / t_read / 1e6);
    }
    printf(
        "\nratio = xs__io_reader speed / baseline speed (> 1: the reader is faster)\n");

    /* context for the importer: the whole of `sqlite3 .import` (parse and
     * insert into an in-memory table) on the plain CSV, when sqlite3 exists */
    if (system("command -v sqlite3 >/dev/null 2>&1") == 0) {
        char cmd[256];
        snprintf(cmd, sizeof cmd, "sqlite3 :memory: -cmd '.mode csv' '.import %s orders'",
                 paths[0]);
        double t0 = children_cpu();
        int rc = system(cmd);
        double t = children_cpu() - t0;
        unsigned long long s;
        long records;
        double t_read = best3_reader(paths[0], XS_INPUT_CSV, &s, &records);
        if (rc == 0)
            printf(
                "sqlite3 .import (in-memory) of the plain CSV: %.2f CPU s (%.0f MB/s); "
                "xs__io_reader alone: %.3f CPU s, %.1f%% of it\n",
                t, file_mb(paths[0]) / t, t_read, 100.0 * t_read / t);
    }
    for (int k = 0; k < 3; k++) unlink(paths[k]);
    return 0;
}
