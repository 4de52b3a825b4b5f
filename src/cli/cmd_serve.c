/*
 * cmd_serve.c — `xsell serve`: the HTTP JSON API (xs_server_start, the
 * "Server" section of xsell.h; routes in docs/api.md). Maps the model file
 * (--model, or the store's latest when it is current) or builds the model,
 * prints "listening on http://HOST:PORT" on stdout (the real port when
 * --listen asks for port 0), then waits for SIGTERM or SIGINT and stops
 * gracefully: no new connections, requests in flight finish. A model file
 * that cannot be used (missing, truncated, corrupted, another version or
 * another store) stops it before it listens, with exit status 2.
 */
#include "cli/cli.h"

#include <getopt.h>
#include <signal.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define CMD "serve"
#define GRACE_S 10

static const char usage[] =
    "usage: xsell serve --db FILE [--model MODEL] [--listen HOST:PORT] [--threads N]\n"
    "                   [--max-body BYTES] [--max-connections N] [--timeout S]\n"
    "                   [--access-log] [--web DIR] [--lock-timeout MS]\n"
    "                   [--request-timeout S] [--max-per-address N] [--model-poll S]\n"
    "\n"
    "Serve the HTTP JSON API (docs/api.md) over the store FILE. Requests need\n"
    "an API key (xsell apikey create) sent as \"Authorization: Bearer KEY\",\n"
    "except GET /healthz, /metrics, /v1/openapi.json and the dashboard (/ and\n"
    "/assets/, docs/dashboard.md). Stops on SIGTERM or SIGINT after the\n"
    "requests in flight have finished.\n"
    "\n"
    "  --db FILE             the store (required): API keys, writes, builds\n"
    "  --model MODEL         serve this model file ('xsell build --out'), mapped\n"
    "                        read-only and shared with other servers mapping it;\n"
    "                        it must come from the store FILE (default: the\n"
    "                        store's latest model file when the store has not\n"
    "                        changed since, else a model built at start)\n"
    "  --model-poll S        with --model: look at MODEL every S seconds and serve\n"
    "                        a new build of it (one renamed into place) without\n"
    "                        a restart; 0 never (0..3600, default 2)\n"
    "  --listen HOST:PORT    IPv4 address to listen on (default 127.0.0.1:8080;\n"
    "                        port 0 picks a free port, printed on stdout)\n"
    "  --threads N           worker threads, 1..256 (default 2)\n"
    "  --max-body BYTES      largest request body, else 413 (default 1048576)\n"
    "  --max-connections N   connections served at once (default 256); more\n"
    "                        wait for a slot up to --request-timeout, then 503;\n"
    "                        GET /healthz always gets one of 8 reserved slots\n"
    "  --timeout S           a keep-alive connection may idle S seconds\n"
    "                        (default 30)\n"
    "  --request-timeout S   a request's head and body must arrive within S\n"
    "                        seconds, else 408 (1..3600, default 5)\n"
    "  --max-per-address N   connections of one client address, more get 429\n"
    "                        (1..100000, default 64)\n"
    "  --access-log          one line per request on stderr\n"
    "  --web DIR             the dashboard files served at / and /assets/\n"
    "                        (default web/dist, else share/xsell/web of an\n"
    "                        installed xsell; docs/dashboard.md)\n"
    "  --lock-timeout MS     a write waits at most MS for the store's write lock\n"
    "                        (held by another process), then answers 503 busy\n"
    "                        with Retry-After (1..60000, default 1000)\n"
    "\n"
    "Exit status: 0 stopped by a signal, 1 failure, 2 bad usage.\n";

/* 1 when dir/index.html is a readable file. */
static int has_index(const char *dir)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/index.html", dir);
    return access(path, R_OK) == 0;
}

/* The dashboard's files when --web is not given: web/dist of the current
 * directory (a checkout), else share/xsell/web beside the installed binary
 * (bin/../share/xsell/web, `make install`), else web/dist (then missing). */
static const char *default_web_dir(char *buf, size_t n)
{
    if (has_index("web/dist")) return "web/dist";
    char exe[4096];
    ssize_t k = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (k > 0) {
        exe[k] = 0;
        char *slash = strrchr(exe, '/');
        if (slash) {
            *slash = 0;
            snprintf(buf, n, "%s/../share/xsell/web", exe);
            if (has_index(buf)) return buf;
        }
    }
    return "web/dist";
}

int xs_cmd_serve(int argc, char **argv)
{
    static const struct option opts[] = {
        {"db", required_argument, NULL, 'd'},
        {"model", required_argument, NULL, 'm'},
        {"listen", required_argument, NULL, 'l'},
        {"threads", required_argument, NULL, 't'},
        {"max-body", required_argument, NULL, 'b'},
        {"max-connections", required_argument, NULL, 'c'},
        {"timeout", required_argument, NULL, 'T'},
        {"access-log", no_argument, NULL, 'A'},
        {"web", required_argument, NULL, 'w'},
        {"lock-timeout", required_argument, NULL, 'L'},
        {"request-timeout", required_argument, NULL, 'R'},
        {"max-per-address", required_argument, NULL, 'P'},
        {"model-poll", required_argument, NULL, 'M'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    xs_serve_opts o = {.listen = "127.0.0.1:8080"};
    long v;
    int c, poll_given = 0;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
        switch (c) {
        case 'd':
            o.db = optarg;
            break;
        case 'm':
            o.model = optarg;
            break;
        case 'l':
            o.listen = optarg;
            break;
        case 't':
            if (xs_cli_long(CMD, "--threads", optarg, 1, 256, &v)) return XS_EXIT_USAGE;
            o.threads = (unsigned)v;
            break;
        case 'b':
            if (xs_cli_long(CMD, "--max-body", optarg, 1, 1L << 30, &v)) return XS_EXIT_USAGE;
            o.max_body = (size_t)v;
            break;
        case 'c':
            if (xs_cli_long(CMD, "--max-connections", optarg, 1, 100000, &v))
                return XS_EXIT_USAGE;
            o.max_connections = (unsigned)v;
            break;
        case 'T':
            if (xs_cli_long(CMD, "--timeout", optarg, 1, 86400, &v)) return XS_EXIT_USAGE;
            o.timeout_s = (unsigned)v;
            break;
        case 'A':
            o.access_log = 1;
            break;
        case 'w':
            o.web_dir = optarg;
            break;
        case 'L':
            if (xs_cli_long(CMD, "--lock-timeout", optarg, 1, 60000, &v))
                return XS_EXIT_USAGE;
            o.lock_timeout_ms = (unsigned)v;
            break;
        case 'R':
            if (xs_cli_long(CMD, "--request-timeout", optarg, 1, 3600, &v))
                return XS_EXIT_USAGE;
            o.request_timeout_s = (unsigned)v;
            break;
        case 'P':
            if (xs_cli_long(CMD, "--max-per-address", optarg, 1, 100000, &v))
                return XS_EXIT_USAGE;
            o.max_per_address = (unsigned)v;
            break;
        case 'M':
            if (xs_cli_long(CMD, "--model-poll", optarg, 0, 3600, &v)) return XS_EXIT_USAGE;
            o.model_poll_s = v ? (int)v : -1;
            poll_given = 1;
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
    if (!o.db) return xs_cli_usage_error(CMD, "--db FILE is required");
    if (poll_given && !o.model) return xs_cli_usage_error(CMD, "--model-poll goes with --model");
    if (!xs_store_exists(o.db)) {
        fprintf(stderr, "xsell %s: %s: no such store\n", CMD, o.db);
        return XS_EXIT_USAGE;
    }
    char web[4096];
    if (!o.web_dir) o.web_dir = default_web_dir(web, sizeof web);
    if (!has_index(o.web_dir))
        fprintf(stderr,
                "xsell %s: no dashboard at %s (index.html missing): the API works, GET / "
                "answers 404; run `make web` or pass --web DIR\n",
                CMD, o.web_dir);
    /* the worker threads inherit this mask: only sigwait() below sees the
     * signals */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
    xs_server *s = NULL;
    xs_error e;
    if (xs_server_start(&o, &s, &e) < 0) {
        /* a model file that cannot be served is bad input, not a failure */
        int rc = xs_cli_fail(CMD, &e);
        if (o.model && (e.code == XS_ENOTFOUND || e.code == XS_EPARSE ||
                        e.code == XS_ESCHEMA || e.code == XS_EINVAL))
            rc = XS_EXIT_USAGE;
        return rc;
    }
    char host[64];
    const char *colon = strrchr(o.listen, ':');
    snprintf(host, sizeof host, "%.*s", (int)(colon - o.listen), o.listen);
    printf("listening on http://%s:%d\n", host, xs_server_port(s));
    fflush(stdout);
    int sig = 0;
    sigwait(&set, &sig);
    fprintf(stderr, "xsell %s: %s: stopping\n", CMD, sig == SIGTERM ? "SIGTERM" : "SIGINT");
    xs_server_stop(s, GRACE_S);
    return XS_EXIT_OK;
}
