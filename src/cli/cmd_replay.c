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

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define CMD "replay"

static const char usage[] =
    "usage: xsell replay --db FILE --policy CONFIG [--from DATE] [--to DATE]\n"
    "                    [--save] [--format F]\n"
    "\n"
    "Estimates what the policy CONFIG would have earned per logged decision\n"
    "(one slot of one customer), from the decisions logged with their\n"
    "propensities and the outcomes of their offers: IPS, self-normalised IPS\n"
    "(snips) and doubly robust (dr), with 95 % confidence intervals, and the\n"
    "logging policy's own mean (logged). Rules: docs/replay.md.\n"
    "\n"
    "  --db FILE        the store (required)\n"
    "  --policy CONFIG  a file of name=value lines (# comments): control_share,\n"
    "                   epsilon_upsell, epsilon_cross_sell, epsilon_downsell,\n"
    "                   thompson_upsell, thompson_cross_sell, thompson_downsell,\n"
    "                   explore_seed, max_offers, min_health (required)\n"
    "  --from DATE      first decision day (default: the first logged)\n"
    "  --to DATE        last decision day (default: the last logged)\n"
    "  --save           keep the result in the store (GET /v1/replays)\n"
    "  --format F       table (default), json or csv\n";

int xs_cmd_replay(int argc, char **argv)
{
    static const struct option opts[] = {
        {"db", required_argument, NULL, 'd'},   {"policy", required_argument, NULL, 'p'},
        {"from", required_argument, NULL, 'F'}, {"to", required_argument, NULL, 'T'},
        {"save", no_argument, NULL, 's'},       {"format", required_argument, NULL, 'f'},
        {"help", no_argument, NULL, 'h'},       {NULL, 0, NULL, 0},
    };
    const char *db = NULL, *policy = NULL, *from = NULL, *to = NULL;
    int save = 0, c;
    xs_format fmt = XS_FORMAT_TABLE;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
        switch (c) {
        case 'd':
            db = optarg;
            break;
        case 'p':
            policy = optarg;
            break;
        case 'F':
            from = optarg;
            break;
        case 'T':
            to = optarg;
            break;
        case 's':
            save = 1;
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
    if (!policy) return xs_cli_usage_error(CMD, "--policy CONFIG is required");
    xs_offer_config cfg;
    char text[1024];
    xs_error e;
    if (xs_replay_policy_read(policy, &cfg, text, sizeof text, &e) < 0)
        return xs_cli_fail(CMD, &e);
    if (!xs_store_exists(db)) {
        fprintf(stderr, "xsell %s: %s: no such store\n", CMD, db);
        return XS_EXIT_USAGE;
    }
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
