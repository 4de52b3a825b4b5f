/*
 * cmd_together.c — `xsell together`: frequently bought together.
 *
 * Reads baskets from a file (FIMI or basket CSV) or from the store (orders
 * or adoption sets), builds the item-similarity model and prints the top
 * neighbours of one item, the recommendations for a cart, or every item's
 * neighbours. A thin shell over xs_together_* in xsell.h.
 */
#include "cli/cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CMD "together"

struct together_opts {
    xs_cli_basket_src in;
    xs_together_opts o;
    const char *item;
    char *cart;
    long top;
    double half_life;
};

static int parse_measure(const char *v, void *out)
{
    return xs_together_measure_parse(v, out) == XS_OK ? 0 : -1;
}

/* --cart's list, split in place by strtok_r later. */
static int set_cart(const char *cmd, const xs_opt *opt, const char *value, void *v)
{
    (void)cmd, (void)opt;
    ((struct together_opts *)v)->cart = (char *)value;
    return 0;
}

static int check(const char *cmd, const xs_cli_args *a, const void *v)
{
    const struct together_opts *t = v;
    if (!t->in.input == !a->db)
        return xs_cli_usage_error(cmd, "give one of --input FILE or --db FILE");
    if (t->item && t->cart) return xs_cli_usage_error(cmd, "give --item or --cart, not both");
    if (t->half_life > 0 && !a->db)
        return xs_cli_usage_error(cmd, "--half-life needs dated baskets: use --db");
    return -1;
}

#define T(field) .off = offsetof(struct together_opts, field)
static const xs_opt opts[] = {
    XS_CLI_BASKET_OPTS(offsetof(struct together_opts, in)),
    {.ref = &xs_cli_opt_db, .help = "baskets from the store"},
    {"item", 0, "X", XS_OPT_STR, T(item), .help = "the items most often together with X"},
    {"cart", 0, "X,Y,...", XS_OPT_CALL, .call = set_cart,
     .help = "items to add to a cart: each candidate scores the\n"
             "sum of its similarities to the cart's items (over\n"
             "their top-K lists)\n"
             "(neither: every item's neighbours)"},
    {"measure", 0, "M", XS_OPT_ENUM, T(o.measure), .parse = parse_measure,
     .expect = "count, jaccard, lift or cosine",
     .help = "count, jaccard, lift or cosine (default cosine)"},
    {"top", 0, "K", XS_OPT_LONG, T(top), .lo = 1, .hi = 10000,
     .help = "neighbours per item and rows per answer (default 10)"},
    {"half-life", 0, "DAYS", XS_OPT_DOUBLE, T(half_life), .lo = 0.001, .hi = 1e6,
     .help = "weigh each basket 0.5^(age/DAYS), age = days before\n"
             "the store's latest date (needs --db)"},
    {"min-count", 0, "N", XS_OPT_DOUBLE, T(o.min_count), .lo = 0, .hi = 1e15,
     .help = "ignore pairs seen together in fewer baskets\n"
             "(weighted with --half-life; default 0: all)"},
    {.ref = &xs_cli_opt_format},
    {0},
};

static const xs_cli_spec spec = {
    CMD,
    "xsell together (--input FILE [--input-format fimi|basket] |\n"
    "                --db FILE [--source orders|adoption])\n"
    "               [--item X | --cart X,Y,...] [--measure M] [--top K]\n"
    "               [--half-life DAYS] [--min-count N] [--format F]",
    .about = "Items bought together, by co-occurrence over baskets.",
    .opts = opts,
    .flags = XS_CLI_DB_OPTIONAL,
    .check = check,
};

/* Prints an error about a value of an option (`--item: unknown item "x"`), exit 2. */
static int bad_value(const char *opt, const char *what, const char *value)
{
    fprintf(stderr, "xsell " CMD ": %s: %s %s\n", opt, what, xs_cli_q(value));
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

int xs_cmd_together(int argc, char **argv)
{
    struct together_opts to = {.in = {NULL, XS_BASKETS_FIMI, XS_SOURCE_ORDERS}, .top = 10};
    to.o.measure = XS_SIM_COSINE;
    xs_cli_args a = {0};
    int rc = xs_cli_parse(&spec, argc, argv, &a, &to);
    if (rc >= 0) return rc;
    const char *input = to.in.input, *db = a.db, *item = to.item;
    char *cart = to.cart;
    xs_baskets_format in_fmt = to.in.ifmt;
    xs_mine_source source = to.in.source;
    xs_together_opts o = to.o;
    long top = to.top;
    xs_format fmt = a.format;
    o.top_k = (size_t)top;
    o.half_life = to.half_life;

    rc = XS_EXIT_OK;
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
    if (item) {
        uint32_t id;
        if (xs_together_find(m, item, &id) != XS_OK) {
            rc = bad_value("--item", "unknown item", item);
            goto cleanup;
        }
        int n = xs_together_item(m, id, hits, (size_t)top);
        if (xs_together_table(m, hits, (size_t)n, t) < 0) goto nomem;
    } else if (cart) {
        size_t n_cart;
        if ((rc = parse_cart(m, cart, &ids, &n_cart)) != 0) goto cleanup;
        if (xs_together_query_new(m, &q) < 0) goto nomem;
        int n = xs_together_cart(m, q, ids, n_cart, hits, (size_t)top);
        if (xs_together_table(m, hits, (size_t)n, t) < 0) goto nomem;
    } else if (xs_together_table_all(m, (size_t)top, t) < 0) {
        goto nomem;
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
