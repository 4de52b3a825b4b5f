/*
 * cmd_experiment.c — `xsell experiment assign|analyze`: deterministic
 * holdout assignment of units to arms, and lift analysis of an experiment
 * with confidence intervals, p-values, a sample-ratio-mismatch check and
 * CUPED. The work is done by libxsell (src/measure/assign.c, experiment.c,
 * stats.c); this file parses options and writes tables.
 */
#include "cli/cli.h"

#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *CMD = "experiment";

static void usage(FILE *out)
{
    fprintf(
        out,
        "usage: xsell experiment assign --strategy NAME (--input FILE --id COLUMN | "
        "--ids)\n"
        "                               [--split ARM:W,ARM:W,...] [--format F]\n"
        "       xsell experiment analyze --input FILE --group COLUMN --control LABEL\n"
        "                                --metric COLUMN [--metric COLUMN ...] "
        "[OPTIONS]\n"
        "       xsell experiment start|stop|list|report --db FILE ...  (holdout "
        "experiments\n"
        "                               of offer strategies; 'xsell experiment start "
        "--help')\n"
        "\n"
        "assign: puts every unit in an arm of the strategy's split. A unit's place in\n"
        "[0, 1) is the 64-bit hash of \"STRATEGY:ID\" (top 53 bits / 2^53); the arms "
        "cut\n"
        "[0, 1) into intervals proportional to their weights, in the order given. The\n"
        "same strategy and id always give the same arm, on every machine; different\n"
        "strategies are independent of each other.\n"
        "  --strategy NAME       experiment / strategy name (part of the hash)\n"
        "  --input FILE          CSV file with one row per unit ...\n"
        "  --id COLUMN           ... and the column holding the unit id\n"
        "  --ids                 or: ids from standard input, one per line (a trailing\n"
        "                        CR is dropped, empty lines are skipped)\n"
        "  --split SPEC          arms and weights, default treatment:90,holdout:10\n"
        "                        (a name without :W weighs 1)\n"
        "  --delimiter C         CSV delimiter (default ','; 'tab' for a tab)\n"
        "  --format F            table (default), csv or json: columns id, arm\n"
        "\n"
        "analyze: compares every group with the control for every metric.\n"
        "  --input FILE          CSV with a header and one row per unit\n"
        "  --group COLUMN        column holding the group label\n"
        "  --control LABEL       label of the control group\n"
        "  --metric COLUMN       numeric metric (repeatable)\n"
        "  --covariate COLUMN    pre-period covariate for CUPED\n"
        "  --expected-split A:B  planned shares of the groups, in the order of the\n"
        "                        output: labels sorted bytewise (default: equal)\n"
        "  --method M            auto (default), proportion, welch or bootstrap\n"
        "  --level X             confidence level (default 0.95)\n"
        "  --bootstrap N         resamples of --method bootstrap (default 2000)\n"
        "  --seed N              bootstrap seed (default 1)\n"
        "  --delimiter C         CSV delimiter (default ',')\n"
        "  --format F            table (default), csv or json\n"
        "  --help                this text\n"
        "\n"
        "Methods: auto uses proportion for a metric whose values are all 0 or 1 and\n"
        "welch otherwise. proportion: CI of the difference from the unpooled (Wald)\n"
        "standard error, p-value of the pooled two-proportion z-test. welch: Welch's t\n"
        "with Welch-Satterthwaite df. bootstrap: percentile CI of the difference of\n"
        "means from N resamples with a fixed seed per (metric, group), p-value\n"
        "2 (min(#{d<=0}, #{d>=0}) + 1) / (N + 1). Relative lift (mean / control mean\n"
        "- 1) has a delta-method CI (bootstrap: percentile); empty when the control\n"
        "mean is 0.\n"
        "Sample ratio: chi-square goodness of fit of the group sizes against the\n"
        "planned split; a mismatch (p < 0.001) is reported in the output (table,\n"
        "json) and on standard error.\n"
        "CUPED (--covariate X): theta = cov(Y, X) / var(X) over all units, Y' = Y -\n"
        "theta (X - mean X); var_reduction = 1 - var(Y') / var(Y); the cuped_* columns\n"
        "are the lift of Y' (Welch, or bootstrap) and relative to the control mean of "
        "Y'.\n"
        "Numbers are printed with 6 significant digits.\n"
        "Exit status: 0 ok, 1 failure, 2 bad usage or bad input.\n");
}

/* ---------------------------------------------------------------------- */
/* Shared                                                                  */
/* ---------------------------------------------------------------------- */

static int write_out(void)
{
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "xsell %s: cannot write the output\n", CMD);
        return XS_EXIT_FAIL;
    }
    return XS_EXIT_OK;
}

static int nomem(void)
{
    fprintf(stderr, "xsell %s: out of memory\n", CMD);
    return XS_EXIT_FAIL;
}

/* ---------------------------------------------------------------------- */
/* assign                                                                  */
/* ---------------------------------------------------------------------- */

typedef struct assign_ctx {
    xs_table *t;
    const xs_exp_split *split;
} assign_ctx;

static int add_assignment(void *ctx, const char *id, size_t id_len, size_t arm)
{
    assign_ctx *a = ctx;
    if (xs_table_row(a->t) < 0 || xs_table_cellf(a->t, "%.*s", (int)id_len, id) < 0 ||
        xs_table_cell(a->t, a->split->name[arm]) < 0)
        return XS_ENOMEM;
    return XS_OK;
}

/* Ids from stdin, one per line. */
static int assign_stdin(const char *strategy, assign_ctx *a)
{
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    int rc = XS_OK;
    while ((len = getline(&line, &cap, stdin)) >= 0) {
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            len--;
        if (len == 0) continue;
        int arm = xs_exp_assign(a->split, strategy, line, (size_t)len);
        if (arm < 0 || add_assignment(a, line, (size_t)len, (size_t)arm) < 0) {
            rc = XS_ENOMEM;
            break;
        }
    }
    free(line);
    return rc;
}

static int cmd_assign(int argc, char **argv)
{
    enum { O_STRATEGY = 256, O_INPUT, O_ID, O_IDS, O_SPLIT, O_DELIM, O_FORMAT, O_HELP };
    static const struct option opts[] = {
        {"strategy", required_argument, NULL, O_STRATEGY},
        {"input", required_argument, NULL, O_INPUT},
        {"id", required_argument, NULL, O_ID},
        {"ids", no_argument, NULL, O_IDS},
        {"split", required_argument, NULL, O_SPLIT},
        {"delimiter", required_argument, NULL, O_DELIM},
        {"format", required_argument, NULL, O_FORMAT},
        {"help", no_argument, NULL, O_HELP},
        {NULL, 0, NULL, 0}};
    const char *strategy = NULL, *input = NULL, *id = NULL;
    const char *split_spec = "treatment:90,holdout:10";
    int from_stdin = 0, rc, c;
    char delim = ',';
    xs_format fmt = XS_FORMAT_TABLE;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
        switch (c) {
        case O_STRATEGY:
            strategy = optarg;
            break;
        case O_INPUT:
            input = optarg;
            break;
        case O_ID:
            id = optarg;
            break;
        case O_IDS:
            from_stdin = 1;
            break;
        case O_SPLIT:
            split_spec = optarg;
            break;
        case O_DELIM:
            if ((rc = xs_cli_delimiter(CMD, optarg, &delim))) return rc;
            break;
        case O_FORMAT:
            if ((rc = xs_cli_format(CMD, optarg, &fmt))) return rc;
            break;
        case O_HELP:
            usage(stdout);
            return XS_EXIT_OK;
        default:
            return xs_cli_bad_option(CMD, c, argv);
        }
    }
    if (optind < argc)
        return xs_cli_usage_error(CMD, "unexpected argument \"%s\"", argv[optind]);
    if (!strategy || !*strategy)
        return xs_cli_usage_error(CMD, "assign needs --strategy NAME");
    if (from_stdin == (input != NULL))
        return xs_cli_usage_error(CMD, "assign needs one of --input FILE or --ids");
    if (input && !id) return xs_cli_usage_error(CMD, "--input needs --id COLUMN");

    xs_error err = {0};
    xs_exp_split split;
    if (xs_exp_split_parse(split_spec, &split, &err) < 0) {
        xs_cli_fail(CMD, &err);
        return XS_EXIT_USAGE;
    }
    assign_ctx a = {xs_table_new(), &split};
    int exit_code = XS_EXIT_OK;
    if (!a.t || xs_table_column(a.t, "id", XS_COL_TEXT) < 0 ||
        xs_table_column(a.t, "arm", XS_COL_TEXT) < 0) {
        exit_code = nomem();
        goto cleanup;
    }
    if (from_stdin) {
        if (assign_stdin(strategy, &a) < 0) {
            exit_code = nomem();
            goto cleanup;
        }
    } else {
        long long n = xs_exp_assign_file(input, delim, id, strategy, &split,
                                         add_assignment, &a, &err);
        if (n < 0) {
            if (!err.code) err.code = (int)n;
            exit_code = xs_cli_fail(CMD, &err);
            goto cleanup;
        }
    }
    if (xs_table_write(a.t, stdout, fmt) < 0) {
        exit_code = XS_EXIT_FAIL;
        goto cleanup;
    }
    exit_code = write_out();
cleanup:
    xs_table_free(a.t);
    return exit_code;
}

/* ---------------------------------------------------------------------- */
/* analyze                                                                 */
/* ---------------------------------------------------------------------- */

/* A number cell with 6 significant digits; empty (null) when not finite. */
static int num_cell(xs_table *t, double v)
{
    if (!isfinite(v)) return xs_table_cell(t, NULL);
    if (v == 0) v = 0; /* no "-0" */
    return xs_table_cellf(t, "%.6g", v);
}

static int groups_table(const xs_exp_result *r, xs_table **out)
{
    xs_table *t = xs_table_new();
    *out = t;
    if (!t || xs_table_column(t, "group", XS_COL_TEXT) < 0 ||
        xs_table_column(t, "n", XS_COL_NUM) < 0 ||
        xs_table_column(t, "share", XS_COL_NUM) < 0 ||
        xs_table_column(t, "expected_share", XS_COL_NUM) < 0)
        return -1;
    for (size_t i = 0; i < xs_exp_result_n_groups(r); i++) {
        const xs_exp_group *g = xs_exp_result_group(r, i);
        if (xs_table_row(t) < 0 || xs_table_cell(t, g->label) < 0 ||
            xs_table_cellf(t, "%zu", g->n) < 0 || num_cell(t, g->share) < 0 ||
            num_cell(t, g->expected) < 0)
            return -1;
    }
    return 0;
}

static int results_table(const xs_exp_result *r, xs_table **out)
{
    static const char *base_cols[] = {
        "metric",  "group",   "n",        "mean",   "sd",     "method", "lift",
        "lift_lo", "lift_hi", "rel_lift", "rel_lo", "rel_hi", "p_value"};
    static const char *cuped_cols[] = {"theta",        "var_reduction", "cuped_lift",
                                       "cuped_lo",     "cuped_hi",      "cuped_rel_lift",
                                       "cuped_rel_lo", "cuped_rel_hi",  "cuped_p_value"};
    int cuped = xs_exp_result_has_cuped(r);
    xs_table *t = xs_table_new();
    *out = t;
    if (!t) return -1;
    for (size_t i = 0; i < sizeof base_cols / sizeof *base_cols; i++)
        if (xs_table_column(t, base_cols[i], i < 2 || i == 5 ? XS_COL_TEXT : XS_COL_NUM) <
            0)
            return -1;
    for (size_t i = 0; cuped && i < sizeof cuped_cols / sizeof *cuped_cols; i++)
        if (xs_table_column(t, cuped_cols[i], XS_COL_NUM) < 0) return -1;
    for (size_t i = 0; i < xs_exp_result_n_rows(r); i++) {
        const xs_exp_row *w = xs_exp_result_row(r, i);
        if (xs_table_row(t) < 0 || xs_table_cell(t, w->metric) < 0 ||
            xs_table_cell(t, w->group) < 0 || xs_table_cellf(t, "%zu", w->n) < 0 ||
            num_cell(t, w->mean) < 0 || num_cell(t, w->sd) < 0 ||
            xs_table_cell(t, w->is_control ? "control" : xs_exp_method_name(w->method)) <
                0)
            return -1;
        double v[] = {w->lift,   w->lift_lo, w->lift_hi, w->rel,
                      w->rel_lo, w->rel_hi,  w->p};
        for (size_t j = 0; j < sizeof v / sizeof *v; j++)
            if (num_cell(t, v[j]) < 0) return -1;
        if (!cuped) continue;
        double cv[] = {w->theta,        w->var_reduction, w->cuped_lift,
                       w->cuped_lo,     w->cuped_hi,      w->cuped_rel,
                       w->cuped_rel_lo, w->cuped_rel_hi,  w->cuped_p};
        for (size_t j = 0; j < sizeof cv / sizeof *cv; j++)
            if (num_cell(t, cv[j]) < 0) return -1;
    }
    return 0;
}

static void srm_line(FILE *out, const xs_exp_srm *s)
{
    fprintf(out, "sample ratio: chi2 = %.6g, df = %d, p = %.6g: ", s->chi2, s->df, s->p);
    if (s->flagged)
        fprintf(out,
                "SAMPLE RATIO MISMATCH (p < 0.001): group sizes differ from the planned "
                "split; the lifts below may be biased\n");
    else
        fprintf(out, "no mismatch with the planned split\n");
}

/* Contract in cli.h. */
int xs_cli_exp_write(const xs_exp_result *r, xs_format fmt, int (*head)(void *, xs_format),
                     void *ctx)
{
    xs_table *g = NULL, *t = NULL;
    int rc = -1;
    const xs_exp_srm *s = xs_exp_result_srm(r);
    if (groups_table(r, &g) < 0 || results_table(r, &t) < 0) goto cleanup;
    if (fmt == XS_FORMAT_TABLE) {
        if (head && head(ctx, fmt) < 0) goto cleanup;
        if (xs_table_write(g, stdout, fmt) < 0) goto cleanup;
        srm_line(stdout, s);
        fputc('\n', stdout);
        if (xs_table_write(t, stdout, fmt) < 0) goto cleanup;
    } else if (fmt == XS_FORMAT_JSON) {
        fputc('{', stdout);
        if (head && head(ctx, fmt) < 0) goto cleanup;
        fputs("\"groups\": ", stdout);
        if (xs_table_write(g, stdout, fmt) < 0) goto cleanup;
        printf(", \"srm\": {\"chi2\": %.6g, \"df\": %d, \"p_value\": %.6g, \"flagged\": "
               "%s}, "
               "\"results\": ",
               s->chi2, s->df, s->p, s->flagged ? "true" : "false");
        if (xs_table_write(t, stdout, fmt) < 0) goto cleanup;
        fputs("}\n", stdout);
    } else {
        if (xs_table_write(t, stdout, fmt) < 0) goto cleanup;
    }
    rc = 0;
cleanup:
    xs_table_free(g);
    xs_table_free(t);
    return rc;
}

/* Parses "a:b:c" into shares; prints a usage error and returns 2 on failure. */
static int parse_expected(const char *spec, double **out, size_t *n)
{
    size_t cap = 1;
    for (const char *p = spec; *p; p++)
        cap += *p == ':';
    double *v = malloc(cap * sizeof *v);
    if (!v) return nomem();
    const char *p = spec;
    size_t k = 0;
    for (;;) {
        char *end;
        double x = strtod(p, &end);
        if (end == p || (*end && *end != ':') || !isfinite(x) || x <= 0) {
            free(v);
            return xs_cli_usage_error(
                CMD,
                "--expected-split: expected shares > 0 separated by "
                "':' (e.g. 50:50), got \"%s\"",
                spec);
        }
        v[k++] = x;
        if (!*end) break;
        p = end + 1;
    }
    *out = v;
    *n = k;
    return 0;
}

static int cmd_analyze(int argc, char **argv)
{
    enum {
        O_INPUT = 256,
        O_GROUP,
        O_CONTROL,
        O_METRIC,
        O_COV,
        O_EXPECTED,
        O_METHOD,
        O_LEVEL,
        O_BOOT,
        O_SEED,
        O_DELIM,
        O_FORMAT,
        O_HELP
    };
    static const struct option opts[] = {
        {"input", required_argument, NULL, O_INPUT},
        {"group", required_argument, NULL, O_GROUP},
        {"control", required_argument, NULL, O_CONTROL},
        {"metric", required_argument, NULL, O_METRIC},
        {"covariate", required_argument, NULL, O_COV},
        {"expected-split", required_argument, NULL, O_EXPECTED},
        {"method", required_argument, NULL, O_METHOD},
        {"level", required_argument, NULL, O_LEVEL},
        {"bootstrap", required_argument, NULL, O_BOOT},
        {"seed", required_argument, NULL, O_SEED},
        {"delimiter", required_argument, NULL, O_DELIM},
        {"format", required_argument, NULL, O_FORMAT},
        {"help", no_argument, NULL, O_HELP},
        {NULL, 0, NULL, 0}};
    xs_exp_read_opts ro = {0};
    xs_exp_opts ao = {0};
    const char *input = NULL, *expected = NULL;
    const char **metrics = NULL;
    double *shares = NULL;
    size_t n_metrics = 0;
    xs_format fmt = XS_FORMAT_TABLE;
    int rc, c, exit_code = XS_EXIT_OK;
    long v;
    double d;
    xs_exp_data *data = NULL;
    xs_exp_result *res = NULL;
    xs_error err = {0};
    metrics = malloc((size_t)argc * sizeof *metrics);
    if (!metrics) return nomem();
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
        switch (c) {
        case O_INPUT:
            input = optarg;
            break;
        case O_GROUP:
            ro.group = optarg;
            break;
        case O_CONTROL:
            ao.control = optarg;
            break;
        case O_METRIC:
            metrics[n_metrics++] = optarg;
            break;
        case O_COV:
            ro.covariate = optarg;
            break;
        case O_EXPECTED:
            expected = optarg;
            break;
        case O_METHOD:
            if (xs_exp_method_parse(optarg, &ao.method) < 0) {
                exit_code = xs_cli_usage_error(
                    CMD,
                    "--method: expected auto, proportion, welch or bootstrap, got \"%s\"",
                    optarg);
                goto cleanup;
            }
            break;
        case O_LEVEL:
            if ((exit_code = xs_cli_double(CMD, "--level", optarg, 0.5, 0.9999, &d)))
                goto cleanup;
            ao.level = d;
            break;
        case O_BOOT:
            if ((exit_code = xs_cli_long(CMD, "--bootstrap", optarg, 100, 1000000, &v)))
                goto cleanup;
            ao.n_boot = (size_t)v;
            break;
        case O_SEED:
            if ((exit_code = xs_cli_long(CMD, "--seed", optarg, 1, 2147483647L, &v)))
                goto cleanup;
            ao.seed = (uint64_t)v;
            break;
        case O_DELIM:
            if ((exit_code = xs_cli_delimiter(CMD, optarg, &ro.delimiter))) goto cleanup;
            break;
        case O_FORMAT:
            if ((exit_code = xs_cli_format(CMD, optarg, &fmt))) goto cleanup;
            break;
        case O_HELP:
            usage(stdout);
            goto cleanup;
        default:
            exit_code = xs_cli_bad_option(CMD, c, argv);
            goto cleanup;
        }
    }
    if (optind < argc) {
        exit_code = xs_cli_usage_error(CMD, "unexpected argument \"%s\"", argv[optind]);
        goto cleanup;
    }
    const char *missing = !input        ? "--input FILE"
                          : !ro.group   ? "--group COLUMN"
                          : !ao.control ? "--control LABEL"
                          : !n_metrics  ? "--metric COLUMN"
                                        : NULL;
    if (missing) {
        exit_code = xs_cli_usage_error(CMD, "analyze needs %s", missing);
        goto cleanup;
    }
    if (expected && (exit_code = parse_expected(expected, &shares, &ao.n_expected)))
        goto cleanup;
    ao.expected = shares;
    ro.metrics = metrics;
    ro.n_metrics = n_metrics;
    if ((rc = xs_exp_data_read(input, &ro, &data, &err)) < 0 ||
        (rc = xs_exp_analyze(data, &ao, &res, &err)) < 0) {
        exit_code = xs_cli_fail(CMD, &err);
        goto cleanup;
    }
    if (xs_cli_exp_write(res, fmt, NULL, NULL) < 0) {
        exit_code = nomem();
        goto cleanup;
    }
    if ((exit_code = write_out())) goto cleanup;
    if (xs_exp_result_srm(res)->flagged)
        fprintf(
            stderr,
            "xsell %s: warning: sample ratio mismatch (chi-square p = %.3g < 0.001)\n",
            CMD, xs_exp_result_srm(res)->p);
cleanup:
    xs_exp_result_free(res);
    xs_exp_data_free(data);
    free(shares);
    free(metrics);
    return exit_code;
}

int xs_cmd_experiment(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        if (argc < 2) {
            usage(stderr);
            return XS_EXIT_USAGE;
        }
        usage(stdout);
        return XS_EXIT_OK;
    }
    if (!strcmp(argv[1], "assign")) return cmd_assign(argc - 1, argv + 1);
    if (!strcmp(argv[1], "analyze")) return cmd_analyze(argc - 1, argv + 1);
    if (!strcmp(argv[1], "start") || !strcmp(argv[1], "stop") || !strcmp(argv[1], "list") ||
        !strcmp(argv[1], "report"))
        return xs_cli_experiment_db(argc - 1, argv + 1);
    return xs_cli_usage_error(
        CMD, "unknown action \"%s\" (expected assign, analyze, start, stop, list or report)",
        argv[1]);
}
