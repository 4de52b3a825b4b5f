/*
 * cmd_rank.c — `xsell rank`: the products each customer has not bought
 * yet, in order of how likely they are to buy them next, from the orders
 * dated before --as-of. A thin shell over xs_rank_* in xsell.h; its model
 * options (XS_CLI_RANK_OPTS in cli.h) are shared with `xsell evaluate`.
 */
#include "cli/cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CMD "rank"

struct rank_opts {
    xs_rank_opts model;
    const char *customer;
    char *cart;
    int all;
    long limit;
};

static int check(const char *cmd, const xs_cli_args *a, const void *v)
{
    const struct rank_opts *o = v;
    if (!a->db && !a->model) return xs_cli_usage_error(cmd, "--db FILE is required");
    if (!o->customer == !o->all)
        return xs_cli_usage_error(cmd, "give one of --customer ID or --all");
    if (!a->as_of) return xs_cli_usage_error(cmd, "--as-of DATE is required");
    if (o->cart && o->all)
        return xs_cli_usage_error(cmd, "--cart goes with --customer, not --all");
    return -1;
}

/* --cart's list, split in place by strtok_r later. */
static int set_cart(const char *cmd, const xs_opt *o, const char *value, void *v)
{
    (void)cmd;
    (void)o;
    ((struct rank_opts *)v)->cart = (char *)value;
    return 0;
}

#define R(field) .off = offsetof(struct rank_opts, field)
static const xs_opt opts[] = {
    {.ref = &xs_cli_opt_db, .help = "the store"},
    {.ref = &xs_cli_opt_model,
     .help = "read the snapshot of the model file FILE ('xsell\n"
             "build') instead of the store (with --db: it must be\n"
             "that store's); with only --db, the store's latest\n"
             "model when it is current"},
    {"customer", 0, "ID", XS_OPT_STR, R(customer),
     .help = "one customer (with no order before --as-of: recent\npopularity alone)"},
    {"all", 0, NULL, XS_OPT_FLAG, R(all),
     .help = "every customer with an order before --as-of"},
    {.ref = &xs_cli_opt_as_of, .help = "YYYY-MM-DD; orders on or after it are not read"},
    {"limit", 0, "K", XS_OPT_LONG, R(limit), .lo = 1, .hi = 100000,
     .help = "products per customer (default 10)"},
    {"cart", 0, "P,Q,...", XS_OPT_CALL, .call = set_cart,
     .help = "products in the customer's cart (product ids): they\n"
             "add evidence and are not offered"},
    {.ref = &xs_cli_opt_format},
    XS_CLI_RANK_OPTS(offsetof(struct rank_opts, model)),
    {0},
};

static const xs_cli_spec spec = {
    CMD,
    "xsell rank --db FILE [--model FILE] (--customer ID | --all) --as-of DATE\n"
    "           [--limit K]\n"
    "           [--cart P,Q,...] [MODEL OPTIONS] [--format table|json|csv]",
    .about = "Per customer, the products not bought yet, most likely next purchase first,\n"
             "from the orders dated before --as-of only (docs/evaluate.md). The model\n"
             "options (--alpha to --trend-pow) default to the model chosen in\n"
             "docs/evaluate.md.",
    .opts = opts,
    .notes = "Columns: customer_id, rank, product_id, product (name), score, evidence (the\n"
             "customer's product that contributed most; empty: popularity alone) and\n"
             "evidence_share (its share of the item-to-item score).",
    .flags = XS_CLI_DB_OR_MODEL,
    .check = check,
};

int xs_cmd_rank(int argc, char **argv)
{
    struct rank_opts ro = {.limit = 10};
    xs_cli_args a = {0};
    xs_rank_opts_init(&ro.model);
    int rc = xs_cli_parse(&spec, argc, argv, &a, &ro);
    if (rc >= 0) return rc;
    const char *db = a.db, *model = a.model, *customer = ro.customer;
    char *cart = ro.cart;
    long limit = ro.limit;
    xs_format fmt = a.format;
    xs_rank_opts o = ro.model;
    o.as_of = a.as_of;

    rc = XS_EXIT_OK;
    xs_error e;
    memset(&e, 0, sizeof e);
    xs_cli_src src;
    xs_rank *r = NULL;
    uint32_t *ids = NULL;
    size_t n_cart = 0;
    xs_table *t = NULL;

    if ((rc = xs_cli_src_open(CMD, db, model, 0, &src)) >= 0) return rc;
    rc = XS_EXIT_OK;
    if (xs_rank_build(src.s, &o, &r, &e) < 0) {
        rc = xs_cli_fail(CMD, &e);
        goto cleanup;
    }
    uint32_t cust = 0;
    if (customer && xs_rank_find_customer(r, customer, &cust) != XS_OK) {
        fprintf(stderr, "xsell " CMD ": --customer: unknown customer %s\n", xs_cli_q(customer));
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
                fprintf(stderr, "xsell " CMD ": --cart: unknown product %s\n", xs_cli_q(tok));
                rc = XS_EXIT_USAGE;
                goto cleanup;
            }
            n_cart++;
        }
    }
    if (!(t = xs_table_new()) ||
        xs_rank_table(r, customer ? cust : XS_RANK_NONE, ids, n_cart, (size_t)limit, t) < 0)
        goto nomem;
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
    free(ids);
    xs_rank_free(r);
    xs_cli_src_close(&src);
    return rc;
}
