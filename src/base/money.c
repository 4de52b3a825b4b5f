/*
 * money.c — exact decimal parsing and formatting of money amounts.
 */
#include "base/money.h"

#include <stdio.h>
#include <string.h>

int xs__money_parse(const char *s, size_t len, int scale, int64_t *minor)
{
    /* three passes, so the verdict does not depend on where a problem
     * sits: malformed first, then too many fraction digits, then range
     * (tests/fuzz/fuzz_money.c holds a reference) */
    size_t i = 0, int_at, n_int, frac_at = 0, n_frac = 0;
    int neg = 0;
    if (i < len && (s[i] == '+' || s[i] == '-')) neg = s[i++] == '-';
    for (int_at = i; i < len && s[i] >= '0' && s[i] <= '9'; i++) {}
    n_int = i - int_at;
    if (i < len && s[i] == '.') {
        for (frac_at = ++i; i < len && s[i] >= '0' && s[i] <= '9'; i++) {}
        n_frac = i - frac_at;
    }
    if (i != len || n_int + n_frac == 0) return -1;
    for (size_t k = (size_t)scale; k < n_frac; k++)
        if (s[frac_at + k] != '0') return -2; /* trailing zeros are harmless */
    const uint64_t lim = 9223372036854775807ULL;
    uint64_t v = 0;
    for (size_t k = 0; k < n_int + (size_t)scale; k++) {
        unsigned d = 0;
        if (k < n_int)
            d = (unsigned)(s[int_at + k] - '0');
        else if (k - n_int < n_frac)
            d = (unsigned)(s[frac_at + k - n_int] - '0');
        if (v > (lim - d) / 10) return -3;
        v = v * 10 + d;
    }
    *minor = neg ? -(int64_t)v : (int64_t)v;
    return 0;
}

void xs__money_format(int64_t minor, int scale, char *buf, size_t n)
{
    uint64_t a = minor < 0 ? (uint64_t)0 - (uint64_t)minor : (uint64_t)minor;
    uint64_t p = 1;
    for (int k = 0; k < scale; k++) p *= 10;
    if (scale == 0)
        snprintf(buf, n, "%s%llu", minor < 0 ? "-" : "", (unsigned long long)a);
    else
        snprintf(buf, n, "%s%llu.%0*llu", minor < 0 ? "-" : "", (unsigned long long)(a / p),
                 scale, (unsigned long long)(a % p));
}
