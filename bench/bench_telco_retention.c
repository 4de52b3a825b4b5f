/*
 * bench_telco_retention.c — do retention offers reach the customers who
 * actually leave? Measured on the real labels of the IBM Telco sample.
 *
 *   bench_telco_retention --csv telco-customer-churn.csv --db telco.db
 *                         [--set SPEC]
 *
 * telco.db is the store of examples/telco/run.sh (churned accounts'
 * subscriptions end on as_of, 2024-06-30). For each of 5 stratified folds
 * (xs_churn_cv_run: the churn model is trained on the other 4 folds of the
 * CSV and predicts this one), the fold's customers are made active again
 * in the snapshot (their subscriptions' end dates cleared: the Churn label
 * hidden), their out-of-fold P(churn) is passed as xs_offer_config.churn_p,
 * and the engine decides for each of them as of 2024-06-30. Counted: the
 * fold's actual churners and stayers that receive a retention offer
 * (xs_offer.retention, offered). Printed per fold and averaged: the share
 * of churners and of stayers reached, the precision (churners among those
 * reached) and the lift over random targeting (precision / the fold's
 * churn rate: a random choice of the same number of customers has lift 1).
 *
 * Then the offer mix on the whole store as imported, with every customer's
 * out-of-fold P(churn): offers by kind and trigger, retention offers, and
 * the distinct P(accept) values.
 *
 * The baseline of the same run is random targeting (lift 1 by definition);
 * the second baseline is the same engine with churn_p left out (the
 * built-in estimate from health).
 */
#include "xsell.h"
#include "snapshot/snapshot.h"

#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + t.tv_nsec / 1e9;
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

typedef struct fold_count {
    size_t churners, stayers, churn_hit, stay_hit;
} fold_count;

/* Decides the fold's customers (fold_of == k) with churn_p (NULL: the
 * built-in estimate) and counts those reached by a retention offer. */
static int run_fold(xs_snapshot *s, const xs_offer_config *base, const double *churn_p,
                    const long *row_of, const int *label, const uint32_t *fold_of,
                    size_t k, fold_count *fc, xs_error *err)
{
    memset(fc, 0, sizeof *fc);
    size_t nc = s->cust.n;
    /* hide the fold's labels: its customers are active again */
    int32_t *saved = malloc((s->sub.n + 1) * sizeof *saved);
    if (!saved) return XS_ENOMEM;
    memcpy(saved, s->sub.end, s->sub.n * sizeof *saved);
    for (size_t c = 0; c < nc; c++) {
        if (row_of[c] < 0 || fold_of[row_of[c]] != k) continue;
        for (uint32_t r = s->cust.sub_off[c]; r < s->cust.sub_off[c + 1]; r++)
            s->sub.end[r] = XS_SNAP_NO_DATE;
    }
    xs_offer_config cfg = *base;
    cfg.churn_p = churn_p;
    xs_offer_engine *en = NULL;
    int rc = xs_offer_engine_new(s, &cfg, "2024-06-30", &en, err);
    if (rc == XS_OK) {
        xs_offer o[XS_OFFER_MAX_CANDIDATES];
        for (size_t c = 0; c < nc; c++) {
            if (row_of[c] < 0 || fold_of[row_of[c]] != k) continue;
            int n = xs_offer_decide(en, (uint32_t)c, o, XS_OFFER_MAX_CANDIDATES);
            int hit = 0;
            for (int i = 0; i < n; i++)
                hit |= o[i].guard == XS_GUARD_NONE && o[i].retention;
            if (label[row_of[c]])
                fc->churners++, fc->churn_hit += (size_t)hit;
            else
                fc->stayers++, fc->stay_hit += (size_t)hit;
        }
    }
    xs_offer_engine_free(en);
    memcpy(s->sub.end, saved, s->sub.n * sizeof *saved);
    free(saved);
    return rc;
}

static void report(const char *title, const fold_count *fc, size_t n_folds)
{
    double sc = 0, ss = 0, prec = 0, lift = 0;
    printf("\n%s\n", title);
    printf(
        "fold  churners  reached  share   stayers  reached  share   precision  lift\n");
    for (size_t k = 0; k < n_folds; k++) {
        const fold_count *f = &fc[k];
        double a = (double)f->churn_hit / f->churners,
               b = (double)f->stay_hit / f->stayers;
        size_t hit = f->churn_hit + f->stay_hit, all = f->churners + f->stayers;
        double p = hit ? (double)f->churn_hit / hit : 0;
        double l = p / ((double)f->churners / all);
        printf("%4zu  %8zu  %7zu  %5.1f%%  %7zu  %7zu  %5.1f%%  %8.1f%%  %4.2f\n", k + 1,
               f->churners, f->churn_hit, 100 * a, f->stayers, f->stay_hit, 100 * b,
               100 * p, l);
        sc += a, ss += b, prec += p, lift += l;
    }
    printf("mean  %8s  %7s  %5.1f%%  %7s  %7s  %5.1f%%  %8.1f%%  %4.2f\n", "", "",
           100 * sc / n_folds, "", "", 100 * ss / n_folds, 100 * prec / n_folds,
           lift / n_folds);
}

int main(int argc, char **argv)
{
    const char *csv = NULL, *db = NULL, *set = NULL;
    static const struct option lo[] = {
        {"csv", 1, 0, 'c'}, {"db", 1, 0, 'd'}, {"set", 1, 0, 's'}, {0, 0, 0, 0}};
    int ch;
    while ((ch = getopt_long(argc, argv, "", lo, NULL)) != -1) {
        if (ch == 'c')
            csv = optarg;
        else if (ch == 'd')
            db = optarg;
        else if (ch == 's')
            set = optarg;
        else
            return 2;
    }
    if (!csv || !db) {
        fprintf(stderr, "usage: %s --csv TELCO.csv --db STORE [--set SPEC]\n", argv[0]);
        return 2;
    }
    xs_error e;
    char msg[512];
    xs_churn_read_opts ro = {.id = "customerID", .label = "Churn", .positive = "Yes"};
    xs_churn_data *d = NULL;
    xs_churn_params cp;
    xs_churn_params_init(&cp);
    xs_churn_cv cv;
    memset(&cv, 0, sizeof cv);
    xs_store *st = NULL;
    xs_snapshot *s = NULL;
    double t0 = now_s();
    if (xs_churn_data_read(csv, &ro, &d, &e) < 0 ||
        xs_churn_cv_run(d, &cp, &cv, &e) < 0 || xs_store_open(&st, db, &e) < 0 ||
        xs_snapshot_load(st, &s, &e) < 0) {
        fprintf(stderr, "%s\n", xs_error_format(&e, msg, sizeof msg));
        return 1;
    }
    printf("churn model: %zu rows, %zu churners, %zu folds, AUC %.4f (pooled %.4f), %.1f "
           "s\n",
           cv.n, cv.n_pos, cv.n_folds, cv.auc, cv.auc_pooled, now_s() - t0);
    size_t nc = s->cust.n, nr = xs_churn_data_rows(d);
    long *row_of = malloc((nc + 1) * sizeof *row_of);
    int *label = malloc((nr + 1) * sizeof *label);
    double *churn_p = malloc((nc + 1) * sizeof *churn_p);
    if (!row_of || !label || !churn_p) return 1;
    for (size_t c = 0; c < nc; c++)
        row_of[c] = -1, churn_p[c] = NAN;
    for (size_t i = 0; i < nr; i++) {
        const char *id = xs_churn_data_id(d, i);
        uint32_t c = xs__intern_find(&s->cust.ids, id, strlen(id));
        label[i] = xs_churn_data_label(d, i);
        if (c == XS_INTERN_NONE) continue;
        row_of[c] = (long)i;
        churn_p[c] = cv.oof[i];
    }
    xs_offer_config cfg;
    xs_offer_config_init(&cfg);
    if (set && xs_offer_config_set(&cfg, set, "--set", &e) < 0) {
        fprintf(stderr, "%s\n", xs_error_format(&e, msg, sizeof msg));
        return 2;
    }
    printf("settings: churn_high %.2f, retention_share %.2f, max_offers %.0f\n",
           cfg.churn_high, cfg.retention_share, cfg.max_offers);
    fold_count fc[16], fb[16];
    size_t nf = cv.n_folds < 16 ? cv.n_folds : 16;
    t0 = now_s();
    for (size_t k = 0; k < nf; k++) {
        if (run_fold(s, &cfg, churn_p, row_of, label, cv.fold_of, k, &fc[k], &e) < 0 ||
            run_fold(s, &cfg, NULL, row_of, label, cv.fold_of, k, &fb[k], &e) < 0) {
            fprintf(stderr, "%s\n", xs_error_format(&e, msg, sizeof msg));
            return 1;
        }
    }
    report("retention offers, churn_p = the out-of-fold churn model", fc, nf);
    report("baseline: the same engine with the built-in P(churn) estimate (health)", fb,
           nf);
    printf("(random targeting: lift 1.00; %.1f s for %zu x 2 engines)\n", now_s() - t0,
           nf);

    /* the offer mix of the store as imported, with out-of-fold P(churn) */
    cfg.churn_p = churn_p;
    xs_offer_engine *en = NULL;
    if (xs_offer_engine_new(s, &cfg, "2024-06-30", &en, &e) < 0) {
        fprintf(stderr, "%s\n", xs_error_format(&e, msg, sizeof msg));
        return 1;
    }
    size_t by[XS_OFFER_N_KINDS][XS_TRIG_N], n_off = 0, n_ret = 0, n_ret_c = 0, np = 0;
    size_t held[XS_GUARD_N];
    memset(by, 0, sizeof by);
    memset(held, 0, sizeof held);
    double *pv = malloc((nc * 2 + 1) * sizeof *pv);
    xs_offer o[XS_OFFER_MAX_CANDIDATES];
    for (size_t c = 0; c < nc; c++) {
        int n = xs_offer_decide(en, (uint32_t)c, o, XS_OFFER_MAX_CANDIDATES), ret = 0;
        for (int i = 0; i < n; i++) {
            if (o[i].guard != XS_GUARD_NONE) {
                held[o[i].guard]++;
                continue;
            }
            by[o[i].kind][o[i].trigger]++;
            n_off++;
            ret |= o[i].retention;
            if (np < nc * 2) pv[np++] = round(o[i].p_accept * 1e4) / 1e4;
        }
        n_ret += (size_t)ret;
    }
    for (size_t c = 0; c < nc; c++)
        if (row_of[c] >= 0 && label[row_of[c]]) n_ret_c++;
    qsort(pv, np, sizeof *pv, cmp_d);
    size_t distinct = 0;
    for (size_t i = 0; i < np; i++)
        distinct += !i || pv[i] != pv[i - 1];
    printf("\noffer mix on the store as imported (out-of-fold P(churn)): %zu offers\n",
           n_off);
    for (int k = 0; k < XS_OFFER_N_KINDS; k++)
        for (int t = 0; t < XS_TRIG_N; t++)
            if (by[k][t])
                printf("  %-10s %-16s %6zu\n", xs_offer_kind_name((xs_offer_kind)k),
                       xs_offer_trigger_name((xs_offer_trigger)t), by[k][t]);
    printf("customers with a retention offer: %zu (of %zu; %zu churned accounts, which\n"
           "  hold nothing at as_of and get no offer)\n",
           n_ret, nc, n_ret_c);
    printf("distinct P(accept) values (4 decimals): %zu\n", distinct);
    printf("suppressed:");
    for (int g = 1; g < XS_GUARD_N; g++)
        if (held[g]) printf(" %s %zu", xs_offer_guard_name((xs_offer_guard)g), held[g]);
    printf("\n");
    free(pv);
    xs_offer_engine_free(en);
    free(row_of);
    free(label);
    free(churn_p);
    xs_snapshot_free(s);
    xs_store_close(st);
    xs_churn_cv_free(&cv);
    xs_churn_data_free(d);
    return 0;
}
