/*
 * head.h — the check of a request head before libmicrohttpd sees it
 * (head.c). libmicrohttpd 0.9.75 answers some requests by itself, with
 * built-in HTML bodies it offers no way to replace (a head larger than its
 * connection memory pool: 431 or 414; a malformed request line or header
 * line, an unsupported HTTP version, a bad Content-Length: 400, 505, 413),
 * or closes without an answer (no method, no target). admit.c reads the
 * first request of every connection with this check before it hands the
 * connection over, and answers what fails in the server's JSON error shape
 * (what libmicrohttpd reads by itself later, mhd_errors.c answers in JSON).
 * Only admit.c and server.c use it; docs/api.md ("Request heads") states
 * the limits.
 */
#ifndef XS_HEAD_H
#define XS_HEAD_H

#include <stddef.h>

/* The largest request head accepted (request line, header lines and the
 * blank line that ends them), and the most header lines, query
 * parameters and cookies in one head: what the connection memory pool of
 * libmicrohttpd (XS__HEAD_POOL, server.c) is sized to hold. */
#define XS__HEAD_MAX 8192
#define XS__HEAD_ITEMS 64
#define XS__HEAD_POOL (24 * 1024)

/* What is wrong with a head (status, reason phrase, error code, message;
 * all static strings). */
typedef struct xs__serve_head_bad {
    int status;
    const char *reason, *code, *msg;
} xs__serve_head_bad;

/* Checks the first n bytes a client has sent (borrowed). Returns 1 when a
 * whole head has arrived and libmicrohttpd accepts it, 0 when it may still
 * be (more bytes are needed; n <= XS__HEAD_MAX), -1 when it is refused:
 * *bad says how. At least as strict as libmicrohttpd 0.9.75 with its
 * default (non-pedantic) checks, so a head passed here is never answered
 * by libmicrohttpd itself; stricter where it would cut a value silently
 * (NUL in the head is a 400). */
int xs__serve_head_check(const char *b, size_t n, xs__serve_head_bad *bad);

#endif
