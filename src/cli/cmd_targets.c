/*
 * cmd_targets.c — `xsell targets`: the accounts to approach, ranked by the
 * total expected value of their offers (xs_offer_targets), with LTV,
 * segment, size, adoption maturity and loyalty. A thin shell over the
 * "Offer engine" section of xsell.h (docs/offers.md); needs the store's
 * build (`xsell build`, xs_offer_engine_open).
 */
#include "cli/cli.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define CMD "targets"

static const char usage[] =
    "usage: xsell targets --db FILE [--model FILE] [--limit N] [--as-of DATE] [--set SPEC]\n"
    "                     [--threads N] [--churn-model] [--format F]\n"
    "\n"
    "Accounts ranked by the total expected value of their next best offers\n"
    "(those with no offer left out; ties by customer_id). Rules: docs/offers.md.\n"
    "The store must have been built with 'xsell build --db FILE'.\n"
    "\n"
    "  --db FILE      the store (required unless --model)\n"
    "  --model FILE   read the model file FILE ('xsell build') instead of the\n"
    "                 store (with --db: it must be that store's); with only\n"
    "                 --db, the store's latest model when it is current; the\n"
    "                 list is the model's, paged, unless the settings differ\n"
    "  --limit N      at most N accounts (default all)\n"
    "  --as-of DATE   decide as of DATE (default: the store's latest date)\n"
    "  --set SPEC     offer settings by name, e.g. min_health=60,max_offers=1\n"
    "  --threads N    decide on N threads (default 2)\n"
    "  --churn-model  P(churn) from the churn module's store-history model\n"
    "  --format F     table (default), json or csv\n"
    "Columns: rank, customer_id, expected_value, offers, top_offer, ltv,\n"
    "segment, size, maturity (active product families), health, loyalty\n"
    "(health segment).\n";

int xs_cmd_targets(int argc, char **argv)
{
    static const struct option opts[] = {
        {"db", required_argument, NULL, 'd'},
        {"model", required_argument, NULL, 'm'},
        {"limit", required_argument, NULL, 'n'},
        {"as-of", required_argument, NULL, 'a'},
        {"set", required_argument, NULL, 'S'},
        {"threads", required_argument, NULL, 't'},
        {"churn-model", no_argument, NULL, 'M'},
        {"format", required_argument, NULL, 'f'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *db = NULL, *model = NULL, *as_of = NULL;
    long limit = 0, threads = 2;
    xs_offer_config cfg;
    xs_format fmt = XS_FORMAT_TABLE;
    xs_error e;
    int c;
    xs_offer_config_init(&cfg);
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
        switch (c) {
        case 'd':
            db = optarg;
            break;
        case 'm':
            model = optarg;
            break;
        case 'n':
            if (xs_cli_long(CMD, "--limit", optarg, 1, 2000000000L, &limit))
                return XS_EXIT_USAGE;
            break;
        case 'a':
            as_of = optarg;
            break;
        case 'S':
            if (xs_offer_config_set(&cfg, optarg, "--set", &e) < 0) {
                char buf[1200];
                return xs_cli_usage_error(CMD, "%s",
                                          xs_cli_error_format(&e, buf, sizeof buf));
            }
            break;
        case 't':
            if (xs_cli_long(CMD, "--threads", optarg, 1, 16, &threads))
                return XS_EXIT_USAGE;
            break;
        case 'M':
            cfg.churn_model = 1;
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
    if (!db && !model) return xs_cli_usage_error(CMD, "--db FILE is required");
    xs_cli_src src;
    xs_offer_engine *en = NULL;
    xs_table *t = NULL;
    int ex = XS_EXIT_FAIL, own_en = 0, rc;
    if ((rc = xs_cli_src_open(CMD, db, model, 0, &src)) >= 0) return rc;
    if ((rc = xs_cli_src_engine(CMD, &src, &cfg, as_of, &en, &own_en)) >= 0) {
        ex = rc;
        goto cleanup;
    }
    t = xs_table_new();
    size_t n_rows = 0;
    const xs_target *rows = own_en ? NULL : xs_model_targets(src.model, &n_rows);
    /* the model's ranking, paged; else every customer decided now */
    if (!t || (rows ? xs_offer_targets_page(en, rows, n_rows, 0, (size_t)limit, t)
                    : xs_offer_targets(en, (int)threads, (size_t)limit, t, NULL)) < 0) {
        fprintf(stderr, "xsell %s: out of memory\n", CMD);
        goto cleanup;
    }
    if (xs_table_write(t, stdout, fmt) < 0 || fflush(stdout)) {
        fprintf(stderr, "xsell %s: cannot write the output\n", CMD);
        goto cleanup;
    }
    ex = XS_EXIT_OK;
cleanup:
    xs_table_free(t);
    if (own_en) xs_offer_engine_free(en);
    xs_cli_src_close(&src);
    return ex;
}
