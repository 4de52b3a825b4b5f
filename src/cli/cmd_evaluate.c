/*
 * cmd_evaluate.c — `xsell evaluate`: the offline evaluation of the personal
 * ranking against most-popular and item-kNN, computed in the same run on a
 * time split of the store's orders. A thin shell over xs_eval_run().
 */
#include "cli/cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CMD "evaluate"

static int check(const char *cmd, const xs_cli_args *a, const void *v)
{
    const xs_eval_opts *o = v;
    if (!a->db) return xs_cli_usage_error(cmd, "--db FILE is required");
    if (!o->cutoff) return xs_cli_usage_error(cmd, "--cutoff DATE is required");
    return -1;
}

#define E(field) .off = offsetof(xs_eval_opts, field)
static const xs_opt opts[] = {
    {.ref = &xs_cli_opt_db, .help = "the store"},
    {"cutoff", 0, "DATE", XS_OPT_STR, E(cutoff), .help = "YYYY-MM-DD"},
    {"horizon", 0, "DAYS", XS_OPT_INT, E(horizon), .lo = 1, .hi = 100000,
     .help = "purchases in [cutoff, cutoff + DAYS) count (default 90)"},
    {"k", 0, "K", XS_OPT_SIZE, E(k), .lo = 1, .hi = 100000, .help = "list length (default 10)"},
    {.ref = &xs_cli_opt_format},
    XS_CLI_RANK_OPTS(offsetof(xs_eval_opts, model)),
    {0},
};

static const xs_cli_spec spec = {
    CMD,
    "xsell evaluate --db FILE --cutoff DATE [--horizon DAYS] [--k K]\n"
    "               [MODEL OPTIONS] [--format table|json|csv]",
    .about = "Builds the ranking, item-kNN and most-popular on the orders before --cutoff\n"
             "and scores each against the products every customer bought in the horizon\n"
             "after it and had not bought before (docs/evaluate.md). The model options\n"
             "(--alpha to --trend-pow, as in `xsell rank`) change the first row only.",
    .opts = opts,
    .notes = "Columns: method, customers, precision, recall, ndcg, map, hit_rate (all @K),\n"
             "coverage, substitute_share, ndcg_vs_knn (nDCG over item-kNN's), seconds.\n"
             "Then, on stderr, the engine's offers to every customer as of the store's\n"
             "last day: the share of shop cross-sells that fail the relevance bar (above\n"
             "5x the customer's largest past line, or a substitute of a purchase in the\n"
             "last 90 days; docs/offers.md \"Relevance\").",
    .flags = XS_CLI_DB,
    .check = check,
};

/* The engine's offers to every customer as of the store's last day, judged
 * by the one definition of a bad shop cross-sell (xs_offer_bad_cross_sell). */
typedef struct offer_count {
    const xs_offer_engine *en;
    unsigned long long shop, bad, price, subst, customers;
} offer_count;

static int count_offers(void *ctx, uint32_t customer, const xs_offer *o, size_t n)
{
    offer_count *k = ctx;
    (void)customer;
    int any = 0;
    for (size_t i = 0; i < n && o[i].rank > 0; i++) {
        if (!xs_offer_is_shop_cross_sell(k->en, &o[i])) continue;
        unsigned b = xs_offer_bad_cross_sell(k->en, &o[i]);
        k->shop++;
        k->bad += b != 0;
        k->price += (b & XS_OFFER_BAD_PRICE) != 0;
        k->subst += (b & XS_OFFER_BAD_SUBSTITUTE) != 0;
        any = 1;
    }
    k->customers += (unsigned long long)any;
    return XS_OK;
}

/* Prints the share of bad shop cross-sells among the engine's offers (a
 * line on stderr). Returns XS_OK or an error code with e set. */
static int report_offers(xs_store *st, const xs_snapshot *snap, xs_error *e)
{
    xs_offer_engine *en = NULL;
    int rc = xs_offer_engine_open(st, snap, NULL, NULL, &en, e);
    if (rc == XS_ENOTFOUND) rc = xs_offer_engine_new(snap, NULL, NULL, &en, e);
    if (rc < 0) return rc;
    offer_count k = {en, 0, 0, 0, 0, 0};
    xs_offer_summary sum;
    rc = xs_offer_decide_all(en, 1, count_offers, &k, &sum);
    if (rc == XS_OK)
        fprintf(
            stderr,
            "offers: %llu shop cross-sell%s offered to %llu customer%s; %llu (%.2f %%) "
            "fail the relevance bar: %llu above 5x the customer's largest past "
            "line, %llu substitute%s of a purchase in the last 90 days\n",
            k.shop, k.shop == 1 ? "" : "s", k.customers, k.customers == 1 ? "" : "s",
            k.bad, k.shop ? 100.0 * (double)k.bad / (double)k.shop : 0.0, k.price,
            k.subst, k.subst == 1 ? "" : "s");
    xs_offer_engine_free(en);
    return rc;
}

int xs_cmd_evaluate(int argc, char **argv)
{
    xs_eval_opts o;
    xs_eval_opts_init(&o);
    xs_cli_args a = {0};
    int rc = xs_cli_parse(&spec, argc, argv, &a, &o);
    if (rc >= 0) return rc;
    const char *db = a.db;
    xs_format fmt = a.format;

    rc = XS_EXIT_OK;
    xs_error e;
    memset(&e, 0, sizeof e);
    xs_store *st = NULL;
    xs_snapshot *snap = NULL;
    xs_table *t = NULL;
    xs_eval_row rows[XS_EVAL_N_METHODS];
    if (xs_store_open_readonly(&st, db, &e) < 0 || xs_snapshot_load(st, &snap, &e) < 0 ||
        xs_eval_run(snap, &o, rows, &e) < 0) {
        rc = xs_cli_fail(CMD, &e);
        goto cleanup;
    }
    if (!(t = xs_table_new())) {
        fprintf(stderr, "xsell " CMD ": out of memory\n");
        rc = XS_EXIT_FAIL;
        goto cleanup;
    }
    static const char *const cols[] = {
        "method",   "customers", "precision",        "recall",      "ndcg",   "map",
        "hit_rate", "coverage",  "substitute_share", "ndcg_vs_knn", "seconds"};
    for (size_t i = 0; i < sizeof cols / sizeof cols[0]; i++)
        xs_table_column(t, cols[i], i ? XS_COL_NUM : XS_COL_TEXT);
    for (int i = 0; i < XS_EVAL_N_METHODS; i++) {
        const xs_eval_row *w = &rows[i];
        if (xs_table_row(t) < 0) break;
        xs_table_cell(t, w->method);
        xs_table_cellf(t, "%zu", w->n_customers);
        xs_table_cellf(t, "%.4f", w->precision);
        xs_table_cellf(t, "%.4f", w->recall);
        xs_table_cellf(t, "%.4f", w->ndcg);
        xs_table_cellf(t, "%.4f", w->map);
        xs_table_cellf(t, "%.4f", w->hit_rate);
        xs_table_cellf(t, "%.4f", w->coverage);
        xs_table_cellf(t, "%.4f", w->substitute_share);
        xs_table_cellf(t, "%.3f", rows[1].ndcg > 0 ? w->ndcg / rows[1].ndcg : 0.0);
        xs_table_cellf(t, "%.2f", w->seconds);
    }
    if (xs_table_write(t, stdout, fmt) < 0) {
        fprintf(stderr, "xsell " CMD ": cannot write the output\n");
        rc = XS_EXIT_FAIL;
    } else if (report_offers(st, snap, &e) < 0) {
        rc = xs_cli_fail(CMD, &e);
    }
cleanup:
    xs_table_free(t);
    xs_snapshot_free(snap);
    xs_store_close(st);
    return rc;
}
