/*
 * cmd_outcome.c — `xsell outcome`: records what became of a logged offer
 * (`xsell recommend --log`): accepted, declined or ignored, when, and the
 * revenue change. The next build learns from it and the guardrails see it
 * (a declined product is not offered again for declined_days). A thin
 * shell over xs_store_offer_outcome() (docs/offers.md, "Closing the loop").
 */
#include "cli/cli.h"
#include "base/date.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define CMD "outcome"

static const char usage[] =
    "usage: xsell outcome --db FILE --offer ID accepted|declined|ignored\n"
    "                     [--at DATE] [--revenue-delta AMOUNT]\n"
    "\n"
    "Records the outcome of an offer logged by 'xsell recommend --log'.\n"
    "An outcome is final: an offer that already has one is refused.\n"
    "\n"
    "  --db FILE               the store (required)\n"
    "  --offer ID              the offer's id (required)\n"
    "  --at DATE               when it was decided, YYYY-MM-DD, not before the\n"
    "                          offer was sent (default: today, UTC)\n"
    "  --revenue-delta AMOUNT  change in revenue, in the store's currency\n"
    "                          (may be negative)\n";

int xs_cmd_outcome(int argc, char **argv)
{
    static const struct option opts[] = {
        {"db", required_argument, NULL, 'd'},
        {"offer", required_argument, NULL, 'o'},
        {"at", required_argument, NULL, 'a'},
        {"revenue-delta", required_argument, NULL, 'r'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *db = NULL, *offer = NULL, *at = NULL, *delta = NULL;
    char today[11];
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
        switch (c) {
        case 'd':
            db = optarg;
            break;
        case 'o':
            offer = optarg;
            break;
        case 'a':
            at = optarg;
            break;
        case 'r':
            delta = optarg;
            break;
        case 'h':
            fputs(usage, stdout);
            return XS_EXIT_OK;
        default:
            return xs_cli_bad_option(CMD, c, argv);
        }
    }
    if (!db) return xs_cli_usage_error(CMD, "--db FILE is required");
    if (!offer) return xs_cli_usage_error(CMD, "--offer ID is required");
    if (optind >= argc)
        return xs_cli_usage_error(CMD, "give the outcome: accepted, declined or ignored");
    if (optind + 1 < argc)
        return xs_cli_usage_error(CMD, "unexpected argument \"%s\"", argv[optind + 1]);
    const char *outcome = argv[optind];
    if (strcmp(outcome, "accepted") && strcmp(outcome, "declined") &&
        strcmp(outcome, "ignored"))
        return xs_cli_usage_error(
            CMD, "expected accepted, declined or ignored, got \"%s\"", outcome);
    if (!at) {
        xs__utc_today(today);
        at = today;
    }
    if (!xs_store_exists(db)) {
        fprintf(stderr, "xsell %s: %s: no such store\n", CMD, db);
        return XS_EXIT_USAGE;
    }
    xs_store *st = NULL;
    xs_error e;
    int ex = XS_EXIT_OK;
    if (xs_store_open(&st, db, &e) < 0 ||
        xs_store_offer_outcome(st, offer, outcome, at, delta, &e) < 0)
        ex = xs_cli_fail(CMD, &e);
    else
        printf("%s: %s on %s\n", offer, outcome, at);
    xs_store_close(st);
    return ex;
}
