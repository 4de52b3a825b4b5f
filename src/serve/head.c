/*
 * head.c — the check of a request head before libmicrohttpd sees it.
 *
 * The rules are libmicrohttpd 0.9.75's own (connection.c, default checks),
 * read from its source, so that what passes here never gets one of its
 * built-in HTML answers: lines end at LF (a CR before it is dropped); empty
 * lines before the request line are skipped; the request line is a method,
 * a space, a target and, after the last space, exactly "HTTP/d.d" with
 * major version 1 (0 or 2..9 is 505, anything else 400; no method or no
 * version, which it closes without an answer, is 400 here); every header
 * line has a colon; when there is no Transfer-Encoding, Content-Length is
 * all digits (400) and fits 64 bits (413). Its memory pool must hold the
 * head, a record per header line, query parameter and cookie, and the
 * response head: XS__HEAD_MAX bytes and XS__HEAD_ITEMS records fit
 * XS__HEAD_POOL with room to spare (bench/RESULTS.md, h3). Stricter than
 * libmicrohttpd where it would lose bytes silently or wait for a close: NUL
 * anywhere in the head (it ends a C string there), folded header lines
 * (obsolete, RFC 9112 5.2) and a transfer coding other than chunked.
 */
#include "serve/head.h"

#include <stdint.h>
#include <string.h>
#include <strings.h>

static int fail(xs__serve_head_bad *bad, int status, const char *reason, const char *code,
                const char *msg)
{
    bad->status = status;
    bad->reason = reason;
    bad->code = code;
    bad->msg = msg;
    return -1;
}

static int bad_request(xs__serve_head_bad *bad, const char *msg)
{
    return fail(bad, 400, "Bad Request", "bad_request", msg);
}

/* Checks the request line l[0..n) (no line end). Adds its query
 * parameters to *items. */
static int check_request_line(const char *l, size_t n, unsigned *items,
                              xs__serve_head_bad *bad)
{
    const char *sp = memchr(l, ' ', n);
    if (!sp || sp == l) return bad_request(bad, "malformed request line");
    const char *u = sp + 1, *end = l + n;
    while (u < end && *u == ' ')
        u++;
    const char *v = end - 1;
    while (v > u && *v == ' ')
        v--;
    while (v > u && *v != ' ')
        v--;
    if (u == end || v <= u)
        return bad_request(bad, "malformed request line: no HTTP version");
    const char *h = v + 1;
    size_t hn = (size_t)(end - h);
    if (hn != 8 || memcmp(h, "HTTP/", 5) || h[6] != '.' || h[5] < '0' || h[5] > '9' ||
        h[7] < '0' || h[7] > '9')
        return bad_request(bad, "malformed request line: bad HTTP version");
    if (h[5] != '1')
        return fail(bad, 505, "HTTP Version Not Supported", "http_version_not_supported",
                    "only HTTP/1.0 and HTTP/1.1 are supported");
    const char *q = memchr(u, '?', (size_t)(v - u));
    if (q) {
        (*items)++;
        for (const char *p = q + 1; p < v; p++)
            if (*p == '&') (*items)++;
    }
    return 0;
}

/* 1 when the header line l[0..n) is named name (case-insensitive); *val
 * is then its value, leading blanks skipped. */
static int header_is(const char *l, size_t n, const char *name, const char **val)
{
    size_t k = strlen(name);
    if (n <= k || l[k] != ':' || strncasecmp(l, name, k)) return 0;
    const char *p = l + k + 1, *end = l + n;
    while (p < end && (*p == ' ' || *p == '\t'))
        p++;
    *val = p;
    return 1;
}

/* Checks the Content-Length value v[0..n): libmicrohttpd's parse. */
static int check_length(const char *v, size_t n, xs__serve_head_bad *bad)
{
    uint64_t x = 0;
    for (size_t i = 0; i < n; i++) {
        if (v[i] < '0' || v[i] > '9')
            return bad_request(bad, "Content-Length is not a number");
        unsigned d = (unsigned)(v[i] - '0');
        if (x > (UINT64_MAX - d) / 10)
            return fail(bad, 413, "Content Too Large", "payload_too_large",
                        "Content-Length is too large");
        x = x * 10 + d;
    }
    if (!n) return bad_request(bad, "Content-Length is not a number");
    return 0;
}

/* Contract in head.h. */
int xs__serve_head_check(const char *b, size_t n, xs__serve_head_bad *bad)
{
    size_t pos = 0, line_no = 0;
    unsigned items = 0;
    int have_te = 0;
    const char *cl = NULL;
    size_t n_cl = 0;
    for (;;) {
        const char *lf = memchr(b + pos, '\n', n - pos);
        size_t end = lf ? (size_t)(lf - b) + 1 : n + 1;
        if (end > XS__HEAD_MAX || !lf) {
            if (end <= XS__HEAD_MAX || n <= XS__HEAD_MAX) return 0; /* more to come */
            if (line_no == 0)
                return fail(bad, 414, "URI Too Long", "uri_too_long",
                            "the request line is longer than 8192 bytes");
            return fail(bad, 431, "Request Header Fields Too Large", "header_too_large",
                        "the request head is longer than 8192 bytes");
        }
        const char *l = b + pos;
        size_t ln = (size_t)(lf - l);
        if (ln && l[ln - 1] == '\r') ln--;
        pos = end;
        if (memchr(l, '\0', ln))
            return bad_request(bad, "the request head holds a NUL byte");
        if (line_no == 0) {
            if (!ln) continue; /* empty lines before the request line */
            if (check_request_line(l, ln, &items, bad) < 0) return -1;
        } else if (!ln) {
            break; /* the end of the head */
        } else {
            if (l[0] == ' ' || l[0] == '\t')
                return bad_request(bad, "folded header lines are not supported");
            if (!memchr(l, ':', ln))
                return bad_request(bad, "a header line has no colon");
            items++;
            const char *v;
            if (header_is(l, ln, "Transfer-Encoding", &v)) {
                if ((size_t)(l + ln - v) != 7 || strncasecmp(v, "chunked", 7))
                    return fail(bad, 501, "Not Implemented", "not_implemented",
                                "the only transfer coding supported is chunked");
                have_te = 1;
            } else if (header_is(l, ln, "Content-Length", &v) && !cl) {
                cl = v;
                n_cl = (size_t)(l + ln - v);
            } else if (header_is(l, ln, "Cookie", &v) && v < l + ln) {
                items++; /* a record per cookie besides the header's own */
                for (const char *p = v; p < l + ln; p++)
                    if (*p == ';') items++;
            }
        }
        line_no++;
    }
    if (items > XS__HEAD_ITEMS)
        return fail(bad, 431, "Request Header Fields Too Large", "header_too_large",
                    "more than 64 header lines, query parameters and cookies");
    if (!have_te && cl && check_length(cl, n_cl, bad) < 0) return -1;
    return 1;
}
