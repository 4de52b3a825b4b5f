/*
 * bench_experiment.c — speed of the experiment module (src/measure):
 * lift analysis of a one-row-per-unit CSV and holdout assignment.
 *
 * Generates a CSV of N units (default 1,000,000; three groups; a 0/1
 * metric, a skewed spend metric and a pre-period covariate) in /tmp, then
 * times, best of 3:
 *   baseline  reading the file with the record reader alone (src/io/reader)
 *   read      xs_exp_data_read: reader + number parsing + columns
 *   analyze   xs_exp_analyze on the loaded data (proportion, Welch, CUPED)
 *   total     read + analyze, and its ratio to the baseline
 *   bootstrap analyze of the spend metric with --method bootstrap (2,000
 *             resamples) on the first 64,000 rows (Hillstrom's size)
 *   assign    xs_exp_assign of N ids
 * and the same read + analyze on ../shared/data/hillstrom/hillstrom.csv
 * when it is present (argument 2, or $XS_SOURCE_DIR/../shared/data/...).
 *
 *   bench_experiment [rows] [hillstrom.csv]
 */
#include "io/reader.h"
#include "xsell.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void generate(const char *path, long rows)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        perror(path);
        exit(1);
    }
    static const char *groups[] = {"control", "email", "in_app"};
    fputs("customer_id,group,converted,spend,history\n", f);
    unsigned long long x = 88172645463325252ULL;
    for (long i = 0; i < rows; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        int g = (int)(x % 3);
        unsigned hist = (unsigned)(x >> 12) % 100000;
        int conv = (int)((x >> 40) % 100) < 5 + 2 * g;
        unsigned spend = conv ? (unsigned)(x >> 20) % 20000 + hist / 10 : 0;
        fprintf(f, "C%08ld,%s,%d,%u.%02u,%u.%02u\n", i, groups[g], conv, spend / 100,
                spend % 100, hist / 100, hist % 100);
    }
    fclose(f);
}

static double time_reader(const char *path, long *rows)
{
    double best = 1e30;
    for (int rep = 0; rep < 3; rep++) {
        double t0 = now();
        xs__io_reader *r;
        xs_error e;
        if (xs__io_reader_open(&r, path, XS_INPUT_CSV, ',', &e) < 0) exit(1);
        const xs__field *f;
        long line, n = 0;
        size_t bytes = 0;
        while (xs__io_reader_next(r, &f, &line, &e) > 0) {
            n++;
            bytes += f[0].len;
        }
        xs__io_reader_close(r);
        double t = now() - t0;
        if (t < best) best = t;
        *rows = n + (long)(bytes & 0); /* keep the loop from being optimised out */
    }
    return best;
}

typedef struct timing {
    double read, analyze, total;
    size_t rows;
} timing;

static timing time_analysis(const char *path, const char *group, const char *control,
                            const char *const *metrics, size_t n_metrics, const char *cov)
{
    timing best = {1e30, 1e30, 1e30, 0};
    for (int rep = 0; rep < 3; rep++) {
        xs_exp_read_opts o = {
            .group = group, .metrics = metrics, .n_metrics = n_metrics, .covariate = cov};
        xs_exp_opts ao = {.control = control};
        xs_exp_data *d;
        xs_exp_result *r;
        xs_error e;
        char msg[1200];
        double t0 = now();
        if (xs_exp_data_read(path, &o, &d, &e) < 0) {
            fprintf(stderr, "%s\n", xs_error_format(&e, msg, sizeof msg));
            exit(1);
        }
        double t1 = now();
        if (xs_exp_analyze(d, &ao, &r, &e) < 0) {
            fprintf(stderr, "%s\n", xs_error_format(&e, msg, sizeof msg));
            exit(1);
        }
        double t2 = now();
        best.rows = xs_exp_data_rows(d);
        xs_exp_result_free(r);
        xs_exp_data_free(d);
        if (t1 - t0 < best.read) best.read = t1 - t0;
        if (t2 - t1 < best.analyze) best.analyze = t2 - t1;
        if (t2 - t0 < best.total) best.total = t2 - t0;
    }
    return best;
}

static void report(const char *name, const char *path, const char *group,
                   const char *control, const char *const *metrics, size_t n_metrics,
                   const char *cov)
{
    long rows;
    double base = time_reader(path, &rows);
    timing t = time_analysis(path, group, control, metrics, n_metrics, cov);
    printf("%s: %zu rows, %zu metrics + covariate\n", name, t.rows, n_metrics);
    printf("  %-34s %8.3f s  %12.0f rows/s\n", "baseline: reader alone", base,
           rows / base);
    printf("  %-34s %8.3f s  %12.0f rows/s\n", "read (reader + numbers + columns)",
           t.read, (double)t.rows / t.read);
    printf("  %-34s %8.3f s  %12.0f rows/s\n", "analyze (loaded data)", t.analyze,
           (double)t.rows / t.analyze);
    printf("  %-34s %8.3f s  %12.0f rows/s  %.2fx baseline time\n",
           "total (read + analyze)", t.total, (double)t.rows / t.total, t.total / base);
}

int main(int argc, char **argv)
{
    long rows = argc > 1 ? atol(argv[1]) : 1000000;
    char path[256];
    snprintf(path, sizeof path, "/tmp/bench_experiment_%ld.csv", (long)getpid());
    generate(path, rows);
    const char *m[] = {"converted", "spend"};
    report("generated", path, "group", "control", m, 2, "history");

    /* bootstrap: 2,000 resamples of spend, 64,000 rows */
    {
        /* the first 64,000 rows, loaded through the public API */
        const char *sm[] = {"spend"};
        xs_exp_data *d;
        xs_error e;
        if (xs_exp_data_new("group", sm, 1, NULL, &d) < 0) return 1;
        FILE *f = fopen(path, "r");
        char line[256];
        if (!f || !fgets(line, sizeof line, f)) return 1;
        for (long i = 0; i < 64000 && fgets(line, sizeof line, f); i++) {
            char *g = strchr(line, ',') + 1, *c = strchr(g, ',');
            *c = '\0';
            char *s = strchr(c + 1, ',') + 1;
            double v = atof(s);
            xs_exp_data_add(d, g, &v, 0);
        }
        fclose(f);
        xs_exp_opts ao = {
            .control = "control", .method = XS_EXP_BOOTSTRAP, .n_boot = 2000};
        double best = 1e30, draws = 0;
        for (int rep = 0; rep < 3; rep++) {
            xs_exp_result *r;
            double t0 = now();
            if (xs_exp_analyze(d, &ao, &r, &e) < 0) return 1;
            double t = now() - t0;
            if (t < best) best = t;
            /* each comparison resamples its group and the control */
            draws = 0;
            for (size_t g = 0; g < xs_exp_result_n_groups(r); g++)
                draws += (double)xs_exp_result_group(r, g)->n;
            draws += (double)xs_exp_result_group(r, 0)->n; /* control counted twice */
            xs_exp_result_free(r);
        }
        printf("bootstrap: %zu rows, 2 comparisons x 2000 resamples: %.3f s "
               "(%.0f values drawn/s)\n",
               xs_exp_data_rows(d), best, 2000.0 * draws / best);
        xs_exp_data_free(d);
    }

    /* assignment */
    {
        xs_exp_split s;
        xs_exp_split_parse("treatment:90,holdout:10", &s, NULL);
        double best = 1e30;
        size_t holdout = 0;
        for (int rep = 0; rep < 3; rep++) {
            char id[32];
            holdout = 0;
            double t0 = now();
            for (long i = 0; i < rows; i++) {
                int len = snprintf(id, sizeof id, "C%08ld", i);
                holdout += xs_exp_assign(&s, "spring-upsell", id, (size_t)len) == 1;
            }
            double t = now() - t0;
            if (t < best) best = t;
        }
        printf("assign: %ld ids in %.3f s (%.0f ids/s, including snprintf of the id); "
               "holdout share %.4f\n",
               rows, best, (double)rows / best, (double)holdout / (double)rows);
    }
    unlink(path);

    char hpath[1024];
    const char *src = getenv("XS_SOURCE_DIR");
    if (argc > 2)
        snprintf(hpath, sizeof hpath, "%s", argv[2]);
    else
        snprintf(hpath, sizeof hpath, "%s/../shared/data/hillstrom/hillstrom.csv",
                 src ? src : ".");
    if (access(hpath, R_OK) == 0) {
        const char *hm[] = {"visit", "conversion", "spend"};
        report("hillstrom", hpath, "segment", "No E-Mail", hm, 3, "history");
    } else {
        printf("hillstrom: skipped: %s absent\n", hpath);
    }
    return 0;
}
