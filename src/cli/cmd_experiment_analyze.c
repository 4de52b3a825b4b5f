/*
 * cmd_experiment_analyze.c — `xsell experiment analyze`: compares every
 * group of an experiment's table with the control for every metric
 * (xs_exp_analyze) and prints the analysis (xs_exp_result_write), with a
 * warning on standard error when the group sizes do not fit the split.
 */
#include "cli/cli.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CMD "experiment"

typedef struct args {
    xs_exp_read_opts ro;
    xs_exp_opts ao;
    const char *input, *expected;
    const char **metrics; /* argc entries; caller frees */
    size_t n_metrics;
    long n_boot, seed;
    xs_format fmt;
} args;

/* Parses "a:b:c" into shares; prints a usage error and returns 2 on failure. */
static int parse_expected(const char *spec, double **out, size_t *n)
{
    size_t cap = 1;
    for (const char *p = spec; *p; p++)
        cap += *p == ':';
    double *v = malloc(cap * sizeof *v);
    if (!v) return xs_cli_nomem(CMD);
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

static int set_method(const char *v, void *f)
{
    return xs_exp_method_parse(v, f);
}

/* --metric (repeatable) and --delimiter. */
static int special(const char *cmd, const xs_opt *o, const char *v, void *opts)
{
    args *a = opts;
    if (!strcmp(o->name, "metric")) {
        a->metrics[a->n_metrics++] = v;
        return 0;
    }
    return xs_cli_delimiter(cmd, v, &a->ro.delimiter);
}

#define OFF(f) offsetof(args, f)
static const xs_opt opts[] = {
    {"input", 0, "FILE", XS_OPT_STR, .off = OFF(input),
     .help = "CSV with a header and one row per unit"},
    {"group", 0, "COLUMN", XS_OPT_STR, .off = OFF(ro.group),
     .help = "column holding the group label"},
    {"control", 0, "LABEL", XS_OPT_STR, .off = OFF(ao.control),
     .help = "label of the control group"},
    {"metric", 0, "COLUMN", XS_OPT_CALL, .call = special,
     .help = "numeric metric (repeatable)"},
    {"covariate", 0, "COLUMN", XS_OPT_STR, .off = OFF(ro.covariate),
     .help = "pre-period covariate for CUPED"},
    {"expected-split", 0, "A:B", XS_OPT_STR, .off = OFF(expected),
     .help = "planned shares of the groups, in the order of the\n"
             "output: labels sorted bytewise (default: equal)"},
    {"method", 0, "M", XS_OPT_ENUM, .off = OFF(ao.method), .parse = set_method,
     .expect = "auto, proportion, welch or bootstrap",
     .help = "auto (default), proportion, welch or bootstrap"},
    {"level", 0, "X", XS_OPT_DOUBLE, .off = OFF(ao.level), .lo = 0.5, .hi = 0.9999,
     .help = "confidence level (default 0.95)"},
    {"bootstrap", 0, "N", XS_OPT_LONG, .off = OFF(n_boot), .lo = 100, .hi = 1000000,
     .help = "resamples of --method bootstrap (default 2000)"},
    {"seed", 0, "N", XS_OPT_LONG, .off = OFF(seed), .lo = 1, .hi = 2147483647L,
     .help = "bootstrap seed (default 1)"},
    {"delimiter", 0, "C", XS_OPT_CALL, .call = special,
     .help = "CSV delimiter (default ',')"},
    {"format", 0, "F", XS_OPT_FORMAT, .off = OFF(fmt),
     .help = "table (default), csv or json"},
    {0},
};

static const xs_cli_spec spec = {
    "experiment",
    "xsell experiment analyze --input FILE --group COLUMN --control LABEL\n"
    "                         --metric COLUMN [--metric COLUMN ...] [OPTIONS]",
    .about = "Compares every group with the control for every metric.",
    .opts = opts,
    .notes =
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
        "Numbers are printed with 6 significant digits.\n",
};

/* Returns -1 to go on, else the exit code (help or error printed). */
static int parse(int argc, char **argv, args *a)
{
    xs_cli_args g = {0};
    int rc = xs_cli_parse(&spec, argc, argv, &g, a);
    if (rc >= 0) return rc;
    const char *missing = !a->input        ? "--input FILE"
                          : !a->ro.group   ? "--group COLUMN"
                          : !a->ao.control ? "--control LABEL"
                          : !a->n_metrics  ? "--metric COLUMN"
                                           : NULL;
    if (missing) return xs_cli_usage_error(CMD, "analyze needs %s", missing);
    a->ro.metrics = a->metrics;
    a->ro.n_metrics = a->n_metrics;
    if (a->n_boot) a->ao.n_boot = (size_t)a->n_boot;
    if (a->seed) a->ao.seed = (uint64_t)a->seed;
    return -1;
}

int xs_cli_experiment_analyze(int argc, char **argv)
{
    args a = {.fmt = XS_FORMAT_TABLE};
    double *shares = NULL;
    xs_exp_data *data = NULL;
    xs_exp_result *res = NULL;
    xs_error err = {0};
    if (!(a.metrics = malloc((size_t)argc * sizeof *a.metrics))) return xs_cli_nomem(CMD);
    int exit_code = parse(argc, argv, &a);
    if (exit_code >= 0) goto cleanup;
    exit_code = XS_EXIT_OK;
    if (a.expected && (exit_code = parse_expected(a.expected, &shares, &a.ao.n_expected)))
        goto cleanup;
    a.ao.expected = shares;
    if (xs_exp_data_read(a.input, &a.ro, &data, &err) < 0 ||
        xs_exp_analyze(data, &a.ao, &res, &err) < 0) {
        exit_code = xs_cli_fail(CMD, &err);
        goto cleanup;
    }
    if (xs_exp_result_write(res, stdout, a.fmt) < 0) {
        exit_code = xs_cli_nomem(CMD);
        goto cleanup;
    }
    if ((exit_code = xs_cli_flush(CMD))) goto cleanup;
    if (xs_exp_result_srm(res)->flagged)
        fprintf(
            stderr,
            "xsell %s: warning: sample ratio mismatch (chi-square p = %.3g < 0.001)\n",
            CMD, xs_exp_result_srm(res)->p);
cleanup:
    xs_exp_result_free(res);
    xs_exp_data_free(data);
    free(shares);
    free(a.metrics);
    return exit_code;
}
