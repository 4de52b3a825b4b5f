/*
 * baskets_read.c — FIMI and basket-CSV files into xs_baskets (see
 * baskets_read.h).
 *
 * The file is read whole (one read(2) loop into one buffer) and parsed by
 * hand: for retail.dat (4 MB, 900k items) this takes a few milliseconds,
 * which matters because the miners themselves take about as long. FIMI item
 * numbers are mapped to dense ids through a direct array (numbers below
 * 2^22) or the name table (larger ones); a name is interned once, when its
 * number is first seen, so names cost nothing per occurrence.
 */
#include "io/baskets_read.h"

#include "base/alloc.h"
#include "base/error.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define DIRECT_MAX (1u << 22) /* FIMI numbers below this use the direct map */

int xs__io_read_file(const char *path, char **out, size_t *len, xs_error *err)
{
    int fd = strcmp(path, "-") ? open(path, O_RDONLY) : STDIN_FILENO;
    if (fd < 0) return xs__error_set(err, XS_EIO, path, 0, NULL, "%s", strerror(errno));
    struct stat st;
    size_t cap = 1 << 16;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0)
        cap = (size_t)st.st_size + 1;
    if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
        if (fd != STDIN_FILENO) close(fd);
        return xs__error_set(err, XS_EIO, path, 0, NULL, "%s", strerror(EISDIR));
    }
    char *buf = xs__malloc(cap);
    size_t n = 0;
    int rc = XS_OK;
    if (!buf) {
        rc = xs__error_set(err, XS_ENOMEM, path, 0, NULL, "out of memory");
        goto cleanup;
    }
    for (;;) {
        if (n + 1 >= cap && xs__grow(&buf, &cap, n + 2, 1) < 0) {
            rc = xs__error_set(err, XS_ENOMEM, path, 0, NULL, "out of memory");
            goto cleanup;
        }
        ssize_t got = read(fd, buf + n, cap - 1 - n);
        if (got < 0) {
            if (errno == EINTR) continue;
            rc = xs__error_set(err, XS_EIO, path, 0, NULL, "%s", strerror(errno));
            goto cleanup;
        }
        if (got == 0) break;
        n += (size_t)got;
    }
    buf[n] = '\0';
    *out = buf;
    *len = n;
    buf = NULL;
cleanup:
    xs__free(buf);
    if (fd != STDIN_FILENO) close(fd);
    return rc;
}

static int is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

static int bad_token(xs_error *err, const char *file, long line, const char *msg,
                     const char *tok, const char *end)
{
    const char *e = tok;
    while (e < end && !is_blank(*e) && *e != '\n') e++;
    char q[128];
    xs__error_quote(q, sizeof q, tok, (size_t)(e - tok));
    return xs__error_set(err, XS_EPARSE, file, line, NULL, "%s: %s", msg, q);
}

/* FIMI: blank-separated decimal item numbers, one basket per line. */
static int parse_fimi(struct xs_baskets *b, const char *buf, size_t len, const char *file,
                      xs_error *err)
{
    const char *p = buf, *end = buf + len;
    long line = 1;
    int rc = XS_OK;
    uint32_t *direct = NULL; /* number -> id + 1 */
    size_t cap_direct = 0;
    int line_open = 0; /* characters seen since the last newline */
    /* Reserve once: every item takes at least two bytes ("7 "), every basket
     * one newline. Pages never written are never resident, so the generous
     * reservation costs address space, not memory, and saves the copies of
     * doubling. */
    size_t n_lines = 1;
    for (const char *q = buf; (q = memchr(q, '\n', (size_t)(end - q))) != NULL; q++) n_lines++;
    if (xs__grow(&b->items, &b->cap_items, b->n_items_total + len / 2 + 1,
                 sizeof *b->items) < 0 ||
        xs__grow(&b->off, &b->cap_off, b->n_tx + n_lines + 2, sizeof *b->off) < 0) {
        rc = XS_ENOMEM;
        goto cleanup;
    }
    while (p < end) {
        char c = *p;
        if (c == '\n') {
            if ((rc = xs__mine_baskets_end(b)) < 0) goto cleanup;
            line++;
            line_open = 0;
            p++;
            continue;
        }
        line_open = 1;
        if (is_blank(c)) {
            p++;
            continue;
        }
        const char *tok = p;
        uint64_t v = 0;
        while (p < end && *p >= '0' && *p <= '9') {
            v = v * 10 + (uint64_t)(*p - '0');
            if (v > UINT32_MAX) {
                rc = bad_token(err, file, line, "item number too large", tok, end);
                goto cleanup;
            }
            p++;
        }
        if (p == tok || (p < end && !is_blank(*p) && *p != '\n')) {
            rc = bad_token(err, file, line, "not an item number", tok, end);
            goto cleanup;
        }
        uint32_t id;
        if (v < DIRECT_MAX) {
            if (v >= cap_direct) {
                size_t old = cap_direct;
                if (xs__grow(&direct, &cap_direct, (size_t)v + 1, sizeof *direct) < 0) {
                    rc = XS_ENOMEM;
                    goto cleanup;
                }
                memset(direct + old, 0, (cap_direct - old) * sizeof *direct);
            }
            if (direct[v]) {
                id = direct[v] - 1;
            } else {
                char name[24];
                int n = snprintf(name, sizeof name, "%u", (unsigned)v);
                id = xs__intern_add(&b->names, name, (size_t)n);
                if (id == XS_INTERN_NONE) {
                    rc = XS_ENOMEM;
                    goto cleanup;
                }
                direct[v] = id + 1;
            }
        } else {
            char name[24];
            int n = snprintf(name, sizeof name, "%u", (unsigned)v);
            id = xs__intern_add(&b->names, name, (size_t)n);
            if (id == XS_INTERN_NONE) {
                rc = XS_ENOMEM;
                goto cleanup;
            }
        }
        /* room was reserved above: append without the builder's checks */
        if (!b->open) {
            b->off[b->n_tx] = b->n_items_total;
            b->open = 1;
        }
        b->items[b->n_items_total++] = id;
    }
    if (line_open) rc = xs__mine_baskets_end(b);
cleanup:
    if (rc == XS_ENOMEM) xs__error_set(err, XS_ENOMEM, file, 0, NULL, "out of memory");
    xs__free(direct);
    return rc;
}

/* Basket CSV: comma-separated names, RFC 4180 quotes, one basket per line.
 * Empty names (",,") are skipped; a trailing CR is dropped. */
static int parse_csv(struct xs_baskets *b, const char *buf, size_t len, const char *file,
                     xs_error *err)
{
    const char *p = buf, *end = buf + len;
    long line = 1;
    int rc = XS_OK;
    char *tmp = NULL;
    size_t cap_tmp = 0;
    if (len >= 3 && (unsigned char)p[0] == 0xef && (unsigned char)p[1] == 0xbb &&
        (unsigned char)p[2] == 0xbf)
        p += 3;
    while (p < end) {
        /* one line */
        for (;;) {
            /* one field, starting at p */
            if (p < end && *p == '"') {
                long start_line = line;
                size_t n = 0;
                p++;
                for (;;) {
                    if (p >= end) {
                        rc = xs__error_set(err, XS_EPARSE, file, start_line, NULL,
                                           "unterminated quoted item");
                        goto cleanup;
                    }
                    char c = *p++;
                    if (c == '"') {
                        if (p < end && *p == '"') p++;
                        else break;
                    }
                    if (c == '\n') line++;
                    if (xs__grow(&tmp, &cap_tmp, n + 1, 1) < 0) {
                        rc = XS_ENOMEM;
                        goto cleanup;
                    }
                    tmp[n++] = c;
                }
                if (p < end && *p == '\r' && (p + 1 == end || p[1] == '\n')) p++;
                if (p < end && *p != ',' && *p != '\n') {
                    const char *e = p;
                    while (e < end && *e != ',' && *e != '\n') e++;
                    char q[128];
                    xs__error_quote(q, sizeof q, p, (size_t)(e - p));
                    rc = xs__error_set(err, XS_EPARSE, file, line, NULL,
                                       "text after a quoted item: %s", q);
                    goto cleanup;
                }
                if (n && (rc = xs__mine_baskets_add(b, tmp, n)) < 0) goto cleanup;
            } else {
                const char *s = p;
                while (p < end && *p != ',' && *p != '\n') p++;
                const char *e = p;
                if (e > s && e[-1] == '\r' && (p == end || *p == '\n')) e--;
                if (e > s && (rc = xs__mine_baskets_add(b, s, (size_t)(e - s))) < 0)
                    goto cleanup;
            }
            if (p < end && *p == ',') {
                p++;
                continue;
            }
            break; /* newline or end */
        }
        if ((rc = xs__mine_baskets_end(b)) < 0) goto cleanup;
        if (p < end) { /* the newline */
            p++;
            line++;
        }
    }
cleanup:
    if (rc == XS_ENOMEM) xs__error_set(err, XS_ENOMEM, file, 0, NULL, "out of memory");
    xs__free(tmp);
    return rc;
}

int xs__io_baskets_parse(struct xs_baskets *b, const char *buf, size_t len,
                         xs_baskets_format fmt, const char *file, xs_error *err)
{
    if (!file) file = "<input>";
    return fmt == XS_BASKETS_FIMI ? parse_fimi(b, buf, len, file, err)
                                  : parse_csv(b, buf, len, file, err);
}

int xs_baskets_format_parse(const char *s, xs_baskets_format *out)
{
    if (!strcmp(s, "fimi")) *out = XS_BASKETS_FIMI;
    else if (!strcmp(s, "basket")) *out = XS_BASKETS_CSV;
    else return XS_EINVAL;
    return XS_OK;
}

int xs_baskets_read(xs_baskets **out, const char *path, xs_baskets_format fmt,
                    xs_error *err)
{
    char *buf = NULL;
    size_t len = 0;
    *out = NULL;
    int rc = xs__io_read_file(path, &buf, &len, err);
    if (rc < 0) return rc;
    xs_baskets *b = xs_baskets_new();
    if (!b) {
        xs__free(buf);
        return xs__error_set(err, XS_ENOMEM, path, 0, NULL, "out of memory");
    }
    rc = xs__io_baskets_parse(b, buf, len, fmt, path, err);
    xs__free(buf);
    if (rc < 0) {
        xs_baskets_free(b);
        return rc;
    }
    *out = b;
    return XS_OK;
}
