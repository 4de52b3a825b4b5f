/*
 * bench_engine_io.c — how much does mapping the offer engine and the
 * customer scores from a model file save over building them?
 *
 * Generates a demo company with xs_gen_write() (default 100,000 customers,
 * seed 42, 60-day holdout experiments) into DIR, imports it into
 * DIR/store.db and loads the snapshot (the baseline every reader pays
 * either way). Then, in the same run:
 *   build   xs_offer_engine_new + xs_offer_engine_set_experiments (the
 *           propensity fit, rules, relevance, ranking, uplift models) and
 *           xs_customer_scores_compute with CLV;
 *   save    both into DIR/engine.xsm (size reported);
 *   map     open the file and map both (median of 5), then the first
 *           decision, and every customer decided on the mapped engine
 *           against the built one (their totals must be equal).
 * Prints build / map as a ratio.
 *
 * usage: bench_engine_io [--customers N] [--dir DIR] [--reuse] [--db STORE]
 * (--db: an existing store instead of generating one; the model file still
 * goes to DIR; a store is opened for reading only, but pass a copy)
 */
#include "xsell.h"

#include "base/mfile.h"
#include "offer/engine_io.h"
#include "score/scores_io.h"
#include "snapshot/snapshot.h"

#include <getopt.h>
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
    fprintf(stderr, "bench_engine_io: %s: %s\n", what,
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

static void build_store(const char *dir, const char *db, unsigned long long n)
{
    xs_gen_options o;
    xs_error e;
    xs_store *st = NULL;
    xs_gen_options_init(&o);
    o.n_customers = n;
    o.holdout_days = 60;
    if (xs_gen_write(dir, &o, NULL, &e) < 0) die("gen", &e);
    unlink(db);
    if (xs_store_open(&st, db, &e) < 0) die("open", &e);
    for (int f = XS_GEN_CUSTOMERS; f <= XS_GEN_OFFERS; f++) {
        char path[1200], table[32];
        const char *name = xs_gen_file_name((xs_gen_file)f);
        xs_import_options io;
        xs_import_options_init(&io);
        snprintf(table, sizeof table, "%.*s", (int)(strlen(name) - 4), name);
        if (xs_table_lookup(table, &io.table) < 0) die("table", NULL);
        snprintf(path, sizeof path, "%s/%s", dir, name);
        if (xs_import_file(st, path, &io, NULL, &e) < 0) die(path, &e);
    }
    xs_store_close(st);
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    unsigned long long n = 100000;
    const char *dir = "/tmp/xs-bench-engine-io";
    int reuse = 0;
    const char *store = NULL;
    static const struct option opts[] = {{"customers", required_argument, NULL, 'n'},
                                         {"db", required_argument, NULL, 's'},
                                         {"dir", required_argument, NULL, 'd'},
                                         {"reuse", no_argument, NULL, 'r'},
                                         {NULL, 0, NULL, 0}};
    int c;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c == 'n')
            n = strtoull(optarg, NULL, 10);
        else if (c == 'd')
            dir = optarg;
        else if (c == 'r')
            reuse = 1;
        else if (c == 's')
            store = optarg;
        else {
            fprintf(stderr,
                    "usage: bench_engine_io [--customers N] [--dir DIR] [--reuse] "
                    "[--db STORE]\n");
            return 2;
        }
    }
    char db[1200], path[1200];
    if (store)
        snprintf(db, sizeof db, "%s", store);
    else
        snprintf(db, sizeof db, "%s/store.db", dir);
    snprintf(path, sizeof path, "%s/engine.xsm", dir);
    struct stat sb;
    mkdir(dir, 0755);
    if (!store && (!reuse || stat(db, &sb) != 0)) build_store(dir, db, n);

    xs_error e;
    xs_store *st = NULL;
    xs_snapshot *s = NULL;
    double t0 = wall();
    if (xs_store_open(&st, db, &e) < 0 || xs_snapshot_load(st, &s, &e) < 0)
        die("snapshot", &e);
    double t_snap = wall() - t0;
    xs_experiment *exp = NULL;
    long n_exp = xs_store_experiments(st, &exp, &e);
    if (n_exp < 0) die("experiments", &e);
    xs_experiment x[XS_OFFER_N_KINDS];
    if (n_exp ==
        0) { /* the generator's planted holdouts, as `xsell demo` registers them */
        memset(x, 0, sizeof x);
        for (int k = 0; k < XS_OFFER_N_KINDS; k++) {
            x[k].kind = (xs_offer_kind)k;
            snprintf(x[k].name, sizeof x[k].name, "%s", xs_offer_kind_key(x[k].kind));
            snprintf(x[k].split, sizeof x[k].split, "%s", XS_GEN_HOLDOUT_SPLIT);
            snprintf(x[k].start, sizeof x[k].start, "2026-08-01");
        }
    }

    /* build */
    xs_offer_engine *en = NULL;
    xs_customer_scores *cs = NULL;
    t0 = wall();
    if (xs_offer_engine_new(s, NULL, NULL, &en, &e) < 0 ||
        xs_offer_engine_set_experiments(en, n_exp ? exp : x,
                                        n_exp ? (size_t)n_exp : XS_OFFER_N_KINDS, &e) < 0)
        die("engine", &e);
    double t_engine = wall() - t0;
    t0 = wall();
    if (xs_customer_scores_compute(s, NULL, NULL, &cs, &e) < 0) die("scores", &e);
    double t_scores = wall() - t0;
    xs_store_experiments_free(exp);

    /* save */
    xs__mfile_writer *w = NULL;
    xs__mfile_meta meta;
    memset(&meta, 0, sizeof meta);
    t0 = wall();
    if (xs__mfile_create(&w, path, &e) < 0 || xs__offer_engine_save(en, w, &e) < 0 ||
        xs__score_customer_scores_save(cs, w, &e) < 0 ||
        xs__mfile_commit(w, &meta, &e) < 0)
        die("save", &e);
    double t_save = wall() - t0;
    if (stat(path, &sb) != 0) die("stat", NULL);

    /* map (median of 5) */
    double t_map[5];
    xs__mfile *f = NULL;
    xs_offer_engine *men = NULL;
    xs_customer_scores *mcs = NULL;
    for (int r = 0; r < 5; r++) {
        xs_offer_engine_free(men);
        xs_customer_scores_free(mcs);
        xs__mfile_close(f);
        t0 = wall();
        if (xs__mfile_open(&f, path, &e) < 0 ||
            xs__offer_engine_map(f, s, &men, &e) < 0 ||
            xs__score_customer_scores_map(f, s, &mcs, &e) < 0)
            die("map", &e);
        t_map[r] = wall() - t0;
    }
    qsort(t_map, 5, sizeof *t_map, cmp_d);
    xs_offer o[XS_OFFER_MAX_CANDIDATES];
    t0 = wall();
    xs_offer_decide(men, 0, o, XS_OFFER_MAX_CANDIDATES);
    double t_first = wall() - t0;
    xs_offer_summary a, b;
    t0 = wall();
    xs_offer_decide_all(en, 2, NULL, NULL, &a);
    double t_all_built = wall() - t0;
    t0 = wall();
    xs_offer_decide_all(men, 2, NULL, NULL, &b);
    double t_all_mapped = wall() - t0;
    int same = a.n_offered == b.n_offered && a.n_candidates == b.n_candidates &&
               a.ev_offered == b.ev_offered;

    double t_build = t_engine + t_scores;
    printf("customers                 %zu\n", s->cust.n);
    printf("snapshot load (baseline)  %.3f s\n", t_snap);
    printf("build engine              %.3f s\n", t_engine);
    printf("build scores (with CLV)   %.3f s\n", t_scores);
    printf("save both                 %.3f s, %.1f MB\n", t_save,
           (double)sb.st_size / 1e6);
    printf("map both (median of 5)    %.6f s\n", t_map[2]);
    printf("first decision, mapped    %.6f s\n", t_first);
    printf("decide all, 2 threads     built %.3f s, mapped %.3f s (%s totals)\n",
           t_all_built, t_all_mapped, same ? "equal" : "DIFFERENT");
    printf("build / map               %.0fx\n", t_build / t_map[2]);
    printf("peak RSS                  %ld MB\n", peak_rss_mb());
    xs_offer_engine_free(men);
    xs_customer_scores_free(mcs);
    xs__mfile_close(f);
    xs_offer_engine_free(en);
    xs_customer_scores_free(cs);
    xs_snapshot_free(s);
    xs_store_close(st);
    return same ? 0 : 1;
}
