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
    "usage: xsell targets --db FILE [--limit N] [--as-of DATE] [--set SPEC]\n"
    "                     [--threads N] [--churn-model] [--format F]\n"
    "\n"
    "Accounts ranked by the total expected value of their next best offers\n"
    "(those with no offer left out; ties by customer_id). Rules: docs/offers.md.\n"
    "The store must have been built with 'xsell build --db FILE'.\n"
    "\n"
    "  --db FILE      the store (required)\n"
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
        {"limit", required_argument, NULL, 'n'},
        {"as-of", required_argument, NULL, 'a'},
        {"set", required_argument, NULL, 'S'},
        {"threads", required_argument, NULL, 't'},
        {"churn-model", no_argument, NULL, 'M'},
        {"format", required_argument, NULL, 'f'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *db = NULL, *as_of = NULL;
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
                                          xs_error_format(&e, buf, sizeof buf));
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
    if (!db) return xs_cli_usage_error(CMD, "--db FILE is required");
    if (access(db, R_OK) != 0) {
        fprintf(stderr, "xsell %s: %s: no such store\n", CMD, db);
        return XS_EXIT_USAGE;
    }
    xs_store *st = NULL;
    xs_snapshot *snap = NULL;
    xs_offer_engine *en = NULL;
    xs_table *t = NULL;
    int ex = XS_EXIT_FAIL;
    if (xs_store_open_readonly(&st, db, &e) < 0 || xs_snapshot_load(st, &snap, &e) < 0 ||
        xs_offer_engine_open(st, snap, &cfg, as_of, &en, &e) < 0) {
        ex = xs_cli_fail(CMD, &e);
        goto cleanup;
    }
    t = xs_table_new();
    if (!t || xs_offer_targets(en, (int)threads, (size_t)limit, t, NULL) < 0) {
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
    xs_offer_engine_free(en);
    xs_snapshot_free(snap);
    xs_store_close(st);
    return ex;
}
