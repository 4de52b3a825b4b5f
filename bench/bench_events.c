/*
 * bench_events.c — the importer fed from memory (xs_import_records, the
 * path of POST /v1/events) against the same rows imported from a JSON Lines
 * file (xs_import_file, the baseline), into fresh stores holding the same
 * customers. Prints rows per second of each and their ratio.
 *
 * usage: bench_events [ROWS] [DIR]   (defaults 200000, /tmp)
 */
#include "xsell.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define N_CUSTOMERS 1000

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void remove_db(const char *path)
{
    char p[600];
    unlink(path);
    snprintf(p, sizeof p, "%s-wal", path);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", path);
    unlink(p);
}

/* A fresh store with N_CUSTOMERS customers C0000..C0999. */
static xs_store *seeded(const char *path, char *cust_text)
{
    remove_db(path);
    xs_store *st = NULL;
    if (xs_store_open(&st, path, NULL) < 0) return NULL;
    static const char *names[2] = {"customer_id", "signup_date"};
    xs_import_value *v = calloc(2 * N_CUSTOMERS, sizeof *v);
    for (int i = 0; i < N_CUSTOMERS; i++) {
        v[2 * i] = (xs_import_value){cust_text + 6 * i, 5, 1};
        v[2 * i + 1] = (xs_import_value){"2024-01-01", 10, 1};
    }
    xs_import_rows r = {XS_T_CUSTOMERS, names, 2, v, N_CUSTOMERS};
    int rc = xs_import_records(st, &r, 1, NULL, NULL, NULL);
    free(v);
    if (rc < 0) {
        xs_store_close(st);
        return NULL;
    }
    return st;
}

int main(int argc, char **argv)
{
    size_t n = argc > 1 ? (size_t)strtoul(argv[1], NULL, 10) : 200000;
    const char *dir = argc > 2 ? argv[2] : "/tmp";
    char db_a[512], db_b[512], jsonl[512];
    snprintf(db_a, sizeof db_a, "%s/bench_events_file.db", dir);
    snprintf(db_b, sizeof db_b, "%s/bench_events_mem.db", dir);
    snprintf(jsonl, sizeof jsonl, "%s/bench_events.jsonl", dir);

    char *cust = malloc(6 * N_CUSTOMERS);
    for (int i = 0; i < N_CUSTOMERS; i++)
        snprintf(cust + 6 * i, 6, "C%04d", i);
    /* rows: customer i % 1000, a distinct date per row of a customer, type
     * nps / login, value */
    static const char *names[4] = {"customer_id", "date", "type", "value"};
    char(*dates)[11] = malloc(n * sizeof *dates);
    char(*vals)[4] = malloc(n * sizeof *vals);
    xs_import_value *v = calloc(n * 4, sizeof *v);
    FILE *f = fopen(jsonl, "w");
    if (!cust || !dates || !vals || !v || !f) return 1;
    for (size_t i = 0; i < n; i++) {
        size_t day = i / N_CUSTOMERS;
        snprintf(dates[i], sizeof dates[i], "%04u-%02u-%02u",
                 (unsigned)(2000 + day / 336), (unsigned)(1 + day / 28 % 12),
                 (unsigned)(1 + day % 28));
        snprintf(vals[i], sizeof vals[i], "%zu", i % 11);
        const char *type = i % 3 ? "login" : "nps";
        const char *c = cust + 6 * (i % N_CUSTOMERS);
        v[4 * i] = (xs_import_value){c, 5, 1};
        v[4 * i + 1] = (xs_import_value){dates[i], 10, 1};
        v[4 * i + 2] = (xs_import_value){type, strlen(type), 1};
        v[4 * i + 3] = (xs_import_value){vals[i], strlen(vals[i]), 1};
        fprintf(f,
                "{\"customer_id\":\"%s\",\"date\":\"%s\",\"type\":\"%s\",\"value\":%s}\n",
                c, dates[i], type, vals[i]);
    }
    fclose(f);

    xs_store *a = seeded(db_a, cust), *b = seeded(db_b, cust);
    if (!a || !b) return 1;
    xs_import_options o;
    xs_import_options_init(&o);
    o.table = XS_T_EVENTS;
    xs_import_result ra, rb;
    xs_error e;
    double t0 = now_s();
    int rc_a = xs_import_file(a, jsonl, &o, &ra, &e);
    double t1 = now_s();
    xs_import_rows r = {XS_T_EVENTS, names, 4, v, n};
    int rc_b = xs_import_records(b, &r, 1, NULL, &rb, &e);
    double t2 = now_s();
    if (rc_a < 0 || rc_b < 0 || ra.inserted != n || rb.inserted != n) {
        fprintf(stderr, "import failed: %s\n", e.message);
        return 1;
    }
    double sa = t1 - t0, sb = t2 - t1;
    printf("rows %zu\n", n);
    printf("xs_import_file (JSONL, baseline)  %.3f s  %.0f rows/s\n", sa, n / sa);
    printf("xs_import_records (memory)        %.3f s  %.0f rows/s\n", sb, n / sb);
    printf("ratio memory/file (speed)         %.2f\n", sa / sb);
    xs_store_close(a);
    xs_store_close(b);
    remove_db(db_a);
    remove_db(db_b);
    unlink(jsonl);
    free(cust);
    free(dates);
    free(vals);
    free(v);
    return 0;
}
