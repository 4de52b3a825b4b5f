/*
 * cmd_kpi.c — `xsell kpi`: revenue, retention and offer KPIs of a store per
 * month, quarter or year, optionally broken down by a customer attribute,
 * offer channel, offer kind or product line. It loads the snapshot and
 * hands it to xs_kpi_compute() (src/measure/kpi.c); formulas in docs/kpi.md.
 */
#include "cli/cli.h"

#include <stdio.h>
#include <string.h>

static const char *CMD = "kpi";

static int parse_period(const char *v, void *out)
{
    return xs_kpi_period_parse(v, out);
}
static int parse_by(const char *v, void *out)
{
    return xs_kpi_by_parse(v, out);
}

#define K(field) .off = offsetof(xs_kpi_opts, field)
static const xs_opt opts[] = {
    {.ref = &xs_cli_opt_db},
    {.ref = &xs_cli_opt_model},
    {"period", 0, "P", XS_OPT_ENUM, K(period), .parse = parse_period,
     .expect = "month, quarter or year", .help = "month (default), quarter or year"},
    {"by", 0, "B", XS_OPT_ENUM, K(by), .parse = parse_by,
     .expect = "segment, industry, size, channel, kind or product",
     .help = "segment, industry, size: every KPI per group of\n"
             "customers; product: per product line (family);\n"
             "channel, kind: offer KPIs per offer channel / kind"},
    {"from", 0, "DATE", XS_OPT_STR, K(from),
     .help = "first day (rounded down to its period); default the\n"
             "earliest subscription start, order or offer"},
    {"to", 0, "DATE", XS_OPT_STR, K(to), .help = "last day measured; default the end of the data"},
    {"cac-multiple", 0, "X", XS_OPT_DOUBLE, K(cac_multiple), .lo = 1e-9, .hi = 1e9,
     .help = "acquiring a customer costs X times retaining one\n(default 5)"},
    {"cac", 0, "AMOUNT", XS_OPT_STR, K(cac), .help = "acquisition cost per new customer"},
    {"retention-cost", 0, "AMOUNT", XS_OPT_STR, K(retention_cost),
     .help = "cost of retaining / expanding one customer\n"
             "(one of the two gives the other through X)"},
    {"save-days", 0, "N", XS_OPT_INT, K(save_days), .lo = 1, .hi = 3650,
     .help = "a downsell offer saved the customer when it still has\n"
             "MRR N days after it was sent (default 90)"},
    {.ref = &xs_cli_opt_format,
     .help = "table (default): one row per KPI, one column per\n"
             "period (and group); json, csv: one record per period\n"
             "(and group), one field per KPI"},
    {0},
};

static const xs_cli_spec spec = {
    "kpi",
    "xsell kpi --db FILE [--model FILE] [--period month|quarter|year]\n"
    "          [--by segment|industry|size|channel|kind|product]\n"
    "          [--from DATE] [--to DATE] [--cac-multiple X] [--cac AMOUNT]\n"
    "          [--retention-cost AMOUNT] [--save-days N] [--format F]",
    .about = "KPIs per calendar period: MRR and ARR with growth, the MRR movement ledger\n"
             "(new, expansion, contraction, churned, reactivation), NRR and GRR of the\n"
             "customers with MRR at the period start, logo and revenue churn rates, ARPA,\n"
             "ARPU, LTV, repeat-purchase rate, upsell rate, cross-sell conversion, downsell\n"
             "save rate, offers per customer per month, decline rate, and what the\n"
             "expansion revenue would have cost as new business (the 1:5 rule).\n"
             "Revenue is measured at the end of the day before each period and at its last\n"
             "day (the period-end snapshot); every formula is in docs/kpi.md.",
    .opts = opts,
    .notes = "Money is printed exactly from integer minor units; ratios with 4 decimals;\n"
             "empty cells are undefined or do not apply to the breakdown.",
    .flags = XS_CLI_DB_OR_MODEL,
};

int xs_cmd_kpi(int argc, char **argv)
{
    xs_cli_args a = {0};
    xs_kpi_opts o;
    memset(&o, 0, sizeof o);
    int rc = xs_cli_parse(&spec, argc, argv, &a, &o);
    if (rc >= 0) return rc;
    const char *db = a.db, *model = a.model;
    xs_format fmt = a.format;

    xs_error err;
    memset(&err, 0, sizeof err);
    xs_cli_src src;
    xs_kpi_result *res = NULL;
    xs_table *t = NULL;
    rc = xs_cli_src_open(CMD, db, model, 0, &src);
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
