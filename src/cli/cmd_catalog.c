/*
 * cmd_catalog.c — `xsell catalog check`: product ladders whose price and
 * limits do not rise together, tier gaps and duplicates, add-ons above
 * their plan, products no trigger can offer (xs_catalog_check, the
 * "Catalog check" section of xsell.h and docs/offers.md). Findings are
 * warnings: the exit status is 0 with or without them.
 *
 * Also xs_cli_catalog_warn(), which `xsell import products` calls after a
 * successful import to print the same findings as "warning: ..." lines.
 */
#include "cli/cli.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define CMD "catalog"

static const char usage[] =
    "usage: xsell catalog check --db FILE [--format F]\n"
    "\n"
    "Checks the product catalogue of the store the way the offer engine reads\n"
    "it (docs/offers.md, \"Catalog check\"). Per family and billing, plans by\n"
    "tier must rise in price (per month: a yearly price / 12) and in every limit\n"
    "both tiers name, with no tier number missing or taken twice; an add-on must\n"
    "not cost more than the cheapest paid plan of its family with its billing;\n"
    "every paid plan or add-on must be reachable by some trigger.\n"
    "\n"
    "  --db FILE      the store (required)\n"
    "  --format F     table (default), json or csv\n"
    "Columns: code (tier_cheaper, tier_limit_lower, tier_gap, tier_duplicate,\n"
    "addon_above_plan, unreachable), family, product, other (the product it is\n"
    "compared with), message. A summary line goes to stderr.\n"
    "Exit status: 0 (also with findings: they are warnings), 1 failure,\n"
    "2 bad usage.\n";

/* The findings as an output table; NULL when out of memory. */
static xs_table *findings_table(const xs_catalog_report *r)
{
    xs_table *t = xs_table_new();
    if (!t || xs_table_column(t, "code", XS_COL_TEXT) ||
        xs_table_column(t, "family", XS_COL_TEXT) ||
        xs_table_column(t, "product", XS_COL_TEXT) ||
        xs_table_column(t, "other", XS_COL_TEXT) ||
        xs_table_column(t, "message", XS_COL_TEXT))
        goto fail;
    for (size_t i = 0; i < xs_catalog_report_n(r); i++) {
        xs_catalog_finding f;
        xs_catalog_report_get(r, i, &f);
        if (xs_table_row(t) || xs_table_cell(t, f.code_name) ||
            xs_table_cell(t, f.family) || xs_table_cell(t, f.product) ||
            xs_table_cell(t, f.other) || xs_table_cell(t, f.message))
            goto fail;
    }
    return t;
fail:
    xs_table_free(t);
    return NULL;
}

int xs_cli_catalog_warn(const char *db)
{
    xs_store *st = NULL;
    xs_catalog_report *r = NULL;
    xs_error e;
    int n = xs_store_open_readonly(&st, db, &e);
    if (n >= 0) n = xs_catalog_check_store(st, &r, &e);
    xs_store_close(st);
    if (n < 0) {
        char buf[1200];
        fprintf(stderr, "warning: catalog check skipped: %s\n",
                xs_cli_error_format(&e, buf, sizeof buf));
        return n;
    }
    for (size_t i = 0; i < xs_catalog_report_n(r); i++) {
        xs_catalog_finding f;
        xs_catalog_report_get(r, i, &f);
        fprintf(stderr, "warning: %s\n", f.message);
    }
    xs_catalog_report_free(r);
    return n;
}

int xs_cmd_catalog(int argc, char **argv)
{
    static const struct option opts[] = {
        {"db", required_argument, NULL, 'd'},
        {"format", required_argument, NULL, 'f'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *db = NULL;
    xs_format fmt = XS_FORMAT_TABLE;
    int c;
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        if (argc < 2) return xs_cli_usage_error(CMD, "expected an action: check");
        fputs(usage, stdout);
        return XS_EXIT_OK;
    }
    if (strcmp(argv[1], "check"))
        return xs_cli_usage_error(CMD, "unknown action \"%s\" (expected check)", argv[1]);
    argc--;
    argv++;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
        switch (c) {
        case 'd':
            db = optarg;
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
    if (!db) return xs_cli_usage_error(CMD, "--db FILE is required");
    if (!xs_store_exists(db)) {
        fprintf(stderr, "xsell %s: %s: no such store\n", CMD, db);
        return XS_EXIT_USAGE;
    }
    xs_store *st = NULL;
    xs_catalog_report *r = NULL;
    xs_table *t = NULL;
    xs_error e;
    int ex = XS_EXIT_FAIL;
    if (xs_store_open_readonly(&st, db, &e) < 0 || xs_catalog_check_store(st, &r, &e) < 0) {
        ex = xs_cli_fail(CMD, &e);
        goto cleanup;
    }
    if (!(t = findings_table(r))) {
        fprintf(stderr, "xsell %s: out of memory\n", CMD);
        goto cleanup;
    }
    if (xs_table_write(t, stdout, fmt) < 0 || fflush(stdout)) {
        fprintf(stderr, "xsell %s: cannot write the output\n", CMD);
        goto cleanup;
    }
    size_t np = 0, nf = 0, n = xs_catalog_report_n(r);
    xs_catalog_report_counts(r, &np, &nf);
    fprintf(stderr, "checked %zu product%s in %zu famil%s: %zu finding%s\n", np,
            np == 1 ? "" : "s", nf, nf == 1 ? "y" : "ies", n, n == 1 ? "" : "s");
    ex = XS_EXIT_OK;
cleanup:
    xs_table_free(t);
    xs_catalog_report_free(r);
    xs_store_close(st);
    return ex;
}
