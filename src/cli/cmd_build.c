/*
 * cmd_build.c — `xsell build`: computes what the decisions need and stores
 * it (the fitted propensity model and its as-of day, in the store's builds
 * table), so that `xsell recommend` and `xsell targets` use the stored
 * model instead of fitting. A thin shell over xs_offer_build()
 * (docs/offers.md, "Build"); with --capacity also the global plan
 * (xs_plan_save, docs/plan.md).
 */
#include "cli/cli.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define CMD "build"

static const char usage[] =
    "usage: xsell build --db FILE [--as-of DATE] [--set SPEC] [--churn-model FILE]\n"
    "                   [--capacity SPEC [--days N]]\n"
    "\n"
    "Fits the offer engine's propensity model on the decided offers of the\n"
    "store and stores it with its as-of day and the build time (a new build\n"
    "replaces the previous one). 'xsell recommend' and 'xsell targets' need a\n"
    "build; they use its model when deciding as of the same day and fit one\n"
    "on the fly otherwise (their evidence says which). Run it again after\n"
    "importing data or recording outcomes.\n"
    "\n"
    "  --db FILE     the store (required)\n"
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
    "  --days N      the plan's period in days (default 7)\n";

int xs_cmd_build(int argc, char **argv)
{
    static const struct option opts[] = {
        {"db", required_argument, NULL, 'd'},
        {"as-of", required_argument, NULL, 'a'},
        {"set", required_argument, NULL, 'S'},
        {"churn-model", required_argument, NULL, 'C'},
        {"capacity", required_argument, NULL, 'P'},
        {"days", required_argument, NULL, 'D'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *db = NULL, *as_of = NULL, *churn = NULL, *capacity = NULL;
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
        case 'a':
            as_of = optarg;
            break;
        case 'S':
            if (xs_offer_config_set(&cfg, optarg, "--set", &e) < 0)
                return xs_cli_usage_error(CMD, "%s",
                                          xs_error_format(&e, buf, sizeof buf));
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
        case 'h':
            fputs(usage, stdout);
            return XS_EXIT_OK;
        default:
            return xs_cli_bad_option(CMD, c, argv);
        }
    }
    if (optind < argc)
        return xs_cli_usage_error(CMD, "unexpected argument \"%s\"", argv[optind]);
    if (!db) return xs_cli_usage_error(CMD, "--db FILE is required");
    if (access(db, R_OK) != 0) {
        fprintf(stderr, "xsell %s: %s: no such store\n", CMD, db);
        return XS_EXIT_USAGE;
    }
    xs_store *st = NULL;
    xs_snapshot *snap = NULL;
    xs_offer_build_info info;
    xs_churn_attach_info ci;
    xs_cli_plan plan = {NULL, NULL, NULL, NULL, NULL};
    int ex = XS_EXIT_OK;
    /* a bad --churn-model or --capacity is refused before the build writes
     * anything */
    if (xs_store_open(&st, db, &e) < 0 || xs_snapshot_load(st, &snap, &e) < 0 ||
        (churn && xs_offer_churn_check(snap, churn, &ci, &e) < 0)) {
        ex = xs_cli_fail(CMD, &e);
    } else if (capacity && (ex = xs_cli_plan_spec(CMD, snap, capacity, &plan)) != 0) {
        /* printed */
    } else if (xs_offer_build(st, snap, &cfg, as_of, &info, &e) < 0) {
        ex = xs_cli_fail(CMD, &e);
    } else if (churn && xs_offer_churn_attach(st, snap, churn, &ci, &e) < 0) {
        ex = xs_cli_fail(CMD, &e);
    } else if (capacity && (ex = xs_cli_plan_run(CMD, st, snap, &cfg, as_of, (int)days,
                                                 &plan)) != 0) {
        /* printed */
    } else if (plan.pl && xs_plan_save(st, plan.pl, plan.spec, &e) < 0) {
        ex = xs_cli_fail(CMD, &e);
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
    xs_snapshot_free(snap);
    xs_store_close(st);
    return ex;
}
