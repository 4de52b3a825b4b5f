/*
 * test_serve_head.c — xs__serve_head_check() (src/serve/head.c), the check of a
 * request head before libmicrohttpd sees it: exact verdicts on heads
 * libmicrohttpd 0.9.75 accepts, answers by itself (HTML) or closes
 * without an answer; every proper prefix of a good head is "more to
 * come"; the limits at their exact edge. The server's answers on the wire
 * are in test_serve_bytes.c (test_heads).
 */
#include "test.h"

#include "serve/head.h"

#include <stdlib.h>
#include <string.h>

/* Checks the n bytes of b; returns the verdict, the status in *st (0 when
 * not refused). */
static int check(const char *b, size_t n, int *st, const char **code, const char **msg)
{
    xs__serve_head_bad bad = {0, NULL, NULL, NULL};
    int v = xs__serve_head_check(b, n, &bad);
    *st = v < 0 ? bad.status : 0;
    if (code) *code = bad.code;
    if (msg) *msg = bad.msg;
    return v;
}

static void expect_ok(const char *b)
{
    int st;
    CHECK_INT(check(b, strlen(b), &st, NULL, NULL), 1);
    /* every proper prefix waits for more */
    for (size_t k = 0; k < strlen(b); k++)
        CHECK_INT(check(b, k, &st, NULL, NULL), 0);
}

static void expect_bad(const char *b, int want_st, const char *want_code,
                       const char *want_msg)
{
    int st;
    const char *code = NULL, *msg = NULL;
    CHECK_INT(check(b, strlen(b), &st, &code, &msg), -1);
    CHECK_INT(st, want_st);
    CHECK_STR(code ? code : "(none)", want_code);
    CHECK_STR(msg ? msg : "(none)", want_msg);
}

static void test_good(void)
{
    expect_ok("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    expect_ok("GET /healthz HTTP/1.0\r\n\r\n");
    expect_ok(
        "\r\n\nGET /v1/kpi?a=1&b=2 HTTP/1.1\nHost: x\n\n"); /* bare LF, blank lines */
    expect_ok("POST /v1/events HTTP/1.1\r\nContent-Length: 0012\r\n\r\n");
    expect_ok("POST /v1/events HTTP/1.1\r\nTransfer-Encoding: Chunked\r\n"
              "Content-Length: x\r\n\r\n"); /* Content-Length ignored with chunked */
    expect_ok("GET /a b HTTP/1.1\r\n\r\n"); /* a space in the target */
    expect_ok("BREW /pot HTTP/1.9\r\nX: \r\n\r\n"); /* any method, HTTP/1.x */
    /* the body after the head is not looked at */
    int st;
    static const char post[] = "POST /x HTTP/1.1\r\nContent-Length: 3\r\n\r\n\0\0\0";
    CHECK_INT(check(post, sizeof post - 1, &st, NULL, NULL), 1);
}

#define BAD_LINE "malformed request line"

static void test_request_line(void)
{
    expect_bad("GARBAGE\r\n\r\n", 400, "bad_request", BAD_LINE);
    expect_bad(" / HTTP/1.1\r\n\r\n", 400, "bad_request", BAD_LINE);
    expect_bad("GET /\r\n\r\n", 400, "bad_request", BAD_LINE ": no HTTP version");
    expect_bad("GET    \r\n\r\n", 400, "bad_request", BAD_LINE ": no HTTP version");
    expect_bad("GET / HTTP/1.1 \r\n\r\n", 400, "bad_request",
               BAD_LINE ": bad HTTP version");
    expect_bad("GET / HTTX/1.1\r\n\r\n", 400, "bad_request",
               BAD_LINE ": bad HTTP version");
    expect_bad("GET / HTTP/11\r\n\r\n", 400, "bad_request",
               BAD_LINE ": bad HTTP version");
    expect_bad("GET / HTTP/2.0\r\n\r\n", 505, "http_version_not_supported",
               "only HTTP/1.0 and HTTP/1.1 are supported");
    expect_bad("GET / HTTP/0.9\r\n\r\n", 505, "http_version_not_supported",
               "only HTTP/1.0 and HTTP/1.1 are supported");
    /* refused as soon as the line is there, before the rest of the head */
    int st;
    CHECK_INT(check("GARBAGE\r\nHost", 13, &st, NULL, NULL), -1);
    CHECK_INT(st, 400);
}

static void test_header_lines(void)
{
    expect_bad("GET / HTTP/1.1\r\nHost x\r\n\r\n", 400, "bad_request",
               "a header line has no colon");
    expect_bad("GET / HTTP/1.1\r\nHost: x\r\n  folded\r\n\r\n", 400, "bad_request",
               "folded header lines are not supported");
    /* NUL in the request line or a header line (lengths given: strlen
     * would stop there) */
    static const char nul1[] = "GET /a\0b HTTP/1.1\r\n\r\n";
    static const char nul2[] = "GET / HTTP/1.1\r\nHost: a\0b\r\n\r\n";
    int st;
    const char *msg = NULL;
    CHECK_INT(check(nul1, sizeof nul1 - 1, &st, NULL, &msg), -1);
    CHECK_INT(st, 400);
    CHECK_STR(msg ? msg : "(none)", "the request head holds a NUL byte");
    CHECK_INT(check(nul2, sizeof nul2 - 1, &st, NULL, &msg), -1);
    CHECK_INT(st, 400);
    expect_bad("POST / HTTP/1.1\r\nContent-Length: 1x\r\n\r\n", 400, "bad_request",
               "Content-Length is not a number");
    expect_bad("POST / HTTP/1.1\r\nContent-Length: 5 \r\n\r\n", 400, "bad_request",
               "Content-Length is not a number");
    expect_bad("POST / HTTP/1.1\r\nContent-Length:\r\n\r\n", 400, "bad_request",
               "Content-Length is not a number");
    expect_bad("POST / HTTP/1.1\r\ncontent-length: -1\r\n\r\n", 400, "bad_request",
               "Content-Length is not a number");
    expect_ok("POST / HTTP/1.1\r\nContent-Length: 18446744073709551615\r\n\r\n");
    expect_bad("POST / HTTP/1.1\r\nContent-Length: 18446744073709551616\r\n\r\n", 413,
               "payload_too_large", "Content-Length is too large");
    expect_bad("POST / HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 501,
               "not_implemented", "the only transfer coding supported is chunked");
}

/* A head of exactly n bytes: the request line, then header lines "X: aaa"
 * padding it out. Caller frees. */
static char *head_of(size_t n)
{
    static const char start[] = "GET / HTTP/1.1\r\nX: ";
    char *b = malloc(n + 1);
    memcpy(b, start, sizeof start - 1);
    memset(b + sizeof start - 1, 'a', n - (sizeof start - 1) - 4);
    memcpy(b + n - 4, "\r\n\r\n", 5);
    return b;
}

static void test_limits(void)
{
    char *b = head_of(XS__HEAD_MAX);
    int st;
    CHECK_INT(check(b, XS__HEAD_MAX, &st, NULL, NULL), 1);
    free(b);
    b = head_of(XS__HEAD_MAX + 1);
    expect_bad(b, 431, "header_too_large", "the request head is longer than 8192 bytes");
    /* a head that has not ended within the limit is refused without its end */
    CHECK_INT(check(b, XS__HEAD_MAX, &st, NULL, NULL), 0);
    CHECK_INT(check(b, XS__HEAD_MAX + 1, &st, NULL, NULL), -1);
    CHECK_INT(st, 431);
    free(b);
    /* the request line alone too long: 414 */
    char *u = malloc(XS__HEAD_MAX + 2);
    memcpy(u, "GET /", 5);
    memset(u + 5, 'u', XS__HEAD_MAX - 4);
    u[XS__HEAD_MAX + 1] = 0;
    expect_bad(u, 414, "uri_too_long", "the request line is longer than 8192 bytes");
    free(u);
    /* 64 records: 62 header lines + a query of 2 parameters; then one more
     * header line; or a Cookie (a record for the line, one per cookie) for
     * the last two lines: 2 cookies are one too many, 1 fits */
    char h[4096];
    size_t n = (size_t)snprintf(h, sizeof h, "GET /?a=1&b HTTP/1.1\r\n");
    for (int i = 0; i < 62; i++)
        n += (size_t)snprintf(h + n, sizeof h - n, "H%d: v\r\n", i);
    snprintf(h + n, sizeof h - n, "\r\n");
    expect_ok(h);
    snprintf(h + n, sizeof h - n, "Z: 1\r\n\r\n");
    expect_bad(h, 431, "header_too_large",
               "more than 64 header lines, query parameters and cookies");
    n -= strlen("H61: v\r\n") + strlen("H60: v\r\n");
    snprintf(h + n, sizeof h - n, "Cookie: a=1; b=2\r\n\r\n");
    expect_bad(h, 431, "header_too_large",
               "more than 64 header lines, query parameters and cookies");
    snprintf(h + n, sizeof h - n, "Cookie: a=1\r\n\r\n");
    expect_ok(h);
}

static const xs_test tests[] = {
    {"good", test_good},
    {"request_line", test_request_line},
    {"header_lines", test_header_lines},
    {"limits", test_limits},
};

int main(void)
{
    return xs_test_run(tests, XS_N(tests));
}
