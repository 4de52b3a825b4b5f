/*
 * escape.c — JSON string and CSV field escaping into caller-sized spans
 * (contract and the two rules in escape.h). Everything in xsell that writes
 * a JSON string or a CSV field comes through here, whatever buffer it
 * writes into.
 */
#include "base/escape.h"

#include <stdint.h>
#include <string.h>

/* ---------------------------------------------------------------------- */
/* UTF-8                                                                   */
/* ---------------------------------------------------------------------- */

/* Contract in escape.h. The second byte's range depends on the first
 * (E0: A0..BF rules out overlong forms, ED: 80..9F surrogates, F0: 90..BF
 * overlong, F4: 80..8F above U+10FFFF); later ones are 80..BF. */
int xs__utf8_seq(const char *p, size_t n)
{
    const unsigned char *s = (const unsigned char *)p;
    unsigned c = s[0], k, lo = 0x80, hi = 0xBF;
    if (c < 0x80) return 1;
    if (c >= 0xC2 && c <= 0xDF) {
        k = 1;
    } else if (c >= 0xE0 && c <= 0xEF) {
        k = 2;
        if (c == 0xE0) lo = 0xA0;
        if (c == 0xED) hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        k = 3;
        if (c == 0xF0) lo = 0x90;
        if (c == 0xF4) hi = 0x8F;
    } else {
        return 0;
    }
    for (unsigned j = 1; j <= k; j++) {
        if (j >= n || (s[j] & 0xC0) != 0x80) return -(int)j; /* cut short */
        if (j == 1 && (s[1] < lo || s[1] > hi)) return 0;
    }
    return (int)k + 1;
}

/* ---------------------------------------------------------------------- */
/* JSON                                                                    */
/* ---------------------------------------------------------------------- */

/* 1 when none of the 8 bytes of x needs more than a copy: each is in
 * 0x20..0x7F and none is '"' or '\\'. The classic "has a byte below k"
 * test, (x - k * ONES) & ~x & HIGH, answers exactly whether any byte is
 * (per-byte flags after the first may be wrong; only their OR is used). */
static int plain8(uint64_t x)
{
    const uint64_t ones = 0x0101010101010101u, high = 0x8080808080808080u;
    uint64_t q = x ^ (ones * '"'), b = x ^ (ones * '\\');
    uint64_t bad = (x & high) | ((x - ones * 0x20) & ~x & high) |
                   ((q - ones) & ~q & high) | ((b - ones) & ~b & high);
    return bad == 0;
}

/* Contract in escape.h. Runs of 8 plain bytes (most of any text the
 * server writes) are copied a word at a time; the rest byte by byte:
 * this loop was a tenth of the instructions of a GET .../offers. */
size_t xs__json_esc(char *dst, const char *s, size_t n, int *bad_utf8)
{
    static const char hex[] = "0123456789ABCDEF";
    char *w = dst;
    *w++ = '"';
    for (size_t i = 0; i < n; i++) {
        uint64_t x;
        /* dst holds 6 bytes per input byte: 8 from 8 always fit */
        while (n - i >= 8 && (memcpy(&x, s + i, 8), plain8(x))) {
            memcpy(w, &x, 8);
            w += 8;
            i += 8;
        }
        if (i == n) break;
        unsigned char ch = (unsigned char)s[i];
        if (ch >= 0x80 && bad_utf8) {
            int k = xs__utf8_seq(s + i, n - i);
            if (k <= 0) {
                *bad_utf8 = 1;
                k = 1;
            }
            memcpy(w, s + i, (size_t)k);
            w += k;
            i += (size_t)k - 1;
            continue;
        }
        if (ch >= 0x20 && ch != '"' && ch != '\\') {
            *w++ = (char)ch;
            continue;
        }
        *w++ = '\\';
        switch (ch) {
        case '"':
            *w++ = '"';
            break;
        case '\\':
            *w++ = '\\';
            break;
        case '\b':
            *w++ = 'b';
            break;
        case '\f':
            *w++ = 'f';
            break;
        case '\n':
            *w++ = 'n';
            break;
        case '\r':
            *w++ = 'r';
            break;
        case '\t':
            *w++ = 't';
            break;
        default:
            *w++ = 'u', *w++ = '0', *w++ = '0';
            *w++ = hex[ch >> 4];
            *w++ = hex[ch & 15];
        }
    }
    *w++ = '"';
    return (size_t)(w - dst);
}

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Contract in escape.h. */
int xs__json_is_number(const char *s, size_t n)
{
    size_t i = 0;
    if (i < n && s[i] == '-') i++;
    if (i == n) return 0;
    if (s[i] == '0') {
        i++;
    } else if (is_digit(s[i])) {
        while (i < n && is_digit(s[i]))
            i++;
    } else {
        return 0;
    }
    if (i < n && s[i] == '.') {
        i++;
        if (i == n || !is_digit(s[i])) return 0;
        while (i < n && is_digit(s[i]))
            i++;
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-')) i++;
        if (i == n || !is_digit(s[i])) return 0;
        while (i < n && is_digit(s[i]))
            i++;
    }
    return i == n;
}

/* ---------------------------------------------------------------------- */
/* CSV                                                                     */
/* ---------------------------------------------------------------------- */

/* Contract in escape.h. */
int xs__csv_needs_quotes(const char *s, size_t n, char delim, int lone)
{
    if (n == 0) return lone != 0;
    if (s[0] == ' ' || s[0] == '\t' || s[n - 1] == ' ' || s[n - 1] == '\t') return 1;
    if (n >= 3 && !memcmp(s, "\xef\xbb\xbf", 3)) return 1;
    /* no early exit: a field is short and seldom quoted, and the loop
     * without branches is vectorised */
    int any = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        any |= (c == delim) | (c == '"') | (c == '\r') | (c == '\n');
    }
    return any;
}

/* Contract in escape.h. */
size_t xs__csv_body(char *dst, const char *s, size_t n)
{
    char *w = dst;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '"') *w++ = '"';
        *w++ = s[i];
    }
    return (size_t)(w - dst);
}

/* Contract in escape.h. */
size_t xs__csv_esc(char *dst, const char *s, size_t n, char delim, int lone)
{
    if (!xs__csv_needs_quotes(s, n, delim, lone)) {
        if (n) memcpy(dst, s, n);
        return n;
    }
    dst[0] = '"';
    size_t k = 1 + xs__csv_body(dst + 1, s, n);
    dst[k++] = '"';
    return k;
}
