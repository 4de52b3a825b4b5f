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

/* Sends n raw bytes on fd (a fresh connection, or one kept alive after a
 * first request; as many as the server reads) and reads the answer: want_st with exactly the body want,
 * JSON with "Connection: close" (never libmicrohttpd's own HTML page). */
static void expect_head_on(int fd, const char *req, size_t n, int want_st,
                           const char *want)
{
    http_resp r;
    memset(&r, 0, sizeof r);
    CHECK(fd >= 0);
    if (fd >= 0) {
        /* the server may answer and close before all is sent (a body over
         * the limit): the answer is what counts */
        (void)http_write_all(fd, req, n);
        http_recv(fd, &r);
    }
    CHECK_INT(r.status, want_st);
    CHECK_STR(r.body ? r.body : "(none)", want);
    const char *ct = http_header(&r, "Content-Type");
    CHECK_STR(ct ? ct : "(none)", "application/json");
    const char *c = http_header(&r, "Connection");
    if (want_st != 200) CHECK_STR(c ? c : "(none)", "close");
    http_resp_free(&r);
}

static void expect_head(const char *req, size_t n, int want_st, const char *want)
{
    int fd = http_connect(port);
    expect_head_on(fd, req, n, want_st, want);
    if (fd >= 0) close(fd);
}

#define EHEAD(st, code, m) "{\"error\":{\"code\":\"" code "\",\"message\":\"" m "\"}}\n"
#define E431(m) EHEAD(431, "header_too_large", m)

/* What libmicrohttpd would answer by itself with an HTML page (or close
 * without an answer) is answered in JSON by the server (src/serve/head.c,
 * docs/api.md "Request heads"); later requests of a keep-alive connection
 * over the limits get the same 431. */
static void test_heads(void)
{
    if (!ready) return;
    static const struct {
        const char *req;
        int st;
        const char *body;
    } cases[] = {
        {"GARBAGE\r\n\r\n", 400, E400("malformed request line")},
        {"GET /healthz\r\n\r\n", 400, E400("malformed request line: no HTTP version")},
        {"GET /healthz HTTX/1.1\r\nHost: x\r\n\r\n", 400,
         E400("malformed request line: bad HTTP version")},
        {"GET /healthz HTTP/2.0\r\nHost: x\r\n\r\n", 505,
         EHEAD(505, "http_version_not_supported",
               "only HTTP/1.0 and HTTP/1.1 are supported")},
        {"GET /healthz HTTP/0.9\r\n\r\n", 505,
         EHEAD(505, "http_version_not_supported",
               "only HTTP/1.0 and HTTP/1.1 are supported")},
        {"GET /healthz HTTP/1.1\r\nHost x\r\n\r\n", 400,
         E400("a header line has no colon")},
        {"GET /healthz HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n", 400,
         E400("folded header lines are not supported")},
        {"POST /v1/events HTTP/1.1\r\nHost: x\r\nContent-Length: 1x\r\n\r\n", 400,
         E400("Content-Length is not a number")},
        {"POST /v1/events HTTP/1.1\r\nHost: x\r\nContent-Length: "
         "99999999999999999999\r\n\r\n",
         413, EHEAD(413, "payload_too_large", "Content-Length is too large")},
        {"POST /v1/events HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n", 501,
         EHEAD(501, "not_implemented", "the only transfer coding supported is chunked")},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
        expect_head(cases[i].req, strlen(cases[i].req), cases[i].st, cases[i].body);
    static const char nul[] = "GET /healthz HTTP/1.1\r\nHost: a\0b\r\n\r\n";
    expect_head(nul, sizeof nul - 1, 400, E400("the request head holds a NUL byte"));

    /* a 40 kB header (libmicrohttpd's pool was 32 kB) and a 40 kB target */
    size_t cap = 41000;
    char *big = malloc(cap);
    CHECK(big != NULL);
    if (!big) return;
    int n = snprintf(big, cap, "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ");
    memset(big + n, 'a', 40000);
    memcpy(big + n + 40000, "\r\n\r\n", 4);
    expect_head(big, (size_t)n + 40004, 431,
                E431("the request head is longer than 8192 bytes"));
    n = snprintf(big, cap, "GET /healthz?");
    memset(big + n, 'a', 40000);
    int m = snprintf(big + n + 40000, cap - (size_t)n - 40000, " HTTP/1.1\r\n\r\n");
    expect_head(big, (size_t)(n + 40000 + m), 414,
                EHEAD(414, "uri_too_long", "the request line is longer than 8192 bytes"));

    /* the edge: a head of exactly 8192 bytes is served, one more byte is not,
     * on a fresh connection and as the second request of a kept one */
    for (int kept = 0; kept < 2; kept++)
        for (size_t len = 8192; len <= 8193; len++) {
            n = snprintf(big, cap,
                         "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX: ");
            memset(big + n, 'a', len - (size_t)n - 4);
            memcpy(big + len - 4, "\r\n\r\n", 4);
            int fd = http_connect(port);
            if (kept) {
                http_resp r;
                CHECK_INT(http_send(fd, "GET", "/healthz", NULL, NULL, 0, 1), 0);
                CHECK_INT(http_recv(fd, &r), 0);
                CHECK_INT(r.status, 200);
                http_resp_free(&r);
            }
            if (len == 8193)
                expect_head_on(fd, big, len, 431,
                               E431("the request head is longer than 8192 bytes"));
            else {
                http_resp r;
                CHECK_INT(http_write_all(fd, big, len), 0);
                CHECK_INT(http_recv(fd, &r), 0);
                CHECK_INT(r.status, 200);
                http_resp_free(&r);
            }
            if (fd >= 0) close(fd);
        }
    /* 65 header lines, kept connection: the same 431 as on a fresh one */
    n = snprintf(big, cap, "GET /healthz HTTP/1.1\r\n");
    for (int i = 0; i < 65; i++)
        n += snprintf(big + n, cap - (size_t)n, "H%d: v\r\n", i);
    n += snprintf(big + n, cap - (size_t)n, "\r\n");
    for (int kept = 0; kept < 2; kept++) {
        int fd = http_connect(port);
        if (kept) {
            http_resp r;
            CHECK_INT(http_send(fd, "GET", "/healthz", NULL, NULL, 0, 1), 0);
            CHECK_INT(http_recv(fd, &r), 0);
            http_resp_free(&r);
        }
        expect_head_on(fd, big, (size_t)n, 431,
                       E431("more than 64 header lines, query parameters and cookies"));
        if (fd >= 0) close(fd);
    }
    free(big);
}

/* A connection that has had a good request answered (keep-alive). */
static int kept_connection(void)
{
    int fd = http_connect(port);
    http_resp r;
    memset(&r, 0, sizeof r);
    if (fd >= 0 && http_send(fd, "GET", "/healthz", NULL, NULL, 0, 1) == 0)
        http_recv(fd, &r);
    CHECK_INT(r.status, 200);
    const char *c = http_header(&r, "Connection");
    CHECK(c == NULL || strcasecmp(c, "close") != 0);
    http_resp_free(&r);
    return fd;
}

#define E413(m) EHEAD(413, "payload_too_large", m)
#define E505                                                                             \
    EHEAD(505, "http_version_not_supported", "only HTTP/1.0 and HTTP/1.1 are supported")
#define EMALFORMED E400("malformed request line or header line")
#define EBIGHEAD                                                                         \
    E431("the request head is longer than 8192 bytes or has more than 64 header lines, " \
         "query parameters and cookies")

/* A POST of /v1/events with the write key and these header lines, then
 * the body bytes. */
static size_t post_events(char *buf, size_t cap, const char *hdrs, const char *body)
{
    int n = snprintf(buf, cap,
                     "POST /v1/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"
                     "Content-Type: application/json\r\n%s\r\n%s",
                     key_write, hdrs, body);
    return n > 0 ? (size_t)n : 0;
}

/* What libmicrohttpd reads by itself — every later request of a kept-alive
 * connection, and every request body — and would answer with its own
 * HTML page, is answered in the server's JSON, with its status and
 * "Connection: close" (src/serve/mhd_errors.c). These fail when the
 * interposition of libmicrohttpd's functions stops working. */
static void test_kept_heads(void)
{
    if (!ready) return;
    static const struct {
        const char *req;
        int st;
        const char *body;
    } cases[] = {
        {"GET /healthz HTTX/1.1\r\nHost: x\r\n\r\n", 400, EMALFORMED},
        {"GET /healthz\r\nHost: x\r\n\r\n", 400, EMALFORMED},
        {"GET /healthz HTTP/1.1\r\nHost x\r\n\r\n", 400, EMALFORMED},
        /* libmicrohttpd closes on these without a word (mhd_close.c) */
        {"GARBAGE\r\n\r\n", 400, E400("malformed request line")},
        {"GARBAGE\r\n", 400, E400("malformed request line")},
        {"POST /v1/events HTTP/1.1\r\nHost: x\r\nContent-Length: 1x\r\n\r\n", 400,
         E400("Content-Length is not a number")},
        {"POST /v1/events HTTP/1.1\r\nHost: x\r\nContent-Length: "
         "99999999999999999999\r\n\r\n",
         413, E413("Content-Length is too large")},
        {"GET /healthz HTTP/3.0\r\nHost: x\r\n\r\n", 505, E505},
        {"GET /healthz HTTP/0.9\r\n\r\n", 505, E505},
        /* not one of libmicrohttpd's answers: it would wait for the close */
        {"POST /v1/events HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n", 501,
         EHEAD(501, "not_implemented", "the only transfer coding supported is chunked")},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        int fd = kept_connection();
        expect_head_on(fd, cases[i].req, strlen(cases[i].req), cases[i].st,
                       cases[i].body);
        if (fd >= 0) close(fd);
    }
    /* a NUL byte in a later request's path or query: libmicrohttpd hands
     * the URI on cut at it ("/assets/app.js" would be served) */
    static const char nul_path[] = "GET /assets/app.js\0.png HTTP/1.1\r\nHost: x\r\n\r\n";
    static const char nul_query[] = "GET /v1/rules?limit=1\0x HTTP/1.1\r\nHost: x\r\n\r\n";
    int kfd = kept_connection();
    expect_head_on(kfd, nul_path, sizeof nul_path - 1, 400,
                   E400("the request head holds a NUL byte"));
    if (kfd >= 0) close(kfd);
    kfd = kept_connection();
    expect_head_on(kfd, nul_query, sizeof nul_query - 1, 400,
                   E400("the request head holds a NUL byte"));
    if (kfd >= 0) close(kfd);

    /* ... also right behind a complete request in the same segment: its
     * answer first, then the 400 */
    static const char piped[] = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\nGARBAGE\r\n\r\n";
    kfd = kept_connection();
    http_resp first;
    memset(&first, 0, sizeof first);
    if (kfd >= 0 && http_write_all(kfd, piped, sizeof piped - 1) == 0) http_recv(kfd, &first);
    CHECK_INT(first.status, 200);
    http_resp_free(&first);
    expect_head_on(kfd, "", 0, 400, E400("malformed request line"));
    if (kfd >= 0) close(kfd);

    size_t cap = (1 << 20) + 65536;
    char *big = malloc(cap);
    CHECK(big != NULL);
    if (!big) return;
    /* heads over libmicrohttpd's memory (24 kB): a 40 kB header line, a 40
     * kB target */
    int n = snprintf(big, cap, "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ");
    memset(big + n, 'a', 40000);
    memcpy(big + n + 40000, "\r\n\r\n", 4);
    int fd = kept_connection();
    expect_head_on(fd, big, (size_t)n + 40004, 431, EBIGHEAD);
    if (fd >= 0) close(fd);
    n = snprintf(big, cap, "GET /healthz?");
    memset(big + n, 'a', 40000);
    int m = snprintf(big + n + 40000, cap - (size_t)n - 40000, " HTTP/1.1\r\n\r\n");
    fd = kept_connection();
    expect_head_on(
        fd, big, (size_t)(n + 40000 + m), 414,
        EHEAD(414, "uri_too_long", "the request line is longer than 8192 bytes"));
    if (fd >= 0) close(fd);

    /* bodies, on a kept connection and on a fresh one: a malformed chunk,
     * a chunk size beyond 64 bits, a body over --max-body (1 MiB) */
    for (int kept = 0; kept < 2; kept++) {
        size_t k = post_events(big, cap, "Transfer-Encoding: chunked\r\n",
                               "zz\r\n{}\r\n0\r\n\r\n");
        fd = kept ? kept_connection() : http_connect(port);
        expect_head_on(fd, big, k, 400, E400("malformed chunked body"));
        if (fd >= 0) close(fd);
        k = post_events(big, cap, "Transfer-Encoding: chunked\r\n",
                        "fffffffffffffffff\r\n{}\r\n0\r\n\r\n");
        fd = kept ? kept_connection() : http_connect(port);
        expect_head_on(fd, big, k, 413, E413("a chunk size is too large"));
        if (fd >= 0) close(fd);
        k = post_events(big, cap, "Content-Length: 1048577\r\n", "");
        memset(big + k, ' ', 1048577);
        fd = kept ? kept_connection() : http_connect(port);
        expect_head_on(
            fd, big, k + 1048577, 413,
            E413("request body of 1048577 bytes exceeds the limit of 1048576"));
        if (fd >= 0) close(fd);
        k = post_events(big, cap, "Transfer-Encoding: chunked\r\n", "100001\r\n");
        memset(big + k, ' ', 0x100001);
        memcpy(big + k + 0x100001, "\r\n0\r\n\r\n", 7);
        fd = kept ? kept_connection() : http_connect(port);
        expect_head_on(fd, big, k + 0x100001 + 7, 413,
                       E413("request body exceeds the limit of 1048576 bytes"));
        if (fd >= 0) close(fd);
    }
    free(big);
}

static double mono_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* A first request head split over two segments 10 ms apart is answered as
 * soon as its second part arrives (admit.c watches waiting connections
 * edge-triggered; it used to look again only at its next 50 ms tick, 25 ms
 * later on average). Averaged over 20 connections, so that one slow
 * scheduling on a busy machine does not decide. */
static void test_split_head(void)
{
    if (!ready) return;
    static const char part1[] = "GET /healthz HTTP/1.1\r\nHo";
    static const char part2[] = "st: x\r\nConnection: close\r\n\r\n";
    double sum = 0, worst = 0;
    int n = 20;
    for (int i = 0; i < n; i++) {
        int fd = http_connect(port);
        CHECK(fd >= 0);
        if (fd < 0) return;
        CHECK_INT(http_write_all(fd, part1, sizeof part1 - 1), 0);
        nanosleep(&(struct timespec){0, 10000000}, NULL);
        double t0 = mono_s();
        CHECK_INT(http_write_all(fd, part2, sizeof part2 - 1), 0);
        http_resp r;
        CHECK_INT(http_recv(fd, &r), 0);
        double dt = mono_s() - t0;
        CHECK_INT(r.status, 200);
        http_resp_free(&r);
        close(fd);
        sum += dt;
        if (dt > worst) worst = dt;
    }
    printf("split head: answered %.1f ms on average (worst %.1f ms) after its second "
           "part\n",
           sum / n * 1e3, worst * 1e3);
    CHECK(sum / n < 0.015);
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
    {"heads", test_heads},
    {"kept_heads", test_kept_heads},
    {"split_head", test_split_head},
    {"access_log", test_access_log},
    {"teardown", teardown},
};

int main(void)
{
    return xs_test_run(tests, XS_N(tests));
}
