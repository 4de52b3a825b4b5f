/*
 * money.c — exact decimal parsing and formatting of money amounts.
 */
#include "base/money.h"

#include <stdio.h>
#include <string.h>

int xs__money_parse(const char *s, size_t len, int scale, int64_t *minor)
{
    size_t i = 0;
    int neg = 0;
    if (i < len && (s[i] == '+' || s[i] == '-')) neg = s[i++] == '-';
    uint64_t v = 0;
    size_t n_int = 0, n_frac = 0;
    const uint64_t lim = 9223372036854775807ULL;
    for (; i < len && s[i] >= '0' && s[i] <= '9'; i++, n_int++) {
        if (v > (lim - 9) / 10) return -3;
        v = v * 10 + (uint64_t)(s[i] - '0');
    }
    if (i < len && s[i] == '.') {
        i++;
        for (; i < len && s[i] >= '0' && s[i] <= '9'; i++, n_frac++) {
            if ((int)n_frac >= scale) {
                if (s[i] != '0') return -2; /* trailing zeros are harmless */
                continue;
            }
            if (v > (lim - 9) / 10) return -3;
            v = v * 10 + (uint64_t)(s[i] - '0');
        }
        if (n_frac == 0 && n_int == 0) return -1;
    }
    if (i != len || (n_int == 0 && n_frac == 0)) return -1;
    for (int k = (int)(n_frac < (size_t)scale ? n_frac : (size_t)scale); k < scale; k++) {
        if (v > lim / 10) return -3;
        v *= 10;
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
