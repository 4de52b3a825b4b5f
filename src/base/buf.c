/*
 * buf.c — the growable byte buffer (contract in buf.h): growth with one
 * spare byte for a NUL, sticky errors, the JSON and CSV appends over
 * base/escape.c and base/numfmt.c, and the spill to a stream.
 */
#include "base/buf.h"

#include "base/alloc.h"
#include "base/error.h"
#include "base/escape.h"
#include "base/numfmt.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>

/* Contract in buf.h. */
void xs__buf_to_file(xs__buf *b, FILE *f, size_t flush_at)
{
    b->f = f;
    b->flush_at = flush_at;
}

/* Contract in buf.h. Doubling from 64 bytes; the spare byte keeps room for
 * the NUL of xs__buf_cstr. */
int xs__buf_reserve(xs__buf *b, size_t more)
{
    if (b->err) return -1;
    if (more < b->cap - b->n) return 0;
    if (more > SIZE_MAX - 1 - b->n) {
        b->err = XS_ENOMEM;
        return -1;
    }
    size_t need = b->n + more + 1, cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    char *p = xs__realloc(b->p, cap);
    if (!p) {
        b->err = XS_ENOMEM;
        return -1;
    }
    b->p = p;
    b->cap = cap;
    return 0;
}

/* Contract in buf.h. */
void xs__buf_printf(xs__buf *b, const char *fmt, ...)
{
    if (b->err) return;
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        size_t room = b->cap - b->n;
        int k = vsnprintf(b->p ? b->p + b->n : NULL, room, fmt, ap);
        va_end(ap);
        if (k < 0) {
            b->err = XS_ENOMEM; /* vsnprintf fails only for want of memory */
            return;
        }
        if ((size_t)k < room) {
            b->n += (size_t)k;
            return;
        }
        if (xs__buf_reserve(b, (size_t)k) < 0) return;
    }
}

/* Contract in buf.h. */
void xs__buf_int(xs__buf *b, long long v)
{
    if (xs__buf_reserve(b, 24) < 0) return;
    b->n += xs__fmt_int(b->p + b->n, v);
}

/* ---------------------------------------------------------------------- */
/* JSON and CSV                                                            */
/* ---------------------------------------------------------------------- */

/* Contract in buf.h. */
void xs__buf_json_str(xs__buf *b, const char *s, size_t n)
{
    if (xs__buf_reserve(b, XS__JSON_ESC_MAX(n)) < 0) return;
    b->n += xs__json_esc(b->p + b->n, s, n, b->check_utf8 ? &b->bad_utf8 : NULL);
}

/* Contract in buf.h. */
void xs__buf_json_cstr(xs__buf *b, const char *s)
{
    if (s)
        xs__buf_json_str(b, s, strlen(s));
    else
        xs__buf_add(b, "null", 4);
}

/* Contract in buf.h. */
void xs__buf_json_num(xs__buf *b, double v)
{
    if (!isfinite(v)) {
        xs__buf_add(b, "null", 4);
        return;
    }
    char d[XS__FMT_G17_MAX + 2];
    size_t n = xs__fmt_g17(d, v);
    char *e = NULL;
    int dot = 0;
    for (size_t i = 0; i < n; i++) { /* a short text: one pass, no calls */
        if (d[i] == 'e') e = d + i;
        dot |= d[i] == '.';
    }
    if (!e && !dot) {
        memcpy(d + n, ".0", 3);
        n += 2;
    } else if (e) {
        /* jansson drops the '+' and the leading zeros of the exponent */
        char *start = e + 1, *end = e + 2;
        if (*start == '-') start++;
        while (*end == '0')
            end++;
        if (end != start) {
            memmove(start, end, (size_t)(d + n - end) + 1);
            n -= (size_t)(end - start);
        }
    }
    xs__buf_add(b, d, n);
}

/* Contract in buf.h. */
int xs__buf_json_fixed(xs__buf *b, int decimals, double v)
{
    if (!isfinite(v)) return -1;
    xs__buf_json_num(b, xs__fmt_fixed_value(v, decimals));
    return 0;
}

/* Contract in buf.h. */
void xs__buf_csv_field(xs__buf *b, const char *s, size_t n, char delim, int lone)
{
    if (xs__buf_reserve(b, XS__CSV_ESC_MAX(n)) < 0) return;
    b->n += xs__csv_esc(b->p + b->n, s, n, delim, lone);
}

/* ---------------------------------------------------------------------- */
/* Stream and hand-over                                                    */
/* ---------------------------------------------------------------------- */

/* Contract in buf.h. */
void xs__buf_spill(xs__buf *b)
{
    if (b->f && b->n >= b->flush_at) xs__buf_flush(b);
}

/* Contract in buf.h. After a failure the bytes are dropped unwritten. */
int xs__buf_flush(xs__buf *b)
{
    if (b->f && b->n && !b->err && fwrite(b->p, 1, b->n, b->f) != b->n) {
        b->err = XS_EIO;
        b->sys_errno = errno ? errno : EIO;
    }
    if (b->f) b->n = 0;
    return b->err;
}

/* Contract in buf.h. */
const char *xs__buf_cstr(xs__buf *b)
{
    if (!b->p) return "";
    b->p[b->n] = '\0';
    return b->p;
}

/* Contract in buf.h. */
char *xs__buf_take(xs__buf *b, size_t *len)
{
    if (!b->p) xs__buf_reserve(b, 0);
    if (b->err) {
        xs__buf_free(b);
        return NULL;
    }
    char *p = b->p;
    p[b->n] = '\0';
    if (len) *len = b->n;
    b->p = NULL;
    b->n = b->cap = 0;
    return p;
}

/* Contract in buf.h. */
void xs__buf_reset(xs__buf *b)
{
    b->n = 0;
}

/* Contract in buf.h. */
void xs__buf_free(xs__buf *b)
{
    if (!b) return;
    FILE *f = b->f;
    size_t at = b->flush_at;
    xs__free(b->p);
    *b = (xs__buf){0};
    b->f = f;
    b->flush_at = at;
}
