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

#include <signal.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define CMD "serve"
#define GRACE_S 10

/* The options that xs_serve_opts holds in other types. */
struct serve_args {
    const char *listen, *web;
    int access_log, max_connections, timeout, request_timeout, max_per_address;
    int lock_timeout, model_poll;
    long max_body;
};

#define S(field) .off = offsetof(struct serve_args, field)
static const xs_opt opts[] = {
    {.ref = &xs_cli_opt_db, .help = "the store (required): API keys, writes, builds"},
    {.ref = &xs_cli_opt_model, .value = "MODEL",
     .help = "serve this model file ('xsell build --out'), mapped\n"
             "read-only and shared with other servers mapping it;\n"
             "it must come from the store FILE (default: the\n"
             "store's latest model file when the store has not\n"
             "changed since, else a model built at start)"},
    {"model-poll", 0, "S", XS_OPT_INT, S(model_poll), .lo = 0, .hi = 3600,
     .help = "with --model: look at MODEL every S seconds and serve\n"
             "a new build of it (one renamed into place) without\n"
             "a restart; 0 never (0..3600, default 2)"},
    {"listen", 0, "HOST:PORT", XS_OPT_STR, S(listen),
     .help = "IPv4 address to listen on (default 127.0.0.1:8080;\n"
             "port 0 picks a free port, printed on stdout)"},
    {.ref = &xs_cli_opt_threads, .hi = 256, .help = "worker threads, 1..256 (default 2)"},
    {"max-body", 0, "BYTES", XS_OPT_LONG, S(max_body), .lo = 1, .hi = 1L << 30,
     .help = "largest request body, else 413 (default 1048576)"},
    {"max-connections", 0, "N", XS_OPT_INT, S(max_connections), .lo = 1, .hi = 100000,
     .help = "connections served at once (default 256); more\n"
             "wait for a slot up to --request-timeout, then 503;\n"
             "GET /healthz always gets one of 8 reserved slots"},
    {"timeout", 0, "S", XS_OPT_INT, S(timeout), .lo = 1, .hi = 86400,
     .help = "a keep-alive connection may idle S seconds\n(default 30)"},
    {"request-timeout", 0, "S", XS_OPT_INT, S(request_timeout), .lo = 1, .hi = 3600,
     .help = "a request's head and body must arrive within S\n"
             "seconds, else 408 (1..3600, default 5)"},
    {"max-per-address", 0, "N", XS_OPT_INT, S(max_per_address), .lo = 1, .hi = 100000,
     .help = "connections of one client address, more get 429\n(1..100000, default 64)"},
    {"access-log", 0, NULL, XS_OPT_FLAG, S(access_log),
     .help = "one line per request on stderr"},
    {"web", 0, "DIR", XS_OPT_STR, S(web),
     .help = "the dashboard files served at / and /assets/\n"
             "(default web/dist, else share/xsell/web of an\n"
             "installed xsell; docs/dashboard.md)"},
    {"lock-timeout", 0, "MS", XS_OPT_INT, S(lock_timeout), .lo = 1, .hi = 60000,
     .help = "a write waits at most MS for the store's write lock\n"
             "(held by another process), then answers 503 busy\n"
             "with Retry-After (1..60000, default 1000)"},
    {0},
};

static int check(const char *cmd, const xs_cli_args *a, const void *v)
{
    const struct serve_args *sa = v;
    if (sa->model_poll >= 0 && !a->model)
        return xs_cli_usage_error(cmd, "--model-poll goes with --model");
    return -1;
}

static const xs_cli_spec spec = {
    CMD,
    "xsell serve --db FILE [--model MODEL] [--listen HOST:PORT] [--threads N]\n"
    "            [--max-body BYTES] [--max-connections N] [--timeout S]\n"
    "            [--access-log] [--web DIR] [--lock-timeout MS]\n"
    "            [--request-timeout S] [--max-per-address N] [--model-poll S]",
    .about = "Serve the HTTP JSON API (docs/api.md) over the store FILE. Requests need\n"
             "an API key (xsell apikey create) sent as \"Authorization: Bearer KEY\",\n"
             "except GET /healthz, /metrics, /v1/openapi.json and the dashboard (/ and\n"
             "/assets/, docs/dashboard.md). Stops on SIGTERM or SIGINT after the\n"
             "requests in flight have finished (exit status 0).",
    .opts = opts,
    .flags = XS_CLI_DB,
    .check = check,
};

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
    struct serve_args sa = {.listen = "127.0.0.1:8080", .model_poll = -1};
    xs_cli_args a = {0};
    int rc = xs_cli_parse(&spec, argc, argv, &a, &sa);
    if (rc >= 0) return rc;
    xs_serve_opts o = {
        .db = a.db,
        .model = a.model,
        .listen = sa.listen,
        .threads = (unsigned)a.threads,
        .max_body = (size_t)sa.max_body,
        .max_connections = (unsigned)sa.max_connections,
        .timeout_s = (unsigned)sa.timeout,
        .request_timeout_s = (unsigned)sa.request_timeout,
        .max_per_address = (unsigned)sa.max_per_address,
        .access_log = sa.access_log,
        .web_dir = sa.web,
        .lock_timeout_ms = (unsigned)sa.lock_timeout,
        .model_poll_s = sa.model_poll < 0 ? 0 : sa.model_poll ? sa.model_poll : -1,
    };
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
        rc = xs_cli_fail(CMD, &e);
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
