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
 * History mode (--history): a generated store (xs_gen_write, seed 42;
 * generated and imported, not timed), its snapshot load, and the
 * store-history model of churn_history.c at horizon 90: features of the
 * customers active at T1, one XGBoost training on them (the baseline),
 * the whole train call (features + training), the time-split evaluation
 * (features at T1 and T2, training, prediction), and prediction for every
 * customer active on the data's last day without and with contributions.
 *
 * Usage: bench_churn [N_SYNTH [REPS]]   (telco from
 *        $XS_SOURCE_DIR/../shared/data/telco, XS_SOURCE_DIR defaulting to ".")
 *        bench_churn --history [N_CUSTOMERS [REPS]]   (default 100000, 3)
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
    double t_approx = 1e30, auc = 0;
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
        t0 = now();
        if (xs_churn_predict(m, d, XS_CHURN_CONTRIBS_APPROX, &pr, &e) < 0)
            die("predict", &e);
        t_approx = fmin(t_approx, now() - t0);
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
    printf("| %s | %zu | %zu | train on all rows (baseline) | %.3f s | 1.00x |\n", name,
           n, nf, t_train);
    printf("| %s | %zu | %zu | 5-fold CV (AUC %.4f) | %.3f s | %.2fx |\n", name, n, nf,
           auc, t_cv, t_cv / t_train);
    printf("| %s | %zu | %zu | predict, all rows | %.3f s | %.2fx |\n", name, n, nf,
           t_prob, t_prob / t_train);
    printf("| %s | %zu | %zu | predict + contributions, all rows | %.3f s | %.2fx |\n",
           name, n, nf, t_pred, t_pred / t_train);
    printf("| %s | %zu | %zu | predict + approximate contributions | %.3f s | %.2fx |\n",
           name, n, nf, t_approx, t_approx / t_train);
    fflush(stdout);
    xs_churn_data_free(d);
}

static void import_dir(xs_store *st, const char *dir)
{
    static const char *const files[] = {
        "customers.csv", "products.csv", "subscriptions.csv", "orders.csv",
        "usage.csv",     "events.csv",   "offers.csv"};
    for (int t = 0; t < XS_N_TABLES; t++) {
        char path[512];
        snprintf(path, sizeof path, "%s/%s", dir, files[t]);
        xs_import_options o;
        xs_import_options_init(&o);
        o.table = (xs_table_id)t;
        xs_error e;
        if (xs_import_file(st, path, &o, NULL, &e) < 0) die(path, &e);
    }
}

static void row(const char *step, size_t n, double t, double base)
{
    if (base > 0)
        printf("| %s | %zu | %.3f s | %.2fx |\n", step, n, t, t / base);
    else
        printf("| %s | %zu | %.3f s | — |\n", step, n, t);
    fflush(stdout);
}

static int history(uint64_t n, int reps)
{
    char dir[64], db[96];
    snprintf(dir, sizeof dir, "/tmp/bench_churn_h%ld", (long)getpid());
    snprintf(db, sizeof db, "%s/store.db", dir);
    xs_gen_options go;
    xs_gen_options_init(&go);
    go.n_customers = n;
    xs_error e;
    double t0 = now();
    if (xs_gen_write(dir, &go, NULL, &e) < 0) die("gen", &e);
    xs_store *st = NULL;
    if (xs_store_open(&st, db, &e) < 0) die("store", &e);
    import_dir(st, dir);
    double t_setup = now() - t0;
    xs_snapshot *snap = NULL;
    double t_load = 1e30;
    for (int k = 0; k < reps; k++) {
        xs_snapshot_free(snap);
        t0 = now();
        if (xs_snapshot_load(st, &snap, &e) < 0) die("snapshot", &e);
        t_load = fmin(t_load, now() - t0);
    }
    xs_store_close(st);
    xs_churn_history_opts o;
    xs_churn_history_opts_init(&o);
    xs_churn_history_eval_result info, ev;
    double t_feat = 1e30, t_xgb = 1e30, t_train = 1e30, t_eval = 1e30, t_pred = 1e30,
           t_shap = 1e30, t_approx = 1e30;
    size_t n_train = 0, n_pred = 0, nf = 0;
    xs_churn_model *m = NULL;
    for (int k = 0; k < reps; k++) {
        xs_churn_model_free(m);
        t0 = now();
        if (xs_churn_history_train(snap, &o, &m, &info, &e) < 0) die("train", &e);
        t_train = fmin(t_train, now() - t0);
        xs_churn_data *d = NULL;
        t0 = now();
        if (xs_churn_history_features(snap, info.train_cutoff, o.horizon, NULL, &d, &e) <
            0)
            die("features", &e);
        t_feat = fmin(t_feat, now() - t0);
        xs_churn_model *m2 = NULL;
        t0 = now();
        if (xs_churn_train(d, &o.params, &m2, &e) < 0) die("xgboost", &e);
        t_xgb = fmin(t_xgb, now() - t0);
        n_train = xs_churn_data_rows(d);
        nf = xs_churn_data_n_features(d);
        xs_churn_model_free(m2);
        xs_churn_data_free(d);
        t0 = now();
        if (xs_churn_history_eval(snap, &o, &ev, &e) < 0) die("eval", &e);
        t_eval = fmin(t_eval, now() - t0);
        static const int modes[] = {0, XS_CHURN_CONTRIBS, XS_CHURN_CONTRIBS_APPROX};
        double *slot[] = {&t_pred, &t_shap, &t_approx};
        for (int j = 0; j < 3; j++) {
            xs_churn_pred pr;
            t0 = now();
            if (xs_churn_history_predict(snap, m, NULL, modes[j], &d, &pr, &e) < 0)
                die("predict", &e);
            *slot[j] = fmin(*slot[j], now() - t0);
            n_pred = pr.n;
            xs_churn_pred_free(&pr);
            xs_churn_data_free(d);
        }
    }
    printf(
        "churn from store history: %llu generated customers (generate + import %.1f s, "
        "not timed below), horizon 90, T1 %s, T2 %s; XGBoost 200 rounds, depth 3, "
        "eta 0.05, 1 thread; %zu features; best of %d\n\n",
        (unsigned long long)n, t_setup, ev.train_cutoff, ev.eval_cutoff, nf, reps);
    printf("| step | customers | time | vs baseline |\n|---|---:|---:|---:|\n");
    row("snapshot load (all customers)", (size_t)n, t_load, 0);
    row("features at T1 (active customers, with labels)", n_train, t_feat, t_xgb);
    row("XGBoost training on them (baseline)", n_train, t_xgb, t_xgb);
    row("train: features + training", n_train, t_train, t_xgb);
    char what[160];
    snprintf(what, sizeof what,
             "eval: T1 -> T2 (AUC %.4f, log loss %.4f, %zu of %zu churn)", ev.auc,
             ev.log_loss, ev.n_pos, ev.n);
    row(what, ev.n_train + ev.n, t_eval, t_xgb);
    row("predict at the data's end: features + probabilities", n_pred, t_pred, t_xgb);
    row("predict + contributions (TreeSHAP)", n_pred, t_shap, t_xgb);
    row("predict + approximate contributions (Saabas)", n_pred, t_approx, t_xgb);
    xs_churn_model_free(m);
    xs_snapshot_free(snap);
    char cmd[160];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0) fprintf(stderr, "bench_churn: cannot remove %s\n", dir);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc > 1 && !strcmp(argv[1], "--history")) {
        uint64_t n = argc > 2 ? strtoull(argv[2], NULL, 10) : 100000;
        int reps = argc > 3 ? atoi(argv[3]) : 3;
        return history(n ? n : 100000, reps < 1 ? 1 : reps);
    }
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
