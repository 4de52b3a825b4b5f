/*
 * cmd_retention.c — `xsell retention fit`: the shifted-beta-geometric
 * retention model (Fader & Hardie 2007) fitted to a survivor curve.
 *
 * Reads one column of a CSV file (row i = customers of a cohort still
 * active at period i, i = 0, 1, ...) through the record reader, fits alpha
 * and beta on periods 0..K, and prints the projected survivors and retention
 * rates next to the actual ones, with the discounted expected residual
 * lifetime and, given a price per period, the residual CLV. A thin shell
 * over xsell.h.
 */
#include "cli/cli.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char usage[] =
    "usage: xsell retention fit --input SURVIVORS.csv --column NAME [--periods K]\n"
    "                           [--horizon H] [--discount D] [--price P]\n"
    "                           [--delimiter C] [--format F]\n"
    "\n"
    "Fits the shifted-beta-geometric model (Fader & Hardie 2007): each customer\n"
    "renews every period with its own probability, churn probabilities vary\n"
    "across customers as Beta(alpha, beta).\n"
    "  --input FILE      CSV with a header row; row i (i = 0, 1, ...) holds the\n"
    "                    customers of the cohort still active at period i\n"
    "  --column NAME     the column with the survivor counts; empty cells may end\n"
    "                    the column (periods not observed)\n"
    "  --periods K       fit on periods 0..K only (default: every row); later\n"
    "                    rows serve as a holdout\n"
    "  --horizon H       project through period H (default: the last row, and at\n"
    "                    least K + 5)\n"
    "  --discount D      discount rate per period for DERL (default 0.1)\n"
    "  --price P         price per period: adds clv = P * derl\n"
    "  --delimiter C     CSV delimiter (default ',')\n"
    "  --format F        table (default), json or csv\n"
    "Output: alpha, beta, log_likelihood (of periods 0..K), periods_fitted, del\n"
    "(discounted expected lifetime of a new customer, in payments: sum over t of\n"
    "S(t)/(1+D)^t); per period t: actual and fitted survivors (n_0 * S(t)),\n"
    "actual and fitted retention (S(t)/S(t-1)), in_fit, and derl: the discounted\n"
    "expected residual lifetime of a customer active at t (Fader & Hardie 2010),\n"
    "its next payment undiscounted. json: one object with the parameters and a\n"
    "\"periods\" array; csv: the period rows with alpha, beta, log_likelihood\n"
    "repeated; table: the parameters, a blank line, the periods.\n";

#define CMD "retention"

/* Reads the column. Returns 0 or an exit code. */
static int read_curve(const char *path, const char *column, char delim, double **out,
                      size_t *n_out)
{
    xs_error e;
    memset(&e, 0, sizeof e);
    if (access(path, R_OK) != 0) { /* a missing input is bad usage */
        fprintf(stderr, "xsell " CMD ": %s: %s\n", path, strerror(errno));
        return XS_EXIT_USAGE;
    }
    if (xs_survivors_read(path, column, delim, out, n_out, &e) < 0)
        return xs_cli_fail(CMD, &e);
    return 0;
}

/* Writes a one-row table as a JSON object without the closing brace. */
static int json_head(xs_table *t)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    if (!m) return -1;
    int w = xs_table_write(t, m, XS_FORMAT_JSON);
    fclose(m);
    int rc = -1;
    /* "[\n {...}\n]\n" -> "{..." */
    if (w == 0 && len > 6 && !strncmp(buf, "[\n ", 3)) {
        fwrite(buf + 3, 1, len - 3 - 4, stdout);
        rc = 0;
    }
    free(buf); /* from open_memstream(3) */
    return rc;
}

static int fit(int argc, char **argv)
{
    static const struct option opts[] = {
        {"input", required_argument, NULL, 'i'},
        {"column", required_argument, NULL, 'c'},
        {"periods", required_argument, NULL, 'k'},
        {"horizon", required_argument, NULL, 'H'},
        {"discount", required_argument, NULL, 'd'},
        {"price", required_argument, NULL, 'p'},
        {"delimiter", required_argument, NULL, 'l'},
        {"format", required_argument, NULL, 'f'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *input = NULL, *column = NULL;
    long periods = -1, horizon = -1;
    double discount = 0.1, price = NAN;
    char delim = ',';
    xs_format fmt = XS_FORMAT_TABLE;
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
        switch (c) {
        case 'i':
            input = optarg;
            break;
        case 'c':
            column = optarg;
            break;
        case 'k':
            if (xs_cli_long(CMD, "--periods", optarg, 1, 100000, &periods))
                return XS_EXIT_USAGE;
            break;
        case 'H':
            if (xs_cli_long(CMD, "--horizon", optarg, 1, 100000, &horizon))
                return XS_EXIT_USAGE;
            break;
        case 'd':
            if (xs_cli_double(CMD, "--discount", optarg, 1e-6, 10, &discount))
                return XS_EXIT_USAGE;
            break;
        case 'p':
            if (xs_cli_double(CMD, "--price", optarg, 0, 1e15, &price)) return XS_EXIT_USAGE;
            break;
        case 'l':
            if (xs_cli_delimiter(CMD, optarg, &delim)) return XS_EXIT_USAGE;
            break;
        case 'f':
            if (xs_cli_format(CMD, optarg, &fmt)) return XS_EXIT_USAGE;
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
    if (!input) return xs_cli_usage_error(CMD, "--input FILE is required");
    if (!column) return xs_cli_usage_error(CMD, "--column NAME is required");

    double *v = NULL;
    size_t n = 0;
    int rc = read_curve(input, column, delim, &v, &n);
    if (rc) return rc;
    xs_table *head = NULL, *t = NULL;
    if (periods < 0) periods = (long)n - 1;
    if ((size_t)periods >= n) {
        rc = xs_cli_usage_error(CMD, "--periods: %ld, but %s has periods 0..%zu only",
                                periods, input, n - 1);
        goto cleanup;
    }
    if (horizon < 0) {
        horizon = (long)n - 1;
        if (horizon < periods + 5) horizon = periods + 5;
    }
    xs_error e;
    memset(&e, 0, sizeof e);
    xs_sbg_params p;
    xs_clv_fit_info fi;
    memset(&fi, 0, sizeof fi);
    if (xs_sbg_fit(v, (size_t)periods + 1, &p, &fi, &e) < 0) {
        snprintf(e.file, sizeof e.file, "%s", input);
        snprintf(e.column, sizeof e.column, "%s", column);
        rc = xs_cli_fail(CMD, &e);
        goto cleanup;
    }
    int with_price = !isnan(price);
    double del = 1 + xs_sbg_derl(&p, 1, discount) / (1 + discount);
    head = xs_table_new();
    t = xs_table_new();
    if (!head || !t) goto nomem;
    if (fmt == XS_FORMAT_TABLE) {
        if (xs_table_column(head, "key", XS_COL_TEXT) ||
            xs_table_column(head, "value", XS_COL_NUM))
            goto nomem;
        const char *keys[] = {"alpha", "beta", "log_likelihood", "periods_fitted",
                              "iterations", "converged", "del"};
        char vals[7][48];
        snprintf(vals[0], 48, "%.6f", p.alpha);
        snprintf(vals[1], 48, "%.6f", p.beta);
        snprintf(vals[2], 48, "%.4f", fi.log_likelihood);
        snprintf(vals[3], 48, "%ld", periods);
        snprintf(vals[4], 48, "%d", fi.iterations);
        snprintf(vals[5], 48, "%s", fi.converged ? "true" : "false");
        snprintf(vals[6], 48, "%.4f", del);
        for (int i = 0; i < 7; i++)
            if (xs_table_row(head) || xs_table_cell(head, keys[i]) ||
                xs_table_cell(head, vals[i]))
                goto nomem;
    } else if (fmt == XS_FORMAT_JSON) {
        if (xs_table_column(head, "alpha", XS_COL_NUM) ||
            xs_table_column(head, "beta", XS_COL_NUM) ||
            xs_table_column(head, "log_likelihood", XS_COL_NUM) ||
            xs_table_column(head, "periods_fitted", XS_COL_NUM) ||
            xs_table_column(head, "iterations", XS_COL_NUM) ||
            xs_table_column(head, "converged", XS_COL_NUM) ||
            xs_table_column(head, "del", XS_COL_NUM) || xs_table_row(head) ||
            xs_table_cellf(head, "%.6f", p.alpha) || xs_table_cellf(head, "%.6f", p.beta) ||
            xs_table_cellf(head, "%.4f", fi.log_likelihood) ||
            xs_table_cellf(head, "%ld", periods) ||
            xs_table_cellf(head, "%d", fi.iterations) ||
            xs_table_cell(head, fi.converged ? "true" : "false") ||
            xs_table_cellf(head, "%.4f", del))
            goto nomem;
    }
    static const char *const cols[] = {"period",           "actual",           "fitted",
                                       "actual_retention", "fitted_retention", "in_fit",
                                       "derl"};
    for (size_t i = 0; i < sizeof cols / sizeof cols[0]; i++)
        if (xs_table_column(t, cols[i], XS_COL_NUM)) goto nomem;
    if (with_price && xs_table_column(t, "clv", XS_COL_NUM)) goto nomem;
    if (fmt == XS_FORMAT_CSV &&
        (xs_table_column(t, "alpha", XS_COL_NUM) || xs_table_column(t, "beta", XS_COL_NUM) ||
         xs_table_column(t, "log_likelihood", XS_COL_NUM)))
        goto nomem;
    for (long k = 0; k <= horizon; k++) {
        int has = (size_t)k < n;
        double derl = xs_sbg_derl(&p, (int)k + 1, discount);
        if (xs_table_row(t) || xs_table_cellf(t, "%ld", k)) goto nomem;
        if (has ? xs_table_cellf(t, "%g", v[k]) : xs_table_cell(t, NULL)) goto nomem;
        if (xs_table_cellf(t, "%.2f", v[0] * xs_sbg_survival(&p, (int)k))) goto nomem;
        if (k >= 1 && has && v[k - 1] > 0 ? xs_table_cellf(t, "%.4f", v[k] / v[k - 1])
                                          : xs_table_cell(t, NULL))
            goto nomem;
        if (k >= 1 ? xs_table_cellf(t, "%.4f", xs_sbg_retention(&p, (int)k))
                   : xs_table_cell(t, NULL))
            goto nomem;
        if (xs_table_cell(t, k <= periods ? "1" : "0") || xs_table_cellf(t, "%.4f", derl))
            goto nomem;
        if (with_price && xs_table_cellf(t, "%.2f", price * derl)) goto nomem;
        if (fmt == XS_FORMAT_CSV &&
            (xs_table_cellf(t, "%.6f", p.alpha) || xs_table_cellf(t, "%.6f", p.beta) ||
             xs_table_cellf(t, "%.4f", fi.log_likelihood)))
            goto nomem;
    }
    int w = 0;
    if (fmt == XS_FORMAT_TABLE) {
        w = xs_table_write(head, stdout, fmt);
        fputc('\n', stdout);
        if (w == 0) w = xs_table_write(t, stdout, fmt);
    } else if (fmt == XS_FORMAT_JSON) {
        w = json_head(head);
        if (w == 0) {
            fputs(", \"periods\": ", stdout);
            w = xs_table_write(t, stdout, fmt);
            fputs("}\n", stdout);
        }
    } else {
        w = xs_table_write(t, stdout, fmt);
    }
    if (w < 0 || ferror(stdout)) {
        fprintf(stderr, "xsell " CMD ": cannot write the output\n");
        rc = XS_EXIT_FAIL;
    }
    goto cleanup;
nomem:
    fprintf(stderr, "xsell " CMD ": out of memory\n");
    rc = XS_EXIT_FAIL;
cleanup:
    xs_table_free(head);
    xs_table_free(t);
    xs_survivors_free(v);
    return rc;
}

int xs_cmd_retention(int argc, char **argv)
{
    if (argc < 2) return xs_cli_usage_error(CMD, "expected a command: fit");
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        fputs(usage, stdout);
        return XS_EXIT_OK;
    }
    if (!strcmp(argv[1], "fit")) return fit(argc - 1, argv + 1);
    return xs_cli_usage_error(CMD, "unknown command \"%s\": expected fit", argv[1]);
}
