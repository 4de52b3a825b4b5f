/*
 * cmd_customers.c — `xsell customers`: health with its breakdown, segment,
 * RFM, LTV and CLV of the customers of a store, as of a date. A thin shell
 * over the "Customer health, segments, RFM" section of xsell.h: open the
 * store, load the snapshot, score, print one of three tables (the list,
 * one customer's breakdown, or the per-segment summary).
 */
#include "cli/cli.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define CMD "customers"

static const char usage[] =
    "usage: xsell customers --db FILE [--model FILE] [--customer ID] [--segment S]\n"
    "                       [--as-of DATE]\n"
    "                       [--limit N] [--sort id|health|ltv|clv|churn] [--by-segment]\n"
    "                       [--weights SPEC] [--set SPEC] [--no-clv] [--no-churn]\n"
    "                       [--format F]\n"
    "\n"
    "Health / loyalty score (0-100) with its breakdown, segment, RFM quintiles,\n"
    "simple LTV and BG/NBD + Gamma-Gamma CLV of every customer of a store, as of\n"
    "a date (rows dated later are ignored). Rules and formulas: docs/scores.md.\n"
    "\n"
    "  --db FILE          the store (required unless --model)\n"
    "  --model FILE       read the model file FILE ('xsell build') instead of the\n"
    "                     store (with --db: it must be that store's); with only\n"
    "                     --db, the store's latest model when it is current; its\n"
    "                     scores unless the settings or --as-of differ\n"
    "  --customer ID      one customer's breakdown: each component's raw value,\n"
    "                     score (0-100), weight (% of the health) and points\n"
    "  --segment S        only customers of segment S: new, hibernating, at_risk,\n"
    "                     champion, loyal, promising, needs_attention\n"
    "  --as-of DATE       score as of DATE (default: the store's latest date)\n"
    "  --limit N          at most N rows (default all)\n"
    "  --sort KEY         id (default), health, ltv, clv or churn (highest first)\n"
    "  --by-segment       one row per segment: customers, share, mean health,\n"
    "                     MRR, mean and total LTV, mean CLV\n"
    "  --weights SPEC     component weights, e.g. tenure=20,usage=25,trend=10,\n"
    "                     utilisation=10,nps=20,support=10,payment=5 (the defaults;\n"
    "                     any scale, unnamed ones keep their default)\n"
    "  --set SPEC         thresholds by name, e.g. tenure_full_days=365,\n"
    "                     logins_full=15,clv_horizon_weeks=26 (docs/scores.md)\n"
    "  --no-clv           skip fitting BG/NBD + Gamma-Gamma (clv, p_alive empty)\n"
    "  --no-churn         skip training the churn model (churn_risk empty)\n"
    "  --format F         table (default), json or csv\n"
    "Columns: customer_id, health, segment, the component scores (tenure, usage,\n"
    "trend, utilisation, nps, support, payment; 0-100, empty without data),\n"
    "open_critical, rfm (R, F, M quintiles 1-5), recency_days, orders, monetary,\n"
    "mrr, ltv, clv, p_alive, churn_risk (P(no active subscription within 90\n"
    "days) from the churn module's XGBoost model trained on the store's own\n"
    "history; empty for customers not active at as_of).\n";

typedef struct args {
    const char *db, *model, *customer, *as_of;
    xs_segment segment;
    xs_customer_sort sort;
    long limit;
    int by_segment;
    xs_health_config cfg;
    xs_format fmt;
} args;

/* Returns -1 to go on, else the exit code. */
static int parse_args(int argc, char **argv, args *a)
{
    static const struct option opts[] = {
        {"db", required_argument, NULL, 'd'},
        {"model", required_argument, NULL, 'm'},
        {"customer", required_argument, NULL, 'c'},
        {"segment", required_argument, NULL, 's'},
        {"as-of", required_argument, NULL, 'a'},
        {"limit", required_argument, NULL, 'n'},
        {"sort", required_argument, NULL, 'o'},
        {"by-segment", no_argument, NULL, 'b'},
        {"weights", required_argument, NULL, 'w'},
        {"set", required_argument, NULL, 'S'},
        {"no-clv", no_argument, NULL, 'C'},
        {"no-churn", no_argument, NULL, 'R'},
        {"format", required_argument, NULL, 'f'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int c;
    xs_error e;
    memset(a, 0, sizeof *a);
    a->segment = XS_SEG_N;
    a->fmt = XS_FORMAT_TABLE;
    xs_health_config_init(&a->cfg);
    a->cfg.churn = 1;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
        switch (c) {
        case 'd':
            a->db = optarg;
            break;
        case 'm':
            a->model = optarg;
            break;
        case 'c':
            a->customer = optarg;
            break;
        case 's':
            if (xs_segment_parse(optarg, &a->segment) < 0)
                return xs_cli_usage_error(
                    CMD,
                    "--segment: expected new, hibernating, at_risk, "
                    "champion, loyal, promising or needs_attention, "
                    "got \"%s\"",
                    optarg);
            break;
        case 'a':
            a->as_of = optarg;
            break;
        case 'n':
            if (xs_cli_long(CMD, "--limit", optarg, 1, 2000000000L, &a->limit))
                return XS_EXIT_USAGE;
            break;
        case 'o':
            if (!strcmp(optarg, "id"))
                a->sort = XS_CUST_SORT_ID;
            else if (!strcmp(optarg, "health"))
                a->sort = XS_CUST_SORT_HEALTH;
            else if (!strcmp(optarg, "ltv"))
                a->sort = XS_CUST_SORT_LTV;
            else if (!strcmp(optarg, "clv"))
                a->sort = XS_CUST_SORT_CLV;
            else if (!strcmp(optarg, "churn"))
                a->sort = XS_CUST_SORT_CHURN;
            else
                return xs_cli_usage_error(
                    CMD, "--sort: expected id, health, ltv, clv or churn, got \"%s\"",
                    optarg);
            break;
        case 'b':
            a->by_segment = 1;
            break;
        case 'w':
        case 'S':
            if (xs_health_config_set(&a->cfg, optarg, c == 'w' ? "--weights" : "--set",
                                     &e) < 0) {
                char buf[1200];
                return xs_cli_usage_error(CMD, "%s",
                                          xs_cli_error_format(&e, buf, sizeof buf));
            }
            break;
        case 'C':
            a->cfg.clv = 0;
            break;
        case 'R':
            a->cfg.churn = 0;
            break;
        case 'f':
            if (xs_cli_format(CMD, optarg, &a->fmt)) return XS_EXIT_USAGE;
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
    if (!a->db && !a->model) return xs_cli_usage_error(CMD, "--db FILE is required");
    if (a->customer && (a->by_segment || a->segment != XS_SEG_N))
        return xs_cli_usage_error(CMD, "--customer cannot be combined with --segment or "
                                       "--by-segment");
    return -1;
}

int xs_cmd_customers(int argc, char **argv)
{
    args a;
    int rc = parse_args(argc, argv, &a);
    if (rc >= 0) return rc;
    xs_cli_src src;
    xs_customer_scores *cs = NULL;
    const xs_customer_scores *scores = NULL;
    xs_table *t = NULL;
    xs_error e;
    int ex = XS_EXIT_FAIL;
    if ((rc = xs_cli_src_open(CMD, a.db, a.model, 0, &src)) >= 0) return rc;
    long idx = -1;
    scores = src.model ? xs_model_scores(src.model) : NULL;
    char day[11];
    /* the model's scores when they were computed with these settings */
    if (scores && (memcmp(xs_model_health_config(src.model), &a.cfg, sizeof a.cfg) != 0 ||
                   (a.as_of ? strcmp(a.as_of, xs_customer_scores_as_of(scores, day)) != 0
                            : xs_model_info_of(src.model)->as_of_given))) {
        xs_cli_src_note(CMD, &src, "scoring its snapshot");
        scores = NULL;
    }
    if (!scores) {
        if (xs_customer_scores_compute(src.s, &a.cfg, a.as_of, &cs, &e) < 0) {
            ex = xs_cli_fail(CMD, &e);
            goto cleanup;
        }
        scores = cs;
    }
    if (a.customer) {
        idx = xs_customer_scores_find(scores, a.customer);
        if (idx < 0) {
            fprintf(stderr, "xsell %s: --customer: unknown customer \"%s\"\n", CMD,
                    a.customer);
            ex = XS_EXIT_USAGE;
            goto cleanup;
        }
    }
    char msg[600];
    if (a.cfg.clv && xs_customer_scores_clv_status(scores, msg, sizeof msg) != XS_OK)
        fprintf(stderr, "xsell %s: no CLV: %s\n", CMD, msg);
    if (a.cfg.churn && xs_customer_scores_churn_status(scores, msg, sizeof msg) != XS_OK)
        fprintf(stderr, "xsell %s: no churn risk: %s\n", CMD, msg);
    t = xs_table_new();
    if (!t) goto oom;
    if (a.customer)
        rc = xs_customer_scores_breakdown(scores, (size_t)idx, t);
    else if (a.by_segment)
        rc = xs_customer_scores_segments(scores, t);
    else
        rc = xs_customer_scores_table(scores, a.segment, a.sort, (size_t)a.limit, t);
    if (rc < 0) goto oom;
    if (xs_table_write(t, stdout, a.fmt) < 0 || fflush(stdout)) {
        fprintf(stderr, "xsell %s: cannot write the output\n", CMD);
        goto cleanup;
    }
    ex = XS_EXIT_OK;
    goto cleanup;
oom:
    fprintf(stderr, "xsell %s: out of memory\n", CMD);
cleanup:
    xs_table_free(t);
    xs_customer_scores_free(cs);
    xs_cli_src_close(&src);
    return ex;
}
