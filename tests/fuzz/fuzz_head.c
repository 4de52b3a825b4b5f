/*
 * fuzz_head.c — libFuzzer target for the check of a request head before
 * libmicrohttpd sees it (src/serve/head.c, admit.c reads every first
 * request with it). The input is the bytes a client has sent. Checked:
 *   - the verdict is 1, 0 or -1; a refusal has one of the documented
 *     statuses with a code and a message that go into JSON as they are
 *     (no quote, backslash or control byte);
 *   - 0 ("more to come") only while the input fits XS__HEAD_MAX;
 *   - 1 only when a blank line ends the head within XS__HEAD_MAX bytes;
 *   - more bytes never change a decided verdict: the verdict on every
 *     prefix that was decided (1 or -1, with its status) is the verdict on
 *     the whole input (the acceptor peeks again as bytes arrive).
 * Any violation aborts.
 *
 * Run: `make fuzz`, or build-fuzz/fuzz_head on a copy of
 * tests/fuzz/corpus/head.
 */
#include "serve/head.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK_OR_DIE(cond)                                                               \
    do {                                                                                 \
        if (!(cond)) {                                                                   \
            fprintf(stderr, "fuzz_head: %s:%d: check failed: %s\n", __FILE__, __LINE__,  \
                    #cond);                                                              \
            abort();                                                                     \
        }                                                                                \
    } while (0)

static int json_safe(const char *s)
{
    for (; s && *s; s++)
        if (*s == '"' || *s == '\\' || (unsigned char)*s < 0x20) return 0;
    return s != NULL;
}

/* The verdict on b[0..n), checked on its own. */
static int verdict(const char *b, size_t n, int *status)
{
    xs__serve_head_bad bad = {0, NULL, NULL, NULL};
    int v = xs__serve_head_check(b, n, &bad);
    CHECK_OR_DIE(v == 1 || v == 0 || v == -1);
    *status = 0;
    if (v < 0) {
        int st = bad.status;
        CHECK_OR_DIE(st == 400 || st == 413 || st == 414 || st == 431 || st == 501 ||
                     st == 505);
        CHECK_OR_DIE(bad.reason && json_safe(bad.code) && json_safe(bad.msg));
        *status = st;
    }
    if (v == 0) CHECK_OR_DIE(n <= XS__HEAD_MAX);
    if (v == 1) {
        size_t lim = n < XS__HEAD_MAX ? n : XS__HEAD_MAX;
        int blank = 0;
        for (size_t i = 1; i < lim && !blank; i++)
            blank = b[i] == '\n' && (b[i - 1] == '\n' ||
                                     (i >= 2 && b[i - 1] == '\r' && b[i - 2] == '\n'));
        CHECK_OR_DIE(blank);
    }
    return v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* the acceptor peeks at most XS__HEAD_MAX + 1 bytes */
    if (size > XS__HEAD_MAX + 1) size = XS__HEAD_MAX + 1;
    const char *b = (const char *)data;
    int st_all;
    int all = verdict(b, size, &st_all);
    size_t cuts[] = {size / 4, size / 2, size - (size > 0), size > 64 ? 64 : size};
    for (size_t i = 0; i < sizeof cuts / sizeof *cuts; i++) {
        int st;
        int v = verdict(b, cuts[i], &st);
        if (v != 0) {
            CHECK_OR_DIE(v == all);
            CHECK_OR_DIE(st == st_all);
        }
    }
    return 0;
}
