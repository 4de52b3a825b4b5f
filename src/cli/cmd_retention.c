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
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CMD "retention"

struct fit_opts {
    const char *input, *column;
    long periods, horizon;
    double discount, price;
    char delim;
};

static int check(const char *cmd, const xs_cli_args *a, const void *v)
{
    const struct fit_opts *o = v;
    (void)a;
    if (!o->input) return xs_cli_usage_error(cmd, "--input FILE is required");
    if (!o->column) return xs_cli_usage_error(cmd, "--column NAME is required");
    return -1;
}

#define F(field) .off = offsetof(struct fit_opts, field)
static const xs_opt opts[] = {
    {"input", 0, "FILE", XS_OPT_STR, F(input),
     .help = "CSV with a header row; row i (i = 0, 1, ...) holds the\n"
             "customers of the cohort still active at period i"},
    {"column", 0, "NAME", XS_OPT_STR, F(column),
     .help = "the column with the survivor counts; empty cells may\n"
             "end the column (periods not observed)"},
    {"periods", 0, "K", XS_OPT_LONG, F(periods), .lo = 1, .hi = 100000,
     .help = "fit on periods 0..K only (default: every row); later\n"
             "rows serve as a holdout"},
    {"horizon", 0, "H", XS_OPT_LONG, F(horizon), .lo = 1, .hi = 100000,
     .help = "project through period H (default: the last row, and\n"
             "at least K + 5)"},
    {"discount", 0, "D", XS_OPT_DOUBLE, F(discount), .lo = 1e-6, .hi = 10,
     .help = "discount rate per period for DERL (default 0.1)"},
    {"price", 0, "P", XS_OPT_DOUBLE, F(price), .lo = 0, .hi = 1e15,
     .help = "price per period: adds clv = P * derl"},
    {"delimiter", 0, "C", XS_OPT_DELIMITER, F(delim), .help = "CSV delimiter (default ',')"},
    {.ref = &xs_cli_opt_format},
    {0},
};

static const xs_cli_spec spec = {
    CMD,
    "xsell retention fit --input SURVIVORS.csv --column NAME [--periods K]\n"
    "                    [--horizon H] [--discount D] [--price P]\n"
    "                    [--delimiter C] [--format F]",
    .about = "Fits the shifted-beta-geometric model (Fader & Hardie 2007): each customer\n"
             "renews every period with its own probability, churn probabilities vary\n"
             "across customers as Beta(alpha, beta).",
    .opts = opts,
    .notes = "Output: alpha, beta, log_likelihood (of periods 0..K), periods_fitted, del\n"
             "(discounted expected lifetime of a new customer, in payments: sum over t of\n"
             "S(t)/(1+D)^t); per period t: actual and fitted survivors (n_0 * S(t)),\n"
             "actual and fitted retention (S(t)/S(t-1)), in_fit, and derl: the discounted\n"
             "expected residual lifetime of a customer active at t (Fader & Hardie 2010),\n"
             "its next payment undiscounted. json: one object with the parameters and a\n"
             "\"periods\" array; csv: the period rows with alpha, beta, log_likelihood\n"
             "repeated; table: the parameters, a blank line, the periods.",
    .check = check,
};

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
static int json_head(const xs_table *t)
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

/* What the fit found, for the writers below. */
typedef struct fitted {
    xs_sbg_params p;
    xs_clv_fit_info fi;
    const double *v; /* the survivors read, n of them */
    size_t n;
    long periods, horizon;
    double discount, price, del;
} fitted;

/* The parameters: a key/value table (table format) or one row (json);
 * csv repeats them on the period rows instead. Returns 0 or -1 (memory). */
static int head_table(const fitted *f, xs_format fmt, xs_table *head)
{
    static const char *const keys[] = {
        "alpha",     "beta", "log_likelihood", "periods_fitted", "iterations",
        "converged", "del"};
    char vals[7][48];
    snprintf(vals[0], 48, "%.6f", f->p.alpha);
    snprintf(vals[1], 48, "%.6f", f->p.beta);
    snprintf(vals[2], 48, "%.4f", f->fi.log_likelihood);
    snprintf(vals[3], 48, "%ld", f->periods);
    snprintf(vals[4], 48, "%d", f->fi.iterations);
    snprintf(vals[5], 48, "%s", f->fi.converged ? "true" : "false");
    snprintf(vals[6], 48, "%.4f", f->del);
    if (fmt == XS_FORMAT_TABLE) { /* one key / value row per parameter */
        if (xs_table_column(head, "key", XS_COL_TEXT) ||
            xs_table_column(head, "value", XS_COL_NUM))
            return -1;
        for (int i = 0; i < 7; i++)
            if (xs_table_row(head) || xs_table_cell(head, keys[i]) ||
                xs_table_cell(head, vals[i]))
                return -1;
    } else if (fmt == XS_FORMAT_JSON) { /* one row, a column per parameter */
        for (int i = 0; i < 7; i++)
            if (xs_table_column(head, keys[i], XS_COL_NUM)) return -1;
        if (xs_table_row(head)) return -1;
        for (int i = 0; i < 7; i++)
            if (xs_table_cell(head, vals[i])) return -1;
    }
    return 0;
}

/* One row per period 0..horizon. Returns 0 or -1 (memory). */
static int period_table(const fitted *f, xs_format fmt, xs_table *t)
{
    const xs_sbg_params p = f->p;
    const xs_clv_fit_info fi = f->fi;
    const double *v = f->v;
    size_t n = f->n;
    long periods = f->periods, horizon = f->horizon;
    double discount = f->discount, price = f->price;
    int with_price = !isnan(price);
    static const char *const cols[] = {"period",           "actual",           "fitted",
                                       "actual_retention", "fitted_retention", "in_fit",
                                       "derl"};
    for (size_t i = 0; i < sizeof cols / sizeof cols[0]; i++)
        if (xs_table_column(t, cols[i], XS_COL_NUM)) return -1;
    if (with_price && xs_table_column(t, "clv", XS_COL_NUM)) return -1;
    if (fmt == XS_FORMAT_CSV &&
        (xs_table_column(t, "alpha", XS_COL_NUM) || xs_table_column(t, "beta", XS_COL_NUM) ||
         xs_table_column(t, "log_likelihood", XS_COL_NUM)))
        return -1;
    for (long k = 0; k <= horizon; k++) {
        int has = (size_t)k < n;
        double derl = xs_sbg_derl(&p, (int)k + 1, discount);
        if (xs_table_row(t) || xs_table_cellf(t, "%ld", k)) return -1;
        if (has ? xs_table_cellf(t, "%g", v[k]) : xs_table_cell(t, NULL)) return -1;
        if (xs_table_cellf(t, "%.2f", v[0] * xs_sbg_survival(&p, (int)k))) return -1;
        if (k >= 1 && has && v[k - 1] > 0 ? xs_table_cellf(t, "%.4f", v[k] / v[k - 1])
                                          : xs_table_cell(t, NULL))
            return -1;
        if (k >= 1 ? xs_table_cellf(t, "%.4f", xs_sbg_retention(&p, (int)k))
                   : xs_table_cell(t, NULL))
            return -1;
        if (xs_table_cell(t, k <= periods ? "1" : "0") || xs_table_cellf(t, "%.4f", derl))
            return -1;
        if (with_price && xs_table_cellf(t, "%.2f", price * derl)) return -1;
        if (fmt == XS_FORMAT_CSV &&
            (xs_table_cellf(t, "%.6f", p.alpha) || xs_table_cellf(t, "%.6f", p.beta) ||
             xs_table_cellf(t, "%.4f", fi.log_likelihood)))
            return -1;
    }
    return 0;
}

/* Writes the tables in fmt to stdout. Returns 0 or -1. */
static int write_out(const xs_table *head, const xs_table *t, xs_format fmt)
{
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
    return w < 0 || ferror(stdout) ? -1 : 0;
}

static int fit(int argc, char **argv)
{
    struct fit_opts o = {NULL, NULL, -1, -1, 0.1, NAN, ','};
    xs_cli_args a = {0};
    int rc = xs_cli_parse(&spec, argc, argv, &a, &o);
    if (rc >= 0) return rc;
    const char *input = o.input, *column = o.column;
    long periods = o.periods, horizon = o.horizon;
    double discount = o.discount, price = o.price;
    xs_format fmt = a.format;

    double *v = NULL;
    size_t n = 0;
    rc = read_curve(input, column, o.delim, &v, &n);
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
    fitted f = {p, fi, v, n, periods, horizon, discount, price,
                1 + xs_sbg_derl(&p, 1, discount) / (1 + discount)};
    head = xs_table_new();
    t = xs_table_new();
    if (!head || !t || head_table(&f, fmt, head) < 0 || period_table(&f, fmt, t) < 0)
        goto nomem;
    if (write_out(head, t, fmt) < 0) {
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
    static const char *const actions[] = {"fit", NULL};
    int act;
    int rc = xs_cli_action(&spec, argc, argv, actions, &act);
    if (rc >= 0) return rc;
    return fit(argc - 1, argv + 1);
}
