/*
 * cmd_customers.c — `xsell customers`: health with its breakdown, segment,
 * RFM, LTV and CLV of the customers of a store, as of a date. A thin shell
 * over the "Customer health, segments, RFM" section of xsell.h: open the
 * store, load the snapshot, score, print one of three tables (the list,
 * one customer's breakdown, or the per-segment summary).
 */
#include "cli/cli.h"

#include <stdio.h>
#include <string.h>

#define CMD "customers"

typedef struct args {
    const char *customer;
    xs_segment segment;
    xs_customer_sort sort;
    long limit;
    int by_segment, no_clv, no_churn;
    xs_health_config cfg;
} args;

static int parse_segment(const char *v, void *out)
{
    return xs_segment_parse(v, out);
}

static int parse_sort(const char *v, void *out)
{
    static const char *const keys[] = {"id", "health", "ltv", "clv", "churn"};
    static const xs_customer_sort sorts[] = {XS_CUST_SORT_ID, XS_CUST_SORT_HEALTH,
                                             XS_CUST_SORT_LTV, XS_CUST_SORT_CLV,
                                             XS_CUST_SORT_CHURN};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        if (!strcmp(v, keys[i])) {
            *(xs_customer_sort *)out = sorts[i];
            return 0;
        }
    return -1;
}

/* --weights and --set: xs_health_config_set() under the option's flag. */
static int set_health(const char *cmd, const xs_opt *o, const char *value, void *v)
{
    char flag[32], buf[1200];
    xs_error e;
    snprintf(flag, sizeof flag, "--%s", o->name);
    if (xs_health_config_set(&((args *)v)->cfg, value, flag, &e) < 0)
        return xs_cli_usage_error(cmd, "%s", xs_cli_error_format(&e, buf, sizeof buf));
    return 0;
}

static int check(const char *cmd, const xs_cli_args *ca, const void *v)
{
    const args *a = v;
    (void)ca;
    if (a->customer && (a->by_segment || a->segment != XS_SEG_N))
        return xs_cli_usage_error(cmd, "--customer cannot be combined with --segment or "
                                       "--by-segment");
    return -1;
}

#define A(field) .off = offsetof(args, field)
static const xs_opt opts[] = {
    {.ref = &xs_cli_opt_db, .help = "the store (required unless --model)"},
    {.ref = &xs_cli_opt_model,
     .help = "read the model file FILE ('xsell build') instead of\n"
             "the store (with --db: it must be that store's); with\n"
             "only --db, the store's latest model when it is current;\n"
             "its scores unless the settings or --as-of differ"},
    {"customer", 0, "ID", XS_OPT_STR, A(customer),
     .help = "one customer's breakdown: each component's raw value,\n"
             "score (0-100), weight (% of the health) and points"},
    {"segment", 0, "S", XS_OPT_ENUM, A(segment), .parse = parse_segment,
     .expect = "new, hibernating, at_risk, champion, loyal, promising or needs_attention",
     .help = "only customers of segment S: new, hibernating, at_risk,\n"
             "champion, loyal, promising, needs_attention"},
    {.ref = &xs_cli_opt_as_of, .help = "score as of DATE (default: the store's latest date)"},
    {"limit", 0, "N", XS_OPT_LONG, A(limit), .lo = 1, .hi = 2000000000L,
     .help = "at most N rows (default all)"},
    {"sort", 0, "KEY", XS_OPT_ENUM, A(sort), .parse = parse_sort,
     .expect = "id, health, ltv, clv or churn",
     .help = "id (default), health, ltv, clv or churn (highest first)"},
    {"by-segment", 0, NULL, XS_OPT_FLAG, A(by_segment),
     .help = "one row per segment: customers, share, mean health,\n"
             "MRR, mean and total LTV, mean CLV"},
    {"weights", 0, "SPEC", XS_OPT_CALL, .call = set_health,
     .help = "component weights, e.g. tenure=20,usage=25,trend=10,\n"
             "utilisation=10,nps=20,support=10,payment=5 (the\n"
             "defaults; any scale, unnamed ones keep their default)"},
    {"set", 0, "SPEC", XS_OPT_CALL, .call = set_health,
     .help = "thresholds by name, e.g. tenure_full_days=365,\n"
             "logins_full=15,clv_horizon_weeks=26 (docs/scores.md)"},
    {"no-clv", 0, NULL, XS_OPT_FLAG, A(no_clv),
     .help = "skip fitting BG/NBD + Gamma-Gamma (clv, p_alive empty)"},
    {"no-churn", 0, NULL, XS_OPT_FLAG, A(no_churn),
     .help = "skip training the churn model (churn_risk empty)"},
    {.ref = &xs_cli_opt_format},
    {0},
};

static const xs_cli_spec spec = {
    CMD,
    "xsell customers --db FILE [--model FILE] [--customer ID] [--segment S]\n"
    "                [--as-of DATE]\n"
    "                [--limit N] [--sort id|health|ltv|clv|churn] [--by-segment]\n"
    "                [--weights SPEC] [--set SPEC] [--no-clv] [--no-churn]\n"
    "                [--format F]",
    .about = "Health / loyalty score (0-100) with its breakdown, segment, RFM quintiles,\n"
             "simple LTV and BG/NBD + Gamma-Gamma CLV of every customer of a store, as of\n"
             "a date (rows dated later are ignored). Rules and formulas: docs/scores.md.",
    .opts = opts,
    .notes = "Columns: customer_id, health, segment, the component scores (tenure, usage,\n"
             "trend, utilisation, nps, support, payment; 0-100, empty without data),\n"
             "open_critical, rfm (R, F, M quintiles 1-5), recency_days, orders, monetary,\n"
             "mrr, ltv, clv, p_alive, churn_risk (P(no active subscription within 90\n"
             "days) from the churn module's XGBoost model trained on the store's own\n"
             "history; empty for customers not active at as_of).",
    .flags = XS_CLI_DB_OR_MODEL,
    .check = check,
};

int xs_cmd_customers(int argc, char **argv)
{
    args a = {.segment = XS_SEG_N};
    xs_cli_args ca = {0};
    xs_health_config_init(&a.cfg);
    a.cfg.churn = 1;
    int rc = xs_cli_parse(&spec, argc, argv, &ca, &a);
    if (rc >= 0) return rc;
    if (a.no_clv) a.cfg.clv = 0;
    if (a.no_churn) a.cfg.churn = 0;
    xs_cli_src src;
    xs_customer_scores *cs = NULL;
    const xs_customer_scores *scores = NULL;
    xs_table *t = NULL;
    xs_error e;
    int ex = XS_EXIT_FAIL;
    if ((rc = xs_cli_src_open(CMD, ca.db, ca.model, 0, &src)) >= 0) return rc;
    long idx = -1;
    scores = src.model ? xs_model_scores(src.model) : NULL;
    char day[11];
    /* the model's scores when they were computed with these settings */
    if (scores && (memcmp(xs_model_health_config(src.model), &a.cfg, sizeof a.cfg) != 0 ||
                   (ca.as_of ? strcmp(ca.as_of, xs_customer_scores_as_of(scores, day)) != 0
                            : xs_model_info_of(src.model)->as_of_given))) {
        xs_cli_src_note(CMD, &src, "scoring its snapshot");
        scores = NULL;
    }
    if (!scores) {
        if (xs_customer_scores_compute(src.s, &a.cfg, ca.as_of, &cs, &e) < 0) {
            ex = xs_cli_fail(CMD, &e);
            goto cleanup;
        }
        scores = cs;
    }
    if (a.customer) {
        idx = xs_customer_scores_find(scores, a.customer);
        if (idx < 0) {
            fprintf(stderr, "xsell %s: --customer: unknown customer %s\n", CMD,
                    xs_cli_q(a.customer));
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
    if (xs_table_write(t, stdout, ca.format) < 0 || fflush(stdout)) {
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
