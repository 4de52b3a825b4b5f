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

#include <stdio.h>
#include <string.h>

#define CMD "catalog"

static const xs_opt opts[] = {
    {.ref = &xs_cli_opt_db},
    {.ref = &xs_cli_opt_format},
    {0},
};

static const xs_cli_spec spec = {
    CMD,
    "xsell catalog check --db FILE [--format F]",
    .about = "Checks the product catalogue of the store the way the offer engine reads\n"
             "it (docs/offers.md, \"Catalog check\"). Per family and billing, plans by\n"
             "tier must rise in price (per month: a yearly price / 12) and in every limit\n"
             "both tiers name, with no tier number missing or taken twice; an add-on must\n"
             "not cost more than the cheapest paid plan of its family with its billing;\n"
             "every paid plan or add-on must be reachable by some trigger.",
    .opts = opts,
    .notes = "Columns: code (tier_cheaper, tier_limit_lower, tier_gap, tier_duplicate,\n"
             "addon_above_plan, unreachable), family, product, other (the product it is\n"
             "compared with), message. A summary line goes to stderr. Findings are\n"
             "warnings: the exit status is 0 with or without them.",
    .flags = XS_CLI_DB,
};

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
    static const char *const actions[] = {"check", NULL};
    int act;
    int rc = xs_cli_action(&spec, argc, argv, actions, &act);
    if (rc >= 0) return rc;
    xs_cli_args a = {0};
    rc = xs_cli_parse(&spec, argc - 1, argv + 1, &a, NULL);
    if (rc >= 0) return rc;
    const char *db = a.db;
    xs_format fmt = a.format;
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
