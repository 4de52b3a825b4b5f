/*
 * json.c — JSON helpers of the server: numbers that may be NaN / infinite
 * (JSON has neither: null) and result tables (xs_table, the library's one
 * output shape) turned into jansson values by writing them as JSON and
 * parsing that back, so the API and `--format json` of the CLI agree.
 * And UTF-8: JSON strings must be valid UTF-8 (jansson refuses anything
 * else), so values shown in messages are quoted, cut and escaped here on
 * character boundaries, never by byte.
 */
#include "serve/serve_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Contract in serve_int.h. */
json_t *xs__serve_num(double v)
{
    return isfinite(v) ? json_real(v) : json_null();
}

/* Contract in serve_int.h. */
json_t *xs__serve_table_json(const xs_table *t)
{
    char *text = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&text, &n);
    if (!f) return NULL;
    int rc = xs_table_write(t, f, XS_FORMAT_JSON);
    if (fclose(f) != 0 || rc < 0) {
        free(text); /* open_memstream's allocation */
        return NULL;
    }
    json_t *j = json_loadb(text, n, 0, NULL);
    free(text);
    if (j && !json_is_array(j)) {
        json_decref(j);
        return NULL;
    }
    return j;
}

/* ---------------------------------------------------------------------- */
/* UTF-8: checking, cutting, quoting                                      */
/* ---------------------------------------------------------------------- */

/* Contract in serve_int.h. */
int xs__serve_utf8_valid(const char *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        int k = xs__utf8_seq(s + i, n - i);
        if (k <= 0) return 0;
        i += (size_t)k;
    }
    return 1;
}

/* Contract in serve_int.h. */
size_t xs__serve_utf8_cut(const char *s, size_t n, size_t max)
{
    if (n <= max) return n;
    size_t i = max;
    while (i > 0 && ((unsigned char)s[i] & 0xC0) == 0x80)
        i--;
    return i;
}

/* The next unit of s[0..len) as written by xs__serve_escape/xs__serve_quote: its bytes
 * into out (up to 4), how many input bytes it takes (*used), its length
 * (0: nothing to write). */
static size_t next_unit(const char *s, size_t len, int flags, int quote, char out[4],
                        size_t *used)
{
    static const char hex[] = "0123456789abcdef";
    unsigned char c = (unsigned char)s[0];
    int k = xs__utf8_seq(s, len);
    if (k < 0 && (flags & XS__ESC_DROP_CUT)) {
        *used = (size_t)-k;
        return 0;
    }
    *used = k > 0 ? (size_t)k : 1;
    if (k > 1) {
        memcpy(out, s, (size_t)k);
        return (size_t)k;
    }
    int esc = k <= 0 ||
              ((flags & XS__ESC_LOG) && (c < 0x20 || c == 0x7f || (c == '\\' && !quote)));
    if (esc) {
        out[0] = '\\', out[1] = 'x', out[2] = hex[c >> 4], out[3] = hex[c & 15];
        return 4;
    }
    if (quote && (c == '"' || c == '\\')) {
        out[0] = '\\', out[1] = (char)c;
        return 2;
    }
    out[0] = (char)c;
    return 1;
}

/* Contract in serve_int.h. */
size_t xs__serve_escape(char *dst, size_t n, const char *s, size_t len, int flags)
{
    size_t o = 0;
    if (n < 5) {
        if (n) dst[0] = 0;
        return 0;
    }
    for (size_t i = 0; i < len;) {
        char u[4];
        size_t used, k = next_unit(s + i, len - i, flags, 0, u, &used);
        if (o + k + 4 > n) { /* keep room for "..." and the NUL */
            memcpy(dst + o, "...", 3);
            o += 3;
            break;
        }
        memcpy(dst + o, u, k);
        o += k;
        i += used;
    }
    dst[o] = 0;
    return o;
}

/* Contract in serve_int.h. */
void xs__serve_quote(char *dst, size_t n, const char *s, size_t len)
{
    size_t o = 0, shown = 0;
    if (n < 8) {
        if (n) dst[0] = 0;
        return;
    }
    dst[o++] = '"';
    for (size_t i = 0; i < len; shown++) {
        char u[4];
        size_t used, k = next_unit(s + i, len - i, XS__ESC_LOG, 1, u, &used);
        /* room for the unit, then "...", '"' and the NUL */
        if (shown == XS__QUOTE_MAX || o + k + 5 > n) {
            memcpy(dst + o, "...", 3);
            o += 3;
            break;
        }
        memcpy(dst + o, u, k);
        o += k;
        i += used;
    }
    dst[o++] = '"';
    dst[o] = 0;
}
