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
 * A thin shell over the "Offer engine" section of xsell.h (docs/offers.md).
 */
#include "cli/cli.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CMD "recommend"

static const char usage[] =
    "usage: xsell recommend --db FILE [--model FILE] (--customer ID | --all) [--limit K]\n"
    "       xsell recommend --db FILE [--model FILE] --cart P,P,... [--customer ID]\n"
    "                       [--limit K]\n"
    "                       [--lang en|ja] [--as-of DATE] [--show-suppressed]\n"
    "                       [--set SPEC] [--churn-model] [--cart P,P,...] [--log]\n"
    "                       [--format F]\n"
    "\n"
    "Next best offers (upsell, cross-sell, downsell) computed from the store:\n"
    "candidates, P(accept) x value = expected value, guardrails, ranking,\n"
    "channel, timing and a benefit-first explanation. Rules: docs/offers.md.\n"
    "The store must have been built with 'xsell build --db FILE'.\n"
    "\n"
    "  --db FILE          the store (required unless --model)\n"
    "  --model FILE       read the model file FILE ('xsell build') instead of the\n"
    "                     store (with --db: it must be that store's); with only\n"
    "                     --db, the store's latest model when it is current\n"
    "  --customer ID      one customer\n"
    "  --all              every customer; a guardrail summary (suppressed\n"
    "                     candidates and expected value held back per\n"
    "                     guardrail) goes to stderr, and where a holdout\n"
    "                     experiment values offers by uplift, its evidence\n"
    "  --limit K          at most K offers per customer (default 2)\n"
    "  --lang L           explanation language: en (default) or ja\n"
    "  --as-of DATE       decide as of DATE (default: the store's latest date)\n"
    "  --show-suppressed  also list the candidates a guardrail stopped\n"
    "  --set SPEC         settings by name, e.g. min_health=60,max_contacts=1,\n"
    "                     usage_high=0.85 (docs/offers.md lists them all)\n"
    "  --cart P,P,...     the cart answer instead: what to place next to these\n"
    "                     products (order rules, item similarity and, with a\n"
    "                     known --customer, its recent purchases), ranked by\n"
    "                     relevance; a placement is not a contact, so the\n"
    "                     contact guardrails do not apply; without --customer,\n"
    "                     or an unknown one, for an anonymous shopper (default\n"
    "                     --limit 10; columns customer_id, rank, product,\n"
    "                     trigger, because, probability, confidence, explanation)\n"
    "  --churn-model      P(churn) from the churn module's store-history model\n"
    "                     (XGBoost; slower) instead of the built-in estimate\n"
    "  --log              log the offered offers into the store's offers table\n"
    "                     (outcome pending, sent_at the decision date) and each\n"
    "                     slot's decision with its candidates and propensity\n"
    "                     (decisions table; a random control share of\n"
    "                     control_share, default 0.02, keeps other policies\n"
    "                     evaluable: docs/replay.md); their ids go to stderr,\n"
    "                     one 'logged ID CUSTOMER PRODUCT' line each; record\n"
    "                     outcomes with 'xsell outcome', replay with 'xsell replay'\n"
    "  --format F         table (default), json or csv\n"
    "Columns: customer_id, rank, kind, trigger, product (from -> to),\n"
    "expected_value, probability, revenue_delta, channel, timing (now or a\n"
    "date), explanation, evidence, suppressed_by (empty when offered).\n";

typedef struct args {
    const char *db, *model, *customer, *as_of, *lang, *cart;
    int all, show_suppressed, log;
    long limit; /* --limit K, 0 when not given */
    xs_offer_config cfg;
    xs_format fmt;
} args;

/* Returns -1 to go on, else the exit code. */
static int parse_args(int argc, char **argv, args *a)
{
    static const struct option opts[] = {
        {"db", required_argument, NULL, 'd'},
        {"model", required_argument, NULL, 'm'},
        {"customer", required_argument, NULL, 'c'},
        {"all", no_argument, NULL, 'A'},
        {"limit", required_argument, NULL, 'n'},
        {"lang", required_argument, NULL, 'l'},
        {"as-of", required_argument, NULL, 'a'},
        {"show-suppressed", no_argument, NULL, 's'},
        {"set", required_argument, NULL, 'S'},
        {"churn-model", no_argument, NULL, 'M'},
        {"cart", required_argument, NULL, 'C'},
        {"log", no_argument, NULL, 'L'},
        {"format", required_argument, NULL, 'f'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int c;
    long k;
    xs_error e;
    memset(a, 0, sizeof *a);
    a->fmt = XS_FORMAT_TABLE;
    a->lang = "en";
    xs_offer_config_init(&a->cfg);
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
        switch (c) {
        case 'd':
            a->db = optarg;
            break;
        case 'm':
            a->model = optarg;
            break;
        case 'c':
            a->customer = optarg;
            break;
        case 'A':
            a->all = 1;
            break;
        case 'n':
            if (xs_cli_long(CMD, "--limit", optarg, 1, 64, &k)) return XS_EXIT_USAGE;
            a->cfg.max_offers = (double)k;
            a->limit = k;
            break;
        case 'l':
            if (strcmp(optarg, "en") && strcmp(optarg, "ja"))
                return xs_cli_usage_error(CMD, "--lang: expected en or ja, got \"%s\"",
                                          optarg);
            a->lang = optarg;
            break;
        case 'a':
            a->as_of = optarg;
            break;
        case 's':
            a->show_suppressed = 1;
            break;
        case 'S':
            if (xs_offer_config_set(&a->cfg, optarg, "--set", &e) < 0) {
                char buf[1200];
                return xs_cli_usage_error(CMD, "%s",
                                          xs_cli_error_format(&e, buf, sizeof buf));
            }
            break;
        case 'M':
            a->cfg.churn_model = 1;
            break;
        case 'C':
            a->cart = optarg;
            break;
        case 'L':
            a->log = 1;
            break;
        case 'f':
            if (xs_cli_format(CMD, optarg, &a->fmt)) return XS_EXIT_USAGE;
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
    if (!a->db && !a->model) return xs_cli_usage_error(CMD, "--db FILE is required");
    if (a->log && !a->db)
        return xs_cli_usage_error(CMD, "--log writes to the store: give --db FILE");
    if (a->cart && a->all)
        return xs_cli_usage_error(CMD, "--cart answers one shopper: not with --all");
    if (a->cart && a->log)
        return xs_cli_usage_error(CMD, "--log records offers made to customers: not with --cart");
    if (!a->cart && !a->customer == !a->all)
        return xs_cli_usage_error(CMD, "give either --customer ID or --all");
    return -1;
}

typedef struct sink {
    const xs_offer_engine *en;
    const args *a;
    xs_table *t;
    xs_offer_record *log; /* with --log: the offered offers */
    size_t n_log, cap_log;
    xs_decision_record *dec; /* with --log: the decisions not written yet */
    size_t n_dec, cap_dec;
    size_t written;     /* log[0..written) went to the store with their decisions */
    const char *policy; /* the exploration settings, as logged */
    xs_store *st;       /* with --log: inside the log's transaction */
    xs_error *err;
    int db_failed;      /* a write failed: err says why */
} sink;

#define LOG_CHUNK 1024 /* decisions held before they go to the transaction */

/* Writes the decisions held (and their offers) into the open transaction.
 * Returns XS_OK, or a negative code with k->db_failed set. */
static int flush_log(sink *k)
{
    int rc = XS_OK;
    if (k->n_dec || k->n_log > k->written)
        rc = xs_store_decisions_add(k->st, k->log + k->written, k->n_log - k->written, k->dec,
                                    k->n_dec, k->err);
    for (size_t i = 0; i < k->n_dec; i++)
        xs_decision_record_clear(&k->dec[i]);
    k->n_dec = 0;
    k->written = k->n_log;
    if (rc < 0) k->db_failed = 1;
    return rc < 0 ? rc : XS_OK;
}

/* Keeps customer's decisions and the offers they chose for --log (the
 * engine is set to logged, so they are the ones shown). Returns XS_OK or
 * XS_ENOMEM. */
static int keep(sink *k, uint32_t customer)
{
    xs_offer o[XS_OFFER_MAX_CANDIDATES];
    xs_decision d[XS_OFFER_MAX_CANDIDATES];
    size_t nd = 0;
    xs_offer_decide_logged(k->en, customer, o, d, XS_OFFER_MAX_CANDIDATES, &nd);
    for (size_t i = 0; i < nd; i++) {
        if (k->n_log == k->cap_log) {
            size_t nc = k->cap_log ? 2 * k->cap_log : 64;
            xs_offer_record *nr = realloc(k->log, nc * sizeof *nr);
            if (!nr) return XS_ENOMEM;
            k->log = nr;
            k->cap_log = nc;
        }
        if (k->n_dec == k->cap_dec) {
            size_t nc = k->cap_dec ? 2 * k->cap_dec : 64;
            xs_decision_record *nr = realloc(k->dec, nc * sizeof *nr);
            if (!nr) return XS_ENOMEM;
            k->dec = nr;
            k->cap_dec = nc;
        }
        xs_decision_record *r = &k->dec[k->n_dec];
        if (xs_decision_fill(k->en, o, &d[i], "cli", r) < 0) return XS_ENOMEM;
        r->policy = k->policy;
        k->n_dec++;
        if (xs_offer_log_fill(k->en, &o[d[i].cand[d[i].chosen]], &k->log[k->n_log]) ==
            XS_OK)
            r->offer = (long)(k->n_log++ - k->written);
    }
    return k->n_dec >= LOG_CHUNK ? flush_log(k) : XS_OK;
}

static int add_rows(void *ctx, uint32_t customer, const xs_offer *o, size_t n)
{
    sink *k = ctx;
    if (k->a->log) {
        int rc = keep(k, customer);
        if (rc < 0) return rc;
    }
    return xs_offer_table(k->en, o, n, k->a->lang, k->a->show_suppressed, k->t);
}

#define MAX_CART 256 /* as POST /v1/cart/recommendations */

/* The cart answer (xs_offer_cart) of a->cart for a->customer into t.
 * Returns -1 on success, else the exit code (message printed). */
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

static int cart_answer(const xs_offer_engine *en, const args *a, xs_table *t)
{
    uint32_t cart[MAX_CART];
    size_t n_cart = 0;
    for (const char *p = a->cart; *p;) {
        const char *q = strchr(p, ',');
        size_t len = q ? (size_t)(q - p) : strlen(p);
        char id[256];
        if (len >= sizeof id) len = sizeof id - 1;
        memcpy(id, p, len);
        id[len] = '\0';
        long pi = xs_offer_engine_find_product(en, id);
        if (pi < 0) {
            fprintf(stderr, "xsell %s: --cart: unknown product \"%s\"\n", CMD, id);
            return XS_EXIT_USAGE;
        }
        if (n_cart == MAX_CART)
            return xs_cli_usage_error(CMD, "--cart: more than %d products", MAX_CART);
        cart[n_cart++] = (uint32_t)pi;
        p += len;
        if (*p == ',') p++;
    }
    if (!n_cart) return xs_cli_usage_error(CMD, "--cart: no product given");
    if (a->customer && xs_offer_engine_find(en, a->customer) < 0)
        fprintf(stderr,
                "xsell %s: customer \"%s\" not found: answering for an anonymous shopper\n",
                CMD, a->customer);
    xs_offer o[100];
    int n = xs_offer_cart(en, a->customer, cart, n_cart, o, (size_t)(a->limit ? a->limit : 10));
    if (n < 0 || xs_offer_cart_table(en, o, (size_t)n, a->lang, t) < 0) {
        fprintf(stderr, "xsell %s: out of memory\n", CMD);
        return XS_EXIT_FAIL;
    }
    return -1;
}

int xs_cmd_recommend(int argc, char **argv)
{
    args a;
    int rc = parse_args(argc, argv, &a);
    if (rc >= 0) return rc;
    xs_cli_src src;
    xs_store *st = NULL;
    xs_offer_engine *en = NULL;
    int own_en = 0;
    xs_table *t = NULL, *sumt = NULL;
    xs_error e;
    int ex = XS_EXIT_FAIL;
    sink k = {NULL, &a, NULL, NULL, 0, 0, NULL, 0, 0, 0, NULL, NULL, &e, 0};
    int in_log = 0; /* the log's transaction is open */
    int streamed = 0; /* --all written by xs_offer_write_all */
    char policy[512];
    /* only --log writes: without it the store may be read-only */
    if ((rc = xs_cli_src_open(CMD, a.db, a.model, a.log, &src)) >= 0) return rc;
    st = src.st;
    if ((rc = xs_cli_src_engine(CMD, &src, &a.cfg, a.as_of, &en, &own_en)) >= 0) {
        ex = rc;
        goto cleanup;
    }
    t = xs_table_new();
    if (!t || (a.cart ? xs_offer_cart_table_columns(t) : xs_offer_table_columns(t)) < 0)
        goto oom;
    k.en = en;
    k.t = t;
    if (a.log) {
        /* a logged decision keeps the random control share (docs/replay.md) */
        xs_offer_engine_set_logged(en, 1);
        k.policy = xs_policy_text(&a.cfg, 1, policy, sizeof policy);
        /* one transaction, written in chunks: a failure leaves nothing */
        if (!a.cart && xs_store_decisions_begin(st, &e) < 0) {
            ex = xs_cli_fail(CMD, &e);
            goto cleanup;
        }
        k.st = st;
        in_log = !a.cart;
    }
    if (a.cart) {
        int r = cart_answer(en, &a, t);
        if (r >= 0) {
            ex = r;
            goto cleanup;
        }
    } else if (a.customer) {
        long c = xs_offer_engine_find(en, a.customer);
        if (c < 0) {
            fprintf(stderr, "xsell %s: --customer: unknown customer \"%s\"\n", CMD,
                    a.customer);
            ex = XS_EXIT_USAGE;
            goto cleanup;
        }
        xs_offer o[XS_OFFER_MAX_CANDIDATES];
        int n = xs_offer_decide(en, (uint32_t)c, o, XS_OFFER_MAX_CANDIDATES);
        if (add_rows(&k, (uint32_t)c, o, (size_t)n) < 0) goto failed;
    } else {
        xs_offer_summary sum;
        if (a.fmt != XS_FORMAT_TABLE && !a.log) {
            /* streamed: decided and rendered on every core, written in order */
            if (xs_offer_write_all(en, xs_cli_threads(), a.lang, a.show_suppressed, a.fmt,
                                   stdout, &sum, &e) < 0) {
                ex = xs_cli_fail(CMD, &e);
                goto cleanup;
            }
            if (fflush(stdout)) {
                fprintf(stderr, "xsell %s: cannot write the output\n", CMD);
                goto cleanup;
            }
            streamed = 1;
        } else if (xs_offer_decide_all(en, 1, add_rows, &k, &sum) < 0) {
            goto failed;
        }
        sumt = xs_table_new();
        if (!sumt || xs_offer_summary_table(&sum, sumt) < 0) goto oom;
        fprintf(stderr, "guardrail summary: %zu customers, %zu candidates\n",
                sum.n_customers, sum.n_candidates);
        xs_table_write(sumt, stderr, XS_FORMAT_TABLE);
        if (sum.uplift_kinds && uplift_summary(en) < 0) goto oom;
    }
    if (a.log) {
        /* logged before the output: what is shown is what the store holds */
        if (flush_log(&k) < 0) goto failed;
        in_log = 0;
        if (xs_store_decisions_commit(st, &e) < 0) {
            ex = xs_cli_fail(CMD, &e);
            goto cleanup;
        }
        for (size_t i = 0; i < k.n_log; i++)
            fprintf(stderr, "logged %s %s %s\n", k.log[i].offer_id, k.log[i].customer_id,
                    k.log[i].product_id);
    }
    if (!streamed && (xs_table_write(t, stdout, a.fmt) < 0 || fflush(stdout))) {
        fprintf(stderr, "xsell %s: cannot write the output\n", CMD);
        goto cleanup;
    }
    ex = XS_EXIT_OK;
    goto cleanup;
failed:
    if (k.db_failed) {
        ex = xs_cli_fail(CMD, &e);
        goto cleanup;
    }
oom:
    fprintf(stderr, "xsell %s: out of memory\n", CMD);
cleanup:
    if (in_log) xs_store_decisions_abort(st);
    free(k.log);
    for (size_t i = 0; i < k.n_dec; i++)
        xs_decision_record_clear(&k.dec[i]);
    free(k.dec);
    xs_table_free(t);
    xs_table_free(sumt);
    if (own_en) xs_offer_engine_free(en);
    xs_cli_src_close(&src);
    return ex;
}
