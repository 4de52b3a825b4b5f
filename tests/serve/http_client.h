/*
 * http_client.h — a minimal HTTP/1.1 client over plain sockets for the
 * server tests (tests/unit/test_serve_http.c): connect to 127.0.0.1:PORT,
 * send one request (optionally keep-alive), read the status line, headers
 * and a Content-Length body. Receive timeouts keep a broken server from
 * hanging the test. Header-only (static functions); tests need nothing
 * beyond libc.
 */
#ifndef XS_TEST_HTTP_CLIENT_H
#define XS_TEST_HTTP_CLIENT_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

typedef struct http_resp {
    int status;       /* 0 when no response could be read */
    char head[8192];  /* status line and headers */
    char *body;       /* NUL-terminated (malloc) */
    size_t n_body;
} http_resp;

/* Connects to 127.0.0.1:port with 15 s send/receive timeouts; -1 on failure. */
static int http_connect(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return -1;
    struct timeval tv = {15, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons((unsigned short)port);
    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) < 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static int http_write_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t k = send(fd, p, n, MSG_NOSIGNAL);
        if (k <= 0) return -1;
        p += k;
        n -= (size_t)k;
    }
    return 0;
}

/* Sends a request; key NULL: no Authorization; body NULL: none. */
static int http_send(int fd, const char *method, const char *path, const char *key,
                     const char *body, size_t n_body, int keep_alive)
{
    char head[2048];
    int n = snprintf(head, sizeof head, "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\n%s%s%s%s",
                     method, path, key ? "Authorization: Bearer " : "", key ? key : "",
                     key ? "\r\n" : "", keep_alive ? "" : "Connection: close\r\n");
    if (body)
        n += snprintf(head + n, sizeof head - (size_t)n,
                      "Content-Type: application/json\r\nContent-Length: %zu\r\n", n_body);
    n += snprintf(head + n, sizeof head - (size_t)n, "\r\n");
    if (http_write_all(fd, head, (size_t)n) < 0) return -1;
    return body && n_body ? http_write_all(fd, body, n_body) : 0;
}

/* Value of a header of r (case-insensitive name), copied into a static
 * buffer; NULL when absent. */
static const char *http_header(const http_resp *r, const char *name)
{
    static _Thread_local char val[512]; /* the hammer threads call this at once */
    size_t ln = strlen(name);
    const char *p = strstr(r->head, "\r\n");
    while (p && p[2]) {
        p += 2;
        if (!strncasecmp(p, name, ln) && p[ln] == ':') {
            const char *v = p + ln + 1, *e = strstr(v, "\r\n");
            while (*v == ' ') v++;
            size_t n = e ? (size_t)(e - v) : strlen(v);
            if (n >= sizeof val) n = sizeof val - 1;
            memcpy(val, v, n);
            val[n] = 0;
            return val;
        }
        p = strstr(p, "\r\n");
    }
    return NULL;
}

/* Reads one response (headers, then Content-Length bytes, or to EOF when
 * there is no Content-Length). Returns 0, or -1 (r->status stays 0). */
static int http_recv(int fd, http_resp *r)
{
    memset(r, 0, sizeof *r);
    size_t n = 0;
    char *end = NULL;
    while (!end) {
        if (n + 1 >= sizeof r->head) return -1;
        ssize_t k = recv(fd, r->head + n, 1, 0); /* byte by byte: stop at the blank line */
        if (k <= 0) return -1;
        n += (size_t)k;
        r->head[n] = 0;
        end = n >= 4 && !memcmp(r->head + n - 4, "\r\n\r\n", 4) ? r->head + n : NULL;
    }
    if (sscanf(r->head, "HTTP/1.%*d %d", &r->status) != 1) return -1;
    const char *cl = http_header(r, "Content-Length");
    size_t want = (size_t)-1, cap = 4096;
    if (cl) {
        unsigned long long v = strtoull(cl, NULL, 10);
        if (v > (1ull << 26)) return -1; /* no test response is that big */
        want = (size_t)v;
        cap = want + 1;
    }
    r->body = malloc(cap);
    if (!r->body) return -1;
    while (r->n_body < want) {
        if (r->n_body + 1 >= cap) r->body = realloc(r->body, cap *= 2);
        size_t room = cap - 1 - r->n_body;
        if (cl && room > want - r->n_body) room = want - r->n_body;
        ssize_t k = recv(fd, r->body + r->n_body, room, 0);
        if (k < 0) {
            r->status = 0;
            return -1;
        }
        if (k == 0) break;
        r->n_body += (size_t)k;
    }
    r->body[r->n_body] = 0;
    if (cl && r->n_body != want) {
        r->status = 0;
        return -1;
    }
    return 0;
}

static void http_resp_free(http_resp *r)
{
    free(r->body);
    r->body = NULL;
}

/* One request on a fresh connection (Connection: close). Returns the status
 * (0 when the exchange failed); the caller frees r with http_resp_free. */
static int http_do(int port, const char *method, const char *path, const char *key,
                   const char *body, http_resp *r)
{
    memset(r, 0, sizeof *r);
    int fd = http_connect(port);
    if (fd < 0) return 0;
    if (http_send(fd, method, path, key, body, body ? strlen(body) : 0, 0) == 0) http_recv(fd, r);
    close(fd);
    return r->status;
}

#endif
