/*
 * sort.c — the stable LSD radix sort of sort.h. A byte per pass through a
 * scratch array; one count over the data gives the histograms of all
 * eight bytes, and a byte that is the same in every key (the high bytes of
 * day counts and order counts) costs no pass. At a million elements this
 * is a few passes instead of qsort's twenty comparisons per element
 * through a function pointer.
 */
#include "base/sort.h"

#include <string.h>

xs__sort_kv *xs__sort_kv_radix(xs__sort_kv *v, xs__sort_kv *tmp, size_t n)
{
    if (n < 2) return v;
    size_t count[8][256];
    memset(count, 0, sizeof count);
    for (size_t i = 0; i < n; i++)
        for (int d = 0; d < 8; d++)
            count[d][(v[i].key >> (8 * d)) & 0xff]++;
    for (int d = 0; d < 8; d++) {
        size_t *c = count[d];
        if (c[(v[0].key >> (8 * d)) & 0xff] == n) continue; /* one value: no pass */
        size_t sum = 0;
        for (size_t b = 0; b < 256; b++) {
            size_t x = c[b];
            c[b] = sum;
            sum += x;
        }
        for (size_t i = 0; i < n; i++)
            tmp[c[(v[i].key >> (8 * d)) & 0xff]++] = v[i];
        xs__sort_kv *t = v;
        v = tmp;
        tmp = t;
    }
    return v;
}

uint64_t xs__sort_key_double(double x)
{
    uint64_t b;
    if (x == 0) x = 0; /* -0.0 sorts with 0.0 */
    memcpy(&b, &x, sizeof b);
    /* negatives: every bit flipped (larger magnitude sorts first);
     * positives: the sign bit set (above every negative) */
    return b >> 63 ? ~b : b | ((uint64_t)1 << 63);
}
