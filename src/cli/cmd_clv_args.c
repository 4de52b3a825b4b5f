/*
 * cmd_clv_args.c — the options of `xsell clv fit` and `xsell clv
 * predict`, and the reading of their orders: probabilistic lifetime
 * value of transactional buyers from an orders file or a store.
 *
 * fit: reads customer_id, date, amount rows (xs_clv_data_read) or a
 * store's orders through its snapshot, an order's amount the sum of its
 * lines (xs_clv_data_read_snapshot), summarises them per customer and fits
 * BG/NBD (purchase counts and dropout) or Gamma-Gamma (spend per purchase),
 * printing the parameters, the log-likelihood and how the optimiser ended.
 * predict: fits both and prints per customer P(alive), expected purchases
 * and spend over a horizon and the discounted CLV. A thin shell over
 * xsell.h.
 * This file holds the options and reads the orders; the subcommands are in
 * cmd_clv_fit.c, and cmd_clv.c picks one.
 */
#include "cli/clv.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define CMD XS_CLI_CLV
typedef xs_cli_clv_args args;

/* The options of the orders file (not with --db), by name. */
static int file_opt(const char *cmd, const char *n, const char *v, args *a)
{
    static const char *const flags[] = {"--input-format", "--id",          "--date",
                                        "--amount",       "--date-format", "--delimiter"};
    size_t i = 0;
    while (i < 5 && strcmp(flags[i] + 2, n))
        i++;
    a->file_opt = flags[i];
    switch (i) {
    case 0:
        if (!strcmp(v, "csv") || !strcmp(v, "cdnow")) {
            a->ro.format = v[1] == 's' ? XS_CLV_INPUT_CSV : XS_CLV_INPUT_CDNOW;
            return 0;
        }
        return xs_cli_usage_error(cmd,
                                  "--input-format: expected csv or cdnow, got \"%s\"", v);
    case 1:
        a->ro.id_col = v;
        return 0;
    case 2:
        a->ro.date_col = v;
        return 0;
    case 3:
        a->ro.amount_col = v;
        return 0;
    case 4:
        if (!strcmp(v, "iso") || !strcmp(v, "yyyymmdd")) {
            a->ro.date_yyyymmdd = v[0] == 'y';
            return 0;
        }
        return xs_cli_usage_error(
            cmd, "--date-format: expected iso or yyyymmdd, got \"%s\"", v);
    default:
        return xs_cli_delimiter(cmd, v, &a->ro.delimiter);
    }
}

/* The options with a check of their own: which subcommand takes them,
 * which apply to --input only, values from a list. */
static int special(const char *cmd, const xs_opt *opt, const char *v, void *opts)
{
    args *a = opts;
    const char *n = opt->name;
    if (!strcmp(n, "model")) {
        if (a->predict)
            return xs_cli_usage_error(cmd, "predict fits both models: no --model");
        if (strcmp(v, "bgnbd") && strcmp(v, "gamma-gamma"))
            return xs_cli_usage_error(
                cmd, "--model: expected bgnbd or gamma-gamma, got \"%s\"", v);
        a->model = v;
        return 0;
    }
    if (!strcmp(n, "horizon")) {
        if (!a->predict)
            return xs_cli_usage_error(cmd, "--horizon is an option of predict");
        return xs_cli_long(cmd, "--horizon", v, 1, 100000, &a->horizon);
    }
    if (!strcmp(n, "discount")) {
        if (!a->predict)
            return xs_cli_usage_error(cmd, "--discount is an option of predict");
        return xs_cli_double(cmd, "--discount", v, 0, 10, &a->discount);
    }
    if (!strcmp(n, "time-unit")) {
        if (strcmp(v, "day") && strcmp(v, "week"))
            return xs_cli_usage_error(cmd,
                                      "--time-unit: expected day or week, got \"%s\"", v);
        a->ro.unit_days = v[0] == 'd' ? 1 : 7;
        return 0;
    }
    return file_opt(cmd, n, v, a);
}

#define OFF(f) offsetof(args, f)
#define SPECIAL(name, value, text)                                                       \
    {                                                                                    \
        name, 0, value, XS_OPT_CALL, .call = special, .help = text                       \
    }
static const xs_opt opts[] = {
    SPECIAL("model", "M",
            "fit: bgnbd (BG/NBD, Fader, Hardie & Lee 2005: keys r,\n"
            "alpha, a, b) or gamma-gamma (spend model, fitted on\n"
            "customers with x >= 1: keys p, q, gamma; n_excluded\n"
            "counts repeat buyers left out for a mean spend of 0)"),
    {"input", 0, "FILE", XS_OPT_STR, .off = OFF(input), .help = "the orders file"},
    {"db", 0, "FILE", XS_OPT_STR, .off = OFF(db),
     .help = "or: the store (its customers in customer_id order);\n"
             "the options below up to --delimiter are for --input"},
    SPECIAL("input-format", "csv|cdnow",
            "csv (default): a header row, columns named by\n"
            "--id, --date, --amount; cdnow: the CDNOW files,\n"
            "whitespace separated, no header (a first line not\n"
            "starting with a digit is skipped), id = first\n"
            "field, date = third field from the end (yyyymmdd),\n"
            "amount = last field"),
    SPECIAL("id", "COLUMN", "customer id column (default customer_id)"),
    SPECIAL("date", "COLUMN", "date column (default date)"),
    SPECIAL("amount", "COLUMN", "amount column (default amount)"),
    SPECIAL("date-format", "iso|yyyymmdd", "dates as 1997-01-31 (default) or 19970131"),
    SPECIAL("delimiter", "C", "CSV delimiter (default ','; 'tab' for a tab)"),
    {"calibration-end", 0, "DATE", XS_OPT_STR, .off = OFF(cal_end),
     .help = "last day of calibration, 1997-09-30 (required)"},
    SPECIAL("time-unit", "day|week",
            "unit of t_x, T and the horizon (default week =\n"
            "7 days exactly)"),
    SPECIAL("horizon", "N", "predict: periods of --time-unit to project (1..100000)"),
    SPECIAL("discount", "RATE", "predict: discount rate per period (default 0)"),
    {"format", 0, "F", XS_OPT_FORMAT, .off = OFF(fmt),
     .help = "output format: table (default), json or csv"},
    {0},
};

const xs_cli_spec xs_cli_clv_spec = {
    CMD,
    "xsell clv fit --model bgnbd|gamma-gamma (--input ORDERS | --db FILE)\n"
    "              --calibration-end DATE [input options] [--format F]\n"
    "xsell clv predict (--input ORDERS | --db FILE) --calibration-end DATE\n"
    "              --horizon N [--discount RATE] [input options] [--format F]",
    .about =
        "Lifetime value of transactional buyers. An orders file has one row per\n"
        "purchase: customer id, date, amount. A store (--db) gives its orders: one\n"
        "purchase per order, its amount the sum of the order's lines. Purchases of a\n"
        "customer on the same day count as one (amounts summed; a store's day that\n"
        "sums below 0, returns included, counts as 0). Per customer, in the\n"
        "calibration period (dates up to and including --calibration-end): x = repeat\n"
        "purchase days, t_x = days from the first to the last purchase, T = days\n"
        "from the first purchase to the end of calibration, in --time-unit; mean\n"
        "spend = mean of the repeat purchases (the first one excluded). Later rows\n"
        "are holdout: never used for fitting. Customers whose first purchase is\n"
        "after --calibration-end are dropped (their number is reported on stderr).\n"
        "\n"
        "fit prints the parameters and log_likelihood, n_customers, n_dropped,\n"
        "iterations, converged, grad_norm (of -LL/n in the log parameters).\n"
        "predict fits both models, then per customer: customer_id, x, t_x, T,\n"
        "mean_spend, p_alive, expected_purchases (in the horizon), expected_spend\n"
        "(per purchase, Gamma-Gamma), clv, and the holdout_purchases and\n"
        "holdout_spend actually seen after --calibration-end.\n"
        "clv = expected_spend * sum_{k=1..N} (E[Y(k)] - E[Y(k-1)]) / (1+RATE)^k, with\n"
        "E[Y(k)] the BG/NBD expected purchases in the k periods after calibration.",
    .opts = opts,
    .notes = "Exactly one of --input and --db is required.\n",
};

/* Contract in clv.h. */
int xs_cli_clv_parse(int argc, char **argv, args *a)
{
    xs_cli_args g = {0};
    int predict = a->predict;
    memset(a, 0, sizeof *a);
    a->predict = predict;
    a->ro.unit_days = 7;
    a->horizon = -1;
    int rc = xs_cli_parse(&xs_cli_clv_spec, argc, argv, &g, a);
    if (rc >= 0) return rc;
    if (!predict && !a->model)
        return xs_cli_usage_error(CMD, "--model bgnbd|gamma-gamma is required");
    if (a->input && a->db)
        return xs_cli_usage_error(CMD, "--input and --db: give one source of orders");
    if (!a->input && !a->db)
        return xs_cli_usage_error(CMD, "--input FILE or --db FILE is required");
    if (a->db && a->file_opt)
        return xs_cli_usage_error(CMD, "%s applies to --input, not --db", a->file_opt);
    if (!a->cal_end) return xs_cli_usage_error(CMD, "--calibration-end DATE is required");
    if (xs_clv_parse_date(a->cal_end, 0, &a->ro.calibration_end) < 0 &&
        xs_clv_parse_date(a->cal_end, 1, &a->ro.calibration_end) < 0)
        return xs_cli_usage_error(CMD, "--calibration-end: not a date: \"%s\"",
                                  a->cal_end);
    if (predict && a->horizon < 0)
        return xs_cli_usage_error(CMD, "--horizon N is required");
    return -1;
}

/* Summarises the orders of a store through its snapshot. Returns 0 or an
 * exit code. */
static int load_db(const args *a, xs_clv_data **d)
{
    xs_error e;
    memset(&e, 0, sizeof e);
    xs_store *st = NULL;
    xs_snapshot *snap = NULL;
    int rc = 0;
    if (!xs_store_exists(a->db)) { /* say so before SQLite does */
        fprintf(stderr, "xsell clv: %s: no such store\n", a->db);
        return XS_EXIT_USAGE;
    }
    if (xs_store_open_readonly(&st, a->db, &e) < 0 ||
        xs_snapshot_load(st, &snap, &e) < 0) {
        rc = xs_cli_fail(CMD, &e);
        goto cleanup;
    }
    if (xs_snapshot_count(snap, XS_SNAP_ORDERS) == 0) {
        fprintf(stderr, "xsell clv: %s: the store has no orders\n", a->db);
        rc = XS_EXIT_USAGE;
        goto cleanup;
    }
    if (xs_clv_data_read_snapshot(snap, a->ro.calibration_end, a->ro.unit_days, d, &e) <
        0) {
        fprintf(stderr, "xsell clv: %s: %s\n", a->db, e.message);
        rc = xs_cli_exit_code(e.code);
    }
cleanup:
    xs_snapshot_free(snap);
    xs_store_close(st);
    return rc;
}

/* Prints why INPUT did not read and, when it reads in the other input
 * format, the option that fixes it ("this looks like the CDNOW format: use
 * --input-format cdnow"). Returns the exit code. */
static int fail_read(const args *a, const xs_error *e)
{
    if (e->code != XS_EPARSE && e->code != XS_ENOTFOUND) return xs_cli_fail(CMD, e);
    xs_clv_read_opts o = a->ro;
    int cdnow = o.format != XS_CLV_INPUT_CDNOW;
    o.format = cdnow ? XS_CLV_INPUT_CDNOW : XS_CLV_INPUT_CSV;
    xs_clv_data *d = NULL;
    xs_error e2;
    int other = xs_clv_data_read(a->input, &o, &d, &e2) >= 0;
    xs_clv_data_free(d);
    if (!other) return xs_cli_fail(CMD, e);
    char buf[1200];
    fprintf(stderr, "xsell clv: %s; this looks like %s: use --input-format %s\n",
            xs_cli_error_format(e, buf, sizeof buf),
            cdnow ? "the CDNOW format" : "a CSV file with a header row",
            cdnow ? "cdnow" : "csv");
    return xs_cli_exit_code(e->code);
}

/* Contract in clv.h. */
int xs_cli_clv_load(const args *a, xs_clv_data **d)
{
    xs_error e;
    memset(&e, 0, sizeof e);
    if (a->db) {
        int rc = load_db(a, d);
        if (rc) return rc;
    } else {
        if (access(a->input, R_OK) != 0) { /* a missing input is bad usage */
            fprintf(stderr, "xsell clv: %s: %s\n", a->input, strerror(errno));
            return XS_EXIT_USAGE;
        }
        if (xs_clv_data_read(a->input, &a->ro, d, &e) < 0) return fail_read(a, &e);
    }
    size_t dropped;
    xs_clv_data_counts(*d, NULL, NULL, &dropped);
    if (dropped)
        fprintf(stderr,
                "xsell clv: %zu customer%s with no purchase on or before %s dropped\n",
                dropped, dropped == 1 ? "" : "s", a->cal_end);
    return 0;
}
