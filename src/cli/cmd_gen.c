/*
 * cmd_gen.c — `xsell gen`: writes a deterministic demo company (the input
 * tables as CSV plus the truth it planted, optionally with past holdout
 * experiments: --holdout-days) through xs_gen_write(), and prints
 * one line per file with its rows on stderr.
 */
#include "cli/cli.h"

#include <limits.h>
#include <stdio.h>

#define STR_(x) #x
#define STR(x) STR_(x)

struct gen_opts {
    const char *out;
    long customers, seed;
    int holdout_days;
};

#define G(field) .off = offsetof(struct gen_opts, field)
static const xs_opt opts[] = {
    {"out", 0, "DIR", XS_OPT_STR, G(out), .help = "output directory (created when absent)"},
    {"customers", 0, "N", XS_OPT_LONG, G(customers), .lo = 1,
     .hi = (double)XS_GEN_MAX_CUSTOMERS,
     .help = "number of customers, 1..100000000 (default 1000)"},
    {"seed", 0, "S", XS_OPT_LONG, G(seed), .lo = 0, .hi = (double)LONG_MAX,
     .help = "random seed, a non-negative integer (default 42)"},
    {.ref = &xs_cli_opt_as_of,
     .help = "the day the data ends, YYYY-MM-DD (default " XS_GEN_DEFAULT_AS_OF ")"},
    {"holdout-days", 0, "N", XS_OPT_INT, G(holdout_days), .lo = 0,
     .hi = XS_GEN_MAX_HOLDOUT_DAYS,
     .help = "0.." STR(XS_GEN_MAX_HOLDOUT_DAYS) " (default 0: none): the company ran a\n"
             "random holdout for each offer kind (strategies upsell,\n"
             "cross_sell, downsell; split " XS_GEN_HOLDOUT_SPLIT ")\n"
             "over the last N days: offers of a kind sent from\n"
             "as_of - N on were withheld from that kind's holdout\n"
             "customers (recorded in truth.json \"experiments\")"},
    {0},
};

static const xs_cli_spec spec = {
    "gen",
    "xsell gen --out DIR [--customers N] [--seed S] [--as-of DATE]\n"
    "          [--holdout-days N]",
    .about = "Writes a deterministic demo company (B2B SaaS plans and a web shop) as CSV\n"
             "files in the import formats, in dependency order:\n"
             "  customers.csv products.csv subscriptions.csv orders.csv usage.csv\n"
             "  events.csv offers.csv\n"
             "and the truth it planted (complementary products, co-purchase itemsets,\n"
             "offer propensities, usage classes, customers about to churn):\n"
             "  truth.json truth_customers.csv\n"
             "The same options give byte-identical files.",
    .opts = opts,
};

int xs_cmd_gen(int argc, char **argv)
{
    xs_gen_options opt;
    xs_gen_options_init(&opt);
    struct gen_opts g = {NULL, (long)opt.n_customers, (long)opt.seed, opt.holdout_days};
    xs_cli_args a = {0};
    int rc = xs_cli_parse(&spec, argc, argv, &a, &g);
    if (rc >= 0) return rc;
    const char *out = g.out;
    if (!out) return xs_cli_usage_error("gen", "--out DIR is required");
    opt.n_customers = (uint64_t)g.customers;
    opt.seed = (uint64_t)g.seed;
    opt.holdout_days = g.holdout_days;
    if (a.as_of) opt.as_of = a.as_of;
    xs_gen_stats st;
    xs_error err;
    rc = xs_gen_write(out, &opt, &st, &err);
    if (rc < 0) return xs_cli_fail("gen", &err);
    for (int f = 0; f < XS_GEN_N_FILES; f++)
        fprintf(stderr, "%s/%s: %llu rows, %llu bytes\n", out,
                xs_gen_file_name((xs_gen_file)f), (unsigned long long)st.rows[f],
                (unsigned long long)st.bytes[f]);
    return XS_EXIT_OK;
}
