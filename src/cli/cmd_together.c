/*
 * cmd_together.c — `xsell together`: frequently bought together.
 *
 * Reads baskets from a file (FIMI or basket CSV) or from the store (orders
 * or adoption sets), builds the item-similarity model and prints the top
 * neighbours of one item, the recommendations for a cart, or every item's
 * neighbours. A thin shell over xs_together_* in xsell.h.
 */
#include "cli/cli.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char usage[] =
    "usage: xsell together (--input FILE [--input-format fimi|basket] |\n"
    "                       --db FILE [--source orders|adoption])\n"
    "                      [--item X | --cart X,Y,...] [--measure M] [--top K]\n"
    "                      [--half-life DAYS] [--min-count N] [--format F]\n"
    "\n"
    "Items bought together, by co-occurrence over baskets.\n"
    "  --input FILE          baskets from a file ('-' for standard input)\n"
    "  --input-format F      fimi (item numbers, blank separated; default) or\n"
    "                        basket (item names, comma separated)\n"
    "  --db FILE             baskets from the store\n"
    "  --source S            orders (one basket per order; default) or adoption\n"
    "                        (one basket per customer: every product held)\n"
    "  --item X              the items most often together with X\n"
    "  --cart X,Y,...        items to add to a cart: each candidate scores the\n"
    "                        sum of its similarities to the cart's items (over\n"
    "                        their top-K lists)\n"
    "                        (neither: every item's neighbours)\n"
    "  --measure M           count, jaccard, lift or cosine (default cosine)\n"
    "  --top K               neighbours per item and rows per answer (default 10)\n"
    "  --half-life DAYS      weigh each basket 0.5^(age/DAYS), age = days before\n"
    "                        the store's latest date (needs --db)\n"
    "  --min-count N         ignore pairs seen together in fewer baskets\n"
    "                        (weighted with --half-life; default 0: all)\n"
    "  --format F            table (default), json or csv\n";

#define CMD "together"

/* Prints an error about a value of an option (`--item: unknown item "x"`), exit 2. */
static int bad_value(const char *opt, const char *what, const char *value)
{
    fprintf(stderr, "xsell " CMD ": %s: %s \"%s\"\n", opt, what, value);
    return XS_EXIT_USAGE;
}

/* Splits a comma list of item names into ids. Returns 0 or an exit code. */
static int parse_cart(const xs_together *m, char *list, uint32_t **ids, size_t *n)
{
    size_t cap = 1;
    for (const char *p = list; *p; p++)
        cap += *p == ',';
    *ids = malloc(cap * sizeof **ids);
    if (!*ids) return XS_EXIT_FAIL;
    *n = 0;
    char *save = NULL;
    for (char *tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        if (xs_together_find(m, tok, &(*ids)[*n]) != XS_OK)
            return bad_value("--cart", "unknown item", tok);
        (*n)++;
    }
    if (*n == 0) return xs_cli_usage_error(CMD, "--cart: no items");
    return 0;
}

static int add_hits(xs_table *t, const xs_together *m, const xs_together_hit *h, int n,
                    const char *item)
{
    for (int i = 0; i < n; i++) {
        if (xs_table_row(t) < 0) return XS_ENOMEM;
        if (item) xs_table_cell(t, item);
        xs_table_cellf(t, "%d", i + 1);
        xs_table_cell(t, xs_together_item_name(m, h[i].item));
        xs_table_cellf(t, "%.6g", h[i].score);
        xs_table_cellf(t, "%.6g", h[i].count);
    }
    return XS_OK;
}

int xs_cmd_together(int argc, char **argv)
{
    static const struct option opts[] = {
        {"input", required_argument, NULL, 'i'},
        {"input-format", required_argument, NULL, 'F'},
        {"db", required_argument, NULL, 'd'},
        {"source", required_argument, NULL, 's'},
        {"item", required_argument, NULL, 'I'},
        {"cart", required_argument, NULL, 'c'},
        {"measure", required_argument, NULL, 'm'},
        {"top", required_argument, NULL, 'k'},
        {"half-life", required_argument, NULL, 'H'},
        {"min-count", required_argument, NULL, 'n'},
        {"format", required_argument, NULL, 'f'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *input = NULL, *db = NULL, *item = NULL;
    char *cart = NULL;
    xs_baskets_format in_fmt = XS_BASKETS_FIMI;
    xs_mine_source source = XS_SOURCE_ORDERS;
    xs_together_opts o;
    memset(&o, 0, sizeof o);
    o.measure = XS_SIM_COSINE;
    long top = 10;
    double half_life = 0;
    xs_format fmt = XS_FORMAT_TABLE;
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
        switch (c) {
        case 'i':
            input = optarg;
            break;
        case 'F':
            if (xs_baskets_format_parse(optarg, &in_fmt) != XS_OK)
                return xs_cli_usage_error(
                    CMD, "--input-format: expected fimi or basket, got \"%s\"", optarg);
            break;
        case 'd':
            db = optarg;
            break;
        case 's':
            if (xs_mine_source_parse(optarg, &source) != XS_OK)
                return xs_cli_usage_error(
                    CMD, "--source: expected orders or adoption, got \"%s\"", optarg);
            break;
        case 'I':
            item = optarg;
            break;
        case 'c':
            cart = optarg;
            break;
        case 'm':
            if (xs_together_measure_parse(optarg, &o.measure) != XS_OK)
                return xs_cli_usage_error(
                    CMD, "--measure: expected count, jaccard, lift or cosine, got \"%s\"",
                    optarg);
            break;
        case 'k':
            if (xs_cli_long(CMD, "--top", optarg, 1, 10000, &top)) return XS_EXIT_USAGE;
            break;
        case 'H':
            if (xs_cli_double(CMD, "--half-life", optarg, 0.001, 1e6, &half_life))
                return XS_EXIT_USAGE;
            break;
        case 'n':
            if (xs_cli_double(CMD, "--min-count", optarg, 0, 1e15, &o.min_count))
                return XS_EXIT_USAGE;
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
    if (!input == !db)
        return xs_cli_usage_error(CMD, "give one of --input FILE or --db FILE");
    if (item && cart) return xs_cli_usage_error(CMD, "give --item or --cart, not both");
    if (half_life > 0 && !db)
        return xs_cli_usage_error(CMD, "--half-life needs dated baskets: use --db");
    o.top_k = (size_t)top;
    o.half_life = half_life;

    int rc = XS_EXIT_OK;
    xs_error e;
    memset(&e, 0, sizeof e);
    xs_store *st = NULL;
    xs_baskets *b = NULL;
    int32_t *days = NULL;
    xs_together *m = NULL;
    xs_together_query *q = NULL;
    xs_together_hit *hits = NULL;
    uint32_t *ids = NULL;
    xs_table *t = NULL;

    if (input) {
        int r = xs_baskets_read(&b, input, in_fmt, &e);
        if (r < 0) {
            if (r == XS_EPARSE)
                rc = xs_cli_baskets_fail(CMD, input, in_fmt, &e);
            else
                rc = xs_cli_fail(CMD, &e);
            if (r == XS_EIO) rc = XS_EXIT_USAGE; /* unreadable input file */
            goto cleanup;
        }
    } else {
        if (!xs_store_exists(db)) {
            fprintf(stderr, "xsell " CMD ": %s: no such store\n", db);
            rc = XS_EXIT_USAGE;
            goto cleanup;
        }
        if (xs_store_open_readonly(&st, db, &e) < 0) {
            rc = xs_cli_fail(CMD, &e);
            goto cleanup;
        }
        if (xs_baskets_from_store_dated(st, source, &b, &days, &o.as_of, &e) < 0) {
            rc = xs_cli_fail(CMD, &e);
            goto cleanup;
        }
        o.days = days;
    }
    if (xs_together_build(b, &o, &m, &e) < 0) {
        rc = xs_cli_fail(CMD, &e);
        goto cleanup;
    }
    hits = malloc((size_t)top * sizeof *hits);
    t = xs_table_new();
    if (!hits || !t) goto nomem;
    if (item || cart) {
        xs_table_column(t, "rank", XS_COL_NUM);
        xs_table_column(t, "item", XS_COL_TEXT);
        xs_table_column(t, "score", XS_COL_NUM);
        xs_table_column(t, "count", XS_COL_NUM);
    }
    if (item) {
        uint32_t id;
        if (xs_together_find(m, item, &id) != XS_OK) {
            rc = bad_value("--item", "unknown item", item);
            goto cleanup;
        }
        int n = xs_together_item(m, id, hits, (size_t)top);
        if (add_hits(t, m, hits, n, NULL) < 0) goto nomem;
    } else if (cart) {
        size_t n_cart;
        if ((rc = parse_cart(m, cart, &ids, &n_cart)) != 0) goto cleanup;
        if (xs_together_query_new(m, &q) < 0) goto nomem;
        int n = xs_together_cart(m, q, ids, n_cart, hits, (size_t)top);
        if (add_hits(t, m, hits, n, NULL) < 0) goto nomem;
    } else {
        xs_table_column(t, "item", XS_COL_TEXT);
        xs_table_column(t, "rank", XS_COL_NUM);
        xs_table_column(t, "neighbour", XS_COL_TEXT);
        xs_table_column(t, "score", XS_COL_NUM);
        xs_table_column(t, "count", XS_COL_NUM);
        for (uint32_t i = 0; i < xs_together_n_items(m); i++) {
            int n = xs_together_item(m, i, hits, (size_t)top);
            if (add_hits(t, m, hits, n, xs_together_item_name(m, i)) < 0) goto nomem;
        }
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
    xs_together_query_free(q);
    xs_together_free(m);
    xs_days_free(days);
    xs_baskets_free(b);
    xs_store_close(st);
    return rc;
}
