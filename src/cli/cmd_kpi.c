/*
 * cmd_kpi.c — `xsell kpi`: revenue, retention and offer KPIs of a store per
 * month, quarter or year, optionally broken down by a customer attribute,
 * offer channel, offer kind or product line. It loads the snapshot and
 * hands it to xs_kpi_compute() (src/measure/kpi.c); formulas in docs/kpi.md.
 */
#include "cli/cli.h"

#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const char *CMD = "kpi";

static const char usage_text[] =
    "usage: xsell kpi --db FILE [--model FILE] [--period month|quarter|year]\n"
    "                 [--by segment|industry|size|channel|kind|product]\n"
    "                 [--from DATE] [--to DATE] [--cac-multiple X] [--cac AMOUNT]\n"
    "                 [--retention-cost AMOUNT] [--save-days N] [--format F]\n"
    "\n"
    "KPIs per calendar period: MRR and ARR with growth, the MRR movement ledger\n"
    "(new, expansion, contraction, churned, reactivation), NRR and GRR of the\n"
    "customers with MRR at the period start, logo and revenue churn rates, ARPA,\n"
    "ARPU, LTV, repeat-purchase rate, upsell rate, cross-sell conversion, downsell\n"
    "save rate, offers per customer per month, decline rate, and what the\n"
    "expansion revenue would have cost as new business (the 1:5 rule).\n"
    "Revenue is measured at the end of the day before each period and at its last\n"
    "day (the period-end snapshot); every formula is in docs/kpi.md.\n"
    "\n"
    "  --db FILE              the store (from xsell import or xsell demo)\n"
    "  --model FILE           read the model file FILE ('xsell build') instead of\n"
    "                         the store (with --db: it must be that store's);\n"
    "                         with only --db, the store's latest model when it\n"
    "                         is current\n"
    "  --period P             month (default), quarter or year\n"
    "  --by B                 segment, industry, size: every KPI per group of\n"
    "                         customers; product: per product line (family);\n"
    "                         channel, kind: offer KPIs per offer channel / kind\n"
    "  --from DATE            first day (rounded down to its period); default the\n"
    "                         earliest subscription start, order or offer\n"
    "  --to DATE              last day measured; default the end of the data\n"
    "  --cac-multiple X       acquiring a customer costs X times retaining one\n"
    "                         (default 5)\n"
    "  --cac AMOUNT           acquisition cost per new customer\n"
    "  --retention-cost AMOUNT  cost of retaining / expanding one customer\n"
    "                         (one of the two gives the other through X)\n"
    "  --save-days N          a downsell offer saved the customer when it still has\n"
    "                         MRR N days after it was sent (default 90)\n"
    "  --format F             table (default): one row per KPI, one column per\n"
    "                         period (and group); json, csv: one record per period\n"
    "                         (and group), one field per KPI\n"
    "  --help                 this text\n"
    "\n"
    "Money is printed exactly from integer minor units; ratios with 4 decimals;\n"
    "empty cells are undefined or do not apply to the breakdown.\n"
    "Exit status: 0 ok, 1 failure, 2 bad usage or bad input.\n";

int xs_cmd_kpi(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"db", required_argument, NULL, 'd'},
        {"model", required_argument, NULL, 'M'},
        {"period", required_argument, NULL, 'p'},
        {"by", required_argument, NULL, 'b'},
        {"from", required_argument, NULL, 'F'},
        {"to", required_argument, NULL, 'T'},
        {"cac-multiple", required_argument, NULL, 'm'},
        {"cac", required_argument, NULL, 'c'},
        {"retention-cost", required_argument, NULL, 'r'},
        {"save-days", required_argument, NULL, 's'},
        {"format", required_argument, NULL, 'f'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *db = NULL, *model = NULL;
    xs_format fmt = XS_FORMAT_TABLE;
    xs_kpi_opts o;
    memset(&o, 0, sizeof o);
    long v;
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
        switch (c) {
        case 'd':
            db = optarg;
            break;
        case 'M':
            model = optarg;
            break;
        case 'p':
            if (xs_kpi_period_parse(optarg, &o.period) < 0)
                return xs_cli_usage_error(
                    CMD, "--period: expected month, quarter or year, got \"%s\"", optarg);
            break;
        case 'b':
            if (xs_kpi_by_parse(optarg, &o.by) < 0)
                return xs_cli_usage_error(CMD,
                                          "--by: expected segment, industry, size, "
                                          "channel, kind or product, got \"%s\"",
                                          optarg);
            break;
        case 'F':
            o.from = optarg;
            break;
        case 'T':
            o.to = optarg;
            break;
        case 'm':
            if (xs_cli_double(CMD, "--cac-multiple", optarg, 1e-9, 1e9, &o.cac_multiple))
                return XS_EXIT_USAGE;
            break;
        case 'c':
            o.cac = optarg;
            break;
        case 'r':
            o.retention_cost = optarg;
            break;
        case 's':
            if (xs_cli_long(CMD, "--save-days", optarg, 1, 3650, &v))
                return XS_EXIT_USAGE;
            o.save_days = (int)v;
            break;
        case 'f':
            if (xs_cli_format(CMD, optarg, &fmt)) return XS_EXIT_USAGE;
            break;
        case 'h':
            fputs(usage_text, stdout);
            return XS_EXIT_OK;
        default:
            return xs_cli_bad_option(CMD, c, argv);
        }
    }
    if (optind < argc)
        return xs_cli_usage_error(CMD, "unexpected argument \"%s\"", argv[optind]);
    if (!db && !model) return xs_cli_usage_error(CMD, "--db FILE is required");
    if (db && !xs_store_exists(db)) {
        fprintf(stderr, "xsell %s: %s: no such store\n", CMD, db);
        return XS_EXIT_USAGE;
    }

    xs_error err;
    memset(&err, 0, sizeof err);
    xs_cli_src src;
    xs_kpi_result *res = NULL;
    xs_table *t = NULL;
    int rc = xs_cli_src_open(CMD, db, model, 0, &src);
    if (rc >= 0) return rc;
    if ((rc = xs_kpi_compute(src.s, &o, &res, &err)) < 0) goto cleanup;
    if (!(t = xs_table_new()) ||
        (rc = fmt == XS_FORMAT_TABLE ? xs_kpi_result_table_by_kpi(res, t)
                                     : xs_kpi_result_table(res, t)) < 0) {
        rc = XS_ENOMEM;
        snprintf(err.message, sizeof err.message, "out of memory");
        err.code = rc;
        goto cleanup;
    }
    if ((rc = xs_table_write(t, stdout, fmt)) < 0 || fflush(stdout) != 0) {
        rc = XS_EIO;
        err.code = rc;
        snprintf(err.message, sizeof err.message, "cannot write the output");
    }
cleanup:
    xs_table_free(t);
    xs_kpi_result_free(res);
    xs_cli_src_close(&src);
    if (rc < 0) return xs_cli_fail(CMD, &err);
    return XS_EXIT_OK;
}
