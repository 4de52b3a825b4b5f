/*
 * bench_offer.c — does the offer engine make money, and how fast is it?
 *
 * Generates a demo company with xs_gen_write() (default 100,000 customers,
 * seed 42) into DIR, imports all seven tables into DIR/store.db, loads the
 * snapshot and then measures:
 *
 *  1. Speed: building the engine (health, rules, lags, propensity model),
 *     one customer's decision in-process (every customer timed on its own:
 *     median, p99, max in microseconds), all customers on 1 and 2 threads
 *     (wall seconds, customers per second), and the peak RSS of the process.
 *     Baseline of the same run: the snapshot load.
 *
 *  2. Offline evaluation against the planted truth (truth_customers.csv):
 *     a customer accepts an offer of kind k on channel ch with probability
 *     min(0.95, p_k x factor(ch)) (email 0.8, in_app 1.0, csm 1.5, webinar
 *     0.7, sns 0.5); an upsell / cross-sell is worth its revenue_delta; a
 *     downsell is worth the revenue kept (the family's revenue over the
 *     horizon minus the price cut) when the customer is about to churn,
 *     and minus the price cut when not. With the same number B of offers:
 *       engine  the offers the engine makes (guardrails applied);
 *       random  B candidates drawn uniformly from the whole candidate pool
 *               (every candidate with a consented channel, no guardrail),
 *               on a random consented channel: its exact expectation,
 *               B x the pool's mean true value;
 *       oracle  the B candidates with the highest true expected value, on
 *               their best consented channel (knows the truth; ignores the
 *               guardrails and the per-customer limit);
 *       oracle, same guardrails: for each customer as many offers as the
 *               engine makes, the best by true EV among the candidates that
 *               pass the customer-level guardrails.
 *     Also: the share of planted churners (about_to_churn) reached by a
 *     downsell offer, engine vs random.
 *
 * usage: bench_offer [--customers N] [--dir DIR] [--reuse] [--seed S]
 */
#include "xsell.h"
#include "snapshot/snapshot.h"

#include <getopt.h>
#include <math.h>
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
    fprintf(stderr, "bench_offer: %s: %s\n", what,
            e ? xs_error_format(e, buf, sizeof buf) : "");
    exit(1);
}

static double wall(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static long peak_rss_mb(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss / 1024;
}

static void build_store(const char *dir, const char *db, unsigned long long n,
                        unsigned long long seed)
{
    static const char *const tables[] = {
        "customers", "products", "subscriptions", "orders", "usage", "events", "offers"};
    xs_gen_options o;
    xs_error e;
    xs_store *st = NULL;
    double t0 = wall();
    xs_gen_options_init(&o);
    o.n_customers = n;
    o.seed = seed;
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

/* truth_customers.csv, by customer index (customers are C + 8 digits in
 * index order, the snapshot's byte order). */
typedef struct truth {
    double p[3]; /* upsell, cross-sell, downsell */
    int churn;
} truth;

static truth *read_truth(const char *dir, size_t n)
{
    char path[1200], line[1024];
    snprintf(path, sizeof path, "%s/truth_customers.csv", dir);
    FILE *f = fopen(path, "r");
    if (!f) die(path, NULL);
    truth *t = calloc(n, sizeof *t);
    size_t i = 0;
    if (!fgets(line, sizeof line, f)) die("truth header", NULL);
    /* customer_id,saas,shopper,health,trend,p_upsell,p_cross_sell,p_downsell,
     * usage_class,about_to_churn,churn_date,open_critical */
    while (i < n && fgets(line, sizeof line, f)) {
        char *fld[12];
        int k = 0;
        char *p = line;
        while (k < 12) {
            fld[k++] = p;
            char *c = strchr(p, ',');
            if (!c) break;
            *c = '\0';
            p = c + 1;
        }
        if (k < 10) die("truth row", NULL);
        t[i].p[0] = atof(fld[5]);
        t[i].p[1] = atof(fld[6]);
        t[i].p[2] = atof(fld[7]);
        t[i].churn = atoi(fld[9]);
        i++;
    }
    fclose(f);
    if (i != n) die("truth rows != customers", NULL);
    return t;
}

static const double ch_factor[5] = {0.8, 1.0, 1.5, 0.7, 0.5};

/* True acceptance probability and value of an offer on channel ch. */
static double true_ev(const truth *t, const xs_offer *o, int ch)
{
    if (ch < 0) return 0;
    double p = t->p[o->kind] * ch_factor[ch];
    if (p > 0.95) p = 0.95;
    double v = o->revenue_delta;
    if (o->kind == XS_OFFER_DOWNSELL) v = (t->churn ? o->at_stake : 0) + o->revenue_delta;
    return p * v;
}

/* True expected revenue of the offers an engine makes, its number of
 * offers and the planted churners it reaches with a downsell. */
static double eval_engine(const xs_offer_engine *en, const truth *tr, size_t nc,
                          size_t *n_off, size_t *reached)
{
    xs_offer o[XS_OFFER_MAX_CANDIDATES];
    double sum = 0;
    *n_off = *reached = 0;
    for (uint32_t i = 0; i < nc; i++) {
        int k = xs_offer_decide(en, i, o, XS_OFFER_MAX_CANDIDATES), r = 0;
        for (int j = 0; j < k; j++) {
            if (o[j].guard != XS_GUARD_NONE) continue;
            (*n_off)++;
            sum += true_ev(&tr[i], &o[j], o[j].channel);
            if (o[j].kind == XS_OFFER_DOWNSELL) r = 1;
        }
        *reached += r && tr[i].churn;
    }
    return sum;
}

static int cmp_desc(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x < y) - (x > y);
}

static int cmp_dbl(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {{"customers", required_argument, NULL, 'n'},
                                         {"dir", required_argument, NULL, 'd'},
                                         {"reuse", no_argument, NULL, 'r'},
                                         {"seed", required_argument, NULL, 's'},
                                         {NULL, 0, NULL, 0}};
    unsigned long long n = 100000, seed = 42;
    const char *dir = "/tmp/xs-bench-offer";
    int reuse = 0, c;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c == 'n')
            n = strtoull(optarg, NULL, 10);
        else if (c == 'd')
            dir = optarg;
        else if (c == 'r')
            reuse = 1;
        else if (c == 's')
            seed = strtoull(optarg, NULL, 10);
        else
            return 2;
    }
    char db[1200];
    struct stat sb;
    snprintf(db, sizeof db, "%s/store.db", dir);
    if (!reuse || stat(db, &sb) != 0) build_store(dir, db, n, seed);
    xs_error e;
    xs_store *st = NULL;
    xs_snapshot *snap = NULL;
    xs_offer_engine *en = NULL;
    if (xs_store_open(&st, db, &e) < 0) die("open", &e);
    double t0 = wall();
    if (xs_snapshot_load(st, &snap, &e) < 0) die("snapshot", &e);
    double t_load = wall() - t0;
    xs_store_close(st);
    size_t nc = xs_snapshot_count(snap, XS_SNAP_CUSTOMERS);
    /* the part of the engine build that is the score module's: health,
     * segments and LTV of every customer without CLV */
    xs_health_config hc;
    xs_customer_scores *cs = NULL;
    xs_health_config_init(&hc);
    hc.clv = 0;
    t0 = wall();
    if (xs_customer_scores_compute(snap, &hc, NULL, &cs, &e) < 0) die("scores", &e);
    double t_scores = wall() - t0;
    xs_customer_scores_free(cs);
    t0 = wall();
    if (xs_offer_engine_new(snap, NULL, NULL, &en, &e) < 0) die("engine", &e);
    double t_engine = wall() - t0;

    /* one customer at a time */
    double *lat = malloc(nc * sizeof *lat);
    xs_offer o[XS_OFFER_MAX_CANDIDATES];
    for (uint32_t i = 0; i < nc; i++) {
        double a = wall();
        xs_offer_decide(en, i, o, XS_OFFER_MAX_CANDIDATES);
        lat[i] = (wall() - a) * 1e6;
    }
    qsort(lat, nc, sizeof *lat, cmp_dbl);
    double med = lat[nc / 2], p99 = lat[(size_t)(0.99 * (double)(nc - 1))],
           mx = lat[nc - 1];
    xs_offer_summary s1, s2;
    t0 = wall();
    xs_offer_decide_all(en, 1, NULL, NULL, &s1);
    double t_all1 = wall() - t0;
    t0 = wall();
    xs_offer_decide_all(en, 2, NULL, NULL, &s2);
    double t_all2 = wall() - t0;

    /* offline evaluation */
    truth *tr = read_truth(dir, nc);
    size_t n_pool = 0, cap_pool = 1 << 20, B = 0, churners = 0, churn_reached = 0;
    double *pool = malloc(cap_pool * sizeof *pool);
    double pool_sum = 0, eng = 0, eng_pred = 0, rnd_down_share = 0;
    size_t pool_down_churn = 0, churn_can = 0;
    double oracle_g = 0;
    size_t kinds[3] = {0};
    for (uint32_t i = 0; i < nc; i++) {
        int k = xs_offer_decide(en, i, o, XS_OFFER_MAX_CANDIDATES);
        int reached = 0, can = 0;
        churners += tr[i].churn;
        uint8_t consent = snap->cust.consent[i];
        /* the same-guardrails oracle: as many offers as the engine makes for
         * this customer, the best by true EV among the candidates that pass
         * the customer-level guardrails (critical case, consent, health,
         * declined, frequency) */
        double cand_ev[XS_OFFER_MAX_CANDIDATES];
        int n_cand = 0, n_eng = 0;
        for (int j = 0; j < k; j++) {
            if (o[j].guard == XS_GUARD_NONE) n_eng++;
            if (o[j].guard >= XS_GUARD_CRITICAL_CASE && o[j].guard <= XS_GUARD_FREQUENCY)
                continue;
            double best = 0;
            for (int ch = 0; ch < 5; ch++)
                if ((consent >> ch) & 1) best = fmax(best, true_ev(&tr[i], &o[j], ch));
            cand_ev[n_cand++] = best;
        }
        qsort(cand_ev, (size_t)n_cand, sizeof *cand_ev, cmp_desc);
        for (int j = 0; j < n_eng && j < n_cand; j++)
            oracle_g += cand_ev[j];
        for (int j = 0; j < k; j++) {
            double best = -INFINITY, sum = 0;
            int m = 0;
            for (int ch = 0; ch < 5; ch++) {
                if (!((consent >> ch) & 1)) continue;
                double v = true_ev(&tr[i], &o[j], ch);
                if (v > best) best = v;
                sum += v;
                m++;
            }
            if (!m) continue; /* no consented channel: nobody may send it */
            double mean = sum / m;
            if (n_pool == cap_pool) pool = realloc(pool, (cap_pool *= 2) * sizeof *pool);
            pool[n_pool++] = best;
            pool_sum += mean;
            if (o[j].kind == XS_OFFER_DOWNSELL && tr[i].churn) pool_down_churn++;
            if (o[j].kind == XS_OFFER_DOWNSELL) can = 1;
            if (o[j].guard == XS_GUARD_NONE) {
                B++;
                eng += true_ev(&tr[i], &o[j], o[j].channel);
                eng_pred += o[j].ev;
                kinds[o[j].kind]++;
                if (o[j].kind == XS_OFFER_DOWNSELL) reached = 1;
            }
        }
        churn_reached += reached && tr[i].churn;
        churn_can += can && tr[i].churn;
    }
    qsort(pool, n_pool, sizeof *pool, cmp_desc);
    double oracle = 0;
    for (size_t j = 0; j < B && j < n_pool; j++)
        oracle += pool[j];
    double rnd = n_pool ? (double)B * pool_sum / (double)n_pool : 0;
    /* random reaches a churner with a downsell: B draws, each a downsell of a
     * churner with probability pool_down_churn / n_pool (an upper bound on
     * distinct churners reached) */
    rnd_down_share = churners ? fmin(1.0, (double)B * (double)pool_down_churn /
                                              (double)n_pool / (double)churners)
                              : 0;

    printf("customers                      %zu\n", nc);
    printf("snapshot load (baseline)       %.3f s\n", t_load);
    printf("engine build                   %.3f s (%.2fx load; of which health scores "
           "%.3f s)\n",
           t_engine, t_engine / t_load, t_scores);
    printf("one decision                   median %.2f us, p99 %.2f us, max %.1f us\n",
           med, p99, mx);
    printf("all customers, 1 thread        %.3f s (%.0f customers/s)\n", t_all1,
           (double)nc / t_all1);
    printf("all customers, 2 threads       %.3f s (%.0f customers/s, %.2fx 1 thread)\n",
           t_all2, (double)nc / t_all2, t_all1 / t_all2);
    printf("build + all on 2 threads       %.3f s (without the snapshot load)\n",
           t_engine + t_all2);
    printf("end to end (load+build+2 thr)  %.3f s\n", t_load + t_engine + t_all2);
    printf("peak RSS                       %ld MB\n", peak_rss_mb());
    printf("candidates / offered           %zu / %zu (upsell %zu, cross-sell %zu, "
           "downsell %zu)\n",
           s1.n_candidates, s1.n_offered, kinds[0], kinds[1], kinds[2]);
    printf("same result on 2 threads       %s\n",
           s1.n_offered == s2.n_offered &&
                   fabs(s1.ev_offered - s2.ev_offered) < 1e-6 * s1.ev_offered
               ? "yes"
               : "NO");
    printf("\nexpected accepted revenue with B = %zu offers (pool %zu candidates)\n", B,
           n_pool);
    printf("  engine                       %.0f (engine's own estimate %.0f)\n", eng,
           eng_pred);
    printf("  random                       %.0f  -> engine / random = %.2fx\n", rnd,
           rnd > 0 ? eng / rnd : NAN);
    printf("  oracle                       %.0f  -> engine / oracle = %.2f\n", oracle,
           oracle > 0 ? eng / oracle : NAN);
    printf("  oracle, same guardrails      %.0f  -> engine / oracle = %.2f (same "
           "customers and\n"
           "                               number of offers, best true EV among the "
           "candidates\n"
           "                               that pass the customer-level guardrails)\n",
           oracle_g, oracle_g > 0 ? eng / oracle_g : NAN);
    printf("planted churners               %zu\n", churners);
    printf("  reached by a downsell        engine %zu (%.1f %%), random <= %.1f %%\n",
           churn_reached, churners ? 100.0 * (double)churn_reached / (double)churners : 0,
           100 * rnd_down_share);
    printf("  with a downsell candidate    %zu (a paid plan with a cheaper option and a\n"
           "                               consented channel); reached %.1f %% of them\n",
           churn_can, churn_can ? 100.0 * (double)churn_reached / (double)churn_can : 0);
    /* the same with P(churn) from the churn module's XGBoost model */
    xs_offer_config cm;
    xs_offer_engine *en2 = NULL;
    xs_offer_config_init(&cm);
    cm.churn_model = 1;
    t0 = wall();
    if (xs_offer_engine_new(snap, &cm, NULL, &en2, &e) < 0)
        die("engine (churn model)", &e);
    double t_cm = wall() - t0;
    size_t b2, r2;
    double eng2 = eval_engine(en2, tr, nc, &b2, &r2);
    printf("with --churn-model (XGBoost P(churn); build %.3f s)\n", t_cm);
    printf(
        "  engine                       %.0f with %zu offers (%.2fx random per offer)\n",
        eng2, b2, rnd > 0 && b2 ? (eng2 / (double)b2) / (rnd / (double)B) : NAN);
    printf("  churners reached             %zu (%.1f %%)\n", r2,
           churners ? 100.0 * (double)r2 / (double)churners : 0);
    xs_offer_engine_free(en2);
    free(lat);
    free(pool);
    free(tr);
    xs_offer_engine_free(en);
    xs_snapshot_free(snap);
    return 0;
}
