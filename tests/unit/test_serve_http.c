/*
 * test_serve_http.c — `xsell serve` end to end: the real binary ($XS_BIN)
 * started on 127.0.0.1 with an ephemeral port over a small demo store, and
 * driven with the plain-socket client of tests/serve/http_client.h. Every
 * route's answer is compared with the library computing the same thing
 * in-process (together, cart, rules, KPIs, customer scores); every error
 * status with its exact JSON error; API keys by scope, unknown, revoked
 * (also while running); malformed requests, oversized bodies; keep-alive;
 * a model swap under concurrent reads with zero failures; graceful SIGTERM
 * with a request in flight. Loops are bounded in count and time.
 */
#include "snapshot/snapshot.h"
#include "test.h"
#include "xsell.h"

#include "../serve/http_client.h"
#include "../serve/xs_process.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *xs_bin;
static char dir[256], db[300], errlog[300];
static char key_read[XS_APIKEY_MAX], key_write[XS_APIKEY_MAX], key_admin[XS_APIKEY_MAX],
    key_revoked[XS_APIKEY_MAX];
static pid_t srv_pid = -1;
static int port;
static int ready;

static double now_s(void)
{
    return xs_proc_now();
}

static void sleep_s(double s)
{
    struct timespec ts = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};
    nanosleep(&ts, NULL);
}

/* Runs xsell with args, stdout into out (NUL-terminated), stderr to the log.
 * Returns the exit status. */
static int run_xs(char *out, size_t cap, const char *const *args)
{
    return xs_proc_run(xs_bin, errlog, out, cap, args);
}

static void chomp(char *s)
{
    size_t n = strlen(s);
    while (n && (s[n - 1] == '\n' || s[n - 1] == '\r')) s[--n] = 0;
}

/* Starts `xsell serve` on an ephemeral port; reads the port from stdout. */
static int start_server(void)
{
    static const char *const args[] = {"--threads", "4", "--max-body", "4096", NULL};
    return xs_proc_serve(xs_bin, errlog, db, args, &srv_pid, &port);
}

static void setup(void)
{
    xs_bin = getenv("XS_BIN");
    CHECK(xs_bin != NULL);
    if (!xs_bin) return;
    const char *tmp = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    snprintf(dir, sizeof dir, "%s/xs_serve_XXXXXX", tmp);
    CHECK(mkdtemp(dir) != NULL);
    snprintf(db, sizeof db, "%s/demo.db", dir);
    snprintf(errlog, sizeof errlog, "%s/stderr.log", dir);
    char out[4096];
    CHECK_INT(run_xs(out, sizeof out,
                     (const char *const[]){"demo", "--db", db, "--customers", "200", NULL}),
              0);
    const char *scopes[] = {"read", "write", "admin", "read"};
    char *keys[] = {key_read, key_write, key_admin, key_revoked};
    for (int i = 0; i < 4; i++) {
        CHECK_INT(run_xs(out, sizeof out,
                         (const char *const[]){"apikey", "create", "--db", db, "--scope",
                                               scopes[i], NULL}),
                  0);
        chomp(out);
        CHECK_INT(strlen(out), 84);
        out[XS_APIKEY_MAX - 1] = 0;
        memcpy(keys[i], out, strlen(out) + 1);
    }
    char id[17];
    memcpy(id, key_revoked + 3, 16);
    id[16] = 0;
    CHECK_INT(run_xs(out, sizeof out, (const char *const[]){"apikey", "revoke", "--db", db, id, NULL}),
              0);
    CHECK_INT(start_server(), 0);
    ready = srv_pid > 0 && port > 0;
}

/* GET/POST and parse the JSON body (NULL when not JSON). */
static json_t *call(const char *method, const char *path, const char *key, const char *body,
                    int *status)
{
    http_resp r;
    *status = http_do(port, method, path, key, body, &r);
    json_t *j = r.body ? json_loads(r.body, 0, NULL) : NULL;
    http_resp_free(&r);
    return j;
}

/* Checks an error answer: status and {"error":{"code":code,"message":msg}}. */
static void check_error(const char *method, const char *path, const char *key,
                        const char *body, int want_status, const char *code, const char *msg)
{
    int st;
    json_t *j = call(method, path, key, body, &st);
    CHECK_INT(st, want_status);
    json_t *e = json_object_get(j, "error");
    CHECK_STR(json_string_value(json_object_get(e, "code")), code);
    if (msg) CHECK_STR(json_string_value(json_object_get(e, "message")), msg);
    if (st != want_status) fprintf(stderr, "  (%s %s)\n", method, path);
    json_decref(j);
}

static void test_healthz(void)
{
    if (!ready) return;
    int st;
    json_t *j = call("GET", "/healthz", NULL, NULL, &st);
    CHECK_INT(st, 200);
    CHECK_STR(json_string_value(json_object_get(j, "status")), "ok");
    json_t *m = json_object_get(j, "model");
    CHECK_INT(json_integer_value(json_object_get(m, "generation")), 1);
    CHECK_INT(json_integer_value(json_object_get(m, "customers")), 200);
    CHECK(json_is_null(json_object_get(m, "scores_error")));
    CHECK(json_is_null(json_object_get(m, "offers_error")));
    json_decref(j);
}

static void test_openapi(void)
{
    if (!ready) return;
    http_resp r;
    CHECK_INT(http_do(port, "GET", "/v1/openapi.json", NULL, NULL, &r), 200);
    CHECK_STR(http_header(&r, "Content-Type"), "application/json");
    char path[512];
    const char *src = getenv("XS_SOURCE_DIR");
    snprintf(path, sizeof path, "%s/docs/openapi.json", src ? src : ".");
    FILE *f = fopen(path, "rb");
    CHECK(f != NULL);
    if (f) {
        static char want[1 << 20]; /* the document is ~100 KB */
        size_t n = fread(want, 1, sizeof want - 1, f);
        want[n] = 0;
        fclose(f);
        CHECK_INT(r.n_body, n);
        CHECK(r.body && !strcmp(r.body, want));
    }
    json_t *j = json_loads(r.body ? r.body : "", 0, NULL);
    json_t *paths = json_object_get(j, "paths");
    CHECK(json_is_object(paths));
    /* every API route of src/serve/routes.c is documented */
    static const char *const api[] = {
        "/healthz",          "/metrics",          "/v1/openapi.json",
        "/v1/items/{id}/together", "/v1/cart/recommendations", "/v1/rules",
        "/v1/kpi",           "/v1/customers/{id}", "/v1/customers/{id}/offers",
        "/v1/targets",       "/v1/segments",      "/v1/guardrails",
        "/v1/experiments",   "/v1/build",         "/v1/events",
        "/v1/offers/{id}/outcome"};
    for (size_t i = 0; i < XS_N(api); i++)
        if (!json_object_get(paths, api[i])) {
            fprintf(stderr, "  openapi.json lacks %s\n", api[i]);
            CHECK(0);
        }
    json_decref(j);
    http_resp_free(&r);
}

static void test_metrics(void)
{
    if (!ready) return;
    int st;
    json_decref(call("GET", "/healthz", NULL, NULL, &st));
    http_resp r;
    CHECK_INT(http_do(port, "GET", "/metrics", NULL, NULL, &r), 200);
    CHECK_STR(http_header(&r, "Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
    CHECK(r.body && strstr(r.body, "\nxsell_http_requests_total{route=\"healthz\",status=\"200\"} "));
    CHECK(r.body && strstr(r.body, "# TYPE xsell_http_request_duration_seconds histogram\n"));
    CHECK(r.body && strstr(r.body, "xsell_http_request_duration_seconds_bucket{route=\"healthz\",le=\"+Inf\"} "));
    CHECK(r.body && strstr(r.body, "\nxsell_model_age_seconds "));
    CHECK(r.body && strstr(r.body, "\nxsell_offers_served_total{kind=\"cross-sell\"} "));
    http_resp_free(&r);
}

/* The reference model: the same store, options as src/serve/model.c. */
static xs_baskets *ref_b;
static xs_together *ref_m;
static xs_snapshot *ref_snap;

static int ref_load(void)
{
    if (ref_m) return 0;
    xs_store *st = NULL;
    xs_error e;
    if (xs_store_open(&st, db, &e) < 0) return -1;
    int rc = xs_baskets_from_store(st, XS_SOURCE_ORDERS, &ref_b, &e);
    if (rc == 0) rc = xs_snapshot_load(st, &ref_snap, &e);
    xs_store_close(st);
    xs_together_opts o = {.measure = XS_SIM_COSINE, .top_k = 50};
    if (rc == 0) rc = xs_together_build(ref_b, &o, &ref_m, &e);
    return rc;
}

/* The name of product id in cat (the CSV of `xsell export products`:
 * product_id,name,...; names without commas or quotes here), else id
 * itself, as the routes name an item the catalog does not know. */
static const char *catalog_name(const char *cat, const char *id, char *out, size_t n)
{
    char key[160];
    snprintf(key, sizeof key, "\n%s,", id);
    const char *line = strstr(cat, key);
    if (!line) return id;
    line += strlen(key);
    snprintf(out, n, "%.*s", (int)strcspn(line, ",\n"), line);
    return out;
}

/* Compares an "items" array with hits. */
static void check_hits(json_t *items, const xs_together_hit *h, int n)
{
    CHECK_INT(json_array_size(items), n);
    for (int i = 0; i < n && i < (int)json_array_size(items); i++) {
        json_t *it = json_array_get(items, (size_t)i);
        CHECK_STR(json_string_value(json_object_get(it, "item")),
                  xs_together_item_name(ref_m, h[i].item));
        CHECK_NEAR(json_number_value(json_object_get(it, "score")), h[i].score, 0);
        CHECK_NEAR(json_number_value(json_object_get(it, "count")), h[i].count, 0);
    }
}

/* The answer of GET path is what jansson dumps (compact, then a newline)
 * for the value it holds, and every number but those named in ints
 * (NULL-terminated) is a real or null: the routes written straight into a
 * buffer (src/serve/jsonw.c) keep the bytes of the jansson trees they
 * replaced. */
static int reals_but(json_t *v, const char *key, const char *const *ints)
{
    int ok = 1;
    const char *k;
    json_t *x;
    size_t i;
    if (json_is_object(v))
        json_object_foreach(v, k, x) ok &= reals_but(x, k, ints);
    else if (json_is_array(v))
        json_array_foreach(v, i, x) ok &= reals_but(x, key, ints);
    else if (json_is_integer(v)) {
        ok = 0;
        for (const char *const *p = ints; *p; p++)
            if (key && !strcmp(key, *p)) ok = 1;
        if (!ok) fprintf(stderr, "  \"%s\" is an integer\n", key ? key : "?");
    }
    return ok;
}

static void check_jansson_bytes(const char *path, const char *const *ints)
{
    http_resp r;
    CHECK_INT(http_do(port, "GET", path, key_read, NULL, &r), 200);
    json_t *j = r.body ? json_loads(r.body, 0, NULL) : NULL;
    CHECK(j != NULL);
    CHECK(reals_but(j, NULL, ints));
    char *d = j ? json_dumps(j, JSON_COMPACT) : NULL;
    if (d) {
        size_t n = strlen(d);
        CHECK(r.body && strlen(r.body) == n + 1 && !memcmp(r.body, d, n) && r.body[n] == '\n');
        if (!r.body || strncmp(r.body, d, n)) fprintf(stderr, "  %s:\n  %s\n", path, r.body);
    }
    free(d);
    json_decref(j);
    http_resp_free(&r);
}

static void test_together(void)
{
    if (!ready) return;
    CHECK_INT(ref_load(), 0);
    if (!ref_m) return;
    /* the most frequent item of the first basket with one */
    uint32_t id = 0;
    xs_together_hit h[100];
    int n = 0;
    for (id = 0; id < xs_together_n_items(ref_m); id++)
        if ((n = xs_together_item(ref_m, id, h, 5)) >= 3) break;
    CHECK(n >= 3);
    char path[256];
    const char *name = xs_together_item_name(ref_m, id);
    snprintf(path, sizeof path, "/v1/items/%s/together?limit=5", name);
    int st;
    json_t *j = call("GET", path, key_read, NULL, &st);
    CHECK_INT(st, 200);
    CHECK_STR(json_string_value(json_object_get(j, "item")), name);
    CHECK_STR(json_string_value(json_object_get(j, "measure")), "cosine");
    check_hits(json_object_get(j, "items"), h, n);
    json_decref(j);
    /* default limit 10 */
    n = xs_together_item(ref_m, id, h, 10);
    snprintf(path, sizeof path, "/v1/items/%s/together", name);
    j = call("GET", path, key_read, NULL, &st);
    CHECK_INT(st, 200);
    check_hits(json_object_get(j, "items"), h, n);
    json_decref(j);

    /* every item's answer, byte for byte the jansson tree the route built
     * before it wrote its answer straight into a buffer (jsonw.c), each
     * item named as the catalog names it (`xsell export products`) */
    static char cat[1 << 16];
    CHECK_INT(run_xs(cat, sizeof cat,
                     (const char *const[]){"export", "--db", db, "products", NULL}),
              0);
    for (uint32_t k = 0; k < xs_together_n_items(ref_m); k++) {
        const char *it = xs_together_item_name(ref_m, k);
        snprintf(path, sizeof path, "/v1/items/%s/together?limit=100", it);
        n = xs_together_item(ref_m, k, h, 100);
        char nm[256];
        json_t *a = json_array();
        for (int i = 0; i < n; i++) {
            const char *hit = xs_together_item_name(ref_m, h[i].item);
            json_array_append_new(a, json_pack("{s:s,s:s,s:f,s:f}", "item", hit, "name",
                                               catalog_name(cat, hit, nm, sizeof nm), "score",
                                               h[i].score, "count", h[i].count));
        }
        json_t *want = json_pack("{s:s,s:s,s:s,s:o}", "item", it, "name",
                                 catalog_name(cat, it, nm, sizeof nm), "measure", "cosine",
                                 "items", a);
        char *w = json_dumps(want, JSON_COMPACT);
        http_resp r;
        CHECK_INT(http_do(port, "GET", path, key_read, NULL, &r), 200);
        size_t nw = w ? strlen(w) : 0;
        CHECK(w && r.body && strlen(r.body) == nw + 1 && !memcmp(r.body, w, nw));
        if (!w || !r.body || strncmp(r.body, w, nw))
            fprintf(stderr, "  %s:\n  got  %s\n  want %s\n", path, r.body, w);
        http_resp_free(&r);
        free(w);
        json_decref(want);
        check_jansson_bytes(path, (const char *const[]){NULL});
    }

    check_error("GET", "/v1/items/no-such-item/together", key_read, NULL, 404, "not_found",
                "unknown item \"no-such-item\"");
    snprintf(path, sizeof path, "/v1/items/%s/together?limit=0", name);
    check_error("GET", path, key_read, NULL, 400, "bad_request",
                "limit: 0 is out of range [1, 100]");
    snprintf(path, sizeof path, "/v1/items/%s/together?limit=ten", name);
    check_error("GET", path, key_read, NULL, 400, "bad_request",
                "limit: not an integer: \"ten\"");
}

/* POSTs a cart and compares its "items" with `xsell recommend --cart ...
 * --format json` for the same cart and customer (NULL: none): one cart
 * answer. Returns the response (caller frees). */
static json_t *cart_vs_cli(const char *items_csv, const char *customer, int limit)
{
    char body[2048], lim[16], out[1 << 16];
    size_t w = (size_t)snprintf(body, sizeof body, "{\"items\": [");
    char buf[512];
    snprintf(buf, sizeof buf, "%s", items_csv);
    int first = 1;
    for (char *t = strtok(buf, ","); t; t = strtok(NULL, ",")) {
        w += (size_t)snprintf(body + w, sizeof body - w, "%s\"%s\"", first ? "" : ", ", t);
        first = 0;
    }
    w += (size_t)snprintf(body + w, sizeof body - w, "], \"limit\": %d", limit);
    if (customer) snprintf(body + w, sizeof body - w, ", \"customer_id\": \"%s\"", customer);
    strcat(body, "}");
    int st;
    json_t *j = call("POST", "/v1/cart/recommendations", key_read, body, &st);
    CHECK_INT(st, 200);
    snprintf(lim, sizeof lim, "%d", limit);
    const char *args[16] = {"recommend", "--db", db, "--cart", items_csv, "--limit", lim,
                            "--format", "json"};
    size_t n = 9;
    if (customer) {
        args[n++] = "--customer";
        args[n++] = customer;
    }
    args[n] = NULL;
    CHECK_INT(run_xs(out, sizeof out, args), 0);
    json_t *cli = json_loads(out, 0, NULL);
    CHECK(json_is_array(cli));
    CHECK(json_equal(cli, json_object_get(j, "items")));
    if (!json_equal(cli, json_object_get(j, "items")))
        fprintf(stderr, "  cart %s, customer %s:\n  cli %s\n  http %s\n", items_csv,
                customer ? customer : "-", out, body);
    json_decref(cli);
    return j;
}

static void test_cart(void)
{
    if (!ready || ref_load() < 0 || !ref_snap) return;
    const xs_snapshot *s = ref_snap;
    /* the customer with the latest order (its recent purchases count) and
     * the products of that order */
    uint32_t last = 0;
    int32_t day = INT32_MIN;
    for (uint32_t c = 0; c < s->cust.n; c++)
        for (uint32_t o = s->cust.order_off[c]; o < s->cust.order_off[c + 1]; o++)
            if (s->ord.date[o] > day) day = s->ord.date[o], last = c;
    const char *recent = xs__intern_str(&s->cust.ids, last);
    char bought[512] = "";
    uint32_t o = s->cust.order_off[last + 1] - 1;
    for (uint32_t l = s->ord.line_off[o]; l < s->ord.line_off[o + 1]; l++) {
        if (*bought) strcat(bought, ",");
        strcat(bought, xs__intern_str(&s->prod.ids, s->ord.product[l]));
    }
    /* the same ranking from the CLI and over HTTP, for a few carts and
     * customers: anonymous, unknown (anonymous too), known, a recent buyer */
    static const char *const carts[] = {"shop-desk", "shop-desk,shop-chair", "shop-laptop-14,shop-mouse",
                                        "shop-paper-a4,shop-pens,shop-desk-lamp"};
    const char *custs[] = {NULL, "X9", "C00000001", recent};
    int n_items = 0;
    for (size_t i = 0; i < XS_N(carts); i++)
        for (size_t k = 0; k < XS_N(custs); k++) {
            json_t *j = cart_vs_cli(carts[i], custs[k], k % 2 ? 5 : 10);
            n_items += (int)json_array_size(json_object_get(j, "items"));
            CHECK(json_is_boolean(json_object_get(j, "anonymous")));
            CHECK_INT(json_is_true(json_object_get(j, "anonymous")), k < 2);
            if (custs[k])
                CHECK_STR(json_string_value(json_object_get(j, "customer_id")), custs[k]);
            else
                CHECK(json_is_null(json_object_get(j, "customer_id")));
            json_decref(j);
        }
    CHECK(n_items >= 16); /* not vacuous */
    json_t *j = cart_vs_cli(bought, recent, 10);
    /* nothing it just bought comes back */
    json_t *items = json_object_get(j, "items");
    for (size_t i = 0; i < json_array_size(items); i++) {
        const char *p = json_string_value(json_object_get(json_array_get(items, i), "product"));
        for (uint32_t l = s->ord.line_off[o]; l < s->ord.line_off[o + 1]; l++)
            CHECK(strcmp(p, xs__intern_str(&s->prod.ids, s->ord.product[l])));
    }
    json_decref(j);

    /* unknown items are listed, not fatal; the answer is for the rest */
    int st;
    j = call("POST", "/v1/cart/recommendations", key_read,
             "{\"items\": [\"shop-desk\", \"nope\"], \"customer_id\": null}", &st);
    CHECK_INT(st, 200);
    json_t *unk = json_object_get(j, "unknown_items");
    CHECK_INT(json_array_size(unk), 1);
    CHECK_STR(json_string_value(json_array_get(unk, 0)), "nope");
    CHECK(json_is_null(json_object_get(j, "customer_id")));
    CHECK(json_is_true(json_object_get(j, "anonymous")));
    CHECK(json_array_size(json_object_get(j, "items")) > 0);
    json_decref(j);
    /* Japanese explanations */
    j = call("POST", "/v1/cart/recommendations", key_read,
             "{\"items\": [\"shop-desk\"], \"lang\": \"ja\", \"limit\": 1}", &st);
    CHECK_INT(st, 200);
    const char *ex = json_string_value(
        json_object_get(json_array_get(json_object_get(j, "items"), 0), "explanation"));
    /* (the wording is src/offer/explain.c's: only its language is checked) */
    CHECK(ex && strstr(ex, "ご"));
    json_decref(j);

    const char *p = "/v1/cart/recommendations";
    check_error("POST", p, key_read, "{\"items\": \"a\"}", 400, "bad_request",
                "items: expected an array of item ids");
    check_error("POST", p, key_read, "{}", 400, "bad_request",
                "items: expected an array of item ids");
    check_error("POST", p, key_read, "{\"items\": []}", 400, "bad_request",
                "items: expected 1 to 256 item ids, got 0");
    check_error("POST", p, key_read, "{\"items\": [\"a\", 7]}", 400, "bad_request",
                "items[1]: expected a string");
    check_error("POST", p, key_read, "{\"items\": [\"a\"], \"limit\": 0}", 400, "bad_request",
                "limit: expected an integer in [1, 100]");
    check_error("POST", p, key_read, "{\"items\": [\"a\"], \"customer_id\": 5}", 400,
                "bad_request", "customer_id: expected a string");
    check_error("POST", p, key_read, "{\"items\": [\"a\"], \"lang\": \"fr\"}", 400,
                "bad_request", "lang: expected en or ja");
    check_error("POST", p, key_read, "{\"items\": [", 400, "bad_json",
                "line 1 column 11: ']' expected near end of file");
    check_error("POST", p, key_read, "[1, 2]", 400, "bad_json",
                "the body must be a JSON object");
    check_error("POST", p, key_read, "{\"a\": 1, \"a\": 2}", 400, "bad_json", NULL);
    check_error("POST", p, key_read, NULL, 400, "bad_json",
                "empty body: a JSON object is expected");
    /* --max-body 4096: 5000 bytes are refused before they are read */
    char *big = malloc(5001);
    memset(big, ' ', 5000);
    big[0] = '{';
    big[4999] = '}';
    big[5000] = 0;
    check_error("POST", p, key_read, big, 413, "payload_too_large",
                "request body of 5000 bytes exceeds the limit of 4096");
    free(big);
}

/* A body without Content-Length (chunked) over the limit is refused after reading. */
static void test_chunked_too_big(void)
{
    if (!ready) return;
    int fd = http_connect(port);
    CHECK(fd >= 0);
    if (fd < 0) return;
    char head[512];
    int n = snprintf(head, sizeof head,
                     "POST /v1/cart/recommendations HTTP/1.1\r\nHost: x\r\n"
                     "Authorization: Bearer %s\r\nTransfer-Encoding: chunked\r\n"
                     "Connection: close\r\n\r\n",
                     key_read);
    http_write_all(fd, head, (size_t)n);
    char chunk[1100];
    memset(chunk, 'x', sizeof chunk);
    memcpy(chunk, "400\r\n", 5);
    memcpy(chunk + 5 + 1024, "\r\n", 2);
    for (int i = 0; i < 6; i++) http_write_all(fd, chunk, 5 + 1024 + 2);
    http_write_all(fd, "0\r\n\r\n", 5);
    http_resp r;
    http_recv(fd, &r);
    close(fd);
    CHECK_INT(r.status, 413);
    CHECK(r.body && strstr(r.body, "\"payload_too_large\""));
    http_resp_free(&r);
}

static void test_rules(void)
{
    if (!ready) return;
    int st;
    json_t *j = call("GET", "/v1/rules?limit=3", key_read, NULL, &st);
    CHECK_INT(st, 200);
    json_t *rules = json_object_get(j, "rules");
    CHECK_INT(json_array_size(rules), 3);
    CHECK_INT(json_integer_value(json_object_get(j, "baskets")),
              ref_b ? (long long)xs_baskets_n_tx(ref_b) : -1);
    /* the same rules as xs_rules_mine with the server's options */
    xs_rule_opts o;
    xs_rule_opts_init(&o);
    o.mine.min_count = xs_min_count(0.001, xs_baskets_n_tx(ref_b));
    if (o.mine.min_count < 2) o.mine.min_count = 2;
    o.mine.max_len = 3;
    o.min_confidence = 0.05;
    o.max_rules = 2000;
    xs_rules *rr = NULL;
    CHECK_INT(xs_rules_mine(&rr, ref_b, &o, NULL), XS_OK);
    CHECK_INT(json_integer_value(json_object_get(j, "total")), xs_rules_n(rr));
    for (size_t i = 0; i < 3 && i < xs_rules_n(rr); i++) {
        xs_rule x;
        xs_rules_get(rr, i, &x);
        json_t *jr = json_array_get(rules, i);
        CHECK_STR(json_string_value(json_array_get(json_object_get(jr, "rhs"), 0)),
                  xs_baskets_item_name(ref_b, x.rhs[0]));
        CHECK_INT(json_array_size(json_object_get(jr, "lhs")), x.n_lhs);
        CHECK_NEAR(json_number_value(json_object_get(jr, "confidence")), x.confidence, 0);
        CHECK_INT(json_integer_value(json_object_get(jr, "count")), x.count);
    }
    /* rhs filter: every rule has that consequent, as many as the reference */
    xs_rule x0;
    xs_rules_get(rr, 0, &x0);
    const char *rhs = xs_baskets_item_name(ref_b, x0.rhs[0]);
    size_t want = 0;
    for (size_t i = 0; i < xs_rules_n(rr); i++) {
        xs_rule x;
        xs_rules_get(rr, i, &x);
        if (!strcmp(xs_baskets_item_name(ref_b, x.rhs[0]), rhs)) want++;
    }
    json_decref(j);
    char path[256];
    snprintf(path, sizeof path, "/v1/rules?rhs=%s&limit=1000", rhs);
    j = call("GET", path, key_read, NULL, &st);
    CHECK_INT(st, 200);
    rules = json_object_get(j, "rules");
    CHECK_INT(json_array_size(rules), want < 1000 ? want : 1000);
    for (size_t i = 0; i < json_array_size(rules); i++)
        CHECK_STR(json_string_value(
                      json_array_get(json_object_get(json_array_get(rules, i), "rhs"), 0)),
                  rhs);
    json_decref(j);
    xs_rules_free(rr);
    check_error("GET", "/v1/rules?limit=-1", key_read, NULL, 400, "bad_request",
                "limit: -1 is out of range [1, 1000]");
}

static void test_kpi(void)
{
    if (!ready || !ref_snap) return;
    xs_kpi_opts o = {.period = XS_KPI_YEAR, .by = XS_KPI_BY_SEGMENT};
    xs_kpi_result *res = NULL;
    CHECK_INT(xs_kpi_compute(ref_snap, &o, &res, NULL), XS_OK);
    int st;
    json_t *j = call("GET", "/v1/kpi?period=year&by=segment", key_read, NULL, &st);
    CHECK_INT(st, 200);
    json_t *rows = json_object_get(j, "rows");
    CHECK_INT(json_array_size(rows), xs_kpi_result_n_rows(res));
    for (size_t i = 0; i < json_array_size(rows) && i < xs_kpi_result_n_rows(res); i++) {
        const xs_kpi_row *kr = xs_kpi_result_row(res, i);
        json_t *jr = json_array_get(rows, i);
        CHECK_STR(json_string_value(json_object_get(jr, "period")), kr->period);
        CHECK_INT(json_integer_value(json_object_get(jr, "customers_end")), kr->customers_end);
    }
    CHECK_STR(json_string_value(json_object_get(j, "by")), "segment");
    json_decref(j);
    xs_kpi_result_free(res);
    j = call("GET", "/v1/kpi?period=month&from=2026-01-01&to=2026-03-31", key_read, NULL, &st);
    CHECK_INT(st, 200);
    CHECK_INT(json_array_size(json_object_get(j, "rows")), 3);
    json_decref(j);
    check_error("GET", "/v1/kpi?period=week", key_read, NULL, 400, "bad_request",
                "period: expected month, quarter or year, got \"week\"");
    check_error("GET", "/v1/kpi?by=planet", key_read, NULL, 400, "bad_request",
                "by: expected segment, industry, size, channel, kind or product, got \"planet\"");
    check_error("GET", "/v1/kpi?from=yesterday", key_read, NULL, 400, "bad_request", NULL);
}

static void test_customer(void)
{
    if (!ready || !ref_snap) return;
    xs_customer_scores *cs = NULL;
    CHECK_INT(xs_customer_scores_compute(ref_snap, NULL, NULL, &cs, NULL), XS_OK);
    if (!cs) return;
    xs_customer_row c;
    xs_customer_scores_get(cs, 7, &c);
    char path[256];
    snprintf(path, sizeof path, "/v1/customers/%s", c.id);
    int st;
    json_t *j = call("GET", path, key_read, NULL, &st);
    CHECK_INT(st, 200);
    CHECK_STR(json_string_value(json_object_get(j, "customer_id")), c.id);
    CHECK_NEAR(json_number_value(json_object_get(j, "health")), c.health, 0);
    CHECK_STR(json_string_value(json_object_get(j, "segment")), xs_segment_name(c.segment));
    json_t *comp = json_object_get(j, "components");
    CHECK_INT(json_object_size(comp), XS_HEALTH_N_PARTS);
    json_t *ten = json_object_get(comp, "tenure");
    CHECK_NEAR(json_number_value(json_object_get(ten, "score")), c.score[XS_HEALTH_TENURE], 0);
    CHECK_INT(json_integer_value(json_object_get(json_object_get(j, "rfm"), "r")), c.rfm_r);
    CHECK(json_is_null(json_object_get(json_object_get(j, "uplift"), "upsell")));
    json_decref(j);
    /* byte for byte as jansson wrote it, for a spread of customers */
    size_t n_cs = xs_customer_scores_n(cs);
    for (size_t i = 0; i < n_cs; i += 1 + n_cs / 40) {
        xs_customer_scores_get(cs, i, &c);
        snprintf(path, sizeof path, "/v1/customers/%s", c.id);
        check_jansson_bytes(path, (const char *const[]){"r", "f", "m", NULL});
    }
    xs_customer_scores_free(cs);
    check_error("GET", "/v1/customers/NOBODY", key_read, NULL, 404, "not_found",
                "unknown customer \"NOBODY\"");
}

/* GET /v1/guardrails against deciding every customer with the engine the
 * server opens (the demo store is built, so xs_offer_engine_open), and GET
 * /v1/experiments against xs_exp_report of each of the demo's three
 * experiments, on the same snapshot (the store is unchanged since the
 * server started). */
static void test_dash_aggregates(void)
{
    if (!ready || ref_load() < 0) return;
    xs_store *st = NULL;
    xs_offer_engine *en = NULL;
    xs_experiment *x = NULL;
    xs_error e;
    CHECK_INT(xs_store_open(&st, db, &e), XS_OK);
    CHECK_INT(xs_offer_engine_open(st, ref_snap, NULL, NULL, &en, &e), XS_OK);
    long n_exp = xs_store_experiments(st, &x, &e);
    xs_store_close(st);
    CHECK_INT(n_exp, 3);
    if (!en || n_exp != 3) goto cleanup;
    xs_offer_summary sum;
    CHECK_INT(xs_offer_decide_all(en, 1, NULL, NULL, &sum), XS_OK);
    int status;
    json_t *j = call("GET", "/v1/guardrails", key_read, NULL, &status);
    CHECK_INT(status, 200);
    char as_of[11];
    CHECK_STR(json_string_value(json_object_get(j, "as_of")), xs_offer_engine_as_of(en, as_of));
    CHECK_INT(json_integer_value(json_object_get(j, "customers")), sum.n_customers);
    CHECK_INT(json_integer_value(json_object_get(j, "candidates")), sum.n_candidates);
    CHECK_INT(json_integer_value(json_object_get(j, "offered")), sum.n_offered);
    CHECK_NEAR(json_number_value(json_object_get(j, "ev_offered")), sum.ev_offered, 1e-6);
    json_t *kinds = json_object_get(j, "offered_by_kind");
    CHECK_INT(json_object_size(kinds), XS_OFFER_N_KINDS);
    for (int k = 0; k < XS_OFFER_N_KINDS; k++)
        CHECK_INT(json_integer_value(json_object_get(kinds, xs_offer_kind_key((xs_offer_kind)k))),
                  sum.n_kind[k]);
    json_t *guards = json_object_get(j, "guards");
    CHECK_INT(json_array_size(guards), XS_GUARD_N - 1);
    /* the demo's holdouts (~120 units) are under uplift_min_n: every kind
     * keeps P(accept), and says why as the engine does (docs/offers.md) */
    json_t *upl = json_object_get(j, "uplift");
    CHECK_INT(json_array_size(upl), XS_OFFER_N_KINDS);
    for (size_t k = 0; k < json_array_size(upl) && k < XS_OFFER_N_KINDS; k++) {
        xs_offer_uplift_info u;
        xs_offer_engine_uplift(en, (xs_offer_kind)k, &u);
        CHECK_STR(json_string_value(json_object_get(json_array_get(upl, k), "basis")),
                  "propensity");
        CHECK_STR(json_string_value(json_object_get(json_array_get(upl, k), "why")), u.why);
        CHECK(strstr(u.why, "uplift_min_n is 1000") != NULL);
    }
    size_t total = sum.n_offered;
    for (int g = 1; g < XS_GUARD_N; g++) {
        json_t *row = json_array_get(guards, (size_t)g - 1);
        CHECK_STR(json_string_value(json_object_get(row, "guard")),
                  xs_offer_guard_name((xs_offer_guard)g));
        CHECK_INT(json_integer_value(json_object_get(row, "suppressed")), sum.n_suppressed[g]);
        CHECK_NEAR(json_number_value(json_object_get(row, "ev_held")), sum.ev_held[g], 1e-6);
        total += sum.n_suppressed[g];
    }
    CHECK_INT(total, sum.n_candidates);
    /* the demo's experiments run: their holdouts hold some candidates back */
    CHECK(sum.n_suppressed[XS_GUARD_HOLDOUT] > 0);
    json_decref(j);

    j = call("GET", "/v1/experiments", key_read, NULL, &status);
    CHECK_INT(status, 200);
    json_t *ex = json_object_get(j, "experiments");
    CHECK_INT(json_array_size(ex), 3);
    for (long i = 0; i < n_exp && (size_t)i < json_array_size(ex); i++) {
        json_t *o = json_array_get(ex, (size_t)i);
        CHECK_STR(json_string_value(json_object_get(o, "name")), x[i].name);
        CHECK_STR(json_string_value(json_object_get(o, "kind")), xs_offer_kind_key(x[i].kind));
        CHECK_STR(json_string_value(json_object_get(o, "start")), x[i].start);
        CHECK(json_is_null(json_object_get(o, "end")));
        xs_exp_report_result *r = NULL;
        CHECK_INT(xs_exp_report(ref_snap, &x[i], NULL, &r, &e), XS_OK);
        if (!r) continue;
        char until[11];
        CHECK_STR(json_string_value(json_object_get(o, "until")), xs_exp_report_until(r, until));
        json_t *arms = json_object_get(o, "arms");
        CHECK_INT(json_array_size(arms), xs_exp_report_n_arms(r));
        for (size_t a = 0; a < xs_exp_report_n_arms(r); a++) {
            const xs_exp_arm *m = xs_exp_report_arm(r, a);
            json_t *ja = json_array_get(arms, a);
            CHECK_STR(json_string_value(json_object_get(ja, "arm")), m->name);
            CHECK_INT(json_integer_value(json_object_get(ja, "customers")), m->customers);
            CHECK_INT(json_integer_value(json_object_get(ja, "offers")), m->offers);
            CHECK_INT(json_integer_value(json_object_get(ja, "accepted")), m->accepted);
        }
        /* the generator withheld this kind from the holdout in the window */
        CHECK_STR(xs_exp_report_arm(r, 1)->name, "holdout");
        CHECK_INT(xs_exp_report_arm(r, 1)->offers, 0);
        const xs_exp_result *a = xs_exp_report_analysis(r);
        json_t *res = json_object_get(o, "results");
        CHECK_INT(json_array_size(res), xs_exp_result_n_rows(a));
        for (size_t k = 0; k < xs_exp_result_n_rows(a) && k < json_array_size(res); k++) {
            const xs_exp_row *w = xs_exp_result_row(a, k);
            json_t *jr = json_array_get(res, k);
            CHECK_STR(json_string_value(json_object_get(jr, "metric")), w->metric);
            CHECK_STR(json_string_value(json_object_get(jr, "group")), w->group);
            CHECK_INT(json_integer_value(json_object_get(jr, "n")), w->n);
            CHECK_NEAR(json_number_value(json_object_get(jr, "mean")), w->mean, 1e-9);
            if (w->is_control) {
                CHECK_STR(json_string_value(json_object_get(jr, "method")), "control");
                CHECK(json_is_null(json_object_get(jr, "lift")));
                continue;
            }
            CHECK_NEAR(json_number_value(json_object_get(jr, "lift")), w->lift, 1e-9);
            CHECK_NEAR(json_number_value(json_object_get(jr, "lift_lo")), w->lift_lo, 1e-9);
            CHECK_NEAR(json_number_value(json_object_get(jr, "lift_hi")), w->lift_hi, 1e-9);
            CHECK_NEAR(json_number_value(json_object_get(jr, "p_value")), w->p, 1e-12);
            CHECK(w->lift_lo <= w->lift && w->lift <= w->lift_hi);
        }
        json_t *srm = json_object_get(o, "srm");
        CHECK_NEAR(json_number_value(json_object_get(srm, "p_value")),
                   xs_exp_result_srm(a)->p, 1e-12);
        xs_exp_report_free(r);
    }
    json_decref(j);
cleanup:
    xs_store_experiments_free(x);
    xs_offer_engine_free(en);
}

static void test_targets_offers(void)
{
    if (!ready) return;
    int st;
    json_t *j = call("GET", "/v1/targets?limit=3", key_read, NULL, &st);
    CHECK_INT(st, 200);
    json_t *t = json_object_get(j, "targets");
    CHECK_INT(json_array_size(t), 3);
    for (size_t i = 0; i < json_array_size(t); i++)
        CHECK_INT(json_integer_value(json_object_get(json_array_get(t, i), "rank")), i + 1);
    char cust[64] = "";
    snprintf(cust, sizeof cust, "%s",
             json_string_value(json_object_get(json_array_get(t, 0), "customer_id")));
    /* the top offer's product by its catalog name (`xsell export products`:
     * product_id,name,...); every row has one in ja too */
    static char cat[1 << 16];
    CHECK_INT(run_xs(cat, sizeof cat,
                     (const char *const[]){"export", "--db", db, "products", NULL}),
              0);
    for (size_t i = 0; i < json_array_size(t); i++) {
        json_t *row = json_array_get(t, i);
        const char *top = json_string_value(json_object_get(row, "top_offer"));
        const char *id = top ? strchr(top, ' ') : NULL;
        char want[256] = "", key[128];
        snprintf(key, sizeof key, "\n%s,", id ? id + 1 : "?");
        const char *line = strstr(cat, key);
        if (line)
            snprintf(want, sizeof want, "%.*s", (int)strcspn(line + strlen(key), ",\n"),
                     line + strlen(key));
        CHECK(want[0] != 0);
        CHECK_STR(json_string_value(json_object_get(row, "top_product_name")), want);
    }
    json_decref(j);
    j = call("GET", "/v1/targets?limit=3&lang=ja", key_read, NULL, &st);
    CHECK_INT(st, 200);
    json_t *tja = json_object_get(j, "targets");
    CHECK_INT(json_array_size(tja), 3);
    for (size_t i = 0; i < json_array_size(tja); i++)
        CHECK(json_string_value(json_object_get(json_array_get(tja, i), "top_product_name")));
    json_decref(j);
    check_error("GET", "/v1/targets?lang=fr", key_read, NULL, 400, "bad_request",
                "lang: expected en or ja, got \"fr\"");
    char path[256];
    snprintf(path, sizeof path, "/v1/customers/%s/offers?lang=ja&limit=1", cust);
    j = call("GET", path, key_read, NULL, &st);
    CHECK_INT(st, 200);
    CHECK_STR(json_string_value(json_object_get(j, "lang")), "ja");
    json_t *offers = json_object_get(j, "offers");
    CHECK_INT(json_array_size(offers), 1);
    CHECK_INT(json_integer_value(json_object_get(json_array_get(offers, 0), "rank")), 1);
    /* no holdout experiment: valued by P(accept), uplift null (docs/offers.md) */
    CHECK_STR(json_string_value(json_object_get(json_array_get(offers, 0), "value_basis")),
              "propensity");
    CHECK(json_is_null(json_object_get(json_array_get(offers, 0), "uplift")));
    json_decref(j);
    snprintf(path, sizeof path, "/v1/customers/%s/offers?lang=fr", cust);
    check_error("GET", path, key_read, NULL, 400, "bad_request",
                "lang: expected en or ja, got \"fr\"");
    check_error("GET", "/v1/customers/NOBODY/offers", key_read, NULL, 404, "not_found",
                "unknown customer \"NOBODY\"");
    check_error("GET", "/v1/targets?limit=0", key_read, NULL, 400, "bad_request",
                "limit: 0 is out of range [1, 100000]");
    /* offers served are counted by kind */
    http_resp r;
    CHECK_INT(http_do(port, "GET", "/metrics", NULL, NULL, &r), 200);
    CHECK(r.body && strstr(r.body, "xsell_http_requests_total{route=\"offers\",status=\"200\"} 1\n"));
    http_resp_free(&r);
}

/* POST /v1/offers/{id}/outcome: the store write path of `xsell outcome`,
 * on offers logged by `xsell recommend --log` while the server runs. */
static void test_outcome(void)
{
    if (!ready) return;
    static char out[1 << 20];
    /* log the offers of the first target, read their ids back */
    int st;
    json_t *j = call("GET", "/v1/targets?limit=1", key_read, NULL, &st);
    CHECK_INT(st, 200);
    char cust[64] = "";
    snprintf(cust, sizeof cust, "%s",
             json_string_value(json_object_get(json_array_get(json_object_get(j, "targets"), 0),
                                               "customer_id")));
    json_decref(j);
    CHECK_INT(run_xs(out, sizeof out, (const char *const[]){"build", "--db", db, NULL}), 0);
    CHECK_INT(run_xs(out, sizeof out,
                     (const char *const[]){"recommend", "--db", db, "--customer", cust,
                                           "--log", NULL}),
              0);
    CHECK_INT(run_xs(out, sizeof out,
                     (const char *const[]){"export", "--db", db, "--format", "csv", "offers",
                                           NULL}),
              0);
    char id1[32] = "", id2[32] = "", sent[11] = "";
    for (char *l = strstr(out, "\nX"); l; l = strstr(l + 1, "\nX")) {
        char *id = id1[0] ? id2 : id1;
        if (id2[0]) break;
        sscanf(l + 1, "%31[^,]", id);
        if (!sent[0]) {
            /* offer_id,customer_id,product_id,kind,channel,sent_at */
            const char *p = l + 1;
            for (int k = 0; k < 5 && p; k++)
                p = strchr(p, ','), p = p ? p + 1 : NULL;
            if (p) memcpy(sent, p, 10);
        }
    }
    CHECK(id1[0] != 0);
    CHECK(id2[0] != 0);
    CHECK_INT(strlen(sent), 10);
    char path[128], body[256], msg[256];
    snprintf(path, sizeof path, "/v1/offers/%s/outcome", id1);
    /* a read key may not write */
    check_error("POST", path, key_read, "{\"outcome\": \"accepted\"}", 403, "forbidden", NULL);
    check_error("POST", "/v1/offers/NOPE/outcome", key_write,
                "{\"outcome\": \"accepted\"}", 404, "not_found", "unknown offer \"NOPE\"");
    check_error("POST", path, key_write, "{\"outcome\": \"maybe\"}", 400, "bad_request",
                "outcome: expected accepted, declined or ignored, got \"maybe\"");
    check_error("POST", path, key_write, "{\"outcome\": 3}", 400, "bad_request",
                "outcome: expected accepted, declined or ignored");
    snprintf(msg, sizeof msg, "at: \"2000-01-01\" is before the offer was sent (%s)", sent);
    check_error("POST", path, key_write, "{\"outcome\": \"accepted\", \"at\": \"2000-01-01\"}",
                400, "bad_request", msg);
    check_error("POST", path, key_write,
                "{\"outcome\": \"accepted\", \"revenue_delta\": \"lots\"}", 400, "bad_request",
                "revenue_delta: not an amount: \"lots\"");
    /* recorded once; the second time is refused */
    snprintf(body, sizeof body,
             "{\"outcome\": \"accepted\", \"at\": \"%s\", \"revenue_delta\": -12.5}", sent);
    j = call("POST", path, key_write, body, &st);
    CHECK_INT(st, 200);
    CHECK_STR(json_string_value(json_object_get(j, "offer_id")), id1);
    CHECK_STR(json_string_value(json_object_get(j, "outcome")), "accepted");
    CHECK_STR(json_string_value(json_object_get(j, "outcome_at")), sent);
    CHECK_STR(json_string_value(json_object_get(j, "revenue_delta")), "-12.5");
    json_decref(j);
    snprintf(msg, sizeof msg, "offer \"%s\" already has the final outcome \"accepted\"", id1);
    check_error("POST", path, key_write, body, 409, "outcome_final", msg);
    /* the store holds it, as `xsell outcome` would have written it */
    CHECK_INT(run_xs(out, sizeof out,
                     (const char *const[]){"export", "--db", db, "--format", "csv", "offers",
                                           NULL}),
              0);
    char want[128];
    snprintf(want, sizeof want, "\n%s,", id1);
    char *l = strstr(out, want);
    CHECK(l != NULL);
    if (l) {
        char line[512];
        sscanf(l + 1, "%511[^\n]", line);
        snprintf(want, sizeof want, ",%s,accepted,%s,-12.50,", sent, sent);
        CHECK(strstr(line, want) != NULL);
    }
    /* and `xsell outcome` refuses it too */
    CHECK_INT(run_xs(out, sizeof out,
                     (const char *const[]){"outcome", "--db", db, "--offer", id1, "declined",
                                           NULL}),
              2);
}

static void test_auth(void)
{
    if (!ready) return;
    const char *p = "/v1/rules";
    check_error("GET", p, NULL, NULL, 401, "unauthorized",
                "missing API key: send \"Authorization: Bearer <key>\"");
    check_error("GET", p, "xs_0000000000000000_00", NULL, 401, "unauthorized", "invalid API key");
    check_error("GET", p, key_revoked, NULL, 401, "unauthorized", "invalid API key");
    char wrong[XS_APIKEY_MAX];
    strcpy(wrong, key_admin);
    wrong[40] = wrong[40] == 'a' ? 'b' : 'a';
    check_error("GET", p, wrong, NULL, 401, "unauthorized", "invalid API key");
    /* a Basic header is not a key */
    int fd = http_connect(port);
    const char *req = "GET /v1/rules HTTP/1.1\r\nHost: x\r\nAuthorization: Basic eDp5\r\n"
                      "Connection: close\r\n\r\n";
    http_write_all(fd, req, strlen(req));
    http_resp r;
    http_recv(fd, &r);
    close(fd);
    CHECK_INT(r.status, 401);
    CHECK(r.body && strstr(r.body, "Authorization is not a Bearer token"));
    http_resp_free(&r);
    /* scopes: read < write < admin */
    check_error("POST", "/v1/build", key_read, NULL, 403, "forbidden",
                "this route needs a key with scope admin (key has read)");
    check_error("POST", "/v1/build", key_write, NULL, 403, "forbidden",
                "this route needs a key with scope admin (key has write)");
    check_error("POST", "/v1/events", key_read, "{}", 403, "forbidden",
                "this route needs a key with scope write (key has read)");
    check_error("POST", "/v1/events", key_write, "{}", 400, "bad_request",
                "empty batch: expected at least one of customers, products, "
                "subscriptions, orders, usage, events, offers, returns or "
                "anonymous_orders");
    check_error("POST", "/v1/offers/O1/outcome", key_admin, "{\"outcome\": \"accepted\"}", 404,
                "not_found", "unknown offer \"O1\"");
    int st;
    json_decref(call("GET", p, key_admin, NULL, &st));
    CHECK_INT(st, 200);
    json_decref(call("GET", p, key_write, NULL, &st));
    CHECK_INT(st, 200);
    /* each worker caches the last key it verified (server.c check_key):
     * once the right key has been accepted on every worker, one differing
     * in a byte is still refused; a key revoked while the server runs is
     * refused from the next reload of the keys (KEYS_TTL, 1 s) on */
    for (int k = 0; k < 8; k++) {
        json_decref(call("GET", p, key_admin, NULL, &st));
        CHECK_INT(st, 200);
        check_error("GET", p, wrong, NULL, 401, "unauthorized", "invalid API key");
    }
    char fresh[256];
    CHECK_INT(run_xs(fresh, sizeof fresh,
                     (const char *const[]){"apikey", "create", "--db", db, "--scope", "read",
                                           NULL}),
              0);
    chomp(fresh);
    CHECK_INT(strlen(fresh), 84);
    struct timespec ts = {1, 500000000}; /* the server loads it */
    nanosleep(&ts, NULL);
    for (int k = 0; k < 8; k++) {
        json_decref(call("GET", p, fresh, NULL, &st));
        CHECK_INT(st, 200);
    }
    char id[17], out[1024];
    memcpy(id, fresh + 3, 16);
    id[16] = 0;
    CHECK_INT(run_xs(out, sizeof out,
                     (const char *const[]){"apikey", "revoke", "--db", db, id, NULL}),
              0);
    nanosleep(&ts, NULL);
    for (int k = 0; k < 8; k++)
        check_error("GET", p, fresh, NULL, 401, "unauthorized", "invalid API key");
}

/* Keys created or revoked while the server runs take effect within a second. */
static void test_live_keys(void)
{
    if (!ready) return;
    char out[256];
    CHECK_INT(run_xs(out, sizeof out,
                     (const char *const[]){"apikey", "create", "--db", db, "--scope", "read",
                                           "--note", "live", NULL}),
              0);
    chomp(out);
    sleep_s(1.2);
    int st;
    json_decref(call("GET", "/v1/rules?limit=1", out, NULL, &st));
    CHECK_INT(st, 200);
    char id[17];
    memcpy(id, out + 3, 16);
    id[16] = 0;
    char dummy[64];
    CHECK_INT(run_xs(dummy, sizeof dummy,
                     (const char *const[]){"apikey", "revoke", "--db", db, id, NULL}),
              0);
    sleep_s(1.2);
    check_error("GET", "/v1/rules?limit=1", out, NULL, 401, "unauthorized", "invalid API key");
}

static void test_routing_errors(void)
{
    if (!ready) return;
    check_error("GET", "/v1/nothing", key_read, NULL, 404, "not_found",
                "no route for GET \"/v1/nothing\"");
    check_error("GET", "/nope", NULL, NULL, 404, "not_found", "no route for GET \"/nope\"");
    check_error("GET", "/v1/items//together", key_read, NULL, 404, "not_found", NULL);
    /* routes match the raw path; each parameter is decoded after routing */
    check_error("GET", "/v1/items/a%2Fb/together", key_read, NULL, 404, "not_found",
                "unknown item \"a/b\"");
    check_error("GET", "/v1/items/a%20b+%E3%81%82/together", key_read, NULL, 404,
                "not_found", "unknown item \"a b+あ\"");
    check_error("GET", "/v1/customers/a%2Fb", key_read, NULL, 404, "not_found",
                "unknown customer \"a/b\"");
    check_error("GET", "/v1/customers/a%2Fb/offers", key_read, NULL, 404, "not_found",
                "unknown customer \"a/b\"");
    check_error("GET", "/v1/items/a%FFb/together", key_read, NULL, 400, "bad_request",
                "path parameter id: not valid UTF-8");
    check_error("GET", "/v1/customers/%C0%AF", key_read, NULL, 400, "bad_request",
                "path parameter id: not valid UTF-8"); /* overlong '/' */
    check_error("GET", "/v1/items/a%00b/together", key_read, NULL, 400, "bad_request",
                "path parameter id: contains NUL");
    check_error("GET", "/v1/items/a%2/together", key_read, NULL, 400, "bad_request",
                "path parameter id: bad percent-encoding");
    check_error("POST", "/v1/offers/a%ZZ/outcome", key_write, "{\"outcome\": \"accepted\"}",
                400, "bad_request", "path parameter id: bad percent-encoding");
    /* the key is checked before the parameters */
    check_error("GET", "/v1/items/a%FFb/together", NULL, NULL, 401, "unauthorized", NULL);
    /* an encoded '/' cannot leave the assets folder */
    check_error("GET", "/assets/..%2F..%2Fetc%2Fpasswd", NULL, NULL, 400, "bad_request",
                "bad asset name \"../../etc/passwd\"");
    /* literal segments are matched as sent */
    check_error("GET", "/v1/%69tems/x/together", key_read, NULL, 404, "not_found",
                "no route for GET \"/v1/%69tems/x/together\"");
    http_resp r;
    CHECK_INT(http_do(port, "DELETE", "/healthz", NULL, NULL, &r), 405);
    CHECK_STR(http_header(&r, "Allow"), "GET");
    CHECK(r.body && strstr(r.body, "{\"error\":{\"code\":\"method_not_allowed\",\"message\":"
                                   "\"DELETE \\\"/healthz\\\": allowed: GET\"}}"));
    http_resp_free(&r);
    check_error("GET", "/v1/build", key_admin, NULL, 405, "method_not_allowed", NULL);
    /* HEAD: a GET route's headers, no body */
    int hfd = http_connect(port);
    const char *head = "HEAD /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    http_write_all(hfd, head, strlen(head));
    char hbuf[2048];
    size_t hn = 0;
    ssize_t hk;
    while (hn < sizeof hbuf - 1 && (hk = recv(hfd, hbuf + hn, sizeof hbuf - 1 - hn, 0)) > 0)
        hn += (size_t)hk;
    hbuf[hn] = 0;
    close(hfd);
    CHECK(!strncmp(hbuf, "HTTP/1.1 200 OK\r\n", 17));
    CHECK(strstr(hbuf, "\r\n\r\n") && strstr(hbuf, "\r\n\r\n")[4] == 0);
    check_error("POST", "/v1/rules", key_read, "{}", 405, "method_not_allowed", NULL);
    /* garbage on the wire: a 4xx status line (from libmicrohttpd), server alive */
    int fd = http_connect(port);
    const char *junk = "\x01\x02 garbage\r\n\r\n";
    http_write_all(fd, junk, strlen(junk));
    http_recv(fd, &r);
    close(fd);
    CHECK(r.status >= 400 && r.status < 500);
    http_resp_free(&r);
    /* a request line too long for the connection's memory: 4xx, not a crash */
    fd = http_connect(port);
    char *longp = malloc(70000);
    memset(longp, 'a', 69999);
    memcpy(longp, "GET /", 5);
    longp[69999] = 0;
    http_write_all(fd, longp, strlen(longp));
    const char *rest = " HTTP/1.1\r\nHost: x\r\n\r\n";
    http_write_all(fd, rest, strlen(rest));
    free(longp);
    http_recv(fd, &r);
    close(fd);
    CHECK(r.status >= 400 && r.status < 500);
    http_resp_free(&r);
    int st;
    json_decref(call("GET", "/healthz", NULL, NULL, &st));
    CHECK_INT(st, 200);
}

/* POST /v1/events: export of one table through the CLI (static buffer). */
static const char *export_of(const char *table, char *buf, size_t cap)
{
    int rc = run_xs(buf, cap, (const char *const[]){"export", "--db", db, table, NULL});
    CHECK_INT(rc, 0);
    return buf;
}

/* Checks a 422 invalid_events answer: message and the first detail. */
static void check_invalid(const char *body, const char *msg, const char *table, long index,
                          const char *column, const char *detail, long n_errors)
{
    int st;
    json_t *j = call("POST", "/v1/events", key_write, body, &st);
    CHECK_INT(st, 422);
    json_t *e = json_object_get(j, "error");
    CHECK_STR(json_string_value(json_object_get(e, "code")), "invalid_events");
    CHECK_STR(json_string_value(json_object_get(e, "message")), msg);
    CHECK_INT(json_integer_value(json_object_get(e, "n_errors")), n_errors);
    json_t *d = json_array_get(json_object_get(e, "details"), 0);
    CHECK_STR(json_string_value(json_object_get(d, "table")), table);
    CHECK_INT(json_integer_value(json_object_get(d, "index")), index);
    if (column)
        CHECK_STR(json_string_value(json_object_get(d, "column")), column);
    else
        CHECK(json_object_get(d, "column") == NULL);
    CHECK_STR(json_string_value(json_object_get(d, "message")), detail);
    json_decref(j);
}

/* Counts lines of s. */
static size_t n_lines(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += *s == '\n';
    return n;
}

static void test_events(void)
{
    if (!ready) return;
    static char ev0[1 << 20], us0[1 << 20], of0[1 << 20], ev1[1 << 20], us1[1 << 20],
        of1[1 << 20], prod[1 << 16];
    export_of("products", prod, sizeof prod);
    char pid[128] = "";
    const char *l2 = strchr(prod, '\n');
    if (l2) sscanf(l2 + 1, "%127[^,]", pid);
    CHECK(pid[0] != 0);
    export_of("events", ev0, sizeof ev0);
    export_of("usage", us0, sizeof us0);
    export_of("offers", of0, sizeof of0);
    CHECK(n_lines(ev0) > 1 && n_lines(us0) > 1);

    /* the happy path */
    char body[1024];
    snprintf(body, sizeof body,
             "{\"events\": [{\"customer_id\": \"C00000001\", \"date\": \"2031-01-01\", "
             "\"type\": \"nps\", \"value\": 9}, {\"customer_id\": \"C00000001\", \"date\": "
             "\"2031-01-02\", \"type\": \"ticket\", \"value\": \"2\", \"ref\": \"T-x\"}], "
             "\"usage\": [{\"customer_id\": \"C00000001\", \"product_id\": \"%s\", \"metric\": "
             "\"seats\", \"value\": 3.5, \"date\": \"2031-01-01\", \"note\": null}]}",
             pid);
    int st;
    json_t *h = call("GET", "/healthz", NULL, NULL, &st);
    json_int_t gen0 =
        json_integer_value(json_object_get(json_object_get(h, "model"), "generation"));
    json_decref(h);
    json_t *j = call("POST", "/v1/events", key_write, body, &st);
    CHECK_INT(st, 200);
    /* the model stays as it was until POST /v1/build */
    h = call("GET", "/healthz", NULL, NULL, &st);
    CHECK_INT(json_integer_value(json_object_get(json_object_get(h, "model"), "generation")),
              gen0);
    CHECK(gen0 >= 1);
    json_decref(h);
    json_t *ap = json_object_get(j, "applied");
    CHECK_INT(json_object_size(ap), 2);
    CHECK_INT(json_integer_value(json_object_get(ap, "events")), 2);
    CHECK_INT(json_integer_value(json_object_get(ap, "usage")), 1);
    CHECK_INT(json_integer_value(json_object_get(j, "inserted")), 3);
    CHECK_INT(json_integer_value(json_object_get(j, "updated")), 0);
    CHECK_INT(json_integer_value(json_object_get(j, "unchanged")), 0);
    json_decref(j);
    export_of("events", ev1, sizeof ev1);
    export_of("usage", us1, sizeof us1);
    /* exactly the new rows were added, where key order puts them */
    {
        static char want[1 << 20];
        const char *at = ev0;
        const char *next;
        /* the new rows sort after C00000001's last row, before C00000002's first */
        next = strstr(ev0, "\nC00000002,");
        CHECK(next != NULL);
        if (next) {
            snprintf(want, sizeof want, "%.*s%s%s", (int)(next - at + 1), at,
                     "C00000001,2031-01-01,nps,9,\nC00000001,2031-01-02,ticket,2,T-x\n",
                     next + 1);
            CHECK_STR(ev1, want);
        }
        next = strstr(us0, "\nC00000002,");
        CHECK(next != NULL);
        if (next) {
            char row[256];
            snprintf(row, sizeof row, "C00000001,%s,seats,3.5,2031-01-01\n", pid);
            /* usage sorts by (customer, product, metric, date): find its place */
            const char *p = strchr(us0, '\n') + 1, *ins = next + 1;
            size_t plen = strlen(pid);
            for (const char *q = p; q < next + 1; q = strchr(q, '\n') + 1) {
                if (strncmp(q, "C00000001,", 10)) continue;
                int c = strncmp(q + 10, pid, plen);
                if (c == 0 && q[10 + plen] != ',') c = 1;
                if (c < 0) continue;
                if (c == 0) {
                    const char *m = q + 11 + plen;
                    if (strncmp(m, "seats,", 6) < 0) continue;
                }
                ins = q;
                break;
            }
            snprintf(want, sizeof want, "%.*s%s%s", (int)(ins - us0), us0, row, ins);
            CHECK_STR(us1, want);
        }
    }
    /* the same batch again: all unchanged */
    j = call("POST", "/v1/events", key_write, body, &st);
    CHECK_INT(st, 200);
    CHECK_INT(json_integer_value(json_object_get(j, "inserted")), 0);
    CHECK_INT(json_integer_value(json_object_get(j, "unchanged")), 3);
    json_decref(j);

    /* validation errors, with the importer's messages */
    check_invalid("{\"events\": [{\"customer_id\": \"C00000001\", \"date\": \"2031-02-01\", "
                  "\"type\": \"login\"}, {\"customer_id\": \"C00000001\", \"date\": "
                  "\"2031-02-01\", \"type\": \"nps\", \"value\": 11}]}",
                  "events[1]: value: nps needs an integer 0 to 10, got \"11\"", "events", 1,
                  "value", "nps needs an integer 0 to 10, got \"11\"", 1);
    check_invalid("{\"events\": [{\"customer_id\": \"C9\", \"date\": \"2031-13-01\", "
                  "\"type\": \"login\"}]}",
                  "events[0]: customer_id: unknown customer \"C9\" (and 1 more error)",
                  "events", 0, "customer_id", "unknown customer \"C9\"", 2);
    check_invalid("{\"events\": [{\"customer_id\": \"C00000001\", \"date\": \"2031-02-01\", "
                  "\"type\": \"login\"}, {\"customer_id\": \"C00000001\", \"date\": "
                  "\"2031-02-01\", \"type\": \"login\", \"ref\": \"\"}]}",
                  "events[1]: customer_id: duplicate key \"C00000001\", \"2031-02-01\", "
                  "\"login\", \"\" (first at events[0])",
                  "events", 1, "customer_id",
                  "duplicate key \"C00000001\", \"2031-02-01\", \"login\", \"\" (first at "
                  "events[0])",
                  1);
    /* atomicity: good events, one bad offer in the last table: nothing written */
    snprintf(body, sizeof body,
             "{\"offers\": [{\"offer_id\": \"EV-1\", \"customer_id\": \"C00000001\", "
             "\"product_id\": \"%s\", \"kind\": \"cross_sell\", \"channel\": \"fax\", "
             "\"sent_at\": \"2031-03-01\", \"outcome\": \"pending\"}], \"events\": "
             "[{\"customer_id\": \"C00000001\", \"date\": \"2031-03-01\", \"type\": "
             "\"login\"}]}",
             pid);
    check_invalid(body,
                  "offers[0]: channel: expected email, in_app, csm, webinar or sns, got "
                  "\"fax\"",
                  "offers", 0, "channel",
                  "expected email, in_app, csm, webinar or sns, got \"fax\"", 1);
    static char ev2[1 << 20], of2[1 << 20];
    export_of("events", ev2, sizeof ev2);
    export_of("offers", of2, sizeof of2);
    CHECK_STR(ev2, ev1);
    CHECK_STR(of2, of0);
    (void)of1;

    /* the shape of the body */
    check_error("POST", "/v1/events", key_write, "{\"evnts\": []}", 400, "bad_request",
                "unknown table \"evnts\" (expected customers, products, subscriptions, "
                "orders, usage, events, offers, returns or anonymous_orders)");
    check_error("POST", "/v1/events", key_write, "{\"events\": {}}", 400, "bad_request",
                "events: expected an array, got an object");
    check_error("POST", "/v1/events", key_write, "{\"usage\": \"x\"}", 400, "bad_request",
                "usage: expected an array, got a string");
    check_error("POST", "/v1/events", key_write, "{}", 400, "bad_request",
                "empty batch: expected at least one of customers, products, "
                "subscriptions, orders, usage, events, offers, returns or "
                "anonymous_orders");
    check_error("POST", "/v1/events", key_write, "[]", 400, "bad_json",
                "the body must be a JSON object");
    check_invalid("{\"events\": [1]}", "events[0]: expected an object, got a number",
                  "events", 0, NULL, "expected an object, got a number", 1);
    check_invalid("{\"events\": [{\"customer_id\": \"C00000001\", \"date\": \"2031-02-01\", "
                  "\"type\": \"nps\", \"value\": [9]}]}",
                  "events[0]: value: expected a string, number, boolean or null, got an "
                  "array",
                  "events", 0, "value",
                  "expected a string, number, boolean or null, got an array", 1);
    {
        /* a table with more distinct field names than the handler takes */
        char big[4000];
        size_t o = (size_t)snprintf(big, sizeof big, "{\"usage\": [{");
        for (int k = 0; k < 257; k++)
            o += (size_t)snprintf(big + o, sizeof big - o, "%s\"f%03d\": 1", k ? ", " : "",
                                  k);
        snprintf(big + o, sizeof big - o, "}]}");
        check_invalid(big, "usage[0]: f256: more than 256 distinct fields in usage", "usage",
                      0, "f256", "more than 256 distinct fields in usage", 1);
    }
    j = call("POST", "/v1/events", key_write, "{\"events\": []}", &st);
    CHECK_INT(st, 200);
    CHECK_INT(json_integer_value(json_object_get(json_object_get(j, "applied"), "events")), 0);
    CHECK_INT(json_integer_value(json_object_get(j, "inserted")), 0);
    json_decref(j);
    /* scopes */
    check_error("POST", "/v1/events", key_read, "{\"events\": []}", 403, "forbidden",
                "this route needs a key with scope write (key has read)");
    check_error("POST", "/v1/events", NULL, "{\"events\": []}", 401, "unauthorized", NULL);
    export_of("events", ev2, sizeof ev2);
    CHECK_STR(ev2, ev1);
}

static void test_keep_alive(void)
{
    if (!ready) return;
    int fd = http_connect(port);
    CHECK(fd >= 0);
    for (int i = 0; i < 20; i++) {
        http_resp r;
        CHECK_INT(http_send(fd, "GET", "/v1/rules?limit=1", key_read, NULL, 0, 1), 0);
        CHECK_INT(http_recv(fd, &r), 0);
        CHECK_INT(r.status, 200);
        http_resp_free(&r);
    }
    /* an error does not need to end the connection for a GET */
    close(fd);
}

/* ---- model swap under load ---- */

static atomic_int stop_load;
static atomic_long n_ok, n_fail;
static char load_path[256];

static void *hammer(void *arg)
{
    (void)arg;
    int fd = -1;
    for (int i = 0; i < 5000 && !atomic_load(&stop_load); i++) {
        if (fd < 0) fd = http_connect(port);
        http_resp r;
        memset(&r, 0, sizeof r);
        int ok = fd >= 0 && http_send(fd, "GET", load_path, key_read, NULL, 0, 1) == 0 &&
                 http_recv(fd, &r) == 0 && r.status == 200;
        if (fd >= 0 && !ok) {
            /* a closed keep-alive connection is retried once on a fresh one */
            close(fd);
            fd = http_connect(port);
            ok = fd >= 0 && http_send(fd, "GET", load_path, key_read, NULL, 0, 1) == 0 &&
                 http_recv(fd, &r) == 0 && r.status == 200;
        }
        if (ok) {
            atomic_fetch_add(&n_ok, 1);
            ok = r.body && strstr(r.body, "\"items\":[{") != NULL;
            if (!ok) atomic_fetch_add(&n_fail, 1);
        } else {
            atomic_fetch_add(&n_fail, 1);
        }
        http_resp_free(&r);
    }
    if (fd >= 0) close(fd);
    return NULL;
}

static long generation(void)
{
    int st;
    json_t *j = call("GET", "/healthz", NULL, NULL, &st);
    long g = (long)json_integer_value(json_object_get(json_object_get(j, "model"), "generation"));
    json_decref(j);
    return g;
}

static void test_swap_under_load(void)
{
    if (!ready || !ref_m) return;
    uint32_t id;
    xs_together_hit h[4];
    for (id = 0; id < xs_together_n_items(ref_m); id++)
        if (xs_together_item(ref_m, id, h, 4) > 0) break;
    snprintf(load_path, sizeof load_path, "/v1/items/%s/together?limit=3",
             xs_together_item_name(ref_m, id));
    atomic_store(&stop_load, 0);
    pthread_t th[4];
    for (int i = 0; i < 4; i++) pthread_create(&th[i], NULL, hammer, NULL);
    long g0 = generation();
    int builds = 0;
    double until = now_s() + 20;
    for (int b = 0; b < 3 && now_s() < until; b++) {
        int st;
        json_t *j = call("POST", "/v1/build", key_admin, NULL, &st);
        CHECK_INT(st, 202);
        CHECK_STR(json_string_value(json_object_get(j, "status")), "building");
        json_decref(j);
        /* a second build while one runs is refused (or the first was quick) */
        j = call("POST", "/v1/build", key_admin, NULL, &st);
        CHECK(st == 409 || st == 202);
        if (st == 202) builds++;
        json_decref(j);
        builds++;
        while (generation() < g0 + builds && now_s() < until) sleep_s(0.05);
        while (1) {
            json_t *h2 = call("GET", "/healthz", NULL, NULL, &st);
            int building = json_is_true(json_object_get(json_object_get(h2, "model"), "building"));
            json_decref(h2);
            if (!building || now_s() > until) break;
            sleep_s(0.05);
        }
        builds = (int)(generation() - g0);
    }
    atomic_store(&stop_load, 1);
    for (int i = 0; i < 4; i++) pthread_join(th[i], NULL);
    CHECK(generation() >= g0 + 3);
    CHECK(atomic_load(&n_ok) > 0);
    CHECK_INT(atomic_load(&n_fail), 0);
}

/* SIGTERM: no new connections, the request in flight finishes, exit 0. */
static void test_sigterm(void)
{
    if (!ready) return;
    int fd = http_connect(port);
    CHECK(fd >= 0);
    const char *body = "{\"items\": [\"x\"]}";
    char head[512];
    int n = snprintf(head, sizeof head,
                     "POST /v1/cart/recommendations HTTP/1.1\r\nHost: x\r\n"
                     "Authorization: Bearer %s\r\nContent-Length: %zu\r\n\r\n",
                     key_read, strlen(body));
    http_write_all(fd, head, (size_t)n);
    http_write_all(fd, body, 5); /* half the body: the request is in flight */
    sleep_s(0.3);
    CHECK_INT(kill(srv_pid, SIGTERM), 0);
    sleep_s(0.5);
    int fd2 = http_connect(port);
    CHECK(fd2 < 0); /* the listening socket is closed */
    if (fd2 >= 0) close(fd2);
    http_write_all(fd, body + 5, strlen(body) - 5);
    http_resp r;
    CHECK_INT(http_recv(fd, &r), 0);
    CHECK_INT(r.status, 200);
    http_resp_free(&r);
    close(fd);
    int st = 0;
    double until = now_s() + 15;
    pid_t w = 0;
    while ((w = waitpid(srv_pid, &st, WNOHANG)) == 0 && now_s() < until) sleep_s(0.05);
    CHECK_INT(w, srv_pid);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    if (w != srv_pid) kill(srv_pid, SIGKILL), waitpid(srv_pid, &st, 0);
    srv_pid = -1;
    /* the server said why it stopped */
    FILE *f = fopen(errlog, "r");
    char log[8192] = "";
    if (f) {
        size_t k = fread(log, 1, sizeof log - 1, f);
        log[k] = 0;
        fclose(f);
    }
    CHECK(strstr(log, "xsell serve: SIGTERM: stopping\n") != NULL);
}

static void teardown(void)
{
    xs_proc_kill(srv_pid);
    xs_together_free(ref_m);
    xs_baskets_free(ref_b);
    xs_snapshot_free(ref_snap);
    xs_proc_rmdir(dir);
}

int main(void)
{
    static const xs_test tests[] = {
        {"setup", setup},
        {"healthz", test_healthz},
        {"openapi", test_openapi},
        {"metrics", test_metrics},
        {"together", test_together},
        {"cart", test_cart},
        {"chunked_too_big", test_chunked_too_big},
        {"rules", test_rules},
        {"kpi", test_kpi},
        {"customer", test_customer},
        {"dash_aggregates", test_dash_aggregates},
        {"targets_offers", test_targets_offers},
        {"outcome", test_outcome},
        {"auth", test_auth},
        {"live_keys", test_live_keys},
        {"routing_errors", test_routing_errors},
        {"events", test_events},
        {"keep_alive", test_keep_alive},
        {"swap_under_load", test_swap_under_load},
        {"sigterm", test_sigterm},
        {"teardown", teardown},
    };
    return xs_test_run(tests, XS_N(tests));
}
