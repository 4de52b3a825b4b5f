/*
 * cmd_experiment_analyze.c — `xsell experiment analyze`: compares every
 * group of an experiment's table with the control for every metric
 * (xs_exp_analyze) and prints the analysis (xs_exp_result_write), with a
 * warning on standard error when the group sizes do not fit the split.
 */
#include "cli/cli.h"

#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *CMD = "experiment";

typedef struct args {
    xs_exp_read_opts ro;
    xs_exp_opts ao;
    const char *input, *expected;
    const char **metrics; /* argc entries; caller frees */
    size_t n_metrics;
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

/* One option other than --help; returns 0 or an exit code. */
static int option(args *a, int c)
{
    long v;
    switch (c) {
    case 'i': a->input = optarg; return 0;
    case 'g': a->ro.group = optarg; return 0;
    case 'c': a->ao.control = optarg; return 0;
    case 'm': a->metrics[a->n_metrics++] = optarg; return 0;
    case 'v': a->ro.covariate = optarg; return 0;
    case 'e': a->expected = optarg; return 0;
    case 'M':
        if (xs_exp_method_parse(optarg, &a->ao.method) < 0)
            return xs_cli_usage_error(
                CMD, "--method: expected auto, proportion, welch or bootstrap, got \"%s\"",
                optarg);
        return 0;
    case 'l': return xs_cli_double(CMD, "--level", optarg, 0.5, 0.9999, &a->ao.level);
    case 'b':
        if (xs_cli_long(CMD, "--bootstrap", optarg, 100, 1000000, &v)) return XS_EXIT_USAGE;
        a->ao.n_boot = (size_t)v;
        return 0;
    case 's':
        if (xs_cli_long(CMD, "--seed", optarg, 1, 2147483647L, &v)) return XS_EXIT_USAGE;
        a->ao.seed = (uint64_t)v;
        return 0;
    case 'd': return xs_cli_delimiter(CMD, optarg, &a->ro.delimiter);
    default: return xs_cli_format(CMD, optarg, &a->fmt);
    }
}

/* Returns 0, -1 for --help (printed), or an exit code. */
static int parse(int argc, char **argv, args *a)
{
    static const struct option opts[] = {
        {"input", required_argument, NULL, 'i'},     {"group", required_argument, NULL, 'g'},
        {"control", required_argument, NULL, 'c'},   {"metric", required_argument, NULL, 'm'},
        {"covariate", required_argument, NULL, 'v'}, {"expected-split", required_argument, NULL, 'e'},
        {"method", required_argument, NULL, 'M'},    {"level", required_argument, NULL, 'l'},
        {"bootstrap", required_argument, NULL, 'b'}, {"seed", required_argument, NULL, 's'},
        {"delimiter", required_argument, NULL, 'd'}, {"format", required_argument, NULL, 'f'},
        {"help", no_argument, NULL, 'h'},            {NULL, 0, NULL, 0}};
    int c, rc;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
        if (c == 'h') {
            xs_cli_experiment_usage(stdout);
            return -1;
        }
        if (c == ':' || c == '?') return xs_cli_bad_option(CMD, c, argv);
        if ((rc = option(a, c))) return rc;
    }
    if (optind < argc)
        return xs_cli_usage_error(CMD, "unexpected argument \"%s\"", argv[optind]);
    const char *missing = !a->input        ? "--input FILE"
                          : !a->ro.group   ? "--group COLUMN"
                          : !a->ao.control ? "--control LABEL"
                          : !a->n_metrics  ? "--metric COLUMN"
                                           : NULL;
    if (missing) return xs_cli_usage_error(CMD, "analyze needs %s", missing);
    a->ro.metrics = a->metrics;
    a->ro.n_metrics = a->n_metrics;
    return 0;
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
    if (exit_code) goto cleanup;
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
        fprintf(stderr,
                "xsell %s: warning: sample ratio mismatch (chi-square p = %.3g < 0.001)\n", CMD,
                xs_exp_result_srm(res)->p);
cleanup:
    xs_exp_result_free(res);
    xs_exp_data_free(data);
    free(shares);
    free(a.metrics);
    return exit_code < 0 ? XS_EXIT_OK : exit_code;
}
