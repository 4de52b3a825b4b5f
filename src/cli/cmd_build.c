/*
 * cmd_build.c — `xsell build`: computes what the decisions need and stores
 * it (the fitted propensity model and its as-of day, in the store's builds
 * table), so that `xsell recommend` and `xsell targets` use the stored
 * model instead of fitting. A thin shell over xs_offer_build_open()
 * (docs/offers.md, "Build"); with --capacity also the global plan
 * (xs_plan_save, docs/plan.md). Then it writes the model file the readers
 * map (cmd_build_model.c: xs_model_build_from on the build's snapshot and
 * engine, its scores begun beside the engine's fit; docs/model.md). The
 * stage times on stderr count the snapshot and the engine fitted here with
 * the model's; the scores run beside the engine and the target list, so
 * their times overlap.
 * With --shard I/N it writes only the part file of one customer shard, with
 * --merge the model of the N parts (cmd_build_shard.c; docs/model.md,
 * "Build by shard").
 */
#include "cli/build.h"

#include "base/heap.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CMD XS_CLI_BUILD

struct build_opts {
    const char *out, *churn, *capacity, *shard, *set;
    int merge;
    long days;
    long churn_max_train; /* -1: not given (the default) */
    uint32_t sh_i, sh_n;
    xs_offer_config cfg;
};

static int set_cfg(const char *cmd, const xs_opt *o, const char *value, void *opts)
{
    struct build_opts *b = opts;
    (void)o;
    b->set = value;
    return xs_cli_offer_set(cmd, &b->cfg, value);
}

static int set_shard(const char *cmd, const xs_opt *o, const char *value, void *opts)
{
    struct build_opts *b = opts;
    (void)cmd;
    (void)o;
    b->shard = value;
    return xs_cli_build_parse_shard(value, &b->sh_i, &b->sh_n);
}

#define OFF(f) offsetof(struct build_opts, f)
static const xs_opt opts[] = {
    {.ref = &xs_cli_opt_db, .help = "the store (required but with --merge)"},
    {"out", 0, "MODEL", XS_OPT_STR, .off = OFF(out),
     .help = "the model file (default: FILE.xsm beside the store; none\n"
             "for a PostgreSQL store unless given); with --shard the part"},
    {.ref = &xs_cli_opt_as_of,
     .help = "build as of DATE (default: the store's latest date)"},
    {"set", 0, "SPEC", XS_OPT_CALL, .call = set_cfg,
     .help = "engine settings by name (docs/offers.md), e.g.\nmin_history=50"},
    {"churn-model", 0, "FILE", XS_OPT_STR, .off = OFF(churn),
     .help = "attach a churn model trained on a customer table\n"
             "('xsell churn train --input ... --model FILE'): its bytes\n"
             "are stored with the build and the engine predicts\n"
             "P(churn) from the customers' attrs with it; a later\n"
             "build keeps it; 'none' detaches it. Imported\n"
             "churn_scores still come first (docs/offers.md)."},
    {"churn-max-train", 0, "N", XS_OPT_LONG, .off = OFF(churn_max_train), .lo = 0,
     .hi = 1000000000,
     .help = "the churn-risk model of the customer scores trains on a\n"
             "stratified sample of at most N of the customers active at\n"
             "its cutoff (default 100000; 0: all of them; docs/scores.md)"},
    {"capacity", 0, "SPEC", XS_OPT_STR, .off = OFF(capacity),
     .help = "also plan every customer under these capacities and\n"
             "store the plan for GET /v1/plan (as 'xsell plan', which\n"
             "documents SPEC and --days; docs/plan.md)"},
    {"days", 0, "N", XS_OPT_LONG, .off = OFF(days), .lo = 1, .hi = 366,
     .help = "the plan's period in days (default 7)"},
    {"shard", 0, "I/N", XS_OPT_CALL, .call = set_shard,
     .help = "write only the part of shard I (0 <= I < N) of the store's\n"
             "customers (XXH3-64 of the customer_id, modulo N) to PART:\n"
             "their rows, the catalog, the store's experiments; nothing\n"
             "is written to the store (docs/model.md, \"Build by shard\")"},
    {"merge", 0, NULL, XS_OPT_FLAG, .off = OFF(merge),
     .help = "make the model file MODEL of the N parts PART... of one\n"
             "store and data version: the same decisions as one build"},
    {0},
};

static const xs_cli_spec spec = {
    CMD,
    "xsell build --db FILE [--out MODEL] [--as-of DATE] [--set SPEC]\n"
    "            [--churn-model FILE] [--churn-max-train N]\n"
    "            [--capacity SPEC [--days N]]\n"
    "xsell build --db FILE --shard I/N --out PART\n"
    "xsell build --merge --out MODEL [--as-of DATE] [--set SPEC]\n"
    "            [--churn-max-train N] PART...",
    .about = "Fits the offer engine's propensity model on the decided offers of the\n"
             "store and stores it with its as-of day and the build time (a new build\n"
             "replaces the previous one). 'xsell recommend' and 'xsell targets' need a\n"
             "build; they use its model when deciding as of the same day and fit one\n"
             "on the fly otherwise (their evidence says which). Run it again after\n"
             "importing data or recording outcomes.\n"
             "Then writes the model file that recommend, rank, targets, customers, kpi\n"
             "and serve map instead of loading the store (docs/model.md) and records it\n"
             "as the store's latest model.",
    .opts = opts,
    .max_operands = -1,
};

/* The checks of --shard and --merge. Returns -1 to go on, else the exit code. */
static int check_parts(const xs_cli_args *a, const struct build_opts *o)
{
    const char *mode = o->shard ? "shard" : "merge";
    const char *extra = o->churn ? "--churn-model" : o->capacity ? "--capacity" : NULL;
    if (o->shard && o->merge)
        return xs_cli_usage_error(CMD, "--shard and --merge: one or the other");
    if (extra) return xs_cli_usage_error(CMD, "%s: not with --%s", extra, mode);
    if (!o->out)
        return xs_cli_usage_error(CMD, "--%s needs --out %s", mode,
                                  o->shard ? "PART" : "MODEL");
    if (o->merge && a->db)
        return xs_cli_usage_error(CMD, "--merge reads no store: give no --db");
    if (o->merge && !a->argc)
        return xs_cli_usage_error(CMD, "--merge: give the part files (written by "
                                       "'xsell build --shard I/N --out PART')");
    if (o->shard && (a->as_of || o->set || o->churn_max_train >= 0))
        return xs_cli_usage_error(CMD,
                                  "%s: give it to --merge (a shard only cuts the store)",
                                  a->as_of ? "--as-of"
                                  : o->set ? "--set"
                                           : "--churn-max-train");
    return -1;
}

/* What the build did, on stdout. */
static void summary(const char *db, const xs_offer_build_info *info, const char *churn,
                    const xs_churn_attach_info *ci, const xs_plan *pl)
{
    size_t n = info->n_hist[0] + info->n_hist[1] + info->n_hist[2];
    printf("built %s as of %s: propensity model %s on %zu decided offers"
           " (upsell %zu, cross-sell %zu, downsell %zu)\n",
           db, info->as_of, info->fitted ? "fitted" : "not fitted (too few: priors used)",
           n, info->n_hist[0], info->n_hist[1], info->n_hist[2]);
    if (churn && !strcmp(churn, "none"))
        printf("churn model detached\n");
    else if (churn)
        printf("churn model %s (sha256 %.12s) attached: %zu of %zu columns in the"
               " customers' attrs, %zu customers scored%s%s\n",
               ci->name, ci->sha256, ci->n_found, ci->n_columns, ci->n_scored,
               ci->missing[0] ? "; missing (scored as missing values): " : "",
               ci->missing);
    if (pl) {
        const xs_plan_totals *pt = xs_plan_totals_of(pl);
        printf("plan stored: %zu offers to %zu customers, value %.2f (greedy %.2f)\n",
               pt->n_assigned, pt->n_reached, pt->value, pt->greedy_value);
    }
}

/* The build's memory reused instead of given back to the kernel and asked
 * for again (xs__heap_keep). At 1M customers the build frees and allocates
 * again about 1 GB beyond its peak (the churn model's tables and XGBoost's
 * matrices, the loader's and the engine's scratch), and each page the
 * kernel hands out afresh is zeroed first: ~270K of its ~800K page faults
 * go, its peak stays (bench/RESULTS.md, "Build at 1M, helper hH"). The
 * build allocates nothing per customer on its threads, so one arena costs
 * no contention. Then 4/5 of the store file's bytes, about the build's
 * peak at 1M customers (1.6 GB, a 2.0 GB file), and at most an eighth of
 * the machine's memory (what a store whose file is mostly logs the build
 * does not read would hold for nothing), are faulted in ahead by a thread
 * of idle priority (xs__heap_warm_start): while the customers load on one
 * core, it takes the page faults off the loading threads (bench/
 * RESULTS.md, "The lead's session of 2026-12-07, 18:22 UTC"). A store on a
 * database server has no file to size it by: nothing is warmed. */
static xs__heap_warm *build_heap(const char *db)
{
    xs__heap_keep();
    struct stat sb;
    if (xs_store_is_url(db) || stat(db, &sb) != 0 || sb.st_size <= 0) return NULL;
    size_t want = (size_t)sb.st_size / 5 * 4;
    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    if (pages > 0 && page > 0 && want > (size_t)pages / 8 * (size_t)page)
        want = (size_t)pages / 8 * (size_t)page;
    return xs__heap_warm_start(want);
}

/* The build of the store db: engine, churn model, plan, model file. */
static int run_build(const char *db, const char *as_of, const struct build_opts *o)
{
    const xs_offer_config *cfg = &o->cfg;
    const char *churn = o->churn, *out = o->out;
    xs_store *st = NULL;
    xs_snapshot *snap = NULL;
    xs_offer_engine *en = NULL;
    xs_model_scores_job *sc = NULL;
    xs_model_opts mo;
    xs_cli_build_times pre = {0, 0};
    double t0 = xs_cli_build_seconds();
    xs_offer_build_info info;
    xs_churn_attach_info ci;
    xs_cli_plan plan = {NULL, NULL, NULL, NULL, NULL};
    xs_error e;
    int ex = XS_EXIT_OK;
    xs__heap_warm *warm = build_heap(db);
    xs_cli_build_model_opts(&mo, as_of, cfg, o->churn_max_train);
    /* a bad --churn-model or --capacity is refused before the build writes
     * anything */
    if (xs_store_open(&st, db, &e) < 0 || xs_snapshot_load(st, &snap, &e) < 0 ||
        (pre.load = xs_cli_build_seconds() - t0, 0) ||
        (churn && xs_offer_churn_check(snap, churn, &ci, &e) < 0)) {
        ex = xs_cli_fail(CMD, &e);
    } else if (o->capacity &&
               (ex = xs_cli_plan_spec(CMD, snap, o->capacity, &plan)) != 0) {
        /* printed */
    } else if ((t0 = xs_cli_build_seconds(), 0) ||
               /* the model's scores (CLV, churn model) beside the engine's
                * fit: neither reads the other */
               (xs_cli_build_writes_model(db, out) &&
                xs_model_scores_begin(snap, &mo, &sc, &e) < 0) ||
               /* the engine once, for the store's build and the model; not
                * when --churn-model changes the churn model it is opened with */
               xs_offer_build_open(st, snap, cfg, as_of, &info, churn ? NULL : &en, &e) <
                   0) {
        ex = xs_cli_fail(CMD, &e);
    } else if ((pre.engine = xs_cli_build_seconds() - t0, 0) ||
               (churn && xs_offer_churn_attach(st, snap, churn, &ci, &e) < 0)) {
        ex = xs_cli_fail(CMD, &e);
    } else if (o->capacity && (ex = xs_cli_plan_run(CMD, st, snap, cfg, as_of,
                                                    (int)o->days, &plan)) != 0) {
        /* printed */
    } else if (plan.pl && xs_plan_save(st, plan.pl, plan.spec, &e) < 0) {
        ex = xs_cli_fail(CMD, &e);
    } else if ((ex = xs_cli_build_write_model(st, &snap, &sc, &en, &pre, db, out, &mo)) ==
               XS_EXIT_OK) {
        summary(db, &info, churn, &ci, plan.pl);
    }
    xs_cli_plan_free(&plan);
    xs_offer_engine_free(en);
    xs_model_scores_job_free(sc); /* before the snapshot it reads */
    xs_snapshot_free(snap);
    xs_store_close(st);
    xs__heap_warm_stop(warm, 0);
    return ex;
}

int xs_cmd_build(int argc, char **argv)
{
    xs_cli_args a = {0};
    struct build_opts o = {.days = 7, .sh_n = 1, .churn_max_train = -1};
    xs_offer_config_init(&o.cfg);
    int rc = xs_cli_parse(&spec, argc, argv, &a, &o);
    if (rc >= 0) return rc;
    if ((o.shard || o.merge) && (rc = check_parts(&a, &o)) >= 0) return rc;
    if (o.merge) {
        xs_model_opts mo;
        xs_cli_build_model_opts(&mo, a.as_of, &o.cfg, o.churn_max_train);
        return xs_cli_build_merge((const char *const *)a.argv, (size_t)a.argc, o.out,
                                  &mo);
    }
    if (a.argc)
        return xs_cli_usage_error(CMD, "unexpected argument %s", xs_cli_q(a.argv[0]));
    if (!a.db) return xs_cli_usage_error(CMD, "--db FILE is required");
    if (!xs_store_exists(a.db)) return xs_cli_no_store(CMD, a.db);
    if (o.shard) return xs_cli_build_shard(a.db, o.sh_i, o.sh_n, o.out);
    return run_build(a.db, a.as_of, &o);
}
