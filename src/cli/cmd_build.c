/*
 * cmd_build.c — `xsell build`: computes what the decisions need and stores
 * it (the fitted propensity model and its as-of day, in the store's builds
 * table), so that `xsell recommend` and `xsell targets` use the stored
 * model instead of fitting. A thin shell over xs_offer_build_open()
 * (docs/offers.md, "Build"); with --capacity also the global plan
 * (xs_plan_save, docs/plan.md). Then it writes the model file the readers
 * map (xs_model_build_from on the build's snapshot and engine, its
 * scores begun beside the engine's fit, writing the file as it goes:
 * xs_model_opts.out; docs/model.md): FILE.xsm beside a store FILE unless
 * --out says where, recorded as the store's latest model. The stage times
 * on stderr count the snapshot and the engine fitted here with the
 * model's; the scores run beside the engine and the target list, so their
 * times overlap.
 * With --shard I/N it writes only the part file of one customer shard
 * (xs_model_build_shard), with --merge the model of the N parts
 * (xs_model_merge; docs/model.md, "Build by shard").
 */
#define _DEFAULT_SOURCE /* realpath */
#include "cli/cli.h"

#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define CMD "build"

static const char usage[] =
    "usage: xsell build --db FILE [--out MODEL] [--as-of DATE] [--set SPEC]\n"
    "                   [--churn-model FILE] [--capacity SPEC [--days N]]\n"
    "       xsell build --db FILE --shard I/N --out PART\n"
    "       xsell build --merge --out MODEL [--as-of DATE] [--set SPEC] PART...\n"
    "\n"
    "Fits the offer engine's propensity model on the decided offers of the\n"
    "store and stores it with its as-of day and the build time (a new build\n"
    "replaces the previous one). 'xsell recommend' and 'xsell targets' need a\n"
    "build; they use its model when deciding as of the same day and fit one\n"
    "on the fly otherwise (their evidence says which). Run it again after\n"
    "importing data or recording outcomes.\n"
    "Then writes the model file that recommend, rank, targets, customers, kpi\n"
    "and serve map instead of loading the store (docs/model.md) and records it\n"
    "as the store's latest model.\n"
    "\n"
    "  --db FILE     the store (required)\n"
    "  --out MODEL   the model file (default: FILE.xsm beside the store; none\n"
    "                for a PostgreSQL store unless given)\n"
    "  --as-of DATE  build as of DATE (default: the store's latest date)\n"
    "  --set SPEC    engine settings by name (docs/offers.md), e.g.\n"
    "                min_history=50\n"
    "  --churn-model FILE\n"
    "                attach a churn model trained on a customer table\n"
    "                ('xsell churn train --input ... --model FILE'): its bytes\n"
    "                are stored with the build and the engine predicts\n"
    "                P(churn) from the customers' attrs with it; a later\n"
    "                build keeps it; 'none' detaches it. Imported\n"
    "                churn_scores still come first (docs/offers.md).\n"
    "  --capacity SPEC also plan every customer under these capacities and\n"
    "                store the plan for GET /v1/plan (as 'xsell plan', which\n"
    "                documents SPEC and --days; docs/plan.md)\n"
    "  --days N      the plan's period in days (default 7)\n"
    "  --shard I/N   write only the part of shard I (0 <= I < N) of the store's\n"
    "                customers (XXH3-64 of the customer_id, modulo N) to PART:\n"
    "                their rows, the catalog, the store's experiments; nothing\n"
    "                is written to the store (docs/model.md, \"Build by shard\")\n"
    "  --merge       make the model file MODEL of the N parts PART... of one\n"
    "                store and data version: the same decisions as one build\n";

/* The absolute form of path (its directory resolved; the file itself need
 * not exist yet), so readers in any directory find it; path as given when
 * the directory does not resolve. */
static void absolute(const char *path, char *buf, size_t n)
{
    char dir[4096], real[4096];
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    if (slash)
        snprintf(dir, sizeof dir, "%.*s", (int)(slash - path) ? (int)(slash - path) : 1, path);
    else
        snprintf(dir, sizeof dir, ".");
    const char *head = realpath(dir, real) ? real : NULL;
    if (head && !strcmp(head, "/")) head = "";
    size_t lh = head ? strlen(head) : 0, lb = strlen(base);
    if (head && lh + 1 + lb < n) {
        memcpy(buf, head, lh);
        buf[lh] = '/';
        memcpy(buf + lh + 1, base, lb + 1);
    } else {
        snprintf(buf, n, "%s", path);
    }
}

/* *snap, which the caller no longer owns. */
static xs_snapshot *take_snapshot(xs_snapshot **snap)
{
    xs_snapshot *s = *snap;
    *snap = NULL;
    return s;
}

/* *en, which the caller no longer owns. */
static xs_offer_engine *take_engine(xs_offer_engine **en)
{
    xs_offer_engine *e = *en;
    *en = NULL;
    return e;
}

/* *sc, which the caller no longer owns. */
static xs_model_scores_job *take_scores(xs_model_scores_job **sc)
{
    xs_model_scores_job *x = *sc;
    *sc = NULL;
    return x;
}

/* The options of the build's model, the same for its scores started
 * early (xs_model_scores_begin) and for the model itself. */
static void model_opts(xs_model_opts *o, const char *as_of, const xs_offer_config *cfg)
{
    xs_model_opts_init(o);
    o->as_of = as_of;
    o->cfg = cfg;
}

/* Whether the build writes a model file (a store on a database server
 * needs --out for one). */
static int writes_model(const char *db, const char *out)
{
    return out || !xs_store_is_url(db);
}

/* Monotonic seconds, for the stage times printed on stderr. */
static double seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Wall seconds of the steps before the model's own (its info times the
 * rest): loading the snapshot, fitting and storing the engine. */
typedef struct pre_times {
    double load, engine;
} pre_times;

/* Builds the model of the store (on the build's snapshot, its scores
 * started early and, when given, the engine of its build, all taken over)
 * and writes it to out (default FILE.xsm),
 * recorded as the store's latest model before the build reads the store's
 * data version. Returns the exit code (message printed). */
/* A build that offers nothing because no customer may be contacted says
 * so: a shop's order log imported without --consent gives every customer
 * no channel, and an empty target list alone does not tell why. */
static void consent_hint(const xs_offer_summary *s)
{
    if (!s || s->n_offered || !s->n_suppressed[XS_GUARD_CONSENT]) return;
    fprintf(stderr,
            "warning: no offer made: %zu of %zu candidates held back because their customer "
            "consented to no channel (the customers' consent_* columns; an order log: "
            "import transactions --consent CHANNELS)\n",
            s->n_suppressed[XS_GUARD_CONSENT], s->n_candidates);
}

static int write_model(xs_store *st, xs_snapshot **snap, xs_model_scores_job **sc,
                       xs_offer_engine **en, const pre_times *pre, const char *db,
                       const char *out, const char *as_of, const xs_offer_config *cfg)
{
    char def[4096], path[4096], id[40];
    xs_error e;
    if (!writes_model(db, out)) {
        /* a database server: no file beside it to default to */
        fprintf(stderr, "xsell %s: no model file written: give --out MODEL for a database "
                        "server\n",
                CMD);
        return XS_EXIT_OK;
    }
    if (!out) {
        snprintf(def, sizeof def, "%s.xsm", db);
        out = def;
    }
    absolute(out, path, sizeof path);
    xs_model *m = NULL;
    xs_model_opts o;
    model_opts(&o, as_of, cfg);
    o.engine = take_engine(en);
    o.scores = take_scores(sc);
    o.out = out; /* written as the build goes */
    if (xs_store_identity_ensure(st, id, &e) < 0 || xs_store_model_path_set(st, path, &e) < 0 ||
        xs_model_build_from(st, take_snapshot(snap), &o, &m, &e) < 0) {
        xs_model_free(m);
        return xs_cli_fail(CMD, &e);
    }
    const xs_model_info *in = xs_model_info_of(m);
    fprintf(stderr,
            "model stages: load %.1f s, mine %.1f s, scores %.1f s, engine %.1f s,"
            " targets %.1f s, write %.1f s\n",
            pre->load + in->t_load, in->t_mine, in->t_scores, pre->engine + in->t_engine,
            in->t_targets, in->t_write);
    /* on stderr: stdout stays the build's one line */
    fprintf(stderr, "model %s: %zu bytes\n", out, in->bytes);
    consent_hint(xs_model_summary(m));
    xs_model_free(m);
    return XS_EXIT_OK;
}

/* Parses --shard I/N (0 <= I < N <= 65536); prints the message and
 * returns 1 when it is bad. */
static int parse_shard(const char *spec, uint32_t *i, uint32_t *n)
{
    const char *slash = strchr(spec, '/');
    char num[32];
    long vi, vn;
    if (!slash || slash == spec || !slash[1] || (size_t)(slash - spec) >= sizeof num ||
        strspn(spec, "0123456789") != (size_t)(slash - spec) ||
        strspn(slash + 1, "0123456789") != strlen(slash + 1) || strlen(slash + 1) > 9) {
        xs_cli_usage_error(CMD, "--shard: not I/N (shard I of N, 0 <= I < N): \"%s\"",
                           spec);
        return 1;
    }
    memcpy(num, spec, (size_t)(slash - spec));
    num[slash - spec] = '\0';
    vi = strlen(num) > 9 ? 1000000000L : strtol(num, NULL, 10);
    vn = strtol(slash + 1, NULL, 10);
    if (vn < 1 || vn > 65536) {
        xs_cli_usage_error(CMD, "--shard: N: %ld is out of range [1, 65536]: \"%s\"", vn,
                           spec);
        return 1;
    }
    if (vi >= vn) {
        xs_cli_usage_error(CMD, "--shard: I: %ld is out of range [0, %ld]: \"%s\"", vi,
                           vn - 1, spec);
        return 1;
    }
    *i = (uint32_t)vi;
    *n = (uint32_t)vn;
    return 0;
}

/* `xsell build --db FILE --shard I/N --out PART`. */
static int run_shard(const char *db, uint32_t i, uint32_t n, const char *out)
{
    xs_store *st = NULL;
    xs_error e;
    xs_model_shard_info in;
    int ex = XS_EXIT_OK;
    if (xs_store_open(&st, db, &e) < 0 ||
        xs_model_build_shard(st, i, n, out, &in, &e) < 0) {
        ex = xs_cli_fail(CMD, &e);
    } else {
        fprintf(stderr, "shard stages: load %.1f s, cut %.1f s, write %.1f s\n",
                in.t_load, in.t_cut, in.t_write);
        printf(
            "part %u/%u of %s: %zu customers, %zu orders (%zu lines), %zu anonymous order"
            " lines: %s (%zu bytes)\n",
            i, n, db, in.n_customers, in.n_orders, in.n_lines, in.n_anon_lines, out,
            in.bytes);
    }
    xs_store_close(st);
    return ex;
}

/* `xsell build --merge --out MODEL PART...`. */
static int run_merge(const char *const *parts, size_t n, const char *out,
                     const char *as_of, const xs_offer_config *cfg)
{
    xs_model *m = NULL;
    xs_model_opts o;
    xs_error e;
    xs_model_opts_init(&o);
    o.as_of = as_of;
    o.cfg = cfg;
    if (xs_model_merge(parts, n, &o, &m, &e) < 0 || xs_model_save(m, out, &e) < 0) {
        xs_model_free(m);
        return xs_cli_fail(CMD, &e);
    }
    const xs_model_info *in = xs_model_info_of(m);
    fprintf(stderr,
            "model stages: merge %.1f s, mine %.1f s, scores %.1f s, engine %.1f s,"
            " targets %.1f s\n",
            in->t_load, in->t_mine, in->t_scores, in->t_engine, in->t_targets);
    const xs_snapshot *s = xs_model_snapshot(m);
    size_t nc = xs_snapshot_count(s, XS_SNAP_CUSTOMERS);
    xs_model_free(m);
    xs_model *check = NULL;
    if (xs_model_open(out, &check, &e) < 0) return xs_cli_fail(CMD, &e);
    printf("merged %zu parts into %s: %zu customers, %zu bytes\n", n, out, nc,
           xs_model_info_of(check)->bytes);
    xs_model_free(check);
    return XS_EXIT_OK;
}

int xs_cmd_build(int argc, char **argv)
{
    static const struct option opts[] = {
        {"db", required_argument, NULL, 'd'},
        {"out", required_argument, NULL, 'o'},
        {"as-of", required_argument, NULL, 'a'},
        {"set", required_argument, NULL, 'S'},
        {"churn-model", required_argument, NULL, 'C'},
        {"capacity", required_argument, NULL, 'P'},
        {"days", required_argument, NULL, 'D'},
        {"shard", required_argument, NULL, 'H'},
        {"merge", no_argument, NULL, 'M'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *db = NULL, *out = NULL, *as_of = NULL, *churn = NULL, *capacity = NULL;
    const char *shard = NULL, *set = NULL;
    int merge = 0;
    uint32_t sh_i = 0, sh_n = 1;
    long days = 7;
    xs_offer_config cfg;
    xs_error e;
    char buf[1200];
    int c;
    xs_offer_config_init(&cfg);
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
        switch (c) {
        case 'd':
            db = optarg;
            break;
        case 'o':
            out = optarg;
            break;
        case 'a':
            as_of = optarg;
            break;
        case 'S':
            set = optarg;
            if (xs_offer_config_set(&cfg, optarg, "--set", &e) < 0)
                return xs_cli_usage_error(CMD, "%s",
                                          xs_cli_error_format(&e, buf, sizeof buf));
            break;
        case 'C':
            churn = optarg;
            break;
        case 'P':
            capacity = optarg;
            break;
        case 'D':
            if (xs_cli_long(CMD, "--days", optarg, 1, 366, &days)) return XS_EXIT_USAGE;
            break;
        case 'H':
            shard = optarg;
            if (parse_shard(optarg, &sh_i, &sh_n)) return XS_EXIT_USAGE;
            break;
        case 'M':
            merge = 1;
            break;
        case 'h':
            fputs(usage, stdout);
            return XS_EXIT_OK;
        default:
            return xs_cli_bad_option(CMD, c, argv);
        }
    }
    if (shard || merge) {
        const char *extra = churn ? "--churn-model" : capacity ? "--capacity" : NULL;
        if (shard && merge)
            return xs_cli_usage_error(CMD, "--shard and --merge: one or the other");
        if (extra)
            return xs_cli_usage_error(CMD, "%s: not with --%s", extra,
                                      shard ? "shard" : "merge");
        if (!out)
            return xs_cli_usage_error(CMD, "--%s needs --out %s",
                                      shard ? "shard" : "merge",
                                      shard ? "PART" : "MODEL");
        if (merge) {
            if (db)
                return xs_cli_usage_error(CMD, "--merge reads no store: give no --db");
            if (optind == argc)
                return xs_cli_usage_error(CMD, "--merge: give the part files (written by "
                                               "'xsell build --shard I/N --out PART')");
            return run_merge((const char *const *)argv + optind, (size_t)(argc - optind),
                             out, as_of, &cfg);
        }
        if (as_of || set)
            return xs_cli_usage_error(CMD,
                                      "%s: give it to --merge (a shard only cuts the "
                                      "store)",
                                      as_of ? "--as-of" : "--set");
    }
    if (optind < argc)
        return xs_cli_usage_error(CMD, "unexpected argument \"%s\"", argv[optind]);
    if (!db) return xs_cli_usage_error(CMD, "--db FILE is required");
    if (!xs_store_exists(db)) {
        fprintf(stderr, "xsell %s: %s: no such store\n", CMD, db);
        return XS_EXIT_USAGE;
    }
    if (shard) return run_shard(db, sh_i, sh_n, out);
    xs_store *st = NULL;
    xs_snapshot *snap = NULL;
    xs_offer_engine *en = NULL;
    xs_model_scores_job *sc = NULL;
    xs_model_opts mo;
    pre_times pre = {0, 0};
    double t0 = seconds();
    xs_offer_build_info info;
    xs_churn_attach_info ci;
    xs_cli_plan plan = {NULL, NULL, NULL, NULL, NULL};
    int ex = XS_EXIT_OK;
    /* a bad --churn-model or --capacity is refused before the build writes
     * anything */
    if (xs_store_open(&st, db, &e) < 0 || xs_snapshot_load(st, &snap, &e) < 0 ||
        (pre.load = seconds() - t0, 0) ||
        (churn && xs_offer_churn_check(snap, churn, &ci, &e) < 0)) {
        ex = xs_cli_fail(CMD, &e);
    } else if (capacity && (ex = xs_cli_plan_spec(CMD, snap, capacity, &plan)) != 0) {
        /* printed */
    } else if ((t0 = seconds(), model_opts(&mo, as_of, &cfg), 0) ||
               /* the model's scores (CLV, churn model) beside the engine's
                * fit: neither reads the other */
               (writes_model(db, out) && xs_model_scores_begin(snap, &mo, &sc, &e) < 0) ||
               /* the engine once, for the store's build and the model; not
                * when --churn-model changes the churn model it is opened with */
               xs_offer_build_open(st, snap, &cfg, as_of, &info, churn ? NULL : &en, &e) <
                   0) {
        ex = xs_cli_fail(CMD, &e);
    } else if ((pre.engine = seconds() - t0, 0) ||
               (churn && xs_offer_churn_attach(st, snap, churn, &ci, &e) < 0)) {
        ex = xs_cli_fail(CMD, &e);
    } else if (capacity && (ex = xs_cli_plan_run(CMD, st, snap, &cfg, as_of, (int)days,
                                                 &plan)) != 0) {
        /* printed */
    } else if (plan.pl && xs_plan_save(st, plan.pl, plan.spec, &e) < 0) {
        ex = xs_cli_fail(CMD, &e);
    } else if ((ex = write_model(st, &snap, &sc, &en, &pre, db, out, as_of, &cfg)) !=
               XS_EXIT_OK) {
        /* printed */
    } else {
        size_t n = info.n_hist[0] + info.n_hist[1] + info.n_hist[2];
        printf("built %s as of %s: propensity model %s on %zu decided offers"
               " (upsell %zu, cross-sell %zu, downsell %zu)\n",
               db, info.as_of,
               info.fitted ? "fitted" : "not fitted (too few: priors used)", n,
               info.n_hist[0], info.n_hist[1], info.n_hist[2]);
        if (churn && !strcmp(churn, "none"))
            printf("churn model detached\n");
        else if (churn)
            printf("churn model %s (sha256 %.12s) attached: %zu of %zu columns in the"
                   " customers' attrs, %zu customers scored%s%s\n",
                   ci.name, ci.sha256, ci.n_found, ci.n_columns, ci.n_scored,
                   ci.missing[0] ? "; missing (scored as missing values): " : "",
                   ci.missing);
        if (plan.pl) {
            const xs_plan_totals *pt = xs_plan_totals_of(plan.pl);
            printf("plan stored: %zu offers to %zu customers, value %.2f (greedy %.2f)\n",
                   pt->n_assigned, pt->n_reached, pt->value, pt->greedy_value);
        }
    }
    xs_cli_plan_free(&plan);
    xs_offer_engine_free(en);
    xs_model_scores_job_free(sc); /* before the snapshot it reads */
    xs_snapshot_free(snap);
    xs_store_close(st);
    return ex;
}
