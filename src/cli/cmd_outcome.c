/*
 * cmd_outcome.c — `xsell outcome`: records what became of a logged offer
 * (`xsell recommend --log`): accepted, declined or ignored, when, and the
 * revenue change. The next build learns from it and the guardrails see it
 * (a declined product is not offered again for declined_days). A thin
 * shell over xs_store_offer_outcome() (docs/offers.md, "Closing the loop").
 */
#include "cli/cli.h"
#include "base/date.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#define CMD "outcome"

struct outcome_opts {
    const char *offer, *at, *delta;
};

#define O(field) .off = offsetof(struct outcome_opts, field)
static const xs_opt opts[] = {
    {.ref = &xs_cli_opt_db, .help = "the store (required)"},
    {"offer", 0, "ID", XS_OPT_STR, O(offer), .help = "the offer's id (required)"},
    {"at", 0, "DATE", XS_OPT_STR, O(at),
     .help = "when it was decided, YYYY-MM-DD, not before the\n"
             "offer was sent (default: today, UTC)"},
    {"revenue-delta", 0, "AMOUNT", XS_OPT_STR, O(delta),
     .help = "change in revenue, in the store's currency\n(may be negative)"},
    {0},
};

static const xs_cli_spec spec = {
    CMD,
    "xsell outcome --db FILE --offer ID accepted|declined|ignored\n"
    "              [--at DATE] [--revenue-delta AMOUNT]",
    .about = "Records the outcome of an offer logged by 'xsell recommend --log'.\n"
             "An outcome is final: an offer that already has one is refused.",
    .opts = opts,
    .flags = XS_CLI_DB,
    .max_operands = 1,
};

int xs_cmd_outcome(int argc, char **argv)
{
    struct outcome_opts o = {0};
    xs_cli_args a = {0};
    char today[11];
    int rc = xs_cli_parse(&spec, argc, argv, &a, &o);
    if (rc >= 0) return rc;
    const char *db = a.db, *offer = o.offer, *at = o.at, *delta = o.delta;
    if (!offer) return xs_cli_usage_error(CMD, "--offer ID is required");
    if (a.argc < 1)
        return xs_cli_usage_error(CMD, "give the outcome: accepted, declined or ignored");
    const char *outcome = a.argv[0];
    if (strcmp(outcome, "accepted") && strcmp(outcome, "declined") &&
        strcmp(outcome, "ignored"))
        return xs_cli_usage_error(CMD, "expected accepted, declined or ignored, got %s",
                                  xs_cli_q(outcome));
    if (!at) {
        xs__utc_today(today);
        at = today;
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
