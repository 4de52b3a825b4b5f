/*
 * json.c — JSON helpers of the server: numbers that may be NaN / infinite
 * (JSON has neither: null) and result tables (xs_table, the library's one
 * output shape) turned into the jansson values its `--format json` text
 * reads as, so the API and the CLI agree.
 * And UTF-8: JSON strings must be valid UTF-8 (jansson refuses anything
 * else), so values shown in messages are quoted, cut and escaped here on
 * character boundaries, never by byte.
 */
#include "serve/serve_int.h"

#include "io/table.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Contract in serve_int.h. */
json_t *xs__serve_num(double v)
{
    return isfinite(v) ? json_real(v) : json_null();
}

/* A number cell as jansson reads the same text: an integer when it has no
 * fraction nor exponent, else a real; NULL where jansson's parser fails (an
 * integer beyond 64 bits, a real that overflows). Text that is no JSON
 * number (never written by the library) goes to jansson itself, which
 * reads it as the table's JSON text would have been read. */
static json_t *number(const char *v)
{
    size_t n = strlen(v);
    if (!xs__json_is_number(v, n)) return json_loadb(v, n, JSON_DECODE_ANY, NULL);
    char *end;
    errno = 0;
    if (!strpbrk(v, ".eE")) {
        long long i = strtoll(v, &end, 10);
        return errno == ERANGE ? NULL : json_integer((json_int_t)i);
    }
    double d = strtod(v, &end);
    return errno == ERANGE && isinf(d) ? NULL : json_real(d);
}

/* Contract in serve_int.h. The values xs_table_write(XS_FORMAT_JSON) would
 * write, built directly: an empty or absent number cell is null. */
json_t *xs__serve_table_json(const xs_table *t)
{
    size_t n_cols = xs__io_table_n_cols(t), n_rows = xs_table_rows(t);
    json_t *rows = json_array();
    for (size_t r = 0; rows && r < n_rows; r++) {
        json_t *row = json_object();
        if (json_array_append_new(rows, row) < 0) goto fail;
        for (size_t c = 0; c < n_cols; c++) {
            xs_coltype type;
            const char *name = xs__io_table_col(t, c, &type);
            const char *v = xs__io_table_cell(t, r, c);
            json_t *j = !v || (!*v && type == XS_COL_NUM) ? json_null()
                        : type == XS_COL_NUM              ? number(v)
                                                          : json_string(v);
            if (!j || json_object_set_new(row, name, j) < 0) goto fail;
        }
    }
    return rows;
fail:
    json_decref(rows);
    return NULL;
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
