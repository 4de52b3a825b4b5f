/*
 * fuzz_http.c — libFuzzer target for the HTTP request path of `xsell
 * serve`: route matching, API keys, path parameters, the query, headers and
 * the bodies of every POST route, driven in process through xs__serve_dispatch()
 * (src/serve/server.c), the same code a connection goes through after
 * libmicrohttpd has parsed the request.
 *
 * An input is a request written as text:
 *     METHOD TARGET\n
 *     Name: value\n        (at most 16 headers)
 *     \n
 *     BODY                 (any bytes)
 * "@KEY@" in a header value is replaced by an admin key of the store, so
 * seeds reach the handlers behind the key checks. The store is a small demo
 * company (xs_gen_write, 60 customers) built once into a temporary
 * directory, served by one server started on 127.0.0.1:0.
 *
 * Checked for every input (any violation aborts):
 *   - the status is a 2xx, 3xx or 4xx, or 503 — never 500 or anything else;
 *   - a JSON answer parses, and an error status carries
 *     {"error":{"code": string, "message": string}};
 *   - nothing leaks and no bad access happens (ASan / UBSan).
 *
 * Build and run: `make fuzz`, or
 *   CC=clang cmake -S . -B build-fuzz -DXS_FUZZ=ON -DXS_SANITIZE=ON \
 *     -DCMAKE_BUILD_TYPE=Debug
 *   cmake --build build-fuzz --target fuzz_http -j2
 *   cp -r tests/fuzz/corpus/http /tmp/c && build-fuzz/fuzz_http \
 *     -max_total_time=120 -max_len=4096 /tmp/c
 */
#include "serve/serve_int.h"

#include "base/alloc.h"

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK_OR_DIE(c)                                                          \
    do {                                                                         \
        if (!(c)) {                                                              \
            fprintf(stderr, "fuzz_http: check failed: %s (line %d)\n", #c, __LINE__); \
            abort();                                                             \
        }                                                                        \
    } while (0)

#define MAX_HEADERS 16

static xs_server *srv;
static char dir[256], key[XS_APIKEY_MAX];

static void cleanup(void)
{
    xs_server_stop(srv, 1);
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (*dir && system(cmd) != 0) fprintf(stderr, "fuzz_http: cannot remove %s\n", dir);
}

/* The demo store and its server, once. */
static void setup(void)
{
    static const xs_table_id tables[] = {XS_T_CUSTOMERS, XS_T_PRODUCTS, XS_T_SUBSCRIPTIONS,
                                         XS_T_ORDERS,    XS_T_USAGE,    XS_T_EVENTS,
                                         XS_T_OFFERS};
    const char *tmp = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    snprintf(dir, sizeof dir, "%s/xs_fuzz_http_XXXXXX", tmp);
    CHECK_OR_DIE(mkdtemp(dir) != NULL);
    xs_gen_options go;
    xs_gen_options_init(&go);
    go.n_customers = 60;
    xs_error e;
    CHECK_OR_DIE(xs_gen_write(dir, &go, NULL, &e) == XS_OK);
    char db[300], path[400];
    snprintf(db, sizeof db, "%s/store.db", dir);
    xs_store *st = NULL;
    CHECK_OR_DIE(xs_store_open(&st, db, &e) == XS_OK);
    for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++) {
        xs_import_options o;
        xs_import_options_init(&o);
        o.table = tables[i];
        snprintf(path, sizeof path, "%s/%s.csv", dir, xs_table_name(tables[i]));
        CHECK_OR_DIE(xs_import_file(st, path, &o, NULL, &e) == XS_OK);
    }
    CHECK_OR_DIE(xs_apikey_create(st, XS_SCOPE_ADMIN, "fuzz", key, sizeof key, &e) == XS_OK);
    xs_store_close(st);
    xs_serve_opts so = {.db = db, .listen = "127.0.0.1:0", .threads = 1,
                        .max_body = 4096, .web_dir = dir};
    CHECK_OR_DIE(xs_server_start(&so, &srv, &e) == XS_OK);
    atexit(cleanup);
}

/* Copies data[0..n) as a C string (NUL ends it early, as it ends a header
 * line in libmicrohttpd's parser). */
static char *cstr(const uint8_t *data, size_t n)
{
    size_t l = 0;
    while (l < n && data[l])
        l++;
    return xs__strndup((const char *)data, l);
}

/* Replaces "@KEY@" in s by the admin key (new string, or s itself). */
static char *with_key(char *s)
{
    char *at = strstr(s, "@KEY@");
    if (!at) return s;
    size_t pre = (size_t)(at - s), rest = strlen(at + 5), kl = strlen(key);
    char *t = xs__malloc(pre + kl + rest + 1);
    CHECK_OR_DIE(t != NULL);
    memcpy(t, s, pre);
    memcpy(t + pre, key, kl);
    memcpy(t + pre + kl, at + 5, rest + 1);
    xs__free(s);
    return t;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!srv) setup();
    /* the request line */
    const uint8_t *end = data + size, *p = data;
    const uint8_t *nl = memchr(p, '\n', size);
    const uint8_t *le = nl ? nl : end;
    const uint8_t *sp = memchr(p, ' ', (size_t)(le - p));
    if (!sp) return 0;
    char *method = cstr(p, (size_t)(sp - p));
    char *target = cstr(sp + 1, (size_t)(le - sp - 1));
    CHECK_OR_DIE(method && target);
    p = nl ? nl + 1 : end;
    /* headers up to a blank line */
    char *hv[2 * MAX_HEADERS];
    size_t n_h = 0;
    while (p < end && *p != '\n') {
        nl = memchr(p, '\n', (size_t)(end - p));
        le = nl ? nl : end;
        const uint8_t *colon = memchr(p, ':', (size_t)(le - p));
        if (colon && n_h < MAX_HEADERS) {
            const uint8_t *v = colon + 1;
            while (v < le && *v == ' ')
                v++;
            hv[2 * n_h] = cstr(p, (size_t)(colon - p));
            hv[2 * n_h + 1] = with_key(cstr(v, (size_t)(le - v)));
            CHECK_OR_DIE(hv[2 * n_h] && hv[2 * n_h + 1]);
            n_h++;
        }
        p = nl ? nl + 1 : end;
    }
    if (p < end) p++; /* the blank line */
    xs__serve_http_in in = {method, target,          (const char *const *)hv,
                            n_h,    (const char *)p, (size_t)(end - p)};
    int status, is_json;
    char *out;
    size_t n_out;
    CHECK_OR_DIE(xs__serve_dispatch(srv, &in, &status, &out, &n_out, &is_json) == XS_OK);
    CHECK_OR_DIE(status >= 200 && status < 500 ? 1 : status == 503);
    if (is_json) {
        json_error_t je;
        CHECK_OR_DIE(n_out >= 1 && out[n_out - 1] == '\n');
        json_t *j = json_loadb(out, n_out - 1, JSON_REJECT_DUPLICATES, &je);
        CHECK_OR_DIE(j != NULL);
        if (status >= 400) {
            json_t *err = json_object_get(j, "error");
            CHECK_OR_DIE(json_is_string(json_object_get(err, "code")));
            CHECK_OR_DIE(json_is_string(json_object_get(err, "message")));
        }
        json_decref(j);
    }
    xs__free(out);
    for (size_t i = 0; i < 2 * n_h; i++)
        xs__free(hv[i]);
    xs__free(method);
    xs__free(target);
    return 0;
}
