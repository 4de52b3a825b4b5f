/*
 * test_serve_bytes.c — any bytes in a request get a well-formed JSON answer
 * with the right 4xx (issue 15): invalid or truncated UTF-8 in a path
 * parameter or a query value is a 400 naming the parameter, NUL anywhere in
 * a path or query is a 400, ids longer than the quoting limit are cut on
 * character boundaries (never a 500 "handler gave no response"), and the
 * access log shows control characters as \xNN. The real binary ($XS_BIN)
 * on 127.0.0.1 with an ephemeral port and --access-log, on the camera shop
 * of tests/data/cart (as test_serve_ids.c).
 */
#include "test.h"
#include "xsell.h"

#include "../serve/http_client.h"
#include "../serve/xs_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *xs_bin;
static char dir[256], db[300], errlog[300];
static char key_write[XS_APIKEY_MAX];
static pid_t srv_pid = -1;
static int port, ready;

static int start_server(void)
{
    static const char *const args[] = {"--threads", "2", "--access-log", NULL};
    return xs_proc_serve(xs_bin, errlog, db, args, &srv_pid, &port);
}

static void setup(void)
{
    static const char *const tables[] = {"customers", "products", "subscriptions",
                                         "orders",    "usage",    "events",
                                         "offers",    NULL};
    xs_bin = getenv("XS_BIN");
    CHECK(xs_bin != NULL);
    if (!xs_bin) return;
    CHECK_INT(xs_proc_tmpdir("bytes", "cart.db", dir, sizeof dir, db, errlog), 0);
    CHECK_INT(xs_proc_fixture_store(xs_bin, errlog, db, "tests/data/cart", tables, 1), 0);
    CHECK_INT(xs_proc_apikey(xs_bin, errlog, db, "write", key_write, sizeof key_write),
              0);
    CHECK_INT(start_server(), 0);
    ready = srv_pid > 0 && port > 0;
}

/* One request with the write key on a fresh connection, its path sent as
 * is (any bytes, any length: http_send's header buffer is too small for
 * the long paths here); the answer must be want_st with exactly the body
 * want. */
static void expect(const char *method, const char *path, const char *body, int want_st,
                   const char *want)
{
    size_t cap = strlen(path) + (body ? strlen(body) : 0) + 512;
    char *req = malloc(cap);
    CHECK(req != NULL);
    if (!req) return;
    int n = snprintf(req, cap,
                     "%s %s HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"
                     "Connection: close\r\n",
                     method, path, key_write);
    if (body)
        n += snprintf(req + n, cap - (size_t)n,
                      "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n%s",
                      strlen(body), body);
    else
        n += snprintf(req + n, cap - (size_t)n, "\r\n");
    http_resp r;
    memset(&r, 0, sizeof r);
    int fd = http_connect(port);
    CHECK(fd >= 0);
    if (fd >= 0) {
        CHECK_INT(http_write_all(fd, req, (size_t)n), 0);
        http_recv(fd, &r);
        close(fd);
    }
    free(req);
    CHECK_INT(r.status, want_st);
    CHECK_STR(r.body ? r.body : "(none)", want);
    http_resp_free(&r);
}

/* A GET of raw bytes. */
static void expect_raw(const char *path, int want_st, const char *want)
{
    expect("GET", path, NULL, want_st, want);
}

#define E400(m) "{\"error\":{\"code\":\"bad_request\",\"message\":\"" m "\"}}\n"
#define E404(m) "{\"error\":{\"code\":\"not_found\",\"message\":\"" m "\"}}\n"

/* 200 x U+65E5 (日), percent-encoded: 1800 bytes as sent, 600 decoded. */
#define NICHI200                                                                         \
    "%E6%97%A5%E6%97%A5%E6%97%A5%E6%97%A5%E6%97%A5%E6%97%A5%E6%97%A5%E6%97%A5%E6%97%A5%" \
    "E6%97%A5%E6%97%A5%E6%97%A5%E6%97%A5%E6%97%A5%E6%97%A5%E6%97%A5%E6%97%A5%E6%97%A5%"  \
    "E6%97%A5%E6%97%A5%E6%97%A5%E6%97%A5%E6%97%A5%E6%97%A5%E6%97%A5%E6%97%A5%E6%97%A5%"  \
    "E6%97%A5%E6%97%A5%E6%97%A5%E6%97%A5%E6%97%A5%E6%97%A5%E6%97%A5%E6%97%A5%E6%97%A5%"  \
    "E6%97%A5%E6%97%A5%E6%97%A5%E6%97%A5%E6%97%A5%E6%97%A5%E6%97%A5%E6%97%A5%E6%97%A5%"  \
    "E6%97%A5%E6%97%A5%E6%97%A5%E6%97%A5%E6%97%A5%E6%97%A5%E6%97%A5%E6%97%A5%E6%97%A5%"  \
    "E6%97%A5%E6%97%A5%E6%97%A5%E6%97%A5%E6%97%A5%E6%97%A5%E6%97%A5%E6%97%A5%E6%97%A5%"  \
    "E6%97%A5%E6%97%A5%E6%97%A5%E6%97%A5%E6%97%A5%E6%97%A5%E6%97%A5%E6%97%A5%E6%97%A5%"  \
    "E6%97%A5%E6%97%A5%E6%97%A5%E6%97%A5%E6%97%A5%E6%97%A5%E6%97%A5%E6%97%A5%E6%97%A5%"  \
    "E6%97%A5%E6%97%A5%E6%97%A5%E6%97%A5%E6%97%A5%E6%97%A5%E6%97%A5%E6%97%A5%E6%97%A5%"  \
    "E6%97%A5%E6%97%A5%E6%97%A5%E6%97%A5%E6%97%A5%E6%97%A5%E6%97%A5%E6%97%A5%E6%97%A5%"  \
    "E6%97%A5%E6%97%A5%E6%97%A5%E6%97%A5%E6%97%A5%E6%97%A5%E6%97%A5%E6%97%A5%E6%97%A5%"  \
    "E6%97%A5%E6%97%A5%E6%97%A5%E6%97%A5%E6%97%A5%E6%97%A5%E6%97%A5%E6%97%A5%E6%97%A5%"  \
    "E6%97%A5%E6%97%A5%E6%97%A5%E6%97%A5%E6%97%A5%E6%97%A5%E6%97%A5%E6%97%A5%E6%97%A5%"  \
    "E6%97%A5%E6%97%A5%E6%97%A5%E6%97%A5%E6%97%A5%E6%97%A5%E6%97%A5%E6%97%A5%E6%97%A5%"  \
    "E6%97%A5%E6%97%A5%E6%97%A5%E6%97%A5%E6%97%A5%E6%97%A5%E6%97%A5%E6%97%A5%E6%97%A5%"  \
    "E6%97%A5%E6%97%A5%E6%97%A5%E6%97%A5%E6%97%A5%E6%97%A5%E6%97%A5%E6%97%A5%E6%97%A5%"  \
    "E6%97%A5%E6%97%A5%E6%97%A5%E6%97%A5%E6%97%A5%E6%97%A5%E6%97%A5%E6%97%A5%E6%97%A5%"  \
    "E6%97%A5%E6%97%A5%E6%97%A5%E6%97%A5%E6%97%A5%E6%97%A5%E6%97%A5%E6%97%A5%E6%97%A5%"  \
    "E6%97%A5%E6%97%A5%E6%97%A5%E6%97%A5%E6%97%A5%E6%97%A5%E6%97%A5%E6%97%A5%E6%97%A5%"  \
    "E6%97%A5%E6%97%A5%E6%97%A5%E6%97%A5%E6%97%A5%E6%97%A5%E6%97%A5%E6%97%A5%E6%97%A5%"  \
    "E6%97%A5%E6%97%A5%E6%97%A5%E6%97%A5%E6%97%A5%E6%97%A5%E6%97%A5%E6%97%A5%E6%97%A5%"  \
    "E6%97%A5%E6%97%A5"
/* what a message shows of "A" + NICHI200: 80 characters, then "..." */
#define SHOWN                                                                                                                     \
    "A"                                                                                                                           \
    "日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日" \
    "日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日"          \
    "..."

static void test_path_params(void)
{
    if (!ready) return;
    expect("GET", "/v1/customers/%FF", NULL, 400,
           E400("path parameter id: not valid UTF-8"));
    expect("GET", "/v1/customers/%E6%97", NULL, 400,
           E400("path parameter id: not valid UTF-8"));
    expect("GET", "/assets/%FF", NULL, 400, E400("path parameter name: not valid UTF-8"));
    expect("GET", "/assets/app.js%00.png", NULL, 400,
           E400("path parameter name: contains NUL"));
    expect("GET", "/v1/items/a%00b/together", NULL, 400,
           E400("path parameter id: contains NUL"));
    expect("POST", "/v1/offers/%C3/outcome", "{\"outcome\": \"accepted\"}", 400,
           E400("path parameter id: not valid UTF-8"));
    expect("GET", "/v1/customers/%G1", NULL, 400,
           E400("path parameter id: bad percent-encoding"));
}

static void test_long_ids(void)
{
    if (!ready) return;
    expect("GET", "/v1/customers/A" NICHI200, NULL, 404,
           E404("unknown customer \\\"" SHOWN "\\\""));
    expect("GET", "/v1/customers/A" NICHI200 "/offers", NULL, 404,
           E404("unknown customer \\\"" SHOWN "\\\""));
    expect("GET", "/v1/items/A" NICHI200 "/together", NULL, 404,
           E404("unknown item \\\"" SHOWN "\\\""));
    /* longer than a parameter may be as sent */
    static char path[5000];
    memcpy(path, "/v1/customers/", 14);
    memset(path + 14, 'x', 4096);
    path[14 + 4096] = 0;
    expect("GET", path, NULL, 400,
           E400("path parameter id: longer than 4095 bytes as sent"));
    /* a cart's customer_id of 200 x 日: an unknown customer, echoed whole */
    static char body[1024], want[2048];
    char id[601];
    for (int i = 0; i < 200; i++)
        memcpy(id + 3 * i, "日", 3);
    id[600] = 0;
    snprintf(body, sizeof body, "{\"items\": [\"x\"], \"customer_id\": \"%s\"}", id);
    snprintf(want, sizeof want,
             "{\"customer_id\":\"%s\",\"anonymous\":true,\"as_of\":\"2026-06-30\","
             "\"items\":[],"
             "\"unknown_items\":[\"x\"]}\n",
             id);
    expect("POST", "/v1/cart/recommendations", body, 200, want);
    snprintf(body, sizeof body, "{\"items\": [\"%s\"]}", id);
    snprintf(
        want, sizeof want,
        "{\"customer_id\":null,\"anonymous\":true,\"as_of\":\"2026-06-30\",\"items\":[],"
        "\"unknown_items\":[\"%s\"]}\n",
        id);
    expect("POST", "/v1/cart/recommendations", body, 200, want);
}

static void test_query(void)
{
    if (!ready) return;
    expect("GET", "/v1/kpi?period=%FF", NULL, 400,
           E400("query parameter period: not valid UTF-8"));
    expect("GET", "/v1/kpi?period=%E6%97", NULL, 400,
           E400("query parameter period: not valid UTF-8"));
    expect("GET", "/v1/kpi?by=%FF", NULL, 400,
           E400("query parameter by: not valid UTF-8"));
    expect("GET", "/v1/rules?rhs=%FF", NULL, 400,
           E400("query parameter rhs: not valid UTF-8"));
    expect("GET", "/v1/rules?limit=%FF", NULL, 400,
           E400("query parameter limit: not valid UTF-8"));
    expect("GET", "/v1/kpi?period=month%00x", NULL, 400,
           E400("query parameter period: contains NUL"));
    expect("GET", "/v1/kpi?from=%00", NULL, 400,
           E400("query parameter from: contains NUL"));
    expect("GET", "/v1/kpi?period=%ZZ", NULL, 400,
           E400("query parameter period: bad percent-encoding"));
    expect("GET", "/v1/kpi?%FF=1", NULL, 400,
           E400("query parameter name: not valid UTF-8"));
    expect("GET", "/v1/kpi?a%22b=%00", NULL, 400,
           E400("query parameter \\\"a\\\\\\\"b\\\": contains NUL"));
    /* valid but long: quoted in whole characters */
    expect("GET", "/v1/kpi?period=" NICHI200, NULL, 400,
           E400("period: expected month, quarter or year, got \\\""
                "日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日"
                "日日日日..."
                "\\\""));
    expect(
        "GET", "/v1/rules?limit=" NICHI200, NULL, 400,
        E400("limit: not an integer: \\\"日日日日日日日日日日日日日日日日日日日...\\\""));
    /* the checks are of the query as sent: a good one still answers */
    http_resp r;
    CHECK_INT(http_do(port, "GET", "/v1/rules?limit=1&rhs=cam", key_write, NULL, &r),
              200);
    http_resp_free(&r);
}

static void test_raw_bytes(void)
{
    if (!ready) return;
    expect_raw("/v1/x\x1b[31mq\x7f\\n", 404,
               E404("no route for GET \\\"/v1/x\\\\x1b[31mq\\\\x7f\\\\\\\\n\\\""));
    expect_raw("/v1/\xff\xe6\x97", 404,
               E404("no route for GET \\\"/v1/\\\\xff\\\\xe6\\\\x97\\\""));
    expect_raw("/v1/customers/\xe6\x97", 400, E400("path parameter id: not valid UTF-8"));
}

/* Messages of the library quote values cut by byte: the cut character is
 * dropped, the answer stays JSON (it was a 500 "handler gave no response"). */
static void test_library_messages(void)
{
    if (!ready) return;
    expect("POST", "/v1/offers/A" NICHI200 "/outcome", "{\"outcome\": \"accepted\"}", 404,
           E404("unknown offer "
                "\\\"A日日日日日日日日日日日日日日日日日日日日日日日日日日...\\\""));
    static char body[2048];
    char id[301];
    for (int i = 0; i < 100; i++)
        memcpy(id + 3 * i, "日", 3);
    id[300] = 0;
    snprintf(body, sizeof body,
             "{\"customers\": [{\"customer_id\": \"%s\", \"signup_date\": \"bad%s\"}]}",
             id, id);
    expect(
        "POST", "/v1/events", body, 422,
        "{\"error\":{\"code\":\"invalid_events\",\"message\":\"customers[0]: "
        "customer_id: id "
        "longer than 200 bytes: "
        "\\\"日日日日日日日日日日日日日日日日日日日日日日日日日日...\\\" (and 1 more "
        "error)\",\"n_errors\":2,"
        "\"details\":[{\"table\":\"customers\",\"index\":0,\"column\":\"customer_id\","
        "\"message\":\"id longer than 200 bytes: "
        "\\\"日日日日日日日日日日日日日日日日日日日日日日日日日日...\\\"\"},{\"table\":"
        "\"customers\",\"index\":0,\"column\":\"signup_date\",\"message\":\"not a date: "
        "\\\"bad日日日日日日日日日日日日日日日日日日日日日日日日日...\\\"\"}]}}\n");
}

/* The access log (stderr): one line per request, control bytes as \xNN. */
static void test_access_log(void)
{
    if (!ready) return;
    expect_raw("/v1/log\x1b[2Jtest\x01", 404,
               E404("no route for GET \\\"/v1/log\\\\x1b[2Jtest\\\\x01\\\""));
    char buf[1 << 16];
    size_t n = 0;
    for (int tries = 0; tries < 50; tries++) { /* the line follows the answer */
        FILE *f = fopen(errlog, "rb");
        if (!f) break;
        n = fread(buf, 1, sizeof buf - 1, f);
        fclose(f);
        buf[n] = 0;
        if (strstr(buf, "GET /v1/log")) break;
        nanosleep(&(struct timespec){0, 20000000}, NULL);
    }
    CHECK(strstr(buf, "GET /v1/log\\x1b[2Jtest\\x01 404 ") != NULL);
    CHECK(strstr(buf, "\x1b") == NULL);
    CHECK(strstr(buf, "GET /v1/x\\x1b[31mq\\x7f\\x5cn 404 ") != NULL);
    CHECK(strstr(buf, "GET /v1/\\xff\\xe6\\x97 404 ") != NULL);
}

static void teardown(void)
{
    xs_proc_kill(srv_pid);
    xs_proc_rmdir(dir);
}

static const xs_test tests[] = {
    {"setup", setup},
    {"path_params", test_path_params},
    {"long_ids", test_long_ids},
    {"query", test_query},
    {"raw_bytes", test_raw_bytes},
    {"library_messages", test_library_messages},
    {"access_log", test_access_log},
    {"teardown", teardown},
};

int main(void)
{
    return xs_test_run(tests, XS_N(tests));
}
