/*
 * cmd_gen.c — `xsell gen`: writes a deterministic demo company (the input
 * tables as CSV plus the truth it planted, optionally with past holdout
 * experiments: --holdout-days) through xs_gen_write(), and prints
 * one line per file with its rows on stderr.
 */
#include "cli/cli.h"

#include <getopt.h>
#include <limits.h>
#include <stdio.h>

static void usage(FILE *out)
{
    fprintf(out,
            "usage: xsell gen --out DIR [--customers N] [--seed S] [--as-of DATE]\n"
            "                 [--holdout-days N]\n\n"
            "Writes a deterministic demo company (B2B SaaS plans and a web shop) as CSV\n"
            "files in the import formats, in dependency order:\n"
            "  customers.csv products.csv subscriptions.csv orders.csv usage.csv\n"
            "  events.csv offers.csv\n"
            "and the truth it planted (complementary products, co-purchase itemsets,\n"
            "offer propensities, usage classes, customers about to churn):\n"
            "  truth.json truth_customers.csv\n"
            "The same options give byte-identical files.\n\n"
            "Options:\n"
            "  --out DIR        output directory (created when absent)\n"
            "  --customers N    number of customers, 1..100000000 (default 1000)\n"
            "  --seed S         random seed, a non-negative integer (default 42)\n"
            "  --as-of DATE     the day the data ends, YYYY-MM-DD (default %s)\n"
            "  --holdout-days N 0..%d (default 0: none): the company ran a random\n"
            "                   holdout for each offer kind (strategies upsell,\n"
            "                   cross_sell, downsell; split %s)\n"
            "                   over the last N days: offers of a kind sent from\n"
            "                   as_of - N on were withheld from that kind's holdout\n"
            "                   customers (recorded in truth.json \"experiments\")\n"
            "  --help           this text\n\n"
            "Exit status: 0 ok, 1 a write failed, 2 bad usage.\n",
            XS_GEN_DEFAULT_AS_OF, XS_GEN_MAX_HOLDOUT_DAYS, XS_GEN_HOLDOUT_SPLIT);
}

int xs_cmd_gen(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"out", required_argument, NULL, 'o'},
        {"customers", required_argument, NULL, 'n'},
        {"seed", required_argument, NULL, 's'},
        {"as-of", required_argument, NULL, 'a'},
        {"holdout-days", required_argument, NULL, 'H'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    xs_gen_options opt;
    xs_gen_options_init(&opt);
    const char *out = NULL;
    long v;
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":", longopts, NULL)) != -1) {
        switch (c) {
        case 'o':
            out = optarg;
            break;
        case 'n':
            if (xs_cli_long("gen", "--customers", optarg, 1, (long)XS_GEN_MAX_CUSTOMERS,
                            &v))
                return XS_EXIT_USAGE;
            opt.n_customers = (uint64_t)v;
            break;
        case 's':
            if (xs_cli_long("gen", "--seed", optarg, 0, LONG_MAX, &v))
                return XS_EXIT_USAGE;
            opt.seed = (uint64_t)v;
            break;
        case 'a':
            opt.as_of = optarg;
            break;
        case 'H':
            if (xs_cli_long("gen", "--holdout-days", optarg, 0, XS_GEN_MAX_HOLDOUT_DAYS,
                            &v))
                return XS_EXIT_USAGE;
            opt.holdout_days = (int)v;
            break;
        case 'h':
            usage(stdout);
            return XS_EXIT_OK;
        default:
            return xs_cli_bad_option("gen", c, argv);
        }
    }
    if (optind < argc)
        return xs_cli_usage_error("gen", "unexpected argument \"%s\"", argv[optind]);
    if (!out) return xs_cli_usage_error("gen", "--out DIR is required");
    xs_gen_stats st;
    xs_error err;
    int rc = xs_gen_write(out, &opt, &st, &err);
    if (rc < 0) return xs_cli_fail("gen", &err);
    for (int f = 0; f < XS_GEN_N_FILES; f++)
        fprintf(stderr, "%s/%s: %llu rows, %llu bytes\n", out,
                xs_gen_file_name((xs_gen_file)f), (unsigned long long)st.rows[f],
                (unsigned long long)st.bytes[f]);
    return XS_EXIT_OK;
}
