/*
 * bench_serve_dispatch.c — the server's own CPU per request of the read
 * routes, without sockets: GET requests driven in-process through
 * xs__serve_dispatch() (routing, API key, query checks, the handler and
 * its JSON; what libmicrohttpd and the kernel add is left out), timed by
 * the thread's CPU clock, so what else runs on the machine moves it little.
 *
 *   bench_serve_dispatch DB MODEL.xsm [SECONDS] [PATH...]
 *
 * DB is the store the model was built from; it gets a read API key added
 * (use a copy). Without PATHs: the offers (limit 3, en and ja), customer
 * and together (limit 10) routes of the top target customer and the first
 * rule's item, as bench_serve.sh asks them. Prints, per path, the answer's
 * bytes and the CPU microseconds per request (the best of 5 rounds of
 * SECONDS / 5 each, default 5 s in all); bench_serve.sh's ratios against
 * nginx include the rest.
 */
#include "base/alloc.h"
#include "serve/serve_int.h"
#include "xsell.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* GET target through the server; the body into *out (xs__free), or NULL. */
static int get(xs_server *s, const char *auth, const char *target, char **out, size_t *n)
{
    const char *hdrs[] = {"Authorization", auth};
    xs__serve_http_in in = {"GET", target, hdrs, 1, NULL, 0};
    int status = 0, is_json = 0;
    if (xs__serve_dispatch(s, &in, &status, out, n, &is_json) != XS_OK) return -1;
    return status;
}

/* The value of the first "name":"..." in a JSON text, into buf. */
static const char *field(const char *json, const char *name, char *buf, size_t cap)
{
    char pat[64];
    snprintf(pat, sizeof pat, "\"%s\":\"", name);
    const char *p = json ? strstr(json, pat) : NULL;
    buf[0] = '\0';
    if (!p) return buf;
    p += strlen(pat);
    size_t k = strcspn(p, "\"");
    if (k >= cap) k = cap - 1;
    memcpy(buf, p, k);
    buf[k] = '\0';
    return buf;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: bench_serve_dispatch DB MODEL.xsm [SECONDS] [PATH...]\n");
        return 2;
    }
    double secs = argc > 3 ? atof(argv[3]) : 5;
    char key[XS_APIKEY_MAX], auth[XS_APIKEY_MAX + 16];
    xs_error e;
    memset(&e, 0, sizeof e);
    xs_store *st = NULL;
    if (xs_store_open(&st, argv[1], &e) < 0 ||
        xs_apikey_create(st, XS_SCOPE_READ, "bench_serve_dispatch", key, sizeof key, &e) <
            0) {
        fprintf(stderr, "bench_serve_dispatch: %s\n", e.message);
        return 1;
    }
    xs_store_close(st);
    snprintf(auth, sizeof auth, "Bearer %s", key);
    xs_serve_opts o = {.db = argv[1],
                       .model = argv[2],
                       .listen = "127.0.0.1:0",
                       .threads = 1,
                       .model_poll_s = -1};
    xs_server *s = NULL;
    if (xs_server_start(&o, &s, &e) < 0) {
        fprintf(stderr, "bench_serve_dispatch: %s\n", e.message);
        return 1;
    }
    char paths[8][512];
    size_t n_paths = 0;
    for (int i = 4; i < argc && n_paths < 8; i++)
        snprintf(paths[n_paths++], sizeof paths[0], "%s", argv[i]);
    if (!n_paths) {
        char *b = NULL, cust[256], item[256];
        size_t n;
        get(s, auth, "/v1/targets?limit=1", &b, &n);
        field(b, "customer_id", cust, sizeof cust);
        xs__free(b);
        b = NULL;
        get(s, auth, "/v1/rules?limit=1", &b, &n);
        const char *l = b ? strstr(b, "\"lhs\":[\"") : NULL;
        snprintf(item, sizeof item, "%.*s", l ? (int)strcspn(l + 8, "\"") : 0,
                 l ? l + 8 : "");
        xs__free(b);
        snprintf(paths[0], sizeof paths[0], "/v1/customers/%s/offers?limit=3", cust);
        snprintf(paths[1], sizeof paths[0], "/v1/customers/%s/offers?limit=3&lang=ja",
                 cust);
        snprintf(paths[2], sizeof paths[0], "/v1/customers/%s", cust);
        snprintf(paths[3], sizeof paths[0], "/v1/items/%s/together?limit=10", item);
        n_paths = 4;
    }
    for (size_t p = 0; p < n_paths; p++) {
        char *b = NULL;
        size_t n = 0;
        int status = get(s, auth, paths[p], &b, &n);
        xs__free(b);
        double best = 1e9;
        for (int round = 0; round < 5; round++) {
            long k = 0;
            double t0 = cpu_now(), t;
            do {
                for (int i = 0; i < 200; i++, k++) {
                    b = NULL;
                    get(s, auth, paths[p], &b, &n);
                    xs__free(b);
                }
                t = cpu_now();
            } while (t - t0 < secs / 5);
            double us = (t - t0) / (double)k * 1e6;
            if (us < best) best = us;
        }
        printf("%-60s %d %6zu bytes %7.3f us/request\n", paths[p], status, n, best);
    }
    xs_server_stop(s, 1);
    return 0;
}
