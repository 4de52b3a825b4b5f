/*
 * cmd_webhook.c — `xsell webhook add|list|remove|log|deliver`: the webhooks
 * of a store (the "Webhooks" section of xsell.h, docs/webhooks.md). add
 * prints the signing secret once; deliver sends what is due now (a running
 * `xsell serve` does the same every second).
 */
#include "cli/cli.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#define CMD "webhook"

static const char usage[] =
    "usage: xsell webhook add --db FILE --url URL --events LIST [--secret S]\n"
    "       xsell webhook list --db FILE [--format table|json|csv]\n"
    "       xsell webhook remove --db FILE WEBHOOK_ID\n"
    "       xsell webhook log --db FILE [--id WEBHOOK_ID] [--status S] [--limit N]\n"
    "                         [--format table|json|csv]\n"
    "       xsell webhook deliver --db FILE [--timeout-ms N] [--max-attempts N]\n"
    "                             [--backoff SECONDS]\n"
    "\n"
    "Tell other tools (e-mail, CRM, chat) what xsell did. A webhook POSTs\n"
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
    "  deliver  sends the due deliveries, then prints what happened on stderr\n"
    "\n"
    "Exit status: 0 ok, 1 failure, 2 bad usage or unknown webhook.\n";

typedef struct args {
    const char *db, *url, *events, *secret, *status;
    long id, limit, timeout_ms, max_attempts, backoff;
    xs_format fmt;
} args;

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
    static const struct option opts[] = {
        {"db", required_argument, NULL, 'd'},
        {"url", required_argument, NULL, 'u'},
        {"events", required_argument, NULL, 'e'},
        {"secret", required_argument, NULL, 's'},
        {"id", required_argument, NULL, 'i'},
        {"status", required_argument, NULL, 'S'},
        {"limit", required_argument, NULL, 'l'},
        {"timeout-ms", required_argument, NULL, 't'},
        {"max-attempts", required_argument, NULL, 'm'},
        {"backoff", required_argument, NULL, 'b'},
        {"format", required_argument, NULL, 'f'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    static const char *const verbs[] = {"add", "list", "remove", "log", "deliver"};
    args a = {.fmt = XS_FORMAT_TABLE};
    int c, v = 0;
    if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        fputs(usage, stdout);
        return XS_EXIT_OK;
    }
    if (argc < 2 || argv[1][0] == '-')
        return xs_cli_usage_error(CMD, "expected add, list, remove, log or deliver");
    while (v < 5 && strcmp(argv[1], verbs[v]))
        v++;
    if (v == 5)
        return xs_cli_usage_error(
            CMD, "unknown action \"%s\": expected add, list, remove, log or deliver",
            argv[1]);
    optind = 2;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
        switch (c) {
        case 'd':
            a.db = optarg;
            break;
        case 'u':
            a.url = optarg;
            break;
        case 'e':
            a.events = optarg;
            break;
        case 's':
            a.secret = optarg;
            break;
        case 'S':
            a.status = optarg;
            break;
        case 'i':
            if (xs_cli_long(CMD, "--id", optarg, 1, 1L << 62, &a.id))
                return XS_EXIT_USAGE;
            break;
        case 'l':
            if (xs_cli_long(CMD, "--limit", optarg, 1, 1000000, &a.limit))
                return XS_EXIT_USAGE;
            break;
        case 't':
            if (xs_cli_long(CMD, "--timeout-ms", optarg, 1, 600000, &a.timeout_ms))
                return XS_EXIT_USAGE;
            break;
        case 'm':
            if (xs_cli_long(CMD, "--max-attempts", optarg, 1, 100, &a.max_attempts))
                return XS_EXIT_USAGE;
            break;
        case 'b':
            if (xs_cli_long(CMD, "--backoff", optarg, 1, 86400, &a.backoff))
                return XS_EXIT_USAGE;
            break;
        case 'f':
            if (xs_cli_format(CMD, optarg, &a.fmt)) return XS_EXIT_USAGE;
            break;
        case 'h':
            fputs(usage, stdout);
            return XS_EXIT_OK;
        default:
            return xs_cli_bad_option(CMD, c, argv);
        }
    }
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
        if (optind + 1 != argc)
            return xs_cli_usage_error(CMD, "remove needs one WEBHOOK_ID");
        if (xs_cli_long(CMD, "WEBHOOK_ID", argv[optind], 1, 1L << 62, &remove_id))
            return XS_EXIT_USAGE;
    } else if (optind < argc) {
        return xs_cli_usage_error(CMD, "unexpected argument \"%s\"", argv[optind]);
    }
    if (v != 0 && !xs_store_exists(a.db)) {
        fprintf(stderr, "xsell %s: %s: no such store\n", CMD, a.db);
        return XS_EXIT_USAGE;
    }
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
