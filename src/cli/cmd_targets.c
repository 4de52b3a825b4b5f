/*
 * cmd_targets.c — `xsell targets`: the accounts to approach, ranked by the
 * total expected value of their offers (xs_offer_targets), with LTV,
 * segment, size, adoption maturity and loyalty. A thin shell over the
 * "Offer engine" section of xsell.h (docs/offers.md); needs the store's
 * build (`xsell build`, xs_offer_engine_open).
 */
#include "cli/cli.h"

#include <stdio.h>
#include <string.h>

#define CMD "targets"

struct targets_opts {
    xs_offer_config cfg;
    long limit;
    int churn_model;
};

#define T(field) .off = offsetof(struct targets_opts, field)
static const xs_opt opts[] = {
    {.ref = &xs_cli_opt_db, .help = "the store (required unless --model)"},
    {.ref = &xs_cli_opt_model,
     .help = "read the model file FILE ('xsell build') instead of\n"
             "the store (with --db: it must be that store's); with\n"
             "only --db, the store's latest model when it is current;\n"
             "the list is the model's, paged, unless the settings differ"},
    {"limit", 0, "N", XS_OPT_LONG, T(limit), .lo = 1, .hi = 2000000000L,
     .help = "at most N accounts (default all)"},
    {.ref = &xs_cli_opt_as_of, .help = "decide as of DATE (default: the store's latest date)"},
    {.ref = &xs_cli_opt_set, T(cfg)},
    {.ref = &xs_cli_opt_threads, .help = "decide on N threads (default 2)"},
    {"churn-model", 0, NULL, XS_OPT_FLAG, T(churn_model),
     .help = "P(churn) from the churn module's store-history model"},
    {.ref = &xs_cli_opt_format},
    {0},
};

static const xs_cli_spec spec = {
    CMD,
    "xsell targets --db FILE [--model FILE] [--limit N] [--as-of DATE] [--set SPEC]\n"
    "              [--threads N] [--churn-model] [--format F]",
    .about = "Accounts ranked by the total expected value of their next best offers\n"
             "(those with no offer left out; ties by customer_id). Rules: docs/offers.md.\n"
             "The store must have been built with 'xsell build --db FILE'.",
    .opts = opts,
    .notes = "Columns: rank, customer_id, expected_value, offers, top_offer, ltv,\n"
             "segment, size, maturity (active product families), health, loyalty\n"
             "(health segment).",
    .flags = XS_CLI_DB_OR_MODEL,
};

int xs_cmd_targets(int argc, char **argv)
{
    struct targets_opts o = {.limit = 0};
    xs_cli_args a = {.threads = 2};
    xs_offer_config_init(&o.cfg);
    int rc = xs_cli_parse(&spec, argc, argv, &a, &o);
    if (rc >= 0) return rc;
    if (o.churn_model) o.cfg.churn_model = 1;
    const char *db = a.db, *model = a.model, *as_of = a.as_of;
    long limit = o.limit;
    int threads = a.threads;
    xs_offer_config cfg = o.cfg;
    xs_format fmt = a.format;
    xs_cli_src src;
    xs_offer_engine *en = NULL;
    xs_table *t = NULL;
    int ex = XS_EXIT_FAIL, own_en = 0;
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
                    : xs_offer_targets(en, threads, (size_t)limit, t, NULL)) < 0) {
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
