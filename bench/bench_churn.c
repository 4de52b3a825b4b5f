/*
 * bench_churn.c — the churn-risk model: reading and encoding a customer
 * table, one XGBoost training on all rows, 5-fold cross-validation, and
 * prediction with contributions, on the IBM telco table (7,043 customers,
 * when present) and on a generated table of 100,000 customers.
 *
 * Baseline in the same run: one training on all rows with the same
 * parameters. 5-fold CV trains five models on 80 % of the rows each, so
 * its cost is about 4x the baseline plus the fold bookkeeping; the ratio
 * printed shows that overhead. Each figure is the best of `reps` runs.
 *
 * The generated table: 8 numeric columns (2 with signal, 3 % blanks in
 * one), 3 categorical columns (3, 5 and 12 levels, one with signal), label
 * from a logistic of those, written to a temporary CSV first (not timed).
 *
 * Usage: bench_churn [N_SYNTH [REPS]]   (telco from
 *        $XS_SOURCE_DIR/../shared/data/telco, XS_SOURCE_DIR defaulting to ".")
 */
#include "xsell.h"
#include "base/rng.h"

#include <math.h>
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

static void die(const char *what, const xs_error *e)
{
    char buf[1200];
    fprintf(stderr, "bench_churn: %s: %s\n", what, xs_error_format(e, buf, sizeof buf));
    exit(1);
}

static void write_synth(const char *path, size_t n)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        perror(path);
        exit(1);
    }
    xs__rng r;
    xs__rng_seed(&r, 2026);
    fprintf(f, "id,n1,n2,n3,n4,n5,n6,n7,n8,c3,c5,c12,label\n");
    static const double eff5[] = {0.6, -0.4, 0.0, 0.3, -0.8};
    for (size_t i = 0; i < n; i++) {
        double v[8];
        for (int k = 0; k < 8; k++)
            v[k] = xs__rng_normal(&r);
        size_t c3 = (size_t)xs__rng_below(&r, 3), c5 = (size_t)xs__rng_below(&r, 5),
               c12 = (size_t)xs__rng_below(&r, 12);
        double z = -1.0 + 1.2 * v[0] - 0.8 * v[1] + 0.3 * v[2] * v[3] + eff5[c5];
        int y = xs__rng_uniform(&r) < 1 / (1 + exp(-z));
        fprintf(f, "C%zu", i);
        for (int k = 0; k < 8; k++) {
            if (k == 2 && xs__rng_uniform(&r) < 0.03)
                fprintf(f, ", ");
            else
                fprintf(f, ",%.4f", v[k]);
        }
        fprintf(f, ",a%zu,b%zu,c%zu,%s\n", c3, c5, c12, y ? "Yes" : "No");
    }
    fclose(f);
}

static void bench(const char *name, const char *path, const char *id, const char *label,
                  int reps)
{
    xs_churn_read_opts o = {.id = id, .label = label};
    xs_churn_params p;
    xs_churn_params_init(&p);
    xs_error e;
    xs_churn_data *d = NULL;
    double t_read = 1e30, t_train = 1e30, t_cv = 1e30, t_pred = 1e30, t_prob = 1e30;
    double auc = 0;
    for (int k = 0; k < reps; k++) {
        xs_churn_data_free(d);
        double t0 = now();
        if (xs_churn_data_read(path, &o, &d, &e) < 0) die("read", &e);
        t_read = fmin(t_read, now() - t0);
    }
    for (int k = 0; k < reps; k++) {
        xs_churn_model *m = NULL;
        double t0 = now();
        if (xs_churn_train(d, &p, &m, &e) < 0) die("train", &e);
        t_train = fmin(t_train, now() - t0);
        xs_churn_pred pr;
        t0 = now();
        if (xs_churn_predict(m, d, 0, &pr, &e) < 0) die("predict", &e);
        t_prob = fmin(t_prob, now() - t0);
        xs_churn_pred_free(&pr);
        t0 = now();
        if (xs_churn_predict(m, d, 1, &pr, &e) < 0) die("predict", &e);
        t_pred = fmin(t_pred, now() - t0);
        xs_churn_pred_free(&pr);
        xs_churn_model_free(m);
    }
    for (int k = 0; k < reps; k++) {
        xs_churn_cv r;
        double t0 = now();
        if (xs_churn_cv_run(d, &p, &r, &e) < 0) die("cv", &e);
        t_cv = fmin(t_cv, now() - t0);
        auc = r.auc;
        xs_churn_cv_free(&r);
    }
    size_t n = xs_churn_data_rows(d), nf = xs_churn_data_n_features(d);
    printf("| %s | %zu | %zu | read+encode | %.3f s | — |\n", name, n, nf, t_read);
    printf("| %s | %zu | %zu | train on all rows (baseline) | %.3f s | 1.00x |\n", name, n,
           nf, t_train);
    printf("| %s | %zu | %zu | 5-fold CV (AUC %.4f) | %.3f s | %.2fx |\n", name, n, nf, auc,
           t_cv, t_cv / t_train);
    printf("| %s | %zu | %zu | predict, all rows | %.3f s | %.2fx |\n", name, n, nf, t_prob,
           t_prob / t_train);
    printf("| %s | %zu | %zu | predict + contributions, all rows | %.3f s | %.2fx |\n", name,
           n, nf, t_pred, t_pred / t_train);
    fflush(stdout);
    xs_churn_data_free(d);
}

int main(int argc, char **argv)
{
    size_t n = argc > 1 ? (size_t)strtoull(argv[1], NULL, 10) : 100000;
    int reps = argc > 2 ? atoi(argv[2]) : 3;
    if (reps < 1) reps = 1;
    const char *src = getenv("XS_SOURCE_DIR");
    char telco[1024], synth[256];
    snprintf(telco, sizeof telco, "%s/../shared/data/telco/telco-customer-churn.csv",
             src ? src : ".");
    snprintf(synth, sizeof synth, "/tmp/bench_churn_%ld.csv", (long)getpid());
    printf("churn model: XGBoost 1.7, 200 rounds, depth 3, eta 0.05, hist, 1 thread; "
           "best of %d\n\n",
           reps);
    printf("| data | rows | features | step | time | vs baseline |\n");
    printf("|---|---:|---:|---|---:|---:|\n");
    if (access(telco, R_OK) == 0) {
        bench("telco", telco, "customerID", "Churn", reps);
    } else {
        printf("| telco | skipped: %s absent | | | | |\n", telco);
    }
    write_synth(synth, n);
    bench("generated", synth, "id", "label", reps);
    unlink(synth);
    return 0;
}
