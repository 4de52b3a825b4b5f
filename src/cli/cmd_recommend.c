/*
 * cmd_recommend.c — `xsell recommend`: the next best offers of one
 * customer or of every customer of a store, with P(accept), value,
 * expected value, channel, timing, a benefit-first explanation (English or
 * Japanese) and the evidence; with --show-suppressed also the candidates a
 * guardrail held back and why; with --all a guardrail summary on stderr;
 * with --log the offered ones are logged into the store's offers table
 * (outcome pending) for `xsell outcome` to close, with each slot's decision
 * (candidates, propensity) for `xsell replay`. With --cart, the cart
 * answer instead (xs_offer_cart: a placement, not a contact; an unknown or
 * missing customer is an anonymous shopper), the same ranking as POST
 * /v1/cart/recommendations. The store must have been
 * built (`xsell build`): its stored propensity model is used.
 * A thin shell over the "Offer engine" section of xsell.h (docs/offers.md):
 * this file holds the options and the answer; the --log sink is in
 * cmd_recommend_log.c, the cart answer in cmd_recommend_cart.c.
 */
#include "cli/recommend.h"

#include <stdio.h>
#include <string.h>

#define CMD "recommend"

/* --limit K: also the engine's max_offers (a later --set may change it). */
static int set_limit(const char *cmd, const xs_opt *o, const char *value, void *opts)
{
    xs_cli_rec_args *a = opts;
    (void)o;
    if (xs_cli_long(cmd, "--limit", value, 1, 64, &a->limit)) return XS_EXIT_USAGE;
    a->cfg.max_offers = (double)a->limit;
    return 0;
}

static int set_cfg(const char *cmd, const xs_opt *o, const char *value, void *opts)
{
    (void)o;
    return xs_cli_offer_set(cmd, &((xs_cli_rec_args *)opts)->cfg, value);
}

#define OFF(f) offsetof(xs_cli_rec_args, f)
static const xs_opt opts[] = {
    {.ref = &xs_cli_opt_db, .help = "the store (required unless --model)"},
    {.ref = &xs_cli_opt_model},
    {"customer", 0, "ID", XS_OPT_STR, .off = OFF(customer), .help = "one customer"},
    {"all", 0, NULL, XS_OPT_FLAG, .off = OFF(all),
     .help = "every customer; a guardrail summary (suppressed\n"
             "candidates and expected value held back per\n"
             "guardrail) goes to stderr, and where a holdout\n"
             "experiment values offers by uplift, its evidence"},
    {"limit", 0, "K", XS_OPT_CALL, .call = set_limit,
     .help = "at most K offers per customer (default 2)"},
    {.ref = &xs_cli_opt_lang},
    {.ref = &xs_cli_opt_as_of,
     .help = "decide as of DATE (default: the store's latest date)"},
    {"show-suppressed", 0, NULL, XS_OPT_FLAG, .off = OFF(show_suppressed),
     .help = "also list the candidates a guardrail stopped"},
    {"set", 0, "SPEC", XS_OPT_CALL, .call = set_cfg,
     .help = "settings by name, e.g. min_health=60,max_contacts=1,\n"
             "usage_high=0.85 (docs/offers.md lists them all)"},
    {"cart", 0, "P,P,...", XS_OPT_STR, .off = OFF(cart),
     .help = "the cart answer instead: what to place next to these\n"
             "products (order rules, item similarity and, with a\n"
             "known --customer, its recent purchases), ranked by\n"
             "relevance; a placement is not a contact, so the\n"
             "contact guardrails do not apply; without --customer,\n"
             "or an unknown one, for an anonymous shopper (default\n"
             "--limit 10; columns customer_id, rank, product,\n"
             "trigger, because, probability, confidence, explanation)"},
    {"churn-model", 0, NULL, XS_OPT_FLAG, .off = OFF(churn_model),
     .help = "P(churn) from the churn module's store-history model\n"
             "(XGBoost; slower) instead of the built-in estimate"},
    {"log", 0, NULL, XS_OPT_FLAG, .off = OFF(log),
     .help = "log the offered offers into the store's offers table\n"
             "(outcome pending, sent_at the decision date) and each\n"
             "slot's decision with its candidates and propensity\n"
             "(decisions table; a random control share of\n"
             "control_share, default 0.02, keeps other policies\n"
             "evaluable: docs/replay.md); their ids go to stderr,\n"
             "one 'logged ID CUSTOMER PRODUCT' line each; record\n"
             "outcomes with 'xsell outcome', replay with 'xsell replay'"},
    {.ref = &xs_cli_opt_format},
    {0},
};

static const xs_cli_spec spec = {
    CMD,
    "xsell recommend --db FILE [--model FILE] (--customer ID | --all) [--limit K]\n"
    "xsell recommend --db FILE [--model FILE] --cart P,P,... [--customer ID]\n"
    "                [--limit K]\n"
    "                [--lang en|ja] [--as-of DATE] [--show-suppressed]\n"
    "                [--set SPEC] [--churn-model] [--cart P,P,...] [--log]\n"
    "                [--format F]",
    .about = "Next best offers (upsell, cross-sell, downsell) computed from the store:\n"
             "candidates, P(accept) x value = expected value, guardrails, ranking,\n"
             "channel, timing and a benefit-first explanation. Rules: docs/offers.md.\n"
             "The store must have been built with 'xsell build --db FILE'.",
    .opts = opts,
    .notes = "Columns: customer_id, rank, kind, trigger, product (from -> to),\n"
             "expected_value, probability, revenue_delta, channel, timing (now or a\n"
             "date), explanation, evidence, suppressed_by (empty when offered).\n",
    .flags = XS_CLI_DB_OR_MODEL,
};

/* The checks between options. Returns -1 to go on, else the exit code. */
static int check(const xs_cli_args *g, const xs_cli_rec_args *a)
{
    if (a->log && !g->db)
        return xs_cli_usage_error(CMD, "--log writes to the store: give --db FILE");
    if (a->cart && a->all)
        return xs_cli_usage_error(CMD, "--cart answers one shopper: not with --all");
    if (a->cart && a->log)
        return xs_cli_usage_error(
            CMD, "--log records offers made to customers: not with --cart");
    if (!a->cart && !a->customer == !a->all)
        return xs_cli_usage_error(CMD, "give either --customer ID or --all");
    return -1;
}

/* After the guardrail summary of --all, when some offer was valued by
 * uplift: the evidence per kind (docs/offers.md "Uplift"). XS_OK or XS_ENOMEM. */
static int uplift_summary(const xs_offer_engine *en)
{
    xs_table *u = xs_table_new();
    if (!u || xs_offer_uplift_table(en, u) < 0) {
        xs_table_free(u);
        return XS_ENOMEM;
    }
    fprintf(stderr, "uplift evidence:\n");
    xs_table_write(u, stderr, XS_FORMAT_TABLE);
    xs_table_free(u);
    return XS_OK;
}

/* --all: every customer, streamed in any format when nothing is logged
 * (--log logs every decision in order, on this thread), then the guardrail
 * summary on stderr. Returns -1 to go on, 0 when the output is written,
 * else the exit code; *failed: the sink failed. */
static int answer_all(xs_offer_engine *en, const xs_cli_rec_args *a, xs_format fmt,
                      xs_cli_rec_sink *k, int *streamed, int *failed)
{
    xs_offer_summary sum;
    if (!a->log) {
        /* streamed: decided and rendered on every core, written in order
         * (the aligned table in two passes: docs/offers.md) */
        if (xs_offer_write_all(en, xs_cli_threads(), a->lang, a->show_suppressed, fmt,
                               stdout, &sum, k->err) < 0)
            return xs_cli_fail(CMD, k->err);
        if (fflush(stdout)) {
            fprintf(stderr, "xsell %s: cannot write the output\n", CMD);
            return XS_EXIT_FAIL;
        }
        *streamed = 1;
    } else if (xs_offer_decide_all(en, 1, xs_cli_rec_add_rows, k, &sum) < 0) {
        *failed = 1;
        return XS_EXIT_FAIL;
    }
    xs_table *sumt = xs_table_new();
    int ok = sumt && xs_offer_summary_table(&sum, sumt) >= 0;
    if (ok) {
        fprintf(stderr, "guardrail summary: %zu customers, %zu candidates\n",
                sum.n_customers, sum.n_candidates);
        xs_table_write(sumt, stderr, XS_FORMAT_TABLE);
    }
    xs_table_free(sumt);
    if (!ok || (sum.uplift_kinds && uplift_summary(en) < 0)) return xs_cli_nomem(CMD);
    return -1;
}

/* One customer's offers into the sink. Returns -1 to go on, else the exit code. */
static int answer_one(xs_offer_engine *en, const xs_cli_rec_args *a, xs_cli_rec_sink *k,
                      int *failed)
{
    long c = xs_offer_engine_find(en, a->customer);
    if (c < 0) {
        fprintf(stderr, "xsell %s: --customer: unknown customer \"%s\"\n", CMD,
                a->customer);
        return XS_EXIT_USAGE;
    }
    xs_offer o[XS_OFFER_MAX_CANDIDATES];
    int n = xs_offer_decide(en, (uint32_t)c, o, XS_OFFER_MAX_CANDIDATES);
    if (xs_cli_rec_add_rows(k, (uint32_t)c, o, (size_t)n) < 0) {
        *failed = 1;
        return XS_EXIT_FAIL;
    }
    return -1;
}

/* --log after the answer: the rest of the decisions, the commit and the
 * ids on stderr. Returns -1 to go on, else the exit code; *failed as above. */
static int commit_log(xs_store *st, xs_cli_rec_sink *k, int *in_log, int *failed)
{
    /* logged before the output: what is shown is what the store holds */
    if (xs_cli_rec_flush_log(k) < 0) {
        *failed = 1;
        return XS_EXIT_FAIL;
    }
    *in_log = 0;
    if (xs_store_decisions_commit(st, k->err) < 0) return xs_cli_fail(CMD, k->err);
    for (size_t i = 0; i < k->n_log; i++)
        fprintf(stderr, "logged %s %s %s\n", k->log[i].offer_id, k->log[i].customer_id,
                k->log[i].product_id);
    return -1;
}

/* Decides, logs and writes what a asks of engine en. Returns the exit code. */
static int answer(xs_store *st, xs_offer_engine *en, const xs_cli_rec_args *a,
                  xs_format fmt)
{
    xs_error e;
    char policy[512];
    xs_cli_rec_sink k = {en, a, xs_table_new(), NULL, 0,  0, NULL, 0,
                         0,  0, NULL,           NULL, &e, 0};
    int in_log = 0, streamed = 0, failed = 0,
        rc = -1; /* in_log: the transaction is open */
    if (!k.t ||
        (a->cart ? xs_offer_cart_table_columns(k.t) : xs_offer_table_columns(k.t)) < 0)
        rc = xs_cli_nomem(CMD);
    if (rc < 0 && a->log) {
        /* a logged decision keeps the random control share (docs/replay.md) */
        xs_offer_engine_set_logged(en, 1);
        k.policy = xs_policy_text(&a->cfg, 1, policy, sizeof policy);
        /* one transaction, written in chunks: a failure leaves nothing */
        if (!a->cart && xs_store_decisions_begin(st, &e) < 0) rc = xs_cli_fail(CMD, &e);
        k.st = st;
        in_log = !a->cart && rc < 0;
    }
    if (rc < 0)
        rc = a->cart       ? xs_cli_rec_cart(en, a, k.t)
             : a->customer ? answer_one(en, a, &k, &failed)
                           : answer_all(en, a, fmt, &k, &streamed, &failed);
    if (rc < 0 && a->log) rc = commit_log(st, &k, &in_log, &failed);
    if (failed) rc = k.db_failed ? xs_cli_fail(CMD, &e) : xs_cli_nomem(CMD);
    if (rc < 0 && !streamed && (xs_table_write(k.t, stdout, fmt) < 0 || fflush(stdout))) {
        fprintf(stderr, "xsell %s: cannot write the output\n", CMD);
        rc = XS_EXIT_FAIL;
    }
    if (in_log) xs_store_decisions_abort(st);
    xs_cli_rec_sink_free(&k);
    xs_table_free(k.t);
    return rc < 0 ? XS_EXIT_OK : rc;
}

int xs_cmd_recommend(int argc, char **argv)
{
    xs_cli_args g = {0};
    xs_cli_rec_args a;
    memset(&a, 0, sizeof a);
    xs_offer_config_init(&a.cfg);
    int rc = xs_cli_parse(&spec, argc, argv, &g, &a);
    if (rc >= 0 || (rc = check(&g, &a)) >= 0) return rc;
    if (a.churn_model) a.cfg.churn_model = 1;
    a.lang = g.lang ? g.lang : "en";
    xs_cli_src src;
    xs_offer_engine *en = NULL;
    int own_en = 0;
    /* only --log writes: without it the store may be read-only */
    if ((rc = xs_cli_src_open(CMD, g.db, g.model, a.log, &src)) >= 0) return rc;
    if ((rc = xs_cli_src_engine(CMD, &src, &a.cfg, g.as_of, &en, &own_en)) < 0)
        rc = answer(src.st, en, &a, g.format);
    if (own_en) xs_offer_engine_free(en);
    xs_cli_src_close(&src);
    return rc;
}
