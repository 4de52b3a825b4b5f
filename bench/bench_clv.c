/*
 * bench_clv.c — lifetime-value model fits: BG/NBD and Gamma-Gamma on the
 * CDNOW sample (2,357 customers) and the full CDNOW master file (23,570),
 * and summary + both fits for 1,000,000 simulated customers.
 *
 * Each fit is timed as the best of several runs (reading the file is timed
 * separately). Baseline in the same run: the same likelihood minimised by
 * GSL's Nelder–Mead simplex (nmsimplex2) without gradients, from the same
 * start; the ratio is baseline time / our time. Peer on the CDNOW files, in
 * the same run: the published likelihoods in Python with SciPy
 * (bench/clv_peer.py, the way the `lifetimes` package fits them: Nelder–Mead
 * over the log parameters), fitted on the very summary ours fit; its
 * parameters must agree with ours to 1e-4 (relative) or the benchmark fails,
 * and its time is printed as a second ratio. Without python3-scipy
 * (scripts/install-deps --bench) the peer is reported as skipped.
 *
 * The simulated data: BG/NBD with r 0.25, alpha 4 (weeks), a 0.8, b 2.5;
 * first purchases uniform over the first 12 weeks, calibration 39 weeks,
 * purchases on whole days; spend Gamma(6, nu), nu ~ Gamma(4, 15). The rows
 * (customer, day, amount) are generated in memory; the timed part is the
 * summary (sorting rows, same-day merge, x / t_x / T / mean) and both fits.
 *
 * Then the same summary + fits on the orders of the demo generator
 * (bench_generated below), which are not drawn from the model.
 *
 * Usage: bench_clv [N_SYNTH [N_GEN]]  (data from $XS_SOURCE_DIR/../shared/data,
 *                               XS_SOURCE_DIR defaulting to "."; N_SYNTH 0
 *                               skips CDNOW and the simulation, N_GEN 0 the
 *                               generated orders; XS_BENCH_CLV_STORE=1 also
 *                               imports them into a store and times the
 *                               snapshot summary; XS_PYTHON names the Python
 *                               with SciPy for the peer, else python3 on the
 *                               PATH or /usr/bin/python3, the first with it)
 */
#include "xsell.h"
#include "base/alloc.h"
#include "base/rng.h"
#include "score/bgnbd.h"
#include "score/clv_data.h"
#include "score/gammagamma.h"

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

/* Gamma(shape, 1) by Marsaglia–Tsang (boosted for shape < 1). */
static double rgamma(xs__rng *r, double shape)
{
    double boost = 1;
    if (shape < 1) {
        boost = pow(xs__rng_uniform(r), 1 / shape);
        shape += 1;
    }
    double d = shape - 1.0 / 3, c = 1 / sqrt(9 * d);
    for (;;) {
        double z = xs__rng_normal(r), u = xs__rng_uniform(r), v = 1 + c * z;
        if (v <= 0) continue;
        v = v * v * v;
        if (log(u) < 0.5 * z * z + d - d * v + d * log(v)) return d * v * boost;
    }
}

typedef struct timing {
    double bg, gg, bg_nm, gg_nm;
    xs_bgnbd_params bgp, bgp_nm;
    xs_gg_params ggp, ggp_nm;
    double ll_bg, ll_gg, ll_bg_nm, ll_gg_nm;
    size_t groups;
} timing;

/* Best-of-reps times of both fits (ours and Nelder–Mead), grouping included. */
static int time_fits(const xs_clv_data *d, int reps, int nm_reps, timing *t)
{
    memset(t, 0, sizeof *t);
    t->bg = t->gg = t->bg_nm = t->gg_nm = INFINITY;
    xs_clv_fit_info fi;
    for (int k = 0; k < reps; k++) {
        double t0 = now();
        if (xs_bgnbd_fit(d, &t->bgp, &fi, NULL) < 0) return -1;
        double t1 = now();
        t->ll_bg = fi.log_likelihood;
        t->groups = fi.n_groups;
        if (xs_gg_fit(d, &t->ggp, &fi, NULL) < 0) return -1;
        double t2 = now();
        t->ll_gg = fi.log_likelihood;
        if (t1 - t0 < t->bg) t->bg = t1 - t0;
        if (t2 - t1 < t->gg) t->gg = t2 - t1;
    }
    double mt = 0, mm = 0;
    size_t n_rep = 0;
    for (size_t i = 0; i < xs_clv_data_n(d); i++) {
        xs_clv_customer c;
        xs_clv_data_get(d, i, &c);
        mt += c.T;
        if (c.x > 0) {
            mm += c.mean_spend;
            n_rep++;
        }
    }
    mt /= (double)xs_clv_data_n(d);
    mm /= (double)n_rep;
    for (int k = 0; k < nm_reps; k++) {
        double t0 = now();
        xs__score_bgnbd_lik *L;
        if (xs__score_bgnbd_lik_new(d, 2, &L) < 0) return -1;
        t->bgp_nm = (xs_bgnbd_params){1, mt, 1, 1};
        xs__score_bgnbd_fit_lik(L, XS__BGNBD_NM, &t->bgp_nm, &fi, NULL);
        xs__score_bgnbd_lik_free(L);
        double t1 = now();
        t->ll_bg_nm = fi.log_likelihood;
        xs__score_gg_lik *G;
        if (xs__score_gg_lik_new(d, &G, NULL) < 0) return -1;
        t->ggp_nm = (xs_gg_params){1, 2, mm};
        xs__score_gg_fit_lik(G, XS__GG_NM, &t->ggp_nm, &fi, NULL);
        xs__score_gg_lik_free(G);
        double t2 = now();
        t->ll_gg_nm = fi.log_likelihood;
        if (t1 - t0 < t->bg_nm) t->bg_nm = t1 - t0;
        if (t2 - t1 < t->gg_nm) t->gg_nm = t2 - t1;
    }
    return 0;
}

/* ---------------------------------------------------------------------- */
/* The SciPy peer (bench/clv_peer.py)                                     */
/* ---------------------------------------------------------------------- */

typedef struct peer {
    int ran; /* 0: skipped, why says why */
    char why[200];
    xs_bgnbd_params bgp;
    xs_gg_params ggp;
    double ll_bg, ll_gg, bg_ms, gg_ms;
} peer;

/* Writes the summary d (x t_x T m a line) to a temporary file and runs the
 * peer on it. Returns 0 (pr->ran 0 when python3 or SciPy is missing), -1
 * when the peer ran and failed. */
static int run_peer(const xs_clv_data *d, peer *pr)
{
    memset(pr, 0, sizeof *pr);
    /* the first Python with SciPy: $XS_PYTHON, python3 on the PATH, Debian's
     * (a pyenv or virtualenv python3 may lack the Debian package) */
    const char *env = getenv("XS_PYTHON"), *cand[] = {env, "python3", "/usr/bin/python3"};
    const char *py = NULL;
    for (size_t i = 0; i < 3 && !py; i++) {
        char probe[600];
        if (!cand[i] || strlen(cand[i]) > 400) continue;
        snprintf(probe, sizeof probe, "%s -c 'import scipy' >/dev/null 2>&1", cand[i]);
        if (system(probe) == 0) py = cand[i];
    }
    if (!py) {
        snprintf(pr->why, sizeof pr->why,
                 "no python3 with SciPy (python3-scipy: scripts/install-deps --bench)");
        return 0;
    }
    const char *src = getenv("XS_SOURCE_DIR");
    char path[] = "/tmp/xs_clv_peer_XXXXXX", cmd[1400];
    int fd = mkstemp(path);
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (!f) {
        perror("clv peer: temporary file");
        return -1;
    }
    for (size_t i = 0; i < xs_clv_data_n(d); i++) {
        xs_clv_customer c;
        xs_clv_data_get(d, i, &c);
        fprintf(f, "%.17g %.17g %.17g %.17g\n", c.x, c.t_x, c.T, c.mean_spend);
    }
    if (fclose(f) != 0) {
        remove(path);
        return -1;
    }
    snprintf(cmd, sizeof cmd, "%s %s/bench/clv_peer.py %s 3", py, src ? src : ".", path);
    FILE *p = popen(cmd, "r");
    int got = 0;
    if (p) {
        got += fscanf(p, " bgnbd %lf %lf %lf %lf %lf %lf", &pr->bgp.r, &pr->bgp.alpha,
                      &pr->bgp.a, &pr->bgp.b, &pr->ll_bg, &pr->bg_ms);
        got += fscanf(p, " gg %lf %lf %lf %lf %lf", &pr->ggp.p, &pr->ggp.q,
                      &pr->ggp.gamma, &pr->ll_gg, &pr->gg_ms);
        if (pclose(p) != 0) got = -1;
    }
    remove(path);
    if (got != 11) {
        fprintf(stderr, "clv peer: %s failed\n", cmd);
        return -1;
    }
    pr->ran = 1;
    return 0;
}

/* Largest relative difference between two parameter vectors. */
static double max_rel(const double *u, const double *v, size_t n)
{
    double m = 0;
    for (size_t i = 0; i < n; i++) {
        double e = fabs(u[i] - v[i]) / fmax(fabs(u[i]), 1e-300);
        if (e > m) m = e;
    }
    return m;
}

/* Prints the peer's fits and their agreement with ours; 1 when they
 * differ by more than 1e-4 (relative) in a parameter. */
static int report_peer(const timing *t, const peer *pr)
{
    if (!pr->ran) {
        printf("  SciPy peer: skipped: %s\n", pr->why);
        return 0;
    }
    double ob[4] = {t->bgp.r, t->bgp.alpha, t->bgp.a, t->bgp.b};
    double pb[4] = {pr->bgp.r, pr->bgp.alpha, pr->bgp.a, pr->bgp.b};
    double og[3] = {t->ggp.p, t->ggp.q, t->ggp.gamma};
    double pg[3] = {pr->ggp.p, pr->ggp.q, pr->ggp.gamma};
    double db = max_rel(ob, pb, 4), dg = max_rel(og, pg, 3);
    printf("  SciPy BG/NBD r %.4f alpha %.4f a %.4f b %.4f  LL %.4f  (max rel. diff. "
           "%.1e)\n",
           pr->bgp.r, pr->bgp.alpha, pr->bgp.a, pr->bgp.b, pr->ll_bg, db);
    printf("  SciPy G-G   p %.4f q %.4f gamma %.4f  LL %.4f  (max rel. diff. %.1e)\n",
           pr->ggp.p, pr->ggp.q, pr->ggp.gamma, pr->ll_gg, dg);
    printf("  %-12s %10s %12s %8s\n", "fit", "ours ms", "SciPy ms", "ratio");
    printf("  %-12s %10.3f %12.3f %7.0fx\n", "BG/NBD", t->bg * 1e3, pr->bg_ms,
           pr->bg_ms / (t->bg * 1e3));
    printf("  %-12s %10.3f %12.3f %7.0fx\n", "Gamma-Gamma", t->gg * 1e3, pr->gg_ms,
           pr->gg_ms / (t->gg * 1e3));
    int agree = db <= 1e-4 && dg <= 1e-4;
    printf("  parameters %s SciPy's to 1e-4\n", agree ? "agree with" : "DIFFER from");
    return agree ? 0 : 1;
}

static void report(const char *name, size_t n, double read_s, const timing *t)
{
    printf("\n%s: %zu customers, %zu BG/NBD groups, read + summary %.1f ms\n", name, n,
           t->groups, read_s * 1e3);
    printf("  BG/NBD      r %.4f alpha %.4f a %.4f b %.4f  LL %.4f\n", t->bgp.r,
           t->bgp.alpha, t->bgp.a, t->bgp.b, t->ll_bg);
    printf("  NM baseline r %.4f alpha %.4f a %.4f b %.4f  LL %.4f\n", t->bgp_nm.r,
           t->bgp_nm.alpha, t->bgp_nm.a, t->bgp_nm.b, t->ll_bg_nm);
    printf("  Gamma-Gamma p %.4f q %.4f gamma %.4f  LL %.4f\n", t->ggp.p, t->ggp.q,
           t->ggp.gamma, t->ll_gg);
    printf("  NM baseline p %.4f q %.4f gamma %.4f  LL %.4f\n", t->ggp_nm.p, t->ggp_nm.q,
           t->ggp_nm.gamma, t->ll_gg_nm);
    printf("  %-12s %10s %12s %8s\n", "fit", "ours ms", "NM ms", "ratio");
    printf("  %-12s %10.3f %12.3f %7.1fx\n", "BG/NBD", t->bg * 1e3, t->bg_nm * 1e3,
           t->bg_nm / t->bg);
    printf("  %-12s %10.3f %12.3f %7.1fx\n", "Gamma-Gamma", t->gg * 1e3, t->gg_nm * 1e3,
           t->gg_nm / t->gg);
}

static int bench_file(const char *path, const char *name)
{
    if (access(path, R_OK) != 0) {
        printf("\n%s: skipped: %s absent\n", name, path);
        return 0;
    }
    xs_clv_read_opts o;
    memset(&o, 0, sizeof o);
    o.format = XS_CLV_INPUT_CDNOW;
    o.unit_days = 7;
    xs_clv_parse_date("1997-09-30", 0, &o.calibration_end);
    xs_clv_data *d = NULL;
    xs_error e;
    double best = INFINITY;
    for (int k = 0; k < 5; k++) {
        xs_clv_data_free(d);
        double t0 = now();
        if (xs_clv_data_read(path, &o, &d, &e) < 0) {
            fprintf(stderr, "%s: %s\n", path, e.message);
            return 1;
        }
        if (now() - t0 < best) best = now() - t0;
    }
    timing t;
    if (time_fits(d, 20, 5, &t) < 0) {
        xs_clv_data_free(d);
        return 1;
    }
    report(name, xs_clv_data_n(d), best, &t);
    peer pr;
    int rc = run_peer(d, &pr) < 0 ? 1 : report_peer(&t, &pr);
    xs_clv_data_free(d);
    return rc;
}

static int bench_synthetic(size_t n)
{
    xs__rng rng;
    xs__rng_seed(&rng, 2005);
    size_t cap = 4 * n, n_rows = 0;
    xs__score_clv_row *rows = xs__malloc(cap * sizeof *rows);
    if (!rows) return 1;
    const int32_t cal_end = 272, end = 272 + 273;
    for (size_t i = 0; i < n; i++) {
        double lambda = rgamma(&rng, 0.25) / 4; /* per week */
        double u1, u2;
        do { /* p ~ Beta(0.8, 2.5) (Johnk) */
            u1 = pow(xs__rng_uniform(&rng), 1 / 0.8);
            u2 = pow(xs__rng_uniform(&rng), 1 / 2.5);
        } while (u1 + u2 > 1 || u1 + u2 == 0);
        double p = u1 / (u1 + u2), nu = rgamma(&rng, 4) / 15;
        int32_t first = (int32_t)xs__rng_below(&rng, 84);
        double t = 0;
        for (int k = 0;; k++) {
            if (t * 7 > (double)(end - first)) break;
            int32_t day = first + (int32_t)(t * 7);
            if (xs__grow(&rows, &cap, n_rows + 1, sizeof *rows)) return 1;
            rows[n_rows++] = (xs__score_clv_row){(uint32_t)i, day, rgamma(&rng, 6) / nu};
            if (k > 0 && xs__rng_uniform(&rng) < p) break;
            t += lambda > 0 ? xs__rng_exp(&rng, 1 / lambda) : 1e9;
        }
    }
    /* rows are generated customer by customer; shuffle them so the summary
     * does the work a file in date order would need */
    for (size_t i = n_rows; i > 1; i--) {
        size_t j = (size_t)xs__rng_below(&rng, i);
        xs__score_clv_row tmp = rows[i - 1];
        rows[i - 1] = rows[j];
        rows[j] = tmp;
    }
    xs__score_clv_row *copy = xs__malloc(n_rows * sizeof *copy);
    xs_clv_data *d = xs__score_clv_data_alloc(0);
    if (!copy || !d) return 1;
    double best_sum = INFINITY, best_bg = INFINITY, best_gg = INFINITY;
    xs_bgnbd_params bg;
    xs_gg_params gg;
    xs_clv_fit_info fb, fg;
    for (int k = 0; k < 3; k++) {
        memcpy(copy, rows, n_rows * sizeof *copy);
        double t0 = now();
        if (xs__score_clv_summarize(d, &copy, n_rows, n, cal_end, 7) < 0) return 1;
        double t1 = now(), t2;
        xs_error e;
        if (xs_bgnbd_fit(d, &bg, &fb, &e) < 0 || (t2 = now(), xs_gg_fit(d, &gg, &fg, &e) < 0)) {
            fprintf(stderr, "synthetic: %s\n", e.message);
            return 1;
        }
        double t3 = now();
        if (t1 - t0 < best_sum) best_sum = t1 - t0;
        if (t2 - t1 < best_bg) best_bg = t2 - t1;
        if (t3 - t2 < best_gg) best_gg = t3 - t2;
    }
    printf("\nsynthetic: %zu customers, %zu rows, %zu BG/NBD groups, %zu repeat buyers\n", n,
           n_rows, fb.n_groups, fg.n_customers);
    printf("  truth       r 0.2500 alpha 4.0000 a 0.8000 b 2.5000 | p 6.00 q 4.00 gamma 15.00\n");
    printf("  fitted      r %.4f alpha %.4f a %.4f b %.4f | p %.2f q %.2f gamma %.2f\n", bg.r,
           bg.alpha, bg.a, bg.b, gg.p, gg.q, gg.gamma);
    printf("  summary %.1f ms, BG/NBD %.1f ms (%d it), Gamma-Gamma %.1f ms (%d it): total "
           "%.1f ms\n",
           best_sum * 1e3, best_bg * 1e3, fb.iterations, best_gg * 1e3, fg.iterations,
           (best_sum + best_bg + best_gg) * 1e3);
    timing t;
    if (time_fits(d, 1, 1, &t) < 0) return 1;
    printf("  Nelder-Mead baseline: BG/NBD %.1f ms (%.1fx), Gamma-Gamma %.1f ms (%.1fx)\n",
           t.bg_nm * 1e3, t.bg_nm / best_bg, t.gg_nm * 1e3, t.gg_nm / best_gg);
    xs__free(rows);
    xs__free(copy);
    xs_clv_data_free(d);
    return 0;
}

/* Removes what bench_generated wrote (best effort). */
static void remove_generated(const char *dir)
{
    char p[1200];
    for (int f = 0; f < XS_GEN_N_FILES; f++) {
        snprintf(p, sizeof p, "%s/%s", dir, xs_gen_file_name((xs_gen_file)f));
        unlink(p);
    }
    static const char *const db[] = {"store.db", "store.db-wal", "store.db-shm"};
    for (size_t i = 0; i < 3; i++) {
        snprintf(p, sizeof p, "%s/%s", dir, db[i]);
        unlink(p);
    }
    rmdir(dir);
}

/* Imports customers, products and orders of dir into dir/store.db and loads
 * the snapshot; NULL on failure (message printed). */
static xs_snapshot *import_generated(const char *dir, double *secs)
{
    static const char *const tables[] = {"customers", "products", "orders"};
    char p[1200];
    snprintf(p, sizeof p, "%s/store.db", dir);
    xs_store *st = NULL;
    xs_snapshot *s = NULL;
    xs_error e;
    memset(&e, 0, sizeof e);
    double t0 = now();
    if (xs_store_open(&st, p, &e) < 0) goto cleanup;
    for (size_t i = 0; i < 3; i++) {
        xs_import_options o;
        xs_import_options_init(&o);
        snprintf(p, sizeof p, "%s/%s.csv", dir, tables[i]);
        if (xs_table_lookup(tables[i], &o.table) < 0 ||
            xs_import_file(st, p, &o, NULL, &e) < 0)
            goto cleanup;
    }
    if (xs_snapshot_load(st, &s, &e) < 0) s = NULL;
cleanup:
    *secs = now() - t0;
    if (!s) fprintf(stderr, "generated store: %s\n", e.message);
    xs_store_close(st);
    return s;
}

/*
 * Summary + both fits on the orders of the demo generator (xs_gen_write:
 * a web shop whose customers buy baskets at their own rates, with the SaaS
 * plans beside them) rather than on orders simulated from the BG/NBD
 * assumptions: n_gen customers, seed 42, data ending 2026-09-30,
 * calibration to 2026-03-31 in weeks. Timed twice: reading orders.csv
 * (customer_id, date, amount of each line; same-day lines merge, which is
 * what summing each order's lines gives) and, with a store, summarising
 * the snapshot's orders (xs_clv_data_read_snapshot; the import and the
 * snapshot load are timed apart). Both paths must give the same fit.
 */
static int bench_generated(size_t n_gen, int with_store)
{
    char dir[256];
    snprintf(dir, sizeof dir, "/tmp/xs-bench-clv-gen-%ld", (long)getpid());
    xs_gen_options go;
    xs_gen_options_init(&go);
    go.n_customers = n_gen;
    go.seed = 42;
    xs_gen_stats gs;
    xs_error e;
    memset(&e, 0, sizeof e);
    int rc = 1;
    xs_clv_data *d = NULL, *ds = NULL;
    xs_snapshot *snap = NULL;
    double t0 = now();
    if (xs_gen_write(dir, &go, &gs, &e) < 0) {
        fprintf(stderr, "gen: %s\n", e.message);
        goto cleanup;
    }
    double gen_s = now() - t0;
    xs_clv_read_opts o;
    memset(&o, 0, sizeof o);
    o.unit_days = 7;
    xs_clv_parse_date("2026-03-31", 0, &o.calibration_end);
    char path[1200];
    snprintf(path, sizeof path, "%s/orders.csv", dir);
    double best_read = INFINITY, best_snap = INFINITY, best_bg = INFINITY,
           best_gg = INFINITY, import_s = 0;
    for (int k = 0; k < 3; k++) {
        xs_clv_data_free(d);
        t0 = now();
        if (xs_clv_data_read(path, &o, &d, &e) < 0) {
            fprintf(stderr, "%s: %s\n", path, e.message);
            goto cleanup;
        }
        if (now() - t0 < best_read) best_read = now() - t0;
    }
    xs_bgnbd_params bg, bg_s;
    xs_gg_params gg, gg_s;
    xs_clv_fit_info fb, fg, fbs, fgs;
    for (int k = 0; k < 3; k++) {
        t0 = now();
        if (xs_bgnbd_fit(d, &bg, &fb, &e) < 0) goto fit_failed;
        double t1 = now();
        if (xs_gg_fit(d, &gg, &fg, &e) < 0) goto fit_failed;
        double t2 = now();
        if (t1 - t0 < best_bg) best_bg = t1 - t0;
        if (t2 - t1 < best_gg) best_gg = t2 - t1;
    }
    size_t dropped;
    xs_clv_data_counts(d, NULL, NULL, &dropped);
    printf("\ngenerated (xs_gen_write): %zu customers, %llu order lines, %zu with a "
           "purchase by 2026-03-31 (%zu later), %zu BG/NBD groups, %zu repeat buyers\n",
           n_gen, (unsigned long long)gs.rows[XS_GEN_ORDERS], xs_clv_data_n(d), dropped,
           fb.n_groups, fg.n_customers);
    printf("  gen %.0f ms (not part of the total)\n", gen_s * 1e3);
    printf("  fitted      r %.4f alpha %.4f a %.4f b %.4f LL %.4f | p %.4f q %.4f gamma "
           "%.4f LL %.4f\n",
           bg.r, bg.alpha, bg.a, bg.b, fb.log_likelihood, gg.p, gg.q, gg.gamma,
           fg.log_likelihood);
    printf("  orders.csv: read + summary %.1f ms, BG/NBD %.1f ms (%d it), Gamma-Gamma "
           "%.1f ms (%d it): total %.1f ms\n",
           best_read * 1e3, best_bg * 1e3, fb.iterations, best_gg * 1e3, fg.iterations,
           (best_read + best_bg + best_gg) * 1e3);
    if (with_store) {
        snap = import_generated(dir, &import_s);
        if (!snap) goto cleanup;
        for (int k = 0; k < 3; k++) {
            xs_clv_data_free(ds);
            t0 = now();
            if (xs_clv_data_read_snapshot(snap, o.calibration_end, 7, &ds, &e) < 0) {
                fprintf(stderr, "snapshot: %s\n", e.message);
                goto cleanup;
            }
            if (now() - t0 < best_snap) best_snap = now() - t0;
        }
        if (xs_bgnbd_fit(ds, &bg_s, &fbs, &e) < 0 || xs_gg_fit(ds, &gg_s, &fgs, &e) < 0)
            goto fit_failed;
        int same = bg_s.r == bg.r && bg_s.alpha == bg.alpha && bg_s.a == bg.a &&
                   bg_s.b == bg.b && gg_s.p == gg.p && gg_s.q == gg.q &&
                   gg_s.gamma == gg.gamma;
        printf("  store: import + snapshot load %.0f ms (not part of the total); snapshot "
               "summary %.1f ms: total with the fits %.1f ms; fits %s the file's\n",
               import_s * 1e3, best_snap * 1e3, (best_snap + best_bg + best_gg) * 1e3,
               same ? "identical to" : "DIFFERENT from");
        if (!same) goto cleanup;
    }
    rc = 0;
    goto cleanup;
fit_failed:
    fprintf(stderr, "generated: %s\n", e.message);
cleanup:
    xs_clv_data_free(d);
    xs_clv_data_free(ds);
    xs_snapshot_free(snap);
    remove_generated(dir);
    return rc;
}

int main(int argc, char **argv)
{
    const char *src = getenv("XS_SOURCE_DIR");
    char sample[1024], master[1024];
    snprintf(sample, sizeof sample, "%s/../shared/data/cdnow/CDNOW_sample.txt",
             src ? src : ".");
    snprintf(master, sizeof master, "%s/../shared/data/cdnow/CDNOW_master.txt",
             src ? src : ".");
    size_t n = argc > 1 ? (size_t)strtoul(argv[1], NULL, 10) : 1000000;
    size_t n_gen = argc > 2 ? (size_t)strtoul(argv[2], NULL, 10) : 1000000;
    const char *store = getenv("XS_BENCH_CLV_STORE");
    int rc = 0;
    if (n > 0) {
        rc |= bench_file(sample, "CDNOW sample");
        rc |= bench_file(master, "CDNOW master");
        rc |= bench_synthetic(n);
    }
    if (n_gen > 0) rc |= bench_generated(n_gen, store && !strcmp(store, "1"));
    return rc;
}
