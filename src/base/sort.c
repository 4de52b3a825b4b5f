/*
 * sort.c — the stable LSD radix sort of sort.h. A byte per pass through a
 * scratch array; one count over the data gives the histograms of all
 * eight bytes, and a byte that is the same in every key (the high bytes of
 * day counts and order counts) costs no pass. At a million elements this
 * is a few passes instead of qsort's twenty comparisons per element
 * through a function pointer. Then the integer sorts of sort.h, one
 * quicksort written once for the three types.
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

#define SMALL 24

/* SORT_INT(name, T): void name(T *v, size_t n), ascending. */
#define SORT_INT(name, T)                                                         \
    void name(T *v, size_t n)                                                     \
    {                                                                             \
        while (n > SMALL) {                                                       \
            /* median of three to v[0], then Hoare's partition */                 \
            T *a = v, *b = v + n / 2, *c = v + n - 1, t;                          \
            if (*b < *a) t = *a, *a = *b, *b = t;                                 \
            if (*c < *b) t = *b, *b = *c, *c = t;                                 \
            if (*b < *a) t = *a, *a = *b, *b = t;                                 \
            T pivot = *b;                                                         \
            size_t i = 0, j = n - 1;                                              \
            for (;;) {                                                            \
                while (v[i] < pivot) i++;                                         \
                while (pivot < v[j]) j--;                                         \
                if (i >= j) break;                                                \
                t = v[i], v[i] = v[j], v[j] = t;                                  \
                i++, j--;                                                         \
            }                                                                     \
            /* v[0..j] <= pivot <= v[j+1..n): the smaller side by recursion */    \
            size_t left = j + 1;                                                  \
            if (left < n - left) {                                                \
                name(v, left);                                                    \
                v += left;                                                        \
                n -= left;                                                        \
            } else {                                                              \
                name(v + left, n - left);                                         \
                n = left;                                                         \
            }                                                                     \
        }                                                                         \
        for (size_t i = 1; i < n; i++) {                                          \
            T x = v[i];                                                           \
            size_t j = i;                                                         \
            while (j > 0 && x < v[j - 1]) {                                       \
                v[j] = v[j - 1];                                                  \
                j--;                                                              \
            }                                                                     \
            v[j] = x;                                                             \
        }                                                                         \
    }

SORT_INT(xs__sort_u32, uint32_t)
SORT_INT(xs__sort_u64, uint64_t)
SORT_INT(xs__sort_i32, int32_t)
