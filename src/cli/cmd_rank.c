/*
 * cmd_rank.c — `xsell rank`: the products each customer has not bought
 * yet, in order of how likely they are to buy them next, from the orders
 * dated before --as-of. A thin shell over xs_rank_* in xsell.h; also home
 * of the model options `xsell evaluate` shares (xs_cli_rank_model_opt).
 */
#include "cli/cli.h"

#include "base/progress.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char usage[] =
    "usage: xsell rank --db FILE [--model FILE] (--customer ID | --all) --as-of DATE\n"
    "                  [--limit K]\n"
    "                  [--cart P,Q,...] [MODEL OPTIONS] [--format table|json|csv]\n"
    "\n"
    "Per customer, the products not bought yet, most likely next purchase first,\n"
    "from the orders dated before --as-of only (docs/evaluate.md).\n"
    "  --db FILE             the store\n"
    "  --model FILE          read the snapshot of the model file FILE ('xsell\n"
    "                        build') instead of the store (with --db: it must be\n"
    "                        that store's); with only --db, the store's latest\n"
    "                        model when it is current\n"
    "  --customer ID         one customer (with no order before --as-of: recent\n"
    "                        popularity alone)\n"
    "  --all                 every customer with an order before --as-of\n"
    "  --as-of DATE          YYYY-MM-DD; orders on or after it are not read\n"
    "  --limit K             products per customer (default 10)\n"
    "  --cart P,Q,...        products in the customer's cart (product ids): they\n"
    "                        add evidence and are not offered\n"
    "  --format F            table (default), json or csv\n"
    "Columns: customer_id, rank, product_id, product (name), score, evidence (the\n"
    "customer's product that contributed most; empty: popularity alone) and\n"
    "evidence_share (its share of the item-to-item score).\n"
    "Model options (defaults: the model chosen in docs/evaluate.md):\n"
    "  --alpha A, --beta B   similarity co / (n_i^A n_j^B + shrink) (0.25, 0.5)\n"
    "  --shrink S            (0)\n"
    "  --user-pow X          co-buyers weigh |items|^-X (1)\n"
    "  --seq-back W          weight of co-buyers who bought j before i (0.5)\n"
    "  --neighbours N        kept per product, 0 = all (300)\n"
    "  --half-life DAYS      decay of the customer's own history, 0 = none (30)\n"
    "  --co-half-life DAYS   decay of co-buyers' purchases, 0 = none (30)\n"
    "  --knn-weight W        weight of the item-to-item term (1)\n"
    "  --trend-weight W      weight of popularity in a window (0)\n"
    "  --trend-days DAYS     the window, 0 = all time (30)\n"
    "  --trend-lag DAYS      the window ends DAYS before --as-of (0)\n"
    "  --trend-pow X         item-to-item term times popularity^X (0)\n";

#define CMD "rank"

int xs_cli_rank_model_opt(const char *cmd, const char *name, const char *value,
                          xs_rank_opts *o)
{
    char opt[40];
    long l;
    snprintf(opt, sizeof opt, "--%s", name);
    if (!strcmp(name, "alpha")) return xs_cli_double(cmd, opt, value, 0, 2, &o->alpha);
    if (!strcmp(name, "beta")) return xs_cli_double(cmd, opt, value, 0, 2, &o->beta);
    if (!strcmp(name, "shrink"))
        return xs_cli_double(cmd, opt, value, 0, 1e9, &o->shrink);
    if (!strcmp(name, "user-pow"))
        return xs_cli_double(cmd, opt, value, 0, 10, &o->user_pow);
    if (!strcmp(name, "seq-back"))
        return xs_cli_double(cmd, opt, value, 0, 1, &o->seq_back);
    if (!strcmp(name, "half-life"))
        return xs_cli_double(cmd, opt, value, 0, 1e6, &o->half_life);
    if (!strcmp(name, "co-half-life"))
        return xs_cli_double(cmd, opt, value, 0, 1e6, &o->co_half_life);
    if (!strcmp(name, "knn-weight"))
        return xs_cli_double(cmd, opt, value, 0, 1e6, &o->knn_weight);
    if (!strcmp(name, "trend-weight"))
        return xs_cli_double(cmd, opt, value, 0, 1e6, &o->trend_weight);
    if (!strcmp(name, "trend-pow"))
        return xs_cli_double(cmd, opt, value, 0, 100, &o->trend_pow);
    if (!strcmp(name, "neighbours")) {
        if (xs_cli_long(cmd, opt, value, 0, 1000000, &l)) return XS_EXIT_USAGE;
        o->neighbours = (size_t)l;
        return 0;
    }
    if (!strcmp(name, "trend-lag")) {
        if (xs_cli_long(cmd, opt, value, 0, 100000, &l)) return XS_EXIT_USAGE;
        o->trend_lag = (int)l;
        return 0;
    }
    if (!strcmp(name, "trend-days")) {
        if (xs_cli_long(cmd, opt, value, 0, 100000, &l)) return XS_EXIT_USAGE;
        o->trend_days = (int)l;
        return 0;
    }
    return xs_cli_usage_error(cmd, "unknown option \"%s\"", opt);
}

static int add_rows(xs_table *t, const xs_rank *r, uint32_t c, const xs_rank_hit *h,
                    int n)
{
    for (int i = 0; i < n; i++) {
        if (xs_table_row(t) < 0) return XS_ENOMEM;
        xs_table_cell(t, xs_rank_customer_id(r, c));
        xs_table_cellf(t, "%d", i + 1);
        xs_table_cell(t, xs_rank_product_id(r, h[i].product));
        xs_table_cell(t, xs_rank_product_name(r, h[i].product));
        xs_table_cellf(t, "%.6g", h[i].score);
        if (h[i].evidence == XS_RANK_NONE) {
            xs_table_cell(t, "");
            xs_table_cellf(t, "%g", 0.0);
        } else {
            xs_table_cell(t, xs_rank_product_id(r, h[i].evidence));
            xs_table_cellf(t, "%.3g", h[i].evidence_share);
        }
    }
    return XS_OK;
}

int xs_cmd_rank(int argc, char **argv)
{
    static const struct option opts[] = {
        {"db", required_argument, NULL, 'd'},
        {"model", required_argument, NULL, 'o'},
        {"customer", required_argument, NULL, 'c'},
        {"all", no_argument, NULL, 'a'},
        {"as-of", required_argument, NULL, 'A'},
        {"limit", required_argument, NULL, 'k'},
        {"cart", required_argument, NULL, 'C'},
        {"format", required_argument, NULL, 'f'},
        XS_CLI_RANK_MODEL_OPTIONS,
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *db = NULL, *model = NULL, *customer = NULL;
    char *cart = NULL;
    int all = 0;
    long limit = 10;
    xs_format fmt = XS_FORMAT_TABLE;
    xs_rank_opts o;
    xs_rank_opts_init(&o);
    int c, idx = 0;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":h", opts, &idx)) != -1) {
        switch (c) {
        case 'd':
            db = optarg;
            break;
        case 'o':
            model = optarg;
            break;
        case 'c':
            customer = optarg;
            break;
        case 'a':
            all = 1;
            break;
        case 'A':
            o.as_of = optarg;
            break;
        case 'k':
            if (xs_cli_long(CMD, "--limit", optarg, 1, 100000, &limit))
                return XS_EXIT_USAGE;
            break;
        case 'C':
            cart = optarg;
            break;
        case 'f':
            if (xs_cli_format(CMD, optarg, &fmt)) return XS_EXIT_USAGE;
            break;
        case 'M':
            if (xs_cli_rank_model_opt(CMD, opts[idx].name, optarg, &o))
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
    if (!db && !model) return xs_cli_usage_error(CMD, "--db FILE is required");
    if (!customer == !all)
        return xs_cli_usage_error(CMD, "give one of --customer ID or --all");
    if (!o.as_of) return xs_cli_usage_error(CMD, "--as-of DATE is required");
    if (cart && all)
        return xs_cli_usage_error(CMD, "--cart goes with --customer, not --all");

    int rc = XS_EXIT_OK;
    xs_error e;
    memset(&e, 0, sizeof e);
    xs_cli_src src;
    xs_rank *r = NULL;
    xs_rank_scratch *q = NULL;
    xs_rank_hit *hits = NULL;
    uint32_t *ids = NULL;
    size_t n_cart = 0;
    xs_table *t = NULL;

    if (db && !xs_store_exists(db)) {
        fprintf(stderr, "xsell " CMD ": %s: %s\n", db, strerror(errno));
        return XS_EXIT_USAGE;
    }
    if ((rc = xs_cli_src_open(CMD, db, model, 0, &src)) >= 0) return rc;
    rc = XS_EXIT_OK;
    if (xs_rank_build(src.s, &o, &r, &e) < 0) {
        rc = xs_cli_fail(CMD, &e);
        goto cleanup;
    }
    uint32_t cust = 0;
    if (customer && xs_rank_find_customer(r, customer, &cust) != XS_OK) {
        fprintf(stderr, "xsell " CMD ": --customer: unknown customer \"%s\"\n", customer);
        rc = XS_EXIT_USAGE;
        goto cleanup;
    }
    if (cart) {
        size_t cap = 1;
        for (const char *p = cart; *p; p++)
            cap += *p == ',';
        if (!(ids = malloc(cap * sizeof *ids))) goto nomem;
        char *save = NULL;
        for (char *tok = strtok_r(cart, ",", &save); tok;
             tok = strtok_r(NULL, ",", &save)) {
            if (xs_rank_find_product(r, tok, &ids[n_cart]) != XS_OK) {
                fprintf(stderr, "xsell " CMD ": --cart: unknown product \"%s\"\n", tok);
                rc = XS_EXIT_USAGE;
                goto cleanup;
            }
            n_cart++;
        }
    }
    hits = malloc((size_t)limit * sizeof *hits);
    t = xs_table_new();
    if (!hits || !t || xs_rank_scratch_new(r, &q) < 0) goto nomem;
    xs_table_column(t, "customer_id", XS_COL_TEXT);
    xs_table_column(t, "rank", XS_COL_NUM);
    xs_table_column(t, "product_id", XS_COL_TEXT);
    xs_table_column(t, "product", XS_COL_TEXT);
    xs_table_column(t, "score", XS_COL_NUM);
    xs_table_column(t, "evidence", XS_COL_TEXT);
    xs_table_column(t, "evidence_share", XS_COL_NUM);
    if (customer) {
        int n = xs_rank_customer(r, q, cust, ids, n_cart, hits, (size_t)limit);
        if (n < 0 || add_rows(t, r, cust, hits, n) < 0) goto nomem;
    } else {
        xs__progress pr;
        xs__progress_start(&pr, "ranking", xs_rank_n_customers(r));
        for (uint32_t i = 0; i < xs_rank_n_customers(r); i++) {
            xs__progress_update(&pr, i + 1);
            if (!xs_rank_has_history(r, i)) continue;
            int n = xs_rank_customer(r, q, i, NULL, 0, hits, (size_t)limit);
            if (n < 0 || add_rows(t, r, i, hits, n) < 0) {
                xs__progress_finish(&pr);
                goto nomem;
            }
        }
        xs__progress_finish(&pr);
    }
    if (xs_table_write(t, stdout, fmt) < 0) {
        fprintf(stderr, "xsell " CMD ": cannot write the output\n");
        rc = XS_EXIT_FAIL;
    }
    goto cleanup;
nomem:
    fprintf(stderr, "xsell " CMD ": out of memory\n");
    rc = XS_EXIT_FAIL;
cleanup:
    xs_table_free(t);
    free(hits);
    free(ids);
    xs_rank_scratch_free(q);
    xs_rank_free(r);
    xs_cli_src_close(&src);
    return rc;
}
