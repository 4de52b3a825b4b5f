/*
 * cmd_evaluate.c — `xsell evaluate`: the offline evaluation of the personal
 * ranking against most-popular and item-kNN, computed in the same run on a
 * time split of the store's orders. A thin shell over xs_eval_run().
 */
#include "cli/cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char usage[] =
    "usage: xsell evaluate --db FILE --cutoff DATE [--horizon DAYS] [--k K]\n"
    "                      [MODEL OPTIONS] [--format table|json|csv]\n"
    "\n"
    "Builds the ranking, item-kNN and most-popular on the orders before --cutoff\n"
    "and scores each against the products every customer bought in the horizon\n"
    "after it and had not bought before (docs/evaluate.md).\n"
    "  --db FILE             the store\n"
    "  --cutoff DATE         YYYY-MM-DD\n"
    "  --horizon DAYS        purchases in [cutoff, cutoff + DAYS) count (default 90)\n"
    "  --k K                 list length (default 10)\n"
    "  --format F            table (default), json or csv\n"
    "Model options: as `xsell rank --help`; they change the first row only.\n"
    "Columns: method, customers, precision, recall, ndcg, map, hit_rate (all @K),\n"
    "coverage, substitute_share, ndcg_vs_knn (nDCG over item-kNN's), seconds.\n"
    "Then, on stderr, the engine's offers to every customer as of the store's\n"
    "last day: the share of shop cross-sells that fail the relevance bar (above\n"
    "5x the customer's largest past line, or a substitute of a purchase in the\n"
    "last 90 days; docs/offers.md \"Relevance\").\n";

#define CMD "evaluate"

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
    static const struct option opts[] = {
        {"db", required_argument, NULL, 'd'},
        {"cutoff", required_argument, NULL, 'c'},
        {"horizon", required_argument, NULL, 'H'},
        {"k", required_argument, NULL, 'k'},
        {"format", required_argument, NULL, 'f'},
        XS_CLI_RANK_MODEL_OPTIONS,
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *db = NULL;
    xs_eval_opts o;
    xs_eval_opts_init(&o);
    xs_format fmt = XS_FORMAT_TABLE;
    long l;
    int c, idx = 0;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":h", opts, &idx)) != -1) {
        switch (c) {
        case 'd':
            db = optarg;
            break;
        case 'c':
            o.cutoff = optarg;
            break;
        case 'H':
            if (xs_cli_long(CMD, "--horizon", optarg, 1, 100000, &l))
                return XS_EXIT_USAGE;
            o.horizon = (int)l;
            break;
        case 'k':
            if (xs_cli_long(CMD, "--k", optarg, 1, 100000, &l)) return XS_EXIT_USAGE;
            o.k = (size_t)l;
            break;
        case 'f':
            if (xs_cli_format(CMD, optarg, &fmt)) return XS_EXIT_USAGE;
            break;
        case 'M':
            if (xs_cli_rank_model_opt(CMD, opts[idx].name, optarg, &o.model))
                return XS_EXIT_USAGE;
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
    if (!o.cutoff) return xs_cli_usage_error(CMD, "--cutoff DATE is required");
    if (!xs_store_exists(db)) {
        fprintf(stderr, "xsell " CMD ": %s: %s\n", db, strerror(errno));
        return XS_EXIT_USAGE;
    }

    int rc = XS_EXIT_OK;
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
