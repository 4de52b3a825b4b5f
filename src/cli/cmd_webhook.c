/*
 * cmd_webhook.c — `xsell webhook add|list|remove|log|deliver`: the webhooks
 * of a store (the "Webhooks" section of xsell.h, docs/webhooks.md). add
 * prints the signing secret once; deliver sends what is due now (a running
 * `xsell serve` does the same every second).
 */
#include "cli/cli.h"

#include <stdio.h>
#include <string.h>

#define CMD "webhook"

typedef struct args {
    const char *url, *events, *secret, *status;
    long id, limit, timeout_ms, max_attempts, backoff;
    const char *db;
    xs_format fmt;
} args;

#define A(field) .off = offsetof(args, field)
static const xs_opt opts[] = {
    {.ref = &xs_cli_opt_db},
    {"url", 0, "URL", XS_OPT_STR, A(url), .help = "add: where to POST the events"},
    {"events", 0, "LIST", XS_OPT_STR, A(events), .help = "add: the events, a comma list"},
    {"secret", 0, "S", XS_OPT_STR, A(secret), .help = "add: the signing secret (default: generated)"},
    {"id", 0, "WEBHOOK_ID", XS_OPT_LONG, A(id), .lo = 1, .hi = (double)(1L << 62),
     .help = "log: one webhook's deliveries"},
    {"status", 0, "S", XS_OPT_STR, A(status), .help = "log: deliveries with status S"},
    {"limit", 0, "N", XS_OPT_LONG, A(limit), .lo = 1, .hi = 1000000,
     .help = "log: at most N deliveries (default 100)"},
    {"timeout-ms", 0, "N", XS_OPT_LONG, A(timeout_ms), .lo = 1, .hi = 600000,
     .help = "deliver: wait at most N ms for a reply"},
    {"max-attempts", 0, "N", XS_OPT_LONG, A(max_attempts), .lo = 1, .hi = 100,
     .help = "deliver: give up after N attempts (default 10)"},
    {"backoff", 0, "SECONDS", XS_OPT_LONG, A(backoff), .lo = 1, .hi = 86400,
     .help = "deliver: first retry after SECONDS (default 10)"},
    {.ref = &xs_cli_opt_format, .help = "list, log: table (default), json or csv"},
    {0},
};

static const xs_cli_spec spec = {
    CMD,
    "xsell webhook add --db FILE --url URL --events LIST [--secret S]\n"
    "xsell webhook list --db FILE [--format table|json|csv]\n"
    "xsell webhook remove --db FILE WEBHOOK_ID\n"
    "xsell webhook log --db FILE [--id WEBHOOK_ID] [--status S] [--limit N]\n"
    "                  [--format table|json|csv]\n"
    "xsell webhook deliver --db FILE [--timeout-ms N] [--max-attempts N]\n"
    "                      [--backoff SECONDS]",
    .about = "Tell other tools (e-mail, CRM, chat) what xsell did. A webhook POSTs\n"
             "each event it subscribes to as JSON to its URL, signed with HMAC-SHA256\n"
             "under its secret (header X-Xsell-Signature: t=<unix time>,v1=<hex of\n"
             "HMAC(secret, \"<t>.<body>\")>). Events (--events, comma list):\n"
             "  offer.issued   an offer was logged (recommend --log, offers?log=1)\n"
             "  offer.outcome  an offer's outcome was recorded (xsell outcome, POST\n"
             "                 /v1/offers/{id}/outcome)\n"
             "  build.done     xsell build stored a build\n"
             "Each event is queued in the store with the change itself and delivered\n"
             "at least once: `xsell serve` sends every second, `webhook deliver` sends\n"
             "what is due now. A failed attempt is retried after 10 s, 20 s, 40 s ...\n"
             "(at most an hour apart) until the 10th attempt fails.\n"
             "\n"
             "  add      prints webhook_id and the secret (generated unless --secret);\n"
             "           the secret is not shown again\n"
             "  list     the webhooks with their pending, delivered and failed counts\n"
             "  remove   stops a webhook; its log stays, its pending deliveries are\n"
             "           cancelled\n"
             "  log      the newest deliveries (default 100): status pending,\n"
             "           delivered, failed or cancelled, attempts, last status code\n"
             "           and error\n"
             "  deliver  sends the due deliveries, then prints what happened on stderr",
    .opts = opts,
    .notes = "An unknown WEBHOOK_ID is bad input (exit status 2).",
    .max_operands = -1,
};

static int run_add(xs_store *st, const args *a)
{
    xs_error e;
    long long id;
    char secret[XS_WEBHOOK_SECRET_MAX];
    if (xs_webhook_add(st, a->url, a->events, a->secret, &id, secret, sizeof secret, &e) <
        0)
        return xs_cli_fail(CMD, &e);
    printf("webhook_id: %lld\nsecret: %s\n", id, secret);
    memset(secret, 0, sizeof secret);
    return fflush(stdout) ? XS_EXIT_FAIL : XS_EXIT_OK;
}

static int run_table(xs_store *st, const args *a, int is_log)
{
    xs_error e;
    xs_table *t = xs_table_new();
    int ex = XS_EXIT_FAIL;
    if (!t) {
        fprintf(stderr, "xsell %s: out of memory\n", CMD);
        return ex;
    }
    int rc = is_log ? xs_webhook_log(st, a->id, a->status, a->limit, t, &e)
                    : xs_webhook_list(st, t, &e);
    ex = rc < 0 ? xs_cli_fail(CMD, &e) : xs_cli_print_table(CMD, t, a->fmt);
    xs_table_free(t);
    return ex;
}

static int run_deliver(xs_store *st, const args *a)
{
    xs_webhook_send_opts o;
    xs_webhook_send_opts_init(&o);
    if (a->timeout_ms) o.timeout_ms = a->timeout_ms;
    if (a->max_attempts) o.max_attempts = (int)a->max_attempts;
    if (a->backoff) o.backoff_s = (int)a->backoff;
    xs_webhook_send_result total = {0}, r;
    xs_error e;
    /* batch after batch while batches come back full */
    do {
        if (xs_webhook_send_due(st, &o, &r, &e) < 0) return xs_cli_fail(CMD, &e);
        total.delivered += r.delivered;
        total.retrying += r.retrying;
        total.failed += r.failed;
    } while (r.delivered + r.retrying + r.failed == o.batch);
    fprintf(stderr, "xsell %s: delivered %zu, to retry %zu, failed %zu\n", CMD,
            total.delivered, total.retrying, total.failed);
    return XS_EXIT_OK;
}

int xs_cmd_webhook(int argc, char **argv)
{
    static const char *const verbs[] = {"add", "list", "remove", "log", "deliver", NULL};
    int v = 0;
    int rc = xs_cli_action(&spec, argc, argv, verbs, &v);
    if (rc >= 0) return rc;
    args a = {0};
    xs_cli_args ca = {0};
    if ((rc = xs_cli_parse(&spec, argc - 1, argv + 1, &ca, &a)) >= 0) return rc;
    a.db = ca.db;
    a.fmt = ca.format;
    if (!a.db) return xs_cli_usage_error(CMD, "--db FILE is required");
    if (v == 0 && (!a.url || !a.events))
        return xs_cli_usage_error(CMD, "add needs --url URL and --events LIST");
    if (v != 0 && (a.url || a.events || a.secret))
        return xs_cli_usage_error(CMD, "--url, --events and --secret go with add");
    if (v != 3 && (a.id || a.status || a.limit))
        return xs_cli_usage_error(CMD, "--id, --status and --limit go with log");
    if (v != 4 && (a.timeout_ms || a.max_attempts || a.backoff))
        return xs_cli_usage_error(
            CMD, "--timeout-ms, --max-attempts and --backoff go with deliver");
    long remove_id = 0;
    if (v == 2) {
        if (ca.argc != 1) return xs_cli_usage_error(CMD, "remove needs one WEBHOOK_ID");
        if (xs_cli_long(CMD, "WEBHOOK_ID", ca.argv[0], 1, 1L << 62, &remove_id))
            return XS_EXIT_USAGE;
    } else if (ca.argc > 0) {
        return xs_cli_usage_error(CMD, "unexpected argument %s", xs_cli_q(ca.argv[0]));
    }
    if (v != 0 && !xs_store_exists(a.db)) return xs_cli_no_store(CMD, a.db);
    xs_store *st = NULL;
    xs_error e;
    int ex;
    if (xs_store_open(&st, a.db, &e) < 0) {
        ex = xs_cli_fail(CMD, &e);
    } else if (v == 0) {
        ex = run_add(st, &a);
    } else if (v == 2) {
        ex = xs_webhook_remove(st, remove_id, &e) < 0 ? xs_cli_fail(CMD, &e) : XS_EXIT_OK;
        if (ex == XS_EXIT_OK) fprintf(stderr, "xsell %s: removed %ld\n", CMD, remove_id);
    } else if (v == 4) {
        ex = run_deliver(st, &a);
    } else {
        ex = run_table(st, &a, v == 3);
    }
    xs_store_close(st);
    return ex;
}
