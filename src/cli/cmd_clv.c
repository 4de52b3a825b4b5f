/*
 * cmd_clv.c — `xsell clv fit` and `xsell clv predict`: probabilistic
 * lifetime value of transactional buyers from an orders file or a store.
 *
 * fit: reads customer_id, date, amount rows (xs_clv_data_read) or a
 * store's orders through its snapshot, an order's amount the sum of its
 * lines (xs_clv_data_read_snapshot), summarises them per customer and fits
 * BG/NBD (purchase counts and dropout) or Gamma-Gamma (spend per purchase),
 * printing the parameters, the log-likelihood and how the optimiser ended.
 * predict: fits both and prints per customer P(alive), expected purchases
 * and spend over a horizon and the discounted CLV. A thin shell over
 * xsell.h.
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
    "usage: xsell clv fit --model bgnbd|gamma-gamma (--input ORDERS | --db FILE)\n"
    "                     --calibration-end DATE [input options] [--format F]\n"
    "       xsell clv predict (--input ORDERS | --db FILE) --calibration-end DATE\n"
    "                     --horizon N [--discount RATE] [input options] [--format F]\n"
    "\n"
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
    "fit:\n"
    "  --model bgnbd        BG/NBD (Fader, Hardie & Lee 2005): keys r, alpha, a, b\n"
    "  --model gamma-gamma  Gamma-Gamma spend model, fitted on customers with x >= 1:\n"
    "                       keys p, q, gamma; n_excluded counts repeat buyers left\n"
    "                       out for a mean spend of 0\n"
    "  Also printed: log_likelihood, n_customers, n_dropped, iterations, converged,\n"
    "  grad_norm (of -LL/n in the log parameters).\n"
    "predict (fits both models, then per customer):\n"
    "  --horizon N          periods of --time-unit to project (1..100000)\n"
    "  --discount RATE      discount rate per period (default 0)\n"
    "  Columns: customer_id, x, t_x, T, mean_spend, p_alive, expected_purchases\n"
    "  (in the horizon), expected_spend (per purchase, Gamma-Gamma), clv, and the\n"
    "  holdout_purchases and holdout_spend actually seen after --calibration-end.\n"
    "  clv = expected_spend * sum_{k=1..N} (E[Y(k)] - E[Y(k-1)]) / (1+RATE)^k, with\n"
    "  E[Y(k)] the BG/NBD expected purchases in the k periods after calibration.\n"
    "input options:\n"
    "  --input FILE             the orders file\n"
    "  --db FILE                or: the store (its customers in customer_id order);\n"
    "                           the options below up to --delimiter are for --input\n"
    "  --input-format csv|cdnow csv (default): a header row, columns named by\n"
    "                           --id, --date, --amount; cdnow: the CDNOW files,\n"
    "                           whitespace separated, no header (a first line not\n"
    "                           starting with a digit is skipped), id = first\n"
    "                           field, date = third field from the end (yyyymmdd),\n"
    "                           amount = last field\n"
    "  --id COLUMN              customer id column (default customer_id)\n"
    "  --date COLUMN            date column (default date)\n"
    "  --amount COLUMN          amount column (default amount)\n"
    "  --date-format iso|yyyymmdd  dates as 1997-01-31 (default) or 19970131\n"
    "  --delimiter C            CSV delimiter (default ','; 'tab' for a tab)\n"
    "  --calibration-end DATE   last day of calibration, 1997-09-30 (required)\n"
    "  --time-unit day|week     unit of t_x, T and the horizon (default week =\n"
    "                           7 days exactly)\n"
    "  --format F               table (default), json or csv\n"
    "Exactly one of --input and --db is required.\n";

#define CMD "clv"

/* ---------------------------------------------------------------------- */
/* Key/value output of one record                                          */
/* ---------------------------------------------------------------------- */

typedef struct kv {
    const char *key;
    char val[64];
    int num;
} kv;

/* table: two aligned columns key/value; csv: a header and one row; json: one
 * object. Returns 0 or -1 on a write or memory failure. */
static int write_record(const kv *r, size_t n, xs_format fmt)
{
    xs_table *t = xs_table_new();
    int rc = -1;
    if (!t) return -1;
    if (fmt == XS_FORMAT_TABLE) {
        if (xs_table_column(t, "key", XS_COL_TEXT) || xs_table_column(t, "value", XS_COL_NUM))
            goto cleanup;
        for (size_t i = 0; i < n; i++) {
            if (xs_table_row(t) || xs_table_cell(t, r[i].key) || xs_table_cell(t, r[i].val))
                goto cleanup;
        }
        rc = xs_table_write(t, stdout, fmt) < 0 ? -1 : 0;
        goto cleanup;
    }
    for (size_t i = 0; i < n; i++)
        if (xs_table_column(t, r[i].key, r[i].num ? XS_COL_NUM : XS_COL_TEXT)) goto cleanup;
    if (xs_table_row(t)) goto cleanup;
    for (size_t i = 0; i < n; i++)
        if (xs_table_cell(t, r[i].val)) goto cleanup;
    if (fmt == XS_FORMAT_CSV) {
        rc = xs_table_write(t, stdout, fmt) < 0 ? -1 : 0;
        goto cleanup;
    }
    /* JSON: the table writes "[\n {...}\n]\n"; print the object alone */
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    if (!m) goto cleanup;
    int w = xs_table_write(t, m, fmt);
    fclose(m);
    if (w == 0 && len > 5 && !strncmp(buf, "[\n ", 3)) {
        fwrite(buf + 3, 1, len - 3 - 3, stdout);
        fputc('\n', stdout);
        rc = ferror(stdout) ? -1 : 0;
    }
    free(buf); /* from open_memstream(3) */
cleanup:
    xs_table_free(t);
    return rc;
}

static void kv_num(kv *r, size_t *n, const char *key, const char *fmt, double v)
{
    r[*n].key = key;
    r[*n].num = 1;
    snprintf(r[*n].val, sizeof r[*n].val, fmt, v);
    (*n)++;
}

static void kv_text(kv *r, size_t *n, const char *key, const char *v, int num)
{
    r[*n].key = key;
    r[*n].num = num;
    snprintf(r[*n].val, sizeof r[*n].val, "%s", v);
    (*n)++;
}

/* ---------------------------------------------------------------------- */
/* Options                                                                 */
/* ---------------------------------------------------------------------- */

typedef struct args {
    const char *input, *db, *model, *cal_end;
    const char *file_opt; /* an option that only applies to --input */
    xs_clv_read_opts ro;
    long horizon;
    double discount;
    xs_format fmt;
} args;

static int parse_args(int argc, char **argv, int predict, args *a)
{
    static const struct option opts[] = {
        {"model", required_argument, NULL, 'm'},
        {"input", required_argument, NULL, 'i'},
        {"input-format", required_argument, NULL, 'I'},
        {"db", required_argument, NULL, 'D'},
        {"calibration-end", required_argument, NULL, 'c'},
        {"time-unit", required_argument, NULL, 'u'},
        {"id", required_argument, NULL, 'k'},
        {"date", required_argument, NULL, 'd'},
        {"amount", required_argument, NULL, 'a'},
        {"date-format", required_argument, NULL, 'F'},
        {"delimiter", required_argument, NULL, 'l'},
        {"horizon", required_argument, NULL, 'H'},
        {"discount", required_argument, NULL, 'r'},
        {"format", required_argument, NULL, 'f'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int c;
    memset(a, 0, sizeof *a);
    a->ro.unit_days = 7;
    a->horizon = -1;
    a->fmt = XS_FORMAT_TABLE;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
        switch (c) {
        case 'm':
            if (predict) return xs_cli_usage_error(CMD, "predict fits both models: no --model");
            if (strcmp(optarg, "bgnbd") && strcmp(optarg, "gamma-gamma"))
                return xs_cli_usage_error(
                    CMD, "--model: expected bgnbd or gamma-gamma, got \"%s\"", optarg);
            a->model = optarg;
            break;
        case 'i':
            a->input = optarg;
            break;
        case 'I':
            a->file_opt = "--input-format";
            if (!strcmp(optarg, "csv"))
                a->ro.format = XS_CLV_INPUT_CSV;
            else if (!strcmp(optarg, "cdnow"))
                a->ro.format = XS_CLV_INPUT_CDNOW;
            else
                return xs_cli_usage_error(
                    CMD, "--input-format: expected csv or cdnow, got \"%s\"", optarg);
            break;
        case 'D':
            a->db = optarg;
            break;
        case 'c':
            a->cal_end = optarg;
            break;
        case 'u':
            if (!strcmp(optarg, "day"))
                a->ro.unit_days = 1;
            else if (!strcmp(optarg, "week"))
                a->ro.unit_days = 7;
            else
                return xs_cli_usage_error(
                    CMD, "--time-unit: expected day or week, got \"%s\"", optarg);
            break;
        case 'k':
            a->file_opt = "--id";
            a->ro.id_col = optarg;
            break;
        case 'd':
            a->file_opt = "--date";
            a->ro.date_col = optarg;
            break;
        case 'a':
            a->file_opt = "--amount";
            a->ro.amount_col = optarg;
            break;
        case 'F':
            a->file_opt = "--date-format";
            if (!strcmp(optarg, "iso"))
                a->ro.date_yyyymmdd = 0;
            else if (!strcmp(optarg, "yyyymmdd"))
                a->ro.date_yyyymmdd = 1;
            else
                return xs_cli_usage_error(
                    CMD, "--date-format: expected iso or yyyymmdd, got \"%s\"", optarg);
            break;
        case 'l':
            a->file_opt = "--delimiter";
            if (xs_cli_delimiter(CMD, optarg, &a->ro.delimiter)) return XS_EXIT_USAGE;
            break;
        case 'H':
            if (!predict) return xs_cli_usage_error(CMD, "--horizon is an option of predict");
            if (xs_cli_long(CMD, "--horizon", optarg, 1, 100000, &a->horizon))
                return XS_EXIT_USAGE;
            break;
        case 'r':
            if (!predict) return xs_cli_usage_error(CMD, "--discount is an option of predict");
            if (xs_cli_double(CMD, "--discount", optarg, 0, 10, &a->discount))
                return XS_EXIT_USAGE;
            break;
        case 'f':
            if (xs_cli_format(CMD, optarg, &a->fmt)) return XS_EXIT_USAGE;
            break;
        case 'h':
            fputs(usage, stdout);
            return -1;
        default:
            return xs_cli_bad_option(CMD, c, argv);
        }
    }
    if (optind < argc)
        return xs_cli_usage_error(CMD, "unexpected argument \"%s\"", argv[optind]);
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
        return xs_cli_usage_error(CMD, "--calibration-end: not a date: \"%s\"", a->cal_end);
    if (predict && a->horizon < 0) return xs_cli_usage_error(CMD, "--horizon N is required");
    return 0;
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
        fprintf(stderr, "xsell " CMD ": %s: no such store\n", a->db);
        return XS_EXIT_USAGE;
    }
    if (xs_store_open_readonly(&st, a->db, &e) < 0 || xs_snapshot_load(st, &snap, &e) < 0) {
        rc = xs_cli_fail(CMD, &e);
        goto cleanup;
    }
    if (xs_snapshot_count(snap, XS_SNAP_ORDERS) == 0) {
        fprintf(stderr, "xsell " CMD ": %s: the store has no orders\n", a->db);
        rc = XS_EXIT_USAGE;
        goto cleanup;
    }
    if (xs_clv_data_read_snapshot(snap, a->ro.calibration_end, a->ro.unit_days, d, &e) < 0) {
        fprintf(stderr, "xsell " CMD ": %s: %s\n", a->db, e.message);
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
    fprintf(stderr, "xsell " CMD ": %s; this looks like %s: use --input-format %s\n",
            xs_cli_error_format(e, buf, sizeof buf),
            cdnow ? "the CDNOW format" : "a CSV file with a header row",
            cdnow ? "cdnow" : "csv");
    return xs_cli_exit_code(e->code);
}

/* Reads the summaries and reports dropped customers. Returns 0 or an exit code. */
static int load(const args *a, xs_clv_data **d)
{
    xs_error e;
    memset(&e, 0, sizeof e);
    if (a->db) {
        int rc = load_db(a, d);
        if (rc) return rc;
    } else {
        if (access(a->input, R_OK) != 0) { /* a missing input is bad usage */
            fprintf(stderr, "xsell " CMD ": %s: %s\n", a->input, strerror(errno));
            return XS_EXIT_USAGE;
        }
        if (xs_clv_data_read(a->input, &a->ro, d, &e) < 0) return fail_read(a, &e);
    }
    size_t dropped;
    xs_clv_data_counts(*d, NULL, NULL, &dropped);
    if (dropped)
        fprintf(stderr,
                "xsell " CMD ": %zu customer%s with no purchase on or before %s dropped\n",
                dropped, dropped == 1 ? "" : "s", a->cal_end);
    return 0;
}

static int fit(int argc, char **argv)
{
    args a;
    int rc = parse_args(argc, argv, 0, &a);
    if (rc) return rc < 0 ? XS_EXIT_OK : rc;
    xs_clv_data *d = NULL;
    if ((rc = load(&a, &d))) return rc;
    xs_error e;
    memset(&e, 0, sizeof e);
    xs_clv_fit_info fi;
    memset(&fi, 0, sizeof fi);
    kv r[16];
    size_t n = 0, dropped;
    xs_clv_data_counts(d, NULL, NULL, &dropped);
    int bg = !strcmp(a.model, "bgnbd");
    kv_text(r, &n, "model", a.model, 0);
    int f;
    if (bg) {
        xs_bgnbd_params p;
        f = xs_bgnbd_fit(d, &p, &fi, &e);
        kv_num(r, &n, "r", "%.6f", p.r);
        kv_num(r, &n, "alpha", "%.6f", p.alpha);
        kv_num(r, &n, "a", "%.6f", p.a);
        kv_num(r, &n, "b", "%.6f", p.b);
    } else {
        xs_gg_params p;
        f = xs_gg_fit(d, &p, &fi, &e);
        kv_num(r, &n, "p", "%.6f", p.p);
        kv_num(r, &n, "q", "%.6f", p.q);
        kv_num(r, &n, "gamma", "%.6f", p.gamma);
    }
    if (f < 0 && f != XS_ERANGE) {
        rc = xs_cli_fail(CMD, &e);
        goto cleanup;
    }
    kv_num(r, &n, "log_likelihood", "%.4f", fi.log_likelihood);
    kv_num(r, &n, "n_customers", "%.0f", (double)fi.n_customers);
    kv_num(r, &n, "n_dropped", "%.0f", (double)dropped);
    if (!bg) kv_num(r, &n, "n_excluded", "%.0f", (double)fi.n_excluded);
    kv_num(r, &n, "iterations", "%.0f", (double)fi.iterations);
    kv_text(r, &n, "converged", fi.converged ? "true" : "false", 1);
    kv_num(r, &n, "grad_norm", "%.2e", fi.grad_norm);
    if (write_record(r, n, a.fmt) < 0) {
        fprintf(stderr, "xsell " CMD ": cannot write the output\n");
        rc = XS_EXIT_FAIL;
    } else if (f < 0) { /* XS_ERANGE: printed the last point; the fit failed */
        char buf[1200];
        fprintf(stderr, "xsell " CMD ": %s\n", xs_cli_error_format(&e, buf, sizeof buf));
        rc = XS_EXIT_FAIL;
    }
cleanup:
    xs_clv_data_free(d);
    return rc;
}

static int predict(int argc, char **argv)
{
    args a;
    int rc = parse_args(argc, argv, 1, &a);
    if (rc) return rc < 0 ? XS_EXIT_OK : rc;
    xs_clv_data *d = NULL;
    xs_table *t = NULL;
    if ((rc = load(&a, &d))) return rc;
    xs_error e;
    memset(&e, 0, sizeof e);
    xs_bgnbd_params bg;
    xs_gg_params gg;
    if (xs_bgnbd_fit(d, &bg, NULL, &e) < 0 || xs_gg_fit(d, &gg, NULL, &e) < 0) {
        rc = xs_cli_fail(CMD, &e);
        if (e.code == XS_ERANGE) rc = XS_EXIT_FAIL; /* no convergence: not bad input */
        goto cleanup;
    }
    if (!(gg.q > 1)) {
        fprintf(stderr,
                "xsell " CMD ": Gamma-Gamma q = %g <= 1: the mean spend is infinite, no "
                "CLV\n",
                gg.q);
        rc = XS_EXIT_FAIL;
        goto cleanup;
    }
    t = xs_table_new();
    if (!t) goto nomem;
    static const char *const num_cols[] = {
        "x", "t_x", "T", "mean_spend", "p_alive", "expected_purchases", "expected_spend",
        "clv", "holdout_purchases", "holdout_spend"};
    if (xs_table_column(t, "customer_id", XS_COL_TEXT)) goto nomem;
    for (size_t i = 0; i < sizeof num_cols / sizeof num_cols[0]; i++)
        if (xs_table_column(t, num_cols[i], XS_COL_NUM)) goto nomem;
    for (size_t i = 0; i < xs_clv_data_n(d); i++) {
        xs_clv_customer c;
        xs_clv_data_get(d, i, &c);
        double pa = xs_bgnbd_p_alive(&bg, c.x, c.t_x, c.T);
        double ey = xs_bgnbd_expected(&bg, (double)a.horizon, c.x, c.t_x, c.T);
        double sp = xs_gg_expected_spend(&gg, c.x, c.mean_spend);
        double v = xs_clv_value(&bg, &gg, &c, (int)a.horizon, a.discount);
        if (xs_table_row(t) || xs_table_cell(t, c.id) || xs_table_cellf(t, "%.0f", c.x) ||
            xs_table_cellf(t, "%.4f", c.t_x) || xs_table_cellf(t, "%.4f", c.T) ||
            xs_table_cellf(t, "%.4f", c.mean_spend) || xs_table_cellf(t, "%.6f", pa) ||
            xs_table_cellf(t, "%.6f", ey) || xs_table_cellf(t, "%.4f", sp) ||
            xs_table_cellf(t, "%.4f", v) || xs_table_cellf(t, "%.0f", c.holdout_n) ||
            xs_table_cellf(t, "%.2f", c.holdout_spend))
            goto nomem;
    }
    if (xs_table_write(t, stdout, a.fmt) < 0) {
        fprintf(stderr, "xsell " CMD ": cannot write the output\n");
        rc = XS_EXIT_FAIL;
    }
    goto cleanup;
nomem:
    fprintf(stderr, "xsell " CMD ": out of memory\n");
    rc = XS_EXIT_FAIL;
cleanup:
    xs_table_free(t);
    xs_clv_data_free(d);
    return rc;
}

int xs_cmd_clv(int argc, char **argv)
{
    if (argc < 2)
        return xs_cli_usage_error(CMD, "expected a command: fit or predict");
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        fputs(usage, stdout);
        return XS_EXIT_OK;
    }
    if (!strcmp(argv[1], "fit")) return fit(argc - 1, argv + 1);
    if (!strcmp(argv[1], "predict")) return predict(argc - 1, argv + 1);
    return xs_cli_usage_error(CMD, "unknown command \"%s\": expected fit or predict",
                              argv[1]);
}
