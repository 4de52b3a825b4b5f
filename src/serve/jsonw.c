/*
 * jsonw.c — a JSON answer written straight into one buffer, byte for byte
 * as jansson's json_dumps(JSON_COMPACT) would write the same value: its
 * separators, its string escaping (no JSON_ENSURE_ASCII, no slash escaping,
 * other control characters as \uXXXX) and its reals ("%.17g", ".0" added
 * when the text would read back as an integer, no '+' nor leading zeros in
 * the exponent). The hot read routes (offers, together, customer) answer
 * through it instead of building a jansson tree: a tree costs an allocation
 * per value and printf per real, which was most of their time at 1M
 * customers (bench/results/serve.md). Contract in serve_int.h.
 */
#include "base/alloc.h"
#include "base/escape.h"
#include "base/numfmt.h"
#include "serve/serve_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Contract in serve_int.h. */
int xs__serve_jw_reserve(xs__serve_jw *o, size_t more)
{
    if (o->oom) return -1;
    if (o->n + more + 1 <= o->cap) return 0;
    if (xs__grow(&o->b, &o->cap, o->n + more + 1, 1) < 0) {
        o->oom = 1;
        return -1;
    }
    return 0;
}

/* Contract in serve_int.h. */
void xs__serve_jw_mem(xs__serve_jw *o, const char *s, size_t n)
{
    if (xs__serve_jw_reserve(o, n) < 0) return;
    memcpy(o->b + o->n, s, n);
    o->n += n;
}

/* Contract in serve_int.h. */
void xs__serve_jw_raw(xs__serve_jw *o, const char *s)
{
    xs__serve_jw_mem(o, s, strlen(s));
}

/* Contract in serve_int.h. */
void xs__serve_jw_str(xs__serve_jw *o, const char *s)
{
    size_t len = strlen(s);
    if (xs__serve_jw_reserve(o, XS__JSON_ESC_MAX(len)) < 0) return;
    o->n += xs__json_esc(o->b + o->n, s, len, &o->bad_utf8);
}

/* Contract in serve_int.h. */
void xs__serve_jw_str_or_null(xs__serve_jw *o, const char *s)
{
    if (s)
        xs__serve_jw_str(o, s);
    else
        xs__serve_jw_mem(o, "null", 4);
}

/* Contract in serve_int.h. */
void xs__serve_jw_num(xs__serve_jw *o, double v)
{
    if (!isfinite(v)) {
        xs__serve_jw_mem(o, "null", 4);
        return;
    }
    char d[XS__FMT_G17_MAX + 2];
    size_t n = xs__fmt_g17(d, v);
    char *e = memchr(d, 'e', n);
    if (!e && !memchr(d, '.', n)) {
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
    xs__serve_jw_mem(o, d, n);
}

/* Contract in serve_int.h. */
int xs__serve_jw_fixed(xs__serve_jw *o, int decimals, double v)
{
    if (!isfinite(v)) return -1;
    xs__serve_jw_num(o, xs__fmt_fixed_value(v, decimals));
    return 0;
}

/* Contract in serve_int.h. */
void xs__serve_jw_int(xs__serve_jw *o, long long v)
{
    char d[24];
    xs__serve_jw_mem(o, d, xs__fmt_int(d, v));
}

/* Contract in serve_int.h. */
int xs__serve_jw_reply(xs__serve_req *r, xs__serve_jw *o, const char *what)
{
    if (o->oom || o->bad_utf8) {
        xs__free(o->b);
        o->b = NULL;
        return xs__serve_error(r, 500, "internal", "cannot render %s", what);
    }
    json_decref(r->out);
    r->out = NULL;
    xs__free(r->text);
    r->text = o->b;
    r->n_text = o->n;
    r->text_type = "application/json";
    r->status = 200;
    o->b = NULL;
    return 200;
}
