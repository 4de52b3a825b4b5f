/*
 * numfmt.c — fixed-point and integer decimal text without printf
 * (contract in numfmt.h).
 *
 * Why the fast path is exact: printf rounds the exact binary value of v,
 * times 10^decimals, to the nearest integer (ties to even). For |v| x
 * 10^decimals below 2^31 the product computed in double differs from the
 * exact one by less than 2^-21, so it falls on the same side of every
 * half-integer unless it lies within that distance of one; such values
 * (and ties proper, like 0.125 to two places) go to snprintf. Values near
 * an integer round to that integer either way.
 */
#include "base/numfmt.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static const double pow10d[10] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9};

#define TIE_MARGIN 1e-6 /* far above the product's error bound of 2^-21 */

size_t xs__fmt_uint(char *buf, unsigned long long v)
{
    char tmp[24];
    size_t n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    for (size_t i = 0; i < n; i++)
        buf[i] = tmp[n - 1 - i];
    buf[n] = '\0';
    return n;
}

size_t xs__fmt_int(char *buf, long long v)
{
    if (v >= 0) return xs__fmt_uint(buf, (unsigned long long)v);
    buf[0] = '-';
    return 1 + xs__fmt_uint(buf + 1, 0ULL - (unsigned long long)v);
}

size_t xs__fmt_fixed(char *buf, double v, int decimals)
{
    if (decimals < 0) decimals = 0;
    if (decimals > 9) decimals = 9;
    double a = fabs(v), scaled = a * pow10d[decimals];
    if (!(scaled < 2147483648.0)) /* large, NaN or infinite */
        return (size_t)snprintf(buf, XS__FMT_FIXED_MAX, "%.*f", decimals, v);
    double whole = floor(scaled), frac = scaled - whole; /* both exact */
    if (fabs(frac - 0.5) < TIE_MARGIN)
        return (size_t)snprintf(buf, XS__FMT_FIXED_MAX, "%.*f", decimals, v);
    uint64_t r = (uint64_t)whole + (frac > 0.5);
    uint64_t p = (uint64_t)pow10d[decimals];
    size_t n = 0;
    if (signbit(v)) buf[n++] = '-';
    n += xs__fmt_uint(buf + n, (unsigned long long)(r / p));
    if (decimals) {
        uint64_t f = r % p;
        buf[n++] = '.';
        for (int k = decimals - 1; k >= 0; k--) {
            buf[n + (size_t)k] = (char)('0' + f % 10);
            f /= 10;
        }
        n += (size_t)decimals;
        buf[n] = '\0';
    }
    return n;
}
