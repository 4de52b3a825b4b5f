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
 *
 * "%.17g" is exact by construction instead: v = m * 2^e (m < 2^53) and
 * v * 10^k = m * 5^k * 2^(e + k); for 0 <= k <= 27, m * 5^k fits in 117
 * bits, so the 17-digit integer q = v * 10^k is a 128-bit shift of it and
 * the bits shifted out decide the rounding exactly (half to even).
 */
#include "base/numfmt.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

__extension__ typedef unsigned __int128 u128;

static const double pow10d[10] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9};

#define TIE_MARGIN 1e-6 /* far above the product's error bound of 2^-21 */

/* "00" .. "99": digits two at a time (half the divisions). */
static const char dig2[201] = "00010203040506070809101112131415161718192021222324"
                              "25262728293031323334353637383940414243444546474849"
                              "50515253545556575859606162636465666768697071727374"
                              "75767778798081828384858687888990919293949596979899";

size_t xs__fmt_uint(char *buf, unsigned long long v)
{
    char tmp[24];
    size_t i = sizeof tmp; /* written backwards from the end */
    while (v >= 100) {
        unsigned r = (unsigned)(v % 100);
        v /= 100;
        i -= 2;
        memcpy(tmp + i, dig2 + 2 * r, 2);
    }
    if (v >= 10) {
        i -= 2;
        memcpy(tmp + i, dig2 + 2 * v, 2);
    } else {
        tmp[--i] = (char)('0' + v);
    }
    size_t n = sizeof tmp - i;
    memcpy(buf, tmp + i, n);
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
    uint32_t whole = (uint32_t)scaled; /* floor: scaled >= 0 */
    double frac = scaled - whole;      /* exact */
    if (fabs(frac - 0.5) < TIE_MARGIN)
        return (size_t)snprintf(buf, XS__FMT_FIXED_MAX, "%.*f", decimals, v);
    uint32_t r = whole + (frac > 0.5); /* at most 2^31 */
    /* r's digits from the last: the decimals (zero-padded), the point, the
     * integer part (at least "0"); no division by a variable power of ten */
    char tmp[24], *e = tmp + sizeof tmp, *p = e;
    for (int k = 0; k < decimals; k++, r /= 10)
        *--p = (char)('0' + r % 10);
    if (decimals) *--p = '.';
    for (; r >= 100; r /= 100)
        memcpy(p -= 2, dig2 + 2 * (r % 100), 2);
    if (r >= 10)
        memcpy(p -= 2, dig2 + 2 * r, 2);
    else
        *--p = (char)('0' + r);
    if (signbit(v)) *--p = '-';
    size_t n = (size_t)(e - p);
    memcpy(buf, p, n);
    buf[n] = '\0';
    return n;
}

/* 5^0 .. 5^27 (5^27 < 2^63). */
static const uint64_t pow5[28] = {
    1ULL,
    5ULL,
    25ULL,
    125ULL,
    625ULL,
    3125ULL,
    15625ULL,
    78125ULL,
    390625ULL,
    1953125ULL,
    9765625ULL,
    48828125ULL,
    244140625ULL,
    1220703125ULL,
    6103515625ULL,
    30517578125ULL,
    152587890625ULL,
    762939453125ULL,
    3814697265625ULL,
    19073486328125ULL,
    95367431640625ULL,
    476837158203125ULL,
    2384185791015625ULL,
    11920928955078125ULL,
    59604644775390625ULL,
    298023223876953125ULL,
    1490116119384765625ULL,
    7450580596923828125ULL,
};

#define P16 10000000000000000ULL  /* 10^16: the smallest 17-digit integer */
#define P17 100000000000000000ULL /* 10^17 */

/* a * 10^k for a = m * 2^e: its integer part into *fl and the nearest
 * integer (ties to even) into *rd. Returns 0, or -1 when k is outside the
 * table or the result does not fit (the caller falls back to snprintf). */
static int scale(uint64_t m, int e, int k, uint64_t *fl, uint64_t *rd)
{
    if (k < 0 || k > 27) return -1;
    u128 p = (u128)m * pow5[k];
    int sh = -(e + k);
    if (sh <= 0) {
        if (sh < -8) return -1;
        *fl = *rd = (uint64_t)(p << -sh);
        return 0;
    }
    if (sh >= 120) return -1;
    u128 q = p >> sh, rem = p - (q << sh), half = (u128)1 << (sh - 1);
    if (q >= ((u128)1 << 62)) return -1;
    *fl = (uint64_t)q;
    *rd = (uint64_t)q + (rem > half || (rem == half && (q & 1)));
    return 0;
}

size_t xs__fmt_g17(char *buf, double v)
{
    double a = fabs(v);
    if (a == 0) { /* "0" / "-0", as printf: the answers hold many zeros */
        size_t n = 0;
        if (signbit(v)) buf[n++] = '-';
        buf[n++] = '0';
        buf[n] = '\0';
        return n;
    }
    if (!(a >= 1e-11 && a < 1e17)) /* tiny, huge, NaN or infinite */
        return (size_t)snprintf(buf, XS__FMT_G17_MAX, "%.17g", v);
    uint64_t bits, fl = 0, q = 0;
    memcpy(&bits, &a, sizeof bits); /* a is normal here: a = m * 2^e */
    uint64_t m = (bits & ((1ULL << 52) - 1)) | (1ULL << 52);
    int p2 = (int)(bits >> 52) - 1023, e = p2 - 52; /* 2^p2 <= a < 2^(p2+1) */
    /* the decimal exponent x: 10^x <= a < 10^(x+1), i.e. the integer part
     * of a * 10^(16 - x) has 17 digits; floor(p2 * log10(2)) is x or x - 1 */
    int x = (int)floor(p2 * 0.30102999566398119521), ok = 0;
    for (int tries = 0; tries < 3 && !ok; tries++) {
        if (scale(m, e, 16 - x, &fl, &q) < 0)
            return (size_t)snprintf(buf, XS__FMT_G17_MAX, "%.17g", v);
        if (fl >= P17)
            x++;
        else if (fl < P16)
            x--;
        else
            ok = 1;
    }
    if (!ok) return (size_t)snprintf(buf, XS__FMT_G17_MAX, "%.17g", v);
    if (q == P17) { /* 99...9.5 rounds up to the next power of ten */
        q = P16;
        x++;
    }
    /* the 17 digits: the last 8 and the first 9 in 32 bits, two at a time */
    char d[17];
    uint32_t hi = (uint32_t)(q / 100000000u), lo = (uint32_t)(q % 100000000u);
    int nd = lo ? 17 : 9; /* significant digits kept: trailing zeros go */
    for (int i = 15; i >= 9; i -= 2) {
        memcpy(d + i, dig2 + 2 * (lo % 100), 2);
        lo /= 100;
    }
    for (int i = 7; i >= 1; i -= 2) {
        memcpy(d + i, dig2 + 2 * (hi % 100), 2);
        hi /= 100;
    }
    d[0] = (char)('0' + hi);
    while (nd > 1 && d[nd - 1] == '0')
        nd--;
    size_t n = 0;
    if (signbit(v)) buf[n++] = '-';
    if (x < -4 || x >= 17) { /* d.ddde±XX */
        buf[n++] = d[0];
        if (nd > 1) {
            buf[n++] = '.';
            memcpy(buf + n, d + 1, (size_t)nd - 1);
            n += (size_t)nd - 1;
        }
        buf[n++] = 'e';
        buf[n++] = x < 0 ? '-' : '+';
        int ax = x < 0 ? -x : x;
        if (ax < 10) buf[n++] = '0';
        n += xs__fmt_uint(buf + n, (unsigned long long)ax);
        return n;
    }
    if (x < 0) { /* 0.000ddd */
        buf[n++] = '0';
        buf[n++] = '.';
        for (int i = -1; i > x; i--)
            buf[n++] = '0';
        memcpy(buf + n, d, (size_t)nd);
        n += (size_t)nd;
    } else { /* ddd.ddd */
        memcpy(buf + n, d, (size_t)x + 1);
        n += (size_t)x + 1;
        if (nd > x + 1) {
            buf[n++] = '.';
            memcpy(buf + n, d + x + 1, (size_t)(nd - x - 1));
            n += (size_t)(nd - x - 1);
        }
    }
    buf[n] = '\0';
    return n;
}

/* Contract in numfmt.h. The text is [-]digits[.digits]: with at most 15
 * digits their integer N is exact in a double (below 2^53), and so is
 * 10^k (k <= 9 fraction digits); IEEE division rounds N / 10^k correctly,
 * which is the value strtod gives the decimal text. On xs__fmt_fixed's
 * fast path N is its rounded integer r itself (at most 10 digits), so the
 * value is r / 10^k without the text. */
double xs__fmt_fixed_value(double v, int decimals)
{
    if (decimals < 0) decimals = 0;
    if (decimals > 9) decimals = 9;
    double scaled = fabs(v) * pow10d[decimals];
    if (scaled < 2147483648.0) { /* as xs__fmt_fixed */
        double whole = floor(scaled), frac = scaled - whole;
        if (!(fabs(frac - 0.5) < TIE_MARGIN)) {
            double x = (double)((uint64_t)whole + (frac > 0.5));
            if (decimals) x /= pow10d[decimals];
            return signbit(v) ? -x : x;
        }
    }
    char t[XS__FMT_FIXED_MAX];
    xs__fmt_fixed(t, v, decimals);
    const char *p = t;
    int neg = *p == '-', nd = 0, frac = -1;
    uint64_t q = 0;
    for (p += neg; *p; p++) {
        if (*p == '.' && frac < 0) {
            frac = 0;
            continue;
        }
        if (*p < '0' || *p > '9' || ++nd > 15) return strtod(t, NULL);
        q = q * 10 + (uint64_t)(*p - '0');
        if (frac >= 0) frac++;
    }
    double x = (double)q;
    if (frac > 0) x /= pow10d[frac];
    return neg ? -x : x;
}
