/*
 * bench_bgnbd_fit.c — the BG/NBD fit of a store's customers (the fit
 * `xsell build` makes, on the summary `xsell clv fit --db` reads): Newton's
 * method with the analytic Hessian (the fit of xs_bgnbd_fit) against the
 * BFGS driver it replaced (the baseline), from the same start point on the
 * same prepared likelihood (two threads, as in the build), alternating
 * RUNS times. Prints per fit the iterations, likelihood evaluations, wall
 * and CPU seconds (each the best of the runs), the parameters, LL and
 * gradient norm, and the ratios baseline / Newton; then the same for the
 * Gamma-Gamma fit on its repeat buyers (one thread).
 *
 * Usage: bench_bgnbd_fit DB CALIBRATION_END [RUNS]   (RUNS default 3)
 * e.g.   bench_bgnbd_fit /tmp/q2/new.db 2026-09-30
 */
#include "xsell.h"
#include "score/bgnbd.h"
#include "score/gammagamma.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static double cpu(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static double loadavg(void)
{
    double l = NAN;
    FILE *f = fopen("/proc/loadavg", "r");
    if (f) {
        if (fscanf(f, "%lf", &l) != 1) l = NAN;
        fclose(f);
    }
    return l;
}

static int load(const char *db, const char *cal, xs_clv_data **d)
{
    xs_error e;
    memset(&e, 0, sizeof e);
    xs_store *st = NULL;
    xs_snapshot *snap = NULL;
    int32_t end;
    int rc = xs_clv_parse_date(cal, 0, &end);
    if (rc == XS_OK) rc = xs_store_open_readonly(&st, db, &e);
    if (rc == XS_OK) rc = xs_snapshot_load(st, &snap, &e);
    if (rc == XS_OK) rc = xs_clv_data_read_snapshot(snap, end, 7, d, &e);
    if (rc < 0) fprintf(stderr, "bench_bgnbd_fit: %s: %s\n", db, e.message);
    xs_snapshot_free(snap);
    xs_store_close(st);
    return rc;
}

typedef struct result {
    double secs, cpu;
    int iters, evals, fallback;
    xs_bgnbd_params p;
    double ll, gn;
} result;

static int fit(xs__score_bgnbd_lik *L, const xs_clv_data *d, int method, result *out)
{
    xs_bgnbd_params p;
    xs_clv_fit_info fi;
    memset(&fi, 0, sizeof fi);
    xs__score_bgnbd_start(d, &p);
    int e0 = xs__score_bgnbd_lik_evals(L);
    double t0 = now(), c0 = cpu();
    int rc = xs__score_bgnbd_fit_lik(L, method, &p, &fi, NULL);
    double t = now() - t0, c = cpu() - c0;
    if (out->secs == 0 || t < out->secs) out->secs = t;
    if (out->cpu == 0 || c < out->cpu) out->cpu = c;
    out->iters = fi.iterations;
    out->evals = xs__score_bgnbd_lik_evals(L) - e0;
    out->fallback = fi.fallback;
    out->p = p;
    out->ll = fi.log_likelihood;
    out->gn = fi.grad_norm;
    return rc;
}

static void print(const char *name, const result *r)
{
    printf("%-8s %4d iterations %4d evaluations %6.3f s wall %6.3f s CPU  r %.9g alpha "
           "%.9g a %.9g b %.9g  LL %.6f  |grad| %.2e%s\n",
           name, r->iters, r->evals, r->secs, r->cpu, r->p.r, r->p.alpha, r->p.a, r->p.b,
           r->ll, r->gn, r->fallback ? "  (fell back to BFGS)" : "");
}

typedef struct gg_result {
    double secs, cpu;
    int iters, fallback;
    xs_gg_params p;
    double ll, gn;
} gg_result;

static int gg_fit(const xs__score_gg_lik *G, int method, gg_result *out)
{
    xs_gg_params p;
    xs_clv_fit_info fi;
    memset(&fi, 0, sizeof fi);
    xs__score_gg_start(G, &p);
    double t0 = now(), c0 = cpu();
    int rc = xs__score_gg_fit_lik(G, method, &p, &fi, NULL);
    double t = now() - t0, c = cpu() - c0;
    if (out->secs == 0 || t < out->secs) out->secs = t;
    if (out->cpu == 0 || c < out->cpu) out->cpu = c;
    out->iters = fi.iterations;
    out->fallback = fi.fallback;
    out->p = p;
    out->ll = fi.log_likelihood;
    out->gn = fi.grad_norm;
    return rc;
}

static void gg_print(const char *name, const gg_result *r)
{
    printf("%-9s %4d iterations %6.3f s wall %6.3f s CPU  p %.9g q %.9g gamma %.9g  LL "
           "%.6f  |grad| %.2e%s\n",
           name, r->iters, r->secs, r->cpu, r->p.p, r->p.q, r->p.gamma, r->ll, r->gn,
           r->fallback ? "  (fell back to BFGS)" : "");
}

static double rel(double a, double b)
{
    return fabs(a - b) / fabs(b);
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: bench_bgnbd_fit DB CALIBRATION_END [RUNS]\n");
        return 2;
    }
    int runs = argc > 3 ? atoi(argv[3]) : 3;
    if (runs < 1) runs = 1;
    xs_clv_data *d = NULL;
    double t0 = now();
    if (load(argv[1], argv[2], &d) < 0) return 1;
    printf("load: %.1f s, %zu customers; load average %.2f\n", now() - t0,
           xs_clv_data_n(d), loadavg());
    xs__score_bgnbd_lik *L = NULL;
    if (xs__score_bgnbd_lik_new(d, 2, &L) < 0) return 1;
    printf("groups: %zu\n", xs__score_bgnbd_lik_groups(L));
    result bf = {0}, nw = {0};
    for (int k = 0; k < runs; k++) {
        if (fit(L, d, XS__BGNBD_BFGS, &bf) < 0) printf("BFGS: did not converge\n");
        if (fit(L, d, XS__BGNBD_NEWTON, &nw) < 0) printf("Newton: did not converge\n");
    }
    print("BFGS", &bf);
    print("Newton", &nw);
    printf("BFGS/Newton: evaluations %.1fx, wall %.1fx, CPU %.1fx\n",
           (double)bf.evals / nw.evals, bf.secs / nw.secs, bf.cpu / nw.cpu);
    printf("Newton vs BFGS (relative): r %.1e alpha %.1e a %.1e b %.1e LL %.1e\n",
           rel(nw.p.r, bf.p.r), rel(nw.p.alpha, bf.p.alpha), rel(nw.p.a, bf.p.a),
           rel(nw.p.b, bf.p.b), rel(nw.ll, bf.ll));
    xs__score_bgnbd_lik_free(L);
    /* Gamma-Gamma: the same two minimisers on its prepared likelihood */
    xs__score_gg_lik *G = NULL;
    double t1 = now();
    if (xs__score_gg_lik_new(d, &G, NULL) < 0) return 1;
    printf("Gamma-Gamma: %zu repeat buyers prepared in %.3f s\n", xs__score_gg_lik_n(G),
           now() - t1);
    gg_result gb = {0}, gn = {0};
    for (int k = 0; k < runs; k++) {
        if (gg_fit(G, XS__GG_BFGS, &gb) < 0) printf("BFGS: did not converge\n");
        if (gg_fit(G, XS__GG_NEWTON, &gn) < 0) printf("Newton: did not converge\n");
    }
    gg_print("GG BFGS", &gb);
    gg_print("GG Newton", &gn);
    printf("GG BFGS/Newton: iterations %.1fx, wall %.1fx, CPU %.1fx\n",
           (double)gb.iters / gn.iters, gb.secs / gn.secs, gb.cpu / gn.cpu);
    printf("GG Newton vs BFGS (relative): p %.1e q %.1e gamma %.1e LL %.1e\n",
           rel(gn.p.p, gb.p.p), rel(gn.p.q, gb.p.q), rel(gn.p.gamma, gb.p.gamma),
           rel(gn.ll, gb.ll));
    xs__score_gg_lik_free(G);
    printf("load average %.2f\n", loadavg());
    xs_clv_data_free(d);
    return 0;
}
