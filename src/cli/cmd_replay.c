/*
 * cmd_replay.c — `xsell replay`: what another policy configuration would
 * have earned on the decisions logged with their propensities (`xsell
 * recommend --log`, `xsell serve --log-decisions`), by IPS, self-normalised
 * IPS and doubly robust estimators with 95 % confidence intervals and the
 * effective sample size; --save keeps the result in the store for GET
 * /v1/replays. A thin shell over xs_replay_run() (docs/replay.md).
 */
#include "cli/cli.h"
#include "base/date.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define CMD "replay"

struct replay_opts {
    const char *policy, *from, *to;
    int save;
};

#define R(field) .off = offsetof(struct replay_opts, field)
static const xs_opt opts[] = {
    {.ref = &xs_cli_opt_db, .help = "the store (required)"},
    {"policy", 0, "CONFIG", XS_OPT_STR, R(policy),
     .help = "a file of name=value lines (# comments): control_share,\n"
             "epsilon_upsell, epsilon_cross_sell, epsilon_downsell,\n"
             "thompson_upsell, thompson_cross_sell, thompson_downsell,\n"
             "explore_seed, max_offers, min_health (required)"},
    {"from", 0, "DATE", XS_OPT_STR, R(from),
     .help = "first decision day (default: the first logged)"},
    {"to", 0, "DATE", XS_OPT_STR, R(to), .help = "last decision day (default: the last logged)"},
    {"save", 0, NULL, XS_OPT_FLAG, R(save),
     .help = "keep the result in the store (GET /v1/replays)"},
    {.ref = &xs_cli_opt_format},
    {0},
};

static const xs_cli_spec spec = {
    CMD,
    "xsell replay --db FILE --policy CONFIG [--from DATE] [--to DATE]\n"
    "             [--save] [--format F]",
    .about = "Estimates what the policy CONFIG would have earned per logged decision\n"
             "(one slot of one customer), from the decisions logged with their\n"
             "propensities and the outcomes of their offers: IPS, self-normalised IPS\n"
             "(snips) and doubly robust (dr), with 95 % confidence intervals, and the\n"
             "logging policy's own mean (logged). Rules: docs/replay.md.",
    .opts = opts,
    .flags = XS_CLI_DB,
};

int xs_cmd_replay(int argc, char **argv)
{
    struct replay_opts o = {0};
    xs_cli_args a = {0};
    int rc = xs_cli_parse(&spec, argc, argv, &a, &o);
    if (rc >= 0) return rc;
    const char *db = a.db, *policy = o.policy, *from = o.from, *to = o.to;
    int save = o.save;
    xs_format fmt = a.format;
    if (!policy) return xs_cli_usage_error(CMD, "--policy CONFIG is required");
    xs_offer_config cfg;
    char text[1024];
    xs_error e;
    if (xs_replay_policy_read(policy, &cfg, text, sizeof text, &e) < 0)
        return xs_cli_fail(CMD, &e);
    xs_store *st = NULL;
    xs_table *t = NULL;
    char *json = NULL;
    xs_replay_result r;
    int ex = XS_EXIT_FAIL;
    /* only --save writes: without it the store may be read-only */
    int orc = save ? xs_store_open(&st, db, &e) : xs_store_open_readonly(&st, db, &e);
    if (orc < 0 || xs_replay_run(st, &cfg, from, to, &r, &e) < 0) {
        ex = xs_cli_fail(CMD, &e);
        goto cleanup;
    }
    json = xs_replay_result_json(&r, text);
    t = xs_table_new();
    if (!json || !t || xs_replay_table(&r, t) < 0) {
        fprintf(stderr, "xsell %s: out of memory\n", CMD);
        goto cleanup;
    }
    if (save) {
        char now[21];
        long long id = 0;
        xs__utc_now(now);
        if (xs_store_replay_save(st, now, text, from, to, json, &id, &e) < 0) {
            ex = xs_cli_fail(CMD, &e);
            goto cleanup;
        }
        fprintf(stderr, "saved replay %lld\n", id);
    }
    if (fmt == XS_FORMAT_JSON) {
        if (printf("%s\n", json) < 0) goto io;
    } else {
        if (fmt == XS_FORMAT_TABLE &&
            printf("policy %s\ndecisions %zu from %s to %s (skipped: %zu pending, %zu"
                   " without propensity)\neffective sample size %.1f, mean weight %.4f,"
                   " max weight %.4f, unsupported share %.4f\n\n",
                   text[0] ? text : "(defaults)", r.n_decisions, r.from, r.to,
                   r.n_pending, r.n_no_propensity, r.ess, r.mean_weight, r.max_weight,
                   r.no_support) < 0)
            goto io;
        if (xs_table_write(t, stdout, fmt) < 0) goto io;
    }
    if (fflush(stdout)) goto io;
    ex = XS_EXIT_OK;
    goto cleanup;
io:
    fprintf(stderr, "xsell %s: cannot write the output\n", CMD);
cleanup:
    free(json);
    xs_table_free(t);
    xs_store_close(st);
    return ex;
}
